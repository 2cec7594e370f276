"""Navigation: the travel time to the nearest open exit by the fast marching method.

Every agent walks, in the absence of others, down the gradient of the travel time T(x) to
the exits: the static floor field of pedestrian models made Euclidean and continuous
(Kretz, Boenisch & Vortisch 2008, arXiv:0804.3868, compare ways to compute it; Hartmann
2010, New J. Phys. 12:043032, takes T as the solution of the eikonal equation with a speed
that depends on the terrain, so agents follow geodesics of that metric):

    |grad T(x)| F(x) = 1    on the walkable cells,       T = T_e on the exit cells,

with F > 0 the free walking speed where the floor allows it (1 m/s by default, so that T is
the walking distance in metres; stairs or slopes lower it) and F = 0 impassable elsewhere.

Discretisation (Sethian 1996, PNAS 93:1591; Sethian 1999, *Level Set Methods and Fast
Marching Methods*, ch. 8): at cell (j, i), with the upwind neighbour value per axis

    T_x = min(T[j, i-1], T[j, i+1]),   T_y = min(T[j-1, i], T[j+1, i])   (known cells only),

the first-order Godunov upwind scheme solves for T

    max((T - T_x) / dx, 0)^2 + max((T - T_y) / dy, 0)^2 = 1 / F^2.

The second-order scheme replaces an axis's term, where the cell two steps away on the
upwind side is known and T2 <= T1 (Sethian 1999, sect. 8.4; up to a relative 1e-12, so
that rounding does not flip the stencil where T2 = T1 exactly) and the cell one step away is
not an exit cell (T has a kink at the exits: between two exit cells at the same distance
from a point exit the one-sided difference would be wrong by h/3), by the difference
(3 T - 4 T1 + T2) / (2 h), i.e. the term (9 / 4h^2) (T - (4 T1 - T2) / 3)^2. With
v_k the per-axis reference value and a_k its coefficient (1 / h^2 or 9 / 4h^2), sorted so
that v_1 <= v_2, the update is

    T = v_1 + 1 / (F sqrt(a_1))                               if that is <= v_2,
    T = v_1 + (a_2 d + sqrt((a_1 + a_2) / F^2 - a_1 a_2 d^2)) / (a_1 + a_2),  d = v_2 - v_1,

otherwise (the quadratic solved for the offset from v_1, so that large T lose no digits).
When the one-axis value exceeds v_2 the discriminant is positive, so the update never fails.
Cells are frozen in increasing T from a binary heap (ties broken by the flat cell index,
so the result does not depend on the heap's internals). A newly frozen cell recomputes its
neighbours and, with second order, the cell two steps beyond a frozen neighbour, whose T2
it has become; otherwise a stencil would depend on which of two equal times was frozen
first, and a symmetric hall would get a field asymmetric by a good part of h. Exit cells
are fixed first, with T_e = (distance from the cell centre to the exit shape) / F: 0 inside
an exit polygon, and the exact value around a point or a line exit.

Walls. A cell is passable when its centre is walkable (:meth:`Geometry.walkable_mask`) and
F > 0 there. Two neighbouring cells are linked only if the segment between their centres
crosses no wall segment, so a thin wall or an obstacle narrower than a cell still stops the
front; the march and the gradient use linked neighbours only.

Directions. The walking direction at a cell is the normalised upwind descent direction
e = -grad T / |grad T|, with per axis the one-sided difference towards the smaller linked
neighbour when that neighbour is below T (zero otherwise, e.g. at the bottom of an exit
polygon or on a cell no exit reaches). Cells that are not walkable take the direction of
the nearest walkable cell (Euclidean distance transform), so no interpolation near a wall
pulls towards the wall. At an agent, e is the bilinear blend of the four surrounding cell
centres, leaving out any centre hidden behind a wall (the segment agent-centre crosses
one), normalised. Finally, wall guard: while the ray from the agent along e of length g
(``wall_guard_m``) meets a wall segment, the component of e towards that wall
(e . n < 0, n the unit vector from the wall's nearest point q to the agent) is removed and
e renormalised. The segment lies in the half-plane (x - q) . n <= 0 and the turned ray
in (x - q) . n >= |p - q| > 0, so the turned ray misses it; when no wall is met any more,
a step of length <= g along e crosses no wall. e = 0 where no direction passes (an inner
corner, a wall straight ahead), or where the blend cancels.

The fields are float64 whatever the grid dtype: they are computed once per exit change,
not per step.

Symbols
-------

======== ============================================================ =======
symbol   meaning                                                      unit
======== ============================================================ =======
T        travel time to the nearest open exit                         s
T_e      travel time fixed on an exit cell                            s
F        free walking speed of the floor (0: impassable)              m s-1
dx, dy   cell spacing along x, y                                      m
h        dx or dy, the spacing along the axis in question             m
T1, T2   known neighbour values one and two cells upwind on an axis   s
v_k      reference value of axis k: T1, or (4 T1 - T2) / 3            s
a_k      coefficient of axis k: 1 / h^2, or 9 / (4 h^2)               m-2
r        1 / F^2                                                      s2 m-2
e        unit walking direction -grad T / |grad T|                    1
g        wall guard: length of the ray checked against walls          m
x0, y0   lower-left corner of the grid                                m
======== ============================================================ =======
"""

