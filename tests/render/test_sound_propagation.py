"""Sound propagation: ISO 9613-1 air absorption, spreading, ground reflection, wind noise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.render.sound import propagation_reference as ref
from sim.render.sound.bands import BAND_CENTRES_HZ, N_BANDS, P_REF, AcousticSource, bands_below
from sim.render.sound.propagation import (
    MIN_DISTANCE_M,
    air_absorption_db_per_m,
    band_absorption_db_per_m,
    received_band_levels,
    speed_of_sound,
    wind_noise_band_levels,
)

TEN_LG_2 = 10.0 * math.log10(2.0)  # 3.0103 dB
TWENTY_LG_2 = 20.0 * math.log10(2.0)  # 6.0206 dB


def exact_midband(nominal_hz):
    """ISO 9613-1 Table 1 is computed at the exact mid-band 1000 * 10^(k/10) Hz (its Note 5)."""
    k = np.round(10.0 * np.log10(np.asarray(nominal_hz, dtype=float) / 1000.0))
    return 1000.0 * 10.0 ** (k / 10.0)


# --------------------------------------------------------------------------- ISO 9613-1 Table 1

TABLE_1_NOMINAL_HZ = (50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600,
                      2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000)

# ISO 9613-1:1993 Table 1, pure-tone attenuation coefficient in dB/km at 101.325 kPa, three
# significant figures, 50 Hz ... 10 kHz (the table stops at 10 kHz). Whole columns
# (temperature deg C, relative humidity %) as transcribed in python-acoustics,
# data/absorption_coefficient.csv (used by its tests/test_atmosphere.py); the -20 deg C / 10 %
# 50 Hz cell (0.589) is also printed as a Table 1 value in the ITA-Toolbox examples and in
# jmrplens/phonometry.
TABLE_1_COLUMNS = {
    (-20.0, 10.0): (5.89e-1, 7.56e-1, 9.24e-1, 1.08, 1.20, 1.30, 1.37, 1.43, 1.46, 1.49, 1.52, 1.55,
                    1.59, 1.65, 1.74, 1.88, 2.10, 2.44, 2.99, 3.86, 5.24, 7.42, 1.09e1, 1.64e1),
    (-15.0, 30.0): (2.12e-1, 3.05e-1, 4.46e-1, 6.60e-1, 9.79e-1, 1.45, 2.10, 2.97, 4.05, 5.27, 6.52,
                    7.67, 8.65, 9.44, 1.01e1, 1.06e1, 1.10e1, 1.15e1, 1.22e1, 1.31e1, 1.46e1,
                    1.68e1, 2.03e1, 2.59e1),
    (25.0, 80.0): (4.26e-2, 6.73e-2, 1.06e-1, 1.67e-1, 2.62e-1, 4.09e-1, 6.31e-1, 9.63e-1, 1.44,
                   2.10, 2.95, 3.97, 5.12, 6.35, 7.62, 9.01, 1.07e1, 1.29e1, 1.62e1, 2.11e1, 2.88e1,
                   4.08e1, 5.98e1, 8.96e1),
}

# Single Table 1 cells (temperature deg C, relative humidity %, nominal Hz, dB/km):
# - jmrplens/phonometry, tests/references (ISO9613_1_TABLE1, "digit-exact transcription
#   against the full standard text", sub-tables -20 ... +50 deg C) and its ISO 9613-1 oracle
#   for the EN ISO 354 air correction (ISO9613_1_TABLE_1_DB_PER_KM, 20 and 25 deg C columns);
# - ITA-Toolbox (RWTH Aachen) ISO 9613-1 Table 1 examples: 20 deg C 15 % 6.3 kHz and 80 %.
TABLE_1_CELLS = [
    # phonometry ISO9613_1_TABLE1
    (-20.0, 50.0, 1000, 9.14), (-20.0, 70.0, 8000, 27.8), (-20.0, 100.0, 10000, 47.0),
    (0.0, 10.0, 50, 0.302), (0.0, 50.0, 1000, 6.83), (0.0, 20.0, 2000, 34.6),
    (0.0, 100.0, 6300, 88.0), (5.0, 50.0, 1000, 5.08), (10.0, 70.0, 1000, 3.66),
    (10.0, 50.0, 4000, 46.7), (15.0, 50.0, 1000, 4.16), (15.0, 100.0, 10000, 105.0),
    (20.0, 50.0, 1000, 4.66), (20.0, 50.0, 2000, 9.86), (25.0, 50.0, 1000, 5.68),
    (25.0, 100.0, 2000, 11.4), (30.0, 50.0, 1000, 7.03), (30.0, 50.0, 4000, 24.5),
    (35.0, 50.0, 1000, 8.43), (40.0, 50.0, 1000, 9.52), (45.0, 50.0, 800, 7.16),
    (50.0, 50.0, 2000, 24.8),
    # phonometry ISO9613_1_TABLE_1_DB_PER_KM
    (20.0, 50.0, 500, 2.73), (20.0, 50.0, 4000, 29.4),
    (20.0, 60.0, 500, 2.79), (20.0, 60.0, 1000, 4.80), (20.0, 60.0, 2000, 9.25), (20.0, 60.0, 4000, 25.4),
    (20.0, 90.0, 125, 0.272), (20.0, 90.0, 250, 0.966), (20.0, 90.0, 500, 2.71), (20.0, 90.0, 1000, 5.30),
    (20.0, 90.0, 2000, 9.06), (20.0, 90.0, 4000, 20.2),
    (25.0, 90.0, 125, 0.235), (25.0, 90.0, 250, 0.876), (25.0, 90.0, 500, 2.80), (25.0, 90.0, 1000, 6.44),
    (25.0, 90.0, 2000, 11.0), (25.0, 90.0, 4000, 20.8),
    # ITA-Toolbox examples
    (20.0, 15.0, 6300, 175.0), (20.0, 80.0, 50, 5.01e-2), (20.0, 80.0, 1000, 5.15),
    (20.0, 80.0, 10000, 105.0),
]


@pytest.mark.parametrize(("temperature_c", "humidity_pct"), list(TABLE_1_COLUMNS))
def test_iso_9613_1_table_1_columns_within_one_percent(temperature_c, humidity_pct):
    """Eq. (5) reproduces the standard's own table across 50 Hz ... 10 kHz (3-figure print)."""
    printed = np.array(TABLE_1_COLUMNS[(temperature_c, humidity_pct)])
    computed = air_absorption_db_per_m(exact_midband(TABLE_1_NOMINAL_HZ), temperature_c, humidity_pct) * 1e3
    np.testing.assert_allclose(computed, printed, rtol=0.01)


