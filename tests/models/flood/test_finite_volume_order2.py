"""Second-order finite-volume kernel (MUSCL-minmod + SSP-RK2): the NumPy twin, exact lake at rest,
conservation, positivity, observed order of convergence on a smooth simple wave, and accuracy
against the first-order kernel on Ritter's (1892) dam break and Thacker's (1981) bowl."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from models.flood.finite_volume import (LEVEL, OUTFLOW, WALL, fv_stable_dt, fv_step, fv_step_order2, fv_workspace,
                                        fv_workspace_order2)
from models.flood.reference_fv import fv_step_order2_reference, stage_reference

G = 9.81
H_DRY = 1e-6
CFL = 0.45
WALLS = np.array([WALL] * 4, dtype=np.int64)


def codes(west, east, south, north):
    return np.array([west, east, south, north], dtype=np.int64)


def simulate(z, h, hu, hv, n, dx, dy, *, order=2, t_end=None, steps=None, bc=WALLS, levels=None, cfl=CFL,
             fallbacks_allowed=False):
    """Run a kernel (order 1 or 2) to t_end or for a number of steps; (h, hu, hv, outflow, min depth).

    Order 2 must run without falling back to first order unless ``fallbacks_allowed``; the number
    of steps that did is left in ``simulate.fallbacks``."""
    levels = np.zeros(4, dtype=h.dtype) if levels is None else np.asarray(levels, dtype=h.dtype)
    h, hu, hv = h.copy(), hu.copy(), hv.copy()
    nxt = [np.empty_like(h) for _ in range(3)]
    step, ws = (fv_step_order2, fv_workspace_order2(*h.shape, h.dtype)) if order == 2 else (
        fv_step, fv_workspace(*h.shape, h.dtype))
    t, k, out, h_min = 0.0, 0, 0.0, float(h.min())
    while (t_end is not None and t_end - t > 1e-12 * t_end) or (steps is not None and k < steps):
        dt = fv_stable_dt(h, hu, hv, dx, dy, cfl, G, H_DRY)
        if t_end is not None:
            dt = min(dt, t_end - t)
        out += step(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels, *nxt, ws)
        h, nxt[0] = nxt[0], h
        hu, nxt[1] = nxt[1], hu
        hv, nxt[2] = nxt[2], hv
        t += dt
        k += 1
        h_min = min(h_min, float(h.min()))
    simulate.fallbacks = int(ws[3][0]) if order == 2 else 0
    assert fallbacks_allowed or simulate.fallbacks == 0, f"{simulate.fallbacks} steps fell back to first order"
    return h, hu, hv, out, h_min


def random_state(rng, ny, nx, wet=False):
    """Bumpy bed, depths from dry through films thinner than H_DRY to 1.5 m, random velocities;
    ``wet``: depths 0.5 to 1.5 m everywhere, so that the slopes are not cut to 0 at dry cells."""
    z = rng.uniform(0.0, 1.0, (ny, nx))
    h = rng.uniform(0.5, 1.5, (ny, nx)) if wet else np.maximum(0.0, rng.uniform(-0.5, 1.5, (ny, nx)))
    if not wet:
        h[rng.random((ny, nx)) < 0.1] = 0.3 * H_DRY
    w = h > H_DRY
    hu = np.where(w, rng.normal(0.0, 1.0, (ny, nx)) * h, 0.0)
    hv = np.where(w, rng.normal(0.0, 1.0, (ny, nx)) * h, 0.0)
    n = rng.uniform(0.0, 0.06, (ny, nx))
    return z, h, hu, hv, n


BOUNDARY_SETS = [codes(WALL, OUTFLOW, LEVEL, WALL), codes(OUTFLOW, LEVEL, WALL, OUTFLOW),
                 codes(LEVEL, WALL, OUTFLOW, LEVEL), codes(WALL, WALL, WALL, WALL),
                 codes(OUTFLOW, OUTFLOW, OUTFLOW, OUTFLOW), codes(LEVEL, LEVEL, LEVEL, LEVEL)]


@pytest.mark.parametrize("bc", BOUNDARY_SETS, ids=lambda c: "".join(map(str, c)))
@pytest.mark.parametrize("shape", [(7, 9), (37, 5), (1, 6), (4, 1), (2, 3)])
def test_order2_numba_equals_numpy_twin(bc, shape):
    """One step from random states (dry cells, films, bed steps; and all wet): the kernel equals
    the NumPy twin to 1e-12 and the returned volume closes the mass balance. (37 rows: three row
    blocks, the last one short; single rows and columns; 2 rows: no interior slope.)"""
    rng = np.random.default_rng(sum(bc * [1, 3, 9, 27]) + shape[0])
    for k in range(4):
        z, h, hu, hv, n = random_state(rng, *shape, wet=k % 2 == 1)
        levels = rng.uniform(0.2, 2.0, 4)
        dx, dy = 2.0, 3.0
        dt = fv_stable_dt(h, hu, hv, dx, dy, CFL, G, H_DRY)
        out = [np.empty_like(h) for _ in range(3)]
        vol = fv_step_order2(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels, *out, fv_workspace_order2(*shape))
        ref = fv_step_order2_reference(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels)
        for got, want in zip(out, ref[:3]):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
        scale = h.sum() * dx * dy
        assert vol == pytest.approx(ref[3], rel=1e-12, abs=1e-12 * scale)
        assert (out[0] - h).sum() * dx * dy == pytest.approx(-vol, abs=1e-12 * scale)
        assert out[0].min() >= 0.0
        # Without a workspace the kernel allocates its own, same result.
        again = [np.empty_like(h) for _ in range(3)]
        assert fv_step_order2(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels, *again) == vol
        for a, b in zip(out, again):
            np.testing.assert_array_equal(a, b)


def test_order2_falls_back_to_first_order_rather_than_a_negative_depth():
    """Sheets of water up to 1 cm deep at rest on a 20 % slope without friction, dt from their
    celerity (14 s): within dt the flow accelerates (g S dt = 28 m/s) to a Courant number of
    about 35 in the second stage, whose depths would go negative. The step is then the
    first-order one (positive), counted in the workspace. It stays so while dt is that long;
    with some friction (n = 0.01) or a smaller dt (cfl = 0.1) every step is second order."""
    rng = np.random.default_rng(3)
    ny, nx, dx = 8, 60, 20.0
    z = np.broadcast_to(-0.2 * dx * np.arange(nx), (ny, nx)) + 2e-4 * rng.random((ny, nx))
    h = rng.uniform(0.0, 0.01, (ny, nx))
    h[rng.random((ny, nx)) < 0.3] = 0.0
    zero = np.zeros_like(h)
    bc = codes(WALL, OUTFLOW, WALL, WALL)
    dt = fv_stable_dt(h, zero, zero, dx, dx, CFL, G, H_DRY)
    ws = fv_workspace_order2(ny, nx)
    out = [np.empty_like(h) for _ in range(3)]
    vol = fv_step_order2(z, h, zero, zero, zero, dt, dx, dx, G, H_DRY, bc, np.zeros(4), *out, ws)
    assert ws[3][0] == 1
    first = [np.empty_like(h) for _ in range(3)]
    assert fv_step(z, h, zero, zero, zero, dt, dx, dx, G, H_DRY, bc, np.zeros(4), *first) == vol
    for a, b in zip(out, first):
        np.testing.assert_array_equal(a, b)
    ref = fv_step_order2_reference(z, h, zero, zero, zero, dt, dx, dx, G, H_DRY, bc, np.zeros(4))
    for got, want in zip(out, ref[:3]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
    # Without the safeguard: the first stage is positive, the second is not.
    h1, hu1, hv1, _ = stage_reference(z, h, zero, zero, dt, dx, dx, G, H_DRY, bc, np.zeros(4))
    assert h1.min() >= 0.0
    h2 = stage_reference(z, h1, hu1, hv1, dt, dx, dx, G, H_DRY, bc, np.zeros(4))[0]
    assert (0.5 * h + 0.5 * h2).min() < -0.01
    for manning, cfl, fallbacks in ((0.0, CFL, 100), (0.01, CFL, 0), (0.0, 0.1, 0)):
        n = np.full_like(h, manning)
        *_, h_min = simulate(z, h, zero, zero, n, dx, dx, steps=100, bc=bc, cfl=cfl, fallbacks_allowed=True)
        print(f"sheets on a 20 % slope, n = {manning}, cfl = {cfl}: {simulate.fallbacks} of 100 steps at first order")
        assert h_min >= 0.0 and simulate.fallbacks == fallbacks


def test_order2_result_does_not_depend_on_thread_count():
    rng = np.random.default_rng(5)
    z, h, hu, hv, n = random_state(rng, 200, 180)  # above PARALLEL_MIN_CELLS
    before = numba.get_num_threads()
    results = []
    try:
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            results.append(simulate(z, h, hu, hv, n, 1.0, 1.0, steps=6, bc=BOUNDARY_SETS[0], levels=[1.0] * 4))
    finally:
        numba.set_num_threads(before)
    for a, b in zip(results[0][:4], results[-1][:4]):
        np.testing.assert_array_equal(a, b)


def bumpy_bed(ny, nx, dx):
    """Smooth hills (some above the lake: dry islands) and a random cell-to-cell roughness."""
    rng = np.random.default_rng(7)
    y, x = (np.arange(ny)[:, None] + 0.5) * dx, (np.arange(nx)[None, :] + 0.5) * dx
    z = 0.1 * rng.random((ny, nx))
    for cx, cy, amp, w in [(0.3, 0.4, 1.4, 0.12), (0.7, 0.6, 0.9, 0.15), (0.5, 0.85, 1.2, 0.08), (0.2, 0.9, 0.6, 0.1)]:
        z += amp * np.exp(-((x - cx * nx * dx) ** 2 + (y - cy * ny * dx) ** 2) / (w * nx * dx) ** 2)
    return z


@pytest.mark.parametrize("bc", [codes(WALL, WALL, WALL, WALL), codes(OUTFLOW, OUTFLOW, OUTFLOW, OUTFLOW),
                                codes(LEVEL, LEVEL, LEVEL, LEVEL), codes(WALL, LEVEL, OUTFLOW, LEVEL)],
                         ids=["walls", "outflow", "level", "mixed"])
def test_order2_lake_at_rest_with_dry_islands(bc):
    """eta = const, u = 0 over a bumpy bed with dry islands and partly wet cells stays at rest:
    the bed-and-pressure term g h s_eta vanishes with s_eta, and equal face surfaces get equal
    hydrostatic depths (exact: the residual is 0, the bound is 1e-12)."""
    ny, nx, dx = 30, 40, 5.0
    z = bumpy_bed(ny, nx, dx)
    eta = 0.8
    h = np.maximum(0.0, eta - z)
    dry = h == 0
    assert 0.05 < dry.mean() < 0.5
    n = np.full_like(h, 0.03)
    h1, hu1, hv1, out, h_min = simulate(z, h, np.zeros_like(h), np.zeros_like(h), n, dx, dx, steps=300, bc=bc,
                                        levels=[eta] * 4)
    residual = max(np.abs(hu1).max(), np.abs(hv1).max(), np.abs((h1 + z - eta)[~dry]).max())
    print(f"order 2 lake at rest {bc}: max |hu|, |hv|, |eta - eta0| after 300 steps = {residual:.2e}")
    assert residual <= 1e-12
    assert (h1[dry] == 0).all() and abs(out) <= 1e-12 * h.sum() * dx * dx


def test_order2_volume_conserved_with_walls():
    """A dam break sloshing over hills and dry islands for 1000 steps: volume to 1e-10."""
    ny, nx, dx = 40, 50, 2.0
    z = bumpy_bed(ny, nx, dx)
    y, x = np.mgrid[0:ny, 0:nx]
    h = np.maximum(0.0, np.where(x < 15, 2.0, 0.6) - z)
    n = np.full_like(h, 0.02)
    h1, hu1, hv1, out, h_min = simulate(z, h, np.zeros_like(h), np.zeros_like(h), n, dx, dx, steps=1000)
    rel = abs(h1.sum() - h.sum()) / h.sum()
    print(f"order 2 volume conservation, walls, 1000 steps: relative change {rel:.2e}")
    assert rel <= 1e-10 and out == 0.0 and h_min >= 0.0
    assert np.abs(hu1).max() > 1e-3  # it did move


def test_order2_volume_balance_with_open_boundaries():
    """Inflow through a fixed level, outflow downstream: volume change = -sum of returned volumes."""
    ny, nx, dx = 10, 60, 1.0
    z = np.broadcast_to(-0.01 * np.arange(nx) * dx, (ny, nx)).copy()
    h = np.full((ny, nx), 0.2)
    n = np.full_like(h, 0.03)
    h1, hu1, hv1, out, h_min = simulate(z, h, np.zeros_like(h), np.zeros_like(h), n, dx, dx, t_end=30.0,
                                        bc=codes(LEVEL, OUTFLOW, WALL, WALL), levels=[1.0, 0, 0, 0])
    change = (h1.sum() - h.sum()) * dx * dx
    assert change > 1.0 and hu1[:, -1].min() > 0  # filled from the west, draining east
    assert change == pytest.approx(-out, rel=1e-12)


@pytest.mark.parametrize("manning", [0.0, 0.03, 0.1])
def test_order2_positivity_dry_bed_dam_break(manning):
    """A 3 m dam break over hills into dry land (wet-dry fronts, thin films, friction), 60 s at
    cfl 0.45: no negative depth, finite fields, volume kept, and the water gets across."""
    ny, nx, dx = 30, 40, 5.0
    z = bumpy_bed(ny, nx, dx)
    x = np.arange(nx)[None, :] * np.ones((ny, 1))
    h = np.maximum(0.0, np.where(x < 12, 3.0, 0.0) - z)
    zero = np.zeros_like(h)
    n = np.full_like(h, manning)
    h1, hu1, hv1, out, h_min = simulate(z, h, zero, zero, n, dx, dx, t_end=60.0)
    print(f"order 2 dry dam break, n = {manning}: min depth {h_min:.3g}, "
          f"volume change {abs(h1.sum() - h.sum()) / h.sum():.1e}")
    assert h_min >= 0.0
    assert np.isfinite(h1).all() and np.isfinite(hu1).all() and np.isfinite(hv1).all()
    assert h1.sum() == pytest.approx(h.sum(), rel=1e-12) and out == 0.0
    assert (h1[:, -5:] > 0.01).any()


# A right-going simple wave (Riemann invariant u - 2c = -2 c_inf everywhere) on a flat bed:
# depth h0(x) = H + A exp(-((x - X0)/W)^2), u0 = 2 (c(h0) - c_inf); exactly, h is constant along
# the characteristics x = xi + (3 c(h0(xi)) - 2 c_inf) t until they cross (t_break ~ 66 s).
WAVE_H, WAVE_A, WAVE_X0, WAVE_W, WAVE_LENGTH, WAVE_T = 1.0, 0.2, 200.0, 50.0, 600.0, 30.0


def wave_h0(x):
    return WAVE_H + WAVE_A * np.exp(-(((x - WAVE_X0) / WAVE_W) ** 2))


def wave_u0(x):
    return 2.0 * (np.sqrt(G * wave_h0(x)) - math.sqrt(G * WAVE_H))


def wave_exact(x, t):
    """Depth of the simple wave at x, t: the foot xi of the characteristic through x, by bisection."""
    c_inf = math.sqrt(G * WAVE_H)
    lo, hi = x - 4.0 * c_inf * t, x.copy()  # the speed 3 c - 2 c_inf lies in [c_inf, 4 c_inf)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        before = mid + (3.0 * np.sqrt(G * wave_h0(mid)) - 2.0 * c_inf) * t < x
        lo, hi = np.where(before, mid, lo), np.where(before, hi, mid)
    return wave_h0(0.5 * (lo + hi))


def cell_means(f, x, dx, points=4):
    """Gauss-Legendre means of f over the cells centred at x."""
    nodes, weights = np.polynomial.legendre.leggauss(points)
    return sum(0.5 * w * f(x + 0.5 * dx * s) for s, w in zip(nodes, weights))


def test_order2_convergence_on_smooth_simple_wave():
    """Observed order of convergence of the L1 depth error against the exact simple wave at
    t = 30 s (before the shock forms), on 150 to 1200 cells: about 2 for order 2 (>= 1.6 on each
    refinement), about 1 for order 1; and order 2 is the more accurate everywhere."""
    errors = {1: [], 2: []}
    sizes = (150, 300, 600, 1200)
    for nx in sizes:
        dx = WAVE_LENGTH / nx
        x = (np.arange(nx) + 0.5) * dx
        h = cell_means(wave_h0, x, dx)[None, :]
        hu = cell_means(lambda s: wave_h0(s) * wave_u0(s), x, dx)[None, :]
        exact = cell_means(lambda s: wave_exact(s, WAVE_T), x, dx)
        zero = np.zeros_like(h)
        for order in (1, 2):
            h1, hu1, hv1, out, h_min = simulate(zero, h, hu, zero, zero, dx, 1e3 * dx, order=order, t_end=WAVE_T)
            errors[order].append(np.abs(h1[0] - exact).sum() * dx)
    orders = {k: [math.log2(e[i] / e[i + 1]) for i in range(len(e) - 1)] for k, e in errors.items()}
    for k in (1, 2):
        print(f"simple wave, order {k}: L1(h) = " + ", ".join(f"{e:.3e}" for e in errors[k])
              + f" m2 on {sizes} cells; observed orders " + ", ".join(f"{p:.2f}" for p in orders[k]))
    assert all(p >= 1.6 for p in orders[2])
    assert all(0.8 <= p <= 1.2 for p in orders[1])
    assert all(e2 < 0.5 * e1 for e1, e2 in zip(errors[1], errors[2]))


def ritter(x, t, x0, h0):
    """Ritter (1892) dam break on a dry bed: depth at x (m) at time t (s)."""
    c0 = math.sqrt(G * h0)
    h = np.where(x <= x0 - c0 * t, h0, 4.0 / (9.0 * G) * (c0 - (x - x0) / (2.0 * t)) ** 2)
    return np.where(x >= x0 + 2.0 * c0 * t, 0.0, h)


def crossing(x, h, depth):
    """Position (m) where h, decreasing towards +x at its right end, last falls below depth."""
    k = np.nonzero(h > depth)[0][-1]
    return x[k] + (h[k] - depth) / (h[k] - h[k + 1]) * (x[k + 1] - x[k])


def test_order2_ritter_dry_dam_break_beats_order1():
    """Ritter at t = 30 s, h0 = 1 m on a dry bed: at each resolution the L1 depth error of order 2
    is below that of order 1 (by a factor >= 2), the 1 cm front is closer, no negative depth."""
    length, x0, h0, t = 1000.0, 500.0, 1.0, 30.0
    c0 = math.sqrt(G * h0)
    front_1cm = x0 + 2.0 * c0 * t - 2.0 * t * math.sqrt(9.0 * G * 0.01 * h0 / 4.0)
    rows = {1: [], 2: []}
    for nx in (250, 500, 1000, 2000):
        dx = length / nx
        x = (np.arange(nx) + 0.5) * dx
        h = np.where(x < x0, h0, 0.0) * np.ones((3, 1))
        zero = np.zeros_like(h)
        exact = ritter(x, t, x0, h0)
        for order in (1, 2):
            h1, hu1, hv1, _, h_min = simulate(zero, h, zero, zero, zero, dx, 1e3 * dx, order=order, t_end=t)
            assert h_min >= 0.0 and np.abs(hv1).max() == 0.0
            np.testing.assert_array_equal(h1[0], h1[2])  # rows identical: the strip is 1-D
            rows[order].append((dx, np.abs(h1[1] - exact).sum() * dx, crossing(x, h1[1], 0.01 * h0) - front_1cm))
    for (dx, l1a, fa), (_, l1b, fb) in zip(rows[1], rows[2]):
        print(f"Ritter dx={dx:5.3f} m: L1(h) order 1 {l1a:.4f} m2, order 2 {l1b:.4f} m2 (ratio {l1a / l1b:.1f}); "
              f"1 cm front error {fa:+.2f} m, {fb:+.2f} m")
        assert l1b < 0.5 * l1a and abs(fb) < abs(fa)
    l1s = [r[1] for r in rows[2]]
    assert all(a > b for a, b in zip(l1s, l1s[1:]))


def thacker(nx, times, order, length=4.0, a=1.0, h0=0.1, eta=0.5):
    """Thacker's (1981) planar surface in a paraboloid (as in test_finite_volume); returns
    [(t, numerical h, exact h, h_min)] and the initial volume."""
    dx = length / nx
    c = (np.arange(nx) + 0.5) * dx - 0.5 * length
    X, Y = c[None, :], c[:, None]
    z = -h0 * (1.0 - (X**2 + Y**2) / a**2)
    omega = math.sqrt(2.0 * G * h0) / a

    def exact(t):
        return np.maximum(0.0, h0 * (1.0 - ((X - eta * math.cos(omega * t)) ** 2
                                            + (Y - eta * math.sin(omega * t)) ** 2) / a**2))

    h = exact(0.0)
    hu, hv = np.zeros_like(h), h * eta * omega
    n = np.zeros_like(h)
    results, t = [], 0.0
    for t_next in times:
        h, hu, hv, out, h_min = simulate(z, h, hu, hv, n, dx, dx, order=order, t_end=t_next - t)
        assert out == 0.0
        t = t_next
        results.append((t, h, exact(t), h_min))
    return results, exact(0.0).sum()


def test_order2_thacker_planar_parabolic_bowl():
    """Moving shoreline: at a quarter and half period order 2 is well below order 1 (and converges)."""
    period = 2.0 * math.pi / math.sqrt(2.0 * G * 0.1)
    errors = {}
    for order in (1, 2):
        for nx in (50, 100):
            results, volume0 = thacker(nx, [0.25 * period, 0.5 * period], order)
            for t, h, exact, h_min in results:
                assert h_min >= 0.0
                assert h.sum() == pytest.approx(volume0, rel=1e-12)
                errors[order, nx, round(t / period, 2)] = np.abs(h - exact).sum() / exact.sum()
    for q in (0.25, 0.5):
        e1 = [errors[1, nx, q] for nx in (50, 100)]
        e2 = [errors[2, nx, q] for nx in (50, 100)]
        print(f"Thacker t = {q} T: relative L1(h) on 50, 100 cells: order 1 {e1[0]:.4f}, {e1[1]:.4f}; "
              f"order 2 {e2[0]:.4f}, {e2[1]:.4f}")
        assert e2[0] > e2[1] and all(b < 0.5 * a for a, b in zip(e1, e2))


@pytest.mark.parametrize("outside", [0.0, 0.5], ids=["dry", "wet"])
def test_order2_circular_dam_break_is_symmetric(outside):
    """On a square grid the solution stays symmetric under x <-> y exactly."""
    nx, dx = 64, 1.0
    c = (np.arange(nx) + 0.5) * dx - 0.5 * nx * dx
    r2 = c[None, :] ** 2 + c[:, None] ** 2
    z = 0.002 * r2
    h = np.where(r2 < 10.0**2, 2.5, outside)
    zero = np.zeros_like(h)
    n = np.full_like(h, 0.025)
    h1, hu1, hv1, out, h_min = simulate(z, h, zero, zero, n, dx, dx, steps=150)
    assert h_min >= 0.0 and np.abs(hu1).max() > 0.1
    np.testing.assert_array_equal(h1, h1.T)
    np.testing.assert_array_equal(hu1, hv1.T)
    np.testing.assert_allclose(h1, h1[:, ::-1], rtol=0, atol=1e-10)
    np.testing.assert_allclose(hu1, -hu1[:, ::-1], rtol=0, atol=1e-10)


def test_order2_float32_lake_at_rest_and_dam_break():
    ny, nx, dx = 30, 40, 5.0
    z = bumpy_bed(ny, nx, dx).astype(np.float32)
    eta = np.float32(0.8)
    h = np.maximum(np.float32(0), eta - z)
    zero = np.zeros_like(h)
    n = np.full_like(h, 0.03)
    h1, hu1, hv1, out, h_min = simulate(z, h, zero, zero, n, dx, dx, steps=300, levels=[0.8] * 4)
    assert h1.dtype == hu1.dtype == np.float32
    wet = h > 0
    residual = max(np.abs(hu1).max(), np.abs(hv1).max(), np.abs((h1 + z - eta)[wet]).max())
    print(f"order 2 float32 lake at rest: residual {residual:.1e}")
    assert residual < 1e-5
    x = np.arange(nx)[None, :] * np.ones((ny, 1))
    h = np.maximum(0.0, np.where(x < 12, 3.0, 0.0) - z).astype(np.float32)
    h1, hu1, hv1, out, h_min = simulate(z, h, zero, zero, n, dx, dx, t_end=60.0)
    assert np.isfinite(h1).all() and np.isfinite(hu1).all() and np.isfinite(hv1).all() and h_min >= 0.0
    assert h1.sum(dtype=np.float64) == pytest.approx(h.sum(dtype=np.float64), rel=1e-5)
    assert (h1[:, -5:] > 0.01).any()


def test_order2_workspace_for_another_grid_is_refused():
    h = np.ones((40, 30))
    out = [np.empty_like(h) for _ in range(3)]
    with pytest.raises(ValueError, match="workspace"):
        fv_step_order2(h, h, h, h, h, 0.1, 1.0, 1.0, G, H_DRY, WALLS, np.zeros(4), *out, fv_workspace_order2(20, 30))
    with pytest.raises(ValueError, match="workspace"):
        fv_step_order2(h, h, h, h, h, 0.1, 1.0, 1.0, G, H_DRY, WALLS, np.zeros(4), *out, fv_workspace_order2(40, 31))