from __future__ import annotations

import heapq
import math
from typing import Mapping, Sequence

import numpy as np
from numba import njit
from pydantic import Field, model_validator

from models.crowd.geometry import Geometry, Point, blocks, bucket_of, closest_point, move_crosses_wall
from sim.geometry import polygon_cells
from sim.grid import RasterGrid
from sim.model import ModelParams

# Cell states of the march; FIXED: an exit cell, known from the start.
FAR, TRIAL, KNOWN, FIXED = 0, 1, 2, 3
# Relative rounding allowance of the second-order switch T2 <= T1: where T is flat along an
# axis T2 = T1 in exact arithmetic, and rounding must not flip the stencil (and the result).
ROUNDING = 1.0e-12
# Below this norm a blended or projected direction counts as zero (directions cancel).
DIRECTION_EPS = 1.0e-9


class ExitSpec(ModelParams):
    """An exit: exactly one of a polygon (area), a polyline (door line) or a point."""

    name: str | None = None
    polygon_m: list[Point] | None = Field(None, min_length=3)
    line_m: list[Point] | None = Field(None, min_length=2)
    point_m: Point | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> "ExitSpec":
        given = [k for k in ("polygon_m", "line_m", "point_m") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"an exit needs exactly one of polygon_m, line_m, point_m; got {given or 'none'}")
        return self


def as_exit(value) -> ExitSpec:
    """An :class:`ExitSpec` from itself, a dict, or a list of points (1: point, 2: line, 3+: polygon)."""
    if isinstance(value, ExitSpec):
        return value
    if isinstance(value, Mapping):
        return ExitSpec(**value)
    points = [tuple(p) for p in value]
    if len(points) == 1:
        return ExitSpec(point_m=points[0])
    if len(points) == 2:
        return ExitSpec(line_m=points)
    return ExitSpec(polygon_m=points)


# --------------------------------------------------------------------------------------------
# Numba kernels


@njit(cache=True)
def open_links(passable, x0, y0, dx, dy, segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach, link_x,
               link_y):
    """link_x[j, i]: cells (j, i) and (j, i+1) connect; link_y[j, i]: (j, i) and (j+1, i).

    Both cells passable and the segment between their centres crosses no wall; the wall
    index must have reach >= max(dx, dy).
    """
    ny, nx = passable.shape
    for j in range(ny):
        yc = y0 + (j + 0.5) * dy
        for i in range(nx):
            xc = x0 + (i + 0.5) * dx
            if i < nx - 1:
                link_x[j, i] = (passable[j, i] and passable[j, i + 1]
                                and not move_crosses_wall(xc, yc, xc + dx, yc, segments, start, segment_ids,
                                                          x_b, y_b, h, nbx, nby, reach))
            if j < ny - 1:
                link_y[j, i] = (passable[j, i] and passable[j + 1, i]
                                and not move_crosses_wall(xc, yc, xc, yc + dy, segments, start, segment_ids,
                                                          x_b, y_b, h, nbx, nby, reach))


@njit(cache=True)
def eikonal_update(v1, a1, v2, a2, r):
    """Solve a_1 (T - v_1)^2 + a_2 (T - v_2)^2 = r upwind (terms with T < v_k dropped)."""
    if v2 < v1:
        v1, a1, v2, a2 = v2, a2, v1, a1
    if v1 == math.inf:
        return math.inf
    t = v1 + math.sqrt(r / a1)
    if t <= v2:
        return t
    d = v2 - v1
    disc = (a1 + a2) * r - a1 * a2 * d * d
    if disc < 0.0:  # only by rounding: positive in exact arithmetic once t > v2
        disc = 0.0
    return v1 + (a2 * d + math.sqrt(disc)) / (a1 + a2)


