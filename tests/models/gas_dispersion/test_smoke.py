"""The smoke model: plume rise, mass accounting, optics, and a wildfire feeding it through a declared field."""

from __future__ import annotations

import numpy as np
import pytest

from models.gas_dispersion.smoke import KOSCHMIEDER, RAYLEIGH_EXTINCTION_PER_M, Smoke, SmokeParams, injection_height_m
from sim.cli import main
from sim.grid import RasterGrid
from sim.paths import bundled_scenarios


def test_briggs_rise_grows_with_heat_and_is_lower_in_stable_air():
    """Neutral final rise goes as F^(1/3) x_f^(2/3) / u = F^(3/5) / u for F >= 55 (Briggs 1975); stable air
    holds the plume lower; the boundary layer caps it."""
    low, high = (injection_height_m(q, 5.0, 300.0, "D", 1e4) for q in (1e8, 1e9))
    assert high / low == pytest.approx(10.0 ** 0.6, rel=1e-9)
    assert injection_height_m(1e8, 5.0, 300.0, "F", 1e4) < injection_height_m(1e8, 5.0, 300.0, "E", 1e4) < low
    assert injection_height_m(1e9, 5.0, 300.0, "D", 300.0) == 300.0
    assert injection_height_m(0.0, 5.0, 300.0, "D", 300.0) == 0.0


def build(grid, **params):
    base = {"atmosphere": {"wind_speed_m_s": 4.0, "wind_direction_deg": 270.0, "stability_class": "D",
                           "roughness_length_m": 0.05},
            "heat_field": None, "injection_height_m": 30.0, "particles_per_s": 100.0, "max_particles": 50_000}
    model = Smoke(grid, SmokeParams.model_validate({**base, **params}), np.random.default_rng(1))
    state = {f.name: np.zeros(grid.shape, dtype=f.dtype(grid)) for f in model.fields}
    model.initialize(state)
    return model, state


def test_emitted_mass_is_airborne_or_lost_and_optics_follow_the_concentration():
    grid = RasterGrid(shape=(30, 60), spacing_m=(20.0, 20.0))
    model, state = build(grid)
    emission = state["smoke_pm25_emission_rate"]
    emission[10:20, 5:8] = 1e-4  # kg m-2 s-1 on 30 cells of 400 m2: 1.2 kg/s
    t = 0.0
    for _ in range(40):
        model.step(state, t, 5.0)
        t += 5.0
    assert model.released_kg == pytest.approx(1.2 * 200.0, rel=1e-12)
    assert model.airborne_kg() + model.lost_kg == pytest.approx(model.released_kg, rel=1e-12)
    c = state["smoke_pm25_concentration"]
    assert c[:, 30:].max() > 0.0 and c[:, :4].max() < 0.05 * c.max()  # carried east, not upwind
    np.testing.assert_allclose(state["smoke_extinction_coefficient"], c * model.params.mass_extinction_m2_kg)
    clean = KOSCHMIEDER / RAYLEIGH_EXTINCTION_PER_M
    assert state["visibility"].max() == pytest.approx(clean) and state["visibility"].min() < clean
    layers = model.visual_layers(state, t)
    assert layers.smoke_extinction_per_m.shape == (16, 30, 60) and layers.smoke_extinction_per_m.max() > 0.0


def test_emission_is_shared_among_cells_by_mass():
    """Systematic sampling: a cell with three times the emission gets three times the particles (within one)."""
    grid = RasterGrid(shape=(10, 10), spacing_m=(10.0, 10.0))
    model, state = build(grid, particles_per_s=40.0, atmosphere={"wind_speed_m_s": 0.0, "wind_direction_deg": 0.0,
                                                                 "stability_class": "D"})
    state["smoke_pm25_emission_rate"][2, 2] = 1e-5
    state["smoke_pm25_emission_rate"][7, 7] = 3e-5
    model._ensure_wind()
    model._emit(state, 1.0)
    n = model.n_used
    x0 = model.state.x[:n] < 50.0
    assert (np.count_nonzero(x0), np.count_nonzero(~x0)) == (10, 30)


def test_wildfire_smoke_scenario_runs_small(tmp_path, capsys):
    scenario = str(bundled_scenarios()["grass_fire_smoke"])
    small = ["--set", "time.stop_s=600.0", "--set", "cameras=[]", "--set", "faults=[]"]
    code = main(["run", scenario, "-o", str(tmp_path / "run"), "--quiet", *small])
    out = capsys.readouterr().out
    assert code == 0 and "status: complete" in out and "emitted" in out and "peak PM2.5" in out


def test_smoke_at_further_heights_is_the_same_estimate_aloft():
    """Smoke injected evenly up to 30 m: near the fire, a continuous emission spread in height by
    a wind U(z) gives c ~ 1 / U(z), a little less at 15 m than at the 2-m receptor (U(15) / U(2) = 1.5
    here), and faint above the column top. Each extra field is the particles' estimate at its height,
    written with its height for the sensors."""
    grid = RasterGrid(shape=(20, 40), spacing_m=(20.0, 20.0))
    model, state = build(grid, extra_receptor_heights_m=[15.0, 80.0])
    state["smoke_pm25_emission_rate"][8:12, 3:5] = 1e-4
    for k in range(12):
        model.step(state, 5.0 * k, 5.0)
    ground = state["smoke_pm25_concentration"]
    middle, above = state["smoke_pm25_concentration_at_15m"], state["smoke_pm25_concentration_at_80m"]
    near = (slice(None), slice(3, 8))
    assert ground[near].max() > middle[near].max() > 0.4 * ground[near].max()
    assert above[near].max() < 0.1 * ground[near].max()
    np.testing.assert_array_equal(middle, model.concentration_at(15.0))
    assert model.field_heights()["smoke_pm25_concentration_at_80m"] == 80.0
