"""Gas detectors: electrochemical cells, metal-oxide semiconductors, catalytic and NDIR %LEL.

All four read the gas model's ``gas_mole_fraction`` field (ppm of the gas the model
releases, named in the field's ``gas`` attribute) at the sensor.

Electrochemical cell (amperometric; Hitchman 1997, ch. 5; SemeaTech/City Technology
application notes). The cell current follows the target-gas-equivalent concentration
through the diffusion barrier as a first-order system::

    C_eq   = sum_g k_{s,g} C_g                      cross-sensitivity (k_{s,s} = 1)
    dy/dt  = (C_eq - y) / tau,   tau = t90 / ln 10  a step reaches 90 % at t90
    reading = S_rel y + z_0 + n,   clipped to [0, range], rounded to the resolution

with S_rel = (1 - a_S t_age) the sensitivity left after ageing, z_0 the zero offset
(calibration error plus drift since calibration, d_z t_age with a random sign) and n white
noise. The cross-sensitivity matrix k is the Biosystems PhD Lite table (Appendix C; data
derived from City Technology), given as the reading per ppm of interferent. A detector
that reads a gas it is not meant for (an H2S cell in a sulfur dioxide cloud) is a *hard
negative*: a true response, not a fault.

Metal-oxide (MOS) sensor (Figaro TGS26xx datasheets; Clifford & Tuma 1982). The sensing
resistance falls as a power law of the reducing-gas concentration::

    R_s / R_0 = ((C_eff + C_air) / C_ref)^(-beta) * h(T, RH) * w(t)
    h = (1 + k_T (T - 293.15 K)) (1 + k_RH (RH - 65 %))
    w = 1 + (w_0 - 1) exp(-t / tau_w)               warm-up after power-on at t = 0

where R_0 is the resistance at C_ref of the target gas in air at 20 C / 65 % RH, C_air
gives the clean-air ratio R_air / R_0 = (C_air / C_ref)^(-beta), and C_eff is the sum of
the gases weighted by their relative sensitivity. beta = ln(1 / 0.60) / ln 3 = 0.465 is
the TGS2611 slope (Rs(9000 ppm)/Rs(3000 ppm) = 0.60). The element responds with a lag t90.

Catalytic bead (pellistor) and NDIR %LEL (Gentry & Walsh 1987; Honeywell/RAE Systems
TN-156 response factors). The reading is the calibration-gas-equivalent %LEL::

    L = sum_g r_g 100 C_g / LEL_g,  then the first-order lag, gain, zero, noise, clip

with r_g the relative response of a methane-calibrated bead (r = 1 for methane). A
pellistor loses sensitivity when poisoned (silicones, H2S); an NDIR sensor does not, and
responds only to the C-H absorption band (hydrocarbons).

Symbols
=======
==========  ==================================================  ==========
symbol      meaning                                             unit
==========  ==================================================  ==========
C_g         mole fraction of gas g at the sensor                ppm
k_{s,g}     cross-sensitivity of a cell for s to gas g          ppm / ppm
t90         time to 90 % of a step                              s
tau         first-order time constant                           s
S_rel       sensitivity relative to calibration                 1
z_0         zero offset                                         ppm, %LEL
beta        power-law slope of the MOS resistance               1
R_s / R_0   MOS resistance ratio                                1
LEL_g       lower explosive limit of gas g                      vol %
r_g         relative response of a %LEL sensor to gas g         1
==========  ==================================================  ==========
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from models.gas_dispersion.gases import GASES, LEL_LEVELS
from sim.render.instruments.base import (
    FieldInfo,
    Instrument,
    InstrumentError,
    InstrumentParams,
    Levels,
    Modifiers,
    first_order_lag,
    quantize,
    t90_to_tau,
)

REFERENCES_EC = ("Biosystems PhD Lite manual, Appendix C, cross-sensitivity chart (data from City Technology); "
                 "City Technology 4-series and SemeaTech application notes (t90, range, resolution)")

# Electrochemical cells: (t90 s, range ppm, resolution ppm, noise ppm 1-sigma, typical
# factory alarm set points A1/A2 ppm). t90 and ranges: City Technology 4-series industrial
# cells (typical); set points: the common TWA/STEL factory settings (typical).
EC_CELLS: dict[str, tuple[float, float, float, float, tuple[float, float]]] = {
    "carbon_monoxide": (20.0, 500.0, 1.0, 0.5, (35.0, 200.0)),
    "hydrogen_sulfide": (30.0, 100.0, 0.1, 0.1, (10.0, 15.0)),
    "sulfur_dioxide": (20.0, 20.0, 0.1, 0.1, (2.0, 5.0)),
    "chlorine": (60.0, 20.0, 0.05, 0.02, (0.5, 1.0)),
    "ammonia": (90.0, 100.0, 1.0, 0.5, (25.0, 35.0)),
}

# Cross-sensitivity: reading (ppm of the cell's gas) per ppm of each gas, from the PhD Lite
# chart (% response to 100 ppm of interferent / 100). Gases the chart gives no response
# for, and methane and propane (no electrochemical response), are 0.
EC_CROSS: dict[str, dict[str, float]] = {
    "carbon_monoxide": {"carbon_monoxide": 1.0, "hydrogen_sulfide": 0.10, "sulfur_dioxide": 0.05, "chlorine": -0.05},
    "hydrogen_sulfide": {"hydrogen_sulfide": 1.0, "carbon_monoxide": 0.005, "sulfur_dioxide": 0.20, "chlorine": -0.20},
    "sulfur_dioxide": {"sulfur_dioxide": 1.0, "carbon_monoxide": 0.01, "hydrogen_sulfide": 0.01, "chlorine": -0.50},
    "chlorine": {"chlorine": 1.0, "hydrogen_sulfide": -0.03},
    "ammonia": {"ammonia": 1.0, "hydrogen_sulfide": 0.05},  # the chart's specific NH3 cell (-21): H2S < 5 %
}

# Relative response of a methane-calibrated catalytic bead (RAE Systems TN-156 LEL
# correction factors CF as r = 1 / CF; typical, verify per sensor).
PELLISTOR_RESPONSE: dict[str, float] = {
    "methane": 1.0, "propane": 1.0 / 1.6, "ammonia": 1.0 / 0.8, "carbon_monoxide": 1.0 / 1.2,
    "hydrogen_sulfide": 1.0 / 3.0,
}

HAZARD_GUIDELINES = ("AEGL", "ERPG", "IDLH", "LEL")


def _gas_of(info: FieldInfo, kind: str) -> str:
    gas = info.attrs.get("gas")
    if gas not in GASES:
        raise InstrumentError("field", f"sensor kind {kind!r} needs to know which gas field {info.spec.name!r} "
                                       "holds (its 'gas' attribute); expected a gas model's field")
    return gas


def toxic_levels(gas: str, guideline: str, duration: str) -> Levels:
    """Hazard levels on ppm of ``gas``: AEGL-1..3, ERPG-1..3, IDLH or 10/60/100 % LEL.

    A level that was not established takes the value of the next one up, so the level of a
    concentration is the highest established level it reaches (carbon monoxide has no AEGL-1:
    above AEGL-2 it is level 2, never level 1 alone).
    """
    g = GASES[gas]
    if guideline == "AEGL":
        values = g.aegl(duration)
    elif guideline == "ERPG":
        values = g.erpg_ppm
    elif guideline == "IDLH":
        values = (g.idlh_ppm,) if g.idlh_ppm is not None else None
    else:
        values = tuple(f * g.lel_percent * 1e4 for f in LEL_LEVELS) if g.flammable else None
    if values is None:
        raise InstrumentError("hazard_guideline", f"no {guideline} values exist for {gas}")
    filled: list[float] = []
    for k, v in enumerate(values):
        later = [u for u in values[k:] if u is not None]
        filled.append(later[0] if later else math.inf)
    name = guideline.lower()
    if guideline == "IDLH":
        meanings = ("below_idlh", "above_idlh")
    elif guideline == "LEL":
        meanings = ("below_10_percent_lel", "above_10_percent_lel", "above_60_percent_lel", "above_lel")
    else:
        meanings = (f"below_{name}_1", f"above_{name}_1", f"above_{name}_2", f"above_{name}_3")
    return Levels(tuple(filled), meanings)


def default_guideline(gas: str) -> str:
    g = GASES[gas]
    return "AEGL" if g.aegl_ppm is not None else "ERPG" if g.erpg_ppm is not None else "LEL"


class _GasParams(InstrumentParams):
    field: str = "gas_mole_fraction"
    hazard_guideline: Literal["AEGL", "ERPG", "IDLH", "LEL"] | None = None
    exposure_duration: Literal["10min", "30min", "60min", "4h", "8h"] = "60min"
    alarm_setpoints: tuple[float, ...] | None = Field(
        None, description="alarm set points in the reading's units, increasing (default: the kind's own)")

    @model_validator(mode="after")
    def _increasing(self):
        points = self.alarm_setpoints
        if points is not None and any(b <= a for a, b in zip(points, points[1:])):
            raise ValueError("alarm_setpoints: expected increasing values")
        return self


class _GasInstrument(Instrument):
    """Shared by the gas detectors: the field, the released gas, its hazard levels."""

    def _setup(self, target: str) -> None:
        p = self.params
        info = self.require_field(p.field, "field", units="1e-6")
        self.field_gas = _gas_of(info, self.kind)
        self.target = target
        self.inputs = (p.field,)
        guideline = p.hazard_guideline or default_guideline(target)
        self._hazard = toxic_levels(target, guideline, p.exposure_duration)

    def truth(self, inputs):
        """ppm of the sensor's target gas: the field where it holds that gas, else zero."""
        c = np.asarray(inputs[self.params.field], dtype=float)
        return c if self.field_gas == self.target else np.zeros_like(c)

    def hazard_levels(self) -> Levels:
        return self._hazard

    def _lagged(self, t_s, x, t90_s, modifiers):
        tau = t90_to_tau(t90_s) * modifiers.tau_factor
        out = np.empty_like(x)
        first_order_lag(np.asarray(t_s, float), np.ascontiguousarray(x), np.ascontiguousarray(tau),
                        np.zeros(x.shape[1]), out)
        return out


