"""Thermodynamics of the dense-gas layer: heat from the ground, and the mixture's volume and buoyancy.

The shallow layer (:mod:`shallow_layer`) carries, besides its depth h and buoyancy h g', three tracers per
unit of ground: the volume of source gas as released V_s and of ambient air as entrained V_a (m3 m-2, each
at its state before mixing) and the heat Q taken up from the ground (J m-2). Mixing in the layer's kernel
adds volumes (h grows by the entrained V_a): exact for ideal gases of equal molar heat capacity that
exchange no heat with anything else. This module replaces that, once per model step, by the mixture's
own state.

Closure (homogeneous equilibrium, as the fog: :func:`thermo.mixture_cell`). Per unit of ground, the
layer is the mixture of V_s of source gas and V_a of humid air that has taken up Q; its temperature T,
liquid water and volume V follow from the enthalpy balance H(T) = H_0 + Q with the condensation of the
entrained humidity (its latent heat warms the cloud), and its mass m is that of the parts:

    phi = V_s / (V_s + V_a),   (T, LWC, v, mu) = mixture(phi, Q / (V_s + V_a)) per m3 of unmixed parts,
    h = (V_s + V_a) v,   h g' = g (m / rho_a - h) = g (V_s + V_a) (mu / rho_a - v),

rho_a the ambient humid air's density; the velocity is kept (h u scaled with h). h g' = g (m / rho_a - h)
is the layer's buoyancy g (rho - rho_a) / rho_a h written with its mass m = rho h: mixing in air at
ambient density leaves it unchanged, warming (which expands the column at fixed mass) lowers it. A
cloud warmed beyond neutral (g' < 0) is held at g' = 0: passive, it leaves the layer for the particles.
This is the heat and mixing balance of DEGADIS (Spicer & Havens 1989, EPA-450/4-89-019) and HEGADAS
(Witlox 1994, J. Hazard. Mater. 38:127) in the layer's tracers.

Heat from the ground (flux into the cloud, positive when the ground is warmer), with the cloud at the
temperature of the last closure:

    q = H (T_g - T),   H = (H_n^3 + H_f^3)^(1/3)       (Churchill & Usagi 1972, AIChE J. 18:1121)
    H_n = 0.15 k (g (T_g - T) / (T_f nu alpha))^(1/3)  for T_g > T, else 0
    H_f = rho c_p C_H |u|,   C_H = kappa^2 / ((ln(h/z0) - 1) (ln(h/z0h) - 1)),   ln(z0/z0h) = 2

H_n: turbulent free convection from a warm horizontal surface facing up, Nu = 0.15 Ra^(1/3) (Lloyd &
Moran 1974, J. Heat Transfer 96:443; Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, eq.
9.31), which does not depend on the surface's size; film temperature T_f = (T_g + T)/2, air's k, nu,
alpha near 270 K. H_f: forced convection by the layer's motion over the ground, the bulk transfer law of
the layer's drag (C_D = (kappa / (ln(h/z0) - 1))^2, depth-averaged log profiles) with heat's own roughness
length z0h, ln(z0/z0h) = kB^-1 = 2 over natural surfaces (Garratt 1992, *The Atmospheric Boundary Layer*,
sec. 4.3; Brutsaert 1982). The ground, at T_g until the cloud covers it, cools as it gives up heat: it is
a semi-infinite solid under a fluid at T with transfer coefficient H since the cloud came (t_e, the time a
cell has held gas), whose surface flux is (Incropera & DeWitt, sec. 5.7, case 3)

    q = H (T_g - T) exp(beta^2) erfc(beta),   beta = H sqrt(alpha_g t_e) / k_g,

k_g, alpha_g of the ground (``source_terms.GROUNDS``; for dry sand after 5 minutes under H = 20 W m-2 K-1
the factor is 0.57). A step's heat is at most what brings the column to T_g. Neither sun nor radiation is
counted.

==========  ==================================================  ==========
symbol      meaning                                             unit
==========  ==================================================  ==========
V_s, V_a    source gas and air in the layer, unmixed states     m3 m-2
Q           heat taken from the ground                          J m-2
phi         V_s / (V_s + V_a)                                   1
v, mu       mixture volume and mass per m3 of unmixed parts     1, kg m-3
h, h g'     layer depth and depth-integrated buoyancy           m, m2 s-2
rho_a       ambient (humid) air density                         kg m-3
T, T_g      cloud and ground temperature                        K
q           heat flux from the ground into the cloud            W m-2
k_g,alpha_g ground conductivity and diffusivity                 W m-1 K-1, m2 s-1
t_e         time the ground has been under the cloud            s
H, H_n, H_f heat transfer coefficients: blended, free, forced   W m-2 K-1
k, nu,      air's conductivity, kinematic viscosity,            W m-1 K-1, m2 s-1,
alpha       thermal diffusivity                                 m2 s-1
C_H, z0     bulk transfer number for heat, roughness length  1, m
z0h         roughness length for heat, z0 e^-2                  m
u           layer velocity                                      m s-1
==========  ==================================================  ==========
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from models.gas_dispersion.shallow_layer import AIR, HEAT, KAPPA, SOURCE
from models.gas_dispersion.thermo import DRY_AIR_HEAT_CAPACITY, DRY_AIR_MOLAR_MASS, mixture_cell, mixture_reference
from models.gas_dispersion.gases import R_GAS

G = 9.81
# Dry air near 270 K (Incropera & DeWitt, Table A.4, 250-300 K interpolated).
AIR_CONDUCTIVITY = 0.0241           # k, W m-1 K-1
AIR_KINEMATIC_VISCOSITY = 1.30e-5   # nu, m2 s-1
AIR_DIFFUSIVITY = 1.83e-5           # alpha, m2 s-1
FREE_CONVECTION_NUSSELT = 0.15      # Nu = 0.15 Ra^(1/3), Lloyd & Moran (1974)
HEAT_ROUGHNESS_LOG = 2.0            # kB^-1 = ln(z0 / z0h) over natural surfaces (Garratt 1992, sec. 4.3)


@njit(cache=True)
def air_heat_capacity_per_volume(T, p):
    """rho c_p (J m-3 K-1) of dry air at T and p (scalars or arrays), the cloud's in the heat transfer."""
    return p * DRY_AIR_MOLAR_MASS / (R_GAS * T) * DRY_AIR_HEAT_CAPACITY


