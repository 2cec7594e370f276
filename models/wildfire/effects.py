"""What a passing fire front does to a cell: flaming, heat release, smoke, radiant heat, hot air.

The spread kernel gives each burned cell its arrival time t_a and the spread rate r at which
the front crossed it; the fire behaviour gives its heat per unit area H_A (surface fuel plus
the crown fuel a crown fire burns, H_A = I / r). From these the cell's state at time t:

**Flaming window.** Each point of the cell flames for the residence time tau_r (Anderson
1969, tau_r = 384 / sigma min, as Rothermel's heat per unit area assumes); the front takes
L / r to cross a cell of size L = sqrt(dx dy). The cell therefore flames from t_a for

    tau_c = L / r + tau_r

and over that window a time-averaged share f = tau_r / tau_c of its area is in flame (the
flaming-zone depth r tau_r over the cell size when L >> r tau_r). After it, the cell is burned
out. Its energy H_A A is released evenly over the window: the heat release rate per unit area
is q = H_A / tau_c, so the window's integral is exactly H_A (a test checks it).

**Smoke.** The fuel consumed in the flaming front, m = H_A / h (kg m-2, h the fuel's heat
content), emits PM2.5 with the emission factor EF (kg per kg of dry fuel):

    E = EF m / tau_c        (kg m-2 s-1)     during the window, 0 otherwise.

EF from the GFED4 table (van der Werf et al. 2017, Earth Syst. Sci. Data 9:697; after Akagi
et al. 2011, Atmos. Chem. Phys. 11:4039): 7.17 g/kg for savanna, grassland and shrubland fires
(grass, grass-shrub and shrub fuels) and 12.9 g/kg for temperate forest (timber litter,
timber understory, slash). Only the flaming front's consumption is counted: the smouldering of
logs and duff after it, which may double a forest fire's smoke, is not modelled.

**Radiant heat** at a receptor height z_r (a person, a wall): each flaming cell is a point
source at the middle of its flame (height L_f / 2) radiating the share chi_r of its heat
release (Wooster et al. 2005, J. Geophys. Res. 110:D24311: fire radiative energy is 0.368
kg of fuel per MJ, i.e. chi_r ~ 0.15 of the 18 MJ/kg heat content released):

    q_rad(x) = sum_c chi_r q_c A / (4 pi d_c^2),   d_c^2 = max(rho_c, R_A)^2 + (L_f/2 - z_r)^2

with rho_c the horizontal distance and R_A = sqrt(A / pi) (a receptor inside a burning cell
sees its flame from the cell's edge, not from zero distance). Sources beyond ``cutoff`` are
dropped. The point-source model holds beyond about a flame length from the flames (Drysdale,
*An Introduction to Fire Dynamics*, ch. 2); closer, and inside a flaming cell, where the heat
of a cell is spread over its whole area and flaming window, it is a lower bound: irradiance
measured at the edge of wildland flames peaks at 100 kW/m2 in surface fuels and 200-300 kW/m2
under crown fires (Frankman et al. 2013, Int. J. Wildland Fire 22:157). For reference: 1.7 kW/m2 is tolerable for long exposure, 4.7 kW/m2 causes pain in
15-20 s, 12.5 kW/m2 ignites wood by a pilot flame (e.g. Butler & Cohen 1998, Int. J. Wildland
Fire 8:73, firefighter safety zones).

**Air temperature** at a sensor height z_s while the front passes: the excess temperature in
the plume of a line fire of intensity I (kW/m) in a wind U (m/s) (Van Wagner 1973, Can. J.
For. Res. 3:373, the crown scorch relation solved for the temperature at height z):

    Delta T(z) = 3.94 I^(7/6) / ((0.107 I + U^3)^(1/2) z)       (K)

capped at the flame's excess temperature T_f - T_a (inside the flame), during the cell's
flaming window; ambient otherwise (the hot gases' cooling after the front is not modelled).

Symbols
=======
======  ====================================================  ==========
symbol  meaning                                               unit
======  ====================================================  ==========
t_a     arrival time of the front                             s
r       spread rate at which the front crossed the cell       m s-1
I       fireline intensity there                              kW m-1
H_A     heat per unit area, I / r                             kJ m-2
tau_r   flame residence time                                  s
tau_c   the cell's flaming window L / r + tau_r               s
L       cell size sqrt(dx dy)                                 m
f       flaming share of the cell's area                      1
q       heat release rate per unit area                       kW m-2
h       fuel heat content                                     kJ kg-1
EF      PM2.5 emission factor                                 kg kg-1
E       PM2.5 emission rate per unit area                     kg m-2 s-1
chi_r   radiant fraction of the heat release                  1
L_f     flame length                                          m
U       wind speed (midflame)                                 m s-1
======  ====================================================  ==========
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

UNBURNED, FLAMING, BURNED_OUT = 0, 1, 2
RADIANT_FRACTION = 0.15
VAN_WAGNER_A = 3.94
VAN_WAGNER_B = 0.107
PM25_SAVANNA = 7.17e-3  # kg/kg, GFED4 SAVA
PM25_TEMPERATE_FOREST = 12.9e-3  # kg/kg, GFED4 TEMF


def pm25_emission_factor(fuel_numbers: np.ndarray) -> np.ndarray:
    """EF (kg/kg) per cell: forest-floor fuels (FM8-13, TU, TL, SB) temperate forest, the rest
    (grass, grass-shrub, shrub: FM1-7, GR, GS, SH) savanna/grassland/shrubland."""
    n = np.asarray(fuel_numbers)
    forest = ((n >= 8) & (n <= 13)) | ((n >= 161) & (n <= 204))
    return np.where(forest, PM25_TEMPERATE_FOREST, PM25_SAVANNA)


@njit(cache=True)
def cell_state(t, t_a, r, H_A, tau_r, L, h, EF, out_state, out_share, out_q, out_E):
    """Fire state, flaming share, heat release rate and PM2.5 emission of every cell at t."""
    ny, nx = t_a.shape
    for j in range(ny):
        for i in range(nx):
            out_share[j, i] = 0.0
            out_q[j, i] = 0.0
            out_E[j, i] = 0.0
            if not (t_a[j, i] <= t):
                out_state[j, i] = UNBURNED
                continue
            tau_c = tau_r[j, i] + (L / r[j, i] if r[j, i] > 0.0 else 0.0)
            if tau_c <= 0.0 or t >= t_a[j, i] + tau_c:
                out_state[j, i] = BURNED_OUT
                continue
            out_state[j, i] = FLAMING
            out_share[j, i] = tau_r[j, i] / tau_c
            out_q[j, i] = H_A[j, i] / tau_c
            if h[j, i] > 0.0:
                out_E[j, i] = EF[j, i] * H_A[j, i] / h[j, i] / tau_c


@njit(cache=True)
def radiant_flux(q, L_f, x, y, z_r, area, chi_r, cutoff, out):
    """Incident radiant flux (kW m-2) at height z_r over every cell from the flaming cells."""
    ny, nx = q.shape
    dx = x[1] - x[0] if nx > 1 else math.sqrt(area)
    dy = y[1] - y[0] if ny > 1 else math.sqrt(area)
    R_A = math.sqrt(area / math.pi)
    reach_i = int(cutoff / dx) + 1
    reach_j = int(cutoff / dy) + 1
    out[:, :] = 0.0
    for j in range(ny):
        for i in range(nx):
            if q[j, i] <= 0.0:
                continue
            power = chi_r * q[j, i] * area / (4.0 * math.pi)
            dz = 0.5 * L_f[j, i] - z_r
            for jj in range(max(0, j - reach_j), min(ny, j + reach_j + 1)):
                for ii in range(max(0, i - reach_i), min(nx, i + reach_i + 1)):
                    rho = math.hypot(x[ii] - x[i], y[jj] - y[j])
                    if rho > cutoff:
                        continue
                    rho = max(rho, R_A)
                    out[jj, ii] += power / (rho * rho + dz * dz)


@njit(cache=True)
def air_temperature(state, I, U, z_s, T_a, T_f, out):
    """Air temperature (K) at height z_s: Van Wagner's plume excess over flaming cells."""
    ny, nx = state.shape
    cap = T_f - T_a
    for j in range(ny):
        for i in range(nx):
            if state[j, i] != FLAMING or I[j, i] <= 0.0:
                out[j, i] = T_a
                continue
            excess = VAN_WAGNER_A * I[j, i] ** (7.0 / 6.0) / (math.sqrt(VAN_WAGNER_B * I[j, i] + U[j, i] ** 3) * z_s)
            out[j, i] = T_a + min(excess, cap)
