"""The dense layer's thermodynamics: ideal mixing, heat bookkeeping, free convection, twins, the model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.special import erfcx

from models.gas_dispersion import layer_thermo as lt
from models.gas_dispersion.dense_layer import DenseGas
from models.gas_dispersion.gases import R_GAS
from models.gas_dispersion.shallow_layer import AIR, HEAT, SOURCE, ShallowLayerCloud, ShallowLayerParams
from models.gas_dispersion.thermo import DRY_AIR_HEAT_CAPACITY as C_PA, DRY_AIR_MOLAR_MASS as M_D, mixture_cell
from sim.grid import RasterGrid

from gas_runs import built, step_for

P, T_A, T_S = 101325.0, 293.15, 240.0
# A source gas that is dry air at 240 K: mixing it with dry ambient air is ideal with equal molar heat capacities.
AIR_LIKE = (T_S, 1.0, M_D, C_PA, T_A, P, 0.0)
STILL = ShallowLayerParams(open_boundary=False, entrainment=False, front_entrainment=0.0)


def air_like_layer(depth, source_fraction, shape=(3, 4)):
    """A layer at rest of the air-like source gas, closed state: h and h g' from the closure."""
    _, _, volume, mass = mixture_cell(0.0, 0.0, *AIR_LIKE)
    rho_a = mass / volume
    _, _, volume, mass = mixture_cell(1.0, 0.0, *AIR_LIKE)
    g0 = lt.G * (mass / rho_a - volume) / volume
    cloud = ShallowLayerCloud(np.zeros(shape), 2.0, 2.0, g0, 1.0, params=STILL)
    cloud.fill(depth, source_fraction)
    return cloud, rho_a


def close(cloud, rho_a):
    h, hu, hv, hb = cloud.state
    T, lwc = np.zeros(cloud.shape), np.zeros(cloud.shape)
    lt.closure_kernel(h, hu, hv, hb, cloud.tracers, cloud.blocked, cloud.params.dry_depth_m, *AIR_LIKE, rho_a, T, lwc)
    return T, lwc


def test_ideal_mixing_of_equal_molar_heat_capacities_adds_volumes():
    """Cold air into warm air, no water, no heat: the mixture's volume is the sum of the parts' and its
    temperature the harmonic mean 1 / (phi / T_s + (1 - phi) / T_a); the closure leaves h and h g' alone."""
    phi = np.linspace(0.05, 1.0, 12).reshape(3, 4)
    cloud, rho_a = air_like_layer(1.5, phi)
    h0, hb0 = cloud.h.copy(), cloud.hb.copy()
    T, lwc = close(cloud, rho_a)
    np.testing.assert_allclose(cloud.h, h0, rtol=1e-12)
    np.testing.assert_allclose(cloud.hb, hb0, rtol=1e-10)
    np.testing.assert_allclose(T, 1.0 / (phi / T_S + (1.0 - phi) / T_A), rtol=1e-12)
    assert (lwc == 0.0).all()


def test_heat_from_the_ground_expands_the_column_and_lightens_it():
    """Q J m-2 into an ideal-gas column at constant pressure: dh = Q R / (p M c_p), d(h g') = -g dh, and the
    temperature rises by Q / (m c_p) (m the column's mass)."""
    cloud, rho_a = air_like_layer(2.0, 1.0)
    T0, _ = close(cloud, rho_a)
    h0, hb0, mass = cloud.h.copy(), cloud.hb.copy(), 2.0 * P * M_D / (R_GAS * T_S)
    heat = 2.0e4
    cloud.tracers[HEAT] += heat
    T, _ = close(cloud, rho_a)
    dh = heat * R_GAS / (P * M_D * C_PA)
    np.testing.assert_allclose(cloud.h - h0, dh, rtol=1e-10)
    np.testing.assert_allclose(cloud.hb - hb0, -lt.G * dh, rtol=1e-9)
    np.testing.assert_allclose(T - T0, heat / (mass * C_PA), rtol=1e-10)


