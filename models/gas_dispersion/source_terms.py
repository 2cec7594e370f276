"""Source terms from the physical situation: a tank, a hole, flashing, rain-out and an evaporating pool.

A :class:`TankRelease` states the tank (substance, volume, inventory, temperature, pressure) and
the hole (diameter, height, discharge coefficient); the release rate into the air follows from the
physics below, integrated once in time (cached). It offers what the gas model asks of a release:
``rate_at(t)``, ``mass_between(t0, t1)``, ``hole_diameter_m`` and ``storage_temperature_K``.

References: CCPS (1999) *Guidelines for Consequence Analysis of Chemical Releases*, AIChE, ch. 2;
CCPS (2000) *Guidelines for Chemical Process Quantitative Risk Analysis*, 2nd ed., sec. 2.1;
Crowl & Louvar (2011) *Chemical Process Safety*, 3rd ed., ch. 4 (source models); TNO (2005)
*Methods for the calculation of physical effects* ("Yellow Book", CPR 14E, 3rd ed.), ch. 2
(outflow) and ch. 3 (pool evaporation). Property data: :mod:`models.gas_dispersion.thermo`.

Governing equations
-------------------
1. Gas through a hole (isentropic ideal-gas nozzle; CCPS 1999 sec. 2.1; Crowl & Louvar sec. 4-5,
   flow of gases through holes). Choked when p_a / p_0 <= r_c = (2 / (gamma + 1))^(gamma / (gamma - 1))::

       choked:   m = C_d A p_0 sqrt(gamma / (R_g T_0) (2 / (gamma + 1))^((gamma + 1)/(gamma - 1)))
       subsonic: m = C_d A p_0 sqrt(2 gamma / ((gamma - 1) R_g T_0) (r^(2/gamma) - r^((gamma + 1)/gamma))),
                 r = p_a / p_0

   The two agree at r = r_c. Exit speed: sqrt(2 gamma R_g T_0 / (gamma + 1)) choked,
   sqrt(2 gamma / (gamma - 1) R_g T_0 (1 - r^((gamma - 1)/gamma))) subsonic.

2. Liquid below the level, not flashing (p_sat(T) <= p_a): Bernoulli with the liquid head
   (CCPS 1999 sec. 2.1; Crowl & Louvar sec. 4-2, liquid flow through a hole)::

       m = C_d A sqrt(2 rho_l (p_0 - p_a + rho_l g h_L))

3. Flashing liquid (p_sat(T) > p_a): Fauske's (1985) non-equilibrium model, as given by CCPS
   (1999, sec. 2.1, two-phase discharge; Fauske 1985, "Flashing flows or: some practical
   guidelines for emergency releases", Plant/Operations Progress 4:132). With the stagnation
   pressure at the hole p_0 = p + rho_l g h_L (above p_sat: the head subcools the liquid)::

       G_ERM = Delta h_v / (v_fg sqrt(T c_pl))                       (equilibrium rate model)
       N     = Delta h_v^2 / (2 (p_sat - p_a) rho_l C_d^2 T c_pl v_fg^2) + min(L / L_e, 1),   L_e = 0.1 m
       G^2   = 2 rho_l C_d^2 (p_0 - p_sat) + G_ERM^2 / N,       m = G A

   Why this model: a hole in a tank wall (L = 0) leaves the liquid no time to flash inside it,
   and the model then reduces exactly to Bernoulli on p_0 - p_a (point 2), which is what the
   measurements Fauske reviews show for short holes; for a pipe stub L >= L_e the flow tends to
   the equilibrium rate G_ERM (choked two-phase flow). The homogeneous equilibrium model would
   under-predict the flow through a short hole several-fold.

4. Flash on depressurising to ambient, adiabatic (CCPS 1999 sec. 2.2, flash; Crowl & Louvar sec. 4-7,
   flashing liquids),
   from dm_v = -m c_pl dT / Delta h_v integrated from T to the boiling point T_b at p_a::

       f_v = 1 - exp(-integral_{T_b}^{T} c_pl / Delta h_v dT)   (4-point Gauss-Legendre)

   which, with constant properties, is CCPS's f_v = 1 - exp(-c_pl (T - T_b) / Delta h_v).
   Aerosol and rain-out: the liquid carried as fine aerosol equals the flashed mass (CCPS 1999
   sec. 2.2, after Kletz 1977; CCPS 2000 sec. 2.1): airborne fraction min(2 f_v, 1), rain-out
   fraction max(0, 1 - 2 f_v). The aerosol is taken to evaporate in the cloud (airborne).

5. Tank in time. Vertical cylinder of cross-section A_t = V / H_t.
   Liquefied gas stored saturated at T (p = p_sat(T), plus the partial pressure of an inert pad
   gas when ``pressure_pa`` is higher; a store with p_sat(T) < p_a is vented: p = p_a).
   State (m, T, n_pad); liquid volume from the volume constraint
   V_l = (m - rho_v V) / (rho_l - rho_v), rho_v = p_sat M / (R T) (ideal vapour). Liquid out at
   m_out: to keep the vapour saturated, liquid evaporates at m_e = m_out rho_v / (rho_l - rho_v);
   vapour out: m_e = m_out rho_l / (rho_l - rho_v). Energy balance of the liquid (its heat
   capacity dominates; walls, vapour and heat from the surroundings neglected, which errs
   towards faster cooling)::

       m_l c_pl dT/dt = -m_e Delta h_v

   The liquid level h = V_l / A_t falls; when it reaches the hole the leak becomes a vapour leak
   (point 1, with the pad gas leaving in proportion to its mole fraction). When the liquid is
   gone the remaining gas blows down as below. Gas store (permanent gas, or a vapour stored
   below its saturation pressure): adiabatic, isentropic blowdown of an ideal gas,
   T = T_0 (rho / rho_0)^(gamma - 1); while choked the pressure then follows the closed form
   p / p_0 = (1 + (gamma - 1)/2 m_0_dot t / m_0)^(-2 gamma / (gamma - 1)) (checked in the tests).
   Integration: implicit trapezoidal rule (fixed-point iterations) with an adaptive step
   (<= 1 % of the mass, 0.5 K, 5 % of p_0 - p_a per step, and at most half the liquid above the
   hole, so that the step lands on the moment the level reaches it); it stops when p_0 - p_a
   falls below 1e-4 p_a. The tank mass is updated with the trapezoid of the tabulated outflow,
   so the table integrates exactly to the mass lost. Measured: isentropic blowdown pressure
   within 2e-5 of the closed form; the error falls 15x for steps 4x smaller (second order).

6. Pool. Rained-out liquid spreads on the ground (gravity-inertia regime; Briscoe & Shaw 1980,
   "Spread and evaporation of liquid", Prog. Energy Combust. Sci. 6:127; TNO 2005 sec. 3.5)::

       dr/dt = sqrt(2 g (h - h_min)),  h = m_p / (rho_l pi r^2),   r <= r_bund

   integrated as d(r^2)/dt = 2 sqrt(2 g (m_p / (rho_l pi) - h_min r^2)) (regular at r = 0); for a
   fixed volume r^2 = r_0^2 + 2 sqrt(2 g V / pi) t, for a constant inflow Q r^2 ~ t^(3/2).
   Boiling pool (T_b < T_ground = T_a) at T_b, fed by heat conducted from a semi-infinite ground
   wetted at time t_w (Shaw & Briscoe 1980, "Evaporation from spills of hazardous liquids on
   land and water", UKAEA SRD R 100; CCPS 1999 sec. 2.2; Crowl & Louvar sec. 4-8) plus an absorbed solar flux q_s::

       q = k_s (T_g - T_b) / sqrt(pi alpha_s (t - t_w)),   m_e = (sum over wetted rings q dA + q_s A) / Delta h_v

   integrated exactly over each step for every ring (2 (sqrt(t_1 - t_w) - sqrt(t_0 - t_w))).
   Non-boiling pool (T_b >= T_a) at the ambient temperature, by mass transfer (Mackay & Matsugu
   1973, "Evaporation rates of liquid hydrocarbon spills on land and water", Can. J. Chem. Eng.
   51:434; their 0.0292 U^0.78 X^-0.11 Sc^-0.67 m/h with U in m/h, here in SI)::

       k_m = 0.0292 (3600)^(0.78 - 1) u^0.78 d^-0.11 Sc^-0.67,  m_e = k_m A p_sat(T) M / (R T)

   Sc = nu_air / D, D scaled from water vapour in air by Graham's law D ~ M^-1/2 (the scaling
   Crowl & Louvar use for mass-transfer coefficients, ch. 3, evaporation of volatile liquids).
   Ground thermal properties (k_s, alpha_s = k / (rho c)): Incropera & DeWitt (2007)
   *Fundamentals of Heat and Mass Transfer*, 6th ed., Table A.3; minimum pool thickness h_min:
   see :data:`GROUNDS`.

Output: :meth:`TankRelease.rate_at` is the airborne rate: the jet's flashed vapour + aerosol (or
gas), linear between integration times, plus the pool's evaporation, constant over each pool
step (its mean); :meth:`TankRelease.mass_between` is the exact integral of that rate, and
:meth:`TankRelease.outflow_at` the rate through the hole. Everything here is a scalar ODE solved
once per release (about 0.03-0.2 s), so it is plain Python: no Numba kernel, no twin.

Discharge coefficients (defaults): 0.62 for liquid and flashing flow (sharp-edged orifice at
high Reynolds number, Crowl & Louvar sec. 4-2: "approaches 0.61"; CCPS 1999 recommends 0.61-0.62);
0.85 for gas: through sharp-edged orifices at the high pressure ratios of choked leaks the
contraction is weaker and C_d rises from 0.61 towards about 0.84 (Perry's Handbook, 8th ed.,
sec. 10, compressible flow through orifices); CCPS advises 1.0 where a conservative rate is
wanted, which a user may set.

==========  =================================================  =============
symbol      meaning                                            unit
==========  =================================================  =============
A, D        hole area pi D^2 / 4, hole diameter                m2, m
C_d         discharge coefficient                              1
p_0, T_0    stagnation pressure and temperature at the hole    Pa, K
p_a, T_a    ambient pressure and temperature                   Pa, K
gamma       ideal-gas ratio of specific heats                  1
R_g         specific gas constant R / M                        J kg-1 K-1
rho_l,v     liquid / saturated-vapour density                  kg m-3
v_fg        1 / rho_v - 1 / rho_l                              m3 kg-1
Delta h_v   enthalpy of vaporisation                           J kg-1
c_pl        liquid heat capacity                               J kg-1 K-1
h_L         liquid head above the hole                         m
L, L_e      hole (flow-path) length; relaxation length 0.1 m   m
G           mass flux                                          kg m-2 s-1
f_v         flash fraction                                     1
m_p, r      pool mass and radius                               kg, m
h_min       minimum pool thickness                             m
k_s         ground thermal conductivity                        W m-1 K-1
alpha_s     ground thermal diffusivity                         m2 s-1
k_m         mass-transfer coefficient                          m s-1
u           wind speed (10 m)                                  m s-1
Sc          Schmidt number of the vapour in air                1
==========  =================================================  =============
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from models.gas_dispersion.gases import GASES, R_GAS
from models.gas_dispersion.thermo import DRY_AIR_HEAT_CAPACITY, DRY_AIR_MOLAR_MASS, SUBSTANCES, Substance
from sim.model import ModelParams

GRAVITY = 9.80665  # m s-2, standard gravity
RELAXATION_LENGTH_M = 0.1  # Fauske's L_e: flow paths this long reach flashing equilibrium
PAD_GAS_MOLAR_MASS = 28.0134e-3  # nitrogen, kg mol-1
AIR_KINEMATIC_VISCOSITY = 1.516e-5  # m2 s-1 at 20 C, 1 atm (Incropera & DeWitt Table A.4)
WATER_VAPOUR_DIFFUSIVITY = 2.5e-5  # m2 s-1 in air near 20-25 C (Incropera & DeWitt Table A.8: 0.26e-4 at 298 K)
WATER_MOLAR_MASS = 18.015e-3
LIQUID_CD, GAS_CD = 0.62, 0.85

PHASE_NONE, PHASE_LIQUID, PHASE_FLASHING, PHASE_GAS = 0, 1, 2, 3
"""Phase codes of the outflow: nothing, liquid (not flashing), flashing liquid, gas or vapour."""

_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(4)


# --------------------------------------------------------------------------------------------
# discharge through a hole
# --------------------------------------------------------------------------------------------

def critical_pressure_ratio(gamma: float) -> float:
    """p_a / p_0 at and below which gas flow through a hole is choked."""
    return (2.0 / (gamma + 1.0)) ** (gamma / (gamma - 1.0))


def gas_mass_flow(p0: float, T0: float, pa: float, gamma: float, R_g: float, area: float, Cd: float) -> float:
    """Isentropic ideal-gas mass flow (kg/s) through a hole, choked or subsonic; 0 if p0 <= pa."""
    if p0 <= pa:
        return 0.0
    r = pa / p0
    if r <= critical_pressure_ratio(gamma):
        return Cd * area * p0 * math.sqrt(gamma / (R_g * T0) * (2.0 / (gamma + 1.0)) ** ((gamma + 1.0) / (gamma - 1.0)))
    return Cd * area * p0 * math.sqrt(2.0 * gamma / ((gamma - 1.0) * R_g * T0)
                                      * (r ** (2.0 / gamma) - r ** ((gamma + 1.0) / gamma)))


def gas_exit_velocity(p0: float, T0: float, pa: float, gamma: float, R_g: float) -> float:
    """Speed of the gas at the hole (m/s): sonic when choked, isentropic expansion to pa otherwise."""
    if p0 <= pa:
        return 0.0
    r = max(pa / p0, critical_pressure_ratio(gamma))
    return math.sqrt(2.0 * gamma / (gamma - 1.0) * R_g * T0 * (1.0 - r ** ((gamma - 1.0) / gamma)))


def liquid_mass_flow(p0: float, pa: float, rho_l: float, head_m: float, area: float, Cd: float) -> float:
    """Bernoulli outflow (kg/s) of a liquid under pressure p0 with ``head_m`` of liquid above the hole."""
    dp = p0 - pa + rho_l * GRAVITY * head_m
    return Cd * area * math.sqrt(2.0 * rho_l * dp) if dp > 0 else 0.0


def flashing_mass_flux(p0: float, p_sat: float, pa: float, T: float, rho_l: float, rho_v: float,
                       dh_v: float, cp_l: float, Cd: float, length_m: float) -> float:
    """Fauske's (1985) non-equilibrium mass flux G (kg m-2 s-1) of a flashing liquid.

    ``p0`` is the stagnation pressure at the hole (tank pressure plus liquid head), ``p_sat`` the
    saturation pressure at T (> ``pa``), ``length_m`` the length of the flow path.
    """
    v_fg = 1.0 / rho_v - 1.0 / rho_l
    g_erm_sq = dh_v ** 2 / (v_fg ** 2 * T * cp_l)
    subcooled = 2.0 * rho_l * Cd ** 2 * max(p0 - p_sat, 0.0)
    if p_sat <= pa:
        return math.sqrt(subcooled)
    n = (dh_v ** 2 / (2.0 * (p_sat - pa) * rho_l * Cd ** 2 * T * cp_l * v_fg ** 2)
         + min(length_m / RELAXATION_LENGTH_M, 1.0))
    return math.sqrt(subcooled + g_erm_sq / n)


def flash_fraction(sub: Substance, temperature_K: float, ambient_pressure_pa: float,
                   boiling_point_K: float | None = None) -> float:
    """Adiabatic flash fraction on depressurising saturated liquid from T to ambient pressure.

    f_v = 1 - exp(-int_{T_b}^{T} c_pl / Delta h_v dT), T_b the boiling point at ambient pressure
    (``boiling_point_K`` if already known).
    """
    Tb = sub.saturation_temperature_K(ambient_pressure_pa) if boiling_point_K is None else boiling_point_K
    T = float(temperature_K)
    if T <= Tb:
        return 0.0
    half, mid = 0.5 * (T - Tb), 0.5 * (T + Tb)
    integral = sum(w * sub.liquid_heat_capacity_j_kg_k(mid + half * x) / sub.vaporisation_enthalpy_j_kg(mid + half * x)
                   for x, w in zip(_GAUSS_X, _GAUSS_W)) * half
    return 1.0 - math.exp(-integral)


def flash_fraction_constant(cp_l: float, temperature_K: float, boiling_point_K: float, dh_v: float) -> float:
    """CCPS (1999) closed form with constant properties: 1 - exp(-c_pl (T - T_b) / Delta h_v)."""
    return 1.0 - math.exp(-cp_l * max(temperature_K - boiling_point_K, 0.0) / dh_v)


def airborne_fraction(f_v: float) -> float:
    """Flashed vapour plus aerosol (equal to the flashed mass) as a fraction of the outflow: min(2 f_v, 1)."""
    return min(2.0 * f_v, 1.0)


def rainout_fraction(f_v: float) -> float:
    """Fraction of the outflow that rains out to the ground: max(0, 1 - 2 f_v)."""
    return 1.0 - airborne_fraction(f_v)


# --------------------------------------------------------------------------------------------
# the cloud a flashing jet makes: aerosol evaporated into entrained air
# --------------------------------------------------------------------------------------------
# Dry air (thermo): molar mass (ISO 2533) and isobaric heat capacity near 270 K (Incropera & DeWitt A.4).
AIR_MOLAR_MASS = DRY_AIR_MOLAR_MASS
AIR_HEAT_CAPACITY = DRY_AIR_HEAT_CAPACITY


@dataclass(frozen=True)
class AerosolFreeMixture:
    """The air-substance mixture at the point where a flashing jet's last aerosol drop has evaporated."""

    air_per_substance: float       # kg of air entrained per kg of substance
    temperature_K: float
    density_kg_m3: float           # of the mixture
    substance_kg_m3: float         # substance per m3 of mixture
    substance_mole_fraction: float


