"""Surface-layer and boundary-layer similarity profiles for the Lagrangian particle model.

Mean wind (Monin-Obukhov similarity, z >= z0, zero at z0):

    u(z) = u* / k [ln(z / z0) - psi_m(z / L) + psi_m(z0 / L)],   k = 0.4

- unstable (L < 0): Businger-Dyer, Dyer (1974) *Boundary-Layer Meteorol.* 7, 363, phi_m = (1 - 16 z/L)^(-1/4),
  integrated by Paulson (1970) *J. Appl. Meteorol.* 9, 857:
  psi_m = 2 ln((1 + x)/2) + ln((1 + x^2)/2) - 2 atan(x) + pi/2,  x = (1 - 16 z/L)^(1/4);
- stable (L > 0): Beljaars & Holtslag (1991) *J. Appl. Meteorol.* 30, 327, eq. 28 (a=1, b=2/3, c=5, d=0.35):
  -psi_m = a zeta + b (zeta - c/d) exp(-d zeta) + b c / d, which stays bounded-gradient for very stable layers;
- neutral (L = inf): psi_m = 0.
Above the surface layer the wind is held at its value at z_cap: 0.1 h in a convective layer (the mixed layer
carries a uniform wind), h otherwise.

Turbulence: Hanna (1982), *Applied modeling of the nighttime surface layer*, in Atmospheric Turbulence and Air
Pollution Modelling (Nieuwstadt & van Dop eds.), ch. 7, in the form coded in FLEXPART (Stohl et al. 2005,
*Atmos. Chem. Phys.* 5, 2461, section 5 "turbulence", routine hanna.f) and used by HYSPLIT (Draxler & Hess 1998).
zeta = z / h, f = 1e-4 s-1 (the Coriolis parameter Hanna uses), w* = u* (h / (k |L|))^(1/3).

- neutral (h / |L| < 1):  sigma_u = 2.0 u* exp(-3 f z / u*), sigma_v = sigma_w = 1.3 u* exp(-2 f z / u*),
  T_u = T_v = T_w = 0.5 z / sigma_w / (1 + 15 f z / u*);
- unstable (L < 0): sigma_u = sigma_v = u* (12 + 0.5 h / |L|)^(1/3);
  sigma_w^3 = sigma_wc^3 + sigma_wm^3, with the convective part
  sigma_wc / w* = min(0.96 (3 zeta)^(1/3), 0.763 zeta^0.175)     zeta < 0.4
                = 0.722 (1 - zeta)^0.207                          zeta < 0.96
                = 0.37                                            above,
  and the mechanical part sigma_wm = 0.96 w* (-L/h)^(1/3) (1 - zeta)^(1/2) = 1.30 u* (1 - zeta)^(1/2);
  T_u = T_v = 0.15 h / sigma_u;  T_w = min(K_h / sigma_w^2, 0.15 h / sigma_w (1 - exp(-5 zeta))),
  K_h = k u* z / phi_h(z/L), phi_h = (1 - 16 z/L)^(-1/2) (Dyer 1974), in place of Hanna's surface-layer T_w (below);
- stable (L > 0): sigma_u = 2.0 u* (1 - zeta), sigma_v = sigma_w = 1.3 u* (1 - zeta);
  T_u = 0.15 h zeta^0.5 / sigma_u, T_v = 0.07 h zeta^0.5 / sigma_v, T_w = 0.1 h zeta^0.8 / sigma_w.
As in FLEXPART 0.01 m/s is added to every sigma (no zero variance at the top of a stable layer). FLEXPART's lower
bounds on T_L (10 s, 30 s) are for mesoscale transport and are not applied here: near-field dispersion needs the
short time scales near the ground.

Why the unstable sigma_w is not Hanna's piecewise fit as printed. Hanna's surface-layer law, 0.96 w* (3 zeta -
L/h)^(1/3) for zeta < 0.03, is a sum of cubes, sigma_w^3 = (1.30 u*)^3 + 2.65 w*^3 zeta (Panofsky et al. 1977,
*Boundary-Layer Meteorol.* 11, 355): mechanical plus convective turbulence. His mixed-layer law above zeta = 0.03
drops the mechanical term, so the fit steps down there: by 35 % at h/|L| = 5, 20 % at 20, 4 % only near free
convection. A Langevin model's drift sees d(sigma_w^2)/dz but not a step's delta function, so a step breaks
Thomson's well-mixed condition: with the printed fit, a uniform tracer at h/|L| = 5 thinned to 0.55-0.60 of
uniform below the step (measured, 400 000 particles over 600 s). Here the sum of cubes is carried through the
whole layer: the convective part is Hanna's with the L/h term taken out (his two convective laws cross at
zeta = 0.023, the other branches meet to 0.2 %), the mechanical part is the surface value decaying as
(1 - zeta)^(1/2), the mechanical profile of AERMOD (Cimorelli et al. 2005, *J. Appl. Meteorol.* 44, 682, sec.
4). The profile is continuous; it is Hanna's surface-layer law to 3.5 % below zeta = 0.03 and his mixed-layer
law where w* dominates (within 2 % above zeta = 0.1 for h/|L| >= 100). In weakly convective layers it keeps the
shear turbulence the printed fit loses: at h/|L| = 2 the fit falls above the step to 0.7 u*, about half the
neutral value; here sigma_w is 1.5-1.9 times that fit in the lower layer, and 1.09 times it at zeta = 0.4 for
h/|L| = 5.

Why the unstable T_w near the ground is not Hanna's. Far from the source a Langevin model diffuses like
K = sigma_w^2 T_w (Taylor 1921), so T_w fixes the vertical eddy diffusivity. Hanna's surface-layer T_w, 0.1 z /
(sigma_w (0.55 - 0.38 |z/L|)), gives K = 0.18 sigma_w z = 0.24 u* z as z/L -> 0: 0.59 times the neutral k u* z,
and 0.4-0.5 times Monin-Obukhov's K_h = k u* z / phi_h over the lowest tens of metres of a convective layer
(Businger-Dyer, Dyer 1974 *Boundary-Layer Meteorol.* 7, 363, the same relations as the wind profile above; his own
neutral T_w gives 0.65 u* z, so his scheme jumps by 2.7 times at h/|L| = 1). Surface-layer similarity with
Dyer's phi_h is what reproduces the vertical spread measured at Prairie Grass (van Ulden 1978, *Atmos. Environ.*
12, 2125; Gryning et al. 1983, *Q. J. R. Meteorol. Soc.* 109, 355), and with Hanna's T_w the particles'
crosswind-integrated concentrations there were 2-3.4 times too high beyond 200 m in the convective runs. So in the
unstable surface layer T_w = K_h / sigma_w^2, which makes the model's diffusivity Monin-Obukhov's, until Hanna's
mixed-layer T_w, which it meets 0.01-0.1 h above the ground (higher the weaker the convection), is the smaller.
Neutral layers keep Hanna's T_w; stable ones too, whose K is already within 15 % of k u* z / (1 + 5 z/L) in the
lowest metres of Prairie Grass's stable runs.

Third moment of w (convective layers only): the profile of Luhar, Hibberd & Borgas (2000) *Atmos. Environ.* 34,
3599 used in FLEXPART's skewed-turbulence scheme (Cassiani, Stohl & Brioude 2015 *Boundary-Layer Meteorol.* 154,
367):

    <w'^3> = 1.2 w*^3 zeta (1 - zeta)^(3/2) tau(h/|L|),   zeta = z / h in [0, 1];  0 above h, and if L >= 0,

largest, 0.223 w*^3, at zeta = 0.4, where with Hanna's sigma_w the skewness S = <w'^3> / sigma_w^3 is 0.8 (tank and
aircraft data: S ~ 0.6-1 in the mixed layer, Willis & Deardorff 1976 *Q. J. R. Meteorol. Soc.* 102, 427; Lenschow
et al. 1980 *J. Atmos. Sci.* 37, 1313), and which vanishes at the ground and at h, so that perfect reflection there
meets a (nearly) Gaussian PDF. tau is Cassiani et al.'s (2015) transition from the Gaussian
near-neutral to the skewed convective layer: tau = 0 for h/|L| <= 5, 1/2 - 1/2 cos(pi (h/|L| - 5) / 10) up to
h/|L| = 15 (FLEXPART writes it 1/2 + 1/2 sin(pi (h/|L| + 10) / 10) on that range), 1 above. Below h/|L| = 5 the
layer is treated as Gaussian (FLEXPART's expression is not monotonic there).

Bi-Gaussian PDF of w (Baerentsen & Berkowicz 1984 *Atmos. Environ.* 18, 701; Luhar & Britter 1989 *Atmos.
Environ.* 23, 1911), P(w) = A N(w; w_A, s_A) + B N(w; -w_B, s_B), A + B = 1: updrafts A (mean w_A > 0) and
downdrafts B. Its first four moments (1, 0, sigma_w^2, <w'^3>) close with Luhar, Hibberd & Hurley's (1996 *Atmos.
Environ.* 30, 1407) w_A = F s_A, w_B = F s_B, F = m S^(1/3), m = 2/3, which gives

    x = 27 F^2 (1 + F^2)^(3/2) / (8 (3 + F^2))   (x^2 = r of LHH 1996),   A = (1 - x / sqrt(4 + x^2)) / 2,
    s_A = sigma_w sqrt(B / (A (1 + F^2))),   s_B = sigma_w sqrt(A / (B (1 + F^2))),

and reduces to the Gaussian (A = B = 1/2, w_A = w_B = 0, s_A = s_B = sigma_w) as S -> 0.

Low-wind meander: sigma_u, sigma_v >= min_sigma_v_m_s, default 0.2 m/s, the minimum sigma_v of AERMOD
(Cimorelli et al. 2005, *J. Appl. Meteorol.* 44, 682, sec. 5.1; cf. Hanna 1983, *Atmos. Environ.* 17, 1219, who
found sigma_v ~ 0.5 m/s in near-calm winds).

Boundary-layer height (neutral and stable): Nieuwstadt (1981) *Boundary-Layer Meteorol.* 20, 3, eq. 12,
h / L = 0.3 u* / (f L) / (1 + 1.9 h / L), which is h = 0.3 u* / |f| in the neutral limit and
h = 0.4 sqrt(u* L / |f|) (Zilitinkevich 1972, *Boundary-Layer Meteorol.* 3, 141) for very stable layers.
A convective layer's depth is set by the day's heating history, not by u* and L: it must be given, or
DEFAULT_CONVECTIVE_HEIGHT_M (1000 m, a typical midday continental value) is used.

Tables for the kernels: every profile tabulated on z = z_lo + (z_hi - z_lo) s^2 with s uniform in [0, 1], dense
near the ground where the profiles curve; kernels interpolate linearly in s (one sqrt, no log or exp per step).
With the default n = 2001 the table differs from the exact functions by < 0.5 % (tested), except across Hanna's
branch points where the exact profile has a kink or step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from models.gas_dispersion.stability import _GOLDER_A, _GOLDER_B, CLASSES

VON_KARMAN = 0.4
HANNA_CORIOLIS_S = 1.0e-4  # f used by Hanna (1982) and FLEXPART in the neutral profiles
SIGMA_OFFSET_M_S = 0.01  # FLEXPART's additive minimum turbulence
DEFAULT_CONVECTIVE_HEIGHT_M = 1000.0
EARTH_ROTATION_RAD_S = 7.2921e-5

LHB_W3_COEFFICIENT = 1.2  # <w'^3> = 1.2 w*^3 zeta (1 - zeta)^1.5 (Luhar, Hibberd & Borgas 2000)
LHH_M = 2.0 / 3.0  # F = m S^(1/3) (Luhar, Hibberd & Hurley 1996)
SKEW_ONSET_H_OVER_L = 5.0  # h/|L| where Cassiani et al.'s (2015) transition to skewed turbulence starts ...
SKEW_FULL_H_OVER_L = 15.0  # ... and where it is complete

# Columns of a profile table (kernels index with these).
(COL_U, COL_SIGMA_U, COL_SIGMA_V, COL_SIGMA_W, COL_DSIGMA_W2_DZ, COL_T_U, COL_T_V, COL_T_W, COL_W3,
 COL_DW3_DZ) = range(10)
N_COLUMNS = 10


def psi_m(zeta):
    """Integrated stability function for momentum psi_m(z / L), scalar or array (Paulson 1970 unstable,
    Beljaars & Holtslag 1991 stable): the one the particles' profiles and the diagnostic wind both use."""
    zeta = np.asarray(zeta, dtype=np.float64)
    x = np.power(np.maximum(1.0 - 16.0 * zeta, 1.0), 0.25)
    unstable = 2.0 * np.log(0.5 * (1.0 + x)) + np.log(0.5 * (1.0 + x * x)) - 2.0 * np.arctan(x) + 0.5 * math.pi
    a, b, c, d = 1.0, 2.0 / 3.0, 5.0, 0.35
    positive = np.maximum(zeta, 0.0)
    stable = -(a * positive + b * (positive - c / d) * np.exp(-d * positive) + b * c / d)
    return np.where(zeta < 0.0, unstable, np.where(zeta > 0.0, stable, 0.0))