@pytest.mark.parametrize(("temperature_c", "humidity_pct", "nominal_hz", "printed"), TABLE_1_CELLS)
def test_iso_9613_1_table_1_cells_within_one_percent(temperature_c, humidity_pct, nominal_hz, printed):
    computed = float(air_absorption_db_per_m(exact_midband(nominal_hz), temperature_c, humidity_pct)) * 1e3
    assert computed == pytest.approx(printed, rel=0.01)


# ISO 9613-2:1996 Table 2, octave-band attenuation coefficients (dB/km) at 101.325 kPa, printed
# to 0.1 dB/km (three figures above 100), as transcribed in jmrplens/phonometry
# (ISO9613_2_TABLE2). Rounded, so the tolerance is half a unit of the last printed digit plus 1 %:
# the print gives 4.1 at 15 deg C / 80 % / 1 kHz where eq. (5) gives 4.15.
TABLE_2_OCTAVES_HZ = (63, 125, 250, 500, 1000, 2000, 4000, 8000)
TABLE_2 = {
    (10.0, 70.0): (0.1, 0.4, 1.0, 1.9, 3.7, 9.7, 32.8, 117.0),
    (20.0, 70.0): (0.1, 0.3, 1.1, 2.8, 5.0, 9.0, 22.9, 76.6),
    (30.0, 70.0): (0.1, 0.3, 1.0, 3.1, 7.4, 12.7, 23.1, 59.3),
    (15.0, 20.0): (0.3, 0.6, 1.2, 2.7, 8.2, 28.2, 88.8, 202.0),
    (15.0, 50.0): (0.1, 0.5, 1.2, 2.2, 4.2, 10.8, 36.2, 129.0),
    (15.0, 80.0): (0.1, 0.3, 1.1, 2.4, 4.1, 8.3, 23.7, 82.8),
}


@pytest.mark.parametrize(("temperature_c", "humidity_pct"), list(TABLE_2))
def test_iso_9613_2_table_2_within_its_rounding(temperature_c, humidity_pct):
    printed = np.array(TABLE_2[(temperature_c, humidity_pct)])
    computed = air_absorption_db_per_m(exact_midband(TABLE_2_OCTAVES_HZ), temperature_c, humidity_pct) * 1e3
    half_digit = np.where(printed >= 100.0, 0.5, 0.05)
    assert np.all(np.abs(computed - printed) <= half_digit + 0.01 * printed)


