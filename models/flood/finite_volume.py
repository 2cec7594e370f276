"""First-order finite-volume shallow-water solver: HLLC fluxes on a hydrostatic reconstruction.

Numba kernels, pure functions of arrays, results written into ``*_out`` arrays. The scheme is
meant for what the local-inertial solver cannot do: dam breaks, bores and supercritical flow.

Equations, U = (h, hu, hv) on a raster of ny x nx cells, arrays indexed [j, i] (row j along y,
column i along x)::

    dU/dt + dF(U)/dx + dG(U)/dy = S_b + S_f
    F = (hu, hu^2 + g h^2 / 2, huv),   G = (hv, huv, hv^2 + g h^2 / 2)
    S_b = (0, -g h dz/dx, -g h dz/dy),  S_f = (0, -g n^2 |u| hu / h^(4/3), -g n^2 |u| hv / h^(4/3))

======== ============================================================ ===========
symbol   meaning                                                      unit
======== ============================================================ ===========
z        bed elevation (cell average)                                 m
h        water depth                                                  m
eta      water-surface elevation h + z                                m
hu, hv   unit discharges along x (east) and y (north)                 m2 s-1
u, v     depth-averaged velocities hu / h, hv / h (0 where h <= h_dry) m s-1
c        celerity sqrt(g h)                                           m s-1
n        Manning roughness coefficient                                s m-1/3
g        gravitational acceleration                                   m s-2
h_dry    depth at or below which a cell is dry (no velocity)          m
dx, dy   cell sizes along x (columns i) and y (rows j)                m
dt       time step                                                    s
z*       face bed max(z_L, z_R) of the hydrostatic reconstruction     m
h_L*     reconstructed depths max(0, h_L + z_L - z*) (same for R)     m
S_L, S_R HLL wave-speed estimates, S* the contact (middle) wave speed m s-1
======== ============================================================ ===========

Numerics:

* **Godunov first order, unsplit**: x and y face fluxes from the same state U^n, each face flux
  computed once per step (faces shared by two row blocks are computed by both, identically).
* **HLLC Riemann solver** for the shallow-water equations (Toro, Spruce & Speares 1994, Shock
  Waves 4:25; Toro 2001, *Shock-capturing methods for free-surface shallow flows*, Wiley, ch. 10):
  HLL flux for mass and normal momentum, the tangential momentum upwinded across the contact
  wave S*. Toro's S* = (S_L h_R (u_R - S_R) - S_R h_L (u_L - S_L)) / (h_R (u_R - S_R) - h_L (u_L - S_L))
  equals F_h^HLL / h^HLL, so the upwind side of v is chosen by the sign of the HLL mass flux.
  The HLL flux is evaluated as F = F_L + S_L / (S_R - S_L) ((F_L - F_R) + S_R (U_R - U_L)), which
  returns F_L exactly for equal states (lake at rest).
* **Wave-speed estimates** of Toro (2001, ch. 10) / Fraccarollo & Toro (1995, J. Hydraul. Res.
  33:843): two-rarefaction star state u* = (u_L + u_R)/2 + c_L - c_R,
  c* = (c_L + c_R)/2 + (u_L - u_R)/4, S_L = min(u_L - c_L, u* - c*), S_R = max(u_R + c_R, u* + c*);
  dry right bed: S_L = u_L - c_L, S_R = u_L + 2 c_L; dry left bed: S_L = u_R - 2 c_R,
  S_R = u_R + c_R (a side counts as dry when h* <= h_dry; when both are, the shallower one).
* **Hydrostatic reconstruction** (Audusse, Bouchut, Bristeau, Klein & Perthame 2004, SIAM J.
  Sci. Comput. 25:2050): at each face z* = max(z_L, z_R), h_L* = max(0, h_L + z_L - z*),
  h_R* = max(0, h_R + z_R - z*), the flux is computed from (h*, h* u, h* v), and the left cell
  receives F_hu + g/2 (h_L^2 - h_L*^2), the right one F_hu + g/2 (h_R^2 - h_R*^2). The g/2 h^2 of a
  cell enters once through each of its two faces with opposite signs, so it cancels and each face
  stores F_hu - g/2 h_L*^2 (to the left cell) and F_hu - g/2 h_R*^2 (to the right cell). The scheme
  is well balanced (lake at rest eta = const, u = 0 is kept exactly, dry islands included) and
  positivity preserving: Audusse et al. prove h >= 0 under a CFL condition; with dt from
  :func:`fv_stable_dt` at cfl = 0.45 no negative depth arises in the tests' dam breaks and bowl.
* **Wetting and drying**: u = hu / h only where h > h_dry, else 0; momentum is zeroed in cells
  left with h <= h_dry after the step; their (tiny) water is kept, so mass is conserved.
* **Manning friction**, implicit (backward Euler), after the flux update (only where
  h^{n+1} > h_dry): d(hu)/dt = -k |q| (hu) with q = (hu, hv) and k = g n^2 / h^{7/3} gives
  q^{n+1} = q* - dt k |q^{n+1}| q^{n+1}, a quadratic in |q^{n+1}| whose positive root is::

      q^{n+1} = q* f,  f = 2 / (1 + sqrt(1 + 4 a)),  a = dt k |q*| = dt g n^2 |q*| / h^{7/3}

  (the cancellation-free form of (sqrt(1 + 4 a) - 1) / (2 a)); h^{-7/3} is r^7 with
  r = h^{-1/3}. Unlike the semi-implicit 1 / (1 + a) of many codes, whose steady sheet flow
  depends on dt and is too slow where a >> 1 (thin, fast sheets: there 1 / (1 + a) tends to
  1 / a while the root tends to 1 / sqrt(a)), this keeps the exact Manning balance
  |q| = sqrt(S / k) of a forcing S at any dt, and never reverses the flow (0 < f <= 1).

Boundaries, ``bc_codes`` [west, east, south, north] with a ghost cell outside each edge cell:
0 wall (reflective: ghost h, z and tangential velocity of the edge cell, normal velocity negated;
mass and tangential fluxes through the face are exactly 0), 1 free outflow (transmissive: ghost
= edge cell), 2 fixed water level ``bc_levels[side]`` (ghost eta = level, bed of the edge cell,
velocity of the edge cell, 0 where the ghost is dry).

Time step: dt = cfl / max over cells of ((|u| + c)/dx + (|v| + c)/dy); the model uses cfl = 0.45
(unsplit 2-D first order).

Second order (:func:`fv_step_order2`, scratch from :func:`fv_workspace_order2`):

* **MUSCL reconstruction** (van Leer 1979) of the surface eta = h + z, of h and of the velocities
  u, v, with minmod-limited slopes s = minmod(a_{i+1} - a_i, a_i - a_{i-1}) along each axis,
  face values a_i +- s/2. The slopes are 0 (first order) in any cell that has a neighbour along
  the axis with h <= h_dry, or that is itself that dry (wet-dry fronts: positivity), and
  across the boundary in the edge cells (boundary faces are then those of :func:`fv_step`).
  Minmod keeps face depths >= 0.
* **Hydrostatic reconstruction and well-balanced bed term** (Audusse et al. 2004, section 4;
  the same in Liang & Marche 2009, Adv. Water Resour. 32:873): the face states (h, eta, u, v)
  go through the same hydrostatic reconstruction and HLLC flux as at first order, the face bed
  being eta - h (:func:`face_flux_eta`: z* = max(eta_L - h_L, eta_R - h_R), h* = max(0,
  eta - z*)). The cell source of Audusse et al., -g (h_+ + h_-)/2 (z_+ - z_-) with z_+- the face
  beds of the cell, together with the g/2 (h_+^2 - h_-^2) left over from the face pressures,
  makes -g h s_eta (h_+ + h_- = 2 h, eta_+ - eta_- = s_eta): each cell's momentum receives
  -dt/dx g h s_eta_x (and the same along y). At rest (eta equal in the wet cells) s_eta = 0 and
  equal face surfaces give equal h* bitwise: the lake at rest, dry islands included, is kept
  exactly (not only to round-off), as at first order.
* **SSP Runge-Kutta 2 (Heun)** (Shu & Osher 1988; Gottlieb, Shu & Tadmor 2001): U1 = R(U^n +
  dt L(U^n)), U^{n+1} = (U^n + R(U1 + dt L(U1))) / 2, R the implicit Manning friction above
  applied in each stage (with friction only once, after the average, the first stage runs
  without it: in friction-dominated sheet flow its velocities are many times too large, the
  second stage's fluxes with them, and its depths can go negative; 5 mm on a 5 % slope with
  n = 0.05 did). Momentum is set to 0 where a stage leaves h <= h_dry. The returned outflow is
  the mean of the two stages' boundary volumes, so the mass balance closes to round-off.
* **Time step**: the same :func:`fv_stable_dt`, cfl <= 0.45 (each stage is a forward-Euler step
  of the reconstructed scheme, positive for cfl <= 1/2 in the sense of fv_stable_dt: Audusse et
  al. 2004, Perthame & Shu 1996). The speeds are those of U^n, though, and the second stage
  runs with those of U1: where the flow accelerates a lot within dt (sheets at rest on a steep
  slope with little friction: the bed term gives g S dt, which the celerity of a thin sheet
  does not bound) the second stage can exceed the CFL condition. Safeguard: a step that would
  leave a negative (or NaN) depth anywhere is redone with :func:`fv_step` and counted in the
  workspace, the caller's dt unchanged (a dt below about sqrt(cfl dx / (g |grad eta|)) avoids it).
* Cost: two stages, each about 1.5 first-order steps (the reconstruction); same row-block
  structure, threads and determinism.

Arrays are all float64 or all float32 and should be C-contiguous (another layout compiles a
slower, unvectorised version). With float32 the fluxes are still evaluated mostly in float64
(the scalar arguments are float64) and rounded on storing; the lake at rest then holds to
float32 round-off.

Implementation: rows are split into fixed blocks of ROWS_PER_BLOCK rows, processed in parallel
(grids of PARALLEL_MIN_CELLS cells or more); within a block, row after row, the y faces north
of the row, its x faces, then the cell update, with the fluxes kept in small per-thread row
buffers (:func:`fv_workspace`). The loops over faces and cells are branch free so that LLVM
vectorises them (``error_model="numpy"``: no zero-division checks; h^(-1/3) by a Newton
iteration instead of libm's cbrt). Each block's boundary mass fluxes are summed in block order,
so the results do not depend on the number of threads.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

from sim.kernels.bits import bits_float, float_bits

# Boundary codes of ``bc_codes``.
WALL = 0
OUTFLOW = 1
LEVEL = 2
# Rows handled one after the other by one task of the parallel loop; the y faces between two
# blocks are computed by both (1 / ROWS_PER_BLOCK extra y-face work). Fixed, so results do not
# depend on the number of threads.
ROWS_PER_BLOCK = 16
# Grids with fewer cells run on the calling thread: starting threads would cost more than the
# work (about 0.5 ms for this many cells).
PARALLEL_MIN_CELLS = 32768
# Rows of a thread's buffers, each nx + 1 long: the four fluxes (mass, momentum to the left
# cell, momentum to the right cell, tangential momentum) of the y faces south or north of the
# current row (two sets, alternating), the same for its x faces, the velocities (u, v) of two
# rows (alternating), and a ghost row (z, h, normal velocity, tangential velocity).
_Y0, _Y1, _X, _UV0, _UV1, _GH, _N_BUF = 0, 4, 8, 12, 14, 16, 20
# Sets of buffers: one per thread numba may run.
_MAX_THREADS = numba.config.NUMBA_NUM_THREADS
# Magic constant of the inverse cube root's first guess (Moroz et al. 2021, "Fast calculation
# of cube and inverse cube roots using a magic constant and its implementation on
# microcontrollers", Energies 14:1058), then 4 Newton steps: 7e-16 relative over 1e-9..1e5.
_INV_CBRT_MAGIC = 0x553EF0FF289DD796


def n_blocks(ny):
    """Number of row blocks of a grid with ny rows."""
    return max(1, (ny + ROWS_PER_BLOCK - 1) // ROWS_PER_BLOCK)


def fv_workspace(ny, nx, dtype=np.float64):
    """Buffers for :func:`fv_step` on an (ny, nx) grid; allocate once, reuse every step.

    Returns (buffers, sums): buffers float[NUMBA_NUM_THREADS, 20, nx + 1] of ``dtype`` (the
    state's type), one set per possible thread, set c serving a fixed range of row blocks: the
    fluxes of the x faces of the current row and of the y faces south and north of it, the
    velocities of two rows and a ghost row (160 kB per set for nx = 1000); sums
    float64[n_blocks(ny), 4], each row block's boundary mass fluxes [west, east, south, north],
    added up in block order so the result is the same on any number of threads.
    """
    return (np.zeros((_MAX_THREADS, _N_BUF, nx + 1), dtype=dtype),
            np.zeros((n_blocks(ny), 4), dtype=np.float64))


@njit(cache=True, error_model="numpy", inline="always")
def inv_cbrt(x):
    """x^(-1/3) for a positive normal float64: bit-level first guess and 4 Newton steps.

    Branch free and free of calls, so loops using it vectorise (libm cbrt does not).
    """
    # bits(x) / 3 from the high word only (hi / 3 = hi * 0x55555556 >> 32 for hi < 2^31): a
    # 32-bit multiply that vectorises; the low word changes the guess by < 1e-6.
    hi = float_bits(x) >> 32
    r = bits_float(_INV_CBRT_MAGIC - (((hi * 0x55555556) >> 32) << 32))
    third = 1.0 / 3.0
    for _ in range(4):
        r = r * (4.0 - x * (r * r * r)) * third
    return r


@njit(cache=True, error_model="numpy", inline="always")
def velocity(q, h, h_dry):
    """q / h where h > h_dry, else 0 (m s-1)."""
    u = q / h
    return u if h > h_dry else 0.0


@njit(cache=True, error_model="numpy", inline="always")
def face_flux(z_l, h_l, u_l, v_l, z_r, h_r, u_r, v_r, g, h_dry):
    """Hydrostatically reconstructed HLLC flux across one face, left -> right.

    u is the velocity normal to the face (positive towards the right cell), v the tangential one.
    Returns (f_h, f_l, f_r, f_t): mass flux (m2 s-1), normal momentum flux minus g/2 h_L*^2 (taken
    from the left cell) and minus g/2 h_R*^2 (given to the right cell) (m3 s-2), and the flux of
    tangential momentum (m3 s-2); fluxes per unit face length, positive towards the right.
    Written without branches (selects only) so that loops over faces vectorise.
    """
    zs = max(z_l, z_r)
    hl = max(0.0, h_l + z_l - zs)
    hr = max(0.0, h_r + z_r - zs)
    pl = 0.5 * g * hl * hl
    pr = 0.5 * g * hr * hr
    ql = hl * u_l
    qr = hr * u_r
    cl = math.sqrt(g * hl)
    cr = math.sqrt(g * hr)
    # Wave speeds (Toro 2001, ch. 10): two-rarefaction estimate, dry left or right bed.
    u_s = 0.5 * (u_l + u_r) + cl - cr
    c_s = 0.5 * (cl + cr) + 0.25 * (u_l - u_r)
    s_l = min(u_l - cl, u_s - c_s)
    s_r = max(u_r + cr, u_s + c_s)
    dry_l = (hl <= h_dry) & (hl <= hr)
    dry_r = (hr <= h_dry) & (hr < hl)
    s_l = u_r - 2.0 * cr if dry_l else (u_l - cl if dry_r else s_l)
    s_r = u_r + cr if dry_l else (u_l + 2.0 * cl if dry_r else s_r)
    fml = ql * u_l + pl
    fmr = qr * u_r + pr
    a = s_l / (s_r - s_l)
    fh = ql + a * ((ql - qr) + s_r * (hr - hl))
    fm = fml + a * ((fml - fmr) + s_r * (qr - ql))
    ft = fh * (v_l if fh >= 0.0 else v_r)  # sign(S*) = sign(F_h^HLL)
    left = s_l >= 0.0
    right = s_r <= 0.0
    fh = ql if left else (qr if right else fh)
    fm = fml if left else (fmr if right else fm)
    ft = ql * v_l if left else (qr * v_r if right else ft)
    if hl + hr <= 0.0:  # both dry
        return 0.0, 0.0, 0.0, 0.0
    return fh, fm - pl, fm - pr, ft


@njit(cache=True, error_model="numpy")
def ghost(code, level, z_e, h_e, un_e, ut_e, h_dry):
    """Ghost cell (z, h, u_normal, u_tangential) outside an edge cell, for boundary ``code``."""
    if code == LEVEL:
        hg = max(0.0, level - z_e)
        if hg > h_dry:
            return z_e, hg, un_e, ut_e
        return z_e, hg, 0.0, 0.0
    if code == WALL:
        return z_e, h_e + 0.0, -un_e, ut_e
    return z_e, h_e + 0.0, un_e, ut_e


@njit(cache=True, error_model="numpy")
def _faces(zl, hl, ul, vl, zr, hr, ur, vr, g, h_dry, fh, fl, fr, ft):
    """:func:`face_flux` of n faces, from left cells (zl, hl, ul, vl)[i] and right cells [i].

    All arguments but g and h_dry are float[n]: u the normal, v the tangential velocity; the
    fluxes are written into fh, fl, fr, ft. The one loop over faces of the solver (vectorised).
    """
    for i in range(fh.size):
        fh[i], fl[i], fr[i], ft[i] = face_flux(zl[i], hl[i], ul[i], vl[i], zr[i], hr[i], ur[i], vr[i], g, h_dry)


@njit(cache=True, error_model="numpy")
def _velocities(h, hu, hv, j, h_dry, wb):
    """u, v of row j into the velocity rows of parity j & 1 of the thread's buffers wb."""
    k = _UV0 if (j & 1) == 0 else _UV1
    for i in range(h.shape[1]):
        hc = h[j, i]
        wb[k, i] = velocity(hu[j, i], hc, h_dry)
        wb[k + 1, i] = velocity(hv[j, i], hc, h_dry)


@njit(cache=True, error_model="numpy")
def _y_faces(z, h, j, g, h_dry, bc_codes, bc_levels, wb, k0):
    """Fluxes of the faces between rows j - 1 and j (ghost rows at 0 and ny) into wb[k0:k0+4].

    Needs the velocities of those of rows j - 1 and j that exist in wb's velocity rows.
    """
    ny, nx = h.shape
    if 0 < j < ny:
        ks = _UV0 if ((j - 1) & 1) == 0 else _UV1
        kn = _UV1 if ks == _UV0 else _UV0
        _faces(z[j - 1], h[j - 1], wb[ks + 1], wb[ks], z[j], h[j], wb[kn + 1], wb[kn], g, h_dry,
               wb[k0, :nx], wb[k0 + 1, :nx], wb[k0 + 2, :nx], wb[k0 + 3, :nx])
        return
    side = 2 if j == 0 else 3
    je = 0 if j == 0 else ny - 1
    ke = _UV0 if (je & 1) == 0 else _UV1
    code = bc_codes[side]
    for i in range(nx):
        zg, hg, vg, ug = ghost(code, bc_levels[side], z[je, i], h[je, i], wb[ke + 1, i], wb[ke, i], h_dry)
        wb[_GH, i] = zg
        wb[_GH + 1, i] = hg
        wb[_GH + 2, i] = vg
        wb[_GH + 3, i] = ug
    ze, he, ve, ue = z[je], h[je], wb[ke + 1, :nx], wb[ke, :nx]
    zg, hg, vg, ug = wb[_GH, :nx], wb[_GH + 1, :nx], wb[_GH + 2, :nx], wb[_GH + 3, :nx]
    fh, fl, fr, ft = wb[k0, :nx], wb[k0 + 1, :nx], wb[k0 + 2, :nx], wb[k0 + 3, :nx]
    if j == 0:
        _faces(zg, hg, vg, ug, ze, he, ve, ue, g, h_dry, fh, fl, fr, ft)
    else:
        _faces(ze, he, ve, ue, zg, hg, vg, ug, g, h_dry, fh, fl, fr, ft)
    if code == WALL:
        for i in range(nx):
            fh[i] = 0.0
            ft[i] = 0.0


@njit(cache=True, error_model="numpy")
def _x_faces(z, h, j, g, h_dry, bc_codes, bc_levels, wb):
    """Fluxes of the nx + 1 faces of row j (ghost cells west and east) into wb[8:12]."""
    nx = h.shape[1]
    k = _UV0 if (j & 1) == 0 else _UV1
    zj, hj, uj, vj = z[j], h[j], wb[k, :nx], wb[k + 1, :nx]
    fh, fl, fr, ft = wb[_X], wb[_X + 1], wb[_X + 2], wb[_X + 3]
    _faces(zj[:nx - 1], hj[:nx - 1], uj[:nx - 1], vj[:nx - 1], zj[1:], hj[1:], uj[1:], vj[1:], g, h_dry,
           fh[1:nx], fl[1:nx], fr[1:nx], ft[1:nx])
    for side in range(2):
        ie = 0 if side == 0 else nx - 1
        zg, hg, ug, vg = ghost(bc_codes[side], bc_levels[side], zj[ie], hj[ie], uj[ie], vj[ie], h_dry)
        wb[_GH, side] = zg
        wb[_GH + 1, side] = hg
        wb[_GH + 2, side] = ug
        wb[_GH + 3, side] = vg
    zg, hg, ug, vg = wb[_GH], wb[_GH + 1], wb[_GH + 2], wb[_GH + 3]
    _faces(zg[:1], hg[:1], ug[:1], vg[:1], zj[:1], hj[:1], uj[:1], vj[:1], g, h_dry, fh[:1], fl[:1], fr[:1], ft[:1])
    _faces(zj[nx - 1:], hj[nx - 1:], uj[nx - 1:], vj[nx - 1:], zg[1:2], hg[1:2], ug[1:2], vg[1:2], g, h_dry,
           fh[nx:], fl[nx:], fr[nx:], ft[nx:])
    for side in range(2):
        if bc_codes[side] == WALL:
            f = 0 if side == 0 else nx
            fh[f] = 0.0
            ft[f] = 0.0


@njit(cache=True, error_model="numpy")
def implicit_friction_factor(a):
    """f = 2 / (1 + sqrt(1 + 4 a)): q^{n+1} = f q* solves q = q* - dt k |q| q (see the module notes)."""
    return 2.0 / (1.0 + math.sqrt(1.0 + 4.0 * a))


@njit(cache=True, error_model="numpy")
def manning_factor(h, q_x, q_y, n, gdt):
    """f of :func:`implicit_friction_factor` for a cell of depth h > 0 and discharge (q_x, q_y):
    a = g dt n^2 |q| / h^(7/3), with 1 / h^(7/3) = r^7 and r = h^(-1/3) (no pow call)."""
    r = inv_cbrt(h)
    r2 = r * r
    r7 = r2 * r2 * r2 * r
    return implicit_friction_factor(gdt * n * n * math.sqrt(q_x * q_x + q_y * q_y) * r7)


@njit(cache=True, error_model="numpy")
def _update_row(h, hu, hv, n_manning, j, lx, ly, gdt, h_dry, wb, ks, kn, h_out, hu_out, hv_out):
    """Flux divergence and implicit Manning friction for the cells of row j."""
    for i in range(h.shape[1]):
        hn = h[j, i] - (lx * (wb[_X, i + 1] - wb[_X, i]) + ly * (wb[kn, i] - wb[ks, i]))
        hun = hu[j, i] - (lx * (wb[_X + 1, i + 1] - wb[_X + 2, i]) + ly * (wb[kn + 3, i] - wb[ks + 3, i]))
        hvn = hv[j, i] - (lx * (wb[_X + 3, i + 1] - wb[_X + 3, i]) + ly * (wb[kn + 1, i] - wb[ks + 2, i]))
        wet = hn > h_dry
        f = manning_factor(hn if wet else 1.0, hun, hvn, n_manning[j, i], gdt)
        h_out[j, i] = hn
        hu_out[j, i] = hun * f if wet else 0.0
        hv_out[j, i] = hvn * f if wet else 0.0


@njit(cache=True, error_model="numpy")
def _block(z, h, hu, hv, n_manning, b, rows, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, wb, sums, h_out, hu_out,
           hv_out):
    """Rows [b rows, (b + 1) rows) of :func:`fv_step` with the thread's buffers wb; boundary
    mass fluxes into sums[b]."""
    ny, nx = h.shape
    j0 = b * rows
    j1 = min(ny, j0 + rows)
    for k in range(4):
        sums[b, k] = 0.0
    for j in range(j0, j1):
        ks = _Y0 if ((j - j0) & 1) == 0 else _Y1  # fluxes of the faces south of row j
        kn = _Y1 if ks == _Y0 else _Y0  # and north of it
        if j == j0:
            if j0 > 0:
                _velocities(h, hu, hv, j0 - 1, h_dry, wb)
            _velocities(h, hu, hv, j0, h_dry, wb)
            _y_faces(z, h, j0, g, h_dry, bc_codes, bc_levels, wb, ks)
            if j0 == 0:
                s = 0.0
                for i in range(nx):
                    s += wb[ks, i]
                sums[b, 2] = s
        if j + 1 < ny:
            _velocities(h, hu, hv, j + 1, h_dry, wb)
        _y_faces(z, h, j + 1, g, h_dry, bc_codes, bc_levels, wb, kn)
        _x_faces(z, h, j, g, h_dry, bc_codes, bc_levels, wb)
        sums[b, 0] += wb[_X, 0]
        sums[b, 1] += wb[_X, nx]
        if j == ny - 1:
            s = 0.0
            for i in range(nx):
                s += wb[kn, i]
            sums[b, 3] = s
        _update_row(h, hu, hv, n_manning, j, lx, ly, gdt, h_dry, wb, ks, kn, h_out, hu_out, hv_out)


@njit(cache=True, error_model="numpy")
def _blocks(z, h, hu, hv, n_manning, c, n_sets, nb, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, wb, sums, h_out,
            hu_out, hv_out):
    """The row blocks [c nb / n_sets, (c + 1) nb / n_sets) one after the other, buffers wb."""
    for b in range(c * nb // n_sets, (c + 1) * nb // n_sets):
        _block(z, h, hu, hv, n_manning, b, ROWS_PER_BLOCK, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, wb, sums,
               h_out, hu_out, hv_out)


@njit(cache=True, parallel=True, error_model="numpy")
def fv_step(z, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels, h_out, hu_out, hv_out,
            workspace=None):
    """One explicit unsplit first-order step U^n -> U^{n+1}; returns the volume that left (m3).

    z, h, hu, hv, n_manning : float[ny, nx] bed (m), depth (m), unit discharges (m2 s-1), Manning
    n (s m-1/3); dt (s), dx, dy (m), g (m s-2), h_dry (m); bc_codes : int64[4], bc_levels :
    float[4] for [west, east, south, north] (module docstring); h_out, hu_out, hv_out :
    float[ny, nx] written (must not alias the inputs). ``workspace``: the (buffers, sums) of
    :func:`fv_workspace` (ny, nx, dtype), made once and reused every step; when omitted they are
    allocated on every call (small: 20 (nx + 1) values per thread).

    The returned volume is dt times the boundary mass fluxes times the face lengths, positive
    out of the domain (negative for inflow): sum(h_out - h) dx dy = -returned, to round-off.
    Rows are processed in fixed blocks, in parallel; the result does not depend on the number of
    threads.
    """
    ny, nx = h.shape
    nb = max(1, (ny + ROWS_PER_BLOCK - 1) // ROWS_PER_BLOCK)
    if workspace is None:
        bufs = np.empty((_MAX_THREADS, _N_BUF, nx + 1), dtype=h.dtype)
        sums = np.empty((nb, 4))
    else:
        bufs, sums = workspace
    if bufs.shape[2] < nx + 1 or sums.shape[0] != nb:
        raise ValueError("fv_step: workspace not made by fv_workspace(ny, nx) for this grid")
    n_sets = bufs.shape[0]
    lx = dt / dx
    ly = dt / dy
    gdt = g * dt
    # Set c of buffers serves the blocks [c nb / n_sets, (c + 1) nb / n_sets), one after the other.
    if ny * nx >= PARALLEL_MIN_CELLS:
        for c in prange(n_sets):
            _blocks(z, h, hu, hv, n_manning, c, n_sets, nb, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, bufs[c], sums,
                    h_out, hu_out, hv_out)
    else:
        for c in range(n_sets):
            _blocks(z, h, hu, hv, n_manning, c, n_sets, nb, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, bufs[c], sums,
                    h_out, hu_out, hv_out)
    west = 0.0
    east = 0.0
    south = 0.0
    north = 0.0
    for b in range(nb):
        west += sums[b, 0]
        east += sums[b, 1]
        south += sums[b, 2]
        north += sums[b, 3]
    return dt * (dy * (east - west) + dx * (north - south))


@njit(cache=True, error_model="numpy")
def _row_speed(h, hu, hv, j, rdx, rdy, g, h_dry):
    """max over row j of (|u| + c)/dx + (|v| + c)/dy (s-1), written so that it vectorises."""
    m = 0.0
    for i in range(h.shape[1]):
        hc = h[j, i]
        wet = hc > h_dry
        inv = 1.0 / hc
        au = abs(hu[j, i]) * inv if wet else 0.0
        av = abs(hv[j, i]) * inv if wet else 0.0
        c = math.sqrt(g * (hc if hc > 0.0 else 0.0))
        s = (au + c) * rdx + (av + c) * rdy
        m = s if s > m else m
    return m


@njit(cache=True, parallel=True, error_model="numpy")
def fv_stable_dt(h, hu, hv, dx, dy, cfl, g, h_dry):
    """dt = cfl / max over cells of ((|u| + c)/dx + (|v| + c)/dy) (s); inf when no cell holds water.

    h, hu, hv : float[ny, nx]; u, v = 0 where h <= h_dry, c = sqrt(g h) everywhere.
    """
    ny = h.shape[0]
    rdx = 1.0 / dx
    rdy = 1.0 / dy
    m = 0.0
    if ny * h.shape[1] >= PARALLEL_MIN_CELLS:
        for j in prange(ny):
            m = max(m, _row_speed(h, hu, hv, np.int64(j), rdx, rdy, g, h_dry))
    else:
        for j in range(ny):
            m = max(m, _row_speed(h, hu, hv, np.int64(j), rdx, rdy, g, h_dry))
    if m <= 0.0:
        return math.inf
    return cfl / m


# ------------------------------------------------------------------------------------------------
# Second order: MUSCL-minmod reconstruction of (eta, h, u, v), SSP-RK2 (Heun) in time.
# ------------------------------------------------------------------------------------------------
# Rows of a thread's buffers for :func:`fv_step_order2`, each nx + 1 long:
# - velocities (u, v) of four rows, ring slot r & 3 at _V2 + 2 (r & 3);
# - reconstructed y-face states of two rows, ring slot r & 1 at _YS2 + 9 (r & 1): north face
#   (h, eta, v normal, u tangential), south face (same), and the row's y bed-and-pressure term
#   g h s_eta_y;
# - the fluxes of the y faces south or north of the current row (two sets, alternating);
# - the x-face states of the current row: east face (h, eta, u normal, v tangential), west face
#   (same), and the row's x term g h s_eta_x;
# - the fluxes of its x faces, and a ghost row.
_V2, _YS2, _YF2, _XS2, _XF2, _GH2, _N_BUF2 = 0, 8, 26, 34, 43, 47, 51


def fv_workspace_order2(ny, nx, dtype=np.float64):
    """Scratch of :func:`fv_step_order2` on an (ny, nx) grid; allocate once, reuse every step.

    Returns (buffers, sums, stage, fallbacks): buffers float[NUMBA_NUM_THREADS, 51, nx + 1] of
    ``dtype`` (the state's type), one set per possible thread (reconstructed face states, fluxes
    and velocities of a few rows: 408 kB per set for nx = 1000); sums float64[n_blocks(ny), 5],
    each row block's boundary mass fluxes of a stage and its count of negative depths; stage
    float[3, ny, nx] of ``dtype``, the intermediate state (h, hu, hv) of the Runge-Kutta step
    (3 ny nx values: 24 MB in float64 for 1000 x 1000); fallbacks int64[1], the number of steps
    so far that were redone at first order (:func:`fv_step_order2`).
    """
    return (np.zeros((_MAX_THREADS, _N_BUF2, nx + 1), dtype=dtype),
            np.zeros((n_blocks(ny), 5), dtype=np.float64),
            np.zeros((3, ny, nx), dtype=dtype),
            np.zeros(1, dtype=np.int64))


@njit(cache=True, error_model="numpy", inline="always")
def minmod(a, b):
    """The smaller in magnitude of a and b if they have the same sign, else 0 (branch free)."""
    return max(0.0, min(a, b)) + min(0.0, max(a, b))


@njit(cache=True, error_model="numpy", inline="always")
def face_flux_eta(e_l, h_l, u_l, v_l, e_r, h_r, u_r, v_r, g, h_dry):
    """:func:`face_flux` of face states given by their surface e = h + z instead of their bed.

    The face bed z* = max(e_l - h_l, e_r - h_r) and h* = max(0, e - z*): for equal surfaces
    e_l = e_r both sides get the same h* bitwise, so the lake at rest is kept exactly. Then the
    HLLC flux of :func:`face_flux` on a flat bed (z = 0: its hydrostatic step is the identity).
    """
    zs = max(e_l - h_l, e_r - h_r)
    hl = max(0.0, e_l - zs)
    hr = max(0.0, e_r - zs)
    return face_flux(0.0, hl, u_l, v_l, 0.0, hr, u_r, v_r, g, h_dry)


@njit(cache=True, error_model="numpy")
def ghost_eta(code, level, e_e, h_e, un_e, ut_e, h_dry):
    """:func:`ghost` (e, h, u_normal, u_tangential) outside an edge face state of surface e_e:
    the same surface (wall, free outflow) or the level over the bed e_e - h_e (fixed level)."""
    zg, hg, ung, utg = ghost(code, level, e_e - h_e, h_e, un_e, ut_e, h_dry)
    eg = max(level, zg) if code == LEVEL else e_e + 0.0
    return eg, hg, ung, utg


@njit(cache=True, error_model="numpy")
def _faces2(el, hl, ul, vl, er, hr, ur, vr, g, h_dry, fh, fl, fr, ft):
    """:func:`face_flux_eta` of n faces (as :func:`_faces`, surfaces e instead of beds)."""
    for i in range(fh.size):
        fh[i], fl[i], fr[i], ft[i] = face_flux_eta(el[i], hl[i], ul[i], vl[i], er[i], hr[i], ur[i], vr[i], g, h_dry)


@njit(cache=True, error_model="numpy")
def _recon_depth(hs, h0, hn, zs, z0, zn, g, h_dry, hp, ep, hm, em, src):
    """MUSCL-minmod depth and surface of n cells from their neighbours on the - side (s) and the
    + side (n).

    Inputs float[n]: depths h and beds z of the cells (0) and of their neighbours; slopes of
    e = h + z and of h by minmod, 0 unless the three cells are wet (h > h_dry). Writes h and e on
    the + face (hp, ep) and on the - face (hm, em), and the bed-and-pressure term g h0 s_e.
    Vectorised (slices as arguments, as in :func:`_faces`; few enough for LLVM's alias checks).
    """
    for i in range(hp.size):
        hs_ = hs[i]
        h0_ = h0[i]
        hn_ = hn[i]
        es = hs_ + zs[i]
        e0 = h0_ + z0[i]
        en = hn_ + zn[i]
        wet = (hs_ > h_dry) & (h0_ > h_dry) & (hn_ > h_dry)
        s_e = minmod(en - e0, e0 - es)
        s_h = minmod(hn_ - h0_, h0_ - hs_)
        s_e = s_e if wet else 0.0
        d_e = 0.5 * s_e
        d_h = 0.5 * s_h if wet else 0.0
        hp[i] = h0_ + d_h
        ep[i] = e0 + d_e
        hm[i] = h0_ - d_h
        em[i] = e0 - d_e
        src[i] = g * h0_ * s_e


@njit(cache=True, error_model="numpy")
def _recon_velocity(hs, h0, hn, as_, a0, an, bs, b0, bn, h_dry, ap, bp, am, bm):
    """MUSCL-minmod normal (a) and tangential (b) velocities of n cells, as :func:`_recon_depth`:
    a and b on the + face (ap, bp) and on the - face (am, bm)."""
    for i in range(ap.size):
        a0_ = a0[i]
        b0_ = b0[i]
        wet = (hs[i] > h_dry) & (h0[i] > h_dry) & (hn[i] > h_dry)
        s_a = minmod(an[i] - a0_, a0_ - as_[i])
        s_b = minmod(bn[i] - b0_, b0_ - bs[i])
        d_a = 0.5 * s_a if wet else 0.0
        d_b = 0.5 * s_b if wet else 0.0
        ap[i] = a0_ + d_a
        bp[i] = b0_ + d_b
        am[i] = a0_ - d_a
        bm[i] = b0_ - d_b


@njit(cache=True, error_model="numpy")
def _vel_row2(h, hu, hv, r, h_dry, wb):
    """u, v of row r into ring slot r & 3 of the thread's buffers wb."""
    k = _V2 + 2 * (r & 3)
    for i in range(h.shape[1]):
        hc = h[r, i]
        wb[k, i] = velocity(hu[r, i], hc, h_dry)
        wb[k + 1, i] = velocity(hv[r, i], hc, h_dry)


@njit(cache=True, error_model="numpy")
def _y_states2(z, h, r, g, h_dry, wb):
    """Reconstructed north and south face states (h, e, v, u) of the cells of row r, and
    g h s_eta_y, into y-state slot r & 1; needs the velocities of rows r - 1, r, r + 1."""
    ny, nx = h.shape
    k = _YS2 + 9 * (r & 1)
    kv = _V2 + 2 * (r & 3)
    if 0 < r < ny - 1:
        ks = _V2 + 2 * ((r - 1) & 3)
        kn = _V2 + 2 * ((r + 1) & 3)
        _recon_depth(h[r - 1], h[r], h[r + 1], z[r - 1], z[r], z[r + 1], g, h_dry, wb[k, :nx], wb[k + 1, :nx],
                     wb[k + 4, :nx], wb[k + 5, :nx], wb[k + 8, :nx])
        _recon_velocity(h[r - 1], h[r], h[r + 1], wb[ks + 1, :nx], wb[kv + 1, :nx], wb[kn + 1, :nx], wb[ks, :nx],
                        wb[kv, :nx], wb[kn, :nx], h_dry, wb[k + 2, :nx], wb[k + 3, :nx], wb[k + 6, :nx],
                        wb[k + 7, :nx])
    else:  # an edge row: no slope across the boundary (first order there)
        for i in range(nx):
            h0 = h[r, i]
            e0 = h0 + z[r, i]
            u0 = wb[kv, i]
            v0 = wb[kv + 1, i]
            wb[k, i] = h0
            wb[k + 1, i] = e0
            wb[k + 2, i] = v0
            wb[k + 3, i] = u0
            wb[k + 4, i] = h0
            wb[k + 5, i] = e0
            wb[k + 6, i] = v0
            wb[k + 7, i] = u0
            wb[k + 8, i] = 0.0


@njit(cache=True, error_model="numpy")
def _y_faces2(ny, nx, j, g, h_dry, bc_codes, bc_levels, wb, k0):
    """Fluxes of the faces between rows j - 1 and j (ghost rows at 0 and ny) into wb[k0:k0+4],
    from the north states of row j - 1 and the south states of row j."""
    fh, fl, fr, ft = wb[k0, :nx], wb[k0 + 1, :nx], wb[k0 + 2, :nx], wb[k0 + 3, :nx]
    if 0 < j < ny:
        a = _YS2 + 9 * ((j - 1) & 1)  # north states of row j - 1: h, e, v, u at a .. a + 3
        b = _YS2 + 9 * (j & 1) + 4  # south states of row j
        _faces2(wb[a + 1, :nx], wb[a, :nx], wb[a + 2, :nx], wb[a + 3, :nx],
                wb[b + 1, :nx], wb[b, :nx], wb[b + 2, :nx], wb[b + 3, :nx], g, h_dry, fh, fl, fr, ft)
        return
    side = 2 if j == 0 else 3
    e = _YS2 + 9 * ((0 if j == 0 else ny - 1) & 1) + (4 if j == 0 else 0)
    code = bc_codes[side]
    for i in range(nx):
        eg, hg, vg, ug = ghost_eta(code, bc_levels[side], wb[e + 1, i], wb[e, i], wb[e + 2, i], wb[e + 3, i], h_dry)
        wb[_GH2, i] = eg
        wb[_GH2 + 1, i] = hg
        wb[_GH2 + 2, i] = vg
        wb[_GH2 + 3, i] = ug
    ee, he, ve, ue = wb[e + 1, :nx], wb[e, :nx], wb[e + 2, :nx], wb[e + 3, :nx]
    eg, hg, vg, ug = wb[_GH2, :nx], wb[_GH2 + 1, :nx], wb[_GH2 + 2, :nx], wb[_GH2 + 3, :nx]
    if j == 0:
        _faces2(eg, hg, vg, ug, ee, he, ve, ue, g, h_dry, fh, fl, fr, ft)
    else:
        _faces2(ee, he, ve, ue, eg, hg, vg, ug, g, h_dry, fh, fl, fr, ft)
    if code == WALL:
        for i in range(nx):
            fh[i] = 0.0
            ft[i] = 0.0


@njit(cache=True, error_model="numpy")
def _x_faces2(z, h, j, g, h_dry, bc_codes, bc_levels, wb):
    """Reconstructed east and west face states (h, e, u, v) of the cells of row j, g h s_eta_x,
    and the fluxes of its nx + 1 x faces (ghost cells west and east) into wb[_XF2:_XF2 + 4]."""
    nx = h.shape[1]
    kv = _V2 + 2 * (j & 3)
    k = _XS2
    if nx > 2:
        hj = h[j]
        zj = z[j]
        uj = wb[kv, :nx]
        vj = wb[kv + 1, :nx]
        _recon_depth(hj[:nx - 2], hj[1:nx - 1], hj[2:], zj[:nx - 2], zj[1:nx - 1], zj[2:], g, h_dry,
                     wb[k, 1:nx - 1], wb[k + 1, 1:nx - 1], wb[k + 4, 1:nx - 1], wb[k + 5, 1:nx - 1],
                     wb[k + 8, 1:nx - 1])
        _recon_velocity(hj[:nx - 2], hj[1:nx - 1], hj[2:], uj[:nx - 2], uj[1:nx - 1], uj[2:], vj[:nx - 2],
                        vj[1:nx - 1], vj[2:], h_dry, wb[k + 2, 1:nx - 1], wb[k + 3, 1:nx - 1],
                        wb[k + 6, 1:nx - 1], wb[k + 7, 1:nx - 1])
    for side in range(2):  # the edge cells: no slope across the boundary (first order there)
        ie = 0 if side == 0 else nx - 1
        h0 = h[j, ie]
        e0 = h0 + z[j, ie]
        for q in range(2):
            wb[k + 4 * q, ie] = h0
            wb[k + 4 * q + 1, ie] = e0
            wb[k + 4 * q + 2, ie] = wb[kv, ie]
            wb[k + 4 * q + 3, ie] = wb[kv + 1, ie]
        wb[k + 8, ie] = 0.0
    fh, fl, fr, ft = wb[_XF2], wb[_XF2 + 1], wb[_XF2 + 2], wb[_XF2 + 3]
    he_, ee_, ue_, ve_ = wb[k, :nx], wb[k + 1, :nx], wb[k + 2, :nx], wb[k + 3, :nx]
    hw_, ew_, uw_, vw_ = wb[k + 4, :nx], wb[k + 5, :nx], wb[k + 6, :nx], wb[k + 7, :nx]
    _faces2(ee_[:nx - 1], he_[:nx - 1], ue_[:nx - 1], ve_[:nx - 1], ew_[1:], hw_[1:], uw_[1:], vw_[1:], g, h_dry,
            fh[1:nx], fl[1:nx], fr[1:nx], ft[1:nx])
    eg, hg, ug, vg = ghost_eta(bc_codes[0], bc_levels[0], ew_[0], hw_[0], uw_[0], vw_[0], h_dry)
    wb[_GH2, 0] = eg
    wb[_GH2 + 1, 0] = hg
    wb[_GH2 + 2, 0] = ug
    wb[_GH2 + 3, 0] = vg
    eg, hg, ug, vg = ghost_eta(bc_codes[1], bc_levels[1], ee_[nx - 1], he_[nx - 1], ue_[nx - 1], ve_[nx - 1], h_dry)
    wb[_GH2, 1] = eg
    wb[_GH2 + 1, 1] = hg
    wb[_GH2 + 2, 1] = ug
    wb[_GH2 + 3, 1] = vg
    eg_, hg_, ug_, vg_ = wb[_GH2], wb[_GH2 + 1], wb[_GH2 + 2], wb[_GH2 + 3]
    _faces2(eg_[:1], hg_[:1], ug_[:1], vg_[:1], ew_[:1], hw_[:1], uw_[:1], vw_[:1], g, h_dry,
            fh[:1], fl[:1], fr[:1], ft[:1])
    _faces2(ee_[nx - 1:], he_[nx - 1:], ue_[nx - 1:], ve_[nx - 1:], eg_[1:2], hg_[1:2], ug_[1:2], vg_[1:2], g, h_dry,
            fh[nx:nx + 1], fl[nx:nx + 1], fr[nx:nx + 1], ft[nx:nx + 1])
    for side in range(2):
        if bc_codes[side] == WALL:
            f = 0 if side == 0 else nx
            fh[f] = 0.0
            ft[f] = 0.0


@njit(cache=True, error_model="numpy")
def _update_row2(h, hu, hv, h0, hu0, hv0, n_manning, j, lx, ly, gdt, h_dry, wb, ks, kn, w0, h_out, hu_out,
                 hv_out):
    """Row j of a Runge-Kutta stage from U = (h, hu, hv): U* = U + dt L(U), with the bed-and-
    pressure terms g h s_eta of the reconstruction, then implicit Manning friction on U*
    (momentum 0 where h* <= h_dry), then out = w0 U^n + (1 - w0) U* with U^n = (h0, hu0, hv0):
    w0 = 0 in stage 1, 1/2 in stage 2 (momentum 0 where out h <= h_dry). Returns the number of
    cells whose out h is negative or NaN."""
    sx = wb[_XS2 + 8]
    sy = wb[_YS2 + 9 * (j & 1) + 8]
    fx = _XF2
    w1 = 1.0 - w0
    bad = 0
    for i in range(h.shape[1]):
        hn = h[j, i] - (lx * (wb[fx, i + 1] - wb[fx, i]) + ly * (wb[kn, i] - wb[ks, i]))
        hun = hu[j, i] - (lx * ((wb[fx + 1, i + 1] - wb[fx + 2, i]) + sx[i]) + ly * (wb[kn + 3, i] - wb[ks + 3, i]))
        hvn = hv[j, i] - (lx * (wb[fx + 3, i + 1] - wb[fx + 3, i]) + ly * ((wb[kn + 1, i] - wb[ks + 2, i]) + sy[i]))
        wet = hn > h_dry
        f = manning_factor(hn if wet else 1.0, hun, hvn, n_manning[j, i], gdt)
        hun = hun * f if wet else 0.0
        hvn = hvn * f if wet else 0.0
        ho = w0 * h0[j, i] + w1 * hn
        huo = w0 * hu0[j, i] + w1 * hun
        hvo = w0 * hv0[j, i] + w1 * hvn
        wet = ho > h_dry
        bad += 0 if ho >= 0.0 else 1
        h_out[j, i] = ho
        hu_out[j, i] = huo if wet else 0.0
        hv_out[j, i] = hvo if wet else 0.0
    return bad


@njit(cache=True, error_model="numpy")
def _block2(z, h, hu, hv, h0, hu0, hv0, n_manning, b, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, w0, wb, sums,
            h_out, hu_out, hv_out):
    """Rows [b R, (b + 1) R) (R = ROWS_PER_BLOCK) of one stage of :func:`fv_step_order2` with the
    thread's buffers wb; the block's boundary mass fluxes into sums[b, :4], its number of
    negative (or NaN) depths into sums[b, 4]."""
    ny, nx = h.shape
    j0 = b * ROWS_PER_BLOCK
    j1 = min(ny, j0 + ROWS_PER_BLOCK)
    for k in range(5):
        sums[b, k] = 0.0
    for r in range(max(0, j0 - 2), min(ny, j0 + 2)):
        _vel_row2(h, hu, hv, r, h_dry, wb)
    if j0 > 0:
        _y_states2(z, h, j0 - 1, g, h_dry, wb)
    _y_states2(z, h, j0, g, h_dry, wb)
    for j in range(j0, j1):
        ks = _YF2 if ((j - j0) & 1) == 0 else _YF2 + 4  # fluxes of the faces south of row j
        kn = _YF2 + 4 if ks == _YF2 else _YF2  # and north of it
        if j == j0:
            _y_faces2(ny, nx, j0, g, h_dry, bc_codes, bc_levels, wb, ks)
            if j0 == 0:
                s = 0.0
                for i in range(nx):
                    s += wb[ks, i]
                sums[b, 2] = s
        if j + 2 < ny:
            _vel_row2(h, hu, hv, j + 2, h_dry, wb)
        if j + 1 < ny:
            _y_states2(z, h, j + 1, g, h_dry, wb)
        _y_faces2(ny, nx, j + 1, g, h_dry, bc_codes, bc_levels, wb, kn)
        _x_faces2(z, h, j, g, h_dry, bc_codes, bc_levels, wb)
        sums[b, 0] += wb[_XF2, 0]
        sums[b, 1] += wb[_XF2, nx]
        if j == ny - 1:
            s = 0.0
            for i in range(nx):
                s += wb[kn, i]
            sums[b, 3] = s
        sums[b, 4] += _update_row2(h, hu, hv, h0, hu0, hv0, n_manning, j, lx, ly, gdt, h_dry, wb, ks, kn, w0,
                                   h_out, hu_out, hv_out)


@njit(cache=True, error_model="numpy")
def _blocks2(z, h, hu, hv, h0, hu0, hv0, n_manning, c, n_sets, nb, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, w0,
             wb, sums, h_out, hu_out, hv_out):
    """The row blocks [c nb / n_sets, (c + 1) nb / n_sets) of a stage one after the other."""
    for b in range(c * nb // n_sets, (c + 1) * nb // n_sets):
        _block2(z, h, hu, hv, h0, hu0, hv0, n_manning, b, lx, ly, gdt, g, h_dry, bc_codes, bc_levels, w0, wb,
                sums, h_out, hu_out, hv_out)


@njit(cache=True, error_model="numpy")
def _boundary_volume(sums, nb, dt, dx, dy):
    """dt times the boundary mass fluxes of sums[:nb] (added in block order) times the face lengths."""
    west = 0.0
    east = 0.0
    south = 0.0
    north = 0.0
    for b in range(nb):
        west += sums[b, 0]
        east += sums[b, 1]
        south += sums[b, 2]
        north += sums[b, 3]
    return dt * (dy * (east - west) + dx * (north - south))


@njit(cache=True, parallel=True, error_model="numpy")
def _stage2(z, h, hu, hv, h0, hu0, hv0, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels, w0, bufs, sums,
            h_out, hu_out, hv_out):
    """One Runge-Kutta stage of :func:`fv_step_order2` over all row blocks (in parallel on large
    grids); returns the stage's boundary volume dt (dy (east - west) + dx (north - south)) and
    the number of cells it left with a negative or NaN depth."""
    ny, nx = h.shape
    nb = sums.shape[0]
    n_sets = bufs.shape[0]
    lx = dt / dx
    ly = dt / dy
    gdt = g * dt
    # Set c of buffers serves the blocks [c nb / n_sets, (c + 1) nb / n_sets), one after the other.
    if ny * nx >= PARALLEL_MIN_CELLS:
        for c in prange(n_sets):
            _blocks2(z, h, hu, hv, h0, hu0, hv0, n_manning, np.int64(c), n_sets, nb, lx, ly, gdt, g, h_dry, bc_codes,
                     bc_levels, w0, bufs[c], sums, h_out, hu_out, hv_out)
    else:
        for c in range(n_sets):
            _blocks2(z, h, hu, hv, h0, hu0, hv0, n_manning, c, n_sets, nb, lx, ly, gdt, g, h_dry, bc_codes, bc_levels,
                     w0, bufs[c], sums, h_out, hu_out, hv_out)
    bad = 0.0
    for b in range(nb):
        bad += sums[b, 4]
    return _boundary_volume(sums, nb, dt, dx, dy), bad


@njit(cache=True, error_model="numpy")
def fv_step_order2(z, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels, h_out, hu_out, hv_out,
                   workspace2=None):
    """One second-order step U^n -> U^{n+1} (MUSCL-minmod, SSP-RK2); returns the volume that left (m3).

    Arguments as :func:`fv_step`; ``workspace2``: the (buffers, sums, stage, fallbacks) of
    :func:`fv_workspace_order2` (ny, nx, dtype), made once and reused every step (when omitted,
    allocated on every call: 3 ny nx values for the intermediate state). h_out, hu_out, hv_out
    must not alias the inputs nor the workspace. dt from :func:`fv_stable_dt`, cfl <= 0.45.

    Stage 1: U1 = R(U^n + dt L(U^n)); stage 2: U^{n+1} = (U^n + R(U1 + dt L(U1))) / 2, with L the
    fluxes and bed terms of the reconstructed states (module docstring, second order) and R the
    implicit Manning friction of :func:`fv_step` (momentum 0 where h <= h_dry), applied in
    each stage. The returned volume is the mean of the two stages' boundary volumes, so that
    sum(h_out - h) dx dy = -returned, to round-off.

    Safeguard: if the step would leave a negative (or NaN) depth anywhere, it is redone with the
    first-order :func:`fv_step` (positive under the CFL condition on U^n), its result and volume
    returned, and fallbacks[0] of the workspace incremented. This happens when the flow
    accelerates so much within dt that the second stage, run with the velocities of U1,
    violates the CFL condition: thin water starting from rest on a steep slope with little or no
    friction (n < 0.01 in the tests). Never in the tests' dam breaks, bowl and lakes.

    Rows are processed in fixed blocks, in parallel on large grids; the result does not depend
    on the number of threads.
    """
    ny, nx = h.shape
    nb = max(1, (ny + ROWS_PER_BLOCK - 1) // ROWS_PER_BLOCK)
    if workspace2 is None:
        bufs = np.empty((_MAX_THREADS, _N_BUF2, nx + 1), dtype=h.dtype)
        sums = np.empty((nb, 5))
        stage = np.empty((3, ny, nx), dtype=h.dtype)
        fallbacks = np.zeros(1, dtype=np.int64)
    else:
        bufs, sums, stage, fallbacks = workspace2
    if (bufs.shape[1] < _N_BUF2 or bufs.shape[2] < nx + 1 or sums.shape[0] != nb or sums.shape[1] < 5
            or stage.shape[1] != ny or stage.shape[2] != nx):
        raise ValueError("fv_step_order2: workspace not made by fv_workspace_order2(ny, nx) for this grid")
    h1 = stage[0]
    hu1 = stage[1]
    hv1 = stage[2]
    # Stage 1: U1 = R(U^n + dt L(U^n)).
    vol1, bad1 = _stage2(z, h, hu, hv, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels, 0.0, bufs,
                         sums, h1, hu1, hv1)
    # Stage 2: U^{n+1} = (U^n + R(U1 + dt L(U1))) / 2.
    vol2, bad2 = _stage2(z, h1, hu1, hv1, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels, 0.5,
                         bufs, sums, h_out, hu_out, hv_out)
    if bad2 > 0.0:
        fallbacks[0] += 1
        return fv_step(z, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels, h_out, hu_out, hv_out,
                       (bufs, sums))
    return 0.5 * (vol1 + vol2)
