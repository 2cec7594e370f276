"""A whole gas run from the command line: run folder, summary, CF-compliant fields."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from sim.cli import main
from sim.paths import bundled_scenarios

SCENARIO = str(bundled_scenarios()["chlorine_tank_leak"])
SMALL = ["--set", "grid.shape=[80, 100]", "--set", "grid.spacing_m=20.0", "--set", "time.stop_s=900.0"]


def cf_errors(path):
    checker = pytest.importorskip("compliance_checker.runner")
    checker.CheckSuite().load_all_available_checkers()
    report = path.with_suffix(".json")
    passed, _ = checker.ComplianceChecker.run_checker(
        str(path), ["cf:1.10"], verbose=0, criteria="lenient", output_filename=str(report), output_format="json")
    results = json.loads(report.read_text())["cf:1.10"]
    return passed, [m for group in results["high_priorities"] for m in group["msgs"]]


@pytest.mark.parametrize("gas", ["chlorine", "ammonia"])
def test_run_writes_cf_fields_manifest_and_summary(tmp_path, capsys, gas):
    run_dir = tmp_path / "run"
    code = main(["run", SCENARIO, "-o", str(run_dir), "--quiet", *SMALL, "--set", f"models.0.params.gas={gas}"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"run folder: {run_dir}" in out and "status: complete" in out
    assert f"peak {gas} concentration" in out and "area ever above aegl 3" in out and "wall time" in out

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert {f["path"] for f in manifest["files"]} == {"fields.nc", "quicklook.png", "sensors.nc", "sensors.csv",
                                                      "sensor_faults.csv"}
    assert manifest["config"]["models"][0]["params"]["gas"] == gas

    ds = xr.open_dataset(run_dir / "fields.nc")
    assert ds.gas_concentration.attrs["units"] == "kg m-3" and ds.gas_mole_fraction.attrs["units"] == "1e-6"
    assert ds.gas_hazard_level.attrs["flag_meanings"].startswith("below_aegl_1")
    assert ds.sizes["time"] == 31  # every 30 s from 0 to 900 s
    np.testing.assert_allclose(ds.time.diff("time").values.astype("timedelta64[s]").astype(float), 30.0)
    if gas == "ammonia":
        assert ds.gas_concentration.attrs["standard_name"] == "mass_concentration_of_ammonia_in_air"
        assert "gas_lel_fraction" not in ds  # not among the scenario's outputs
    # Dose never decreases, and exceeds the concentration-time product of the last record alone.
    dose = ds.gas_dose.values
    assert (np.diff(dose, axis=0) >= -1e-15).all() and dose[-1].max() > 0
    ds.close()

    for name in ("fields.nc", "sensors.nc"):
        passed, errors = cf_errors(run_dir / name)
        assert passed and not errors, (name, errors)