def aerosol_free_mixture(sub: Substance, vapour_share: float, air_temperature_K: float,
                         pressure_pa: float) -> AerosolFreeMixture:
    """Homogeneous-equilibrium mixing of a flashed release with dry air until no liquid is left.

    One kg of airborne substance leaves the flash at its boiling point T_b, a share ``vapour_share``
    as vapour and the rest as aerosol drops. Entraining m_a kg of air at T_a, adiabatically (the
    aerosol evaporates into the air, cooling it; Wheatley 1987, SRD R410; Kukkonen, Kulmala et al.
    1994, Atmos. Environ. 28:2763):

        m_a c_pa (T_a - T) = (1 - v) h_fg(T_b) + c_pv (T - T_b)

    and the last drop is gone when the vapour's partial pressure reaches saturation,
    y p = p_sat(T), y its mole fraction. Found by bisection on m_a. Water vapour in the air (whose
    condensation warms the mixture and makes the cloud visible) is neglected: a dry-air mixture is
    slightly colder and denser.
    """
    if not 0.0 < vapour_share <= 1.0:
        raise ValueError(f"vapour_share: expected 0 < v <= 1, got {vapour_share!r}")
    t_b = sub.saturation_temperature_K(pressure_pa)
    h_fg = sub.vaporisation_enthalpy_j_kg(t_b)
    cp_v = sub.gamma / (sub.gamma - 1.0) * sub.gas_constant_j_kg_k
    t_a = float(air_temperature_K)

    def temperature(m_a: float) -> float:
        return (m_a * AIR_HEAT_CAPACITY * t_a - (1.0 - vapour_share) * h_fg + cp_v * t_b) / (
            m_a * AIR_HEAT_CAPACITY + cp_v)

    def mole_fraction(m_a: float) -> float:
        n_s = 1.0 / sub.molar_mass_kg_mol
        return n_s / (n_s + m_a / AIR_MOLAR_MASS)

    def liquid_left(m_a: float) -> bool:
        t = temperature(m_a)
        try:
            saturation = sub.vapour_pressure_pa(min(t, t_a))
        except ValueError:  # colder than the correlation reaches: far too cold for the drops to be gone
            return True
        return mole_fraction(m_a) * pressure_pa > saturation

    lo, hi = 0.0, 1.0
    while liquid_left(hi):
        hi *= 2.0
        if hi > 1e6:
            raise ValueError(f"{sub.name}: the aerosol does not evaporate into air at {t_a} K")
    if vapour_share == 1.0:
        hi = 0.0
    else:
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if liquid_left(mid) else (lo, mid)
    m_a = hi
    t = temperature(m_a) if m_a > 0.0 else t_b
    y = mole_fraction(m_a)
    molar_mass = y * sub.molar_mass_kg_mol + (1.0 - y) * AIR_MOLAR_MASS
    density = pressure_pa * molar_mass / (R_GAS * t)
    return AerosolFreeMixture(m_a, t, density, density / (1.0 + m_a), y)


