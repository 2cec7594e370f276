"""NumPy twins of the shared flood kernels in :mod:`models.flood.kernels` (tests only).

The solvers' twins are in :mod:`models.flood.reference_inertial` and
:mod:`models.flood.reference_fv`.
"""

from __future__ import annotations

import numpy as np

from models.flood.kernels import CONSTANT_LOSS, F_MIN_M, NO_LOSS


def rain_and_infiltration_reference(h, rate, dt, mode, loss_rate, k_s, psi_dtheta, infiltrated):
    """Returns (h, infiltrated, rain depth sum, loss depth sum) without changing the inputs."""
    depth = h + rate * dt
    rain = float((rate * dt).sum())
    if mode == NO_LOSS:
        return depth, infiltrated.copy(), rain, 0.0
    if mode == CONSTANT_LOSS:
        capacity = np.full_like(depth, loss_rate * dt)
    else:
        capacity = k_s * (1.0 + psi_dtheta / np.maximum(infiltrated, F_MIN_M)) * dt
    loss = np.where(depth > 0, np.minimum(depth, capacity), 0.0)
    return depth - loss, infiltrated + loss, rain, float(loss.sum())


def inertial_cell_velocity_reference(z, h, qx, qy, h_min):
    """(u, v): the mean over each cell's wet faces of q / h_f; 0 in dry cells."""
    eta = z + h
    # Face flow depths with edge faces using the edge cell on both sides.
    eta_x = np.concatenate([eta[:, :1], eta, eta[:, -1:]], axis=1)
    z_x = np.concatenate([z[:, :1], z, z[:, -1:]], axis=1)
    hf_x = np.maximum(eta_x[:, :-1], eta_x[:, 1:]) - np.maximum(z_x[:, :-1], z_x[:, 1:])
    eta_y = np.concatenate([eta[:1], eta, eta[-1:]], axis=0)
    z_y = np.concatenate([z[:1], z, z[-1:]], axis=0)
    hf_y = np.maximum(eta_y[:-1], eta_y[1:]) - np.maximum(z_y[:-1], z_y[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        vx = np.where(hf_x > h_min, qx / hf_x, np.nan)
        vy = np.where(hf_y > h_min, qy / hf_y, np.nan)

    def mean(a, b):
        both = ~np.isnan(a) & ~np.isnan(b)
        out = np.where(np.isnan(a), np.where(np.isnan(b), 0.0, b), a)
        return np.where(both, 0.5 * (a + b), out)

    wet = h > 0  # a dry cell has no velocity
    return np.where(wet, mean(vx[:, :-1], vx[:, 1:]), 0.0), np.where(wet, mean(vy[:-1], vy[1:]), 0.0)


def observe_reference(z, h, speed, t, arrival_depth, peaks):
    """New (max depth, max speed, max hazard rating, arrival)."""
    max_h, max_speed, max_hr, arrival = peaks
    hazard = h * (speed + 0.5) + np.where(h > 0.25, 0.5, 0.0)
    return (np.maximum(max_h, h), np.maximum(max_speed, speed), np.maximum(max_hr, hazard),
            np.where(np.isnan(arrival) & (h >= arrival_depth), t, arrival))


def derived_fields_reference(z, h, u, v, t, arrival_depth, peaks):
    """(eta, speed, unit discharge, hazard rating, depth sum, new peaks)."""
    speed = np.hypot(u, v)
    hazard = h * (speed + 0.5) + np.where(h > 0.25, 0.5, 0.0)
    return z + h, speed, h * speed, hazard, float(h.sum()), observe_reference(z, h, speed, t, arrival_depth, peaks)
