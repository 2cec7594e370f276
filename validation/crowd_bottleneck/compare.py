"""Bottleneck flow: specific flow J/b against bottleneck width b, and a measured bottleneck run.

**Data.**

* Width-flow tables of the jupedsim validation suite (``systemtest/Validation/test_13/
  experiments``, commit 18a653af, LGPL-3.0): one experiment run per row, width b [m] and flow
  J [1/s]. The reference is ``2006Kretz.txt`` (Kretz, Grünebohm & Schreckenberg 2006,
  *J. Stat. Mech.* P10014; b = 0.4-1.2 m) and ``2009Seyfried.txt`` (Seyfried et al. 2009,
  *Transp. Sci.* 43:395; b = 0.8-1.2 m). ``2006EG.txt`` (b = 0.9-2.5 m; the label is not
  identified) and ``others/`` (Müller 1981, Nagai et al. 2006, Daamen & Hoogendoorn 2010) are
  reported for information.
* PedPy demo trajectory ``040_c_56_h-.txt`` (entrance-bottleneck series, Adrian et al. 2020,
  *J. R. Soc. Interface* 17:20190871; DOI 10.34735/ped.2018.1): 75 persons through a 0.5 m
  wide bottleneck (x in [-0.25, 0.25] m), walking towards -y, 25 frames/s.
* PedPy demo HERMES ``uo-180-180-*`` trajectories (Zhang et al. 2011), for information: flow
  through y = 0 across the 1.8 m corridor.

**Method** (fixed before any model is scored).

* Measured specific flow at width b: the runs of both reference studies are pooled, the
  specific flow J/b is averaged per width, and the per-width means are interpolated linearly
  in b. Above the widest measured width (1.2 m) the straight line J = a + c b fitted by least
  squares to all reference runs gives J/b (flagged as extrapolated; ``2006EG`` runs at
  1.4-2.5 m are within a few per cent of it, see :func:`figures`).
* :func:`score_model` compares a model's specific flow with that reference at the model's
  widths in 0.8-2.5 m; the issue's band is +-10 %. The model runs in the geometry of the
  jupedsim validation test the tables come from (test_13: a 2 m long bottleneck between a
  waiting room and a room behind it, :mod:`validation.crowd_bottleneck.model_runs`), and is
  scored against the pooled reference, as that test compares its one geometry with all the
  studies. (An earlier version ran each study in a geometry of its own, a door in a thin wall
  for Kretz et al. and a 4 m corridor for Seyfried et al., with the exit on the bottleneck's end
  line; that exit removed each person as they crossed it, which gave the door no capacity of its
  own, see model_runs.)
* Flow through a measurement line: first crossing time per person, J = (N_90 - N_10) /
  (t_90 - t_10) (:func:`validation.crowd_measures.flow_between_fractions`). For
  ``040_c_56_h-`` the line is y = -0.5 m across the bottleneck; the crowd data PROVENANCE
  gives 1.16 1/s there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from validation.crowd_measures import (BOTTLENECK_FLOW_TABLES, BOTTLENECK_FLOW_TABLES_OTHERS, PEDPY_BOTTLENECK,
                                       PEDPY_UNIDIRECTIONAL, data_file, flow_between_fractions, line_crossings,
                                       read_bottleneck_flow_table, read_trajectory_text)

NAME = "crowd_bottleneck"
REFERENCE_FILES = ("2006Kretz.txt", "2009Seyfried.txt")
INFORMATION_FILES = {"2006EG": (BOTTLENECK_FLOW_TABLES, "2006EG.txt"),
                     "1981Mueller": (BOTTLENECK_FLOW_TABLES_OTHERS, "1981Mueller.txt"),
                     "2006Nagai": (BOTTLENECK_FLOW_TABLES_OTHERS, "2006Nagai.txt"),
                     "2010Daamen": (BOTTLENECK_FLOW_TABLES_OTHERS, "2010Daamen.txt")}
WIDTH_RANGE_M = (0.8, 2.5)  # widths the model is scored at
BAND = 0.10  # +-10 % on the specific flow (the band)

PEDPY_FILE = "040_c_56_h-.txt"
PEDPY_WIDTH_M = 0.5
PEDPY_LINE = ((-0.25, -0.5), (0.25, -0.5))  # across the bottleneck, 0.5 m behind its entrance
PEDPY_DIRECTION = (0.0, -1.0)
PEDPY_PROVENANCE_FLOW = 1.16  # 1/s, crowd data PROVENANCE (10-90 % of crossings at y = -0.5 m)

HERMES_FILES = ("uo-180-180-070.txt", "uo-180-180-095.txt", "uo-180-180-120.txt", "uo-180-180-180.txt")
HERMES_LINE = ((-1.0, 0.0), (3.0, 0.0))  # y = 0 across the whole 1.8 m corridor


@lru_cache(maxsize=2)
def read_reference(download: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(width [m], flow [1/s]) of each reference study (keyed by file stem) and ``"pooled"``."""
    out = {Path(f).stem: read_bottleneck_flow_table(data_file(BOTTLENECK_FLOW_TABLES, f, download=download))
           for f in REFERENCE_FILES}
    out["pooled"] = tuple(np.concatenate([out[Path(f).stem][i] for f in REFERENCE_FILES]) for i in (0, 1))
    return out


