"""The time loop: aligned steps, exact output times, events, the non-finite guard, run folders."""

import json
import math

import numpy as np
import pytest
import xarray as xr

from sim.grid import RasterGrid
from sim.io.netcdf import NetCDFWriter
from sim.io.rundir import sha256_of
from sim.schedules import EverySeconds
from sim.simulation import Event, NonFiniteError, Simulation
from toy_models import Decay, Doubler, Exploder, LazyDecay, LazyReader

GRID = RasterGrid(shape=(3, 4), spacing_m=(1.0, 1.0))


def writer(tmp_path, fields, every):
    return NetCDFWriter(tmp_path / "f.nc", fields, EverySeconds(every), start_datetime="2000-01-01T00:00:00",
                        global_attrs={"title": "test"})


def test_outputs_land_exactly_and_match_closed_form(tmp_path):
    p = Decay.Params(rate_per_s=0.05, source_per_s=2.0, initial=1.0)
    w = writer(tmp_path, ["tracer"], every=3.0)
    sim = Simulation(GRID, [Decay(GRID, p, None)], stop_s=10.0, dt_max_s=0.7, writers=[w])
    sim.run()
    w.close()
    ds = xr.open_dataset(tmp_path / "f.nc", decode_times=False)
    np.testing.assert_array_equal(ds.time.values, [0.0, 3.0, 6.0, 9.0])
    expected = [Decay.exact(t, p) for t in ds.time.values]
    np.testing.assert_allclose(ds.tracer.values[:, 1, 2], expected, rtol=1e-12)
    assert sim.clock.time == 10.0


def test_steps_respect_dt_max_and_stable_dt():
    p = Decay.Params(max_dt_s=0.25)
    model = Decay(GRID, p, None)
    Simulation(GRID, [model], stop_s=2.0, dt_max_s=0.4).run()
    dts = [dt for _, dt in model.steps]
    assert max(dts) <= 0.25 + 1e-15
    assert sum(dts) == pytest.approx(2.0, rel=1e-14)


def test_event_changes_parameters_exactly_at_its_time():
    before = Decay.Params(rate_per_s=0.1, source_per_s=1.0)
    after = Decay.Params(rate_per_s=0.5, source_per_s=0.0)
    model = Decay(GRID, before, None)
    sim = Simulation(GRID, [model], stop_s=10.0, dt_max_s=1.0,
                     events=[Event(at_s=4.2, new_params=[(model, after)])])
    sim.run()
    assert any(math.isclose(t, 4.2, rel_tol=0, abs_tol=1e-12) for t, _ in model.steps)
    c_event = Decay.exact(4.2, before)
    expected = c_event * math.exp(-0.5 * (10.0 - 4.2))
    assert sim.state["tracer"][0, 0] == pytest.approx(expected, rel=1e-12)


def test_models_run_in_declared_order_and_couple_through_fields():
    p = Decay.Params()
    sim = Simulation(GRID, [Doubler(GRID, Doubler.Params(), None), Decay(GRID, p, None)], stop_s=5.0, dt_max_s=1.0)
    sim.run()
    assert [m.name for m in sim.models] == ["toy_decay", "toy_doubler"]
    np.testing.assert_array_equal(sim.state["tracer_doubled"], 2 * sim.state["tracer"])


def test_non_finite_guard_names_field_time_and_cell():
    sim = Simulation(GRID, [Exploder(GRID, Exploder.Params(at_s=3.0), None)], stop_s=10.0, dt_max_s=1.0)
    with pytest.raises(NonFiniteError) as err:
        sim.run()
    msg = str(err.value)
    assert "'bad_field'" in msg and "t = 3 s" in msg and "row 2, column 3" in msg and "x = 3.5 m" in msg


def test_peak_tracker_keeps_maximum_over_every_step(tmp_path):
    # Output only at the start: the peak must still see every step.
    p = Decay.Params(rate_per_s=0.2, source_per_s=1.0, initial=0.0)
    w = writer(tmp_path, ["tracer"], every=100.0)
    sim = Simulation(GRID, [Decay(GRID, p, None)], stop_s=7.0, dt_max_s=0.5, writers=[w])
    sim.run()
    w.close()
    assert sim.peaks.peaks["tracer"][0, 0] == pytest.approx(Decay.exact(7.0, p), rel=1e-12)
    ds = xr.open_dataset(tmp_path / "f.nc", decode_times=False)
    assert ds.tracer.shape[0] == 1
    assert ds.tracer_max.attrs["cell_methods"] == "time_span: maximum"


def test_diagnostic_field_is_derived_only_when_read(tmp_path):
    p = Decay.Params(rate_per_s=0.05, source_per_s=2.0, initial=1.0)
    model = LazyDecay(GRID, p, None)
    w = writer(tmp_path, ["lazy_tracer"], every=3.0)
    # No maximum wanted: the field is diagnosed at the start, the output times and the end.
    sim = Simulation(GRID, [model], stop_s=10.0, dt_max_s=0.5, writers=[w], peak_fields=set())
    sim.run()
    w.close()
    assert model.diagnosed == [0.0, 3.0, 6.0, 9.0, 10.0]
    ds = xr.open_dataset(tmp_path / "f.nc", decode_times=False)
    np.testing.assert_allclose(ds.lazy_tracer.values[:, 0, 0], [Decay.exact(t, p) for t in (0, 3, 6, 9)],
                               rtol=1e-12)
    assert sim.state["lazy_tracer"][0, 0] == pytest.approx(Decay.exact(10.0, p), rel=1e-12)


def test_diagnostic_field_is_derived_every_step_when_a_model_reads_it_or_its_maximum_is_kept():
    p = Decay.Params(rate_per_s=0.2, source_per_s=1.0, initial=0.0)
    lazy = LazyDecay(GRID, p, None)
    sim = Simulation(GRID, [LazyReader(GRID, LazyReader.Params(), None), lazy], stop_s=5.0, dt_max_s=0.5)
    sim.run()
    assert len(lazy.diagnosed) >= 11  # the start and every step
    assert sim.state["lazy_copy"][0, 0] == pytest.approx(Decay.exact(5.0, p), rel=1e-12)
    # The maximum of a diagnostic field its model does not keep: observed after every step.
    assert sim.peaks.peaks["lazy_tracer"][0, 0] == pytest.approx(Decay.exact(5.0, p), rel=1e-12)


def test_run_folder_manifest_lists_files_with_hashes(tmp_path, monkeypatch):
    from sim.run import run_scenario
    from sim.scenario import registry
    from sim.scenario.load import load_scenario

    monkeypatch.setitem(registry.MODELS, "toy_decay", "toy_models:Decay")
    scenario = tmp_path / "toy.toml"
    scenario.write_text(
        '[scenario]\nname = "toy"\n[grid]\nshape = [3, 4]\nspacing_m = 1.0\n[time]\nstop_s = 6.0\ndt_max_s = 1.0\n'
        '[[models]]\nkind = "toy_decay"\n[[outputs]]\nfields = ["tracer"]\nevery_s = 2.0\n'
    )
    result = run_scenario(load_scenario(scenario), out_dir=tmp_path / "run", progress=False)
    assert result.status == "complete" and result.exit_code == 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["config"]["models"][0]["params"]["rate_per_s"] == 0.01  # defaults resolved
    files = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(files) == {"fields.nc", "quicklook.png"}
    for name, digest in files.items():
        assert sha256_of(tmp_path / "run" / name) == digest
    assert not list((tmp_path / "run").glob("*.part"))
