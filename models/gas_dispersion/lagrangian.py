"""Lagrangian particle dispersion of a gas among buildings, over terrain and in calm air.

Governing equations
-------------------
Each computational particle carries a share m_p of the released mass. Its position follows the
mean wind plus a velocity fluctuation, and the fluctuations follow Thomson's (1987) well-mixed
Langevin model for Gaussian turbulence (kernels and symbols: :mod:`models.gas_dispersion.particles`;
in a convective layer the vertical one is skewed, bi-Gaussian after Luhar, Hibberd & Hurley 1996,
with Thomson's drift for that PDF):

    dx = (U(x) + u') dt,
    du'_i = -u'_i / T_i dt + [0.5 (1 + w'^2 / s_w^2) d(s_w^2)/dz]_(i = w) dt + sqrt(2 s_i^2 / T_i) dW_i

with the mean wind U, the spreads s_i and the Lagrangian time scales T_i from surface-layer
similarity (Monin-Obukhov; Hanna 1982 as in FLEXPART, :mod:`models.gas_dispersion.turbulence`),
perfect reflection at the ground, at the top of the boundary layer and at solid cells.

Over flat open ground U is the Monin-Obukhov profile along the wind direction. With terrain or
buildings it is the diagnostic mass-consistent field of :mod:`models.gas_dispersion.wind_field`
(Sherman 1978; Röckle 1990 zones as in QUIC-URB), on a 3-D grid over the model's raster.

Concentration at receptor height z_r (and at each extra height a run asks for, from the same
particles and kernel widths): kernel density estimate over the particles with the Epanechnikov
kernel and the ground image of the vertical kernel (de Haan 1999),

    C(x, y, z_r) = sum_p m_p K_h(x - x_p) K_h(y - y_p) [K_z(z_r - z_p) + K_z(z_r + z_p)]

the ensemble-mean concentration of the run's turbulence (an instantaneous estimate of it; it
carries no averaging-time loss). Derived fields as every gas model: :mod:`models.gas_dispersion.outputs`.

Dry deposition (``dry_deposition``): the ground takes up part of the mass of each particle that hits it,
the share set by the surface's own conductance v_s (partial reflection, :mod:`models.gas_dispersion.particles`).
The scenario gives the deposition velocity v_d at a reference height z_d, as measured or tabulated (e.g. Sehmel
1980); the model resolves the turbulent transport below z_d itself, with the aerodynamic resistance of its own
diffusivity K = s_w^2 T_w, so the surface keeps the rest of the resistance (Seinfeld & Pandis 2016, ch. 19:
resistances in series)

    1 / v_d = r_a + 1 / v_s,    r_a = integral from z_0 to z_d of dz / K(z).

Where 1 / v_d <= r_a the ground takes up every particle that reaches it (v_s = inf): the turbulence, not the
surface, then limits the flux. The mass taken up is the model's ``deposited_kg``.

Calm and low wind: the turbulence keeps a floor on the crosswind spread (s_v >= 0.2 m/s,
Hanna 1983's low-wind meander) and the mean wind itself wanders: a plume-wide meander velocity
(u_m, v_m) follows an Ornstein-Uhlenbeck process with spread s_m and time scale T_m,

    du_m = -u_m / T_m dt + sqrt(2 s_m^2 / T_m) dW,

so a release in still air spreads and drifts instead of piling up at the source (Anfossi et al.
2005; Oettl et al. 2005 give T_m of several minutes in low winds).

========  ===========================================================  =======
symbol    meaning                                                      unit
========  ===========================================================  =======
m_p       mass a particle carries                                      kg
U         mean wind (profile or diagnostic field)                      m s-1
u'_i      velocity fluctuation, i = along, across, vertical            m s-1
s_i, T_i  its spread and Lagrangian time scale                         m s-1, s
K_h, K_z  horizontal and vertical Epanechnikov kernels (half-widths    m-1
          h, h_z: Silverman's rule, at least a cell)
z_r       receptor height above the ground                             m
v_d, z_d  deposition velocity at the reference height z_d              m s-1, m
v_s       the surface's conductance (quasi-laminar and surface parts)  m s-1
r_a       aerodynamic resistance from z_0 to z_d                      s m-1
K         the model's vertical diffusivity s_w^2 T_w                   m2 s-1
u_m, v_m  plume-wide meander velocity                                  m s-1
s_m, T_m  its spread and time scale                                    m s-1, s
========  ===========================================================  =======

References
----------
Thomson, D.J. (1987) J. Fluid Mech. 180, 529-556.
Hanna, S.R. (1982) Applications in air pollution modeling, in Atmospheric Turbulence and Air
Pollution Modelling (Nieuwstadt & van Dop, eds.), Reidel, 275-310.
Stohl, A. et al. (2005) Atmos. Chem. Phys. 5, 2461-2474 (FLEXPART 6.2).
Sherman, C.A. (1978) J. Appl. Meteorol. 17, 312-319. Röckle, R. (1990) PhD thesis, TH Darmstadt.
de Haan, P. (1999) Atmos. Environ. 33, 2007-2021.
Hanna, S.R. (1983) J. Clim. Appl. Meteorol. 22, 1424-1430.
Anfossi, D., Oettl, D., Degrazia, G., Goulart, A. (2005) Boundary-Layer Meteorol. 114, 179-203.
Sehmel, G.A. (1980) Atmos. Environ. 14, 983-1011. Seinfeld, J.H., Pandis, S.N. (2016) Atmospheric Chemistry
and Physics, 3rd ed., Wiley, ch. 19.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from pydantic import Field, model_validator
from scipy.integrate import trapezoid

from models.gas_dispersion import particles, sources, turbulence, visuals
from models.gas_dispersion.atmosphere import CALM_WIND_M_S, Atmosphere
from models.gas_dispersion.outputs import GasOutputs, GasParams
from models.gas_dispersion.releases import InstantaneousRelease, Release
from models.gas_dispersion.obstacles import Building, ground_and_buildings
from models.gas_dispersion.wind_field import WindGrid, wind_field
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.model import ModelParams
from sim.terrain import TerrainSpec

# Particles further than this from the grid (m) never come back to it: they are dropped.
KEEP_MARGIN_M = 200.0
# Particle sub-steps: dt_p = c_T min(T) but at least dt_min (particles.substep_length).
C_T = 0.05
DT_MIN_S = 0.01
# Concentration fields at further heights a run may ask for (each costs one kernel estimate a step).
MAX_EXTRA_HEIGHTS = 16
# A release is split into at most this many batches over its step, so a long step draws a
# continuous plume rather than a train of puffs.
RELEASE_BATCHES = 8


def height_label(height_m: float) -> str:
    """A height as a field-name suffix, to the centimetre: 10 -> '10m', 0.5 -> '0p5m'."""
    return f"{height_m:.2f}".rstrip("0").rstrip(".").replace(".", "p") + "m"


def height_field_name(base: str, height_m: float) -> str:
    """The field of ``base`` at a further receptor height: gas_concentration_at_10m."""
    return f"{base}_at_{height_label(height_m)}"


class WindGridSpec(ModelParams):
    """The 3-D grid of the diagnostic wind: the model's raster, levels of dz_m above the lowest ground."""

    levels: int = Field(30, ge=4, le=400)
    dz_m: float = Field(2.0, gt=0)
    alpha_ratio: float = Field(1.0, gt=0, description="alpha_1 / alpha_2 of Sherman (1978); < 1 makes "
                                                      "vertical adjustment dear (stable air goes round hills)")
    building_zones: bool = Field(True, description="Röckle (1990) upwind, cavity and wake zones in the first guess")


