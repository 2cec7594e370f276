"""GIC by the Lehtinen-Pirjola method (Lehtinen & Pirjola 1985; Boteler & Pirjola 2014, 2017):
closed-form small networks, current conservation, linearity, floating nodes and blocked branches,
the line-extent formulas, time-series vectorisation, and the Horton et al. (2012) test case."""

from __future__ import annotations

import numpy as np
import pytest

from models.geomagnetic.gic import (EARTH_RADIUS_KM, HORTON_2012_GIC_A, GICNetwork, horton_2012_network,
                                    line_extent_km, three_phase_resistance, uniform_field_emf)


def two_node_network(r_line=3.0, r_e1=0.5, r_e2=1.5):
    return GICNetwork([r_e1, r_e2], [0], [1], [r_line])


def test_single_line_closed_form():
    # The EMF drives I = V / (R_line + R_e1 + R_e2) round the loop line -> earth.
    r_line, r_e1, r_e2, emf = 3.0, 0.5, 1.5, 100.0
    solution = two_node_network(r_line, r_e1, r_e2).solve([emf])
    current = emf / (r_line + r_e1 + r_e2)
    np.testing.assert_allclose(solution.branch_gic_A, [current])
    # Current flows along the line from node 0 to node 1, into the earth at 1, out at 0.
    np.testing.assert_allclose(solution.ground_gic_A, [-current, current])
    np.testing.assert_allclose(solution.node_voltage_V, [-current * r_e1, current * r_e2])


def test_reversed_branch_direction_gives_same_physics():
    forward = GICNetwork([0.5, 1.5], [0], [1], [3.0]).solve([100.0])
    backward = GICNetwork([0.5, 1.5], [1], [0], [3.0]).solve([-100.0])
    np.testing.assert_allclose(forward.ground_gic_A, backward.ground_gic_A)
    np.testing.assert_allclose(forward.branch_gic_A, -backward.branch_gic_A)


def test_parallel_lines_halve_resistance():
    two_lines = GICNetwork([0.2, 0.2], [0, 0], [1, 1], [4.0, 4.0]).solve([50.0, 50.0])
    one_line = GICNetwork([0.2, 0.2], [0], [1], [2.0]).solve([50.0])
    np.testing.assert_allclose(two_lines.ground_gic_A, one_line.ground_gic_A)
    np.testing.assert_allclose(two_lines.branch_gic_A, one_line.branch_gic_A[0] / 2)


def test_symmetric_chain_middle_node_carries_nothing():
    # Three equally grounded nodes on a straight north-south chain in a uniform field: by
    # symmetry the middle node sits at zero voltage; each end carries the same current.
    network = GICNetwork([0.5, 0.5, 0.5], [0, 1], [1, 2], [2.0, 2.0])
    solution = network.solve([10.0, 10.0])
    np.testing.assert_allclose(solution.ground_gic_A[1], 0.0, atol=1e-12)
    np.testing.assert_allclose(solution.ground_gic_A[0], -solution.ground_gic_A[2])
    # Loop: 2 EMFs over 2 lines and 2 end earthings.
    np.testing.assert_allclose(solution.ground_gic_A[2], 20.0 / (2 * 2.0 + 2 * 0.5))


def test_symmetric_star_shares_current_equally():
    # Hub 0 tied to three identical spokes carrying equal EMF towards the hub.
    network = GICNetwork([0.1, 1.0, 1.0, 1.0], [1, 2, 3], [0, 0, 0], [2.0, 2.0, 2.0])
    solution = network.solve([30.0, 30.0, 30.0])
    spokes = solution.ground_gic_A[1:]
    np.testing.assert_allclose(spokes, spokes[0])
    np.testing.assert_allclose(solution.ground_gic_A[0], -spokes.sum())
    # Each spoke: U_hub = 0.1 * 3 I, and I (2 + 1) + 0.3 I = 30.
    np.testing.assert_allclose(solution.branch_gic_A, 30.0 / 3.3)


