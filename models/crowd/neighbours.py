"""The cell list of agents for the crowd kernels.

Cell list (the cell index method; Allen & Tildesley 1987, Computer Simulation of Liquids,
ch. 5). The plane is cut into square cells of side h >= r_c (the interaction cut-off), nx by
ny of them from the origin (x_0, y_0). An agent at (x, y) belongs to cell

    i_x = clamp(floor((x - x_0) / h), 0, nx - 1),   i_y = clamp(floor((y - y_0) / h), 0, ny - 1),
    c = i_y nx + i_x.

Clamping puts agents outside the grid into its border cells; it never separates two agents that
are within h of each other (clamping is monotone, so their cell indices still differ by at
most 1), so every pair closer than r_c is found in the 3 x 3 block of cells around either
agent. A counting sort (one pass to count, a prefix sum, one pass to place) builds the CSR
arrays: the active agents of cell c are ``cell_agents[cell_start[c]:cell_start[c + 1]]``, in
ascending slot order. It is sequential, O(N + cells) and deterministic. The kernels read the
neighbours' data from ``ordered`` (float64, rows ROW_X, ROW_Y, ROW_RADIUS, ROW_VX, ROW_VY), a
copy of x, y, radius, vx, vy gathered in that same order: ``ordered[r, k]`` belongs to agent
``cell_agents[k]``, and the agents of the cells i_x0..i_x1 of one row i_y are the contiguous run
k in [cell_start[i_y nx + i_x0], cell_start[i_y nx + i_x1 + 1]).

The clamped cell formula is :func:`models.crowd.geometry.cell_coords`, shared with the wall
index the crowd kernels take, :class:`models.crowd.geometry.WallIndex` (wall segments
bucketed so that a point's bucket lists every segment within ``reach`` of it).

======== ============================================================ ======
symbol   meaning                                                      unit
======== ============================================================ ======
h        side of a cell (>= r_c)                                      m
r_c      interaction cut-off (centre to centre)                       m
x_0,y_0  lower-left corner of the grid                                m
nx, ny   cells along x and y                                          1
======== ============================================================ ======
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from models.crowd.geometry import cell_coords

# Rows of CellList.ordered.
ROW_X, ROW_Y, ROW_RADIUS, ROW_VX, ROW_VY = range(5)


@njit(cache=True, error_model="numpy")
def build_cells(x, y, active, x0, y0, h, nx, ny, cell_count, cell_start, cell_agents):
    """Counting sort of the active agents into cells; returns the number of active agents.

    cell_count : int64[nx ny] scratch; cell_start : int64[nx ny + 1]; cell_agents : int64[>= N].
    """
    n_cells = nx * ny
    for c in range(n_cells):
        cell_count[c] = 0
    for i in range(x.size):
        if active[i]:
            ix, iy = cell_coords(x[i], y[i], x0, y0, h, nx, ny)
            cell_count[iy * nx + ix] += 1
    cell_start[0] = 0
    for c in range(n_cells):
        cell_start[c + 1] = cell_start[c] + cell_count[c]
        cell_count[c] = cell_start[c]  # reused as the next free place in cell c
    for i in range(x.size):
        if active[i]:
            ix, iy = cell_coords(x[i], y[i], x0, y0, h, nx, ny)
            c = iy * nx + ix
            cell_agents[cell_count[c]] = i
            cell_count[c] += 1
    return cell_start[n_cells]


@njit(cache=True, error_model="numpy")
def gather(cell_agents, n, source, out):
    """out[k] = source[cell_agents[k]] for k < n: a per-agent array in cell order."""
    for k in range(n):
        out[k] = source[cell_agents[k]]


@njit(cache=True, error_model="numpy")
def count_neighbours(x, y, active, r_c, x0, y0, h, nx, ny, cell_start, cell_agents, out):
    """out[i] = number of active agents j != i with |x_i - x_j| < r_c, found through the cell list.

    The iteration every crowd kernel uses: the 3 x 3 block of cells around agent i.
    """
    r_c2 = r_c * r_c
    for i in range(x.size):
        out[i] = 0
        if not active[i]:
            continue
        ix, iy = cell_coords(x[i], y[i], x0, y0, h, nx, ny)
        for cy in range(max(iy - 1, 0), min(iy + 2, ny)):
            for cx in range(max(ix - 1, 0), min(ix + 2, nx)):
                c = cy * nx + cx
                for k in range(cell_start[c], cell_start[c + 1]):
                    j = cell_agents[k]
                    if j == i:
                        continue
                    dx = x[i] - x[j]
                    dy = y[i] - y[j]
                    if dx * dx + dy * dy < r_c2:
                        out[i] += 1


@dataclass(eq=False)
class CellList:
    """A uniform grid of cells over [x_0, x_0 + nx h] x [y_0, y_0 + ny h] and its CSR arrays."""

    x0: float
    y0: float
    cell_size: float
    nx: int
    ny: int
    cell_count: np.ndarray
    cell_start: np.ndarray
    cell_agents: np.ndarray
    ordered: np.ndarray

    @classmethod
    def covering(cls, xmin: float, ymin: float, xmax: float, ymax: float, cell_size: float, capacity: int) -> CellList:
        """Cells of side ``cell_size`` over the box; agents outside it go to the border cells."""
        if not cell_size > 0.0:
            raise ValueError(f"cell_size must be > 0, got {cell_size}")
        nx = max(1, int(math.ceil((xmax - xmin) / cell_size)))
        ny = max(1, int(math.ceil((ymax - ymin) / cell_size)))
        return cls(float(xmin), float(ymin), float(cell_size), nx, ny, np.zeros(nx * ny, dtype=np.int64),
                   np.zeros(nx * ny + 1, dtype=np.int64), np.zeros(capacity, dtype=np.int64),
                   np.zeros((5, capacity)))

    def build(self, x: np.ndarray, y: np.ndarray, active: np.ndarray, radius: np.ndarray | None = None,
              vx: np.ndarray | None = None, vy: np.ndarray | None = None) -> int:
        """Bin the active agents and gather x, y (and radius, vx, vy where given) into ``ordered``.

        Returns the number of active agents. Grows the arrays if the population outgrew them.
        """
        if self.cell_agents.size < x.size:
            self.cell_agents = np.zeros(x.size, dtype=np.int64)
            self.ordered = np.zeros((5, x.size))
        n = int(build_cells(x, y, active, self.x0, self.y0, self.cell_size, self.nx, self.ny,
                            self.cell_count, self.cell_start, self.cell_agents))
        for row, values in ((ROW_X, x), (ROW_Y, y), (ROW_RADIUS, radius), (ROW_VX, vx), (ROW_VY, vy)):
            if values is not None:
                gather(self.cell_agents, n, values, self.ordered[row])
        return n

    def kernel_args(self) -> tuple:
        """(cell_start, cell_agents, ordered, x_0, y_0, h, nx, ny): the cell-list arguments of the kernels."""
        return (self.cell_start, self.cell_agents, self.ordered, self.x0, self.y0, self.cell_size, self.nx, self.ny)

    def neighbour_counts(self, x, y, active, r_c: float) -> np.ndarray:
        """Per agent, the number of others within r_c (needs r_c <= cell_size); for tests and checks."""
        if r_c > self.cell_size:
            raise ValueError(f"cut-off {r_c} m exceeds the cell size {self.cell_size} m")
        out = np.zeros(x.size, dtype=np.int64)
        count_neighbours(x, y, active, float(r_c), self.x0, self.y0, self.cell_size, self.nx, self.ny,
                         self.cell_start, self.cell_agents, out)
        return out


def neighbour_counts_brute_force(x, y, active, r_c: float) -> np.ndarray:
    """The twin of :meth:`CellList.neighbour_counts`: all pairs, O(N^2)."""
    d2 = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    close = (d2 < r_c * r_c) & active[:, None] & active[None, :]
    np.fill_diagonal(close, False)
    return close.sum(axis=1).astype(np.int64)
