"""The crowd model (RiMEA tests: test_rimea.py): an exit closing mid-run, the fields, trajectories,
reproducibility, Tobler's slope factor, the quickest exit choice and arrivals into a full area."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.crowd.geometry import point_segment_distance
from models.crowd.model import Crowd, CrowdParams, tobler_ratio
from sim.grid import RasterGrid

from crowd_runs import build, run

CORRIDOR = [[(0, 0), (40, 0), (40, 2), (0, 2)]]


def corridor(slope=(0.0, 0.0), speed=1.33):
    params = {"geometry": {"walkable_m": CORRIDOR}, "exits": [{"name": "end", "line_m": [(40, 0), (40, 2)]}],
              "sources": [{"box_m": (0.2, 0.9, 0.3, 1.1), "count": 1, "desired_speed_m_s": speed,
                           "radius_m": 0.25}], "slope": slope}
    return build(params, RasterGrid(shape=(8, 160), spacing_m=(0.25, 0.25)))


def test_closing_an_exit_sends_everyone_to_the_other():
    params = {"geometry": {"walkable_m": [[(0, 0), (100, 0), (100, 6), (0, 6)]]},
              "exits": [{"name": "west", "line_m": [(0, 0), (0, 6)]}, {"name": "east", "line_m": [(100, 0), (100, 6)]}],
              "sources": [{"box_m": (45.0, 0.0, 55.0, 6.0), "count": 20}], "dt_s": 0.02}
    model, state = build(params, RasterGrid(shape=(12, 200), spacing_m=(0.5, 0.5)), seed=5)
    t = run(model, state, 20.0)
    assert model.report()["evacuated"] == 0  # nobody can have walked 45 m yet
    went_east = np.count_nonzero(model.ex[model.agents.active] > 0)
    assert 0 < went_east < 20
    # The event, as Simulation applies it: new validated params between steps.
    model.params = CrowdParams.model_validate({**params, "closed_exits": ["east"]})
    run(model, state, 150.0, t=t)
    report = model.report()
    assert report["evacuated_by_exit"] == {"west": 20, "east": 0}
    assert report["present"] == 0


def test_fields_density_integral_and_empty_slots():
    params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 10), (0, 10)]]},
              "exits": [{"name": "door", "line_m": [(10, 4), (10, 6)]}],
              "sources": [{"box_m": (3.0, 3.0, 7.0, 7.0), "count": 30},
                          {"box_m": (1.0, 1.0, 2.0, 2.0), "rate_per_s": 1.0, "start_s": 0.0, "end_s": 2.0}]}
    grid = RasterGrid(shape=(64, 64), spacing_m=(0.25, 0.25), origin_m=(-3.0, -3.0))
    model, state = build(params, grid)
    assert model.agent_capacity > 30 and state["agent_x"].shape == (model.agent_capacity,)
    run(model, state, 1.0)
    model.diagnose(state, 1.0)
    n = model.agents.count
    assert n == int(state["agents_present"])
    assert state["crowd_density"].sum() * grid.cell_area_m2 == pytest.approx(n, rel=1e-3)
    present = np.isfinite(state["agent_x"])
    assert present.sum() == n
    for name in ("agent_id", "agent_y", "agent_vx", "agent_speed", "agent_compression", "agent_injury_risk"):
        assert np.all(np.isnan(state[name][~present])), name
        assert np.all(np.isfinite(state[name][present])), name
    assert set(state["agent_id"][present].astype(int)) == set(model.agents.id[model.agents.active].tolist())
    assert state["crowd_level_of_service"].max() >= 1
    assert np.isnan(state["floor_field_time"]).any() and np.nanmin(state["floor_field_time"]) < 0.5


def test_trajectories_follow_each_person(tmp_path):
    xr = pytest.importorskip("xarray")
    from sim.fields import FieldView
    from sim.io.trajectories import TrajectoryWriter

    params = {"geometry": {"walkable_m": [[(0, 0), (8, 0), (8, 4), (0, 4)]]},
              "exits": [{"name": "door", "line_m": [(8, 1), (8, 3)]}],
              "sources": [{"box_m": (0.5, 0.5, 4.0, 3.5), "count": 10}]}
    model, state = build(params, RasterGrid(shape=(8, 16), spacing_m=(0.5, 0.5)))
    view = FieldView(state)
    writer = TrajectoryWriter(tmp_path / "trajectories.nc", ["agent_id", "agent_x", "agent_y", "agent_speed"], None,
                              every_s=0.5, start_datetime="2026-01-01T00:00:00", global_attrs={})
    writer.open(view)
    t = 0.0
    writer.write(view, t)
    for _ in range(30):
        t = run(model, state, t + 0.5, t=t)
        model.diagnose(state, t)
        writer.write(view, t)
    writer.close()
    ds = xr.open_dataset(tmp_path / "trajectories.nc", decode_times=False)
    assert ds.sizes["trajectory"] == 10
    index = ds["trajectory_index"].values
    for k in range(10):
        obs = index == k
        times, x, y = ds["time"].values[obs], ds["x"].values[obs], ds["y"].values[obs]
        assert np.all(np.diff(times) > 0)
        assert np.all(np.hypot(np.diff(x), np.diff(y)) <= 0.5 * 1.3 * 2.0 + 1e-9)  # speed cap
    assert model.report()["evacuated"] == 10  # 15 s are enough to leave an 8 m room
    assert (tmp_path / "trajectories.txt").read_text().startswith("# framerate: 2")


def room(seed):
    params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 10), (0, 10)]]},
              "exits": [{"name": "door", "line_m": [(10, 4), (10, 6)]}],
              "sources": [{"box_m": (1.0, 1.0, 9.0, 9.0), "count": 40}]}
    model, state = build(params, RasterGrid(shape=(20, 20), spacing_m=(0.5, 0.5)), seed=seed)
    run(model, state, 2.0)
    a = model.agents
    return a.x[a.active].copy(), a.y[a.active].copy()


def test_reproducible_with_the_seed():
    x1, y1 = room(7)
    x2, y2 = room(7)
    x3, _ = room(8)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.shape != x3.shape or not np.array_equal(x1, x3)


@pytest.mark.parametrize("slope,expected", [((0.0, 0.0), 1.0), ((0.1, 0.0), math.exp(-0.35)),
                                            ((-0.05, 0.0), math.exp(0.175))])
def test_slope_scales_free_walking_speed_by_tobler(slope, expected):
    assert tobler_ratio(np.array([slope[0]]))[0] == pytest.approx(expected)
    model, state = corridor(slope=slope, speed=1.2)
    samples = []

    def sample(before, t):
        if 5.0 < t <= 15.0 and model.agents.count:
            samples.append(float(model.agents.vx[model.agents.active][0]))

    run(model, state, 15.0, each=sample)
    speed = float(np.mean(samples))
    print(f"\nslope {slope}: {speed:.4f} m/s, Tobler {1.2 * expected:.4f}")
    assert speed == pytest.approx(1.2 * expected, rel=0.02)


def test_capacity_bound_and_refusal():
    base = {"geometry": {"walkable_m": CORRIDOR}, "exits": [{"name": "end", "line_m": [(40, 0), (40, 2)]}]}
    p = CrowdParams.model_validate({**base, "sources": [{"box_m": (0, 0, 1, 2), "count": 3, "rate_per_s": 2.0,
                                                         "end_s": 50.0}]})
    assert p.sources[0].slots == 3 + math.ceil(1.5 * 100 + 10 * 10) + 1
    with pytest.raises(ValueError):
        CrowdParams.model_validate({**base, "sources": [{"box_m": (0, 0, 1, 2), "rate_per_s": 1000.0,
                                                         "end_s": 3600.0}]})
    with pytest.raises(ValueError):  # arrivals need an end
        CrowdParams.model_validate({**base, "sources": [{"box_m": (0, 0, 1, 2), "rate_per_s": 1.0}]})


def test_fluctuating_force_gives_the_ornstein_uhlenbeck_velocity_spread():
    """A walker driven by white noise xi (standard deviation sigma per component, held over each
    step dt) relaxes with rate 1/tau: the lateral velocity is an Ornstein-Uhlenbeck process with
    stationary standard deviation (sigma / m) sqrt(tau dt / 2). Ten walkers in lanes 3 m apart
    (out of each other's reach), 40 s, the first 3 s dropped: within 10 %. Same seed, same run."""
    sigma, mass, tau, dt, lanes = 100.0, 80.0, 0.5, 0.01, 10
    params = {"geometry": {"walkable_m": [[(0, 0), (80, 0), (80, 3 * lanes), (0, 3 * lanes)]]},
              "exits": [{"name": "end", "line_m": [(80, 0), (80, 3 * lanes)]}],
              "sources": [{"box_m": (0.5, 3 * k + 1.4, 0.6, 3 * k + 1.6), "count": 1, "desired_speed_m_s": 1.3,
                           "radius_m": 0.25, "mass_kg": mass, "relaxation_time_s": tau} for k in range(lanes)],
              "operational_model": "social_force", "social_force": {"fluctuation_n": sigma}, "dt_s": dt}
    grid = RasterGrid(shape=(4 * lanes, 80), spacing_m=(0.75, 1.0))
    samples = []
    model, state = build(params, grid, seed=5)
    run(model, state, 40.0, each=lambda before, t: samples.append(model.agents.vy.copy()) if t > 3.0 else None)
    expected = sigma / mass * math.sqrt(tau * dt / 2.0)
    measured = float(np.std(np.array(samples)))
    assert measured == pytest.approx(expected, rel=0.10)
    again, state = build(params, grid, seed=5)
    run(again, state, 1.0)
    first, state = build(params, grid, seed=5)
    run(first, state, 1.0)
    assert np.array_equal(again.agents.vy, first.agents.vy) and np.any(again.agents.vy != 0.0)


def test_exit_choice_keys_are_validated_and_cost_one_field_per_exit():
    base = {"geometry": {"walkable_m": CORRIDOR}, "sources": [{"box_m": (0, 0, 1, 2), "count": 1}],
            "exits": [{"name": "west", "line_m": [(0, 0), (0, 2)]}, {"name": "east", "line_m": [(40, 0), (40, 2)]}]}
    for bad in ({"exit_choice": "fastest"}, {"route_choice_interval_s": 0.0}, {"route_switch_gain": 1.0},
                {"specific_flow_per_m_s": -1.0}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            CrowdParams.model_validate({**base, **bad})
    grid = RasterGrid(shape=(8, 160), spacing_m=(0.25, 0.25))
    nearest = Crowd.estimate_bytes(grid, CrowdParams.model_validate({**base, "exit_choice": "nearest"}))
    quickest = Crowd.estimate_bytes(grid, CrowdParams.model_validate({**base, "exit_choice": "quickest"}))
    assert quickest - nearest == 2 * 15 * grid.size * 8  # two exit fields and their filled T_k


def hall_with_a_queue(queue: int, exit_choice: str = "quickest"):
    """A 30 m x 6 m hall with 1 m exits A (west) and B (east); ``queue`` persons waiting (30 s of
    pre-movement) within 4 m of A, and a walker at x = 10 m: 10 m from A, 20 m from B."""
    params = {"geometry": {"walkable_m": [[(0, 0), (30, 0), (30, 6), (0, 6)]]},
              "exits": [{"name": "A", "line_m": [(0, 2.5), (0, 3.5)]}, {"name": "B", "line_m": [(30, 2.5), (30, 3.5)]}],
              "sources": [{"box_m": (0.3, 0.3, 4.0, 5.7), "count": queue, "pre_movement_s": 30.0},
                          {"box_m": (9.95, 2.95, 10.05, 3.05), "count": 1, "desired_speed_m_s": 1.34,
                           "radius_m": 0.25}], "dt_s": 0.02, "exit_choice": exit_choice}
    return build(params, RasterGrid(shape=(12, 60), spacing_m=(0.5, 0.5)), seed=4)


@pytest.mark.parametrize("queue,switches", [(5, False), (30, True)])
def test_a_walker_reroutes_around_a_long_queue_only(queue, switches):
    """Quickest exit choice, t_k = T_k / v0 + Q_k / C_k with C = 1.8 P/s for the 1 m exits. The walker
    first heads for the nearer exit A (nobody heads anywhere yet). With 5 persons queueing at A:
    t_A = 10 / 1.34 + 5 / 1.8 = 10.2 s < t_B = 20 / 1.34 = 14.9 s, they keep A; with 30:
    t_A = 24.1 s, B is quicker by far more than the threshold (10 %, 1 s) and they turn round
    within one re-estimation interval (1 s). The waiting persons, a few steps from A, keep A.
    Choosing the nearest exit, the walker keeps A whatever the queue. Same seed, same run."""
    model, state = hall_with_a_queue(queue)
    walker = int(np.flatnonzero(model.agents.id == queue)[0])
    t = run(model, state, 0.02)
    assert model.choice[walker] == 0 and model.ex[walker] < 0  # A first
    run(model, state, 2.5, t=t)
    print(f"\nqueue of {queue}: walker heads for {'AB'[model.choice[walker]]}, "
          f"{model.report()['route_switches']} route switches")
    assert model.choice[walker] == (1 if switches else 0)
    assert (model.ex[walker] > 0) == switches
    assert np.all(model.choice[:queue] == 0)
    assert model.report()["route_switches"] == int(switches)
    if switches:
        again, state = hall_with_a_queue(queue)
        run(again, state, 2.5)
        assert np.array_equal(again.choice, model.choice) and np.array_equal(again.agents.x, model.agents.x)
        nearest, state = hall_with_a_queue(queue, "nearest")
        run(nearest, state, 2.5)
        assert nearest.ex[walker] < 0 and nearest.agents.x[walker] < 10.0


def test_arrivals_into_a_full_area_wait_and_enter_when_room_frees():
    """A 2 m x 2 m source area receiving 20 arrivals/s for 5 s fills (at most about 4 m2 x 0.55
    (random packing) / (pi 0.25^2) = 11 bodies at once, less the walls' margin) and the rest wait;
    the area's persons walk off (v0 > 0), so room frees: once the arrivals end the queue only
    shrinks, every arrival enters, none dropped, with no two bodies overlapping on entry."""
    params = {"geometry": {"walkable_m": [[(0, 0), (20, 0), (20, 4), (0, 4)]]},
              "exits": [{"name": "end", "line_m": [(20, 0), (20, 4)]}],
              "sources": [{"box_m": (0.0, 1.0, 2.0, 3.0), "rate_per_s": 20.0, "start_s": 0.0, "end_s": 5.0}],
              "dt_s": 0.02}
    model, state = build(params, RasterGrid(shape=(8, 40), spacing_m=(0.5, 0.5)), seed=9)
    waiting, overlaps = [], []

    def watch(before, t):
        waiting.append(model.report()["waiting_to_enter"])
        a = model.agents
        new = a.active & ~(before[3] & (before[2] == a.id))
        if new.any():
            live = np.flatnonzero(a.active)
            for s in np.flatnonzero(new):
                d = np.hypot(a.x[live] - a.x[s], a.y[live] - a.y[s])
                overlaps.append(np.any((d < a.radius[live] + a.radius[s] - 0.05) & (live != s)))

    run(model, state, 60.0, each=watch)
    r = model.report()
    print(f"\nfull area: {model.spawned} entered, most waiting at once {max(waiting)}, evacuated {r['evacuated']}")
    assert max(waiting) > 10  # the area was full
    after = np.array(waiting[int(round(5.0 / 0.02)):])
    assert np.all(np.diff(after) <= 0) and after[-1] == 0
    assert r["waiting_to_enter"] == 0 and r["arrivals_dropped"] == 0
    assert r["evacuated"] == model.spawned > 70  # Poisson(100)
    assert not any(overlaps)


def test_wall_contact_load_field_carries_the_wall_load():
    """Twenty-five persons in a panic (v0 = 5 m/s, HFV 2000) pressing through a 0.6 m door out of a
    4 m x 4 m room: the wall contact line load (N/m) summed over the cells times the cell side
    equals the walls' contact loads of the kernel's diagnostics (N, positions a sub-step older),
    and lies on cells along walls only."""
    params = {"geometry": {"walkable_m": [[(0, 0), (4, 0), (4, 1.7), (5, 1.7), (5, 2.3), (4, 2.3), (4, 4),
                                           (0, 4)]]},
              "exits": [{"name": "out", "line_m": [(5, 1.7), (5, 2.3)]}], "operational_model": "social_force",
              "sources": [{"box_m": (0.3, 0.3, 3.7, 3.7), "count": 25, "desired_speed_m_s": 5.0}]}
    grid = RasterGrid(shape=(16, 20), spacing_m=(0.25, 0.25))
    model, state = build(params, grid, seed=3)
    run(model, state, 4.0)
    model.diagnose(state, 4.0)
    load = np.asarray(state["wall_contact_load"])
    expected = float(model.buffers.wall_load.sum())
    assert expected > 500.0
    assert load.sum() * 0.25 == pytest.approx(expected, rel=0.05)
    x = grid.x0 + (np.arange(grid.nx) + 0.5) * grid.dx
    y = grid.y0 + (np.arange(grid.ny) + 0.5) * grid.dy
    X, Y = np.meshgrid(x, y)
    segments = model.geometry.segments
    distance = np.min([[point_segment_distance(*sg, px, py) for sg in segments] for px, py in
                       zip(X.ravel(), Y.ravel())], axis=1).reshape(X.shape)
    assert np.all(load[distance > 0.25 * math.sqrt(2) / 2 + 1e-9] == 0.0)


def test_small_bodies_in_an_exit_cell_still_reach_the_exit():
    """On a coarse grid the cells at a door have no travel-time descent (e = 0 there); a body
    narrower than the cell that stops in one (centre farther than r from the door line) must
    still walk the last bit: everyone leaves a room through a 1 m door on 0.5 m cells."""
    params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 10), (0, 10)]]},
              "exits": [{"name": "door", "line_m": [(10, 4.5), (10, 5.5)]}],
              "sources": [{"box_m": (0.5, 0.5, 7.0, 9.5), "count": 40, "desired_speed_m_s": 1.0,
                           "radius_m": 0.15}], "dt_s": 0.02}
    model, state = build(params, RasterGrid(shape=(20, 20), spacing_m=(0.5, 0.5)), seed=8)
    run(model, state, 120.0)
    assert model.report()["evacuated"] == 40


