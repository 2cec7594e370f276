"""Water instruments: time-of-flight level gauges and the tipping-bucket rain gauge."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.render.instruments import instrument_class
from sim.render.instruments.base import FieldInfo, InstrumentError, Modifiers
from sim.render.instruments.water import (
    RadarLevel,
    TippingBucket,
    UltrasonicLevel,
    bucket_tips,
    bucket_tips_reference,
    speed_of_sound,
)

GRID = RasterGrid(shape=(10, 10), spacing_m=(1.0, 1.0))
MM_H = 1.0 / 3.6e6  # m s-1 per mm h-1


def field(name: str, units: str, at: str = "cell") -> dict[str, FieldInfo]:
    return {name: FieldInfo(FieldSpec(name, at=at, units=units, intent="out", doc=name))}


def level_gauge(cls, m=1, extra_fields=None, **params):
    fields = field("water_depth", "m")
    fields.update(extra_fields or {})
    return cls(cls.Params(**params), m, GRID, fields)


def bucket(m=1, **params):
    return TippingBucket(TippingBucket.Params(**params), m, GRID, field("rainfall_rate", "m s-1", at="global"))


QUIET = dict(noise_std_m=0.0, resolution_m=0.0)


def crossing_time(t, y, level):
    """First time y reaches level, linearly interpolated between samples."""
    k = int(np.argmax(y >= level))
    return t[k - 1] + (level - y[k - 1]) / (y[k] - y[k - 1]) * (t[k] - t[k - 1])


def test_registry_names_the_classes():
    assert instrument_class("ultrasonic_level") is UltrasonicLevel
    assert instrument_class("radar_level") is RadarLevel
    assert instrument_class("tipping_bucket") is TippingBucket


@pytest.mark.parametrize("cls", [UltrasonicLevel, RadarLevel])
@pytest.mark.parametrize("tau_factor", [1.0, 2.5])
def test_level_step_reaches_90_percent_at_t90(cls, tau_factor):
    t90 = 4.0
    gauge = level_gauge(cls, t90_s=t90, **QUIET)
    t = np.arange(0.0, 80.0, 0.01)
    depth = np.where(t >= 5.0, 1.2, 0.2)[:, None]
    mods = Modifiers.none(t.size, 1)
    mods.tau_factor[:] = tau_factor
    level = gauge.respond(t, {"water_depth": depth}, mods, np.random.default_rng(0))[:, 0]
    assert level[0] == pytest.approx(0.2, abs=1e-12)
    reached = crossing_time(t, level, 0.2 + 0.9 * 1.0) - 5.0
    assert reached == pytest.approx(t90 * tau_factor, rel=0.02)
    assert level[-1] == pytest.approx(1.2, abs=1e-6)


def test_speed_of_sound():
    assert speed_of_sound(273.15) == pytest.approx(331.3)
    assert speed_of_sound(293.15) == pytest.approx(343.2, abs=0.1)  # dry air at 20 C


@pytest.mark.parametrize("delta_k", [-10.0, 1.0, 10.0])
def test_ultrasonic_temperature_error_is_the_time_of_flight_error(delta_k):
    """d = g c(T_cal)/c(T): the level error is g (1 - sqrt(T_cal/T)), ~0.17 %/K of the air gap."""
    t_cal, height, depth = 293.15, 5.0, 1.0
    gauge = level_gauge(UltrasonicLevel, mount_height_m=height, calibration_temperature_k=t_cal,
                        air_temperature_k=t_cal + delta_k, **QUIET)
    t = np.arange(10.0)
    level = gauge.respond(t, {"water_depth": np.full((10, 1), depth)}, Modifiers.none(10, 1),
                          np.random.default_rng(0))
    gap = height - depth
    error = level[-1, 0] - depth
    assert error == pytest.approx(gap * (1.0 - math.sqrt(t_cal / (t_cal + delta_k))), rel=1e-9)
    per_kelvin = error / gap / delta_k
    assert per_kelvin == pytest.approx(1.0 / (2.0 * t_cal), rel=0.05)  # 0.17 %/K; warm air reads high
    assert 0.0016 < per_kelvin < 0.0018


def test_ultrasonic_reads_air_temperature_from_a_field():
    extra = field("air_temperature", "K")
    by_field = level_gauge(UltrasonicLevel, extra_fields=extra, air_temperature_field="air_temperature", **QUIET)
    by_param = level_gauge(UltrasonicLevel, air_temperature_k=303.15, **QUIET)
    assert by_field.inputs == ("water_depth", "air_temperature")
    t = np.arange(5.0)
    depth = np.full((5, 2), 0.7)
    rng = np.random.default_rng(0)
    a = by_field.respond(t, {"water_depth": depth, "air_temperature": np.full((5, 2), 303.15)}, Modifiers.none(5, 2), rng)
    b = by_param.respond(t, {"water_depth": depth}, Modifiers.none(5, 2), rng)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_radar_zero_noise_is_exact_and_temperature_free():
    gauge = level_gauge(RadarLevel, m=3, offset_m=0.01, **QUIET)
    t = np.arange(20.0)
    depth = np.tile(np.array([0.0, 0.4, 2.5]), (20, 1))
    level = gauge.respond(t, {"water_depth": depth}, Modifiers.none(20, 3), np.random.default_rng(1))
    np.testing.assert_allclose(level, depth + 0.01, rtol=0, atol=1e-12)
    assert "air_temperature_k" not in RadarLevel.Params.model_fields


def test_sensitivity_scales_the_range():
    gauge = level_gauge(RadarLevel, mount_height_m=4.0, **QUIET)
    mods = Modifiers.none(3, 1)
    mods.sensitivity_factor[:] = 0.9
    level = gauge.respond(np.arange(3.0), {"water_depth": np.full((3, 1), 1.0)}, mods, np.random.default_rng(0))
    assert level[-1, 0] == pytest.approx(4.0 - 0.9 * 3.0)


def test_blanking_modes():
    """Water within 0.25 m of the transducer (here above 3.75 m) gives no echo."""
    depth = np.array([1.0, 3.9, 4.2, 2.0])[:, None]
    t = np.arange(4.0)
    out = {}
    for mode in ("clip", "hold", "nan"):
        gauge = level_gauge(UltrasonicLevel, mount_height_m=4.0, blanking_distance_m=0.25, t90_s=0.0,
                            blanking_mode=mode, **QUIET)
        out[mode] = gauge.respond(t, {"water_depth": depth}, Modifiers.none(4, 1), np.random.default_rng(0))[:, 0]
    np.testing.assert_allclose(out["clip"], [1.0, 3.75, 3.75, 2.0], atol=1e-12)
    np.testing.assert_allclose(out["hold"], [1.0, 1.0, 1.0, 2.0], atol=1e-12)
    assert np.isnan(out["nan"][1:3]).all() and out["nan"][[0, 3]] == pytest.approx([1.0, 2.0])
    with pytest.raises(ValueError):
        UltrasonicLevel.Params(mount_height_m=0.2, blanking_distance_m=0.25)


def test_level_noise_resolution_and_reproducibility():
    gauge = level_gauge(UltrasonicLevel, m=4, noise_std_m=0.01, resolution_m=0.005)
    t = np.arange(500.0)
    depth = np.full((500, 4), 1.0)
    a = gauge.respond(t, {"water_depth": depth}, Modifiers.none(500, 4), np.random.default_rng(7))
    b = gauge.respond(t, {"water_depth": depth}, Modifiers.none(500, 4), np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a / 0.005, np.round(a / 0.005), atol=1e-9)
    assert np.std(a - 1.0) == pytest.approx(0.01, rel=0.1)


def test_flood_hazard_and_alarm_levels():
    gauge = level_gauge(RadarLevel, alarm_levels_m=(0.2, 0.6))
    np.testing.assert_array_equal(gauge.hazard_levels().of(np.array([0.1, 0.3, 0.6, 1.5, 2.5, 5.0])),
                                  [0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(gauge.alarm_levels().of(np.array([0.1, 0.2, 0.7, np.nan])), [0, 1, 2, -1])
    with pytest.raises(ValueError):
        RadarLevel.Params(alarm_levels_m=(0.5, 0.2))


@pytest.mark.parametrize("cls, name", [(UltrasonicLevel, "water_depth"), (RadarLevel, "water_depth"),
                                       (TippingBucket, "rainfall_rate")])
def test_missing_or_wrong_field_raises(cls, name):
    with pytest.raises(InstrumentError) as err:
        cls(cls.Params(), 1, GRID, {})
    assert err.value.key == "field" and name in str(err.value)
    with pytest.raises(InstrumentError):
        cls(cls.Params(), 1, GRID, field(name, "mm"))
    with pytest.raises(InstrumentError) as err:
        UltrasonicLevel(UltrasonicLevel.Params(air_temperature_field="air_temperature"), 1, GRID,
                        field("water_depth", "m"))
    assert err.value.key == "air_temperature_field"


# -- tipping bucket -------------------------------------------------------------------------

def constant_rain(intensity_mm_h, duration_s, dt_s, m=1):
    t = np.arange(0.0, duration_s + dt_s / 2, dt_s)
    return t, {"rainfall_rate": np.full((t.size, m), intensity_mm_h * MM_H)}


@pytest.mark.parametrize("intensity", [5.0, 60.0, 200.0])
def test_constant_rain_tip_count(intensity):
    """Tip n falls at n q/r + (n-1) delta: N(T) = floor((T + delta) / (q/r + delta))."""
    duration, q = 3601.0, 0.2
    t, inputs = constant_rain(intensity, duration, 10.0)
    t[-1] = duration
    r = intensity / 3600.0  # mm s-1
    for delta in (0.0, 0.45):
        tips = bucket(tipping_time_s=delta, random_initial_fill=False).tip_counts(
            t, inputs, Modifiers.none(t.size, 1), np.random.default_rng(0))
        assert tips[0, 0] == 0
        assert tips[-1, 0] == math.floor((duration + delta) / (q / r + delta))
        corrected_total = r * duration / (1.0 + r * delta / q)  # what the gauge catches net of tipping loss
        assert abs(tips[-1, 0] - math.floor(corrected_total / q)) <= 1
        if delta == 0.0:
            assert tips[-1, 0] == math.floor(intensity * duration / 3600.0 / q)


@pytest.mark.parametrize("intensity, measured_undercatch", [(19.9, 0.0098), (175.2, 0.0878)])
def test_dynamic_undercatch_matches_high_speed_photography(intensity, measured_undercatch):
    """Duchon et al. (2014): 0.254 mm bucket, undercatch 0.98 % at 19.9 mm/h and 8.78 % at 175.2 mm/h."""
    q = 0.254
    t, inputs = constant_rain(intensity, 36000.0, 60.0)
    tips = bucket(tip_depth_mm=q, random_initial_fill=False).tip_counts(
        t, inputs, Modifiers.none(t.size, 1), np.random.default_rng(0))
    undercatch = 1.0 - tips[-1, 0] * q / (intensity * 10.0)
    assert undercatch == pytest.approx(measured_undercatch, abs=0.01)
    r = intensity / 3600.0
    assert undercatch == pytest.approx(r * 0.45 / (q + r * 0.45), abs=q / (intensity * 10.0))


def test_readings_are_multiples_of_the_tip_depth_and_count_the_last_hour():
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 4 * 3600.0 + 1, 60.0)
    rain = rng.gamma(0.5, 20.0, size=(t.size, 3)) * (rng.random((t.size, 3)) < 0.6) * MM_H
    gauge = bucket(m=3)
    inputs = {"rainfall_rate": rain}
    reading = gauge.respond(t, inputs, Modifiers.none(t.size, 3), np.random.default_rng(5))
    np.testing.assert_allclose(reading / 0.2, np.round(reading / 0.2), atol=1e-9)
    tips = gauge.tip_counts(t, inputs, Modifiers.none(t.size, 3), np.random.default_rng(5))
    hour = 60  # samples per hour
    np.testing.assert_allclose(reading[hour:], (tips[hour:] - tips[:-hour]) * 0.2, atol=1e-9)
    np.testing.assert_allclose(reading[:hour], tips[:hour] * 0.2, atol=1e-9)


def test_windowed_intensity_of_steady_rain():
    """A 30 mm/h shower read over a 10-min window: 25 tips per window, 30 mm/h, within one tip."""
    t, inputs = constant_rain(30.0, 7200.0, 7.0)
    gauge = bucket(tipping_time_s=0.0, random_initial_fill=False, intensity_window_s=600.0)
    reading = gauge.respond(t, inputs, Modifiers.none(t.size, 1), np.random.default_rng(0))[:, 0]
    assert np.all(np.abs(reading[t >= 600.0] - 30.0) <= 0.2 * 6 + 1e-9)
    assert gauge.alarm_levels().of(np.array([reading[-1]]))[0] == 1
    assert gauge.truth(inputs)[0, 0] == pytest.approx(30.0)
    np.testing.assert_array_equal(gauge.hazard_levels().of(np.array([5.0, 35.0, 90.0])), [0, 3, 5])


def test_catch_efficiency_and_sensitivity_reduce_the_catch():
    t, inputs = constant_rain(36.1, 3600.0, 30.0)
    base = dict(tipping_time_s=0.0, random_initial_fill=False)
    full = bucket(**base).tip_counts(t, inputs, Modifiers.none(t.size, 1), np.random.default_rng(0))
    windy = bucket(catch_efficiency=0.9, **base).tip_counts(t, inputs, Modifiers.none(t.size, 1),
                                                            np.random.default_rng(0))
    mods = Modifiers.none(t.size, 1)
    mods.sensitivity_factor[:] = 0.5
    clogged = bucket(**base).tip_counts(t, inputs, mods, np.random.default_rng(0))
    assert full[-1, 0] == 180 and windy[-1, 0] == 162 and clogged[-1, 0] == 90


def test_bucket_same_seed_same_output():
    t, inputs = constant_rain(12.0, 1800.0, 60.0, m=5)
    gauge = bucket(m=5)
    a = gauge.respond(t, inputs, Modifiers.none(t.size, 5), np.random.default_rng(11))
    b = gauge.respond(t, inputs, Modifiers.none(t.size, 5), np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("delta", [0.0, 0.45, 7.0])
def test_bucket_kernel_matches_numpy_twin(delta):
    rng = np.random.default_rng(int(delta * 100))
    n, m = 300, 6
    t = np.cumsum(rng.uniform(0.5, 30.0, n))
    rate = rng.gamma(0.7, 0.02, size=(n, m)) * (rng.random((n, m)) < 0.7)  # mm s-1, up to ~500 mm/h
    fill0 = rng.uniform(0.0, 0.2, m)
    out = np.empty((n, m), dtype=np.int64)
    bucket_tips(t, rate, 0.2, delta, fill0, out)
    np.testing.assert_array_equal(out, bucket_tips_reference(t, rate, 0.2, delta, fill0))
    assert np.all(np.diff(out, axis=0) >= 0)


@pytest.mark.parametrize("cls", [UltrasonicLevel, RadarLevel, TippingBucket])
def test_level_meanings_are_cf_tokens(cls):
    """Meanings are written space-separated (CF flag_meanings), so none may contain a space."""
    inst = bucket() if cls is TippingBucket else level_gauge(cls)
    for levels in (inst.hazard_levels(), inst.alarm_levels()):
        assert all(" " not in meaning for meaning in levels.meanings)
