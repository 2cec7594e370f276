"""Dense gas: a heavier-than-air cloud slumping, spreading and entraining air over terrain.

Governing equations
-------------------
A cloud denser than air hugs the ground and flows as a gravity current: downhill, into
valleys, round buildings, against the wind when it is strong enough. The depth-averaged
(shallow-layer) equations of TWODEE (Hankin & Britter 1999) and SLAM (Ott & Nielsen 1996),
solved by :mod:`models.gas_dispersion.shallow_layer` (symbols, fluxes and entrainment there):

    dh/dt + div(h u) = w_e + q_s
    d(h u)/dt + div(h u u + 1/2 g' h^2 I) = -g' h grad(z_b) + tau_top - tau_ground
    d(h g')/dt + div(h g' u) = g0' q_s
    d(V_s)/dt + div(V_s u) = q_s,   d(V_a)/dt + div(V_a u) = w_e,   d(Q)/dt + div(Q u) = q_ground

with layer depth h, velocity u, reduced gravity g' = g (rho - rho_a)/rho_a, entrainment w_e =
kappa u* / phi(Ri*) through the top and at the front, source volume flux q_s of source gas of
reduced gravity g0'. Buildings are walls. The tracers are what the layer is made of: V_s of source
gas as released, V_a of air as entrained (m3 per m2, unmixed) and the heat Q from the ground.

The source gas of a flashing liquefied gas is the cold mixture in which its aerosol has just
evaporated into entrained air (homogeneous equilibrium, Wheatley 1987; the flash's typical
fraction over the release); of anything else, the pure vapour at the boiling point (a pool) or
at its storage temperature. With rho_g, the gas per m3 of it, the concentration is c = rho_g V_s / h.

Heat and mixing (``layer_thermodynamics``, :mod:`models.gas_dispersion.layer_thermo`). Within a step
the layer mixes by adding volumes (h g' conserved); after it, the layer's depth and buoyancy are set
to those of its mixture: the enthalpy balance of V_s of source gas, V_a of humid air and Q, with the
condensing water's latent heat (the fog below), gives its temperature, volume and density, so the
heat of condensation and the ground's heat (free and forced convection from ground at
``ground_temperature_k``) make the cloud lighter ("ground_heat", the default; "adiabatic" leaves the
ground out). A cloud warmed to neutral buoyancy is passive. "isothermal" keeps the additive mixing
(h g' conserved, g' = g0' V_s / h), the model before this closure.

Fog. The cold cloud chills the humid air it entrains below its dew point and the water condenses:
the cloud is seen as white fog. Per cell, the homogeneous-equilibrium mixture of the source gas with
ambient air of relative humidity RH (:func:`thermo.mixture_cell`: enthalpy balance with the latent
heat, saturation over liquid water by Alduchov & Eskridge 1996) gives the cloud temperature T and the
liquid water content LWC (the closure's; for an isothermal layer that of the heat-free mixture of its
phi_v = V_s / h), and the droplets' visible extinction is beta = 3 LWC / (2 rho_w r_e)
(:func:`thermo.fog_extinction_coefficient`), r_e the droplets' effective radius. The fog is taken
uniform over the layer's depth h, from the depth-averaged mixture (the exponential profile's richer
bottom would make more liquid there, LWC being nonlinear in phi_v).

The concentration at receptor height z_r follows an exponential vertical profile with the
layer's column, c(z) = c_bar exp(-z / h) (Britter & McQuaid 1988's plume profile).

Passive gas. The layer model holds while the cloud's buoyancy still matters, Ri* = g' h / u*^2 > 1
(with h g' = hb: the cloud's buoyant spreading speed sqrt(g' h) exceeds the ambient turbulence's
velocity scale u*; at Ri* = 1 the entrainment law phi(Ri*) = 0.88 + 0.099 Ri*^1.04 is within 11 % of
its neutral value). Beyond, a layer would go on as a slab diluting by the same law, which a passive
plume does not do. So after each step the gas of every cell with Ri* < Ri*_c (``passive_richardson_
number``, 1) leaves the layer (its depth and momentum with it) and goes on as Lagrangian particles
(:mod:`models.gas_dispersion.lagrangian`: Thomson's well-mixed model in the same atmosphere, among
the same buildings and over the same ground): placed uniformly over the cell, at heights drawn from
the layer's own vertical profile over its depth there (z = -h ln(1 - U), U uniform, for the
exponential one), their masses equal, the cells chosen by systematic sampling of the handed-over
mass, ``particles_per_s`` per second of hand-over. Every field then sums the two: concentration at
each receptor height (the particles' kernel estimate, zero in buildings), the column, the airborne
mass; the cloud's depth and its fog are the layer's alone. The emptied cells are dry ground to the
layer, so a dense cell beside them counts as a front and entrains at alpha_f |u| (the hand-over's
only feedback on the layer). In calm air u* is small and nearly nothing is handed over. Desert
Tortoise 4 (``hazsim validate dense_gas``) is the check: the layer alone over-predicts the 800 and
2800 m arcs 2-3 fold, layer and particles stay within a factor of two on all three.

References
----------
Hankin, R.K.S., Britter, R.E. (1999) J. Hazard. Mater. 66, 211-226; 227-237; 239-261 (TWODEE).
Ott, S., Nielsen, M. (1996) Risø-R-895 (SLAM).
Britter, R.E., McQuaid, J. (1988) Workbook on the Dispersion of Dense Gases, HSE CRR 17/1988.
Wheatley, C.J. (1987) Discharge of liquid ammonia to moist atmospheres, UKAEA SRD R410.
Alduchov, O.A., Eskridge, R.E. (1996) J. Appl. Meteor. 35, 601-609.
Gultepe, I., Mueller, M.D., Boybeyi, Z. (2006) J. Appl. Meteor. Climatol. 45, 1469-1480.
Dai, A. (2006) Recent climatology, variability, and trends in global surface humidity. J. Climate 19, 3589-3606.
Britter, R.E. (1988) A review of mixing experiments relevant to dense gas dispersion, in Puttock (ed.),
Stably Stratified Flow and Dense Gas Dispersion, Clarendon (phi(Ri*)).
Thomson, D.J. (1987) J. Fluid Mech. 180, 529-556 (the particles that carry the passive gas).
Spicer, T.O., Havens, J.A. (1989) User's guide for the DEGADIS 2.1 dense gas dispersion model, EPA-450/4-89-019
(heat and mixing balance); Lloyd, J.R., Moran, W.R. (1974) J. Heat Transfer 96, 443-447 (free convection).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field

from models.gas_dispersion import layer_thermo, shallow_layer, source_terms, sources, thermo, visuals
from models.gas_dispersion.atmosphere import CALM_WIND_M_S
from models.gas_dispersion.gases import R_GAS
from models.gas_dispersion.lagrangian import ParticleGas, ParticleModel, ParticleTransportParams
from models.gas_dispersion.outputs import GasOutputs, GasParams
from models.gas_dispersion.releases import InstantaneousRelease, Release
from models.gas_dispersion.source_terms import (AIR_MOLAR_MASS, GROUNDS, PHASE_FLASHING, PHASE_GAS, GroundName,
                                                TankRelease)
from sim.fields import FieldSpec
from sim.grid import RasterGrid

G = 9.81
# Ri* = g' h / u*^2 below which the layer is passive: its buoyant spreading speed sqrt(g' h) is below the
# ambient turbulence's u*, and phi(Ri*) = 0.88 + 0.099 Ri*^1.04 leaves its entrainment within 11 % of the
# neutral value (module docstring).
PASSIVE_RICHARDSON = 1.0
# The layer counts as the cloud where at least this share of it is source gas: its dilute fringe
# keeps entraining (deepening) long after it carries any gas worth the name.
CLOUD_FRACTION = 1e-3


class DenseGasParams(GasParams, ParticleTransportParams):
    """The layer's settings; the particle settings (``particles_per_s`` per second of hand-over, the
    particle budget, the 3-D wind among buildings, ``extra_receptor_heights_m``) carry the passive gas."""

    release: Release
    source_radius_m: float | None = Field(None, gt=0, description="radius of the source area of a continuous "
                                                                 "release (default: one cell, or the tank's pool)")
    source_temperature_k: float | None = Field(None, gt=50, lt=500, description="temperature of the released "
                                                                                "vapour (default: see docstring)")
    source_vapour_share: float | None = Field(None, gt=0, le=1, description="a flashing liquefied gas given as a "
                                              "rate: the vapour share of the airborne release (the rest aerosol), "
                                              "whose aerosol-free mixture with air is the source gas")
    vertical_profile: Literal["exponential", "top_hat"] = "exponential"
    open_boundary: bool = Field(True, description="gas leaves at the grid's edges (else walls)")
    front_entrainment: float = Field(0.6, ge=0, le=2, description="Cox & Carpenter (1980) alpha_f")
    time_step_s: float = Field(5.0, gt=0, description="longest model step (the layer sub-cycles within it)")
    # 100 /s: Desert Tortoise 4's arc maxima are the same within 1 % with 100, 200 and 500 (20 m grid)
    particles_per_s: float = Field(100.0, gt=0, description="particles made per second of hand-over (each step's "
                                                            "passive gas shared equally among them)")
    passive_richardson_number: float | None = Field(
        PASSIVE_RICHARDSON, gt=0, description="Ri* = g' h / u*^2 below which a cell's gas leaves the layer for "
                                              "the Lagrangian particles (null: never, the layer dilutes for ever)")
    # 0.7: of the order of the climatological mean surface relative humidity over land (Dai 2006).
    air_relative_humidity: float = Field(0.7, ge=0, le=1, description="relative humidity of the ambient air "
                                                                      "(over liquid water), for the fog")
    # 5 um: fresh fog is made of small droplets; radiation-fog effective radii are a few um to ~10 um
    # (Gultepe et al. 2006).
    fog_droplet_radius_m: float = Field(5e-6, gt=1e-7, lt=1e-4, description="effective radius of the fog "
                                                                             "droplets")
    layer_thermodynamics: Literal["ground_heat", "adiabatic", "isothermal"] = Field(
        "ground_heat", description="the layer's volume and buoyancy from the enthalpy balance of its gas, air and "
                                   "condensing water with the ground's heat (ground_heat) or without (adiabatic); "
                                   "or isothermal volume-additive mixing, h g' conserved")
    ground_temperature_k: float | None = Field(None, gt=150, lt=350, description="temperature of the ground under "
                                                                                "the cloud (default: the air's)")
    ground: GroundName | None = Field(None, description="what the ground is, for its heat conduction (default: a "
                                                        "tank release's pool ground, else soil)")


class DenseGas(ParticleGas, GasOutputs):
    """A dense-gas cloud as a shallow layer on the model's raster; its passive gas carried on by particles."""

    name = "dense_gas"
    Params = DenseGasParams
    fixed_params = ("gas", "receptor_height_m", "hazard_guideline", "exposure_duration", "terrain", "buildings",
                    "vertical_profile", "open_boundary", "wind_grid", "max_particles")
    averaging = ("depth-averaged layer with an exponential vertical profile (no averaging-time loss); its passive "
                 "gas: ensemble mean of the particles' turbulence")
    references = ("Hankin & Britter 1999 (TWODEE); Ott & Nielsen 1996 (SLAM); Britter & McQuaid 1988; "
                  "Thomson 1987 (particles)")

    def __init__(self, grid: RasterGrid, params: DenseGasParams, rng: np.random.Generator) -> None:
        extra_heights = self._setup_particle_gas(grid, params, rng)
        self.fields = tuple(self.gas_field_specs()) + (
            FieldSpec("gas_cloud_depth", at="cell", units="m", intent="out",
                      doc="depth of the dense-gas layer where it holds at least 0.1 % of source gas"),
            FieldSpec("gas_cloud_temperature", at="cell", units="K", intent="out", standard_name="air_temperature",
                      doc="temperature of the cloud's mixture of gas and humid air (ambient where no cloud)",
                      running_max=False),
            FieldSpec("fog_liquid_water_content", at="cell", units="kg m-3", intent="out",
                      standard_name="mass_concentration_of_cloud_liquid_water_in_air",
                      doc="condensed water (fog droplets) per m3 of the cloud, uniform over its depth"),
            FieldSpec("fog_extinction_coefficient", at="cell", units="m-1", intent="out",
                      doc="visible extinction coefficient of the fog droplets"),
        ) + extra_heights
        self.released_kg = 0.0
        self.handed_over_kg = 0.0
        self.ground_heat_j = 0.0  # heat the cloud has taken from the ground
        bed, building_height = self.ground_elevation_m, self.building_height_m
        self.building_mask = buildings = building_height > 0.0
        self.source_temperature_k, mixture_density, self.source_density = self._source_gas(params)
        self.source_substance_share = self.source_density / mixture_density  # kg of gas per kg of source gas
        air_density = params.air_pressure_pa * AIR_MOLAR_MASS / (R_GAS * params.air_temperature_k)
        reduced_gravity = G * (mixture_density - air_density) / air_density
        if not reduced_gravity > 0.0:
            raise ValueError(f"gas {params.gas!r} released at {self.source_temperature_k:.1f} K is not denser than "
                             f"the air ({mixture_density:.3g} vs {air_density:.3g} kg/m3); expected a dense gas "
                             "(use gas_particles or gas_dispersion for a passive or buoyant one)")
        self._mixture = None
        if params.layer_thermodynamics != "isothermal":
            self._mixture = thermo.mixture_constants(self.source_temperature_k, self.source_substance_share,
                                                     self.gas.name, params.air_temperature_k, params.air_pressure_pa,
                                                     params.air_relative_humidity)
            _, _, volume, mass = thermo.mixture_cell(0.0, 0.0, *self._mixture)
            self.ambient_density = mass / volume  # humid air, the layer's reference
            _, _, volume, mass = thermo.mixture_cell(1.0, 0.0, *self._mixture)
            reduced_gravity = G * (mass / self.ambient_density - volume) / volume  # the closure's own g0'
            self.cloud_temperature = np.full(grid.shape, params.air_temperature_k)
            self.cloud_liquid_water = np.zeros(grid.shape)
            self.ground_exposure_s = np.zeros(grid.shape)  # how long the ground has been under the cloud
            ground = params.ground or (params.release.ground if isinstance(params.release, TankRelease) else "soil")
            self.ground_properties = GROUNDS[ground]
            self.ground_temperature_k = (params.air_temperature_k if params.ground_temperature_k is None
                                         else params.ground_temperature_k)
        self.reduced_gravity = reduced_gravity
        self.cloud = shallow_layer.ShallowLayerCloud(
            bed, grid.dx, grid.dy, reduced_gravity, self.source_density, blocked=buildings.astype(np.uint8),
            params=shallow_layer.ShallowLayerParams(
                roughness_length_m=params.atmosphere.roughness_length_m,
                wind_reference_height_m=max(params.atmosphere.reference_height_m,
                                            11.0 * params.atmosphere.roughness_length_m),
                front_entrainment=params.front_entrainment, open_boundary=params.open_boundary),
            origin=(grid.x0, grid.y0))
        self._layer_atmosphere = None  # the atmosphere the layer's wind was set for
        self.friction_velocity_m_s = 0.0

    # -- set-up -----------------------------------------------------------------------------------
    def _source_gas(self, params: DenseGasParams) -> tuple[float, float, float]:
        """(temperature K, density kg m-3, gas per m3 of it) of the source gas the layer receives.

        A flashing liquefied gas: the mixture in which its aerosol has just evaporated into entrained
        air (:func:`source_terms.aerosol_free_mixture`), cold and dense. Otherwise the pure vapour at
        ``source_temperature_k``, the boiling point for a pool, or the storage (or ambient) temperature.
        """
        p_a = params.air_pressure_pa
        r = params.release
        temperature = params.source_temperature_k
        if params.source_vapour_share is not None:
            substance = thermo.substance(self.gas.name)
            if not substance.liquefiable:
                raise ValueError(f"source_vapour_share: {self.gas.name} is not a liquefied gas here")
            mixture = source_terms.aerosol_free_mixture(substance, params.source_vapour_share,
                                                        params.air_temperature_k, p_a)
            return mixture.temperature_K, mixture.density_kg_m3, mixture.substance_kg_m3
        if temperature is None and isinstance(r, TankRelease):
            substance = thermo.substance(r.substance)
            history = r.history()
            flashing = history.phase == PHASE_FLASHING
            if substance.liquefiable and flashing.any():
                flash = float(np.median(history.flash_fraction[flashing]))
                mixture = source_terms.aerosol_free_mixture(substance, flash / source_terms.airborne_fraction(flash),
                                                            params.air_temperature_k, p_a)
                return mixture.temperature_K, mixture.density_kg_m3, mixture.substance_kg_m3
            if substance.liquefiable and r.phase_at(r.start_s) != PHASE_GAS:
                temperature = substance.saturation_temperature_K(p_a)
            else:
                temperature = r.storage_temperature_K
        if temperature is None:
            temperature = getattr(r, "storage_temperature_K", params.air_temperature_k)
        density = p_a * self.gas.molar_mass_kg_mol / (R_GAS * temperature)
        return temperature, density, density

    def _set_wind(self) -> None:
        atmosphere = self.params.atmosphere
        if atmosphere == self._layer_atmosphere:
            return
        self._layer_atmosphere = atmosphere
        self.friction_velocity_m_s = atmosphere.surface_layer().friction_velocity_m_s
        self.cloud.set_wind(max(atmosphere.wind_speed_m_s, CALM_WIND_M_S), atmosphere.wind_direction_deg,
                            friction_velocity=self.friction_velocity_m_s)

    def _source_radius(self, t: float) -> float:
        p = self.params
        if p.source_radius_m is not None:
            return p.source_radius_m
        radius = 0.5 * max(self.grid.dx, self.grid.dy)
        if isinstance(p.release, TankRelease):
            pool = p.release.history()
            radius = max(radius, float(np.interp(t, pool.time_s + p.release.start_s, pool.pool_radius_m)))
        return radius

    # -- the model ---------------------------------------------------------------------------------
    @classmethod
    def estimate_bytes(cls, grid: RasterGrid, params: DenseGasParams) -> int:
        layer = 20 * grid.size * 8  # state, next state, sources, wind, face fluxes
        if params.passive_richardson_number is None:
            return layer
        return layer + super().estimate_bytes(grid, params)

    def stable_dt(self, state) -> float:
        return self.params.time_step_s

    def step(self, state, t: float, dt: float) -> None:
        self._remember_concentration(state)
        self._set_wind()
        p = self.params
        r = p.release
        mass = r.mass_between(t, t + dt)
        self.released_kg += mass
        cloud = self.cloud
        if isinstance(r, InstantaneousRelease):
            if mass > 0.0:  # a squat cylinder of pure vapour, as tall as it is wide (Thorney Island's)
                volume = mass / self.source_density
                radius = max((volume / (2.0 * math.pi)) ** (1.0 / 3.0), 0.5 * min(self.grid.dx, self.grid.dy))
                cells = cloud.disc(r.x_m, r.y_m, radius).sum() * self.grid.cell_area_m2
                cloud.add_cylinder(r.x_m, r.y_m, radius, volume / cells)
        else:
            cloud.set_source(r.x_m, r.y_m, self._source_radius(t), mass / dt / self.source_density)
        elapsed = 0.0
        while elapsed < dt * (1.0 - 1e-12):
            sub = min(cloud.stable_dt(), dt - elapsed)
            cloud.step(sub)
            elapsed += sub
        if self._mixture is not None:
            self._close_thermodynamics(dt)
        if p.passive_richardson_number is not None:
            self._hand_over(dt)
        self._write(state)
        self._derived(state, dt)

    def _close_thermodynamics(self, dt: float) -> None:
        """The layer's state from its mixture (layer_thermo): closed once for the cloud's temperature, then,
        with ground heat, again after the step's heat from the ground at that temperature."""
        cloud, p = self.cloud, self.params
        h, hu, hv, hb = cloud.state
        args = (cloud.blocked, cloud.params.dry_depth_m, *self._mixture, self.ambient_density,
                self.cloud_temperature, self.cloud_liquid_water)
        layer_thermo.closure_kernel(h, hu, hv, hb, cloud.tracers, *args)
        if p.layer_thermodynamics == "ground_heat":
            soil = self.ground_properties
            before = cloud.tracers[shallow_layer.HEAT].sum()
            layer_thermo.ground_heat_kernel(h, hu, hv, cloud.tracers, cloud.blocked, self.cloud_temperature,
                                            self.ground_temperature_k, soil.conductivity_w_m_k, soil.diffusivity_m2_s,
                                            self.ground_exposure_s, cloud.params.roughness_length_m,
                                            p.air_pressure_pa, cloud.params.dry_depth_m, dt)
            self.ground_heat_j += float(cloud.tracers[shallow_layer.HEAT].sum() - before) * self.grid.cell_area_m2
            layer_thermo.closure_kernel(h, hu, hv, hb, cloud.tracers, *args)

    # -- the passive gas ---------------------------------------------------------------------------
    def passive_cells(self) -> np.ndarray:
        """Cells whose layer is passive: it holds gas and Ri* = g' h / u*^2 (= hb / u*^2) is below the
        ``passive_richardson_number`` (a cloud the ground has warmed to neutral, hb = 0, included)."""
        holds_gas = self.cloud.tracers[shallow_layer.SOURCE] > 0.0
        return holds_gas & (self.cloud.hb < self.params.passive_richardson_number * self.friction_velocity_m_s ** 2)

    def _hand_over(self, dt: float) -> None:
        """Carry the particles on, then move the gas of the passive cells into new particles: uniform over
        each cell, at heights drawn from the layer's vertical profile over its depth there."""
        if self.n_used:
            self._transport(dt)
        passive = self.passive_cells()
        if passive.any():
            self._ensure_wind()
            column, depth = self.cloud.remove(passive)
            depth = depth.ravel()
            count = max(1, int(round(self.params.particles_per_s * dt)))
            exponential = self.params.vertical_profile == "exponential"

            def heights_of(cells):  # U uniform: z = -h ln(1 - U) for c ~ exp(-z / h), else z = h U
                u = self.rng.random(cells.size)
                return depth[cells] * (-np.log1p(-u) if exponential else u)

            self.handed_over_kg += self._emit_by_mass(column * self.grid.cell_area_m2, count, dt, heights_of)
        if self.n_used:
            self._drop_far_particles()

    def _write(self, state) -> None:
        p = self.params
        heights = (p.receptor_height_m, *p.extra_receptor_heights_m)
        names = ("gas_concentration", *self.extra_height_fields("gas_concentration"))
        passive = self.receptor_concentrations(p.receptor_height_m) if self.n_used else None
        fraction = self.cloud.volume_fraction()
        layer_mean = fraction * self.cloud.rho_g  # the layer's depth-averaged concentration
        for k, (name, height) in enumerate(zip(names, heights)):
            concentration = shallow_layer.receptor_concentration(layer_mean, self.cloud.h, height, p.vertical_profile)
            if passive is not None:  # the particles' kernel estimate reaches into buildings: no gas there
                concentration += np.where(self.building_mask, 0.0, passive[k])
            state[name][...] = concentration
        state["gas_cloud_depth"][...] = np.where(fraction > CLOUD_FRACTION, self.cloud.h, 0.0)
        self._write_fog(state, fraction)

    def initialize(self, state) -> None:
        super().initialize(state)
        state["gas_cloud_temperature"][...] = self.params.air_temperature_k

    def _write_fog(self, state, source_fraction: np.ndarray) -> None:
        """Cloud temperature, liquid water and extinction of the fog, per cell (module docstring): the
        layer's closure, or for an isothermal layer the heat-free mixture of its source-gas fraction."""
        p = self.params
        if self._mixture is not None:
            cloud = source_fraction > 0.0  # cells handed over since the closure hold no gas
            temperature = np.where(cloud, self.cloud_temperature, p.air_temperature_k)
            liquid = np.where(cloud, self.cloud_liquid_water, 0.0)
        else:
            temperature, liquid = thermo.fog_mixing(
                source_fraction, self.source_temperature_k, self.source_substance_share,
                self.gas.name, p.air_temperature_k, p.air_pressure_pa, p.air_relative_humidity)
        state["gas_cloud_temperature"][...] = temperature
        state["fog_liquid_water_content"][...] = liquid
        state["fog_extinction_coefficient"][...] = thermo.fog_extinction_coefficient(liquid, p.fog_droplet_radius_m)

    def fog_layers(self, state) -> dict[str, np.ndarray]:
        """What the cameras see of the fog: its extinction and liquid water path over the layer's
        depth, and its temperature (for the thermal views)."""
        depth = np.where(state["fog_extinction_coefficient"] > 0.0, self.cloud.h, 0.0)
        return {"extinction_per_m": np.asarray(state["fog_extinction_coefficient"], dtype=np.float64),
                "depth_m": depth,
                "liquid_water_path_kg_m2": np.asarray(state["fog_liquid_water_content"], dtype=np.float64) * depth,
                "temperature_K": np.asarray(state["gas_cloud_temperature"], dtype=np.float64)}

    def column_density(self, t: float) -> np.ndarray:
        """The gas column (kg m-2): the layer's, plus the particles' (outside buildings)."""
        column = self.cloud.column()
        if self.n_used:
            column += np.where(self.building_mask, 0.0, ParticleModel.column_density(self, t))
        return column

    def airborne_kg(self) -> float:
        """Gas in the layer and in the particles (kg)."""
        return float(self.cloud.column().sum() * self.grid.cell_area_m2) + ParticleModel.airborne_kg(self)

    def acoustic_sources(self, state, t):
        return sources.acoustic_sources(self, state, t)

    def visual_layers(self, state, t):
        return visuals.visual_layers(self, state, t)

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        lines = super().summary(peaks, grid)
        if self.params.layer_thermodynamics == "ground_heat":
            lines.append(f"heat the cloud took from the ground {self.ground_heat_j / 1e6:.4g} MJ")
        if self.params.passive_richardson_number is not None:
            lines.append(f"passive gas handed to the particles {self.handed_over_kg:.4g} kg "
                         f"({self.handed_over_kg / max(self.released_kg, 1e-300):.0%} of the released)")
        return lines

    def report(self) -> dict:
        return {**ParticleModel.report(self), "released_kg": self.released_kg, "airborne_kg": self.airborne_kg(),
                "handed_over_kg": self.handed_over_kg, "ground_heat_j": self.ground_heat_j,
                "source_temperature_k": self.source_temperature_k,
                "source_reduced_gravity_m_s2": self.reduced_gravity}
