"""What cameras, microphones and thermocouples make of a wildfire: flames and char in the
visible and thermal views, fire masks and COCO instances, the roar and crackle of the flames,
and a whole (shrunk) bundled grass fire run."""

from __future__ import annotations

import contextlib
import csv
import io
import math
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

from models.wildfire import sources, visuals
from models.wildfire.effects import BURNED_OUT, FLAMING, UNBURNED
from sim.grid import RasterGrid
from sim.render.images import radiometry as rad
from sim.render.images.annotations import CLASS_TABLE
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.images.layers import SceneLayers
from sim.render.images.renderer import ImageRenderer
from sim.render.images.views import (
    CHANNEL_WAVELENGTH_M,
    CHAR_RGB,
    GROUND_RGB,
    SKY_SHARE,
    SOLAR_IRRADIANCE_W_M2_NM,
    planck_spectral_radiance,
)
from sim.render.sound.bands import BAND_CENTRES_HZ, W_REF, block_size

GRID = RasterGrid(shape=(40, 50), spacing_m=(4.0, 4.0))
FIRE, BURNED = CLASS_TABLE["fire"], CLASS_TABLE["burned"]
EXPOSURE = 2.5  # the views' default: a white plane under a zenith sun reads 2.5


class FireScene:
    def __init__(self, share=None, emissivity=None, burned=None, temperature=1100.0):
        self.share, self.emissivity, self.burned, self.temperature = share, emissivity, burned, temperature

    def visual_layers(self, state, t):
        return SceneLayers(flame_share=self.share, flame_emissivity=self.emissivity,
                           flame_temperature_K=self.temperature, burned_fraction=self.burned)


def full(value):
    return np.full(GRID.shape, float(value))


def camera(views=("rgb", "thermal"), scale=1):
    """Top-down over the grid's extent, ``scale`` x ``scale`` pixels per cell."""
    return CameraConfig(name="top", views=list(views), width_px=GRID.nx * scale, height_px=GRID.ny * scale)


def render(tmp_path, scene, cameras, images=None, t=0.0):
    renderer = ImageRenderer(tmp_path, [scene], GRID, images or ImagesConfig(air_temperature_c=20.0), cameras, 5,
                             1e6, "2026-07-01T12:00:00")
    layers = renderer.scene(None, t)
    for cam in renderer.cameras:
        renderer._frame(cam, layers, t)
    renderer.close()
    with xr.open_dataset(tmp_path / "images" / "top" / "ground_truth.nc") as ds:
        return ds.isel(time=0).load()


def rgb_linear(tmp_path):
    from sim.render.images.encode import read_png
    from sim.render.images.randomize import srgb_decode

    return srgb_decode(read_png(tmp_path / "images" / "top" / "rgb" / "000000.png") / 255.0)


def flat_illumination(sun_elevation_deg):
    """E_sun cos i + E_sky on flat ground, in the image's units."""
    s = math.sin(math.radians(sun_elevation_deg))
    return EXPOSURE * ((s if sun_elevation_deg > 0 else 0.0) + SKY_SHARE * max(s, 0.02))


# -- thermal ------------------------------------------------------------------------------------

@pytest.mark.parametrize("T_f", [900.0, 1300.0])
def test_a_cell_all_in_black_flame_reads_the_flame_temperature_in_the_thermal_view(tmp_path, T_f):
    truth = render(tmp_path, FireScene(full(1.0), full(1.0), temperature=T_f), [camera()])
    tb = truth.thermal_brightness_temperature.values
    np.testing.assert_allclose(tb, T_f, atol=0.01)  # the brightness table is good to 1 mK
    np.testing.assert_array_equal(truth.semantic_class.values, FIRE)