def test_air_absorption_at_the_renderer_reference_conditions():
    """20 deg C, 50 %: 1 kHz loses about 4.7 dB/km, 40 kHz about 1.3 dB/m (no table above 10 kHz).

    ISO 9613-1 Table 1 ends at 10 kHz and no published table above it was found to test the
    ultrasonic bands against; the standard's stated +-10 % range reaches f / p_a = 10 Hz/Pa.
    """
    a_1k, a_40k = air_absorption_db_per_m([1000.0, 40000.0], 20.0, 50.0)
    assert a_1k * 1e3 == pytest.approx(4.7, abs=0.05)
    assert a_40k == pytest.approx(1.3, abs=0.05)


def test_air_absorption_grows_as_f_squared_far_above_the_relaxation_frequencies():
    """Far above f_rO (35 kHz here) and f_rN only classical + rotational absorption grows, ~ f^2.

    The vibrational terms level off at a constant (about 1.9 dB/m at 20 deg C, 50 %), so the
    f^2 law is reached from below, to 1 % by 1 MHz (f / p_a = 10 Hz/Pa, the edge of the
    standard's stated range).
    """
    a = air_absorption_db_per_m([1e6, 2e6], 20.0, 50.0)
    assert a[1] / a[0] == pytest.approx(4.0, rel=0.01)
    classical = 8.686 * 1e12 * 1.84e-11  # 8.686 f^2 1.84e-11 at T_0, p_r, f = 1 MHz
    assert a[0] == pytest.approx(classical, rel=0.02)
    # across the renderer's bands absorption rises monotonically with frequency
    assert np.all(np.diff(band_absorption_db_per_m(N_BANDS)) > 0.0)


def test_humidity_moves_the_oxygen_relaxation_peak():
    """Dry air absorbs more at 4 kHz than humid air at 20 deg C (Table 1: 10 % > 90 %)."""
    dry, humid = air_absorption_db_per_m(exact_midband(4000), 20.0, [10.0, 90.0])
    assert dry > 2.0 * humid


def test_air_absorption_kernel_matches_its_numpy_twin():
    rng = np.random.default_rng(7)
    f = rng.uniform(20.0, 1e5, 500)
    t = rng.uniform(-20.0, 50.0, 500)
    h = rng.uniform(5.0, 100.0, 500)
    p = rng.uniform(60.0, 110.0, 500)
    np.testing.assert_allclose(air_absorption_db_per_m(f, t, h, p), ref.air_absorption_db_per_m(f, t, h, p),
                               rtol=1e-12)


def test_speed_of_sound_at_zero_celsius():
    assert float(speed_of_sound(0.0)) == pytest.approx(331.3, rel=1e-3)
    assert float(speed_of_sound(20.0)) == pytest.approx(343.2, rel=1e-12)


# --------------------------------------------------------------------------- propagation


def one_point(position, level_db=100.0, n_bands=N_BANDS):
    return np.atleast_2d(position).astype(float), np.full((1, n_bands), level_db)


def test_doubling_the_distance_drops_six_decibels_plus_the_absorbed_part():
    alpha = band_absorption_db_per_m(N_BANDS, 20.0, 50.0)
    mic = np.array([0.0, 0.0, 2.0])
    near = received_band_levels(*one_point([10.0, 0.0, 2.0]), mic, alpha)[0]
    far = received_band_levels(*one_point([20.0, 0.0, 2.0]), mic, alpha)[0]
    drop = near - far
    # spherical spreading alone: 20 lg 2 (alpha = 0)
    near0 = received_band_levels(*one_point([10.0, 0.0, 2.0]), mic, np.zeros(N_BANDS))[0]
    far0 = received_band_levels(*one_point([20.0, 0.0, 2.0]), mic, np.zeros(N_BANDS))[0]
    np.testing.assert_allclose(near0 - far0, TWENTY_LG_2, atol=1e-9)
    # 25 Hz: absorption is negligible, the drop is the 6.02 dB of spreading
    assert drop[0] == pytest.approx(6.02, abs=0.01)
    # the extra 10 m of air cost alpha * 10 m on top, 13 dB at 40 kHz
    i40k = int(np.argmin(np.abs(BAND_CENTRES_HZ - 40000.0)))
    assert drop[i40k] - TWENTY_LG_2 == pytest.approx(alpha[i40k] * 10.0, rel=1e-9)
    assert drop[i40k] - TWENTY_LG_2 == pytest.approx(13.2, abs=0.1)
    np.testing.assert_allclose(drop - TWENTY_LG_2, alpha * 10.0, rtol=1e-9, atol=1e-12)


