"""The crowd model through a bottleneck: specific flow against bottleneck width.

The set-up of the jupedsim validation test the reference data come from (``systemtest/Validation/
test_13``, geometries ``<b>_bottleneck.xml``): a waiting room 10 m deep and 8 m wide holding
``count`` persons (Weidmann speeds, radii 0.2-0.3 m), a bottleneck of width b and length 2 m in the
middle of its east wall, and behind it a room 3 m deep and as wide as the waiting room, whose far
wall is the exit. The flow is counted where each person first crosses the bottleneck's end line,
over the 10-90 % of the crossings (the method of
:func:`validation.crowd_measures.flow_between_fractions`), so the start and the last stragglers do
not count. test_13 starts 200 persons; random placement of bodies of 0.2-0.3 m radius in the
waiting room fits about 175, so the runs start 150 (the 10-90 % window of the crossings is then
the steady outflow of a crowd still 15 deep at the door).

Persons walk on after the bottleneck, as in the experiments (Kretz et al. 2006: a door between two
rooms; Seyfried et al. 2009: a 4 m corridor between two halls). An earlier version put the exit on
the bottleneck's end line, where each person leaves the model as they cross it; that takes away the
person ahead, so a door in a thin wall had no capacity of its own (a collision-free speed walker
with nobody ahead walks at v0): its flows were an artefact of the set-up.

:func:`simulate_pedpy_bottleneck` replays the measured run 040_c_56_h- (Adrian et al. 2020) from
the persons' measured positions in its first frame, through its 0.5 m bottleneck (see below).
"""

from __future__ import annotations

import numpy as np

# jupedsim systemtest/Validation/test_13/geometries: waiting room x 50-60 m, y 98-106 m; bottleneck
# x 60-62 m; the room behind x 62-65 m, its far wall the exit
WAITING_DEPTH_M = 10.0
WAITING_WIDTH_M = 8.0
BOTTLENECK_LENGTH_M = 2.0
ROOM_BEHIND_M = 3.0
CELL_M = 0.25
DT_S = 0.01


def bottleneck_params(width_m: float, operational_model: str, count: int, overrides=None):
    """The crowd parameters of one run; ``overrides``: top-level keys replaced (e.g. an operational
    model's settings)."""
    from models.crowd.model import CrowdParams

    if not 0.0 < width_m < WAITING_WIDTH_M:
        raise ValueError(f"width_m must lie in (0, {WAITING_WIDTH_M}) m, got {width_m}")
    yc, half = WAITING_WIDTH_M / 2, width_m / 2
    x0, x1 = WAITING_DEPTH_M, WAITING_DEPTH_M + BOTTLENECK_LENGTH_M  # the bottleneck's entrance and end
    x_far, top = x1 + ROOM_BEHIND_M, WAITING_WIDTH_M
    walkable = [[0.0, 0.0], [x0, 0.0], [x0, yc - half], [x1, yc - half], [x1, 0.0], [x_far, 0.0], [x_far, top],
                [x1, top], [x1, yc + half], [x0, yc + half], [x0, top], [0.0, top]]
    params = {
        "geometry": {"walkable_m": [walkable]},
        "exits": [{"name": "exit", "line_m": [[x_far, 0.0], [x_far, top]]}],
        "operational_model": operational_model,
        "sources": [{"box_m": [0.3, 0.3, x0 - 1.0, top - 0.3], "count": count}],
    }
    params.update(overrides or {})
    return CrowdParams.model_validate(params)


