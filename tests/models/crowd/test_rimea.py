"""RiMEA tests (RiMEA 3.0; English text as kept in PedestrianDynamics/jupedsim
``systemtest/rimea_tests/test_description``) with their numeric pass bands.

Speeds: Weidmann (1993) flat 1.34 m/s; stairs (horizontal components) 0.610 m/s up and
0.694 m/s down. Test 1's band (26-34 s for 40 m at 1.33 m/s, i.e. -13.6 % / +13.0 % of
40 / 1.33) is applied to the stair tests as the same relative band around L / v_stair.
Scaled-down tests say so in their docstrings.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.crowd.forces_reference import crossings
from models.crowd.model import WEIDMANN_FLAT_M_S, CrowdParams
from models.crowd.params import WEIDMANN_STAIR_DOWN_M_S, WEIDMANN_STAIR_UP_M_S
from sim.grid import RasterGrid

from crowd_runs import build, run

# Test 1's band relative to its nominal time 40 m / 1.33 m/s.
BAND_LOW, BAND_HIGH = 26.0 / (40.0 / 1.33), 34.0 / (40.0 / 1.33)
# A flight 10 m long along its slope with 17 cm risers and 29 cm goings (2 r + g = 63 cm, the
# step rule of DIN 18065) covers 10 cos(atan(17 / 29)) = 8.63 m in plan.
STAIR_PLAN_M = 10.0 * math.cos(math.atan(0.17 / 0.29))
# Each RiMEA case runs for both operational models (the social force: RiMEA 12 an expected failure).
BOTH_MODELS = pytest.mark.parametrize("operational_model", ["social_force", "collision_free_speed"])


@BOTH_MODELS
def test_rimea_1_corridor_walking_time(operational_model):
    params = {"geometry": {"walkable_m": [[(0, 0), (40, 0), (40, 2), (0, 2)]]},
              "exits": [{"name": "end", "line_m": [(40, 0), (40, 2)]}],
              "sources": [{"box_m": (0.2, 0.9, 0.3, 1.1), "count": 1, "desired_speed_m_s": 1.33, "radius_m": 0.25}]}
    model, state = build({**params, "operational_model": operational_model},
                         RasterGrid(shape=(8, 160), spacing_m=(0.25, 0.25)))
    run(model, state, 60.0)
    t_exit = model.exit_times["end"][0]
    print(f"\nRiMEA 1: {t_exit:.2f} s (band 26-34 s)")
    assert 26.0 <= t_exit <= 34.0
    assert t_exit == pytest.approx(40.0 / 1.33, rel=0.03)
    assert model.report()["evacuated"] == 1


@BOTH_MODELS
@pytest.mark.parametrize("way,stair_speed", [("up", WEIDMANN_STAIR_UP_M_S), ("down", WEIDMANN_STAIR_DOWN_M_S)])
def test_rimea_2_3_stairs_walking_time(way, stair_speed, operational_model):
    """RiMEA 2 (up) and 3 (down): a person walking at 1.33 m/s on the flat crosses a 2 m wide
    flight 10 m long along its slope (8.63 m in plan) at Weidmann's horizontal stair speed.
    A 1 m landing before the flight lets them reach it at their free speed; the clock runs from
    the stair foot to the body touching the exit line at the top (bottom). In the social force
    the person slows down over tau = 0.5 s on entering, so they need tau (1.33 - v_s) / v_s less
    than L / v_s; the collision-free speed model (first order) takes the stair speed at once."""
    length = STAIR_PLAN_M
    up = (1.0, 0.0) if way == "up" else (-1.0, 0.0)
    params = {"geometry": {"walkable_m": [[(-1.5, 0), (length, 0), (length, 2), (-1.5, 2)]]},
              "exits": [{"name": "end", "line_m": [(length, 0), (length, 2)]}],
              "stairs": [{"box_m": (0.0, 0.0, length, 2.0), "up_direction": up}],
              "operational_model": operational_model,
              "sources": [{"box_m": (-1.05, 0.9, -0.95, 1.1), "count": 1, "desired_speed_m_s": 1.33,
                           "radius_m": 0.25}]}
    model, state = build(params, RasterGrid(shape=(8, 42), spacing_m=(0.25, 0.25), origin_m=(-1.5, 0.0)))
    entered = []

    def clock(before, t):
        if not entered and model.agents.count and model.agents.x[model.agents.active][0] >= 0.0:
            entered.append(t)

    run(model, state, 40.0, each=clock)
    on_stair = model.exit_times["end"][0] - entered[0]
    nominal = (length - 0.25) / stair_speed
    # Relaxing from 1.33 m/s to v_s with tau = 0.5 s walks tau (1.33 - v_s) further than at v_s.
    relaxed = nominal - 0.5 * (1.33 - stair_speed) / stair_speed
    print(f"\nRiMEA {2 if way == 'up' else 3}: {on_stair:.2f} s on the stair, nominal {nominal:.2f} s, "
          f"with the relaxation {relaxed:.2f} s "
          f"(band {BAND_LOW * nominal:.2f}-{BAND_HIGH * nominal:.2f} s)")
    assert BAND_LOW * nominal <= on_stair <= BAND_HIGH * nominal
    assert on_stair == pytest.approx(relaxed if operational_model == "social_force" else nominal, rel=0.03)


def test_stairs_follow_the_direction_of_travel_and_scale_with_the_person():
    """Down the same flight as RiMEA 2 (up_direction against the walk), and with
    ``scale_with_person`` a 1.0 m/s walker climbs at 0.610 * 1.0 / 1.34 m/s."""
    length = STAIR_PLAN_M
    base = {"geometry": {"walkable_m": [[(0, 0), (length, 0), (length, 2), (0, 2)]]},
            "exits": [{"name": "end", "line_m": [(length, 0), (length, 2)]}],
            "sources": [{"box_m": (1.0, 0.9, 1.1, 1.1), "count": 1, "desired_speed_m_s": 1.0, "radius_m": 0.25}]}
    grid = RasterGrid(shape=(8, 36), spacing_m=(0.25, 0.25))
    for stair, expected in [({"up_direction": (-1.0, 0.0)}, WEIDMANN_STAIR_DOWN_M_S),
                            ({"up_direction": (1.0, 0.0), "scale_with_person": True},
                             WEIDMANN_STAIR_UP_M_S / WEIDMANN_FLAT_M_S)]:
        model, state = build({**base, "stairs": [{"box_m": (0.0, 0.0, length, 2.0), **stair}]}, grid)
        samples = []
        run(model, state, 8.0, each=lambda before, t: samples.append(float(model.agents.vx[model.agents.active][0]))
            if t > 4.0 else None)
        assert np.mean(samples) == pytest.approx(expected, rel=0.01)


def test_rimea_5_pre_movement_times():
    """RiMEA 5: 10 persons in an 8 m x 5 m room with a 1 m exit, pre-movement times uniform in
    [10 s, 100 s]. Each must be walking (speed > 0.5 m/s) within 1.5 s after their time (3
    relaxation times of 0.5 s reach 95 % of v0) and not before it. Until the first one starts
    nobody walks: the displacement stays under 1 m (the social force model's repulsion from the
    walls and from close neighbours, which acts at any speed, spreads the standing group by up
    to some 0.7 m; walking to the door would take 2-8 m). Later, waiting persons may be pushed aside by
    those walking past (v0 = 0 does not pin them), which is not a start."""
    params = {"geometry": {"walkable_m": [[(0, 0), (8, 0), (8, 5), (0, 5)]]},
              "exits": [{"name": "door", "line_m": [(8, 2), (8, 3)]}],
              "sources": [{"box_m": (0.5, 0.5, 6.0, 4.5), "count": 10, "desired_speed_m_s": 1.2,
                           "pre_movement_s": (10.0, 100.0)}], "dt_s": 0.05}
    model, state = build(params, RasterGrid(shape=(10, 16), spacing_m=(0.5, 0.5)), seed=1)
    a = model.agents
    live = np.flatnonzero(a.active)
    start = dict(zip(a.id[live].tolist(), model.start_time[live].tolist()))
    home = {i: (a.x[s], a.y[s]) for i, s in zip(a.id[live].tolist(), live.tolist())}
    assert 10.0 <= min(start.values()) and max(start.values()) <= 100.0
    walking: dict[int, float] = {}
    drift, waiting_speed = [], []

    def watch(before, t):
        for s in np.flatnonzero(a.active):
            i = int(a.id[s])
            speed = math.hypot(a.vx[s], a.vy[s])
            if t < start[i]:
                waiting_speed.append(speed)
                if t < min(start.values()):
                    drift.append(math.hypot(a.x[s] - home[i][0], a.y[s] - home[i][1]))
            elif i not in walking and math.hypot(a.vx[s], a.vy[s]) > 0.5:
                walking[i] = t

    run(model, state, 125.0, each=watch)
    delays = np.array([walking[i] - start[i] for i in start])
    print(f"\nRiMEA 5: start delays {delays.min():.2f}-{delays.max():.2f} s after the assigned times; "
          f"largest drift before anyone starts {max(drift):.3f} m; largest speed while waiting "
          f"{max(waiting_speed):.3f} m/s")
    assert len(walking) == 10 and model.report()["evacuated"] == 10
    assert np.all((delays >= 0.0) & (delays <= 1.5))
    assert max(drift) < 1.0


@BOTH_MODELS
def test_rimea_6_corner_no_wall_crossing(operational_model):
    """RiMEA 6: 20 persons round a left corner (12 m along x, then 10 m up y, 2 m wide): no
    centre crosses a wall and everyone arrives. (The exit's own edge of the plan is a door: those
    counted out walk on through it.)"""
    params = {"geometry": {"walkable_m": [[(0, 0), (12, 0), (12, 12), (10, 12), (10, 2), (0, 2)]]},
              "exits": [{"name": "top", "line_m": [(10, 12), (12, 12)]}],
              "sources": [{"box_m": (0.0, 0.0, 6.0, 2.0), "count": 20}],
              "operational_model": operational_model}
    model, state = build(params, RasterGrid(shape=(25, 25), spacing_m=(0.5, 0.5)), seed=3)
    segments = model.walls.segments  # the plan's edges less the open door
    assert len(segments) == len(model.geometry.segments) - 1
    crossed = []

    def check(before, t):
        x0, y0, ids0, act0 = before
        a = model.agents
        stay = act0 & a.active & (a.id == ids0)
        if crossings(x0[stay], y0[stay], a.x[stay], a.y[stay], segments).any():
            crossed.append(t)

    run(model, state, 60.0, each=check)
    assert not crossed
    assert model.report()["evacuated"] == 20
    assert model.agents.count == 0


# RiMEA 4: the densities of the guideline (persons/m^2) and the band applied here. RiMEA 3.0 test 4
# asks only that the model's fundamental diagram be compared with an empirical one and gives no
# numeric band; we take 0.25 m/s about Weidmann's (1993) curve, below the spread of the measured
# corridor diagrams themselves (HERMES 2test_2D against 3test_UO: RMSE 0.32 m/s over their common
# density bins, ``hazsim validate crowd_fundamental``).
RIMEA_4_DENSITIES = (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
# The measured corridors themselves lie this far from Weidmann's curve: the unidirectional HERMES
# corridor (3test_UO) up to 0.33 m/s above it at 1.4-1.9 /m^2, the closed-loop one (2test_2D) up to
# 0.28 below at 0.9 /m^2 (bins of 0.25 /m^2 with at least 5 samples). The measured comparison is
# ``hazsim validate crowd_fundamental`` (RMSE <= 0.10 m/s).
RIMEA_4_BAND_M_S = 0.35


def _rimea_4_speed(density: float, length: float = 20.0, width: float = 3.0) -> tuple[float, float]:
    """(density, mean speed) in a 2 m long measurement area across the middle of a corridor filled
    uniformly at ``density``, averaged over t = 1-3 s (before the fronts walking in from either
    end reach it)."""
    n = int(round(density * length * width))
    params = {"geometry": {"walkable_m": [[(0, 0), (length + 2, 0), (length + 2, width), (0, width)]]},
              "exits": [{"name": "end", "line_m": [(length + 2, 0), (length + 2, width)]}],
              "operational_model": "collision_free_speed",
              "sources": [{"box_m": (0.0, 0.0, length, width), "count": n, "desired_speed_m_s": WEIDMANN_FLAT_M_S,
                           "radius_m": 0.15}]}
    grid = RasterGrid(shape=(int(width / 0.25), int((length + 2) / 0.25)), spacing_m=(0.25, 0.25))
    model, state = build(params, grid, seed=0)
    a = model.agents
    assert a.count == n
    densities, speeds = [], []
    for k in range(300):
        model.step(state, k * 0.01, 0.01)
        if k >= 100 and k % 10 == 9:
            inside = a.active & (np.abs(a.x - length / 2) < 1.0)
            densities.append(inside.sum() / (2.0 * width))
            speeds.append(float(np.hypot(a.vx, a.vy)[inside].mean()))
    return float(np.mean(densities)), float(np.mean(speeds))


def test_rimea_4_fundamental_diagram_collision_free_speed():
    """RiMEA 4 (scaled down: a corridor 20 m x 3 m instead of 1000 m x 10 m, everyone at 1.34 m/s)
    for the collision-free speed model (its defaults, bodies of radius 0.15 m): at densities 0.5-6 /m^2 the
    mean speed in the measurement area falls with the density and lies within RIMEA_4_BAND_M_S of
    Weidmann's (1993) speed at the density measured there. (The social force model with its
    defaults has no speed-density relation of its own: about 1.3 m/s at every density.)"""
    from validation.crowd_measures import weidmann_speed

    measured = [_rimea_4_speed(rho) for rho in RIMEA_4_DENSITIES]
    rho = np.array([m[0] for m in measured])
    v = np.array([m[1] for m in measured])
    v_weidmann = weidmann_speed(rho)
    print("\nRiMEA 4 (CSM): " + ", ".join(f"rho {r:.2f}: v {s:.2f} (Weidmann {w:.2f})"
                                          for r, s, w in zip(rho, v, v_weidmann)))
    assert np.all(np.diff(v) < 0.0)
    assert np.all(np.abs(v - v_weidmann) <= RIMEA_4_BAND_M_S)
    # the densities reached are those asked for (the area is a sample of a uniform crowd)
    np.testing.assert_allclose(rho, RIMEA_4_DENSITIES, rtol=0.3)


@BOTH_MODELS
def test_rimea_7_demographics_free_speeds(operational_model):
    """RiMEA 7: 50 adults with desired speeds from Weidmann's adult distribution (1.34 +- 0.26 m/s,
    truncated to [0.5, 2.0] m/s; the RiMEA age table is a figure, not reproduced here). Checks:
    the assigned speeds are consistent with that distribution (Kolmogorov-Smirnov, p > 0.01)
    and each person's simulated free walking speed (mean over 4-8 s, persons 1.5 m apart in
    their own lanes) is their assigned one within 2 %."""
    stats = pytest.importorskip("scipy.stats")
    lanes = 50
    params = {"geometry": {"walkable_m": [[(0, 0), (20, 0), (20, 1.5 * lanes), (0, 1.5 * lanes)]]},
              "exits": [{"name": "end", "line_m": [(20, 0), (20, 1.5 * lanes)]}],
              "sources": [{"box_m": (0.5, 1.5 * k + 0.7, 0.6, 1.5 * k + 0.8), "count": 1, "radius_m": 0.25}
                          for k in range(lanes)], "dt_s": 0.02}
    model, state = build({**params, "operational_model": operational_model},
                         RasterGrid(shape=(2 * lanes + 2, 42), spacing_m=(0.75, 0.5)), seed=7)
    assigned = model.v0_base[model.agents.active].copy()
    low, high = (0.5 - 1.34) / 0.26, (2.0 - 1.34) / 0.26
    p_value = stats.kstest(assigned, stats.truncnorm(low, high, loc=1.34, scale=0.26).cdf).pvalue
    samples = []
    run(model, state, 8.0, each=lambda before, t: samples.append(model.agents.vx.copy()) if t > 4.0 else None)
    simulated = np.mean(samples, axis=0)[model.agents.active]
    error = np.abs(simulated / assigned - 1.0)
    print(f"\nRiMEA 7: KS p = {p_value:.3f}; assigned mean {assigned.mean():.3f} sd {assigned.std():.3f} m/s; "
          f"largest free-speed error {100 * error.max():.2f} %")
    assert p_value > 0.01
    assert error.max() < 0.02


@BOTH_MODELS
def test_rimea_8_evacuation_time_falls_with_desired_speed(operational_model):
    """RiMEA 8, parameter analysis (one parameter, scaled down to one room): 40 persons leave a
    10 m x 10 m room by a 1 m door with desired speeds 0.8, 1.2 and 1.6 m/s. The evacuation
    time must fall monotonically, and the door flow (N - 1) / (t_last - t_first) at the default
    1.2 m/s must lie in 1.0-2.5 P/s for the 1 m door: SFPE's 1.3 P/(m s) of effective width
    (Gwynne & Rosenbaum) to the about 2 P/s of Seyfried et al. 2009 (Transp. Sci. 43:395) for
    b = 1 m. In the social force model the door flow grows with v0 (the driving force m v0 / tau
    compresses the queue), so the time falls faster than 1 / v0 here."""
    times, flows = [], []
    for speed in (0.8, 1.2, 1.6):
        params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 10), (0, 10)]]},
                  "exits": [{"name": "door", "line_m": [(10, 4.5), (10, 5.5)]}],
                  "sources": [{"box_m": (0.5, 0.5, 7.0, 9.5), "count": 40, "desired_speed_m_s": speed}],
                  "dt_s": 0.02}
        model, state = build({**params, "operational_model": operational_model},
                             RasterGrid(shape=(20, 20), spacing_m=(0.5, 0.5)), seed=8)
        run(model, state, 150.0)
        assert model.report()["evacuated"] == 40
        exits = model.exit_times["door"]
        times.append(max(exits))
        flows.append((len(exits) - 1) / (max(exits) - min(exits)))
    print(f"\nRiMEA 8: evacuation times {', '.join(f'{t:.1f}' for t in times)} s and door flows "
          f"{', '.join(f'{j:.2f}' for j in flows)} P/s at 0.8, 1.2, 1.6 m/s")
    assert times[0] > times[1] > times[2]
    assert 1.0 <= flows[1] <= 2.5


@BOTH_MODELS
def test_rimea_10_assigned_exits_are_used(operational_model):
    """RiMEA 10 (scaled): persons interleaved in a corridor, half assigned to each end."""
    params = {"geometry": {"walkable_m": [[(0, 0), (30, 0), (30, 3), (0, 3)]]},
              "exits": [{"name": "west", "line_m": [(0, 0), (0, 3)]}, {"name": "east", "line_m": [(30, 0), (30, 3)]}],
              "sources": [{"box_m": (12.0, 0.0, 18.0, 1.5), "count": 8, "exit": "west"},
                          {"box_m": (12.0, 1.5, 18.0, 3.0), "count": 8, "exit": "east"}]}
    model, state = build({**params, "operational_model": operational_model},
                         RasterGrid(shape=(6, 60), spacing_m=(0.5, 0.5)), seed=2)
    run(model, state, 40.0)
    assert model.report()["evacuated_by_exit"] == {"west": 8, "east": 8}


def _count_in(model, x0, y0, x1, y1) -> int:
    a = model.agents
    return int(np.count_nonzero(a.active & (a.x > x0) & (a.x < x1) & (a.y > y0) & (a.y < y1)))


@pytest.mark.parametrize("operational_model", [
    pytest.param("social_force", marks=pytest.mark.xfail(
        strict=True, reason="HFV's defaults queue at room 2's exit too once persons walk on past it (a "
                            "door with a capacity of its own): mean 4.6 persons in its 4 m2 (LOS E)")),
    "collision_free_speed"])
def test_rimea_12_congestion_only_before_the_first_bottleneck(operational_model):
    """RiMEA 12 (scaled from 150 to 60 persons): room 1 (10 m x 10 m) - 1 m door - corridor
    (10 m x 1 m) - room 2 (10 m x 10 m) - 1 m exit. The queue forms in room 1 only. Congestion is
    Fruin's (1971) level of service E or worse, under 0.93 m2 a person: the mean count in the
    2 m x 2 m area before room 1's door (4 m2) while occupied is above 4 / 0.93, before room 2's
    exit, which receives the corridor's flow, below it. (Until the exits had capacities of their
    own, persons walking on past them, room 2's bound was 4 / 1.4, level C; a stream arriving at a
    1 m door at its capacity, about 1.3-1.8 persons/s at 1-1.3 m/s, holds 2-3 persons in that area.)"""
    params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 4.5), (20, 4.5), (20, 0), (30, 0), (30, 10),
                                           (20, 10), (20, 5.5), (10, 5.5), (10, 10), (0, 10)]]},
              "exits": [{"name": "out", "line_m": [(30, 4.5), (30, 5.5)]}],
              "sources": [{"box_m": (0.5, 0.5, 8.0, 9.5), "count": 60}], "dt_s": 0.02,
              "operational_model": operational_model}
    model, state = build(params, RasterGrid(shape=(20, 60), spacing_m=(0.5, 0.5)), seed=12)
    counts = {"room 1 door": [], "room 2 exit": []}

    def watch(before, t):
        counts["room 1 door"].append(_count_in(model, 8.0, 4.0, 10.0, 6.0))
        counts["room 2 exit"].append(_count_in(model, 28.0, 4.0, 30.0, 6.0))

    run(model, state, 150.0, each=watch)
    peak = {k: max(v) for k, v in counts.items()}
    mean = {k: np.mean([c for c in v if c]) for k, v in counts.items()}
    print(f"\nRiMEA 12: count in 4 m2 before room 1's door: largest {peak['room 1 door']}, mean while occupied "
          f"{mean['room 1 door']:.2f}; before room 2's exit: {peak['room 2 exit']}, {mean['room 2 exit']:.2f}")
    assert model.report()["evacuated"] == 60
    assert mean["room 1 door"] > 4.0 / 0.93
    assert mean["room 2 exit"] < 4.0 / 0.93


@BOTH_MODELS
def test_rimea_13_congestion_grows_at_the_stair_foot(operational_model):
    """RiMEA 13 (scaled from 150 to 80 persons): room (8 m x 10 m) - 2 m door - corridor
    (10.4 m x 2 m) - stair up (2 m wide, 8.63 m in plan) - exit. The stair (0.610 m/s) carries
    less than the corridor, so the count in the corridor's last 4 m before the foot
    (8 m2) grows (4, 8, 12 s) to a density above the corridor's free-flow density
    J / (w v0) = inflow / (2 m x 1.34 m/s), and the stair's outflow (exits per second over
    20-40 s) is below the corridor's inflow over 5-15 s."""
    length = STAIR_PLAN_M
    foot = 27.0 - length
    params = {"geometry": {"walkable_m": [[(0, 0), (8, 0), (8, 4), (27, 4), (27, 6), (8, 6), (8, 10), (0, 10)]]},
              "exits": [{"name": "top", "line_m": [(27, 4), (27, 6)]}],
              "stairs": [{"box_m": (foot, 4.0, 27.0, 6.0), "up_direction": (1.0, 0.0)}],
              "sources": [{"box_m": (0.5, 0.5, 7.5, 9.5), "count": 80}], "dt_s": 0.02}
    model, state = build({**params, "operational_model": operational_model},
                         RasterGrid(shape=(20, 54), spacing_m=(0.5, 0.5)), seed=13)
    crossed: set[int] = set()
    entered_at: list[float] = []
    queue: dict[float, int] = {}

    def watch(before, t):
        a = model.agents
        for i in a.id[a.active & (a.x > 8.5)].tolist():
            if i not in crossed:
                crossed.add(i)
                entered_at.append(t)
        for mark in (4.0, 8.0, 12.0):
            if abs(t - mark) < 1e-6:
                queue[mark] = _count_in(model, foot - 4.0, 4.0, foot, 6.0)

    run(model, state, 40.0, each=watch)
    entered = np.array(entered_at)
    inflow = np.count_nonzero((entered > 5.0) & (entered <= 15.0)) / 10.0
    exits = np.array(model.exit_times["top"])
    outflow = np.count_nonzero((exits > 20.0) & (exits <= 40.0)) / 20.0
    print(f"\nRiMEA 13: corridor inflow {inflow:.2f} P/s, stair outflow {outflow:.2f} P/s; queue at the "
          f"stair foot {queue}")
    assert outflow < inflow
    assert queue[4.0] < queue[8.0] < queue[12.0]
    assert queue[12.0] / 8.0 > inflow / (2.0 * 1.34)


