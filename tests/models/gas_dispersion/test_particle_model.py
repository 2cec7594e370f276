"""The gas_particles model: mass accounting, calm air, buildings, reproducibility, a whole run."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from models.gas_dispersion.lagrangian import GasParticles
from sim.cli import main
from sim.grid import RasterGrid
from sim.paths import bundled_scenarios

from gas_runs import built, step_for

ATMOSPHERE = {"wind_speed_m_s": 3.0, "wind_direction_deg": 270.0, "stability_class": "D", "roughness_length_m": 0.1}
RELEASE = {"kind": "continuous", "rate_kg_s": 1.0, "x_m": 50.0, "y_m": 200.0, "height_m": 2.0}


def build(grid, seed=0, **params):
    base = {"gas": "chlorine", "atmosphere": ATMOSPHERE, "release": RELEASE, "particles_per_s": 100.0,
            "max_particles": 50_000}
    return built(GasParticles, grid, {**base, **params}, seed)


run = step_for


def test_every_kilogram_is_airborne_or_accounted_as_lost():
    grid = RasterGrid(shape=(40, 40), spacing_m=(10.0, 10.0))
    model, state = build(grid)
    run(model, state, 300.0)
    assert model.released_kg == pytest.approx(300.0)
    assert model.airborne_kg() + model.lost_kg == pytest.approx(model.released_kg, rel=1e-12)
    assert model.lost_kg > 0.0  # a 3 m/s wind carries gas out of a 400-m grid within 5 minutes
    c = state["gas_concentration"]
    j, i = np.unravel_index(np.argmax(c), c.shape)
    assert grid.x[i] > 50.0 and abs(grid.y[j] - 200.0) <= 20.0  # the plume lies downwind, on the source's line


def test_same_seed_same_fields_other_seed_other_fields():
    grid = RasterGrid(shape=(30, 30), spacing_m=(10.0, 10.0))
    fields = []
    for seed in (3, 3, 4):
        model, state = build(grid, seed=seed)
        run(model, state, 60.0)
        fields.append(state["gas_concentration"].copy())
    assert np.array_equal(fields[0], fields[1])
    assert not np.array_equal(fields[0], fields[2])


def test_calm_air_stays_finite_and_spreads_every_way():
    """At zero wind a Gaussian plume is infinite; the particles' low-wind turbulence and meander spread
    the gas round the source instead."""
    grid = RasterGrid(shape=(60, 60), spacing_m=(5.0, 5.0))
    model, state = build(grid, atmosphere={**ATMOSPHERE, "wind_speed_m_s": 0.0, "stability_class": "F"},
                         release={**RELEASE, "x_m": 150.0, "y_m": 150.0, "height_m": 1.0}, max_particles=80_000)
    run(model, state, 600.0)
    assert model.dropped_for_capacity == 0
    c = state["gas_concentration"]
    assert np.isfinite(c).all() and c.max() > 0.0
    n = model.n_used
    s = model.state
    live = s.active[:n] != 0
    dx, dy = s.x[:n][live] - 150.0, s.y[:n][live] - 150.0
    assert min(dx.max(), -dx.min(), dy.max(), -dy.min()) > 15.0  # gas on every side of the source


def test_no_particle_inside_a_building_and_gas_in_its_lee():
    grid = RasterGrid(shape=(30, 60), spacing_m=(5.0, 5.0))
    model, state = build(grid, release={**RELEASE, "x_m": 40.0, "y_m": 75.0, "height_m": 2.0},
                         buildings=[{"box_m": [80.0, 55.0, 100.0, 95.0], "height_m": 12.0}],
                         wind_grid={"levels": 16, "dz_m": 2.0})
    run(model, state, 120.0)
    n = model.n_used
    s = model.state
    live = s.active[:n] != 0
    w = model.wind
    g = w.grid
    i = ((s.x[:n][live] - g.x0) / g.dx).astype(int)
    j = ((s.y[:n][live] - g.y0) / g.dy).astype(int)
    k = ((s.z[:n][live] - g.z_bottom) / g.dz).astype(int)
    inside = (i >= 0) & (i < g.nx) & (j >= 0) & (j < g.ny) & (k >= 0) & (k < g.nz)
    assert not w.solid[k[inside], j[inside], i[inside]].any()
    behind = (s.x[:n][live] > 100.0) & (np.abs(s.y[:n][live] - 75.0) < 15.0)
    assert behind.sum() > 50  # the gas reaches the building's lee, round and over it


def test_tank_release_feeds_the_particles():
    grid = RasterGrid(shape=(20, 20), spacing_m=(10.0, 10.0))
    tank = {"kind": "tank", "x_m": 50.0, "y_m": 100.0, "height_m": 1.0, "substance": "ammonia", "volume_m3": 5.0,
            "fill_fraction": 0.5, "temperature_K": 290.0, "hole_diameter_m": 0.01, "hole_in": "vapour"}
    model, state = build(grid, gas="ammonia", release=tank)
    run(model, state, 60.0)
    assert model.released_kg == pytest.approx(model.params.release.mass_between(0.0, 60.0), rel=1e-12)


def test_bad_input_is_named():
    grid = RasterGrid(shape=(10, 10), spacing_m=(5.0, 5.0))
    with pytest.raises(ValidationError, match="box_m"):
        build(grid, buildings=[{"box_m": [10.0, 10.0, 5.0, 20.0], "height_m": 5.0}])
    with pytest.raises(ValidationError, match="exactly one of stability_class"):
        build(grid, atmosphere={k: v for k, v in ATMOSPHERE.items() if k != "stability_class"})


def test_bundled_ammonia_scenario_runs_small(tmp_path, capsys):
    scenario = str(bundled_scenarios()["ammonia_calm_night"])
    small = ["--set", "grid.shape=[40, 40]", "--set", "grid.spacing_m=20.0", "--set", "time.stop_s=300.0",
             "--set", "events=[]", "--set", "faults=[]", "--set", "models.0.params.particles_per_s=20.0"]
    code = main(["run", scenario, "-o", str(tmp_path / "run"), "--quiet", *small])
    out = capsys.readouterr().out
    assert code == 0 and "status: complete" in out and "peak ammonia concentration" in out


def test_extra_heights_leave_the_receptor_field_alone_and_fall_with_height_above_a_ground_source():
    """Asking for more heights only adds fields (same particles, same kernel widths); over a ground-level
    source in neutral air the concentration falls with height (Britter & McQuaid's exp(-z/h) near field;
    the vertical spread grows from the ground up)."""
    grid = RasterGrid(shape=(30, 40), spacing_m=(10.0, 10.0))
    release = {**RELEASE, "y_m": 150.0, "height_m": 0.0}
    alone, alone_state = build(grid, release=release)
    model, state = build(grid, release=release, extra_receptor_heights_m=[0.5, 10.0, 30.0])
    assert {"gas_concentration_at_0p5m", "gas_concentration_at_10m", "gas_concentration_at_30m"} <= set(state)
    run(alone, alone_state, 120.0)
    run(model, state, 120.0)
    assert np.array_equal(state["gas_concentration"], alone_state["gas_concentration"])
    assert model.field_heights()["gas_concentration_at_10m"] == 10.0
    near = (slice(None), slice(8, 14))  # 80-140 m from a source at x = 50 m, across the plume
    profile = [state[name][near].max() for name in
               ("gas_concentration_at_0p5m", "gas_concentration", "gas_concentration_at_10m",
                "gas_concentration_at_30m")]
    assert profile[0] >= profile[1] > profile[2] > profile[3] >= 0.0
    assert state["gas_concentration_at_10m"][near].max() == pytest.approx(model.concentration_at(10.0)[near].max())


def test_extra_heights_are_distinct_and_named_to_the_centimetre():
    from models.gas_dispersion.lagrangian import height_field_name

    assert height_field_name("gas_concentration", 0.5) == "gas_concentration_at_0p5m"
    assert height_field_name("gas_concentration", 2.25) == "gas_concentration_at_2p25m"
    assert height_field_name("gas_concentration", 10.0) == "gas_concentration_at_10m"
    grid = RasterGrid(shape=(10, 10), spacing_m=(5.0, 5.0))
    with pytest.raises(ValidationError, match="extra_receptor_heights_m: 1.5 m given twice"):
        build(grid, extra_receptor_heights_m=[1.5])
    with pytest.raises(ValidationError, match="extra_receptor_heights_m: -1 m is outside"):
        build(grid, extra_receptor_heights_m=[-1.0])


def test_crosswind_time_scales_follow_draxlers_function():
    """An Ornstein-Uhlenbeck crosswind velocity spreads a plume as sigma_y^2 = 2 s^2 T^2 (t/T - 1 + e^(-t/T))
    (Taylor 1921). With T = 1000 s / 1.62 its long-time spread is Draxler's (1976); matched over a run's
    travel times it follows Draxler's f_y within 10 % there, where the long-time T is 20-40 % off."""
    from models.gas_dispersion.atmosphere import (DRAXLER_TIME_SCALE_S, draxler_f_y, draxler_matched_time_scale,
                                                  ornstein_uhlenbeck_f_y)

    late = np.array([1e9, 1e10])
    np.testing.assert_allclose(ornstein_uhlenbeck_f_y(late, DRAXLER_TIME_SCALE_S) / draxler_f_y(late), 1.0, rtol=2e-3)
    assert float(ornstein_uhlenbeck_f_y(1e-3, 10.0)) == pytest.approx(1.0, abs=1e-4)  # sigma_y = s t at first
    for wind in (2.0, 4.0, 7.0):
        times = np.array([50.0, 100.0, 200.0, 400.0, 800.0]) / wind
        matched = draxler_matched_time_scale(times)
        assert 30.0 < matched < 150.0
        assert np.abs(ornstein_uhlenbeck_f_y(times, matched) / draxler_f_y(times) - 1.0).max() < 0.10
        assert np.abs(ornstein_uhlenbeck_f_y(times, DRAXLER_TIME_SCALE_S) / draxler_f_y(times) - 1.0).max() > 0.2
    with pytest.raises(ValueError, match="travel_times_s"):
        draxler_matched_time_scale([0.0, 10.0])


