"""Britter-McQuaid workbook correlations for ground-level dense-gas releases.

Britter, R.E. & McQuaid, J. (1988), *Workbook on the Dispersion of Dense Gases*, HSE Contract
Research Report 17/1988 (Health and Safety Executive, Sheffield). The workbook collapses the
field trials (Thorney Island, Burro, Maplin Sands, Porton, ...) onto nomograms of the maximum
(arc-centreline) concentration ratio C_m/C_0 against dimensionless distance, one curve per
C_m/C_0, as a function of one buoyancy group alpha. Here the curves are the piecewise-linear
fits beta(alpha) as tabulated in CCPS (1999/2000), *Guidelines for Consequence Analysis of
Chemical Releases*, AIChE (the Britter-McQuaid section of ch. 2), the same digitisation as
EPA (1994) *User's Guide to TSCREEN*, EPA-454/B-94-023 (cross-checked against the public
GasDispersion.jl transcription; figure and equation numbers are not quoted because we could not
check them against the printed pages).

Dimensionless groups (u = wind speed at 10 m):

    continuous   (plume):  alpha = 0.2 log10(g0'^2 q0 / u^5),   beta = log10(x / (q0/u)^(1/2))
    instantaneous (puff):  alpha = 0.5 log10(g0' V0^(1/3) / u^2), beta = log10(x / V0^(1/3))
    g0' = g (rho_0 - rho_a) / rho_a

=========== ==================================================== ==========
symbol      meaning                                              unit
=========== ==================================================== ==========
x           downwind distance from the source                    m
u           wind speed at 10 m                                   m s-1
q0          volume flux of source gas (continuous)               m3 s-1
V0          released volume of source gas (instantaneous)        m3
rho_0       density of the source gas as released                kg m-3
rho_a       ambient air density                                  kg m-3
g0'         source reduced gravity                               m s-2
D           length scale (q0/u)^(1/2), resp. V0^(1/3)            m
C_m/C_0     maximum volume concentration / that of the source    1
L_b         plume buoyancy length g0' q0 / u^3                   m
L_H         plume half-width (crosswind)                         m
R           gravity-spread puff radius                           m
T_0, T_a    source and ambient absolute temperatures             K
=========== ==================================================== ==========

Regions along the plume (x' = x / D):

* **near field**: the workbook's passive near-field limit C_m/C_0 = 306 x'^-2 / (1 + 306 x'^-2)
  (continuous) and 3.24 x'^-2 / (1 + 3.24 x'^-2) (instantaneous) (CCPS 1999, as in
  TSCREEN). It is used up to x'_nf = min(30, x'_0.1 / 2) (continuous) resp. x'_0.1 / 2
  (instantaneous), x'_0.1 being where the C_m/C_0 = 0.1 curve lies; between x'_nf and x'_0.1
  log C is interpolated linearly in log x' so that C_m/C_0 is continuous (the workbook figures
  leave this stretch undrawn; this blend is our choice).
* **correlation**: log10(C_m/C_0) interpolated linearly in beta between the curves (the
  nomograms are drawn on log-log axes): continuous curves 0.1, 0.05, 0.02, 0.01, 0.005, 0.002;
  instantaneous ones 0.1 ... 0.002, 0.001. For alpha below each curve's first break point
  the curve is flat in beta: the passive limit, where buoyancy no longer matters (for the
  plume these flat parts obey C_m/C_0 ~ 306 x'^-2 within 10 %, the passive plume law).
* **far field** (beyond the lowest curve): passive decay, C_m/C_0 = C_last (x/x_last)^-2 for the
  plume (passive Gaussian ground-level plume with sigma_y sigma_z ~ x^2); for the puff the last
  segment's log-log slope is continued (the workbook curves do not reach a passive puff law).
  Both are extrapolations of ours; results there are flagged by :func:`region`.

Dense enough to matter (workbook criteria, as given in CCPS 1999): continuous
(g0' q0 / (u^3 D))^(1/3) = (L_b / D)^(1/3) >= 0.15 with D the source dimension (default
(q0/u)^(1/2)); instantaneous sqrt(g0' V0^(1/3)) / u >= 0.2. Below them use a passive model. (The
form (g0' q0 / u^3)^(1/3) / D is not dimensionless; the cube root covers the ratio L_b / D.)
Release type by duration T_d (workbook): continuous if u T_d / x >= 2.5, instantaneous if
u T_d / x <= 0.6; in between compute both and take the smaller concentration.

Non-isothermal releases: the curves are for isothermal mixing. For a cold source the workbook
applies a concentration correction; with C* the chart value (source volume fraction as if the
source volume were kept at T_0), the fraction after the mixture has returned to ambient
temperature is C = C* / (C* + (1 - C*) T_0 / T_a) (derivation: V_0 of source gas occupies
V_0 T_a / T_0 at T_a). With T_0 < T_a this raises C. g0' is computed with the density of the
source as released (cold), as the workbook does.

Plume and puff dimensions (workbook, as given in CCPS 1999): upwind extent
L_U = D/2 + 2 L_b, source half-width L_H0 = D + 8 L_b, half-width L_H = L_H0 + 2.5 L_b^(1/3) x^(2/3),
depth by continuity L_V = q0 / (2 L_H u C_m/C_0); puff radius R^2 = R_0^2 + 1.2 (g0' V0)^(1/2) t
with R_0 = (3 V0 / 4 pi)^(1/3) (the workbook uses the source cylinder radius), cloud centre
advected at 0.4 u.
"""