# --------------------------------------------------------------------------------------------
# pool on the ground
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ground:
    """Thermal properties of the ground under a pool and the minimum thickness a pool spreads to."""

    conductivity_w_m_k: float
    diffusivity_m2_s: float
    min_thickness_m: float


# k and alpha = k / (rho c) from Incropera & DeWitt (2007) Table A.3 (concrete, stone mix:
# 1.4 W/m/K, 2300 kg/m3, 880 J/kg/K; sand: 0.27, 1515, 800; soil: 0.52, 2050, 1840; clay: 1.3,
# 1460, 880). Minimum pool thicknesses: 5 mm on smooth concrete and 10-20 mm on sand and soil,
# the order of the values TNO (2005, sec. 3.5) and CCPS (1999) use for smooth and rough ground.
GROUNDS: dict[str, Ground] = {
    "concrete": Ground(1.4, 1.4 / (2300 * 880), 0.005),
    "dry_sand": Ground(0.27, 0.27 / (1515 * 800), 0.010),
    "soil": Ground(0.52, 0.52 / (2050 * 1840), 0.020),
    "clay": Ground(1.3, 1.3 / (1460 * 880), 0.010),
}


def ground_heat_flux(ground: Ground, temperature_difference_K: float, time_s: float) -> float:
    """Heat flux (W/m2) conducted from semi-infinite ground wetted ``time_s`` ago: k dT / sqrt(pi alpha t)."""
    return ground.conductivity_w_m_k * temperature_difference_K / math.sqrt(math.pi * ground.diffusivity_m2_s * time_s)


