"""Ensembles on Dask: bit-identical to serial runs, resumable, each member exactly once."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import mlcroissant as mlc
import netCDF4
import numpy as np
import pytest

from sim.ensemble import execute
from sim.run import run_scenario

TINY = """
[ensemble]
name = "tiny"
base = "chlorine_tank_leak"
members = {members}
seed = 5
sampling = "latin_hypercube"

[set]
"grid.shape" = [45, 60]
"grid.spacing_m" = 30.0
"time.stop_s" = 600.0
"time.dt_max_s" = 10.0
"faults.0.end_s" = 500.0
"outputs.0.every_s" = 60.0

[parameters]
"models.0.params.release.rate_kg_s" = {{ distribution = "lognormal", median = 2.0, sigma = 0.5 }}
"models.0.params.wind.speed_m_s" = {{ distribution = "uniform", low = 2.0, high = 6.0 }}
"models.0.params.stability_class" = {{ distribution = "choice", values = ["C", "D", "E"] }}

[[strata]]
name = "gale"
weight = 0.2
parameters = {{ "models.0.params.wind.speed_m_s" = {{ distribution = "uniform", low = 12.0, high = 18.0 }} }}
set = {{ "models.0.params.stability_class" = "D" }}
[[strata.append.faults]]
sensor = "cl2_3"
kind = "stuck"
start_s = 100.0

[splits]
out_of_distribution = {{ key = "models.0.params.wind.speed_m_s", low = 5.0, high = 6.0 }}
"""


def write_tiny(folder: Path, members: int) -> Path:
    path = folder / f"tiny{members}.toml"
    path.write_text(TINY.format(members=members), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The 20-member ensemble and its members run one by one with ``hazsim run``'s code path."""
    folder = tmp_path_factory.mktemp("tiny")
    ensemble = execute.load(write_tiny(folder, 20))
    reference = folder / "serial"
    for member in ensemble.members:
        loaded = execute.member_scenario(ensemble.path, ensemble.base, member)
        assert run_scenario(loaded, out_dir=reference / member.id, threads=1, progress=False).status == "complete"
    return ensemble, reference


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    with execute.local_cluster(2, dashboard=False) as cluster, Client(cluster) as c:
        yield c


def assert_same_outputs(run: Path, reference: Path) -> None:
    """Every variable of every NetCDF file equal bit for bit; the sensor tables byte for byte."""
    names = sorted(p.name for p in reference.iterdir() if p.suffix in (".nc", ".csv"))
    assert names and names == sorted(p.name for p in run.iterdir() if p.suffix in (".nc", ".csv"))
    for name in names:
        if name.endswith(".csv"):
            assert (run / name).read_bytes() == (reference / name).read_bytes(), name
            continue
        with netCDF4.Dataset(run / name) as a, netCDF4.Dataset(reference / name) as b:
            assert set(a.variables) == set(b.variables)
            for var in a.variables:
                x, y = a[var][...], b[var][...]
                assert x.dtype == y.dtype and x.shape == y.shape, (name, var)
                assert np.array_equal(np.ma.getdata(x), np.ma.getdata(y), equal_nan=x.dtype.kind == "f"), (name, var)
                assert np.array_equal(np.ma.getmaskarray(x), np.ma.getmaskarray(y)), (name, var)


