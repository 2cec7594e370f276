"""Plain-NumPy twin of :mod:`models.wildfire.rothermel`: one point, written for clarity.

Same equations, symbols and behave conventions as :mod:`models.wildfire.rothermel` (see there
for the equations and references: Rothermel 1972, INT-115; Albini 1976, INT-30; Andrews 2018,
RMRS-GTR-371; Scott & Burgan 2005, RMRS-GTR-153; Byram 1959; Andrews, Cruz & Rothermel 2013),
but an independent code path: particles are held as arrays per life category (dead: 1-h, 10-h,
100-h, cured herbaceous; live: herbaceous, woody) and the sums are NumPy reductions. Used by the
tests and by validation code; the Numba kernels are the production path.

Inputs are SI (moistures as fractions, wind in m/s); the arithmetic is done in behave's US units.
Directions: ``wind_to_upslope_rad`` is the angle from the upslope direction to the direction the
wind blows toward, counter-clockwise positive; ``spread_direction_rad`` is returned the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.wildfire.fuels import BTU_KJ, FT_M, FuelModel

PARTICLE_DENSITY_LB_FT3 = 32.0
TOTAL_MINERAL = 0.0555
EFFECTIVE_MINERAL = 0.010
SIZE_CLASS_BOUNDS_PER_FT = (1200.0, 192.0, 96.0, 48.0, 16.0)

FT_MIN_PER_M_S = 60.0 / FT_M
MPH_IN_FT_MIN = 88.0


@dataclass(frozen=True)
class SurfaceFire:
    """Surface fire behaviour at one point (SI), plus fuel-bed diagnostics (US, as behave reports)."""

    ros_head_m_s: float
    ros_backing_m_s: float
    ros_flanking_m_s: float
    spread_direction_rad: float  # relative to upslope, counter-clockwise
    eccentricity: float
    length_to_breadth: float
    fireline_intensity_kw_m: float
    flame_length_m: float
    reaction_intensity_kw_m2: float
    heat_per_unit_area_kj_m2: float
    residence_time_s: float
    effective_wind_m_s: float
    ros_no_wind_slope_m_s: float
    char_savr_per_ft: float
    packing_ratio: float
    relative_packing_ratio: float
    live_mx: float  # live moisture of extinction, fraction (0 for a model without live fuel)


def _size_class_index(savr_per_ft: np.ndarray) -> np.ndarray:
    """Albini's SAVR size class of each particle (0 finest), -1 below the last bound."""
    index = np.full(savr_per_ft.shape, -1)
    for k in reversed(range(len(SIZE_CLASS_BOUNDS_PER_FT))):
        index[savr_per_ft >= SIZE_CLASS_BOUNDS_PER_FT[k]] = k
    return index


def _moisture_damping(moisture: float, extinction: float) -> float:
    if extinction <= 0.0 or moisture >= extinction:
        return 0.0
    r = moisture / extinction
    return 1.0 - 2.59 * r + 5.11 * r * r - 3.52 * r * r * r


def _mineral_damping(effective_mineral: float) -> float:
    if effective_mineral <= 0.0:
        return 0.0
    return min(0.174 * effective_mineral**-0.19, 1.0)


def _herbaceous_cured_fraction(moisture_herb: float) -> float:
    """behave's rounded Scott & Burgan (2005) curing line: 1 below 30 %, 0 above 120 %."""
    if moisture_herb < 0.30:
        return 1.0
    if moisture_herb <= 1.20:
        return 1.333 - 1.11 * moisture_herb
    return 0.0