def mass_transfer_coefficient(sub: Substance, wind_speed_m_s: float, pool_diameter_m: float) -> float:
    """Mackay & Matsugu (1973) mass-transfer coefficient k_m (m/s) over a pool of the given diameter."""
    diffusivity = WATER_VAPOUR_DIFFUSIVITY * math.sqrt(WATER_MOLAR_MASS / sub.molar_mass_kg_mol)
    schmidt = AIR_KINEMATIC_VISCOSITY / diffusivity
    return (0.0292 * 3600.0 ** (0.78 - 1.0) * wind_speed_m_s ** 0.78 * max(pool_diameter_m, 1e-3) ** -0.11
            * schmidt ** (-2.0 / 3.0))


@dataclass(frozen=True)
class PoolHistory:
    """A pool on a time grid: node values, and the evaporation averaged over the step ending at each node."""

    time_s: np.ndarray
    radius_m: np.ndarray
    mass_kg: np.ndarray
    evaporation_kg_s: np.ndarray  # mean over (t[k-1], t[k]]; 0 at k = 0
    spilled_kg: float
    evaporated_kg: float


def simulate_pool(time_s: np.ndarray, inflow_kg_s: np.ndarray, sub: Substance, ground: Ground,
                  ambient_temperature_K: float, ambient_pressure_pa: float, wind_speed_m_s: float,
                  solar_flux_w_m2: float = 0.0, bund_area_m2: float | None = None,
                  horizon_s: float | None = None, max_step_fraction: float = 0.05) -> PoolHistory:
    """Spread and evaporate the pool fed at ``inflow_kg_s`` (piecewise linear on ``time_s``).

    Steps are the intervals of ``time_s`` subdivided to at most max(0.25 s, ``max_step_fraction`` t),
    continued past the last inflow time until the pool is dry or ``horizon_s``.
    """
    times = np.asarray(time_s, float)
    rates = np.asarray(inflow_kg_s, float)
    horizon = float(times[-1] if horizon_s is None else max(horizon_s, times[-1]))
    Tb = sub.saturation_temperature_K(ambient_pressure_pa)
    boiling = Tb < ambient_temperature_K
    T_pool = Tb if boiling else ambient_temperature_K
    rho_l = sub.liquid_density_kg_m3(T_pool)
    dh_v = sub.vaporisation_enthalpy_j_kg(T_pool)
    p_vap = sub.vapour_pressure_pa(T_pool) if not boiling else 0.0
    conduction = ground.conductivity_w_m_k * (ambient_temperature_K - Tb) / math.sqrt(math.pi * ground.diffusivity_m2_s)
    s_max = bund_area_m2 / math.pi if bund_area_m2 is not None else math.inf
    h_min = ground.min_thickness_m

    out_t, out_r, out_m, out_e = [times[0]], [0.0], [0.0], [0.0]
    capacity = 64
    ring_t = np.zeros(capacity)  # wetting time and area of each ring of ground
    ring_a = np.zeros(capacity)
    n_rings = 0
    s = 0.0  # r^2
    m_p = 0.0
    spilled = evaporated = 0.0

    def advance(t0: float, t1: float, q0: float, q1: float) -> None:
        nonlocal s, m_p, spilled, evaporated, ring_t, ring_a, n_rings
        dt = t1 - t0
        inflow = 0.5 * (q0 + q1) * dt
        area = math.pi * s
        if area > 0.0:
            if boiling:
                tw, aw = ring_t[:n_rings], ring_a[:n_rings]
                heat = conduction * float(np.sum(aw * 2.0 * (np.sqrt(t1 - tw) - np.sqrt(t0 - tw))))
                heat += solar_flux_w_m2 * area * dt
                evap = heat / dh_v
            else:
                k_m = mass_transfer_coefficient(sub, wind_speed_m_s, 2.0 * math.sqrt(s))
                evap = k_m * area * p_vap * sub.molar_mass_kg_mol / (R_GAS * T_pool) * dt
        else:
            evap = 0.0
        evap = min(evap, m_p + inflow)
        m_p = m_p + inflow - evap
        spilled += inflow
        evaporated += evap
        if m_p <= 1e-12 * max(spilled, 1.0) and inflow == 0.0:
            evaporated += m_p
            m_p, s, n_rings = 0.0, 0.0, 0
        else:
            drive = m_p / (rho_l * math.pi) - h_min * s
            s_new = min(s + dt * 2.0 * math.sqrt(2.0 * GRAVITY * drive) if drive > 0 else s, s_max)
            if s_new > s:
                if n_rings == len(ring_t):
                    ring_t, ring_a = np.resize(ring_t, 2 * n_rings), np.resize(ring_a, 2 * n_rings)
                ring_t[n_rings] = 0.5 * (t0 + t1)
                ring_a[n_rings] = math.pi * (s_new - s)
                n_rings += 1
                s = s_new
                if boiling:  # the new ring's own heat from its wetting to the end of the step
                    extra = min(conduction * ring_a[n_rings - 1] * 2.0 * math.sqrt(t1 - ring_t[n_rings - 1]) / dh_v,
                                m_p)
                    m_p -= extra
                    evap += extra
                    evaporated += extra
        out_t.append(t1)
        out_r.append(math.sqrt(s))
        out_m.append(m_p)
        out_e.append(evap / dt)

    for k in range(len(times) - 1):
        t0, t1 = times[k], times[k + 1]
        n = max(1, math.ceil((t1 - t0) / max(0.25, max_step_fraction * t0)))
        q0, q1 = rates[k], rates[k + 1]
        for j in range(n):
            a, b = j / n, (j + 1) / n
            advance(t0 + a * (t1 - t0), t1 if j == n - 1 else t0 + b * (t1 - t0),
                    q0 + a * (q1 - q0), q0 + b * (q1 - q0))
    t = times[-1]
    while t < horizon and m_p > 0.0:
        t_next = min(t + max(0.25, max_step_fraction * t), horizon)
        advance(t, t_next, 0.0, 0.0)
        t = t_next
    return PoolHistory(np.asarray(out_t), np.asarray(out_r), np.asarray(out_m), np.asarray(out_e),
                       spilled, evaporated)


