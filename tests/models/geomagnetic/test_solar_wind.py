"""Solar-wind drivers: gap filling, the OMNI / OMNI2 / SWMF readers, GSE -> GSM and dipole tilt."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from models.geomagnetic.solar_wind import (
    PROTON_RAM_PRESSURE_NPA,
    SolarWind,
    dipole_tilt_rad,
    fill_gaps,
    gse_to_gsm,
    read_omni2,
    read_omni_hourly_csv,
    read_swmf,
)

OMNI_CSV = "geomag/omni_hourly_1998_2002/omni_1998_2002_hourly.csv"
OMNI2_2023 = "geomag/omni2_2023/omni2_2023.dat"
CARRINGTON = "geomag/synthetic_extreme_scenarios/blake2021_carrington_scenario1.txt"
OMNI2_FILL_LINE = ("2023   1  0 2583 99 99 999 999 999.9 999.9 999.9 999.9 999.9 999.9 999.9 999.9 999.9"
                   " 999.9 999.9 999.9 999.9 999.9 9999999. 999.9 9999. 999.9 999.9 9.999 99.99 9999999."
                   " 999.9 9999. 999.9 999.9 9.999 999.99 999.99 999.9 23 108   -23 9999 999999.99"
                   " 99999.99 99999.99 99999.99 99999.99 99999.99  0   9 147.5 999.9 99999 99999 99.9")


def data_file(relative: str) -> Path:
    root = os.environ.get("HAZSIM_DATA_DIR", "").strip()
    if not root:
        pytest.skip("HAZSIM_DATA_DIR is not set")
    path = Path(root) / relative
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    return path


# --- fill_gaps -------------------------------------------------------------------------


def test_fill_gaps_interpolates_interior_and_holds_edges():
    values = np.array([np.nan, np.nan, 2.0, np.nan, np.nan, np.nan, 10.0, 7.0, np.nan])
    filled, was_filled = fill_gaps(values)
    np.testing.assert_array_equal(filled, [2.0, 2.0, 2.0, 4.0, 6.0, 8.0, 10.0, 7.0, 7.0])
    np.testing.assert_array_equal(was_filled, np.isnan(values))
    assert np.isnan(values).sum() == 6  # the input is not modified


def test_fill_gaps_leaves_complete_and_all_nan_series():
    complete = np.array([1.0, -2.0, 3.0])
    filled, was_filled = fill_gaps(complete)
    np.testing.assert_array_equal(filled, complete)
    assert not was_filled.any()
    filled, was_filled = fill_gaps(np.full(4, np.nan))
    assert np.isnan(filled).all() and was_filled.all()


# --- OMNI hourly CSV -------------------------------------------------------------------


def test_read_omni_hourly_csv_real_file():
    path = data_file(OMNI_CSV)
    wind = read_omni_hourly_csv(path)
    with path.open() as handle:
        rows = list(csv.DictReader(handle))

    assert len(wind) == len(rows) == 43824
    assert wind.cadence_s == 3600.0
    assert np.all(np.diff(wind.time) == np.timedelta64(3600, "s"))
    assert wind.time[0] == np.datetime64("1998-01-01T00:00:00")
    assert wind.time[-1] == np.datetime64("2002-12-31T23:00:00")
    assert (wind.b_total[0], wind.bz_gsm[0], wind.density[0], wind.speed[0]) == (3.1, 2.2, 7.7, 366.0)
    assert wind.missing == ("bx_gsm", "by_gsm", "temperature")
    assert np.isnan(wind.by_gsm).all() and wind.filled["by_gsm"].all()

    for column, name in (("b", "b_total"), ("bz", "bz_gsm"), ("n", "density"), ("v", "speed")):
        empty = np.array([row[column].strip() == "" for row in rows])
        np.testing.assert_array_equal(wind.filled[name], empty)
        assert not np.isnan(getattr(wind, name)).any()
    assert wind.filled["density"].sum() == 469 and wind.filled["speed"].sum() == 84

    np.testing.assert_allclose(wind.pressure, PROTON_RAM_PRESSURE_NPA * wind.density * wind.speed**2)
    np.testing.assert_array_equal(wind.filled["pressure"], wind.filled["density"] | wind.filled["speed"])
    assert wind.valid(["bz_gsm", "speed"]).sum() == np.sum(~(wind.filled["bz_gsm"] | wind.filled["speed"]))
    assert wind.elapsed_s[-1] == 3600.0 * (len(wind) - 1)


def test_omni_hourly_csv_skipped_rows_become_flagged_gaps(tmp_path):
    path = tmp_path / "omni.csv"
    path.write_text("ts,b,bz,n,v,f10,dst\n"
                    "2001-03-31 00:00:00+00:00,10.0,-4.0,5.0,400.0,200.0,-20\n"
                    "2001-03-31 01:00:00+00:00,,-6.0,5.0,400.0,200.0,-40\n"
                    "2001-03-31 03:00:00+00:00,16.0,-10.0,,500.0,200.0,-80\n"
                    "2001-03-31 04:00:00+00:00,12.0,-8.0,9.0,500.0,200.0,-90\n")
    wind = read_omni_hourly_csv(path)
    assert len(wind) == 5  # 02:00 was absent from the file
    np.testing.assert_array_equal(wind.bz_gsm, [-4.0, -6.0, -8.0, -10.0, -8.0])
    np.testing.assert_array_equal(wind.filled["bz_gsm"], [False, False, True, False, False])
    np.testing.assert_array_equal(wind.b_total, [10.0, 12.0, 14.0, 16.0, 12.0])
    np.testing.assert_allclose(wind.density, [5.0, 5.0, 19.0 / 3.0, 23.0 / 3.0, 9.0])
    np.testing.assert_array_equal(wind.filled["pressure"], [False, False, True, True, False])
    np.testing.assert_array_equal(wind.valid("speed"), [True, True, False, True, True])


# --- OMNI2 -----------------------------------------------------------------------------


def test_read_omni2_real_file():
    path = data_file(OMNI2_2023)
    wind = read_omni2(path)
    words = np.loadtxt(path)

    assert len(wind) == 8760 and wind.cadence_s == 3600.0
    assert wind.time[0] == np.datetime64("2023-01-01T00:00:00")
    assert wind.time[-1] == np.datetime64("2023-12-31T23:00:00")
    assert wind.missing == ()
    # first line: <|B|> 5.6, Bx -1.9, By GSM 4.6, Bz GSM 0.4, T 111138, n 2.4, V 603, P 1.68
    first = [getattr(wind, name)[0] for name in
             ("b_total", "bx_gsm", "by_gsm", "bz_gsm", "temperature", "density", "speed", "pressure")]
    assert first == [5.6, -1.9, 4.6, 0.4, 111138.0, 2.4, 603.0, 1.68]

    for name, word, fill in (("bz_gsm", 17, 999.9), ("speed", 25, 9999.0), ("temperature", 23, 9999999.0)):
        was_fill = words[:, word - 1] == fill
        assert was_fill.any()
        np.testing.assert_array_equal(wind.filled[name], was_fill)
        values = getattr(wind, name)
        assert not np.isnan(values).any() and values.max() < fill

    # G4 storm of 2023-04-23/24: measured Bz GSM reached -32.4 nT at 02 UT on the 24th.
    storm = (wind.time >= np.datetime64("2023-04-23T12:00")) & (wind.time < np.datetime64("2023-04-25T00:00"))
    deepest = np.flatnonzero(storm)[np.argmin(wind.bz_gsm[storm])]
    assert wind.bz_gsm[deepest] < -25.0 and not wind.filled["bz_gsm"][deepest]
    assert wind.time[deepest].astype("datetime64[D]") == np.datetime64("2023-04-24")


def test_gse_to_gsm_reproduces_omni2_gsm_columns():
    """OMNI2 carries By, Bz in both GSE (words 14, 15) and GSM (16, 17): rotating the GSE pair
    at mid-hour must give OMNI's GSM pair to its 0.1 nT rounding."""
    words = np.loadtxt(data_file(OMNI2_2023))
    measured = words[:, 13] != 999.9
    hours = (words[measured, 1] - 1) * 24 + words[measured, 2]
    mid_hour = np.datetime64("2023-01-01T00:30:00") + (hours * 3600).astype(np.int64) * np.timedelta64(1, "s")
    by_gsm, bz_gsm = gse_to_gsm(mid_hour, words[measured, 13], words[measured, 14])
    error = np.hypot(by_gsm - words[measured, 15], bz_gsm - words[measured, 16])
    assert error.max() < 0.1


