"""``hazsim bench flood``: cell updates per second of both solvers on a 1000 x 1000 dam break.

The case of the issue and of the LISFLOOD-FP / Landlab figures it quotes: 10 m cells on a
0.1 % slope, a 10 m deep reservoir over the western fifth released at t = 0, so most of the
grid is wet after the first minutes. Each solver is stepped from the released reservoir; the
figure is cells x steps / wall time of the whole model step (its time step, forcing, the
solver and the per-cell maxima and arrival times folded in every step), the best of five
runs of 10 steps, with every Numba thread and with one, in float64 and float32. For the
local-inertial solver the kernel alone is timed too (``_solver_only``), and the fraction of
cells holding water is printed (the per-step maxima skip dry cells).
``--quick`` uses a 300 x 300 grid.
"""

from __future__ import annotations

import numba
import numpy as np

from models.flood.inertial import inertial_step
from models.flood.model import G, Flood, FloodParams
from sim.bench import best_seconds
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
    """Whole model steps: the best of 5 runs of ``steps // 5`` steps (the machine may be shared)."""
    clock = {"t": 0.0}

    def advance():
        for _ in range(steps // 5):
            dt = model.stable_dt(state)
            model.step(state, clock["t"], dt)
            clock["t"] += dt

    return grid.size * (steps // 5) / best_seconds(advance, repeats=5)


def _solver_updates_per_s(model, grid, steps: int) -> float:
    """The local-inertial kernel alone (no forcing, time step or maxima), on the model's state."""
    p, g = model.params, grid
    codes, levels = p.boundaries.codes_and_levels(0.0)
    dt = model.stable_dt(None)
    arrays = [model.h, model.qx, model.qy, model.h_next, model.qx_next, model.qy_next]

    def advance():
        for _ in range(steps // 5):
            h, qx, qy, h_out, qx_out, qy_out = arrays
            inertial_step(model.bed, h, qx, qy, model.manning, dt, g.dx, g.dy, p.theta, G, p.h_flow_min_m, codes,
                          levels, h_out, qx_out, qy_out)
            arrays[:] = [h_out, qx_out, qy_out, h, qx, qy]

    rate = grid.size * (steps // 5) / best_seconds(advance, repeats=5)
    model.h, model.qx, model.qy, model.h_next, model.qx_next, model.qy_next = arrays
    return rate


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    n, steps = (300, 50) if quick else (1000, 50)
    figures: dict[str, tuple[float, str]] = {}
    threads = numba.get_num_threads()
    for solver, short in (("local_inertial", "inertial"), ("finite_volume", "fv1")):
        for dtype in ("float64", "float32"):
            grid, model, state = _state(n, solver, dtype)
            for label, k in (("", threads), ("_1_thread", 1)):
                numba.set_num_threads(k)
                try:
                    rate = _cell_updates_per_s(model, state, grid, steps)
                    if solver == "local_inertial":
                        figures[f"{short}_{dtype}_solver_only{label}"] = (
                            _solver_updates_per_s(model, grid, steps),
                            f"cell updates/s ({n}x{n}, the kernel without forcing, time step or maxima)")
                finally:
                    numba.set_num_threads(threads)
                figures[f"{short}_{dtype}{label}"] = (rate, f"cell updates/s ({n}x{n}, whole model step)")
            figures[f"{short}_{dtype}_wet_fraction"] = (float((model.h > 0).mean()), "cells holding water")
    figures["threads"] = (float(threads), "Numba threads")
    return figures
