"""Crowd measurement methods (validation.crowd_measures) and the crowd validation references.

Synthetic trajectories with known answers (lattices of persons walking at constant velocity),
the Sutherland-Hodgman clipper on known polygons, the Weidmann values of the crowd reference
notes, and, where the measured data are available ($HAZSIM_DATA_DIR), the readers, the PedPy
bottleneck flow and the reference figures of the two validation cases.
"""

import math

import numpy as np
import pytest

from sim.io.data import DataUnavailable
from validation import crowd_measures as cm

SPEED = 1.2  # m/s, towards -y
DT = 0.1  # s between frames
FRAMES = 40


def lattice_walk(columns: int, rows: int, dx: float, dy: float, stagger: bool) -> cm.Trajectories:
    """Persons on a rectangular lattice (column i at x = (i + 1/2) dx) walking at SPEED towards -y.
    With ``stagger`` column i is shifted by i dy / columns, so crossings of a horizontal line are
    evenly spaced in time. Rows start at y = -5 dy and reach upwards, since the lattice walks down
    by 4.7 m; an odd offset keeps samples off the measurement-area edges."""
    pid, t, x, y = [], [], [], []
    for i in range(columns):
        for j in range(rows):
            y0 = 0.0137 + (j - 5) * dy + (i * dy / columns if stagger else 0.0)
            for k in range(FRAMES):
                pid.append(i * rows + j)
                t.append(k * DT)
                x.append((i + 0.5) * dx)
                y.append(y0 - SPEED * k * DT)
    return cm.Trajectories(np.array(pid), np.array(t), np.array(x), np.array(y), 1.0 / DT)


# --- synthetic lattices ------------------------------------------------------------------------


def test_trajectories_sorted_and_checked():
    tr = cm.Trajectories([2, 1, 2, 1], [1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 2.0, 3.0], [0.0] * 4)
    assert tr.person_id.tolist() == [1, 1, 2, 2]
    assert tr.time_s.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert tr.x_m.tolist() == [3.0, 1.0, 2.0, 0.0]
    assert tr.frame_times_s.tolist() == [0.0, 1.0]
    with pytest.raises(ValueError):
        cm.Trajectories([1, 1], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0])


def test_individual_speed_exact_with_border_handling():
    tr = lattice_walk(3, 4, 0.6, 0.7, stagger=False)
    for step in (1, 3, 5):
        vx, vy = cm.individual_velocities(tr, step)
        ok = np.isfinite(vy)
        assert ok.sum() == 12 * (FRAMES - 2 * step)  # exclude: step samples lost at either end
        np.testing.assert_allclose(vy[ok], -SPEED, rtol=1e-12)
        np.testing.assert_allclose(vx[ok], 0.0, atol=1e-12)
    adaptive = cm.individual_speeds(tr, 5, border="adaptive")
    assert np.isfinite(adaptive).sum() == 12 * (FRAMES - 2)
    np.testing.assert_allclose(adaptive[np.isfinite(adaptive)], SPEED, rtol=1e-12)


def test_classic_density_and_speed_equal_lattice_values():
    dx, dy = 0.5, 0.8
    tr = lattice_walk(4, 20, dx, dy, stagger=True)
    area = cm.Rectangle(0.0, 4 * dx, -1.2, -1.2 + 3 * dy)  # full corridor width, three lattice rows
    series = cm.classic_density_speed(tr, area, cm.individual_speeds(tr, 2))
    np.testing.assert_allclose(series.density_per_m2, 1.0 / (dx * dy), rtol=1e-12)
    assert (series.persons == 12).all()
    ok = np.isfinite(series.speed_m_s)
    assert ok.sum() == FRAMES - 4
    np.testing.assert_allclose(series.speed_m_s[ok], SPEED, rtol=1e-12)


