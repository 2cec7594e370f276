"""Distractors: exact level over the sounding samples, silence outside, ISO 8201 timing,
siren band, the traffic spectrum's one-third-octave shape, reproducibility, validation."""

from __future__ import annotations

import numpy as np
import pytest

from sim.render.sound.bands import BAND_CENTRES_HZ, BAND_INDEX, BAND_LOWER_HZ, BAND_UPPER_HZ, P_REF, \
    a_weighting_db, db_sum
from sim.render.sound.distractors import (HI_LO_HZ, KINDS, T3_CYCLE_S, TRAFFIC_BAND_INDEX, TRAFFIC_LEVELS_DBA,
                                          WAIL_BAND_HZ, merge_intervals, render_distractor,
                                          traffic_band_levels_dba)

CASES = [("siren", {"mode": "wail"}), ("siren", {"mode": "hi_lo"}), ("alarm", {}), ("traffic", {}),
         ("wind", {})]
IDS = ["siren-wail", "siren-hi_lo", "alarm", "traffic", "wind"]


def active_mask(n: int, fs: int, intervals) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for onset, offset in intervals:
        mask[int(round(onset * fs)):int(round(offset * fs))] = True
    return mask


def leq_db(p: np.ndarray) -> float:
    return 10.0 * np.log10(np.mean(p ** 2) / P_REF ** 2)


@pytest.mark.parametrize(("kind", "options"), CASES, ids=IDS)
@pytest.mark.parametrize(("spl", "fs", "start", "end", "duration"),
                         [(65.0, 48000, 1.25, 13.7, 15.0), (92.5, 16000, 0.0, 6.0, 6.0)])
def test_level_is_exact_over_the_active_samples_and_zero_outside(kind, options, spl, fs, start, end, duration):
    p, intervals = render_distractor(kind, spl, fs, start, end, duration, np.random.default_rng(3), **options)
    assert p.dtype == np.float64 and p.shape == (int(round(duration * fs)),)
    mask = active_mask(p.size, fs, intervals)
    assert abs(leq_db(p[mask]) - spl) < 0.01
    assert not np.any(p[~mask])  # silent outside the sounding intervals (so outside [start, end) too)
    i0, i1 = int(round(start * fs)), int(round(end * fs))
    assert not np.any(p[:i0]) and not np.any(p[i1:])
    assert intervals[0][0] == pytest.approx(start, abs=0.5 / fs)
    assert all(i0 / fs <= a < b <= i1 / fs for a, b in intervals)
    if kind != "alarm":
        assert intervals == [(i0 / fs, i1 / fs)]
        assert np.all(p[i0:i1] != 0.0) or kind == "siren"


@pytest.mark.parametrize("fs", [16000, 44100, 48000])
def test_alarm_follows_the_iso_8201_temporal_three_pattern(fs):
    start, end = 1.3, 22.0
    p, intervals = render_distractor("alarm", 80.0, fs, start, end, 25.0, np.random.default_rng(0))
    onsets = np.array([a for a, _ in intervals])
    offsets = np.array([b for _, b in intervals])
    cycles = int(np.ceil((end - start) / T3_CYCLE_S))
    expected = np.array([start + c * T3_CYCLE_S + j * 1.0 for c in range(cycles) for j in range(3)])
    expected = expected[expected < end]
    assert onsets.size == expected.size
    one_sample = 1.0 / fs + 1e-12
    assert np.all(np.abs(onsets - expected) <= one_sample)
    durations = np.minimum(expected + 0.5, end) - expected
    assert np.all(np.abs((offsets - onsets) - durations) <= one_sample)
    gaps = onsets[1:] - offsets[:-1]
    assert np.all(np.abs(gaps - np.where(np.arange(1, onsets.size) % 3 == 0, 1.5, 0.5)) <= one_sample)
    for a, b in intervals:  # sound inside every pulse, silence between them
        pulse = p[int(round(a * fs)):int(round(b * fs))]
        assert np.count_nonzero(pulse) > 0.99 * pulse.size


def test_alarm_tone_is_about_3_khz():
    fs = 48000
    p, intervals = render_distractor("alarm", 80.0, fs, 0.0, 4.0, 4.0, np.random.default_rng(0))
    a, b = intervals[0]
    pulse = p[int(round(a * fs)):int(round(b * fs))]
    spectrum = np.abs(np.fft.rfft(pulse * np.hanning(pulse.size)))
    assert np.fft.rfftfreq(pulse.size, 1 / fs)[np.argmax(spectrum)] == pytest.approx(3000.0, abs=5.0)
    p, _ = render_distractor("alarm", 80.0, fs, 0.0, 4.0, 4.0, np.random.default_rng(0), tone_hz=3150.0)
    spectrum = np.abs(np.fft.rfft(p[:pulse.size] * np.hanning(pulse.size)))
    assert np.fft.rfftfreq(pulse.size, 1 / fs)[np.argmax(spectrum)] == pytest.approx(3150.0, abs=5.0)


