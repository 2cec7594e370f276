"""Infrared radiometry for the image renderers: Planck band radiance, thermal camera, OGI, smoke.

Everything here is per pixel (or per ray) and vectorised: the public functions broadcast their
arguments and run one Numba kernel over the flattened pixels.

Symbols:

========= ================================================================ ======================
symbol    meaning                                                          unit
========= ================================================================ ======================
lambda    wavelength                                                       m
nu        wavenumber 1 / lambda                                            m-1
T         temperature (T_s surface, T_a air, T_g gas, T_b brightness)      K
B_lambda  Planck spectral radiance per unit wavelength                     W m-2 sr-1 m-1
L         band radiance, B_lambda integrated over [lambda_1, lambda_2]     W m-2 sr-1
c_1L      first radiation constant for radiance, 2 h c^2                   W m2 sr-1
c_2       second radiation constant, h c / k                               m K
x         c_2 nu / T, the dimensionless wavenumber                         1
G(x)      integral of t^3 / (e^t - 1) from x to infinity                   1
eps       surface emissivity in the band                                   1
L_down    downwelling (sky) band radiance the surface reflects             W m-2 sr-1
tau_a     transmittance of the air path surface to camera                  1
tau_g     transmittance of the gas layer                                   1
sigma     band-averaged absorption coefficient of a gas (natural log)      (ppm m)-1
CL        gas column density: mole fraction times path length              ppm m
kappa     extinction coefficient of smoke                                  m-1
tau       optical depth along a ray, integral of kappa dl                  1
T_r       transmittance of smoke along a ray, exp(-tau)                    1
S         visibility distance of a sign through smoke                      m
C         visibility factor: 3 reflecting sign, 8 light-emitting sign      1
K_m       mass-specific extinction coefficient of soot                     m2 kg-1
========= ================================================================ ======================

**Constants.** SI 2019 exact values of h, c and k (CODATA 2018, Tiesinga et al. 2021,
Rev. Mod. Phys. 93, 025010); c_1L = 2 h c^2 = 1.191042972e-16 W m2 sr-1,
c_2 = h c / k = 1.438776877e-2 m K, sigma_SB = 5.670374419e-8 W m-2 K-4 and Wien's
b = 2.897771955e-3 m K follow from them.

**Planck's law** (spectral radiance of a blackbody)::

    B_lambda(T) = c_1L lambda^-5 / (exp(c_2 / (lambda T)) - 1)

**Band radiance.** With x = c_2 nu / T the radiance above a wavenumber nu is::

    integral_nu^inf B_nu dnu = c_1L (T / c_2)^4 G(x),    G(x) = integral_x^inf t^3 / (e^t - 1) dt
    L(T) = c_1L (T / c_2)^4 [G(c_2 / (lambda_2 T)) - G(c_2 / (lambda_1 T))]

(integrating B_lambda d lambda over [lambda_1, lambda_2] is integrating B_nu d nu over
[1 / lambda_2, 1 / lambda_1]). G is evaluated in closed series form:

- x >= 2, Widger & Woodall (1976), "Integration of the Planck blackbody radiation function",
  Bull. Am. Meteorol. Soc. 57(10), 1217-1219 (expanding 1 / (e^t - 1) = sum e^(-n t))::

      G(x) = sum_{n >= 1} e^(-n x) (x^3 / n + 3 x^2 / n^2 + 6 x / n^3 + 6 / n^4)

  The n-th term is below e^(-n x) x^3 (1 + 3/x + 6/x^2 + 6/x^3); it is summed to
  n = 2 + 36 / x (at most 20 terms), where the first term left out is below
  e^(-38) G(x) ~ 3e-17 G(x): the series is exact to rounding. e^(-n x) is built by
  repeated multiplication of e^(-x), so one exponential per edge.
- x < 2, the complement over [0, x] from the Bernoulli expansion
  t / (e^t - 1) = sum_k B_k t^k / k! (radius of convergence 2 pi)::

      G(x) = pi^4 / 15 - x^3 [1/3 - x/8 + sum_{m=1}^{15} B_2m x^(2m) / ((2m)! (2m + 3))]

  the terms fall as (x / 2 pi)^(2m) <= 0.32^(2m): at m = 15 below 1e-16 of the sum.

Both branches agree to rounding at x = 2 (tested). When both band edges have x < 2 (the
Rayleigh-Jeans side) the difference G(x_1) - G(x_2) is taken as the difference of the two
integrals from 0, which does not cancel. The band radiance is then accurate to about 1e-14
relative at any T for bands no narrower than the OGI filter; the tests compare it with
adaptive quadrature of B_lambda (scipy.integrate.quad) to 1e-9 and with sigma_SB T^4 / pi
over 0.1-1000 um.

**Brightness temperature** T_b(L) inverts L(T) = L by Newton iteration on ln L as a function
of s = ln T, with the exact derivative::

    dL/dT = c_1L T^3 / c_2^4 [4 (G(x_1) - G(x_2)) + x_1^4 / (e^(x_1) - 1) - x_2^4 / (e^(x_2) - 1)]

(x_1 = c_2 / (lambda_2 T), x_2 = c_2 / (lambda_1 T)). The first iterate is the monochromatic
inversion at the band centre, T_c = c_2 nu_c / ln(1 + c_1L nu_c^3 (nu_2 - nu_1) / L). The
iteration is safeguarded by a bracket: T_lo = (pi L / sigma_SB)^(1/4) is a lower bound (a band
holds less than the whole spectrum), the upper end is the first iterate found above the root,
and a Newton step that leaves the bracket is replaced by bisection (or by doubling T while no
upper end is known). Newton converges quadratically, so
iteration stops after a Newton step below 1e-8 in ln T (the error left is of order 1e-16);
typically 3-5 steps. Round trips hold to 1e-9 K over 200-2000 K in every band here.

**Thermal camera** (radiometric chain of an infrared camera; Vollmer & Moellmann,
*Infrared Thermal Imaging*, 2nd ed., Wiley-VCH 2018, sec. 2.3 and 3.2; the same three terms
as the FLIR measurement formula)::

    L = tau_a [eps L(T_s) + (1 - eps) L_down] + (1 - tau_a) L(T_a)

a grey (band-averaged) emissivity, a diffuse (Lambertian) reflection of the downwelling
band radiance, and an air path at one temperature T_a that emits what it does not
transmit (Kirchhoff's law). The image is T_b(L); with eps = 1 and tau_a = 1 it is T_s.

Default LWIR (8-14 um) emissivities, :data:`EMISSIVITY_LWIR` (broadband, near-normal view):

- water 0.98: pure and sea water near nadir in the 8-12 um window, 0.98-0.99 (Masuda,
  Takashima & Takayama 1988, Remote Sens. Environ. 24, 313-329; Filipiak, Merchant & Embury
  2009, Int. J. Remote Sens.); it falls off beyond about 60 deg view angle.
- vegetation 0.98 (grass), clay soil 0.96, sand 0.90: Sutherland (1986), "Broadband and
  spectral emissivities (2-18 um) of some natural soils and vegetation", J. Atmos. Oceanic
  Technol. 3(1), 199-202: 8-14 um radiometer in situ, 0.89-0.92 sands, 0.96 clay,
  0.97-0.99 peat, muck and grass. ``soil`` is the clay value.
- snow 0.99: Dozier & Warren (1982), "Effect of viewing angle on the infrared brightness
  temperature of snow", Water Resour. Res. 18(5), 1424-1434 (0.99 near nadir at 10.5-12.5 um).
- land-cover classes (:data:`LAND_COVER_EMISSIVITY`): grass, shrub and forest the vegetation
  value, agriculture and bare ground the soil value, urban concrete, water, snow.
- concrete 0.93 (at 25 deg C): Testo emissivity table for thermography (0.92 in the FLIR-style
  table of the Ideal HeatSeeker manual); Barreira, Almeida & Simoes (2021), Sensors 21, 1961,
  discuss the spread with surface finish.

**Optical gas imaging.** A gas layer of column CL at temperature T_g in front of a background
of band radiance L_bg (Beer-Lambert absorption plus Kirchhoff emission, no scattering)::

    tau_g = exp(-sigma CL)
    L = tau_g L_bg + (1 - tau_g) L(T_g)

with 1 - tau_g computed as -expm1(-sigma CL) (accurate for thin plumes): CL = 0 gives
1 L_bg + 0 L(T_g), the background bitwise; a very thick plume gives 0 L_bg + 1 L(T_g); and a
gas at the background's brightness temperature is invisible whatever CL (thermal equilibrium:
it emits what it absorbs). sigma per gas for the 3.2-3.4 um filter of cooled methane cameras,
:data:`OGI_ABSORPTION_PER_PPM_M` (:func:`ogi_sigma`):

- methane: no published band-averaged value was found; it is derived here
  (:func:`methane_band_absorption`) in the weak-line (optically thin) limit, band-average
  cross-section = (integrated band intensity x fraction of the band inside the filter) /
  filter width, from line-free published data: the nu_3 fundamental (band origin
  3019.49 cm-1) with integrated intensity S = 1.1e-17 cm molecule-1 at 296 K (the value of
  the nu_3 band in the HITRAN pentad, Brown et al. 2003, JQSRT 82, 219-238; not re-checked
  against the line list here) and the rotational envelope of a rigid spherical top
  (B_0 = 5.241 cm-1, Coriolis zeta_3 = 0.047; P, Q, R lines at nu_0 - 2B(1 - zeta) J, nu_0,
  nu_0 + 2B(1 - zeta)(J + 1) from a level of weight (2J + 1)^2 exp(-B J(J + 1) c_2 / T), split
  in the ratio (2J - 1) : (2J + 1) : (2J + 3) of the upper-level weights). 83.5 % of the band
  falls in 2941-3125 cm-1 at 296 K, giving 5.0e-20 cm2 molecule-1 and, with 1 ppm m =
  2.479e15 molecule cm-2 (296 K, 101.325 kPa), sigma = 1.24e-4 (ppm m)-1. This is the
  optically thin limit: at larger sigma CL the strong Q-branch lines saturate and the real
  band transmittance is higher than exp(-sigma CL) (so the model over-absorbs thick plumes,
  by a curve-of-growth factor not modelled). Hot bands, the weaker nu_2 + nu_4 band
  (2826 cm-1) and the filter's spectral shape (taken as flat) are left out.
- chlorine 0: a homonuclear diatomic has no vibrational dipole and no infrared absorption
  (Herzberg, *Spectra of Diatomic Molecules*, 1950): Cl2 is invisible to any OGI camera.
- carbon monoxide 0 in this filter: its fundamental (2143 cm-1, 4.67 um) and first overtone
  (4260 cm-1) lie outside 2941-3125 cm-1.

No sourced value is held for ammonia (2 nu_4 near 3216 cm-1 at the filter's edge), propane
(strong C-H stretch inside the filter), hydrogen sulfide or sulfur dioxide;
:func:`ogi_sigma` raises for them rather than guess.

**Smoke.** Optical depth along a ray through a 3-D field kappa(z, y, x) of piecewise-constant
voxels (what a finite-volume fire code such as FDS writes: cell averages), integrated exactly
by voxel traversal (Amanatides & Woo 1987, "A fast voxel traversal algorithm for ray
tracing", Eurographics '87, 3-10)::

    tau = sum over voxels crossed of kappa_voxel * (length of the ray inside the voxel)
    T_r = exp(-tau),    L = T_r L_bg + (1 - T_r) L_smoke      (no scattering into the ray)

Exact traversal rather than fixed-step marching with trilinear sampling: the integral of the
cell-averaged field is exact (no step-size error, no thin layer skipped or aliased), costs
one step per voxel crossed, and splitting a medium into parts makes the transmittances
multiply to rounding. Outside the grid kappa = 0. kappa from soot density:
kappa = K_m rho_soot, K_m = 8700 m2 kg-1 (FDS default for flaming fuels; Mulholland & Croarkin 2000, Fire Mater.
24, 227-230; FDS User's Guide, McGrattan et al., "Visibility and obscuration").

**Fog** (water droplets of a condensing cold cloud; :mod:`sim.render.images.views`). Visible:
the same compositing as smoke with a white fog, T_r = exp(-tau) and L_fog = omega_0 times the
light on a horizontal plane, omega_0 = FOG_SINGLE_SCATTERING_ALBEDO = 1 (water hardly absorbs
visible light). LWIR: the droplets absorb and emit as a grey layer of emissivity

    eps_f = 1 - exp(-k_a LWP),    L = (1 - eps_f) L_bg + eps_f L(T_f)

with LWP the liquid water path along the ray (kg m-2), T_f the fog's temperature and
k_a = 130 m2 kg-1 (0.130 m2 g-1) the broadband longwave mass absorption coefficient of water
clouds of Stephens (1978), "Radiation profiles in extended water clouds. II: Parameterization
schemes", J. Atmos. Sci. 35, 2123-2132 (its upward-flux value; 0.158 downward). Scattering in
the LWIR is neglected (absorption dominates for droplets of a few um at 8-14 um).

**Visibility** of a sign through smoke (Jin 1978, "Visibility through fire smoke",
J. Fire Flammability 9, 135-155; FDS User's Guide)::

    S = C / kappa,    C = 3 for a light-reflecting sign, 8 for a light-emitting sign

Parallelism: the kernels are serial. On the 2-core machine they were timed on (512 x 512
frames: thermal radiance ~40 ms, brightness temperature ~120 ms, smoke ~90 ms for 64 voxels
per ray), a prange over pixels gained at most 1.4x and often nothing, so it was left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

# --------------------------------------------------------------------------- constants

H_PLANCK = 6.62607015e-34  # J s, exact (SI 2019)
C_LIGHT = 299792458.0  # m s-1, exact
K_BOLTZMANN = 1.380649e-23  # J K-1, exact (SI 2019)
C1L = 2.0 * H_PLANCK * C_LIGHT**2  # W m2 sr-1, first radiation constant for radiance
C2 = H_PLANCK * C_LIGHT / K_BOLTZMANN  # m K, second radiation constant
SIGMA_SB = 2.0 * math.pi**5 * K_BOLTZMANN**4 / (15.0 * H_PLANCK**3 * C_LIGHT**2)  # W m-2 K-4
WIEN_B = 2.897771955e-3  # m K, Wien's displacement constant (CODATA 2018)
_PI4_15 = math.pi**4 / 15.0  # G(0), the whole integral of t^3 / (e^t - 1)

# Bernoulli numbers B_2 ... B_30, exact ratios.
_BERNOULLI_EVEN = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
                   43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730, 8553103 / 6,
                   -23749461029 / 870, 8615841276005 / 14322)
# c_m = B_2m / ((2m)! (2m + 3)), m = 1 ... 15: coefficients of x^(2m) in the x < 2 branch.
_SERIES_C = np.array([b / (math.factorial(2 * m) * (2 * m + 3))
                      for m, b in enumerate(_BERNOULLI_EVEN, start=1)])
SERIES_SWITCH_X = 2.0  # G(x): Widger-Woodall series above, Bernoulli complement below
_INV_N = 1.0 / np.arange(1, 2 + int(36.0 / SERIES_SWITCH_X) + 1)  # 1 / n for the Widger-Woodall terms

# Camera bands and defaults.
LWIR_MIN_M, LWIR_MAX_M = 8.0e-6, 14.0e-6


@dataclass(frozen=True)
class Band:
    """A camera's spectral band [lambda_min, lambda_max] (m), flat response inside."""

    name: str
    lambda_min_m: float
    lambda_max_m: float

    def __post_init__(self):
        if not 0.0 < self.lambda_min_m < self.lambda_max_m:
            raise ValueError(f"band {self.name}: need 0 < lambda_min < lambda_max, got "
                             f"{self.lambda_min_m}, {self.lambda_max_m}")

    @property
    def nu_lo(self) -> float:
        """Lower wavenumber edge 1 / lambda_max (m-1)."""
        return 1.0 / self.lambda_max_m

    @property
    def nu_hi(self) -> float:
        """Upper wavenumber edge 1 / lambda_min (m-1)."""
        return 1.0 / self.lambda_min_m


