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
cross. For Numba kernels (the floor field's and the crowd forces') the segments are bucketed
on a uniform grid of square buckets of side ``h`` (:class:`WallIndex`, compressed sparse
rows): bucket ``b`` lists, in ascending order, every segment whose distance to the bucket's
square is at most ``reach`` (``h = reach`` unless asked otherwise). For a point ``p`` in
bucket ``b``,

    dist(p, s) <= reach  =>  s is listed in b,

because the distance from ``s`` to the bucket is at most the distance from ``s`` to ``p``.
So an agent whose interaction range is at most ``reach`` finds all its walls in its own
bucket, and a move shorter than ``reach`` can only touch segments listed in the bucket it
starts in. The bucket grid covers the segments' bounding box widened by ``reach``; points
outside it are clamped to the nearest bucket (:func:`cell_coords`), which keeps the property
(they are farther than ``reach`` from every segment). With no segments the index is one
empty bucket.

Blocking uses orientation tests (O'Rourke 1998, *Computational Geometry in C*, 2nd ed.,
sect. 1.5 and 7.2) on closed segments, in plain floating point: a move pq is *not* blocked by
a wall ab when p and q lie strictly on one side of line ab (o(a,b,p) o(a,b,q) > 0) or a and
b strictly on one side of line pq; when all four points are collinear it is blocked where
the two intervals overlap; otherwise it is blocked. So touching counts (an end point on the
other segment, a T junction, collinear overlap), and a blocked move is a superset of a
proper crossing (p and q strictly on opposite sides of line ab, the crossing point on the
closed segment) computed with the same floating-point orientations: the no-crossing
guarantee of :mod:`models.crowd.forces` rests on this. A wall of zero length (a post)
blocks nothing; :class:`Geometry` never makes one.

Symbols
-------

======== ============================================================ ====
symbol   meaning                                                      unit
======== ============================================================ ====
a, b     end points of a wall segment, (x, y)                          m
p, q     end points of a move (an agent's step); p also a query point  m
o(a,b,p) orientation: (b - a) x (p - a), > 0 when p is left of ab      m2
q        also: the closest point of a segment to p                     m
t        parameter of q along the segment, q = a + t (b - a), [0, 1]   1
reach    range the wall index answers for                              m
h        bucket size of the wall index (default: reach)                m
x_b, y_b lower-left corner of bucket (0, 0)                            m
======== ============================================================ ====
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
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

    def wall_index(self, reach_m: float, bucket_m: float | None = None) -> "WallIndex":
        """The segments bucketed for range queries up to ``reach_m`` (see :class:`WallIndex`)."""
        return WallIndex.build(self.segments, reach_m, bucket_m)

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
# Numba kernels: grid cells, orientation, blocking, closest point (also used by
# models.crowd.forces and models.crowd.neighbours)


@njit(cache=True, error_model="numpy")
def cell_coords(x, y, x0, y0, h, nx, ny):
    """(i_x, i_y) of the cell of side h holding (x, y) on the nx by ny grid from (x0, y0),
    clamped into the grid (NaN goes to cell 0)."""
    fx = (x - x0) / h
    fy = (y - y0) / h
    if not fx >= 0.0:  # also catches NaN
        ix = 0
    elif fx >= nx:
        ix = nx - 1
    else:
        ix = int(fx)
    if not fy >= 0.0:
        iy = 0
    elif fy >= ny:
        iy = ny - 1
    else:
        iy = int(fy)
    return ix, iy


@njit(cache=True, error_model="numpy")
def orient(ax, ay, bx, by, px, py):
    """o(a, b, p) = (b - a) x (p - a): > 0 when p is left of the line a -> b, 0 on it."""
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax)


@njit(cache=True, error_model="numpy")
def blocks(ax, ay, bx, by, px, py, qx, qy):
    """True when the move p -> q touches or crosses the closed wall segment ab.

    Not blocked when p and q lie strictly on one side of line ab, or a and b strictly on one
    side of line pq; all four collinear: blocked where the two intervals overlap; otherwise
    blocked (see the module docstring). A wall of zero length (a post) blocks nothing.
    """
    if ax == bx and ay == by:
        return False
    o_p = orient(ax, ay, bx, by, px, py)
    o_q = orient(ax, ay, bx, by, qx, qy)
    if (o_p > 0.0 and o_q > 0.0) or (o_p < 0.0 and o_q < 0.0):
        return False
    o_a = orient(px, py, qx, qy, ax, ay)
    o_b = orient(px, py, qx, qy, bx, by)
    if (o_a > 0.0 and o_b > 0.0) or (o_a < 0.0 and o_b < 0.0):
        return False
    if o_p == 0.0 and o_q == 0.0:
        # All four collinear: blocked where the two intervals overlap on the line.
        ux = bx - ax
        uy = by - ay
        sp = (px - ax) * ux + (py - ay) * uy
        sq = (qx - ax) * ux + (qy - ay) * uy
        return max(sp, sq) >= 0.0 and min(sp, sq) <= ux * ux + uy * uy
    return True


