"""Plain-NumPy twins of :mod:`models.wildfire.effects`, written for clarity; tests only."""

from __future__ import annotations

import numpy as np

from models.wildfire.effects import BURNED_OUT, FLAMING, UNBURNED, VAN_WAGNER_A, VAN_WAGNER_B


def cell_state(t, t_a, r, H_A, tau_r, L, h, EF):
    burned = t_a <= t
    with np.errstate(divide="ignore", invalid="ignore"):
        tau_c = tau_r + np.where(r > 0, L / np.where(r > 0, r, 1.0), 0.0)
        flaming = burned & (tau_c > 0) & (t < t_a + tau_c)
        state = np.where(flaming, FLAMING, np.where(burned, BURNED_OUT, UNBURNED)).astype(np.int8)
        share = np.where(flaming, tau_r / tau_c, 0.0)
        q = np.where(flaming, H_A / tau_c, 0.0)
        E = np.where(flaming & (h > 0), EF * H_A / np.where(h > 0, h, 1.0) / tau_c, 0.0)
    return state, share, q, E


def radiant_flux(q, L_f, x, y, z_r, area, chi_r, cutoff):
    X, Y = np.meshgrid(x, y)
    out = np.zeros(q.shape)
    R_A = np.sqrt(area / np.pi)
    for j, i in zip(*np.nonzero(q > 0)):
        rho = np.hypot(X - x[i], Y - y[j])
        d2 = np.maximum(rho, R_A) ** 2 + (0.5 * L_f[j, i] - z_r) ** 2
        out += np.where(rho <= cutoff, chi_r * q[j, i] * area / (4 * np.pi * d2), 0.0)
    return out


def air_temperature(state, I, U, z_s, T_a, T_f):
    with np.errstate(invalid="ignore", divide="ignore"):
        excess = VAN_WAGNER_A * I ** (7 / 6) / (np.sqrt(VAN_WAGNER_B * I + U**3) * z_s)
    return np.where((state == FLAMING) & (I > 0), T_a + np.minimum(excess, T_f - T_a), T_a)
