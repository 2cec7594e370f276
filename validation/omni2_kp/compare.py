"""3-hourly Kp from the OMNI2 solar wind of 2023 (Newell et al. 2008), against OMNI2's own Kp:
N, RMSE, r, PE and bias, and the Kp maximum of the 2023-04-23/24 storm.

The model runs on each hour of the solar wind (:func:`models.geomagnetic.kp.kp_from_solar_wind`)
and is averaged over the UT Kp intervals; an interval is scored only when all of its hours
have measured (not gap-filled) V, n, B_y and B_z. Observed Kp comes from OMNI2 word 39,
read by :func:`models.geomagnetic.observed.read_omni2_indices` with Dst (word 41, shown for
context).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from models.geomagnetic.observed import read_omni2_indices
from models.geomagnetic.kp import KP_INTERVAL_S, kp_from_solar_wind, reported_kp, three_hour_means
from models.geomagnetic.solar_wind import read_omni2
from sim.io.data import dataset_file
from validation import ValidationResult
from validation.metrics import series_scores

CASE = Path(__file__).with_name("case.toml")
NAME = "omni2_kp"
SECOND = np.timedelta64(1, "s")

def _interval_spread(time, values) -> np.ndarray:
    """max - min of the finite values in each Kp interval (aligned with three_hour_means)."""
    index = np.floor_divide(np.asarray(time, dtype="datetime64[s]").astype(np.int64), KP_INTERVAL_S)
    index = index - index.min()
    high = np.full(int(index.max()) + 1, -np.inf)
    low = np.full(high.size, np.inf)
    finite = np.isfinite(values)
    np.maximum.at(high, index[finite], values[finite])
    np.minimum.at(low, index[finite], values[finite])
    return np.where(np.isfinite(high), high - low, 0.0)


def _figure(path: Path, start, observed, modelled, scored, storm) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_s) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [2, 1]})
    window = (start >= np.datetime64(storm["start"]) - np.timedelta64(2, "D")) & \
             (start < np.datetime64(storm["stop"]) + np.timedelta64(2, "D"))
    ax_t.step(start[window], observed[window], where="post", color="k", lw=2, label="OMNI2 Kp")
    ax_t.step(start[window], modelled[window], where="post", label="Newell et al. 2008")
    ax_t.set_ylim(0, 9)
    ax_t.set_ylabel("Kp")
    ax_t.set_title(f"storm {storm['name']}")
    ax_t.tick_params(axis="x", labelrotation=30)
    ax_t.legend()
    ax_s.plot(observed[scored], modelled[scored], ".", ms=3, alpha=0.4)
    ax_s.plot([0, 9], [0, 9], "k--", lw=1)
    ax_s.set_xlim(0, 9)
    ax_s.set_ylim(0, 9)
    ax_s.set_xlabel("observed Kp")
    ax_s.set_ylabel("modelled Kp")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run(out_dir: Path | None = None, quick: bool = False) -> ValidationResult:
    case = tomllib.loads(CASE.read_text(encoding="utf-8"))
    c, anchor, storms = case["case"], case["anchor"], case["storms"]
    path = dataset_file(c["dataset"], c["file"])
    wind = read_omni2(path)
    indices = read_omni2_indices(path)
    if not np.array_equal(indices.time, wind.time):
        raise ValueError(f"{path}: the index hours and the solar-wind hours differ")
    if wind.cadence_s != 3600:
        raise ValueError(f"{path}: expected hourly data, cadence {wind.cadence_s} s")
    keep = np.ones(len(wind), dtype=bool)
    if quick:
        wind = wind.between(c["quick_start"], c["quick_stop"])
        keep = (indices.time >= np.datetime64(c["quick_start"])) & (indices.time < np.datetime64(c["quick_stop"]))
        storms = [s for s in storms if np.datetime64(s["start"]) >= np.datetime64(c["quick_start"])
                  and np.datetime64(s["stop"]) <= np.datetime64(c["quick_stop"])]
    time, kp_hourly_obs, dst = indices.time[keep], indices.kp[keep], indices.dst[keep]

    measured = wind.valid(c["drivers"])
    kp_hourly = kp_from_solar_wind(wind.speed, wind.by_gsm, wind.bz_gsm, wind.density)
    start, modelled, count = three_hour_means(wind.time, np.where(measured, kp_hourly, np.nan))
    _, observed, observed_count = three_hour_means(time, kp_hourly_obs)
    hours_in_interval = KP_INTERVAL_S // int(wind.cadence_s)
    scored = (count == hours_in_interval) & (observed_count > 0)
    inconsistent = int(np.sum(_interval_spread(time, kp_hourly_obs) > 0))

    s = series_scores(np.where(scored, observed, np.nan), modelled)
    s_thirds = series_scores(np.where(scored, observed, np.nan), reported_kp(modelled))
    passed = s["RMSE"] <= case["acceptance"]["RMSE_max"]
    lines = [f"Kp from the OMNI2 solar wind (Newell et al. 2008), {str(wind.time[0])[:10]} to "
             f"{str(wind.time[-1])[:10]}: {int(scored.sum())} of {start.size} 3-h intervals with all "
             f"{hours_in_interval} hours' drivers measured"
             + (f" ({inconsistent} intervals where OMNI2's hourly Kp differ)" if inconsistent else ""),
             f"{'model':<28} {'N':>5} {'RMSE':>6} {'r':>6} {'PE':>6} {'bias':>6}",
             f"{'Newell 2008, 3-h mean':<28} {int(s['N']):>5} {s['RMSE']:>6.3f} {s['r']:>6.3f} "
             f"{s['PE']:>6.3f} {s['bias']:>+6.3f}",
             f"{'  rounded to thirds':<28} {int(s_thirds['N']):>5} {s_thirds['RMSE']:>6.3f} "
             f"{s_thirds['r']:>6.3f} {s_thirds['PE']:>6.3f} {s_thirds['bias']:>+6.3f}",
             f"{anchor['name']:<28} {'':>5} {anchor['RMSE']:>6.2f} {anchor['r']:>6.2f} {anchor['PE']:>6.2f} "
             f"{'':>6}  (published, 1995-2004 fit; other years)",
             f"acceptance RMSE <= {case['acceptance']['RMSE_max']:g}: {'PASS' if passed else 'FAIL'}"]
    figures = {"N": s["N"], "RMSE": s["RMSE"], "r": s["r"], "PE": s["PE"], "bias": s["bias"],
               "RMSE_thirds": s_thirds["RMSE"]}
    units = {k: "1" for k in figures}
    for storm in storms:
        window = (start >= np.datetime64(storm["start"])) & (start < np.datetime64(storm["stop"]))
        observed_max = float(np.nanmax(observed[window]))
        in_storm = window & scored
        model_max = float(np.max(modelled[in_storm])) if in_storm.any() else float("nan")
        hour_window = (time >= np.datetime64(storm["start"])) & (time < np.datetime64(storm["stop"]))
        dst_min = float(np.nanmin(dst[hour_window]))
        key = storm["name"].replace("-", "_").replace("/", "_")
        figures.update({f"storm_{key}_observed_kp_max": observed_max, f"storm_{key}_modelled_kp_max": model_max,
                        f"storm_{key}_observed_dst_min_nT": dst_min})
        units.update({f"storm_{key}_observed_kp_max": "1", f"storm_{key}_modelled_kp_max": "1",
                      f"storm_{key}_observed_dst_min_nT": "nT"})
        lines.append(f"storm {storm['name']}: Kp max observed {observed_max:.2f}, modelled {model_max:.2f} "
                     f"(reported {float(reported_kp(model_max)):.2f}) over {int(in_storm.sum())} of "
                     f"{int(window.sum())} intervals scored; observed Dst min {dst_min:.0f} nT")
    artifacts = []
    if out_dir is not None and storms:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        artifacts.append(_figure(folder / "omni2_kp.png", start, observed, modelled, scored, storms[0]))
    return ValidationResult(NAME, figures, units, bool(passed), "\n".join(lines), artifacts)
