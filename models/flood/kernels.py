"""Flood kernels shared by both solvers: forcing and the fields derived from the state.

The solvers themselves live in :mod:`models.flood.inertial` and
:mod:`models.flood.finite_volume`.

==========  ==================================================  ==========
symbol      meaning                                             unit
==========  ==================================================  ==========
h           water depth                                         m
z           bed elevation                                       m
r           rainfall rate                                       m s-1
K_s         saturated hydraulic conductivity                    m s-1
psi_f       wetting-front suction head                          m
dtheta      moisture deficit                                    1
F           depth infiltrated so far                            m
q_x, q_y    unit discharges at faces (local inertial)           m2 s-1
h_f         flow depth at a face: max(eta) - max(z)             m
u, v        cell velocity                                       m s-1
HR          flood hazard rating d (v + 0.5) + DF                1
DF          debris factor, 0.5 where d > 0.25 m (else 0)        1
==========  ==================================================  ==========

The per-cell maxima and first-arrival time are folded in by :func:`observe_cell`: every
step by the solver (fused into its sweep, or one pass for the finite volumes) and again
whenever the fields are diagnosed, so they hold every state the run went through.
"""

from __future__ import annotations

import types

import math

import numpy as np
from numba import njit, prange

# Below this many cells a kernel runs on one thread: waking the thread pool costs more.
PARALLEL_MIN_CELLS = 65536

# Infiltration modes of :func:`rain_and_infiltration`.
NO_LOSS, CONSTANT_LOSS, GREEN_AMPT = 0, 1, 2
# F never starts at zero in Green-Ampt (f would be infinite): 0.1 mm.
F_MIN_M = 1e-4


def _rain_and_infiltration(h, rate, dt, mode, loss_rate, k_s, psi_dtheta, infiltrated):
    """Add rain r dt, then remove infiltration min(h, f dt); returns (rain, loss) depth sums (m).

    Green-Ampt capacity f = K_s (1 + psi_f dtheta / F) with F = max(F, F_MIN_M) (Green & Ampt
    1911); constant loss f = loss_rate. ``infiltrated`` (F) accumulates the loss.
    """
    ny, nx = h.shape
    rain_rows = np.zeros(ny)
    loss_rows = np.zeros(ny)
    for j in prange(ny):
        rain_sum = 0.0
        loss_sum = 0.0
        for i in range(nx):
            add = rate[j, i] * dt
            depth = h[j, i] + add
            rain_sum += add
            if mode != NO_LOSS and depth > 0.0:
                if mode == CONSTANT_LOSS:
                    capacity = loss_rate * dt
                else:
                    capacity = k_s * (1.0 + psi_dtheta / max(infiltrated[j, i], F_MIN_M)) * dt
                loss = min(depth, capacity)
                depth -= loss
                infiltrated[j, i] += loss
                loss_sum += loss
            h[j, i] = depth
        rain_rows[j] = rain_sum
        loss_rows[j] = loss_sum
    return rain_rows.sum(), loss_rows.sum()


@njit(cache=True, error_model="numpy")
def _face(z_a, h_a, z_b, h_b, q, h_min):
    """(q / h_f, 1) at a face between cells a and b whose flow depth h_f exceeds h_min, else (0, 0).

    Branch-free (selects, a division by max(h_f, h_min)), so loops over a row vectorise.
    """
    hf = max(z_a + h_a, z_b + h_b) - max(z_a, z_b)
    wet = hf > h_min
    return (q / max(hf, h_min) if wet else 0.0), (1.0 if wet else 0.0)


@njit(cache=True, error_model="numpy")
def cell_velocity(zc, hc, zw, hw, ze, he, zs, hs, zn, hn, qw, qe, qs, qn, h_min):
    """(u, v) of a local-inertial cell c from its neighbours (w, e, s, n) and face discharges:
    along each axis the mean of q / h_f over the faces that are wet (0 when neither is).

    Dividing by the face's own flow depth, not the cell depth, avoids spurious speeds in
    cells that are almost dry; a dry cell (h = 0) has none. (a + b) / 2 and a / 1 are what a
    NaN-skipping mean gives, bit for bit.
    """
    uw, ww = _face(zw, hw, zc, hc, qw, h_min)
    ue, we = _face(zc, hc, ze, he, qe, h_min)
    vs, ws = _face(zs, hs, zc, hc, qs, h_min)
    vn, wn = _face(zc, hc, zn, hn, qn, h_min)
    u = (uw + ue) / max(ww + we, 1.0)
    v = (vs + vn) / max(ws + wn, 1.0)
    return (u if hc > 0.0 else 0.0), (v if hc > 0.0 else 0.0)


