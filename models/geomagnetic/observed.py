"""Measured geomagnetic indices: readers for the Kyoto Dst exchange format and GFZ Kp.

These are the truths the index models are scored against, so every reader names its index
version and returns NaN, never a fill number, where a value is missing.

- **Dst** (Sugiura 1964; WDC for Geomagnetism, Kyoto): hourly, nT. The WDC exchange format
  has one line per day: ``DST`` in columns 1-3, the two-digit year in 4-5, month in 6-7,
  ``*`` in 8, day in 9-10, the version in 14 (``2`` final, ``1`` provisional, ``0``
  quick-look), the century in 15-16, the base value in 17-20 (units of 100 nT), then 24
  hourly values of 4 characters from column 21 (the hour ending at 01, ..., 24 UT, each the
  mean over that hour) and the daily mean; 9999 is missing. Values are relative to the base.
- **OMNI2** hourly files (King & Papitashvili 2005) carry Kp (word 39) and Dst (word 41).
- **OMNI HRO** 1-min and 5-min files (King & Papitashvili 2005; SPDF ``hroformat.txt``) carry
  the Kyoto AE (word 38), AL (39), AU (40) and SYM/H (42) indices, nT, fill 99999.
- **Kp** (Bartels 1949; GFZ Potsdam, Matzka et al. 2021, Space Weather 19:e2020SW002641):
  3-hourly, in thirds (2- = 1.667, 2o = 2, 2+ = 2.333), one CSV row per day with the eight
  values ``K_00 ... K_21`` of the intervals starting at those hours.

Times are the start of the averaging interval, UTC, as numpy ``datetime64[s]``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np


HOUR = np.timedelta64(3600, "s")
SECOND = np.timedelta64(1, "s")
WDC_MISSING = 9999


@dataclass(frozen=True)
class IndexSeries:
    """An index on a regular time axis: ``time`` is the start of each averaging interval."""

    name: str
    units: str
    time: np.ndarray  # datetime64[s]
    values: np.ndarray  # float64, NaN where missing
    version: np.ndarray | None = None  # per value, e.g. "final" / "provisional" (Dst)

    def between(self, start: str, stop: str) -> IndexSeries:
        """The values whose interval starts in [start, stop)."""
        keep = (self.time >= np.datetime64(start, "s")) & (self.time < np.datetime64(stop, "s"))
        version = None if self.version is None else self.version[keep]
        return IndexSeries(self.name, self.units, self.time[keep], self.values[keep], version)


_WDC_VERSIONS = {"0": "quick-look", "1": "provisional", "2": "final"}


def read_dst_wdc(path: Path) -> IndexSeries:
    """Hourly Dst from a Kyoto WDC exchange-format file (see the module notes).

    >>> import tempfile, os
    >>> line = "DST0601*01  X220   0" + "".join(f"{v:4d}" for v in range(-12, 12)) + "   0"
    >>> with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as fh:
    ...     _ = fh.write(line + "\\n")
    >>> dst = read_dst_wdc(Path(fh.name)); os.unlink(fh.name)
    >>> str(dst.time[0]), float(dst.values[0]), float(dst.values[23]), str(dst.version[0])
    ('2006-01-01T00:00:00', -12.0, 11.0, 'final')
    """
    path = Path(path)
    days, rows, versions = [], [], []
    with open(path, encoding="ascii", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                if not line.startswith("DST") or line[7] != "*":
                    raise ValueError("not a DST record")
                century = line[14:16].strip() or "19"
                year = int(century) * 100 + int(line[3:5])
                day = np.datetime64(f"{year:04d}-{int(line[5:7]):02d}-{int(line[8:10]):02d}", "s")
                base = int(line[16:20] or 0)
                hourly = [int(line[20 + 4 * k:24 + 4 * k]) for k in range(24)]
            except (ValueError, IndexError) as exc:
                raise ValueError(f"{path}: line {number} is not a WDC Dst record ({exc})") from None
            values = np.array(hourly, dtype=float)
            values = np.where(values == WDC_MISSING, np.nan, values + 100.0 * base)
            days.append(day)
            rows.append(values)
            versions.append(_WDC_VERSIONS.get(line[13], "unknown"))
    if not rows:
        raise ValueError(f"{path}: no Dst records")
    order = np.argsort(np.array(days))
    time = (np.array(days)[order][:, None] + np.arange(24) * HOUR).ravel()
    values = np.array(rows)[order].ravel()
    version = np.repeat(np.array(versions)[order], 24)
    if np.any(np.diff(time) <= np.timedelta64(0, "s")):
        raise ValueError(f"{path}: a day appears twice")
    return IndexSeries("Dst", "nT", time, values, version)


def read_kp_gfz(path: Path) -> IndexSeries:
    """3-hourly Kp from the GFZ daily CSV (``Date,K_00,...,K_21,Kp_Sum``); NaN where empty or < 0."""
    path = Path(path)
    columns = [f"K_{h:02d}" for h in range(0, 24, 3)]
    times, values = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or any(c not in reader.fieldnames for c in ["Date", *columns]):
            raise ValueError(f"{path}: expected the columns Date, {', '.join(columns)}")
        for number, row in enumerate(reader, 2):
            try:
                day = np.datetime64(row["Date"].strip(), "s")
                kp = [float(row[c]) if row[c].strip() else np.nan for c in columns]
            except ValueError as exc:
                raise ValueError(f"{path}: line {number}: {exc}") from None
            times.extend(day + np.arange(8) * 3 * HOUR)
            values.extend(kp)
    values = np.array(values, dtype=float)
    values[values < 0] = np.nan  # GFZ marks missing values with -1
    return IndexSeries("Kp", "1", np.array(times, dtype="datetime64[s]"), values)


def read_omni_csv_dst(path: Path) -> IndexSeries:
    """The Kyoto Dst column of the hourly OMNI CSV (``ts,...,dst``), on that file's hours."""
    path = Path(path)
    times, values = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"ts", "dst"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected the columns ts and dst")
        for number, row in enumerate(reader, 2):
            try:
                times.append(np.datetime64(row["ts"][:19].replace(" ", "T"), "s"))
                values.append(float(row["dst"]) if row["dst"].strip() else np.nan)
            except ValueError as exc:
                raise ValueError(f"{path}: line {number}: {exc}") from None
    return IndexSeries("Dst", "nT", np.array(times, dtype="datetime64[s]"), np.array(values))


