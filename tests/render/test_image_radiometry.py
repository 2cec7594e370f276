"""Image radiometry: Planck band radiance, thermal camera, optical gas imaging, smoke, visibility."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import minimize_scalar

from sim.render.images import radiometry as rad
from sim.render.images import radiometry_reference as ref
from sim.render.images.radiometry import (
    LWIR,
    MWIR,
    OGI_METHANE,
    Band,
    band_radiance,
    brightness_temperature,
    emissivity_of,
    ogi_radiance,
    ogi_sigma,
    smoke_optical_depth,
    smoke_radiance,
    smoke_transmittance,
    spectral_radiance,
    thermal_radiance,
    visibility_distance,
)

CAMERA_BANDS = (LWIR, MWIR, OGI_METHANE)
LWIR_EDGES = (LWIR.lambda_min_m, LWIR.lambda_max_m)
METHANE_SIGMA = ogi_sigma("methane")
RNG = np.random.default_rng(20240611)


def quad_band_radiance(T, band):
    """Adaptive quadrature of Planck's B_lambda over the band."""
    value, _ = quad(lambda lam: float(spectral_radiance(lam, T)), band.lambda_min_m, band.lambda_max_m,
                    epsabs=0.0, epsrel=1e-13, limit=200)
    return value


# --------------------------------------------------------------------------- constants, Planck


def test_constants_are_codata_2018():
    assert rad.C2 == pytest.approx(1.438776877e-2, rel=1e-9)
    assert rad.C1L == pytest.approx(1.191042972e-16, rel=1e-9)
    assert rad.SIGMA_SB == pytest.approx(5.670374419e-8, rel=1e-9)


@pytest.mark.parametrize("band", CAMERA_BANDS, ids=lambda b: b.name)
@pytest.mark.parametrize("T", [300.0, 500.0, 1000.0])
def test_blackbody_plate_renders_quadrature_band_radiance(T, band):
    plate = np.full((8, 8), T)
    L = thermal_radiance(plate, emissivity=1.0, path_transmittance=1.0, band=band)
    assert L.shape == plate.shape
    assert np.all(L == L[0, 0])
    # Far inside the 1 % of the renderer goals: the series is exact to rounding.
    assert L[0, 0] == pytest.approx(quad_band_radiance(T, band), rel=1e-9)


@pytest.mark.parametrize("band", CAMERA_BANDS, ids=lambda b: b.name)
@pytest.mark.parametrize("T", [300.0, 500.0, 1000.0])
def test_blackbody_plate_brightness_temperature_is_its_temperature(T, band):
    plate = np.full((8, 8), T)
    T_b = brightness_temperature(thermal_radiance(plate, band=band), band)
    np.testing.assert_allclose(T_b, T, rtol=0.0, atol=1e-9)


@pytest.mark.parametrize("T", [300.0, 1000.0, 5772.0])
def test_wien_displacement_of_the_spectral_peak(T):
    b = rad.WIEN_B
    peak = minimize_scalar(lambda lam_um: -float(spectral_radiance(lam_um * 1e-6, T)),
                           bounds=(0.5 * b / T * 1e6, 2.0 * b / T * 1e6), method="bounded",
                           options={"xatol": 1e-10})
    assert peak.x * 1e-6 * T == pytest.approx(b, rel=1e-6)


@pytest.mark.parametrize("T", [200.0, 300.0, 1000.0, 2000.0])
def test_band_over_whole_spectrum_approaches_stefan_boltzmann(T):
    L = float(band_radiance(T, (0.1e-6, 1000e-6)))
    assert L == pytest.approx(rad.SIGMA_SB * T**4 / math.pi, rel=1e-3)