def test_partial_flames_mix_radiance_not_temperature(tmp_path):
    T_f = 1000.0
    ground = render(tmp_path / "g", FireScene(full(0.0), full(1.0), temperature=T_f), [camera()])
    half = render(tmp_path / "h", FireScene(full(0.5), full(1.0), temperature=T_f), [camera()])
    thin = render(tmp_path / "t", FireScene(full(1.0), full(0.5), temperature=T_f), [camera()])
    L_g = rad.band_radiance(ground.thermal_brightness_temperature.values, rad.LWIR_BAND)
    expected = rad.brightness_temperature(0.5 * L_g + 0.5 * rad.band_radiance(T_f, rad.LWIR_BAND), rad.LWIR_BAND)
    np.testing.assert_allclose(half.thermal_brightness_temperature.values, expected, atol=0.01)
    # Half the cell in black flame and all of it in flame of emissivity 1/2 look the same.
    np.testing.assert_allclose(thin.thermal_brightness_temperature.values,
                               half.thermal_brightness_temperature.values, atol=1e-6)
    T_g = float(ground.thermal_brightness_temperature.values.mean())
    assert float(half.thermal_brightness_temperature.values.mean()) > (T_g + T_f) / 2 + 50.0  # Planck is convex


# -- visible ------------------------------------------------------------------------------------

@pytest.mark.parametrize("burned", [0.0, 0.5, 1.0])
def test_burned_ground_is_char_under_the_sun(tmp_path, burned):
    elevation = 40.0
    images = ImagesConfig(air_temperature_c=20.0, sun_elevation_deg=elevation, sun_azimuth_deg=180.0)
    truth = render(tmp_path, FireScene(full(0.0), full(1.0), burned=full(burned)), [camera()], images)
    rho = (1.0 - burned) * GROUND_RGB + burned * CHAR_RGB
    expected = rho * flat_illumination(elevation)
    np.testing.assert_allclose(rgb_linear(tmp_path), np.broadcast_to(expected, (GRID.ny, GRID.nx, 3)), rtol=0.02)
    semantic = truth.semantic_class.values
    np.testing.assert_array_equal(semantic, BURNED if burned > 0.5 else 0)


def test_flames_at_night_glow_red_with_plancks_spectrum(tmp_path):
    T_f, elevation = 1400.0, -10.0
    share = np.zeros(GRID.shape)
    share[10:20, 10:30] = 0.5
    images = ImagesConfig(air_temperature_c=20.0, sun_elevation_deg=elevation)
    render(tmp_path, FireScene(share, full(0.8), temperature=T_f), [camera()], images)
    image = rgb_linear(tmp_path)[::-1]  # rows along y, as the field
    ground = GROUND_RGB * flat_illumination(elevation)
    flame = EXPOSURE * 0.5 * 0.8 * math.pi * planck_spectral_radiance(CHANNEL_WAVELENGTH_M, T_f) / (
        SOLAR_IRRADIANCE_W_M2_NM)
    expected = ground * (1 - 0.5 * 0.8) + flame
    np.testing.assert_allclose(image[15, 20], expected, rtol=0.03, atol=2e-4)
    red, green, blue = image[15, 20]
    assert red > 3 * green > 9 * blue  # a 1400 K flame is orange-red: B_lambda falls steeply toward blue
    np.testing.assert_allclose(image[30, 40], ground, rtol=0.05, atol=2e-4)
    assert image[15, 20, 0] > 10 * image[30, 40, 0]


# -- masks and COCO -----------------------------------------------------------------------------

