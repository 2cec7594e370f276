"""Head-fire rate of spread in continuous grassland: the CSIRO grassland model.

Cheney, Gould & Catchpole (1998), *Int. J. Wildland Fire* 8(1):1-13, "Prediction of fire
spread in grasslands", fitted to the 121 Annaburroo (Northern Territory, 1986) experimental
fires and checked against 20 wildfires. The head-fire (quasi-steady, wide-front) rate of
spread is a wind function times a dead-fuel-moisture function times a curing function:

    R = f(U_10) phi_M phi_C                                            (km/h)

Wind function, by pasture state (natural and cut/grazed: Cheney et al. 1998; the eaten-out
form is Cheney & Sullivan 2008, *Grassfires*, 2nd ed., CSIRO Publishing, which halves the
cut/grazed coefficients):

    ============ ======================== =================================
    state        U_10 < 5 km/h            U_10 >= 5 km/h
    ============ ======================== =================================
    natural      0.054 + 0.269 U_10       1.4  + 0.838  (U_10 - 5)^0.844
    cut/grazed   0.054 + 0.209 U_10       1.1  + 0.715  (U_10 - 5)^0.844
    eaten-out    0.027 + 0.1045 U_10      0.55 + 0.3575 (U_10 - 5)^0.844
    ============ ======================== =================================

The two branches meet (to the rounding of the published coefficients, 1e-3 km/h) at 5 km/h.

Moisture function (Cheney et al. 1998):

    phi_M = exp(-0.108 M)                     M < 12 %
    phi_M = 0.684 - 0.0342 M                  M >= 12 %, U_10 < 10 km/h
    phi_M = 0.547 - 0.0228 M                  M >= 12 %, U_10 >= 10 km/h

(continuous at M = 12 %; clipped at 0, i.e. extinction at 20 % and 24 % respectively).

Curing function, two published forms (C in %):

- Cruz et al. (2015), *Int. J. Wildland Fire* 24(6):838-848 (the default; the form the
  Australian Fire Danger Rating System uses):
  phi_C = 1.036 / (1 + 103.989 exp(-0.0996 (C - 20))) for C >= 20 %, 0 below.
- Cheney et al. (1998): phi_C = 1.12 / (1 + 59.2 exp(-0.124 (C - 50))).

Cruz et al. (2015) found the 1998 curve under-predicts spread at intermediate curing
(60-90 %); both are near 1 at full curing. The head-fire width effect of Cheney et al. (1993,
*Int. J. Wildland Fire* 3:31) is not applied: the 1998 model already predicts the potential
quasi-steady spread of a head fire wide enough to reach it, which is what a raster fire of
many cells is.

Symbols
-------

======== ============================================================ ===========
symbol   meaning                                                      unit
======== ============================================================ ===========
R        head-fire rate of spread                                     km/h
U_10     mean 10-m open wind speed                                    km/h
M        dead fine fuel moisture content (dry basis)                  %
C        degree of curing (dead share of the grass)                   %
phi_M    moisture function                                            1
phi_C    curing function                                              1
======== ============================================================ ===========

The functions are vectorised NumPy (cheap enough for a raster); names outside the formulas
say their units.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CUT_GRAZED", "EATEN_OUT", "NATURAL", "PASTURE_STATES", "curing_factor", "moisture_factor",
           "rate_of_spread_km_h", "rate_of_spread_m_s", "wind_function_km_h"]

NATURAL = 0
CUT_GRAZED = 1
EATEN_OUT = 2
PASTURE_STATES = {"natural": NATURAL, "cut_grazed": CUT_GRAZED, "eaten_out": EATEN_OUT}

# (a_low, b_low, a_high, b_high) of the wind function per pasture state, in the table's order.
_WIND_COEFFICIENTS = np.array([
    [0.054, 0.269, 1.4, 0.838],
    [0.054, 0.209, 1.1, 0.715],
    [0.027, 0.1045, 0.55, 0.3575],
])
_WIND_EXPONENT = 0.844
_WIND_BREAK_KM_H = 5.0
_MOISTURE_BREAK_PCT = 12.0
_MOISTURE_WIND_SPLIT_KM_H = 10.0


def wind_function_km_h(wind_10m_km_h, pasture_state=NATURAL):
    """f(U_10) (km/h): head-fire spread at M = 0 % and full curing.

    >>> float(wind_function_km_h(5.0))  # 1.4 + 0.838 * 0
    1.4
    >>> round(float(wind_function_km_h(4.999999)), 4)  # 0.054 + 0.269 * 5, the other branch
    1.399
    >>> round(float(wind_function_km_h(25.0, CUT_GRAZED)), 4)  # 1.1 + 0.715 * 20^0.844
    10.0614
    """
    u = np.maximum(np.asarray(wind_10m_km_h, dtype=float), 0.0)
    coef = _WIND_COEFFICIENTS[np.asarray(pasture_state, dtype=int)]
    low = coef[..., 0] + coef[..., 1] * u
    high = coef[..., 2] + coef[..., 3] * np.maximum(u - _WIND_BREAK_KM_H, 0.0) ** _WIND_EXPONENT
    return np.where(u < _WIND_BREAK_KM_H, low, high)


def moisture_factor(dead_moisture_pct, wind_10m_km_h):
    """phi_M of Cheney et al. (1998); the wind split applies only above 12 % moisture.

    >>> round(float(moisture_factor(5.0, 20.0)), 4)  # exp(-0.54)
    0.5827
    >>> [round(float(moisture_factor(15.0, u)), 4) for u in (5.0, 15.0)]  # 0.684-0.513, 0.547-0.342
    [0.171, 0.205]
    >>> float(moisture_factor(30.0, 5.0))
    0.0
    """
    m = np.asarray(dead_moisture_pct, dtype=float)
    u = np.asarray(wind_10m_km_h, dtype=float)
    wet = np.where(u < _MOISTURE_WIND_SPLIT_KM_H, 0.684 - 0.0342 * m, 0.547 - 0.0228 * m)
    return np.maximum(np.where(m < _MOISTURE_BREAK_PCT, np.exp(-0.108 * m), wet), 0.0)


def curing_factor(curing_pct, form="cruz2015"):
    """phi_C: ``form`` "cruz2015" (Cruz et al. 2015, default) or "cheney1998".

    >>> round(float(curing_factor(100.0)), 4), round(float(curing_factor(100.0, "cheney1998")), 4)
    (1.0, 0.9999)
    >>> round(float(curing_factor(85.0)), 3), round(float(curing_factor(85.0, "cheney1998")), 3)
    (0.893, 0.632)
    >>> float(curing_factor(10.0))
    0.0
    """
    c = np.asarray(curing_pct, dtype=float)
    if form == "cruz2015":
        return np.where(c >= 20.0, 1.036 / (1.0 + 103.989 * np.exp(-0.0996 * (c - 20.0))), 0.0)
    if form == "cheney1998":
        return 1.12 / (1.0 + 59.2 * np.exp(-0.124 * (c - 50.0)))
    raise ValueError(f"unknown curing form {form!r} (cruz2015 or cheney1998)")


def rate_of_spread_km_h(wind_10m_km_h, dead_moisture_pct, curing_pct, pasture_state=NATURAL,
                        curing_form="cruz2015"):
    """Head-fire rate of spread R = f(U_10) phi_M phi_C (km/h), broadcasting over arrays.

    >>> round(float(rate_of_spread_km_h(20.0, 5.0, 100.0)), 3)  # (1.4 + 0.838 15^0.844) e^-0.54
    5.617
    """
    return (wind_function_km_h(wind_10m_km_h, pasture_state) * moisture_factor(dead_moisture_pct, wind_10m_km_h)
            * curing_factor(curing_pct, curing_form))


def rate_of_spread_m_s(wind_10m_m_s, dead_moisture_pct, curing_pct, pasture_state=NATURAL,
                       curing_form="cruz2015"):
    """:func:`rate_of_spread_km_h` with the wind and the result in m/s."""
    km_h = rate_of_spread_km_h(np.asarray(wind_10m_m_s, dtype=float) * 3.6, dead_moisture_pct, curing_pct,
                               pasture_state, curing_form)
    return km_h / 3.6