# --- SWMF ------------------------------------------------------------------------------

SWMF_TEXT = """Synthetic test driver
#COORDINATES
GSM

#START
2015 03 17 04 00 00 000   1.0   2.0  -3.0  -400.0  30.0  0.0   5.0  1.0e5  shock ahead
2015 03 17 04 01 00 000   1.0   2.0  -5.0  -400.0   0.0 40.0   6.0  1.0e5
2015 03 17 04 03 00 000   3.0   6.0 -10.0  -700.0   0.0  0.0  20.0  5.0e5
2015 03 17 04 04 00 000   3.0   6.0 -12.0  -800.0   0.0  0.0  10.0  5.0e5
"""


def test_read_swmf_synthetic(tmp_path):
    path = tmp_path / "IMF.dat"
    path.write_text(SWMF_TEXT)
    wind = read_swmf(path)
    assert wind.cadence_s == 60.0 and len(wind) == 5
    assert wind.time[0] == np.datetime64("2015-03-17T04:00:00")
    # 04:02 lies between rows: linear resampling, as BATS-R-US would interpolate.
    np.testing.assert_allclose(wind.bz_gsm, [-3.0, -5.0, -7.5, -10.0, -12.0])
    np.testing.assert_allclose(wind.speed[:2], [np.hypot(400.0, 30.0), np.hypot(400.0, 40.0)])
    np.testing.assert_allclose(wind.b_total[0], np.sqrt(1.0 + 4.0 + 9.0))
    np.testing.assert_allclose(wind.pressure, PROTON_RAM_PRESSURE_NPA * wind.density * wind.speed**2)
    assert wind.missing == () and not any(flags.any() for flags in wind.filled.values())


