"""The sound renderer: microphones in the scene, their recordings and strong labels.

Every ``[sound] every_s`` the renderer asks each model for its acoustic sources
(``acoustic_sources(state, t)``: points with a sound power per one-third-octave band) and
propagates them to each microphone (:mod:`sim.render.sound.propagation`): spherical
spreading, ISO 9613-1 air absorption, a reflecting ground, and the delay r / c, by which
each class's received spectrum is shifted in time. At the end it synthesises, per
microphone and per event class, Gaussian noise with that received spectrum, interpolated
in time between the reads (:mod:`sim.render.sound.synthesis`), and adds:

- the distractors declared in ``[[distractors]]`` (sirens, alarms, traffic, wind) at their
  level or at their SNR to the hazard sound at that microphone;
- wind noise at the wind screen, when ``[sound] wind_speed_m_s`` > 0;
- the microphone's self-noise (white, of the declared A-weighted level);

then applies the gain and clips at the full scale (the acoustic overload point), and writes
``audio/<mic>.wav`` (24-bit PCM, full scale = a sine at ``clip_spl_db``).

Strong labels (DCASE: ``filename onset offset event_label``) come from the ground truth,
not from the script: a hazard class is an event at a microphone while it is audible there,
i.e. in at least one band its received power is at least that of everything else steady
in that band (the other classes, wind noise and self-noise: not masked, Fletcher's
critical-band view of masking at 0 dB in-band SNR, Moore 2012 ch. 3) during a label frame.
Distractors are labelled over the intervals in which they sound. Frames are merged into
events across gaps shorter than 0.25 s.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.io.rundir import atomic_path
from sim.render.sound.bands import (BAND_CENTRES_HZ, BAND_LOWER_HZ, BAND_UPPER_HZ, P_REF, a_weighting_db,
                                    bands_below)
from sim.render.sound.config import DistractorConfig, MicrophoneConfig, SoundConfig
from sim.render.sound.synthesis import ShapedNoise
from sim.schedules import EverySecondsUntil

AUDIO_DIR = "audio"
MERGE_GAP_S = 0.25
_SOUND_STREAM = 7301  # spawn key of the sound renderer's random streams
CHUNK_S = 10.0


@dataclass
class Microphone:
    config: MicrophoneConfig
    start_s: float
    end_s: float
    n_bands: int
    times: list[float] = field(default_factory=list)
    # per read: class label -> (received band power Pa^2 (n_bands,), power-weighted distance m)
    reads: list[dict[str, tuple[np.ndarray, float]]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return sorted({label for read in self.reads for label in read})

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def position(self) -> np.ndarray:
        x, y = self.config.position_m
        return np.array([x, y, self.config.height_m])


def self_noise_band_power(level_dba: float, n_bands: int) -> np.ndarray:
    """Band mean-square pressures (Pa^2) of white noise whose A-weighted level is ``level_dba``."""
    width = (BAND_UPPER_HZ - BAND_LOWER_HZ)[:n_bands]
    weights = 10.0 ** (a_weighting_db(BAND_CENTRES_HZ[:n_bands]) / 10.0)
    density = P_REF ** 2 * 10.0 ** (level_dba / 10.0) / np.sum(width * weights)
    return density * width


def interp_rows(t: np.ndarray, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows linearly interpolated at ``t`` between the times ``x`` (ascending): zero before
    the first, the last row after the last (a class not yet heard, then its last state)."""
    k = np.clip(np.searchsorted(x, t, side="right") - 1, 0, max(len(x) - 2, 0))
    if len(x) == 1:
        out = np.repeat(rows[:1], len(t), axis=0)
    else:
        span = x[k + 1] - x[k]
        w = np.clip(np.divide(t - x[k], span, out=np.ones_like(t), where=span > 0), 0.0, 1.0)[:, None]
        out = rows[k] * (1.0 - w) + rows[k + 1] * w
    out[t < x[0]] = 0.0
    return out