@dataclass(frozen=True)
class SurfaceLayer:
    """Similarity state of the atmospheric boundary layer (obukhov_length_m = math.inf when neutral)."""

    friction_velocity_m_s: float
    obukhov_length_m: float
    roughness_length_m: float
    boundary_layer_height_m: float
    min_sigma_v_m_s: float = 0.2

    def __post_init__(self) -> None:
        if not self.friction_velocity_m_s > 0.0:
            raise ValueError(f"friction_velocity_m_s must be > 0, got {self.friction_velocity_m_s}")
        if self.obukhov_length_m == 0.0 or math.isnan(self.obukhov_length_m):
            raise ValueError(f"obukhov_length_m must be non-zero (math.inf if neutral), got {self.obukhov_length_m}")
        if not 0.0 < self.roughness_length_m < 0.1 * self.boundary_layer_height_m:
            raise ValueError(f"roughness_length_m must be in (0, 0.1 h), got {self.roughness_length_m}")
        if not math.isfinite(self.boundary_layer_height_m):
            raise ValueError(f"boundary_layer_height_m must be finite, got {self.boundary_layer_height_m}")
        if self.min_sigma_v_m_s < 0.0:
            raise ValueError(f"min_sigma_v_m_s must be >= 0, got {self.min_sigma_v_m_s}")

    # -- regime -----------------------------------------------------------------------------------------------
    @property
    def regime(self) -> str:
        """'neutral' when h / |L| < 1 (FLEXPART's test), else 'unstable' or 'stable'."""
        h, L = self.boundary_layer_height_m, self.obukhov_length_m
        if h / abs(L) < 1.0:
            return "neutral"
        return "unstable" if L < 0.0 else "stable"

    @property
    def convective_velocity_m_s(self) -> float:
        """w* = u* (h / (k |L|))^(1/3) in a convective layer, 0 otherwise (Deardorff 1970)."""
        if not self.obukhov_length_m < 0.0:
            return 0.0
        return self.friction_velocity_m_s * (self.boundary_layer_height_m
                                             / (VON_KARMAN * abs(self.obukhov_length_m))) ** (1.0 / 3.0)

    # -- mean wind --------------------------------------------------------------------------------------------
    def wind_speed(self, z: float) -> float:
        """Mean wind speed (m/s) at height z (m) above ground; 0 at and below z0."""
        z0, L, h = self.roughness_length_m, self.obukhov_length_m, self.boundary_layer_height_m
        z_cap = 0.1 * h if self.regime == "unstable" else h
        z = min(z, z_cap)
        if z <= z0:
            return 0.0
        shape = math.log(z / z0) - float(psi_m(z / L)) + float(psi_m(z0 / L))
        return self.friction_velocity_m_s / VON_KARMAN * shape

    # -- turbulence (Hanna 1982) ------------------------------------------------------------------------------
    def turbulence(self, z: float) -> tuple[float, float, float, float, float, float]:
        """(sigma_u, sigma_v, sigma_w, T_u, T_v, T_w) at height z above ground (m/s, s)."""
        u_star, L, h = self.friction_velocity_m_s, self.obukhov_length_m, self.boundary_layer_height_m
        f = HANNA_CORIOLIS_S
        z = min(max(z, self.roughness_length_m), h)
        zeta = z / h
        regime = self.regime
        if regime == "neutral":
            sigma_u = 2.0 * u_star * math.exp(-3.0 * f * z / u_star) + SIGMA_OFFSET_M_S
            sigma_w = 1.3 * u_star * math.exp(-2.0 * f * z / u_star) + SIGMA_OFFSET_M_S
            sigma_v = sigma_w
            t_u = 0.5 * z / sigma_w / (1.0 + 15.0 * f * z / u_star)
            t_v = t_w = t_u
        elif regime == "unstable":
            w_star = self.convective_velocity_m_s
            sigma_u = sigma_v = u_star * (12.0 + 0.5 * h / abs(L)) ** (1.0 / 3.0) + SIGMA_OFFSET_M_S
            if zeta < 0.4:
                sigma_wc = w_star * min(0.96 * (3.0 * zeta) ** (1.0 / 3.0), 0.763 * zeta**0.175)
            elif zeta < 0.96:
                sigma_wc = w_star * 0.722 * (1.0 - zeta) ** 0.207
            else:
                sigma_wc = w_star * 0.37
            # 0.96 w* (-L/h)^(1/3) = 0.96 k^(-1/3) u*: the mechanical term of Hanna's surface-layer law
            sigma_wm = 0.96 * w_star * (-L / h) ** (1.0 / 3.0) * math.sqrt(1.0 - zeta)
            sigma_w = (sigma_wc**3 + sigma_wm**3) ** (1.0 / 3.0) + SIGMA_OFFSET_M_S
            t_u = t_v = 0.15 * h / sigma_u
            # the surface layer's T_w gives Monin-Obukhov's K_h = sigma_w^2 T_w (see the module docstring)
            k_h = VON_KARMAN * u_star * z * math.sqrt(1.0 - 16.0 * z / L)
            t_w = min(k_h / sigma_w**2, 0.15 * h / sigma_w * (1.0 - math.exp(-5.0 * zeta)))
        else:
            sigma_u = 2.0 * u_star * (1.0 - zeta) + SIGMA_OFFSET_M_S
            sigma_v = sigma_w = 1.3 * u_star * (1.0 - zeta) + SIGMA_OFFSET_M_S
            t_u = 0.15 * h * math.sqrt(zeta) / sigma_u
            t_v = 0.07 * h * math.sqrt(zeta) / sigma_v
            t_w = 0.1 * h * zeta**0.8 / sigma_w
        sigma_u = max(sigma_u, self.min_sigma_v_m_s)
        sigma_v = max(sigma_v, self.min_sigma_v_m_s)
        return sigma_u, sigma_v, sigma_w, t_u, t_v, t_w

    def sigma_w(self, z: float) -> float:
        return self.turbulence(z)[2]

    # -- third moment of w (Luhar, Hibberd & Borgas 2000; Cassiani et al. 2015) -------------------------------
    @property
    def skewness_transition(self) -> float:
        """tau(h/|L|) of Cassiani et al. (2015): 0 (Gaussian) up to h/|L| = 5, 1 (fully skewed) from 15."""
        if self.regime != "unstable":
            return 0.0
        ratio = self.boundary_layer_height_m / abs(self.obukhov_length_m)
        if ratio <= SKEW_ONSET_H_OVER_L:
            return 0.0
        if ratio >= SKEW_FULL_H_OVER_L:
            return 1.0
        phase = (ratio - SKEW_ONSET_H_OVER_L) / (SKEW_FULL_H_OVER_L - SKEW_ONSET_H_OVER_L)
        return 0.5 - 0.5 * math.cos(math.pi * phase)

    def third_moment_w(self, z: float) -> float:
        """<w'^3> (m3 s-3) at height z: 1.2 w*^3 zeta (1 - zeta)^1.5 tau, 0 unless convective (z clamped to
        [z0, h] like the other profiles)."""
        tau = self.skewness_transition
        if tau == 0.0:
            return 0.0
        h = self.boundary_layer_height_m
        zeta = min(max(z, self.roughness_length_m), h) / h
        return LHB_W3_COEFFICIENT * self.convective_velocity_m_s**3 * zeta * (1.0 - zeta) ** 1.5 * tau

    def dw3_dz(self, z: float) -> float:
        """d<w'^3>/dz (m2 s-3), exact: 1.2 w*^3 tau / h [(1 - zeta)^1.5 - 1.5 zeta (1 - zeta)^0.5]; 0 above h."""
        tau = self.skewness_transition
        h = self.boundary_layer_height_m
        if tau == 0.0 or z > h:
            return 0.0
        zeta = max(z, self.roughness_length_m) / h
        return (LHB_W3_COEFFICIENT * self.convective_velocity_m_s**3 * tau / h
                * ((1.0 - zeta) ** 1.5 - 1.5 * zeta * math.sqrt(1.0 - zeta)))

    def dsigma_w2_dz(self, z: float) -> float:
        """d(sigma_w^2)/dz (m s-2): centred difference of the exact profile; within a step of the table's ends the
        one-sided second-order difference, so the table's rows there (geometrically closer towards the ends) keep
        its accuracy."""
        z_lo, z_hi = self.roughness_length_m, self.boundary_layer_height_m
        step = 1.0e-4 * max(z - z_lo, 1.0e-3 * (z_hi - z_lo), z_lo)
        if z - step < z_lo:
            return (-3.0 * self.sigma_w(z) ** 2 + 4.0 * self.sigma_w(z + step) ** 2
                    - self.sigma_w(z + 2.0 * step) ** 2) / (2.0 * step)
        if z + step > z_hi:
            return (3.0 * self.sigma_w(z) ** 2 - 4.0 * self.sigma_w(z - step) ** 2
                    + self.sigma_w(z - 2.0 * step) ** 2) / (2.0 * step)
        return (self.sigma_w(z + step) ** 2 - self.sigma_w(z - step) ** 2) / (2.0 * step)