def catalog(folder: Path) -> list[dict[str, str]]:
    with open(folder / "catalog.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def assert_each_member_once(ensemble, folder: Path) -> None:
    rows = catalog(folder)
    assert [r["member_id"] for r in rows] == [m.id for m in ensemble.members]
    assert all(r["status"] == "complete" for r in rows)
    on_disk = sorted(p.name for p in (folder / "members").iterdir())
    assert on_disk == [m.id for m in ensemble.members]  # no second copy, no attempt left behind


def test_two_workers_give_the_serial_runs_bit_for_bit(tiny, client, tmp_path):
    ensemble, reference = tiny
    result = execute.run_ensemble(ensemble, tmp_path / "ens", client=client, progress=False)
    assert result.exit_code == 0 and result.ran == 20
    assert_each_member_once(ensemble, tmp_path / "ens")
    for member in ensemble.members:
        assert_same_outputs(tmp_path / "ens" / "members" / member.id, reference / member.id)
    # Parameters in the catalog are the sampled values; splits are per member.
    rows = {r["member_id"]: r for r in catalog(tmp_path / "ens")}
    for member in ensemble.members:
        row = rows[member.id]
        assert float(row["param.models.0.params.wind.speed_m_s"]) == member.values["models.0.params.wind.speed_m_s"]
        assert row["split"] == member.split and int(row["seed"]) == member.seed
        assert float(row["out.peak.gas_concentration"]) > 0
    # The Croissant description is valid and reads the catalog back.
    dataset = mlc.Dataset(jsonld=tmp_path / "ens" / "dataset.json")
    records = list(dataset.records(record_set="members"))
    assert len(records) == 20
    assert sorted(int(r["members/member"]) for r in records) == list(range(20))


def _complete_members(folder: Path) -> list[str]:
    done = []
    for path in sorted((folder / "members").glob("m*")):
        if execute.is_complete(path):
            done.append(path.name)
    return done


def test_resume_after_killing_the_ensemble_midway(tiny, tmp_path):
    ensemble, reference = tiny
    folder = tmp_path / "ens"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "ensemble", str(ensemble.path), "-o", str(folder),
                             "--workers", "2", "--quiet"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while len(_complete_members(folder) if (folder / "members").is_dir() else []) < 4:
            assert proc.poll() is None, "the ensemble ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command, its scheduler and its workers
        proc.wait()
    done = _complete_members(folder)
    assert 4 <= len(done) < 20
    stamps = {name: (folder / "members" / name / "manifest.json").stat().st_mtime_ns for name in done}
    # A complete member whose file was damaged afterwards is not trusted: it is run again.
    damaged = folder / "members" / done[0] / "sensors.csv"
    damaged.write_bytes(damaged.read_bytes()[:-10])

    result = execute.run_ensemble(ensemble, folder, serial=True, progress=False)
    assert result.exit_code == 0
    assert result.skipped == len(done) - 1
    for name in done[1:]:  # kept, not rewritten
        assert (folder / "members" / name / "manifest.json").stat().st_mtime_ns == stamps[name]
    assert_each_member_once(ensemble, folder)
    for member in ensemble.members:
        assert_same_outputs(folder / "members" / member.id, reference / member.id)
    # A third run has nothing to do.
    again = execute.run_ensemble(ensemble, folder, serial=True, progress=False)
    assert again.skipped == 20 and again.ran == 0


def test_a_worker_killed_mid_member_still_gives_each_member_once(tiny, client, tmp_path):
    ensemble, reference = tiny
    folder = tmp_path / "ens"
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(
        result=execute.run_ensemble(ensemble, folder, client=client, progress=False)))
    runner.start()
    killed = None
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 120
    while killed is None and runner.is_alive() and time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            running = [k for k in keys if str(k).startswith("hazsim-member-")]
            attempts = {p.name.split(".")[1]: p for p in (folder / "members").glob(".m*")} \
                if (folder / "members").is_dir() else {}
            for key in running:
                member_id = str(key).split("-")[2]
                attempt = attempts.get(member_id)
                manifest = execute.read_manifest(attempt) if attempt is not None else None
                if manifest is not None and manifest["status"] == "incomplete" and killed is None:
                    os.kill(pids[worker], signal.SIGKILL)
                    killed = (member_id, attempt)
        time.sleep(0.01)
    runner.join(timeout=300)
    assert killed is not None, "no member was caught running"
    member_id, attempt = killed
    result = outcome["result"]
    assert result.exit_code == 0, result.statuses
    assert not attempt.exists()  # the lost attempt was cleared away
    assert_each_member_once(ensemble, folder)
    for member in ensemble.members:
        assert_same_outputs(folder / "members" / member.id, reference / member.id)


def test_a_folder_holding_another_ensemble_is_refused(tiny, tmp_path):
    ensemble, _ = tiny
    folder = tmp_path / "ens"
    folder.mkdir()
    (folder / "plan.json").write_text(json.dumps({"sha256": "0" * 64}))
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "ensemble", str(ensemble.path), "-o", str(folder),
                           "--serial", "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "holds a different ensemble" in proc.stderr
