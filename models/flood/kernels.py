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
==========  ==================================================  ==========
"""

from __future__ import annotations

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


@njit(cache=True)
def _face_velocity(z_a, h_a, z_b, h_b, q, h_min):
    """q / h_f at a face between cells a and b; NaN where the face is dry."""
    hf = max(z_a + h_a, z_b + h_b) - max(z_a, z_b)
    return q / hf if hf > h_min else math.nan


@njit(cache=True)
def _mean_of_two(a, b):
    if math.isnan(a):
        return 0.0 if math.isnan(b) else b
    return a if math.isnan(b) else 0.5 * (a + b)


def _inertial_cell_velocity(z, h, qx, qy, h_min, u, v):
    """Cell velocity of the local-inertial state: the mean of its wet faces' velocities q / h_f.

    A face carries velocity q / h_f where its flow depth h_f exceeds ``h_min`` (the solver's
    threshold); dividing by the face's own flow depth, not the cell depth, avoids spurious
    speeds in cells that are almost dry. Edge faces use the edge cell on both sides.
    """
    ny, nx = h.shape
    for j in prange(ny):
        for i in range(nx):
            iw = i - 1 if i > 0 else 0
            ie = i + 1 if i < nx - 1 else nx - 1
            west = _face_velocity(z[j, iw], h[j, iw], z[j, i], h[j, i], qx[j, i], h_min)
            east = _face_velocity(z[j, i], h[j, i], z[j, ie], h[j, ie], qx[j, i + 1], h_min)
            u[j, i] = _mean_of_two(west, east)
            js = j - 1 if j > 0 else 0
            jn = j + 1 if j < ny - 1 else ny - 1
            south = _face_velocity(z[js, i], h[js, i], z[j, i], h[j, i], qy[j, i], h_min)
            north = _face_velocity(z[j, i], h[j, i], z[jn, i], h[jn, i], qy[j + 1, i], h_min)
            v[j, i] = _mean_of_two(south, north)


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


def _derived_fields(z, h, u, v, t, arrival_depth, eta, speed, unit_q, hazard, arrival):
    """Surface, speed, unit discharge, FD2320 hazard rating and first-arrival time; returns sum(h)."""
    ny, nx = h.shape
    rows = np.zeros(ny)
    for j in prange(ny):
        total = 0.0
        for i in range(nx):
            d = h[j, i]
            total += d
            eta[j, i] = z[j, i] + d
            s = math.sqrt(u[j, i] * u[j, i] + v[j, i] * v[j, i])
            speed[j, i] = s
            unit_q[j, i] = d * s
            hazard[j, i] = d * (s + 0.5) + (0.5 if d > 0.25 else 0.0)
            if d >= arrival_depth and math.isnan(arrival[j, i]):
                arrival[j, i] = t
        rows[j] = total
    return rows.sum()


def _serial_and_parallel(fn):
    """One kernel body compiled twice, chosen by grid size (prange is range when serial)."""
    serial = njit(cache=True)(fn)
    parallel = njit(cache=True, parallel=True)(fn)

    def dispatch(*args):
        h = args[1] if fn.__name__ in ("_inertial_cell_velocity", "_derived_fields") else args[0]
        return (parallel if h.size >= PARALLEL_MIN_CELLS else serial)(*args)

    dispatch.__doc__ = fn.__doc__
    dispatch.__name__ = fn.__name__.lstrip("_")
    dispatch.serial, dispatch.parallel = serial, parallel
    return dispatch


rain_and_infiltration = _serial_and_parallel(_rain_and_infiltration)
inertial_cell_velocity = _serial_and_parallel(_inertial_cell_velocity)
fv_cell_velocity = _serial_and_parallel(_fv_cell_velocity)
derived_fields = _serial_and_parallel(_derived_fields)