def simulate_flow(width_m: float, operational_model: str = "social_force", count: int = 150, seed: int = 1,
                  max_time_s: float = 300.0, overrides=None) -> dict[str, float]:
    """Flow J (1/s) through the bottleneck's end line, J / b, and how many persons crossed it within
    ``max_time_s`` (``evacuated``)."""
    from models.crowd.model import Crowd
    from sim.fields import FieldSet
    from sim.grid import RasterGrid
    from validation.crowd_measures import flow_between_fractions

    params = bottleneck_params(width_m, operational_model, count, overrides)
    x_end = WAITING_DEPTH_M + BOTTLENECK_LENGTH_M
    shape = (int(np.ceil((WAITING_WIDTH_M + 1.0) / CELL_M)), int(np.ceil((x_end + ROOM_BEHIND_M + 1.0) / CELL_M)))
    grid = RasterGrid(shape=shape, spacing_m=(CELL_M, CELL_M), origin_m=(-0.5, -0.5))
    model = Crowd(grid, params, np.random.default_rng(seed))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    agents = model.agents
    # per person (ids 0 .. count - 1: one source, everyone placed at the start) the time of the first crossing
    # of the bottleneck's end line
    crossed_at = np.full(count, np.nan)
    for k in range(int(round(max_time_s / DT_S))):
        if model.present == 0:
            break
        model.step(state, k * DT_S, DT_S)
        beyond = agents.id[agents.active & (agents.x > x_end)]
        crossed_at[beyond[np.isnan(crossed_at[beyond])]] = (k + 1) * DT_S
    times = np.sort(crossed_at[np.isfinite(crossed_at)])
    flow = flow_between_fractions(times) if times.size >= 10 else float("nan")
    return {"width_m": width_m, "flow_per_s": flow, "specific_flow": flow / width_m,
            "evacuated": float(times.size), "count": float(count)}


# --------------------------------------------------------------------------------------------
# The measured run 040_c_56_h- (PedPy demo data; Adrian et al. 2020, J. R. Soc. Interface
# 17:20190871, DOI 10.34735/ped.2018.1), replayed from its measured start
# --------------------------------------------------------------------------------------------
#
# Geometry: the walkable area PedPy's documentation and tests give for this series: a waiting
# area x in [-2.8, 2.8] m above y = 0 (its side barriers end at y = 6.7 m, the recorded area at
# y = 8 m; here it is closed at y = 8 m, nobody starts above 6 m), a bottleneck 0.5 m wide
# (x in [-0.25, 0.25] m) from y = 0 to y = -1.1 m with its entrance corners chamfered by 0.15 m,
# and a short exit area (x in [-2, 2] m, y down to -2 m) whose far edge is the exit line.
# Persons start at their measured positions of frame 0 (the first frame; all 75 are present in
# it), stand still for no time (the recording starts as the crowd starts), and walk with the
# model's default desired speeds (Weidmann 1993). A body may not overlap a wall or another body at
# the start; where the measured head positions stand closer than two default radii, the person's
# radius is cut to half the distance to the nearest neighbour (and below the wall distance).
# A disc cannot turn its shoulders: a body wider than the bottleneck (r > 0.25 m, half of the
# default 0.2-0.3 m radii) can never pass it, and the run jams (a first version with the default
# radii left 36 of 75 social-force persons out after 200 s). So the radii are drawn from the
# default range cut at PEDPY_MAX_RADIUS_M, just under the bottleneck's half width (``max_radius_m``
# = 0.3 restores the default range).

PEDPY_HALF_WIDTH_M = 0.25  # bottleneck x in [-0.25, 0.25] m
PEDPY_BOTTLENECK_END_M = -1.1  # the barrier spans y in [-1.1, 0] m
PEDPY_CHAMFER_M = 0.15  # entrance corners: (+-0.4, 0) to (+-0.25, -0.15)
PEDPY_WAITING_HALF_WIDTH_M = 2.8
PEDPY_WAITING_TOP_M = 8.0
PEDPY_EXIT_HALF_WIDTH_M = 2.0
PEDPY_EXIT_Y_M = -2.0
PEDPY_CELL_M = 0.1  # navigation grid: five cells across the 0.5 m bottleneck
PEDPY_START_BOX_M = 0.005  # half side of each person's start box (placement needs an area)
PEDPY_RADIUS_MARGIN_M = 0.01  # > the start box's half diagonal, so start bodies never overlap
PEDPY_MAX_RADIUS_M = 0.24  # a body must fit the 0.5 m bottleneck (2-D discs cannot turn sideways)


