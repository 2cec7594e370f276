"""Britter-McQuaid workbook correlations: transcription, continuity, limits, similarity."""

import math

import numpy as np
import pytest

from models.gas_dispersion import britter_mcquaid as bm

# The workbook fits as printed segment by segment in CCPS (1999) / TSCREEN (1994): for each
# concentration ratio, (alpha_low, alpha_high, slope, intercept) with beta = slope alpha + intercept.
CCPS_PLUME = {
    0.1: [(-0.55, -0.14, 0.24, 1.88), (-0.14, 1.0, -0.50, 1.78)],
    0.05: [(-0.68, -0.29, 0.36, 2.16), (-0.29, -0.18, 0.0, 2.06), (-0.18, 1.0, -0.56, 1.96)],
    0.02: [(-0.69, -0.31, 0.45, 2.39), (-0.31, -0.16, 0.0, 2.25), (-0.16, 1.0, -0.54, 2.16)],
    0.01: [(-0.70, -0.29, 0.49, 2.59), (-0.29, -0.20, 0.0, 2.45), (-0.20, 1.0, -0.52, 2.35)],
    0.005: [(-0.67, -0.28, 0.59, 2.80), (-0.28, -0.15, 0.0, 2.63), (-0.15, 1.0, -0.49, 2.56)],
    0.002: [(-0.69, -0.25, 0.39, 2.87), (-0.25, -0.13, 0.0, 2.77), (-0.13, 1.0, -0.50, 2.71)],
}
CCPS_PLUME_FLAT = {0.1: 1.75, 0.05: 1.92, 0.02: 2.08, 0.01: 2.25, 0.005: 2.40, 0.002: 2.60}
CCPS_PUFF = {
    0.1: [(-0.44, 0.43, 0.26, 0.81), (0.43, 1.0, 0.0, 0.93)],
    0.05: [(-0.56, 0.31, 0.26, 1.00), (0.31, 1.0, -0.12, 1.12)],
    0.02: [(-0.66, 0.32, 0.36, 1.19), (0.32, 1.0, -0.26, 1.38)],
    0.01: [(-0.71, 0.37, 0.34, 1.39), (0.37, 1.0, -0.38, 1.66)],
    0.005: [(-0.52, 0.24, 0.26, 1.62), (0.24, 1.0, -0.30, 1.75)],
    0.002: [(0.27, 1.0, -0.32, 1.92)],
    0.001: [(-0.10, 1.0, -0.27, 2.05)],
}
CCPS_PUFF_FLAT = {0.1: 0.70, 0.05: 0.85, 0.02: 0.95, 0.01: 1.15, 0.005: 1.48, 0.002: 1.83, 0.001: 2.075}


@pytest.mark.parametrize("kind, table, flat", [
    (bm.CONTINUOUS, CCPS_PLUME, CCPS_PLUME_FLAT), (bm.INSTANTANEOUS, CCPS_PUFF, CCPS_PUFF_FLAT)])
def test_curves_reproduce_the_printed_fits(kind, table, flat):
    for ratio, segments in table.items():
        lo = segments[0][0]
        for a in (lo - 0.3, lo - 0.01):
            assert bm.curve_beta(kind, a, ratio) == pytest.approx(flat[ratio], abs=0.006)
        for a0, a1, slope, intercept in segments:
            for a in np.linspace(a0, a1, 7):
                # the segment ends of the printed fits disagree by up to 0.008 in beta
                assert bm.curve_beta(kind, a, ratio) == pytest.approx(slope * a + intercept, abs=0.01)


@pytest.mark.parametrize("kind", [bm.CONTINUOUS, bm.INSTANTANEOUS])
@pytest.mark.parametrize("a", [-0.9, -0.5, -0.2, 0.0, 0.3, 0.6, 1.0])
def test_ratio_at_the_curve_nodes(kind, a):
    curves = bm.PLUME_CURVES if kind == bm.CONTINUOUS else bm.PUFF_CURVES
    for ratio in curves:
        xs = 10.0 ** bm.curve_beta(kind, a, ratio)
        assert bm.concentration_ratio(kind, a, xs) == pytest.approx(ratio, rel=1e-9)


