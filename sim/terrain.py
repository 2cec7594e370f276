"""Terrain shared by the models: DEM files and synthetic landscapes on a model's grid.

DEMs are read from ESRI ASCII grids (``.asc``, also gzipped, e.g. LISFLOOD-FP's
``.dem.raw.gz``), NetCDF (any 2-D variable with 1-D x/y coordinates) and GeoTIFF
(:mod:`sim.io.rasters`), then interpolated bilinearly onto the scenario's grid (cell centres),
so a run may be coarser or finer than its DEM. ``data:<dataset>/<file>`` names a file of a
registered measured dataset (:mod:`sim.io.data`).

Synthetic terrains let bundled scenarios run anywhere without data files:

- ``plane``: z = z0 + s_x x + s_y y;
- ``valley``: a valley along x falling with slope s, trapezoidal cross-section with side
  slope m (rise over run) and an optional river channel of width w_c and depth d_c;
- ``town``: a plane with a street grid of blocks (buildings) raised by their height.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.grid import RasterGrid
from sim.io.data import resolve_path
from sim.io.rasters import read_raster, resample

# A blocked cell's bed sits this far above the highest terrain: flow never reaches it.
BLOCKED_RISE_M = 1.0e4


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FileTerrain(_Spec):
    kind: Literal["file"]
    path: str
    variable: str | None = Field(None, description="NetCDF variable (default: the only 2-D one)")
    offset_m: float = 0.0
    nodata: Literal["error", "wall"] = Field(
        "error", description="what NODATA cells are: an error, or walls no water reaches")

    @field_validator("path")
    @classmethod
    def _exists(cls, value: str) -> str:
        if not value.startswith("data:") and not Path(value).is_file():
            raise ValueError(f"file {value!r} not found")
        return value


class PlaneTerrain(_Spec):
    kind: Literal["plane"]
    elevation_m: float = 0.0
    slope_x: float = 0.0
    slope_y: float = 0.0


class ValleyTerrain(_Spec):
    kind: Literal["valley"]
    elevation_m: float = Field(100.0, description="valley floor at x = 0")
    slope: float = Field(0.002, ge=0, description="downvalley fall of the floor along +x")
    axis_y_m: float | None = Field(None, description="y of the valley axis (default: grid centre)")
    floor_width_m: float = Field(100.0, ge=0)
    side_slope: float = Field(0.1, gt=0, description="rise over run of the valley sides")
    channel_width_m: float = Field(0.0, ge=0)
    channel_depth_m: float = Field(0.0, ge=0)


class TownTerrain(_Spec):
    kind: Literal["town"]
    elevation_m: float = 10.0
    slope_x: float = 0.005
    slope_y: float = 0.0
    block_m: float = Field(40.0, gt=0, description="side of a building block")
    street_m: float = Field(12.0, gt=0, description="street width between blocks")
    building_height_m: float = Field(8.0, ge=0)
    town_box_m: tuple[float, float, float, float] | None = Field(
        None, description="[x_min, y_min, x_max, y_max] of the built-up area (default: the middle half)")


TerrainSpec = Annotated[Union[FileTerrain, PlaneTerrain, ValleyTerrain, TownTerrain], Field(discriminator="kind")]


def build_bed(spec, grid: RasterGrid) -> np.ndarray:
    """The bed elevation z[j, i] (m) at the grid's cell centres."""
    X, Y = np.meshgrid(grid.x, grid.y)
    if spec.kind == "plane":
        return spec.elevation_m + spec.slope_x * X + spec.slope_y * Y
    if spec.kind == "valley":
        axis = spec.axis_y_m if spec.axis_y_m is not None else grid.y0 + grid.ny * grid.dy / 2
        d = np.abs(Y - axis)
        z = spec.elevation_m - spec.slope * (X - grid.x0) + spec.side_slope * np.maximum(d - spec.floor_width_m / 2, 0)
        if spec.channel_width_m > 0 and spec.channel_depth_m > 0:
            z = np.where(d <= spec.channel_width_m / 2, z - spec.channel_depth_m, z)
        return z
    if spec.kind == "town":
        z = spec.elevation_m - spec.slope_x * (X - grid.x0) - spec.slope_y * (Y - grid.y0)
        return np.where(town_blocks(spec, grid), z + spec.building_height_m, z)
    z_dem, xs, ys = read_raster(resolve_path(spec.path), spec.variable)
    if spec.nodata == "wall" and np.isnan(z_dem).any():
        z_dem = np.where(np.isnan(z_dem), np.nanmax(z_dem) + BLOCKED_RISE_M, z_dem)
    z = resample(z_dem, xs, ys, grid, what="DEM") + spec.offset_m
    if np.isnan(z).any():
        j, i = np.argwhere(np.isnan(z))[0]
        raise ValueError(f"the DEM has no data at x = {grid.x[i]:g}, y = {grid.y[j]:g} m (NODATA inside the grid)")
    return z


def town_blocks(spec, grid: RasterGrid) -> np.ndarray:
    """The building blocks of a ``town`` terrain: True on the cells they cover."""
    X, Y = np.meshgrid(grid.x, grid.y)
    x0, x1, y0, y1 = grid.extent_m
    box = spec.town_box_m or (x0 + (x1 - x0) / 4, y0 + (y1 - y0) / 4, x1 - (x1 - x0) / 4, y1 - (y1 - y0) / 4)
    period = spec.block_m + spec.street_m
    in_town = (X >= box[0]) & (X <= box[2]) & (Y >= box[1]) & (Y <= box[3])
    bx = np.mod(X - box[0], period) >= spec.street_m
    by = np.mod(Y - box[1], period) >= spec.street_m
    return in_town & bx & by
