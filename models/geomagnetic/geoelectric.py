"""Ground geoelectric field of a geomagnetic disturbance: the plane-wave method over a 1-D layered earth.

A geomagnetic variation is taken as a vertically incident plane wave over an earth of N flat
layers, the last a half-space (Cagniard 1953, Geophysics 18:605-635; Wait 1962,
Electromagnetic Waves in Stratified Media; Wait 1970). In the quasi-static limit
(displacement current neglected) each layer carries down- and up-going waves with propagation
constant k_j, and the surface impedance Z = E_x / H_y = mu0 E_x / B_y follows from the bottom
up by the transmission-line recursion

    k_j    = sqrt(i omega mu0 sigma_j),        Re k_j > 0,
    zeta_j = i omega mu0 / k_j                 (intrinsic impedance of layer j),
    Z_N    = zeta_N                            (half-space),
    Z_j    = zeta_j (Z_{j+1} + zeta_j tanh(k_j d_j)) / (zeta_j + Z_{j+1} tanh(k_j d_j)),
    Z      = Z_1.

The surface electric field in the frequency domain is then (Pirjola 1982, Geophysica 18:1-161;
Boteler & Pirjola 1998, Geophys. J. Int. 132:31-40; NERC 2014/2016 "Benchmark Geomagnetic
Disturbance Event Description", TPL-007)

    E_x(omega) =  Z(omega) B_y(omega) / mu0,
    E_y(omega) = -Z(omega) B_x(omega) / mu0,

with x north and y east. Both signs follow from Faraday's law dE_x/dz = -i omega B_y and
dE_y/dz = +i omega B_x for fields decaying as exp(-k z) with z down.

Time convention
---------------
Fields vary as exp(+i omega t), omega >= 0. This is the convention of numpy's inverse FFT
(x(t) = sum X(f) exp(+2 pi i f t)), so rfft coefficients are multiplied by Z(omega) directly.
With it, sqrt takes the principal root (Re k > 0, fields decay downwards) and a uniform
half-space has

    Z = sqrt(i omega mu0 / sigma) = (1 + i) sqrt(omega mu0 / (2 sigma)),   arg Z = +45 deg,

i.e. E leads B by 45 deg; over any layered earth 0 <= arg Z <= 90 deg. (Under exp(-i omega t)
the same physics reads Z = (1 - i) sqrt(...).) The apparent resistivity is
rho_a = |Z|^2 / (omega mu0), which equals rho for a half-space; the skin depth is
delta = sqrt(2 / (omega mu0 sigma)) ~ 503 sqrt(rho / f) m.

Numerics
--------
- tanh(k d) is evaluated as (1 - exp(-2 k d)) / (1 + exp(-2 k d)): Re(k d) >= 0, so this never
  overflows, whereas complex tanh of a large argument can give NaN.
- Frequency 0 gives Z = 0: a static field induces nothing.
- ``geoelectric_field`` removes from each record the straight line joining its first and last
  samples, so the record starts and ends at 0 and its periodic extension has no jump (a jump
  is a spurious step dB whose E decays only as t^(-1/2) over a half-space). The removed line is
  a constant dB/dt, which does induce a field in reality; its omission is the price of the
  method and is small for records much longer than the periods of interest (e.g. 500 nT of
  net change over a 1-day record over 1000 ohm m is ~0.05 V/km). A constant or linear B gives
  exactly zero E.
- The detrended record is zero-padded to at least twice its length (a fast FFT length) so
  that the circular convolution of the FFT does not fold the end of the record onto its start;
  what remains of wrap-around is the earth response at lags longer than the record. The
  padding is discarded afterwards. The start of the record is a switch-on: the first part of
  E is a transient (the earth has not seen the field before t = 0), as in any finite record.
  The last few samples carry a percent-level artefact of the band limit (the sampled Z grows
  as sqrt(f) up to Nyquist, so its discrete kernel is not strictly causal and feels the
  switch-off at the end). For a 10-min sinusoid sampled at 10 s over 2 days the error is
  < 0.3 % between the first and last hour, 65 % at the first sample, 5 % at the last.

Time derivative
---------------
``db_dt`` is the first difference (b_k - b_{k-1}) / dt, the mean rate over [t_{k-1}, t_k],
stamped at the END of that interval, t_k; element 0 has no interval and is NaN, so the output
lines up index-for-index with the input samples.

Conductivity profiles
---------------------
``HALF_SPACE_1000_OHM_M``: uniform 1000 ohm m, a resistive-shield reference value.
``QUEBEC``: the 1-D Quebec model of Boteler & Pirjola (1998) adopted as the reference earth
model of the NERC TPL-007 benchmark GMD event (NERC 2014, "Benchmark Geomagnetic Disturbance
Event Description", Table 1), as quoted there and reproduced in public GIC codes:
thicknesses 15, 10, 125, 200 km over a half-space, resistivities 20000, 200, 1000, 100, 3 ohm m.
``TWO_LAYER_ILLUSTRATIVE``: 10 km of 1000 ohm m over a 10 ohm m half-space; illustrative
only, not a published profile.

Symbols
-------

========== ============================================================ ==============
symbol     meaning                                                      unit
========== ============================================================ ==============
f          frequency                                                    Hz
omega      angular frequency, 2 pi f                                    rad s-1
mu0        vacuum permeability (earth non-magnetic)                     H m-1
sigma_j    conductivity of layer j (1 = top, N = half-space)            S m-1
rho_j      resistivity of layer j, 1 / sigma_j                          ohm m
d_j        thickness of layer j (j < N)                                 m
k_j        propagation constant of layer j                              m-1
zeta_j     intrinsic impedance of layer j                               ohm
Z_j        impedance at the top of layer j; Z = Z_1 at the surface      ohm
B_x, B_y   northward, eastward magnetic field (input in nT)            T
E_x, E_y   northward, eastward surface electric field (output in V/km) V m-1
dt         sampling interval (uniform)                                  s
delta      skin depth, sqrt(2 / (omega mu0 sigma))                      m
========== ============================================================ ==============
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import next_fast_len

MU0 = 4e-7 * np.pi  # H m-1; the pre-2019 exact value, within 1e-9 of CODATA 2018
NT_TO_T = 1e-9
V_PER_M_TO_V_PER_KM = 1e3


@dataclass(frozen=True)
class LayeredEarth:
    """A 1-D conductivity profile: layers top to bottom, the last a half-space."""

    name: str
    conductivity_S_m: tuple[float, ...]
    thickness_m: tuple[float, ...]  # one fewer than conductivities
    source: str

    @property
    def resistivity_ohm_m(self) -> tuple[float, ...]:
        return tuple(1.0 / s for s in self.conductivity_S_m)


def half_space(resistivity_ohm_m: float) -> LayeredEarth:
    """A uniform earth of the given resistivity."""
    return LayeredEarth(f"half-space {resistivity_ohm_m:g} ohm m", (1.0 / resistivity_ohm_m,), (),
                        "uniform half-space (closed form Z = (1 + i) sqrt(omega mu0 rho / 2))")


HALF_SPACE_1000_OHM_M = half_space(1000.0)

QUEBEC = LayeredEarth(
    "Quebec (NERC TPL-007 reference earth)",
    conductivity_S_m=(1 / 20000.0, 1 / 200.0, 1 / 1000.0, 1 / 100.0, 1 / 3.0),
    thickness_m=(15e3, 10e3, 125e3, 200e3),
    source="Boteler & Pirjola (1998, Geophys. J. Int. 132:31-40); NERC (2014) Benchmark Geomagnetic "
           "Disturbance Event Description, Table 1; values as quoted there",
)

TWO_LAYER_ILLUSTRATIVE = LayeredEarth(
    "two-layer illustrative",
    conductivity_S_m=(1 / 1000.0, 1 / 10.0),
    thickness_m=(10e3,),
    source="illustrative only, not a published profile",
)

PROFILES = {"half_space_1000_ohm_m": HALF_SPACE_1000_OHM_M, "quebec": QUEBEC,
            "two_layer_illustrative": TWO_LAYER_ILLUSTRATIVE}


def _checked_profile(conductivity_S_m, thickness_m):
    sigma = np.atleast_1d(np.asarray(conductivity_S_m, dtype=np.float64))
    d = np.atleast_1d(np.asarray(thickness_m, dtype=np.float64))
    if sigma.ndim != 1 or d.ndim != 1 or sigma.size < 1:
        raise ValueError("conductivity and thickness must be 1-D, with at least one conductivity")
    if d.size != sigma.size - 1:
        raise ValueError("thickness must have one entry fewer than conductivity (the last layer is a half-space)")
    if not (np.all(np.isfinite(sigma)) and np.all(sigma > 0.0)):
        raise ValueError("conductivities must be positive and finite")
    if not (np.all(np.isfinite(d)) and np.all(d > 0.0)):
        raise ValueError("thicknesses must be positive and finite")
    return sigma, d


def surface_impedance(frequency_hz, conductivity_S_m, thickness_m):
    """Plane-wave surface impedance Z = mu0 E_x / B_y (ohm, complex) of a 1-D layered earth.

    frequency_hz: scalar or array (>= 0); conductivity_S_m: N layers top to bottom, the last a
    half-space; thickness_m: the N - 1 finite thicknesses. Convention exp(+i omega t): a
    half-space gives (1 + i) sqrt(omega mu0 / (2 sigma)). Frequency 0 gives 0. The result has
    the shape of frequency_hz.
    """
    sigma, d = _checked_profile(conductivity_S_m, thickness_m)
    f = np.asarray(frequency_hz, dtype=np.float64)
    if not (np.all(np.isfinite(f)) and np.all(f >= 0.0)):
        raise ValueError("frequencies must be finite and non-negative")
    i_omega_mu0 = 1j * 2.0 * np.pi * f * MU0
    static = f == 0.0
    safe = np.where(static, 1.0, i_omega_mu0)  # any non-zero value at f = 0 avoids 0/0; Z(0) is set to 0 below

    k = np.sqrt(safe[..., None] * sigma)  # principal root: Re k > 0
    zeta = safe[..., None] / k
    Z = zeta[..., -1]
    for j in range(sigma.size - 2, -1, -1):
        decay = np.exp(-2.0 * k[..., j] * d[j])
        tanh_kd = (1.0 - decay) / (1.0 + decay)  # overflow-free tanh for Re(k d) >= 0
        Z = zeta[..., j] * (Z + zeta[..., j] * tanh_kd) / (zeta[..., j] + Z * tanh_kd)
    return np.where(static, 0.0 + 0.0j, Z)


def apparent_resistivity(frequency_hz, impedance_ohm):
    """rho_a = |Z|^2 / (omega mu0) in ohm m; the true resistivity for a half-space. f > 0."""
    omega = 2.0 * np.pi * np.asarray(frequency_hz, dtype=np.float64)
    return np.abs(impedance_ohm) ** 2 / (omega * MU0)


def _remove_end_to_end_line(b):
    """b minus the straight line through its first and last samples (time on the last axis)."""
    n = b.shape[-1]
    if n < 2:
        return b - b[..., :1]
    ramp = np.linspace(0.0, 1.0, n)
    return b - (b[..., :1] + (b[..., -1:] - b[..., :1]) * ramp)


def geoelectric_field(bx_nT, by_nT, dt_s, conductivity_S_m, thickness_m):
    """(ex_V_km, ey_V_km): surface geoelectric field from north (x) and east (y) magnetic field series.

    bx_nT, by_nT: uniformly sampled B_x, B_y in nT, time along the last axis (same shape);
    dt_s: sampling interval (s); conductivity_S_m, thickness_m: the layered earth (see
    ``surface_impedance``). E_x = Z B_y / mu0, E_y = -Z B_x / mu0 in the frequency domain, after
    removing the end-to-end line and zero-padding to >= twice the length (module notes).
    Output in V/km, same shape as the input, sample k at the time of input sample k.
    """
    bx = np.asarray(bx_nT, dtype=np.float64)
    by = np.asarray(by_nT, dtype=np.float64)
    if bx.shape != by.shape or bx.ndim < 1:
        raise ValueError("bx and by must have the same shape, time on the last axis")
    if not (np.all(np.isfinite(bx)) and np.all(np.isfinite(by))):
        raise ValueError("magnetic field series must be finite (fill gaps first)")
    dt = float(dt_s)
    if not (dt > 0.0 and np.isfinite(dt)):
        raise ValueError("dt must be positive and finite")
    n = bx.shape[-1]
    n_fft = next_fast_len(2 * n, real=True)
    Z = surface_impedance(np.fft.rfftfreq(n_fft, d=dt), conductivity_S_m, thickness_m)

    def induced(b_nT, sign):
        spectrum = np.fft.rfft(_remove_end_to_end_line(b_nT) * NT_TO_T, n=n_fft, axis=-1)
        e_V_m = np.fft.irfft(sign * Z * spectrum / MU0, n=n_fft, axis=-1)[..., :n]
        return e_V_m * V_PER_M_TO_V_PER_KM

    return induced(by, +1.0), induced(bx, -1.0)


def db_dt(b_nT, dt_s):
    """Time derivative (nT/s) as the first difference, stamped at the end of each interval.

    out[k] = (b[k] - b[k-1]) / dt for k >= 1 (the mean rate over [t_{k-1}, t_k], at t_k);
    out[0] = NaN. Same shape as b_nT, time on the last axis.
    """
    b = np.asarray(b_nT, dtype=np.float64)
    dt = float(dt_s)
    if not (dt > 0.0 and np.isfinite(dt)):
        raise ValueError("dt must be positive and finite")
    out = np.full(b.shape, np.nan)
    out[..., 1:] = np.diff(b, axis=-1) / dt
    return out