def test_ground_currents_sum_to_zero_and_kirchhoff_at_nodes():
    rng = np.random.default_rng(1)
    n_nodes = 7
    branch_from = np.array([0, 1, 2, 3, 4, 5, 0, 2, 1])
    branch_to = np.array([1, 2, 3, 4, 5, 6, 3, 6, 5])
    network = GICNetwork(rng.uniform(0.1, 2.0, n_nodes), branch_from, branch_to, rng.uniform(0.5, 5.0, 9))
    emf = rng.normal(0, 50, (20, 9))
    solution = network.solve(emf)
    np.testing.assert_allclose(solution.ground_gic_A.sum(axis=-1), 0.0, atol=1e-10)
    # What the branches bring into a node leaves it through its earthing.
    into_node = solution.branch_gic_A @ network.incidence
    np.testing.assert_allclose(into_node, solution.ground_gic_A, atol=1e-10)
    np.testing.assert_allclose(solution.node_voltage_V, solution.ground_gic_A * network.earthing_resistance_ohm)


def test_gic_is_linear_in_field():
    horton = horton_2012_network()
    north = horton.substation_gic_A(1.0, 0.0)
    east = horton.substation_gic_A(0.0, 1.0)
    combined = horton.substation_gic_A(-2.5, 0.7)
    np.testing.assert_allclose(combined, -2.5 * north + 0.7 * east, atol=1e-9)


def test_floating_node_carries_no_ground_current():
    # Node 1 floats (R_e = inf) between two grounded nodes: it passes current straight through.
    network = GICNetwork([0.5, np.inf, 1.5], [0, 1], [1, 2], [1.0, 2.0])
    solution = network.solve([40.0, 20.0])
    assert solution.ground_gic_A[1] == 0.0
    current = 60.0 / (0.5 + 1.0 + 2.0 + 1.5)
    np.testing.assert_allclose(solution.branch_gic_A, [current, current])
    np.testing.assert_allclose(solution.ground_gic_A[[0, 2]], [-current, current])
    assert np.isfinite(solution.node_voltage_V).all()


def test_floating_node_matches_large_resistance_limit():
    exact = GICNetwork([0.3, np.inf, 0.7, 0.2], [0, 1, 2, 1], [1, 2, 3, 3], [1.0, 2.0, 3.0, 1.5])
    approx = GICNetwork([0.3, 1e9, 0.7, 0.2], [0, 1, 2, 1], [1, 2, 3, 3], [1.0, 2.0, 3.0, 1.5])
    emf = [10.0, -4.0, 7.0, 3.0]
    np.testing.assert_allclose(exact.solve(emf).ground_gic_A, approx.solve(emf).ground_gic_A, atol=1e-6)


def test_blocked_branch_carries_nothing():
    network = GICNetwork([0.5, 0.5, 0.5], [0, 1], [1, 2], [1.0, np.inf])
    solution = network.solve([10.0, 999.0])
    assert solution.branch_gic_A[1] == 0.0
    assert solution.ground_gic_A[2] == 0.0
    np.testing.assert_allclose(solution.branch_gic_A[0], 10.0 / 2.0)


def test_ungrounded_island_is_rejected():
    with pytest.raises(ValueError, match="grounded node"):
        GICNetwork([0.5, 0.5, np.inf, np.inf], [0, 2], [1, 3], [1.0, 1.0])


def test_invalid_inputs_are_rejected():
    with pytest.raises(ValueError):
        GICNetwork([0.5, 0.5], [0], [0], [1.0])
    with pytest.raises(ValueError):
        GICNetwork([0.5, 0.5], [0], [2], [1.0])
    with pytest.raises(ValueError):
        GICNetwork([0.5, 0.0], [0], [1], [1.0])
    with pytest.raises(ValueError):
        two_node_network().solve([1.0, 2.0])


