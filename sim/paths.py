"""Where bundled scenarios live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

import sim


def bundled_scenarios_dir() -> Path:
    """``sim/_scenarios`` in a wheel (force-included), else the checkout's ``scenarios/``."""
    packaged = Path(sim.__file__).parent / "_scenarios"
    if packaged.is_dir():
        return packaged
    return Path(sim.__file__).resolve().parent.parent / "scenarios"


def bundled_scenarios() -> dict[str, Path]:
    folder = bundled_scenarios_dir()
    return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}


def resolve_scenario(arg: str) -> Path:
    """A scenario given as a path, or as the name of a bundled scenario."""
    path = Path(arg)
    if path.exists():
        return path
    bundled = bundled_scenarios()
    name = path.name[:-5] if path.name.endswith(".toml") else path.name
    if name in bundled and (path.parent == Path(".") or path.parent.name == "scenarios"):
        return bundled[name]
    return path


def bundled_ensembles() -> dict[str, Path]:
    folder = bundled_scenarios_dir() / "ensembles"
    return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}


def resolve_ensemble(arg: str) -> Path:
    """An ensemble file given as a path, or as the name of a bundled ensemble."""
    path = Path(arg)
    if path.exists():
        return path
    name = path.name[:-5] if path.name.endswith(".toml") else path.name
    return bundled_ensembles().get(name, path)
