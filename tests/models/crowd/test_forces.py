"""Crowd operational models (HFV 2000 social force with contact; Tordeux et al. 2016 collision-free
speed model): analytic relaxation and first-order convergence, Newton's third law, body
compression equilibrium, the CSM speed function, the NumPy twins, thread invariance, no wall
crossing in randomised bottlenecks, the cell list and the wall index, the agent slots."""

from __future__ import annotations

import math
import os

import numba
import numpy as np
import pytest
from scipy.optimize import brentq

from models.crowd.agents import Agents
from models.crowd.forces import (
    CollisionFreeSpeedParams,
    SocialForceBuffers,
    SocialForceParams,
    collision_free_speed_kernel,
    collision_free_speed_step,
    radius_arg,
    social_force_kernel,
    social_force_step,
    wall_contact_loads,
)
from models.crowd.forces_reference import (
    collision_free_speed_step_reference,
    crossings,
    social_force_substep_reference,
)
from models.crowd.geometry import WallIndex, point_segment_distance
from models.crowd.neighbours import CellList, neighbour_counts_brute_force

# The kernel's physics is tested on HFV's (2000) own parameters: walls as strong as persons,
# sliding friction, no headway (the calibrated defaults are tested through the model).
SFM = SocialForceParams(A_W=2000.0, B_W=0.08, kappa=2.4e5, T_h=0.0)
# The CSM kernel likewise on JuPedSim's 1.x defaults, each agent its own radius; CSM_DEFAULT is the calibration.
# JuPedSim's own model: T = 1 s, one radius (each body's) for the speed and the repulsion, no turning
CSM = CollisionFreeSpeedParams(a=8.0, D=0.1, a_wall=5.0, D_wall=0.02, T=1.0, radius=None, repulsion_radius=None,
                               turning_time=0.0)
CSM_DEFAULT = CollisionFreeSpeedParams()
# Randomised bottleneck runs per model; a validation command can ask for more, e.g.
# HAZSIM_CROWD_CROSSING_RUNS=10000 pytest tests/models/crowd/test_forces.py -k random_bottlenecks
CROSSING_RUNS = int(os.environ.get("HAZSIM_CROWD_CROSSING_RUNS", "200"))
NO_WALLS = np.zeros((0, 4))


def indexes(agents, segments, r_c, r_cW, max_move, margin=5.0):
    """A cell list of side r_c over the agents and walls, and a wall index reaching past r_cW."""
    on = agents.active
    xs = np.concatenate([agents.x[on], np.asarray(segments)[:, 0], np.asarray(segments)[:, 2]])
    ys = np.concatenate([agents.y[on], np.asarray(segments)[:, 1], np.asarray(segments)[:, 3]])
    cells = CellList.covering(xs.min() - margin, ys.min() - margin, xs.max() + margin, ys.max() + margin, r_c,
                              agents.capacity)
    walls = WallIndex.build(segments, reach=r_cW + max_move + 0.2)
    return cells, walls


def sfm_world(agents, segments=NO_WALLS, params=SFM):
    r_c, r_cW = params.cutoffs(float(agents.radius[agents.active].max()), float(agents.desired_speed.max()))
    cells, walls = indexes(agents, segments, r_c, r_cW, 0.1)
    return cells, walls, SocialForceBuffers.empty(agents.capacity, walls.n_walls)


def csm_world(agents, segments=NO_WALLS, params=CSM, dt=0.01):
    on = agents.active
    r_c, r_cW = params.cutoffs(float(agents.radius[on].max()), float(agents.desired_speed[on].max()))
    return indexes(agents, segments, r_c, r_cW, float(agents.desired_speed[on].max()) * dt)


# -- social force: a free agent --------------------------------------------------------------
def relaxation_error(h, t_end=1.0, v0=1.5, tau=0.5):
    """Largest |v - v0 (1 - e^{-t/tau})| (m/s) of a free agent over [0, t_end] with sub-step h."""
    agents = Agents.empty(1)
    agents.spawn(0.0, 0.0, desired_speed=v0, relaxation_time=tau)
    cells, walls, buffers = sfm_world(agents)
    ex, ey = np.ones(1), np.zeros(1)
    worst, t = 0.0, 0.0
    for _ in range(round(t_end / h)):
        social_force_step(agents, ex, ey, walls, cells, SFM, h, buffers, n_sub=1)
        t += h
        assert agents.vy[0] == 0.0 and agents.y[0] == 0.0
        worst = max(worst, abs(agents.vx[0] - v0 * (1.0 - math.exp(-t / tau))))
    x_exact = v0 * (t - tau * (1.0 - math.exp(-t / tau)))
    return worst, abs(agents.x[0] - x_exact)