def test_tail_integral_series_meet_at_the_switch_and_match_quadrature():
    x_switch = rad.SERIES_SWITCH_X
    assert rad.G(np.nextafter(x_switch, 0.0)) == pytest.approx(rad.G(x_switch), rel=1e-14)
    for x in (1e-3, 0.3, 1.5, 1.999, 2.0, 2.5, 7.0, 30.0, 200.0):
        exact, _ = quad(lambda t: t**3 * math.exp(-t) / -math.expm1(-t), x, np.inf, epsabs=0.0, epsrel=1e-13,
                        limit=500)
        assert rad.G(x) == pytest.approx(exact, rel=1e-12)
    assert rad.G(0.0) == pytest.approx(math.pi**4 / 15.0, rel=1e-15)


@pytest.mark.parametrize("band", CAMERA_BANDS, ids=lambda b: b.name)
def test_brightness_temperature_round_trip_200_to_2000_K(band):
    T = np.linspace(200.0, 2000.0, 3601)
    T_b = brightness_temperature(band_radiance(T, band), band)
    assert np.max(np.abs(T_b - T)) < 1e-6


def test_brightness_temperature_of_no_radiance_is_zero_and_of_negative_nan():
    T_b = brightness_temperature([0.0, -1.0], LWIR)
    assert T_b[0] == 0.0 and np.isnan(T_b[1])


# --------------------------------------------------------------------------- thermal camera


def test_unit_emissivity_and_transmittance_give_the_surface_temperature():
    T_s = RNG.uniform(250.0, 900.0, (16, 16))
    sky = RNG.uniform(0.0, 40.0, (16, 16))
    T_a = RNG.uniform(250.0, 320.0, (16, 16))
    L = thermal_radiance(T_s, 1.0, sky, 1.0, T_a)
    assert np.array_equal(L, band_radiance(T_s))  # the sky and the air drop out exactly
    np.testing.assert_allclose(brightness_temperature(L), T_s, rtol=0.0, atol=1e-9)


def test_a_perfect_mirror_shows_the_sky_and_an_opaque_path_the_air():
    sky = band_radiance(230.0)
    assert thermal_radiance(400.0, 0.0, sky, 1.0, 290.0) == pytest.approx(sky, rel=1e-15)
    assert thermal_radiance(400.0, 0.95, sky, 0.0, 290.0) == pytest.approx(band_radiance(290.0), rel=1e-15)


def test_lower_emissivity_reads_colder_under_a_cold_sky():
    T_b = brightness_temperature(thermal_radiance(300.0, [1.0, 0.98, 0.90], band_radiance(240.0), 1.0, 290.0))
    assert T_b[0] == pytest.approx(300.0, abs=1e-9) and T_b[0] > T_b[1] > T_b[2]


def test_default_emissivities_are_physical():
    assert rad.EMISSIVITY_LWIR["water"] == 0.98
    assert all(0.0 < e <= 1.0 for e in rad.EMISSIVITY_LWIR.values())
    eps = emissivity_of([[True, False, False]], [[True, True, False]])
    np.testing.assert_array_equal(eps, [[0.98, 0.93, 0.96]])  # water wins over a building


# --------------------------------------------------------------------------- optical gas imaging


def test_methane_absorption_coefficient_and_invisible_gases():
    assert METHANE_SIGMA == pytest.approx(1.24e-4, rel=0.01)
    assert 0.5 < rad.methane_band_fraction(1e4 / 3.4, 1e4 / 3.2) < 1.0
    assert ogi_sigma("chlorine") == 0.0
    with pytest.raises(KeyError):
        ogi_sigma("propane")


def test_zero_column_returns_the_background_bitwise():
    L_bg = band_radiance(RNG.uniform(260.0, 700.0, (32, 32)), OGI_METHANE)
    T_g = RNG.uniform(250.0, 320.0, (32, 32))
    L = ogi_radiance(L_bg, np.zeros((32, 32)), METHANE_SIGMA, T_g)
    assert L.tobytes() == L_bg.tobytes()


def test_large_column_returns_the_gas_blackbody():
    T_g = np.array([250.0, 290.0, 330.0])
    L = ogi_radiance(band_radiance(400.0, OGI_METHANE), 1e8, METHANE_SIGMA, T_g)
    np.testing.assert_allclose(L, band_radiance(T_g, OGI_METHANE), rtol=1e-14)


