"""Ring-current (Dst) response to the solar wind: Burton-type injection-decay models as Numba kernels.

Burton, McPherron & Russell (1975, J. Geophys. Res. 80:4204-4214) write the pressure-corrected
storm-time index Dst* as a single reservoir filled by the dawn-dusk solar-wind electric field
and drained by charge exchange:

    dDst*/dt = Q(t) - Dst*/tau,        Dst* = Dst - b sqrt(P) + c.

The magnetopause (Chapman-Ferraro) current adds b sqrt(P) to Dst; c removes the quiet-time
currents. Two parameter sets:

- ``BURTON`` (Burton et al. 1975): Q = d (VBs - E_c) for VBs > E_c else 0, with
  d = -1.5e-3 nT s-1 (mV m-1)-1 (-5.4 nT h-1 per mV m-1), E_c = 0.5 mV m-1, tau = 7.7 h,
  b = 15.8 nT nPa-1/2, c = 20 nT. Their b = 0.20 nT (eV cm-3)-1/2 is converted with
  1 eV cm-3 = 1.602e-4 nPa: 0.20 / sqrt(1.602e-4) = 15.8.
- ``OBRIEN_MCPHERRON`` (O'Brien & McPherron 2000, J. Geophys. Res. 105:7707-7719; J. Atmos.
  Sol.-Terr. Phys. 62:1295-1299): Q = a (VBs - E_c) for VBs > E_c else 0, a = -4.4 nT h-1
  (mV m-1)-1, E_c = 0.49 mV m-1; the decay time shortens with the driving,
  tau = 2.40 exp(9.74 / (4.69 + VBs)) h (VBs in mV m-1); b = 7.26 nT nPa-1/2, c = 11 nT.

Symbols
-------

======== ============================================================ ======================
symbol   meaning                                                      unit
======== ============================================================ ======================
V        solar-wind speed (bulk, radial)                              km s-1
B_z      IMF north-south component, GSM                               nT
B_s      southward IMF, max(-B_z, 0)                                  nT
VBs      dawn-dusk electric field V B_s (V B_s 1e-3 gives mV m-1)     mV m-1
P        solar-wind dynamic pressure                                  nPa
Dst      disturbance storm-time index                                 nT
Dst*     pressure-corrected Dst, the state of the ODE                 nT
Q        injection rate of the ring current (<= 0)                    nT s-1
tau      decay (e-folding) time of the ring current                   s
E_c      injection threshold of VBs                                   mV m-1
b        magnetopause-current coefficient                             nT nPa-1/2
c        quiet-time offset                                            nT
dt       time step (uniform)                                          s
k        step index; step k covers [k dt, (k + 1) dt)                 1
======== ============================================================ ======================

Time integration
----------------
The drivers are read as averages over their step (hourly OMNI values) and held constant
over it. The ODE is then linear with constant coefficients on each step and is integrated
exactly:

    Dst*_{k+1} = Dst*_k exp(-dt/tau_k) + Q_k tau_k (1 - exp(-dt/tau_k)).

This is exact for piecewise-constant drivers at any dt and unconditionally stable: the new
value is a convex combination of Dst*_k and the steady state Q_k tau_k. An explicit Euler step
is monotone only for dt < tau and stable only for dt < 2 tau; the O'Brien-McPherron tau falls
to 2.5 h for a Carrington-class wind (V = 2500 km s-1, B_z = -120 nT, VBs = 300 mV m-1), and
coarser steps (3 h, daily) are meaningful here too. 1 - exp(-x) is evaluated as -expm1(-x),
accurate also for dt << tau.

Output convention
-----------------
The state is Dst* at the start, t = 0, given by the caller (e.g. from the observed Dst and the
pressure at t0, see :func:`pressure_corrected`). For n steps of drivers the outputs have n
elements, and element k is the value at the END of step k, t = (k + 1) dt:

    dst_star[k] = Dst*((k + 1) dt),   dst[k] = dst_star[k] + b sqrt(P_k) - c,

i.e. the pressure correction is undone with the pressure of the step just ended (the one
held up to that instant). These are instantaneous
values; the mean of Dst over step k lies between the values at its two ends (dst_star0 and
dst_star[0] for k = 0; dst_star[k - 1] and dst_star[k] after).

Missing drivers
---------------
A step whose V or B_z is not finite (NaN, inf) gets no injection, Q = 0, and decays with the
model's tau at VBs = 0 (7.7 h; 2.40 exp(9.74/4.69) h = 19.1 h), so a data gap never spreads
into the state and the run resumes when data return. A step whose P is not finite, or
negative, leaves Dst* untouched but gives dst[k] = NaN: Dst is not known there.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

BURTON, OBRIEN_MCPHERRON = 0, 1
HOUR_S = 3600.0
# Burton et al. (1975).
BURTON_D = -1.5e-3            # nT s-1 (mV m-1)-1
BURTON_EC = 0.5               # mV m-1
BURTON_TAU_S = 7.7 * HOUR_S
BURTON_B = 15.8               # nT nPa-1/2
BURTON_C = 20.0               # nT
# O'Brien & McPherron (2000).
OM_A = -4.4 / HOUR_S          # nT s-1 (mV m-1)-1
OM_EC = 0.49                  # mV m-1
OM_TAU0_S = 2.40 * HOUR_S     # tau = OM_TAU0_S exp(OM_TAU_E1 / (OM_TAU_E2 + VBs))
OM_TAU_E1 = 9.74              # mV m-1
OM_TAU_E2 = 4.69              # mV m-1
OM_B = 7.26                   # nT nPa-1/2
OM_C = 11.0                   # nT


@njit(cache=True, error_model="numpy")
def pressure_terms(model):
    """(b, c) of Dst* = Dst - b sqrt(P) + c for a model code, in nT nPa-1/2 and nT."""
    if model == BURTON:
        return BURTON_B, BURTON_C
    if model == OBRIEN_MCPHERRON:
        return OM_B, OM_C
    raise ValueError("unknown ring-current model code")


@njit(cache=True, error_model="numpy")
def injection_decay(model, VBs):
    """(Q, tau) in nT s-1 and s for a model code and VBs in mV m-1; VBs must be finite."""
    if model == BURTON:
        Q = BURTON_D * (VBs - BURTON_EC) if VBs > BURTON_EC else 0.0
        return Q, BURTON_TAU_S
    if model == OBRIEN_MCPHERRON:
        Q = OM_A * (VBs - OM_EC) if VBs > OM_EC else 0.0
        return Q, OM_TAU0_S * math.exp(OM_TAU_E1 / (OM_TAU_E2 + VBs))
    raise ValueError("unknown ring-current model code")


@njit(cache=True, error_model="numpy")
def dst_response_kernel(model, dt, V, B_z, P, dst_star0, dst_out, dst_star_out):
    """Exact piecewise-constant integration of dDst*/dt = Q - Dst*/tau; results in the outputs.

    V, B_z, P: drivers of the n steps (km s-1, nT GSM, nPa); dst_star0: Dst* at t = 0 (nT);
    dst_out, dst_star_out: n elements each, Dst and Dst* at the end of each step (nT).
    See the module notes for the conventions and the missing-driver rule.
    """
    n = V.shape[0]
    if B_z.shape[0] != n or P.shape[0] != n or dst_out.shape[0] != n or dst_star_out.shape[0] != n:
        raise ValueError("drivers and outputs must have the same length")
    if not dt > 0.0 or not math.isfinite(dt):
        raise ValueError("dt must be positive and finite")
    if not math.isfinite(dst_star0):
        raise ValueError("initial Dst* must be finite")
    b, c = pressure_terms(model)
    dst_star = dst_star0
    for k in range(n):
        if math.isfinite(V[k]) and math.isfinite(B_z[k]):
            VBs = V[k] * max(-B_z[k], 0.0) * 1e-3  # km s-1 * nT = 1e-3 mV m-1
        else:
            VBs = 0.0  # gap: no injection, quiet-time decay
        Q, tau = injection_decay(model, VBs)
        growth = -math.expm1(-dt / tau)  # 1 - exp(-dt/tau), in [0, 1]
        dst_star = dst_star + (Q * tau - dst_star) * growth
        dst_star_out[k] = dst_star
        # sqrt of a negative or NaN pressure is NaN (error_model numpy): Dst unknown, state intact.
        dst_out[k] = dst_star + b * math.sqrt(P[k]) - c if math.isfinite(P[k]) else math.nan


def dst_response(model: int, dt_s: float, speed_km_s, bz_gsm_nT, pressure_nPa, dst_star0_nT):
    """(dst_nT, dst_star_nT) at the end of each step, float64 arrays of the drivers' length.

    model: ``BURTON`` or ``OBRIEN_MCPHERRON``; dt_s: step (s); speed_km_s, bz_gsm_nT,
    pressure_nPa: 1-D drivers, one value a step, held constant over it; dst_star0_nT: Dst* at
    the start. Element k is the value at t = (k + 1) dt_s (module notes).
    """
    if model not in (BURTON, OBRIEN_MCPHERRON):
        raise ValueError(f"unknown ring-current model code {model!r}")
    drivers = [np.ascontiguousarray(a, dtype=np.float64) for a in (speed_km_s, bz_gsm_nT, pressure_nPa)]
    if any(a.ndim != 1 for a in drivers):
        raise ValueError("drivers must be 1-D")
    n = drivers[0].shape[0]
    dst = np.empty(n)
    dst_star = np.empty(n)
    dst_response_kernel(int(model), float(dt_s), *drivers, float(dst_star0_nT), dst, dst_star)
    return dst, dst_star


def pressure_corrected(model: int, dst_nT, pressure_nPa):
    """Dst* = Dst - b sqrt(P) + c (nT) with the model's b and c; NaN where P is negative or NaN."""
    b, c = pressure_terms(int(model))
    with np.errstate(invalid="ignore"):
        return np.asarray(dst_nT, dtype=np.float64) - b * np.sqrt(np.asarray(pressure_nPa, dtype=np.float64)) + c


