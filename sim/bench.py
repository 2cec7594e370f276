"""Benchmarks by name: throughput figures printed by `hazsim bench NAME`."""

from __future__ import annotations

import math
import time
from typing import Callable

from sim.lazy import load

# name -> "module:function"; the function takes quick: bool and returns {figure: (value, unit)}.
BENCHES: dict[str, str] = {
    "crowd": "models.crowd.bench:run_bench",
    "ensemble": "sim.ensemble.bench:run_bench",
    "flood": "models.flood.bench:run_bench",
    "gas": "models.gas_dispersion.bench:run_bench",
    "gas-particles": "models.gas_dispersion.bench_particles:run_bench",
    "geomagnetic": "models.geomagnetic.bench:run_bench",
    "images": "sim.render.images.bench:run_bench",
    "sensors": "sim.render.bench:run_bench",
    "sound": "sim.render.sound.bench:run_bench",
    "wildfire": "models.wildfire.bench:run_bench",
}


def bench_function(name: str) -> Callable[..., dict[str, tuple[float, str]]]:
    return load(BENCHES[name])


def best_seconds(fn: Callable[[], object], repeats: int) -> float:
    """The shortest wall time of ``repeats`` calls of ``fn``, after one call to compile and warm caches."""
    fn()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
