"""Source terms: discharge formulas, property data, flashing, tank blowdown, pool spread and evaporation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from models.gas_dispersion import source_terms as st
from models.gas_dispersion.gases import R_GAS
from models.gas_dispersion.thermo import SUBSTANCES, substance

LIQUEFIED = [name for name, s in SUBSTANCES.items() if s.liquefiable]


def tank(**kw) -> st.TankRelease:
    base = dict(kind="tank", x_m=0.0, y_m=0.0)
    base.update(kw)
    return st.TankRelease(**base)


# ------------------------------------------------------------------ gas discharge

@pytest.mark.parametrize("gamma", [1.13, 1.30, 1.40, 1.67])
def test_choked_and_subsonic_flow_meet_at_the_critical_pressure_ratio(gamma):
    p0, T0, R_g, area = 5e5, 300.0, 287.0, 1e-4
    rc = st.critical_pressure_ratio(gamma)
    below = st.gas_mass_flow(p0, T0, p0 * rc * (1 - 1e-9), gamma, R_g, area, 1.0)
    above = st.gas_mass_flow(p0, T0, p0 * rc * (1 + 1e-9), gamma, R_g, area, 1.0)
    assert above == pytest.approx(below, rel=1e-7)
    assert st.gas_exit_velocity(p0, T0, p0 * rc * (1 + 1e-9), gamma, R_g) == pytest.approx(
        math.sqrt(2 * gamma * R_g * T0 / (gamma + 1)), rel=1e-6)  # sonic at the throat
    # choked: independent of the back pressure; subsonic: falls to zero at p_a = p_0
    assert st.gas_mass_flow(p0, T0, 0.2 * p0 * rc, gamma, R_g, area, 1.0) == below
    flows = [st.gas_mass_flow(p0, T0, p0 * r, gamma, R_g, area, 1.0) for r in np.linspace(rc, 1.0, 20)]
    assert np.all(np.diff(flows) < 0) and flows[-1] == 0.0


def test_choked_air_flow_by_hand_and_fliegner():
    """Air at 10 bar, 300 K through a 10 mm hole, C_d = 1.

    By hand: A p0 sqrt(gamma/(R_g T0) (2/(gamma+1))^((gamma+1)/(gamma-1))) with gamma = 1.4,
    R_g = 287.05: 7.854e-5 * 1e6 * sqrt(1.4 / (287.05 * 300) * 0.33490) = 0.1833 kg/s.
    Fliegner's formula for air, m = 0.0404 A p0 / sqrt(T0) (e.g. Anderson, Modern Compressible Flow,
    ch. 5), gives 0.1832 kg/s.
    """
    area = math.pi * 0.01 ** 2 / 4
    m = st.gas_mass_flow(10e5, 300.0, 101325.0, 1.4, R_GAS / 28.965e-3, area, 1.0)
    by_hand = area * 10e5 * math.sqrt(1.4 / (287.05 * 300.0) * (2 / 2.4) ** 6)
    assert m == pytest.approx(by_hand, rel=1e-4)
    assert m == pytest.approx(0.1833, rel=1e-3)
    assert m == pytest.approx(0.0404 * area * 10e5 / math.sqrt(300.0), rel=2e-3)


# ------------------------------------------------------------------ property data

@pytest.mark.parametrize("name", LIQUEFIED)
def test_vapour_pressure_is_one_atmosphere_at_the_normal_boiling_point(name):
    sub = SUBSTANCES[name]
    assert sub.vapour_pressure_pa(sub.normal_boiling_point_K) == pytest.approx(101325.0, rel=0.01)
    # the inverse returns the boiling point, and Watson's relation its tabulated enthalpy there
    assert sub.saturation_temperature_K(101325.0) == pytest.approx(sub.normal_boiling_point_K, abs=0.3)
    assert sub.vaporisation_enthalpy_j_kg(sub.normal_boiling_point_K) == pytest.approx(
        sub.vaporisation_enthalpy_at_boiling_j_mol / sub.molar_mass_kg_mol)


@pytest.mark.parametrize("name, p_sat, rho_l, dh_v", [
    # NIST Chemistry WebBook, SRD 69, saturation properties at 293.15 K (Tillner-Roth et al. 1993 EOS
    # for ammonia; Lemmon, McLinden & Wagner 2009 EOS for propane)
    ("ammonia", 857.5e3, 610.2, 1186.0e3),
    ("propane", 836.5e3, 500.1, 344.5e3),
])
def test_saturation_properties_against_nist_at_20C(name, p_sat, rho_l, dh_v):
    sub = SUBSTANCES[name]
    assert sub.vapour_pressure_pa(293.15) == pytest.approx(p_sat, rel=0.01)
    assert sub.liquid_density_kg_m3(293.15) == pytest.approx(rho_l, rel=0.01)
    assert sub.vaporisation_enthalpy_j_kg(293.15) == pytest.approx(dh_v, rel=0.02)


def test_properties_refuse_temperatures_outside_their_range():
    with pytest.raises(ValueError, match="outside"):
        SUBSTANCES["propane"].vapour_pressure_pa(400.0)
    with pytest.raises(ValueError, match="outside"):
        SUBSTANCES["chlorine"].liquid_heat_capacity_j_kg_k(100.0)
    with pytest.raises(ValueError, match="permanent gas"):
        SUBSTANCES["methane"].vapour_pressure_pa(150.0)
    with pytest.raises(ValueError, match="no thermodynamic data"):
        substance("water")


# ------------------------------------------------------------------ liquid and flashing discharge

def test_bernoulli_liquid_flow_and_fauske_short_hole_limit():
    rho, area, cd = 1400.0, 1e-4, 0.62
    m = st.liquid_mass_flow(5e5, 1e5, rho, 2.0, area, cd)
    assert m == pytest.approx(cd * area * math.sqrt(2 * rho * (4e5 + rho * 9.80665 * 2.0)), rel=1e-12)
    # Fauske's non-equilibrium flux: a hole in the wall (L = 0) is Bernoulli on p_0 - p_a ...
    sub, T = SUBSTANCES["chlorine"], 293.15
    p_sat, rho_l = sub.vapour_pressure_pa(T), sub.liquid_density_kg_m3(T)
    rho_v = sub.vapour_density_kg_m3(T, p_sat)
    dh, cp = sub.vaporisation_enthalpy_j_kg(T), sub.liquid_heat_capacity_j_kg_k(T)
    p0 = p_sat + 2e4
    g0 = st.flashing_mass_flux(p0, p_sat, 101325.0, T, rho_l, rho_v, dh, cp, cd, 0.0)
    assert g0 == pytest.approx(cd * math.sqrt(2 * rho_l * (p0 - 101325.0)), rel=1e-12)
    # ... and a flow path of L_e or longer approaches the equilibrium rate model, well below Bernoulli
    g_long = st.flashing_mass_flux(p_sat, p_sat, 101325.0, T, rho_l, rho_v, dh, cp, cd, 1.0)
    g_erm = dh / ((1 / rho_v - 1 / rho_l) * math.sqrt(T * cp))
    assert g_long < g_erm and g_long == pytest.approx(g_erm, rel=0.1)
    assert g_long < 0.6 * g0


# ------------------------------------------------------------------ flash and rain-out

@pytest.mark.parametrize("name", LIQUEFIED)
def test_flash_fraction_is_the_energy_balance_in_the_linear_limit(name):
    sub = SUBSTANCES[name]
    Tb = sub.saturation_temperature_K(101325.0)
    dT = 0.2
    f = st.flash_fraction(sub, Tb + dT, 101325.0)
    assert f * sub.vaporisation_enthalpy_j_kg(Tb) == pytest.approx(sub.liquid_heat_capacity_j_kg_k(Tb) * dT, rel=2e-3)
    assert st.flash_fraction(sub, Tb - 5.0, 101325.0) == 0.0


@pytest.mark.parametrize("name, T, low, high", [
    ("propane", 288.15, 0.28, 0.35),
    ("chlorine", 293.15, 0.15, 0.20),
    ("ammonia", 293.15, 0.16, 0.20),
])
def test_flash_fraction_orders_of_magnitude(name, T, low, high):
    sub = SUBSTANCES[name]
    f = st.flash_fraction(sub, T, 101325.0)
    assert low < f < high
    # the constant-property CCPS closed form with mean properties agrees within a few per cent
    Tb = sub.saturation_temperature_K(101325.0)
    mid = 0.5 * (T + Tb)
    f_const = st.flash_fraction_constant(sub.liquid_heat_capacity_j_kg_k(mid), T, Tb,
                                         0.5 * (sub.vaporisation_enthalpy_j_kg(T) + sub.vaporisation_enthalpy_j_kg(Tb)))
    assert f_const == pytest.approx(f, rel=0.03)


def test_rainout_rule():
    assert st.rainout_fraction(0.1) == pytest.approx(0.8)
    assert st.airborne_fraction(0.1) + st.rainout_fraction(0.1) == 1.0
    assert st.rainout_fraction(0.5) == 0.0 and st.rainout_fraction(0.7) == 0.0


# ------------------------------------------------------------------ tank in time

def test_isentropic_gas_blowdown_matches_the_closed_form_while_choked():
    rel = tank(substance="methane", volume_m3=2.0, pressure_pa=20e5, temperature_K=300.0, hole_diameter_m=0.01,
               discharge_coefficient=1.0)
    h = rel.history()
    gamma = SUBSTANCES["methane"].gamma
    m0, mdot0 = h.tank_mass_kg[0], h.outflow_kg_s[0]
    p0 = h.tank_pressure_pa[0]
    choked = h.tank_pressure_pa * st.critical_pressure_ratio(gamma) > 101325.0
    t = h.time_s[choked]
    exact = p0 * (1 + 0.5 * (gamma - 1) * mdot0 * t / m0) ** (-2 * gamma / (gamma - 1))
    err = np.max(np.abs(h.tank_pressure_pa[choked] / exact - 1))
    assert err < 1e-3  # integration error of the adaptive implicit trapezoid (measured ~1e-5)
    assert h.tank_pressure_pa[choked][-1] < 0.3 * p0  # the comparison spans most of the blowdown
    assert np.all(h.phase[h.outflow_kg_s > 0] == st.PHASE_GAS)


def test_gas_leak_agrees_with_the_jet_noise_exit_state():
    """sources.exit_state infers p_0 from the rate, the hole and T_0; with C_d = 1 it must find the tank's."""
    from models.gas_dispersion.gases import GASES
    from models.gas_dispersion.sources import leak_jet

    rel = tank(substance="methane", volume_m3=1.0, pressure_pa=10e5, temperature_K=300.0, hole_diameter_m=0.01,
               discharge_coefficient=1.0, start_s=5.0)
    rate = rel.outflow_at(5.0)
    assert rate == rel.rate_at(5.0) == pytest.approx(rel.history().outflow_kg_s[0])
    jet = leak_jet(GASES["methane"], rate, rel.hole_diameter_m, rel.storage_temperature_K, 293.15, 101325.0)
    assert jet.choked and jet.storage_pressure_pa == pytest.approx(10e5, rel=1e-9)
    assert jet.exit_velocity_m_s == pytest.approx(rel.history().exit_velocity_m_s[0], rel=1e-9)