from __future__ import annotations

import math

import numpy as np

G = 9.81  # m s-2

CONTINUOUS = "continuous"
INSTANTANEOUS = "instantaneous"

# Piecewise-linear fits beta(alpha) of the workbook curves, CCPS (1999) / TSCREEN (1994):
# for each concentration ratio, the break points (alpha, beta) in increasing alpha; beta is
# flat (the passive limit) for alpha below the first point and linear between points, the
# last point at alpha = 1, the upper end of the correlations.
PLUME_CURVES: dict[float, tuple[tuple[float, float], ...]] = {
    0.1: ((-0.55, 1.75), (-0.14, 0.24 * -0.14 + 1.88), (1.0, -0.50 * 1.0 + 1.78)),
    0.05: ((-0.68, 1.92), (-0.29, 2.06), (-0.18, 2.06), (1.0, -0.56 * 1.0 + 1.96)),
    0.02: ((-0.69, 2.08), (-0.31, 2.25), (-0.16, 2.25), (1.0, -0.54 * 1.0 + 2.16)),
    0.01: ((-0.70, 2.25), (-0.29, 2.45), (-0.20, 2.45), (1.0, -0.52 * 1.0 + 2.35)),
    0.005: ((-0.67, 2.40), (-0.28, 2.63), (-0.15, 2.63), (1.0, -0.49 * 1.0 + 2.56)),
    0.002: ((-0.69, 2.60), (-0.25, 2.77), (-0.13, 2.77), (1.0, -0.50 * 1.0 + 2.71)),
}
PUFF_CURVES: dict[float, tuple[tuple[float, float], ...]] = {
    0.1: ((-0.44, 0.70), (0.43, 0.26 * 0.43 + 0.81), (1.0, 0.93)),
    0.05: ((-0.56, 0.85), (0.31, 0.26 * 0.31 + 1.00), (1.0, -0.12 * 1.0 + 1.12)),
    0.02: ((-0.66, 0.95), (0.32, 0.36 * 0.32 + 1.19), (1.0, -0.26 * 1.0 + 1.38)),
    0.01: ((-0.71, 1.15), (0.37, 0.34 * 0.37 + 1.39), (1.0, -0.38 * 1.0 + 1.66)),
    0.005: ((-0.52, 1.48), (0.24, 0.26 * 0.24 + 1.62), (1.0, -0.30 * 1.0 + 1.75)),
    0.002: ((0.27, 1.83), (1.0, -0.32 * 1.0 + 1.92)),
    0.001: ((-0.10, 2.075), (1.0, -0.27 * 1.0 + 2.05)),
}
# Near-field passive limits C = a / (a + x'^2) and the largest x' they are used to.
NEAR_FIELD_A = {CONTINUOUS: 306.0, INSTANTANEOUS: 3.24}
NEAR_FIELD_X_MAX = {CONTINUOUS: 30.0, INSTANTANEOUS: math.inf}
ALPHA_MAX = 1.0  # upper end of the fits
DENSE_CRITERION = {CONTINUOUS: 0.15, INSTANTANEOUS: 0.2}


def _curves(kind):
    if kind == CONTINUOUS:
        return PLUME_CURVES
    if kind == INSTANTANEOUS:
        return PUFF_CURVES
    raise ValueError(f"kind: expected 'continuous' or 'instantaneous', got {kind!r}")


