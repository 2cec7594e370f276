"""Fire weather: fuel moisture by size class and the wind, uniform or gridded in space and time.

Fuel moisture is given per size class as behave and FlamMap take it (``dead_1h_pct`` ...,
percent of dry weight), the same over the landscape, or from a NetCDF ``file`` holding any of
the same names as variables on (y, x) in the grid's frame (a fuel-moisture map: north and
south aspects, a wet valley floor), which replace the uniform values where given; an
``[[events]]`` entry changes either in time (an afternoon drying). The wind is either

- uniform (``speed_m_s``, ``direction_deg``), changed in time by events (a wind shift), or
- a NetCDF file of gridded winds (a WindNinja or weather-model output) with variables
  ``wind_speed`` (m s-1) and ``wind_from_direction`` (degrees, the compass direction the wind
  blows from, CF standard names) on (time, y, x) with ``time`` in seconds from the run's
  start and x/y in the grid's frame: each record holds from its time until the next one, and
  is resampled bilinearly onto the grid (directions through their sine and cosine).

``height`` says what the speed is: the 10-m open wind (``10m``, weather stations; the 20-ft
wind is U_10 / 1.15, Lawson & Armitage 2008 as used by behave), the 20-ft (6.1 m) wind above
the vegetation (``20ft``, the US fire-weather convention) or the midflame wind itself
(``midflame``; no wind adjustment factor applied).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.grid import RasterGrid
from sim.io.data import resolve_path
from sim.model import ModelParams

TEN_METRE_TO_20FT = 1.15


class Moisture(ModelParams):
    """Fuel moisture content (% of dry weight); defaults are Scott & Burgan's D2L2 with 60/90 live."""

    dead_1h_pct: float = Field(6.0, gt=0, le=100)
    dead_10h_pct: float = Field(7.0, gt=0, le=100)
    dead_100h_pct: float = Field(8.0, gt=0, le=100)
    live_herb_pct: float = Field(60.0, ge=30, le=300)
    live_woody_pct: float = Field(90.0, ge=30, le=300)
    foliar_pct: float = Field(100.0, ge=50, le=300, description="foliar moisture of the canopy (crown fire)")
    file: str | None = Field(None, description="NetCDF of any of these names as (y, x) maps, in percent")

    @model_validator(mode="after")
    def _file_exists(self):
        if self.file is not None and not self.file.startswith("data:"):
            from pathlib import Path

            if not Path(self.file).is_file():
                raise ValueError(f"moisture file {self.file!r} not found")
        return self

    def fractions(self) -> tuple[float, float, float, float, float]:
        return (self.dead_1h_pct / 100, self.dead_10h_pct / 100, self.dead_100h_pct / 100,
                self.live_herb_pct / 100, self.live_woody_pct / 100)


MOISTURE_NAMES = ("dead_1h_pct", "dead_10h_pct", "dead_100h_pct", "live_herb_pct", "live_woody_pct", "foliar_pct")
MOISTURE_LIMITS = {"dead_1h_pct": (0.0, 100.0), "dead_10h_pct": (0.0, 100.0), "dead_100h_pct": (0.0, 100.0),
                   "live_herb_pct": (30.0, 300.0), "live_woody_pct": (30.0, 300.0), "foliar_pct": (50.0, 300.0)}


@dataclass
class MoistureValues:
    """Fuel moisture of every cell: percent, each a scalar or an (ny, nx) map."""

    values: dict[str, float | np.ndarray]

    def fractions(self):
        v = self.values
        return tuple(v[name] / 100.0 for name in MOISTURE_NAMES[:5])

    @property
    def foliar_pct(self):
        return self.values["foliar_pct"]


class MoistureField:
    """Resolves a :class:`Moisture` spec to per-cell values; maps are read once per file."""

    def __init__(self, grid: RasterGrid) -> None:
        self.grid = grid
        self._maps: dict[str, dict[str, np.ndarray]] = {}

    def values(self, spec: Moisture) -> MoistureValues:
        values: dict[str, float | np.ndarray] = {name: getattr(spec, name) for name in MOISTURE_NAMES}
        if spec.file is not None:
            if spec.file not in self._maps:
                self._maps[spec.file] = self._read(spec.file)
            values.update(self._maps[spec.file])
        return MoistureValues(values)

    def _read(self, file: str) -> dict[str, np.ndarray]:
        import xarray as xr

        from sim.io.rasters import resample

        path = resolve_path(file)
        maps = {}
        with xr.open_dataset(path) as ds:
            for name in MOISTURE_NAMES:
                if name not in ds:
                    continue
                da = ds[name]
                if da.ndim != 2:
                    raise ValueError(f"moisture file {path}: {name} must be a (y, x) map, got dims {da.dims}")
                ydim, xdim = da.dims
                da = da.sortby(ydim)
                grid_values = resample(np.asarray(da.values, float), np.asarray(da[xdim].values, float),
                                       np.asarray(da[ydim].values, float), self.grid, what=f"moisture file {path}")
                low, high = MOISTURE_LIMITS[name]
                if not (np.isfinite(grid_values).all() and grid_values.min() > low and grid_values.max() <= high):
                    raise ValueError(f"moisture file {path}: {name} must lie in ({low:g}, {high:g}] % on the grid, "
                                     f"got {np.nanmin(grid_values):.4g}..{np.nanmax(grid_values):.4g}")
                maps[name] = np.ascontiguousarray(grid_values)
        if not maps:
            raise ValueError(f"moisture file {path}: none of {', '.join(MOISTURE_NAMES)} found")
        return maps