@njit(cache=True, inline="always")
def _heat_transfer_number(h, z0):
    """C_H of the layer's depth-averaged wind and temperature over its depth h (at least 10 z0)."""
    log_m = math.log(max(h, 10.0 * z0) / z0) - 1.0
    return KAPPA * KAPPA / (log_m * (log_m + HEAT_ROUGHNESS_LOG))


@njit(cache=True)
def heat_transfer_coefficient(T, T_g, h, speed, z0, p):
    """H (W m-2 K-1) between the ground at T_g and a layer of depth h at T moving at ``speed``."""
    dT = T_g - T
    h_free = 0.0
    if dT > 0.0:
        T_f = 0.5 * (T_g + T)
        h_free = FREE_CONVECTION_NUSSELT * AIR_CONDUCTIVITY * (
            G * dT / (T_f * AIR_KINEMATIC_VISCOSITY * AIR_DIFFUSIVITY)) ** (1.0 / 3.0)
    h_forced = air_heat_capacity_per_volume(T, p) * _heat_transfer_number(h, z0) * speed
    return (h_free**3 + h_forced**3) ** (1.0 / 3.0)


@njit(cache=True, inline="always")
def scaled_erfc(beta):
    """exp(beta^2) erfc(beta) for beta >= 0 (beyond 20 its asymptotic series, to 3e-10: exp(beta^2) overflows
    near 27)."""
    if beta < 20.0:
        return math.exp(beta * beta) * math.erfc(beta)
    inv2 = 1.0 / (beta * beta)
    return (1.0 - 0.5 * inv2 + 0.75 * inv2 * inv2 - 1.875 * inv2**3) / (beta * math.sqrt(math.pi))


@njit(cache=True)
def ground_heat_kernel(h, hu, hv, tracers, blocked, T, T_g, k_g, alpha_g, exposure, z0, p, h_dry, dt):
    """Add dt q to the HEAT tracer of every wet cell that holds source gas (module docstring): q from T, the
    cloud temperature of the last closure, through ground that has been under the cloud for ``exposure`` s
    (advanced here by dt), at most what brings the column to T_g."""
    ny, nx = h.shape
    for j in range(ny):
        for i in range(nx):
            hh = h[j, i]
            if blocked[j, i] != 0 or hh <= h_dry or tracers[SOURCE, j, i] <= 0.0:
                continue
            speed = math.sqrt(hu[j, i] ** 2 + hv[j, i] ** 2) / hh
            Tc = T[j, i]
            H = heat_transfer_coefficient(Tc, T_g, hh, speed, z0, p)
            beta = H * math.sqrt(alpha_g * (exposure[j, i] + 0.5 * dt)) / k_g
            q = H * (T_g - Tc) * scaled_erfc(beta)
            exposure[j, i] += dt
            cap = air_heat_capacity_per_volume(Tc, p) * hh * abs(T_g - Tc) / dt
            tracers[HEAT, j, i] += dt * max(-cap, min(q, cap))


