"""What a camera sees of a wildfire: terrain, the burn scar, the flames and hot ground.

From the model's state at t (arrival times, the spread rate and flame length where the front
crossed each cell, the flaming window of :mod:`models.wildfire.effects`):

- ``burned_fraction``: the share of a cell the front has crossed, (t - t_a) / tau_c over the
  cell's flaming window tau_c, 1 after it;
- ``flame_share``: the share of the cell's area in flame, tau_r / tau_c during the window;
- ``flame_emissivity``: eps_f = 1 - exp(-kappa L_f) through flames of length L_f seen from
  above, kappa = 0.5 m-1 (modelling choice: of the order of the effective absorption
  coefficients of vegetation-fire flames, 0.1-1 m-1, which rise with their soot);
- ``flame_temperature_K``: the model's ``flame_temperature_K`` (1100 K by default; Butler et
  al. 2016, Int. J. Wildland Fire 25:76, measured flame temperatures up to 1432 K and flame
  emissive powers up to 95 kW m-2 in RxCADRE surface fires; 1100 K emits 83 kW m-2 as a
  blackbody);
- ``surface_temperature_K``: NaN (the renderer's ground temperature) where unburned; the
  ground of a burning cell is at the smouldering temperature T_s = 600 K from the front's
  arrival, and cools from it toward the air, once its flames are out, with a time constant of 15 min
  (modelling choice: residual combustion of litter and logs keeps a burn scar warm in
  thermal imagery for tens of minutes);
- ``building_mask``: the urban non-burnable fuel (NB1, 91) as roofs;
- ``land_cover``: the fuel model's vegetation as the renderer's land-cover classes (Scott &
  Burgan 2005's groups; Anderson 1982's 13 by their groups): grass (GR, 1-3), shrub (GS, SH,
  4-7), forest (TU, TL, SB, 8-13: timber litter and understory, slash under or after a stand),
  and the non-burnable urban (NB1), snow (NB2), agriculture (NB3), water (NB8) and bare (NB9).
"""

from __future__ import annotations

import numpy as np

from sim.render.images.layers import LAND_COVER_CLASSES, SceneLayers

FLAME_ABSORPTION_PER_M = 0.5
SMOULDER_TEMPERATURE_K = 600.0
COOLING_TIME_S = 900.0
URBAN = 91
# Fuel-model number ranges (inclusive) -> land-cover class (module docstring).
FUEL_LAND_COVER = (((1, 3), "grass"), ((4, 7), "shrub"), ((8, 13), "forest"), ((91, 91), "urban"),
                   ((92, 92), "snow"), ((93, 93), "agriculture"), ((98, 98), "water"), ((99, 99), "bare"),
                   ((101, 109), "grass"), ((121, 149), "shrub"), ((161, 204), "forest"))


def land_cover_of(fuel_number: np.ndarray) -> np.ndarray:
    """LAND_COVER_CLASSES index (int8) of each cell's fuel model, -1 where none applies.

    >>> land_cover_of(np.array([102, 145, 165, 98, 0])).tolist()
    [0, 1, 2, 5, -1]
    """
    out = np.full(np.shape(fuel_number), -1, dtype=np.int8)
    for (low, high), name in FUEL_LAND_COVER:
        out[(fuel_number >= low) & (fuel_number <= high)] = LAND_COVER_CLASSES.index(name)
    return out


def visual_layers(model, state, t: float) -> SceneLayers:
    arrival = model.front.arrival_time
    ros = model.front.ros_at_arrival
    residence = model.at_arrival["residence"]
    window = residence + np.divide(model.cell_size_m, ros, out=np.zeros_like(ros), where=ros > 0)
    burned = arrival <= t
    elapsed = np.where(burned, t - np.where(burned, arrival, 0.0), 0.0)
    fraction = np.where(burned, np.clip(np.divide(elapsed, window, out=np.ones_like(window), where=window > 0),
                                        0.0, 1.0), 0.0)
    flaming = burned & (elapsed < window)
    share = np.where(flaming, np.divide(residence, window, out=np.zeros_like(window), where=window > 0), 0.0)
    flame_length = model.at_arrival["flame_length"]
    emissivity = 1.0 - np.exp(-FLAME_ABSORPTION_PER_M * flame_length)
    air_K = model.params.air_temperature_c + 273.15
    since_out = np.maximum(elapsed - window, 0.0)
    # Under and behind the flames the fuel bed smoulders from the moment the front arrives.
    cooling = np.where(flaming, 1.0, np.where(burned, np.exp(-since_out / COOLING_TIME_S), 0.0))
    surface = np.where(burned, air_K + (SMOULDER_TEMPERATURE_K - air_K) * cooling, np.nan)
    return SceneLayers(elevation_m=model.landscape.elevation_m, building_mask=model.landscape.fuel_number == URBAN,
                       surface_temperature_K=surface, flame_share=share, flame_emissivity=emissivity,
                       flame_temperature_K=model.params.flame_temperature_K, burned_fraction=fraction,
                       land_cover=model.land_cover)

