"""Simulation: the time loop around a set of coupled models. It knows no physics.

Each step::

    dt = min(dt_max, every model's stable_dt, time to the next scheduled action)

so outputs and events land exactly on their times (Oceananigans' aligned time step).
Models advance in the order their declared fields require; after every step a guard
stops the run at the first non-finite value, naming the field, time and cell. Writers
act on their schedules; a peak tracker keeps the running maximum of every cell field.

Diagnostic fields (``FieldSpec.diagnostic``) are derived by their model's ``diagnose``
only when read: before writers that are due, at the end, and after every step only for a
field that another model reads or whose maximum the model does not keep itself. A model
whose step is a few memory passes is not slowed by fields nobody reads that step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from sim.clock import Clock
from sim.coupling import order_models
from sim.fields import FieldSet, FieldView
from sim.grid import RasterGrid
from sim.io.netcdf import PeakTracker
from sim.kernels.guards import first_non_finite
from sim.model import PhysicalModel, inputs_of, outputs_of
from sim.schedules import Schedule, same_time


class NonFiniteError(RuntimeError):
    """A model wrote NaN or inf into a field."""


class Writer(Protocol):
    schedule: Schedule

    def open(self, view: FieldView) -> None: ...

    def write(self, view: FieldView, t: float, peaks: PeakTracker) -> None: ...


@dataclass
class Event:
    """At ``at_s``, each listed model's parameters are replaced (a declared exceptional situation)."""

    at_s: float
    new_params: list[tuple[PhysicalModel, Any]]
    description: str = ""
    applied: bool = False


