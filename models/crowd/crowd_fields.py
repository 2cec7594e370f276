"""Crowd fields on the grid from the agents: density, velocity, speed variance, crowd pressure, Fruin level.

Local quantities are Gaussian-weighted averages over the persons near a point, as Helbing,
Johansson & Al-Abideen (2007, Phys. Rev. E 75:046109) define them for the Jamarat video data:

    f(r - r_j) = exp(-|r - r_j|^2 / R^2) / (pi R^2)                    (m-2)
    rho(r)     = sum_j f(r - r_j)                                        (persons m-2)
    V(r)       = sum_j v_j f(r - r_j) / sum_j f(r - r_j)                 (m s-1)
    Var(r)     = sum_j |v_j - V(r)|^2 f(r - r_j) / sum_j f(r - r_j)      (m2 s-2)
    P(r)       = rho(r) Var(r)                                           (s-2, "crowd pressure")

f integrates to one, so the density integrates to the number of persons. R is the smoothing
length (Helbing et al. used R = 1 m on their video; R must exceed the spacing of persons,
about 0.3 m at 10 persons m-2, for rho to be smooth). Helbing et al. found the transition to
"crowd turbulence" near P = 0.02 s-2 (from their Fig. 4; verify before relying on it).
Persons beyond 3 R of a cell centre are left out (exp(-9) = 1.2e-4 of the peak).

The level of service is Fruin's (1971) for walkways, from the area per person 1 / rho:
A > 3.25 m2/p, B 2.3-3.25, C 1.4-2.3, D 0.93-1.4, E 0.46-0.93, F < 0.46 (above 2.2 p/m2).

Symbols
=======
======  ===============================================  ==========
symbol  meaning                                          unit
======  ===============================================  ==========
r_j     position of person j                             m
v_j     velocity of person j                             m s-1
R       smoothing length                                 m
f       Gaussian weight, integrates to 1                 m-2
rho     local density                                    m-2
V       local mean velocity                              m s-1
Var     local velocity variance                          m2 s-2
P       crowd pressure rho Var                           s-2
======  ===============================================  ==========
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

CUTOFF = 3.0  # in units of R
# Fruin (1971) walkway levels of service: area per person (m2) at the lower edge of A..E.
FRUIN_AREA_M2 = (3.25, 2.3, 1.4, 0.93, 0.46)
FRUIN_MEANINGS = ("A", "B", "C", "D", "E", "F")


@njit(cache=True)
def gaussian_fields(x, y, vx, vy, x0, y0, dx, dy, R, rho, vel_x, vel_y, var):
    """rho, V and Var on a grid with lower-left corner (x0, y0) and spacing (dx, dy); NaN
    agents (empty slots) are skipped. Serial scatter (deterministic order); outputs overwritten."""
    ny, nx = rho.shape
    sum_vx = np.zeros((ny, nx))
    sum_vy = np.zeros((ny, nx))
    sum_v2 = np.zeros((ny, nx))
    rho[:, :] = 0.0
    norm = 1.0 / (math.pi * R * R)
    reach = CUTOFF * R
    for j in range(x.size):
        if not (math.isfinite(x[j]) and math.isfinite(y[j])):
            continue
        i_lo = max(0, int(math.floor((x[j] - reach - x0) / dx)))
        i_hi = min(nx - 1, int(math.floor((x[j] + reach - x0) / dx)))
        k_lo = max(0, int(math.floor((y[j] - reach - y0) / dy)))
        k_hi = min(ny - 1, int(math.floor((y[j] + reach - y0) / dy)))
        for k in range(k_lo, k_hi + 1):
            cy = y0 + (k + 0.5) * dy - y[j]
            for i in range(i_lo, i_hi + 1):
                cx = x0 + (i + 0.5) * dx - x[j]
                d2 = cx * cx + cy * cy
                if d2 > reach * reach:
                    continue
                w = norm * math.exp(-d2 / (R * R))
                rho[k, i] += w
                sum_vx[k, i] += w * vx[j]
                sum_vy[k, i] += w * vy[j]
                sum_v2[k, i] += w * (vx[j] * vx[j] + vy[j] * vy[j])
    for k in range(ny):
        for i in range(nx):
            if rho[k, i] > 0.0:
                mx = sum_vx[k, i] / rho[k, i]
                my = sum_vy[k, i] / rho[k, i]
                vel_x[k, i] = mx
                vel_y[k, i] = my
                # E|v|^2 - |E v|^2, never negative (round-off)
                var[k, i] = max(sum_v2[k, i] / rho[k, i] - mx * mx - my * my, 0.0)
            else:
                vel_x[k, i] = 0.0
                vel_y[k, i] = 0.0
                var[k, i] = 0.0


def fruin_level(density: np.ndarray) -> np.ndarray:
    """Fruin walkway level of service, 0 (A) to 5 (F), int8."""
    rho = np.asarray(density, dtype=float)
    level = np.zeros(rho.shape, dtype=np.int8)
    for area in FRUIN_AREA_M2:
        level += (rho > 1.0 / area)
    return level
