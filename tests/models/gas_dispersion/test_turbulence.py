"""Surface-layer similarity and Hanna (1982) turbulence: limits, similarity gradients, tables, inversions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.gas_dispersion import turbulence as tb
from models.gas_dispersion.stability import CLASSES, class_from_obukhov_length

NEUTRAL = tb.SurfaceLayer(0.4, math.inf, 0.1, 1000.0)
UNSTABLE = tb.SurfaceLayer(0.3, -20.0, 0.1, 1000.0)
STABLE = tb.SurfaceLayer(0.2, 50.0, 0.05, 200.0)


def test_neutral_near_ground_matches_panofsky_ratios():
    """Neutral surface layer: sigma_w ~ 1.25-1.3 u*, sigma_u ~ 2 u* (Panofsky & Dutton 1984; Hanna 1982)."""
    s_u, s_v, s_w, t_u, t_v, t_w = NEUTRAL.turbulence(2.0)
    offset = tb.SIGMA_OFFSET_M_S  # FLEXPART's additive 0.01 m/s
    assert 1.25 <= (s_w - offset) / 0.4 <= 1.31
    assert (s_u - offset) / 0.4 == pytest.approx(2.0, abs=0.01)
    assert t_w == pytest.approx(0.5 * 2.0 / s_w, rel=0.01)  # T_w = 0.5 z / sigma_w near the ground


def test_neutral_wind_is_the_log_law():
    for z in (1.0, 10.0, 50.0):
        assert NEUTRAL.wind_speed(z) == pytest.approx(0.4 / 0.4 * math.log(z / 0.1), rel=1e-12)
    assert NEUTRAL.wind_speed(0.1) == 0.0 and NEUTRAL.wind_speed(0.05) == 0.0


@pytest.mark.parametrize("L", [-10.0, -100.0, 30.0, 300.0])
def test_wind_gradient_follows_the_similarity_function(L):
    """k z / u* du/dz = phi_m(z/L): Dyer (1974) when unstable, Beljaars & Holtslag (1991) when stable."""
    layer = tb.SurfaceLayer(0.3, L, 0.05, 5000.0)
    for z in (2.0, 10.0, 40.0):
        dz = 1e-4 * z
        dudz = (layer.wind_speed(z + dz) - layer.wind_speed(z - dz)) / (2 * dz)
        zeta = z / L
        if L < 0:
            phi = (1 - 16 * zeta) ** -0.25
        else:
            a, b, c, d = 1.0, 2.0 / 3.0, 5.0, 0.35
            phi = 1 + a * zeta + b * zeta * (1 + c - d * zeta) * math.exp(-d * zeta)
        assert 0.4 * z / 0.3 * dudz == pytest.approx(phi, rel=1e-6)


def test_convective_layer_scales_with_w_star():
    """Mid-layer sigma_w ~ 0.6 w* (Hanna 1982; Lenschow et al. 1980 peak 0.6-0.65 w*), 1.3 u* at the ground."""
    w_star = UNSTABLE.convective_velocity_m_s
    assert w_star == pytest.approx(0.3 * (1000.0 / (0.4 * 20.0)) ** (1 / 3), rel=1e-12)
    mid = [UNSTABLE.sigma_w(z) / w_star for z in (300.0, 500.0, 600.0)]
    assert all(0.55 <= r <= 0.72 for r in mid)
    assert UNSTABLE.sigma_w(0.5) / 0.3 == pytest.approx(1.3, abs=0.08)  # 0.96 / k^(1/3) = 1.30
    assert UNSTABLE.sigma_w(990.0) / w_star == pytest.approx(0.37, abs=0.02)
    s_u = UNSTABLE.turbulence(100.0)[0]
    assert s_u == pytest.approx(0.3 * (12 + 0.5 * 1000 / 20) ** (1 / 3) + 0.01, rel=1e-9)


@pytest.mark.parametrize("h_over_L", [1.5, 5.0, 20.0, 100.0, 1000.0])
def test_convective_sigma_w_is_continuous_and_keeps_hanna_limits(h_over_L):
    """A step in sigma_w breaks the well-mixed condition (the drift cannot see its delta function), so sigma_w must
    be continuous across every branch point of Hanna's fit, including his surface-layer/mixed-layer switch at
    zeta = 0.03 and the crossing of the two convective laws at 0.023. Limits kept: Hanna's surface-layer law
    0.96 w* (3 zeta - L/h)^(1/3) near the ground, his mixed-layer law 0.722 (1 - zeta)^0.207 w* in free
    convection, and never less than the neutral 1.3 u* (1 - zeta)^(1/2) the shear alone gives."""
    h = 1000.0
    layer = tb.SurfaceLayer(0.3, -h / h_over_L, 0.1, h)
    w_star, offset = layer.convective_velocity_m_s, tb.SIGMA_OFFSET_M_S
    crossing = (0.763 / (0.96 * 3.0 ** (1 / 3))) ** (1 / (1 / 3 - 0.175))
    for zeta in (crossing, 0.03, 0.1, 0.4, 0.96):
        below, above = layer.sigma_w(zeta * h * (1 - 1e-9)), layer.sigma_w(zeta * h * (1 + 1e-9))
        # Hanna's printed constants meet to 0.1-0.2 % at 0.4 and 0.96: a step too small to matter
        assert above == pytest.approx(below, rel=3e-3 if zeta >= 0.4 else 1e-6), zeta
    for z in (0.5, 2.0, 10.0):
        hanna = 0.96 * w_star * (3.0 * z / h + h_over_L**-1) ** (1 / 3)
        assert layer.sigma_w(z) - offset == pytest.approx(hanna, rel=0.01), z
    for zeta in np.linspace(0.01, 0.99, 50):
        assert layer.sigma_w(zeta * h) - offset >= 1.3 * 0.3 * math.sqrt(1.0 - zeta) * (1 - 1e-3)
    if h_over_L >= 1000.0:
        assert layer.sigma_w(0.6 * h) - offset == pytest.approx(0.722 * 0.4**0.207 * w_star, rel=0.01)


@pytest.mark.parametrize("L", [-5.0, -30.0, -300.0])
def test_convective_surface_layer_diffuses_like_monin_obukhov(L):
    """The Langevin model's far-field diffusivity is K = sigma_w^2 T_w: near the ground it is Monin-Obukhov's
    K_h = k u* z (1 - 16 z/L)^(1/2) (Dyer 1974), not Hanna's 0.24 u* z; higher up T_w is Hanna's mixed-layer
    0.15 h / sigma_w (1 - exp(-5 z/h)), and it is continuous between the two."""
    h, u_star = 1000.0, 0.35
    layer = tb.SurfaceLayer(u_star, L, 0.05, h)
    for z in (0.5, 1.0, 2.0):
        s_w, t_w = layer.turbulence(z)[2], layer.turbulence(z)[5]
        assert s_w**2 * t_w == pytest.approx(0.4 * u_star * z * math.sqrt(1.0 - 16.0 * z / L), rel=1e-12)
    for z in (300.0, 600.0):
        s_w, t_w = layer.turbulence(z)[2], layer.turbulence(z)[5]
        assert t_w == pytest.approx(0.15 * h / s_w * (1.0 - math.exp(-5.0 * z / h)), rel=1e-12)
    heights = np.geomspace(0.5, 0.9 * h, 3000)
    t_w = np.array([layer.turbulence(z)[5] for z in heights])
    assert np.max(np.abs(np.diff(np.log(t_w)))) < 0.02  # no jump: adjacent heights 0.3 % apart


def test_stable_turbulence_decays_to_the_top():
    heights = np.linspace(5.0, 195.0, 20)
    s_w = np.array([STABLE.sigma_w(z) for z in heights])
    assert np.all(np.diff(s_w) < 0)
    assert s_w[0] == pytest.approx(1.3 * 0.2 * (1 - 5 / 200) + 0.01, rel=1e-9)
    assert STABLE.sigma_w(200.0) == pytest.approx(0.01)
    # stable wind shear is stronger than neutral with the same u*
    neutral = tb.SurfaceLayer(0.2, math.inf, 0.05, 200.0)
    assert STABLE.wind_speed(50.0) > 1.5 * neutral.wind_speed(50.0)


def test_meander_floor_on_horizontal_sigma():
    calm = tb.SurfaceLayer(0.02, 5.0, 0.05, 50.0, min_sigma_v_m_s=0.3)
    s_u, s_v, s_w = calm.turbulence(5.0)[:3]
    assert s_u == 0.3 and s_v == 0.3 and s_w < 0.1


@pytest.mark.parametrize("layer", [NEUTRAL, UNSTABLE, STABLE])
def test_table_matches_the_exact_profiles(layer):
    """Linear interpolation between the table's rows: within 0.5 % of the exact functions between branch points,
    from 0.5 m to 0.999 h."""
    table = tb.profile_table(layer)
    z = np.geomspace(0.5, 0.999 * layer.boundary_layer_height_m, 400)
    rows = tb.table_lookup(table, z)
    h = layer.boundary_layer_height_m
    branch = np.zeros(z.size, bool)
    for zb in (0.023 * h, 0.1 * h, 0.4 * h, 0.96 * h, abs(layer.obukhov_length_m)):
        branch |= np.abs(z - zb) < 0.02 * h
    for col, exact in ((tb.COL_U, [layer.wind_speed(v) for v in z]),
                       (tb.COL_SIGMA_W, [layer.sigma_w(v) for v in z]),
                       (tb.COL_T_W, [layer.turbulence(v)[5] for v in z]),
                       (tb.COL_T_U, [layer.turbulence(v)[3] for v in z])):
        err = np.abs(rows[:, col] - exact) / np.abs(exact)
        assert np.max(err[~branch]) < 5e-3, col


def test_table_rows_are_geometric_towards_both_ends_and_found_exactly():
    """Rows at q = 2^e (1 + j/128) below 1/2 and 1 minus those above: increasing, each 0.39-0.79 % of the distance
    to the nearer end from the next; table_rows finds the interval and weight that give back q exactly
    (interpolating the fractions themselves), clamps outside [q_0, q_last]; the Numba kernels' table_position
    agrees bit for bit."""
    from models.gas_dispersion import particles as pt

    q = tb.table_fractions()
    assert q.size == tb.TABLE_ROWS and q[0] == 2.0**-20 and q[tb.TABLE_HALF_ROWS] == 0.5 and q[-1] == 1.0 - 2.0**-20
    gaps = np.diff(q)
    assert np.all(gaps > 0.0)
    nearer_end = np.minimum(q[:-1], 1.0 - q[1:])
    assert 0.0039 <= np.min(gaps / nearer_end) and np.max(gaps / nearer_end) <= 0.0079
    z_lo, z_hi = 0.1, 800.0
    rng = np.random.default_rng(3)
    inside = z_lo + (z_hi - z_lo) * np.concatenate([rng.uniform(0.0, 1.0, 20_000), rng.uniform(0.0, 1e-4, 2000),
                                                    1.0 - rng.uniform(0.0, 1e-4, 2000), q])
    outside = np.array([-5.0, 0.0, z_lo, z_hi, z_hi + 3.0, np.nan])
    z = np.concatenate([inside, outside])
    row, weight = tb.table_rows(z_lo, z_hi, z)
    assert row.min() >= 0 and row.max() <= tb.TABLE_ROWS - 2 and np.all((0.0 <= weight) & (weight <= 1.0))
    fraction = np.nan_to_num((z - z_lo) / (z_hi - z_lo), nan=0.0)  # NaN: the first row, never out of bounds
    np.testing.assert_allclose((1.0 - weight) * q[row] + weight * q[row + 1], np.clip(fraction, q[0], q[-1]),
                               rtol=1e-15, atol=0.0)
    for k in range(0, z.size, 97):
        assert pt.table_position(z_lo, z_hi, z[k]) == (row[k], weight[k]), z[k]
    for k in range(-6, 0):
        assert pt.table_position(z_lo, z_hi, z[k]) == (row[k], weight[k]), z[k]
    short = tb.ProfileTable(np.array([0.0, 1.0]), np.zeros((2, tb.N_COLUMNS)), 0.0, 1.0)
    with pytest.raises(ValueError, match=f"needs {tb.TABLE_ROWS} rows"):
        pt.kernel_table(short)


def test_dsigma_w2_dz_is_the_gradient_of_the_table():
    table = tb.profile_table(STABLE)
    z = table.heights_m
    grad = np.gradient(table.values[:, tb.COL_SIGMA_W] ** 2, z)
    np.testing.assert_allclose(table.values[5:-5, tb.COL_DSIGMA_W2_DZ], grad[5:-5], rtol=1e-3)


@pytest.mark.parametrize("L", [-15.0, -200.0, math.inf, 40.0, 500.0])
def test_friction_velocity_round_trip(L):
    layer = tb.surface_layer_from_wind(5.0, 10.0, L, 0.03)
    assert layer.wind_speed(10.0) == pytest.approx(5.0, rel=1e-12)
    assert layer.obukhov_length_m == L


@pytest.mark.parametrize("z0", [0.01, 0.1, 0.5])
def test_obukhov_length_from_class_inverts_golder(z0):
    for cls in CLASSES:
        L = tb.obukhov_length_from_class(cls, z0)
        assert class_from_obukhov_length(L if math.isfinite(L) else 1e9, z0) == cls
    assert tb.obukhov_length_from_class("D", z0) == math.inf
    assert tb.obukhov_length_from_class("A", z0) < 0 < tb.obukhov_length_from_class("F", z0)


def test_boundary_layer_height_limits():
    """Nieuwstadt (1981): 0.3 u*/f neutral, 0.4 sqrt(u* L / f) very stable (Zilitinkevich 1972)."""
    f = 2 * tb.EARTH_ROTATION_RAD_S * math.sin(math.radians(45.0))
    assert tb.boundary_layer_height(0.4, math.inf) == pytest.approx(0.3 * 0.4 / f)
    assert tb.boundary_layer_height(0.4, 1e7) == pytest.approx(0.3 * 0.4 / f, rel=0.01)
    assert tb.boundary_layer_height(0.2, 0.5) == pytest.approx(0.4 * math.sqrt(0.2 * 0.5 / f), rel=0.02)
    assert tb.boundary_layer_height(0.3, -50.0) == tb.DEFAULT_CONVECTIVE_HEIGHT_M
    assert tb.boundary_layer_height(0.3, -50.0, convective_height_m=1500.0) == 1500.0


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="friction_velocity_m_s"):
        tb.SurfaceLayer(0.0, math.inf, 0.1, 500.0)
    with pytest.raises(ValueError, match="roughness_length_m"):
        tb.SurfaceLayer(0.3, math.inf, -0.1, 500.0)
    with pytest.raises(ValueError, match="cls"):
        tb.obukhov_length_from_class("G", 0.1)
    with pytest.raises(ValueError, match="speed_m_s"):
        tb.surface_layer_from_wind(-1.0, 10.0, math.inf, 0.1)


# -- third moment and bi-Gaussian PDF (convective layers) --------------------------------------------------------
def test_third_moment_profile_of_the_convective_layer():
    """<w'^3> = 1.2 w*^3 zeta (1 - zeta)^1.5 (Luhar, Hibberd & Borgas 2000; Cassiani et al. 2015): largest,
    0.2231 w*^3, at zeta = 0.4, zero at the ground and at h; mid-layer skewness 0.6-1 (Lenschow et al. 1980,
    Willis & Deardorff 1976); d<w'^3>/dz the derivative of the table; zero in neutral and stable layers."""
    layer = tb.SurfaceLayer(0.4, -10.0, 0.1, 1000.0)  # h/|L| = 100: fully skewed
    w_star = layer.convective_velocity_m_s
    zeta = np.linspace(0.01, 0.99, 99)
    w3 = np.array([layer.third_moment_w(1000.0 * q) for q in zeta]) / w_star**3
    np.testing.assert_allclose(w3, 1.2 * zeta * (1 - zeta) ** 1.5, rtol=1e-12)
    assert zeta[np.argmax(w3)] == pytest.approx(0.4) and w3.max() == pytest.approx(0.2231, abs=1e-4)
    assert layer.third_moment_w(1000.0) == 0.0 and layer.third_moment_w(2000.0) == 0.0
    assert layer.third_moment_w(0.1) < 1e-3 * w_star**3
    skewness = [layer.third_moment_w(z) / layer.sigma_w(z) ** 3 for z in (300.0, 400.0, 500.0)]
    assert all(0.6 <= s <= 1.0 for s in skewness), skewness
    table = tb.profile_table(layer)
    z = table.heights_m
    grad = np.gradient(table.values[:, tb.COL_W3], z)
    np.testing.assert_allclose(table.values[5:-5, tb.COL_DW3_DZ], grad[5:-5], rtol=2e-3, atol=1e-4 * w_star**3 / 1e3)
    for other in (NEUTRAL, STABLE):
        values = tb.profile_table(other).values
        assert not values[:, tb.COL_W3].any() and not values[:, tb.COL_DW3_DZ].any()


