"""Properties and exposure guidelines of common hazardous gases.

Values in ppm (mole fraction x 1e6). ``None`` means the level was not established
(AEGL "NR": not recommended for lack of data).

Sources
-------
- Molar masses: IUPAC 2013 standard atomic weights.
- AEGL: US EPA, *Final AEGLs* (2014 compilation) of the National Research Council series
  *Acute Exposure Guideline Levels for Selected Airborne Chemicals*; propane from Vol. 12
  (NRC 2012), Table 7-1.
  Methane has no AEGLs (a simple asphyxiant; its hazard is flammability).
- ERPG: AIHA, *Emergency Response Planning Guidelines* (2016 handbook).
- LEL and IDLH: NIOSH Pocket Guide to Chemical Hazards (DHHS/NIOSH 2007-149): lower
  explosive limit (vol %) and Immediately Dangerous to Life or Health concentration (ppm;
  propane's IDLH is set at 10 % of its LEL for safety).
- Ideal-gas molar heat capacity C_p at 298.15 K (for the ratio of specific heats
  gamma = C_p / (C_p - R) of an ideal gas, used by the leak-jet noise model): NIST Chemistry
  WebBook, SRD 69 (Linstrom & Mallard, eds.). Cl2, NH3, H2S, CO and SO2: the Shomate fit of
  Chase (1998, NIST-JANAF Thermochemical Tables, 4th ed., J. Phys. Chem. Ref. Data Monograph 9)
  evaluated at 298.15 K; CH4: 35.69 J/(mol K), Gurvich, Veyts & Alcock (1989); C3H8:
  73.60 J/(mol K), Chao, Wilhoit & Zwolinski (1973, J. Phys. Chem. Ref. Data 2:427).
"""

from __future__ import annotations

from dataclasses import dataclass

# AEGL exposure durations, in the order of every AEGL tuple below.
AEGL_DURATIONS = ("10min", "30min", "60min", "4h", "8h")


@dataclass(frozen=True)
class Gas:
    """One gas: molar mass, exposure guidelines and flammability."""

    name: str
    formula: str
    molar_mass_kg_mol: float
    # AEGL-1, -2, -3 for each duration in AEGL_DURATIONS (ppm); None where not established.
    aegl_ppm: tuple[tuple[float | None, ...], ...] | None
    erpg_ppm: tuple[float | None, float | None, float | None] | None
    lel_percent: float | None
    idlh_ppm: float | None = None
    cf_mass_name: str | None = None  # CF standard names, where the table has them
    cf_mole_name: str | None = None
    heat_capacity_j_mol_k: float | None = None  # ideal-gas C_p at 298.15 K (see Sources)

    def aegl(self, duration: str) -> tuple[float | None, float | None, float | None] | None:
        """(AEGL-1, AEGL-2, AEGL-3) in ppm for one exposure duration, or None if none exist."""
        if self.aegl_ppm is None:
            return None
        k = AEGL_DURATIONS.index(duration)
        return tuple(level[k] for level in self.aegl_ppm)  # type: ignore[return-value]

    @property
    def flammable(self) -> bool:
        return self.lel_percent is not None

    @property
    def gamma(self) -> float:
        """Ratio of specific heats of the ideal gas at 298.15 K, C_p / (C_p - R)."""
        if self.heat_capacity_j_mol_k is None:
            raise ValueError(f"no heat capacity is tabulated for {self.name}")
        return self.heat_capacity_j_mol_k / (self.heat_capacity_j_mol_k - R_GAS)


