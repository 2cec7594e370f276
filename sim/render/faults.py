"""Sensor faults: composable, labelled operators declared in ``[[faults]]``.

The taxonomy follows Sharma, Golubchik & Govindan, *Sensor faults: detection methods and
prevalence in real-world datasets*, ACM TOSN 6(3), 2010 (SHORT = spike, NOISE, CONSTANT =
stuck-at) with the calibration faults of Ni et al., *Sensor network data fault types*,
ACM TOSN 5(3), 2009 (drift, bias, gain), and the communication faults of wireless loggers
(dropout as Bernoulli or Gilbert–Elliott bursts, Gilbert 1960 / Elliott 1963; clock skew and
jitter). Two faults act inside the instrument rather than on its output: ``slow_response``
(fouling of the diffusion path multiplies the time constant) and ``poisoning`` (a permanent
loss of sensitivity of a catalytic bead, or of any cell marked poisonable).

Every fault is logged as (sensor, type, start, end, parameters); random faults log each
realised spike or burst. A fault acts on the samples with ``start_s <= t <= end_s``, and the
fault flags of a sample are exactly the union of the logged faults that cover it.

Order of application: instrument faults, then value faults in the order declared, then
dropout (a lost reading is NaN whatever happened before) and finally the clock, which
changes only the reported time stamps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

# Bit of each fault type in the ``fault_flags`` variable (CF flag_masks).
FAULT_BITS: dict[str, int] = {
    "spike": 1,
    "noise_burst": 2,
    "stuck": 4,
    "drift": 8,
    "bias": 16,
    "gain": 32,
    "saturation": 64,
    "quantisation": 128,
    "dropout": 256,
    "clock_skew": 512,
    "slow_response": 1024,
    "poisoning": 2048,
}
INSTRUMENT_FAULTS = ("slow_response", "poisoning")


class _Fault(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    sensor: int | str = Field(description="sensor index (0-based over all sensors) or sensor id")
    start_s: float = Field(0.0, ge=0)
    end_s: float | None = Field(None, ge=0, description="last affected time; default: the end of the run")
    description: str = ""

    @model_validator(mode="after")
    def _order(self):
        if self.end_s is not None and self.end_s < self.start_s:
            raise ValueError(f"end_s = {self.end_s} is before start_s = {self.start_s}")
        return self


class Spike(_Fault):
    """Isolated outliers x + A, at given times or at random with a rate."""

    kind: Literal["spike"]
    amplitude: float
    times_s: list[Annotated[float, Field(ge=0)]] | None = None
    rate_per_hour: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one(self):
        if (self.times_s is None) == (self.rate_per_hour is None):
            raise ValueError("give exactly one of times_s or rate_per_hour")
        return self


class NoiseBurst(_Fault):
    kind: Literal["noise_burst"]
    std: float = Field(gt=0, description="extra white noise, in the reading's units")


class Stuck(_Fault):
    kind: Literal["stuck"]
    value: float | None = Field(None, description="the frozen value; default: the last reading before start_s")


class Drift(_Fault):
    kind: Literal["drift"]
    rate_per_s: float = Field(description="reading units per second: y = x + r (t - start_s)")


class Bias(_Fault):
    kind: Literal["bias"]
    offset: float


class Gain(_Fault):
    kind: Literal["gain"]
    factor: float = Field(ge=0)


class Saturation(_Fault):
    kind: Literal["saturation"]
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _some(self):
        if self.low is None and self.high is None:
            raise ValueError("give low, high or both")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError("high is below low")
        return self


class Quantisation(_Fault):
    kind: Literal["quantisation"]
    step: float = Field(gt=0)


class Dropout(_Fault):
    """Lost readings: all in [start, end], or random: Bernoulli (probability) or bursty
    Gilbert–Elliott (p_enter_burst, p_leave_burst per sample)."""

    kind: Literal["dropout"]
    mode: Literal["interval", "random", "bursty"] = "interval"
    probability: float | None = Field(None, gt=0, le=1)
    p_enter_burst: float | None = Field(None, gt=0, le=1)
    p_leave_burst: float | None = Field(None, gt=0, le=1)

    @model_validator(mode="after")
    def _params(self):
        if self.mode == "random" and self.probability is None:
            raise ValueError("mode 'random' needs probability")
        if self.mode == "bursty" and (self.p_enter_burst is None or self.p_leave_burst is None):
            raise ValueError("mode 'bursty' needs p_enter_burst and p_leave_burst")
        return self


class ClockSkew(_Fault):
    """Reported time t' = t + offset_s + skew (t - start_s) + jitter; readings are unchanged."""

    kind: Literal["clock_skew"]
    skew: float = Field(0.0, gt=-0.5, lt=0.5, description="fractional rate error (1e-4 = 100 ppm)")
    offset_s: float = 0.0
    jitter_s: float = Field(0.0, ge=0, description="1-sigma random error of each time stamp")


