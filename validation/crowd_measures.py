"""Measurement methods for pedestrian trajectories, for measured and simulated crowds alike.

A trajectory set is a table of samples (person id, time [s], x [m], y [m]); see
:class:`Trajectories`. The methods follow the definitions documented by PedPy (Jülich
Supercomputing Centre, github PedestrianDynamics/PedPy, pedpy.readthedocs.io) and the papers
behind them; no PedPy code is used:

* **Individual speed** (PedPy ``compute_individual_speed``): central differences over +-k
  samples, v_i(t) = |x_i(t + k dt) - x_i(t - k dt)| / (2 k dt) (Zhang et al. 2011, section 2).
* **Classic density and speed** in a measurement area M (Zhang et al. 2011, method C):
  rho(t) = N(t) / A(M) with N(t) the persons inside M, and the mean of their speeds.
* **Voronoi density and speed** (Steffen & Seyfried 2010, Physica A 389:1902; Zhang et al.
  2011, method D): each person i owns the Voronoi cell V_i of the positions at time t,
  clipped to the walkable area (and optionally to a cut-off disc). Then
  rho_V(t) = sum_i A(V_i n M) / A(V_i) / A(M) and v_V(t) = sum_i v_i A(V_i n M) / A(M).
  Cells are clipped with a Sutherland-Hodgman clipper (:func:`clip_convex_polygon`): Voronoi
  cells, rectangles and discs are convex, so convex clipping is exact here.
* **Flow through a line**: each person's first crossing time of a line segment, the
  cumulative count N(t), and the flow over the central part of the crossings,
  J = (N_90 - N_10) / (t_90 - t_10) (:func:`flow_between_fractions`).
* **Weidmann (1993)** fundamental diagram, v(rho) = v0 [1 - exp(-gamma (1/rho - 1/rho_max))]
  with v0 = 1.34 m/s, gamma = 1.913 1/m^2, rho_max = 5.4 1/m^2 (Weidmann 1993,
  *Transporttechnik der Fussgänger*, ETH Zürich, Schriftenreihe IVT 90), and its specific
  flow J_s = rho v(rho).

Readers return SI units: the jupedsim validation tables (two columns, ``#`` comments), the
bottleneck width-flow tables of ``test_13``, and PeTrack-style trajectory texts (PedPy demo
data: a ``# id frame x/m y/m z/m`` header, or the headerless HERMES ``uo-*`` files in cm at
16 fps).

References: Zhang, Klingsch, Schadschneider & Seyfried 2011, *J. Stat. Mech.* P06004
(HERMES corridor data and the methods A-D); Seyfried et al. 2009, *Transp. Sci.* 43:395;
Kretz, Grünebohm & Schreckenberg 2006, *J. Stat. Mech.* P10014.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from sim.io.data import dataset_file

__all__ = [
    "BOTTLENECK_FLOW_TABLES", "BOTTLENECK_FLOW_TABLES_OTHERS", "CORRIDOR_FD_TABLES", "PEDPY_BOTTLENECK",
    "PEDPY_UNIDIRECTIONAL", "SINGLE_FILE_FD_TABLES", "UNIDIRECTIONAL_FD_TABLES", "WEIDMANN_GAMMA",
    "WEIDMANN_RHO_MAX", "WEIDMANN_V0", "FrameSeries", "Rectangle", "Trajectories", "classic_density_speed",
    "clip_convex_polygon", "cumulative_count", "data_file", "disc_polygon", "flow_between_fractions",
    "individual_speeds", "individual_velocities", "line_crossings", "polygon_area",
    "read_bottleneck_flow_table", "read_fundamental_diagram_table", "read_trajectory_text", "voronoi_cells",
    "voronoi_density_speed", "weidmann_capacity", "weidmann_specific_flow", "weidmann_speed",
]

# Data sets (sim.io.data names; the folder under $HAZSIM_DATA_DIR has the same name).
BOTTLENECK_FLOW_TABLES = "crowd/jupedsim_validation/test_13/experiments"
BOTTLENECK_FLOW_TABLES_OTHERS = "crowd/jupedsim_validation/test_13/experiments/others"
SINGLE_FILE_FD_TABLES = "crowd/jupedsim_validation/1test_1D/data"
CORRIDOR_FD_TABLES = "crowd/jupedsim_validation/2test_2D/data"
UNIDIRECTIONAL_FD_TABLES = "crowd/jupedsim_validation/3test_UO/data"
PEDPY_BOTTLENECK = "crowd/pedpy_demo/bottleneck"
PEDPY_UNIDIRECTIONAL = "crowd/pedpy_demo/uni-directional"

# Weidmann (1993) fundamental diagram.
WEIDMANN_V0 = 1.34  # free walking speed [m/s]
WEIDMANN_GAMMA = 1.913  # [1/m^2]
WEIDMANN_RHO_MAX = 5.4  # density at which the speed vanishes [1/m^2]

# HERMES uo-* texts (PedPy demo data) have no header: cm at 16 frames/s (PedPy user guide).
HERMES_HEADERLESS_UNIT_M = 0.01
HERMES_HEADERLESS_FRAME_RATE_HZ = 16.0


def data_file(name: str, filename: str, download: bool = False) -> Path:
    """Path of one file of the registered crowd data set ``name`` (sha256-checked;
    :func:`sim.io.data.dataset_file`); :class:`DataUnavailable` when it cannot be found."""
    return dataset_file(name, filename, download=download)


# --------------------------------------------------------------------------------------------
# Trajectories and measurement geometry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # eq=False: array fields make == ambiguous
class Trajectories:
    """Positions of persons over time, one row per sample, sorted by person and time.

    ``person_id`` (int), ``time_s`` [s], ``x_m``, ``y_m`` [m]; ``frame_rate_hz`` is informative
    (NaN when unknown). Samples of one time instant must carry the identical ``time_s`` value
    (per-frame measures group rows by exact time).
    """

    person_id: np.ndarray
    time_s: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    frame_rate_hz: float = math.nan

    def __post_init__(self):
        pid = np.asarray(self.person_id).astype(np.int64)
        t, x, y = (np.asarray(a, dtype=float) for a in (self.time_s, self.x_m, self.y_m))
        if not (pid.ndim == t.ndim == x.ndim == y.ndim == 1 and pid.size == t.size == x.size == y.size):
            raise ValueError("person_id, time_s, x_m and y_m must be 1-D arrays of one length")
        if not (np.isfinite(t).all() and np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("trajectory samples must be finite")
        order = np.lexsort((t, pid))
        pid, t, x, y = pid[order], t[order], x[order], y[order]
        same_person = pid[1:] == pid[:-1]
        if np.any(same_person & (t[1:] == t[:-1])):
            raise ValueError("a person has two samples at the same time")
        for name, value in (("person_id", pid), ("time_s", t), ("x_m", x), ("y_m", y)):
            object.__setattr__(self, name, value)

    @property
    def size(self) -> int:
        return int(self.time_s.size)

    @cached_property
    def _frames(self) -> tuple[np.ndarray, np.ndarray]:
        return np.unique(self.time_s, return_inverse=True)

    @property
    def frame_times_s(self) -> np.ndarray:
        """The distinct sample times [s], ascending."""
        return self._frames[0]

    @property
    def frame_index(self) -> np.ndarray:
        """Per row, the index of its time in :attr:`frame_times_s`."""
        return self._frames[1]

    @cached_property
    def _person_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: its position within its person's samples, and that person's sample count."""
        starts = np.flatnonzero(np.r_[True, self.person_id[1:] != self.person_id[:-1]])
        counts = np.diff(np.r_[starts, self.size])
        block = np.repeat(np.arange(starts.size), counts)
        return np.arange(self.size) - starts[block], counts[block]