def test_fire_mask_is_the_cells_flaming_above_the_threshold_by_nearest_cell(tmp_path):
    rng = np.random.default_rng(4)
    share = np.where(rng.random(GRID.shape) < 0.3, rng.random(GRID.shape), 0.0)
    burned = np.zeros(GRID.shape)
    burned[:, :10] = 1.0
    images = ImagesConfig(air_temperature_c=20.0, fire_threshold_share=0.4)
    truth = render(tmp_path, FireScene(share, full(1.0), burned=burned), [camera(scale=2)], images)
    semantic = truth.semantic_class.values[::-1]  # pixel row 0 is the north edge
    fire = np.kron(share > 0.4, np.ones((2, 2), dtype=bool))
    np.testing.assert_array_equal(semantic == FIRE, fire)
    scar = np.kron(burned > 0.5, np.ones((2, 2), dtype=bool))
    inner = np.zeros_like(scar)
    inner[:, :19] = True  # the scar's edge pixels see a bilinear blend of char and ground
    np.testing.assert_array_equal((semantic == BURNED)[inner], (scar & ~fire)[inner])
    np.testing.assert_allclose(truth.flame_share.values[::-1], np.kron(share, np.ones((2, 2))), rtol=1e-6)  # float32


@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
def test_two_separate_fires_are_two_coco_instances(tmp_path):
    from pycocotools.coco import COCO

    share = np.zeros(GRID.shape)
    share[5:12, 5:15] = 0.6
    share[25:35, 30:45] = 0.3
    render(tmp_path, FireScene(share, full(1.0)), [camera()])
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(tmp_path / "images" / "coco.json"))
    fire_id = [c["id"] for c in coco.loadCats(coco.getCatIds()) if c["name"] == "fire"]
    assert fire_id == [FIRE]
    images = coco.getImgIds()
    assert len(images) == 2  # rgb and thermal
    for image in images:
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[image], catIds=fire_id))
        assert sorted(a["area"] for a in anns) == [70, 150]
        masks = [coco.annToMask(a).astype(bool)[::-1] for a in anns]
        assert sorted(m.sum() for m in masks) == [70, 150]
        assert not (masks[0] & masks[1]).any()
        np.testing.assert_array_equal(masks[0] | masks[1], share > 0)


# -- the model's layers -------------------------------------------------------------------------

def test_the_models_layers_follow_the_flaming_window_and_the_cooling_scar():
    from models.wildfire.model import Wildfire, WildfireParams
    from sim.fields import FieldSet

    grid = RasterGrid(shape=(60, 60), spacing_m=(10.0, 10.0))
    params = WildfireParams.model_validate({
        "landscape": {"kind": "uniform", "fuel_model": "GR2"}, "wind": {"speed_m_s": 6.0, "direction_deg": 270.0},
        "ignitions": [{"point_m": [105.0, 305.0]}], "crown_fire": False})
    model = Wildfire(grid, params, np.random.default_rng(0))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    t = 0.0
    while t < 1800.0:
        model.step(state, t, 60.0)
        t += 60.0
    model.diagnose(state, t)
    layers = visuals.visual_layers(model, state, t)
    fire_state = state["fire_state"]
    assert (fire_state == FLAMING).sum() > 5 and (fire_state == BURNED_OUT).sum() > 50
    np.testing.assert_array_equal(layers.flame_share, model.flaming_share)
    np.testing.assert_array_equal(layers.flame_share > 0, fire_state == FLAMING)
    fraction = layers.burned_fraction
    np.testing.assert_array_equal(fraction[fire_state == UNBURNED], 0.0)
    np.testing.assert_array_equal(fraction[fire_state == BURNED_OUT], 1.0)
    flaming = fire_state == FLAMING
    assert np.all((fraction[flaming] >= 0.0) & (fraction[flaming] < 1.0))
    np.testing.assert_allclose(layers.flame_emissivity, 1 - np.exp(-0.5 * state["flame_length"]), rtol=1e-12)
    # The burn scar cools from the smouldering temperature toward the air with a 15-min time constant.
    T_air = model.params.air_temperature_c + 273.15
    surface = layers.surface_temperature_K
    assert np.all(np.isnan(surface[fire_state == UNBURNED]))
    out = fire_state == BURNED_OUT
    tau_c = model.at_arrival["residence"] + model.cell_size_m / np.where(out, model.front.ros_at_arrival, 1.0)
    since = t - state["fire_arrival_time"] - tau_c
    expected = T_air + (visuals.SMOULDER_TEMPERATURE_K - T_air) * np.exp(-since / visuals.COOLING_TIME_S)
    np.testing.assert_allclose(surface[out], expected[out], rtol=1e-9)
    assert np.all(surface[out] < visuals.SMOULDER_TEMPERATURE_K) and np.all(surface[out] > T_air)


