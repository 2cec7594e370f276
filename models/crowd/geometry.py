"""The walkable space of a crowd scenario: areas, obstacles, walls and a wall index for Numba.

A scenario describes where people can walk as polygons in the grid's frame (metres):

- ``walkable_m``: outer areas (a plaza, a room, a street); a point is walkable when it lies
  inside at least one of them ...
- ``obstacles_m``: ... and outside every obstacle (pillars, barriers, stalls: holes);
- ``walls_m``: extra thin walls as polylines (a fence, a crowd barrier, a partition). They do
  not change which points are walkable, only what an agent cannot cross.

or reads them from a file: GeoJSON (RFC 7946; ``Polygon``/``MultiPolygon`` features, holes
included, and ``LineString``/``MultiLineString``; the feature property ``role`` is
``"walkable"`` (default for areas), ``"obstacle"`` or ``"wall"`` (default for lines; an area
with role ``"wall"`` is a solid wall, i.e. an obstacle)), or WKT (OGC 06-103r4: ``POLYGON``,
``MULTIPOLYGON``, ``LINESTRING``, ``MULTILINESTRING``, ``GEOMETRYCOLLECTION``, one or more per
file, ``#`` comments, an optional EWKT ``SRID=...;`` prefix ignored). WKT carries no
properties, so a hazsim extension lets a role word precede a geometry
(``obstacle POLYGON ((...))``); without it polygons are walkable areas and lines walls.
Holes of a walkable polygon are obstacles. Coordinates beyond (x, y) (z, m) are ignored.

Every edge of every polygon ring and every polyline segment becomes a wall segment
``[x0, y0, x1, y1]``: these are what the agents' wall forces act along and what no agent may
cross. For Numba kernels the segments are bucketed on a uniform grid of cell size ``h``
(:class:`WallIndex`, compressed sparse rows): bucket ``b`` lists every segment whose distance
to the bucket's square is at most ``h``. For a point ``p`` in bucket ``b``,

    dist(p, s) <= h  =>  s is listed in b,

because the distance from ``s`` to the bucket is at most the distance from ``s`` to ``p``.
So an agent whose interaction range is at most ``h`` finds all its walls in its own bucket,
and a move shorter than ``h`` can only cross segments listed in the bucket it starts in.
The bucket grid covers the segments' bounding box widened by ``h``; points outside it are
clamped to the nearest bucket, which keeps the property (they are farther than ``h`` from
every segment).

Segment crossing uses orientation tests (O'Rourke 1998, *Computational Geometry in C*,
2nd ed., sect. 1.5 and 7.2): segments ab and cd cross properly when c and d lie strictly on
opposite sides of line ab and a and b strictly on opposite sides of line cd; they touch when
an end point lies on the other segment. Touching counts as crossing. An orientation whose
magnitude is below the floating-point error bound of the determinant (Shewchuk 1997,
Discrete Comput. Geom. 18:305, bound A) is treated as collinear, so an uncertain case is
resolved by the on-segment test: near-touching is reported as crossing, the safe side for a
wall.

Symbols
-------

======== ============================================================ ====
symbol   meaning                                                      unit
======== ============================================================ ====
a, b     end points of a moving segment (an agent's step), (x, y)      m
c, d     end points of a wall segment                                  m
o(a,b,c) orientation: (b - a) x (c - a), > 0 when c is left of ab      m2
p        query point (an agent's centre)                               m
q        closest point of a segment to p                               m
t        parameter of q along the segment, q = a + t (b - a), [0, 1]   1
h        bucket size of the wall index = range it answers for          m
x_b, y_b lower-left corner of bucket (0, 0)                            m
======== ============================================================ ====
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numba import njit
from pydantic import Field, field_validator, model_validator

from sim.grid import RasterGrid
from sim.io.data import resolve_path
from sim.model import ModelParams

Point = tuple[float, float]

# Segment kinds in Geometry.segment_kind.
WALKABLE_EDGE, OBSTACLE_EDGE, THIN_WALL = 0, 1, 2

# Shewchuk's (1997) error bound A for orient2d is (3 + 16 eps) eps ~ 3.3e-16; a little margin.
ORIENT_REL_ERROR = 1.0e-15
# Refuse a wall index with more buckets than this (about 400 MB of offsets): h is too small.
MAX_BUCKETS = 50_000_000
ROLES = ("walkable", "obstacle", "wall")


# --------------------------------------------------------------------------------------------
# Scenario spec


class GeometrySpec(ModelParams):
    """Walkable space of a crowd scenario, inline or from a GeoJSON / WKT file.

    With ``file``, the file's shapes come first and the inline lists are added to them (a
    venue plan plus a temporary barrier).
    """

    walkable_m: list[list[Point]] = Field(default_factory=list, description="outer areas, polygons of (x, y)")
    obstacles_m: list[list[Point]] = Field(default_factory=list, description="holes: pillars, barriers")
    walls_m: list[list[Point]] = Field(default_factory=list, description="thin walls, polylines of (x, y)")
    file: str | None = Field(None, description="GeoJSON (.geojson, .json) or WKT (.wkt, .txt) file, "
                                               "or data:<set>/<file>")

    @field_validator("walkable_m", "obstacles_m")
    @classmethod
    def _polygons(cls, value: list[list[Point]]) -> list[list[Point]]:
        for k, polygon in enumerate(value):
            _ring(polygon, f"polygon {k}")
        return value

    @field_validator("walls_m")
    @classmethod
    def _polylines(cls, value: list[list[Point]]) -> list[list[Point]]:
        for k, line in enumerate(value):
            _polyline(line, f"wall {k}")
        return value

    @field_validator("file")
    @classmethod
    def _exists(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("data:") and not Path(value).is_file():
            raise ValueError(f"file {value!r} not found")
        return value

    @model_validator(mode="after")
    def _something_walkable(self) -> "GeometrySpec":
        if self.file is None and not self.walkable_m:
            raise ValueError("give at least one walkable_m polygon or a file")
        return self


class GeometryFileError(ValueError):
    """A geometry file that cannot be read; the message names the file and the place."""


# --------------------------------------------------------------------------------------------
# Shapes


def _ring(points, what: str) -> np.ndarray:
    """A polygon ring as float[k, 2], k >= 3: repeated and closing points dropped."""
    ring = _polyline(points, what)
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) < 3:
        raise ValueError(f"{what}: a polygon needs at least 3 distinct points, got {len(ring)}")
    x, y = ring[:, 0], ring[:, 1]
    if 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) == 0.0:
        raise ValueError(f"{what}: the polygon has zero area")
    return ring


def _polyline(points, what: str) -> np.ndarray:
    """A polyline as float[k, 2], k >= 2, consecutive repeated points dropped."""
    try:
        line = np.asarray([(float(p[0]), float(p[1])) for p in points], dtype=np.float64).reshape(-1, 2)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"{what}: expected a list of (x, y) points") from None
    if not np.all(np.isfinite(line)):
        raise ValueError(f"{what}: coordinates must be finite")
    if len(line):
        keep = np.ones(len(line), bool)
        keep[1:] = np.any(line[1:] != line[:-1], axis=1)
        line = line[keep]
    if len(line) < 2:
        raise ValueError(f"{what}: a line needs at least 2 distinct points")
    return line


def _ring_segments(ring: np.ndarray) -> np.ndarray:
    return np.column_stack([ring, np.roll(ring, -1, axis=0)])


def _line_segments(line: np.ndarray) -> np.ndarray:
    return np.column_stack([line[:-1], line[1:]])


@dataclass(frozen=True, eq=False)
class Geometry:
    """Walkable polygons, obstacles and thin walls, with their wall segments.

    Build it with :meth:`from_spec`, :meth:`from_file` or :meth:`from_shapes`.

    Attributes
    ----------
    walkable, obstacles : tuple of float[k, 2] rings (open: the last point is not repeated).
    walls : tuple of float[k, 2] polylines.
    segments : float64[n, 4], rows [x0, y0, x1, y1]: every ring edge (walkable outlines, then
        obstacle outlines) and every polyline segment, in that order.
    segment_kind : int8[n], WALKABLE_EDGE, OBSTACLE_EDGE or THIN_WALL per segment.
    """

    walkable: tuple[np.ndarray, ...]
    obstacles: tuple[np.ndarray, ...] = ()
    walls: tuple[np.ndarray, ...] = ()
    segments: np.ndarray = field(init=False, repr=False)
    segment_kind: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.walkable:
            raise ValueError("a geometry needs at least one walkable polygon")
        parts = ([(_ring_segments(r), WALKABLE_EDGE) for r in self.walkable]
                 + [(_ring_segments(r), OBSTACLE_EDGE) for r in self.obstacles]
                 + [(_line_segments(w), THIN_WALL) for w in self.walls])
        segments = np.ascontiguousarray(np.concatenate([p for p, _ in parts]), dtype=np.float64)
        kind = np.concatenate([np.full(len(p), k, np.int8) for p, k in parts])
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "segment_kind", kind)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_shapes(cls, walkable, obstacles=(), walls=()) -> "Geometry":
        """From lists of polygons (lists of (x, y)) and polylines."""
        return cls(walkable=tuple(_ring(p, f"walkable polygon {k}") for k, p in enumerate(walkable)),
                   obstacles=tuple(_ring(p, f"obstacle {k}") for k, p in enumerate(obstacles)),
                   walls=tuple(_polyline(w, f"wall {k}") for k, w in enumerate(walls)))

    @classmethod
    def from_file(cls, path) -> "Geometry":
        """From a GeoJSON or WKT file (see the module docstring)."""
        walkable, obstacles, walls = read_shapes(path)
        return cls.from_shapes(walkable, obstacles, walls)

    @classmethod
    def from_spec(cls, spec: GeometrySpec) -> "Geometry":
        walkable, obstacles, walls = ([], [], []) if spec.file is None else read_shapes(resolve_path(spec.file))
        return cls.from_shapes(walkable + list(spec.walkable_m), obstacles + list(spec.obstacles_m),
                               walls + list(spec.walls_m))

    # -- queries -----------------------------------------------------------------------------

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x_min, y_min, x_max, y_max) of every shape (m)."""
        s = self.segments
        return (float(min(s[:, 0].min(), s[:, 2].min())), float(min(s[:, 1].min(), s[:, 3].min())),
                float(max(s[:, 0].max(), s[:, 2].max())), float(max(s[:, 1].max(), s[:, 3].max())))

    def contains(self, x, y) -> np.ndarray:
        """True where (x, y) is inside a walkable polygon and outside every obstacle.

        ``x`` and ``y`` broadcast together; the result has their shape. Points exactly on an
        outline may fall either way (matplotlib's even-odd test); thin walls do not matter.
        """
        x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
        points = np.column_stack([x.ravel(), y.ravel()])
        inside = np.zeros(len(points), bool)
        for path in self._paths[0]:
            inside |= path.contains_points(points)
        for path in self._paths[1]:
            inside &= ~path.contains_points(points)
        return inside.reshape(x.shape)

    def walkable_mask(self, grid: RasterGrid) -> np.ndarray:
        """bool[ny, nx]: True on the cells whose centre is walkable."""
        X, Y = np.meshgrid(grid.x, grid.y)
        return self.contains(X, Y)

    def wall_index(self, bucket_m: float) -> "WallIndex":
        """The segments bucketed for range queries up to ``bucket_m`` (see :class:`WallIndex`)."""
        return WallIndex.build(self.segments, bucket_m)

    @property
    def _paths(self):
        cached = self.__dict__.get("_path_cache")
        if cached is None:
            from matplotlib.path import Path as MplPath

            cached = ([MplPath(r) for r in self.walkable], [MplPath(r) for r in self.obstacles])
            object.__setattr__(self, "_path_cache", cached)
        return cached


