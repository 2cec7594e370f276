"""Synthetic solar wind: Lundquist flux rope geometry, shock jumps, Kolmogorov turbulence,
reproducibility, Carrington-class finiteness and the CIR / high-speed-stream ordering."""

from __future__ import annotations

import numpy as np
import pytest

from models.geomagnetic.solar_wind import PROTON_RAM_PRESSURE_NPA, VARIABLES, gse_to_gsm
from models.geomagnetic.synthetic import (AU_KM, BOLTZMANN, LUNDQUIST_ALPHA_R, MU0, cir_stream,
                                          cloud_crossing_duration_s, cme, flux_rope_field_gse,
                                          kolmogorov_series, lundquist_field, quiet_wind)

HOUR = 3600.0
DAY = 86400.0
START = "2015-03-16T00:00"
ROPE = dict(radius_au=0.1, speed_km_s=600.0, axis_lat_deg=-90.0, axis_lon_deg=90.0, handedness=1)


def calm_background(days: float = 4.0, cadence_s: float = 300.0, seed: int = 0):
    """No turbulence, no plasma fluctuations: jumps can be read off exactly."""
    return quiet_wind(START, days * DAY, cadence_s, np.random.default_rng(seed),
                      turbulence_rms_ratio=0.0, plasma_fluctuation_ratio=0.0)


# --- Lundquist rope -----------------------------------------------------------------------

def test_lundquist_axis_and_boundary():
    axial, azimuthal = lundquist_field(np.array([0.0, 1.0]), 30.0)
    assert np.hypot(axial[0], azimuthal[0]) == pytest.approx(30.0)
    assert axial[1] == pytest.approx(0.0, abs=1e-12)
    assert azimuthal[1] > 0.0


def test_lundquist_is_force_free():
    """curl B = alpha B in cylindrical form: (1/rho) d(rho B_phi)/d rho = alpha B_z, -dB_z/d rho = alpha B_phi."""
    rho = np.linspace(0.05, 0.95, 19)
    step = 1e-6
    alpha = LUNDQUIST_ALPHA_R  # R = 1
    axial, azimuthal = lundquist_field(rho, 1.0)
    axial_plus, azimuthal_plus = lundquist_field(rho + step, 1.0)
    axial_minus, azimuthal_minus = lundquist_field(rho - step, 1.0)
    curl_z = ((rho + step) * azimuthal_plus - (rho - step) * azimuthal_minus) / (2 * step) / rho
    curl_phi = -(axial_plus - axial_minus) / (2 * step)
    np.testing.assert_allclose(curl_z, alpha * axial, atol=1e-6)
    np.testing.assert_allclose(curl_phi, alpha * azimuthal, atol=1e-6)


@pytest.mark.parametrize("impact", [0.0, 0.5])
def test_crossing_magnitude_is_symmetric(impact):
    duration = cloud_crossing_duration_s(impact=impact, **{k: v for k, v in ROPE.items() if k != "handedness"})
    times = np.linspace(0.0, duration, 201)
    field = flux_rope_field_gse(times, b0_nT=20.0, impact=impact, **ROPE)
    magnitude = np.linalg.norm(field, axis=1)
    np.testing.assert_allclose(magnitude, magnitude[::-1], rtol=1e-9)
    assert np.isnan(flux_rope_field_gse([-1.0, duration + 1.0], b0_nT=20.0, impact=impact, **ROPE)).all()


def test_south_axis_rope_gives_bz_min_minus_b0():
    b0 = 40.0
    duration = cloud_crossing_duration_s(impact=0.0, **{k: v for k, v in ROPE.items() if k != "handedness"})
    assert duration == pytest.approx(2 * 0.1 * AU_KM / 600.0)
    times = np.linspace(0.0, duration, 1001)  # odd count: the middle sample is on the axis
    field = flux_rope_field_gse(times, b0_nT=b0, impact=0.0, **ROPE)
    assert field[:, 2].min() == pytest.approx(-b0, rel=1e-12)
    assert np.argmin(field[:, 2]) == 500
    np.testing.assert_allclose(field[500], [0.0, 0.0, -b0], atol=1e-9)
    # Right-handed south axis: By runs from +Y (east) to -Y (west): an ESW cloud.
    assert field[1, 1] > 0 > field[-2, 1]
    left = flux_rope_field_gse(times, b0_nT=b0, impact=0.0, **{**ROPE, "handedness": -1})
    np.testing.assert_allclose(left[:, 1], -field[:, 1], atol=1e-12)


