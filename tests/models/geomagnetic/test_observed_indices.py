"""Readers of the measured indices: the Kyoto WDC Dst format and GFZ Kp, checked on values
that the data's provenance states, and on malformed input."""

from __future__ import annotations

import numpy as np
import pytest

from models.geomagnetic.observed import read_dst_wdc, read_kp_gfz, read_omni_csv_dst
from sim.io.data import DataUnavailable, dataset_file


def data(name: str, filename: str):
    try:
        return dataset_file(name, filename, download=False)
    except DataUnavailable as exc:
        pytest.skip(str(exc))


def test_kyoto_dst_2006_2022_has_its_known_storm_minima_and_versions():
    dst = read_dst_wdc(data("geomag/dst_kp_2006_2022", "dst_kyoto_wdc_2006_2022.dat"))
    assert dst.time[0] == np.datetime64("2006-01-01T00:00:00") and dst.time.size == 149016
    assert np.all(np.diff(dst.time) == np.timedelta64(3600, "s"))
    # St Patrick's Day 2015 and September 2017 (Kyoto final), as the data's provenance states.
    assert dst.values[dst.time == np.datetime64("2015-03-17T22:00")][0] == -234
    assert dst.values[dst.time == np.datetime64("2017-09-08T01:00")][0] == -148
    assert np.nanmin(dst.values) == -234
    assert set(dst.between("2006-01-01", "2021-01-01").version) == {"final"}
    assert set(dst.between("2021-01-01", "2023-01-01").version) == {"provisional"}


def test_gfz_kp_is_three_hourly_in_thirds():
    kp = read_kp_gfz(data("geomag/dst_kp_2006_2022", "kp_gfz_2006_2022.csv"))
    assert np.all(np.diff(kp.time) == np.timedelta64(3 * 3600, "s"))
    finite = kp.values[np.isfinite(kp.values)]
    assert finite.min() >= 0 and finite.max() <= 9
    np.testing.assert_allclose(finite * 3, np.round(finite * 3), atol=2e-3)  # thirds: 2- 2o 2+
    assert kp.values[kp.time == np.datetime64("2015-03-17T12:00")][0] == pytest.approx(7.667)  # 8-


def test_omni_csv_dst_matches_kyoto_for_the_great_storms():
    dst = read_omni_csv_dst(data("geomag/omni_hourly_1998_2002", "omni_1998_2002_hourly.csv"))
    assert dst.values[dst.time == np.datetime64("2001-03-31T08:00")][0] == -387
    assert dst.values[dst.time == np.datetime64("2000-07-16T00:00")][0] == -301


def test_malformed_index_files_name_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.dat"
    bad.write_text("DST0601*01  X220   0  -1  -2 xx\n")
    with pytest.raises(ValueError, match=r"bad\.dat: line 1"):
        read_dst_wdc(bad)
    missing = tmp_path / "kp.csv"
    missing.write_text("Date,K_00\n2006-01-01,1\n")
    with pytest.raises(ValueError, match=r"kp\.csv: expected the columns"):
        read_kp_gfz(missing)


def test_symh_benchmark_reproduces_its_published_forecast_error():
    from models.geomagnetic.observed import hourly_means, read_symh_benchmark

    observed, forecast = read_symh_benchmark(data("geomag/symh_storm_benchmark",
                                                  "symh_5min_test_storms_with_1h_forecast.csv"))
    # 36 storms of 5-minute SYM-H: the 1-h-ahead forecast's RMSE is the 7.16 nT it publishes.
    assert np.sqrt(np.mean((observed.values - forecast.values) ** 2)) == pytest.approx(7.16, abs=0.01)
    hourly = hourly_means(observed)
    assert np.all(np.diff(hourly.time) >= np.timedelta64(3600, "s"))
    first = observed.values[(observed.time >= np.datetime64("1998-06-24T00:00")) &
                            (observed.time < np.datetime64("1998-06-24T01:00"))]
    assert hourly.values[0] == pytest.approx(first.mean())
