"""Sound of a gas leak: the turbulent-mixing noise of the jet issuing from the hole.

A pressurised gas escaping through a hole of diameter D forms a jet whose turbulent mixing
layer radiates broadband noise (Lighthill 1952, 1954). The release rate alone does not fix
the jet (a large hole at low pressure and a small one at high pressure may pass the same
mass), so the release must give ``hole_diameter_m``; without it the leak is silent here.

Governing equations
-------------------
Exit state. With the gas stored at T_0 (``storage_temperature_K``) and the ideal-gas ratio
of specific heats gamma of the gas (``gases.Gas.gamma``), the exit is first assumed choked
(sonic), as it is for any stored pressure above ((gamma + 1)/2)^(gamma/(gamma-1)) times
ambient, 1.7 (propane) to 1.9 (CO) (isentropic nozzle flow, e.g. Anderson, *Modern
Compressible Flow*, ch. 5):

    U* = sqrt(gamma R_g T_0 2 / (gamma + 1)),   T* = 2 T_0 / (gamma + 1),
    rho_e = m_dot / (U* A),   p_e = rho_e R_g T*,   p_0 = p_e ((gamma + 1)/2)^(gamma/(gamma-1))

The exit density implied by the rate and the hole must be physical: a choked exit cannot be
below the ambient pressure. When p_e < p_a the hole is too large for the rate to choke it, and
the exit is subsonic at p_e = p_a; energy (T_e = T_0 - U^2 / 2 c_p) and continuity
(m_dot = A U p_a / (R_g T_e)) then give the exit speed as the positive root of

    (m_dot R_g / 2 c_p) U^2 + A p_a U - m_dot R_g T_0 = 0,

which meets U* exactly where p_e = p_a. (Ideal gas: a liquefied or supercritical store,
which flashes at the hole, is outside this model.)

Sound power. Lighthill's eighth-power law for the turbulent-mixing noise of a jet of
diameter D and speed U into air of density rho_0 and sound speed c_0:

    W_L = K rho_0 D^2 U^8 / c_0^5

with K = 3.9e-5: Lighthill's acoustic efficiency of cold subsonic jets,
eta = W / (rho U^3 pi D^2 / 8) ~ 1e-4 M^5 (Lighthill 1963, "Jet noise", AIAA J. 1:1507; the
comparison with measured jets is in Lighthill 1954, section 7), which for a jet of the ambient
density is K = (pi/8) 1e-4. The law holds for subsonic compact jets; at supersonic speeds the
efficiency stops growing as M^5 and saturates at a fraction of a per cent of the jet's
mechanical power. The power is therefore capped:

    W = min(W_L, eta_max W_m),   W_m = m_dot U^2 / 2,   eta_max = 0.005

eta_max = 0.5 % is the acoustic efficiency NASA SP-8072 (Eldred 1971) uses for rocket and
supersonic jets; measured: 0.33 % for NASA's SLS and about twice that for Saturn V ("Sound power
of NASA's lunar rockets", JASA Express Lett. 3:113601, 2023), "less than 1 %" and 250 MW of
45 GW for Saturn V ("The roar of a rocket", Physics Today 77(3):46, 2024).

Spectrum. Jet-mixing noise is broadband and scales with the Strouhal number St = f D / U;
its one-third-octave power peaks near St = 0.2. The shape is the similarity spectrum of the
large turbulence structures of Tam, Golebiowski & Seiner (1996, "On the two components of
turbulent mixing noise from supersonic jets", AIAA paper 96-1716), a spectral density
F(f / f_L) (dB) with x = log10(f / f_L):

    F = 2.53895 + 18.4 x                                     f/f_L < 0.5
    F = -38.19338 x^2 - 16.91175 x^3                          0.5 <= f/f_L < 1
    F = (1.06617 - 45.29940 x + 21.40972 x^2) x               1 <= f/f_L < 2.5
    F = 5.64174 - 27.7472 x                                   f/f_L >= 2.5

i.e. slopes of f^1.84 below and f^-2.77 above the peak. Tam et al. found the large-structure
component dominant for supersonic (choked-leak) jets in the directions where most power goes;
the fine-scale spectrum G is broader and dominates sideways. Its power per unit log-frequency,
f F(f / f_L), peaks at f = 1.36 f_L; f_L is placed so that this peak is at St_p = 0.2,
f_p = 0.2 U / D. The band powers are the integrals of the spectrum over each IEC band, as
fractions of W; the lowest band also takes all power below 22.4 Hz and the highest all power
above 71 kHz, so that the band powers add up to W exactly (a 1-mm leak's peak near 80 kHz
and its tail beyond the renderer's last band are carried by that band).

Scope: mixing noise only; shock-associated noise and screech tones of underexpanded jets
(Tam & Tanna 1982) are not added. The jet is taken at the hole (diameter D, exit speed U), not
at its fully expanded state. The source radiates as an omnidirectional point at the release.

==========  ============================================  =============
symbol      meaning                                       unit
==========  ============================================  =============
m_dot       release rate                                  kg s-1
D, A        hole diameter, area pi D^2 / 4                m, m2
T_0         storage (stagnation) temperature              K
gamma       ratio of specific heats of the gas            1
R_g         specific gas constant R / M_g                 J kg-1 K-1
c_p         specific heat gamma R_g / (gamma - 1)         J kg-1 K-1
U           exit speed (U* when choked)                   m s-1
rho_e, p_e  exit density and pressure                     kg m-3, Pa
p_0         implied storage (stagnation) pressure         Pa
p_a, T_a    ambient pressure and temperature              Pa, K
rho_0, c_0  ambient air density and speed of sound        kg m-3, m s-1
K           Lighthill's constant                          1
W_L, W      Lighthill power, radiated sound power         W
W_m         jet mechanical power m_dot U^2 / 2            W
eta_max     acoustic-efficiency cap                       1
St          Strouhal number f D / U                       1
f_p         frequency of the one-third-octave peak        Hz
==========  ============================================  =============

Air: M_air = 28.9644 g/mol and gamma_air = 1.4 (dry air, US Standard Atmosphere 1976);
c_0 = sqrt(gamma_air R T_a / M_air), rho_0 = p_a M_air / (R T_a).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from models.gas_dispersion.gases import GASES, R_GAS, Gas
from sim.render.sound.bands import BAND_UPPER_HZ, AcousticSource, power_db

LABEL = "gas_leak_jet"
LIGHTHILL_K = math.pi / 8.0 * 1e-4  # 3.9e-5: eta = 1e-4 M^5 (Lighthill 1963) for a jet of ambient density
ETA_MAX = 0.005  # acoustic-efficiency cap of supersonic jets, NASA SP-8072 (Eldred 1971)
STROUHAL_PEAK = 0.2  # St = f D / U of the one-third-octave peak of jet-mixing noise
M_AIR = 28.9644e-3  # kg/mol, dry air (US Standard Atmosphere 1976)
GAMMA_AIR = 1.4


@dataclass(frozen=True)
class LeakJet:
    """The jet of a leak and its noise (see the module docstring for the symbols)."""

    exit_velocity_m_s: float
    exit_density_kg_m3: float
    exit_pressure_pa: float
    storage_pressure_pa: float
    choked: bool
    lighthill_power_w: float
    mechanical_power_w: float
    sound_power_w: float
    peak_frequency_hz: float

    @property
    def capped(self) -> bool:
        return self.sound_power_w < self.lighthill_power_w


def air_properties(temperature_k: float, pressure_pa: float) -> tuple[float, float]:
    """(rho_0, c_0) of dry air at (T, p), ideal gas."""
    rho = pressure_pa * M_AIR / (R_GAS * temperature_k)
    c = math.sqrt(GAMMA_AIR * R_GAS * temperature_k / M_AIR)
    return rho, c


def lighthill_power_w(diameter_m: float, velocity_m_s: float, rho_0: float, c_0: float) -> float:
    """Lighthill's eighth-power law W = K rho_0 D^2 U^8 / c_0^5 (W)."""
    return LIGHTHILL_K * rho_0 * diameter_m**2 * velocity_m_s**8 / c_0**5


