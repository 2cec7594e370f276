"""Numba kernels of the Rothermel (1972) surface fire model with Albini's (1976) revisions.

The arithmetic is behave's (USFS reference library, firelab/behave; BehavePlus 6), in its US
customary units, so that the results agree with it to round-off. Inputs and outputs of the
raster kernel are SI.

References
----------
- Rothermel, R.C. (1972). A mathematical model for predicting fire spread in wildland fuels.
  USDA Forest Service, INT-115.
- Albini, F.A. (1976). Estimating wildfire behavior and effects. USDA Forest Service, INT-30
  (computer revisions: Gamma' exponent A, live moisture of extinction, size-class weighting).
- Andrews, P.L. (2018). The Rothermel surface fire spread model and associated developments:
  a comprehensive explanation. USDA Forest Service, RMRS-GTR-371.
- Scott, J.H. & Burgan, R.E. (2005). RMRS-GTR-153 (dynamic herbaceous load transfer).
- Byram, G.M. (1959). Combustion of forest fuels. In Davis (ed.), Forest Fire: Control and Use.
- Andrews, P.L., Cruz, M.G. & Rothermel, R.C. (2013). Examination of the wind speed limit
  function in the Rothermel surface fire spread model. Int. J. Wildland Fire 22:959-969.
- Albini, F.A. & Baughman, R.G. (1979). Estimating windspeeds for predicting wildland fire
  behavior. USDA Forest Service, INT-221; Andrews (2012), RMRS-GTR-266 (wind adjustment factor).

Governing equations (i: dead/live category, j: particle class; US units)
------------------------------------------------------------------------
Fuel bed (Rothermel 1972; Albini 1976)::

    A_ij = w_ij sigma_ij / rho_p           f_ij = A_ij / A_i        f_i = A_i / (A_dead + A_live)
    sigma = sum_i f_i sum_j f_ij sigma_ij  rho_b = sum w_ij / delta  beta = rho_b / rho_p
    beta_op = 3.348 sigma^-0.8189          A = 133 sigma^-0.7913
    Gamma'_max = sigma^1.5 / (495 + 0.0594 sigma^1.5)
    Gamma' = Gamma'_max (beta/beta_op)^A exp(A (1 - beta/beta_op))
    w_n,i = sum_j g_ij w_ij (1 - S_T)      g_ij: f summed over the particles of the same size
                                            class (SAVR >= 1200, 192, 96, 48, 16 1/ft), behave's
                                            size-class weighting of net loads
    M_i = sum_j f_ij M_ij     h_i = sum_j f_ij h_ij     S_e,i = sum_j f_ij S_e
    eta_M,i = 1 - 2.59 r + 5.11 r^2 - 3.52 r^3, r = M_i / M_x,i  (0 when M_i >= M_x,i)
    eta_s,i = min(0.174 S_e,i^-0.19, 1)
    I_R = Gamma' sum_i w_n,i h_i eta_M,i eta_s,i
    xi = exp((0.792 + 0.681 sigma^0.5)(beta + 0.1)) / (192 + 0.2595 sigma)
    rho_b eps Q_ig = rho_b sum_i f_i sum_j f_ij exp(-138/sigma_ij) (250 + 1116 M_ij)
    R_0 = I_R xi / (rho_b eps Q_ig)

Live moisture of extinction (Albini 1976, p. 89)::

    W' = sum_dead w exp(-138/sigma) / sum_live w exp(-500/sigma)
    M_f = sum_dead w exp(-138/sigma) M / sum_dead w exp(-138/sigma)
    M_x,live = max(2.9 W' (1 - M_f / M_x,dead) - 0.226, M_x,dead)

Dynamic fuel models (Scott & Burgan 2005, behave's form): the cured fraction of the herbaceous
load is 1 for M_herb < 0.30, ``1.333 - 1.11 M_herb`` for 0.30 <= M_herb <= 1.20 (behave keeps
BehavePlus's rounded line, which leaves 0.1 % cured at exactly 120 %), 0 above. The cured load is
a fourth dead class with the herbaceous SAVR and the 1-h moisture; it shares the 1-h size class
(SAVR >= 1200) in the net-load weighting.

Wind and slope (Rothermel 1972; Albini 1976; behave's vector combination)::

    C = 7.47 exp(-0.133 sigma^0.55)   B = 0.02526 sigma^0.54   E = 0.715 exp(-3.59e-4 sigma)
    phi_w = C U^B (beta/beta_op)^-E    phi_s = 5.275 beta^-0.3 tan^2(phi)
    phi_E = | phi_s e_up + phi_w e_wind |      R = R_0 (1 + phi_E)
    direction of maximum spread = direction of that vector
    U_E = (phi_E (beta/beta_op)^E / C)^(1/B)                          (effective wind)

Optional wind limit (Rothermel 1972; behave's flag, default off, as Andrews et al. 2013 advise):
if U_E > 0.9 I_R then U_E = 0.9 I_R, phi_E = C U_E^B (beta/beta_op)^-E, R = R_0 (1 + phi_E).

Fire ellipse (behave)::

    LW = min(0.936 e^{0.1147 U} + 0.461 e^{-0.0692 U} - 0.397, 8), U = U_E in mi/h (1 when U = 0)
    e = sqrt(LW^2 - 1) / LW        R_back = R (1 - e)/(1 + e)      R_flank = (R + R_back) / (2 LW)

Intensity (Byram 1959)::

    t_r = 384 / sigma (min)   H_A = I_R t_r   I_B = R H_A / 60   L_f = 0.45 I_B^0.46 (ft, Btu/ft/s)

Not ported from behave: its unconditional ``phi_s = min(phi_s, 0.9 I_R)`` (compares the slope
factor with a wind speed; binds only at I_R < ~5 Btu/ft2/min, i.e. fires at extinction) and its
0.5-degree snapping of the spread direction to upslope.

Directions: angles in radians counter-clockwise from the grid's +x axis (east), i.e.
``atan2(north, east)``. The wind direction is where the wind blows TOWARD; the slope is given as
tan(slope) (rise/run) and the upslope direction (direction of steepest ascent, i.e. of the
gradient (dz/dx, dz/dy)). The direction of maximum spread is returned in the same convention,
in (-pi, pi]. With neither wind nor slope the fire is a circle and the direction is upslope. A fuel bed at or
above its moisture of extinction (R_0 = 0) has U_E = 0 and LW = 1, as in behave.

Symbols

============= ========================================================== ==================
symbol        meaning                                                    unit (kernel)
============= ========================================================== ==================
w             oven-dry fuel load                                         lb ft-2
sigma         surface-area-to-volume ratio (characteristic: of the bed)  ft-1
delta         fuel-bed depth                                             ft
rho_p         oven-dry particle density (32)                             lb ft-3
rho_b         bulk density                                               lb ft-3
beta, beta_op packing ratio, optimum packing ratio                       1
S_T, S_e      total (0.0555) and effective (0.010) mineral content       1
M, M_x        moisture content, moisture of extinction                   fraction
h             heat content                                               Btu lb-1
Gamma'        optimum reaction velocity                                  min-1
eta_M, eta_s  moisture and mineral damping coefficients                  1
I_R           reaction intensity                                         Btu ft-2 min-1
xi            propagating flux ratio                                     1
eps, Q_ig     effective heating number, heat of preignition              1, Btu lb-1
R_0, R        no-wind no-slope and head rate of spread                   ft min-1
U, U_E        midflame and effective wind speed                          ft min-1
phi_w, phi_s  wind and slope factors                                     1
LW, e         length-to-width ratio and eccentricity of the fire ellipse 1
t_r, H_A      residence time, heat per unit area                         min, Btu ft-2
I_B, L_f      Byram fireline intensity, flame length                     Btu ft-1 s-1, ft
============= ========================================================== ==================
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from models.wildfire.fuels import BTU_KJ, FT_M

RHO_P = 32.0  # oven-dry particle density, lb/ft3 (Albini 1976, p. 91)
S_T = 0.0555  # total mineral content
S_E = 0.010  # effective (silica-free) mineral content
LW_MAX = 8.0  # behave's cap on the length-to-width ratio
WIND_LIMIT_FACTOR = 0.9  # U_E <= 0.9 I_R (ft/min; Btu/ft2/min), Rothermel 1972

FT_MIN_PER_M_S = 60.0 / FT_M  # ft/min per m/s
M_S_PER_FT_MIN = FT_M / 60.0
FT_MIN_PER_MPH = 88.0
KW_M_PER_BTU_FT_S = BTU_KJ / FT_M  # Btu/ft/s -> kW/m
KW_M2_PER_BTU_FT2_MIN = BTU_KJ / FT_M**2 / 60.0  # Btu/ft2/min -> kW/m2
KJ_M2_PER_BTU_FT2 = BTU_KJ / FT_M**2  # Btu/ft2 -> kJ/m2

#: outputs of :func:`surface_fire_grid`, in the order of the first axis of ``out`` (SI units)
OUTPUTS = (
    "ros_head_m_s",
    "spread_direction_rad",
    "eccentricity",
    "length_to_breadth",
    "ros_backing_m_s",
    "ros_flanking_m_s",
    "fireline_intensity_kw_m",
    "flame_length_m",
    "reaction_intensity_kw_m2",
    "heat_per_unit_area_kj_m2",
    "residence_time_s",
    "effective_wind_m_s",
)
N_OUTPUTS = len(OUTPUTS)


@njit(cache=True)
def size_class(sigma):
    """Albini's (1976) SAVR size class (0 finest .. 4), -1 below 16 1/ft (net load weight 0)."""
    if sigma >= 1200.0:
        return 0
    if sigma >= 192.0:
        return 1
    if sigma >= 96.0:
        return 2
    if sigma >= 48.0:
        return 3
    if sigma >= 16.0:
        return 4
    return -1


