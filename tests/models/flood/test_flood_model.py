"""The flood model around its solvers: forcing, derived fields, mass balance, events, DEMs."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pytest

from models.flood import kernels, reference, terrain
from sim import geometry
from models.flood.model import Flood, FloodParams
from sim.fields import FieldSet
from sim.grid import RasterGrid

SOLVERS = ["local_inertial", "finite_volume"]


def build(params: dict, shape=(20, 30), spacing=10.0, dtype="float64"):
    grid = RasterGrid(shape=shape, spacing_m=(spacing, spacing), dtype=dtype)
    model = Flood(grid, FloodParams.model_validate(params), np.random.default_rng(0))
    state = FieldSet(grid)
    for spec in model.fields:
        state.add(spec)
    model.initialize(state)
    return grid, model, state


def advance(model, state, stop, dt_max=5.0):
    t = 0.0
    while t < stop - 1e-9:
        dt = min(model.stable_dt(state), dt_max, stop - t)
        model.step(state, t, dt)
        t += dt
    model.diagnose(state, t)  # the fields are derived when read
    return t


# -- shared kernels and their twins -----------------------------------------------------------

@pytest.mark.parametrize("mode", [kernels.NO_LOSS, kernels.CONSTANT_LOSS, kernels.GREEN_AMPT])
def test_rain_and_infiltration_kernel_matches_twin(mode):
    rng = np.random.default_rng(0)
    h = rng.random((7, 9)) * np.where(rng.random((7, 9)) > 0.3, 1.0, 0.0)
    rate, infiltrated = rng.random((7, 9)) * 1e-5, rng.random((7, 9)) * 1e-2
    expected = reference.rain_and_infiltration_reference(h, rate, 3.0, mode, 2e-6, 3e-6, 0.03, infiltrated)
    h1, f1 = h.copy(), infiltrated.copy()
    rain, loss = kernels.rain_and_infiltration(h1, rate, 3.0, mode, 2e-6, 3e-6, 0.03, f1)
    np.testing.assert_allclose(h1, expected[0], rtol=1e-14, atol=1e-17)
    np.testing.assert_allclose(f1, expected[1], rtol=1e-14, atol=1e-17)
    assert rain == pytest.approx(expected[2], rel=1e-13) and loss == pytest.approx(expected[3], rel=1e-12, abs=1e-18)


def test_derived_field_kernels_match_twins():
    rng = np.random.default_rng(1)
    z, h = rng.random((6, 8)), rng.random((6, 8)) * np.where(rng.random((6, 8)) > 0.4, 1.0, 0.0)
    qx, qy = rng.normal(size=(6, 9)), rng.normal(size=(7, 8))
    u, v = np.empty_like(h), np.empty_like(h)
    kernels.inertial_cell_velocity(z, h, qx, qy, 0.05, u, v)
    ur, vr = reference.inertial_cell_velocity_reference(z, h, qx, qy, 0.05)
    np.testing.assert_allclose(u, ur, rtol=1e-13)
    np.testing.assert_allclose(v, vr, rtol=1e-13)
    arrival = np.where(rng.random((6, 8)) > 0.5, 3.0, np.nan)
    peaks = tuple(rng.random((6, 8)) for _ in range(3)) + (arrival,)
    got_peaks = tuple(a.copy() for a in peaks)
    outs = [np.empty_like(h) for _ in range(5)]
    total = kernels.derived_fields(z, h, u, v, 7.0, 0.2, *outs, got_peaks)
    exp = reference.derived_fields_reference(z, h, u, v, 7.0, 0.2, peaks)
    np.testing.assert_array_equal(outs[0], h)
    for a, b in zip(outs[1:], exp[:4]):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    assert total == pytest.approx(exp[4], rel=1e-13)
    for a, b in zip(got_peaks, exp[5]):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    # The finite-volume observation: u = hu / h where h > h_min.
    hu, hv = rng.normal(size=(6, 8)), rng.normal(size=(6, 8))
    got_peaks = tuple(a.copy() for a in peaks)
    assert kernels.observe_fv(h, hu, hv, 0.05, 7.0, 0.2, got_peaks)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(h > 0.05, np.hypot(hu, hv) / h, 0.0)
    for a, b in zip(got_peaks, reference.observe_reference(z, h, speed, 7.0, 0.2, peaks)):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    hu[2, 3] = np.nan
    assert not kernels.observe_fv(h, hu, hv, 0.05, 7.0, 0.2, got_peaks)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("shape", [(20, 30), (300, 260)])  # one thread; row blocks in parallel
def test_maxima_kept_in_the_step_equal_the_maxima_of_every_diagnosed_state(solver, shape):
    params = {"solver": solver, "terrain": {"kind": "plane", "slope_x": -0.01},
              "initial_water": [{"level_m": 2.0, "polygon_m": [[0, 0], [60, 0], [60, 4000], [0, 4000]]}],
              "boundaries": {"east": "free"}, "arrival_depth_m": 0.05}
    _, lazy, lazy_state = build(params, shape=shape)
    _, eager, eager_state = build(params, shape=shape)
    peak = {name: eager_state[name].copy() for name in Flood.PEAK_FIELDS}
    t = 0.0
    for _ in range(40):
        dt = lazy.stable_dt(lazy_state)
        lazy.step(lazy_state, t, dt)
        eager.step(eager_state, t, dt)
        t += dt
        eager.diagnose(eager_state, t)
        for name in peak:
            np.maximum(peak[name], eager_state[name], out=peak[name])
    lazy.diagnose(lazy_state, t)
    for name in peak:
        np.testing.assert_array_equal(lazy.maxima[name], peak[name], err_msg=name)
    np.testing.assert_array_equal(lazy_state["flood_arrival_time"], eager_state["flood_arrival_time"])
    assert np.isfinite(lazy_state["flood_arrival_time"]).sum() > 60 * shape[0] // 10  # the front moved


# -- forcing and mass balance ------------------------------------------------------------------

@pytest.mark.parametrize("solver", SOLVERS)
def test_uniform_rain_on_a_closed_flat_basin_gives_rate_times_time(solver):
    _, model, state = build({"solver": solver, "terrain": {"kind": "plane"},
                             "rainfall": {"kind": "uniform", "rate_mm_h": 36.0, "end_s": 500.0}})
    advance(model, state, 600.0)
    np.testing.assert_allclose(state["water_depth"], 36e-3 / 3600 * 500.0, rtol=1e-10)
    assert abs(float(state["mass_balance_error"])) < 1e-12


@pytest.mark.parametrize("solver", SOLVERS)
def test_mass_balance_closes_with_every_term(solver):
    _, model, state = build({
        "solver": solver, "terrain": {"kind": "plane", "elevation_m": 10.0, "slope_x": -0.01},
        "rainfall": {"kind": "series", "times_s": [0.0, 200.0], "rates_mm_h": [60.0, 0.0]},
        "infiltration": {"kind": "constant", "rate_mm_h": 2.0},
        "inflows": [{"x_m": 15.0, "y_m": 100.0, "times_s": [0.0, 300.0], "discharge_m3_s": [2.0, 0.5]}],
        "boundaries": {"east": "free"},
    })
    advance(model, state, 900.0)
    report = model.report()["mass_balance_m3"]
    assert report["inflow"] == pytest.approx(0.5 * (2.0 + 0.5) * 300.0 + 0.5 * 600.0, rel=1e-9)
    assert report["rain"] == pytest.approx(60e-3 / 3600 * 200.0 * 300.0 * 200.0, rel=1e-9)
    assert report["outflow"] > 0 and report["infiltrated"] > 0
    assert abs(report["relative_error"]) < 1e-10


def test_green_ampt_matches_its_implicit_solution_under_ponding():
    # Ponded water over a soil: F(t) solves K t = F - psi dtheta ln(1 + F / (psi dtheta)).
    _, model, state = build({"terrain": {"kind": "plane"}, "initial_water": [
        {"level_m": 1.0, "polygon_m": [[-1, -1], [400, -1], [400, 300], [-1, 300]]}],
        "infiltration": {"kind": "green_ampt", "conductivity_mm_h": 10.9, "suction_head_mm": 110.1,
                         "moisture_deficit": 0.3}}, shape=(4, 4))
    t_end = 3600.0
    advance(model, state, t_end, dt_max=1.0)
    k, s = 10.9e-3 / 3600, 0.1101 * 0.3
    from scipy.optimize import brentq

    exact = brentq(lambda f: f - s * math.log1p(f / s) - k * t_end, 1e-9, 1.0)
    assert model.infiltrated_depth.mean() == pytest.approx(exact, rel=0.02)


def test_a_breach_event_lowers_the_crest_and_lets_the_reservoir_drain():
    params = {"solver": "finite_volume", "terrain": {"kind": "plane", "elevation_m": 0.0},
              "crests": {"dam": {"line_m": [[150.0, 0.0], [150.0, 200.0]], "elevation_m": 5.0},
                         "breach": {"line_m": [[150.0, 80.0], [150.0, 120.0]], "elevation_m": 5.0}},
              "initial_water": [{"level_m": 4.0, "polygon_m": [[0, 0], [140, 0], [140, 200], [0, 200]]}]}
    grid, model, state = build(params)
    before = model.h.sum()
    advance(model, state, 60.0)
    assert model.h[:, 16:].max() == 0  # the dam holds
    model.params = FloodParams.model_validate({**params, "crests": {**params["crests"], "breach": {
        "line_m": [[150.0, 80.0], [150.0, 120.0]], "elevation_m": 0.0}}})
    advance(model, state, 120.0)
    j = grid.index_of(150.0, 100.0)
    assert state["bed_elevation"][j] == 0.0 and state["bed_elevation"][grid.index_of(150.0, 20.0)] == 5.0
    assert model.h[:, 16:].sum() > 0.05 * before  # water passed the breach
    arrival = state["flood_arrival_time"]
    assert np.isnan(arrival[:, -1]).all() or np.nanmin(arrival[:, 16:]) > 0


# -- terrain input -----------------------------------------------------------------------------

def test_esri_ascii_and_netcdf_dems_are_read_and_resampled(tmp_path):
    x = 100.0 + (np.arange(8) + 0.5) * 5.0
    y = 200.0 + (np.arange(6) + 0.5) * 5.0
    z = 3.0 + 0.1 * x[None, :] - 0.2 * y[:, None]  # a plane: bilinear resampling is exact
    rows = [" ".join(f"{v:.6f}" for v in row) for row in z[::-1]]
    text = "ncols 8\nnrows 6\nxllcorner 100\nyllcorner 200\ncellsize 5\nNODATA_value -9999\n" + "\n".join(rows)
    asc = tmp_path / "dem.asc.gz"
    with gzip.open(asc, "wt") as fh:
        fh.write(text)
    grid = RasterGrid(shape=(5, 6), spacing_m=(5.0, 6.0), origin_m=(102.0, 202.0))
    expected = 3.0 + 0.1 * grid.x[None, :] - 0.2 * grid.y[:, None]
    bed = terrain.build_bed(terrain.FileTerrain(kind="file", path=str(asc)), grid)
    np.testing.assert_allclose(bed, expected, atol=1e-5)
    import xarray as xr

    nc = tmp_path / "dem.nc"
    xr.Dataset({"elevation": (("y", "x"), z)}, coords={"x": x, "y": y}).to_netcdf(nc)
    np.testing.assert_allclose(terrain.build_bed(terrain.FileTerrain(kind="file", path=str(nc)), grid), expected,
                               atol=1e-12)
    # NODATA inside the grid: an error, or walls when asked.
    with gzip.open(asc, "wt") as fh:
        fh.write(text.replace(rows[2].split()[3], "-9999", 1))
    with pytest.raises(ValueError, match="no data"):
        terrain.build_bed(terrain.FileTerrain(kind="file", path=str(asc)), grid)
    walls = terrain.build_bed(terrain.FileTerrain(kind="file", path=str(asc), nodata="wall"), grid)
    assert walls.max() > 1e3


def test_synthetic_terrains_have_their_shapes():
    grid = RasterGrid(shape=(50, 100), spacing_m=(10.0, 10.0))
    valley = terrain.build_bed(terrain.ValleyTerrain(kind="valley", elevation_m=50.0, slope=0.01, floor_width_m=100.0,
                                                     side_slope=0.2, channel_width_m=20.0, channel_depth_m=2.0), grid)
    axis = 25
    assert valley[axis, 0] == pytest.approx(50.0 - 0.01 * 5.0 - 2.0)
    assert (np.diff(valley[axis]) < 0).all()  # falls down-valley
    assert valley[0, 0] > valley[axis - 8, 0]  # rises up the sides
    town = terrain.build_bed(terrain.TownTerrain(kind="town", slope_x=0.0, building_height_m=6.0), grid)
    assert set(np.unique(town - 10.0)) == {0.0, 6.0}


def test_gridded_rain_is_regridded_and_held_between_times(tmp_path):
    import xarray as xr

    x = np.linspace(0.0, 300.0, 7)
    y = np.linspace(0.0, 200.0, 5)
    # 10 mm/h in the east half for the first 100 s, then nothing.
    frame = np.where(x[None, :] > 150.0, 10.0, 0.0) * np.ones((5, 1))
    rain = np.stack([frame, np.zeros_like(frame)])
    path = tmp_path / "rain.nc"
    da = xr.DataArray(rain, dims=("time", "y", "x"), coords={"time": [0.0, 100.0], "y": y, "x": x},
                      attrs={"units": "mm h-1"})
    xr.Dataset({"rainfall_rate": da}).to_netcdf(path)
    grid, model, state = build({"solver": "finite_volume", "terrain": {"kind": "plane"},
                                "rainfall": {"kind": "gridded", "path": str(path)}})
    advance(model, state, 50.0)
    east = grid.x > 205.0  # beyond the blend between the file's columns at 150 and 200 m
    west = grid.x < 145.0
    np.testing.assert_allclose(state["rainfall_rate"][:, east], 10e-3 / 3600)
    np.testing.assert_allclose(state["rainfall_rate"][:, west], 0.0)
    first = model.gridded_rain.frames[0].copy()
    advance(model, state, 150.0)  # a second pass from t = 0: 50 + 100 s under the first frame
    assert float(state["volume_rain"]) == pytest.approx(first.sum() * 150.0 * grid.cell_area_m2, rel=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_level_series_boundary_fills_a_basin_to_its_level(solver):
    grid, model, state = build({"solver": solver, "terrain": {"kind": "plane", "elevation_m": 0.0},
                                "boundaries": {"west": {"times_s": [0.0, 600.0], "levels_m": [0.0, 1.0]}}},
                               shape=(6, 20))
    advance(model, state, 3000.0, dt_max=2.0)
    np.testing.assert_allclose(state["water_surface_elevation"], 1.0, atol=0.02)
    report = model.report()["mass_balance_m3"]
    assert report["outflow"] < 0  # it came in through the boundary
    assert abs(report["relative_error"]) < 1e-10


def test_initial_water_connected_to_a_point_fills_only_that_lake(tmp_path):
    # Two hollows 2 m deep inside one polygon, separated by a ridge above the level.
    grid = RasterGrid(shape=(10, 20), spacing_m=(10.0, 10.0))
    bed = np.full(grid.shape, 5.0)
    bed[2:8, 2:8] = 0.0
    bed[2:8, 12:18] = 0.0
    dem = tmp_path / "two_hollows.nc"
    import xarray as xr

    xr.Dataset({"bed": (("y", "x"), bed)}, coords={"x": grid.x, "y": grid.y}).to_netcdf(dem)
    water = {"level_m": 2.0, "polygon_m": [[0, 0], [200, 0], [200, 100], [0, 100]]}
    base = {"terrain": {"kind": "file", "path": str(dem)}}
    _, model, state = build({**base, "initial_water": [water]}, shape=grid.shape)
    assert model.h[5, 5] == 2.0 and model.h[5, 15] == 2.0
    _, model, state = build({**base, "initial_water": [{**water, "connected_to_m": [150.0, 50.0]}]}, shape=grid.shape)
    assert model.h[5, 5] == 0.0 and model.h[5, 15] == 2.0
    assert float(state["volume_stored"]) == pytest.approx(36 * 2.0 * 100.0)
    with pytest.raises(ValueError, match=r"connected_to_m \(100.0, 50.0\) is not below the level"):
        build({**base, "initial_water": [{**water, "connected_to_m": [100.0, 50.0]}]}, shape=grid.shape)
    with pytest.raises(ValueError, match="outside the grid"):
        build({**base, "initial_water": [{**water, "connected_to_m": [900.0, 50.0]}]}, shape=grid.shape)


def test_blocked_buildings_take_no_water_and_no_rain():
    grid, model, state = build({"solver": "local_inertial", "terrain": {"kind": "plane"},
                                "buildings": {"boxes_m": [[100.0, 50.0, 160.0, 120.0]], "mode": "blocked"},
                                "rainfall": {"kind": "uniform", "rate_mm_h": 50.0}})
    advance(model, state, 300.0)
    block = geometry.box_cells([[100.0, 50.0, 160.0, 120.0]], grid)
    assert block.any() and (model.h[block] == 0).all() and (state["rainfall_rate"][block] == 0).all()
    assert (model.h[~block] > 0).all()
