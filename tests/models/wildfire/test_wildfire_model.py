"""The wildfire model as a whole: a point fire grows into the behave ellipse, slope, wind shifts,
breaks and spotting, crown fire, reproducibility, the conservation of heat and smoke, the
consistency of its fields, bad input and the bundled scenarios."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from models.wildfire import effects, rothermel
from models.wildfire import rothermel_reference as ref
from models.wildfire.fuels import STANDARD_FUEL_MODELS
from models.wildfire.landscape import fuel_number
from models.wildfire.model import Wildfire, WildfireParams
from models.wildfire.weather import TEN_METRE_TO_20FT, toward_angle_rad
from sim.fields import FieldSet
from sim.grid import RasterGrid

DX = 10.0
D2L2 = {"dead_1h_pct": 6.0, "dead_10h_pct": 7.0, "dead_100h_pct": 8.0, "live_herb_pct": 60.0, "live_woody_pct": 90.0}
D1L1 = {"dead_1h_pct": 3.0, "dead_10h_pct": 4.0, "dead_100h_pct": 5.0, "live_herb_pct": 30.0, "live_woody_pct": 60.0,
        "foliar_pct": 90.0}


def build(params: dict, shape=(100, 100), spacing=DX, seed=0):
    grid = RasterGrid(shape=shape, spacing_m=(spacing, spacing))
    model = Wildfire(grid, WildfireParams.model_validate(params), np.random.default_rng(seed))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    return grid, model, state


def advance(model, state, t0, t1, dt):
    """Step from t0 to t1 and diagnose at t1; returns t1."""
    t = t0
    while t < t1 - 1e-9:
        step = min(dt, t1 - t)
        model.step(state, t, step)
        t += step
    model.diagnose(state, t)
    return t


def fire(fuel="GR2", wind=(4.0, 270.0), ignition=(505.0, 505.0), moisture=D2L2, **extra) -> dict:
    p = {"landscape": {"kind": "uniform", "fuel_model": fuel}, "moisture": moisture,
         "wind": {"speed_m_s": wind[0], "direction_deg": wind[1], "height": "10m"},
         "ignitions": [{"point_m": list(ignition)}], "crown_fire": False, "step_s": 60.0}
    p.update(extra)
    return p


def behave(fuel="GR2", u10=0.0, moisture=D2L2, slope_tan=0.0):
    """behave's surface fire (the NumPy twin) for the 10-m wind u10 over an open fuel bed."""
    model = STANDARD_FUEL_MODELS[fuel_number(fuel)]
    waf = rothermel.wind_adjustment_factor(model.depth_ft, 0.0, 0.0, 0.5)
    m = moisture
    return ref.surface_fire(model, m["dead_1h_pct"] / 100, m["dead_10h_pct"] / 100, m["dead_100h_pct"] / 100,
                            m["live_herb_pct"] / 100, m["live_woody_pct"] / 100, waf * u10 / TEN_METRE_TO_20FT,
                            slope_tan, 0.0)


def cell_centres(grid, mask):
    rows, cols = np.nonzero(mask)
    return grid.x[cols], grid.y[rows]


# -- the point fire is behave's ellipse ---------------------------------------------------------