def test_voronoi_density_and_speed_equal_lattice_values():
    dx, dy = 0.5, 0.8
    tr = lattice_walk(4, 20, dx, dy, stagger=False)
    walkable = cm.Rectangle(0.0, 4 * dx, -30.0, 30.0)
    # an area that cuts cells anywhere: equal cells tiling it still give exactly 1 / (dx dy)
    area = cm.Rectangle(0.31, 1.73, -1.13, 0.91)
    speeds = cm.individual_speeds(tr, 1)
    series = cm.voronoi_density_speed(tr, walkable, area, speeds, frame_stride=3)
    assert series.time_s.size == math.ceil(FRAMES / 3)
    np.testing.assert_allclose(series.density_per_m2, 1.0 / (dx * dy), rtol=1e-9)
    ok = np.isfinite(series.speed_m_s)
    assert ok.sum() == series.time_s.size - 2  # frames 0 and 39 (the last one sampled) have no speed
    np.testing.assert_allclose(series.speed_m_s[ok], SPEED, rtol=1e-9)


def test_voronoi_cut_off_bounds_isolated_person():
    cells = cm.voronoi_cells([[5.0, 5.0]], cm.Rectangle(0, 10, 0, 10), cut_off_radius_m=1.0)
    inscribed_24_gon = 0.5 * 24 * math.sin(2 * math.pi / 24)
    assert cm.polygon_area(cells[0]) == pytest.approx(inscribed_24_gon, rel=1e-12)
    tr = cm.Trajectories([1], [0.0], [5.0], [5.0])
    series = cm.voronoi_density_speed(tr, cm.Rectangle(0, 10, 0, 10), cm.Rectangle(3, 7, 3, 7), [1.0],
                                      cut_off_radius_m=1.0)
    assert series.density_per_m2[0] == pytest.approx(1.0 / 16.0)  # the whole cell lies in the 4 m x 4 m area
    assert series.speed_m_s[0] == pytest.approx(1.0)


def test_voronoi_coincident_persons_share_their_cell():
    # two persons tracked at one spot share its 1 m^2 cell; the third has a cell of its own
    tr = cm.Trajectories([1, 2, 3], [0.0, 0.0, 0.0], [0.5, 0.5, 1.5], [0.5, 0.5, 0.5])
    room = cm.Rectangle(0, 2, 0, 1)
    series = cm.voronoi_density_speed(tr, room, room, [1.0, 3.0, 2.0])
    assert series.density_per_m2[0] == pytest.approx(3 / 2.0)
    assert series.speed_m_s[0] == pytest.approx((1.0 * 0.5 + 3.0 * 0.5 + 2.0 * 1.0) / 2.0)


def test_flow_through_line_exact():
    dx, dy = 0.5, 0.8
    columns = 4
    tr = lattice_walk(columns, 20, dx, dy, stagger=True)
    ids, times = cm.line_crossings(tr, (0.0, -0.5), (columns * dx, -0.5), direction=(0.0, -1.0))
    assert np.unique(ids).size == ids.size  # one crossing per person
    t, n = cm.cumulative_count(times)
    assert n[-1] == ids.size and np.all(np.diff(t) > 0)
    # J = rho v W = v columns / dy
    assert cm.flow_between_fractions(times) == pytest.approx(SPEED * columns / dy, rel=1e-9)
    # walking the other way, nobody crosses in the -y direction
    back = cm.Trajectories(tr.person_id, tr.time_s, tr.x_m, -tr.y_m)
    assert cm.line_crossings(back, (0.0, 0.5), (columns * dx, 0.5), direction=(0.0, -1.0))[0].size == 0
    # a line segment that misses the persons counts nobody
    assert cm.line_crossings(tr, (5.0, -0.5), (6.0, -0.5))[0].size == 0


def test_flow_fraction_indices():
    # 10 crossings 1 s apart: N_lo = 1, N_hi = 9 -> 8 persons in 8 s
    assert cm.flow_between_fractions(np.arange(10.0)) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        cm.flow_between_fractions([1.0])


# --- Sutherland-Hodgman clipper ----------------------------------------------------------------


