"""Small versions of the flood validations (the full ones run with ``hazsim validate``).

EA test 5 on a 100 m grid for 2 h: both solvers agree on arrival and peak level where the
water has arrived. Malpasset on an 80 m grid for 15 minutes: the wave reaches the first
gauges in the right order and the peak levels near the dam are within 25 %. Both skip, with
the reason, when the measured data are absent.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.io.data import DataUnavailable, dataset_dir


def need(name: str) -> None:
    try:
        dataset_dir(name, download=False)
    except DataUnavailable as exc:
        pytest.skip(str(exc))


def test_ea_test5_quick_solvers_agree():
    need("flood/ea_test5_lisflood")
    from validation.ea_test5.compare import run

    result = run(quick=True)
    assert result.passed, result.table
    f = result.figures
    # The wave reaches point 1 (nearest the breach) before point 6 and before point 3.
    assert f["p1_arrival_li_s"] < f["p3_arrival_li_s"] and math.isfinite(f["p6_arrival_fv_s"])
    for solver in ("local_inertial", "finite_volume"):
        assert abs(f[f"{solver}_mass_balance_error"]) < 1e-10


def test_malpasset_quick_wave_order_and_levels_near_the_dam(tmp_path):
    need("flood/malpasset")
    from validation.malpasset.compare import run

    result = run(out_dir=tmp_path, quick=True)
    f = result.figures
    arrivals = [f[f"G{k}_arrival_s"] for k in range(6, 11)]
    assert all(np.isfinite(arrivals)) and np.all(np.diff(arrivals) >= 0), result.table
    assert abs(f["G6_max_wse_m"] - 84.2) / 84.2 < 0.25 and abs(f["G9_max_wse_m"] - 40.2) / 40.2 < 0.25
    assert abs(f["mass_balance_error"]) < 1e-10