def jet_sound_power_w(diameter_m: float, velocity_m_s: float, rate_kg_s: float, rho_0: float, c_0: float) -> float:
    """Radiated power: Lighthill's law, capped at ETA_MAX of the jet's mechanical power (W)."""
    return min(lighthill_power_w(diameter_m, velocity_m_s, rho_0, c_0), ETA_MAX * 0.5 * rate_kg_s * velocity_m_s**2)


def exit_state(gas: Gas, rate_kg_s: float, diameter_m: float, storage_temperature_K: float,
               ambient_pressure_pa: float) -> tuple[float, float, float, float, bool]:
    """(U, rho_e, p_e, p_0, choked) of the isentropic exit of ``rate_kg_s`` through the hole."""
    if rate_kg_s <= 0 or diameter_m <= 0 or storage_temperature_K <= 0:
        raise ValueError("rate, hole diameter and storage temperature must be positive")
    gamma = gas.gamma
    r_g = R_GAS / gas.molar_mass_kg_mol
    area = 0.25 * math.pi * diameter_m**2
    t0 = storage_temperature_K
    u_star = math.sqrt(gamma * r_g * t0 * 2.0 / (gamma + 1.0))
    rho_star = rate_kg_s / (u_star * area)
    p_star = rho_star * r_g * 2.0 * t0 / (gamma + 1.0)
    expo = gamma / (gamma - 1.0)
    if p_star >= ambient_pressure_pa:  # choked: the exit is sonic and above ambient pressure
        return u_star, rho_star, p_star, p_star * (0.5 * (gamma + 1.0)) ** expo, True
    # Subsonic exit at ambient pressure: root of a U^2 + b U - c = 0 (stable form).
    c_p = gamma * r_g / (gamma - 1.0)
    a, b, c = rate_kg_s * r_g / (2.0 * c_p), area * ambient_pressure_pa, rate_kg_s * r_g * t0
    u = 2.0 * c / (b + math.sqrt(b * b + 4.0 * a * c))
    t_e = t0 - u * u / (2.0 * c_p)
    rho_e = ambient_pressure_pa / (r_g * t_e)
    return u, rho_e, ambient_pressure_pa, ambient_pressure_pa * (t0 / t_e) ** expo, False


