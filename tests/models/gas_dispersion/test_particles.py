"""Lagrangian particle kernels: well-mixed criterion, Gaussian plume limit, conservation, twins, reproducibility."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from scipy import stats

from models.gas_dispersion import particles as pt
from models.gas_dispersion import particles_reference as ref
from models.gas_dispersion import turbulence as tb

STATE = ("x", "y", "z", "u_turb", "v_turb", "w_turb", "particle_id", "draws", "active")


def new_state(n, rng, x=(0.0, 1.0), y=(0.0, 1.0), z=(0.0, 1.0), sigma=(1.0, 1.0, 1.0)):
    return {"x": rng.uniform(*x, n), "y": rng.uniform(*y, n), "z": rng.uniform(*z, n),
            "u_turb": rng.normal(0.0, sigma[0], n), "v_turb": rng.normal(0.0, sigma[1], n),
            "w_turb": rng.normal(0.0, sigma[2], n), "particle_id": np.arange(n, dtype=np.int64) * 7 + 3,
            "draws": rng.integers(0, 1000, n).astype(np.int64), "active": np.ones(n, dtype=np.uint8)}


def homogeneous(s, table, dt, lid=math.inf, e=(1.0, 0.0), meander=(0.0, 0.0), c_T=0.05, dt_min=0.01, seed=1,
                skewed=None):
    pt.advance_homogeneous(*(s[k] for k in STATE), pt.kernel_table(table, skewed), table.z_lo, table.z_hi, e[0], e[1],
                           meander[0], meander[1], lid, dt, c_T, dt_min, seed)


def gridded(s, table, g, dt, lid=math.inf, c_T=0.05, dt_min=0.01, seed=1, meander=(0.0, 0.0), skewed=None):
    pt.advance_gridded(*(s[k] for k in STATE), pt.kernel_table(table, skewed), table.z_lo, table.z_hi,
                       g["x0"], g["y0"], g["z_bottom"], g["dx"], g["dy"], g["dz"], g["u_face"], g["v_face"],
                       g["w_face"], g["solid"], g["surface_m"], lid, dt, c_T, dt_min, seed, *meander)


def wind_grid(nx=40, ny=30, nz=15, spacing=2.0, u=3.0, block=None, rng=None):
    """Uniform wind along x on a C grid; ``block`` = (i0, i1, j0, j1, k1) solid cells, faces touching them at 0."""
    solid = np.zeros((nz, ny, nx), dtype=np.uint8)
    if block is not None:
        i0, i1, j0, j1, k1 = block
        solid[:k1, j0:j1, i0:i1] = 1
    u_face = np.full((nz, ny, nx + 1), u)
    v_face = np.zeros((nz, ny + 1, nx))
    w_face = np.zeros((nz + 1, ny, nx))
    if rng is not None:  # a non-uniform field for the twin test
        u_face += rng.normal(0.0, 0.5, u_face.shape)
        v_face += rng.normal(0.0, 0.5, v_face.shape)
        w_face += rng.normal(0.0, 0.2, w_face.shape)
    u_face[:, :, :-1][solid == 1] = 0.0
    u_face[:, :, 1:][solid == 1] = 0.0
    v_face[:, :-1, :][solid == 1] = 0.0
    v_face[:, 1:, :][solid == 1] = 0.0
    w_face[:-1][solid == 1] = 0.0
    w_face[1:][solid == 1] = 0.0
    surface = np.zeros((ny, nx))
    if block is not None:
        surface[j0:j1, i0:i1] = k1 * spacing
    return {"x0": 0.0, "y0": 0.0, "z_bottom": 0.0, "dx": spacing, "dy": spacing, "dz": spacing, "u_face": u_face,
            "v_face": v_face, "w_face": w_face, "solid": solid, "surface_m": surface}


def in_solid(s, g):
    nz, ny, nx = g["solid"].shape
    on = s["active"] != 0
    i = np.clip(np.floor(s["x"][on] / g["dx"]).astype(int), 0, nx - 1)
    j = np.clip(np.floor(s["y"][on] / g["dy"]).astype(int), 0, ny - 1)
    k = np.clip(np.floor(s["z"][on] / g["dz"]).astype(int), 0, nz - 1)
    return int(g["solid"][k, j, i].sum())


# -- random numbers ----------------------------------------------------------------------------------------------
def test_deviates_are_standard_normal_and_match_the_twin():
    """Ziggurat deviates: N(0, 1) by KS test and moments; identical bits in the NumPy twin."""
    n = 100_000
    ids = np.arange(n, dtype=np.int64)
    counter = np.arange(n, dtype=np.int64) % 17
    out, nxt = np.empty((n, 3)), np.empty(n, dtype=np.int64)
    pt.gaussian_draws(5, ids, counter, out, nxt)
    x = out.ravel()
    assert stats.kstest(x, "norm").pvalue > 1e-3
    assert abs(x.mean()) < 5.0 / math.sqrt(x.size) and abs(x.var() - 1.0) < 0.02
    assert abs(stats.kurtosis(x)) < 0.05 and np.abs(x).max() > 4.0  # tails are there
    assert np.all(np.abs(np.corrcoef(out.T) - np.eye(3)) < 0.01)
    n_1, n_2, n_3, twin_next = ref.three_normals(ref.particle_key(5, ids), counter)
    np.testing.assert_allclose(out, np.stack([n_1, n_2, n_3], axis=1), rtol=1e-14)  # log/exp ulps in rejections
    np.testing.assert_array_equal(nxt, twin_next)
    assert np.all(nxt >= counter + 2) and (nxt > counter + 2).any()  # some rejections drew more words


# -- NumPy twins -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [tb.SurfaceLayer(0.4, -30.0, 0.1, 800.0), tb.SurfaceLayer(0.3, 60.0, 0.05, 250.0)])
def test_homogeneous_kernel_matches_numpy_twin(layer):
    """Convective (h/|L| = 27: the skewed step) and stable (Gaussian) layers."""
    rng = np.random.default_rng(0)
    table = tb.profile_table(layer)
    s = new_state(3000, rng, (0, 100), (0, 100), (0, layer.boundary_layer_height_m))
    s["active"][rng.random(3000) < 0.1] = 0
    expected = dict(s)
    for _ in range(3):
        expected = ref.advance_homogeneous(expected, pt.kernel_table(table), table.z_lo, table.z_hi, 0.6, 0.8,
                                           0.1, -0.2, layer.boundary_layer_height_m, 5.0, 0.05, 0.01, 11)
        homogeneous(s, table, 5.0, layer.boundary_layer_height_m, (0.6, 0.8), (0.1, -0.2), seed=11)
    for key in STATE:
        np.testing.assert_allclose(s[key], expected[key], rtol=1e-12, atol=1e-11, err_msg=key)


@pytest.mark.parametrize("skewed", [None, False])
def test_gridded_kernel_matches_numpy_twin(skewed):
    """Convective layer (h/|L| = 8): the skewed step (default) and the Gaussian one (skewed=False). Each call
    starts the kernel from the twin's state: within a call they agree to round-off, but over several calls of
    many sub-steps near the ground round-off grows (by ~100 times a call here) until a particle takes the other
    side of a branch (a sub-step or cell boundary), which would test chaos, not the kernel. The Gaussian step
    agrees bit for bit; the skewed one differs where NumPy's and Numba's exp and erf differ in the last bit,
    which 200 sub-steps near the ground grow to 3e-10 m/s in one particle of 3000 (hence atol 1e-9)."""
    rng = np.random.default_rng(1)
    layer = tb.SurfaceLayer(0.4, -50.0, 0.1, 400.0)
    table = tb.profile_table(layer)
    assert pt.kernel_table(table, skewed).shape[1] == (pt.KT_COLUMNS if skewed is False else pt.KT_COLUMNS_SKEWED)
    g = wind_grid(block=(15, 20, 10, 20, 5), rng=rng)
    expected = new_state(3000, rng, (0, 80), (0, 60), (0, 30))
    expected["active"][in_solid_mask(expected, g)] = 0
    for _ in range(4):
        s = {key: value.copy() for key, value in expected.items()}
        expected = ref.advance_gridded(expected, pt.kernel_table(table, skewed), table.z_lo, table.z_hi, g["x0"],
                                       g["y0"], g["z_bottom"], g["dx"], g["dy"], g["dz"], g["u_face"], g["v_face"],
                                       g["w_face"], g["solid"], g["surface_m"], 25.0, 2.0, 0.05, 0.01, 3, 0.3, -0.2)
        gridded(s, table, g, 2.0, lid=25.0, seed=3, meander=(0.3, -0.2), skewed=skewed)
        for key in STATE:
            if skewed is False:
                np.testing.assert_array_equal(s[key], expected[key], err_msg=key)
            np.testing.assert_allclose(s[key], expected[key], rtol=1e-12, atol=1e-9, err_msg=key)
    assert (s["active"] == 0).sum() > 300  # some left the grid: that path is compared too


def in_solid_mask(s, g):
    nz, ny, nx = g["solid"].shape
    i = np.clip((s["x"] / g["dx"]).astype(int), 0, nx - 1)
    j = np.clip((s["y"] / g["dy"]).astype(int), 0, ny - 1)
    k = np.clip((s["z"] / g["dz"]).astype(int), 0, nz - 1)
    return g["solid"][k, j, i] == 1


# -- reproducibility ---------------------------------------------------------------------------------------------
def test_results_are_bit_identical_for_any_thread_count():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two Numba threads")
    layer = tb.SurfaceLayer(0.4, -30.0, 0.1, 800.0)
    table = tb.profile_table(layer)
    g = wind_grid(block=(15, 20, 10, 20, 5))
    runs = []
    for threads in (1, 2):
        rng = np.random.default_rng(2)
        a = new_state(20_000, rng, (0, 500), (0, 500), (0, 800))
        b = new_state(20_000, rng, (0, 20), (0, 60), (0, 30))
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            for _ in range(3):
                homogeneous(a, table, 10.0, 800.0)
                gridded(b, table, g, 2.0)
            conc = np.empty((50, 50))
            pt.concentration_at_height(a["x"], a["y"], a["z"], np.ones(a["x"].size), a["active"], 0.0, 0.0, 10.0,
                                       10.0, 50, 50, 1.5, 25.0, 10.0, conc)
        finally:
            numba.set_num_threads(previous)
        runs.append((a, b, conc))
    for key in STATE:
        assert np.array_equal(runs[0][0][key], runs[1][0][key]), key
        assert np.array_equal(runs[0][1][key], runs[1][1][key]), key
    assert np.array_equal(runs[0][2], runs[1][2]) and runs[0][2].max() > 0.0


def test_each_particle_moves_once_whatever_its_place_in_the_arrays():
    """A particle's path depends on its seed, id, counter and state only: shuffling the arrays shuffles the
    results bit for bit (whatever share of the loop a thread gets), and every active particle takes its
    sub-steps exactly once."""
    layer = tb.SurfaceLayer(0.4, -30.0, 0.1, 800.0)
    table = tb.profile_table(layer)
    g = wind_grid(block=(15, 20, 10, 20, 5))
    rng = np.random.default_rng(12)
    n = 12_000
    shuffle = rng.permutation(n)
    for advance, box in ((lambda s: homogeneous(s, table, 5.0, 800.0), (500, 500, 800)),
                         (lambda s: gridded(s, table, g, 2.0), (20, 60, 30))):
        a = new_state(n, rng, (0, box[0]), (0, box[1]), (0, box[2]))
        a["active"][rng.random(n) < 0.2] = 0
        b = {key: value[shuffle].copy() for key, value in a.items()}
        start, was_active = a["draws"].copy(), a["active"] != 0
        advance(a)
        advance(b)
        for key in STATE:
            assert np.array_equal(a[key][shuffle], b[key]), key
        assert np.array_equal(a["draws"] - start >= 2, was_active)  # at least one sub-step each: 2 words
        assert np.array_equal(a["draws"] == start, ~was_active)


# -- well-mixed criterion ----------------------------------------------------------------------------------------
def linear_sigma_table(h=200.0, top=1.0, bottom=0.3, T=20.0):
    """sigma_w falling linearly from `top`... at the ground to `bottom` at h; constant time scales."""
    z = h * tb.table_fractions()
    sigma_w = top + (bottom - top) * z / h
    values = np.zeros((z.size, tb.N_COLUMNS))
    values[:, tb.COL_SIGMA_U] = values[:, tb.COL_SIGMA_V] = 0.5
    values[:, tb.COL_SIGMA_W] = sigma_w
    values[:, tb.COL_DSIGMA_W2_DZ] = 2.0 * sigma_w * (bottom - top) / h
    values[:, tb.COL_T_U] = values[:, tb.COL_T_V] = values[:, tb.COL_T_W] = T
    return tb.ProfileTable(z, values, 0.0, h)


@pytest.mark.parametrize("case", ["linear_sigma_w", "neutral_hanna"])
def test_well_mixed_tracer_stays_well_mixed(case):
    """Thomson (1987): a uniform tracer with the local Gaussian velocity PDF stays so, with ground and lid
    reflection. 50 000 particles after 5-10 T_L: chi-square p > 0.001 on 10 height bins, each bin within 5 % of
    uniform (3.4 standard errors), the velocity variance of each bin within 8 % of its sigma_w^2 (4 standard
    errors) and the variance normalised by sigma_w^2(z) of every particle within 2 % of 1 (3 standard errors)."""
    if case == "linear_sigma_w":
        h, table, t_end, dt = 200.0, linear_sigma_table(), 200.0, 10.0
    else:
        layer = tb.SurfaceLayer(0.5, math.inf, 0.1, 300.0)
        h, table, t_end, dt = 300.0, tb.profile_table(layer), 600.0, 20.0
    n = 50_000
    rng = np.random.default_rng(4)
    s = new_state(n, rng, z=(0.0, h))
    rows = tb.table_lookup(table, s["z"])
    s["u_turb"] *= rows[:, tb.COL_SIGMA_U]
    s["v_turb"] *= rows[:, tb.COL_SIGMA_V]
    s["w_turb"] *= rows[:, tb.COL_SIGMA_W]
    for _ in range(int(t_end / dt)):
        homogeneous(s, table, dt, lid=h, c_T=0.05, dt_min=0.02)
    counts, edges = np.histogram(s["z"], bins=10, range=(0.0, h))
    assert stats.chisquare(counts).pvalue > 1e-3, counts
    assert np.all(np.abs(counts / (n / 10) - 1.0) < 0.05), counts
    which = np.clip((s["z"] / h * 10).astype(int), 0, 9)
    for b in range(10):
        z_fine = np.linspace(edges[b], edges[b + 1], 50)
        expected = np.mean(tb.table_lookup(table, z_fine)[:, tb.COL_SIGMA_W] ** 2)
        assert np.var(s["w_turb"][which == b]) == pytest.approx(expected, rel=0.08), b
    sigma_w = tb.table_lookup(table, s["z"])[:, tb.COL_SIGMA_W]
    assert np.mean((s["w_turb"] / sigma_w) ** 2) == pytest.approx(1.0, abs=0.02)


# -- Gaussian plume limit ----------------------------------------------------------------------------------------
def test_homogeneous_turbulence_gives_the_gaussian_plume():
    """Constant U, sigma_v = sigma_w, T_L: ground-level centreline concentration of a continuous source at H within
    10 % of the reflected Gaussian plume with Taylor (1921) spreads, x = 100 .. 1000 m.

    sigma_u = 0, so every particle of a puff released at t = 0 sits at x = U t: the puff is the cross-section of
    the steady plume at x = U t (slender plume), C(x, 0, z) = (Q / U) f(0, z) with f the cross-wind density.
    The along-wind kernel factor K(0) / h is then the same for every particle; a particle mass of
    Q h / (K(0) U N) makes the point-receptor estimate exactly (Q / U) times the estimate of f.
    """
    Q, U, H, sigma, T_L, n = 2.0, 5.0, 10.0, 0.5, 20.0, 200_000
    table = tb.constant_profile_table(U, 0.0, sigma, sigma, T_L, T_L, T_L)
    rng = np.random.default_rng(7)
    s = new_state(n, rng, sigma=(0.0, sigma, sigma))
    s["x"][:] = 0.0
    s["y"][:] = 0.0
    s["z"][:] = H
    h_x = 1.0
    mass = np.full(n, Q * h_x / (0.75 * U * n))
    out = np.empty(1)
    errors = []
    for step in range(1, 11):
        homogeneous(s, table, 20.0, c_T=0.05)
        t = 20.0 * step
        spread = math.sqrt(2 * sigma**2 * T_L**2 * (t / T_L - 1 + math.exp(-t / T_L)))
        h_y = 0.15 * spread
        h_z = 0.15 * spread
        z_r = 1.5
        expected = Q / (2 * math.pi * U * spread**2) * (math.exp(-((z_r - H) ** 2) / (2 * spread**2))
                                                        + math.exp(-((z_r + H) ** 2) / (2 * spread**2)))
        # one receptor per step; the kernel's x and y bandwidths are the same argument, so scale y instead
        scale = h_y / h_x
        pt.concentration_at_points(s["x"], s["y"] / scale, s["z"], mass, s["active"], np.array([U * t]),
                                   np.array([0.0]), np.array([z_r]), h_x, h_z, out)
        errors.append(out[0] / scale / expected - 1.0)
    assert np.all(np.abs(errors) < 0.10), np.round(errors, 3)


# -- concentration estimates -------------------------------------------------------------------------------------
def cloud(n=5000, seed=8):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(100.0, 15.0, n), rng.normal(80.0, 10.0, n)
    z = np.abs(rng.normal(0.0, 8.0, n))
    mass = rng.uniform(0.5, 1.5, n)
    active = (rng.random(n) < 0.95).astype(np.uint8)
    return x, y, z, mass, active


def test_column_density_conserves_mass():
    """Integral of the column density over the grid = mass of the active particles (cloud well inside)."""
    x, y, z, mass, active = cloud()
    nx, ny, d = 100, 80, 2.0
    out = np.empty((ny, nx))
    pt.column_density(x, y, mass, active, 0.0, 0.0, d, d, nx, ny, 6.0, out)
    assert out.sum() * d * d == pytest.approx(mass[active == 1].sum(), rel=2e-3)
    np.testing.assert_allclose(out, ref.column_density(x, y, mass, active, 0.0, 0.0, d, d, nx, ny, 6.0),
                               rtol=1e-12, atol=1e-15)


def test_concentration_integrates_to_the_column_with_the_ground_image():
    """int_0^inf C(z_r) dz_r = column density: the ground image returns the mass the kernel puts below z = 0."""
    x, y, z, mass, active = cloud()
    nx, ny, d, h_xy, h_z = 100, 80, 2.0, 6.0, 3.0
    column = np.empty((ny, nx))
    pt.column_density(x, y, mass, active, 0.0, 0.0, d, d, nx, ny, h_xy, column)
    heights = np.linspace(0.0, z.max() + h_z + 1.0, 300)
    layers = np.empty((heights.size, ny, nx))
    for k, z_r in enumerate(heights):
        pt.concentration_at_height(x, y, z, mass, active, 0.0, 0.0, d, d, nx, ny, z_r, h_xy, h_z, layers[k])
    integral = np.trapezoid(layers, heights, axis=0)
    assert integral.sum() == pytest.approx(column.sum(), rel=1e-3)
    np.testing.assert_allclose(layers[10], ref.concentration_at_height(x, y, z, mass, active, 0.0, 0.0, d, d,
                                                                       nx, ny, heights[10], h_xy, h_z),
                               rtol=1e-12, atol=1e-15)
    points = np.empty(3)
    px, py = np.array([0.5 * d + 50 * d, 30.5 * d, 40.5 * d]), np.array([40.5 * d, 40.5 * d, 39.5 * d])
    pt.concentration_at_points(x, y, z, mass, active, px, py, np.full(3, heights[10]), h_xy, h_z, points)
    np.testing.assert_allclose(points, layers[10][[40, 40, 39], [50, 30, 40]], rtol=1e-12)


def test_silverman_bandwidths():
    x, y, z, mass, active = cloud(20_000)
    h_xy, h_z = pt.silverman_bandwidths(x, y, z, np.ones_like(mass), np.ones_like(active), cell_size_m=1.0)
    n_eff = x.size
    assert h_xy == pytest.approx(2.34 * 10.0 * n_eff**-0.2, rel=0.05)  # the narrower axis, sigma_y = 10
    assert h_z > 1.0
    assert pt.silverman_bandwidths(x, y, z, mass, active, cell_size_m=50.0)[0] == 50.0


# -- gridded domain ----------------------------------------------------------------------------------------------
def test_flow_past_a_block_goes_around_and_never_enters_it():
    g = wind_grid(block=(15, 20, 10, 20, 5))  # 10 m x 20 m x 10 m block, x 30..40 m, y 20..40 m
    layer = tb.SurfaceLayer(0.3, math.inf, 0.05, 200.0)
    table = tb.profile_table(layer)
    rng = np.random.default_rng(9)
    s = new_state(5000, rng, (20.0, 28.0), (22.0, 38.0), (0.5, 8.0), sigma=(0.5, 0.5, 0.4))
    for _ in range(80):
        gridded(s, table, g, 0.5)
        assert in_solid(s, g) == 0
    # The field is not diverted (faces on the block are closed, the rest blows straight at it), so particles
    # reach the lee only by turbulent transport round the sides or over the roof (about 52 % and 22 % here).
    downstream = s["x"] > 40.0
    beside = downstream & ((s["y"] < 20.0) | (s["y"] > 40.0))
    assert downstream.mean() > 0.35 and beside.mean() > 0.1
    assert np.all(s["x"][s["active"] == 1] < 80.0)


def test_gridded_and_homogeneous_kernels_agree_without_solids():
    """Uniform wind, no solids, same constant turbulence: same mean and spread after 60 s (statistics)."""
    U = 2.0
    table = tb.constant_profile_table(U, 0.6, 0.5, 0.4, 10.0, 10.0, 10.0)
    g = wind_grid(nx=60, ny=60, nz=40, spacing=5.0, u=U)
    rng = np.random.default_rng(10)
    start = new_state(20_000, rng, (50.0, 50.0), (150.0, 150.0), (20.0, 20.0), sigma=(0.6, 0.5, 0.4))
    a, b = {k: v.copy() for k, v in start.items()}, {k: v.copy() for k, v in start.items()}
    for _ in range(6):
        homogeneous(a, table, 10.0, seed=21, meander=(0.2, 0.3))
        gridded(b, table, g, 10.0, seed=22, meander=(0.2, 0.3))
    assert b["active"].all()
    for key in ("x", "y", "z"):
        sd = a[key].std()
        assert abs(a[key].mean() - b[key].mean()) < 4.0 * sd * math.sqrt(2.0 / a[key].size), key
        assert b[key].std() == pytest.approx(sd, rel=0.04), key


def test_particles_leaving_the_grid_are_flagged():
    g = wind_grid(u=5.0)
    table = tb.constant_profile_table(5.0, 0.1, 0.1, 0.1, 5.0, 5.0, 5.0)
    rng = np.random.default_rng(11)
    s = new_state(100, rng, (70.0, 79.0), (10.0, 50.0), (5.0, 20.0), sigma=(0.1, 0.1, 0.1))
    gridded(s, table, g, 4.0)  # 20 m downwind: every particle crosses x = 80 m
    assert not s["active"].any() and np.all(s["x"] >= 80.0)


# -- skewed (bi-Gaussian) convective turbulence ------------------------------------------------------------------
CONVECTIVE = tb.SurfaceLayer(0.4, -10.0, 0.1, 1000.0)  # h/|L| = 100: fully skewed; w* = 2.52 m/s


def bigaussian_velocities(table, z, rng):
    """w drawn from the table's bi-Gaussian PDF at heights z (updraft with probability A)."""
    rows = tb.table_lookup(table, z)
    A, w_A, w_B, s_A, s_B = tb.bigaussian_parameters(rows[:, tb.COL_SIGMA_W], rows[:, tb.COL_W3])
    up = rng.random(z.size) < A
    return np.where(up, w_A + s_A * rng.standard_normal(z.size), -w_B + s_B * rng.standard_normal(z.size))


