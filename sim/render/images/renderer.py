"""The image renderer: cameras in the scene, their frames, per-pixel ground truth and COCO labels.

Every camera's ``every_s`` the renderer asks each model for its scene layers
(``visual_layers(state, t)``, :mod:`sim.render.images.layers`), finds the ground point of
every pixel (:mod:`sim.render.images.cameras`: a top-down orthographic view, or a pinhole
camera whose rays are cast onto the terrain; an ``allsky`` imager instead looks up at the
aurora, :class:`AllSkyCamera`) and draws each view the camera lists
(:mod:`sim.render.images.views`). Written under ``images/<camera>/``:

- ``<view>/<frame>.png``: the frame (rgb: sRGB 8-bit; thermal and ogi: brightness temperature
  on a fixed 8-bit scale given in ``cameras.json``), after the camera's domain randomisation
  when it has one (:mod:`sim.render.images.randomize`: the ground truth is never randomised);
- ``semantic/<frame>.png`` (class ids of :data:`annotations.CLASS_TABLE`) and
  ``instance/<frame>.png`` (uint16 ids), from the field thresholds of ``[images]``; a model's
  agents are the class "person", one instance per agent (touching people stay apart), and
  "crowd" (a COCO region category, ``iscrowd`` 1) is where the crowd density exceeds
  ``crowd_threshold_per_m2`` (default 4 persons m-2), under the people;
- ``ground_truth.nc``: per frame and pixel the water depth, surface temperature, gas column,
  smoke optical depth (and fog optical depth where a model gives fog), distance to the camera,
  brightness temperatures and the masks (CF, time x row x column);
- ``<view>.mp4`` with ``video = true``;

and ``images/coco.json`` (every frame of every view, instance masks of water bodies, gas
clouds, vapour clouds (fog), smoke, buildings and aurora as RLE; a vapour cloud is where the fog's
optical depth exceeds ``smoke_threshold_optical_depth``, the obscurants' one threshold) and
``images/cameras.json`` (intrinsics, extrinsics, ground sampling distance, the 8-bit scales).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from sim.io.rundir import write_text_atomic
from sim.render.images import annotations as ann
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.images.layers import SceneLayers
from sim.render.images.randomize import srgb_to_uint8
from sim.render.images.views import (
    C_TO_K,
    flame_rgb,
    flame_view_share,
    horizontal_illumination,
    illumination,
    person_emissivity,
    rgb_view,
    sample_scene,
    surface_temperature_K,
)
from sim.schedules import AnyOf, At, EverySecondsUntil

IMAGES_DIR = "images"
_IMAGE_STREAM = 9413  # spawn key of the image renderer's random streams
# 8-bit display scales of the temperature views (K): frame value = (T_b - low) / (high - low) * 255.
THERMAL_SCALE_K = (253.15, 333.15)
# Painted in this order: smoke over vapour cloud (fog) over gas over fire over people over crowds over
# burned ground over water over buildings.
CLASSES = ("building", "water", "burned", "crowd", "person", "fire", "gas", "vapour_cloud", "smoke")
# Classes whose instances come from a per-pixel id image (one per id), not connected components.
ID_INSTANCE_CLASSES = ("person",)


class AllSkyCamera:
    """A zenith-pointing all-sky imager: an equidistant fisheye of 180 degrees at a ground station.

    Pixel (column, row) at radius rho from the image centre looks at zenith angle
    zeta = (rho / rho_max) (pi / 2), rho_max half the shorter image side, and azimuth
    measured from north (image up) through east (image left: the sky seen from below).
    Its line of sight meets the emission shell at height h (the green line's 100-120 km, 110 km
    here) at a distance s = -R cos(zeta) + sqrt(R^2 cos^2(zeta) + 2 R h + h^2), R the Earth's
    radius, and crosses a thin emitting layer along 1 / cos(zeta_e) times its thickness, with
    sin(zeta_e) = R sin(zeta) / (R + h) (the van Rhijn factor).
    """

    EMISSION_HEIGHT_M = 110.0e3
    EARTH_RADIUS_M = 6371.2e3

    def __init__(self, latitude_deg: float, longitude_deg: float, width_px: int, height_px: int) -> None:
        self.latitude_deg, self.longitude_deg = latitude_deg, longitude_deg
        cols, rows = np.meshgrid(np.arange(width_px) + 0.5, np.arange(height_px) + 0.5)
        dx, dy = cols - width_px / 2.0, rows - height_px / 2.0
        rho = np.hypot(dx, dy) / (min(width_px, height_px) / 2.0)
        self.valid = rho <= 1.0
        zeta = np.clip(rho, 0.0, 1.0) * (np.pi / 2.0)
        azimuth = np.arctan2(-dx, -dy)  # up = north, left = east
        R, h = self.EARTH_RADIUS_M, self.EMISSION_HEIGHT_M
        s = -R * np.cos(zeta) + np.sqrt((R * np.cos(zeta)) ** 2 + 2.0 * R * h + h * h)
        lat, lon = np.radians(latitude_deg), np.radians(longitude_deg)
        up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
        east = np.array([-np.sin(lon), np.cos(lon), 0.0])
        north = np.cross(up, east)
        look = (np.cos(zeta)[..., None] * up + (np.sin(zeta) * np.cos(azimuth))[..., None] * north
                + (np.sin(zeta) * np.sin(azimuth))[..., None] * east)
        point = R * up + s[..., None] * look
        self.latitude = np.degrees(np.arcsin(point[..., 2] / np.linalg.norm(point, axis=-1)))
        self.longitude = np.degrees(np.arctan2(point[..., 1], point[..., 0]))
        self.van_rhijn = 1.0 / np.sqrt(1.0 - (R * np.sin(zeta) / (R + h)) ** 2)
        self.distance = s

    @property
    def intrinsics(self):
        return {"projection": "equidistant fisheye, 180 degrees, north up, east left"}

    @property
    def extrinsics(self):
        return {"latitude_deg": self.latitude_deg, "longitude_deg": self.longitude_deg, "pointing": "zenith"}


class Camera:
    """One configured camera, its geometry and its output streams."""

    def __init__(self, config: CameraConfig, grid, stop_s: float) -> None:
        from sim.render.images.cameras import OrthographicCamera, PinholeCamera

        self.config = config
        self.grid = grid
        self.end_s = min(config.end_s or stop_s, stop_s)
        self.schedule = EverySecondsUntil(config.every_s, start_s=config.start_s, end_s=self.end_s)
        if config.kind == "orthographic":
            self.geometry = OrthographicCamera(config.extent_m or grid.extent_m, config.width_px, config.height_px)
        elif config.kind == "allsky":
            self.geometry = AllSkyCamera(config.latitude_deg, config.longitude_deg, config.width_px, config.height_px)
        else:
            self.geometry = PinholeCamera(config.position_m, config.yaw_deg, config.pitch_deg, config.roll_deg,
                                          config.horizontal_fov_deg, config.width_px, config.height_px)
        self.frames = 0
        self.videos: dict[str, Any] = {}
        self._cast: tuple[np.ndarray, tuple] | None = None  # (elevation, ground geometry) of the last frame
        self.terrain_cache: dict = {}  # the terrain sampled at the pixels, while it is unchanged

    @property
    def name(self) -> str:
        return self.config.name

    def ground(self, elevation: np.ndarray):
        """(xs, ys, distance to the camera or None, valid, cos of the view zenith angle) per pixel."""
        from sim.render.images.cameras import cast_heightfield

        if self.config.kind == "orthographic":
            points = self.geometry.ground_points()
            shape = points.shape[:2]
            # Looking straight down from its altitude: every pixel is that far away (the haze path).
            return (points[..., 0], points[..., 1], np.full(shape, self.config.altitude_m),
                    np.ones(shape, dtype=bool), np.ones(shape))
        if self._cast is not None and np.array_equal(self._cast[0], elevation):
            return self._cast[1]  # the terrain has not changed: neither have the rays' hits
        rays = self.geometry.rays()
        shape = rays.shape[:2]
        directions = rays.reshape(-1, 3)
        origins = np.broadcast_to(np.asarray(self.config.position_m, dtype=float), directions.shape).copy()
        g = self.grid
        hits, distance, hit = cast_heightfield(origins, np.ascontiguousarray(directions),
                                               np.ascontiguousarray(elevation, dtype=np.float64),
                                               g.x0, g.y0, g.dx, g.dy, self.config.max_distance_m)
        xs = np.where(hit, hits[:, 0], g.x0).reshape(shape)
        ys = np.where(hit, hits[:, 1], g.y0).reshape(shape)
        cos_zenith = np.clip(-directions[:, 2], 1e-3, 1.0).reshape(shape)
        geometry = (xs, ys, np.where(hit, distance, np.inf).reshape(shape), hit.reshape(shape), cos_zenith)
        self._cast = (np.array(elevation, copy=True), geometry)
        return geometry


class ImageRenderer:
    """A writer that draws every camera's views on its schedule."""

    def __init__(self, run_dir: Path, models, grid, images: ImagesConfig, cameras: list[CameraConfig], seed: int,
                 stop_s: float, start_datetime: str) -> None:
        self.run_dir = Path(run_dir)
        self.models = [m for m in models if hasattr(m, "visual_layers")]
        self.grid = grid
        self.images = images
        self.seed = seed
        self.start_datetime = start_datetime
        self.cameras = [Camera(c, grid, stop_s) for c in cameras]
        self.schedule = AnyOf([c.schedule for c in self.cameras])
        self.coco = ann.CocoWriter("hazsim synthetic images", info={"date_created": start_datetime})
        self.coco.add_categories({name: ann.CLASS_TABLE[name] for name in (*CLASSES, "aurora")}, crowd=("crowd",))
        self.truth: dict[str, Any] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self._tables: dict[str, Any] = {}

    def open(self, view) -> None:
        for camera in self.cameras:
            camera.frames = 0

    # -- one frame ------------------------------------------------------------------------------
    def scene(self, state, t: float) -> SceneLayers:
        scene = SceneLayers()
        for model in self.models:
            scene = scene.merged(model.visual_layers(state, t))
        return scene

    def write(self, state, t: float, peaks) -> None:
        due = [c for c in self.cameras if c.schedule.due(At(t))]
        if not due:
            return
        scene = self.scene(state, t)
        for camera in due:
            if camera.config.kind == "allsky":
                self._allsky_frame(camera, scene, t)
            else:
                self._frame(camera, scene, t)

    def _frame(self, camera: Camera, scene: SceneLayers, t: float) -> None:
        from sim.render.images import radiometry as rad

        cfg, img = camera.config, self.images
        elevation = scene.elevation_m if scene.elevation_m is not None else np.zeros(self.grid.shape)
        xs, ys, distance, valid, cos_zenith = camera.ground(elevation)
        px = sample_scene(scene, self.grid, xs, ys, valid, camera.terrain_cache)
        column = sum(px.gas_column_ppm_m.values()) / cos_zenith if px.gas_column_ppm_m else np.zeros(xs.shape)
        ground_c = img.ground_temperature_c if img.ground_temperature_c is not None else img.air_temperature_c
        surface = surface_temperature_K(px, ground_c, img.water_temperature_c, img.water_threshold_m)
        smoke_tau = self._smoke_optical_depth(camera, scene, xs, ys, distance, valid)
        # Fog: a thin ground-hugging layer, the slant path 1 / cos(theta_v) times the vertical one.
        fog_tau = (np.where(valid, px.fog_optical_depth / cos_zenith, 0.0) if px.fog_optical_depth is not None
                   else None)
        water = px.water_depth_m > img.water_threshold_m
        # Masks from the ground truth, the same for every view of the frame.
        flame = flame_view_share(px)
        burned = (px.burned_fraction > 0.5) & valid if px.burned_fraction is not None else np.zeros(xs.shape, bool)
        fire = (px.flame_share > img.fire_threshold_share) & valid if px.flame_share is not None else np.zeros(
            xs.shape, bool)
        person = (px.person >= 0) & valid if px.person is not None else np.zeros(xs.shape, bool)
        crowd_threshold = img.crowd_threshold_per_m2
        crowd = ((px.crowd_density_per_m2 > crowd_threshold) & valid if px.crowd_density_per_m2 is not None
                 else np.zeros(xs.shape, bool))
        semantic = ann.semantic_mask({"building": px.building & valid, "water": water & valid, "burned": burned,
                                      "crowd": crowd, "person": person, "fire": fire,
                                      "gas": (column > img.gas_threshold_ppm_m) & valid,
                                      "vapour_cloud": (fog_tau > img.smoke_threshold_optical_depth if fog_tau
                                                       is not None else np.zeros(xs.shape, bool)),
                                      "smoke": smoke_tau > img.smoke_threshold_optical_depth}, list(CLASSES))
        rng = self._rng(camera)
        setting = self._randomization(camera, rng)
        truth = {"water_depth": np.where(valid, px.water_depth_m, np.nan),
                 "surface_temperature": np.where(valid, surface, np.nan),
                 "gas_column": np.where(valid, column, np.nan),
                 "distance": distance, "smoke_optical_depth": smoke_tau}
        if fog_tau is not None:
            truth["fog_optical_depth"] = np.where(valid, fog_tau, np.nan)
        if px.land_cover is not None:
            truth["land_cover"] = np.where(valid, px.land_cover, -1).astype(np.int8)
        if px.flame_share is not None:
            truth["flame_share"] = np.where(valid, px.flame_share, np.nan)
        id_images = {}
        if px.crowd_density_per_m2 is not None:
            truth["crowd_density"] = np.where(valid, px.crowd_density_per_m2, np.nan)
        if px.person_id is not None:
            truth["person_id"] = np.where(person, px.person_id, -1)
            id_images["person"] = px.person
        emissivity = person_emissivity(px, rad.emissivity_of(water, px.building, land_cover=px.land_cover))
        air_K = img.air_temperature_c + C_TO_K
        frames = {}
        for view in cfg.views:
            if view == "rgb":
                linear = rgb_view(px, img.sun_azimuth_deg, img.sun_elevation_deg)
                flames = flame_rgb(px, scene.flame_temperature_K)
                if flames is not None:
                    linear = linear * (1.0 - flame[..., None]) + flames
                if fog_tau is not None:  # white fog near the ground, under any smoke
                    fog_light = horizontal_illumination(img.sun_elevation_deg)
                    linear = np.where(valid[..., None], rad.fog_visible_radiance(fog_tau[..., None], linear, fog_light),
                                      linear)
                if scene.smoke_extinction_per_m is not None:  # grey smoke lit like the ground, no in-scattering
                    light = illumination(px, img.sun_azimuth_deg, img.sun_elevation_deg)[..., None]
                    linear = rad.smoke_radiance(np.exp(-smoke_tau)[..., None], linear, img.smoke_albedo * light)
                if setting is not None:
                    from sim.render.images.randomize import apply

                    linear = apply(np.clip(linear, 0, 1), distance, setting, rng)
                frames[view] = srgb_to_uint8(linear)
                continue
            band = rad.LWIR_BAND if view == "thermal" else rad.OGI_METHANE_BAND
            sky = rad.band_radiance(air_K - 20.0, band)  # clear-sky radiance, modelling choice
            radiance = rad.thermal_radiance(surface, emissivity, sky, 1.0, air_K, band)
            if flame is not None and flame.any():  # the flames hide the ground they cover
                radiance = radiance * (1.0 - flame) + flame * rad.band_radiance(scene.flame_temperature_K, band)
            if view == "thermal" and px.fog_liquid_water_path_kg_m2 is not None:  # fog at its own temperature
                fog_temperature = px.fog_temperature_K if px.fog_temperature_K is not None else np.full(xs.shape, air_K)
                radiance = rad.fog_thermal_radiance(radiance, px.fog_liquid_water_path_kg_m2 / cos_zenith,
                                                    rad.band_radiance(fog_temperature, band))
            if view == "ogi":
                for gas, gas_column in px.gas_column_ppm_m.items():
                    radiance = rad.ogi_radiance(radiance, gas_column / cos_zenith, rad.ogi_sigma(gas), air_K, band)
            brightness = self._brightness(band)(radiance)
            truth[f"{view}_brightness_temperature"] = np.where(valid, brightness, np.nan)
            low, high = THERMAL_SCALE_K
            frame = np.round(np.clip((brightness - low) / (high - low), 0, 1) * 255).astype(np.uint8)
            frames[view] = np.where(valid, frame, 0).astype(np.uint8)
        self._emit(camera, t, frames, semantic, CLASSES, truth, id_images)

    def _allsky_frame(self, camera: Camera, scene: SceneLayers, t: float) -> None:
        """The night sky of an all-sky imager: the green line of the aurora, slant through the layer."""
        g, img = camera.geometry, self.images
        column = (scene.aurora.brightness_kR(g.latitude, g.longitude) if scene.aurora is not None
                  else np.zeros(g.latitude.shape))
        brightness = np.where(g.valid, column * g.van_rhijn, 0.0)
        # Linear radiance to the green line's colour (557.7 nm), full scale at aurora_full_scale_kR.
        linear = np.clip(brightness / img.aurora_full_scale_kR, 0.0, 1.0)[..., None] * np.array([0.25, 1.0, 0.35])
        rng = self._rng(camera)
        setting = self._randomization(camera, rng)
        if setting is not None:
            from sim.render.images.randomize import apply

            linear = apply(linear, None, setting, rng)
        semantic = ann.semantic_mask({"aurora": (brightness > img.aurora_threshold_kR) & g.valid}, ["aurora"])
        self._emit(camera, t, {"rgb": srgb_to_uint8(linear)}, semantic, ("aurora",),
                   {"aurora_brightness": np.where(g.valid, brightness, np.nan)})

    def _rng(self, camera: Camera) -> np.random.Generator:
        """The frame's own random stream (randomisation), from the seed, the camera and the frame."""
        return np.random.default_rng(np.random.SeedSequence(
            self.seed, spawn_key=(_IMAGE_STREAM, self.cameras.index(camera), camera.frames)))

    def _emit(self, camera: Camera, t: float, frames: dict[str, np.ndarray], semantic: np.ndarray,
              classes: tuple[str, ...], truth: dict[str, np.ndarray],
              id_images: dict[str, np.ndarray] | None = None) -> None:
        """Write a frame of every view with its masks, COCO annotations, video and ground truth.

        ``id_images`` maps a class to a per-pixel id image (>= 0: the object's id, -1 none): its
        instances are one per id among the class's pixels (two touching people stay two), the
        other classes' the connected components of their mask.
        """
        from sim.render.images.encode import write_png

        cfg = camera.config
        # Instances once per frame, shared by every view; each object is a mask or a COCO RLE.
        instance_ids = np.zeros(semantic.shape, dtype=np.uint16)
        objects = []
        for name in classes:
            cls = ann.CLASS_TABLE[name]
            if id_images and name in id_images:
                for flat, encoded in _id_instances(id_images[name], semantic == cls):
                    objects.append((cls, encoded))
                    instance_ids.reshape(-1)[flat] = len(objects)
                continue
            _, masks = ann.instances(semantic == cls)
            for mask in masks:
                objects.append((cls, mask))
                instance_ids[mask] = len(objects)
        folder = self.run_dir / IMAGES_DIR / camera.name
        if camera.frames == 0:
            for sub in ("semantic", "instance", *frames):
                (folder / sub).mkdir(parents=True, exist_ok=True)
        stem = f"{camera.frames:06d}"
        write_png(folder / "semantic" / f"{stem}.png", semantic)
        write_png(folder / "instance" / f"{stem}.png", instance_ids)
        for view, frame in frames.items():
            name = f"{camera.name}/{view}/{stem}.png"
            write_png(self.run_dir / IMAGES_DIR / name, frame)
            image_id = self.coco.add_image(name, cfg.width_px, cfg.height_px, time_s=t, camera=camera.name, view=view)
            for category, mask in objects:
                if isinstance(mask, dict):
                    self.coco.add_encoded(image_id, category, mask)
                else:
                    self.coco.add_annotation(image_id, category, mask)
            if cfg.video:
                self._video(camera, view, frame, t)
        self._truth(camera, t, {**truth, "semantic_class": semantic, "instance_id": instance_ids})
        counts = self.counts.setdefault(camera.name, {cls: 0 for cls in classes})
        for cls in classes:
            counts[cls] = max(counts[cls], int(np.count_nonzero(semantic == ann.CLASS_TABLE[cls])))
        camera.frames += 1

    def _smoke_optical_depth(self, camera: Camera, scene: SceneLayers, xs, ys, distance, valid) -> np.ndarray:
        """tau along each pixel's ray from the camera to what it sees (0 without smoke)."""
        if scene.smoke_extinction_per_m is None:
            return np.zeros(xs.shape)
        from sim.render.images.radiometry import smoke_optical_depth

        g = self.grid
        kappa = scene.smoke_extinction_per_m
        top = scene.smoke_base_m + kappa.shape[0] * scene.smoke_dz_m
        if camera.config.kind == "orthographic":  # straight down from above the smoke to the ground
            origins = np.column_stack([xs.ravel(), ys.ravel(), np.full(xs.size, top + 1.0)])
            directions = np.tile([0.0, 0.0, -1.0], (xs.size, 1))
            elevation = scene.elevation_m if scene.elevation_m is not None else np.zeros(g.shape)
            from sim.render.images.views import _sample

            stop = top + 1.0 - _sample(elevation, g, xs, ys).ravel()
        else:
            directions = camera.geometry.rays().reshape(-1, 3)
            origins = np.broadcast_to(np.asarray(camera.config.position_m, dtype=float), directions.shape)
            stop = np.where(np.isfinite(distance.ravel()), distance.ravel(), camera.config.max_distance_m)
        tau = smoke_optical_depth(kappa, (g.x0, g.y0, scene.smoke_base_m), (g.dx, g.dy, scene.smoke_dz_m),
                                  origins, directions, stop)
        return tau.reshape(xs.shape)

    def _brightness(self, band):
        from sim.render.images.radiometry import BrightnessTable

        if band.name not in self._tables:
            self._tables[band.name] = BrightnessTable(band)
        return self._tables[band.name]

    def _randomization(self, camera: Camera, rng: np.random.Generator):
        if not camera.config.randomization:
            return None
        from sim.render.images.randomize import RandomizationConfig

        return RandomizationConfig.model_validate(camera.config.randomization).sample(rng)

    def _video(self, camera: Camera, view: str, frame: np.ndarray, t: float) -> None:
        from sim.render.images.encode import VideoWriter

        if view not in camera.videos:
            camera.videos[view] = VideoWriter(self.run_dir / IMAGES_DIR / camera.name / f"{view}.mp4",
                                              camera.config.video_fps)
        rgb = frame if frame.ndim == 3 else np.repeat(frame[..., None], 3, axis=2)
        camera.videos[view].append(rgb, time_s=t)

    def _truth(self, camera: Camera, t: float, truth: dict[str, np.ndarray]) -> None:
        from sim.render.images.truth import TruthWriter

        if camera.name not in self.truth:
            self.truth[camera.name] = TruthWriter(self.run_dir / IMAGES_DIR / camera.name / "ground_truth.nc",
                                                  self.start_datetime)
        self.truth[camera.name].append(t, truth)

    # -- the end --------------------------------------------------------------------------------
    def close(self, end_s: float | None = None) -> list[Path]:
        files = []
        for camera in self.cameras:
            for video in camera.videos.values():
                files.append(video.close())
            if camera.name in self.truth:
                files.append(self.truth[camera.name].close())
            folder = self.run_dir / IMAGES_DIR / camera.name
            if folder.is_dir():
                files += sorted(p for p in folder.rglob("*.png"))
        folder = self.run_dir / IMAGES_DIR
        folder.mkdir(parents=True, exist_ok=True)
        files.append(self.coco.write(folder / "coco.json"))
        files.append(self._write_cameras(folder / "cameras.json"))
        return files

    def _write_cameras(self, path: Path) -> Path:
        body = {}
        for camera in self.cameras:
            g = camera.geometry
            entry: dict[str, Any] = {"kind": camera.config.kind, "width_px": camera.config.width_px,
                                     "height_px": camera.config.height_px, "frames": camera.frames,
                                     "views": camera.config.views,
                                     "temperature_scale_K": {"value_0": THERMAL_SCALE_K[0],
                                                             "value_255": THERMAL_SCALE_K[1]}}
            if camera.config.kind == "orthographic":
                entry.update({"extent_m": list(camera.config.extent_m or self.grid.extent_m), "gsd_m": g.gsd_m})
            elif camera.config.kind == "allsky":
                entry.update({"projection": g.intrinsics, "station": g.extrinsics,
                              "emission_height_m": g.EMISSION_HEIGHT_M,
                              "aurora_full_scale_kR": self.images.aurora_full_scale_kR})
            else:
                entry.update({"intrinsics": np.asarray(g.intrinsics).tolist(),
                              "extrinsics_world_to_camera": np.asarray(g.extrinsics).tolist()})
            body[camera.name] = entry
        write_text_atomic(path, json.dumps(body, indent=1) + "\n")
        return path

    def key_outputs(self) -> dict[str, Any]:
        return {"cameras": {name: {f"largest_{cls}_pixels": n for cls, n in counts.items()}
                            for name, counts in self.counts.items()}}

    def summary(self) -> list[str]:
        return [f"camera {c.name} ({c.config.kind}, {', '.join(c.config.views)}): {c.frames} frames"
                for c in self.cameras]


