"""Finite-volume shallow-water kernels: the NumPy twin, well balancing, conservation, analytic
dam breaks (Ritter 1892, Stoker 1957), Thacker's (1981) planar parabolic bowl, float32, symmetry."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from scipy.optimize import brentq

from models.flood.finite_volume import LEVEL, OUTFLOW, WALL, fv_stable_dt, fv_step, fv_workspace
from models.flood.reference_fv import fv_step_reference

G = 9.81
H_DRY = 1e-6
CFL = 0.45
WALLS = np.array([WALL] * 4, dtype=np.int64)


def codes(west, east, south, north):
    return np.array([west, east, south, north], dtype=np.int64)


def simulate(z, h, hu, hv, n, dx, dy, *, t_end=None, steps=None, bc=WALLS, levels=None, cfl=CFL):
    """Run the kernels to t_end or for a number of steps; (h, hu, hv, outflow volume, min depth)."""
    levels = np.zeros(4, dtype=h.dtype) if levels is None else np.asarray(levels, dtype=h.dtype)
    h, hu, hv = h.copy(), hu.copy(), hv.copy()
    nxt = [np.empty_like(h) for _ in range(3)]
    ws = fv_workspace(*h.shape, h.dtype)
    t, k, out, h_min = 0.0, 0, 0.0, float(h.min())
    while (t_end is not None and t_end - t > 1e-12 * t_end) or (steps is not None and k < steps):
        dt = fv_stable_dt(h, hu, hv, dx, dy, cfl, G, H_DRY)
        if t_end is not None:
            dt = min(dt, t_end - t)
        out += fv_step(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels, *nxt, ws)
        h, nxt[0] = nxt[0], h
        hu, nxt[1] = nxt[1], hu
        hv, nxt[2] = nxt[2], hv
        t += dt
        k += 1
        h_min = min(h_min, float(h.min()))
    return h, hu, hv, out, h_min


def random_state(rng, ny, nx, dtype=np.float64):
    """Bumpy bed, depths from dry through films thinner than H_DRY to 1.5 m, random velocities."""
    z = rng.uniform(0.0, 1.0, (ny, nx))
    h = np.maximum(0.0, rng.uniform(-0.5, 1.5, (ny, nx)))
    h[rng.random((ny, nx)) < 0.1] = 0.3 * H_DRY
    wet = h > H_DRY
    hu = np.where(wet, rng.normal(0.0, 1.0, (ny, nx)) * h, 0.0)
    hv = np.where(wet, rng.normal(0.0, 1.0, (ny, nx)) * h, 0.0)
    n = rng.uniform(0.0, 0.06, (ny, nx))
    return [a.astype(dtype) for a in (z, h, hu, hv, n)]


# The three codes each on every side.
BOUNDARY_SETS = [codes(WALL, OUTFLOW, LEVEL, WALL), codes(OUTFLOW, LEVEL, WALL, OUTFLOW),
                 codes(LEVEL, WALL, OUTFLOW, LEVEL), codes(WALL, WALL, WALL, WALL),
                 codes(OUTFLOW, OUTFLOW, OUTFLOW, OUTFLOW), codes(LEVEL, LEVEL, LEVEL, LEVEL)]


@pytest.mark.parametrize("bc", BOUNDARY_SETS, ids=lambda c: "".join(map(str, c)))
@pytest.mark.parametrize("shape", [(7, 9), (37, 5), (1, 6), (4, 1)])
def test_numba_equals_numpy_twin(bc, shape):
    """One step from random states (dry cells, films below H_DRY, steps in the bed): the kernel
    equals the NumPy twin to 1e-12, and the returned volume closes the mass balance.
    (37 rows: three row blocks, the last one short; single rows and columns.)"""
    rng = np.random.default_rng(sum(bc * [1, 3, 9, 27]) + shape[0])
    for _ in range(4):
        z, h, hu, hv, n = random_state(rng, *shape)
        levels = rng.uniform(0.2, 2.0, 4)
        dx, dy = 2.0, 3.0
        dt = fv_stable_dt(h, hu, hv, dx, dy, CFL, G, H_DRY)
        out = [np.empty_like(h) for _ in range(3)]
        vol = fv_step(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels, *out, fv_workspace(*shape))
        ref = fv_step_reference(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels)
        for got, want in zip(out, ref[:3]):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
        assert vol == pytest.approx(ref[3], rel=1e-12, abs=1e-12 * h.sum() * dx * dy)
        assert (out[0] - h).sum() * dx * dy == pytest.approx(-vol, abs=1e-12 * h.sum() * dx * dy)
        assert out[0].min() >= 0.0
        # Without a workspace the kernel allocates its own, same result.
        again = [np.empty_like(h) for _ in range(3)]
        assert fv_step(z, h, hu, hv, n, dt, dx, dy, G, H_DRY, bc, levels, *again) == vol
        for a, b in zip(out, again):
            np.testing.assert_array_equal(a, b)


def test_stable_dt():
    h = np.array([[0.0, 2.0], [1e-9, 0.5]])
    hu = np.array([[0.0, 2.0], [1.0, -0.5]])
    hv = np.array([[0.0, -1.0], [1.0, 0.0]])
    c = np.sqrt(G * h)
    speed = np.array([[0.0, (1 + c[0, 1]) / 2 + (0.5 + c[0, 1]) / 3],
                      [c[1, 0] / 2 + c[1, 0] / 3, (1 + c[1, 1]) / 2 + c[1, 1] / 3]])
    assert fv_stable_dt(h, hu, hv, 2.0, 3.0, CFL, G, H_DRY) == pytest.approx(CFL / speed.max(), rel=1e-14)
    assert fv_stable_dt(np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((3, 4)), 1.0, 1.0, CFL, G, H_DRY) == math.inf


def test_result_does_not_depend_on_thread_count():
    rng = np.random.default_rng(5)
    z, h, hu, hv, n = random_state(rng, 200, 180)  # above PARALLEL_MIN_CELLS
    before = numba.get_num_threads()
    results = []
    try:
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            results.append(simulate(z, h, hu, hv, n, 1.0, 1.0, steps=10, bc=BOUNDARY_SETS[0], levels=[1.0] * 4))
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
def test_lake_at_rest_with_dry_islands(bc):
    """Audusse et al. (2004): eta = const, u = 0 is kept over a bumpy bed with dry islands."""
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
    print(f"lake at rest {bc}: max |hu|, |hv|, |eta - eta0| after 300 steps = {residual:.2e}")
    assert residual <= 1e-12
    assert (h1[dry] == 0).all() and abs(out) <= 1e-12 * h.sum() * dx * dx


def test_volume_conserved_with_walls():
    """A dam break sloshing over hills and dry islands for 1000 steps: volume to 1e-10."""
    ny, nx, dx = 40, 50, 2.0
    z = bumpy_bed(ny, nx, dx)
    y, x = np.mgrid[0:ny, 0:nx]
    h = np.maximum(0.0, np.where(x < 15, 2.0, 0.6) - z)
    n = np.full_like(h, 0.02)
    h1, hu1, hv1, out, h_min = simulate(z, h, np.zeros_like(h), np.zeros_like(h), n, dx, dx, steps=1000)
    rel = abs(h1.sum() - h.sum()) / h.sum()
    print(f"volume conservation, walls, 1000 steps: relative change {rel:.2e}")
    assert rel <= 1e-10 and out == 0.0 and h_min >= 0.0
    assert np.abs(hu1).max() > 1e-3  # it did move


def test_volume_balance_with_open_boundaries():
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


def ritter(x, t, x0, h0):
    """Ritter (1892) dam break on a dry bed: depth at x (m) at time t (s)."""
    c0 = math.sqrt(G * h0)
    h = np.where(x <= x0 - c0 * t, h0, 4.0 / (9.0 * G) * (c0 - (x - x0) / (2.0 * t)) ** 2)
    return np.where(x >= x0 + 2.0 * c0 * t, 0.0, h)


def strip(nx, length, rows=1):
    """A 1-D channel: rows x nx cells, walls all round, dy >> dx so dt follows the x CFL."""
    dx = length / nx
    x = (np.arange(nx) + 0.5) * dx
    z = np.zeros((rows, nx))
    return x, dx, 1e3 * dx, z, np.zeros((rows, nx))


def crossing(x, h, depth):
    """Position (m) where h, decreasing towards +x at its right end, last falls below depth."""
    k = np.nonzero(h > depth)[0][-1]
    return x[k] + (h[k] - depth) / (h[k] - h[k + 1]) * (x[k + 1] - x[k])


def test_ritter_dry_dam_break():
    """L1 error and front position against Ritter at t = 30 s; observed order of convergence.

    The front is located where the depth falls below 1 cm (h0 / 100), and compared with the
    exact position of that depth, 2 t sqrt(9 g 0.01 / 4) = 9.4 m behind the true front x0 + 2 c0 t:
    thinner layers trail further behind, as in any first-order scheme (the edge velocity is
    underestimated, and u = 0 below H_DRY)."""
    length, x0, h0, t = 1000.0, 500.0, 1.0, 30.0
    c0 = math.sqrt(G * h0)
    front = x0 + 2.0 * c0 * t
    errors = []
    for nx in (250, 500, 1000, 2000):
        x, dx, dy, z, zero = strip(nx, length, rows=3)
        h = np.where(x < x0, h0, 0.0) * np.ones((3, 1))
        h1, hu1, hv1, _, h_min = simulate(z, h, zero, zero, zero, dx, dy, t_end=t)
        assert h_min >= 0.0 and np.abs(hv1).max() == 0.0
        np.testing.assert_array_equal(h1[0], h1[2])  # rows identical: the strip is 1-D
        exact = ritter(x, t, x0, h0)
        l1 = np.abs(h1[1] - exact).sum() * dx
        df = crossing(x, h1[1], 0.01 * h0) - (front - 2.0 * t * math.sqrt(9.0 * G * 0.01 * h0 / 4.0))
        edge = x[np.nonzero(h1[1] > H_DRY)[0][-1]] + 0.5 * dx - front
        errors.append((dx, l1, df, edge))
    orders = [math.log(errors[k][1] / errors[k + 1][1], 2) for k in range(len(errors) - 1)]
    for (dx, l1, df, edge), p in zip(errors, [None] + orders):
        print(f"Ritter dx={dx:5.3f} m: L1(h) = {l1:.4f} m2" + ("" if p is None else f" (order {p:.2f})")
              + f", front (1 cm) error {df:+.2f} m, wet edge (h > H_DRY) error {edge:+.2f} m")
    l1s = [e[1] for e in errors]
    fronts = [abs(e[2]) for e in errors]
    assert all(a > b for a, b in zip(l1s, l1s[1:])) and all(a > b for a, b in zip(fronts, fronts[1:]))
    assert 0.55 < np.mean(orders) < 1.1
    assert l1s[-1] < 0.02 * h0 * 3.0 * c0 * t  # < 2 % of the disturbed volume's scale
    assert fronts[-1] < 0.05 * 2.0 * c0 * t  # 1 cm front within 5 % of the distance run
    assert all(-0.15 * 2.0 * c0 * t < e[3] < dx for e in errors)  # never ahead of the exact front


def stoker(x, t, x0, hl, hr):
    """Stoker (1957) dam break on a wet bed hl > hr > 0: depth at x, and the shock speed."""
    cl = math.sqrt(G * hl)

    def gap(hm):  # u behind the rarefaction - u behind the shock
        return 2.0 * (cl - math.sqrt(G * hm)) - (hm - hr) * math.sqrt(0.5 * G * (hm + hr) / (hm * hr))

    hm = brentq(gap, hr, hl, xtol=1e-15)
    um = 2.0 * (cl - math.sqrt(G * hm))
    speed = hm * um / (hm - hr)
    xi = (x - x0) / t
    h = np.where(xi <= -cl, hl, (2.0 * cl - xi) ** 2 / (9.0 * G))
    h = np.where(xi >= um - math.sqrt(G * hm), hm, h)
    return np.where(xi >= speed, hr, h), hm, speed


def test_stoker_wet_dam_break():
    """Shock position and L1 error against Stoker, hl = 1 m, hr = 0.1 m, t = 30 s."""
    length, x0, t, hl, hr = 1000.0, 500.0, 30.0, 1.0, 0.1
    l1s = []
    for nx in (250, 500, 1000):
        x, dx, dy, z, zero = strip(nx, length)
        h = np.where(x < x0, hl, hr)[None, :]
        h1, *_ = simulate(z, h, zero, zero, zero, dx, dy, t_end=t)
        exact, hm, speed = stoker(x, t, x0, hl, hr)
        l1s.append(np.abs(h1[0] - exact).sum() * dx)
        # The shock: where the depth crosses halfway between hm and hr.
        k = np.nonzero(h1[0] > 0.5 * (hm + hr))[0][-1]
        frac = (h1[0, k] - 0.5 * (hm + hr)) / (h1[0, k] - h1[0, k + 1])
        x_shock = x[k] + frac * dx
        print(f"Stoker dx={dx:4.1f} m: L1(h) = {l1s[-1]:.4f} m2, shock at {x_shock:.2f} m "
              f"(exact {x0 + speed * t:.2f}, error {x_shock - x0 - speed * t:+.2f} m)")
        assert abs(x_shock - (x0 + speed * t)) < 2.0 * dx
        assert np.abs(h1[0, (x > x0 + 0.2 * speed * t) & (x < x0 + 0.8 * speed * t)] - hm).max() < 0.01 * hm
    assert l1s[0] > l1s[1] > l1s[2]


def thacker(nx, times, length=4.0, a=1.0, h0=0.1, eta=0.5):
    """Thacker's (1981) planar surface in a paraboloid, as in SWASHES (Delestre et al. 2013).

    Bed z = -h0 (1 - r^2 / a^2); the water is the lens h = h0 (1 - |X - eta e(t)|^2 / a^2) whose
    centre turns on a circle of radius eta at omega = sqrt(2 g h0) / a, with u = -eta omega sin,
    v = eta omega cos. Returns [(t, numerical h, exact h, h_min)], dx, and the initial volume.
    """
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
        h, hu, hv, out, h_min = simulate(z, h, hu, hv, n, dx, dx, t_end=t_next - t)
        assert out == 0.0
        t = t_next
        results.append((t, h, exact(t), h_min))
    return results, dx, exact(0.0).sum()


def test_thacker_planar_parabolic_bowl():
    """Moving shoreline: h at a quarter and half period converges to Thacker's solution."""
    period = 2.0 * math.pi / math.sqrt(2.0 * G * 0.1)
    errors = {}
    for nx in (50, 100, 200):
        results, dx, volume0 = thacker(nx, [0.25 * period, 0.5 * period])
        for t, h, exact, h_min in results:
            assert h_min >= 0.0
            assert h.sum() == pytest.approx(volume0, rel=1e-12)  # mass conserved
            errors[nx, round(t / period, 2)] = np.abs(h - exact).sum() / exact.sum()
    for q in (0.25, 0.5):
        e = [errors[nx, q] for nx in (50, 100, 200)]
        print(f"Thacker t = {q} T: relative L1(h) = " + ", ".join(f"{v:.4f}" for v in e)
              + f" on 50, 100, 200 cells; orders {math.log2(e[0] / e[1]):.2f}, {math.log2(e[1] / e[2]):.2f}")
        assert e[0] > e[1] > e[2]
        assert e[2] < 0.1


