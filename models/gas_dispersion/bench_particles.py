"""``hazsim bench gas-particles``: throughput of the Lagrangian particle kernels.

(a) homogeneous: 1e6 particles spread through a neutral boundary layer (4 m/s at 10 m, z0 = 0.1 m, h from
    Nieuwstadt 1981), model step 1 s, c_T = 0.05; most particles take one Langevin sub-step per model step,
    those near the ground several.
(b) gridded: the same particles in the lowest 60 m of a 100 x 100 x 30 C grid (5 m x 5 m x 2 m) with a
    log-law wind and four solid blocks, model step 1 s (the half-cell Courant limit sub-cycles most of them).

Figures, with every Numba thread and with one:
- particle-steps/s (the headline): one particle advanced by one Langevin integration step (one sub-step: one
  draw of three deviates, one velocity and position update), the unit of a naive loop "N particles x M steps".
  Counted as random words used / mean words per sub-step, the mean measured on 10^6 sub-steps of the generator
  (ziggurat rejections read extra words), so the count is exact to ~1e-4.
- model-steps/s: particles x model steps (dt = 1 s) / wall time, each particle taking as many sub-steps as it
  needs; and the mean sub-steps per particle and model step that links the two.
- scaling: all threads / one thread. Each timed call starts from the same state (copied in before the clock
  starts); the best of 15 calls is reported (on a shared machine the others' load only slows a call down), and
  the median with it.
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np

from models.gas_dispersion import particles as pt
from models.gas_dispersion import turbulence as tb

STATE = ("x", "y", "z", "u_turb", "v_turb", "w_turb", "particle_id", "draws", "active")


def _initial_state(n: int, layer: tb.SurfaceLayer, table: tb.ProfileTable, x_range, y_range, z_range, seed=1):
    rng = np.random.default_rng(seed)
    z = rng.uniform(*z_range, n)
    rows = tb.table_lookup(table, z)
    return {"x": rng.uniform(*x_range, n), "y": rng.uniform(*y_range, n), "z": z,
            "u_turb": rng.normal(0.0, 1.0, n) * rows[:, tb.COL_SIGMA_U],
            "v_turb": rng.normal(0.0, 1.0, n) * rows[:, tb.COL_SIGMA_V],
            "w_turb": rng.normal(0.0, 1.0, n) * rows[:, tb.COL_SIGMA_W],
            "particle_id": np.arange(n, dtype=np.int64), "draws": np.zeros(n, dtype=np.int64),
            "active": np.ones(n, dtype=np.uint8)}


def block_grid(layer: tb.SurfaceLayer, nx=100, ny=100, nz=30, dx=5.0, dz=2.0):
    """Log-law wind along x at the face heights, four 20 m x 20 m blocks 10-20 m tall, faces on them closed."""
    solid = np.zeros((nz, ny, nx), dtype=np.uint8)
    for i0, j0, k1 in ((20, 30, 5), (45, 60, 10), (70, 20, 8), (60, 45, 6)):
        solid[:k1, j0:j0 + 4, i0:i0 + 4] = 1
    z_centre = (np.arange(nz) + 0.5) * dz
    speed = np.array([layer.wind_speed(z) for z in z_centre])
    u_face = np.broadcast_to(speed[:, None, None], (nz, ny, nx + 1)).copy()
    u_face[:, :, :-1][solid == 1] = 0.0
    u_face[:, :, 1:][solid == 1] = 0.0
    v_face = np.zeros((nz, ny + 1, nx))
    w_face = np.zeros((nz + 1, ny, nx))
    surface = solid.sum(axis=0) * dz
    return dict(x0=0.0, y0=0.0, z_bottom=0.0, dx=dx, dy=dx, dz=dz, u_face=u_face, v_face=v_face, w_face=w_face,
                solid=solid, surface_m=surface.astype(np.float64))


def words_per_substep(samples: int = 1_000_000) -> float:
    """Mean random words one Langevin sub-step uses (2 plus the ziggurat rejections' extra words)."""
    ids = np.arange(samples, dtype=np.int64)
    counter = (ids * 7) % 1000
    out, next_counter = np.empty((samples, 3)), np.empty(samples, dtype=np.int64)
    pt.gaussian_draws(3, ids, counter, out, next_counter)
    return float((next_counter - counter).mean())


def _timed(advance, start: dict, work: dict, repeats: int) -> tuple[float, float, float]:
    """(best seconds, median seconds, random words of a call) over ``repeats`` calls from the same start, after a
    warm-up (every call does the same work: same start, same random streams)."""
    times = []
    for _ in range(repeats + 1):
        for key in STATE:
            np.copyto(work[key], start[key])
        t0 = time.perf_counter()
        advance()
        times.append(time.perf_counter() - t0)
    words = float((work["draws"] - start["draws"]).sum())
    return min(times[1:]), float(np.median(times[1:])), words


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    n = 200_000 if quick else 1_000_000
    repeats = 2 if quick else 15
    layer = tb.surface_layer_from_wind(4.0, 10.0, math.inf, 0.1)
    table = tb.profile_table(layer)
    kt = pt.kernel_table(table)
    h = layer.boundary_layer_height_m
    flat = _initial_state(n, layer, table, (0.0, 1000.0), (0.0, 1000.0), (0.0, h))
    flat_work = {k: v.copy() for k, v in flat.items()}
    grid = block_grid(layer)
    boxed = _initial_state(n, layer, table, (0.0, 480.0), (0.0, 500.0), (0.0, 60.0), seed=2)
    boxed["active"][_inside_solid(boxed, grid)] = 0
    boxed_work = {k: v.copy() for k, v in boxed.items()}
    n_boxed = int(boxed["active"].sum())

    def flat_step():
        w = flat_work
        pt.advance_homogeneous(*(w[k] for k in STATE), kt, table.z_lo, table.z_hi, 1.0, 0.0, 0.0, 0.0, h,
                               1.0, 0.05, 0.01, 7)

    def grid_step():
        w, g = boxed_work, grid
        pt.advance_gridded(*(w[k] for k in STATE), kt, table.z_lo, table.z_hi, g["x0"], g["y0"], g["z_bottom"],
                           g["dx"], g["dy"], g["dz"], g["u_face"], g["v_face"], g["w_face"], g["solid"],
                           g["surface_m"], h, 1.0, 0.05, 0.01, 7)

    figures: dict[str, tuple[float, str]] = {}
    per_substep = words_per_substep()
    threads = numba.get_num_threads()
    rates: dict[str, float] = {}
    for label, n_threads in (("", threads), ("_1_thread", 1)):
        numba.set_num_threads(n_threads)
        try:
            t_flat, median_flat, words_flat = _timed(flat_step, flat, flat_work, repeats)
            t_grid, median_grid, words_grid = _timed(grid_step, boxed, boxed_work, repeats)
        finally:
            numba.set_num_threads(threads)
        for kernel, seconds, median, words, particles in (("homogeneous", t_flat, median_flat, words_flat, n),
                                                          ("gridded", t_grid, median_grid, words_grid, n_boxed)):
            rates[kernel + label] = words / per_substep / seconds
            figures[f"{kernel}_particle_steps_per_s{label}"] = (
                rates[kernel + label], "particle-steps/s (one particle, one Langevin sub-step), best call")
            figures[f"{kernel}_particle_steps_per_s{label}_median"] = (words / per_substep / median,
                                                                      "particle-steps/s, median call")
            figures[f"{kernel}_model_steps_per_s{label}"] = (particles / seconds,
                                                            "particles x model steps (dt = 1 s) per s")
            figures[f"{kernel}_substeps_per_step"] = (words / per_substep / particles,
                                                      "sub-steps per particle and model step")
    for kernel in ("homogeneous", "gridded"):
        figures[f"{kernel}_scaling"] = (rates[kernel] / rates[kernel + "_1_thread"],
                                        f"x with {threads} threads over 1")
    figures["words_per_substep"] = (per_substep, "random words per sub-step (rejections included)")

    out = np.empty((200, 200))
    h_xy, h_z = 10.0, 5.0

    def concentration():
        pt.concentration_at_height(flat["x"], flat["y"], flat["z"], np.ones(n), flat["active"], 0.0, 0.0, 5.0,
                                   5.0, 200, 200, 1.5, h_xy, h_z, out)

    concentration()
    t0 = time.perf_counter()
    concentration()
    figures["concentration_ms"] = ((time.perf_counter() - t0) * 1e3, f"ms, {n} particles on 200 x 200")
    figures["threads"] = (float(threads), "Numba threads")
    return figures


def _inside_solid(state: dict, g: dict) -> np.ndarray:
    nz, ny, nx = g["solid"].shape
    i = np.clip((state["x"] / g["dx"]).astype(int), 0, nx - 1)
    j = np.clip((state["y"] / g["dy"]).astype(int), 0, ny - 1)
    k = np.clip((state["z"] / g["dz"]).astype(int), 0, nz - 1)
    return g["solid"][k, j, i] == 1