def _id_instances(ids: np.ndarray, within: np.ndarray):
    """(flat pixel indices, COCO annotation body) of each distinct id >= 0 of ``ids`` inside
    ``within``, in order of id: the compressed RLE (column-major runs over the whole image),
    area and bbox, built from each object's own pixels (no full-image mask per object)."""
    from pycocotools import mask as mask_utils

    H, W = ids.shape
    flat = np.flatnonzero(within.ravel() & (ids.ravel() >= 0))
    if flat.size == 0:
        return []
    rows, cols = np.divmod(flat, W)
    key = ids.ravel()[flat].astype(np.int64)
    colmajor = cols * H + rows
    order = np.lexsort((colmajor, key))
    key, colmajor, flat, rows, cols = key[order], colmajor[order], flat[order], rows[order], cols[order]
    # Runs of consecutive column-major indices, all objects at once; a run never spans two objects.
    first = np.r_[True, key[1:] != key[:-1]]
    run_at = np.flatnonzero(first | np.r_[True, np.diff(colmajor) != 1])
    run_last = np.r_[run_at[1:], key.size] - 1
    starts, ends = colmajor[run_at], colmajor[run_last] + 1
    new_object = first[run_at]
    gaps = starts - np.where(new_object, 0, np.r_[0, ends[:-1]])
    runs = np.column_stack([gaps, ends - starts]).ravel().tolist()
    object_runs = np.r_[np.flatnonzero(new_object), run_at.size]
    object_at = np.r_[np.flatnonzero(first), key.size]
    r_lo, r_hi = np.minimum.reduceat(rows, object_at[:-1]), np.maximum.reduceat(rows, object_at[:-1])
    c_lo, c_hi = np.minimum.reduceat(cols, object_at[:-1]), np.maximum.reduceat(cols, object_at[:-1])
    out = []
    for k in range(object_at.size - 1):
        a, b = int(object_runs[k]), int(object_runs[k + 1])
        counts = runs[2 * a:2 * b] + [H * W - int(ends[b - 1])]
        rle = mask_utils.frPyObjects({"size": [H, W], "counts": counts}, H, W)
        lo, hi = int(object_at[k]), int(object_at[k + 1])
        bbox = [float(c_lo[k]), float(r_lo[k]), float(c_hi[k] - c_lo[k] + 1), float(r_hi[k] - r_lo[k] + 1)]
        out.append((flat[lo:hi], {"segmentation": {"size": [H, W], "counts": rle["counts"].decode("ascii")},
                                  "area": float(hi - lo), "bbox": bbox}))
    return out

