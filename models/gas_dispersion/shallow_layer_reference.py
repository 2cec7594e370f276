"""Plain-NumPy twin of :mod:`models.gas_dispersion.shallow_layer`, written for clarity; tests only.

Same equations, symbols and order of operations as the Numba kernels: ghost states are built for
every x face (ny, nx + 1) and y face (ny + 1, nx) at once (mirror states at walls and blocked
cells, copies at open edges), the HLL fluxes with hydrostatic reconstruction are evaluated as
whole arrays, then the cells are updated and entrainment and the implicit drag applied.
"""

from __future__ import annotations

import numpy as np

from models.gas_dispersion.shallow_layer import AIR, KAPPA, OUTFLOW, SOURCE


def velocity(q, h, h_dry):
    wet = h > h_dry
    return np.where(wet, q / np.where(wet, h, 1.0), 0.0)


def face_flux(z_l, h_l, un_l, ut_l, gp_l, z_r, h_r, un_r, ut_r, gp_r, h_dry):
    """Elementwise (F_h, F_m to left, F_m to right, F_t, F_b) of shallow_layer.face_flux."""
    zs = np.maximum(z_l, z_r)
    hl = np.maximum(0.0, h_l + z_l - zs)
    hr = np.maximum(0.0, h_r + z_r - zs)
    pl = 0.5 * gp_l * hl * hl
    pr = 0.5 * gp_r * hr * hr
    cl = np.sqrt(np.maximum(gp_l, 0.0) * hl)
    cr = np.sqrt(np.maximum(gp_r, 0.0) * hr)
    dry_l = hl <= h_dry
    dry_r = hr <= h_dry
    s_l = np.minimum(un_l - cl, un_r - cr)
    s_r = np.maximum(un_l + cl, un_r + cr)
    s_l = np.where(dry_r, un_l - cl, np.where(dry_l, un_r - 2.0 * cr, s_l))
    s_r = np.where(dry_r, un_l + 2.0 * cl, np.where(dry_l, un_r + cr, s_r))
    ql, qr = hl * un_l, hr * un_r
    ml, mr = ql * un_l + pl, qr * un_r + pr
    with np.errstate(divide="ignore", invalid="ignore"):
        w = s_l / (s_r - s_l)
        f_h = ql + w * ((ql - qr) + s_r * (hr - hl))
        f_m = ml + w * ((ml - mr) + s_r * (qr - ql))
    f_h = np.where(s_l >= 0.0, ql, np.where(s_r <= 0.0, qr, f_h))
    f_m = np.where(s_l >= 0.0, ml, np.where(s_r <= 0.0, mr, f_m))
    both_dry = dry_l & dry_r
    f_h = np.where(both_dry, 0.0, f_h)
    f_m = np.where(both_dry, pl, f_m)  # gives F_m - p_l = 0 to the left
    f_mr = np.where(both_dry, 0.0, f_m - pr)
    f_t = np.where(f_h >= 0.0, f_h * ut_l, f_h * ut_r)
    f_b = np.where(f_h >= 0.0, f_h * gp_l, f_h * gp_r)
    return f_h, f_m - pl, f_mr, f_t, f_b


def _faces(z, open_mask, h, un, ut, gp, shares, h_dry, open_boundary):
    """Fluxes through the faces between consecutive cells along axis 1 (rows are independent).

    z, h, un, ut, gp: [n, m] cell arrays; shares: [k, n, m] tracers per depth; open_mask: [n, m] True
    where the cell takes part (not blocked). Returns five [n, m + 1] arrays and the k tracer fluxes.
    """
    n, m = h.shape
    pad = lambda a: np.pad(a, ((0, 0), (1, 1)))  # noqa: E731
    inside = pad(open_mask.astype(bool))
    zp, hp, unp, utp, gpp = pad(z), pad(h), pad(un), pad(ut), pad(gp)
    left = slice(0, m + 1)
    right = slice(1, m + 2)
    li, ri = inside[:, left], inside[:, right]
    zl, hl, ul, vl, gl = zp[:, left], hp[:, left], unp[:, left], utp[:, left], gpp[:, left]
    zr, hr, ur, vr, gr = zp[:, right], hp[:, right], unp[:, right], utp[:, right], gpp[:, right]
    edge_l = np.zeros((n, m + 1), dtype=bool)
    edge_l[:, 0] = True
    edge_r = np.zeros((n, m + 1), dtype=bool)
    edge_r[:, m] = True
    opened = open_boundary == OUTFLOW
    # mirror (wall) or copy (open edge) of the side that is inside
    ul_g = np.where(edge_l & opened, ur, -ur)
    zl, hl, vl, gl, ul = (np.where(li, zl, zr), np.where(li, hl, hr), np.where(li, vl, vr),
                          np.where(li, gl, gr), np.where(li, ul, ul_g))
    ur_g = np.where(edge_r & opened, ul, -ul)
    zr, hr, vr, gr, ur = (np.where(ri, zr, zl), np.where(ri, hr, hl), np.where(ri, vr, vl),
                          np.where(ri, gr, gl), np.where(ri, ur, ur_g))
    f = face_flux(zl, hl, ul, vl, gl, zr, hr, ur, vr, gr, h_dry)
    sp = np.pad(shares, ((0, 0), (0, 0), (1, 1)))
    s_l = np.where(li, sp[:, :, left], sp[:, :, right])
    s_r = np.where(ri, sp[:, :, right], sp[:, :, left])
    f_tracers = [f[0] * np.where(f[0] >= 0.0, a, b) for a, b in zip(s_l, s_r)]
    none = ~li & ~ri
    return [np.where(none, 0.0, a) for a in (*f, *f_tracers)]