LWIR = Band("LWIR", LWIR_MIN_M, LWIR_MAX_M)  # uncooled microbolometer cameras
MWIR = Band("MWIR", 3.0e-6, 5.0e-6)  # cooled InSb cameras
OGI_METHANE = Band("OGI", 3.2e-6, 3.4e-6)  # cold filter of cooled methane OGI cameras
BANDS = {b.name: b for b in (LWIR, MWIR, OGI_METHANE)}

LWIR_BAND, MWIR_BAND, OGI_METHANE_BAND = LWIR, MWIR, OGI_METHANE  # the renderer's names

# Broadband LWIR emissivities (see the module docstring for sources).
EMISSIVITY_LWIR = {
    "water": 0.98,
    "vegetation": 0.98,
    "soil": 0.96,
    "sand": 0.90,
    "concrete": 0.93,
    "snow": 0.99,
    "blackbody": 1.0,
}
# Per land-cover class, in the order of layers.LAND_COVER_CLASSES.
LAND_COVER_EMISSIVITY = np.array([EMISSIVITY_LWIR[m] for m in ("vegetation", "vegetation", "vegetation", "soil",
                                                               "concrete", "water", "snow", "soil")])


def emissivity_of(water, building, ground: str = "soil", land_cover=None) -> np.ndarray:
    """Per-pixel LWIR emissivity: water where ``water``, concrete on buildings, else the land cover's
    (a LAND_COVER_CLASSES index, -1 unknown) or ``ground``'s.

    >>> emissivity_of(np.array([True, False, False]), np.array([False, True, False])).tolist()
    [0.98, 0.93, 0.96]
    """
    water = np.asarray(water, dtype=bool)
    building = np.asarray(building, dtype=bool)
    surface = EMISSIVITY_LWIR[ground]
    if land_cover is not None:
        land_cover = np.asarray(land_cover)
        surface = np.where(land_cover >= 0, LAND_COVER_EMISSIVITY[np.maximum(land_cover, 0)], surface)
    return np.where(water, EMISSIVITY_LWIR["water"], np.where(building, EMISSIVITY_LWIR["concrete"], surface))


