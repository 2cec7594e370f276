"""Crown fire: initiation, spread rate and type (Van Wagner; Rothermel; Scott & Reinhardt; Cruz et al.).

Linked surface-crown model as behave's ``Crown::doCrownRunScottAndReinhardt`` computes it
(BehavePlus 6; firelab/behave, public domain), SI here. Two independent predictors of the
active crown fire spread rate are offered: Rothermel (1991) inside the Scott & Reinhardt (2001)
system (the kernels) and Cruz, Alexander & Wakimoto (2005) (:func:`cruz_crown_ros_m_min`).

Crown fire initiation (Van Wagner 1977, *Can. J. For. Res.* 7:23-34)::

    I_0 = (0.010 CBH (460 + 25.9 FMC))^1.5          critical surface intensity (kW/m)
    R'_initiation = I_0 / H_s                        surface spread rate that reaches I_0 (m/s)

with CBH >= 0.1 m and FMC >= 30 % (behave's floors). The kernels compare I_0 with the surface
intensity as behave does, through its kW/m -> Btu/ft/s factor 0.28867190 (a 1.05587 kJ Btu,
against the 1.05506 kJ International Table Btu of its Rothermel outputs): in consistent units
I_0 is taken 0.077 % lower (``BEHAVE_I0_FACTOR``), so that fire types and CFB match behave.

Active crown spread threshold (Van Wagner 1977, S_0 = 0.05 kg m-2 s-1 = 3 kg m-2 min-1)::

    R'_active = 3 / CBD                              (m/min)

Active crown fire spread rate (Rothermel 1991, *Res. Pap.* INT-438)::

    R_active = 3.34 R_10(U_mid = 0.4 U_20, no slope)

R_10 is the Rothermel (1972) spread rate of fuel model 10 (Anderson 1982) with the surface
fire's dead moistures and live woody moisture, the midflame wind 0.4 times the 20-ft wind,
on level ground (behave sets the crown run's slope to 0 and its wind upslope; the surface run
keeps the real slope). R_10 = R_0,10 (1 + K_10 U_mid^B_10): the FM10 wind coefficients K_10 =
C (beta/beta_op)^-E and B_10 do not depend on moisture (:func:`fm10_wind_coefficients`).

Crowning ("critical open") wind (Scott & Reinhardt 2001, *Res. Pap.* RMRS-RP-29, eq. 20): the
20-ft wind at which R_active reaches R'_active::

    O'_active = ((R'_active / (3.34 R_0,10) - 1) / K_10)^(1/B_10) / 0.4

R_SA is the surface spread rate at that 20-ft wind (the caller's surface fuel, wind
adjustment and slope; :func:`crowning_inputs_grid`).

Fire type (Rothermel 1991 / Scott & Reinhardt 2001, behave's coding)::

    transition = I_s / I_0     active = R_active / R'_active
    0 surface              transition < 1, active < 1
    2 conditional crown    transition < 1, active >= 1   (spreads as a surface fire)
    1 passive (torching)   transition >= 1, active < 1
    3 active crown         transition >= 1, active >= 1

Crown fraction burned and final behaviour (Scott & Reinhardt 2001; behave)::

    CFB = clip((R_s - R'_initiation) / (R_SA - R'_initiation), 0, 1)     (0 if R_SA <= R'_init)
    H_c = CBD (CH - CBH) h_c,  h_c = 8000 Btu/lb = 18 608 kJ/kg          canopy heat per area
    passive:  R = R_s + CFB (R_active - R_s),  H = H_s + CFB H_c,  I = H R
    active:   R = R_active,                    H = H_s + H_c,      I = H R
    surface (types 0 and 2): the surface fire's R, I and flame length (Byram)
    crown flame length (Thomas 1963, as behave): L = 0.2 I^(2/3) ft, I in Btu/ft/s
    crown length-to-width (Rothermel 1991 eq. 10): LW = 1 + 0.125 U_20 (mi/h)

One deliberate difference from behave: for an active crown fire CFB is 1. behave evaluates the
clipped ratio for every type, which gives 0 when R_SA < R'_initiation (the canopy is fully
available as soon as the fire reaches it); its ROS, intensity and flame length of an active
fire do not use CFB, so only the reported fraction differs (11 of the 84 reference rows:
TL8, GR2, GS2).

Cruz, Alexander & Wakimoto (2005), *Can. J. For. Res.* 35(7):1626-1639, doi:10.1139/x05-085::

    R_active = 11.02 U_10^0.90 CBD^0.19 exp(-0.17 EFFM)      (m/min)
    CAC = R_active / R'_active,  R'_active = 3 / CBD
    R = R_active if CAC >= 1, else R_passive = R_active exp(-CAC)

(U_10 10-m open wind, km/h; CBD kg/m3; EFFM estimated fine fuel moisture, %.) The published
model jumps by the factor e at CAC = 1; it is kept as published.

References: Van Wagner, C.E. (1977) Conditions for the start and spread of crown fire, Can. J.
For. Res. 7:23-34. Rothermel, R.C. (1991) Predicting behavior and size of crown fires in the
Northern Rocky Mountains, USDA For. Serv. Res. Pap. INT-438. Scott, J.H. & Reinhardt, E.D.
(2001) Assessing crown fire potential by linking models of surface and crown fire behavior,
USDA For. Serv. Res. Pap. RMRS-RP-29. Thomas, P.H. (1963) The size of flames from natural
fires, Proc. 9th Symp. (Int.) Combust., 844-859. Cruz, M.G., Alexander, M.E. & Wakimoto, R.H.
(2005) Development and testing of models for predicting crown fire rate of spread in conifer
forest stands, Can. J. For. Res. 35:1626-1639.

Symbols

============ ============================================================ ===========
symbol       meaning                                                      unit
============ ============================================================ ===========
CBH          canopy base height                                           m
CBD          canopy bulk density                                          kg m-3
CH           canopy (stand) height                                        m
FMC          foliar moisture content                                      %
I_s, I_0     surface fireline intensity, critical intensity               kW m-1
H_s, H_c     surface heat per unit area, canopy heat per unit area        kJ m-2
R_s, R_SA    surface spread rate, at the crowning wind O'_active          m s-1
R_0,10       no-wind no-slope spread rate of fuel model 10                m s-1 (ft/min in K)
K_10, B_10   FM10 wind factor phi_w = K_10 U^B_10, U midflame in ft/min   1
R_active     active crown fire spread rate                                m s-1
R'_active    critical spread rate for active crowning                     m s-1
U_20, U_10   20-ft and 10-m open wind speed                               m s-1 (km/h in Cruz)
O'_active    critical open (crowning) 20-ft wind                          m s-1
CFB          crown fraction burned                                        1
CAC          criterion for active crowning (Cruz)                         1
EFFM         estimated fine fuel moisture (Cruz)                          %
============ ============================================================ ===========
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numba import njit, prange

from models.wildfire import rothermel
from models.wildfire.fuels import BTU_LB_TO_KJ_KG, FT_M, STANDARD_FUEL_MODELS, FuelModel, fuel_table

__all__ = ["CROWN_OUTPUTS", "FIRE_TYPES", "critical_active_ros_m_s", "critical_open_wind_m_s",
           "critical_surface_intensity_kw_m", "crown_fire_cell", "crown_fire_fields", "crown_fire_grid",
           "crown_fire_numpy", "crowning_inputs_grid", "cruz_active_ros_m_min", "cruz_crown_ros_m_min",
           "fm10_wind_coefficients", "scott_reinhardt_point"]

SURFACE, PASSIVE, CONDITIONAL, ACTIVE = 0, 1, 2, 3
FIRE_TYPES = {SURFACE: "surface", PASSIVE: "passive (torching)", CONDITIONAL: "conditional crown",
              ACTIVE: "active crown"}

ROTHERMEL_CROWN_FACTOR = 3.34  # R_active / R_10, Rothermel (1991)
CROWN_WAF = 0.4  # midflame / 20-ft wind for the FM10 crown run, Rothermel (1991)
CRITICAL_MASS_FLOW = 3.0  # S_0 = 3 kg m-2 min-1 (0.05 kg m-2 s-1), Van Wagner (1977)
CANOPY_HEAT_KJ_KG = 8000.0 * BTU_LB_TO_KJ_KG  # behave's crown fuel low heat of combustion
FMC_MIN_PCT = 30.0
CBH_MIN_M = 0.1
MPH = 0.44704
KW_M_PER_BTU_FT_S = rothermel.KW_M_PER_BTU_FT_S
# behave converts Van Wagner's I_0 from kW/m to Btu/ft/s with 0.28867190094724617 (a Btu of
# 1.05587 kJ, the "mean" Btu) while its Rothermel intensities use the International Table Btu
# (1.05506 kJ, as models.wildfire.fuels). Comparing the two as behave does makes I_0 0.077 %
# lower in consistent units; the factor is kept so that fire types and CFB match behave.
BEHAVE_I0_FACTOR = 0.28867190094724617 * KW_M_PER_BTU_FT_S
FT_MIN_PER_M_S = rothermel.FT_MIN_PER_M_S
FM10 = 10

#: outputs of :func:`crown_fire_grid`, first axis of ``out``
CROWN_OUTPUTS = (
    "fire_type",  # 0 surface, 1 passive, 2 conditional, 3 active (stored as float)
    "ros_m_s",  # final spread rate
    "fireline_intensity_kw_m",  # final fireline intensity
    "flame_length_m",  # final flame length
    "crown_fraction_burned",
    "crown_length_to_breadth",  # 1 + 0.125 U_20 (mi/h): meaningful for types 1 and 3
    "heat_per_unit_area_kj_m2",  # final heat per unit area
    "crown_ros_m_s",  # R_active (Rothermel 1991)
)
N_CROWN_OUTPUTS = len(CROWN_OUTPUTS)
#: outputs of :func:`crowning_inputs_grid`
CROWNING_INPUTS = ("fm10_ros0_m_s", "critical_open_wind_m_s", "ros_sa_m_s")


@njit(cache=True)
def critical_surface_intensity_kw_m(CBH, FMC):
    """I_0 = (0.010 CBH (460 + 25.9 FMC))^1.5 (kW/m), Van Wagner (1977), behave's floors.

    >>> round(critical_surface_intensity_kw_m(6.0, 100.0), 3)  # (0.06 * 3050)^1.5
    2475.578
    """
    FMC = max(FMC, FMC_MIN_PCT)
    CBH = max(CBH, CBH_MIN_M)
    return (0.010 * CBH * (460.0 + 25.9 * FMC)) ** 1.5


@njit(cache=True)
def critical_active_ros_m_s(CBD):
    """R'_active = 3 / CBD m/min (Van Wagner 1977), here m/s; 0 without canopy fuel.

    >>> round(critical_active_ros_m_s(0.15) * 60.0, 6)
    20.0
    """
    if CBD < 1e-7:
        return 0.0
    return CRITICAL_MASS_FLOW / CBD / 60.0


@njit(cache=True)
def critical_open_wind_m_s(CBD, R0_10, K_10, B_10):
    """O'_active: the 20-ft wind (m/s) at which 3.34 R_10 reaches R'_active (S&R 2001 eq. 20).

    R0_10 in m/s; K_10, B_10 with the midflame wind in ft/min. 0 if FM10 does not burn or the
    threshold is met without wind.
    """
    R_crit = critical_active_ros_m_s(CBD)
    if R0_10 <= 0.0 or R_crit <= 0.0:
        return 0.0
    a = (R_crit / ROTHERMEL_CROWN_FACTOR / R0_10 - 1.0) / K_10
    if a <= 0.0:
        return 0.0
    return a ** (1.0 / B_10) / CROWN_WAF / FT_MIN_PER_M_S


@njit(cache=True)
def thomas_flame_length_m(I):
    """Crown flame length L = 0.2 I^(2/3) ft (I in Btu/ft/s; Thomas 1963 as behave), in m."""
    if I <= 0.0:
        return 0.0
    return 0.2 * (I / KW_M_PER_BTU_FT_S) ** (2.0 / 3.0) * FT_M


@njit(cache=True)
def crown_fire_cell(R_s, I_s, H_s, L_s, R_SA, R0_10, K_10, B_10, CBH, CBD, CH, FMC, U_20):
    """Scott & Reinhardt (2001) linked crown fire at one point, SI.

    Returns (fire_type, R, I, L, CFB, LW, H, R_active): final spread rate (m/s), fireline
    intensity (kW/m), flame length (m), crown fraction burned, crown length-to-width, final heat
    per unit area (kJ/m2) and the active crown spread rate (m/s). A cell without canopy fuel
    (CBD <= 0 or CH <= CBH) is a surface fire.
    """
    LW = 1.0 + 0.125 * (U_20 / MPH) if U_20 > 1e-7 else 1.0
    R_10 = 0.0
    if R0_10 > 0.0:
        U_mid = CROWN_WAF * U_20 * FT_MIN_PER_M_S
        R_10 = R0_10 * (1.0 + K_10 * U_mid**B_10) if U_mid > 1e-7 else R0_10
    R_active = ROTHERMEL_CROWN_FACTOR * R_10
    if CBD <= 0.0 or CH <= CBH:
        return SURFACE, R_s, I_s, L_s, 0.0, LW, H_s, R_active

    I_0 = critical_surface_intensity_kw_m(CBH, FMC) * BEHAVE_I0_FACTOR
    R_crit = critical_active_ros_m_s(CBD)
    transition = I_s / I_0 if I_0 >= 1e-7 else 0.0
    active = R_active / R_crit if R_crit >= 1e-7 else 0.0
    if transition < 1.0:
        fire_type = SURFACE if active < 1.0 else CONDITIONAL
    else:
        fire_type = PASSIVE if active < 1.0 else ACTIVE

    R_init = I_0 / H_s if H_s > 0.0 else 0.0
    denominator = R_SA - R_init
    CFB = (R_s - R_init) / denominator if denominator > 1e-9 else 0.0
    CFB = min(max(CFB, 0.0), 1.0)
    H_c = CBD * (CH - CBH) * CANOPY_HEAT_KJ_KG

    if fire_type == ACTIVE:
        H = H_s + H_c
        I = H * R_active
        return ACTIVE, R_active, I, thomas_flame_length_m(I), 1.0, LW, H, R_active
    if fire_type == PASSIVE:
        R = R_s + CFB * (R_active - R_s)
        H = H_s + CFB * H_c
        I = H * R
        return PASSIVE, R, I, thomas_flame_length_m(I), CFB, LW, H, R_active
    return fire_type, R_s, I_s, L_s, CFB, LW, H_s, R_active


@njit(cache=True, parallel=True)
def crown_fire_grid(ros_s, intensity_s, hpa_s, flame_s, ros_sa, fm10_ros0, K_10, B_10, cbh, cbd, ch, fmc,
                    wind_20ft, out):
    """:func:`crown_fire_cell` on a raster. All inputs float[ny, nx] (SI; broadcast views are
    fine) except the FM10 wind coefficients K_10, B_10 (:func:`fm10_wind_coefficients`).

    ros_s, intensity_s, hpa_s, flame_s: the surface fire (Rothermel raster kernel outputs);
    ros_sa and fm10_ros0: :func:`crowning_inputs_grid`; wind_20ft: 20-ft open wind (m/s).
    out : float[N_CROWN_OUTPUTS, ny, nx] in the order of :data:`CROWN_OUTPUTS`.
    """
    ny, nx = ros_s.shape
    for j in prange(ny):
        for i in range(nx):
            r = crown_fire_cell(ros_s[j, i], intensity_s[j, i], hpa_s[j, i], flame_s[j, i], ros_sa[j, i],
                                fm10_ros0[j, i], K_10, B_10, cbh[j, i], cbd[j, i], ch[j, i], fmc[j, i],
                                wind_20ft[j, i])
            out[0, j, i] = r[0]
            out[1, j, i] = r[1]
            out[2, j, i] = r[2]
            out[3, j, i] = r[3]
            out[4, j, i] = r[4]
            out[5, j, i] = r[5]
            out[6, j, i] = r[6]
            out[7, j, i] = r[7]


@njit(cache=True)
def fm10_no_wind_ros_m_s(load10, savr10, depth10, mx10, hd10, hl10, dyn10, m1h, m10h, m100h, mherb, mwoody):
    """R_0,10 (m/s): fuel model 10 with these moistures, no wind, no slope (row 0 of the FM10 arrays)."""
    r = rothermel.fuel_bed(load10, savr10, depth10, mx10, hd10, hl10, dyn10, 0, m1h, m10h, m100h, mherb, mwoody)
    return r[4] * rothermel.M_S_PER_FT_MIN


@njit(cache=True, parallel=True)
def crowning_inputs_grid(load, savr, depth, mx_dead, h_dead, h_live, dynamic, fuel_row,
                         load10, savr10, depth10, mx10, hd10, hl10, dyn10, K_10, B_10,
                         m1h, m10h, m100h, mherb, mwoody, waf, wind_dir, slope_tan, upslope_dir, cbd,
                         wind_limit, out):
    """Per cell: R_0,10, O'_active and R_SA, the inputs of :func:`crown_fire_grid` that need
    further Rothermel runs.

    The surface fuel arrays and ``fuel_row`` are those of :func:`rothermel.surface_fire_grid`;
    ``load10`` .. ``dyn10`` the kernel arrays of a one-row table holding fuel model 10. ``waf``
    is the cell's midflame / 20-ft wind ratio (the same the surface run used), the directions
    and slope as in the surface run. out : float[3, ny, nx] = :data:`CROWNING_INPUTS` (m/s).
    R_SA is 0 where there is no canopy fuel or no crowning wind.
    """
    ny, nx = fuel_row.shape
    for j in prange(ny):
        for i in range(nx):
            R0_10 = fm10_no_wind_ros_m_s(load10, savr10, depth10, mx10, hd10, hl10, dyn10,
                                         m1h[j, i], m10h[j, i], m100h[j, i], mherb[j, i], mwoody[j, i])
            U_crit = critical_open_wind_m_s(cbd[j, i], R0_10, K_10, B_10)
            R_SA = 0.0
            if U_crit > 0.0:
                r = rothermel.surface_fire_cell(load, savr, depth, mx_dead, h_dead, h_live, dynamic, fuel_row[j, i],
                                                m1h[j, i], m10h[j, i], m100h[j, i], mherb[j, i], mwoody[j, i],
                                                waf[j, i] * U_crit * FT_MIN_PER_M_S, wind_dir[j, i],
                                                slope_tan[j, i], upslope_dir[j, i], wind_limit)
                R_SA = r[0] * rothermel.M_S_PER_FT_MIN
            out[0, j, i] = R0_10
            out[1, j, i] = U_crit
            out[2, j, i] = R_SA


@cache
def fm10_wind_coefficients() -> tuple[float, float]:
    """(K_10, B_10): FM10's wind factor phi_w = K_10 U^B_10, U the midflame wind in ft/min.

    From Rothermel (1972): B = 0.02526 sigma^0.54, K = C (beta/beta_op)^-E with FM10's
    characteristic SAVR and packing ratio (no moisture dependence). behave hard-codes the same
    numbers (K = 0.0016102128596515481, B = 1.4308256324729873).

    >>> K, B = fm10_wind_coefficients()
    >>> abs(K / 0.0016102128596515481 - 1) < 1e-12, abs(B / 1.4308256324729873 - 1) < 1e-12
    (True, True)
    """
    arrays = fuel_table([FM10]).kernel_arrays()
    sigma, _, ratio, _, _, _ = rothermel.fuel_bed(*arrays, 0, 0.05, 0.05, 0.05, 1.0, 1.0)
    C = 7.47 * math.exp(-0.133 * sigma**0.55)
    B = 0.02526 * sigma**0.54
    E = 0.715 * math.exp(-0.000359 * sigma)
    return float(C * ratio**-E), float(B)


def _fields(shape, *arrays):
    return [np.ascontiguousarray(np.broadcast_to(np.asarray(a, dtype=np.float64), shape)) for a in arrays]


def crown_fire_fields(table, fuel_row, m1h, m10h, m100h, mherb, mwoody, wind_20ft_m_s, waf, wind_dir, slope_tan,
                      upslope_dir, surface, cbh_m, cbd_kg_m3, ch_m, fmc_pct, wind_limit=False):
    """Crown fire on a raster with allocation: returns {name: float[ny, nx]} for
    :data:`CROWN_OUTPUTS` and :data:`CROWNING_INPUTS`.

    ``table``/``fuel_row``/moistures/directions as :func:`rothermel.surface_fire_fields`;
    ``surface`` is that function's result for the same cells (the surface run at midflame wind
    ``waf * wind_20ft_m_s``). Scalars broadcast.
    """
    fuel_row = np.ascontiguousarray(fuel_row, dtype=np.int32)
    shape = fuel_row.shape
    K_10, B_10 = fm10_wind_coefficients()
    moist = _fields(shape, m1h, m10h, m100h, mherb, mwoody)
    waf_, wdir, slope, up, cbh, cbd, ch, fmc, u20 = _fields(shape, waf, wind_dir, slope_tan, upslope_dir, cbh_m,
                                                             cbd_kg_m3, ch_m, fmc_pct, wind_20ft_m_s)
    inputs = np.empty((len(CROWNING_INPUTS),) + shape)
    crowning_inputs_grid(*table.kernel_arrays(), fuel_row, *fuel_table([FM10]).kernel_arrays(), K_10, B_10,
                         *moist, waf_, wdir, slope, up, cbd, bool(wind_limit), inputs)
    surf = _fields(shape, surface["ros_head_m_s"], surface["fireline_intensity_kw_m"],
                   surface["heat_per_unit_area_kj_m2"], surface["flame_length_m"])
    out = np.empty((N_CROWN_OUTPUTS,) + shape)
    crown_fire_grid(*surf, inputs[2], inputs[0], K_10, B_10, cbh, cbd, ch, fmc, u20, out)
    return {**dict(zip(CROWN_OUTPUTS, out)), **dict(zip(CROWNING_INPUTS, inputs))}


def crown_fire_numpy(ros_s, intensity_s, hpa_s, flame_s, ros_sa, fm10_ros0, K_10, B_10, cbh, cbd, ch, fmc,
                     wind_20ft):
    """NumPy twin of :func:`crown_fire_grid` (whole-array expressions; for tests).

    Returns a dict keyed by :data:`CROWN_OUTPUTS`.
    """
    a = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (ros_s, intensity_s, hpa_s, flame_s, ros_sa,
                                                                    fm10_ros0, cbh, cbd, ch, fmc, wind_20ft)))
    R_s, I_s, H_s, L_s, R_SA, R0_10, CBH, CBD, CH, FMC, U_20 = a
    with np.errstate(divide="ignore", invalid="ignore"):
        LW = np.where(U_20 > 1e-7, 1.0 + 0.125 * U_20 / MPH, 1.0)
        U_mid = CROWN_WAF * U_20 * FT_MIN_PER_M_S
        R_10 = np.where(R0_10 > 0.0, R0_10 * (1.0 + np.where(U_mid > 1e-7, K_10 * U_mid**B_10, 0.0)), 0.0)
        R_active = ROTHERMEL_CROWN_FACTOR * R_10
        I_0 = (0.010 * np.maximum(CBH, CBH_MIN_M) * (460.0 + 25.9 * np.maximum(FMC, FMC_MIN_PCT))) ** 1.5
        I_0 = I_0 * BEHAVE_I0_FACTOR
        R_crit = np.where(CBD >= 1e-7, CRITICAL_MASS_FLOW / CBD / 60.0, 0.0)
        transition = np.where(I_0 >= 1e-7, I_s / I_0, 0.0)
        active = np.where(R_crit >= 1e-7, R_active / R_crit, 0.0)
        fire_type = np.where(transition < 1.0, np.where(active < 1.0, SURFACE, CONDITIONAL),
                             np.where(active < 1.0, PASSIVE, ACTIVE))
        fire_type = np.where((CBD <= 0.0) | (CH <= CBH), SURFACE, fire_type)
        R_init = np.where(H_s > 0.0, I_0 / H_s, 0.0)
        den = R_SA - R_init
        cfb = np.clip(np.where(den > 1e-9, (R_s - R_init) / den, 0.0), 0.0, 1.0)
        cfb = np.where(fire_type == ACTIVE, 1.0, np.where((CBD <= 0.0) | (CH <= CBH), 0.0, cfb))
        H_c = CBD * (CH - CBH) * CANOPY_HEAT_KJ_KG
        crowning = (fire_type == PASSIVE) | (fire_type == ACTIVE)
        R = np.where(crowning, R_s + cfb * (R_active - R_s), R_s)
        H = np.where(crowning, H_s + cfb * H_c, H_s)
        I_c = H * R
        L_c = np.where(I_c > 0.0, 0.2 * (I_c / KW_M_PER_BTU_FT_S) ** (2.0 / 3.0) * FT_M, 0.0)
    return {
        "fire_type": fire_type.astype(float), "ros_m_s": R, "fireline_intensity_kw_m": np.where(crowning, I_c, I_s),
        "flame_length_m": np.where(crowning, L_c, L_s), "crown_fraction_burned": cfb,
        "crown_length_to_breadth": LW, "heat_per_unit_area_kj_m2": H, "crown_ros_m_s": R_active,
    }


def scott_reinhardt_point(fuel: FuelModel | int, m1h, m10h, m100h, mherb, mwoody, wind_20ft_m_s, slope_tan,
                          canopy_cover_fraction, canopy_height_m, canopy_base_height_m, canopy_bulk_density_kg_m3,
                          foliar_moisture_pct, wind_to_upslope_rad=0.0) -> dict:
    """behave's ``doCrownRunScottAndReinhardt`` at one point (surface and crown outputs, SI).

    Moistures are fractions. As behave, the surface run's wind adjustment uses the crown ratio
    (CH - CBH) / CH (behave replaces the input crown ratio with it) and reports the spread in
    the direction of maximum spread; the FM10 crown run is on level ground with the wind
    adjustment 0.4.
    """
    model = STANDARD_FUEL_MODELS[fuel] if isinstance(fuel, (int, np.integer)) else fuel
    arrays = fuel_table([model]).kernel_arrays()
    ch_ft = canopy_height_m / FT_M
    crown_ratio = (canopy_height_m - canopy_base_height_m) / canopy_height_m if canopy_height_m > 0 else 0.0
    waf = rothermel.wind_adjustment_factor(model.depth_ft, canopy_cover_fraction, ch_ft, crown_ratio)

    def surface_at(u20):
        r = rothermel.surface_fire_cell(*arrays, 0, m1h, m10h, m100h, mherb, mwoody, waf * u20 * FT_MIN_PER_M_S,
                                        wind_to_upslope_rad, slope_tan, 0.0, False)
        return (r[0] * rothermel.M_S_PER_FT_MIN, r[6] * KW_M_PER_BTU_FT_S, r[9] * rothermel.KJ_M2_PER_BTU_FT2,
                r[7] * FT_M)

    R_s, I_s, H_s, L_s = surface_at(wind_20ft_m_s)
    K_10, B_10 = fm10_wind_coefficients()
    R0_10 = fm10_no_wind_ros_m_s(*fuel_table([FM10]).kernel_arrays(), m1h, m10h, m100h, mherb, mwoody)
    U_crit = critical_open_wind_m_s(canopy_bulk_density_kg_m3, R0_10, K_10, B_10)
    R_SA = surface_at(U_crit)[0] if U_crit > 0.0 else 0.0
    r = crown_fire_cell(R_s, I_s, H_s, L_s, R_SA, R0_10, K_10, B_10, canopy_base_height_m, canopy_bulk_density_kg_m3,
                        canopy_height_m, foliar_moisture_pct, wind_20ft_m_s)
    out = dict(zip(CROWN_OUTPUTS, r))
    out["fire_type"] = int(out["fire_type"])
    out.update(surface_ros_m_s=R_s, surface_intensity_kw_m=I_s, surface_heat_per_unit_area_kj_m2=H_s,
               surface_flame_length_m=L_s, critical_open_wind_m_s=U_crit, ros_sa_m_s=R_SA, fm10_ros0_m_s=R0_10,
               wind_adjustment_factor=waf,
               critical_surface_intensity_kw_m=critical_surface_intensity_kw_m(canopy_base_height_m,
                                                                               foliar_moisture_pct))
    return out


def cruz_active_ros_m_min(wind_10m_km_h, cbd_kg_m3, effm_pct):
    """R_active = 11.02 U_10^0.90 CBD^0.19 exp(-0.17 EFFM) (m/min), Cruz et al. (2005).

    >>> round(float(cruz_active_ros_m_min(36.0, 0.15, 5.0)), 3)
    82.634
    """
    u = np.maximum(np.asarray(wind_10m_km_h, dtype=float), 0.0)
    cbd = np.maximum(np.asarray(cbd_kg_m3, dtype=float), 0.0)
    return 11.02 * u**0.90 * cbd**0.19 * np.exp(-0.17 * np.asarray(effm_pct, dtype=float))


def cruz_crown_ros_m_min(wind_10m_km_h, cbd_kg_m3, effm_pct):
    """(R, CAC, active): Cruz et al. (2005) crown fire spread rate (m/min), criterion for active
    crowning CAC = R_active / (3 / CBD), and whether the fire is active (CAC >= 1); a passive
    fire spreads at R_active exp(-CAC).

    >>> r, cac, act = cruz_crown_ros_m_min(36.0, 0.15, 5.0)
    >>> round(float(cac), 3), bool(act), round(float(r), 3)
    (4.132, True, 82.634)
    """
    r_active = cruz_active_ros_m_min(wind_10m_km_h, cbd_kg_m3, effm_pct)
    cbd = np.asarray(cbd_kg_m3, dtype=float)
    with np.errstate(divide="ignore"):
        r_crit = np.where(cbd > 0.0, CRITICAL_MASS_FLOW / np.where(cbd > 0.0, cbd, 1.0), np.inf)
    cac = r_active / r_crit
    active = cac >= 1.0
    return np.where(active, r_active, r_active * np.exp(-cac)), cac, active
