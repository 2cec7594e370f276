"""Pasquill-Gifford stability classes and the dispersion coefficients that go with them.

Stability class from
- Pasquill (1961) as keyed by Turner (1970), *Workbook of Atmospheric Dispersion Estimates*,
  Table 1: 10-m wind speed against daytime insolation or night-time cloud cover. Where the
  table gives two classes (A-B) the more stable one is taken, which errs towards higher
  ground-level concentrations.
- Golder (1972), *Boundary-Layer Meteorol.* 3, 47-58: Monin-Obukhov length L and roughness
  length z0, through the straight-line fits 1/L = a + b log10(z0) of Seinfeld & Pandis (2016),
  *Atmospheric Chemistry and Physics*, 3rd ed., Table 18.3; the class whose line is nearest
  to the measured 1/L.

Dispersion coefficients (x: downwind distance in m, sigma in m), Briggs (1973) as given by
Griffiths (1994), *Atmos. Environ.* 28, 2861, Table 1, all of the form

    sigma = a x (1 + b x)^c

Wind power-law exponents p in u(z) = u_ref (z / z_ref)^p: Irwin (1979), *Atmos. Environ.*
13, 191 (the values of EPA's ISC3 and SCREEN3 models).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

StabilityClass = Literal["A", "B", "C", "D", "E", "F"]
CLASSES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
Insolation = Literal["strong", "moderate", "slight", "overcast", "night_cloudy", "night_clear"]

# Turner (1970) Table 1: rows are upper bounds of the 10-m wind speed (m/s);
# columns strong, moderate, slight insolation, night >= 4/8 low cloud, night <= 3/8 cloud.
# Night-time at < 2 m/s is blank in the table; F is the usual choice (as in ALOHA).
_TURNER_SPEEDS = (2.0, 3.0, 5.0, 6.0, math.inf)
_TURNER = (
    ("B", "B", "B", "F", "F"),  # < 2 m/s (strong insolation is A, handled below)
    ("B", "B", "C", "E", "F"),  # 2-3
    ("B", "C", "C", "D", "E"),  # 3-5
    ("C", "D", "D", "D", "D"),  # 5-6
    ("C", "D", "D", "D", "D"),  # > 6
)
_COLUMNS = {"strong": 0, "moderate": 1, "slight": 2, "night_cloudy": 3, "night_clear": 4}


STABILITY_KEYS = ("stability_class", "insolation", "monin_obukhov_length_m")


def check_one_stability(params) -> None:
    """ValueError unless ``params`` gives exactly one stability descriptor, and a non-zero L."""
    given = [k for k in STABILITY_KEYS if getattr(params, k) is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of stability_class, insolation or monin_obukhov_length_m"
                         + (f" (got {', '.join(given)})" if given else ""))
    if params.monin_obukhov_length_m == 0:
        raise ValueError("monin_obukhov_length_m: expected a non-zero length (negative: unstable, positive: stable)")


def class_from_insolation(wind_speed_10m_m_s: float, insolation: str) -> str:
    """Pasquill class from 10-m wind speed and insolation or night-time cloud (Turner 1970).

    >>> class_from_insolation(1.5, "strong"), class_from_insolation(4.0, "night_clear")
    ('A', 'E')
    >>> class_from_insolation(10.0, "overcast")
    'D'
    """
    if insolation == "overcast":  # heavy overcast, day or night: neutral
        return "D"
    row = next(k for k, limit in enumerate(_TURNER_SPEEDS) if wind_speed_10m_m_s < limit)
    if row == 0 and insolation == "strong":
        return "A"
    return _TURNER[row][_COLUMNS[insolation]]


# Golder (1972) lines 1/L = a + b log10(z0), per class (Seinfeld & Pandis 2016, Table 18.3).
_GOLDER_A = np.array([-0.096, -0.037, -0.002, 0.0, 0.004, 0.035])
_GOLDER_B = np.array([0.029, 0.029, 0.018, 0.0, -0.018, -0.036])


def class_from_obukhov_length(monin_obukhov_length_m: float, roughness_length_m: float) -> str:
    """Pasquill class nearest to the measured Monin-Obukhov length (Golder 1972).

    >>> class_from_obukhov_length(-5.0, 0.01), class_from_obukhov_length(1e5, 0.01)
    ('A', 'D')
    >>> class_from_obukhov_length(10.0, 0.01)
    'F'
    """
    inverse_length = 1.0 / monin_obukhov_length_m
    lines = _GOLDER_A + _GOLDER_B * math.log10(roughness_length_m)
    return CLASSES[int(np.argmin(np.abs(lines - inverse_length)))]


# Briggs (1973) sigma = a x (1 + b x)^c: rows A..F, columns (a, b, c) for sigma_y then sigma_z.
BRIGGS_RURAL = np.array([
    # a_y    b_y     c_y   a_z    b_z     c_z
    [0.22, 0.0001, -0.5, 0.20, 0.0, 0.0],
    [0.16, 0.0001, -0.5, 0.12, 0.0, 0.0],
    [0.11, 0.0001, -0.5, 0.08, 0.0002, -0.5],
    [0.08, 0.0001, -0.5, 0.06, 0.0015, -0.5],
    [0.06, 0.0001, -0.5, 0.03, 0.0003, -1.0],
    [0.04, 0.0001, -0.5, 0.016, 0.0003, -1.0],
])
BRIGGS_URBAN = np.array([
    [0.32, 0.0004, -0.5, 0.24, 0.001, 0.5],
    [0.32, 0.0004, -0.5, 0.24, 0.001, 0.5],
    [0.22, 0.0004, -0.5, 0.20, 0.0, 0.0],
    [0.16, 0.0004, -0.5, 0.14, 0.0003, -0.5],
    [0.11, 0.0004, -0.5, 0.08, 0.0015, -0.5],
    [0.11, 0.0004, -0.5, 0.08, 0.0015, -0.5],
])

# Irwin (1979) wind-profile exponents, classes A..F.
POWER_LAW_RURAL = (0.07, 0.07, 0.10, 0.15, 0.35, 0.55)
POWER_LAW_URBAN = (0.15, 0.15, 0.20, 0.25, 0.30, 0.30)


def briggs_coefficients(stability_class: str, terrain: str) -> np.ndarray:
    """(a_y, b_y, c_y, a_z, b_z, c_z) for one class, ``terrain`` 'rural' or 'urban'."""
    table = BRIGGS_RURAL if terrain == "rural" else BRIGGS_URBAN
    return table[CLASSES.index(stability_class)].copy()


def wind_at_height(speed_ref_m_s: float, reference_height_m: float, height_m: float,
                   stability_class: str, terrain: str) -> float:
    """Power-law wind u(z) = u_ref (z / z_ref)^p.

    >>> round(wind_at_height(3.0, 10.0, 40.0, "D", "rural"), 3)  # 3 * 4^0.15
    3.693
    """
    p = (POWER_LAW_RURAL if terrain == "rural" else POWER_LAW_URBAN)[CLASSES.index(stability_class)]
    return speed_ref_m_s * (height_m / reference_height_m) ** p