# --------------------------------------------------------------------------------------------
# the tank in time
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceHistory:
    """Time history of a tank release (times from the start of the release)."""

    time_s: np.ndarray
    outflow_kg_s: np.ndarray          # substance leaving the tank through the hole
    airborne_kg_s: np.ndarray         # flashed vapour + aerosol (or gas) + pool evaporation
    flash_fraction: np.ndarray        # 1 for a gas leak
    pool_radius_m: np.ndarray
    pool_mass_kg: np.ndarray
    pool_evaporation_kg_s: np.ndarray  # mean over the step ending at each time
    tank_pressure_pa: np.ndarray
    tank_mass_kg: np.ndarray
    exit_velocity_m_s: np.ndarray
    phase: np.ndarray                 # PHASE_NONE / PHASE_LIQUID / PHASE_FLASHING / PHASE_GAS


@dataclass
class _Tank:
    """The fixed parameters of one tank integration (derived from a TankRelease)."""

    sub: Substance
    volume: float
    section: float       # tank cross-section A_t
    hole_height: float
    area: float
    cd_liquid: float
    cd_gas: float
    hole_length: float
    pa: float
    vented: bool
    gas_store: bool      # permanent gas or vapour below saturation: isentropic blowdown from the start
    gas_ref: tuple[float, float] = (0.0, 0.0)  # (m, T) at the start of isentropic blowdown

    def evaluate(self, m: float, T: float, n_pad: float, saturated: bool) -> dict:
        """Outflow, derivatives and diagnostics of the state (m, T, n_pad)."""
        sub, V = self.sub, self.volume
        if not saturated:
            m_ref, T_ref = self.gas_ref
            T = T_ref * (m / m_ref) ** (sub.gamma - 1.0)
            return self._gas_leak(m, T, n_pad, V, 0.0, 0.0, 0.0, False)
        rho_l = sub.liquid_density_kg_m3(T)
        p_sat = sub.vapour_pressure_pa(T)
        rho_v = sub.vapour_density_kg_m3(T, p_sat)
        v_liquid = (m - rho_v * V) / (rho_l - rho_v)
        if v_liquid <= 0.0:
            return {"dry": True}
        p = max(p_sat, self.pa) if self.vented else p_sat + n_pad * R_GAS * T / (V - v_liquid)
        level = v_liquid / self.section
        m_liquid = rho_l * v_liquid
        cp_l = sub.liquid_heat_capacity_j_kg_k(T)
        dh_v = sub.vaporisation_enthalpy_j_kg(T)
        if level > self.hole_height:
            head = level - self.hole_height
            p0 = p + rho_l * GRAVITY * head
            if p_sat > self.pa:
                flow = self.area * flashing_mass_flux(p0, p_sat, self.pa, T, rho_l, rho_v, dh_v, cp_l,
                                                      self.cd_liquid, self.hole_length)
                phase, f_v = PHASE_FLASHING, math.nan  # filled in for the accepted states only
            else:
                flow = liquid_mass_flow(p, self.pa, rho_l, head, self.area, self.cd_liquid)
                phase, f_v = PHASE_LIQUID, 0.0
            evap = flow * rho_v / (rho_l - rho_v)
            dTdt = 0.0 if self.vented else -evap * dh_v / (m_liquid * cp_l)
            velocity = flow / (self.cd_liquid * self.area * rho_l) if flow > 0 else 0.0
            return {"dry": False, "flow": flow, "dTdt": dTdt, "dndt": 0.0, "p": p, "phase": phase if flow > 0 else 0,
                    "f_v": f_v, "velocity": velocity, "level_above_hole": head * self.section, "T": T,
                    "drive": p0 - self.pa}
        out = self._gas_leak(m, T, n_pad, V - v_liquid, p_sat, rho_l, rho_v, self.vented)
        evap = out["flow"] * rho_l / (rho_l - rho_v)
        out["dTdt"] = 0.0 if self.vented else -evap * dh_v / (m_liquid * cp_l)
        out["level_above_hole"] = (level - self.hole_height) * self.section
        return out

    def _gas_leak(self, m: float, T: float, n_pad: float, v_gas: float, p_sat: float, rho_l: float,
                  rho_v: float, vented: bool) -> dict:
        sub = self.sub
        if p_sat > 0.0:  # vapour over a liquid: partial pressure p_sat
            p_sub = p_sat
        else:
            p_sub = m * R_GAS * T / (sub.molar_mass_kg_mol * v_gas)
        p_pad = n_pad * R_GAS * T / v_gas
        p = max(p_sub, self.pa) if vented else p_sub + p_pad
        if vented:
            return {"dry": False, "flow": 0.0, "dTdt": 0.0, "dndt": 0.0, "p": p, "phase": PHASE_NONE,
                    "f_v": 1.0, "velocity": 0.0, "T": T, "drive": 0.0}
        y_pad = p_pad / p
        m_mix = y_pad * PAD_GAS_MOLAR_MASS + (1.0 - y_pad) * sub.molar_mass_kg_mol
        R_mix = R_GAS / m_mix
        flow_mix = gas_mass_flow(p, T, self.pa, sub.gamma, R_mix, self.area, self.cd_gas)
        flow = flow_mix * (1.0 - y_pad) * sub.molar_mass_kg_mol / m_mix
        return {"dry": False, "flow": flow, "dTdt": 0.0, "dndt": -flow_mix * y_pad / m_mix, "p": p,
                "phase": PHASE_GAS if flow > 0 else PHASE_NONE, "f_v": 1.0,
                "velocity": gas_exit_velocity(p, T, self.pa, sub.gamma, R_mix), "T": T, "drive": p - self.pa}


