"""Fire behaviour of every cell of a real LANDFIRE landscape against FlamMap 6 (Worcester, VT)."""

from __future__ import annotations

import pytest

from sim.io.data import DataUnavailable, dataset_dir
from validation.flammap_worcester import compare


@pytest.fixture(scope="module")
def result():
    try:
        dataset_dir(compare.INPUTS, download=False)
        dataset_dir(compare.OUTPUTS, download=False)
    except DataUnavailable as exc:
        pytest.skip(str(exc))
    return compare.run()


def test_surface_fire_cells_agree_with_flammap_pixel_by_pixel(result):
    f = result.figures
    # Measured: 95.9 % of 220,846 surface-fire cells within 1 % on spread rate, 98.6 % on flame
    # length, every one within 5 %; the median difference is 7e-6 (float32 rasters).
    assert f["ros_surface_within_1pct"] >= 0.95 and f["ros_surface_within_5pct"] >= 0.999
    assert f["flame_length_surface_within_1pct"] >= 0.98
    assert f["intensity_surface_median_rel"] < 1e-4
    assert f["fire_type_agreement"] >= 0.999
    assert result.passed
