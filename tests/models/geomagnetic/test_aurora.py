"""The auroral oval (Holzworth & Meng 1975, Q from Kp by Dandekar 1993), its brightness and the all-sky view."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from models.geomagnetic.aurora import (activity_q, hemispheric_power_gw, magnetic_coordinates, oval_area_m2,
                                       oval_boundaries_deg)
from models.geomagnetic.solar_wind import sun_direction_geographic


def test_the_subsolar_point_is_at_magnetic_noon_and_its_antipode_at_midnight():
    time = np.datetime64("2031-03-11T07:30:00")
    sun = sun_direction_geographic(time)
    lat, lon = math.degrees(math.asin(sun[2])), math.degrees(math.atan2(sun[1], sun[0]))
    _, mlt = magnetic_coordinates(lat, lon, time)
    assert float(mlt) == pytest.approx(12.0, abs=1e-9)
    _, mlt = magnetic_coordinates(-lat, lon + 180.0, time)
    assert float(mlt) % 24.0 == pytest.approx(0.0, abs=1e-9) or float(mlt) == pytest.approx(24.0, abs=1e-9)


def test_the_oval_widens_and_moves_equatorward_with_activity():
    mlt = np.linspace(0.0, 24.0, 49)
    previous_low = None
    for q in range(7):
        low, high = oval_boundaries_deg(mlt, q)
        assert (high > low).all()
        if previous_low is not None:
            assert low[0] < previous_low[0]  # the midnight boundary moves equatorward
        previous_low = low
    assert oval_boundaries_deg(0.0, 0)[0] > 69.0 and oval_boundaries_deg(0.0, 6)[0] < 63.0
    assert oval_area_m2(6) > 3 * oval_area_m2(0)


def test_q_follows_kp_by_dandekar_and_the_power_is_not_negative():
    np.testing.assert_allclose(activity_q([0.0, 1.0, 3.0, 4.0, 9.0]), [0.0, 0.664, 3.42, 5.46, 6.0])
    assert hemispheric_power_gw(300.0, 0.0, 5.0, 1.0) == 0.0  # quiet northward wind: no precipitation
    assert 50.0 < hemispheric_power_gw(700.0, 0.0, -20.0, 20.0) < 300.0  # a storm's 100-odd GW


class _UniformAurora:
    def brightness_kR(self, latitude, longitude):
        return np.full(np.shape(latitude), 4.0)


class _Sky:
    def visual_layers(self, state, t):
        from sim.render.images.layers import SceneLayers

        return SceneLayers(aurora=_UniformAurora())


def test_an_all_sky_view_of_a_uniform_layer_brightens_toward_the_horizon_by_van_rhijn(tmp_path):
    from sim.grid import RasterGrid
    from sim.render.images.config import CameraConfig, ImagesConfig
    from sim.render.images.renderer import ImageRenderer

    camera = CameraConfig(name="sky", kind="allsky", views=["rgb"], latitude_deg=65.0, longitude_deg=-147.0,
                          width_px=129, height_px=129)
    renderer = ImageRenderer(tmp_path, [_Sky()], RasterGrid(shape=(1, 1), spacing_m=(1.0, 1.0)), ImagesConfig(),
                             [camera], 1, 1e6, "2031-03-11T08:00:00")
    renderer.write(None, 0.0, None)
    renderer.close()
    with xr.open_dataset(tmp_path / "images" / "sky" / "ground_truth.nc") as ds:
        b = ds.aurora_brightness.isel(time=0).values
    assert b[64, 64] == pytest.approx(4.0, rel=1e-3)  # zenith: the column itself
    R, h = 6371.2e3, 110e3
    edge = b[64, 0]  # 89.3 degrees from the zenith
    zeta = (64.0 / 64.5) * math.pi / 2
    assert edge == pytest.approx(4.0 / math.sqrt(1 - (R * math.sin(zeta) / (R + h)) ** 2), rel=1e-6)
    assert np.isnan(b[0, 0])  # the corner is outside the fisheye's circle
    assert ((b > 1.0) == np.isfinite(b)).all()