class Electrochemical(_GasInstrument):
    """Amperometric toxic-gas cell with lag, cross-sensitivity, zero offset, ageing and noise."""

    kind = "electrochemical"
    references = REFERENCES_EC

    class Params(_GasParams):
        gas: Literal["carbon_monoxide", "hydrogen_sulfide", "sulfur_dioxide", "chlorine", "ammonia"]
        t90_s: float | None = Field(None, gt=0)
        range_ppm: float | None = Field(None, gt=0)
        resolution_ppm: float | None = Field(None, ge=0)
        noise_ppm: float | None = Field(None, ge=0)
        zero_offset_ppm: float = Field(0.0, ge=0, description="1-sigma zero error after calibration")
        zero_drift_ppm_per_month: float = Field(0.0, ge=0)
        sensitivity_loss_per_year: float = Field(0.02, ge=0, lt=1)
        age_days: float = Field(0.0, ge=0, le=3650, description="time since calibration")
        cross_sensitivity: dict[str, float] | None = None
        alarm_guideline: Literal["factory", "AEGL", "ERPG", "IDLH"] = Field(
            "factory", description="where the set points come from when alarm_setpoints is not given")

        @model_validator(mode="after")
        def _cross_gases(self):
            for gas in self.cross_sensitivity or {}:
                if gas not in GASES:
                    raise ValueError(f"cross_sensitivity: unknown gas {gas!r}; expected one of {sorted(GASES)}")
            return self

    def __init__(self, params, n_sensors, grid, fields):
        super().__init__(params, n_sensors, grid, fields)
        self._setup(params.gas)
        t90, rng_ppm, res, noise, alarms = EC_CELLS[params.gas]
        self.t90_s = params.t90_s or t90
        self.range_ppm = params.range_ppm or rng_ppm
        self.resolution_ppm = res if params.resolution_ppm is None else params.resolution_ppm
        self.noise_ppm = noise if params.noise_ppm is None else params.noise_ppm
        if params.alarm_setpoints:
            self.setpoints, self.alarm_names = params.alarm_setpoints, None
        elif params.alarm_guideline == "factory":
            self.setpoints, self.alarm_names = alarms, None
        else:  # set points at the guideline's levels (a level not established is skipped)
            try:
                levels = toxic_levels(params.gas, params.alarm_guideline, params.exposure_duration)
            except InstrumentError as exc:
                raise InstrumentError("alarm_guideline", str(exc)) from None
            kept = [(v, name) for k, (v, name) in enumerate(zip(levels.thresholds, levels.meanings[1:]))
                    if math.isfinite(v) and (k + 1 == len(levels.thresholds) or v != levels.thresholds[k + 1])]
            self.setpoints = tuple(v for v, _ in kept)
            self.alarm_names = tuple(name for _, name in kept)
        cross = dict(EC_CROSS[params.gas])
        cross.update(params.cross_sensitivity or {})
        self.k = cross.get(self.field_gas, 0.0)
        g = GASES[params.gas].formula
        self.true_name, self.true_units = f"mole fraction of {g} in air", "1e-6"
        self.measured_name, self.measured_units = f"{g} reading of an electrochemical cell", "1e-6"

    def respond(self, t_s, inputs, modifiers: Modifiers, rng):
        p = self.params
        c_eq = self.k * np.asarray(inputs[p.field], dtype=float)
        y = self._lagged(t_s, c_eq, self.t90_s, modifiers)
        n, m = y.shape
        gain = (1.0 - p.sensitivity_loss_per_year * p.age_days / 365.25) * modifiers.sensitivity_factor
        drift = p.zero_drift_ppm_per_month * p.age_days / 30.44 * rng.choice([-1.0, 1.0], size=m)
        zero = rng.normal(0.0, p.zero_offset_ppm, size=m) + drift
        reading = gain * y + zero + rng.normal(0.0, self.noise_ppm, size=(n, m))
        return quantize(np.clip(reading, 0.0, self.range_ppm), self.resolution_ppm)

    def alarm_levels(self) -> Levels:
        names = self.alarm_names or tuple(f"alarm_{k + 1}" for k in range(len(self.setpoints)))
        return Levels(tuple(self.setpoints), ("no_alarm",) + names)


