"""The sound renderer: calibrated levels, synthesis, labels from the ground truth, files."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile

from sim.render.sound.bands import (BAND_CENTRES_HZ, BAND_LOWER_HZ, BAND_UPPER_HZ, N_BANDS, P_REF, AcousticSource,
                                    a_weighting_db, bands_below)
from sim.render.sound.config import DistractorConfig, MicrophoneConfig, SoundConfig
from sim.render.sound.renderer import SoundRenderer, events_from_frames, self_noise_band_power
from sim.render.sound.synthesis import ShapedNoise

KHZ1 = int(np.argmin(np.abs(BAND_CENTRES_HZ - 1000.0)))


class Emitter:
    """A model stand-in: one point at ``position`` with ``power_db`` in the bands, on in [on_s, off_s)."""

    def __init__(self, label, position, power_db, on_s=0.0, off_s=math.inf):
        self.label, self.position, self.power_db, self.on_s, self.off_s = label, position, power_db, on_s, off_s

    def acoustic_sources(self, state, t):
        if not self.on_s <= t < self.off_s:
            return []
        return [AcousticSource(self.label, [self.position], [self.power_db])]


def band_levels(x: np.ndarray, fs: int) -> np.ndarray:
    spectrum = np.abs(np.fft.rfft(x)) ** 2 * 2 / x.size ** 2
    f = np.fft.rfftfreq(x.size, 1 / fs)
    power = np.array([spectrum[(f >= lo) & (f < hi)].sum() for lo, hi in zip(BAND_LOWER_HZ, BAND_UPPER_HZ)])
    with np.errstate(divide="ignore"):
        return 10 * np.log10(power / P_REF ** 2)


def render(tmp_path, emitters, duration=6.0, mic=None, sound=None, distractors=(), seed=1):
    mic = mic or MicrophoneConfig(name="m", position_m=(0.0, 0.0), height_m=0.0, sample_rate_hz=48000,
                                  self_noise_dba=-10.0, clip_spl_db=150.0)
    sound = sound or SoundConfig(every_s=0.5, ground=0.0, temperature_c=20.0, relative_humidity_pct=50.0)
    renderer = SoundRenderer(tmp_path, emitters, sound, [mic], list(distractors), seed, duration)
    renderer.open(None)
    for t in np.arange(0.0, duration + 1e-9, sound.every_s):
        renderer.write(None, float(t), None)
    files = renderer.close(duration)
    return renderer, files


def full_scale_pa(mic: MicrophoneConfig) -> float:
    return P_REF * 10 ** (mic.clip_spl_db / 20) * math.sqrt(2)


def test_a_point_source_is_heard_at_its_free_field_level(tmp_path):
    # L_p = L_W - 10 log10(4 pi r^2) - alpha r: at 10 m and 1 kHz, 80 dB of power gives 48.99 dB
    # minus 0.05 dB of air absorption (ISO 9613-1, 20 C, 50 %: about 4.7 dB/km).
    power = np.full(N_BANDS, -np.inf)
    power[KHZ1] = 80.0
    renderer, files = render(tmp_path, [Emitter("tone_band", (10.0, 0.0, 0.0), power)])
    audio, fs = soundfile.read(tmp_path / "audio" / "m.wav")
    assert fs == 48000 and audio.size == 6 * 48000
    levels = band_levels(audio[48000:] * full_scale_pa(renderer.mics[0].config), fs)
    expected = 80.0 - 10 * math.log10(4 * math.pi * 100.0) - renderer.alpha[KHZ1] * 10.0
    assert levels[KHZ1] == pytest.approx(expected, abs=0.3)
    # Distance doubles: 6 dB less.
    renderer2, _ = render(tmp_path / "far", [Emitter("tone_band", (20.0, 0.0, 0.0), power)])
    audio2, _ = soundfile.read(tmp_path / "far" / "audio" / "m.wav")
    far = band_levels(audio2[48000:] * full_scale_pa(renderer2.mics[0].config), fs)
    assert levels[KHZ1] - far[KHZ1] == pytest.approx(6.02 + renderer.alpha[KHZ1] * 10.0, abs=0.4)


def test_self_noise_has_its_a_weighted_level():
    n = bands_below(24000)
    power = self_noise_band_power(29.0, n)
    dba = 10 * math.log10(np.sum(power * 10 ** (a_weighting_db(BAND_CENTRES_HZ[:n]) / 10)) / P_REF ** 2)
    assert dba == pytest.approx(29.0, abs=1e-9)
    # White noise: the power of a band is proportional to its width.
    width = (BAND_UPPER_HZ - BAND_LOWER_HZ)[:n]
    assert np.allclose(power / width, power[0] / width[0])


def test_shaped_noise_has_the_prescribed_band_powers_and_does_not_depend_on_blocks():
    fs, n = 48000, bands_below(24000)
    target = np.zeros(n)
    target[[10, KHZ1, 25]] = [0.5, 1.0, 0.25]

    def schedule(t):
        return np.tile(target, (len(t), 1))

    one = ShapedNoise(fs, n, np.random.default_rng(3)).render(8 * fs, schedule)
    levels = 10 ** (band_levels(one, fs) / 10) * P_REF ** 2
    for b in (10, KHZ1, 25):
        assert levels[b] == pytest.approx(target[b], rel=0.1)
    shaper = ShapedNoise(fs, n, np.random.default_rng(3))
    hop = shaper.hop
    pieces = [shaper.render(n, schedule) for n in (7 * hop, 30 * hop, 8 * fs - 37 * hop)]
    assert np.array_equal(np.concatenate(pieces), one)


def test_events_merge_short_gaps():
    active = np.array([0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0], dtype=bool)
    assert events_from_frames(active, 0.1, 0.0) == [(pytest.approx(0.1), pytest.approx(0.3)),
                                                    (pytest.approx(0.6), pytest.approx(1.0))]


def read_labels(path: Path) -> list[tuple[str, float, float, str]]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert rows[0] == ["filename", "onset", "offset", "event_label"]
    return [(r[0], float(r[1]), float(r[2]), r[3]) for r in rows[1:]]


def test_labels_follow_audibility_not_the_script(tmp_path):
    # A source switched on at 2 s and off at 5 s, 80 dB at 10 m: labelled from its arrival
    # (after 10 m / 343 m/s) to its end, to within a label frame and the read interval.
    power = np.full(N_BANDS, -np.inf)
    power[KHZ1] = 80.0
    quiet = np.full(N_BANDS, -np.inf)
    quiet[KHZ1] = -20.0  # under the microphone's self-noise: never an event
    renderer, _ = render(tmp_path, [Emitter("loud", (10.0, 0.0, 0.0), power, 2.0, 5.0),
                                    Emitter("inaudible", (10.0, 0.0, 0.0), quiet)], duration=8.0,
                         mic=MicrophoneConfig(name="m", position_m=(0.0, 0.0), height_m=0.0, self_noise_dba=20.0))
    labels = read_labels(tmp_path / "audio" / "labels.tsv")
    assert [label for *_, label in labels] == ["loud"]
    _, onset, offset, _ = labels[0]
    assert 1.5 <= onset <= 2.1 and 4.9 <= offset <= 5.6
    with open(tmp_path / "audio" / "durations.tsv", newline="") as fh:
        assert list(csv.reader(fh, delimiter="\t"))[1] == ["m.wav", "8.000000"]


def test_distractor_at_snr_and_labels_round_trip_through_sed_eval(tmp_path):
    import dcase_util
    import sed_eval

    power = np.full(N_BANDS, -np.inf)
    power[KHZ1] = 90.0
    renderer, _ = render(tmp_path, [Emitter("leak", (5.0, 0.0, 0.0), power, 1.0, 7.0)], duration=10.0,
                         distractors=[DistractorConfig(kind="alarm", start_s=2.0, end_s=8.0, snr_db=0.0)])
    labels = read_labels(tmp_path / "audio" / "labels.tsv")
    assert {label for *_, label in labels} == {"leak", "alarm"}
    events = dcase_util.containers.MetaDataContainer(
        [{"filename": f, "onset": a, "offset": b, "event_label": e} for f, a, b, e in labels])
    metric = sed_eval.sound_event.EventBasedMetrics(event_label_list=sorted({e for *_, e in labels}),
                                                    t_collar=0.2, percentage_of_length=0.2)
    metric.evaluate(reference_event_list=events, estimated_event_list=events)
    assert metric.results_overall_metrics()["f_measure"]["f_measure"] == 1.0
    segment = sed_eval.sound_event.SegmentBasedMetrics(event_label_list=sorted({e for *_, e in labels}),
                                                       time_resolution=1.0)
    segment.evaluate(reference_event_list=events, estimated_event_list=events)
    assert segment.results_overall_metrics()["f_measure"]["f_measure"] == 1.0


def test_same_seed_same_audio_and_clipping_at_full_scale(tmp_path):
    power = np.full(N_BANDS, -np.inf)
    power[KHZ1] = 150.0  # far above the overload point
    mic = MicrophoneConfig(name="m", position_m=(0.0, 0.0), height_m=0.0, clip_spl_db=100.0)
    renderer, _ = render(tmp_path / "a", [Emitter("blast", (2.0, 0.0, 0.0), power)], duration=2.0, mic=mic)
    render(tmp_path / "b", [Emitter("blast", (2.0, 0.0, 0.0), power)], duration=2.0, mic=mic)
    a = (tmp_path / "a" / "audio" / "m.wav").read_bytes()
    assert a == (tmp_path / "b" / "audio" / "m.wav").read_bytes()
    audio, _ = soundfile.read(tmp_path / "a" / "audio" / "m.wav")
    assert np.abs(audio).max() <= 1.0 and renderer.clipped["m"] > 0.1


def test_interp_rows_is_np_interp_on_every_column():
    from sim.render.sound.renderer import interp_rows

    rng = np.random.default_rng(4)
    x = np.cumsum(rng.uniform(0.1, 1.0, 20))
    rows = rng.uniform(0.0, 5.0, (20, 7))
    t = rng.uniform(x[0] - 2.0, x[-1] + 2.0, 500)
    expected = np.column_stack([np.interp(t, x, rows[:, b], left=0.0, right=rows[-1, b]) for b in range(7)])
    np.testing.assert_allclose(interp_rows(t, x, rows), expected, rtol=1e-12, atol=1e-12)