class Meander(ModelParams):
    """Plume-wide wander of the mean wind (Ornstein-Uhlenbeck)."""

    sigma_m_s: float = Field(0.3, ge=0, description="spread of each horizontal meander component")
    time_scale_s: float = Field(300.0, gt=0)


class DryDeposition(ModelParams):
    """Uptake of the particles' mass by the ground: the deposition velocity v_d at a reference height."""

    velocity_m_s: float = Field(gt=0, le=1.0, description="v_d: downward flux / concentration at reference_height_m")
    reference_height_m: float = Field(1.0, gt=0, le=100.0, description="z_d, where v_d was measured")


def surface_conductance(table: turbulence.ProfileTable, deposition: DryDeposition, samples: int = 400) -> float:
    """v_s = 1 / (1 / v_d - r_a), r_a = integral of dz / (s_w^2 T_w) from the table's bottom to z_d (trapezoidal,
    on log-spaced heights); inf where the turbulence alone resists more than 1 / v_d. z_d must lie above the
    table's bottom (the roughness length); above its top (a boundary layer shallower than z_d, after a change of
    weather) it is taken at the top."""
    z_d = min(deposition.reference_height_m, table.z_hi)
    if not z_d > table.z_lo:
        raise ValueError(f"dry_deposition.reference_height_m = {z_d:g} m must exceed the roughness length "
                         f"({table.z_lo:g} m)")
    # log-spaced heights follow K ~ k u* z near the ground (a homogeneous table may start at z = 0)
    z = np.geomspace(table.z_lo, z_d, samples) if table.z_lo > 0.0 else np.linspace(0.0, z_d, samples)
    rows = turbulence.table_lookup(table, z)
    diffusivity = rows[:, turbulence.COL_SIGMA_W] ** 2 * rows[:, turbulence.COL_T_W]
    r_a = float(trapezoid(1.0 / diffusivity, z))
    surface_resistance = 1.0 / deposition.velocity_m_s - r_a
    return 1.0 / surface_resistance if surface_resistance > 0.0 else math.inf