def stft_peaks(p: np.ndarray, fs: int, n: int = 4096, hop: int = 1024) -> np.ndarray:
    window = np.hanning(n)
    frames = np.lib.stride_tricks.sliding_window_view(p, n)[::hop] * window
    spectra = np.abs(np.fft.rfft(frames, axis=1))
    return np.fft.rfftfreq(n, 1.0 / fs)[np.argmax(spectra, axis=1)]


@pytest.mark.parametrize(("mode", "band", "options"),
                         [("wail", WAIL_BAND_HZ, {}), ("hi_lo", HI_LO_HZ, {}),
                          ("wail", (500.0, 1800.0), {"f_low_hz": 500.0, "f_high_hz": 1800.0, "period_s": 6.0})])
def test_siren_fundamental_stays_in_its_band(mode, band, options):
    fs = 16000
    options = {"mode": mode, **options}
    p, _ = render_distractor("siren", 85.0, fs, 0.0, 20.0, 20.0, np.random.default_rng(4), **options)
    peaks = stft_peaks(p, fs)
    tol = 2 * fs / 4096
    f_low, f_high = band
    assert np.all((peaks >= f_low - tol) & (peaks <= f_high + tol))
    assert peaks.min() <= f_low + 25.0 and peaks.max() >= f_high - 25.0  # it does sweep or alternate
    if mode == "hi_lo":
        near = np.minimum(np.abs(peaks - f_low), np.abs(peaks - f_high))
        assert np.mean(near <= tol) > 0.9  # two tones, not a sweep
        assert f_high / f_low == pytest.approx(4.0 / 3.0)


def band_levels(p: np.ndarray, fs: int, indices) -> np.ndarray:
    power = np.abs(np.fft.rfft(p)) ** 2
    freqs = np.fft.rfftfreq(p.size, 1.0 / fs)
    levels = []
    for k in indices:
        b = int(np.flatnonzero(BAND_INDEX == k)[0])
        sel = (freqs >= BAND_LOWER_HZ[b]) & (freqs < BAND_UPPER_HZ[b])
        levels.append(10.0 * np.log10(power[sel].sum()))
    return np.array(levels)


def test_traffic_spectrum_matches_the_normalised_traffic_noise_spectrum():
    fs = 16000
    p, _ = render_distractor("traffic", 70.0, fs, 0.0, 240.0, 240.0, np.random.default_rng(8))
    table = TRAFFIC_LEVELS_DBA[TRAFFIC_BAND_INDEX >= -10]  # 100 Hz ... 5 kHz
    indices = np.arange(-10, 8)
    centres = BAND_CENTRES_HZ[np.isin(BAND_INDEX, indices)]
    level_a = band_levels(p, fs, indices) + a_weighting_db(centres)
    level_a += db_sum(table) - db_sum(level_a)  # relative levels, same total as the table
    assert np.all(np.abs(level_a - table) <= 1.5), np.round(level_a - table, 2)
    assert np.allclose(traffic_band_levels_dba()[np.isin(BAND_INDEX, indices)], table)


