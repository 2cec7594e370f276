"""Thermophysical properties of the stored substances: what a source-term calculation needs.

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.gas_dispersion.gases import GASES, R_GAS

WATSON_EXPONENT = 0.38
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