def test_a_free_agent_relaxes_to_v0_at_first_order():
    """v(t) = v0 (1 - e^{-t/tau}); symplectic Euler's error halves with the sub-step."""
    errors = [relaxation_error(h) for h in (0.01, 0.005, 0.0025, 0.00125)]
    v_errors = np.array([e[0] for e in errors])
    x_errors = np.array([e[1] for e in errors])
    v_orders = np.log2(v_errors[:-1] / v_errors[1:])
    x_orders = np.log2(x_errors[:-1] / x_errors[1:])
    assert np.all(np.abs(v_orders - 1.0) < 0.05), v_orders
    assert np.all(np.abs(x_orders - 1.0) < 0.05), x_orders
    # The default sub-step (h = 2.5 ms at dt = 0.01 s): within 0.1 % of v0.
    assert v_errors[2] < 1e-3 * 1.5


def test_default_substeps_follow_the_contact_oscillator():
    """h <= 0.1 sqrt(m/k): 4 sub-steps of dt = 0.01 s for 80 kg, 5 for 50 kg."""
    assert SFM.substeps(0.01, 80.0) == 4
    assert SFM.substeps(0.01, 50.0) == 5
    assert 0.01 / SFM.substeps(0.01, 80.0) <= 0.1 * math.sqrt(80.0 / SFM.k)


def lattice_amplification_radius(delta, h, mass=80.0, n=6):
    """Spectral radius of symplectic Euler's amplification matrix for the linearised contacts of a
    periodic n x n triangular lattice, every disc touching six others at overlap delta: normal
    stiffness k_eff = k + (A/B) e^{delta/B}, tangential friction damping kappa delta."""
    k_eff = SFM.k + SFM.A / SFM.B * math.exp(delta / SFM.B)
    size = 2 * n * n
    stiffness, damping = np.zeros((size, size)), np.zeros((size, size))
    bonds = [((1, 0), (1.0, 0.0)), ((0, 1), (0.5, math.sqrt(3) / 2)), ((-1, 1), (-0.5, math.sqrt(3) / 2))]
    for i in range(n):
        for j in range(n):
            a = 2 * (i + n * j)
            for (di, dj), (ux, uy) in bonds:
                b = 2 * ((i + di) % n + n * ((j + dj) % n))
                for matrix, block in ((stiffness, k_eff * np.outer((ux, uy), (ux, uy))),
                                      (damping, SFM.kappa * delta * np.outer((-uy, ux), (-uy, ux)))):
                    for p, q, sign in ((a, a, 1), (b, b, 1), (a, b, -1), (b, a, -1)):
                        matrix[p:p + 2, q:q + 2] += sign * block
    assert np.linalg.eigvalsh(stiffness).max() == pytest.approx(6 * k_eff)  # the docstring's 6 k_eff
    stiff, damp, eye = stiffness / mass, damping / mass, np.eye(size)
    # v' = v - h (K x + C v)/m, x' = x + h v'
    amplification = np.block([[eye - h * h * stiff, h * (eye - h * damp)], [-h * stiff, eye - h * damp]])
    return np.abs(np.linalg.eigvals(amplification)).max()


def test_the_substep_is_stable_in_the_densest_packing():
    """h = 0.1 sqrt(m/k) stays stable up to 0.042 m of overlap on all six contacts (16 kN/m)."""
    h = 0.1 * math.sqrt(80.0 / SFM.k)
    # Rigid translations make a Jordan block at eigenvalue 1: round-off moves it by ~sqrt(eps).
    for delta in (0.0, 0.01, 0.03, 0.042):
        assert lattice_amplification_radius(delta, h) <= 1.0 + 1e-6
    assert lattice_amplification_radius(0.045, h) > 1.05
    # Halving c roughly doubles the overlap the friction term tolerates (2 h gamma <= 4).
    assert lattice_amplification_radius(0.08, h / 2) <= 1.0 + 1e-6


# -- social force: Newton's third law and symmetry ------------------------------------------------
def test_momentum_is_conserved_without_driving():
    """A packed cluster with overlaps, friction and random velocities; no driving, no cap, no walls."""
    rng = np.random.default_rng(7)
    side = 7
    gx, gy = np.meshgrid(np.arange(side) * 0.55, np.arange(side) * 0.55)
    n = side * side
    agents = Agents.empty(n + 5)
    x0, y0 = gx.ravel() + rng.uniform(-0.03, 0.03, n), gy.ravel() + rng.uniform(-0.03, 0.03, n)
    centre = 0.55 * (side - 1) / 2
    # Converging on the centre, with a random spin: the cluster is squeezed before it rebounds.
    agents.spawn(x0, y0, vx=(centre - x0) + rng.normal(0, 0.8, n), vy=(centre - y0) + rng.normal(0, 0.8, n),
                 radius=rng.uniform(0.26, 0.32, n),
                 mass=rng.uniform(50, 100, n), relaxation_time=math.inf, desired_speed=1.3)
    params = SocialForceParams(speed_cap=math.inf, speed_floor=math.inf)
    cells, walls, buffers = sfm_world(agents, params=params)
    ex, ey = rng.normal(size=agents.capacity), rng.normal(size=agents.capacity)  # ignored: tau = inf
    on = agents.active

    def momentum():
        return np.array([(agents.mass * agents.vx)[on].sum(), (agents.mass * agents.vy)[on].sum()])

    p0 = momentum()
    scale = float((agents.mass * np.hypot(agents.vx, agents.vy))[on].sum())
    contacts = 0
    for _ in range(250):
        social_force_step(agents, ex, ey, walls, cells, params, 0.01, buffers)
        contacts += int((buffers.radial_force > 0).sum())
    assert contacts > 300  # friction and compression were active
    assert np.all(np.abs(momentum() - p0) <= 1e-14 * scale)  # measured 3e-16 of the scale