def test_gas_at_the_background_brightness_temperature_is_invisible():
    L_bg = band_radiance(np.array([270.0, 300.0, 330.0]), OGI_METHANE)
    T_g = brightness_temperature(L_bg, OGI_METHANE)
    for CL in (1.0, 1e3, 1e4, 1e5, 1e9):
        np.testing.assert_allclose(ogi_radiance(L_bg, CL, METHANE_SIGMA, T_g), L_bg, rtol=1e-12)


def test_cold_gas_on_warm_background_darkens_with_column():
    L_bg = band_radiance(310.0, OGI_METHANE)
    L = ogi_radiance(L_bg, [0.0, 100.0, 1000.0, 10000.0], METHANE_SIGMA, 290.0)
    assert np.all(np.diff(L) < 0.0)
    # Optically thin: 1 - tau_g = sigma CL to first order.
    expected = L_bg + METHANE_SIGMA * 100.0 * (band_radiance(290.0, OGI_METHANE) - L_bg)
    assert L[1] == pytest.approx(expected, rel=1e-4)


# --------------------------------------------------------------------------- smoke


@pytest.mark.parametrize("case", ["axis", "oblique", "inside_stopped"])
def test_uniform_medium_with_kappa_L_one_transmits_e_to_the_minus_one(case):
    kappa = np.full((10, 10, 10), 0.5)  # 2 m cube of kappa = 0.5 m-1 from (0, 0, 0)
    spacing = (0.2, 0.2, 0.2)
    if case == "axis":  # through 2 m
        o, d, t_max = [[0.7, 1.1, -3.0]], [[0.0, 0.0, 1.0]], np.inf
    elif case == "oblique":  # in through the x = 0 face at A, out through the x = 2 face at B
        A, B = np.array([0.0, 0.3, 0.2]), np.array([2.0, 1.1, 1.7])
        kappa[:] = 1.0 / np.linalg.norm(B - A)
        o, d, t_max = [A - 3.0 * (B - A)], [B - A], np.inf
    else:  # starts inside, stops after 2 m
        o, d, t_max = [[0.05, 0.05, 0.05]], [[1.0, 1.0, 1.0]], 2.0
    T_r = smoke_transmittance(kappa, (0.0, 0.0, 0.0), spacing, o, d, t_max)
    assert T_r[0] == pytest.approx(math.exp(-1.0), abs=1e-12)


def test_two_half_slabs_multiply():
    kappa = RNG.uniform(0.0, 2.0, (8, 6, 5))
    lower, upper = kappa.copy(), kappa.copy()
    lower[4:] = 0.0
    upper[:4] = 0.0
    o = np.column_stack([RNG.uniform(0.0, 5.0, 50), RNG.uniform(0.0, 6.0, 50), np.full(50, -1.0)])
    d = np.column_stack([RNG.normal(0.0, 0.3, 50), RNG.normal(0.0, 0.3, 50), np.ones(50)])
    args = ((0.0, 0.0, 0.0), (1.0, 1.0, 0.5), o, d)
    whole = smoke_transmittance(kappa, *args)
    np.testing.assert_allclose(whole, smoke_transmittance(lower, *args) * smoke_transmittance(upper, *args),
                               rtol=1e-12)
    # Halves of kappa L = 1/2 each: e^-1/2 twice.
    slab = np.full((2, 1, 1), 1.0)
    halves = [slab * [[[1.0]], [[0.0]]], slab * [[[0.0]], [[1.0]]]]
    T_half = [smoke_transmittance(s, (0, 0, 0), (1, 1, 0.5), [[0.5, 0.5, -1.0]], [[0, 0, 1.0]])[0] for s in halves]
    assert T_half[0] == pytest.approx(math.exp(-0.5), abs=1e-14) and T_half[0] * T_half[1] == pytest.approx(
        math.exp(-1.0), abs=1e-14)