@BOTH_MODELS
def test_rimea_14_route_choice_takes_the_faster_way(operational_model):
    """RiMEA 14, documented behaviour: the route is the one of least travel time, stairs counted
    at their speed. A person 10 m from exit W through two flights (up 8.63 m, down 8.63 m in
    plan, at 0.610 and 0.694 m/s) and 26 m from exit E on the level: the stair route costs
    (20 - 17.25) + 8.63 * 1.34 / 0.610 + 8.63 * 1.34 / 0.694 = 38.3 m of flat walking, so they
    take E. Without the stairs they take the 20 m route W."""
    length = STAIR_PLAN_M
    west = 20.0
    base = {"geometry": {"walkable_m": [[(-west, 0), (26, 0), (26, 2), (-west, 2)]]},
            "exits": [{"name": "W", "line_m": [(-west, 0), (-west, 2)]}, {"name": "E", "line_m": [(26, 0), (26, 2)]}],
            "sources": [{"box_m": (-0.05, 0.95, 0.05, 1.05), "count": 1, "desired_speed_m_s": 1.34,
                         "radius_m": 0.25}], "dt_s": 0.02}
    stairs = [{"box_m": (-1.0 - length, 0.0, -1.0, 2.0), "up_direction": (-1.0, 0.0)},
              {"box_m": (-1.0 - 2 * length, 0.0, -1.0 - length, 2.0), "up_direction": (1.0, 0.0)}]
    grid = RasterGrid(shape=(8, 184), spacing_m=(0.25, 0.25), origin_m=(-west, 0.0))
    cost = west - 2 * length + length * WEIDMANN_FLAT_M_S * (1 / WEIDMANN_STAIR_UP_M_S + 1 / WEIDMANN_STAIR_DOWN_M_S)
    used = {}
    for name, extra in (("with stairs", {"stairs": stairs}), ("level", {})):
        model, state = build({**base, **extra, "operational_model": operational_model}, grid)
        t_west = float(model.floor.time_at(np.array([0.0]), np.array([1.0]))[0])
        run(model, state, 60.0)
        used[name] = [k for k, v in model.report()["evacuated_by_exit"].items() if v][0]
        if extra:
            print(f"\nRiMEA 14: floor field at the start {t_west:.2f} m (flat equivalent; stair route {cost:.2f} m, "
                  f"level route 26 m); exit used {used[name]}")
            assert t_west == pytest.approx(26.0, abs=0.5)
    assert used == {"with stairs": "E", "level": "W"}