def test_a_still_cold_layer_warms_as_free_convection_says():
    """A 2 m layer of -33 C air at rest on ground at 20 C (no wind: free convection only) warms as
    m c_p dT/dt = H_n(T) (T_g - T), H_n = 0.15 k (g (T_g - T) / (T_f nu alpha))^(1/3) (Lloyd & Moran 1974):
    the model's 5 s steps follow the integrated ODE within 1 % of the temperature gap over 20 minutes."""
    cloud, rho_a = air_like_layer(2.0, 1.0)
    T, _ = close(cloud, rho_a)
    mass = cloud.h[0, 0] * P * M_D / (R_GAS * T_S)
    dt, t_end = 5.0, 1200.0
    exposure = np.zeros(cloud.shape)
    for _ in range(int(t_end / dt)):
        h, hu, hv, _ = cloud.state
        lt.ground_heat_kernel(h, hu, hv, cloud.tracers, cloud.blocked, T, T_A, 1e9, 1e-6, exposure, 0.01, P, 1e-5,
                              dt)  # ground of unlimited conductivity: it stays at T_A
        T, _ = close(cloud, rho_a)

    def rate(_, y):
        return [lt.heat_transfer_coefficient(y[0], T_A, 2.0, 0.0, 0.01, P) * (T_A - y[0]) / (mass * C_PA)]

    exact = solve_ivp(rate, (0.0, t_end), [T_S], rtol=1e-10, atol=1e-10).y[0, -1]
    assert exact - T_S > 10.0  # it warms by a lot
    np.testing.assert_allclose(T, exact, atol=0.01 * (T_A - T_S))


def random_layer(rng, shape=(6, 7)):
    h = rng.uniform(0.0, 2.0, shape) * (rng.random(shape) < 0.8)
    source = h * rng.uniform(0.0, 1.0, shape) * (rng.random(shape) < 0.9)
    tracers = np.array([source, h - source, rng.uniform(0.0, 3e4, shape) * (h > 0)])
    blocked = (rng.random(shape) < 0.1).astype(np.uint8)
    return h, h * rng.normal(0, 0.5, shape), h * rng.normal(0, 0.5, shape), 3.0 * source, tracers, blocked


AMMONIA_MIX = (240.0, 0.6, 17.031e-3, 2160.0, 300.0, P, 0.012)