class SlowResponse(_Fault):
    kind: Literal["slow_response"]
    tau_factor: float = Field(gt=1, description="the response time constant is multiplied by this")


class Poisoning(_Fault):
    kind: Literal["poisoning"]
    sensitivity_loss: float = Field(gt=0, le=1, description="fraction of sensitivity lost, permanently")


FaultConfig = Annotated[
    Union[Spike, NoiseBurst, Stuck, Drift, Bias, Gain, Saturation, Quantisation, Dropout, ClockSkew,
          SlowResponse, Poisoning],
    Field(discriminator="kind"),
]


@dataclass
class FaultRecord:
    """One logged fault: where and when it acts, with its parameters."""

    sensor_id: str
    fault_type: str
    start_s: float
    end_s: float
    parameters: dict[str, Any] = field(default_factory=dict)

    def row(self) -> list[str]:
        return [self.sensor_id, self.fault_type, repr(self.start_s), repr(self.end_s),
                json.dumps(self.parameters, sort_keys=True)]


def _params_of(fault: _Fault) -> dict[str, Any]:
    skip = {"sensor", "start_s", "end_s", "kind", "description"}
    return {k: v for k, v in fault.model_dump(mode="json").items() if k not in skip and v is not None}


def _window(t: np.ndarray, start: float, end: float) -> np.ndarray:
    return (t >= start) & (t <= end)


def instrument_modifiers(faults: list[tuple[int, _Fault]], t: np.ndarray, m: int, stop_s: float):
    """tau_factor and sensitivity_factor arrays (n, m) from the instrument faults."""
    n = len(t)
    tau = np.ones((n, m))
    sensitivity = np.ones((n, m))
    for j, fault in faults:
        end = stop_s if fault.end_s is None else fault.end_s
        w = _window(t, fault.start_s, end)
        if fault.kind == "slow_response":
            tau[w, j] *= fault.tau_factor
        elif fault.kind == "poisoning":
            sensitivity[w, j] *= 1.0 - fault.sensitivity_loss
    return tau, sensitivity


