"""What every gas model writes, written once: the gas, its receptor height and its hazard levels.

The Gaussian, particle and dense-layer models differ in how they find the mass concentration
C (kg m-3) at receptor height; from C they all derive the same fields the same way:

    X = 1e6 C R T / (M_g p)           mole fraction (ppm), ideal gas at the ambient (T, p)
    D = integral of C dt               dose, trapezoidal in time
    level = highest AEGL, ERPG or LEL-fraction level that X reaches
    X / LEL                            for flammable gases

so sensors, sound and images read one set of names whichever model made them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from models.gas_dispersion import kernels
from models.gas_dispersion.gases import GASES, LEL_LEVELS, Gas, ppm_per_kg_m3
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.model import ModelParams


# The pool's mass transfer (Mackay & Matsugu 1973) needs a wind; in calm air free convection
# still renews the air over the pool, which this floor (m/s) stands for.
MIN_POOL_WIND_M_S = 0.5


class GasParams(ModelParams):
    """Parameters every gas model shares: the gas, where it is measured, and its hazard guideline."""

    gas: str
    receptor_height_m: float = Field(1.5, ge=0)
    air_temperature_k: float = Field(293.15, gt=150, lt=350)
    air_pressure_pa: float = Field(101325.0, gt=1e4, lt=2e5)
    hazard_guideline: Literal["AEGL", "ERPG", "LEL"] | None = None
    exposure_duration: Literal["10min", "30min", "60min", "4h", "8h"] = "60min"

    @model_validator(mode="before")
    @classmethod
    def _tank_in_this_air(cls, data):
        """A tank release leaks into the model's air: its ambient temperature, pressure and wind (for the
        pool's evaporation) are the model's unless the release states them."""
        if not isinstance(data, dict) or not isinstance(data.get("release"), dict):
            return data
        release = dict(data["release"])
        if release.get("kind") != "tank":
            return data
        release.setdefault("ambient_temperature_K", data.get("air_temperature_k", 293.15))
        release.setdefault("ambient_pressure_pa", data.get("air_pressure_pa", 101325.0))
        wind = data.get("wind") or {}
        atmosphere = data.get("atmosphere") or {}
        speed = wind.get("speed_m_s", atmosphere.get("wind_speed_m_s")) if isinstance(wind, dict) else None
        if speed is not None and isinstance(speed, (int, float)):
            release.setdefault("wind_speed_m_s", max(float(speed), MIN_POOL_WIND_M_S))
        return {**data, "release": release}

    @field_validator("gas")
    @classmethod
    def _known_gas(cls, value: str) -> str:
        if value not in GASES:
            raise ValueError(f"unknown gas {value!r}; expected one of: {', '.join(sorted(GASES))}")
        return value

    @model_validator(mode="after")
    def _guideline_exists(self) -> "GasParams":
        gas = GASES[self.gas]
        substance = getattr(getattr(self, "release", None), "substance", None)
        if substance is not None and substance != self.gas:
            raise ValueError(f"release.substance {substance!r} differs from gas {self.gas!r}; expected the same")
        guideline = self.hazard_guideline
        if guideline == "LEL" and not gas.flammable:
            raise ValueError(f"hazard_guideline: {self.gas} is not flammable; expected 'AEGL' or 'ERPG'")
        if guideline == "AEGL" and gas.aegl_ppm is None or guideline == "ERPG" and gas.erpg_ppm is None:
            raise ValueError(f"hazard_guideline: no {guideline} values exist for {self.gas}")
        return self

    def guideline(self) -> str:
        """The hazard guideline in use: as given, else AEGL, ERPG, then LEL, whichever the gas has."""
        if self.hazard_guideline is not None:
            return self.hazard_guideline
        gas = GASES[self.gas]
        return "AEGL" if gas.aegl_ppm is not None else "ERPG" if gas.erpg_ppm is not None else "LEL"


def hazard_thresholds_ppm(gas: Gas, guideline: str, duration: str) -> np.ndarray:
    """Levels 1..3 in ppm; a level not established is +inf (never reached)."""
    if guideline == "AEGL":
        levels = gas.aegl(duration)
    elif guideline == "ERPG":
        levels = gas.erpg_ppm
    else:
        levels = tuple(f * gas.lel_percent * 1e4 for f in LEL_LEVELS)
    return np.array([np.inf if v is None else v for v in levels])


def level_meanings(guideline: str) -> tuple[str, ...]:
    if guideline == "LEL":
        return ("below_10_percent_lel", "above_10_percent_lel", "above_60_percent_lel", "above_lel")
    g = guideline.lower()
    return (f"below_{g}_1", f"above_{g}_1", f"above_{g}_2", f"above_{g}_3")


class GasOutputs:
    """Mixin for gas models: the shared fields, their attributes, derived fields and summary.

    The model sets ``params`` (a :class:`GasParams`), calls :meth:`_setup_outputs` in its
    constructor, writes ``gas_concentration`` in ``step`` and then calls :meth:`_derived`.
    ``averaging`` (class attribute) says what time average its concentrations are.
    """

    averaging = "instantaneous"
    released_kg = 0.0
    # Fields whose running maximum the summary needs even when no output writes them.
    summary_fields = ("gas_concentration", "gas_hazard_level", "gas_dose")

    def _setup_outputs(self, grid: RasterGrid) -> None:
        p = self.params
        self.gas = GASES[p.gas]
        self.guideline = p.guideline()
        self.thresholds_ppm = hazard_thresholds_ppm(self.gas, self.guideline, p.exposure_duration)
        self._previous = np.zeros(grid.shape, dtype=grid.float_dtype)  # concentration before the step

    def gas_field_specs(self) -> list[FieldSpec]:
        gas = self.gas.name.replace("_", " ")
        specs = [
            FieldSpec("gas_concentration", at="cell", units="kg m-3", intent="out",
                      doc=f"mass concentration of {gas} in air"),
            FieldSpec("gas_mole_fraction", at="cell", units="1e-6", intent="out",
                      doc=f"mole fraction of {gas} in air (ppm)"),
            FieldSpec("gas_dose", at="cell", units="kg s m-3", intent="out",
                      doc=f"time integral of the {gas} mass concentration since release"),
            FieldSpec("gas_hazard_level", at="cell", units="", intent="out", kind="level",
                      doc=f"highest {self.guideline} level of {gas} reached now",
                      flag_values=(0, 1, 2, 3), flag_meanings=level_meanings(self.guideline)),
        ]
        if self.gas.flammable:
            specs.append(FieldSpec("gas_lel_fraction", at="cell", units="1", intent="out",
                                   doc=f"mole fraction of {gas} over its lower explosive limit"))
        return specs

    def field_attrs(self) -> dict[str, dict]:
        p = self.params
        height = f"at {p.receptor_height_m:g} m above ground"
        attrs = {
            "gas_concentration": {"comment": f"{self.gas.formula} {height}; {self.averaging}"},
            "gas_mole_fraction": {"comment": f"{self.gas.formula} {height}, in air at "
                                             f"{p.air_temperature_k:g} K and {p.air_pressure_pa:g} Pa; "
                                             f"{self.averaging}"},
            "gas_dose": {"comment": f"{self.gas.formula} {height}"},
            "gas_hazard_level": {"comment": f"{self.guideline} thresholds (ppm, {p.exposure_duration} where "
                                            f"duration-dependent): {self.thresholds_ppm.tolist()}"},
        }
        if self.gas.flammable:
            attrs["gas_lel_fraction"] = {"comment": f"{self.gas.formula} {height}; LEL {self.gas.lel_percent:g} %"}
        for name in attrs:
            attrs[name]["gas"] = self.gas.name
        if self.gas.cf_mass_name:
            attrs["gas_concentration"]["standard_name"] = self.gas.cf_mass_name
        if self.gas.cf_mole_name:
            attrs["gas_mole_fraction"]["standard_name"] = self.gas.cf_mole_name
        return attrs

    def field_heights(self) -> dict[str, float]:
        """Every gas field is computed at the receptor height (m above ground)."""
        return {spec.name: self.params.receptor_height_m for spec in self.gas_field_specs()}

    def initialize(self, state) -> None:
        for spec in self.fields:
            state[spec.name][...] = 0
        self._previous[...] = 0

    def _ppm_per_kg_m3(self) -> float:
        p = self.params
        return ppm_per_kg_m3(self.gas.molar_mass_kg_mol, p.air_temperature_k, p.air_pressure_pa)

    def _remember_concentration(self, state) -> None:
        """Keep the concentration before the step, for the trapezoidal dose."""
        self._previous[...] = state["gas_concentration"]

    def _derived(self, state, dt: float) -> None:
        c = state["gas_concentration"]
        ppm = state["gas_mole_fraction"]
        np.multiply(c, self._ppm_per_kg_m3(), out=ppm)
        # Trapezoidal dose, summed in the scratch buffer (it is refilled at the next step).
        self._previous += c
        self._previous *= 0.5 * dt
        dose = state["gas_dose"]
        dose += self._previous
        kernels.hazard_levels(ppm, self.thresholds_ppm, state["gas_hazard_level"])
        if self.gas.flammable:
            np.divide(ppm, self.gas.lel_percent * 1e4, out=state["gas_lel_fraction"])

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        lines = []
        if "gas_concentration" in peaks:
            c = peaks["gas_concentration"]
            j, i = np.unravel_index(int(np.argmax(c)), c.shape)
            ppm = c[j, i] * self._ppm_per_kg_m3()
            lines.append(f"peak {self.gas.name} concentration {c[j, i]:.3g} kg/m3 ({ppm:.3g} ppm) "
                         f"at x = {grid.x[i]:g} m, y = {grid.y[j]:g} m")
        if "gas_hazard_level" in peaks:
            level = peaks["gas_hazard_level"]
            for k, name in enumerate(level_meanings(self.guideline)[1:], start=1):
                area = np.count_nonzero(level >= k) * grid.cell_area_m2
                threshold = self.thresholds_ppm[k - 1]
                if np.isfinite(threshold):
                    lines.append(f"area ever {name.replace('_', ' ')} ({threshold:g} ppm): {area / 1e6:.4g} km2")
        if "gas_dose" in peaks:
            lines.append(f"largest dose {peaks['gas_dose'].max():.3g} kg s/m3")
        lines.append(f"released {self.released_kg:.4g} kg of {self.gas.name}")
        return lines