# Gas column: 1 ppm m of a gas in air at the HITRAN reference state (296 K, 101.325 kPa).
T_REF_K = 296.0
P_REF_PA = 101325.0
# Methane nu_3 band: origin, integrated intensity, rotational constants (module docstring).
CH4_NU3_ORIGIN_CM = 3019.49  # cm-1
CH4_NU3_INTENSITY_CM_PER_MOLECULE = 1.1e-17  # cm molecule-1 at 296 K
CH4_B0_CM = 5.241  # cm-1, ground-state rotational constant
CH4_ZETA3 = 0.047  # Coriolis constant of nu_3
_J_MAX = 100  # rotational levels summed in the band envelope


def molecules_per_cm2_per_ppm_m(temperature_k: float = T_REF_K, pressure_pa: float = P_REF_PA) -> float:
    """Column density (molecule cm-2) of 1 ppm m of a gas in air at (T, p): 1e-6 p / (k T) x 1 m.

    >>> round(molecules_per_cm2_per_ppm_m() / 1e15, 3)
    2.479
    """
    return 1.0e-6 * pressure_pa / (K_BOLTZMANN * temperature_k) * 1.0 * 1.0e-4


def methane_band_fraction(nu_lo_cm: float, nu_hi_cm: float, temperature_k: float = T_REF_K) -> float:
    """Fraction of the CH4 nu_3 band intensity in lines centred in [nu_lo, nu_hi] (cm-1).

    Rigid spherical top with Coriolis coupling, weights (2J + 1)^2 exp(-B J (J + 1) c_2 / T),
    P : Q : R split (2J - 1) : (2J + 1) : (2J + 3), from J = 0 only R (module docstring).

    >>> round(methane_band_fraction(1e4 / 3.4, 1e4 / 3.2), 3)
    0.835
    """
    J = np.arange(_J_MAX, dtype=float)
    c2_cm = C2 * 100.0  # cm K
    weight = (2 * J + 1) ** 2 * np.exp(-CH4_B0_CM * J * (J + 1) * c2_cm / temperature_k)
    spacing = 2.0 * CH4_B0_CM * (1.0 - CH4_ZETA3)
    # Shares of P(J), Q(J), R(J); from J = 0 only R(0) exists.
    p_share = np.where(J > 0, (2 * J - 1) / (3 * (2 * J + 1)), 0.0)
    q_share = np.where(J > 0, 1.0 / 3.0, 0.0)
    r_share = 1.0 - p_share - q_share
    branches = (
        (CH4_NU3_ORIGIN_CM - spacing * J, weight * p_share),
        (np.full_like(J, CH4_NU3_ORIGIN_CM), weight * q_share),
        (CH4_NU3_ORIGIN_CM + spacing * (J + 1), weight * r_share),
    )
    total = sum(s.sum() for _, s in branches)
    inside = sum(s[(nu >= nu_lo_cm) & (nu <= nu_hi_cm)].sum() for nu, s in branches)
    return float(inside / total)


