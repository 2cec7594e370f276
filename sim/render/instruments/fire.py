"""Fire instruments: bare-bead thermocouple, heat detector (RTI) and spot smoke detector.

All three are first-order lags of the gas state at the device, solved by the shared kernel
:func:`sim.render.instruments.base.first_order_lag` (input linear between samples, the time
constant held over each interval, exact solution). Every time constant below is multiplied by
the fault factor ``tau_factor``; each device starts in equilibrium with its first sample.

============  ==========================================================  ============
symbol        meaning                                                     unit
============  ==========================================================  ============
T_g           gas temperature at the device (``air_temperature``)          K
u             gas speed past the device (param or ``gas_speed_field``)     m s-1
s             sensitivity factor (faults), 1 when healthy                  1
d, rho_b, c_b bead diameter, density, specific heat                       m, kg m-3, J kg-1 K-1
k, mu, rho    air conductivity, viscosity, density at T_g                  W m-1 K-1, Pa s, kg m-3
Re, Pr, Nu    rho u d / mu; Prandtl number (0.71); Nusselt number h d / k   1
h             convective heat-transfer coefficient                        W m-2 K-1
T_b           bead (thermocouple) temperature                             K
RTI           response time index of a heat detector                      (m s)^(1/2)
C             conduction factor of a heat detector                        (m s)^(1/2)
T_d, T_m      detector element temperature; its mount (initial) temp.     K
sigma         smoke extinction coefficient outside / inside the chamber   m-1
L             Heskestad characteristic length                             m
Ob            obscuration per metre, 100 (1 - exp(-sigma * 1 m))           % m-1
V             visibility of a sign, C_v / sigma                           m
============  ==========================================================  ============

Thermocouple (lumped sphere, radiation neglected)::

    rho_b c_b (d / 6) dT_b/dt = h (T_g - T_b)         tau = rho_b c_b d / (6 h)
    Nu = 2 + 0.6 Re^(1/2) Pr^(1/3)                    (Ranz & Marshall 1952)

with air properties at T_g: Sutherland's laws for mu and k (White 2006, Table 1-2/1-3),
ideal-gas rho at ``air_pressure_pa``. The radiative exchange of the bead (FDS adds
eps (U/4 - sigma_SB T_b^4)) is not modelled: a bare bead in a hot layer viewing cooler walls
reads low, in a cool layer near flames high, by up to tens of kelvin (Blevins & Pitts 1999);
use the reading as convective-only. The reading is s (T_b - 273.15 C) + e_j + noise in deg C,
rounded to the resolution; e_j is a fixed per-sensor calibration error e_j = f_j tol(t),
f_j ~ U(-1, 1) drawn once from the rng, tol the IEC 60584-1 tolerance of type K at the
reading t (class 1: max(1.5 C, 0.004 |t|); class 2: max(2.5 C, 0.0075 |t|)). ``s`` stands
for a drift of the Seebeck coefficient.

Heat detector (Heskestad & Bill 1988; FDS User Guide, "Heat detectors")::

    dT_d/dt = [sqrt(u) (T_g - T_d) - C (T_d - T_m)] / RTI

a first-order lag towards T_eq = (sqrt(u) T_g + C T_m) / (sqrt(u) + C) with
tau = RTI / (sqrt(u) + C); C = 0 (FDS default) gives tau = RTI / sqrt(u). The measured value is
T_d (an electronic detector reads it with a thermistor: s acts on it in deg C as for the
thermocouple). The alarm level is the activation temperature; once reached a real detector
latches, which the renderer, not this model, keeps.

Smoke detector (Heskestad 1975; Cleary, Chernovsky, Grosshandler & Anderson 2000; FDS User
Guide, "Smoke detectors")::

    Heskestad:  dsigma_c/dt = (sigma_e(t) - sigma_c) u / L
    Cleary:     dsigma_c/dt = (sigma_e(t - dt_e) - sigma_c) / dt_c,
                dt_e = alpha_e u^beta_e (entry dwell), dt_c = alpha_c u^beta_c (mixing)

applied to the extinction coefficient (proportional to the smoke mass fraction for a given
smoke), then Ob = s 100 (1 - exp(-sigma_c 1 m)) + noise, clipped to [0, 100] and rounded. The
true value is the obscuration outside the detector; the alarm is Ob >= 3.24 %/m (1 %/ft, the
FDS default activation obscuration). Hazard levels are visibility limits (Jin 1978):
V = C_v / sigma <= V_lim  <=>  Ob >= 100 (1 - exp(-C_v / V_lim)).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from sim.grid import RasterGrid
from sim.render.instruments.base import (
    FieldInfo,
    Instrument,
    InstrumentParams,
    Levels,
    Modifiers,
    first_order_lag,
    quantize,
)

ZERO_CELSIUS_K = 273.15
GAS_CONSTANT = 8.314462618        # J mol-1 K-1
AIR_MOLAR_MASS = 0.0289647        # kg mol-1
AIR_PRANDTL = 0.71                # 250-1000 K: 0.68-0.72 (Incropera et al. 2007, Table A.4)
# Sutherland's laws for air (White 2006, Viscous Fluid Flow, Tables 1-2 and 1-3).
SUTHERLAND_T0_K = 273.0
MU0_PA_S, S_MU_K = 1.716e-5, 111.0
K0_W_M_K, S_K_K = 0.0241, 194.0

# Tenability and fire-development thresholds on gas temperature (K): 60 C, the convective-heat
# tenability limit (ISO 13571:2012: incapacitation of clothed occupants after ~45 min); 120 C,
# incapacitation within ~4 min (ISO 13571), pain and skin burns within minutes (Purser, SFPE
# Handbook); 600 C, a flashover-level upper layer (Peacock et al. 1999).
TENABILITY_TEMPERATURE = Levels(
    (333.15, 393.15, 873.15),
    ("below_60_C", "above_60_C_untenable_in_45_min", "above_120_C_untenable_in_minutes", "above_600_C_flashover"),
)
# Visibility limits for way-finding (Jin 1978, 2008; typical design values): below 10 m
# untenable in large spaces or for occupants unfamiliar with the building, below 5 m in small
# familiar spaces.
VISIBILITY_LIMITS_M = (10.0, 5.0)


# -- air properties and helpers -------------------------------------------------------------

def air_viscosity(temperature_k):
    """Dynamic viscosity of air (Pa s), Sutherland's law."""
    t = np.asarray(temperature_k, dtype=float)
    return MU0_PA_S * (t / SUTHERLAND_T0_K) ** 1.5 * (SUTHERLAND_T0_K + S_MU_K) / (t + S_MU_K)


