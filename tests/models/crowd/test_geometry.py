"""Crowd geometry: GeoJSON / WKT reading, containment, segment blocking, nearest wall point
and the wall index, each against a plain brute-force computation."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from pydantic import ValidationError

from models.crowd.geometry import (
    OBSTACLE_EDGE,
    THIN_WALL,
    WALKABLE_EDGE,
    Geometry,
    GeometryFileError,
    GeometrySpec,
    MAX_BUCKETS,
    WallIndex,
    blocks,
    move_crosses_wall,
    nearest_wall_point,
)
from sim.grid import RasterGrid

# A 12 m x 8 m hall with a pillar (hole), a stall (separate obstacle) and a barrier (thin wall).
HALL = [(0.0, 0.0), (12.0, 0.0), (12.0, 8.0), (0.0, 8.0)]
PILLAR = [(3.0, 3.0), (3.0, 4.0), (4.0, 4.0), (4.0, 3.0)]
STALL = [(8.0, 5.0), (10.0, 5.0), (10.0, 6.5), (8.0, 6.5)]
BARRIER = [(6.0, 0.0), (6.0, 2.5), (7.0, 3.0)]


def inline_hall() -> Geometry:
    return Geometry.from_spec(GeometrySpec(walkable_m=[HALL], obstacles_m=[PILLAR, STALL], walls_m=[BARRIER]))


def closed(ring):
    return [list(p) for p in ring] + [list(ring[0])]


def wkt_ring(points):
    return "(" + ", ".join(f"{x} {y}" for x, y in [*points, points[0]]) + ")"


def test_geojson_and_wkt_give_the_inline_segments(tmp_path):
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "hall"},  # role defaults to walkable
             "geometry": {"type": "Polygon", "coordinates": [closed(HALL), closed(PILLAR)]}},
            {"type": "Feature", "properties": {"role": "obstacle"},
             "geometry": {"type": "MultiPolygon", "coordinates": [[[[*p, 1.5] for p in closed(STALL)]]]}},
            {"type": "Feature", "properties": {"role": "wall"},
             "geometry": {"type": "LineString", "coordinates": [list(p) for p in BARRIER]}},
            {"type": "Feature", "properties": {}, "geometry": None},
        ],
    }
    (tmp_path / "hall.geojson").write_text(json.dumps(geojson))

    wkt = (f"# hall of the test\nSRID=25832;POLYGON ({wkt_ring(HALL)}, {wkt_ring(PILLAR)})\n"
           f"obstacle MULTIPOLYGON Z (({wkt_ring(STALL).replace(',', ' 0,').replace(')', ' 0)')}));\n"
           f"LINESTRING ({', '.join(f'{x} {y}' for x, y in BARRIER)})\n")
    (tmp_path / "hall.wkt").write_text(wkt)

    expected = inline_hall()
    for name in ("hall.geojson", "hall.wkt"):
        got = Geometry.from_spec(GeometrySpec(file=str(tmp_path / name)))
        np.testing.assert_array_equal(got.segments, expected.segments, err_msg=name)
        np.testing.assert_array_equal(got.segment_kind, expected.segment_kind, err_msg=name)
    assert expected.segments.shape == (4 + 4 + 4 + 2, 4)
    assert list(expected.segment_kind) == [WALKABLE_EDGE] * 4 + [OBSTACLE_EDGE] * 8 + [THIN_WALL] * 2


def test_file_and_inline_shapes_add_up(tmp_path):
    (tmp_path / "hall.wkt").write_text(f"POLYGON (({', '.join(f'{x} {y}' for x, y in HALL)}))")
    spec = GeometrySpec(file=str(tmp_path / "hall.wkt"), obstacles_m=[PILLAR])
    geometry = Geometry.from_spec(spec)
    assert len(geometry.walkable) == 1 and len(geometry.obstacles) == 1
    assert not geometry.contains(3.5, 3.5) and geometry.contains(5.0, 5.0)


def test_holes_are_obstacles_and_contains():
    geometry = inline_hall()
    assert len(geometry.obstacles) == 2  # the hole and the stall
    x = np.array([0.5, 3.5, 5.0, 9.0, 11.9, 12.5, -0.1, 6.0, 3.9, 7.0])
    y = np.array([0.5, 3.5, 3.5, 6.0, 7.9, 4.0, 4.0, 7.0, 4.1, 1.0])
    expected = [True, False, True, False, True, False, False, True, True, True]
    assert geometry.contains(x, y).tolist() == expected
    # broadcasting: a row of points against one y
    assert geometry.contains(np.array([[1.0, 3.5]]), 3.5).shape == (1, 2)


def test_walkable_mask_is_contains_at_cell_centres():
    geometry = inline_hall()
    grid = RasterGrid(shape=(16, 24), spacing_m=(0.5, 0.5))
    mask = geometry.walkable_mask(grid)
    X, Y = np.meshgrid(grid.x, grid.y)
    np.testing.assert_array_equal(mask, geometry.contains(X, Y))
    # pillar 1 m2 = 4 cells, stall 3 m2 = 12 cells
    assert mask.sum() == 16 * 24 - 4 - 12


def test_an_l_shaped_room():
    room = Geometry.from_shapes([[(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)]])
    assert room.contains([0.5, 3.5, 0.5, 2.0, 3.0], [3.5, 0.5, 0.5, 2.0, 3.0]).tolist() == [True, True, True, False,
                                                                                           False]


@pytest.mark.parametrize("a, b, p, q, expected", [
    ((0, 0), (2, 2), (0, 2), (2, 0), True),           # proper crossing
    ((0, 0), (2, 0), (0, 1), (2, 1), False),          # parallel
    ((0, 0), (2, 0), (1, 0), (3, 0), True),           # collinear, overlapping
    ((0, 0), (1, 0), (2, 0), (3, 0), False),          # collinear, apart
    ((0, 0), (1, 0), (1, 0), (2, 5), True),           # touching end to end
    ((0, 0), (2, 0), (1, 0), (1, 3), True),           # T junction: an end on the other's interior
    ((0, 0), (2, 0), (1, 1e-9), (1, 3), False),       # a near miss above
    ((0, 0), (2, 0), (3, -1), (3, 1), False),         # would cross the extension only
    ((0.1, 0.1), (0.7, 0.7), (0.3, 0.3), (0.5, 0.5), True),  # collinear containment, inexact decimals
])
def test_blocks(a, b, p, q, expected):
    a, b, p, q = (tuple(map(float, x)) for x in (a, b, p, q))  # one compiled signature
    assert blocks(*a, *b, *p, *q) is expected
    assert blocks(*p, *q, *a, *b) is expected  # symmetric between wall and move ...
    assert blocks(*b, *a, *q, *p) is expected  # ... and the direction of either does not matter


@pytest.mark.parametrize("a, b, p, q, expected", [
    ((0, 0), (2, 2), (1, 1), (1, 1), True),           # a move of zero length on the wall
    ((0, 0), (2, 0), (1, 1), (1, 1), False),          # ... off it
    ((1, 1), (1, 1), (0, 0), (2, 2), False),          # a wall of zero length (a post) blocks nothing
])
def test_blocks_with_zero_length(a, b, p, q, expected):
    a, b, p, q = (tuple(map(float, x)) for x in (a, b, p, q))
    assert blocks(*a, *b, *p, *q) is expected


def random_segments(rng, n, size=10.0):
    start = rng.uniform(0, size, (n, 2))
    length = rng.exponential(1.5, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    end = start + length[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return np.column_stack([start, end])


def point_segment_distance(px, py, segments):
    """Brute force: distance from each point (px[k], py[k]) to each segment, float[k, n]."""
    a, b = segments[None, :, :2], segments[None, :, 2:]
    p = np.stack([np.asarray(px, float), np.asarray(py, float)], axis=-1)[:, None, :]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-300), 0, 1)
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1)


def test_nearest_wall_point_against_brute_force():
    rng = np.random.default_rng(7)
    segments = random_segments(rng, 80)
    index = WallIndex.build(segments, 1.0)
    points = rng.uniform(-1, 11, (3000, 2))
    brute = point_segment_distance(points[:, 0], points[:, 1], segments)
    found = 0
    for (px, py), row in zip(points, brute):
        qx, qy, d, s = nearest_wall_point(px, py, *index.kernel_args())
        if row.min() <= index.reach:  # within range: exact
            found += 1
            assert d == pytest.approx(row.min(), abs=1e-12)
            assert row[s] == pytest.approx(d, abs=1e-12)
            assert np.hypot(px - qx, py - qy) == pytest.approx(d, abs=1e-12)
            assert point_segment_distance([qx], [qy], segments[s:s + 1])[0, 0] < 1e-12  # q lies on segment s
        else:
            assert d >= row.min() - 1e-12  # never closer than the truth
    assert found > 1000


def box_segment_distance(boxes, segments):
    """Brute force distance of every box [x0, y0, x1, y1] to every segment, float[nb, ns].

    Sampled on the box outline (0 where an end point lies inside the box): an overestimate
    by at most half the sample spacing h / 40, used with that tolerance.
    """
    u = np.linspace(0.0, 1.0, 41)
    zeros, ones = np.zeros_like(u), np.ones_like(u)
    ox = np.concatenate([u, ones, u, zeros])
    oy = np.concatenate([zeros, u, ones, u])
    out = np.empty((len(boxes), len(segments)))
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        out[k] = point_segment_distance(x0 + ox * (x1 - x0), y0 + oy * (y1 - y0), segments).min(axis=0)
        for end in (segments[:, :2], segments[:, 2:]):
            inside = (end[:, 0] >= x0) & (end[:, 0] <= x1) & (end[:, 1] >= y0) & (end[:, 1] <= y1)
            out[k, inside] = 0.0
    return out


@pytest.mark.parametrize("reach, bucket", [(0.8, None), (0.9, 0.7), (0.5, 1.3)])
def test_wall_index_lists_every_segment_within_reach(reach, bucket):
    rng = np.random.default_rng(3)
    segments = random_segments(rng, 60)
    index = WallIndex.build(segments, reach, bucket)
    h = index.h
    assert h == (reach if bucket is None else bucket) and index.reach == reach
    ib, jb = np.meshgrid(np.arange(index.nbx), np.arange(index.nby))
    x0 = index.x_b + ib.ravel() * h
    y0 = index.y_b + jb.ravel() * h
    distance = box_segment_distance(np.column_stack([x0, y0, x0 + h, y0 + h]), segments)
    spacing = h / 40  # the sampled distance exceeds the true one by at most this
    for b in range(index.nbx * index.nby):
        ids = index.segment_ids[index.start[b]:index.start[b + 1]]
        assert np.all(np.diff(ids) > 0), b  # ascending: the kernels sum walls in index order
        listed = set(ids.tolist())
        assert {s for s in range(len(segments)) if distance[b, s] <= reach} <= listed, b
        assert listed <= {s for s in range(len(segments)) if distance[b, s] <= reach + spacing}, b
    # the guarantee that matters: every segment within reach of a point is in its bucket, also
    # for points outside the bucket grid (clamped to its border)
    points = rng.uniform(-4, 14, (3000, 2))
    brute = point_segment_distance(points[:, 0], points[:, 1], segments)
    for (px, py), row in zip(points, brute):
        assert set(np.flatnonzero(row <= reach).tolist()) <= set(index.segments_near(px, py).tolist())


def test_wall_index_limits():
    empty = WallIndex.build(np.zeros((0, 4)), 0.5)
    assert empty.n_walls == 0 and empty.nbx * empty.nby == 1 and empty.segments_near(3.0, -7.0).size == 0
    assert not move_crosses_wall(0.0, 0.0, 1.0, 1.0, *empty.kernel_args())
    one = WallIndex.build([[0.0, 0.0, 1.0, 0.0]], 0.5)
    for x, y in [(0.5, 0.3), (1e300, -1e300), (np.nan, 0.2)]:  # far and NaN points clamp into the grid
        assert one.segments_near(x, y).size <= 1
    with pytest.raises(ValueError, match="too large"):
        WallIndex.build([[0.0, 0.0, 1.0e4, 1.0e4]], 1.0e4 / np.sqrt(MAX_BUCKETS) / 2)
    with pytest.raises(ValueError, match="reach must be positive"):
        WallIndex.build([[0.0, 0.0, 1.0, 0.0]], 0.0)
    with pytest.raises(ValueError, match="bucket size must be positive"):
        WallIndex.build([[0.0, 0.0, 1.0, 0.0]], 1.0, np.inf)
    with pytest.raises(ValueError, match="finite"):
        WallIndex.build([[0.0, 0.0, np.nan, 0.0]], 1.0)


def test_move_crosses_wall_against_brute_force():
    rng = np.random.default_rng(11)
    segments = random_segments(rng, 40)
    index = WallIndex.build(segments, 0.5)
    a = rng.uniform(0, 10, (2000, 2))
    angle = rng.uniform(0, 2 * np.pi, 2000)
    b = a + 0.5 * rng.uniform(0, 1, (2000, 1)) * np.column_stack([np.cos(angle), np.sin(angle)])
    for (ax, ay), (bx, by) in zip(a, b):
        brute = any(blocks(*s, ax, ay, bx, by) for s in segments)
        assert move_crosses_wall(ax, ay, bx, by, *index.kernel_args()) == brute


def test_bad_shapes_and_files(tmp_path):
    with pytest.raises(ValidationError, match="at least 3 distinct points"):
        GeometrySpec(walkable_m=[[(0, 0), (1, 1), (0, 0)]])
    with pytest.raises(ValidationError, match="walkable_m polygon or a file"):
        GeometrySpec(obstacles_m=[PILLAR])
    with pytest.raises(ValidationError, match="not found"):
        GeometrySpec(file=str(tmp_path / "missing.geojson"))
    with pytest.raises(ValidationError, match="extra"):
        GeometrySpec(walkable_m=[HALL], exits=[])
    cases = {
        "role.geojson": (json.dumps({"type": "Feature", "properties": {"role": "door"},
                                     "geometry": {"type": "Polygon", "coordinates": [closed(HALL)]}}),
                         "feature: role must be one of"),
        "island.geojson": (json.dumps({"type": "Feature", "properties": {"role": "obstacle"},
                                       "geometry": {"type": "Polygon", "coordinates": [closed(HALL), closed(PILLAR)]}}),
                           "cannot have holes"),
        "point.geojson": (json.dumps({"type": "Point", "coordinates": [1, 2]}), "'Point' is not"),
        "broken.json": ("{", "not valid JSON"),
        "type.wkt": ("POINT (1 2)", "line 1: WKT type 'POINT' is not supported"),
        "paren.wkt": ("POLYGON ((0 0, 1 0, 1 1)", re.escape("expected ')'")),
        "lines.wkt": ("LINESTRING (0 0, 1 1)", "no walkable polygon"),
        "walkline.wkt": (f"POLYGON ({wkt_ring(HALL)})\nwalkable LINESTRING (0 0, 1 1)",
                         "line 2: a line can only be a wall"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(GeometryFileError, match=message):
            Geometry.from_file(tmp_path / name)
