"""Run an ensemble: one Dask task per member, resumable, each member exactly once.

Folder layout (``DIR``)::

    plan.json              the members: index, id, stratum, seed, parameters, split
    members/<id>/          one run folder per member (fields.nc, manifest.json, sensors ...)
    catalog.csv            a row per member: parameters, seed, status, key outputs, files
    dataset.json           Croissant description of the dataset

Exactly once: a member runs into ``members/.<id>.<token>`` and that folder is renamed to
``members/<id>`` only when the run is complete. A rename onto an existing complete folder
fails, so when a member is run twice (a worker presumed lost that was still running), the
second copy is discarded. A member whose worker is killed leaves its attempt folder with a
manifest saying ``incomplete``; Dask runs the task again elsewhere, and the next ``hazsim
ensemble`` on the folder removes such leftovers.

Resume: a member is done when ``members/<id>/manifest.json`` says ``complete``, its
configuration hash is the one the plan gives, and every file it lists has its sha256.
Anything else is removed and run again.

Workers: a LocalCluster with one single-threaded worker process per core and Numba limited
to one thread per worker (members are the parallelism), scheduler and dashboard bound to
127.0.0.1; or an existing cluster (``--scheduler tcp://host:port``), whose workers must see
the ensemble folder at the same path.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from sim.ensemble.design import Member, plan_members, plan_sha256
from sim.ensemble.spec import EnsembleSpec, load_ensemble
from sim.io.rundir import sha256_of, write_text_atomic
from sim.scenario.load import ScenarioError, load_scenario

MEMBERS = "members"
PLAN = "plan.json"
LOCK = ".lock"


@dataclass
class Ensemble:
    """A loaded ensemble file and its plan."""

    path: Path
    spec: EnsembleSpec
    base: Path
    members: list[Member]
    sha256: str
    config_sha256: dict[str, str]  # member id -> its scenario's configuration hash

    @property
    def name(self) -> str:
        return self.spec.ensemble.name


def load(path: str | Path) -> Ensemble:
    """Load an ensemble file and plan its members; every member's scenario is validated."""
    spec, base = load_ensemble(path)
    return from_spec(Path(path), spec, base)


def from_spec(path: Path, spec: EnsembleSpec, base: Path) -> Ensemble:
    """The ensemble of a validated spec: its plan, each member's scenario validated and hashed."""
    members = plan_members(spec)
    config_sha256 = {m.id: member_scenario(path, base, m).sha256() for m in members}
    return Ensemble(path, spec, base, members, plan_sha256(spec, base.read_text(encoding="utf-8"), members),
                    config_sha256)


def member_scenario(ensemble_path: Path, base: Path, member: Member):
    """The member's scenario: the base with its values set, its stratum's entries appended."""
    try:
        return load_scenario(base, values=member.values, append=member.append, seed=member.seed,
                             origin=f"member {member.id} ({member.stratum}):")
    except ScenarioError as exc:
        raise ScenarioError(f"{ensemble_path}: {exc}") from None


# --- one member ----------------------------------------------------------------------------


def run_member(base: str, member: dict[str, Any], members_dir: str) -> dict[str, Any]:
    """Run one member into ``members_dir/<id>`` (a Dask task: arguments are plain data).

    Returns {"id", "status", "reason"}; the status is read back from the member's manifest.
    """
    import numba

    from sim.run import run_scenario

    numba.set_num_threads(1)
    m = Member(**member)
    final = Path(members_dir) / m.id
    if is_complete(final):
        return {"id": m.id, "status": "complete", "reason": "already complete"}
    attempt = Path(members_dir) / f".{m.id}.{uuid.uuid4().hex[:12]}"
    try:
        loaded = load_scenario(Path(base), values=m.values, append=m.append, seed=m.seed,
                               origin=f"member {m.id}:")
        result = run_scenario(loaded, out_dir=attempt, threads=1, progress=False)
    except ScenarioError as exc:  # input only the built models can check (a sensor off the grid)
        shutil.rmtree(attempt, ignore_errors=True)
        return {"id": m.id, "status": "error", "reason": str(exc)}
    if result.status != "complete":
        return {"id": m.id, "status": result.status, "reason": result.reason}
    try:
        os.rename(attempt, final)
    except OSError:  # another attempt of this member finished first: keep one copy
        if not is_complete(final):
            raise
        shutil.rmtree(attempt, ignore_errors=True)
    return {"id": m.id, "status": "complete", "reason": ""}


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_complete(run_dir: Path, config_sha256: str | None = None, check_hashes: bool = False) -> bool:
    manifest = read_manifest(run_dir)
    if manifest is None or manifest.get("status") != "complete":
        return False
    if config_sha256 is not None and manifest.get("config_sha256") != config_sha256:
        return False
    if check_hashes:
        for entry in manifest.get("files", []):
            path = run_dir / entry["path"]
            if not path.is_file() or sha256_of(path) != entry["sha256"]:
                return False
    return True