def test_blowdown_integration_is_second_order():
    sub = SUBSTANCES["methane"]
    V, p0, T0 = 1.0, 10e5, 300.0
    m0 = p0 * V * sub.molar_mass_kg_mol / (R_GAS * T0)
    gamma = sub.gamma
    errors = []
    for tol in (0.02, 0.005):
        tk = st._Tank(sub, V, 1.0, 0.0, 1e-4, 0.62, 1.0, 0.0, 101325.0, False, True)
        rows = st.integrate_tank(tk, m0, T0, 0.0, 1e4, max_mass_change=tol, max_drive_change=1.0)
        choked = rows["p"] * st.critical_pressure_ratio(gamma) > 101325.0
        exact = p0 * (1 + 0.5 * (gamma - 1) * rows["flow"][0] * rows["t"] / m0) ** (-2 * gamma / (gamma - 1))
        errors.append(np.max(np.abs(rows["p"][choked] / exact[choked] - 1)))
    assert errors[0] / errors[1] > 8.0  # steps 4x smaller: error ~16x smaller


@pytest.fixture(scope="module")
def chlorine_tank():
    return tank(substance="chlorine", volume_m3=1.0, fill_fraction=0.8, temperature_K=293.15, hole_diameter_m=0.01)


def test_mass_conservation_tank_pool_and_air(chlorine_tank):
    rel = chlorine_tank
    h = rel.history()
    sol = rel._solution
    lost = h.tank_mass_kg[0] - h.tank_mass_kg[-1]
    assert np.trapezoid(h.outflow_kg_s, h.time_s) == pytest.approx(lost, rel=1e-10)
    pool = sol["pool"]
    assert pool.spilled_kg == pytest.approx(np.trapezoid(sol["rain"], sol["tank"]["t"]), rel=1e-10)
    assert pool.spilled_kg == pytest.approx(pool.evaporated_kg + pool.mass_kg[-1], rel=1e-10)
    flashed_and_aerosol = np.trapezoid(sol["airborne_jet"], sol["tank"]["t"])
    airborne = rel.mass_between(0.0, 1e9)
    assert airborne == pytest.approx(flashed_and_aerosol + pool.evaporated_kg, rel=1e-10)
    assert airborne == pytest.approx(lost - pool.mass_kg[-1], rel=1e-10)
    assert pool.spilled_kg > 0.5 * lost  # chlorine: f_v ~ 0.17, most of it rains out


