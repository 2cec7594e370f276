"""Sound of a crowd: voices, screams and footsteps.

Three sources, each a set of points with a one-third-octave sound power spectrum
(:class:`sim.render.sound.bands.AcousticSource`), read from the crowd's per-agent fields
(``agent_x``, ``agent_y``, ``agent_speed``, ``agent_compression``; NaN in empty slots) and
its cell field ``crowd_density``. The density is diagnostic, so the caller must have the model
diagnose it at t first (the simulation's ``sync()`` does). Nobody present: no source.

Voices (``crowd_voices``)
-------------------------
One talker. The band levels of speech at 1 m in front of the mouth, in free field, are the
standard speech spectrum levels U_i (dB re 20 uPa in a 1 Hz band) of ANSI S3.5-1997 (Speech
Intelligibility Index), Table 3, for the four vocal efforts normal, raised, loud and shout,
one-third octaves 160 Hz ... 8 kHz (nothing is emitted outside them). The band level is the
spectrum level plus ten times the log of the band width, here the width of the IEC 61260-1
base-10 band (0.2305 f_m; ANSI's 0.2316 f_m differs by 0.02 dB):

    L_p,i(1 m) = U_i + 10 log10(f_upper - f_lower)

Their energetic sums are 62.3, 68.3, 74.8 and 82.3 dB (unweighted), 59.2, 66.3, 73.8 and
82.2 dB(A): the normal, raised, loud and shouted speech levels at 1 m of ISO 9921:2003 (60,
66, 72 and 78 dB(A) in 6 dB steps) within 2 dB up to loud; the ANSI shout is about 4 dB
louder than ISO's "shouting" and is used as tabulated. The levels are long-term rms levels
of running speech; a talker's sound power follows as that of a point source radiating
spherically in free field,

    L_W = L_p(r) + 20 log10(r / 1 m) + 11 dB       (10 log10(4 pi) = 10.99 dB; r = 1 m)

band by band (the directivity of mouth and head is neglected; the levels are on axis): 71.0, 77.0, 83.5
and 93.3 dB re 1 pW in total.

How much each person talks. In a crowd not everyone talks at once: people in conversation
take turns and others are silent. Each person radiates the talker's power times a talking
share s (the fraction of time spent talking, a time average), rising with effort:
0.2 (normal), 0.25 (raised), 0.3 (loud), 0.35 (shout): a modelling choice (pairs and
groups in conversation, one talker at a time, some silent walkers; more calling out as the
crowd packs).

Vocal effort and density. People raise their voices in noise (the Lombard effect): speech
level rises by about 0.5 dB per dB of background noise above some 45 dB(A) (Lazarus 1986,
"Prediction of verbal communication in noise - a review", Appl. Acoust. 19:439; the basis of
the vocal-effort rule of ISO 9921). The babble of a crowd grows with its density, so the
effort is set from the local ``crowd_density`` rho at the person (modelling choice, a
stepwise stand-in for the Lombard feedback):

    rho < 1 p/m2: normal;  1-3: raised;  3-5: loud;  >= 5: shout (where crushing begins)

Screams (``crowd_screams``)
---------------------------
A person whose ``agent_compression`` exceeds the model's ``injury_threshold_n_m`` (HFV's
1600 N/m) screams instead of talking: the ANSI S3.5 shout at its full level (93.3 dB re
1 pW), with its spectrum shifted up one octave (three bands: the 800 Hz-1 kHz peak of
shouted speech moves to 1.6-2 kHz; screams are higher pitched and rougher than speech,
Arnal et al. 2015, Curr. Biol. 25:2051), total power kept, and a share s = 0.5 of the time
(breathing in between). Shift and share are modelling choices. The separate label marks the
hazard in the strong labels.

Footsteps (``footsteps``)
-------------------------
Each walking person radiates the sound of footfalls on hard ground:

    W = W_0 (v / v_0)^2,     L_W0 = 65 dB re 1 pW at v_0 = 1.34 m/s

v the person's speed (``agent_speed``); silent below 0.1 m/s (standing). The reference level
is a modelling choice: no published airborne sound power of a walker was found; 65 dB re
1 pW gives 54 dB at 1 m in free field (57 dB over hard ground), the level of hard shoes on
a hard floor. Power grows as v^2 (modelling choice: step rate and impact speed each grow
with walking speed, each impact's energy as the square of the impact speed, partly offset
by longer strides). The spectrum is flat in power per one-third octave from 100 Hz to 8 kHz
(modelling choice: footstep sound is broadband; Ekimov & Sabatier 2006, J. Acoust. Soc. Am.
120:762, found the part below 500 Hz driven by the normal force and the part above by the
friction force, of comparable magnitude for all walking styles tested).

Points and aggregation
----------------------
Voices and screams sit at the mouth, 1.6 m above the terrain (z = s_x x + s_y y, the
model's plane slope); footsteps at the feet, on the terrain. Up to 4096 emitting persons
per source, each is a point. With more, persons are binned into square blocks of
b x b grid cells, b = ``block_size(grid.shape)`` (at most about 4096 blocks): each block is
one point carrying the sum of its persons' band powers (total power conserved exactly, band
by band) at their power-weighted centroid (see :mod:`models.flood.sources` for the error of
this merger for a distant microphone: below 0.5 dB beyond 3.5 block sides).

========  ==============================================  =============
symbol    meaning                                         unit
========  ==============================================  =============
U_i       ANSI S3.5 speech spectrum level at 1 m          dB re 20 uPa in 1 Hz
L_p       sound pressure level                            dB re 20 uPa
L_W       sound power level                               dB re 1 pW
s         talking share (fraction of time talking)        1
rho       crowd density                                   m-2
v         walking speed                                   m s-1
========  ==============================================  =============
"""

