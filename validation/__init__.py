"""Validation against measured events: ``hazsim validate NAME``.

Each case lives in ``validation/<name>/`` (``case.toml`` with its pre-registered choices and
acceptance, ``README.md``, ``compare.py``) and is registered here by name. A case function
takes ``out_dir`` and ``quick`` and returns a :class:`ValidationResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sim.lazy import load


@dataclass
class ValidationResult:
    name: str
    figures: dict[str, float]
    units: dict[str, str]
    passed: bool
    table: str
    artifacts: list[Path] = field(default_factory=list)


def save_figure(fig, path: Path) -> Path:
    """Write a matplotlib figure as PNG under a temporary name, renamed when complete; close it."""
    import matplotlib.pyplot as plt

    from sim.io.rundir import atomic_path

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path


def _lazy(target: str) -> Callable[..., ValidationResult]:
    def run(**kwargs) -> ValidationResult:
        return load(target)(**kwargs)

    return run


# name -> case function (imported on demand, so `hazsim list` stays quick)
CASES: dict[str, Callable[..., ValidationResult]] = {
    "prairie_grass": _lazy("validation.prairie_grass.compare:run"),
    "prairie_grass_particles": _lazy("validation.prairie_grass_particles.compare:run"),
    "dense_gas": _lazy("validation.dense_gas.compare:run"),
    "ea_test5": _lazy("validation.ea_test5.compare:run"),
    "malpasset": _lazy("validation.malpasset.compare:run"),
    "omni_dst": _lazy("validation.omni_dst.compare:run"),
    "omni2_kp": _lazy("validation.omni2_kp.compare:run"),
    "flammap_worcester": _lazy("validation.flammap_worcester.compare:run"),
    "annaburroo": _lazy("validation.annaburroo.compare:run"),
    "crown_fires": _lazy("validation.crown_fires.compare:run"),
    "crowd_bottleneck": _lazy("validation.crowd_bottleneck.compare:run"),
    "crowd_fundamental": _lazy("validation.crowd_fundamental.compare:run"),
}
