"""Point sampling of raster fields: the one interpolation kernel every renderer uses.

Values live at cell centres ``x_i = x0 + (i + 1/2) dx``, ``y_j = y0 + (j + 1/2) dy``.
A point between four centres gets the bilinear blend of their values; a point in the
outer half cell of the grid takes the value of the edge (constant extrapolation), so a
sensor on the boundary reads what the boundary cells hold. Points outside the grid are
refused by the caller before the run.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def bilinear_value(field, x0, y0, dx, dy, x, y):
    """The bilinear value of ``field[j, i]`` at one point (x, y); see :func:`bilinear_points`."""
    ny, nx = field.shape
    s = min(max((x - x0) / dx - 0.5, 0.0), nx - 1.0)
    r = min(max((y - y0) / dy - 0.5, 0.0), ny - 1.0)
    i = min(int(math.floor(s)), nx - 2) if nx > 1 else 0
    j = min(int(math.floor(r)), ny - 2) if ny > 1 else 0
    a = s - i if nx > 1 else 0.0
    b = r - j if ny > 1 else 0.0
    i1 = i + 1 if nx > 1 else i
    j1 = j + 1 if ny > 1 else j
    return ((1.0 - a) * (1.0 - b) * field[j, i] + a * (1.0 - b) * field[j, i1]
            + (1.0 - a) * b * field[j1, i] + a * b * field[j1, i1])


@njit(cache=True)
def bilinear_points(field, x0, y0, dx, dy, xs, ys, out):
    """Bilinear interpolation of ``field[j, i]`` at the points ``(xs[k], ys[k])``.

    ======  ===========================================  =====
    symbol  meaning                                      unit
    ======  ===========================================  =====
    x0, y0  lower-left corner of cell (0, 0)             m
    dx, dy  cell spacing                                 m
    s, r    fractional column and row of the point       1
    ======  ===========================================  =====
    """
    for k in range(xs.shape[0]):
        out[k] = bilinear_value(field, x0, y0, dx, dy, xs[k], ys[k])
    return out


def bilinear_points_reference(field, x0, y0, dx, dy, xs, ys):
    """NumPy twin of :func:`bilinear_points` (tests only), written with scipy's grid interpolator."""
    from scipy.interpolate import RegularGridInterpolator

    ny, nx = field.shape
    xc = x0 + (np.arange(nx) + 0.5) * dx
    yc = y0 + (np.arange(ny) + 0.5) * dy
    px = np.clip(np.asarray(xs, float), xc[0], xc[-1])
    py = np.clip(np.asarray(ys, float), yc[0], yc[-1])
    if nx == 1 or ny == 1:  # the interpolator needs two points per axis
        field = np.repeat(np.repeat(field, 2 if ny == 1 else 1, axis=0), 2 if nx == 1 else 1, axis=1)
        xc = np.array([xc[0], xc[0] + 1.0]) if nx == 1 else xc
        yc = np.array([yc[0], yc[0] + 1.0]) if ny == 1 else yc
    return RegularGridInterpolator((yc, xc), np.asarray(field, float))(np.column_stack([py, px]))