def test_read_swmf_gse_input_is_rotated(tmp_path):
    path = tmp_path / "IMF_gse.dat"
    path.write_text(SWMF_TEXT.replace("GSM", "GSE"))
    wind = read_swmf(path)
    by_gsm, bz_gsm = gse_to_gsm(wind.time[[0, 1]], [2.0, 2.0], [-3.0, -5.0])
    np.testing.assert_allclose(wind.by_gsm[:2], by_gsm)
    np.testing.assert_allclose(wind.bz_gsm[:2], bz_gsm)


def test_read_swmf_carrington_scenario():
    wind = read_swmf(data_file(CARRINGTON))
    assert wind.cadence_s == 60.0 and len(wind) == 720
    assert wind.speed.max() > 2000.0
    assert wind.bz_gsm.min() < -100.0
    assert wind.missing == ()


# --- dipole tilt and GSE -> GSM ---------------------------------------------------------


def test_gse_to_gsm_preserves_yz_magnitude():
    rng = np.random.default_rng(7)
    time = np.datetime64("2003-10-29T06:00") + rng.integers(0, 10 * 365 * 86400, 500) * np.timedelta64(1, "s")
    by_gse, bz_gse = rng.normal(0.0, 20.0, 500), rng.normal(0.0, 20.0, 500)
    by_gsm, bz_gsm = gse_to_gsm(time, by_gse, bz_gse)
    np.testing.assert_allclose(np.hypot(by_gsm, bz_gsm), np.hypot(by_gse, bz_gse), rtol=1e-12)
    assert not np.allclose(bz_gsm, bz_gse)


def test_dipole_tilt_yearly_and_daily_cycle():
    time = np.arange(np.datetime64("2023-01-01T00:00"), np.datetime64("2024-01-01T00:00"), np.timedelta64(1, "h"))
    tilt = np.degrees(dipole_tilt_rad(time))
    assert tilt.shape == time.shape
    # Extremes are the solar declination (23.44) plus the dipole colatitude (~9.3 in 2023).
    assert np.abs(tilt).max() <= 35.0
    warmest, coldest = time[np.argmax(tilt)], time[np.argmin(tilt)]
    assert 32.0 < tilt.max() < 34.0 and -34.0 < tilt.min() < -32.0
    assert abs((warmest - np.datetime64("2023-06-21T17:00")) / np.timedelta64(1, "D")) < 3
    assert abs((coldest - np.datetime64("2023-12-22T05:00")) / np.timedelta64(1, "D")) < 3
    # Daily swing of about twice the dipole colatitude on the solstice.
    june21 = tilt[(time >= np.datetime64("2023-06-21")) & (time < np.datetime64("2023-06-22"))]
    assert 15.0 < june21.max() - june21.min() < 21.0
    # Equinox: the tilt swings about zero.
    march20 = tilt[(time >= np.datetime64("2023-03-20")) & (time < np.datetime64("2023-03-21"))]
    assert march20.max() > 8.0 and march20.min() < -8.0