# --------------------------------------------------------------------------------------------
# Files


def read_shapes(path) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(walkable polygons, obstacles, walls) read from a GeoJSON or WKT file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise GeometryFileError(f"{path}: cannot read ({error.strerror})") from None
    suffix = path.suffix.lower()
    is_json = suffix in (".geojson", ".json") or (suffix not in (".wkt", ".txt") and text.lstrip().startswith("{"))
    shapes = _Shapes(str(path))
    if is_json:
        _read_geojson(text, shapes)
    else:
        _read_wkt(text, shapes)
    if not shapes.walkable:
        raise GeometryFileError(f"{path}: no walkable polygon in the file")
    return shapes.walkable, shapes.obstacles, shapes.walls


class _Shapes:
    """Collects shapes by role; the polygon rules shared by GeoJSON and WKT live here."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.walkable: list[np.ndarray] = []
        self.obstacles: list[np.ndarray] = []
        self.walls: list[np.ndarray] = []

    def error(self, where: str, message: str) -> GeometryFileError:
        return GeometryFileError(f"{self.source}: {where}: {message}")

    def polygon(self, rings, role: str | None, where: str) -> None:
        role = role or "walkable"
        if not rings:
            return  # an empty polygon adds nothing
        try:
            outer = _ring(rings[0], "outer ring")
            holes = [_ring(r, f"hole {k}") for k, r in enumerate(rings[1:])]
        except ValueError as error:
            raise self.error(where, str(error)) from None
        if role == "walkable":
            self.walkable.append(outer)
            self.obstacles.extend(holes)
        elif holes:  # a walkable island inside a solid would be hidden by the solid anyway
            raise self.error(where, f"a {role} polygon cannot have holes; draw the island as its own walkable polygon")
        else:
            self.obstacles.append(outer)

    def line(self, points, role: str | None, where: str) -> None:
        if role not in (None, "wall"):
            raise self.error(where, f"a line can only be a wall, not {role!r}")
        try:
            self.walls.append(_polyline(points, "line"))
        except ValueError as error:
            raise self.error(where, str(error)) from None


def _read_geojson(text: str, shapes: _Shapes) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise shapes.error(f"line {error.lineno}", f"not valid JSON ({error.msg})") from None
    if not isinstance(data, dict) or "type" not in data:
        raise shapes.error("top level", "expected a GeoJSON object with a 'type'")
    if data["type"] == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise shapes.error("top level", "a FeatureCollection needs a 'features' list")
        for k, feature in enumerate(features):
            _geojson_feature(feature, shapes, f"feature {k}")
    elif data["type"] == "Feature":
        _geojson_feature(data, shapes, "feature")
    else:
        _geojson_geometry(data, None, shapes, "geometry")


def _geojson_feature(feature, shapes: _Shapes, where: str) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise shapes.error(where, "expected a Feature object")
    properties = feature.get("properties") or {}
    role = properties.get("role") if isinstance(properties, dict) else None
    if role is not None and role not in ROLES:
        raise shapes.error(where, f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if feature.get("geometry") is None:
        return  # GeoJSON allows unlocated features
    _geojson_geometry(feature["geometry"], role, shapes, where)


def _geojson_geometry(geometry, role, shapes: _Shapes, where: str) -> None:
    if not isinstance(geometry, dict):
        raise shapes.error(where, "expected a geometry object")
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        for k, part in enumerate(geometry.get("geometries") or []):
            _geojson_geometry(part, role, shapes, f"{where}, part {k}")
        return
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        raise shapes.error(where, f"{kind} without a 'coordinates' list")
    if kind == "Polygon":
        shapes.polygon(coordinates, role, where)
    elif kind == "MultiPolygon":
        for k, polygon in enumerate(coordinates):
            shapes.polygon(polygon, role, f"{where}, polygon {k}")
    elif kind == "LineString":
        shapes.line(coordinates, role, where)
    elif kind == "MultiLineString":
        for k, line in enumerate(coordinates):
            shapes.line(line, role, f"{where}, line {k}")
    else:
        raise shapes.error(where, f"geometry type {kind!r} is not supported (Polygon, MultiPolygon, "
                                  "LineString, MultiLineString, GeometryCollection)")


_WKT_TOKEN = re.compile(r"\s*(?:(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
                        r"|(?P<word>[A-Za-z_]+)|(?P<sym>[(),;=]))")


def _wkt_tokens(text: str, shapes: _Shapes) -> list[tuple[str, str, int]]:
    """(kind, value, line) tokens; '#' starts a comment to the end of the line."""
    tokens = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0]
        pos = 0
        while pos < len(line):
            if line[pos:].strip() == "":
                break
            m = _WKT_TOKEN.match(line, pos)
            if m is None or m.end() == pos:
                raise shapes.error(f"line {line_no}", f"unexpected text {line[pos:].strip()[:20]!r}")
            kind = m.lastgroup
            tokens.append((kind, m.group(kind), line_no))
            pos = m.end()
    return tokens


class _WktParser:
    """Recursive descent over the WKT tokens (only the geometry types listed in the docstring)."""

    def __init__(self, tokens, shapes: _Shapes) -> None:
        self.tokens, self.shapes, self.k = tokens, shapes, 0

    def peek(self):
        if self.k < len(self.tokens):
            return self.tokens[self.k]
        return ("end", "", self.tokens[-1][2] if self.tokens else 0)

    def take(self, kind: str, value: str | None = None):
        token = self.peek()
        if token[0] != kind or (value is not None and token[1] != value):
            wanted = value or {"num": "a number", "word": "a keyword"}.get(kind, kind)
            raise self.shapes.error(f"line {token[2]}", f"expected {wanted!r}, found {token[1] or 'the end'!r}")
        self.k += 1
        return token

    def at(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        return token[0] == kind and (value is None or token[1].upper() == value)

    def file(self) -> None:
        while self.k < len(self.tokens):
            if self.at("sym", ";"):
                self.k += 1
                continue
            if self.at("word", "SRID"):  # EWKT prefix SRID=<code>;
                self.k += 1
                self.take("sym", "=")
                self.take("num")
                self.take("sym", ";")
                continue
            self.geometry(None)

    def geometry(self, role: str | None) -> None:
        word = self.take("word")
        tag = word[1].upper()
        if word[1].lower() in ROLES and role is None:
            role, word = word[1].lower(), self.take("word")
            tag = word[1].upper()
        where = f"line {word[2]}"
        if self.at("word", "Z") or self.at("word", "M") or self.at("word", "ZM"):
            self.k += 1
        if self.at("word", "EMPTY"):
            self.k += 1
            return
        if tag == "POLYGON":
            self.shapes.polygon(self.polygon_body(), role, where)
        elif tag == "MULTIPOLYGON":
            for k, rings in enumerate(self.listed(self.polygon_body)):
                self.shapes.polygon(rings, role, f"{where}, polygon {k}")
        elif tag == "LINESTRING":
            self.shapes.line(self.points(), role, where)
        elif tag == "MULTILINESTRING":
            for k, line in enumerate(self.listed(self.points)):
                self.shapes.line(line, role, f"{where}, line {k}")
        elif tag == "GEOMETRYCOLLECTION":
            self.take("sym", "(")
            self.geometry(role)
            while self.at("sym", ","):
                self.k += 1
                self.geometry(role)
            self.take("sym", ")")
        else:
            raise self.shapes.error(where, f"WKT type {word[1]!r} is not supported (POLYGON, MULTIPOLYGON, "
                                           "LINESTRING, MULTILINESTRING, GEOMETRYCOLLECTION)")

    def listed(self, item):
        """'(' item (',' item)* ')'."""
        self.take("sym", "(")
        items = [item()]
        while self.at("sym", ","):
            self.k += 1
            items.append(item())
        self.take("sym", ")")
        return items

    def polygon_body(self):
        return self.listed(self.points)

    def points(self):
        return self.listed(self.point)

    def point(self):
        coords = [float(self.take("num")[1]), float(self.take("num")[1])]
        while self.at("num"):  # z, m
            self.k += 1
        return coords


def _read_wkt(text: str, shapes: _Shapes) -> None:
    _WktParser(_wkt_tokens(text, shapes), shapes).file()


# --------------------------------------------------------------------------------------------
# Numba kernels: orientation, crossing, closest point


@njit(cache=True)
def orientation(ax, ay, bx, by, cx, cy):
    """Sign of o(a, b, c) = (b - a) x (c - a): +1 left turn, -1 right turn, 0 collinear.

    Returns 0 also when |o| is within the rounding error bound of its two products, so a
    nearly collinear triple is treated as collinear (see the module docstring).
    """
    left = (bx - ax) * (cy - ay)
    right = (by - ay) * (cx - ax)
    det = left - right
    bound = ORIENT_REL_ERROR * (abs(left) + abs(right))
    if det > bound:
        return 1
    if det < -bound:
        return -1
    return 0


@njit(cache=True)
def _in_box(ax, ay, bx, by, cx, cy):
    """c lies in the bounding box of segment ab (c collinear with ab: c lies on ab)."""
    return min(ax, bx) <= cx <= max(ax, bx) and min(ay, by) <= cy <= max(ay, by)


@njit(cache=True)
def segment_crosses(ax, ay, bx, by, cx, cy, dx, dy):
    """True when segment ab and segment cd intersect, touching included.

    Proper crossing: o(a,b,c) o(a,b,d) < 0 and o(c,d,a) o(c,d,b) < 0. Otherwise they meet only
    if an end point of one lies on the other (collinear and within its bounding box), which
    covers touching at an end point, a T junction and collinear overlap.
    """
    o1 = orientation(ax, ay, bx, by, cx, cy)
    o2 = orientation(ax, ay, bx, by, dx, dy)
    o3 = orientation(cx, cy, dx, dy, ax, ay)
    o4 = orientation(cx, cy, dx, dy, bx, by)
    if o1 * o2 < 0 and o3 * o4 < 0:
        return True
    if o1 == 0 and _in_box(ax, ay, bx, by, cx, cy):
        return True
    if o2 == 0 and _in_box(ax, ay, bx, by, dx, dy):
        return True
    if o3 == 0 and _in_box(cx, cy, dx, dy, ax, ay):
        return True
    if o4 == 0 and _in_box(cx, cy, dx, dy, bx, by):
        return True
    return False


@njit(cache=True)
def closest_point_on_segment(px, py, ax, ay, bx, by):
    """(q_x, q_y, |p - q|): the point q of segment ab closest to p, t clamped to [0, 1]."""
    ex = bx - ax
    ey = by - ay
    length2 = ex * ex + ey * ey
    t = 0.0
    if length2 > 0.0:
        t = ((px - ax) * ex + (py - ay) * ey) / length2
        t = min(max(t, 0.0), 1.0)
    qx = ax + t * ex
    qy = ay + t * ey
    return qx, qy, math.hypot(px - qx, py - qy)


@njit(cache=True)
def _point_box_distance(px, py, x0, y0, x1, y1):
    ddx = max(x0 - px, 0.0, px - x1)
    ddy = max(y0 - py, 0.0, py - y1)
    return math.hypot(ddx, ddy)


@njit(cache=True)
def segment_box_distance(ax, ay, bx, by, x0, y0, x1, y1):
    """Distance between segment ab and the axis-aligned box [x0, x1] x [y0, y1] (0: they meet).

    Two disjoint convex polygons are closest at a vertex of one of them, so the distance is
    the smallest of the end points' distances to the box and the corners' distances to ab.
    """
    if _point_box_distance(ax, ay, x0, y0, x1, y1) == 0.0 or _point_box_distance(bx, by, x0, y0, x1, y1) == 0.0:
        return 0.0
    if (segment_crosses(ax, ay, bx, by, x0, y0, x1, y0) or segment_crosses(ax, ay, bx, by, x1, y0, x1, y1)
            or segment_crosses(ax, ay, bx, by, x1, y1, x0, y1) or segment_crosses(ax, ay, bx, by, x0, y1, x0, y0)):
        return 0.0
    best = min(_point_box_distance(ax, ay, x0, y0, x1, y1), _point_box_distance(bx, by, x0, y0, x1, y1))
    best = min(best, closest_point_on_segment(x0, y0, ax, ay, bx, by)[2])
    best = min(best, closest_point_on_segment(x1, y0, ax, ay, bx, by)[2])
    best = min(best, closest_point_on_segment(x1, y1, ax, ay, bx, by)[2])
    best = min(best, closest_point_on_segment(x0, y1, ax, ay, bx, by)[2])
    return best


# --------------------------------------------------------------------------------------------
# Wall index


@njit(cache=True)
def bucket_of(px, py, x_b, y_b, h, nbx, nby):
    """Flat index jb * nbx + ib of the bucket holding p, clamped to the bucket grid."""
    fx = (px - x_b) / h
    fy = (py - y_b) / h
    ib = 0
    jb = 0
    if fx >= 0.0:  # also false for NaN
        ib = min(int(fx), nbx - 1)
    if fy >= 0.0:
        jb = min(int(fy), nby - 1)
    return jb * nbx + ib


@njit(cache=True)
def _bucket_pass(segments, x_b, y_b, h, nbx, nby, start, segment_ids, fill):
    """Count (fill=False: into start[b + 1]) or write (fill=True) the segments near each bucket."""
    reach = h * (1.0 + 1.0e-9)  # list a segment at exactly h despite rounding: the safe side
    cursor = start[:-1].copy() if fill else start[:1].copy()
    for s in range(segments.shape[0]):
        ax, ay, bx, by = segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3]
        ib0 = max(int(math.floor((min(ax, bx) - h - x_b) / h)), 0)
        ib1 = min(int(math.floor((max(ax, bx) + h - x_b) / h)), nbx - 1)
        jb0 = max(int(math.floor((min(ay, by) - h - y_b) / h)), 0)
        jb1 = min(int(math.floor((max(ay, by) + h - y_b) / h)), nby - 1)
        for jb in range(jb0, jb1 + 1):
            for ib in range(ib0, ib1 + 1):
                x0 = x_b + ib * h
                y0 = y_b + jb * h
                if segment_box_distance(ax, ay, bx, by, x0, y0, x0 + h, y0 + h) <= reach:
                    b = jb * nbx + ib
                    if fill:
                        segment_ids[cursor[b]] = s
                        cursor[b] += 1
                    else:
                        start[b + 1] += 1


@dataclass(frozen=True, eq=False)
class WallIndex:
    """Wall segments bucketed on a uniform grid (CSR): the segments of bucket b are
    ``segment_ids[start[b]:start[b + 1]]``, every segment within ``h`` of the bucket.

    Pass ``*index.args`` to the kernels (:func:`nearest_wall_point`, :func:`move_crosses_wall`).
    """

    segments: np.ndarray     # float64[n, 4]
    start: np.ndarray        # int64[nbx * nby + 1]
    segment_ids: np.ndarray  # int64[start[-1]]
    x_b: float
    y_b: float
    h: float
    nbx: int
    nby: int

    @classmethod
    def build(cls, segments: np.ndarray, h: float) -> "WallIndex":
        segments = np.ascontiguousarray(segments, dtype=np.float64).reshape(-1, 4)
        if not h > 0 or not math.isfinite(h):
            raise ValueError(f"wall index bucket size must be positive, got {h}")
        if len(segments) == 0:
            return cls(segments, np.zeros(2, np.int64), np.zeros(0, np.int64), 0.0, 0.0, float(h), 1, 1)
        x_min = min(segments[:, 0].min(), segments[:, 2].min()) - h
        y_min = min(segments[:, 1].min(), segments[:, 3].min()) - h
        x_max = max(segments[:, 0].max(), segments[:, 2].max()) + h
        y_max = max(segments[:, 1].max(), segments[:, 3].max()) + h
        nbx = int(math.floor((x_max - x_min) / h)) + 1
        nby = int(math.floor((y_max - y_min) / h)) + 1
        if nbx * nby > MAX_BUCKETS:
            raise ValueError(f"wall index of {nbx} x {nby} buckets is too large; use a bucket size above {h:g} m")
        start = np.zeros(nbx * nby + 1, np.int64)
        _bucket_pass(segments, x_min, y_min, float(h), nbx, nby, start, start[:0], False)
        np.cumsum(start, out=start)
        segment_ids = np.empty(start[-1], np.int64)
        _bucket_pass(segments, x_min, y_min, float(h), nbx, nby, start, segment_ids, True)
        return cls(segments, start, segment_ids, float(x_min), float(y_min), float(h), nbx, nby)

    @property
    def args(self) -> tuple:
        """(segments, start, segment_ids, x_b, y_b, h, nbx, nby): the kernels' trailing arguments."""
        return (self.segments, self.start, self.segment_ids, self.x_b, self.y_b, self.h, self.nbx, self.nby)

    def segments_near(self, x: float, y: float) -> np.ndarray:
        """Ids of the segments listed for the bucket of (x, y): all those within h of it."""
        b = bucket_of(float(x), float(y), self.x_b, self.y_b, self.h, self.nbx, self.nby)
        return self.segment_ids[self.start[b]:self.start[b + 1]]


