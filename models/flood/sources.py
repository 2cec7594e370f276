"""Sound of a flood: flowing water and rain.

Two sources, each a set of points with a one-third-octave power spectrum
(:class:`sim.render.sound.bands.AcousticSource`): ``flowing_water`` where the flow is fast,
and ``rain`` wherever rain falls. Both read the model's fields at time t (``flow_speed``,
``water_depth``, ``water_surface_elevation`` and ``rainfall_rate``); the first three are
diagnostic, so the caller must have the model diagnose them at t first (the simulation's
``sync()`` does).

Flowing water
-------------
Power. The mechanical power the flow loses to bed friction per unit area is the friction
term of the model's momentum equation times the velocity (Manning friction slope
S_f = n^2 |u|^2 / h^(4/3), unit discharge q = h |u|):

    P = rho g q S_f = rho g n^2 |u|^3 / h^(1/3)                       (W m-2)

A fraction eta_f of it is radiated into the air as sound, mostly by the air bubbles the
turbulent free surface entrains (Minnaert 1933) and by splashing:

    W_cell = eta_f P A_cell,    eta_f = 1e-7

eta_f is a modelling choice: no published airborne acoustic efficiency of open-channel flow
was found. It was chosen so that a boulder rapid (h = 0.5 m, |u| = 3 m/s, n = 0.05) radiates
about 99 dB re 1 pW per 100 m2, some 75-80 dB at 5 m, the loudness of roaring white water;
a plain 1 m/s street flow (h = 0.2 m, n = 0.02) gets 58 dB re 1 pW per m2. Treat it as
uncalibrated (a single scale factor). Cells slower than 0.1 m/s are skipped (also a modelling
choice: their P is below a thousandth of that of the same cell at 1 m/s). The dissipation
does not see whether the surface actually breaks (Froude number, obstacles); a smooth fast
flow is louder here than in reality.

Spectrum. Each entrained bubble of radius a rings at its Minnaert (1933) frequency

    f_0 = (1 / 2 pi a) sqrt(3 gamma_air p_a / rho)    (= 3.26/a Hz m at 1 bar, 3.28/a at 1 atm)

Bubble sizes follow the breaking-wave spectrum of Deane & Stokes (2002, Nature 418:839): number
density per unit radius proportional to a^(-10/3) above the Hinze scale a_H and a^(-3/2) below.
a_H is the largest bubble that turbulence of dissipation rate epsilon (per unit mass) cannot
split further (Hinze 1955, AIChE J. 1:289, with the critical Weber number We_c = 4.7 that
Deane & Stokes use):

    a_H = 2^(-8/5) (We_c sigma / rho)^(3/5) epsilon^(-2/5),     epsilon = P / (rho h)

so faster and shallower flow, which dissipates more per unit mass, makes smaller bubbles and
a higher-pitched sound: the spectrum follows the local speed and depth. a_H is kept within
0.1 mm and a_max / 1.5 (a weak flow's Hinze scale would exceed the largest bubble kept). For
the breaking-wave dissipation rates behind the 0.7-1.7 mm measured by Deane, Stokes &
Callaghan (2016, J. Phys. Oceanogr. 46(3)) this gives about 1 mm; a boulder rapid (h = 0.5 m,
|u| = 3 m/s, n = 0.05; epsilon = 1.7 W/kg) 2.2 mm, f_0 = 1.5 kHz. The acoustic energy of a bubble is
taken proportional to its surface energy 4 pi a^2 sigma (modelling choice: pinch-off releases
surface energy that excites the oscillation), and bubbles are truncated at a_max = 10 mm
(modelling choice, f_0 = 330 Hz). The power per unit log-frequency is then

    p(f) ~ (f / f_H)^(1/3)    f_min <= f <= f_H,      p(f) ~ (f / f_H)^(-3/2)    f > f_H

with f_H = f_0(a_H) (3.3 kHz for a_H = 1 mm) and f_min = f_0(a_max): broadband, 0.3 kHz to
tens of kHz, falling 15 dB per decade above f_H. A block of cells takes the spectrum of its
power-weighted mean ln a_H.

Rain
----
Power. The kinetic-energy flux of natural rain of intensity I (mm/h), the "universal power law"
of Shin, Park & Choi (2016, Adv. Meteorol. 2494681), consistent within 5 % with the
exponential and logarithmic laws of USLE/RUSLE/EUROSEM:

    KE_t = 10.3 I^(11/9)  J m-2 h-1,     P_rain = KE_t / 3600   (W m-2)

A fraction eta_r radiates as drop-impact sound, on water and on ground alike:

    W_cell = eta_r P_rain A_cell,    eta_r = 1e-6

again a modelling choice (no published airborne efficiency of rain impacts found): 10 mm/h
then gives 47 dB re 1 pW per m2, about 54 dB at 1.5 m above a wide rained area (ground
reflection, air absorption limiting the area heard to a few hundred metres), the level of
moderate rain. The radiated power grows as I^(11/9): the drop rate grows as I, each drop as
the larger drops of heavier rain strike harder.

Spectrum. Drop diameters follow Marshall & Palmer (1948, J. Meteorol. 5:165):
N(D) = N_0 exp(-Lambda D), N_0 = 8000 m-3 mm-1, Lambda = 4.1 I^-0.21 mm-1 (D up to 6 mm, above
which drops break up), falling at v(D) = 9.65 - 10.3 exp(-0.6 D) m/s (D in mm; Atlas,
Srivastava & Sekhon 1973, Rev. Geophys. 11:1). Each drop size carries the kinetic-energy flux
N(D) v (pi/6) rho D^3 v^2 / 2. The impact of a drop is a pressure pulse lasting about D / v
(the impact time scale of Guo & Ffowcs Williams 1991, J. Fluid Mech. 227:1); it is modelled as
a pulse with energy spectrum 1 / (1 + (f / f_c)^2), f_c = v / D (modelling choice), i.e. flat
up to f_c and falling 20 dB per decade above. With D = 1-3 mm, f_c = 2-4 kHz: the spectrum
peaks at a few kHz and extends from a few hundred Hz to beyond 20 kHz. The bubble ringing of
small drops on water (14-16 kHz, Pumphrey, Crum & Bjorno 1989, JASA 85:1518) is not added.

Points and aggregation
----------------------
Each emitting cell is a monopole at its water surface (``water_surface_elevation``, the bed
where dry). A flood grid may hold 10^6 cells, so cells are merged into square blocks of
b x b cells, b = ceil(sqrt(n_cells / 4096)) (b = 1, every cell its own point, up to 4096
cells): each block is one point carrying the sum of its cells' band powers (exactly: the total
is conserved) at their power-weighted centroid. For a microphone at distance r from the
centroid of a block of size L = b dx, a cell offset by delta from the centroid is heard with
1 / |r - delta|^2 = (1/r^2) (1 + 2 r^.delta / r + (4 (r^.delta)^2 - delta^2) / r^2 + ...);
the first-order terms cancel in the block's sum because the centroid is power-weighted, so
the received power is in error by at most 1.5 (L/r)^2 (|delta| <= L/sqrt(2)): below 0.5 dB
beyond r = 3.5 L and below 0.1 dB beyond 8 L. (Air absorption and delay differ across a block
by L/r relative, which is also small there.) Nearer microphones hear the block as one point.
For rain, a block's spectrum is that of its power-weighted mean intensity.

========  ================================================  =============
symbol    meaning                                           unit
========  ================================================  =============
h         water depth                                       m
u         depth-averaged flow speed                         m s-1
n         Manning coefficient                               s m-1/3
q         unit discharge h |u|                              m2 s-1
S_f       Manning friction slope                            1
P         frictional dissipation per unit area              W m-2
rho       density of water, 1000                            kg m-3
g         gravitational acceleration, 9.80665               m s-2
eta_f     acoustic efficiency of flowing water              1
a, a_H    bubble radius, Hinze scale                        m
epsilon   dissipation rate per unit mass of water           W kg-1
sigma     surface tension of water, 0.0728                  N m-1
We_c      critical Weber number, 4.7                        1
f_0       Minnaert frequency                                Hz
p_a       atmospheric pressure, 101325                      Pa
I         rainfall intensity                                mm h-1
KE_t      time-specific rainfall kinetic energy             J m-2 h-1
eta_r     acoustic efficiency of rain impacts               1
D, v      drop diameter, terminal fall speed                mm, m s-1
N_0, Lambda  Marshall-Palmer intercept and slope           m-3 mm-1, mm-1
f_c       corner frequency of a drop impact                 Hz
W         sound power                                       W
========  ================================================  =============
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from sim.render.sound.bands import BAND_UPPER_HZ, AcousticSource, aggregate, block_size, power_db

FLOW_LABEL = "flowing_water"
RAIN_LABEL = "rain"
RHO_WATER = 1000.0  # kg m-3
G = 9.80665  # m s-2, as the model
FLOW_EFFICIENCY = 1e-7  # modelling choice, see the module docstring
FLOW_MIN_SPEED_M_S = 0.1  # modelling choice: slower cells are skipped
RAIN_EFFICIENCY = 1e-6  # modelling choice, see the module docstring

# Minnaert frequency of an air bubble in water at 1 atm: f_0 a = sqrt(3 gamma p_a / rho) / 2 pi.
P_ATM = 101325.0
GAMMA_AIR = 1.4
MINNAERT_HZ_M = math.sqrt(3.0 * GAMMA_AIR * P_ATM / RHO_WATER) / (2.0 * math.pi)
HINZE_RADIUS_M = 1.0e-3  # Deane, Stokes & Callaghan (2016): 0.7-1.7 mm in breaking waves
MAX_BUBBLE_RADIUS_M = 10.0e-3  # modelling choice
SURFACE_TENSION_N_M = 0.0728  # water at 20 C
CRITICAL_WEBER = 4.7  # Deane & Stokes (2002)
MIN_HINZE_RADIUS_M = 1.0e-4

# Marshall & Palmer (1948) drop sizes, Atlas et al. (1973) fall speeds.
MP_LAMBDA_COEF = 4.1  # mm-1
MP_LAMBDA_EXP = -0.21
MAX_DROP_MM = 6.0


def minnaert_frequency_hz(radius_m):
    """Minnaert (1933) resonance of an air bubble of radius ``radius_m`` in water at 1 atm."""
    return MINNAERT_HZ_M / np.asarray(radius_m, dtype=float)


def _fractions_from_cumulative(cumulative_at_edges: np.ndarray) -> np.ndarray:
    """Band shares from the cumulative power fraction at the band edges between bands (the
    lowest and highest bands take everything beyond the band set, so the shares sum to 1)."""
    c = np.asarray(cumulative_at_edges, dtype=float)
    zeros = np.zeros(c.shape[:-1] + (1,))
    return np.diff(np.concatenate([zeros, c, zeros + 1.0], axis=-1), axis=-1)


# -- flowing water ----------------------------------------------------------------------------

def flow_dissipation_w_m2(depth_m, speed_m_s, manning_n):
    """rho g n^2 |u|^3 / h^(1/3) (W m-2): friction power of the flow per unit bed area; 0 where dry."""
    h = np.asarray(depth_m, dtype=np.float64)
    u = np.abs(np.asarray(speed_m_s, dtype=np.float64))
    n = np.asarray(manning_n, dtype=np.float64)
    out = np.zeros(np.broadcast(h, u, n).shape)
    wet = np.broadcast_to(h > 0, out.shape)
    np.divide(RHO_WATER * G * n * n * u**3, np.cbrt(h), out=out, where=wet)
    return out


def hinze_radius_m(dissipation_w_kg):
    """Hinze (1955) scale a_H = 2^(-8/5) (We_c sigma / rho)^(3/5) epsilon^(-2/5), within its bounds."""
    eps = np.maximum(np.asarray(dissipation_w_kg, dtype=np.float64), 1e-12)
    a = 2.0 ** -1.6 * (CRITICAL_WEBER * SURFACE_TENSION_N_M / RHO_WATER) ** 0.6 * eps ** -0.4
    return np.clip(a, MIN_HINZE_RADIUS_M, MAX_BUBBLE_RADIUS_M / 1.5)


def flow_band_fractions(hinze_radius: float = HINZE_RADIUS_M) -> np.ndarray:
    """Shares of the flowing-water power in each band (bubble spectrum, see the docstring)."""
    f_h = float(minnaert_frequency_hz(hinze_radius))
    r_min = hinze_radius / MAX_BUBBLE_RADIUS_M  # f_min / f_H
    below_peak = 3.0 * (1.0 - r_min ** (1.0 / 3.0))  # integral of (f/f_H)^(1/3) d ln f
    above_peak = 2.0 / 3.0  # integral of (f/f_H)^(-3/2) d ln f
    ratio = BAND_UPPER_HZ[:-1] / f_h
    c = np.where(ratio < r_min, 0.0,
                 np.where(ratio < 1.0, 3.0 * (np.cbrt(np.maximum(ratio, r_min)) - r_min ** (1.0 / 3.0)),
                          below_peak + (2.0 / 3.0) * (1.0 - np.maximum(ratio, 1.0) ** -1.5)))
    return _fractions_from_cumulative(c / (below_peak + above_peak))


@lru_cache(maxsize=1)
def _flow_table() -> tuple[np.ndarray, np.ndarray]:
    log_a = np.linspace(math.log(MIN_HINZE_RADIUS_M), math.log(MAX_BUBBLE_RADIUS_M / 1.5), 121)
    return log_a, np.array([flow_band_fractions(math.exp(la)) for la in log_a])


def _flow_fractions_many(log_hinze: np.ndarray) -> np.ndarray:
    """flow_band_fractions for many ln a_H, interpolated from a table."""
    log_a, table = _flow_table()
    x = np.clip(log_hinze, log_a[0], log_a[-1])
    k = np.clip(np.searchsorted(log_a, x) - 1, 0, log_a.size - 2)
    w = ((x - log_a[k]) / (log_a[k + 1] - log_a[k]))[:, None]
    return (1.0 - w) * table[k] + w * table[k + 1]


# -- rain -------------------------------------------------------------------------------------

def rain_kinetic_power_w_m2(intensity_mm_h):
    """Kinetic-energy flux of rain (W m-2), Shin, Park & Choi (2016): 10.3 I^(11/9) J m-2 h-1."""
    i = np.maximum(np.asarray(intensity_mm_h, dtype=np.float64), 0.0)
    return 10.3 * i ** (11.0 / 9.0) / 3600.0


def drop_fall_speed_m_s(diameter_mm):
    """Terminal fall speed of a raindrop (Atlas, Srivastava & Sekhon 1973), >= 0."""
    return np.maximum(9.65 - 10.3 * np.exp(-0.6 * np.asarray(diameter_mm, dtype=float)), 0.0)


def rain_band_fractions(intensity_mm_h: float) -> np.ndarray:
    """Shares of the rain-impact power in each band for rain of ``intensity_mm_h`` (> 0)."""
    d = np.arange(0.1, MAX_DROP_MM + 1e-9, 0.01)  # mm
    v = drop_fall_speed_m_s(d)
    lam = MP_LAMBDA_COEF * intensity_mm_h**MP_LAMBDA_EXP
    weight = np.exp(-lam * d) * d**3 * v**3  # kinetic-energy flux per unit diameter (N_0 cancels)
    f_c = v / (d * 1e-3)
    keep = f_c > 0
    weight, f_c = weight[keep] / weight[keep].sum(), f_c[keep]
    # Share of each drop size's pulse energy below each edge: (2/pi) arctan(f / f_c).
    c = (2.0 / np.pi) * np.arctan(BAND_UPPER_HZ[:-1, None] / f_c[None, :]) @ weight
    return _fractions_from_cumulative(c)


@lru_cache(maxsize=1)
def _rain_table() -> tuple[np.ndarray, np.ndarray]:
    log_i = np.linspace(-2.0, 3.0, 201)  # 0.01 ... 1000 mm/h
    return log_i, np.array([rain_band_fractions(10.0**li) for li in log_i])


def _rain_fractions_many(intensity_mm_h: np.ndarray) -> np.ndarray:
    """rain_band_fractions for many intensities, interpolated in log I from a table."""
    log_i, table = _rain_table()
    x = np.clip(np.log10(np.maximum(intensity_mm_h, 1e-300)), log_i[0], log_i[-1])
    k = np.clip(np.searchsorted(log_i, x) - 1, 0, log_i.size - 2)
    w = ((x - log_i[k]) / (log_i[k + 1] - log_i[k]))[:, None]
    return (1.0 - w) * table[k] + w * table[k + 1]


# -- aggregation ------------------------------------------------------------------------------



def _surface(state, shape) -> np.ndarray:
    if "water_surface_elevation" in state:
        return np.asarray(state["water_surface_elevation"], dtype=np.float64)
    return np.zeros(shape)


def _manning(model, shape) -> np.ndarray:
    n = getattr(model, "manning", None)
    return np.asarray(n if n is not None else model.params.manning_n, dtype=np.float64)


# -- the model's hook -----------------------------------------------------------------------

def flowing_water_source(model, state, b: int | None = None) -> AcousticSource | None:
    grid = model.grid
    speed = np.asarray(state["flow_speed"], dtype=np.float64)
    depth = np.asarray(state["water_depth"], dtype=np.float64)
    fast = (speed > FLOW_MIN_SPEED_M_S) & (depth > 0)
    if not fast.any():
        return None
    dissipation = np.where(fast, flow_dissipation_w_m2(depth, speed, _manning(model, depth.shape)), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_hinze = np.where(fast, np.log(hinze_radius_m(dissipation / (RHO_WATER * np.maximum(depth, 1e-9)))), 0.0)
    power = FLOW_EFFICIENCY * dissipation * grid.cell_area_m2
    b = block_size(depth.shape) if b is None else b
    positions, block_power, (mean_log_hinze,) = aggregate(power, grid.x, grid.y, _surface(state, depth.shape), b,
                                                          log_hinze)
    if block_power.size == 0:
        return None
    return AcousticSource(FLOW_LABEL, positions, power_db(block_power[:, None] * _flow_fractions_many(mean_log_hinze)))


def rain_source(model, state, b: int | None = None) -> AcousticSource | None:
    if "rainfall_rate" not in state:
        return None
    grid = model.grid
    intensity = np.asarray(state["rainfall_rate"], dtype=np.float64) * 3.6e6  # m/s -> mm/h
    if not (intensity > 0).any():
        return None
    power = RAIN_EFFICIENCY * rain_kinetic_power_w_m2(intensity) * grid.cell_area_m2
    b = block_size(intensity.shape) if b is None else b
    positions, block_power, (mean_intensity,) = aggregate(power, grid.x, grid.y, _surface(state, intensity.shape),
                                                          b, intensity)
    if block_power.size == 0:
        return None
    return AcousticSource(RAIN_LABEL, positions, power_db(block_power[:, None] * _rain_fractions_many(mean_intensity)))


def acoustic_sources(model, state, t: float) -> list[AcousticSource]:
    """Flowing water and rain at time t (each left out when silent)."""
    return [s for s in (flowing_water_source(model, state), rain_source(model, state)) if s is not None]
