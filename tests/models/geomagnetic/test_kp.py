"""Kp from the solar wind (Newell et al. 2008): the kernel against a NumPy twin, the response to
speed and IMF orientation, the viscous-only northward case, clipping to [0, 9], missing drivers,
rounding to thirds and the alignment of the 3-hour means on UT boundaries."""

from __future__ import annotations

import numpy as np
import pytest

from models.geomagnetic.kp import (KP_MAX, NEWELL_A, NEWELL_B, NEWELL_C, kp_from_solar_wind, reported_kp,
                                   three_hour_means)
from models.geomagnetic.reference import kp_reference as kp_twin
from models.geomagnetic.ring_current import newell_coupling

# The coefficients as quoted from Newell et al. (2008), written out independently of the module.
A, B, C = 0.05, 2.244e-4, 2.844e-6


def test_worked_values_of_the_module_notes():
    # Hand-computed from Kp = a + b V^4/3 B_T^2/3 sin^8/3(theta/2) + c n^1/2 V^2, not from the module:
    # quiet northward wind: viscous term only, 0.05 + 2.844e-6 sqrt(5) 350^2 = 0.829.
    assert kp_from_solar_wind(350.0, 0.0, 3.0, 5.0) == pytest.approx(0.829, abs=1e-3)
    # due south 5 nT at 400 km/s, n = 5: 0.05 + 2.244e-4 * 400^(4/3) * 5^(2/3) + 2.844e-6 sqrt(5) 400^2 = 3.0
    assert kp_from_solar_wind(400.0, 0.0, -5.0, 5.0) == pytest.approx(
        0.05 + 2.244e-4 * 400.0 ** (4 / 3) * 5.0 ** (2 / 3) + 2.844e-6 * 5.0**0.5 * 400.0**2, rel=1e-12)
    assert kp_from_solar_wind(600.0, 0.0, -10.0, 10.0) == pytest.approx(8.6, abs=0.05)


def test_kernel_matches_numpy_twin():
    rng = np.random.default_rng(2008)
    n = 2000
    speed = rng.uniform(250.0, 1000.0, n)
    by = rng.normal(0.0, 8.0, n)
    bz = rng.normal(-1.0, 8.0, n)
    density = rng.lognormal(1.5, 0.7, n)
    by[:5], bz[:5] = 0.0, [3.0, -3.0, 0.0, 1e-9, -1e-9]   # due north, due south, B_T = 0, tiny
    kp = kp_from_solar_wind(speed, by, bz, density)
    assert kp.shape == (n,) and kp.dtype == np.float64
    np.testing.assert_allclose(kp, kp_twin(speed, by, bz, density), rtol=1e-12, atol=1e-12)
    assert 0.0 < kp.min() and kp.max() <= 9.0
    assert (kp == 9.0).any() and (kp < 3.0).any()  # the sample spans quiet to saturated


def test_missing_or_unphysical_drivers_give_nan_and_scalars_broadcast():
    kp = kp_from_solar_wind([400.0, np.nan, 400.0, 400.0, -400.0, 400.0, np.inf],
                            [0.0, 0.0, np.nan, 0.0, 0.0, 0.0, 0.0],
                            [-5.0, -5.0, -5.0, -5.0, -5.0, np.nan, -5.0],
                            [5.0, 5.0, 5.0, -1.0, 5.0, 5.0, 5.0])
    assert np.isfinite(kp[0])
    assert np.isnan(kp[1:]).all()
    assert kp_from_solar_wind(400.0, 0.0, -5.0, 5.0).shape == (1,)
    np.testing.assert_array_equal(kp_from_solar_wind([400.0, 500.0], 0.0, -5.0, 5.0),
                                  kp_from_solar_wind([400.0, 500.0], [0.0, 0.0], [-5.0, -5.0], [5.0, 5.0]))


def test_kp_rises_with_speed():
    speed = np.linspace(250.0, 700.0, 46)
    for bz in (-4.0, 2.0):  # southward (both terms grow) and northward with a By (viscous + merging)
        kp = kp_from_solar_wind(speed, np.full_like(speed, 1.0), np.full_like(speed, bz), np.full_like(speed, 3.0))
        assert np.all(np.diff(kp) > 0), bz


def test_kp_rises_as_the_imf_turns_south():
    # Fixed |B_T| = 6 nT, clock angle 0 (north) -> 180 deg (south): merging grows as sin^{8/3}.
    clock = np.radians(np.linspace(0.0, 180.0, 37))
    kp = kp_from_solar_wind(np.full(37, 450.0), 6.0 * np.sin(clock), 6.0 * np.cos(clock), np.full(37, 4.0))
    assert np.all(np.diff(kp) > 0)
    # Stronger southward field with B_y = 0, below saturation: strictly rising.
    bz = -np.linspace(0.0, 8.0, 17)
    kp = kp_from_solar_wind(np.full(17, 400.0), np.zeros(17), bz, np.full(17, 4.0))
    assert np.all(np.diff(kp) > 0) and kp[-1] < KP_MAX