def test_kernel_table_carries_the_bigaussian_columns_only_when_skewed():
    """Neutral, stable and weakly unstable (h/|L| <= 5) tables stay Gaussian (KT_COLUMNS, bit for bit the same
    first columns); convective ones get the bi-Gaussian columns, whose derivative columns are the height
    gradients of the parameter columns (chain rule through S and F checked against finite differences)."""
    for layer in (tb.SurfaceLayer(0.4, math.inf, 0.1, 1000.0), tb.SurfaceLayer(0.3, 60.0, 0.05, 250.0),
                  tb.SurfaceLayer(0.4, -250.0, 0.1, 1000.0)):
        assert pt.kernel_table(tb.profile_table(layer)).shape[1] == pt.KT_COLUMNS
    table = tb.profile_table(CONVECTIVE)
    skewed, gaussian = pt.kernel_table(table), pt.kernel_table(table, skewed=False)
    assert skewed.shape[1] == pt.KT_COLUMNS_SKEWED and gaussian.shape[1] == pt.KT_COLUMNS
    assert np.array_equal(skewed[:, :pt.KT_COLUMNS], gaussian)
    z = table.heights_m
    h = CONVECTIVE.boundary_layer_height_m
    smooth = (z > 0.1 * h) & (z < 0.9 * h) & (np.abs(z - 0.4 * h) > 0.02 * h) & (np.abs(z - 0.1 * h) > 0.02 * h)
    for col, dcol in ((pt.KT_A, pt.KT_DA_DZ), (pt.KT_W_A, pt.KT_DW_A_DZ), (pt.KT_W_B, pt.KT_DW_B_DZ),
                      (pt.KT_S_A, pt.KT_DS_A_DZ), (pt.KT_S_B, pt.KT_DS_B_DZ)):
        gradient = np.gradient(skewed[:, col], z)
        scale = np.abs(skewed[smooth, dcol]).max()
        assert np.max(np.abs(skewed[smooth, dcol] - gradient[smooth])) < 2e-3 * scale, col
    neutral = pt.kernel_table(tb.profile_table(tb.SurfaceLayer(0.4, math.inf, 0.1, 1000.0)), skewed=True)
    np.testing.assert_array_equal(neutral[:, pt.KT_A], 0.5)  # S = 0: the Gaussian limit
    np.testing.assert_array_equal(neutral[:, pt.KT_W_A], 0.0)
    np.testing.assert_allclose(neutral[:, pt.KT_S_A] ** -2, neutral[:, pt.KT_INV_SW2], rtol=1e-12)


