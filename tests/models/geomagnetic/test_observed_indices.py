"""Readers of the measured indices: the Kyoto WDC Dst format and GFZ Kp, checked on values
that the data's provenance states, and on malformed input."""

from __future__ import annotations

import re

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


# OMNI HRO 1-min record (SPDF hroformat.txt), its Fortran format, words 5-46 of a quiet minute.
HRO_FORMAT = "2I4,4I3,3I4,2I7,F6.2,I7,8F8.2,4F8.1,F7.2,F9.0,F6.2,2F7.2,F6.1,6F8.2,7I6,F7.2,F5.1"
HRO_WORDS = [51, 52, 9, 10, 0, 2700, 30, 0.05, 60, 5.0, 1.0, 2.0, 1.0, 2.1, 0.8, 0.3, 0.5,
             400.0, -399.0, 5.0, 2.0, 5.0, 80000.0, 1.34, 0.4, 1.1, 9.0, 221.0, -10.0, 20.0,
             11.0, 0.5, -0.2, 400, -300, 100, 5, -50, 20, 30, 2.5, 6.0]


def hro_line(year, day, hour, minute, **words) -> str:
    """An HRO line in SPDF's fixed-width layout; ``words`` sets words by 1-based number (w38=...)."""
    values = [year, day, hour, minute, *HRO_WORDS]
    for key, value in words.items():
        values[int(key[1:]) - 1] = value
    fields = []
    for count, kind, width, decimals in re.findall(r"(\d*)([IF])(\d+)(?:\.(\d+))?", HRO_FORMAT):
        fields += [(int(width), kind, int(decimals or 0))] * int(count or 1)
    assert len(fields) == len(values) == 46
    text = "".join(f"{int(v):{w}d}" if kind == "I" else (f"{v:.0f}." if d == 0 else f"{v:.{d}f}").rjust(w)
                   for v, (w, kind, d) in zip(values, fields))
    assert len(text) == sum(w for w, _, _ in fields)  # every value fits its field
    return text + "\n"


def test_omni_hro_indices_on_the_file_records_with_nan_for_fills(tmp_path):
    from models.geomagnetic.observed import read_omni_hro_indices

    path = tmp_path / "omni_min201503.asc"
    path.write_text(hro_line(2015, 76, 23, 58, w42=-234)
                    + hro_line(2015, 76, 23, 59, w38=99999, w39=99999, w40=99999, w42=99999)
                    + hro_line(2015, 77, 0, 1, w38=1650, w39=-1200, w40=450, w41=12, w42=-228))
    indices = read_omni_hro_indices(path)
    # The file's own records (the absent 00:00 is not inserted), times at the minute's start.
    np.testing.assert_array_equal(indices.time, np.array(["2015-03-17T23:58", "2015-03-17T23:59",
                                                          "2015-03-18T00:01"], dtype="datetime64[s]"))
    np.testing.assert_array_equal(indices.sym_h, [-234.0, np.nan, -228.0])  # word 42, not SYM/D (41)
    np.testing.assert_array_equal(indices.ae, [400.0, np.nan, 1650.0])
    np.testing.assert_array_equal(indices.al, [-300.0, np.nan, -1200.0])
    np.testing.assert_array_equal(indices.au, [100.0, np.nan, 450.0])


def test_omni_hro_indices_refuse_a_short_line_naming_file_and_line(tmp_path):
    from models.geomagnetic.observed import read_omni_hro_indices

    path = tmp_path / "omni_min201503.asc"
    path.write_text(hro_line(2015, 76, 0, 0) + hro_line(2015, 76, 0, 1).rsplit(maxsplit=1)[0] + "\n")
    with pytest.raises(ValueError, match=r"omni_min201503\.asc: line 2 has 45 words"):
        read_omni_hro_indices(path)
