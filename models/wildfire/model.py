"""Wildfire spread over a raster landscape: surface fire, crown fire, spotting and their effects.

Governing equations
-------------------
Fire behaviour per cell (:mod:`models.wildfire.behaviour`): the Rothermel (1972) surface fire
model with Albini's (1976) revisions, the 53 standard fuel models of Anderson (1982) and
Scott & Burgan (2005) with dynamic herbaceous curing, the midflame wind from the 20-ft wind
through the wind adjustment factor (Albini & Baughman 1979; Andrews 2012), wind and slope
combined as vectors (Rothermel 1972; Andrews 2018), the length-to-breadth ratio of the fire
ellipse from the effective wind (Anderson 1983, behave's form); crown fire initiation by
Van Wagner (1977), active crown spread by Rothermel (1991) and the crown fraction burned of
Scott & Reinhardt (2001). Outputs: head rate of spread R, its direction theta, the ellipse's
eccentricity e, Byram's (1959) fireline intensity I = H_A R, the flame length.

Spread (:mod:`models.wildfire.spread`): the fire reaches a cell at the minimum travel time
from the ignitions (Finney 2002), along paths over a large neighbourhood stencil whose edge
times use the elliptical ray spread rate r(phi) = R (1 - e) / (1 - e cos(phi - theta))
(Richards 1990's ellipse with the ignition at its rear focus), so a point ignition in
uniform conditions grows into the behave/FARSITE ellipse in any wind direction. When the
weather changes (an ``[[events]]`` entry, a new record of a wind file) the rates change
at that time and fronts already travelling an edge finish it at the new rates.

Spotting (:mod:`models.wildfire.spotting`): firebrands from cells the front has just crossed
land downwind (Albini's maximum spotting distance, a lognormal distance distribution after
Sardoy et al. 2008) and ignite new fires beyond breaks with the probability of ignition
of the fine fuel (Schroeder 1969). A lit firebrand becomes a spreading fire ``ignition_delay_s``
after it lands (modelling choice, 120 s: a glowing brand takes tens of seconds to minutes to
bring a fuel bed to flaming), so brands landing just ahead of the front are overrun by it, as
the empirical crown-fire spread rates, which already include short-range spotting, assume.
A cell counts as a spot fire (``spot_fire``) only where the spot fire reached it first.

Effects (:mod:`models.wildfire.effects`): flaming windows, heat release, PM2.5 emission,
radiant heat at a receptor height and the air temperature there.

Directions: the scenario gives the wind as meteorologists do (``direction_deg``: the
compass direction it blows FROM); kernels use angles counter-clockwise from +x (east).

Symbols
=======
======  =================================================  ==========
symbol  meaning                                            unit
======  =================================================  ==========
R       head rate of spread                                m s-1
theta   direction of maximum spread, ccw from +x           rad
e       eccentricity of the fire ellipse                   1
r       spread rate at which the front crossed a cell      m s-1
I       Byram fireline intensity                           kW m-1
H_A     heat per unit area (surface and crown fuel)        kJ m-2
L_f     flame length                                       m
U_20    20-ft (6.1 m) open wind                            m s-1
U_10    10-m open wind, U_20 = U_10 / 1.15                 m s-1
M_f     fuel moisture content by size class                %
t_a     arrival time of the fire                           s
======  =================================================  ==========
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from models.wildfire import behaviour, effects, sources, visuals
from models.wildfire.landscape import LandscapeSpec, build_landscape
from models.wildfire.weather import Moisture, MoistureField, WindField, WindSpec
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.model import ModelParams

Point = tuple[float, float]


class Ignition(ModelParams):
    """Where and when a fire starts: a point or a line (a road-side ignition, a backfire)."""

    at_s: float = Field(0.0, ge=0)
    point_m: Point | None = None
    line_m: list[Point] | None = Field(None, min_length=2)

    @model_validator(mode="after")
    def _one(self):
        if (self.point_m is None) == (self.line_m is None):
            raise ValueError("an ignition needs exactly one of point_m or line_m")
        return self


class SpottingSpec(ModelParams):
    """Firebrands (Albini 1979/1983 maximum distance, Sardoy et al. 2008 landing distances,
    Schroeder 1969 probability of ignition); see :mod:`models.wildfire.spotting`."""

    enabled: bool = True
    firebrands_per_gj: float = Field(1.0, ge=0, description="firebrands lofted per GJ of heat released "
                                                             "(a calibration constant)")
    lateral_spread_deg: float = Field(10.0, ge=0, le=45, description="spread of wind direction at the landing")
    ignition_delay_s: float = Field(120.0, ge=0, description="from a firebrand landing to a spreading spot fire")


class WildfireParams(ModelParams):
    landscape: LandscapeSpec
    moisture: Moisture = Moisture()
    wind: WindSpec
    air_temperature_c: float = Field(25.0, ge=-40, le=55)
    ignitions: list[Ignition] = Field(min_length=1)
    crown_fire: bool = Field(True, description="Van Wagner initiation and crown spread where there is canopy")
    spotting: SpottingSpec | None = None
    wind_limit: bool = Field(False, description="cap the wind factor (behave's default is off)")
    step_s: float = Field(60.0, gt=0, le=3600, description="how often weather and spotting are updated")
    receptor_height_m: float = Field(1.5, gt=0, description="height of the radiant-heat and air-temperature fields")
    flame_temperature_K: float = Field(1100.0, gt=300, le=2000)
    radiant_cutoff_m: float = Field(150.0, gt=0)
    stencil_radius: Literal[2, 3, 4, 5] = Field(3, description="spread stencil: all coprime offsets within it")

    @model_validator(mode="after")
    def _open_wind(self):
        if self.wind.height == "midflame" and (self.crown_fire or (self.spotting and self.spotting.enabled)):
            raise ValueError("crown fire and spotting need the open wind: give wind.height '10m' or '20ft', "
                             "or set crown_fire = false and no spotting")
        return self


class Wildfire:
    """Rothermel surface fire, crown fire and spotting spreading over a landscape raster."""

    name = "wildfire"
    Params = WildfireParams
    summary_fields = ("fireline_intensity", "flame_length", "radiant_heat_flux")
    fixed_params = ("landscape", "stencil_radius")
    references = ("Rothermel 1972 (INT-115); Albini 1976 (INT-30); Anderson 1982 (INT-122); Scott & Burgan 2005 "
                  "(RMRS-GTR-153); Andrews 2018 (RMRS-GTR-371); Van Wagner 1977 (Can. J. For. Res. 7:23); Rothermel "
                  "1991 (INT-438); Scott & Reinhardt 2001 (RMRS-RP-29); Finney 2002 (Can. J. For. Res. 32:1420); "
                  "Albini 1979 (INT-56); Sardoy et al. 2008 (Combust. Flame 154:478); Van Wagner 1973; "
                  "Wooster et al. 2005; van der Werf et al. 2017 (GFED4 emission factors)")

    fields = (
        FieldSpec("fire_arrival_time", at="cell", units="s", intent="out", allow_nan=True, diagnostic=True,
                  running_max=False, doc="time the fire reached the cell (NaN: not reached)"),
        FieldSpec("burned", at="cell", units="", intent="out", kind="bool", diagnostic=True, running_max=False,
                  doc="the fire has reached the cell"),
        FieldSpec("fire_state", at="cell", units="", intent="out", kind="level", diagnostic=True, running_max=False,
                  flag_values=(0, 1, 2), flag_meanings=("unburned", "flaming", "burned_out"),
                  doc="fire state of the cell"),
        FieldSpec("fire_rate_of_spread", at="cell", units="m s-1", intent="out", diagnostic=True,
                  doc="spread rate at which the front crossed the cell (0: not reached)"),
        FieldSpec("head_rate_of_spread", at="cell", units="m s-1", intent="out", diagnostic=True,
                  doc="head-fire rate of spread under the current weather (surface or crown)"),
        FieldSpec("fireline_intensity", at="cell", units="kW m-1", intent="out", diagnostic=True,
                  doc="Byram fireline intensity where the front crossed the cell"),
        FieldSpec("flame_length", at="cell", units="m", intent="out", diagnostic=True,
                  doc="flame length where the front crossed the cell"),
        FieldSpec("heat_per_unit_area", at="cell", units="kJ m-2", intent="out", diagnostic=True,
                  doc="heat released per unit area by the front that crossed the cell (surface and crown fuel)"),
        FieldSpec("reaction_intensity", at="cell", units="kW m-2", intent="out", diagnostic=True,
                  doc="Rothermel reaction intensity of the surface fuel under the current weather"),
        FieldSpec("fire_type", at="cell", units="", intent="out", kind="level", diagnostic=True, running_max=False,
                  flag_values=(0, 1, 2, 3), flag_meanings=("none", "surface", "passive_crown", "active_crown"),
                  doc="type of fire that crossed the cell"),
        FieldSpec("heat_release_rate", at="cell", units="kW m-2", intent="out", diagnostic=True,
                  doc="heat released per unit area by the flaming front"),
        FieldSpec("radiant_heat_flux", at="cell", units="kW m-2", intent="out", diagnostic=True,
                  doc="radiant heat flux from the flames at the receptor height"),
        FieldSpec("smoke_pm25_emission_rate", at="cell", units="kg m-2 s-1", intent="out", diagnostic=True,
                  doc="PM2.5 emitted by the flaming front per unit area"),
        FieldSpec("air_temperature", at="cell", units="K", intent="out", diagnostic=True,
                  standard_name="air_temperature", doc="air temperature at the receptor height over the fire"),
        FieldSpec("spot_fire", at="cell", units="", intent="out", kind="bool", diagnostic=True, running_max=False,
                  doc="the cell was ignited by a firebrand"),
    )

    def __init__(self, grid: RasterGrid, params: WildfireParams, rng: np.random.Generator) -> None:
        from models.wildfire.fuels import fuel_table
        from models.wildfire.spread import FireFront

        self.grid = grid
        self.params = params
        self.rng = rng
        self.landscape = build_landscape(params.landscape, grid)
        self.table = fuel_table()
        self.fuel_row = self.table.index_of(self.landscape.fuel_number)
        self.land_cover = visuals.land_cover_of(self.landscape.fuel_number)  # what the cameras see of it
        self.burnable = self.table.burnable[self.fuel_row]
        self.cell_size_m = math.sqrt(grid.dx * grid.dy)
        self.front = FireFront(grid.shape, grid.dx, grid.dy, stencil_radius=params.stencil_radius)
        self.wind = WindField(params.wind, grid)
        self.moisture = MoistureField(grid)
        self.moisture_now = self.moisture.values(params.moisture)
        self.heat_content = behaviour.heat_content_kj_kg(self.table, self.fuel_row)
        self.waf = behaviour.wind_adjustment(self.table, self.fuel_row, self.landscape)  # the landscape's, fixed
        self.emission_factor = effects.pm25_emission_factor(self.landscape.fuel_number)
        shape = grid.shape
        # What the front found where it crossed each cell (the weather of that moment).
        self.at_arrival = {name: np.zeros(shape) for name in ("intensity", "flame_length", "heat_per_area",
                                                              "residence")}
        self.type_at_arrival = np.zeros(shape, dtype=np.int8)
        self.spotted = np.zeros(shape, dtype=bool)  # cells a spot fire reached before the front
        self.spot_time = np.full(shape, np.inf)  # when a firebrand's spot fire starts in a cell
        self.current: behaviour.Behaviour | None = None
        self._rates_key = None
        self._advanced_to = 0.0
        self._logged = 0  # cells of the front's burn log already recorded
        self._state = np.zeros(shape, dtype=np.int8)
        self._share, self._release, self._emission = (np.zeros(shape) for _ in range(3))

    @classmethod
    def estimate_bytes(cls, grid: RasterGrid, params: WildfireParams) -> int:
        return 60 * grid.size * 8  # landscape, behaviour, front (heap) and effect arrays

    # -- the model ------------------------------------------------------------------------
    def field_heights(self) -> dict[str, float]:
        z = self.params.receptor_height_m
        return {"radiant_heat_flux": z, "air_temperature": z}

    def field_attrs(self) -> dict[str, dict]:
        return {"radiant_heat_flux": {"comment": "1.7 kW/m2 tolerable, 4.7 pain in 15-20 s, 12.5 piloted "
                                                 "ignition of wood"},
                "smoke_pm25_emission_rate": {"comment": "flaming-front consumption only (no smouldering); "
                                                        "GFED4 emission factors"}}

    def initialize(self, state) -> None:
        self._update_rates(0.0, force=True)
        self._ignite_scheduled(0.0)
        self._advanced_to = 0.0
        self.diagnose(state, 0.0)

    def _ignite_scheduled(self, t: float) -> None:
        from sim.geometry import line_cells

        g = self.grid
        for ignition in self.params.ignitions:
            if ignition.point_m is not None:
                if not g.contains(*ignition.point_m):
                    raise ValueError(f"ignition point {tuple(ignition.point_m)} lies outside the grid")
                mask = np.zeros(g.shape, dtype=bool)
                mask[g.index_of(*ignition.point_m)] = True
            else:
                mask = line_cells(ignition.line_m, g)
            rows, cols = np.nonzero(mask & self.burnable)
            if rows.size == 0:
                raise ValueError(f"ignition at {ignition.point_m or ignition.line_m} is on non-burnable fuel only")
            self.front.ignite(rows, cols, np.full(rows.size, max(ignition.at_s, t)))

    def stable_dt(self, state) -> float:
        return self.params.step_s

    def _update_rates(self, t: float, force: bool = False) -> None:
        """Fire behaviour under the weather at t; the front takes the new rates from t."""
        p = self.params
        key = (p, self.wind.record_index(t, p.wind))
        if not force and self._rates_key is not None and key[0] is self._rates_key[0] and key[1] == self._rates_key[1]:
            return
        speed, toward = self.wind.at(t, p.wind)
        self.moisture_now = self.moisture.values(p.moisture)
        self.current = behaviour.compute(self.landscape, self.table, self.fuel_row, self.moisture_now, speed, toward,
                                         p.wind.height, crown_fire=p.crown_fire, wind_limit=p.wind_limit,
                                         waf=self.waf)
        b = self.current
        self.front.set_rates(b.ros_head_m_s, b.spread_direction_rad, b.eccentricity, t)
        self._rates_key = key

    def step(self, state, t: float, dt: float) -> None:
        self._update_rates(t)
        # A record of a wind file that starts inside the step comes into force at its time.
        for t_change in self.wind.changes_between(t, t + dt, self.params.wind):
            self._advance(t_change)
            self._update_rates(t_change)
        self._advance(t + dt)

    def _advance(self, t_stop: float) -> None:
        self.front.advance(t_stop)
        rows, cols = self._record_arrivals()
        if self.params.spotting is not None and self.params.spotting.enabled and rows.size:
            self._spot(rows, cols)
        self._advanced_to = t_stop

    def _record_arrivals(self):
        """Copy the behaviour in force onto the cells the front crossed since the last call."""
        rows, cols = self.front.burned_after(self._logged)
        self._logged = self.front.n_burned
        b = self.current
        ratio = np.divide(self.front.ros_at_arrival[rows, cols], b.ros_head_m_s[rows, cols],
                          out=np.zeros(rows.size), where=b.ros_head_m_s[rows, cols] > 0)
        intensity = b.fireline_intensity_kw_m[rows, cols] * ratio
        kind = b.fire_type[rows, cols]
        self.at_arrival["intensity"][rows, cols] = intensity
        self.at_arrival["flame_length"][rows, cols] = behaviour.flame_length_m(intensity, kind)
        self.at_arrival["heat_per_area"][rows, cols] = b.heat_per_unit_area_kj_m2[rows, cols]
        self.at_arrival["residence"][rows, cols] = b.residence_time_s[rows, cols]
        self.type_at_arrival[rows, cols] = np.maximum(kind, 1)
        # A spot fire lit the cell unless the front got there first (an ignition scheduled in
        # the past starts at the front's current time, never earlier than its spot time).
        self.spotted[rows, cols] = self.front.arrival_time[rows, cols] >= self.spot_time[rows, cols]
        return rows, cols

    def _spot(self, rows, cols) -> None:
        """Spot fires lit by the firebrands of the cells the front crossed in this step."""
        from models.wildfire import spotting

        spec, b, g = self.params.spotting, self.current, self.grid
        arrival = self.front.arrival_time
        unburned = self.burnable & ~np.isfinite(arrival)
        spot_rows, spot_cols, times = spotting.spot_fires(
            self.rng, rows, cols, self.at_arrival["intensity"][rows, cols], self.at_arrival["flame_length"][rows, cols],
            self.at_arrival["heat_per_area"][rows, cols], b.wind_20ft_m_s[rows, cols], b.wind_toward_rad[rows, cols],
            self.landscape.canopy_height_m[rows, cols], (g.dy, g.dx), self.moisture_now.fractions()[0],
            unburned, self.params.air_temperature_c,
            spotting.SpottingParams(firebrands_per_kj=spec.firebrands_per_gj * 1e-6,
                                    lateral_sigma_theta_deg=spec.lateral_spread_deg),
            source_time_s=arrival[rows, cols])
        if spot_rows.size:
            times = times + spec.ignition_delay_s
            self.spot_time[spot_rows, spot_cols] = np.minimum(self.spot_time[spot_rows, spot_cols], times)
            self.front.ignite(spot_rows, spot_cols, times)

    def diagnose(self, state, t: float) -> None:
        p, g = self.params, self.grid
        arrival = self.front.arrival_time
        burned = arrival <= t
        state["fire_arrival_time"][...] = np.where(burned, arrival, np.nan)
        state["burned"][...] = burned
        ros = self.front.ros_at_arrival
        state["fire_rate_of_spread"][...] = np.where(burned, ros, 0.0)
        state["head_rate_of_spread"][...] = self.current.ros_head_m_s
        state["fireline_intensity"][...] = np.where(burned, self.at_arrival["intensity"], 0.0)
        state["flame_length"][...] = np.where(burned, self.at_arrival["flame_length"], 0.0)
        state["heat_per_unit_area"][...] = np.where(burned, self.at_arrival["heat_per_area"], 0.0)
        state["reaction_intensity"][...] = self.current.reaction_intensity_kw_m2
        state["fire_type"][...] = np.where(burned, self.type_at_arrival, 0)
        state["spot_fire"][...] = self.spotted & burned
        effects.cell_state(t, arrival, ros, self.at_arrival["heat_per_area"], self.at_arrival["residence"],
                           self.cell_size_m, self.heat_content, self.emission_factor, self._state, self._share,
                           self._release, self._emission)
        state["fire_state"][...] = self._state
        state["heat_release_rate"][...] = self._release
        state["smoke_pm25_emission_rate"][...] = self._emission
        radiant = state["radiant_heat_flux"]
        effects.radiant_flux(self._release, self.at_arrival["flame_length"], g.x, g.y, p.receptor_height_m,
                             g.cell_area_m2, effects.RADIANT_FRACTION, p.radiant_cutoff_m, radiant)
        effects.air_temperature(self._state, self.at_arrival["intensity"], self.current.midflame_wind_m_s,
                                p.receptor_height_m, p.air_temperature_c + 273.15, p.flame_temperature_K,
                                state["air_temperature"])

    @property
    def flaming_share(self) -> np.ndarray:
        """Share of each cell's area in flame at the last diagnosis (for the renderers)."""
        return self._share

    def report(self) -> dict:
        arrival = self.front.arrival_time
        burned = np.isfinite(arrival) & (arrival <= self._advanced_to)
        return {"burned_area_ha": float(burned.sum() * self.grid.cell_area_m2 / 1e4),
                "spot_fires": int((self.spotted & burned).sum())}

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        report = self.report()
        lines = [f"burned {report['burned_area_ha']:.4g} ha"]
        if "fireline_intensity" in peaks:
            lines.append(f"largest fireline intensity {peaks['fireline_intensity'].max():.4g} kW/m, flame length "
                         f"{peaks.get('flame_length', np.zeros(1)).max():.3g} m")
        if "radiant_heat_flux" in peaks:
            area = np.count_nonzero(peaks["radiant_heat_flux"] >= 12.5) * grid.cell_area_m2
            lines.append(f"area ever under 12.5 kW/m2 of radiant heat: {area / 1e4:.4g} ha")
        if report["spot_fires"]:
            lines.append(f"{report['spot_fires']} cells ignited by firebrands")
        return lines

    def acoustic_sources(self, state, t):
        return sources.acoustic_sources(self, state, t)

    def visual_layers(self, state, t):
        return visuals.visual_layers(self, state, t)
