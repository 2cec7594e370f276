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
agents                    people (:class:`Agents`): positions (n, 2),  m
                          radii, heights, ids; not on the grid
crowd_density_per_m2      local crowd density                          m-2
fog_extinction_per_m      visible extinction beta of fog (condensed    m-1
                          water droplets) in a ground-hugging layer
fog_depth_m               depth of that layer (the fog fills it)       m
fog_liquid_water_path_    its liquid water, LWC times depth            kg m-2
kg_m2
fog_temperature_K         its temperature                              K
land_cover                index into LAND_COVER_CLASSES (-1: unknown,  1
                          the renderer's default grass and soil)
========================= ============================================ ========

Agents of two models are concatenated; crowd densities of two models add. Fog, like smoke, is
taken from the first model that gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


# Land-cover classes a model may give (its own classes mapped onto these); the renderer's
# reflectances and emissivities are per class (views.LAND_COVER_RGB, radiometry.LAND_COVER_EMISSIVITY).
LAND_COVER_CLASSES = ("grass", "shrub", "forest", "agriculture", "urban", "water", "snow", "bare")


@dataclass
class Agents:
    """People in the scene: centres (n, 2) [m], body radii (n,) [m], heights (n,) [m], ids (n,)."""

    positions_m: np.ndarray
    radii_m: np.ndarray
    heights_m: np.ndarray
    ids: np.ndarray

    def __post_init__(self) -> None:
        self.positions_m = np.asarray(self.positions_m, dtype=np.float64).reshape(-1, 2)
        n = self.positions_m.shape[0]
        self.radii_m = np.broadcast_to(np.asarray(self.radii_m, dtype=np.float64), (n,)).copy()
        self.heights_m = np.broadcast_to(np.asarray(self.heights_m, dtype=np.float64), (n,)).copy()
        self.ids = np.broadcast_to(np.asarray(self.ids, dtype=np.int64), (n,)).copy()

    def __len__(self) -> int:
        return int(self.positions_m.shape[0])

    def concatenated(self, other: "Agents") -> "Agents":
        return Agents(np.concatenate([self.positions_m, other.positions_m]),
                      np.concatenate([self.radii_m, other.radii_m]),
                      np.concatenate([self.heights_m, other.heights_m]), np.concatenate([self.ids, other.ids]))


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
    agents: Agents | None = None
    crowd_density_per_m2: np.ndarray | None = None
    fog_extinction_per_m: np.ndarray | None = None
    fog_depth_m: np.ndarray | None = None
    fog_liquid_water_path_kg_m2: np.ndarray | None = None
    fog_temperature_K: np.ndarray | None = None
    land_cover: np.ndarray | None = None

    def merged(self, other: "SceneLayers") -> "SceneLayers":
        """This scene with ``other`` laid over it: its layers fill empty ones, gas columns add."""
        columns = dict(self.gas_column_ppm_m)
        for gas, column in other.gas_column_ppm_m.items():
            columns[gas] = columns[gas] + column if gas in columns else column
        pick = lambda a, b: a if a is not None else b  # noqa: E731
        smoke = self if self.smoke_extinction_per_m is not None else other
        fire = self if self.flame_share is not None else other
        fog = self if self.fog_extinction_per_m is not None else other
        if self.agents is not None and other.agents is not None:
            agents = self.agents.concatenated(other.agents)
        else:
            agents = pick(self.agents, other.agents)
        if self.crowd_density_per_m2 is not None and other.crowd_density_per_m2 is not None:
            density = self.crowd_density_per_m2 + other.crowd_density_per_m2
        else:
            density = pick(self.crowd_density_per_m2, other.crowd_density_per_m2)
        return SceneLayers(pick(self.elevation_m, other.elevation_m), pick(self.building_mask, other.building_mask),
                           pick(self.water_depth_m, other.water_depth_m),
                           pick(self.surface_temperature_K, other.surface_temperature_K), columns,
                           smoke.smoke_extinction_per_m, smoke.smoke_base_m, smoke.smoke_dz_m,
                           pick(self.aurora, other.aurora), fire.flame_share, fire.flame_emissivity,
                           fire.flame_temperature_K, pick(self.burned_fraction, other.burned_fraction),
                           agents, density, fog_extinction_per_m=fog.fog_extinction_per_m,
                           fog_depth_m=fog.fog_depth_m, fog_liquid_water_path_kg_m2=fog.fog_liquid_water_path_kg_m2,
                           fog_temperature_K=fog.fog_temperature_K,
                           land_cover=pick(self.land_cover, other.land_cover))