def apply_faults(
    faults: list[tuple[int, _Fault]],
    t: np.ndarray,
    values: np.ndarray,
    sensor_ids: list[str],
    stop_s: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[FaultRecord]]:
    """Apply the faults of one sensor group to its readings.

    ``faults`` pairs a column of ``values`` (n, m) with a fault. Returns the faulty readings,
    the reported times (n, m), the fault flags (n, m, int32) and the fault log.
    """
    y = np.array(values, dtype=float, copy=True)
    n, m = y.shape
    flags = np.zeros((n, m), dtype=np.int32)
    reported = np.repeat(np.asarray(t, float)[:, None], m, axis=1)
    log: list[FaultRecord] = []

    def mark(j: int, w: np.ndarray, fault: _Fault, start: float, end: float, extra=None) -> None:
        flags[w, j] |= FAULT_BITS[fault.kind]
        log.append(FaultRecord(sensor_ids[j], fault.kind, float(start), float(end), {**_params_of(fault), **(extra or {})}))

    value_faults = [(j, f) for j, f in faults if f.kind not in ("dropout", "clock_skew")]
    late = [(j, f) for j, f in faults if f.kind == "dropout"] + [(j, f) for j, f in faults if f.kind == "clock_skew"]
    for j, fault in value_faults + late:
        end = stop_s if fault.end_s is None else fault.end_s
        w = _window(t, fault.start_s, end)
        kind = fault.kind
        if kind in INSTRUMENT_FAULTS:  # already applied inside the instrument
            mark(j, w, fault, fault.start_s, end)
        elif kind == "spike":
            if fault.times_s is not None:  # the first sample at or after each time
                first = np.searchsorted(t, np.asarray(fault.times_s) - 1e-9 * np.maximum(1.0, fault.times_s))
                hits = [int(k) for k in first if k < n]
            else:
                rate = fault.rate_per_hour / 3600.0
                dt = np.diff(t, prepend=t[0] - (t[1] - t[0] if n > 1 else 1.0))
                hits = [k for k in np.flatnonzero(w & (rng.random(n) < rate * dt))]
            for k in sorted(set(hits)):
                y[k, j] += fault.amplitude
                one = np.zeros(n, bool)
                one[k] = True
                mark(j, one, fault, t[k], t[k])
        elif kind == "noise_burst":
            y[w, j] += rng.normal(0.0, fault.std, size=int(w.sum()))
            mark(j, w, fault, fault.start_s, end)
        elif kind == "stuck":
            if fault.value is not None:
                frozen = fault.value
            else:
                before = np.flatnonzero(t < fault.start_s)
                first = np.flatnonzero(w)
                frozen = y[before[-1], j] if len(before) else (y[first[0], j] if len(first) else np.nan)
            y[w, j] = frozen
            mark(j, w, fault, fault.start_s, end, {"value": float(frozen)})
        elif kind == "drift":
            y[w, j] += fault.rate_per_s * (t[w] - fault.start_s)
            mark(j, w, fault, fault.start_s, end)
        elif kind == "bias":
            y[w, j] += fault.offset
            mark(j, w, fault, fault.start_s, end)
        elif kind == "gain":
            y[w, j] *= fault.factor
            mark(j, w, fault, fault.start_s, end)
        elif kind == "saturation":
            lo = -np.inf if fault.low is None else fault.low
            hi = np.inf if fault.high is None else fault.high
            y[w, j] = np.clip(y[w, j], lo, hi)
            mark(j, w, fault, fault.start_s, end)
        elif kind == "quantisation":
            y[w, j] = np.round(y[w, j] / fault.step) * fault.step
            mark(j, w, fault, fault.start_s, end)
        elif kind == "dropout":
            lost = _dropout_mask(fault, w, rng)
            y[lost, j] = np.nan
            for a, b in _runs(lost):
                run = np.zeros(n, bool)
                run[a:b] = True
                mark(j, run, fault, t[a], t[b - 1])
        elif kind == "clock_skew":
            shift = fault.offset_s + fault.skew * (t[w] - fault.start_s)
            if fault.jitter_s > 0:
                shift = shift + rng.normal(0.0, fault.jitter_s, size=int(w.sum()))
            reported[w, j] = t[w] + shift
            mark(j, w, fault, fault.start_s, end)
    return y, reported, flags, log


def _dropout_mask(fault: Dropout, w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(w)
    if fault.mode == "interval":
        return w.copy()
    if fault.mode == "random":
        return w & (rng.random(n) < fault.probability)
    # Gilbert–Elliott: a two-state Markov chain, every reading lost in the bad state.
    u = rng.random(n)
    lost = np.zeros(n, bool)
    bad = False
    for k in range(n):
        if not w[k]:
            bad = False
            continue
        bad = (u[k] >= fault.p_leave_burst) if bad else (u[k] < fault.p_enter_burst)
        lost[k] = bad
    return lost


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def flags_from_log(log: list[FaultRecord], t: np.ndarray, sensor_ids: list[str]) -> np.ndarray:
    """The fault flags the log describes: used by tests to check flags against the log."""
    flags = np.zeros((len(t), len(sensor_ids)), dtype=np.int32)
    for record in log:
        j = sensor_ids.index(record.sensor_id)
        flags[_window(t, record.start_s, record.end_s), j] |= FAULT_BITS[record.fault_type]
    return flags


def flag_names(value: int) -> str:
    """'stuck+drift' for a flags value; '' for none."""
    return "+".join(name for name, bit in FAULT_BITS.items() if value & bit)
