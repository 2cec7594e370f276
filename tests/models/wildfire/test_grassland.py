"""CSIRO grassland model (Cheney et al. 1998): formula values, continuity, monotonicity."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.wildfire import grassland as g


def test_formula_values_by_hand():
    # natural pasture, U10 = 20 km/h, M = 5 %, fully cured (Cheney et al. 1998 curing function)
    phi_c = 1.12 / (1 + 59.2 * math.exp(-0.124 * 50))
    expected = (1.4 + 0.838 * 15**0.844) * math.exp(-0.108 * 5) * phi_c
    assert float(g.rate_of_spread_km_h(20.0, 5.0, 100.0, g.NATURAL, "cheney1998")) == pytest.approx(expected, rel=1e-12)
    # cut/grazed, light wind, wet fuel above 12 %: the low-wind moisture line
    expected = (0.054 + 0.209 * 3.0) * (0.684 - 0.0342 * 14.0) * 1.036 / (1 + 103.989 * math.exp(-0.0996 * 70))
    assert float(g.rate_of_spread_km_h(3.0, 14.0, 90.0, g.CUT_GRAZED)) == pytest.approx(expected, rel=1e-12)
    # eaten-out, strong wind, wet fuel: the high-wind moisture line
    expected = (0.55 + 0.3575 * 25**0.844) * (0.547 - 0.0228 * 13.0)
    assert float(g.rate_of_spread_km_h(30.0, 13.0, 100.0, g.EATEN_OUT) / g.curing_factor(100.0)) == pytest.approx(
        expected, rel=1e-12)
    # SI wrapper: 5 m/s = 18 km/h
    assert float(g.rate_of_spread_m_s(5.0, 6.0, 95.0)) == pytest.approx(
        float(g.rate_of_spread_km_h(18.0, 6.0, 95.0)) / 3.6, rel=1e-14)


@pytest.mark.parametrize("state", [g.NATURAL, g.CUT_GRAZED, g.EATEN_OUT])
def test_continuity_at_5_km_h(state):
    """The two wind branches meet at U10 = 5 km/h to the rounding of the published coefficients."""
    below = float(g.wind_function_km_h(5.0 - 1e-9, state))
    at = float(g.wind_function_km_h(5.0, state))
    assert abs(at - below) <= 1.01e-3
    assert abs(at - below) / at < 1e-3


def test_moisture_function_continuous_at_12_percent():
    for u in (5.0, 20.0):
        assert float(g.moisture_factor(12.0 - 1e-9, u)) == pytest.approx(float(g.moisture_factor(12.0, u)), abs=3e-4)


def test_monotonicity():
    u = np.linspace(0.0, 80.0, 801)
    for state in (g.NATURAL, g.CUT_GRAZED, g.EATEN_OUT):
        # within each branch strictly increasing; across 5 km/h up to the 1e-3 rounding step
        r = g.rate_of_spread_km_h(u, 6.0, 100.0, state)
        assert np.all(np.diff(r) > -1e-3)
        assert np.all(np.diff(r[u >= 5.0]) > 0) and np.all(np.diff(r[u < 5.0]) > 0)
    m = np.linspace(0.0, 30.0, 301)
    for wind in (4.0, 25.0):
        phi = g.moisture_factor(m, wind)
        assert np.all(np.diff(phi) <= 1e-12) and phi[-1] == 0.0
    c = np.linspace(20.0, 100.0, 81)
    for form in ("cruz2015", "cheney1998"):
        assert np.all(np.diff(g.curing_factor(c, form)) > 0)
    # natural >= cut/grazed >= eaten-out at any wind
    assert np.all(g.wind_function_km_h(u, g.NATURAL) >= g.wind_function_km_h(u, g.CUT_GRAZED))
    assert np.all(g.wind_function_km_h(u, g.CUT_GRAZED) > g.wind_function_km_h(u, g.EATEN_OUT))


def test_extinction_and_unknown_form():
    assert float(g.rate_of_spread_km_h(8.0, 21.0, 100.0)) == 0.0  # 0.684 - 0.0342 M < 0 above 20 %
    assert float(g.rate_of_spread_km_h(20.0, 12.0, 10.0)) == 0.0  # Cruz et al. (2015): no spread below 20 % curing
    with pytest.raises(ValueError):
        g.curing_factor(90.0, "mcarthur")