# -- factories ------------------------------------------------------------------------------------------------
def boundary_layer_height(friction_velocity_m_s: float, obukhov_length_m: float, latitude_deg: float = 45.0,
                          convective_height_m: float | None = None) -> float:
    """Boundary-layer depth h (m): Nieuwstadt (1981) for neutral and stable layers; given (or 1000 m) if unstable.

    |f| is floored at its value at 5 deg latitude, where the Ekman depth formula stops meaning anything.
    """
    if not friction_velocity_m_s > 0.0:
        raise ValueError(f"friction_velocity_m_s must be > 0, got {friction_velocity_m_s}")
    if obukhov_length_m < 0.0:
        return DEFAULT_CONVECTIVE_HEIGHT_M if convective_height_m is None else float(convective_height_m)
    f = 2.0 * EARTH_ROTATION_RAD_S * math.sin(math.radians(max(abs(latitude_deg), 5.0)))
    if math.isinf(obukhov_length_m):
        return 0.3 * friction_velocity_m_s / f
    L = obukhov_length_m
    # h/L = 0.3 u*/(f L) / (1 + 1.9 h/L)  ->  1.9 (h/L)^2 + h/L - 0.3 u*/(f L) = 0
    ratio = (-1.0 + math.sqrt(1.0 + 4.0 * 1.9 * 0.3 * friction_velocity_m_s / (f * L))) / (2.0 * 1.9)
    return ratio * L


