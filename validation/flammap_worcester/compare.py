"""Per-pixel comparison with FlamMap 6 on the Worcester VT landscape.

Every cell's head-fire rate of spread (ch/h), flame length (ft), fireline intensity (Btu/ft/s)
and fire type from :func:`models.wildfire.behaviour.compute` against FlamMap's rasters for the
same inputs (``case.toml``). Figures: the share of burnable cells within 1 % and 5 %, and the
median relative difference, over the surface-fire cells (fire type 1 in both) and over all
burnable cells; the share of cells whose fire type agrees.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from sim.grid import RasterGrid
from sim.io.data import dataset_dir
from sim.io.rasters import read_raster
from validation import ValidationResult

CASE = Path(__file__).with_name("case.toml")
NAME = "flammap_worcester"
INPUTS = "wildfire/reference/flammap_worcester_vt/landfire_inputs"
OUTPUTS = "wildfire/reference/flammap_worcester_vt/flammap_outputs"
CH_H_PER_M_S = 3600.0 / 20.1168  # a chain is 66 ft = 20.1168 m
FT_PER_M = 1.0 / 0.3048
KW_M_PER_BTU_FT_S = 1055.05585262 / 0.3048 / 1000.0


def model_rasters(case: dict) -> dict[str, np.ndarray]:
    """Our fire behaviour of every cell with FlamMap's inputs, in FlamMap's units."""
    from models.wildfire import behaviour
    from models.wildfire.fuels import fuel_table
    from models.wildfire.landscape import LandfireLandscape, build_landscape
    from models.wildfire.weather import Moisture

    inputs = dataset_dir(INPUTS)
    _, xs, ys = read_raster(inputs / "LC22_F40_230.tif")
    grid = RasterGrid(shape=(ys.size, xs.size), spacing_m=(30.0, 30.0), origin_m=(xs[0] - 15.0, ys[0] - 15.0),
                      crs="EPSG:5070")
    spec = LandfireLandscape(
        kind="landfire", fuel=str(inputs / "LC22_F40_230.tif"), elevation=str(inputs / "LC20_Elev_220.tif"),
        slope=str(inputs / "LC20_SlpP_220.tif"), aspect=str(inputs / "LC20_Asp_220.tif"),
        canopy_cover=str(inputs / "LC22_CC_230.tif"), canopy_height=str(inputs / "LC22_CH_230.tif"),
        canopy_base_height=str(inputs / "LC22_CBH_230.tif"), canopy_bulk_density=str(inputs / "LC22_CBD_230.tif"))
    land = build_landscape(spec, grid)
    if case["slope_whole_degrees"]:
        land.slope_tan = np.tan(np.radians(np.round(np.degrees(np.arctan(land.slope_tan)))))
    table = fuel_table()
    m1, m10, m100, herb, woody = case["moisture_pct"]
    moisture = Moisture(dead_1h_pct=m1, dead_10h_pct=m10, dead_100h_pct=m100, live_herb_pct=herb,
                        live_woody_pct=woody, foliar_pct=case["foliar_moisture_pct"])
    b = behaviour.compute(land, table, table.index_of(land.fuel_number), moisture,
                          case["wind_20ft_mph"] * 0.44704, 0.0, "20ft", crown_fire=True)
    return {"ros": b.ros_head_m_s * CH_H_PER_M_S, "flame_length": b.flame_length_m * FT_PER_M,
            "intensity": b.fireline_intensity_kw_m / KW_M_PER_BTU_FT_S, "fire_type": b.fire_type.astype(float)}


def flammap_rasters() -> dict[str, np.ndarray]:
    out = dataset_dir(OUTPUTS)
    files = {"ros": "ROS_ch_hr.tif", "flame_length": "FL_ft.tif", "intensity": "FLI_BTU_ft-s.tif",
             "fire_type": "fire_type.tif"}
    return {name: read_raster(out / file)[0] for name, file in files.items()}


def agreement(ours: np.ndarray, theirs: np.ndarray, cells: np.ndarray) -> dict[str, float]:
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(ours[cells] / theirs[cells] - 1.0)
    return {"within_1pct": float(np.mean(rel <= 0.01)), "within_5pct": float(np.mean(rel <= 0.05)),
            "median_rel": float(np.median(rel))}


def run(out_dir: Path | None = None, quick: bool = False) -> ValidationResult:
    case = tomllib.loads(CASE.read_text(encoding="utf-8"))
    ours, theirs = model_rasters(case["case"]), flammap_rasters()
    burning = np.isfinite(theirs["ros"]) & (theirs["ros"] > 0)
    surface = burning & (theirs["fire_type"] == 1) & (ours["fire_type"] == 1)
    figures: dict[str, float] = {"cells": float(burning.sum()), "surface_cells": float(surface.sum())}
    units = {"cells": "cells", "surface_cells": "cells"}
    lines = [f"{'quantity':14s} {'cells':>8s} {'within 1%':>10s} {'within 5%':>10s} {'median |rel|':>13s}"]
    for name in ("ros", "flame_length", "intensity"):
        for label, cells in (("surface", surface), ("all", burning)):
            a = agreement(ours[name], theirs[name], cells)
            for key, value in a.items():
                figures[f"{name}_{label}_{key}"] = value
                units[f"{name}_{label}_{key}"] = "1"
            lines.append(f"{name + ' ' + label:14s} {int(cells.sum()):8d} {a['within_1pct']:10.4f} "
                         f"{a['within_5pct']:10.4f} {a['median_rel']:13.2e}")
    kinds = burning & np.isfinite(theirs["fire_type"])
    figures["fire_type_agreement"] = float(np.mean(ours["fire_type"][kinds] == theirs["fire_type"][kinds]))
    units["fire_type_agreement"] = "1"
    lines.append(f"fire type agrees on {figures['fire_type_agreement']:.4f} of {int(kinds.sum())} burnable cells")
    acc = case["acceptance"]
    passed = (figures["ros_surface_within_1pct"] >= acc["ros_within_1pct_share"]
              and figures["flame_length_surface_within_1pct"] >= acc["flame_length_within_1pct_share"]
              and figures["fire_type_agreement"] >= acc["fire_type_agreement_share"])
    return ValidationResult(NAME, figures, units, bool(passed), "\n".join(lines), [])
