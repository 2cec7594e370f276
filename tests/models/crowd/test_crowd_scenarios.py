"""The bundled crowd scenarios with exits that close or open mid-run: the people re-route.

Each runs the crowd model alone (no renderers) on the bundled scenario's own plan, with the
scenario's own events applied as the simulation applies them (validated params swapped in
between steps), on a coarser time step and, for the hall, fewer people, so that it is fast.
"""

from __future__ import annotations

import numpy as np

from sim.fields import FieldSet
from sim.paths import bundled_scenarios
from sim.scenario import registry
from sim.scenario.load import load_scenario

DT = ["models.0.params.dt_s=0.02", "time.dt_max_s=0.02"]


def run_with_events(name: str, overrides: list[str], t_end: float):
    loaded = load_scenario(bundled_scenarios()[name], overrides)
    model = registry.model_class("crowd")(loaded.grid, loaded.model_params[0], np.random.default_rng(7))
    state = FieldSet.for_models(loaded.grid, [model])
    model.initialize(state)
    events = sorted(loaded.events, key=lambda e: e[0])
    assert events, f"{name} has no events"
    dt, t, k = model.params.dt_s, 0.0, 0
    done_arriving = max((s.end_s or 0.0) for s in model.params.sources)
    while t < t_end - 1e-9:
        while k < len(events) and events[k][0] <= t + 1e-9:
            model.params = events[k][2][0]
            k += 1
        model.step(state, t, dt)
        t += dt
        if k == len(events) and t > done_arriving and model.agents.count == 0 and not any(model._pending):
            break
    return model, [e[0] for e in events]


def test_hall_main_doors_blocked_at_60_s_everyone_reroutes_and_gets_out():
    # 600 of the scenario's 900 visitors: a queue still stands at the main doors at 60 s.
    model, (t_block,) = run_with_events("blocked_exit_evacuation",
                                        ["models.0.params.sources.0.count=600", *DT], 240.0)
    assert t_block == 60.0
    times = {name: np.array(v) for name, v in model.exit_times.items()}
    before = {name: int((v <= t_block).sum()) for name, v in times.items()}
    after = {name: int((v > t_block).sum()) for name, v in times.items()}
    print(f"\nbefore {t_block:g} s: {before}; after: {after}")
    assert before["main_doors"] > 0 and all(n > 0 for n in before.values())
    assert after["main_doors"] == 0  # closed: nobody leaves through it
    assert after["west_door"] + after["north_door"] > 0  # the re-routed queue
    report = model.report()
    assert report["evacuated"] == 600 and report["present"] == 0


def test_stadium_gate_c_unused_while_locked_then_used():
    model, (t_open,) = run_with_events("stadium_exit", DT, 160.0)
    assert t_open == 120.0
    c = np.array(model.exit_times["gate_c"])
    print(f"\ngate C: {c.size} by 160 s, first at {c.min() if c.size else None}")
    assert c.size > 0 and c.min() > t_open
    assert len(model.exit_times["gate_a"]) > 0 and len(model.exit_times["gate_b"]) > 0
