"""manifest.json: what a run was, what it wrote, and whether it finished."""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import sim
from sim.io.rundir import sha256_of, write_text_atomic

DEPENDENCIES = ("numpy", "numba", "scipy", "xarray", "netCDF4", "pydantic", "matplotlib", "pyproj", "tqdm",
                "distributed")


def dependency_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "platform": sys.platform}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(run_dir: Path, record: dict[str, Any], files: list[Path]) -> Path:
    """Write ``manifest.json`` with ``record`` plus every listed file's size and sha256."""
    entries = []
    for path in files:
        if path.exists():
            name = path.relative_to(run_dir).as_posix() if path.is_relative_to(run_dir) else path.name
            entries.append({"path": name, "bytes": path.stat().st_size, "sha256": sha256_of(path)})
    body = {"engine": "hazsim", "engine_version": sim.__version__, "versions": dependency_versions()}
    body.update(record)
    body["files"] = entries
    target = run_dir / "manifest.json"
    write_text_atomic(target, json.dumps(body, indent=2, sort_keys=False) + "\n")
    return target
