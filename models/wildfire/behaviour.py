"""Fire behaviour of every cell under the weather of the moment (FlamMap's "basic fire behaviour").

For each cell, from its fuel, canopy, slope and the wind and fuel moisture:

1. the midflame wind U_mf = WAF U_20 (:func:`models.wildfire.rothermel.wind_adjustment_factor`,
   sheltered under a canopy), with U_20 = U_10 / 1.15 from a 10-m wind;
2. the Rothermel surface fire (:mod:`models.wildfire.rothermel`): head rate of spread, its
   direction (wind and slope vectors combined), the ellipse's eccentricity, fireline
   intensity, heat per unit area, flame residence time, flame length (Byram 1959);
3. where there is canopy fuel and ``crown_fire`` is on, the Scott & Reinhardt (2001) crown
   fire (:mod:`models.wildfire.crown`): Van Wagner's (1977) initiation, Rothermel's (1991)
   active crown spread, the crown fraction burned; passive and active crown fires spread at
   the final rate R = R_s + CFB (R_active - R_s), with the crown fire's length-to-breadth ratio
   1 + 0.125 U_20 (mi/h) (Rothermel 1991), and burn the surface and the crown fuel
   (intensity and flame length after Thomas 1963). As behave does, the wind adjustment
   under a canopy uses the crown ratio (CH - CBH) / CH.

Fire types use the model's coding: 0 none (non-burnable), 1 surface (including behave's
"conditional crown": a crown fire could run but none starts from the surface), 2 passive crown
(torching), 3 active crown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from models.wildfire import crown, rothermel
from models.wildfire.weather import twenty_foot_wind

FT_PER_M = 1.0 / 0.3048
NONE, SURFACE, PASSIVE_CROWN, ACTIVE_CROWN = 0, 1, 2, 3
BTU_LB_TO_KJ_KG = 2.326


@dataclass
class Behaviour:
    """Per-cell fire behaviour (float64 (ny, nx) unless said)."""

    ros_head_m_s: np.ndarray
    spread_direction_rad: np.ndarray
    eccentricity: np.ndarray
    fireline_intensity_kw_m: np.ndarray  # at the head
    heat_per_unit_area_kj_m2: np.ndarray  # surface plus crown fuel burned
    residence_time_s: np.ndarray
    reaction_intensity_kw_m2: np.ndarray  # of the surface fire
    flame_length_m: np.ndarray  # at the head
    fire_type: np.ndarray  # int8, the codes above
    midflame_wind_m_s: np.ndarray
    wind_20ft_m_s: np.ndarray
    wind_toward_rad: np.ndarray


def heat_content_kj_kg(table, fuel_row: np.ndarray) -> np.ndarray:
    """Dead-fuel heat content of each cell's fuel model (kJ/kg; 0 where non-burnable)."""
    return np.where(table.burnable[fuel_row], table.h_dead[fuel_row] * BTU_LB_TO_KJ_KG, 0.0)


def byram_flame_length_m(intensity_kw_m):
    """Byram (1959): L = 0.45 I^0.46 in ft with I in Btu/ft/s; 0.0775 I^0.46 m with I in kW/m."""
    return 0.0775 * np.maximum(np.asarray(intensity_kw_m, dtype=float), 0.0) ** 0.46


def flame_length_m(intensity_kw_m, fire_type) -> np.ndarray:
    """Byram's flame length for surface fires, Thomas's (1963) for crown fires (behave)."""
    intensity = np.maximum(np.asarray(intensity_kw_m, dtype=float), 0.0)
    crowning = np.asarray(fire_type) >= PASSIVE_CROWN
    # Thomas: L = 0.2 I^(2/3) ft with I in Btu/ft/s (crown.thomas_flame_length_m, elementwise).
    thomas = 0.2 * (intensity / rothermel.KW_M_PER_BTU_FT_S) ** (2.0 / 3.0) * rothermel.FT_M
    return np.where(crowning, thomas, byram_flame_length_m(intensity))


@njit(cache=True, parallel=True)
def wind_adjustment_grid(depth_ft, cover, height_ft, crown_ratio, out):
    """WAF of every cell (:func:`models.wildfire.rothermel.wind_adjustment_factor`)."""
    ny, nx = out.shape
    for j in prange(ny):
        for i in range(nx):
            out[j, i] = rothermel.wind_adjustment_factor(depth_ft[j, i], cover[j, i], height_ft[j, i],
                                                         crown_ratio[j, i])


