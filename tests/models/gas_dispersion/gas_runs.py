"""Helpers the gas model tests share: build a model with zeroed fields, step it for a while."""

from __future__ import annotations

import numpy as np


def built(model_class, grid, params: dict, seed: int = 0):
    """(model, state): the model from ``params`` and a dict of its zeroed, initialised fields."""
    model = model_class(grid, model_class.Params.model_validate(params), np.random.default_rng(seed))
    state = {f.name: np.zeros(grid.shape, dtype=f.dtype(grid)) for f in model.fields}
    model.initialize(state)
    return model, state


def step_for(model, state, seconds: float, dt: float = 5.0) -> float:
    """Step from t = 0 for ``seconds`` in steps of ``dt``; the time reached."""
    t = 0.0
    while t < seconds - 1e-9:
        model.step(state, t, dt)
        t += dt
    return t
