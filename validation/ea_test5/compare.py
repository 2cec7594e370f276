"""EA test 5: arrival time and peak level at the 7 points, with both solvers.

The inflow enters along the benchmark's breach line (the 20 boundary cells of the 10 m DEM)
as a line inflow carrying the whole hydrograph: q(t) (m2/s per cell, ``ea5.bdy``) times the
20 cells times 10 m, 3000 m3/s at its peak. The domain outside the valley is NODATA, which
becomes walls. Each solver's arrival times and peak levels are tabulated; the acceptance is
their agreement (the benchmark publishes no measured values).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from models.flood.model import FloodParams
from sim.grid import RasterGrid
from sim.io.data import dataset_file
from validation import ValidationResult
from validation.flood_points import run_gauges

CASE = Path(__file__).with_name("case.toml")
NAME = "ea_test5"


def read_inputs(dataset: str):
    bci = [line.split() for line in dataset_file(dataset, "ea5-10m.bci").read_text().splitlines() if line.strip()]
    cells = np.array([[float(p[1]), float(p[2])] for p in bci if p[0] == "P"])
    bdy = dataset_file(dataset, "ea5.bdy").read_text().split("\n")
    rows = [line.split() for line in bdy[3:] if line.strip()]
    q = np.array([float(r[0]) for r in rows])
    times = np.array([float(r[1]) for r in rows])
    stage = dataset_file(dataset, "ea5.stage").read_text().split()
    n = int(stage[0])
    points = np.array(stage[1:1 + 2 * n], dtype=float).reshape(n, 2)
    return cells, times, q, points


def grid_for(spacing: float) -> RasterGrid:
    x0, y0, nx10, ny10 = 231335.0, 829885.0, 1378, 1224
    return RasterGrid(shape=(int(ny10 * 10 // spacing), int(nx10 * 10 // spacing)), spacing_m=(spacing, spacing),
                      origin_m=(x0, y0))


def run(out_dir: Path | None = None, quick: bool = False) -> ValidationResult:
    case = tomllib.loads(CASE.read_text(encoding="utf-8"))
    c, acc = case["case"], case["acceptance"]
    cells, times, q, points = read_inputs(c["dataset"])
    spacing = c["quick_spacing_m"] if quick else c["spacing_m"]
    stop = c["quick_stop_s"] if quick else c["stop_s"]
    grid = grid_for(spacing)
    # Extend the breach line by half a cell each way so that it covers its end cells.
    direction = (cells[-1] - cells[0]) / np.linalg.norm(cells[-1] - cells[0])
    line = [tuple(cells[0] - 5.0 * direction), tuple(cells[-1] + 5.0 * direction)]
    discharge = q * len(cells) * 10.0
    dem = str(dataset_file(c["dataset"], "ea5-10m.dem.raw.gz"))
    results = {}
    for solver in c["solvers"]:
        params = FloodParams.model_validate({
            "solver": solver, "manning_n": c["manning_n"],
            "terrain": {"kind": "file", "path": dem, "nodata": "wall"},
            "inflows": [{"line_m": line, "times_s": times.tolist(), "discharge_m3_s": discharge.tolist()}],
            "arrival_depth_m": c["arrival_depth_m"],
        })
        results[solver] = run_gauges(grid, params, points, stop, c["arrival_depth_m"], dt_max_s=c["dt_max_s"])
    a, b = (results[s] for s in c["solvers"])
    lines = [f"EA test 5 at {spacing:g} m, {stop / 3600:g} h simulated",
             f"{'point':>5} {'arrival LI (min)':>17} {'arrival FV (min)':>17} {'peak LI (m)':>12} {'peak FV (m)':>12}"]
    figures: dict[str, float] = {}
    ok = True
    for k in range(len(points)):
        lines.append(f"{k + 1:>5} {a.arrival_s[k] / 60:>17.1f} {b.arrival_s[k] / 60:>17.1f} "
                     f"{a.max_level_m[k]:>12.2f} {b.max_level_m[k]:>12.2f}")
        figures[f"p{k + 1}_arrival_li_s"] = float(a.arrival_s[k])
        figures[f"p{k + 1}_arrival_fv_s"] = float(b.arrival_s[k])
        figures[f"p{k + 1}_peak_li_m"] = float(a.max_level_m[k])
        figures[f"p{k + 1}_peak_fv_m"] = float(b.max_level_m[k])
        flooded = np.isfinite(a.arrival_s[k]) and np.isfinite(b.arrival_s[k])
        if flooded:
            tol = max(acc["arrival_rel"] * b.arrival_s[k], acc["arrival_abs_s"])
            ok &= abs(a.arrival_s[k] - b.arrival_s[k]) <= tol
            ok &= abs(a.max_level_m[k] - b.max_level_m[k]) <= acc["peak_level_m"]
        else:  # every point floods in the benchmark; in the 2-h quick run only the near ones must
            ok &= quick and k not in c["quick_points"]
    for solver, r in results.items():
        lines.append(f"{solver}: {r.steps} steps, {r.wall_s:.1f} s wall, {r.cell_updates / r.wall_s:.3g} cell "
                     f"updates/s, mass balance error {r.mass_balance_error:.1e}")
        figures[f"{solver}_mass_balance_error"] = r.mass_balance_error
    units = {k: ("s" if "arrival" in k else "m" if "peak" in k else "1") for k in figures}
    return ValidationResult(NAME, figures, units, bool(ok), "\n".join(lines))