@njit(cache=True)
def nearest_wall_point(px, py, segments, start, segment_ids, x_b, y_b, h, nbx, nby):
    """(q_x, q_y, distance, segment id) of the wall point nearest to p among p's bucket.

    Exact whenever the nearest wall is within h of p; (nan, nan, inf, -1) when the bucket
    lists no segment (then no wall is within h).
    """
    b = bucket_of(px, py, x_b, y_b, h, nbx, nby)
    best_d = math.inf
    best_x = math.nan
    best_y = math.nan
    best_s = -1
    for k in range(start[b], start[b + 1]):
        s = segment_ids[k]
        qx, qy, d = closest_point_on_segment(px, py, segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3])
        if d < best_d:
            best_d, best_x, best_y, best_s = d, qx, qy, s
    return best_x, best_y, best_d, best_s


@njit(cache=True)
def move_crosses_wall(ax, ay, bx, by, segments, start, segment_ids, x_b, y_b, h, nbx, nby):
    """True when the step from a to b crosses or touches a wall segment.

    Exact for |b - a| <= h: every segment the step meets is within |b - a| of a, hence
    listed in a's bucket.
    """
    bucket = bucket_of(ax, ay, x_b, y_b, h, nbx, nby)
    for k in range(start[bucket], start[bucket + 1]):
        s = segment_ids[k]
        if segment_crosses(ax, ay, bx, by, segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3]):
            return True
    return False
