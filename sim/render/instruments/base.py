"""The interface every instrument model implements, and the kernels they share.

An instrument turns the true value of a field at a sensor into what a real device reports.
The sensor renderer (:mod:`sim.render.sensors`) owns the schedule, the faults and the
outputs; an instrument only knows its physics::

    inputs  = instrument.sample(view, locations)        # once per sample time, (m,) each
    truth   = instrument.truth(inputs)                   # (n, m) true value of the measurand
    reading = instrument.respond(t_s, inputs, modifiers, rng)   # (n, m) before faults
    hazard  = instrument.hazard_levels().of(instrument.hazard_value(t_s, inputs, truth))
    alarm   = instrument.alarm_levels().of(reading after faults)

``n`` is the number of sample times, ``m`` the number of sensors of one ``[[sensors]]``
entry. ``respond`` sees the whole series at once (the renderer runs it when the run ends or
is interrupted); every filter in it is causal, so the result equals an online evaluation.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict

from sim.fields import FieldSpec, FieldView
from sim.grid import RasterGrid
from sim.kernels.interpolation import bilinear_points

Geometry = Literal["point", "area", "line"]

# Sampling a float field outside the grid is refused at load; this is the value a cell
# field has nowhere (used only by instruments that sample optional fields).
LN10 = math.log(10.0)


class InstrumentError(ValueError):
    """A sensor declaration that cannot work; ``key`` names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class InstrumentParams(BaseModel):
    """Base for every instrument's ``Params``: frozen, unknown keys rejected, no NaN or inf."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@dataclass(frozen=True)
class FieldInfo:
    """What an instrument may know about a field before the run: its spec and CF attributes."""

    spec: FieldSpec
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Levels:
    """Thresholds; the level of a value is how many thresholds it reaches.

    Thresholds increase and a value reaches one when ``value >= threshold``; with
    ``falling=True`` they decrease and a value reaches one when ``value <= threshold``
    (storm levels of the Dst index, which goes negative).
    """

    thresholds: tuple[float, ...]
    meanings: tuple[str, ...]  # one more than thresholds: the first names level 0
    falling: bool = False

    def __post_init__(self) -> None:
        if len(self.meanings) != len(self.thresholds) + 1:
            raise ValueError("Levels needs one meaning per threshold plus one for level 0")
        steps = [b - a for a, b in zip(self.thresholds, self.thresholds[1:])]
        if any((s > 0) if self.falling else (s < 0) for s in steps):
            raise ValueError(f"Levels thresholds must {'decrease' if self.falling else 'increase'}")

    def of(self, values: np.ndarray) -> np.ndarray:
        """int8 level of each value; -1 where the value is NaN (no reading)."""
        values = np.asarray(values, dtype=float)
        levels = np.zeros(values.shape, dtype=np.int8)
        with np.errstate(invalid="ignore"):
            for threshold in self.thresholds:
                levels += (values <= threshold) if self.falling else (values >= threshold)
        levels[np.isnan(values)] = -1
        return levels


NO_LEVELS = Levels((), ("none",))


@dataclass
class Modifiers:
    """Changes to the instrument itself, set by faults, per sample and sensor (n, m).

    ``tau_factor`` multiplies response time constants (fouling of a diffusion barrier);
    ``sensitivity_factor`` multiplies the sensitivity (poisoning, ageing). Both are 1 when
    nothing is wrong.
    """

    tau_factor: np.ndarray
    sensitivity_factor: np.ndarray

    @classmethod
    def none(cls, n: int, m: int) -> "Modifiers":
        return cls(np.ones((n, m)), np.ones((n, m)))


class Instrument(ABC):
    """Base class of every instrument model.

    Subclasses set the class attributes, define ``Params`` and override ``respond`` (and
    ``truth`` or ``sample`` where the default is not right). The constructor receives the
    validated parameters, the number of sensors, the grid and the fields the models of the
    scenario produce; it raises :class:`InstrumentError` when a needed field is missing.
    """

    kind: ClassVar[str]
    Params: ClassVar[type[InstrumentParams]]
    geometry: ClassVar[Geometry] = "point"
    references: ClassVar[str] = ""

    # Set by each instance (they may depend on parameters).
    inputs: tuple[str, ...] = ()
    true_name: str = ""
    true_units: str = ""
    measured_name: str = ""
    measured_units: str = ""

    def __init__(self, params: InstrumentParams, n_sensors: int, grid: RasterGrid,
                 fields: dict[str, FieldInfo]) -> None:
        self.params = params
        self.n_sensors = n_sensors
        self.grid = grid
        self.fields = fields

    # -- helpers for subclasses -------------------------------------------------------------
    def require_field(self, name: str, key: str = "field", units: str | None = None) -> FieldInfo:
        """The field ``name``, or an InstrumentError naming ``key`` if no model makes it."""
        info = self.fields.get(name)
        if info is None:
            have = ", ".join(sorted(self.fields)) or "none"
            raise InstrumentError(key, f"sensor kind {self.kind!r} reads field {name!r}, which no model in this "
                                       f"scenario produces (produced: {have})")
        if info.spec.at not in ("cell", "global") and self.geometry == "point":
            raise InstrumentError(key, f"field {name!r} lives at {info.spec.at!r}; a point sensor samples "
                                       "cell or global fields")
        if units is not None and info.spec.units != units:
            raise InstrumentError(key, f"field {name!r} has units {info.spec.units!r}; sensor kind "
                                       f"{self.kind!r} expects {units!r}")
        return info

    # -- the interface ----------------------------------------------------------------------
    def sample(self, view: FieldView, locations: np.ndarray) -> dict[str, np.ndarray]:
        """Each input field at each sensor now: bilinear at points, the value of a global field."""
        out = {}
        for name in self.inputs:
            values = view[name]
            if self.fields[name].spec.at == "global":
                out[name] = np.full(len(locations), float(np.asarray(values).reshape(-1)[0]))
            else:
                result = np.empty(len(locations))
                bilinear_points(values, self.grid.x0, self.grid.y0, self.grid.dx, self.grid.dy,
                                locations[:, 0], locations[:, 1], result)
                out[name] = result
        return out

    def truth(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """The true value of the measurand, (n, m); by default the first input."""
        return np.asarray(inputs[self.inputs[0]], dtype=float)

    @abstractmethod
    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        """The instrument's reading (n, m) before faults."""

    def hazard_value(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], truth: np.ndarray) -> np.ndarray:
        """The quantity the hazard levels apply to, (n, m); by default the true value.

        An instrument whose measurand is not itself the hazard overrides this: a line
        counter's cumulative count is labelled by the specific flow through its line, a
        magnetometer's local disturbance by the Dst index.
        """
        return truth

    def hazard_levels(self) -> Levels:
        """Thresholds on :meth:`hazard_value`: the hazard ground-truth label."""
        return NO_LEVELS

    def alarm_levels(self) -> Levels:
        """Set points on the measured value: the device's alarm state."""
        return NO_LEVELS

    def describe(self) -> dict[str, Any]:
        """Attributes for the output file: the instrument's parameters and sources."""
        return {"references": self.references, **self.params.model_dump(mode="json")}