def test_clipper_known_polygons():
    square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    # overlapping squares, clip given clockwise
    shifted_cw = np.array([[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0]])
    piece = cm.clip_convex_polygon(square, shifted_cw)
    assert cm.polygon_area(piece) == pytest.approx(1.0)
    assert piece.min(axis=0).tolist() == [1.0, 1.0] and piece.max(axis=0).tolist() == [2.0, 2.0]
    # triangle x, y >= 1, x + y <= 3.5 over the square's corner: the unit square [1, 2]^2 less
    # its corner x + y > 3.5 (a right triangle of legs 0.5)
    triangle = np.array([[1.0, 1.0], [2.5, 1.0], [1.0, 2.5]])
    assert cm.polygon_area(cm.clip_convex_polygon(triangle, square)) == pytest.approx(1.0 - 0.125)
    # subject inside the clip polygon stays as it is; clip inside the subject gives the clip
    small = np.array([[0.5, 0.5], [1.0, 0.5], [1.0, 1.5]])
    assert cm.polygon_area(cm.clip_convex_polygon(small, square)) == pytest.approx(cm.polygon_area(small))
    assert cm.polygon_area(cm.clip_convex_polygon(square, small)) == pytest.approx(0.25)
    # disjoint polygons, and polygons touching along an edge only
    assert cm.clip_convex_polygon(square, square + 5.0).shape == (0, 2)
    assert cm.polygon_area(cm.clip_convex_polygon(square, square + [2.0, 0.0])) == pytest.approx(0.0)
    # a hexagon clipped by a half-width rectangle keeps half its area
    angle = np.arange(6) * np.pi / 3
    hexagon = np.column_stack([np.cos(angle), np.sin(angle)])
    half = cm.clip_convex_polygon(hexagon, [[0.0, -2.0], [2.0, -2.0], [2.0, 2.0], [0.0, 2.0]])
    assert cm.polygon_area(half) == pytest.approx(cm.polygon_area(hexagon) / 2.0)
    with pytest.raises(ValueError):
        cm.clip_convex_polygon(square, [[0.0, 0.0], [1.0, 1.0]])


# --- Weidmann (1993) ---------------------------------------------------------------------------


def test_weidmann_values_from_reference_notes():
    rho = [0.5, 1.0, 2.0, 3.0, 4.0, 5.0]
    expected = [1.30, 1.06, 0.61, 0.33, 0.16, 0.04]  # crowd.md, section 2
    np.testing.assert_allclose(cm.weidmann_speed(rho), expected, atol=0.005)
    assert cm.weidmann_speed(0.0) == pytest.approx(cm.WEIDMANN_V0)
    assert cm.weidmann_speed(6.0) == 0.0
    rho_cap, flow_cap = cm.weidmann_capacity()
    assert rho_cap == pytest.approx(1.75, abs=0.005)
    assert flow_cap == pytest.approx(1.225, abs=0.0005)
    assert float(cm.weidmann_speed(rho_cap)) == pytest.approx(0.70, abs=0.005)
    assert cm.weidmann_specific_flow(2.0) == pytest.approx(2.0 * float(cm.weidmann_speed(2.0)))


# --- measured data (skipped without $HAZSIM_DATA_DIR) ------------------------------------------


def _file(name, filename):
    try:
        return cm.data_file(name, filename)
    except DataUnavailable as exc:
        pytest.skip(str(exc))


def test_read_fundamental_diagram_tables():
    rho, v = cm.read_fundamental_diagram_table(_file(cm.CORRIDOR_FD_TABLES, "ug-180-060.txt"))
    assert rho.size == 57 and rho[0] == pytest.approx(1.74312) and v[0] == pytest.approx(0.80504)
    rho, v = cm.read_fundamental_diagram_table(_file(cm.UNIDIRECTIONAL_FD_TABLES, "uo-300-300-120.dat"))
    assert rho.size == 75 and rho[0] == pytest.approx(2.51348) and v[0] == pytest.approx(0.31681)
    rho, v = cm.read_fundamental_diagram_table(_file(cm.SINGLE_FILE_FD_TABLES, "n14.dat"))  # blank line after header
    assert rho[0] == pytest.approx(0.77436) and np.all((rho > 0) & (rho < 3)) and np.all(v > 0)


