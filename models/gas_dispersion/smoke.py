"""Smoke: fine particles (PM2.5) another model emits, carried by the Lagrangian particles.

Governing equations
-------------------
The emitting model (the wildfire) declares a field of emission rate per unit area E(x, y)
(kg m-2 s-1); each step releases sum E A dt as particles, placed in the emitting cells in
proportion to their emission (systematic sampling of the cumulative emission: no random
draws decide which cell gets particles, so the count per cell is as even as it can be) and
spread uniformly up to the fire's injection height. The particles are then carried exactly
as the gas particles are (:mod:`models.gas_dispersion.lagrangian`).

Injection height: Briggs's (1975) final rise of a buoyant plume of buoyancy flux

    F = g Q_c / (pi rho_a c_p T_a),   Q_c = chi_c sum(q'' A)   (W)

from the fire's heat release rate per unit area q'' (the ``heat_field``) and its convective
share chi_c; neutral or unstable air (a distance to final rise x_f = 3.5 x*, x* = 14 F^(5/8)
for F < 55 m4 s-3, else 34 F^(2/5)):

    dh = 1.6 F^(1/3) x_f^(2/3) / u

stable air (s = g/T_a dtheta/dz, 0.02 K/m in class E, 0.035 K/m in F, as in EPA's ISC3):

    dh = 2.6 (F / (u s))^(1/3),   and in calm air dh = 4 F^(1/4) s^(-3/8)

with u the wind at 10 m (at least 1 m/s). The smoke is injected from the ground to
min(dh, h), h the boundary-layer height: a plume that would rise further is capped there
(pyro-convection through the inversion is not modelled).

Optics: the extinction coefficient sigma_ext = K_m C with the mass extinction efficiency of
fresh biomass-burning PM2.5 at 550 nm, K_m = 4.0 m2/g (Reid et al. 2005: 3.5-5 m2/g), what the
smoke detectors (:mod:`sim.render.instruments.fire`) and the cameras read; visibility by
Koschmieder's law V = 3.912 / (sigma_ext + sigma_R), sigma_R = 1.16e-5 m-1 the Rayleigh
extinction of clean air at 550 nm (Bucholtz 1995).

========  ==========================================================  =========
symbol    meaning                                                     unit
========  ==========================================================  =========
E         emission rate of PM2.5 per unit area                        kg m-2 s-1
q''       heat release rate of the fire per unit area                 W m-2
chi_c     convective share of the fire's heat                         1
Q_c       convective heat of the whole fire                           W
F         buoyancy flux                                               m4 s-3
x*, x_f   Briggs's distance scale and distance to final rise          m
u         wind at 10 m (at least 1 m/s)                               m s-1
s         stability parameter g / T_a dtheta/dz                       s-2
dh        final plume rise                                            m
h         boundary-layer height                                       m
C         PM2.5 mass concentration                                    kg m-3
K_m       mass extinction efficiency at 550 nm                        m2 kg-1
sigma_R   Rayleigh extinction of clean air at 550 nm                  m-1
V         visibility (meteorological optical range)                   m
========  ==========================================================  =========

References
----------
Briggs, G.A. (1975) Plume rise predictions, in Lectures on Air Pollution and Environmental
Impact Analyses, AMS, 59-111.
Reid, J.S., Eck, T.F., Christopher, S.A. et al. (2005) Atmos. Chem. Phys. 5, 827-849.
Bucholtz, A. (1995) Appl. Opt. 34, 2765-2773.
Freeborn, P.H. et al. (2008) J. Geophys. Res. 113, D01301 (radiant share of the heat, ~14 %).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from models.gas_dispersion.gases import R_GAS
from models.gas_dispersion.lagrangian import ParticleModel, ParticleTransportParams
from models.gas_dispersion.thermo import DRY_AIR_MOLAR_MASS
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.render.images.layers import SceneLayers

G = 9.81
AIR_HEAT_CAPACITY = 1005.0  # J kg-1 K-1
KOSCHMIEDER = 3.912  # -ln(0.02): 2 % contrast threshold
RAYLEIGH_EXTINCTION_PER_M = 1.16e-5
# Potential-temperature gradients (K/m) of stable classes E and F (EPA ISC3 user's guide, vol. II, eq. 1-33).
STABLE_LAPSE_K_M = {"E": 0.020, "F": 0.035}


def injection_height_m(heat_w: float, wind_m_s: float, air_temperature_k: float, stability: str,
                       mixing_height_m: float) -> float:
    """Top of the smoke column (m): Briggs's (1975) final rise of a fire of convective heat ``heat_w`` (W),
    capped at the boundary layer.

    >>> round(injection_height_m(1e8, 5.0, 300.0, "D", 2000.0))  # a 100-MW fire in a 5 m/s wind
    452
    """
    if not heat_w > 0.0:
        return 0.0
    rho = 101325.0 * DRY_AIR_MOLAR_MASS / (R_GAS * air_temperature_k)
    buoyancy_flux = G * heat_w / (math.pi * rho * AIR_HEAT_CAPACITY * air_temperature_k)
    u = max(wind_m_s, 1.0)
    if stability in STABLE_LAPSE_K_M:
        s = G / air_temperature_k * STABLE_LAPSE_K_M[stability]
        rise = min(2.6 * (buoyancy_flux / (u * s)) ** (1.0 / 3.0), 4.0 * buoyancy_flux ** 0.25 * s ** -0.375)
    else:
        x_star = 14.0 * buoyancy_flux ** 0.625 if buoyancy_flux < 55.0 else 34.0 * buoyancy_flux ** 0.4
        rise = 1.6 * buoyancy_flux ** (1.0 / 3.0) * (3.5 * x_star) ** (2.0 / 3.0) / u
    return min(rise, mixing_height_m)


class SmokeParams(ParticleTransportParams):
    emission_field: str = Field("smoke_pm25_emission_rate", description="kg m-2 s-1, written by another model")
    heat_field: str | None = Field("heat_release_rate", description="kW m-2, for the plume rise; None: "
                                                                    "injection_height_m")
    injection_height_m: float = Field(10.0, gt=0, description="smoke column top when no heat field is read")
    convective_fraction: float = Field(0.86, gt=0, le=1, description="share of the fire's heat carried up by "
                                                                      "its plume (Freeborn et al. 2008)")
    receptor_height_m: float = Field(2.0, ge=0)
    air_temperature_k: float = Field(293.15, gt=150, lt=350)
    mass_extinction_m2_kg: float = Field(4000.0, gt=0, description="K_m at 550 nm (Reid et al. 2005)")
    particles_per_s: float = Field(200.0, gt=0, description="particles released per second of emission")
    camera_levels: int = Field(16, ge=1, le=100, description="smoke layers the cameras see")
    camera_dz_m: float = Field(25.0, gt=0)


class Smoke(ParticleModel):
    """PM2.5 smoke from another model's emission field, with its plume rise, optics and visibility."""

    name = "smoke"
    Params = SmokeParams
    summary_fields = ("smoke_pm25_concentration",)
    fixed_params = ("emission_field", "heat_field", "receptor_height_m", "terrain", "buildings", "wind_grid",
                    "max_particles", "camera_levels", "camera_dz_m")
    references = "Briggs 1975; Reid et al. 2005; Bucholtz 1995; Thomson 1987; Hanna 1982"

    def __init__(self, grid: RasterGrid, params: SmokeParams, rng: np.random.Generator) -> None:
        self.params = params
        self._setup_particles(grid, params, rng)
        inputs = [FieldSpec(params.emission_field, at="cell", units="kg m-2 s-1", intent="in",
                            doc="PM2.5 emission rate per unit area")]
        if params.heat_field is not None:
            inputs.append(FieldSpec(params.heat_field, at="cell", units="kW m-2", intent="in",
                                    doc="heat release rate per unit area of the fire"))
        self.fields = tuple(inputs) + (
            FieldSpec("smoke_pm25_concentration", at="cell", units="kg m-3", intent="out",
                      doc="mass concentration of smoke PM2.5 in air",
                      standard_name="mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"),
            FieldSpec("smoke_extinction_coefficient", at="cell", units="m-1", intent="out",
                      doc="extinction coefficient of the smoke at 550 nm"),
            FieldSpec("visibility", at="cell", units="m", intent="out", doc="meteorological optical range",
                      standard_name="visibility_in_air", running_max=False),
        ) + tuple(self.extra_height_specs("smoke_pm25_concentration", "mass concentration of smoke PM2.5 in air"))
        self.injection_top_m = 0.0

    @property
    def min_vertical_m(self) -> float:
        return self.params.receptor_height_m

    def field_heights(self) -> dict[str, float]:
        heights = {name: self.params.receptor_height_m
                   for name in ("smoke_pm25_concentration", "smoke_extinction_coefficient", "visibility")}
        return {**heights, **self.extra_height_fields("smoke_pm25_concentration")}

    def field_attrs(self) -> dict[str, dict]:
        return {name: {"comment": f"PM2.5 at {height:g} m above ground",
                       "standard_name": "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"}
                for name, height in self.extra_height_fields("smoke_pm25_concentration").items()}

    def initialize(self, state) -> None:
        for name in ("smoke_pm25_concentration", "smoke_extinction_coefficient",
                     *self.extra_height_fields("smoke_pm25_concentration")):
            state[name][...] = 0.0
        state["visibility"][...] = KOSCHMIEDER / RAYLEIGH_EXTINCTION_PER_M

    def step(self, state, t: float, dt: float) -> None:
        self._transport(dt)
        self._emit(state, dt)
        self._drop_far_particles()
        p = self.params
        levels = self.receptor_concentrations(p.receptor_height_m)
        concentration = levels[0]
        state["smoke_pm25_concentration"][...] = concentration
        for k, name in enumerate(self.extra_height_fields("smoke_pm25_concentration"), start=1):
            state[name][...] = levels[k]
        extinction = state["smoke_extinction_coefficient"]
        np.multiply(concentration, p.mass_extinction_m2_kg, out=extinction)
        state["visibility"][...] = KOSCHMIEDER / (extinction + RAYLEIGH_EXTINCTION_PER_M)

    def _emit(self, state, dt: float) -> None:
        """This step's emission as particles, spread uniformly up to the injection height."""
        p = self.params
        mass = np.asarray(state[p.emission_field], dtype=np.float64) * self.grid.cell_area_m2 * dt
        mass = np.where(np.isfinite(mass) & (mass > 0.0), mass, 0.0)
        if not mass.sum() > 0.0:
            return
        self.injection_top_m = top = self._injection_top(state)
        count = max(1, int(round(p.particles_per_s * dt)))
        self.released_kg += self._emit_by_mass(mass, count, dt, lambda cells: top * self.rng.random(cells.size))

    def _injection_top(self, state) -> float:
        p = self.params
        if p.heat_field is None:
            return p.injection_height_m
        heat_w = float(np.nansum(state[p.heat_field])) * 1e3 * self.grid.cell_area_m2 * p.convective_fraction
        a = p.atmosphere
        return max(injection_height_m(heat_w, a.wind_speed_m_s, p.air_temperature_k, a.pasquill_class(),
                                      self.layer.boundary_layer_height_m), 2.0 * p.receptor_height_m, 1.0)

    def acoustic_sources(self, state, t):
        return []  # smoke makes no sound; the fire's own sound is the wildfire model's

    def visual_layers(self, state, t):
        """Smoke voxels for the cameras: extinction at the middle of each of ``camera_levels`` layers."""
        p = self.params
        layers = np.empty((p.camera_levels, self.grid.ny, self.grid.nx))
        self.concentrations_at((np.arange(p.camera_levels) + 0.5) * p.camera_dz_m, layers)
        layers *= p.mass_extinction_m2_kg
        base = float(self.ground_elevation_m.min())
        return SceneLayers(smoke_extinction_per_m=layers, smoke_base_m=base, smoke_dz_m=p.camera_dz_m)

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        lines = []
        if "smoke_pm25_concentration" in peaks:
            c = peaks["smoke_pm25_concentration"]
            j, i = np.unravel_index(int(np.argmax(c)), c.shape)
            lines.append(f"peak PM2.5 {c[j, i] * 1e9:.4g} ug/m3 at x = {grid.x[i]:g} m, y = {grid.y[j]:g} m")
            lines.append(f"area ever above 250.5 ug/m3 (US AQI 'hazardous'): "
                         f"{np.count_nonzero(c > 250.5e-9) * grid.cell_area_m2 / 1e6:.4g} km2")
        lines.append(f"emitted {self.released_kg:.4g} kg of PM2.5")
        return lines