def test_float32_lake_at_rest_and_dam_break():
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
    print(f"float32 lake at rest: residual {residual:.1e}")
    assert residual < 1e-5
    # Dam break over the same hills, into dry land.
    y, x = np.mgrid[0:ny, 0:nx]
    h = np.maximum(0.0, np.where(x < 12, 3.0, 0.0) - z).astype(np.float32)
    h1, hu1, hv1, out, h_min = simulate(z, h, zero, zero, n, dx, dx, t_end=60.0)
    assert np.isfinite(h1).all() and np.isfinite(hu1).all() and np.isfinite(hv1).all() and h_min >= 0.0
    assert h1.sum(dtype=np.float64) == pytest.approx(h.sum(dtype=np.float64), rel=1e-5)
    assert (h1[:, -5:] > 0.01).any()  # the water got there


@pytest.mark.parametrize("outside", [0.0, 0.5], ids=["dry", "wet"])
def test_circular_dam_break_is_symmetric(outside):
    """On a square grid the solution stays symmetric under x <-> y to round-off (exactly)."""
    nx, dx = 64, 1.0
    c = (np.arange(nx) + 0.5) * dx - 0.5 * nx * dx
    r2 = c[None, :] ** 2 + c[:, None] ** 2
    z = 0.002 * r2  # a bowl, symmetric too
    h = np.where(r2 < 10.0**2, 2.5, outside)
    zero = np.zeros_like(h)
    n = np.full_like(h, 0.025)
    h1, hu1, hv1, out, h_min = simulate(z, h, zero, zero, n, dx, dx, steps=150)
    assert h_min >= 0.0 and np.abs(hu1).max() > 0.1
    np.testing.assert_array_equal(h1, h1.T)
    np.testing.assert_array_equal(hu1, hv1.T)
    # Mirror symmetry x -> -x holds to round-off (the flux is not bitwise odd).
    np.testing.assert_allclose(h1, h1[:, ::-1], rtol=0, atol=1e-10)
    np.testing.assert_allclose(hu1, -hu1[:, ::-1], rtol=0, atol=1e-10)