# -- shared kernels ------------------------------------------------------------------------

@njit(cache=True)
def first_order_lag(t, x, tau, y0, out):
    """First-order response tau dy/dt = x - y, exact for x linear between samples.

    ============  ==========================================  =====
    symbol        meaning                                     unit
    ============  ==========================================  =====
    t[k]          sample times                                s
    x[k, j]       input at sample k, sensor j                 any
    tau[k, j]     time constant over (t[k-1], t[k]]            s
    y0[j]         output before the first sample              as x
    out[k, j]     output                                      as x
    ============  ==========================================  =====

    With x(s) = x_{k-1} + m s over the interval (first-order hold, m = (x_k - x_{k-1}) / dt)
    the exact solution is, with E = 1 - exp(-dt / tau),

        y_k = y_{k-1} + (x_{k-1} - y_{k-1}) E + m (dt - tau E)

    so a step reaches 1 - 1/e at t = tau and 90 % at t90 = tau ln 10; tau = 0 gives
    y_k = x_k (no lag) whatever the sample interval, and tau = inf holds the output.
    """
    n, m = x.shape
    for j in range(m):
        y = y0[j]
        for k in range(n):
            if tau[k, j] <= 0.0:
                y = x[k, j]
            elif k > 0 and tau[k, j] < math.inf:  # an infinite tau freezes the output
                dt = t[k] - t[k - 1]
                slope = (x[k, j] - x[k - 1, j]) / dt if dt > 0.0 else 0.0
                e = -math.expm1(-dt / tau[k, j])
                y = y + (x[k - 1, j] - y) * e + slope * (dt - tau[k, j] * e)
            out[k, j] = y
    return out


def first_order_lag_reference(t, x, tau, y0):
    """NumPy twin of :func:`first_order_lag` (tests only), in the closed form
    y_k = x_k - tau m + (y_{k-1} - x_{k-1} + tau m) exp(-dt / tau)."""
    n, m = x.shape
    out = np.empty((n, m))
    y = np.array(y0, dtype=float)
    for k in range(n):
        lagged = tau[k] > 0
        if k > 0:
            dt = t[k] - t[k - 1]
            slope = (x[k] - x[k - 1]) / dt
            finite = np.isfinite(tau[k])
            safe_tau = np.where(lagged & finite, tau[k], 1.0)
            exact = x[k] - safe_tau * slope + (y - x[k - 1] + safe_tau * slope) * np.exp(-dt / safe_tau)
            y = np.where(lagged, np.where(finite, exact, y), x[k])
        else:
            y = np.where(lagged, y, x[k])
        out[k] = y
    return out


def t90_to_tau(t90_s: float) -> float:
    """Time constant of a first-order sensor that reaches 90 % of a step at ``t90_s``."""
    return t90_s / LN10


def quantize(values: np.ndarray, resolution: float) -> np.ndarray:
    """Round to the instrument's resolution (NaN stays NaN); resolution 0 leaves values."""
    if resolution <= 0:
        return values
    return np.round(values / resolution) * resolution