@dataclass(frozen=True)
class Rectangle:
    """Axis-aligned rectangle [x_min, x_max] x [y_min, y_max] (m): a measurement or walkable area."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def __post_init__(self):
        if not (self.x_max > self.x_min and self.y_max > self.y_min):
            raise ValueError(f"empty rectangle {self}")

    @property
    def area_m2(self) -> float:
        return (self.x_max - self.x_min) * (self.y_max - self.y_min)

    @property
    def polygon(self) -> np.ndarray:
        """Vertices, counter-clockwise, shape (4, 2)."""
        return np.array([[self.x_min, self.y_min], [self.x_max, self.y_min],
                         [self.x_max, self.y_max], [self.x_min, self.y_max]])

    def contains(self, x, y) -> np.ndarray:
        """Inside test, half-open [x_min, x_max) x [y_min, y_max) so that abutting areas never
        count a person twice."""
        x, y = np.asarray(x), np.asarray(y)
        return (x >= self.x_min) & (x < self.x_max) & (y >= self.y_min) & (y < self.y_max)


# --------------------------------------------------------------------------------------------
# Speeds
# --------------------------------------------------------------------------------------------


def individual_velocities(traj: Trajectories, frame_step: int = 5,
                          border: str = "exclude") -> tuple[np.ndarray, np.ndarray]:
    """Velocity (v_x, v_y) [m/s] of every sample by central differences over +-``frame_step``
    samples of the same person: v(t_k) = (x_{k+s} - x_{k-s}) / (t_{k+s} - t_{k-s}).

    ``border`` says what happens within ``frame_step`` samples of either end of a trajectory
    (PedPy's border handling): ``"exclude"`` gives NaN there; ``"adaptive"`` shrinks the
    window symmetrically to the largest one that fits (NaN only at the two end samples).
    Dividing by the actual time difference keeps the estimate right across missing frames.

    >>> tr = Trajectories([1, 1, 1, 1, 1], [0.0, 0.1, 0.2, 0.3, 0.4], [0.0, 0.1, 0.2, 0.3, 0.4], [0.0] * 5)
    >>> [round(float(v), 6) for v in individual_velocities(tr, 1)[0]]
    [nan, 1.0, 1.0, 1.0, nan]
    >>> [round(float(v), 6) for v in individual_velocities(tr, 2)[0]]
    [nan, nan, 1.0, nan, nan]
    >>> [round(float(v), 6) for v in individual_velocities(tr, 2, border="adaptive")[0]]
    [nan, 1.0, 1.0, 1.0, nan]
    """
    if frame_step < 1:
        raise ValueError("frame_step must be >= 1")
    if border not in ("exclude", "adaptive"):
        raise ValueError(f"border must be 'exclude' or 'adaptive', not {border!r}")
    position, count = traj._person_blocks
    room = np.minimum(position, count - 1 - position)  # samples available on the shorter side
    half = np.full(traj.size, frame_step) if border == "exclude" else np.minimum(room, frame_step)
    valid = (half >= 1) & (half <= room)
    rows = np.flatnonzero(valid)
    ahead, behind = rows + half[valid], rows - half[valid]
    dt = traj.time_s[ahead] - traj.time_s[behind]
    vx = np.full(traj.size, np.nan)
    vy = np.full(traj.size, np.nan)
    vx[rows] = (traj.x_m[ahead] - traj.x_m[behind]) / dt
    vy[rows] = (traj.y_m[ahead] - traj.y_m[behind]) / dt
    return vx, vy


def individual_speeds(traj: Trajectories, frame_step: int = 5, border: str = "exclude") -> np.ndarray:
    """Speed |v| [m/s] of every sample (:func:`individual_velocities`); NaN where not defined."""
    vx, vy = individual_velocities(traj, frame_step, border)
    return np.hypot(vx, vy)


# --------------------------------------------------------------------------------------------
# Per-frame density and speed
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FrameSeries:
    """Per-frame measurement: time [s], density [1/m^2], mean speed [m/s] (NaN where no
    speed was available) and the number of persons that contributed."""

    time_s: np.ndarray
    density_per_m2: np.ndarray
    speed_m_s: np.ndarray
    persons: np.ndarray


def classic_density_speed(traj: Trajectories, area: Rectangle, speeds: np.ndarray) -> FrameSeries:
    """Classic density N(t)/A(M) and the mean speed of the persons inside M, at every sample time.

    ``speeds`` holds one speed per row of ``traj`` (e.g. :func:`individual_speeds`); persons
    whose speed is NaN count towards the density but not the mean speed (PedPy drops samples
    without a speed from the speed average in the same way).
    """
    speeds = np.asarray(speeds, dtype=float)
    if speeds.shape != (traj.size,):
        raise ValueError("speeds must hold one value per trajectory row")
    n_frames = traj.frame_times_s.size
    inside = area.contains(traj.x_m, traj.y_m)
    frame = traj.frame_index
    count = np.bincount(frame[inside], minlength=n_frames)
    with_speed = inside & np.isfinite(speeds)
    speed_sum = np.bincount(frame[with_speed], weights=speeds[with_speed], minlength=n_frames)
    speed_count = np.bincount(frame[with_speed], minlength=n_frames)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_speed = np.where(speed_count > 0, speed_sum / speed_count, np.nan)
    return FrameSeries(traj.frame_times_s, count / area.area_m2, mean_speed, count)


# --------------------------------------------------------------------------------------------
# Convex polygons: area, Sutherland-Hodgman clipping, discs
# --------------------------------------------------------------------------------------------


def polygon_area(polygon) -> float:
    """Area [m^2] of a simple polygon (vertices in order, either orientation; shoelace formula).

    >>> polygon_area([[0, 0], [2, 0], [2, 1], [0, 1]]), polygon_area(np.zeros((0, 2)))
    (2.0, 0.0)
    """
    p = np.asarray(polygon, dtype=float).reshape(-1, 2)
    return abs(_signed_area(p)) if len(p) >= 3 else 0.0


def _signed_area(p: np.ndarray) -> float:
    """Shoelace sum, positive for counter-clockwise vertices (slices, not np.roll: this runs per cell)."""
    x, y = p[:, 0], p[:, 1]
    return float(x[:-1] @ y[1:] - x[1:] @ y[:-1] + x[-1] * y[0] - x[0] * y[-1]) / 2.0


def clip_convex_polygon(subject, clip) -> np.ndarray:
    """The part of polygon ``subject`` inside the convex polygon ``clip`` (Sutherland &
    Hodgman 1974, *Commun. ACM* 17:32): the subject is cut by the half-plane of each clip edge
    in turn. Exact when ``subject`` is convex too (a non-convex subject can leave zero-width
    bridges along clip edges, which add no area). Either orientation is accepted; returns the
    vertices in order, shape (k, 2), k = 0 when the two do not overlap.

    >>> square = [[0, 0], [2, 0], [2, 2], [0, 2]]
    >>> polygon_area(clip_convex_polygon(square, [[1, 1], [3, 1], [3, 3], [1, 3]]))
    1.0
    >>> clip_convex_polygon(square, [[5, 5], [6, 5], [6, 6]]).shape
    (0, 2)
    """
    out = np.asarray(subject, dtype=float).reshape(-1, 2)
    edges = np.asarray(clip, dtype=float).reshape(-1, 2)
    if len(edges) < 3:
        raise ValueError("the clip polygon needs at least 3 vertices")
    if _signed_area(edges) < 0:  # the inside test below assumes a counter-clockwise clip polygon
        edges = edges[::-1]
    pts = [tuple(v) for v in out]
    for k in range(len(edges)):
        if not pts:
            break
        ax, ay = edges[k]
        bx, by = edges[(k + 1) % len(edges)]
        ex, ey = bx - ax, by - ay
        # side > 0: left of the edge a->b, i.e. inside a counter-clockwise polygon
        side = [ex * (py - ay) - ey * (px - ax) for px, py in pts]
        kept = []
        for i, (p, s) in enumerate(zip(pts, side)):
            q, sq = pts[i - 1], side[i - 1]  # previous vertex (wraps around)
            if (s >= 0) != (sq >= 0):  # the polygon edge q->p crosses the clip line
                u = sq / (sq - s)
                kept.append((q[0] + u * (p[0] - q[0]), q[1] + u * (p[1] - q[1])))
            if s >= 0:
                kept.append(p)
        pts = kept
    return np.array(pts, dtype=float).reshape(-1, 2) if len(pts) >= 3 else np.zeros((0, 2))


CUT_OFF_VERTICES = 24  # the Voronoi cut-off disc is this regular polygon


def disc_polygon(centre, radius_m: float, vertices: int = CUT_OFF_VERTICES) -> np.ndarray:
    """Regular polygon inscribed in the circle of ``radius_m`` around ``centre``, counter-clockwise."""
    angle = 2.0 * np.pi * np.arange(vertices) / vertices
    return np.column_stack([centre[0] + radius_m * np.cos(angle), centre[1] + radius_m * np.sin(angle)])


# --------------------------------------------------------------------------------------------
# Voronoi measurement (Steffen & Seyfried 2010; Zhang et al. 2011, method D)
# --------------------------------------------------------------------------------------------


def _as_polygon(shape) -> np.ndarray:
    return shape.polygon if isinstance(shape, Rectangle) else np.asarray(shape, dtype=float).reshape(-1, 2)


def _unclipped_voronoi_cells(points: np.ndarray, bounds: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Bounded Voronoi cell of each point, vertices in counter-clockwise order, and how many
    points share that position (coincident points, e.g. from tracking, get the same cell).

    Four far-away auxiliary points around the points and ``bounds`` make the real points
    interior to the hull, so every real cell is bounded; they are more than ten spans away,
    too far to claim any part of ``bounds`` from the real points."""
    from scipy.spatial import Voronoi  # scipy is imported here only: the module stays light

    distinct, which, multiplicity = np.unique(points, axis=0, return_inverse=True, return_counts=True)
    everything = np.vstack([distinct, bounds])
    lo, hi = everything.min(axis=0), everything.max(axis=0)
    centre, span = (lo + hi) / 2.0, float(np.max(hi - lo)) + 1.0
    far = centre + 10.0 * span * np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    vor = Voronoi(np.vstack([distinct, far]))
    cells = []
    for i in range(len(distinct)):
        cell = vor.vertices[vor.regions[vor.point_region[i]]]
        # order the (convex) cell's vertices by angle around their mean so clipping sees a polygon
        mean = cell.mean(axis=0)
        cells.append(cell[np.argsort(np.arctan2(cell[:, 1] - mean[1], cell[:, 0] - mean[0]))])
    which = which.ravel()
    return [cells[k] for k in which], multiplicity[which]


def _clip_cell(cell: np.ndarray, point: np.ndarray, bounds: np.ndarray, cut_off_radius_m: float | None) -> np.ndarray:
    cell = clip_convex_polygon(cell, bounds)
    if cut_off_radius_m is not None and len(cell):
        # a cell within the 24-gon's inscribed circle is left as it is (the usual case in a crowd)
        inner_radius = cut_off_radius_m * math.cos(math.pi / CUT_OFF_VERTICES)
        if np.max(np.hypot(cell[:, 0] - point[0], cell[:, 1] - point[1])) > inner_radius:
            cell = clip_convex_polygon(cell, disc_polygon(point, cut_off_radius_m, CUT_OFF_VERTICES))
    return cell


def voronoi_cells(points, walkable, cut_off_radius_m: float | None = None) -> list[np.ndarray]:
    """Voronoi cell of each point, clipped to the convex polygon ``walkable`` (a
    :class:`Rectangle` or vertices) and, when ``cut_off_radius_m`` is given, to a 24-gon of that
    radius around the point (bounds the cells of isolated persons, as PedPy's cut-off does).
    Returns one vertex array per point (shape (0, 2) where the cell misses the walkable area;
    coincident points get the same cell).

    >>> cells = voronoi_cells([[0.5, 0.5], [1.5, 0.5]], Rectangle(0, 2, 0, 1))
    >>> [round(polygon_area(c), 9) for c in cells]
    [1.0, 1.0]
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    bounds = _as_polygon(walkable)
    if len(pts) == 0:
        return []
    return [_clip_cell(cell, p, bounds, cut_off_radius_m)
            for cell, p in zip(_unclipped_voronoi_cells(pts, bounds)[0], pts)]


def voronoi_density_speed(traj: Trajectories, walkable, area: Rectangle, speeds: np.ndarray,
                          cut_off_radius_m: float | None = None, frame_stride: int = 1) -> FrameSeries:
    """Voronoi density and speed in ``area`` at every ``frame_stride``-th sample time.

    rho_V(t) = sum_i A(V_i n M) / A(V_i) / A(M) and v_V(t) = sum_i v_i A(V_i n M) / sum_i A(V_i n M),
    the sums over the persons whose cell meets M (Zhang et al. 2011, method D). Where every
    person has a speed the denominator of v_V is A(M) (the cells tile M), as in the paper;
    cells of persons without a speed (NaN) are left out of the speed average. ``persons``
    counts the cells that meet M. Cells are clipped to ``walkable`` (a convex polygon or
    :class:`Rectangle`, which must contain M) and to the optional cut-off disc.
    """
    speeds = np.asarray(speeds, dtype=float)
    if speeds.shape != (traj.size,):
        raise ValueError("speeds must hold one value per trajectory row")
    area_polygon = area.polygon
    bounds = _as_polygon(walkable)
    times = traj.frame_times_s[::frame_stride]
    order = np.argsort(traj.frame_index, kind="stable")
    starts = np.searchsorted(traj.frame_index[order], np.arange(traj.frame_times_s.size + 1))
    density = np.full(times.size, np.nan)
    speed = np.full(times.size, np.nan)
    persons = np.zeros(times.size, dtype=np.int64)
    for out_k, frame in enumerate(range(0, traj.frame_times_s.size, frame_stride)):
        rows = order[starts[frame]:starts[frame + 1]]
        points = np.column_stack([traj.x_m[rows], traj.y_m[rows]])
        rho_sum = weighted_speed = speed_area = 0.0
        cells, sharing = _unclipped_voronoi_cells(points, bounds)
        for row, point, cell, shared_by in zip(rows, points, cells, sharing):
            # clipping only shrinks a cell: one whose bounding box misses M contributes nothing
            if (cell[:, 0].max() <= area.x_min or cell[:, 0].min() >= area.x_max
                    or cell[:, 1].max() <= area.y_min or cell[:, 1].min() >= area.y_max):
                continue
            cell = _clip_cell(cell, point, bounds, cut_off_radius_m)
            cell_area = polygon_area(cell)
            if cell_area <= 0.0:
                continue
            in_area = polygon_area(clip_convex_polygon(cell, area_polygon))
            if in_area <= 0.0:
                continue
            persons[out_k] += 1
            # k coincident persons share one cell: each owns 1/k of it, so each adds
            # (a / k) / (A / k) = a / A to the density and weighs a / k in the speed
            rho_sum += in_area / cell_area
            if np.isfinite(speeds[row]):
                weighted_speed += speeds[row] * in_area / shared_by
                speed_area += in_area / shared_by
        density[out_k] = rho_sum / area.area_m2
        speed[out_k] = weighted_speed / speed_area if speed_area > 0 else np.nan
    return FrameSeries(times, density, speed, persons)


# --------------------------------------------------------------------------------------------
# Flow through a measurement line
# --------------------------------------------------------------------------------------------


def line_crossings(traj: Trajectories, start, end, direction=None) -> tuple[np.ndarray, np.ndarray]:
    """Each person's first crossing of the segment ``start``-``end``: (person ids, times [s]).

    A crossing is a step between consecutive samples of a person that changes the side of the
    line and meets it within the segment; its time is interpolated linearly along the step.
    With ``direction`` (a vector) only steps moving along it (positive dot product) count.
    A person is counted once, at the first such crossing, as PedPy's N-t diagram does.

    >>> tr = Trajectories([7, 7, 7], [0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [1.0, 0.0, -1.0])
    >>> ids, times = line_crossings(tr, (-1.0, -0.5), (1.0, -0.5))
    >>> ids.tolist(), times.tolist()
    ([7], [1.5])
    """
    a = np.asarray(start, dtype=float)
    b = np.asarray(end, dtype=float)
    along = b - a
    length2 = float(np.dot(along, along))
    if length2 == 0.0:
        raise ValueError("the measurement line has zero length")
    side = along[0] * (traj.y_m - a[1]) - along[1] * (traj.x_m - a[0])
    step = np.flatnonzero((traj.person_id[1:] == traj.person_id[:-1]) & ((side[1:] >= 0) != (side[:-1] >= 0)))
    s0, s1 = side[step], side[step + 1]
    u = s0 / (s0 - s1)  # fraction of the step at which the line is met
    qx = traj.x_m[step] + u * (traj.x_m[step + 1] - traj.x_m[step])
    qy = traj.y_m[step] + u * (traj.y_m[step + 1] - traj.y_m[step])
    lam = ((qx - a[0]) * along[0] + (qy - a[1]) * along[1]) / length2
    keep = (lam >= 0.0) & (lam <= 1.0)
    if direction is not None:
        d = np.asarray(direction, dtype=float)
        moved = (traj.x_m[step + 1] - traj.x_m[step]) * d[0] + (traj.y_m[step + 1] - traj.y_m[step]) * d[1]
        keep &= moved > 0
    step, u = step[keep], u[keep]
    times = traj.time_s[step] + u * (traj.time_s[step + 1] - traj.time_s[step])
    ids = traj.person_id[step]
    # rows are sorted by person and time, so the first entry of each person is the first crossing
    first = np.r_[True, ids[1:] != ids[:-1]] if ids.size else np.zeros(0, dtype=bool)
    return ids[first], times[first]


def cumulative_count(crossing_times) -> tuple[np.ndarray, np.ndarray]:
    """N-t diagram: crossing times ascending and the count N reached at each (1, 2, ..., n)."""
    t = np.sort(np.asarray(crossing_times, dtype=float))
    return t, np.arange(1, t.size + 1)


def flow_between_fractions(crossing_times, lower: float = 0.1, upper: float = 0.9) -> float:
    """Flow J [1/s] over the central part of the crossings: J = (N_hi - N_lo) / (t(N_hi) - t(N_lo)),
    N_lo = ceil(lower n), N_hi = ceil(upper n) of the n crossings and t(N) the time the N-th
    person crossed. Leaving out the first and last 10 % drops the start-up and run-out phases
    (used for the measured flows in the crowd data PROVENANCE).

    >>> flow_between_fractions(np.arange(100) * 0.5)  # one person every 0.5 s
    2.0
    """
    t = np.sort(np.asarray(crossing_times, dtype=float))
    n = t.size
    n_lo, n_hi = max(1, math.ceil(lower * n - 1e-9)), math.ceil(upper * n - 1e-9)
    if n < 2 or n_hi <= n_lo or t[n_hi - 1] <= t[n_lo - 1]:
        raise ValueError(f"too few distinct crossings ({n}) for a flow")
    return float((n_hi - n_lo) / (t[n_hi - 1] - t[n_lo - 1]))


# --------------------------------------------------------------------------------------------
# Weidmann (1993)
# --------------------------------------------------------------------------------------------


def weidmann_speed(density_per_m2, v0: float = WEIDMANN_V0, gamma: float = WEIDMANN_GAMMA,
                   rho_max: float = WEIDMANN_RHO_MAX) -> np.ndarray:
    """Weidmann (1993) speed [m/s] at density rho [1/m^2]: v0 [1 - exp(-gamma (1/rho - 1/rho_max))],
    v0 at rho <= 0 (the limit) and 0 at rho >= rho_max.

    >>> [round(float(v), 2) for v in weidmann_speed([0.5, 1, 2, 3, 4, 5])]
    [1.3, 1.06, 0.61, 0.33, 0.16, 0.04]
    """
    rho = np.asarray(density_per_m2, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        v = v0 * (1.0 - np.exp(-gamma * (1.0 / rho - 1.0 / rho_max)))
    return np.where(rho <= 0, v0, np.where(rho >= rho_max, 0.0, v))


def weidmann_specific_flow(density_per_m2, **params) -> np.ndarray:
    """Weidmann specific flow J_s = rho v(rho) [1/(m s)]."""
    rho = np.asarray(density_per_m2, dtype=float)
    return np.maximum(rho, 0.0) * weidmann_speed(rho, **params)


def weidmann_capacity(**params) -> tuple[float, float]:
    """(density [1/m^2], specific flow [1/(m s)]) at the maximum of the Weidmann specific flow.

    >>> rho, flow = weidmann_capacity()
    >>> round(rho, 2), round(flow, 3)
    (1.75, 1.225)
    """
    from scipy.optimize import minimize_scalar

    rho_max = params.get("rho_max", WEIDMANN_RHO_MAX)
    best = minimize_scalar(lambda r: -float(weidmann_specific_flow(r, **params)), bounds=(1e-3, rho_max),
                           method="bounded", options={"xatol": 1e-8})
    return float(best.x), float(-best.fun)


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def _two_columns(path) -> tuple[np.ndarray, np.ndarray]:
    table = np.loadtxt(path, comments="#", ndmin=2)
    if table.shape[1] < 2:
        raise ValueError(f"{path}: expected two columns")
    return table[:, 0].copy(), table[:, 1].copy()


def read_fundamental_diagram_table(path) -> tuple[np.ndarray, np.ndarray]:
    """A jupedsim validation fundamental-diagram table (``1test_1D``, ``2test_2D``, ``3test_UO``
    ...): ``#`` comment lines, then density (1/m for single file, 1/m^2 otherwise) and speed
    [m/s] per row. Returns (density, speed)."""
    return _two_columns(path)


def read_bottleneck_flow_table(path) -> tuple[np.ndarray, np.ndarray]:
    """A ``test_13`` bottleneck table: one run per row, width b [m] and flow J [1/s].
    Returns (width_m, flow_per_s)."""
    return _two_columns(path)


_FRAME_RATE = re.compile(r"framerate\s*:\s*([0-9.]+)", re.IGNORECASE)


def read_trajectory_text(path, length_unit_m: float | None = None,
                         frame_rate_hz: float | None = None) -> Trajectories:
    """A PeTrack-style trajectory text: columns id, frame, x, y (z and more are ignored).

    The header decides the units: a column line with ``x/cm`` means cm, ``x/m`` or no unit
    metres; ``# framerate: 25 fps`` gives the frame rate. A file without any ``#`` line is a
    HERMES ``uo-*`` file of the PedPy demo data: cm at 16 frames/s. ``length_unit_m`` and
    ``frame_rate_hz`` override. Time is frame / frame rate [s], positions in metres.
    """
    header = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.lstrip().startswith("#"):
                header.append(line.strip("# \t\r\n"))
            elif line.strip():
                break
    unit, rate = None, None
    for line in header:
        found = _FRAME_RATE.search(line)
        if found:
            rate = float(found.group(1))
        words = line.lower().split()
        if "frame" in words:  # the column line, e.g. "id frame x/m y/m z/m" or "PersID Frame X Y Z"
            unit = 0.01 if any(w in ("x/cm", "x[cm]", "x(cm)") for w in words) else 1.0
    if not header:
        unit, rate = HERMES_HEADERLESS_UNIT_M, HERMES_HEADERLESS_FRAME_RATE_HZ
    unit = length_unit_m or unit or 1.0
    rate = frame_rate_hz or rate
    if not rate:
        raise ValueError(f"{path}: no frame rate in the header; pass frame_rate_hz")
    table = np.loadtxt(path, comments="#", ndmin=2)
    return Trajectories(table[:, 0], table[:, 1] / rate, table[:, 2] * unit, table[:, 3] * unit, rate)
