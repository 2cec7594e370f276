"""Plain-NumPy twins of the kernels in :mod:`propagation`, written for clarity; tests only.

Same symbols and equations as :mod:`sim.render.sound.propagation` (ISO 9613-1 eqs. (3)-(5)
and Annex B; incoherent image-source ground reflection).
"""

from __future__ import annotations

import numpy as np

from sim.render.sound.propagation import KELVIN, MIN_DISTANCE_M, P_REF_KPA, T0_K, T01_K


def air_absorption_db_per_m(f, t=20.0, h_r=50.0, p_a=101.325):
    """alpha (dB/m), ISO 9613-1 eq. (5); arguments broadcast."""
    f, t, h_r, p_a = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (f, t, h_r, p_a)))
    T = t + KELVIN
    p = p_a / P_REF_KPA
    h = h_r * 10.0 ** (-6.8346 * (T01_K / T) ** 1.261 + 4.6151) / p
    f_rO = p * (24.0 + 4.04e4 * h * (0.02 + h) / (0.391 + h))
    tau = T / T0_K
    f_rN = p * tau**-0.5 * (9.0 + 280.0 * h * np.exp(-4.170 * (tau ** (-1.0 / 3.0) - 1.0)))
    classical_rotational = 1.84e-11 / p * np.sqrt(tau)
    oxygen = 0.01275 * np.exp(-2239.1 / T) / (f_rO + f**2 / f_rO)
    nitrogen = 0.1068 * np.exp(-3352.0 / T) / (f_rN + f**2 / f_rN)
    return 8.686 * f**2 * (classical_rotational + tau**-2.5 * (oxygen + nitrogen))


def received_band_levels(positions, power_db, mic, alpha, Q2=-1.0):
    """(L_p (B,), energy-weighted mean r_1): every point and band at once, (n, B) arrays."""
    positions = np.atleast_2d(np.asarray(positions, dtype=float))
    alpha = np.asarray(alpha, dtype=float)
    L_W = np.atleast_2d(np.asarray(power_db, dtype=float))[:, :alpha.size]
    mic = np.asarray(mic, dtype=float)
    image = positions * np.array([1.0, 1.0, -1.0])
    r_1 = np.maximum(np.linalg.norm(positions - mic, axis=1), MIN_DISTANCE_M)[:, None]
    r_2 = np.maximum(np.linalg.norm(image - mic, axis=1), MIN_DISTANCE_M)[:, None]
    energy = 10.0 ** ((L_W - alpha * r_1) / 10.0) / (4.0 * np.pi * r_1**2)
    if Q2 > 0.0:
        energy = energy + Q2 * 10.0 ** ((L_W - alpha * r_2) / 10.0) / (4.0 * np.pi * r_2**2)
    with np.errstate(divide="ignore"):
        levels = 10.0 * np.log10(energy.sum(axis=0))
    per_point = energy.sum(axis=1)
    if per_point.sum() > 0.0:
        r_mean = float(np.sum(per_point * r_1[:, 0]) / per_point.sum())
    else:
        r_mean = float(r_1.mean()) if r_1.size else float("nan")
    return levels, r_mean
