"""Land cover in the image views: each class its reflectance in visible light and its emissivity in
the LWIR, its class in the ground truth, and a wildfire's fuel models seen as their vegetation."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from models.wildfire.visuals import land_cover_of
from sim.grid import RasterGrid
from sim.render.images import radiometry as rad
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.images.encode import read_png
from sim.render.images.layers import LAND_COVER_CLASSES, SceneLayers
from sim.render.images.randomize import srgb_decode
from sim.render.images.renderer import ImageRenderer
from sim.render.images.views import GROUND_RGB, LAND_COVER_RGB, horizontal_illumination

GRID = RasterGrid(shape=(40, 90), spacing_m=(2.0, 2.0))
TOP = CameraConfig(name="top", views=["rgb", "thermal"], width_px=90, height_px=40)
IMAGES = ImagesConfig(ground_temperature_c=30.0, sun_elevation_deg=10.0)
CLASSES = len(LAND_COVER_CLASSES)


class Ground:
    def __init__(self, land_cover=None):
        self.land_cover = land_cover

    def visual_layers(self, state, t):
        return SceneLayers(land_cover=self.land_cover)


def stripes():
    """Ten-column stripes west to east: unknown (-1), then each class in turn."""
    columns = np.arange(GRID.nx) // 10 - 1
    return np.broadcast_to(np.minimum(columns, CLASSES - 1), GRID.shape).astype(np.int8)


def render(path, scene):
    renderer = ImageRenderer(path, [scene], GRID, IMAGES, [TOP], 3, 1e6, "2026-06-01T12:00:00")
    renderer._frame(renderer.cameras[0], renderer.scene(None, 0.0), 0.0)
    renderer.close()


def test_each_class_reflects_its_own_colour_and_emits_with_its_own_emissivity(tmp_path):
    """Flat ground under a low sun: a Lambertian class reads rho E (E the light on a horizontal plane);
    in the LWIR a surface at T_s seen through no air reads its emissivity's blend of its own and the
    sky's radiance, so a lower emissivity (bare soil 0.96) looks colder than vegetation (0.98)."""
    cover = stripes()
    render(tmp_path, Ground(cover))
    rgb = srgb_decode(read_png(tmp_path / "images" / "top" / "rgb" / "000000.png") / 255.0)
    light = horizontal_illumination(IMAGES.sun_elevation_deg)
    np.testing.assert_allclose(rgb[20, 5], GROUND_RGB * light, atol=0.01)  # unknown: the default ground
    for k, name in enumerate(LAND_COVER_CLASSES):
        np.testing.assert_allclose(rgb[20, 10 * (k + 1) + 5], LAND_COVER_RGB[k] * light, atol=0.01, err_msg=name)
    with xr.open_dataset(tmp_path / "images" / "top" / "ground_truth.nc") as ds:
        truth = ds["land_cover"].isel(time=0).values
        assert ds["land_cover"].attrs["flag_meanings"].split() == list(LAND_COVER_CLASSES)
        brightness = ds["thermal_brightness_temperature"].isel(time=0).values
    np.testing.assert_array_equal(truth, np.where(cover >= 0, cover, np.nan))  # -1, unknown, is the fill
    snow, water, bare, grass = (10 * (LAND_COVER_CLASSES.index(c) + 1) + 5 for c in ("snow", "water", "bare", "grass"))
    # same surface temperature: the brightness temperature orders as the emissivity
    assert brightness[20, snow] > brightness[20, grass] > brightness[20, bare]
    assert rad.LAND_COVER_EMISSIVITY[LAND_COVER_CLASSES.index("water")] == rad.EMISSIVITY_LWIR["water"]
    assert brightness[20, water] == pytest.approx(brightness[20, grass], abs=1e-3)  # both 0.98


def test_without_land_cover_the_image_is_unchanged(tmp_path):
    render(tmp_path / "unknown", Ground(np.full(GRID.shape, -1, dtype=np.int8)))
    render(tmp_path / "none", Ground())
    for view in ("rgb", "thermal"):
        np.testing.assert_array_equal(read_png(tmp_path / "unknown" / "images" / "top" / view / "000000.png"),
                                      read_png(tmp_path / "none" / "images" / "top" / view / "000000.png"))


def test_fuel_models_map_to_their_vegetation():
    fuels = np.array([1, 3, 4, 7, 8, 13, 91, 92, 93, 98, 99, 101, 109, 121, 145, 161, 189, 204, 0, 250])
    names = [LAND_COVER_CLASSES[k] if k >= 0 else None for k in land_cover_of(fuels)]
    assert names == ["grass", "grass", "shrub", "shrub", "forest", "forest", "urban", "snow", "agriculture", "water",
                     "bare", "grass", "grass", "shrub", "shrub", "forest", "forest", "forest", None, None]
