"""Read a scenario TOML, apply overrides, validate everything before step 0.

Every problem with the input becomes one :class:`ScenarioError` whose message names the
file, the key and what was expected; the CLI prints it on one line and exits with status 2.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.scenario import registry
from sim.scenario.schema import Scenario

# Refuse a run whose estimated memory exceeds this share of what the machine has free.
MEMORY_SHARE = 0.8
# Limits that only a mistake reaches (a run of 1e6 output times or 1e9 steps never ends).
MAX_OUTPUT_TIMES = 1e6
MAX_STEPS = 1e9


class ScenarioError(ValueError):
    """Bad input: the message is one line naming file, key and what was expected."""


@dataclass
class LoadedScenario:
    """A validated scenario: the raw config, its resolved form and the model parameters."""

    path: Path
    config: Scenario
    model_params: list[BaseModel]
    events: list[tuple[float, int, list[BaseModel]]] = field(default_factory=list)

    @property
    def grid(self) -> RasterGrid:
        g = self.config.grid
        return RasterGrid(
            shape=tuple(g.shape), spacing_m=g.spacing_yx(), origin_m=tuple(g.origin_m), crs=g.crs, dtype=g.dtype
        )

    def resolved(self) -> dict[str, Any]:
        """The configuration with every default filled in, as plain JSON data."""
        data = self.config.model_dump(mode="json")
        for model_cfg, params in zip(data["models"], self.model_params):
            model_cfg["params"] = params.model_dump(mode="json")
        return data

    def sha256(self) -> str:
        text = json.dumps(self.resolved(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def format_location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _real_keys(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop the parts of an error location that are not keys of the input.

    Pydantic inserts union-member tags (``release.continuous.rate_kg_s``); a user wants the
    key as written in the file (``release.rate_kg_s``). The last part is kept even when it
    is absent, since a missing key is reported there.
    """
    keys: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            keys.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            keys.append(part)
            node = node[part]
        elif i == len(loc) - 1:
            keys.append(part)
    return tuple(keys)


def describe_validation_error(err: ValidationError, data: Any, prefix: str = "") -> str:
    """The first error of a pydantic ValidationError as 'key: what was expected (got x)'.

    An unknown key is reported before any other error: a misspelt key (``speedd_m_s``)
    also makes the intended one missing, and the misspelling is what the user must fix.
    """
    errors = err.errors(include_url=False)
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = _real_keys(tuple(first["loc"]), data)
    key = ".".join(filter(None, [prefix, format_location(loc) if loc else ""]))
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    elif first["type"] == "missing":
        msg = "required key is missing"
    text = f"{key or '(top level)'}: {msg}"
    if first["type"] not in ("extra_forbidden", "missing") and "input" in first:
        got = first["input"]
        if not isinstance(got, dict | list):
            text += f" (got {got!r})"
    return text


def read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ScenarioError(f"{path}: file not found")
    if not path.is_file():
        raise ScenarioError(f"{path}: not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: TOML syntax error: {exc}") from None


