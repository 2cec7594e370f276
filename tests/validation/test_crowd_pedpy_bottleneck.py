"""The crowd model replaying the measured bottleneck run 040_c_56_h- (PedPy demo data; Adrian et
al. 2020, J. R. Soc. Interface 17:20190871): 75 persons from their measured first-frame positions
through a 0.5 m wide, 1.1 m long bottleneck (validation.crowd_bottleneck.model_runs).

Physics checked: the start bodies neither overlap each other nor the walls (the radius bounds);
the walkable polygon is mirror-symmetric about x = 0 and encloses the measured start positions;
in the collision-free speed model (Tordeux et al. 2016) with its defaults (model radius
0.15 m) everybody passes the bottleneck, entering it before crossing the measurement line,
nobody's centre ever leaves the walkable area (no one inside the barrier), the ones starting near
the entrance pass first (rank correlation), and the flow through y = -0.5 m lies in a physical
band (0.5-3 1/s; measured 1.16 1/s). Skipped without the measured data ($HAZSIM_DATA_DIR).
"""

import numpy as np
import pytest

from sim.io.data import DataUnavailable
from validation.crowd_bottleneck import model_runs as mr


@pytest.fixture(scope="module")
def start():
    try:
        return mr.pedpy_start_positions()
    except DataUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def replay(start):
    # the collision-free speed model's defaults (its model radius 0.15 m, models.crowd.forces)
    return mr.simulate_pedpy_bottleneck("collision_free_speed", max_time_s=150.0)


def test_walkable_polygon_is_symmetric_and_holds_the_start(start):
    poly = mr.pedpy_walkable()
    mirrored = {(round(-x, 9), round(y, 9)) for x, y in poly}
    assert mirrored == {(round(x, 9), round(y, 9)) for x, y in poly}
    # shoelace area: waiting area 5.6 x 8, bottleneck 0.5 x 1.1 plus two chamfer triangles, exit area 4 x 0.9
    x, y = poly[:, 0], poly[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    assert area == pytest.approx(5.6 * 8.0 + 0.5 * 1.1 + 2 * 0.5 * 0.15 ** 2 + 4.0 * 0.9, abs=1e-9)
    from matplotlib.path import Path
    _, sx, sy = start
    assert Path(poly).contains_points(np.column_stack([sx, sy])).all()
    assert np.all(sy > 0)  # all 75 start in the waiting area


def test_start_radii_leave_no_overlap(start):
    _, x, y = start
    poly = mr.pedpy_walkable()
    bounds = mr.start_radius_bounds(x, y, poly)
    high = bounds[:, 1]
    assert np.all(bounds[:, 0] <= high) and np.all(high <= mr.PEDPY_MAX_RADIUS_M)
    gap = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    pair = high[:, None] + high[None, :] + 2 * np.sqrt(2) * mr.PEDPY_START_BOX_M  # worst case in the start boxes
    np.fill_diagonal(gap, np.inf)
    assert np.all(pair < gap)
    assert np.all(high + np.sqrt(2) * mr.PEDPY_START_BOX_M < mr.polygon_boundary_distance(x, y, poly))
    with pytest.raises(ValueError, match="max_radius_m"):
        mr.start_radius_bounds(x, y, poly, max_radius_m=0.0)


def test_polygon_boundary_distance_of_known_points():
    square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    d = mr.polygon_boundary_distance([1.0, 0.5, 3.0], [1.0, 1.0, 3.0], square)
    np.testing.assert_allclose(d, [1.0, 0.5, np.sqrt(2.0)])


def test_model_starts_at_the_measured_positions(replay):
    traj = replay["trajectories"]
    first = traj.time_s == 0.0
    assert np.array_equal(traj.person_id[first], np.arange(75))
    assert np.max(np.abs(traj.x_m[first] - replay["start_x"])) <= mr.PEDPY_START_BOX_M
    assert np.max(np.abs(traj.y_m[first] - replay["start_y"])) <= mr.PEDPY_START_BOX_M


def test_everyone_passes_in_order_and_nobody_enters_the_barrier(replay):
    assert replay["evacuated"] == 75.0
    ids, times = replay["crossing_ids"], replay["crossing_times"]
    assert np.array_equal(np.sort(ids), np.arange(75))  # each person crosses y = -0.5 m once, first time
    assert replay["min_wall_distance_m"] > 0.0  # every centre inside the walkable area at every step
    traj = replay["trajectories"]
    from validation.crowd_measures import line_crossings
    entry_ids, entry_times = line_crossings(traj, (-0.25, 0.0), (0.25, 0.0), direction=(0.0, -1.0))
    order = np.argsort(entry_ids)
    assert np.array_equal(entry_ids[order], np.arange(75))
    assert np.all(entry_times[order] < times[np.argsort(ids)])  # into the bottleneck, then across the line
    # those near the entrance leave first: Spearman rank correlation of start distance and crossing time
    distance = np.hypot(replay["start_x"], replay["start_y"])[ids]
    ranks = [np.argsort(np.argsort(v)) for v in (distance, times)]
    rho = np.corrcoef(*ranks)[0, 1]
    assert rho > 0.6


def test_flow_in_physical_band(replay):
    assert 0.5 <= replay["flow_per_s"] <= 3.0
    assert replay["first_crossing_s"] < replay["last_crossing_s"] < 150.0
