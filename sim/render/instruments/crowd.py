"""Crowd instruments: an overhead line counter and a counting camera.

Both read the fields a crowd model produces: agent positions ``agent_x``, ``agent_y`` (m,
``at = "agent"``, one entry per person, NaN while a person is not in the scene) and the cell
field ``crowd_density`` (persons m-2).

Line counter (``line_counter``, geometry ``line``)
--------------------------------------------------
A counting line runs from ``a = (x0, y0)`` to ``b = (x1, y1)``, direction ``d = b - a``. The
side of a point ``p`` is the sign of the cross product

    s(p) = d_x (p_y - a_y) - d_y (p_x - a_x)          (s > 0: left of d; s <= 0: right)

A person whose displacement segment ``p -> c`` between two samples changes side, and whose
crossing point ``q = p + t (c - p)`` with ``t = s(p) / (s(p) - s(c))`` lies on the line
(``0 <= u <= 1`` with ``u = (q - a) . d / |d|^2``), crossed it: left to right counts
**in**, right to left counts **out**. A point exactly on the line counts as right, so a
person stopping on the line and walking on is counted once. Swapping ``a`` and ``b`` swaps
in and out.

The device misses people who walk close together: overhead stereo counters reach a 95-99 %
hit rate with few people in view (Garcia et al. 2013) but undercount by 20-36 % in busy
scenes (van Oosterhout et al. 2012, "busy" sequence: -28.5 % in, -36 % out). With the
specific flow through the line in the interval ``(t_{k-1}, t_k]``

    q_k = (N_in + N_out) / (L (t_k - t_{k-1}))          persons m-1 s-1

the miss probability is the **calibrated assumption**

    p_miss(q) = p_lo + (p_hi - p_lo) (1 - exp(-q / q_s))

with ``p_lo = 0.01`` (99 % hit rate at low flow), ``p_hi = 0.30`` (busy-scene undercount)
and ``q_s = 1.225`` persons m-1 s-1, Weidmann's (1993) maximum specific flow, so that at
capacity ``p_miss = 0.19``. No published curve of miss rate against flow was found; the
form is monotone, starts at the low-flow accuracy and saturates at the busy-scene one.
Counted people are ``N - Binomial(N, p_miss)`` per direction, from the run's generator.

The reported value is cumulative since the first sample: the net count (in - out, the
occupancy change behind an entrance, default), or the in or out count (``report``).
A cumulative count has no hazard thresholds; the specific flow does, so the hazard label
of a line is the Fruin (1971) walkway level of service of the true specific flow ``q_k``
(7 / 10 / 15 / 20 / 25 persons per foot per minute, i.e. 0.38 / 0.55 / 0.82 / 1.09 / 1.37
persons m-1 s-1, the last being capacity).

Counting camera (``camera_count``, geometry ``area``)
-----------------------------------------------------
A camera counts people in a ground rectangle ``[x_min, x_max] x [y_min, y_max]`` of area
``A``. The true count is the integral of the density over the rectangle, each cell weighted
by its overlap with it:

    N = sum_cells rho_c a_c,      a_c = overlap_x(c) overlap_y(c)      (m2)

and the measurand is the mean density ``N / A`` (persons m-2).

Counting by detection undercounts as density rises because people hide each other
(detection-based counts fall far below the truth on dense-crowd benchmarks: Idrees et al.
2013; Zhang et al. 2016). A geometric occlusion model gives the detected fraction: a
detector needs the top ``h_v`` of a head visible; seen at tilt ``theta`` from the vertical,
a person of the same height standing in front of it (towards the camera) hides that part
when closer than ``h_v tan(theta)`` along the line of sight and within a shoulder width
``w`` across it. With people placed at random (Poisson, density rho: Boolean model, Stoyan
et al. 2013), the probability that nobody stands in that ``w h_v tan(theta)`` patch is

    f(rho) = p_det exp(-rho w h_v tan(theta))

``p_det`` is the detector's recall on an unoccluded person. Defaults: ``w = 0.46 m``
(shoulder breadth; Fruin's body ellipse is 0.61 m x 0.46 m) (typical), ``h_v = 0.25 m``
(head height) (typical), ``theta = 60 deg`` (a CCTV camera looking 30 deg below the
horizon) (typical), ``p_det = 0.97`` (typical). Then ``f`` = 0.97 at 0 persons m-2, 0.79
at 1, 0.44 at 4 and 0.29 at 6. Overhead (``theta = 0``) nobody is occluded. The model
ignores that bodies cannot overlap, which makes it slightly pessimistic at high density.
Within the rectangle the fraction is evaluated per cell, ``N_vis = sum rho_c a_c
f(rho_c)``. The detected count is ``Binomial(round_s(N), N_vis / N)``, where ``round_s``
rounds stochastically (floor plus a Bernoulli draw of the fraction), so the count is a whole
number of people (resolution 1 person) with the right mean.

Hazard levels on the true mean density: Fruin (1971) walkway levels of service A-F
(area per pedestrian 35 / 25 / 15 / 10 / 5 ft2, i.e. 0.31 / 0.43 / 0.72 / 1.08 / 2.15
persons m-2 at the B to F boundaries), then the crowd-density warning levels of Seoul's
crowd-detecting CCTV after the 2022 Itaewon crush: 3 persons m-2 caution, 4 alert,
5 serious (Seoul Metropolitan Government, reported by SBS, Oct 2023). Alarm set points on
the measured density default to the same 3 / 4 / 5.

References
----------
Fruin, J. J. (1971). Pedestrian planning and design. Metropolitan Association of Urban
Designers and Environmental Planners, New York. Also: Designing for pedestrians: a
level-of-service concept. Highway Research Record 355, 1-15.
Weidmann, U. (1993). Transporttechnik der Fussgaenger. IVT Schriftenreihe 90, ETH Zuerich.
van Oosterhout, T., Kroese, B., Englebienne, G. (2012). People counting with stereo
cameras: two template-based solutions. Proc. VISAPP 2012.
Garcia, J., Gardel, A., Bravo, I., Lazaro, J. L., Martinez, M., Rodriguez, D. (2013).
Directional people counter based on head tracking. IEEE Trans. Ind. Electron. 60(9).
Idrees, H., Saleemi, I., Seibert, C., Shah, M. (2013). Multi-source multi-scale counting in
extremely dense crowd images. CVPR 2013.
Zhang, Y., Zhou, D., Chen, S., Gao, S., Ma, Y. (2016). Single-image crowd counting via
multi-column convolutional neural network. CVPR 2016.
Stoyan, D., Kendall, W. S., Chiu, S. N., Mecke, J. (2013). Stochastic geometry and its
applications, 3rd ed., ch. 3 (Boolean model). Wiley.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numba import njit
from pydantic import Field

from sim.fields import FieldView
from sim.grid import RasterGrid
from sim.render.instruments.base import (
    FieldInfo,
    Instrument,
    InstrumentError,
    InstrumentParams,
    Levels,
    Modifiers,
)

FT2_M2 = 0.09290304  # one square foot in m2
FT_M = 0.3048

# Fruin (1971) walkway level of service, area per pedestrian at the A/B ... E/F boundaries.
FRUIN_WALKWAY_AREA_FT2 = (35.0, 25.0, 15.0, 10.0, 5.0)
FRUIN_WALKWAY_DENSITY = tuple(1.0 / (a * FT2_M2) for a in FRUIN_WALKWAY_AREA_FT2)  # persons m-2
# Fruin (1971) walkway level of service, flow per unit width (persons ft-1 min-1).
FRUIN_WALKWAY_FLOW_PFM = (7.0, 10.0, 15.0, 20.0, 25.0)
FRUIN_LOS = ("los_a", "los_b", "los_c", "los_d", "los_e", "los_f")

FRUIN_WALKWAY_FLOW = Levels(tuple(q / FT_M / 60.0 for q in FRUIN_WALKWAY_FLOW_PFM), FRUIN_LOS)
"""Fruin (1971) walkway levels of service on specific flow (persons m-1 s-1)."""

# Seoul crowd-detecting CCTV warning levels (persons m-2), reported SBS 2023-10, and the
# "danger" level of the Korean Ministry of the Interior and Safety crowd-safety task force
# (6 persons m-2, November 2022; digitalchosun 2022-11-09 and 2023-01-17).
SEOUL_CCTV_DENSITY = (3.0, 4.0, 5.0, 6.0)
SEOUL_CCTV_MEANINGS = ("caution", "alert", "serious", "danger")

WEIDMANN_MAX_SPECIFIC_FLOW = 1.225  # persons m-1 s-1, Weidmann (1993)


def _check_agent_field(fields: dict[str, FieldInfo], name: str, key: str, kind: str) -> FieldInfo:
    info = fields.get(name)
    if info is None:
        have = ", ".join(sorted(fields)) or "none"
        raise InstrumentError(key, f"sensor kind {kind!r} reads agent field {name!r}, which no model in this "
                                   f"scenario produces (produced: {have})")
    if info.spec.at != "agent":
        raise InstrumentError(key, f"field {name!r} lives at {info.spec.at!r}; sensor kind {kind!r} needs "
                                   "per-agent positions (at = 'agent')")
    if info.spec.units != "m":
        raise InstrumentError(key, f"field {name!r} has units {info.spec.units!r}; sensor kind {kind!r} "
                                   "expects 'm'")
    return info


def _check_boxes(locations: np.ndarray, what: str) -> np.ndarray:
    boxes = np.asarray(locations, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise InstrumentError("locations", f"{what} need locations of shape (m, 4), got {boxes.shape}")
    if not np.all(np.isfinite(boxes)):
        raise InstrumentError("locations", f"{what} locations must be finite")
    return np.ascontiguousarray(boxes)


# -- line counter ---------------------------------------------------------------------------

@njit(cache=True)
def count_crossings(x_prev, y_prev, x_now, y_now, lines, n_in, n_out):
    """People whose step ``prev -> now`` crosses each counting line, per direction.

    ===========  ======================================================  =====
    symbol       meaning                                                 unit
    ===========  ======================================================  =====
    x_prev[k]    position of person k at the previous sample (NaN: out)  m
    x_now[k]     position of person k now (NaN: not in the scene)        m
    lines[j]     (a_x, a_y, b_x, b_y): counting line j from a to b       m
    s0, s1       side of the old and new position: d x (p - a)           m2
    t            fraction of the step at which the line is crossed       1
    u            position of the crossing along the line, 0 at a, 1 at b 1
    n_in[j]      crossings from left of (b - a) to right                 1
    n_out[j]     crossings from right to left                            1
    ===========  ======================================================  =====

    A person with a NaN coordinate at either sample is not counted. Left means
    ``s > 0``; a point on the line (``s = 0``) belongs to the right side.
    """
    for j in range(lines.shape[0]):
        ax = lines[j, 0]
        ay = lines[j, 1]
        dx = lines[j, 2] - ax
        dy = lines[j, 3] - ay
        l2 = dx * dx + dy * dy
        c_in = 0
        c_out = 0
        for k in range(x_prev.shape[0]):
            px = x_prev[k]
            py = y_prev[k]
            cx = x_now[k]
            cy = y_now[k]
            if not (math.isfinite(px) and math.isfinite(py) and math.isfinite(cx) and math.isfinite(cy)):
                continue
            s0 = dx * (py - ay) - dy * (px - ax)
            s1 = dx * (cy - ay) - dy * (cx - ax)
            left0 = s0 > 0.0
            left1 = s1 > 0.0
            if left0 == left1:
                continue
            t = s0 / (s0 - s1)
            qx = px + t * (cx - px)
            qy = py + t * (cy - py)
            u = ((qx - ax) * dx + (qy - ay) * dy) / l2
            if u < 0.0 or u > 1.0:
                continue
            if left0:
                c_in += 1
            else:
                c_out += 1
        n_in[j] = c_in
        n_out[j] = c_out
    return n_in, n_out


def count_crossings_reference(x_prev, y_prev, x_now, y_now, lines):
    """NumPy twin of :func:`count_crossings` (tests only): all people against all lines at once."""
    p = np.column_stack([x_prev, y_prev]).astype(float)[:, None, :]  # (k, 1, 2)
    c = np.column_stack([x_now, y_now]).astype(float)[:, None, :]
    a = np.asarray(lines, float)[None, :, :2]  # (1, j, 2)
    d = np.asarray(lines, float)[None, :, 2:] - a
    cross = lambda v: d[..., 0] * v[..., 1] - d[..., 1] * v[..., 0]  # noqa: E731
    s0 = cross(p - a)
    s1 = cross(c - a)
    valid = np.all(np.isfinite(p), axis=-1) & np.all(np.isfinite(c), axis=-1)
    changes = (s0 > 0) != (s1 > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(changes, s0 / np.where(changes, s0 - s1, 1.0), 0.0)
        q = p + t[..., None] * (c - p)
        u = np.sum((q - a) * d, axis=-1) / np.sum(d * d, axis=-1)
    crossed = valid & changes & (u >= 0.0) & (u <= 1.0)
    return (crossed & (s0 > 0)).sum(axis=0), (crossed & ~(s0 > 0)).sum(axis=0)


class LineCounter(Instrument):
    """Overhead people counter on a counting line: cumulative count with flow-dependent misses."""

    kind = "line_counter"
    geometry = "line"
    references = ("Fruin 1971 (walkway LOS); Weidmann 1993 (max specific flow 1.225 m-1 s-1); "
                  "van Oosterhout, Kroese & Englebienne 2012 (stereo counter undercount in busy scenes); "
                  "Garcia et al. 2013 IEEE TIE 60(9) (overhead counter hit rate 95-99 %)")

    class Params(InstrumentParams):
        x_field: str = "agent_x"
        y_field: str = "agent_y"
        report: Literal["net", "in", "out"] = "net"
        # p_miss at low flow: 1 - 0.99 hit rate (Garcia et al. 2013).
        miss_probability_low: float = Field(0.01, ge=0.0, le=1.0)
        # p_miss in busy scenes: undercount 28.5-36 % (van Oosterhout et al. 2012).
        miss_probability_high: float = Field(0.30, ge=0.0, le=1.0)
        # flow scale of the rise: Weidmann's (1993) maximum specific flow (calibrated assumption).
        miss_flow_scale_per_m_per_s: float = Field(WEIDMANN_MAX_SPECIFIC_FLOW, gt=0.0)

    def __init__(self, params: "LineCounter.Params", n_sensors: int, grid: RasterGrid,
                 fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        _check_agent_field(fields, params.x_field, "x_field", self.kind)
        _check_agent_field(fields, params.y_field, "y_field", self.kind)
        self.inputs = ("crossings_in", "crossings_out", "line_length_m")
        self.true_name = f"{params.report}_line_crossings"
        self.true_units = "1"
        self.measured_name = f"counted_{params.report}_line_crossings"
        self.measured_units = "1"
        self._previous: tuple[np.ndarray, np.ndarray] | None = None

    def reset(self) -> None:
        """Forget the previous positions: the next sample starts a new series (no crossings)."""
        self._previous = None

    def check_locations(self, locations: np.ndarray) -> np.ndarray:
        """The (m, 4) lines [x0, y0, x1, y1]; InstrumentError if malformed or of zero length."""
        lines = _check_boxes(locations, "line counters")
        if np.any(np.hypot(lines[:, 2] - lines[:, 0], lines[:, 3] - lines[:, 1]) <= 0.0):
            raise InstrumentError("locations", "a counting line has zero length (x0, y0) == (x1, y1)")
        return lines

    def sample(self, view: FieldView, locations: np.ndarray) -> dict[str, np.ndarray]:
        """Crossings of each line since the previous call (none at the first call)."""
        lines = self.check_locations(locations)
        x = np.array(view[self.params.x_field], dtype=np.float64).reshape(-1)  # copies: the model moves them
        y = np.array(view[self.params.y_field], dtype=np.float64).reshape(-1)
        if x.shape != y.shape:
            raise InstrumentError("x_field", f"agent fields {self.params.x_field!r} and {self.params.y_field!r} "
                                             f"differ in length ({x.size} vs {y.size})")
        m = lines.shape[0]
        n_in = np.zeros(m, dtype=np.int64)
        n_out = np.zeros(m, dtype=np.int64)
        if self._previous is not None:
            px, py = self._previous
            k = min(px.size, x.size)  # agents added since: no previous position
            count_crossings(px[:k], py[:k], x[:k], y[:k], lines, n_in, n_out)
        self._previous = (x, y)
        length = np.hypot(lines[:, 2] - lines[:, 0], lines[:, 3] - lines[:, 1])
        return {"crossings_in": n_in.astype(float), "crossings_out": n_out.astype(float),
                "line_length_m": length}

    def _cumulative(self, n_in: np.ndarray, n_out: np.ndarray) -> np.ndarray:
        step = {"net": n_in - n_out, "in": n_in, "out": n_out}[self.params.report]
        return np.cumsum(step, axis=0)

    def truth(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        n_in = np.asarray(inputs["crossings_in"], dtype=float)
        n_out = np.asarray(inputs["crossings_out"], dtype=float)
        missing = np.isnan(n_in) | np.isnan(n_out)
        out = self._cumulative(np.where(missing, 0.0, n_in), np.where(missing, 0.0, n_out))
        out[missing] = np.nan
        return out

    def miss_probability(self, q: np.ndarray) -> np.ndarray:
        """p_miss at specific flow q (persons m-1 s-1): the calibrated assumption above."""
        p = self.params
        return p.miss_probability_low + (p.miss_probability_high - p.miss_probability_low) * (
            1.0 - np.exp(-np.asarray(q, dtype=float) / p.miss_flow_scale_per_m_per_s))

    @staticmethod
    def specific_flow(t_s: np.ndarray, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """True specific flow (persons m-1 s-1) in (t_{k-1}, t_k], both directions; 0 at k = 0."""
        n = np.asarray(inputs["crossings_in"], float) + np.asarray(inputs["crossings_out"], float)
        length = np.asarray(inputs["line_length_m"], float)
        dt = np.diff(np.asarray(t_s, dtype=float), prepend=np.nan)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.where(n > 0, n / (length * dt), 0.0)
        q[(n > 0) & ~(dt > 0)] = np.inf  # crossings in no time: beyond any capacity
        q[0] = 0.0
        return q

    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        n_in = np.asarray(inputs["crossings_in"], dtype=float)
        n_out = np.asarray(inputs["crossings_out"], dtype=float)
        missing = np.isnan(n_in) | np.isnan(n_out)
        n_in = np.where(missing, 0.0, n_in)
        n_out = np.where(missing, 0.0, n_out)
        q = self.specific_flow(t_s, {"crossings_in": n_in, "crossings_out": n_out,
                                     "line_length_m": inputs["line_length_m"]})
        p_hit = (1.0 - self.miss_probability(q)) * np.clip(modifiers.sensitivity_factor, 0.0, 1.0)
        p_hit = np.clip(np.nan_to_num(p_hit, nan=0.0), 0.0, 1.0)
        counted_in = rng.binomial(np.rint(n_in).astype(np.int64), p_hit).astype(float)
        counted_out = rng.binomial(np.rint(n_out).astype(np.int64), p_hit).astype(float)
        out = self._cumulative(counted_in, counted_out)
        out[missing] = np.nan
        return out

    def hazard_value(self, t_s, inputs, truth):
        """The hazard at a line is the true specific flow through it in each interval."""
        return self.specific_flow(t_s, inputs)

    def hazard_levels(self) -> Levels:
        return FRUIN_WALKWAY_FLOW


# -- counting camera -------------------------------------------------------------------------

@njit(cache=True)
def rectangle_integrals(field, x0, y0, dx, dy, rects, a_occ, total, visible):
    """Integral of a cell field over rectangles, and of the field times exp(-a_occ field).

    ===========  =====================================================  ======
    symbol       meaning                                                unit
    ===========  =====================================================  ======
    field[j, i]  density in cell (j, i) (rho_c)                         m-2
    x0, y0       lower-left corner of cell (0, 0)                       m
    dx, dy       cell spacing                                           m
    rects[k]     (x_min, y_min, x_max, y_max) of rectangle k            m
    a_occ        occluding area per person: w h_v tan(theta)            m2
    a_c          overlap of cell c with the rectangle                   m2
    total[k]     N = sum_c rho_c a_c                                    1
    visible[k]   N_vis = sum_c rho_c a_c exp(-a_occ rho_c)              1
    ===========  =====================================================  ======

    Parts of a rectangle outside the grid contribute nothing.
    """
    ny, nx = field.shape
    for k in range(rects.shape[0]):
        xa = rects[k, 0]
        ya = rects[k, 1]
        xb = rects[k, 2]
        yb = rects[k, 3]
        i_lo = max(0, int(math.floor((xa - x0) / dx)))
        i_hi = min(nx - 1, int(math.ceil((xb - x0) / dx)) - 1)
        j_lo = max(0, int(math.floor((ya - y0) / dy)))
        j_hi = min(ny - 1, int(math.ceil((yb - y0) / dy)) - 1)
        s = 0.0
        v = 0.0
        for j in range(j_lo, j_hi + 1):
            oy = min(yb, y0 + (j + 1) * dy) - max(ya, y0 + j * dy)
            if oy <= 0.0:
                continue
            for i in range(i_lo, i_hi + 1):
                ox = min(xb, x0 + (i + 1) * dx) - max(xa, x0 + i * dx)
                if ox <= 0.0:
                    continue
                rho = field[j, i]
                w = ox * oy * rho
                s += w
                v += w * math.exp(-a_occ * rho)
        total[k] = s
        visible[k] = v
    return total, visible


def rectangle_integrals_reference(field, x0, y0, dx, dy, rects, a_occ):
    """NumPy twin of :func:`rectangle_integrals` (tests only): overlap matrices over all cells."""
    field = np.asarray(field, dtype=float)
    ny, nx = field.shape
    xl = x0 + np.arange(nx) * dx
    yl = y0 + np.arange(ny) * dy
    total, visible = [], []
    for xa, ya, xb, yb in np.asarray(rects, dtype=float):
        ox = np.clip(np.minimum(xb, xl + dx) - np.maximum(xa, xl), 0.0, None)
        oy = np.clip(np.minimum(yb, yl + dy) - np.maximum(ya, yl), 0.0, None)
        w = oy[:, None] * ox[None, :] * field
        total.append(w.sum())
        visible.append((w * np.exp(-a_occ * field)).sum())
    return np.array(total), np.array(visible)


class CameraCount(Instrument):
    """Camera counting people by detection in a ground rectangle; occlusion undercounts."""

    kind = "camera_count"
    geometry = "area"
    references = ("Fruin 1971 (walkway LOS A-F); Seoul crowd-CCTV levels 3/4/5 persons m-2 (SBS 2023); "
                  "MOIS crowd-safety task force danger level 6 persons m-2 (2022); "
                  "Boolean-model occlusion (Stoyan et al. 2013); detection undercount in dense crowds "
                  "(Idrees et al. 2013; Zhang et al. 2016)")

    class Params(InstrumentParams):
        field: str = "crowd_density"
        # Recall on an unoccluded person (typical for a modern head/person detector).
        detection_probability: float = Field(0.97, ge=0.0, le=1.0)
        # Shoulder breadth (typical adult; Fruin's body ellipse is 0.61 m x 0.46 m).
        shoulder_width_m: float = Field(0.46, ge=0.0)
        # Visible head height the detector needs (typical head height).
        visible_height_m: float = Field(0.25, ge=0.0)
        # Camera tilt from the vertical: 0 overhead, 60 deg for CCTV 30 deg below horizon (typical).
        tilt_from_vertical_deg: float = Field(60.0, ge=0.0, lt=90.0)
        # Alarm set points on the measured density: Seoul crowd-CCTV caution / alert / serious,
        # and the MOIS danger level of 6 persons m-2.
        alarm_density_per_m2: tuple[float, ...] = SEOUL_CCTV_DENSITY

    def __init__(self, params: "CameraCount.Params", n_sensors: int, grid: RasterGrid,
                 fields: dict[str, FieldInfo]) -> None:
        super().__init__(params, n_sensors, grid, fields)
        info = self.require_field(params.field, key="field", units="m-2")
        if info.spec.at not in ("cell", "global"):
            raise InstrumentError("field", f"field {params.field!r} lives at {info.spec.at!r}; a counting camera "
                                           "integrates a cell or global density")
        self._global = info.spec.at == "global"
        try:
            self._alarm = Levels(tuple(params.alarm_density_per_m2),
                                 ("none",) + (SEOUL_CCTV_MEANINGS if tuple(params.alarm_density_per_m2)
                                              == SEOUL_CCTV_DENSITY else
                                              tuple(f"set_point_{k + 1}" for k in
                                                    range(len(params.alarm_density_per_m2)))))
        except ValueError as err:
            raise InstrumentError("alarm_density_per_m2", str(err)) from err
        self.inputs = ("crowd_count", "crowd_count_visible", "area_m2")
        self.true_name = "crowd_density_mean"
        self.true_units = "m-2"
        self.measured_name = "camera_crowd_density"
        self.measured_units = "m-2"

    @property
    def occluding_area_m2(self) -> float:
        """a_occ = w h_v tan(theta): the patch in front of a head where a person hides it."""
        p = self.params
        return p.shoulder_width_m * p.visible_height_m * math.tan(math.radians(p.tilt_from_vertical_deg))

    def detected_fraction(self, density: np.ndarray) -> np.ndarray:
        """f(rho) = p_det exp(-rho a_occ): expected fraction of people detected at density rho."""
        return self.params.detection_probability * np.exp(-np.asarray(density, float) * self.occluding_area_m2)

    def check_locations(self, locations: np.ndarray) -> np.ndarray:
        """The (m, 4) rectangles [x_min, y_min, x_max, y_max], inside the grid, of positive area."""
        rects = _check_boxes(locations, "counting cameras")
        if np.any(rects[:, 2] <= rects[:, 0]) or np.any(rects[:, 3] <= rects[:, 1]):
            raise InstrumentError("locations", "a camera rectangle needs x_max > x_min and y_max > y_min")
        xmin, xmax, ymin, ymax = self.grid.extent_m
        tol = 1e-9 * max(xmax - xmin, ymax - ymin)
        if (np.any(rects[:, 0] < xmin - tol) or np.any(rects[:, 2] > xmax + tol)
                or np.any(rects[:, 1] < ymin - tol) or np.any(rects[:, 3] > ymax + tol)):
            raise InstrumentError("locations", f"a camera rectangle reaches outside the grid {self.grid.extent_m}")
        return rects

    def sample(self, view: FieldView, locations: np.ndarray) -> dict[str, np.ndarray]:
        """True and unoccluded people in each rectangle now, and its area."""
        rects = self.check_locations(locations)
        area = (rects[:, 2] - rects[:, 0]) * (rects[:, 3] - rects[:, 1])
        values = np.asarray(view[self.params.field])
        if self._global:
            rho = float(values.reshape(-1)[0])
            total = rho * area
            visible = total * math.exp(-self.occluding_area_m2 * rho)
        else:
            total = np.empty(len(rects))
            visible = np.empty(len(rects))
            g = self.grid
            rectangle_integrals(np.ascontiguousarray(values, dtype=np.float64), g.x0, g.y0, g.dx, g.dy, rects,
                                self.occluding_area_m2, total, visible)
        return {"crowd_count": total, "crowd_count_visible": visible, "area_m2": area}

    def truth(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(inputs["crowd_count"], float) / np.asarray(inputs["area_m2"], float)

    def respond(self, t_s: np.ndarray, inputs: dict[str, np.ndarray], modifiers: Modifiers,
                rng: np.random.Generator) -> np.ndarray:
        total = np.asarray(inputs["crowd_count"], dtype=float)
        visible = np.asarray(inputs["crowd_count_visible"], dtype=float)
        area = np.asarray(inputs["area_m2"], dtype=float)
        missing = np.isnan(total) | np.isnan(visible)
        total = np.where(missing, 0.0, np.maximum(total, 0.0))
        visible = np.where(missing, 0.0, np.maximum(visible, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            frac_visible = np.where(total > 0.0, np.minimum(visible / total, 1.0), 1.0)
        p = frac_visible * self.params.detection_probability * np.clip(modifiers.sensitivity_factor, 0.0, 1.0)
        p = np.clip(p, 0.0, 1.0)
        whole = np.floor(total)
        present = (whole + (rng.random(total.shape) < (total - whole))).astype(np.int64)
        detected = rng.binomial(present, p).astype(float)
        out = detected / area
        out[missing] = np.nan
        return out

    def hazard_levels(self) -> Levels:
        return Levels(FRUIN_WALKWAY_DENSITY + SEOUL_CCTV_DENSITY,
                      FRUIN_LOS + tuple(f"seoul_{m}" for m in SEOUL_CCTV_MEANINGS))

    def alarm_levels(self) -> Levels:
        return self._alarm
