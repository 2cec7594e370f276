"""Distractors and hard negatives: sounds that are not hazards but can fool a detector.

A detector trained only on hazards and quiet backgrounds learns "loud and tonal means gas
leak" or "broadband rumble means flood". Distractors break that shortcut: sirens and
evacuation alarms that sound without a hazard in the scene, road traffic and wind. They
are rendered as the **sound pressure at the microphone** (Pa), at a given equivalent level,
together with the intervals in which they actually sound (the strong labels).

:func:`render_distractor` is the one entry point::

    p, intervals = render_distractor(kind, spl_db, fs_hz, start_s, end_s, duration_s, rng,
                                     **options)

``p`` has ``round(duration_s * fs_hz)`` samples and is zero outside
``[round(start_s fs), round(end_s fs))`` (an ``end_s`` past ``duration_s`` is cut at the end of
the array). ``intervals`` lists ``(onset_s, offset_s)`` of the parts that sound, on sample
boundaries; intervals separated by gaps shorter than :data:`MERGE_GAP_S` = 0.25 s are merged
(the renderer's label rule). The **active samples** are the samples inside these intervals,
and ``spl_db`` is their equivalent continuous level, exactly: the signal is scaled so that

    L_eq = 10 lg( (1 / N_a) sum_active p^2 / p_0^2 ) = spl_db        (p_0 = 20 uPa)

Everything random is drawn from ``rng``, in a fixed order: the same generator state gives
the same array. Options are validated per kind; an unknown option or an out-of-range value
is a :class:`ValueError` that names the option and what it accepts.

Symbols (all kinds):

======== ================================================================ ============
symbol   meaning                                                          unit
======== ================================================================ ============
p        sound pressure at the microphone                                 Pa
p_0      reference sound pressure, 20e-6 (:data:`~.bands.P_REF`)          Pa
L_eq     equivalent continuous sound pressure level over active samples   dB re p_0
N_a      number of active samples                                         1
fs       sample rate                                                      Hz
t        time since the distractor's onset (``start_s``)                  s
f_m      one-third-octave band centre, 1000 * 10^(k/10)                   Hz
======== ================================================================ ============

**siren** -- emergency-vehicle / civil-defence siren, harmonic-rich, phase-continuous.

======== ================================================================ ============
f(t)     instantaneous fundamental frequency                              Hz
f_lo     lowest fundamental (option ``f_low_hz``)                         Hz
f_hi     highest fundamental (option ``f_high_hz``)                       Hz
T_s      sweep period (wail) or low+high cycle (hi_lo) (``period_s``)     s
u_0      random start of the sweep cycle, uniform in [0, 1)              1
phi(t)   phase, phi = 2 pi integral f dt (+ random phi_0)                 rad
a_k      amplitude of harmonic k, 1/k, k = 1 ... K (``n_harmonics``)      1
======== ================================================================ ============

    wail:   f(t) = f_lo + (f_hi - f_lo) (1 - cos 2 pi (t / T_s + u_0)) / 2
    hi_lo:  f(t) = f_lo if frac(t / T_s + u_0) < 1/2 else f_hi
    p(t)   ~ sum_k a_k sin(k phi(t)),   phi advanced sample by sample by 2 pi f / fs

Harmonics with k f_hi >= fs / 2 are left out (no aliasing); a 1/k series (sawtooth-like)
stands for the buzzy timbre of horn drivers and rotor sirens (a modelling choice, not a
measured spectrum). Frequency and defaults:

- *Wail* is "a slow, continuous automatic cycling of increasing and decreasing frequencies",
  *yelp* the rapid one, *hi-lo* "alternating between a fixed high and a fixed low frequency";
  a siren's frequencies (and second harmonics) lie in 100 ... 5000 Hz and it cycles at most
  400 times per minute: California Code of Regulations, Title 13, section 1021
  (casetext.com, "Section 1021 - Definitions"). An electronic wail runs for example between
  600 and 1000 Hz (Sigma Safety, "Low frequency siren systems", sigmasafety.ca), and rotor
  sirens on 50/60 Hz motors give fundamentals of about 380 ... 920 Hz (airraidsirens.net,
  "pitch data table"). Default wail: f_lo = 600 Hz, f_hi = 1500 Hz, T_s = 4 s (the period
  is not fixed by any source found: a slow sweep of several seconds; verify).
- European two-tone (hi-lo) signal, DIN 14610 "Folgetonhorn": two alternating tones a pure
  fourth apart (4:3) in 360 ... 630 Hz, usually a' - d'' (landfrauen-gueglingen.de
  "St. Martinshorn?", berlindex.de "Martinshorn"). Default hi_lo: f_lo = 440 Hz,
  f_hi = 440 * 4/3 = 586.7 Hz, T_s = 1.5 s, each tone 0.75 s (tone durations vary between
  services and are not standardised in a source found; verify).

A siren sounds continuously: one interval, ``[start, end)``.

**alarm** -- evacuation / smoke alarm in the ISO 8201 temporal-three pattern.

======== ================================================================ ============
f_a      tone frequency (option ``tone_hz``)                              Hz
t_on     pulse (on phase), 0.5                                            s
t_off    gap between pulses, 0.5                                          s
t_long   off phase after the third pulse, 1.5                             s
T_3      pattern cycle, 3 t_on + 2 t_off + t_long = 4                     s
t_r      raised-cosine ramp at each pulse edge, 2 ms (inside the pulse)   s
======== ================================================================ ============

    pulse j of cycle c sounds on [c T_3 + j (t_on + t_off), ... + t_on),  j = 0, 1, 2

ISO 8201 (via the National Building Code of Canada, Appendix A-3.2.4.18.(2),
obc.hyperlinked.ca): three on phases of 0.5 +- 0.05 s, each followed by an off phase of
0.5 +- 0.05 s, then an off phase of 1.5 +- 0.15 s; fire-alarm panel manuals give the same
"Temporal Code 3 of 0.5 s on, 0.5 s off, then 1.5 s pause" (Mircom FX-2003 manual). The
pattern starts with a pulse at ``start_s``. Tone: the integral sounders of "almost all smoke
or CO alarms" produce a 3 kHz signal (NEMA SBP 4-2015, "Low-frequency audible signals",
introduction); UL 217 requires a frequency no higher than 3.5 kHz (Kingstate, "Buzzers for
smoke alarm"). Default f_a = 3000 Hz, with harmonics 2 and 3 at relative amplitudes 0.3 and
0.15 (a piezo disc driven by a square wave; illustrative, not measured). Each pulse is one
interval; the 0.5 s and 1.5 s gaps are not merged, so the labels are the pulses.

**traffic** -- road-traffic noise: shaped Gaussian noise times a pass-by envelope.

======== ================================================================ ============
L_A(f_m) A-weighted relative band level of the traffic spectrum           dB
L_Z(f_m) unweighted relative band level, L_A - A(f_m)                     dB
A(f)     IEC 61672-1 A-weighting (:func:`~.bands.a_weighting_db`)         dB
S(f)     power spectral density given to the noise                        Pa^2 Hz-1
lambda   vehicle rate (option ``vehicles_per_minute`` / 60)               s-1
t_v      pass-by time of vehicle v (Poisson process of rate lambda)       s
a_v      intensity of vehicle v, log-normal, 4 dB standard deviation      1
tau      pass-by half-width d / v_veh (option ``passby_time_s``)          s
I_f      floor of distant traffic (option ``floor_db`` re mean pass-by)   1
I(t)     intensity envelope                                               1
======== ================================================================ ============

    I(t) = I_f + sum_v a_v / (1 + ((t - t_v) / tau)^2),     p(t) = sqrt(I(t)) n(t)

A point source passing at speed v_veh at closest distance d gives a received intensity
proportional to 1 / (d^2 + v_veh^2 (t - t_v)^2) (spherical spreading), the bell above with
tau = d / v_veh (1.5 s default: for example 20 m at 48 km/h; full width at half maximum
2 tau). Vehicles are drawn over [-20 tau, T + 20 tau] so the envelope is stationary at the
edges. I_f = 10^(floor_db / 10) lambda pi tau E[a_v] (default -10 dB).

n(t) has the A-weighted one-third-octave shape of the **normalised road-traffic noise
spectrum**: EN 1793-3:1997 ("Road traffic noise reducing devices - Part 3: Normalized
traffic noise spectrum", catalogue entry standards.iteh.ai), which is spectrum No. 2 of
ISO 717-1 (urban road traffic, the C_tr spectrum). Its table was not found in a searchable
copy of EN 1793-3; the values used are ISO 717-1:2020 Table B.1, spectrum No. 2, 50 Hz ...
5 kHz, as transcribed in ``jmrplens/phonometry`` (``src/phonometry/building/insulation.py``,
``_SPECTRUM2_50_5000``); the 100 ... 3150 Hz core agrees with ITA-Toolbox
``ita_soundInsulationIndexAirborne.m``. That EN 1793-3 gives the same 100 Hz ... 5 kHz values
is to be verified against the standard's text.

====== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ====
f_m    50   63   80   100  125  160  200  250  315  400  500  630  800  1k   1k25 1k6  2k
L_A    -25  -23  -21  -20  -20  -18  -16  -15  -14  -13  -12  -11  -9   -8   -9   -10  -11
====== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ==== ====

and 2.5 kHz -13, 3.15 kHz -15, 4 kHz -16, 5 kHz -18 dB. Outside the table (assumptions, not
from a source): below 50 Hz L_Z falls by 3 dB per band; above 5 kHz L_A keeps falling by
2 dB per band (which leaves L_Z near -21 dB per band, a 1/f tyre-noise tail). S(f) is
interpolated linearly in dB against lg f between band centres (S at a centre being the band
power over its width), and rolled off below 16 Hz.

**wind** -- gusty low-frequency broadband noise of wind **in the scene**.

======== ================================================================ ============
f_c      corner frequency of the spectrum (option ``corner_hz``)          Hz
f_hp     high-pass corner, 10                                             Hz
T_g      gust time scale (option ``gust_period_s``)                       s
sigma_g  standard deviation of the gust level (option ``gust_depth_db``)  dB
s(t)     unit-variance Gaussian process, white noise smoothed by a        1
         Gaussian kernel of standard deviation T_g / 4
======== ================================================================ ============

    S(f) ~ 1 / (1 + (f / f_c)^2) * (f / f_hp)^4 / (1 + (f / f_hp)^4)
    p(t) = 10^(sigma_g s(t) / 20) n(t)

This is the *sound* wind makes in the scene (rustling vegetation, flow around buildings and
structures), which propagates and reaches every microphone alike. It is distinct from the
microphone's own wind noise: turbulent pressure at the wind screen, pseudo-sound that is not
a sound wave (Lyons, Hart & Raspet, "As the wind blows: turbulent noise on outdoor
microphones", Acoustics Today 17(4), 2021), which the renderer adds separately from the
screen diameter and wind speed (:func:`~.propagation.wind_noise_band_levels`). The spectral
shape and the gust model are modelling assumptions: with the default f_c = 40 Hz about
85 % of the energy lies below 200 Hz; the level wanders by sigma_g = 4 dB over gusts of
T_g = 8 s.

**Shaped noise** (traffic, wind) is Gaussian noise with power spectral density S(f): the
rfft of N samples of white Gaussian noise is a set of independent complex Gaussian bins
(real at 0 and fs/2), so the bins are drawn directly (float32, one irfft of the whole
segment of ``next_fast_len(N)`` samples) and multiplied by sqrt(S(f)), the same in
distribution as transforming white noise and shaping it, at one transform instead of two.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.fft
from numba import njit
from scipy.signal import fftconvolve

from sim.render.sound.bands import BAND_CENTRES_HZ, BAND_INDEX, BAND_LOWER_HZ, BAND_UPPER_HZ, P_REF, a_weighting_db

KINDS = ("siren", "alarm", "traffic", "wind")
MERGE_GAP_S = 0.25  # gaps shorter than this between sounding intervals are merged

# -- siren ----------------------------------------------------------------------------------
SIREN_MODES = ("wail", "hi_lo")
WAIL_BAND_HZ = (600.0, 1500.0)
WAIL_PERIOD_S = 4.0
HI_LO_HZ = (440.0, 440.0 * 4.0 / 3.0)  # DIN 14610: a pure fourth in 360 ... 630 Hz
HI_LO_PERIOD_S = 1.5
SIREN_N_HARMONICS = 4
_MAX_HARMONICS = 16

# -- alarm (ISO 8201 temporal-three) ---------------------------------------------------------
T3_ON_S = 0.5
T3_OFF_S = 0.5
T3_PULSES = 3
T3_LONG_OFF_S = 1.5
T3_CYCLE_S = T3_PULSES * T3_ON_S + (T3_PULSES - 1) * T3_OFF_S + T3_LONG_OFF_S  # 4 s
ALARM_TONE_HZ = 3000.0
ALARM_HARMONICS = (1.0, 0.3, 0.15)
ALARM_RAMP_S = 0.002

# -- traffic (ISO 717-1:2020 Table B.1 spectrum No. 2 = EN 1793-3 normalised spectrum) -------
TRAFFIC_BAND_INDEX = np.arange(-13, 8)  # 50 Hz ... 5 kHz (nominal)
TRAFFIC_LEVELS_DBA = np.array([-25, -23, -21, -20, -20, -18, -16, -15, -14, -13, -12,
                               -11, -9, -8, -9, -10, -11, -13, -15, -16, -18], dtype=float)
TRAFFIC_LOW_SLOPE_DB = 3.0   # L_Z fall per band below 50 Hz (assumption)
TRAFFIC_HIGH_SLOPE_DB = 2.0  # L_A fall per band above 5 kHz (assumption)
TRAFFIC_HIGHPASS_HZ = 16.0
TRAFFIC_LEVEL_SPREAD_DB = 4.0
TRAFFIC_WINDOW_TAUS = 20.0

# -- wind ------------------------------------------------------------------------------------
WIND_HIGHPASS_HZ = 10.0

_ENV_STEP_S = 0.005  # envelope grid (traffic pass-bys, wind gusts), interpolated per sample
_GAIN_STEP_HZ = 0.5  # spectral gain grid, interpolated per bin
_TABLE_SIZE = 4096   # wavetable points per period

_DEFAULTS: dict[str, dict[str, object]] = {
    "siren": {"mode": "wail", "f_low_hz": None, "f_high_hz": None, "period_s": None,
              "n_harmonics": SIREN_N_HARMONICS},
    "alarm": {"tone_hz": ALARM_TONE_HZ},
    "traffic": {"vehicles_per_minute": 20.0, "passby_time_s": 1.5, "floor_db": -10.0},
    "wind": {"gust_period_s": 8.0, "gust_depth_db": 4.0, "corner_hz": 40.0},
}


# ============================================================================================
# public API
# ============================================================================================
def render_distractor(kind: str, spl_db: float, fs_hz: int, start_s: float, end_s: float, duration_s: float,
                      rng: np.random.Generator, **options) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Sound pressure (Pa) of one distractor at the microphone and the intervals it sounds in.

    ``kind`` is one of :data:`KINDS`; ``spl_db`` the equivalent continuous level (dB re
    20 uPa) over the sounding intervals, exact; ``fs_hz`` the sample rate; the distractor
    starts at ``start_s`` and stops at ``end_s`` (cut at ``duration_s``) within a signal of
    ``round(duration_s * fs_hz)`` samples. Options per kind (defaults in brackets):

    - ``siren``: ``mode`` ("wail" | "hi_lo") ["wail"], ``f_low_hz`` / ``f_high_hz``
      [600 / 1500 wail, 440 / 586.7 hi_lo], ``period_s`` [4 wail, 1.5 hi_lo],
      ``n_harmonics`` [4];
    - ``alarm``: ``tone_hz`` [3000];
    - ``traffic``: ``vehicles_per_minute`` [20], ``passby_time_s`` [1.5], ``floor_db`` [-10];
    - ``wind``: ``gust_period_s`` [8], ``gust_depth_db`` [4], ``corner_hz`` [40].

    Returns ``(p, intervals)``: a float64 array and a list of ``(onset_s, offset_s)``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown distractor kind {kind!r}; expected one of {', '.join(map(repr, KINDS))}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    spl = _finite("spl_db", spl_db)
    fs = _sample_rate(fs_hz)
    duration = _finite("duration_s", duration_s, low=0.0, low_open=True)
    start = _finite("start_s", start_s, low=0.0)
    end = _finite("end_s", end_s)
    if not end > start:
        raise ValueError(f"end_s = {end} must be after start_s = {start}")
    if not start < duration:
        raise ValueError(f"start_s = {start} must be before duration_s = {duration}")
    n_total = int(round(duration * fs))
    i0 = int(round(start * fs))
    i1 = min(int(round(end * fs)), n_total)
    if i1 <= i0:
        raise ValueError(f"the interval [{start}, {end}) s holds no sample at fs = {fs} Hz")
    opts = _options(kind, options)

    p = np.zeros(n_total)
    segment = p[i0:i1]
    if kind == "siren":
        energy, starts, ends = _render_siren(segment, fs, rng, opts)
    elif kind == "alarm":
        energy, starts, ends = _render_alarm(segment, fs, rng, opts)
    elif kind == "traffic":
        energy, starts, ends = _render_traffic(segment, fs, rng, opts)
    else:
        energy, starts, ends = _render_wind(segment, fs, rng, opts)

    starts, ends = merge_intervals(starts, ends, int(round(MERGE_GAP_S * fs)))
    n_active = int(np.sum(ends - starts))
    if not (energy > 0.0 and math.isfinite(energy)):
        raise ValueError(f"{kind} distractor over [{start}, {end}) s is silent; lengthen the interval")
    segment *= math.sqrt(n_active * (P_REF * 10.0 ** (spl / 20.0)) ** 2 / energy)
    intervals = [((i0 + int(s)) / fs, (i0 + int(e)) / fs) for s, e in zip(starts, ends)]
    return p, intervals


def merge_intervals(starts, ends, min_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge sorted ``[starts, ends)`` intervals (samples) separated by fewer than ``min_gap``."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if starts.size <= 1:
        return starts, ends
    keep = np.ones(starts.size, dtype=bool)
    keep[1:] = starts[1:] - ends[:-1] >= min_gap  # a new interval begins after a long enough gap
    first = np.flatnonzero(keep)
    last = np.append(first[1:] - 1, starts.size - 1)
    return starts[first], ends[last]


def traffic_band_levels_dba() -> np.ndarray:
    """Relative A-weighted level of the traffic spectrum in every band of :mod:`~.bands` (dB).

    The table (50 Hz ... 5 kHz) where it is defined, extrapolated outside it (module docstring).
    """
    centres = BAND_CENTRES_HZ
    level_a = np.empty(centres.size)
    first, last = TRAFFIC_BAND_INDEX[0], TRAFFIC_BAND_INDEX[-1]
    inside = (BAND_INDEX >= first) & (BAND_INDEX <= last)
    level_a[inside] = TRAFFIC_LEVELS_DBA
    z_first = TRAFFIC_LEVELS_DBA[0] - a_weighting_db(1000.0 * 10.0 ** (first / 10.0))
    below = BAND_INDEX < first
    level_a[below] = z_first - TRAFFIC_LOW_SLOPE_DB * (first - BAND_INDEX[below]) + a_weighting_db(centres[below])
    above = BAND_INDEX > last
    level_a[above] = TRAFFIC_LEVELS_DBA[-1] - TRAFFIC_HIGH_SLOPE_DB * (BAND_INDEX[above] - last)
    return level_a


# ============================================================================================
# option checking
# ============================================================================================
def _finite(name: str, value, low: float | None = None, high: float | None = None, low_open: bool = False,
            what: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{what}{name} must be a finite number, got {value!r}")
    value = float(value)
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{what}{name} must be {'>' if low_open else '>='} {low:g}, got {value:g}")
    if high is not None and value > high:
        raise ValueError(f"{what}{name} must be <= {high:g}, got {value:g}")
    return value


def _sample_rate(fs_hz) -> int:
    if isinstance(fs_hz, bool) or not isinstance(fs_hz, numbers.Real) or not math.isfinite(float(fs_hz)) \
            or float(fs_hz) != int(fs_hz) or int(fs_hz) <= 0:
        raise ValueError(f"fs_hz must be a positive whole number of Hz, got {fs_hz!r}")
    return int(fs_hz)


def _options(kind: str, options: dict) -> dict:
    defaults = _DEFAULTS[kind]
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(map(repr, unknown))} for distractor kind {kind!r}; "
                         f"expected: {', '.join(defaults)}")
    return {**defaults, **options}


def _option(name: str, value, **limits) -> float:
    return _finite(name, value, what="option ", **limits)


# ============================================================================================
# siren
# ============================================================================================
def _render_siren(out: np.ndarray, fs: int, rng: np.random.Generator, opts: dict):
    mode = opts["mode"]
    if mode not in SIREN_MODES:
        raise ValueError(f"option 'mode' of a siren must be one of {', '.join(map(repr, SIREN_MODES))}, got {mode!r}")
    band = WAIL_BAND_HZ if mode == "wail" else HI_LO_HZ
    f_low = _option("f_low_hz", band[0] if opts["f_low_hz"] is None else opts["f_low_hz"], low=0.0, low_open=True)
    f_high = _option("f_high_hz", band[1] if opts["f_high_hz"] is None else opts["f_high_hz"], low=0.0,
                     low_open=True)
    if not f_high > f_low:
        raise ValueError(f"option 'f_high_hz' = {f_high:g} must be above option 'f_low_hz' = {f_low:g}")
    if not f_high < fs / 2:
        raise ValueError(f"option 'f_high_hz' = {f_high:g} must be below the Nyquist frequency {fs / 2:g} Hz")
    default_period = WAIL_PERIOD_S if mode == "wail" else HI_LO_PERIOD_S
    period = _option("period_s", default_period if opts["period_s"] is None else opts["period_s"], low=0.05)
    n_harm = opts["n_harmonics"]
    if isinstance(n_harm, bool) or not isinstance(n_harm, numbers.Integral) or not 1 <= n_harm <= _MAX_HARMONICS:
        raise ValueError(f"option 'n_harmonics' must be a whole number in 1 ... {_MAX_HARMONICS}, got {n_harm!r}")
    k = np.arange(1, int(n_harm) + 1)
    k = k[k * f_high < fs / 2]  # no harmonic above the Nyquist frequency
    wave = _wavetable(k, 1.0 / k)
    u0, cyc0 = rng.random(2)
    energy = _siren_kernel(out, float(fs), 0 if mode == "wail" else 1, f_low, f_high, period, u0, cyc0, wave,
                           _COS_TABLE)
    return energy, np.array([0]), np.array([out.size])


def _wavetable(harmonics: np.ndarray, amplitudes: np.ndarray) -> np.ndarray:
    theta = np.arange(_TABLE_SIZE + 1) / _TABLE_SIZE
    return np.sum(amplitudes[:, None] * np.sin(2.0 * np.pi * harmonics[:, None] * theta), axis=0)


_COS_TABLE = np.cos(2.0 * np.pi * np.arange(_TABLE_SIZE + 1) / _TABLE_SIZE)


@njit(cache=True)
def _siren_kernel(out, fs, mode, f_low, f_high, period, u0, cyc0, wave, cos_table):
    """Write the siren into ``out``; return sum(out^2). The phase advances by f / fs a sample."""
    size = wave.size - 1
    f_mid = 0.5 * (f_low + f_high)
    half = 0.5 * (f_high - f_low)
    inv_fs = 1.0 / fs
    lfo_step = 1.0 / (period * fs)
    x = u0
    cyc = cyc0
    energy = 0.0
    for n in range(out.size):
        q = cyc * size
        i = int(q)
        v = wave[i] + (q - i) * (wave[i + 1] - wave[i])
        out[n] = v
        energy += v * v
        if mode == 0:
            q = x * size
            i = int(q)
            c = cos_table[i] + (q - i) * (cos_table[i + 1] - cos_table[i])
            f = f_mid - half * c
        else:
            f = f_low if x < 0.5 else f_high
        cyc += f * inv_fs
        if cyc >= 1.0:
            cyc -= 1.0
        x += lfo_step
        if x >= 1.0:
            x -= 1.0
    return energy


# ============================================================================================
# alarm
# ============================================================================================
def temporal_three_pulses(n: int, fs: int) -> tuple[np.ndarray, np.ndarray]:
    """``[starts, ends)`` (samples from the onset) of the ISO 8201 pulses within ``n`` samples."""
    cycles = np.arange(int(math.ceil(n / (T3_CYCLE_S * fs))) + 1)
    onsets = (cycles[:, None] * T3_CYCLE_S + np.arange(T3_PULSES)[None, :] * (T3_ON_S + T3_OFF_S)).ravel()
    starts = np.rint(onsets * fs).astype(np.int64)
    ends = np.minimum(np.rint((onsets + T3_ON_S) * fs).astype(np.int64), n)
    keep = (starts < n) & (ends > starts)
    return starts[keep], ends[keep]


def _render_alarm(out: np.ndarray, fs: int, rng: np.random.Generator, opts: dict):
    tone = _option("tone_hz", opts["tone_hz"], low=0.0, low_open=True)
    if not tone < fs / 2:
        raise ValueError(f"option 'tone_hz' = {tone:g} must be below the Nyquist frequency {fs / 2:g} Hz")
    k = np.arange(1, len(ALARM_HARMONICS) + 1)
    amplitudes = np.asarray(ALARM_HARMONICS)[k * tone < fs / 2]
    k = k[k * tone < fs / 2]
    wave = _wavetable(k, amplitudes)
    starts, ends = temporal_three_pulses(out.size, fs)
    cyc0 = rng.random()
    energy = _pulse_kernel(out, starts, ends, tone / fs, cyc0, wave, max(int(round(ALARM_RAMP_S * fs)), 1))
    return energy, starts, ends


@njit(cache=True)
def _pulse_kernel(out, starts, ends, step, cyc0, wave, ramp):
    """Gate a steady tone (phase frac(cyc0 + step n)) on the pulses with raised-cosine edges."""
    size = wave.size - 1
    energy = 0.0
    for j in range(starts.size):
        s = starts[j]
        e = ends[j]
        r = min(ramp, (e - s) // 2)
        for n in range(s, e):
            c = cyc0 + step * n
            c -= math.floor(c)
            q = c * size
            i = int(q)
            v = wave[i] + (q - i) * (wave[i + 1] - wave[i])
            edge = min(n - s, e - 1 - n)
            if edge < r:
                v *= 0.5 * (1.0 - math.cos(math.pi * (edge + 0.5) / r))
            out[n] = v
            energy += v * v
    return energy


# ============================================================================================
# shaped noise: traffic and wind
# ============================================================================================
def _shaped_noise(n: int, fs: int, density, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples (float32) of Gaussian noise with power spectral density ~ ``density(f)``."""
    n_fft = scipy.fft.next_fast_len(n, real=True)
    m = n_fft // 2 + 1
    df = fs / n_fft
    step = max(int(_GAIN_STEP_HZ / df), 1)
    nodes = np.arange(0, m + step, step) * df
    gain = np.sqrt(np.maximum(density(nodes), 0.0)).astype(np.float32)
    gain[0] = 0.0  # no DC
    spectrum = rng.standard_normal(2 * m, dtype=np.float32).view(np.complex64)
    _apply_gain(spectrum, gain, step)
    return np.fft.irfft(spectrum, n_fft)[:n]