@pytest.mark.parametrize("z", [5.0, 50.0, 200.0, 600.0, 900.0, 990.0])
def test_skewed_drift_satisfies_the_stationary_fokker_planck_equation(z):
    """Thomson's (1987) well-mixed condition: with the drift a(w, z) of the kernels and the exact bi-Gaussian
    P(w, z) of the layer, -d(wP)/dz - d(aP)/dw + (s_w^2/T_w) d2P/dw2 = 0 (finite differences, < 1e-3 of the
    largest term); Numba's drift equals the NumPy twin's."""
    table = tb.profile_table(CONVECTIVE)
    kt = pt.kernel_table(table)

    def pdf(height, w):
        A, w_A, w_B, s_A, s_B = tb.bigaussian_parameters(np.array([CONVECTIVE.sigma_w(height)]),
                                                         np.array([CONVECTIVE.third_moment_w(height)]))
        return A * stats.norm.pdf(w, w_A, s_A) + (1.0 - A) * stats.norm.pdf(w, -w_B, s_B)

    row = ref.lookup(kt, table.z_lo, table.z_hi, np.array([z]))
    w = np.linspace(-row[0, pt.KT_W_B] - 5.0 * row[0, pt.KT_S_B], row[0, pt.KT_W_A] + 5.0 * row[0, pt.KT_S_A], 4001)
    rows = np.repeat(row, w.size, axis=0)
    a = ref.skewed_drift(w, rows)
    sw2_T = 0.5 * row[0, pt.KT_B_W] ** 2
    dz, dw = 1e-3 * z, w[1] - w[0]
    P = pdf(z, w)
    flux_z = w * (pdf(z + dz, w) - pdf(z - dz, w)) / (2.0 * dz)
    residual = -flux_z - np.gradient(a * P, dw) + sw2_T * np.gradient(np.gradient(P, dw), dw)
    assert np.max(np.abs(residual[5:-5])) < 1e-3 * np.max(np.abs(flux_z)), z
    numba_a = np.array([pt.skewed_drift(wi, sw2_T, *row[0, pt.KT_A:pt.KT_COLUMNS_SKEWED]) for wi in w[::100]])
    np.testing.assert_allclose(numba_a, a[::100], rtol=1e-12, atol=1e-15)


