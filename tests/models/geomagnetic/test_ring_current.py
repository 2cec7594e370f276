"""Ring-current (Dst) kernels: the NumPy twin, the exact exponential solution for constant drivers,
recovery e-folding, the injection threshold, the pressure correction, Carrington-class driving
and data gaps (Burton et al. 1975; O'Brien & McPherron 2000; Newell et al. 2007)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.geomagnetic.reference import dst_response_reference
from models.geomagnetic.ring_current import (BURTON, OBRIEN_MCPHERRON, coupling_vbs, dst_response, newell_coupling,
                                             pressure_corrected)

HOUR = 3600.0
MODELS = [BURTON, OBRIEN_MCPHERRON]
# tau at VBs = 0 (recovery), in s.
QUIET_TAU = {BURTON: 7.7 * HOUR, OBRIEN_MCPHERRON: 2.40 * math.exp(9.74 / 4.69) * HOUR}
THRESHOLD = {BURTON: 0.5, OBRIEN_MCPHERRON: 0.49}  # E_c, mV m-1
PRESSURE_TERMS = {BURTON: (15.8, 20.0), OBRIEN_MCPHERRON: (7.26, 11.0)}  # b, c


def injection_and_tau(model, vbs):
    """(Q in nT s-1, tau in s) of the papers, written out independently of both implementations."""
    if model == BURTON:
        return (-1.5e-3 * (vbs - 0.5) if vbs > 0.5 else 0.0), 7.7 * HOUR
    return (-4.4 / HOUR * (vbs - 0.49) if vbs > 0.49 else 0.0), 2.40 * math.exp(9.74 / (4.69 + vbs)) * HOUR


def constant(n, value):
    return np.full(n, float(value))


def random_drivers(rng, n):
    speed = rng.uniform(280.0, 1200.0, n)
    bz = rng.normal(-2.0, 12.0, n)
    pressure = rng.lognormal(1.0, 0.8, n)
    return speed, bz, pressure


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("dt", [60.0, HOUR, 5 * HOUR])
def test_kernel_matches_numpy_twin(model, dt):
    rng = np.random.default_rng(7 + model)
    speed, bz, pressure = random_drivers(rng, 500)
    dst, dst_star = dst_response(model, dt, speed, bz, pressure, -35.0)
    dst_ref, dst_star_ref = dst_response_reference(model, dt, speed, bz, pressure, -35.0)
    assert dst.shape == dst_star.shape == (500,)
    np.testing.assert_allclose(dst_star, dst_star_ref, rtol=1e-12, atol=1e-12 * np.abs(dst_star_ref).max())
    np.testing.assert_allclose(dst, dst_ref, rtol=1e-12, atol=1e-12 * np.abs(dst_ref).max())


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("dt", [1.0, 600.0, HOUR, 3 * HOUR, 86400.0])
def test_constant_driver_follows_exact_exponential(model, dt):
    speed, bz, dst_star0, n = 550.0, -8.0, 15.0, 40
    vbs = speed * 8.0e-3
    q, tau = injection_and_tau(model, vbs)
    _, dst_star = dst_response(model, dt, constant(n, speed), constant(n, bz), constant(n, 2.0), dst_star0)
    t_end = dt * np.arange(1, n + 1)  # element k is the end of step k
    exact = q * tau + (dst_star0 - q * tau) * np.exp(-t_end / tau)
    np.testing.assert_allclose(dst_star, exact, rtol=1e-12, atol=1e-12 * abs(q * tau))
    # Long run: the steady state Q tau.
    _, long_run = dst_response(model, HOUR, constant(2000, speed), constant(2000, bz), constant(2000, 2.0), dst_star0)
    assert long_run[-1] == pytest.approx(q * tau, rel=1e-12)


@pytest.mark.parametrize("model", MODELS)
def test_step_splitting_is_exact_for_constant_drivers(model):
    drivers = (constant(1, 700.0), constant(1, -15.0), constant(1, 4.0))
    _, one_step = dst_response(model, 2 * HOUR, *drivers, -40.0)
    _, two_steps = dst_response(model, HOUR, *(np.repeat(a, 2) for a in drivers), -40.0)
    assert two_steps[-1] == pytest.approx(one_step[-1], rel=1e-13)


@pytest.mark.parametrize("model", MODELS)
def test_recovery_e_folds_with_quiet_tau(model):
    n, dst_star0 = 72, -150.0
    _, dst_star = dst_response(model, HOUR, constant(n, 400.0), constant(n, 5.0), constant(n, 2.0), dst_star0)
    tau = QUIET_TAU[model]
    np.testing.assert_allclose(dst_star, dst_star0 * np.exp(-HOUR * np.arange(1, n + 1) / tau), rtol=1e-12)
    # e-folding time from the log slope of the recovery.
    slope = np.polyfit(HOUR * np.arange(1, n + 1), np.log(dst_star / dst_star0), 1)[0]
    assert -1.0 / slope == pytest.approx(tau, rel=1e-10)
    assert QUIET_TAU[OBRIEN_MCPHERRON] / HOUR == pytest.approx(19.14, abs=0.01)


@pytest.mark.parametrize("model", MODELS)
def test_no_injection_below_threshold(model):
    speed, n = 500.0, 24
    bz_at_threshold = -THRESHOLD[model] / (speed * 1e-3)
    below = dst_response(model, HOUR, constant(n, speed), constant(n, bz_at_threshold * (1 - 1e-6)),
                         constant(n, 0.0), 0.0)[1]
    above = dst_response(model, HOUR, constant(n, speed), constant(n, bz_at_threshold * 1.1), constant(n, 0.0), 0.0)[1]
    assert np.all(below == 0.0)
    assert np.all(np.diff(above) < 0.0) and above[-1] < 0.0


@pytest.mark.parametrize("model", MODELS)
def test_pressure_correction_round_trip(model):
    rng = np.random.default_rng(3)
    dst = rng.normal(-50.0, 60.0, 200)
    pressure = rng.lognormal(1.0, 1.0, 200)
    b, c = PRESSURE_TERMS[model]
    dst_star = pressure_corrected(model, dst, pressure)
    np.testing.assert_allclose(dst_star + b * np.sqrt(pressure) - c, dst, rtol=0, atol=1e-12)
    # The kernel's two outputs obey the same relation, with the pressure of the step just ended.
    speed, bz, _ = random_drivers(rng, 200)
    dst_out, dst_star_out = dst_response(model, HOUR, speed, bz, pressure, -10.0)
    np.testing.assert_allclose(pressure_corrected(model, dst_out, pressure), dst_star_out, rtol=0, atol=1e-11)
    # Burton's 0.20 nT (eV cm-3)^-1/2 in nPa: 1 eV cm-3 = 1.602e-4 nPa.
    assert PRESSURE_TERMS[BURTON][0] == pytest.approx(0.20 / math.sqrt(1.602e-4), rel=1e-3)


@pytest.mark.parametrize("model", MODELS)
def test_carrington_class_driving_is_finite_monotone_and_saturates(model):
    n, speed, bz, pressure = 400, 2500.0, -120.0, 1000.0  # 400 h: 52 Burton decay times
    vbs = coupling_vbs(speed, bz)
    assert vbs == pytest.approx(300.0)
    q, tau = injection_and_tau(model, vbs)
    dst, dst_star = dst_response(model, HOUR, constant(n, speed), constant(n, bz), constant(n, pressure), 0.0)
    assert np.all(np.isfinite(dst)) and np.all(np.isfinite(dst_star))
    assert np.all(np.diff(dst_star) <= 0.0) and np.all(np.diff(dst_star[:20]) < 0.0)  # no overshoot, no ringing
    assert np.all(dst_star >= q * tau)  # approached from above, never overshot
    assert dst_star[-1] == pytest.approx(q * tau, rel=1e-12)
    # Orders of magnitude: Burton -12 450 nT, O'Brien-McPherron (tau 2.48 h) -3 270 nT.
    expected = {BURTON: -1.5e-3 * 299.5 * 7.7 * HOUR, OBRIEN_MCPHERRON: -4.4 * 299.51 * 2.40 * math.exp(9.74 / 304.69)}
    assert q * tau == pytest.approx(expected[model], rel=1e-12)


@pytest.mark.parametrize("model", MODELS)
def test_missing_drivers_give_quiet_decay_and_resume(model):
    rng = np.random.default_rng(11)
    speed, bz, pressure = random_drivers(rng, 48)
    speed[10] = np.nan
    bz[11:14] = np.nan
    speed[20] = np.inf
    pressure[30] = np.nan
    pressure[31] = -1.0
    dst, dst_star = dst_response(model, HOUR, speed, bz, pressure, -60.0)
    assert np.all(np.isfinite(dst_star))
    decay = math.exp(-HOUR / QUIET_TAU[model])
    for k in (10, 11, 12, 13, 20):
        assert dst_star[k] == pytest.approx(dst_star[k - 1] * decay, rel=1e-13)
    # A bad pressure spoils Dst at that step only, never the state.
    assert np.isnan(dst[30]) and np.isnan(dst[31])
    assert np.isfinite(np.delete(dst, [30, 31])).all()
    clean_pressure = pressure.copy()
    clean_pressure[30:32] = 2.0
    np.testing.assert_array_equal(dst_response(model, HOUR, speed, bz, clean_pressure, -60.0)[1], dst_star)
    # After the gap the run is the one restarted from the state at the gap's end.
    _, restarted = dst_response(model, HOUR, speed[21:], bz[21:], pressure[21:], dst_star[20])
    np.testing.assert_allclose(dst_star[21:], restarted, rtol=1e-14)
    # The twin follows the same rule.
    dst_ref, dst_star_ref = dst_response_reference(model, HOUR, speed, bz, pressure, -60.0)
    np.testing.assert_allclose(dst_star, dst_star_ref, rtol=1e-12)
    np.testing.assert_allclose(dst, dst_ref, rtol=1e-12, atol=1e-10, equal_nan=True)


def test_invalid_inputs_raise():
    ones = np.ones(3)
    with pytest.raises(ValueError):
        dst_response(7, HOUR, ones, ones, ones, 0.0)
    with pytest.raises(ValueError):
        dst_response(BURTON, 0.0, ones, ones, ones, 0.0)
    with pytest.raises(ValueError):
        dst_response(BURTON, HOUR, ones, ones, ones, np.nan)
    with pytest.raises(ValueError):
        dst_response(BURTON, HOUR, ones, np.ones(2), ones, 0.0)


def test_coupling_functions():
    np.testing.assert_allclose(coupling_vbs([400.0, 400.0, 800.0], [5.0, -10.0, -10.0]), [0.0, 4.0, 8.0])
    # Newell: zero for due-north IMF, V^{4/3} B^{2/3} for due south, half-way (sin^{8/3}(pi/4)) for pure By,
    # even in By.
    v, b = 600.0, 9.0
    due_south = v ** (4 / 3) * b ** (2 / 3)
    got = newell_coupling([v, v, v, v], [0.0, 0.0, b, -b], [b, -b, 0.0, 0.0])
    np.testing.assert_allclose(got, [0.0, due_south, due_south * 0.5 ** (4 / 3), due_south * 0.5 ** (4 / 3)],
                               rtol=1e-12, atol=1e-9)