# --- the ensemble folder -------------------------------------------------------------------


class FolderLock:
    """One ``hazsim ensemble`` per folder at a time (an advisory lock on ``DIR/.lock``)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            raise ScenarioError(f"{self.path.parent}: another hazsim ensemble is running on this folder; "
                                "expected it to finish first") from None
        return self

    def __exit__(self, *exc) -> bool:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        return False


def prepare_folder(ensemble: Ensemble, folder: Path) -> list[Member]:
    """Create or reopen the ensemble folder; return the members still to run.

    Complete members (manifest, configuration hash and file hashes agree) are kept; partial
    attempts and incomplete member folders are removed.
    """
    plan_path = folder / PLAN
    if plan_path.exists():
        try:
            stored = json.loads(plan_path.read_text(encoding="utf-8"))
        except ValueError:
            raise ScenarioError(f"{plan_path}: not a readable plan; expected the plan.json of an ensemble") from None
        if stored.get("sha256") != ensemble.sha256:
            raise ScenarioError(f"{folder}: holds a different ensemble (plan {str(stored.get('sha256'))[:12]}, "
                                f"{ensemble.path} gives {ensemble.sha256[:12]}); expected the same ensemble file "
                                "and base scenario, or a new output folder")
    elif folder.exists() and any(p.name != LOCK for p in folder.iterdir()):
        raise ScenarioError(f"{folder}: output folder is not empty and holds no ensemble plan; expected a new or "
                            "empty folder")
    members_dir = folder / MEMBERS
    members_dir.mkdir(parents=True, exist_ok=True)
    if not plan_path.exists():
        write_text_atomic(plan_path, json.dumps({
            "ensemble": ensemble.name, "file": str(ensemble.path), "base": str(ensemble.base),
            "sha256": ensemble.sha256, "spec": ensemble.spec.model_dump(mode="json"),
            "members": [asdict(m) for m in ensemble.members]}, indent=1) + "\n")
    for leftover in members_dir.glob(".*"):
        shutil.rmtree(leftover, ignore_errors=True)
    todo = []
    for member in ensemble.members:
        final = members_dir / member.id
        if is_complete(final, ensemble.config_sha256[member.id], check_hashes=True):
            continue
        shutil.rmtree(final, ignore_errors=True)
        todo.append(member)
    return todo


# --- execution -----------------------------------------------------------------------------


@dataclass
class EnsembleResult:
    folder: Path
    total: int
    skipped: int
    statuses: dict[str, str]  # member id -> complete | failed | incomplete | error | pending
    wall_time_s: float
    exit_code: int
    interrupted: bool = False

    @property
    def ran(self) -> int:
        return sum(1 for s in self.statuses.values() if s == "complete") - self.skipped


def local_cluster(workers: int, dashboard: bool = True):
    """One single-threaded worker process per core, Numba at one thread, on 127.0.0.1."""
    from distributed import LocalCluster

    with warnings.catch_warnings():  # port 8787 taken (another cluster): a free port is used and shown
        warnings.filterwarnings("ignore", message=".*already have a cluster running.*")
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address="127.0.0.1:8787" if dashboard else "127.0.0.1:0",
                            silence_logs=logging.CRITICAL,  # member failures come back through the futures
                            env={"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                                 "OPENBLAS_NUM_THREADS": "1"})


def run_ensemble(ensemble: Ensemble, folder: Path, *, workers: int | None = None, scheduler: str | None = None,
                 client=None, serial: bool = False, progress: bool = True,
                 on_member: Callable[[dict], None] | None = None) -> EnsembleResult:
    """Run every member not yet complete, then write the catalog and dataset description.

    ``serial`` runs the members in this process, one after another (no Dask). ``client`` is an
    existing ``distributed.Client`` (tests); otherwise ``scheduler`` names a running
    scheduler, or a LocalCluster of ``workers`` processes (default: one per core) is started.
    """
    from tqdm import tqdm

    from sim.ensemble.catalog import write_catalog, write_croissant

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with FolderLock(folder):
        todo = prepare_folder(ensemble, folder)
        statuses = {m.id: "complete" for m in ensemble.members}
        statuses.update({m.id: "pending" for m in todo})
        skipped = len(ensemble.members) - len(todo)
        bar = tqdm(total=len(ensemble.members), initial=skipped, unit="member", disable=not progress,
                   desc=ensemble.name, dynamic_ncols=True)
        members_dir = str((folder / MEMBERS).resolve())
        base = str(ensemble.base.resolve())
        interrupted = False

        def record(outcome: dict) -> None:
            statuses[outcome["id"]] = outcome["status"]
            bar.update(1)
            if outcome["status"] != "complete":
                bar.write(f"member {outcome['id']}: {outcome['status']}: {outcome.get('reason', '')}")
            if on_member is not None:
                on_member(outcome)

        try:
            if serial or not todo:
                for member in todo:
                    record(run_member(base, asdict(member), members_dir))
            else:
                _run_distributed(todo, base, members_dir, record, workers, scheduler, client,
                                 say=bar.write if progress else None)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bar.close()
            if not interrupted:  # every task has ended: what is left are the folders of lost attempts
                for leftover in (folder / MEMBERS).glob(".*"):
                    shutil.rmtree(leftover, ignore_errors=True)
            write_catalog(ensemble, folder, statuses)
            write_croissant(ensemble, folder, statuses)
    wall = time.perf_counter() - started
    bad = any(s != "complete" for s in statuses.values())
    code = 130 if interrupted else (1 if bad else 0)
    return EnsembleResult(folder, len(ensemble.members), skipped, statuses, wall, code, interrupted)


def _dashboard_link(client) -> str | None:
    """The dashboard's address, when the scheduler serves one (it needs bokeh)."""
    try:
        return client.dashboard_link if "dashboard" in client.scheduler_info().get("services", {}) else None
    except Exception:  # a scheduler that cannot say
        return None


def _run_distributed(todo: list[Member], base: str, members_dir: str, record, workers, scheduler, client,
                     say=None) -> None:
    from distributed import Client, as_completed

    own_cluster = own_client = None
    try:
        if client is None:
            if scheduler is not None:
                client = own_client = Client(scheduler)
            else:
                own_cluster = local_cluster(workers or os.cpu_count() or 1)
                client = own_client = Client(own_cluster)
            if say is not None:
                n = len(client.scheduler_info()["workers"])
                dashboard = _dashboard_link(client)
                say(f"scheduler {client.scheduler.address}, {n} workers"
                    + (f", dashboard {dashboard}" if dashboard else ""))
        futures = {client.submit(run_member, base, asdict(m), members_dir, pure=False,
                                 key=f"hazsim-member-{m.id}-{uuid.uuid4().hex[:8]}"): m for m in todo}
        for future in as_completed(futures):
            member = futures[future]
            try:
                record(future.result())
            except Exception as exc:  # a member that raised (or whose workers kept dying)
                record({"id": member.id, "status": "error", "reason": f"{type(exc).__name__}: {exc}"})
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