@BOTH_MODELS
def test_rimea_11_some_take_the_far_exit(operational_model):
    """RiMEA 11 (scaled from 1000 to 100 persons, so that it runs in about a second): persons
    packed at the left of a 20 m x 10 m room, exit 1 (1 m) near them at the left of the top
    wall, exit 2 (1 m) at the far right. Expected: most take exit 1, some exit 2 because of the
    queue at exit 1. Band: exit 2 takes more than 5 % and less than 50 %. A fluid estimate: with
    both exits at C = 1.8 P/s the last exit times equalise when exit 2, some 7 s further to walk,
    takes (100 - 1.8 x 7) / 2 = 44 persons, fewer with the switching threshold. Same persons
    choosing the nearest exit: all take exit 1, and the evacuation takes longer. Fewer route
    switches than persons: no one oscillates between the exits."""
    params = {"geometry": {"walkable_m": [[(0, 0), (20, 0), (20, 10), (0, 10)]]},
              "exits": [{"name": "1", "line_m": [(2, 10), (3, 10)]}, {"name": "2", "line_m": [(20, 4.5), (20, 5.5)]}],
              "sources": [{"box_m": (0.3, 0.3, 5.0, 9.7), "count": 100}], "dt_s": 0.02}
    grid = RasterGrid(shape=(20, 40), spacing_m=(0.5, 0.5))
    reports = {}
    for choice in ("quickest", "nearest"):
        model, state = build({**params, "exit_choice": choice, "operational_model": operational_model}, grid, seed=11)
        run(model, state, 150.0)
        reports[choice] = model.report()
    used, nearest = reports["quickest"]["evacuated_by_exit"], reports["nearest"]["evacuated_by_exit"]
    print(f"\nRiMEA 11: quickest: exits used {used}, {reports['quickest']['route_switches']} route switches, last "
          f"exit {reports['quickest']['time_of_last_exit_s']:.1f} s; nearest: {nearest}, last exit "
          f"{reports['nearest']['time_of_last_exit_s']:.1f} s")
    assert used["1"] + used["2"] == 100
    assert 5 < used["2"] < 50
    assert reports["quickest"]["route_switches"] < 100
    assert nearest == {"1": 100, "2": 0}
    assert reports["quickest"]["time_of_last_exit_s"] < reports["nearest"]["time_of_last_exit_s"]


