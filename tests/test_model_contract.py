"""Every registered model keeps the PhysicalModel contract (Landlab's component test, for us).

For each model, in each bundled scenario that uses it, on float64 and float32 grids:
declared fields are well formed and allocated with the grid's dtype, Params are frozen and
reject unknown keys, ``initialize`` leaves finite outputs, ``stable_dt`` is positive,
``step`` changes no field it does not declare as written and leaves its outputs finite.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from pydantic import ValidationError

from sim.fields import FieldSet
from sim.io.data import DataUnavailable
from sim.model import PhysicalModel, inputs_of, outputs_of
from sim.paths import bundled_scenarios
from sim.scenario import registry
from sim.scenario.load import load_scenario

UNITS = re.compile(r"^(1|1e-6|[A-Za-z]+(-?\d)?( [A-Za-z]+(-?\d)?)*)?$")


def cases():
    found = []
    for name, path in bundled_scenarios().items():
        # A 24 x 32 grid over the scenario's own extent, so its sources and inflows stay inside.
        g = load_scenario(path).grid
        spacing = [g.ny * g.dy / 24, g.nx * g.dx / 32]
        loaded = load_scenario(path, ["grid.shape=[24, 32]", f"grid.spacing_m={spacing}"])
        for k, cfg in enumerate(loaded.config.models):
            found.append(pytest.param(loaded, k, id=f"{cfg.kind}-{name}"))
    return found


def test_every_registered_model_has_a_bundled_scenario():
    used = {cfg.kind for path in bundled_scenarios().values() for cfg in load_scenario(path).config.models}
    assert set(registry.model_kinds()) <= used


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("loaded,k", cases())
def test_model_contract(loaded, k, dtype):
    cfg = loaded.config.models[k]
    cls = registry.model_class(cfg.kind)
    grid = loaded.grid.__class__(shape=loaded.grid.shape, spacing_m=loaded.grid.spacing_m,
                                 origin_m=loaded.grid.origin_m, crs=loaded.grid.crs, dtype=dtype)
    try:
        model = cls(grid, loaded.model_params[k], np.random.default_rng(0))
    except DataUnavailable as exc:  # a scenario driven by measured data, absent here
        pytest.skip(str(exc))
    assert isinstance(model, PhysicalModel)
    assert model.name == cfg.kind

    # Params: frozen, unknown keys refused.
    with pytest.raises(ValidationError):
        cls.Params.model_validate({**cfg.params, "no_such_key_m": 1.0})
    with pytest.raises((ValidationError, TypeError)):
        setattr(model.params, next(iter(type(model.params).model_fields)), None)

    # Field declarations.
    names = [f.name for f in model.fields]
    assert len(names) == len(set(names)), "a field is declared twice"
    for spec in model.fields:
        assert spec.doc, f"{spec.name} has no doc"
        assert spec.kind == "level" or UNITS.match(spec.units), f"{spec.name}: units {spec.units!r}"
    assert outputs_of(model), "a model must write something"

    state = FieldSet.for_models(grid, [model])
    rng = np.random.default_rng(1)
    for spec in inputs_of(model):
        state[spec.name][...] = rng.random(state[spec.name].shape)
    model.initialize(state)
    for spec in model.fields:
        if spec.kind == "float":
            assert state[spec.name].dtype == np.dtype(dtype)
    dt = model.stable_dt(state)
    assert dt > 0

    before = {name: state[name].copy() for name in state}
    t, step = 0.0, min(dt, loaded.config.time.dt_max_s)
    for _ in range(3):
        model.step(state, t, step)
        t += step
    if any(spec.diagnostic for spec in outputs_of(model)):
        model.diagnose(state, t)
    written = {s.name for s in outputs_of(model)}
    for name in state:
        if name not in written:
            np.testing.assert_array_equal(state[name], before[name], err_msg=f"step changed read-only {name}")
    for name in written:
        spec = state.specs[name]
        if spec.kind == "float":
            values = state[name][~np.isnan(state[name])] if spec.allow_nan else state[name]
            assert np.isfinite(values).all(), f"{name} not finite after step"

    # Every model reaches the sound renderer: its acoustic sources at t are a list (empty when
    # it is silent) of sources with finite positions and powers that are finite or -inf.
    from sim.render.sound.bands import N_BANDS, AcousticSource

    sources = model.acoustic_sources(state, t)
    assert isinstance(sources, list)
    for source in sources:
        assert isinstance(source, AcousticSource) and source.label
        assert np.isfinite(source.positions_m).all()
        assert source.power_db.shape[1] == N_BANDS and not np.isnan(source.power_db).any()
        assert not np.isposinf(source.power_db).any()


def test_models_with_visual_layers_give_them_on_the_grid():
    from sim.render.images.layers import SceneLayers

    for case in cases():
        loaded, k = case.values
        cls = registry.model_class(loaded.config.models[k].kind)
        if not hasattr(cls, "visual_layers"):
            continue
        try:
            model = cls(loaded.grid, loaded.model_params[k], np.random.default_rng(0))
        except DataUnavailable:
            continue
        state = FieldSet.for_models(loaded.grid, [model])
        model.initialize(state)
        model.step(state, 0.0, min(model.stable_dt(state), loaded.config.time.dt_max_s))
        if any(spec.diagnostic for spec in outputs_of(model)):
            model.diagnose(state, min(model.stable_dt(state), loaded.config.time.dt_max_s))
        layers = model.visual_layers(state, 1.0)
        assert isinstance(layers, SceneLayers)
        for value in (layers.elevation_m, layers.water_depth_m, layers.building_mask, layers.flame_share,
                      layers.flame_emissivity, layers.burned_fraction, *layers.gas_column_ppm_m.values()):
            if value is not None:
                assert value.shape == loaded.grid.shape and np.isfinite(value).all()


def test_every_registered_model_is_seen_by_the_cameras():
    for kind in registry.model_kinds():
        assert callable(getattr(registry.model_class(kind), "visual_layers", None)), kind


def test_every_registered_model_emits_sound():
    for kind in registry.model_kinds():
        assert callable(getattr(registry.model_class(kind), "acoustic_sources", None)), kind