@njit(cache=True)
def local_time(T, state, speed, link_x, link_y, j, i, dx, dy, second_order):
    """Upwind solution at cell (j, i) from its known, linked neighbours."""
    ny, nx = T.shape
    # x axis: lower neighbour (j, i-1), upper (j, i+1)
    t1 = math.inf
    t2 = math.inf
    if i > 0 and link_x[j, i - 1] and state[j, i - 1] >= KNOWN:
        t1 = T[j, i - 1]
        if i > 1 and state[j, i - 1] == KNOWN and link_x[j, i - 2] and state[j, i - 2] >= KNOWN:
            t2 = T[j, i - 2]
    if i < nx - 1 and link_x[j, i] and state[j, i + 1] >= KNOWN and T[j, i + 1] < t1:
        t1 = T[j, i + 1]
        t2 = math.inf
        if i < nx - 2 and state[j, i + 1] == KNOWN and link_x[j, i + 1] and state[j, i + 2] >= KNOWN:
            t2 = T[j, i + 2]
    if second_order and t2 <= t1 * (1.0 + ROUNDING) and t2 < math.inf:
        vx, ax = (4.0 * t1 - t2) / 3.0, 2.25 / (dx * dx)
    else:
        vx, ax = t1, 1.0 / (dx * dx)
    # y axis
    t1 = math.inf
    t2 = math.inf
    if j > 0 and link_y[j - 1, i] and state[j - 1, i] >= KNOWN:
        t1 = T[j - 1, i]
        if j > 1 and state[j - 1, i] == KNOWN and link_y[j - 2, i] and state[j - 2, i] >= KNOWN:
            t2 = T[j - 2, i]
    if j < ny - 1 and link_y[j, i] and state[j + 1, i] >= KNOWN and T[j + 1, i] < t1:
        t1 = T[j + 1, i]
        t2 = math.inf
        if j < ny - 2 and state[j + 1, i] == KNOWN and link_y[j + 1, i] and state[j + 2, i] >= KNOWN:
            t2 = T[j + 2, i]
    if second_order and t2 <= t1 * (1.0 + ROUNDING) and t2 < math.inf:
        vy, ay = (4.0 * t1 - t2) / 3.0, 2.25 / (dy * dy)
    else:
        vy, ay = t1, 1.0 / (dy * dy)
    f = speed[j, i]
    return eikonal_update(vx, ax, vy, ay, 1.0 / (f * f))


@njit(cache=True)
def _before(a, b, key):
    """Heap order: smaller T first, then smaller flat index."""
    return key[a] < key[b] or (key[a] == key[b] and a < b)


@njit(cache=True)
def _sift_up(heap, where, key, k):
    c = heap[k]
    while k > 0:
        parent = (k - 1) >> 1
        p = heap[parent]
        if not _before(c, p, key):
            break
        heap[k] = p
        where[p] = k
        k = parent
    heap[k] = c
    where[c] = k


@njit(cache=True)
def _sift_down(heap, where, key, size, k):
    c = heap[k]
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        if child + 1 < size and _before(heap[child + 1], heap[child], key):
            child += 1
        if not _before(heap[child], c, key):
            break
        heap[k] = heap[child]
        where[heap[k]] = k
        k = child
    heap[k] = c
    where[c] = k


@njit(cache=True)
def fast_march(speed, link_x, link_y, seed, dx, dy, second_order, T, state, heap, where):
    """Fast marching from the fixed cells ``seed < inf``; writes T[ny, nx] (inf: unreached).

    speed : float64[ny, nx] F (only read on linked cells); link_x : bool[ny, nx-1];
    link_y : bool[ny-1, nx]; seed : float64[ny, nx]; T : float64[ny, nx] out, C-contiguous
    (the heap reads T through a flat view);
    scratch: state int8[ny, nx], heap int64[ny*nx], where int64[ny*nx].
    Returns the number of cells with a finite T.
    """
    ny, nx = T.shape
    key = T.ravel()  # a view: the heap compares current T values
    size = 0
    for j in range(ny):
        for i in range(nx):
            T[j, i] = seed[j, i]
            state[j, i] = FIXED if seed[j, i] < math.inf else FAR
    for c in range(ny * nx):
        where[c] = -1
    n_known = 0
    # The seeds are fixed; their neighbours start the front, in flat-index order.
    for c in range(ny * nx):
        j = c // nx
        i = c - j * nx
        if state[j, i] == FIXED:
            n_known += 1
            size = _relax_neighbours(j, i, speed, link_x, link_y, dx, dy, second_order, T, state, heap, where,
                                     key, size)
    while size > 0:
        c = heap[0]
        size -= 1
        if size > 0:
            heap[0] = heap[size]
            where[heap[0]] = 0
            _sift_down(heap, where, key, size, 0)
        where[c] = -1
        j = c // nx
        i = c - j * nx
        state[j, i] = KNOWN
        n_known += 1
        size = _relax_neighbours(j, i, speed, link_x, link_y, dx, dy, second_order, T, state, heap, where, key, size)
    return n_known