# OMNI2 hourly words (1-based; SPDF omni2.text): 39 Kp*10 (I2, 0 3 7 10 13 ... for 0o 0+ 1- 1o
# 1+ ...; fill 99), 41 Dst (I5, nT; fill 99999).
KP_WORD, KP_FILL = 39, 99
DST_WORD, DST_FILL = 41, 99999


@dataclass(frozen=True, eq=False)
class Omni2Indices:
    """Hourly Kp (in thirds, the 3-hour value repeated on its hours) and Dst (nT); NaN = fill."""

    time: np.ndarray  # datetime64[s], start of each hour
    kp: np.ndarray
    dst: np.ndarray


def read_omni2_indices(path: Path | str) -> Omni2Indices:
    """Kp and Dst from an OMNI2 hourly file (words 39 and 41), one row per data line.

    Kp*10 is coded 0, 3, 7, 10, 13, 17, ...: Kp = round(3 Kp*10 / 10) / 3 recovers the thirds
    exactly (23 -> 2+ = 7/3, 27 -> 3- = 8/3).
    """
    from models.geomagnetic.solar_wind import omni2_lines

    path = Path(path)
    rows = []
    for line_number, words in enumerate(omni2_lines(path), start=1):
        try:
            rows.append([float(words[i]) for i in (0, 1, 2, KP_WORD - 1, DST_WORD - 1)])
        except ValueError:
            raise ValueError(f"{path}: non-numeric time, Kp or Dst on data line {line_number}") from None
    table = np.array(rows)
    year, day, hour = (table[:, i].astype(np.int64) for i in range(3))
    time = ((year - 1970).astype("datetime64[Y]").astype("datetime64[s]")
            + ((day - 1) * 86400 + hour * 3600) * SECOND)
    kp10, dst = table[:, 3], table[:, 4]
    kp = np.where(kp10 == KP_FILL, np.nan, np.round(3.0 * kp10 / 10.0) / 3.0)
    bad = np.flatnonzero(np.isfinite(kp) & ((kp < 0) | (kp > 9)))
    if bad.size:
        raise ValueError(f"{path}: Kp*10 = {kp10[bad[0]]:g} outside 0..90 on data line {bad[0] + 1}")
    return Omni2Indices(time=time, kp=kp, dst=np.where(dst == DST_FILL, np.nan, dst))