def test_traffic_level_swells_with_passing_vehicles():
    fs = 8000
    p, _ = render_distractor("traffic", 70.0, fs, 0.0, 120.0, 120.0, np.random.default_rng(2),
                             vehicles_per_minute=4.0, passby_time_s=1.5, floor_db=-15.0)
    short = 10 * np.log10(np.mean(p.reshape(-1, fs // 2) ** 2, axis=1) / P_REF ** 2)
    assert short.max() - np.percentile(short, 10) > 8.0


def test_wind_is_low_frequency_and_gusty():
    fs = 8000
    p, _ = render_distractor("wind", 60.0, fs, 0.0, 120.0, 120.0, np.random.default_rng(5))
    power = np.abs(np.fft.rfft(p)) ** 2
    freqs = np.fft.rfftfreq(p.size, 1.0 / fs)
    assert power[freqs < 200.0].sum() / power.sum() > 0.75
    levels = band_levels(p, fs, [-10, -5, 0, 5])  # 100 Hz, 316 Hz, 1 kHz, 3.2 kHz
    assert np.all(np.diff(levels) < 0)

    def level_spread(depth):
        q, _ = render_distractor("wind", 60.0, fs, 0.0, 120.0, 120.0, np.random.default_rng(5),
                                 gust_depth_db=depth)
        return np.std(10 * np.log10(np.mean(q.reshape(-1, fs) ** 2, axis=1)))

    assert level_spread(6.0) > 2.0 * level_spread(0.0)


@pytest.mark.parametrize(("kind", "options"), CASES, ids=IDS)
def test_same_generator_state_gives_the_same_signal(kind, options):
    a, ia = render_distractor(kind, 70.0, 16000, 0.5, 5.5, 6.0, np.random.default_rng(11), **options)
    b, ib = render_distractor(kind, 70.0, 16000, 0.5, 5.5, 6.0, np.random.default_rng(11), **options)
    c, _ = render_distractor(kind, 70.0, 16000, 0.5, 5.5, 6.0, np.random.default_rng(12), **options)
    assert np.array_equal(a, b) and ia == ib
    assert not np.array_equal(a, c)


def test_end_past_the_duration_is_cut_at_the_end():
    fs = 16000
    p, intervals = render_distractor("siren", 70.0, fs, 1.0, 9.0, 5.0, np.random.default_rng(0))
    assert intervals == [(1.0, 5.0)] and p.size == 5 * fs and p[-1] != 0.0
    assert abs(leq_db(p[fs:]) - 70.0) < 0.01


def test_short_gaps_are_merged():
    starts, ends = merge_intervals([0, 100, 300, 1000], [80, 200, 400, 1100], min_gap=50)
    assert starts.tolist() == [0, 300, 1000] and ends.tolist() == [200, 400, 1100]
    starts, ends = merge_intervals([0, 100], [80, 200], min_gap=20)  # a gap of exactly 20 stays
    assert starts.tolist() == [0, 100] and ends.tolist() == [80, 200]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown distractor kind 'thunder'.*'siren'"):
        render_distractor("thunder", 70.0, 16000, 0.0, 1.0, 1.0, np.random.default_rng(0))
    assert KINDS == ("siren", "alarm", "traffic", "wind")


@pytest.mark.parametrize(("kind", "options", "message"), [
    ("siren", {"mode": "yelp"}, "option 'mode'.*'wail', 'hi_lo'"),
    ("siren", {"f_high_hz": 9000.0}, "option 'f_high_hz'.*Nyquist"),
    ("siren", {"f_low_hz": 1200.0, "f_high_hz": 1000.0}, "option 'f_high_hz'.*above option 'f_low_hz'"),
    ("siren", {"n_harmonics": 0}, "option 'n_harmonics'"),
    ("siren", {"period_s": -1.0}, "option period_s must be >= 0.05"),
    ("alarm", {"tone_hz": 8000.0}, "option 'tone_hz'.*Nyquist"),
    ("alarm", {"pattern": "temporal4"}, "unknown option.*'pattern'.*expected: tone_hz"),
    ("traffic", {"vehicles_per_minute": 0.0}, "option vehicles_per_minute must be > 0"),
    ("traffic", {"passby_time_s": float("nan")}, "option passby_time_s must be a finite number"),
    ("wind", {"gust_period_s": "long"}, "option gust_period_s must be a finite number"),
    ("wind", {"gust_depth_db": -1.0}, "option gust_depth_db must be >= 0"),
])
def test_bad_options_are_refused_by_name(kind, options, message):
    with pytest.raises(ValueError, match=message):
        render_distractor(kind, 70.0, 16000, 0.0, 1.0, 1.0, np.random.default_rng(0), **options)


@pytest.mark.parametrize(("args", "message"), [
    ((70.0, 16000, 2.0, 1.0, 3.0), "end_s = 1.0 must be after start_s = 2.0"),
    ((70.0, 16000, 3.0, 4.0, 3.0), "start_s = 3.0 must be before duration_s"),
    ((70.0, 16000.5, 0.0, 1.0, 1.0), "fs_hz must be a positive whole number"),
    ((float("inf"), 16000, 0.0, 1.0, 1.0), "spl_db must be a finite number"),
    ((70.0, 16000, -1.0, 1.0, 1.0), "start_s must be >= 0"),
    ((70.0, 16000, 0.0, 1e-5, 1.0), "holds no sample"),
])
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        render_distractor("wind", *args, np.random.default_rng(0))
