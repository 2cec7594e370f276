"""Plain-NumPy twins of the kernels in :mod:`radiometry`, written for clarity; tests only.

Same symbols and equations as :mod:`sim.render.images.radiometry` (Planck band radiance by the
Widger & Woodall 1976 series and its Bernoulli complement; thermal-camera and optical-gas-imaging
radiance; smoke optical depth of piecewise-constant voxels). The brightness temperature is found
by Brent's method instead of Newton, and the optical depth by listing every voxel face a ray
crosses instead of walking the voxels.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from sim.render.images.radiometry import _PI4_15, _SERIES_C, C1L, C2, SERIES_SWITCH_X, SIGMA_SB

N_TERMS = 40  # Widger-Woodall terms, more than the kernel's at most 20


def integral_from_zero(x):
    """I(x) = integral of t^3 / (e^t - 1) over [0, x], Bernoulli series (x < 2)."""
    x = np.asarray(x, dtype=float)
    m = np.arange(1, _SERIES_C.size + 1)
    series = np.sum(_SERIES_C * x[..., None] ** (2 * m), axis=-1)
    return x**3 * (1.0 / 3.0 - x / 8.0 + series)


def tail_integral(x):
    """G(x) = integral of t^3 / (e^t - 1) over [x, inf)."""
    x = np.asarray(x, dtype=float)
    n = np.arange(1, N_TERMS + 1)
    xs = np.maximum(x, SERIES_SWITCH_X)[..., None]
    widger_woodall = np.sum(np.exp(-n * xs) * (xs**3 / n + 3 * xs**2 / n**2 + 6 * xs / n**3 + 6 / n**4), axis=-1)
    small = np.minimum(x, SERIES_SWITCH_X - 1e-9)
    return np.where(x >= SERIES_SWITCH_X, widger_woodall, _PI4_15 - integral_from_zero(small))


def band_radiance(T, lambda_1, lambda_2):
    """L(T) = c_1L (T / c_2)^4 [G(c_2 / (lambda_2 T)) - G(c_2 / (lambda_1 T))], W m-2 sr-1."""
    T = np.asarray(T, dtype=float)
    x_1 = C2 / (lambda_2 * T)
    x_2 = C2 / (lambda_1 * T)
    both_small = x_2 < SERIES_SWITCH_X  # Rayleigh-Jeans side: difference of integrals from 0
    from_zero = (integral_from_zero(np.where(both_small, x_2, 0.0))
                 - integral_from_zero(np.where(both_small, x_1, 0.0)))
    difference = np.where(both_small, from_zero, tail_integral(x_1) - tail_integral(x_2))
    return C1L * (T / C2) ** 4 * difference


def brightness_temperature(L, lambda_1, lambda_2):
    """T_b with band radiance L, by Brent's method between (pi L / sigma_SB)^(1/4) and above."""
    L = np.asarray(L, dtype=float)
    out = np.empty(L.shape)
    for index, value in np.ndenumerate(L):
        lower = (math.pi * value / SIGMA_SB) ** 0.25
        upper = 2.0 * lower
        while band_radiance(upper, lambda_1, lambda_2) < value:
            upper *= 2.0
        out[index] = brentq(lambda T: float(band_radiance(T, lambda_1, lambda_2)) - value, lower, upper,
                            xtol=1e-13, rtol=1e-15, maxiter=500)
    return out


def thermal_radiance(T_s, eps, L_down, tau_a, T_a, lambda_1, lambda_2):
    """L = tau_a [eps L(T_s) + (1 - eps) L_down] + (1 - tau_a) L(T_a)."""
    return (tau_a * (eps * band_radiance(T_s, lambda_1, lambda_2) + (1.0 - eps) * L_down)
            + (1.0 - tau_a) * band_radiance(T_a, lambda_1, lambda_2))


def ogi_radiance(L_bg, CL, sigma, T_g, lambda_1, lambda_2):
    """L = tau_g L_bg + (1 - tau_g) L(T_g), tau_g = exp(-sigma CL)."""
    tau_g = np.exp(-sigma * np.asarray(CL, dtype=float))
    return tau_g * L_bg + (1.0 - tau_g) * band_radiance(T_g, lambda_1, lambda_2)


def optical_depth(kappa, origin, spacing, origins, directions, t_max=np.inf):
    """tau per ray: sum of kappa times the length between consecutive voxel-face crossings.

    kappa : (nz, ny, nx); origin, spacing : (x, y, z); origins, directions : (n, 3), the
    directions normalised here.
    """
    kappa = np.asarray(kappa, dtype=float)
    origin = np.asarray(origin, dtype=float)
    spacing = np.asarray(spacing, dtype=float)
    counts = np.array(kappa.shape[::-1])  # (nx, ny, nz)
    origins = np.atleast_2d(np.asarray(origins, dtype=float))
    directions = np.atleast_2d(np.asarray(directions, dtype=float))
    directions = directions / np.linalg.norm(directions, axis=1)[:, None]
    t_max = np.broadcast_to(np.asarray(t_max, dtype=float), (origins.shape[0],))
    tau = np.zeros(origins.shape[0])
    for r, (o, d) in enumerate(zip(origins, directions)):
        crossings = [np.array([0.0, t_max[r]])] if np.isfinite(t_max[r]) else [np.array([0.0])]
        for a in range(3):
            if d[a] != 0.0:
                faces = origin[a] + spacing[a] * np.arange(counts[a] + 1)
                crossings.append((faces - o[a]) / d[a])
        t = np.unique(np.concatenate(crossings))
        t = t[(t >= 0.0) & (t <= t_max[r])]
        if t.size < 2:
            continue
        middle = 0.5 * (t[1:] + t[:-1])
        points = o + middle[:, None] * d  # (m, 3) in (x, y, z)
        cell = np.floor((points - origin) / spacing).astype(int)
        inside = np.all((cell >= 0) & (cell < counts), axis=1)
        values = np.zeros(middle.size)
        values[inside] = kappa[cell[inside, 2], cell[inside, 1], cell[inside, 0]]
        tau[r] = np.sum(values * np.diff(t))
    return tau
