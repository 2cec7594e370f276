"""Plain-NumPy twins of the kernels in :mod:`kernels`, written for clarity; tests only.

Same symbols and equations as :mod:`models.gas_dispersion.kernels`.
"""

from __future__ import annotations

import numpy as np

from models.gas_dispersion.kernels import CUTOFF, N_IMAGES, WELL_MIXED


def spreads(x_d, coef, s_th, s_0):
    x_d = np.asarray(x_d, dtype=float)
    if s_th > 0.0:
        fy = np.where(x_d <= 1.0e4, 1.0 / (1.0 + 0.0308 * x_d**0.4548), 0.333 * np.sqrt(1.0e4 / np.maximum(x_d, 1e-300)))
        s_y = s_th * x_d * fy
    else:
        s_y = coef[0] * x_d * (1.0 + coef[1] * x_d) ** coef[2]
    s_z = coef[3] * x_d * (1.0 + coef[4] * x_d) ** coef[5]
    return np.hypot(s_y, s_0), np.hypot(s_z, s_0)


def vertical_factor(z, H, s_z, h):
    s_z = np.asarray(s_z, dtype=float)
    if np.isinf(h):
        return np.exp(-((z - H) ** 2) / (2 * s_z**2)) + np.exp(-((z + H) ** 2) / (2 * s_z**2))
    n = np.arange(-N_IMAGES, N_IMAGES + 1)[:, None] if s_z.ndim else np.arange(-N_IMAGES, N_IMAGES + 1)
    images = (np.exp(-((z - H - 2 * n * h) ** 2) / (2 * s_z**2)) + np.exp(-((z + H - 2 * n * h) ** 2) / (2 * s_z**2)))
    g = images.sum(axis=0)
    return np.where(s_z >= WELL_MIXED * h, np.sqrt(2 * np.pi) * s_z / h, g)


def plume_grid(x, y, z, x_s, y_s, H, Q, u, e_x, e_y, coef, s_th, s_0, h):
    dx = x[None, :] - x_s
    dy = y[:, None] - y_s
    x_d = dx * e_x + dy * e_y
    y_d = -dx * e_y + dy * e_x
    downwind = x_d > 0
    xd = np.where(downwind, x_d, 1.0)
    s_y, s_z = spreads(xd.ravel(), coef, s_th, s_0)
    g = vertical_factor(z, H, s_z, h).reshape(xd.shape)
    s_y, s_z = s_y.reshape(xd.shape), s_z.reshape(xd.shape)
    c = Q / (2 * np.pi * u * s_y * s_z) * np.exp(-(y_d**2) / (2 * s_y**2)) * g
    return np.where(downwind, c, 0.0)


def hazard_levels(values, thresholds):
    """Highest level reached: max over k of (k + 1) where values >= thresholds[k]."""
    reached = values[None] >= np.asarray(thresholds)[:, None, None]
    ranks = np.arange(1, len(thresholds) + 1)[:, None, None]
    return np.where(reached, ranks, 0).max(axis=0).astype(np.int8)


def _puff_sum(x, y, p_x, p_y, amps, s_as, s_ys, e_x, e_y):
    """Sum over puffs of amp exp(-q), each cut off at the ellipse of CUTOFF sigmas as in the kernel."""
    out = np.zeros((y.size, x.size))
    for k in range(len(amps)):
        dx = x[None, :] - p_x[k]
        dy = y[:, None] - p_y[k]
        along = dx * e_x + dy * e_y
        cross = -dx * e_y + dy * e_x
        q = along**2 / (2 * s_as[k]**2) + cross**2 / (2 * s_ys[k]**2)
        out += np.where(q <= 0.5 * CUTOFF**2, amps[k] * np.exp(-q), 0.0)
    return out


def _puff_spreads(travel, s_x0, coef, s_th, s_0):
    s_y, s_z = spreads(np.asarray(travel, dtype=float), coef, s_th, s_0)
    return np.hypot(s_y, s_x0), s_y, s_z


def puff_grid(x, y, z, H, p_x, p_y, mass, travel, s_x0, e_x, e_y, coef, s_th, s_0, h):
    """Concentration (kg m-3) at height z of the puffs."""
    s_a, s_y, s_z = _puff_spreads(travel, s_x0, coef, s_th, s_0)
    g = vertical_factor(z, H, s_z, h)
    return _puff_sum(x, y, p_x, p_y, mass * g / ((2 * np.pi) ** 1.5 * s_a * s_y * s_z), s_a, s_y, e_x, e_y)



def plume_column_grid(x, y, x_s, y_s, Q, u, e_x, e_y, coef, s_th, s_0):
    """Vertical column of the plume (kg m-2): Q / (sqrt(2 pi) u s_y) exp(-y_d^2 / 2 s_y^2)."""
    dx = x[None, :] - x_s
    dy = y[:, None] - y_s
    x_d = dx * e_x + dy * e_y
    y_d = -dx * e_y + dy * e_x
    downwind = x_d > 0
    s_y, _ = spreads(np.where(downwind, x_d, 1.0).ravel(), coef, s_th, s_0)
    s_y = s_y.reshape(x_d.shape)
    return np.where(downwind, Q / (np.sqrt(2 * np.pi) * u * s_y) * np.exp(-(y_d**2) / (2 * s_y**2)), 0.0)


def puff_column_grid(x, y, p_x, p_y, mass, travel, s_x0, e_x, e_y, coef, s_th, s_0):
    """Vertical column of the puffs (kg m-2): M / (2 pi s_a s_y) exp(-q)."""
    s_a, s_y, _ = _puff_spreads(travel, s_x0, coef, s_th, s_0)
    return _puff_sum(x, y, p_x, p_y, mass / (2 * np.pi * s_a * s_y), s_a, s_y, e_x, e_y)