def _trapezoid_step(tank: _Tank, m: float, T: float, n: float, saturated: bool, e: dict, dt: float):
    """One implicit-trapezoid step (fixed-point iterations from an explicit Euler predictor)."""
    m1, T1, n1, sat1 = m - dt * e["flow"], T + dt * e["dTdt"], n + dt * e["dndt"], saturated
    e1 = e
    for _ in range(2):
        if m1 <= 0.0:
            return m1, T1, n1, sat1, e1
        e1 = tank.evaluate(m1, T1, n1, sat1)
        if e1.get("dry"):  # the liquid is gone within the step: the rest blows down as isentropic gas
            sat1 = False
            tank.gas_ref = (m1, T1)
            e1 = tank.evaluate(m1, T1, n1, sat1)
        m1 = m - 0.5 * dt * (e["flow"] + e1["flow"])
        T1 = T + 0.5 * dt * (e["dTdt"] + e1["dTdt"])
        n1 = max(n + 0.5 * dt * (e["dndt"] + e1["dndt"]), 0.0)
    if m1 > 0.0:
        e1 = tank.evaluate(m1, T1, n1, sat1)
        if e1.get("dry"):
            sat1 = False
            tank.gas_ref = (m1, T1)
            e1 = tank.evaluate(m1, T1, n1, sat1)
        # exact bookkeeping: the mass lost is the trapezoid of the tabulated outflow
        m1 = m - 0.5 * dt * (e["flow"] + e1["flow"])
    return m1, T1, n1, sat1, e1


def integrate_tank(tank: _Tank, m0: float, T0: float, n_pad0: float, horizon_s: float,
                   max_mass_change: float = 0.01, max_dT: float = 0.5, max_drive_change: float = 0.05,
                   stop_drive_fraction: float = 1e-4) -> dict:
    """Implicit-trapezoid integration of the tank from (m0, T0, n_pad0) to empty or ``horizon_s``.

    Step control: per step at most ``max_mass_change`` of the mass, ``max_dT`` of the liquid
    temperature, ``max_drive_change`` of the driving pressure p_0 - p_a and half of the liquid
    above the hole (so that the step lands close to the moment the level reaches the hole). The
    integration stops when p_0 - p_a falls below ``stop_drive_fraction`` p_a (or at the horizon).
    """
    saturated = not tank.gas_store
    if not saturated:
        tank.gas_ref = (m0, T0)
    m, T, n = m0, T0, n_pad0
    e = tank.evaluate(m, T, n, saturated)
    keys = ("flow", "p", "f_v", "velocity", "phase", "T")
    rows = {"t": [0.0], "m": [m], **{k: [e[k]] for k in keys}}
    t = 0.0
    dt = min(0.01 * m / e["flow"], 1.0) if e["flow"] > 0 else horizon_s
    dt_min = 1e-6
    stop = stop_drive_fraction * tank.pa
    while t < horizon_s and e["flow"] > 0.0 and e["drive"] > stop:
        dt = min(dt, horizon_s - t)
        m1, T1, n1, sat1, e1 = _trapezoid_step(tank, m, T, n, saturated, e, dt)
        if m1 <= 0.0:
            dt *= 0.5
            continue
        change = max(abs(m1 - m) / (max_mass_change * m), abs(T1 - T) / max_dT,
                     abs(e1["drive"] - e["drive"]) / (max_drive_change * e["drive"]))
        above0, above1 = e.get("level_above_hole", 0.0), e1.get("level_above_hole", 0.0)
        if above0 > 0.0:
            if above1 > 0.0:
                change = max(change, (above0 - above1) / (0.5 * above0))
            elif above0 > 1e-6 * tank.volume and dt > dt_min:
                dt *= 0.5  # do not step over the moment the level reaches the hole
                continue
        if change > 3.0 and dt > dt_min:
            dt *= 0.5
            continue
        t += dt
        m, T, n, saturated, e = m1, T1, n1, sat1, e1
        rows["t"].append(t)
        rows["m"].append(m)
        for k in keys:
            rows[k].append(e[k])
        dt *= min(2.0, 0.9 / max(change, 1e-3))
    out = {k: np.asarray(v, float) for k, v in rows.items()}
    flashing = out["phase"] == PHASE_FLASHING
    if flashing.any():
        Tb = tank.sub.saturation_temperature_K(tank.pa)
        out["f_v"][flashing] = [flash_fraction(tank.sub, T, tank.pa, Tb) for T in out["T"][flashing]]
    out["f_v"][out["phase"] == PHASE_NONE] = 0.0
    return out


# --------------------------------------------------------------------------------------------
# the release
# --------------------------------------------------------------------------------------------

GroundName = Literal["concrete", "dry_sand", "soil", "clay"]