def obukhov_length_from_class(cls: str, roughness_length_m: float) -> float:
    """Monin-Obukhov length (m) of a Pasquill class: the inverse of Golder's (1972) lines; class D -> inf."""
    if cls not in CLASSES:
        raise ValueError(f"cls must be one of {CLASSES}, got {cls!r}")
    if not roughness_length_m > 0.0:
        raise ValueError(f"roughness_length_m must be > 0, got {roughness_length_m}")
    if cls == "D":
        return math.inf
    k = CLASSES.index(cls)
    inverse = float(_GOLDER_A[k] + _GOLDER_B[k] * math.log10(roughness_length_m))
    expected_sign = -1.0 if k < 3 else 1.0
    if inverse * expected_sign <= 0.0:
        raise ValueError(f"roughness_length_m={roughness_length_m} is outside Golder's (1972) range for class {cls}")
    return 1.0 / inverse


def surface_layer_from_wind(speed_m_s: float, reference_height_m: float, obukhov_length_m: float,
                            roughness_length_m: float, boundary_layer_height_m: float | None = None,
                            latitude_deg: float = 45.0, min_sigma_v_m_s: float = 0.2) -> SurfaceLayer:
    """The SurfaceLayer whose mean wind at reference_height_m is speed_m_s (u* from the MO profile).

    With L fixed, u(z_ref) is proportional to u*, so u* = k U_ref / (ln(z_ref/z0) - psi_m(z_ref/L) + psi_m(z0/L));
    when h is not given it is then estimated by boundary_layer_height (which depends on u*), and the wind cap
    (0.1 h if convective) must not fall below z_ref, else z_ref is outside the surface layer.
    """
    if not speed_m_s > 0.0:
        raise ValueError(f"speed_m_s must be > 0, got {speed_m_s}")
    if not reference_height_m > roughness_length_m > 0.0:
        raise ValueError(f"reference_height_m must exceed roughness_length_m > 0, got {reference_height_m}, "
                         f"{roughness_length_m}")
    L, z0, z_ref = obukhov_length_m, roughness_length_m, reference_height_m
    shape = math.log(z_ref / z0) - float(psi_m(z_ref / L)) + float(psi_m(z0 / L))
    u_star = VON_KARMAN * speed_m_s / shape
    h = boundary_layer_height(u_star, L, latitude_deg) if boundary_layer_height_m is None else boundary_layer_height_m
    layer = SurfaceLayer(u_star, L, z0, float(h), min_sigma_v_m_s)
    if layer.wind_speed(z_ref) < (1.0 - 1e-9) * speed_m_s:
        raise ValueError(f"reference_height_m={z_ref} lies above the surface layer of a {h:.0f}-m boundary layer")
    return layer


