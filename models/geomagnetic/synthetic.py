"""Synthetic solar-wind scenarios: quiet Parker-spiral wind, CME (shock, sheath, magnetic
cloud), and a corotating interaction region (CIR) followed by a high-speed stream (HSS).

Plain functions, no configuration layer: each returns a :class:`~models.geomagnetic.solar_wind.SolarWind`
on a uniform UTC axis (nothing is "filled", nothing is missing). Randomness comes only from
the ``numpy.random.Generator`` passed in, so a seed reproduces a scenario bit for bit.

Quiet wind (Parker 1958, Astrophys. J. 128:664)
-----------------------------------------------
At 1 AU the mean field lies in the ecliptic along the Archimedean spiral at angle psi_P to
the radial (tan psi_P = Omega_sun r / V, about 47 deg at 400 km/s; 45 deg by default). The
GSE X axis points to the Sun, so the radial direction is -X. Sector convention: ``sector =
+1`` is an *away* sector (field pointing away from the Sun along the spiral), ``-1`` toward::

    Bx_gse = -s B cos(psi_P),   By_gse = +s B sin(psi_P),   Bz_gse = 0

Turbulence: each field component gets delta_B(t) with a Kolmogorov spectrum (Coleman 1968,
Astrophys. J. 153:371; Bruno & Carbone 2013, Living Rev. Sol. Phys. 10:2)::

    P(f) ~ f^(-5/3)   for f >= f_c = 1 / t_c      (inertial range)
    P(f) ~ const      for f <  f_c                (energy-containing range, flattened)

synthesised by multiplying the FFT of Gaussian white noise by sqrt(P(f)) and transforming
back (periodic over the series). Each realisation is scaled so that its sample rms is exact:
sqrt(<|delta_B|^2>) = epsilon_B B (equal shares sqrt(1/3) in each component). t_c defaults
to 1 h, the observed IMF correlation time. Density and speed carry multiplicative log-normal
fluctuations of the same spectrum, n = n_0 exp(epsilon_n s(t) - epsilon_n^2 / 2), which stay
positive and have rms ~ epsilon_n (a few per cent).

CME (Burlaga 1988, J. Geophys. Res. 93:7217; Lundquist 1950, Ark. Fys. 2:361)
-----------------------------------------------------------------------------
Shock at t_s: Rankine-Hugoniot-like jumps for a perpendicular fast forward shock of density
compression ratio r (1 < r <= 4 for gamma = 5/3); downstream speed = CME speed; flux freezing
across a perpendicular shock compresses the tangential field by r, so the whole background
field vector is multiplied by r (its direction kept)::

    n_2 = r n_1,   V_2 = V_cme,   B_2 = r B_1
    u_1 = (V_cme - V_1) r / (r - 1)                       (shock-frame upstream speed)
    p_2 = p_1 + rho_1 u_1^2 (1 - 1/r) - (r^2 - 1) B_1^2 / (2 mu_0)   (normal momentum)
    T_2 = p_2 / (2 n_2 k_B)    (T_e = T_p), not below T_1

The momentum balance is exact for a perpendicular MHD shock; r is not derived from the Mach
number (it is a parameter), so weak speed jumps paired with large r give p_2 < p_1, and the
floor T_2 >= T_1 keeps the entropy from falling. The sheath (duration t_sh) keeps these
values and adds turbulence of relative rms epsilon_sh to the compressed field.

Magnetic cloud: a Lundquist force-free (curl B = alpha B) cylinder of radius R::

    B_axial = B_0 J0(alpha rho),  B_phi = H B_0 J1(alpha rho),  alpha R = j_0,1 = 2.405

with phi-hat = a-hat x rho-hat, so H = +1 is a right-handed rope. The axis is
a = (cos theta cos phi, cos theta sin phi, sin theta) in GSE (theta latitude, phi longitude;
theta = -90 deg is a south-pointing axis). The rope moves anti-sunward at V_cme and does not
expand; the spacecraft crosses it on a straight line along +X (rope frame) with closest
approach p R to the axis. With chi the angle between the axis and X, the crossing lasts::

    t_mc = 2 R sqrt(1 - p^2) / (V_cme sin chi)

For p = 0 and theta = -90 deg the field at the axis is (0, 0, -B_0): Bz_gse(min) = -B_0.
GSE By, Bz are rotated to GSM with :func:`~models.geomagnetic.solar_wind.gse_to_gsm` at each
sample time. In the cloud n = n_mc (parameter), V = V_cme, T = f_T T_1 (f_T ~ 0.3: low
proton temperature and beta ~ 0.1). After the cloud the background wind resumes unchanged
(no trailing rarefaction is modelled).

CIR / HSS (Gosling & Pizzo 1999, Space Sci. Rev. 89:21; Tsurutani et al. 2006, J. Geophys.
Res. 111:A07S01)
--------------------------------------------------------------------------------------------
Around the stream interface (SI) at t_i, with S(x) = (1 + tanh x) / 2::

    V = V_bg(t) + (V_fast - V_slow) S(2.197 (t - t_i) / t_rise)      (10 % -> 90 % over t_rise)
    n = n_bg(t) [ (1 - S_i) (1 + (C_n - 1) G(t - t_i + sigma)) + S_i q_n ],  S_i = S((t - t_i)/tau_i)
    B = B_bg(t) [ 1 + (C_B - 1) G(t - t_i) ] + S_i delta_B_A(t) (in Y and Z)
    T = (1 - S_i) T_bg(t) + S_i T_fast,    G(x) = exp(-x^2 / (2 sigma^2)),  sigma = t_cir / 4

The density peaks (C_n n_bg) in the compressed slow wind one sigma ahead of the SI and drops
sharply (tau_i = 1 h) to q_n n_bg in the fast wind; |B| is compressed by up to C_B across the
CIR; the fast wind carries transverse Kolmogorov fluctuations delta_B_A of rms b_A in each of
By and Bz (isotropic in the Y-Z plane, so generated directly in GSM). The velocity
fluctuations that make them Alfvenic (delta_V = delta_B / sqrt(mu_0 rho)) are not modelled:
the output carries only the speed magnitude.

Derived: |B| = sqrt(Bx^2 + By^2 + Bz^2); P_dyn = 1.6726e-6 n V^2 [nPa]
(``PROTON_RAM_PRESSURE_NPA``).

Symbols
-------
==============  =====================================================  ========
symbol          meaning                                                unit
==============  =====================================================  ========
B, B_0          background field strength; cloud axial field            nT
psi_P           Parker spiral angle                                    deg
s               sector polarity (+1 away, -1 toward)                   1
epsilon_B       rms |delta_B| / B of the turbulence                    1
epsilon_n       relative rms of density and speed fluctuations         1
f, f_c, t_c     frequency; outer (correlation) frequency and time      Hz, s
r               shock density compression ratio                        1
V_1, V_cme      upstream speed; CME (downstream, cloud) speed          km/s
u_1             upstream speed in the shock frame                      km/s
n, rho          proton density; mass density m_p n                     cm^-3, kg m^-3
p, T            thermal pressure 2 n k_B T; proton temperature         Pa, K
t_s, t_sh       shock arrival time; sheath duration                    UTC, s
R, rho, alpha   rope radius; distance from axis; 2.405 / R              km, km, km^-1
H               rope handedness (+1 right, -1 left)                    1
theta, phi      axis latitude and longitude in GSE                     deg
p (impact)      closest approach to the axis as a fraction of R        1
chi             angle between the rope axis and GSE X                  rad
t_mc            cloud crossing duration                                s
f_T             cloud / ambient temperature ratio                      1
t_i, t_rise     stream-interface time; 10-90 % speed rise time          UTC, s
C_n, C_B        CIR density and field compression factors              1
q_n             fast-wind / slow-wind density ratio                    1
t_cir           CIR compression duration                               s
b_A             rms of the fast-stream transverse fluctuations         nT
==============  =====================================================  ========
"""

