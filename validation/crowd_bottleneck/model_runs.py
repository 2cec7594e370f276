"""The crowd model through a bottleneck: specific flow against door width.

The set-up of the Seyfried et al. (2009) and Kretz et al. (2006) experiments, simplified: a
10 m x 10 m waiting room holding ``count`` persons (Weidmann speeds, radii 0.2-0.3 m), a door
of width b in the middle of its east wall opening into a 4 m long corridor of the same
width, the exit at its far end. The flow is counted at the exit over the 10-90 % of the
crossings (the method of :func:`validation.crowd_measures.flow_between_fractions`), so the
start and the last stragglers do not count. The corridor and the counting line 4 m beyond
the door follow the experiments, which measured the flow inside the bottleneck.
"""

from __future__ import annotations

import numpy as np

ROOM_M = 10.0
CORRIDOR_M = 4.0
CELL_M = 0.25
DT_S = 0.01


def bottleneck_params(width_m: float, operational_model: str, count: int):
    from models.crowd.model import CrowdParams

    yc, half = ROOM_M / 2, width_m / 2
    x_end = ROOM_M + CORRIDOR_M
    walkable = [[0.0, 0.0], [ROOM_M, 0.0], [ROOM_M, yc - half], [x_end, yc - half], [x_end, yc + half],
                [ROOM_M, yc + half], [ROOM_M, ROOM_M], [0.0, ROOM_M]]
    return CrowdParams.model_validate({
        "geometry": {"walkable_m": [walkable]},
        "exits": [{"name": "exit", "line_m": [[x_end, yc - half], [x_end, yc + half]]}],
        "operational_model": operational_model,
        "sources": [{"box_m": [0.5, 0.5, ROOM_M - 2.0, ROOM_M - 0.5], "count": count}],
    })


def simulate_flow(width_m: float, operational_model: str = "social_force", count: int = 150, seed: int = 1,
                  max_time_s: float = 300.0) -> dict[str, float]:
    """Flow J (1/s) through the exit, J / b, and how many persons left within ``max_time_s``."""
    from models.crowd.model import Crowd
    from sim.fields import FieldSet
    from sim.grid import RasterGrid
    from validation.crowd_measures import flow_between_fractions

    params = bottleneck_params(width_m, operational_model, count)
    shape = (int(np.ceil((ROOM_M + 1.0) / CELL_M)), int(np.ceil((ROOM_M + CORRIDOR_M + 1.0) / CELL_M)))
    grid = RasterGrid(shape=shape, spacing_m=(CELL_M, CELL_M), origin_m=(-0.5, -0.5))
    model = Crowd(grid, params, np.random.default_rng(seed))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    steps = int(round(max_time_s / DT_S))
    for k in range(steps):
        if model.report()["present"] == 0:
            break
        model.step(state, k * DT_S, DT_S)
    times = np.sort(np.asarray(model.exit_times["exit"], dtype=float))
    flow = flow_between_fractions(times) if times.size >= 10 else float("nan")
    return {"width_m": width_m, "flow_per_s": flow, "specific_flow": flow / width_m,
            "evacuated": float(times.size), "count": float(count)}