def grass_fire_model(t_end=1800.0, air_c=33.0):
    from models.wildfire.model import Wildfire, WildfireParams
    from sim.fields import FieldSet

    grid = RasterGrid(shape=(60, 60), spacing_m=(10.0, 10.0))
    params = WildfireParams.model_validate({
        "landscape": {"kind": "uniform", "fuel_model": "GR2"}, "wind": {"speed_m_s": 6.0, "direction_deg": 270.0},
        "ignitions": [{"point_m": [105.0, 305.0]}], "crown_fire": False, "air_temperature_c": air_c})
    model = Wildfire(grid, params, np.random.default_rng(0))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    t = 0.0
    while t < t_end:
        model.step(state, t, 60.0)
        t += 60.0
    model.diagnose(state, t)
    return grid, model, state, t


def test_a_pixel_at_a_cell_centre_sees_that_cells_temperature_next_to_default_ground(tmp_path):
    surface = np.full(GRID.shape, np.nan)  # the renderer's ground temperature
    surface[10:30, 10:40] = 600.0  # a fresh burn scar
    scene = SimpleNamespace(visual_layers=lambda state, t: SceneLayers(surface_temperature_K=surface))
    images = ImagesConfig(air_temperature_c=20.0, ground_temperature_c=30.0)
    truth = render(tmp_path, scene, [camera(views=["thermal"])], images)  # pixel centres on cell centres
    seen = truth.surface_temperature.values[::-1]
    np.testing.assert_allclose(seen[~np.isnan(surface)], 600.0, rtol=1e-6)  # the scar's rim too
    np.testing.assert_allclose(seen[np.isnan(surface)], 303.15, rtol=1e-6)


def test_a_cells_ground_does_not_jump_in_temperature_when_its_flames_go_out():
    grid, model, state, t = grass_fire_model()
    flaming = np.argwhere(state["fire_state"] == FLAMING)
    assert len(flaming) > 5
    T_air = model.params.air_temperature_c + 273.15
    for j, i in flaming:
        tau_c = model.at_arrival["residence"][j, i] + model.cell_size_m / model.front.ros_at_arrival[j, i]
        t_out = model.front.arrival_time[j, i] + tau_c
        before = visuals.visual_layers(model, state, t_out - 0.5).surface_temperature_K[j, i]
        after = visuals.visual_layers(model, state, t_out + 0.5).surface_temperature_K[j, i]
        assert after == pytest.approx(visuals.SMOULDER_TEMPERATURE_K, rel=1e-3)  # the scar starts at 600 K
        # Half a second earlier the cell's burned share (all but the last flaming strip) was already
        # that scar, and its ground no colder than the air.
        assert before >= T_air and before == pytest.approx(after, rel=0.1), (j, i, before, after)


# -- sound --------------------------------------------------------------------------------------

def flaming_state(shape=(30, 30), crown=False):
    fire_state = np.zeros(shape, np.int8)
    q = np.zeros(shape)
    fire_state[10:13, 5:9] = FLAMING
    q[10:13, 5:9] = np.linspace(20.0, 80.0, 12).reshape(3, 4)
    fire_state[20:22, 5:20] = BURNED_OUT  # burned out: silent whatever q says
    q[20:22, 5:20] = 50.0
    fire_type = np.where(fire_state > 0, 3 if crown else 1, 0).astype(np.int8)
    flame = np.where(fire_state == FLAMING, 4.0, 0.0)
    return {"fire_state": fire_state, "heat_release_rate": q, "fire_type": fire_type, "flame_length": flame}


