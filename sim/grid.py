"""RasterGrid: a regular 2-D grid of cells, with coordinates, CRS and dtype.

Cell ``(j, i)`` (row ``j`` along y, column ``i`` along x) has its centre at
``x = x0 + (i + 0.5) dx`` and ``y = y0 + (j + 0.5) dy``, where ``(x0, y0)`` is the
grid's lower-left corner (``origin_m``). Arrays are indexed ``[y, x]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

_EPSG = re.compile(r"^EPSG:(\d{4,6})$")


@dataclass(frozen=True)
class RasterGrid:
    """A regular grid in metres.

    Parameters
    ----------
    shape : (ny, nx), number of cells along y and x.
    spacing_m : (dy, dx), cell size in metres.
    origin_m : (x0, y0), the lower-left corner of cell (0, 0) in metres.
    crs : ``"local"`` for a local metric frame, or ``"EPSG:<code>"`` for a projected CRS.
    dtype : ``"float64"`` or ``"float32"``, the dtype of every floating-point field.

    Examples
    --------
    >>> g = RasterGrid(shape=(2, 3), spacing_m=(10.0, 5.0))
    >>> g.x.tolist(), g.y.tolist()
    ([2.5, 7.5, 12.5], [5.0, 15.0])
    >>> g.cell_area_m2
    50.0
    """

    shape: tuple[int, int]
    spacing_m: tuple[float, float]
    origin_m: tuple[float, float] = (0.0, 0.0)
    crs: str = "local"
    dtype: str = "float64"

    def __post_init__(self) -> None:
        ny, nx = self.shape
        if ny < 1 or nx < 1:
            raise ValueError(f"grid shape must be positive, got {self.shape}")
        if min(self.spacing_m) <= 0:
            raise ValueError(f"grid spacing must be positive, got {self.spacing_m}")
        if self.dtype not in ("float64", "float32"):
            raise ValueError(f"grid dtype must be float64 or float32, got {self.dtype!r}")
        if self.crs != "local" and not _EPSG.match(self.crs):
            raise ValueError(f"crs must be 'local' or 'EPSG:<code>', got {self.crs!r}")

    @property
    def ny(self) -> int:
        return self.shape[0]

    @property
    def nx(self) -> int:
        return self.shape[1]

    @property
    def dy(self) -> float:
        return self.spacing_m[0]

    @property
    def dx(self) -> float:
        return self.spacing_m[1]

    @property
    def x0(self) -> float:
        return self.origin_m[0]

    @property
    def y0(self) -> float:
        return self.origin_m[1]

    @property
    def size(self) -> int:
        return self.ny * self.nx

    @property
    def cell_area_m2(self) -> float:
        return self.dx * self.dy

    @property
    def float_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    @property
    def x(self) -> np.ndarray:
        """Cell-centre x coordinates (m), shape (nx,)."""
        return self.x0 + (np.arange(self.nx) + 0.5) * self.dx

    @property
    def y(self) -> np.ndarray:
        """Cell-centre y coordinates (m), shape (ny,)."""
        return self.y0 + (np.arange(self.ny) + 0.5) * self.dy

    @property
    def extent_m(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) of the grid's outer edges."""
        return (self.x0, self.x0 + self.nx * self.dx, self.y0, self.y0 + self.ny * self.dy)

    @property
    def epsg(self) -> int | None:
        m = _EPSG.match(self.crs)
        return int(m.group(1)) if m else None

    def shape_at(self, at: str) -> tuple[int, ...]:
        """Array shape of a field located ``at`` cells or faces."""
        if at == "cell":
            return self.shape
        if at == "face_x":
            return (self.ny, self.nx + 1)
        if at == "face_y":
            return (self.ny + 1, self.nx)
        raise ValueError(f"no grid shape for fields at {at!r}")

    def contains(self, x: float, y: float) -> bool:
        xmin, xmax, ymin, ymax = self.extent_m
        return xmin <= x <= xmax and ymin <= y <= ymax

    def index_of(self, x: float, y: float) -> tuple[int, int]:
        """(j, i) of the cell containing point (x, y)."""
        return int((y - self.y0) // self.dy), int((x - self.x0) // self.dx)
