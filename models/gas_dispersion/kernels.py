"""Numba kernels of the Gaussian plume and puff: pure functions of arrays, results in ``out``.

Symbols (Turner 1970; Seinfeld & Pandis 2016, ch. 18):

======== ============================================================ ===========
symbol   meaning                                                      unit
======== ============================================================ ===========
Q        emission rate                                                kg s-1
M        puff mass                                                    kg
u        transport wind speed                                         m s-1
e_x,e_y  unit vector pointing downwind (east, north components)       1
x_s,y_s  source position                                              m
H        release height                                               m
z        receptor height                                              m
h        mixing height (inf: no lid)                                  m
x_d      downwind distance from the source (plume) or travel (puff)   m
y_d      crosswind distance                                           m
s_y      crosswind spread sigma_y                                     m
s_z      vertical spread sigma_z                                      m
s_a      along-wind spread of a puff                                  m
s_0      initial source spread, added in quadrature                   m
s_th     standard deviation of wind direction (0: use Briggs sigma_y) rad
coef     Briggs (a_y, b_y, c_y, a_z, b_z, c_z): sigma = a x (1 + b x)^c  m-based
g        vertical factor: sum of the source's images in ground and lid 1
======== ============================================================ ===========

Plume:  C = Q / (2 pi u s_y s_z) exp(-y_d^2 / 2 s_y^2) g
Puff:   C = M / ((2 pi)^(3/2) s_a s_y s_z) exp(-a^2 / 2 s_a^2) exp(-c^2 / 2 s_y^2) g
Columns (integral of C over the height, what a camera looking down sees): g integrates to
sqrt(2 pi) s_z, so the plume's is Q / (sqrt(2 pi) u s_y) exp(-y_d^2 / 2 s_y^2) and a puff's
M / (2 pi s_a s_y) exp(-a^2 / 2 s_a^2) exp(-c^2 / 2 s_y^2).
with  g = sum_n [exp(-(z - H - 2 n h)^2 / 2 s_z^2) + exp(-(z + H - 2 n h)^2 / 2 s_z^2)]
(n = 0 without a lid; |n| <= 3 below one), and g = sqrt(2 pi) s_z / h once s_z >= 1.6 h
(well mixed, Turner 1970 eq. 5.2).
"""

from __future__ import annotations

import math

from numba import njit, prange

# Image sources each side of the layer while the plume is not yet well mixed.
N_IMAGES = 3
# Beyond s_z = WELL_MIXED h the concentration is uniform in the vertical (Turner 1970).
WELL_MIXED = 1.6
# Puffs are summed out to this many sigmas: exp(-CUTOFF^2 / 2) = 3.7e-6 of the peak.
CUTOFF = 5.0
SQRT_2PI = math.sqrt(2.0 * math.pi)


@njit(cache=True)
def briggs_sigma(x, a, b, c):
    """sigma = a x (1 + b x)^c, Briggs (1973)."""
    return a * x * (1.0 + b * x) ** c


@njit(cache=True)
def irwin_fy(x):
    """Irwin (1983) sigma_y / (s_th x) as a function of downwind distance x (m)."""
    if x <= 1.0e4:
        return 1.0 / (1.0 + 0.0308 * x**0.4548)
    return 0.333 * math.sqrt(1.0e4 / x)


@njit(cache=True)
def spreads(x_d, coef, s_th, s_0):
    """(s_y, s_z) at downwind distance or travel x_d (m), with the source spread s_0."""
    if s_th > 0.0:
        s_y = s_th * x_d * irwin_fy(x_d)
    else:
        s_y = briggs_sigma(x_d, coef[0], coef[1], coef[2])
    s_z = briggs_sigma(x_d, coef[3], coef[4], coef[5])
    return math.sqrt(s_y * s_y + s_0 * s_0), math.sqrt(s_z * s_z + s_0 * s_0)


@njit(cache=True)
def vertical_factor(z, H, s_z, h):
    """g: ground (and lid) reflections of a source at H seen at height z."""
    if math.isinf(h):
        return math.exp(-((z - H) ** 2) / (2.0 * s_z * s_z)) + math.exp(-((z + H) ** 2) / (2.0 * s_z * s_z))
    if s_z >= WELL_MIXED * h:
        return SQRT_2PI * s_z / h
    g = 0.0
    for n in range(-N_IMAGES, N_IMAGES + 1):
        g += math.exp(-((z - H - 2.0 * n * h) ** 2) / (2.0 * s_z * s_z))
        g += math.exp(-((z + H - 2.0 * n * h) ** 2) / (2.0 * s_z * s_z))
    return g


@njit(cache=True)
def plume_point(x_r, y_r, z, x_s, y_s, H, Q, u, e_x, e_y, coef, s_th, s_0, h):
    """Steady Gaussian plume concentration (kg m-3) at one receptor (x_r, y_r, z)."""
    dx = x_r - x_s
    dy = y_r - y_s
    x_d = dx * e_x + dy * e_y
    if x_d <= 0.0:
        return 0.0
    y_d = -dx * e_y + dy * e_x
    s_y, s_z = spreads(x_d, coef, s_th, s_0)
    g = vertical_factor(z, H, s_z, h)
    return Q / (2.0 * math.pi * u * s_y * s_z) * math.exp(-y_d * y_d / (2.0 * s_y * s_y)) * g


@njit(cache=True)
def plume_points(x_r, y_r, z, x_s, y_s, H, Q, u, e_x, e_y, coef, s_th, s_0, h, out):
    """:func:`plume_point` at receptors x_r, y_r : float[n]; out : float[n]."""
    for k in range(x_r.size):
        out[k] = plume_point(x_r[k], y_r[k], z, x_s, y_s, H, Q, u, e_x, e_y, coef, s_th, s_0, h)