def sound_model(shape=(30, 30), spacing=5.0, elevation=100.0):
    grid = RasterGrid(shape=shape, spacing_m=(spacing, spacing))
    return SimpleNamespace(grid=grid, landscape=SimpleNamespace(elevation_m=np.full(shape, elevation)))


def watts(levels_db):
    with np.errstate(over="ignore"):
        return 10.0 ** (np.asarray(levels_db) / 10.0) * W_REF


@pytest.mark.parametrize("crown", [False, True])
def test_roar_is_a_fixed_share_of_the_heat_release_and_crackle_a_tenth_of_it(crown):
    model = sound_model()
    state = flaming_state(crown=crown)
    assert block_size(model.grid.shape) == 1
    roar, crackle = sources.acoustic_sources(model, state, 0.0)
    assert (roar.label, crackle.label) == ("wildfire_roar", "wildfire_crackle")
    flaming = state["fire_state"] == FLAMING
    released_w = (state["heat_release_rate"][flaming] * 1e3 * model.grid.cell_area_m2).sum()
    assert watts(roar.power_db).sum() == pytest.approx(sources.ROAR_EFFICIENCY * released_w, rel=1e-9)
    assert watts(crackle.power_db).sum() == pytest.approx(sources.CRACKLE_SHARE * sources.ROAR_EFFICIENCY
                                                          * released_w, rel=1e-9)
    assert roar.positions_m.shape[0] == flaming.sum()  # one point per flaming cell, none where burned out
    np.testing.assert_allclose(roar.positions_m[:, 2], 100.0 + 2.0)  # half the 4 m flame above the ground
    band = watts(roar.power_db).sum(axis=0)
    if crown:
        assert 315.0 <= BAND_CENTRES_HZ[int(np.argmax(band))] <= 355.0
        low = BAND_CENTRES_HZ < 100.0
        assert band[low].sum() < 1e-3 * band.sum()
    else:
        assert np.all(np.diff(band) < 0)  # red: falling with frequency
        np.testing.assert_allclose(band * BAND_CENTRES_HZ, band[0] * BAND_CENTRES_HZ[0], rtol=1e-9)  # 1 / f
    crackle_band = watts(crackle.power_db).sum(axis=0)
    assert np.all(crackle_band[(BAND_CENTRES_HZ < 4500.0) | (BAND_CENTRES_HZ > 17000.0)] == 0.0)


def test_nothing_flaming_makes_no_sound():
    model = sound_model()
    state = flaming_state()
    state["fire_state"] = np.where(state["fire_state"] == FLAMING, BURNED_OUT, state["fire_state"]).astype(np.int8)
    assert sources.acoustic_sources(model, state, 0.0) == []


def test_blocks_keep_the_power_of_a_large_grid():
    model = sound_model(shape=(300, 300), spacing=2.0)
    state = {k: np.kron(v, np.ones((10, 10), dtype=v.dtype)) for k, v in flaming_state().items()}
    flaming = state["fire_state"] == FLAMING
    released_w = (state["heat_release_rate"][flaming] * 1e3 * model.grid.cell_area_m2).sum()
    roar, _ = sources.acoustic_sources(model, state, 0.0)
    assert block_size(model.grid.shape) > 1 and roar.positions_m.shape[0] < flaming.sum()
    assert watts(roar.power_db).sum() == pytest.approx(sources.ROAR_EFFICIENCY * released_w, rel=1e-9)


# -- the bundled grass fire, shrunk -------------------------------------------------------------

# 25-m cells over the same 3 x 2 km; a line ignition 600 m from the thermocouples, so the front
# passes them (at about 1450 s) and the microphone on the tower hears it come (1300-1500 s).
SHRUNK = ["grid.shape=[80, 120]", "grid.spacing_m=25.0",
          "models.0.params.ignitions=[{line_m = [[1500.0, 700.0], [1500.0, 1300.0]]}]",
          "time.stop_s=1800.0", "microphones.0.start_s=1300.0", "microphones.0.end_s=1500.0",
          "cameras.0.every_s=600.0", "cameras.1.every_s=600.0", "cameras.1.video=false", "sensors.0.every_s=10.0"]