def test_head_on_approach_is_point_symmetric_to_the_last_bit():
    """Two agents walking at each other slightly off axis: x_2 = -x_1 and v_2 = -v_1 at every step."""
    agents = Agents.empty(2)
    agents.spawn([-2.0, 2.0], [0.05, -0.05], desired_speed=1.4, radius=0.3)
    cells, walls, buffers = sfm_world(agents)
    ex, ey = np.array([1.0, -1.0]), np.zeros(2)
    closest = np.inf
    for _ in range(800):
        social_force_step(agents, ex, ey, walls, cells, SFM, 0.01, buffers)
        assert agents.x[1] == -agents.x[0] and agents.y[1] == -agents.y[0]
        assert agents.vx[1] == -agents.vx[0] and agents.vy[1] == -agents.vy[0]
        assert buffers.radial_force[0] == buffers.radial_force[1]
        closest = min(closest, math.hypot(agents.x[1] - agents.x[0], agents.y[1] - agents.y[0]))
    # they met (within the repulsion's reach), sidestepped each other and walked on
    assert closest < 0.6 + 2 * SFM.B and agents.x[0] > 1.0
    assert abs(agents.y[0]) > 0.1


# -- social force: body compression -------------------------------------------------------------
def equilibrium_overlap(drive, A=SFM.A, B=SFM.B):
    """delta with A e^{delta/B} + k delta = drive (N)."""
    return brentq(lambda d: A * math.exp(d / B) + SFM.k * d - drive, -1.0, 1.0, xtol=1e-15)


def test_two_agents_pushed_together_settle_at_the_analytic_overlap():
    """Driving m v0 / tau = 8000 N each way against A e^{delta/B} + k delta."""
    mass, v0, tau, r = 80.0, 5.0, 0.05, 0.3
    agents = Agents.empty(2)
    agents.spawn([-0.5, 0.5], [0.0, 0.0], desired_speed=v0, relaxation_time=tau, mass=mass, radius=r)
    cells, walls, buffers = sfm_world(agents)
    ex, ey = np.array([1.0, -1.0]), np.zeros(2)
    for _ in range(600):  # the oscillation decays as e^{-t / 2 tau}: e^-30 after 6 s
        social_force_step(agents, ex, ey, walls, cells, SFM, 0.01, buffers)
    delta = 2 * r - (agents.x[1] - agents.x[0])
    expected = equilibrium_overlap(mass * v0 / tau)
    assert expected > 0.01
    assert delta == pytest.approx(expected, abs=1e-10)
    assert buffers.radial_force[0] == pytest.approx(SFM.k * expected, rel=1e-7)
    assert buffers.compression[0] == pytest.approx(SFM.k * expected / (2 * math.pi * r), rel=1e-7)


def test_an_agent_pushed_into_a_wall_loads_it():
    """The balance m v0 / tau = A_W e^{delta/B_W} + k delta against a wall; the wall's load is k delta
    and matches the agent's sum."""
    mass, v0, tau, r = 80.0, 5.0, 0.1, 0.3
    agents = Agents.empty(1)
    agents.spawn(0.0, 0.3, desired_speed=v0, relaxation_time=tau, mass=mass, radius=r)
    wall = np.array([[1.0, -2.0, 1.0, 2.0], [-3.0, -2.0, -3.0, 2.0]])
    cells, walls, buffers = sfm_world(agents, wall)
    for _ in range(600):
        social_force_step(agents, np.ones(1), np.zeros(1), walls, cells, SFM, 0.01, buffers)
    expected = equilibrium_overlap(mass * v0 / tau, SFM.A_W, SFM.B_W)
    assert expected > 0.01
    assert r - (1.0 - agents.x[0]) == pytest.approx(expected, abs=1e-10)
    assert buffers.wall_load[0] == pytest.approx(SFM.k * expected, rel=1e-7)
    assert buffers.wall_load[1] == 0.0
    assert buffers.radial_force[0] == buffers.wall_load[0]