from __future__ import annotations

import numpy as np
from scipy.special import j0, j1

from models.geomagnetic.solar_wind import PROTON_RAM_PRESSURE_NPA, SECOND, VARIABLES, SolarWind, gse_to_gsm

LUNDQUIST_ALPHA_R = 2.404825557695773  # first zero of J0
AU_KM = 1.495978707e8
BOLTZMANN = 1.380649e-23  # J/K
PROTON_MASS = 1.67262192e-27  # kg
MU0 = 4.0e-7 * np.pi  # H/m
_TANH_10_90 = 2.0 * np.arctanh(0.8)  # S(k x) rises 10 % -> 90 % for x in [-1/2, 1/2]
_MIN_SIN_AXIS_TO_X = np.sin(np.radians(10.0))  # an axis nearer the Sun-Earth line gives an unbounded crossing


# ---------------------------------------------------------------------------------------
# Building blocks


def kolmogorov_series(n_samples: int, cadence_s: float, rng: np.random.Generator, *,
                      outer_scale_s: float = 3600.0, n_series: int = 1) -> np.ndarray:
    """Zero-mean, unit-rms series with P(f) ~ f^(-5/3) above 1/outer_scale_s, flat below.

    Shape ``(n_series, n_samples)``; each row is normalised to its own sample rms of 1.

    >>> x = kolmogorov_series(1000, 60.0, np.random.default_rng(1), n_series=2)
    >>> x.shape, np.allclose(x.mean(axis=1), 0), np.allclose(x.std(axis=1), 1)
    ((2, 1000), True, True)
    """
    if n_samples < 2:
        raise ValueError(f"need at least two samples, got {n_samples}")
    white = rng.standard_normal((n_series, n_samples))
    frequency = np.fft.rfftfreq(n_samples, d=cadence_s)
    corner = 1.0 / outer_scale_s
    amplitude = np.where(frequency >= corner, (np.maximum(frequency, corner) / corner) ** (-5.0 / 6.0), 1.0)
    amplitude[0] = 0.0  # fluctuations have no mean
    series = np.fft.irfft(np.fft.rfft(white, axis=-1) * amplitude, n=n_samples, axis=-1)
    series -= series.mean(axis=-1, keepdims=True)
    return series / series.std(axis=-1, keepdims=True)