def test_skewness_transition_with_instability():
    """Cassiani et al. (2015): Gaussian up to h/|L| = 5, fully skewed from 15, the cosine ramp between (1/2 at 10),
    never decreasing with instability."""
    ratios = np.linspace(0.5, 30.0, 300)
    tau = np.array([tb.SurfaceLayer(0.3, -1000.0 / r, 0.1, 1000.0).skewness_transition for r in ratios])
    assert np.all(tau[ratios <= 5.0] == 0.0) and np.all(tau[ratios >= 15.0] == 1.0)
    assert np.all(np.diff(tau) >= 0.0)
    assert tb.SurfaceLayer(0.3, -100.0, 0.1, 1000.0).skewness_transition == pytest.approx(0.5)
    half = tb.SurfaceLayer(0.3, -100.0, 0.1, 1000.0)
    full = tb.SurfaceLayer(0.3, -10.0, 0.1, 1000.0)
    ratio = half.third_moment_w(400.0) / half.convective_velocity_m_s**3
    assert ratio == pytest.approx(0.5 * full.third_moment_w(400.0) / full.convective_velocity_m_s**3, rel=1e-12)
    assert NEUTRAL.skewness_transition == 0.0 and STABLE.skewness_transition == 0.0


@pytest.mark.parametrize("skewness", [0.0, 1e-6, 0.1, 0.5, 1.0, 2.0])
def test_bigaussian_pdf_has_the_prescribed_moments(skewness):
    """Moments 0-3 of A N(w_A, s_A) + B N(-w_B, s_B) from its parameters: 1, 0, s_w^2, <w'^3> to rounding
    (closed forms), and by quadrature of the PDF; LHH (1996) closure w_A / s_A = w_B / s_B = (2/3) S^(1/3);
    A < 1/2 (updrafts narrower) for S > 0 and the Gaussian at S = 0."""
    sigma_w = 1.7
    w3 = skewness * sigma_w**3
    A, w_A, w_B, s_A, s_B = (float(v[0]) for v in tb.bigaussian_parameters(np.array([sigma_w]), np.array([w3])))
    B = 1.0 - A
    assert A + B == 1.0
    assert A * w_A - B * w_B == pytest.approx(0.0, abs=1e-14)
    assert A * (w_A**2 + s_A**2) + B * (w_B**2 + s_B**2) == pytest.approx(sigma_w**2, rel=1e-13)
    third = A * (w_A**3 + 3 * w_A * s_A**2) - B * (w_B**3 + 3 * w_B * s_B**2)
    assert third == pytest.approx(w3, rel=1e-12, abs=1e-14)
    assert w_A / s_A == pytest.approx(2.0 / 3.0 * skewness ** (1 / 3), rel=1e-12, abs=1e-15)
    assert w_B / s_B == pytest.approx(2.0 / 3.0 * skewness ** (1 / 3), rel=1e-12, abs=1e-15)
    w = np.linspace(-12 * sigma_w, 12 * sigma_w, 200_001)
    pdf = A * np.exp(-0.5 * ((w - w_A) / s_A) ** 2) / (math.sqrt(2 * math.pi) * s_A) \
        + B * np.exp(-0.5 * ((w + w_B) / s_B) ** 2) / (math.sqrt(2 * math.pi) * s_B)
    moments = [np.trapezoid(pdf * w**k, w) for k in range(4)]
    assert moments[0] == pytest.approx(1.0, rel=1e-9) and abs(moments[1]) < 1e-9
    assert moments[2] == pytest.approx(sigma_w**2, rel=1e-9)
    assert moments[3] == pytest.approx(w3, abs=1e-8)
    if skewness == 0.0:
        assert (A, w_A, w_B, s_A, s_B) == (0.5, 0.0, 0.0, sigma_w, sigma_w)
    else:
        assert A < 0.5 and s_A > s_B