def test_measured_sigma_theta_spreads_a_plume_by_its_angle_at_every_height():
    """A measured wind-direction spread is an angle: sigma_v(z) = u(z) tan(sigma_theta) in every row of the table,
    so that a plume spreads as sigma_y = tan(sigma_theta) x at any height, not faster near the ground where the
    wind is slower (Cramer 1957; Draxler 1976). Particles held at 0.5 m and at 10 m (vertical turbulence off,
    T_v 1e5 s so sigma_y = sigma_v t): after travelling 100 m both have sigma_y within 3 % of 100 m tan(8 deg)
    (5000 particles: 1 % standard error); a sigma_v measured at 10 m used uniformly gives the 0.5-m plume
    u(10 m) / u(0.5 m) = 2.9 times that (z0 = 0.1 m)."""
    from models.gas_dispersion import particles as pt
    from models.gas_dispersion import turbulence as tb
    from models.gas_dispersion.atmosphere import Atmosphere, measured_horizontal

    atmosphere = Atmosphere(**{**ATMOSPHERE, "sigma_theta_deg": 8.0, "horizontal_time_scale_s": 1e5})
    table = atmosphere.profile_table(atmosphere.surface_layer())
    speed = table.values[:, tb.COL_U]
    np.testing.assert_allclose(table.values[:, tb.COL_SIGMA_V], np.maximum(speed * np.tan(np.radians(8.0)), 0.01))
    u_05, u_10 = tb.table_lookup(table, np.array([0.5, 10.0]))[:, tb.COL_U]
    uniform = measured_horizontal(table, sigma_v_m_s=float(u_10) * np.tan(np.radians(8.0)))
    for profile, ratio in ((table, (1.0, 1.0)), (uniform, (u_10 / u_05, 1.0))):
        values = profile.values.copy()
        values[:, tb.COL_SIGMA_W], values[:, tb.COL_DSIGMA_W2_DZ] = 1e-9, 0.0
        held = profile._replace(values=values)
        for height, expected in zip((0.5, 10.0), ratio):
            n = 5000
            u = float(tb.table_lookup(held, np.array([height]))[0, tb.COL_U])
            state = pt.ParticleState.empty(n)
            state.z[:] = height
            state.active[:] = 1
            state.v_turb[:] = np.random.default_rng(2).standard_normal(n) * tb.table_lookup(
                held, state.z)[:, tb.COL_SIGMA_V]
            pt.advance_homogeneous(state.x, state.y, state.z, state.u_turb, state.v_turb, state.w_turb,
                                   state.particle_id, state.draws, state.active, pt.kernel_table(held), held.z_lo,
                                   held.z_hi, 1.0, 0.0, 0.0, 0.0, held.z_hi, 100.0 / u, 0.05, 0.01, 9)
            ratio_to_angle = np.std(state.y) / (100.0 * np.tan(np.radians(8.0)))
            assert ratio_to_angle == pytest.approx(expected, rel=0.05 if expected > 1 else 0.03), (height, profile)
    with pytest.raises(ValidationError, match="sigma_v_m_s or sigma_theta_deg"):
        Atmosphere(**{**ATMOSPHERE, "sigma_theta_deg": 8.0, "sigma_v_m_s": 0.5})
