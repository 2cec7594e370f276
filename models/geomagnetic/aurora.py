"""The aurora a storm lights: where the oval lies and how bright it is.

Oval. The statistical auroral oval of Feldstein (1963), in the Fourier representation of
Holzworth & Meng (1975, Geophys. Res. Lett. 2:377) for seven activity levels Q = 0..6: the
colatitude of the poleward and the equatorward boundary at magnetic local time MLT is

    theta = A0 + A1 cos(phi + A2) + A3 cos(2 (phi + A4)) + A5 cos(3 (phi + A6)),
    phi = (MLT - 12) / 12 * pi

(A0, A1, A3, A5 in degrees, A2, A4, A6 in radians; the published coefficients, as in CCMC
ModelWeb's program). Between integer levels the boundaries are interpolated linearly in Q.
Q follows Kp by the relation of Dandekar (1993, Phillips Laboratory report ADA282764),
fitted to four years of Kp and Q:

    Q = 0.964 Kp - 0.3   (Kp < 2+),      Q = 2.04 Kp - 2.7   (Kp >= 2+)

kept within 0..6 (the oval of Q = 6 stands for anything stronger: the fit does not extend
to superstorms). The boundaries are in corrected geomagnetic latitude; here they are applied
in the centred-dipole latitude of :mod:`models.geomagnetic.ground`, which differs from it by
a few degrees at auroral latitudes (an approximation).

Brightness. The hemispheric power of auroral precipitation from the solar wind by the fit of
Newell et al. (2008, J. Geophys. Res. 113:A04218; the same table as the Kp fit of
:mod:`models.geomagnetic.kp`, coefficients as quoted by independent code bases):

    HP = -4.55 + 2.229e-3 dPhi_MP/dt + 1.73e-5 n^(1/2) V^2     (GW, >= 0)

spread evenly over the oval's area A gives the mean energy flux F = HP / A (mW m-2, which
is erg cm-2 s-1), and the green line (557.7 nm) column brightness is I = k F with k = 1 kR
per erg cm-2 s-1: the order of magnitude of the green-line yield of keV electrons (Rees &
Luckey 1974, J. Geophys. Res. 79:5181), a modelling choice for a statistical oval without
arcs or substorm structure.

Magnetic local time: MLT = 12 h + (lambda_m - lambda_m,sun) / 15 deg, with lambda_m the
centred-dipole magnetic longitude of the point and lambda_m,sun that of the subsolar point.

========== =============================================== ============
symbol     meaning                                         unit
========== =============================================== ============
Q          Feldstein activity level                        1 (0..6)
theta      corrected geomagnetic colatitude of a boundary  degree
MLT        magnetic local time                             h
HP         hemispheric auroral power                       GW
A          area of the oval (one hemisphere)               m2
F          mean precipitating energy flux                  mW m-2
I          557.7 nm column brightness                      kR
k          green-line yield                                kR per mW m-2
========== =============================================== ============
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.geomagnetic.ground import magnetic_latitude_deg
from models.geomagnetic.ring_current import newell_coupling
from models.geomagnetic.solar_wind import dipole_axis_geographic, sun_direction_geographic

# Holzworth & Meng (1975): rows Q = 0..6; columns A0..A6 (A0, A1, A3, A5 degrees; A2, A4, A6 radians).
POLEWARD = np.array([
    [15.22, 2.41, 3.34, -0.85, 1.01, 0.32, 0.90],
    [15.85, 2.70, 3.32, -0.67, 1.15, 0.49, 1.00],
    [16.09, 2.51, 3.27, -0.56, 1.30, 0.42, 0.94],
    [16.16, 1.92, 3.14, -0.46, 1.43, 0.32, 0.96],
    [16.29, 1.41, 3.06, -0.09, 1.35, 0.40, 1.03],
    [16.44, 0.81, 2.99, 0.14, 1.25, 0.48, 1.05],
    [16.71, 0.37, 2.90, 0.63, 1.59, 0.60, 1.00]])
EQUATORWARD = np.array([
    [17.36, 3.03, 3.46, 0.42, 2.11, -0.25, 1.13],
    [18.66, 3.90, 3.37, 0.16, 2.55, -0.13, 0.96],
    [19.73, 4.69, 3.34, -0.57, -1.41, -0.07, 0.75],
    [20.63, 4.95, 3.31, -0.66, -1.28, 0.30, -0.58],
    [21.56, 4.93, 3.31, -0.44, -0.81, -0.07, -0.75],
    [22.32, 4.96, 3.29, -0.39, -0.72, -0.16, -0.52],
    [23.18, 4.85, 3.34, -0.38, -0.62, -0.53, -0.16]])
GREEN_LINE_KR_PER_MW_M2 = 1.0  # modelling choice (order of magnitude; see the module docstring)
EARTH_RADIUS_M = 6371.2e3


def activity_q(kp) -> np.ndarray:
    """Feldstein's Q from Kp (Dandekar 1993), within 0..6; NaN stays NaN."""
    kp = np.asarray(kp, dtype=float)
    q = np.where(kp < 2.0 + 1.0 / 3.0, 0.964 * kp - 0.3, 2.04 * kp - 2.7)
    return np.clip(q, 0.0, 6.0)


