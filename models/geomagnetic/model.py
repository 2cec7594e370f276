"""Geomagnetic storm driven by the solar wind: Dst and the ground disturbance, as run fields.

The solar wind (OMNI hourly or OMNI2 files, SWMF inputs; :mod:`models.geomagnetic.solar_wind`)
drives a ring-current model (:mod:`models.geomagnetic.ring_current`):

    dDst*/dt = Q(VBs) - Dst*/tau,     Dst = Dst* + b sqrt(P) - c

(Burton, McPherron & Russell 1975; O'Brien & McPherron 2000), integrated exactly on the
driver's own cadence. The low-latitude ground disturbance of the north component follows
from Dst as in its definition (Sugiura 1964: Dst is the mean of dH / cos(lambda_m) over four
low-latitude observatories):

    dX = Dst cos(lambda_m)

at the magnetic latitude lambda_m of the ground point (a valid approximation at low and
middle latitudes only: at auroral latitudes the electrojets dominate dX).

What dX induces in the ground: its rate dX/dt, and the eastward geoelectric field of the
plane-wave method over a 1-D layered earth (Cagniard 1953; :mod:`models.geomagnetic.geoelectric`),
E_y(omega) = -Z(omega) B_x(omega) / mu0, with the Quebec reference earth of NERC TPL-007 by
default. These carry the ring current's share of the disturbance only: the substorm and
electrojet variations that dominate dB/dt at high latitudes are not modelled yet.

The solar wind is read from a file or composed from scenario parameters
(:mod:`models.geomagnetic.synthetic`): a quiet Parker-spiral wind with Kolmogorov turbulence,
corotating interaction regions and CMEs with a shock, a sheath and a Lundquist flux rope.

With ``gic_network``, the field drives the geomagnetically induced currents of a power network
(Lehtinen & Pirjola 1985; :mod:`models.geomagnetic.gic`), here the test network of Horton et
al. (2012), as if it lay under the ground point; the largest substation GIC is a field.

Kp is the regression of Newell et al. (2008) on the driver's samples, averaged over each
3-hour UT interval (:mod:`models.geomagnetic.kp`): the value of the interval that contains
the time, NaN where the driver lacks the IMF By it needs.

======== ============================================== ============
symbol   meaning                                        unit
======== ============================================== ============
Z        surface impedance of the layered earth         ohm
E_y      eastward geoelectric field                     V km-1
mu0      vacuum permeability                            H m-1
V        solar-wind speed                               km s-1
B_z      IMF north-south component, GSM                 nT
P        solar-wind dynamic pressure                    nPa
Dst      disturbance storm-time index                   nT
dX       north-component disturbance on the ground      nT
lambda_m magnetic latitude of the ground point          degree
======== ============================================== ============

The ring-current and Kp relations were fitted to hourly averages of the solar wind. A finer
driver (1-minute SWMF, synthetic) is therefore averaged over the trailing hour before it drives
them: rectifying B_s = max(-B_z, 0) sample by sample would turn fluctuations faster than an
hour into injection the fits never saw (a 5-minute CIR driver gave Dst -94 nT, its hourly
averages -39 nT). The wind fields written are the driver's own samples.

Time stamps: the solar-wind fields at time t are the driver step that starts at t (a step
average, as OMNI's hours are); Dst, dX, E and GIC are the values at t (linear between the
driver's sample times); dX/dt is the rate over the driver step that ends at t; Kp is the
value of the 3-hour UT interval that contains t.

The whole series is computed once at ``initialize`` (the model is a function of its driver)
and each step samples it at the step's end, linearly between driver samples: the engine's
time step then never changes the physics. Scenario time 0 is ``driver_start`` (default: the
driver's first sample).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import numpy as np
from pydantic import Discriminator, Field, Tag, field_validator

from models.geomagnetic import ground, ring_current, sources, synthetic, visuals
from models.geomagnetic.geoelectric import PROFILES, db_dt, geoelectric_field
from models.geomagnetic.gic import horton_2012_network
from models.geomagnetic.kp import KP_INTERVAL_S, kp_from_solar_wind, three_hour_means
from models.geomagnetic.solar_wind import read_omni2, read_omni_hourly_csv, read_omni_hro, read_swmf
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.io.data import resolve_path
from sim.model import ModelParams

READERS = {"omni_hourly_csv": read_omni_hourly_csv, "omni2": read_omni2, "omni_hro": read_omni_hro, "swmf": read_swmf}
DST_MODELS = {"burton": ring_current.BURTON, "obrien_mcpherron": ring_current.OBRIEN_MCPHERRON}


class SolarWindFile(ModelParams):
    """A measured or prepared solar-wind file: a path, or ``data:<dataset>/<file>``."""

    kind: Literal["file"] = "file"
    format: Literal["omni_hourly_csv", "omni2", "omni_hro", "swmf"]
    path: str


class QuietWind(ModelParams):
    """The background: Parker spiral and Kolmogorov turbulence (:func:`synthetic.quiet_wind`)."""

    speed_km_s: float = Field(400.0, gt=0)
    density_cm3: float = Field(5.0, gt=0)
    b_nT: float = Field(5.0, ge=0)
    temperature_K: float = Field(1.0e5, gt=0)
    sector: Literal[1, -1] = 1
    turbulence_rms_ratio: float = Field(0.5, ge=0)


class CmeArrival(ModelParams):
    """A CME: shock at ``arrival_s`` (scenario time), sheath, Lundquist flux rope (:func:`synthetic.cme`)."""

    arrival_s: float = Field(ge=0)
    cme_speed_km_s: float = Field(800.0, gt=0)
    compression_ratio: float = Field(3.0, gt=1, le=4)
    sheath_duration_s: float = Field(36000.0, gt=0)
    cloud_b0_nT: float = Field(25.0, gt=0)
    cloud_radius_au: float = Field(0.1, gt=0)
    impact: float = Field(0.0, ge=0, lt=1)
    axis_lat_deg: float = Field(-90.0, ge=-90, le=90)
    axis_lon_deg: float = 90.0
    handedness: Literal[1, -1] = 1
    cloud_density_cm3: float = Field(8.0, gt=0)


class CirArrival(ModelParams):
    """A corotating interaction region and high-speed stream (:func:`synthetic.cir_stream`)."""

    interface_s: float = Field(ge=0)
    fast_speed_km_s: float = Field(700.0, gt=0)
    density_compression: float = Field(4.0, ge=1)
    field_compression: float = Field(3.0, ge=1)
    alfvenic_rms_nT: float = Field(4.0, ge=0)
    # Alfven waves in high-speed streams span periods from minutes to many hours (Tsurutani et
    # al. 2006, JGR 111:A07S01); the hour-scale part is what drives the ring current.
    outer_scale_s: float = Field(21600.0, gt=0, description="longest period of the Alfvenic fluctuations")


class SyntheticWind(ModelParams):
    """A solar wind composed from scenario parameters: a quiet background, then CMEs and CIRs."""

    kind: Literal["synthetic"]
    start: str = Field(description="UTC time of scenario time 0 (sets the GSE to GSM rotation)")
    duration_s: float = Field(gt=0)
    cadence_s: float = Field(60.0, gt=0)
    quiet: QuietWind = QuietWind()
    cmes: list[CmeArrival] = Field(default_factory=list)
    cirs: list[CirArrival] = Field(default_factory=list)


def _wind_kind(value) -> str:
    """``kind`` of a solar-wind table ("file" when omitted), so errors name the right fields."""
    return value.get("kind", "file") if isinstance(value, dict) else getattr(value, "kind", "file")


class Station(ModelParams):
    """A ground magnetometer station (geographic coordinates)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", max_length=40)
    latitude_deg: float = Field(ge=-90.0, le=90.0)
    longitude_deg: float = Field(ge=-180.0, le=360.0)
    earth_profile: Literal[tuple(PROFILES)] | None = Field(None, description="1-D earth under it (default: the "
                                                                            "model's earth_profile)")


