"""The atmosphere a particle or dense-layer model needs, from what a scenario can state.

A scenario gives the wind measured at a height, one stability descriptor and the ground's
roughness; the models need the surface layer's scales (friction velocity u*, Monin-Obukhov
length L, boundary-layer height h), from which :mod:`models.gas_dispersion.turbulence` builds
the mean-wind and turbulence profiles:

- L: given, or from a Pasquill class (Golder 1972, through the lines of
  :mod:`models.gas_dispersion.stability`), or from insolation via Turner's (1970) key to the
  class;
- u*: from the measured wind by inverting the Monin-Obukhov profile
  u(z_r) = u*/kappa [ln(z_r/z0) - psi_m(z_r/L) + psi_m(z0/L)], or given;
- h: given, or the default estimate of :func:`turbulence.boundary_layer_height`.

Measured turbulence, when the scenario has it (sigma_v from a sonic, or the wind direction's
sigma_theta, used as an angle: sigma_v(z) = u(z) tan sigma_theta), replaces the similarity value of
the crosswind spread's driver.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from pydantic import Field, model_validator

from models.gas_dispersion import turbulence
from models.gas_dispersion.stability import (Insolation, StabilityClass, check_one_stability,
                                            class_from_insolation, class_from_obukhov_length)
from sim.model import ModelParams

# The horizontal Lagrangian time scale of an Ornstein-Uhlenbeck velocity whose long-time lateral
# spread, sigma_y^2 -> 2 sigma_v^2 T t, equals that of Draxler's (1976) f_y = 1 / (1 + 0.9 sqrt(t/T_i)),
# T_i = 1000 s (adopted by Irwin 1983 for spreads from measured sigma_theta): sigma_y^2 -> sigma_v^2 t T_i
# / 0.81, so T = T_i / 1.62. Near the ground similarity's T_v (Hanna 1982) is seconds: it describes the
# small eddies, not the slow wander of the wind that a 10-minute sigma_theta includes.
DRAXLER_TIME_SCALE_S = 1000.0 / 1.62
DRAXLER_T_I_S = 1000.0


def draxler_f_y(travel_time_s):
    """Draxler's (1976) f_y = sigma_y / (sigma_v t) = 1 / (1 + 0.9 sqrt(t / T_i)), T_i = 1000 s."""
    return 1.0 / (1.0 + 0.9 * np.sqrt(np.asarray(travel_time_s, dtype=float) / DRAXLER_T_I_S))


def ornstein_uhlenbeck_f_y(travel_time_s, time_scale_s: float):
    """sigma_y / (sigma_v t) of an Ornstein-Uhlenbeck crosswind velocity with time scale T (Taylor 1921):
    sigma_y^2 = 2 sigma_v^2 T^2 (t/T - 1 + exp(-t/T))."""
    x = np.asarray(travel_time_s, dtype=float) / time_scale_s
    return np.sqrt(2.0 * (x - 1.0 + np.exp(-x))) / x


def draxler_matched_time_scale(travel_times_s) -> float:
    """The horizontal time scale T (s) whose Ornstein-Uhlenbeck spread follows Draxler's f_y best, in
    least squares of ln f_y, over the given travel times (the receptors' distances over the wind).

    A single T cannot follow Draxler's sqrt(t) form at all times: matched to its long-time limit
    (DRAXLER_TIME_SCALE_S) it spreads a plume too fast over the first minutes, by 40 % at t = 270 s;
    matched over the travel times of a run, within 10 % over 50-800 m for winds of 2-7 m/s.
    """
    from scipy.optimize import minimize_scalar

    times = np.asarray(travel_times_s, dtype=float)
    if times.size == 0 or not np.all(times > 0.0):
        raise ValueError(f"travel_times_s: expected positive travel times, got {travel_times_s!r}")
    target = np.log(draxler_f_y(times))

    def misfit(log_t):
        return float(np.sum((np.log(ornstein_uhlenbeck_f_y(times, math.exp(log_t))) - target) ** 2))

    return math.exp(minimize_scalar(misfit, bounds=(math.log(1.0), math.log(1.0e5)), method="bounded").x)

# Below this speed (m/s) the wind is calm: the profiles are built for this speed (u* of a few
# cm/s) and the spread comes from the low-wind floor of s_v and the meander.
CALM_WIND_M_S = 0.2


