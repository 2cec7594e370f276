"""What the models make visible: the scene layers an image renderer draws.

Each model's ``visuals.py`` gives ``visual_layers(model, state, t) -> SceneLayers`` on the
model's grid; the renderer merges the layers of every model (later models fill what earlier
ones left empty; gas columns add) and samples them at each pixel's ground point. A layer a
model does not know is None: terrain defaults to flat ground at 0 m, the surface to the air
temperature. Every array is (ny, nx) on the scenario grid, rows along y as the fields are.

========================= ============================================ ========
layer                     meaning                                      unit
========================= ============================================ ========
elevation_m               ground (bed) elevation, buildings included   m
building_mask             True on building cells                       1
water_depth_m             depth of surface water                       m
surface_temperature_K     temperature of the ground or water surface  K
                          (NaN: the renderer's default there)
gas_column_ppm_m          vertical column of each gas, by gas name     ppm m
smoke_extinction_per_m    smoke extinction kappa, (nz, ny, nx) voxels  m-1
smoke_base_m, smoke_dz_m  bottom and height of the smoke voxel layers  m
aurora                    the sky's emission: ``brightness_kR(lat, lon)``  kR
                          of the green line over geographic points
flame_share               share of a cell's area in flame              1
flame_emissivity          emissivity of those flames                   1
flame_temperature_K       their (radiation) temperature                K
burned_fraction           share of a cell burned (char and ash)        1
========================= ============================================ ========
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class SceneLayers:
    elevation_m: np.ndarray | None = None
    building_mask: np.ndarray | None = None
    water_depth_m: np.ndarray | None = None
    surface_temperature_K: np.ndarray | None = None
    gas_column_ppm_m: dict[str, np.ndarray] = field(default_factory=dict)
    smoke_extinction_per_m: np.ndarray | None = None
    smoke_base_m: float = 0.0
    smoke_dz_m: float = 1.0
    aurora: Any = None
    flame_share: np.ndarray | None = None
    flame_emissivity: np.ndarray | None = None
    flame_temperature_K: float = 1100.0
    burned_fraction: np.ndarray | None = None

    def merged(self, other: "SceneLayers") -> "SceneLayers":
        """This scene with ``other`` laid over it: its layers fill empty ones, gas columns add."""
        columns = dict(self.gas_column_ppm_m)
        for gas, column in other.gas_column_ppm_m.items():
            columns[gas] = columns[gas] + column if gas in columns else column
        pick = lambda a, b: a if a is not None else b  # noqa: E731
        smoke = self if self.smoke_extinction_per_m is not None else other
        fire = self if self.flame_share is not None else other
        return SceneLayers(pick(self.elevation_m, other.elevation_m), pick(self.building_mask, other.building_mask),
                           pick(self.water_depth_m, other.water_depth_m),
                           pick(self.surface_temperature_K, other.surface_temperature_K), columns,
                           smoke.smoke_extinction_per_m, smoke.smoke_base_m, smoke.smoke_dz_m,
                           pick(self.aurora, other.aurora), fire.flame_share, fire.flame_emissivity,
                           fire.flame_temperature_K, pick(self.burned_fraction, other.burned_fraction))