def lundquist_field(rho_over_radius, b0_nT: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial and azimuthal (for H = +1) Lundquist field at rho / R: B0 J0(alpha rho), B0 J1(alpha rho).

    >>> axial, azimuthal = lundquist_field(np.array([0.0, 1.0]), 20.0)
    >>> np.round(axial, 6).tolist()[0], abs(round(float(axial[1]), 9)), round(float(azimuthal[1]), 3)
    (20.0, 0.0, 10.383)
    """
    x = LUNDQUIST_ALPHA_R * np.asarray(rho_over_radius, dtype=np.float64)
    return b0_nT * j0(x), b0_nT * j1(x)


def flux_rope_axis_gse(axis_lat_deg: float, axis_lon_deg: float) -> np.ndarray:
    """Unit vector of the rope axis in GSE from its latitude and longitude."""
    lat, lon = np.radians(axis_lat_deg), np.radians(axis_lon_deg)
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _crossing_geometry(radius_km: float, speed_km_s: float, impact: float,
                       axis_lat_deg: float, axis_lon_deg: float):
    if not -1.0 < impact < 1.0:
        raise ValueError(f"impact parameter must be in (-1, 1) (fraction of R), got {impact}")
    axis = flux_rope_axis_gse(axis_lat_deg, axis_lon_deg)
    sunward = np.array([1.0, 0.0, 0.0])
    along = sunward - (sunward @ axis) * axis  # path direction projected on the cross-section
    sin_chi = float(np.linalg.norm(along))
    if sin_chi < _MIN_SIN_AXIS_TO_X:
        raise ValueError("rope axis within 10 deg of the Sun-Earth line: the crossing would be unbounded")
    path_in_plane = along / sin_chi
    toward_closest = np.cross(axis, path_in_plane)
    duration_s = 2.0 * radius_km * np.sqrt(1.0 - impact**2) / (speed_km_s * sin_chi)
    return axis, path_in_plane, toward_closest, sin_chi, duration_s


def cloud_crossing_duration_s(*, radius_au: float, speed_km_s: float, impact: float,
                              axis_lat_deg: float, axis_lon_deg: float) -> float:
    """t_mc = 2 R sqrt(1 - p^2) / (V sin chi): time the spacecraft spends inside the rope.

    >>> round(cloud_crossing_duration_s(radius_au=0.1, speed_km_s=450.0, impact=0.0,
    ...                                 axis_lat_deg=-90.0, axis_lon_deg=0.0) / 3600.0, 2)
    18.47
    """
    return float(_crossing_geometry(radius_au * AU_KM, speed_km_s, impact, axis_lat_deg, axis_lon_deg)[4])


def flux_rope_field_gse(seconds_since_entry, *, b0_nT: float, radius_au: float, speed_km_s: float,
                        impact: float, axis_lat_deg: float, axis_lon_deg: float,
                        handedness: int) -> np.ndarray:
    """GSE field (shape ``(n, 3)``, nT) seen on a straight crossing of a Lundquist rope.

    Times are seconds after entering the rope (0 .. t_mc); outside that span the result is NaN.
    """
    if handedness not in (-1, 1):
        raise ValueError(f"handedness must be +1 or -1, got {handedness}")
    radius_km = radius_au * AU_KM
    axis, path_in_plane, toward_closest, sin_chi, duration_s = _crossing_geometry(
        radius_km, speed_km_s, impact, axis_lat_deg, axis_lon_deg)
    t = np.atleast_1d(np.asarray(seconds_since_entry, dtype=np.float64))
    # Position of the spacecraft in the rope's cross-section plane, centred on the axis.
    half_chord = radius_km * np.sqrt(1.0 - impact**2)
    along = speed_km_s * sin_chi * t - half_chord
    offset = along[:, None] * path_in_plane + impact * radius_km * toward_closest
    rho = np.linalg.norm(offset, axis=1)
    rho_hat = np.divide(offset, rho[:, None], out=np.zeros_like(offset), where=rho[:, None] > 0)
    phi_hat = np.cross(axis, rho_hat)  # J1(0) = 0, so the undefined direction on the axis is harmless
    axial, azimuthal = lundquist_field(rho / radius_km, b0_nT)
    field = axial[:, None] * axis + handedness * azimuthal[:, None] * phi_hat
    outside = (t < 0.0) | (t > duration_s)
    field[outside] = np.nan
    return field


def _time_axis(start, duration_s: float, cadence_s: float) -> np.ndarray:
    if cadence_s != int(cadence_s) or cadence_s < 1:
        raise ValueError(f"cadence must be a whole number of seconds >= 1, got {cadence_s}")
    n_samples = int(duration_s // cadence_s)
    if n_samples < 2:
        raise ValueError(f"duration {duration_s} s holds fewer than two {cadence_s} s steps")
    return np.datetime64(start, "s") + np.arange(n_samples) * int(cadence_s) * SECOND


def _solar_wind(time, cadence_s, bx, by, bz, speed, density, temperature) -> SolarWind:
    """Assemble a SolarWind, deriving |B| and the ram pressure; synthetic values are all 'measured'."""
    values = dict(bx_gsm=bx, by_gsm=by, bz_gsm=bz, b_total=np.sqrt(bx**2 + by**2 + bz**2),
                  speed=speed, density=density, temperature=temperature,
                  pressure=PROTON_RAM_PRESSURE_NPA * density * speed**2)
    values = {name: np.asarray(value, dtype=np.float64) for name, value in values.items()}
    filled = {name: np.zeros(time.size, dtype=bool) for name in VARIABLES}
    return SolarWind(time=time, cadence_s=float(cadence_s), filled=filled, **values)


def _seconds_after(wind: SolarWind, event_time) -> np.ndarray:
    return ((wind.time - np.datetime64(event_time, "s")) / SECOND).astype(np.float64)


def _upstream(values: np.ndarray, seconds_after: np.ndarray) -> float:
    """Median over the hour before the event (the nearest sample if that hour is not covered)."""
    window = (seconds_after >= -3600.0) & (seconds_after < 0.0)
    if window.any():
        return float(np.median(values[window]))
    return float(values[np.argmin(np.abs(seconds_after))])


# ---------------------------------------------------------------------------------------
# Scenarios


def quiet_wind(start, duration_s: float, cadence_s: float, rng: np.random.Generator, *,
               speed_km_s: float = 400.0, density_cm3: float = 5.0, b_nT: float = 5.0,
               temperature_K: float = 1.0e5, spiral_angle_deg: float = 45.0, sector: int = 1,
               turbulence_rms_ratio: float = 0.5, plasma_fluctuation_ratio: float = 0.03,
               outer_scale_s: float = 3600.0) -> SolarWind:
    """Parker-spiral background with Kolmogorov turbulence (module notes, 'Quiet wind').

    ``sector`` +1 is an away sector (Bx_gse < 0, By_gse > 0), -1 toward. The temperature is
    held constant.
    """
    if sector not in (-1, 1):
        raise ValueError(f"sector must be +1 (away) or -1 (toward), got {sector}")
    time = _time_axis(start, duration_s, cadence_s)
    angle = np.radians(spiral_angle_deg)
    field_noise = kolmogorov_series(time.size, cadence_s, rng, outer_scale_s=outer_scale_s, n_series=3)
    plasma_noise = kolmogorov_series(time.size, cadence_s, rng, outer_scale_s=outer_scale_s, n_series=2)
    # Per-component rms B eps / sqrt(3) gives sqrt(<|dB|^2>) = eps B for the vector.
    delta = field_noise * (turbulence_rms_ratio * b_nT / np.sqrt(3.0))
    bx_gse = -sector * b_nT * np.cos(angle) + delta[0]
    by_gse = sector * b_nT * np.sin(angle) + delta[1]
    bz_gse = delta[2]
    by_gsm, bz_gsm = gse_to_gsm(time, by_gse, bz_gse)
    eps = plasma_fluctuation_ratio
    # Log-normal: stays positive; the -eps^2/2 keeps the mean at the nominal value.
    density = density_cm3 * np.exp(eps * plasma_noise[0] - 0.5 * eps**2)
    speed = speed_km_s * np.exp(eps * plasma_noise[1] - 0.5 * eps**2)
    temperature = np.full(time.size, float(temperature_K))
    return _solar_wind(time, cadence_s, bx_gse, by_gsm, bz_gsm, speed, density, temperature)


def shock_downstream_temperature_K(*, upstream_density_cm3: float, upstream_speed_km_s: float,
                                   upstream_temperature_K: float, upstream_b_nT: float,
                                   cme_speed_km_s: float, compression_ratio: float) -> float:
    """T_2 from normal-momentum balance of a perpendicular shock (module notes), floored at T_1."""
    r = compression_ratio
    n1 = upstream_density_cm3 * 1e6  # m^-3
    u1 = (cme_speed_km_s - upstream_speed_km_s) * 1e3 * r / (r - 1.0)  # m/s, shock frame
    p1 = 2.0 * n1 * BOLTZMANN * upstream_temperature_K
    magnetic_pressure_1 = (upstream_b_nT * 1e-9) ** 2 / (2.0 * MU0)
    p2 = p1 + PROTON_MASS * n1 * u1**2 * (1.0 - 1.0 / r) - (r**2 - 1.0) * magnetic_pressure_1
    return max(p2 / (2.0 * r * n1 * BOLTZMANN), upstream_temperature_K)


def cme(background: SolarWind, shock_time, rng: np.random.Generator, *,
        cme_speed_km_s: float = 800.0, compression_ratio: float = 3.0,
        sheath_duration_s: float = 10 * 3600.0, sheath_turbulence_ratio: float = 0.3,
        cloud_b0_nT: float = 25.0, cloud_radius_au: float = 0.1, impact: float = 0.0,
        axis_lat_deg: float = -90.0, axis_lon_deg: float = 90.0, handedness: int = 1,
        cloud_density_cm3: float = 8.0, cloud_temperature_ratio: float = 0.3,
        outer_scale_s: float = 3600.0) -> SolarWind:
    """Superpose shock, sheath and Lundquist magnetic cloud on ``background`` (module notes, 'CME').

    The shock arrives at ``shock_time``; the sheath lasts ``sheath_duration_s``; the cloud
    follows for :func:`cloud_crossing_duration_s`; afterwards the background resumes. Parts
    outside the background's time span are simply not sampled.
    """
    r = compression_ratio
    if not 1.0 < r <= 4.0:
        raise ValueError(f"compression ratio must be in (1, 4] for a gamma = 5/3 shock, got {r}")
    after = _seconds_after(background, shock_time)
    v_up = _upstream(background.speed, after)
    if cme_speed_km_s <= v_up:
        raise ValueError(f"CME speed {cme_speed_km_s} km/s does not exceed the upstream {v_up:.0f} km/s: no shock")
    n_up = _upstream(background.density, after)
    t_up = _upstream(background.temperature, after)
    b_up = _upstream(background.b_total, after)
    t_sheath = shock_downstream_temperature_K(
        upstream_density_cm3=n_up, upstream_speed_km_s=v_up, upstream_temperature_K=t_up,
        upstream_b_nT=b_up, cme_speed_km_s=cme_speed_km_s, compression_ratio=r)
    cloud_s = cloud_crossing_duration_s(radius_au=cloud_radius_au, speed_km_s=cme_speed_km_s, impact=impact,
                                        axis_lat_deg=axis_lat_deg, axis_lon_deg=axis_lon_deg)

    bx, by, bz = (background.bx_gsm.copy(), background.by_gsm.copy(), background.bz_gsm.copy())
    speed, density, temperature = background.speed.copy(), background.density.copy(), background.temperature.copy()

    sheath = (after >= 0.0) & (after < sheath_duration_s)
    # Drawn for the whole series so the random stream does not depend on where the event falls.
    noise = kolmogorov_series(len(background), background.cadence_s, rng, outer_scale_s=outer_scale_s, n_series=3)
    delta = noise * (sheath_turbulence_ratio * r * b_up / np.sqrt(3.0))
    bx[sheath] = r * bx[sheath] + delta[0, sheath]
    by[sheath] = r * by[sheath] + delta[1, sheath]
    bz[sheath] = r * bz[sheath] + delta[2, sheath]
    # Background fluctuations ride on the jumped values (ratios to the upstream level).
    density[sheath] *= r
    speed[sheath] *= cme_speed_km_s / v_up
    temperature[sheath] *= t_sheath / t_up

    since_entry = after - sheath_duration_s
    cloud = (since_entry >= 0.0) & (since_entry < cloud_s)
    if cloud.any():
        field = flux_rope_field_gse(since_entry[cloud], b0_nT=cloud_b0_nT, radius_au=cloud_radius_au,
                                    speed_km_s=cme_speed_km_s, impact=impact, axis_lat_deg=axis_lat_deg,
                                    axis_lon_deg=axis_lon_deg, handedness=handedness)
        bx[cloud] = field[:, 0]
        by[cloud], bz[cloud] = gse_to_gsm(background.time[cloud], field[:, 1], field[:, 2])
        speed[cloud] = cme_speed_km_s
        density[cloud] = cloud_density_cm3
        temperature[cloud] = cloud_temperature_ratio * t_up
    return _solar_wind(background.time, background.cadence_s, bx, by, bz, speed, density, temperature)


def cir_stream(background: SolarWind, interface_time, rng: np.random.Generator, *,
               fast_speed_km_s: float = 700.0, speed_rise_s: float = 86400.0,
               density_compression: float = 4.0, field_compression: float = 3.0,
               compression_duration_s: float = 86400.0, fast_density_ratio: float = 0.5,
               fast_temperature_K: float = 2.5e5, alfvenic_rms_nT: float = 4.0,
               outer_scale_s: float = 3600.0) -> SolarWind:
    """Superpose a CIR and the following high-speed stream on a slow ``background``.

    The stream interface is at ``interface_time`` (module notes, 'CIR / HSS'); the slow-wind
    speed is the background's over the hour before it.
    """
    after = _seconds_after(background, interface_time)
    slow_speed = _upstream(background.speed, after)
    if fast_speed_km_s <= slow_speed:
        raise ValueError(f"fast speed {fast_speed_km_s} km/s does not exceed the slow wind {slow_speed:.0f} km/s")
    sigma = compression_duration_s / 4.0
    ramp = 0.5 * (1.0 + np.tanh(_TANH_10_90 * after / speed_rise_s))
    in_fast = 0.5 * (1.0 + np.tanh(after / 3600.0))  # the interface itself is sharp (~1 h)
    density_bump = np.exp(-0.5 * ((after + sigma) / sigma) ** 2)  # peak one sigma ahead of the SI
    field_bump = np.exp(-0.5 * (after / sigma) ** 2)

    speed = background.speed + (fast_speed_km_s - slow_speed) * ramp
    density = background.density * ((1.0 - in_fast) * (1.0 + (density_compression - 1.0) * density_bump)
                                     + in_fast * fast_density_ratio)
    temperature = (1.0 - in_fast) * background.temperature + in_fast * fast_temperature_K
    compression = 1.0 + (field_compression - 1.0) * field_bump
    alfvenic = kolmogorov_series(len(background), background.cadence_s, rng, outer_scale_s=outer_scale_s,
                                 n_series=2) * alfvenic_rms_nT
    bx = background.bx_gsm * compression
    by = background.by_gsm * compression + in_fast * alfvenic[0]
    bz = background.bz_gsm * compression + in_fast * alfvenic[1]
    return _solar_wind(background.time, background.cadence_s, bx, by, bz, speed, density, temperature)
