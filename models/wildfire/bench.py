"""``hazsim bench wildfire``: a day of fire spread over a million cells.

The case of the issue: 1000 x 1000 cells of 30 m, uniform Scott & Burgan GR2, a 20 km/h
10-m wind from the west (pyretechnics, like FARSITE, takes the 10-m wind: 20-ft = 10-m / 1.15),
Scott & Burgan's D1L1 moisture (3/4/5 % dead, 30 % herb: fully cured, 60 % woody), flat, one
point ignition near the west edge, 24 h of spread: about 4.2e5 cells burn. pyretechnics
(2026.10.20) takes 8.5 s for this here, about 5e4 burned cells per second (the issue's figures;
its burned count, 8.5 s x 5e4/s, matches this moisture: D2L2 burns only 1.2e5 cells).

Figures: the wall time of the whole day (fire behaviour of every cell, then the spread, in
24 hourly model steps), burned cells per second, the speed-up over pyretechnics' 8.5 s, and
the fire behaviour (Rothermel on every cell) alone.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from sim.grid import RasterGrid

PYRETECHNICS_S = 8.5


def _model(n: int):
    from models.wildfire.model import Wildfire, WildfireParams

    grid = RasterGrid(shape=(n, n), spacing_m=(30.0, 30.0))
    params = WildfireParams.model_validate({
        "landscape": {"kind": "uniform", "fuel_model": "GR2"},
        "moisture": {"dead_1h_pct": 3.0, "dead_10h_pct": 4.0, "dead_100h_pct": 5.0, "live_herb_pct": 30.0,
                     "live_woody_pct": 60.0},
        "wind": {"speed_m_s": 20.0 / 3.6, "direction_deg": 270.0, "height": "10m"},
        "ignitions": [{"point_m": [0.1 * n * 30.0, 0.5 * n * 30.0]}],
        "crown_fire": False,
        "step_s": 3600.0,
    })
    return Wildfire(grid, params, np.random.default_rng(0))


def _run_day(n: int, hours: int) -> tuple[float, int]:
    from sim.fields import FieldSet

    model = _model(n)
    state = FieldSet.for_models(model.grid, [model])
    start = time.perf_counter()
    model.initialize(state)
    for hour in range(hours):
        model.step(None, hour * 3600.0, 3600.0)
    elapsed = time.perf_counter() - start
    return elapsed, int(np.count_nonzero(np.isfinite(model.front.arrival_time)))


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    from models.wildfire import behaviour

    n, hours = (500, 12) if quick else (1000, 24)
    _run_day(50, 1)  # compile every kernel first
    elapsed, burned = _run_day(n, hours)
    model = _model(n)
    speed, toward = model.wind.at(0.0, model.params.wind)
    start = time.perf_counter()
    behaviour.compute(model.landscape, model.table, model.fuel_row, model.params.moisture, speed, toward, "10m",
                      crown_fire=False)
    t_behaviour = time.perf_counter() - start
    figures = {
        "day_s": (elapsed, f"s for {hours} h of spread on {n}x{n} cells of 30 m"),
        "burned_cells": (float(burned), "cells"),
        "burned_cells_per_s": (burned / elapsed, "burned cells/s"),
        "fire_behaviour_cells_per_s": (n * n / t_behaviour, "cells/s (Rothermel, every cell)"),
        "threads": (float(numba.get_num_threads()), "Numba threads"),
    }
    if not quick:
        figures["speedup_vs_pyretechnics"] = (PYRETECHNICS_S / elapsed, "x (pyretechnics: 8.5 s)")
    return figures