@pytest.mark.parametrize("s", [0.45, 0.6, 0.9, 1.5])
def test_headway_limits_the_desired_speed(s):
    """With a headway time T_h, one sub-step h from rest on a line at spacing s (no social
    repulsion, no contact): v = (h / tau) min(v0, (s - l) / T_h) for followers (l = r_i + r_j,
    the gap they can walk before touching), (h / tau) v0 for the leader; someone beside the
    line of motion (lateral offset above l) does not count."""
    params = SocialForceParams(A=0.0, T_h=0.5)
    n, r, v0, tau, h = 5, 0.2, 1.3, 0.5, 1e-3
    agents = Agents.empty(n + 1)
    agents.spawn(list(10.0 + np.arange(n) * s) + [10.0 + 0.3], [3.0] * n + [3.0 + 0.41], radius=r,
                 desired_speed=v0, relaxation_time=tau)
    cells, walls, buffers = sfm_world(agents, params=params)
    ex, ey = np.ones(n + 1), np.zeros(n + 1)
    ex[n] = 0.0  # the one beside walks along y, away from the line
    ey[n] = 1.0
    social_force_step(agents, ex, ey, walls, cells, params, h, buffers, n_sub=1)
    follower = h / tau * min(v0, (s - 2 * r) / params.T_h)
    np.testing.assert_allclose(agents.vx[:n - 1], follower, rtol=1e-12)
    assert agents.vx[n - 1] == pytest.approx(h / tau * v0, rel=1e-12)


@pytest.mark.parametrize("joint", ["none", "collinear", "corner"])
def test_a_shared_vertex_acts_once(joint):
    """Pushed into a straight wall exactly at the joint of two collinear segments, or at the
    convex corner where a wall ends in another along its line of push, an agent settles at the
    same overlap as against one segment, and the load sits on one segment only."""
    mass, v0, tau, r = 80.0, 5.0, 0.1, 0.3
    one = np.array([[1.0, -2.0, 1.0, 2.0], [-3.0, -2.0, -3.0, 2.0]])
    walls_for = {
        "none": one,
        "collinear": np.array([[1.0, -2.0, 1.0, 0.3], [1.0, 0.3, 1.0, 2.0], [-3.0, -2.0, -3.0, 2.0]]),
        # the wall x = 1 ends at (1, 0.3), where a wall leaves to the east: a convex corner
        "corner": np.array([[1.0, -2.0, 1.0, 0.3], [1.0, 0.3, 3.0, 0.3], [-3.0, -2.0, -3.0, 2.0]]),
    }
    agents = Agents.empty(1)
    agents.spawn(0.0, 0.3, desired_speed=v0, relaxation_time=tau, mass=mass, radius=r)
    cells, walls, buffers = sfm_world(agents, walls_for[joint])
    for _ in range(600):
        social_force_step(agents, np.ones(1), np.zeros(1), walls, cells, SFM, 0.01, buffers)
    expected = equilibrium_overlap(mass * v0 / tau, SFM.A_W, SFM.B_W)
    assert r - (1.0 - agents.x[0]) == pytest.approx(expected, abs=1e-9)
    assert agents.y[0] == pytest.approx(0.3, abs=1e-9)
    loaded = np.flatnonzero(buffers.wall_load > 0.0)
    assert loaded.tolist() == [0]
    assert buffers.wall_load[0] == pytest.approx(SFM.k * expected, rel=1e-7)


# -- collision-free speed model ------------------------------------------------------------------
@pytest.mark.parametrize("s", [0.45, 0.7, 1.0, 1.5, 1.6, 2.5])
def test_a_line_of_agents_walks_at_the_speed_function(s):
    """Agents on a line along x at spacing s: V(s) = min(v0, max(0, (s - l)/T)), the leader v0."""
    n, r, v0 = 8, 0.2, 1.2
    agents = Agents.empty(n)
    agents.spawn(10.0 + np.arange(n) * s, 3.0, radius=r, desired_speed=v0)
    cells, walls = csm_world(agents)
    collision_free_speed_step(agents, np.ones(n), np.zeros(n), walls, cells, CSM, 0.01)
    expected = min(v0, max(0.0, (s - 2 * r) / CSM.T))
    followers = slice(0, n - 1) if CSM.a * math.exp((2 * r - s) / CSM.D) < 1.0 else slice(1, n - 1)
    np.testing.assert_allclose(agents.vx[followers], expected, rtol=1e-12, atol=1e-15)
    assert agents.vx[n - 1] == v0
    assert np.all(agents.vy[:n] == 0.0)
    np.testing.assert_allclose(agents.x[followers] - agents.x_next[followers], expected * 0.01, rtol=1e-9,
                               atol=1e-15)


@pytest.mark.parametrize("s", [0.35, 0.6, 1.0])
def test_the_model_radius_replaces_the_body_radius(s):
    """With a model radius l/2 = 0.15 m, bodies of radius 0.3 m at spacing s follow V(s) with
    l = 0.3 m, not 0.6 m (Tordeux et al. 2016's agent length)."""
    params = CollisionFreeSpeedParams(a=0.0, T=0.8, radius=0.15)
    n, v0 = 6, 1.3
    agents = Agents.empty(n)
    agents.spawn(10.0 + np.arange(n) * s, 3.0, radius=0.3, desired_speed=v0)
    cells, walls = csm_world(agents, params=params)
    collision_free_speed_step(agents, np.ones(n), np.zeros(n), walls, cells, params, 0.01)
    np.testing.assert_allclose(agents.vx[:n - 1], min(v0, (s - 0.3) / 0.8), rtol=1e-12)
    assert agents.vx[n - 1] == v0