class Atmosphere(ModelParams):
    """Wind, stability and surface of a particle or dense-layer run."""

    wind_speed_m_s: float = Field(ge=0, description="at reference_height_m; 0 (calm) is allowed")
    wind_direction_deg: float = Field(ge=0, le=360, description="where the wind blows from, clockwise from north")
    reference_height_m: float = Field(10.0, gt=0)
    stability_class: StabilityClass | None = None
    insolation: Insolation | None = None
    monin_obukhov_length_m: float | None = None
    friction_velocity_m_s: float | None = Field(None, gt=0, description="measured; else from the wind profile")
    roughness_length_m: float = Field(0.1, gt=0, lt=10)
    boundary_layer_height_m: float | None = Field(None, gt=0)
    sigma_v_m_s: float | None = Field(None, gt=0, description="measured crosswind turbulence (replaces similarity)")
    sigma_theta_deg: float | None = Field(
        None, gt=0, lt=90, description="measured 10-minute standard deviation of the wind direction; the crosswind "
                                       "turbulence at every height is then u(z) tan(sigma_theta) (replaces similarity)")
    horizontal_time_scale_s: float | None = Field(
        None, gt=0, description="floor on the horizontal Lagrangian time scales (with a measured 10-minute sigma_v: "
                                "draxler_matched_time_scale of the travel times that matter)")
    latitude_deg: float = Field(45.0, ge=-90, le=90, description="for the Coriolis parameter of the default h")

    @model_validator(mode="after")
    def _one_stability(self) -> "Atmosphere":
        check_one_stability(self)
        if self.sigma_v_m_s is not None and self.sigma_theta_deg is not None:
            raise ValueError("give sigma_v_m_s or sigma_theta_deg, not both (both set the crosswind turbulence)")
        if self.reference_height_m <= self.roughness_length_m:
            raise ValueError(f"reference_height_m = {self.reference_height_m} must exceed roughness_length_m = "
                             f"{self.roughness_length_m}")
        return self

    @property
    def direction_vector(self) -> tuple[float, float]:
        """Unit vector (east, north) the wind blows towards."""
        theta = math.radians(self.wind_direction_deg)
        return -math.sin(theta), -math.cos(theta)

    def pasquill_class(self) -> str:
        """The Pasquill class: given, from insolation (Turner 1970), or nearest to L (Golder 1972)."""
        if self.stability_class is not None:
            return self.stability_class
        if self.insolation is not None:
            u10 = self.wind_speed_m_s * (10.0 / self.reference_height_m) ** (1.0 / 7.0)
            return class_from_insolation(u10, self.insolation)
        return class_from_obukhov_length(self.monin_obukhov_length_m, self.roughness_length_m)

    def obukhov_length(self) -> float:
        """L (m): given, or from the Pasquill class; math.inf when neutral."""
        if self.monin_obukhov_length_m is not None:
            return self.monin_obukhov_length_m
        return turbulence.obukhov_length_from_class(self.pasquill_class(), self.roughness_length_m)

    def surface_layer(self) -> "turbulence.SurfaceLayer":
        """The surface-layer scales of this atmosphere."""
        layer = turbulence.surface_layer_from_wind(
            max(self.wind_speed_m_s, CALM_WIND_M_S), self.reference_height_m, self.obukhov_length(),
            self.roughness_length_m, self.boundary_layer_height_m, latitude_deg=self.latitude_deg)
        if self.friction_velocity_m_s is not None:
            layer = dataclasses.replace(layer, friction_velocity_m_s=self.friction_velocity_m_s)
        return layer

    @property
    def calm_scale(self) -> float:
        """Factor from the profiles' wind to the true mean wind: below CALM_WIND_M_S the turbulence is that
        of a CALM_WIND_M_S wind but the mean wind is the (smaller) given one, 0 in still air."""
        return self.wind_speed_m_s / max(self.wind_speed_m_s, CALM_WIND_M_S)

    def profile_table(self, layer: "turbulence.SurfaceLayer") -> "turbulence.ProfileTable":
        """The kernels' profiles of ``layer``; a measured s_v replaces the similarity value at every height."""
        table = turbulence.profile_table(layer)
        values = table.values.copy()
        values[:, turbulence.COL_U] *= self.calm_scale
        sigma_theta = math.radians(self.sigma_theta_deg) if self.sigma_theta_deg is not None else None
        return measured_horizontal(table._replace(values=values), self.sigma_v_m_s, self.horizontal_time_scale_s,
                                   sigma_theta)


def measured_horizontal(table: "turbulence.ProfileTable", sigma_v_m_s: float | None = None,
                        time_scale_s: float | None = None,
                        sigma_theta_rad: float | None = None) -> "turbulence.ProfileTable":
    """``table`` with a measured crosswind spread at every height and a floor on the horizontal time scales.

    A measured sigma_v is used as it is at every height. A measured wind-direction spread sigma_theta is used as
    an angle: sigma_v(z) = u(z) tan(sigma_theta), so that a plume at any height spreads as sigma_y = sigma_theta x
    f_y, the relation the sigma_theta methods were built on (Cramer 1957; Draxler 1976, *Atmos. Environ.* 10,
    99; Irwin 1983, *J. Clim. Appl. Meteorol.* 22, 92). A uniform sigma_v = u(z_ref) tan(sigma_theta) would widen
    a plume near the ground, where the wind is slower, by u(z_ref) / u(z): at Prairie Grass (release at 0.46 m,
    vane at 2 m) the modelled plumes came out 1.3 sigma_theta x wide at 50 m, where the measured ones were
    0.8 sigma_theta x. The floor SIGMA_OFFSET_M_S keeps some spread where u(z) vanishes at z0; in calm air the
    wind's direction, and so sigma_theta, means nothing: give sigma_v there.
    """
    values = table.values.copy()
    if sigma_v_m_s is not None:
        values[:, turbulence.COL_SIGMA_V] = sigma_v_m_s
    if sigma_theta_rad is not None:
        values[:, turbulence.COL_SIGMA_V] = np.maximum(values[:, turbulence.COL_U] * math.tan(sigma_theta_rad),
                                                       turbulence.SIGMA_OFFSET_M_S)
    if time_scale_s is not None:
        for column in (turbulence.COL_T_U, turbulence.COL_T_V):
            values[:, column] = np.maximum(values[:, column], time_scale_s)
    return table._replace(values=values)
