"""Sound from source points to a microphone: spreading, air absorption, ground, delay; wind noise.

Each one-third octave band is propagated on its own, as mean-square pressure (energy), from
every point of an :class:`~sim.render.sound.bands.AcousticSource` to one microphone, and the
points are summed energetically. What a model emits (L_W per band and point) and what a
microphone keeps (its first ``n_bands`` bands, :func:`~sim.render.sound.bands.bands_below`)
is all this module needs.

Symbols:

======== ============================================================== ====================
symbol   meaning                                                        unit
======== ============================================================== ====================
f        frequency (band centre f_m for a band)                         Hz
T        air temperature (T = t + 273.15 for t in deg C)                K
T_0      reference air temperature, 293.15                              K
T_01     triple-point isotherm temperature of water, 273.16             K
h_r      relative humidity                                              %
h        molar concentration of water vapour                            %
p_a      ambient atmospheric pressure                                   kPa
p_r      reference atmospheric pressure, 101.325                        kPa
p_sat    saturation vapour pressure of water                            kPa
f_rO     relaxation frequency of oxygen                                 Hz
f_rN     relaxation frequency of nitrogen                               Hz
alpha    pure-tone attenuation coefficient of air                       dB m-1
c        speed of sound                                                 m s-1
r_1      source to microphone distance (direct ray)                     m
r_2      image source to microphone distance (ground-reflected ray)     m
r_min    shortest distance used, 0.1                                    m
Q2       energy reflection coefficient of the ground, |Q|^2 in [0, 1]   1
L_W      sound power level of a point in a band                         dB re 1 pW
L_p      sound pressure level at the microphone in a band               dB re 20 uPa
U        mean wind speed at the microphone                              m s-1
D        windscreen diameter                                            m
rho      air density in Strasberg's fit, 1.23                           kg m-3
S        Strouhal number f_m D / U                                      1
======== ============================================================== ====================

**Air absorption**, ISO 9613-1:1993 ("Acoustics -- Attenuation of sound during propagation
outdoors -- Part 1: Calculation of the absorption of sound by the atmosphere"), eqs. (3)-(5)
and Annex B::

    p_sat / p_r = 10^C,  C = -6.8346 (T_01 / T)^1.261 + 4.6151                     (B.2, B.3)
    h     = h_r (p_sat / p_r) / (p_a / p_r)                                          (B.1)
    f_rO  = (p_a / p_r) (24 + 4.04e4 h (0.02 + h) / (0.391 + h))                     (3)
    f_rN  = (p_a / p_r) (T / T_0)^(-1/2) (9 + 280 h exp(-4.170 ((T / T_0)^(-1/3) - 1)))  (4)
    alpha = 8.686 f^2 [ 1.84e-11 (p_a / p_r)^-1 (T / T_0)^(1/2)                      (5)
                        + (T / T_0)^(-5/2) ( 0.01275 exp(-2239.1 / T) / (f_rO + f^2 / f_rO)
                                           + 0.1068  exp(-3352.0 / T) / (f_rN + f^2 / f_rN) ) ]

The first term is the classical (viscosity, heat conduction) plus rotational relaxation
absorption, the other two the vibrational relaxation of O2 and N2. The standard quotes
+-10 % for h 0.05 ... 5 %, -20 ... +50 deg C, p_a < 200 kPa and f / p_a from 4e-4 to 10 Hz/Pa
(40 Hz ... 1 MHz at one atmosphere), which covers every band here (25 Hz is just below).
Its Table 1 is computed at the exact mid-band frequencies 1000 * 10^(k/10) Hz, the
frequencies :data:`~sim.render.sound.bands.BAND_CENTRES_HZ` holds. A band is given the
pure-tone alpha at its centre: across a one-third octave alpha changes by -21 % ... +26 % at
high frequency (alpha ~ f^2), so a band level is right for short paths and over-attenuated
(the lower edge of the band survives better) once alpha r_1 reaches some tens of dB; Rickley,
Fleming & Roof (2007), Noise Control Eng. J. 55(6), 482-494, give band corrections for that
regime, where the band is far below anything else the microphone hears.

**Speed of sound**, ISO 9613-1 (343.2 m/s at T_0, scaled as an ideal gas):
c = 343.2 (T / T_0)^(1/2); 331.3 m/s at 0 deg C. The delay of a source is r / c, r its
energy-weighted mean distance (the distance of what the microphone hears most of).

**Point source with ground**: each point is an omnidirectional monopole in a free half-space
over a flat ground plane z = 0 (positions above it, z >= 0)::

    L_p = 10 lg( sum_points 10^(L_W / 10) [ 10^(-alpha r_1 / 10) / (4 pi r_1^2)
                                          + Q2 10^(-alpha r_2 / 10) / (4 pi r_2^2) ] )

that is L_p = L_W - 10 lg(4 pi r_1^2) - alpha r_1 for one point without ground (the ISO 9613-2
geometric divergence 20 lg r + 11 dB, with rho c taken as 400 Pa s/m, so the 0.1 dB of the
real rho c = 413 Pa s/m at 20 deg C is not added). The image source sits at (x, y, -z): a
reflected ray of length r_2 carrying the fraction Q2 of the energy. The reflected ray is
added **incoherently** (energies, not pressures). The coherent two-ray sum, with a complex
plane- or spherical-wave reflection coefficient from a ground impedance (Delany & Bazley 1970;
ISO 9613-2 replaces it by its empirical ground term A_gr), makes interference dips at
f = c (2 n + 1) / (2 (r_2 - r_1)) for a hard ground; a one-third octave band spans 23 % of
its centre frequency and holds many of those fringes once r_2 - r_1 is well above
1 / 0.23 ~ 4 wavelengths,
and outdoor turbulence decorrelates the two rays at long range besides, so the band average
of |1 + Q e^(i k (r_2 - r_1)) r_1 / r_2|^2 is 1 + |Q|^2 (r_1 / r_2)^2: what is added here.
Only near grazing incidence at low frequency (r_2 - r_1 a few wavelengths or less), where the
coherent sum can give up to +6 dB or a ground-wave dip, does this differ; that regime, and
any frequency dependence of |Q|^2, is not modelled. A hard ground (Q2 = 1) far away
(r_2 ~ r_1) thus doubles the energy: +3.01 dB.

Distances below r_min = 0.1 m are raised to it: inside the near field (k r < 1 below
about 550 Hz at 0.1 m) and within a source's own extent the monopole 1 / r^2 law is not meant
to hold, and a point on the microphone would otherwise give an infinite level.

**Wind noise**, Strasberg, M. (1988), "Dimensional analysis of windscreen noise",
J. Acoust. Soc. Am. 83(2), 544-548: one-third octave band levels of the pressure inside
spherical or cylindrical foam windscreens, collapsed over the data of four authors (D 2.5 to
25 cm, U 6 to 23 m/s) as a function of the Strouhal number, as quoted (with the SI form) by
van den Berg, G. P. (2006), "The sound of high winds", PhD thesis, University of Groningen,
ch. VIII, eqs. VIII.1-2::

    20 lg(p_1/3 / (rho U^2)) = -23 lg(f_m D / U) - 81
    L_p = 20 lg(rho U^2 / p_0) - 23 lg(S) - 81      (= 40 lg U - 23 lg S + 15 for rho = 1.23)

within about 3 dB of the data for 0.1 < S < 5. The data are wind-tunnel (low-turbulence)
flows; outdoors the atmospheric turbulence adds low-frequency pressure that this fit does not
contain (Morgan et al. 1992, as cited there), so it is a lower bound on wind noise in gusty
air. Outside 0.1 < S < 5 the power law is extrapolated.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.render.sound.bands import BAND_CENTRES_HZ, P_REF

T0_K = 293.15  # reference air temperature, ISO 9613-1
T01_K = 273.16  # triple-point isotherm temperature, ISO 9613-1 Annex B
KELVIN = 273.15  # 0 deg C in K
P_REF_KPA = 101.325  # reference atmospheric pressure, ISO 9613-1
C_REF_M_S = 343.2  # speed of sound at T0, ISO 9613-1
MIN_DISTANCE_M = 0.1  # near-field floor on source-microphone distance
NO_GROUND = -1.0  # ground_q2 below zero: free field, no reflected ray
# Strasberg (1988) fit, as quoted by van den Berg (2006) eq. VIII.1.
STRASBERG_RHO = 1.23  # kg m-3, air density van den Berg uses for the SI form (1 bar, 10 deg C)
STRASBERG_SLOPE = -23.0  # dB per decade of Strouhal number
STRASBERG_OFFSET = -81.0  # dB, 20 lg(p_1/3 / (rho U^2)) at S = 1
STRASBERG_STROUHAL_RANGE = (0.1, 5.0)  # where the fit holds to about 3 dB
_LN10_10 = math.log(10.0) / 10.0  # 10^(x/10) = exp(x * _LN10_10)
_FOUR_PI = 4.0 * math.pi


# --------------------------------------------------------------------------- ISO 9613-1


@njit(cache=True)
def absorption_coefficient(f, t, h_r, p_a):
    """alpha (dB/m) of ISO 9613-1 eq. (5) at one frequency f (Hz), t (deg C), h_r (%), p_a (kPa)."""
    T = t + KELVIN
    p = p_a / P_REF_KPA
    C = -6.8346 * (T01_K / T) ** 1.261 + 4.6151
    h = h_r * 10.0**C / p
    f_rO = p * (24.0 + 4.04e4 * h * (0.02 + h) / (0.391 + h))
    tau = T / T0_K
    f_rN = p * tau**-0.5 * (9.0 + 280.0 * h * math.exp(-4.170 * (tau ** (-1.0 / 3.0) - 1.0)))
    f2 = f * f
    return 8.686 * f2 * (
        1.84e-11 / p * math.sqrt(tau)
        + tau**-2.5 * (0.01275 * math.exp(-2239.1 / T) / (f_rO + f2 / f_rO)
                       + 0.1068 * math.exp(-3352.0 / T) / (f_rN + f2 / f_rN))
    )


@njit(cache=True)
def absorption_coefficients(f, t, h_r, p_a, out):
    """:func:`absorption_coefficient` elementwise over 1-d arrays of equal length; out : float[n]."""
    for k in range(out.size):
        out[k] = absorption_coefficient(f[k], t[k], h_r[k], p_a[k])


def air_absorption_db_per_m(frequency_hz, temperature_c=20.0, relative_humidity_pct=50.0,
                            pressure_kpa=101.325) -> np.ndarray:
    """ISO 9613-1 pure-tone attenuation coefficient of air, dB/m; arguments broadcast.

    >>> a = air_absorption_db_per_m([1000.0, 40000.0])
    >>> bool(abs(a[0] * 1000.0 - 4.66) < 0.01), bool(1.2 < a[1] < 1.4)
    (True, True)
    """
    args = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                 (frequency_hz, temperature_c, relative_humidity_pct, pressure_kpa)))
    flat = [np.ascontiguousarray(a).ravel() for a in args]
    out = np.empty(flat[0].size)
    absorption_coefficients(flat[0], flat[1], flat[2], flat[3], out)
    return out.reshape(args[0].shape)


def band_absorption_db_per_m(n_bands: int, temperature_c=20.0, relative_humidity_pct=50.0,
                             pressure_kpa=101.325) -> np.ndarray:
    """alpha (dB/m) at the centres of the first ``n_bands`` one-third octave bands."""
    return air_absorption_db_per_m(BAND_CENTRES_HZ[:n_bands], temperature_c, relative_humidity_pct,
                                   pressure_kpa)


def speed_of_sound(temperature_c=20.0) -> np.ndarray:
    """c = 343.2 sqrt(T / 293.15) m/s (ISO 9613-1).

    >>> round(float(speed_of_sound(0.0)), 1)
    331.3
    """
    return C_REF_M_S * np.sqrt((np.asarray(temperature_c, dtype=float) + KELVIN) / T0_K)


# --------------------------------------------------------------------------- propagation


@njit(cache=True, error_model="numpy")
def propagate_points(positions, power_db, mic, alpha, Q2, out):
    """L_p (dB re 20 uPa) per band in ``out`` (float[B]); returns the energy-weighted mean r_1 (m).

    positions : float[n, 3]; power_db : float[n, >= B] L_W; mic : float[3]; alpha : float[B]
    (dB/m); Q2 < 0 for no ground. Serial: a parallel loop over points (one partial sum per
    thread) did not pay for 10^4 ... 10^5 points on the 2-core machine it was timed on.
    """
    n = positions.shape[0]
    B = out.size
    acc = np.zeros(B)
    e_r = 0.0  # sum over points of e r_1
    e_all = 0.0  # sum over points of e
    r_all = 0.0  # plain sum of r_1, for a silent source
    x_m, y_m, z_m = mic[0], mic[1], mic[2]
    for k in range(n):
        dx = positions[k, 0] - x_m
        dy = positions[k, 1] - y_m
        d2 = dx * dx + dy * dy
        dz1 = positions[k, 2] - z_m
        dz2 = positions[k, 2] + z_m
        r_1 = max(math.sqrt(d2 + dz1 * dz1), MIN_DISTANCE_M)
        r_2 = max(math.sqrt(d2 + dz2 * dz2), MIN_DISTANCE_M)
        g_1 = 1.0 / (_FOUR_PI * r_1 * r_1)
        g_2 = Q2 / (_FOUR_PI * r_2 * r_2)
        e = 0.0
        for b in range(B):
            L_W = power_db[k, b]
            e_b = math.exp((L_W - alpha[b] * r_1) * _LN10_10) * g_1
            if Q2 > 0.0:
                e_b += math.exp((L_W - alpha[b] * r_2) * _LN10_10) * g_2
            acc[b] += e_b
            e += e_b
        e_r += e * r_1
        e_all += e
        r_all += r_1
    for b in range(B):
        out[b] = 10.0 * math.log10(acc[b]) if acc[b] > 0.0 else -math.inf
    if n == 0:
        return math.nan
    if e_all > 0.0:
        return e_r / e_all
    return r_all / n


def received_band_levels(positions_m, power_db, mic_m, alpha_db_per_m, ground_q2=NO_GROUND):
    """Band levels L_p (dB re 20 uPa) of all points at one microphone, and their mean distance.

    positions_m : (n, 3) points above the ground z = 0; power_db : (n, >= B) L_W per band
    (dB re 1 pW, -inf for none), of which the first B = len(alpha_db_per_m) bands are used;
    mic_m : (3,); alpha_db_per_m : (B,) air absorption per band (:func:`band_absorption_db_per_m`);
    ground_q2 : energy reflection coefficient |Q|^2 in [0, 1] of a flat ground at z = 0, or
    negative for a free field. Returns ``(levels (B,), r_mean)`` with r_mean the direct-path
    distance (m) weighted by the energy each point delivers to the microphone (all kept bands;
    the plain mean for a silent source, NaN for no points): the delay of a distributed source is
    r_mean / c.

    >>> lp, r = received_band_levels([[0.0, 0.0, 1.0]], [[100.0]], [10.0, 0.0, 1.0], [0.0])
    >>> round(float(lp[0]), 1), float(r)       # 100 - 10 lg(4 pi 10^2)
    (69.0, 10.0)
    """
    positions = np.ascontiguousarray(np.atleast_2d(np.asarray(positions_m, dtype=float)))
    power = np.ascontiguousarray(np.atleast_2d(np.asarray(power_db, dtype=float)))
    mic = np.ascontiguousarray(np.asarray(mic_m, dtype=float).reshape(3))
    alpha = np.ascontiguousarray(np.asarray(alpha_db_per_m, dtype=float).ravel())
    if positions.shape[1] != 3 or power.shape[0] != positions.shape[0] or power.shape[1] < alpha.size:
        raise ValueError(f"expected positions (n, 3) and power (n, >= {alpha.size}), got "
                         f"{positions.shape} and {power.shape}")
    if ground_q2 > 1.0:
        raise ValueError(f"ground_q2 = {ground_q2}: an energy reflection coefficient is at most 1")
    out = np.empty(alpha.size)
    r_mean = propagate_points(positions, power, mic, alpha, float(ground_q2), out)
    return out, float(r_mean)


# --------------------------------------------------------------------------- wind noise


def wind_noise_band_levels(wind_speed_m_s: float, windscreen_diameter_m: float, n_bands: int,
                           air_density_kg_m3: float = STRASBERG_RHO) -> np.ndarray:
    """One-third octave L_p (dB re 20 uPa) of wind noise inside a windscreen, Strasberg (1988).

    L_p = 20 lg(rho U^2 / p_0) - 23 lg(f_m D / U) - 81 in the first ``n_bands`` bands. The fit
    holds (to about 3 dB) for 0.1 < f_m D / U < 5; outside it the power law is extrapolated.
    No wind gives -inf (silence).

    >>> l = wind_noise_band_levels(10.0, 0.1, 17)   # band 16 is 1 kHz: S = 10
    >>> round(float(l[16]), 1)                        # 20 lg(123 / 2e-5) - 23 - 81
    31.8
    """
    U, D = float(wind_speed_m_s), float(windscreen_diameter_m)
    if U < 0.0 or D <= 0.0:
        raise ValueError(f"wind speed {U} m/s and windscreen diameter {D} m: need U >= 0, D > 0")
    if U == 0.0:
        return np.full(n_bands, -np.inf)
    S = BAND_CENTRES_HZ[:n_bands] * D / U
    return (20.0 * np.log10(air_density_kg_m3 * U * U / P_REF) + STRASBERG_SLOPE * np.log10(S)
            + STRASBERG_OFFSET)