def methane_band_absorption(band: Band = OGI_METHANE, temperature_k: float = T_REF_K,
                            pressure_pa: float = P_REF_PA) -> float:
    """Band-averaged absorption coefficient sigma (ppm m)-1 of methane, optically thin limit.

    sigma = S_nu3 f_band / (nu_hi - nu_lo) x (molecules per cm2 in 1 ppm m); see the module
    docstring for the data and what the weak-line limit leaves out.

    >>> round(methane_band_absorption() * 1e4, 2)
    1.24
    """
    nu_lo_cm, nu_hi_cm = band.nu_lo / 100.0, band.nu_hi / 100.0
    f = methane_band_fraction(nu_lo_cm, nu_hi_cm, temperature_k)
    cross_section_cm2 = CH4_NU3_INTENSITY_CM_PER_MOLECULE * f / (nu_hi_cm - nu_lo_cm)
    return cross_section_cm2 * molecules_per_cm2_per_ppm_m(temperature_k, pressure_pa)


# sigma (ppm m)-1 in the 3.2-3.4 um OGI band at 296 K, 101.325 kPa.
OGI_ABSORPTION_PER_PPM_M = {
    "methane": methane_band_absorption(OGI_METHANE),
    "chlorine": 0.0,  # no infrared-active vibration
    "carbon_monoxide": 0.0,  # no band inside 2941-3125 cm-1
}


def ogi_sigma(gas: str, band: Band = OGI_METHANE) -> float:
    """sigma (ppm m)-1 of a gas (names of ``models/gas_dispersion/gases.py``) in an OGI band.

    Only the 3.2-3.4 um methane-camera band is tabulated; gases without a sourced value raise.

    >>> ogi_sigma("chlorine")
    0.0
    """
    if band != OGI_METHANE:
        raise ValueError(f"absorption coefficients are tabulated for the {OGI_METHANE} band only")
    try:
        return OGI_ABSORPTION_PER_PPM_M[gas]
    except KeyError:
        raise KeyError(f"no sourced band-averaged absorption coefficient for {gas!r} in the "
                       f"3.2-3.4 um band; have {sorted(OGI_ABSORPTION_PER_PPM_M)}") from None


