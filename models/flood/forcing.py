"""What drives a flood: rainfall, infiltration, inflow hydrographs, boundary levels.

Rainfall is uniform (a rate between two times), a time series (rates held between the
given times) or gridded (a NetCDF variable (time, y, x), interpolated bilinearly to the grid
once and held between its times). Rates are given in mm/h; gridded files may use
``mm h-1``, ``mm/h``, ``m s-1`` or ``kg m-2 s-1`` (1 kg m-2 = 1 mm of water).

Infiltration (only where water stands on the cell):

- ``constant``: a loss rate f (mm/h);
- ``green_ampt`` (Green & Ampt 1911; Chow, Maidment & Mays 1988, §4.3):
  f = K_s (1 + psi_f dtheta / F), with F the depth infiltrated so far (F starts at a small
  positive value to keep f finite), so the capacity falls from very high to K_s.

Inflows are hydrographs Q(t) (m3/s), linear between the given times, entering at a point
(one cell) or spread evenly over the cells of a line.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.grid import RasterGrid

MM_H = 1.0 / 3.6e6  # one mm/h in m/s


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Series(_Spec):
    times_s: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self):
        if any(b <= a for a, b in zip(self.times_s, self.times_s[1:])):
            raise ValueError("times_s must increase")
        values = getattr(self, self.values_key)
        if len(values) != len(self.times_s):
            raise ValueError(f"{self.values_key} must have one value per time in times_s")
        return self


class NoRain(_Spec):
    kind: Literal["none"] = "none"


class UniformRain(_Spec):
    kind: Literal["uniform"]
    rate_mm_h: float = Field(ge=0)
    start_s: float = Field(0.0, ge=0)
    end_s: float | None = Field(None, gt=0, description="default: rain to the end of the run")


class SeriesRain(_Series):
    kind: Literal["series"]
    rates_mm_h: list[Annotated[float, Field(ge=0)]]
    values_key: ClassVar[str] = "rates_mm_h"


class GriddedRain(_Spec):
    kind: Literal["gridded"]
    path: str
    variable: str = "rainfall_rate"


RainSpec = Annotated[Union[NoRain, UniformRain, SeriesRain, GriddedRain], Field(discriminator="kind")]


class NoInfiltration(_Spec):
    kind: Literal["none"] = "none"


class ConstantLoss(_Spec):
    kind: Literal["constant"]
    rate_mm_h: float = Field(gt=0)


class GreenAmpt(_Spec):
    """Green-Ampt parameters; defaults: sandy loam of Rawls, Brakensiek & Miller (1983)."""

    kind: Literal["green_ampt"]
    conductivity_mm_h: float = Field(10.9, gt=0, description="K_s, saturated hydraulic conductivity")
    suction_head_mm: float = Field(110.1, gt=0, description="psi_f, wetting-front suction head")
    moisture_deficit: float = Field(0.3, gt=0, lt=1, description="dtheta, porosity minus initial moisture")


InfiltrationSpec = Annotated[Union[NoInfiltration, ConstantLoss, GreenAmpt], Field(discriminator="kind")]


class Inflow(_Series):
    """A hydrograph entering at a point (``x_m``, ``y_m``) or along ``line_m``."""

    discharge_m3_s: list[float]
    x_m: float | None = None
    y_m: float | None = None
    line_m: list[tuple[float, float]] | None = Field(None, min_length=2)
    values_key: ClassVar[str] = "discharge_m3_s"

    @model_validator(mode="after")
    def _where(self):
        point = self.x_m is not None and self.y_m is not None
        if point == (self.line_m is not None):
            raise ValueError("give x_m and y_m (a point) or line_m (a line), not both")
        return self

    def at(self, t: float) -> float:
        return float(np.interp(t, self.times_s, self.discharge_m3_s))

    def volume(self, t0: float, t1: float) -> float:
        """Exact integral of the piecewise-linear hydrograph over [t0, t1] (m3)."""
        knots = [t for t in self.times_s if t0 < t < t1]
        ts = np.array([t0, *knots, t1])
        qs = np.interp(ts, self.times_s, self.discharge_m3_s)
        return float(np.sum(0.5 * (qs[1:] + qs[:-1]) * np.diff(ts)))


class LevelSeries(_Series):
    times_s: list[float] = Field(min_length=1)
    levels_m: list[float]
    values_key: ClassVar[str] = "levels_m"

    def at(self, t: float) -> float:
        return float(np.interp(t, self.times_s, self.levels_m))


class FixedLevel(_Spec):
    level_m: float


Boundary = Union[Literal["wall", "free"], FixedLevel, LevelSeries]


class Boundaries(_Spec):
    west: Boundary = "wall"
    east: Boundary = "wall"
    south: Boundary = "wall"
    north: Boundary = "wall"

    def codes_and_levels(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Kernel codes (0 wall, 1 free outflow, 2 fixed level) and levels for [W, E, S, N]."""
        codes = np.zeros(4, dtype=np.int64)
        levels = np.zeros(4)
        for k, side in enumerate((self.west, self.east, self.south, self.north)):
            if side == "free":
                codes[k] = 1
            elif isinstance(side, FixedLevel):
                codes[k], levels[k] = 2, side.level_m
            elif isinstance(side, LevelSeries):
                codes[k], levels[k] = 2, side.at(t)
        return codes, levels