# -- tables for the kernels ---------------------------------------------------------------------------------
# Rows of a table sit at fractions q = (z - z_lo) / (z_hi - z_lo) spaced geometrically towards both ends of the
# layer: below q = 1/2 at the float64 values whose bits end in zeros after the exponent and the first
# TABLE_MANTISSA_BITS of the mantissa, q = 2^e (1 + j / 2^M), e = -TABLE_BINADES .. -2, and above it at 1 minus
# those values. A row is found from the bits of q or 1 - q (a shift and a subtraction) and the weight from the bits
# below (linear in q within a row, since the mantissa is linear in q): no square root on the kernels' critical
# path, where rows uniform in sqrt(q) needed one. The spacing is 0.4-0.8 % of the distance to the nearer end, from
# 1e-6 (z_hi - z_lo): fine at the ground, where the surface layer changes fastest, and at the top of a layer,
# where the convective profiles' gradients are singular; 0.2 % of the layer at its middle.
TABLE_BINADES = 20
TABLE_MANTISSA_BITS = 7
TABLE_HALF_ROWS = (TABLE_BINADES - 1) << TABLE_MANTISSA_BITS  # rows below q = 1/2, which is row TABLE_HALF_ROWS
TABLE_ROWS = 2 * TABLE_HALF_ROWS + 1
TABLE_LAST_INTERVAL = TABLE_ROWS - 2  # above q = 1/2: row = this minus the row of 1 - q, weight = 1 minus its weight
TABLE_Q_MIN = 2.0**-TABLE_BINADES
TABLE_ROW_SHIFT = np.uint64(52 - TABLE_MANTISSA_BITS)  # exponent and leading mantissa bits: the row
TABLE_ROW_BASE = np.uint64(np.float64(TABLE_Q_MIN).view(np.uint64) >> (52 - TABLE_MANTISSA_BITS))
TABLE_FRACTION_MASK = np.uint64((1 << (52 - TABLE_MANTISSA_BITS)) - 1)  # the rest: the position within the row
TABLE_FRACTION_SHIFT = np.uint64(TABLE_MANTISSA_BITS)  # moves that rest to the top of a mantissa ...
ONE_BITS = np.uint64(np.float64(1.0).view(np.uint64))  # ... of a double in [1, 2)