@njit(cache=True, error_model="numpy")
def inertial_velocity_at(j, i, z, h, qx, qy, h_min):
    """(u, v) of cell (j, i) of the local-inertial state (:func:`cell_velocity`); edge faces use
    the edge cell on both sides."""
    ny, nx = h.shape
    iw = i - 1 if i > 0 else 0
    ie = i + 1 if i < nx - 1 else nx - 1
    js = j - 1 if j > 0 else 0
    jn = j + 1 if j < ny - 1 else ny - 1
    return cell_velocity(z[j, i], h[j, i], z[j, iw], h[j, iw], z[j, ie], h[j, ie], z[js, i], h[js, i], z[jn, i],
                         h[jn, i], qx[j, i], qx[j, i + 1], qy[j, i], qy[j + 1, i], h_min)


@njit(cache=True, error_model="numpy")
def hazard_rating(d, s):
    """FD2320 flood hazard rating HR = d (v + 0.5) + DF, debris factor DF = 0.5 where d > 0.25 m."""
    return d * (s + 0.5) + (0.5 if d > 0.25 else 0.0)


@njit(cache=True, error_model="numpy")
def observe_cell(j, i, d, s, t, arrival_depth, peaks):
    """Fold the state of one cell at time t (depth d, speed s) into the running maxima.

    peaks = (max depth, max speed, max hazard rating, first-arrival time); a maximum is
    idempotent, so observing one state twice changes nothing.
    """
    max_h, max_speed, max_hr, arrival = peaks
    max_h[j, i] = max(max_h[j, i], d)
    max_speed[j, i] = max(max_speed[j, i], s)
    max_hr[j, i] = max(max_hr[j, i], hazard_rating(d, s))
    if d >= arrival_depth and math.isnan(arrival[j, i]):
        arrival[j, i] = t


# Cells per chunk of a row in the per-step observation: a chunk with no water is skipped.
CHUNK = 64


@njit(cache=True, error_model="numpy")
def _chunk_is_dry(h_row, i0, i1):
    wet = False
    for i in range(i0, i1):
        wet |= h_row[i] > 0.0
    return not wet


@njit(cache=True, error_model="numpy")
def observe_inertial_row(j, z, h, qx, qy, h_min, t, arrival_depth, speed, peaks):
    """:func:`observe_cell` on row j of a local-inertial state, chunk by chunk (the solver
    calls it in its sweep, every step).

    A chunk of :data:`CHUNK` dry cells is skipped: depth, speed and hazard rating are 0
    there, which no maximum or arrival can take up (arrival depths are > 0). In the others
    the speeds go into ``speed`` (nx scratch) in one branch-free loop over row slices, then
    each maximum takes a short loop of its own: few enough arrays that every loop vectorises.
    The two edge cells go through :func:`inertial_velocity_at`.
    """
    ny, nx = h.shape
    js = j - 1 if j > 0 else 0
    jn = j + 1 if j < ny - 1 else ny - 1
    z0, h0, zs, hs, zn, hn = z[j], h[j], z[js], h[js], z[jn], h[jn]
    qx0, qs, qn = qx[j], qy[j], qy[j + 1]
    max_h, max_speed, max_hr, arrival = peaks
    m_h, m_s, m_hr, a0 = max_h[j], max_speed[j], max_hr[j], arrival[j]
    for c0 in range(0, nx, CHUNK):
        c1 = min(c0 + CHUNK, nx)
        if _chunk_is_dry(h0, c0, c1):
            continue
        for i in range(max(c0, 1), min(c1, nx - 1)):
            u, v = cell_velocity(z0[i], h0[i], z0[i - 1], h0[i - 1], z0[i + 1], h0[i + 1], zs[i], hs[i], zn[i],
                                 hn[i], qx0[i], qx0[i + 1], qs[i], qn[i], h_min)
            speed[i] = math.sqrt(u * u + v * v)
        for i in (c0, c1 - 1):  # the row's first and last cells, when in this chunk
            if i == 0 or i == nx - 1:
                u, v = inertial_velocity_at(j, i, z, h, qx, qy, h_min)
                speed[i] = math.sqrt(u * u + v * v)
        for i in range(c0, c1):
            m_h[i] = max(m_h[i], h0[i])
        for i in range(c0, c1):
            m_s[i] = max(m_s[i], speed[i])
        for i in range(c0, c1):
            m_hr[i] = max(m_hr[i], hazard_rating(h0[i], speed[i]))
        for i in range(c0, c1):
            if h0[i] >= arrival_depth and math.isnan(a0[i]):
                a0[i] = t