def test_mass_between_integrates_rate_at(chlorine_tank):
    rel = chlorine_tank.model_copy(update={"start_s": 100.0})
    assert rel.rate_at(50.0) == 0.0 and rel.mass_between(0.0, 100.0) == 0.0
    t = np.linspace(100.0, 2500.0, 400001)
    rates = np.array([rel.rate_at(x) for x in t[::100]])
    assert np.all(rates >= 0)
    fine = np.array([rel.rate_at(x) for x in t])
    assert rel.mass_between(100.0, 2500.0) == pytest.approx(np.trapezoid(fine, t), rel=1e-3)
    a = rel.mass_between(120.0, 700.0) + rel.mass_between(700.0, 2000.0)
    assert a == pytest.approx(rel.mass_between(120.0, 2000.0), rel=1e-12)


def test_copy_with_an_update_recomputes_the_history(chlorine_tank):
    chlorine_tank.history()
    bigger = chlorine_tank.model_copy(update={"hole_diameter_m": 0.02})
    # Bernoulli: four times the area, four times the initial outflow
    assert bigger.history().outflow_kg_s[0] == pytest.approx(4 * chlorine_tank.history().outflow_kg_s[0], rel=1e-12)
    assert bigger == tank(**bigger.model_dump()) and chlorine_tank == tank(**chlorine_tank.model_dump())