@njit(cache=True)
def _class_weight(k, c0, f0, c1, f1, c2, f2, c3, f3):
    """g: sum of the area fractions f of the particles whose size class equals k (0 for k < 0)."""
    if k < 0:
        return 0.0
    g = 0.0
    if c0 == k:
        g += f0
    if c1 == k:
        g += f1
    if c2 == k:
        g += f2
    if c3 == k:
        g += f3
    return g


@njit(cache=True)
def eta_M(M, M_x):
    """Moisture damping coefficient (Rothermel 1972 eq. 29), 0 at or above extinction."""
    if M_x <= 0.0 or M >= M_x:
        return 0.0
    r = M / M_x
    return 1.0 - 2.59 * r + 5.11 * r * r - 3.52 * r * r * r


@njit(cache=True)
def eta_s(S_e):
    """Mineral damping coefficient (Rothermel 1972 eq. 30), capped at 1; 0 for an empty category."""
    if S_e <= 0.0:
        return 0.0
    return min(0.174 * S_e**-0.19, 1.0)


@njit(cache=True)
def cured_fraction(M_herb):
    """Fraction of the herbaceous load that is cured (dead), behave's form of S&B (2005)."""
    if M_herb < 0.30:
        return 1.0
    if M_herb <= 1.20:
        return 1.333 - 1.11 * M_herb
    return 0.0