def test_coincident_agents_stay_finite():
    """Two centres on the same point (a spawning error): no normal, so no pair force and no NaN;
    the speed model sees each ahead of the other (gap -l) and stops both."""
    agents = Agents.empty(3)
    agents.spawn([1.0, 1.0, 1.5], [1.0, 1.0, 1.0], radius=0.2, desired_speed=1.2)
    e_x, e_y = np.ones(3), np.zeros(3)
    cells, walls, buffers = sfm_world(agents)
    social_force_step(agents, e_x, e_y, walls, cells, SFM, 0.01, buffers)
    assert np.all(np.isfinite(agents.x)) and np.all(np.isfinite(agents.vx))
    agents = Agents.empty(3)
    agents.spawn([1.0, 1.0, 3.5], [1.0, 1.0, 1.0], radius=0.2, desired_speed=1.2)
    cells, walls = csm_world(agents)
    collision_free_speed_step(agents, e_x, e_y, walls, cells, CSM, 0.01)
    assert agents.vx[:2].tolist() == [0.0, 0.0] and agents.vx[2] == 1.2


# -- the NumPy twins -----------------------------------------------------------------------------
def box_with_baffle(side):
    """A closed square room with a free-standing wall and a slanted one inside (segments, m)."""
    return np.array([[0, 0, side, 0], [side, 0, side, side], [side, side, 0, side], [0, side, 0, 0],
                     [0.4 * side, 0.3 * side, 0.4 * side, 0.8 * side],
                     [0.6 * side, 0.2 * side, 0.9 * side, 0.5 * side]], dtype=float)


def random_room(seed, n=70, side=6.0, holes=8):
    """Agents at random (overlaps and all) in a walled room, random state; some free slots."""
    rng = np.random.default_rng(seed)
    segments = box_with_baffle(side)
    agents = Agents.empty(n + holes)
    px, py = [], []
    while len(px) < n + holes:
        p = rng.uniform(0.1, side - 0.1, 2)
        if min(point_segment_distance(*s, p[0], p[1]) for s in segments) > 0.02:
            px.append(p[0])
            py.append(p[1])
    agents.spawn(px, py, vx=rng.normal(0, 1.5, n + holes), vy=rng.normal(0, 1.5, n + holes),
                 radius=rng.uniform(0.15, 0.35, n + holes), desired_speed=rng.uniform(0.0, 5.0, n + holes),
                 relaxation_time=rng.uniform(0.2, 1.0, n + holes), mass=rng.uniform(45, 110, n + holes))
    agents.remove(rng.random(agents.capacity) < holes / (n + holes))
    angle = rng.uniform(0, 2 * np.pi, agents.capacity)
    ex, ey = np.cos(angle), np.sin(angle)
    ex[::9] = ey[::9] = 0.0
    return agents, segments, ex, ey, rng


def run_sfm_kernel(agents, ex, ey, segments, h, x_start, y_start, params=SFM, xi_x=None, xi_y=None):
    xi_x = np.zeros(agents.capacity) if xi_x is None else xi_x
    xi_y = np.zeros(agents.capacity) if xi_y is None else xi_y
    r_c, r_cW = params.cutoffs(float(agents.radius[agents.active].max()), float(agents.desired_speed.max()))
    cells, walls = indexes(agents, segments, r_c, r_cW, 0.5)
    cells.build(agents.x, agents.y, agents.active, agents.radius, agents.vx, agents.vy)
    out = [np.full(agents.capacity, np.nan) for _ in range(6)]
    load = np.full(walls.n_walls, np.nan)
    social_force_kernel(agents.x, agents.y, agents.vx, agents.vy, agents.active, agents.radius,
                        agents.desired_speed, agents.relaxation_time, agents.mass, ex, ey, xi_x, xi_y, x_start,
                        y_start, *cells.kernel_args(), *walls.kernel_args(), *walls.vertex_args, params.A, params.B,
                        params.lam, params.A_W,
                        params.B_W, params.T_h, radius_arg(params.headway_radius), params.k, params.kappa,
                        params.speed_cap, params.speed_floor, r_c,
                        r_cW, params.min_wall_distance, params.pullback, h, *out)
    wall_contact_loads(cells.cell_start, cells.ordered, float(agents.radius[agents.active].max()), params.k,
                       cells.x0, cells.y0, cells.cell_size, cells.nx, cells.ny, walls.segments, *walls.vertex_args,
                       load)
    return (*out, load), (r_c, r_cW)