@pytest.mark.parametrize("kind", [bm.CONTINUOUS, bm.INSTANTANEOUS])
@pytest.mark.parametrize("a", [-1.2, -0.6, -0.25, 0.1, 0.5, 0.95])
def test_continuous_and_decreasing_with_distance(kind, a):
    xs = np.geomspace(1e-2, 1e5, 20001)
    c = bm.concentration_ratio(kind, a, xs)
    assert c[0] == pytest.approx(1.0, abs=1e-3) and np.all(c <= 1.0)
    assert np.all(np.diff(c) <= 0.0)
    # no jump anywhere: neighbouring points 0.07 % apart differ by < 1 %
    assert np.max(np.abs(np.diff(np.log(c)))) < 0.01
    # across every region boundary
    beta, _ = bm.nodes(kind, a)
    for edge in (bm._near_field_end(kind, beta[0]), 10.0 ** beta[-1]):
        left, right = bm.concentration_ratio(kind, a, [edge * (1 - 1e-9), edge * (1 + 1e-9)])
        assert left == pytest.approx(right, rel=1e-6)


def test_passive_limit_of_the_plume():
    """Below the first break point the plume curves are flat in beta: C_m/C_0 x'^2 is then
    about constant (306, the workbook's passive near-field constant) and beyond the last curve
    the ratio decays as x'^-2."""
    a = -1.0
    for ratio in bm.PLUME_CURVES:
        xs = 10.0 ** bm.curve_beta(bm.CONTINUOUS, a, ratio)
        assert ratio * xs * xs == pytest.approx(306.0, rel=0.15)
    far = np.array([1e3, 1e4])
    c = bm.concentration_ratio(bm.CONTINUOUS, 0.4, far)
    assert c[0] / c[1] == pytest.approx(100.0, rel=1e-9)
    assert bm.region(bm.CONTINUOUS, 0.4, far).tolist() == [2, 2]
    # moderate buoyancy (alpha ~ -0.3) carries a given concentration further than the passive
    # limit; strong buoyancy (alpha -> 1) spreads the plume sideways and brings it back in
    xs = np.array([150.0, 300.0])
    passive = bm.concentration_ratio(bm.CONTINUOUS, -0.8, xs)
    assert np.all(bm.concentration_ratio(bm.CONTINUOUS, -0.3, xs) > 1.4 * passive)
    assert np.all(bm.concentration_ratio(bm.CONTINUOUS, 1.0, xs) < passive)


@pytest.mark.parametrize("kind", [bm.CONTINUOUS, bm.INSTANTANEOUS])
def test_dimensionally_consistent_under_froude_scaling(kind):
    """Lengths x lambda, speeds x sqrt(lambda), g0' fixed: alpha unchanged, same C at scaled x."""
    lam = 37.0
    rho_g, rho_a = 2.5, 1.2
    release = 3.0 if kind == bm.CONTINUOUS else 500.0
    small = bm.BritterMcQuaid(kind, release, 2.0, rho_g, rho_a)
    scale = lam**2.5 if kind == bm.CONTINUOUS else lam**3
    big = bm.BritterMcQuaid(kind, release * scale, 2.0 * math.sqrt(lam), rho_g, rho_a)
    assert big.alpha == pytest.approx(small.alpha, abs=1e-12)
    assert big.length == pytest.approx(lam * small.length, rel=1e-12)
    x = np.geomspace(1.0, 1e4, 50)
    np.testing.assert_allclose(big.ratio(lam * x), small.ratio(x), rtol=1e-12)
    assert big.dense == small.dense


def test_distance_to_inverts_ratio_and_mass_concentration():
    plume = bm.BritterMcQuaid(bm.CONTINUOUS, 20.0, 3.0, 3.2, 1.2, source_mass_concentration=3.2)
    for r in (0.2, 0.05, 0.01, 0.003, 1e-4):
        x = plume.distance_to(r)
        assert plume.ratio(x) == pytest.approx(r, rel=1e-9)
    assert plume.mass_concentration(100.0) == pytest.approx(3.2 * plume.ratio(100.0))


def test_non_isothermal_correction():
    c = np.array([0.0, 0.01, 0.1, 1.0])
    np.testing.assert_allclose(bm.non_isothermal(c, 290.0, 290.0), c)
    cold = bm.non_isothermal(c, 111.0, 290.0)
    assert cold[0] == 0.0 and cold[-1] == 1.0 and np.all(cold[1:3] > c[1:3])
    # a small fraction of source gas warmed from 111 K to 290 K: its volume grows by 290/111
    assert cold[1] == pytest.approx(0.01 * 290.0 / 111.0 / (1 + 0.01 * (290.0 / 111.0 - 1)), rel=1e-12)


