"""Shallow-layer (depth-averaged) dense-gas model over terrain: Numba kernels and a small driver.

After the shallow-layer dense-gas models TWODEE (Hankin & Britter 1999, J. Hazard. Mater. 66:
211-226 "TWODEE: the Health and Safety Laboratory's shallow layer model for heavy gas
dispersion. Part 1. Mathematical basis and physical assumptions"; 227-237 Part 2; 239-261
Part 3), SLAM (Ott & Nielsen 1996, Risoe-R-895) and DISPLAY-2. State per cell of a raster
[j, i] (x east along i, y north along j)::

    h            layer depth                                   m
    hu, hv       depth-integrated velocity                      m2 s-1
    hb = h g'    depth-integrated buoyancy                      m2 s-2,  g' = g (rho - rho_a)/rho_a
    V_s, V_a, Q  tracers: source gas as released, air as         m, m, J m-2
                 entrained (volumes per m2, unmixed), heat
                 from the ground; carried by the mass flux

Equations::

    dh/dt   + div(h u)                          = w_e + w_f + Q_v
    d(hu)/dt + div(h u u) + d/dx(h^2 g'/2)      = -h g' dz_b/dx + tau_x + (w_e + w_f) U_x
    d(hv)/dt + div(h v u) + d/dy(h^2 g'/2)      = -h g' dz_b/dy + tau_y + (w_e + w_f) U_y
    d(hb)/dt + div(hb u)                        = Q_b

* hb is conserved under entrainment: mixing ambient air (g' = 0) into the layer at constant
  total buoyancy, isothermal ideal mixing (Hankin & Britter 1999a). The volume
  fraction of source gas is then phi_v = V_s / h = g'/g0' and the mass concentration
  c = phi_v rho_g (rho_g the source gas density at ambient temperature). A thermodynamic
  closure (:mod:`layer_thermo`) may reset h and hb from the tracers between steps. (For a cold source
  the same holds approximately for volumes at their own temperatures when the molar heat
  capacities of gas and air are similar: adiabatic ideal-gas mixing then conserves volume.)
* Top entrainment (Britter 1988, "A review of mixing experiments relevant to dense gas
  dispersion", in Puttock (ed.), *Stably Stratified Flow and Dense Gas Dispersion*, Clarendon;
  this phi is the form HEGADAS uses; TWODEE's exact form was not checked): w_e = kappa u*_e / phi(Ri*),
  phi(Ri*) = 0.88 + 0.099 Ri*^1.04, Ri* = g' h / u*_e^2. u*_e^2 = u*^2 + C_D |u - U|^2 adds the
  layer's own shear relative to the ambient flow to the ambient friction velocity (our choice,
  so that a current flowing downhill in calm air still mixes).
* Frontal (edge) entrainment in cells with a dry neighbour: w_f = alpha_f |u| h / dx per dry
  x-neighbour (dy for y), the front face of the cell taking in air at alpha_f times the front
  speed (Cox & Carpenter 1980, "Further development of a dense vapour cloud dispersion model
  for hazard analysis", in *Heavy Gas and Risk Assessment*, Reidel: alpha_f ~ 0.6).
* Stress between layer and ambient (our form, in the spirit of TWODEE's drag terms): quadratic
  drag of the layer velocity towards the depth-averaged ambient wind U_h over the layer depth,
  tau = -C_D |u - U_h| (u - U_h) with C_D = (kappa / (ln(h/z0) - 1 + z0/h))^2 and, for the
  neutral log profile U(z) = U_ref ln(z/z0)/ln(z_ref/z0), U_h = U_ref (ln(h/z0) - 1 + z0/h)/
  ln(z_ref/z0). Then C_D U_h^2 = u*^2: a stagnant layer receives the ambient surface stress, a
  passive layer moves with the wind it occupies, a current in calm air feels ground friction.
  Applied implicitly (backward Euler), so it never overshoots U_h. h in C_D and U_h is
  bounded below by 10 z0.
* Entrained air carries the ambient momentum (w_e + w_f) U_h.

Numerics (first-order Godunov, unsplit, explicit Euler):

* HLL Riemann solver (Harten, Lax & van Leer 1983, SIAM Rev. 25:35) for mass and normal
  momentum with wave speeds S_L = min(u_L - c_L, u_R - c_R), S_R = max(u_L + c_L, u_R + c_R),
  c = sqrt(g' h), dry-side speeds u -+ 2c (Toro 2001, *Shock-capturing methods for free-surface
  shallow flows*, ch. 10); written F_L + S_L ((F_L - F_R) + S_R (U_R - U_L)) / (S_R - S_L), which
  is F_L exactly for equal states.
* g' and the tangential velocity are upwinded on the sign of the mass flux (as HLLC does for a
  passive scalar across the contact), so hb flux = F_h g'_upwind: g' obeys a maximum principle
  and sum(hb) is conserved to round-off.
* Hydrostatic reconstruction over the terrain (Audusse, Bouchut, Bristeau, Klein & Perthame
  2004, SIAM J. Sci. Comput. 25:2050): z* = max(z_L, z_R), h* = max(0, h + z - z*) per side,
  pressure correction g'/2 (h^2 - h*^2) to each side's cell. With uniform g' a layer at rest
  with level surface stays at rest (lake at rest) and h >= 0 under the CFL condition.
* Wet/dry: u = hu/h only where h > h_dry, else 0; momentum zeroed where h <= h_dry after the step;
  tiny negative depths from round-off are clipped to 0 (h is never negative under CFL <= 0.5).
* Blocked cells (uint8 mask, 1 = obstacle): reflective walls. The face to a blocked cell sees a
  mirror state (same h, z, g', tangential velocity, negated normal velocity), which gives zero
  mass and buoyancy flux exactly; blocked cells are never updated and stay empty.
* Domain edges: ``open_boundary`` 1 = outflow (transmissive ghost = edge cell), 0 = wall.
* Time step (:func:`stable_dt`): dt = cfl / max((|u| + c)/dx + (|v| + c)/dy), cfl = 0.45.
* Serial loops: on the 2-core test machine a prange version was 4x slower for 12 000 cells
  (thread start-up per loop, and the cores shared with other jobs); parallelise only if a
  benchmark on large grids shows it pays.

Limits of validity: the layer is hydrostatic and well mixed in the vertical; no front condition
is imposed. Without drag a dam-break front runs at the shallow-water speed 2 sqrt(g' h0) (Ritter
1892; in the tests the first-order wet edge reaches 1.74 sqrt(g' h0) at dx = h0/2), not at the
Froude number ~1.2 on the head depth of a gravity current in a deep ambient (Huppert & Simpson
1980, J. Fluid Mech. 99:785; Benjamin 1968, J. Fluid Mech. 31:209, gives sqrt(2) for an
energy-conserving current). With the ground drag on, the thin leading film is held back and a
slumping cylinder in calm air follows the box-model law R^2 - R0^2 = k (g0' V0)^(1/2) t with
k ~ 1.2-1.5 (radius of 90 % of the gas, z0 = 1 cm; tests), against the workbook's k = 1.2
(Britter & McQuaid 1988), i.e. an effective front Froude number ~1.1-1.3. Mixing is isothermal
(no heat exchange with the ground, no aerosol thermodynamics). When the
layer becomes passive (Ri* < 1, or g' h << u*^2) the model keeps running as a shallow layer that
entrains from the top and moves with the ambient wind over its depth; that is not a passive
Gaussian plume (its vertical growth is by top entrainment only and there is no lateral turbulent
diffusion), and results far into the passive regime should be read as indicative.

Vertical profile at a receptor height z_r (:func:`receptor_concentration`): 'top_hat',
c(z) = c_bar for z <= h, else 0; or 'exponential', c(z) = c_bar exp(-z/h), which holds the same
column c_bar h (kg m-2) as the top-hat, the ground value being the depth average (an
exponential similarity profile is the usual choice of shallow-layer and slab models; we did not
check which one TWODEE prints). The driver defaults to 'exponential'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

KAPPA = 0.4
G = 9.81
WALL = 0
OUTFLOW = 1

# Indices into the face-flux work arrays: mass, momentum to the left/lower cell, momentum
# to the right/upper cell, tangential momentum, buoyancy; then one per tracer.
_FH, _FML, _FMR, _FT, _FB, _NF = 0, 1, 2, 3, 4, 5
# The layer's tracers (depth-integrated, carried by the mass flux): the volume of source gas as released
# and of ambient air as entrained (m3 per m2 of ground, at their states before mixing), and the heat taken
# from the ground (J m-2). Without a thermodynamic closure h = SOURCE + AIR and hb = g0' SOURCE.
SOURCE, AIR, HEAT, N_TRACERS = 0, 1, 2, 3


def workspace(ny, nx, dtype=np.float64):
    """Face-flux scratch for :func:`shallow_layer_step`: (flux_x [ny, nx+1, 8], flux_y [ny+1, nx, 8])."""
    n = _NF + N_TRACERS
    return np.zeros((ny, nx + 1, n), dtype=dtype), np.zeros((ny + 1, nx, n), dtype=dtype)


@njit(cache=True)
def face_flux(z_l, h_l, un_l, ut_l, gp_l, z_r, h_r, un_r, ut_r, gp_r, h_dry):
    """HLL flux with hydrostatic reconstruction across one face, normal along +n.

    Returns (F_h, F_m to the left cell, F_m to the right cell, F_t, F_b), where F_m already
    carries -g'/2 h*^2 of each side (the g'/2 h^2 of a cell cancels between its two faces).

    ====== =============================================== =======
    symbol meaning                                         unit
    ====== =============================================== =======
    z      ground elevation                                m
    h      layer depth                                     m
    un, ut normal and tangential velocity                  m s-1
    gp     reduced gravity g' of the layer                 m s-2
    z*     face ground max(z_l, z_r)                       m
    h*     reconstructed depth max(0, h + z - z*)          m
    c      gravity-wave speed sqrt(g' h*)                  m s-1
    S_L,S_R HLL wave-speed estimates                       m s-1
    ====== =============================================== =======
    """
    zs = max(z_l, z_r)
    hl = max(0.0, h_l + z_l - zs)
    hr = max(0.0, h_r + z_r - zs)
    pl = 0.5 * gp_l * hl * hl
    pr = 0.5 * gp_r * hr * hr
    if hl <= h_dry and hr <= h_dry:
        return 0.0, pl - pl, pr - pr, 0.0, 0.0
    cl = math.sqrt(max(gp_l, 0.0) * hl)
    cr = math.sqrt(max(gp_r, 0.0) * hr)
    if hr <= h_dry:
        s_l = un_l - cl
        s_r = un_l + 2.0 * cl
    elif hl <= h_dry:
        s_l = un_r - 2.0 * cr
        s_r = un_r + cr
    else:
        s_l = min(un_l - cl, un_r - cr)
        s_r = max(un_l + cl, un_r + cr)
    ql = hl * un_l
    qr = hr * un_r
    ml = ql * un_l + pl
    mr = qr * un_r + pr
    if s_l >= 0.0:
        f_h, f_m = ql, ml
    elif s_r <= 0.0:
        f_h, f_m = qr, mr
    else:
        w = s_l / (s_r - s_l)
        f_h = ql + w * ((ql - qr) + s_r * (hr - hl))
        f_m = ml + w * ((ml - mr) + s_r * (qr - ql))
    if f_h >= 0.0:
        f_t = f_h * ut_l
        f_b = f_h * gp_l
    else:
        f_t = f_h * ut_r
        f_b = f_h * gp_r
    return f_h, f_m - pl, f_m - pr, f_t, f_b


@njit(cache=True, inline="always")
def _vel(q, h, h_dry):
    return q / h if h > h_dry else 0.0


@njit(cache=True, inline="always")
def _gp(hb, h, h_dry):
    return hb / h if h > h_dry else 0.0


@njit(cache=True, inline="always")
def _face(left_in, right_in, open_l, open_r, z_l, h_l, qn_l, qt_l, hb_l, z_r, h_r, qn_r, qt_r, hb_r, h_dry):
    """Flux through one face from the cells on its two sides (qn, qt: normal and tangential momentum).

    A side that is not in the flow (a blocked cell or the grid's edge) mirrors the other: its normal
    velocity reversed (a wall, a closed edge), or copied where the edge is open (outflow)."""
    if left_in:
        un_l, ut_l, g_l = _vel(qn_l, h_l, h_dry), _vel(qt_l, h_l, h_dry), _gp(hb_l, h_l, h_dry)
    if right_in:
        un_r, ut_r, g_r = _vel(qn_r, h_r, h_dry), _vel(qt_r, h_r, h_dry), _gp(hb_r, h_r, h_dry)
    if not left_in:
        z_l, h_l, ut_l, g_l = z_r, h_r, ut_r, g_r
        un_l = un_r if open_l else -un_r
    if not right_in:
        z_r, h_r, ut_r, g_r = z_l, h_l, ut_l, g_l
        un_r = un_l if open_r else -un_l
    return face_flux(z_l, h_l, un_l, ut_l, g_l, z_r, h_r, un_r, ut_r, g_r, h_dry)


@njit(cache=True, inline="always")
def _tracer_fluxes(f_h, left_in, right_in, h_l, h_r, tracers, j_l, i_l, j_r, i_r, h_dry, flux, j, i):
    """Tracer fluxes through a face: the mass flux times the upwind cell's tracer per depth (a side off
    the flow mirrors the other)."""
    up_left = f_h >= 0.0
    if up_left and not left_in:
        up_left = False
    elif not up_left and not right_in:
        up_left = True
    for k in range(N_TRACERS):
        if up_left:
            share = tracers[k, j_l, i_l] / h_l if h_l > h_dry else 0.0
        else:
            share = tracers[k, j_r, i_r] / h_r if h_r > h_dry else 0.0
        flux[j, i, _NF + k] = f_h * share


@njit(cache=True)
def _x_faces(z_b, blocked, h, hu, hv, hb, tracers, h_dry, open_boundary, flux_x):
    """Flux through every x face (ny, nx + 1); faces between blocked cells get 0."""
    ny, nx = h.shape
    outflow = open_boundary == OUTFLOW
    for j in range(ny):
        for i in range(nx + 1):
            il, ir = max(i - 1, 0), min(i, nx - 1)  # clamped: a side off the grid is not read as in
            left_in = i >= 1 and blocked[j, il] == 0
            right_in = i < nx and blocked[j, ir] == 0
            if not left_in and not right_in:
                for k in range(_NF + N_TRACERS):
                    flux_x[j, i, k] = 0.0
                continue
            f = _face(left_in, right_in, outflow and i == 0, outflow and i == nx,
                      z_b[j, il], h[j, il], hu[j, il], hv[j, il], hb[j, il],
                      z_b[j, ir], h[j, ir], hu[j, ir], hv[j, ir], hb[j, ir], h_dry)
            for k in range(_NF):
                flux_x[j, i, k] = f[k]
            _tracer_fluxes(f[_FH], left_in, right_in, h[j, il], h[j, ir], tracers, j, il, j, ir, h_dry, flux_x,
                           j, i)


@njit(cache=True)
def _y_faces(z_b, blocked, h, hu, hv, hb, tracers, h_dry, open_boundary, flux_y):
    """Flux through every y face (ny + 1, nx); normal velocity v, tangential u."""
    ny, nx = h.shape
    outflow = open_boundary == OUTFLOW
    for j in range(ny + 1):
        jl, jr = max(j - 1, 0), min(j, ny - 1)
        for i in range(nx):
            low_in = j >= 1 and blocked[jl, i] == 0
            up_in = j < ny and blocked[jr, i] == 0
            if not low_in and not up_in:
                for k in range(_NF + N_TRACERS):
                    flux_y[j, i, k] = 0.0
                continue
            f = _face(low_in, up_in, outflow and j == 0, outflow and j == ny,
                      z_b[jl, i], h[jl, i], hv[jl, i], hu[jl, i], hb[jl, i],
                      z_b[jr, i], h[jr, i], hv[jr, i], hu[jr, i], hb[jr, i], h_dry)
            for k in range(_NF):
                flux_y[j, i, k] = f[k]
            _tracer_fluxes(f[_FH], low_in, up_in, h[jl, i], h[jr, i], tracers, jl, i, jr, i, h_dry, flux_y, j, i)


@njit(cache=True)
def ambient_layer_wind(h, z0, z_ref):
    """(U_h / U_ref, C_D): depth-averaged neutral log wind over depth h relative to the wind at
    z_ref, and the drag coefficient (kappa / (ln(h/z0) - 1 + z0/h))^2; h bounded below by 10 z0."""
    he = max(h, 10.0 * z0)
    m = math.log(he / z0) - 1.0 + z0 / he
    return m / math.log(z_ref / z0), (KAPPA / m) ** 2


@njit(cache=True)
def entrainment_velocity(gp, h, u_star_e):
    """w_e = kappa u*_e / phi(Ri*), phi = 0.88 + 0.099 Ri*^1.04, Ri* = g' h / u*_e^2 (Britter 1988)."""
    if u_star_e <= 0.0:
        return 0.0
    ri = max(gp, 0.0) * h / (u_star_e * u_star_e)
    return KAPPA * u_star_e / (0.88 + 0.099 * ri**1.04)


@njit(cache=True)
def shallow_layer_step(z_b, blocked, h, hu, hv, hb, tracers, source_volume_rate, source_buoyancy_rate,
                       u_star, wind_u, wind_v, dt, dx, dy, z0, z_ref, alpha_front, h_dry,
                       open_boundary, entrain, flux_x, flux_y, h_out, hu_out, hv_out, hb_out, tracers_out):
    """Advance (h, hu, hv, hb) and the tracers by dt; results in the *_out arrays (distinct from the inputs).

    The tracers [N_TRACERS, ny, nx] move with the mass flux (upwind share per depth); SOURCE gains the
    source volume, AIR the entrained volume (top and front), HEAT nothing here (the closure adds it).

    ==================== =============================================================== =======
    argument             meaning                                                         unit
    ==================== =============================================================== =======
    z_b                  ground elevation [ny, nx]                                       m
    blocked              uint8 [ny, nx], 1 = obstacle (reflective, never filled)         1
    h, hu, hv, hb        state (see module docstring)                                    m, m2/s, m2/s2
    tracers              SOURCE, AIR (m3 m-2 at their unmixed states), HEAT (J m-2)       m, m, J/m2
    source_volume_rate   Q_v, volume of source gas added per unit area and time          m s-1
    source_buoyancy_rate Q_b = g0' Q_v                                                   m2 s-3
    u_star               ambient friction velocity u* [ny, nx]                           m s-1
    wind_u, wind_v       ambient wind at z_ref (east, north) [ny, nx]                    m s-1
    z0, z_ref            roughness length, reference height of the wind                  m
    alpha_front          frontal entrainment coefficient alpha_f                         1
    h_dry                depth at or below which a cell is dry                           m
    open_boundary        1 outflow, 0 wall at the domain edges                           -
    entrain              1 entrainment and drag on, 0 off (pure shallow water)            -
    flux_x, flux_y       scratch from :func:`workspace`                                  -
    ==================== =============================================================== =======
    """
    ny, nx = h.shape
    _x_faces(z_b, blocked, h, hu, hv, hb, tracers, h_dry, open_boundary, flux_x)
    _y_faces(z_b, blocked, h, hu, hv, hb, tracers, h_dry, open_boundary, flux_y)
    rx = dt / dx
    ry = dt / dy
    for j in range(ny):
        for i in range(nx):
            if blocked[j, i] != 0:
                h_out[j, i] = 0.0
                hu_out[j, i] = 0.0
                hv_out[j, i] = 0.0
                hb_out[j, i] = 0.0
                for k in range(N_TRACERS):
                    tracers_out[k, j, i] = 0.0
                continue
            for k in range(N_TRACERS):
                tracers_out[k, j, i] = max(tracers[k, j, i] - rx * (flux_x[j, i + 1, _NF + k] - flux_x[j, i, _NF + k])
                                           - ry * (flux_y[j + 1, i, _NF + k] - flux_y[j, i, _NF + k]), 0.0)
            tracers_out[SOURCE, j, i] += dt * source_volume_rate[j, i]
            hn = (h[j, i] - rx * (flux_x[j, i + 1, _FH] - flux_x[j, i, _FH])
                  - ry * (flux_y[j + 1, i, _FH] - flux_y[j, i, _FH]) + dt * source_volume_rate[j, i])
            qx = (hu[j, i] - rx * (flux_x[j, i + 1, _FML] - flux_x[j, i, _FMR])
                  - ry * (flux_y[j + 1, i, _FT] - flux_y[j, i, _FT]))
            qy = (hv[j, i] - rx * (flux_x[j, i + 1, _FT] - flux_x[j, i, _FT])
                  - ry * (flux_y[j + 1, i, _FML] - flux_y[j, i, _FMR]))
            bn = (hb[j, i] - rx * (flux_x[j, i + 1, _FB] - flux_x[j, i, _FB])
                  - ry * (flux_y[j + 1, i, _FB] - flux_y[j, i, _FB]) + dt * source_buoyancy_rate[j, i])
            if hn <= h_dry:
                h_out[j, i] = max(hn, 0.0)
                hu_out[j, i] = 0.0
                hv_out[j, i] = 0.0
                hb_out[j, i] = max(bn, 0.0)
                continue
            bn = max(bn, 0.0)
            if entrain != 0:
                ratio, cd = ambient_layer_wind(hn, z0, z_ref)
                ux_a = wind_u[j, i] * ratio
                uy_a = wind_v[j, i] * ratio
                un = qx / hn
                vn = qy / hn
                rel2 = (un - ux_a) ** 2 + (vn - uy_a) ** 2
                use = math.sqrt(u_star[j, i] ** 2 + cd * rel2)
                w = entrainment_velocity(bn / hn, hn, use)
                if alpha_front > 0.0:
                    speed = math.sqrt(un * un + vn * vn)
                    edges = 0.0
                    for di in (-1, 1):
                        ii = i + di
                        if 0 <= ii < nx and blocked[j, ii] == 0 and h[j, ii] <= h_dry:
                            edges += 1.0 / dx
                    for dj in (-1, 1):
                        jj = j + dj
                        if 0 <= jj < ny and blocked[jj, i] == 0 and h[jj, i] <= h_dry:
                            edges += 1.0 / dy
                    w += alpha_front * speed * hn * edges
                hn_e = hn + dt * w
                tracers_out[AIR, j, i] += dt * w
                qx += dt * w * ux_a
                qy += dt * w * uy_a
                # implicit drag towards the ambient layer wind (U_h at the new depth)
                ratio, cd = ambient_layer_wind(hn_e, z0, z_ref)
                ux_a = wind_u[j, i] * ratio
                uy_a = wind_v[j, i] * ratio
                rel = math.sqrt((qx / hn_e - ux_a) ** 2 + (qy / hn_e - uy_a) ** 2)
                k = dt * cd * rel / hn_e
                qx = (qx + k * hn_e * ux_a) / (1.0 + k)
                qy = (qy + k * hn_e * uy_a) / (1.0 + k)
                hn = hn_e
            h_out[j, i] = hn
            hu_out[j, i] = qx
            hv_out[j, i] = qy
            hb_out[j, i] = bn


@njit(cache=True)
def stable_dt(h, hu, hv, hb, blocked, dx, dy, h_dry, cfl):
    """cfl / max over wet cells of ((|u| + c)/dx + (|v| + c)/dy), c = sqrt(g' h); inf if none."""
    ny, nx = h.shape
    rate = 0.0
    for j in range(ny):
        for i in range(nx):
            hh = h[j, i]
            if blocked[j, i] != 0 or hh <= h_dry:
                continue
            c = math.sqrt(max(hb[j, i], 0.0))  # sqrt(g' h) = sqrt(hb)
            r = (abs(hu[j, i] / hh) + c) / dx + (abs(hv[j, i] / hh) + c) / dy
            if r > rate:
                rate = r
    return cfl / rate if rate > 0.0 else np.inf


# --- driver -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShallowLayerParams:
    """Constants of a shallow-layer run (SI units in the names)."""

    roughness_length_m: float = 0.03
    wind_reference_height_m: float = 10.0
    front_entrainment: float = 0.6     # alpha_f, Cox & Carpenter (1980)
    dry_depth_m: float = 1e-5          # h_dry
    cfl: float = 0.45
    open_boundary: bool = True         # outflow at the domain edges (else walls)
    entrainment: bool = True           # False: pure shallow-water gravity current (tests)

    def __post_init__(self):
        for name in ("roughness_length_m", "wind_reference_height_m", "dry_depth_m", "cfl"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"{name}: expected a positive number, got {v!r}")
        if self.wind_reference_height_m <= 10.0 * self.roughness_length_m:
            raise ValueError("wind_reference_height_m: expected > 10 x roughness_length_m")
        if not (0.0 <= self.front_entrainment <= 2.0):
            raise ValueError(f"front_entrainment: expected 0..2, got {self.front_entrainment!r}")
        if self.cfl > 0.5:
            raise ValueError(f"cfl: expected <= 0.5 (positivity of the unsplit scheme), got {self.cfl!r}")


class ShallowLayerCloud:
    """A dense-gas layer on a raster: initialise, add sources, step, read concentrations.

    ground_elevation [ny, nx] (m), cell sizes dx, dy (m), cell (j, i) centred at
    (origin_x + (i + 1/2) dx, origin_y + (j + 1/2) dy). source_reduced_gravity g0' (m s-2) of the
    source gas as released; source_gas_density rho_g (kg m-3) of the hazardous species per m3
    of source gas, for mass concentrations c = (g'/g0') rho_g. blocked: uint8 [ny, nx] obstacles.
    """

    def __init__(self, ground_elevation, dx: float, dy: float, source_reduced_gravity: float,
                 source_gas_density: float, blocked=None, params: ShallowLayerParams | None = None,
                 origin=(0.0, 0.0)):
        z = np.ascontiguousarray(ground_elevation, dtype=np.float64)
        if z.ndim != 2 or min(z.shape) < 1 or not np.all(np.isfinite(z)):
            raise ValueError("ground_elevation: expected a finite 2-D array [ny, nx]")
        for name, v in (("dx", dx), ("dy", dy), ("source_reduced_gravity", source_reduced_gravity),
                        ("source_gas_density", source_gas_density)):
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"{name}: expected a positive number, got {v!r}")
        self.params = params or ShallowLayerParams()
        self.z_b = z
        self.dx, self.dy = float(dx), float(dy)
        self.g0 = float(source_reduced_gravity)
        self.rho_g = float(source_gas_density)
        self.origin = (float(origin[0]), float(origin[1]))
        ny, nx = z.shape
        if blocked is None:
            blocked = np.zeros((ny, nx), dtype=np.uint8)
        blocked = np.ascontiguousarray(blocked, dtype=np.uint8)
        if blocked.shape != z.shape:
            raise ValueError(f"blocked: expected shape {z.shape}, got {blocked.shape}")
        self.blocked = blocked
        self.state = [np.zeros((ny, nx)) for _ in range(4)]   # h, hu, hv, hb
        self._next = [np.zeros((ny, nx)) for _ in range(4)]
        self.tracers = np.zeros((N_TRACERS, ny, nx))          # SOURCE, AIR, HEAT
        self._tracers_next = np.zeros((N_TRACERS, ny, nx))
        self.source_volume_rate = np.zeros((ny, nx))
        self.source_buoyancy_rate = np.zeros((ny, nx))
        self.u_star = np.zeros((ny, nx))
        self.wind_u = np.zeros((ny, nx))
        self.wind_v = np.zeros((ny, nx))
        self.flux_x, self.flux_y = workspace(ny, nx)
        self.time = 0.0
        self.released_volume = 0.0   # m3 of source gas put in so far

    # geometry -----------------------------------------------------------------------------------
    @property
    def shape(self):
        return self.z_b.shape

    def cell_centres(self):
        """(x [nx], y [ny]) of the cell centres (m)."""
        ny, nx = self.shape
        return (self.origin[0] + (np.arange(nx) + 0.5) * self.dx,
                self.origin[1] + (np.arange(ny) + 0.5) * self.dy)

    def disc(self, x, y, radius):
        """Open cells whose centre lies within ``radius`` of (x, y); the cell holding (x, y) if none does."""
        xc, yc = self.cell_centres()
        inside = ((xc[None, :] - x) ** 2 + (yc[:, None] - y) ** 2 <= radius * radius) & (self.blocked == 0)
        if not inside.any():  # a source smaller than a cell goes into the cell that holds it
            i = int(np.clip((x - self.origin[0]) // self.dx, 0, self.shape[1] - 1))
            j = int(np.clip((y - self.origin[1]) // self.dy, 0, self.shape[0] - 1))
            if self.blocked[j, i]:
                raise ValueError(f"source at ({x}, {y}): the cell is blocked")
            inside[j, i] = True
        return inside

    # set-up -------------------------------------------------------------------------------------
    @property
    def h(self):
        return self.state[0]

    @property
    def hb(self):
        return self.state[3]

    def add_cylinder(self, x: float, y: float, radius: float, height: float) -> None:
        """Instantaneous release: a cylinder of pure source gas at rest (cells whose centre lies
        within ``radius`` of (x, y)), height in m."""
        if not (radius > 0 and height > 0):
            raise ValueError(f"radius, height: expected positive, got {radius!r}, {height!r}")
        inside = self.disc(x, y, radius)
        self.state[0][inside] += height
        self.state[3][inside] += self.g0 * height
        self.tracers[SOURCE][inside] += height
        self.released_volume += height * inside.sum() * self.dx * self.dy

    def fill(self, depth, source_fraction=1.0) -> None:
        """Set the layer at rest to ``depth`` (m, array or scalar; blocked cells stay empty) of a mixture
        with ``source_fraction`` of source gas by volume, the rest ambient air (isothermal mixing)."""
        depth = np.where(self.blocked == 0, np.broadcast_to(np.asarray(depth, dtype=float), self.shape), 0.0)
        fraction = np.broadcast_to(np.asarray(source_fraction, dtype=float), self.shape)
        h, hu, hv, hb = self.state
        h[:], hu[:], hv[:], hb[:] = depth, 0.0, 0.0, self.g0 * fraction * depth
        self.tracers[SOURCE], self.tracers[AIR], self.tracers[HEAT] = fraction * depth, (1.0 - fraction) * depth, 0.0

    def set_source(self, x: float, y: float, radius: float, volume_rate: float) -> None:
        """Continuous release of ``volume_rate`` m3/s of source gas spread evenly over the cells
        within ``radius`` of (x, y) (0 stops it)."""
        if not (radius >= 0 and volume_rate >= 0):
            raise ValueError(f"radius, volume_rate: expected >= 0, got {radius!r}, {volume_rate!r}")
        inside = self.disc(x, y, max(radius, 1e-9))
        rate = volume_rate / (inside.sum() * self.dx * self.dy)
        self.source_volume_rate[:] = np.where(inside, rate, 0.0)
        self.source_buoyancy_rate[:] = self.g0 * self.source_volume_rate

    def set_wind(self, speed: float, direction_deg: float, friction_velocity: float | None = None) -> None:
        """Uniform ambient wind ``speed`` at the reference height, blowing FROM ``direction_deg``
        (meteorological, 270 = westerly, blowing towards +x); u* from the neutral log law
        kappa U / ln(z_ref / z0) unless given."""
        if not (speed >= 0 and np.isfinite(direction_deg)):
            raise ValueError(f"speed: expected >= 0, got {speed!r}")
        p = self.params
        to = math.radians(direction_deg + 180.0)
        self.wind_u[:] = speed * math.sin(to)
        self.wind_v[:] = speed * math.cos(to)
        if friction_velocity is None:
            friction_velocity = KAPPA * speed / math.log(p.wind_reference_height_m / p.roughness_length_m)
        self.u_star[:] = friction_velocity

    # time stepping ------------------------------------------------------------------------------
    def stable_dt(self) -> float:
        h, hu, hv, hb = self.state
        p = self.params
        return stable_dt(h, hu, hv, hb, self.blocked, self.dx, self.dy, p.dry_depth_m, p.cfl)

    def step(self, dt: float) -> None:
        h, hu, hv, hb = self.state
        p = self.params
        shallow_layer_step(self.z_b, self.blocked, h, hu, hv, hb, self.tracers, self.source_volume_rate,
                           self.source_buoyancy_rate, self.u_star, self.wind_u, self.wind_v, dt,
                           self.dx, self.dy, p.roughness_length_m, p.wind_reference_height_m,
                           p.front_entrainment, p.dry_depth_m, OUTFLOW if p.open_boundary else WALL,
                           1 if p.entrainment else 0, self.flux_x, self.flux_y, *self._next, self._tracers_next)
        self.state, self._next = self._next, self.state
        self.tracers, self._tracers_next = self._tracers_next, self.tracers
        self.released_volume += dt * self.source_volume_rate.sum() * self.dx * self.dy
        self.time += dt

    def run(self, until: float, max_dt: float = 5.0, on_step=None) -> int:
        """Step to time ``until`` (s) with dt = min(stable_dt, max_dt, time left); returns steps.
        on_step(cloud) is called after each step."""
        n = 0
        while self.time < until - 1e-12:
            dt = min(self.stable_dt(), max_dt, until - self.time)
            self.step(dt)
            n += 1
            if on_step is not None:
                on_step(self)
        return n

    # outputs ------------------------------------------------------------------------------------
    def volume_fraction(self) -> np.ndarray:
        """phi_v: source gas (as released) per volume of the layer, SOURCE / h; 0 where dry. Isothermal,
        phi_v = g'/g0'."""
        h = self.state[0]
        wet = h > self.params.dry_depth_m
        return np.where(wet, np.clip(self.tracers[SOURCE] / np.where(wet, h, 1.0), 0.0, 1.0), 0.0)

    def mass_concentration(self, receptor_height: float = 0.0, profile: str = "exponential") -> np.ndarray:
        """Concentration (kg m-3) at ``receptor_height`` above the ground, every cell."""
        return receptor_concentration(self.volume_fraction() * self.rho_g, self.state[0], receptor_height,
                                      profile)

    def column(self) -> np.ndarray:
        """Column burden (kg m-2) = rho_g SOURCE (= hb rho_g / g0' when isothermal)."""
        return self.tracers[SOURCE] * self.rho_g

    def remove(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Empty the layer in ``cells`` (bool mask): its gas leaves it (to another model). Returns the
        column (kg m-2) and depth (m) each cell held (zero elsewhere)."""
        column = np.where(cells, self.column(), 0.0)
        depth = np.where(cells, self.state[0], 0.0)
        for array in (*self.state, *self.tracers):
            array[cells] = 0.0
        return column, depth

    def total_buoyancy(self) -> float:
        """sum hb dx dy (m4 s-2): conserved without sources and outflow."""
        return float(self.state[3].sum() * self.dx * self.dy)

    def total_volume(self) -> float:
        """sum h dx dy (m3): grows by entrainment."""
        return float(self.state[0].sum() * self.dx * self.dy)

    def centroid(self) -> tuple[float, float]:
        """Centre of mass (x, y) of the source gas."""
        xc, yc = self.cell_centres()
        w = self.tracers[SOURCE]
        s = w.sum()
        return float((w.sum(axis=0) * xc).sum() / s), float((w.sum(axis=1) * yc).sum() / s)

    def cell_index(self, x, y):
        """(j, i) of the cells holding points (x, y); ValueError outside the grid."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        i = np.floor((x - self.origin[0]) / self.dx).astype(int)
        j = np.floor((y - self.origin[1]) / self.dy).astype(int)
        ny, nx = self.shape
        if np.any((i < 0) | (i >= nx) | (j < 0) | (j >= ny)):
            raise ValueError("x, y: points outside the grid")
        return j, i


def receptor_concentration(mean_concentration, depth, receptor_height: float, profile: str = "exponential"):
    """Concentration at height z_r from the depth average c_bar over depth h: 'top_hat'
    (c_bar for z_r <= h) or 'exponential' (c_bar exp(-z_r / h), same column c_bar h)."""
    if not (np.isfinite(receptor_height) and receptor_height >= 0):
        raise ValueError(f"receptor_height: expected >= 0, got {receptor_height!r}")
    c = np.asarray(mean_concentration, dtype=float)
    h = np.asarray(depth, dtype=float)
    if profile == "top_hat":
        return np.where(h >= receptor_height, c, 0.0)
    if profile == "exponential":
        with np.errstate(divide="ignore", over="ignore", under="ignore"):
            return np.where(h > 0, c * np.exp(-receptor_height / np.where(h > 0, h, 1.0)), 0.0)
    raise ValueError(f"profile: expected 'top_hat' or 'exponential', got {profile!r}")