def test_bigaussian_parameters_reject_negative_skewness():
    with pytest.raises(ValueError, match="third_moment"):
        tb.bigaussian_parameters(np.array([1.0]), np.array([-0.1]))
    with pytest.raises(ValueError, match="sigma_w"):
        tb.bigaussian_parameters(np.array([0.0]), np.array([0.1]))


def test_new_particles_start_with_the_layers_vertical_velocity_pdf():
    """Drawn at 0.4 h of a convective layer, w has zero mean, the table's variance and third moment
    (within sampling error); in a stable table it is Gaussian, with no third moment."""
    rng = np.random.default_rng(5)
    convective = tb.profile_table(tb.SurfaceLayer(0.4, -20.0, 0.1, 1000.0))
    z = np.full(400_000, 400.0)
    w = tb.vertical_velocities(convective, z, rng)
    row = tb.table_lookup(convective, np.array([400.0]))[0]
    sigma_w, third = row[tb.COL_SIGMA_W], row[tb.COL_W3]
    assert third > 0.1 * sigma_w**3
    assert abs(w.mean()) < 4 * sigma_w / math.sqrt(z.size)
    assert np.mean(w**2) == pytest.approx(sigma_w**2, rel=0.01)
    assert np.mean(w**3) == pytest.approx(third, rel=0.08)
    stable = tb.profile_table(tb.SurfaceLayer(0.3, 60.0, 0.05, 250.0))
    w = tb.vertical_velocities(stable, np.full(400_000, 20.0), rng)
    sigma_w = tb.table_lookup(stable, np.array([20.0]))[0, tb.COL_SIGMA_W]
    assert np.mean(w**2) == pytest.approx(sigma_w**2, rel=0.01)
    assert abs(np.mean(w**3)) < 0.02 * sigma_w**3
