"""The ``hazsim`` command: run | check | ensemble | list | validate | bench.

Bad input of any kind ends with one line on stderr naming the file, key or value and
what was expected, and exit status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage block
        print(f"hazsim: error: {message} (see hazsim --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _add_scenario_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario TOML file, or the name of a bundled scenario")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario key, e.g. --set time.stop_s=600 (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hazsim", description="Physics-based synthetic data for disaster and safety AI.")
    parser.add_argument("--version", action="version", version=f"hazsim {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run a scenario into a run folder")
    _add_scenario_args(p)
    p.add_argument("-o", "--output", type=Path, help="run folder (default: runs/<name>_<UTC time>)")
    p.add_argument("--seed", type=int, help="random seed (overrides scenario.seed)")
    p.add_argument("--threads", type=int, help="Numba threads (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("check", help="validate a scenario without running it")
    _add_scenario_args(p)

    p = sub.add_parser("ensemble", help="run an ensemble of sampled scenarios (resumable)")
    p.add_argument("file", help="ensemble TOML file, or the name of a bundled ensemble")
    p.add_argument("-o", "--output", type=Path, help="ensemble folder (default: ensembles/<name>); "
                   "running again on it resumes")
    p.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://host:8786 "
                   "(its workers must see the ensemble folder at the same path)")
    p.add_argument("--serial", action="store_true", help="run the members in this process, without Dask")
    p.add_argument("--check", action="store_true", help="validate the file and every member, run nothing")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    sub.add_parser("list", help="list models, bundled scenarios, validation cases and benchmarks")

    p = sub.add_parser("validate", help="compare a model with a measured event")
    p.add_argument("name", nargs="?", help="validation case (omit to list them)")
    p.add_argument("-o", "--output", type=Path, help="folder for the figure (default: runs/validate_<name>)")
    p.add_argument("--quick", action="store_true", help="a small subset, as run in the tests")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("bench", help="measure throughput")
    p.add_argument("name", nargs="?", help="benchmark (omit to list them)")
    p.add_argument("--quick", action="store_true", help="a shorter measurement")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _version() -> str:
    import sim

    return sim.__version__


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sim.scenario.load import ScenarioError

    try:
        return COMMANDS[args.command](args)
    except ScenarioError as exc:
        print(f"hazsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def cmd_run(args: argparse.Namespace) -> int:
    from sim.paths import resolve_scenario
    from sim.run import run_scenario
    from sim.scenario.load import load_scenario

    loaded = load_scenario(resolve_scenario(args.scenario), args.overrides, seed=args.seed)
    result = run_scenario(loaded, out_dir=args.output, threads=args.threads, progress=not args.quiet)
    print(f"run folder: {result.run_dir}")
    print(f"status: {result.status}" + (f" ({result.reason})" if result.reason else ""))
    for line in result.summary:
        print(f"  {line}")
    if result.status == "failed":
        print(f"hazsim: error: {result.reason}", file=sys.stderr)
    return result.exit_code


def cmd_check(args: argparse.Namespace) -> int:
    from sim.paths import resolve_scenario
    from sim.run import check_run
    from sim.scenario.load import load_scenario

    loaded = load_scenario(resolve_scenario(args.scenario), args.overrides)
    models, sensor_groups = check_run(loaded)
    grid = loaded.grid
    n_sensors = sum(len(g.ids) for g in sensor_groups)
    print(f"{loaded.path}: ok: scenario {loaded.config.scenario.name!r}, grid {grid.ny}x{grid.nx} "
          f"at {grid.dy:g}x{grid.dx:g} m, {len(models)} model(s): {', '.join(m.name for m in models)}, "
          f"{len(loaded.events)} event(s), {n_sensors} sensor(s), {len(loaded.config.faults)} fault(s), "
          f"config sha256 {loaded.sha256()[:12]}")
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    from sim.ensemble import execute
    from sim.paths import resolve_ensemble

    if args.workers is not None and args.workers < 1:
        print(f"hazsim: error: --workers: expected a number of at least 1, got {args.workers}", file=sys.stderr)
        return EXIT_BAD_INPUT
    ensemble = execute.load(resolve_ensemble(args.file))
    strata = {}
    for member in ensemble.members:
        strata[member.stratum] = strata.get(member.stratum, 0) + 1
    shares = ", ".join(f"{name} {count}" for name, count in strata.items())
    print(f"ensemble {ensemble.name!r}: {len(ensemble.members)} members of {ensemble.base.name} ({shares}), "
          f"{ensemble.spec.ensemble.sampling.replace('_', ' ')} sampling, plan {ensemble.sha256[:12]}")
    if args.check:
        return 0
    folder = args.output or Path("ensembles") / ensemble.name
    result = execute.run_ensemble(ensemble, folder, workers=args.workers, scheduler=args.scheduler,
                                  serial=args.serial, progress=not args.quiet)
    counts = {}
    for status in result.statuses.values():
        counts[status] = counts.get(status, 0) + 1
    print(f"ensemble folder: {result.folder}")
    print("members: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
          + f" ({result.skipped} already complete)")
    if result.ran:
        print(f"ran {result.ran} members in {result.wall_time_s:.1f} s: "
              f"{result.ran / result.wall_time_s * 3600:.0f} members/hour")
    print(f"catalog: {result.folder / 'catalog.csv'}; dataset description: {result.folder / 'dataset.json'}")
    if result.interrupted:
        print("hazsim: interrupted: run the same command again to resume", file=sys.stderr)
    return result.exit_code


def cmd_list(args: argparse.Namespace) -> int:
    from sim.bench import BENCHES
    from sim.paths import bundled_scenarios
    from sim.scenario.registry import model_kinds
    from validation import CASES

    print("models:")
    for kind in model_kinds():
        print(f"  {kind}")
    from sim.render.instruments import instrument_kinds

    print("sensor kinds:")
    print("  " + ", ".join(instrument_kinds()))
    print("scenarios:")
    for name, path in bundled_scenarios().items():
        print(f"  {name:32s} {_scenario_description(path)}")
    from sim.paths import bundled_ensembles

    print("ensembles:")
    for name, path in bundled_ensembles().items():
        print(f"  {name}")
    print("validation cases:")
    for name in sorted(CASES):
        print(f"  {name}")
    print("benchmarks:")
    for name in sorted(BENCHES):
        print(f"  {name}")
    return 0


def _scenario_description(path: Path) -> str:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["scenario"].get("description", "")
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "(unreadable)"


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.io.data import DataUnavailable
    from validation import CASES

    if not args.name:
        print("\n".join(sorted(CASES)))
        return 0
    if args.name not in CASES:
        print(f"hazsim: error: validate: unknown case {args.name!r} (expected one of: {', '.join(sorted(CASES))})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    out_dir = args.output or Path("runs") / f"validate_{args.name}"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"hazsim: error: {out_dir}: output folder cannot be written ({exc.strerror})", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = CASES[args.name](out_dir=out_dir, quick=args.quick)
    except DataUnavailable as exc:
        print(f"hazsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps({"name": result.name, "figures": result.figures, "units": result.units,
                          "passed": result.passed}))
    else:
        print(result.table)
        for path in result.artifacts:
            print(f"saved {path}")
        print("PASSED" if result.passed else "FAILED: outside the acceptance criteria")
    return 0 if result.passed else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from sim.bench import BENCHES, bench_function

    if not args.name:
        print("\n".join(sorted(BENCHES)))
        return 0
    if args.name not in BENCHES:
        print(f"hazsim: error: bench: unknown benchmark {args.name!r} (expected one of: {', '.join(sorted(BENCHES))})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    figures = bench_function(args.name)(quick=args.quick)
    if args.json:
        print(json.dumps({"name": args.name, "figures": {k: v for k, (v, _) in figures.items()},
                          "units": {k: u for k, (_, u) in figures.items()}, "passed": True}))
    else:
        width = max(len(k) for k in figures)
        print(f"benchmark {args.name}")
        for key, (value, unit) in figures.items():
            print(f"  {key:{width}s}  {value:14.4g}  {unit}")
    return 0


COMMANDS = {"run": cmd_run, "check": cmd_check, "ensemble": cmd_ensemble, "list": cmd_list, "validate": cmd_validate, "bench": cmd_bench}


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