from __future__ import annotations

import numpy as np

from sim.render.sound.bands import (BAND_CENTRES_HZ, BAND_INDEX, BAND_LOWER_HZ, BAND_UPPER_HZ, MAX_POINTS, N_BANDS,
                                    W_REF, AcousticSource, block_size, power_db)

VOICE_LABEL = "crowd_voices"
SCREAM_LABEL = "crowd_screams"
FOOTSTEP_LABEL = "footsteps"

MOUTH_HEIGHT_M = 1.6
FEET_HEIGHT_M = 0.0
FREE_FIELD_DB = 11.0  # L_W - L_p(1 m) of a point source in free field (10 log10 4 pi = 10.99)

EFFORTS = ("normal", "raised", "loud", "shout")
# ANSI S3.5-1997 Table 3: standard speech spectrum level U_i (dB re 20 uPa, 1 Hz band) at 1 m,
# one-third octave bands 160 Hz ... 8 kHz.
ANSI_BAND_INDEX = np.arange(-8, 10)  # 160 Hz ... 8 kHz in the IEC band numbering
ANSI_SPECTRUM_LEVEL_DB = {
    "normal": [32.41, 34.48, 34.75, 33.98, 34.59, 34.27, 32.06, 28.30, 25.01, 23.00,
               20.15, 17.32, 13.18, 11.55, 9.33, 5.31, 2.59, 1.13],
    "raised": [33.81, 33.92, 38.98, 38.57, 39.11, 40.15, 38.78, 36.37, 33.86, 31.89,
               28.58, 25.32, 22.35, 20.15, 16.78, 11.47, 7.67, 5.07],
    "loud": [35.29, 37.76, 41.55, 43.78, 43.30, 44.85, 45.55, 44.05, 42.16, 40.53,
             37.70, 34.39, 30.98, 28.21, 25.41, 18.35, 13.87, 11.39],
    "shout": [30.77, 36.65, 42.50, 46.51, 47.40, 49.24, 51.21, 51.44, 51.31, 49.63,
              47.65, 44.32, 40.80, 38.13, 34.41, 28.24, 23.45, 20.72],
}
TALKING_SHARE = np.array([0.2, 0.25, 0.3, 0.35])  # per effort, modelling choice
DENSITY_THRESHOLDS_M2 = np.array([1.0, 3.0, 5.0])  # normal | raised | loud | shout, modelling choice

SCREAM_SHIFT_BANDS = 3  # one octave up, modelling choice
SCREAM_SHARE = 0.5  # modelling choice

FOOTSTEP_LEVEL_DB = 65.0  # dB re 1 pW at FOOTSTEP_REF_SPEED, modelling choice
FOOTSTEP_REF_SPEED_M_S = 1.34
FOOTSTEP_MIN_SPEED_M_S = 0.1
FOOTSTEP_BAND_HZ = (100.0, 8000.0)


def speech_band_levels_1m(effort: str) -> np.ndarray:
    """L_p per band (dB re 20 uPa) at 1 m of one talker at ``effort`` (-inf outside 160 Hz-8 kHz)."""
    levels = np.full(N_BANDS, -np.inf)
    k = np.searchsorted(BAND_INDEX, ANSI_BAND_INDEX)
    width = BAND_UPPER_HZ[k] - BAND_LOWER_HZ[k]
    levels[k] = np.asarray(ANSI_SPECTRUM_LEVEL_DB[effort]) + 10.0 * np.log10(width)
    return levels


def talker_band_power_w(effort: str) -> np.ndarray:
    """Band sound powers (W) of one talker talking continuously at ``effort``."""
    return W_REF * 10.0 ** ((speech_band_levels_1m(effort) + FREE_FIELD_DB) / 10.0)


