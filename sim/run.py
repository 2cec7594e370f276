"""Run a loaded scenario into a run folder: fields.nc, manifest.json, quicklook.png.

Everything that can be checked is checked before step 0. During the run, SIGINT and
SIGTERM stop the loop between records (never inside one); the writers then close, the
files get their final names, and the manifest says ``incomplete`` with the reason.
"""

from __future__ import annotations

import math

import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import numba
import numpy as np

from sim.fields import FieldSpec
from sim.io.data import DataUnavailable
from sim.io.manifest import write_manifest
from sim.io.netcdf import NetCDFWriter
from sim.io.quicklook import save_quicklook
from sim.io.rundir import OutputDirError, default_run_dir, prepare_run_dir
from sim.model import outputs_of
from sim.render.instruments.base import FieldInfo
from sim.render.sensors import SensorRenderer, build_sensor_groups, check_inside
from sim.scenario import registry
from sim.scenario.load import LoadedScenario, ScenarioError, check_outputs
from sim.schedules import AtTimes, EverySeconds
from sim.simulation import Event, NonFiniteError, Simulation

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

# Number of output times when a scenario names no [[outputs]].
DEFAULT_OUTPUT_COUNT = 20


class Terminated(Exception):
    """SIGTERM arrived."""


@dataclass
class RunResult:
    run_dir: Path
    status: str  # complete | incomplete | failed
    exit_code: int
    reason: str
    wall_time_s: float
    summary: list[str] = field(default_factory=list)


def build_models(loaded: LoadedScenario):
    """Instantiate every model with its own random stream derived from the scenario seed."""
    grid = loaded.grid
    streams = np.random.SeedSequence(loaded.config.scenario.seed).spawn(len(loaded.config.models))
    models = []
    for model_cfg, params, stream in zip(loaded.config.models, loaded.model_params, streams):
        cls = registry.model_class(model_cfg.kind)
        try:
            models.append(cls(grid, params, np.random.default_rng(stream)))
        except (ValueError, OSError, DataUnavailable) as exc:  # inputs only the built model can check (a DEM's
            # extent, a measured data set that cannot be found)
            k = len(models)
            raise ScenarioError(f"{loaded.path}: models.{k}.params: {' '.join(str(exc).split())}") from None
    return models


def produced_fields(models) -> dict[str, FieldSpec]:
    return {spec.name: spec for model in models for spec in outputs_of(model)}


def output_plan(loaded: LoadedScenario, produced: dict[str, FieldSpec]) -> list[tuple[str, list[str], object, object]]:
    """(file name, fields, schedule, output config) for each output; all cell fields if none declared."""
    plan = []
    for output in loaded.config.outputs:
        schedule = EverySeconds(output.every_s) if output.every_s is not None else AtTimes(output.times_s)
        plan.append((output.path, list(output.fields), schedule, output))
    if not plan:
        names = [n for n, s in produced.items() if s.at in ("cell", "global")]
        plan.append(("fields.nc", names, EverySeconds(loaded.config.time.stop_s / DEFAULT_OUTPUT_COUNT), None))
    return plan


def build_writers(loaded: LoadedScenario, models, run_dir: Path, global_attrs: dict, field_attrs: dict) -> list:
    """The NetCDF field writers and trajectory writers of the scenario's outputs."""
    from sim.io.trajectories import TrajectoryWriter

    start = loaded.config.time.start_datetime
    writers = []
    for name, names, schedule, output in output_plan(loaded, produced_fields(models)):
        if output is not None and output.kind == "trajectories":
            writers.append(TrajectoryWriter(run_dir / name, names, schedule, every_s=output.every_s,
                                            start_datetime=start, global_attrs=global_attrs))
        else:
            writers.append(NetCDFWriter(run_dir / name, names, schedule, start_datetime=start,
                                        global_attrs=global_attrs, field_attrs=field_attrs))
    return writers


def field_infos(models) -> tuple[dict[str, FieldInfo], dict[str, float]]:
    """What renderers may know of each produced field before the run: spec, attributes, height."""
    infos, heights = {}, {}
    for model in models:
        attrs = model.field_attrs() if hasattr(model, "field_attrs") else {}
        for spec in outputs_of(model):
            infos[spec.name] = FieldInfo(spec, dict(attrs.get(spec.name, {})))
        if hasattr(model, "field_heights"):
            heights.update(model.field_heights())
    return infos, heights