@pytest.mark.parametrize("speed,bz,density", [(300.0, 0.5, 2.0), (400.0, 5.0, 4.0), (650.0, 20.0, 15.0)])
def test_northward_imf_leaves_only_the_viscous_term(speed, bz, density):
    kp = kp_from_solar_wind(speed, 0.0, bz, density)[0]
    assert kp == pytest.approx(A + C * np.sqrt(density) * speed**2, rel=1e-14)
    # And with no IMF at all the merging term also vanishes.
    assert kp_from_solar_wind(speed, 0.0, 0.0, density)[0] == pytest.approx(kp, rel=1e-14)


def test_physical_scale():
    # Quiet slow wind, northward IMF: Kp 0+ to 1-.
    assert 0.5 < kp_from_solar_wind(350.0, 0.0, 3.0, 5.0)[0] < 1.2
    # Slow wind with a moderately southward IMF: unsettled to active (Kp 2 to 4).
    assert 2.0 < kp_from_solar_wind(400.0, 3.0, -3.0, 5.0)[0] < 4.0
    # No wind at all: the intercept.
    assert kp_from_solar_wind(0.0, 0.0, -5.0, 5.0)[0] == pytest.approx(A)


def test_carrington_class_input_is_clipped_to_nine():
    # Carrington-like (Tsurutani et al. 2003 scale): V 2000 km/s, B_z -100 nT, n 50 cm-3.
    unclipped = A + B * newell_coupling(2000.0, 0.0, -100.0) + C * np.sqrt(50.0) * 2000.0**2
    assert unclipped > 100.0
    assert kp_from_solar_wind(2000.0, 0.0, -100.0, 50.0)[0] == 9.0
    assert kp_from_solar_wind(2500.0, 40.0, -120.0, 100.0)[0] == 9.0


def test_reported_kp_rounds_to_thirds():
    kp = reported_kp([0.0, 0.16, 0.17, 1.9, 2.2, 2.6, 8.7, 8.9, 12.0, np.nan])
    np.testing.assert_allclose(kp[:-1], [0.0, 0.0, 1 / 3, 2.0, 7 / 3, 8 / 3, 26 / 3, 9.0, 9.0])
    assert np.isnan(kp[-1])
    thirds = 3 * reported_kp(np.random.default_rng(1).uniform(0, 9, 100))
    np.testing.assert_allclose(thirds, np.round(thirds), atol=1e-12)


def test_three_hour_means_align_on_ut_boundaries():
    # Hourly samples from 2023-04-01T01:00 to 2023-04-02T01:00 (25 hours), value = hour index.
    time = np.datetime64("2023-04-01T01:00", "s") + np.arange(25) * np.timedelta64(3600, "s")
    values = np.arange(25, dtype=np.float64)
    start, mean, count = three_hour_means(time, values)
    assert start.dtype == np.dtype("datetime64[s]")
    assert start[0] == np.datetime64("2023-04-01T00:00") and start[-1] == np.datetime64("2023-04-02T00:00")
    assert np.all(np.diff(start) == np.timedelta64(3, "h"))
    # 00-03 holds 01, 02 (first interval partial); 03-06 holds 03, 04, 05 (indices 2, 3, 4) ...
    np.testing.assert_array_equal(count, [2, 3, 3, 3, 3, 3, 3, 3, 2])
    np.testing.assert_allclose(mean[:3], [0.5, 3.0, 6.0])
    assert mean[-1] == pytest.approx(23.5)  # 2023-04-02 00:00 and 01:00


def test_three_hour_means_count_only_finite_values_and_leave_empty_intervals_nan():
    time = np.datetime64("2023-04-01T00:00", "s") + np.arange(12) * np.timedelta64(3600, "s")
    values = np.array([1.0, np.nan, 3.0, np.nan, np.nan, np.nan, 2.0, 2.0, 2.0, 4.0, np.inf, 5.0])
    start, mean, count = three_hour_means(time, values)
    np.testing.assert_array_equal(count, [2, 0, 3, 2])
    assert mean[0] == 2.0 and np.isnan(mean[1]) and mean[2] == 2.0 and mean[3] == 4.5


def test_three_hour_means_other_cadences_and_units():
    # 30-min samples given in minutes; an interval ends at 02:59:59, the 03:00 sample starts the next.
    time = np.datetime64("2023-04-01T02:00", "m") + np.arange(4) * np.timedelta64(30, "m")
    start, mean, count = three_hour_means(time, [1.0, 1.0, 5.0, 5.0])
    np.testing.assert_array_equal(start, np.array(["2023-04-01T00:00", "2023-04-01T03:00"], dtype="datetime64[s]"))
    np.testing.assert_array_equal(count, [2, 2])
    np.testing.assert_array_equal(mean, [1.0, 5.0])
    # Before 1970 (negative epoch seconds) the boundaries are still 00, 03, ... UT.
    around_epoch = np.array(["1969-12-31T23:00", "1970-01-01T00:00"], dtype="datetime64[s]")
    start, _, _ = three_hour_means(around_epoch, [1.0, 2.0])
    np.testing.assert_array_equal(start, np.array(["1969-12-31T21:00", "1970-01-01T00:00"], dtype="datetime64[s]"))


def test_three_hour_means_rejects_mismatched_input():
    time = np.array(["2023-04-01T00:00"], dtype="datetime64[s]")
    with pytest.raises(ValueError, match="same length"):
        three_hour_means(time, [1.0, 2.0])
