"""Corridor fundamental diagram: measured speed against density, the Weidmann curve, model scoring.

**Data.** Speed-density tables of the HERMES experiments (Düsseldorf 2009) shipped with the
jupedsim validation suite (``systemtest/Validation``, commit 18a653af, LGPL-3.0; data from the
Jülich Pedestrian Dynamics Data Archive, ped.fz-juelich.de/da):

* ``2test_2D``: ``ug-180-*``, closed-loop corridor 1.8 m wide, 15-230 persons; density
  [1/m^2], speed [m/s] (data set ``crowd/jupedsim_validation/2test_2D/data``).
* ``3test_UO``: ``uo-*``, unidirectional corridor 3.0 m wide, entrance/corridor/exit widths
  in cm in the name; density [1/m^2], speed [m/s] (Zhang et al. 2011, *J. Stat. Mech.*
  P06004, Voronoi method; data set ``crowd/jupedsim_validation/3test_UO/data``).

**Method** (fixed before any model is scored). Samples are binned by density in 0.25 1/m^2
bins from 0 to 4 1/m^2; a bin's value is the mean speed of its samples. A measured bin counts
when it holds at least 5 samples. The "pooled" reference bins the samples of both data sets
together. A prediction (the Weidmann curve, or the crowd model's own simulated corridor,
:mod:`validation.crowd_fundamental.model_runs`) is binned the same way and scored by the RMSE
of its bin means against the measured bin means over the bins both have (:func:`score_model`); the issue's criterion is RMSE <= 0.10 m/s.
The Weidmann (1993) curve is scored as a prediction at the measured densities (each measured
density gets the Weidmann speed), which is the reference figure of this case.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from validation.crowd_measures import (CORRIDOR_FD_TABLES, UNIDIRECTIONAL_FD_TABLES, data_file,
                                       read_fundamental_diagram_table, weidmann_speed)

NAME = "crowd_fundamental"
MEASURED_FILES = {
    "2test_2D": (CORRIDOR_FD_TABLES, ("ug-180-015.txt", "ug-180-030.txt", "ug-180-060.txt", "ug-180-085.txt",
                                      "ug-180-095.txt", "ug-180-110_v2.txt", "ug-180-140.txt", "ug-180-230.txt")),
    "3test_UO": (UNIDIRECTIONAL_FD_TABLES, ("uo-080-300-300.dat", "uo-100-300-300.dat", "uo-120-300-300.dat",
                                            "uo-180-300-300.dat", "uo-240-300-300.dat", "uo-300-300-080.dat",
                                            "uo-300-300-120.dat", "uo-300-300-160.dat", "uo-300-300-200.dat",
                                            "uo-300-300-300.dat")),
}
REFERENCES = ("2test_2D", "3test_UO", "pooled")
BIN_WIDTH = 0.25  # [1/m^2]
MAX_DENSITY = 4.0  # [1/m^2]
BIN_EDGES = np.linspace(0.0, MAX_DENSITY, int(round(MAX_DENSITY / BIN_WIDTH)) + 1)
MIN_MEASURED_SAMPLES = 5  # a measured bin with fewer samples is too noisy to score against
RMSE_LIMIT_M_S = 0.10  # the acceptance criterion


def data_paths(download: bool = False) -> dict[str, list[Path]]:
    """The measured tables per data set (``$HAZSIM_DATA_DIR`` or the registered data sets)."""
    return {key: [data_file(name, f, download=download) for f in files]
            for key, (name, files) in MEASURED_FILES.items()}


@lru_cache(maxsize=2)
def read_measured(download: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(density [1/m^2], speed [m/s]) per data set and ``"pooled"`` (both together)."""
    out = {}
    for key, paths in data_paths(download).items():
        tables = [read_fundamental_diagram_table(p) for p in paths]
        out[key] = (np.concatenate([t[0] for t in tables]), np.concatenate([t[1] for t in tables]))
    out["pooled"] = tuple(np.concatenate([out[k][i] for k in MEASURED_FILES]) for i in (0, 1))
    return out