@njit(cache=True)
def closure_kernel(h, hu, hv, hb, tracers, blocked, h_dry, T_s, w_g, M_g, c_pg, T_a, p, r_a, rho_a,
                   out_T, out_lwc):
    """Set h, h u, h v, h g' of every wet cell holding source gas to its mixture's (module docstring);
    out_T, out_lwc: the cloud temperature (T_a elsewhere) and liquid water content (0 elsewhere)."""
    ny, nx = h.shape
    for j in range(ny):
        for i in range(nx):
            out_T[j, i] = T_a
            out_lwc[j, i] = 0.0
            v_s = tracers[SOURCE, j, i]
            hh = h[j, i]
            if blocked[j, i] != 0 or hh <= h_dry or v_s <= 0.0:
                continue
            v_ref = v_s + tracers[AIR, j, i]
            T, lwc, volume, mass = mixture_cell(v_s / v_ref, tracers[HEAT, j, i] / v_ref, T_s, w_g, M_g, c_pg,
                                                T_a, p, r_a)
            depth = v_ref * volume
            scale = depth / hh
            hu[j, i] *= scale
            hv[j, i] *= scale
            h[j, i] = depth
            hb[j, i] = max(G * v_ref * (mass / rho_a - volume), 0.0)
            out_T[j, i] = T
            out_lwc[j, i] = lwc


def heat_transfer_coefficient_reference(T, T_g, h, speed, z0, p):
    """NumPy twin of :func:`heat_transfer_coefficient` (arrays)."""
    T = np.asarray(T, dtype=float)
    dT = T_g - T
    T_f = 0.5 * (T_g + T)
    ratio = G * np.maximum(dT, 0.0) / (T_f * AIR_KINEMATIC_VISCOSITY * AIR_DIFFUSIVITY)
    h_free = FREE_CONVECTION_NUSSELT * AIR_CONDUCTIVITY * np.cbrt(ratio)
    log_m = np.log(np.maximum(h, 10.0 * z0) / z0) - 1.0
    c_h = KAPPA**2 / (log_m * (log_m + HEAT_ROUGHNESS_LOG))
    h_forced = air_heat_capacity_per_volume(T, p) * c_h * speed
    return np.cbrt(h_free**3 + h_forced**3)


def ground_heat_reference(h, hu, hv, tracers, blocked, T, T_g, k_g, alpha_g, exposure, z0, p, h_dry, dt):
    """NumPy twin of :func:`ground_heat_kernel`; returns the new tracers and exposure."""
    from scipy.special import erfcx

    cloud = (blocked == 0) & (h > h_dry) & (tracers[SOURCE] > 0.0)
    hs = np.where(cloud, h, 1.0)
    speed = np.hypot(hu, hv) / hs
    H = heat_transfer_coefficient_reference(T, T_g, hs, speed, z0, p)
    q = H * (T_g - T) * erfcx(H * np.sqrt(alpha_g * (exposure + 0.5 * dt)) / k_g)
    cap = air_heat_capacity_per_volume(T, p) * hs * np.abs(T_g - T) / dt
    out = tracers.copy()
    out[HEAT] += np.where(cloud, dt * np.clip(q, -cap, cap), 0.0)
    return out, exposure + np.where(cloud, dt, 0.0)


def closure_reference(h, hu, hv, hb, tracers, blocked, h_dry, T_s, w_g, M_g, c_pg, T_a, p, r_a, rho_a):
    """NumPy twin of :func:`closure_kernel`: returns (h, hu, hv, hb, T, LWC)."""
    v_s = tracers[SOURCE]
    cloud = (blocked == 0) & (h > h_dry) & (v_s > 0.0)
    v_ref = np.where(cloud, v_s + tracers[AIR], 1.0)
    phi = np.where(cloud, v_s / v_ref, 0.5)
    T, lwc, volume, mass = mixture_reference(phi, np.where(cloud, tracers[HEAT] / v_ref, 0.0), T_s, w_g, M_g, c_pg,
                                             T_a, p, r_a)
    depth = v_ref * volume
    scale = np.where(cloud, depth / np.where(cloud, h, 1.0), 1.0)
    return (np.where(cloud, depth, h), hu * scale, hv * scale,
            np.where(cloud, np.maximum(G * v_ref * (mass / rho_a - volume), 0.0), hb),
            np.where(cloud, T, T_a), np.where(cloud, lwc, 0.0))
