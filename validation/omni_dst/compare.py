"""Hourly Dst from the OMNI solar wind, 1998-2002, against Kyoto Dst: PE, RMSE, r and the
minima of the Bastille Day 2000 and 2001-03-31 storms.

Each model starts from the observed Dst of the first hour (its Dst* from the pressure of
that hour) and then runs on the solar wind alone, with no feedback from the observed index.
Observed Dst of hour k is the mean over that hour, so it is compared with the model's mean
over the same hour, the mean of its values at the hour's two ends (exact for a linear change).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from models.geomagnetic import ring_current
from models.geomagnetic.observed import hourly_means, read_omni2_indices, read_omni_csv_dst, read_symh_benchmark
from models.geomagnetic.solar_wind import read_omni2, read_omni_hourly_csv
from sim.io.data import dataset_file
from validation import ValidationResult
from validation.metrics import series_scores

CASE = Path(__file__).with_name("case.toml")
NAME = "omni_dst"
MODEL_CODES = {"burton": ring_current.BURTON, "obrien_mcpherron": ring_current.OBRIEN_MCPHERRON}
DRIVERS = ("bz_gsm", "speed", "density")


def modelled_dst(model: str, wind, observed_first_nT: float) -> np.ndarray:
    """The model's mean Dst (nT) over each hour of ``wind``, from the observed Dst of its first hour:
    the mean of the values at the hour's start and end."""
    code = MODEL_CODES[model]
    star0 = float(ring_current.pressure_corrected(code, np.array([observed_first_nT]), wind.pressure[:1])[0])
    dst_end, _ = ring_current.dst_response(code, wind.cadence_s, wind.speed, wind.bz_gsm, wind.pressure, star0)
    dst_start = np.concatenate([[observed_first_nT], dst_end[:-1]])
    return 0.5 * (dst_start + dst_end)


def _figure(path: Path, time, observed, modelled: dict[str, np.ndarray], storms) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(storms), figsize=(6 * len(storms), 4), squeeze=False)
    for ax, storm in zip(axes[0], storms):
        window = (time >= np.datetime64(storm["start"])) & (time < np.datetime64(storm["stop"]))
        ax.plot(time[window], observed[window], "k", lw=2, label="Kyoto Dst")
        for name, values in modelled.items():
            ax.plot(time[window], values[window], label=name.replace("_", "-"))
        ax.set_title(storm["name"])
        ax.set_ylabel("Dst (nT)")
        ax.tick_params(axis="x", labelrotation=30)
    axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _symh_benchmark(spec: dict, hours: np.ndarray, modelled: dict[str, np.ndarray], figures: dict) -> list[str]:
    """RMSE against hourly SYM-H on the benchmark storms' hours that the run covers: each model,
    and the benchmark's own 1-h-ahead forecast on the same hours."""
    observed, forecast = read_symh_benchmark(dataset_file(spec["dataset"], spec["file"]))
    observed, forecast = hourly_means(observed), hourly_means(forecast)
    common, in_run, in_symh = np.intersect1d(hours, observed.time, return_indices=True)
    if common.size == 0:
        return []
    lines = [f"SYM-H benchmark storms, {common.size} hours in the run: RMSE (nT) against hourly SYM-H"]
    for model, values in modelled.items():
        rmse = float(np.sqrt(np.mean((values[in_run] - observed.values[in_symh]) ** 2)))
        figures[f"{model}_symh_storms_RMSE_nT"] = rmse
        lines.append(f"  {model:<18} {rmse:>8.2f}  (solar wind only)")
    rmse = float(np.sqrt(np.mean((forecast.values[in_symh] - observed.values[in_symh]) ** 2)))
    figures["symh_forecast_1h_RMSE_nT"] = rmse
    lines.append(f"  {'1-h-ahead forecast':<18} {rmse:>8.2f}  (Collado-Villaverde et al., fed with past SYM-H)")
    return lines