class ParticleTransportParams(ModelParams):
    """How particles are carried: the atmosphere, the ground and buildings, and the particle budget."""

    atmosphere: Atmosphere
    particles_per_s: float = Field(500.0, gt=0, description="particles released per second of release")
    instantaneous_particles: int = Field(20000, ge=10, description="particles of an instantaneous release")
    max_particles: int = Field(2_000_000, ge=100)
    terrain: TerrainSpec | None = None
    buildings: list[Building] = Field(default_factory=list)
    wind_grid: WindGridSpec = WindGridSpec()
    meander: Meander | None = Field(None, description="None: on (default spread) when the wind is below 2 m/s")
    bandwidth_m: float | None = Field(None, gt=0, description="horizontal kernel half-width; None: Silverman's "
                                                              "rule, at least one cell")
    vertical_bandwidth_m: float | None = Field(None, gt=0)
    time_step_s: float = Field(5.0, gt=0, description="longest model step")
    extra_receptor_heights_m: list[float] = Field(
        default_factory=list, max_length=MAX_EXTRA_HEIGHTS,
        description="further heights above the ground (m), each with its own concentration field")
    dry_deposition: DryDeposition | None = Field(None, description="None: the ground reflects every particle")

    @model_validator(mode="after")
    def _distinct_heights(self) -> "ParticleTransportParams":
        labels = [height_label(h) for h in self.extra_receptor_heights_m]
        main = getattr(self, "receptor_height_m", None)
        if main is not None:
            labels.append(height_label(main))
        for height in self.extra_receptor_heights_m:
            if not 0.0 <= height < 1.0e4:
                raise ValueError(f"extra_receptor_heights_m: {height:g} m is outside [0, 10000) m")
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise ValueError(f"extra_receptor_heights_m: {twice[0][:-1].replace('p', '.')} m given twice "
                             "(receptor_height_m included, to the centimetre); expected distinct heights")
        return self

    @model_validator(mode="after")
    def _deposition_above_roughness(self) -> "ParticleTransportParams":
        deposition, z0 = self.dry_deposition, self.atmosphere.roughness_length_m
        if deposition is not None and not deposition.reference_height_m > z0:
            raise ValueError(f"dry_deposition.reference_height_m = {deposition.reference_height_m:g} m must exceed "
                             f"atmosphere.roughness_length_m = {z0:g} m")
        return self

    @property
    def gridded(self) -> bool:
        """Whether the run needs the 3-D wind (terrain or buildings)."""
        return self.terrain is not None or bool(self.buildings)