def test_a_person_walks_on_past_a_line_exit_counted_once_then_leaves():
    """Counted out when the body touches the exit line, then walking on along its normal (away
    from the side they came from) at v0, and gone once exit_walk_on_m beyond: never counted twice."""
    model, state = corridor()
    a = model.agents
    t = 0.0
    while model.report()["evacuated"] == 0:
        t = run(model, state, t + 0.01, t=t)
    slot = int(np.flatnonzero(a.active)[0])
    assert model.report()["present"] == 0 and a.count == 1  # counted out, still a body
    model.diagnose(state, t)
    assert int(state["agents_present"]) == 0 and np.isfinite(state["agent_x"][slot])
    x_counted = a.x[slot]
    assert x_counted == pytest.approx(40.0 - 0.25, abs=0.02)  # the body touches the line
    assert model.exit_times["end"][0] == pytest.approx(t)
    t = run(model, state, t + 1.0, t=t)
    assert a.active[slot] and a.vx[slot] == pytest.approx(1.33) and a.vy[slot] == 0.0
    assert a.x[slot] == pytest.approx(x_counted + 1.33, abs=0.02)  # beyond the line, outside the plan
    t = run(model, state, t + 1.5, t=t)
    assert not a.active[slot]  # 3 m beyond: left the model
    assert model.report()["evacuated"] == 1 and len(model.exit_times["end"]) == 1


