"""Gaussian plume and puff: analytic solutions, conservation, symmetry, the NumPy twin."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.gas_dispersion import kernels, reference
from models.gas_dispersion.model import GasDispersion, GasDispersionParams
from models.gas_dispersion.stability import CLASSES, briggs_coefficients
from sim.fields import FieldSet
from sim.grid import RasterGrid

Q = 2.0  # kg/s
U = 4.0  # m/s


def plume_at(x_d, y_d, z, H, cls="D", terrain="rural", h=math.inf, s_th=0.0):
    """Kernel plume at receptors given in the wind frame (wind along +x, source at origin)."""
    x_d, y_d = np.broadcast_arrays(np.asarray(x_d, float), np.asarray(y_d, float))
    out = np.empty(x_d.size)
    kernels.plume_points(x_d.ravel().copy(), y_d.ravel().copy(), z, 0.0, 0.0, H, Q, U, 1.0, 0.0,
                         briggs_coefficients(cls, terrain), s_th, 0.0, h, out)
    return out.reshape(x_d.shape)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("terrain", ["rural", "urban"])
@pytest.mark.parametrize("lid", [math.inf, 300.0])
def test_plume_flux_through_a_crosswind_plane_is_q_over_u(cls, terrain, lid):
    """Mass conservation: the integral of C over y and z at any x equals Q / u (within 1 %)."""
    for x in (100.0, 1000.0, 5000.0):
        s_y, s_z = kernels.spreads(x, briggs_coefficients(cls, terrain), 0.0, 0.0)
        top = lid if math.isfinite(lid) else 10.0 * s_z + 10.0
        z = np.linspace(0.0, top, 801)
        y = np.linspace(-8.0 * s_y, 8.0 * s_y, 401)
        plane = np.array([plume_at(x, y, zk, 10.0, cls, terrain, h=lid) for zk in z])
        flux = np.trapezoid(np.trapezoid(plane, y, axis=1), z)
        assert flux == pytest.approx(Q / U, rel=0.01), (cls, terrain, lid, x)


def test_centreline_matches_the_closed_form():
    """Turner (1970) eq. 3.2: C(x, 0, 0) = Q / (pi u s_y s_z) exp(-H^2 / 2 s_z^2), class D rural."""
    x, H = 1000.0, 20.0
    s_y = 0.08 * x / math.sqrt(1 + 0.0001 * x)  # Briggs (1973) rural D
    s_z = 0.06 * x / math.sqrt(1 + 0.0015 * x)
    expected = Q / (math.pi * U * s_y * s_z) * math.exp(-(H**2) / (2 * s_z**2))
    assert plume_at(x, 0.0, 0.0, H)[()] == pytest.approx(expected, rel=1e-12)
    # Ground-level source and receptor: twice the unbounded-space value.
    assert plume_at(x, 0.0, 0.0, 0.0)[()] == pytest.approx(Q / (math.pi * U * s_y * s_z), rel=1e-12)


def test_well_mixed_limit_below_a_lid():
    """Far downwind under a lid h the plume is uniform in z: C = Q / (sqrt(2 pi) u s_y h)."""
    h, x = 200.0, 20000.0
    s_y = 0.11 * x / math.sqrt(1 + 0.0001 * x)  # Briggs rural C
    mixed = Q / (math.sqrt(2 * math.pi) * U * s_y * h)
    for z in (0.0, 50.0, 150.0):
        assert plume_at(x, 0.0, z, 30.0, "C", h=h)[()] == pytest.approx(mixed, rel=1e-9)
    # Just before the switch to the well-mixed form the image sum is already uniform to 1 %.
    s_z_switch = kernels.WELL_MIXED * h
    g = kernels.vertical_factor(10.0, 30.0, 0.999 * s_z_switch, h)
    assert g == pytest.approx(math.sqrt(2 * math.pi) * 0.999 * s_z_switch / h, rel=0.01)


def test_reflection_symmetries():
    y = np.linspace(-200, 200, 41)
    c = plume_at(800.0, y, 1.5, 10.0)
    np.testing.assert_allclose(c, c[::-1], rtol=1e-14)  # crosswind symmetry
    for h in (math.inf, 150.0):
        for z, H in ((0.0, 10.0), (1.5, 40.0), (25.0, 3.0)):
            # Reciprocity of the image solution: swapping source and receptor heights.
            assert kernels.vertical_factor(z, H, 30.0, h) == pytest.approx(kernels.vertical_factor(H, z, 30.0, h))
    # The lid mirrors the ground: source and receptor flipped about the layer.
    h = 150.0
    assert kernels.vertical_factor(10.0, 30.0, 60.0, h) == pytest.approx(
        kernels.vertical_factor(h - 10.0, h - 30.0, 60.0, h), rel=1e-6)
    assert (plume_at(-np.linspace(1, 500, 20), 0.0, 1.5, 10.0) == 0).all()  # nothing upwind


@pytest.mark.parametrize("seed", range(4))
def test_numba_kernels_equal_numpy_twin(seed):
    rng = np.random.default_rng(seed)
    grid = RasterGrid(shape=(37, 53), spacing_m=(7.0, 9.0), origin_m=(-100.0, -150.0))
    x, y = grid.x, grid.y
    theta = rng.uniform(0, 2 * math.pi)
    e_x, e_y = -math.sin(theta), -math.cos(theta)
    coef = briggs_coefficients(rng.choice(CLASSES), rng.choice(["rural", "urban"]))
    h = [math.inf, 80.0][seed % 2]
    s_th = [0.0, 0.2][seed // 2]
    z, H, s_0 = 1.5, rng.uniform(0, 20), rng.uniform(0, 2)

    out = np.empty(grid.shape)
    kernels.plume_grid(x, y, z, 50.0, 20.0, H, Q, U, e_x, e_y, coef, s_th, s_0, h, out)
    twin = reference.plume_grid(x, y, z, 50.0, 20.0, H, Q, U, e_x, e_y, coef, s_th, s_0, h)
    np.testing.assert_allclose(out, twin, rtol=1e-12, atol=0)

    levels = np.empty(grid.shape, dtype=np.int8)
    for thresholds in (np.array([0.1, 1.0, np.inf]), np.array([np.inf, 0.01, 0.5])):
        kernels.hazard_levels(out, thresholds * out.max(), levels)
        np.testing.assert_array_equal(levels, reference.hazard_levels(out, thresholds * out.max()))

    n = 25
    p_x, p_y = rng.uniform(-150, 400, n), rng.uniform(-200, 150, n)
    mass, travel, s_x0 = rng.uniform(0.1, 5, n), rng.uniform(5, 600, n), rng.uniform(0, 30, n)
    amp, s_a, s_c = np.empty(n), np.empty(n), np.empty(n)
    kernels.puff_shapes(mass, travel, s_x0, z, H, coef, s_th, s_0, h, amp, s_a, s_c)
    kernels.puff_grid(x, y, p_x, p_y, amp, s_a, s_c, e_x, e_y, out)
    twin = reference.puff_grid(x, y, z, H, p_x, p_y, mass, travel, s_x0, e_x, e_y, coef, s_th, s_0, h)
    # Cells exactly on a cutoff edge may differ by the cut-off tail, 4e-6 of a puff's peak.
    np.testing.assert_allclose(out, twin, rtol=1e-10, atol=4e-6 * amp.max())

    # Columns (what a camera looking down integrates).
    kernels.plume_column_grid(x, y, 50.0, 20.0, Q, U, e_x, e_y, coef, s_th, s_0, out)
    np.testing.assert_allclose(out, reference.plume_column_grid(x, y, 50.0, 20.0, Q, U, e_x, e_y, coef, s_th, s_0),
                               rtol=1e-12, atol=0)
    column_amp = mass / (2 * math.pi * s_a * s_c)
    kernels.puff_grid(x, y, p_x, p_y, column_amp, s_a, s_c, e_x, e_y, out)
    twin = reference.puff_column_grid(x, y, p_x, p_y, mass, travel, s_x0, e_x, e_y, coef, s_th, s_0)
    np.testing.assert_allclose(out, twin, rtol=1e-10, atol=4e-6 * column_amp.max())


def test_the_column_of_a_plume_carries_the_release_rate_across_any_crosswind_line():
    """Mass flux through a crosswind plane: u times the column integrated across the wind is Q."""
    grid = RasterGrid(shape=(2001, 3), spacing_m=(0.5, 0.5), origin_m=(499.25, -500.0))  # x ~ 500 m, y across
    coef = briggs_coefficients("D", "rural")
    out = np.empty(grid.shape)
    kernels.plume_column_grid(grid.x, grid.y, 0.0, 0.0, Q, U, 1.0, 0.0, coef, 0.0, 0.0, out)
    assert U * out[:, 1].sum() * 0.5 == pytest.approx(Q, rel=1e-6)


def test_a_puff_column_integrates_to_its_mass():
    grid = RasterGrid(shape=(300, 300), spacing_m=(1.0, 1.0), origin_m=(-150.0, -150.0))
    coef = briggs_coefficients("D", "rural")
    mass, travel, s_x0 = np.array([3.0]), np.array([200.0]), np.array([10.0])
    amp, s_a, s_c = np.empty(1), np.empty(1), np.empty(1)
    kernels.puff_shapes(mass, travel, s_x0, 1.5, 2.0, coef, 0.0, 0.0, 60.0, amp, s_a, s_c)
    out = np.empty(grid.shape)
    kernels.puff_grid(grid.x, grid.y, np.array([0.3]), np.array([-0.7]), mass / (2 * math.pi * s_a * s_c),
                      s_a, s_c, 0.6, 0.8, out)
    assert out.sum() == pytest.approx(3.0, rel=1e-4)  # to the 5-sigma cutoff


def test_puff_integrates_to_its_mass():
    """A ground-level puff seen at z = 0: the integral over x and y is M g / (sqrt(2 pi) s_z), g = 2."""
    grid = RasterGrid(shape=(400, 400), spacing_m=(1.0, 1.0), origin_m=(-200.0, -200.0))
    coef = briggs_coefficients("D", "rural")
    mass, travel, s_x0 = np.array([3.0]), np.array([300.0]), np.array([12.0])
    amp, s_a, s_c = np.empty(1), np.empty(1), np.empty(1)
    kernels.puff_shapes(mass, travel, s_x0, 0.0, 0.0, coef, 0.0, 0.0, math.inf, amp, s_a, s_c)
    out = np.empty(grid.shape)
    kernels.puff_grid(grid.x, grid.y, np.array([3.3]), np.array([-7.1]), amp, s_a, s_c, 0.6, 0.8, out)
    s_z = 0.06 * 300.0 / math.sqrt(1 + 0.0015 * 300.0)
    assert out.sum() * grid.cell_area_m2 == pytest.approx(3.0 * 2.0 / (math.sqrt(2 * math.pi) * s_z), rel=1e-4)


def make_model(grid, **overrides):
    params = {
        "gas": "chlorine", "mode": "puff",
        "release": {"kind": "continuous", "rate_kg_s": Q, "x_m": 100.0, "y_m": 1000.0, "height_m": 2.0},
        "wind": {"speed_m_s": U, "direction_deg": 270.0, "reference_height_m": 2.0},
        "stability_class": "D", "receptor_height_m": 1.5,
    }
    params.update(overrides)
    model = GasDispersion(grid, GasDispersionParams.model_validate(params), np.random.default_rng(0))
    state = FieldSet(grid)
    for spec in model.fields:
        state.add(spec)
    model.initialize(state)
    return model, state


def run(model, state, stop, dt):
    t = 0.0
    while t < stop - 1e-9:
        model.step(state, t, dt)
        t += dt
    return state


def test_puff_train_converges_to_the_steady_plume():
    """Constant source and wind: puffs approach the plume, closer as puffs get more frequent."""
    grid = RasterGrid(shape=(100, 200), spacing_m=(10.0, 10.0))
    plume_model, plume_state = make_model(grid, mode="plume")
    run(plume_model, plume_state, 10.0, 10.0)
    plume = plume_state["gas_concentration"].copy()
    band = (grid.x[None, :] > 400.0) & (grid.x[None, :] < 1700.0) & (plume > 1e-3 * plume.max())
    errors = []
    for dt in (20.0, 10.0, 5.0):
        model, state = make_model(grid, puff_interval_s=dt)
        run(model, state, 900.0, dt)  # 3600 m of travel: steady over the whole grid
        c = state["gas_concentration"]
        errors.append(np.abs(c[band] - plume[band]).max() / plume[band].max())
        # Every kilogram released is in a puff (none has travelled far enough to be dropped).
        assert model.puff_mass.sum() == pytest.approx(Q * 900.0, rel=1e-12)
        assert model.released_kg == pytest.approx(Q * 900.0, rel=1e-12)
    assert errors[-1] < 0.01, errors  # measured: 5.0 %, 1.0 %, 0.35 % for 20, 10, 5 s
    assert errors[0] > errors[1] > errors[2], errors


def test_wind_direction_is_where_the_wind_comes_from():
    grid = RasterGrid(shape=(80, 80), spacing_m=(10.0, 10.0))
    for direction, (dx, dy) in ((270.0, (1, 0)), (90.0, (-1, 0)), (0.0, (0, -1)), (180.0, (0, 1))):
        model, state = make_model(grid, mode="plume", release={"kind": "continuous", "rate_kg_s": Q,
                                                              "x_m": 405.0, "y_m": 405.0, "height_m": 2.0},
                                  wind={"speed_m_s": U, "direction_deg": direction, "reference_height_m": 2.0})
        model.step(state, 0.0, 1.0)
        c = state["gas_concentration"]
        j, i = np.unravel_index(np.argmax(c), c.shape)
        assert np.sign(round(grid.x[i] - 405.0)) == dx and np.sign(round(grid.y[j] - 405.0)) == dy


def test_derived_fields_ppm_dose_levels_and_lel():
    grid = RasterGrid(shape=(40, 60), spacing_m=(10.0, 10.0))
    model, state = make_model(grid, gas="ammonia", mode="plume",
                              release={"kind": "continuous", "rate_kg_s": 5.0, "x_m": 20.0, "y_m": 200.0,
                                       "height_m": 1.0})
    run(model, state, 100.0, 10.0)
    c, ppm = state["gas_concentration"], state["gas_mole_fraction"]
    # ppm = 1e6 C R T / (M p), T = 293.15 K, p = 101325 Pa, M = 17.031 g/mol
    np.testing.assert_allclose(ppm, c * 1e6 * 8.314462618 * 293.15 / (17.031e-3 * 101325.0), rtol=1e-12)
    # Steady plume: trapezoidal dose is C (t - dt / 2), the first step rising from zero.
    np.testing.assert_allclose(state["gas_dose"], c * 95.0, rtol=1e-12)
    aegl = (30.0, 160.0, 1100.0)  # ammonia 60-min AEGL-1, -2, -3 (ppm)
    expected = sum((ppm >= a).astype(int) for a in aegl)
    np.testing.assert_array_equal(state["gas_hazard_level"], expected)
    assert state["gas_hazard_level"].max() == 3
    np.testing.assert_allclose(state["gas_lel_fraction"], ppm / 150000.0, rtol=1e-12)  # LEL 15 %


def test_hazard_level_skips_a_level_that_was_not_established():
    """Carbon monoxide has no AEGL-1: above AEGL-2 (83 ppm, 60 min) the level is 2, not 1."""
    grid = RasterGrid(shape=(40, 60), spacing_m=(10.0, 10.0))
    model, state = make_model(grid, gas="carbon_monoxide", mode="plume",
                              release={"kind": "continuous", "rate_kg_s": 2.0, "x_m": 20.0, "y_m": 200.0})
    model.step(state, 0.0, 10.0)
    ppm, level = state["gas_mole_fraction"], state["gas_hazard_level"]
    np.testing.assert_array_equal(level, np.where(ppm >= 330.0, 3, np.where(ppm >= 83.0, 2, 0)))
    assert (level == 2).any() and (level == 3).any() and not (level == 1).any()


def test_instantaneous_release_is_one_puff_carrying_all_the_mass():
    grid = RasterGrid(shape=(60, 120), spacing_m=(10.0, 10.0))
    model, state = make_model(grid, release={"kind": "instantaneous", "mass_kg": 50.0, "at_s": 30.0,
                                             "x_m": 100.0, "y_m": 300.0, "height_m": 0.0})
    run(model, state, 30.0, 10.0)
    assert model.puff_mass.size == 0 and state["gas_concentration"].max() == 0.0
    model.step(state, 30.0, 10.0)
    assert model.puff_mass.tolist() == [50.0]
    assert model.puff_x[0] == pytest.approx(100.0 + U * 10.0)  # released at 30 s, seen at 40 s
    assert state["gas_concentration"].max() > 0


def test_table_release_mass_is_the_exact_integral():
    grid = RasterGrid(shape=(20, 20), spacing_m=(10.0, 10.0))
    model, state = make_model(grid, release={"kind": "table", "times_s": [0.0, 60.0, 120.0],
                                             "rates_kg_s": [0.0, 3.0, 1.0], "x_m": 10.0, "y_m": 100.0})
    run(model, state, 150.0, 7.0)
    assert model.released_kg == pytest.approx(0.5 * 60 * 3.0 + 0.5 * 60 * (3.0 + 1.0), rel=1e-12)


def test_wind_shift_event_turns_new_puffs():
    """After the wind veers from 270 to 360 degrees, new gas goes south, old gas keeps its course."""
    grid = RasterGrid(shape=(100, 100), spacing_m=(10.0, 10.0))
    model, state = make_model(grid, release={"kind": "continuous", "rate_kg_s": Q, "x_m": 300.0, "y_m": 700.0,
                                             "height_m": 2.0})
    run(model, state, 100.0, 5.0)
    east = model.puff_x.copy()
    model.params = model.params.model_copy(update={"wind": model.params.wind.model_copy(update={"direction_deg": 360.0})})
    t = 100.0
    for _ in range(20):
        model.step(state, t, 5.0)
        t += 5.0
    newest_x, newest_y = model.puff_x[-10:], model.puff_y[-10:]
    np.testing.assert_allclose(newest_x, 300.0)
    assert (newest_y < 700.0).all()
    assert (model.puff_x[: east.size] > 300.0 + 0.5 * U * 5.0 - 1e-9).all()
