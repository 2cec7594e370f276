"""Solar-wind drivers of the geomagnetic models: readers, gap filling, GSE -> GSM rotation.

Every reader returns a :class:`SolarWind`, the upstream solar wind and interplanetary
magnetic field (IMF) on a uniform UTC time axis, with a per-variable flag saying which
values were measured and which were filled across a gap. The index models downstream need
a value at every step; the flags let a caller score or weight only measured steps.

Sources
-------
- **OMNI hourly CSV** (``ts,b,bz,n,v,f10,dst``; a repository extract of NASA GSFC SPDF
  OMNI): |B|, IMF Bz (GSM by OMNI convention), proton density, bulk speed. Bx and By are
  not carried, so they are reported in ``missing``.
- **OMNI2 hourly ASCII** (``omni2_YYYY.dat``; King & Papitashvili 2005, J. Geophys. Res.
  110:A02104; word list in SPDF's ``omni2.text``): 55 words a line, 1-based: 1 year,
  2 day of year (1 = Jan 1), 3 hour, 9 field magnitude average <|B|>, 13 Bx (GSE = GSM),
  16 By GSM, 17 Bz GSM, 23 proton temperature, 24 proton density, 25 flow speed, 29 flow
  pressure. Fill values are all nines in the field's format (999.9, 9999., 99.99,
  9999999.). Word 9 (mean of |B|) rather than word 10 (|mean B|) is used as ``b_total``
  because coupling functions want the field strength the magnetosphere saw.
- **OMNI high-resolution (HRO) ASCII**, 1-min (``omni_min{YYYY}{MM}.asc``) and 5-min
  (``omni_5min{YYYY}{MM}.asc``) (King & Papitashvili 2005; word list and Fortran format in
  SPDF's ``hroformat.txt``): 46 words a 1-min line, 49 a 5-min line (the same 46, then the
  >10, >30, >60 MeV proton fluxes). 1-based: 1 year, 2 day of year, 3 hour, 4 minute (start
  of the average), 14 field magnitude average <|B|> (nT, fill 9999.99), 15 Bx GSE = GSM (nT,
  9999.99), 18 By GSM, 19 Bz GSM (nT, 9999.99; OMNI's GSM of the time-shifted GSE vector,
  used as it is, not rotated again), 22 flow speed (km/s, 99999.9), 26 proton density
  (cm^-3, 999.99), 27 temperature (K, 9999999.), 28 flow pressure (nPa, 99.99; OMNI's own, as
  for OMNI2). The indices 38 AE, 39 AL, 40 AU and 42 SYM/H (nT, fill 99999) are read by
  :func:`models.geomagnetic.observed.read_omni_hro_indices`. Fills are all nines in the
  field's format, and a value of magnitude >= fill (to a part in 1e6) is a gap. Each fill is
  one character narrower than its field (format
  ``(2I4,4I3,3I4,2I7,F6.2,I7,8F8.2,4F8.1,F7.2,F9.0,F6.2,2F7.2,F6.1,6F8.2,7I6,F7.2,F5.1)``,
  ``3F9.2`` more at 5 min), so words are always blank-separated and lines are split on
  blanks. The cadence, 60 or 300 s, is that of the row times.
- **SWMF solar-wind input** (the ``IMF.dat`` of BATS-R-US, SWMF user manual,
  ``#SOLARWINDFILE``): header lines up to ``#START``, then rows
  ``yr mo dy hr mn sc msc Bx By Bz Vx Vy Vz n T``; the vectors are GSM unless a
  ``#COORDINATES`` block before ``#START`` says GSE (then By, Bz are rotated here).
  Rows need not be evenly spaced. BATS-R-US interpolates linearly in time between rows, so
  an uneven file is resampled by linear interpolation to its median row spacing: the
  driver seen here is the one the MHD model would see, and nothing is flagged as filled.

Derived quantities
------------------
Dynamic pressure, where the source has none (protons only)::

    P_dyn = m_p n V^2 = 1.6726e-6 n V^2        [nPa, with n in cm^-3 and V in km/s]

OMNI2's own word 29 is (1.67e-6) n V^2 (1 + 4 Na/Np) where the alpha ratio was measured and
2e-6 n V^2 otherwise, i.e. it includes helium; OMNI2 files keep their own pressure. A
computed pressure is flagged as filled wherever n or V is.

Speed from SWMF velocity components: V = sqrt(Vx^2 + Vy^2 + Vz^2). |B| from SWMF components:
|B| = sqrt(Bx^2 + By^2 + Bz^2).

Gap filling (:func:`fill_gaps`): interior gaps are linearly interpolated in time between the
measured neighbours; leading and trailing gaps take the nearest measured value (no
extrapolated trends); a variable with no measured value stays NaN and is listed in
``missing``. Rows absent from a regular file (a time step skipped) are inserted as gaps.

GSE -> GSM (Hapgood 1992, Planet. Space Sci. 40:711; Russell 1971, Cosmic Electrodyn.
2:184): a rotation about the common X axis (Earth -> Sun) by psi, the angle between the GSE
Z axis and the projection of the dipole axis D on the GSE YZ plane::

    psi = atan2(D_y, D_z)            (D in GSE)
    By_gsm = cos(psi) By_gse - sin(psi) Bz_gse
    Bz_gsm = sin(psi) By_gse + cos(psi) Bz_gse

Dipole tilt mu (angle between D and GSM Z, positive when the north dipole pole leans toward
the Sun): sin(mu) = D_x.

D is the northward centred-dipole axis from the IGRF degree-1 Gauss coefficients,
D_geo = -(g11, h11, g10) / sqrt(g10^2 + g11^2 + h11^2) (IGRF-13, Alken et al. 2021, Earth
Planets Space 73:49; linear between 5-year epochs 1965..2020, the 2020-2025 secular
variation after 2020, and held at 1965 before). GEO -> GEI is a rotation about Z by the
Greenwich mean sidereal time theta; GEI -> GSE uses the Sun's ecliptic longitude lambda and
the obliquity epsilon from the low-precision solar ephemeris of the Astronomical Almanac
(as in Hapgood 1992; about 0.01 deg in lambda), with d days from J2000.0 (UT is used for
TT, a ~1 min difference)::

    L = 280.460 + 0.9856474 d,  g = 357.528 + 0.9856003 d             [deg]
    lambda = L + 1.915 sin g + 0.020 sin 2g,  epsilon = 23.439 - 4e-7 d
    theta = 280.46061837 + 360.98564736629 d                           (Meeus 1998, 12.4)
    X_gse = (cos lambda, cos epsilon sin lambda, sin epsilon sin lambda)   in GEI
    Z_gse = (0, -sin epsilon, cos epsilon)                                 in GEI

Symbols
-------
============  ============================================================  ========
symbol        meaning                                                       unit
============  ============================================================  ========
Bx, By, Bz    IMF components (GSM unless stated)                            nT
|B|           IMF magnitude (``b_total``)                                   nT
V             bulk flow speed (``speed``), always positive                  km/s
Vx, Vy, Vz    flow velocity components (SWMF files)                         km/s
n             proton number density (``density``)                          cm^-3
T             proton temperature (``temperature``)                          K
P_dyn         dynamic (ram) pressure (``pressure``)                         nPa
m_p           proton mass, 1.6726e-27                                       kg
psi           GSE -> GSM rotation angle about X                             rad
mu            dipole tilt angle                                             rad
D             unit vector of the northward dipole axis                      1
g10,g11,h11   IGRF degree-1 Gauss coefficients                              nT
theta         Greenwich mean sidereal time                                  deg
lambda        ecliptic longitude of the Sun                                 deg
epsilon       obliquity of the ecliptic                                     deg
d             days since J2000.0 (2000-01-01 12:00)                         day
============  ============================================================  ========
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

VARIABLES: tuple[str, ...] = (
    "bx_gsm", "by_gsm", "bz_gsm", "b_total", "speed", "density", "temperature", "pressure",
)
PROTON_RAM_PRESSURE_NPA = 1.6726e-6  # m_p [kg] * 1e6 (cm^-3 -> m^-3) * 1e6 (km^2 -> m^2) * 1e9 (Pa -> nPa)
SECOND = np.timedelta64(1, "s")


@dataclass(frozen=True, eq=False)  # eq=False: element-wise array comparison has no single truth value
class SolarWind:
    """Upstream solar wind on a uniform UTC time axis (see the module notes for units).

    ``filled[name]`` is True where the value was not measured (interpolated or extended
    across a gap, or derived from filled inputs); for a variable in ``missing`` it is True
    everywhere and the values are NaN.
    """

    time: np.ndarray  # datetime64[s], UTC, strictly increasing, step cadence_s
    cadence_s: float
    bx_gsm: np.ndarray
    by_gsm: np.ndarray
    bz_gsm: np.ndarray
    b_total: np.ndarray
    speed: np.ndarray
    density: np.ndarray
    temperature: np.ndarray
    pressure: np.ndarray
    filled: dict[str, np.ndarray]
    missing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        size = self.time.shape[0]
        if self.time.dtype != np.dtype("datetime64[s]"):
            raise ValueError(f"time must be datetime64[s], got {self.time.dtype}")
        steps = np.diff(self.time) / SECOND
        if size > 1 and not np.all(steps == self.cadence_s):
            raise ValueError(f"time is not uniform with cadence {self.cadence_s} s")
        for name in VARIABLES:
            values = getattr(self, name)
            if values.shape != (size,) or self.filled[name].shape != (size,):
                raise ValueError(f"{name} and its flags must have length {size}")

    def __len__(self) -> int:
        return self.time.shape[0]

    @property
    def elapsed_s(self) -> np.ndarray:
        """Seconds since ``time[0]`` (float64)."""
        return ((self.time - self.time[0]) / SECOND).astype(np.float64)

    def valid(self, names: str | Iterable[str]) -> np.ndarray:
        """True where none of the named variables is filled (all of them measured)."""
        names = (names,) if isinstance(names, str) else tuple(names)
        unknown = [name for name in names if name not in self.filled]
        if unknown:
            raise ValueError(f"unknown solar-wind variables {unknown}; known: {VARIABLES}")
        measured = np.ones(len(self), dtype=bool)
        for name in names:
            measured &= ~self.filled[name]
        return measured

    def between(self, start: str, stop: str) -> SolarWind:
        """The hours (steps) that start in [start, stop): still evenly spaced."""
        keep = (self.time >= np.datetime64(start, "s")) & (self.time < np.datetime64(stop, "s"))
        if keep.sum() < 2:
            raise ValueError(f"fewer than two solar-wind steps between {start} and {stop}")
        arrays = {name: getattr(self, name)[keep] for name in VARIABLES}
        return replace(self, time=self.time[keep], filled={k: v[keep] for k, v in self.filled.items()}, **arrays)


def fill_gaps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill NaN gaps of an evenly spaced series; return (filled values, was_filled).

    Interior gaps are interpolated linearly between the measured neighbours, leading and
    trailing gaps take the nearest measured value; an all-NaN series is returned unchanged
    (all flagged), which the readers report as ``missing``.

    >>> filled, was_filled = fill_gaps(np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan]))
    >>> filled.tolist(), was_filled.tolist()
    ([1.0, 1.0, 2.0, 3.0, 4.0, 4.0], [True, False, True, True, False, True])
    """
    values = np.asarray(values, dtype=np.float64)
    was_filled = np.isnan(values)
    if was_filled.all() or not was_filled.any():
        return values.copy(), was_filled
    index = np.arange(values.size)
    measured = ~was_filled
    # np.interp holds the end values outside the measured range: the nearest-value rule.
    filled = np.interp(index, index[measured], values[measured])
    return filled, was_filled


