"""Benchmarks by name: throughput figures printed by `hazsim bench NAME`."""

from __future__ import annotations

import importlib
from typing import Callable

# name -> "module:function"; the function takes quick: bool and returns {figure: (value, unit)}.
BENCHES: dict[str, str] = {
    "flood": "models.flood.bench:run_bench",
    "gas": "models.gas_dispersion.bench:run_bench",
    "sensors": "sim.render.bench:run_bench",
}


def bench_function(name: str) -> Callable[..., dict[str, tuple[float, str]]]:
    module_name, _, function_name = BENCHES[name].partition(":")
    return getattr(importlib.import_module(module_name), function_name)
