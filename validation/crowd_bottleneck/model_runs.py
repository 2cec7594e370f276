"""The crowd model through a bottleneck: specific flow against door width.

The set-ups of the Seyfried et al. (2009) and Kretz et al. (2006) experiments, simplified: a
10 m x 10 m waiting room holding ``count`` persons (Weidmann speeds, radii 0.2-0.3 m), a
bottleneck of width b in the middle of its east wall, the exit at its far end. Seyfried et al.'s
bottleneck is a corridor 4 m long (``door_depth_m`` = CORRIDOR_M); Kretz et al.'s is a door in a
thin wall (``door_depth_m`` = THIN_WALL_M, 0.15 m). The flow is counted at the exit over the
10-90 % of the crossings (the method of :func:`validation.crowd_measures.flow_between_fractions`),
so the start and the last stragglers do not count: at the end of the corridor (Seyfried et al.
measured inside it) or just behind the door.
"""

from __future__ import annotations

import numpy as np

ROOM_M = 10.0
CORRIDOR_M = 4.0  # Seyfried et al. (2009): a 4 m long bottleneck
THIN_WALL_M = 0.15  # Kretz et al. (2006): a door in a thin wall
CELL_M = 0.25
DT_S = 0.01


def bottleneck_params(width_m: float, operational_model: str, count: int, door_depth_m: float = CORRIDOR_M,
                      overrides=None):
    """The crowd parameters of one run; ``overrides``: top-level keys replaced (e.g. an operational
    model's settings)."""
    from models.crowd.model import CrowdParams

    if not door_depth_m > 0:
        raise ValueError(f"door_depth_m must be > 0 m, got {door_depth_m}")
    yc, half = ROOM_M / 2, width_m / 2
    x_end = ROOM_M + door_depth_m
    walkable = [[0.0, 0.0], [ROOM_M, 0.0], [ROOM_M, yc - half], [x_end, yc - half], [x_end, yc + half],
                [ROOM_M, yc + half], [ROOM_M, ROOM_M], [0.0, ROOM_M]]
    params = {
        "geometry": {"walkable_m": [walkable]},
        "exits": [{"name": "exit", "line_m": [[x_end, yc - half], [x_end, yc + half]]}],
        "operational_model": operational_model,
        "sources": [{"box_m": [0.5, 0.5, ROOM_M - 2.0, ROOM_M - 0.5], "count": count}],
    }
    params.update(overrides or {})
    return CrowdParams.model_validate(params)


def simulate_flow(width_m: float, operational_model: str = "social_force", count: int = 150, seed: int = 1,
                  max_time_s: float = 300.0, door_depth_m: float = CORRIDOR_M, overrides=None) -> dict[str, float]:
    """Flow J (1/s) through the exit, J / b, and how many persons left within ``max_time_s``."""
    from models.crowd.model import Crowd
    from sim.fields import FieldSet
    from sim.grid import RasterGrid
    from validation.crowd_measures import flow_between_fractions

    params = bottleneck_params(width_m, operational_model, count, door_depth_m, overrides)
    shape = (int(np.ceil((ROOM_M + 1.0) / CELL_M)), int(np.ceil((ROOM_M + door_depth_m + 1.0) / CELL_M)))
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
