"""fields.nc is CF-1.10: checked with cf-xarray and, where it installs, the CF checker."""

import json

import numpy as np
import pytest
import xarray as xr

from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.io.netcdf import NetCDFWriter
from sim.schedules import EverySeconds
from sim.simulation import Simulation
from toy_models import Decay


class Levels(Decay):
    """Decay plus a categorical field, to check flag attributes."""

    name = "toy_levels"
    fields = Decay.fields + (
        FieldSpec("tracer_level", at="cell", units="", intent="out", doc="tracer category", kind="level",
                  flag_values=(0, 1), flag_meanings=("low", "high")),
    )

    def step(self, state, t, dt):
        super().step(state, t, dt)
        state["tracer_level"][...] = state["tracer"] > 5.0


def make_file(tmp_path, grid):
    w = NetCDFWriter(tmp_path / "fields.nc", ["tracer", "tracer_level"], EverySeconds(2.0),
                     start_datetime="2024-07-01T12:00:00",
                     global_attrs={"title": "cf test", "references": "none"},
                     field_attrs={"tracer": {"comment": "toy"}})
    Simulation(grid, [Levels(grid, Levels.Params(), None)], stop_s=10.0, dt_max_s=1.0, writers=[w]).run()
    return w.close()


@pytest.mark.parametrize("crs", ["local", "EPSG:32633"])
def test_cf_xarray_finds_axes_and_decodes_time(tmp_path, crs):
    grid = RasterGrid(shape=(5, 6), spacing_m=(10.0, 10.0), origin_m=(500000.0, 4000000.0), crs=crs)
    path = make_file(tmp_path, grid)
    import cf_xarray  # noqa: F401  (registers the .cf accessor)

    ds = xr.open_dataset(path)
    assert ds.attrs["Conventions"] == "CF-1.10"
    assert set(ds.cf.axes) >= {"X", "Y", "T"}
    assert ds.time.values[1] == np.datetime64("2024-07-01T12:00:02")
    assert ds.tracer.attrs["units"] == "1" and ds.tracer.attrs["comment"] == "toy"
    assert list(ds.tracer_level.attrs["flag_values"]) == [0, 1]
    assert ds.tracer_level.attrs["flag_meanings"] == "low high"
    if crs != "local":
        assert ds.cf.grid_mapping_names  # the crs variable is found through grid_mapping
        assert "projection_x_coordinate" in ds.cf.standard_names


@pytest.mark.parametrize("crs", ["local", "EPSG:32633"])
def test_cf_checker_reports_no_errors(tmp_path, crs):
    """The IOOS compliance checker (cf:1.10, its bundled standard-name table) finds no error.

    Warnings are allowed (criteria "lenient"): it warns that the bounds of a scalar coordinate are 1-D, which is
    what CF 1.10 section 7.1 prescribes.
    """
    checker = pytest.importorskip("compliance_checker.runner")
    grid = RasterGrid(shape=(5, 6), spacing_m=(10.0, 10.0), origin_m=(500000.0, 4000000.0), crs=crs)
    path = make_file(tmp_path, grid)
    checker.CheckSuite().load_all_available_checkers()
    report = tmp_path / "report.json"
    passed, _ = checker.ComplianceChecker.run_checker(
        str(path), ["cf:1.10"], verbose=0, criteria="lenient", output_filename=str(report), output_format="json"
    )
    results = json.loads(report.read_text())["cf:1.10"]
    errors = [m for group in results["high_priorities"] for m in group["msgs"]]
    assert passed and not errors, errors