@njit(cache=True, error_model="numpy")
def segment_parameter(ax, ay, bx, by, px, py):
    """t in [0, 1] of the point of segment ab closest to p (0: at a, 1: at b; 0 for a segment of
    zero length)."""
    ux = bx - ax
    uy = by - ay
    length2 = ux * ux + uy * uy
    if length2 > 0.0:
        return min(max(((px - ax) * ux + (py - ay) * uy) / length2, 0.0), 1.0)
    return 0.0


@njit(cache=True, error_model="numpy")
def segment_point(ax, ay, bx, by, t):
    """The point a + t (b - a) of segment ab."""
    return ax + t * (bx - ax), ay + t * (by - ay)


@njit(cache=True, error_model="numpy")
def closest_point(ax, ay, bx, by, px, py):
    """(q_x, q_y): the point q of segment ab closest to p, t clamped to [0, 1]."""
    return segment_point(ax, ay, bx, by, segment_parameter(ax, ay, bx, by, px, py))


@njit(cache=True, error_model="numpy")
def acts_once(w, t, px, py, segments, end_vertex, vertex_start, vertex_segments):
    """Whether wall w's interaction with a body at p counts, p's nearest point of w being at
    parameter t. Interior points always count. At an end (t = 0: a, t = 1: b), a vertex V that
    other segments may share (a polygon corner, a joint of collinear segments), the wall is one
    surface, so V acts once: it counts unless another segment s ending at V has its nearest
    point to p elsewhere (then s, nearer or as near, carries the interaction through its
    interior) or also at V with s < w (the lowest index carries a contact at V)."""
    if 0.0 < t < 1.0:
        return True
    v = end_vertex[w, 0 if t <= 0.0 else 1]
    for kk in range(vertex_start[v], vertex_start[v + 1]):
        s = vertex_segments[kk]
        if s == w:
            continue
        t_s = segment_parameter(segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3], px, py)
        at_v = (t_s <= 0.0 and end_vertex[s, 0] == v) or (t_s >= 1.0 and end_vertex[s, 1] == v)
        if not at_v or s < w:
            return False
    return True


