"""Fog (a cold gas cloud's condensed humidity) in the image views: optical depth, white in visible
light, cold in the LWIR, its own class in the masks and COCO, and no change at all without it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr

from sim.grid import RasterGrid
from sim.render.images import radiometry as rad
from sim.render.images.annotations import CLASS_TABLE
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.images.encode import read_png
from sim.render.images.layers import SceneLayers
from sim.render.images.randomize import srgb_decode
from sim.render.images.renderer import ImageRenderer
from sim.render.images.views import GROUND_RGB, horizontal_illumination

GRID = RasterGrid(shape=(100, 120), spacing_m=(2.0, 2.0))
X, Y = np.meshgrid(GRID.x, GRID.y)
TOP = CameraConfig(name="top", views=["rgb", "thermal"], width_px=120, height_px=100)
# A low sun: a white plane under it reads about 0.5, so white fog is not clipped to 1 in the frame.
IMAGES = ImagesConfig(ground_temperature_c=30.0, sun_elevation_deg=10.0)
VAPOUR = CLASS_TABLE["vapour_cloud"]


class FoggyScene:
    def __init__(self, extinction=None, depth=None, water_path=None, temperature=None):
        self.fog = (extinction, depth, water_path, temperature)

    def visual_layers(self, state, t):
        extinction, depth, water_path, temperature = self.fog
        return SceneLayers(fog_extinction_per_m=extinction, fog_depth_m=depth,
                           fog_liquid_water_path_kg_m2=water_path, fog_temperature_K=temperature)


def render(path, scene, cameras=(TOP,), images=IMAGES):
    renderer = ImageRenderer(path, [scene], GRID, images, list(cameras), 3, 1e6, "2026-06-01T12:00:00")
    layers = renderer.scene(None, 0.0)
    for camera in renderer.cameras:
        renderer._frame(camera, layers, 0.0)
    renderer.close()
    return renderer


def frame(path, view="rgb", camera="top"):
    return read_png(path / "images" / camera / view / "000000.png")


def truth(path, name, camera="top"):
    with xr.open_dataset(path / "images" / camera / "ground_truth.nc") as ds:
        return ds[name].isel(time=0).values


def slab(tau, lwp=0.0, temperature=250.0):
    """A fog slab of vertical optical depth ``tau`` over the east half (x > 120 m), 10 m deep."""
    east = X > 120.0
    return FoggyScene(np.where(east, tau / 10.0, 0.0), np.where(east, 10.0, 0.0),
                      np.where(east, lwp, 0.0), np.full(GRID.shape, temperature))


def test_a_fog_slab_of_optical_depth_one_transmits_e_to_the_minus_one_and_is_white(tmp_path):
    render(tmp_path / "fog", slab(1.0))
    render(tmp_path / "clear", FoggyScene())
    tau = truth(tmp_path / "fog", "fog_optical_depth")
    np.testing.assert_allclose(tau[:, 62:], 1.0, rtol=1e-9)
    np.testing.assert_allclose(tau[:, :58], 0.0, atol=1e-12)
    # T L + (1 - T) E: on flat ground L = rho E, the fog as bright as a white plane under E
    foggy = srgb_decode(frame(tmp_path / "fog") / 255.0)
    clear = srgb_decode(frame(tmp_path / "clear") / 255.0)
    light = horizontal_illumination(IMAGES.sun_elevation_deg)
    np.testing.assert_allclose(clear[50, 100], GROUND_RGB * light, atol=0.01)
    expected = clear[50, 100] * math.exp(-1) + (1 - math.exp(-1)) * light
    np.testing.assert_allclose(foggy[50, 100], expected, atol=0.01)  # 8-bit rounding
    assert (foggy[50, 100] > clear[50, 100] + 0.1).all()  # brighter than the dark ground in every channel
    # thick fog is white: the channels equal, unlike the green-brown ground
    render(tmp_path / "thick", slab(8.0))
    thick = srgb_decode(frame(tmp_path / "thick") / 255.0)[50, 100]
    assert np.ptp(thick) < 0.01 and np.ptp(clear[50, 100]) > 0.03


def test_the_vapour_cloud_mask_is_the_optical_depth_threshold_and_coco_has_the_class(tmp_path):
    tau_v = np.clip((X - 40.0) / 160.0, 0.0, None)  # 0 to 1.25 west to east
    render(tmp_path, FoggyScene(tau_v / 5.0, np.full(GRID.shape, 5.0)))
    tau = truth(tmp_path, "fog_optical_depth")
    semantic = truth(tmp_path, "semantic_class")
    threshold = IMAGES.smoke_threshold_optical_depth
    np.testing.assert_array_equal(semantic == VAPOUR, tau > threshold)
    assert 0 < (semantic == VAPOUR).sum() < semantic.size
    coco = json.loads((tmp_path / "images" / "coco.json").read_text())
    assert {"id": VAPOUR, "name": "vapour_cloud", "supercategory": "hazard"} in coco["categories"]
    assert any(a["category_id"] == VAPOUR for a in coco["annotations"])


def test_zero_fog_renders_exactly_the_image_without_fog(tmp_path):
    zeros = np.zeros(GRID.shape)
    render(tmp_path / "zero", FoggyScene(zeros, zeros, zeros, np.full(GRID.shape, 250.0)))
    render(tmp_path / "none", FoggyScene())
    for view in ("rgb", "thermal"):
        np.testing.assert_array_equal(frame(tmp_path / "zero", view), frame(tmp_path / "none", view))
    for name in ("semantic_class", "thermal_brightness_temperature"):
        np.testing.assert_array_equal(truth(tmp_path / "zero", name), truth(tmp_path / "none", name))


def test_thick_fog_shows_at_its_own_temperature_in_the_lwir(tmp_path):
    """LWIR: eps_f = 1 - exp(-k LWP); 0.1 kg m-2 (k LWP = 13) is opaque: the brightness temperature
    is the fog's; a thin one blends the ground's and the fog's band radiances by eps_f."""
    render(tmp_path / "thick", slab(5.0, lwp=0.1, temperature=250.0))
    brightness = truth(tmp_path / "thick", "thermal_brightness_temperature")
    assert brightness[50, 100] == pytest.approx(250.0, abs=0.01)
    assert brightness[50, 10] > 290.0  # the clear half: the warm ground (30 C, eps 0.96, sky reflected)
    lwp = 1.0 / rad.FOG_LWIR_MASS_ABSORPTION_M2_KG  # one absorption length: eps = 1 - 1/e
    render(tmp_path / "thin", slab(1.0, lwp=lwp, temperature=250.0))
    band = rad.LWIR
    ground = rad.band_radiance(brightness[50, 10], band)
    expected = rad.brightness_temperature(math.exp(-1) * ground + (1 - math.exp(-1)) * rad.band_radiance(250.0, band),
                                          band)
    assert truth(tmp_path / "thin", "thermal_brightness_temperature")[50, 100] == pytest.approx(float(expected),
                                                                                                abs=0.01)