# --------------------------------------------------------------------------- Planck kernels


@njit(cache=True)
def I(x):
    """Integral of t^3 / (e^t - 1) from 0 to x < 2 (Bernoulli series), = pi^4 / 15 - G(x)."""
    x2 = x * x
    poly = 0.0
    for m in range(_SERIES_C.size - 1, -1, -1):  # Horner in x^2
        poly = poly * x2 + _SERIES_C[m]
    return x * x2 * (1.0 / 3.0 - x / 8.0 + poly * x2)


@njit(cache=True)
def G(x):
    """Integral of t^3 / (e^t - 1) from x >= 0 to infinity (Widger & Woodall 1976; Bernoulli)."""
    if x < SERIES_SWITCH_X:
        return _PI4_15 - I(x)
    q = math.exp(-x)  # e^(-n x) = q^n
    n_max = 2 + int(36.0 / x)  # <= 20 for x >= 2
    a_3, a_2, a_1 = x * x * x, 3.0 * x * x, 6.0 * x
    qn = 1.0
    total = 0.0
    for m in range(n_max):
        qn *= q
        inv = _INV_N[m]  # 1 / n, n = m + 1
        total += qn * inv * (a_3 + inv * (a_2 + inv * (a_1 + 6.0 * inv)))
    return total


@njit(cache=True)
def dG(x_1, x_2):
    """G(x_1) - G(x_2) for x_1 <= x_2; as I(x_2) - I(x_1) when both are below 2, where the
    two tails would cancel (Rayleigh-Jeans side of the band)."""
    if x_2 < SERIES_SWITCH_X:
        return I(x_2) - I(x_1)
    return G(x_1) - G(x_2)


@njit(cache=True)
def band_radiance_scalar(T, nu_lo, nu_hi):
    """L(T) (W m-2 sr-1): Planck radiance over wavenumbers [nu_lo, nu_hi] (m-1); 0 for T <= 0."""
    if not T > 0.0:
        return 0.0 if T <= 0.0 else math.nan
    x_1 = C2 * nu_lo / T
    x_2 = C2 * nu_hi / T
    r = T / C2
    return C1L * r * r * r * r * dG(x_1, x_2)


@njit(cache=True)
def h(x):
    """x^4 / (e^x - 1) = -x dG/dx, the slope term of dL/dT."""
    if x > 700.0:
        return 0.0
    return x * x * x * x / math.expm1(x)


@njit(cache=True)
def band_radiance_dT(T, nu_lo, nu_hi):
    """dL/dT (W m-2 sr-1 K-1) of :func:`band_radiance_scalar`."""
    x_1 = C2 * nu_lo / T
    x_2 = C2 * nu_hi / T
    r = T / C2
    return C1L * r * r * r / C2 * (4.0 * dG(x_1, x_2) + h(x_1) - h(x_2))


@njit(cache=True)
def brightness_temperature_scalar(L, nu_lo, nu_hi):
    """T_b (K) with band radiance L: safeguarded Newton on ln L(ln T) (module docstring)."""
    if not L > 0.0:
        return 0.0 if L == 0.0 else math.nan
    if math.isinf(L):
        return math.inf
    ln_L = math.log(L)
    # s = ln T. (pi L / sigma_SB)^(1/4) is a lower bound (a band holds less than the whole
    # spectrum); the upper bound is open until an iterate overshoots. First iterate: the
    # monochromatic inversion at the band centre.
    s_lo = 0.25 * math.log(math.pi * L / SIGMA_SB)
    s_hi = math.inf
    nu_c = 0.5 * (nu_lo + nu_hi)
    s = max(s_lo, math.log(C2 * nu_c / math.log1p(C1L * nu_c * nu_c * nu_c * (nu_hi - nu_lo) / L)))
    for _ in range(200):
        T = math.exp(s)
        x_1 = C2 * nu_lo / T
        x_2 = C2 * nu_hi / T
        r = T / C2
        delta_G = dG(x_1, x_2)
        L_T = C1L * r * r * r * r * delta_G
        if L_T == L:
            break
        if L_T > L:
            s_hi = s
        else:
            s_lo = s
        s_new = math.nan
        if L_T > 0.0:
            slope = 4.0 + (h(x_1) - h(x_2)) / delta_G  # d ln L / d ln T
            s_new = s + (ln_L - math.log(L_T)) / slope
        newton = s_lo <= s_new <= s_hi
        if not newton:  # left the bracket, or L(T) underflowed: bisect, or double T
            s_new = 0.5 * (s_lo + s_hi) if s_hi < math.inf else s + math.log(2.0)
        step = abs(s_new - s)
        s = s_new
        # Quadratic convergence: after a Newton step of 1e-8 the error is of order 1e-16.
        if (newton and step < 1e-8) or step < 1e-15:
            break
    return math.exp(s)


@njit(cache=True)
def band_radiance_kernel(T, nu_lo, nu_hi, out):
    """out[k] = L(T[k]); T, out : float[n]."""
    for k in range(out.size):
        out[k] = band_radiance_scalar(T[k], nu_lo, nu_hi)


@njit(cache=True)
def brightness_temperature_kernel(L, nu_lo, nu_hi, out):
    """out[k] = T_b(L[k]); L, out : float[n]."""
    for k in range(out.size):
        out[k] = brightness_temperature_scalar(L[k], nu_lo, nu_hi)


@njit(cache=True)
def thermal_kernel(T_s, eps, L_down, tau_a, T_a, nu_lo, nu_hi, out):
    """out = tau_a [eps L(T_s) + (1 - eps) L_down] + (1 - tau_a) L(T_a), elementwise (float[n])."""
    for k in range(out.size):
        out[k] = (tau_a[k] * (eps[k] * band_radiance_scalar(T_s[k], nu_lo, nu_hi) + (1.0 - eps[k]) * L_down[k])
                  + (1.0 - tau_a[k]) * band_radiance_scalar(T_a[k], nu_lo, nu_hi))


