"""Crowd instruments: line-crossing geometry, count integrals, occlusion and flow undercount."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.fields import FieldSet, FieldSpec
from sim.grid import RasterGrid
from sim.render.instruments import instrument_class
from sim.render.instruments.base import FieldInfo, InstrumentError, Modifiers
from sim.render.instruments.crowd import (
    FRUIN_WALKWAY_DENSITY,
    FRUIN_WALKWAY_FLOW,
    CameraCount,
    LineCounter,
    count_crossings,
    count_crossings_reference,
    rectangle_integrals,
    rectangle_integrals_reference,
)

GRID = RasterGrid(shape=(10, 10), spacing_m=(1.0, 1.0))


def agent_fields():
    return {name: FieldInfo(FieldSpec(name, at="agent", units="m", intent="out", doc=f"agent {name[-1]}"))
            for name in ("agent_x", "agent_y")}


def density_fields(at="cell"):
    return {"crowd_density": FieldInfo(FieldSpec("crowd_density", at=at, units="m-2", intent="out",
                                                 doc="persons per square metre"))}


def exact_counter(n_sensors=1, **kw):
    params = LineCounter.Params(miss_probability_low=0.0, miss_probability_high=0.0, **kw)
    return LineCounter(params, n_sensors, GRID, agent_fields())


def run_counter(counter, lines, frames):
    """Sample the counter over a list of (x, y) frames; returns the stacked inputs (n, m)."""
    samples = [counter.sample({"agent_x": np.asarray(x, float), "agent_y": np.asarray(y, float)}, lines)
               for x, y in frames]
    return {key: np.stack([s[key] for s in samples]) for key in samples[0]}


def kernel_counts(xp, yp, xn, yn, lines):
    n_in = np.zeros(len(lines), np.int64)
    n_out = np.zeros(len(lines), np.int64)
    count_crossings(xp, yp, xn, yn, np.ascontiguousarray(lines, float), n_in, n_out)
    return n_in, n_out


# -- line counter ---------------------------------------------------------------------------

def test_registry_names_resolve():
    assert instrument_class("line_counter") is LineCounter
    assert instrument_class("camera_count") is CameraCount
    assert LineCounter.geometry == "line" and CameraCount.geometry == "area"


def test_known_crossings_are_counted_exactly_per_direction():
    """A vertical line pointing +y: walking towards +x goes from its left to its right (= in)."""
    line = np.array([[5.0, 1.0, 5.0, 9.0]])
    # 7 walk in, 3 walk out, 4 walk parallel, 2 stop short, 2 cross the line's extension beyond b,
    # 1 enters the scene (NaN before) already on the far side.
    x0 = [4.0] * 7 + [6.0] * 3 + [3.0] * 4 + [4.0] * 2 + [4.0] * 2 + [np.nan]
    y0 = [2.0 + 0.5 * k for k in range(7)] + [3.0, 4.0, 5.0] + [1.0] * 4 + [5.0] * 2 + [9.5, 12.0] + [np.nan]
    x1 = [6.0] * 7 + [4.0] * 3 + [3.0] * 4 + [4.9] * 2 + [6.0] * 2 + [6.0]
    y1 = y0[:-1] + [5.0]
    y1[10:14] = [9.0] * 4
    # then everybody who went in comes back out through the line, the rest stay
    x2 = list(x1)
    x2[:7] = [4.5] * 7
    counter = exact_counter()
    inputs = run_counter(counter, line, [(x0, y0), (x1, y1), (x2, y1)])
    np.testing.assert_array_equal(inputs["crossings_in"][:, 0], [0, 7, 0])
    np.testing.assert_array_equal(inputs["crossings_out"][:, 0], [0, 3, 7])
    np.testing.assert_array_equal(inputs["line_length_m"][:, 0], [8.0, 8.0, 8.0])
    t = np.array([0.0, 1.0, 2.0])
    reading = counter.respond(t, inputs, Modifiers.none(3, 1), np.random.default_rng(0))
    np.testing.assert_array_equal(reading[:, 0], [0, 4, -3])  # cumulative net in - out
    np.testing.assert_array_equal(counter.truth(inputs)[:, 0], [0, 4, -3])

    in_counter = exact_counter(report="in")
    inputs = run_counter(in_counter, line, [(x0, y0), (x1, y1), (x2, y1)])
    np.testing.assert_array_equal(in_counter.respond(t, inputs, Modifiers.none(3, 1),
                                                     np.random.default_rng(0))[:, 0], [0, 7, 7])


def test_parallel_short_and_absent_moves_count_nothing():
    lines = np.array([[0.0, 0.0, 10.0, 0.0], [2.0, 2.0, 2.0, 8.0]])
    xp = np.array([1.0, 3.0, 5.0, np.nan, 4.0])
    yp = np.array([1.0, 3.0, -1.0, 1.0, 5.0])
    xn = np.array([9.0, 3.0, 5.0, 1.0, 2.5])       # along the first line; up to 0.5 m short of the second
    yn = np.array([1.0, 7.0, -0.01, -1.0, 5.0])    # third stops 1 cm short; fourth appears (no old position)
    n_in, n_out = kernel_counts(xp, yp, xn, yn, lines)
    assert n_in.tolist() == [0, 0] and n_out.tolist() == [0, 0]


def test_stopping_on_the_line_counts_once():
    line = np.array([[0.0, 0.0, 0.0, 4.0]])
    frames = [([-1.0], [2.0]), ([0.0], [2.0]), ([0.0], [2.0]), ([1.0], [2.0])]
    inputs = run_counter(exact_counter(), line, frames)
    assert inputs["crossings_in"].sum() == 1 and inputs["crossings_out"].sum() == 0


def test_kernel_matches_numpy_twin_on_random_segments():
    rng = np.random.default_rng(42)
    k, m = 3000, 25
    xp, yp, xn, yn = rng.uniform(0, 10, (4, k))
    xp[::97] = np.nan
    lines = rng.uniform(0, 10, (m, 4))
    got = kernel_counts(xp, yp, xn, yn, lines)
    want = count_crossings_reference(xp, yp, xn, yn, lines)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert got[0].sum() > 0 and got[1].sum() > 0


def test_swapping_line_endpoints_swaps_in_and_out():
    rng = np.random.default_rng(7)
    xp, yp, xn, yn = rng.uniform(0, 10, (4, 2000))
    lines = rng.uniform(0, 10, (15, 4))
    n_in, n_out = kernel_counts(xp, yp, xn, yn, lines)
    s_in, s_out = kernel_counts(xp, yp, xn, yn, lines[:, [2, 3, 0, 1]])
    np.testing.assert_array_equal(n_in, s_out)
    np.testing.assert_array_equal(n_out, s_in)


def test_total_crossings_match_flux_of_uniform_stream():
    """People on a lattice all stepping +x by one spacing: each lattice column crosses a line once."""
    ys = np.arange(0.25, 10.0, 0.5)                 # 20 rows, 0.5 m apart
    xs = np.arange(0.1, 4.0, 0.5)                   # 8 columns
    x, y = np.meshgrid(xs, ys)
    line = np.array([[2.0, 0.0, 2.0, 10.0]])        # 10 m long, crossed by one column per step
    n_in, n_out = kernel_counts(x.ravel(), y.ravel(), x.ravel() + 0.5, y.ravel(), line)
    assert n_in[0] == len(ys) and n_out[0] == 0


def test_miss_probability_rises_with_specific_flow():
    counter = LineCounter(LineCounter.Params(), 1, GRID, agent_fields())
    q = np.linspace(0.0, 5.0, 51)
    p = counter.miss_probability(q)
    assert p[0] == pytest.approx(0.01)
    assert np.all(np.diff(p) > 0) and p[-1] < 0.30
    assert counter.miss_probability(np.inf) == pytest.approx(0.30)


def test_undercount_matches_miss_probability_statistically():
    """Counted / true crossings over many intervals = 1 - p_miss(q) at low and at high flow."""
    counter = LineCounter(LineCounter.Params(), 1, GRID, agent_fields())
    n = 2000
    t = np.arange(n, dtype=float)
    rng = np.random.default_rng(3)
    for per_interval, length in ((1.0, 10.0), (12.0, 5.0)):   # q = 0.1 and 2.4 persons m-1 s-1
        inputs = {"crossings_in": np.full((n, 1), per_interval), "crossings_out": np.zeros((n, 1)),
                  "line_length_m": np.full((n, 1), length)}
        inputs["crossings_in"][0] = 0.0                         # nothing crosses before the first sample
        reading = counter.respond(t, inputs, Modifiers.none(n, 1), rng)
        q = per_interval / length
        expected = 1.0 - counter.miss_probability(q)
        counted = reading[-1, 0] / (per_interval * (n - 1))
        assert counted == pytest.approx(expected, abs=4.0 * math.sqrt(expected * (1 - expected)
                                                                      / (per_interval * (n - 1))) + 1e-3)
        assert np.all(np.diff(reading[:, 0]) >= 0) and np.all(reading == np.round(reading))


def test_same_seed_same_counts():
    counter = LineCounter(LineCounter.Params(), 2, GRID, agent_fields())
    inputs = {"crossings_in": np.full((50, 2), 7.0), "crossings_out": np.full((50, 2), 3.0),
              "line_length_m": np.full((50, 2), 2.0)}
    t = np.arange(50.0)
    a = counter.respond(t, inputs, Modifiers.none(50, 2), np.random.default_rng(11))
    b = counter.respond(t, inputs, Modifiers.none(50, 2), np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)


def test_specific_flow_and_fruin_levels():
    inputs = {"crossings_in": np.array([[0.0], [30.0]]), "crossings_out": np.array([[0.0], [6.0]]),
              "line_length_m": np.array([[2.0], [2.0]])}
    q = LineCounter.specific_flow(np.array([0.0, 10.0]), inputs)
    assert q[:, 0].tolist() == [0.0, 1.8]
    assert FRUIN_WALKWAY_FLOW.thresholds[-1] == pytest.approx(25.0 / 0.3048 / 60.0)   # 1.37 m-1 s-1
    assert FRUIN_WALKWAY_FLOW.of(q)[:, 0].tolist() == [0, 5]
    # The line counter's hazard label is that level of service of the true flow.
    counter = LineCounter(LineCounter.Params(), 1, GRID, agent_fields())
    hazard = counter.hazard_value(np.array([0.0, 10.0]), inputs, counter.truth(inputs))
    assert counter.hazard_levels().of(hazard)[:, 0].tolist() == [0, 5]


def test_line_counter_field_checks():
    with pytest.raises(InstrumentError) as err:
        LineCounter(LineCounter.Params(), 1, GRID, density_fields())
    assert err.value.key == "x_field" and "agent_x" in str(err.value)
    cell_x = agent_fields()
    cell_x["agent_x"] = FieldInfo(FieldSpec("agent_x", at="cell", units="m", intent="out", doc="x"))
    with pytest.raises(InstrumentError, match="at = 'agent'"):
        LineCounter(LineCounter.Params(), 1, GRID, cell_x)
    counter = exact_counter()
    with pytest.raises(InstrumentError, match="zero length"):
        counter.sample({"agent_x": np.zeros(2), "agent_y": np.zeros(2)}, np.array([[1.0, 1.0, 1.0, 1.0]]))


def test_reset_forgets_previous_positions():
    counter = exact_counter()
    line = np.array([[5.0, 0.0, 5.0, 10.0]])
    counter.sample({"agent_x": np.array([4.0]), "agent_y": np.array([5.0])}, line)
    counter.reset()
    got = counter.sample({"agent_x": np.array([6.0]), "agent_y": np.array([5.0])}, line)
    assert got["crossings_in"][0] == 0.0


def test_empty_series_truth():
    counter = exact_counter(n_sensors=2)
    empty = {"crossings_in": np.empty((0, 2)), "crossings_out": np.empty((0, 2)), "line_length_m": np.empty((0, 2))}
    assert counter.truth(empty).shape == (0, 2)
    cam = CameraCount(CameraCount.Params(), 2, GRID, density_fields())
    empty = {"crowd_count": np.empty((0, 2)), "crowd_count_visible": np.empty((0, 2)), "area_m2": np.empty((0, 2))}
    assert cam.truth(empty).shape == (0, 2)


def test_agents_added_between_samples_are_not_counted_at_first_sight():
    counter = exact_counter()
    line = np.array([[5.0, 0.0, 5.0, 10.0]])
    inputs = run_counter(counter, line, [([4.0], [5.0]), ([6.0, 6.0], [5.0, 5.0]), ([4.0, 4.0], [5.0, 5.0])])
    assert inputs["crossings_in"][:, 0].tolist() == [0, 1, 0]
    assert inputs["crossings_out"][:, 0].tolist() == [0, 0, 2]


# -- counting camera -------------------------------------------------------------------------

def camera(**kw):
    return CameraCount(CameraCount.Params(**kw), 1, GRID, density_fields())


def test_uniform_density_over_aligned_rectangle_gives_rho_times_area():
    fields = FieldSet(GRID)
    rho = fields.add(FieldSpec("crowd_density", at="cell", units="m-2", intent="out", doc="density"))
    rho[:] = 2.5
    cam = camera()
    rects = np.array([[2.0, 3.0, 7.0, 8.0], [0.0, 0.0, 10.0, 10.0]])
    inputs = cam.sample(fields.view(), rects)
    np.testing.assert_allclose(inputs["crowd_count"], [2.5 * 25.0, 2.5 * 100.0], rtol=1e-14)
    np.testing.assert_allclose(cam.truth(inputs), [2.5, 2.5], rtol=1e-14)
    np.testing.assert_allclose(inputs["crowd_count_visible"] / inputs["crowd_count"],
                               math.exp(-2.5 * cam.occluding_area_m2), rtol=1e-14)


def test_fractional_overlap_against_hand_computed_case():
    """Rectangle [0.5, 1.75] x [0.25, 1.5] on unit cells: overlaps 0.375, 0.5625, 0.25, 0.375 m2."""
    field = np.zeros((10, 10))
    field[0, 0], field[0, 1], field[1, 0], field[1, 1] = 1.0, 2.0, 10.0, 20.0
    total = np.empty(1)
    visible = np.empty(1)
    rectangle_integrals(field, 0.0, 0.0, 1.0, 1.0, np.array([[0.5, 0.25, 1.75, 1.5]]), 0.0, total, visible)
    expected = 1.0 * 0.5 * 0.75 + 2.0 * 0.75 * 0.75 + 10.0 * 0.5 * 0.5 + 20.0 * 0.75 * 0.5
    assert total[0] == pytest.approx(expected, rel=1e-14)
    assert visible[0] == pytest.approx(expected, rel=1e-14)   # no occlusion with a_occ = 0


def test_rectangle_kernel_matches_numpy_twin():
    rng = np.random.default_rng(5)
    field = rng.gamma(2.0, 1.5, (13, 17))
    x0, y0, dx, dy = -3.0, 4.0, 0.7, 1.3
    lo = rng.uniform([x0 - 1, y0 - 1], [x0 + 10, y0 + 14], (40, 2))
    rects = np.column_stack([lo, lo + rng.uniform(0.05, 6.0, (40, 2))])
    total = np.empty(40)
    visible = np.empty(40)
    rectangle_integrals(field, x0, y0, dx, dy, np.ascontiguousarray(rects), 0.2, total, visible)
    want_total, want_visible = rectangle_integrals_reference(field, x0, y0, dx, dy, rects, 0.2)
    np.testing.assert_allclose(total, want_total, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(visible, want_visible, rtol=1e-12, atol=1e-12)


def test_detected_fraction_falls_with_density_and_is_full_when_sparse_or_overhead():
    cam = camera(detection_probability=1.0)
    rho = np.linspace(0.0, 8.0, 81)
    f = cam.detected_fraction(rho)
    assert f[0] == 1.0 and cam.detected_fraction(0.01) > 0.997
    assert np.all(np.diff(f) < 0)
    assert cam.detected_fraction(6.0) < 0.5           # heavy undercount in a dense crowd at 60 deg tilt
    overhead = camera(detection_probability=1.0, tilt_from_vertical_deg=0.0)
    np.testing.assert_array_equal(overhead.detected_fraction(rho), 1.0)
    steeper = camera(detection_probability=1.0, tilt_from_vertical_deg=75.0)
    assert np.all(steeper.detected_fraction(rho[1:]) < f[1:])


def test_measured_density_is_whole_people_with_the_occlusion_mean():
    cam = camera()
    n = 4000
    area = 20.0
    rho = 3.0
    inputs = {"crowd_count": np.full((n, 1), rho * area),
              "crowd_count_visible": np.full((n, 1), rho * area * math.exp(-rho * cam.occluding_area_m2)),
              "area_m2": np.full((n, 1), area)}
    reading = cam.respond(np.arange(n, dtype=float), inputs, Modifiers.none(n, 1), np.random.default_rng(2))
    people = reading * area
    np.testing.assert_allclose(people, np.round(people), atol=1e-9)
    f = float(cam.detected_fraction(rho))
    assert reading.mean() == pytest.approx(rho * f, rel=0.01)
    assert people.std() == pytest.approx(math.sqrt(rho * area * f * (1 - f)), rel=0.05)   # binomial


def test_fractional_true_count_is_rounded_without_bias():
    cam = camera(detection_probability=1.0, tilt_from_vertical_deg=0.0)
    n = 20000
    inputs = {"crowd_count": np.full((n, 1), 2.3), "crowd_count_visible": np.full((n, 1), 2.3),
              "area_m2": np.full((n, 1), 1.0)}
    reading = cam.respond(np.arange(n, dtype=float), inputs, Modifiers.none(n, 1), np.random.default_rng(4))
    assert set(np.unique(reading)) == {2.0, 3.0}
    assert reading.mean() == pytest.approx(2.3, abs=0.01)


def test_camera_hazard_and_alarm_levels():
    cam = camera()
    assert FRUIN_WALKWAY_DENSITY[0] == pytest.approx(1.0 / (35.0 * 0.09290304))   # 0.31 persons m-2
    assert FRUIN_WALKWAY_DENSITY[-1] == pytest.approx(2.153, abs=1e-3)
    levels = cam.hazard_levels()
    assert levels.of(np.array([0.2, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5])).tolist() == [0, 2, 4, 5, 6, 7, 8, 9]
    assert levels.meanings[0] == "los_a" and levels.meanings[-1] == "seoul_danger"
    assert cam.alarm_levels().of(np.array([2.0, 4.2, 5.9, 6.0])).tolist() == [0, 2, 3, 4]
    with pytest.raises(InstrumentError):
        camera(alarm_density_per_m2=(6.0, 4.0))


def test_global_density_field():
    cam = CameraCount(CameraCount.Params(), 1, GRID, density_fields("global"))
    inputs = cam.sample({"crowd_density": np.array(1.5)}, np.array([[1.0, 1.0, 3.0, 4.0]]))
    assert inputs["crowd_count"][0] == pytest.approx(9.0)
    assert cam.truth(inputs)[0] == pytest.approx(1.5)


def test_camera_field_and_location_checks():
    with pytest.raises(InstrumentError) as err:
        CameraCount(CameraCount.Params(), 1, GRID, agent_fields())
    assert err.value.key == "field" and "crowd_density" in str(err.value)
    wrong_units = {"crowd_density": FieldInfo(FieldSpec("crowd_density", at="cell", units="1", intent="out",
                                                        doc="density"))}
    with pytest.raises(InstrumentError, match="units"):
        CameraCount(CameraCount.Params(), 1, GRID, wrong_units)
    cam = camera()
    view = {"crowd_density": np.zeros((10, 10))}
    with pytest.raises(InstrumentError, match="outside the grid"):
        cam.sample(view, np.array([[8.0, 8.0, 12.0, 9.0]]))
    with pytest.raises(InstrumentError, match="x_max > x_min"):
        cam.sample(view, np.array([[3.0, 3.0, 2.0, 4.0]]))
