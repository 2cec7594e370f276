"""Wildfire against measurements: Annaburroo 1986 grass fires and the Alexander & Cruz (2006) crown fires.

Regression guards: the figures measured when the cases were set up (in the comments) less a
small margin; a change in the models or the data that loses skill fails here.
"""

import pytest

from sim.io.data import DataUnavailable


def _figures(module):
    try:
        module.data_path(download=False)
    except DataUnavailable as exc:
        pytest.skip(str(exc))
    return module.figures()


def test_annaburroo_grass_fire_spread():
    from validation.annaburroo import compare

    f = _figures(compare)
    assert f["N_fires"] == 121
    assert f["N_rothermel"] == 120 and f["N_cheney"] == 120  # F011 lacks DFMC and midflame wind
    # measured: Cheney et al. (1998) with Cruz et al. (2015) curing 0.817 within +-35 %, MAPE 24.7 %
    assert f["cheney_within_35pct"] >= 0.80
    assert f["cheney_MAPE_pct"] <= 26.5
    assert abs(f["cheney_bias_pct"]) <= 10.0
    # measured: Rothermel with the custom per-fire grass model 0.383 within +-35 %, MAPE 63.6 %
    assert f["rothermel_within_35pct"] >= 0.36
    assert f["rothermel_MAPE_pct"] <= 67.0


def test_crown_fire_spread_cruz_2005():
    from validation.crown_fires import compare

    f = _figures(compare)
    assert f["N"] == 57
    # measured: MAPE 56.0 %, bias +41.7 %, 0.526 within +-35 %
    assert f["cruz2005_MAPE_pct"] <= 58.0
    assert f["cruz2005_within_35pct"] >= 0.50
    assert f["cruz2005_bias_pct"] <= 45.0