@njit(cache=True)
def ogi_kernel(CL, L_bg, T_g, sigma, nu_lo, nu_hi, out):
    """out = tau_g L_bg + (1 - tau_g) L(T_g), 1 - tau_g as -expm1(-sigma CL); float[n]."""
    for k in range(out.size):
        tau_g = math.exp(-sigma * CL[k])
        out[k] = tau_g * L_bg[k] + (-math.expm1(-sigma * CL[k])) * band_radiance_scalar(T_g[k], nu_lo, nu_hi)


# --------------------------------------------------------------------------- smoke kernels


@njit(cache=True)
def optical_depth_ray(kappa, x_0, y_0, z_0, h_x, h_y, h_z, o_x, o_y, o_z, d_x, d_y, d_z, t_max):
    """tau = integral of kappa dl over t in [0, t_max] along o + t d (|d| = 1), voxel traversal.

    kappa : float[nz, ny, nx], voxel (k, j, i) spans x_0 + i h_x ... x_0 + (i + 1) h_x (and so
    on for y, z); zero outside.
    """
    n_z, n_y, n_x = kappa.shape
    t_in = 0.0
    t_out = t_max
    # Slab intersection of the ray with the grid's box.
    o3 = (o_x, o_y, o_z)
    d3 = (d_x, d_y, d_z)
    lo3 = (x_0, y_0, z_0)
    hi3 = (x_0 + n_x * h_x, y_0 + n_y * h_y, z_0 + n_z * h_z)
    for a in range(3):
        if d3[a] == 0.0:
            if o3[a] < lo3[a] or o3[a] > hi3[a]:
                return 0.0
        else:
            t_1 = (lo3[a] - o3[a]) / d3[a]
            t_2 = (hi3[a] - o3[a]) / d3[a]
            if t_1 > t_2:
                t_1, t_2 = t_2, t_1
            t_in = max(t_in, t_1)
            t_out = min(t_out, t_2)
    if not t_in < t_out:
        return 0.0
    # First voxel: the one holding the midpoint of the first sliver inside the box.
    t_probe = t_in + 1e-9 * (t_out - t_in)
    i = min(max(int(math.floor((o_x + t_probe * d_x - x_0) / h_x)), 0), n_x - 1)
    j = min(max(int(math.floor((o_y + t_probe * d_y - y_0) / h_y)), 0), n_y - 1)
    k = min(max(int(math.floor((o_z + t_probe * d_z - z_0) / h_z)), 0), n_z - 1)
    s_x = 1 if d_x > 0.0 else (-1 if d_x < 0.0 else 0)
    s_y = 1 if d_y > 0.0 else (-1 if d_y < 0.0 else 0)
    s_z = 1 if d_z > 0.0 else (-1 if d_z < 0.0 else 0)
    # Parameter where the ray leaves voxel (k, j, i) through each axis' next face; recomputed
    # from the face position (not accumulated) for the axis stepped.
    t_x = (x_0 + (i + (s_x > 0)) * h_x - o_x) / d_x if s_x != 0 else math.inf
    t_y = (y_0 + (j + (s_y > 0)) * h_y - o_y) / d_y if s_y != 0 else math.inf
    t_z = (z_0 + (k + (s_z > 0)) * h_z - o_z) / d_z if s_z != 0 else math.inf
    tau = 0.0
    t = t_in
    while True:
        t_exit = min(t_x, t_y, t_z, t_out)
        if t_exit > t:
            tau += kappa[k, j, i] * (t_exit - t)
            t = t_exit
        if t >= t_out:
            break
        if t_x <= t_y and t_x <= t_z:
            i += s_x
            if i < 0 or i >= n_x:
                break
            t_x = (x_0 + (i + (s_x > 0)) * h_x - o_x) / d_x
        elif t_y <= t_z:
            j += s_y
            if j < 0 or j >= n_y:
                break
            t_y = (y_0 + (j + (s_y > 0)) * h_y - o_y) / d_y
        else:
            k += s_z
            if k < 0 or k >= n_z:
                break
            t_z = (z_0 + (k + (s_z > 0)) * h_z - o_z) / d_z
    return tau


@njit(cache=True)
def optical_depth_kernel(kappa, origin, spacing, o, d, t_max, out):
    """out[r] = tau of ray r; origin, spacing : float[3] (x, y, z); o, d : float[n, 3]; t_max : float[n]."""
    for r in range(out.size):
        out[r] = optical_depth_ray(kappa, origin[0], origin[1], origin[2], spacing[0], spacing[1], spacing[2],
                                   o[r, 0], o[r, 1], o[r, 2], d[r, 0], d[r, 1], d[r, 2], t_max[r])


# --------------------------------------------------------------------------- public API


def _band(band) -> Band:
    if isinstance(band, Band):
        return band
    if isinstance(band, str):
        return BANDS[band]
    lam_1, lam_2 = band
    return Band("custom", float(lam_1), float(lam_2))


def _flat(*arrays):
    """Broadcast, then contiguous float64 1-d copies, and the common shape."""
    b = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in arrays))
    return [np.array(x, dtype=np.float64, order="C").ravel() for x in b], b[0].shape


def spectral_radiance(wavelength_m, temperature_k) -> np.ndarray:
    """Planck B_lambda(T) in W m-2 sr-1 m-1; arguments broadcast.

    >>> bool(np.isclose(spectral_radiance(10e-6, 300.0), 9.924e6, rtol=1e-3))
    True
    """
    lam = np.asarray(wavelength_m, dtype=np.float64)
    T = np.asarray(temperature_k, dtype=np.float64)
    with np.errstate(over="ignore", divide="ignore"):
        return C1L / lam**5 / np.expm1(C2 / (lam * T))