def test_walking_on_is_away_from_the_side_persons_came_from():
    """One line exit across the middle of a corridor, persons coming from both ends: each walks on
    to the far side of the line from where they came."""
    params = {"geometry": {"walkable_m": CORRIDOR}, "exits": [{"name": "middle", "line_m": [(20, 0), (20, 2)]}],
              "sources": [{"box_m": (14.0, 0.5, 15.0, 1.5), "count": 1, "desired_speed_m_s": 1.2},
                          {"box_m": (25.0, 0.5, 26.0, 1.5), "count": 1, "desired_speed_m_s": 1.2}]}
    model, state = build(params, RasterGrid(shape=(8, 160), spacing_m=(0.25, 0.25)))
    a = model.agents
    west, east = (int(s) for s in np.flatnonzero(a.active)[np.argsort(a.x[a.active])])
    run(model, state, 7.0)
    assert model.report()["evacuated"] == 2
    assert a.active[west] and a.active[east]
    assert a.x[west] > 20.0 and a.vx[west] > 1.0  # came from the west, walks on east
    assert a.x[east] < 20.0 and a.vx[east] < -1.0


def test_closing_an_exit_removes_those_walking_on_behind_it():
    model, state = corridor()
    t = 0.0
    while model.report()["evacuated"] == 0:
        t = run(model, state, t + 0.01, t=t)
    assert model.agents.count == 1
    model.params = model.params.model_copy(update={"closed_exits": ["end"]})
    run(model, state, t + 0.01, t=t)
    assert model.agents.count == 0 and model.report()["evacuated"] == 1


