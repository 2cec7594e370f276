"""Throughput of the crowd kernels: agents leaving a room through one 1.2 m door.

The room is 20 m x 20 m for 1,000 agents (2.5 /m^2). For 10,000 agents it is grown to the same
density (63.2 m x 63.2 m): 10,000 bodies do not fit in 400 m^2. Walls are five segments, the
door a 1.2 m gap in the middle of the east wall. Agents start on a jittered square lattice; the
desired direction is the unit vector towards the door centre, then straight on (+x) once
through; agents 2 m past the door leave. dt = 0.01 s.

- Collision-free speed model (Tordeux et al. 2016): JuPedSim's defaults (radius 0.2 m,
  v0 = 1.2 m/s, T = 1 s, a = 8, D = 0.1 m, a_W = 5, D_W = 0.02 m).
- Social force with contact (HFV 2000): radii 0.25-0.30 m, v0 = 1.34 m/s, tau = 0.5 s,
  m = 80 kg, so 4 sub-steps per step.

Figures: agent-steps per second of wall time (agents x caller steps, sub-steps not counted),
cell list, forces, wall guard and (social force) wall loads included, the desired directions
not; with every Numba thread and with one; the best of five runs of the same case (on a shared
machine the others' load only slows a run down) and their median. For scale: JuPedSim 1.4.2's CFSM did about 8.9e4
agent-steps per CPU-second on such a case (single-threaded).
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np

from models.crowd.agents import Agents
from models.crowd.forces import (
    CollisionFreeSpeedParams,
    SocialForceBuffers,
    SocialForceParams,
    collision_free_speed_step,
    social_force_step,
)
from models.crowd.geometry import WallIndex
from models.crowd.neighbours import CellList

DENSITY = 2.5  # agents per m^2 at the start
DOOR_M = 1.2
DT = 0.01
EXIT_BEYOND_M = 2.0


def room(n_agents: int) -> tuple[np.ndarray, float]:
    """Wall segments of the square room holding n_agents at DENSITY, and its side (m)."""
    side = max(20.0, math.sqrt(n_agents / DENSITY))
    y0, y1 = 0.5 * (side - DOOR_M), 0.5 * (side + DOOR_M)
    segments = np.array([[0, 0, side, 0], [side, side, 0, side], [0, side, 0, 0],
                         [side, 0, side, y0], [side, y1, side, side]], dtype=float)
    return segments, side


def crowd(n_agents: int, side: float, model: str, seed: int = 0) -> Agents:
    """n_agents on a jittered lattice filling the room."""
    rng = np.random.default_rng(seed)
    per_row = int(math.ceil(math.sqrt(n_agents)))
    spacing = (side - 1.0) / per_row
    i = np.arange(n_agents)
    x = 0.5 + (i % per_row + 0.5) * spacing + rng.uniform(-0.02, 0.02, n_agents)
    y = 0.5 + (i // per_row + 0.5) * spacing + rng.uniform(-0.02, 0.02, n_agents)
    agents = Agents.empty(n_agents)
    if model == "csm":
        agents.spawn(x, y, radius=0.2, desired_speed=1.2)
    else:
        agents.spawn(x, y, radius=rng.uniform(0.25, 0.30, n_agents), desired_speed=1.34, relaxation_time=0.5,
                     mass=80.0)
    return agents


def towards_door(agents: Agents, side: float, ex: np.ndarray, ey: np.ndarray) -> None:
    """Unit vector to the door centre inside the room, +x once through."""
    dx = side - agents.x
    dy = 0.5 * side - agents.y
    norm = np.hypot(dx, dy)
    inside = (agents.x < side) & (norm > 0)
    np.divide(dx, np.where(inside, norm, 1.0), out=ex)
    np.divide(dy, np.where(inside, norm, 1.0), out=ey)
    ex[~inside] = 1.0
    ey[~inside] = 0.0


def run_case(n_agents: int, model: str, steps: int) -> tuple[float, int]:
    """Wall seconds spent in the model's step, and the agent-steps done, over ``steps`` steps."""
    segments, side = room(n_agents)
    agents = crowd(n_agents, side, model)
    if model == "csm":
        params = CollisionFreeSpeedParams()
        r_c, r_cW = params.cutoffs(0.2, 1.2)
        reach = r_cW + 1.2 * DT + 0.2
    else:
        params = SocialForceParams()
        r_c, r_cW = params.cutoffs(0.30)
        reach = r_cW + 1.3 * 1.34 * DT + 0.2
    cells = CellList.covering(-1.0, -1.0, side + EXIT_BEYOND_M + 1.0, side + 1.0, r_c, agents.capacity)
    walls = WallIndex.build(segments, reach=reach)
    buffers = SocialForceBuffers.empty(agents.capacity, walls.n_walls)
    ex, ey = np.zeros(agents.capacity), np.zeros(agents.capacity)
    seconds, agent_steps = 0.0, 0
    for _ in range(steps):
        towards_door(agents, side, ex, ey)
        count = agents.count
        start = time.perf_counter()
        if model == "csm":
            collision_free_speed_step(agents, ex, ey, walls, cells, params, DT)
        else:
            social_force_step(agents, ex, ey, walls, cells, params, DT, buffers)
        seconds += time.perf_counter() - start
        agent_steps += count
        agents.remove(agents.active & (agents.x > side + EXIT_BEYOND_M))
    return seconds, agent_steps


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    steps = 20 if quick else 100
    repeats = 1 if quick else 5
    figures: dict[str, tuple[float, str]] = {}
    threads = numba.get_num_threads()
    run_case(300, "csm", 2)  # compile (or load from the cache) outside the timings
    run_case(300, "sfm", 2)
    for label, n_threads in (("", threads), ("_1_thread", 1)):
        numba.set_num_threads(n_threads)
        try:
            for model in ("csm", "sfm"):
                for n_agents in (1000, 10000):
                    rates = []
                    for _ in range(repeats):
                        seconds, agent_steps = run_case(n_agents, model, steps)
                        rates.append(agent_steps / seconds)
                    figures[f"{model}_{n_agents}_agent_steps_per_s{label}"] = (max(rates), "agent-steps/s, best run")
                    figures[f"{model}_{n_agents}_agent_steps_per_s{label}_median"] = (float(np.median(rates)),
                                                                                     "agent-steps/s, median run")
        finally:
            numba.set_num_threads(threads)
    figures["sfm_substeps"] = (float(SocialForceParams().substeps(DT, 80.0)), "sub-steps per 0.01 s step")
    figures["threads"] = (float(threads), "Numba threads")
    return figures