def test_rays_missing_the_grid_see_clear_air():
    kappa = np.ones((3, 3, 3))
    o = [[5.0, 5.0, 5.0], [-1.0, 0.5, 0.5], [0.5, 0.5, 0.5]]
    d = [[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    tau = smoke_optical_depth(kappa, (0, 0, 0), (1, 1, 1), o, d, [np.inf, np.inf, 0.0])
    assert np.array_equal(tau, [0.0, 0.0, 0.0])


def test_smoke_radiance_blends_background_and_smoke():
    out = smoke_radiance([1.0, 0.0, 0.25], 10.0, 2.0)
    np.testing.assert_allclose(out, [10.0, 2.0, 4.0], rtol=1e-15)


def test_visibility_of_signs_through_smoke():
    kappa = np.array([0.5, 1.0, 0.0])
    np.testing.assert_array_equal(visibility_distance(kappa), [6.0, 3.0, np.inf])
    np.testing.assert_array_equal(visibility_distance(kappa, light_emitting=True), [16.0, 8.0, np.inf])
    assert float(rad.extinction_coefficient(1e-4)) == pytest.approx(0.87, rel=1e-12)


# --------------------------------------------------------------------------- NumPy twins


@pytest.mark.parametrize("band", CAMERA_BANDS + (Band("wide", 0.1e-6, 1000e-6),), ids=lambda b: b.name)
def test_twin_band_radiance(band):
    T = np.geomspace(150.0, 5000.0, 500)
    np.testing.assert_allclose(band_radiance(T, band), ref.band_radiance(T, band.lambda_min_m, band.lambda_max_m),
                               rtol=1e-10)


@pytest.mark.parametrize("band", CAMERA_BANDS, ids=lambda b: b.name)
def test_twin_brightness_temperature(band):
    L = band_radiance(np.linspace(200.0, 2000.0, 37), band) * RNG.uniform(0.5, 2.0, 37)
    np.testing.assert_allclose(brightness_temperature(L, band),
                               ref.brightness_temperature(L, band.lambda_min_m, band.lambda_max_m), rtol=1e-10)


def test_twin_thermal_radiance():
    n = 400
    T_s, eps, sky = RNG.uniform(250.0, 1200.0, n), RNG.uniform(0.8, 1.0, n), RNG.uniform(0.0, 40.0, n)
    tau_a, T_a = RNG.uniform(0.5, 1.0, n), RNG.uniform(250.0, 320.0, n)
    np.testing.assert_allclose(thermal_radiance(T_s, eps, sky, tau_a, T_a),
                               ref.thermal_radiance(T_s, eps, sky, tau_a, T_a, *LWIR_EDGES), rtol=1e-10)



def test_twin_ogi_radiance():
    n = 400
    CL, T_g = RNG.uniform(0.0, 2e4, n), RNG.uniform(250.0, 330.0, n)
    L_bg = band_radiance(RNG.uniform(260.0, 340.0, n), OGI_METHANE)
    np.testing.assert_allclose(ogi_radiance(L_bg, CL, METHANE_SIGMA, T_g),
                               ref.ogi_radiance(L_bg, CL, METHANE_SIGMA, T_g, OGI_METHANE.lambda_min_m,
                                                OGI_METHANE.lambda_max_m), rtol=1e-10)


def test_twin_smoke_optical_depth():
    kappa = RNG.uniform(0.0, 3.0, (7, 5, 6))
    origin, spacing = (0.3, -0.4, 1.0), (0.25, 0.4, 0.3)
    o = RNG.uniform(-1.0, 3.5, (300, 3))
    d = RNG.normal(size=(300, 3))
    d[:40, :2] = 0.0  # axis-parallel rays
    t_max = RNG.uniform(0.0, 6.0, 300)
    for stop in (np.inf, t_max):
        tau = smoke_optical_depth(kappa, origin, spacing, o, d, stop)
        twin = ref.optical_depth(kappa, origin, spacing, o, d, stop)
        assert np.count_nonzero(twin) > 30
        np.testing.assert_allclose(tau, twin, rtol=1e-10, atol=1e-300)