GASES: dict[str, Gas] = {
    g.name: g
    for g in (
        Gas("chlorine", "Cl2", 70.906e-3,
            aegl_ppm=((0.5, 0.5, 0.5, 0.5, 0.5), (2.8, 2.8, 2.0, 1.0, 0.71), (50.0, 28.0, 20.0, 10.0, 7.1)),
            erpg_ppm=(1.0, 3.0, 20.0), lel_percent=None, idlh_ppm=10.0, heat_capacity_j_mol_k=33.95),
        Gas("ammonia", "NH3", 17.031e-3,
            aegl_ppm=((30.0, 30.0, 30.0, 30.0, 30.0), (220.0, 220.0, 160.0, 110.0, 110.0),
                      (2700.0, 1600.0, 1100.0, 550.0, 390.0)),
            erpg_ppm=(25.0, 150.0, 750.0), lel_percent=15.0, idlh_ppm=300.0,
            cf_mass_name="mass_concentration_of_ammonia_in_air", cf_mole_name="mole_fraction_of_ammonia_in_air",
            heat_capacity_j_mol_k=35.65),
        Gas("hydrogen_sulfide", "H2S", 34.081e-3,
            aegl_ppm=((0.75, 0.60, 0.51, 0.36, 0.33), (41.0, 32.0, 27.0, 20.0, 17.0), (76.0, 59.0, 50.0, 37.0, 31.0)),
            erpg_ppm=(0.1, 30.0, 100.0), lel_percent=4.0, idlh_ppm=50.0,
            cf_mole_name="mole_fraction_of_hydrogen_sulfide_in_air", heat_capacity_j_mol_k=34.20),
        Gas("methane", "CH4", 16.043e-3, aegl_ppm=None, erpg_ppm=None, lel_percent=5.0,
            cf_mass_name="mass_concentration_of_methane_in_air", cf_mole_name="mole_fraction_of_methane_in_air",
            heat_capacity_j_mol_k=35.69),
        Gas("propane", "C3H8", 44.097e-3,
            aegl_ppm=((10000.0, 6900.0, 5500.0, 5500.0, 5500.0), (17000.0,) * 5, (33000.0,) * 5),
            erpg_ppm=None, lel_percent=2.1, idlh_ppm=2100.0,
            cf_mass_name="mass_concentration_of_propane_in_air", cf_mole_name="mole_fraction_of_propane_in_air",
            heat_capacity_j_mol_k=73.60),
        Gas("carbon_monoxide", "CO", 28.010e-3,
            aegl_ppm=((None,) * 5, (420.0, 150.0, 83.0, 33.0, 27.0), (1700.0, 600.0, 330.0, 150.0, 130.0)),
            erpg_ppm=(200.0, 350.0, 500.0), lel_percent=12.5, idlh_ppm=1200.0,
            cf_mass_name="mass_concentration_of_carbon_monoxide_in_air",
            cf_mole_name="mole_fraction_of_carbon_monoxide_in_air", heat_capacity_j_mol_k=29.15),
        Gas("sulfur_dioxide", "SO2", 64.066e-3,
            aegl_ppm=((0.20,) * 5, (0.75,) * 5, (42.0, 32.0, 27.0, 19.0, 16.0)),
            erpg_ppm=(0.3, 3.0, 15.0), lel_percent=None, idlh_ppm=100.0,
            cf_mass_name="mass_concentration_of_sulfur_dioxide_in_air",
            cf_mole_name="mole_fraction_of_sulfur_dioxide_in_air", heat_capacity_j_mol_k=39.87),
    )
}

# Flammable-gas hazard levels as fractions of the LEL: ALOHA's flammable threat zones
# (10 % and 60 % LEL, Jones et al. 2013, NOAA Tech. Memo. NOS OR&R 43) and the LEL itself.
LEL_LEVELS = (0.1, 0.6, 1.0)

# Molar gas constant (J mol-1 K-1), CODATA 2018 exact value.
R_GAS = 8.314462618


def ppm_per_kg_m3(molar_mass_kg_mol: float, temperature_k: float, pressure_pa: float) -> float:
    """Mole fraction in ppm of a gas at 1 kg m-3 in air at (T, p): 1e6 R T / (M p).

    >>> round(ppm_per_kg_m3(64.066e-3, 298.15, 101325.0) * 2.62e-6, 2)  # 1 ppm SO2 is 2.62 mg m-3
    1.0
    """
    return 1.0e6 * R_GAS * temperature_k / (molar_mass_kg_mol * pressure_pa)