def band_radiance(temperature_k, band=LWIR) -> np.ndarray:
    """Blackbody band radiance L(T) (W m-2 sr-1) over ``band`` (a :class:`Band`, its name,
    or (lambda_1, lambda_2) in m), elementwise.

    >>> round(float(band_radiance(300.0, LWIR)), 2)
    54.93
    """
    b = _band(band)
    (T,), shape = _flat(temperature_k)
    out = np.empty(T.size)
    band_radiance_kernel(T, b.nu_lo, b.nu_hi, out)
    return out.reshape(shape)


def brightness_temperature(radiance, band=LWIR) -> np.ndarray:
    """Brightness temperature T_b (K): the blackbody temperature with band radiance ``radiance``.

    >>> round(float(brightness_temperature(band_radiance(500.0, "MWIR"), "MWIR")), 9)
    500.0
    """
    b = _band(band)
    (L,), shape = _flat(radiance)
    out = np.empty(L.size)
    brightness_temperature_kernel(L, b.nu_lo, b.nu_hi, out)
    return out.reshape(shape)


def thermal_radiance(surface_temperature_k, emissivity=1.0, sky_radiance=0.0, path_transmittance=1.0,
                     air_temperature_k=0.0, band=LWIR) -> np.ndarray:
    """Band radiance (W m-2 sr-1) reaching a thermal camera from each pixel's surface.

    L = tau_a [eps L(T_s) + (1 - eps) L_down] + (1 - tau_a) L(T_a); arguments broadcast.
    ``sky_radiance`` is the downwelling band radiance L_down (e.g. ``band_radiance(T_sky)``).

    >>> L = thermal_radiance([[300.0]], 0.98, band_radiance(250.0), 0.9, 290.0)
    >>> round(float(brightness_temperature(L)[0, 0]), 2)
    298.33
    """
    b = _band(band)
    (T_s, eps, L_down, tau_a, T_a), shape = _flat(surface_temperature_k, emissivity, sky_radiance,
                                                   path_transmittance, air_temperature_k)
    out = np.empty(T_s.size)
    thermal_kernel(T_s, eps, L_down, tau_a, T_a, b.nu_lo, b.nu_hi, out)
    return out.reshape(shape)


def gas_transmittance(column_ppm_m, sigma_per_ppm_m) -> np.ndarray:
    """tau_g = exp(-sigma CL) of a gas layer."""
    return np.exp(-float(sigma_per_ppm_m) * np.asarray(column_ppm_m, dtype=np.float64))


def ogi_radiance(background_radiance, column_ppm_m, sigma_per_ppm_m, gas_temperature_k,
                 band=OGI_METHANE) -> np.ndarray:
    """Apparent band radiance of a background seen through a gas column (optical gas imaging).

    L = tau_g L_bg + (1 - tau_g) L(T_g), tau_g = exp(-sigma CL); arguments broadcast. sigma
    (ppm m)-1 from :func:`ogi_sigma`. CL = 0 returns ``background_radiance`` bitwise. Several
    gases: apply one after the other (the layers' transmittances multiply).

    >>> L_bg = band_radiance(305.0, OGI_METHANE)
    >>> float(ogi_radiance(L_bg, 0.0, ogi_sigma("methane"), 295.0)) == float(L_bg)
    True
    """
    b = _band(band)
    sigma = float(sigma_per_ppm_m)
    if not sigma >= 0.0:
        raise ValueError(f"sigma = {sigma}: an absorption coefficient is >= 0")
    (L_bg, CL, T_g), shape = _flat(background_radiance, column_ppm_m, gas_temperature_k)
    if np.any(CL < 0.0):
        raise ValueError("column densities must be >= 0")
    out = np.empty(CL.size)
    ogi_kernel(CL, L_bg, T_g, sigma, b.nu_lo, b.nu_hi, out)
    return out.reshape(shape)


def smoke_optical_depth(extinction_zyx, grid_origin_xyz, voxel_size_xyz, ray_origins, ray_directions,
                        max_distance=np.inf) -> np.ndarray:
    """Optical depth tau = integral of kappa dl along rays through a voxel grid (exact traversal).

    extinction_zyx : (nz, ny, nx) kappa (m-1), voxel (k, j, i) the box from
    ``grid_origin_xyz + (i, j, k) * voxel_size_xyz`` to the next; ray_origins, ray_directions :
    (n, 3) in (x, y, z), directions normalised here; max_distance : scalar or (n,), where each
    ray stops (m, e.g. the distance to the surface it sees). Returns (n,).

    >>> kappa = np.full((4, 1, 1), 1.0)               # 1 m of kappa = 1 m-1 along z
    >>> float(smoke_optical_depth(kappa, (0, 0, 0), (1, 1, 0.25), [[0.5, 0.5, -1.0]], [[0, 0, 1.0]])[0])
    1.0
    """
    kappa = np.ascontiguousarray(extinction_zyx, dtype=np.float64)
    if kappa.ndim != 3:
        raise ValueError(f"extinction field must be 3-d (z, y, x), got shape {kappa.shape}")
    if np.any(kappa < 0.0):
        raise ValueError("extinction coefficients must be >= 0")
    origin = np.ascontiguousarray(np.asarray(grid_origin_xyz, dtype=np.float64).reshape(3))
    spacing = np.ascontiguousarray(np.asarray(voxel_size_xyz, dtype=np.float64).reshape(3))
    if np.any(spacing <= 0.0):
        raise ValueError(f"voxel sizes must be > 0, got {spacing}")
    o = np.ascontiguousarray(np.atleast_2d(np.asarray(ray_origins, dtype=np.float64)))
    d = np.atleast_2d(np.asarray(ray_directions, dtype=np.float64))
    if o.shape[1:] != (3,) or d.shape != o.shape:
        raise ValueError(f"ray origins and directions must both be (n, 3), got {o.shape}, {d.shape}")
    norm = np.linalg.norm(d, axis=1)
    if np.any(norm == 0.0):
        raise ValueError("ray directions must be non-zero")
    d = np.ascontiguousarray(d / norm[:, None])
    t_max = np.ascontiguousarray(np.broadcast_to(np.asarray(max_distance, dtype=np.float64), (o.shape[0],)))
    out = np.empty(o.shape[0])
    optical_depth_kernel(kappa, origin, spacing, o, d, t_max, out)
    return out