def _parse_value(text: str) -> Any:
    """A TOML value (number, bool, string, array, inline table); bare words are strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def set_path(data: dict[str, Any], dotted: str, value: Any, origin: str) -> None:
    """Set ``data[a][b][0][c] = value`` for ``dotted = "a.b.0.c"``; list indices are numbers."""
    parts = dotted.split(".")
    if not all(parts):
        raise ScenarioError(f"{origin}: {dotted!r} is not a valid key path")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(f"{origin}: {here}: expected a list index below {len(node)}")
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            raise ScenarioError(f"{origin}: {here}: is a value, not a table")
    last = parts[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise ScenarioError(f"{origin}: {dotted}: expected a list index below {len(node)}")
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"{origin}: {dotted}: parent is a value, not a table")


def append_path(data: dict[str, Any], dotted: str, items: list, origin: str) -> None:
    """Append ``items`` to the array at ``dotted`` (created when absent)."""
    parts = dotted.split(".")
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) and part.isdigit() and int(part) < len(node) else (
            node.setdefault(part, {}) if isinstance(node, dict) else None)
        if node is None:
            raise ScenarioError(f"{origin}: {dotted!r} does not name an array of the scenario")
    if not isinstance(node, dict):
        raise ScenarioError(f"{origin}: {dotted!r} does not name an array of the scenario")
    current = node.setdefault(parts[-1], [])
    if not isinstance(current, list):
        raise ScenarioError(f"{origin}: {dotted} is a {type(current).__name__}, expected an array to append to")
    current.extend(items)


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> None:
    """Apply ``--set key=value`` overrides in place."""
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"--set {item!r}: expected key=value, e.g. time.stop_s=600")
        set_path(data, key.strip(), _parse_value(text.strip()), f"--set {key.strip()}")


def load_scenario(path: str | Path, overrides: list[str] = (), seed: int | None = None,
                  values: dict[str, Any] | None = None, append: dict[str, list] | None = None,
                  origin: str = "--set") -> LoadedScenario:
    """Read, override and validate a scenario; raise ScenarioError on any bad input.

    ``overrides`` are ``key=value`` strings (the command line's ``--set``); ``values`` maps
    dotted keys to values already parsed and ``append`` adds entries to the arrays named by
    dotted keys (an ensemble member's sampled parameters and its stratum's extra faults or
    events). ``origin`` names where ``values`` and ``append`` came from in error messages.
    """
    path = Path(path)
    raw = read_toml(path)
    apply_overrides(raw, list(overrides))
    # Entries are appended first, so that values may address them (the time of an added event).
    for key, items in (append or {}).items():
        append_path(raw, key, copy.deepcopy(items), f"{origin} {key}")
    for key, value in (values or {}).items():
        set_path(raw, key, copy.deepcopy(value), f"{origin} {key}")
    if seed is not None:
        set_path(raw, "scenario.seed", seed, "--seed")
    try:
        config = Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(f"{path}: {describe_validation_error(err, raw)}") from None

    model_params = []
    for k, model_cfg in enumerate(config.models):
        cls = _model_class(path, k, model_cfg.kind)
        model_params.append(_validate_params(path, cls, model_cfg.params, f"models.{k}.params"))

    loaded = LoadedScenario(path=path, config=config, model_params=model_params)
    loaded.events = _validate_events(path, config, raw)
    try:
        grid = loaded.grid
    except ValueError as exc:
        raise ScenarioError(f"{path}: grid: {exc}") from None
    check_memory(path, grid, loaded)
    return loaded


def _model_class(path: Path, k: int, kind: str) -> type:
    try:
        return registry.model_class(kind)
    except KeyError:
        known = ", ".join(registry.model_kinds())
        raise ScenarioError(f"{path}: models.{k}.kind: unknown model {kind!r} (expected one of: {known})") from None


def _validate_params(path: Path, cls: type, params: dict[str, Any], where: str) -> BaseModel:
    try:
        return cls.Params.model_validate(params)
    except ValidationError as err:
        raise ScenarioError(f"{path}: {describe_validation_error(err, params, where)}") from None


def _validate_events(path: Path, config: Scenario, raw: dict[str, Any]) -> list[tuple[float, int, list[BaseModel]]]:
    """Validate each event by applying it, and all before it, to the model parameters.

    Returns (time, event index, parameters of every model from then on), sorted by time.
    """
    params_now = [copy.deepcopy(m.params) for m in config.models]
    result = []
    order = sorted(range(len(config.events)), key=lambda k: config.events[k].at_s)
    for k in order:
        event = config.events[k]
        tree = {"models": [{"params": copy.deepcopy(p)} for p in params_now]}
        for key, value in event.set.items():
            set_path(tree, key, value, f"{path}: events.{k}.set")
        validated = []
        for m, model_cfg in enumerate(config.models):
            cls = registry.model_class(model_cfg.kind)
            validated.append(_validate_params(path, cls, tree["models"][m]["params"], f"events.{k}.set: models.{m}.params"))
            # Some parameters choose a model's fields, so no event may change them.
            for name in getattr(cls, "fixed_params", ()):
                if tree["models"][m]["params"].get(name) != params_now[m].get(name):
                    raise ScenarioError(f"{path}: events.{k}.set: models.{m}.params.{name} is fixed for a run; "
                                        "expected no change")
        params_now = [t["params"] for t in tree["models"]]
        result.append((event.at_s, k, validated))
    return result


def available_memory_bytes() -> int:
    """Memory the machine has available now (Linux MemAvailable, else physical memory)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2**62


def estimate_bytes(grid: RasterGrid, loaded: LoadedScenario) -> int:
    """Memory a run needs, estimated from the declarations before anything is allocated.

    Each model's declared fields (class-level, at most 16 per model assumed where the model
    declares them per instance), its own ``estimate_bytes`` scratch, and for every output
    field a running-maximum buffer and a write buffer.
    """
    cell_bytes = grid.size * grid.float_dtype.itemsize
    total = 0
    for model_cfg, params in zip(loaded.config.models, loaded.model_params):
        cls = registry.model_class(model_cfg.kind)
        declared = getattr(cls, "fields", None)
        n_fields = len(declared) if isinstance(declared, tuple) else 16
        total += n_fields * cell_bytes
        if hasattr(cls, "estimate_bytes"):
            total += int(cls.estimate_bytes(grid, params))
    n_out = sum(len(o.fields) for o in loaded.config.outputs)
    total += 2 * n_out * cell_bytes
    return total


def check_memory(path: Path, grid: RasterGrid, loaded: LoadedScenario) -> None:
    need = estimate_bytes(grid, loaded)
    have = available_memory_bytes()
    if need > MEMORY_SHARE * have:
        raise ScenarioError(
            f"{path}: grid.shape: {list(grid.shape)} needs about {need / 2**30:.1f} GiB, "
            f"more than {MEMORY_SHARE:.0%} of the {have / 2**30:.1f} GiB available; "
            "expected a smaller grid or a coarser grid.spacing_m"
        )


def check_outputs(path: Path, loaded: LoadedScenario, produced: dict[str, FieldSpec]) -> None:
    """Every field named by an output must be written by some model at cells."""
    for k, output in enumerate(loaded.config.outputs):
        for name in output.fields:
            if name not in produced:
                have = ", ".join(sorted(produced)) or "none"
                raise ScenarioError(
                    f"{path}: outputs.{k}.fields: no model produces {name!r} (produced: {have})"
                )
            at = produced[name].at
            if output.kind == "netcdf" and at not in ("cell", "global"):
                hint = '; write agent fields with kind = "trajectories"' if at == "agent" else ""
                raise ScenarioError(f"{path}: outputs.{k}.fields: {name!r} is not a cell or global field{hint}")
            if output.kind == "trajectories" and at != "agent":
                raise ScenarioError(f"{path}: outputs.{k}.fields: {name!r} is not an agent field; expected agent "
                                    "fields (agent_x, agent_y, ...) in a trajectories output")
        if output.kind == "trajectories":
            from sim.io.trajectories import REQUIRED

            missing = [name for name in REQUIRED if name not in produced or produced[name].at != "agent"]
            if missing:
                raise ScenarioError(f"{path}: outputs.{k}: a trajectories output needs agents; no model produces "
                                    f"{', '.join(missing)}")
        if output.times_s and max(output.times_s) > loaded.config.time.stop_s:
            raise ScenarioError(f"{path}: outputs.{k}.times_s: a time is after time.stop_s")
    if not math.isfinite(loaded.config.time.stop_s):
        raise ScenarioError(f"{path}: time.stop_s: expected a finite number")
    # A run that can never finish is bad input too: cap the output times and the steps.
    stop = loaded.config.time.stop_s
    for k, output in enumerate(loaded.config.outputs):
        if output.every_s is not None and stop / output.every_s > MAX_OUTPUT_TIMES:
            raise ScenarioError(f"{path}: outputs.{k}.every_s: {output.every_s:g} s gives more than "
                                f"{MAX_OUTPUT_TIMES:g} output times; expected at least {stop / MAX_OUTPUT_TIMES:g} s")
    if stop / loaded.config.time.dt_max_s > MAX_STEPS:
        raise ScenarioError(f"{path}: time.dt_max_s: {loaded.config.time.dt_max_s:g} s gives more than "
                            f"{MAX_STEPS:g} steps; expected at least {stop / MAX_STEPS:g} s")
