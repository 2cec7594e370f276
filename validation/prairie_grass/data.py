"""Project Prairie Grass (O'Neill, Nebraska, 1956) measured SO2 arc data and micrometeorology.

The raw files come through :func:`sim.io.data.dataset_dir` ("gas/prairie_grass"):

* ``PGARCS.txt``: ten-minute-mean concentrations on the 50-800 m arcs, 68 runs, 340 arc blocks.
* ``PG_meteo_modelParamList.txt``: per-run micrometeorology for 53 runs.
* ``PGrassEvapLossTABLE_5_4.txt``: Barad's Table 5.4 evaporation-loss factors (reported, not applied).

Source: Barad (ed.) 1958, AFCRC-TR-58-235; digital copy from GuBij/dataAssimLangevin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sim.io.data import dataset_file

__all__ = ["Arc", "Meteorology", "read_arcs", "read_evaporation_factors", "read_meteorology"]

DATASET = "gas/prairie_grass"
MISSING = -9.0  # PGARCS.txt code for a missing sampler (0 means below detection, a real value)


@dataclass(frozen=True, eq=False)  # eq=False: array fields make == ambiguous
class Arc:
    """One sampling arc of one run. Concentration is NaN where the sampler value is missing."""

    run: int
    distance_m: float
    emission_g_s: float
    source_height_m: float
    receptor_height_m: float
    azimuth_deg: np.ndarray
    concentration_mg_m3: np.ndarray

    @property
    def max_concentration_mg_m3(self) -> float:
        """The arc maximum (NaN when no sampler has a valid value).

        >>> Arc(1, 50.0, 80.0, 0.46, 1.5, np.array([358., 0., 2.]), np.array([1., np.nan, 3.])).max_concentration_mg_m3
        3.0
        """
        c = self.concentration_mg_m3
        return float(np.nanmax(c)) if np.isfinite(c).any() else float("nan")

    @property
    def crosswind_integral_mg_m2(self) -> float:
        """Trapezoid of the valid samples along the arc (arc length = distance x angle in radians).

        Azimuths are unwrapped through north (358, 0, 2 is a 4 degree span). Not extrapolated past the
        sampled sector; NaN with fewer than two valid samples.

        >>> arc = Arc(1, 50.0, 80.0, 0.46, 1.5, np.array([358., 0., 2.]), np.array([1., np.nan, 3.]))
        >>> round(arc.crosswind_integral_mg_m2, 4)  # (1 + 3) / 2 * 50 * radians(4)
        6.9813
        """
        ok = np.isfinite(self.concentration_mg_m3)
        if ok.sum() < 2:
            return float("nan")
        az = self.azimuth_deg[ok]
        angle = np.concatenate([[0.0], np.cumsum(np.diff(az) % 360.0)])
        return float(np.trapezoid(self.concentration_mg_m3[ok], self.distance_m * np.radians(angle)))


@dataclass(frozen=True)
class Meteorology:
    """Per-run micrometeorology as tabulated in ``PG_meteo_modelParamList.txt``."""

    run: int
    monin_obukhov_length_m: float
    friction_velocity_m_s: float
    mixing_height_m: float | None  # None where the table gives -999 (stable or unknown)
    wind_direction_deg: float
    sigma_theta_deg: float
    wind_speed_m_s: float
    wind_height_m: float = 2.0


def read_arcs() -> list[Arc]:
    """Every arc block of ``PGARCS.txt``, in file order."""
    lines = [ln for ln in dataset_file(DATASET, "PGARCS.txt").read_text(encoding="ascii").splitlines() if ln.strip()]
    arcs: list[Arc] = []
    i = 0
    while i < len(lines):
        # Line 1: run, arc#, 'MM/DD/56', 'HHMM-HHMM', distance. Line 2: n, 1, n, 1, 1.0, 0, 0, Q, hs, hr, 1.0.
        head = [f.strip() for f in lines[i].split(",")]
        meta = [float(f) for f in lines[i + 1].split(",")]
        n = int(meta[0])
        rows = np.array([ln.split() for ln in lines[i + 2:i + 2 + n]], dtype=float)
        if rows.shape != (n, 4):
            raise ValueError(f"PGARCS.txt: run {head[0]} arc {head[1]}: expected {n} rows of 4 values")
        conc = np.where(rows[:, 3] == MISSING, np.nan, rows[:, 3])
        arcs.append(Arc(run=int(head[0]), distance_m=float(head[4]), emission_g_s=meta[7],
                        source_height_m=meta[8], receptor_height_m=meta[9],
                        azimuth_deg=rows[:, 0], concentration_mg_m3=conc))
        i += 2 + n
    return arcs


def read_meteorology() -> dict[int, Meteorology]:
    """Micrometeorology by run number (53 runs)."""
    met: dict[int, Meteorology] = {}
    for line in dataset_file(DATASET, "PG_meteo_modelParamList.txt").read_text(encoding="ascii").splitlines():
        if not line.strip():
            continue
        # run, L, u*, h_i, wind dir, sigma_u, sigma_v, sigma_w (unused here), sigma_azimuth, U(2 m)
        v = [float(f) for f in line.split()]
        run = int(v[0])
        met[run] = Meteorology(run=run, monin_obukhov_length_m=v[1], friction_velocity_m_s=v[2],
                               mixing_height_m=None if v[3] == -999 else v[3], wind_direction_deg=v[4],
                               sigma_theta_deg=v[8], wind_speed_m_s=v[9])
    return met


def read_evaporation_factors() -> dict[tuple[int, float], float]:
    """Barad's Table 5.4 SO2 evaporation-loss factors by (run, arc distance in m); blanks are left out."""
    text = dataset_file(DATASET, "PGrassEvapLossTABLE_5_4.txt").read_text(encoding="ascii")
    body = text.split("*/", 1)[-1].splitlines()
    header = next(ln for ln in body if ln.strip().startswith("Exp"))
    # Values are right-aligned under the header labels; matching by column end keeps blank cells blank.
    columns = [(m.end(), float(m.group())) for m in re.finditer(r"\d+", header)]
    factors: dict[tuple[int, float], float] = {}
    for line in body[body.index(header) + 1:]:
        cells = list(re.finditer(r"\S+", line))
        if not cells:
            continue
        run = int(cells[0].group())
        for cell in cells[1:]:
            end, distance = min(columns, key=lambda col: abs(col[0] - cell.end()))
            factors[(run, distance)] = float(cell.group())
    return factors
