"""A small version of ``hazsim validate omni_dst``: July 2000 (the Bastille Day storm) from
the hourly OMNI solar wind. It skips, with the reason, when the data are absent."""

from __future__ import annotations

import pytest

from sim.io.data import DataUnavailable, dataset_dir


def test_omni_dst_quick_month_with_the_bastille_day_storm(tmp_path):
    try:
        dataset_dir("geomag/omni_hourly_1998_2002", download=False)
    except DataUnavailable as exc:
        pytest.skip(str(exc))
    from validation.omni_dst.compare import run

    result = run(out_dir=tmp_path, quick=True)
    f = result.figures
    for model in ("burton", "obrien_mcpherron"):
        # A month of solar-maximum activity: the models explain most of the variance, and
        # both make the storm (observed minimum -301 nT) a great one.
        assert f[f"{model}_PE"] > 0.5, result.table
        assert f[f"{model}_bastille_day_2000_minimum_nT"] < -250, result.table
    # O'Brien & McPherron's injection and decay, fitted to 30 years of data, reach its depth
    # within 15 %; Burton's constant 7.7 h decay overshoots intense storms (known).
    assert abs(f["obrien_mcpherron_bastille_day_2000_minimum_nT"] / -301 - 1) < 0.15, result.table
    assert (tmp_path / "omni_dst_storms.png").is_file()