class GasParticlesParams(GasParams, ParticleTransportParams):
    release: Release

    @model_validator(mode="after")
    def _source_height(self) -> "GasParticlesParams":
        top = self.atmosphere.boundary_layer_height_m or 1.0e4
        if not self.gridded and self.release.height_m > 0.9 * top:
            raise ValueError(f"release.height_m = {self.release.height_m} lies above the boundary layer")
        return self


class ParticleModel:
    """What every particle model shares: wind, turbulence, the particles, their kernel estimates.

    A subclass sets ``params`` (a :class:`ParticleTransportParams`), calls :meth:`_setup_particles`,
    advances the particles aloft with :meth:`_transport` and adds new ones with :meth:`_add` in its
    ``step``, and says how low its vertical kernel may be (``min_vertical_m``).
    """

    released_kg = 0.0
    min_vertical_m = 1.0

    def _setup_particles(self, grid: RasterGrid, params: ParticleTransportParams, rng: np.random.Generator) -> None:
        self.grid = grid
        self.rng = rng
        self.seed = int(rng.integers(0, 2**62))
        self.state = particles.ParticleState.empty(params.max_particles)
        self.n_used = 0
        self.released_kg = 0.0
        self.lost_kg = 0.0
        self.deposited_kg = 0.0
        self.surface_conductance_m_s = 0.0
        self.dropped_for_capacity = 0
        self.meander_velocity = np.zeros(2)
        self._atmosphere = None  # the atmosphere the current wind was built for
        self._terrain, building_height = ground_and_buildings(grid, params.terrain, params.buildings)
        self._buildings = building_height if building_height.any() else None
        self.ground_elevation_m, self.building_height_m = self._terrain, building_height
        self._levels = np.zeros((1 + len(params.extra_receptor_heights_m),) + grid.shape)
        self._z_agl = np.zeros(params.max_particles)

    @classmethod
    def estimate_bytes(cls, grid: RasterGrid, params: ParticleTransportParams) -> int:
        per_particle = 8 * 9 + 1
        wind = 0
        if params.gridded:
            wind = 8 * 6 * grid.size * params.wind_grid.levels  # faces, solver vectors, preconditioner
        levels = 1 + len(params.extra_receptor_heights_m)
        return params.max_particles * per_particle + (2 + levels) * grid.size * 8 + wind

    def stable_dt(self, state) -> float:
        return self.params.time_step_s

    def _transport(self, dt: float) -> None:
        """Carry the particles already aloft over one step (new ones are added after, with their own ages)."""
        self._ensure_wind()
        self._advance_meander(dt)
        self._advance(0, self.n_used, dt)

    # -- wind and turbulence ----------------------------------------------------------------
    def _ensure_wind(self) -> None:
        """(Re)build the wind and turbulence when the atmosphere changed (at start, or by an event)."""
        atmosphere = self.params.atmosphere
        if atmosphere == self._atmosphere:
            return
        self._atmosphere = atmosphere
        self.layer = atmosphere.surface_layer()
        p = self.params
        self.lid_m = self.layer.boundary_layer_height_m
        self.table = atmosphere.profile_table(self.layer)
        self.kernel_table = particles.kernel_table(self.table)
        self.e_x, self.e_y = atmosphere.direction_vector
        if p.dry_deposition is not None:
            self.surface_conductance_m_s = surface_conductance(self.table, p.dry_deposition)
        if not p.gridded:
            self.wind = None
            return
        g = self.grid
        terrain = self._terrain
        spec = p.wind_grid
        wind_grid = WindGrid(x0=g.x0, y0=g.y0, dx=g.dx, dy=g.dy, dz=spec.dz_m, nx=g.nx, ny=g.ny, nz=spec.levels,
                             z_bottom=float(terrain.min()))
        self.wind = wind_field(wind_grid, max(atmosphere.wind_speed_m_s, CALM_WIND_M_S),
                               atmosphere.reference_height_m, atmosphere.wind_direction_deg,
                               atmosphere.roughness_length_m, self.layer.obukhov_length_m, terrain_m=terrain,
                               building_height_m=self._buildings, alpha_ratio=spec.alpha_ratio,
                               building_zones=spec.building_zones)
        if atmosphere.calm_scale < 1.0:  # still air: the diagnostic wind was built for the calm threshold
            scale = atmosphere.calm_scale
            self.wind = dataclasses.replace(self.wind, u_face=self.wind.u_face * scale,
                                            v_face=self.wind.v_face * scale, w_face=self.wind.w_face * scale)

    def _advance_meander(self, dt: float) -> None:
        """Exact Ornstein-Uhlenbeck update of the plume-wide meander velocity over dt."""
        spec = self.params.meander
        if spec is None:
            if self.params.atmosphere.wind_speed_m_s >= 2.0:
                self.meander_velocity[:] = 0.0
                return
            spec = Meander()
        decay = math.exp(-dt / spec.time_scale_s)
        spread = spec.sigma_m_s * math.sqrt(1.0 - decay * decay)
        self.meander_velocity = decay * self.meander_velocity + spread * self.rng.standard_normal(2)

    # -- particles ----------------------------------------------------------------------------
    def _advance(self, start: int, stop: int, dt: float) -> None:
        if stop <= start or dt <= 0.0:
            return
        s = self.state
        view = [a[start:stop] for a in (s.x, s.y, s.z, s.u_turb, s.v_turb, s.w_turb, s.particle_id, s.draws,
                                        s.active)]
        u_m, v_m = float(self.meander_velocity[0]), float(self.meander_velocity[1])
        table, z_lo, z_hi = self.kernel_table, self.table.z_lo, self.table.z_hi
        # Dry deposition: the kernels take up mass at the ground; what the particles lose is what it took.
        deposition = () if self.params.dry_deposition is None else (self.surface_conductance_m_s, s.mass_kg[start:stop])
        before = float(s.mass_kg[start:stop].sum()) if deposition else 0.0
        if self.wind is None:
            particles.advance_homogeneous(*view, table, z_lo, z_hi, self.e_x, self.e_y, u_m, v_m, self.lid_m, dt,
                                          C_T, DT_MIN_S, self.seed, *deposition)
        else:
            w, g = self.wind, self.wind.grid
            particles.advance_gridded(*view, table, z_lo, z_hi, g.x0, g.y0, g.z_bottom, g.dx, g.dy, g.dz,
                                      w.u_face, w.v_face, w.w_face, w.solid, w.surface_m, self.lid_m, dt, C_T,
                                      DT_MIN_S, self.seed, u_m, v_m, *deposition)
        if deposition:
            self.deposited_kg += before - float(s.mass_kg[start:stop].sum())

    def _add(self, x: np.ndarray, y: np.ndarray, height: np.ndarray, mass_kg: np.ndarray, ages_s: np.ndarray) -> None:
        """New particles at (x, y) and ``height`` above the ground, each carried on by its age (s) within
        this step, in contiguous runs of equal age; turbulence drawn from the local spreads. Mass beyond
        the particle budget is counted as lost."""
        count = x.size
        free = self.state.x.size - self.n_used
        if count > free:
            self.dropped_for_capacity += count - free
            self.lost_kg += float(np.sum(mass_kg[free:]))
            x, y, height, mass_kg, ages_s = x[:free], y[:free], height[:free], mass_kg[:free], ages_s[:free]
            count = free
        if count == 0:
            return
        start, stop = self.n_used, self.n_used + count
        s = self.state
        height = np.maximum(height, self.table.z_lo)
        values = turbulence.table_lookup(self.table, height)
        s.x[start:stop], s.y[start:stop], s.z[start:stop] = x, y, self._surface_at(x, y) + height
        s.u_turb[start:stop] = values[:, turbulence.COL_SIGMA_U] * self.rng.standard_normal(count)
        s.v_turb[start:stop] = values[:, turbulence.COL_SIGMA_V] * self.rng.standard_normal(count)
        s.w_turb[start:stop] = turbulence.vertical_velocities(self.table, height, self.rng)
        s.mass_kg[start:stop] = mass_kg
        s.draws[start:stop] = 0
        s.active[start:stop] = 1
        self.n_used = stop
        runs = np.flatnonzero(np.diff(ages_s)) + 1
        for lo, hi in zip(np.concatenate(([0], runs)), np.concatenate((runs, [count]))):
            self._advance(start + int(lo), start + int(hi), float(ages_s[lo]))

    def _emit_by_mass(self, mass_kg: np.ndarray, count: int, dt: float, heights_of) -> float:
        """Add ``count`` particles carrying the cells' ``mass_kg`` (ny, nx) over this step: cells chosen by
        systematic sampling of the cumulative mass (no random draw decides which cell gets particles, so the
        count per cell is as even as it can be), placed uniformly within them, at ``heights_of(cells)`` above
        the ground (flat cell indices), emitted evenly over the step (batches in random order, each carried
        on for its age). Returns the mass added (kg)."""
        mass = mass_kg.ravel()
        total = float(mass.sum())
        if not total > 0.0:
            return 0.0
        g = self.grid
        cumulative = np.cumsum(mass)
        cells = np.searchsorted(cumulative, (np.arange(count) + 0.5) / count * total, side="right")
        cells = np.minimum(cells, mass.size - 1)
        j, i = np.divmod(cells, g.nx)
        x = g.x0 + (i + self.rng.random(count)) * g.dx
        y = g.y0 + (j + self.rng.random(count)) * g.dy
        height = heights_of(cells)
        order = self.rng.permutation(count)
        batches = min(count, RELEASE_BATCHES)
        bounds = np.linspace(0, count, batches + 1).round().astype(int)
        ages = np.repeat(dt * (1.0 - (np.arange(batches) + 0.5) / batches), np.diff(bounds))
        self._add(x[order], y[order], height[order], np.full(count, total / count), ages)
        return total

    def _surface_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.wind is None:
            return np.zeros_like(x)
        g = self.wind.grid
        i = np.clip(((x - g.x0) / g.dx).astype(int), 0, g.nx - 1)
        j = np.clip(((y - g.y0) / g.dy).astype(int), 0, g.ny - 1)
        return self.wind.surface_m[j, i]

    def _drop_far_particles(self) -> None:
        """Deactivate particles that left the domain for good; compact the arrays when half are dead."""
        n = self.n_used
        s = self.state
        xmin, xmax, ymin, ymax = self.grid.extent_m
        live = s.active[:n] != 0
        far = live & ((s.x[:n] < xmin - KEEP_MARGIN_M) | (s.x[:n] > xmax + KEEP_MARGIN_M)
                      | (s.y[:n] < ymin - KEEP_MARGIN_M) | (s.y[:n] > ymax + KEEP_MARGIN_M))
        # the gridded kernel itself deactivates particles leaving its box
        gone = far | (~live & (s.mass_kg[:n] > 0.0))
        self.lost_kg += float(s.mass_kg[:n][gone].sum())
        s.active[:n][far] = 0
        s.mass_kg[:n][gone] = 0.0
        if n > 1000 and np.count_nonzero(s.active[:n]) < n // 2:
            keep = np.flatnonzero(s.active[:n])
            for array in (s.x, s.y, s.z, s.u_turb, s.v_turb, s.w_turb, s.mass_kg, s.particle_id, s.draws, s.active):
                array[:keep.size] = array[keep]
            s.active[keep.size:n] = 0
            s.mass_kg[keep.size:n] = 0.0
            self.n_used = keep.size
            # Fresh ids for the freed slots: a particle's random stream is keyed by its id.
            first = self._next_id()
            s.particle_id[keep.size:] = np.arange(first, first + s.x.size - keep.size)

    def _next_id(self) -> int:
        return int(self.state.particle_id.max()) + 1

    # -- concentration --------------------------------------------------------------------------
    def _heights_above_ground(self) -> np.ndarray:
        n = self.n_used
        s = self.state
        if self.wind is None:
            return s.z[:n]
        out = self._z_agl[:n]
        g = self.wind.grid
        particles.height_above_surface(s.x[:n], s.y[:n], s.z[:n], g.x0, g.y0, g.dx, g.dy, self.wind.surface_m, out)
        return out

    def bandwidths(self, heights_above_ground: np.ndarray | None = None) -> tuple[float, float]:
        """(horizontal, vertical) kernel half-widths for the current particles (their heights above the
        ground, when the caller has them already)."""
        p = self.params
        if p.bandwidth_m is not None and p.vertical_bandwidth_m is not None:
            return p.bandwidth_m, p.vertical_bandwidth_m
        n = self.n_used
        s = self.state
        z_agl = self._heights_above_ground() if heights_above_ground is None else heights_above_ground
        h_xy, h_z = particles.silverman_bandwidths(s.x[:n], s.y[:n], z_agl, s.mass_kg[:n], s.active[:n],
                                                   max(self.grid.dx, self.grid.dy),
                                                   min_vertical_m=max(1.0, self.min_vertical_m))
        return (p.bandwidth_m or h_xy), (p.vertical_bandwidth_m or h_z)

    def concentrations_at(self, receptor_heights_m, out: np.ndarray) -> np.ndarray:
        """Mass concentration (kg m-3) at each height above the ground into ``out`` (heights, ny, nx):
        the particles' heights and the kernel's widths are found once for all of them."""
        n = self.n_used
        s = self.state
        g = self.grid
        out[...] = 0.0
        if n:
            z_agl = self._heights_above_ground()
            h_xy, h_z = self.bandwidths(z_agl)
            for k, height in enumerate(receptor_heights_m):
                particles.concentration_at_height(s.x[:n], s.y[:n], z_agl, s.mass_kg[:n], s.active[:n], g.x0, g.y0,
                                                  g.dx, g.dy, g.nx, g.ny, height, h_xy, h_z, out[k])
        return out

    def concentration_at(self, receptor_height_m: float) -> np.ndarray:
        """Mass concentration (kg m-3) at a height above the ground on the grid (a scratch array, reused)."""
        return self.concentrations_at((receptor_height_m,), self._levels[:1])[0]

    def receptor_concentrations(self, receptor_height_m: float) -> np.ndarray:
        """Concentrations (kg m-3) at the receptor height, then at each extra height (a scratch array)."""
        return self.concentrations_at((receptor_height_m, *self.params.extra_receptor_heights_m), self._levels)

    def extra_height_specs(self, base: str, what: str) -> list[FieldSpec]:
        """The fields of ``base`` (a mass concentration, ``what`` in words) at the extra heights."""
        return [FieldSpec(height_field_name(base, h), at="cell", units="kg m-3", intent="out",
                          doc=f"{what} at {h:g} m above ground") for h in self.params.extra_receptor_heights_m]

    def extra_height_fields(self, base: str) -> dict[str, float]:
        """Field name -> height (m above ground) of ``base``'s extra-height fields, in height order given."""
        return {height_field_name(base, h): h for h in self.params.extra_receptor_heights_m}

    def column_density(self, t: float) -> np.ndarray:
        """Vertical column of the gas (kg m-2) on the grid, from the same particles and kernel."""
        n = self.n_used
        s = self.state
        g = self.grid
        out = np.zeros(g.shape)
        if n:
            h_xy, _ = self.bandwidths()
            particles.column_density(s.x[:n], s.y[:n], s.mass_kg[:n], s.active[:n], g.x0, g.y0, g.dx, g.dy, g.nx,
                                     g.ny, h_xy, out)
        return out

    def airborne_kg(self) -> float:
        n = self.n_used
        return float(self.state.mass_kg[:n][self.state.active[:n] != 0].sum())

    def report(self) -> dict:
        n = self.n_used
        return {"particles_in_use": int(np.count_nonzero(self.state.active[:n])),
                "released_kg": self.released_kg, "airborne_kg": self.airborne_kg(), "lost_kg": self.lost_kg,
                "deposited_kg": self.deposited_kg,
                "particles_not_released_capacity": self.dropped_for_capacity}