def smoke_transmittance(extinction_zyx, grid_origin_xyz, voxel_size_xyz, ray_origins, ray_directions,
                        max_distance=np.inf) -> np.ndarray:
    """T_r = exp(-tau) along rays (:func:`smoke_optical_depth`)."""
    return np.exp(-smoke_optical_depth(extinction_zyx, grid_origin_xyz, voxel_size_xyz, ray_origins,
                                       ray_directions, max_distance))


def smoke_radiance(transmittance, background_radiance, smoke_radiance_) -> np.ndarray:
    """Apparent radiance through smoke without in-scattering: T_r L_bg + (1 - T_r) L_smoke.

    Any radiometric unit (band radiance, or linear RGB); arguments broadcast.
    """
    T_r = np.asarray(transmittance, dtype=np.float64)
    return T_r * np.asarray(background_radiance, dtype=np.float64) + (1.0 - T_r) * np.asarray(
        smoke_radiance_, dtype=np.float64)


FOG_SINGLE_SCATTERING_ALBEDO = 1.0  # visible, water droplets (Hale & Querry 1973: k ~ 1e-9)
FOG_LWIR_MASS_ABSORPTION_M2_KG = 130.0  # Stephens (1978), 0.130 m2 g-1


def fog_emissivity(liquid_water_path_kg_m2, mass_absorption_m2_kg=FOG_LWIR_MASS_ABSORPTION_M2_KG) -> np.ndarray:
    """LWIR emissivity (= absorptance) of a fog layer, 1 - exp(-k_a LWP) (Stephens 1978).

    >>> round(float(fog_emissivity(1.0 / 130.0)), 6)  # one absorption length
    0.632121
    """
    lwp = np.asarray(liquid_water_path_kg_m2, dtype=np.float64)
    if np.any(lwp < 0.0):
        raise ValueError("liquid water paths must be >= 0")
    return -np.expm1(-mass_absorption_m2_kg * lwp)


def fog_thermal_radiance(background_radiance, liquid_water_path_kg_m2, fog_band_radiance) -> np.ndarray:
    """(1 - eps_f) L_bg + eps_f L(T_f): a grey absorbing and emitting fog layer in front of L_bg."""
    eps = fog_emissivity(liquid_water_path_kg_m2)
    return (1.0 - eps) * np.asarray(background_radiance, dtype=np.float64) + eps * np.asarray(
        fog_band_radiance, dtype=np.float64)


def fog_visible_radiance(optical_depth, background_radiance, light_on_top) -> np.ndarray:
    """T L_bg + (1 - T) omega_0 E: white fog of visible optical depth tau (T = exp(-tau)) in front of
    L_bg, lit by E (the radiance a white Lambertian plane would have there)."""
    tau = np.asarray(optical_depth, dtype=np.float64)
    if np.any(tau < 0.0):
        raise ValueError("optical depths must be >= 0")
    return smoke_radiance(np.exp(-tau), background_radiance,
                          FOG_SINGLE_SCATTERING_ALBEDO * np.asarray(light_on_top, dtype=np.float64))


VISIBILITY_FACTOR_REFLECTING = 3.0  # Jin (1978)
VISIBILITY_FACTOR_EMITTING = 8.0
SOOT_MASS_EXTINCTION_M2_KG = 8700.0  # FDS default K_m (Mulholland & Croarkin 2000)


def extinction_coefficient(soot_density_kg_m3, mass_extinction_m2_kg=SOOT_MASS_EXTINCTION_M2_KG) -> np.ndarray:
    """kappa = K_m rho_soot (m-1).

    >>> round(float(extinction_coefficient(95.236022e-6)), 4)   # FDS smoke_test device value
    0.8286
    """
    return mass_extinction_m2_kg * np.asarray(soot_density_kg_m3, dtype=np.float64)


def visibility_distance(extinction_per_m, light_emitting: bool = False) -> np.ndarray:
    """S = C / kappa (m), C = 8 for a light-emitting sign, 3 for a reflecting one (Jin 1978).

    Clear air (kappa = 0) gives infinity.

    >>> float(visibility_distance(1.0)), float(visibility_distance(1.0, light_emitting=True))
    (3.0, 8.0)
    """
    C = VISIBILITY_FACTOR_EMITTING if light_emitting else VISIBILITY_FACTOR_REFLECTING
    kappa = np.asarray(extinction_per_m, dtype=np.float64)
    if np.any(kappa < 0.0):
        raise ValueError("extinction coefficients must be >= 0")
    with np.errstate(divide="ignore"):
        return C / kappa


class BrightnessTable:
    """T_b(L) of a band by interpolation in a table of L(T), for whole frames.

    The exact inversion (:func:`brightness_temperature`) costs a Newton iteration per pixel;
    a frame only needs T_b to a small fraction of a camera's NETD (30-50 mK). ln L is smooth
    and increasing in T, so T is interpolated linearly in ln L between table temperatures
    ``step_k`` apart: the error is of order step^2 |d^2 T / d(ln L)^2| / 8, below 1 mK for
    the default 0.05 K steps from 150 to 2500 K (checked against the exact inverse in the
    tests). Radiances outside the table give NaN.
    """

    def __init__(self, band=LWIR, t_min_k: float = 150.0, t_max_k: float = 2500.0, step_k: float = 0.05) -> None:
        self.temperature = np.arange(t_min_k, t_max_k + step_k / 2, step_k)
        self.log_radiance = np.log(band_radiance(self.temperature, band))

    def __call__(self, radiance) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.log(np.asarray(radiance, dtype=np.float64))
        return np.interp(x, self.log_radiance, self.temperature, left=np.nan, right=np.nan)
