"""Flood propagation on a raster DEM: local-inertial or finite-volume shallow water.

Governing equations
-------------------
The depth-averaged shallow-water equations with bed slope and Manning friction::

    dh/dt + d(hu)/dx + d(hv)/dy = r - f + s
    d(hu)/dt + d(hu^2 + g h^2 / 2)/dx + d(huv)/dy = -g h dz/dx - g n^2 u |u| / h^(1/3)
    d(hv)/dt + d(huv)/dx + d(hv^2 + g h^2 / 2)/dy = -g h dz/dy - g n^2 v |u| / h^(1/3)

with h the water depth, (u, v) the depth-averaged velocity, z the bed, n Manning's
coefficient, r the rainfall rate, f the infiltration rate and s point or line inflows.

Two solvers, chosen by ``solver``:

- ``local_inertial`` (Bates, Horritt & Fewtrell 2010, J. Hydrol. 387:33; theta-weighting of
  de Almeida, Bates, Freer & Souvignet 2012, WRR 48:W05528): the momentum equation without
  its convective term, solved for face discharges on a staggered grid with semi-implicit
  friction; fast, for rain, river and urban inundation (sub-critical, gradually varied flow);
  time step dt = alpha min(dx, dy) / sqrt(g h_max).
- ``finite_volume``: Godunov first-order finite volumes with the HLLC Riemann solver (Toro
  et al. 1994), the hydrostatic reconstruction of Audusse et al. (2004) for well-balancing
  and positivity, and implicit (backward-Euler) friction: for dam breaks, bores and supercritical flow,
  where the local-inertial scheme fails; dt = cfl / max((|u| + c)/dx + (|v| + c)/dy).
  ``order = 2`` adds MUSCL reconstruction with a TVD limiter and SSP-RK2 (Heun) time
  stepping, first order at wet-dry fronts (Audusse et al. 2004, section 4).

Forcing is applied before each hydrodynamic step (operator splitting): rain, then
infiltration, then inflows. A mass balance closes every step: storage - initial storage =
inflow + rain - infiltration - outflow, and its relative error is a field.

Symbols
=======
======  =================================================  =========
symbol  meaning                                            unit
======  =================================================  =========
h       water depth                                        m
z       bed elevation                                      m
eta     water-surface elevation z + h                      m
u, v    depth-averaged velocity                            m s-1
q       unit discharge h |u|                               m2 s-1
n       Manning coefficient                                s m-1/3
g       gravitational acceleration, 9.80665                m s-2
theta   de Almeida weighting (1: Bates 2010)               1
alpha   local-inertial time-step coefficient               1
HR      flood hazard rating d (v + 0.5) + DF (FD2320)      1
======  =================================================  =========

The flood hazard rating is that of Defra/EA FD2320 (HR Wallingford 2006, Supplementary
Note 2008): HR = d (v + 0.5) + DF with the debris factor DF = 0.5 where d > 0.25 m (the
pasture/arable value) and 0 below; 0.75 / 1.25 / 2.0 separate low, moderate, significant
and extreme hazard to people.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from models.flood import finite_volume, forcing, kernels, sources, terrain, visuals
from models.flood.finite_volume import fv_stable_dt, fv_step, fv_step_order2
from models.flood.inertial import alpha_limit, inertial_stable_dt, inertial_step
from models.flood.forcing import Boundaries, InfiltrationSpec, Inflow, RainSpec
from models.flood.terrain import BLOCKED_RISE_M, Buildings, Crest, TerrainSpec
from sim import geometry
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.model import ModelParams

G = 9.80665
# Velocities are reported where the water (the face flow depth, for the local-inertial
# solver) is at least this deep: in thinner films the quotient of discharge and depth is
# dominated by the wetting front's numerics, not by the flow.
VELOCITY_DEPTH_M = 0.01


class InitialWater(ModelParams):
    """Water standing at ``level_m`` over the cells of a polygon (a reservoir, a lake).

    With ``connected_to_m``, only the water body that contains that point is filled: the
    cells of the polygon below the level that connect to it through cells below the level
    (side by side, not corner to corner). A polygon drawn around a reservoir often takes in
    a neighbouring valley below the level that is not part of the lake (at Malpasset, a
    tributary beside the dam held 2 hm3 that flooded the valley ahead of the dam break).
    """

    level_m: float
    polygon_m: list[tuple[float, float]] = Field(min_length=3)
    connected_to_m: tuple[float, float] | None = None


class FloodParams(ModelParams):
    solver: Literal["local_inertial", "finite_volume"] = "local_inertial"
    terrain: TerrainSpec
    manning_n: float = Field(0.035, gt=0, le=1)
    manning_n_file: terrain.FileTerrain | None = Field(
        None, description="a land-cover Manning raster, read like a DEM (overrides manning_n)")
    crests: dict[str, Crest] = Field(default_factory=dict)
    buildings: Buildings | None = None
    initial_water: list[InitialWater] = Field(default_factory=list)
    rainfall: RainSpec = forcing.NoRain()
    infiltration: InfiltrationSpec = forcing.NoInfiltration()
    inflows: list[Inflow] = Field(default_factory=list)
    boundaries: Boundaries = Boundaries()
    arrival_depth_m: float = Field(0.1, gt=0, description="depth that counts as the flood's arrival")
    theta: float = Field(0.7, ge=0, le=1, description="de Almeida weighting (local inertial)")
    alpha: float = Field(0.7, gt=0, le=1, description="time-step coefficient (local inertial)")
    cfl: float = Field(0.45, gt=0, le=0.5, description="Courant number (finite volume)")
    order: Literal[1, 2] = Field(1, description="finite volume: 1 (Godunov) or 2 (MUSCL, SSP-RK2)")
    h_flow_min_m: float = Field(1e-3, gt=0, description="no face flow below this depth (local inertial)")
    h_dry_m: float = Field(1e-6, gt=0, description="cells shallower than this are dry (finite volume)")

    @model_validator(mode="after")
    def _positions(self):
        for name, crest in self.crests.items():
            if not name.isidentifier():
                raise ValueError(f"crests: name {name!r} must be an identifier (letters, digits, _)")
        return self


class Flood:
    """Shallow-water flood on a raster: depth, velocity, hazard, arrival time, mass balance."""

    name = "flood"
    Params = FloodParams
    # The terrain and solver choose the run's arrays; events may change rain, inflows,
    # boundaries, crests (a breach) and friction.
    summary_fields = ("water_depth", "flow_speed", "flood_hazard_rating")
    fixed_params = ("solver", "order", "terrain", "buildings", "initial_water", "manning_n_file")
    references = ("Bates, Horritt & Fewtrell 2010 (J. Hydrol. 387:33); de Almeida et al. 2012 (WRR 48:W05528); "
                  "Toro, Spruce & Speares 1994 (Shock Waves 4:25); Audusse et al. 2004 (SIAM J. Sci. Comput. "
                  "25:2050); Green & Ampt 1911; HR Wallingford 2006, FD2320 flood hazard rating")

    # Every field but the rain is derived from the solver's state only when read (diagnose);
    # the maxima and arrival times are folded in every step, inside the solver's sweep.
    fields = (
        FieldSpec("water_depth", at="cell", units="m", intent="out", doc="water depth", diagnostic=True),
        FieldSpec("water_surface_elevation", at="cell", units="m", intent="out", diagnostic=True, running_max=False,
                  doc="water-surface elevation (bed elevation where dry)"),
        FieldSpec("velocity_x", at="cell", units="m s-1", intent="out", diagnostic=True, running_max=False,
                  doc="depth-averaged velocity along x"),
        FieldSpec("velocity_y", at="cell", units="m s-1", intent="out", diagnostic=True, running_max=False,
                  doc="depth-averaged velocity along y"),
        FieldSpec("flow_speed", at="cell", units="m s-1", intent="out", diagnostic=True,
                  doc="depth-averaged flow speed"),
        FieldSpec("unit_discharge", at="cell", units="m2 s-1", intent="out", diagnostic=True, running_max=False,
                  doc="unit discharge, depth times speed"),
        FieldSpec("flood_hazard_rating", at="cell", units="1", intent="out", diagnostic=True,
                  doc="FD2320 flood hazard rating d (v + 0.5) + DF"),
        FieldSpec("flood_arrival_time", at="cell", units="s", intent="out", allow_nan=True, diagnostic=True,
                  running_max=False, doc="time the depth first reached the arrival depth (NaN: not reached)"),
        FieldSpec("bed_elevation", at="cell", units="m", intent="out", diagnostic=True, running_max=False,
                  doc="bed elevation, crests and buildings"),
        FieldSpec("rainfall_rate", at="cell", units="m s-1", intent="out", doc="rainfall rate",
                  standard_name="lwe_precipitation_rate"),
        FieldSpec("volume_inflow", at="global", units="m3", intent="out", diagnostic=True,
                  doc="water that entered by inflows"),
        FieldSpec("volume_rain", at="global", units="m3", intent="out", diagnostic=True,
                  doc="water that fell as rain"),
        FieldSpec("volume_infiltrated", at="global", units="m3", intent="out", diagnostic=True,
                  doc="water lost to the soil"),
        FieldSpec("volume_outflow", at="global", units="m3", intent="out", diagnostic=True,
                  doc="net water that left through the boundaries"),
        FieldSpec("volume_stored", at="global", units="m3", intent="out", diagnostic=True,
                  doc="water on the grid"),
        FieldSpec("mass_balance_error", at="global", units="1", intent="out", diagnostic=True,
                  doc="storage change minus net gain, over the water the run has held"),
    )
    # Fields whose maximum over every step the model keeps itself (see kernels.observe_cell).
    # Each is one more array read and written every step, so only those of the issue: the
    # maximum surface is the bed plus the maximum depth wherever no breach lowered the bed.
    PEAK_FIELDS = ("water_depth", "flow_speed", "flood_hazard_rating")

    def __init__(self, grid: RasterGrid, params: FloodParams, rng: np.random.Generator) -> None:
        self.grid = grid
        self.params = params
        dtype = grid.float_dtype
        shape = grid.shape
        self.base_bed = np.ascontiguousarray(terrain.build_bed(params.terrain, grid), dtype=dtype)
        self.blocked = np.zeros(shape, dtype=bool)
        if params.buildings is not None:
            cells = geometry.box_cells(params.buildings.boxes_m, grid)
            if params.buildings.mode == "raised":
                self.base_bed[cells] += params.buildings.height_m
            else:
                self.blocked = cells
        self.has_blocked = bool(self.blocked.any())
        # What a camera sees as buildings: the town's blocks and the scenario's building boxes.
        self.building_mask = (terrain.town_blocks(params.terrain, grid) if params.terrain.kind == "town"
                              else np.zeros(shape, dtype=bool))
        if params.buildings is not None:
            self.building_mask = self.building_mask | geometry.box_cells(params.buildings.boxes_m, grid)
        self.bed = np.empty(shape, dtype)
        self._applied_crests: dict | None = None
        self._crest_cells = {name: geometry.line_cells(c.line_m, grid, c.width_m) for name, c in params.crests.items()}
        self._apply_crests()
        self._initial_water = []  # (cells, level) of each initial water body
        for water in params.initial_water:
            cells = geometry.polygon_cells(water.polygon_m, grid) & ~self.blocked
            if water.connected_to_m is not None:
                cells = terrain.connected_below(cells, self.bed, water.level_m, water.connected_to_m, grid)
            self._initial_water.append((cells, water.level_m))
        self.manning = np.full(shape, params.manning_n, dtype)
        if params.manning_n_file is not None:
            self.manning = np.ascontiguousarray(terrain.build_bed(params.manning_n_file, grid), dtype=dtype)
        self.h = np.zeros(shape, dtype)
        self.h_next = np.empty(shape, dtype)
        if params.solver == "local_inertial":
            self.qx = np.zeros((grid.ny, grid.nx + 1), dtype)
            self.qy = np.zeros((grid.ny + 1, grid.nx), dtype)
            self.qx_next, self.qy_next = np.empty_like(self.qx), np.empty_like(self.qy)
        else:
            self.hu = np.zeros(shape, dtype)
            self.hv = np.zeros(shape, dtype)
            self.hu_next, self.hv_next = np.empty_like(self.hu), np.empty_like(self.hv)
            self.fv_workspace = (finite_volume.fv_workspace(grid.ny, grid.nx, dtype) if params.order == 1
                                 else finite_volume.fv_workspace_order2(grid.ny, grid.nx, dtype))
        self.infiltrated_depth = np.zeros(shape, dtype)  # F of Green-Ampt (m)
        self.gridded_rain = (forcing.GriddedRainfall(params.rainfall, grid)
                             if params.rainfall.kind == "gridded" else None)
        self._inflows = params.inflows
        self._inflow_cells = [self._cells_of(inflow) for inflow in params.inflows]
        self.cell_area = grid.dx * grid.dy
        self.maxima = {name: np.empty(shape, dtype) for name in self.PEAK_FIELDS}
        self.arrival = np.full(shape, np.nan, dtype)
        self._rain_now: float | None = None  # the uniform rate last written to the field
        self._state_finite = True
        self.totals = dict(inflow=0.0, rain=0.0, infiltrated=0.0, outflow=0.0)
        self.initial_storage = 0.0
        self.peak_water = 0.0

    @classmethod
    def estimate_bytes(cls, grid: RasterGrid, params: FloodParams) -> int:
        extra = 3 if params.solver == "finite_volume" and params.order == 2 else 0  # RK2 stage arrays
        return (18 + extra) * grid.size * grid.float_dtype.itemsize  # with 4 arrays of maxima

    def _cells_of(self, inflow: Inflow) -> tuple[np.ndarray, np.ndarray]:
        g = self.grid
        if inflow.line_m is not None:
            mask = geometry.line_cells(inflow.line_m, g)
        else:
            if not g.contains(inflow.x_m, inflow.y_m):
                raise ValueError(f"inflow at ({inflow.x_m:g}, {inflow.y_m:g}) m is outside the grid")
            mask = np.zeros(g.shape, dtype=bool)
            mask[g.index_of(inflow.x_m, inflow.y_m)] = True
        if not mask.any():
            raise ValueError("an inflow line misses the grid")
        return np.nonzero(mask)

    def _apply_crests(self) -> None:
        """Bed = terrain, then each crest line in order (a later crest overrides an earlier one)."""
        crests = {name: c.elevation_m for name, c in self.params.crests.items()}
        if crests == self._applied_crests:
            return
        np.copyto(self.bed, self.base_bed)
        for name, elevation in crests.items():
            self.bed[self._crest_cells[name]] = elevation
        if self.has_blocked:
            self.bed[self.blocked] = np.max(self.base_bed) + BLOCKED_RISE_M
        self._applied_crests = crests
        self._bed_changed = True

    # -- the model ------------------------------------------------------------------------
    def field_attrs(self) -> dict[str, dict]:
        return {"flood_hazard_rating": {"comment": "FD2320: < 0.75 low, 0.75-1.25 moderate, 1.25-2.0 "
                                                   "significant, > 2.0 extreme hazard to people"},
                "water_depth": {"comment": f"solver {self.params.solver}"}}

    def initialize(self, state) -> None:
        self.h[...] = 0
        for cells, level in self._initial_water:
            self.h[cells] = np.maximum(level - self.bed[cells], 0)
        self.initial_storage = float(self.h.sum(dtype=np.float64)) * self.cell_area
        self.peak_water = self.initial_storage
        self.arrival[...] = np.nan
        for peak in self.maxima.values():
            peak[...] = 0
        state["rainfall_rate"][...] = 0
        self._rain_now = 0.0
        self._bed_changed = True
        self.diagnose(state, 0.0)

    def running_peaks(self) -> dict[str, np.ndarray]:
        return dict(self.maxima)

    def _peaks(self) -> tuple:
        m = self.maxima
        return m["water_depth"], m["flow_speed"], m["flood_hazard_rating"], self.arrival

    def _velocity_depth(self) -> float:
        p = self.params
        return max(p.h_flow_min_m if p.solver == "local_inertial" else p.h_dry_m, VELOCITY_DEPTH_M)

    def stable_dt(self, state) -> float:
        p, g = self.params, self.grid
        if not self._state_finite:
            return float("nan")  # the simulation then names the field and cell
        if p.solver == "local_inertial":
            # The theta scheme is stable in 2-D only for alpha <= sqrt(theta / (1 + dx2/dy2)) (von
            # Neumann; see inertial.alpha_limit); Bates' 0.7 alone would let a checkerboard grow.
            return inertial_stable_dt(self.h, g.dx, g.dy, min(p.alpha, 0.9 * alpha_limit(p.theta, g.dx, g.dy)), G)
        return fv_stable_dt(self.h, self.hu, self.hv, g.dx, g.dy, p.cfl, G, p.h_dry_m)

    def step(self, state, t: float, dt: float) -> None:
        p, g = self.params, self.grid
        self._apply_crests()  # an event may have lowered a crest (a breach)
        self._force(state, t, dt)
        codes, levels = p.boundaries.codes_and_levels(t + dt)
        if p.solver == "local_inertial":
            # The sweep also folds the state at t (after forcing) into the maxima.
            observe = (t, p.arrival_depth_m, self._velocity_depth(), self._peaks())
            out = inertial_step(self.bed, self.h, self.qx, self.qy, self.manning, dt, g.dx, g.dy, p.theta, G,
                                p.h_flow_min_m, codes, levels, self.h_next, self.qx_next, self.qy_next, observe)
            self.qx, self.qx_next = self.qx_next, self.qx
            self.qy, self.qy_next = self.qy_next, self.qy
            self.h, self.h_next = self.h_next, self.h
        else:
            step = fv_step if p.order == 1 else fv_step_order2
            out = step(self.bed, self.h, self.hu, self.hv, self.manning, dt, g.dx, g.dy, G, p.h_dry_m,
                       codes, levels, self.h_next, self.hu_next, self.hv_next, self.fv_workspace)
            self.hu, self.hu_next = self.hu_next, self.hu
            self.hv, self.hv_next = self.hv_next, self.hv
            self.h, self.h_next = self.h_next, self.h
            self._state_finite = kernels.observe_fv(self.h, self.hu, self.hv, self._velocity_depth(), t + dt,
                                                    p.arrival_depth_m, self._peaks())
        self.totals["outflow"] += float(out)

    def _force(self, state, t: float, dt: float) -> None:
        """Rain, infiltration and inflows over [t, t + dt], into the depth before the flow step."""
        p = self.params
        area = self.cell_area
        rate = state["rainfall_rate"]
        rewritten = True
        if self.gridded_rain is not None:
            rate[...] = self.gridded_rain.at(t)
        else:
            uniform = forcing.rain_rate_m_s(p.rainfall, t, t + dt)
            rewritten = uniform != self._rain_now  # a uniform field is rewritten only when it changes
            if rewritten:
                rate[...] = uniform
                self._rain_now = uniform
        if self.has_blocked and rewritten:
            rate[self.blocked] = 0
        inf = p.infiltration
        mode = {"none": kernels.NO_LOSS, "constant": kernels.CONSTANT_LOSS, "green_ampt": kernels.GREEN_AMPT}[inf.kind]
        loss_rate = inf.rate_mm_h * forcing.MM_H if inf.kind == "constant" else 0.0
        k_s = inf.conductivity_mm_h * forcing.MM_H if inf.kind == "green_ampt" else 0.0
        psi_dtheta = inf.suction_head_mm * 1e-3 * inf.moisture_deficit if inf.kind == "green_ampt" else 0.0
        if p.rainfall.kind != "none" or mode != kernels.NO_LOSS:
            rain, loss = kernels.rain_and_infiltration(self.h, rate, dt, mode, loss_rate, k_s, psi_dtheta,
                                                       self.infiltrated_depth)
            self.totals["rain"] += rain * area
            self.totals["infiltrated"] += loss * area
        if p.inflows is not self._inflows:  # an event replaced the hydrographs
            self._inflows = p.inflows
            self._inflow_cells = [self._cells_of(inflow) for inflow in p.inflows]
        for inflow, (rows, cols) in zip(p.inflows, self._inflow_cells):
            q = inflow.volume(t, t + dt) / dt  # the hydrograph's exact volume over the step
            if q < 0:  # abstraction: never more than the cells hold
                available = float(self.h[rows, cols].sum()) * area
                q = max(q, -available / dt)
            self.h[rows, cols] += q * dt / (area * len(rows))
            self.totals["inflow"] += q * dt

    def diagnose(self, state, t: float) -> None:
        """Fields from the solver's state at t: depth, surface, velocities, hazard, arrival,
        mass balance; the state is folded into the maxima too (already there if t is a step)."""
        p = self.params
        h = self.h
        if self._bed_changed:
            state["bed_elevation"][...] = self.bed
            self._bed_changed = False
        u, v = state["velocity_x"], state["velocity_y"]
        if p.solver == "local_inertial":
            kernels.inertial_cell_velocity(self.bed, h, self.qx, self.qy, self._velocity_depth(), u, v)
        else:
            kernels.fv_cell_velocity(h, self.hu, self.hv, self._velocity_depth(), u, v)
        depth_sum = kernels.derived_fields(self.bed, h, u, v, t, p.arrival_depth_m, state["water_depth"],
                                           state["water_surface_elevation"], state["flow_speed"],
                                           state["unit_discharge"], state["flood_hazard_rating"], self._peaks())
        state["flood_arrival_time"][...] = self.arrival
        stored = depth_sum * self.cell_area
        tot = self.totals
        gained = tot["inflow"] + tot["rain"] - tot["infiltrated"] - tot["outflow"]
        self.peak_water = max(self.peak_water, self.initial_storage + tot["inflow"] + tot["rain"])
        state["volume_inflow"][...] = tot["inflow"]
        state["volume_rain"][...] = tot["rain"]
        state["volume_infiltrated"][...] = tot["infiltrated"]
        state["volume_outflow"][...] = tot["outflow"]
        state["volume_stored"][...] = stored
        state["mass_balance_error"][...] = ((stored - self.initial_storage - gained) / self.peak_water
                                            if self.peak_water > 0 else 0.0)

    def acoustic_sources(self, state, t):
        return sources.acoustic_sources(self, state, t)

    def visual_layers(self, state, t):
        return visuals.visual_layers(self, state, t)

    # -- reporting ------------------------------------------------------------------------
    def report(self) -> dict:
        stored = float(self.h.sum(dtype=np.float64)) * self.cell_area
        tot = self.totals
        gained = tot["inflow"] + tot["rain"] - tot["infiltrated"] - tot["outflow"]
        return {"mass_balance_m3": {"initial_storage": self.initial_storage, **tot, "storage": stored,
                                    "relative_error": ((stored - self.initial_storage - gained) / self.peak_water
                                                       if self.peak_water > 0 else 0.0)}}

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        lines = []
        depth = peaks.get("water_depth")
        if depth is not None:
            area = grid.cell_area_m2
            lines.append(f"flooded area (depth > {self.params.arrival_depth_m:g} m) "
                         f"{(depth > self.params.arrival_depth_m).sum() * area / 1e6:.4g} km2, "
                         f"deepest {float(depth.max()):.3g} m")
        speed = peaks.get("flow_speed")
        if speed is not None:
            lines.append(f"fastest flow {float(speed.max()):.3g} m/s")
        hr = peaks.get("flood_hazard_rating")
        if hr is not None:
            lines.append(f"area at significant or extreme hazard (HR > 1.25): {(hr > 1.25).sum() * grid.cell_area_m2 / 1e6:.4g} km2")
        r = self.report()["mass_balance_m3"]
        lines.append(f"mass balance: in {r['inflow'] + r['rain']:.4g} m3, out {r['outflow']:.4g} m3, "
                     f"infiltrated {r['infiltrated']:.4g} m3, stored {r['storage']:.4g} m3, "
                     f"relative error {r['relative_error']:.2e}")
        return lines

