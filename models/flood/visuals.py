"""What a camera sees of a flood: the terrain with its buildings, and the water on it.

The bed elevation (``bed_elevation``, buildings raised on it where the scenario has them)
and the water depth (``water_depth``) are the model's own diagnostic fields at time t.
Buildings are the cells the scenario's building boxes cover (``buildings``) or, for the
synthetic town terrain, its blocks.
"""

from __future__ import annotations

import numpy as np

from sim.render.images.layers import SceneLayers


def visual_layers(model, state, t: float) -> SceneLayers:
    return SceneLayers(elevation_m=np.asarray(state["bed_elevation"], dtype=float),
                       building_mask=getattr(model, "building_mask", None),
                       water_depth_m=np.asarray(state["water_depth"], dtype=float))