def test_polygon_exits_remove_persons_at_once():
    params = {"geometry": {"walkable_m": CORRIDOR},
              "exits": [{"name": "stairwell", "polygon_m": [(38, 0), (40, 0), (40, 2), (38, 2)]}],
              "sources": [{"box_m": (0.2, 0.9, 0.3, 1.1), "count": 1, "desired_speed_m_s": 1.33}]}
    model, state = build(params, RasterGrid(shape=(8, 160), spacing_m=(0.25, 0.25)))
    run(model, state, 40.0)
    assert model.report()["evacuated"] == 1 and model.agents.count == 0


@pytest.mark.parametrize("walk_on_m, low, high", [(3.0, 1.6, 2.5), (0.0, 4.0, np.inf)])
def test_a_door_in_a_thin_wall_passes_the_measured_flow_when_persons_walk_on(walk_on_m, low, high):
    """150 persons leave a 10 m x 10 m room through a 1.2 m door in its wall (the collision-free
    speed model's defaults). Kretz et al. (2006) measured about 1.8 persons/(m s) through such a
    door. Walking on past it the model passes 2.0; removed on the door line, each person takes the
    one ahead away and the door has no capacity of its own (more than 4)."""
    from validation.crowd_measures import flow_between_fractions

    params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 10), (0, 10)]]},
              "exits": [{"name": "door", "line_m": [(10, 4.4), (10, 5.6)]}],
              "operational_model": "collision_free_speed", "exit_walk_on_m": walk_on_m,
              "sources": [{"box_m": (0.3, 0.3, 9.0, 9.7), "count": 150}]}
    model, state = build(params, RasterGrid(shape=(44, 44), spacing_m=(0.25, 0.25), origin_m=(-0.5, -0.5)), seed=1)
    run(model, state, 200.0)
    times = np.sort(model.exit_times["door"])
    assert times.size == 150
    specific_flow = flow_between_fractions(times) / 1.2
    print(f"\nexit_walk_on_m {walk_on_m}: J/b = {specific_flow:.2f} 1/(m s)")
    assert low <= specific_flow <= high


