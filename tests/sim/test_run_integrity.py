"""Whole runs: bit-identical data for any thread count; interruption leaves valid files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from sim.io.rundir import sha256_of
from sim.paths import bundled_scenarios
from sim.run import run_scenario
from sim.scenario.load import load_scenario

SCENARIO = bundled_scenarios()["chlorine_tank_leak"]
SMALL = ["grid.shape=[60, 80]", "grid.spacing_m=25.0", "time.stop_s=900.0", "time.dt_max_s=10.0"]


def read_all(path: Path) -> dict[str, np.ndarray]:
    with netCDF4.Dataset(path) as ds:
        return {name: np.array(var[...]) for name, var in ds.variables.items()}


def test_same_seed_gives_bit_identical_fields_with_one_or_two_threads(tmp_path):
    loaded = load_scenario(SCENARIO, SMALL)
    run_scenario(loaded, out_dir=tmp_path / "one", threads=1, progress=False)
    run_scenario(loaded, out_dir=tmp_path / "two", threads=2 if os.cpu_count() >= 2 else 1, progress=False)
    a, b = read_all(tmp_path / "one" / "fields.nc"), read_all(tmp_path / "two" / "fields.nc")
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), f"{name} differs between thread counts"
    assert a["gas_concentration"].max() > 0
    a, b = read_all(tmp_path / "one" / "sensors.nc"), read_all(tmp_path / "two" / "sensors.nc")
    for name in a:
        same = a[name].tolist() == b[name].tolist() if a[name].dtype == object else a[name].tobytes() == b[name].tobytes()
        assert same, f"sensors.nc {name} differs between thread counts"
    assert np.nanmax(a["measured_value"]) > 0
    m1 = json.loads((tmp_path / "one" / "manifest.json").read_text())
    m2 = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert m1["config_sha256"] == m2["config_sha256"] and m1["threads"] == 1


_COUNT_RECORDS = (
    "import sys, netCDF4\n"
    "try:\n"
    "    with netCDF4.Dataset(sys.argv[1]) as ds: print(len(ds.dimensions['time']))\n"
    "except OSError: print(0)\n"
)


def _records(path: Path) -> int:
    """Records in a file another process is writing: HDF5 locks it, so read it unlocked, in a child
    process (the library reads HDF5_USE_FILE_LOCKING once, when it starts)."""
    if not path.exists():
        return 0
    env = {**os.environ, "HDF5_USE_FILE_LOCKING": "FALSE"}
    out = subprocess.run([sys.executable, "-c", _COUNT_RECORDS, str(path)], env=env,
                         capture_output=True, text=True, timeout=60)
    return int(out.stdout.strip() or 0)


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_run_leaves_valid_files_and_an_incomplete_manifest(tmp_path, signum, code):
    run_dir = tmp_path / "run"
    args = [sys.executable, "-m", "sim.cli", "run", str(SCENARIO), "-o", str(run_dir), "--quiet",
            "--set", "time.stop_s=1e6", "--set", "outputs.0.every_s=20.0", *sum((["--set", s] for s in SMALL[:2]), [])]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        part = run_dir / "fields.nc.part"
        deadline = time.monotonic() + 240
        while _records(part) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "run did not write 3 records in time"
            time.sleep(0.2)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=120)
    finally:  # never leave an endless run behind
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, err
    assert "Traceback" not in err

    assert not list(run_dir.glob("*.part")), "temporary files left behind"
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "incomplete" and "SIG" in manifest["reason"]
    for entry in manifest["files"]:
        assert sha256_of(run_dir / entry["path"]) == entry["sha256"]
    with netCDF4.Dataset(run_dir / "fields.nc") as ds:
        times = np.array(ds["time"][:])
        n = len(times)
        assert n >= 3 and n == manifest["output_times_written"]["fields.nc"]
        np.testing.assert_array_equal(times, 20.0 * np.arange(n))
        conc = np.ma.getdata(ds["gas_concentration"][:])
        assert conc.shape[0] == n and np.isfinite(conc).all() and conc[-1].max() > 0
    # The sensors were sampled up to the interruption and written, with their labels.
    with netCDF4.Dataset(run_dir / "sensors.nc") as ds:
        ds.set_auto_mask(False)
        t = np.array(ds["time"][:])
        assert len(t) >= 3 and t[-1] <= manifest["simulated_time_s"]
        np.testing.assert_array_equal(t, 5.0 * np.arange(len(t)))  # the detectors log every 5 s
        assert np.isfinite(np.array(ds["true_value"][:])).all()
    with open(run_dir / "sensors.csv") as fh:
        assert sum(1 for _ in fh) == 1 + 5 * len(t)