def test_skewed_drift_reduces_to_thomsons_gaussian_drift():
    """S = 0 (A = 1/2, w_A = w_B = 0, s_A = s_B = s_w): a = -w/T_w + (1/2) d(s_w^2)/dz (1 + w^2/s_w^2), on the
    table's rows (between rows, products of interpolated columns differ from interpolated products)."""
    layer = tb.SurfaceLayer(0.4, math.inf, 0.1, 1000.0)
    table = tb.profile_table(layer)
    kt = pt.kernel_table(table, skewed=True)
    rng = np.random.default_rng(13)
    rows = kt[1:-1]
    z = table.heights_m[1:-1]
    w = rng.normal(0.0, 1.0, z.size) / np.sqrt(rows[:, pt.KT_INV_SW2])
    thomson = -w * rows[:, pt.KT_INV_T_W] + rows[:, pt.KT_HALF_DSW2] * (1.0 + w * w * rows[:, pt.KT_INV_SW2])
    np.testing.assert_allclose(ref.skewed_drift(w, rows), thomson, rtol=1e-9, atol=1e-12)


def uniform_tracer(table, h, n, seed):
    """n particles uniform in [0, h] with the table's velocity PDF at their heights (bi-Gaussian w)."""
    rng = np.random.default_rng(seed)
    s = new_state(n, rng, z=(0.0, h))
    rows = tb.table_lookup(table, s["z"])
    s["u_turb"] *= rows[:, tb.COL_SIGMA_U]
    s["v_turb"] *= rows[:, tb.COL_SIGMA_V]
    s["w_turb"] = bigaussian_velocities(table, s["z"], rng)
    return s


