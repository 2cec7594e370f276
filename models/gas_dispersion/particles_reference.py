"""Plain-NumPy twins of the particle kernels in particles.py, used by the tests only.

Same equations and the same order of operations (Thomson 1987 Langevin step, Gaussian or bi-Gaussian (Luhar &
Britter 1989) in w, reflections, SplitMix64 + ziggurat deviates), written over whole arrays with masks instead of
a per-particle loop, so that a test can compare the Numba kernels against an independent implementation draw for
draw.
"""

from __future__ import annotations

import math

import numpy as np

from scipy.special import erf

from models.gas_dispersion import turbulence
from models.gas_dispersion.particles import (GAMMA, KT_A, KT_B_U, KT_B_V, KT_B_W, KT_COLUMNS_SKEWED, KT_DA_DZ,
                                             KT_DS_A_DZ, KT_DS_B_DZ, KT_DW_A_DZ, KT_DW_B_DZ, KT_HALF_DSW2, KT_INV_SW2,
                                             KT_INV_T_U, KT_INV_T_V, KT_INV_T_W, KT_S_A, KT_S_B, KT_T_MIN, KT_U,
                                             KT_W_A, KT_W_B, MIX_1, MIX_2, SALT, SQRT_HALF_PI, W_CLIP, ZIG_F, ZIG_K,
                                             ZIG_R, ZIG_SCALE, ZIG_W)

MASK_64 = (1 << 64) - 1