@pytest.fixture(scope="module")
def village_run(tmp_path_factory):
    from sim.paths import bundled_scenarios
    from sim.run import run_scenario
    from sim.scenario.load import load_scenario

    loaded = load_scenario(bundled_scenarios()["grass_fire_village"], SHRUNK)
    run = tmp_path_factory.mktemp("village") / "run"
    assert run_scenario(loaded, out_dir=run, progress=False).status == "complete"
    return run


def test_the_drone_sees_the_fire_and_its_scar_where_the_fields_put_them(village_run):
    from pycocotools.coco import COCO

    with xr.open_dataset(village_run / "images" / "drone" / "ground_truth.nc") as ds:
        frames = ds.load()
    assert frames.sizes["time"] == 4  # 0, 600, 1200, 1800 s
    semantic = frames.semantic_class.values
    late = semantic[2]
    assert (late == FIRE).sum() > 20 and (late == BURNED).sum() > 200
    # fire wherever a pixel's cell flames (threshold 0), nowhere else
    np.testing.assert_array_equal(late == FIRE, frames.flame_share.values[2] > 0)
    # the flames are hot in the thermal view, hotter than the unburned pasture at the ground
    # temperature (background pixels on the scar's rim blend the warm scar in, by design)
    tb = frames.thermal_brightness_temperature.values[2]
    pasture = (late == 0) & (frames.surface_temperature.values[2] < 318.15 + 0.5)
    assert pasture.sum() > 1000 and tb[late == FIRE].min() > tb[pasture].max()
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(village_run / "images" / "coco.json"))
    names = {coco.loadCats(a["category_id"])[0]["name"] for a in coco.loadAnns(coco.getAnnIds())}
    assert {"fire", "burned", "building"} <= names


def test_the_tower_microphone_hears_the_roar(village_run):
    import soundfile

    audio, fs = soundfile.read(village_run / "audio" / "tower.wav")
    assert fs == 32000 and audio.shape[0] == 200 * 32000
    assert np.sqrt(np.mean(audio**2)) > 1e-4
    with open(village_run / "audio" / "labels.tsv", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    assert any(r[0] == "tower.wav" and r[3] == "wildfire_roar" and float(r[2]) - float(r[1]) > 100.0 for r in rows)


def test_thermocouples_rise_above_the_air_while_the_front_passes_and_fall_back(village_run):
    with xr.open_dataset(village_run / "sensors.nc") as ds:
        sensors = ds.load()
    with xr.open_dataset(village_run / "fields.nc", decode_timedelta=False) as ds:
        arrival = ds.fire_arrival_time.isel(time=-1).load()
        ros = ds.fire_rate_of_spread.isel(time=-1).load()
    ambient = 33.0 + 273.15
    t = (sensors.time.values - sensors.time.values[0]) / np.timedelta64(1, "s")
    measured = sensors.measured_value.values
    for k in range(sensors.sizes["sensor"]):
        x, y = float(sensors.x[k]), float(sensors.y[k])
        near = dict(x=slice(x - 25.0, x + 25.0), y=slice(y - 25.0, y + 25.0))
        a, r = arrival.sel(**near).values, ros.sel(**near).values
        assert np.isfinite(a).all()  # the front crossed every cell around the post
        first, last = a.min(), a.max() + 25.0 / r.min() + 60.0  # the last flaming window ends
        hot = measured[:, k] > ambient + 100.0
        assert hot.any() and measured[:, k].max() > ambient + 500.0
        assert np.all((t[hot] >= first) & (t[hot] <= last + 30.0))  # a bead's lag of seconds
        assert np.all(np.abs(measured[(t < first - 10.0), k] - ambient) < 5.0)
        assert abs(measured[-1, k] - ambient) < 5.0