def test_well_mixed_tracer_stays_well_mixed_in_skewed_convective_turbulence():
    """Thomson (1987) with the bi-Gaussian PDF (Hanna 1982 s_w, Luhar et al. 2000 <w'^3>, h/|L| = 100): a uniform
    tracer with the local PDF stays uniform over 1800 s (4.5 h/w*, ~25 T_w mid-layer), ground and lid
    reflecting: 40 000 particles, each of 10 height bins within 6 % of uniform (3.8 standard errors); in each bin
    the variance of w within 8 % of the table's s_w^2 and the mean of w^3 within 4 standard errors of <w'^3>."""
    table = tb.profile_table(CONVECTIVE)
    h, n = CONVECTIVE.boundary_layer_height_m, 40_000
    s = uniform_tracer(table, h, n, seed=14)
    for _ in range(30):
        homogeneous(s, table, 60.0, lid=h, c_T=0.05, dt_min=0.2)
    counts, edges = np.histogram(s["z"], bins=10, range=(0.0, h))
    assert np.all(np.abs(counts / (n / 10) - 1.0) < 0.06), counts
    which = np.clip((s["z"] / h * 10).astype(int), 0, 9)
    for b in range(10):
        exact = tb.table_lookup(table, np.linspace(edges[b], edges[b + 1], 50))
        w = s["w_turb"][which == b]
        assert np.var(w) == pytest.approx(np.mean(exact[:, tb.COL_SIGMA_W] ** 2), rel=0.08), b
        error = np.std(w**3) / math.sqrt(w.size)
        assert abs(np.mean(w**3) - np.mean(exact[:, tb.COL_W3])) < 4.0 * error, b


