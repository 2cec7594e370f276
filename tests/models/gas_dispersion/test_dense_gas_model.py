"""The dense_gas model: mass accounting, slumping downhill, buildings, bad input, a whole run."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.gas_dispersion.dense_layer import DenseGas
from sim.cli import main
from sim.grid import RasterGrid
from sim.paths import bundled_scenarios

from gas_runs import built, step_for

ATMOSPHERE = {"wind_speed_m_s": 0.5, "wind_direction_deg": 270.0, "stability_class": "F",
              "roughness_length_m": 0.05}


def build(grid, **params):
    base = {"gas": "chlorine", "atmosphere": ATMOSPHERE,
            "release": {"kind": "continuous", "rate_kg_s": 5.0, "duration_s": 120.0, "x_m": 100.0, "y_m": 100.0}}
    return built(DenseGas, grid, {**base, **params})


run = step_for


def test_closed_domain_keeps_every_kilogram():
    """With walls at the edges, the gas in the layer equals the gas released (to round-off)."""
    grid = RasterGrid(shape=(40, 40), spacing_m=(5.0, 5.0))
    model, state = build(grid, open_boundary=False)
    run(model, state, 200.0)
    assert model.released_kg == pytest.approx(600.0)
    assert model.airborne_kg() == pytest.approx(model.released_kg, rel=1e-9)


def test_cloud_slumps_downhill_in_still_air():
    """On a 5 % slope falling to the east, a calm-air cloud's centre of mass moves east (downhill)."""
    grid = RasterGrid(shape=(40, 60), spacing_m=(5.0, 5.0))
    model, state = build(grid, terrain={"kind": "plane", "elevation_m": 50.0, "slope_x": -0.05},
                         atmosphere={**ATMOSPHERE, "wind_speed_m_s": 0.0}, open_boundary=False)
    run(model, state, 120.0)
    x_centre, y_centre = model.cloud.centroid()
    assert x_centre > 100.0 + 20.0
    assert abs(y_centre - 100.0) < 2.5  # no sideways drift on a slope falling straight east


def test_buildings_hold_no_gas_and_the_depth_field_marks_the_cloud():
    grid = RasterGrid(shape=(40, 60), spacing_m=(5.0, 5.0))
    model, state = build(grid, buildings=[{"box_m": [120.0, 80.0, 140.0, 120.0], "height_m": 8.0}])
    run(model, state, 150.0)
    inside = model.building_mask
    assert inside.sum() == 4 * 8
    assert state["gas_concentration"][inside].max() == 0.0
    assert state["gas_concentration"].max() > 0.0
    depth = state["gas_cloud_depth"]
    assert depth.max() > 0.0 and (depth[state["gas_concentration"] == 0.0] == 0.0).all()
    # what the cameras see: the building, raised on the ground, and the gas column beside it
    layers = model.visual_layers(state, 150.0)
    assert (layers.building_mask == inside).all() and (layers.elevation_m[inside] == 8.0).all()
    assert layers.gas_column_ppm_m["chlorine"].max() > 0.0


@pytest.mark.parametrize("hole_in", ["liquid", "vapour"])
def test_tank_source_gas(hole_in):
    """A flashing liquid leak enters as the cold aerosol-free mixture with air (below the boiling point,
    holding less chlorine per m3 than the pure vapour); a vapour-space leak as the stored vapour."""
    grid = RasterGrid(shape=(20, 20), spacing_m=(5.0, 5.0))
    tank = {"kind": "tank", "x_m": 50.0, "y_m": 50.0, "substance": "chlorine", "volume_m3": 10.0, "fill_fraction": 0.8,
            "temperature_K": 293.15, "hole_diameter_m": 0.02, "hole_in": hole_in}
    model, _ = build(grid, release=tank)
    assert model.params.release.ambient_temperature_K == model.params.air_temperature_k
    pure_at_boiling = 101325.0 * 70.906e-3 / (8.314462618 * 239.1)
    if hole_in == "liquid":
        assert model.source_temperature_k < 239.1 - 10.0  # chlorine boils at 239.1 K; the drops cool the air
        assert model.source_density < 0.5 * pure_at_boiling
    else:
        assert model.source_temperature_k == pytest.approx(293.15)


@pytest.mark.parametrize(("update", "message"), [
    ({"gas": "methane"}, "not denser than the air"),
    ({"release": {"kind": "tank", "x_m": 0.0, "y_m": 0.0, "substance": "ammonia", "volume_m3": 10.0,
                  "fill_fraction": 0.5, "temperature_K": 290.0, "hole_diameter_m": 0.02}}, "differs from gas"),
])
def test_bad_input_is_named(update, message):
    grid = RasterGrid(shape=(10, 10), spacing_m=(5.0, 5.0))
    with pytest.raises((ValueError, ValidationError), match=message):
        build(grid, **update)


def test_bundled_lpg_scenario_runs_small(tmp_path, capsys):
    scenario = str(bundled_scenarios()["lpg_tank_slope"])
    small = ["--set", "grid.shape=[40, 60]", "--set", "grid.spacing_m=25.0", "--set", "time.stop_s=300.0"]
    code = main(["run", scenario, "-o", str(tmp_path / "run"), "--quiet", *small])
    out = capsys.readouterr().out
    assert code == 0 and "status: complete" in out and "area ever above lel" in out