def air_conductivity(temperature_k):
    """Thermal conductivity of air (W m-1 K-1), Sutherland's law."""
    t = np.asarray(temperature_k, dtype=float)
    return K0_W_M_K * (t / SUTHERLAND_T0_K) ** 1.5 * (SUTHERLAND_T0_K + S_K_K) / (t + S_K_K)


def air_density(temperature_k, pressure_pa=101325.0):
    """Density of dry air (kg m-3), ideal gas."""
    return pressure_pa * AIR_MOLAR_MASS / (GAS_CONSTANT * np.asarray(temperature_k, dtype=float))


def bead_time_constant(gas_temperature_k, gas_speed_m_s, diameter_m, density_kg_m3, specific_heat_j_kg_k,
                       pressure_pa=101325.0):
    """tau = rho_b c_b d / (6 h), h from Ranz-Marshall Nu = 2 + 0.6 Re^0.5 Pr^(1/3) (s)."""
    t = np.asarray(gas_temperature_k, dtype=float)
    u = np.abs(np.asarray(gas_speed_m_s, dtype=float))
    reynolds = air_density(t, pressure_pa) * u * diameter_m / air_viscosity(t)
    nusselt = 2.0 + 0.6 * np.sqrt(reynolds) * AIR_PRANDTL ** (1.0 / 3.0)
    h = nusselt * air_conductivity(t) / diameter_m
    return density_kg_m3 * specific_heat_j_kg_k * diameter_m / (6.0 * h)


