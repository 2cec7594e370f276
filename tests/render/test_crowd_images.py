"""Cameras see the crowd: people as "person" pixels, one instance per agent, 306 K in the
thermal view, the "crowd" class where the density is high, and the crowd model's visuals."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr

from sim.grid import RasterGrid
from sim.render.images import annotations as ann
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.images.layers import Agents, SceneLayers
from sim.render.images.renderer import ImageRenderer
from sim.render.images.views import PERSON_TEMPERATURE_K, agent_footprint

GRID = RasterGrid(shape=(100, 100), spacing_m=(0.2, 0.2))  # 20 m x 20 m
GSD = 0.05  # 400 px over 20 m
CAMERA = CameraConfig(name="top", views=["rgb", "thermal"], width_px=400, height_px=400)
PERSON, CROWD = ann.CLASS_TABLE["person"], ann.CLASS_TABLE["crowd"]


class Scene:
    def __init__(self, agents=None, density=None):
        self.agents, self.density = agents, density

    def visual_layers(self, state, t):
        return SceneLayers(agents=self.agents, crowd_density_per_m2=self.density)


def render(tmp_path, scene, cameras=(CAMERA,)):
    renderer = ImageRenderer(tmp_path, [scene], GRID, ImagesConfig(ground_temperature_c=20.0), list(cameras), 3,
                             1e6, "2026-06-01T12:00:00")
    layers = renderer.scene(None, 0.0)
    for camera in renderer.cameras:
        renderer._frame(camera, layers, 0.0)
    renderer.close()
    with xr.open_dataset(tmp_path / "images" / "top" / "ground_truth.nc") as ds:
        frame = ds.isel(time=0).load()
    coco = json.loads((tmp_path / "images" / "coco.json").read_text())
    return frame, coco


def pixel_of(x, y):
    """(row, column) of the pixel whose ground point is nearest (x, y); row 0 is the north edge."""
    return int((20.0 - y) / GSD), int(x / GSD)


AGENTS = Agents(np.array([[4.0, 4.0], [10.0, 12.0], [15.0, 6.0]]), np.array([0.25, 0.3, 0.2]), 1.75,
                np.array([7, 42, 3]))


def test_each_agent_is_its_own_person_instance_with_its_area_and_306_K(tmp_path):
    frame, coco = render(tmp_path, Scene(AGENTS))
    semantic = frame.semantic_class.values
    instance = frame.instance_id.values
    person_id = frame.person_id.values
    seen = set()
    for (x, y), r, ident in zip(AGENTS.positions_m, AGENTS.radii_m, AGENTS.ids):
        row, col = pixel_of(x, y)
        assert semantic[row, col] == PERSON
        assert person_id[row, col] == ident
        mine = person_id == ident
        assert np.all(semantic[mine] == PERSON)
        assert len(np.unique(instance[mine])) == 1  # one instance per agent ...
        seen.add(int(instance[row, col]))
        assert mine.sum() == pytest.approx(math.pi * r**2 / GSD**2, rel=0.05)  # the footprint's area
        assert float(frame.surface_temperature.values[row, col]) == PERSON_TEMPERATURE_K
        assert float(frame.thermal_brightness_temperature.values[row, col]) == pytest.approx(306.0, abs=1.0)
    assert len(seen) == 3  # ... and three different ones
    assert np.all((person_id >= 0) == (semantic == PERSON))
    people = [a for a in coco["annotations"] if a["category_id"] == PERSON]
    assert len(people) == 3 * 2  # one per agent in each of the two views
    areas = sorted(a["area"] for a in people if a["image_id"] == 1)
    expected = sorted(math.pi * r**2 / GSD**2 for r in AGENTS.radii_m)
    np.testing.assert_allclose(areas, expected, rtol=0.05)
    assert all(a["iscrowd"] == 0 for a in people)
    # The RLE is the agent's mask (row-major truth vs the column-major COCO runs).
    for a in people[:3]:
        mask = ann.decode_rle(a["segmentation"])
        assert mask.sum() == a["area"]
        ids = np.unique(person_id[mask])
        assert ids.size == 1
        np.testing.assert_array_equal(mask, person_id == ids[0])
        x, y, w, h = a["bbox"]
        rows, cols = np.nonzero(mask)
        assert (x, y, w, h) == (cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1)


def test_two_touching_agents_are_two_instances(tmp_path):
    agents = Agents(np.array([[10.0, 10.0], [10.5, 10.0]]), 0.25, 1.75, np.array([1, 2]))
    frame, coco = render(tmp_path, Scene(agents))
    person_id, instance = frame.person_id.values, frame.instance_id.values
    a, b = instance[person_id == 1], instance[person_id == 2]
    assert np.unique(a).size == 1 and np.unique(b).size == 1 and a[0] != b[0]
    # The two footprints touch: 8-connected components would have merged them.
    assert ann.instances(frame.semantic_class.values == PERSON)[1].__len__() == 1
    assert sum(1 for x in coco["annotations"] if x["category_id"] == PERSON and x["image_id"] == 1) == 2


def test_crowd_where_the_density_exceeds_the_threshold_and_people_stay_people(tmp_path):
    X, _ = np.meshgrid(GRID.x, GRID.y)
    density = np.where(X > 10.0, 6.0, 1.0)  # dense east half
    agents = Agents(np.array([[15.0, 10.0], [5.0, 10.0]]), 0.25, 1.75, np.array([1, 2]))
    frame, coco = render(tmp_path, Scene(agents, density))
    semantic = frame.semantic_class.values
    assert semantic[pixel_of(15.0, 10.0)] == PERSON  # the person over the crowd
    assert semantic[pixel_of(5.0, 10.0)] == PERSON
    assert semantic[pixel_of(15.0, 15.0)] == CROWD
    assert semantic[pixel_of(5.0, 15.0)] == 0
    crowd = semantic == CROWD
    density_px = frame.crowd_density.values
    np.testing.assert_array_equal(crowd, (density_px > 4.0) & (semantic != PERSON))
    regions = [a for a in coco["annotations"] if a["category_id"] == CROWD]
    assert regions and all(a["iscrowd"] == 1 for a in regions)


def test_footprint_matches_brute_force():
    rng = np.random.default_rng(1)
    n = 10_000
    agents = Agents(rng.uniform(0, 100, (n, 2)), rng.uniform(0.2, 0.3, n), 1.75, np.arange(n))
    cols, rows = np.meshgrid(np.arange(512) + 0.5, np.arange(512) + 0.5)
    xs, ys = cols * (100 / 512), 100 - rows * (100 / 512)
    index = agent_footprint(agents, xs, ys)
    sub = (slice(100, 160), slice(200, 260))
    px, py = xs[sub].ravel(), ys[sub].ravel()
    d2 = (px[:, None] - agents.positions_m[:, 0]) ** 2 + (py[:, None] - agents.positions_m[:, 1]) ** 2
    q = d2 / agents.radii_m**2
    brute = np.where(q.min(axis=1) <= 1.0, q.argmin(axis=1), -1)
    np.testing.assert_array_equal(index[sub].ravel(), brute)


def test_crowd_model_visuals(tmp_path):
    from models.crowd import visuals
    from models.crowd.model import Crowd, CrowdParams
    from sim.fields import FieldSet

    grid = RasterGrid(shape=(40, 80), spacing_m=(0.25, 0.25))
    params = {"geometry": {"walkable_m": [[(0, 0), (20, 0), (20, 10), (0, 10)]]},
              "exits": [{"name": "end", "line_m": [(20, 0), (20, 10)]}],
              "sources": [{"box_m": (1.0, 1.0, 6.0, 9.0), "count": 20, "radius_m": 0.25}], "slope": (0.05, 0.0)}
    model = Crowd(grid, CrowdParams.model_validate(params), np.random.default_rng(0))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    model.diagnose(state, 0.0)
    layers = visuals.visual_layers(model, state, 0.0)
    assert len(layers.agents) == 20
    np.testing.assert_allclose(layers.agents.radii_m, 0.25)
    np.testing.assert_allclose(layers.agents.heights_m, 1.75)
    assert np.unique(layers.agents.ids).size == 20
    assert layers.crowd_density_per_m2.shape == grid.shape
    X, Y = np.meshgrid(grid.x, grid.y)
    np.testing.assert_allclose(layers.elevation_m, 0.05 * X)
    merged = SceneLayers().merged(layers).merged(SceneLayers(agents=Agents(np.zeros((1, 2)), 0.3, 1.8, [99])))
    assert len(merged.agents) == 21 and merged.agents.ids[-1] == 99


class Arriving:
    """Nobody in view at t = 0 (an empty crowd), people from t = 1 on."""

    def __init__(self, agents, density=None):
        self.agents, self.density = agents, density

    def visual_layers(self, state, t):
        empty = Agents(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64))
        return SceneLayers(agents=self.agents if t >= 1.0 else empty, crowd_density_per_m2=self.density)


def test_people_arriving_after_an_empty_first_frame(tmp_path):
    renderer = ImageRenderer(tmp_path, [Arriving(AGENTS, np.zeros(GRID.shape))], GRID,
                             ImagesConfig(ground_temperature_c=20.0), [CAMERA], 3, 1e6, "2026-06-01T12:00:00")
    for t in (0.0, 1.0, 2.0):
        for camera in renderer.cameras:
            renderer._frame(camera, renderer.scene(None, t), t)
    renderer.close()
    path = tmp_path / "images" / "top" / "ground_truth.nc"
    assert path.is_file() and not list(path.parent.glob("*.part*"))
    with xr.open_dataset(path, mask_and_scale=False) as ds:
        ds = ds.load()
    assert ds.person_id.dims == ("time", "row", "column") and ds.person_id.shape == (3, 400, 400)
    assert ds.person_id.dtype == np.int32
    assert ds.person_id.attrs["units"] == "1" and "person" in ds.person_id.attrs["long_name"]
    assert ds.person_id.attrs["_FillValue"] == -1
    person_id, semantic = ds.person_id.values, ds.semantic_class.values
    assert np.all(person_id[0] == -1) and np.all(semantic[0] != PERSON)  # the empty frame: nobody
    for k in (1, 2):
        for (x, y), ident in zip(AGENTS.positions_m, AGENTS.ids):
            assert person_id[(k, *pixel_of(x, y))] == ident
        np.testing.assert_array_equal(person_id[k] >= 0, semantic[k] == PERSON)
    np.testing.assert_array_equal(ds.time.values.astype("datetime64[s]").astype(int) % 60, [0, 1, 2])


def test_crowd_model_whose_people_arrive_later(tmp_path):
    """A crowd scenario that starts empty (arrivals from start_s = 1 s) writes person_id once people come."""
    from models.crowd.model import Crowd, CrowdParams
    from sim.fields import FieldSet

    grid = RasterGrid(shape=(40, 80), spacing_m=(0.25, 0.25))
    params = {"geometry": {"walkable_m": [[(0, 0), (20, 0), (20, 10), (0, 10)]]},
              "exits": [{"name": "end", "line_m": [(20, 0), (20, 10)]}],
              "sources": [{"box_m": (1.0, 1.0, 6.0, 9.0), "rate_per_s": 20.0, "start_s": 1.0, "end_s": 3.0,
                           "radius_m": 0.25}]}
    model = Crowd(grid, CrowdParams.model_validate(params), np.random.default_rng(0))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    camera = CameraConfig(name="top", views=["rgb"], width_px=160, height_px=80)
    renderer = ImageRenderer(tmp_path, [model], grid, ImagesConfig(ground_temperature_c=20.0), [camera], 3,
                             1e6, "2026-06-01T12:00:00")
    t, people = 0.0, []
    for frame_t in (0.0, 2.0):
        while t < frame_t - 1e-9:
            dt = min(model.stable_dt(state), frame_t - t)
            model.step(state, t, dt)
            t += dt
        model.diagnose(state, t)
        layers = renderer.scene(state, t)
        people.append(len(layers.agents))
        renderer._frame(renderer.cameras[0], layers, t)
    renderer.close()
    assert people[0] == 0 and people[1] > 0
    with xr.open_dataset(tmp_path / "images" / "top" / "ground_truth.nc", mask_and_scale=False) as ds:
        person_id, semantic = ds.person_id.values, ds.semantic_class.values
    assert person_id.shape == (2, 80, 160)
    assert np.all(person_id[0] == -1) and not np.any(semantic[0] == PERSON)
    assert np.any(person_id[1] >= 0)
    np.testing.assert_array_equal(person_id[1] >= 0, semantic[1] == PERSON)