class ParticleGas(ParticleModel):
    """A gas model whose gas the particles carry (all of it, or the passive part): the receptor height
    bounds the vertical kernel, and ``gas_concentration`` has a field at each extra height. Mixed in before
    :class:`GasOutputs`."""

    def _setup_particle_gas(self, grid: RasterGrid, params, rng: np.random.Generator) -> tuple[FieldSpec, ...]:
        """The gas outputs and the particles; returns the specs of ``gas_concentration`` at the extra heights."""
        self.params = params
        self._setup_outputs(grid)
        self._setup_particles(grid, params, rng)
        what = f"mass concentration of {self.gas.name.replace('_', ' ')} in air"
        return tuple(self.extra_height_specs("gas_concentration", what))

    @property
    def min_vertical_m(self) -> float:
        return self.params.receptor_height_m

    def field_attrs(self) -> dict[str, dict]:
        attrs = super().field_attrs()
        ppm = self._ppm_per_kg_m3()
        for name, height in self.extra_height_fields("gas_concentration").items():
            attrs[name] = {"comment": f"{self.gas.formula} at {height:g} m above ground; {self.averaging}; "
                                      f"mole fraction (ppm) = {ppm:.6g} x this", "gas": self.gas.name}
            if self.gas.cf_mass_name:
                attrs[name]["standard_name"] = self.gas.cf_mass_name
        return attrs

    def field_heights(self) -> dict[str, float]:
        return {**super().field_heights(), **self.extra_height_fields("gas_concentration")}


