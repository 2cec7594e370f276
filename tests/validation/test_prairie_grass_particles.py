"""Prairie Grass with the particle model, small: the flux-plane estimate and a few runs' arcs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import solve_banded

from models.gas_dispersion import turbulence as tb
from validation.prairie_grass.data import Meteorology
from validation.prairie_grass_particles import compare

SOURCE_HEIGHT_M = 0.46  # Prairie Grass's release


def test_flux_plane_estimate_is_the_crosswind_integral_of_a_known_plume():
    """Crossings of a plane by particles of a steady source: with every particle crossing once at speed U,
    the crosswind integral at the ground is Q / (U sigma_z) * 2 phi(0), the Gaussian's (with its image)."""
    rng = np.random.default_rng(0)
    n, emission_g_s, speed, sigma_z = 200_000, 10.0, 4.0, 3.0
    y = rng.normal(0.0, 5.0, n)
    z = np.abs(rng.normal(0.0, sigma_z, n))
    case = compare.load_case()
    _, cwic = compare.arc_estimates(y, z, np.full(n, 1.0 / speed), np.ones(n), emission_g_s, n, case)
    expected = emission_g_s * 1e3 / speed * 2.0 * math.exp(-1.5**2 / (2 * sigma_z**2)) / (math.sqrt(2 * math.pi)
                                                                                         * sigma_z)
    assert cwic == pytest.approx(expected, rel=0.03)
    # a crossing counts with the share of its mass the particle still carries (dry deposition)
    peak, _ = compare.arc_estimates(y, z, np.full(n, 1.0 / speed), np.ones(n), emission_g_s, n, case)
    half = compare.arc_estimates(y, z, np.full(n, 1.0 / speed), np.full(n, 0.5), emission_g_s, n, case)
    assert half == pytest.approx((0.5 * peak, 0.5 * cwic), rel=1e-12)


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
    for label in ("stable", "unstable"):  # each class scored and printed on its own
        assert 0.0 < figures[f"FAC2_{label}"] <= 1.0 and f"{label} runs:" in result.table


def particle_mean_heights(met, arcs, seed):
    """Concentration-weighted mean plume height (m) at each arc of 8000 particles from Prairie Grass's source in
    ``met``'s atmosphere, all turbulence from similarity; and the case that ran them."""
    case = compare.load_case()
    case["model"]["lateral"] = "similarity"
    found = compare.crossings(met, SOURCE_HEIGHT_M, arcs, case, 8000, seed)
    heights = {}
    for arc in arcs:
        _, z, inverse_speed, _ = found[arc]
        heights[arc] = float((z * inverse_speed).sum() / inverse_speed.sum())
    return heights, case


def van_ulden_mean_height(L, z0, x_end, source_m=SOURCE_HEIGHT_M, dx=0.05):
    """Mean plume height of a near-ground source in the surface layer, van Ulden (1978, *Atmos. Environ.* 12,
    2125): dz/dx = k^2 / ((ln(c z / z0) - psi_m(c z / L)) phi_h(p z / L)), c = 0.6, p = 1.55, phi_h = (1 - 16
    z/L)^(-1/2) when unstable: the K-theory relation that reproduces Prairie Grass's crosswind integrals."""
    z, x = source_m, 0.0
    while x < x_end:
        phi_h = (1.0 - 16.0 * 1.55 * z / L) ** -0.5
        z += 0.4**2 * dx / ((math.log(0.6 * z / z0) - float(tb.psi_m(0.6 * z / L))) * phi_h)
        x += dx
    return z


@pytest.mark.parametrize("obukhov_length_m", [-30.0, -200.0])
def test_convective_plume_deepens_as_surface_layer_similarity_says(obukhov_length_m):
    """With Monin-Obukhov's diffusivity near the ground (turbulence.py) the particles' mean plume height
    (concentration-weighted, flux-plane estimate) follows van Ulden's (1978) similarity relation within 15 % at
    50-200 m, while the plume is in the surface layer: here 0.92-1.01 times it, and 0.47-0.65 times it with Hanna's
    surface-layer T_w (half Monin-Obukhov's K), which made Prairie Grass's crosswind integrals 2-3 times too high."""
    met = Meteorology(0, obukhov_length_m, 0.4, 1000.0, 180.0, 10.0, 5.0)
    modelled, case = particle_mean_heights(met, [50.0, 100.0, 200.0], seed=3)
    for arc, height in modelled.items():
        expected = van_ulden_mean_height(obukhov_length_m, case["model"]["roughness_length_m"], arc)
        assert height == pytest.approx(expected, rel=0.15), (arc, height, expected)


def k_theory_mean_heights(table, source_m, arcs, depth_m=150.0, dz=0.05, dx=0.25):
    """Mean plume heights at the arcs of a continuous near-ground source by K-theory, U(z) dC/dx = d/dz(K dC/dz),
    with the table's wind and the particles' own far-field diffusivity K = sigma_w^2 T_w (Taylor 1921), zero flux
    at the ground and at depth_m: implicit (backward Euler) marching in x on a uniform grid."""
    nz = int(round(depth_m / dz))
    z_centre, z_face = (np.arange(nz) + 0.5) * dz, np.arange(nz + 1) * dz
    speed = tb.table_lookup(table, np.maximum(z_centre, table.z_lo))[:, tb.COL_U]
    faces = tb.table_lookup(table, np.maximum(z_face, table.z_lo))
    diffusivity = faces[:, tb.COL_SIGMA_W] ** 2 * faces[:, tb.COL_T_W]
    diffusivity[0] = diffusivity[-1] = 0.0
    below, above = diffusivity[:-1] / dz**2, diffusivity[1:] / dz**2
    bands = np.zeros((3, nz))
    bands[1] = speed / dx + below + above
    bands[0, 1:] = -above[:-1]
    bands[2, :-1] = -below[1:]
    concentration = np.exp(-0.5 * ((z_centre - source_m) / 0.1) ** 2)
    heights, x = {}, 0.0
    for arc in sorted(arcs):
        while x < arc - 1e-9:
            concentration = solve_banded((1, 1), bands, speed * concentration / dx)
            x += dx
        heights[arc] = float((z_centre * concentration).sum() / concentration.sum())
    return heights


@pytest.mark.parametrize("obukhov_length_m, friction_velocity_m_s", [(50.0, 0.25), (-30.0, 0.4)])
def test_plume_depth_is_the_diffusion_limit_of_the_particles(obukhov_length_m, friction_velocity_m_s):
    """Far from the source (travel times >> T_w) a Langevin model diffuses like K = sigma_w^2 T_w: the particles'
    mean plume height of a source at 0.46 m matches the K-theory solution with that K and the same wind within 10 %
    at 50-200 m, stable (L = 50 m) and convective (L = -30 m) (here 0.94-0.96 and 1.00-1.04)."""
    mixing_height = 1000.0 if obukhov_length_m < 0 else None
    met = Meteorology(0, obukhov_length_m, friction_velocity_m_s, mixing_height, 180.0, 10.0, 4.5)
    modelled, case = particle_mean_heights(met, [50.0, 100.0, 200.0], seed=5)
    expected = k_theory_mean_heights(compare.run_table(met, case), SOURCE_HEIGHT_M, list(modelled))
    for arc, height in modelled.items():
        assert height == pytest.approx(expected[arc], rel=0.10), (arc, height, expected[arc])