@njit(cache=True)
def length_to_width(U_E):
    """behave's fire length-to-width ratio from the effective wind U_E (ft/min), capped at 8."""
    U = U_E / FT_MIN_PER_MPH
    if U <= 1.0e-7:
        return 1.0
    LW = 0.936 * math.exp(0.1147 * U) + 0.461 * math.exp(-0.0692 * U) - 0.397
    return min(LW, LW_MAX)


@njit(cache=True)
def fuel_bed(load, savr, depth, mx_dead, h_dead, h_live, dynamic, row, m1h, m10h, m100h, mherb, mwoody):
    """No-wind no-slope fuel-bed properties of one fuel model row (US units).

    Returns (sigma, beta, beta/beta_op, I_R, R_0, M_x,live); sigma = 0 marks an empty bed.
    """
    delta = depth[row]
    w1 = load[row, 0]
    w10 = load[row, 1]
    w100 = load[row, 2]
    wh = load[row, 3]
    ww = load[row, 4]
    s1 = savr[row, 0]
    s10 = savr[row, 1]
    s100 = savr[row, 2]
    sh = savr[row, 3]
    sw = savr[row, 4]
    w_total = w1 + w10 + w100 + wh + ww
    if delta <= 0.0 or w_total <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    has_live = (wh + ww) > 0.0

    # dynamic load transfer: the cured herbaceous load is a 4th dead class (SAVR sh, moisture m1h)
    wdh = 0.0
    if dynamic[row] and wh > 0.0:
        wdh = wh * cured_fraction(mherb)
        wh = wh - wdh

    # surface areas (per unit ground area) and weighting factors
    a1 = w1 * s1 / RHO_P
    a10 = w10 * s10 / RHO_P
    a100 = w100 * s100 / RHO_P
    adh = wdh * sh / RHO_P
    alh = wh * sh / RHO_P
    aw = ww * sw / RHO_P
    A_d = a1 + a10 + a100 + adh
    A_l = alh + aw
    if A_d + A_l <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    f_d = A_d / (A_d + A_l)
    f_l = 1.0 - f_d
    f1 = f10 = f100 = fdh = 0.0
    if A_d > 0.0:
        f1 = a1 / A_d
        f10 = a10 / A_d
        f100 = a100 / A_d
        fdh = adh / A_d
    flh = fw = 0.0
    if A_l > 0.0:
        flh = alh / A_l
        fw = aw / A_l

    # size-class weighting of net loads (Albini 1976; behave)
    c1 = size_class(s1)
    c10 = size_class(s10)
    c100 = size_class(s100)
    cdh = size_class(sh)
    clh = size_class(sh)
    cw = size_class(sw)
    g1 = _class_weight(c1, c1, f1, c10, f10, c100, f100, cdh, fdh)
    g10 = _class_weight(c10, c1, f1, c10, f10, c100, f100, cdh, fdh)
    g100 = _class_weight(c100, c1, f1, c10, f10, c100, f100, cdh, fdh)
    gdh = _class_weight(cdh, c1, f1, c10, f10, c100, f100, cdh, fdh)
    glh = _class_weight(clh, clh, flh, cw, fw, -1, 0.0, -1, 0.0)
    gw = _class_weight(cw, clh, flh, cw, fw, -1, 0.0, -1, 0.0)
    wn_d = (g1 * w1 + g10 * w10 + g100 * w100 + gdh * wdh) * (1.0 - S_T)
    wn_l = (glh * wh + gw * ww) * (1.0 - S_T)

    # category means weighted by surface area
    h_d = (f1 + f10 + f100 + fdh) * h_dead[row]
    h_l = (flh + fw) * h_live[row]
    M_d = f1 * m1h + f10 * m10h + f100 * m100h + fdh * m1h
    M_l = flh * mherb + fw * mwoody
    sigma_d = f1 * s1 + f10 * s10 + f100 * s100 + fdh * sh
    sigma_l = flh * sh + fw * sw
    Se_d = (f1 + f10 + f100 + fdh) * S_E
    Se_l = (flh + fw) * S_E
    sigma = f_d * sigma_d + f_l * sigma_l

    # packing
    rho_b = w_total / delta
    beta = rho_b / RHO_P
    beta_op = 3.348 * sigma**-0.8189
    ratio = beta / beta_op

    # moisture of extinction (live: Albini 1976)
    Mx_d = mx_dead[row]
    Mx_l = 0.0
    if has_live:
        e1 = w1 * math.exp(-138.0 / s1) if s1 > 0.0 else 0.0
        e10 = w10 * math.exp(-138.0 / s10) if s10 > 0.0 else 0.0
        e100 = w100 * math.exp(-138.0 / s100) if s100 > 0.0 else 0.0
        edh = wdh * math.exp(-138.0 / sh) if sh > 0.0 else 0.0
        fine_dead = e1 + e10 + e100 + edh
        M_f = 0.0
        if fine_dead > 1.0e-7:
            M_f = (e1 * m1h + e10 * m10h + e100 * m100h + edh * m1h) / fine_dead
        fine_live = 0.0
        if sh > 0.0:
            fine_live += wh * math.exp(-500.0 / sh)
        if sw > 0.0:
            fine_live += ww * math.exp(-500.0 / sw)
        W_ratio = fine_dead / fine_live if fine_live > 1.0e-7 else 0.0
        Mx_l = max(2.9 * W_ratio * (1.0 - M_f / Mx_d) - 0.226, Mx_d)

    # reaction intensity
    A = 133.0 * sigma**-0.7913
    s15 = sigma**1.5
    Gamma_max = s15 / (495.0 + 0.0594 * s15)
    Gamma = Gamma_max * ratio**A * math.exp(A * (1.0 - ratio))
    I_R = Gamma * (wn_d * h_d * eta_M(M_d, Mx_d) * eta_s(Se_d) + wn_l * h_l * eta_M(M_l, Mx_l) * eta_s(Se_l))

    # propagating flux ratio and heat sink
    xi = math.exp((0.792 + 0.681 * math.sqrt(sigma)) * (beta + 0.1)) / (192.0 + 0.2595 * sigma)
    q_d = 0.0
    if f1 > 0.0:
        q_d += f1 * math.exp(-138.0 / s1) * (250.0 + 1116.0 * m1h)
    if f10 > 0.0:
        q_d += f10 * math.exp(-138.0 / s10) * (250.0 + 1116.0 * m10h)
    if f100 > 0.0:
        q_d += f100 * math.exp(-138.0 / s100) * (250.0 + 1116.0 * m100h)
    if fdh > 0.0:
        q_d += fdh * math.exp(-138.0 / sh) * (250.0 + 1116.0 * m1h)
    q_l = 0.0
    if flh > 0.0:
        q_l += flh * math.exp(-138.0 / sh) * (250.0 + 1116.0 * mherb)
    if fw > 0.0:
        q_l += fw * math.exp(-138.0 / sw) * (250.0 + 1116.0 * mwoody)
    heat_sink = rho_b * (f_d * q_d + f_l * q_l)
    R_0 = I_R * xi / heat_sink if heat_sink >= 1.0e-7 else 0.0
    return sigma, beta, ratio, I_R, R_0, Mx_l


