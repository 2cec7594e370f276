"""Water instruments: non-contact level gauges (ultrasonic, radar) and the tipping-bucket rain gauge.

Level gauges (time of flight)
-----------------------------
The transducer hangs at height H above the gauge datum, which is the ground or channel bed
under it, so the true water level above the datum equals the sampled ``water_depth``. It
times the echo from the water surface and converts the time to a range with the wave speed
it assumes:

============  ===========================================================  ======
symbol        meaning                                                      unit
============  ===========================================================  ======
h             true water level above the gauge datum (= water depth)       m
H             transducer height above the datum (``mount_height_m``)        m
g = H - h     true air gap (range to the surface)                          m
T, T_cal      air temperature; temperature the device assumes              K
c(T)          speed of sound in dry air                                    m s-1
s             sensitivity factor (faults), 1 when healthy                  1
b             blanking distance: no echo is measured closer than b         m
tau           damping time constant, t90 / ln 10, times the fault factor   s
d             range the device computes, before / after damping            m
L             reported level                                               m
============  ===========================================================  ======

Ultrasonic (speed of sound in dry air, ideal gas, e.g. Kinsler et al. 2000, *Fundamentals
of Acoustics*, ch. 5):

    c(T) = 331.3 sqrt(1 + (T - 273.15) / 273.15)
    d_raw = s g c(T_cal) / c(T) = s g sqrt(T_cal / T)

so the range error is d_raw / g - 1 = sqrt(T_cal / T) - 1 ~ -(T - T_cal) / (2 T_cal), about
-0.17 % of the air gap per kelvin at 20 deg C: warmer air than assumed makes the water read
high. Radar (80 GHz FMCW) ranges at c0 / n_air with n_air - 1 ~ 3e-4; its temperature
dependence (~1e-6 per K) is ignored, so d_raw = s g. ``s`` is the range scale of a
time-of-flight gauge (clock or wave-speed error), the only gain it has.

Blanking: while g < b (water inside the blanking distance, or above the transducer) there is
no valid echo. ``blanking_mode`` picks what the gauge reports then: ``"clip"`` (default) the
top of its measuring range, d = b, i.e. L = H - b, like a gauge set to fail safe high;
``"hold"`` the last valid range (d = b when no echo was valid yet); ``"nan"`` no reading.
The damping filter runs on the clipped or held range; with ``"nan"`` the reading at the
blanked samples is then removed.

Then  d = first-order lag of d_raw (tau),  L = H - d + offset + e,  e ~ N(0, sigma^2),
rounded to the resolution.

Tipping-bucket rain gauge
-------------------------
============  ===========================================================  ======
symbol        meaning                                                      unit
============  ===========================================================  ======
I             true rainfall rate (``rainfall_rate``, m s-1, as mm h-1)      mm h-1
eta           catch efficiency (wind-induced undercatch), 1 = none         1
r = eta s I   rate of water the funnel delivers to the bucket              mm s-1
q             tip depth: rain that fills one bucket (``tip_depth_mm``)      mm
delta         time the bucket takes to tip (``tipping_time_s``)             s
N(t)          tips counted up to t                                         1
W             window over which tips are counted (``intensity_window_s``)   s
============  ===========================================================  ======

The bucket fills at rate r; when it holds q it tips (one counted, integer event) and for the
next delta seconds the rain that keeps arriving pours into the bucket that is swinging away
and is lost (dynamic calibration error, Calder & Kidd 1978; Marsalek 1981). Under constant
rain the tips are delta + q / r apart, so the gauge measures

    I_m = I / (1 + r delta / q),   undercatch r delta / (q + r delta),

which grows with intensity: with delta = 0.45 s (high-speed photography of a tipping,
Duchon, Fiebrich & Grimsley 2014) a 0.2 mm bucket misses 1.2 % at 20 mm h-1 and 10 % at
175 mm h-1, the range of laboratory dynamic calibrations (Humphrey et al. 1997; Lanza &
Stagi 2009). The rate is held between samples; the recursion is :func:`bucket_tips`.

Reported quantity: the rainfall intensity the gauge's logger derives from the tips counted in
the trailing window W, ``I_m = q (N(t) - N(t - W)) / W`` in mm h-1 (tips before the first
sample count as none). With the default W = 1 h the reading is the last hour's rainfall
total and is a multiple of the tip depth, 0.2 mm h-1. The true value is the instantaneous
rainfall rate in mm h-1; hazard levels apply to it, alarm levels to the windowed
measurement. :meth:`TippingBucket.tip_counts` gives the raw cumulative tip count N.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numba import njit
from pydantic import Field, field_validator, model_validator

from sim.grid import RasterGrid
from sim.render.instruments.base import (
    FieldInfo,
    Instrument,
    InstrumentParams,
    Levels,
    Modifiers,
    first_order_lag,
    quantize,
    t90_to_tau,
)

# Speed of sound in dry air at 0 deg C (m s-1) and 0 deg C in kelvin.
SOUND_SPEED_0C_M_S = 331.3
ZERO_CELSIUS_K = 273.15
# mm per m, s per h.
MM_PER_M = 1000.0
S_PER_H = 3600.0

# ARR 2019 (Book 6, ch. 7, Table 6.7.4; Smith, Davey & Cox 2014) flood hazard vulnerability
# classes H1..H6: the depth limit of each class. On depth alone this is the class at low
# velocity (a lower bound: the velocity and depth-velocity limits can only raise it).
#   H1 generally safe for people, vehicles and buildings;  H2 unsafe for small vehicles;
#   H3 unsafe for vehicles, children and the elderly;      H4 unsafe for people and vehicles;
#   H5 unsafe for people and vehicles, all buildings vulnerable to structural damage;
#   H6 unsafe for people and vehicles, all building types vulnerable to failure.
ARR_DEPTH_LIMITS_M = (0.3, 0.5, 1.2, 2.0, 4.0)
ARR_MEANINGS = ("H1_generally_safe", "H2_unsafe_for_small_vehicles", "H3_unsafe_for_vehicles_children_elderly",
                "H4_unsafe_for_people_and_vehicles", "H5_buildings_vulnerable_to_damage",
                "H6_buildings_vulnerable_to_failure")

# JMA rainfall intensity classes (Japan Meteorological Agency, "Rain intensity and how it
# falls", 2000, rev. 2017): thresholds on the hourly rate (mm h-1).
#   10-20 puddles everywhere;  20-30 ditches and small streams overflow, small landslides;
#   30-50 roads run like rivers, sewers overflow, landslides likely;
#   50-80 underground spaces flood, landslides very likely;  >= 80 risk of large-scale disaster.
JMA_RAIN_MM_H = (10.0, 20.0, 30.0, 50.0, 80.0)
JMA_MEANINGS = ("below_10_mm_h", "moderately_heavy_rain", "heavy_rain", "very_heavy_rain", "extremely_heavy_rain",
                "violent_rain")


def _increasing(values: tuple[float, ...]) -> tuple[float, ...]:
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError("set points must increase")
    return values


def _set_point_levels(points: tuple[float, ...]) -> Levels:
    """Alarm k when the reading reaches the k-th set point (CF-style meaning tokens)."""
    return Levels(tuple(points), ("no_alarm",) + tuple(f"alarm_{k + 1}" for k in range(len(points))))


def _held(a: np.ndarray) -> np.ndarray:
    """a[k - 1] at row k (a[0] at row 0): the value held over (t[k-1], t[k]]."""
    return np.concatenate([a[:1], a[:-1]], axis=0)


def _lag(t_s: np.ndarray, x: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """First-order lag of x (n, m), starting in equilibrium with the first sample."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    tau = np.ascontiguousarray(np.broadcast_to(tau, x.shape), dtype=np.float64)
    out = np.empty_like(x)
    return first_order_lag(np.ascontiguousarray(t_s, dtype=np.float64), x, tau, x[0].copy(), out)