def test_history_shape_and_initial_discharge(chlorine_tank):
    h = chlorine_tank.history()
    n = len(h.time_s)
    for name in ("outflow_kg_s", "airborne_kg_s", "flash_fraction", "pool_radius_m", "pool_mass_kg",
                 "pool_evaporation_kg_s", "tank_pressure_pa", "tank_mass_kg", "exit_velocity_m_s", "phase"):
        assert len(getattr(h, name)) == n
    sub = SUBSTANCES["chlorine"]
    # first instant: Bernoulli through the wall hole on p_sat + head - p_a (Fauske, L = 0)
    rho = sub.liquid_density_kg_m3(293.15)
    H = (4 / math.pi) ** (1 / 3)
    expect = st.liquid_mass_flow(sub.vapour_pressure_pa(293.15), 101325.0, rho, 0.8 * H, math.pi * 1e-4 / 4, 0.62)
    assert h.outflow_kg_s[0] == pytest.approx(expect, rel=1e-12)
    assert h.phase[0] == st.PHASE_FLASHING
    assert chlorine_tank.phase_at(10.0) == st.PHASE_FLASHING and chlorine_tank.phase_at(1e5) == st.PHASE_NONE
    assert np.all(np.diff(h.tank_pressure_pa[h.phase > 0]) <= 1e-6)  # evaporative cooling: pressure falls
    assert chlorine_tank.storage_temperature_K == 293.15 and chlorine_tank.hole_diameter_m == 0.01


