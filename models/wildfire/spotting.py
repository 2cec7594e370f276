"""Spotting: Albini's maximum spotting distance and a stochastic firebrand landing model.

1. Maximum spotting distance, as behave's ``Spot`` (BehavePlus) computes it
---------------------------------------------------------------------------
Albini's models in their published US units (the coefficients carry them): heights in ft,
the 20-ft wind U in mi/h, distances in miles. Each source gives the initial height z of the
highest firebrand; the flat-terrain distance follows from a log wind profile over a cover of
height H, and a ridge/valley term bends it for terrain.

* Wind-driven surface fire (Albini 1983, Res. Pap. INT-309; the calculator form of Chase
  1984, Res. Note INT-346, as coded in BehavePlus):
      f   = 322 (0.474 U)^-1.01
      z   = 1.055 sqrt(f I_B)                       I_B fireline intensity, Btu/ft/s
      D_f = 0.000278 U z^0.643                      drift during the lofting (mi)
  behave takes I_B = (L / 0.45)^(1/0.46) from the flame length L (ft, Byram 1959); here I_B
  is given directly (the same number for a surface fire; for a crown fire the crown
  intensity, a documented extension).
* Burning pile (Albini 1981, Res. Note INT-309):  z = 12.2 h_f (h_f flame height, ft).
* Torching trees (Albini 1979, Res. Pap. INT-56; Chase 1981, Res. Note INT-310): steady flame height
  h_f = a_s D^b_s N^0.4 and duration t_f = c_s D^d_s N^-0.2 of N trees of diameter D (in) of
  species s; flame ratio r = H_t / h_f; z = a_k t_f^b_k h_f + H_t / 2 with (a_k, b_k) =
  (4.24, 0.332) for r >= 1, (3.64, 0.391) for 0.5 <= r < 1, (2.78, 0.418) for r < 0.5 and
  t_f < 3.5, (4.70, 0) otherwise.

Common to all three:

      h_c = 2.2 z^0.337 - 4.0                       minimum cover height (ft)
      H   = max(H_cover, h_c)                       H_cover halved for an open downwind canopy
      D   = 0.000718 U sqrt(H) [0.362 + sqrt(z/H)/2 ln(z/H)]  (+ D_f for a surface fire)  (mi)

Ridge/valley terrain (Albini 1979 appendix; behave): with the source at position L (0 midslope
windward, 1 valley bottom, 2 midslope leeward, 3 ridge top), ridge-to-valley horizontal
distance S (mi) and elevation difference E (ft), x solves x = D/S - E / (10^4 pi)
[cos(pi x - L pi/2) - cos(L pi/2)] by six fixed-point steps, and D_terrain = x S. Included,
off by default (E = 0).

2. Stochastic landing model (used in the raster spread)
-------------------------------------------------------
* Firebrands per source cell: Poisson with mean n = nu H_A A_cell, the heat released in the
  cell times nu = 1e-6 firebrands/kJ, the default of pyretechnics' (2026.10)
  ``expected_firebrand_production``. It is a calibration constant, not a measurement: it
  counts the firebrands that reach the ground still glowing, whose fate is then decided by the
  ignition probability.
* Along-wind landing distance x: lognormal, ln x ~ N(mu, s^2), with Sardoy et al. (2008),
  *Combust. Flame* 154:478-488, fits to their simulated line fires (I in MW/m, U_10 in m/s):
      Fr <= 1 (plume-dominated):  mu = 1.47 I^0.54 U^-0.55 + 1.14,  s = 0.86 I^-0.21 U^0.44 + 0.19
      Fr >  1 (wind-driven):      mu = 1.32 I^0.26 U^0.11 - 0.02,   s = 4.95 I^-0.01 U^-0.02 - 3.48
      Fr = U / sqrt(g L_c),  L_c = (I_kW / (rho c_p T sqrt(g)))^(2/3),
      rho = 1.1 kg/m3, c_p = 1.0 kJ/(kg K), T = 300 K (the values ELMFIRE's UMD spotting
      model uses), U_10 = 1.15 U_20 (behave's 10-m/20-ft ratio, Lawson & Armitage 2008).
  The draw is truncated at Albini's maximum surface-fire distance (inverse-CDF sampling on
  [0, F(D_max)]), so no firebrand lands beyond it.
* Lateral offset: normal, standard deviation s_y = tan(sigma_theta) x with sigma_theta = 10 deg:
  in the short-time (Taylor 1921) limit a particle carried a distance x by a wind whose
  direction fluctuates with standard deviation sigma_theta spreads laterally by sigma_theta x
  (the same closure as the gas model's Irwin 1983 sigma_y at short range); 10 deg is about the
  near-neutral (Pasquill class D) value, the windy conditions of spotting.
* Ignition: a firebrand landing in a burnable cell other than its source ignites with
  Schroeder's (1969) probability, as in NFDRS / behave ``Ignite``:
      T_f  = T_a + (25 - 20 s_h) 5/9                fuel temperature (deg C), shading s_h
      Q_ig = 144.51 - 0.266 T_f - 0.00058 T_f^2 - T_f M + 18.54 (1 - exp(-15.1 M)) + 640 M
      X    = (400 - min(Q_ig, 400)) / 10,   P(I) = min(4.8e-5 X^4.3 / 50, 1)
  with M the fine dead fuel moisture (fraction) of the landing cell.
* Time from the source cell's burning to the spot fire: lofting time plus flight at U_10,
      t = t_0 [1.2 + (a/3) (((b + z/z_F)/a)^(3/2) - 1)] + x / U_10,
  Albini (1979) eq. D43 with a = 5.963, b = 4.563, t_0 = 2 z_F / w_F, w_F = 2.3 z_F^0.5 (read
  in SI as pyretechnics does; the unit basis of Albini's constant was not re-checked), z the
  lofted height above and z_F the flame length. The spot is a fire from that moment (no
  build-up period).

Draws happen in a fixed order (counts, then distance, lateral and ignition uniforms for every
firebrand in source order), so a given ``np.random.Generator`` state gives the same spot fires.

Symbols
-------

======== ============================================================ ===========
symbol   meaning                                                      unit
======== ============================================================ ===========
U        wind speed at 20 ft (Albini) or 10 m (Sardoy)                mi/h ; m/s
I_B, I   fireline intensity                                           Btu/ft/s ; MW/m
L        flame length                                                 ft ; m
z        initial (lofted) height of the highest firebrand             ft ; m
z_F      flame height (taken as the flame length)                     m
h_f      steady flame height of a pile or of torching trees           ft
t_f      steady flame duration of torching trees                      1 (Albini's units)
H_t      tree height                                                  ft
D        tree diameter at breast height                               in
N        number of trees torching together                            1
H        cover height used for the log wind profile                   ft
h_c      minimum cover height of the profile                          ft
D, D_f   maximum spotting distance, drift                             mi
S, E     ridge-to-valley distance, elevation difference               mi, ft
x        along-wind landing distance                                  m
mu, s    mean and standard deviation of ln x                          ln m, 1
Fr       Froude number of the line-fire plume                         1
L_c      characteristic plume length                                  m
n, nu    expected firebrands per cell, firebrands per kJ released     1, kJ-1
H_A      heat per unit area released by the fire                      kJ/m2
M        fine dead fuel moisture                                      fraction
T_a, T_f air and fine-fuel temperature                                deg C
Q_ig     heat of pre-ignition                                         cal/g
P(I)     probability of ignition                                      1
======== ============================================================ ===========
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["FT", "MI", "MPH", "SPECIES", "SpotDistance", "SpottingParams", "flat_terrain_distance_mi",
           "ignition_probability", "lofting_time_s", "max_spotting_distance_burning_pile",
           "max_spotting_distance_surface_fire", "max_spotting_distance_torching_trees", "minimum_cover_height_ft",
           "sample_landings", "sardoy_lognormal", "spot_fires", "terrain_distance_mi"]

FT = 0.3048  # m
MI = 1609.344  # m
MPH = 0.44704  # m/s
KW_M_PER_BTU_FT_S = 1.05505585262 / FT  # 1 Btu/ft/s in kW/m
G = 9.81
WIND_20FT_PER_10M = 1.0 / 1.15  # U_20ft / U_10m over open ground (behave; ELMFIRE rounds it to 0.87)

# Sardoy et al. (2008) Froude-number scales (ELMFIRE's UMD values)
AIR_DENSITY = 1.1  # kg/m3
AIR_CP = 1.0  # kJ/(kg K)
AIR_TEMPERATURE_K = 300.0

# Albini (1979) lofting, eqs D33, D34, A58
LOFT_A = 5.963
LOFT_B = 4.563
FLAME_GAS_VELOCITY_COEF = 2.3  # w_F = 2.3 z_F^0.5

# Albini (1979) Table 2 / behave: flame height (a, b) and duration (c, d) per species
SPECIES = {
    "engelmann_spruce": (15.7, 0.451, 12.6, -0.256),
    "douglas_fir": (15.7, 0.451, 10.7, -0.278),
    "subalpine_fir": (15.7, 0.451, 10.7, -0.278),
    "western_hemlock": (15.7, 0.451, 6.30, -0.249),
    "ponderosa_pine": (12.9, 0.453, 12.6, -0.256),
    "lodgepole_pine": (12.9, 0.453, 12.6, -0.256),
    "western_white_pine": (12.9, 0.453, 10.7, -0.278),
    "grand_fir": (16.5, 0.515, 10.7, -0.278),
    "balsam_fir": (16.5, 0.515, 10.7, -0.278),
    "slash_pine": (2.71, 1.000, 11.9, -0.389),
    "longleaf_pine": (2.71, 1.000, 11.9, -0.389),
    "pond_pine": (2.71, 1.000, 7.91, -0.344),
    "shortleaf_pine": (2.71, 1.000, 7.91, -0.344),
    "loblolly_pine": (2.71, 1.000, 13.5, -0.544),
}
# Albini (1979): firebrand height factors (a_k, b_k) by flame ratio / duration class
_TORCH_HEIGHT_FACTORS = ((4.24, 0.332), (3.64, 0.391), (2.78, 0.418), (4.70, 0.000))
# Source positions of the ridge/valley term
LOCATIONS = {"midslope_windward": 0, "valley_bottom": 1, "midslope_leeward": 2, "ridge_top": 3}


@dataclass(frozen=True)
class SpotDistance:
    """Albini maximum spotting distance and its parts, SI (arrays broadcast)."""

    firebrand_height_m: np.ndarray
    cover_height_used_m: np.ndarray
    flat_distance_m: np.ndarray
    terrain_distance_m: np.ndarray


def minimum_cover_height_ft(firebrand_height_ft):
    """h_c = 2.2 z^0.337 - 4 (ft), 0 for no firebrand."""
    z = np.asarray(firebrand_height_ft, dtype=float)
    return np.where(z > 1e-7, 2.2 * np.maximum(z, 1e-7) ** 0.337 - 4.0, 0.0)


def flat_terrain_distance_mi(firebrand_height_ft, cover_height_ft, wind_20ft_mph):
    """D = 0.000718 U sqrt(H) [0.362 + sqrt(z/H)/2 ln(z/H)] (mi); 0 where H <= 0.

    >>> round(float(flat_terrain_distance_mi(61.0, 30.0, 5.0)), 6)  # behave's burning-pile test
    0.017067
    """
    z = np.asarray(firebrand_height_ft, dtype=float)
    h = np.asarray(cover_height_ft, dtype=float)
    ok = (h > 1e-7) & (z > 1e-7)
    hs = np.where(ok, h, 1.0)
    ratio = np.where(ok, z, 1.0) / hs
    d = 0.000718 * np.asarray(wind_20ft_mph, dtype=float) * np.sqrt(hs) * (0.362 + np.sqrt(ratio) / 2.0 * np.log(ratio))
    return np.where(ok, d, 0.0)


def terrain_distance_mi(flat_distance_mi, location=0, ridge_to_valley_mi=0.0, ridge_to_valley_elevation_ft=0.0):
    """Albini's ridge/valley correction of a flat-terrain distance (mi); unchanged for E or S = 0.

    >>> round(float(terrain_distance_mi(0.017067, LOCATIONS["ridge_top"], 1.0, 2000.0)), 5)  # behave: 0.021330
    0.02133
    """
    d = np.asarray(flat_distance_mi, dtype=float)
    s, e = float(ridge_to_valley_mi), float(ridge_to_valley_elevation_ft)
    if not (e > 1e-7 and s > 1e-7):
        return d
    a1 = d / s
    b1 = e / (10.0 * math.pi) / 1000.0
    phase = location * math.pi / 2.0
    x = a1
    for _ in range(6):  # the six fixed-point steps of BehavePlus
        x = a1 - b1 * (np.cos(math.pi * x - phase) - math.cos(phase))
    return x * s


def _finish(z_ft, cover_ft, wind_mph, open_canopy, drift_mi, location, rv_mi, rv_ft) -> SpotDistance:
    cover = np.asarray(cover_ft, dtype=float) * (0.5 if open_canopy else 1.0)
    used = np.maximum(cover, minimum_cover_height_ft(z_ft))
    flat = flat_terrain_distance_mi(z_ft, used, wind_mph)
    flat = np.where(used > 1e-7, flat + drift_mi, 0.0)
    terrain = terrain_distance_mi(flat, location, rv_mi, rv_ft)
    return SpotDistance(np.asarray(z_ft) * FT, used * FT, flat * MI, np.asarray(terrain) * MI)


def max_spotting_distance_surface_fire(fireline_intensity_kw_m, wind_20ft_m_s, cover_height_m, open_canopy=False,
                                       location=0, ridge_to_valley_m=0.0, ridge_to_valley_elevation_m=0.0):
    """Albini (1983) maximum spotting distance from a wind-driven surface fire (SI in and out).

    ``location`` is an int of :data:`LOCATIONS`. Arrays broadcast. Zero without wind or fire.
    """
    wind_mph = np.asarray(wind_20ft_m_s, dtype=float) / MPH
    intensity = np.asarray(fireline_intensity_kw_m, dtype=float) / KW_M_PER_BTU_FT_S
    live = (wind_mph > 1e-7) & (intensity > 1e-7)
    f = 322.0 * (0.474 * np.where(live, wind_mph, 1.0)) ** -1.01
    z = np.where(live, 1.055 * np.sqrt(f * np.maximum(intensity, 0.0)), 0.0)
    drift = 0.000278 * wind_mph * np.maximum(z, 0.0) ** 0.643
    cover_ft = np.asarray(cover_height_m, dtype=float) / FT
    return _finish(z, cover_ft, wind_mph, open_canopy, drift, location, ridge_to_valley_m / MI,
                   ridge_to_valley_elevation_m / FT)


def max_spotting_distance_burning_pile(flame_height_m, wind_20ft_m_s, cover_height_m, open_canopy=False,
                                       location=0, ridge_to_valley_m=0.0, ridge_to_valley_elevation_m=0.0):
    """Albini (1981) maximum spotting distance from a burning pile, z = 12.2 h_f.

    >>> d = max_spotting_distance_burning_pile(5 * FT, 5 * MPH, 30 * FT, False, 3, MI, 2000 * FT)
    >>> round(float(d.flat_distance_m) / MI, 6), round(float(d.terrain_distance_m) / MI, 6)  # behave test values
    (0.017067, 0.02133)
    """
    wind_mph = np.asarray(wind_20ft_m_s, dtype=float) / MPH
    h = np.asarray(flame_height_m, dtype=float) / FT
    z = np.where((wind_mph > 1e-7) & (h > 1e-7), 12.2 * h, 0.0)
    return _finish(z, np.asarray(cover_height_m, dtype=float) / FT, wind_mph, open_canopy, 0.0, location,
                   ridge_to_valley_m / MI, ridge_to_valley_elevation_m / FT)


def max_spotting_distance_torching_trees(species, dbh_m, tree_height_m, n_trees, wind_20ft_m_s, cover_height_m,
                                         open_canopy=False, location=0, ridge_to_valley_m=0.0,
                                         ridge_to_valley_elevation_m=0.0):
    """Albini (1979) maximum spotting distance from ``n_trees`` torching together (scalars).

    >>> d = max_spotting_distance_torching_trees("engelmann_spruce", 20 * 0.0254, 30 * FT, 15, 5 * MPH, 30 * FT,
    ...                                          False, 3, MI, 2000 * FT)
    >>> round(float(d.flat_distance_m) / MI, 6), round(float(d.terrain_distance_m) / MI, 6)  # behave test values
    (0.181449, 0.222396)
    """
    a, b, c, d_exp = SPECIES[species]
    wind_mph = wind_20ft_m_s / MPH
    dbh_in = dbh_m / 0.0254
    tree_ft = tree_height_m / FT
    if not (wind_mph > 1e-7 and dbh_in > 1e-7 and n_trees >= 1):
        z = 0.0
    else:
        flame = a * dbh_in**b * n_trees**0.4
        duration = c * dbh_in**d_exp * n_trees**-0.2
        ratio = tree_ft / flame
        k = 0 if ratio >= 1.0 else 1 if ratio >= 0.5 else 2 if duration < 3.5 else 3
        ak, bk = _TORCH_HEIGHT_FACTORS[k]
        z = ak * duration**bk * flame + tree_ft / 2.0
    return _finish(np.float64(z), cover_height_m / FT, wind_mph, open_canopy, 0.0, location,
                   ridge_to_valley_m / MI, ridge_to_valley_elevation_m / FT)


def sardoy_lognormal(fireline_intensity_kw_m, wind_10m_m_s):
    """(mu, s, Fr): Sardoy et al. (2008) lognormal landing-distance parameters (x in m).

    >>> mu, s, fr = sardoy_lognormal(5000.0, 10.0)  # wind-driven: 1.32 5^0.26 10^0.11 - 0.02
    >>> round(float(mu), 3), round(float(s), 3), bool(fr > 1)
    (2.564, 1.172, True)
    """
    i_mw = np.maximum(np.asarray(fireline_intensity_kw_m, dtype=float), 1e-3) / 1000.0
    u = np.maximum(np.asarray(wind_10m_m_s, dtype=float), 1e-3)
    lc = (i_mw * 1000.0 / (AIR_DENSITY * AIR_CP * AIR_TEMPERATURE_K * math.sqrt(G))) ** (2.0 / 3.0)
    fr = u / np.sqrt(G * lc)
    plume = fr <= 1.0
    mu = np.where(plume, 1.47 * i_mw**0.54 * u**-0.55 + 1.14, 1.32 * i_mw**0.26 * u**0.11 - 0.02)
    s = np.where(plume, 0.86 * i_mw**-0.21 * u**0.44 + 0.19, 4.95 * i_mw**-0.01 * u**-0.02 - 3.48)
    return mu, np.maximum(s, 0.05), fr


def ignition_probability(fine_fuel_moisture, air_temperature_c, fuel_shading=0.5):
    """Schroeder (1969) probability that a firebrand ignites fine fuel (behave ``Ignite``).

    ``fine_fuel_moisture`` is a fraction; ``fuel_shading`` the shaded fraction (0 full sun).

    >>> round(float(ignition_probability(0.06, (80 - 32) / 1.8, 0.5)), 6)  # behave test: 0.548317
    0.548317
    """
    m = np.asarray(fine_fuel_moisture, dtype=float)
    t = np.asarray(air_temperature_c, dtype=float) + (25.0 - 20.0 * fuel_shading) * 5.0 / 9.0
    q = 144.51 - 0.266 * t - 0.00058 * t * t - t * m + 18.54 * (1.0 - np.exp(-15.1 * m)) + 640.0 * m
    x = 0.1 * (400.0 - np.minimum(q, 400.0))
    return np.clip(0.000048 * x**4.3 / 50.0, 0.0, 1.0)


def lofting_time_s(firebrand_height_m, flame_length_m):
    """Albini (1979) eq. D43: time (s) for the firebrand to rise from the flame to its height."""
    z_f = np.maximum(np.asarray(flame_length_m, dtype=float), 0.1)
    z = np.maximum(np.asarray(firebrand_height_m, dtype=float), 0.0)
    t0 = 2.0 * z_f / (FLAME_GAS_VELOCITY_COEF * np.sqrt(z_f))
    u = (LOFT_B + z / z_f) / LOFT_A
    return t0 * (1.2 + LOFT_A / 3.0 * (u**1.5 - 1.0))


@dataclass(frozen=True)
class SpottingParams:
    """Tunable constants of :func:`spot_fires` (defaults as documented in the module)."""

    firebrands_per_kj: float = 1e-6
    lateral_sigma_theta_deg: float = 10.0
    fuel_shading: float = 0.5
    open_canopy: bool = False


def _landings(u_dist, z_lat, intensity, u20, canopy, params):
    """(along, lateral, x_max, lofted height) of firebrands from uniform and normal draws."""
    reach = max_spotting_distance_surface_fire(intensity, u20, canopy, params.open_canopy)
    x_max = reach.flat_distance_m
    mu, s, _ = sardoy_lognormal(intensity, u20 / WIND_20FT_PER_10M)
    # Inverse-CDF draw on [0, F(x_max)]: the lognormal truncated at Albini's maximum.
    cap = ndtr((np.log(np.maximum(x_max, 1e-9)) - mu) / s)
    p = np.clip(u_dist * cap, 1e-300, None)
    along = np.where(x_max > 0.0, np.minimum(np.exp(mu + s * ndtri(p)), x_max), 0.0)
    lateral = z_lat * math.tan(math.radians(params.lateral_sigma_theta_deg)) * along
    return along, lateral, x_max, reach.firebrand_height_m


def sample_landings(rng: np.random.Generator, fireline_intensity_kw_m, wind_20ft_m_s, canopy_height_m, n: int,
                    params: SpottingParams = SpottingParams()):
    """``n`` firebrands of one source: (along-wind distance, lateral offset, Albini maximum), m."""
    u_dist = rng.random(n)
    z_lat = rng.standard_normal(n)
    shape = (n,)
    along, lateral, x_max, _ = _landings(u_dist, z_lat, np.full(shape, float(fireline_intensity_kw_m)),
                                         np.full(shape, float(wind_20ft_m_s)), np.full(shape, float(canopy_height_m)),
                                         params)
    return along, lateral, float(x_max[0]) if n else 0.0


def _place(u_dist, z_lat, rows, cols, intensity, flame, u20, toward, canopy, dy, dx, shape, params):
    """Landing cell, whether it is on the grid and not the source, and the delay (s) of each firebrand."""
    along, lateral, _, lofted = _landings(u_dist, z_lat, intensity, u20, canopy, params)
    # Downwind unit vector; east = +x (col), north = +y (row). The lateral axis is downwind
    # turned 90 deg clockwise.
    ex, ey = np.cos(toward), np.sin(toward)
    tr = rows + np.rint((along * ey - lateral * ex) / dy).astype(np.int64)
    tc = cols + np.rint((along * ex + lateral * ey) / dx).astype(np.int64)
    ny, nx = shape
    inside = (tr >= 0) & (tr < ny) & (tc >= 0) & (tc < nx) & ((tr != rows) | (tc != cols))
    delay = lofting_time_s(lofted, flame) + along / np.maximum(u20 / WIND_20FT_PER_10M, 1e-3)
    return tr, tc, inside, delay



def spot_fires(rng: np.random.Generator, rows, cols, fireline_intensity_kw_m, flame_length_m, heat_per_unit_area_kj_m2,
               wind_20ft_m_s, wind_toward_rad, canopy_height_m, spacing_m, fine_fuel_moisture, burnable,
               air_temperature_c=30.0, params: SpottingParams = SpottingParams(), source_time_s=None):
    """Spot fires started by the firebrands of newly burned cells.

    Source arrays (one entry per source cell): ``rows``, ``cols`` (row j grows northward, along
    y, as :class:`sim.grid.RasterGrid`), fireline intensity, flame length, heat per unit area,
    20-ft wind speed and the direction it blows towards (radians counter-clockwise from +x, east:
    the convention of the wildfire kernels), canopy height.
    ``spacing_m`` is (dy, dx). Grids (ny, nx): ``fine_fuel_moisture`` (fraction), ``burnable``
    (bool; pass burnable and not yet burning), ``air_temperature_c`` (scalar or grid).

    Returns ``(rows, cols, delay_s)``: each ignited cell once, with the earliest delay (s) from
    the source burning to the spot fire, sorted by (row, col). With ``source_time_s`` (when each
    source burned, one per source) the third array is instead the time of the spot fire, the
    earliest over every firebrand that lights the cell.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    burnable = np.asarray(burnable, dtype=bool)
    ny, nx = burnable.shape
    dy, dx = float(spacing_m[0]), float(spacing_m[1])
    n_src = rows.size
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, float))
    if n_src == 0:
        return empty

    def per_source(a):
        return np.broadcast_to(np.asarray(a, dtype=float), (n_src,))

    intensity = per_source(fireline_intensity_kw_m)
    u20 = per_source(wind_20ft_m_s)
    expected = params.firebrands_per_kj * np.maximum(per_source(heat_per_unit_area_kj_m2), 0.0) * dx * dy
    expected = np.where((u20 > 0.0) & (intensity > 0.0), expected, 0.0)

    counts = rng.poisson(expected)
    total = int(counts.sum())
    if total == 0:
        return empty
    u_dist = rng.random(total)
    z_lat = rng.standard_normal(total)
    u_ign = rng.random(total)

    src = np.repeat(np.arange(n_src), counts)
    tr, tc, inside, delay = _place(u_dist, z_lat, rows[src], cols[src], intensity[src],
                                   per_source(flame_length_m)[src], u20[src], per_source(wind_toward_rad)[src],
                                   per_source(canopy_height_m)[src], dy, dx, (ny, nx), params)
    trc, tcc = np.clip(tr, 0, ny - 1), np.clip(tc, 0, nx - 1)
    moisture = np.broadcast_to(np.asarray(fine_fuel_moisture, dtype=float), (ny, nx))[trc, tcc]
    temperature = np.broadcast_to(np.asarray(air_temperature_c, dtype=float), (ny, nx))[trc, tcc]
    p_ign = ignition_probability(moisture, temperature, params.fuel_shading)
    lit = inside & burnable[trc, tcc] & (u_ign < p_ign)
    if not lit.any():
        return empty

    if source_time_s is not None:
        delay = delay + per_source(source_time_s)[src]
    r, c, t = tr[lit], tc[lit], delay[lit]
    order = np.lexsort((t, c, r))  # by row, col, then earliest first
    r, c, t = r[order], c[order], t[order]
    first = np.ones(r.size, dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return r[first], c[first], t[first]
