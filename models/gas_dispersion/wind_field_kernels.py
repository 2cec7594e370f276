"""Numba kernels of the mass-consistent wind solver on an Arakawa C grid, with their NumPy twins.

The diagnostic model (Sherman 1978, J. Appl. Meteorol. 17:312, "MATHEW"; Singh et al. 2008,
Environ. Model. Softw. 23:1152, "QUIC-URB") corrects a first-guess wind u0 by the gradient of a
Lagrange multiplier lambda. With phi = lambda / (2 alpha_1^2) the corrected wind is::

    u = u0 + d(phi)/dx,   v = v0 + d(phi)/dy,   w = w0 + r^2 d(phi)/dz,   r = alpha_1 / alpha_2

and div(u) = 0 gives d2(phi)/dx2 + d2(phi)/dy2 + r^2 d2(phi)/dz2 = -div(u0). These kernels give the
finite-volume divergence of one cell and the face corrections from phi; the linear system itself is
assembled and solved in :mod:`models.gas_dispersion.wind_field`.

Arrays are indexed [k, j, i] = [z, y, x]. Faces touching a solid cell never carry flow; a face on an
open boundary sees phi = 0 half a cell outside the domain, a closed one (and the floor) is a wall.

========== ===================================================================== ===========
symbol     meaning                                                               unit
========== ===================================================================== ===========
u, v, w    wind components on x-, y- and z-faces                                 m s-1
phi        Lagrange multiplier scaled by 1 / (2 alpha_1^2)                       m2 s-1
D          discrete divergence of a cell                                         s-1
r2         (alpha_1 / alpha_2)^2, the weight of vertical against horizontal     1
solid      1 where the cell is terrain or building, else 0                       1
dx, dy, dz cell sizes                                                            m
open_x     1 when phi = 0 beyond west and east (flow may cross), 0 for walls     1
open_y     the same for the south and north sides                                1
open_top   1 when phi = 0 above the top (flow may leave), 0 for a rigid lid      1
========== ===================================================================== ===========

The kernels are serial: the CG solver calls :func:`apply_operator` once per iteration, and with
``parallel=True`` each call paid ~16 ms of thread start-up on a 2-core machine (0.2 ms serial on
20 x 32 x 40 cells; 12 ms serial against 21 ms parallel on 40 x 200 x 200 under load).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def divergence(u, v, w, solid, dx, dy, dz, out):
    """D = (u_e - u_w)/dx + (v_n - v_s)/dy + (w_t - w_b)/dz of every open cell; 0 in solid cells."""
    nz, ny, nx = solid.shape
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                if solid[k, j, i]:
                    out[k, j, i] = 0.0
                else:
                    out[k, j, i] = ((u[k, j, i + 1] - u[k, j, i]) / dx + (v[k, j + 1, i] - v[k, j, i]) / dy
                                    + (w[k + 1, j, i] - w[k, j, i]) / dz)
    return out


@njit(cache=True)
def apply_gradient(phi, solid, dx, dy, dz, r2, open_x, open_y, open_top, u, v, w):
    """Add grad(phi) (vertical part times r2) to the faces between open cells, in place.

    Faces touching a solid cell, the domain floor and closed boundaries are set to zero normal
    velocity. Open boundaries (west/east if ``open_x``, south/north if ``open_y``, the top if
    ``open_top``) see phi = 0 at the face, half a cell from the centre: the gradient there is
    (0 - phi) / (d / 2).
    """
    nz, ny, nx = solid.shape
    for k in range(nz):
        for j in range(ny):
            for i in range(nx + 1):
                west = solid[k, j, i - 1] if i > 0 else 0
                east = solid[k, j, i] if i < nx else 0
                if west or east or ((i == 0 or i == nx) and not open_x):
                    u[k, j, i] = 0.0
                elif i == 0:
                    u[k, j, i] += 2.0 * phi[k, j, 0] / dx
                elif i == nx:
                    u[k, j, i] -= 2.0 * phi[k, j, nx - 1] / dx
                else:
                    u[k, j, i] += (phi[k, j, i] - phi[k, j, i - 1]) / dx
        for j in range(ny + 1):
            for i in range(nx):
                south = solid[k, j - 1, i] if j > 0 else 0
                north = solid[k, j, i] if j < ny else 0
                if south or north or ((j == 0 or j == ny) and not open_y):
                    v[k, j, i] = 0.0
                elif j == 0:
                    v[k, j, i] += 2.0 * phi[k, 0, i] / dy
                elif j == ny:
                    v[k, j, i] -= 2.0 * phi[k, ny - 1, i] / dy
                else:
                    v[k, j, i] += (phi[k, j, i] - phi[k, j - 1, i]) / dy
    for k in range(nz + 1):
        for j in range(ny):
            for i in range(nx):
                below = solid[k - 1, j, i] if k > 0 else 1  # the domain floor is a wall
                above = solid[k, j, i] if k < nz else 0
                if below or above:
                    w[k, j, i] = 0.0
                elif k == nz:
                    if open_top:
                        w[k, j, i] -= r2 * 2.0 * phi[nz - 1, j, i] / dz
                    else:  # rigid lid
                        w[k, j, i] = 0.0
                else:
                    w[k, j, i] += r2 * (phi[k, j, i] - phi[k - 1, j, i]) / dz


def divergence_reference(u, v, w, solid, dx, dy, dz):
    """NumPy twin of :func:`divergence`."""
    d = np.diff(u, axis=2) / dx + np.diff(v, axis=1) / dy + np.diff(w, axis=0) / dz
    return np.where(solid.astype(bool), 0.0, d)


def apply_gradient_reference(phi, solid, dx, dy, dz, r2, open_x, open_y, open_top, u, v, w):
    """NumPy twin of :func:`apply_gradient` (returns new arrays instead of updating in place)."""
    nz, ny, nx = solid.shape
    s = solid.astype(bool)
    # phi padded with the boundary values: 0 half a cell outside (ghost -phi), walls handled by masks.
    ghost_x = np.concatenate([-phi[:, :, :1], phi, -phi[:, :, -1:]], axis=2)
    ghost_y = np.concatenate([-phi[:, :1, :], phi, -phi[:, -1:, :]], axis=1)
    ghost_z = np.concatenate([phi[:1], phi, -phi[-1:] if open_top else phi[-1:]], axis=0)
    u = u + np.diff(ghost_x, axis=2) / dx
    v = v + np.diff(ghost_y, axis=1) / dy
    w = w + r2 * np.diff(ghost_z, axis=0) / dz
    pad_x = np.pad(s, ((0, 0), (0, 0), (1, 1)), constant_values=not open_x)
    pad_y = np.pad(s, ((0, 0), (1, 1), (0, 0)), constant_values=not open_y)
    pad_z = np.pad(s, ((1, 0), (0, 0), (0, 0)), constant_values=True)
    pad_z = np.pad(pad_z, ((0, 1), (0, 0), (0, 0)), constant_values=not open_top)
    u[pad_x[:, :, :-1] | pad_x[:, :, 1:]] = 0.0
    v[pad_y[:, :-1, :] | pad_y[:, 1:, :]] = 0.0
    w[pad_z[:-1] | pad_z[1:]] = 0.0
    return u, v, w


@njit(cache=True)
def apply_operator(phi, active, dx, dy, dz, r2, open_x, open_y, open_top, out):
    """out = A phi with A = -(d2/dx2 + d2/dy2 + r2 d2/dz2), the 7-point finite-volume operator.

    Faces to inactive cells and the floor carry no flux; an open boundary face sees phi = 0 half a
    cell away (flux coefficient 2 / d^2). 0 in inactive cells. Twin: the sparse matrix of
    :func:`models.gas_dispersion.wind_field.assemble_operator`.
    """
    nz, ny, nx = active.shape
    cx, cy, cz = 1.0 / (dx * dx), 1.0 / (dy * dy), r2 / (dz * dz)
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                if not active[k, j, i]:
                    out[k, j, i] = 0.0
                    continue
                c = phi[k, j, i]
                acc = 0.0
                if i > 0:
                    if active[k, j, i - 1]:
                        acc += cx * (c - phi[k, j, i - 1])
                elif open_x:
                    acc += 2.0 * cx * c
                if i < nx - 1:
                    if active[k, j, i + 1]:
                        acc += cx * (c - phi[k, j, i + 1])
                elif open_x:
                    acc += 2.0 * cx * c
                if j > 0:
                    if active[k, j - 1, i]:
                        acc += cy * (c - phi[k, j - 1, i])
                elif open_y:
                    acc += 2.0 * cy * c
                if j < ny - 1:
                    if active[k, j + 1, i]:
                        acc += cy * (c - phi[k, j + 1, i])
                elif open_y:
                    acc += 2.0 * cy * c
                if k > 0 and active[k - 1, j, i]:
                    acc += cz * (c - phi[k - 1, j, i])
                if k < nz - 1:
                    if active[k + 1, j, i]:
                        acc += cz * (c - phi[k + 1, j, i])
                elif open_top:
                    acc += 2.0 * cz * c
                out[k, j, i] = acc
    return out