class GroundGrid(ModelParams):
    """A (latitude, longitude) grid for the ground fields, written every ``every_s``."""

    latitude_deg: tuple[float, float] = (-60.0, 60.0)
    longitude_deg: tuple[float, float] = (-180.0, 180.0)
    spacing_deg: float = Field(5.0, gt=0.0, le=30.0)
    every_s: float = Field(600.0, gt=0.0)

    @field_validator("latitude_deg", "longitude_deg")
    @classmethod
    def _ordered(cls, value):
        if not value[1] > value[0]:
            raise ValueError(f"expected [low, high] with high > low, got {list(value)}")
        return value


class GeomagneticParams(ModelParams):
    solar_wind: Annotated[Union[Annotated[SolarWindFile, Tag("file")], Annotated[SyntheticWind, Tag("synthetic")]],
                          Discriminator(_wind_kind)]
    driver_start: str | None = Field(None, description="UTC time in the driver that is scenario time 0")
    dst_model: Literal["burton", "obrien_mcpherron"] = "obrien_mcpherron"
    initial_dst_nT: float = Field(0.0, description="Dst at time 0 (for example the observed value)")
    ground_magnetic_latitude_deg: float = Field(30.0, ge=-60.0, le=60.0,
                                                description="magnetic latitude of the ground point of dX")
    earth_profile: Literal[tuple(PROFILES)] = Field("quebec", description="1-D conductivity profile under it")
    gic_network: Literal["horton_2012"] | None = Field(
        None, description="power network whose GIC the field drives (Horton et al. 2012 test case)")
    stations: list[Station] = Field(default_factory=list,
                                    description="magnetometer stations: series in geomagnetic_stations.nc")
    ground_grid: GroundGrid | None = Field(None, description="latitude-longitude grid: geomagnetic_ground_grid.nc")
    sonification_position_m: tuple[float, float, float] | None = Field(
        None, description="(x, y, z) of the storm's audible sonification tone (models.geomagnetic.sources); "
                          "None: silent")

    @field_validator("driver_start")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                np.datetime64(value, "s")
            except ValueError:
                raise ValueError(f"expected an ISO time such as 2000-07-15T00:00:00, got {value!r}") from None
        return value