class MetalOxide(_GasInstrument):
    """Metal-oxide semiconductor: a power-law resistance ratio, temperature, humidity, warm-up."""

    kind = "metal_oxide"
    references = ("Figaro TGS2611 datasheet (sensitivity 0.60 = Rs(9000 ppm)/Rs(3000 ppm) methane); "
                  "Clifford & Tuma 1982, Sensors and Actuators 3, 233-254 (power law)")

    class Params(_GasParams):
        gas: str = "methane"
        reference_ppm: float = Field(5000.0, gt=0, description="C_ref, where Rs = R0")
        beta: float = Field(math.log(1 / 0.60) / math.log(3.0), gt=0, le=2)
        clean_air_ratio: float = Field(5.0, gt=1, description="R_air / R0 (typical)")
        relative_sensitivity: dict[str, float] = Field(default_factory=dict,
                                                       description="response to other gases per ppm")
        t90_s: float = Field(30.0, gt=0)
        air_temperature_k: float = Field(293.15, gt=200, lt=350)
        relative_humidity_percent: float = Field(65.0, ge=0, le=100)
        temperature_coefficient_per_k: float = -0.01
        humidity_coefficient_per_percent: float = -0.003
        warm_up_s: float = Field(0.0, ge=0, description="tau_w; 0 for a sensor powered long before")
        warm_up_ratio: float = Field(3.0, ge=1)
        noise_relative: float = Field(0.005, ge=0)

        @model_validator(mode="after")
        def _known(self):
            for gas in [self.gas, *self.relative_sensitivity]:
                if gas not in GASES:
                    raise ValueError(f"unknown gas {gas!r}; expected one of {sorted(GASES)}")
            return self

    def __init__(self, params, n_sensors, grid, fields):
        super().__init__(params, n_sensors, grid, fields)
        self._setup(params.gas)
        sens = {params.gas: 1.0, **params.relative_sensitivity}
        self.s = sens.get(self.field_gas, 0.0)
        self.c_air = params.reference_ppm * params.clean_air_ratio ** (-1.0 / params.beta)
        g = GASES[params.gas].formula
        self.true_name, self.true_units = f"mole fraction of {g} in air", "1e-6"
        self.measured_name, self.measured_units = "sensing resistance over R0 of a metal-oxide sensor", "1"

    def ratio(self, c_ppm):
        """Rs/R0 at 20 C, 65 % RH after warm-up, for ppm of the target gas (noise-free)."""
        p = self.params
        return ((np.asarray(c_ppm, float) + self.c_air) / p.reference_ppm) ** (-p.beta)

    def respond(self, t_s, inputs, modifiers, rng):
        p = self.params
        c = self.s * np.asarray(inputs[p.field], dtype=float) * modifiers.sensitivity_factor
        y = self._lagged(t_s, c, p.t90_s, modifiers)
        h = ((1 + p.temperature_coefficient_per_k * (p.air_temperature_k - 293.15))
             * (1 + p.humidity_coefficient_per_percent * (p.relative_humidity_percent - 65.0)))
        t = np.asarray(t_s, float)[:, None]
        w = 1.0 + (p.warm_up_ratio - 1.0) * np.exp(-t / p.warm_up_s) if p.warm_up_s > 0 else 1.0
        r = self.ratio(y) * h * w
        return r * (1.0 + rng.normal(0.0, p.noise_relative, size=r.shape))

    def alarm_levels(self) -> Levels:
        """Set points are concentrations (default 10 % and 20 % LEL, or the A1/A2 of a toxic
        gas); the device compares its resistance ratio with the ratios they give."""
        gas = GASES[self.params.gas]
        if self.params.alarm_setpoints:
            ppm = self.params.alarm_setpoints
        elif gas.flammable:
            ppm = (0.1 * gas.lel_percent * 1e4, 0.2 * gas.lel_percent * 1e4)
        elif self.params.gas in EC_CELLS:
            ppm = EC_CELLS[self.params.gas][4]  # the factory set points of that gas's cell
        else:
            ppm = toxic_levels(self.params.gas, default_guideline(self.params.gas), "60min").thresholds[:2]
        ratios = tuple(float(self.ratio(c)) for c in ppm)
        return Levels(ratios, ("no_alarm",) + tuple(f"alarm_{k + 1}" for k in range(len(ppm))), falling=True)