@njit(cache=True)
def surface_fire_cell(load, savr, depth, mx_dead, h_dead, h_live, dynamic, row,
                      m1h, m10h, m100h, mherb, mwoody, U, wind_dir, slope_tan, upslope_dir, wind_limit):
    """Rothermel surface fire at one point, behave's arithmetic, US customary units.

    load, savr : float[n, 5] (lb/ft2, 1/ft); depth, mx_dead, h_dead, h_live : float[n];
    dynamic : bool[n] — the arrays of :meth:`FuelTable.kernel_arrays`. row : fuel table row
    (< 0: non-burnable). Moistures are fractions. U : midflame wind speed, **ft/min**;
    wind_dir : direction the wind blows toward; upslope_dir : direction of steepest ascent
    (radians, counter-clockwise from +x); slope_tan : tan of the slope angle (rise/run);
    wind_limit : apply U_E <= 0.9 I_R.

    Returns (R, direction, e, LW, R_back, R_flank, I_B, L_f, I_R, H_A, t_r, U_E, R_0, sigma, beta,
    beta/beta_op, M_x,live) in ft/min, rad, 1, 1, ft/min, ft/min, Btu/ft/s, ft, Btu/ft2/min,
    Btu/ft2, min, ft/min, ft/min, 1/ft, 1, 1, fraction. A non-burnable cell gives zeros, LW = 1.
    """
    if row < 0:
        return (0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    sigma, beta, ratio, I_R, R_0, Mx_l = fuel_bed(load, savr, depth, mx_dead, h_dead, h_live, dynamic, row,
                                                  m1h, m10h, m100h, mherb, mwoody)
    if sigma <= 0.0:
        return (0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    # wind and slope factors
    C = 7.47 * math.exp(-0.133 * sigma**0.55)
    B = 0.02526 * sigma**0.54
    E = 0.715 * math.exp(-0.000359 * sigma)
    phi_w = C * U**B * ratio**-E if U >= 1.0e-7 else 0.0
    phi_s = 5.275 * beta**-0.3 * slope_tan * slope_tan

    # vector sum along upslope (x') and across it (y', counter-clockwise)
    theta = wind_dir - upslope_dir
    x = phi_s + phi_w * math.cos(theta)
    y = phi_w * math.sin(theta)
    phi_E = math.sqrt(x * x + y * y)
    direction = upslope_dir + math.atan2(y, x)
    direction = math.atan2(math.sin(direction), math.cos(direction))
    R = R_0 * (1.0 + phi_E)
    # behave back-calculates U_E from R / R_0 - 1: a bed that does not burn (R_0 = 0) gets no
    # effective wind and a circular (LW = 1) ellipse
    U_E = (phi_E * ratio**E / C) ** (1.0 / B) if phi_E > 0.0 and R_0 > 0.0 else 0.0
    if wind_limit:
        U_lim = WIND_LIMIT_FACTOR * I_R
        if U_E > U_lim:
            U_E = U_lim
            phi_E = C * U_E**B * ratio**-E if U_E > 0.0 else 0.0
            R = R_0 * (1.0 + phi_E)

    # fire ellipse
    LW = length_to_width(U_E)
    e = math.sqrt(LW * LW - 1.0) / LW if LW > 1.0 else 0.0
    R_back = R * (1.0 - e) / (1.0 + e)
    R_flank = (R + R_back) / (2.0 * LW)

    # intensity
    t_r = 384.0 / sigma
    H_A = I_R * t_r
    I_B = R * H_A / 60.0
    L_f = 0.45 * I_B**0.46 if I_B >= 1.0e-7 else 0.0
    return (R, direction, e, LW, R_back, R_flank, I_B, L_f, I_R, H_A, t_r, U_E, R_0, sigma, beta, ratio, Mx_l)


@njit(cache=True, parallel=True)
def surface_fire_grid(load, savr, depth, mx_dead, h_dead, h_live, dynamic, fuel_row,
                      m1h, m10h, m100h, mherb, mwoody, wind_m_s, wind_dir, slope_tan, upslope_dir,
                      wind_limit, out):
    """Rothermel surface fire on a raster; SI in and out.

    Fuel arrays: :meth:`FuelTable.kernel_arrays`. fuel_row : int[ny, nx] table rows (< 0:
    non-burnable; map LANDFIRE numbers with :meth:`FuelTable.index_of`). m1h .. mwoody : float[ny, nx]
    moisture fractions; wind_m_s : midflame wind speed (m/s); wind_dir : direction the wind blows
    toward; slope_tan : rise/run; upslope_dir : direction of steepest ascent (radians
    counter-clockwise from +x). Uniform fields may be passed as ``np.broadcast_to`` views.
    out : float[N_OUTPUTS, ny, nx], written in the order of :data:`OUTPUTS`.
    """
    ny, nx = fuel_row.shape
    for j in prange(ny):
        for i in range(nx):
            r = surface_fire_cell(load, savr, depth, mx_dead, h_dead, h_live, dynamic, fuel_row[j, i],
                                  m1h[j, i], m10h[j, i], m100h[j, i], mherb[j, i], mwoody[j, i],
                                  wind_m_s[j, i] * FT_MIN_PER_M_S, wind_dir[j, i], slope_tan[j, i],
                                  upslope_dir[j, i], wind_limit)
            out[0, j, i] = r[0] * M_S_PER_FT_MIN
            out[1, j, i] = r[1]
            out[2, j, i] = r[2]
            out[3, j, i] = r[3]
            out[4, j, i] = r[4] * M_S_PER_FT_MIN
            out[5, j, i] = r[5] * M_S_PER_FT_MIN
            out[6, j, i] = r[6] * KW_M_PER_BTU_FT_S
            out[7, j, i] = r[7] * FT_M
            out[8, j, i] = r[8] * KW_M2_PER_BTU_FT2_MIN
            out[9, j, i] = r[9] * KJ_M2_PER_BTU_FT2
            out[10, j, i] = r[10] * 60.0
            out[11, j, i] = r[11] * M_S_PER_FT_MIN


def _as_field(values, shape):
    array = np.asarray(values)
    if array.shape == shape and array.dtype == np.float64 and array.flags.c_contiguous and array.flags.writeable:
        return array
    field = np.empty(shape)
    field[...] = array
    return field


def surface_fire_fields(table, fuel_row, m1h, m10h, m100h, mherb, mwoody, wind_m_s, wind_dir,
                        slope_tan, upslope_dir, wind_limit=False):
    """:func:`surface_fire_grid` with allocation: returns {name in :data:`OUTPUTS`: float[ny, nx]}.

    ``table`` is a :class:`~models.wildfire.fuels.FuelTable`; scalars broadcast to the shape of
    ``fuel_row`` (table rows, not LANDFIRE numbers).
    """
    fuel_row = np.ascontiguousarray(fuel_row, dtype=np.int32)
    if fuel_row.ndim != 2:
        raise ValueError(f"fuel_row must be 2-D (ny, nx), got shape {fuel_row.shape}")
    if fuel_row.size and fuel_row.max() >= len(table):
        raise ValueError(f"fuel_row holds row {int(fuel_row.max())} but the table has {len(table)} rows")
    # one array type for every field (writable C-contiguous float64), so the kernel compiles once
    fields = [_as_field(a, fuel_row.shape)
              for a in (m1h, m10h, m100h, mherb, mwoody, wind_m_s, wind_dir, slope_tan, upslope_dir)]
    out = np.empty((N_OUTPUTS,) + fuel_row.shape)
    surface_fire_grid(*table.kernel_arrays(), fuel_row, *fields, bool(wind_limit), out)
    return dict(zip(OUTPUTS, out))


@njit(cache=True)
def wind_adjustment_factor(fuel_depth_ft, canopy_cover_fraction, canopy_height_ft, crown_ratio):
    """Midflame / 20-ft wind ratio (Albini & Baughman 1979; Andrews 2012, RMRS-GTR-266; behave).

    Sheltered when the crown fill portion f = CC CR / 3 >= 0.05, CC > 0 and the canopy is at least
    6 ft tall: WAF = 0.555 / (sqrt(f H_c) ln((20 + 0.36 H_c) / (0.13 H_c))). Otherwise unsheltered:
    WAF = 1.83 / ln((20 + 0.36 H) / (0.13 H)) with H the fuel-bed depth (0 for H = 0). Heights ft.
    """
    f = crown_ratio * canopy_cover_fraction / 3.0
    if canopy_cover_fraction < 1.0e-7 or f < 0.05 or canopy_height_ft < 6.0:
        if fuel_depth_ft > 1.0e-7:
            return 1.83 / math.log((20.0 + 0.36 * fuel_depth_ft) / (0.13 * fuel_depth_ft))
        return 0.0
    H = canopy_height_ft
    return 0.555 / (math.sqrt(f * H) * math.log((20.0 + 0.36 * H) / (0.13 * H)))


@njit(cache=True)
def wind_20ft_from_10m(wind_10m):
    """20-ft open wind from the 10-m open wind (behave, after Lawson & Armitage 2008): u_10 / 1.15."""
    return wind_10m / 1.15