def _inertial_cell_velocity(z, h, qx, qy, h_min, u, v):
    """Cell velocities of the local-inertial state (:func:`inertial_velocity_at`) into u, v."""
    ny, nx = h.shape
    for j in prange(ny):
        for i in range(nx):
            u[j, i], v[j, i] = inertial_velocity_at(j, i, z, h, qx, qy, h_min)


def _fv_cell_velocity(h, hu, hv, h_min, u, v):
    """u = hu / h where h > h_min, else 0."""
    ny, nx = h.shape
    for j in prange(ny):
        for i in range(nx):
            if h[j, i] > h_min:
                u[j, i] = hu[j, i] / h[j, i]
                v[j, i] = hv[j, i] / h[j, i]
            else:
                u[j, i] = 0.0
                v[j, i] = 0.0


def _observe_fv(h, hu, hv, h_min, t, arrival_depth, peaks):
    """:func:`observe_cell` on every cell of a finite-volume state (u = hu / h where h > h_min);
    returns False when a depth or discharge is NaN or infinite."""
    ny, nx = h.shape
    broken = 0.0
    p0, p1, p2, p3 = peaks  # a parallel loop takes arrays, not a tuple of them
    for j in prange(ny):
        for i in range(nx):
            d = h[j, i]
            s = math.sqrt(hu[j, i] * hu[j, i] + hv[j, i] * hv[j, i]) / d if d > h_min else 0.0
            broken += (d - d) + (hu[j, i] - hu[j, i]) + (hv[j, i] - hv[j, i])
            observe_cell(j, i, d, s, t, arrival_depth, (p0, p1, p2, p3))
    return broken == 0.0


def _derived_fields(z, h, u, v, t, arrival_depth, depth, eta, speed, unit_q, hazard, peaks):
    """Depth, surface, speed, unit discharge and FD2320 hazard rating of the state at time t,
    folded into the running maxima (:func:`observe_cell`); returns sum(h)."""
    ny, nx = h.shape
    rows = np.zeros(ny)
    p0, p1, p2, p3 = peaks  # a parallel loop takes arrays, not a tuple of them
    for j in prange(ny):
        total = 0.0
        for i in range(nx):
            d = h[j, i]
            total += d
            depth[j, i] = d
            eta[j, i] = z[j, i] + d
            s = math.sqrt(u[j, i] * u[j, i] + v[j, i] * v[j, i])
            speed[j, i] = s
            unit_q[j, i] = d * s
            hazard[j, i] = hazard_rating(d, s)
            observe_cell(j, i, d, s, t, arrival_depth, (p0, p1, p2, p3))
        rows[j] = total
    return rows.sum()


def _renamed(fn, suffix: str):
    """A copy of ``fn`` under another qualified name (the same code object)."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + suffix, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = fn.__qualname__ + suffix
    copy.__doc__ = fn.__doc__
    return copy


def _serial_and_parallel(fn):
    """One kernel body compiled twice, chosen by grid size (prange is range when serial)."""
    # error_model="numpy": a division by zero gives inf/NaN instead of a check per division,
    # which would keep the loops from vectorising.
    serial = njit(cache=True, error_model="numpy")(fn)
    # Numba's on-disk cache keys an entry by function and signature, not by the parallel
    # flag: compiled from the same function, the two builds would share one entry and a later
    # process would load whichever was saved first for both. A renamed copy has its own entry.
    parallel = njit(cache=True, parallel=True, error_model="numpy")(_renamed(fn, "_parallel"))

    def dispatch(*args):
        h = args[0] if fn.__name__ in ("_rain_and_infiltration", "_observe_fv") else args[1]
        return (parallel if h.size >= PARALLEL_MIN_CELLS else serial)(*args)

    dispatch.__doc__ = fn.__doc__
    dispatch.__name__ = fn.__name__.lstrip("_")
    dispatch.serial, dispatch.parallel = serial, parallel
    return dispatch


rain_and_infiltration = _serial_and_parallel(_rain_and_infiltration)
inertial_cell_velocity = _serial_and_parallel(_inertial_cell_velocity)
fv_cell_velocity = _serial_and_parallel(_fv_cell_velocity)
observe_fv = _serial_and_parallel(_observe_fv)
derived_fields = _serial_and_parallel(_derived_fields)