@pytest.mark.parametrize("obukhov_length_m", [-200.0, -50.0])
def test_well_mixed_tracer_stays_well_mixed_near_the_ground_in_weakly_convective_layers(obukhov_length_m):
    """Thomson (1987) where shear and buoyancy both matter (h/|L| = 5, Gaussian, and 20, skewed): a uniform tracer
    over 600 s (~40 T_w at 30 m) keeps its density in the lowest 100 m, where Hanna's printed fit stepped down at
    z = 0.03 h and the tracer thinned to 0.55-0.60 (h/|L| = 5) and 0.75 (20) of uniform below the step. 100 000
    particles, bins 0-15, 15-30, 30-60, 60-100 m and 100 m wide above: each within 8 % of uniform (3-4 standard
    errors in the narrow bins near the ground).

    The sub-step is c_T = 0.02 of the time scale, so the test sees the profiles and not the time step: at the
    model's c_T = 0.05 the explicit step itself leaves 7-9 % too much tracer in the lowest 15 m at h/|L| = 5
    (four seeds; 1-6 % at c_T = 0.02, about 2 % at c_T = 0.01 with dt_min = 1 ms)."""
    layer = tb.SurfaceLayer(0.3, obukhov_length_m, 0.1, 1000.0)
    table = tb.profile_table(layer)
    h, n = layer.boundary_layer_height_m, 100_000
    s = uniform_tracer(table, h, n, seed=17)
    for _ in range(20):
        homogeneous(s, table, 30.0, lid=h, c_T=0.02, dt_min=0.01, seed=5)
    edges = np.concatenate([[0.0, 15.0, 30.0, 60.0], np.arange(100.0, h + 1.0, 100.0)])
    counts, _ = np.histogram(s["z"], bins=edges)
    density = counts / np.diff(edges) / (n / h)
    assert np.all(np.abs(density - 1.0) < 0.08), density.round(3)