_TALKER_W = np.stack([talker_band_power_w(e) for e in EFFORTS])  # (4, N_BANDS)


def scream_band_power_w() -> np.ndarray:
    """Band sound powers (W) of one person screaming continuously: the shout, one octave up."""
    shout = _TALKER_W[EFFORTS.index("shout")]
    shifted = np.zeros(N_BANDS)
    shifted[SCREAM_SHIFT_BANDS:] = shout[:-SCREAM_SHIFT_BANDS]
    return shifted * shout.sum() / shifted.sum()


def footstep_band_fractions() -> np.ndarray:
    inside = (BAND_CENTRES_HZ >= FOOTSTEP_BAND_HZ[0] * 0.99) & (BAND_CENTRES_HZ <= FOOTSTEP_BAND_HZ[1] * 1.01)
    return inside / inside.sum()


def effort_index(density_m2) -> np.ndarray:
    """Vocal effort (0 normal, 1 raised, 2 loud, 3 shout) at local density ``density_m2``."""
    return np.searchsorted(DENSITY_THRESHOLDS_M2, np.nan_to_num(np.asarray(density_m2, dtype=float)), side="right")


def footstep_power_w(speed_m_s) -> np.ndarray:
    """Sound power (W) of one person's footsteps at ``speed_m_s`` (0 below 0.1 m/s)."""
    v = np.nan_to_num(np.asarray(speed_m_s, dtype=float))
    w = W_REF * 10.0 ** (FOOTSTEP_LEVEL_DB / 10.0) * (v / FOOTSTEP_REF_SPEED_M_S) ** 2
    return np.where(v >= FOOTSTEP_MIN_SPEED_M_S, w, 0.0)


def _points(label: str, grid, x, y, z, band_w: np.ndarray, max_points: int = MAX_POINTS) -> list[AcousticSource]:
    """One point per person with power, or b x b cell blocks when there are more than ``max_points``."""
    total = band_w.sum(axis=1)
    on = total > 0
    if not on.any():
        return []
    x, y, z, band_w, total = x[on], y[on], z[on], band_w[on], total[on]
    if x.size > max_points:
        b = block_size(grid.shape, max_points)
        j = np.clip(((y - grid.y0) // grid.dy).astype(int), 0, grid.ny - 1) // b
        i = np.clip(((x - grid.x0) // grid.dx).astype(int), 0, grid.nx - 1) // b
        block, inverse = np.unique(j * (grid.nx // b + 1) + i, return_inverse=True)
        m = block.size
        p = np.bincount(inverse, weights=total, minlength=m)
        x, y, z = (np.bincount(inverse, weights=total * q, minlength=m) / p for q in (x, y, z))
        summed = np.zeros((m, N_BANDS))
        np.add.at(summed, inverse, band_w)
        band_w = summed
    return [AcousticSource(label, np.stack([x, y, z], axis=1), power_db(band_w))]


def acoustic_sources(model, state, t: float, max_points: int = MAX_POINTS) -> list[AcousticSource]:
    """Voices, screams and footsteps of the persons present at t (nothing when nobody is)."""
    grid, p = model.grid, model.params
    x = np.asarray(state["agent_x"], dtype=float)
    present = np.isfinite(x)
    if not present.any():
        return []
    x = x[present]
    y = np.asarray(state["agent_y"], dtype=float)[present]
    speed = np.asarray(state["agent_speed"], dtype=float)[present]
    compression = np.nan_to_num(np.asarray(state["agent_compression"], dtype=float)[present])
    density = np.asarray(state["crowd_density"], dtype=float)
    j = np.clip(((y - grid.y0) // grid.dy).astype(int), 0, grid.ny - 1)
    i = np.clip(((x - grid.x0) // grid.dx).astype(int), 0, grid.nx - 1)
    effort = effort_index(density[j, i])
    screaming = compression > p.injury_threshold_n_m
    ground = p.slope[0] * x + p.slope[1] * y

    talking_w = np.where(screaming, 0.0, TALKING_SHARE[effort])[:, None] * _TALKER_W[effort]
    scream_w = np.where(screaming, SCREAM_SHARE, 0.0)[:, None] * scream_band_power_w()
    step_w = footstep_power_w(speed)[:, None] * footstep_band_fractions()
    mouth = ground + MOUTH_HEIGHT_M
    return (_points(VOICE_LABEL, grid, x, y, mouth, talking_w, max_points)
            + _points(SCREAM_LABEL, grid, x, y, mouth, scream_w, max_points)
            + _points(FOOTSTEP_LABEL, grid, x, y, ground + FEET_HEIGHT_M, step_w, max_points))