def speed_of_sound(temperature_k):
    """Speed of sound in dry air (m s-1): c = 331.3 sqrt(1 + T_C / 273.15)."""
    return SOUND_SPEED_0C_M_S * np.sqrt(1.0 + (np.asarray(temperature_k, dtype=float) - ZERO_CELSIUS_K)
                                        / ZERO_CELSIUS_K)


# -- level gauges ---------------------------------------------------------------------------

class _LevelParams(InstrumentParams):
    field: str = "water_depth"
    mount_height_m: float = Field(4.0, gt=0, description="transducer face above the gauge datum")
    offset_m: float = Field(0.0, description="zero error added to the reported level")
    blanking_mode: Literal["clip", "hold", "nan"] = "clip"
    alarm_levels_m: tuple[float, ...] = Field((0.15, 0.3, 0.5), description="set points on the level")

    @field_validator("alarm_levels_m")
    @classmethod
    def _alarms_increase(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        return _increasing(value)

    @model_validator(mode="after")
    def _blanking_below_mount(self):
        if self.blanking_distance_m >= self.mount_height_m:
            raise ValueError(f"blanking_distance_m = {self.blanking_distance_m} must be less than "
                             f"mount_height_m = {self.mount_height_m}")
        return self


class _LevelGauge(Instrument):
    """Shared time-of-flight level gauge; subclasses give the range scale."""

    def __init__(self, params, n_sensors: int, grid: RasterGrid, fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        self.require_field(params.field, "field", units="m")
        self.inputs = (params.field,)
        self.true_name = "water_level"
        self.true_units = "m"
        self.measured_name = "water_level"
        self.measured_units = "m"

    def _range_scale(self, inputs: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
        return np.ones(shape)

    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        p = self.params
        depth = np.asarray(inputs[p.field], dtype=float)
        gap = p.mount_height_m - depth
        blanked = ~(gap >= p.blanking_distance_m)
        d_raw = gap * self._range_scale(inputs, depth.shape) * modifiers.sensitivity_factor
        if p.blanking_mode == "hold":
            rows = np.where(blanked, -1, np.arange(depth.shape[0])[:, None])
            last = np.maximum.accumulate(rows, axis=0)
            d_raw = np.where(last >= 0, np.take_along_axis(d_raw, np.maximum(last, 0), axis=0),
                             p.blanking_distance_m)
        else:
            d_raw = np.where(blanked, p.blanking_distance_m, d_raw)
        tau = t90_to_tau(p.t90_s) * modifiers.tau_factor
        d = _lag(t_s, d_raw, tau)
        level = p.mount_height_m - d + p.offset_m
        if p.noise_std_m > 0:
            level = level + rng.normal(0.0, p.noise_std_m, size=level.shape)
        level = quantize(level, p.resolution_m)
        if p.blanking_mode == "nan":
            level = np.where(blanked, np.nan, level)
        return level

    def hazard_levels(self) -> Levels:
        return Levels(ARR_DEPTH_LIMITS_M, ARR_MEANINGS)

    def alarm_levels(self) -> Levels:
        return _set_point_levels(self.params.alarm_levels_m)


class UltrasonicLevel(_LevelGauge):
    """Ultrasonic time-of-flight level gauge without temperature compensation."""

    kind = "ultrasonic_level"
    references = (
        "Speed of sound c = 331.3 sqrt(1 + T_C/273.15): Kinsler, Frey, Coppens & Sanders (2000) "
        "Fundamentals of Acoustics, 4th ed., Wiley. Typical specifications (blanking 0.25 m, "
        "accuracy 0.15 % of range or 6 mm, resolution 1-3 mm): Siemens SITRANS Probe LU and VEGA "
        "VEGASON 61 datasheets (typical). Hazard classes: Ball et al. (2019) Australian Rainfall "
        "and Runoff, Book 6 ch. 7, Table 6.7.4; Smith, Davey & Cox (2014) Flood Hazard, UNSW WRL "
        "Technical Report 2014/07."
    )

    class Params(_LevelParams):
        air_temperature_k: float = Field(293.15, gt=200, lt=350, description="air in the beam")
        air_temperature_field: str | None = Field(None, description="read the air temperature (K) from this field")
        calibration_temperature_k: float = Field(293.15, gt=200, lt=350, description="temperature the device assumes")
        noise_std_m: float = Field(0.003, ge=0, description="(typical) repeatability")
        resolution_m: float = Field(0.001, ge=0, description="(typical)")
        blanking_distance_m: float = Field(0.25, ge=0, description="(typical) Siemens Probe LU, VEGASON 61")
        t90_s: float = Field(5.0, ge=0, description="(typical) damping / averaging")

    def __init__(self, params, n_sensors: int, grid: RasterGrid, fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        if params.air_temperature_field is not None:
            self.require_field(params.air_temperature_field, "air_temperature_field", units="K")
            self.inputs = (params.field, params.air_temperature_field)

    def _range_scale(self, inputs: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
        p = self.params
        if p.air_temperature_field is not None:
            temperature = np.asarray(inputs[p.air_temperature_field], dtype=float)
        else:
            temperature = np.full(shape, p.air_temperature_k)
        return speed_of_sound(p.calibration_temperature_k) / speed_of_sound(temperature)


class RadarLevel(_LevelGauge):
    """Radar (80 GHz FMCW) level gauge: no temperature error, lower noise."""

    kind = "radar_level"
    references = (
        "Typical specifications (accuracy +-2 mm, resolution 1 mm, measuring range 8-15 m): VEGA "
        "VEGAPULS C 21/C 22 and Siemens SITRANS LR100 datasheets (typical). Hazard classes: Ball "
        "et al. (2019) Australian Rainfall and Runoff, Book 6 ch. 7, Table 6.7.4; Smith, Davey & "
        "Cox (2014) Flood Hazard, UNSW WRL Technical Report 2014/07."
    )

    class Params(_LevelParams):
        noise_std_m: float = Field(0.001, ge=0, description="(typical) VEGAPULS C 21: +-2 mm")
        resolution_m: float = Field(0.001, ge=0, description="(typical)")
        blanking_distance_m: float = Field(0.05, ge=0, description="(typical) antenna near zone")
        t90_s: float = Field(3.0, ge=0, description="(typical) step response time")


# -- tipping-bucket rain gauge --------------------------------------------------------------

@njit(cache=True)
def bucket_tips(t, rate, tip_depth, tipping_time, fill0, out):
    """Cumulative tips of a tipping bucket; rain arriving while it tips is lost.

    ============  ==========================================================  ======
    symbol        meaning                                                     unit
    ============  ==========================================================  ======
    t[k]          sample times, increasing                                    s
    rate[k, j]    water reaching the bucket, held over (t[k], t[k+1]]          mm s-1
    tip_depth     rain that fills one bucket (q)                              mm
    tipping_time  duration of a tip (delta); inflow meanwhile is lost         s
    fill0[j]      water in the bucket at t[0], 0 <= fill0 < tip_depth         mm
    out[k, j]     tips counted in (t[0], t[k]] (int64)                         1
    ============  ==========================================================  ======

    A tip happens the moment the bucket holds q; it empties the bucket and starts a
    tipping period of delta seconds. A tip at exactly t[k] counts at t[k].
    """
    n, m = rate.shape
    for j in range(m):
        water = fill0[j]
        busy = 0.0
        tips = 0
        for k in range(n):
            if k > 0:
                r = rate[k - 1, j]
                left = t[k] - t[k - 1]
                while left > 0.0:
                    if busy > 0.0:
                        step = min(busy, left)
                        busy -= step
                        left -= step
                    elif r <= 0.0:
                        break
                    else:
                        need = (tip_depth - water) / r
                        if need <= left:
                            left -= need
                            water = 0.0
                            tips += 1
                            busy = tipping_time
                        else:
                            water += r * left
                            left = 0.0
            out[k, j] = tips
    return out


def bucket_tips_reference(t, rate, tip_depth, tipping_time, fill0):
    """NumPy twin of :func:`bucket_tips` (tests only), solved tip by tip instead of step by step.

    R(t), the water delivered since t[0], is piecewise linear; each tip is the first time R
    reaches the level at which the bucket is full again, found on R by search and linear
    interpolation.
    """
    t = np.asarray(t, dtype=float)
    rate = np.asarray(rate, dtype=float)
    n, m = rate.shape
    out = np.zeros((n, m), dtype=np.int64)
    for j in range(m):
        delivered = np.concatenate([[0.0], np.cumsum(np.maximum(rate[:-1, j], 0.0) * np.diff(t))])
        tip_times = []
        target = tip_depth - fill0[j]           # R at which the bucket is next full
        while target <= delivered[-1]:
            i = int(np.searchsorted(delivered, target, side="left"))
            if i == 0:
                when = t[0]
            else:
                r = (delivered[i] - delivered[i - 1]) / (t[i] - t[i - 1])
                when = t[i - 1] + (target - delivered[i - 1]) / r
            tip_times.append(when)
            target = np.interp(when + tipping_time, t, delivered) + tip_depth
        out[:, j] = np.searchsorted(np.asarray(tip_times), t, side="right")
    return out


class TippingBucket(Instrument):
    """Tipping-bucket rain gauge with dynamic (tipping-time) and wind undercatch."""

    kind = "tipping_bucket"
    references = (
        "Tip depth 0.2 mm: WMO (2018) Guide to Instruments and Methods of Observation, WMO-No. 8, "
        "vol. I ch. 6. Dynamic calibration error: Calder & Kidd (1978) J. Hydrol. 39, 383-386; "
        "Marsalek (1981) J. Hydrol. 53, 343-354; Humphrey, Istok, Lee, Hevesi & Flint (1997) "
        "J. Atmos. Oceanic Technol. 14, 1513-1519; Lanza & Stagi (2009) Meteorol. Appl. 16, "
        "109-121. Tipping time 0.45 s: Duchon, Fiebrich & Grimsley (2014) J. Atmos. Oceanic "
        "Technol. 31, 1330-1336. Intensity classes: Japan Meteorological Agency, table of rain "
        "intensity and how it falls (2000, rev. 2017)."
    )

    class Params(InstrumentParams):
        field: str = "rainfall_rate"
        tip_depth_mm: float = Field(0.2, gt=0, description="WMO-No. 8")
        tipping_time_s: float = Field(0.45, ge=0, description="Duchon et al. (2014)")
        catch_efficiency: float = Field(1.0, gt=0, le=1, description="wind-induced undercatch; 1 = none")
        intensity_window_s: float = Field(3600.0, gt=0, description="tips counted over this trailing window")
        random_initial_fill: bool = Field(True, description="bucket starts partly filled, uniform in [0, q)")
        alarm_levels_mm_h: tuple[float, ...] = Field((30.0, 50.0, 80.0), description="set points on the measured intensity")

        @field_validator("alarm_levels_mm_h")
        @classmethod
        def _alarms_increase(cls, value: tuple[float, ...]) -> tuple[float, ...]:
            return _increasing(value)

    def __init__(self, params, n_sensors: int, grid: RasterGrid, fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        self.require_field(params.field, "field", units="m s-1")
        self.inputs = (params.field,)
        self.true_name = "rainfall_rate"
        self.true_units = "mm h-1"
        self.measured_name = "rainfall_rate"
        self.measured_units = "mm h-1"

    def truth(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(inputs[self.params.field], dtype=float) * MM_PER_M * S_PER_H

    def _delivered_rate(self, inputs, modifiers) -> np.ndarray:
        p = self.params
        rain = np.maximum(np.asarray(inputs[p.field], dtype=float), 0.0) * MM_PER_M
        return rain * p.catch_efficiency * np.maximum(modifiers.sensitivity_factor, 0.0)

    def _initial_fill(self, m: int, rng: np.random.Generator) -> np.ndarray:
        if self.params.random_initial_fill:
            return rng.uniform(0.0, self.params.tip_depth_mm, size=m)
        return np.zeros(m)

    def tip_counts(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                   rng: np.random.Generator) -> np.ndarray:
        """Cumulative tips since the first sample, (n, m) int64."""
        p = self.params
        rate = np.ascontiguousarray(self._delivered_rate(inputs, modifiers))
        out = np.empty(rate.shape, dtype=np.int64)
        bucket_tips(np.ascontiguousarray(t_s, dtype=np.float64), rate, p.tip_depth_mm, p.tipping_time_s,
                    self._initial_fill(rate.shape[1], rng), out)
        return out

    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        """Intensity from the tips counted over the trailing window (mm h-1).

        The counter is also evaluated at t - W: those times are merged into the sample times
        (the rate is held between samples, so this changes nothing) and the rate before the
        first sample is zero.
        """
        p = self.params
        t_s = np.asarray(t_s, dtype=float)
        rate = self._delivered_rate(inputs, modifiers)
        n, m = rate.shape
        window = p.intensity_window_s
        t_all = np.unique(np.concatenate([t_s, t_s - window]))
        row = np.searchsorted(t_s, t_all, side="right") - 1
        rate_all = np.where((row >= 0)[:, None], rate[np.maximum(row, 0)], 0.0)
        counts = np.empty(rate_all.shape, dtype=np.int64)
        bucket_tips(t_all, np.ascontiguousarray(rate_all), p.tip_depth_mm, p.tipping_time_s,
                    self._initial_fill(m, rng), counts)
        now = counts[np.searchsorted(t_all, t_s)]
        before = counts[np.searchsorted(t_all, t_s - window)]
        return (now - before) * p.tip_depth_mm * (S_PER_H / window)

    def hazard_levels(self) -> Levels:
        return Levels(JMA_RAIN_MM_H, JMA_MEANINGS)

    def alarm_levels(self) -> Levels:
        return _set_point_levels(self.params.alarm_levels_mm_h)


__all__ = ["UltrasonicLevel", "RadarLevel", "TippingBucket", "bucket_tips", "bucket_tips_reference",
           "speed_of_sound"]