def run_csm_kernel(agents, ex, ey, segments, dt, params=CSM):
    """One kernel step into fresh outputs: ([x, y, vx, vy, heading_x, heading_y], (r_c, r_rep, r_cW));
    the agents' headings are left as they were."""
    on = agents.active
    r_max = float(agents.radius[on].max())
    r_c, r_cW = params.cutoffs(r_max, float(agents.desired_speed[on].max()))
    r_rep = params.repulsion_cutoff(r_max)
    cells, walls = indexes(agents, segments, r_c, r_cW, 5.0 * dt)
    cells.build(agents.x, agents.y, on, agents.radius)
    out = [np.full(agents.capacity, np.nan) for _ in range(4)]
    hx, hy = agents.heading_x.copy(), agents.heading_y.copy()
    collision_free_speed_kernel(agents.x, agents.y, on, agents.radius, agents.desired_speed, ex, ey, hx, hy,
                                *cells.kernel_args(), *walls.kernel_args(), params.a, params.D, params.a_wall,
                                params.D_wall, params.T, radius_arg(params.radius), radius_arg(params.repulsion_radius),
                                params.turning_rate(dt), r_c, r_rep, r_cW, params.min_wall_distance, params.pullback,
                                dt, *out)
    return out + [hx, hy], (r_c, r_rep, r_cW)


def assert_close(a, b, scale=10.0, name=""):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * scale, err_msg=name)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("h", [0.0025, 0.05])
@pytest.mark.parametrize("params", [SFM, SocialForceParams(),
                                    SocialForceParams(lam=0.3, A_W=800.0, B_W=0.05, A=2500.0, B=0.1, T_h=0.5),
                                    SocialForceParams(T_h=0.7, headway_radius=0.14)],
                         ids=["hfv", "defaults", "anisotropic_headway", "headway_depth"])
def test_social_force_kernel_matches_the_numpy_twin(seed, h, params):
    """One sub-step on random rooms; h = 0.05 s drives agents through walls, exercising the guard."""
    agents, segments, ex, ey, rng = random_room(seed)
    x_start, y_start = agents.x.copy(), agents.y.copy()  # the first sub-step of a step
    xi_x, xi_y = rng.normal(0.0, 50.0, (2, agents.capacity))  # a fluctuating force (N)
    out, (r_c, r_cW) = run_sfm_kernel(agents, ex, ey, segments, h, x_start, y_start, params, xi_x, xi_y)
    ref = social_force_substep_reference(agents.x, agents.y, agents.vx, agents.vy, agents.active, agents.radius,
                                         agents.desired_speed, agents.relaxation_time, agents.mass, ex, ey,
                                         x_start, y_start, segments, params, r_c, r_cW, h, xi_x, xi_y)
    for name, got, want in zip(["x", "y", "vx", "vy", "radial", "compression", "wall_load"], out, ref):
        scale = 1e5 if name in ("radial", "compression", "wall_load") else 10.0
        assert_close(got, want, scale, name)
    assert (out[4] > 0).sum() > 5  # contacts
    if h == 0.05:
        assert crossings(agents.x, agents.y, out[0], out[1], segments)[agents.active].sum() == 0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dt", [0.01, 0.1])
@pytest.mark.parametrize("params", [CSM, CSM_DEFAULT], ids=["own_radius", "calibrated"])
def test_collision_free_speed_kernel_matches_the_numpy_twin(seed, dt, params):
    agents, segments, ex, ey, _ = random_room(seed + 100)
    # headings: none yet (a new agent) for some, any direction for the others
    angle = np.random.default_rng(seed).uniform(0.0, 2.0 * np.pi, agents.capacity)
    walked = agents.active & (np.arange(agents.capacity) % 3 > 0)
    agents.heading_x[walked], agents.heading_y[walked] = np.cos(angle[walked]), np.sin(angle[walked])
    out, (r_c, r_rep, r_cW) = run_csm_kernel(agents, ex, ey, segments, dt, params)
    ref = collision_free_speed_step_reference(agents.x, agents.y, agents.active, agents.radius,
                                              agents.desired_speed, ex, ey, agents.heading_x, agents.heading_y,
                                              segments, params, r_c, r_rep, r_cW, dt)
    for got, want in zip(out, ref):
        assert_close(got, want)
    assert np.count_nonzero(out[2][agents.active]) > 10
    assert crossings(agents.x, agents.y, out[0], out[1], segments)[agents.active].sum() == 0


