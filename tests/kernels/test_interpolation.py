"""The shared point-sampling kernel: exact on bilinear functions, its NumPy twin, edges."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels.interpolation import bilinear_points, bilinear_points_reference


def sample(field, xs, ys, x0=0.0, y0=0.0, dx=5.0, dy=4.0):
    out = np.empty(len(xs))
    return bilinear_points(np.ascontiguousarray(field), x0, y0, dx, dy, np.asarray(xs, float),
                           np.asarray(ys, float), out)


@pytest.mark.parametrize("shape", [(7, 9), (1, 9), (7, 1), (2, 2)])
def test_kernel_agrees_with_numpy_twin(shape):
    rng = np.random.default_rng(1)
    field = rng.random(shape)
    xs, ys = rng.uniform(-2.0, 50.0, 200), rng.uniform(-2.0, 32.0, 200)
    np.testing.assert_allclose(sample(field, xs, ys, 1.0, -1.0),
                               bilinear_points_reference(field, 1.0, -1.0, 5.0, 4.0, xs, ys), rtol=0, atol=1e-14)


def test_bilinear_functions_are_reproduced_exactly_between_cell_centres():
    # f = a + b x + c y + d x y is in the span of bilinear interpolation.
    ny, nx, dx, dy = 6, 8, 5.0, 4.0
    x = (np.arange(nx) + 0.5) * dx
    y = (np.arange(ny) + 0.5) * dy
    f = lambda X, Y: 2.0 - 0.3 * X + 0.7 * Y + 0.01 * X * Y  # noqa: E731
    field = f(x[None, :], y[:, None])
    rng = np.random.default_rng(2)
    xs, ys = rng.uniform(x[0], x[-1], 500), rng.uniform(y[0], y[-1], 500)
    np.testing.assert_allclose(sample(field, xs, ys), f(xs, ys), rtol=1e-12, atol=1e-12)


def test_points_in_the_outer_half_cell_take_the_edge_value():
    field = np.arange(12.0).reshape(3, 4)
    # Lower-left corner of the grid: the value of cell (0, 0); upper-right: cell (2, 3).
    np.testing.assert_array_equal(sample(field, [0.0, 20.0], [0.0, 12.0]), [0.0, 11.0])
    # Left edge between rows 0 and 1: the mean of their first cells.
    np.testing.assert_allclose(sample(field, [1.0], [4.0]), [(0.0 + 4.0) / 2])