def _positive(name, value):
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")


def reduced_gravity(source_density: float, air_density: float) -> float:
    """g0' = g (rho_0 - rho_a) / rho_a of the source gas (m s-2)."""
    _positive("source_density", source_density)
    _positive("air_density", air_density)
    return G * (source_density - air_density) / air_density


def length_scale(kind: str, release: float, wind_speed: float) -> float:
    """D = (q0/u)^(1/2) for a plume (release = q0, m3/s), V0^(1/3) for a puff (release = V0, m3)."""
    _curves(kind)
    _positive("release", release)
    _positive("wind_speed", wind_speed)
    return math.sqrt(release / wind_speed) if kind == CONTINUOUS else release ** (1.0 / 3.0)


def alpha(kind: str, g0: float, release: float, wind_speed: float) -> float:
    """The workbook's buoyancy group alpha (see module docstring); g0 > 0 required."""
    _curves(kind)
    _positive("g0 (source reduced gravity; the gas must be denser than air)", g0)
    _positive("release", release)
    _positive("wind_speed", wind_speed)
    if kind == CONTINUOUS:
        return 0.2 * math.log10(g0 * g0 * release / wind_speed**5)
    return 0.5 * math.log10(g0 * release ** (1.0 / 3.0) / wind_speed**2)


def density_number(kind: str, g0: float, release: float, wind_speed: float,
                   source_diameter: float | None = None) -> float:
    """(g0' q0 / (u^3 D))^(1/3) (plume; D = source_diameter, default (q0/u)^(1/2)) or
    sqrt(g0' V0^(1/3)) / u (puff)."""
    _positive("g0", g0)
    d = length_scale(kind, release, wind_speed)
    if kind == CONTINUOUS:
        if source_diameter is not None:
            _positive("source_diameter", source_diameter)
            d = source_diameter
        return (g0 * release / (wind_speed**3 * d)) ** (1.0 / 3.0)
    return math.sqrt(g0 * d) / wind_speed


def is_dense(kind: str, g0: float, release: float, wind_speed: float,
             source_diameter: float | None = None) -> bool:
    """True where the workbook's criterion says buoyancy matters (>= 0.15 plume, >= 0.2 puff)."""
    if g0 <= 0:
        return False
    return density_number(kind, g0, release, wind_speed, source_diameter) >= DENSE_CRITERION[kind]


def release_mode(wind_speed: float, duration: float, distance: float) -> str:
    """'continuous' (u T_d / x >= 2.5), 'instantaneous' (<= 0.6) or 'intermediate'."""
    _positive("wind_speed", wind_speed)
    _positive("duration", duration)
    _positive("distance", distance)
    r = wind_speed * duration / distance
    return CONTINUOUS if r >= 2.5 else INSTANTANEOUS if r <= 0.6 else "intermediate"


def curve_beta(kind: str, a: float, ratio: float) -> float:
    """beta of the workbook curve C_m/C_0 = ratio at alpha = a (the tabulated fit)."""
    curves = _curves(kind)
    if ratio not in curves:
        raise ValueError(f"ratio: expected one of {sorted(curves)}, got {ratio!r}")
    _check_alpha(a)
    points = curves[ratio]
    al = np.array([p[0] for p in points])
    be = np.array([p[1] for p in points])
    return float(np.interp(a, al, be))  # flat left of the first point: the passive limit


def _check_alpha(a):
    if not np.isfinite(a) or a > ALPHA_MAX + 1e-12:
        raise ValueError(f"alpha: expected <= {ALPHA_MAX} (end of the Britter-McQuaid fits), got {a!r}")


def nodes(kind: str, a: float) -> tuple[np.ndarray, np.ndarray]:
    """(log10 x', log10 C_m/C_0) of the curves at alpha = a, in increasing distance."""
    curves = _curves(kind)
    ratios = sorted(curves, reverse=True)
    beta = np.array([curve_beta(kind, a, r) for r in ratios])
    logc = np.log10(np.array(ratios))
    # The fits are monotone in the workbook's range; guard against a crossing by ordering.
    beta = np.maximum.accumulate(beta)
    return beta, logc


def _near_field_end(kind, beta0):
    return min(NEAR_FIELD_X_MAX[kind], 0.5 * 10.0**beta0)