def bin_means(density, speed, edges: np.ndarray = BIN_EDGES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bin centres, mean speed per bin (NaN where empty), samples per bin) of (rho, v) pairs.

    Bins are half-open [lo, hi); samples outside [edges[0], edges[-1]) and pairs with a
    non-finite value are ignored.

    >>> centres, means, counts = bin_means([0.1, 0.2, 0.3, 9.0], [1.0, 2.0, 0.5, 0.1])
    >>> centres[:2].tolist(), means[:2].tolist(), counts[:2].tolist()
    ([0.125, 0.375], [1.5, 0.5], [2, 1])
    """
    rho = np.asarray(density, dtype=float).ravel()
    v = np.asarray(speed, dtype=float).ravel()
    ok = np.isfinite(rho) & np.isfinite(v) & (rho >= edges[0]) & (rho < edges[-1])
    k = np.searchsorted(edges, rho[ok], side="right") - 1
    n_bins = edges.size - 1
    counts = np.bincount(k, minlength=n_bins)
    sums = np.bincount(k, weights=v[ok], minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    return (edges[:-1] + edges[1:]) / 2.0, means, counts


def measured_bins(reference: str = "pooled", download: bool = False):
    """Measured (centres, mean speed, counts) of one reference; bins with fewer than
    :data:`MIN_MEASURED_SAMPLES` samples have mean NaN."""
    if reference not in REFERENCES:
        raise ValueError(f"reference must be one of {REFERENCES}, not {reference!r}")
    centres, means, counts = bin_means(*read_measured(download)[reference])
    return centres, np.where(counts >= MIN_MEASURED_SAMPLES, means, np.nan), counts


def score_against_bins(density, speed, reference_means: np.ndarray, min_model_samples: int = 1) -> dict:
    """Bin the predicted (rho, v) pairs and compare their bin means with ``reference_means``
    (one per bin of :data:`BIN_EDGES`, NaN where not scored): RMSE, bias (mean predicted -
    measured) [m/s] and the number of bins compared.

    >>> ref = np.full(BIN_EDGES.size - 1, np.nan); ref[0] = 1.0; ref[4] = 0.5
    >>> s = score_against_bins([0.1, 1.1, 1.2], [1.1, 0.3, 0.5], ref)
    >>> round(s["RMSE_m_s"], 6), round(s["bias_m_s"], 6), s["n_bins"]
    (0.1, 0.0, 2)
    """
    _, model_means, model_counts = bin_means(density, speed)
    both = np.isfinite(reference_means) & (model_counts >= min_model_samples)
    error = model_means[both] - reference_means[both]
    if not error.size:
        return {"RMSE_m_s": float("nan"), "bias_m_s": float("nan"), "n_bins": 0}
    return {"RMSE_m_s": float(np.sqrt(np.mean(error**2))), "bias_m_s": float(error.mean()), "n_bins": int(both.sum())}


def score_model(density, speed, reference: str = "pooled", min_model_samples: int = 1,
                download: bool = False) -> dict:
    """Score simulated (rho [1/m^2], v [m/s]) pairs against the measured bins of ``reference``
    (``"pooled"``, ``"2test_2D"`` or ``"3test_UO"``) for rho < 4 1/m^2.

    Returns ``RMSE_m_s``, ``bias_m_s``, ``n_bins`` (bins compared) and ``passed``
    (RMSE <= :data:`RMSE_LIMIT_M_S`). The RMSE is over the bins the model covers only, so
    check ``n_bins``: a model that fills few bins is scored on few.
    """
    _, ref_means, _ = measured_bins(reference, download)
    s = score_against_bins(density, speed, ref_means, min_model_samples)
    s["passed"] = bool(np.isfinite(s["RMSE_m_s"]) and s["RMSE_m_s"] <= RMSE_LIMIT_M_S)
    return s


def _bin_label(lo: float, hi: float) -> str:
    return f"{lo:.2f}-{hi:.2f}"


def figures(download: bool = False) -> dict[str, float]:
    """Per-bin measured mean speed and sample count for each data set and pooled
    (``v_<set>_<lo>-<hi>`` [m/s], ``n_<set>_<lo>-<hi>``), the Weidmann curve's RMSE and bias
    against each (``weidmann_RMSE_<set>``, ``weidmann_bias_<set>``, ``weidmann_bins_<set>``),
    and the RMSE between the two measured data sets over their common bins
    (``RMSE_2test_2D_vs_3test_UO``: how far apart two measurements of the "same" diagram are).
    """
    measured = read_measured(download)
    out: dict[str, float] = {}
    for ref in REFERENCES:
        rho, v = measured[ref]
        out[f"N_{ref}"] = float(rho.size)
        _, means, counts = measured_bins(ref, download)
        for lo, hi, m, n in zip(BIN_EDGES[:-1], BIN_EDGES[1:], means, counts):
            out[f"v_{ref}_{_bin_label(lo, hi)}"] = float(m)
            out[f"n_{ref}_{_bin_label(lo, hi)}"] = float(n)
        s = score_against_bins(rho, weidmann_speed(rho), means)
        out[f"weidmann_RMSE_{ref}"] = s["RMSE_m_s"]
        out[f"weidmann_bias_{ref}"] = s["bias_m_s"]
        out[f"weidmann_bins_{ref}"] = float(s["n_bins"])
    _, means_2d, _ = measured_bins("2test_2D", download)
    _, means_uo, _ = measured_bins("3test_UO", download)
    common = np.isfinite(means_2d) & np.isfinite(means_uo)
    out["RMSE_2test_2D_vs_3test_UO"] = float(np.sqrt(np.mean((means_2d[common] - means_uo[common]) ** 2)))
    return out


def format_table(f: dict[str, float]) -> str:
    lines = [f"Corridor fundamental diagram: mean measured speed [m/s] per density bin (n samples) and the "
             f"Weidmann (1993) curve; criterion RMSE <= {RMSE_LIMIT_M_S} m/s",
             f"{'rho bin':>10s} {'2test_2D':>12s} {'3test_UO':>12s} {'pooled':>12s} {'Weidmann':>9s}"]
    for lo, hi in zip(BIN_EDGES[:-1], BIN_EDGES[1:]):
        label = _bin_label(lo, hi)
        cells = [f"{f[f'v_{ref}_{label}']:6.3f} ({int(f[f'n_{ref}_{label}']):3d})" for ref in REFERENCES]
        lines.append(f"{label:>10s} " + " ".join(f"{c:>12s}" for c in cells)
                     + f" {float(weidmann_speed((lo + hi) / 2.0)):9.3f}")
    lines.append("Weidmann RMSE / bias: " + ", ".join(
        f"{ref} {f[f'weidmann_RMSE_{ref}']:.3f} / {f[f'weidmann_bias_{ref}']:+.3f}" for ref in REFERENCES)
        + f"; 2test_2D vs 3test_UO RMSE {f['RMSE_2test_2D_vs_3test_UO']:.3f}")
    return "\n".join(lines)


def save_plot(path: Path, download: bool = False) -> Path:
    """Measured samples, measured bin means and the Weidmann curve (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from validation import save_figure

    measured = read_measured(download)
    fig, ax = plt.subplots(figsize=(7.0, 4.5), dpi=110)
    for ref, colour in (("2test_2D", "tab:blue"), ("3test_UO", "tab:orange")):
        rho, v = measured[ref]
        ax.plot(rho, v, ".", ms=2, alpha=0.35, color=colour)
        centres, means, _ = measured_bins(ref, download)
        ax.plot(centres, means, "o-", color=colour, label=f"{ref} bin means")
    grid = np.linspace(0.05, 5.4, 300)
    ax.plot(grid, weidmann_speed(grid), "k-", lw=1.5, label="Weidmann (1993)")
    ax.set_xlabel("density [1/m²]")
    ax.set_ylabel("speed [m/s]")
    ax.set_xlim(0, 5)
    ax.set_ylim(0, 2)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


OPERATIONAL_MODELS = ("social_force", "collision_free_speed")


def model_figures(quick: bool = False, download: bool = False) -> tuple[dict[str, float], list[str]]:
    """Each operational model's speed-density samples in the simulated HERMES corridor
    (:mod:`validation.crowd_fundamental.model_runs`, all ten 3test_UO width pairs; ``quick``:
    two), scored against the pooled measured bins: ``<model>_RMSE``, ``<model>_bias``,
    ``<model>_bins``, against Weidmann's curve ``<model>_RMSE_weidmann``, and the samples' largest
    density ``<model>_max_density``."""
    from validation.crowd_fundamental.model_runs import QUICK_RUNS, RUNS, simulate_all

    runs = QUICK_RUNS if quick else RUNS
    out: dict[str, float] = {}
    lines = [f"model runs in the simulated corridor ({len(runs)} entrance/exit width pairs), pooled bins:"]
    for model in OPERATIONAL_MODELS:
        samples = simulate_all(runs, operational_model=model)
        rho = np.concatenate([d for d, _ in samples.values()])
        v = np.concatenate([s for _, s in samples.values()])
        score = score_model(rho, v, download=download)
        out[f"{model}_RMSE"], out[f"{model}_bias"] = score["RMSE_m_s"], score["bias_m_s"]
        # the same samples against Weidmann's curve (each bin: the curve's mean at the samples' densities)
        _, weidmann_means, _ = bin_means(rho, weidmann_speed(rho))
        against_weidmann = score_against_bins(rho, v, weidmann_means)
        out[f"{model}_RMSE_weidmann"] = against_weidmann["RMSE_m_s"]
        out[f"{model}_bins"] = float(score["n_bins"])
        out[f"{model}_max_density"] = float(rho.max()) if rho.size else 0.0
        lines.append(f"  {model}: RMSE {score['RMSE_m_s']:.3f} m/s, bias {score['bias_m_s']:+.3f} m/s over "
                     f"{score['n_bins']} bins (densities up to {out[f'{model}_max_density']:.2f} 1/m^2); "
                     f"against Weidmann's curve RMSE {against_weidmann['RMSE_m_s']:.3f} m/s")
    return out, lines


def run(out_dir: Path | None = None, quick: bool = False):
    """Validation-case entry point: the reference (the Weidmann curve against the pooled measured
    bins) and the crowd model's own corridor runs. Passes when the Weidmann curve and the default
    operational model (:data:`models.crowd.params.DEFAULT_OPERATIONAL_MODEL`, the collision-free speed
    model) both meet RMSE <= 0.10 m/s against the pooled bins, and the model also against Weidmann's
    curve, over at least 8 bins (``quick``: two runs, no bin minimum); the social force's figures are
    reported beside it."""
    from models.crowd.params import DEFAULT_OPERATIONAL_MODEL
    from validation import ValidationResult

    f = figures(download=True)
    model, model_lines = model_figures(quick=quick, download=True)
    f.update(model)
    enough_bins = quick or f[f"{DEFAULT_OPERATIONAL_MODEL}_bins"] >= 8
    passed = (f["weidmann_RMSE_pooled"] <= RMSE_LIMIT_M_S and f[f"{DEFAULT_OPERATIONAL_MODEL}_RMSE"] <= RMSE_LIMIT_M_S
              and f[f"{DEFAULT_OPERATIONAL_MODEL}_RMSE_weidmann"] <= RMSE_LIMIT_M_S and enough_bins)
    speeds = ("v_", "weidmann_RMSE", "weidmann_bias", "RMSE_")
    units = {k: ("m/s" if k.startswith(speeds) or k.endswith(("_RMSE", "_bias", "_RMSE_weidmann"))
                 else "1/m^2" if k.endswith("_max_density") else "1") for k in f}
    artifacts = [save_plot(Path(out_dir) / "crowd_fundamental_diagram.png", download=True)] if out_dir else []
    return ValidationResult(NAME, f, units, bool(passed), format_table(f) + "\n" + "\n".join(model_lines), artifacts)
