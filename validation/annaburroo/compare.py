"""Annaburroo 1986: head-fire rate of spread of 121 experimental grass fires, Rothermel and CSIRO.

**Data.** Gould, Cruz & Sullivan (2023), *1986 Annaburroo Experimental Grassland Fire Data*,
CSIRO Data Access Portal csiro:60062 v3, https://doi.org/10.25919/ycd3-w209 (CC BY 4.0): the
plot averages behind Cheney, Gould & Catchpole (1993, 1998). Read from
the registered data set ``wildfire/measured/annaburroo_1986``.

**Target.** ``ROS.ms``, the observed plot-average head-fire spread rate (m/s). The derived
potential quasi-steady rate ``RSS.ms`` is scored too, for information.

**Predictors** (choices fixed before scoring, not tuned to the data):

1. Rothermel (1972) through :func:`models.wildfire.rothermel.surface_fire_cell`, one custom
   fuel model per fire: the measured load ``FuelLoad.kgm2`` as live herbaceous load of a
   dynamic (Scott & Burgan 2005) model, depth ``FuelHt.m``, SAVR 3500 1/ft (11 483 1/m; the
   fine grass of Anderson's (1982) FM1, short grass: no SAVR was measured for these fires),
   dead moisture of extinction 20 % (where the Cheney et al. 1998 moisture function reaches
   zero, 0.684 - 0.0342 M), heat content 8000 Btu/lb (18 608 kJ/kg), behave's mineral
   contents and particle density. Curing C is mapped to the live herbaceous moisture by
   inverting behave's form of the S&B transfer (cured share 1.333 - 1.11 M_herb), M_herb =
   (1.333 - C) / 1.11, so that exactly the share C of the load is transferred to dead; the
   1-h, 10-h and 100-h moistures are ``DFMC.%`` (only the 1-h class and the cured herbs carry
   load). Midflame wind ``MidFlwind.ms``, level ground, no wind limit (behave's default).
2. Cheney, Gould & Catchpole (1998) (:mod:`models.wildfire.grassland`): 10-m wind
   ``10mWind.ms``, dead moisture ``DFMC.%``, curing ``Cure.%`` with the Cruz et al. (2015)
   curing function (the Cheney 1998 curve is scored for information); pasture state from
   ``FuelTreat``: E1/T1 natural, E2/T2 cut, E3/T3 cut and removed, the last two "cut or
   grazed" as in Cheney et al. (1998).

**Rows.** Every fire with the inputs of the predictor and an observed spread rate; rows with
``NA`` there are dropped and counted (``N_*`` figures).

**Metric.** Share of fires predicted within +-35 % of the observed rate (the band Cruz &
Alexander 2013, *Environ. Model. Softw.* 47:16, use to summarise spread-model skill), mean
absolute percent error MAPE = mean |P - O| / O, mean percent bias mean (P - O) / O and the
mean bias error mean (P - O) (m/s).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from models.wildfire import grassland, rothermel
from models.wildfire.fuels import FT_M, FuelModel, fuel_table
from sim.io.data import dataset_file

NAME = "annaburroo"
DATASET = "wildfire/measured/annaburroo_1986"
FILE = "Plot_Average_Data.csv"

SAVR_PER_FT = 3500.0  # Anderson (1982) FM1 fine grass
MX_DEAD = 0.20
BAND = 0.35
STATE_BY_TREATMENT = {"E1": grassland.NATURAL, "T1": grassland.NATURAL, "E2": grassland.CUT_GRAZED,
                      "T2": grassland.CUT_GRAZED, "E3": grassland.CUT_GRAZED, "T3": grassland.CUT_GRAZED}
NUMERIC = ("2mWind.ms", "MidFlwind.ms", "10mWind.ms", "Temp.C", "RH.%", "DFMC.%", "Cure.%", "FuelLoad.kgm2",
           "FuelHt.m", "IgnLnght.m", "HeadFShape", "EffHFWidth.m", "ROS.ms", "RSS.ms")
ROTHERMEL_INPUTS = ("FuelLoad.kgm2", "FuelHt.m", "DFMC.%", "Cure.%", "MidFlwind.ms")
CHENEY_INPUTS = ("10mWind.ms", "DFMC.%", "Cure.%")


def data_path(download: bool = True) -> Path:
    """The measured table (:mod:`sim.io.data`: ``$HAZSIM_DATA_DIR``, the cache, or a checked download)."""
    return dataset_file(DATASET, FILE, download=download)


def read_fires(path: Path | None = None) -> list[dict]:
    """One dict per fire: numeric columns as float (NaN for ``NA``), the rest as text."""
    fires = []
    with open(path or data_path(), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            fire = {k.strip(): v.strip() for k, v in row.items()}
            for key in NUMERIC:
                value = fire[key]
                fire[key] = float("nan") if value in ("", "NA") else float(value)
            fires.append(fire)
    return fires


def herb_moisture_from_curing(curing_fraction: float) -> float:
    """Live herbaceous moisture (fraction) at which behave's S&B transfer cures ``curing_fraction``.

    >>> round(herb_moisture_from_curing(1.0), 6), round(herb_moisture_from_curing(0.85), 4)
    (0.3, 0.4351)
    >>> round(float(rothermel.cured_fraction(herb_moisture_from_curing(0.85))), 12)
    0.85
    """
    return (1.333 - curing_fraction) / 1.11


def fuel_model(fire: dict) -> FuelModel:
    """The custom dynamic grass fuel model of one fire (module docstring)."""
    savr_m = SAVR_PER_FT / FT_M
    return FuelModel.from_si(900, fire["FireID"], "Annaburroo plot", depth_m=fire["FuelHt.m"], mx_dead=MX_DEAD,
                             load_1h_kg_m2=0.0, load_herb_kg_m2=fire["FuelLoad.kgm2"], savr_1h_per_m=savr_m,
                             savr_herb_per_m=savr_m, is_dynamic=True)


def rothermel_ros_m_s(fire: dict) -> float:
    """Rothermel head-fire spread rate (m/s) of one fire."""
    arrays = fuel_table([fuel_model(fire)]).kernel_arrays()
    m_dead = fire["DFMC.%"] / 100.0
    m_herb = herb_moisture_from_curing(min(fire["Cure.%"], 100.0) / 100.0)
    r = rothermel.surface_fire_cell(*arrays, 0, m_dead, m_dead, m_dead, m_herb, 1.0,
                                    fire["MidFlwind.ms"] * rothermel.FT_MIN_PER_M_S, 0.0, 0.0, 0.0, False)
    return r[0] * rothermel.M_S_PER_FT_MIN


def cheney_ros_m_s(fire: dict, curing_form: str = "cruz2015") -> float:
    """Cheney et al. (1998) head-fire spread rate (m/s) of one fire."""
    return float(grassland.rate_of_spread_m_s(fire["10mWind.ms"], fire["DFMC.%"], fire["Cure.%"],
                                              STATE_BY_TREATMENT[fire["FuelTreat"]], curing_form))


def skill(observed, predicted, band: float = BAND) -> dict[str, float]:
    """N, share within +-band, MAPE (%), mean percent bias (%) and mean bias error.

    >>> s = skill([1.0, 1.0, 2.0], [1.2, 2.0, 1.0])
    >>> s["N"], round(s["within_35pct"], 4), round(s["MAPE_pct"], 2), round(s["bias_pct"], 2)
    (3.0, 0.3333, 56.67, 23.33)
    """
    o = np.asarray(observed, dtype=float)
    p = np.asarray(predicted, dtype=float)
    ratio = p / o
    return {
        "N": float(o.size),
        "within_35pct": float(np.mean(np.abs(ratio - 1.0) <= band + 1e-12)),
        "MAPE_pct": float(100.0 * np.mean(np.abs(ratio - 1.0))),
        "bias_pct": float(100.0 * np.mean(ratio - 1.0)),
        "MBE": float(np.mean(p - o)),
    }


def _usable(fire: dict, inputs) -> bool:
    return all(math.isfinite(fire[k]) for k in inputs) and math.isfinite(fire["ROS.ms"]) and fire["ROS.ms"] > 0


def figures(fires: list[dict] | None = None) -> dict[str, float]:
    """Skill of both predictors against ``ROS.ms`` (and, for information, ``RSS.ms``)."""
    fires = read_fires() if fires is None else fires
    out: dict[str, float] = {"N_fires": float(len(fires))}
    roth = [f for f in fires if _usable(f, ROTHERMEL_INPUTS)]
    chen = [f for f in fires if _usable(f, CHENEY_INPUTS) and f["FuelTreat"] in STATE_BY_TREATMENT]
    cases = {
        "rothermel": (roth, [rothermel_ros_m_s(f) for f in roth]),
        "cheney": (chen, [cheney_ros_m_s(f) for f in chen]),
        "cheney_curing1998": (chen, [cheney_ros_m_s(f, "cheney1998") for f in chen]),
    }
    for name, (rows, predicted) in cases.items():
        out[f"N_{name}"] = float(len(rows))
        for key, value in skill([f["ROS.ms"] for f in rows], predicted).items():
            if key != "N":
                out[f"{name}_{key}"] = value
        rss = [(f["RSS.ms"], p) for f, p in zip(rows, predicted) if math.isfinite(f["RSS.ms"]) and f["RSS.ms"] > 0]
        out[f"{name}_RSS_within_35pct"] = skill([o for o, _ in rss], [p for _, p in rss])["within_35pct"]
    return out


def run(out_dir: Path | None = None, quick: bool = False):
    """Validation-case entry point (``ValidationResult``); passes when both predictors keep at
    least the shares measured when the case was set up (0.383 and 0.817), less 0.05."""
    from validation import ValidationResult

    f = figures()
    passed = f["rothermel_within_35pct"] >= 0.33 and f["cheney_within_35pct"] >= 0.76
    lines = ["Annaburroo 1986 grass fires, head-fire ROS within +-35 % of observed (Cruz & Alexander 2013)",
             f"{'predictor':>20s} {'N':>4s} {'within35':>8s} {'MAPE%':>7s} {'bias%':>7s} {'MBE m/s':>8s}"]
    for name in ("rothermel", "cheney", "cheney_curing1998"):
        lines.append(f"{name:>20s} {int(f[f'N_{name}']):4d} {f[f'{name}_within_35pct']:8.3f} "
                     f"{f[f'{name}_MAPE_pct']:7.1f} {f[f'{name}_bias_pct']:+7.1f} {f[f'{name}_MBE']:+8.3f}")
    units = {k: ("%" if k.endswith("_pct") else "m/s" if k.endswith("MBE") else "1") for k in f}
    return ValidationResult(NAME, f, units, passed, "\n".join(lines), [])
