"""Terrain for the flood model: the shared DEMs and landscapes, plus crest lines and buildings.

DEM files and synthetic terrains (``file``, ``plane``, ``valley``, ``town``) live in
:mod:`sim.terrain`, shared with the other models; they are re-exported here.

Crest lines (dams, levees, embankments) set the bed along a polyline to an elevation; a later
crest overrides an earlier one where they overlap, so a breach is a short crest drawn over a
dam whose elevation an ``[[events]]`` entry lowers.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.grid import RasterGrid
from sim.terrain import (
    BLOCKED_RISE_M,
    FileTerrain,
    PlaneTerrain,
    TerrainSpec,
    TownTerrain,
    ValleyTerrain,
    build_bed,
    town_blocks,
)

__all__ = ["BLOCKED_RISE_M", "Buildings", "Crest", "FileTerrain", "PlaneTerrain", "TerrainSpec", "TownTerrain",
           "ValleyTerrain", "build_bed", "connected_below", "town_blocks"]

Point = tuple[float, float]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Crest(_Spec):
    """A crest line: the bed along the polyline is set to ``elevation_m``."""

    line_m: list[Point] = Field(min_length=2)
    elevation_m: float
    width_m: float | None = Field(None, gt=0, description="default: one cell")


class Buildings(_Spec):
    """Buildings as raised terrain (``raised``: + height) or blocked cells (no flow, no rain)."""

    boxes_m: list[tuple[float, float, float, float]] = Field(min_length=1)
    mode: Literal["raised", "blocked"] = "raised"
    height_m: float = Field(10.0, gt=0)


def connected_below(cells: np.ndarray, bed: np.ndarray, level_m: float, point: Point, grid: RasterGrid) -> np.ndarray:
    """The cells of ``cells`` with bed below ``level_m`` that connect to ``point`` through such
    cells, side by side (a lake filled from that point, not every hollow below its level)."""
    from scipy import ndimage

    j, i = grid.index_of(*point)
    if not (0 <= j < grid.ny and 0 <= i < grid.nx):
        raise ValueError(f"initial_water connected_to_m {tuple(point)} lies outside the grid")
    under = cells & (bed < level_m)
    if not under[j, i]:
        raise ValueError(f"initial_water connected_to_m {tuple(point)} is not below the level {level_m:g} m "
                         f"inside the polygon (bed there {float(bed[j, i]):.4g} m); expected a point in the lake")
    labels, _ = ndimage.label(under)  # 4-connectivity: water does not pass between diagonal cells
    return labels == labels[j, i]
