"""Shared by the crowd tests: build a crowd model from a params dict and step it."""

from __future__ import annotations

import numpy as np

from models.crowd.model import Crowd, CrowdParams
from sim.fields import FieldSet
from sim.grid import RasterGrid


def build(params: dict, grid: RasterGrid, seed: int = 0):
    model = Crowd(grid, CrowdParams.model_validate(params), np.random.default_rng(seed))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    return model, state


def run(model, state, t_end, t=0.0, each=None):
    """Step to t_end (or until everyone left and no arrivals remain); each(before, t) after every
    step, with before = (x, y, id, active) copied before it."""
    dt = model.params.dt_s
    n = int(round((t_end - t) / dt))
    for _ in range(n):
        before = (model.agents.x.copy(), model.agents.y.copy(), model.agents.id.copy(), model.agents.active.copy())
        model.step(state, t, dt)
        t += dt
        if each is not None:
            each(before, t)
        if model.agents.count == 0 and not any(s.rate_per_s for s in model.params.sources):
            break
    return t