# OMNI HRO words (1-based; SPDF hroformat.txt), each I6 in nT with fill 99999.
HRO_INDEX_WORDS = {"ae": 38, "al": 39, "au": 40, "sym_h": 42}
HRO_INDEX_FILL = 99999


@dataclass(frozen=True, eq=False)
class OmniHroIndices:
    """SYM-H, AE, AL and AU (nT) of an OMNI HRO file, one value per record; NaN = fill."""

    time: np.ndarray  # datetime64[s], start of each record's 1- or 5-min interval
    sym_h: np.ndarray
    ae: np.ndarray
    al: np.ndarray
    au: np.ndarray


def read_omni_hro_indices(path: Path | str) -> OmniHroIndices:
    """SYM-H, AE, AL, AU from a 1-min or 5-min OMNI HRO file (words 42, 38, 39, 40), on the
    file's own records: no regridding, a skipped record is simply absent.

    The indices are those of the WDC for Geomagnetism, Kyoto, as OMNI carries them (SYM-H:
    Iyemori 1990, J. Geomag. Geoelectr. 42:1249; AE: Davis & Sugiura 1966, JGR 71:785).
    """
    from models.geomagnetic.solar_wind import hro_missing, omni_hro_records

    time, table = omni_hro_records(path)
    return OmniHroIndices(time=time, **{name: hro_missing(table[:, word - 1], HRO_INDEX_FILL)
                                        for name, word in HRO_INDEX_WORDS.items()})


def read_symh_benchmark(path: Path) -> tuple[IndexSeries, IndexSeries]:
    """(observed SYM-H, its 1-h-ahead forecast), 5-minute values of the benchmark's storms, from
    the CSV ``datetime,SYM_H,predicted_SYM_H`` (Collado-Villaverde et al.; gaps between storms)."""
    path = Path(path)
    times, observed, forecast = [], [], []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"datetime", "SYM_H", "predicted_SYM_H"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected the columns datetime, SYM_H and predicted_SYM_H")
        for number, row in enumerate(reader, 2):
            try:
                times.append(np.datetime64(row["datetime"].strip().replace(" ", "T"), "s"))
                observed.append(float(row["SYM_H"]))
                forecast.append(float(row["predicted_SYM_H"]))
            except ValueError as exc:
                raise ValueError(f"{path}: line {number}: {exc}") from None
    time = np.array(times, dtype="datetime64[s]")
    return (IndexSeries("SYM-H", "nT", time, np.array(observed)),
            IndexSeries("SYM-H 1-h-ahead forecast", "nT", time, np.array(forecast)))


def hourly_means(series: IndexSeries) -> IndexSeries:
    """Means over whole UT hours of a finer series (hours with no value are left out)."""
    hours = series.time.astype("datetime64[h]")
    unique, index = np.unique(hours, return_inverse=True)
    finite = np.isfinite(series.values)
    total = np.bincount(index[finite], weights=series.values[finite], minlength=unique.size)
    count = np.bincount(index[finite], minlength=unique.size)
    keep = count > 0
    return IndexSeries(series.name, series.units, unique[keep].astype("datetime64[s]"), total[keep] / count[keep])