def test_cme_cloud_is_rope_rotated_to_gsm():
    background = calm_background()
    shock, sheath = np.datetime64("2015-03-17T00:00", "s"), 8 * HOUR
    wind = cme(background, shock, np.random.default_rng(1), cme_speed_km_s=600.0, cloud_b0_nT=40.0,
               sheath_duration_s=sheath, sheath_turbulence_ratio=0.0, cloud_radius_au=0.1)
    since_entry = (wind.time - shock) / np.timedelta64(1, "s") - sheath
    duration = 2 * 0.1 * AU_KM / 600.0
    cloud = (since_entry >= 0) & (since_entry < duration)
    expected = flux_rope_field_gse(since_entry[cloud], b0_nT=40.0, impact=0.0, **ROPE)
    by_gsm, bz_gsm = gse_to_gsm(wind.time[cloud], expected[:, 1], expected[:, 2])
    np.testing.assert_allclose(wind.bx_gsm[cloud], expected[:, 0])
    np.testing.assert_allclose(wind.by_gsm[cloud], by_gsm)
    np.testing.assert_allclose(wind.bz_gsm[cloud], bz_gsm)
    assert wind.b_total[cloud].max() == pytest.approx(40.0, rel=1e-3)  # |B| is rotation invariant
    assert wind.bz_gsm[cloud].min() < -30.0
    # Low temperature, low beta in the cloud.
    assert np.all(wind.temperature[cloud] == pytest.approx(0.3 * 1e5))
    beta = (2 * wind.density[cloud] * 1e6 * BOLTZMANN * wind.temperature[cloud]
            / ((wind.b_total[cloud] * 1e-9) ** 2 / (2 * MU0)))
    assert np.median(beta) < 0.2
    # The background resumes after the cloud.
    later = since_entry >= duration
    np.testing.assert_array_equal(wind.density[later], background.density[later])


# --- Shock ------------------------------------------------------------------------------------

@pytest.mark.parametrize("ratio", [2.0, 3.5, 4.0])
def test_shock_jumps(ratio):
    background = calm_background()
    shock = np.datetime64("2015-03-17T00:00", "s")
    wind = cme(background, shock, np.random.default_rng(2), cme_speed_km_s=900.0, compression_ratio=ratio,
               sheath_duration_s=6 * HOUR, sheath_turbulence_ratio=0.0)
    index = int(np.flatnonzero(wind.time == shock)[0])
    assert wind.density[index] / wind.density[index - 1] == pytest.approx(ratio, rel=1e-12)
    assert wind.speed[index] == pytest.approx(900.0, rel=1e-12)
    assert wind.b_total[index] / wind.b_total[index - 1] == pytest.approx(ratio, rel=1e-12)
    assert wind.temperature[index] > wind.temperature[index - 1]
    np.testing.assert_array_equal(wind.density[:index], background.density[:index])
    np.testing.assert_allclose(wind.pressure, PROTON_RAM_PRESSURE_NPA * wind.density * wind.speed**2)


def test_shock_rejects_unphysical_parameters():
    background = calm_background(days=2.0)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="compression ratio"):
        cme(background, "2015-03-17T00:00", rng, compression_ratio=4.5)
    with pytest.raises(ValueError, match="no shock"):
        cme(background, "2015-03-17T00:00", rng, cme_speed_km_s=350.0)
    with pytest.raises(ValueError, match="Sun-Earth line"):
        cme(background, "2015-03-17T00:00", rng, axis_lat_deg=0.0, axis_lon_deg=0.0)


# --- Turbulence -------------------------------------------------------------------------------

def spectral_slope(series: np.ndarray, cadence_s: float, f_low: float, f_high: float) -> float:
    """Slope of log P vs log f, periodogram averaged over the rows and over log-spaced bins."""
    power = (np.abs(np.fft.rfft(series, axis=-1)) ** 2).mean(axis=0)
    frequency = np.fft.rfftfreq(series.shape[-1], d=cadence_s)
    edges = np.geomspace(f_low, f_high, 16)
    centres, means = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        band = (frequency >= lo) & (frequency < hi)
        centres.append(np.exp(np.log(frequency[band]).mean()))
        means.append(power[band].mean())
    return float(np.polyfit(np.log(centres), np.log(means), 1)[0])