def puff_heights(table, z_source, n, X_end, dX, skewed, seed):
    """Heights of a puff released at z_source, after each dX of X = w* t / h (x = U t: a slender plume's
    cross-section at X = w* x / (U h)), in the convective layer with bi-Gaussian (skewed=None) or Gaussian
    (skewed=False) w of the same s_w."""
    h, w_star = CONVECTIVE.boundary_layer_height_m, CONVECTIVE.convective_velocity_m_s
    rng = np.random.default_rng(seed)
    s = new_state(n, rng, z=(z_source, z_source))
    rows = tb.table_lookup(table, s["z"])
    s["w_turb"] = (bigaussian_velocities(table, s["z"], rng) if skewed is None
                   else s["w_turb"] * rows[:, tb.COL_SIGMA_W])
    heights = []
    for _ in range(int(round(X_end / dX))):
        homogeneous(s, table, dX * h / w_star, lid=h, dt_min=0.1, skewed=skewed, seed=seed)
        heights.append(s["z"].copy())
    return heights


def test_near_surface_plume_lifts_off_in_convective_turbulence():
    """Willis & Deardorff (1976) tank, Lamb (1982): a near-surface plume in the CBL rises faster than diffusion
    alone would carry it, because it is caught in narrow strong updrafts. Source at 0.02 h: the mean height with
    bi-Gaussian w is more than 1.2 times that with Gaussian w of the same s_w at X = 0.25 and 1.4 times at X = 0.5
    (here 0.092 vs 0.072 h and 0.20 vs 0.14 h; the gap keeps near 1.5 up to X = 1)."""
    table = tb.profile_table(CONVECTIVE)
    h = CONVECTIVE.boundary_layer_height_m
    skewed = puff_heights(table, 0.02 * h, 20_000, 0.5, 0.25, None, 15)
    gaussian = puff_heights(table, 0.02 * h, 20_000, 0.5, 0.25, False, 15)
    for a, b, ratio in zip(skewed, gaussian, (1.2, 1.4)):
        assert a.mean() > ratio * b.mean(), (a.mean() / h, b.mean() / h)