class WindSpec(ModelParams):
    speed_m_s: float | None = Field(None, ge=0, le=60)
    direction_deg: float | None = Field(None, ge=0, le=360, description="compass direction the wind blows from")
    file: str | None = Field(None, description="NetCDF of wind_speed and wind_from_direction on (time, y, x)")
    height: Literal["10m", "20ft", "midflame"] = "10m"

    @model_validator(mode="after")
    def _one_source(self):
        uniform = self.speed_m_s is not None and self.direction_deg is not None
        if uniform == (self.file is not None):
            raise ValueError("wind needs speed_m_s and direction_deg, or a file")
        if self.file is not None and not self.file.startswith("data:"):
            from pathlib import Path

            if not Path(self.file).is_file():
                raise ValueError(f"wind file {self.file!r} not found")
        return self


def toward_angle_rad(from_deg):
    """The direction a wind blows toward, counter-clockwise from +x, given where it comes from
    as a compass bearing: from 270 (a west wind) blows toward +x, angle 0."""
    angle = np.radians(90.0 - (np.asarray(from_deg, dtype=float) + 180.0))
    return np.arctan2(np.sin(angle), np.cos(angle))


@dataclass
class _WindRecords:
    times: np.ndarray  # s from the run's start, increasing
    speed: list  # (ny, nx) per record
    toward: list


class WindField:
    """The wind at time t on the grid: speed (m/s, at the spec's height) and the angle it
    blows toward (rad, ccw from +x), each (ny, nx). A spec with a file reads its records
    (once per file); a uniform spec is its own single record, so an event may switch between
    the two."""

    def __init__(self, spec: WindSpec, grid: RasterGrid) -> None:
        self.grid = grid
        self._files: dict[str, _WindRecords] = {}
        if spec.file is not None:
            self._records(spec)  # read (and check) the file when the model is built

    def _records(self, spec: WindSpec) -> _WindRecords | None:
        if spec.file is None:
            return None
        if spec.file not in self._files:
            self._files[spec.file] = self._load(resolve_path(spec.file))
        return self._files[spec.file]

    def _load(self, path) -> _WindRecords:
        import xarray as xr

        from sim.io.rasters import resample

        with xr.open_dataset(path) as ds:
            for name in ("wind_speed", "wind_from_direction"):
                if name not in ds:
                    raise ValueError(f"wind file {path}: no variable {name!r}")
            speed, direction = ds["wind_speed"], ds["wind_from_direction"]
            tdim, ydim, xdim = speed.dims
            times = np.asarray(ds[tdim].values, dtype=float)
            xs, ys = np.asarray(ds[xdim].values, float), np.asarray(ds[ydim].values, float)
            order = np.argsort(ys)
            speeds, towards = [], []
            for k in range(times.size):
                s = np.asarray(speed.values[k], float)[order]
                d = np.radians(np.asarray(direction.values[k], float)[order])
                s_g = resample(s, xs, ys[order], self.grid, what=f"wind file {path}")
                sin_g = resample(np.sin(d), xs, ys[order], self.grid, what=f"wind file {path}")
                cos_g = resample(np.cos(d), xs, ys[order], self.grid, what=f"wind file {path}")
                speeds.append(np.maximum(s_g, 0.0))
                towards.append(toward_angle_rad(np.degrees(np.arctan2(sin_g, cos_g))))
        if times.size == 0 or np.any(np.diff(times) <= 0):
            raise ValueError(f"wind file {path}: expected increasing times")
        if times[0] > 0:
            raise ValueError(f"wind file {path}: the first record ({times[0]:g} s) is after the start (0 s)")
        return _WindRecords(times, speeds, towards)

    def record_index(self, t: float, spec: WindSpec) -> int:
        """Which record of the spec's file holds at t (0 for a uniform wind)."""
        records = self._records(spec)
        if records is None:
            return 0
        return int(np.searchsorted(records.times, t, side="right") - 1)

    def changes_between(self, t0: float, t1: float, spec: WindSpec) -> list[float]:
        """The record times strictly inside (t0, t1): when the wind changes during a step."""
        records = self._records(spec)
        if records is None:
            return []
        return [float(t) for t in records.times if t0 < t < t1]

    def at(self, t: float, spec: WindSpec) -> tuple[np.ndarray, np.ndarray]:
        records = self._records(spec)
        if records is None:
            shape = self.grid.shape
            return (np.full(shape, spec.speed_m_s), np.full(shape, float(toward_angle_rad(spec.direction_deg))))
        k = self.record_index(t, spec)
        return records.speed[k], records.toward[k]


def twenty_foot_wind(speed: np.ndarray, height: str) -> np.ndarray:
    """The 20-ft wind from a wind given at ``height`` (a midflame wind has none: NaN)."""
    if height == "10m":
        return speed / TEN_METRE_TO_20FT
    if height == "20ft":
        return speed
    return np.full_like(speed, math.nan)
