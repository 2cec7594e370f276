"""The image renderer: views from scene layers, masks from the fields, COCO, files, reproducibility."""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.grid import RasterGrid
from sim.render.images import radiometry as rad
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.images.layers import SceneLayers
from sim.render.images.renderer import ImageRenderer

GRID = RasterGrid(shape=(100, 120), spacing_m=(2.0, 2.0))
X, Y = np.meshgrid(GRID.x, GRID.y)


class Scene:
    def __init__(self, column=None, depth=None, elevation=None):
        self.column, self.depth, self.elevation = column, depth, elevation

    def visual_layers(self, state, t):
        gas = {} if self.column is None else {"methane": self.column}
        return SceneLayers(elevation_m=self.elevation, water_depth_m=self.depth, gas_column_ppm_m=gas)


def render(tmp_path, scene, cameras, images=None, frames=1, seed=3):
    renderer = ImageRenderer(tmp_path, [scene], GRID, images or ImagesConfig(ground_temperature_c=30.0), cameras,
                             seed, 1e6, "2026-06-01T12:00:00")
    layers = renderer.scene(None, 0.0)
    for k in range(frames):
        for camera in renderer.cameras:
            renderer._frame(camera, layers, float(k))
    renderer.close()
    return renderer


def plume():
    return 3000.0 * np.exp(-((X - 100) ** 2) / (2 * 20.0**2) - (Y - 120) ** 2 / (2 * 15.0**2))


def pond():
    return np.clip(0.8 - np.hypot(X - 60, Y - 60) / 30.0, 0.0, None)


ORTHO = CameraConfig(name="top", views=["rgb", "thermal", "ogi"], width_px=120, height_px=100)


def test_masks_are_the_field_thresholds_and_north_is_up(tmp_path):
    render(tmp_path, Scene(column=plume(), depth=pond()), [ORTHO])
    with xr.open_dataset(tmp_path / "images" / "top" / "ground_truth.nc") as ds:
        frame = ds.isel(time=0)
        gas = frame.gas_column.values > 100.0
        water = frame.water_depth.values > 0.05
        semantic = frame.semantic_class.values
        np.testing.assert_array_equal(semantic == 7, gas)  # gas is painted last
        np.testing.assert_array_equal(semantic == 1, water & ~gas)
        # Pixel (row 0) is the north edge: the pixel grid is the field flipped in y.
        np.testing.assert_allclose(frame.water_depth.values, pond()[::-1], atol=1e-6)


def test_zero_column_renders_exactly_the_background_and_a_column_shows_against_warm_ground(tmp_path):
    without = render(tmp_path / "a", Scene(depth=pond()), [ORTHO])
    render(tmp_path / "b", Scene(column=np.zeros(GRID.shape), depth=pond()), [ORTHO])
    render(tmp_path / "c", Scene(column=plume(), depth=pond()), [ORTHO])
    read = lambda folder: xr.open_dataset(folder / "images" / "top" / "ground_truth.nc").isel(time=0)  # noqa: E731
    a, b, c = read(tmp_path / "a"), read(tmp_path / "b"), read(tmp_path / "c")
    np.testing.assert_array_equal(a.ogi_brightness_temperature.values, b.ogi_brightness_temperature.values)
    # Ground at 30 C behind gas at the 15 C air: the gas absorbs more than it emits, so it is cold.
    gas = c.gas_column.values > 1000.0
    assert (c.ogi_brightness_temperature.values[gas] < a.ogi_brightness_temperature.values[gas] - 0.1).all()
    np.testing.assert_array_equal(c.ogi_brightness_temperature.values[~(c.gas_column.values > 0)],
                                  a.ogi_brightness_temperature.values[~(c.gas_column.values > 0)])
    # The LWIR view does not see methane (no absorption data there): it is the same with gas.
    np.testing.assert_array_equal(a.thermal_brightness_temperature.values, c.thermal_brightness_temperature.values)
    # Thermal: water at 10 C is colder than the 30 C ground; a blackbody-like surface reads near its temperature.
    water = a.water_depth.values > 0.05
    tb = a.thermal_brightness_temperature.values
    assert tb[water].mean() < tb[~water].mean() - 15.0
    assert abs(tb[~water].mean() - (30.0 + 273.15)) < 3.0  # emissivity 0.96 soil under a colder sky