def test_workspace_for_another_grid_is_refused():
    h = np.ones((40, 30))
    out = [np.empty_like(h) for _ in range(3)]
    with pytest.raises(ValueError, match="workspace"):
        fv_step(h, h, h, h, h, 0.1, 1.0, 1.0, G, H_DRY, WALLS, np.zeros(4), *out, fv_workspace(20, 30))


@pytest.mark.parametrize("order", [1, 2])
def test_implicit_friction_keeps_manning_sheet_flow_steady_at_any_time_step(order):
    """A uniform sheet on a uniform slope: the fluxes cancel and one step gives
    q' = f(q + dt F), F the scheme's bed force. Backward-Euler friction makes its steady
    discharge q = sqrt(F / k), k = g n^2 / h^(7/3), the Manning balance, whatever dt; the
    semi-implicit 1 / (1 + a) would not (it gives q^2 + dt F q = F / k)."""
    from models.flood.finite_volume import fv_step_order2, fv_workspace_order2

    shape, dx, slope, depth, n_manning = (6, 40), 5.0, 0.002, 0.03, 0.05
    x = (np.arange(shape[1]) + 0.5) * dx
    z = np.ascontiguousarray(np.broadcast_to(10.0 - slope * x, shape))
    h = np.full(shape, depth)
    bc = np.array([OUTFLOW, OUTFLOW, WALL, WALL])

    def step(hu, n, dt):
        out = [np.empty(shape) for _ in range(3)]
        if order == 1:
            fv_step(z, h, hu, np.zeros(shape), n, dt, dx, dx, G, H_DRY, bc, np.zeros(4), *out, fv_workspace(*shape))
        else:
            fv_step_order2(z, h, hu, np.zeros(shape), n, dt, dx, dx, G, H_DRY, bc, np.zeros(4), *out,
                           fv_workspace_order2(*shape))
        return out[1][3, 20]  # an interior cell, far from every edge

    force = step(np.zeros(shape), np.zeros(shape), 0.1) / 0.1  # F, from a frictionless step
    assert force == pytest.approx(G * depth * slope, rel=0.5)  # g h S, up to the reconstruction's slope error
    k = G * n_manning**2 / depth ** (7 / 3)
    q_steady = math.sqrt(force / k)
    for dt in (0.01, 0.1, 1.0):
        assert step(np.full(shape, q_steady), np.full(shape, n_manning), dt) == pytest.approx(q_steady, rel=1e-12)
