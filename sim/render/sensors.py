"""The sensor renderer: instruments sampling ground-truth fields, with faults and three labels.

Each ``[[sensors]]`` entry of a scenario is one group: an instrument kind (see
:mod:`sim.render.instruments`), its locations and its sampling interval ``every_s``. The
renderer is a writer on the union of the groups' schedules, so the Simulation lands on every
sample time exactly and the true values need no interpolation in time. At each sample time
every due group samples its input fields at its sensors through the shared bilinear kernel
(:func:`sim.kernels.interpolation.bilinear_points`).

When the run ends (or is interrupted) each group's series pass, in order, through

1. the instrument (lag, cross-sensitivity, noise, range, resolution; ``slow_response`` and
   ``poisoning`` faults act here),
2. the value and communication faults of ``[[faults]]`` (:mod:`sim.render.faults`),
3. the labels: the hazard level of the true value, the fault flags, the alarm state of the
   measured value. The three are kept apart: a fault never changes the hazard label, and an
   alarm raised by a cross-sensitive cell with no hazard present is a hard negative.

Outputs, in the run folder, each written under a temporary name and renamed when complete:

- ``sensors.nc``: CF ``featureType = timeSeries``, dimensions (time, sensor), the union of
  all sample times; a sensor not sampled at a time has ``sampled = 0`` and NaN values;
- ``sensors.csv``: the same in long format, one row per reading actually taken;
- ``sensor_faults.csv``: the fault log, one row per fault (per spike or dropout burst).

Random numbers (noise, random faults) come from streams derived from the scenario seed and
the group's index, so the same scenario, seed and version give the same readings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

import sim
from sim.fields import FieldView
from sim.grid import RasterGrid
from sim.render.faults import INSTRUMENT_FAULTS, FaultRecord, apply_faults, instrument_modifiers
from sim.render.instruments import instrument_class, instrument_kinds
from sim.render.instruments.base import FieldInfo, Instrument, InstrumentError, Modifiers
from sim.scenario.load import LoadedScenario, ScenarioError, describe_validation_error
from sim.schedules import AnyOf, At, EverySeconds

# Spawn-key tags: the renderer's random streams never coincide with a model's.
_SENSOR_STREAM = 0x5E7502


@dataclass
class SensorGroup:
    """One ``[[sensors]]`` entry: an instrument and the sensors that share it."""

    index: int
    instrument: Instrument
    ids: list[str]
    locations: np.ndarray  # (m, 2) points or (m, 4) boxes and lines
    height_m: float
    schedule: EverySeconds
    faults: list[tuple[int, Any]] = field(default_factory=list)  # (column, fault config)
    times: list[float] = field(default_factory=list)
    samples: list[dict[str, np.ndarray]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.instrument.kind

    def centres(self) -> np.ndarray:
        """x, y of each sensor: the point, or the middle of its box or line."""
        if self.locations.shape[1] == 2:
            return self.locations
        return np.column_stack([(self.locations[:, 0] + self.locations[:, 2]) / 2,
                                (self.locations[:, 1] + self.locations[:, 3]) / 2])


@dataclass
class GroupResult:
    """The processed series of one group."""

    group: SensorGroup
    t: np.ndarray
    truth: np.ndarray
    measured: np.ndarray
    reported: np.ndarray
    flags: np.ndarray
    hazard: np.ndarray
    alarm: np.ndarray
    log: list[FaultRecord]


def build_sensor_groups(loaded: LoadedScenario, grid: RasterGrid, fields: dict[str, FieldInfo],
                        heights: dict[str, float]) -> list[SensorGroup]:
    """Validate every ``[[sensors]]`` and ``[[faults]]`` entry against the built models.

    Raises ScenarioError naming the file and key on the first problem.
    """
    path = loaded.path
    config = loaded.config
    groups: list[SensorGroup] = []
    all_ids: list[str] = []
    for k, sensor in enumerate(config.sensors):
        where = f"sensors.{k}"
        if sensor.kind not in instrument_kinds():
            raise ScenarioError(f"{path}: {where}.kind: unknown sensor kind {sensor.kind!r} "
                                f"(expected one of: {', '.join(instrument_kinds())})")
        cls = instrument_class(sensor.kind)
        params_raw = sensor.instrument_params()
        try:
            params = cls.Params.model_validate(params_raw)
        except ValidationError as err:
            raise ScenarioError(f"{path}: {describe_validation_error(err, params_raw, where)}") from None
        if sensor.geometry() != cls.geometry:
            key = {"point": "positions_m", "area": "areas_m", "line": "lines_m"}[cls.geometry]
            raise ScenarioError(f"{path}: {where}: sensor kind {sensor.kind!r} is placed with {key}")
        locations = np.array(sensor.locations(), dtype=float)
        try:
            instrument = cls(params, len(locations), grid, fields)
        except InstrumentError as exc:
            raise ScenarioError(f"{path}: {where}.{exc.key}: {exc}") from None
        check_inside(path, where, grid, locations)
        if sensor.start_s > config.time.stop_s:
            raise ScenarioError(f"{path}: {where}.start_s: {sensor.start_s:g} s is after time.stop_s")
        n_samples = (config.time.stop_s - sensor.start_s) / sensor.every_s
        if n_samples * len(locations) > 1e8:
            raise ScenarioError(f"{path}: {where}.every_s: {sensor.every_s:g} s gives "
                                f"{n_samples * len(locations):.3g} readings; expected at most 1e8")
        height = _height(path, where, sensor.height_m, instrument.inputs, heights)
        prefix = sensor.name or sensor.kind
        ids = [f"{prefix}_{j}" for j in range(len(locations))]
        twice = sorted(set(ids) & set(all_ids))
        if twice:
            raise ScenarioError(f"{path}: {where}.name: sensor id {twice[0]!r} is used twice; expected a "
                                "distinct name for each [[sensors]] entry of the same kind")
        all_ids += ids
        groups.append(SensorGroup(k, instrument, ids, locations, height,
                                  EverySeconds(sensor.every_s, sensor.start_s)))
    _attach_faults(loaded, groups, all_ids)
    return groups


def check_inside(path: Path, where: str, grid: RasterGrid, locations: np.ndarray) -> None:
    """Every (x, y) of ``locations`` (rows of x, y pairs) lies on the grid, else one-line ScenarioError."""
    x_min, x_max, y_min, y_max = grid.extent_m
    xs = locations[:, 0::2].ravel()
    ys = locations[:, 1::2].ravel()
    outside = (xs < x_min) | (xs > x_max) | (ys < y_min) | (ys > y_max)
    if outside.any():
        j = int(np.flatnonzero(outside)[0])
        raise ScenarioError(f"{path}: {where}: location ({xs[j]:g}, {ys[j]:g}) m is outside the grid; "
                            f"expected x in [{x_min:g}, {x_max:g}] and y in [{y_min:g}, {y_max:g}] m")


def _height(path: Path, where: str, height: float | None, inputs, heights: dict[str, float]) -> float:
    """The sensor's height: the fields' height if they have one, which a sensor must match."""
    known = {name: heights[name] for name in inputs if name in heights}
    if not known:
        return math.nan if height is None else height
    name, field_height = next(iter(known.items()))
    if height is not None and not math.isclose(height, field_height, rel_tol=1e-9, abs_tol=1e-9):
        raise ScenarioError(f"{path}: {where}.height_m: field {name!r} is computed at {field_height:g} m above "
                            f"ground; expected height_m = {field_height:g} or no height_m")
    return field_height


def _attach_faults(loaded: LoadedScenario, groups: list[SensorGroup], all_ids: list[str]) -> None:
    path = loaded.path
    owner = [(g, j) for g in groups for j in range(len(g.ids))]
    for k, fault in enumerate(loaded.config.faults):
        where = f"faults.{k}.sensor"
        if isinstance(fault.sensor, int):
            if not 0 <= fault.sensor < len(owner):
                raise ScenarioError(f"{path}: {where}: sensor {fault.sensor} does not exist; expected an index "
                                    f"below {len(owner)} or a sensor id")
            group, column = owner[fault.sensor]
        else:
            if fault.sensor not in all_ids:
                some = ", ".join(all_ids[:6]) + (", ..." if len(all_ids) > 6 else "")
                raise ScenarioError(f"{path}: {where}: no sensor {fault.sensor!r}; expected one of: {some or 'none'}")
            group, column = owner[all_ids.index(fault.sensor)]
        if fault.kind == "poisoning" and not getattr(group.instrument, "poisonable", False):
            raise ScenarioError(f"{path}: faults.{k}.kind: a {group.kind} sensor cannot be poisoned; expected "
                                "poisoning only on a catalytic, electrochemical or metal-oxide sensor")
        group.faults.append((column, fault))


class SensorRenderer:
    """A writer that samples the sensors on their schedules and writes their data at close."""

    def __init__(self, run_dir: Path, groups: list[SensorGroup], seed: int, stop_s: float,
                 start_datetime: str, global_attrs: dict[str, Any]) -> None:
        self.run_dir = Path(run_dir)
        self.groups = groups
        self.seed = seed
        self.stop_s = stop_s
        self.start_datetime = start_datetime
        self.global_attrs = global_attrs
        self.schedule = AnyOf([g.schedule for g in groups])
        self.path = self.run_dir / "sensors.nc"
        self.results: list[GroupResult] = []

    def open(self, view: FieldView) -> None:
        for group in self.groups:
            group.times.clear()
            group.samples.clear()
            if hasattr(group.instrument, "reset"):  # instruments with state between samples
                group.instrument.reset()

    def write(self, view: FieldView, t: float, peaks) -> None:
        clock = At(t)
        for group in self.groups:
            if group.schedule.due(clock):
                group.samples.append(group.instrument.sample(view, group.locations))
                group.times.append(t)

    # -- at the end ------------------------------------------------------------------------
    def process(self, end_s: float) -> list[GroupResult]:
        """Instrument, faults and labels for every group, from what was sampled."""
        results = []
        for group in self.groups:
            streams = np.random.SeedSequence(self.seed, spawn_key=(_SENSOR_STREAM, group.index)).spawn(2)
            rng_instrument, rng_faults = (np.random.default_rng(s) for s in streams)
            t = np.asarray(group.times, dtype=float)
            m = len(group.ids)
            inputs = {name: np.array([s[name] for s in group.samples], dtype=float).reshape(len(t), m)
                      for name in group.instrument.inputs}
            truth = group.instrument.truth(inputs).reshape(len(t), m)
            instrument_faults = [(j, f) for j, f in group.faults if f.kind in INSTRUMENT_FAULTS]
            tau, sensitivity = instrument_modifiers(instrument_faults, t, m, end_s)
            if len(t):
                raw = group.instrument.respond(t, inputs, Modifiers(tau, sensitivity), rng_instrument)
            else:
                raw = np.empty((0, m))
            measured, reported, flags, log = apply_faults(group.faults, t, raw, group.ids, end_s, rng_faults)
            hazard = group.instrument.hazard_levels().of(group.instrument.hazard_value(t, inputs, truth))
            alarm = group.instrument.alarm_levels().of(measured)
            results.append(GroupResult(group, t, truth, measured, reported, flags, hazard, alarm, log))
        self.results = results
        return results

    def close(self, end_s: float | None = None) -> list[Path]:
        """Process the series and write sensors.nc, sensors.csv and sensor_faults.csv."""
        end = self.stop_s if end_s is None else end_s
        results = self.process(end)
        from sim.io.sensor_files import write_sensor_csv, write_sensor_faults, write_sensor_netcdf

        files = [
            write_sensor_netcdf(self.path, results, self.start_datetime, self._attrs()),
            write_sensor_csv(self.run_dir / "sensors.csv", results),
            write_sensor_faults(self.run_dir / "sensor_faults.csv", results),
        ]
        return files

    def _attrs(self) -> dict[str, Any]:
        return {"source": f"hazsim {sim.__version__}", **{k: v for k, v in self.global_attrs.items() if v is not None}}

    def key_outputs(self) -> dict[str, Any]:
        """Per sensor group: how many sensors saw a hazard, alarmed, and how many faults were logged."""
        groups = {}
        for r in self.results:
            groups[r.group.ids[0].rsplit("_", 1)[0]] = {
                "sensors": len(r.group.ids), "saw_hazard": int((r.hazard > 0).any(axis=0).sum()),
                "alarmed": int((r.alarm > 0).any(axis=0).sum()), "faults_logged": len(r.log)}
        return {"sensors": groups}

    def summary(self) -> list[str]:
        lines = []
        for r in self.results:
            n_alarm = int((r.alarm > 0).any(axis=0).sum())
            n_hazard = int((r.hazard > 0).any(axis=0).sum())
            lines.append(f"sensors {r.group.ids[0].rsplit('_', 1)[0]} ({r.group.kind}, {len(r.group.ids)}): "
                         f"{len(r.t)} samples each, {n_hazard} saw a hazard, {n_alarm} alarmed, "
                         f"{len(r.log)} faults logged")
        return lines


__all__ = ["SensorRenderer", "SensorGroup", "GroupResult", "build_sensor_groups"]