def test_read_bottleneck_tables():
    width, flow = cm.read_bottleneck_flow_table(_file(cm.BOTTLENECK_FLOW_TABLES, "2006Kretz.txt"))
    assert width.size == 20 and width.min() == 0.4 and width.max() == 1.2 and flow[-1] == pytest.approx(2.287)
    width, flow = cm.read_bottleneck_flow_table(_file(cm.BOTTLENECK_FLOW_TABLES, "2009Seyfried.txt"))
    assert width.tolist() == [0.8, 0.9, 1.0, 1.1, 1.2] and flow[0] == pytest.approx(1.288)
    width, _ = cm.read_bottleneck_flow_table(_file(cm.BOTTLENECK_FLOW_TABLES_OTHERS, "2010Daamen.txt"))
    assert width.size == 30


def test_read_trajectory_texts_in_si_units():
    # header "# id frame x/m y/m z/m", 25 fps
    tr = cm.read_trajectory_text(_file(cm.PEDPY_BOTTLENECK, "040_c_56_h-.txt"))
    assert tr.frame_rate_hz == 25.0 and np.unique(tr.person_id).size == 75
    assert tr.time_s.max() == pytest.approx(1656 / 25.0)
    assert -3.0 < tr.x_m.min() and tr.x_m.max() < 3.0 and tr.y_m.max() < 6.5
    # headerless HERMES file: cm at 16 fps
    tr = cm.read_trajectory_text(_file(cm.PEDPY_UNIDIRECTIONAL, "uo-180-180-120.txt"))
    assert tr.frame_rate_hz == 16.0 and np.unique(tr.person_id).size == 170
    assert tr.time_s.max() == pytest.approx(1371 / 16.0)
    assert 7.9 < tr.y_m.max() < 8.1 and -0.6 < tr.x_m.min() < 0.0
    # header "# PersID Frame X Y Z" in metres, "# framerate: 25.00"
    tr = cm.read_trajectory_text(_file(cm.PEDPY_UNIDIRECTIONAL, "traj_UNI_CORR_500_01.txt"))
    assert tr.frame_rate_hz == 25.0 and np.unique(tr.person_id).size == 148
    assert -6.0 < tr.x_m.min() and tr.x_m.max() < 5.0


def test_measured_bottleneck_flow_pedpy():
    _file(cm.PEDPY_BOTTLENECK, "040_c_56_h-.txt")
    from validation.crowd_bottleneck import compare

    flow = compare.pedpy_bottleneck_flow()
    assert flow["persons"] == 75
    assert flow["flow_per_s"] == pytest.approx(1.16, abs=0.02)  # PROVENANCE; measured here 1.161
    assert flow["specific_flow"] == pytest.approx(2.32, abs=0.04)


def test_bottleneck_reference_and_model_score():
    _file(cm.BOTTLENECK_FLOW_TABLES, "2006Kretz.txt")
    _file(cm.BOTTLENECK_FLOW_TABLES, "2009Seyfried.txt")
    from validation.crowd_bottleneck import compare

    js, extrapolated = compare.reference_specific_flow([0.8, 1.0, 1.2, 2.0])
    np.testing.assert_allclose(js, [1.734, 1.863, 1.832, 1.777], atol=0.001)  # measured when set up
    assert extrapolated.tolist() == [False, False, False, True]
    widths = np.array([0.5, 0.8, 1.0, 1.2, 2.5])  # 0.5 m is outside the scored range
    exact = compare.score_model(widths, compare.reference_specific_flow(widths)[0] * widths)
    assert exact["n_widths"] == 4 and exact["passed"] and exact["max_abs_relative_error"] < 1e-12
    high = compare.score_model(widths, 1.15 * compare.reference_specific_flow(widths)[0] * widths)
    assert not high["passed"] and high["mean_relative_error"] == pytest.approx(0.15)