def rain_rate_m_s(spec, t0: float, t1: float) -> float:
    """Mean uniform rain rate (m/s) over [t0, t1] for uniform and series rain."""
    if spec.kind == "uniform":
        end = np.inf if spec.end_s is None else spec.end_s
        overlap = max(0.0, min(t1, end) - max(t0, spec.start_s))
        return spec.rate_mm_h * MM_H * overlap / (t1 - t0) if t1 > t0 else 0.0
    if spec.kind == "series":
        # Rates hold from each time to the next; integrate the step function over [t0, t1].
        edges = np.array(spec.times_s + [np.inf])
        rates = np.array(spec.rates_mm_h) * MM_H
        lo = np.clip(edges[:-1], t0, t1)
        hi = np.clip(edges[1:], t0, t1)
        return float(np.sum(rates * (hi - lo)) / (t1 - t0)) if t1 > t0 else 0.0
    return 0.0


class GriddedRainfall:
    """A gridded rainfall file regridded once onto the model grid; rates held between times."""

    UNITS = {"mm h-1": MM_H, "mm/h": MM_H, "mm hr-1": MM_H, "m s-1": 1.0, "m/s": 1.0,
             "kg m-2 s-1": 1.0e-3, "mm s-1": 1.0e-3}

    def __init__(self, spec: GriddedRain, grid: RasterGrid) -> None:
        import xarray as xr
        from scipy.interpolate import RegularGridInterpolator

        from sim.io.data import resolve_path

        with xr.open_dataset(resolve_path(spec.path), decode_times=False) as ds:
            if spec.variable not in ds:
                raise ValueError(f"{spec.path}: no variable {spec.variable!r}")
            da = ds[spec.variable]
            if da.ndim != 3:
                raise ValueError(f"{spec.path}: {spec.variable} must be (time, y, x)")
            units = da.attrs.get("units", "")
            if units not in self.UNITS:
                raise ValueError(f"{spec.path}: {spec.variable} units {units!r}; expected one of {sorted(self.UNITS)}")
            tdim, ydim, xdim = da.dims
            da = da.sortby(ydim).sortby(xdim)
            self.times = np.asarray(da[tdim].values, float)
            values = np.asarray(da.values, float) * self.UNITS[units]
            xs, ys = np.asarray(da[xdim].values, float), np.asarray(da[ydim].values, float)
        X, Y = np.meshgrid(np.clip(grid.x, xs[0], xs[-1]), np.clip(grid.y, ys[0], ys[-1]))
        points = np.column_stack([Y.ravel(), X.ravel()])
        self.frames = np.stack([
            RegularGridInterpolator((ys, xs), frame)(points).reshape(grid.shape) for frame in values])
        if (self.frames < 0).any() or not np.isfinite(self.frames).all():
            raise ValueError(f"{spec.path}: rainfall must be finite and non-negative")

    def at(self, t: float) -> np.ndarray:
        k = int(np.searchsorted(self.times, t, side="right")) - 1
        if k < 0:
            return np.zeros_like(self.frames[0])
        return self.frames[min(k, len(self.frames) - 1)]
