"""Fire instruments: thermocouple, RTI heat detector and Heskestad/Cleary smoke detector."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.render.instruments import instrument_class
from sim.render.instruments.base import FieldInfo, InstrumentError, Modifiers, first_order_lag_reference
from sim.render.instruments.fire import (
    HeatDetector,
    SmokeDetector,
    Thermocouple,
    air_conductivity,
    air_density,
    air_viscosity,
    bead_time_constant,
    obscuration_percent_m,
)

GRID = RasterGrid(shape=(10, 10), spacing_m=(1.0, 1.0))
LN10 = math.log(10.0)


def fields(*pairs) -> dict[str, FieldInfo]:
    return {name: FieldInfo(FieldSpec(name, at="cell", units=units, intent="out", doc=name)) for name, units in pairs}


TEMPERATURE = fields(("air_temperature", "K"))
SMOKE = fields(("smoke_extinction_coefficient", "m-1"))


def make(cls, m=1, available=None, **params):
    if available is None:
        available = SMOKE if cls is SmokeDetector else TEMPERATURE
    return cls(cls.Params(**params), m, GRID, available)


def crossing_time(t, y, level):
    k = int(np.argmax(y >= level))
    return t[k - 1] + (level - y[k - 1]) / (y[k] - y[k - 1]) * (t[k] - t[k - 1])


def step(t, before, after, at):
    return np.where(t >= at, after, before)[:, None]


QUIET_TC = dict(noise_std_k=0.0, resolution_k=0.0, tolerance_class=None)


def test_registry_names_the_classes():
    assert instrument_class("thermocouple") is Thermocouple
    assert instrument_class("heat_detector") is HeatDetector
    assert instrument_class("smoke_detector") is SmokeDetector


@pytest.mark.parametrize("temperature, k, mu, rho", [(300.0, 0.0263, 1.846e-5, 1.1614), (600.0, 0.0469, 3.058e-5, 0.5804),
                                                     (1000.0, 0.0667, 4.240e-5, 0.3482)])
def test_air_properties_match_tables(temperature, k, mu, rho):
    """Incropera, DeWitt, Bergman & Lavine (2007) Table A.4, air at 1 atm (its densities sit 1.3 % below
    the ideal gas)."""
    assert air_conductivity(temperature) == pytest.approx(k, rel=0.03)
    assert air_viscosity(temperature) == pytest.approx(mu, rel=0.03)
    assert air_density(temperature) == pytest.approx(rho, rel=0.02)


def test_bead_time_constant_limits():
    """Still air: Nu = 2, tau = rho c d^2 / (12 k); tau falls as u^-1/2 once Re >> 1."""
    d, rho_b, c_b = 1e-3, 8908.0, 440.0
    still = bead_time_constant(300.0, 0.0, d, rho_b, c_b)
    assert still == pytest.approx(rho_b * c_b * d**2 / (12.0 * air_conductivity(300.0)), rel=1e-12)
    fast = bead_time_constant(300.0, [100.0, 400.0], 1e-2, rho_b, c_b)
    assert fast[0] / fast[1] == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize("speed, tau_factor", [(0.0, 1.0), (1.0, 1.0), (3.0, 2.0)])
def test_thermocouple_step_reaches_90_percent_at_t90(speed, tau_factor):
    tc = make(Thermocouple, gas_speed_m_s=speed, **QUIET_TC)
    hot = 373.15
    tau = float(bead_time_constant(hot, speed, 1e-3, 8908.0, 440.0)) * tau_factor
    t = np.arange(0.0, 5.0 + 15.0 * tau, tau / 400.0)
    mods = Modifiers.none(t.size, 1)
    mods.tau_factor[:] = tau_factor
    reading = tc.respond(t, {"air_temperature": step(t, 293.15, hot, 5.0)}, mods, np.random.default_rng(0))[:, 0]
    assert reading[0] == pytest.approx(293.15, abs=1e-9)
    assert crossing_time(t, reading, 293.15 + 0.9 * 80.0) - 5.0 == pytest.approx(tau * LN10, rel=0.02)
    assert reading[-1] == pytest.approx(hot, abs=1e-3)


def test_thermocouple_matches_numpy_twin_of_the_lag():
    """Random gas temperature and speed: respond equals the NumPy first-order lag with the same tau."""
    rng = np.random.default_rng(2)
    n, m = 400, 4
    t = np.cumsum(rng.uniform(0.05, 2.0, n))
    gas = 300.0 + np.cumsum(rng.normal(0.0, 5.0, (n, m)), axis=0).clip(-50, 600)
    speed = rng.uniform(0.0, 3.0, (n, m))
    tc = make(Thermocouple, m=m, available=fields(("air_temperature", "K"), ("gas_speed", "m s-1")),
              gas_speed_field="gas_speed", **QUIET_TC)
    got = tc.respond(t, {"air_temperature": gas, "gas_speed": speed}, Modifiers.none(n, m), rng)
    held = lambda a: np.concatenate([a[:1], a[:-1]])  # noqa: E731
    tau = tc.time_constant(held(gas), held(speed))
    np.testing.assert_allclose(got, first_order_lag_reference(t, gas, tau, gas[0]), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("celsius, tolerance", [(100.0, 1.5), (800.0, 3.2)])
def test_thermocouple_calibration_error_within_iec_class_1(celsius, tolerance):
    m = 2000
    tc = make(Thermocouple, m=m, noise_std_k=0.0, resolution_k=0.0, tolerance_class=1)
    t = np.arange(3.0)
    gas = np.full((3, m), 273.15 + celsius)
    error = tc.respond(t, {"air_temperature": gas}, Modifiers.none(3, m), np.random.default_rng(4)) - gas
    assert np.all(np.abs(error) <= tolerance + 1e-9)
    assert np.abs(error).max() > 0.95 * tolerance
    assert np.all(error == error[0])  # a fixed per-sensor offset, not noise


def test_thermocouple_sensitivity_noise_resolution_and_seed():
    m = 3
    tc = make(Thermocouple, m=m, noise_std_k=0.2, resolution_k=0.1)
    t = np.arange(300.0)
    gas = {"air_temperature": np.full((300, m), 473.15)}
    a = tc.respond(t, gas, Modifiers.none(300, m), np.random.default_rng(9))
    b = tc.respond(t, gas, Modifiers.none(300, m), np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    celsius = a - 273.15
    np.testing.assert_allclose(celsius * 10, np.round(celsius * 10), atol=1e-6)
    drifted = make(Thermocouple, **QUIET_TC)
    mods = Modifiers.none(3, 1)
    mods.sensitivity_factor[:] = 0.98
    out = drifted.respond(np.arange(3.0), {"air_temperature": np.full((3, 1), 473.15)}, mods, np.random.default_rng(0))
    assert out[-1, 0] == pytest.approx(273.15 + 0.98 * 200.0)


@pytest.mark.parametrize("rti, speed, c_factor", [(100.0, 1.0, 0.0), (50.0, 2.5, 0.0), (80.0, 1.5, 0.5)])
def test_heat_detector_is_the_exact_rti_exponential(rti, speed, c_factor):
    """Constant T_g: T_d = T_eq - (T_eq - T_0) exp(-t (sqrt(u) + C) / RTI)."""
    hd = make(HeatDetector, rti_m_s_half=rti, gas_speed_m_s=speed, c_factor_m_s_half=c_factor,
              initial_temperature_k=293.15, activation_temperature_k=330.15)
    t = np.arange(0.0, 1500.0, 0.5)
    gas = np.full((t.size, 1), 373.15)
    element = hd.respond(t, {"air_temperature": gas}, Modifiers.none(t.size, 1), np.random.default_rng(0))[:, 0]
    root_u = math.sqrt(speed)
    t_eq = (root_u * 373.15 + c_factor * 293.15) / (root_u + c_factor)
    tau = rti / (root_u + c_factor)
    np.testing.assert_allclose(element, t_eq - (t_eq - 293.15) * np.exp(-t / tau), rtol=1e-12)
    activation = -tau * math.log((t_eq - 330.15) / (t_eq - 293.15))
    first_alarm = t[np.argmax(hd.alarm_levels().of(element) == 1)]
    assert first_alarm == pytest.approx(activation, abs=0.5)
    assert crossing_time(t, element, 293.15 + 0.9 * (t_eq - 293.15)) == pytest.approx(tau * LN10, rel=0.02)


def test_heat_detector_tau_factor_and_still_air():
    hd = make(HeatDetector, gas_speed_m_s=1.0)
    t = np.arange(0.0, 2000.0, 1.0)
    gas = step(t, 293.15, 373.15, 10.0)
    mods = Modifiers.none(t.size, 1)
    mods.tau_factor[:] = 2.0
    slow = hd.respond(t, {"air_temperature": gas}, mods, np.random.default_rng(0))[:, 0]
    assert crossing_time(t, slow, 293.15 + 72.0) - 10.0 == pytest.approx(200.0 * LN10, rel=0.02)
    still = make(HeatDetector, gas_speed_m_s=0.0).respond(t, {"air_temperature": gas}, Modifiers.none(t.size, 1),
                                                          np.random.default_rng(0))
    np.testing.assert_allclose(still, 293.15)


def test_heat_detector_reads_speed_from_a_field():
    available = fields(("air_temperature", "K"), ("gas_speed", "m s-1"))
    by_field = make(HeatDetector, m=2, available=available, gas_speed_field="gas_speed")
    by_param = make(HeatDetector, m=2, gas_speed_m_s=2.0)
    t = np.arange(0.0, 300.0, 2.0)
    gas = np.tile(step(t, 293.15, 400.0, 20.0), (1, 2))
    a = by_field.respond(t, {"air_temperature": gas, "gas_speed": np.full(gas.shape, -2.0)},
                         Modifiers.none(t.size, 2), np.random.default_rng(0))
    b = by_param.respond(t, {"air_temperature": gas}, Modifiers.none(t.size, 2), np.random.default_rng(0))
    np.testing.assert_allclose(a, b, rtol=1e-13)


@pytest.mark.parametrize("speed", [0.3, 1.0, 2.0])
def test_smoke_detector_heskestad_lag(speed):
    """sigma_c = sigma (1 - exp(-(t - t_s) u / L)); alarm when 100 (1 - exp(-sigma_c)) = 3.24 %/m."""
    sd = make(SmokeDetector, gas_speed_m_s=speed, noise_std_percent_m=0.0, resolution_percent_m=0.0)
    length, sigma = 1.8, 0.2
    tau = length / speed
    t = np.arange(0.0, 2.0 + 15 * tau, tau / 500.0)
    smoke = step(t, 0.0, sigma, 2.0)
    reading = sd.respond(t, {"smoke_extinction_coefficient": smoke}, Modifiers.none(t.size, 1),
                         np.random.default_rng(0))[:, 0]
    chamber = -np.log(1.0 - reading / 100.0)
    assert crossing_time(t, chamber, 0.9 * sigma) - 2.0 == pytest.approx(tau * LN10, rel=0.02)
    sigma_alarm = -math.log(1.0 - 0.0324)
    expected = 2.0 - tau * math.log(1.0 - sigma_alarm / sigma)
    first_alarm = t[np.argmax(sd.alarm_levels().of(reading) == 1)]
    assert first_alarm == pytest.approx(expected, rel=0.02)
    assert reading[-1] == pytest.approx(sd.truth({"smoke_extinction_coefficient": smoke})[-1, 0], rel=1e-6)


def test_smoke_detector_cleary_dwell_and_mixing():
    """Cleary: nothing enters for dt_e = alpha_e u^beta_e, then a lag of dt_c = alpha_c u^beta_c."""
    speed = 0.5
    sd = make(SmokeDetector, model="cleary", gas_speed_m_s=speed, noise_std_percent_m=0.0, resolution_percent_m=0.0)
    dwell, mixing = 1.8 * speed**-1.1, 1.0 * speed**-0.8
    t = np.arange(0.0, 40.0, 0.005)
    reading = sd.respond(t, {"smoke_extinction_coefficient": step(t, 0.0, 0.5, 1.0)}, Modifiers.none(t.size, 1),
                         np.random.default_rng(0))[:, 0]
    chamber = -np.log(1.0 - reading / 100.0)
    assert np.all(chamber[t <= 1.0 + dwell - 0.01] == 0.0)
    after = t > 1.0 + dwell + 0.01
    expected = 0.5 * (1.0 - np.exp(-(t[after] - 1.0 - dwell) / mixing))
    np.testing.assert_allclose(chamber[after], expected, atol=2e-3)


def test_smoke_detector_sensitivity_noise_seed_and_hazard():
    sd = make(SmokeDetector, m=3)
    t = np.arange(0.0, 200.0)
    smoke = {"smoke_extinction_coefficient": np.full((t.size, 3), 0.1)}
    a = sd.respond(t, smoke, Modifiers.none(t.size, 3), np.random.default_rng(5))
    b = sd.respond(t, smoke, Modifiers.none(t.size, 3), np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    assert np.std(a - obscuration_percent_m(0.1)) == pytest.approx(0.05, rel=0.15)
    mods = Modifiers.none(t.size, 1)
    mods.sensitivity_factor[:] = 0.5
    quiet = make(SmokeDetector, noise_std_percent_m=0.0, resolution_percent_m=0.0)
    half = quiet.respond(t, {"smoke_extinction_coefficient": smoke["smoke_extinction_coefficient"][:, :1]}, mods,
                         np.random.default_rng(0))
    assert half[-1, 0] == pytest.approx(0.5 * obscuration_percent_m(0.1))
    # Visibility of a light-reflecting sign V = 3 / sigma: 10 m at sigma = 0.3 m-1, 5 m at 0.6 m-1.
    levels = sd.hazard_levels()
    np.testing.assert_allclose(levels.thresholds, obscuration_percent_m(np.array([0.3, 0.6])))
    np.testing.assert_array_equal(levels.of(sd.truth({"smoke_extinction_coefficient": np.array([[0.1, 0.31, 0.7]])})),
                                  [[0, 1, 2]])


def test_temperature_hazard_levels():
    levels = make(Thermocouple).hazard_levels()
    np.testing.assert_array_equal(levels.of(np.array([300.0, 340.0, 400.0, 900.0])), [0, 1, 2, 3])
    assert make(HeatDetector).alarm_levels().thresholds == (330.15,)


@pytest.mark.parametrize("cls", [Thermocouple, HeatDetector, SmokeDetector])
def test_missing_field_raises(cls):
    with pytest.raises(InstrumentError) as err:
        cls(cls.Params(), 1, GRID, {})
    assert err.value.key == "field"
    available = SMOKE if cls is SmokeDetector else TEMPERATURE
    with pytest.raises(InstrumentError) as err:
        cls(cls.Params(gas_speed_field="gas_speed"), 1, GRID, available)
    assert err.value.key == "gas_speed_field"
    wrong = fields(("smoke_extinction_coefficient", "1") if cls is SmokeDetector else ("air_temperature", "degC"))
    with pytest.raises(InstrumentError):
        cls(cls.Params(), 1, GRID, wrong)


@pytest.mark.parametrize("cls", [Thermocouple, HeatDetector, SmokeDetector])
def test_level_meanings_are_cf_tokens(cls):
    """Meanings are written space-separated (CF flag_meanings), so none may contain a space."""
    inst = make(cls)
    for levels in (inst.hazard_levels(), inst.alarm_levels()):
        assert all(" " not in meaning for meaning in levels.meanings)
