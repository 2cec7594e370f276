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


def test_quick_subset_meets_the_issue_goal(tmp_path):
    """The small version of `hazsim validate prairie_grass_particles`: 8 runs (3 stable, 5 convective), 40 arcs,
    8000 particles a run. The arc maxima meet issue 3's goal (here FAC2 0.95, MG 1.17, VG 1.10) and the crosswind
    integrals, which only the vertical spread sets, are within a factor of two at nine arcs in ten (here 0.95; 0.68
    over all runs with Hanna's unstable T_w, which gave 0.4-0.5 times Monin-Obukhov's diffusivity)."""
    result = compare.run(tmp_path, quick=True)
    figures = result.figures
    assert result.passed, result.table
    assert figures["FAC2"] >= 0.9 and 0.8 <= figures["MG"] <= 1.25 and figures["VG"] <= 1.5
    assert figures["CWIC_FAC2"] >= 0.9