def test_a_body_beside_a_door_is_not_through_it():
    """A line exit counts a body that touches it from straight in front (its centre within r of the
    line, its foot on the door). A body beside the door, whose edge only reaches the door's end past
    the wall it is cut into, is not through: counted there, it walked on into that wall and stood
    against it for up to 30 s, blocking the door (the corridor runs of crowd_fundamental)."""
    from models.crowd.model import _in_doorway

    door = np.array([[10.0, 4.5, 10.0, 5.5]])
    # beside the door (foot below its end), in the doorway, in it but too far, and past its far end
    x = np.array([9.82, 9.82, 9.70, 9.82])
    y = np.array([4.35, 4.60, 5.00, 5.65])
    r = np.full(4, 0.25)
    assert np.all(np.hypot(x[[0, 3]] - 10.0, y[[0, 3]] - np.array([4.5, 5.5])) < r[[0, 3]])  # the ends are touched
    inside = np.empty(4, dtype=np.bool_)
    _in_doorway(x, y, r, door, inside)
    assert inside.tolist() == [False, True, False, False]

    params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 10), (0, 10)]]},
              "exits": [{"name": "door", "line_m": [(10, 4.5), (10, 5.5)]}],
              "operational_model": "collision_free_speed",
              "sources": [{"box_m": (5.0, 2.0, 5.5, 2.5), "count": 1, "desired_speed_m_s": 0.0, "radius_m": 0.25}]}
    for (px, py), counted in (((9.82, 4.35), 0), ((9.82, 4.6), 1)):
        model, state = build(params, RasterGrid(shape=(44, 44), spacing_m=(0.25, 0.25), origin_m=(-0.5, -0.5)))
        slot = int(np.flatnonzero(model.agents.active)[0])
        model.agents.x[slot], model.agents.y[slot] = px, py
        run(model, state, 0.02)
        assert model.report()["evacuated"] == counted
