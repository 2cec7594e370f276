"""Solar-wind drivers: gap filling, the OMNI / OMNI2 / SWMF readers, GSE -> GSM and dipole tilt."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pytest

from models.geomagnetic.solar_wind import (
    PROTON_RAM_PRESSURE_NPA,
    SolarWind,
    dipole_tilt_rad,
    fill_gaps,
    gse_to_gsm,
    hro_missing,
    read_omni2,
    read_omni_hourly_csv,
    read_omni_hro,
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


# --- OMNI high resolution (HRO) ---------------------------------------------------------

# SPDF hroformat.txt: the Fortran format of a 1-min record; a 5-min record has 3F9.2 more
# (proton fluxes > 10, > 30, > 60 MeV).
HRO_FORMAT = "2I4,4I3,3I4,2I7,F6.2,I7,8F8.2,4F8.1,F7.2,F9.0,F6.2,2F7.2,F6.1,6F8.2,7I6,F7.2,F5.1,3F9.2"
# Words 5-49 of a record in a southward-IMF interval (1-4, the time, are set per record).
HRO_WORDS = [51, 52, 9, 10, 0, 2700, 30, 0.05, 60,           # 5-13 IDs, counts, timeshift
             10.0, 2.0, 3.0, -4.0, 4.5, -2.5, 0.5, 1.0,      # 14-21 |B|, Bx, By Bz GSE, By Bz GSM, RMS
             500.0, -499.0, 10.0, -5.0,                      # 22-25 V, Vx Vy Vz GSE
             8.0, 100000.0, 4.0, 1.5, 0.9, 8.0,              # 26-31 n, T, P, E, beta, M_A
             221.0, -10.0, 20.0, 13.0, 1.0, -0.5,            # 32-37 spacecraft and bow-shock nose
             400, -300, 100, 5, -50, 20, 30, 2.5, 6.0,       # 38-46 AE AL AU SYM/D SYM/H ASY/D ASY/H PCN M_ms
             0.5, 0.2, 0.1]                                  # 47-49 proton fluxes (5-min only)
# hroformat.txt fills of the words the readers use.
HRO_FILLS = {14: 9999.99, 15: 9999.99, 16: 9999.99, 17: 9999.99, 18: 9999.99, 19: 9999.99, 22: 99999.9,
             26: 999.99, 27: 9999999.0, 28: 99.99, 38: 99999, 39: 99999, 40: 99999, 42: 99999}


def fortran_fields(descriptor: str) -> list[tuple[int, int | None]]:
    """(width, decimals; None for an integer) of each field of a Fortran format, repeats expanded."""
    fields = []
    for count, kind, width, decimals in re.findall(r"(\d*)([IF])(\d+)(?:\.(\d+))?", descriptor):
        fields += [(int(width), None if kind == "I" else int(decimals))] * int(count or 1)
    return fields


def hro_record(words) -> str:
    """One HRO line as SPDF's Fortran writes it: each word right-justified in its field."""
    texts = []
    for value, (width, decimals) in zip(words, fortran_fields(HRO_FORMAT)):
        if decimals is None:
            text = f"{int(value):{width}d}"
        elif decimals == 0:
            text = f"{value:.0f}.".rjust(width)  # F9.0 writes the point: " 9999999."
        else:
            text = f"{value:{width}.{decimals}f}"
        assert len(text) == width, (value, width)  # Fortran would write asterisks
        texts.append(text)
    return "".join(texts)


