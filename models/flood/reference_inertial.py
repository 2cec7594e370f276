"""Plain-NumPy twin of :func:`models.flood.inertial.inertial_step`, written for clarity; tests only.

Same symbols, equations, boundary codes and negative-depth limiter as
:mod:`models.flood.inertial`, in whole-array form and in the paper's notation
(h_f^{7/3} by pow, one division per term), computed in float64.
"""

from __future__ import annotations

import numpy as np


def _flux(q0, q_sum, d_eta, h_f, n_f, dt, d, theta, g, h_flow_min):
    """de Almeida et al. (2012) eq. (7); 0 where h_f <= h_flow_min."""
    wet = h_f > h_flow_min
    h_safe = np.where(wet, h_f, 1.0)
    num = theta * q0 + 0.5 * (1.0 - theta) * q_sum - g * h_safe * dt * d_eta / d
    den = 1.0 + g * dt * n_f**2 * np.abs(q0) / h_safe ** (7.0 / 3.0)
    return np.where(wet, num / den, 0.0)


def _edge(code, level, sign, q0, q_sum, z_e, h_e, z_in, n_e, dt, d, theta, g, h_flow_min):
    """Edge-face fluxes along one side: 0 wall, 1 free (normal-depth) outflow, 2 fixed level."""
    if code == 0:
        return np.zeros_like(q0)
    if code == 1:
        q = _flux(q0, q_sum, sign * (z_e - z_in), h_e, n_e, dt, d, theta, g, h_flow_min)
        return np.where(sign * q > 0, q, 0.0)
    if code == 2:
        eta_e = z_e + h_e
        h_f = np.maximum(level, eta_e) - z_e
        return _flux(q0, q_sum, sign * (level - eta_e), h_f, n_e, dt, d, theta, g, h_flow_min)
    raise ValueError(f"unknown boundary code {code}")


def _raw_qx(z, h, qx, n, dt, dx, theta, g, h_flow_min, bc_codes, bc_levels):
    eta = z + h
    padded = np.concatenate([qx[:, :1], qx, qx[:, -1:]], axis=1)
    q_sum = padded[:, :-2] + padded[:, 2:]  # faces i-1 and i+1, the face itself beyond the edge
    out = np.empty_like(qx)
    h_f = np.maximum(eta[:, :-1], eta[:, 1:]) - np.maximum(z[:, :-1], z[:, 1:])
    out[:, 1:-1] = _flux(qx[:, 1:-1], q_sum[:, 1:-1], eta[:, 1:] - eta[:, :-1], h_f, 0.5 * (n[:, :-1] + n[:, 1:]),
                         dt, dx, theta, g, h_flow_min)
    inner_w = z[:, 1] if z.shape[1] > 1 else z[:, 0]
    inner_e = z[:, -2] if z.shape[1] > 1 else z[:, -1]
    out[:, 0] = _edge(bc_codes[0], bc_levels[0], -1.0, qx[:, 0], q_sum[:, 0], z[:, 0], h[:, 0], inner_w, n[:, 0],
                      dt, dx, theta, g, h_flow_min)
    out[:, -1] = _edge(bc_codes[1], bc_levels[1], 1.0, qx[:, -1], q_sum[:, -1], z[:, -1], h[:, -1], inner_e,
                       n[:, -1], dt, dx, theta, g, h_flow_min)
    return out


def inertial_step_reference(z, h, qx, qy, n_manning, dt, dx, dy, theta, g, h_flow_min, bc_codes, bc_levels):
    """(h_out, qx_out, qy_out, outflow_volume) of one local-inertial step; see the kernel."""
    z, h, qx, qy, n = (np.asarray(a, dtype=np.float64) for a in (z, h, qx, qy, n_manning))
    codes = [int(c) for c in bc_codes]
    levels = [float(v) for v in bc_levels]
    # Momentum at every face: x faces directly, y faces as the x faces of the transposed grid.
    qx_raw = _raw_qx(z, h, qx, n, dt, dx, theta, g, h_flow_min, codes, levels)
    qy_raw = _raw_qx(z.T, h.T, qy.T, n.T, dt, dy, theta, g, h_flow_min, codes[2:], levels[2:]).T

    # Donor-cell outflow scaling: f = h / D where the outflow depth D exceeds h.
    outflow_depth = (dt / dx * (np.maximum(qx_raw[:, 1:], 0.0) - np.minimum(qx_raw[:, :-1], 0.0))
                     + dt / dy * (np.maximum(qy_raw[1:], 0.0) - np.minimum(qy_raw[:-1], 0.0)))
    limited = outflow_depth > h
    f = np.where(limited, h / np.where(limited, outflow_depth, 1.0), 1.0)
    f_x = np.pad(f, ((0, 0), (1, 1)), constant_values=1.0)  # ghosts outside: never limited
    f_y = np.pad(f, ((1, 1), (0, 0)), constant_values=1.0)
    qx_out = np.where(qx_raw > 0, qx_raw * f_x[:, :-1], qx_raw * f_x[:, 1:])
    qy_out = np.where(qy_raw > 0, qy_raw * f_y[:-1], qy_raw * f_y[1:])

    # Continuity.
    h_out = h + dt / dx * (qx_out[:, :-1] - qx_out[:, 1:]) + dt / dy * (qy_out[:-1] - qy_out[1:])
    h_out = np.maximum(h_out, 0.0)
    outflow = dt * (dy * (qx_out[:, -1] - qx_out[:, 0]).sum() + dx * (qy_out[-1] - qy_out[0]).sum())
    return h_out, qx_out, qy_out, float(outflow)