@pytest.mark.parametrize("turn_deg", [90.0, 180.0])
@pytest.mark.parametrize("tau_e", [0.0, 0.05, 0.5])
def test_the_walking_direction_turns_towards_e_over_the_turning_time(tau_e, turn_deg):
    """A lone agent walking along +x is told to go at right angles, or the other way. Without
    turning (tau_e = 0, Tordeux et al.'s model) it walks along e at once. With tau_e the heading
    relaxes, h <- u(h + k (e - h)), k = dt / tau_e: at right angles the first step turns it by
    atan(k / (1 - k)); exactly reversed it is nudged left and turns round all the same; the angle to
    e falls every step and is gone (below 0.5 degrees) after 15 tau_e + 0.3 s; the agent always
    walks at v0 along its heading."""
    dt, v0 = 0.01, 1.3
    params = CollisionFreeSpeedParams(turning_time=tau_e)
    agents = Agents.empty(1)
    agents.spawn(0.0, 0.0, desired_speed=v0)
    agents.heading_x[0], agents.heading_y[0] = 1.0, 0.0
    target = math.radians(turn_deg)
    ex, ey = np.array([math.cos(target)]), np.array([math.sin(target)])
    cells, walls = csm_world(agents, params=params)
    off = []  # angle from the heading to e
    for _ in range(int(round((15 * tau_e + 0.3) / dt))):
        collision_free_speed_step(agents, ex, ey, walls, cells, params, dt)
        off.append(abs(math.remainder(target - math.atan2(agents.heading_y[0], agents.heading_x[0]), 2 * math.pi)))
        assert math.hypot(agents.vx[0], agents.vy[0]) == pytest.approx(v0)
        assert agents.vx[0] == pytest.approx(v0 * agents.heading_x[0], abs=1e-12)
        assert agents.vy[0] == pytest.approx(v0 * agents.heading_y[0], abs=1e-12)
    if tau_e == 0.0:
        assert off[0] == pytest.approx(0.0, abs=1e-12)
        return
    k = dt / tau_e
    if turn_deg == 90.0:
        assert off[0] == pytest.approx(target - math.atan2(k, 1.0 - k))
    assert np.all(np.diff(off) <= 1e-12) and off[-1] < math.radians(0.5)


