"""Plain-Python twin of :mod:`models.wildfire.spread`, written for clarity; tests only.

The same minimum-travel-time spread (Finney 2002) as the kernels: Dijkstra (1959) with
``heapq`` over (row, column) cells of the unpadded grid (cells outside it are impassable),
the same stencil (:func:`~models.wildfire.spread.build_stencil`), per-cell coefficients
(:func:`~models.wildfire.spread.cell_coefficients`, so that the cosines are the kernels' to
the last bit), edge travel time (2) and re-timing of edges at a change of rates (4), with a
dict for the t_0 of each edge. Symbols as in :mod:`models.wildfire.spread`.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from models.wildfire.spread import C_ECX, C_ECY, C_INV_A, C_R, C_THETA, build_stencil, cell_coefficients

INF = math.inf


class ReferenceFront:
    """FireFront's operations on small grids: set_rates, ignite, advance; results as arrays."""

    def __init__(self, shape, dx, dy, stencil_radius=3, refine_tolerance=0.02, max_edge_cells=16):
        self.ny, self.nx = shape
        self.stencil = build_stencil(float(dx), float(dy), stencil_radius, refine_tolerance, max_edge_cells)
        self.arrival = np.full(shape, INF)
        self.tentative = np.full(shape, INF)
        self.via = np.full(shape, -2, dtype=np.int64)
        self.ros = np.full(shape, np.nan)
        self.heading = np.full(shape, np.nan)
        self.heap = []
        self.pending = []  # ignitions (cell, time) not yet burning
        self.edge_t0 = {}  # front cell -> {direction: t_0}, eq. (4)
        self.coef = None
        self.bins = None
        self.time = -INF

    # -- helpers ------------------------------------------------------------------------------
    def inside(self, cell):
        return 0 <= cell[0] < self.ny and 0 <= cell[1] < self.nx

    def burnable(self, coef, cell):
        return self.inside(cell) and coef[cell][C_INV_A] != INF

    def directions(self, cell):
        st = self.stencil
        b = self.bins[cell]
        return [int(d) for d in st.table_dir[st.table_start[b]:st.table_start[b + 1]]]

    def target(self, cell, d):
        di, dj = self.stencil.offsets[d]
        return (cell[0] + int(di), cell[1] + int(dj))

    def slowness(self, coef, cell, d):
        """1 / r(phi) of eq. (1) in `cell` along direction d."""
        inv_a, ecx, ecy = coef[cell][C_INV_A], coef[cell][C_ECX], coef[cell][C_ECY]
        return (1.0 - ecx * self.stencil.cos[d] - ecy * self.stencil.sin[d]) * inv_a

    def travel_time(self, coef, a, d):
        """Eq. (2): the slowness integrated over the cells the edge crosses; inf through a
        non-burnable cell (also one only touched at a corner) or outside the grid."""
        st = self.stencil
        crossed = [((a[0] + int(di), a[1] + int(dj)), length)
                   for (di, dj), length in zip(st.cross_offsets[st.cross_start[d]:st.cross_start[d + 1]],
                                               st.cross_length[st.cross_start[d]:st.cross_start[d + 1]])]
        touched = [(a[0] + int(di), a[1] + int(dj))
                   for di, dj in st.touch_offsets[st.touch_start[d]:st.touch_start[d + 1]]]
        if not all(self.burnable(coef, c) for c, _ in crossed) or not all(self.burnable(coef, c) for c in touched):
            return INF
        if all(tuple(coef[c][:3]) == tuple(coef[a][:3]) for c, _ in crossed):
            return st.length[d] * self.slowness(coef, a, d)
        total = 0.0
        for c, length in crossed:
            total += length * self.slowness(coef, c, d)
        return total

    def push(self, cell, t, via):
        self.tentative[cell] = t
        self.via[cell] = via
        heapq.heappush(self.heap, (t, cell))

    # -- operations ---------------------------------------------------------------------------
    def set_rates(self, R, theta, e, t_change):
        st = self.stencil
        coef, bins = cell_coefficients(R, theta, e, st.n_theta_bins, st.n_e_bins)
        if self.coef is None:
            self.coef, self.bins = coef, bins
            return
        if t_change > self.time:
            self.advance(t_change)
        old_coef = self.coef
        self.coef, self.bins = coef, bins
        self.rebuild(t_change, old_coef)
        self.time = max(self.time, t_change)

    def ignite(self, cells, times):
        for cell, t in zip(cells, times):
            t = max(float(t), self.time)
            self.pending.append((cell, t))
            if self.arrival[cell] == INF and self.burnable(self.coef, cell) and t < self.tentative[cell]:
                self.push(cell, t, -1)

    def advance(self, t_stop):
        while self.heap and self.heap[0][0] <= t_stop:
            t, a = heapq.heappop(self.heap)
            if self.arrival[a] != INF or t > self.tentative[a]:
                continue
            self.arrival[a] = t
            v = self.via[a]
            self.ros[a] = 1.0 / self.slowness(self.coef, a, v) if v >= 0 else self.coef[a][C_R]
            self.heading[a] = self.stencil.angle[v] if v >= 0 else self.coef[a][C_THETA]
            for d in self.directions(a):
                b = self.target(a, d)
                if not self.burnable(self.coef, b) or self.arrival[b] != INF:
                    continue
                t_b = t + self.travel_time(self.coef, a, d)
                if t_b < self.tentative[b]:
                    self.push(b, t_b, d)
        self.time = t_stop
        self.pending = [(c, t) for c, t in self.pending if self.arrival[c] == INF]

    def front(self):
        """Burned cells with an unburned, burnable cell (inside the grid) within the stencil's reach."""
        reach = self.stencil.reach
        unburned = (self.arrival == INF) & (self.coef[..., C_INV_A] != INF)
        out = []
        for j, i in zip(*np.nonzero(np.isfinite(self.arrival))):
            box = unburned[max(j - reach, 0):j + reach + 1, max(i - reach, 0):i + reach + 1]
            if box.any():
                out.append((int(j), int(i)))
        return out

    def rebuild(self, t_c, old_coef):
        """Eq. (4) on every edge from the front to an unburned cell; pending ignitions again."""
        self.heap = []
        self.tentative[self.arrival == INF] = INF
        new_edge_t0 = {}
        for a in self.front():
            t_a = self.arrival[a]
            t0_of_a = new_edge_t0[a] = {}
            for d in self.directions(a):
                b = self.target(a, d)
                t0_of_a[d] = INF
                if not self.burnable(self.coef, b) or self.arrival[b] != INF:
                    continue
                tau_new = self.travel_time(self.coef, a, d)
                if tau_new == INF:
                    continue
                t0 = self.edge_t0.get(a, {}).get(d, t_a)
                tau_old = self.travel_time(old_coef, a, d) if self.burnable(old_coef, b) else INF
                if t0 == INF or tau_old == INF:
                    t_b, t0_of_a[d] = t_c + tau_new, t_c
                elif t0 + tau_old <= t_c:  # an edge new to a's stencil: the past is settled
                    t_b, t0_of_a[d] = t_c, t0
                else:
                    done = (t_c - t0) / tau_old
                    t_b, t0_of_a[d] = t_c + (1.0 - done) * tau_new, t_c - done * tau_new
                if t_b < self.tentative[b]:
                    self.push(b, t_b, d)
        self.edge_t0 = new_edge_t0
        for cell, t in self.pending:
            if self.arrival[cell] == INF and self.burnable(self.coef, cell) and t < self.tentative[cell]:
                self.push(cell, t, -1)


def spread_reference(shape, dx, dy, schedule, ignitions, t_end, **stencil_args):
    """Arrival times, ray rates and headings of a fire under piecewise-constant rates.

    schedule : [(t_change, R, theta, e), ...] ascending, the first in force from the start;
    ignitions : [(row, col, time), ...] given after the first rates; t_end : last time (s).
    Returns (arrival, ros, heading) as (ny, nx) arrays.
    """
    front = ReferenceFront(shape, dx, dy, **stencil_args)
    t0, R, theta, e = schedule[0]
    front.set_rates(R, theta, e, t0)
    front.ignite([(int(r), int(c)) for r, c, _ in ignitions], [t for _, _, t in ignitions])
    for t_c, R, theta, e in schedule[1:]:
        front.set_rates(R, theta, e, t_c)
    front.advance(t_end)
    return front.arrival, front.ros, front.heading