def specific_flow_by_width(width, flow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct widths [m], mean specific flow J/b [1/(m s)] over the runs at each, runs per width).

    >>> specific_flow_by_width([1.0, 1.0, 2.0], [1.8, 2.0, 3.0])
    (array([1., 2.]), array([1.9, 1.5]), array([2, 1]))
    """
    b = np.asarray(width, dtype=float)
    js = np.asarray(flow, dtype=float) / b
    widths, index, runs = np.unique(b, return_inverse=True, return_counts=True)
    return widths, np.bincount(index, weights=js) / runs, runs


STUDIES = ("pooled", "2006Kretz", "2009Seyfried")


def reference_specific_flow(width_m, download: bool = False, study: str = "pooled") -> tuple[np.ndarray, np.ndarray]:
    """Measured specific flow [1/(m s)] at ``width_m`` (module docstring) and, per width, whether
    it is extrapolated (beyond the measured widths of ``study``, from the linear fit J = a + c b to
    all reference runs). ``study``: ``"pooled"`` (both), ``"2006Kretz"`` or ``"2009Seyfried"``."""
    if study not in STUDIES:
        raise ValueError(f"study must be one of {STUDIES}, not {study!r}")
    b = np.atleast_1d(np.asarray(width_m, dtype=float))
    ref = read_reference(download)
    widths, mean_js, _ = specific_flow_by_width(*ref[study])
    slope, intercept = np.polyfit(*ref["pooled"], 1)
    outside = (b < widths[0]) | (b > widths[-1])
    js = np.where(outside, (intercept + slope * b) / b, np.interp(b, widths, mean_js))
    return js, outside


def score_model(widths_m, flows_per_s, download: bool = False, study: str = "pooled") -> dict:
    """Relative error of a model's specific flow J/b against the measured one (of ``study``, see
    :func:`reference_specific_flow`) at the same widths.

    ``widths_m`` [m] and ``flows_per_s`` [1/s] are the model's bottleneck widths and flows;
    widths outside 0.8-2.5 m are not scored. Returns per scored width (arrays)
    ``width_m``, ``model_specific_flow``, ``measured_specific_flow``, ``relative_error``
    ((model - measured) / measured) and ``extrapolated``, and the summary
    ``max_abs_relative_error``, ``mean_relative_error``, ``n_widths`` and ``passed``
    (every scored width within +-10 %).
    """
    b = np.asarray(widths_m, dtype=float).ravel()
    j = np.asarray(flows_per_s, dtype=float).ravel()
    if b.shape != j.shape:
        raise ValueError("widths and flows must have the same length")
    scored = (b >= WIDTH_RANGE_M[0] - 1e-9) & (b <= WIDTH_RANGE_M[1] + 1e-9) & np.isfinite(j)
    b, j = b[scored], j[scored]
    measured, extrapolated = reference_specific_flow(b, download, study)
    model = j / b
    rel = (model - measured) / measured
    return {
        "width_m": b, "model_specific_flow": model, "measured_specific_flow": measured, "relative_error": rel,
        "extrapolated": extrapolated,
        "max_abs_relative_error": float(np.max(np.abs(rel))) if rel.size else float("nan"),
        "mean_relative_error": float(np.mean(rel)) if rel.size else float("nan"),
        "n_widths": int(rel.size),
        "passed": bool(rel.size and np.all(np.abs(rel) <= BAND + 1e-12)),
    }


def pedpy_bottleneck_flow(download: bool = False) -> dict[str, float]:
    """Flow through y = -0.5 m in the PedPy bottleneck run ``040_c_56_h-``: persons counted,
    flow J [1/s], specific flow J/b [1/(m s)] and the 10 % / 90 % crossing times [s]."""
    traj = read_trajectory_text(data_file(PEDPY_BOTTLENECK, PEDPY_FILE, download=download))
    _, times = line_crossings(traj, *PEDPY_LINE, direction=PEDPY_DIRECTION)
    flow = flow_between_fractions(times)
    return {"persons": float(times.size), "flow_per_s": flow, "specific_flow": flow / PEDPY_WIDTH_M,
            "persons_in_file": float(np.unique(traj.person_id).size),
            "first_crossing_s": float(np.min(times)), "last_crossing_s": float(np.max(times))}


def hermes_corridor_flows(download: bool = False) -> dict[str, float]:
    """Flow [1/s] through y = 0 of the HERMES ``uo-180-180-*`` runs (10-90 % of crossings)."""
    out = {}
    for f in HERMES_FILES:
        traj = read_trajectory_text(data_file(PEDPY_UNIDIRECTIONAL, f, download=download))
        _, times = line_crossings(traj, *HERMES_LINE, direction=(0.0, -1.0))
        out[Path(f).stem] = flow_between_fractions(times)
    return out


def figures(download: bool = False, trajectories: bool = True, hermes: bool = True) -> dict[str, float]:
    """Measured specific flow by width (``js_<study>_b<width>`` per reference study and
    ``js_reference_b<width>`` at the measured widths and at 1.5, 2.0, 2.5 m, extrapolated),
    the linear fit (``fit_intercept``, ``fit_slope``), the mean relative deviation of the
    information studies from the reference over 0.8-2.5 m (``deviation_<study>``), and, with
    ``trajectories``, the PedPy bottleneck flow (``pedpy_flow``, ``pedpy_specific_flow``,
    ``pedpy_persons``) and, with ``hermes`` too, the HERMES corridor flows (``hermes_flow_<run>``)."""
    ref = read_reference(download)
    out: dict[str, float] = {}
    for study in [Path(f).stem for f in REFERENCE_FILES]:
        for b, js, runs in zip(*specific_flow_by_width(*ref[study])):
            out[f"js_{study}_b{b:.2f}"] = float(js)
            out[f"runs_{study}_b{b:.2f}"] = float(runs)
    slope, intercept = np.polyfit(*ref["pooled"], 1)
    out["fit_intercept"], out["fit_slope"] = float(intercept), float(slope)
    # the reference at every measured width plus three extrapolated ones
    grid = np.union1d(ref["pooled"][0], [1.5, 2.0, 2.5])
    for b, js in zip(grid, reference_specific_flow(grid, download)[0]):
        out[f"js_reference_b{b:.2f}"] = float(js)
    for study, (name, f) in INFORMATION_FILES.items():
        width, flow = read_bottleneck_flow_table(data_file(name, f, download=download))
        s = score_model(width, flow, download)
        out[f"deviation_{study}"] = s["mean_relative_error"]
        out[f"within_band_{study}"] = float(np.mean(np.abs(s["relative_error"]) <= BAND)) if s["n_widths"] else 0.0
    if trajectories:
        p = pedpy_bottleneck_flow(download)
        out["pedpy_flow"], out["pedpy_specific_flow"], out["pedpy_persons"] = (
            p["flow_per_s"], p["specific_flow"], p["persons"])
    if trajectories and hermes:
        for run_name, flow in hermes_corridor_flows(download).items():
            out[f"hermes_flow_{run_name}"] = flow
    return out


def format_table(f: dict[str, float]) -> str:
    lines = [f"Bottleneck specific flow J/b [1/(m s)], reference Kretz 2006 + Seyfried 2009; model band "
             f"+-{BAND:.0%} over {WIDTH_RANGE_M[0]}-{WIDTH_RANGE_M[1]} m",
             f"{'b [m]':>6s} {'Kretz':>7s} {'Seyfried':>9s} {'reference':>10s}"]
    widths = sorted({float(k.rsplit('_b', 1)[1]) for k in f if k.startswith(("js_2006Kretz", "js_2009Seyfried",
                                                                            "js_reference"))})
    for b in widths:
        cells = [f.get(f"js_{s}_b{b:.2f}", float("nan")) for s in ("2006Kretz", "2009Seyfried", "reference")]
        lines.append(f"{b:6.2f} {cells[0]:7.3f} {cells[1]:9.3f} {cells[2]:10.3f}")
    lines.append(f"linear fit J = {f['fit_intercept']:.3f} + {f['fit_slope']:.3f} b; information studies, mean "
                 "relative deviation from the reference: " + ", ".join(
                     f"{s} {f[f'deviation_{s}']:+.1%}" for s in INFORMATION_FILES))
    if "pedpy_flow" in f:
        lines.append(f"PedPy 040_c_56_h- (b = {PEDPY_WIDTH_M} m, {int(f['pedpy_persons'])} persons): J = "
                     f"{f['pedpy_flow']:.3f} 1/s, J/b = {f['pedpy_specific_flow']:.3f} 1/(m s) "
                     f"(PROVENANCE {PEDPY_PROVENANCE_FLOW})")
    hermes = [f"{k.removeprefix('hermes_flow_')} {v:.2f} 1/s" for k, v in f.items() if k.startswith("hermes_flow_")]
    if hermes:
        lines.append("HERMES uo-180-180-* flow through y = 0: " + ", ".join(hermes))
    return "\n".join(lines)


MODEL_WIDTHS_M = (0.8, 1.0, 1.2, 1.6, 2.0, 2.5)
QUICK_WIDTHS_M = (1.2,)
OPERATIONAL_MODELS = ("social_force", "collision_free_speed")


def model_figures(quick: bool = False, download: bool = False, models=OPERATIONAL_MODELS,
                  widths=None) -> tuple[dict[str, float], list[str]]:
    """Each operational model's specific flow at each width in test_13's geometry (:mod:`model_runs`),
    scored against the pooled reference (``<model>_js_<width>``, ``<model>_error_<width>``,
    ``<model>_evacuated_<width>``: persons through within the time limit) and summarised
    (``<model>_max_abs_relative_error``, ``<model>_mean_relative_error``); the social force (the
    default model) is the one the acceptance judges."""
    from validation.crowd_bottleneck.model_runs import simulate_flow

    widths = widths or (QUICK_WIDTHS_M if quick else MODEL_WIDTHS_M)
    figures: dict[str, float] = {}
    lines = ["model specific flow J/b [1/(m s)] in test_13's geometry against the pooled reference (band +-10 %):",
             f"{'b (m)':>6s} {'measured':>9s} " + " ".join(f"{m:>22s}" for m in models)]
    rows: dict[float, list[float]] = {b: [] for b in widths}
    for model in models:
        errors = []
        for b in widths:
            r = simulate_flow(b, model)
            s = score_model([b], [r["flow_per_s"]], download=download)
            error = float(s["relative_error"][0]) if s["n_widths"] else float("nan")
            errors.append(error)
            figures[f"{model}_js_{b:g}"] = r["specific_flow"]
            figures[f"{model}_error_{b:g}"] = error
            figures[f"{model}_evacuated_{b:g}"] = r["evacuated"]
            rows[b].append(r["specific_flow"])
        errors = np.array(errors)
        # a run whose flow could not be measured (too few through: a jam) counts as missing the band
        figures[f"{model}_max_abs_relative_error"] = float(np.max(np.abs(np.nan_to_num(errors, nan=1.0))))
        figures[f"{model}_mean_relative_error"] = float(np.nanmean(errors)) if np.isfinite(errors).any() else 1.0
    for b, js in rows.items():
        measured = float(reference_specific_flow([b], download)[0][0])
        lines.append(f"{b:6.2f} {measured:9.3f} " + " ".join(f"{v:22.3f}" for v in js))
    return figures, lines


PEDPY_MAX_TIME_S = 150.0  # model time limit of the 040_c_56_h- replay (measured: last crossing at 65.6 s)


def pedpy_model_figures(download: bool = False, models=OPERATIONAL_MODELS) -> tuple[dict[str, float], list[str]]:
    """Each operational model replaying 040_c_56_h- from its measured first frame
    (:func:`model_runs.simulate_pedpy_bottleneck`, default settings): flow through y = -0.5 m over
    the 10-90 % of its crossings (``pedpy_bottleneck_flow_<model>``, nan if fewer than 10
    crossed), its relative error against the measured flow (``pedpy_flow_error_<model>``), the
    first and last crossing times (``pedpy_first_crossing_s_<model>``, ``pedpy_last_crossing_s_<model>``)
    and the persons through (``pedpy_crossed_<model>``), with the measured values
    (``pedpy_bottleneck_flow_measured``, ``pedpy_first_crossing_s_measured``,
    ``pedpy_last_crossing_s_measured``). Reported only: the issue's +-10 % band is set for
    widths 0.8-2.5 m, and this bottleneck is 0.5 m wide."""
    from validation.crowd_bottleneck.model_runs import simulate_pedpy_bottleneck

    measured = pedpy_bottleneck_flow(download)
    out = {"pedpy_bottleneck_flow_measured": measured["flow_per_s"],
           "pedpy_first_crossing_s_measured": measured["first_crossing_s"],
           "pedpy_last_crossing_s_measured": measured["last_crossing_s"]}
    lines = [f"PedPy 040_c_56_h- replayed from its first frame (75 persons, b = {PEDPY_WIDTH_M} m, line y = -0.5 m, "
             f"model time <= {PEDPY_MAX_TIME_S:g} s; reported, no band):",
             f"{'':>22s} {'J [1/s]':>8s} {'error':>7s} {'first [s]':>9s} {'last [s]':>9s} {'crossed':>8s}",
             f"{'measured':>22s} {measured['flow_per_s']:8.3f} {'':>7s} {measured['first_crossing_s']:9.2f} "
             f"{measured['last_crossing_s']:9.2f} {int(measured['persons']):8d}"]
    for model in models:
        r = simulate_pedpy_bottleneck(model, max_time_s=PEDPY_MAX_TIME_S, download=download)
        error = (r["flow_per_s"] - measured["flow_per_s"]) / measured["flow_per_s"]
        crossed = float(r["crossing_times"].size)
        out.update({f"pedpy_bottleneck_flow_{model}": r["flow_per_s"], f"pedpy_flow_error_{model}": error,
                    f"pedpy_first_crossing_s_{model}": r["first_crossing_s"],
                    f"pedpy_last_crossing_s_{model}": r["last_crossing_s"], f"pedpy_crossed_{model}": crossed})
        lines.append(f"{model:>22s} {r['flow_per_s']:8.3f} {error:+7.1%} {r['first_crossing_s']:9.2f} "
                     f"{r['last_crossing_s']:9.2f} {int(crossed):8d}"
                     + ("  (jammed: not everyone passed)" if crossed < r["count"] else ""))
    return out, lines


def run(out_dir: Path | None = None, quick: bool = False):
    """Validation-case entry point: the measurement chain (the PedPy bottleneck flow reproduces
    the PROVENANCE value within 0.02 1/s) and the crowd model's specific flow at each width
    (``quick``: 1.2 m only, no HERMES trajectories). Passes when both hold: the chain, and the
    default operational model (:data:`models.crowd.params.DEFAULT_OPERATIONAL_MODEL`, the collision-free
    speed model) within +-10 % of the measured specific flow at every width; the social force's figures are
    reported beside it. Both models'
    replay of the PedPy run 040_c_56_h- is reported (:func:`pedpy_model_figures`), not judged."""
    from models.crowd.params import DEFAULT_OPERATIONAL_MODEL
    from validation import ValidationResult

    f = figures(download=True, trajectories=True, hermes=not quick)
    chain = abs(f["pedpy_flow"] - PEDPY_PROVENANCE_FLOW) <= 0.02
    model, model_lines = model_figures(quick=quick, download=True)
    f.update(model)
    pedpy, pedpy_lines = pedpy_model_figures(download=True)
    f.update(pedpy)
    model_lines += pedpy_lines
    passed = chain and f[f"{DEFAULT_OPERATIONAL_MODEL}_max_abs_relative_error"] <= BAND + 1e-12
    per_metre = ("js_", "pedpy_specific_flow", "fit_slope", "social_force_js", "collision_free_speed_js")
    per_second = ("pedpy_flow", "hermes_flow_", "fit_intercept", "pedpy_bottleneck_flow_")
    seconds = ("pedpy_first_crossing_s_", "pedpy_last_crossing_s_")
    units = {k: "1" if k.startswith("pedpy_flow_error_") else "1/(m s)" if k.startswith(per_metre)
             else "1/s" if k.startswith(per_second) else "s" if k.startswith(seconds) else "1" for k in f}
    return ValidationResult(NAME, f, units, bool(passed), format_table(f) + "\n" + "\n".join(model_lines), [])