@pytest.mark.parametrize("direction_deg", [270.0, 200.0])
def test_point_fire_head_back_and_area_are_behaves_ellipse(direction_deg):
    u10 = 4.0
    sf = behave(u10=u10)
    R, e = sf.ros_head_m_s, sf.eccentricity
    assert sf.length_to_breadth > 1.2  # a real ellipse, not a circle
    theta = float(toward_angle_rad(direction_deg))
    u = np.array([math.cos(theta), math.sin(theta)])
    T = 7200.0
    head, back = R * T, R * (1 - e) / (1 + e) * T
    n = 121
    centre = np.array([n * DX / 2, n * DX / 2])
    start = centre - 0.5 * (head - back) * u  # the ellipse centred on the grid
    grid = RasterGrid(shape=(n, n), spacing_m=(DX, DX))
    j, i = grid.index_of(*start)
    ignition = (grid.x[i], grid.y[j])  # a cell centre
    _, model, state = build(fire(wind=(u10, direction_deg), ignition=ignition), shape=(n, n))
    np.testing.assert_allclose(model.current.ros_head_m_s, R, rtol=1e-9)
    advance(model, state, 0.0, T, 60.0)
    burned = state["burned"]
    assert not (burned[0].any() or burned[-1].any() or burned[:, 0].any() or burned[:, -1].any())
    x, y = cell_centres(grid, burned)
    along = (x - ignition[0]) * u[0] + (y - ignition[1]) * u[1]
    assert along.max() == pytest.approx(head, abs=0.03 * head + DX)
    assert -along.min() == pytest.approx(back, abs=0.03 * back + DX)
    a = R * T / (1 + e)
    area = math.pi * a * a * math.sqrt(1 - e * e)
    assert burned.sum() * DX * DX == pytest.approx(area, rel=0.05)


def test_no_wind_slope_runs_upslope_faster_than_down_and_symmetrically_across():
    slope = 0.4
    sf = behave(slope_tan=slope)
    n = 101
    p = fire(wind=(0.0, 270.0), ignition=(505.0, 305.0))
    p["landscape"]["terrain"] = {"kind": "plane", "slope_y": slope}  # rises toward +y (north)
    grid, model, state = build(p, shape=(100, n))
    np.testing.assert_allclose(model.current.spread_direction_rad, math.pi / 2, atol=1e-12)  # upslope
    np.testing.assert_allclose(model.current.ros_head_m_s, sf.ros_head_m_s, rtol=1e-9)
    T = 7200.0
    advance(model, state, 0.0, T, 300.0)
    x, y = cell_centres(grid, state["burned"])
    up, down = y.max() - 305.0, 305.0 - y.min()
    assert up == pytest.approx(sf.ros_head_m_s * T, abs=0.03 * sf.ros_head_m_s * T + DX)
    assert down == pytest.approx(sf.ros_backing_m_s * T, abs=0.03 * sf.ros_backing_m_s * T + DX)
    assert up > 2.5 * down
    assert y.mean() - 305.0 > 0.25 * up  # the burned area lies upslope of the ignition
    # No cross-slope component: the arrival map is its own mirror image about the ignition column.
    arrival = state["fire_arrival_time"]
    np.testing.assert_array_equal(np.isnan(arrival), np.isnan(arrival[:, ::-1]))
    np.testing.assert_allclose(arrival, arrival[:, ::-1], rtol=1e-9)


# -- weather changes ----------------------------------------------------------------------------

def test_a_wind_shift_keeps_the_past_and_turns_the_head_to_the_new_downwind():
    t_c, t_end, dt = 1200.0, 2400.0, 60.0
    p = fire(wind=(5.0, 270.0), ignition=(255.0, 305.0))
    grid, steady, s_steady = build(p, shape=(100, 100))
    _, shifted, s_shift = build(p, shape=(100, 100))
    advance(steady, s_steady, 0.0, t_c, dt)
    before = s_steady["fire_arrival_time"].copy()
    north = fire(wind=(5.0, 180.0), ignition=(255.0, 305.0))  # from the south: blows toward +y
    t = 0.0
    while t < t_end - 1e-9:
        if t >= t_c and shifted.params.wind.direction_deg != 180.0:  # as Simulation applies an event
            shifted.params = WildfireParams.model_validate(north)
        shifted.step(s_shift, t, dt)
        t += dt
    shifted.diagnose(s_shift, t)
    after = s_shift["fire_arrival_time"]
    early = np.isfinite(before)
    assert early.sum() > 100
    np.testing.assert_array_equal(after[early], before[early])  # the past is kept exactly
    assert np.all(np.isnan(after[~early]) | (after[~early] >= t_c))
    # After the shift: the new cells lie north of the old fire, not east, and the northern edge
    # runs at the new head rate.
    x0, y0 = cell_centres(grid, early)
    x1, y1 = cell_centres(grid, np.isfinite(after) & ~early)
    assert y1.mean() - y0.mean() > 2.0 * abs(x1.mean() - x0.mean())
    sf = behave(u10=5.0)
    R, e = sf.ros_head_m_s, sf.eccentricity
    run = R * (t_end - t_c)
    assert y1.max() - y0.max() == pytest.approx(run, abs=0.05 * run + 2 * DX)
    # The old head now is a flank: it moves east by the new ellipse's half-width, R sqrt(1 - e^2) / (1 + e)
    # per second, not at the head rate.
    flank = R * math.sqrt(1 - e * e) / (1 + e) * (t_end - t_c)
    assert x1.max() - x0.max() == pytest.approx(flank, abs=0.1 * flank + 2 * DX)
    assert flank < 0.5 * run
    np.testing.assert_allclose(s_shift["head_rate_of_spread"], R, rtol=1e-9)