def pedpy_walkable() -> np.ndarray:
    """The walkable polygon (x, y) [m] of the 040_c_56_h- run, counter-clockwise."""
    b, c, w, e = PEDPY_HALF_WIDTH_M, PEDPY_CHAMFER_M, PEDPY_WAITING_HALF_WIDTH_M, PEDPY_EXIT_HALF_WIDTH_M
    y1 = PEDPY_BOTTLENECK_END_M
    right = [[e, PEDPY_EXIT_Y_M], [e, y1], [b, y1], [b, -c], [b + c, 0.0], [w, 0.0], [w, PEDPY_WAITING_TOP_M]]
    left = [[-x, y] for x, y in reversed(right)]
    return np.array(right + left, dtype=float)


def polygon_boundary_distance(x, y, polygon) -> np.ndarray:
    """Distance [m] from each point to the nearest edge of a closed polygon (vertices (k, 2))."""
    p = np.column_stack([np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))])
    a = np.asarray(polygon, dtype=float)
    d = np.roll(a, -1, axis=0) - a  # edge vectors
    rel = p[:, None, :] - a[None, :, :]
    t = np.clip(np.einsum("nkd,kd->nk", rel, d) / np.einsum("kd,kd->k", d, d), 0.0, 1.0)
    gap = rel - t[..., None] * d[None, :, :]
    return np.sqrt(np.min(np.einsum("nkd,nkd->nk", gap, gap), axis=1))


