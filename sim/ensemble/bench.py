"""``hazsim bench ensemble``: members per hour with one and with two Dask workers.

The ensemble is the bundled ``chlorine_leaks`` (a 200 x 200 grid at 10 m, 15 minutes, five
detectors with their faults): members of a few seconds, where scheduling, imports and file
overheads could eat the parallel gain. Each LocalCluster is
started and warmed (every worker imports hazsim and loads the cached Numba kernels with one
member) before the clock starts; the timed part runs ``members`` fresh members through
:func:`sim.ensemble.execute.run_ensemble`, catalog and dataset description included.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sim.ensemble import execute
from sim.ensemble.spec import load_ensemble
from sim.paths import bundled_ensembles


def small_ensemble(members: int, seed: int) -> execute.Ensemble:
    path = bundled_ensembles()["chlorine_leaks"]
    spec, base = load_ensemble(path)
    spec.ensemble.members = members
    spec.ensemble.seed = seed
    return execute.from_spec(path, spec, base)


def members_per_hour(workers: int, members: int) -> tuple[float, float]:
    """(members per hour, seconds) for ``members`` members on a warmed ``workers``-process cluster."""
    from distributed import Client

    with tempfile.TemporaryDirectory() as tmp, execute.local_cluster(workers, dashboard=False) as cluster, \
            Client(cluster) as client:
        warm = small_ensemble(workers, seed=1)
        execute.run_ensemble(warm, Path(tmp) / "warm", client=client, progress=False)
        ensemble = small_ensemble(members, seed=2)
        start = time.perf_counter()
        result = execute.run_ensemble(ensemble, Path(tmp) / "timed", client=client, progress=False)
        seconds = time.perf_counter() - start
        if result.exit_code != 0:
            raise RuntimeError(f"bench ensemble: members did not complete: {result.statuses}")
    return members / seconds * 3600.0, seconds


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    members = 8 if quick else 24
    one, t1 = members_per_hour(1, members)
    two, t2 = members_per_hour(2, members)
    return {
        "members_per_hour_1_worker": (one, f"members/hour ({members} members in {t1:.1f} s)"),
        "members_per_hour_2_workers": (two, f"members/hour ({members} members in {t2:.1f} s)"),
        "speedup_2_over_1": (two / one, "x (target >= 1.8 on 2 cores)"),
    }
