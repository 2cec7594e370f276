"""Ground and buildings on a gas model's raster: what the wind goes round and the gas cannot enter.

A scenario gives terrain (:mod:`sim.terrain`) and buildings as boxes or polygons with heights.
A ``town`` terrain's blocks are buildings too: its bed has them raised, so they are taken off
the ground here and handed over as buildings, which the wind field treats as obstacles above
the ground and the dense layer as walls.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from models.gas_dispersion.wind_field import WindGrid, rasterize_buildings
from sim.grid import RasterGrid
from sim.model import ModelParams
from sim.terrain import build_bed, town_blocks


class Building(ModelParams):
    """One building: a box [x_min, y_min, x_max, y_max] or a polygon, with its height above ground."""

    box_m: tuple[float, float, float, float] | None = None
    polygon_m: list[tuple[float, float]] | None = Field(None, min_length=3)
    height_m: float = Field(gt=0)

    @model_validator(mode="after")
    def _one_shape(self) -> "Building":
        if (self.box_m is None) == (self.polygon_m is None):
            raise ValueError("give exactly one of box_m or polygon_m")
        if self.box_m is not None and not (self.box_m[0] < self.box_m[2] and self.box_m[1] < self.box_m[3]):
            raise ValueError(f"box_m {list(self.box_m)}: expected [x_min, y_min, x_max, y_max] with min < max")
        return self

    def vertices(self) -> list[tuple[float, float]]:
        if self.polygon_m is not None:
            return list(self.polygon_m)
        x0, y0, x1, y1 = self.box_m
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def ground_and_buildings(grid: RasterGrid, terrain, buildings: list[Building]) -> tuple[np.ndarray, np.ndarray]:
    """(ground elevation without buildings (m), building height above that ground (m, 0: none)), (ny, nx)."""
    ground = build_bed(terrain, grid) if terrain is not None else np.zeros(grid.shape)
    height = np.zeros(grid.shape)
    if terrain is not None and terrain.kind == "town":
        blocks = town_blocks(terrain, grid)
        ground = ground - np.where(blocks, terrain.building_height_m, 0.0)
        height = np.where(blocks, terrain.building_height_m, 0.0)
    if buildings:
        plane = WindGrid(x0=grid.x0, y0=grid.y0, dx=grid.dx, dy=grid.dy, dz=1.0, nx=grid.nx, ny=grid.ny, nz=1)
        height = np.maximum(height, rasterize_buildings(plane, [b.vertices() for b in buildings],
                                                        [b.height_m for b in buildings]))
    return np.ascontiguousarray(ground, dtype=np.float64), height