def test_coco_from_the_renderer_loads_and_scores_one_against_itself(tmp_path):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    render(tmp_path, Scene(column=plume(), depth=pond()), [ORTHO], frames=2)
    path = tmp_path / "images" / "coco.json"
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(path))
        anns = gt.loadAnns(gt.getAnnIds())
        assert {gt.loadCats(a["category_id"])[0]["name"] for a in anns} == {"water", "gas"}
        assert len(gt.getImgIds()) == 6  # 2 frames x 3 views
        dets = gt.loadRes([{**a, "score": 1.0} for a in anns])
        evaluation = COCOeval(gt, dets, "segm")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    assert evaluation.stats[0] == pytest.approx(1.0)


def test_a_pinhole_camera_looking_down_sees_the_ground_at_its_height(tmp_path):
    camera = CameraConfig(name="mast", kind="pinhole", views=["rgb"], position_m=(120.0, 100.0, 50.0),
                          pitch_deg=-90.0, horizontal_fov_deg=40.0, width_px=64, height_px=48)
    render(tmp_path, Scene(elevation=np.full(GRID.shape, 10.0)), [camera])
    with xr.open_dataset(tmp_path / "images" / "mast" / "ground_truth.nc") as ds:
        distance = ds.distance.isel(time=0).values
    centre = distance[23:25, 31:33].mean()
    assert centre == pytest.approx(40.0, rel=1e-3)
    # Off axis by angle a, the ray is longer by 1 / cos(a): the edge pixels are the farthest.
    assert distance[24, 0] > centre and distance[24, 63] > centre
    cameras = json.loads((tmp_path / "images" / "cameras.json").read_text())
    assert np.asarray(cameras["mast"]["intrinsics"]).shape == (3, 3)


def test_same_seed_same_files_and_randomisation_changes_only_the_image(tmp_path):
    plain = CameraConfig(name="top", views=["rgb"], width_px=120, height_px=100)
    noisy = CameraConfig(name="top", views=["rgb"], width_px=120, height_px=100,
                         randomization={"exposure_ev": [-1.0, 1.0], "jpeg_quality": [30, 60]})
    for folder, camera in (("a", noisy), ("b", noisy), ("c", plain)):
        render(tmp_path / folder, Scene(column=plume(), depth=pond()), [camera], frames=2)
    png = lambda f: (tmp_path / f / "images" / "top" / "rgb" / "000001.png").read_bytes()  # noqa: E731
    assert png("a") == png("b") and png("a") != png("c")
    truth = lambda f: xr.open_dataset(tmp_path / f / "images" / "top" / "ground_truth.nc").water_depth.values  # noqa
    np.testing.assert_array_equal(truth("a"), truth("c"))
    assert (tmp_path / "a" / "images" / "coco.json").read_bytes() == (tmp_path / "b" / "images" / "coco.json").read_bytes()


def test_brightness_table_matches_the_exact_inverse():
    table = rad.BrightnessTable(rad.LWIR)
    temperatures = np.linspace(200.0, 1500.0, 1001)
    radiance = rad.band_radiance(temperatures, rad.LWIR)
    assert np.abs(table(radiance) - temperatures).max() < 1e-3  # 1 mK, far below a camera's NETD


@pytest.mark.parametrize("override, expected", [
    ("cameras.1.position_m=[500.0, 20.0, 8.0]", "cameras.1.position_m: location (500, 20) m is outside the grid"),
    ("models.0.params.gas=\"propane\"", "no absorption data for propane in the optical-gas-imaging band"),
    ("cameras.0.views=[\"rgb\", \"rgb\"]", "views listed more than once"),
])
def test_bad_camera_input_is_one_line_and_status_2(override, expected):
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "check", "methane_leak_acoustic", "--set", override],
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and expected in proc.stderr


class SmokyScene(Scene):
    def __init__(self, kappa):
        super().__init__()
        self.kappa = kappa

    def visual_layers(self, state, t):
        return SceneLayers(smoke_extinction_per_m=self.kappa, smoke_base_m=0.0, smoke_dz_m=2.0)