def write_wind(path, grid, times, speeds, directions):
    import xarray as xr

    shape = (len(times),) + grid.shape
    speed = np.broadcast_to(np.asarray(speeds, float)[:, None, None], shape)
    direction = np.broadcast_to(np.asarray(directions, float)[:, None, None], shape)
    xr.Dataset({"wind_speed": (("time", "y", "x"), speed), "wind_from_direction": (("time", "y", "x"), direction)},
               coords={"time": np.asarray(times, float), "y": grid.y, "x": grid.x}).to_netcdf(path)
    return str(path)


def run_as_simulation(model, state, t_end, events=()):
    """Step as :class:`sim.simulation.Simulation` does: dt from stable_dt, events applied at their time."""
    events = sorted(events, key=lambda e: e[0])
    t = 0.0
    while t < t_end - 1e-9:
        while events and events[0][0] <= t + 1e-9:
            model.params = WildfireParams.model_validate(events.pop(0)[1])
        stops = [t_end] + [e[0] for e in events]
        dt = min(model.stable_dt(state), min(stops) - t)
        model.step(state, t, dt)
        t += dt
    model.diagnose(state, t)
    return t


def test_a_wind_file_record_comes_into_force_at_its_time_whatever_the_step(tmp_path):
    grid = RasterGrid(shape=(60, 60), spacing_m=(DX, DX))
    wind = write_wind(tmp_path / "wind.nc", grid, [0.0, 90.0], [5.0, 5.0], [270.0, 180.0])  # west, then south
    maps = []
    for step in (60.0, 30.0):  # 90 s falls inside a 60-s step, on a 30-s step boundary
        p = fire(ignition=(305.0, 305.0), step_s=step)
        p["wind"] = {"file": wind}
        _, model, state = build(p, shape=grid.shape)
        run_as_simulation(model, state, 600.0)
        maps.append(state["fire_arrival_time"].copy())
    assert np.isfinite(maps[1]).sum() > 20
    # Without spotting the arrival times do not depend on the step (the front's steps are exact).
    np.testing.assert_array_equal(maps[0], maps[1])


def test_an_event_replacing_a_wind_file_by_a_uniform_wind_takes_effect(tmp_path):
    grid = RasterGrid(shape=(60, 60), spacing_m=(DX, DX))
    wind = write_wind(tmp_path / "wind.nc", grid, [0.0], [5.0], [270.0])
    from_file = fire(ignition=(205.0, 205.0))
    from_file["wind"] = {"file": wind}
    uniform = fire(wind=(5.0, 270.0), ignition=(205.0, 205.0))
    south = fire(wind=(5.0, 180.0), ignition=(205.0, 205.0))
    maps = []
    for start in (from_file, uniform):
        _, model, state = build(start, shape=grid.shape)
        run_as_simulation(model, state, 1500.0, events=[(600.0, south)])
        np.testing.assert_allclose(model.current.wind_toward_rad, math.pi / 2, atol=1e-12)  # toward north
        maps.append(state["fire_arrival_time"].copy())
    np.testing.assert_allclose(maps[0], maps[1], rtol=1e-9)