def test_level_reaching_the_hole_turns_the_leak_into_a_vapour_leak():
    rel = tank(substance="propane", volume_m3=2.0, tank_height_m=2.0, fill_fraction=0.8, temperature_K=288.15,
               hole_diameter_m=0.01, hole_height_m=1.0)
    rows = rel._solution["tank"]
    phase = rows["phase"]
    switch = int(np.argmax(phase == st.PHASE_GAS))
    assert switch > 0 and np.all(phase[:switch] == st.PHASE_FLASHING)
    assert np.all(phase[switch:][rows["flow"][switch:] > 0] == st.PHASE_GAS)
    # at the switch the liquid stands at the hole: 1 m3 of liquid below it (vertical cylinder, 1 m2)
    sub = SUBSTANCES["propane"]
    T = rows["T"][switch]
    rho_l = sub.liquid_density_kg_m3(T)
    rho_v = sub.vapour_density_kg_m3(T, sub.vapour_pressure_pa(T))
    v_liquid = (rows["m"][switch] - rho_v * 2.0) / (rho_l - rho_v)
    assert v_liquid == pytest.approx(1.0, abs=1e-3)
    assert rows["flow"][switch] < 0.2 * rows["flow"][switch - 1]  # vapour leaks far slower than liquid


def test_vented_tank_drains_as_torricelli():
    """SO2 at 250 K (p_sat 0.54 bar < p_a: vented, no flashing): h(t) = (sqrt(h0) - C_d a/A sqrt(g/2) t)^2."""
    V, H, d = 1.0, 1.0, 0.02
    rel = tank(substance="sulfur_dioxide", volume_m3=V, tank_height_m=H, fill_fraction=0.9, temperature_K=250.0,
               hole_diameter_m=d, ambient_temperature_K=293.15)
    rows = rel._solution["tank"]
    sub = SUBSTANCES["sulfur_dioxide"]
    rho_l = sub.liquid_density_kg_m3(250.0)
    rho_v = sub.vapour_density_kg_m3(250.0, sub.vapour_pressure_pa(250.0))
    level = (rows["m"] - rho_v * V) / (rho_l - rho_v) / (V / H)
    k = 0.62 * (math.pi * d * d / 4) / (V / H) * math.sqrt(9.80665 / 2)
    exact = (math.sqrt(0.9) - k * rows["t"]) ** 2
    mid = rows["t"] < 0.8 * math.sqrt(0.9) / k
    assert np.max(np.abs(level[mid] - exact[mid])) < 1e-3
    assert np.all(rows["phase"][rows["flow"] > 0] == st.PHASE_LIQUID)
    assert np.all(rows["f_v"] == 0.0)


def test_padded_tank_starts_at_the_stated_pressure():
    rel = tank(substance="sulfur_dioxide", volume_m3=1.0, fill_fraction=0.5, temperature_K=293.15,
               hole_diameter_m=0.02, pressure_pa=8e5)
    h = rel.history()
    assert h.tank_pressure_pa[0] == pytest.approx(8e5, rel=1e-9)
    assert np.trapezoid(h.outflow_kg_s, h.time_s) == pytest.approx(h.tank_mass_kg[0] - h.tank_mass_kg[-1], rel=1e-10)


def test_gas_leak_from_vapour_space_cools_the_liquid():
    rel = tank(substance="ammonia", volume_m3=2.0, fill_fraction=0.8, temperature_K=293.15, hole_diameter_m=0.005,
               hole_in="vapour", horizon_s=600.0)
    rows = rel._solution["tank"]
    sub = SUBSTANCES["ammonia"]
    assert np.all(np.diff(rows["T"]) < 0)
    # energy balance over the first stretch: m_l c_p dT = -dh_v rho_l / (rho_l - rho_v) dm_out
    k = int(np.searchsorted(rows["t"], 60.0))
    T0, m_out = rows["T"][0], rows["m"][0] - rows["m"][k]
    rho_l, rho_v = sub.liquid_density_kg_m3(T0), sub.vapour_density_kg_m3(T0, sub.vapour_pressure_pa(T0))
    m_l = rho_l * (rows["m"][0] - rho_v * 2.0) / (rho_l - rho_v)
    dh, cp = sub.vaporisation_enthalpy_j_kg(T0), sub.liquid_heat_capacity_j_kg_k(T0)
    dT = -m_out * rho_l / (rho_l - rho_v) * dh / (m_l * cp)
    assert rows["T"][k] - T0 == pytest.approx(dT, rel=0.02)


# ------------------------------------------------------------------ pool

PROPANE = SUBSTANCES["propane"]