def run(out_dir: Path | None = None, quick: bool = False) -> ValidationResult:
    case = tomllib.loads(CASE.read_text(encoding="utf-8"))
    c, anchor, storms = case["case"], case["anchor"], case["storms"]
    path = dataset_file(c["dataset"], c["file"])
    wind = read_omni_hourly_csv(path)
    dst = read_omni_csv_dst(path)
    if not np.array_equal(dst.time, wind.time):
        raise ValueError(f"{path}: the Dst and solar-wind hours differ")
    if quick:
        wind, dst = wind.between(c["quick_start"], c["quick_stop"]), dst.between(c["quick_start"], c["quick_stop"])
        storms = [s for s in storms if np.datetime64(s["start"]) >= np.datetime64(c["quick_start"])
                  and np.datetime64(s["stop"]) <= np.datetime64(c["quick_stop"])]
    observed_hourly = dst.values  # hour by hour, like the modelled means
    measured = wind.valid(DRIVERS)
    hours = dst.time
    lines = [f"Dst from the OMNI solar wind, {str(wind.time[0])[:10]} to {str(wind.time[-1])[:10]}, "
             f"{int(measured.sum())} of {measured.size} hours with measured drivers",
             f"{'model':<18} {'PE':>6} {'RMSE nT':>8} {'r':>6} {'bias nT':>8}"]
    figures: dict[str, float] = {}
    modelled: dict[str, np.ndarray] = {}
    passed = True
    for model in c["models"]:
        values = modelled_dst(model, wind, float(dst.values[0]))
        modelled[model] = values
        s = series_scores(np.where(measured, observed_hourly, np.nan), values)
        lines.append(f"{model:<18} {s['PE']:>6.3f} {s['RMSE']:>8.2f} {s['r']:>6.3f} {s['bias']:>8.2f}")
        figures.update({f"{model}_PE": s["PE"], f"{model}_RMSE_nT": s["RMSE"], f"{model}_r": s["r"],
                        f"{model}_bias_nT": s["bias"]})
    lines.append(f"{anchor['name']:<18} {anchor['PE']:>6.3f} {anchor['RMSE_nT']:>8.2f} {anchor['r']:>6.3f}"
                 f" {'':>8}  (published)")
    if not quick and "symh" in case:
        lines += _symh_benchmark(case["symh"], hours, modelled, figures)
    if not quick and "second" in case:  # a later year, another cycle (OMNI2 carries its own Dst)
        second = case["second"]
        path2 = dataset_file(second["dataset"], second["file"])
        wind2, dst2 = read_omni2(path2), read_omni2_indices(path2)
        if not np.array_equal(dst2.time, wind2.time):
            raise ValueError(f"{path2}: the Dst and solar-wind hours differ")
        measured2 = wind2.valid(DRIVERS)
        lines.append(f"{second['label']}: {int(measured2.sum())} of {measured2.size} hours with measured drivers")
        for model in c["models"]:
            values = modelled_dst(model, wind2, float(dst2.dst[0]))
            s2 = series_scores(np.where(measured2, dst2.dst, np.nan), values)
            lines.append(f"{model:<18} {s2['PE']:>6.3f} {s2['RMSE']:>8.2f} {s2['r']:>6.3f} {s2['bias']:>8.2f}")
            figures.update({f"{model}_{second['key']}_PE": s2["PE"], f"{model}_{second['key']}_RMSE_nT": s2["RMSE"]})
    for storm in storms:
        window = (hours >= np.datetime64(storm["start"])) & (hours < np.datetime64(storm["stop"]))
        observed_min = float(np.nanmin(observed_hourly[window]))
        parts = []
        for model, values in modelled.items():
            model_min = float(np.min(values[window]))
            error = (model_min - observed_min) / abs(observed_min)
            passed &= abs(error) <= case["acceptance"]["storm_minimum_rel"]
            key = storm["name"].lower().replace(" ", "_").replace("-", "_")
            figures[f"{model}_{key}_minimum_nT"] = model_min
            parts.append(f"{model} {model_min:.0f} nT ({100 * error:+.1f} %)")
        lines.append(f"{storm['name']}: observed minimum {observed_min:.0f} nT; " + ", ".join(parts))
    artifacts = []
    if out_dir is not None and storms:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        artifacts.append(_figure(folder / "omni_dst_storms.png", hours, observed_hourly, modelled, storms))
    units = {k: ("nT" if k.endswith("_nT") else "1") for k in figures}
    return ValidationResult(NAME, figures, units, bool(passed), "\n".join(lines), artifacts)