def leak_jet(gas: Gas, rate_kg_s: float, diameter_m: float, storage_temperature_K: float,
             air_temperature_k: float, air_pressure_pa: float) -> LeakJet:
    """The jet of a leak of ``rate_kg_s`` through a hole of ``diameter_m`` and its sound power."""
    u, rho_e, p_e, p_0, choked = exit_state(gas, rate_kg_s, diameter_m, storage_temperature_K, air_pressure_pa)
    if not (math.isfinite(rho_e) and rho_e > 0):
        raise ValueError(f"unphysical exit density {rho_e!r} kg/m3")
    rho_0, c_0 = air_properties(air_temperature_k, air_pressure_pa)
    w_l = lighthill_power_w(diameter_m, u, rho_0, c_0)
    w_m = 0.5 * rate_kg_s * u * u
    return LeakJet(exit_velocity_m_s=u, exit_density_kg_m3=rho_e, exit_pressure_pa=p_e, storage_pressure_pa=p_0,
                   choked=choked, lighthill_power_w=w_l, mechanical_power_w=w_m,
                   sound_power_w=min(w_l, ETA_MAX * w_m), peak_frequency_hz=STROUHAL_PEAK * u / diameter_m)


# -- spectrum -------------------------------------------------------------------------------

def tam_large_scale_db(x: np.ndarray) -> np.ndarray:
    """Tam, Golebiowski & Seiner (1996) large-structure similarity spectrum F (dB), x = log10(f / f_L)."""
    x = np.asarray(x, dtype=float)
    return np.select(
        [x < math.log10(0.5), x < 0.0, x < math.log10(2.5)],
        [2.53895 + 18.4 * x,
         -38.19338 * x**2 - 16.91175 * x**3,
         (1.06617 - 45.29940 * x + 21.40972 * x**2) * x],
        5.64174 - 27.7472 * x)


@lru_cache(maxsize=1)
def _tam_table() -> tuple[np.ndarray, np.ndarray, float]:
    """(x, cumulative power fraction below f_L 10^x, x of the per-log-frequency peak)."""
    x = np.linspace(-8.0, 8.0, 160001)
    per_log = 10.0 ** (tam_large_scale_db(x) / 10.0) * 10.0**x  # f F(f): power per unit log10 f
    cumulative = np.concatenate([[0.0], np.cumsum(0.5 * (per_log[1:] + per_log[:-1]) * np.diff(x))])
    return x, cumulative / cumulative[-1], float(x[np.argmax(per_log)])


def jet_band_fractions(peak_frequency_hz: float) -> np.ndarray:
    """Share of the jet's sound power in each band (sums to 1; edge bands take the tails) for
    a one-third-octave peak at ``peak_frequency_hz``."""
    x, cumulative, x_peak = _tam_table()
    f_l = peak_frequency_hz / 10.0**x_peak
    below = np.interp(np.log10(BAND_UPPER_HZ[:-1] / f_l), x, cumulative, left=0.0, right=1.0)
    return np.diff(np.concatenate([[0.0], below, [1.0]]))


def jet_band_powers_w(jet: LeakJet) -> np.ndarray:
    return jet.sound_power_w * jet_band_fractions(jet.peak_frequency_hz)


# -- the model's hook ---------------------------------------------------------------------

def acoustic_sources(model, state, t: float) -> list[AcousticSource]:
    """The leak's jet noise at time t: one point at the release, or nothing when the release
    has no hole diameter, is instantaneous, or does not flow at t."""
    p = model.params
    release = p.release
    diameter = getattr(release, "hole_diameter_m", None)
    if diameter is None:
        return []
    rate = release.gas_jet_rate_at(t)
    if not rate > 0.0:
        return []
    jet = leak_jet(GASES[p.gas], rate, diameter, release.storage_temperature_K, p.air_temperature_k,
                   p.air_pressure_pa)
    position = [[release.x_m, release.y_m, release.height_m]]
    return [AcousticSource(LABEL, position, power_db(jet_band_powers_w(jet))[None, :])]
