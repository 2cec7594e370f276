"""``hazsim bench gas``: throughput of the puff and plume kernels on a 500 x 500 grid.

The puff case is a 20-minute continuous release in a 3 m/s wind, class D: the trail of
puffs the bundled chlorine scenario makes, one per 5-s step. Figures are grid points
evaluated per second (cells x evaluations / wall time), with every Numba thread and with one.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from models.gas_dispersion import kernels
from models.gas_dispersion.stability import briggs_coefficients
from sim.bench import best_seconds
from sim.grid import RasterGrid


def puff_case(grid: RasterGrid, n_puffs: int = 240, u: float = 3.0, dt: float = 5.0):
    """Arguments of puff_grid for a straight trail of puffs leaving (100 m, mid-grid) eastwards."""
    coef = briggs_coefficients("D", "rural")
    travel = u * dt * (np.arange(n_puffs) + 0.5)
    mass = np.full(n_puffs, 2.0 * dt)
    length = np.full(n_puffs, 0.5 * u * dt)
    amp, s_a, s_c = np.empty(n_puffs), np.empty(n_puffs), np.empty(n_puffs)
    kernels.puff_shapes(mass, travel, length, 1.5, 1.0, coef, 0.0, 0.0, math.inf, amp, s_a, s_c)
    p_x = grid.x0 + 100.0 + travel
    p_y = np.full(n_puffs, grid.y0 + 0.5 * grid.ny * grid.dy)
    return p_x, p_y, amp, s_a, s_c


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    grid = RasterGrid(shape=(500, 500), spacing_m=(5.0, 5.0))
    out = np.empty(grid.shape)
    x, y = grid.x, grid.y
    p_x, p_y, amp, s_a, s_c = puff_case(grid)
    coef = briggs_coefficients("D", "rural")
    repeats = 3 if quick else 10

    def puffs():
        kernels.puff_grid(x, y, p_x, p_y, amp, s_a, s_c, 1.0, 0.0, out)

    def plume():
        kernels.plume_grid(x, y, 1.5, 100.0, 1250.0, 1.0, 2.0, 3.0, 1.0, 0.0, coef, 0.0, 0.0, math.inf, out)

    figures: dict[str, tuple[float, str]] = {}
    threads = numba.get_num_threads()
    for label, n in (("", threads), ("_1_thread", 1)):
        numba.set_num_threads(n)
        try:
            t_puff = best_seconds(puffs, repeats)
            t_plume = best_seconds(plume, repeats)
        finally:
            numba.set_num_threads(threads)
        figures[f"puff_grid_points_per_s{label}"] = (grid.size / t_puff, "grid points/s")
        figures[f"plume_grid_points_per_s{label}"] = (grid.size / t_plume, "grid points/s")
        if not label:
            figures["puff_step_ms"] = (t_puff * 1e3, f"ms per 500x500 step, {p_x.size} puffs")
            figures["plume_step_ms"] = (t_plume * 1e3, "ms per 500x500 step")
    figures["threads"] = (float(threads), "Numba threads")
    return figures