def concentration_ratio(kind: str, a: float, x_scaled) -> np.ndarray:
    """C_m/C_0 (isothermal) at x' = x / D for buoyancy group alpha = a; x' >= 0, any shape."""
    xs = np.asarray(x_scaled, dtype=float)
    if np.any(~np.isfinite(xs)) or np.any(xs < 0):
        raise ValueError("x_scaled: expected finite distances >= 0 (downwind of the source)")
    beta, logc = nodes(kind, a)
    anf = NEAR_FIELD_A[kind]
    x_nf = _near_field_end(kind, beta[0])
    c_nf_end = anf / (anf + x_nf * x_nf)
    # nodes from the near-field end to the last curve, log-log linear in between
    lb = np.concatenate([[math.log10(x_nf)], beta])
    lc = np.concatenate([[math.log10(c_nf_end)], logc])
    with np.errstate(divide="ignore"):
        lx = np.log10(np.maximum(xs, 1e-300))
    out = 10.0 ** np.interp(lx, lb, lc)
    near = xs <= x_nf
    out = np.where(near, anf / (anf + xs * xs), out)
    far = lx > lb[-1]
    if kind == CONTINUOUS:
        slope = -2.0
    else:
        slope = (lc[-1] - lc[-2]) / max(lb[-1] - lb[-2], 1e-12)
    out = np.where(far, 10.0 ** (lc[-1] + slope * (lx - lb[-1])), out)
    return out


def region(kind: str, a: float, x_scaled) -> np.ndarray:
    """0 near field, 1 within the curves, 2 beyond the last curve (extrapolated), per x'."""
    xs = np.asarray(x_scaled, dtype=float)
    beta, _ = nodes(kind, a)
    x_nf = _near_field_end(kind, beta[0])
    return np.where(xs <= x_nf, 0, np.where(xs <= 10.0 ** beta[-1], 1, 2))


def non_isothermal(c_iso, source_temperature: float, ambient_temperature: float):
    """C = C* / (C* + (1 - C*) T_0/T_a): chart fraction to fraction after return to T_a."""
    _positive("source_temperature", source_temperature)
    _positive("ambient_temperature", ambient_temperature)
    c = np.asarray(c_iso, dtype=float)
    return c / (c + (1.0 - c) * source_temperature / ambient_temperature)