def test_free_field_level_of_a_monopole():
    """L_p = L_W - 10 lg(4 pi r^2): 100 dB of power is 69.0 dB at 10 m."""
    levels, r = received_band_levels(*one_point([0.0, 0.0, 1.0]), [0.0, 10.0, 1.0], np.zeros(3))
    np.testing.assert_allclose(levels, 100.0 - 10.0 * math.log10(4.0 * math.pi * 100.0), atol=1e-9)
    assert r == pytest.approx(10.0)


def test_two_equal_sources_add_three_decibels():
    alpha = band_absorption_db_per_m(N_BANDS)
    mic = [0.0, 0.0, 1.5]
    one = received_band_levels([[30.0, 0.0, 1.0]], np.full((1, N_BANDS), 90.0), mic, alpha)[0]
    # a second, equal source at the same distance on the other side
    two = received_band_levels([[30.0, 0.0, 1.0], [-30.0, 0.0, 1.0]], np.full((2, N_BANDS), 90.0), mic, alpha)[0]
    np.testing.assert_allclose(two - one, TEN_LG_2, atol=1e-9)


def test_hard_ground_doubles_the_energy_far_away():
    """r_2 ~ r_1 far from both heights: a rigid ground (|Q|^2 = 1) adds +3.01 dB; Q2 = 0 adds nothing."""
    alpha = band_absorption_db_per_m(12)  # up to 250 Hz, absorption over 2 mm is nothing
    source, mic = [0.0, 0.0, 1.0], [1000.0, 0.0, 1.5]
    free = received_band_levels(*one_point(source, n_bands=12), mic, alpha)[0]
    hard = received_band_levels(*one_point(source, n_bands=12), mic, alpha, ground_q2=1.0)[0]
    none = received_band_levels(*one_point(source, n_bands=12), mic, alpha, ground_q2=0.0)[0]
    np.testing.assert_allclose(hard - free, TEN_LG_2, atol=1e-4)
    np.testing.assert_allclose(none, free, atol=1e-12)
    # close to the source the reflected ray is longer and weaker: less than +3 dB
    near = received_band_levels(*one_point(source, n_bands=12), [3.0, 0.0, 1.5], alpha, 1.0)[0]
    near_free = received_band_levels(*one_point(source, n_bands=12), [3.0, 0.0, 1.5], alpha)[0]
    r_1, r_2 = math.hypot(3.0, 0.5), math.hypot(3.0, 2.5)
    np.testing.assert_allclose(near - near_free, 10.0 * math.log10(1.0 + (r_1 / r_2) ** 2), atol=1e-3)


def test_swapping_source_and_microphone_gives_the_same_level():
    """Reciprocity, with and without the ground: the image path is symmetric too."""
    rng = np.random.default_rng(3)
    alpha = band_absorption_db_per_m(N_BANDS, 10.0, 70.0)
    for _ in range(20):
        a, b = rng.uniform([-50, -50, 0], [50, 50, 20], (2, 3))
        power = np.full((1, N_BANDS), 95.0)
        for q2 in (-1.0, 0.3, 1.0):
            ab = received_band_levels(a[None], power, b, alpha, q2)[0]
            ba = received_band_levels(b[None], power, a, alpha, q2)[0]
            np.testing.assert_allclose(ab, ba, atol=1e-10)


def test_distance_is_floored_in_the_near_field():
    """A point on the microphone is heard at r_min = 0.1 m, not at infinite level."""
    levels, r = received_band_levels(*one_point([1.0, 2.0, 3.0], 80.0, 4), [1.0, 2.0, 3.0], np.zeros(4))
    np.testing.assert_allclose(levels, 80.0 - 10.0 * math.log10(4.0 * math.pi * MIN_DISTANCE_M**2), atol=1e-9)
    assert r == pytest.approx(MIN_DISTANCE_M)


def test_the_delay_distance_is_that_of_the_energy_heard():
    """Equal sources at 10 m and 20 m: the nearer gives 4x the energy, r_mean = 12 m."""
    _, r = received_band_levels([[10.0, 0.0, 1.0], [-20.0, 0.0, 1.0]], np.full((2, 3), 80.0), [0.0, 0.0, 1.0],
                                np.zeros(3))
    assert r == pytest.approx(12.0, rel=1e-12)
    silent, r_silent = received_band_levels([[10.0, 0.0, 1.0], [-20.0, 0.0, 1.0]], np.full((2, 3), -np.inf),
                                            [0.0, 0.0, 1.0], np.zeros(3))
    assert np.all(np.isneginf(silent)) and r_silent == pytest.approx(15.0)


