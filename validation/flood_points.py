"""Run a flood model and record the water at gauge points: arrival time and peak level.

Shared by the flood validation cases. The model is stepped directly (no run folder): each
step the depth at every gauge's cell is read, the first time it reaches the arrival depth is
kept, and the maximum water-surface elevation is updated.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from models.flood.model import Flood
from sim.fields import FieldSet
from sim.grid import RasterGrid


@dataclass
class GaugeRecord:
    arrival_s: np.ndarray  # NaN where the water never arrived
    max_level_m: np.ndarray  # maximum water-surface elevation (bed where always dry)
    max_depth_m: np.ndarray
    steps: int
    wall_s: float
    cell_updates: float
    mass_balance_error: float


def run_gauges(grid: RasterGrid, params, points_xy: np.ndarray, stop_s: float, arrival_depth_m: float,
               dt_max_s: float = math.inf) -> GaugeRecord:
    model = Flood(grid, params, np.random.default_rng(0))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    rows = np.array([grid.index_of(x, y)[0] for x, y in points_xy])
    cols = np.array([grid.index_of(x, y)[1] for x, y in points_xy])
    arrival = np.full(len(points_xy), np.nan)
    max_level = model.bed[rows, cols] + model.h[rows, cols]
    max_depth = model.h[rows, cols].astype(float)
    t, steps = 0.0, 0
    started = time.perf_counter()
    while t < stop_s - 1e-9:
        dt = min(model.stable_dt(state), dt_max_s, stop_s - t)
        model.step(state, t, dt)
        t += dt
        steps += 1
        h = model.h[rows, cols]
        max_level = np.maximum(max_level, model.bed[rows, cols] + h)
        max_depth = np.maximum(max_depth, h)
        arrival[np.isnan(arrival) & (h >= arrival_depth_m)] = t
    wall = time.perf_counter() - started
    model.diagnose(state, t)
    return GaugeRecord(arrival, max_level, max_depth, steps, wall, float(steps) * grid.size,
                       float(state["mass_balance_error"]))