@njit(cache=True)
def _linked(link_x, link_y, j, i, dj, di):
    """Cells (j, i) and (j + dj, i + di) exist and their link is open (one unit step)."""
    ny, nx = link_y.shape[0] + 1, link_x.shape[1] + 1
    jn = j + dj
    i_n = i + di
    if jn < 0 or jn >= ny or i_n < 0 or i_n >= nx:
        return False
    if di != 0:
        return link_x[j, min(i, i_n)]
    return link_y[min(j, jn), i]


@njit(cache=True)
def _relax(jn, i_n, speed, link_x, link_y, dx, dy, second_order, T, state, heap, where, key, size):
    """Recompute a cell not yet known; push it or move it up the heap when T drops."""
    t = local_time(T, state, speed, link_x, link_y, jn, i_n, dx, dy, second_order)
    if t < T[jn, i_n]:
        T[jn, i_n] = t
        c = jn * T.shape[1] + i_n
        if state[jn, i_n] == FAR:
            state[jn, i_n] = TRIAL
            heap[size] = c
            size += 1
            _sift_up(heap, where, key, size - 1)
        else:
            _sift_up(heap, where, key, where[c])
    return size


@njit(cache=True)
def _relax_neighbours(j, i, speed, link_x, link_y, dx, dy, second_order, T, state, heap, where, key, size):
    """Recompute the cells whose stencil a newly known cell (j, i) enters.

    Its neighbours (left, right, below, above); with second order also the cell two steps
    away behind a marched neighbour, for which (j, i) is now the T2 of that axis, so that
    a cell's stencil does not depend on the order in which equal times were frozen.
    """
    for n in range(4):
        dj, di = (0, -1) if n == 0 else (0, 1) if n == 1 else (-1, 0) if n == 2 else (1, 0)
        if not _linked(link_x, link_y, j, i, dj, di):
            continue
        j1, i1 = j + dj, i + di
        if state[j1, i1] < KNOWN:
            size = _relax(j1, i1, speed, link_x, link_y, dx, dy, second_order, T, state, heap, where, key, size)
        elif (second_order and state[j1, i1] == KNOWN and _linked(link_x, link_y, j1, i1, dj, di)
              and state[j1 + dj, i1 + di] < KNOWN):
            size = _relax(j1 + dj, i1 + di, speed, link_x, link_y, dx, dy, second_order, T, state, heap, where, key,
                          size)
    return size


@njit(cache=True)
def descent_directions(T, link_x, link_y, dx, dy, ex, ey):
    """e = -grad T / |grad T| at every cell by upwind one-sided differences (0: no descent)."""
    ny, nx = T.shape
    for j in range(ny):
        for i in range(nx):
            ex[j, i] = 0.0
            ey[j, i] = 0.0
            t = T[j, i]
            if t == math.inf:
                continue
            lo = T[j, i - 1] if i > 0 and link_x[j, i - 1] else math.inf
            hi = T[j, i + 1] if i < nx - 1 and link_x[j, i] else math.inf
            gx = 0.0
            if lo <= hi and lo < t:
                gx = -(t - lo) / dx
            elif hi < lo and hi < t:
                gx = (t - hi) / dx
            lo = T[j - 1, i] if j > 0 and link_y[j - 1, i] else math.inf
            hi = T[j + 1, i] if j < ny - 1 and link_y[j, i] else math.inf
            gy = 0.0
            if lo <= hi and lo < t:
                gy = -(t - lo) / dy
            elif hi < lo and hi < t:
                gy = (t - hi) / dy
            norm = math.hypot(gx, gy)
            if norm > 0.0:
                ex[j, i] = gx / norm
                ey[j, i] = gy / norm


@njit(cache=True)
def _hidden(x, y, x0, y0, dx, dy, jc, ic, segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach):
    """The centre of cell (jc, ic) is behind a wall as seen from (x, y)."""
    return move_crosses_wall(x, y, x0 + (ic + 0.5) * dx, y0 + (jc + 0.5) * dy, segments, start, segment_ids,
                             x_b, y_b, h, nbx, nby, reach)


@njit(cache=True)
def blend_weights(x, y, x0, y0, dx, dy, ny, nx, segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach):
    """(j, i, w): bilinear weights w[k] of the 2 x 2 cell centres around (x, y).

    Cell k is (j + k // 2, i + k % 2); the weight of a centre hidden behind a wall is negated
    (so that the plain weights can still be had). Points in the outer half cell of the grid
    take the edge values (the weights are clamped).
    """
    s = min(max((x - x0) / dx - 0.5, 0.0), nx - 1.0)
    r = min(max((y - y0) / dy - 0.5, 0.0), ny - 1.0)
    i = min(int(math.floor(s)), nx - 2)
    j = min(int(math.floor(r)), ny - 2)
    a = s - i
    b = r - j
    w0 = (1.0 - a) * (1.0 - b)
    w1 = a * (1.0 - b)
    w2 = (1.0 - a) * b
    w3 = a * b
    walls = (segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach)
    if w0 > 0.0 and _hidden(x, y, x0, y0, dx, dy, j, i, *walls):
        w0 = -w0
    if w1 > 0.0 and _hidden(x, y, x0, y0, dx, dy, j, i + 1, *walls):
        w1 = -w1
    if w2 > 0.0 and _hidden(x, y, x0, y0, dx, dy, j + 1, i, *walls):
        w2 = -w2
    if w3 > 0.0 and _hidden(x, y, x0, y0, dx, dy, j + 1, i + 1, *walls):
        w3 = -w3
    return j, i, (w0, w1, w2, w3)