def shared_vertices(segments) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(end_vertex int64[n, 2], vertex_start, vertex_segments): the vertex id of each segment's
    ends a and b (ends equal to the last bit share one) and, per vertex v, the segments ending
    there, ``vertex_segments[vertex_start[v]:vertex_start[v + 1]]`` in ascending order."""
    segments = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    ends = segments.reshape(-1, 2)  # a_0, b_0, a_1, b_1, ...
    if not len(ends):
        return np.zeros((0, 2), np.int64), np.zeros(1, np.int64), np.zeros(0, np.int64)
    _, ids = np.unique(ends, axis=0, return_inverse=True)
    ids = ids.reshape(-1).astype(np.int64)
    order = np.argsort(ids, kind="stable")
    vertex_start = np.concatenate([[0], np.cumsum(np.bincount(ids))]).astype(np.int64)
    return ids.reshape(-1, 2), vertex_start, (order // 2).astype(np.int64)


@njit(cache=True, error_model="numpy")
def point_segment_distance(ax, ay, bx, by, px, py):
    """|p - q|, the distance from p to segment ab (q: :func:`closest_point`)."""
    qx, qy = closest_point(ax, ay, bx, by, px, py)
    return math.hypot(px - qx, py - qy)


@njit(cache=True, error_model="numpy")
def _point_box_distance(px, py, x0, y0, x1, y1):
    ddx = max(x0 - px, 0.0, px - x1)
    ddy = max(y0 - py, 0.0, py - y1)
    return math.hypot(ddx, ddy)


@njit(cache=True, error_model="numpy")
def segment_box_distance(ax, ay, bx, by, x0, y0, x1, y1):
    """Distance between segment ab and the axis-aligned box [x0, x1] x [y0, y1] (0: they meet).

    Two disjoint convex polygons are closest at a vertex of one of them, so the distance is
    the smallest of the end points' distances to the box and the corners' distances to ab.
    """
    d_a = _point_box_distance(ax, ay, x0, y0, x1, y1)
    d_b = _point_box_distance(bx, by, x0, y0, x1, y1)
    if d_a == 0.0 or d_b == 0.0:
        return 0.0
    if (blocks(x0, y0, x1, y0, ax, ay, bx, by) or blocks(x1, y0, x1, y1, ax, ay, bx, by)
            or blocks(x1, y1, x0, y1, ax, ay, bx, by) or blocks(x0, y1, x0, y0, ax, ay, bx, by)):
        return 0.0
    best = min(d_a, d_b)
    best = min(best, point_segment_distance(ax, ay, bx, by, x0, y0))
    best = min(best, point_segment_distance(ax, ay, bx, by, x1, y0))
    best = min(best, point_segment_distance(ax, ay, bx, by, x1, y1))
    best = min(best, point_segment_distance(ax, ay, bx, by, x0, y1))
    return best


# --------------------------------------------------------------------------------------------
# Wall index


@njit(cache=True, error_model="numpy")
def bucket_of(px, py, x_b, y_b, h, nbx, nby):
    """Flat index jb * nbx + ib of the bucket holding p, clamped to the bucket grid."""
    ib, jb = cell_coords(px, py, x_b, y_b, h, nbx, nby)
    return jb * nbx + ib


@njit(cache=True, error_model="numpy")
def _bucket_pass(segments, x_b, y_b, h, nbx, nby, reach, start, segment_ids, fill):
    """Count (fill=False: into start[b + 1]) or write (fill=True) the segments within reach of
    each bucket, in ascending segment order."""
    within = reach * (1.0 + 1.0e-9)  # list a segment at exactly reach despite rounding: the safe side
    cursor = start[:-1].copy() if fill else start[:1].copy()
    for s in range(segments.shape[0]):
        ax, ay, bx, by = segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3]
        # One bucket more on every side, so that rounding in floor() never leaves one out.
        ib0 = max(int(math.floor((min(ax, bx) - reach - x_b) / h)) - 1, 0)
        ib1 = min(int(math.floor((max(ax, bx) + reach - x_b) / h)) + 1, nbx - 1)
        jb0 = max(int(math.floor((min(ay, by) - reach - y_b) / h)) - 1, 0)
        jb1 = min(int(math.floor((max(ay, by) + reach - y_b) / h)) + 1, nby - 1)
        for jb in range(jb0, jb1 + 1):
            for ib in range(ib0, ib1 + 1):
                x0 = x_b + ib * h
                y0 = y_b + jb * h
                if segment_box_distance(ax, ay, bx, by, x0, y0, x0 + h, y0 + h) <= within:
                    b = jb * nbx + ib
                    if fill:
                        segment_ids[cursor[b]] = s
                        cursor[b] += 1
                    else:
                        start[b + 1] += 1


@dataclass(frozen=True, eq=False)
class WallIndex:
    """Wall segments bucketed on a uniform grid (CSR): the segments of bucket b are
    ``segment_ids[start[b]:start[b + 1]]`` (ascending), every segment within ``reach`` of some
    point of the bucket; buckets have side ``h`` (see the module docstring).

    Pass ``*index.kernel_args()`` to the kernels (:func:`nearest_wall_point`,
    :func:`move_crosses_wall`, :func:`wall_candidates`, the floor field's and the crowd
    forces' kernels).
    """

    segments: np.ndarray     # float64[n, 4]
    start: np.ndarray        # int64[nbx * nby + 1]
    segment_ids: np.ndarray  # int64[start[-1]]
    x_b: float
    y_b: float
    h: float
    nbx: int
    nby: int
    reach: float

    @classmethod
    def build(cls, segments, reach: float, bucket: float | None = None) -> "WallIndex":
        """Index ``segments`` (n, 4) for queries within ``reach`` (m), on buckets of side
        ``bucket`` (m, default ``reach``)."""
        segments = np.ascontiguousarray(np.asarray(segments, dtype=np.float64).reshape(-1, 4))
        if not np.all(np.isfinite(segments)):
            raise ValueError("wall segments must be finite")
        h = float(reach if bucket is None else bucket)
        for name, value in (("reach", reach), ("bucket size", h)):
            if not value > 0 or not math.isfinite(value):
                raise ValueError(f"wall index {name} must be positive, got {value}")
        reach = float(reach)
        if len(segments) == 0:
            return cls(segments, np.zeros(2, np.int64), np.zeros(0, np.int64), 0.0, 0.0, h, 1, 1, reach)
        x_min = min(segments[:, 0].min(), segments[:, 2].min()) - reach
        y_min = min(segments[:, 1].min(), segments[:, 3].min()) - reach
        x_max = max(segments[:, 0].max(), segments[:, 2].max()) + reach
        y_max = max(segments[:, 1].max(), segments[:, 3].max()) + reach
        nbx = int(math.floor((x_max - x_min) / h)) + 1
        nby = int(math.floor((y_max - y_min) / h)) + 1
        if nbx * nby > MAX_BUCKETS:
            raise ValueError(f"wall index of {nbx} x {nby} buckets is too large; use a bucket size above {h:g} m")
        start = np.zeros(nbx * nby + 1, np.int64)
        _bucket_pass(segments, x_min, y_min, h, nbx, nby, reach, start, start[:0], False)
        np.cumsum(start, out=start)
        segment_ids = np.empty(start[-1], np.int64)
        _bucket_pass(segments, x_min, y_min, h, nbx, nby, reach, start, segment_ids, True)
        return cls(segments, start, segment_ids, float(x_min), float(y_min), h, nbx, nby, reach)

    @property
    def n_walls(self) -> int:
        return int(self.segments.shape[0])

    def kernel_args(self) -> tuple:
        """(segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach): the kernels' wall arguments."""
        return (self.segments, self.start, self.segment_ids, self.x_b, self.y_b, self.h, self.nbx, self.nby,
                self.reach)

    @cached_property
    def vertex_args(self) -> tuple:
        """(end_vertex, vertex_start, vertex_segments) of :func:`shared_vertices`, for the kernels
        that count an interaction at a shared vertex once (:func:`acts_once`)."""
        return shared_vertices(self.segments)

    def segments_near(self, x: float, y: float) -> np.ndarray:
        """Ids of the segments listed for the bucket of (x, y): all those within reach of it."""
        b = bucket_of(float(x), float(y), self.x_b, self.y_b, self.h, self.nbx, self.nby)
        return self.segment_ids[self.start[b]:self.start[b + 1]]


@njit(cache=True, error_model="numpy")
def wall_candidates(px, py, need, segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach):
    """(lo, hi, all_walls): the walls to examine for the segments within ``need`` of p.

    The bucket of p when need <= reach (k in [lo, hi) -> segment_ids[k]), else every wall
    (k in [0, n) -> k).
    """
    if need <= reach:
        b = bucket_of(px, py, x_b, y_b, h, nbx, nby)
        return start[b], start[b + 1], False
    return 0, segments.shape[0], True


@njit(cache=True, error_model="numpy")
def any_blocks(px, py, qx, qy, lo, hi, all_walls, segments, segment_ids):
    """True when one of the walls lo..hi of :func:`wall_candidates` blocks the move p -> q."""
    for k in range(lo, hi):
        s = k if all_walls else segment_ids[k]
        if blocks(segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3], px, py, qx, qy):
            return True
    return False