def _colatitude(table: np.ndarray, mlt_h, q: float) -> np.ndarray:
    k = int(np.clip(np.floor(q), 0, 5))
    w = float(np.clip(q - k, 0.0, 1.0))
    a = (1.0 - w) * table[k] + w * table[k + 1]
    phi = (np.asarray(mlt_h, dtype=float) - 12.0) / 12.0 * np.pi
    return a[0] + a[1] * np.cos(phi + a[2]) + a[3] * np.cos(2.0 * (phi + a[4])) + a[5] * np.cos(3.0 * (phi + a[6]))


def oval_boundaries_deg(mlt_h, q: float) -> tuple[np.ndarray, np.ndarray]:
    """(equatorward, poleward) magnetic latitude of the oval at ``mlt_h`` for activity ``q``."""
    return 90.0 - _colatitude(EQUATORWARD, mlt_h, q), 90.0 - _colatitude(POLEWARD, mlt_h, q)


def oval_area_m2(q: float, samples: int = 288) -> float:
    """Area of one hemisphere's oval (m2): the band between the boundaries, over every MLT."""
    mlt = (np.arange(samples) + 0.5) * 24.0 / samples
    low, high = oval_boundaries_deg(mlt, q)
    band = np.sin(np.radians(high)) - np.sin(np.radians(low))
    return float(EARTH_RADIUS_M**2 * np.sum(band) * 2.0 * np.pi / samples)


def hemispheric_power_gw(speed_km_s, by_nT, bz_nT, density_cm3) -> np.ndarray:
    """Newell et al. (2008) hemispheric auroral power (GW), >= 0; NaN where a driver is missing."""
    merging = newell_coupling(np.asarray(speed_km_s, float), np.asarray(by_nT, float), np.asarray(bz_nT, float))
    hp = -4.55 + 2.229e-3 * merging + 1.73e-5 * np.sqrt(np.asarray(density_cm3, float)) * np.asarray(
        speed_km_s, float) ** 2
    return np.maximum(hp, 0.0)


def magnetic_coordinates(latitude_deg, longitude_deg, time) -> tuple[np.ndarray, np.ndarray]:
    """(centred-dipole magnetic latitude in degrees, magnetic local time in hours) of geographic points."""
    lat, lon = np.radians(np.asarray(latitude_deg, float)), np.radians(np.asarray(longitude_deg, float))
    r = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    e_z = dipole_axis_geographic(np.datetime64(time, "s"))
    e_y = np.cross([0.0, 0.0, 1.0], e_z)
    e_y /= np.linalg.norm(e_y)
    e_x = np.cross(e_y, e_z)

    def longitude(v):
        return np.degrees(np.arctan2(v @ e_y, v @ e_x))

    sun = sun_direction_geographic(np.datetime64(time, "s"))
    mlt = (12.0 + (longitude(r) - longitude(sun)) / 15.0) % 24.0
    return magnetic_latitude_deg(latitude_deg, longitude_deg, time), mlt


@dataclass(frozen=True)
class AuroraSky:
    """The aurora at one time: the oval of activity ``q`` lit with energy flux ``flux_mw_m2``."""

    time_utc: np.datetime64
    q: float
    flux_mw_m2: float

    def brightness_kR(self, latitude_deg, longitude_deg) -> np.ndarray:
        """Green-line column brightness (kR) over geographic points (either hemisphere's oval)."""
        mlat, mlt = magnetic_coordinates(latitude_deg, longitude_deg, self.time_utc)
        low, high = oval_boundaries_deg(mlt, self.q)
        inside = (np.abs(mlat) >= low) & (np.abs(mlat) <= high)
        return np.where(inside, GREEN_LINE_KR_PER_MW_M2 * self.flux_mw_m2, 0.0)