def table_fractions() -> np.ndarray:
    """The TABLE_ROWS fractions q of a table's rows, 2^-TABLE_BINADES .. 1 - 2^-TABLE_BINADES (see
    TABLE_BINADES)."""
    rows = np.arange(TABLE_HALF_ROWS + 1, dtype=np.uint64)
    lower = ((TABLE_ROW_BASE + rows) << TABLE_ROW_SHIFT).view(np.float64)
    return np.concatenate([lower, 1.0 - lower[-2::-1]])


def table_rows(z_lo: float, z_hi: float, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, weight) of heights z: between rows row and row + 1, weight on row + 1, linear in q; clamped to the
    table. The NumPy form of particles.table_position."""
    q = (np.asarray(z, float) - z_lo) / (z_hi - z_lo)
    upper = q > 0.5
    half = np.where(upper, 1.0 - q, q)
    half = np.minimum(np.where(half > TABLE_Q_MIN, half, TABLE_Q_MIN), 0.5)  # NaN to the first row
    bits = np.ascontiguousarray(half).view(np.uint64)
    row = ((bits >> TABLE_ROW_SHIFT) - TABLE_ROW_BASE).astype(np.int64)
    weight = (((bits & TABLE_FRACTION_MASK) << TABLE_FRACTION_SHIFT) | ONE_BITS).view(np.float64) - 1.0
    return np.where(upper, TABLE_LAST_INTERVAL - row, row), np.where(upper, 1.0 - weight, weight)


class ProfileTable(NamedTuple):
    """Profiles at the TABLE_ROWS heights z = z_lo + (z_hi - z_lo) q, q = table_fractions(): values[k, COL_*]."""

    heights_m: np.ndarray
    values: np.ndarray
    z_lo: float
    z_hi: float


def profile_table(layer: SurfaceLayer, top_m: float | None = None) -> ProfileTable:
    """Tabulate u, sigma_u, sigma_v, sigma_w, d(sigma_w^2)/dz, T_u, T_v, T_w, <w'^3>, d<w'^3>/dz from z0 to h
    (or top_m)."""
    z_lo = layer.roughness_length_m
    z_hi = layer.boundary_layer_height_m if top_m is None else float(top_m)
    if not z_hi > z_lo:
        raise ValueError(f"top_m must exceed the roughness length, got {top_m}")
    heights = z_lo + (z_hi - z_lo) * table_fractions()
    values = np.empty((heights.size, N_COLUMNS))
    for k, z in enumerate(heights):
        sigma_u, sigma_v, sigma_w, t_u, t_v, t_w = layer.turbulence(z)
        values[k] = (layer.wind_speed(z), sigma_u, sigma_v, sigma_w, layer.dsigma_w2_dz(z), t_u, t_v, t_w,
                     layer.third_moment_w(z), layer.dw3_dz(z))
    return ProfileTable(heights, values, z_lo, z_hi)


def constant_profile_table(wind_speed_m_s: float, sigma_u_m_s: float, sigma_v_m_s: float, sigma_w_m_s: float,
                           t_u_s: float, t_v_s: float, t_w_s: float, top_m: float = 1.0e4) -> ProfileTable:
    """A table of homogeneous Gaussian turbulence and uniform wind (analytic test cases, sensitivity runs)."""
    for name, value in (("t_u_s", t_u_s), ("t_v_s", t_v_s), ("t_w_s", t_w_s), ("sigma_w_m_s", sigma_w_m_s)):
        if not value > 0.0:
            raise ValueError(f"{name} must be > 0, got {value}")
    row = (wind_speed_m_s, sigma_u_m_s, sigma_v_m_s, sigma_w_m_s, 0.0, t_u_s, t_v_s, t_w_s, 0.0, 0.0)
    return ProfileTable(float(top_m) * table_fractions(), np.tile(np.array(row, dtype=np.float64), (TABLE_ROWS, 1)),
                        0.0, float(top_m))


def table_lookup(table: ProfileTable, z: np.ndarray) -> np.ndarray:
    """NumPy interpolation of a table at heights z (clamped to [z_lo, z_hi]); rows of COL_* values."""
    k, a = table_rows(table.z_lo, table.z_hi, z)
    a = a[..., None]
    return (1.0 - a) * table.values[k] + a * table.values[k + 1]


def vertical_velocities(table: ProfileTable, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vertical velocities drawn from the table's PDF at heights z: N(0, s_w) or, in a table with
    <w'^3> > 0 (a convective layer), the bi-Gaussian PDF of :func:`bigaussian_parameters` (an updraft
    with probability A), so new particles start in the stationary state of the skewed step."""
    rows = table_lookup(table, z)
    sigma_w = rows[..., COL_SIGMA_W]
    third_moment = rows[..., COL_W3]
    normal = rng.standard_normal(sigma_w.shape)
    if not np.any(table.values[:, COL_W3] > 0.0):
        return sigma_w * normal
    A, w_A, w_B, s_A, s_B = bigaussian_parameters(sigma_w, np.maximum(third_moment, 0.0))
    up = rng.random(sigma_w.shape) < A
    return np.where(up, w_A + s_A * normal, -w_B + s_B * normal)


