"""The one interface every physical model implements.

A model declares the fields it reads and writes (``fields``), validates its parameters with
a frozen pydantic ``Params`` class, and advances the shared :class:`~sim.fields.FieldSet`
with ``step``. It owns no time loop, does no I/O and never plots: the
:class:`~sim.simulation.Simulation` chooses every time step, and writers and renderers
observe the fields on their own schedules.

Optional hooks (looked up with ``getattr``; a model may omit them):

``field_attrs() -> dict[str, dict]``
    Extra per-instance CF attributes for some fields (a gas model names its gas).
``field_heights() -> dict[str, float]``
    Height above ground (m) at which a 2-D field is computed (a gas model's receptor
    height); a sensor on such a field must sit at that height.
``summary(peaks, grid) -> list[str]``
    Lines for the end-of-run summary, given the running maximum over every step of each
    cell field the run wrote (``peaks[name]``).
``summary_fields: tuple[str, ...]`` (class attribute)
    Fields whose running maximum ``summary`` needs even when no output writes them.
``report() -> dict``
    JSON-serialisable figures for the manifest at the end of a run (a flood model's final
    mass balance).
``fixed_params: tuple[str, ...]`` (class attribute)
    Parameters that choose the model's fields (a gas model's gas); an event that changes
    one is refused when the scenario loads.
``diagnose(state, t)``
    Bring the model's ``diagnostic`` fields up to date from its own state at time ``t``
    (required when it declares any). The simulation calls it only when something reads
    them, so a fast model need not write every derived field after every step.
``running_peaks() -> dict[str, ndarray]``
    The maximum over every step of some of its cell fields, kept by the model itself
    (fused into its kernels, including the state at the time of the last ``diagnose``);
    the peak tracker uses these arrays instead of observing the fields after each step.
``max_time_s: float`` (attribute or property)
    The latest scenario time the model can reach (the end of a measured or prepared driver);
    a scenario whose ``time.stop_s`` lies beyond it is refused when it loads.
``estimate_bytes(grid, params) -> int`` (classmethod)
    Scratch memory the model will allocate beyond its declared fields, so a grid that
    cannot fit is refused before anything is allocated.

Events (``[[events]]`` in a scenario) replace ``model.params`` with a new, validated
``Params`` between steps, so ``step`` must read parameters from ``self.params`` each time
rather than caching values derived from them at construction.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict

from sim.fields import FieldSet, FieldSpec
from sim.grid import RasterGrid


class ModelParams(BaseModel):
    """Base for every model's ``Params``: frozen, unknown keys rejected, no NaN or inf."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@runtime_checkable
class PhysicalModel(Protocol):
    name: ClassVar[str]
    fields: tuple[FieldSpec, ...]
    Params: ClassVar[type[BaseModel]]
    params: Any

    def __init__(self, grid: RasterGrid, params: Any, rng: np.random.Generator) -> None: ...

    def initialize(self, state: FieldSet) -> None: ...

    def stable_dt(self, state: FieldSet) -> float: ...

    def step(self, state: FieldSet, t: float, dt: float) -> None: ...


def outputs_of(model: PhysicalModel) -> list[FieldSpec]:
    """The fields a model writes (intent out or inout)."""
    return [f for f in model.fields if f.intent in ("out", "inout")]


def inputs_of(model: PhysicalModel) -> list[FieldSpec]:
    """The fields a model reads without writing (intent in)."""
    return [f for f in model.fields if f.intent == "in"]
