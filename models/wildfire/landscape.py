"""The landscape a fire burns: fuel models, terrain and canopy on the scenario's grid.

Two kinds, both giving the same arrays (:class:`Landscape`):

- ``uniform``: one fuel model and one canopy everywhere, on a synthetic terrain (a plane or
  a Gaussian hill), with ``patches`` drawn over it: polygons, boxes or thick lines of another
  fuel model or canopy (a village of non-burnable cells, a road, a forest stand);
- ``landfire``: the LANDFIRE raster layers (the US national fuel and canopy maps FlamMap and
  FARSITE read), GeoTIFFs in the grid's projected CRS: fuel model (FBFM40 or FBFM13 codes),
  elevation (m), slope (percent or degrees), aspect (degrees clockwise from north, the
  downhill direction), canopy cover (%), canopy height and canopy base height (m x 10) and
  canopy bulk density (kg m-3 x 100), the LANDFIRE encodings (LANDFIRE 2022, "LF 2022
  Canopy and Fuel" product descriptions). Patches apply on top.

Fuel numbers are LANDFIRE's (1-13 Anderson, 101-204 Scott & Burgan, 91-99 non-burnable);
a raster's NODATA cells are non-burnable (NB9, 99, "bare ground"). Slope is kept as its
tangent and the upslope direction as an angle counter-clockwise from +x (east), the
convention of every wildfire kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.geometry import box_cells, line_cells, polygon_cells
from sim.grid import RasterGrid
from sim.io.data import resolve_path
from sim.io.rasters import read_raster, resample

Point = tuple[float, float]
NON_BURNABLE_NODATA = 99  # NB9, bare ground


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def fuel_number(code: str | int) -> int:
    """The LANDFIRE number of a fuel model given by code (``"GR2"``, ``"FM10"``) or number."""
    from models.wildfire.fuels import STANDARD_FUEL_MODELS

    if isinstance(code, int) or (isinstance(code, str) and code.isdigit()):
        number = int(code)
        if number not in STANDARD_FUEL_MODELS:
            raise ValueError(f"unknown fuel model number {number}; expected a LANDFIRE number (1-13, 101-204, 91-99)")
        return number
    by_code = {m.code.upper(): n for n, m in STANDARD_FUEL_MODELS.items()}
    if code.upper() not in by_code:
        raise ValueError(f"unknown fuel model {code!r}; expected a code such as GR2, TU5, FM10 or NB1")
    return by_code[code.upper()]


class Canopy(_Spec):
    """A forest canopy: what crown fire and the wind reduction under trees need."""

    cover_pct: float = Field(0.0, ge=0, le=100)
    height_m: float = Field(0.0, ge=0)
    base_height_m: float = Field(0.0, ge=0)
    bulk_density_kg_m3: float = Field(0.0, ge=0, le=2)
    crown_ratio: float = Field(0.5, gt=0, le=1, description="live crown length over tree height")

    @model_validator(mode="after")
    def _base_below_top(self):
        if self.cover_pct > 0 and self.base_height_m > self.height_m:
            raise ValueError(f"canopy base_height_m {self.base_height_m:g} is above height_m {self.height_m:g}")
        return self


class Patch(_Spec):
    """An area of another fuel model and/or canopy: a polygon, boxes, or a line of a width."""

    fuel_model: str | int | None = None
    canopy: Canopy | None = None
    polygon_m: list[Point] | None = Field(None, min_length=3)
    boxes_m: list[tuple[float, float, float, float]] | None = None
    line_m: list[Point] | None = Field(None, min_length=2)
    width_m: float | None = Field(None, gt=0, description="width of a line patch (a road, a river)")

    @model_validator(mode="after")
    def _one_shape(self):
        shapes = [s for s in (self.polygon_m, self.boxes_m, self.line_m) if s is not None]
        if len(shapes) != 1:
            raise ValueError("a patch needs exactly one of polygon_m, boxes_m or line_m")
        if self.fuel_model is None and self.canopy is None:
            raise ValueError("a patch sets fuel_model, canopy or both")
        if self.fuel_model is not None:
            fuel_number(self.fuel_model)
        return self

    def cells(self, grid: RasterGrid) -> np.ndarray:
        if self.polygon_m is not None:
            return polygon_cells(self.polygon_m, grid)
        if self.boxes_m is not None:
            return box_cells(self.boxes_m, grid)
        return line_cells(self.line_m, grid, self.width_m)


class PlaneTerrain(_Spec):
    kind: Literal["plane"] = "plane"
    elevation_m: float = 0.0
    slope_x: float = Field(0.0, description="rise over run along +x (east)")
    slope_y: float = Field(0.0, description="rise over run along +y (north)")


class HillTerrain(_Spec):
    """A Gaussian hill z = z0 + H exp(-r^2 / 2 s^2) centred at ``centre_m``."""

    kind: Literal["hill"]
    elevation_m: float = 0.0
    centre_m: Point
    height_m: float = Field(gt=0)
    radius_m: float = Field(gt=0, description="the Gaussian's standard deviation s")


Terrain = Annotated[Union[PlaneTerrain, HillTerrain], Field(discriminator="kind")]


class UniformLandscape(_Spec):
    kind: Literal["uniform"]
    fuel_model: str | int
    canopy: Canopy = Canopy()
    terrain: Terrain = PlaneTerrain()
    patches: list[Patch] = Field(default_factory=list)

    @field_validator("fuel_model")
    @classmethod
    def _known(cls, value):
        fuel_number(value)
        return value


class LandfireLandscape(_Spec):
    """LANDFIRE GeoTIFF layers; paths may be ``data:<dataset>/<file>``."""

    kind: Literal["landfire"]
    fuel: str = Field(description="FBFM40 or FBFM13 raster")
    elevation: str | None = None
    slope: str | None = Field(None, description="slope raster; without it, slope and aspect come from the elevation")
    slope_units: Literal["percent", "degrees"] = "percent"
    aspect: str | None = None
    canopy_cover: str | None = None
    canopy_height: str | None = None
    canopy_base_height: str | None = None
    canopy_bulk_density: str | None = None
    crown_ratio: float = Field(0.5, gt=0, le=1)
    patches: list[Patch] = Field(default_factory=list)

    @model_validator(mode="after")
    def _terrain(self):
        if self.slope is not None and self.aspect is None:
            raise ValueError("landfire: slope needs aspect too (the direction of the slope)")
        return self


LandscapeSpec = Annotated[Union[UniformLandscape, LandfireLandscape], Field(discriminator="kind")]


@dataclass
class Landscape:
    """Per-cell arrays (ny, nx) of what the fire burns through."""

    fuel_number: np.ndarray  # int16 LANDFIRE numbers
    elevation_m: np.ndarray
    slope_tan: np.ndarray  # tan of the slope angle
    upslope_rad: np.ndarray  # direction of steepest ascent, counter-clockwise from +x
    canopy_cover: np.ndarray  # fraction 0-1
    canopy_height_m: np.ndarray
    canopy_base_height_m: np.ndarray
    canopy_bulk_density_kg_m3: np.ndarray
    crown_ratio: np.ndarray


def slope_from_elevation(elevation: np.ndarray, grid: RasterGrid) -> tuple[np.ndarray, np.ndarray]:
    """(tan slope, upslope angle ccw from +x) from centred differences of the elevation."""
    if min(elevation.shape) < 2:
        zeros = np.zeros_like(elevation)
        return zeros, zeros.copy()
    dz_dy, dz_dx = np.gradient(elevation, grid.dy, grid.dx)
    return np.hypot(dz_dx, dz_dy), np.arctan2(dz_dy, dz_dx)


def _terrain(spec, grid: RasterGrid) -> np.ndarray:
    X, Y = np.meshgrid(grid.x, grid.y)
    if spec.kind == "plane":
        return spec.elevation_m + spec.slope_x * X + spec.slope_y * Y
    r2 = (X - spec.centre_m[0]) ** 2 + (Y - spec.centre_m[1]) ** 2
    return spec.elevation_m + spec.height_m * np.exp(-r2 / (2.0 * spec.radius_m**2))


def _layer(path: str, grid: RasterGrid, method: str, what: str) -> np.ndarray:
    z, xs, ys = read_raster(resolve_path(path))
    return resample(z, xs, ys, grid, method, what=f"{what} raster {path}")


def build_landscape(spec, grid: RasterGrid) -> Landscape:
    """The landscape's arrays on ``grid``; ValueError (one line) naming what is wrong."""
    shape = grid.shape
    if spec.kind == "uniform":
        elevation = _terrain(spec.terrain, grid)
        slope_tan, upslope = slope_from_elevation(elevation, grid)
        fuel = np.full(shape, fuel_number(spec.fuel_model), dtype=np.int16)
        c = spec.canopy
        canopy = [np.full(shape, v, dtype=float) for v in (c.cover_pct / 100.0, c.height_m, c.base_height_m,
                                                           c.bulk_density_kg_m3, c.crown_ratio)]
    else:
        raw = _layer(spec.fuel, grid, "nearest", "fuel")
        fuel = np.where(np.isnan(raw), NON_BURNABLE_NODATA, raw).astype(np.int16)
        unknown = sorted(set(np.unique(fuel).tolist()) - _known_numbers())
        if unknown:
            raise ValueError(f"landfire fuel raster {spec.fuel}: unknown fuel model numbers {unknown[:8]}; "
                             "expected FBFM40/FBFM13 codes (1-13, 91-99, 101-204)")
        elevation = (np.nan_to_num(_layer(spec.elevation, grid, "bilinear", "elevation"))
                     if spec.elevation is not None else np.zeros(shape))
        if spec.slope is not None:
            slope = np.nan_to_num(_layer(spec.slope, grid, "nearest", "slope"))
            slope_tan = slope / 100.0 if spec.slope_units == "percent" else np.tan(np.radians(slope))
            aspect = _layer(spec.aspect, grid, "nearest", "aspect")
            # Aspect is the compass azimuth of the downhill direction; upslope is opposite.
            # As an angle counter-clockwise from east: 90 deg - azimuth.
            upslope = np.radians(90.0 - (np.nan_to_num(aspect) + 180.0))
            upslope = np.arctan2(np.sin(upslope), np.cos(upslope))
            upslope = np.where(np.isnan(aspect) | (aspect < 0), 0.0, upslope)
            slope_tan = np.where(np.isnan(aspect) | (aspect < 0), 0.0, slope_tan)
        else:
            slope_tan, upslope = slope_from_elevation(elevation, grid)
        scales = {"canopy_cover": 0.01, "canopy_height": 0.1, "canopy_base_height": 0.1, "canopy_bulk_density": 0.01}
        canopy = []
        for name, scale in scales.items():
            path = getattr(spec, name)
            values = np.zeros(shape) if path is None else np.nan_to_num(_layer(path, grid, "nearest", name)) * scale
            canopy.append(np.maximum(values, 0.0))
        canopy.append(np.full(shape, spec.crown_ratio))
    cover, height, base, density, ratio = canopy
    for patch in spec.patches:
        cells = patch.cells(grid)
        if patch.fuel_model is not None:
            fuel[cells] = fuel_number(patch.fuel_model)
        if patch.canopy is not None:
            c = patch.canopy
            cover[cells], height[cells], base[cells] = c.cover_pct / 100.0, c.height_m, c.base_height_m
            density[cells], ratio[cells] = c.bulk_density_kg_m3, c.crown_ratio
    return Landscape(fuel, np.ascontiguousarray(elevation, dtype=float), np.ascontiguousarray(slope_tan, dtype=float),
                     np.ascontiguousarray(upslope, dtype=float), cover, height, base, density, ratio)


def _known_numbers() -> set[int]:
    from models.wildfire.fuels import STANDARD_FUEL_MODELS

    return set(STANDARD_FUEL_MODELS)

