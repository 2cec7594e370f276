"""Fire effects: flaming windows conserve the heat and smoke of the front; kernels equal their twins."""

from __future__ import annotations

import numpy as np
import pytest

from models.wildfire import effects, effects_reference as ref


def _burned_cells(rng, shape=(12, 15)):
    t_a = np.where(rng.random(shape) < 0.7, rng.uniform(0.0, 600.0, shape), np.inf)
    r = rng.uniform(0.01, 2.0, shape)
    H_A = rng.uniform(500.0, 20000.0, shape)
    tau_r = rng.uniform(5.0, 120.0, shape)
    h = np.full(shape, 18600.0)
    EF = effects.pm25_emission_factor(rng.choice([102, 165, 183, 122], shape))
    return t_a, r, H_A, tau_r, h, EF


@pytest.mark.parametrize("t", [0.0, 150.0, 400.0, 2000.0])
def test_cell_state_kernel_equals_numpy_twin(t):
    rng = np.random.default_rng(1)
    t_a, r, H_A, tau_r, h, EF = _burned_cells(rng)
    shape = t_a.shape
    out = [np.zeros(shape, np.int8), np.zeros(shape), np.zeros(shape), np.zeros(shape)]
    effects.cell_state(t, t_a, r, H_A, tau_r, 30.0, h, EF, *out)
    expected = ref.cell_state(t, t_a, r, H_A, tau_r, 30.0, h, EF)
    np.testing.assert_array_equal(out[0], expected[0])
    for got, want in zip(out[1:], expected[1:]):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def test_the_flaming_window_releases_exactly_the_heat_per_unit_area_and_its_smoke():
    """Integrate q and E over time for one cell: H_A and EF H_A / h come back (conservation)."""
    t_a, r, H_A, tau_r, h, EF = (np.array([[v]]) for v in (100.0, 0.5, 8000.0, 30.0, 18600.0, 7.17e-3))
    L = 30.0
    times = np.linspace(0.0, 400.0, 400001)
    dt = times[1] - times[0]
    heat = smoke = 0.0
    state, share, q, E = np.zeros((1, 1), np.int8), np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1))
    for t in times[:-1] + dt / 2:
        effects.cell_state(t, t_a, r, H_A, tau_r, L, h, EF, state, share, q, E)
        heat += q[0, 0] * dt
        smoke += E[0, 0] * dt
    assert heat == pytest.approx(8000.0, rel=1e-4)
    assert smoke == pytest.approx(7.17e-3 * 8000.0 / 18600.0, rel=1e-4)
    effects.cell_state(150.0, t_a, r, H_A, tau_r, L, h, EF, state, share, q, E)
    assert state[0, 0] == effects.FLAMING and share[0, 0] == pytest.approx(30.0 / (30.0 + 60.0))
    effects.cell_state(100.0 + 90.0, t_a, r, H_A, tau_r, L, h, EF, state, share, q, E)
    assert state[0, 0] == effects.BURNED_OUT and q[0, 0] == 0.0


def test_radiant_flux_kernel_equals_twin_and_falls_as_inverse_square():
    rng = np.random.default_rng(3)
    ny, nx, d = 20, 25, 10.0
    x, y = (np.arange(nx) + 0.5) * d, (np.arange(ny) + 0.5) * d
    q = np.where(rng.random((ny, nx)) < 0.05, rng.uniform(10.0, 200.0, (ny, nx)), 0.0)
    L_f = rng.uniform(0.5, 10.0, (ny, nx))
    out = np.empty((ny, nx))
    effects.radiant_flux(q, L_f, x, y, 1.5, d * d, 0.15, 80.0, out)
    np.testing.assert_allclose(out, ref.radiant_flux(q, L_f, x, y, 1.5, d * d, 0.15, 80.0), rtol=1e-12)
    # One source: the flux at distance rho >> flame height is chi_r Q / (4 pi rho^2).
    big = 201
    xs = (np.arange(big) + 0.5) * d
    single = np.zeros((1, big))
    single[0, 0] = 100.0
    flux = np.empty((1, big))
    effects.radiant_flux(single, np.full((1, big), 3.0), xs, np.array([0.5 * d]), 1.5, d * d, 0.15, 5000.0, flux)
    rho = xs[100] - xs[0]
    assert flux[0, 100] == pytest.approx(0.15 * 100.0 * d * d / (4 * np.pi * rho**2), rel=1e-6)


def test_air_temperature_follows_van_wagner_and_is_capped_by_the_flame():
    state = np.array([[effects.FLAMING, effects.FLAMING, effects.BURNED_OUT]], dtype=np.int8)
    intensity = np.array([[1000.0, 1e6, 1000.0]])
    wind = np.full((1, 3), 2.0)
    out = np.empty((1, 3))
    effects.air_temperature(state, intensity, wind, 2.0, 300.0, 1100.0, out)
    # Van Wagner (1973): the 60 C lethal height for I = 1000 kW/m, U = 2 m/s, T_a = 27 C.
    scorch = 3.94 * 1000.0 ** (7 / 6) / ((0.107 * 1000.0 + 8.0) ** 0.5 * (60.0 - 26.85))
    probe = np.empty((1, 3))
    effects.air_temperature(state, intensity, wind, scorch, 300.0, 1100.0, probe)
    assert probe[0, 0] == pytest.approx(273.15 + 60.0, rel=1e-9)
    assert out[0, 1] == 1100.0 and out[0, 2] == 300.0
    np.testing.assert_allclose(out, ref.air_temperature(state, intensity, wind, 2.0, 300.0, 1100.0), rtol=1e-13)


def test_emission_factors_follow_the_gfed4_fuel_groups():
    factors = effects.pm25_emission_factor(np.array([1, 102, 122, 145, 8, 165, 183, 201]))
    assert factors.tolist() == [7.17e-3] * 4 + [12.9e-3] * 4
