"""An audible sonification of a geomagnetic storm (not a physical sound).

A geomagnetic storm makes no sound that anyone could hear: its ground disturbance varies over
minutes to hours, far below any audible frequency. So that a storm can still be rendered into
a soundscape (an alert display, an auditory monitor of the run), this module maps the model's
fields onto a tone, a *sonification*: a design choice, documented here, not physics. Its
label, ``geomagnetic_storm_sonification``, says so in every strong-label file.

Mapping
-------
Pitch follows the rate of change of the ground disturbance, |dX/dt|
(``geomagnetic_field_north_rate``), logarithmically from 200 Hz to 2000 Hz (one decade of
pitch for three decades of rate):

    f = 200 Hz x 10^(clip(log10(|dX/dt| / r_0) / log10(r_1 / r_0), 0, 1)),
    r_0 = 0.001 nT/s (below: 200 Hz),  r_1 = 1 nT/s (above: 2000 Hz)

Level follows the storm's intensity, Dst (``dst_index``), linearly in dB from quiet to loud:

    L_W = 40 dB + 60 dB x clip(-Dst / 500 nT, 0, 1)   (dB re 1 pW)

so a quiet field (Dst >= 0) is a soft 40 dB re 1 pW tone (about 29 dB SPL at 1 m) and a storm
of Dst = -500 nT (the order of the March 1989 storm, -589 nT) a loud 100 dB re 1 pW (89 dB
SPL at 1 m). The bounds are design choices: r_0 to r_1 spans three decades of rate, so that
slow ring-current changes and fast storm onsets both stay distinguishable, and -500 nT spans
the great storms of the space age.

The renderer works in band powers, so the tone is the whole power L_W in the one-third-octave
band that contains f (no power in the others). It is emitted at the fixed point
``sonification_position_m`` (x, y, z in the grid's frame) of the model's parameters; without
it (the default) the storm is silent.

========  ================================================  =============
symbol    meaning                                           unit
========  ================================================  =============
dX/dt     rate of the ground north disturbance              nT s-1
Dst       disturbance storm-time index                      nT
f         pitch of the tone                                 Hz
L_W       sound power level of the tone                     dB re 1 pW
========  ================================================  =============
"""

from __future__ import annotations

import math

import numpy as np

from sim.render.sound.bands import BAND_UPPER_HZ, N_BANDS, SILENT_DB, AcousticSource

LABEL = "geomagnetic_storm_sonification"
PITCH_MIN_HZ, PITCH_MAX_HZ = 200.0, 2000.0
RATE_QUIET_NT_S, RATE_LOUD_NT_S = 1e-3, 1.0  # design choice: rates mapped to PITCH_MIN_HZ, PITCH_MAX_HZ
LEVEL_QUIET_DB, LEVEL_LOUD_DB = 40.0, 100.0  # dB re 1 pW at Dst >= 0 and at Dst <= DST_LOUD_NT
DST_LOUD_NT = -500.0


def sonification_pitch_hz(rate_nt_s: float) -> float:
    """Pitch for a disturbance rate: logarithmic in |dX/dt| from 200 Hz to 2000 Hz."""
    rate = abs(float(rate_nt_s))
    if not rate > 0.0:
        return PITCH_MIN_HZ
    s = math.log10(rate / RATE_QUIET_NT_S) / math.log10(RATE_LOUD_NT_S / RATE_QUIET_NT_S)
    return PITCH_MIN_HZ * (PITCH_MAX_HZ / PITCH_MIN_HZ) ** min(max(s, 0.0), 1.0)


def sonification_level_db(dst_nt: float) -> float:
    """Sound power level (dB re 1 pW) for Dst: 40 dB when quiet, 100 dB at -500 nT or below."""
    s = min(max(float(dst_nt) / DST_LOUD_NT, 0.0), 1.0)
    return LEVEL_QUIET_DB + (LEVEL_LOUD_DB - LEVEL_QUIET_DB) * s


def tone_band_levels(pitch_hz: float, level_db: float) -> np.ndarray:
    """Band levels of a tone: ``level_db`` in the band that contains ``pitch_hz``, -inf elsewhere."""
    levels = np.full(N_BANDS, SILENT_DB)
    levels[min(int(np.searchsorted(BAND_UPPER_HZ, pitch_hz, side="right")), N_BANDS - 1)] = level_db
    return levels


def acoustic_sources(model, state, t: float) -> list[AcousticSource]:
    """The storm's sonification tone at time t, or nothing without ``sonification_position_m``."""
    position = getattr(model.params, "sonification_position_m", None)
    if position is None:
        return []
    rate = float(np.asarray(state["geomagnetic_field_north_rate"]))
    dst = float(np.asarray(state["dst_index"]))
    levels = tone_band_levels(sonification_pitch_hz(rate), sonification_level_db(dst))
    return [AcousticSource(LABEL, [list(position)], levels[None, :])]
