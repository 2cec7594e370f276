"""Landscapes: synthetic terrain and patches, LANDFIRE rasters, winds and their directions."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from models.wildfire.landscape import LandfireLandscape, UniformLandscape, build_landscape, fuel_number
from models.wildfire.weather import WindField, WindSpec, toward_angle_rad
from sim.grid import RasterGrid

LANDFIRE = Path(os.environ.get("HAZSIM_DATA_DIR", "/nonexistent")) / "wildfire/reference/flammap_worcester_vt"
needs_landfire = pytest.mark.skipif(not LANDFIRE.is_dir(), reason="HAZSIM_DATA_DIR/wildfire not available")


def test_fuel_models_are_named_by_code_or_number():
    assert fuel_number("GR2") == 102 and fuel_number("fm10") == 10 and fuel_number(165) == 165
    assert fuel_number("NB1") == 91
    with pytest.raises(ValueError, match="unknown fuel model 'GR99'"):
        fuel_number("GR99")


def test_a_hill_slopes_up_toward_its_summit_and_patches_paint_fuel():
    grid = RasterGrid(shape=(41, 41), spacing_m=(10.0, 10.0))
    spec = UniformLandscape.model_validate({
        "kind": "uniform", "fuel_model": "TU5",
        "terrain": {"kind": "hill", "centre_m": [205.0, 205.0], "height_m": 100.0, "radius_m": 80.0},
        "patches": [{"fuel_model": "NB9", "line_m": [[0.0, 305.0], [410.0, 305.0]], "width_m": 10.0},
                    {"canopy": {"cover_pct": 50, "height_m": 20, "base_height_m": 4, "bulk_density_kg_m3": 0.1},
                     "boxes_m": [[0.0, 0.0, 100.0, 100.0]]}]})
    land = build_landscape(spec, grid)
    # South of the summit the upslope direction points north (+y, angle pi/2); east of it, west (pi).
    assert land.upslope_rad[10, 20] == pytest.approx(math.pi / 2, abs=1e-9)
    assert abs(land.upslope_rad[20, 30]) == pytest.approx(math.pi, abs=1e-9)
    assert land.slope_tan[20, 20] == pytest.approx(0.0, abs=1e-12)
    assert (land.fuel_number[30] == 99).all() and land.fuel_number[20, 20] == 165
    assert land.canopy_cover[2, 2] == 0.5 and land.canopy_cover[30, 30] == 0.0


def test_bad_landscapes_are_refused_with_the_key_named():
    with pytest.raises(ValidationError, match="exactly one of polygon_m, boxes_m or line_m"):
        UniformLandscape.model_validate({"kind": "uniform", "fuel_model": "GR2",
                                         "patches": [{"fuel_model": "NB1"}]})
    with pytest.raises(ValidationError, match="base_height_m 12 is above height_m 10"):
        UniformLandscape.model_validate({"kind": "uniform", "fuel_model": "TU1",
                                         "canopy": {"cover_pct": 40, "height_m": 10, "base_height_m": 12}})


@needs_landfire
def test_landfire_rasters_land_on_the_grid_cell_for_cell():
    inputs = LANDFIRE / "landfire_inputs"
    grid = RasterGrid(shape=(613, 549), spacing_m=(30.0, 30.0), origin_m=(1833825.0, 2599215.0), crs="EPSG:5070")
    spec = LandfireLandscape(kind="landfire", fuel=str(inputs / "LC22_F40_230.tif"),
                             elevation=str(inputs / "LC20_Elev_220.tif"), slope=str(inputs / "LC20_SlpP_220.tif"),
                             aspect=str(inputs / "LC20_Asp_220.tif"), canopy_cover=str(inputs / "LC22_CC_230.tif"),
                             canopy_height=str(inputs / "LC22_CH_230.tif"),
                             canopy_base_height=str(inputs / "LC22_CBH_230.tif"),
                             canopy_bulk_density=str(inputs / "LC22_CBD_230.tif"))
    land = build_landscape(spec, grid)
    import tifffile

    raw = tifffile.imread(inputs / "LC22_F40_230.tif")[::-1]  # north-up file, rows along +y here
    expected = np.where(raw == 32767, 99, raw)
    np.testing.assert_array_equal(land.fuel_number, expected)
    cbd = tifffile.imread(inputs / "LC22_CBD_230.tif")[::-1].astype(float)
    np.testing.assert_allclose(land.canopy_bulk_density_kg_m3, np.where((cbd > 0) & (cbd != 32767), cbd * 0.01, 0.0))
    assert 0.0 <= land.canopy_cover.min() and land.canopy_cover.max() <= 1.0
    # A cell with aspect 180 (facing south) slopes up toward the north: upslope angle pi/2.
    aspect = tifffile.imread(inputs / "LC20_Asp_220.tif")[::-1]
    j, i = np.argwhere(aspect == 180)[0]
    assert land.upslope_rad[j, i] == pytest.approx(math.pi / 2)


def test_the_wind_blows_toward_the_opposite_of_where_it_comes_from():
    assert float(toward_angle_rad(270.0)) == pytest.approx(0.0, abs=1e-12)  # a west wind blows east
    assert float(toward_angle_rad(180.0)) == pytest.approx(math.pi / 2)  # a south wind blows north
    grid = RasterGrid(shape=(3, 4), spacing_m=(10.0, 10.0))
    spec = WindSpec(speed_m_s=5.0, direction_deg=0.0)
    speed, toward = WindField(spec, grid).at(0.0, spec)
    assert speed.shape == grid.shape and np.allclose(np.sin(toward), -1.0)


def test_a_gridded_wind_file_holds_each_record_until_the_next(tmp_path):
    import xarray as xr

    grid = RasterGrid(shape=(4, 5), spacing_m=(10.0, 10.0))
    times = np.array([0.0, 600.0])
    speed = np.stack([np.full(grid.shape, 3.0), np.full(grid.shape, 7.0)])
    direction = np.stack([np.full(grid.shape, 270.0), np.full(grid.shape, 315.0)])
    ds = xr.Dataset({"wind_speed": (("time", "y", "x"), speed), "wind_from_direction": (("time", "y", "x"), direction)},
                    coords={"time": times, "y": grid.y, "x": grid.x})
    path = tmp_path / "wind.nc"
    ds.to_netcdf(path)
    spec = WindSpec(file=str(path))
    field = WindField(spec, grid)
    s0, d0 = field.at(599.0, spec)
    s1, d1 = field.at(600.0, spec)
    assert np.allclose(s0, 3.0) and np.allclose(s1, 7.0)
    assert np.allclose(d0, 0.0) and np.allclose(d1, toward_angle_rad(315.0))
    assert field.record_index(599.0, spec) == 0 and field.record_index(601.0, spec) == 1
    assert field.changes_between(0.0, 600.0, spec) == [] and field.changes_between(590.0, 610.0, spec) == [600.0]


def test_a_moisture_map_replaces_the_uniform_values_where_it_gives_them(tmp_path):
    import xarray as xr

    from models.wildfire.weather import Moisture, MoistureField

    grid = RasterGrid(shape=(4, 6), spacing_m=(10.0, 10.0))
    dry_north = np.where(grid.y[:, None] > 20.0, 4.0, 12.0) * np.ones(grid.shape)
    xr.Dataset({"dead_1h_pct": (("y", "x"), dry_north)}, coords={"y": grid.y, "x": grid.x}).to_netcdf(
        tmp_path / "m.nc")
    values = MoistureField(grid).values(Moisture(dead_1h_pct=6.0, live_herb_pct=90.0, file=str(tmp_path / "m.nc")))
    m1h, m10h, _, herb, _ = values.fractions()
    np.testing.assert_allclose(m1h, dry_north / 100.0)
    assert m10h == pytest.approx(0.07) and herb == pytest.approx(0.9)
    xr.Dataset({"dead_1h_pct": (("y", "x"), np.zeros(grid.shape))}, coords={"y": grid.y, "x": grid.x}).to_netcdf(
        tmp_path / "bad.nc")
    with pytest.raises(ValueError, match=r"dead_1h_pct must lie in \(0, 100\] %"):
        MoistureField(grid).values(Moisture(file=str(tmp_path / "bad.nc")))