class TankRelease(ModelParams):
    """A release from a tank through a hole: discharge, flashing, rain-out and pool evaporation.

    The tank is a vertical cylinder (``tank_height_m``, default: height = diameter). A liquefiable
    substance below its critical temperature is stored as a saturated liquid (``inventory_kg`` or
    ``fill_fraction`` of the volume), at its vapour pressure unless ``pressure_pa`` is higher
    (padded with nitrogen); with ``pressure_pa`` below the vapour pressure, or for a permanent gas
    (``pressure_pa`` required), the tank holds gas. The hole sits ``hole_height_m`` above the tank
    bottom, or at the bottom / top with ``hole_in = "liquid" / "vapour"`` (default: bottom).
    """

    kind: Literal["tank"]
    x_m: float
    y_m: float
    height_m: float = Field(0.0, ge=0, description="height of the hole above the ground")
    source_sigma_m: float = Field(0.0, ge=0, description="initial spread of the cloud, added in quadrature")
    substance: str
    volume_m3: float = Field(gt=0)
    tank_height_m: float | None = Field(None, gt=0)
    inventory_kg: float | None = Field(None, gt=0)
    fill_fraction: float | None = Field(None, gt=0, lt=1)
    temperature_K: float = Field(gt=0)
    pressure_pa: float | None = Field(None, gt=0)
    hole_diameter_m: float = Field(gt=0)
    hole_height_m: float | None = Field(None, ge=0)
    hole_in: Literal["liquid", "vapour"] | None = None
    hole_length_m: float = Field(0.0, ge=0, description="length of the flow path (0: hole in the wall)")
    discharge_coefficient: float | None = Field(None, gt=0, le=1)
    start_s: float = Field(0.0, ge=0)
    ground: GroundName = "concrete"
    bund_area_m2: float | None = Field(None, gt=0)
    ambient_temperature_K: float = Field(293.15, gt=0)
    ambient_pressure_pa: float = Field(101325.0, gt=0)
    wind_speed_m_s: float = Field(3.0, gt=0, description="10-m wind speed for the pool's mass transfer")
    solar_flux_w_m2: float = Field(0.0, ge=0, description="solar heat absorbed by the pool")
    horizon_s: float = Field(10800.0, gt=0, description="time after start_s up to which the release is followed")

    # ---------------- validation ----------------
    @model_validator(mode="after")
    def _check(self) -> "TankRelease":
        if self.substance not in GASES:
            raise ValueError(f"substance: {self.substance!r} is not a gas of gases.GASES")
        if self.substance not in SUBSTANCES:
            raise ValueError(f"substance: {self.substance!r} has no thermodynamic data in thermo.SUBSTANCES")
        sub = SUBSTANCES[self.substance]
        hole_area = math.pi * self.hole_diameter_m ** 2 / 4
        if hole_area >= self._section:
            raise ValueError(f"hole_diameter_m: {self.hole_diameter_m} m gives a hole larger than the tank's "
                             f"cross-section ({self._section:.3g} m2)")
        if self.hole_height_m is not None and self.hole_in is not None:
            raise ValueError("hole_height_m: give either hole_height_m or hole_in, not both")
        if self.hole_height_m is not None and self.hole_height_m > self._tank_height:
            raise ValueError(f"hole_height_m: {self.hole_height_m} m is above the tank top "
                             f"({self._tank_height:.3g} m)")
        if self.pressure_pa is not None and self.pressure_pa <= self.ambient_pressure_pa:
            raise ValueError(f"pressure_pa: {self.pressure_pa} Pa must exceed ambient_pressure_pa")
        if not sub.liquefiable or self.temperature_K >= sub.critical_temperature_K:
            if self.pressure_pa is None:
                raise ValueError(f"temperature_K: {self.temperature_K} K is above the critical temperature of "
                                 f"{self.substance} ({sub.critical_temperature_K} K): it cannot be stored liquefied; "
                                 "give pressure_pa for a gas store")
        elif self.temperature_K < sub.vapour_pressure.t_min_K:
            raise ValueError(f"temperature_K: {self.temperature_K} K is below the range of {self.substance}'s "
                             f"property data ({sub.vapour_pressure.t_min_K} K)")
        if self._is_gas_store:
            if self.inventory_kg is not None or self.fill_fraction is not None:
                raise ValueError("inventory_kg: a gas store's inventory follows from pressure_pa, volume and "
                                 "temperature; leave inventory_kg and fill_fraction out")
        else:
            if (self.inventory_kg is None) == (self.fill_fraction is None):
                raise ValueError("inventory_kg: give exactly one of inventory_kg and fill_fraction for a liquefied gas")
            T = self.temperature_K
            rho_l = sub.liquid_density_kg_m3(T)
            rho_v = sub.vapour_density_kg_m3(T, sub.vapour_pressure_pa(T))
            inventory = self.inventory_kg
            if inventory is not None and not rho_v * self.volume_m3 < inventory < rho_l * self.volume_m3:
                raise ValueError(f"inventory_kg: {self.inventory_kg} kg does not fit a liquid and its vapour in "
                                 f"{self.volume_m3} m3 at {T} K (between {rho_v * self.volume_m3:.4g} and "
                                 f"{rho_l * self.volume_m3:.4g} kg)")
            if not sub.vapour_pressure.t_min_K <= self.ambient_temperature_K < sub.critical_temperature_K:
                raise ValueError(f"ambient_temperature_K: {self.ambient_temperature_K} K is outside "
                                 f"{self.substance}'s property data (the pool needs them)")
        return self

    # ---------------- derived geometry and state ----------------
    @property
    def _tank_height(self) -> float:
        if self.tank_height_m is not None:
            return self.tank_height_m
        return (4.0 * self.volume_m3 / math.pi) ** (1.0 / 3.0)  # vertical cylinder, height = diameter

    @property
    def _section(self) -> float:
        return self.volume_m3 / self._tank_height

    @property
    def _is_gas_store(self) -> bool:
        sub = SUBSTANCES[self.substance]
        if not sub.liquefiable or self.temperature_K >= sub.critical_temperature_K:
            return True
        return self.pressure_pa is not None and self.pressure_pa < sub.vapour_pressure_pa(self.temperature_K)

    @property
    def storage_temperature_K(self) -> float:
        """Temperature of the stored substance upstream of the hole (for the jet-noise model)."""
        return self.temperature_K

    @property
    def liquid_inventory_kg(self) -> float:
        """Total substance in the tank at the start (liquid and vapour, or gas)."""
        return float(self.history().tank_mass_kg[0])

    # ---------------- integration (once, cached) ----------------
    @cached_property
    def _solution(self) -> dict:
        sub = SUBSTANCES[self.substance]
        T0, V, pa = self.temperature_K, self.volume_m3, self.ambient_pressure_pa
        height = self._tank_height
        if self.hole_height_m is not None:
            hole_height = self.hole_height_m
        else:
            hole_height = height if self.hole_in == "vapour" else 0.0
        gas_store = self._is_gas_store
        n_pad, vented = 0.0, False
        if gas_store:
            m0 = self.pressure_pa * V * sub.molar_mass_kg_mol / (R_GAS * T0)
        else:
            p_sat = sub.vapour_pressure_pa(T0)
            rho_l, rho_v = sub.liquid_density_kg_m3(T0), sub.vapour_density_kg_m3(T0, p_sat)
            if self.inventory_kg is not None:
                m0 = self.inventory_kg
            else:
                m0 = rho_l * self.fill_fraction * V + rho_v * (1.0 - self.fill_fraction) * V
            v_gas = V - (m0 - rho_v * V) / (rho_l - rho_v)
            if self.pressure_pa is not None and self.pressure_pa > p_sat:
                n_pad = (self.pressure_pa - p_sat) * v_gas / (R_GAS * T0)
            elif p_sat <= pa:
                vented = True
        cd = self.discharge_coefficient
        tank = _Tank(sub, V, self._section, hole_height, math.pi * self.hole_diameter_m ** 2 / 4,
                     cd if cd is not None else LIQUID_CD, cd if cd is not None else GAS_CD,
                     self.hole_length_m, pa, vented, gas_store)
        rows = integrate_tank(tank, m0, T0, n_pad, self.horizon_s)
        airborne_jet = rows["flow"] * np.array([airborne_fraction(f) for f in rows["f_v"]])
        rain = rows["flow"] - airborne_jet
        if np.any(rain > 0):
            pool = simulate_pool(rows["t"], rain, sub, GROUNDS[self.ground], self.ambient_temperature_K, pa,
                                 self.wind_speed_m_s, self.solar_flux_w_m2, self.bund_area_m2, self.horizon_s)
        else:
            z = np.zeros(len(rows["t"]))
            pool = PoolHistory(rows["t"], z, z, z, 0.0, 0.0)
        return {"tank": rows, "airborne_jet": airborne_jet, "rain": rain, "pool": pool}

    def model_copy(self, *, update=None, deep: bool = False) -> "TankRelease":
        """A copy (with ``update`` applied) that recomputes its history instead of inheriting the cache."""
        copy = super().model_copy(update=update, deep=deep)
        for key in ("_solution", "_history", "_cumulative_tables"):
            copy.__dict__.pop(key, None)
        return copy

    def history(self) -> SourceHistory:
        """The release's history on one time grid (tank values held after the outflow stops)."""
        return self._history

    @cached_property
    def _history(self) -> SourceHistory:
        sol = self._solution
        tank, pool = sol["tank"], sol["pool"]
        t_end = tank["t"][-1]
        # the pool's grid holds every tank time; where the outflow stops (t_end) a second node at the
        # same time carries the zero outflow after it, so that trapezoids of the arrays stay exact
        k_end = int(np.searchsorted(pool.time_s, t_end, side="right"))
        after = k_end < len(pool.time_s)
        pick = np.concatenate((np.arange(k_end), [k_end - 1] if after else [], np.arange(k_end, len(pool.time_s))))
        pick = pick.astype(int)
        t = pool.time_s[pick]
        inside = np.arange(len(t)) < k_end
        pool_evap = pool.evaporation_kg_s[pick]
        if after:
            pool_evap[k_end] = pool.evaporation_kg_s[k_end]  # the zero-length step: the next step's mean

        def on_grid(values: np.ndarray, hold: bool) -> np.ndarray:
            v = np.interp(t, tank["t"], values)
            return v if hold else np.where(inside, v, 0.0)

        idx = np.clip(np.searchsorted(tank["t"], t, side="right") - 1, 0, len(tank["t"]) - 1)
        phase = np.where(inside, tank["phase"][idx], PHASE_NONE).astype(np.int8)
        jet = on_grid(sol["airborne_jet"], False)
        return SourceHistory(
            time_s=t, outflow_kg_s=on_grid(tank["flow"], False), airborne_kg_s=jet + pool_evap,
            flash_fraction=on_grid(tank["f_v"], False), pool_radius_m=pool.radius_m[pick],
            pool_mass_kg=pool.mass_kg[pick], pool_evaporation_kg_s=pool_evap,
            tank_pressure_pa=on_grid(tank["p"], True), tank_mass_kg=on_grid(tank["m"], True),
            exit_velocity_m_s=on_grid(tank["velocity"], False), phase=phase)

    @cached_property
    def _cumulative_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        sol = self._solution
        t_jet, r_jet = sol["tank"]["t"], sol["airborne_jet"]
        cum_jet = np.concatenate(([0.0], np.cumsum(0.5 * (r_jet[1:] + r_jet[:-1]) * np.diff(t_jet))))
        pool = sol["pool"]
        cum_pool = np.concatenate(([0.0], np.cumsum(pool.evaporation_kg_s[1:] * np.diff(pool.time_s))))
        return t_jet, r_jet, cum_jet, pool.time_s, cum_pool

    def _cumulative(self, t: float) -> float:
        """Airborne mass released from start_s to t (exact integral of :meth:`rate_at`)."""
        t_jet, r_jet, cum_jet, t_pool, cum_pool = self._cumulative_tables
        tau = t - self.start_s
        if tau <= 0.0:
            return 0.0
        if tau >= t_jet[-1]:
            jet = cum_jet[-1]
        else:
            k = int(np.searchsorted(t_jet, tau, side="right") - 1)
            h = t_jet[k + 1] - t_jet[k]
            s = tau - t_jet[k]
            jet = cum_jet[k] + r_jet[k] * s + (r_jet[k + 1] - r_jet[k]) * s * s / (2.0 * h)
        return float(jet + np.interp(tau, t_pool, cum_pool))

    def mass_between(self, t0: float, t1: float) -> float:
        """Airborne mass (kg) entering the air over [t0, t1]: exact integral of :meth:`rate_at`."""
        if t1 <= t0:
            return 0.0
        return self._cumulative(t1) - self._cumulative(t0)

    def outflow_at(self, t: float) -> float:
        """Mass rate (kg/s) through the hole at time t (liquid, flashing or gas), linear between steps.

        This, not :meth:`rate_at`, is what drives a jet at the hole (e.g. its noise).
        """
        rows = self._solution["tank"]
        tau = t - self.start_s
        if not 0.0 <= tau <= rows["t"][-1]:
            return 0.0
        return float(np.interp(tau, rows["t"], rows["flow"]))

    def gas_jet_rate_at(self, t: float) -> float:
        """Mass rate (kg/s) of a gas jet at the hole at time t (what the leak-noise model hears): the outflow
        while it is gas, else 0. The airborne rate also counts the pool's evaporation, which makes no jet, and
        the ideal-gas jet is not the sound of a liquid or flashing two-phase jet."""
        return self.outflow_at(t) if self.phase_at(t) == PHASE_GAS else 0.0

    def phase_at(self, t: float) -> int:
        """Phase code of the outflow at time t (PHASE_NONE, _LIQUID, _FLASHING or _GAS), held over each step."""
        rows = self._solution["tank"]
        tau = t - self.start_s
        if not 0.0 <= tau <= rows["t"][-1] or len(rows["t"]) < 2:
            return PHASE_NONE
        k = min(int(np.searchsorted(rows["t"], tau, side="right")) - 1, len(rows["t"]) - 2)
        return int(rows["phase"][k])

    def rate_at(self, t: float) -> float:
        """Airborne rate (kg/s) at time t: flashed vapour + aerosol (or gas) + pool evaporation.

        The jet part is linear between the integration's times; the pool part is the mean
        evaporation over each pool step (constant on (t[k-1], t[k]]).
        """
        t_jet, r_jet, _, t_pool, _ = self._cumulative_tables
        tau = t - self.start_s
        if tau < 0.0:
            return 0.0
        jet = float(np.interp(tau, t_jet, r_jet)) if tau <= t_jet[-1] else 0.0
        k = int(np.searchsorted(t_pool, tau, side="left"))
        pool = float(self._solution["pool"].evaporation_kg_s[k]) if 1 <= k < len(t_pool) else 0.0
        return jet + pool
