"""Gas detectors: response time, cross-sensitivity, %LEL response factors, MOS power law."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.gas_dispersion.gases import GASES
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.render.instruments.base import (
    FieldInfo,
    InstrumentError,
    Modifiers,
    first_order_lag,
    first_order_lag_reference,
)
from sim.render.instruments.gas import (
    EC_CELLS,
    CatalyticLEL,
    Electrochemical,
    MetalOxide,
    NdirLEL,
    toxic_levels,
)

GRID = RasterGrid(shape=(10, 10), spacing_m=(1.0, 1.0))


def fields(gas: str) -> dict[str, FieldInfo]:
    spec = FieldSpec("gas_mole_fraction", at="cell", units="1e-6", intent="out", doc="gas")
    return {"gas_mole_fraction": FieldInfo(spec, {"gas": gas})}


def build(cls, field_gas: str, m: int = 1, **params):
    return cls(cls.Params(**params), m, GRID, fields(field_gas))


def step_response(inst, ppm: float, t_end: float, dt: float = 0.05, tau_factor: float = 1.0):
    t = np.arange(0.0, t_end, dt)
    x = np.full((len(t), 1), ppm)
    mods = Modifiers.none(len(t), 1)
    mods.tau_factor[:] = tau_factor
    return t, inst.respond(t, {"gas_mole_fraction": x}, mods, np.random.default_rng(0))


def t90_of(t, y, final):
    return t[np.argmax(y[:, 0] >= 0.9 * final)]


@pytest.mark.parametrize("cell", sorted(EC_CELLS))
def test_electrochemical_step_reaches_90_percent_at_t90(cell):
    inst = build(Electrochemical, cell, gas=cell, noise_ppm=0.0, resolution_ppm=0.0)
    final = 0.5 * inst.range_ppm
    t, y = step_response(inst, final, 3 * inst.t90_s)
    assert abs(t90_of(t, y, final) - inst.t90_s) <= 0.02 * inst.t90_s
    assert y[-1, 0] == pytest.approx(final * (1 - math.exp(-3 * math.log(10))), rel=1e-3)


def test_fouling_multiplies_the_response_time():
    inst = build(Electrochemical, "chlorine", gas="chlorine", t90_s=30.0, noise_ppm=0.0, resolution_ppm=0.0)
    t, y = step_response(inst, 10.0, 400.0, tau_factor=4.0)
    assert abs(t90_of(t, y, 10.0) - 120.0) <= 0.02 * 120.0


@pytest.mark.parametrize("cls,gas", [(CatalyticLEL, "methane"), (NdirLEL, "methane")])
def test_lel_heads_reach_90_percent_at_t90(cls, gas):
    inst = build(cls, gas, gas=gas, noise_percent_lel=0.0, resolution_percent_lel=0.0)
    ppm = 0.4 * GASES[gas].lel_percent * 1e4
    t, y = step_response(inst, ppm, 3 * inst.params.t90_s)
    assert abs(t90_of(t, y, 40.0) - inst.params.t90_s) <= 0.02 * inst.params.t90_s


def test_lag_kernel_agrees_with_twin_on_uneven_times():
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.1, 3.0, 300))
    x = rng.random((300, 4))
    tau = rng.uniform(0.0, 20.0, (300, 4))
    tau[::17] = 0.0  # instantaneous response is allowed
    y0 = rng.random(4)
    out = np.empty_like(x)
    first_order_lag(t, x, tau, y0, out)
    np.testing.assert_allclose(out, first_order_lag_reference(t, x, tau, y0), rtol=1e-13, atol=1e-15)


def test_cross_sensitivity_gives_a_hard_negative_without_a_hazard():
    # An H2S cell in a sulfur dioxide cloud reads 20 % of the SO2 (PhD Lite chart): at 60 ppm
    # SO2 it passes its 10 ppm A1 set point, while no H2S is present.
    inst = build(Electrochemical, "sulfur_dioxide", gas="hydrogen_sulfide", noise_ppm=0.0, resolution_ppm=0.0)
    inputs = {"gas_mole_fraction": np.full((400, 1), 60.0)}
    t = np.arange(400.0)
    y = inst.respond(t, inputs, Modifiers.none(400, 1), np.random.default_rng(0))
    assert y[-1, 0] == pytest.approx(12.0, rel=1e-6)
    assert (inst.truth(inputs) == 0).all()
    assert inst.hazard_levels().of(inst.truth(inputs)).max() == 0
    assert inst.alarm_levels().of(y)[-1, 0] == 1


def test_negative_cross_sensitivity_reads_zero_and_oxidant_lowers_the_reading():
    inst = build(Electrochemical, "chlorine", gas="hydrogen_sulfide", noise_ppm=0.0)
    t = np.arange(300.0)
    y = inst.respond(t, {"gas_mole_fraction": np.full((300, 1), 5.0)}, Modifiers.none(300, 1),
                     np.random.default_rng(0))
    assert (y == 0).all()  # -0.2 x 5 ppm, clipped at the display's zero


def test_range_resolution_and_ageing():
    inst = build(Electrochemical, "ammonia", gas="ammonia", age_days=365.25, sensitivity_loss_per_year=0.1)
    t = np.arange(0.0, 1000.0, 2.0)
    x = np.linspace(0.0, 300.0, len(t))[:, None]
    y = inst.respond(t, {"gas_mole_fraction": x}, Modifiers.none(len(t), 1), np.random.default_rng(5))
    assert y.max() == inst.range_ppm and y.min() >= 0
    np.testing.assert_allclose(y / inst.resolution_ppm, np.round(y / inst.resolution_ppm), atol=1e-9)
    # After a year the cell reads 10 % low on a long steady exposure.
    steady = inst.respond(t, {"gas_mole_fraction": np.full((len(t), 1), 50.0)}, Modifiers.none(len(t), 1),
                          np.random.default_rng(5))
    assert steady[-50:].mean() == pytest.approx(45.0, abs=0.6)


def test_pellistor_under_reads_propane_and_poisoning_lowers_the_gain():
    inst = build(CatalyticLEL, "propane", gas="propane", noise_percent_lel=0.0, resolution_percent_lel=0.0)
    ppm = 0.5 * 2.1e4  # 50 % LEL of propane
    t = np.arange(0.0, 300.0)
    mods = Modifiers.none(len(t), 1)
    y = inst.respond(t, {"gas_mole_fraction": np.full((len(t), 1), ppm)}, mods, np.random.default_rng(0))
    assert y[-1, 0] == pytest.approx(50.0 / 1.6, rel=1e-6)
    mods.sensitivity_factor[:] = 0.4
    y = inst.respond(t, {"gas_mole_fraction": np.full((len(t), 1), ppm)}, mods, np.random.default_rng(0))
    assert y[-1, 0] == pytest.approx(0.4 * 50.0 / 1.6, rel=1e-6)
    assert inst.alarm_levels().thresholds == (10.0, 20.0)
    assert inst.hazard_levels().of(np.array([0.05, 0.2, 0.7, 1.1]) * 2.1e4).tolist() == [0, 1, 2, 3]


def test_ndir_ignores_gases_outside_the_hydrocarbon_band():
    inst = build(NdirLEL, "hydrogen_sulfide", gas="methane", noise_percent_lel=0.0)
    t = np.arange(0.0, 200.0)
    y = inst.respond(t, {"gas_mole_fraction": np.full((200, 1), 1e4)}, Modifiers.none(200, 1),
                     np.random.default_rng(0))
    assert (y == 0).all()
    assert not NdirLEL.poisonable and CatalyticLEL.poisonable


def test_metal_oxide_power_law_clean_air_and_warm_up():
    inst = build(MetalOxide, "methane", gas="methane", noise_relative=0.0, warm_up_s=60.0)
    p = inst.params
    assert inst.ratio(0.0) == pytest.approx(p.clean_air_ratio)
    # Datasheet sensitivity: Rs(9000 ppm) / Rs(3000 ppm) = 0.60 where clean air no longer matters.
    assert inst.ratio(9000.0) / inst.ratio(3000.0) == pytest.approx(0.60, rel=0.03)
    c = np.array([1e3, 1e4, 1e5])
    slope = np.diff(np.log(inst.ratio(c))) / np.diff(np.log(c))
    assert slope[-1] == pytest.approx(-p.beta, rel=0.02) and (np.diff(inst.ratio(c)) < 0).all()
    t = np.array([0.0, 600.0])
    y = inst.respond(t, {"gas_mole_fraction": np.zeros((2, 1))}, Modifiers.none(2, 1), np.random.default_rng(0))
    assert y[0, 0] == pytest.approx(p.warm_up_ratio * p.clean_air_ratio)
    assert y[1, 0] == pytest.approx(p.clean_air_ratio, rel=1e-3)
    # Alarms compare falling resistance ratios: 10 % LEL of methane trips the first.
    levels = inst.alarm_levels()
    assert levels.falling and levels.of(inst.ratio(np.array([100.0, 6000.0, 20000.0]))).tolist() == [0, 1, 2]


def test_toxic_levels_fill_a_missing_level_from_the_next():
    co = toxic_levels("carbon_monoxide", "AEGL", "60min")
    assert co.of(np.array([10.0, 100.0, 500.0])).tolist() == [0, 2, 3]
    idlh = toxic_levels("chlorine", "IDLH", "60min")
    assert idlh.thresholds == (10.0,)
    with pytest.raises(InstrumentError):
        toxic_levels("methane", "AEGL", "60min")


def test_a_gas_sensor_needs_a_gas_field():
    with pytest.raises(InstrumentError, match="no model in this scenario produces"):
        Electrochemical(Electrochemical.Params(gas="chlorine"), 1, GRID, {})
    with pytest.raises(InstrumentError, match="flammable"):
        build(CatalyticLEL, "chlorine", gas="chlorine")


@pytest.mark.parametrize("guideline, expected", [
    ("factory", (0.5, 1.0)),
    ("AEGL", (0.5, 2.0, 20.0)),  # chlorine, 60 min
    ("ERPG", (1.0, 3.0, 20.0)),
    ("IDLH", (10.0,)),
])
def test_alarm_set_points_from_a_guideline(guideline, expected):
    inst = build(Electrochemical, "chlorine", gas="chlorine", alarm_guideline=guideline)
    levels = inst.alarm_levels()
    assert levels.thresholds == expected
    if guideline != "factory":
        assert levels.meanings[-1].startswith("above_" + guideline.lower())
    co = build(Electrochemical, "carbon_monoxide", gas="carbon_monoxide", alarm_guideline="AEGL")
    assert co.alarm_levels().thresholds == (83.0, 330.0)  # no AEGL-1 for carbon monoxide