class GasParticles(ParticleGas, GasOutputs):
    """Concentration of a gas released from a source, carried by Lagrangian particles."""

    name = "gas_particles"
    Params = GasParticlesParams
    fixed_params = ("gas", "receptor_height_m", "hazard_guideline", "exposure_duration", "terrain", "buildings",
                    "wind_grid", "max_particles")
    averaging = "ensemble mean of the particles' turbulence (instantaneous kernel estimate)"
    references = ("Thomson 1987 (JFM 180); Hanna 1982; Stohl et al. 2005 (FLEXPART); Sherman 1978; Röckle 1990; "
                  "de Haan 1999")

    def __init__(self, grid: RasterGrid, params: GasParticlesParams, rng: np.random.Generator) -> None:
        extra_heights = self._setup_particle_gas(grid, params, rng)
        self.fields = tuple(self.gas_field_specs()) + extra_heights

    def step(self, state, t: float, dt: float) -> None:
        self._remember_concentration(state)
        self._transport(dt)
        self._release(t, dt)
        self._drop_far_particles()
        levels = self.receptor_concentrations(self.params.receptor_height_m)
        state["gas_concentration"][...] = levels[0]
        for k, name in enumerate(self.extra_height_fields("gas_concentration"), start=1):
            state[name][...] = levels[k]
        self._derived(state, dt)

    def _release(self, t: float, dt: float) -> None:
        """Add this step's released mass as new particles, spread in time over the step."""
        r = self.params.release
        mass = r.mass_between(t, t + dt)
        if not mass > 0.0:
            return
        self.released_kg += mass
        if isinstance(r, InstantaneousRelease):
            count, batches = self.params.instantaneous_particles, 1
            ages = np.array([t + dt - r.at_s])
        else:
            count = max(1, int(round(self.params.particles_per_s * dt)))
            batches = min(count, RELEASE_BATCHES)
            ages = dt * (1.0 - (np.arange(batches) + 0.5) / batches)  # time each batch travels this step
        bounds = np.linspace(0, count, batches + 1).round().astype(int)
        sigma0 = r.source_sigma_m
        x = r.x_m + sigma0 * self.rng.standard_normal(count)
        y = r.y_m + sigma0 * self.rng.standard_normal(count)
        height = np.full(count, r.height_m)
        if sigma0 > 0.0:
            height = np.abs(height + sigma0 * self.rng.standard_normal(count))
        self._add(x, y, height, np.full(count, mass / count), np.repeat(ages, np.diff(bounds)))

    def acoustic_sources(self, state, t):
        return sources.acoustic_sources(self, state, t)

    def visual_layers(self, state, t):
        return visuals.visual_layers(self, state, t)
