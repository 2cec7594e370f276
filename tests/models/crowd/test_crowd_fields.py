"""Crowd fields: the Gaussian density counts persons, velocity moments are exact, Fruin levels."""

from __future__ import annotations

import numpy as np
import pytest

from models.crowd.crowd_fields import CUTOFF, fruin_level, gaussian_fields


def _fields(x, y, vx, vy, shape=(80, 100), d=0.1, R=0.5):
    out = [np.empty(shape) for _ in range(4)]
    gaussian_fields(np.asarray(x, float), np.asarray(y, float), np.asarray(vx, float), np.asarray(vy, float),
                    0.0, 0.0, d, d, R, *out)
    return out


def _twin(x, y, vx, vy, shape=(80, 100), d=0.1, R=0.5):
    """Direct two-pass definitions (Helbing et al. 2007), for comparison."""
    ys, xs = (np.arange(shape[0]) + 0.5) * d, (np.arange(shape[1]) + 0.5) * d
    X, Y = np.meshgrid(xs, ys)
    ok = np.isfinite(x)
    d2 = (X[..., None] - x[ok]) ** 2 + (Y[..., None] - y[ok]) ** 2
    w = np.where(d2 <= (CUTOFF * R) ** 2, np.exp(-d2 / R**2) / (np.pi * R**2), 0.0)
    rho = w.sum(-1)
    with np.errstate(invalid="ignore"):
        mx = np.where(rho > 0, (w * vx[ok]).sum(-1) / rho, 0.0)
        my = np.where(rho > 0, (w * vy[ok]).sum(-1) / rho, 0.0)
        var = np.where(rho > 0, (w * ((vx[ok] - mx[..., None]) ** 2 + (vy[ok] - my[..., None]) ** 2)).sum(-1) / rho,
                       0.0)
    return rho, mx, my, var


def test_the_density_integrates_to_the_number_of_persons():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(3.0, 7.0, 25), rng.uniform(2.5, 5.5, 25)
    rho, *_ = _fields(x, y, np.zeros(25), np.zeros(25))
    # a cut-off at 3 R keeps 1 - exp(-9) of each person
    assert rho.sum() * 0.01 == pytest.approx(25 * (1 - np.exp(-9.0)), rel=2e-3)


def test_velocity_moments_match_their_definitions_and_the_twin():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(1.0, 9.0, 40), rng.uniform(1.0, 7.0, 40)
    vx, vy = rng.normal(1.0, 0.4, 40), rng.normal(0.0, 0.4, 40)
    x[3] = np.nan  # an empty slot
    got = _fields(x, y, vx, vy)
    want = _twin(x, y, vx, vy)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_counterflow_has_the_variance_of_the_two_streams_and_a_crowd_pressure():
    # Two persons at the same spot walking at +-1.2 m/s: V = 0, Var = 1.44, P = rho Var.
    rho, mx, my, var = _fields([5.0, 5.0], [4.0, 4.0], [1.2, -1.2], [0.0, 0.0])
    j, i = 40, 50
    assert abs(mx[j, i]) < 1e-12 and var[j, i] == pytest.approx(1.44, rel=1e-12)
    rho, mx, my, var = _fields([5.0, 5.0], [4.0, 4.0], [0.8, 0.8], [0.3, 0.3])
    assert mx[j, i] == pytest.approx(0.8) and my[j, i] == pytest.approx(0.3) and var[j, i] == pytest.approx(0.0)


def test_fruin_levels_follow_the_area_per_person():
    density = 1.0 / np.array([4.0, 3.0, 2.0, 1.0, 0.5, 0.2])
    assert fruin_level(density).tolist() == [0, 1, 2, 3, 4, 5]