def test_dipole_tilt_larger_in_earlier_epochs():
    """The geomagnetic pole drifted poleward, so the largest tilt fell from ~34.9 deg (1965)."""
    def extreme(year: int) -> float:
        time = np.arange(np.datetime64(f"{year}-06-19"), np.datetime64(f"{year}-06-24"), np.timedelta64(10, "m"))
        return float(np.degrees(dipole_tilt_rad(time)).max())
    assert 34.3 < extreme(1965) < 35.3
    assert extreme(1965) > extreme(1998) > extreme(2023)


# --- malformed input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "name", "text", "problem"),
    [
        (read_omni_hourly_csv, "bad_header.csv", "time,b,bz\n2001-01-01 00:00:00,1,2\n", "missing columns"),
        (read_omni_hourly_csv, "bad_number.csv",
         "ts,b,bz,n,v,f10,dst\n2001-01-01 00:00:00+00:00,1,x,3,4,5,6\n2001-01-01 01:00:00+00:00,1,2,3,4,5,6\n",
         "non-numeric"),
        (read_omni_hourly_csv, "bad_time.csv",
         "ts,b,bz,n,v,f10,dst\nyesterday,1,2,3,4,5,6\n2001-01-01 01:00:00+00:00,1,2,3,4,5,6\n", "timestamp"),
        (read_omni_hourly_csv, "backwards.csv",
         "ts,b,bz,n,v,f10,dst\n2001-01-01 01:00:00+00:00,1,2,3,4,5,6\n2001-01-01 00:00:00+00:00,1,2,3,4,5,6\n",
         "not strictly increasing"),
        (read_omni_hourly_csv, "one_row.csv", "ts,b,bz,n,v,f10,dst\n2001-01-01 01:00:00+00:00,1,2,3,4,5,6\n",
         "at least two"),
        (read_omni2, "short.dat", "2023 1 0 2583 51 52\n", "words"),
        (read_omni2, "bad_day.dat", OMNI2_FILL_LINE.replace("2023   1  0", "2023 400  0") + "\n", "impossible date"),
        (read_swmf, "no_start.dat", "2015 03 21 00 00 00 000 0 0 -5 -350 0 0 5 150000\n", "#START"),
        (read_swmf, "short_row.dat", "#START\n2015 03 21 00 00 00 000 0 0 -5 -350 0 0 5\n", "line 2"),
        (read_swmf, "text_row.dat", "#START\n2015 03 21 00 00 00 000 0 0 -5 -350 0 0 five 150000\n",
         "non-numeric"),
        (read_swmf, "hgi.dat", "#COORDINATES\nHGI\n#START\n2015 03 21 00 00 00 000 0 0 -5 -350 0 0 5 1e5\n",
         "not supported"),
    ],
)
def test_malformed_files_raise_value_error_naming_the_file(tmp_path, reader, name, text, problem):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ValueError) as raised:
        reader(path)
    message = str(raised.value)
    assert name in message and problem in message and "\n" not in message


def test_omni2_fill_values_are_flagged(tmp_path):
    second = OMNI2_FILL_LINE.replace("2023   1  0", "2023   1  1").replace(" 999.9 999.9 999.9 999.9 999.9 999.9 999.9"
                                                                          " 999.9 999.9", " 6.0 5.0 1.0 1.0 -1.9 4.6"
                                                                          " -0.7 4.6 -3.0", 1)
    path = tmp_path / "omni2_fill.dat"
    path.write_text(OMNI2_FILL_LINE + "\n" + second + "\n")
    wind = read_omni2(path)
    assert len(wind) == 2
    np.testing.assert_array_equal(wind.bz_gsm, [-3.0, -3.0])  # leading gap takes the nearest value
    np.testing.assert_array_equal(wind.filled["bz_gsm"], [True, False])
    assert "speed" in wind.missing and np.isnan(wind.speed).all()
    assert "pressure" in wind.missing and np.isnan(wind.pressure).all()


def test_solar_wind_rejects_uneven_time():
    time = np.array(["2001-01-01T00:00", "2001-01-01T01:00", "2001-01-01T03:00"], dtype="datetime64[s]")
    arrays = {name: np.zeros(3) for name in ("bx_gsm", "by_gsm", "bz_gsm", "b_total", "speed", "density",
                                             "temperature", "pressure")}
    with pytest.raises(ValueError, match="not uniform"):
        SolarWind(time=time, cadence_s=3600.0, filled={name: np.zeros(3, bool) for name in arrays}, **arrays)