def test_quiet_wind_turbulence_spectrum_and_rms():
    cadence, b = 10.0, 5.0
    wind = quiet_wind(START, 2 * DAY, cadence, np.random.default_rng(3), b_nT=b, turbulence_rms_ratio=0.5,
                      plasma_fluctuation_ratio=0.0)
    # Parker background (away sector, 45 deg) rotated into GSM, then subtracted.
    by0, bz0 = gse_to_gsm(wind.time, np.full(len(wind), b * np.sin(np.pi / 4)), np.zeros(len(wind)))
    delta = np.stack([wind.bx_gsm + b * np.cos(np.pi / 4), wind.by_gsm - by0, wind.bz_gsm - bz0])
    assert np.sqrt(np.mean(np.sum(delta**2, axis=0))) == pytest.approx(0.5 * b, rel=1e-9)
    nyquist = 0.5 / cadence
    slope = spectral_slope(delta, cadence, 3.0 / HOUR, nyquist / 2)
    assert slope == pytest.approx(-5.0 / 3.0, abs=0.15)
    # The mean field points along the away-sector spiral (Bx_gse < 0, By_gse > 0).
    assert wind.bx_gsm.mean() < 0
    assert wind.speed.min() > 0 and wind.density.min() > 0


def test_kolmogorov_series_slope_single_component():
    cadence = 30.0
    series = kolmogorov_series(20000, cadence, np.random.default_rng(4), outer_scale_s=1800.0, n_series=1)
    assert series.std() == pytest.approx(1.0)
    assert spectral_slope(series, cadence, 3.0 / 1800.0, 0.25 / cadence) == pytest.approx(-5.0 / 3.0, abs=0.15)


def test_plasma_fluctuations_are_a_few_percent():
    wind = quiet_wind(START, 2 * DAY, 60.0, np.random.default_rng(5), plasma_fluctuation_ratio=0.03)
    assert np.std(wind.density) / np.mean(wind.density) == pytest.approx(0.03, rel=0.1)
    assert np.mean(wind.speed) == pytest.approx(400.0, rel=0.01)


# --- Reproducibility --------------------------------------------------------------------------

def scenario(seed: int):
    rng = np.random.default_rng(seed)
    background = quiet_wind(START, 5 * DAY, 300.0, rng)
    storm = cme(background, "2015-03-17T00:00", rng)
    return cir_stream(storm, "2015-03-19T12:00", rng)


def test_same_seed_is_bit_identical_and_different_seeds_differ():
    first, again, other = scenario(7), scenario(7), scenario(8)
    for name in VARIABLES:
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.bz_gsm, other.bz_gsm)
    assert not np.array_equal(first.density, other.density)
    assert not any(flags.any() for flags in first.filled.values()) and first.missing == ()


# --- Extremes ---------------------------------------------------------------------------------

def test_carrington_class_cme_is_finite():
    rng = np.random.default_rng(9)
    background = quiet_wind("1859-09-01T00:00", 3 * DAY, 60.0, rng)
    wind = cme(background, "1859-09-02T00:00", rng, cme_speed_km_s=2500.0, compression_ratio=4.0,
               cloud_b0_nT=120.0, cloud_density_cm3=20.0, sheath_duration_s=2 * HOUR)
    for name in VARIABLES:
        assert np.all(np.isfinite(getattr(wind, name))), name
    assert wind.speed.max() == pytest.approx(2500.0, rel=0.1)
    assert wind.b_total.max() >= 120.0 * 0.999
    assert wind.bz_gsm.min() < -80.0
    assert wind.pressure.max() > 100.0
    np.testing.assert_allclose(wind.pressure, PROTON_RAM_PRESSURE_NPA * wind.density * wind.speed**2)


# --- CIR / high-speed stream ------------------------------------------------------------------

def test_cir_speed_rises_and_density_peak_precedes_speed_maximum():
    rng = np.random.default_rng(10)
    background = quiet_wind(START, 6 * DAY, 300.0, rng)
    interface = np.datetime64("2015-03-18T00:00", "s")
    wind = cir_stream(background, interface, rng, fast_speed_km_s=700.0, density_compression=4.0,
                      field_compression=3.0, alfvenic_rms_nT=5.0)
    after = (wind.time - interface) / np.timedelta64(1, "s")
    slow, fast = after < -1.5 * DAY, after > 1.5 * DAY
    assert wind.speed[slow].mean() == pytest.approx(400.0, rel=0.03)
    assert wind.speed[fast].mean() == pytest.approx(700.0, rel=0.03)
    peak = np.argmax(wind.density)
    assert after[peak] < 0.0
    assert wind.density[peak] / np.median(background.density) == pytest.approx(4.0, rel=0.15)
    assert peak < np.argmax(wind.speed)
    assert wind.density[fast].mean() < wind.density[slow].mean()
    near = np.abs(after) < 3 * HOUR
    assert wind.b_total[near].mean() > 2.0 * background.b_total[slow].mean()
    # Large Alfvenic Bz fluctuations in the fast stream, beyond the background's.
    assert np.std(wind.bz_gsm[fast]) > 1.5 * np.std(background.bz_gsm[fast])
