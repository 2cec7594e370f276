"""Mass-consistent wind: divergence, walls, potential flow past a cylinder, symmetry, hills, twins."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from models.gas_dispersion import wind_field_kernels as kernels
from models.gas_dispersion.wind_field import (
    WindField, assemble_operator, WindGrid, friction_velocity, initial_wind, log_profile, mass_consistent, psi_m,
    rasterize_buildings, solid_cells, surface_height, wind_field,
)

TOL = 1e-8


def divergence(field_or_result, grid, solid):
    return kernels.divergence_reference(field_or_result.u_face, field_or_result.v_face, field_or_result.w_face,
                                        solid, grid.dx, grid.dy, grid.dz)


def wall_faces(solid):
    """Boolean masks of the x-, y- and z-faces touching a solid cell (z: the domain floor too)."""
    s = solid.astype(bool)
    px = np.pad(s, ((0, 0), (0, 0), (1, 1)))
    py = np.pad(s, ((0, 0), (1, 1), (0, 0)))
    pz = np.pad(s, ((1, 1), (0, 0), (0, 0)))
    pz[0] = True
    return px[:, :, :-1] | px[:, :, 1:], py[:, :-1] | py[:, 1:], pz[:-1] | pz[1:]


def gaussian_hill(grid, height, sigma_x, sigma_y=math.inf):
    x, y = np.meshgrid(grid.x_centres, grid.y_centres)
    xc, yc = grid.x0 + grid.nx * grid.dx / 2, grid.y0 + grid.ny * grid.dy / 2
    exponent = (x - xc) ** 2 / (2 * sigma_x**2) + (0.0 if math.isinf(sigma_y) else (y - yc) ** 2 / (2 * sigma_y**2))
    return height * np.exp(-exponent)


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "roeckle_zones"])
def town(request):
    """Hill with a few buildings, wind from the south-west; with and without the Röckle zones."""
    grid = WindGrid(0.0, 0.0, 5.0, 5.0, 2.0, 40, 32, 20)
    terrain = gaussian_hill(grid, 12.0, 40.0, 30.0)
    buildings = rasterize_buildings(grid, [[(30, 30), (55, 30), (55, 50), (30, 50)],
                                           [(120, 100), (150, 95), (155, 125), (125, 130)]], [14.0, 9.0])
    field = wind_field(grid, 4.0, 10.0, 225.0, 0.1, terrain_m=terrain, building_height_m=buildings,
                       building_zones=request.param)
    return grid, field


# ---------------------------------------------------------------------------- kernels vs NumPy twins
@pytest.mark.parametrize("open_x, open_y, open_top", [(True, True, True), (True, False, False), (False, True, True)])
def test_kernels_match_numpy_twins(open_x, open_y, open_top):
    rng = np.random.default_rng(3)
    nz, ny, nx = 5, 6, 7
    solid = (rng.random((nz, ny, nx)) < 0.25).astype(np.uint8)
    u, v, w = rng.normal(size=(nz, ny, nx + 1)), rng.normal(size=(nz, ny + 1, nx)), rng.normal(size=(nz + 1, ny, nx))
    phi = rng.normal(size=(nz, ny, nx))
    out = np.empty((nz, ny, nx))
    kernels.divergence(u, v, w, solid, 2.0, 3.0, 0.5, out)
    np.testing.assert_allclose(out, kernels.divergence_reference(u, v, w, solid, 2.0, 3.0, 0.5), rtol=1e-13)
    expected = kernels.apply_gradient_reference(phi, solid, 2.0, 3.0, 0.5, 2.5, open_x, open_y, open_top, u, v, w)
    kernels.apply_gradient(phi, solid, 2.0, 3.0, 0.5, 2.5, open_x, open_y, open_top, u, v, w)
    for got, want in zip((u, v, w), expected):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("open_x, open_y, open_top", [(True, True, True), (False, True, False), (True, False, True)])
def test_operator_kernel_matches_sparse_matrix_and_is_symmetric(open_x, open_y, open_top):
    rng = np.random.default_rng(5)
    active = rng.random((6, 7, 8)) < 0.8
    phi = np.where(active, rng.normal(size=active.shape), 0.0)
    matrix, flat = assemble_operator(active, 2.0, 1.5, 0.7, 3.0, open_x, open_y, open_top)
    out = kernels.apply_operator(phi, active.astype(np.uint8), 2.0, 1.5, 0.7, 3.0, open_x, open_y, open_top,
                                 np.empty(active.shape))
    np.testing.assert_allclose(out.ravel()[flat], matrix @ phi.ravel()[flat], rtol=1e-12, atol=1e-12)
    assert np.all(out[~active] == 0)
    assert abs(matrix - matrix.T).max() == 0
    # The discrete divergence of the gradient correction is exactly -A phi (the finite-volume identity).
    zeros = [np.zeros((6, 7, 9)), np.zeros((6, 8, 8)), np.zeros((7, 7, 8))]
    walls = (~active).astype(np.uint8)
    kernels.apply_gradient(phi, walls, 2.0, 1.5, 0.7, 3.0, open_x, open_y, open_top, *zeros)
    np.testing.assert_allclose(kernels.divergence_reference(*zeros, walls, 2.0, 1.5, 0.7), -out, atol=1e-12)


# ---------------------------------------------------------------------------- surface layer
@pytest.mark.parametrize("zeta", [-3.0, -0.5, -0.05, 0.05, 0.5, 5.0])
def test_psi_m_is_the_integral_of_the_flux_gradient_relation(zeta):
    """psi_m(zeta) = integral_0^zeta (1 - phi_m) / zeta' dzeta' (Paulson 1970) with Dyer's phi_m in unstable
    air and Beljaars & Holtslag's (1991) phi_m = 1 + zeta (a + b exp(-d zeta)(1 + c - d zeta)) in stable air."""
    def phi_m(z):
        return (1 - 16 * z) ** -0.25 if z < 0 else 1 + z * (1.0 + 2.0 / 3.0 * math.exp(-0.35 * z) * (6.0 - 0.35 * z))
    integral, _ = quad(lambda z: (1 - phi_m(z)) / z, 0.0, zeta)
    assert float(psi_m(zeta)) == pytest.approx(integral, rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("obukhov", [math.inf, 40.0, -40.0])
def test_profile_passes_through_reference_speed_and_shear_follows_stability(obukhov):
    u_star = friction_velocity(5.0, 10.0, 0.05, obukhov)
    assert float(log_profile(10.0, u_star, 0.05, obukhov)) == pytest.approx(5.0, rel=1e-12)
    neutral = friction_velocity(5.0, 10.0, 0.05)
    ratio = float(log_profile(50.0, u_star, 0.05, obukhov)) / 5.0
    neutral_ratio = float(log_profile(50.0, neutral, 0.05)) / 5.0
    # Stable air is more sheared than neutral, unstable air less (mixing evens the profile out).
    assert np.sign(ratio - neutral_ratio) == (0 if math.isinf(obukhov) else np.sign(obukhov))


# ---------------------------------------------------------------------------- projection
def test_projection_is_divergence_free_and_walls_carry_no_flow(town):
    grid, field = town
    scale = max(np.abs(field.u_face).max(), np.abs(field.v_face).max()) / grid.dx
    div = divergence(field, grid, field.solid)
    assert np.abs(div).max() <= TOL * scale
    assert field.max_divergence_s == pytest.approx(np.abs(div).max(), abs=1e-15)
    wall_u, wall_v, wall_w = wall_faces(field.solid)
    assert wall_u.any() and wall_w.any()
    assert np.all(field.u_face[wall_u] == 0) and np.all(field.v_face[wall_v] == 0)
    assert np.all(field.w_face[wall_w] == 0)
    # The first guess was not divergence-free: the solver had work to do.
    assert field.iterations > 0


def test_box_and_jacobi_preconditioners_give_the_same_field(town):
    grid, field = town
    u0, v0, w0 = initial_wind(grid, field.solid, field.surface_m, field.terrain_m, 4.0, 10.0, 225.0, 0.1)
    u0[:, :, :5] *= 1.3  # an arbitrary first guess far from divergence-free
    jacobi = mass_consistent(grid, field.solid, u0, v0, w0, tol=1e-10, preconditioner="jacobi")
    box = mass_consistent(grid, field.solid, u0, v0, w0, tol=1e-10)
    speed = np.abs(field.u_face).max()
    for a, b in zip(box[:3], jacobi[:3]):
        np.testing.assert_allclose(a, b, atol=1e-6 * speed)
    assert box.iterations < jacobi.iterations


@pytest.mark.parametrize("obukhov", [math.inf, 100.0, -50.0])
def test_flat_ground_log_profile_is_left_unchanged(obukhov):
    grid = WindGrid(100.0, -50.0, 4.0, 6.0, 1.5, 12, 10, 16, z_bottom=20.0)
    field = wind_field(grid, 3.0, 10.0, 300.0, 0.2, obukhov_length_m=obukhov)
    solid = np.zeros(grid.shape, np.uint8)
    u0, v0, w0 = initial_wind(grid, solid, np.full((10, 12), 20.0), None, 3.0, 10.0, 300.0, 0.2, obukhov)
    u_scale = np.abs(u0).max()
    np.testing.assert_allclose(field.u_face, u0, atol=TOL * u_scale)
    np.testing.assert_allclose(field.v_face, v0, atol=TOL * u_scale)
    np.testing.assert_allclose(field.w_face, 0.0, atol=TOL * u_scale)
    # Direction: from 300 deg (WNW) the wind blows towards ESE: u > 0, v < 0, |v/u| = tan(30 deg).
    z = grid.z_centres[6]  # 9.75 m above the ground
    u, v, w = field.at_points(140.0, -20.0, z)
    assert u > 0 > v and v / u == pytest.approx(-math.tan(math.radians(30.0)), rel=1e-7)
    u_star = friction_velocity(3.0, 10.0, 0.2, obukhov)
    assert math.hypot(u, v) == pytest.approx(float(log_profile(z - 20.0, u_star, 0.2, obukhov)), rel=1e-7)


def test_potential_flow_past_a_cylinder():
    """alpha_ratio = 1 projects a uniform stream onto potential flow: u_theta = -U (1 + a^2/r^2) sin(theta).

    Cylinder of radius a = 12 cells through the whole depth under a rigid lid (exactly 2-D), in a
    box of 160 x 160 cells whose open sides sit 6.7 a away: the boundary condition there and the
    staircase surface cost a few percent.
    """
    n, a, speed = 160, 12.0, 2.0
    grid = WindGrid(-n / 2, -n / 2, 1.0, 1.0, 1.0, n, n, 1)
    x, y = np.meshgrid(grid.x_centres, grid.y_centres)
    solid = solid_cells(grid, None, np.where(x**2 + y**2 < a * a, 5.0, 0.0))
    u0 = np.full((1, n, n + 1), speed)
    result = mass_consistent(grid, solid, u0, np.zeros((1, n + 1, n)), np.zeros((2, n, n)), open_top=False)
    field = WindField(grid, *result[:3], solid, surface_height(grid, solid), np.zeros((n, n)),
                      result.iterations, result.max_divergence_s)
    theta = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    for radius, tolerance in ((1.5 * a, 0.04), (2.0 * a, 0.03)):
        u, v, _ = field.at_points(radius * np.cos(theta), radius * np.sin(theta), 0.5)
        tangential = -u * np.sin(theta) + v * np.cos(theta)
        exact = -speed * (1 + a**2 / radius**2) * np.sin(theta)
        assert np.abs(tangential - exact).max() <= tolerance * speed
    # Shoulders: 1.64 U at r = 1.25 a, and near the surface towards the exact 2 U.
    for side in (1.0, -1.0):
        assert field.at_points(0.0, side * 1.25 * a, 0.5)[0] == pytest.approx(1.64 * speed, rel=0.05)
        assert 1.65 * speed < field.at_points(0.0, side * (a + 0.5), 0.5)[0] <= 2.0 * speed
    # Upstream stagnation: U (1 - a^2/r^2) on the axis, nearly still at the surface.
    assert field.at_points(-1.5 * a, 0.0, 0.5)[0] == pytest.approx(speed * (1 - 1 / 1.5**2), rel=0.07)
    assert abs(field.at_points(-a - 0.5, 0.0, 0.5)[0]) < 0.1 * speed


@pytest.mark.parametrize("zones", [False, True])
def test_symmetric_building_gives_mirror_symmetric_field(zones):
    grid = WindGrid(0.0, 0.0, 2.0, 2.0, 2.0, 30, 21, 12)
    buildings = rasterize_buildings(grid, [[(20, 14), (34, 14), (34, 28), (20, 28)]], [10.0])
    terrain = gaussian_hill(grid, 4.0, 15.0, 10.0)
    field = wind_field(grid, 3.0, 10.0, 270.0, 0.05, terrain_m=terrain, building_height_m=buildings,
                       building_zones=zones)
    assert np.array_equal(field.solid, field.solid[:, ::-1])
    scale = np.abs(field.u_face).max()
    np.testing.assert_allclose(field.u_face, field.u_face[:, ::-1], atol=1e-7 * scale)
    np.testing.assert_allclose(field.w_face, field.w_face[:, ::-1], atol=1e-7 * scale)
    np.testing.assert_allclose(field.v_face, -field.v_face[:, ::-1], atol=1e-7 * scale)
    assert np.abs(field.v_face).max() > 0.05 * scale  # the flow is deflected around it, not trivially 2-D


def cube_in_wind(zones):
    """A 10 m cube (W = L = H) in a westerly, 1 m cells; Röckle zones on or off."""
    grid = WindGrid(0.0, 0.0, 1.0, 1.0, 1.0, 80, 41, 30)
    buildings = rasterize_buildings(grid, [[(20, 15.5), (30, 15.5), (30, 25.5), (20, 25.5)]], [10.0])
    return wind_field(grid, 3.0, 10.0, 270.0, 0.1, building_height_m=buildings, building_zones=zones)


def test_roeckle_lee_cavity_survives_the_projection():
    """Reversed flow behind the cube reaches L_R sqrt(1 - (z/H)^2), L_R = 1.8 W / ((L/H)^0.3 (1 + 0.24 W/H))."""
    plain, zoned = cube_in_wind(False), cube_in_wind(True)
    grid = zoned.grid
    L_R = 1.8 * 10.0 / (1.0 + 0.24)
    for k in (1, 3, 5):
        z = grid.z_centres[k]
        behind = zoned.u_face[k, 20, 31:]  # faces x = 31 m onwards, the lee face is at 30 m
        reversed_extent = np.flatnonzero(behind < 0).max() + 1.0
        assert reversed_extent == pytest.approx(L_R * math.sqrt(1 - (z / 10.0) ** 2), rel=0.2)
        assert np.all(plain.u_face[k, 20, 31:] > 0)  # potential flow alone has no cavity
    # Upwind displacement zone: near the ground ahead of the cube the air is (almost) still.
    assert abs(zoned.u_face[1, 20, 15]) < 0.1 * plain.u_face[1, 20, 15]
    scale = np.abs(zoned.u_face).max() / grid.dx
    assert zoned.max_divergence_s <= TOL * scale
    wall_u, _, wall_w = wall_faces(zoned.solid)
    assert np.all(zoned.u_face[wall_u] == 0) and np.all(zoned.w_face[wall_w] == 0)


def ridge(alpha_ratio=1.0, open_top=True):
    """2-D Gaussian ridge (uniform in y, closed south and north sides: exactly 2-D), 30 m high, sigma 100 m."""
    grid = WindGrid(0.0, 0.0, 10.0, 10.0, 5.0, 100, 4, 40)
    terrain = gaussian_hill(grid, 30.0, 100.0)
    return wind_field(grid, 5.0, 10.0, 270.0, 0.1, terrain_m=terrain, alpha_ratio=alpha_ratio, open_top=open_top,
                      open_y=False)


def test_ridge_speeds_up_the_flow_over_its_crest_within_jackson_hunt_bound():
    field = ridge()
    grid = field.grid
    height = 12.5  # above the (staircase) surface
    crest = grid.x0 + grid.nx * grid.dx / 2
    upstream = grid.x0 + 10 * grid.dx
    speeds = []
    for x in (upstream, crest):
        surface = field.surface_m[2, int((x - grid.x0) // grid.dx)]
        u, v, w = field.at_points(x, 20.0, surface + height)
        speeds.append(math.hypot(u, w))
    speed_up = speeds[1] / speeds[0] - 1.0
    # Fractional speed-up of order H / L (Jackson & Hunt 1975, Q. J. R. Meteorol. Soc. 101:929):
    # positive and below 2 H / L with L = 118 m the half-width at half height of the Gaussian.
    half_width = 100.0 * math.sqrt(2 * math.log(2))
    assert 0.05 < speed_up < 2 * 30.0 / half_width


@pytest.mark.parametrize("open_top", [True, False])
def test_ridge_mass_flux_through_vertical_planes(open_top):
    """Between two planes x = const, what enters and leaves differs only by the flow through the top."""
    field = ridge(open_top=open_top)
    g = field.grid
    plane_flux = field.u_face.sum(axis=(0, 1)) * g.dy * g.dz  # (nx + 1,) through each plane
    top_flux = field.w_face[-1].sum(axis=0) * g.dx * g.dy  # (nx,) out of each column's top
    side_flux = (field.v_face[:, -1] - field.v_face[:, 0]).sum(axis=0) * g.dx * g.dz
    budget = np.diff(plane_flux) + top_flux + side_flux
    assert np.abs(budget).max() <= 1e-7 * np.abs(plane_flux).max()
    if not open_top:  # a rigid lid: the same flux through every plane
        np.testing.assert_allclose(plane_flux, plane_flux[0], rtol=1e-7)
    else:  # the ridge pushes some air out through the top upstream of the crest
        assert top_flux[: g.nx // 2].sum() > 0


def test_alpha_ratio_trades_flow_over_the_hill_for_flow_around_it():
    """w - w0 = r^2 d(phi)/dz: a small r = alpha_1/alpha_2 (stable air) gives little vertical motion
    and strong lateral deflection around an isolated hill; a large r the opposite."""
    grid = WindGrid(0.0, 0.0, 10.0, 10.0, 5.0, 40, 40, 24)
    terrain = gaussian_hill(grid, 25.0, 60.0, 60.0)
    fields = [wind_field(grid, 5.0, 10.0, 270.0, 0.1, terrain_m=terrain, alpha_ratio=r) for r in (0.3, 1.0, 3.0)]
    peak_w = [np.abs(f.w_face).max() for f in fields]
    peak_v = [np.abs(f.v_face).max() for f in fields]
    assert 0 < peak_w[0] < peak_w[1] < peak_w[2]
    assert peak_v[0] > peak_v[1] > peak_v[2] > 0


def test_sealed_courtyard_stays_calm():
    grid = WindGrid(0.0, 0.0, 1.0, 1.0, 1.0, 12, 12, 3)
    buildings = np.zeros((12, 12))
    buildings[3:9, 3:9] = 5.0
    buildings[5:7, 5:7] = 0.0  # a courtyard closed on four sides and, under the lid, above
    field = wind_field(grid, 2.0, 1.0, 250.0, 0.01, building_height_m=buildings, open_top=False)
    assert np.all(field.u_face[:, 5:7, 5:8] == 0) and np.all(field.v_face[:, 5:8, 5:7] == 0)
    assert field.max_divergence_s <= TOL * 2.0


# ---------------------------------------------------------------------------- geometry
def test_rasterised_polygon_area_matches_cell_count():
    grid = WindGrid(0.0, 0.0, 0.5, 0.5, 1.0, 200, 160, 2)
    centre, radius = np.array([40.0, 45.0]), 20.0
    angles = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    disc = centre + radius * np.column_stack([np.cos(angles), np.sin(angles)])
    ell = [(5, 5), (35, 5), (35, 15), (15, 15), (15, 35), (5, 35)]  # L-shape, area 500 m2
    rotated = [(70, 20), (90, 40), (80, 50), (60, 30)]  # rectangle at 45 degrees, area 400 m2
    raster = rasterize_buildings(grid, [disc, ell, rotated], [10.0, 6.0, 8.0])
    cell_area = grid.dx * grid.dy
    for polygon, height in ((disc, 10.0), (ell, 6.0), (rotated, 8.0)):
        vertices = np.asarray(polygon, float)
        x, y = vertices[:, 0], vertices[:, 1]
        area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))  # shoelace
        perimeter = np.hypot(np.diff(x, append=x[0]), np.diff(y, append=y[0])).sum()
        counted = np.count_nonzero(raster == height) * cell_area
        assert abs(counted - area) <= 0.5 * perimeter * grid.dx  # boundary cells only
    # Overlap: the taller building wins.
    both = rasterize_buildings(grid, [ell, [(10, 10), (20, 10), (20, 20), (10, 20)]], [6.0, 9.0])
    assert both[30, 30] == 9.0 and both[10, 50] == 6.0


def test_solid_cells_use_cell_centres_and_surface_is_their_top():
    grid = WindGrid(0.0, 0.0, 1.0, 1.0, 2.0, 3, 1, 4, z_bottom=10.0)
    terrain = np.array([[10.5, 13.0, 12.9]])  # centres at 11, 13, 15, 17 m
    buildings = np.array([[0.0, 0.0, 3.5]])
    solid = solid_cells(grid, terrain, buildings)
    np.testing.assert_array_equal(solid[:, 0, :], [[0, 1, 1], [0, 0, 1], [0, 0, 1], [0, 0, 0]])
    np.testing.assert_array_equal(surface_height(grid, solid), [[10.0, 12.0, 16.0]])


def test_at_points_reproduces_linear_fields_and_face_values():
    grid = WindGrid(-3.0, 2.0, 2.0, 1.5, 0.5, 6, 5, 4, z_bottom=1.0)
    rng = np.random.default_rng(0)
    xf = grid.x0 + np.arange(grid.nx + 1) * grid.dx
    u_face = (0.3 + 0.2 * xf[None, None, :] - 0.1 * grid.y_centres[None, :, None]
              + 0.7 * grid.z_centres[:, None, None])
    field = WindField(grid, u_face, rng.normal(size=(4, 6, 6)), rng.normal(size=(5, 5, 6)),
                      np.zeros(grid.shape, np.uint8), np.ones((5, 6)), np.ones((5, 6)), 0, 0.0)
    x = rng.uniform(grid.x0, grid.x0 + 12, 50)
    y = rng.uniform(grid.y_centres[0], grid.y_centres[-1], 50)
    z = rng.uniform(grid.z_centres[0], grid.z_centres[-1], 50)
    u, _, _ = field.at_points(x, y, z)
    np.testing.assert_allclose(u, 0.3 + 0.2 * x - 0.1 * y + 0.7 * z, rtol=1e-12)
    _, v, w = field.at_points(grid.x_centres[2], grid.y0 + 3 * grid.dy, grid.z_centres[1])
    assert v == pytest.approx(field.v_face[1, 3, 2])
    _, _, w = field.at_points(grid.x_centres[4], grid.y_centres[1], grid.z_bottom + 2 * grid.dz)
    assert w == pytest.approx(field.w_face[2, 1, 4])


def test_horizontal_wind_map_is_zero_inside_buildings(town):
    grid, field = town
    u, v = field.horizontal_wind_at_height(2.0)
    assert u.shape == (grid.ny, grid.nx)
    inside = field.terrain_m + 2.0 < field.surface_m
    assert inside.any() and np.all(u[inside] == 0) and np.all(v[inside] == 0)
    assert np.all(np.hypot(u, v)[~inside] > 0)


@pytest.mark.parametrize("call, message", [
    (lambda g: WindGrid(0, 0, -1.0, 1, 1, 2, 2, 2), "dx"),
    (lambda g: solid_cells(g, np.zeros((3, 3))), "terrain_m"),
    (lambda g: wind_field(g, 3.0, 0.05, 270.0, 0.1), "reference_height_m"),
    (lambda g: wind_field(g, 3.0, 10.0, 270.0, 0.1, obukhov_length_m=0.0), "obukhov_length_m"),
    (lambda g: wind_field(g, 3.0, 10.0, 270.0, 0.1, alpha_ratio=-1.0), "alpha_ratio"),
    (lambda g: rasterize_buildings(g, [[(0, 0), (1, 0), (1, 1)]], [1.0, 2.0]), "heights"),
])
def test_bad_input_names_the_parameter(call, message):
    grid = WindGrid(0.0, 0.0, 1.0, 1.0, 1.0, 4, 4, 4)
    with pytest.raises(ValueError, match=message):
        call(grid)
