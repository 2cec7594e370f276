"""Which cells of a grid a shape covers: lines, boxes and polygons given in metres.

Scenarios draw features in the grid's frame (a dam crest, a firebreak, a village, a
reservoir); every model turns them into boolean cell masks through these functions, so a
polygon means the same cells to the flood and to the fire.
"""

from __future__ import annotations

import math

import numpy as np

from sim.grid import RasterGrid

Point = tuple[float, float]

def line_cells(line: list[Point], grid: RasterGrid, width_m: float | None = None) -> np.ndarray:
    """Boolean mask of the cells a polyline passes through (thickened to ``width_m``)."""
    mask = np.zeros(grid.shape, dtype=bool)
    step = 0.25 * min(grid.dx, grid.dy)
    half = 0.0 if width_m is None else width_m / 2
    for (xa, ya), (xb, yb) in zip(line[:-1], line[1:]):
        length = math.hypot(xb - xa, yb - ya)
        n = max(2, int(math.ceil(length / step)) + 1)
        s = np.linspace(0.0, 1.0, n)
        px, py = xa + s * (xb - xa), ya + s * (yb - ya)
        if half > 0 and length > 0:
            nx_, ny_ = -(yb - ya) / length, (xb - xa) / length
            offsets = np.arange(-half, half + step, step)
            px = (px[None, :] + offsets[:, None] * nx_).ravel()
            py = (py[None, :] + offsets[:, None] * ny_).ravel()
        i = np.floor((px - grid.x0) / grid.dx).astype(int)
        j = np.floor((py - grid.y0) / grid.dy).astype(int)
        ok = (i >= 0) & (i < grid.nx) & (j >= 0) & (j < grid.ny)
        mask[j[ok], i[ok]] = True
    return mask


def box_cells(boxes, grid: RasterGrid) -> np.ndarray:
    """Cells whose centre lies in any [x_min, y_min, x_max, y_max] box."""
    X, Y = np.meshgrid(grid.x, grid.y)
    mask = np.zeros(grid.shape, dtype=bool)
    for x0, y0, x1, y1 in boxes:
        mask |= (X >= x0) & (X <= x1) & (Y >= y0) & (Y <= y1)
    return mask


def polygon_cells(polygon: list[Point], grid: RasterGrid) -> np.ndarray:
    """Cells whose centre lies inside a polygon."""
    from matplotlib.path import Path as MplPath

    X, Y = np.meshgrid(grid.x, grid.y)
    inside = MplPath(np.asarray(polygon, float)).contains_points(np.column_stack([X.ravel(), Y.ravel()]))
    return inside.reshape(grid.shape)
