"""Prairie Grass: predicted against measured arc-maximum concentration, 50-800 m.

For each run with micrometeorology the gas_dispersion model, in plume mode, is built from
``case.toml`` plus the run's source strength, Monin-Obukhov length (stability class by
Golder 1972), 2-m wind speed and mixing height. The arc maximum of a Gaussian plume lies on
its centreline, so the prediction is the concentration there at each arc's distance. Scores
(FB, NMSE, MG, VG, FAC2) are computed per arc and overall; the crosswind-integrated
concentration is scored too, for information.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from models.gas_dispersion.model import GasDispersion, GasDispersionParams
from sim.grid import RasterGrid
from validation import ValidationResult
from validation.metrics import acceptable, scores
from validation.prairie_grass.data import Arc, Meteorology, read_arcs, read_meteorology

CASE = Path(__file__).with_name("case.toml")
NAME = "prairie_grass"
# Receptors across each arc for the crosswind integral: +-4 km covers every plume.
CROSSWIND_M = np.linspace(-4000.0, 4000.0, 8001)


def load_case() -> dict:
    return tomllib.loads(CASE.read_text(encoding="utf-8"))


def model_for(arc: Arc, met: Meteorology, shared: dict) -> GasDispersion:
    """The gas_dispersion model of one run: source at the origin, wind blowing towards +x."""
    params = GasDispersionParams.model_validate({
        **shared,
        "release": {"kind": "continuous", "rate_kg_s": arc.emission_g_s * 1e-3, "x_m": 0.0, "y_m": 0.0,
                    "height_m": arc.source_height_m},
        "wind": {"speed_m_s": met.wind_speed_m_s, "direction_deg": 270.0, "reference_height_m": met.wind_height_m},
        "monin_obukhov_length_m": met.monin_obukhov_length_m,
        "mixing_height_m": met.mixing_height_m,
        "receptor_height_m": arc.receptor_height_m,
    })
    grid = RasterGrid(shape=(1, 1), spacing_m=(1.0, 1.0))  # unused: receptors are given as points
    return GasDispersion(grid, params, np.random.default_rng(0))


def pairs(case: dict, quick: bool = False) -> list[dict]:
    """One record per scored arc: run, distance, class, observed and predicted values (mg m-3, mg m-2)."""
    meteorology = read_meteorology()
    chosen = set(case["case"]["quick_runs"]) if quick else None
    records = []
    for arc in read_arcs():
        met = meteorology.get(arc.run)
        if met is None or (chosen is not None and arc.run not in chosen):
            continue
        if arc.distance_m not in case["case"]["arcs_m"] or not arc.max_concentration_mg_m3 > 0:
            continue
        model = model_for(arc, met, case["model"])
        peak = model.plume_at(np.array([arc.distance_m]), np.array([0.0]))[0] * 1e6  # kg m-3 -> mg m-3
        across = model.plume_at(np.full(CROSSWIND_M.size, arc.distance_m), CROSSWIND_M) * 1e6
        records.append({
            "run": arc.run, "distance_m": arc.distance_m, "class": model.params.resolved_stability_class(),
            "observed": arc.max_concentration_mg_m3, "predicted": float(peak),
            "cwic_observed": arc.crosswind_integral_mg_m2,
            "cwic_predicted": float(np.trapezoid(across, CROSSWIND_M)),
        })
    return records


def score_arcs(records: list[dict], arcs_m: list[float]):
    """(observed, predicted, distance arrays, rows of (label, scores) per arc then all arcs, CWIC scores)."""
    observed = np.array([r["observed"] for r in records])
    predicted = np.array([r["predicted"] for r in records])
    distance = np.array([r["distance_m"] for r in records])
    rows = []
    for d in arcs_m:
        at = distance == d
        if at.any():
            rows.append((f"{d:g} m", scores(observed[at], predicted[at])))
    rows.append(("all arcs", scores(observed, predicted)))
    cwic = [(r["cwic_observed"], r["cwic_predicted"]) for r in records if np.isfinite(r["cwic_observed"])]
    return observed, predicted, distance, rows, scores(*zip(*cwic))


def run(out_dir: Path, quick: bool = False) -> ValidationResult:
    case = load_case()
    records = pairs(case, quick)
    observed, predicted, distance, rows, cwic_scores = score_arcs(records, case["case"]["arcs_m"])
    overall = rows[-1][1]
    passed = acceptable(overall, case["acceptance"])

    figures = {k: overall[k] for k in ("FB", "NMSE", "MG", "VG", "FAC2", "N")}
    for label, s in rows[:-1]:
        key = label.replace(" ", "")
        figures.update({f"FAC2_{key}": s["FAC2"], f"FB_{key}": s["FB"]})
    figures.update({f"CWIC_{k}": cwic_scores[k] for k in ("FB", "NMSE", "FAC2")})
    units = {k: "1" for k in figures}
    artifacts = [save_scatter(Path(out_dir) / "prairie_grass_scatter.png", observed, predicted, distance, overall)]
    return ValidationResult(NAME, figures, units, passed, format_table(rows, cwic_scores, case, quick), artifacts)


def format_table(rows, cwic_scores, case, quick) -> str:
    acc = case["acceptance"]
    lines = [f"Prairie Grass arc-maximum concentration{' (quick subset)' if quick else ''}; "
             f"acceptance |FB| <= {acc['FB']}, NMSE <= {acc['NMSE']}, FAC2 >= {acc['FAC2']} (Chang & Hanna 2004)",
             f"{'arc':>9s} {'N':>4s} {'FB':>7s} {'NMSE':>6s} {'MG':>6s} {'VG':>6s} {'FAC2':>5s}"]
    for label, s in rows + [("CWIC", cwic_scores)]:
        lines.append(f"{label:>9s} {int(s['N']):4d} {s['FB']:+7.3f} {s['NMSE']:6.3f} {s['MG']:6.3f} "
                     f"{s['VG']:6.3f} {s['FAC2']:5.2f}")
    return "\n".join(lines)


def save_scatter(path: Path, observed: np.ndarray, predicted: np.ndarray, distance: np.ndarray,
                 overall: dict) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from validation import save_figure

    fig, ax = plt.subplots(figsize=(6.0, 6.0), dpi=110)
    for d in sorted(set(distance)):
        at = distance == d
        ax.loglog(observed[at], predicted[at], "o", ms=4, alpha=0.75, label=f"{d:g} m")
    lo = 0.5 * min(observed.min(), predicted.min())
    hi = 2.0 * max(observed.max(), predicted.max())
    line = np.array([lo, hi])
    ax.plot(line, line, "k-", lw=1)
    ax.plot(line, 2 * line, "k--", lw=0.8)
    ax.plot(line, 0.5 * line, "k--", lw=0.8)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("measured arc maximum [mg m-3]")
    ax.set_ylabel("predicted (centreline) [mg m-3]")
    ax.set_title(f"Prairie Grass, {int(overall['N'])} arcs: FAC2 {overall['FAC2']:.2f}, "
                 f"FB {overall['FB']:+.2f}, NMSE {overall['NMSE']:.2f}", fontsize=10)
    ax.legend(title="arc", fontsize=8)
    return save_figure(fig, path)
