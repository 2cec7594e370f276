"""Gaussian plume and puff dispersion of a passive gas from a point source.

Governing equations
-------------------
Steady plume from a continuous source of rate Q at height H, wind u along x (Sutton 1932;
Pasquill 1961; Turner 1970, eq. 3.1), receptor at (x, y, z):

    C = Q / (2 pi u s_y s_z) exp(-y^2 / 2 s_y^2) g(z; H, s_z, h)

Gaussian puffs, for releases and winds that change in time (Ludwig et al. 1977, INPUFF;
Scire et al. 2000, CALPUFF): a puff of mass M centred at (x_p, y_p) travels with the wind
of the moment and spreads with the distance it has travelled:

    C = M / ((2 pi)^(3/2) s_a s_y s_z) exp(-a^2 / 2 s_a^2 - c^2 / 2 s_y^2) g(z; H, s_z, h)

where a and c are the along- and cross-wind offsets from the puff centre. Each step
releases one puff carrying the mass emitted in that step; its along-wind spread
s_a^2 = s_y^2 + (u dt / 2)^2 stands for the segment of plume it represents, so that a train
of puffs reproduces the steady plume (within 1.4 %) without gaps.

g sums the images of the source in the ground and, when a mixing height h is given, in the
lid (Turner 1970, eq. 5.1); for s_z >= 1.6 h the cloud is well mixed, g = sqrt(2 pi) s_z / h.

s_y(x), s_z(x): Briggs (1973) rural or urban curves for a Pasquill-Gifford class (given,
from Turner's key of wind and insolation, or from Golder's Monin-Obukhov length), or,
when the standard deviation of wind direction s_th is measured, s_y = s_th x f_y(x)
(Irwin 1983). u(z) = u_ref (z / z_ref)^p (Irwin 1979), taken at the release height but
not below 2 m, the lowest height of the measured winds behind the Pasquill-Gifford curves.

Derived fields: mole fraction X = 1e6 C R T / (M_g p) in ppm; dose D = integral of C dt
(trapezoidal in time); hazard level: the highest AEGL, ERPG or LEL-fraction level that X
reaches; LEL fraction X / LEL for flammable gases.

Scope: a passive (neutrally buoyant) gas over flat terrain; dense gases, buildings and
terrain are the particle model's (issue 3). The sigma curves describe 10-minute means
(Pasquill-Gifford averaging time), and so do these concentrations.

References
----------
Turner, D.B. (1970) Workbook of Atmospheric Dispersion Estimates, US EPA AP-26.
Briggs, G.A. (1973) Diffusion estimation for small emissions, ATDL-106, NOAA.
Irwin, J.S. (1979) Atmos. Environ. 13, 191-194. Irwin, J.S. (1983) J. Clim. Appl. Meteorol. 22, 92-114.
Golder, D. (1972) Boundary-Layer Meteorol. 3, 47-58.
Ludwig, F.L., Gasiorek, L.S., Ruff, R.E. (1977) Atmos. Environ. 11, 431-436.
Seinfeld, J.H., Pandis, S.N. (2016) Atmospheric Chemistry and Physics, 3rd ed., ch. 18.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from models.gas_dispersion import kernels, sources, visuals
from models.gas_dispersion.outputs import GasOutputs, GasParams
from models.gas_dispersion.releases import InstantaneousRelease, Release
from models.gas_dispersion.stability import (
    Insolation,
    StabilityClass,
    briggs_coefficients,
    check_one_stability,
    class_from_insolation,
    class_from_obukhov_length,
    wind_at_height,
)
from sim.grid import RasterGrid
from sim.model import ModelParams

# The wind is taken no lower than this (m): Pasquill-Gifford curves rest on 2-m winds.
MIN_TRANSPORT_HEIGHT_M = 2.0
# Puffs farther than this many domain diagonals outside the grid can no longer return.
PUFF_KEEP_DIAGONALS = 1.0


class Wind(ModelParams):
    speed_m_s: float = Field(ge=0.5, description="at reference_height_m; Gaussian models fail in calm air")
    direction_deg: float = Field(ge=0, le=360, description="where the wind blows from, clockwise from north")
    reference_height_m: float = Field(10.0, gt=0)


class GasDispersionParams(GasParams):
    mode: Literal["plume", "puff"] = "puff"
    release: Release
    wind: Wind
    stability_class: StabilityClass | None = None
    insolation: Insolation | None = None
    monin_obukhov_length_m: float | None = None
    roughness_length_m: float = Field(0.1, gt=0, lt=10)
    sigma_theta_deg: float | None = Field(None, gt=0, le=90, description="measured; gives sigma_y (Irwin 1983)")
    dispersion: Literal["rural", "urban"] = "rural"
    mixing_height_m: float | None = Field(None, gt=0)
    puff_interval_s: float = Field(10.0, gt=0, description="longest time between two puffs")

    @field_validator("monin_obukhov_length_m")
    @classmethod
    def _nonzero(cls, value: float | None) -> float | None:
        if value is not None and value == 0:
            raise ValueError("expected a non-zero length (negative: unstable, positive: stable)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "GasDispersionParams":
        check_one_stability(self)
        if self.mode == "plume" and isinstance(self.release, InstantaneousRelease):
            raise ValueError("an instantaneous release needs mode = 'puff'")
        if self.mixing_height_m is not None:
            for key, z in (("release.height_m", self.release.height_m), ("receptor_height_m", self.receptor_height_m)):
                if z >= self.mixing_height_m:
                    raise ValueError(f"{key} = {z} must be below mixing_height_m = {self.mixing_height_m}")
        return self

    def resolved_stability_class(self) -> str:
        if self.stability_class is not None:
            return self.stability_class
        if self.insolation is not None:
            u10 = self.wind.speed_m_s * (10.0 / self.wind.reference_height_m) ** (1.0 / 7.0)
            return class_from_insolation(u10, self.insolation)
        return class_from_obukhov_length(self.monin_obukhov_length_m, self.roughness_length_m)


class GasDispersion(GasOutputs):
    """Ground-level (or chosen-height) concentration of a gas from one point source."""

    name = "gas_dispersion"
    Params = GasDispersionParams
    # Fixed for a run: they choose the fields. Events may change anything else.
    fixed_params = ("gas", "mode", "receptor_height_m", "hazard_guideline", "exposure_duration")
    averaging = "10-minute mean (the averaging time of the Pasquill-Gifford spreads)"
    references = ("Turner 1970 (EPA AP-26); Briggs 1973 (ATDL-106); Irwin 1979, 1983; Golder 1972; "
                  "Ludwig et al. 1977 (INPUFF)")

    def __init__(self, grid: RasterGrid, params: GasDispersionParams, rng: np.random.Generator) -> None:
        self.grid = grid
        self.params = params
        self._setup_outputs(grid)
        self.fields = tuple(self.gas_field_specs())
        self._x = grid.x
        self._y = grid.y
        xmin, xmax, ymin, ymax = grid.extent_m
        self._keep = (xmin, xmax, ymin, ymax, PUFF_KEEP_DIAGONALS * math.hypot(xmax - xmin, ymax - ymin))
        # Puff state (struct of arrays); small, so growing it by concatenation is cheap.
        self.puff_x = np.zeros(0)
        self.puff_y = np.zeros(0)
        self.puff_mass = np.zeros(0)
        self.puff_travel = np.zeros(0)
        self.puff_length = np.zeros(0)
        self.released_kg = 0.0

    # -- declarations ---------------------------------------------------------------------
    @classmethod
    def estimate_bytes(cls, grid: RasterGrid, params: GasDispersionParams) -> int:
        return grid.size * grid.float_dtype.itemsize  # the previous-concentration buffer

    # -- the model ------------------------------------------------------------------------
    def stable_dt(self, state) -> float:
        return self.params.puff_interval_s if self.params.mode == "puff" else math.inf

    def transport(self) -> tuple[float, float, float, np.ndarray]:
        """(u, e_x, e_y, Briggs coefficients) for the current parameters."""
        p = self.params
        cls = p.resolved_stability_class()
        height = max(p.release.height_m, MIN_TRANSPORT_HEIGHT_M)
        u = wind_at_height(p.wind.speed_m_s, p.wind.reference_height_m, height, cls, p.dispersion)
        theta = math.radians(p.wind.direction_deg)
        return u, -math.sin(theta), -math.cos(theta), briggs_coefficients(cls, p.dispersion)

    def step(self, state, t: float, dt: float) -> None:
        p = self.params
        concentration = state["gas_concentration"]
        self._remember_concentration(state)
        u, e_x, e_y, coef = self.transport()
        s_th, h = self._sigma_theta_rad(), self._mixing_height()
        r = p.release
        if p.mode == "plume":
            rate = r.rate_at(t + dt)
            self.released_kg += r.mass_between(t, t + dt)
            kernels.plume_grid(self._x, self._y, p.receptor_height_m, r.x_m, r.y_m, r.height_m, rate, u,
                               e_x, e_y, coef, s_th, r.source_sigma_m, h, concentration)
        else:
            self._advance_puffs(t, dt, u, e_x, e_y)
            n = self.puff_mass.size
            amp, s_a, s_c = np.empty(n), np.empty(n), np.empty(n)
            kernels.puff_shapes(self.puff_mass, self.puff_travel, self.puff_length, p.receptor_height_m,
                                r.height_m, coef, s_th, r.source_sigma_m, h, amp, s_a, s_c)
            kernels.puff_grid(self._x, self._y, self.puff_x, self.puff_y, amp, s_a, s_c, e_x, e_y, concentration)
        self._derived(state, dt)

    def column_density(self, t: float) -> np.ndarray:
        """Vertical column of the gas (kg m-2) on the grid at time t (after the step to t):
        the integral over the height of what ``gas_concentration`` is at receptor height."""
        p = self.params
        u, e_x, e_y, coef = self.transport()
        s_th, h = self._sigma_theta_rad(), self._mixing_height()
        r = p.release
        out = np.empty((self._y.size, self._x.size))
        if p.mode == "plume":
            kernels.plume_column_grid(self._x, self._y, r.x_m, r.y_m, r.rate_at(t), u, e_x, e_y, coef, s_th,
                                      r.source_sigma_m, out)
            return out
        n = self.puff_mass.size
        amp, s_a, s_c = np.empty(n), np.empty(n), np.empty(n)
        kernels.puff_shapes(self.puff_mass, self.puff_travel, self.puff_length, p.receptor_height_m, r.height_m,
                            coef, s_th, r.source_sigma_m, h, amp, s_a, s_c)
        column_amp = self.puff_mass / (2.0 * math.pi * s_a * s_c)
        kernels.puff_grid(self._x, self._y, self.puff_x, self.puff_y, column_amp, s_a, s_c, e_x, e_y, out)
        return out

    def plume_at(self, x_m: np.ndarray, y_m: np.ndarray, t: float = 0.0) -> np.ndarray:
        """Steady-plume concentration (kg m-3) at receptors (x_m, y_m) for the release rate at t."""
        p = self.params
        u, e_x, e_y, coef = self.transport()
        x_r, y_r = np.asarray(x_m, dtype=float).ravel(), np.asarray(y_m, dtype=float).ravel()
        out = np.empty(x_r.size)
        r = p.release
        kernels.plume_points(x_r, y_r, p.receptor_height_m, r.x_m, r.y_m, r.height_m, r.rate_at(t), u, e_x, e_y,
                             coef, self._sigma_theta_rad(), r.source_sigma_m, self._mixing_height(), out)
        return out.reshape(np.shape(x_m))

    def _sigma_theta_rad(self) -> float:
        return math.radians(self.params.sigma_theta_deg) if self.params.sigma_theta_deg else 0.0

    def _mixing_height(self) -> float:
        return self.params.mixing_height_m if self.params.mixing_height_m is not None else math.inf

    def _advance_puffs(self, t: float, dt: float, u: float, e_x: float, e_y: float) -> None:
        """Move the puffs with the wind of this step, release this step's mass, drop lost puffs."""
        self.puff_x += u * e_x * dt
        self.puff_y += u * e_y * dt
        self.puff_travel += u * dt
        r = self.params.release
        mass = r.mass_between(t, t + dt)
        if mass > 0.0:
            if isinstance(r, InstantaneousRelease):
                travel, length = u * (t + dt - r.at_s), 0.0
            else:  # the puff stands for the segment released during the step, centred on it
                travel, length = 0.5 * u * dt, 0.5 * u * dt
            self.released_kg += mass
            self.puff_x = np.append(self.puff_x, r.x_m + e_x * travel)
            self.puff_y = np.append(self.puff_y, r.y_m + e_y * travel)
            self.puff_mass = np.append(self.puff_mass, mass)
            self.puff_travel = np.append(self.puff_travel, travel)
            self.puff_length = np.append(self.puff_length, length)
        xmin, xmax, ymin, ymax, margin = self._keep
        keep = ((self.puff_x > xmin - margin) & (self.puff_x < xmax + margin)
                & (self.puff_y > ymin - margin) & (self.puff_y < ymax + margin))
        if not keep.all():
            for name in ("puff_x", "puff_y", "puff_mass", "puff_travel", "puff_length"):
                setattr(self, name, getattr(self, name)[keep])

    def acoustic_sources(self, state, t):
        return sources.acoustic_sources(self, state, t)

    def visual_layers(self, state, t):
        return visuals.visual_layers(self, state, t)
