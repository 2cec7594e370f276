"""Image cameras: pixels to world points and back, and rays cast on a bilinear height field.

Conventions under test (see :mod:`sim.render.images.cameras`): world x east, y north, z up;
pixel coordinates (u, v) = (col, row) with pixel centres at i + 1/2; fields [row = y, col = x]
with y growing with the row index, images north up (row 0 at the top).
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from sim.grid import RasterGrid
from sim.kernels.interpolation import bilinear_points
from sim.render.images.cameras import (
    OrthographicCamera,
    PinholeCamera,
    _height,
    cast_heightfield,
    cast_heightfield_reference,
    sample_bilinear,
)

FLAT = RasterGrid(shape=(200, 200), spacing_m=(2.0, 2.0), origin_m=(-200.0, -200.0))
GROUND_Z = 12.5


def cast(origins, directions, elevation, grid, max_distance=np.inf):
    o, d = np.broadcast_arrays(np.atleast_2d(np.asarray(origins, float)), np.atleast_2d(np.asarray(directions, float)))
    return cast_heightfield(np.ascontiguousarray(o), np.ascontiguousarray(d), np.ascontiguousarray(elevation, float),
                            grid.x0, grid.y0, grid.dx, grid.dy, float(max_distance))


def flat_ground(grid=FLAT, z=GROUND_Z):
    return np.full(grid.shape, z)


def hills(grid):
    X, Y = np.meshgrid(grid.x, grid.y)
    return (15.0 * np.sin(X / 37.0) * np.cos(Y / 53.0) + 40.0 * np.exp(-((X - 60.0) ** 2 + (Y - 90.0) ** 2) / 45.0**2)
            + 0.3 * np.random.default_rng(3).normal(size=X.shape))


# --------------------------------------------------------------------------- orthographic


def test_orthographic_pixel_centres_are_cell_centres_north_up():
    grid = RasterGrid(shape=(4, 6), spacing_m=(10.0, 5.0), origin_m=(100.0, 200.0))
    cam = OrthographicCamera.from_grid(grid)
    assert (cam.width_px, cam.height_px) == (6, 4)
    assert cam.pixel_size_m == (5.0, 10.0) and cam.gsd_m == 10.0
    g = cam.ground_points()
    assert g.shape == (4, 6, 2)
    np.testing.assert_allclose(g[..., 0], np.broadcast_to(grid.x, (4, 6)))
    np.testing.assert_allclose(g[..., 1], np.broadcast_to(grid.y[::-1, None], (4, 6)))
    assert g[0, 0, 1] == grid.y.max()  # row 0 at the north edge
    # a field that grows northward is brightest at the top of the image: image = field[::-1]
    field = np.repeat(np.arange(4.0)[:, None], 6, axis=1) * 3.0 + np.arange(6.0)
    image = sample_bilinear(field, grid.x0, grid.y0, grid.dx, grid.dy, g[..., 0], g[..., 1])
    np.testing.assert_allclose(image, field[::-1], atol=1e-12)


def test_orthographic_any_extent_and_project_inverts_ground_points():
    cam = OrthographicCamera((10.0, 30.0, -5.0, 15.0), width_px=8, height_px=4)
    g = cam.ground_points()
    np.testing.assert_allclose(g[0, 0], [11.25, 12.5])
    np.testing.assert_allclose(g[-1, -1], [28.75, -2.5])
    pts = np.column_stack([g.reshape(-1, 2), np.full(32, 7.0)])
    uv = cam.project(pts)
    rows, cols = np.divmod(np.arange(32), 8)
    np.testing.assert_allclose(uv, np.column_stack([cols + 0.5, rows + 0.5]), atol=1e-12)
    np.testing.assert_array_equal(np.floor(uv).astype(int), np.column_stack([cols, rows]))
    np.testing.assert_allclose(cam.project([[10.0, 15.0, 0.0], [30.0, -5.0, 0.0]]), [[0.0, 0.0], [8.0, 4.0]])
    assert OrthographicCamera.from_grid(FLAT, gsd_m=8.0).width_px == 50


@pytest.mark.parametrize("kwargs", [dict(extent_m=(0.0, 0.0, 0.0, 1.0), width_px=2, height_px=2),
                                    dict(extent_m=(0.0, 1.0, 0.0, 1.0), width_px=0, height_px=2),
                                    dict(extent_m=(0.0, 1.0, 0.0, 1.0), width_px=2.5, height_px=2)])
def test_orthographic_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        OrthographicCamera(**kwargs)


# --------------------------------------------------------------------------- pinhole geometry


def test_intrinsics_and_extrinsics_agree_with_project():
    cam = PinholeCamera((5.0, -3.0, 40.0), 33.0, -21.0, 7.0, 75.0, 64, 48)
    K, E, R = cam.intrinsics, cam.extrinsics, cam.rotation
    f = 32.0 / math.tan(math.radians(37.5))
    np.testing.assert_allclose(K, [[f, 0.0, 32.0], [0.0, f, 24.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(R) == pytest.approx(1.0)
    np.testing.assert_allclose(E[3], [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(E[:3, :3] @ cam.position_m + E[:3, 3], 0.0, atol=1e-12)
    pts = np.random.default_rng(1).uniform([-50, 0, 0], [50, 100, 20], (20, 3))
    cam_xyz = (E @ np.column_stack([pts, np.ones(20)]).T)[:3].T
    uv, depth = cam.project(pts)
    front = cam_xyz[:, 2] > 0
    np.testing.assert_allclose(depth[front], cam_xyz[front, 2])
    pix = (K @ cam_xyz[front].T).T
    np.testing.assert_allclose(uv[front], pix[:, :2] / pix[:, 2:], rtol=1e-12)
    assert cam.vertical_fov_deg == pytest.approx(2 * math.degrees(math.atan(24.0 / f)))
    meta = cam.metadata()
    assert meta["extrinsics"] == E.tolist() and meta["intrinsics"] == K.tolist()


def test_rays_are_unit_and_the_centre_ray_is_the_optical_axis():
    cam = PinholeCamera((0.0, 0.0, 10.0), 120.0, -35.0, 12.0, 50.0, 31, 21)
    rays = cam.rays()
    assert rays.shape == (21, 31, 3)
    np.testing.assert_allclose(np.linalg.norm(rays, axis=-1), 1.0)
    np.testing.assert_allclose(rays[10, 15], cam.forward, atol=1e-12)  # odd size: a pixel at the centre
    np.testing.assert_allclose(cam.forward, [math.sin(math.radians(120)) * math.cos(math.radians(35)),
                                             math.cos(math.radians(120)) * math.cos(math.radians(35)),
                                             -math.sin(math.radians(35))], atol=1e-12)
    np.testing.assert_allclose(rays[4, 7], cam.pixel_rays(7.5, 4.5))


@pytest.mark.parametrize("yaw", [0.0, 90.0, 215.0])
def test_nadir_camera_over_flat_ground(yaw):
    h, hfov, W, H = 50.0, 60.0, 101, 81
    C = np.array([3.7, -5.2, GROUND_Z + h])
    cam = PinholeCamera(C, yaw, -90.0, 0.0, hfov, W, H)
    points, distance, hit = cam.cast(flat_ground(), FLAT)
    assert hit.all()
    np.testing.assert_allclose(points[40, 50], [C[0], C[1], GROUND_Z], atol=1e-9)  # the image centre
    assert distance[40, 50] == pytest.approx(h, abs=1e-9)
    psi = math.radians(yaw)
    right, up = np.array([math.cos(psi), -math.sin(psi)]), np.array([math.sin(psi), math.cos(psi)])
    half = h * math.tan(math.radians(hfov / 2))
    edges = np.array([[W, H / 2], [W - 0.5, H / 2], [W / 2, 0.0]])  # right edge, rightmost centre, top edge
    p, _, ok = cast(C, cam.pixel_rays(edges[:, 0], edges[:, 1]), flat_ground(), FLAT)
    assert ok.all()
    np.testing.assert_allclose(p[0, :2], C[:2] + half * right, atol=1e-9)
    np.testing.assert_allclose(p[1, :2], C[:2] + half * (W - 1) / W * right, atol=1e-9)
    np.testing.assert_allclose(p[2, :2], C[:2] + half * H / W * up, atol=1e-9)  # top of the image: azimuth yaw
    np.testing.assert_allclose(points[..., 2], GROUND_Z, atol=1e-9)


@pytest.mark.parametrize("yaw, theta", [(0.0, 10.0), (60.0, 25.0), (180.0, 45.0), (300.0, 70.0)])
def test_pitched_camera_hits_flat_ground_at_h_over_sin_theta(yaw, theta):
    h = 30.0
    C = np.array([-10.0, 20.0, GROUND_Z + h])
    cam = PinholeCamera(C, yaw, -theta, 5.0, 70.0, 33, 25)
    p, t, ok = cast(C, cam.forward, flat_ground(), FLAT)
    assert ok[0]
    assert t[0] == pytest.approx(h / math.sin(math.radians(theta)), abs=1e-9)
    along = h / math.tan(math.radians(theta))
    np.testing.assert_allclose(p[0], [C[0] + along * math.sin(math.radians(yaw)),
                                      C[1] + along * math.cos(math.radians(yaw)), GROUND_Z], atol=1e-9)
    _, depth = cam.project(p)
    assert depth[0] == pytest.approx(t[0])  # on the axis, depth is the distance


def test_project_of_a_hit_returns_its_pixel():
    grid = RasterGrid(shape=(120, 150), spacing_m=(1.5, 1.0), origin_m=(0.0, 0.0))
    elevation = hills(grid)
    cam = PinholeCamera((20.0, 5.0, 45.0), 40.0, -20.0, -8.0, 65.0, 64, 48)
    points, distance, hit = cam.cast(elevation, grid)
    assert 0.3 < hit.mean() < 1.0  # ground and sky in view
    uv, depth = cam.project(points[hit])
    v, u = np.nonzero(hit)
    assert np.abs(uv - np.column_stack([u + 0.5, v + 0.5])).max() < 0.01
    np.testing.assert_allclose(depth, distance[hit] * (cam.rays()[hit] @ cam.forward), rtol=1e-12)
    assert np.all(np.isnan(points[~hit])) and np.all(np.isnan(distance[~hit]))


def test_points_behind_the_camera_project_to_nan():
    cam = PinholeCamera((0.0, 0.0, 10.0), 0.0, 0.0, 0.0, 90.0, 20, 10)  # looking north
    uv, depth = cam.project([[0.0, 50.0, 10.0], [3.0, -50.0, 10.0], [5.0, 0.0, 2.0], [1.0, 1.0, 9.0]])
    np.testing.assert_allclose(uv[0], [10.0, 5.0])
    assert depth[0] == pytest.approx(50.0)
    assert np.isnan(uv[1:3]).all() and np.isnan(depth[1:3]).all()  # behind, and in the camera's plane
    assert np.isfinite(uv[3]).all() and depth[3] == pytest.approx(1.0)


def test_roll_lowers_the_right_side():
    cam = PinholeCamera((0.0, 0.0, 0.0), 0.0, 0.0, 20.0, 90.0, 100, 100)
    (u, v), = cam.project([[30.0, 100.0, 0.0]])[0]  # on the horizon, right of the axis
    assert u > 50.0 and v < 50.0  # banking right: the horizon rises on the right
    (u, v), = PinholeCamera((0.0, 0.0, 0.0), 0.0, 0.0, 90.0, 90.0, 100, 100).project([[30.0, 100.0, 0.0]])[0]
    assert u == pytest.approx(50.0) and v < 50.0  # east is up


@pytest.mark.parametrize("kwargs", [dict(pitch_deg=-91.0), dict(horizontal_fov_deg=180.0), dict(width_px=0),
                                    dict(position_m=(0.0, np.nan, 1.0))])
def test_pinhole_refuses_bad_arguments(kwargs):
    args = dict(position_m=(0.0, 0.0, 1.0), yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, horizontal_fov_deg=60.0,
                width_px=4, height_px=4) | kwargs
    with pytest.raises(ValueError):
        PinholeCamera(**args)


# --------------------------------------------------------------------------- height field


def test_ray_stops_on_a_planar_slope_where_the_plane_says():
    grid = RasterGrid(shape=(80, 100), spacing_m=(1.5, 2.0), origin_m=(-50.0, 30.0))
    a, b, c = 0.35, -0.12, 4.0
    X, Y = np.meshgrid(grid.x, grid.y)
    elevation = a * X + b * Y + c  # bilinear interpolation is exact on a plane (inside the cell centres)
    rng = np.random.default_rng(7)
    n = 400
    target = np.column_stack([rng.uniform(grid.x[0], grid.x[-1], n), rng.uniform(grid.y[0], grid.y[-1], n)])
    target = np.column_stack([target, a * target[:, 0] + b * target[:, 1] + c])
    origins = target + rng.uniform([-60, -40, 5], [60, 40, 60], (n, 3))
    origins[:, 2] = np.maximum(origins[:, 2], a * origins[:, 0] + b * origins[:, 1] + c + 1.0)
    inside = (origins[:, 0] > grid.x[0]) & (origins[:, 0] < grid.x[-1]) & (origins[:, 1] > grid.y[0]) & (
        origins[:, 1] < grid.y[-1])
    origins, target = origins[inside], target[inside]
    directions = target - origins
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    points, distance, hit = cast(origins, directions, elevation, grid)
    # analytic: O_z + t d_z = a (O_x + t d_x) + b (O_y + t d_y) + c, first (only) crossing of the plane
    t = (a * origins[:, 0] + b * origins[:, 1] + c - origins[:, 2]) / (
        directions[:, 2] - a * directions[:, 0] - b * directions[:, 1])
    assert hit.all()
    assert np.abs(distance - t).max() < 1e-3
    assert np.abs(points - (origins + t[:, None] * directions)).max() < 1e-3


def test_ray_toward_a_hill_stops_on_its_face():
    grid = RasterGrid(shape=(100, 100), spacing_m=(1.0, 1.0))
    X, Y = np.meshgrid(grid.x, grid.y)
    elevation = 30.0 * np.exp(-((X - 60.0) ** 2 + (Y - 50.0) ** 2) / 12.0**2)
    origins = np.array([[5.0, 50.0, 15.0], [5.0, 50.0, 29.0], [5.0, 50.0, 31.0]])
    points, distance, hit = cast(origins, [1.0, 0.0, 0.0], elevation, grid)  # eastward, level
    assert hit[:2].all() and not hit[2]  # the last passes over the top (30 m)
    for k in range(2):
        x = points[k, 0]
        assert 40.0 < x < 60.0  # the western (front) face
        assert points[k, 2] == pytest.approx(origins[k, 2])
        assert _height(elevation, 0.0, 0.0, 1.0, 1.0, x, 50.0) == pytest.approx(origins[k, 2], abs=1e-6)
        xs = np.linspace(5.0, x - 1e-3, 2000)  # nothing in front of the hit is below ground
        below = sample_bilinear(elevation, 0.0, 0.0, 1.0, 1.0, xs, np.full_like(xs, 50.0))
        assert np.all(below < origins[k, 2])


def test_rays_that_leave_the_grid_or_travel_too_far_miss():
    grid = RasterGrid(shape=(50, 60), spacing_m=(2.0, 2.0))
    elevation = hills(grid)
    top = elevation.max()
    origins = np.array([
        [60.0, 50.0, top + 5.0],  # climbing
        [60.0, 50.0, top + 5.0],  # level above every cell
        [60.0, 50.0, top + 50.0],  # descending, but leaves the side first
        [-10.0, 50.0, top],  # outside, pointing away
        [60.0, 50.0, top + 5.0],  # would hit, but beyond max_distance
        [60.0, 50.0, top + 5.0],  # no direction
        [np.nan, 50.0, top + 5.0],  # no origin
    ])
    directions = np.array([[0.3, 0.2, 1.0], [1.0, 0.5, 0.0], [1.0, 0.0, -0.3], [-1.0, 0.0, -0.2], [0.0, 0.0, -1.0],
                           [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]])
    points, distance, hit = cast(origins, directions, elevation, grid, max_distance=4.0)
    assert not hit.any()
    assert np.isnan(points).all() and np.isnan(distance).all()
    _, far, ok = cast(origins[4], directions[4], elevation, grid)  # the same ray without the limit hits
    assert ok[0] and far[0] > 4.0
    _, _, ref_hit = cast_heightfield_reference(origins, directions, elevation, 0.0, 0.0, 2.0, 2.0, 4.0)
    assert not ref_hit.any()


def test_a_ray_from_under_the_ground_hits_where_it_starts():
    points, distance, hit = cast([[0.0, 0.0, GROUND_Z - 1.0]], [0.0, 1.0, 0.2], flat_ground(), FLAT)
    assert hit[0] and distance[0] == 0.0
    np.testing.assert_allclose(points[0], [0.0, 0.0, GROUND_Z - 1.0])


def test_numpy_twin_agrees_with_the_kernel():
    grid = RasterGrid(shape=(40, 50), spacing_m=(3.0, 2.0), origin_m=(-20.0, 10.0))
    rng = np.random.default_rng(11)
    elevation = np.cumsum(rng.normal(size=grid.shape), axis=1) + 5.0 * np.sin(np.arange(40) / 4.0)[:, None]
    xmin, xmax, ymin, ymax = grid.extent_m
    n = 3000
    origins = rng.uniform([xmin - 20, ymin - 20, elevation.min() - 3], [xmax + 20, ymax + 20, elevation.max() + 30],
                          (n, 3))
    directions = rng.normal(size=(n, 3)) * [1.0, 1.0, 0.6]
    directions[:50, :2] = 0.0  # vertical rays
    directions[50:100, 2] = 0.0  # level rays
    for max_distance in (np.inf, 40.0):
        p, t, hit = cast(origins, directions, elevation, grid, max_distance)
        rp, rt, rhit = cast_heightfield_reference(origins, directions, elevation, grid.x0, grid.y0, grid.dx, grid.dy,
                                                  max_distance)
        assert 0.2 < hit.mean() < 0.9
        np.testing.assert_array_equal(hit, rhit)
        np.testing.assert_allclose(t[hit], rt[hit], rtol=0, atol=1e-9)
        np.testing.assert_allclose(p[hit], rp[hit], rtol=0, atol=1e-9)
        assert np.isnan(rt[~rhit]).all() and np.isnan(rp[~rhit]).all()


def test_kernel_gives_the_same_answer_on_one_thread():
    grid = RasterGrid(shape=(60, 60), spacing_m=(1.0, 1.0))
    cam = PinholeCamera((30.0, -5.0, 25.0), 10.0, -15.0, 0.0, 70.0, 40, 30)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = cam.cast(hills(grid), grid)
    finally:
        numba.set_num_threads(before)
    every = cam.cast(hills(grid), grid)
    for a, b in zip(one, every):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- sampling


def test_sample_bilinear_is_the_shared_kernel_with_nan_outside():
    grid = RasterGrid(shape=(7, 9), spacing_m=(2.0, 3.0), origin_m=(1.0, -4.0))
    field = np.random.default_rng(5).normal(size=grid.shape)
    xmin, xmax, ymin, ymax = grid.extent_m
    xs = np.random.default_rng(6).uniform(xmin - 3, xmax + 3, (11, 13))
    ys = np.random.default_rng(8).uniform(ymin - 3, ymax + 3, (11, 13))
    xs[0, 0] = np.nan
    got = sample_bilinear(field, grid.x0, grid.y0, grid.dx, grid.dy, xs, ys)
    assert got.shape == (11, 13)
    inside = (xs >= xmin) & (xs <= xmax) & (ys >= ymin) & (ys <= ymax)
    assert 20 < inside.sum() < xs.size and np.isnan(got[~inside]).all()
    want = bilinear_points(field, grid.x0, grid.y0, grid.dx, grid.dy, xs[inside], ys[inside], np.empty(inside.sum()))
    np.testing.assert_array_equal(got[inside], want)
    for x, y, value in zip(xs[inside], ys[inside], want):  # the ray caster's terrain is the same surface
        assert _height(field, grid.x0, grid.y0, grid.dx, grid.dy, x, y) == pytest.approx(value, abs=1e-12)
    f32 = sample_bilinear(field.astype(np.float32), grid.x0, grid.y0, grid.dx, grid.dy, xs, ys, fill_value=-1.0)
    np.testing.assert_allclose(f32[inside], want, atol=1e-5)
    assert (f32[~inside] == -1.0).all()
