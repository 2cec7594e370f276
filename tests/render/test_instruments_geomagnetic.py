"""Fluxgate magnetometer: noise floor, 1/f spectrum, drifts, quantisation, storm levels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import welch

from sim.fields import FieldSet, FieldSpec
from sim.grid import RasterGrid
from sim.render.instruments import instrument_class
from sim.render.instruments.base import FieldInfo, InstrumentError, Modifiers
from sim.render.instruments.geomagnetic import (
    GONZALEZ_DST,
    YEAR_S,
    Magnetometer,
    kasdin_coefficients,
    power_law_noise,
    power_law_noise_reference,
    sample_intervals,
)

GRID = RasterGrid(shape=(10, 10), spacing_m=(1.0, 1.0))
QUIET = dict(white_noise_nt_per_sqrt_hz=0.0, flicker_noise_nt_per_sqrt_hz_at_1_hz=0.0, drift_nt_per_year=0.0,
             drift_nt_per_k=0.0, resolution_nt=0.0)


def spec(name, at="global", units="nT"):
    return FieldInfo(FieldSpec(name, at=at, units=units, intent="out", doc=name))


def magnetometer(n_sensors=1, dst=False, **kw):
    fields = {"geomagnetic_field_north": spec("geomagnetic_field_north")}
    if dst:
        fields["dst_index"] = spec("dst_index")
    return Magnetometer(Magnetometer.Params(**kw), n_sensors, GRID, fields)


def constant_field(n, m=1, value=20000.0):
    return {"geomagnetic_field_north": np.full((n, m), value)}


def test_registry_name_resolves():
    assert instrument_class("magnetometer") is Magnetometer


def test_white_noise_std_matches_the_noise_floor():
    """One-sided density S_w averaged over dt has std S_w / sqrt(2 dt): 1 s and 60 s samples."""
    s_w = 0.01
    for dt in (1.0, 60.0):
        mag = magnetometer(**{**QUIET, "white_noise_nt_per_sqrt_hz": s_w})
        n = 40000
        t = np.arange(n) * dt
        reading = mag.respond(t, constant_field(n), Modifiers.none(n, 1), np.random.default_rng(1))
        assert reading.std() == pytest.approx(s_w / math.sqrt(2.0 * dt), rel=0.05)
        assert abs(reading.mean()) < 4.0 * s_w / math.sqrt(2.0 * dt * n)


def test_flicker_noise_has_a_one_over_f_spectrum_at_the_set_level():
    a_f = 0.002
    mag = magnetometer(**{**QUIET, "flicker_noise_nt_per_sqrt_hz_at_1_hz": a_f})
    n = 2**16
    t = np.arange(n, dtype=float)
    reading = mag.respond(t, constant_field(n), Modifiers.none(n, 1), np.random.default_rng(8))[:, 0]
    f, psd = welch(reading, fs=1.0, nperseg=4096)
    band = (f > 0) & (f <= 0.1)
    slope, intercept = np.polyfit(np.log(f[band]), np.log(psd[band]), 1)
    assert slope == pytest.approx(-1.0, abs=0.15)
    assert math.exp(intercept) == pytest.approx(a_f**2, rel=0.3)   # S_f(1 Hz) = A_f^2


def test_default_noise_meets_intermagnet_one_second_standard():
    """IMOS-21: <= 10 pT/sqrt(Hz) at 0.1 Hz for the default white + 1/f densities."""
    p = Magnetometer.Params()
    density = math.sqrt(p.white_noise_nt_per_sqrt_hz**2 + p.flicker_noise_nt_per_sqrt_hz_at_1_hz**2 / 0.1)
    assert density <= 0.010
    mag = magnetometer(temperature_amplitude_k=0.0, drift_nt_per_year=0.0, resolution_nt=0.0)
    n = 2**15
    reading = mag.respond(np.arange(n, dtype=float), constant_field(n), Modifiers.none(n, 1),
                          np.random.default_rng(12))[:, 0]
    f, psd = welch(reading, fs=1.0, nperseg=2048)
    near = (f > 0.08) & (f < 0.12)
    assert math.sqrt(psd[near].mean()) == pytest.approx(density, rel=0.15)


def test_kasdin_filter_fft_matches_direct_causal_sum():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((257, 3))
    np.testing.assert_allclose(power_law_noise(w), power_law_noise_reference(w), atol=1e-12)
    h = kasdin_coefficients(5)
    np.testing.assert_allclose(h, [1.0, 0.5, 0.375, 0.3125, 0.2734375])   # (k - 1/2) / k recursion
    # causal: changing a late innovation leaves earlier outputs alone
    w2 = w.copy()
    w2[200] += 5.0
    np.testing.assert_allclose(power_law_noise(w2)[:200], power_law_noise(w)[:200], atol=1e-12)


def test_quantised_readings_are_multiples_of_the_resolution_and_saturate():
    mag = magnetometer(resolution_nt=0.1, range_nt=500.0)
    n = 1000
    t = np.arange(n, dtype=float)
    x = 20000.0 + np.linspace(0.0, -800.0, n)[:, None]                 # a storm main phase
    reading = mag.respond(t, {"geomagnetic_field_north": x}, Modifiers.none(n, 1), np.random.default_rng(3))
    steps = reading / 0.1
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
    assert reading.min() == -500.0 and np.sum(reading == -500.0) > 300
    assert np.all(np.abs(reading) <= 500.0)


def test_signal_path_offset_sensitivity_and_drifts():
    """Without noise: m = s dX + b + c_T A_T cos(2 pi (t - t_pk) / P) + r (t - t0)."""
    mag = magnetometer(white_noise_nt_per_sqrt_hz=0.0, flicker_noise_nt_per_sqrt_hz_at_1_hz=0.0,
                       resolution_nt=0.0, offset_nt=1.5, drift_nt_per_k=0.25, temperature_amplitude_k=4.0,
                       drift_nt_per_year=5.0, range_nt=1e6)
    t = np.linspace(0.0, YEAR_S, 367)
    n = t.size
    x = 21000.0 + 30.0 * np.sin(t / 1e6)[:, None]
    modifiers = Modifiers.none(n, 1)
    modifiers.sensitivity_factor[:] = 0.9
    reading = mag.respond(t, {"geomagnetic_field_north": x}, modifiers, np.random.default_rng(0))[:, 0]
    thermal = 0.25 * 4.0 * np.cos(2 * math.pi * (t - 50400.0) / 86400.0)
    expected = 0.9 * (x[:, 0] - x[0, 0]) + 1.5 + thermal + 5.0 * t / YEAR_S
    np.testing.assert_allclose(reading, expected, atol=1e-9)
    residual = reading - 0.9 * (x[:, 0] - x[0, 0]) - 1.5 - thermal
    assert residual[-1] - residual[0] == pytest.approx(5.0, abs=1e-9)      # 5 nT/year long-term drift


def test_same_seed_same_output():
    mag = magnetometer(n_sensors=3)
    n = 500
    t = np.arange(n, dtype=float)
    a = mag.respond(t, constant_field(n, 3), Modifiers.none(n, 3), np.random.default_rng(21))
    b = mag.respond(t, constant_field(n, 3), Modifiers.none(n, 3), np.random.default_rng(21))
    c = mag.respond(t, constant_field(n, 3), Modifiers.none(n, 3), np.random.default_rng(22))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a[:, 0], a[:, 1])          # sensors have their own noise


def test_truth_is_disturbance_or_dst_and_storm_levels_are_gonzalez():
    n = 5
    x = np.array([[20000.0], [19990.0], [19960.0], [19880.0], [19700.0]])
    mag = magnetometer()
    assert mag.inputs == ("geomagnetic_field_north",)
    np.testing.assert_allclose(mag.truth({"geomagnetic_field_north": x})[:, 0], [0, -10, -40, -120, -300])
    assert mag.hazard_levels().of(mag.truth({"geomagnetic_field_north": x}))[:, 0].tolist() == [0, 0, 1, 3, 4]
    assert GONZALEZ_DST.falling and GONZALEZ_DST.thresholds == (-30.0, -50.0, -100.0, -250.0)

    with_dst = magnetometer(dst=True)
    assert with_dst.inputs == ("geomagnetic_field_north", "dst_index")
    assert with_dst.true_name == "geomagnetic_north_disturbance"
    dst = np.array([[-5.0], [-35.0], [-60.0], [-150.0], [-400.0]])
    inputs = {"geomagnetic_field_north": x, "dst_index": dst}
    truth = with_dst.truth(inputs)
    np.testing.assert_array_equal(truth, with_dst.disturbance(x))
    hazard = with_dst.hazard_value(np.arange(n, dtype=float), inputs, truth)
    assert with_dst.hazard_levels().of(hazard)[:, 0].tolist() == [0, 1, 2, 3, 4]
    reading = with_dst.respond(np.arange(n, dtype=float), {"geomagnetic_field_north": x, "dst_index": dst},
                               Modifiers.none(n, 1), np.random.default_rng(0))
    assert with_dst.alarm_levels().of(reading)[:, 0].tolist() == [0, 0, 0, 2, 3]


def test_sample_reads_global_and_cell_fields():
    fields = FieldSet(GRID)
    bx = fields.add(FieldSpec("geomagnetic_field_north", at="cell", units="nT", intent="out", doc="X"))
    bx[:] = 20000.0 + 10.0 * GRID.x[None, :]
    dst = fields.add(FieldSpec("dst_index", at="global", units="nT", intent="out", doc="Dst"))
    dst[...] = -42.0
    mag = Magnetometer(Magnetometer.Params(), 2, GRID,
                       {"geomagnetic_field_north": spec("geomagnetic_field_north", at="cell"),
                        "dst_index": spec("dst_index")})
    got = mag.sample(fields.view(), np.array([[2.5, 5.0], [7.5, 5.0]]))
    np.testing.assert_allclose(got["geomagnetic_field_north"], [20025.0, 20075.0])
    np.testing.assert_allclose(got["dst_index"], [-42.0, -42.0])


def test_missing_or_wrong_fields_raise():
    with pytest.raises(InstrumentError) as err:
        Magnetometer(Magnetometer.Params(), 1, GRID, {"dst_index": spec("dst_index")})
    assert err.value.key == "field" and "geomagnetic_field_north" in str(err.value)
    with pytest.raises(InstrumentError, match="units"):
        Magnetometer(Magnetometer.Params(), 1, GRID,
                     {"geomagnetic_field_north": spec("geomagnetic_field_north", units="T")})
    with pytest.raises(InstrumentError) as err:                  # asked for by name, not produced
        magnetometer(dst_field="sym_h")
    assert err.value.key == "dst_field"
    assert magnetometer(dst_field=None).inputs == ("geomagnetic_field_north",)
    with pytest.raises(InstrumentError):
        magnetometer(alarm_disturbance_nt=(-100.0, -50.0))


def test_sample_intervals():
    np.testing.assert_allclose(sample_intervals(np.array([0.0, 1.0, 3.0, 3.0, 4.0])), [1, 1, 2, 1, 1])
    np.testing.assert_allclose(sample_intervals(np.array([5.0])), [1.0])


def test_empty_series():
    mag = magnetometer(n_sensors=2)
    empty = {"geomagnetic_field_north": np.empty((0, 2))}
    assert mag.truth(empty).shape == (0, 2)
    assert mag.respond(np.empty(0), empty, Modifiers.none(0, 2), np.random.default_rng(0)).shape == (0, 2)
