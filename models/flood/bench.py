"""``hazsim bench flood``: cell updates per second of both solvers on a 1000 x 1000 dam break.

The case of the issue and of the LISFLOOD-FP / Landlab figures it quotes: 10 m cells on a
0.1 % slope, a 10 m deep reservoir over the western fifth released at t = 0, so most of the
grid is wet after the first minutes. Each solver is stepped from the released reservoir
(after 10 steps that compile the kernels); the figure is cells x steps / wall time of the
whole model step (its time step, forcing, the solver and the per-cell maxima and arrival
times folded in every step), with every Numba thread and with one, in float64 and float32.
``--quick`` uses a 300 x 300 grid.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from models.flood.model import Flood, FloodParams
from sim.fields import FieldSet
from sim.grid import RasterGrid


def _state(n: int, solver: str, dtype: str):
    grid = RasterGrid(shape=(n, n), spacing_m=(10.0, 10.0), dtype=dtype)
    params = FloodParams.model_validate({
        "solver": solver, "manning_n": 0.03,
        "terrain": {"kind": "plane", "elevation_m": 10.0, "slope_x": -0.001},
        "initial_water": [{"level_m": 20.0, "polygon_m": [[0, 0], [2 * n, 0], [2 * n, 10 * n], [0, 10 * n]]}],
        "boundaries": {"east": "free"},
    })
    model = Flood(grid, params, np.random.default_rng(0))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    return grid, model, state


def _cell_updates_per_s(model, state, grid, steps: int) -> float:
    t = 0.0
    for _ in range(steps // 4):  # compile and move the front on
        dt = model.stable_dt(state)
        model.step(state, t, dt)
        t += dt
    start = time.perf_counter()
    for _ in range(steps):
        dt = model.stable_dt(state)
        model.step(state, t, dt)
        t += dt
    return grid.size * steps / (time.perf_counter() - start)


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    n, steps = (300, 40) if quick else (1000, 40)
    figures: dict[str, tuple[float, str]] = {}
    threads = numba.get_num_threads()
    for solver, short in (("local_inertial", "inertial"), ("finite_volume", "fv1")):
        for dtype in ("float64", "float32"):
            grid, model, state = _state(n, solver, dtype)
            for label, k in (("", threads), ("_1_thread", 1)):
                numba.set_num_threads(k)
                try:
                    rate = _cell_updates_per_s(model, state, grid, steps)
                finally:
                    numba.set_num_threads(threads)
                figures[f"{short}_{dtype}{label}"] = (rate, f"cell updates/s ({n}x{n}, whole model step)")
    figures["threads"] = (float(threads), "Numba threads")
    return figures
