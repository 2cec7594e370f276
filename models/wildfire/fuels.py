"""Standard surface fuel models: Anderson (1982) 13, Scott & Burgan (2005) 40 and non-burnable codes.

A fuel model is the set of fuel-bed parameters the Rothermel (1972) surface fire model needs:
depth, dead moisture of extinction, heat content, and the oven-dry load and surface-area-to-volume
ratio (SAVR) of five particle classes (dead 1-h, 10-h, 100-h; live herbaceous, live woody).

Sources
-------
- Anderson, H.E. (1982). *Aids to determining fuel models for estimating fire behavior*.
  USDA Forest Service, INT-GTR-122. (FM1-FM13; parameters from Albini 1976, INT-30.)
- Scott, J.H. & Burgan, R.E. (2005). *Standard fire behavior fuel models: a comprehensive set for
  use with Rothermel's surface fire spread model*. USDA Forest Service, RMRS-GTR-153. (GR, GS, SH,
  TU, TL, SB; LANDFIRE numbers 101-204; non-burnable NB1-NB9 = 91-99.)
- Values as in the USFS reference library behave (firelab/behave ``src/behave/fuelModels.cpp``,
  public domain): FM1-FM13 loads are given there in lb/ft2 (0.034 for FM1, not 0.74 t/ac x
  2000/43560 = 0.03398), S&B loads in published tons/acre times 2000/43560; this module does the
  same, so the loads are bit-for-bit those behave uses.

Conventions (behave's, kept so that results match it)
-----------------------------------------------------
- The 10-h and 100-h SAVR are fixed at 109 and 30 1/ft for every standard model.
- Particle density 32 lb/ft3, total mineral content 0.0555, effective mineral content 0.010
  (Rothermel 1972; Albini 1976); they are constants of :mod:`models.wildfire.rothermel`.
- **Live load of FM4, FM5, FM7 and FM10 is live woody** (Albini 1976's table has one "live"
  class, which behave, BehavePlus and FARSITE place in live woody with SAVR 1500 1/ft). Some
  ports (pyretechnics 2026.10) put it in live herbaceous and give FM7 a live SAVR of 1550; that
  changes FM4's no-wind spread rate by +46 % at D1L1 moisture. This table follows behave.
- Every S&B model carries behave's ``is_dynamic`` flag (true for all 40; the static ones have
  no herbaceous load, so the flag has no effect on them). For a dynamic model part of the
  herbaceous load is moved to a dead class as the herbs cure (see :mod:`rothermel`).
- Non-burnable codes (91 NB1 urban, 92 NB2 snow/ice, 93 NB3 agriculture, 94/95 NB4/NB5
  reserved, 98 NB8 open water, 99 NB9 bare ground) have zero load; ``burnable`` is false.

Symbols and units (US customary inside, as in behave; SI constructor :meth:`FuelModel.from_si`)

=========== ======================================================= ==========
symbol      meaning                                                 unit
=========== ======================================================= ==========
delta       fuel-bed depth ``depth_ft``                             ft
M_x,dead    dead fuel moisture of extinction ``mx_dead``            fraction
h           heat content ``h_dead``, ``h_live``                      Btu/lb
w_0         oven-dry load ``load_*``                                lb/ft2
sigma       surface-area-to-volume ratio ``savr_*``                 1/ft
=========== ======================================================= ==========
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

# ---- unit conversions (exact definitions) ----------------------------------------------------
FT_M = 0.3048  # m per ft
LB_KG = 0.45359237  # kg per lb
LB_FT2_TO_KG_M2 = LB_KG / FT_M**2  # 4.8824...
TONS_PER_ACRE_TO_LB_FT2 = 2000.0 / 43560.0  # short tons/acre -> lb/ft2
BTU_KJ = 1.05505585262  # International Table Btu in kJ
BTU_LB_TO_KJ_KG = BTU_KJ / LB_KG  # = 2.326 exactly

#: fixed SAVR (1/ft) of the 10-h and 100-h classes in all standard models
SAVR_10H = 109.0
SAVR_100H = 30.0

#: particle classes, the column order of :attr:`FuelTable.load` and :attr:`FuelTable.savr`
PARTICLE_CLASSES = ("1h", "10h", "100h", "herb", "woody")

_T = TONS_PER_ACRE_TO_LB_FT2

# fmt: off
# (number, code, depth ft, dead Mx %, h_dead, h_live Btu/lb,
#  (1h, 10h, 100h, herb, woody) load, SAVR 1h, herb, woody 1/ft, name)
# Anderson (1982) / Albini (1976): loads in lb/ft2 as behave holds them; live load in live woody.
_ANDERSON_13 = (
    (  1, "FM1",  1.0, 12, 8000, 8000, (0.034, 0.0,   0.0,   0.0,   0.0  ), 3500, 1500, 1500, "Short grass [1]"),
    (  2, "FM2",  1.0, 15, 8000, 8000, (0.092, 0.046, 0.023, 0.023, 0.0  ), 3000, 1500, 1500, "Timber grass and understory [2]"),
    (  3, "FM3",  2.5, 25, 8000, 8000, (0.138, 0.0,   0.0,   0.0,   0.0  ), 1500, 1500, 1500, "Tall grass [3]"),
    (  4, "FM4",  6.0, 20, 8000, 8000, (0.230, 0.184, 0.092, 0.0,   0.230), 2000, 1500, 1500, "Chaparral [4]"),
    (  5, "FM5",  2.0, 20, 8000, 8000, (0.046, 0.023, 0.0,   0.0,   0.092), 2000, 1500, 1500, "Brush [5]"),
    (  6, "FM6",  2.5, 25, 8000, 8000, (0.069, 0.115, 0.092, 0.0,   0.0  ), 1750, 1500, 1500, "Dormant brush, hardwood slash [6]"),
    (  7, "FM7",  2.5, 40, 8000, 8000, (0.052, 0.086, 0.069, 0.0,   0.017), 1750, 1500, 1500, "Southern rough [7]"),
    (  8, "FM8",  0.2, 30, 8000, 8000, (0.069, 0.046, 0.115, 0.0,   0.0  ), 2000, 1500, 1500, "Short needle litter [8]"),
    (  9, "FM9",  0.2, 25, 8000, 8000, (0.134, 0.019, 0.007, 0.0,   0.0  ), 2500, 1500, 1500, "Long needle or hardwood litter [9]"),
    ( 10, "FM10", 1.0, 25, 8000, 8000, (0.138, 0.092, 0.230, 0.0,   0.092), 2000, 1500, 1500, "Timber litter & understory [10]"),
    ( 11, "FM11", 1.0, 15, 8000, 8000, (0.069, 0.207, 0.253, 0.0,   0.0  ), 1500, 1500, 1500, "Light logging slash [11]"),
    ( 12, "FM12", 2.3, 20, 8000, 8000, (0.184, 0.644, 0.759, 0.0,   0.0  ), 1500, 1500, 1500, "Medium logging slash [12]"),
    ( 13, "FM13", 3.0, 25, 8000, 8000, (0.322, 1.058, 1.288, 0.0,   0.0  ), 1500, 1500, 1500, "Heavy logging slash [13]"),
)

# Scott & Burgan (2005), Table 7: loads in short tons/acre as published (x 2000/43560 below).
_SCOTT_BURGAN_40 = (
    (101, "GR1", 0.4, 15, 8000, 8000, (0.10, 0.0,  0.0,  0.30, 0.0 ), 2200, 2000, 1500, "Short, sparse, dry climate grass (D)"),
    (102, "GR2", 1.0, 15, 8000, 8000, (0.10, 0.0,  0.0,  1.00, 0.0 ), 2000, 1800, 1500, "Low load, dry climate grass (D)"),
    (103, "GR3", 2.0, 30, 8000, 8000, (0.10, 0.40, 0.0,  1.50, 0.0 ), 1500, 1300, 1500, "Low load, very coarse, humid climate grass (D)"),
    (104, "GR4", 2.0, 15, 8000, 8000, (0.25, 0.0,  0.0,  1.90, 0.0 ), 2000, 1800, 1500, "Moderate load, dry climate grass (D)"),
    (105, "GR5", 1.5, 40, 8000, 8000, (0.40, 0.0,  0.0,  2.50, 0.0 ), 1800, 1600, 1500, "Low load, humid climate grass (D)"),
    (106, "GR6", 1.5, 40, 9000, 9000, (0.10, 0.0,  0.0,  3.40, 0.0 ), 2200, 2000, 1500, "Moderate load, humid climate grass (D)"),
    (107, "GR7", 3.0, 15, 8000, 8000, (1.00, 0.0,  0.0,  5.40, 0.0 ), 2000, 1800, 1500, "High load, dry climate grass (D)"),
    (108, "GR8", 4.0, 30, 8000, 8000, (0.50, 1.00, 0.0,  7.30, 0.0 ), 1500, 1300, 1500, "High load, very coarse, humid climate grass (D)"),
    (109, "GR9", 5.0, 40, 8000, 8000, (1.00, 1.00, 0.0,  9.00, 0.0 ), 1800, 1600, 1500, "Very high load, humid climate grass (D)"),
    (121, "GS1", 0.9, 15, 8000, 8000, (0.20, 0.0,  0.0,  0.50, 0.65), 2000, 1800, 1800, "Low load, dry climate grass-shrub (D)"),
    (122, "GS2", 1.5, 15, 8000, 8000, (0.50, 0.50, 0.0,  0.60, 1.00), 2000, 1800, 1800, "Moderate load, dry climate grass-shrub (D)"),
    (123, "GS3", 1.8, 40, 8000, 8000, (0.30, 0.25, 0.0,  1.45, 1.25), 1800, 1600, 1600, "Moderate load, humid climate grass-shrub (D)"),
    (124, "GS4", 2.1, 40, 8000, 8000, (1.90, 0.30, 0.10, 3.40, 7.10), 1800, 1600, 1600, "High load, humid climate grass-shrub (D)"),
    (141, "SH1", 1.0, 15, 8000, 8000, (0.25, 0.25, 0.0,  0.15, 1.30), 2000, 1800, 1600, "Low load, dry climate shrub (D)"),
    (142, "SH2", 1.0, 15, 8000, 8000, (1.35, 2.40, 0.75, 0.0,  3.85), 2000, 1800, 1600, "Moderate load, dry climate shrub (S)"),
    (143, "SH3", 2.4, 40, 8000, 8000, (0.45, 3.00, 0.0,  0.0,  6.20), 1600, 1800, 1400, "Moderate load, humid climate shrub (S)"),
    (144, "SH4", 3.0, 30, 8000, 8000, (0.85, 1.15, 0.20, 0.0,  2.55), 2000, 1800, 1600, "Low load, humid climate timber-shrub (S)"),
    (145, "SH5", 6.0, 15, 8000, 8000, (3.60, 2.10, 0.0,  0.0,  2.90),  750, 1800, 1600, "High load, dry climate shrub (S)"),
    (146, "SH6", 2.0, 30, 8000, 8000, (2.90, 1.45, 0.0,  0.0,  1.40),  750, 1800, 1600, "Low load, humid climate shrub (S)"),
    (147, "SH7", 6.0, 15, 8000, 8000, (3.50, 5.30, 2.20, 0.0,  3.40),  750, 1800, 1600, "Very high load, dry climate shrub (S)"),
    (148, "SH8", 3.0, 40, 8000, 8000, (2.05, 3.40, 0.85, 0.0,  4.35),  750, 1800, 1600, "High load, humid climate shrub (S)"),
    (149, "SH9", 4.4, 40, 8000, 8000, (4.50, 2.45, 0.0,  1.55, 7.00),  750, 1800, 1500, "Very high load, humid climate shrub (D)"),
    (161, "TU1", 0.6, 20, 8000, 8000, (0.20, 0.90, 1.50, 0.20, 0.90), 2000, 1800, 1600, "Light load, dry climate timber-grass-shrub (D)"),
    (162, "TU2", 1.0, 30, 8000, 8000, (0.95, 1.80, 1.25, 0.0,  0.20), 2000, 1800, 1600, "Moderate load, humid climate timber-shrub (S)"),
    (163, "TU3", 1.3, 30, 8000, 8000, (1.10, 0.15, 0.25, 0.65, 1.10), 1800, 1600, 1400, "Moderate load, humid climate timber-grass-shrub (D)"),
    (164, "TU4", 0.5, 12, 8000, 8000, (4.50, 0.0,  0.0,  0.0,  2.00), 2300, 1800, 2000, "Dwarf conifer understory (S)"),
    (165, "TU5", 1.0, 25, 8000, 8000, (4.00, 4.00, 3.00, 0.0,  3.00), 1500, 1800,  750, "Very high load, dry climate timber-shrub (S)"),
    (181, "TL1", 0.2, 30, 8000, 8000, (1.00, 2.20, 3.60, 0.0,  0.0 ), 2000, 1800, 1600, "Low load, compact conifer litter (S)"),
    (182, "TL2", 0.2, 25, 8000, 8000, (1.40, 2.30, 2.20, 0.0,  0.0 ), 2000, 1800, 1600, "Low load broadleaf litter (S)"),
    (183, "TL3", 0.3, 20, 8000, 8000, (0.50, 2.20, 2.80, 0.0,  0.0 ), 2000, 1800, 1600, "Moderate load conifer litter (S)"),
    (184, "TL4", 0.4, 25, 8000, 8000, (0.50, 1.50, 4.20, 0.0,  0.0 ), 2000, 1800, 1600, "Small downed logs (S)"),
    (185, "TL5", 0.6, 25, 8000, 8000, (1.15, 2.50, 4.40, 0.0,  0.0 ), 2000, 1800,  160, "High load conifer litter (S)"),
    (186, "TL6", 0.3, 25, 8000, 8000, (2.40, 1.20, 1.20, 0.0,  0.0 ), 2000, 1800, 1600, "High load broadleaf litter (S)"),
    (187, "TL7", 0.4, 25, 8000, 8000, (0.30, 1.40, 8.10, 0.0,  0.0 ), 2000, 1800, 1600, "Large downed logs (S)"),
    (188, "TL8", 0.3, 35, 8000, 8000, (5.80, 1.40, 1.10, 0.0,  0.0 ), 1800, 1800, 1600, "Long-needle litter (S)"),
    (189, "TL9", 0.6, 35, 8000, 8000, (6.65, 3.30, 4.15, 0.0,  0.0 ), 1800, 1800, 1600, "Very high load broadleaf litter (S)"),
    (201, "SB1", 1.0, 25, 8000, 8000, (1.50, 3.00, 11.0, 0.0,  0.0 ), 2000, 1800, 1600, "Low load activity fuel (S)"),
    (202, "SB2", 1.0, 25, 8000, 8000, (4.50, 4.25, 4.00, 0.0,  0.0 ), 2000, 1800, 1600, "Moderate load activity or low load blowdown (S)"),
    (203, "SB3", 1.2, 25, 8000, 8000, (5.50, 2.75, 3.00, 0.0,  0.0 ), 2000, 1800, 1600, "High load activity fuel or moderate load blowdown (S)"),
    (204, "SB4", 2.7, 25, 8000, 8000, (5.25, 3.50, 5.25, 0.0,  0.0 ), 2000, 1800, 1600, "High load blowdown (S)"),
)

# Non-burnable (Scott & Burgan 2005, p. 9); behave gives them depth 1 ft, Mx 10 %, zero load.
_NON_BURNABLE = (
    (91, "NB1", "Urban, developed [91]"),
    (92, "NB2", "Snow, ice [92]"),
    (93, "NB3", "Agricultural [93]"),
    (94, "NB4", "Future standard non-burnable [94]"),
    (95, "NB5", "Future standard non-burnable [95]"),
    (98, "NB8", "Open water [98]"),
    (99, "NB9", "Bare ground [99]"),
)
# fmt: on


@dataclass(frozen=True)
class FuelModel:
    """One surface fuel model, in behave's internal US customary units.

    Loads are oven-dry lb/ft2, SAVR 1/ft, depth ft, heat content Btu/lb, moisture of extinction a
    fraction (0.25 = 25 %). ``is_dynamic``: herbaceous load cures into a dead class with live
    herbaceous moisture (Scott & Burgan 2005).
    """

    number: int
    code: str
    name: str
    is_dynamic: bool
    depth_ft: float
    mx_dead: float
    h_dead: float
    h_live: float
    load_1h: float
    load_10h: float
    load_100h: float
    load_herb: float
    load_woody: float
    savr_1h: float
    savr_10h: float = SAVR_10H
    savr_100h: float = SAVR_100H
    savr_herb: float = 1500.0
    savr_woody: float = 1500.0

    @property
    def loads(self) -> tuple[float, float, float, float, float]:
        """(1h, 10h, 100h, herb, woody) oven-dry loads, lb/ft2."""
        return (self.load_1h, self.load_10h, self.load_100h, self.load_herb, self.load_woody)

    @property
    def savrs(self) -> tuple[float, float, float, float, float]:
        """(1h, 10h, 100h, herb, woody) surface-area-to-volume ratios, 1/ft."""
        return (self.savr_1h, self.savr_10h, self.savr_100h, self.savr_herb, self.savr_woody)

    @property
    def total_load(self) -> float:
        """Total oven-dry load, lb/ft2."""
        return float(sum(self.loads))

    @property
    def burnable(self) -> bool:
        """True when the model has fuel and a positive depth."""
        return self.total_load > 0.0 and self.depth_ft > 0.0

    @classmethod
    def from_si(
        cls,
        number: int,
        code: str,
        name: str,
        *,
        depth_m: float,
        mx_dead: float,
        load_1h_kg_m2: float,
        load_10h_kg_m2: float = 0.0,
        load_100h_kg_m2: float = 0.0,
        load_herb_kg_m2: float = 0.0,
        load_woody_kg_m2: float = 0.0,
        savr_1h_per_m: float,
        savr_10h_per_m: float = SAVR_10H / FT_M,
        savr_100h_per_m: float = SAVR_100H / FT_M,
        savr_herb_per_m: float = 1500.0 / FT_M,
        savr_woody_per_m: float = 1500.0 / FT_M,
        h_dead_kj_kg: float = 8000.0 * BTU_LB_TO_KJ_KG,
        h_live_kj_kg: float = 8000.0 * BTU_LB_TO_KJ_KG,
        is_dynamic: bool = False,
    ) -> FuelModel:
        """A custom model (e.g. a measured grass plot) from SI values.

        Loads kg/m2, SAVR 1/m, depth m, heat content kJ/kg (default 8000 Btu/lb = 18 608 kJ/kg),
        moisture of extinction a fraction. Converted with exact factors (ft = 0.3048 m,
        lb = 0.45359237 kg, International Table Btu).
        """
        kg = 1.0 / LB_FT2_TO_KG_M2
        return cls(
            number=int(number), code=str(code), name=str(name), is_dynamic=bool(is_dynamic),
            depth_ft=depth_m / FT_M, mx_dead=float(mx_dead),
            h_dead=h_dead_kj_kg / BTU_LB_TO_KJ_KG, h_live=h_live_kj_kg / BTU_LB_TO_KJ_KG,
            load_1h=load_1h_kg_m2 * kg, load_10h=load_10h_kg_m2 * kg, load_100h=load_100h_kg_m2 * kg,
            load_herb=load_herb_kg_m2 * kg, load_woody=load_woody_kg_m2 * kg,
            savr_1h=savr_1h_per_m * FT_M, savr_10h=savr_10h_per_m * FT_M, savr_100h=savr_100h_per_m * FT_M,
            savr_herb=savr_herb_per_m * FT_M, savr_woody=savr_woody_per_m * FT_M,
        )


def custom_fuel_model_si(number: int, code: str, name: str, **kwargs) -> FuelModel:
    """Function form of :meth:`FuelModel.from_si`."""
    return FuelModel.from_si(number, code, name, **kwargs)


def _build_standard() -> dict[int, FuelModel]:
    models: dict[int, FuelModel] = {}
    for rows, load_factor, dynamic in ((_ANDERSON_13, 1.0, False), (_SCOTT_BURGAN_40, _T, True)):
        for number, code, depth, mx_pct, h_dead, h_live, loads, s1, s_herb, s_woody, name in rows:
            w = [value * load_factor for value in loads]
            models[number] = FuelModel(
                number=number, code=code, name=name, is_dynamic=dynamic, depth_ft=float(depth),
                mx_dead=mx_pct / 100.0, h_dead=float(h_dead), h_live=float(h_live),
                load_1h=w[0], load_10h=w[1], load_100h=w[2], load_herb=w[3], load_woody=w[4],
                savr_1h=float(s1), savr_herb=float(s_herb), savr_woody=float(s_woody),
            )
    for number, code, name in _NON_BURNABLE:
        models[number] = FuelModel(
            number=number, code=code, name=name, is_dynamic=False, depth_ft=1.0, mx_dead=0.10,
            h_dead=8000.0, h_live=8000.0, load_1h=0.0, load_10h=0.0, load_100h=0.0, load_herb=0.0,
            load_woody=0.0, savr_1h=1500.0,
        )
    return dict(sorted(models.items()))


#: the 53 standard burnable models and the 7 non-burnable codes, keyed by LANDFIRE number
STANDARD_FUEL_MODELS: dict[int, FuelModel] = _build_standard()

#: LANDFIRE numbers of the non-burnable codes
NON_BURNABLE_NUMBERS = tuple(number for number, _, _ in _NON_BURNABLE)


@dataclass(frozen=True, eq=False)
class FuelTable:
    """Fuel models as NumPy arrays, one row per model, in behave's internal US units.

    ``load`` and ``savr`` are (n, 5) with columns :data:`PARTICLE_CLASSES`
    (1h, 10h, 100h, herb, woody). :meth:`kernel_arrays` gives the arrays in the order the
    Numba kernels of :mod:`models.wildfire.rothermel` take them.
    """

    number: np.ndarray  # int32[n] LANDFIRE number
    code: tuple[str, ...]
    depth_ft: np.ndarray  # float64[n]
    mx_dead: np.ndarray  # float64[n], fraction
    h_dead: np.ndarray  # float64[n], Btu/lb
    h_live: np.ndarray  # float64[n], Btu/lb
    load: np.ndarray  # float64[n, 5], lb/ft2
    savr: np.ndarray  # float64[n, 5], 1/ft
    is_dynamic: np.ndarray  # bool[n]
    burnable: np.ndarray  # bool[n]
    models: tuple[FuelModel, ...]

    def __len__(self) -> int:
        return int(self.number.size)

    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """(load, savr, depth_ft, mx_dead, h_dead, h_live, is_dynamic) for the Numba kernels."""
        return (self.load, self.savr, self.depth_ft, self.mx_dead, self.h_dead, self.h_live, self.is_dynamic)

    def index_of(self, numbers) -> np.ndarray:
        """Rows (int32, same shape as ``numbers``) of the given LANDFIRE fuel model numbers.

        Raises ``ValueError`` naming the numbers not in the table.
        """
        values = np.asarray(numbers)
        if values.dtype.kind == "f" and (not np.all(np.isfinite(values)) or np.any(values != np.round(values))):
            raise ValueError(f"fuel model numbers must be integers, got {np.unique(values)[:10].tolist()}")
        values = values.astype(np.int64)
        order = np.argsort(self.number, kind="stable")
        sorted_numbers = self.number[order].astype(np.int64)
        position = np.searchsorted(sorted_numbers, values)
        position = np.clip(position, 0, sorted_numbers.size - 1)
        found = sorted_numbers[position] == values
        if not np.all(found):
            unknown = np.unique(values[~found]).tolist()
            raise ValueError(f"unknown fuel model numbers (not in the fuel table): {unknown}")
        return order[position].astype(np.int32)

    def model(self, number: int) -> FuelModel:
        """The :class:`FuelModel` with this LANDFIRE number."""
        return self.models[int(self.index_of(np.array([number]))[0])]


def fuel_table(models: Iterable[FuelModel | int] | None = None) -> FuelTable:
    """A :class:`FuelTable` of ``models`` (FuelModel objects or standard numbers), default all standard."""
    if models is None:
        chosen = list(STANDARD_FUEL_MODELS.values())
    else:
        chosen = [STANDARD_FUEL_MODELS[m] if isinstance(m, (int, np.integer)) else m for m in models]
    numbers = [m.number for m in chosen]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"duplicate fuel model numbers: {sorted({n for n in numbers if numbers.count(n) > 1})}")
    return FuelTable(
        number=np.array(numbers, dtype=np.int32),
        code=tuple(m.code for m in chosen),
        depth_ft=np.array([m.depth_ft for m in chosen], dtype=np.float64),
        mx_dead=np.array([m.mx_dead for m in chosen], dtype=np.float64),
        h_dead=np.array([m.h_dead for m in chosen], dtype=np.float64),
        h_live=np.array([m.h_live for m in chosen], dtype=np.float64),
        load=np.array([m.loads for m in chosen], dtype=np.float64).reshape(len(chosen), 5),
        savr=np.array([m.savrs for m in chosen], dtype=np.float64).reshape(len(chosen), 5),
        is_dynamic=np.array([m.is_dynamic for m in chosen], dtype=np.bool_),
        burnable=np.array([m.burnable for m in chosen], dtype=np.bool_),
        models=tuple(chosen),
    )