def test_boiling_pool_evaporation_decays_as_inverse_square_root_of_time():
    ground = st.GROUNDS["concrete"]
    # a large spill in the first 0.5 s into a 10 m2 bund: the area is fixed from then on
    pool = st.simulate_pool(np.array([0.0, 0.5, 1.0]), np.array([2000.0, 2000.0, 0.0]), PROPANE, ground,
                            293.15, 101325.0, 3.0, bund_area_m2=10.0, horizon_s=2000.0)
    assert pool.radius_m[-1] == pytest.approx(math.sqrt(10.0 / math.pi))
    t, e = pool.time_s, pool.evaporation_kg_s
    rate = lambda x: float(e[np.searchsorted(t, x)])  # mean over the step containing x
    ratio = rate(100.0) / rate(400.0)
    assert ratio == pytest.approx(2.0, rel=0.02)
    # and integrates to 2 q(1 s) sqrt(t) over the area
    Tb = PROPANE.saturation_temperature_K(101325.0)
    q1 = st.ground_heat_flux(ground, 293.15 - Tb, 1.0)
    c = 10.0 * q1 * 2 / PROPANE.vaporisation_enthalpy_j_kg(Tb)
    k = int(np.searchsorted(t, 1000.0))
    evaporated = np.sum(e[1:k + 1] * np.diff(t[:k + 1]))
    assert evaporated == pytest.approx(c * math.sqrt(t[k]), rel=0.01)


def test_gravity_inertia_spreading():
    no_heat = st.Ground(0.0, 1e-6, 0.0)  # no evaporation, no minimum thickness
    rho = PROPANE.liquid_density_kg_m3(PROPANE.saturation_temperature_K(101325.0))
    # instantaneous spill of V: r^2 = 2 sqrt(2 g V / pi) t
    mass = 1000.0
    pool = st.simulate_pool(np.array([0.0, 0.01]), np.array([2 * mass / 0.01, 0.0]), PROPANE, no_heat,
                            293.15, 101325.0, 3.0, horizon_s=60.0)
    V = mass / rho
    k = int(np.searchsorted(pool.time_s, 30.0))
    expect = 2 * math.sqrt(2 * 9.80665 * V / math.pi) * pool.time_s[k]
    assert pool.radius_m[k] ** 2 == pytest.approx(expect, rel=0.01)
    # constant inflow Q: area grows as t^(3/2)
    times = np.array([0.0, 200.0])
    pool = st.simulate_pool(times, np.array([5.0, 5.0]), PROPANE, no_heat, 293.15, 101325.0, 3.0)
    a10, a100 = (np.interp(x, pool.time_s, pool.radius_m ** 2) for x in (10.0, 100.0))
    assert math.log10(a100 / a10) == pytest.approx(1.5, abs=0.02)
    # a minimum thickness stops the spread at r = sqrt(V / (pi h_min)); a bund stops it sooner
    thick = st.Ground(0.0, 1e-6, 0.01)
    pool = st.simulate_pool(np.array([0.0, 0.01]), np.array([2 * mass / 0.01, 0.0]), PROPANE, thick,
                            293.15, 101325.0, 3.0, horizon_s=200.0)
    assert pool.radius_m[-1] == pytest.approx(math.sqrt(V / (math.pi * 0.01)), rel=0.01)
    pool = st.simulate_pool(np.array([0.0, 0.01]), np.array([2 * mass / 0.01, 0.0]), PROPANE, thick,
                            293.15, 101325.0, 3.0, bund_area_m2=20.0, horizon_s=200.0)
    assert pool.radius_m[-1] == pytest.approx(math.sqrt(20.0 / math.pi))


def test_non_boiling_pool_evaporates_by_mass_transfer():
    """Sulfur dioxide (T_b 263 K) on a 253 K day: Mackay & Matsugu, m = k_m A p_sat M / (R T)."""
    sub = SUBSTANCES["sulfur_dioxide"]
    ground = st.GROUNDS["concrete"]
    pool = st.simulate_pool(np.array([0.0, 1.0, 2.0]), np.array([100.0, 100.0, 0.0]), sub, ground,
                            253.15, 101325.0, 4.0, bund_area_m2=5.0, horizon_s=600.0)
    d = 2 * math.sqrt(5.0 / math.pi)
    km = st.mass_transfer_coefficient(sub, 4.0, d)
    expect = km * 5.0 * sub.vapour_pressure_pa(253.15) * sub.molar_mass_kg_mol / (R_GAS * 253.15)
    assert pool.evaporation_kg_s[-1] == pytest.approx(expect, rel=1e-9)
    # the Mackay-Matsugu scalings u^0.78 and d^-0.11
    assert st.mass_transfer_coefficient(sub, 8.0, d) / km == pytest.approx(2 ** 0.78)
    assert st.mass_transfer_coefficient(sub, 4.0, 2 * d) / km == pytest.approx(2 ** -0.11)