def test_fundamental_diagram_reference_figures():
    for f in ("ug-180-015.txt", "uo-080-300-300.dat"):
        _file(cm.CORRIDOR_FD_TABLES if f.startswith("ug") else cm.UNIDIRECTIONAL_FD_TABLES, f)
    from validation.crowd_fundamental import compare

    try:
        measured = compare.read_measured()
    except DataUnavailable as exc:
        pytest.skip(str(exc))
    assert measured["2test_2D"][0].size == 434 and measured["3test_UO"][0].size == 571
    f = compare.figures()
    # measured when set up: Weidmann RMSE 0.159 (2test_2D), 0.175 (3test_UO), 0.055 (pooled) m/s
    assert f["weidmann_RMSE_2test_2D"] == pytest.approx(0.159, abs=0.002)
    assert f["weidmann_RMSE_3test_UO"] == pytest.approx(0.175, abs=0.002)
    assert f["weidmann_RMSE_pooled"] == pytest.approx(0.055, abs=0.002)
    assert f["weidmann_bins_pooled"] == 16
    # a data set scored against itself is exact; the two data sets differ by ~0.33 m/s
    rho, v = measured["3test_UO"]
    assert compare.score_model(rho, v, reference="3test_UO")["RMSE_m_s"] == pytest.approx(0.0, abs=1e-12)
    assert not compare.score_model(rho, v, reference="2test_2D")["passed"]
    grid = np.linspace(0.01, 3.99, 400)
    weidmann_on_grid = compare.score_model(grid, cm.weidmann_speed(grid))
    assert weidmann_on_grid["passed"] and weidmann_on_grid["n_bins"] == 16


def test_the_model_bottleneck_run_lets_everyone_out_and_a_wider_door_passes_more():
    """The small version of ``hazsim validate crowd_bottleneck``: 60 persons, social force."""
    from validation.crowd_bottleneck.model_runs import simulate_flow

    narrow = simulate_flow(1.0, "social_force", count=60, max_time_s=120.0)
    wide = simulate_flow(2.0, "social_force", count=60, max_time_s=120.0)
    assert narrow["evacuated"] == wide["evacuated"] == 60
    assert wide["flow_per_s"] > 1.3 * narrow["flow_per_s"] > 0.0


def test_the_model_corridor_samples_density_and_speed_in_the_measurement_area():
    """The small version of ``hazsim validate crowd_fundamental``: 60 persons through a 3 m corridor
    with a 1.2 m exit. Classic samples (n / 6 m^2: multiples of 1/6) every 0.1 s while someone is
    in the measurement area, speeds below the social force's cap, and scored on several bins.
    (Whether the speed falls with density as measured is the validation case's verdict.)"""
    from validation.crowd_fundamental import compare
    from validation.crowd_fundamental.model_runs import simulate

    rho, v = simulate(3.0, 1.2, "social_force", count=60, max_time_s=60.0)
    assert rho.size > 100 and np.allclose(rho * 6.0, np.round(rho * 6.0))
    assert rho.max() >= 1.0 and np.all((v >= 0.0) & (v < 2.0 * 1.3))
    assert compare.score_model(rho, v)["n_bins"] >= 3


def test_the_corridor_speed_is_the_displacement_over_the_data_interval():
    """A lone walker crosses the measurement area at its desired speed: every sample has density
    1/6 m^-2 and the same speed, the displacement over Delta t' = 10 frames at 16 fps over Delta t'."""
    from validation.crowd_fundamental.model_runs import SPEED_INTERVAL_S, simulate

    assert SPEED_INTERVAL_S == pytest.approx(0.625)
    rho, v = simulate(3.0, 3.0, "collision_free_speed", count=1, max_time_s=30.0)
    assert rho.size >= 10 and np.allclose(rho, 1.0 / 6.0)
    assert 0.5 < v[0] < 2.5 and np.ptp(v) < 1e-3 * v[0]
