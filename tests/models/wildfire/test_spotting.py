"""Spotting: Albini maximum distances against behave's test values, the stochastic landing model, ignition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.wildfire import spotting as sp
from models.wildfire.spotting import FT, MI, MPH

RIDGE = sp.LOCATIONS["ridge_top"]


def test_burning_pile_matches_behave():
    """behave testBehave: 5-ft flame, 5 mi/h, 30-ft cover, ridge top, 1 mi / 2000 ft ridge-valley."""
    closed = sp.max_spotting_distance_burning_pile(5 * FT, 5 * MPH, 30 * FT, False, RIDGE, MI, 2000 * FT)
    opened = sp.max_spotting_distance_burning_pile(5 * FT, 5 * MPH, 30 * FT, True, RIDGE, MI, 2000 * FT)
    assert float(closed.flat_distance_m) / MI == pytest.approx(0.017067, abs=1e-6)
    assert float(closed.terrain_distance_m) / MI == pytest.approx(0.021330, abs=1e-6)
    assert float(opened.flat_distance_m) / MI == pytest.approx(0.024700, abs=1e-6)
    assert float(opened.terrain_distance_m) / MI == pytest.approx(0.030863, abs=1e-6)


def test_torching_trees_match_behave():
    """behave testBehave: 15 Engelmann spruce, 20 in DBH, 30 ft tall, 5 mi/h, closed 30-ft cover."""
    d = sp.max_spotting_distance_torching_trees("engelmann_spruce", 20 * 0.0254, 30 * FT, 15, 5 * MPH, 30 * FT,
                                                False, RIDGE, MI, 2000 * FT)
    assert float(d.flat_distance_m) / MI == pytest.approx(0.181449, abs=1e-6)
    assert float(d.terrain_distance_m) / MI == pytest.approx(0.222396, abs=1e-6)


def test_surface_fire_matches_behave():
    """behave testBehave: the GS4 surface fire (6/7/8/60/90 %, 5 mi/h 20-ft wind upslope, 30 % slope,
    50 % cover of 30-ft trees, crown ratio 0.5) spots 0.132964 mi on flat and 0.164401 mi from a ridge."""
    from models.wildfire import rothermel
    from models.wildfire.fuels import fuel_table

    table = fuel_table([124])
    waf = rothermel.wind_adjustment_factor(table.depth_ft[0], 0.5, 30.0, 0.5)
    r = rothermel.surface_fire_cell(*table.kernel_arrays(), 0, 0.06, 0.07, 0.08, 0.60, 0.90, 5 * 88.0 * waf, 0.0,
                                    0.3, 0.0, False)
    intensity = r[6] * rothermel.KW_M_PER_BTU_FT_S
    d = sp.max_spotting_distance_surface_fire(intensity, 5 * MPH, 30 * FT, False, RIDGE, MI, 2000 * FT)
    assert float(d.flat_distance_m) / MI == pytest.approx(0.132964, abs=1e-6)
    assert float(d.terrain_distance_m) / MI == pytest.approx(0.164401, abs=1e-6)


def test_albini_flat_distance_by_hand():
    """D = 0.000718 U sqrt(H) (0.362 + sqrt(z/H)/2 ln(z/H)) mi, z = 12.2 h_f for a pile."""
    z, h, u = 12.2 * 10.0, 40.0, 15.0
    expected = 0.000718 * u * math.sqrt(h) * (0.362 + math.sqrt(z / h) / 2 * math.log(z / h))
    d = sp.max_spotting_distance_burning_pile(10 * FT, u * MPH, h * FT)
    assert float(d.flat_distance_m) == pytest.approx(expected * MI, rel=1e-12)
    # no wind or no fire: no spotting
    assert float(sp.max_spotting_distance_surface_fire(0.0, 10.0, 20.0).flat_distance_m) == 0.0
    assert float(sp.max_spotting_distance_surface_fire(5000.0, 0.0, 20.0).flat_distance_m) == 0.0


def test_landing_never_beyond_albini_maximum():
    rng = np.random.default_rng(1)
    for intensity, wind, canopy in ((300.0, 3.0, 0.0), (3000.0, 8.0, 15.0), (40000.0, 15.0, 25.0), (50.0, 1.0, 2.0)):
        along, lateral, x_max = sp.sample_landings(rng, intensity, wind, canopy, 20000)
        assert np.all(along >= 0.0) and np.all(along <= x_max)
        assert np.all(np.abs(lateral) <= along * math.tan(math.radians(10.0)) * 8.0)  # 8 sigma


def test_truncation_binds_where_sardoy_reaches_past_albini():
    """Sardoy's median for a weak fire in strong wind lies within Albini's reach; with a tiny cover
    the reach shrinks and the truncation keeps every landing inside it."""
    rng = np.random.default_rng(3)
    along, _, x_max = sp.sample_landings(rng, 20000.0, 2.0, 0.0, 5000)
    mu, s, _ = sp.sardoy_lognormal(20000.0, 2.0 / sp.WIND_20FT_PER_10M)
    assert x_max > 0 and np.exp(float(mu) + 2 * float(s)) > x_max  # the untruncated tail passes x_max
    assert along.max() <= x_max


def _burn(seed, wind_toward=0.0, n_src=40):
    rng = np.random.default_rng(seed)
    ny = nx = 201
    rows = np.full(n_src, 100)
    cols = np.full(n_src, 100)
    moisture = np.full((ny, nx), 0.04)
    burnable = np.ones((ny, nx), dtype=bool)
    return sp.spot_fires(rng, rows, cols, 8000.0, 4.0, 30000.0, 12.0, wind_toward, 20.0, (10.0, 10.0), moisture,
                         burnable, 35.0)


def test_spot_fires_reproducible_with_the_same_seed():
    a = _burn(11)
    b = _burn(11)
    c = _burn(12)
    assert a[0].size > 10
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not (a[0].size == c[0].size and np.array_equal(a[0], c[0]) and np.array_equal(a[1], c[1]))


@pytest.mark.parametrize("toward, axis, sign", [(0.0, 1, 1), (math.pi / 2, 0, 1), (math.pi, 1, -1),
                                                (-math.pi / 2, 0, -1)])
def test_firebrands_land_downwind(toward, axis, sign):
    """Wind toward east moves spots to higher columns, toward north to higher rows (row = +y)."""
    rows, cols, delay = _burn(5, toward)
    offset = (rows - 100, cols - 100)[axis] * sign
    assert rows.size > 10
    assert np.sum(offset > 0) > 5 * max(np.sum(offset < 0), 1)
    assert np.all(delay > 0.0)


def test_no_spots_on_unburnable_or_wet_fuel():
    rng = np.random.default_rng(2)
    ny = nx = 101
    burnable = np.zeros((ny, nx), dtype=bool)
    out = sp.spot_fires(rng, [50], [50], 8000.0, 4.0, 30000.0, 12.0, 0.0, 20.0, (10.0, 10.0),
                        np.full((ny, nx), 0.04), burnable, 35.0)
    assert out[0].size == 0
    out = sp.spot_fires(rng, [50] * 50, [50] * 50, 8000.0, 4.0, 30000.0, 12.0, 0.0, 20.0, (10.0, 10.0),
                        np.full((ny, nx), 0.45), np.ones((ny, nx), dtype=bool), 20.0)
    assert out[0].size == 0  # Q_ig >= 400 cal/g at 45 % moisture: P(I) = 0


def test_ignition_probability_behave_values_and_monotone():
    """behave testBehave: 1-h 6 %, 80 F, 50 % shade -> 0.54831705; 7 %, 90 F, 25 % shade -> 50.717573 %."""
    assert float(sp.ignition_probability(0.06, (80 - 32) / 1.8, 0.5)) == pytest.approx(0.54831705, rel=1e-6)
    assert float(sp.ignition_probability(0.07, (90 - 32) / 1.8, 0.25)) == pytest.approx(0.50717573, rel=1e-6)
    m = np.linspace(0.0, 0.4, 200)
    p = sp.ignition_probability(m, 25.0)
    assert np.all(np.diff(p) <= 0.0) and p[0] == 1.0 and p[-1] < 1e-7
    t = np.linspace(0.0, 45.0, 50)
    assert np.all(np.diff(sp.ignition_probability(0.08, t)) >= 0.0)


def test_sardoy_regimes():
    mu, s, fr = sp.sardoy_lognormal(np.array([500.0, 50000.0]), np.array([10.0, 1.0]))
    assert fr[0] > 1.0 and fr[1] < 1.0
    i, u = 0.5, 10.0  # MW/m, m/s: wind-driven branch by hand
    assert float(mu[0]) == pytest.approx(1.32 * i**0.26 * u**0.11 - 0.02, rel=1e-12)
    assert float(s[0]) == pytest.approx(4.95 * i**-0.01 * u**-0.02 - 3.48, rel=1e-12)
    i, u = 50.0, 1.0
    assert float(mu[1]) == pytest.approx(1.47 * i**0.54 * u**-0.55 + 1.14, rel=1e-12)
    assert float(s[1]) == pytest.approx(0.86 * i**-0.21 * u**0.44 + 0.19, rel=1e-12)

