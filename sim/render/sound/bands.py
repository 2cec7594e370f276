"""The acoustic vocabulary shared by sources, propagation and synthesis.

Sound is carried between the parts of the sound renderer as **sound power per one-third
octave band**. Bands are the IEC 61260-1 base-10 one-third octaves: centre frequencies
f_m = 1000 * 10^(k/10) Hz (nominal 25 Hz ... 80 kHz, k = -16 ... 19) with edges
f_m * 10^(+-1/20). A source is a set of points, each with a sound power level per band;
whatever the source's physics, the renderer needs nothing else to propagate it to a
microphone and synthesise what the microphone hears.

======== ============================================= =================
symbol   meaning                                       unit
======== ============================================= =================
f_m      band centre frequency                         Hz
L_W      sound power level, 10 log10(W / W_0)          dB re W_0 = 1 pW
L_p      sound pressure level, 20 log10(p / p_0)       dB re p_0 = 20 uPa
======== ============================================= =================
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

W_REF = 1e-12  # W, reference sound power
P_REF = 20e-6  # Pa, reference sound pressure
BAND_INDEX = np.arange(-16, 20)  # 25 Hz ... 80 kHz (nominal)
BAND_CENTRES_HZ = 1000.0 * 10.0 ** (BAND_INDEX / 10.0)
BAND_LOWER_HZ = BAND_CENTRES_HZ * 10.0 ** (-1.0 / 20.0)
BAND_UPPER_HZ = BAND_CENTRES_HZ * 10.0 ** (1.0 / 20.0)
N_BANDS = BAND_CENTRES_HZ.size
SILENT_DB = -np.inf


def bands_below(nyquist_hz: float) -> int:
    """How many bands lie wholly below ``nyquist_hz`` (the bands a sample rate can carry)."""
    return int(np.searchsorted(BAND_UPPER_HZ, nyquist_hz, side="right"))


def power_db(watts) -> np.ndarray:
    """Sound power level L_W (dB re 1 pW) of a power in W; 0 W is -inf dB."""
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.asarray(watts, dtype=float) / W_REF)


def db_sum(levels_db, axis=None) -> np.ndarray:
    """Energetic (incoherent) sum of levels: 10 log10(sum 10^(L/10)); all -inf gives -inf."""
    levels = np.asarray(levels_db, dtype=float)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.sum(10.0 ** (levels / 10.0), axis=axis))


def a_weighting_db(f_hz) -> np.ndarray:
    """IEC 61672-1 A-weighting at ``f_hz`` (0 dB at 1 kHz)."""
    f2 = np.asarray(f_hz, dtype=float) ** 2
    ra = (12194.0 ** 2 * f2 ** 2) / ((f2 + 20.6 ** 2) * np.sqrt((f2 + 107.7 ** 2) * (f2 + 737.9 ** 2))
                                     * (f2 + 12194.0 ** 2))
    return 20.0 * np.log10(ra) + 2.00


@dataclass
class AcousticSource:
    """What a model emits at one time: points with a sound power spectrum each.

    ``label`` is the event class written to the strong labels (``gas_leak_jet``,
    ``flowing_water`` ...); ``positions_m`` is (n, 3) x, y, z in the grid's frame;
    ``power_db`` is (n, N_BANDS) L_W per one-third octave band (``-inf`` for none). Points
    radiate as omnidirectional monopoles; a distributed source (a flooded street) is its
    cells, each a point.
    """

    label: str
    positions_m: np.ndarray
    power_db: np.ndarray

    def __post_init__(self) -> None:
        self.positions_m = np.atleast_2d(np.asarray(self.positions_m, dtype=float))
        self.power_db = np.atleast_2d(np.asarray(self.power_db, dtype=float))
        if self.positions_m.shape[1] != 3 or self.power_db.shape != (self.positions_m.shape[0], N_BANDS):
            raise ValueError(f"source {self.label!r}: expected positions (n, 3) and power (n, {N_BANDS}), got "
                             f"{self.positions_m.shape} and {self.power_db.shape}")

    @property
    def total_power_db(self) -> float:
        return float(db_sum(self.power_db))


# -- distributed sources ----------------------------------------------------------------------

MAX_POINTS = 4096  # blocks are sized so that a grid gives at most this many points

def block_size(shape: tuple[int, int], max_points: int = MAX_POINTS) -> int:
    """Side (cells) of the square blocks that leave at most about ``max_points`` blocks."""
    return max(1, math.ceil(math.sqrt(shape[0] * shape[1] / max_points)))


def _block_sum(a: np.ndarray, b: int) -> np.ndarray:
    if b == 1:
        return a
    ny, nx = a.shape
    a = np.pad(a, ((0, -ny % b), (0, -nx % b)))
    return a.reshape(a.shape[0] // b, b, a.shape[1] // b, b).sum(axis=(1, 3))


def aggregate(power_w: np.ndarray, x: np.ndarray, y: np.ndarray, z: np.ndarray, b: int,
              *weighted: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Merge cells into b x b blocks: (positions (m, 3) at the power-weighted centroids,
    block powers (m,), power-weighted block means of each array in ``weighted``), for the
    blocks with power > 0."""
    w = np.asarray(power_w, dtype=np.float64)
    total = _block_sum(w, b)
    sums = [_block_sum(w * x[None, :], b), _block_sum(w * y[:, None], b), _block_sum(w * z, b)]
    means = [_block_sum(w * q, b) for q in weighted]
    on = total > 0
    p = total[on]
    positions = np.stack([s[on] / p for s in sums], axis=1)
    return positions, p, [m[on] / p for m in means]
