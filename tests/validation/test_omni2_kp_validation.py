"""A small version of the ``omni2_kp`` validation: April 2023 (with the 2023-04-23/24 storm)
from the OMNI2 solar wind. It skips, with the reason, when the data are absent. The OMNI2
index parser is also checked on synthetic lines, which needs no data."""

from __future__ import annotations

import numpy as np
import pytest

from sim.io.data import DataUnavailable, dataset_dir

# One OMNI2 hour with Kp*10 = 23 (2+) in word 39, R = 108 in word 40 and Dst = -23 nT in word 41.
LINE = ("2023   1  0 2583 51 52  55  29   5.6   5.0  -8.4 112.8  -1.9   4.6  -0.7   4.6   0.4   0.1"
        "   2.3   1.4   0.7   1.7  111138.   2.4  603.  -1.3  -0.9 0.038  1.68   20295.   0.2   18.   1.6"
        "   2.1 0.004  -0.24   0.76   8.3 23 108   -23 9999 999999.99 99999.99 99999.99 99999.99 99999.99"
        " 99999.99  0   9 147.5 999.9 99999 99999  6.5")


def test_omni2_index_parser_decodes_thirds_and_fills(tmp_path):
    from models.geomagnetic.observed import read_omni2_indices

    words = LINE.split()
    lines = []
    for hour, (kp10, dst) in enumerate([("23", "-23"), ("27", "-30"), ("3", "5"), ("99", "99999")]):
        w = list(words)
        w[2], w[38], w[40] = str(hour), kp10, dst
        lines.append(" ".join(w))
    path = tmp_path / "omni2_test.dat"
    path.write_text("\n".join(lines) + "\n")
    indices = read_omni2_indices(path)
    np.testing.assert_array_equal(indices.time, np.datetime64("2023-01-01T00:00", "s")
                                  + np.arange(4) * np.timedelta64(3600, "s"))
    np.testing.assert_allclose(indices.kp[:3], [7 / 3, 8 / 3, 1 / 3])
    np.testing.assert_array_equal(indices.dst[:3], [-23.0, -30.0, 5.0])
    assert np.isnan(indices.kp[3]) and np.isnan(indices.dst[3])
    path.write_text(LINE[:40] + "\n")
    with pytest.raises(ValueError, match="words"):
        read_omni2_indices(path)


def test_omni2_kp_quick_april_2023_with_the_storm(tmp_path):
    try:
        dataset_dir("geomag/omni2_2023", download=False)
    except DataUnavailable as exc:
        pytest.skip(str(exc))
    from validation.omni2_kp.compare import run

    result = run(out_dir=tmp_path, quick=True)
    f = result.figures
    # A month with a severe storm: the regression tracks the 3-hour index and sees the storm
    # as a severe one (observed Kp 8+).
    assert f["N"] >= 200, result.table
    assert f["r"] > 0.7, result.table
    assert f["RMSE"] < 1.0, result.table
    assert abs(f["bias"]) < 0.5, result.table
    assert f["storm_2023_04_23_24_observed_kp_max"] == pytest.approx(25 / 3), result.table
    assert f["storm_2023_04_23_24_modelled_kp_max"] >= 6.0, result.table
    assert (tmp_path / "omni2_kp.png").is_file()