# -- bi-Gaussian PDF of w (Luhar, Hibberd & Hurley 1996) ----------------------------------------------------
def bigaussian_shape(f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, s_A / sigma_w, s_B / sigma_w) of the LHH (1996) closure as functions of F = w_A / s_A = w_B / s_B.

    Smooth and even in F (A = 1/2, s_A = s_B = sigma_w at F = 0), so it can be differentiated numerically in F.
    """
    f2 = np.asarray(f, dtype=np.float64) ** 2
    x = 27.0 * f2 * (1.0 + f2) ** 1.5 / (8.0 * (3.0 + f2))
    a = 0.5 * (1.0 - x / np.sqrt(4.0 + x * x))
    b = 1.0 - a
    return a, np.sqrt(b / (a * (1.0 + f2))), np.sqrt(a / (b * (1.0 + f2)))


def bigaussian_parameters(sigma_w: np.ndarray, third_moment: np.ndarray):
    """(A, w_A, w_B, s_A, s_B) of the bi-Gaussian PDF with variance sigma_w^2 and third moment <w'^3> >= 0.

    Updrafts N(w_A, s_A) of weight A, downdrafts N(-w_B, s_B) of weight 1 - A, closed by LHH (1996): F = m S^(1/3).
    """
    sigma_w = np.asarray(sigma_w, dtype=np.float64)
    third_moment = np.asarray(third_moment, dtype=np.float64)
    if np.any(~(sigma_w > 0.0)):
        raise ValueError("sigma_w must be > 0 everywhere")
    if np.any(~(third_moment >= 0.0)):
        raise ValueError("third_moment must be >= 0 (the closure is for positively skewed convective turbulence)")
    f = LHH_M * np.cbrt(third_moment / sigma_w**3)
    a, ratio_a, ratio_b = bigaussian_shape(f)
    return a, f * ratio_a * sigma_w, f * ratio_b * sigma_w, ratio_a * sigma_w, ratio_b * sigma_w
