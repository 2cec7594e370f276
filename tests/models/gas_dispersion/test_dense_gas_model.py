"""The dense_gas model: mass accounting, slumping downhill, buildings, bad input, a whole run."""

from __future__ import annotations

import numpy as np
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
    # no sideways drift on a slope falling straight east: the gas stays centred on the source's cell row
    # (the source at y = 100 m, on a cell edge, goes into the cell centred at 102.5 m)
    assert abs(y_centre - 102.5) < 0.1


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
    ({"gas": "carbon_monoxide", "source_vapour_share": 0.2}, "source_vapour_share: carbon_monoxide is not a "
                                                             "liquefied gas"),
    ({"passive_richardson_number": 0.0}, "passive_richardson_number"),
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


WINDY = {"wind_speed_m_s": 3.0, "wind_direction_deg": 270.0, "stability_class": "D", "roughness_length_m": 0.05}


def test_passive_gas_leaves_the_layer_for_the_particles_and_every_kilogram_is_kept():
    """In a 3 m/s neutral wind the diluted cloud turns passive (Ri* = g' h / u*^2 < 1) and its gas goes on as
    particles: after each step no cell of the layer is passive, released = in the layer + in the particles +
    carried off the grid (to round-off), the same seed gives the same bits, and the gas reaches beyond the
    layer."""
    grid = RasterGrid(shape=(40, 80), spacing_m=(5.0, 5.0))
    release = {"kind": "continuous", "rate_kg_s": 2.0, "duration_s": 600.0, "x_m": 50.0, "y_m": 100.0}
    runs = []
    for _ in range(2):
        model, state = build(grid, atmosphere=WINDY, release=release, open_boundary=False, particles_per_s=200.0)
        run(model, state, 200.0)
        runs.append((model, state))
    model, state = runs[0]
    report = model.report()
    assert 0.1 * report["released_kg"] < report["handed_over_kg"] < report["released_kg"]
    assert not model.passive_cells().any()
    kept = model.airborne_kg() + report["lost_kg"]
    assert kept == pytest.approx(report["released_kg"], rel=1e-12)
    for name in ("gas_concentration", "gas_cloud_depth"):
        assert np.array_equal(state[name], runs[1][1][name])
    beyond = (state["gas_cloud_depth"] == 0.0) & (state["gas_concentration"] > 0.0)
    assert beyond.any()


def test_a_release_too_light_to_slump_is_the_passive_particle_plume():
    """A trickle of chlorine (1 g/s) is passive from its source cell: the dense model hands it all to the
    particles, and its crosswind-integrated concentration at 1.5 m, averaged over 50 m of travel around 100,
    200 and 300 m, is that of the gas_particles model's ground-level source within 10 % (both are particle
    estimates, a strip of one cell scatters by ~10 %; the dense model's particles start spread over the 5 m
    source cell)."""
    from models.gas_dispersion.lagrangian import GasParticles

    grid = RasterGrid(shape=(40, 80), spacing_m=(5.0, 5.0))
    release = {"kind": "continuous", "rate_kg_s": 1e-3, "x_m": 52.5, "y_m": 102.5}
    dense, dense_state = build(grid, atmosphere=WINDY, release=release, particles_per_s=400.0)
    passive, passive_state = built(GasParticles, grid, {"gas": "chlorine", "atmosphere": WINDY, "release": release,
                                                        "particles_per_s": 400.0})
    for model, state in ((dense, dense_state), (passive, passive_state)):
        run(model, state, 240.0)
    assert dense.report()["handed_over_kg"] == pytest.approx(dense.released_kg, rel=0.02)
    columns = [s["gas_concentration"].sum(axis=0) * grid.dy for s in (dense_state, passive_state)]
    for x in (100.0, 200.0, 300.0):
        strips = slice(int((27.5 + x) / grid.dx), int((77.5 + x) / grid.dx))
        assert columns[0][strips].mean() == pytest.approx(columns[1][strips].mean(), rel=0.10), x


def test_the_layer_alone_when_the_hand_over_is_off_and_extra_heights_add_up():
    """passive_richardson_number = None keeps every kilogram in the layer (no particles); an extra receptor
    height gets its own field, lower than the ground's over the exponential profile."""
    grid = RasterGrid(shape=(30, 40), spacing_m=(5.0, 5.0))
    model, state = build(grid, atmosphere=WINDY, passive_richardson_number=None, open_boundary=False,
                         extra_receptor_heights_m=[0.0, 5.0])
    run(model, state, 100.0)
    assert model.report()["handed_over_kg"] == 0.0 and model.n_used == 0
    assert model.airborne_kg() == pytest.approx(model.released_kg, rel=1e-9)
    ground, high = state["gas_concentration_at_0m"], state["gas_concentration_at_5m"]
    assert ground.max() > 0.0 and (high <= ground).all() and (high < ground)[ground > 0].all()