def test_a_microphone_keeps_only_its_bands():
    """An AcousticSource carries all 36 bands; a 48 kHz microphone propagates the ones below 24 kHz."""
    rng = np.random.default_rng(11)
    source = AcousticSource("flowing_water", rng.uniform(0, 30, (50, 3)), rng.uniform(30, 80, (50, N_BANDS)))
    n = bands_below(24000.0)
    alpha = band_absorption_db_per_m(n)
    kept, _ = received_band_levels(source.positions_m, source.power_db, [5.0, 5.0, 1.5], alpha, 0.5)
    every, _ = received_band_levels(source.positions_m, source.power_db, [5.0, 5.0, 1.5],
                                    band_absorption_db_per_m(N_BANDS), 0.5)
    assert kept.shape == (n,)
    np.testing.assert_allclose(kept, every[:n], atol=1e-9)


@pytest.mark.parametrize("ground_q2", [-1.0, 0.0, 0.35, 1.0])
def test_propagation_kernel_matches_its_numpy_twin(ground_q2):
    rng = np.random.default_rng(5)
    n = 300
    positions = rng.uniform([-200, -200, 0], [200, 200, 30], (n, 3))
    positions[:3] = [[0, 0, 1.5], [0.05, 0, 1.5], [0, 0, 0]]  # inside r_min, and on the ground
    power = rng.uniform(20.0, 110.0, (n, N_BANDS))
    power[rng.random((n, N_BANDS)) < 0.2] = -np.inf  # bands a point does not emit
    mic = np.array([0.0, 0.0, 1.5])
    alpha = band_absorption_db_per_m(N_BANDS, 5.0, 30.0, 95.0)
    want, r_want = ref.received_band_levels(positions, power, mic, alpha, ground_q2)
    got, r_got = received_band_levels(positions, power, mic, alpha, ground_q2)
    np.testing.assert_allclose(got, want, rtol=0.0, atol=1e-9)
    assert r_got == pytest.approx(r_want, rel=1e-12)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="positions"):
        received_band_levels(np.zeros((2, 2)), np.zeros((2, 3)), [0, 0, 0], np.zeros(3))
    with pytest.raises(ValueError, match="at most 1"):
        received_band_levels(np.zeros((1, 3)), np.zeros((1, 3)), [1, 0, 0], np.zeros(3), 1.5)


# --------------------------------------------------------------------------- wind noise


def test_wind_noise_follows_strasbergs_fit():
    """Strasberg (1988): 20 lg(p_1/3 / (rho U^2)) = -23 lg(f D / U) - 81 (van den Berg 2006, VIII.1)."""
    U, D = 10.0, 10.0 / 1000.0  # D chosen so the 1 kHz band (index 16) sits at Strouhal 1
    levels = wind_noise_band_levels(U, D, N_BANDS)
    p_1k = P_REF * 10.0 ** (levels[16] / 20.0)
    assert 20.0 * math.log10(p_1k / (1.23 * U * U)) == pytest.approx(-81.0, abs=1e-9)
    # one decade of frequency (ten one-third octaves) is 23 dB quieter
    assert levels[16] - levels[26] == pytest.approx(23.0, abs=1e-9)


def test_wind_noise_scalings_with_speed_and_windscreen_size():
    f_index = np.arange(8, 24)  # 160 Hz ... 6.3 kHz
    base = wind_noise_band_levels(8.0, 0.1, N_BANDS)[f_index]
    # at a fixed band, U^2 in pressure and U^23/20 through the Strouhal number: 63 lg(U2/U1)
    faster = wind_noise_band_levels(16.0, 0.1, N_BANDS)[f_index]
    np.testing.assert_allclose(faster - base, 63.0 * math.log10(2.0), atol=1e-9)
    # a windscreen twice as large: 23 lg 2 = 6.9 dB quieter
    larger = wind_noise_band_levels(8.0, 0.2, N_BANDS)[f_index]
    np.testing.assert_allclose(base - larger, 23.0 * math.log10(2.0), atol=1e-9)


def test_wind_noise_matches_van_den_bergs_acoustic_form():
    """L_1/3 = 40 lg U - 23 lg(f D / U) + 15 (van den Berg 2006 eq. VIII.2, rho = 1.23, rounded)."""
    U, D = 12.0, 0.05
    n = 30
    S = BAND_CENTRES_HZ[:n] * D / U
    np.testing.assert_allclose(wind_noise_band_levels(U, D, n), 40.0 * np.log10(U) - 23.0 * np.log10(S) + 15.0,
                               atol=0.25)


def test_no_wind_no_wind_noise():
    assert np.all(np.isneginf(wind_noise_band_levels(0.0, 0.1, 10)))
    with pytest.raises(ValueError):
        wind_noise_band_levels(5.0, 0.0, 10)
