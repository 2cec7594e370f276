"""Plain-NumPy twin of :mod:`models.flood.finite_volume`, written for clarity; tests only.

Same symbols, equations and order of operations as the kernels: ghost cells are padded around
the grid, every x face (ny, nx + 1) and y face (ny + 1, nx) flux is computed at once with the
hydrostatic reconstruction and the HLLC solver, then the cells are updated and Manning friction
applied.
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
    # Semi-implicit Manning friction; no momentum in dry cells.
    wet = h_new > h_dry
    hw = np.where(wet, h_new, 1.0)
    r = 1.0 + g * dt * n_manning * n_manning * np.sqrt(hu_new**2 + hv_new**2) / (hw * hw * np.cbrt(hw))
    hu_new = np.where(wet, hu_new / r, 0.0)
    hv_new = np.where(wet, hv_new / r, 0.0)
    outflow = dt * (dy * (fx[0][:, -1].sum() - fx[0][:, 0].sum()) + dx * (fy[0][-1].sum() - fy[0][0].sum()))
    return h_new, hu_new, hv_new, outflow