def pedpy_start_positions(download: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person ids, x [m], y [m]) of the measured run at its first frame, in which all 75 are present."""
    from validation.crowd_bottleneck.compare import PEDPY_FILE
    from validation.crowd_measures import PEDPY_BOTTLENECK, data_file, read_trajectory_text

    traj = read_trajectory_text(data_file(PEDPY_BOTTLENECK, PEDPY_FILE, download=download))
    first = traj.frame_index == 0
    ids = traj.person_id[first]
    if ids.size != np.unique(traj.person_id).size:
        raise ValueError(f"{PEDPY_FILE}: not every person is present in the first frame")
    return ids, traj.x_m[first], traj.y_m[first]


def start_radius_bounds(x, y, polygon, max_radius_m: float = PEDPY_MAX_RADIUS_M) -> np.ndarray:
    """Per person, the (low, high) of the uniform radius draw [m]: the sources' default range (0.2, 0.3) m, the
    high end cut to ``max_radius_m``, to half the distance to the nearest other person and to the wall distance (less a
    margin), the low end to the high end. Any two bodies then satisfy r_i + r_j < d_ij."""
    from models.crowd.params import Source

    low, top = Source.model_fields["radius_m"].default
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    gap = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(gap, np.inf)
    if not 0 < max_radius_m <= top:
        raise ValueError(f"max_radius_m must lie in (0, {top}] m, got {max_radius_m}")
    cap = np.minimum(0.5 * gap.min(axis=1), polygon_boundary_distance(x, y, polygon)) - PEDPY_RADIUS_MARGIN_M
    high = np.minimum(cap, max_radius_m)
    if np.any(high <= 0):
        raise ValueError("start positions: a person stands on a wall or on another person")
    return np.column_stack([np.minimum(low, high), high])


def pedpy_bottleneck_params(x, y, operational_model: str, overrides=None,
                            max_radius_m: float = PEDPY_MAX_RADIUS_M):
    """Crowd parameters of the 040_c_56_h- run: one source per person, a tiny box around the
    measured start position (x, y) [m], radius drawn from :func:`start_radius_bounds`."""
    from models.crowd.model import CrowdParams

    walkable = pedpy_walkable()
    radii = start_radius_bounds(x, y, walkable, max_radius_m)
    s = PEDPY_START_BOX_M
    sources = [{"name": f"person_{k}", "box_m": [xk - s, yk - s, xk + s, yk + s], "count": 1,
                "radius_m": (float(lo), float(hi)) if hi > lo else float(hi)}
               for k, (xk, yk, (lo, hi)) in enumerate(zip(np.asarray(x, float), np.asarray(y, float), radii))]
    e = PEDPY_EXIT_HALF_WIDTH_M
    params = {
        "geometry": {"walkable_m": [walkable.tolist()]},
        "exits": [{"name": "exit", "line_m": [[-e, PEDPY_EXIT_Y_M], [e, PEDPY_EXIT_Y_M]]}],
        "operational_model": operational_model,
        "sources": sources,
    }
    params.update(overrides or {})
    return CrowdParams.model_validate(params)


def simulate_pedpy_bottleneck(operational_model: str = "social_force", seed: int = 1, max_time_s: float = 200.0,
                              download: bool = False, overrides=None,
                              max_radius_m: float = PEDPY_MAX_RADIUS_M) -> dict:
    """Replay 040_c_56_h- with the crowd model from the measured start (see above).

    Returns the model's trajectories (a :class:`validation.crowd_measures.Trajectories`, every
    time step; model person k started at the measured position of ``measured_ids[k]``, the
    sources being placed in order), the crossings of the measurement line y = -0.5 m
    (``crossing_ids``, ``crossing_times`` [s]), the flow J [1/s] over their 10-90 % (nan with
    fewer than 10), the first and last crossing times [s], the measured start positions
    (``start_x``, ``start_y`` [m]), ``evacuated``, ``count``, ``end_time_s`` and ``min_wall_distance_m`` (least
    distance of a centre from the walls, negative: outside the walkable area)."""
    from matplotlib.path import Path as PolygonPath

    from models.crowd.model import Crowd
    from sim.fields import FieldSet
    from sim.grid import RasterGrid
    from validation.crowd_bottleneck.compare import PEDPY_DIRECTION, PEDPY_LINE
    from validation.crowd_measures import Trajectories, flow_between_fractions, line_crossings

    start_ids, x0, y0 = pedpy_start_positions(download)
    params = pedpy_bottleneck_params(x0, y0, operational_model, overrides, max_radius_m)
    w, pad = PEDPY_WAITING_HALF_WIDTH_M, 0.5
    x_lo, y_lo = -w - pad, PEDPY_EXIT_Y_M - pad
    shape = (int(np.ceil((PEDPY_WAITING_TOP_M + pad - y_lo) / PEDPY_CELL_M)),
             int(np.ceil((w + pad - x_lo) / PEDPY_CELL_M)))
    grid = RasterGrid(shape=shape, spacing_m=(PEDPY_CELL_M, PEDPY_CELL_M), origin_m=(x_lo, y_lo))
    model = Crowd(grid, params, np.random.default_rng(seed))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    a = model.agents
    ids, ts, xs, ys = [], [], [], []

    def record(t):
        live = np.flatnonzero(a.active & ~model.leaving)  # not those walking on past the exit
        ids.append(a.id[live].copy())
        ts.append(np.full(live.size, t))
        xs.append(a.x[live].copy())
        ys.append(a.y[live].copy())

    record(0.0)
    t = 0.0
    for k in range(int(round(max_time_s / DT_S))):
        if a.count == 0:
            break
        model.step(state, k * DT_S, DT_S)
        t = (k + 1) * DT_S
        record(t)
    traj = Trajectories(np.concatenate(ids), np.concatenate(ts), np.concatenate(xs), np.concatenate(ys), 1.0 / DT_S)
    crossing_ids, crossing_times = line_crossings(traj, *PEDPY_LINE, direction=PEDPY_DIRECTION)
    walkable = pedpy_walkable()
    inside = PolygonPath(walkable).contains_points(np.column_stack([traj.x_m, traj.y_m]))
    distance = polygon_boundary_distance(traj.x_m, traj.y_m, walkable)
    times = np.sort(crossing_times)
    return {
        "trajectories": traj, "crossing_ids": crossing_ids, "crossing_times": crossing_times,
        "flow_per_s": flow_between_fractions(times) if times.size >= 10 else float("nan"),
        "first_crossing_s": float(times[0]) if times.size else float("nan"),
        "last_crossing_s": float(times[-1]) if times.size else float("nan"),
        "measured_ids": start_ids, "start_x": x0, "start_y": y0,
        "evacuated": float(model.evacuated), "count": float(start_ids.size), "end_time_s": t,
        "min_wall_distance_m": float(np.min(np.where(inside, distance, -distance))),
    }
