"""Numba kernels of the local-inertial shallow-water solver: pure functions of arrays, results in ``out``.

Bates, Horritt & Fewtrell (2010, J. Hydrol. 387:33-45) drop the convective acceleration from
the shallow-water momentum equation; de Almeida, Bates, Freer & Souvignet (2012, Water
Resour. Res. 48:W05528) weight the old discharge with its two neighbours along the flow
direction (theta) to damp the checkerboard oscillations of the plain scheme.

Symbols
-------

======== ============================================================ ===========
symbol   meaning                                                      unit
======== ============================================================ ===========
z        bed elevation, cell centre (ny, nx)                          m
h        water depth, cell centre (ny, nx)                            m
eta      water-surface elevation z + h                                m
q_x      unit discharge across the x faces (ny, nx + 1)               m2 s-1
q_y      unit discharge across the y faces (ny + 1, nx)               m2 s-1
h_f      flow depth at a face: max(eta_L, eta_R) - max(z_L, z_R)      m
n        Manning coefficient, cell centre; at a face the mean of two  s m-1/3
theta    de Almeida weighting (1: Bates 2010 scheme)                  1
alpha    time-step coefficient of eq. (12) of Bates 2010              1
g        gravitational acceleration                                   m s-2
dx, dy   cell sizes along x (columns i) and y (rows j)                m
dt       time step                                                    s
h_min    no flow across a face whose h_f <= h_min                     m
f        outflow scaling factor of a cell (negative-depth limiter)    1
======== ============================================================ ===========

Face q_x[j, i] lies between cells (j, i-1) (L) and (j, i) (R); q_x[:, 0] is the west and
q_x[:, nx] the east edge. Face q_y[j, i] lies between rows j-1 (L) and j (R); q_y[0] is the
south and q_y[ny] the north edge. Positive discharge flows towards +x or +y.

Momentum (de Almeida et al. 2012, eq. 7; theta = 1 gives Bates et al. 2010, eq. 11):

    q^{n+1} = [theta q^n + (1 - theta)/2 (q_-^n + q_+^n) - g h_f dt (eta_R - eta_L)/dx]
              / [1 + g dt n^2 |q^n| / h_f^{7/3}]

q_- and q_+ are the faces before and after along the same axis; where one lies outside the
domain the face itself stands for it. q^{n+1} = 0 where h_f <= h_min. h_f^{-7/3} is
evaluated as r / h_f^2 with r = h_f^{-1/3} from :func:`rcbrt` (no pow, no cbrt call).

Continuity:  h^{n+1} = h^n + dt (q_x[j,i] - q_x[j,i+1])/dx + dt (q_y[j,i] - q_y[j+1,i])/dy.

Time step (Bates et al. 2010, eq. 12):  dt = alpha min(dx, dy) / sqrt(g h_max). In 2-D,
theta < 1 lowers the frictionless stability limit to alpha <= sqrt(theta / 2) on square
cells (:func:`alpha_limit`: 0.59 for theta = 0.7, below Bates' 0.7).

Negative depths (donor-cell outflow scaling, exact in mass)
------------------------------------------------------------
From the fluxes of the momentum step, each cell's outflow depth over dt is

    D = dt/dx (max(q_E, 0) - min(q_W, 0)) + dt/dy (max(q_N, 0) - min(q_S, 0)).

Where D > h, the cell would lose more water than it holds, and its factor is f = h / D
(else f = 1). Every face is then multiplied by the factor of its donor cell, the cell its
flow leaves (the upwind cell; a ghost cell outside the domain is never limited). A face
has exactly one donor, so the scaled flux that leaves one cell is the flux that enters the
next: mass is conserved exactly, and since inflows are left untouched a limited cell ends
with h^{n+1} >= h - f D = 0. The result is clipped at 0 only against round-off (a few ulp of
h). It is a single, non-iterative pass. Schemes that instead repair the depth after the
update (zeroing a negative depth, as LISFLOOD-FP-style codes do, or raising it to a small
floor such as Landlab OverlandFlow's h_init) lose or create water. The scaled fluxes are
what q_x_out and q_y_out hold and what the next step starts from.

Boundaries (codes for [west, east, south, north])
-------------------------------------------------
0  wall: q = 0 at the edge face.
1  free (normal-depth) outflow: the momentum equation at the edge face with h_f = h of the
   edge cell, its n, and the water-surface slope replaced by the bed slope between the edge
   cell and its inner neighbour (0 on a grid one cell wide); only outflow is kept. Over a
   bed that is flat or rises towards the edge, water leaves only with the momentum it has.
2  fixed level: a ghost cell outside with eta = level and z = the edge cell's bed (so
   h_f = max(level, eta_edge) - z_edge); inflow or outflow.

Parallel layout
---------------
The rows are cut into n_blocks(ny) blocks (a function of ny alone, so the result does not
depend on the thread count), swept in parallel, each once from south to north: raw fluxes
of row k and of its north faces, the factors f of row k (kept in h_out[k] until the depth
of row k replaces them), scaling of the faces of row k, then the depth of row k-1. A block
leaves its south seam face row raw and the depths of its first and last rows pending; a
second, parallel pass over the seams scales those faces with the factors left on either
side and computes the two pending rows. The lower block obtains the raw seam fluxes it
needs for its last factors by recomputing them from the inputs (rounded to the grid dtype,
as the upper block stores them). Each array element is thus read and written in about one
pass, no race can occur, and nothing is allocated.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from models.flood.kernels import observe_inertial_row

WALL, FREE, FIXED = 0, 1, 2
WEST, EAST, SOUTH, NORTH = 0, 1, 2, 3
# Row blocks swept in parallel: at most MAX_BLOCKS, of at least MIN_BLOCK_ROWS rows each.
MAX_BLOCKS = 32
MIN_BLOCK_ROWS = 8
# Grids smaller than this run on one thread: waking the thread pool would cost more than it saves.
PARALLEL_MIN_CELLS = 32768


@njit(cache=True, parallel=True, error_model="numpy")
def inertial_stable_dt(h, dx, dy, alpha, g):
    """dt = alpha min(dx, dy) / sqrt(g h_max) (s), Bates et al. (2010) eq. (12); inf when all dry,
    NaN when a depth is not finite (so a broken state stops the run at once).

    With the theta weighting the frictionless 2-D scheme is stable only for alpha up to
    :func:`alpha_limit` (about 0.59 for theta = 0.7 on square cells), below Bates' 0.7.
    """
    ny, nx = h.shape
    h_max = 0.0
    broken = 0.0  # sum of h - h: NaN as soon as one depth is NaN or infinite
    if ny * nx >= PARALLEL_MIN_CELLS:
        for j in prange(ny):
            for i in range(nx):
                h_max = max(h_max, h[j, i])
                broken += h[j, i] - h[j, i]
    else:
        for j in range(ny):
            for i in range(nx):
                h_max = max(h_max, h[j, i])
                broken += h[j, i] - h[j, i]
    if broken != 0.0:
        return math.nan
    if h_max <= 0.0:
        return math.inf
    return alpha * min(dx, dy) / math.sqrt(g * h_max)


@njit(cache=True, error_model="numpy")
def alpha_limit(theta, dx, dy):
    """Largest alpha of :func:`inertial_stable_dt` for which the frictionless scheme is stable in 2-D.

    Von Neumann analysis of the linearised scheme (still water of depth h, c = sqrt(g h)): the
    theta average multiplies the old discharge of the checkerboard mode by a = 2 theta - 1, and
    the amplification matrix (q_x, q_y, eta) of that mode is stable only for
    4 (C_x^2 + C_y^2) <= 2 (1 + a), C = c dt / dx, i.e. c dt sqrt(1/dx^2 + 1/dy^2) <= sqrt(theta).
    So alpha <= sqrt(theta) / (min(dx, dy) sqrt(1/dx^2 + 1/dy^2)): sqrt(theta / 2) on square
    cells, 0.59 for theta = 0.7 and 0.71 for theta = 1 (where the scheme is only neutrally
    stable and relies on friction, Bates' 0.7). In 1-D the limit is sqrt(theta). The tests
    find it sharp (calm 5 % below, growing 8 % above). Friction only adds damping.
    """
    return math.sqrt(theta) / (min(dx, dy) * math.sqrt(1.0 / (dx * dx) + 1.0 / (dy * dy)))


@njit(cache=True, error_model="numpy")
def n_blocks(ny):
    """Number of row blocks: a function of ny alone, so results never depend on the thread count."""
    return max(1, min(ny // MIN_BLOCK_ROWS, MAX_BLOCKS))


@njit(cache=True, error_model="numpy")
def rcbrt(x):
    """x^(-1/3) for a float64 1e-30 < x < 1e30, to about 1 ulp, with multiplications only.

    A first guess from the bits of x in float32 (the word divided by 3 under a magic constant:
    Kahan's trick for the reciprocal cube root) is within 4 %; one fourth-order step
    r <- r (1 + e/3 + 2 e^2/9 + 14 e^3/81), e = 1 - x r^3, in float32 brings it to 3e-5, and
    the same step in float64 to round-off (error ~ e^4 / 7 ~ 1e-18). Unlike a cbrt call it
    vectorises: about 1 ns a value here against 16 ns for cbrt.
    """
    x32 = np.float32(x)
    bits = np.uint32(np.uint32(0x54A2FA8C) - x32.view(np.uint32) // np.uint32(3))
    r32 = bits.view(np.float32)
    e32 = np.float32(1.0) - x32 * r32 * r32 * r32
    r32 = r32 * (np.float32(1.0) + e32 * (np.float32(1.0 / 3.0) + e32 * (np.float32(2.0 / 9.0)
                                                                          + e32 * np.float32(14.0 / 81.0))))
    r = np.float64(r32)
    e = 1.0 - x * r * r * r
    return r * (1.0 + e * (1.0 / 3.0 + e * (2.0 / 9.0 + e * (14.0 / 81.0))))


@njit(cache=True, error_model="numpy")
def face_flux(q0, q_sum, d_eta, h_f, n_f, theta, w, gdt, gdt_d, h_min):
    """q^{n+1} (m2 s-1) at one face, de Almeida et al. (2012) eq. (7).

    q0: q^n at the face; q_sum: q_-^n + q_+^n; d_eta: eta_R - eta_L (m); w = (1 - theta)/2;
    gdt = g dt; gdt_d = g dt / dx (or / dy). Zero where h_f <= h_min.
    """
    h_w = max(h_f, h_min)  # branch-free: the loops over faces vectorise
    num = theta * q0 + w * q_sum - gdt_d * h_w * d_eta
    h2 = h_w * h_w
    q = num * h2 / (h2 + gdt * n_f * n_f * abs(q0) * rcbrt(h_w))
    return q if h_f > h_min else 0.0


@njit(cache=True, error_model="numpy")
def edge_flux(code, level, sign, q0, q_sum, z_e, h_e, z_in, n_e, theta, w, gdt, gdt_d, h_min):
    """q^{n+1} at an edge face; sign = -1 on the west/south edges, +1 on the east/north ones.

    z_e, h_e, n_e: the edge cell; z_in: the bed of its inner neighbour. See the module notes.
    """
    if code == FREE:
        q = face_flux(q0, q_sum, sign * (z_e - z_in), h_e, n_e, theta, w, gdt, gdt_d, h_min)
        return q if sign * q > 0.0 else 0.0
    if code == FIXED:
        eta_e = z_e + h_e
        h_f = max(level, eta_e) - z_e
        return face_flux(q0, q_sum, sign * (level - eta_e), h_f, n_e, theta, w, gdt, gdt_d, h_min)
    return 0.0


@njit(cache=True, error_model="numpy")
def inner_face(q0, q_sum, z_l, h_l, n_l, z_r, h_r, n_r, theta, w, gdt, gdt_d, h_min):
    """Raw q^{n+1} at a face between two cells L and R of the grid."""
    eta_l = z_l + h_l
    eta_r = z_r + h_r
    h_f = max(eta_l, eta_r) - max(z_l, z_r)
    return face_flux(q0, q_sum, eta_r - eta_l, h_f, 0.5 * (n_l + n_r), theta, w, gdt, gdt_d, h_min)


@njit(cache=True, error_model="numpy")
def qy_interior(j, i, z, h, qy, n, theta, w, gdt, gdt_dy, h_min):
    """Raw q_y^{n+1} at the inner face row j (0 < j < ny), column i, from the inputs alone."""
    return inner_face(qy[j, i], qy[j - 1, i] + qy[j + 1, i], z[j - 1, i], h[j - 1, i], n[j - 1, i], z[j, i], h[j, i],
                      n[j, i], theta, w, gdt, gdt_dy, h_min)


@njit(cache=True, error_model="numpy")
def qx_edge(j, i, z, h, qx, n, theta, w, gdt, gdt_dx, h_min, bc_codes, bc_levels):
    """Raw q_x^{n+1} at the west (i = 0) or east (i = nx) edge face of row j."""
    nx = z.shape[1]
    if i == 0:
        z_in = z[j, 1] if nx > 1 else z[j, 0]
        return edge_flux(bc_codes[WEST], bc_levels[WEST], -1.0, qx[j, 0], qx[j, 0] + qx[j, 1], z[j, 0], h[j, 0],
                         z_in, n[j, 0], theta, w, gdt, gdt_dx, h_min)
    z_in = z[j, nx - 2] if nx > 1 else z[j, nx - 1]
    return edge_flux(bc_codes[EAST], bc_levels[EAST], 1.0, qx[j, nx], qx[j, nx - 1] + qx[j, nx], z[j, nx - 1],
                     h[j, nx - 1], z_in, n[j, nx - 1], theta, w, gdt, gdt_dx, h_min)


@njit(cache=True, error_model="numpy")
def qy_edge(j, i, z, h, qy, n, theta, w, gdt, gdt_dy, h_min, bc_codes, bc_levels):
    """Raw q_y^{n+1} at the south (j = 0) or north (j = ny) edge face of column i."""
    ny = z.shape[0]
    if j == 0:
        z_in = z[1, i] if ny > 1 else z[0, i]
        return edge_flux(bc_codes[SOUTH], bc_levels[SOUTH], -1.0, qy[0, i], qy[0, i] + qy[1, i], z[0, i], h[0, i],
                         z_in, n[0, i], theta, w, gdt, gdt_dy, h_min)
    z_in = z[ny - 2, i] if ny > 1 else z[ny - 1, i]
    return edge_flux(bc_codes[NORTH], bc_levels[NORTH], 1.0, qy[ny, i], qy[ny - 1, i] + qy[ny, i], z[ny - 1, i],
                     h[ny - 1, i], z_in, n[ny - 1, i], theta, w, gdt, gdt_dy, h_min)


@njit(cache=True, error_model="numpy")
def outflow_factor(h, q_w, q_e, q_s, q_n, dt_dx, dt_dy):
    """f = h / D where the outflow depth D over dt exceeds the depth h, else 1."""
    d = ((max(np.float64(q_e), 0.0) - min(np.float64(q_w), 0.0)) * dt_dx
         + (max(np.float64(q_n), 0.0) - min(np.float64(q_s), 0.0)) * dt_dy)
    h64 = np.float64(h)
    if d > h64:
        return h64 / d
    return 1.0


@njit(cache=True, error_model="numpy")
def continuity(h, q_w, q_e, q_s, q_n, dt_dx, dt_dy):
    """h^{n+1} (m) of one cell from its four final face fluxes, in float64; clipped at 0 (round-off)."""
    d = (np.float64(h) + dt_dx * (np.float64(q_w) - np.float64(q_e))
         + dt_dy * (np.float64(q_s) - np.float64(q_n)))
    return max(d, 0.0)


@njit(cache=True, error_model="numpy")
def as_grid(x, single):
    """x rounded to the grid dtype (float32 when ``single``), as float64: what an array would hold."""
    if single:
        return np.float64(np.float32(x))
    return x


@njit(cache=True, error_model="numpy")
def _qx_row(k, z, h, qx, n, theta, w, gdt, gdt_dx, h_min, bc_codes, bc_levels, qx_out):
    """Raw q_x^{n+1} on the nx + 1 faces of row k."""
    nx = z.shape[1]
    zk, hk, nk, qk, out = z[k], h[k], n[k], qx[k], qx_out[k]
    out[0] = qx_edge(k, 0, z, h, qx, n, theta, w, gdt, gdt_dx, h_min, bc_codes, bc_levels)
    for i in range(1, nx):
        out[i] = inner_face(qk[i], qk[i - 1] + qk[i + 1], zk[i - 1], hk[i - 1], nk[i - 1], zk[i], hk[i], nk[i],
                            theta, w, gdt, gdt_dx, h_min)
    out[nx] = qx_edge(k, nx, z, h, qx, n, theta, w, gdt, gdt_dx, h_min, bc_codes, bc_levels)


@njit(cache=True, error_model="numpy")
def _qy_row(k, z, h, qy, n, theta, w, gdt, gdt_dy, h_min, bc_codes, bc_levels, qy_out):
    """Raw q_y^{n+1} on the nx faces of face row k (0 <= k <= ny)."""
    ny, nx = z.shape
    out = qy_out[k]
    if k == 0 or k == ny:
        for i in range(nx):
            out[i] = qy_edge(k, i, z, h, qy, n, theta, w, gdt, gdt_dy, h_min, bc_codes, bc_levels)
        return
    # q_- + q_+ first, into the output row: fewer streams in the main loop, which then vectorises
    # (the sum is exact in the grid dtype, so this equals qy_interior)
    q_m, q_p = qy[k - 1], qy[k + 1]
    for i in range(nx):
        out[i] = q_m[i] + q_p[i]
    q0, z_l, h_l, n_l, z_r, h_r, n_r = qy[k], z[k - 1], h[k - 1], n[k - 1], z[k], h[k], n[k]
    for i in range(nx):
        out[i] = inner_face(q0[i], out[i], z_l[i], h_l[i], n_l[i], z_r[i], h_r[i], n_r[i], theta, w, gdt, gdt_dy,
                            h_min)


@njit(cache=True, error_model="numpy")
def _factor_row(k, h, qx_out, qy_out, dt_dx, dt_dy, f):
    """Outflow factors of row k into f[k], from the raw faces around it (q_y[k + 1] from qy_out)."""
    hk, q_x, q_s, q_n, fk = h[k], qx_out[k], qy_out[k], qy_out[k + 1], f[k]
    for i in range(hk.size):
        fk[i] = outflow_factor(hk[i], q_x[i], q_x[i + 1], q_s[i], q_n[i], dt_dx, dt_dy)


@njit(cache=True, error_model="numpy")
def _scale_qx_row(k, f, qx_out):
    """x faces of row k times the factor of their donor: cell i-1 when q > 0, i when q < 0 (none outside)."""
    out, fk = qx_out[k], f[k]
    nx = fk.size
    for i in range(1, nx):
        q = out[i]
        f_l = fk[i - 1]
        f_r = fk[i]
        out[i] = q * (f_l if q > 0.0 else f_r)
    if out[0] < 0.0:
        out[0] = out[0] * fk[0]
    if out[nx] > 0.0:
        out[nx] = out[nx] * fk[nx - 1]


@njit(cache=True, error_model="numpy")
def _scale_qy_row(k, f, qy_out):
    """y faces of face row k times the factor of their donor: row k-1 when q > 0, k when q < 0."""
    ny = qy_out.shape[0] - 1
    out = qy_out[k]
    if k == 0:
        f0 = f[0]
        for i in range(out.size):
            if out[i] < 0.0:
                out[i] = out[i] * f0[i]
    elif k == ny:
        fm = f[ny - 1]
        for i in range(out.size):
            if out[i] > 0.0:
                out[i] = out[i] * fm[i]
    else:
        fm, fk = f[k - 1], f[k]
        for i in range(out.size):
            q = out[i]
            f_l = fm[i]
            f_r = fk[i]
            out[i] = q * (f_l if q > 0.0 else f_r)


@njit(cache=True, error_model="numpy")
def _depth_row(k, h, qx_out, qy_out, dt_dx, dt_dy, h_out):
    """Continuity for row k (overwrites its factors in h_out)."""
    hk, q_x, q_s, q_n, out = h[k], qx_out[k], qy_out[k], qy_out[k + 1], h_out[k]
    for i in range(hk.size):
        out[i] = continuity(hk[i], q_x[i], q_x[i + 1], q_s[i], q_n[i], dt_dx, dt_dy)


@njit(cache=True, error_model="numpy")
def _sweep(j0, j1, z, h, qx, qy, n, theta, w, gdt, gdt_dx, gdt_dy, h_min, bc_codes, bc_levels, dt_dx, dt_dy,
           single, h_out, qx_out, qy_out, observing, t_obs, arrival_depth, h_vel, p0, p1, p2, p3):
    """Stage 1 on the block of rows [j0, j1): all but the seams with the neighbouring blocks.

    Leaves, where the block has a neighbour, the raw south seam faces q_y[j0] and the factors
    of rows j0 (below) and j1 - 1 (above) in h_out, for :func:`_seam`. When ``observing``,
    each input row is also folded into the running maxima p0-p3 while it is in cache.
    """
    ny, nx = z.shape
    speed = np.empty(nx if observing else 0, h.dtype)
    _qy_row(j0, z, h, qy, n, theta, w, gdt, gdt_dy, h_min, bc_codes, bc_levels, qy_out)
    for k in range(j0, j1):
        if observing:
            observe_inertial_row(k, z, h, qx, qy, h_vel, t_obs, arrival_depth, speed, (p0, p1, p2, p3))
        _qx_row(k, z, h, qx, n, theta, w, gdt, gdt_dx, h_min, bc_codes, bc_levels, qx_out)
        if k < j1 - 1 or j1 == ny:
            _qy_row(k + 1, z, h, qy, n, theta, w, gdt, gdt_dy, h_min, bc_codes, bc_levels, qy_out)
            _factor_row(k, h, qx_out, qy_out, dt_dx, dt_dy, h_out)
        else:  # the north seam belongs to the block above: recompute its raw flux, as that block stores it
            for i in range(nx):
                q_n = as_grid(qy_interior(k + 1, i, z, h, qy, n, theta, w, gdt, gdt_dy, h_min), single)
                h_out[k, i] = outflow_factor(h[k, i], qx_out[k, i], qx_out[k, i + 1], qy_out[k, i], q_n,
                                             dt_dx, dt_dy)
        if k > j0 or j0 == 0:
            _scale_qy_row(k, h_out, qy_out)
        _scale_qx_row(k, h_out, qx_out)
        if k - 1 > j0 or (k - 1 == j0 and j0 == 0):
            _depth_row(k - 1, h, qx_out, qy_out, dt_dx, dt_dy, h_out)
    if j1 == ny:
        _scale_qy_row(ny, h_out, qy_out)
        if j1 - 1 > j0 or j0 == 0:
            _depth_row(j1 - 1, h, qx_out, qy_out, dt_dx, dt_dy, h_out)


@njit(cache=True, error_model="numpy")
def _seam(s, h, qx_out, qy_out, dt_dx, dt_dy, h_out):
    """Stage 2 at the seam face row s between two blocks: scale q_y[s] with the factors on either
    side (still in h_out[s-1] and h_out[s]), then the depths of rows s-1 and s."""
    _scale_qy_row(s, h_out, qy_out)
    _depth_row(s - 1, h, qx_out, qy_out, dt_dx, dt_dy, h_out)
    _depth_row(s, h, qx_out, qy_out, dt_dx, dt_dy, h_out)


@njit(cache=True, parallel=True, error_model="numpy")
def _sweeps(z, h, qx, qy, n_manning, theta, w, gdt, gdt_dx, gdt_dy, h_flow_min, bc_codes, bc_levels, dt_dx, dt_dy,
            single, h_out, qx_out, qy_out, observing, t_obs, arrival_depth, h_vel, p0, p1, p2, p3):
    """The blocks' sweeps in parallel, then their seams (see the module notes)."""
    ny, nx = z.shape
    blocks = n_blocks(ny)
    if ny * nx >= PARALLEL_MIN_CELLS:
        for b in prange(blocks):
            _sweep((b * ny) // blocks, ((b + 1) * ny) // blocks, z, h, qx, qy, n_manning, theta, w, gdt, gdt_dx,
                   gdt_dy, h_flow_min, bc_codes, bc_levels, dt_dx, dt_dy, single, h_out, qx_out, qy_out,
                   observing, t_obs, arrival_depth, h_vel, p0, p1, p2, p3)
        for b in prange(1, blocks):
            _seam((b * ny) // blocks, h, qx_out, qy_out, dt_dx, dt_dy, h_out)
    else:  # the same blocks in turn: the same result
        for b in range(blocks):
            _sweep((b * ny) // blocks, ((b + 1) * ny) // blocks, z, h, qx, qy, n_manning, theta, w, gdt, gdt_dx,
                   gdt_dy, h_flow_min, bc_codes, bc_levels, dt_dx, dt_dy, single, h_out, qx_out, qy_out,
                   observing, t_obs, arrival_depth, h_vel, p0, p1, p2, p3)
        for b in range(1, blocks):
            _seam((b * ny) // blocks, h, qx_out, qy_out, dt_dx, dt_dy, h_out)


@njit(cache=True, error_model="numpy")
def inertial_step(z, h, qx, qy, n_manning, dt, dx, dy, theta, g, h_flow_min, bc_codes, bc_levels,
                  h_out, qx_out, qy_out, observe=None):
    """One local-inertial step: q_x_out, q_y_out = q^{n+1} (limited), h_out = h^{n+1}.

    z, h, n_manning : float[ny, nx]; qx : float[ny, nx + 1]; qy : float[ny + 1, nx] (all of the
    grid dtype, float64 or float32); bc_codes : int64[4] and bc_levels : float[4] for
    [west, east, south, north]. Returns the volume (m3) that left the domain through its
    edges during dt (negative: inflow), from the final edge fluxes, so that
    sum(h_out - h) dx dy = -returned volume to round-off. The outputs must not share memory
    with the inputs. ``observe`` = (t, arrival depth, h_vel, peaks) folds the input state, at
    time t, into the maxima of :func:`models.flood.kernels.observe_cell` in the same sweep.
    """
    ny, nx = z.shape
    for s in range(4):
        if bc_codes[s] != WALL and bc_codes[s] != FREE and bc_codes[s] != FIXED:
            raise ValueError("boundary codes must be 0 (wall), 1 (free outflow) or 2 (fixed level)")
    if ny == 0 or nx == 0:
        return 0.0
    w = 0.5 * (1.0 - theta)
    gdt = g * dt
    gdt_dx = gdt / dx
    gdt_dy = gdt / dy
    dt_dx = dt / dx
    dt_dy = dt / dy
    single = h_out.itemsize == 4
    if observe is None:  # placeholders, never touched
        _sweeps(z, h, qx, qy, n_manning, theta, w, gdt, gdt_dx, gdt_dy, h_flow_min, bc_codes, bc_levels, dt_dx,
                dt_dy, single, h_out, qx_out, qy_out, False, 0.0, 0.0, 0.0, h_out, h_out, h_out, h_out)
    else:
        t_obs, arrival_depth, h_vel, peaks = observe
        p0, p1, p2, p3 = peaks  # a parallel loop takes arrays, not a tuple of them
        _sweeps(z, h, qx, qy, n_manning, theta, w, gdt, gdt_dx, gdt_dy, h_flow_min, bc_codes, bc_levels, dt_dx,
                dt_dy, single, h_out, qx_out, qy_out, True, t_obs, arrival_depth, h_vel, p0, p1, p2, p3)
    out = 0.0
    for j in range(ny):
        out += (qx_out[j, nx] - qx_out[j, 0]) * dy
    for i in range(nx):
        out += (qy_out[ny, i] - qy_out[0, i]) * dx
    return out * dt