def test_elevated_plume_descends_to_the_ground_in_convective_turbulence():
    """Willis & Deardorff (1981, *Atmos. Environ.* 15, 109) tank, source at z_s = 0.24 h: the height of the
    maximum concentration descends (the plume sinks in the broad downdrafts) and reaches the ground. Crosswind-
    integrated concentration on 20 layers of 0.05 h, slender plume (X = w* t / h): with bi-Gaussian w the maximum
    has left the source layer by X = 0.3 while with Gaussian w of the same s_w it is still there; its height never
    rises; it reaches the lowest layer at X in [0.5, 1.25] (tank: ~0.5-1; this model ~1.15: Hanna's T_w, ~0.18 h/w*
    at 0.24 h, is short for the mixed layer; the longer 2 s_w^2 / (C_0 eps) with eps = 0.4 w*^3 / h gives ~0.85, and
    Prairie Grass is blind to it); the largest ground-level concentration is higher than with Gaussian w (tank: the
    descending plume gives ground maxima above the well-mixed value 1)."""
    table = tb.profile_table(CONVECTIVE)
    h, dX = CONVECTIVE.boundary_layer_height_m, 0.05
    X = dX * np.arange(1, 27)
    result = {}
    for skewed in (None, False):
        heights = puff_heights(table, 0.24 * h, 60_000, X[-1], dX, skewed, 16)
        counts = np.array([np.histogram(z, bins=20, range=(0.0, h))[0] for z in heights])
        result[skewed] = (np.argmax(counts, axis=1), counts[:, 0] / (0.05 * counts.sum(axis=1)))
    peak, ground = result[None]
    gaussian_peak, gaussian_ground = result[False]
    source_layer = 4  # 0.20-0.25 h
    at_03 = int(np.argmin(np.abs(X - 0.3)))
    assert peak[at_03] < source_layer and gaussian_peak[at_03] == source_layer
    assert np.all(np.diff(peak) <= 0)
    touch = X[np.argmax(peak == 0)]
    assert (peak == 0).any() and 0.5 <= touch <= 1.25, touch
    assert ground.max() > 1.2 * gaussian_ground.max() and ground.max() > 1.0