def coupling_vbs(speed_km_s, bz_gsm_nT):
    """VBs = V max(-B_z, 0) in mV m-1 from V in km s-1 and B_z (GSM) in nT; NaN propagates."""
    speed = np.asarray(speed_km_s, dtype=np.float64)
    southward = np.maximum(-np.asarray(bz_gsm_nT, dtype=np.float64), 0.0)
    return speed * southward * 1e-3


def newell_coupling(speed_km_s, by_gsm_nT, bz_gsm_nT):
    """Newell et al. (2007, J. Geophys. Res. 112:A01206) rate of magnetopause flux opening.

    dPhi_MP/dt = V^{4/3} B_T^{2/3} sin^{8/3}(theta_c / 2), with B_T = sqrt(B_y^2 + B_z^2) and the
    IMF clock angle theta_c = atan2(B_y, B_z) (GSM; 0 northward, pi southward). V in km s-1,
    B_y, B_z in nT; the result is in (km s-1)^{4/3} nT^{2/3}, proportional to the flux-opening
    rate (Newell et al. quote it so, often scaled by 1e-4). |sin| is used, so the sign of B_y
    does not matter. NaN propagates.
    """
    speed = np.asarray(speed_km_s, dtype=np.float64)
    by = np.asarray(by_gsm_nT, dtype=np.float64)
    bz = np.asarray(bz_gsm_nT, dtype=np.float64)
    b_transverse = np.hypot(by, bz)
    clock_angle = np.arctan2(by, bz)
    return speed ** (4.0 / 3.0) * b_transverse ** (2.0 / 3.0) * np.abs(np.sin(clock_angle / 2.0)) ** (8.0 / 3.0)