def ambient_layer_wind(h, z0, z_ref):
    he = np.maximum(h, 10.0 * z0)
    m = np.log(he / z0) - 1.0 + z0 / he
    return m / np.log(z_ref / z0), (KAPPA / m) ** 2


def entrainment_velocity(gp, h, u_star_e):
    with np.errstate(divide="ignore", invalid="ignore"):
        ri = np.maximum(gp, 0.0) * h / (u_star_e * u_star_e)
        w = KAPPA * u_star_e / (0.88 + 0.099 * ri**1.04)
    return np.where(u_star_e > 0.0, w, 0.0)


def shallow_layer_step_reference(z_b, blocked, h, hu, hv, hb, tracers, source_volume_rate, source_buoyancy_rate,
                                 u_star, wind_u, wind_v, dt, dx, dy, z0, z_ref, alpha_front, h_dry,
                                 open_boundary, entrain):
    """Returns (h, hu, hv, hb, tracers) after dt; arguments as shallow_layer.shallow_layer_step."""
    fluid = blocked == 0
    u = velocity(hu, h, h_dry)
    v = velocity(hv, h, h_dry)
    gp = velocity(hb, h, h_dry)
    shares = np.array([velocity(t, h, h_dry) for t in tracers])
    fx = _faces(z_b, fluid, h, u, v, gp, shares, h_dry, open_boundary)
    fy = [a.T for a in _faces(z_b.T, fluid.T, h.T, v.T, u.T, gp.T, shares.transpose(0, 2, 1), h_dry,
                              open_boundary)]
    rx, ry = dt / dx, dt / dy
    hn = h - rx * np.diff(fx[0], axis=1) - ry * np.diff(fy[0], axis=0) + dt * source_volume_rate
    qx = hu - rx * (fx[1][:, 1:] - fx[2][:, :-1]) - ry * np.diff(fy[3], axis=0)
    qy = hv - rx * np.diff(fx[3], axis=1) - ry * (fy[1][1:, :] - fy[2][:-1, :])
    bn = hb - rx * np.diff(fx[4], axis=1) - ry * np.diff(fy[4], axis=0) + dt * source_buoyancy_rate
    tr = np.array([np.maximum(t - rx * np.diff(f_x, axis=1) - ry * np.diff(f_y, axis=0), 0.0)
                   for t, f_x, f_y in zip(tracers, fx[5:], fy[5:])])
    tr[SOURCE] += dt * source_volume_rate
    wet = hn > h_dry
    bn = np.where(wet, np.maximum(bn, 0.0), np.maximum(bn, 0.0))
    if entrain:
        hs = np.where(wet, hn, 1.0)
        ratio, cd = ambient_layer_wind(hs, z0, z_ref)
        ux_a, uy_a = wind_u * ratio, wind_v * ratio
        un, vn = qx / hs, qy / hs
        use = np.sqrt(u_star**2 + cd * ((un - ux_a) ** 2 + (vn - uy_a) ** 2))
        w = entrainment_velocity(bn / hs, hs, use)
        if alpha_front > 0:
            dry_nb = fluid & (h <= h_dry)
            edges = np.zeros_like(h)
            edges[:, 1:] += dry_nb[:, :-1] / dx
            edges[:, :-1] += dry_nb[:, 1:] / dx
            edges[1:, :] += dry_nb[:-1, :] / dy
            edges[:-1, :] += dry_nb[1:, :] / dy
            w = w + alpha_front * np.sqrt(un * un + vn * vn) * hs * edges
        he = hs + dt * w
        tr[AIR] += np.where(wet, dt * w, 0.0)
        qx = qx + dt * w * ux_a
        qy = qy + dt * w * uy_a
        ratio, cd = ambient_layer_wind(he, z0, z_ref)
        ux_a, uy_a = wind_u * ratio, wind_v * ratio
        k = dt * cd * np.sqrt((qx / he - ux_a) ** 2 + (qy / he - uy_a) ** 2) / he
        qx_d = (qx + k * he * ux_a) / (1.0 + k)
        qy_d = (qy + k * he * uy_a) / (1.0 + k)
        hn = np.where(wet, he, hn)
        qx = np.where(wet, qx_d, qx)
        qy = np.where(wet, qy_d, qy)
    hn_out = np.where(wet, hn, np.maximum(hn, 0.0))
    qx = np.where(wet, qx, 0.0)
    qy = np.where(wet, qy, 0.0)
    out = [hn_out, qx, qy, bn]
    return (*(np.where(fluid, a, 0.0) for a in out), np.where(fluid, tr, 0.0))


def stable_dt_reference(h, hu, hv, hb, blocked, dx, dy, h_dry, cfl):
    wet = (blocked == 0) & (h > h_dry)
    if not wet.any():
        return np.inf
    hs = h[wet]
    c = np.sqrt(np.maximum(hb[wet], 0.0))
    rate = (np.abs(hu[wet] / hs) + c) / dx + (np.abs(hv[wet] / hs) + c) / dy
    return cfl / rate.max()