# -- random numbers ---------------------------------------------------------------------------------------------
def mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer on uint64 arrays (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * MIX_1
    z = (z ^ (z >> np.uint64(27))) * MIX_2
    return z ^ (z >> np.uint64(31))


def particle_key(seed: int, particle_id: np.ndarray) -> np.ndarray:
    base = mix64(np.array([seed], dtype=np.uint64) * GAMMA + SALT)
    return mix64(base + np.asarray(particle_id).astype(np.uint64))


def draw(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    return mix64(k + np.asarray(n).astype(np.uint64) * GAMMA)


def _mix64_int(z: int) -> int:
    z = ((z ^ (z >> 30)) * int(MIX_1)) & MASK_64
    z = ((z ^ (z >> 27)) * int(MIX_2)) & MASK_64
    return z ^ (z >> 31)


def _normal_slow(k: int, n: int, j: int, i: int) -> tuple[float, int]:
    """Marsaglia & Tsang (2000) rejection branch in Python integers."""
    while True:
        x = j * ZIG_W[i]
        if i == 0:
            while True:
                v = _mix64_int((k + n * int(GAMMA)) & MASK_64)
                n += 1
                x_t = -math.log(((v >> 32) + 0.5) * 2.0**-32) / ZIG_R
                y_t = -math.log(((v & 0xFFFFFFFF) + 0.5) * 2.0**-32)
                if y_t + y_t >= x_t * x_t:
                    return (ZIG_R + x_t if j > 0 else -ZIG_R - x_t), n
        v = _mix64_int((k + n * int(GAMMA)) & MASK_64)
        n += 1
        uniform = ((v >> 32) + 0.5) * 2.0**-32
        if ZIG_F[i] + uniform * (ZIG_F[i - 1] - ZIG_F[i]) < math.exp(-0.5 * x * x):
            return float(x), n
        bits = v & 0xFFFFFFFF
        i = bits & 127
        j = (bits >> 7) - ZIG_SCALE
        if abs(j) < ZIG_K[i]:
            return float(j * ZIG_W[i]), n


def three_normals(k: np.ndarray, n: np.ndarray):
    """(n_1, n_2, n_3, next counter) of one sub-step for every particle (keys k, counters n)."""
    v_1, v_2 = draw(k, n), draw(k, n + 1)
    counter = np.asarray(n, dtype=np.int64) + 2
    deviates = []
    for bits in (v_1 & np.uint64(0xFFFFFFFF), v_1 >> np.uint64(32), v_2 & np.uint64(0xFFFFFFFF)):
        i = (bits & np.uint64(127)).astype(np.int64)
        j = (bits >> np.uint64(7)).astype(np.int64) - ZIG_SCALE
        value = j * ZIG_W[i]
        for p in np.flatnonzero(np.abs(j) >= ZIG_K[i]):
            value[p], counter[p] = _normal_slow(int(k[p]), int(counter[p]), int(j[p]), int(i[p]))
        deviates.append(value)
    return deviates[0], deviates[1], deviates[2], counter


# -- shared pieces ------------------------------------------------------------------------------------------------
def lookup(table: np.ndarray, z_lo: float, z_hi: float, z: np.ndarray) -> np.ndarray:
    """Kernel-table rows at heights z, linear in q = (z - z_lo) / (z_hi - z_lo) between the table's rows."""
    k, a = turbulence.table_rows(z_lo, z_hi, z)
    a = a[:, None]
    return (1.0 - a) * table[k] + a * table[k + 1]


def substep_length(T_min, c_T, dt_min, t_left):
    dt_p = np.maximum(c_T * T_min, dt_min)
    last = dt_p >= t_left
    half = ~last & (2.0 * dt_p > t_left)
    dt_p = np.where(last, t_left, np.where(half, 0.5 * t_left, dt_p))
    return dt_p, last


def langevin(u, v, w, row, dt_p, n_1, n_2, n_3):
    root_dt = np.sqrt(dt_p)
    r_u, r_v, r_w = 0.5 * dt_p * row[:, KT_INV_T_U], 0.5 * dt_p * row[:, KT_INV_T_V], 0.5 * dt_p * row[:, KT_INV_T_W]
    d_u, d_v, d_w = 1.0 + r_u, 1.0 + r_v, 1.0 + r_w
    inv = 1.0 / (d_u * d_v * d_w)
    drift = row[:, KT_HALF_DSW2] * (1.0 + w * w * row[:, KT_INV_SW2])
    u = (u * (1.0 - r_u) + row[:, KT_B_U] * root_dt * n_1) * (d_v * d_w * inv)
    v = (v * (1.0 - r_v) + row[:, KT_B_V] * root_dt * n_2) * (d_u * d_w * inv)
    w = (w * (1.0 - r_w) + drift * dt_p + row[:, KT_B_W] * root_dt * n_3) * (d_u * d_v * inv)
    q = w * w * row[:, KT_INV_SW2]
    clip = q > W_CLIP * W_CLIP
    return u, v, np.where(clip, w * (W_CLIP / np.sqrt(np.where(clip, q, 1.0))), w)


def skewed_drift(w, row):
    """Twin of particles.skewed_drift: a(w, z) = (s_w^2 / T_w)(-kappa w + lambda) + Phi / P for rows of the
    kernel table."""
    A, w_A, w_B, s_A, s_B = row[:, KT_A], row[:, KT_W_A], row[:, KT_W_B], row[:, KT_S_A], row[:, KT_S_B]
    dA, dw_A, dw_B, ds_A, ds_B = (row[:, KT_DA_DZ], row[:, KT_DW_A_DZ], row[:, KT_DW_B_DZ], row[:, KT_DS_A_DZ],
                                  row[:, KT_DS_B_DZ])
    B = 1.0 - A
    xi_A, xi_B = (w - w_A) / s_A, (w + w_B) / s_B
    n_A = np.exp(-0.5 * xi_A**2) / (math.sqrt(2.0 * math.pi) * s_A)
    n_B = np.exp(-0.5 * xi_B**2) / (math.sqrt(2.0 * math.pi) * s_B)
    F_A, F_B = 0.5 * (1.0 + erf(xi_A / math.sqrt(2.0))), 0.5 * (1.0 + erf(xi_B / math.sqrt(2.0)))
    P = A * n_A + B * n_B
    q_A, q_B = A * n_A / s_A**2, B * n_B / s_B**2
    G_A, G_B = w_A * F_A - s_A**2 * n_A, -w_B * F_B - s_B**2 * n_B
    H_A = dw_A * F_A - n_A * (dw_A * w + ds_A * (s_A + xi_A * w))
    H_B = -dw_B * F_B - n_B * (-dw_B * w + ds_B * (s_B + xi_B * w))
    phi = -(dA * (G_A - G_B) + A * H_A + B * H_B)
    sw2_T = 0.5 * row[:, KT_B_W] ** 2
    return (sw2_T * (q_A * w_A - q_B * w_B - (q_A + q_B) * w) + phi) / P


def langevin_skewed(u, v, w, row, dt_p, n_1, n_2, n_3):
    """Twin of particles.langevin_skewed: u, v trapezoidal Ornstein-Uhlenbeck, w bi-Gaussian well-mixed (Heun)."""
    root_dt = np.sqrt(dt_p)
    r_u, r_v = 0.5 * dt_p * row[:, KT_INV_T_U], 0.5 * dt_p * row[:, KT_INV_T_V]
    u = (u * (1.0 - r_u) + row[:, KT_B_U] * root_dt * n_1) / (1.0 + r_u)
    v = (v * (1.0 - r_v) + row[:, KT_B_V] * root_dt * n_2) / (1.0 + r_v)
    lo, hi = -row[:, KT_W_B] - W_CLIP * row[:, KT_S_B], row[:, KT_W_A] + W_CLIP * row[:, KT_S_A]
    w = np.minimum(np.maximum(w, lo), hi)
    noise = row[:, KT_B_W] * root_dt * n_3
    a_0 = skewed_drift(w, row)
    w_1 = np.minimum(np.maximum(w + a_0 * dt_p + noise, lo), hi)
    w = w + 0.5 * (a_0 + skewed_drift(w_1, row)) * dt_p + noise
    return u, v, np.minimum(np.maximum(w, lo), hi)


def velocity_step(table, u, v, w, row, dt_p, n_1, n_2, n_3):
    """The kernels' choice: the skewed step for tables with the bi-Gaussian columns, else Thomson's Gaussian."""
    if table.shape[1] >= KT_COLUMNS_SKEWED:
        return langevin_skewed(u, v, w, row, dt_p, n_1, n_2, n_3)
    return langevin(u, v, w, row, dt_p, n_1, n_2, n_3)


def reflect_vertical(z, w, z_ground, z_lid):
    below = z < z_ground
    z = np.where(below, 2.0 * z_ground - z, z)
    w = np.where(below, -w, w)
    above = z > z_lid
    z = np.where(above, 2.0 * z_lid - z, z)
    w = np.where(above, -w, w)
    z = np.where(above & (z < z_ground), z_ground, z)
    return z, w


def ground_uptake(v_s, inv_s_w2):
    alpha = v_s * SQRT_HALF_PI * np.sqrt(inv_s_w2)
    return np.where(alpha >= 1.0, 1.0, 2.0 * alpha / (1.0 + alpha))


def _copy_state(state):
    return {name: np.array(value, copy=True) for name, value in state.items()}


# -- twins of the two advance kernels ----------------------------------------------------------------------------
def advance_homogeneous(state: dict, table, z_lo, z_hi, e_x, e_y, u_m, v_m, lid_m, dt, c_T, dt_min, seed,
                        v_s=0.0) -> dict:
    """Twin of particles.advance_homogeneous on a dict of state arrays (x, y, z, u_turb, v_turb, w_turb,
    particle_id, draws, active, and mass_kg for dry deposition at v_s); returns the advanced copy."""
    s = _copy_state(state)
    idx = np.flatnonzero(s["active"] != 0)
    k = particle_key(seed, s["particle_id"])
    t_left = np.full(s["x"].size, float(dt))
    while idx.size:
        z = s["z"][idx]
        row = lookup(table, z_lo, z_hi, z)
        dt_p, last = substep_length(row[:, KT_T_MIN], c_T, dt_min, t_left[idx])
        n_1, n_2, n_3, s["draws"][idx] = three_normals(k[idx], s["draws"][idx])
        u, v, w = velocity_step(table, s["u_turb"][idx], s["v_turb"][idx], s["w_turb"][idx], row, dt_p, n_1, n_2,
                                n_3)
        along = row[:, KT_U] + u
        s["x"][idx] += (along * e_x - v * e_y + u_m) * dt_p
        s["y"][idx] += (along * e_y + v * e_x + v_m) * dt_p
        z_next = z + w * dt_p
        if "mass_kg" in s:
            down = z_next < 0.0
            s["mass_kg"][idx[down]] -= ground_uptake(v_s, row[down, KT_INV_SW2]) * s["mass_kg"][idx[down]]
        s["z"][idx], w = reflect_vertical(z_next, w, 0.0, lid_m)
        s["u_turb"][idx], s["v_turb"][idx], s["w_turb"][idx] = u, v, w
        t_left[idx] -= dt_p
        idx = idx[~last]
    return s


def trilinear(f, gk, gj, gi):
    nk, nj, ni = f.shape
    gk = np.clip(gk, 0.0, nk - 1.0)
    gj = np.clip(gj, 0.0, nj - 1.0)
    gi = np.clip(gi, 0.0, ni - 1.0)
    k = np.minimum(gk.astype(np.int64), max(nk - 2, 0))
    j = np.minimum(gj.astype(np.int64), max(nj - 2, 0))
    i = np.minimum(gi.astype(np.int64), max(ni - 2, 0))
    c, b, a = gk - k, gj - j, gi - i
    k1, j1, i1 = np.minimum(k + 1, nk - 1), np.minimum(j + 1, nj - 1), np.minimum(i + 1, ni - 1)
    lower = (1.0 - a) * ((1.0 - b) * f[k, j, i] + b * f[k, j1, i]) + a * ((1.0 - b) * f[k, j, i1] + b * f[k, j1, i1])
    upper = ((1.0 - a) * ((1.0 - b) * f[k1, j, i] + b * f[k1, j1, i])
             + a * ((1.0 - b) * f[k1, j, i1] + b * f[k1, j1, i1]))
    return (1.0 - c) * lower + c * upper


def advance_gridded(state: dict, table, z_lo, z_hi, x0, y0, z_bottom, dx, dy, dz, u_face, v_face, w_face, solid,
                    surface_m, lid_m, dt, c_T, dt_min, seed, u_m=0.0, v_m=0.0, v_s=0.0) -> dict:
    """Twin of particles.advance_gridded; returns the advanced copy of the state dict (with mass_kg in it: dry
    deposition at v_s on the grid bottom and the tops of solid cells)."""
    s = _copy_state(state)
    nz, ny, nx = solid.shape
    x_end, y_end, z_top = x0 + nx * dx, y0 + ny * dy, z_bottom + nz * dz
    idx = np.flatnonzero(s["active"] != 0)
    k = particle_key(seed, s["particle_id"])
    t_left = np.full(s["x"].size, float(dt))
    while idx.size:
        xp, yp, zp = s["x"][idx], s["y"][idx], s["z"][idx]
        u, v, w = s["u_turb"][idx], s["v_turb"][idx], s["w_turb"][idx]
        fx, fy, fz = (xp - x0) / dx, (yp - y0) / dy, (zp - z_bottom) / dz
        i_old = np.clip(np.floor(fx).astype(np.int64), 0, nx - 1)
        j_old = np.clip(np.floor(fy).astype(np.int64), 0, ny - 1)
        k_old = np.clip(np.floor(fz).astype(np.int64), 0, nz - 1)
        ground = surface_m[j_old, i_old]
        row = lookup(table, z_lo, z_hi, zp - ground)
        U = trilinear(u_face, fz - 0.5, fy - 0.5, fx)
        V = trilinear(v_face, fz - 0.5, fy, fx - 0.5)
        W = trilinear(w_face, fz, fy - 0.5, fx - 0.5)
        speed = np.sqrt(U * U + V * V)
        moving = speed > 1.0e-12
        safe = np.where(moving, speed, 1.0)
        e_x, e_y = np.where(moving, U / safe, 1.0), np.where(moving, V / safe, 0.0)
        dt_p, last = substep_length(row[:, KT_T_MIN], c_T, dt_min, t_left[idx])
        rate = np.maximum(np.abs(U + u_m + u * e_x - v * e_y) / dx, np.abs(V + v_m + u * e_y + v * e_x) / dy)
        rate = np.maximum(rate, np.abs(W + w) / dz)
        limited = rate * dt_p > 0.5
        dt_p = np.where(limited, 0.5 / np.where(limited, rate, 1.0), dt_p)
        last = last & ~limited
        n_1, n_2, n_3, s["draws"][idx] = three_normals(k[idx], s["draws"][idx])
        u, v, w = velocity_step(table, u, v, w, row, dt_p, n_1, n_2, n_3)
        fl_x, fl_y = u * e_x - v * e_y, u * e_y + v * e_x
        x_new = xp + (U + u_m + fl_x) * dt_p
        y_new = yp + (V + v_m + fl_y) * dt_p
        z_next = zp + (W + w) * dt_p
        uptake = ground_uptake(v_s, row[:, KT_INV_SW2]) if "mass_kg" in s else None
        if uptake is not None:
            down = z_next < z_bottom
            s["mass_kg"][idx[down]] -= uptake[down] * s["mass_kg"][idx[down]]
        z_new, w = reflect_vertical(z_next, w, z_bottom, ground + lid_m)
        t_left[idx] -= dt_p
        inside = (x0 <= x_new) & (x_new < x_end) & (y0 <= y_new) & (y_new < y_end) & (z_new < z_top)
        i = np.minimum(np.where(inside, (x_new - x0) / dx, 0).astype(np.int64), nx - 1)
        j = np.minimum(np.where(inside, (y_new - y0) / dy, 0).astype(np.int64), ny - 1)
        kk = np.minimum(np.where(inside, (z_new - z_bottom) / dz, 0).astype(np.int64), nz - 1)
        hit = inside & (solid[kk, j, i] != 0)
        cross_x, cross_y, cross_z = hit & (i != i_old), hit & (j != j_old), hit & (kk != k_old)
        x_new = np.where(cross_x, 2.0 * (x0 + np.maximum(i, i_old) * dx) - x_new, x_new)
        fl_x = np.where(cross_x, -fl_x, fl_x)
        y_new = np.where(cross_y, 2.0 * (y0 + np.maximum(j, j_old) * dy) - y_new, y_new)
        fl_y = np.where(cross_y, -fl_y, fl_y)
        z_new = np.where(cross_z, 2.0 * (z_bottom + np.maximum(kk, k_old) * dz) - z_new, z_new)
        w = np.where(cross_z, -w, w)
        if uptake is not None:
            roof = cross_z & (kk < k_old)
            s["mass_kg"][idx[roof]] -= uptake[roof] * s["mass_kg"][idx[roof]]
        i2 = np.clip(np.floor((x_new - x0) / dx).astype(np.int64), 0, nx - 1)
        j2 = np.clip(np.floor((y_new - y0) / dy).astype(np.int64), 0, ny - 1)
        k2 = np.clip(np.floor((z_new - z_bottom) / dz).astype(np.int64), 0, nz - 1)
        stuck = hit & (solid[k2, j2, i2] != 0)
        x_new, y_new, z_new = np.where(stuck, xp, x_new), np.where(stuck, yp, y_new), np.where(stuck, zp, z_new)
        fl_x, fl_y, w = np.where(stuck, -fl_x, fl_x), np.where(stuck, -fl_y, fl_y), np.where(stuck, -w, w)
        u = np.where(hit, fl_x * e_x + fl_y * e_y, u)
        v = np.where(hit, -fl_x * e_y + fl_y * e_x, v)
        s["x"][idx], s["y"][idx], s["z"][idx] = x_new, y_new, z_new
        s["u_turb"][idx], s["v_turb"][idx], s["w_turb"][idx] = u, v, w
        s["active"][idx[~inside]] = 0
        idx = idx[inside & ~last]
    return s


# -- concentration ------------------------------------------------------------------------------------------------
def epanechnikov(r):
    return np.where(r * r < 1.0, 0.75 * (1.0 - r * r), 0.0)


def concentration_at_height(x, y, z_agl, mass, active, x0, y0, dx, dy, nx, ny, receptor_height_m,
                            bandwidth_xy_m, bandwidth_z_m):
    """Direct sum over particles and cells (O(N nx ny)): the twin of particles.concentration_at_height."""
    h, h_z = bandwidth_xy_m, bandwidth_z_m
    keep = active != 0
    x, y, z, m = x[keep], y[keep], z_agl[keep], mass[keep]
    weight = m * (epanechnikov((receptor_height_m - z) / h_z) + epanechnikov((receptor_height_m + z) / h_z)) / h_z
    k_x = epanechnikov((x0 + (np.arange(nx) + 0.5) * dx - x[:, None]) / h)  # (N, nx)
    k_y = epanechnikov((y0 + (np.arange(ny) + 0.5) * dy - y[:, None]) / h)  # (N, ny)
    return np.einsum("p,pj,pi->ji", weight, k_y, k_x) / (h * h)


def column_density(x, y, mass, active, x0, y0, dx, dy, nx, ny, bandwidth_xy_m):
    h = bandwidth_xy_m
    keep = active != 0
    k_x = epanechnikov((x0 + (np.arange(nx) + 0.5) * dx - x[keep][:, None]) / h)
    k_y = epanechnikov((y0 + (np.arange(ny) + 0.5) * dy - y[keep][:, None]) / h)
    return np.einsum("p,pj,pi->ji", mass[keep], k_y, k_x) / (h * h)
