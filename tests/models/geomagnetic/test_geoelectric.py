"""Plane-wave geoelectric field over a layered earth: the half-space closed form, the layer
recursion's limits, the frequency-domain E from B (amplitude, phase lead, sign convention),
a static field, the first-difference dB/dt and the storm-time magnitude (Cagniard 1953;
Wait 1962; Boteler & Pirjola 1998; NERC TPL-007)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.geomagnetic.geoelectric import (HALF_SPACE_1000_OHM_M, MU0, PROFILES, QUEBEC, TWO_LAYER_ILLUSTRATIVE,
                                            apparent_resistivity, db_dt, geoelectric_field, half_space,
                                            surface_impedance)

FREQUENCIES_HZ = np.array([1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])


def half_space_impedance(frequency_hz, resistivity_ohm_m):
    """Z = (1 + i) sqrt(omega mu0 rho / 2), written out independently of the recursion."""
    omega = 2 * np.pi * np.asarray(frequency_hz)
    return (1 + 1j) * np.sqrt(omega * 4e-7 * np.pi * resistivity_ohm_m / 2)


def sinusoid_record(frequency_hz, amplitude_nT, dt_s=10.0, days=2.0):
    t = np.arange(int(days * 86400 / dt_s)) * dt_s
    return t, amplitude_nT * np.sin(2 * np.pi * frequency_hz * t)


def middle_half(a):
    n = a.shape[-1]
    return a[..., n // 4: 3 * n // 4]


@pytest.mark.parametrize("resistivity", [1.0, 100.0, 1000.0, 20000.0])
def test_half_space_matches_closed_form_with_45_degree_phase(resistivity):
    Z = surface_impedance(FREQUENCIES_HZ, [1 / resistivity], [])
    expected = half_space_impedance(FREQUENCIES_HZ, resistivity)
    np.testing.assert_allclose(np.abs(Z), np.abs(expected), rtol=1e-12)
    np.testing.assert_allclose(np.degrees(np.angle(Z)), 45.0, atol=1e-9)
    np.testing.assert_allclose(apparent_resistivity(FREQUENCIES_HZ, Z), resistivity, rtol=1e-12)


def test_vectorised_shape_and_zero_frequency():
    f = np.array([[0.0, 1e-3], [1e-2, 0.0]])
    Z = surface_impedance(f, QUEBEC.conductivity_S_m, QUEBEC.thickness_m)
    assert Z.shape == f.shape and Z.dtype == np.complex128
    assert Z[0, 0] == 0 and Z[1, 1] == 0
    assert surface_impedance(0.0, [1e-3], []) == 0
    assert np.ndim(surface_impedance(1e-3, [1e-3], [])) == 0


def test_layer_of_half_space_conductivity_is_invisible():
    sigma = 1e-3
    layered = surface_impedance(FREQUENCIES_HZ, [sigma, sigma, sigma], [5e3, 40e3])
    np.testing.assert_allclose(layered, surface_impedance(FREQUENCIES_HZ, [sigma], []), rtol=1e-12)


def test_two_layer_matches_coth_form():
    # Z = zeta_1 coth(k_1 d + arccoth(zeta_2 / zeta_1)), the textbook form of the same recursion.
    sigma1, sigma2, d = 1e-3, 1e-1, 10e3
    f = np.array([1e-4, 1e-3, 1e-2])
    i_omega_mu0 = 1j * 2 * np.pi * f * MU0
    k1, k2 = np.sqrt(i_omega_mu0 * sigma1), np.sqrt(i_omega_mu0 * sigma2)
    zeta1, zeta2 = i_omega_mu0 / k1, i_omega_mu0 / k2
    ratio = zeta2 / zeta1
    expected = zeta1 / np.tanh(k1 * d + 0.5 * np.log((ratio + 1) / (ratio - 1)))
    np.testing.assert_allclose(surface_impedance(f, [sigma1, sigma2], [d]), expected, rtol=1e-10)


def test_thin_resistive_top_layer_limits():
    top, bottom, d = TWO_LAYER_ILLUSTRATIVE.resistivity_ohm_m + (TWO_LAYER_ILLUSTRATIVE.thickness_m[0],)
    assert (top, bottom, d) == (1000.0, 10.0, 10e3)
    sigma, thick = TWO_LAYER_ILLUSTRATIVE.conductivity_S_m, TWO_LAYER_ILLUSTRATIVE.thickness_m

    # Low frequency: skin depth in the bottom >> 10 km; the top layer adds only i omega mu0 d.
    low = np.array([1e-5, 1e-6, 1e-7, 1e-8])
    low_error = np.abs(surface_impedance(low, sigma, thick) / half_space_impedance(low, bottom) - 1)
    assert np.all(np.diff(low_error) < 0)
    assert low_error[-1] < 1e-3
    # High frequency: skin depth in the top (503 sqrt(rho/f) m = 500 m at 1 kHz) << 10 km.
    high = np.array([1.0, 10.0, 1e3])
    high_error = np.abs(surface_impedance(high, sigma, thick) / half_space_impedance(high, top) - 1)
    assert np.all(np.diff(high_error) <= 0)
    assert high_error[-1] < 1e-12


def test_quebec_profile_as_quoted_and_its_limits():
    np.testing.assert_allclose(QUEBEC.resistivity_ohm_m, [20000.0, 200.0, 1000.0, 100.0, 3.0])
    assert QUEBEC.thickness_m == (15e3, 10e3, 125e3, 200e3)
    assert set(PROFILES.values()) == {QUEBEC, HALF_SPACE_1000_OHM_M, TWO_LAYER_ILLUSTRATIVE}
    f = np.array([1e-12, 1e-3, 1e3])  # 1e-12 Hz: skin depth ~ 10^6 km >> the 350 km of layers
    Z = surface_impedance(f, QUEBEC.conductivity_S_m, QUEBEC.thickness_m)
    rho_a = apparent_resistivity(f, Z)
    assert rho_a[0] == pytest.approx(3.0, rel=0.01)       # deep half-space
    assert rho_a[2] == pytest.approx(20000.0, rel=1e-4)   # resistive shield
    assert np.all((np.angle(Z) > 0) & (np.angle(Z) < np.pi / 2))


def test_invalid_profiles_refused():
    with pytest.raises(ValueError):
        surface_impedance(1e-3, [1e-3, 1e-2], [])
    with pytest.raises(ValueError):
        surface_impedance(1e-3, [1e-3, -1e-2], [1e3])
    with pytest.raises(ValueError):
        surface_impedance(-1e-3, [1e-3], [])
    with pytest.raises(ValueError):
        geoelectric_field([0.0, np.nan], [0.0, 0.0], 1.0, [1e-3], [])


@pytest.mark.parametrize("profile", [HALF_SPACE_1000_OHM_M, QUEBEC], ids=lambda p: p.name)
def test_sinusoid_gives_impedance_amplitude_and_phase_lead(profile):
    f0, amplitude_nT = 1 / 600.0, 100.0
    t, by = sinusoid_record(f0, amplitude_nT)
    ex, ey = geoelectric_field(np.zeros_like(by), by, 10.0, profile.conductivity_S_m, profile.thickness_m)
    Z = surface_impedance(f0, profile.conductivity_S_m, profile.thickness_m)
    amplitude_V_km = abs(Z) * amplitude_nT * 1e-9 / MU0 * 1e3
    expected = amplitude_V_km * np.sin(2 * np.pi * f0 * t + np.angle(Z))  # E leads B by arg Z
    assert np.max(np.abs(middle_half(ex - expected))) < 0.01 * amplitude_V_km
    assert np.all(ey == 0.0)


def test_east_component_has_opposite_sign():
    f0 = 1 / 600.0
    _, b = sinusoid_record(f0, 50.0)
    sigma, thick = QUEBEC.conductivity_S_m, QUEBEC.thickness_m
    ex_from_by, _ = geoelectric_field(np.zeros_like(b), b, 10.0, sigma, thick)
    _, ey_from_bx = geoelectric_field(b, np.zeros_like(b), 10.0, sigma, thick)
    np.testing.assert_allclose(ey_from_bx, -ex_from_by, rtol=0, atol=1e-15)


def test_constant_and_linear_fields_give_zero_electric_field():
    n = 1000
    bx = np.full(n, 18000.0)
    by = 3.0 + 0.01 * np.arange(n)  # removed with the end-to-end line, by design
    ex, ey = geoelectric_field(bx, by, 60.0, QUEBEC.conductivity_S_m, QUEBEC.thickness_m)
    assert np.max(np.abs(ex)) < 1e-12 and np.max(np.abs(ey)) < 1e-12


def test_output_shape_and_batching():
    rng = np.random.default_rng(3)
    bx, by = rng.normal(size=(2, 3, 500)).cumsum(axis=-1)
    ex, ey = geoelectric_field(bx, by, 1.0, [1e-3], [])
    assert ex.shape == ey.shape == (3, 500)
    ex1, ey1 = geoelectric_field(bx[1], by[1], 1.0, [1e-3], [])
    np.testing.assert_allclose(ex[1], ex1, atol=1e-12)
    np.testing.assert_allclose(ey[1], ey1, atol=1e-12)


def test_db_dt_of_ramp_is_its_slope_at_interval_ends():
    dt, slope = 60.0, 8.5  # nT/s
    b = 100.0 + slope * dt * np.arange(20)
    rate = db_dt(b, dt)
    assert rate.shape == b.shape and math.isnan(rate[0])
    np.testing.assert_allclose(rate[1:], slope, rtol=1e-12)
    steps = np.array([0.0, 0.0, 6.0, 6.0])
    np.testing.assert_array_equal(db_dt(steps, 2.0)[1:], [0.0, 3.0, 0.0])  # jump in [t1, t2] stamped at t2


def test_storm_time_magnitude_of_order_one_volt_per_km():
    # 500 nT/min peak rate as a 5-min sinusoid: A omega = 8.33 nT/s. Over 1000 ohm m,
    # |E| = A omega / sqrt(omega mu0 sigma) = 8.33e-9 / sqrt(2.094e-2 * 1.2566e-9) V/m = 1.62 V/km.
    period_s, peak_rate_nT_s = 300.0, 500.0 / 60.0
    omega = 2 * np.pi / period_s
    amplitude_nT = peak_rate_nT_s / omega
    closed_form_V_km = peak_rate_nT_s * 1e-9 / math.sqrt(omega * 4e-7 * math.pi / 1000.0) * 1e3
    assert closed_form_V_km == pytest.approx(1.62, abs=0.01)

    _, by = sinusoid_record(1 / period_s, amplitude_nT, dt_s=5.0, days=1.0)
    assert np.nanmax(np.abs(db_dt(by, 5.0))) * 60 == pytest.approx(500.0, rel=0.01)
    ex, _ = geoelectric_field(np.zeros_like(by), by, 5.0, HALF_SPACE_1000_OHM_M.conductivity_S_m, ())
    peak = np.max(np.abs(middle_half(ex)))
    assert peak == pytest.approx(closed_form_V_km, rel=0.01)
    assert 0.5 < peak < 5.0


def test_half_space_factory():
    earth = half_space(250.0)
    assert earth.conductivity_S_m == (1 / 250.0,) and earth.thickness_m == ()
