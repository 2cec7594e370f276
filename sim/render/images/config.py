"""Scenario tables of the image renderer: ``[images]`` and ``[[cameras]]``.

```toml
[images]
air_temperature_c = 15.0       # the gas is at air temperature
water_temperature_c = 10.0     # surface water (thermal and OGI contrast)
ground_temperature_c = 25.0    # sunlit dry ground and roofs (default: the air temperature)
sun_azimuth_deg = 135.0        # compass azimuth of the sun
sun_elevation_deg = 40.0
water_threshold_m = 0.05       # masks: a pixel is water where it is deeper
gas_threshold_ppm_m = 100.0    # masks: a pixel is gas where the column is larger
fire_threshold_share = 0.0     # masks: a pixel is fire where this share of its ground cell flames

[[cameras]]
name = "drone"
kind = "orthographic"          # orthographic | pinhole | allsky (a fisheye at latitude_deg, longitude_deg)
views = ["rgb", "thermal", "ogi"]
every_s = 30.0
width_px = 512
height_px = 512
extent_m = [0.0, 1000.0, 0.0, 1000.0]   # orthographic: xmin, xmax, ymin, ymax (default: the grid)
# pinhole: position_m = [x, y, z] (z above the datum, not the ground), yaw_deg (compass azimuth of the axis), pitch_deg (< 0 looks
# down), roll_deg, horizontal_fov_deg
video = true
randomization = { exposure_ev = [-1.0, 1.0], jpeg_quality = [40, 95] }
```
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat, model_validator

VIEWS = ("rgb", "thermal", "ogi")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ImagesConfig(_Strict):
    air_temperature_c: float = Field(15.0, ge=-60.0, le=60.0)
    water_temperature_c: float = Field(10.0, ge=-2.0, le=40.0)
    ground_temperature_c: float | None = Field(None, ge=-60.0, le=80.0,
                                               description="dry ground and roofs (default: the air temperature)")
    sun_azimuth_deg: float = Field(135.0, ge=0.0, lt=360.0)
    sun_elevation_deg: float = Field(40.0, ge=-20.0, le=90.0)
    water_threshold_m: PositiveFloat = 0.05
    gas_threshold_ppm_m: PositiveFloat = 100.0
    smoke_threshold_optical_depth: PositiveFloat = Field(0.5, description="masks: smoke where tau is larger")
    smoke_albedo: float = Field(0.3, ge=0.0, le=1.0, description="grey reflectance of the smoke in visible light")
    crowd_threshold_per_m2: PositiveFloat = Field(4.0, description="masks: crowd where the density (persons m-2) "
                                                                   "is larger")
    fire_threshold_share: NonNegativeFloat = Field(0.0, description="masks: fire where the flaming share is larger")
    aurora_threshold_kR: PositiveFloat = Field(1.0, description="masks: aurora where the green line is brighter")
    aurora_full_scale_kR: PositiveFloat = Field(20.0, description="allsky: green-line brightness at full scale")


class CameraConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=60)
    kind: Literal["orthographic", "pinhole", "allsky"] = "orthographic"
    views: list[Literal["rgb", "thermal", "ogi"]] = Field(default_factory=lambda: ["rgb"], min_length=1)
    every_s: PositiveFloat = 60.0
    start_s: NonNegativeFloat = 0.0
    end_s: PositiveFloat | None = None
    width_px: int = Field(512, ge=16, le=4096)
    height_px: int = Field(512, ge=16, le=4096)
    extent_m: tuple[float, float, float, float] | None = None
    position_m: tuple[float, float, float] | None = None
    yaw_deg: float = 0.0
    pitch_deg: float = Field(-30.0, ge=-90.0, le=90.0)
    roll_deg: float = 0.0
    horizontal_fov_deg: float = Field(60.0, gt=1.0, lt=170.0)
    max_distance_m: PositiveFloat = 20000.0
    altitude_m: PositiveFloat = Field(120.0, description="orthographic: height above the scene (haze path)")
    latitude_deg: float | None = Field(None, ge=-90.0, le=90.0, description="allsky: geographic latitude")
    longitude_deg: float | None = Field(None, ge=-180.0, le=360.0, description="allsky: geographic longitude")
    video: bool = False
    video_fps: PositiveFloat = 10.0
    randomization: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _geometry(self):
        if len(set(self.views)) != len(self.views):
            raise ValueError(f"views listed more than once: {self.views}")
        if self.kind == "allsky":
            if self.latitude_deg is None or self.longitude_deg is None:
                raise ValueError("an allsky camera needs latitude_deg and longitude_deg (geographic)")
            if self.views != ["rgb"]:
                raise ValueError(f"an allsky camera records the visible sky: expected views = ['rgb'], got {self.views}")
            return self
        if self.kind == "pinhole" and self.position_m is None:
            raise ValueError("a pinhole camera needs position_m = [x, y, z]")
        if self.kind == "orthographic" and self.position_m is not None:
            raise ValueError("position_m is for a pinhole camera; an orthographic one takes extent_m")
        if self.extent_m is not None and not (self.extent_m[1] > self.extent_m[0] and self.extent_m[3] > self.extent_m[2]):
            raise ValueError(f"extent_m {list(self.extent_m)} is not [xmin, xmax, ymin, ymax] with max > min")
        if self.end_s is not None and not self.end_s > self.start_s:
            raise ValueError(f"end_s = {self.end_s} must be after start_s = {self.start_s}")
        return self