@njit(cache=True, parallel=True)
def plume_grid(x, y, z, x_s, y_s, H, Q, u, e_x, e_y, coef, s_th, s_0, h, out):
    """Steady Gaussian plume concentration (kg m-3) at every cell centre.

    x : float[nx], y : float[ny] cell-centre coordinates (m); out : float[ny, nx].
    """
    ny, nx = out.shape
    for j in prange(ny):
        for i in range(nx):
            out[j, i] = plume_point(x[i], y[j], z, x_s, y_s, H, Q, u, e_x, e_y, coef, s_th, s_0, h)


@njit(cache=True, parallel=True)
def plume_column_grid(x, y, x_s, y_s, Q, u, e_x, e_y, coef, s_th, s_0, out):
    """Vertical column of the steady plume (kg m-2) at every cell centre.

    The vertical factor integrates to sqrt(2 pi) s_z over the layer (ground and lid images
    keep the mass in it), so the column is Q / (sqrt(2 pi) u s_y) exp(-y_d^2 / 2 s_y^2).
    """
    ny, nx = out.shape
    for j in prange(ny):
        for i in range(nx):
            dx = x[i] - x_s
            dy = y[j] - y_s
            x_d = dx * e_x + dy * e_y
            if x_d <= 0.0:
                out[j, i] = 0.0
                continue
            y_d = -dx * e_y + dy * e_x
            s_y, _ = spreads(x_d, coef, s_th, s_0)
            out[j, i] = Q / (SQRT_2PI * u * s_y) * math.exp(-y_d * y_d / (2.0 * s_y * s_y))


@njit(cache=True, parallel=True)
def hazard_levels(values, thresholds, out):
    """out = the highest level k (1..m) whose threshold each value reaches, 0 for none; int8.

    values : float[ny, nx]; thresholds : float[m], +inf for a level not established (so the
    levels above it still count: carbon monoxide has AEGL-2 and -3 but no AEGL-1).
    """
    ny, nx = values.shape
    for j in prange(ny):
        for i in range(nx):
            level = 0
            for k in range(thresholds.size):
                if values[j, i] >= thresholds[k]:
                    level = k + 1
            out[j, i] = level


@njit(cache=True)
def puff_shapes(mass, travel, s_x0, z, H, coef, s_th, s_0, h, amp, s_a, s_c):
    """Per puff: peak factor ``amp`` (kg m-3), along-wind and crosswind spreads (m).

    mass, travel, s_x0 : float[n] (kg, m, m); amp, s_a, s_c : float[n] written.
    s_x0 is the along-wind length scale of the release segment a puff stands for.
    """
    for k in range(mass.size):
        s_y, s_z = spreads(travel[k], coef, s_th, s_0)
        s_a[k] = math.sqrt(s_y * s_y + s_x0[k] * s_x0[k])
        s_c[k] = s_y
        g = vertical_factor(z, H, s_z, h)
        amp[k] = mass[k] * g / (SQRT_2PI**3 * s_a[k] * s_y * s_z)


@njit(cache=True, parallel=True)
def puff_grid(x, y, p_x, p_y, amp, s_a, s_c, e_x, e_y, out):
    """Sum of Gaussian puffs (kg m-3) at every cell centre, each out to CUTOFF sigmas.

    x : float[nx], y : float[ny] regularly spaced cell centres (m); p_x, p_y : float[n] puff
    centres (m); amp, s_a, s_c from :func:`puff_shapes`; out : float[ny, nx].
    A puff covers the ellipse q = a^2 / 2 s_a^2 + c^2 / 2 s_y^2 <= CUTOFF^2 / 2; on each row
    the chord of that ellipse is solved for, so no cell outside it is visited. Rows are
    independent, and each cell adds its puffs in index order: the result is the same for any
    number of threads.
    """
    ny, nx = out.shape
    x0 = x[0]
    dx = x[1] - x[0] if nx > 1 else 1.0
    q_max = 0.5 * CUTOFF * CUTOFF
    for j in prange(ny):
        for i in range(nx):
            out[j, i] = 0.0
        for k in range(p_x.size):
            if amp[k] == 0.0:
                continue
            dy = y[j] - p_y[k]
            inv_a = 1.0 / (2.0 * s_a[k] * s_a[k])
            inv_c = 1.0 / (2.0 * s_c[k] * s_c[k])
            # q as a quadratic in the x offset d: q2 d^2 + q1 d + q0
            q2 = inv_a * e_x * e_x + inv_c * e_y * e_y
            q1 = 2.0 * dy * e_x * e_y * (inv_a - inv_c)
            q0 = dy * dy * (inv_a * e_y * e_y + inv_c * e_x * e_x)
            disc = q1 * q1 - 4.0 * q2 * (q0 - q_max)
            if disc < 0.0:
                continue
            root = math.sqrt(disc)
            d_lo = (-q1 - root) / (2.0 * q2)
            d_hi = (-q1 + root) / (2.0 * q2)
            i_lo = max(0, int(math.ceil((p_x[k] + d_lo - x0) / dx)))
            i_hi = min(nx - 1, int(math.floor((p_x[k] + d_hi - x0) / dx)))
            for i in range(i_lo, i_hi + 1):
                dxp = x[i] - p_x[k]
                along = dxp * e_x + dy * e_y
                cross = -dxp * e_y + dy * e_x
                out[j, i] += amp[k] * math.exp(-along * along * inv_a - cross * cross * inv_c)