def type_k_tolerance(temperature_c, tolerance_class: int):
    """IEC 60584-1:2013 tolerance of a type K thermocouple (K) at temperature_c (deg C)."""
    t = np.abs(np.asarray(temperature_c, dtype=float))
    if tolerance_class == 1:
        return np.maximum(1.5, 0.004 * t)
    return np.maximum(2.5, 0.0075 * t)


def obscuration_percent_m(extinction_m):
    """Obscuration per metre (%/m) of smoke with extinction coefficient sigma (m-1)."""
    return 100.0 * (1.0 - np.exp(-np.asarray(extinction_m, dtype=float)))


def _held(a: np.ndarray) -> np.ndarray:
    """a[k - 1] at row k (a[0] at row 0): the value held over (t[k-1], t[k]]."""
    return np.concatenate([a[:1], a[:-1]], axis=0)


def _lag(t_s, x, tau, y0=None) -> np.ndarray:
    """First-order lag of x (n, m) from y0 (default: equilibrium with the first sample)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    tau = np.ascontiguousarray(np.broadcast_to(tau, x.shape), dtype=np.float64)
    y0 = x[0].copy() if y0 is None else np.ascontiguousarray(np.broadcast_to(y0, x.shape[1:]), dtype=np.float64)
    out = np.empty_like(x)
    first_order_lag(np.ascontiguousarray(t_s, dtype=np.float64), x, tau, y0, out)
    # The shared kernel holds x[k-1] over (t[k-1], t[k]], so tau = 0 would lag one sample; a
    # sensor without a time constant reads the input now.
    return np.where(tau > 0, out, x)


def _set_point_levels(points: tuple[float, ...]) -> Levels:
    """Alarm k when the reading reaches the k-th set point (CF-style meaning tokens)."""
    return Levels(tuple(points), ("no_alarm",) + tuple(f"alarm_{k + 1}" for k in range(len(points))))


def _celsius_reading(temperature_k, sensitivity, offset_k, noise_std_k, resolution_k, rng) -> np.ndarray:
    """s (T - 0 C) + offset + noise, rounded in deg C, returned in K."""
    reading = sensitivity * (temperature_k - ZERO_CELSIUS_K) + offset_k
    if noise_std_k > 0:
        reading = reading + rng.normal(0.0, noise_std_k, size=reading.shape)
    return quantize(reading, resolution_k) + ZERO_CELSIUS_K


class _GasSpeedMixin:
    """Gas speed at the sensors from a parameter or an optional field."""

    def _require_speed(self) -> None:
        name = self.params.gas_speed_field
        if name is not None:
            self.require_field(name, "gas_speed_field", units="m s-1")
            self.inputs = self.inputs + (name,)

    def _speed(self, inputs: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
        name = self.params.gas_speed_field
        if name is not None:
            return np.abs(np.asarray(inputs[name], dtype=float))
        return np.full(shape, self.params.gas_speed_m_s)


# -- thermocouple ---------------------------------------------------------------------------

class Thermocouple(_GasSpeedMixin, Instrument):
    """Bare-bead type K thermocouple: convective first-order lag, IEC tolerance, noise."""

    kind = "thermocouple"
    references = (
        "Ranz & Marshall (1952) Chem. Eng. Prog. 48, 141-146 and 173-180 (sphere Nusselt number); "
        "White (2006) Viscous Fluid Flow, 3rd ed., Tables 1-2/1-3 (Sutherland's laws); "
        "IEC 60584-1:2013 (type K tolerance classes); McGrattan et al., FDS User Guide, NIST SP 1019 "
        "(thermocouple: BEAD_DIAMETER 1 mm, BEAD_DENSITY 8908 kg/m3, BEAD_SPECIFIC_HEAT 0.44 kJ/kg/K); "
        "Blevins & Pitts (1999) Fire Safety J. 33, 239-259 (radiation error, not modelled); "
        "ISO 13571:2012 and Purser, SFPE Handbook (heat tenability); Peacock, Reneke, Bukowski & "
        "Babrauskas (1999) Fire Safety J. 32, 331-345 (flashover)."
    )

    class Params(InstrumentParams):
        field: str = "air_temperature"
        bead_diameter_m: float = Field(0.001, gt=0, description="FDS default")
        bead_density_kg_m3: float = Field(8908.0, gt=0, description="FDS default (nickel)")
        bead_specific_heat_j_kg_k: float = Field(440.0, gt=0, description="FDS default")
        gas_speed_m_s: float = Field(1.0, ge=0, description="(typical) ceiling-jet speed")
        gas_speed_field: str | None = Field(None, description="read the gas speed (m s-1) from this field")
        air_pressure_pa: float = Field(101325.0, gt=1e4, lt=2e5)
        tolerance_class: Literal[1, 2] | None = Field(1, description="IEC 60584-1 class; None: no calibration error")
        noise_std_k: float = Field(0.1, ge=0, description="(typical) data-logger noise")
        resolution_k: float = Field(0.1, ge=0, description="(typical)")
        alarm_levels_k: tuple[float, ...] = Field((333.15, 393.15), description="set points on the reading")

        @field_validator("alarm_levels_k")
        @classmethod
        def _alarms_increase(cls, value: tuple[float, ...]) -> tuple[float, ...]:
            if any(b <= a for a, b in zip(value, value[1:])):
                raise ValueError("set points must increase")
            return value

    def __init__(self, params, n_sensors: int, grid: RasterGrid, fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        self.require_field(params.field, "field", units="K")
        self.inputs = (params.field,)
        self._require_speed()
        self.true_name = "air_temperature"
        self.true_units = "K"
        self.measured_name = "air_temperature"
        self.measured_units = "K"

    def time_constant(self, gas_temperature_k, gas_speed_m_s):
        """Bead time constant (s) at the given gas temperature and speed."""
        p = self.params
        return bead_time_constant(gas_temperature_k, gas_speed_m_s, p.bead_diameter_m, p.bead_density_kg_m3,
                                  p.bead_specific_heat_j_kg_k, p.air_pressure_pa)

    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        p = self.params
        gas = np.asarray(inputs[p.field], dtype=float)
        speed = self._speed(inputs, gas.shape)
        tau = self.time_constant(_held(gas), _held(speed)) * modifiers.tau_factor
        bead = _lag(t_s, gas, tau)
        offset = 0.0
        if p.tolerance_class is not None:
            fraction = rng.uniform(-1.0, 1.0, size=gas.shape[1])
            offset = fraction * type_k_tolerance(modifiers.sensitivity_factor * (bead - ZERO_CELSIUS_K),
                                                 p.tolerance_class)
        return _celsius_reading(bead, modifiers.sensitivity_factor, offset, p.noise_std_k, p.resolution_k, rng)

    def hazard_levels(self) -> Levels:
        return TENABILITY_TEMPERATURE

    def alarm_levels(self) -> Levels:
        return _set_point_levels(self.params.alarm_levels_k)


# -- heat detector --------------------------------------------------------------------------

class HeatDetector(_GasSpeedMixin, Instrument):
    """Fixed-temperature heat detector, RTI (and conduction C-factor) model."""

    kind = "heat_detector"
    references = (
        "Heskestad & Bill (1988) Fire Safety J. 14, 113-125 (RTI and C-factor); Heskestad & Smith "
        "(1976) FMRC J.I. 22485 (RTI); McGrattan et al., FDS User Guide, NIST SP 1019 (heat detector "
        "model, RTI default 100 (m s)^1/2 (typical), C = 0); NFPA 72 / UL 521 ordinary temperature "
        "rating 57 C (135 F) (typical); ISO 13571:2012 and Purser, SFPE Handbook (heat tenability); "
        "Peacock et al. (1999) Fire Safety J. 32, 331-345 (flashover)."
    )

    class Params(InstrumentParams):
        field: str = "air_temperature"
        rti_m_s_half: float = Field(100.0, gt=0, description="(typical) standard response; FDS default")
        c_factor_m_s_half: float = Field(0.0, ge=0, description="conduction to the mount; FDS default 0")
        activation_temperature_k: float = Field(330.15, gt=273.15, description="57 C ordinary rating (typical)")
        gas_speed_m_s: float = Field(1.0, ge=0, description="(typical) ceiling-jet speed")
        gas_speed_field: str | None = Field(None, description="read the gas speed (m s-1) from this field")
        initial_temperature_k: float | None = Field(None, gt=0, description="element and mount; None: first gas sample")
        noise_std_k: float = Field(0.0, ge=0)
        resolution_k: float = Field(0.0, ge=0)

    def __init__(self, params, n_sensors: int, grid: RasterGrid, fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        self.require_field(params.field, "field", units="K")
        self.inputs = (params.field,)
        self._require_speed()
        self.true_name = "air_temperature"
        self.true_units = "K"
        self.measured_name = "detector_element_temperature"
        self.measured_units = "K"

    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        p = self.params
        gas = np.asarray(inputs[p.field], dtype=float)
        root_u = np.sqrt(self._speed(inputs, gas.shape))
        mount = gas[0] if p.initial_temperature_k is None else np.full(gas.shape[1], p.initial_temperature_k)
        c = p.c_factor_m_s_half
        coupling = root_u + c
        safe = np.where(coupling > 0, coupling, 1.0)
        target = np.where(coupling > 0, (root_u * gas + c * mount) / safe, gas)
        held = _held(coupling)
        tau = np.where(held > 0, p.rti_m_s_half / np.where(held > 0, held, 1.0), np.inf) * modifiers.tau_factor
        element = _lag(t_s, target, tau, y0=mount)
        return _celsius_reading(element, modifiers.sensitivity_factor, 0.0, p.noise_std_k, p.resolution_k, rng)

    def hazard_levels(self) -> Levels:
        return TENABILITY_TEMPERATURE

    def alarm_levels(self) -> Levels:
        return Levels((self.params.activation_temperature_k,), ("not_activated", "activated"))


# -- smoke detector -------------------------------------------------------------------------

class SmokeDetector(_GasSpeedMixin, Instrument):
    """Spot smoke detector: Heskestad (or Cleary) entry lag, obscuration per metre."""

    kind = "smoke_detector"
    references = (
        "Heskestad (1975) FMRC Serial 22485 (characteristic length); Cleary, Chernovsky, Grosshandler "
        "& Anderson (2000) Proc. Interflam 1999 / NISTIR 6497 (two-parameter entry model); "
        "McGrattan et al., FDS User Guide, NIST SP 1019 (LENGTH 1.8 m, ACTIVATION_OBSCURATION "
        "3.24 %/m; Cleary photoelectric P1 alpha_e 1.8, beta_e -1.1, alpha_c 1.0, beta_c -0.8 "
        "(typical)); Jin (1978) J. Fire Flammability 9, 135-157 and SFPE Handbook (visibility "
        "V = C/sigma, C = 3 for light-reflecting signs; 5-10 m tenability, typical)."
    )

    class Params(InstrumentParams):
        field: str = "smoke_extinction_coefficient"
        model: Literal["heskestad", "cleary"] = "heskestad"
        characteristic_length_m: float = Field(1.8, gt=0, description="Heskestad L; FDS default")
        alpha_e: float = Field(1.8, ge=0, description="Cleary dwell dt_e = alpha_e u^beta_e (s, u in m/s)")
        beta_e: float = Field(-1.1, description="Cleary dwell exponent")
        alpha_c: float = Field(1.0, ge=0, description="Cleary mixing dt_c = alpha_c u^beta_c (s, u in m/s)")
        beta_c: float = Field(-0.8, description="Cleary mixing exponent")
        activation_obscuration_percent_m: float = Field(3.24, gt=0, lt=100, description="FDS default (1 %/ft)")
        gas_speed_m_s: float = Field(1.0, ge=0, description="(typical) ceiling-jet speed")
        gas_speed_field: str | None = Field(None, description="read the gas speed (m s-1) from this field")
        visibility_constant: float = Field(3.0, gt=0, description="Jin: 3 light-reflecting, 8 light-emitting signs")
        noise_std_percent_m: float = Field(0.05, ge=0, description="(typical)")
        resolution_percent_m: float = Field(0.01, ge=0, description="(typical)")

    def __init__(self, params, n_sensors: int, grid: RasterGrid, fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        self.require_field(params.field, "field", units="m-1")
        self.inputs = (params.field,)
        self._require_speed()
        self.true_name = "smoke_obscuration"
        self.true_units = "percent m-1"
        self.measured_name = "smoke_obscuration"
        self.measured_units = "percent m-1"

    def truth(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        return obscuration_percent_m(np.maximum(np.asarray(inputs[self.params.field], dtype=float), 0.0))

    def delays(self, speed_m_s) -> tuple[np.ndarray, np.ndarray]:
        """(entry dwell dt_e, mixing time constant dt_c) in s at gas speed u; inf where u = 0."""
        p = self.params
        u = np.abs(np.asarray(speed_m_s, dtype=float))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if p.model == "heskestad":
                dwell = np.zeros_like(u)
                mixing = np.where(u > 0, p.characteristic_length_m / np.where(u > 0, u, 1.0), np.inf)
            else:
                dwell = np.where(u > 0, p.alpha_e * np.where(u > 0, u, 1.0) ** p.beta_e,
                                 np.inf if p.beta_e < 0 else 0.0)
                mixing = np.where(u > 0, p.alpha_c * np.where(u > 0, u, 1.0) ** p.beta_c,
                                  np.inf if p.beta_c < 0 else 0.0)
        return dwell, mixing

    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        p = self.params
        t_s = np.asarray(t_s, dtype=float)
        outside = np.maximum(np.asarray(inputs[p.field], dtype=float), 0.0)
        speed = self._speed(inputs, outside.shape)
        dwell, _ = self.delays(speed)
        _, mixing = self.delays(_held(speed))
        dwell = dwell * modifiers.tau_factor
        entering = outside
        if np.any(dwell > 0):
            entering = np.empty_like(outside)
            for j in range(outside.shape[1]):
                entering[:, j] = np.interp(t_s - dwell[:, j], t_s, outside[:, j])
        chamber = _lag(t_s, entering, mixing * modifiers.tau_factor, y0=outside[0])
        reading = modifiers.sensitivity_factor * obscuration_percent_m(chamber)
        if p.noise_std_percent_m > 0:
            reading = reading + rng.normal(0.0, p.noise_std_percent_m, size=reading.shape)
        return quantize(np.clip(reading, 0.0, 100.0), p.resolution_percent_m)

    def hazard_levels(self) -> Levels:
        c_v = self.params.visibility_constant
        limits = VISIBILITY_LIMITS_M
        return Levels(tuple(float(obscuration_percent_m(c_v / v)) for v in limits),
                      ("visibility_above_10_m", "visibility_below_10_m", "visibility_below_5_m"))

    def alarm_levels(self) -> Levels:
        return Levels((self.params.activation_obscuration_percent_m,), ("no_alarm", "alarm"))


__all__ = ["Thermocouple", "HeatDetector", "SmokeDetector", "air_viscosity", "air_conductivity",
           "air_density", "bead_time_constant", "type_k_tolerance", "obscuration_percent_m"]