def events_from_frames(active: np.ndarray, frame_s: float, t0: float, merge_gap_s: float = MERGE_GAP_S):
    """(onset, offset) intervals of the True runs of ``active``, merged across short gaps."""
    intervals = []
    k = 0
    n = active.size
    while k < n:
        if not active[k]:
            k += 1
            continue
        j = k
        while j < n and active[j]:
            j += 1
        onset, offset = t0 + k * frame_s, t0 + j * frame_s
        if intervals and onset - intervals[-1][1] < merge_gap_s:
            intervals[-1] = (intervals[-1][0], offset)
        else:
            intervals.append((onset, offset))
        k = j
    return intervals


class SoundRenderer:
    """A writer that reads the models' acoustic sources on its schedule and writes audio at close."""

    def __init__(self, run_dir: Path, models, sound: SoundConfig, microphones: list[MicrophoneConfig],
                 distractors: list[DistractorConfig], seed: int, stop_s: float) -> None:
        from sim.render.sound import propagation

        self.run_dir = Path(run_dir)
        self.models = [m for m in models if hasattr(m, "acoustic_sources")]
        self.sound = sound
        self.seed = seed
        self.stop_s = stop_s
        self.distractors = distractors
        self.mics = [Microphone(c, c.start_s, min(c.end_s or stop_s, stop_s), bands_below(c.sample_rate_hz / 2))
                     for c in microphones]
        # Sources are read only while a microphone records (one read either side, for interpolation):
        # a 2-day storm with a 10-minute recording is not stepped every half second for 2 days.
        every = sound.every_s
        first = min(m.start_s for m in self.mics)
        last = max(m.end_s for m in self.mics)
        self.schedule = EverySecondsUntil(every, start_s=max(every * math.floor(first / every) - every, 0.0),
                                          end_s=min(every * math.ceil(last / every) + every, stop_s))
        n_max = max(m.n_bands for m in self.mics)
        self.alpha = propagation.air_absorption_db_per_m(BAND_CENTRES_HZ[:n_max], sound.temperature_c,
                                                         sound.relative_humidity_pct, sound.pressure_kpa)
        self.c = float(propagation.speed_of_sound(sound.temperature_c))
        self.labels: list[tuple[str, float, float, str]] = []
        self.clipped: dict[str, float] = {}
        self.audible_s: dict[str, dict[str, float]] = {}

    def open(self, view) -> None:
        for mic in self.mics:
            mic.times.clear()
            mic.reads.clear()

    def write(self, view, t: float, peaks) -> None:
        from sim.render.sound.propagation import received_band_levels

        sources = [s for model in self.models for s in model.acoustic_sources(view, t)]
        for mic in self.mics:
            if not mic.start_s - self.sound.every_s <= t <= mic.end_s + self.sound.every_s:
                continue
            read: dict[str, tuple[np.ndarray, float]] = {}
            for source in sources:
                levels, distance = received_band_levels(source.positions_m, source.power_db[:, :mic.n_bands],
                                                        mic.position, self.alpha[:mic.n_bands], self.sound.ground)
                power = P_REF ** 2 * 10.0 ** (np.asarray(levels) / 10.0)
                if source.label in read:  # two sources of one class: energies add, the louder one sets the delay
                    previous, d = read[source.label]
                    read[source.label] = (previous + power, d if previous.sum() >= power.sum() else distance)
                else:
                    read[source.label] = (power, distance)
            mic.times.append(t)
            mic.reads.append(read)

    # -- at the end ------------------------------------------------------------------------
    def close(self, end_s: float | None = None) -> list[Path]:
        end = self.stop_s if end_s is None else end_s
        folder = self.run_dir / AUDIO_DIR
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for k, mic in enumerate(self.mics):
            files.append(self._record(k, mic, min(mic.end_s, end), folder))
        files.append(self._write_labels(folder))
        files.append(self._write_durations(folder, end))
        return files

    def _class_power(self, mic: Microphone, label: str):
        """band_power(times) of a class at the microphone, delayed by its travel time."""
        times = np.asarray(mic.times)
        power = np.array([read[label][0] if label in read else np.zeros(mic.n_bands) for read in mic.reads])
        distance = np.array([read[label][1] if label in read else np.nan for read in mic.reads])
        known = np.flatnonzero(np.isfinite(distance))  # silent reads travel like their neighbours
        distance = np.interp(np.arange(distance.size), known, distance[known])
        # The delay may shrink between reads (a source nearer the microphone); arrival times stay ordered.
        arrival = np.maximum.accumulate(times + distance / self.c)

        def at(t):
            return interp_rows(np.asarray(t, dtype=float), arrival, power)

        return at

    def _record(self, k: int, mic: Microphone, end: float, folder: Path) -> Path:
        import soundfile

        cfg = mic.config
        fs = cfg.sample_rate_hz
        n_total = max(int(round((end - mic.start_s) * fs)), 0)
        labels = mic.labels
        streams = np.random.SeedSequence(self.seed, spawn_key=(_SOUND_STREAM, k)).spawn(2)
        powers = {label: self._class_power(mic, label) for label in labels}
        steady = self_noise_band_power(cfg.self_noise_dba, mic.n_bands)
        wind = self._wind_noise(mic)
        background = steady + wind

        def heard(t):
            total = np.broadcast_to(background, (len(t), mic.n_bands)).copy()
            for label in labels:
                total += powers[label](t)
            return total

        # The classes, wind noise and self-noise are independent Gaussian noises, and a sum of
        # independent Gaussian noises is one Gaussian noise with the summed spectrum: one stream.
        noise = ShapedNoise(fs, mic.n_bands, np.random.default_rng(streams[0]), mic.start_s)
        self._label_hazards(mic, labels, powers, background, end)
        distractor_audio = self._distractors(mic, fs, n_total, labels, powers, background, end,
                                             np.random.default_rng(streams[1]))
        full_scale = P_REF * 10.0 ** (cfg.clip_spl_db / 20.0) * math.sqrt(2.0)
        gain = 10.0 ** (cfg.gain_db / 20.0)
        path = folder / f"{cfg.name}.wav"
        clipped = 0
        chunk = max(int(CHUNK_S * fs) // noise.hop, 1) * noise.hop
        with atomic_path(path) as tmp:
            with soundfile.SoundFile(tmp, "w", samplerate=fs, channels=1, subtype="PCM_24", format="WAV") as out:
                done = 0
                while done < n_total:
                    n = min(chunk, n_total - done)
                    block = noise.render(n, heard) + distractor_audio[done:done + n]
                    scaled = block * gain / full_scale
                    clipped += int(np.count_nonzero(np.abs(scaled) > 1.0))
                    out.write(np.clip(scaled, -1.0, 1.0))
                    done += n
        self.clipped[cfg.name] = clipped / n_total if n_total else 0.0
        return path

    def _wind_noise(self, mic: Microphone) -> np.ndarray:
        if self.sound.wind_speed_m_s <= 0:
            return np.zeros(mic.n_bands)
        from sim.render.sound.propagation import wind_noise_band_levels

        levels = wind_noise_band_levels(self.sound.wind_speed_m_s, mic.config.windscreen_diameter_m, mic.n_bands)
        return P_REF ** 2 * 10.0 ** (np.asarray(levels) / 10.0)

    def _label_hazards(self, mic: Microphone, labels, powers, background, end: float) -> None:
        frame = self.sound.label_frame_s
        n = max(int(math.floor((end - mic.start_s) / frame + 1e-9)), 0)  # a run stopped before the window: none
        centres = mic.start_s + (np.arange(n) + 0.5) * frame
        bands = {label: powers[label](centres) for label in labels}
        total = sum(bands.values()) if bands else np.zeros((n, mic.n_bands))
        audible = self.audible_s.setdefault(mic.name, {})
        for label in labels:
            rest = total - bands[label] + background
            active = np.any((bands[label] >= rest) & (bands[label] > 0), axis=1)
            audible[label] = float(active.sum() * frame)
            for onset, offset in events_from_frames(active, frame, mic.start_s):
                self.labels.append((f"{mic.name}.wav", onset - mic.start_s, offset - mic.start_s, label))

    def _distractors(self, mic: Microphone, fs: int, n_total: int, labels, powers, background, end: float,
                     rng: np.random.Generator) -> np.ndarray:
        from sim.render.sound.distractors import render_distractor

        audio = np.zeros(n_total)
        duration = n_total / fs
        for spec in self.distractors:
            if spec.microphones is not None and mic.name not in spec.microphones:
                continue
            start = max(spec.start_s, mic.start_s) - mic.start_s
            stop = min(spec.end_s if spec.end_s is not None else end, end) - mic.start_s
            if stop <= start:
                continue
            level = spec.spl_db if spec.spl_db is not None else \
                spec.snr_db + self._hazard_level_db(mic, labels, powers, background, start + mic.start_s,
                                                    stop + mic.start_s)
            signal, intervals = render_distractor(spec.kind, level, fs, start, stop, duration, rng, **spec.options())
            audio += signal
            for onset, offset in intervals:
                self.labels.append((f"{mic.name}.wav", onset, offset, spec.label or spec.kind))
        return audio

    def _hazard_level_db(self, mic: Microphone, labels, powers, background, t0: float, t1: float) -> float:
        """Equivalent level (dB re 20 uPa) of the hazard classes over [t0, t1), or of the background."""
        times = np.linspace(t0, t1, max(int((t1 - t0) / self.sound.label_frame_s), 2))
        mean_square = sum(float(powers[label](times).sum(axis=1).mean()) for label in labels)
        if mean_square <= 0:
            mean_square = float(background.sum())
        return 10.0 * math.log10(mean_square / P_REF ** 2)

    def _write_labels(self, folder: Path) -> Path:
        path = folder / "labels.tsv"
        rows = sorted(self.labels, key=lambda r: (r[0], r[1], r[3]))
        with atomic_path(path) as tmp:
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
                writer.writerow(["filename", "onset", "offset", "event_label"])
                for filename, onset, offset, label in rows:
                    writer.writerow([filename, f"{onset:.3f}", f"{offset:.3f}", label])
        return path

    def _write_durations(self, folder: Path, end: float) -> Path:
        path = folder / "durations.tsv"
        with atomic_path(path) as tmp:
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
                writer.writerow(["filename", "duration"])
                for mic in self.mics:
                    fs = mic.config.sample_rate_hz
                    n = max(int(round((min(mic.end_s, end) - mic.start_s) * fs)), 0)
                    writer.writerow([f"{mic.name}.wav", f"{n / fs:.6f}"])
        return path

    # -- reporting ---------------------------------------------------------------------------
    def key_outputs(self) -> dict[str, Any]:
        return {"microphones": {name: {"audible_s": dict(sorted(classes.items())),
                                       "clipped_fraction": self.clipped.get(name, 0.0)}
                                for name, classes in self.audible_s.items()}}

    def summary(self) -> list[str]:
        lines = []
        for mic in self.mics:
            heard = self.audible_s.get(mic.name, {})
            said = ", ".join(f"{label} {seconds:.0f} s" for label, seconds in sorted(heard.items()) if seconds > 0)
            lines.append(f"microphone {mic.name} ({mic.config.sample_rate_hz} Hz): {said or 'no hazard heard'}"
                         + (f", {self.clipped[mic.name]:.1%} of samples clipped" if self.clipped.get(mic.name) else ""))
        return lines