# ---------------------------------------------------------------------------------------
# Assembly shared by the readers


def _regular_grid(path: Path, time: np.ndarray, columns: dict[str, np.ndarray],
                  resample: bool) -> tuple[np.ndarray, float, dict[str, np.ndarray]]:
    """Put rows on a uniform axis with the median row spacing.

    With ``resample`` (SWMF, where uneven rows are legitimate) the columns are interpolated
    linearly onto the grid and nothing counts as a gap. Otherwise rows whose times are all
    on the grid get NaN rows inserted for skipped steps (gaps), and any other file is refused.
    """
    if time.size < 2:
        raise ValueError(f"{path}: needs at least two data rows to define a cadence, found {time.size}")
    steps = np.diff(time) / SECOND
    backwards = np.flatnonzero(steps <= 0)
    if backwards.size:
        raise ValueError(f"{path}: times are not strictly increasing at data row {backwards[0] + 2} "
                         f"({time[backwards[0]]} then {time[backwards[0] + 1]})")
    cadence = float(np.median(steps))
    if cadence != round(cadence):  # median of an even count can fall between two spacings
        cadence = float(steps[np.argmin(np.abs(steps - cadence))])
    offsets = (time - time[0]) / SECOND
    grid_offsets = cadence * np.arange(int(offsets[-1] // cadence) + 1, dtype=np.float64)
    grid = time[0] + (grid_offsets.astype(np.int64) * SECOND)
    if resample:
        return grid, cadence, {name: np.interp(grid_offsets, offsets, values) for name, values in columns.items()}
    if np.all(offsets % cadence == 0):
        rows = (offsets // cadence).astype(np.int64)
        on_grid = {}
        for name, values in columns.items():
            padded = np.full(grid.size, np.nan)
            padded[rows] = values
            on_grid[name] = padded
        return grid, cadence, on_grid
    raise ValueError(f"{path}: row times are not on a regular {cadence:g} s grid")


def _assemble(time: np.ndarray, cadence_s: float, measured: dict[str, np.ndarray]) -> SolarWind:
    """Fill gaps, derive |B| and pressure where the source lacks them, build the SolarWind."""
    values: dict[str, np.ndarray] = {}
    filled: dict[str, np.ndarray] = {}
    missing: list[str] = []
    for name in VARIABLES:
        if name in ("b_total", "pressure") and name not in measured:
            continue
        raw = measured.get(name, np.full(time.size, np.nan))
        values[name], filled[name] = fill_gaps(raw)
        if filled[name].all():
            missing.append(name)

    if "b_total" not in values:  # SWMF: magnitude from components
        components = ("bx_gsm", "by_gsm", "bz_gsm")
        values["b_total"] = np.sqrt(sum(values[c] ** 2 for c in components))
        filled["b_total"] = np.logical_or.reduce([filled[c] for c in components])
        if any(c in missing for c in components):
            missing.append("b_total")
    if "pressure" not in values or "pressure" in missing:
        if "pressure" in missing:
            missing.remove("pressure")
        values["pressure"] = PROTON_RAM_PRESSURE_NPA * values["density"] * values["speed"] ** 2
        filled["pressure"] = filled["density"] | filled["speed"]
        if "density" in missing or "speed" in missing:
            missing.append("pressure")

    return SolarWind(time=time, cadence_s=cadence_s, filled=filled,
                     missing=tuple(name for name in VARIABLES if name in missing),
                     **{name: values[name] for name in VARIABLES})


# ---------------------------------------------------------------------------------------
# Readers


def read_omni_hourly_csv(path: Path | str) -> SolarWind:
    """Hourly OMNI extract with header ``ts,b,bz,n,v,f10,dst`` (empty cells are gaps).

    Bx and By are not in the file and are reported as ``missing``; pressure is
    1.6726e-6 n V^2. The f10 and dst columns are not read here.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a readable CSV ({str(error).splitlines()[0]})") from None
    needed = ["ts", "b", "bz", "n", "v"]
    absent = [column for column in needed if column not in table.columns]
    if absent:
        raise ValueError(f"{path}: missing columns {absent}; expected header ts,b,bz,n,v,f10,dst")
    try:
        stamps = pd.to_datetime(table["ts"], utc=True, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path}: unreadable timestamp in column ts ({str(error).splitlines()[0]})") from None
    time = stamps.dt.tz_localize(None).to_numpy().astype("datetime64[s]")

    columns = {}
    for column, name in (("b", "b_total"), ("bz", "bz_gsm"), ("n", "density"), ("v", "speed")):
        text = table[column].str.strip()
        numbers = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(np.isnan(numbers) & (text != "").to_numpy())
        if bad.size:
            raise ValueError(f"{path}: non-numeric value {table[column].iloc[bad[0]]!r} in column "
                             f"{column} at data row {bad[0] + 1}")
        columns[name] = numbers
    grid, cadence, columns = _regular_grid(path, time, columns, resample=False)
    return _assemble(grid, cadence, columns)


# OMNI2 words (1-based) read here, each with its fill value.
_OMNI2_WORDS = {
    "b_total": (9, 999.9),
    "bx_gsm": (13, 999.9),
    "by_gsm": (16, 999.9),
    "bz_gsm": (17, 999.9),
    "temperature": (23, 9999999.0),
    "density": (24, 999.9),
    "speed": (25, 9999.0),
    "pressure": (29, 99.99),
}
_OMNI2_WORD_COUNT = 55


def _data_lines(path: Path, word_counts: tuple[int, ...], what: str) -> list[list[str]]:
    """The words of each non-blank line of a whitespace-separated OMNI file (also gzip): every
    line has one of ``word_counts`` words, and all lines the same number."""
    from sim.io.data import open_text

    rows: list[list[str]] = []
    with open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            words = line.split()
            if not words:
                continue
            if len(words) not in word_counts:
                raise ValueError(f"{path}: line {line_number} has {len(words)} words, {what} lines have "
                                 f"{' or '.join(str(n) for n in word_counts)}")
            if rows and len(words) != len(rows[0]):
                raise ValueError(f"{path}: line {line_number} has {len(words)} words, "
                                 f"the first data line {len(rows[0])}")
            rows.append(words)
    if not rows:
        raise ValueError(f"{path}: no data lines")
    return rows


def _numeric_table(path: Path, rows: list[list[str]], what: str) -> np.ndarray:
    try:
        return np.array(rows, dtype=np.float64)
    except ValueError as error:
        raise ValueError(f"{path}: non-numeric word in {what} data ({error})") from None


def _year_day_time(path: Path, table: np.ndarray, with_minute: bool) -> np.ndarray:
    """UTC of rows that start with year, day of year, hour (and minute), checked."""
    n = 4 if with_minute else 3
    year, day_of_year, hour = table[:, 0], table[:, 1], table[:, 2]
    minute = table[:, 3] if with_minute else np.zeros_like(hour)
    bad = np.flatnonzero((day_of_year < 1) | (day_of_year > 366) | (hour < 0) | (hour > 23)
                         | (minute < 0) | (minute > 59) | np.any(table[:, :n] != np.round(table[:, :n]), axis=1))
    if bad.size:
        names = "year, day, hour, minute" if with_minute else "year, day, hour"
        raise ValueError(f"{path}: impossible date ({names}) = "
                         f"{tuple(int(v) for v in table[bad[0], :n])} on data line {bad[0] + 1}")
    year_start = (year.astype(np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[s]")
    seconds = ((day_of_year.astype(np.int64) - 1) * 86400 + hour.astype(np.int64) * 3600
               + minute.astype(np.int64) * 60)
    return year_start + seconds * SECOND


def omni2_lines(path: Path | str) -> list[list[str]]:
    """The words of each data line of an OMNI2 hourly file (55 a line; also read gzip-compressed)."""
    return _data_lines(Path(path), (_OMNI2_WORD_COUNT,), "OMNI2 hourly")


def read_omni2(path: Path | str) -> SolarWind:
    """Hourly OMNI2 ASCII (``omni2_YYYY.dat``), GSM components and OMNI's own pressure."""
    path = Path(path)
    table = _numeric_table(path, omni2_lines(path), "OMNI2")
    time = _year_day_time(path, table, with_minute=False)

    columns = {}
    for name, (word, fill) in _OMNI2_WORDS.items():
        values = table[:, word - 1].copy()
        values[values == fill] = np.nan
        columns[name] = values
    grid, cadence, columns = _regular_grid(path, time, columns, resample=False)
    return _assemble(grid, cadence, columns)


# OMNI HRO words (1-based; SPDF hroformat.txt) read here, each with its fill value.
_HRO_WORDS = {
    "b_total": (14, 9999.99),
    "bx_gsm": (15, 9999.99),
    "by_gsm": (18, 9999.99),
    "bz_gsm": (19, 9999.99),
    "speed": (22, 99999.9),
    "density": (26, 999.99),
    "temperature": (27, 9999999.0),
    "pressure": (28, 99.99),
}
HRO_WORD_COUNTS = (46, 49)  # 1-min records; 5-min records add the >10, >30, >60 MeV proton fluxes
HRO_CADENCES_S = (60.0, 300.0)


def hro_missing(values: np.ndarray, fill: float) -> np.ndarray:
    """A copy of ``values`` with NaN where the magnitude reaches the fill (to a part in 1e6).

    >>> hro_missing(np.array([12.5, -9999.99, 9999.99, 99999.0]), 9999.99).tolist()
    [12.5, nan, nan, nan]
    """
    values = np.array(values, dtype=np.float64)
    values[np.abs(values) >= fill - 1e-6 * fill] = np.nan
    return values


def omni_hro_records(path: Path | str) -> tuple[np.ndarray, np.ndarray]:
    """(time, words) of an OMNI HRO file: the start of each record's average (datetime64[s])
    and its 46 (1-min) or 49 (5-min) words as float64, one row per data line (also gzip)."""
    path = Path(path)
    table = _numeric_table(path, _data_lines(path, HRO_WORD_COUNTS, "OMNI HRO"), "OMNI HRO")
    return _year_day_time(path, table, with_minute=True), table


def read_omni_hro(path: Path | str) -> SolarWind:
    """High-resolution OMNI ASCII, 1-min (``omni_min{YYYY}{MM}.asc``) or 5-min
    (``omni_5min{YYYY}{MM}.asc``): GSM By, Bz as OMNI gives them and OMNI's own pressure.

    The cadence is the row spacing (60 or 300 s); skipped records become gaps.
    """
    path = Path(path)
    time, table = omni_hro_records(path)
    columns = {name: hro_missing(table[:, word - 1], fill) for name, (word, fill) in _HRO_WORDS.items()}
    grid, cadence, columns = _regular_grid(path, time, columns, resample=False)
    if cadence not in HRO_CADENCES_S:
        raise ValueError(f"{path}: rows are {cadence:g} s apart; OMNI HRO files are 1-min (60 s) "
                         f"or 5-min (300 s)")
    return _assemble(grid, cadence, columns)


_SWMF_COLUMN_COUNT = 15


def read_swmf(path: Path | str) -> SolarWind:
    """SWMF/BATS-R-US solar-wind input file (``#START`` then 15 numbers a row).

    Row times may be uneven: the series is then resampled linearly to the median spacing.
    Milliseconds are rounded to the nearest second.
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().upper().startswith("#START")), None)
    if start is None:
        raise ValueError(f"{path}: no #START line; not an SWMF solar-wind file")

    coordinates = "GSM"
    for i, line in enumerate(lines[:start]):
        if line.strip().upper().startswith("#COORDINATES"):
            following = [text.split()[0].upper() for text in lines[i + 1:start] if text.split()]
            coordinates = following[0] if following else ""
    if coordinates not in ("GSM", "GSE"):
        raise ValueError(f"{path}: #COORDINATES {coordinates!r} not supported (GSM or GSE)")

    rows = []
    for line_number, line in enumerate(lines[start + 1:], start=start + 2):
        words = line.split()
        if not words:
            continue
        if len(words) < _SWMF_COLUMN_COUNT:  # extra trailing words are comments
            raise ValueError(f"{path}: line {line_number} has {len(words)} values, "
                             f"SWMF rows need {_SWMF_COLUMN_COUNT}")
        try:
            rows.append([float(word) for word in words[:_SWMF_COLUMN_COUNT]])
        except ValueError:
            raise ValueError(f"{path}: non-numeric value on line {line_number}: {line.strip()!r}") from None
    if not rows:
        raise ValueError(f"{path}: no data rows after #START")
    table = np.array(rows)

    try:
        # Minutes and hours may run past 59/23 in generated files; offsets from the date add up.
        dates = pd.to_datetime(pd.DataFrame({"year": table[:, 0], "month": table[:, 1],
                                             "day": table[:, 2]}).astype(np.int64))
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{path}: impossible date in data rows ({str(error).splitlines()[0]})") from None
    seconds = np.rint(table[:, 3] * 3600 + table[:, 4] * 60 + table[:, 5] + table[:, 6] / 1000)
    time = dates.to_numpy().astype("datetime64[s]") + seconds.astype(np.int64) * SECOND

    bx, by, bz = table[:, 7], table[:, 8], table[:, 9]
    if coordinates == "GSE":
        by, bz = gse_to_gsm(time, by, bz)
    columns = {
        "bx_gsm": bx, "by_gsm": by, "bz_gsm": bz,
        "speed": np.sqrt(table[:, 10] ** 2 + table[:, 11] ** 2 + table[:, 12] ** 2),
        "density": table[:, 13], "temperature": table[:, 14],
    }
    grid, cadence, columns = _regular_grid(path, time, columns, resample=True)
    return _assemble(grid, cadence, columns)


# ---------------------------------------------------------------------------------------
# Dipole axis and GSE -> GSM

# IGRF-13 degree-1 Gauss coefficients (nT), Alken et al. 2021, Earth Planets Space 73:49.
_IGRF_EPOCHS = np.arange(1965.0, 2021.0, 5.0)
_IGRF_G10 = np.array([-30334.0, -30220.0, -30100.0, -29992.0, -29873.0, -29775.0, -29692.0,
                      -29619.4, -29554.63, -29496.57, -29441.46, -29404.8])
_IGRF_G11 = np.array([-2119.0, -2068.0, -2013.0, -1956.0, -1905.0, -1848.0, -1784.0,
                      -1728.2, -1669.05, -1586.42, -1501.77, -1450.9])
_IGRF_H11 = np.array([5776.0, 5737.0, 5675.0, 5604.0, 5500.0, 5406.0, 5306.0,
                      5186.1, 5077.99, 4944.26, 4795.99, 4652.5])
_IGRF_SV_2020 = (5.7, 7.4, -25.9)  # nT/yr for g10, g11, h11, 2020-2025
_J2000 = np.datetime64("2000-01-01T12:00:00", "ms")


def _as_datetime(time) -> np.ndarray:
    return np.asarray(time, dtype="datetime64[ms]")


def _decimal_year(time: np.ndarray) -> np.ndarray:
    year = time.astype("datetime64[Y]")
    start, end = year.astype(time.dtype), (year + 1).astype(time.dtype)
    return 1970.0 + year.astype(np.float64) + (time - start) / (end - start)


def _igrf_dipole(decimal_year: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """g10, g11, h11: linear between epochs, secular variation after 2020, 1965 values before."""
    coefficients = []
    for table, rate in zip((_IGRF_G10, _IGRF_G11, _IGRF_H11), _IGRF_SV_2020):
        value = np.interp(decimal_year, _IGRF_EPOCHS, table)
        late = decimal_year > _IGRF_EPOCHS[-1]
        value = np.where(late, table[-1] + rate * (decimal_year - _IGRF_EPOCHS[-1]), value)
        coefficients.append(value)
    return coefficients[0], coefficients[1], coefficients[2]


def dipole_axis_geographic(time) -> np.ndarray:
    """Unit vector of the northward dipole axis (towards the north geomagnetic pole) in
    geographic Cartesian coordinates (x to 0 deg E on the equator, z to the north pole)."""
    g10, g11, h11 = _igrf_dipole(_decimal_year(_as_datetime(time)))
    strength = np.sqrt(g10**2 + g11**2 + h11**2)
    # The dipole moment points south (g10 < 0); the north geomagnetic pole is its negative.
    return -np.stack([g11, h11, g10], axis=-1) / strength[..., None]


def _sun_gei(days):
    """Unit vector to the Sun in GEI and the obliquity (rad), ``days`` from J2000.0."""
    mean_longitude = 280.460 + 0.9856474 * days
    mean_anomaly = np.radians(357.528 + 0.9856003 * days)
    ecliptic_longitude = np.radians(mean_longitude + 1.915 * np.sin(mean_anomaly)
                                    + 0.020 * np.sin(2.0 * mean_anomaly))
    obliquity = np.radians(23.439 - 4.0e-7 * days)
    sun = np.stack([np.cos(ecliptic_longitude),
                    np.cos(obliquity) * np.sin(ecliptic_longitude),
                    np.sin(obliquity) * np.sin(ecliptic_longitude)], axis=-1)
    return sun, obliquity


def sun_direction_geographic(time) -> np.ndarray:
    """Unit vector to the Sun in geographic Cartesian coordinates (the subsolar point's direction).

    >>> d = sun_direction_geographic(np.datetime64("2024-03-20T12:00"))  # near the equinox, noon at 0 E
    >>> round(float(np.degrees(np.arcsin(d[2])))), abs(round(float(np.degrees(np.arctan2(d[1], d[0])))))
    (0, 2)
    """
    time = _as_datetime(time)
    days = (time - _J2000) / np.timedelta64(86400000, "ms")
    sun, _ = _sun_gei(days)
    sidereal = np.radians((280.46061837 + 360.98564736629 * days) % 360.0)
    cos_t, sin_t = np.cos(sidereal), np.sin(sidereal)
    return np.stack([cos_t * sun[..., 0] + sin_t * sun[..., 1], -sin_t * sun[..., 0] + cos_t * sun[..., 1],
                     sun[..., 2]], axis=-1)


def dipole_axis_gse(time) -> np.ndarray:
    """Unit vector of the northward dipole axis in GSE, shape ``time.shape + (3,)``."""
    time = _as_datetime(time)
    days = (time - _J2000) / np.timedelta64(86400000, "ms")

    axis_geo = dipole_axis_geographic(time)

    sidereal = np.radians((280.46061837 + 360.98564736629 * days) % 360.0)
    cos_t, sin_t = np.cos(sidereal), np.sin(sidereal)
    axis_gei = np.stack([cos_t * axis_geo[..., 0] - sin_t * axis_geo[..., 1],
                         sin_t * axis_geo[..., 0] + cos_t * axis_geo[..., 1],
                         axis_geo[..., 2]], axis=-1)

    sun, obliquity = _sun_gei(days)
    ecliptic_pole = np.stack([np.zeros_like(obliquity), -np.sin(obliquity), np.cos(obliquity)], axis=-1)
    dusk = np.cross(ecliptic_pole, sun)  # GSE Y completes the right-handed set
    return np.stack([np.sum(axis_gei * sun, axis=-1),
                     np.sum(axis_gei * dusk, axis=-1),
                     np.sum(axis_gei * ecliptic_pole, axis=-1)], axis=-1)


def dipole_tilt_rad(time) -> np.ndarray:
    """Dipole tilt (rad), positive when the northern dipole pole leans toward the Sun.

    >>> round(float(np.degrees(dipole_tilt_rad(np.datetime64("2023-06-21T17:00")))))
    33
    """
    return np.arcsin(np.clip(dipole_axis_gse(time)[..., 0], -1.0, 1.0))


def gsm_rotation_angle_rad(time) -> np.ndarray:
    """psi (rad): GSE -> GSM rotation about X, from GSE Z to the dipole's YZ projection."""
    axis = dipole_axis_gse(time)
    return np.arctan2(axis[..., 1], axis[..., 2])


def gse_to_gsm(time, by_gse, bz_gse) -> tuple[np.ndarray, np.ndarray]:
    """Rotate the Y and Z components of a vector from GSE to GSM (X is shared)."""
    psi = gsm_rotation_angle_rad(time)
    by_gse, bz_gse = np.asarray(by_gse, dtype=np.float64), np.asarray(bz_gse, dtype=np.float64)
    cos_psi, sin_psi = np.cos(psi), np.sin(psi)
    return cos_psi * by_gse - sin_psi * bz_gse, sin_psi * by_gse + cos_psi * bz_gse