# -- breaks, spotting, reproducibility ----------------------------------------------------------

ROAD = {"fuel_model": "NB9", "boxes_m": [[400.0, -1.0, 430.0, 1.0e4]]}  # three 10-m columns, x = 405-425


def road_fire(fuel, spotting, seed=0, t_end=1800.0):
    p = fire(fuel=fuel, wind=(12.0, 270.0), moisture=D1L1)
    p["landscape"]["patches"] = [ROAD]
    p["ignitions"] = [{"line_m": [[55.0, 100.0], [55.0, 700.0]]}]
    p["step_s"] = 30.0
    if spotting:
        p["spotting"] = {"enabled": True}
    grid, model, state = build(p, shape=(80, 100), seed=seed)
    advance(model, state, 0.0, t_end, 30.0)
    return grid, model, state


def test_a_three_cell_road_stops_a_surface_fire_without_spotting():
    grid, model, state = road_fire("SH7", spotting=False)
    assert (model.landscape.fuel_number[:, (grid.x > 400) & (grid.x < 430)] == 99).all()
    assert model.landscape.fuel_number[:, (grid.x > 400) & (grid.x < 430)].shape[1] == 3
    burned = state["burned"]
    upwind = grid.x < 400
    assert burned[:, upwind].mean() > 0.9  # the fire reached the road all along it
    assert not burned[:, grid.x > 400].any()
    assert not state["spot_fire"].any()


@pytest.mark.parametrize("fuel", ["SH7", "GR2"])
def test_firebrands_carry_the_fire_across_the_road(fuel):
    grid, model, state = road_fire(fuel, spotting=True)
    beyond = grid.x > 430
    burned, spot = state["burned"], state["spot_fire"]
    assert burned[:, beyond].sum() > 100
    assert spot[:, beyond].any()
    assert not burned[:, (grid.x > 400) & (grid.x < 430)].any()  # the road itself never burns
    # The first cells to burn beyond the road were lit by firebrands, not by the front ...
    arrival = np.where(burned, state["fire_arrival_time"], np.inf)
    first = np.unravel_index(np.argmin(np.where(beyond[None, :], arrival, np.inf)), arrival.shape)
    assert spot[first]
    # ... no sooner than the ignition delay after the fire started (every source burned at t >= 0).
    assert arrival[first] >= model.params.spotting.ignition_delay_s
    assert not (spot & ~burned).any()  # a spot fire is a burned cell
    assert model.report()["spot_fires"] == int(spot.sum())


def test_same_seed_same_fire_and_another_seed_another_fire_with_spotting():
    a = road_fire("SH7", spotting=True, seed=7, t_end=1200.0)[2]
    b = road_fire("SH7", spotting=True, seed=7, t_end=1200.0)[2]
    c = road_fire("SH7", spotting=True, seed=8, t_end=1200.0)[2]
    for name in ("fire_arrival_time", "spot_fire", "fireline_intensity", "fire_state"):
        assert a[name].tobytes() == b[name].tobytes(), name
    assert a["spot_fire"].any()
    assert a["fire_arrival_time"].tobytes() != c["fire_arrival_time"].tobytes()


# -- crown fire ---------------------------------------------------------------------------------