def test_numba_kernels_match_their_numpy_twins():
    rng = np.random.default_rng(3)
    h, hu, hv, hb, tracers, blocked = random_layer(rng)
    T = rng.uniform(230.0, 300.0, h.shape)
    heated = tracers.copy()
    exposure = rng.uniform(0.0, 600.0, h.shape)
    exposed = exposure.copy()
    lt.ground_heat_kernel(h, hu, hv, heated, blocked, T, 305.0, 0.27, 2.2e-7, exposed, 0.03, P, 1e-5, 5.0)
    ref, ref_exposure = lt.ground_heat_reference(h, hu, hv, tracers, blocked, T, 305.0, 0.27, 2.2e-7, exposure, 0.03,
                                                 P, 1e-5, 5.0)
    np.testing.assert_allclose(heated, ref, rtol=1e-12)
    np.testing.assert_allclose(exposed, ref_exposure, rtol=1e-15)
    assert (heated[HEAT] > tracers[HEAT]).any()
    beta = np.array([0.0, 0.3, 2.0, 4.99, 5.01, 19.99, 20.01, 30.0, 1e3])
    np.testing.assert_allclose([lt.scaled_erfc(b) for b in beta], erfcx(beta), rtol=1e-9)
    rho_a = 1.16
    ref = lt.closure_reference(h, hu, hv, hb, heated, blocked, 1e-5, *AMMONIA_MIX, rho_a)
    state = [a.copy() for a in (h, hu, hv, hb)]
    T_out, lwc = np.zeros(h.shape), np.zeros(h.shape)
    lt.closure_kernel(*state, heated, blocked, 1e-5, *AMMONIA_MIX, rho_a, T_out, lwc)
    for a, b in zip((*state, T_out, lwc), ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    assert (lwc > 0).any() and (state[0] != h).any()


GRID = RasterGrid(shape=(30, 50), spacing_m=(5.0, 5.0))
CHLORINE = {"gas": "chlorine", "air_relative_humidity": 0.0, "source_temperature_k": 239.1,  # boiling off a pool
            "atmosphere": {"wind_speed_m_s": 1.5, "wind_direction_deg": 270.0, "stability_class": "E",
                           "roughness_length_m": 0.05},
            "release": {"kind": "continuous", "rate_kg_s": 4.0, "duration_s": 200.0, "x_m": 30.0, "y_m": 75.0}}


def test_warm_ground_heats_the_cloud_and_sends_more_gas_to_the_particles():
    """The same leak of chlorine vapour at its boiling point (239 K) over ground at the air's 20 C and with no
    heat from it: the heated cloud is warmer (the gas-weighted mean by ~10 K) and hands more of its gas to the
    particles; both keep every kilogram."""
    runs = {}
    for mode in ("ground_heat", "adiabatic"):
        model, state = built(DenseGas, GRID, {**CHLORINE, "layer_thermodynamics": mode, "open_boundary": False})
        step_for(model, state, 150.0)
        source = model.cloud.tracers[SOURCE]
        warmth = float((source * model.cloud_temperature).sum() / source.sum())
        runs[mode] = warmth, model.handed_over_kg, model
        assert model.airborne_kg() + model.report()["lost_kg"] == pytest.approx(model.released_kg, rel=1e-12)
    assert runs["ground_heat"][0] > runs["adiabatic"][0] + 5.0
    assert runs["ground_heat"][1] > runs["adiabatic"][1]
    heated = runs["ground_heat"][2]
    assert (heated.cloud.tracers[HEAT] >= 0.0).all() and heated.cloud.tracers[HEAT].max() > 0.0
    # the heat the run reports is what the layer holds plus what left it with the gas handed over
    held = heated.cloud.tracers[HEAT].sum() * GRID.cell_area_m2
    assert heated.report()["ground_heat_j"] >= held > 0.0 and runs["adiabatic"][2].report()["ground_heat_j"] == 0.0
    assert (heated.cloud.tracers[AIR] >= 0.0).all()


def test_isothermal_layer_keeps_buoyancy_proportional_to_its_gas():
    model, state = built(DenseGas, GRID, {**CHLORINE, "layer_thermodynamics": "isothermal"})
    step_for(model, state, 60.0)
    np.testing.assert_allclose(model.cloud.hb, model.reduced_gravity * model.cloud.tracers[SOURCE], rtol=1e-9,
                               atol=1e-12)


def test_the_ground_under_a_lasting_cloud_cools_and_gives_less_heat():
    """Convection from ground that cools as it gives up heat (semi-infinite solid, Incropera & DeWitt sec. 5.7):
    the flux falls as exp(beta^2) erfc(beta), beta = H sqrt(alpha t) / k: dry sand (k = 0.27 W m-1 K-1) after
    10 minutes under a still cloud gives 72 % of what it gave at first, concrete (k = 1.4) more than sand."""
    h = np.full((1, 1), 2.0)
    still = np.zeros((1, 1))
    T = np.full((1, 1), 240.0)

    def heat_after(exposure_s, k_g, alpha_g):
        tracers = np.zeros((3, 1, 1))
        tracers[SOURCE] = 2.0
        lt.ground_heat_kernel(h, still, still, tracers, np.zeros((1, 1), np.uint8), T, 300.0, k_g, alpha_g,
                              np.full((1, 1), exposure_s), 0.01, P, 1e-5, 1.0)
        return tracers[HEAT, 0, 0]

    H = lt.heat_transfer_coefficient(240.0, 300.0, 2.0, 0.0, 0.01, P)
    # fresh ground: q = H dT exp(beta^2) erfc(beta) at the step's mid-point, 0.5 s (1 % below H dT)
    beta = H * np.sqrt(2.2e-7 * 0.5) / 0.27
    assert heat_after(0.0, 0.27, 2.2e-7) == pytest.approx(H * 60.0 * erfcx(beta), rel=1e-12)
    assert heat_after(0.0, 0.27, 2.2e-7) > 0.98 * H * 60.0
    sand, concrete = heat_after(600.0, 0.27, 2.2e-7), heat_after(600.0, 1.4, 6.9e-7)
    assert sand == pytest.approx(0.72 * H * 60.0, rel=0.01) and sand < concrete < H * 60.0