def hro_text(minutes, changes=None, start="2015-03-17T00:00", five_min=False) -> str:
    """Records at ``start`` + each of ``minutes``; ``changes[minute] = {word: value}`` (1-based)."""
    lines = []
    for minute in minutes:
        time = np.datetime64(start, "m") + np.timedelta64(minute, "m")
        day_of_year = int((time.astype("datetime64[D]") - time.astype("datetime64[Y]")) // np.timedelta64(1, "D")) + 1
        clock = int((time - time.astype("datetime64[D]")) // np.timedelta64(1, "m"))
        words = [time.astype("datetime64[Y]").astype(int) + 1970, day_of_year, clock // 60, clock % 60, *HRO_WORDS]
        for word, value in (changes or {}).get(minute, {}).items():
            words[word - 1] = value
        lines.append(hro_record(words[:49 if five_min else 46]))
    return "\n".join(lines) + "\n"


def test_hro_fills_are_the_all_nines_of_each_field_and_leave_a_blank_before_every_word():
    """Why blank-splitting reads the fixed-width layout: SPDF's fill is the largest all-nines
    number one character narrower than its field, and no measured value is wider than the fill
    (only the year, I4, fills its field, and it starts the line)."""
    fields = fortran_fields(HRO_FORMAT)
    assert len(fields) == 49
    nines = [float("9" * (w - 1)) if d is None else float("9" * (w - 2 - d) + "." + "9" * d) for w, d in fields]
    assert {word: nines[word - 1] for word in HRO_FILLS} == HRO_FILLS
    for values in (nines, [2015, 76, 0, 0, *HRO_WORDS]):
        line = hro_record(values)
        starts = np.cumsum([0] + [w for w, _ in fields])[:-1]
        assert all(line[i] == " " for i in starts[1:])
        assert [float(word) for word in line.split()] == values


def test_read_omni_hro_fills_become_flagged_gaps_interpolated_inside(tmp_path):
    fill_b = {word: 9999.99 for word in (14, 15, 16, 17, 18, 19)}
    path = tmp_path / "omni_min201503.asc"
    path.write_text(hro_text(range(6), {0: {26: 999.99, 28: 99.99},
                                        2: {**fill_b, 22: 99999.9, 27: 9999999.0},
                                        3: {19: 9999.99, 22: 520.0},
                                        4: {19: -6.5, 22: 540.0}}))
    wind = read_omni_hro(path)
    assert wind.cadence_s == 60.0 and len(wind) == 6 and wind.missing == ()
    assert wind.time[0] == np.datetime64("2015-03-17T00:00:00")
    np.testing.assert_allclose(wind.bz_gsm, [-2.5, -2.5, -2.5 - 4.0 / 3.0, -2.5 - 8.0 / 3.0, -6.5, -2.5])
    np.testing.assert_array_equal(wind.filled["bz_gsm"], [False, False, True, True, False, False])
    np.testing.assert_array_equal(wind.filled["b_total"], [False, False, True, False, False, False])
    np.testing.assert_allclose(wind.speed, [500.0, 500.0, 510.0, 520.0, 540.0, 500.0])
    np.testing.assert_array_equal(wind.filled["speed"], [False, False, True, False, False, False])
    assert wind.filled["temperature"].sum() == 1 and wind.temperature[2] == 100000.0
    # The leading density and pressure fills take the nearest measured value.
    assert wind.density[0] == 8.0 and wind.filled["density"][0] and wind.filled["density"].sum() == 1
    # Pressure is the file's word 28 (4.00 nPa), not m_p n V^2 (3.35 nPa here).
    np.testing.assert_array_equal(wind.pressure, 4.0)
    np.testing.assert_array_equal(wind.filled["pressure"], [True, False, False, False, False, False])
    assert PROTON_RAM_PRESSURE_NPA * 8.0 * 500.0**2 == pytest.approx(3.345, abs=1e-3)


def test_read_omni_hro_skipped_minute_is_inserted_as_a_gap(tmp_path):
    path = tmp_path / "omni_min201503.asc"
    path.write_text(hro_text([0, 1, 3, 4], {3: {18: 6.5, 26: 12.0}}))
    wind = read_omni_hro(path)
    assert len(wind) == 5 and wind.time[2] == np.datetime64("2015-03-17T00:02:00")
    assert all(wind.filled[name].tolist() == [False, False, True, False, False] for name in wind.filled)
    assert wind.by_gsm[2] == pytest.approx(5.5) and wind.density[2] == pytest.approx(10.0)


def test_read_omni_hro_takes_gsm_from_words_18_19_without_rotating(tmp_path):
    path = tmp_path / "omni_min201503.asc"
    path.write_text(hro_text(range(3)))
    wind = read_omni_hro(path)
    np.testing.assert_array_equal(wind.by_gsm, 4.5)  # word 18 (By GSE, word 16, is 3.0)
    np.testing.assert_array_equal(wind.bz_gsm, -2.5)  # word 19 (Bz GSE, word 17, is -4.0)
    np.testing.assert_array_equal(wind.bx_gsm, 2.0)
    np.testing.assert_array_equal(wind.b_total, 10.0)  # word 14, <|B|>
    # Rotating OMNI's GSM pair once more would move Bz by nearly 3 nT at this time.
    by_twice, bz_twice = gse_to_gsm(wind.time, wind.by_gsm, wind.bz_gsm)
    assert np.abs(bz_twice + 2.5).min() > 2.0


@pytest.mark.parametrize(("five_min", "step", "cadence"), [(False, 1, 60.0), (True, 5, 300.0)])
def test_read_omni_hro_1_and_5_min_records_and_their_cadence(tmp_path, five_min, step, cadence):
    path = tmp_path / ("omni_5min201503.asc" if five_min else "omni_min201503.asc")
    text = hro_text(range(0, 6 * step, step), start="2015-03-17T23:50", five_min=five_min)
    assert {len(line.split()) for line in text.splitlines()} == {49 if five_min else 46}
    path.write_text(text)
    wind = read_omni_hro(path)
    assert wind.cadence_s == cadence and len(wind) == 6
    assert wind.time[-1] == np.datetime64("2015-03-17T23:50") + np.timedelta64(5 * step, "m")  # across midnight
    assert wind.missing == () and not any(flags.any() for flags in wind.filled.values())
    assert (wind.b_total[0], wind.bz_gsm[0], wind.speed[0], wind.density[0], wind.temperature[0],
            wind.pressure[0]) == (10.0, -2.5, 500.0, 8.0, 100000.0, 4.0)


def test_hro_missing_compares_magnitudes_to_the_fill():
    values = hro_missing(np.array([-50.0, 99999.0, -99999.0, 99998.0]), 99999)
    np.testing.assert_array_equal(np.isnan(values), [False, True, True, False])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (hro_text([0]) + hro_record([2015, 76, 0, 1, *HRO_WORDS[:41]]) + "\n", "line 2 has 45 words"),
        (hro_text([0]) + hro_text([1], five_min=True), "line 2 has 49 words, the first data line 46"),
        (hro_text([0, 2, 4]), "rows are 120 s apart"),
        (hro_text([0, 1]).replace("2015  76  0  1", "2015  76 24  1"), "impossible date"),
        (hro_text([0]), "at least two"),
    ],
)
def test_malformed_hro_files_raise_value_error_naming_the_file(tmp_path, text, problem):
    path = tmp_path / "omni_min201503.asc"
    path.write_text(text)
    with pytest.raises(ValueError) as raised:
        read_omni_hro(path)
    message = str(raised.value)
    assert "omni_min201503.asc" in message and problem in message and "\n" not in message