@njit(cache=True)
def direction_at(x, y, ex_field, ey_field, x0, y0, dx, dy, segments, start, segment_ids, x_b, y_b, h, nbx, nby,
                 reach, guard):
    """Unit walking direction (e_x, e_y) at (x, y), or (0, 0); see the module docstring.

    The wall index must have reach >= max(hypot(dx, dy), guard). Allocates nothing: callable per
    agent from other kernels.
    """
    ny, nx = ex_field.shape
    j, i, w = blend_weights(x, y, x0, y0, dx, dy, ny, nx, segments, start, segment_ids, x_b, y_b, h, nbx, nby,
                            reach)
    visible = 0.0
    for k in range(4):
        visible += max(w[k], 0.0)
    ex = 0.0
    ey = 0.0
    for k in range(4):
        # every centre hidden (a passage narrower than a cell): fall back to the plain blend
        wk = abs(w[k]) if visible <= 0.0 else max(w[k], 0.0)
        ex += wk * ex_field[j + k // 2, i + k % 2]
        ey += wk * ey_field[j + k // 2, i + k % 2]
    norm = math.hypot(ex, ey)
    if norm < DIRECTION_EPS:
        return 0.0, 0.0
    ex /= norm
    ey /= norm
    bucket = bucket_of(x, y, x_b, y_b, h, nbx, nby)
    # A ray of length guard along e that meets a wall loses its component towards the wall's
    # nearest point; repeat, as turning away from one wall may point at another (an inner
    # corner), and give up after a few rounds.
    for _ in range(4):
        changed = False
        for k in range(start[bucket], start[bucket + 1]):
            s = segment_ids[k]
            ax, ay, bx, by = segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3]
            if not blocks(ax, ay, bx, by, x, y, x + guard * ex, y + guard * ey):
                continue
            qx, qy = closest_point(ax, ay, bx, by, x, y)
            d = math.hypot(x - qx, y - qy)
            if d <= 0.0:
                return 0.0, 0.0  # on the wall itself: no side to turn to
            nx_ = (x - qx) / d
            ny_ = (y - qy) / d
            dot = ex * nx_ + ey * ny_
            if dot < 0.0:
                ex -= dot * nx_
                ey -= dot * ny_
                norm = math.hypot(ex, ey)
                if norm < DIRECTION_EPS:
                    return 0.0, 0.0
                ex /= norm
                ey /= norm
                changed = True
        if not changed:
            return ex, ey
    return 0.0, 0.0


@njit(cache=True)
def directions_at(xs, ys, ex_field, ey_field, x0, y0, dx, dy, segments, start, segment_ids, x_b, y_b, h, nbx, nby,
                  reach, guard, out_x, out_y):
    """:func:`direction_at` at points xs, ys : float[n]; out_x, out_y : float[n]."""
    for k in range(xs.shape[0]):
        out_x[k], out_y[k] = direction_at(xs[k], ys[k], ex_field, ey_field, x0, y0, dx, dy, segments, start,
                                          segment_ids, x_b, y_b, h, nbx, nby, reach, guard)


@njit(cache=True)
def times_at(xs, ys, T, x0, y0, dx, dy, segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach, out):
    """Travel time at points: bilinear over the visible centres with a finite T (inf: none)."""
    ny, nx = T.shape
    for p in range(xs.shape[0]):
        j, i, w = blend_weights(xs[p], ys[p], x0, y0, dx, dy, ny, nx, segments, start, segment_ids, x_b, y_b, h,
                                nbx, nby, reach)
        total = 0.0
        value = 0.0
        for k in range(4):
            t = T[j + k // 2, i + k % 2]
            if w[k] > 0.0 and t < math.inf:
                total += w[k]
                value += w[k] * t
        out[p] = value / total if total > 0.0 else math.inf


# --------------------------------------------------------------------------------------------
# Plain-Python twin (tests only)


def fast_march_reference(speed, link_x, link_y, seed, dx, dy, second_order):
    """The marching of :func:`fast_march` with :mod:`heapq` and lazy deletion, for tests.

    Same update, same order of cells (smallest (T, flat index) first), hence the same
    floating-point result.
    """
    ny, nx = seed.shape
    T = [[float(seed[j, i]) for i in range(nx)] for j in range(ny)]
    fixed = [[bool(seed[j, i] < math.inf) for i in range(nx)] for j in range(ny)]
    known = [row[:] for row in fixed]
    linked_x = [[bool(v) for v in row] for row in link_x]
    linked_y = [[bool(v) for v in row] for row in link_y]

    def linked(j, i, dj, di):
        """Cells (j, i) and (j + dj, i + di) both exist and their link is open."""
        jn, i_n = j + dj, i + di
        if not (0 <= jn < ny and 0 <= i_n < nx):
            return False
        return linked_x[j][min(i, i_n)] if di else linked_y[min(j, jn)][i]

    def side(j, i, dj, di):
        """(T1, T2) of the known cells one and two steps along (dj, di); inf where unusable."""
        if not (linked(j, i, dj, di) and known[j + dj][i + di]):
            return math.inf, math.inf
        t1 = T[j + dj][i + di]
        # second order only through a marched cell: T may have a kink at an exit cell
        if not fixed[j + dj][i + di] and linked(j + dj, i + di, dj, di) and known[j + 2 * dj][i + 2 * di]:
            return t1, T[j + 2 * dj][i + 2 * di]
        return t1, math.inf

    def axis(j, i, dj, di):
        lower, upper = side(j, i, -dj, -di), side(j, i, dj, di)
        return upper if upper[0] < lower[0] else lower

    def upwind(j, i):
        return (*axis(j, i, 0, 1), *axis(j, i, 1, 0))

    def update(j, i):
        tx1, tx2, ty1, ty2 = upwind(j, i)
        terms = []
        for t1, t2, h in ((tx1, tx2, dx), (ty1, ty2, dy)):
            if second_order and t2 <= t1 * (1.0 + ROUNDING) and t2 < math.inf:  # one-sided, second order
                terms.append(((4.0 * t1 - t2) / 3.0, 2.25 / (h * h)))
            else:
                terms.append((t1, 1.0 / (h * h)))
        (v1, a1), (v2, a2) = terms
        if v2 < v1:
            (v1, a1), (v2, a2) = (v2, a2), (v1, a1)
        if v1 == math.inf:
            return math.inf
        r = 1.0 / (speed[j, i] * speed[j, i])
        t = v1 + math.sqrt(r / a1)
        if t <= v2:
            return t
        d = v2 - v1
        disc = max((a1 + a2) * r - a1 * a2 * d * d, 0.0)
        return v1 + (a2 * d + math.sqrt(disc)) / (a1 + a2)

    heap: list[tuple[float, int]] = []

    def lower(jn, i_n):
        t = update(jn, i_n)
        if t < T[jn][i_n]:
            T[jn][i_n] = t
            heapq.heappush(heap, (t, jn * nx + i_n))

    def relax(j, i):
        """Neighbours of a newly known cell, and with second order the cells it is T2 for."""
        for dj, di in ((0, -1), (0, 1), (-1, 0), (1, 0)):
            if not linked(j, i, dj, di):
                continue
            j1, i1 = j + dj, i + di
            if not known[j1][i1]:
                lower(j1, i1)
            elif second_order and not fixed[j1][i1] and linked(j1, i1, dj, di) and not known[j1 + dj][i1 + di]:
                lower(j1 + dj, i1 + di)

    for c in range(ny * nx):
        if known[c // nx][c % nx]:
            relax(c // nx, c % nx)
    while heap:
        t, c = heapq.heappop(heap)
        j, i = divmod(c, nx)
        if known[j][i] or t != T[j][i]:
            continue  # a stale entry, superseded by a smaller T
        known[j][i] = True
        relax(j, i)
    return np.array(T, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# The floor field


class FloorField:
    """Travel time to the exits and walking directions on a grid; see the module docstring.

    Parameters
    ----------
    geometry : the walkable space.
    grid : the raster the field lives on; it must cover the geometry.
    exits : a sequence of exits (:class:`ExitSpec`, dicts of its fields, or point lists: 1
        point, 2 points a line, 3 or more a polygon) or a mapping name -> exit.
    speed : free walking speed F (m/s): None (1 m/s, T is then a distance in m), a number,
        or float[ny, nx]; cells with F <= 0 are impassable.
    order : 1 or 2, the order of the upwind differences (2 where the neighbours allow).
    wall_guard_m : g (m); a step of up to g along a returned direction crosses no wall.

    Attributes
    ----------
    time : float64[ny, nx], T (s; inf where no open exit is reachable or not passable).
    direction_x, direction_y : float64[ny, nx], the unit descent direction per cell.
    walkable : bool[ny, nx], cell centres in the walkable area; passable : walkable and F > 0;
    link_x : bool[ny, nx-1]; link_y : bool[ny-1, nx]; speed : float64[ny, nx], F.
    exit_names : names of the exits; exit_seeds : float64[ny, nx] per exit, the distance (m)
        of its cells to the exit shape (inf elsewhere); closed_exits : the closed ones' indices.
    """

    def __init__(self, geometry: Geometry, grid: RasterGrid, exits, speed=None, order: int = 2,
                 wall_guard_m: float = 0.1) -> None:
        if order not in (1, 2):
            raise ValueError(f"order must be 1 or 2, got {order}")
        if grid.nx < 2 or grid.ny < 2:
            raise ValueError(f"a floor field needs at least 2 x 2 cells, got {grid.shape}")
        if not wall_guard_m >= 0:
            raise ValueError(f"wall_guard_m must be >= 0, got {wall_guard_m}")
        x_min, y_min, x_max, y_max = geometry.bounds
        gx0, gx1, gy0, gy1 = grid.extent_m
        slack = 1e-9 * max(gx1 - gx0, gy1 - gy0)
        if x_min < gx0 - slack or x_max > gx1 + slack or y_min < gy0 - slack or y_max > gy1 + slack:
            raise ValueError(f"the crowd geometry ({x_min:g}..{x_max:g}, {y_min:g}..{y_max:g} m) extends beyond "
                             f"the grid ({gx0:g}..{gx1:g}, {gy0:g}..{gy1:g} m)")
        self.geometry = geometry
        self.grid = grid
        self.order = order
        self.wall_guard_m = float(wall_guard_m)
        self.index = geometry.wall_index(max(math.hypot(grid.dx, grid.dy), self.wall_guard_m))
        self.walkable = geometry.walkable_mask(grid)

        items = list(exits.items()) if isinstance(exits, Mapping) else [(None, e) for e in exits]
        if not items:
            raise ValueError("a floor field needs at least one exit")
        self.exits = [as_exit(e) for _, e in items]
        self.exit_names = [name if name is not None else (e.name or f"exit {k}")
                           for k, ((name, _), e) in enumerate(zip(items, self.exits))]
        self._exit_reach = [self._exit_distance(e) for e in self.exits]

        ny, nx = grid.shape
        self.time = np.full((ny, nx), np.inf)
        self.direction_x = np.zeros((ny, nx))
        self.direction_y = np.zeros((ny, nx))
        self.link_x = np.zeros((ny, nx - 1), bool)
        self.link_y = np.zeros((ny - 1, nx), bool)
        self.passable = np.zeros((ny, nx), bool)
        self._state = np.empty((ny, nx), np.int8)
        self._heap = np.empty(ny * nx, np.int64)
        self._where = np.empty(ny * nx, np.int64)
        self._set_speed(speed, initial=True)
        self.closed_exits: tuple[int, ...] = ()
        self.recompute()

    def _set_speed(self, speed, initial: bool = False) -> None:
        """Take a new speed field; where passability changes, redo links, exit cells and the
        nearest-passable map."""
        grid = self.grid
        try:
            field = np.broadcast_to(np.asarray(1.0 if speed is None else speed, dtype=np.float64), grid.shape)
        except ValueError:
            raise ValueError(f"the walking speed must be a number or an array of the grid's shape {grid.shape}, "
                             f"got shape {np.shape(speed)}") from None
        if not np.all(np.isfinite(field)):
            raise ValueError("the walking speed field must be finite")
        self.speed = np.maximum(field, 0.0)
        passable = self.walkable & (self.speed > 0)
        if not initial and np.array_equal(passable, self.passable):
            return
        if not passable.any():
            raise ValueError("no cell centre of the grid is walkable: the grid is too coarse or misplaced")
        self.passable = passable
        open_links(passable, grid.x0, grid.y0, grid.dx, grid.dy, *self.index.kernel_args(), self.link_x, self.link_y)
        self.exit_seeds = [np.where(passable, distance, np.inf) for distance in self._exit_reach]
        for name, seeds in zip(self.exit_names, self.exit_seeds):
            if initial and not np.isfinite(seeds).any():
                raise ValueError(f"{name} touches no walkable cell of the grid")
        from scipy import ndimage

        # for each cell, the nearest passable cell: where non-passable cells take their direction
        self._nearest = ndimage.distance_transform_edt(~passable, return_distances=False, return_indices=True)

    def _exit_distance(self, exit: ExitSpec) -> np.ndarray:
        """Distance (m) from the cell centres near an exit to its shape; inf elsewhere.

        An exit's cells are those inside its polygon or within half a cell diagonal of its
        shape (so a door line on a cell edge catches the cells on both sides), where passable.
        """
        grid = self.grid
        reach = 0.5 * math.hypot(grid.dx, grid.dy) * (1.0 + 1e-9)
        if exit.point_m is not None:
            segments = np.array([[*exit.point_m, *exit.point_m]])
        elif exit.line_m is not None:
            line = np.asarray(exit.line_m, np.float64)
            segments = np.column_stack([line[:-1], line[1:]])
        else:
            ring = np.asarray(exit.polygon_m, np.float64)
            segments = np.column_stack([ring, np.roll(ring, -1, axis=0)])
        X, Y = np.meshgrid(grid.x, grid.y)
        distance = np.full(grid.shape, np.inf)
        for ax, ay, bx, by in segments:
            ex, ey = bx - ax, by - ay
            length2 = ex * ex + ey * ey
            t = np.clip(((X - ax) * ex + (Y - ay) * ey) / length2, 0.0, 1.0) if length2 > 0 else 0.0
            np.minimum(distance, np.hypot(X - (ax + t * ex), Y - (ay + t * ey)), out=distance)
        if exit.polygon_m is not None:
            distance[polygon_cells(exit.polygon_m, grid)] = 0.0
        distance[distance > reach] = np.inf
        return distance

    def _exit_number(self, exit) -> int:
        if isinstance(exit, str):
            if exit not in self.exit_names:
                raise ValueError(f"no exit named {exit!r}; the exits are {', '.join(self.exit_names)}")
            return self.exit_names.index(exit)
        k = int(exit)
        if not 0 <= k < len(self.exits):
            raise ValueError(f"exit index {k} out of range (there are {len(self.exits)} exits)")
        return k

    def recompute(self, closed_exits: Sequence[int | str] = (), speed=None) -> None:
        """March again with the exits ``closed_exits`` (indices or names) closed, the others open,
        and, if given, a new walking speed field (a flooded or smoke-filled area slows people:
        Hartmann 2010's adaptive navigation); an exit whose cells all became impassable is
        then unusable. With every exit closed, T = inf and every direction is 0.

        The arrays ``time``, ``direction_x``, ``direction_y`` are updated in place, so
        :attr:`kernel_args` taken earlier stay valid.
        """
        closed = tuple(sorted({self._exit_number(e) for e in closed_exits}))
        if speed is not None:
            self._set_speed(speed)
        seed = np.full(self.grid.shape, np.inf)
        for k, distance in enumerate(self.exit_seeds):
            if k not in closed:
                np.minimum(seed, distance, out=seed)
        finite = np.isfinite(seed)
        seed[finite] /= self.speed[finite]
        fast_march(self.speed, self.link_x, self.link_y, seed, self.grid.dx, self.grid.dy, self.order == 2,
                   self.time, self._state, self._heap, self._where)
        descent_directions(self.time, self.link_x, self.link_y, self.grid.dx, self.grid.dy,
                           self.direction_x, self.direction_y)
        jn, i_n = self._nearest
        outside = ~self.passable
        self.direction_x[outside] = self.direction_x[jn[outside], i_n[outside]]
        self.direction_y[outside] = self.direction_y[jn[outside], i_n[outside]]
        self.closed_exits = closed

    @property
    def kernel_args(self) -> tuple:
        """Trailing arguments of :func:`direction_at` / :func:`directions_at` after the points."""
        g = self.grid
        return (self.direction_x, self.direction_y, g.x0, g.y0, g.dx, g.dy, *self.index.kernel_args(),
                self.wall_guard_m)

    def direction(self, x, y, out=None) -> tuple[np.ndarray, np.ndarray]:
        """Unit walking directions (e_x, e_y) at points (x, y) (m); (0, 0) where there is none.

        ``out`` : optional pair of float64 arrays to write into.
        """
        xs = np.ascontiguousarray(np.atleast_1d(x), dtype=np.float64).ravel()
        ys = np.ascontiguousarray(np.atleast_1d(y), dtype=np.float64).ravel()
        if out is None:
            out = (np.empty_like(xs), np.empty_like(ys))
        directions_at(xs, ys, *self.kernel_args, out[0], out[1])
        return out

    def time_at(self, x, y) -> np.ndarray:
        """Travel time T (s) at points, interpolated from the visible cell centres; inf if none."""
        g = self.grid
        xs = np.ascontiguousarray(np.atleast_1d(x), dtype=np.float64).ravel()
        ys = np.ascontiguousarray(np.atleast_1d(y), dtype=np.float64).ravel()
        out = np.empty_like(xs)
        times_at(xs, ys, self.time, g.x0, g.y0, g.dx, g.dy, *self.index.kernel_args(), out)
        return out