class CatalyticLEL(_GasInstrument):
    """Catalytic bead (pellistor) %LEL detector, methane-calibrated; poisoning lowers its gain."""

    kind = "catalytic_lel"
    references = ("RAE Systems TN-156, LEL sensor correction factors (typical); Gentry & Walsh 1987, "
                  "in Solid State Gas Sensors, ch. 8 (pellistors)")
    poisonable = True
    response = PELLISTOR_RESPONSE

    class Params(_GasParams):
        gas: str = Field("methane", description="the gas whose hazard is labelled")
        t90_s: float = Field(15.0, gt=0)
        range_percent_lel: float = Field(100.0, gt=0)
        resolution_percent_lel: float = Field(1.0, ge=0)
        noise_percent_lel: float = Field(0.3, ge=0)
        zero_offset_percent_lel: float = Field(0.0, ge=0)
        relative_response: dict[str, float] | None = None

    def __init__(self, params, n_sensors, grid, fields):
        super().__init__(params, n_sensors, grid, fields)
        if params.gas not in GASES or not GASES[params.gas].flammable:
            flammable = sorted(n for n, g in GASES.items() if g.flammable)
            raise InstrumentError("gas", f"sensor kind {self.kind!r} measures a flammable gas; "
                                         f"expected one of {flammable}, got {params.gas!r}")
        self._setup(params.gas)
        if params.hazard_guideline is None:
            self._hazard = toxic_levels(params.gas, "LEL", params.exposure_duration)
        table = dict(self.response)
        table.update(params.relative_response or {})
        field_gas = GASES[self.field_gas]
        self.r = table.get(self.field_gas, 0.0) if field_gas.flammable else 0.0
        self.percent_lel_per_ppm = self.r * 100.0 / (field_gas.lel_percent * 1e4) if field_gas.flammable else 0.0
        self.setpoints = params.alarm_setpoints or (10.0, 20.0)
        self.true_name, self.true_units = f"mole fraction of {GASES[params.gas].formula} in air", "1e-6"
        self.measured_name, self.measured_units = "flammable gas reading, percent of LEL", "percent"

    def respond(self, t_s, inputs, modifiers, rng):
        p = self.params
        x = self.percent_lel_per_ppm * np.asarray(inputs[p.field], dtype=float)
        y = self._lagged(t_s, x, p.t90_s, modifiers)
        n, m = y.shape
        gain = modifiers.sensitivity_factor
        reading = gain * y + rng.normal(0.0, p.zero_offset_percent_lel, size=m) \
            + rng.normal(0.0, p.noise_percent_lel, size=(n, m))
        return quantize(np.clip(reading, 0.0, p.range_percent_lel), p.resolution_percent_lel)

    def alarm_levels(self) -> Levels:
        return Levels(tuple(self.setpoints), ("no_alarm",) + tuple(f"alarm_{k + 1}" for k in range(len(self.setpoints))))


class NdirLEL(CatalyticLEL):
    """Non-dispersive infrared %LEL detector: hydrocarbons only, no poisoning, slower."""

    kind = "ndir_lel"
    references = ("Hodgkinson & Tatam 2013, Meas. Sci. Technol. 24 012004 (optical gas sensing); "
                  "response to other hydrocarbons depends on the filter: give relative_response")
    poisonable = False
    response = {"methane": 1.0}

    class Params(CatalyticLEL.Params):
        t90_s: float = Field(30.0, gt=0)
        noise_percent_lel: float = Field(0.2, ge=0)


__all__ = ["Electrochemical", "MetalOxide", "CatalyticLEL", "NdirLEL", "toxic_levels"]