def test_plume_dimensions_close_the_volume_balance():
    plume = bm.BritterMcQuaid(bm.CONTINUOUS, 50.0, 4.0, 2.5, 1.2)
    lb = plume.buoyancy_length
    assert lb == pytest.approx(plume.g0 * 50.0 / 64.0)
    assert plume.half_width(0.0) == pytest.approx(plume.length + 8 * lb)
    assert plume.upwind_extent() == pytest.approx(0.5 * plume.length + 2 * lb)
    x = np.array([50.0, 400.0])
    flux = 2 * plume.half_width(x) * plume.depth(x) * 4.0 * plume.ratio(x)
    np.testing.assert_allclose(flux, 50.0, rtol=1e-12)
    puff = bm.BritterMcQuaid(bm.INSTANTANEOUS, 2000.0, 2.4, 2.0, 1.2)
    r0 = (3 * 2000.0 / (4 * math.pi)) ** (1 / 3)
    assert puff.puff_radius(0.0) == pytest.approx(r0)
    assert puff.puff_radius(60.0) ** 2 - r0**2 == pytest.approx(1.2 * math.sqrt(puff.g0 * 2000.0) * 60.0)
    assert puff.puff_centre(10.0) == pytest.approx(0.4 * 2.4 * 10.0)


def test_criteria_and_release_mode():
    # Thorney-Island-like puff: 2000 m3, g0' ~ 6.8 m/s2, 2.4 m/s: strongly dense
    assert bm.is_dense(bm.INSTANTANEOUS, 6.8, 2000.0, 2.4)
    assert not bm.is_dense(bm.INSTANTANEOUS, 0.01, 1.0, 8.0)
    g0, q0, u = 1.0, 1.0, 5.0
    n = (g0 * q0 / (u**3 * math.sqrt(q0 / u))) ** (1 / 3)   # (L_b / D)^(1/3), dimensionless
    assert bm.density_number(bm.CONTINUOUS, g0, q0, u) == pytest.approx(n)
    assert bm.is_dense(bm.CONTINUOUS, g0, q0, u) == (n >= 0.15)
    assert bm.density_number(bm.CONTINUOUS, g0, q0, u, source_diameter=2.0) == pytest.approx(
        (g0 * q0 / (u**3 * 2.0)) ** (1 / 3))
    assert bm.release_mode(5.0, 100.0, 100.0) == "continuous"
    assert bm.release_mode(5.0, 10.0, 100.0) == "instantaneous"
    assert bm.release_mode(5.0, 30.0, 100.0) == "intermediate"
    x = np.array([50.0, 300.0, 2000.0])
    mid = bm.intermediate_ratio(10.0, 60.0, 3.0, 2.5, 1.2, x)
    plume = bm.BritterMcQuaid(bm.CONTINUOUS, 10.0, 3.0, 2.5, 1.2).ratio(x)
    puff = bm.BritterMcQuaid(bm.INSTANTANEOUS, 600.0, 3.0, 2.5, 1.2).ratio(x)
    assert mid[0] == plume[0] and mid[2] == puff[2] and mid[1] == min(plume[1], puff[1])


def test_bad_input_raises():
    with pytest.raises(ValueError, match="source_density"):
        bm.BritterMcQuaid(bm.CONTINUOUS, 1.0, 3.0, 1.0, 1.2)      # lighter than air
    with pytest.raises(ValueError, match="alpha"):
        bm.BritterMcQuaid(bm.CONTINUOUS, 1e4, 0.5, 6.0, 1.2)      # alpha > 1, beyond the fits
    with pytest.raises(ValueError, match="kind"):
        bm.length_scale("puff", 1.0, 1.0)
    with pytest.raises(ValueError, match="x_scaled"):
        bm.concentration_ratio(bm.CONTINUOUS, 0.0, [-1.0])
    with pytest.raises(ValueError, match="ratio"):
        bm.BritterMcQuaid(bm.CONTINUOUS, 1.0, 3.0, 2.0, 1.2).distance_to(1.5)
    with pytest.raises(ValueError, match="kind"):
        bm.BritterMcQuaid(bm.CONTINUOUS, 1.0, 3.0, 2.0, 1.2).puff_radius(1.0)
