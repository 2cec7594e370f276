"""Floor field by fast marching (Sethian 1996): analytic distances, convergence order,
shortest paths around an obstacle, symmetry, the Python twin, exits closing, speed, and
walking directions that never lead into a wall."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.crowd.floor_field import ExitSpec, FloorField, fast_march_reference
from models.crowd.geometry import Geometry, move_crosses_wall
from sim.grid import RasterGrid

SIDE = 10.0
SQUARE = Geometry.from_shapes([[(0.0, 0.0), (SIDE, 0.0), (SIDE, SIDE), (0.0, SIDE)]])


def square_grid(n: int) -> RasterGrid:
    return RasterGrid(shape=(n, n), spacing_m=(SIDE / n, SIDE / n))


def polygon_circle(cx, cy, radius, n=64):
    """A regular n-gon circumscribing the circle, so that the obstacle covers the whole disc."""
    k = np.arange(n)
    r = radius / math.cos(math.pi / n)
    return list(zip(cx + r * np.cos(2 * np.pi * k / n), cy + r * np.sin(2 * np.pi * k / n)))


def point_exit_errors(order: int, sizes=(41, 81, 161)):
    """(h, max error, mean error) of T against |x - x_e| for a point exit in the middle.

    Odd sizes put the exit on a cell centre of every grid.
    """
    rows = []
    for n in sizes:
        grid = square_grid(n)
        field = FloorField(SQUARE, grid, [[(5.0, 5.0)]], order=order)
        X, Y = np.meshgrid(grid.x, grid.y)
        error = np.abs(field.time - np.hypot(X - 5.0, Y - 5.0))
        rows.append((grid.dx, error.max(), error.mean()))
    return rows


def observed_orders(rows):
    return [math.log(e0 / e1) / math.log(h0 / h1) for (h0, e0, _), (h1, e1, _) in zip(rows[:-1], rows[1:])]


def test_second_order_point_exit_converges_like_h():
    rows = point_exit_errors(order=2)
    orders = observed_orders(rows)
    print("\nsecond order: h, max error, mean error:", rows, "observed orders (max):", orders)
    for h, max_error, _ in rows:
        assert max_error < 0.35 * h  # within first-order error
    assert min(orders) >= 0.95


def test_first_order_point_exit_converges_like_h_log_h():
    # The point source's curvature makes first-order marching converge like h log(1/h)
    # (the error's ratio to h grows with log(1/h)); the observed order is ~0.7-0.8 here.
    rows = point_exit_errors(order=1)
    orders = observed_orders(rows)
    print("\nfirst order: h, max error, mean error:", rows, "observed orders (max):", orders)
    ratios = [e / (h * math.log(SIDE / h)) for h, e, _ in rows]
    assert max(ratios) < 0.35 and max(ratios) / min(ratios) < 1.15
    assert min(orders) >= 0.65


def test_shortest_path_around_a_pillar():
    # 20 m square, round pillar of radius 3 m at the centre, exit below it: behind the pillar
    # the shortest path is tangent + arc + tangent.
    side, radius = 20.0, 3.0
    centre, exit_point = np.array([10.0, 10.0]), np.array([10.0, 3.0])
    geometry = Geometry.from_shapes([[(0, 0), (side, 0), (side, side), (0, side)]], [polygon_circle(10, 10, radius)])
    grid = RasterGrid(shape=(200, 200), spacing_m=(0.1, 0.1))
    field = FloorField(geometry, grid, [[tuple(exit_point)]])

    def geodesic(p):
        dp, de = np.linalg.norm(p - centre), np.linalg.norm(exit_point - centre)
        angle = math.acos(np.dot(p - centre, exit_point - centre) / (dp * de))
        return (math.sqrt(dp * dp - radius * radius) + math.sqrt(de * de - radius * radius)
                + radius * (angle - math.acos(radius / dp) - math.acos(radius / de)))

    points = np.random.default_rng(1).uniform([7.0, 14.0], [13.0, 19.0], (300, 2))  # all in the shadow
    exact = np.array([geodesic(p) for p in points])
    assert np.all(exact > np.linalg.norm(points - exit_point, axis=1) + 0.1)  # the detour is real
    relative = np.abs(field.time_at(points[:, 0], points[:, 1]) - exact) / exact
    assert relative.max() < 0.02


def test_symmetric_domain_gives_a_symmetric_field():
    # 12 m x 8 m hall, symmetric about x = 6: a pillar on the axis, two side stalls, one
    # exit at the bottom middle and a door line at the top middle.
    hall = [(0, 0), (12, 0), (12, 8), (0, 8)]
    # (no outline through a cell centre: there the mirrored centres' rounding could differ)
    obstacles = [[(5, 3), (7, 3), (7, 4.6), (5, 4.6)], [(1.05, 5.05), (2.45, 5.05), (2.45, 6.05)],
                 [(10.95, 5.05), (9.55, 5.05), (9.55, 6.05)]]
    geometry = Geometry.from_shapes([hall], obstacles, walls=[[(3, 2.05), (4, 1.05)], [(9, 2.05), (8, 1.05)]])
    grid = RasterGrid(shape=(40, 60), spacing_m=(0.2, 0.2))
    for order in (1, 2):
        field = FloorField(geometry, grid, [[(6.0, 0.3)], [(5.0, 8.0), (7.0, 8.0)]], order=order)
        np.testing.assert_array_equal(field.passable, field.passable[:, ::-1])
        finite = np.isfinite(field.time)
        np.testing.assert_array_equal(finite, finite[:, ::-1])
        np.testing.assert_allclose(field.time[finite], field.time[:, ::-1][finite], rtol=0, atol=1e-12)
        # Directions on walkable cells off the axis (on it, and in cells filled from equidistant
        # walkable cells, a tie picks one side, and mirrored centres differ by rounding).
        off_axis = field.passable & (np.abs(grid.x - 6.0) > 0.25)[None, :]
        np.testing.assert_allclose(field.direction_x[off_axis], -field.direction_x[:, ::-1][off_axis], atol=1e-9)
        np.testing.assert_allclose(field.direction_y[off_axis], field.direction_y[:, ::-1][off_axis], atol=1e-9)


def small_scene(order):
    """A 9.6 m square on a 24 x 24 grid: an obstacle, a pillar, a thin wall, two exits, slow stairs."""
    geometry = Geometry.from_shapes([[(0, 0), (9.6, 0), (9.6, 9.6), (0, 9.6)]],
                                    [[(3, 3), (7, 3), (7, 4), (3, 4)], polygon_circle(2.0, 7.0, 0.7, 12)],
                                    walls=[[(2, 6), (8, 7.3)]])
    grid = RasterGrid(shape=(24, 24), spacing_m=(0.4, 0.4))
    speed = np.ones(grid.shape)
    speed[:, 18:] = 0.6  # stairs
    exits = {"south": [(5.0, 1.0)], "west door": [(0.0, 9.0), (0.0, 9.6)]}
    return FloorField(geometry, grid, exits, speed=speed, order=order)


@pytest.mark.parametrize("order", [1, 2])
def test_numba_equals_the_python_twin(order):
    field = small_scene(order)
    grid = field.grid
    for closed in ((), ("south",)):
        field.recompute(closed_exits=closed)
        seed = np.full(grid.shape, np.inf)
        for k, distance in enumerate(field.exit_seeds):
            if field.exit_names[k] not in closed:
                seed = np.minimum(seed, distance)
        seed = seed / field.speed
        reference = fast_march_reference(field.speed, field.link_x, field.link_y, seed, grid.dx, grid.dy,
                                          order == 2)
        np.testing.assert_array_equal(field.time, reference)
        assert np.isfinite(field.time).sum() > 0.8 * grid.size


def test_closing_an_exit_switches_to_the_other():
    exits = [ExitSpec(name="left", line_m=[(0.0, 4.0), (0.0, 6.0)]),
             ExitSpec(name="right", polygon_m=[(9.0, 4.0), (10.0, 4.0), (10.0, 6.0), (9.0, 6.0)])]
    grid = square_grid(50)
    both = FloorField(SQUARE, grid, exits)
    right_only = FloorField(SQUARE, grid, exits[1:])
    left_only = FloorField(SQUARE, grid, exits[:1])
    # the minimum of the two fields, except for rounding-size differences where the fronts meet
    nearest = np.minimum(left_only.time, right_only.time)
    assert np.all(both.time <= nearest + 1e-12) and np.abs(both.time - nearest).max() < 0.3 * grid.dx
    both.recompute(closed_exits=["left"])
    np.testing.assert_array_equal(both.time, right_only.time)
    ex, _ = both.direction(np.array([1.0, 3.0]), np.array([5.0, 5.0]))
    assert np.all(ex > 0.99)  # everyone now heads right, also next to the closed door
    both.recompute(closed_exits=[1])
    np.testing.assert_array_equal(both.time, left_only.time)
    assert both.closed_exits == (1,)
    both.recompute(closed_exits=[0, "right"])
    assert np.all(np.isinf(both.time))
    ex, ey = both.direction(np.array([5.0]), np.array([5.0]))
    assert ex[0] == 0.0 and ey[0] == 0.0
    with pytest.raises(ValueError, match="no exit named 'front'"):
        both.recompute(closed_exits=["front"])


def test_speed_scales_the_time():
    grid = square_grid(40)
    walking = [[(5.0, 1.0)], [(0.0, 9.0), (0.0, 9.6)]]
    base = FloorField(SQUARE, grid, walking)
    halved = FloorField(SQUARE, grid, walking, speed=0.5)
    finite = np.isfinite(base.time)
    np.testing.assert_allclose(halved.time[finite], 2.0 * base.time[finite], rtol=1e-14)
    np.testing.assert_array_equal(halved.direction_x, base.direction_x)
    base.recompute(speed=0.5)  # an event slows everyone down
    np.testing.assert_array_equal(base.time, halved.time)


def test_a_new_speed_field_can_block_cells_and_exits():
    # Water floods the lower half: impassable, but for a strip x = 8..9 just below y = 5 that
    # people wade through at 0.3 m/s. The point exit is under water.
    exits = {"point": [(5.0, 1.0)], "door": [(0.0, 9.0), (0.0, 9.6)]}
    grid = square_grid(50)
    flooded = np.ones(grid.shape)
    flooded[grid.y < 5.0, :] = 0.0
    ford = (grid.y[:, None] >= 4.0) & (grid.y[:, None] < 5.0) & (grid.x[None, :] > 8.0) & (grid.x[None, :] < 9.0)
    flooded[ford] = 0.3
    field = FloorField(SQUARE, grid, exits)
    field.recompute(speed=flooded)
    fresh_exits = {"door": exits["door"]}  # the point exit is under water: unusable
    fresh = FloorField(SQUARE, grid, fresh_exits, speed=flooded)
    np.testing.assert_array_equal(field.time, fresh.time)
    assert not field.passable[grid.y < 4.0].any() and np.isinf(field.time[grid.y < 4.0]).all()
    field.recompute(speed=1.0)  # the water recedes
    np.testing.assert_array_equal(field.time, FloorField(SQUARE, grid, exits).time)


def test_slow_stairs_in_a_corridor():
    # 20 m x 2 m corridor, exit at x = 0, walking speed 1 m/s up to x = 10 and 0.5 m/s beyond:
    # T = x for x < 10 and 10 + 2 (x - 10) after (a plane front along the grid axis).
    corridor = Geometry.from_shapes([[(0, 0), (20, 0), (20, 2), (0, 2)]])
    grid = RasterGrid(shape=(10, 100), spacing_m=(0.2, 0.2))
    speed = np.where(grid.x[None, :] < 10.0, 1.0, 0.5) * np.ones(grid.shape)
    field = FloorField(corridor, grid, [[(0.0, 0.0), (0.0, 2.0)]], speed=speed)
    x = grid.x
    exact = np.where(x < 10.0, x, 10.0 + 2.0 * (x - 10.0))
    assert np.abs(field.time - exact[None, :]).max() < 2 * grid.dx


def test_directions_point_down_the_gradient():
    grid = square_grid(81)
    field = FloorField(SQUARE, grid, [[(5.0, 5.0)]])
    points = np.random.default_rng(4).uniform(0.0, SIDE, (20000, 2))
    ex, ey = field.direction(points[:, 0], points[:, 1])
    towards = np.array([5.0, 5.0]) - points
    distance = np.hypot(towards[:, 0], towards[:, 1])
    away = distance > 0.5
    cosine = (ex * towards[:, 0] + ey * towards[:, 1])[away] / distance[away]
    angle = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    assert angle.max() < 8.0 and angle.mean() < 1.0
    np.testing.assert_allclose(np.hypot(ex, ey)[away], 1.0, atol=1e-12)


def test_directions_never_lead_into_a_wall():
    geometry = Geometry.from_shapes(
        [[(0, 0), (10, 0), (10, 10), (0, 10)]],
        [[(3, 3), (7, 3), (7, 4), (3, 4)], polygon_circle(2.0, 2.0, 0.6, 24), [(6, 6), (7, 6.2), (6.5, 7.5)]],
        walls=[[(2, 6), (8, 7)], [(8.5, 0), (8.5, 2)]])
    grid = RasterGrid(shape=(50, 50), spacing_m=(0.2, 0.2))
    field = FloorField(geometry, grid, [[(5.0, 0.5)], [(0.0, 9.0), (0.0, 10.0)], [(9.2, 0.0), (10.0, 0.0)]])
    points = np.random.default_rng(5).uniform(0.0, 10.0, (60000, 2))
    points = points[geometry.contains(points[:, 0], points[:, 1])]
    ex, ey = field.direction(points[:, 0], points[:, 1])
    step = points + 0.05 * np.column_stack([ex, ey])
    assert geometry.contains(step[:, 0], step[:, 1]).all()
    assert not any(move_crosses_wall(p[0], p[1], q[0], q[1], *field.index.kernel_args()) for p, q in zip(points, step))
    # Zero only next to exits (reached) or pinned against walls straight ahead
    moving = np.hypot(ex, ey) > 0.5
    assert moving.mean() > 0.995


def test_thin_wall_with_a_gap():
    # A partition at y = 5 with a 1 m gap at x = 8..9; exit at (2, 1). Above the partition the
    # path goes through the gap: |p - corner| + |corner - exit| via the nearer gap end.
    room = Geometry.from_shapes([[(0, 0), (10, 0), (10, 10), (0, 10)]], walls=[[(0, 5), (8, 5)], [(9, 5), (10, 5)]])
    grid = square_grid(100)
    field = FloorField(room, grid, [[(2.05, 1.05)]])
    assert not field.link_y[49, :80].any() and field.link_y[49, 81:89].all()
    exit_point, corner = np.array([2.05, 1.05]), np.array([8.0, 5.0])
    points = np.column_stack([np.linspace(1.0, 7.0, 7), np.full(7, 8.0)])
    exact = np.linalg.norm(points - corner, axis=1) + np.linalg.norm(corner - exit_point)
    np.testing.assert_allclose(field.time_at(points[:, 0], points[:, 1]), exact, rtol=0.02)


def test_bad_exits_and_grids():
    grid = square_grid(20)
    with pytest.raises(ValueError, match="exit 0 touches no walkable cell"):
        FloorField(SQUARE, grid, [[(20.0, 20.0)]])
    with pytest.raises(ValueError, match="beyond the grid"):
        FloorField(SQUARE, RasterGrid(shape=(10, 10), spacing_m=(0.5, 0.5)), [[(1.0, 1.0)]])
    with pytest.raises(ValueError, match="exactly one of"):
        ExitSpec(point_m=(1.0, 1.0), line_m=[(0.0, 0.0), (1.0, 0.0)])
    with pytest.raises(ValueError, match="at least one exit"):
        FloorField(SQUARE, grid, [])