def _rimea_15_time(layout: str, operational_model: str) -> float:
    """Time for 100 persons (scaled from RiMEA's 500) starting in a 14 m x 4 m area to cross the
    target line of a 4 m wide corridor: a left corner (legs 14 m and 14 m along the outer wall,
    10 m and 10 m along the inner one), or straight corridors as long as the corner's inner
    (20 m) or outer (28 m) wall."""
    start = {"box_m": (-14.0, 0.2, -0.2, 3.8), "count": 100}
    if layout == "corner":
        walkable = [(-14, 0), (14, 0), (14, 14), (10, 14), (10, 4), (-14, 4)]
        target = [(10, 14), (14, 14)]
        grid = RasterGrid(shape=(28, 56), spacing_m=(0.5, 0.5), origin_m=(-14.0, 0.0))
    else:
        length = 20.0 if layout == "short" else 28.0
        walkable = [(-14, 0), (length, 0), (length, 4), (-14, 4)]
        target = [(length, 0), (length, 4)]
        grid = RasterGrid(shape=(8, int(2 * (length + 14))), spacing_m=(0.5, 0.5), origin_m=(-14.0, 0.0))
    params = {"geometry": {"walkable_m": [walkable]}, "exits": [{"name": "target", "line_m": target}],
              "sources": [start], "dt_s": 0.02, "operational_model": operational_model}
    model, state = build(params, grid, seed=15)
    run(model, state, 120.0)
    assert model.report()["evacuated"] == 100
    return model.report()["time_of_last_exit_s"]


