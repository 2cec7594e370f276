"""Plain-NumPy twins of the kernels of :mod:`models.geomagnetic.ring_current` and
:mod:`models.geomagnetic.kp`, written for clarity; tests only.

Same symbols, parameters, output convention (element k at the end of step k, t = (k + 1) dt)
and missing-driver rule as the kernel module. Q and tau of all steps are computed as whole
arrays in the papers' units (nT h-1, h), the recursion in the textbook form
Dst*_{k+1} = Dst*_k exp(-dt/tau_k) + Q_k tau_k (1 - exp(-dt/tau_k)).
"""

from __future__ import annotations

import numpy as np

BURTON, OBRIEN_MCPHERRON = 0, 1


def _vbs(speed_km_s, bz_gsm_nT):
    """VBs (mV m-1); 0 where V or B_z is not finite (a gap: no injection)."""
    valid = np.isfinite(speed_km_s) & np.isfinite(bz_gsm_nT)
    with np.errstate(invalid="ignore"):  # inf * 0 in a gap, discarded below
        vbs = speed_km_s * np.maximum(-bz_gsm_nT, 0.0) * 1e-3
    return np.where(valid, vbs, 0.0)


def injection_decay_reference(model, vbs):
    """(Q in nT h-1, tau in h, b, c) for arrays of VBs (mV m-1)."""
    if model == BURTON:
        q = np.where(vbs > 0.5, -5.4 * (vbs - 0.5), 0.0)   # d = -1.5e-3 nT s-1 per mV m-1
        tau = np.full_like(vbs, 7.7)
        return q, tau, 15.8, 20.0      # b: 0.20 nT (eV cm-3)-1/2 / sqrt(1.602e-4 nPa per eV cm-3)
    if model == OBRIEN_MCPHERRON:
        q = np.where(vbs > 0.49, -4.4 * (vbs - 0.49), 0.0)
        tau = 2.40 * np.exp(9.74 / (4.69 + vbs))
        return q, tau, 7.26, 11.0
    raise ValueError(f"unknown model {model}")


def dst_response_reference(model, dt_s, speed_km_s, bz_gsm_nT, pressure_nPa, dst_star0_nT):
    """(dst, dst_star) at the end of each step; see :func:`models.geomagnetic.ring_current.dst_response`."""
    speed, bz, pressure = (np.asarray(a, dtype=np.float64) for a in (speed_km_s, bz_gsm_nT, pressure_nPa))
    q, tau, b, c = injection_decay_reference(model, _vbs(speed, bz))
    dt_h = dt_s / 3600.0
    decay = np.exp(-dt_h / tau)
    dst_star = np.empty(speed.shape[0])
    previous = float(dst_star0_nT)
    for k in range(speed.shape[0]):
        previous = previous * decay[k] + q[k] * tau[k] * (1.0 - decay[k])
        dst_star[k] = previous
    with np.errstate(invalid="ignore"):
        dst = dst_star + b * np.sqrt(pressure) - c
    dst = np.where(np.isfinite(pressure), dst, np.nan)
    return dst, dst_star


def kp_reference(speed, by, bz, density):
    """Kp of Newell et al. (2008), 0.05 + 2.244e-4 dPhi/dt + 2.844e-6 n^1/2 V^2, clipped to [0, 9]:
    the clock-angle form of dPhi/dt (atan2, :func:`~models.geomagnetic.ring_current.newell_coupling`),
    where the kernel uses the half-angle identity, so the two share no arithmetic."""
    from models.geomagnetic.ring_current import newell_coupling

    speed, by, bz, density = (np.asarray(a, dtype=np.float64) for a in (speed, by, bz, density))
    with np.errstate(invalid="ignore"):
        kp = 0.05 + 2.244e-4 * newell_coupling(speed, by, bz) + 2.844e-6 * np.sqrt(density) * speed**2
        valid = np.isfinite(kp) & (speed >= 0) & (density >= 0)
    return np.where(valid, np.clip(kp, 0.0, 9.0), np.nan)
