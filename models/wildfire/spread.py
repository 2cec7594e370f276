"""Fire spread over a raster: minimum travel time (Finney 2002) on a large, refined stencil.

Governing equations
-------------------
Each burnable cell has a head rate of spread R, a direction of maximum spread theta and a
fire-ellipse eccentricity e. A fire growing from a point in uniform conditions is an ellipse
with the ignition at its rear focus (Anderson 1983; Richards 1990; Finney 1998, FARSITE), so
the rate at which the front advances along a ray at angle phi from the ignition is

    r(phi) = R (1 - e) / (1 - e cos(phi - theta))                                  (1)

with r(theta) = R at the head and R (1 - e)/(1 + e) at the back, as in behave; e follows from
the length-to-breadth ratio LW of the ellipse (Anderson et al. 1982; Anderson 1983) as
e = sqrt(LW^2 - 1) / LW. The semi-axes after a time t are a = R t / (1 + e) and
b = a sqrt(1 - e^2), its centre lies a e from the ignition toward theta.

The arrival time t_a of the fire is the minimum, over all paths from an ignition, of the
time to travel the path (Finney 2002, minimum travel time, MTT). Paths are chains of straight
edges between cell centres; an edge from cell a along the offset (di, dj) (rows, columns) has
length L = |(dj dx, di dy)| and angle phi = atan2(di dy, dj dx), and its travel time is the
integral of the slowness 1/r_c(phi) of the cells c it crosses,

    tau = sum_c l_c / r_c(phi),     sum_c l_c = L                                   (2)

where l_c is the length of the segment inside cell c. For the 8 nearest neighbours this is
the mean of the slownesses at both ends, tau = L/2 (1/r_a + 1/r_b); where every cell the
segment crosses has the same rates, tau = L / r_a(phi). An edge that crosses or touches (at
a corner) a non-burnable cell, or one outside the grid, is impassable, so no edge jumps a
road or river one cell wide, straight or diagonal. The arrival times are found by a
label-setting shortest path (Dijkstra 1959): the cell of least tentative time is taken off a
heap, its time becomes final, and the edges from it lower the tentative times of the cells
they reach. The heap is an indexed 4-ary min-heap with decrease-key (Johnson 1975): every
unburned cell is in it at most once, so each burned cell costs one pop (a binary heap with
lazy duplicates, as in the Python twin, pops 4-5 times per cell here and runs at half the
speed; the arrival times do not depend on the heap).

Lattice error and the refined stencil
-------------------------------------
In uniform conditions the set reached by time t is t times the convex polygon whose vertices
are the points r(phi_k) u_k for the stencil directions u_k (any path is a sum of edges; two
adjacent directions of the stencils used here have a determinant of +-1, so every lattice
point between them is a sum of whole edges and the polygon is met exactly at lattice
points). Between two directions an angle Delta apart at an angle psi from the head, the
chord falls short of the ellipse by the relative distance

    delta = Delta^2 / (8 (1 - e cos psi)) + O(Delta^4)                              (3)

(for a polar curve r(psi) the chord's deficit is Delta^2/8 (1 + 2 (r'/r)^2 - r''/r), which
for (1) is Delta^2 / (8 (1 - e cos psi))). The full stencil of radius K (all (di, dj) with
max(|di|, |dj|) <= K and gcd(|di|, |dj|) = 1; 8, 16, 32, 48, 80 directions for K = 1..5)
has its widest gaps next to the axes, Delta = atan(1/K). With the head between the axis
and its neighbour (the worst case), (3) gives a head short by

    delta_max = atan(1/K)^2 / (8 (1 - e))

which is 1.3 % of a circle for K = 3 but, for LW = 3 (e = 0.943), 23 % to first order
(18.6 % exactly; the area is then 17 % short). Exactly, for LW = 3 the worst area, axis
ratio and head errors are 17/12/19 % for K = 3, 6.0/5.1/7.9 % for K = 5, 1.9/2.4/3.3 % for
K = 8 (176 directions). Since (3) is small away from the head, a stencil only needs many
directions near theta. The default stencil therefore starts from the full radius-K stencil
and splits every gap (u, v) whose width Delta exceeds sqrt(8 tol D_min) by the mediant u + v
(Stern-Brocot refinement, which keeps adjacent directions unimodular), where D_min is the
smallest 1 - e cos psi over the gap, until (3) is below ``tol`` everywhere or the mediant
would be longer than ``max_edge_cells``. A cell's stencil depends on its theta (rounded to
N_THETA_BINS bins, the gap widened by half a bin) and e (bins of 1 - e by factors of
sqrt 2, the upper e of the bin taken). For tol = 0.02 and K = 3, LW = 3 needs 48-52
directions, and the polygon's worst errors over all wind directions are 1.3 % (area), 0.8 %
(axis ratio) and 1.8 % (head), with edges of up to 11 cells; LW = 2 needs 40-43 directions,
a circle the 32 of K = 3. The accuracy ends where the mediants would exceed max_edge_cells:
16 cells hold the polygon's head error to 2.3 % up to LW = 5 and 5.8 % at LW = 8 (then
atan(1/16)^2 / (8 (1 - e))). Measured on burned cells (241 x 241 grid, fire 108 cells to the
head, wind every 2.5 deg): worst area / axis ratio / head errors of 1.0 / 0 / 1.2 % for a
circle, 1.5 / 0.6 / 1.4 % for LW = 2, 1.2 / 0.6 / 2.0 % for LW = 3, 2.0 / 0.9 / 2.1 % for
LW = 5, 4.9 / 2.5 / 3.0 % for LW = 8; with the plain K = 3 stencil 7 / 5 / 8 %, 17 / 12 / 16 %,
40 / 32 / 36 % and 67 / 65 / 59 % for LW = 2, 3, 5, 8. Speed (one core, 1000 x 1000 grid of
30 m, LW = 3, 24 h from a point in 144 steps, 3e5-8e5 cells burned): 1.5e6 burned cells/s with
the refined stencil, 2.1e6 with the plain K = 3 one, where the rates are uniform; about 3e5
where every cell's rates differ (each edge then sums over the cells it crosses).

Time-varying rates
------------------
Rates are piecewise constant in time; new rates come into force at t_c. A cell reached
before t_c keeps its time. For every burned cell that still has an unburned cell within the
stencil reach (the front), every edge toward an unburned cell is re-timed: with t_0 the
time from which the edge has been travelled at the old rates (the source cell's arrival,
or the t_0 the previous change left on that edge) and tau_old, tau_new its travel times,

    t_b = t_c + (1 - (t_c - t_0) / tau_old) tau_new      if t_0 + tau_old > t_c
    t_b = t_c                                            otherwise                  (4)

and the edge's t_0 for the next change is t_c - (t_c - t_0) tau_new / tau_old, so an edge
that spans several changes is timed exactly (the fraction of an edge travelled is the
fraction of its travel time elapsed, as in (4)). An edge the fire could have finished before
t_c (t_0 + tau_old <= t_c) can only be one new to its cell's stencil (the stencil turns with
theta); its target burns at t_c, as the past is settled (so every cell unburned at t_c burns
at t_c or later). An edge with no progress (tau_old = inf: blocked, or the target did not
burn) starts at t_c. The heap is rebuilt from these times and from the scheduled ignitions
not yet burning. The front is every burned cell with an unburned, burnable cell within the
longest edge of any stencil, found afresh at each change. Ignitions (also spot fires) given
a time before the current time burn from the current time.

References
----------
- Anderson, H.E. (1983). Predicting wind-driven wild land fire size and shape. USDA Forest
  Service, INT-305.
- Anderson, D.H., Catchpole, E.A., De Mestre, N.J. & Parkes, T. (1982). Modelling the spread
  of grass fires. J. Austral. Math. Soc. B 23:451-466 (length-to-breadth ratio).
- Richards, G.D. (1990). An elliptical growth model of forest fire fronts and its numerical
  solution. Int. J. Numer. Meth. Eng. 29:1163-1179.
- Finney, M.A. (1998). FARSITE: Fire Area Simulator - model development and evaluation.
  USDA Forest Service, RMRS-RP-4.
- Finney, M.A. (2002). Fire growth using minimum travel time methods. Can. J. For. Res.
  32:1420-1424.
- Dijkstra, E.W. (1959). A note on two problems in connexion with graphs. Numer. Math.
  1:269-271.
- Johnson, D.B. (1975). Priority queues with update and finding minimum spanning trees.
  Inf. Process. Lett. 4:53-57 (d-ary heaps).

Symbols
=======
========  ==========================================================  ==========
symbol    meaning                                                     unit
========  ==========================================================  ==========
R         head rate of spread (0: the cell does not burn)             m s-1
theta     direction of maximum spread, ccw from +x (east)             rad
e         eccentricity of the fire ellipse, 0 <= e < 1                1
LW        length-to-breadth ratio, e = sqrt(LW^2 - 1) / LW            1
phi       direction of an edge, ccw from +x                           rad
psi       phi - theta                                                 rad
r         ray spread rate (1)                                         m s-1
s         slowness 1 / r = (1 - e cos psi) / (R (1 - e))              s m-1
L         edge length                                                 m
l_c       length of an edge inside cell c                             m
tau       travel time of an edge (2)                                  s
t_a       arrival time of the fire at a cell (inf: not reached)       s
t_c       time a change of rates comes into force                     s
t_0       time from which an edge has been travelled at given rates   s
dx, dy    cell sizes along x (columns) and y (rows)                   m
K         radius of the base stencil                                  cells
tol       bound on the chord deficit (3) of the refined stencil       1
========  ==========================================================  ==========

Layout: kernels work on flat arrays of a grid padded by ``reach`` cells on each side (the
padding is non-burnable and counts as burned, so no bounds checks are needed); row j of the
grid runs along +y (north), column i along +x (east).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache

import numpy as np
from numba import njit

INF = np.inf
# theta is rounded to this many bins to pick a refined stencil (a multiple of 8, so that the
# bins map onto each other under the mirror symmetries of the grid).
N_THETA_BINS = 512
# e bins: bin k holds 2^-(k+1)/2 < 1 - e <= 2^-k/2; the last one everything above.
N_E_BINS = 20
# Longest edge (cells); runs of uniform cells are held in int8.
MAX_RADIUS = 64
# Heap statuses returned by advance().
DONE = 0
HEAP_FULL = 1
# Coefficient columns of a cell: 1 / (R (1 - e)), e cos theta, e sin theta, R, theta.
C_INV_A, C_ECX, C_ECY, C_R, C_THETA = 0, 1, 2, 3, 4


# -- stencil geometry (plain Python, once per stencil) ----------------------------------------

def primitive_offsets(radius: int) -> list[tuple[int, int]]:
    """All (di, dj) with max(|di|, |dj|) <= radius and gcd(|di|, |dj|) = 1: the directions."""
    return [(di, dj) for di in range(-radius, radius + 1) for dj in range(-radius, radius + 1)
            if (di or dj) and math.gcd(abs(di), abs(dj)) == 1]


@cache
def _first_octant_cells(q: int, p: int):
    """Cells met by the segment from (0, 0) to (q, p), 0 <= p <= q, in index space.

    Returns (crossed, touched): crossed = [(x, y, fraction of the segment inside)] ordered
    along the segment (the start cell first, the end cell last); touched = [(x, y)] the cells
    whose closed square the segment meets in a single corner only. The segment parameter t in
    [0, 1] is held as the integer t T with T = 2 p q (2 q if p = 0), so a segment through a
    corner is recognised exactly.
    """
    crossed, touched = [], []
    scale = 2 * q * p if p else 2 * q
    for x in range(q + 1):
        # column x spans |q t - x| <= 1/2
        tx0 = max(0, (2 * x - 1) * (scale // (2 * q)))
        tx1 = min(scale, (2 * x + 1) * (scale // (2 * q)))
        if p == 0:
            crossed.append((tx0, x, 0, Fraction(tx1 - tx0, scale)))
            continue
        y_lo = ((2 * x - 1) * p - q) // (2 * q)
        y_hi = -((-((2 * x + 1) * p + q)) // (2 * q))
        for y in range(max(0, y_lo), min(p, y_hi) + 1):
            # row y spans |p t - y| <= 1/2
            lo = max(tx0, (2 * y - 1) * q)
            hi = min(tx1, (2 * y + 1) * q)
            if lo < hi:
                crossed.append((lo, x, y, Fraction(hi - lo, scale)))
            elif lo == hi:
                touched.append((x, y))
    crossed.sort()
    return [(x, y, w) for _, x, y, w in crossed], touched


@cache
def _segment_cells(di: int, dj: int):
    """(crossed, touched) of the edge (di, dj) in (row, column) offsets; see _first_octant_cells."""
    # Map into the first octant (0 <= p <= q), compute there, map back.
    sx, sy = (1 if dj >= 0 else -1), (1 if di >= 0 else -1)
    ax, ay = abs(dj), abs(di)
    swap = ay > ax
    q, p = (ay, ax) if swap else (ax, ay)
    crossed, touched = _first_octant_cells(q, p)

    def back(x, y):
        cx, cy = (y, x) if swap else (x, y)
        return sy * cy, sx * cx  # (row, column)

    return ([(*back(x, y), w) for x, y, w in crossed], [back(x, y) for x, y in touched])


@dataclass(frozen=True, eq=False)
class Stencil:
    """Edge directions, the cells each edge crosses, and the per-(e, theta) direction tables.

    offsets : int[n, 2] (di, dj) sorted by angle; length, cos, sin : float[n] (m, 1, 1);
    cheb : int[n] max(|di|, |dj|); cross_start : int[n + 1] into cross_offsets : int[m, 2] and
    cross_length : float[m] (m), the cells an edge crosses in order with the length inside each
    (the source first, the target last); touch_start, touch_offsets: the cells an edge only
    touches at a corner; table_start : int[n_bins + 1] into table_dir : int[...], the directions
    of a stencil bin (ascending, i.e. by angle); reach : the longest edge used (cells).
    """

    base_radius: int
    max_edge_cells: int
    refine_tolerance: float | None
    dx: float
    dy: float
    offsets: np.ndarray
    angle: np.ndarray
    length: np.ndarray
    cos: np.ndarray
    sin: np.ndarray
    cheb: np.ndarray
    cross_start: np.ndarray
    cross_offsets: np.ndarray
    cross_length: np.ndarray
    touch_start: np.ndarray
    touch_offsets: np.ndarray
    table_start: np.ndarray
    table_dir: np.ndarray
    n_theta_bins: int
    n_e_bins: int
    reach: int
    max_directions: int

    @property
    def n_bins(self) -> int:
        return self.n_theta_bins * self.n_e_bins

    def directions(self, bin_index: int = 0) -> np.ndarray:
        """Offsets (di, dj) of the directions of one stencil bin, by angle."""
        return self.offsets[self.table_dir[self.table_start[bin_index]:self.table_start[bin_index + 1]]]

    def bins(self, theta, e) -> np.ndarray:
        """Stencil bin of each cell: e bin * N_THETA_BINS + theta bin (0 without refinement)."""
        return cell_coefficients(np.ones(np.shape(theta)), theta, e, self.n_theta_bins, self.n_e_bins)[1]


@njit(cache=True)
def _refine_needed(angle_u, width, theta_c, half_bin, e_hi, tol):
    """True if the gap of `width` starting at angle_u is too wide for the chord deficit tol, eq. (3)."""
    lo = angle_u - theta_c - half_bin
    hi = lo + width + 2.0 * half_bin
    two_pi = 2.0 * math.pi
    # max of cos psi over [lo, hi]: 1 if the range holds a multiple of 2 pi
    k = math.ceil(lo / two_pi)
    if k * two_pi <= hi:
        cos_max = 1.0
    else:
        cos_max = max(math.cos(lo), math.cos(hi))
    d_min = 1.0 - e_hi * cos_max
    return width * width > 8.0 * tol * d_min


@njit(cache=True)
def _build_tables(base_ring, index_of, di_of, dj_of, angle_of, max_cells, tol, n_theta, n_e, fill, starts, out):
    """Mediant refinement of the base ring for every (e bin, theta bin).

    base_ring : int[m] direction indices by angle; index_of : int[2 max_cells + 1, 2 max_cells + 1]
    direction index of (di, dj) (-1 if none). First call with fill = False counts into
    starts[b + 1]; second with fill = True writes out[starts[b]:...] (unsorted).
    """
    two_pi = 2.0 * math.pi
    half_bin = math.pi / n_theta
    m = base_ring.size
    stack_u = np.empty(4096, dtype=np.int64)
    stack_v = np.empty(4096, dtype=np.int64)
    for eb in range(n_e):
        e_hi = 1.0 - 2.0 ** (-(eb + 1) / 2.0)
        for tb in range(n_theta):
            b = eb * n_theta + tb
            theta_c = tb * two_pi / n_theta
            count = 0
            pos = starts[b] if fill else 0
            for i in range(m):
                # depth-first, v before u on the stack so that u's side comes out first
                top = 0
                stack_u[0] = base_ring[i]
                stack_v[0] = base_ring[(i + 1) % m]
                top = 1
                while top > 0:
                    top -= 1
                    u = stack_u[top]
                    v = stack_v[top]
                    wi = di_of[u] + di_of[v]
                    wj = dj_of[u] + dj_of[v]
                    split = False
                    if max(abs(wi), abs(wj)) <= max_cells:
                        width = (angle_of[v] - angle_of[u]) % two_pi
                        split = _refine_needed(angle_of[u], width, theta_c, half_bin, e_hi, tol)
                    if split:
                        w = index_of[wi + max_cells, wj + max_cells]
                        stack_u[top] = w
                        stack_v[top] = v
                        stack_u[top + 1] = u
                        stack_v[top + 1] = w
                        top += 2
                    else:
                        if fill:
                            out[pos] = u
                            pos += 1
                        count += 1
            if not fill:
                starts[b + 1] = count


@lru_cache(maxsize=16)
def build_stencil(dx: float, dy: float, base_radius: int = 3, refine_tolerance: float | None = 0.02,
                  max_edge_cells: int = 16) -> Stencil:
    """The stencil of FireFront: the full radius-K stencil, refined near the head (module doc).

    refine_tolerance None: the plain full stencil of radius base_radius (one table).
    """
    if not 1 <= base_radius <= MAX_RADIUS:
        raise ValueError(f"base_radius must lie in [1, {MAX_RADIUS}]")
    if refine_tolerance is None:
        max_cells = base_radius
    else:
        if not refine_tolerance > 0:
            raise ValueError("refine_tolerance must be > 0 (or None for the plain stencil)")
        max_cells = min(max(int(max_edge_cells), base_radius), MAX_RADIUS)
    offs = primitive_offsets(max_cells)
    angles = [math.atan2(di * dy, dj * dx) for di, dj in offs]
    order = sorted(range(len(offs)), key=lambda k: angles[k])
    offs = [offs[k] for k in order]
    angle = np.array([angles[k] for k in order])
    n = len(offs)
    offsets = np.array(offs, dtype=np.int64).reshape(n, 2)
    length = np.hypot(offsets[:, 1] * dx, offsets[:, 0] * dy)
    cos = offsets[:, 1] * dx / length
    sin = offsets[:, 0] * dy / length
    cheb = np.abs(offsets).max(axis=1)
    cross_start, touch_start = [0], [0]
    cross_offsets, cross_length, touch_offsets = [], [], []
    for k, (di, dj) in enumerate(offs):
        crossed, touched = _segment_cells(di, dj)
        for ci, cj, w in crossed:
            cross_offsets.append((ci, cj))
            cross_length.append(float(w) * length[k])
        touch_offsets.extend(touched)
        cross_start.append(len(cross_offsets))
        touch_start.append(len(touch_offsets))
    index_of = np.full((2 * max_cells + 1, 2 * max_cells + 1), -1, dtype=np.int64)
    for k, (di, dj) in enumerate(offs):
        index_of[di + max_cells, dj + max_cells] = k
    base_ring = np.array([k for k in range(n) if cheb[k] <= base_radius], dtype=np.int64)
    if refine_tolerance is None:
        n_theta, n_e = 1, 1
        table_start = np.array([0, base_ring.size], dtype=np.int64)
        table_dir = base_ring.copy()
    else:
        n_theta, n_e = N_THETA_BINS, N_E_BINS
        table_start = np.zeros(n_theta * n_e + 1, dtype=np.int64)
        dummy = np.empty(0, dtype=np.int64)
        args = (base_ring, index_of, offsets[:, 0].copy(), offsets[:, 1].copy(), angle, max_cells,
                float(refine_tolerance), n_theta, n_e)
        _build_tables(*args, False, table_start, dummy)
        table_start = np.cumsum(table_start)
        table_dir = np.empty(table_start[-1], dtype=np.int64)
        _build_tables(*args, True, table_start, table_dir)
        for b in range(n_theta * n_e):  # by angle, i.e. by direction index
            table_dir[table_start[b]:table_start[b + 1]].sort()
    used = np.unique(table_dir)
    return Stencil(
        base_radius=base_radius, max_edge_cells=max_cells, refine_tolerance=refine_tolerance, dx=dx, dy=dy,
        offsets=offsets, angle=angle, length=length, cos=cos, sin=sin, cheb=cheb.astype(np.int64),
        cross_start=np.array(cross_start, dtype=np.int64),
        cross_offsets=np.array(cross_offsets, dtype=np.int64).reshape(-1, 2),
        cross_length=np.array(cross_length), touch_start=np.array(touch_start, dtype=np.int64),
        touch_offsets=np.array(touch_offsets, dtype=np.int64).reshape(-1, 2),
        table_start=table_start, table_dir=table_dir, n_theta_bins=n_theta, n_e_bins=n_e,
        reach=int(cheb[used].max()), max_directions=int(np.diff(table_start).max()),
    )


@njit(cache=True)
def stencil_bin(theta, e, n_theta, n_e):
    """e_bin * n_theta + theta_bin; theta rounded to the nearest of n_theta bin centres k 2 pi / n_theta,
    e_bin = floor(-2 log2(1 - e)) clipped to [0, n_e - 1]."""
    if n_theta * n_e == 1:
        return 0
    t_bin = math.floor(theta * (n_theta / (2.0 * math.pi)) + 0.5) % n_theta
    e_bin = min(max(math.floor(-2.0 * math.log2(max(1.0 - e, 1e-300))), 0), n_e - 1)
    return e_bin * n_theta + t_bin


@njit(cache=True)
def fill_coefficients(R, theta, e, pad, n_theta, n_e, coef, bins):
    """Coefficients and stencil bins of the (ny, nx) rates into the flat arrays of the grid padded
    by `pad` cells (the padding is left as it is). coef : float[cells, 5], see
    :func:`cell_coefficients`; bins : int[cells]."""
    ny, nx = R.shape
    nxp = nx + 2 * pad
    for j in range(ny):
        for i in range(nx):
            c = (j + pad) * nxp + i + pad
            r = R[j, i]
            if r > 0.0:
                ecc = e[j, i]
                th = theta[j, i]
                coef[c, C_INV_A] = 1.0 / (r * (1.0 - ecc))
                coef[c, C_ECX] = ecc * math.cos(th)
                coef[c, C_ECY] = ecc * math.sin(th)
                coef[c, C_R] = r
                coef[c, C_THETA] = th
                bins[c] = stencil_bin(th, ecc, n_theta, n_e)
            else:
                coef[c, C_INV_A] = INF
                coef[c, C_ECX] = 0.0
                coef[c, C_ECY] = 0.0
                coef[c, C_R] = 0.0
                coef[c, C_THETA] = 0.0
                bins[c] = 0


def cell_coefficients(R, theta, e, n_theta=1, n_e=1):
    """(coef, bins) of (ny, nx) rates: coef[..., :] = (1 / (R (1 - e)), e cos theta, e sin theta,
    R, theta), so that the slowness of (1) along phi is s = (1 - ecx cos phi - ecy sin phi) /
    (R (1 - e)); non-burnable cells (R = 0): (inf, 0, 0, 0, 0), bin 0."""
    R, theta, e = (np.atleast_2d(np.asarray(a, dtype=np.float64)) for a in (R, theta, e))
    shape = np.shape(np.asarray(R))
    coef = np.empty((R.size, 5))
    bins = np.empty(R.size, dtype=np.int64)
    fill_coefficients(R, theta, e, 0, n_theta, n_e, coef, bins)
    return coef.reshape(shape + (5,)), bins.reshape(shape)


def check_rates(R, theta, e, shape):
    """float64 copies of the rate arrays, validated: R finite and >= 0; where R > 0, theta finite
    and 0 <= e < 1 (where R = 0 they are not used and set to 0)."""
    R, theta, e = (np.array(np.broadcast_to(np.asarray(a, dtype=np.float64), shape)) for a in (R, theta, e))
    if not np.all(np.isfinite(R)) or np.any(R < 0.0):
        raise ValueError("R must be finite and >= 0")
    burns = R > 0.0
    if not np.all(np.isfinite(theta[burns])):
        raise ValueError("theta must be finite where R > 0")
    if not np.all((e[burns] >= 0.0) & (e[burns] < 1.0)):
        raise ValueError("e must lie in [0, 1) where R > 0")
    theta[~burns] = 0.0
    e[~burns] = 0.0
    return R, theta, e


# -- kernels -----------------------------------------------------------------------------------

@njit(cache=True)
def heap_update(heap_t, heap_c, where, n, t, c):
    """Insert cell c with time t into the indexed 4-ary min-heap of size n, or lower its time if
    it is in already (t must not be higher); where[c] is c's position (-1: not in the heap).
    Capacity is checked by the caller. Returns the new size."""
    i = where[c]
    if i < 0:
        i = n
        n += 1
    while i > 0:
        parent = (i - 1) >> 2
        t_parent = heap_t[parent]
        if t_parent <= t:
            break
        c_parent = heap_c[parent]
        heap_t[i] = t_parent
        heap_c[i] = c_parent
        where[c_parent] = i
        i = parent
    heap_t[i] = t
    heap_c[i] = c
    where[c] = i
    return n


@njit(cache=True)
def heap_pop(heap_t, heap_c, where, n):
    """Remove the top of the indexed 4-ary heap of size n (read it before); new size."""
    where[heap_c[0]] = -1
    n -= 1
    if n == 0:
        return 0
    t = heap_t[n]
    c = heap_c[n]
    i = 0
    while True:
        first = 4 * i + 1
        if first >= n:
            break
        best = first
        best_t = heap_t[first]
        for k in range(first + 1, min(first + 4, n)):
            if heap_t[k] < best_t:
                best = k
                best_t = heap_t[k]
        if best_t >= t:
            break
        c_best = heap_c[best]
        heap_t[i] = best_t
        heap_c[i] = c_best
        where[c_best] = i
        i = best
    heap_t[i] = t
    heap_c[i] = c
    where[c] = i
    return n


@njit(cache=True)
def travel_time(coef, radius, a, d, length, cos, sin, cheb, cross_start, cross_delta, cross_length,
                touch_start, touch_delta, t_a, t_best):
    """tau of eq. (2) for the edge from cell a along direction d; inf if it meets a non-burnable cell.

    Where the cells crossed all have a's rates, tau = L s_a (also the shortcut when every cell
    within max(|di|, |dj|) of a has a's rates: radius = box_radius(a) >= cheb[d]). Otherwise the
    sum stops with inf once t_a + (partial sum) >= t_best: the edge cannot improve the target
    (terms are positive and float addition is monotone, so the answer does not change).
    """
    inv_a = coef[a, C_INV_A]
    ecx = coef[a, C_ECX]
    ecy = coef[a, C_ECY]
    c_phi = cos[d]
    s_phi = sin[d]
    if radius >= cheb[d]:
        return length[d] * ((1.0 - ecx * c_phi - ecy * s_phi) * inv_a)
    total = 0.0
    same = True
    for k in range(cross_start[d], cross_start[d + 1]):
        c = a + cross_delta[k]
        inv_c = coef[c, C_INV_A]
        if inv_c == INF:
            return INF
        ecx_c = coef[c, C_ECX]
        ecy_c = coef[c, C_ECY]
        if inv_c != inv_a or ecx_c != ecx or ecy_c != ecy:
            same = False
        total += cross_length[k] * ((1.0 - ecx_c * c_phi - ecy_c * s_phi) * inv_c)
        if not same and t_a + total >= t_best:
            return INF
    for k in range(touch_start[d], touch_start[d + 1]):
        if coef[a + touch_delta[k], C_INV_A] == INF:
            return INF
    if same:
        return length[d] * ((1.0 - ecx * c_phi - ecy * s_phi) * inv_a)
    return total


@njit(cache=True)
def advance(t_stop, coef, run_h, run_v, nx, bins, table_start, table_dir, delta, length, cos, sin, cheb,
            cross_start, cross_delta, cross_length, touch_start, touch_delta,
            angle, arrival, tentative, via, ros, heading, heap_t, heap_c, where, n_heap, max_dirs,
            burn_log, n_logged):
    """Pop cells in order of arrival until the next would arrive after t_stop; relax their edges.

    burn_log : int64[cells] the cells in the order they burned; this call writes from
    ``n_logged`` on (the caller reads the cells a step burned from it without scanning the grid).
    arrival : float[cells] (s); tentative : float[cells] best time found so far (s), -inf for
    burned and non-burnable cells (so one load tells whether an edge can improve a cell);
    via : int[cells] direction the fire arrived along (-1: ignited); ros : float[cells] ray
    rate r of the cell along that direction (R if ignited); heading : float[cells] that
    direction's angle (theta if ignited), rad.
    Returns (heap size, cells burned, status): status HEAP_FULL when the heap could overflow
    before the next pop (grow it and call again; nothing is lost), else DONE.
    """
    n = n_heap
    burned = 0
    while n > 0:
        t = heap_t[0]
        if t > t_stop:
            break
        if n + max_dirs > heap_t.size:
            return n, burned, HEAP_FULL
        a = heap_c[0]
        n = heap_pop(heap_t, heap_c, where, n)
        arrival[a] = t
        tentative[a] = -INF
        burn_log[n_logged + burned] = a
        burned += 1
        inv_a = coef[a, C_INV_A]
        ecx = coef[a, C_ECX]
        ecy = coef[a, C_ECY]
        v = via[a]
        if v >= 0:
            ros[a] = 1.0 / ((1.0 - ecx * cos[v] - ecy * sin[v]) * inv_a)
            heading[a] = angle[v]
        else:
            ros[a] = coef[a, C_R]
            heading[a] = coef[a, C_THETA]
        radius = box_radius(run_h, run_v, a, nx)
        b_idx = bins[a]
        for k in range(table_start[b_idx], table_start[b_idx + 1]):
            d = table_dir[k]
            b = a + delta[d]
            best = tentative[b]
            if best <= t:
                continue  # burned, non-burnable, or due no later than a (tau > 0)
            if radius >= cheb[d]:
                tau = length[d] * ((1.0 - ecx * cos[d] - ecy * sin[d]) * inv_a)
            else:
                tau = travel_time(coef, radius, a, d, length, cos, sin, cheb, cross_start, cross_delta,
                                  cross_length, touch_start, touch_delta, t, best)
            t_b = t + tau
            if t_b < best:
                tentative[b] = t_b
                via[b] = d
                n = heap_update(heap_t, heap_c, where, n, t_b, b)
    return n, burned, DONE


@njit(cache=True)
def ignite(cells, times, coef, arrival, tentative, via, heap_t, heap_c, where, n_heap):
    """Cells that burn from the given times (already burned or non-burnable ones are skipped).

    Returns (heap size, number accepted). The heap must have room for cells.size more entries.
    """
    n = n_heap
    accepted = 0
    for k in range(cells.size):
        c = cells[k]
        if arrival[c] != INF or coef[c, C_INV_A] == INF:
            continue
        accepted += 1
        if times[k] < tentative[c]:
            tentative[c] = times[k]
            via[c] = -1
            n = heap_update(heap_t, heap_c, where, n, times[k], c)
    return n, accepted


@njit(cache=True)
def _same_rates(coef, c, other):
    return (coef[c, C_INV_A] == coef[other, C_INV_A] and coef[c, C_ECX] == coef[other, C_ECX]
            and coef[c, C_ECY] == coef[other, C_ECY])


@njit(cache=True)
def uniform_runs(coef, ny, nx, cap, run_h, run_v):
    """Runs of cells with equal rates (first three coefficients) through each cell, capped at cap.

    run_h[c] = min(equal cells to the left, to the right), run_v[c] likewise below and above;
    flat (ny, nx) arrays, int8, cap <= 127. One forward and one backward sweep.
    """
    size = ny * nx
    for c in range(size):  # forward: to the left and below
        i = c % nx
        run_h[c] = min(run_h[c - 1] + 1, cap) if i > 0 and _same_rates(coef, c, c - 1) else 0
        run_v[c] = min(run_v[c - nx] + 1, cap) if c >= nx and _same_rates(coef, c, c - nx) else 0
    above = np.zeros(nx, dtype=np.int64)
    for j in range(ny - 1, -1, -1):  # backward: to the right and above
        right = 0
        for i in range(nx - 1, -1, -1):
            c = j * nx + i
            right = min(right + 1, cap) if i < nx - 1 and _same_rates(coef, c, c + 1) else 0
            above[i] = min(above[i] + 1, cap) if j < ny - 1 and _same_rates(coef, c, c + nx) else 0
            run_h[c] = min(run_h[c], right)
            run_v[c] = min(run_v[c], above[i])


@njit(cache=True)
def box_radius(run_h, run_v, c, nx):
    """Largest m such that every cell within max-norm distance m of c has c's rates: the column
    run reaches m and every row of the box has a row run of at least m (see uniform_runs)."""
    bound = min(run_h[c], run_v[c])
    m = 0
    while m < bound:
        k = m + 1
        bound = min(bound, run_h[c + k * nx], run_h[c - k * nx])
        if bound < k:
            break
        m = k
    return m


@njit(cache=True)
def reset_tentative(arrival, coef, tentative):
    """After new rates: -inf for unburned cells that cannot burn, inf for those that now can."""
    for c in range(arrival.size):
        if arrival[c] == INF:
            if coef[c, C_INV_A] == INF:
                tentative[c] = -INF
            elif tentative[c] == -INF:
                tentative[c] = INF


@njit(cache=True)
def front_cells(arrival, coef, ny, nx, reach):
    """Burned cells (finite arrival) with an unburned (arrival inf), burnable cell within max-norm
    `reach`. Flat (ny, nx) padded arrays; the padding (arrival -inf) counts as burned; ascending.

    The front is found afresh at every change of rates, so a cell that cannot burn now is left
    out without loss: an edge toward it had no progress to keep (its old travel time was inf).
    """
    summed = np.zeros((ny + 1, nx + 1), dtype=np.int64)  # summed-area table of such cells
    for j in range(ny):
        acc = 0
        for i in range(nx):
            c = j * nx + i
            if arrival[c] == INF and coef[c, C_INV_A] != INF:
                acc += 1
            summed[j + 1, i + 1] = summed[j, i + 1] + acc
    out = np.empty(ny * nx, dtype=np.int64)
    n = 0
    for j in range(reach, ny - reach):
        for i in range(reach, nx - reach):
            c = j * nx + i
            t = arrival[c]
            if t == INF or t == -INF:
                continue
            j0, j1, i0, i1 = j - reach, j + reach + 1, i - reach, i + reach + 1
            if summed[j1, i1] - summed[j0, i1] - summed[j1, i0] + summed[j0, i0] > 0:
                out[n] = c
                n += 1
    return out[:n].copy()


@njit(cache=True)
def rebuild_front(t_c, front, old_slot, old_bins, old_t0, coef_old, run_h_old, run_v_old, coef, run_h, run_v, nx,
                  bins, table_start, table_dir, delta, length, cos, sin, cheb, cross_start, cross_delta,
                  cross_length, touch_start, touch_delta, arrival, tentative, via, heap_t, heap_c, where, n_heap,
                  pending_cells, pending_times, new_t0, position):
    """New rates from t_c: re-time the edges leaving the front (eq. 4) and rebuild the heap.

    front : int[f] from front_cells; old_slot : int[f] row of old_t0 for each front cell (-1 if
    it was not on the previous front); old_bins : int[...] stencil bin of each old row, old_t0 :
    float[rows, max_dirs] t_0 per edge of the old stencil (inf: no progress). new_t0 :
    float[f, max_dirs] written for the next change. position : int[n_directions] scratch, all -1.
    The heap must have room for min(f * max_dirs + pending, cells) entries. Returns the heap size.
    """
    for k in range(n_heap):  # drop the old heap
        c = heap_c[k]
        where[c] = -1
        if arrival[c] == INF:
            tentative[c] = INF if coef[c, C_INV_A] != INF else -INF
    n = 0
    for f in range(front.size):
        a = front[f]
        t_a = arrival[a]
        slot = old_slot[f]
        if slot >= 0:
            ob = old_bins[slot]
            for k in range(table_start[ob], table_start[ob + 1]):
                position[table_dir[k]] = k - table_start[ob]
        radius = box_radius(run_h, run_v, a, nx)
        radius_old = box_radius(run_h_old, run_v_old, a, nx)
        b_idx = bins[a]
        first = table_start[b_idx]
        for k in range(first, table_start[b_idx + 1]):
            d = table_dir[k]
            new_t0[f, k - first] = INF
            b = a + delta[d]
            if arrival[b] != INF or coef[b, C_INV_A] == INF:
                continue
            tau_new = travel_time(coef, radius, a, d, length, cos, sin, cheb, cross_start, cross_delta,
                                  cross_length, touch_start, touch_delta, 0.0, INF)
            if tau_new == INF:
                continue
            t0 = t_a
            if slot >= 0 and position[d] >= 0:
                t0 = old_t0[slot, position[d]]
            tau_old = INF
            if coef_old[b, C_INV_A] != INF:
                tau_old = travel_time(coef_old, radius_old, a, d, length, cos, sin, cheb, cross_start, cross_delta,
                                      cross_length, touch_start, touch_delta, 0.0, INF)
            if t0 == INF or tau_old == INF:  # no progress made on this edge
                t_b = t_c + tau_new
                new_t0[f, k - first] = t_c
            elif t0 + tau_old <= t_c:  # only on an edge new to a's stencil: burns at once
                t_b = t_c
                new_t0[f, k - first] = t0
            else:
                done = (t_c - t0) / tau_old
                t_b = t_c + (1.0 - done) * tau_new
                new_t0[f, k - first] = t_c - done * tau_new
            if t_b < tentative[b]:
                tentative[b] = t_b
                via[b] = d
                n = heap_update(heap_t, heap_c, where, n, t_b, b)
        if slot >= 0:
            ob = old_bins[slot]
            for k in range(table_start[ob], table_start[ob + 1]):
                position[table_dir[k]] = -1
    for k in range(pending_cells.size):
        c = pending_cells[k]
        if arrival[c] == INF and pending_times[k] < tentative[c]:
            tentative[c] = pending_times[k]
            via[c] = -1
            n = heap_update(heap_t, heap_c, where, n, pending_times[k], c)
    return n


# -- the front ---------------------------------------------------------------------------------

class FireFront:
    """Arrival times of a fire on a (ny, nx) raster of cells dx by dy (m), advanced in steps.

    Rates (R, theta, e per cell) are set with :meth:`set_rates` and stay in force until the
    next call; ignitions with :meth:`ignite`; :meth:`advance` moves the clock to t_stop. Calling
    advance in many small steps gives bit-identical results to one large step.

    stencil_radius : K of the base stencil (all coprime offsets within it);
    refine_tolerance : chord deficit (3) allowed near the head, None for the plain stencil;
    max_edge_cells : the longest edge refinement may add (cells).
    """

    def __init__(self, shape, dx: float, dy: float, stencil_radius: int = 3,
                 refine_tolerance: float | None = 0.02, max_edge_cells: int = 16) -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self.dx, self.dy = float(dx), float(dy)
        self.stencil = build_stencil(self.dx, self.dy, int(stencil_radius), refine_tolerance, int(max_edge_cells))
        st = self.stencil
        pad = self.pad = st.reach
        ny, nx = self.shape
        self._padded_shape = (ny + 2 * pad, nx + 2 * pad)
        nyp, nxp = self._padded_shape
        size = nyp * nxp
        self._delta = st.offsets[:, 0] * nxp + st.offsets[:, 1]
        self._cross_delta = st.cross_offsets[:, 0] * nxp + st.cross_offsets[:, 1]
        self._touch_delta = st.touch_offsets[:, 0] * nxp + st.touch_offsets[:, 1]
        self._interior = (slice(pad, pad + ny), slice(pad, pad + nx))
        self._arrival = np.full(size, -INF)
        self._arrival.reshape(nyp, nxp)[self._interior] = INF
        self._tentative = np.full(size, -INF)  # -inf: burned or non-burnable (the padding too)
        self._tentative.reshape(nyp, nxp)[self._interior] = INF
        self._via = np.full(size, -2, dtype=np.int32)
        self._ros = np.full(size, np.nan)
        self._heading = np.full(size, np.nan)
        self._coef = np.zeros((size, 5))
        self._coef[:, C_INV_A] = INF  # nothing burns until set_rates
        self._runs = np.zeros((2, size), dtype=np.int8)  # run_h, run_v of uniform_runs
        self._bins = np.zeros(size, dtype=np.int32)
        self._heap_t = np.empty(1024)
        self._heap_c = np.empty(1024, dtype=np.int64)
        self._n_heap = 0
        self._where = np.full(size, -1, dtype=np.int32)  # position of a cell in the heap
        self._pending_cells = np.empty(0, dtype=np.int64)
        self._pending_times = np.empty(0)
        # per-edge t_0 of the last front (eq. 4), indexed by a slot per front cell
        self._slot = np.full(size, -1, dtype=np.int32)
        self._front = np.empty(0, dtype=np.int64)
        self._front_bins = np.empty(0, dtype=np.int64)
        self._front_t0 = np.empty((0, st.max_directions))
        self._position = np.full(st.offsets.shape[0], -1, dtype=np.int64)
        self._time = -INF
        self._rates = None
        self._rates_time = -INF
        self._n_burned = 0
        self._burn_log = np.empty(size, dtype=np.int64)  # cells in the order they burned

    # -- state ------------------------------------------------------------------------------
    def _view(self, flat):
        view = flat.reshape(self._padded_shape)[self._interior]
        view.flags.writeable = False
        return view

    @property
    def time(self) -> float:
        """The clock: the t_stop of the last advance (s); -inf before the first."""
        return self._time

    @property
    def arrival_time(self) -> np.ndarray:
        """Arrival time of the fire (s), inf where not burned by the current time (read-only view)."""
        return self._view(self._arrival)

    @property
    def burned(self) -> np.ndarray:
        """Cells the fire has reached by the current time."""
        return self.arrival_time <= self._time

    @property
    def ros_at_arrival(self) -> np.ndarray:
        """Ray spread rate r (1) of each burned cell along the edge the fire arrived by (m/s); the
        head rate R where it was ignited; nan where not burned (read-only view)."""
        return self._view(self._ros)

    @property
    def spread_direction(self) -> np.ndarray:
        """Direction the fire travelled to reach each cell (rad ccw from +x, the angle of the edge
        it arrived by); theta where it was ignited; nan where not burned (read-only view)."""
        return self._view(self._heading)

    def burned_after(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the cells that burned after the first ``k`` (in burning order)."""
        flat = self._burn_log[k:self._n_burned]
        nxp = self._padded_shape[1]
        return flat // nxp - self.pad, flat % nxp - self.pad

    @property
    def n_burned(self) -> int:
        return self._n_burned

    @property
    def rates(self):
        """(R, theta, e) in force, and the time they came into force: ((ny, nx) x 3, t)."""
        return self._rates, self._rates_time

    # -- operations -------------------------------------------------------------------------
    def _cells(self, rows, cols):
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        cols = np.atleast_1d(np.asarray(cols, dtype=np.int64))
        ny, nx = self.shape
        if np.any((rows < 0) | (rows >= ny) | (cols < 0) | (cols >= nx)):
            raise IndexError("cell outside the grid")
        return (rows + self.pad) * self._padded_shape[1] + cols + self.pad

    def _reserve(self, extra):
        need = self._n_heap + int(extra)
        if need > self._heap_t.size:
            size = max(need, 2 * self._heap_t.size)
            self._heap_t = np.concatenate([self._heap_t[:self._n_heap], np.empty(size - self._n_heap)])
            self._heap_c = np.concatenate([self._heap_c[:self._n_heap], np.empty(size - self._n_heap, np.int64)])

    def _geometry(self):
        st = self.stencil
        return (st.table_start, st.table_dir, self._delta, st.length, st.cos, st.sin, st.cheb, st.cross_start,
                self._cross_delta, st.cross_length, st.touch_start, self._touch_delta)

    def set_rates(self, R, theta, e, t_change: float | None = None) -> None:
        """New rates in force from t_change (default: the current time).

        R : head rate of spread (m/s, 0: does not burn), theta : direction of maximum spread
        (rad ccw from +x), e : eccentricity in [0, 1); arrays of the grid's shape or scalars.
        The front is first advanced to t_change at the old rates; t_change may not lie before
        the current time.
        """
        R, theta, e = check_rates(R, theta, e, self.shape)
        first = self._rates is None
        if t_change is None:
            t_change = self._time if not first else -INF
        t_change = float(t_change)
        if t_change < self._time:
            raise ValueError(f"rates cannot change at {t_change} s, before the current time {self._time} s")
        if not first and t_change > self._time:
            self.advance(t_change)
        nyp, nxp = self._padded_shape
        # The new rates go into the spare buffers (whose padding is never written), the old ones
        # are kept for the rebuild and become the spares.
        coef, runs = (self._coef, self._runs) if first else (self._coef_spare, self._runs_spare)
        fill_coefficients(R, theta, e, self.pad, self.stencil.n_theta_bins, self.stencil.n_e_bins, coef, self._bins)
        uniform_runs(coef, nyp, nxp, self.stencil.reach, runs[0], runs[1])
        coef_old, runs_old = self._coef, self._runs
        self._coef, self._runs = coef, runs
        reset_tentative(self._arrival, coef, self._tentative)
        self._rates = (R, theta, e)
        self._rates_time = t_change
        if first:
            self._coef_spare, self._runs_spare = coef.copy(), runs.copy()
            return
        self._rebuild(t_change, coef_old, runs_old)
        self._coef_spare, self._runs_spare = coef_old, runs_old
        self._time = max(self._time, t_change)

    def _rebuild(self, t_c, coef_old, runs_old):
        st = self.stencil
        nyp, nxp = self._padded_shape
        front = front_cells(self._arrival, self._coef, nyp, nxp, st.reach)
        old_slot = self._slot[front].astype(np.int64)
        self._slot[self._front] = -1
        self._slot[front] = np.arange(front.size, dtype=np.int32)
        # every cell is in the heap at most once
        self._reserve(min(front.size * st.max_directions + self._pending_cells.size, self._arrival.size))
        new_t0 = np.empty((front.size, st.max_directions))
        self._n_heap = rebuild_front(
            t_c, front, old_slot, self._front_bins, self._front_t0, coef_old, runs_old[0], runs_old[1], self._coef,
            self._runs[0], self._runs[1], nxp,
            self._bins, *self._geometry(), self._arrival, self._tentative, self._via, self._heap_t, self._heap_c,
            self._where, self._n_heap, self._pending_cells, self._pending_times, new_t0, self._position)
        self._front, self._front_bins, self._front_t0 = front, self._bins[front].copy(), new_t0

    def ignite(self, rows, cols, times) -> int:
        """Cells that burn from `times` (s); times before the current time are moved to it.

        Cells already burned, already due to burn earlier, or non-burnable under the rates in
        force are left alone. Returns the number of burnable, unburned cells given.
        """
        if self._rates is None:
            raise RuntimeError("set_rates before igniting")
        cells = self._cells(rows, cols)
        times = np.broadcast_to(np.asarray(times, dtype=np.float64), cells.shape)
        if np.any(np.isnan(times)):
            raise ValueError("ignition times must not be nan")
        times = np.maximum(times, self._time)
        self._reserve(cells.size)
        self._n_heap, accepted = ignite(cells, times, self._coef, self._arrival, self._tentative, self._via,
                                        self._heap_t, self._heap_c, self._where, self._n_heap)
        self._pending_cells = np.concatenate([self._pending_cells, cells])
        self._pending_times = np.concatenate([self._pending_times, times])
        return int(accepted)

    def advance(self, t_stop: float) -> int:
        """Burn every cell the fire reaches by t_stop (s); returns the number burned in this call."""
        t_stop = float(t_stop)
        if t_stop < self._time:
            raise ValueError(f"cannot advance to {t_stop} s, before the current time {self._time} s")
        if self._rates is None:
            raise RuntimeError("set_rates before advancing")
        st = self.stencil
        burned_total = 0
        while True:
            self._reserve(st.max_directions + 1)
            self._n_heap, burned, status = advance(
                t_stop, self._coef, self._runs[0], self._runs[1], self._padded_shape[1], self._bins,
                *self._geometry(), st.angle, self._arrival, self._tentative, self._via, self._ros, self._heading,
                self._heap_t, self._heap_c, self._where, self._n_heap, st.max_directions,
                self._burn_log, self._n_burned + burned_total)
            burned_total += burned
            if status == DONE:
                break
            self._reserve(self._heap_t.size)  # double
        self._time = t_stop
        self._n_burned += burned_total
        if self._pending_cells.size:
            keep = self._arrival[self._pending_cells] == INF
            self._pending_cells = self._pending_cells[keep]
            self._pending_times = self._pending_times[keep]
        return burned_total
