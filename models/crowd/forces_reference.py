"""Plain-NumPy twins of the kernels in :mod:`models.crowd.forces`, written for clarity; tests only.

Same equations, symbols, cut-offs and wall guard as :mod:`models.crowd.forces`, but every pair
of agents (an N x N array) and every wall segment is examined: no cell list, no wall buckets.
The wall guard is a Python loop per agent over all segments in index order.
"""

from __future__ import annotations

import math

import numpy as np

from models.crowd.forces import REVERSAL_NUDGE, CollisionFreeSpeedParams, SocialForceParams


# -- wall geometry ---------------------------------------------------------------------------
def orient(a, b, p):
    """(b - a) x (p - a) for 2-vectors (tuples or arrays of shape (..., 2))."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])


def move_blocked(a, b, p, q) -> bool:
    """Does the move p -> q touch or cross the closed segment ab? (superset of a crossing)"""
    if a[0] == b[0] and a[1] == b[1]:
        return False
    o_p, o_q = orient(a, b, p), orient(a, b, q)
    if np.sign(o_p) * np.sign(o_q) > 0:
        return False
    o_a, o_b = orient(p, q, a), orient(p, q, b)
    if np.sign(o_a) * np.sign(o_b) > 0:
        return False
    if o_p == 0.0 and o_q == 0.0:
        u = (b[0] - a[0], b[1] - a[1])
        s_p = (p[0] - a[0]) * u[0] + (p[1] - a[1]) * u[1]
        s_q = (q[0] - a[0]) * u[0] + (q[1] - a[1]) * u[1]
        return max(s_p, s_q) >= 0.0 and min(s_p, s_q) <= u[0] * u[0] + u[1] * u[1]
    return True


def crossings(x_old, y_old, x_new, y_new, segments) -> np.ndarray:
    """Proper crossings, by brute force: bool (n_agents, n_walls).

    A move crosses wall ab when its ends lie strictly on opposite sides of line ab and the
    crossing point is on the closed segment (o_a, o_b not strictly of one sign).
    """
    a = (segments[None, :, 0], segments[None, :, 1])
    b = (segments[None, :, 2], segments[None, :, 3])
    p = (x_old[:, None], y_old[:, None])
    q = (x_new[:, None], y_new[:, None])
    opposite = np.sign(orient(a, b, p)) * np.sign(orient(a, b, q)) < 0
    straddles = np.sign(orient(p, q, a)) * np.sign(orient(p, q, b)) <= 0
    return opposite & straddles


def closest_points(px, py, segments):
    """Nearest points (cx, cy) of each segment to each point: arrays (n_points, n_walls)."""
    ax, ay, bx, by = (segments[None, :, k] for k in range(4))
    t = segment_parameters(px, py, segments)
    return ax + t * (bx - ax), ay + t * (by - ay)


def segment_parameters(px, py, segments):
    """t in [0, 1] of the nearest point of each segment to each point: (n_points, n_walls)."""
    ax, ay, bx, by = (segments[None, :, k] for k in range(4))
    ux, uy = bx - ax, by - ay
    length2 = ux * ux + uy * uy
    safe = np.where(length2 > 0.0, length2, 1.0)
    t = np.where(length2 > 0.0, ((px[:, None] - ax) * ux + (py[:, None] - ay) * uy) / safe, 0.0)
    return np.clip(t, 0.0, 1.0)


def vertex_counted(px, py, segments) -> np.ndarray:
    """(n_points, n_walls) bool: False where the point's nearest point of the wall is an end V
    shared with another segment whose nearest point is elsewhere, or also V with a lower index
    (a shared vertex acts once)."""
    t = segment_parameters(px, py, segments)
    ends = np.stack([segments[:, :2], segments[:, 2:]], axis=1)  # (n_walls, 2 ends, xy)
    counted = np.ones(t.shape, bool)
    for i, w in zip(*np.nonzero((t <= 0.0) | (t >= 1.0))):
        v = ends[w, 0] if t[i, w] <= 0.0 else ends[w, 1]
        for s in range(len(segments)):
            if s == w:
                continue
            at_a, at_b = np.array_equal(ends[s, 0], v), np.array_equal(ends[s, 1], v)
            if not (at_a or at_b):
                continue
            s_at_v = (t[i, s] <= 0.0 and at_a) or (t[i, s] >= 1.0 and at_b)
            if not s_at_v or s < w:
                counted[i, w] = False
                break
    return counted


def wall_offsets(x, y, on, segments, r_cW, shared_vertices_once):
    """(wx, wy, d_w, near), arrays (n_points, n_walls): the offset of each point from each wall's
    nearest point, its length (1 where not near) and whether the wall acts on the point (an
    active point within r_cW, not on the wall; with ``shared_vertices_once`` a shared vertex
    acts once, as in the social force kernel)."""
    cx, cy = closest_points(x, y, segments)
    wx, wy = x[:, None] - cx, y[:, None] - cy
    w2 = wx * wx + wy * wy
    near = on[:, None] & (w2 < r_cW * r_cW) & (w2 > 0.0)
    if shared_vertices_once:
        near &= vertex_counted(x, y, segments)
    return wx, wy, np.sqrt(np.where(near, w2, 1.0)), near


def closest_point(segment, p):
    """Nearest point of one segment [x_a, y_a, x_b, y_b] to the point p."""
    cx, cy = closest_points(np.array([p[0]]), np.array([p[1]]), np.asarray(segment, float).reshape(1, 4))
    return np.array([cx[0, 0], cy[0, 0]])


def guard(p, p0, q, u, segments, d_min, eps):
    """The wall guard of :mod:`models.crowd.forces` for one agent: returns (z, u)."""
    z, u = np.array(q, float), np.array(u, float)
    if len(segments) == 0:
        return z, u
    # 1. The earliest wall the leg p -> q touches.
    hits = []
    for w, (ax, ay, bx, by) in enumerate(segments):
        a, b = (ax, ay), (bx, by)
        if move_blocked(a, b, p, q):
            o_p, o_q = orient(a, b, p), orient(a, b, q)
            hits.append((o_p / (o_p - o_q) if o_p != o_q else 0.0, w))
    if hits:
        t, w = min(hits)
        ax, ay, bx, by = segments[w]
        normal = np.array([-(by - ay), bx - ax]) / math.hypot(bx - ax, by - ay)
        o_p = orient((ax, ay), (bx, by), p)
        if o_p < 0 or (o_p == 0 and orient((ax, ay), (bx, by), q) > 0):
            normal = -normal
        # 2. Stop eps short of the wall on p's side; keep the tangential velocity.
        z = np.array([p[0] + t * (q[0] - p[0]) + eps * normal[0], p[1] + t * (q[1] - p[1]) + eps * normal[1]])
        u = u - (u @ normal) * normal
        if any(move_blocked(s[:2], s[2:], p, z) for s in segments):
            return np.array(p, float), np.zeros(2)
    if any(move_blocked(s[:2], s[2:], p0, z) for s in segments):
        return np.array(p, float), np.zeros(2)
    # 3. Push out to d_min; 4. accept only points reachable from p and p0 without touching a wall.
    for _ in range(2):
        for segment in segments:
            c = closest_point(segment, z)
            d = math.hypot(z[0] - c[0], z[1] - c[1])
            if d >= d_min or d == 0.0:
                continue
            normal = (z - c) / d
            s = c + d_min * normal
            if any(move_blocked(g[:2], g[2:], p, s) or move_blocked(g[:2], g[2:], p0, s) for g in segments):
                continue
            z = s
            if u @ normal < 0.0:
                u = u - (u @ normal) * normal
    return z, u


# -- social force with contact ---------------------------------------------------------------
def social_force_substep_reference(x, y, vx, vy, active, radius, v0, tau, mass, ex, ey, x_start, y_start,
                                   segments, params: SocialForceParams, r_c, r_cW, h, xi_x=0.0, xi_y=0.0):
    """One sub-step of eq. (1): (x_new, y_new, vx_new, vy_new, radial_force, compression, wall_load)."""
    A, B, lam, k, kappa = params.A, params.B, params.lam, params.k, params.kappa
    segments = np.asarray(segments, float).reshape(-1, 4)
    on = np.asarray(active, bool)
    # Pairs: n_ij from j to i, overlap = r_ij - d_ij, contact where overlap > 0.
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    d2 = dx * dx + dy * dy
    pair = on[:, None] & on[None, :] & (d2 < r_c * r_c) & (d2 > 0.0)
    d = np.sqrt(np.where(pair, d2, 1.0))
    n_x, n_y = dx / d, dy / d
    overlap = radius[:, None] + radius[None, :] - d
    contact = pair & (overlap > 0.0)
    g = np.where(contact, overlap, 0.0)
    weight = lam + (1.0 - lam) * 0.5 * (1.0 - n_x * ex[:, None] - n_y * ey[:, None])  # anisotropy w(phi_ij)
    f_n = np.where(pair, A * np.exp(np.where(pair, overlap, 0.0) / B) * weight + k * g, 0.0)
    t_x, t_y = -n_y, n_x
    dv_t = (vx[None, :] - vx[:, None]) * t_x + (vy[None, :] - vy[:, None]) * t_y
    fx = (f_n * n_x + kappa * g * dv_t * t_x).sum(axis=1)
    fy = (f_n * n_y + kappa * g * dv_t * t_y).sum(axis=1)
    f_rad = (k * g).sum(axis=1)
    # Walls.
    if len(segments):
        wx, wy, d_w, near = wall_offsets(x, y, on, segments, r_cW, shared_vertices_once=True)
        m_x, m_y = wx / d_w, wy / d_w
        overlap_w = radius[:, None] - d_w
        g_w = np.where(near & (overlap_w > 0.0), overlap_w, 0.0)
        f_w = np.where(near, params.A_W * np.exp(np.where(near, overlap_w, 0.0) / params.B_W) + k * g_w, 0.0)
        v_t = vx[:, None] * -m_y + vy[:, None] * m_x
        fx = fx + (f_w * m_x - kappa * g_w * v_t * -m_y).sum(axis=1)
        fy = fy + (f_w * m_y - kappa * g_w * v_t * m_x).sum(axis=1)
        f_rad = f_rad + (k * g_w).sum(axis=1)
        wall_load = (k * g_w).sum(axis=0)
    else:
        wall_load = np.zeros(0)
    # headway d_h along e_i to the first body touched, and the desired speed it allows
    r_ij = radius[:, None] + radius[None, :]
    if params.headway_radius is not None:
        r_ij = np.full_like(r_ij, 2.0 * params.headway_radius)
    ahead = -(n_x * ex[:, None] + n_y * ey[:, None]) * d
    side2 = d * d - ahead * ahead
    same_way = ex[:, None] * ex[None, :] + ey[:, None] * ey[None, :] > 0.0
    in_path = pair & (ahead > 0.0) & (side2 < r_ij * r_ij) & same_way
    gap = np.where(in_path, ahead - np.sqrt(np.where(in_path, r_ij * r_ij - side2, 0.0)), np.inf)
    d_h = gap.min(axis=1) if gap.shape[1] else np.full(x.shape, np.inf)
    v_des = v0
    if params.T_h > 0.0:
        v_des = np.where(np.isfinite(d_h), np.minimum(v0, np.maximum(d_h, 0.0) / params.T_h), v0)
    fx = fx + mass * (v_des * ex - vx) / tau + xi_x
    fy = fy + mass * (v_des * ey - vy) / tau + xi_y
    # Symplectic Euler with the speed cap, then the wall guard.
    ux = vx + h * fx / mass
    uy = vy + h * fy / mass
    v_max = np.maximum(params.speed_cap * v0, params.speed_floor)
    speed = np.hypot(ux, uy)
    scale = np.where(speed > v_max, v_max / np.where(speed > 0, speed, 1.0), 1.0)
    ux, uy = ux * scale, uy * scale
    x_new, y_new, vx_new, vy_new = x.copy(), y.copy(), vx.copy(), vy.copy()
    for i in np.flatnonzero(on):
        p = (x[i], y[i])
        q = (x[i] + h * ux[i], y[i] + h * uy[i])
        z, u = guard(p, (x_start[i], y_start[i]), q, (ux[i], uy[i]), segments, params.min_wall_distance,
                     params.pullback)
        x_new[i], y_new[i], vx_new[i], vy_new[i] = z[0], z[1], u[0], u[1]
    f_rad = np.where(on, f_rad, 0.0)
    return x_new, y_new, vx_new, vy_new, f_rad, f_rad / (2 * np.pi * radius), wall_load


# -- collision-free speed model --------------------------------------------------------------
def collision_free_speed_step_reference(x, y, active, radius, v0, ex, ey, hx, hy, segments,
                                        params: CollisionFreeSpeedParams, r_c, r_rep, r_cW, dt):
    """One step of eq. (2) with the turning of the heading: (x_new, y_new, vx_new, vy_new, hx_new, hy_new)."""
    segments = np.asarray(segments, float).reshape(-1, 4)
    on = np.asarray(active, bool)
    body = radius
    if params.radius is not None:  # the model's own radius l/2 for everyone
        radius = np.full(x.shape, params.radius)
    q = body if params.repulsion_radius is None else np.full(x.shape, params.repulsion_radius)
    dx = x[:, None] - x[None, :]  # x_i - x_j
    dy = y[:, None] - y[None, :]
    d2 = dx * dx + dy * dy
    others = on[:, None] & on[None, :] & ~np.eye(x.size, dtype=bool)
    repel = others & (d2 < r_rep * r_rep) & (d2 > 0.0)
    s = np.sqrt(np.where(repel, d2, 1.0))
    R = np.where(repel, params.a * np.exp((q[:, None] + q[None, :] - s) / params.D), 0.0)
    e_x = ex + (R * dx / s).sum(axis=1)
    e_y = ey + (R * dy / s).sum(axis=1)
    if len(segments):
        wx, wy, d_w, near = wall_offsets(x, y, on, segments, r_cW, shared_vertices_once=False)
        R_w = np.where(near, params.a_wall * np.exp((radius[:, None] - d_w) / params.D_wall), 0.0)
        e_x = e_x + (R_w * wx / d_w).sum(axis=1)
        e_y = e_y + (R_w * wy / d_w).sum(axis=1)
    norm = np.hypot(e_x, e_y)
    moving = norm > 0
    e_x = np.where(moving, e_x / np.where(moving, norm, 1.0), 0.0)
    e_y = np.where(moving, e_y / np.where(moving, norm, 1.0), 0.0)
    # Turning: h <- h + (dt / tau_e) (e - h), renormalised, where the agent has a heading; a target
    # (nearly) behind first gives h a sideways part towards it.
    turn = params.turning_rate(dt)
    if turn > 0.0:
        had = moving & ((hx * hx + hy * hy) > 0.0)
        cross = hx * e_y - hy * e_x
        reversed_ = had & (np.abs(cross) < REVERSAL_NUDGE) & (hx * e_x + hy * e_y < 0.0)
        side = np.where(cross >= 0.0, REVERSAL_NUDGE, -REVERSAL_NUDGE)
        h_x = np.where(reversed_, hx - side * hy, hx)
        h_y = np.where(reversed_, hy + side * hx, hy)
        h_x = h_x + turn * (e_x - h_x)
        h_y = h_y + turn * (e_y - h_y)
        h_norm = np.hypot(h_x, h_y)
        ok = had & (h_norm > 0)
        e_x = np.where(ok, h_x / np.where(ok, h_norm, 1.0), e_x)
        e_y = np.where(ok, h_y / np.where(ok, h_norm, 1.0), e_y)
    hx_new = np.where(on & moving, e_x, hx)  # the kernel leaves free slots alone
    hy_new = np.where(on & moving, e_y, hy)
    # The cone J_i: ahead along e_i (e_i . (x_j - x_i) >= 0), within l_ij of the line of motion.
    ahead = -(e_x[:, None] * dx + e_y[:, None] * dy) >= 0.0
    lateral = np.abs(e_x[:, None] * -dy - e_y[:, None] * -dx)
    l_ij = radius[:, None] + radius[None, :]
    in_cone = others & (d2 < r_c * r_c) & ahead & (lateral <= l_ij)
    gap = np.where(in_cone, np.sqrt(d2) - l_ij, np.inf).min(axis=1, initial=np.inf)
    V = np.minimum(v0, np.maximum(0.0, gap / params.T))
    V = np.where(norm > 0, V, 0.0)
    x_new, y_new = x.copy(), y.copy()
    vx_new, vy_new = np.zeros_like(x), np.zeros_like(y)
    for i in np.flatnonzero(on):
        p = (x[i], y[i])
        u = (V[i] * e_x[i], V[i] * e_y[i])
        z, u = guard(p, p, (x[i] + dt * u[0], y[i] + dt * u[1]), u, segments, params.min_wall_distance,
                     params.pullback)
        x_new[i], y_new[i], vx_new[i], vy_new[i] = z[0], z[1], u[0], u[1]
    return x_new, y_new, vx_new, vy_new, hx_new, hy_new
