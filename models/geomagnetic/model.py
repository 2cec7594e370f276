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

Kp is the regression of Newell et al. (2008) on the driver's samples, averaged over each
3-hour UT interval (:mod:`models.geomagnetic.kp`): the value of the interval that contains
the time, NaN where the driver lacks the IMF By it needs.

======== ============================================== ============
symbol   meaning                                        unit
======== ============================================== ============
V        solar-wind speed                               km s-1
B_z      IMF north-south component, GSM                 nT
P        solar-wind dynamic pressure                    nPa
Dst      disturbance storm-time index                   nT
dX       north-component disturbance on the ground      nT
lambda_m magnetic latitude of the ground point          degree
======== ============================================== ============

The whole series is computed once at ``initialize`` (the model is a function of its driver)
and each step samples it at the step's end, linearly between driver samples: the engine's
time step then never changes the physics. Scenario time 0 is ``driver_start`` (default: the
driver's first sample).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from models.geomagnetic import ring_current
from models.geomagnetic.kp import KP_INTERVAL_S, kp_from_solar_wind, three_hour_means
from models.geomagnetic.solar_wind import read_omni2, read_omni_hourly_csv, read_swmf
from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.io.data import resolve_path
from sim.model import ModelParams

READERS = {"omni_hourly_csv": read_omni_hourly_csv, "omni2": read_omni2, "swmf": read_swmf}
DST_MODELS = {"burton": ring_current.BURTON, "obrien_mcpherron": ring_current.OBRIEN_MCPHERRON}


class SolarWindFile(ModelParams):
    """A measured or prepared solar-wind file: a path, or ``data:<dataset>/<file>``."""

    format: Literal["omni_hourly_csv", "omni2", "swmf"]
    path: str


class GeomagneticParams(ModelParams):
    solar_wind: SolarWindFile
    driver_start: str | None = Field(None, description="UTC time in the driver that is scenario time 0")
    dst_model: Literal["burton", "obrien_mcpherron"] = "obrien_mcpherron"
    initial_dst_nT: float = Field(0.0, description="Dst at time 0 (for example the observed value)")
    ground_magnetic_latitude_deg: float = Field(30.0, ge=-60.0, le=60.0,
                                                description="magnetic latitude of the ground point of dX")

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
    fixed_params = ("solar_wind", "driver_start", "dst_model", "initial_dst_nT")
    summary_fields = ()
    references = ("Burton, McPherron & Russell 1975 (JGR 80:4204); O'Brien & McPherron 2000 (JGR 105:7707); "
                  "Sugiura 1964 (Ann. IGY 35); Newell et al. 2008 (JGR 113:A04218); "
                  "OMNI: King & Papitashvili 2005 (JGR 110:A02104)")

    fields = (
        FieldSpec("solar_wind_speed", at="global", units="km s-1", intent="out", doc="solar-wind bulk speed"),
        FieldSpec("imf_bz_gsm", at="global", units="nT", intent="out", doc="IMF north-south component (GSM)"),
        FieldSpec("solar_wind_dynamic_pressure", at="global", units="nPa", intent="out",
                  doc="solar-wind dynamic pressure"),
        FieldSpec("dawn_dusk_electric_field", at="global", units="mV m-1", intent="out",
                  doc="solar-wind dawn-dusk electric field V Bs (Bs = max(-Bz, 0))"),
        FieldSpec("dst_index", at="global", units="nT", intent="out", doc="disturbance storm-time index Dst"),
        FieldSpec("geomagnetic_field_north", at="global", units="nT", intent="out",
                  doc="ground disturbance of the north component, Dst cos(magnetic latitude)"),
        FieldSpec("kp_index", at="global", units="1", intent="out", allow_nan=True,
                  doc="planetary K index of the 3-hour UT interval (NaN: no IMF By in the driver)"),
    )

    def __init__(self, grid: RasterGrid, params: GeomagneticParams, rng: np.random.Generator) -> None:
        self.grid = grid
        self.params = params
        spec = params.solar_wind
        wind = READERS[spec.format](resolve_path(spec.path))
        start = wind.time[0] if params.driver_start is None else np.datetime64(params.driver_start, "s")
        if start not in wind.time[:-1]:
            raise ValueError(f"driver_start {params.driver_start} is not a sample time of the solar wind before its "
                             f"last ({wind.time[0]} to {wind.time[-1]} every {wind.cadence_s:g} s)")
        self.wind = wind.between(str(start), str(wind.time[-1] + np.timedelta64(1, "s")))
        code = DST_MODELS[params.dst_model]
        star0 = float(ring_current.pressure_corrected(code, np.array([params.initial_dst_nT]),
                                                      self.wind.pressure[:1])[0])
        dst, _ = ring_current.dst_response(code, self.wind.cadence_s, self.wind.speed, self.wind.bz_gsm,
                                           self.wind.pressure, star0)
        # Dst at the sample times 0, dt, 2 dt, ...: the start value, then each step's end.
        self.sample_s = self.wind.cadence_s * np.arange(dst.size + 1)
        self.dst = np.concatenate([[params.initial_dst_nT], dst])
        self.vbs = ring_current.coupling_vbs(self.wind.speed, self.wind.bz_gsm)
        kp = kp_from_solar_wind(self.wind.speed, self.wind.by_gsm, self.wind.bz_gsm, self.wind.density)
        starts, interval_kp, _ = three_hour_means(self.wind.time, kp)
        interval = (self.wind.time - starts[0]) // np.timedelta64(KP_INTERVAL_S, "s")
        self.kp = interval_kp[interval.astype(np.int64)]  # per driver sample: its interval's Kp

    @property
    def duration_s(self) -> float:
        """Scenario seconds the driver covers."""
        return float(self.sample_s[-1])

    def initialize(self, state) -> None:
        self._write(state, 0.0)

    def stable_dt(self, state) -> float:
        return self.wind.cadence_s

    def step(self, state, t: float, dt: float) -> None:
        self._write(state, t + dt)

    def _write(self, state, t: float) -> None:
        if t > self.duration_s + 1e-6:
            raise ValueError(f"time {t:g} s is beyond the solar wind, which covers {self.duration_s:g} s")
        # Drivers are step averages: the value of the step that contains t (the last one at its end).
        k = min(int(t // self.wind.cadence_s), len(self.wind) - 1)
        state["solar_wind_speed"][...] = self.wind.speed[k]
        state["imf_bz_gsm"][...] = self.wind.bz_gsm[k]
        state["solar_wind_dynamic_pressure"][...] = self.wind.pressure[k]
        state["dawn_dusk_electric_field"][...] = self.vbs[k]
        dst = float(np.interp(t, self.sample_s, self.dst))
        state["dst_index"][...] = dst
        state["geomagnetic_field_north"][...] = dst * np.cos(np.radians(self.params.ground_magnetic_latitude_deg))
        state["kp_index"][...] = self.kp[k]

    def report(self) -> dict:
        return {"dst_minimum_nT": float(self.dst.min()),
                "dst_minimum_time_s": float(self.sample_s[int(np.argmin(self.dst))]),
                "driver": {"first": str(self.wind.time[0]), "last": str(self.wind.time[-1]),
                           "cadence_s": self.wind.cadence_s}}

    def summary(self, peaks: dict[str, np.ndarray], grid: RasterGrid) -> list[str]:
        k = int(np.argmin(self.dst))
        return [f"Dst minimum {self.dst[k]:.0f} nT at {self.sample_s[k] / 3600:.1f} h "
                f"({self.params.dst_model.replace('_', '-')} ring current)"]