def test_a_low_dense_canopy_under_strong_wind_carries_an_active_crown_fire():
    heads = {}
    for crown in (True, False):
        p = fire(fuel="TU5", wind=(8.0, 270.0), ignition=(105.0, 505.0), moisture=D1L1, crown_fire=crown)
        p["landscape"]["canopy"] = {"cover_pct": 60.0, "height_m": 15.0, "base_height_m": 1.5,
                                    "bulk_density_kg_m3": 0.2}
        grid, model, state = build(p)
        advance(model, state, 0.0, 900.0, 60.0)
        burned = state["burned"]
        x, _ = cell_centres(grid, burned)
        heads[crown] = x.max() - 105.0
        kinds = state["fire_type"][burned]
        if crown:
            assert (kinds == 3).mean() > 0.9  # active crown fire
            assert state["fireline_intensity"].max() > 10000.0
            crown_I = state["fireline_intensity"]
            head_rate = model.current.ros_head_m_s.max()
        else:
            assert (kinds == 1).all()  # surface fire only, even with the canopy
            assert state["fireline_intensity"].max() < 0.2 * crown_I.max()
            assert model.current.ros_head_m_s.max() < 0.2 * head_rate
        assert (state["fire_type"][~burned] == 0).all()
    assert heads[True] > 5.0 * heads[False]
    # The crown fire's head advanced at its (crown) rate of spread.
    assert heads[True] == pytest.approx(head_rate * 900.0, abs=0.05 * head_rate * 900.0 + DX)


# -- conservation -------------------------------------------------------------------------------

def test_heat_and_smoke_released_over_a_run_are_the_fuel_burned_out():
    dt, t_end = 2.0, 1200.0
    grid, model, state = build(fire(wind=(8.0, 270.0), ignition=(155.0, 305.0)), shape=(60, 60))
    heat, smoke = np.zeros(grid.shape), np.zeros(grid.shape)
    t = 0.0
    while t < t_end - 1e-9:
        model.step(state, t, dt)
        t += dt
        model.diagnose(state, t)
        heat += state["heat_release_rate"] * dt
        smoke += state["smoke_pm25_emission_rate"] * dt
    out = state["fire_state"] == effects.BURNED_OUT
    assert out.sum() > 200
    H_A = model.at_arrival["heat_per_area"]
    expected_heat = H_A * grid.cell_area_m2
    expected_smoke = model.emission_factor * H_A / model.heat_content * grid.cell_area_m2
    got_heat, got_smoke = heat * grid.cell_area_m2, smoke * grid.cell_area_m2
    assert got_heat[out].sum() == pytest.approx(expected_heat[out].sum(), rel=0.01)
    assert got_smoke[out].sum() == pytest.approx(expected_smoke[out].sum(), rel=0.01)
    # Cell by cell the sampled window is within one time step of the flaming window tau_c.
    tau_c = model.at_arrival["residence"] + model.cell_size_m / model.front.ros_at_arrival
    bound = dt / tau_c[out] * (1 + 1e-9)
    assert np.all(np.abs(got_heat[out] / expected_heat[out] - 1.0) <= bound)
    assert np.all(np.abs(got_smoke[out] / expected_smoke[out] - 1.0) <= bound)
    assert np.all(heat[~state["burned"]] == 0.0) and np.all(smoke[~state["burned"]] == 0.0)
    # GR2 is grassland: GFED4's savanna factor, 7.17 g/kg.
    np.testing.assert_allclose(model.emission_factor, effects.PM25_SAVANNA)


# -- fields -------------------------------------------------------------------------------------