@dataclass
class Simulation:
    grid: RasterGrid
    models: list[PhysicalModel]
    stop_s: float
    dt_max_s: float
    writers: list[Writer] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    progress: bool = False
    # Cell fields whose maximum over every step is kept (None: all); each costs a pass per step.
    peak_fields: set[str] | None = None

    def __post_init__(self) -> None:
        self.models = order_models(self.models)
        self.clock = Clock()
        self.state = FieldSet.for_models(self.grid, self.models)
        self.view = self.state.view()
        self.events = sorted(self.events, key=lambda e: e.at_s)
        guarded = [(model, spec) for model in self.models for spec in outputs_of(model)
                   if spec.kind == "float" and spec.at != "agent" and not spec.allow_nan]
        self._guarded = [(model, spec.name) for model, spec in guarded if not spec.diagnostic]
        self._guarded_diagnostic = [(model, spec.name) for model, spec in guarded if spec.diagnostic]
        self._diagnosing = [model for model in self.models if any(s.diagnostic for s in outputs_of(model))]
        for model in self._diagnosing:
            if not callable(getattr(model, "diagnose", None)):
                raise TypeError(f"model {model.name!r} declares diagnostic fields but has no diagnose(state, t)")
        self._diagnosed_at: dict[int, float] = {}  # id(model) -> the time it was last diagnosed
        self._diagnose_every_step: list[PhysicalModel] = []
        self.peaks: PeakTracker | None = None
        # While True, a record is half written; signal handlers wait for the record.
        self.in_critical_section = False
        # Called after each complete record (the interrupt guard raises deferred signals here).
        self.after_record: list = []

    # -- set-up ---------------------------------------------------------------------------
    def initialize(self) -> None:
        for model in self.models:
            model.initialize(self.state)
        self.sync()
        tracked = [n for n, s in self.state.specs.items() if s.at == "cell" and s.kind in ("float", "level")
                   and s.running_max and (self.peak_fields is None or n in self.peak_fields)]
        owned: dict[str, np.ndarray] = {}
        for model in self._diagnosing:
            owned.update(getattr(model, "running_peaks", dict)())
        self.peaks = PeakTracker(self.view, tracked, owned)
        # A diagnostic field must be fresh after every step when another model reads it, or
        # when its maximum is wanted and its model does not keep that maximum itself.
        producer = {spec.name: model for model in self._diagnosing for spec in outputs_of(model) if spec.diagnostic}
        needed = {name for name in tracked if name in producer and name not in owned}
        needed |= {spec.name for model in self.models for spec in inputs_of(model) if spec.name in producer}
        self._diagnose_every_step = [m for m in self._diagnosing if any(producer[n] is m for n in needed)]
        for writer in self.writers:
            writer.open(self.view)
        self._apply_events()
        self._write_due()

    # -- the loop -------------------------------------------------------------------------
    def next_action_time(self) -> float:
        t = self.clock.time
        times = [self.stop_s]
        times += [w.schedule.next_time(t) for w in self.writers]
        times += [e.at_s for e in self.events if not e.applied and e.at_s > t]
        return min(times)

    def aligned_dt(self) -> tuple[float, float | None]:
        """The next step and, when it reaches a scheduled time, that exact time."""
        t = self.clock.time
        target = self.next_action_time()
        dt = self.dt_max_s
        for model in self.models:
            limit = model.stable_dt(self.state)
            if not limit > 0:
                self.sync(force=True)  # name the field and cell if the state went non-finite
                self._check_finite(t)
                raise NonFiniteError(f"model {model.name!r} returned stable_dt = {limit} at t = {t:g} s")
            dt = min(dt, limit)
        if t + dt >= target or same_time(t + dt, target):
            return target - t, target
        return dt, None

    def time_step(self) -> None:
        t = self.clock.time
        dt, land_on = self.aligned_dt()
        for model in self.models:
            model.step(self.state, t, dt)
            if model in self._diagnose_every_step:
                self._diagnose(model, t + dt)
        self._check_finite(t + dt)
        self.clock.tick(dt, land_on=land_on)
        self.peaks.observe(self.view)
        self._apply_events()
        self._write_due()

    def run(self) -> None:
        """Initialize and advance to ``stop_s``; KeyboardInterrupt propagates to the caller."""
        self.initialize()
        bar = self._progress_bar()
        try:
            while self.clock.time < self.stop_s and not same_time(self.clock.time, self.stop_s):
                before = self.clock.time
                self.time_step()
                if bar is not None:
                    bar.update(self.clock.time - before)
            self.sync()  # the last state reaches the running maxima and diagnostic fields
        finally:
            if bar is not None:
                bar.close()

    def sync(self, force: bool = False) -> None:
        """Bring every diagnostic field up to date with the current time, then guard them."""
        t = self.clock.time
        for model in self._diagnosing:
            if force or self._diagnosed_at.get(id(model)) != t:
                self._diagnose(model, t)
        self._check_finite(t, self._guarded_diagnostic)

    # -- helpers --------------------------------------------------------------------------
    def _diagnose(self, model: PhysicalModel, t: float) -> None:
        model.diagnose(self.state, t)
        self._diagnosed_at[id(model)] = t

    def _apply_events(self) -> None:
        for event in self.events:
            if not event.applied and (event.at_s <= self.clock.time or same_time(event.at_s, self.clock.time)):
                for model, params in event.new_params:
                    model.params = params
                event.applied = True

    def _write_due(self) -> None:
        due = [writer for writer in self.writers if writer.schedule.due(self.clock)]
        if due:
            self.sync()
        for writer in due:
            # A signal arriving mid-record is held until the record is complete.
            self.in_critical_section = True
            try:
                writer.write(self.view, self.clock.time, self.peaks)
            finally:
                self.in_critical_section = False
            for callback in self.after_record:
                callback()

    def _check_finite(self, t: float, fields: list | None = None) -> None:
        for model, name in self._guarded if fields is None else fields:
            array = self.state[name]
            k = first_non_finite(array)
            if k >= 0:
                j, i = np.unravel_index(k, array.shape)
                value = array.flat[k]
                raise NonFiniteError(
                    f"model {model.name!r} wrote {value} to field {name!r} at t = {t:g} s, "
                    f"cell (row {j}, column {i}) at x = {self.grid.x[i]:g} m, y = {self.grid.y[j]:g} m"
                )

    def _progress_bar(self):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(
            total=self.stop_s,
            initial=self.clock.time,
            unit="s",
            unit_scale=False,
            bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s simulated [{elapsed}<{remaining}, {rate_fmt}]",
            desc="simulating",
            leave=True,
            dynamic_ncols=True,
            mininterval=0.25,
        )