class Geomagnetic:
    """Ring-current storm from the solar wind: Dst, its driver and the ground disturbance."""

    name = "geomagnetic"
    Params = GeomagneticParams
    # The whole storm is computed at initialize, so an event may change none of its parameters.
    fixed_params = ("solar_wind", "driver_start", "dst_model", "initial_dst_nT", "ground_magnetic_latitude_deg",
                    "earth_profile", "gic_network", "stations", "ground_grid")
    summary_fields = ()
    references = ("Burton, McPherron & Russell 1975 (JGR 80:4204); O'Brien & McPherron 2000 (JGR 105:7707); "
                  "Sugiura 1964 (Ann. IGY 35); Newell et al. 2008 (JGR 113:A04218); Lundquist 1950; Burlaga 1988 "
                  "(JGR 93:7217); Cagniard 1953 (Geophysics 18:605); Boteler & Pirjola 1998 and NERC TPL-007 "
                  "(Quebec earth); Lehtinen & Pirjola 1985 (Ann. Geophys. 3:479); Horton et al. 2012 (IEEE TPWRD "
                  "27:2368); OMNI: King & Papitashvili 2005 (JGR 110:A02104)")

    fields = (
        FieldSpec("solar_wind_speed", at="global", units="km s-1", intent="out", doc="solar-wind bulk speed"),
        FieldSpec("imf_bz_gsm", at="global", units="nT", intent="out", doc="IMF north-south component (GSM)"),
        FieldSpec("solar_wind_dynamic_pressure", at="global", units="nPa", intent="out",
                  doc="solar-wind dynamic pressure"),
        FieldSpec("dawn_dusk_electric_field", at="global", units="mV m-1", intent="out",
                  doc="solar-wind dawn-dusk electric field V Bs (Bs = max(-Bz, 0))"),
        FieldSpec("solar_wind_gap_filled", at="global", units="1", intent="out",
                  doc="1 where a driver (speed, Bz or density) of the current step was interpolated across a "
                      "data gap, else 0"),
        FieldSpec("dst_index", at="global", units="nT", intent="out", doc="disturbance storm-time index Dst"),
        FieldSpec("geomagnetic_field_north", at="global", units="nT", intent="out",
                  doc="ring-current (Dst) share of the ground disturbance of the magnetic-north component, "
                      "Dst cos(magnetic latitude)"),
        FieldSpec("geomagnetic_field_north_rate", at="global", units="nT s-1", intent="out",
                  doc="rate of change of the ground north disturbance dX/dt"),
        FieldSpec("geoelectric_field_east", at="global", units="V km-1", intent="out",
                  doc="eastward geoelectric field induced by the ring-current disturbance over the 1-D earth "
                      "(no electrojet share)"),
        FieldSpec("gic_largest_substation", at="global", units="A", intent="out",
                  doc="largest earth GIC magnitude over the network's substations (0 without a network)"),
        FieldSpec("kp_index", at="global", units="1", intent="out", allow_nan=True,
                  doc="planetary K index of the 3-hour UT interval containing the time, from that interval's "
                      "solar wind (NaN where the driver lacks IMF By or density, or covers the interval in part)"),
    )

    def __init__(self, grid: RasterGrid, params: GeomagneticParams, rng: np.random.Generator) -> None:
        self.grid = grid
        self.params = params
        spec = params.solar_wind
        wind = synthetic_wind(spec, rng) if spec.kind == "synthetic" else READERS[spec.format](resolve_path(spec.path))
        start = wind.time[0] if params.driver_start is None else np.datetime64(params.driver_start, "s")
        if start not in wind.time[:-1]:
            raise ValueError(f"driver_start {params.driver_start} is not a sample time of the solar wind before its "
                             f"last ({wind.time[0]} to {wind.time[-1]} every {wind.cadence_s:g} s)")
        self.wind = wind.between(str(start), str(wind.time[-1] + np.timedelta64(1, "s")))
        code = DST_MODELS[params.dst_model]
        drive = {name: hourly_mean(getattr(self.wind, name), self.wind.cadence_s)
                 for name in ("speed", "by_gsm", "bz_gsm", "density", "pressure")}
        self.drive = drive  # the hourly-mean drivers (the aurora's hemispheric power reads them too)
        star0 = float(ring_current.pressure_corrected(code, np.array([params.initial_dst_nT]),
                                                      drive["pressure"][:1])[0])
        dst, _ = ring_current.dst_response(code, self.wind.cadence_s, drive["speed"], drive["bz_gsm"],
                                           drive["pressure"], star0)
        # Dst at the sample times 0, dt, 2 dt, ...: the start value, then each step's end.
        self.sample_s = self.wind.cadence_s * np.arange(dst.size + 1)
        self.dst = np.concatenate([[params.initial_dst_nT], dst])
        self.vbs = ring_current.coupling_vbs(self.wind.speed, self.wind.bz_gsm)
        self.gap_filled = (~self.wind.valid(("speed", "bz_gsm", "density"))).astype(float)
        # The ground disturbance dX and what it induces, on the same samples as Dst.
        self.dx = self.dst * np.cos(np.radians(params.ground_magnetic_latitude_deg))
        self.dx_rate = np.nan_to_num(db_dt(self.dx, self.wind.cadence_s), nan=0.0)
        self.e_east = self._east_field(self.dx, params.earth_profile)
        # GIC: the network is a resistor network, so its currents follow the field sample by sample.
        self.gic_largest = np.zeros_like(self.e_east)
        self.gic = None
        if params.gic_network == "horton_2012":
            self.gic = horton_2012_network().substation_gic_A(np.zeros_like(self.e_east), self.e_east)
            self.gic_largest = np.abs(self.gic).max(axis=-1)
        self._ground_products(params)
        kp = kp_from_solar_wind(drive["speed"], drive["by_gsm"], drive["bz_gsm"], drive["density"])
        starts, interval_kp, count = three_hour_means(self.wind.time, kp)
        # An interval the driver covers only in part has no Kp (the index is a 3-hour one).
        interval_kp[count < round(KP_INTERVAL_S / self.wind.cadence_s)] = np.nan
        interval = (self.wind.time - starts[0]) // np.timedelta64(KP_INTERVAL_S, "s")
        self.kp = interval_kp[interval.astype(np.int64)]  # per driver sample: its interval's Kp

    def _east_field(self, field_north: np.ndarray, profile: str) -> np.ndarray:
        """E_y (V/km) induced by the north disturbance ``field_north`` (nT) over a 1-D earth."""
        earth = PROFILES[profile]
        # The record is extended by half a day of its end values on each side: the transform's
        # switch-on transient and the end-to-end detrending then act on flat, not storm, data.
        pad = int(round(43200.0 / self.wind.cadence_s))
        padded = np.concatenate([np.full(pad, field_north[0]), field_north, np.full(pad, field_north[-1])])
        _, e_east = geoelectric_field(padded, np.zeros_like(padded), self.wind.cadence_s,
                                      earth.conductivity_S_m, earth.thickness_m)
        return e_east[pad:pad + field_north.size]

    def _ground_products(self, params: GeomagneticParams) -> None:
        """Magnetic latitudes of the stations and grid cells, and the per-unit-Dst responses."""
        epoch = self.wind.time[0]
        self.station_mlat = ground.magnetic_latitude_deg([s.latitude_deg for s in params.stations],
                                                         [s.longitude_deg for s in params.stations], epoch)
        for station, mlat in zip(params.stations, self.station_mlat):
            if abs(mlat) > ground.MAX_MAGNETIC_LATITUDE_DEG:
                raise ValueError(f"stations: {station.name} lies at {mlat:.1f} degrees magnetic latitude; the "
                                 f"ring-current relation dX = Dst cos(lambda_m) holds within "
                                 f"{ground.MAX_MAGNETIC_LATITUDE_DEG:g} degrees (the electrojets, not modelled, "
                                 "dominate above); expected a lower-latitude station")
        # The problem is linear in Dst: dX = Dst cos(lambda_m), E_y = cos(lambda_m) E_y[Dst].
        self._dst_rate = np.nan_to_num(db_dt(self.dst, self.wind.cadence_s), nan=0.0)
        profiles = {s.earth_profile or params.earth_profile for s in params.stations}
        if params.ground_grid is not None:
            profiles.add(params.earth_profile)
        self._dst_e_east = {profile: self._east_field(self.dst, profile) for profile in profiles}

    def write_products(self, run_dir, end_s: float, attrs: dict) -> list:
        """The station, substation and grid files, for the driver samples up to ``end_s``."""
        from pathlib import Path

        run_dir = Path(run_dir)
        keep = self.sample_s <= end_s + 1e-6
        time = self.wind.time[0] + (self.sample_s[keep] * 1000).astype("timedelta64[ms]")
        files = []
        params = self.params
        if params.stations:
            cos = np.cos(np.radians(self.station_mlat))
            e_east = np.column_stack([self._dst_e_east[s.earth_profile or params.earth_profile][keep]
                                      for s in params.stations]) * cos
            files.append(ground.write_stations(
                run_dir / "geomagnetic_stations.nc", time, [s.name for s in params.stations],
                np.array([s.latitude_deg for s in params.stations]), np.array([s.longitude_deg for s in params.stations]),
                self.station_mlat, self.dst[keep, None] * cos, self._dst_rate[keep, None] * cos, e_east, attrs))
        if self.gic is not None:
            files.append(ground.write_substations(run_dir / "gic_substations.nc", time, self.gic[keep], attrs))
        grid = params.ground_grid
        if grid is not None:
            lat = np.arange(grid.latitude_deg[0], grid.latitude_deg[1] + 1e-9, grid.spacing_deg)
            lon = np.arange(grid.longitude_deg[0], grid.longitude_deg[1] + 1e-9, grid.spacing_deg)
            mlat = ground.magnetic_latitude_deg(lat[:, None], lon[None, :], self.wind.time[0])
            cos = np.where(np.abs(mlat) <= ground.MAX_MAGNETIC_LATITUDE_DEG, np.cos(np.radians(mlat)), np.nan)
            every = max(int(round(grid.every_s / self.wind.cadence_s)), 1)
            pick = np.flatnonzero(keep)[::every]
            e_unit = self._dst_e_east[params.earth_profile]
            files.append(ground.write_grid(
                run_dir / "geomagnetic_ground_grid.nc", time[::every], lat, lon, mlat,
                self.dst[pick, None, None] * cos, self._dst_rate[pick, None, None] * cos,
                e_unit[pick, None, None] * cos, attrs))
        return files

    @property
    def max_time_s(self) -> float:
        """Scenario seconds the driver covers."""
        return float(self.sample_s[-1])

    def initialize(self, state) -> None:
        self._write(state, 0.0)

    def stable_dt(self, state) -> float:
        return self.wind.cadence_s

    def step(self, state, t: float, dt: float) -> None:
        self._write(state, t + dt)

    def _write(self, state, t: float) -> None:
        if t > self.max_time_s + 1e-6:  # the engine refuses such a stop_s when the scenario loads
            raise ValueError(f"time {t:g} s is beyond the solar wind, which covers {self.max_time_s:g} s")
        # Drivers are step averages: the value of the step that contains t (the last one at its end).
        k = min(int(t // self.wind.cadence_s), len(self.wind) - 1)
        state["solar_wind_speed"][...] = self.wind.speed[k]
        state["imf_bz_gsm"][...] = self.wind.bz_gsm[k]
        state["solar_wind_dynamic_pressure"][...] = self.wind.pressure[k]
        state["dawn_dusk_electric_field"][...] = self.vbs[k]
        state["solar_wind_gap_filled"][...] = self.gap_filled[k]
        dst = float(np.interp(t, self.sample_s, self.dst))
        state["dst_index"][...] = dst
        state["geomagnetic_field_north"][...] = np.interp(t, self.sample_s, self.dx)
        # dX/dt of the driver interval that ends at or after t; the induced field between samples.
        j = min(max(int(np.ceil(t / self.wind.cadence_s - 1e-9)), 1), self.dx.size - 1)
        state["geomagnetic_field_north_rate"][...] = self.dx_rate[j]
        state["geoelectric_field_east"][...] = np.interp(t, self.sample_s, self.e_east)
        state["gic_largest_substation"][...] = np.interp(t, self.sample_s, self.gic_largest)
        state["kp_index"][...] = self.kp[k]

    def acoustic_sources(self, state, t):
        return sources.acoustic_sources(self, state, t)

    def visual_layers(self, state, t):
        return visuals.visual_layers(self, state, t)

    def report(self) -> dict:
        return {"dst_minimum_nT": float(self.dst.min()),
                "dst_minimum_time_s": float(self.sample_s[int(np.argmin(self.dst))]),
                "driver": {"first": str(self.wind.time[0]), "last": str(self.wind.time[-1]),
                           "cadence_s": self.wind.cadence_s}}

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        k = int(np.argmin(self.dst))
        return [f"Dst minimum {self.dst[k]:.0f} nT at {self.sample_s[k] / 3600:.1f} h "
                f"({self.params.dst_model.replace('_', '-')} ring current)"]


def synthetic_wind(spec: SyntheticWind, rng: np.random.Generator):
    """The solar wind of a :class:`SyntheticWind`: background, then each CME and CIR in turn."""
    start = np.datetime64(spec.start, "s")
    quiet = spec.quiet
    wind = synthetic.quiet_wind(start, spec.duration_s, spec.cadence_s, rng, speed_km_s=quiet.speed_km_s,
                                density_cm3=quiet.density_cm3, b_nT=quiet.b_nT, temperature_K=quiet.temperature_K,
                                sector=quiet.sector, turbulence_rms_ratio=quiet.turbulence_rms_ratio)
    for cir in spec.cirs:
        wind = synthetic.cir_stream(wind, start + np.timedelta64(int(round(cir.interface_s)), "s"), rng,
                                    **cir.model_dump(exclude={"interface_s"}))
    for cme in spec.cmes:
        wind = synthetic.cme(wind, start + np.timedelta64(int(round(cme.arrival_s)), "s"), rng,
                             **cme.model_dump(exclude={"arrival_s"}))
    return wind


def hourly_mean(values: np.ndarray, cadence_s: float) -> np.ndarray:
    """The trailing one-hour mean of a driver sampled every ``cadence_s`` (itself when hourly or
    coarser): sample k averages samples k - w + 1 .. k, w = 3600 / cadence_s, fewer at the start.

    >>> hourly_mean(np.array([0.0, 2.0, 4.0, 6.0]), 1800.0).tolist()
    [0.0, 1.0, 3.0, 5.0]
    """
    window = int(round(3600.0 / cadence_s))
    if window <= 1:
        return values
    total = np.cumsum(np.concatenate([[0.0], values]))
    k = np.arange(values.size)
    start = np.maximum(k + 1 - window, 0)
    return (total[k + 1] - total[start]) / (k + 1 - start)
