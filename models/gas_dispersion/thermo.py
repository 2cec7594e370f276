"""Thermophysical properties of the stored substances: what a source-term calculation needs; and the
fog a cold cloud makes of the humidity it entrains (section "Fog" below).

For each liquefiable gas of :data:`models.gas_dispersion.gases.GASES` (chlorine, ammonia, propane,
sulfur dioxide, hydrogen sulfide): critical point, normal boiling point, saturation (vapour)
pressure, enthalpy of vaporisation, saturated-liquid density and liquid heat capacity, each with
the temperature range over which its source fitted it. Methane and carbon monoxide are critical
far below ambient and are kept as permanent gases (critical point and boiling point only). The
ideal-gas heat capacity (and so gamma) is the 298.15 K value of ``gases.Gas`` (NIST WebBook).

Correlations (T in K; Perry's coefficients give molar quantities per kmol)
-------------------------------------------------------------------------
DIPPR 101, vapour pressure (Pa)::

    ln p_sat = C1 + C2 / T + C3 ln T + C4 T^C5

DIPPR 105, saturated-liquid density (kmol m-3)::

    rho_l = C1 / C2^(1 + (1 - T / C3)^C4)

DIPPR 100, liquid heat capacity (J kmol-1 K-1)::

    c_pl = C1 + C2 T + C3 T^2 + C4 T^3 + C5 T^4

DIPPR 114, liquid heat capacity near the critical point (J kmol-1 K-1), tau = 1 - T / T_c::

    c_pl = C1^2 / tau + C2 - 2 C1 C3 tau - C1 C4 tau^2 - C3^2 tau^3 / 3 - C3 C4 tau^4 / 2 - C4^2 tau^5 / 5

Watson (1943, Ind. Eng. Chem. 35:398) for the enthalpy of vaporisation from its value at the
normal boiling point (exponent 0.38, as recommended by Poling, Prausnitz & O'Connell 2001,
*The Properties of Gases and Liquids*, 5th ed., ch. 7)::

    Delta h_v(T) = Delta h_v(T_b) ((T_c - T) / (T_c - T_b))^0.38

Sources of the coefficients
---------------------------
- DIPPR 101 and 105: Perry's Chemical Engineers' Handbook, 8th ed. (Green & Perry 2008),
  Table 2-8 (vapour pressure of inorganic and organic liquids) and Table 2-32 (densities of
  inorganic and organic liquids), both from the DIPPR 801 database (Rowley et al.).
- DIPPR 100 and 114: Perry's 8th ed., Table 2-153 (heat capacities of inorganic and organic
  liquids). Chlorine's DIPPR 100 set is fitted only up to its normal boiling point (239.12 K);
  it is used here up to 330 K, an extrapolation (it gives 0.90 kJ kg-1 K-1 at 20 C, about 5 %
  below handbook values near 0.95); the flash fraction of chlorine is proportional to it.
- Critical constants: Perry's 8th ed., table of critical constants (DIPPR), the same T_c the
  DIPPR 105 and 114 sets were fitted with (methane and CO: NIST WebBook). Normal boiling
  points: NIST Chemistry WebBook, SRD 69.
- Delta h_v at the normal boiling point: CRC Handbook of Chemistry and Physics (Haynes ed.),
  "Enthalpy of vaporization" table (Majer & Svoboda 1985, *Enthalpies of Vaporization of
  Organic Compounds*, IUPAC Chem. Data Ser. 32; inorganic values from the same CRC table).

Checks (tests): p_sat(T_b) = 101325 Pa within 0.5 % for every substance; p_sat at 293.15 K
within 1 % of the NIST WebBook saturation values of ammonia (857.5 kPa) and propane (836.5 kPa).

Every function raises ValueError outside the validity range of its correlation.

==========  ============================================  =============
symbol      meaning                                       unit
==========  ============================================  =============
T           temperature                                   K
T_c, p_c    critical temperature and pressure             K, Pa
T_b         normal boiling point (p_sat = 101325 Pa)      K
p_sat       saturation (vapour) pressure                  Pa
rho_l       saturated-liquid density                      kg m-3
c_pl        liquid heat capacity (at saturation)          J kg-1 K-1
Delta h_v   enthalpy of vaporisation                      J kg-1
M           molar mass                                    kg mol-1
==========  ============================================  =============

Fog: the humidity of entrained air condensing in a cold cloud
-------------------------------------------------------------
A cold cloud of flashed ammonia or LPG mixing with humid air chills the air below its dew point:
the water condenses into droplets and the cloud is seen as white fog (the Desert Tortoise and
Kit Fox films). Homogeneous equilibrium (Wheatley 1987, SRD R410; Kukkonen, Kulmala et al. 1994,
Atmos. Environ. 28:2763): the mixture of a kg of source gas and entrained humid air is at one
temperature T, its water vapour at most saturated over liquid water at T, the rest liquid, and
its enthalpy that of the parts before mixing (adiabatic, isobaric):

    H(T) = (m_g c_pg + m_d c_pa) (T - T_0) + m_v (L_0 + c_pv (T - T_0)) + m_l c_w (T - T_0) = H_0
    m_v = min(m_t, m_v,sat(T)),   m_l = m_t - m_v,
    m_v,sat(T) = M_w e_s(T) / (p - e_s(T)) (m_g / M_g + m_d / M_d)           (Dalton's law)

with enthalpies referred to liquid water and the gases at T_0 = 273.15 K, so the latent heat is
L(T) = L_0 + (c_pv - c_w) (T - T_0) (Kirchhoff's relation with constant heat capacities). The
saturation vapour pressure over (possibly supercooled) liquid water is the Magnus form of
Alduchov & Eskridge (1996, J. Appl. Meteor. 35:601, their AERK fit, -40 to 50 C):

    e_s(T) = 610.94 exp(17.625 t / (t + 243.04)) Pa,   t = T - 273.15 K

The condensate is liquid at every temperature (no ice): small droplets formed in a few seconds
stay supercooled; below -40 C, where they would freeze (and beyond the fit's range, where the
Magnus form is extrapolated), e_s is a few Pa and nearly all the water is condensed either way,
so the heat of fusion (13 % of L) is what is left out.

Mixing fractions. The layer (:mod:`shallow_layer`) carries phi, the volume fraction of source gas,
from isothermal volume-additive mixing: a m3 of cloud is phi m3 of source gas at its own state
(T_s, p) and 1 - phi m3 of ambient humid air (T_a, p, RH). The source gas is the model's source
mixture (``dense_layer._source_gas``): a share w_g of substance and 1 - w_g of dry air per kg at
T_s. Its air was entrained by the flashing jet with the ambient humidity: it brings r_a kg of
water per kg of dry air, whose enthalpy is that of ambient vapour (the jet's heat balance,
:func:`source_terms.aerosol_free_mixture`, is for dry air; the vapour enters as it was).

Heat taken up besides (from the ground, :mod:`layer_thermo`) adds to H_0. The mixture's volume
(N + m_v / M_w) R T / p (the liquid's own volume neglected) and mass m_g + m_d + m_t give the dense
layer its depth and buoyancy there, so the latent heat of condensation makes the cloud lighter.

Neglected: ammonia dissolving in the droplets (Wheatley 1987 treats the NH3-H2O solution; its
heat of solution and lowered vapour pressure make more liquid: neglecting it under-predicts the
fog of ammonia), the sun, the droplets' settling and the volume of the liquid.

==========  =====================================================  =============
symbol      meaning                                                unit
==========  =====================================================  =============
phi         volume fraction of source gas in the cloud             1
T_s, T_a    source-gas and ambient temperature                     K
T           mixture temperature                                    K
p           pressure                                               Pa
w_g         mass share of substance in the source gas              1
r_a         ambient water vapour mixing ratio (per kg dry air)     kg kg-1
m_g, m_d    substance and dry air in the mixture                   kg
m_t         total water; m_v vapour, m_l liquid                    kg
M_g, M_d    molar masses of substance and dry air; M_w water       kg mol-1
c_pg        isobaric heat capacity of substance vapour             J kg-1 K-1
c_pa, c_pv  of dry air and water vapour; c_w of liquid water       J kg-1 K-1
L_0         latent heat of condensation at T_0                     J kg-1
e_s         saturation vapour pressure over liquid water           Pa
H           enthalpy of the mixture                                J
heat        heat taken up besides the parts' own (ground)          J
LWC         liquid water per m3 of cloud                           kg m-3
==========  =====================================================  =============
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from models.gas_dispersion.gases import GASES, R_GAS

WATSON_EXPONENT = 0.38
DRY_AIR_MOLAR_MASS = 28.9647e-3  # kg mol-1 (ISO 2533)
DRY_AIR_HEAT_CAPACITY = 1006.0  # J kg-1 K-1, near 270 K (Incropera & DeWitt Table A.4)
STANDARD_PRESSURE_PA = 101325.0


@dataclass(frozen=True)
class Correlation:
    """One DIPPR equation: its number, coefficients (Perry's units, per kmol) and validity range."""

    equation: int  # 100, 101, 105 or 114
    coefficients: tuple[float, ...]
    t_min_K: float
    t_max_K: float

    def __call__(self, temperature_K: float, what: str, critical_temperature_K: float = 0.0) -> float:
        T = float(temperature_K)
        if not self.t_min_K <= T <= self.t_max_K:
            raise ValueError(f"{what}: temperature {T:.2f} K outside the correlation's range "
                             f"[{self.t_min_K:.2f}, {self.t_max_K:.2f}] K")
        C = self.coefficients
        if self.equation == 101:
            return math.exp(C[0] + C[1] / T + C[2] * math.log(T) + C[3] * T ** C[4])
        if self.equation == 105:
            return C[0] / C[1] ** (1.0 + (1.0 - min(T / C[2], 1.0)) ** C[3])
        if self.equation == 100:
            return C[0] + T * (C[1] + T * (C[2] + T * (C[3] + T * C[4])))
        if self.equation == 114:
            tau = 1.0 - T / critical_temperature_K
            a, b, c, d = C
            return (a * a / tau + b - 2 * a * c * tau - a * d * tau ** 2 - c * c * tau ** 3 / 3
                    - c * d * tau ** 4 / 2 - d * d * tau ** 5 / 5)
        raise ValueError(f"unknown DIPPR equation {self.equation}")


@dataclass(frozen=True)
class Substance:
    """A stored substance: critical point, boiling point and (if liquefiable) liquid properties."""

    name: str
    molar_mass_kg_mol: float
    critical_temperature_K: float
    critical_pressure_pa: float
    normal_boiling_point_K: float
    vaporisation_enthalpy_at_boiling_j_mol: float | None = None
    vapour_pressure: Correlation | None = None
    liquid_density: Correlation | None = None
    liquid_heat_capacity: Correlation | None = None

    @property
    def liquefiable(self) -> bool:
        """True when the liquid properties are tabulated (not a permanent gas)."""
        return self.vapour_pressure is not None

    @property
    def gamma(self) -> float:
        """Ideal-gas ratio of specific heats at 298.15 K (``gases.Gas.gamma``)."""
        return GASES[self.name].gamma

    @property
    def gas_constant_j_kg_k(self) -> float:
        """Specific gas constant R / M."""
        return R_GAS / self.molar_mass_kg_mol

    def _liquid(self, what: str) -> None:
        if not self.liquefiable:
            raise ValueError(f"{what}: {self.name} is a permanent gas here (no liquid properties)")

    def vapour_pressure_pa(self, temperature_K: float) -> float:
        """Saturation pressure p_sat(T) (DIPPR 101)."""
        self._liquid("vapour pressure")
        return self.vapour_pressure(temperature_K, f"{self.name} vapour pressure")

    def saturation_temperature_K(self, pressure_pa: float) -> float:
        """Inverse of :meth:`vapour_pressure_pa`: the boiling point at ``pressure_pa`` (Newton on ln p)."""
        self._liquid("saturation temperature")
        corr = self.vapour_pressure
        p_lo, p_hi = corr(corr.t_min_K, "p_sat"), corr(corr.t_max_K, "p_sat")
        if not p_lo <= pressure_pa <= p_hi:
            raise ValueError(f"saturation temperature: pressure {pressure_pa:.6g} Pa outside "
                             f"[{p_lo:.4g}, {p_hi:.4g}] Pa for {self.name}")
        # ln p is nearly linear in 1/T (Clausius-Clapeyron): Newton in x = 1/T converges in a few steps
        T = self.normal_boiling_point_K
        target = math.log(pressure_pa)
        for _ in range(50):
            T = min(max(T, corr.t_min_K), corr.t_max_K)
            f = math.log(corr(T, "p_sat")) - target
            h = 1e-4 * T
            T_hi = min(T + h, corr.t_max_K)
            slope = (math.log(corr(T_hi, "p_sat")) - math.log(corr(T_hi - h, "p_sat"))) / h
            step = f / slope
            T -= step
            if abs(step) < 1e-9 * T:
                break
        return min(max(T, corr.t_min_K), corr.t_max_K)

    def liquid_density_kg_m3(self, temperature_K: float) -> float:
        """Saturated-liquid density (DIPPR 105)."""
        self._liquid("liquid density")
        return self.liquid_density(temperature_K, f"{self.name} liquid density") * self.molar_mass_kg_mol * 1e3

    def liquid_heat_capacity_j_kg_k(self, temperature_K: float) -> float:
        """Liquid heat capacity (DIPPR 100 or 114), per kg."""
        self._liquid("liquid heat capacity")
        per_kmol = self.liquid_heat_capacity(temperature_K, f"{self.name} liquid heat capacity",
                                             self.critical_temperature_K)
        return per_kmol / (self.molar_mass_kg_mol * 1e3)

    def vaporisation_enthalpy_j_kg(self, temperature_K: float) -> float:
        """Enthalpy of vaporisation Delta h_v(T) by Watson's relation from its value at T_b."""
        self._liquid("enthalpy of vaporisation")
        T, Tb, Tc = float(temperature_K), self.normal_boiling_point_K, self.critical_temperature_K
        t_min = self.vapour_pressure.t_min_K
        if not t_min <= T < Tc:
            raise ValueError(f"{self.name} enthalpy of vaporisation: temperature {T:.2f} K outside "
                             f"[{t_min:.2f}, {Tc:.2f}) K")
        dh_b = self.vaporisation_enthalpy_at_boiling_j_mol / self.molar_mass_kg_mol
        return dh_b * ((Tc - T) / (Tc - Tb)) ** WATSON_EXPONENT

    def vapour_density_kg_m3(self, temperature_K: float, pressure_pa: float) -> float:
        """Ideal-gas density p M / (R T) of the vapour (compressibility neglected)."""
        return pressure_pa * self.molar_mass_kg_mol / (R_GAS * temperature_K)


def _c(equation: int, coefficients: tuple[float, ...], t_min: float, t_max: float) -> Correlation:
    return Correlation(equation, coefficients, t_min, t_max)


SUBSTANCES: dict[str, Substance] = {
    s.name: s
    for s in (
        Substance("chlorine", GASES["chlorine"].molar_mass_kg_mol, 417.15, 7.991e6, 239.11,
                  vaporisation_enthalpy_at_boiling_j_mol=20410.0,
                  vapour_pressure=_c(101, (71.334, -3855.0, -8.5171, 0.012378, 1.0), 172.12, 417.15),
                  liquid_density=_c(105, (2.23, 0.27645, 417.15, 0.2926), 172.12, 417.15),
                  # Perry's range ends at 239.12 K; extended to 330 K (see module docstring)
                  liquid_heat_capacity=_c(100, (63936.0, 46.35, -0.1623, 0.0, 0.0), 172.12, 330.0)),
        Substance("ammonia", GASES["ammonia"].molar_mass_kg_mol, 405.65, 11.28e6, 239.82,
                  vaporisation_enthalpy_at_boiling_j_mol=23330.0,
                  vapour_pressure=_c(101, (90.483, -4669.7, -11.607, 0.017194, 1.0), 195.41, 405.65),
                  liquid_density=_c(105, (3.5383, 0.25443, 405.65, 0.2888), 195.41, 405.65),
                  liquid_heat_capacity=_c(114, (61.289, 80925.0, 799.4, -2651.0), 203.15, 401.15)),
        Substance("propane", GASES["propane"].molar_mass_kg_mol, 369.83, 4.248e6, 231.04,
                  vaporisation_enthalpy_at_boiling_j_mol=19040.0,
                  vapour_pressure=_c(101, (59.078, -3492.6, -6.0669, 1.0919e-5, 2.0), 85.47, 369.83),
                  liquid_density=_c(105, (1.3757, 0.27453, 369.83, 0.29359), 85.47, 369.83),
                  liquid_heat_capacity=_c(114, (62.983, 113630.0, 633.21, -873.46), 85.47, 360.0)),
        Substance("sulfur_dioxide", GASES["sulfur_dioxide"].molar_mass_kg_mol, 430.75, 7.884e6, 263.13,
                  vaporisation_enthalpy_at_boiling_j_mol=24940.0,
                  vapour_pressure=_c(101, (47.365, -4084.5, -3.6469, 1.8e-17, 6.0), 197.67, 430.75),
                  liquid_density=_c(105, (2.106, 0.25842, 430.75, 0.2895), 197.67, 430.75),
                  liquid_heat_capacity=_c(100, (85743.0, 5.7443, 0.0, 0.0, 0.0), 197.67, 350.0)),
        Substance("hydrogen_sulfide", GASES["hydrogen_sulfide"].molar_mass_kg_mol, 373.53, 8.963e6, 212.87,
                  vaporisation_enthalpy_at_boiling_j_mol=18670.0,
                  vapour_pressure=_c(101, (85.584, -3839.9, -11.199, 0.018848, 1.0), 187.68, 373.53),
                  liquid_density=_c(105, (2.7672, 0.27369, 373.53, 0.29015), 187.68, 373.53),
                  liquid_heat_capacity=_c(114, (64.666, 49354.0, 22.493, -1623.0), 187.68, 370.0)),
        # permanent gases: critical point and boiling point only (NIST WebBook)
        Substance("methane", GASES["methane"].molar_mass_kg_mol, 190.56, 4.599e6, 111.67),
        Substance("carbon_monoxide", GASES["carbon_monoxide"].molar_mass_kg_mol, 132.86, 3.494e6, 81.64),
    )
}


def substance(name: str) -> Substance:
    """The :class:`Substance` called ``name``; ValueError naming the known ones otherwise."""
    try:
        return SUBSTANCES[name]
    except KeyError:
        raise ValueError(f"substance {name!r} has no thermodynamic data; expected one of "
                         f"{', '.join(sorted(SUBSTANCES))}") from None


# -- fog (module docstring, "Fog") ------------------------------------------------------------------
FREEZING_POINT_K = 273.15
WATER_MOLAR_MASS = 18.01528e-3  # kg mol-1
# Water substance near 0 C (Emanuel 1994, Atmospheric Convection, Oxford UP, sec. 4.1 and table):
WATER_VAPOUR_HEAT_CAPACITY = 1870.0  # c_pv, J kg-1 K-1
LIQUID_WATER_HEAT_CAPACITY = 4190.0  # c_w, J kg-1 K-1
LATENT_HEAT_0 = 2.501e6  # L_0 at 273.15 K, J kg-1
LIQUID_WATER_DENSITY = 1000.0  # kg m-3
# Alduchov & Eskridge (1996) AERK coefficients
MAGNUS_E0_PA = 610.94
MAGNUS_A = 17.625
MAGNUS_B_C = 243.04
_FOG_ITERATIONS = 60


@njit(cache=True)
def saturation_vapour_pressure_water(T):
    """e_s(T) over liquid water (Pa), Alduchov & Eskridge (1996) Magnus form."""
    t = T - FREEZING_POINT_K
    return MAGNUS_E0_PA * math.exp(MAGNUS_A * t / (t + MAGNUS_B_C))


def mixing_ratio(relative_humidity: float, temperature_K: float, pressure_pa: float) -> float:
    """Water vapour mixing ratio r = (M_w / M_d) e / (p - e), e = RH e_s(T) (kg per kg of dry air)."""
    if not 0.0 <= relative_humidity <= 1.0:
        raise ValueError(f"relative_humidity: expected 0 <= RH <= 1, got {relative_humidity!r}")
    e = relative_humidity * saturation_vapour_pressure_water(float(temperature_K))
    return WATER_MOLAR_MASS / DRY_AIR_MOLAR_MASS * e / (pressure_pa - e)


@njit(cache=True)
def mixture_cell(phi, heat, T_s, w_g, M_g, c_pg, T_a, p, r_a):
    """(T, LWC, volume, mass) of the mixture of phi m3 of source gas and 1 - phi m3 of ambient air (their
    unmixed states) that has taken up ``heat`` J besides: the enthalpy balance H(T) = H_0 + heat solved by
    safeguarded Newton (see above). volume (m3) and mass (kg, water included) are those of the mixture."""
    T_0, M_d, M_w = FREEZING_POINT_K, DRY_AIR_MOLAR_MASS, WATER_MOLAR_MASS
    c_pa, c_pv, c_w, L_0 = DRY_AIR_HEAT_CAPACITY, WATER_VAPOUR_HEAT_CAPACITY, LIQUID_WATER_HEAT_CAPACITY, LATENT_HEAT_0
    R = R_GAS
    # masses in a m3 of unmixed source gas and ambient air
    M_s = 1.0 / (w_g / M_g + (1.0 - w_g) / M_d)
    S = phi * p * M_s / (R * T_s)
    x_v = (r_a / M_w) / (r_a / M_w + 1.0 / M_d)
    A = (1.0 - phi) * p * (M_d * (1.0 - x_v) + M_w * x_v) / (R * T_a)
    m_g = S * w_g
    m_d_s = S * (1.0 - w_g)
    m_d_a = A / (1.0 + r_a)
    m_d = m_d_s + m_d_a
    m_t = (m_d_s + m_d_a) * r_a
    H_0 = ((m_g * c_pg + m_d_s * c_pa) * (T_s - T_0) + m_d_a * c_pa * (T_a - T_0) + m_t * (L_0 + c_pv * (T_a - T_0))
           + heat)
    C_dry = m_g * c_pg + m_d * c_pa
    N = m_g / M_g + m_d / M_d
    # all water vapour
    T = T_0 + (H_0 - m_t * L_0) / (C_dry + m_t * c_pv)
    e_s = saturation_vapour_pressure_water(T)
    m_l = 0.0
    if M_w * e_s / (p - e_s) * N < m_t:
        lo = T
        hi = T_0 + H_0 / (C_dry + m_t * c_w)  # all water liquid
        T = hi
        for _ in range(_FOG_ITERATIONS):
            t = T - T_0
            e_s = saturation_vapour_pressure_water(T)
            m_v = M_w * e_s / (p - e_s) * N
            L = L_0 + (c_pv - c_w) * t
            f = C_dry * t + m_t * c_w * t + m_v * L - H_0
            if f > 0.0:
                hi = T
            else:
                lo = T
            de_s = e_s * MAGNUS_A * MAGNUS_B_C / ((t + MAGNUS_B_C) * (t + MAGNUS_B_C))
            dm_v = M_w * N * p / ((p - e_s) * (p - e_s)) * de_s
            slope = C_dry + m_t * c_w + m_v * (c_pv - c_w) + dm_v * L
            T_new = T - f / slope
            if not lo < T_new < hi:
                T_new = 0.5 * (lo + hi)
            step = T_new - T
            T = T_new
            if abs(step) < 1e-13 * T:
                break
        e_s = saturation_vapour_pressure_water(T)
        m_l = max(m_t - M_w * e_s / (p - e_s) * N, 0.0)
    m_v = m_t - m_l
    volume = (N + m_v / M_w) * R * T / p
    return T, m_l / volume, volume, m_g + m_d + m_t


@njit(cache=True)
def _fog_cell(phi, T_s, w_g, M_g, c_pg, T_a, p, r_a):
    """(T, LWC) of one cell of the heat-free mixture (ambient where phi <= 0)."""
    if phi <= 0.0:
        return T_a, 0.0
    T, lwc, _, _ = mixture_cell(phi, 0.0, T_s, w_g, M_g, c_pg, T_a, p, r_a)
    return T, lwc


@njit(cache=True)
def fog_mixing_kernel(phi, T_s, w_g, M_g, c_pg, T_a, p, r_a, out_T, out_lwc):
    """Temperature and liquid water content of every cell of a cloud of source-gas fraction ``phi``.

    phi, out_T, out_lwc : 1-d arrays of the same length; the others scalars (symbols above).
    """
    for k in range(phi.size):
        T, lwc = _fog_cell(phi[k], T_s, w_g, M_g, c_pg, T_a, p, r_a)
        out_T[k] = T
        out_lwc[k] = lwc


def fog_mixing_reference(phi, T_s, w_g, M_g, c_pg, T_a, p, r_a):
    """Plain-NumPy twin of :func:`fog_mixing_kernel` (whole arrays at once); returns (T, LWC)."""
    phi = np.asarray(phi, dtype=np.float64)
    T, lwc, _, _ = mixture_reference(phi, 0.0, T_s, w_g, M_g, c_pg, T_a, p, r_a)
    return np.where(phi > 0.0, T, T_a), np.where(phi > 0.0, lwc, 0.0)


def mixture_reference(phi, heat, T_s, w_g, M_g, c_pg, T_a, p, r_a):
    """Plain-NumPy twin of :func:`mixture_cell` (whole arrays at once): (T, LWC, volume, mass)."""
    phi = np.asarray(phi, dtype=np.float64)
    heat = np.asarray(heat, dtype=np.float64)
    T_0, M_d, M_w = FREEZING_POINT_K, DRY_AIR_MOLAR_MASS, WATER_MOLAR_MASS
    c_pa, c_pv, c_w, L_0 = DRY_AIR_HEAT_CAPACITY, WATER_VAPOUR_HEAT_CAPACITY, LIQUID_WATER_HEAT_CAPACITY, LATENT_HEAT_0

    def e_sat(T):
        t = T - T_0
        return MAGNUS_E0_PA * np.exp(MAGNUS_A * t / (t + MAGNUS_B_C))

    M_s = 1.0 / (w_g / M_g + (1.0 - w_g) / M_d)
    S = phi * p * M_s / (R_GAS * T_s)
    x_v = (r_a / M_w) / (r_a / M_w + 1.0 / M_d)
    A = (1.0 - phi) * p * (M_d * (1.0 - x_v) + M_w * x_v) / (R_GAS * T_a)
    m_g, m_d_s, m_d_a = S * w_g, S * (1.0 - w_g), A / (1.0 + r_a)
    m_d = m_d_s + m_d_a
    m_t = m_d * r_a
    H_0 = ((m_g * c_pg + m_d_s * c_pa) * (T_s - T_0) + m_d_a * c_pa * (T_a - T_0) + m_t * (L_0 + c_pv * (T_a - T_0))
           + heat)
    C_dry = m_g * c_pg + m_d * c_pa
    N = m_g / M_g + m_d / M_d
    T_vapour = T_0 + (H_0 - m_t * L_0) / (C_dry + m_t * c_pv)
    saturated = M_w * e_sat(T_vapour) / (p - e_sat(T_vapour)) * N < m_t
    lo, hi = T_vapour.copy(), T_0 + H_0 / (C_dry + m_t * c_w)
    T = hi.copy()
    active = saturated.copy()
    for _ in range(_FOG_ITERATIONS):
        if not active.any():
            break
        t = T - T_0
        e_s = e_sat(T)
        m_v = M_w * e_s / (p - e_s) * N
        L = L_0 + (c_pv - c_w) * t
        f = C_dry * t + m_t * c_w * t + m_v * L - H_0
        hi = np.where(active & (f > 0.0), T, hi)
        lo = np.where(active & ~(f > 0.0), T, lo)
        de_s = e_s * MAGNUS_A * MAGNUS_B_C / (t + MAGNUS_B_C) ** 2
        slope = C_dry + m_t * c_w + m_v * (c_pv - c_w) + M_w * N * p / (p - e_s) ** 2 * de_s * L
        T_new = T - f / slope
        T_new = np.where((lo < T_new) & (T_new < hi), T_new, 0.5 * (lo + hi))
        converged = np.abs(T_new - T) < 1e-13 * T_new
        T = np.where(active, T_new, T)
        active &= ~converged
    e_s = e_sat(T)
    m_l = np.where(saturated, np.maximum(m_t - M_w * e_s / (p - e_s) * N, 0.0), 0.0)
    T = np.where(saturated, T, T_vapour)
    volume = (N + (m_t - m_l) / M_w) * R_GAS * T / p
    return T, m_l / volume, volume, m_g + m_d + m_t


def mixture_constants(source_temperature_K: float, substance_mass_share: float, substance_name: str,
                      air_temperature_K: float, pressure_pa: float, relative_humidity: float) -> tuple:
    """The scalar arguments (T_s, w_g, M_g, c_pg, T_a, p, r_a) of :func:`mixture_cell` and the fog kernels.

    The source gas: ``substance_mass_share`` of ``substance_name`` vapour and the rest dry air, at
    ``source_temperature_K``; it mixes with ambient air at ``air_temperature_K``, ``pressure_pa`` and
    ``relative_humidity`` (0-1, over liquid water).
    """
    if not 0.0 < substance_mass_share <= 1.0:
        raise ValueError(f"substance_mass_share: expected 0 < w <= 1, got {substance_mass_share!r}")
    if not 100.0 < source_temperature_K < 500.0:
        raise ValueError(f"source_temperature_K: expected 100-500 K, got {source_temperature_K!r}")
    if not 200.0 < air_temperature_K < 330.0:
        raise ValueError(f"air_temperature_K: expected 200-330 K, got {air_temperature_K!r}")
    r_a = mixing_ratio(relative_humidity, air_temperature_K, pressure_pa)
    if substance_name not in GASES:
        raise ValueError(f"substance_name: unknown gas {substance_name!r}; expected one of {', '.join(sorted(GASES))}")
    gas = GASES[substance_name]
    c_pg = gas.gamma / (gas.gamma - 1.0) * R_GAS / gas.molar_mass_kg_mol
    return (float(source_temperature_K), float(substance_mass_share), gas.molar_mass_kg_mol, c_pg,
            float(air_temperature_K), float(pressure_pa), r_a)


def fog_mixing(source_fraction, source_temperature_K: float, substance_mass_share: float, substance_name: str,
               air_temperature_K: float, pressure_pa: float, relative_humidity: float):
    """(T (K), LWC (kg m-3)) of a cloud of source-gas volume fraction ``source_fraction`` (any shape),
    the source gas and the air as :func:`mixture_constants`. Where the fraction is 0: T_a and no liquid."""
    phi = np.asarray(source_fraction, dtype=np.float64)
    if np.any(~np.isfinite(phi)) or np.any(phi < 0.0) or np.any(phi > 1.0):
        raise ValueError("source_fraction: expected finite volume fractions in [0, 1]")
    constants = mixture_constants(source_temperature_K, substance_mass_share, substance_name, air_temperature_K,
                                  pressure_pa, relative_humidity)
    flat = np.ascontiguousarray(phi.ravel())
    T, lwc = np.empty_like(flat), np.empty_like(flat)
    fog_mixing_kernel(flat, *constants, T, lwc)
    return T.reshape(phi.shape), lwc.reshape(phi.shape)


def fog_extinction_coefficient(liquid_water_content_kg_m3, effective_radius_m: float):
    """Visible extinction of fog droplets, beta = 3 LWC / (2 rho_w r_e) (m-1).

    Geometric optics (extinction efficiency 2 for droplets much larger than the wavelength) over
    a size distribution of effective radius r_e = <r^3> / <r^2> (Hansen & Travis 1974, Space Sci.
    Rev. 16:527; the form used for fog visibility by Gultepe et al. 2006, J. Appl. Meteor.
    Climatol. 45:1469).
    """
    if not effective_radius_m > 0.0:
        raise ValueError(f"effective_radius_m: expected > 0, got {effective_radius_m!r}")
    return 3.0 * np.asarray(liquid_water_content_kg_m3) / (2.0 * LIQUID_WATER_DENSITY * effective_radius_m)