def test_a_smoke_slab_of_kappa_l_one_transmits_e_to_the_minus_one(tmp_path):
    kappa = np.zeros((10,) + GRID.shape)
    kappa[:5, :, 60:] = 0.1  # 10 m of 0.1 m-1 over the east half: tau = 1 seen from above
    camera = CameraConfig(name="top", views=["rgb"], width_px=120, height_px=100)
    render(tmp_path / "smoke", SmokyScene(kappa), [camera])
    render(tmp_path / "clear", SmokyScene(np.zeros_like(kappa)), [camera])
    with xr.open_dataset(tmp_path / "smoke" / "images" / "top" / "ground_truth.nc") as ds:
        tau = ds.smoke_optical_depth.isel(time=0).values
        semantic = ds.semantic_class.isel(time=0).values
    np.testing.assert_allclose(tau[:, 62:], 1.0, rtol=1e-9)
    np.testing.assert_allclose(tau[:, :58], 0.0, atol=1e-12)
    np.testing.assert_array_equal(semantic[:, 62:], 3)  # smoke
    # The frame is T L + (1 - T) L_smoke with T = 1/e: on flat ground L = rho E, L_smoke = a E.
    from sim.render.images.encode import read_png
    from sim.render.images.randomize import srgb_decode
    from sim.render.images.views import GROUND_RGB

    smoky = srgb_decode(read_png(tmp_path / "smoke" / "images" / "top" / "rgb" / "000000.png") / 255.0)
    clear = srgb_decode(read_png(tmp_path / "clear" / "images" / "top" / "rgb" / "000000.png") / 255.0)
    light = clear[50, 100] / GROUND_RGB
    expected = clear[50, 100] * math.exp(-1) + (1 - math.exp(-1)) * 0.3 * light
    np.testing.assert_allclose(smoky[50, 100], expected, atol=0.01)  # 8-bit rounding


def test_the_srgb_table_is_within_one_code_of_the_exact_curve():
    from sim.render.images.randomize import srgb_encode, srgb_to_uint8

    x = np.linspace(0.0, 1.0, 200001)
    exact = np.round(srgb_encode(x) * 255.0)
    assert np.abs(srgb_to_uint8(x).astype(int) - exact).max() <= 1


def test_truth_writer_declares_variables_a_later_frame_first_carries(tmp_path):
    """Variables appear when a frame first carries them; the records without them stay empty."""
    import netCDF4

    from sim.render.images.truth import TruthWriter

    path = tmp_path / "cam" / "ground_truth.nc"
    writer = TruthWriter(path, "2026-06-01T12:00:00")
    shape = (4, 5)
    ids = np.full(shape, -1, dtype=np.int32)
    ids[1, 2] = 7
    semantic = np.zeros(shape, dtype=np.uint8)
    semantic[1, 2] = 5
    writer.append(0.0, {"distance": np.full(shape, 10.0)})
    writer.append(1.0, {"distance": np.full(shape, 11.0), "person_id": ids, "semantic_class": semantic})
    writer.append(2.0, {"distance": np.full(shape, 12.0), "crowd_density": np.ones(shape)})
    assert not path.exists() and path.with_name(path.name + ".part").exists()  # temporary until closed
    with pytest.raises(ValueError, match="shapes"):
        writer.append(3.0, {"distance": np.zeros((5, 4))})
    assert writer.close() == path
    assert path.exists() and not path.with_name(path.name + ".part").exists()
    with netCDF4.Dataset(path) as ds:
        assert ds["time"][:].tolist() == [0.0, 1.0, 2.0]
        for name in ("distance", "person_id", "semantic_class", "crowd_density"):
            v = ds[name]
            assert v.dimensions == ("time", "row", "column") and v.shape == (3, *shape)
            assert v.units and v.long_name
        assert ds["person_id"].dtype == np.int32 and ds["person_id"]._FillValue == -1
        ds.set_auto_mask(False)
        person = ds["person_id"][:]
        assert np.all(person[0] == -1) and np.all(person[2] == -1)  # fill where no frame carried it
        np.testing.assert_array_equal(person[1], ids)
        cls = ds["semantic_class"][:]
        assert not np.any(cls[0]) and not np.any(cls[2])  # no fill value: written as background
        np.testing.assert_array_equal(cls[1], semantic)
        density = ds["crowd_density"][:]
        assert np.all(np.isnan(density[:2])) and np.all(density[2] == 1.0)
