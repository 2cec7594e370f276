"""The scenario schema: pydantic models for every TOML section, unknown keys rejected.

Keys carry SI units in their names (``spacing_m``, ``every_s``). Each model's own
parameters are validated by that model's ``Params`` class when the scenario loads
(see :mod:`sim.scenario.load`); here they are only required to be a table.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.render.faults import FaultConfig
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.sound.config import DistractorConfig, MicrophoneConfig, SoundConfig

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ScenarioMeta(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=120)
    description: str = ""
    seed: int = Field(0, ge=0, lt=2**63)


class GridConfig(Section):
    shape: tuple[PositiveInt, PositiveInt]
    spacing_m: PositiveFloat | tuple[PositiveFloat, PositiveFloat]
    origin_m: tuple[float, float] = (0.0, 0.0)
    crs: str = "local"
    dtype: Literal["float64", "float32"] = "float64"

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str) -> str:
        if value != "local" and not re.match(r"^EPSG:\d{4,6}$", value):
            raise ValueError("expected 'local' or 'EPSG:<code>'")
        return value

    @model_validator(mode="after")
    def _finite_extent(self) -> "GridConfig":
        """Every cell coordinate finite, and neighbouring cells distinct in floating point."""
        dy, dx = self.spacing_yx()
        for axis, origin, n, d in (("x", self.origin_m[0], self.shape[1], dx), ("y", self.origin_m[1], self.shape[0], dy)):
            far = origin + n * d
            steps = (far - (origin + (n - 1) * d), (origin + d) - origin)
            if not math.isfinite(far) or any(abs(step - d) > 1e-6 * d for step in steps):
                raise ValueError(f"origin_m, shape and spacing_m put the grid at {axis} = {origin:g} to {far:g} m, "
                                 "where cells cannot be told apart; expected a finite extent with spacing_m "
                                 "resolvable there")
        return self

    def spacing_yx(self) -> tuple[float, float]:
        if isinstance(self.spacing_m, tuple):
            return self.spacing_m
        return (self.spacing_m, self.spacing_m)


class TimeConfig(Section):
    stop_s: PositiveFloat
    dt_max_s: PositiveFloat
    start_datetime: str = Field(
        "2000-01-01T00:00:00",
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$",
        description="Wall-clock date of t = 0, used as the NetCDF time origin (UTC)",
    )


class ModelConfig(Section):
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)


class EventConfig(Section):
    """An exceptional situation at a time: parameters that change from then on."""

    at_s: NonNegativeFloat
    set: dict[str, Any] = Field(min_length=1)
    description: str = ""

    @field_validator("set")
    @classmethod
    def _paths(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not re.match(r"^models\.\d+\.params(\.[A-Za-z_][A-Za-z0-9_]*)+$", key):
                raise ValueError(
                    f"event key {key!r}: expected a model parameter path like "
                    "'models.0.params.wind.direction_deg'"
                )
        return value


class OutputConfig(Section):
    """A NetCDF file of cell and global fields, or (``kind = "trajectories"``) of the agents'
    positions and other agent fields (with a PedPy text twin; see :mod:`sim.io.trajectories`)."""

    kind: Literal["netcdf", "trajectories"] = "netcdf"
    fields: list[str] = Field(min_length=1)
    every_s: PositiveFloat | None = None
    times_s: list[NonNegativeFloat] | None = None
    path: str = Field("fields.nc", pattern=r"^[A-Za-z0-9_.-]+\.nc$")

    @field_validator("fields")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        twice = sorted({name for name in value if value.count(name) > 1})
        if twice:
            raise ValueError(f"{', '.join(map(repr, twice))} listed more than once; expected each field once")
        return value

    @model_validator(mode="before")
    @classmethod
    def _trajectory_file_name(cls, data):
        if isinstance(data, dict) and data.get("kind") == "trajectories" and "path" not in data:
            return {**data, "path": "trajectories.nc"}
        return data

    @model_validator(mode="after")
    def _one_schedule(self) -> "OutputConfig":
        if (self.every_s is None) == (self.times_s is None):
            raise ValueError("give exactly one of every_s or times_s")
        return self


Point = tuple[float, float]
Box = tuple[float, float, float, float]


class SensorConfig(BaseModel):
    """One ``[[sensors]]`` entry: a kind, where, how often; other keys are the instrument's.

    Keys this class does not know are passed to the instrument's ``Params`` (which rejects
    unknown ones), so ``gas = "chlorine"`` sits beside ``kind`` as in a datasheet.
    """

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    kind: str
    name: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=60,
                             description="prefix of the sensor ids (default: the kind)")
    position_m: Point | None = None
    positions_m: list[Point] | None = Field(None, min_length=1)
    areas_m: list[Box] | None = Field(None, min_length=1, description="[x_min, y_min, x_max, y_max] each")
    lines_m: list[Box] | None = Field(None, min_length=1, description="[x0, y0, x1, y1] each")
    height_m: NonNegativeFloat | None = None
    every_s: PositiveFloat = 1.0
    start_s: NonNegativeFloat = 0.0

    @model_validator(mode="after")
    def _one_geometry(self) -> "SensorConfig":
        given = [k for k in ("position_m", "positions_m", "areas_m", "lines_m") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of position_m, positions_m, areas_m or lines_m")
        for box in self.areas_m or []:
            if not (box[2] > box[0] and box[3] > box[1]):
                raise ValueError(f"areas_m: {list(box)} is not [x_min, y_min, x_max, y_max] with max > min")
        for line in self.lines_m or []:
            if line[:2] == line[2:]:
                raise ValueError(f"lines_m: {list(line)} has zero length")
        return self

    def instrument_params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def locations(self) -> list[tuple[float, ...]]:
        if self.position_m is not None:
            return [self.position_m]
        return list(self.positions_m or self.areas_m or self.lines_m)

    def geometry(self) -> str:
        return "area" if self.areas_m else "line" if self.lines_m else "point"


class Scenario(Section):
    scenario: ScenarioMeta
    grid: GridConfig
    time: TimeConfig
    models: list[ModelConfig] = Field(min_length=1)
    events: list[EventConfig] = Field(default_factory=list)
    outputs: list[OutputConfig] = Field(default_factory=list)
    sensors: list[SensorConfig] = Field(default_factory=list)
    faults: list[FaultConfig] = Field(default_factory=list)
    sound: SoundConfig = SoundConfig()
    microphones: list[MicrophoneConfig] = Field(default_factory=list)
    distractors: list[DistractorConfig] = Field(default_factory=list)
    images: ImagesConfig = ImagesConfig()
    cameras: list[CameraConfig] = Field(default_factory=list)

    def _within_run(self, section: str, items) -> None:
        """Each item's start_s and end_s (when given) lie within the run."""
        for k, item in enumerate(items):
            for name in ("start_s", "end_s"):
                value = getattr(item, name)
                if value is not None and value > self.time.stop_s:
                    raise ValueError(f"{section}.{k}.{name} = {value} is after time.stop_s = {self.time.stop_s}")

    @staticmethod
    def _unique_names(section: str, items) -> list[str]:
        names = [item.name for item in items]
        if len(names) != len(set(names)):
            raise ValueError(f"{section}: names must be unique, got {names}")
        return names

    @model_validator(mode="after")
    def _consistent(self) -> "Scenario":
        for k, event in enumerate(self.events):
            if event.at_s > self.time.stop_s:
                raise ValueError(f"events.{k}.at_s = {event.at_s} is after time.stop_s = {self.time.stop_s}")
            for key in event.set:
                index = int(key.split(".")[1])
                if index >= len(self.models):
                    raise ValueError(f"events.{k}.set: {key!r} names model {index}, but there are {len(self.models)}")
        self._within_run("faults", self.faults)
        names = self._unique_names("microphones", self.microphones)
        self._within_run("microphones", self.microphones)
        if self.distractors and not self.microphones:
            raise ValueError("distractors: there are no [[microphones]] to hear them")
        for k, distractor in enumerate(self.distractors):
            for name in distractor.microphones or []:
                if name not in names:
                    raise ValueError(f"distractors.{k}.microphones: no microphone {name!r}; expected one of: "
                                     f"{', '.join(names)}")
            if distractor.start_s >= self.time.stop_s:
                raise ValueError(f"distractors.{k}.start_s = {distractor.start_s} is not before time.stop_s = "
                                 f"{self.time.stop_s}")
        self._unique_names("cameras", self.cameras)
        self._within_run("cameras", self.cameras)
        paths = [o.path for o in self.outputs]
        if len(paths) != len(set(paths)):
            raise ValueError("two outputs write the same path")
        return self