class BritterMcQuaid:
    """One ground-level release evaluated with the workbook correlations.

    kind: 'continuous' (release = volume flux q0 of source gas as released, m3/s) or
    'instantaneous' (release = volume V0, m3); wind_speed at 10 m; densities of the source
    as released and of the ambient air; temperatures for the non-isothermal correction;
    source_mass_concentration = kg of the hazardous species per m3 of source gas at ambient
    temperature (rho of the pure gas at T_a for a pure release), for mass concentrations;
    source_diameter D of a plume's source for the density criterion (default (q0/u)^(1/2)).
    Raises ValueError if the source is not denser than air or alpha is beyond the fits.
    """

    def __init__(self, kind: str, release: float, wind_speed: float, source_density: float,
                 air_density: float, source_temperature: float | None = None,
                 ambient_temperature: float | None = None,
                 source_mass_concentration: float | None = None, source_diameter: float | None = None):
        _curves(kind)
        self.kind = kind
        self.release = float(release)
        self.wind_speed = float(wind_speed)
        self.g0 = reduced_gravity(source_density, air_density)
        if self.g0 <= 0:
            raise ValueError(f"source_density: expected > air_density {air_density} (a dense gas), "
                             f"got {source_density}")
        self.length = length_scale(kind, release, wind_speed)
        self.alpha = alpha(kind, self.g0, release, wind_speed)
        _check_alpha(self.alpha)
        self.source_temperature = source_temperature
        self.ambient_temperature = ambient_temperature
        if (source_temperature is None) != (ambient_temperature is None):
            raise ValueError("source_temperature, ambient_temperature: give both or neither")
        self.source_mass_concentration = source_mass_concentration
        self.source_diameter = source_diameter

    @property
    def dense(self) -> bool:
        """The workbook's criterion for buoyancy to matter."""
        return is_dense(self.kind, self.g0, self.release, self.wind_speed,
                        self.source_diameter if self.kind == CONTINUOUS else None)

    def ratio(self, x) -> np.ndarray:
        """C_m/C_0 at downwind distance x (m), non-isothermal correction applied if given."""
        c = concentration_ratio(self.kind, self.alpha, np.asarray(x, dtype=float) / self.length)
        if self.source_temperature is not None:
            c = non_isothermal(c, self.source_temperature, self.ambient_temperature)
        return c

    def mass_concentration(self, x) -> np.ndarray:
        """Maximum mass concentration (kg m-3) of the species at x."""
        if self.source_mass_concentration is None:
            raise ValueError("source_mass_concentration: needed for mass concentrations, got None")
        return self.ratio(x) * self.source_mass_concentration

    def region(self, x) -> np.ndarray:
        """0 near field, 1 within the curves, 2 extrapolated beyond the last curve."""
        return region(self.kind, self.alpha, np.asarray(x, dtype=float) / self.length)

    def distance_to(self, ratio: float) -> float:
        """Downwind distance (m) where C_m/C_0 falls to ``ratio`` (0 < ratio < 1)."""
        if not (0.0 < ratio < 1.0):
            raise ValueError(f"ratio: expected 0 < ratio < 1, got {ratio!r}")
        lo, hi = 1e-6 * self.length, 1e9 * self.length
        if self.ratio(hi) > ratio:
            raise ValueError(f"ratio: {ratio} is not reached within 1e9 source lengths")
        for _ in range(200):  # bisection in log x: C_m/C_0 decreases monotonically
            mid = math.sqrt(lo * hi)
            if self.ratio(mid) > ratio:
                lo = mid
            else:
                hi = mid
            if hi / lo < 1.0 + 1e-12:
                break
        return math.sqrt(lo * hi)

    # --- dimensions ---------------------------------------------------------------------------
    @property
    def buoyancy_length(self) -> float:
        """L_b = g0' q0 / u^3 (plume only)."""
        self._need(CONTINUOUS)
        return self.g0 * self.release / self.wind_speed**3

    def upwind_extent(self) -> float:
        """L_U = D/2 + 2 L_b: how far the plume spreads upwind of the source (m)."""
        return 0.5 * self.length + 2.0 * self.buoyancy_length

    def half_width(self, x) -> np.ndarray:
        """L_H = D + 8 L_b + 2.5 L_b^(1/3) x^(2/3) (m), x >= 0."""
        lb = self.buoyancy_length
        x = np.maximum(np.asarray(x, dtype=float), 0.0)
        return self.length + 8.0 * lb + 2.5 * lb ** (1.0 / 3.0) * x ** (2.0 / 3.0)

    def depth(self, x) -> np.ndarray:
        """L_V = q0 / (2 L_H u C_m/C_0): top-hat plume depth by continuity (m)."""
        return self.release / (2.0 * self.half_width(x) * self.wind_speed * self.ratio(x))

    def puff_radius(self, t) -> np.ndarray:
        """R(t) = (R_0^2 + 1.2 (g0' V0)^(1/2) t)^(1/2) of the gravity-spreading puff (m)."""
        self._need(INSTANTANEOUS)
        r0 = (3.0 * self.release / (4.0 * math.pi)) ** (1.0 / 3.0)
        return np.sqrt(r0 * r0 + 1.2 * math.sqrt(self.g0 * self.release) * np.asarray(t, dtype=float))

    def puff_centre(self, t) -> np.ndarray:
        """Downwind position 0.4 u t of the puff centre (m)."""
        self._need(INSTANTANEOUS)
        return 0.4 * self.wind_speed * np.asarray(t, dtype=float)

    def _need(self, kind):
        if self.kind != kind:
            raise ValueError(f"kind: this relation is for a {kind} release, this one is {self.kind}")


def intermediate_ratio(release_rate: float, duration: float, wind_speed: float, source_density: float,
                       air_density: float, x, **kw) -> np.ndarray:
    """C_m/C_0 of a finite-duration release at x by the workbook's rule: the plume value where
    u T_d / x >= 2.5, the puff value (V0 = rate x duration) where <= 0.6, else the smaller."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    plume = BritterMcQuaid(CONTINUOUS, release_rate, wind_speed, source_density, air_density, **kw)
    puff = BritterMcQuaid(INSTANTANEOUS, release_rate * duration, wind_speed, source_density, air_density, **kw)
    cp, ci = plume.ratio(x), puff.ratio(x)
    r = wind_speed * duration / np.maximum(x, 1e-300)
    return np.where(r >= 2.5, cp, np.where(r <= 0.6, ci, np.minimum(cp, ci)))