def crowd_in_a_hall(n=3000, side=40.0, seed=3):
    rng = np.random.default_rng(seed)
    agents = Agents.empty(n)
    agents.spawn(rng.uniform(0.5, side - 0.5, n), rng.uniform(0.5, side - 0.5, n), radius=rng.uniform(0.2, 0.3, n),
                 desired_speed=rng.uniform(0.8, 2.0, n), vx=rng.normal(0, 0.5, n), vy=rng.normal(0, 0.5, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    return agents, box_with_baffle(side), np.cos(angle), np.sin(angle)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two threads")
def test_results_are_bit_identical_with_one_and_two_threads():
    results = []
    before = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            agents, segments, ex, ey = crowd_in_a_hall()
            cells, walls, buffers = sfm_world(agents, segments)
            for _ in range(5):
                social_force_step(agents, ex, ey, walls, cells, SFM, 0.01, buffers)
            sfm = [a.copy() for a in (agents.x, agents.y, agents.vx, agents.vy, buffers.radial_force,
                                      buffers.wall_load)]
            agents, segments, ex, ey = crowd_in_a_hall()
            cells, walls = csm_world(agents, segments, params=CSM_DEFAULT)
            for _ in range(5):
                collision_free_speed_step(agents, ex, ey, walls, cells, CSM_DEFAULT, 0.01)
            results.append(sfm + [agents.x.copy(), agents.y.copy(), agents.vx.copy(), agents.heading_x.copy()])
    finally:
        numba.set_num_threads(before)
    for a, b in zip(*results):
        assert np.array_equal(a, b)


# -- no wall crossing, ever --------------------------------------------------------------------
def bottleneck(rng):
    """A room [0, L] x [0, W] with a door of random width in its east wall, and a few random
    free-standing walls (corners, T-junctions, slivers): (segments, door centre (x, y))."""
    length, width = rng.uniform(3.0, 10.0), rng.uniform(3.0, 10.0)
    door = rng.uniform(0.6, 2.5)
    y_door = rng.uniform(door / 2 + 0.1, width - door / 2 - 0.1)
    walls = [[0, 0, length, 0], [0, width, length, width], [0, 0, 0, width],
             [length, 0, length, y_door - door / 2], [length, y_door + door / 2, length, width]]
    for _ in range(rng.integers(0, 4)):
        a = rng.uniform([0, 0], [length, width])
        walls.append([*a, *(a + rng.uniform(-2.0, 2.0, 2))])
    return np.array(walls, dtype=float), np.array([length, y_door])


def bottleneck_run(seed, model, steps=40):
    """One random run; returns (crossings, non-finite values, agent-steps)."""
    rng = np.random.default_rng(seed)
    segments, door = bottleneck(rng)
    length, width = door[0], segments[1, 1]
    n = int(rng.integers(5, 151))
    agents = Agents.empty(n)
    agents.spawn(rng.uniform(0.05, length - 0.05, n), rng.uniform(0.05, width - 0.05, n),
                 radius=rng.uniform(0.15, 0.35, n), desired_speed=rng.uniform(0.3, 5.0, n),
                 mass=rng.uniform(40.0, 110.0, n), relaxation_time=rng.uniform(0.2, 1.0, n))
    wild = rng.random(n) < 0.3  # these push in a fixed random direction, into walls as often as not
    angle = rng.uniform(0, 2 * np.pi, n)
    dt = 0.01 if model == "sfm" else float(rng.choice([0.01, 0.05]))
    csm = CSM_DEFAULT if seed % 2 else CSM  # the defaults (turning heading) and JuPedSim's own model
    if model == "sfm":
        cells, walls, buffers = sfm_world(agents, segments)
    else:
        cells, walls = csm_world(agents, segments, params=csm, dt=dt)
    found = bad = 0
    for _ in range(steps):
        to_door = door[None, :] - np.column_stack([agents.x, agents.y])
        to_door /= np.linalg.norm(to_door, axis=1)[:, None]
        through = agents.x >= length
        ex = np.where(wild, np.cos(angle), np.where(through, 1.0, to_door[:, 0]))
        ey = np.where(wild, np.sin(angle), np.where(through, 0.0, to_door[:, 1]))
        x_old, y_old = agents.x.copy(), agents.y.copy()
        if model == "sfm":
            social_force_step(agents, ex, ey, walls, cells, SFM, dt, buffers)
        else:
            collision_free_speed_step(agents, ex, ey, walls, cells, csm, dt)
        found += int(crossings(x_old, y_old, agents.x, agents.y, segments).sum())
        bad += int((~np.isfinite(np.concatenate([agents.x, agents.y, agents.vx, agents.vy]))).sum())
    return found, bad, n * steps


@pytest.mark.parametrize("model", ["sfm", "csm"])
def test_no_agent_ever_crosses_a_wall_in_random_bottlenecks(model):
    """CROSSING_RUNS random rooms, doors 0.6-2.5 m, 5-150 agents up to 5 m/s, checked every step
    (the collision-free speed model with its defaults in odd runs, as JuPedSim's in even ones)."""
    found = bad = agent_steps = 0
    for seed in range(CROSSING_RUNS):
        f, b, s = bottleneck_run(seed, model)
        found += f
        bad += b
        agent_steps += s
    assert bad == 0
    assert found == 0, f"{found} crossings in {CROSSING_RUNS} runs ({agent_steps} agent-steps)"


def test_the_crossing_check_finds_crossings():
    """The brute-force check itself: a move through a wall counts, one stopping short or passing
    the end does not."""
    wall = np.array([[1.0, -1.0, 1.0, 1.0]])
    x0, y0 = np.array([0.5, 0.5, 0.5, 0.5]), np.array([0.0, 0.0, 0.0, 1.5])
    x1, y1 = np.array([1.5, 0.99, 1.0 + 1e-12, 1.5]), np.array([0.0, 0.0, 1.0, 1.5])
    assert crossings(x0, y0, x1, y1, wall)[:, 0].tolist() == [True, False, True, False]


# -- spatial indexes ------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_the_cell_list_finds_exactly_the_brute_force_neighbours(seed):
    rng = np.random.default_rng(seed)
    n = 400
    x, y = rng.uniform(-3.0, 13.0, n), rng.uniform(-2.0, 9.0, n)  # some outside the grid
    active = rng.random(n) < 0.9
    r_c = rng.uniform(0.5, 1.5)
    cells = CellList.covering(0.0, 0.0, 10.0, 7.0, r_c * rng.uniform(1.0, 1.5), n)
    assert cells.build(x, y, active) == active.sum()
    np.testing.assert_array_equal(np.sort(cells.cell_agents[:active.sum()]), np.flatnonzero(active))
    np.testing.assert_array_equal(cells.neighbour_counts(x, y, active, r_c),
                                  neighbour_counts_brute_force(x, y, active, r_c))


def test_the_wall_index_lists_every_wall_within_reach():
    rng = np.random.default_rng(5)
    segments = np.column_stack([rng.uniform(0, 20, (60, 2)), rng.uniform(0, 20, (60, 2))])
    walls = WallIndex.build(segments, reach=0.9, bucket=0.7)
    for p in rng.uniform(-3, 23, (3000, 2)):
        within = [w for w, s in enumerate(segments) if point_segment_distance(*s, p[0], p[1]) <= 0.9]
        listed = walls.segments_near(p[0], p[1])
        assert set(within) <= set(listed)
        assert np.all(np.diff(listed) > 0)


# -- agents ----------------------------------------------------------------------------------------
def test_free_slots_are_reused_and_ids_stay():
    agents = Agents.empty(4)
    ids = agents.spawn([0, 1, 2], [0, 0, 0])
    assert ids.tolist() == [0, 1, 2]
    agents.remove(agents.id == 1)
    assert agents.count == 2 and agents.id.tolist() == [0, -1, 2, -1]
    new = agents.spawn([5, 6, 7], [1, 1, 1], radius=0.3)  # slot 1, slot 3, then the arrays grow
    assert new.tolist() == [3, 4, 5]
    assert agents.capacity == 8 and agents.id[:5].tolist() == [0, 3, 2, 4, 5]
    assert agents.x[:5].tolist() == [0, 5, 2, 6, 7]
    assert agents.slots_of([2, 1, 5]).tolist() == [2, -1, 4]
    agents.x_next[:] = 9.0
    agents.swap()
    assert np.all(agents.x == 9.0) and agents.x_next[1] == 5.0
    with pytest.raises(ValueError, match="radius"):
        agents.spawn(0.0, 0.0, radius=0.0)