def test_an_oblique_camera_crosses_the_fog_layer_over_its_slant_path(tmp_path):
    """A pinhole 45 degrees down: the thin-layer slant optical depth is tau_v / cos(45 deg)."""
    camera = CameraConfig(name="side", kind="pinhole", views=["rgb"], position_m=(120.0, -40.0, 140.0),
                          yaw_deg=0.0, pitch_deg=-45.0, horizontal_fov_deg=2.0, width_px=16, height_px=16)
    renderer = render(tmp_path, FoggyScene(np.full(GRID.shape, 0.05), np.full(GRID.shape, 4.0)), cameras=[camera])
    tau = truth(tmp_path, "fog_optical_depth", "side")
    rays = renderer.cameras[0].geometry.rays()
    cos_zenith = -rays[..., 2] / np.linalg.norm(rays, axis=-1)
    np.testing.assert_allclose(tau, 0.2 / cos_zenith, rtol=1e-6)  # float32 ground truth
    np.testing.assert_allclose(tau, 0.2 * math.sqrt(2.0), rtol=0.03)  # every ray within 1 degree of 45


def test_fog_radiometry_functions():
    np.testing.assert_allclose(rad.fog_visible_radiance(1.0, 0.2, 0.9), 0.2 / math.e + 0.9 * (1 - 1 / math.e))
    assert float(rad.fog_visible_radiance(0.0, 0.123, 7.0)) == 0.123
    assert float(rad.fog_emissivity(0.0)) == 0.0
    with pytest.raises(ValueError, match="optical depths"):
        rad.fog_visible_radiance(-1.0, 0.2, 0.9)