def wind_adjustment(table, fuel_row, landscape) -> np.ndarray:
    """Midflame / 20-ft wind ratio of every cell; under a canopy the crown ratio is (CH - CBH) / CH."""
    height = landscape.canopy_height_m
    ratio = np.divide(height - landscape.canopy_base_height_m, height, out=np.zeros_like(height), where=height > 0)
    out = np.empty(fuel_row.shape)
    wind_adjustment_grid(np.ascontiguousarray(table.depth_ft[fuel_row]), np.ascontiguousarray(landscape.canopy_cover),
                         np.ascontiguousarray(height * FT_PER_M), ratio, out)
    return out


def compute(landscape, table, fuel_row, moisture, wind_speed_m_s, wind_toward_rad, wind_height: str,
            crown_fire: bool = True, wind_limit: bool = False, waf: np.ndarray | None = None) -> Behaviour:
    """Surface (and crown) fire behaviour of every cell; see the module docstring.

    ``moisture`` gives ``fractions()`` (1 h, 10 h, 100 h, herb, woody; scalars or maps) and
    ``foliar_pct``: a :class:`~models.wildfire.weather.Moisture` or ``MoistureValues``.
    """
    shape = fuel_row.shape
    m1h, m10h, m100h, mherb, mwoody = moisture.fractions()
    speed = np.broadcast_to(np.asarray(wind_speed_m_s, dtype=float), shape)
    toward = np.ascontiguousarray(np.broadcast_to(np.asarray(wind_toward_rad, dtype=float), shape))
    if wind_height == "midflame":
        midflame = np.array(speed, dtype=float)
        wind_20ft = twenty_foot_wind(midflame, "midflame")
    else:
        waf = wind_adjustment(table, fuel_row, landscape) if waf is None else waf
        wind_20ft = twenty_foot_wind(np.array(speed, dtype=float), wind_height)
        midflame = waf * wind_20ft
    rows = np.where(table.burnable[fuel_row], fuel_row, -1)
    surface = rothermel.surface_fire_fields(table, rows, m1h, m10h, m100h, mherb, mwoody, midflame, toward,
                                            landscape.slope_tan, landscape.upslope_rad, wind_limit)
    ros = surface["ros_head_m_s"]
    eccentricity = surface["eccentricity"]
    intensity = surface["fireline_intensity_kw_m"]
    heat = surface["heat_per_unit_area_kj_m2"]
    flame = surface["flame_length_m"]
    fire_type = np.where(rows >= 0, SURFACE, NONE).astype(np.int8)
    canopy = (landscape.canopy_bulk_density_kg_m3 > 0) & (landscape.canopy_height_m > landscape.canopy_base_height_m)
    if crown_fire and wind_height != "midflame" and canopy.any():
        result = crown.crown_fire_fields(table, rows, m1h, m10h, m100h, mherb, mwoody, wind_20ft, waf, toward,
                                         landscape.slope_tan, landscape.upslope_rad, surface,
                                         landscape.canopy_base_height_m, landscape.canopy_bulk_density_kg_m3,
                                         landscape.canopy_height_m, moisture.foliar_pct, wind_limit)
        kind = result["fire_type"].astype(int)
        passive, active = canopy & (kind == crown.PASSIVE) & (rows >= 0), canopy & (kind == crown.ACTIVE) & (rows >= 0)
        crowning = passive | active
        ros = np.where(crowning, result["ros_m_s"], ros)
        intensity = np.where(crowning, result["fireline_intensity_kw_m"], intensity)
        heat = np.where(crowning, result["heat_per_unit_area_kj_m2"], heat)
        flame = np.where(crowning, result["flame_length_m"], flame)
        lw = result["crown_length_to_breadth"]
        crown_e = np.sqrt(np.maximum(lw * lw - 1.0, 0.0)) / lw
        eccentricity = np.where(crowning, crown_e, eccentricity)
        fire_type = np.where(active, ACTIVE_CROWN, np.where(passive, PASSIVE_CROWN, fire_type)).astype(np.int8)
    return Behaviour(ros_head_m_s=np.ascontiguousarray(ros), spread_direction_rad=surface["spread_direction_rad"],
                     eccentricity=np.ascontiguousarray(eccentricity), fireline_intensity_kw_m=intensity,
                     heat_per_unit_area_kj_m2=heat, residence_time_s=surface["residence_time_s"],
                     reaction_intensity_kw_m2=surface["reaction_intensity_kw_m2"],
                     flame_length_m=flame, fire_type=fire_type, midflame_wind_m_s=midflame,
                     wind_20ft_m_s=np.nan_to_num(wind_20ft), wind_toward_rad=toward)