@njit(cache=True)
def _apply_gain(spectrum, gain, step):
    """Multiply bin k by the gain interpolated linearly between grid bins 0, step, 2 step ..."""
    m = spectrum.size
    inv = 1.0 / step
    for j in range((m + step - 1) // step):
        g0 = gain[j]
        dg = (gain[j + 1] - g0) * inv
        base = j * step
        for k in range(base, min(base + step, m)):
            spectrum[k] *= g0 + (k - base) * dg


@njit(cache=True)
def _envelope_kernel(out, noise, envelope, step):
    """out = noise * envelope (linear between grid points every ``step`` samples); return sum(out^2)."""
    n = out.size
    inv = 1.0 / step
    energy = 0.0
    for j in range((n + step - 1) // step):
        e0 = envelope[j]
        de = (envelope[j + 1] - e0) * inv
        base = j * step
        for i in range(base, min(base + step, n)):
            v = noise[i] * (e0 + (i - base) * de)
            out[i] = v
            energy += v * v
    return energy


def _traffic_density(f: np.ndarray) -> np.ndarray:
    level_z = traffic_band_levels_dba() - a_weighting_db(BAND_CENTRES_HZ)
    density_db = level_z - 10.0 * np.log10(BAND_UPPER_HZ - BAND_LOWER_HZ)
    log_c = np.log10(BAND_CENTRES_HZ)
    with np.errstate(divide="ignore"):
        log_f = np.log10(np.maximum(f, 1e-3))
    out_db = np.interp(log_f, log_c, density_db)
    low = log_f < log_c[0]  # continue the slope of the first two bands below 25 Hz
    slope = (density_db[1] - density_db[0]) / (log_c[1] - log_c[0])
    out_db[low] = density_db[0] + slope * (log_f[low] - log_c[0])
    r4 = (f / TRAFFIC_HIGHPASS_HZ) ** 4
    return 10.0 ** (out_db / 10.0) * r4 / (1.0 + r4)


def _render_traffic(out: np.ndarray, fs: int, rng: np.random.Generator, opts: dict):
    rate = _option("vehicles_per_minute", opts["vehicles_per_minute"], low=0.0, low_open=True, high=6000.0) / 60.0
    tau = _option("passby_time_s", opts["passby_time_s"], low=0.1, high=600.0)
    floor_db = _option("floor_db", opts["floor_db"], low=-120.0, high=20.0)
    n = out.size
    step = max(int(round(_ENV_STEP_S * fs)), 1)
    grid = np.arange(n // step + 2) * (step / fs)
    duration = n / fs
    window = TRAFFIC_WINDOW_TAUS * tau
    n_vehicles = rng.poisson(rate * (duration + 2.0 * window))
    times = np.sort(rng.uniform(-window, duration + window, n_vehicles))
    sigma = TRAFFIC_LEVEL_SPREAD_DB * math.log(10.0) / 10.0
    strengths = np.exp(sigma * rng.standard_normal(n_vehicles))
    floor = 10.0 ** (floor_db / 10.0) * rate * math.pi * tau * math.exp(0.5 * sigma ** 2)
    intensity = _passby_intensity(grid, times, strengths, tau, floor)
    noise = _shaped_noise(n, fs, _traffic_density, rng)
    energy = _envelope_kernel(out, noise, np.sqrt(intensity), step)
    return energy, np.array([0]), np.array([n])


@njit(cache=True)
def _passby_intensity(grid, times, strengths, tau, floor):
    out = np.full(grid.size, floor)
    inv = 1.0 / tau
    for v in range(times.size):
        t_v = times[v]
        a = strengths[v]
        for j in range(grid.size):
            x = (grid[j] - t_v) * inv
            out[j] += a / (1.0 + x * x)
    return out


def _render_wind(out: np.ndarray, fs: int, rng: np.random.Generator, opts: dict):
    period = _option("gust_period_s", opts["gust_period_s"], low=0.2, high=3600.0)
    depth = _option("gust_depth_db", opts["gust_depth_db"], low=0.0, high=20.0)
    corner = _option("corner_hz", opts["corner_hz"], low=1.0, high=2000.0)
    n = out.size
    step = max(int(round(_ENV_STEP_S * fs)), 1)
    n_grid = n // step + 2
    dt = step / fs
    sigma = period / 4.0
    half = int(math.ceil(4.0 * sigma / dt))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * dt / sigma) ** 2)
    kernel /= math.sqrt(np.sum(kernel ** 2))  # unit variance for unit white noise
    gust = fftconvolve(rng.standard_normal(n_grid + 2 * half), kernel, mode="valid")
    envelope = 10.0 ** (depth * gust / 20.0)

    def density(f):
        r4 = (f / WIND_HIGHPASS_HZ) ** 4
        return 1.0 / (1.0 + (f / corner) ** 2) * r4 / (1.0 + r4)

    noise = _shaped_noise(n, fs, density, rng)
    energy = _envelope_kernel(out, noise, envelope, step)
    return energy, np.array([0]), np.array([n])