def _zero_fire() -> SurfaceFire:
    return SurfaceFire(0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def surface_fire(
    fuel: FuelModel,
    m1h: float,
    m10h: float,
    m100h: float,
    mherb: float,
    mwoody: float,
    midflame_wind_m_s: float,
    slope_tan: float = 0.0,
    wind_to_upslope_rad: float = 0.0,
    wind_limit: bool = False,
) -> SurfaceFire:
    """Rothermel (1972) / Albini (1976) surface fire at one point, as behave computes it.

    Moistures are fractions (0.06 = 6 %), the midflame wind in m/s, the slope as rise/run.
    ``wind_limit`` caps the effective wind at 0.9 I_R (behave's flag; off by default).
    """
    if not fuel.burnable:
        return _zero_fire()

    # particles by life category, after the dynamic herbaceous transfer
    herb_load = fuel.load_herb
    cured_load = 0.0
    if fuel.is_dynamic and herb_load > 0.0:
        cured_load = herb_load * _herbaceous_cured_fraction(mherb)
        herb_load = herb_load - cured_load
    dead_load = np.array([fuel.load_1h, fuel.load_10h, fuel.load_100h, cured_load])
    dead_savr = np.array([fuel.savr_1h, fuel.savr_10h, fuel.savr_100h, fuel.savr_herb])
    dead_moisture = np.array([m1h, m10h, m100h, m1h])
    live_load = np.array([herb_load, fuel.load_woody])
    live_savr = np.array([fuel.savr_herb, fuel.savr_woody])
    live_moisture = np.array([mherb, mwoody])
    categories = ((dead_load, dead_savr, dead_moisture, fuel.h_dead), (live_load, live_savr, live_moisture, fuel.h_live))

    # surface-area weights within and between categories
    areas = [load * savr / PARTICLE_DENSITY_LB_FT3 for load, savr, _, _ in categories]
    category_area = np.array([a.sum() for a in areas])
    if category_area.sum() <= 0.0:
        return _zero_fire()
    category_weight = category_area / category_area.sum()
    particle_weight = [a / a.sum() if a.sum() > 0.0 else np.zeros_like(a) for a in areas]

    # characteristic SAVR, packing
    category_savr = np.array([np.dot(f, savr) for f, (_, savr, _, _) in zip(particle_weight, categories)])
    sigma = float(np.dot(category_weight, category_savr))
    total_load = dead_load.sum() + live_load.sum()
    bulk_density = total_load / fuel.depth_ft
    beta = bulk_density / PARTICLE_DENSITY_LB_FT3
    beta_op = 3.348 * sigma**-0.8189
    relative_packing = beta / beta_op

    # moisture of extinction: dead from the model, live from Albini (1976)
    mx_dead = fuel.mx_dead
    mx_live = 0.0
    if fuel.load_herb + fuel.load_woody > 0.0:
        with np.errstate(divide="ignore"):
            dead_fine = np.where(dead_savr > 0.0, dead_load * np.exp(-138.0 / dead_savr), 0.0)
            live_fine = np.where(live_savr > 0.0, live_load * np.exp(-500.0 / live_savr), 0.0)
        fine_dead_moisture = np.dot(dead_fine, dead_moisture) / dead_fine.sum() if dead_fine.sum() > 1e-7 else 0.0
        dead_to_live = dead_fine.sum() / live_fine.sum() if live_fine.sum() > 1e-7 else 0.0
        mx_live = max(2.9 * dead_to_live * (1.0 - fine_dead_moisture / mx_dead) - 0.226, mx_dead)
    extinction = (mx_dead, mx_live)

    # reaction intensity, with the net loads weighted by size class
    exponent_a = 133.0 * sigma**-0.7913
    gamma_max = sigma**1.5 / (495.0 + 0.0594 * sigma**1.5)
    gamma = gamma_max * relative_packing**exponent_a * np.exp(exponent_a * (1.0 - relative_packing))
    reaction_intensity = 0.0
    for i, (load, savr, moisture, heat) in enumerate(categories):
        weight = particle_weight[i]
        size_class = _size_class_index(savr)
        class_weight = np.array([weight[size_class == k].sum() if k >= 0 else 0.0 for k in size_class])
        net_load = np.dot(class_weight, load) * (1.0 - TOTAL_MINERAL)
        category_heat = weight.sum() * heat
        category_moisture = np.dot(weight, moisture)
        category_mineral = weight.sum() * EFFECTIVE_MINERAL
        reaction_intensity += (net_load * category_heat * _moisture_damping(category_moisture, extinction[i])
                               * _mineral_damping(category_mineral))
    reaction_intensity *= gamma

    # no-wind, no-slope spread rate
    propagating_flux = np.exp((0.792 + 0.681 * np.sqrt(sigma)) * (beta + 0.1)) / (192.0 + 0.2595 * sigma)
    heat_sink = 0.0
    for i, (load, savr, moisture, _) in enumerate(categories):
        used = particle_weight[i] > 0.0
        preignition = 250.0 + 1116.0 * moisture[used]
        heat_sink += category_weight[i] * np.sum(particle_weight[i][used] * np.exp(-138.0 / savr[used]) * preignition)
    heat_sink *= bulk_density
    ros0 = reaction_intensity * propagating_flux / heat_sink if heat_sink >= 1e-7 else 0.0

    # wind and slope factors, combined as vectors in the frame of the upslope direction
    wind_c = 7.47 * np.exp(-0.133 * sigma**0.55)
    wind_b = 0.02526 * sigma**0.54
    wind_e = 0.715 * np.exp(-0.000359 * sigma)
    wind_ft_min = midflame_wind_m_s * FT_MIN_PER_M_S
    phi_wind = wind_c * wind_ft_min**wind_b * relative_packing**-wind_e if wind_ft_min >= 1e-7 else 0.0
    phi_slope = 5.275 * beta**-0.3 * slope_tan**2
    combined = np.array([phi_slope, 0.0]) + phi_wind * np.array([np.cos(wind_to_upslope_rad), np.sin(wind_to_upslope_rad)])
    phi_effective = float(np.hypot(combined[0], combined[1]))
    direction = float(np.arctan2(combined[1], combined[0]))
    ros_head = ros0 * (1.0 + phi_effective)
    effective_wind = 0.0
    if phi_effective > 0.0 and ros0 > 0.0:
        effective_wind = (phi_effective * relative_packing**wind_e / wind_c) ** (1.0 / wind_b)
    if wind_limit and effective_wind > 0.9 * reaction_intensity:
        effective_wind = 0.9 * reaction_intensity
        phi_limited = wind_c * effective_wind**wind_b * relative_packing**-wind_e if effective_wind > 0.0 else 0.0
        ros_head = ros0 * (1.0 + phi_limited)

    # fire ellipse (behave's length-to-width ratio from the effective wind in mi/h)
    wind_mph = effective_wind / MPH_IN_FT_MIN
    length_to_width = 1.0
    if wind_mph > 1e-7:
        length_to_width = min(0.936 * np.exp(0.1147 * wind_mph) + 0.461 * np.exp(-0.0692 * wind_mph) - 0.397, 8.0)
    eccentricity = np.sqrt(length_to_width**2 - 1.0) / length_to_width if length_to_width > 1.0 else 0.0
    ros_back = ros_head * (1.0 - eccentricity) / (1.0 + eccentricity)
    ros_flank = (ros_head + ros_back) / 2.0 / length_to_width

    # Byram intensity and flame length
    residence_min = 384.0 / sigma
    heat_per_area = reaction_intensity * residence_min
    fireline_intensity = ros_head * heat_per_area / 60.0
    flame_length_ft = 0.45 * fireline_intensity**0.46 if fireline_intensity >= 1e-7 else 0.0

    ft_min_to_m_s = FT_M / 60.0
    return SurfaceFire(
        ros_head_m_s=float(ros_head * ft_min_to_m_s),
        ros_backing_m_s=float(ros_back * ft_min_to_m_s),
        ros_flanking_m_s=float(ros_flank * ft_min_to_m_s),
        spread_direction_rad=direction,
        eccentricity=float(eccentricity),
        length_to_breadth=float(length_to_width),
        fireline_intensity_kw_m=float(fireline_intensity * BTU_KJ / FT_M),
        flame_length_m=float(flame_length_ft * FT_M),
        reaction_intensity_kw_m2=float(reaction_intensity * BTU_KJ / FT_M**2 / 60.0),
        heat_per_unit_area_kj_m2=float(heat_per_area * BTU_KJ / FT_M**2),
        residence_time_s=float(residence_min * 60.0),
        effective_wind_m_s=float(effective_wind * ft_min_to_m_s),
        ros_no_wind_slope_m_s=float(ros0 * ft_min_to_m_s),
        char_savr_per_ft=sigma,
        packing_ratio=float(beta),
        relative_packing_ratio=float(relative_packing),
        live_mx=float(mx_live),
    )
