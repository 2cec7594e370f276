"""The crowd model in the HERMES unidirectional corridor: speed against density.

The set-up of the ``3test_UO`` runs (Zhang et al. 2011, *J. Stat. Mech.* P06004), simplified:
a holding area 10 m x 10 m holding ``count`` persons, an entrance of width b_entrance
into a corridor 3.0 m wide and 8 m long, and an exit of width b_exit at its far end (the exit
line). The entrance width sets the inflow (low densities), a narrow exit a jam (high
densities). The measurement area is the 2 m of corridor around its middle, over its full width,
as in the experiments. Every 0.1 s it gives one classic sample: the density n / A (persons
whose centres lie inside, over its area A) and the mean speed of those persons, taken once at
least one person is inside. A person's speed is measured as the data's is: the displacement over
a time interval Delta t' = 10 frames at 16 fps (0.625 s) centred on the sample, over Delta t'
(Zhang et al. 2011; JPSreport's v_i(t)); the model's velocity at one instant also carries the
back-and-forth of a jammed crowd, which moves nobody anywhere. The samples of all runs are scored
together against the measured bins (:func:`validation.crowd_fundamental.compare.score_model`).
"""

from __future__ import annotations

from collections import deque

import numpy as np

HOLDING_DEPTH_M = 10.0
HOLDING_WIDTH_M = 10.0
CORRIDOR_WIDTH_M = 3.0
CORRIDOR_LENGTH_M = 8.0
MEASURE_X_M = (3.0, 5.0)  # the measurement area along the corridor
CELL_M = 0.25
DT_S = 0.01
SAMPLE_EVERY_S = 0.1
SPEED_INTERVAL_S = 10 / 16  # Delta t': 10 frames of the HERMES videos (16 fps)
# (entrance, exit) widths [m] of the measured 3test_UO runs: uo-<entrance>-300-<exit>
RUNS = ((0.8, 3.0), (1.0, 3.0), (1.2, 3.0), (1.8, 3.0), (2.4, 3.0), (3.0, 3.0),
        (3.0, 0.8), (3.0, 1.2), (3.0, 1.6), (3.0, 2.0))
QUICK_RUNS = ((1.2, 3.0), (3.0, 1.2))


def corridor_params(entrance_m: float, exit_m: float, operational_model: str, count: int, overrides=None):
    from models.crowd.model import CrowdParams

    w, yc = CORRIDOR_WIDTH_M, CORRIDOR_WIDTH_M / 2
    x0, x1 = -HOLDING_DEPTH_M, CORRIDOR_LENGTH_M
    hy0, hy1 = yc - HOLDING_WIDTH_M / 2, yc + HOLDING_WIDTH_M / 2
    e0, e1 = yc - entrance_m / 2, yc + entrance_m / 2
    # the holding area, then the corridor; a narrower entrance is a gap in a 0.1 m thick wall
    if e0 > 0:
        outline = [[x0, hy0], [0.0, hy0], [0.0, e0], [0.1, e0], [0.1, 0.0], [x1, 0.0], [x1, w], [0.1, w],
                   [0.1, e1], [0.0, e1], [0.0, hy1], [x0, hy1]]
    else:
        outline = [[x0, hy0], [0.0, hy0], [0.0, 0.0], [x1, 0.0], [x1, w], [0.0, w], [0.0, hy1], [x0, hy1]]
    params = {
        "geometry": {"walkable_m": [outline]},
        "exits": [{"name": "exit", "line_m": [[x1, yc - exit_m / 2], [x1, yc + exit_m / 2]]}],
        "operational_model": operational_model,
        "sources": [{"box_m": [x0 + 0.4, hy0 + 0.4, -0.5, hy1 - 0.4], "count": count}],
    }
    for key, value in (overrides or {}).items():
        params[key] = value
    return CrowdParams.model_validate(params)


def simulate(entrance_m: float, exit_m: float, operational_model: str = "social_force", count: int = 200,
             seed: int = 1, max_time_s: float = 240.0, overrides=None) -> tuple[np.ndarray, np.ndarray]:
    """(density [1/m^2], mean speed [m/s]) samples in the measurement area, every 0.1 s."""
    from models.crowd.model import Crowd
    from sim.fields import FieldSet
    from sim.grid import RasterGrid

    params = corridor_params(entrance_m, exit_m, operational_model, count, overrides)
    ny = int(np.ceil((HOLDING_WIDTH_M + 1.0) / CELL_M))
    nx = int(np.ceil((HOLDING_DEPTH_M + CORRIDOR_LENGTH_M + 1.0) / CELL_M))
    origin = (-HOLDING_DEPTH_M - 0.5, CORRIDOR_WIDTH_M / 2 - HOLDING_WIDTH_M / 2 - 0.5)
    grid = RasterGrid(shape=(ny, nx), spacing_m=(CELL_M, CELL_M), origin_m=origin)
    model = Crowd(grid, params, np.random.default_rng(seed))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    area = (MEASURE_X_M[1] - MEASURE_X_M[0]) * CORRIDOR_WIDTH_M
    every = int(round(SAMPLE_EVERY_S / DT_S))
    half = int(round(SPEED_INTERVAL_S / DT_S / 2))  # steps either side of a sample
    density, speed = [], []
    a = model.agents
    past = deque(maxlen=2 * half + 1)  # (id, x, y) per slot of the last 2 half + 1 states
    for k in range(int(round(max_time_s / DT_S)) + half):
        if a.count == 0:
            break
        model.step(state, k * DT_S, DT_S)
        past.append((a.id.copy(), a.x.copy(), a.y.copy()))
        sampled = k + 1 - half  # the state the middle of the window holds
        if len(past) == past.maxlen and sampled % every == 0:
            (id0, x0, y0), (idm, xm, _), (id1, x1, y1) = past[0], past[half], past[-1]
            inside = (idm >= 0) & (xm >= MEASURE_X_M[0]) & (xm < MEASURE_X_M[1])
            # slots hold the same person over the window (no one inside reaches the exit in it);
            # the arrays only grow, so the earliest state is the shortest
            m = id0.size
            slots = np.flatnonzero(inside[:m] & (id0 == idm[:m]) & (id1[:m] == idm[:m]))
            if slots.size:
                density.append(int(inside.sum()) / area)
                speed.append(float(np.mean(np.hypot(x1[slots] - x0[slots], y1[slots] - y0[slots])))
                             / (2 * half * DT_S))
    return np.array(density), np.array(speed)


def simulate_all(runs=RUNS, operational_model: str = "social_force", count: int = 200, seed: int = 1,
                 overrides=None) -> dict[tuple[float, float], tuple[np.ndarray, np.ndarray]]:
    return {run: simulate(*run, operational_model=operational_model, count=count, seed=seed, overrides=overrides)
            for run in runs}