def check_run(loaded: LoadedScenario):
    """Every check that needs the models built. Raises ScenarioError.

    Returns the models and the sensor groups (empty without ``[[sensors]]``).
    """
    models = build_models(loaded)
    stop = loaded.config.time.stop_s
    for k, model in enumerate(models):
        reach = getattr(model, "max_time_s", math.inf)
        if stop > reach:
            raise ScenarioError(f"{loaded.path}: time.stop_s = {stop:g} s is beyond models.{k} ({model.name}), "
                                f"whose drivers end at {reach:g} s; expected time.stop_s <= {reach:g}")
    produced = produced_fields(models)
    check_outputs(loaded.path, loaded, produced)
    try:
        Simulation(loaded.grid, models, stop_s=loaded.config.time.stop_s, dt_max_s=loaded.config.time.dt_max_s)
    except ValueError as exc:  # coupling errors
        raise ScenarioError(f"{loaded.path}: models: {exc}") from None
    sensor_groups = build_sensor_groups(loaded, loaded.grid, *field_infos(models))
    check_cameras(loaded, models)
    for k, mic in enumerate(loaded.config.microphones):
        check_inside(loaded.path, f"microphones.{k}.position_m", loaded.grid, np.array([mic.position_m]))
    return models, sensor_groups


def check_cameras(loaded: LoadedScenario, models) -> None:
    """Cameras inside the grid; an optical-gas-imaging view only of gases the band can see."""
    from sim.render.images.radiometry import ogi_sigma

    gases = {m.gas.name for m in models if hasattr(m, "gas")}
    for k, camera in enumerate(loaded.config.cameras):
        if camera.position_m is not None:
            check_inside(loaded.path, f"cameras.{k}.position_m", loaded.grid, np.array([camera.position_m[:2]]))
        if "ogi" in camera.views:
            for gas in sorted(gases):
                try:
                    ogi_sigma(gas)
                except (KeyError, ValueError):
                    raise ScenarioError(f"{loaded.path}: cameras.{k}.views: no absorption data for {gas} in the "
                                        "optical-gas-imaging band (3.2-3.4 um); expected a scenario gas with data "
                                        "(methane, chlorine, carbon monoxide) or no 'ogi' view") from None


def set_threads(threads: int | None) -> None:
    if threads is None:
        return
    limit = numba.config.NUMBA_NUM_THREADS
    if not 1 <= threads <= limit:
        raise ScenarioError(f"--threads: expected a number from 1 to {limit} (this machine), got {threads}")
    numba.set_num_threads(threads)