def test_fire_state_burned_radiant_heat_and_air_temperature_are_consistent():
    grid, model, state = build(fire(wind=(4.0, 270.0), ignition=(155.0, 305.0)), shape=(60, 80))
    t = advance(model, state, 0.0, 1500.0, 60.0)
    arrival = state["fire_arrival_time"]
    burned = state["burned"]
    np.testing.assert_array_equal(burned, np.isfinite(arrival))
    assert np.all(arrival[burned] <= t)
    np.testing.assert_array_equal(burned, model.front.arrival_time <= t)
    tau_c = model.at_arrival["residence"] + model.cell_size_m / np.where(burned, model.front.ros_at_arrival, 1.0)
    flaming = burned & (t < np.where(burned, arrival, 0.0) + tau_c)
    fire_state = state["fire_state"]
    np.testing.assert_array_equal(fire_state == effects.UNBURNED, ~burned)
    np.testing.assert_array_equal(fire_state == effects.FLAMING, flaming)
    np.testing.assert_array_equal(fire_state == effects.BURNED_OUT, burned & ~flaming)
    assert flaming.sum() > 5 and (burned & ~flaming).sum() > 50
    np.testing.assert_array_equal(state["heat_release_rate"] > 0, flaming)
    np.testing.assert_array_equal(state["smoke_pm25_emission_rate"] > 0, flaming)
    np.testing.assert_array_equal(state["fire_type"] > 0, burned)
    np.testing.assert_array_equal(state["fire_rate_of_spread"] > 0, burned)
    # Radiant heat: largest on the flaming front, falling with distance ahead of it.
    q_rad = state["radiant_heat_flux"]
    peak = np.unravel_index(np.argmax(q_rad), q_rad.shape)
    assert flaming[peak]
    row = peak[0]
    ahead = q_rad[row, peak[1]:]
    ahead = ahead[: int(model.params.radiant_cutoff_m // DX)]
    assert np.all(np.diff(ahead) < 0)
    far = np.ones(grid.shape, bool)
    rows, cols = np.nonzero(flaming)
    X, Y = np.meshgrid(grid.x, grid.y)
    for r, c in zip(rows, cols):
        far &= np.hypot(X - grid.x[c], Y - grid.y[r]) > model.params.radiant_cutoff_m
    assert far.any() and np.all(q_rad[far] == 0.0)
    # Air temperature: the air's where nothing flames, hotter over the flames, at most the flame's.
    T_air = model.params.air_temperature_c + 273.15
    T = state["air_temperature"]
    np.testing.assert_array_equal(T[~flaming], T_air)
    assert np.all(T[flaming] > T_air + 50.0) and np.all(T[flaming] <= model.params.flame_temperature_K)


# -- bad input ----------------------------------------------------------------------------------

def test_an_ignition_on_non_burnable_fuel_or_outside_the_grid_is_refused():
    p = fire(ignition=(415.0, 305.0))
    p["landscape"]["patches"] = [ROAD]
    with pytest.raises(ValueError, match="non-burnable fuel only"):
        build(p, shape=(60, 60))
    with pytest.raises(ValueError, match=r"ignition point \(900.0, 305.0\) lies outside the grid"):
        build(fire(ignition=(900.0, 305.0)), shape=(60, 60))
    with pytest.raises(ValueError, match="non-burnable fuel only"):
        build(fire(fuel="NB1"), shape=(60, 60))


def test_midflame_wind_with_crown_fire_or_spotting_and_unknown_fuels_are_refused():
    p = fire()
    p["wind"]["height"] = "midflame"
    WildfireParams.model_validate(p)  # surface fire alone takes a midflame wind
    with pytest.raises(ValidationError, match="crown fire and spotting need the open wind"):
        WildfireParams.model_validate({**p, "crown_fire": True})
    with pytest.raises(ValidationError, match="crown fire and spotting need the open wind"):
        WildfireParams.model_validate({**p, "spotting": {"enabled": True}})
    with pytest.raises(ValidationError, match="unknown fuel model 'GR42'"):
        WildfireParams.model_validate(fire(fuel="GR42"))
    with pytest.raises(ValidationError, match="unknown fuel model number 150"):
        WildfireParams.model_validate(fire(fuel=150))
    with pytest.raises(ValidationError, match="exactly one of point_m or line_m"):
        WildfireParams.model_validate({**fire(), "ignitions": [{"at_s": 10.0}]})


@pytest.mark.parametrize("name", ["grass_fire_village", "forest_slope_crown_fire", "grass_shrub_wind_shift"])
def test_bundled_wildfire_scenarios_pass_check(name, capsys):
    from sim.cli import main
    from sim.paths import bundled_scenarios

    assert main(["check", str(bundled_scenarios()[name])]) == 0
    out = capsys.readouterr().out
    assert ": ok: scenario" in out and "wildfire" in out
    if name == "grass_shrub_wind_shift":
        assert "1 event(s)" in out