# ------------------------------------------------------------------ input checks

@pytest.mark.parametrize("kw, field", [
    (dict(substance="chlorine", volume_m3=1.0, fill_fraction=0.8, temperature_K=293.15, hole_diameter_m=2.0),
     "hole_diameter_m"),
    (dict(substance="chlorine", volume_m3=1.0, fill_fraction=0.8, temperature_K=420.0, hole_diameter_m=0.01),
     "temperature_K"),
    (dict(substance="methane", volume_m3=1.0, temperature_K=300.0, hole_diameter_m=0.01), "temperature_K"),
    (dict(substance="chlorine", volume_m3=1.0, inventory_kg=5000.0, temperature_K=293.15, hole_diameter_m=0.01),
     "inventory_kg"),
    (dict(substance="chlorine", volume_m3=1.0, temperature_K=293.15, hole_diameter_m=0.01), "inventory_kg"),
    (dict(substance="chlorine", volume_m3=1.0, fill_fraction=0.8, temperature_K=293.15, hole_diameter_m=0.01,
          hole_in="liquid", hole_height_m=0.1), "hole_height_m"),
    (dict(substance="chlorine", volume_m3=1.0, fill_fraction=0.8, temperature_K=293.15, hole_diameter_m=0.01,
          hole_height_m=5.0), "hole_height_m"),
    (dict(substance="water", volume_m3=1.0, fill_fraction=0.8, temperature_K=293.15, hole_diameter_m=0.01),
     "substance"),
    (dict(substance="methane", volume_m3=1.0, temperature_K=300.0, pressure_pa=5e5, inventory_kg=3.0,
          hole_diameter_m=0.01), "inventory_kg"),
    (dict(substance="chlorine", volume_m3=1.0, fill_fraction=1.2, temperature_K=293.15, hole_diameter_m=0.01),
     "fill_fraction"),
    (dict(substance="chlorine", volume_m3=1.0, fill_fraction=0.8, temperature_K=293.15, hole_diameter_m=0.01,
          tank_volume=3.0), "tank_volume"),
])
def test_bad_input_names_the_field(kw, field):
    with pytest.raises(ValueError, match=field) as info:
        tank(**kw)
    assert isinstance(info.value, ValidationError)
    messages = [e["msg"] for e in info.value.errors()]
    assert len(messages) == 1 and "\n" not in messages[0]


@pytest.mark.parametrize(("name", "vapour_share"), [("ammonia", 0.17), ("chlorine", 0.5), ("propane", 0.3)])
def test_aerosol_free_mixture_is_saturated_and_adiabatic(name, vapour_share):
    """Where the last drop has gone, the vapour's partial pressure is its saturation pressure, and the heat
    the air gave up equals the latent heat of the drops plus the vapour's warming (Wheatley 1987)."""
    sub = substance(name)
    p, t_a = 101325.0, 293.15
    m = st.aerosol_free_mixture(sub, vapour_share, t_a, p)
    assert m.substance_mole_fraction * p == pytest.approx(sub.vapour_pressure_pa(m.temperature_K), rel=1e-6)
    t_b = sub.saturation_temperature_K(p)
    cp_v = sub.gamma / (sub.gamma - 1.0) * sub.gas_constant_j_kg_k
    given = m.air_per_substance * st.AIR_HEAT_CAPACITY * (t_a - m.temperature_K)
    taken = (1.0 - vapour_share) * sub.vaporisation_enthalpy_j_kg(t_b) + cp_v * (m.temperature_K - t_b)
    assert given == pytest.approx(taken, rel=1e-9)
    assert m.temperature_K < t_b and m.density_kg_m3 > p * st.AIR_MOLAR_MASS / (8.314462618 * t_a)
    assert m.substance_kg_m3 * (1.0 + m.air_per_substance) == pytest.approx(m.density_kg_m3, rel=1e-12)