def run_scenario(
    loaded: LoadedScenario,
    out_dir: Path | None = None,
    threads: int | None = None,
    progress: bool = True,
) -> RunResult:
    """Run ``loaded`` into ``out_dir``; bad input raises ScenarioError before anything runs."""
    set_threads(threads)
    models, sensor_groups = check_run(loaded)
    grid = loaded.grid
    config = loaded.config
    run_dir = out_dir if out_dir is not None else default_run_dir(config.scenario.name)
    try:
        prepare_run_dir(Path(run_dir))
    except OutputDirError as exc:
        raise ScenarioError(str(exc)) from None
    run_dir = Path(run_dir)

    field_attrs: dict[str, dict] = {}
    references = []
    for model in models:
        if hasattr(model, "field_attrs"):
            field_attrs.update(model.field_attrs())
        if getattr(model, "references", None):
            references.append(model.references)
    global_attrs = {
        "title": config.scenario.name,
        "comment": config.scenario.description or None,
        "references": "; ".join(references) or None,
        "scenario_file": str(loaded.path),
        "seed": config.scenario.seed,
        "config_sha256": loaded.sha256(),
    }
    writers = build_writers(loaded, models, run_dir, global_attrs, field_attrs)
    renderers = []
    if config.cameras:
        from sim.render.images.renderer import ImageRenderer

        renderers.append(ImageRenderer(run_dir, models, grid, config.images, config.cameras, config.scenario.seed,
                                       config.time.stop_s, config.time.start_datetime))
    if config.microphones:
        from sim.render.sound.renderer import SoundRenderer

        renderers.append(SoundRenderer(run_dir, models, config.sound, config.microphones, config.distractors,
                                       config.scenario.seed, config.time.stop_s))
    if sensor_groups:
        renderers.append(SensorRenderer(run_dir, sensor_groups, config.scenario.seed, config.time.stop_s,
                                        config.time.start_datetime, global_attrs))
    events = [
        Event(at_s, [(model, params[k]) for k, model in enumerate(models)], config.events[index].description)
        for at_s, index, params in loaded.events
    ]
    simulation = Simulation(
        grid, models, stop_s=config.time.stop_s, dt_max_s=config.time.dt_max_s,
        writers=writers + renderers, events=events, progress=progress,
        peak_fields={name for w in writers if isinstance(w, NetCDFWriter) for name in w.fields}
        | {name for m in models for name in getattr(m, "summary_fields", ())},
    )

    record = {
        "scenario": config.scenario.name,
        "scenario_file": str(loaded.path),
        "seed": config.scenario.seed,
        "config_sha256": loaded.sha256(),
        "config": loaded.resolved(),
        "threads": numba.get_num_threads(),
        "status": "incomplete",
        "reason": "running (a run killed without warning stops here)",
    }
    write_manifest(run_dir, record, [])

    started = time.perf_counter()
    status, code, reason = "complete", EXIT_OK, ""
    with InterruptGuard(simulation):
        try:
            simulation.run()
        except KeyboardInterrupt:
            status, code, reason = "incomplete", EXIT_SIGINT, "interrupted by SIGINT (Ctrl-C)"
        except Terminated:
            status, code, reason = "incomplete", EXIT_SIGTERM, "terminated by SIGTERM"
        except NonFiniteError as exc:
            status, code, reason = "failed", EXIT_FAILED, str(exc)
        finally:
            files = []
            for writer in writers:
                writer.close()
                files += getattr(writer, "files", [writer.path])
            for renderer in renderers:
                files += renderer.close(end_s=simulation.clock.time)
            for model in models:  # products a model writes itself (station and network series)
                if hasattr(model, "write_products"):
                    files += model.write_products(run_dir, simulation.clock.time, global_attrs)
    wall = time.perf_counter() - started

    field_writers = [w for w in writers if isinstance(w, NetCDFWriter)]
    mapped = [name for name in (field_writers[0].fields if field_writers else [])
              if simulation.peaks is not None and name in simulation.peaks.peaks]
    if mapped:
        first = mapped[0]
        title = f"{config.scenario.name}: maximum over {simulation.clock.time:g} s of {first}"
        files.append(save_quicklook(run_dir / "quicklook.png", grid, simulation.peaks.peaks[first],
                                    simulation.state.specs[first], title))

    reports = {model.name: model.report() for model in models if hasattr(model, "report")}
    key_outputs = key_outputs_of(simulation, grid, renderers)
    summary = []
    if simulation.peaks is not None:
        for model in models:
            if hasattr(model, "summary"):
                summary += model.summary(simulation.peaks.peaks, grid)
    for renderer in renderers:
        summary += renderer.summary()
    summary.append(f"simulated {simulation.clock.time:g} s in {simulation.clock.iteration} steps, "
                   f"wall time {wall:.1f} s")
    record.update({
        "status": status,
        "reason": reason or "finished",
        "simulated_time_s": simulation.clock.time,
        "steps": simulation.clock.iteration,
        "output_times_written": {w.path.name: w.n_written for w in writers},
        "wall_time_s": round(wall, 3),
        "summary": summary,
        "key_outputs": key_outputs,
        **({"models": reports} if reports else {}),
    })
    write_manifest(run_dir, record, files)
    return RunResult(run_dir, status, code, reason, wall, summary)


def key_outputs_of(simulation: Simulation, grid, renderers) -> dict:
    """Scalar figures of a run, for catalogs: each field's peak over space and time, the area
    ever at or above each level of a level field, and what each sensor group saw."""
    out: dict = {}
    if simulation.peaks is not None:
        peaks = {}
        areas = {}
        for name, values in simulation.peaks.peaks.items():
            spec = simulation.state.specs[name]
            finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
            if finite.size:
                peaks[name] = float(finite.max())
            if spec.kind == "level" and spec.at == "cell":
                areas[name] = {meaning: float(np.count_nonzero(values >= level) * grid.cell_area_m2)
                               for level, meaning in zip(spec.flag_values, spec.flag_meanings) if level > 0}
        out["peak"] = peaks
        if areas:
            out["area_ever_at_level_m2"] = areas
    for renderer in renderers:
        if hasattr(renderer, "key_outputs"):
            out.update(renderer.key_outputs())
    return out


class InterruptGuard:
    """SIGINT/SIGTERM raise in the main loop, but wait while a record is being written."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self.pending: int | None = None
        self.previous: dict[int, object] = {}

    def _handler(self, signum, frame) -> None:
        if self.simulation.in_critical_section:
            self.pending = signum
            return
        self._raise(signum)

    def raise_pending(self) -> None:
        """Raise a signal that arrived while a record was being written."""
        if self.pending is not None:
            signum, self.pending = self.pending, None
            self._raise(signum)

    @staticmethod
    def _raise(signum: int) -> None:
        if signum == signal.SIGTERM:
            raise Terminated()
        raise KeyboardInterrupt()

    def __enter__(self):
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                self.previous[signum] = signal.signal(signum, self._handler)
            except ValueError:  # not the main thread (e.g. a Dask worker): leave signals alone
                pass
        self.simulation.after_record.append(self.raise_pending)
        return self

    def __exit__(self, *exc) -> bool:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        return False