def test_time_series_matches_step_by_step():
    network = GICNetwork([0.2, 0.4, np.inf, 0.1], [0, 1, 2, 0], [1, 2, 3, 3], [1.0, 2.0, 1.5, 4.0])
    emf = np.random.default_rng(3).normal(0, 20, (50, 4))
    together = network.solve(emf)
    for step in (0, 17, 49):
        alone = network.solve(emf[step])
        np.testing.assert_allclose(together.ground_gic_A[step], alone.ground_gic_A)
        np.testing.assert_allclose(together.branch_gic_A[step], alone.branch_gic_A)


def test_three_phase_resistance():
    np.testing.assert_allclose(three_phase_resistance([3.0, 4.5]), [1.0, 1.5])


def test_line_extent_formulas():
    # One degree of latitude at the equator: 111.133 - 0.56 = 110.573 km (WGS-84 meridian).
    l_north, l_east = line_extent_km(-0.5, 10.0, 0.5, 10.0)
    np.testing.assert_allclose([l_north, l_east], [110.573, 0.0])
    # One degree of longitude at 60 deg: (111.5065 + 0.1872 / 2) * 0.5 km.
    l_north, l_east = line_extent_km(60.0, 10.0, 60.0, 11.0)
    np.testing.assert_allclose([l_north, l_east], [0.0, (111.5065 + 0.0936) * 0.5])
    l_north, l_east = line_extent_km(60.0, 10.0, 60.0, 11.0, method="spherical")
    np.testing.assert_allclose(l_east, EARTH_RADIUS_KM * np.pi / 180 * 0.5)
    # Reversing a line reverses both extents.
    forward = np.array(line_extent_km(33.6, -87.4, 34.3, -86.4))
    backward = np.array(line_extent_km(34.3, -86.4, 33.6, -87.4))
    np.testing.assert_allclose(forward, -backward)
    with pytest.raises(ValueError):
        line_extent_km(0, 0, 1, 1, method="flat")


def test_uniform_field_emf_shapes_and_values():
    l_north, l_east = np.array([100.0, -50.0]), np.array([20.0, 80.0])
    np.testing.assert_allclose(uniform_field_emf(1.0, 0.0, l_north, l_east), l_north)
    np.testing.assert_allclose(uniform_field_emf(0.0, 2.0, l_north, l_east), 2 * l_east)
    series = uniform_field_emf([1.0, 0.0, 0.5], [0.0, 1.0, 0.5], l_north, l_east)
    assert series.shape == (3, 2)
    np.testing.assert_allclose(series[2], 0.5 * (l_north + l_east))


@pytest.mark.parametrize("direction, field", [("north", (1.0, 0.0)), ("east", (0.0, 1.0))])
def test_horton_2012_substation_gic(direction, field):
    """Published earth GIC of the Horton et al. (2012) test case, 1 V/km uniform field."""
    computed = horton_2012_network().substation_gic_A(*field)
    published = np.array(HORTON_2012_GIC_A[direction])
    np.testing.assert_allclose(computed, published, atol=0.1)


def test_horton_2012_spherical_distances_within_one_percent():
    horton = horton_2012_network(distance_method="spherical")
    for direction, field in (("north", (1.0, 0.0)), ("east", (0.0, 1.0))):
        published = np.array(HORTON_2012_GIC_A[direction])
        computed = horton.substation_gic_A(*field)
        np.testing.assert_allclose(computed, published, rtol=0.01, atol=1.0)


def test_horton_2012_conservation_and_time_series():
    horton = horton_2012_network()
    angle = np.linspace(0, 2 * np.pi, 25)
    gic = horton.substation_gic_A(np.cos(angle), np.sin(angle))
    assert gic.shape == (25, 8)
    np.testing.assert_allclose(gic.sum(axis=-1), 0.0, atol=1e-9)
    # Substation 1 (T1 blocked) and 7 (switching station) carry no earth GIC.
    np.testing.assert_array_equal(gic[:, [0, 6]], 0.0)
