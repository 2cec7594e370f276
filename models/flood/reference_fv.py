"""Plain-NumPy twin of :mod:`models.flood.finite_volume`, written for clarity; tests only.

Same symbols, equations and order of operations as the kernels: ghost cells are padded around
the grid, every x face (ny, nx + 1) and y face (ny + 1, nx) flux is computed at once with the
hydrostatic reconstruction and the HLLC solver, then the cells are updated and Manning friction
applied. The second-order scheme (:func:`fv_step_order2_reference`) reconstructs the face states
of whole arrays at once (:func:`reconstruct`) and runs its two Runge-Kutta stages on them.
"""

from __future__ import annotations

import numpy as np

from models.flood.finite_volume import LEVEL, WALL


def velocity(q, h, h_dry):
    """q / h where h > h_dry, else 0."""
    wet = h > h_dry
    return np.where(wet, q / np.where(wet, h, 1.0), 0.0)


def face_flux(z_l, h_l, u_l, v_l, z_r, h_r, u_r, v_r, g, h_dry):
    """(f_h, f_l, f_r, f_t) of :func:`models.flood.finite_volume.face_flux`, elementwise."""
    zs = np.maximum(z_l, z_r)
    hl = np.maximum(0.0, h_l + z_l - zs)
    hr = np.maximum(0.0, h_r + z_r - zs)
    pl = 0.5 * g * hl * hl
    pr = 0.5 * g * hr * hr
    ql = hl * u_l
    qr = hr * u_r
    cl = np.sqrt(g * hl)
    cr = np.sqrt(g * hr)
    # Wave speeds: dry left, dry right, else the two-rarefaction estimate.
    u_s = 0.5 * (u_l + u_r) + cl - cr
    c_s = 0.5 * (cl + cr) + 0.25 * (u_l - u_r)
    dry_l = (hl <= h_dry) & (hl <= hr)
    dry_r = ~dry_l & (hr <= h_dry)
    s_l = np.where(dry_l, u_r - 2.0 * cr, np.where(dry_r, u_l - cl, np.minimum(u_l - cl, u_s - c_s)))
    s_r = np.where(dry_l, u_r + cr, np.where(dry_r, u_l + 2.0 * cl, np.maximum(u_r + cr, u_s + c_s)))
    fml = ql * u_l + pl
    fmr = qr * u_r + pr
    both_dry = (hl <= 0.0) & (hr <= 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = s_l / (s_r - s_l)
        fh = ql + a * ((ql - qr) + s_r * (hr - hl))
        fm = fml + a * ((fml - fmr) + s_r * (qr - ql))
    ft = fh * np.where(fh >= 0.0, v_l, v_r)
    left = s_l >= 0.0
    right = ~left & (s_r <= 0.0)
    fh = np.where(left, ql, np.where(right, qr, fh))
    fm = np.where(left, fml, np.where(right, fmr, fm))
    ft = np.where(left, ql * v_l, np.where(right, qr * v_r, ft))
    zero = np.zeros_like(fh)
    return (np.where(both_dry, zero, fh), np.where(both_dry, zero, fm - pl),
            np.where(both_dry, zero, fm - pr), np.where(both_dry, zero, ft))


def ghost(code, level, z_e, h_e, un_e, ut_e, h_dry):
    """Ghost (z, h, u_normal, u_tangential) outside edge cells, for one boundary code."""
    if code == LEVEL:
        hg = np.maximum(0.0, level - z_e)
        wet = hg > h_dry
        return z_e, hg, np.where(wet, un_e, 0.0), np.where(wet, ut_e, 0.0)
    if code == WALL:
        return z_e, h_e, -un_e, ut_e
    return z_e, h_e, un_e, ut_e


def fv_step_reference(z, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels):
    """(h_out, hu_out, hv_out, outflow_volume) after one step; see :func:`fv_step`."""
    u = velocity(hu, h, h_dry)
    v = velocity(hv, h, h_dry)
    # x faces: padded columns, ghost west (code 0) and east (code 1); normal u, tangential v.
    gw = ghost(bc_codes[0], bc_levels[0], z[:, :1], h[:, :1], u[:, :1], v[:, :1], h_dry)
    ge = ghost(bc_codes[1], bc_levels[1], z[:, -1:], h[:, -1:], u[:, -1:], v[:, -1:], h_dry)
    zx, hx, ux, vx = (np.concatenate([a, b, c], axis=1) for a, b, c in zip(gw, (z, h, u, v), ge))
    fx = list(face_flux(zx[:, :-1], hx[:, :-1], ux[:, :-1], vx[:, :-1], zx[:, 1:], hx[:, 1:], ux[:, 1:], vx[:, 1:],
                        g, h_dry))
    for col, code in ((0, bc_codes[0]), (-1, bc_codes[1])):
        if code == WALL:
            fx[0][:, col] = 0.0
            fx[3][:, col] = 0.0
    # y faces: padded rows, ghost south (code 2) and north (code 3); normal v, tangential u.
    gs = ghost(bc_codes[2], bc_levels[2], z[:1], h[:1], v[:1], u[:1], h_dry)
    gn = ghost(bc_codes[3], bc_levels[3], z[-1:], h[-1:], v[-1:], u[-1:], h_dry)
    zy, hy, vy, uy = (np.concatenate([a, b, c], axis=0) for a, b, c in zip(gs, (z, h, v, u), gn))
    fy = list(face_flux(zy[:-1], hy[:-1], vy[:-1], uy[:-1], zy[1:], hy[1:], vy[1:], uy[1:], g, h_dry))
    for row, code in ((0, bc_codes[2]), (-1, bc_codes[3])):
        if code == WALL:
            fy[0][row] = 0.0
            fy[3][row] = 0.0
    lx, ly = dt / dx, dt / dy
    h_new = h - (lx * (fx[0][:, 1:] - fx[0][:, :-1]) + ly * (fy[0][1:] - fy[0][:-1]))
    hu_new = hu - (lx * (fx[1][:, 1:] - fx[2][:, :-1]) + ly * (fy[3][1:] - fy[3][:-1]))
    hv_new = hv - (lx * (fx[3][:, 1:] - fx[3][:, :-1]) + ly * (fy[1][1:] - fy[2][:-1]))
    hu_new, hv_new = friction_reference(h_new, hu_new, hv_new, n_manning, dt, g, h_dry)  # none where dry
    outflow = dt * (dy * (fx[0][:, -1].sum() - fx[0][:, 0].sum()) + dx * (fy[0][-1].sum() - fy[0][0].sum()))
    return h_new, hu_new, hv_new, outflow


def minmod(a, b):
    """The smaller in magnitude of a and b where they have the same sign, else 0."""
    return np.maximum(0.0, np.minimum(a, b)) + np.minimum(0.0, np.maximum(a, b))


def face_flux_eta(e_l, h_l, u_l, v_l, e_r, h_r, u_r, v_r, g, h_dry):
    """:func:`face_flux` of face states given by their surface e = h + z, elementwise."""
    zs = np.maximum(e_l - h_l, e_r - h_r)
    hl = np.maximum(0.0, e_l - zs)
    hr = np.maximum(0.0, e_r - zs)
    zero = np.zeros_like(hl)
    return face_flux(zero, hl, u_l, v_l, zero, hr, u_r, v_r, g, h_dry)


def ghost_eta(code, level, e_e, h_e, un_e, ut_e, h_dry):
    """Ghost (e, h, u_normal, u_tangential) outside edge face states of surface e_e."""
    zg, hg, ung, utg = ghost(code, level, e_e - h_e, h_e, un_e, ut_e, h_dry)
    return (np.maximum(level, zg) if code == LEVEL else e_e), hg, ung, utg


def reconstruct(z, h, un, ut, g, h_dry, axis):
    """MUSCL-minmod face states along ``axis`` (1: x, 0: y) of :func:`fv_step_order2`.

    Slopes of e = h + z, h, the normal velocity un and the tangential ut from the two
    neighbours along the axis, 0 unless all three cells are wet, and 0 in the edge cells (none
    across the boundary). Returns
    (plus, minus, term): the states (h, e, un, ut) on the face towards +axis and towards -axis,
    and the bed-and-pressure term g h s_e.
    """
    zt, ht, nt, tt = (np.moveaxis(a, axis, 0) for a in (z, h, un, ut))  # views, the axis first
    et = ht + zt
    wet = (ht[:-2] > h_dry) & (ht[1:-1] > h_dry) & (ht[2:] > h_dry)

    def slope(a):
        s = np.zeros_like(a)
        s[1:-1] = np.where(wet, minmod(a[2:] - a[1:-1], a[1:-1] - a[:-2]), 0.0)
        return s

    s_e = slope(et)
    d_e, d_h, d_n, d_t = 0.5 * s_e, 0.5 * slope(ht), 0.5 * slope(nt), 0.5 * slope(tt)
    plus = tuple(np.moveaxis(a, 0, axis) for a in (ht + d_h, et + d_e, nt + d_n, tt + d_t))
    minus = tuple(np.moveaxis(a, 0, axis) for a in (ht - d_h, et - d_e, nt - d_n, tt - d_t))
    return plus, minus, np.moveaxis(g * ht * s_e, 0, axis)


def stage_reference(z, h, hu, hv, dt, dx, dy, g, h_dry, bc_codes, bc_levels):
    """U + dt L(U) of the second-order scheme (no friction, momentum kept where dry), and the
    volume that left through the boundaries."""
    u = velocity(hu, h, h_dry)
    v = velocity(hv, h, h_dry)
    # x faces: east states of cells i and west states of cells i + 1, ghosts outside the edges.
    (he, ee, ue, ve), (hw, ew, uw, vw), tx = reconstruct(z, h, u, v, g, h_dry, 1)
    gw = ghost_eta(bc_codes[0], bc_levels[0], ew[:, :1], hw[:, :1], uw[:, :1], vw[:, :1], h_dry)
    ge = ghost_eta(bc_codes[1], bc_levels[1], ee[:, -1:], he[:, -1:], ue[:, -1:], ve[:, -1:], h_dry)
    left = [np.concatenate([a, b], axis=1) for a, b in zip(gw, (ee, he, ue, ve))]
    right = [np.concatenate([a, b], axis=1) for a, b in zip((ew, hw, uw, vw), ge)]
    fx = list(face_flux_eta(*left, *right, g, h_dry))
    for col, code in ((0, bc_codes[0]), (-1, bc_codes[1])):
        if code == WALL:
            fx[0][:, col] = 0.0
            fx[3][:, col] = 0.0
    # y faces: north states of rows j and south states of rows j + 1; normal v, tangential u.
    (hn, en, vn, un), (hs, es, vs, us), ty = reconstruct(z, h, v, u, g, h_dry, 0)
    gs = ghost_eta(bc_codes[2], bc_levels[2], es[:1], hs[:1], vs[:1], us[:1], h_dry)
    gn = ghost_eta(bc_codes[3], bc_levels[3], en[-1:], hn[-1:], vn[-1:], un[-1:], h_dry)
    left = [np.concatenate([a, b], axis=0) for a, b in zip(gs, (en, hn, vn, un))]
    right = [np.concatenate([a, b], axis=0) for a, b in zip((es, hs, vs, us), gn)]
    fy = list(face_flux_eta(*left, *right, g, h_dry))
    for row, code in ((0, bc_codes[2]), (-1, bc_codes[3])):
        if code == WALL:
            fy[0][row] = 0.0
            fy[3][row] = 0.0
    lx, ly = dt / dx, dt / dy
    h_new = h - (lx * (fx[0][:, 1:] - fx[0][:, :-1]) + ly * (fy[0][1:] - fy[0][:-1]))
    hu_new = hu - (lx * ((fx[1][:, 1:] - fx[2][:, :-1]) + tx) + ly * (fy[3][1:] - fy[3][:-1]))
    hv_new = hv - (lx * (fx[3][:, 1:] - fx[3][:, :-1]) + ly * ((fy[1][1:] - fy[2][:-1]) + ty))
    outflow = dt * (dy * (fx[0][:, -1].sum() - fx[0][:, 0].sum()) + dx * (fy[0][-1].sum() - fy[0][0].sum()))
    return h_new, hu_new, hv_new, outflow


def friction_reference(h, hu, hv, n_manning, dt, g, h_dry):
    """Implicit Manning friction of :func:`fv_step`; momentum 0 where h <= h_dry."""
    wet = h > h_dry
    hw = np.where(wet, h, 1.0)
    a = g * dt * n_manning * n_manning * np.sqrt(hu**2 + hv**2) / (hw * hw * np.cbrt(hw))
    r = (1.0 + np.sqrt(1.0 + 4.0 * a)) / 2.0
    return np.where(wet, hu / r, 0.0), np.where(wet, hv / r, 0.0)


def fv_step_order2_reference(z, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels):
    """(h_out, hu_out, hv_out, outflow_volume) after one step of :func:`fv_step_order2`:
    SSP-RK2 (Heun) of :func:`stage_reference` with friction in each stage, or the first-order
    step where it would leave a negative depth."""
    h1, hu1, hv1, out1 = stage_reference(z, h, hu, hv, dt, dx, dy, g, h_dry, bc_codes, bc_levels)
    hu1, hv1 = friction_reference(h1, hu1, hv1, n_manning, dt, g, h_dry)
    h2, hu2, hv2, out2 = stage_reference(z, h1, hu1, hv1, dt, dx, dy, g, h_dry, bc_codes, bc_levels)
    hu2, hv2 = friction_reference(h2, hu2, hv2, n_manning, dt, g, h_dry)
    h_new, hu_new, hv_new = 0.5 * h + 0.5 * h2, 0.5 * hu + 0.5 * hu2, 0.5 * hv + 0.5 * hv2
    if not (h_new >= 0.0).all():  # a negative or NaN depth: the step is redone at first order
        return fv_step_reference(z, h, hu, hv, n_manning, dt, dx, dy, g, h_dry, bc_codes, bc_levels)
    wet = h_new > h_dry
    return h_new, np.where(wet, hu_new, 0.0), np.where(wet, hv_new, 0.0), 0.5 * (out1 + out2)