@BOTH_MODELS
def test_rimea_15_corner_between_the_straight_routes(operational_model):
    """RiMEA 15: the corner's evacuation time lies between those of the short and the long
    straight corridor (same persons: same seed and start area)."""
    times = {layout: _rimea_15_time(layout, operational_model) for layout in ("short", "corner", "long")}
    print(f"\nRiMEA 15: {', '.join(f'{k} {v:.1f} s' for k, v in times.items())}")
    assert times["short"] <= times["corner"] <= times["long"]


def test_stair_and_pre_movement_keys_are_validated():
    base = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 2), (0, 2)]]},
            "exits": [{"name": "end", "line_m": [(10, 0), (10, 2)]}]}
    source = {"box_m": (0, 0, 1, 2), "count": 1}
    with pytest.raises(ValueError, match="up_direction"):
        CrowdParams.model_validate({**base, "sources": [source],
                                    "stairs": [{"box_m": (2, 0, 4, 2), "up_direction": (0, 0)}]})
    with pytest.raises(ValueError, match="pre_movement_s"):
        CrowdParams.model_validate({**base, "sources": [{**source, "pre_movement_s": (50, 10)}]})
    p = CrowdParams.model_validate({**base, "sources": [{**source, "pre_movement_s": {"median_s": 60, "log_sd": 0.5}}],
                                    "stairs": [{"box_m": (2, 0, 4, 2), "up_direction": (0, 3)}]})
    assert p.stairs[0].up_unit == (0.0, 1.0) and p.stairs[0].speed_up_m_s == WEIDMANN_STAIR_UP_M_S
