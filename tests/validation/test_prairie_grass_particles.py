"""Prairie Grass with the particle model, small: the flux-plane estimate and a few runs' arcs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from validation.prairie_grass_particles import compare


def test_flux_plane_estimate_is_the_crosswind_integral_of_a_known_plume():
    """Crossings of a plane by particles of a steady source: with every particle crossing once at speed U,
    the crosswind integral at the ground is Q / (U sigma_z) * 2 phi(0), the Gaussian's (with its image)."""
    rng = np.random.default_rng(0)
    n, emission_g_s, speed, sigma_z = 200_000, 10.0, 4.0, 3.0
    y = rng.normal(0.0, 5.0, n)
    z = np.abs(rng.normal(0.0, sigma_z, n))
    case = compare.load_case()
    _, cwic = compare.arc_estimates(y, z, np.full(n, 1.0 / speed), emission_g_s, n, case)
    expected = emission_g_s * 1e3 / speed * 2.0 * math.exp(-1.5**2 / (2 * sigma_z**2)) / (math.sqrt(2 * math.pi)
                                                                                         * sigma_z)
    assert cwic == pytest.approx(expected, rel=0.03)


def test_two_runs_give_finite_arcs_near_the_measurements():
    case = compare.load_case()
    case["case"]["quick_runs"] = [8, 53]
    case["particles"]["quick_count"] = 3000
    records = compare.pairs(case, quick=True)
    assert len(records) == 10
    ratio = np.array([r["predicted"] / r["observed"] for r in records])
    assert np.isfinite(ratio).all() and (ratio > 0.2).all() and (ratio < 5.0).all()
    near = [r for r in records if r["distance_m"] == 50.0]
    assert all(0.5 < r["cwic_predicted"] / r["cwic_observed"] < 2.0 for r in near)
