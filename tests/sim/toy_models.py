"""Small models with exact solutions, used to test the engine without any real physics.

``Decay`` integrates dc/dt = s - k c exactly over each step, so any sequence of time steps
gives c(t) = s/k + (c0 - s/k) exp(-k t) to rounding: the engine's stepping can be checked
against the closed form. ``Doubler`` reads Decay's field (a coupling), ``Exploder`` writes
a NaN at a chosen time (the guard).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.fields import FieldSpec
from sim.model import ModelParams


class Decay:
    name = "toy_decay"

    class Params(ModelParams):
        rate_per_s: float = Field(0.01, gt=0)
        source_per_s: float = Field(1.0, ge=0)
        initial: float = 0.0
        max_dt_s: float = Field(1e9, gt=0)

    fields = (FieldSpec("tracer", at="cell", units="1", intent="out", doc="tracer amount"),)

    def __init__(self, grid, params, rng):
        self.grid, self.params, self.rng = grid, params, rng
        self.steps: list[tuple[float, float]] = []

    def initialize(self, state):
        state["tracer"][...] = self.params.initial

    def stable_dt(self, state):
        return self.params.max_dt_s

    def step(self, state, t, dt):
        k, s = self.params.rate_per_s, self.params.source_per_s
        c = state["tracer"]
        decay = math.exp(-k * dt)
        c[...] = s / k + (c - s / k) * decay
        self.steps.append((t, dt))

    @staticmethod
    def exact(t, p):
        return p.source_per_s / p.rate_per_s + (p.initial - p.source_per_s / p.rate_per_s) * math.exp(-p.rate_per_s * t)


class Doubler:
    name = "toy_doubler"

    class Params(ModelParams):
        pass

    fields = (
        FieldSpec("tracer", at="cell", units="1", intent="in", doc="tracer amount"),
        FieldSpec("tracer_doubled", at="cell", units="1", intent="out", doc="twice the tracer"),
    )

    def __init__(self, grid, params, rng):
        self.params = params

    def initialize(self, state):
        np.multiply(state["tracer"], 2.0, out=state["tracer_doubled"])

    def stable_dt(self, state):
        return math.inf

    def step(self, state, t, dt):
        np.multiply(state["tracer"], 2.0, out=state["tracer_doubled"])


class Exploder:
    name = "toy_exploder"

    class Params(ModelParams):
        at_s: float = 10.0

    fields = (FieldSpec("bad_field", at="cell", units="1", intent="out", doc="goes NaN"),)

    def __init__(self, grid, params, rng):
        self.params = params

    def initialize(self, state):
        pass

    def stable_dt(self, state):
        return math.inf

    def step(self, state, t, dt):
        if t + dt >= self.params.at_s:
            state["bad_field"][2, 3] = np.nan


class LazyDecay:
    """Decay whose field is diagnostic: the amount lives in the model and reaches the field
    only when ``diagnose`` is called (which it records)."""

    name = "toy_lazy_decay"
    Params = Decay.Params
    fields = (FieldSpec("lazy_tracer", at="cell", units="1", intent="out", doc="tracer amount", diagnostic=True),)

    def __init__(self, grid, params, rng):
        self.params = params
        self.amount = params.initial
        self.diagnosed: list[float] = []

    def initialize(self, state):
        self.amount = self.params.initial

    def stable_dt(self, state):
        return self.params.max_dt_s

    def step(self, state, t, dt):
        k, s = self.params.rate_per_s, self.params.source_per_s
        self.amount = s / k + (self.amount - s / k) * math.exp(-k * dt)

    def diagnose(self, state, t):
        state["lazy_tracer"][...] = self.amount
        self.diagnosed.append(t)


class LazyReader:
    """Reads LazyDecay's diagnostic field every step."""

    name = "toy_lazy_reader"

    class Params(ModelParams):
        pass

    fields = (
        FieldSpec("lazy_tracer", at="cell", units="1", intent="in", doc="tracer amount"),
        FieldSpec("lazy_copy", at="cell", units="1", intent="out", doc="the tracer as read"),
    )

    def __init__(self, grid, params, rng):
        self.params = params

    def initialize(self, state):
        state["lazy_copy"][...] = state["lazy_tracer"]

    def stable_dt(self, state):
        return math.inf

    def step(self, state, t, dt):
        state["lazy_copy"][...] = state["lazy_tracer"]