@njit(cache=True, error_model="numpy")
def nearest_wall_point(px, py, segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach):
    """(q_x, q_y, distance, segment id) of the wall point nearest to p among p's bucket.

    Exact whenever the nearest wall is within reach of p; (nan, nan, inf, -1) when the bucket
    lists no segment (then no wall is within reach).
    """
    b = bucket_of(px, py, x_b, y_b, h, nbx, nby)
    best_d = math.inf
    best_x = math.nan
    best_y = math.nan
    best_s = -1
    for k in range(start[b], start[b + 1]):
        s = segment_ids[k]
        qx, qy = closest_point(segments[s, 0], segments[s, 1], segments[s, 2], segments[s, 3], px, py)
        d = math.hypot(px - qx, py - qy)
        if d < best_d:
            best_d, best_x, best_y, best_s = d, qx, qy, s
    return best_x, best_y, best_d, best_s


@njit(cache=True, error_model="numpy")
def move_crosses_wall(ax, ay, bx, by, segments, start, segment_ids, x_b, y_b, h, nbx, nby, reach):
    """True when a wall segment blocks the step from a to b (:func:`blocks`: touching counts).

    Exact for |b - a| <= reach: every segment the step meets is within |b - a| of a, hence
    listed in a's bucket.
    """
    b = bucket_of(ax, ay, x_b, y_b, h, nbx, nby)
    return any_blocks(ax, ay, bx, by, start[b], start[b + 1], False, segments, segment_ids)
