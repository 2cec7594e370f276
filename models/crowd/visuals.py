"""What a camera sees of a crowd: the people, and where the crowd is dense.

From the model's state at t:

- ``agents``: the people present (finite ``agent_x``), at (``agent_x``, ``agent_y``), with
  their body radii (the model's ``agents.radius`` of the same slots) and ids (``agent_id``),
  all of height PERSON_HEIGHT_M = 1.75 m (modelling choice: about the mean adult stature,
  men and women together; the renderer draws the top-down footprint, so the height only
  matters to a renderer that draws people upright);
- ``crowd_density_per_m2``: the model's ``crowd_density`` (Gaussian-weighted persons per
  square metre), which the renderer thresholds into the "crowd" class;
- ``elevation_m``: none (flat ground at 0 m) unless the model walks a plane slope
  (``slope`` = (s_x, s_y)): then z = s_x x + s_y y on the grid's cell centres.
"""

from __future__ import annotations

import numpy as np

from sim.render.images.layers import Agents, SceneLayers

PERSON_HEIGHT_M = 1.75


def _people(model, state) -> Agents:
    a = model.agents
    if state is not None and "agent_x" in state:
        x = np.asarray(state["agent_x"], dtype=np.float64)
        y = np.asarray(state["agent_y"], dtype=np.float64)
        ids = np.asarray(state["agent_id"], dtype=np.float64)
        n = min(x.size, y.size, ids.size, a.radius.size)
        slots = np.flatnonzero(np.isfinite(x[:n]) & np.isfinite(y[:n]) & np.isfinite(ids[:n]))
        xs, ys, ident = x[slots], y[slots], ids[slots].astype(np.int64)
    else:  # no diagnosed state: the model's own live agents
        slots = np.flatnonzero(a.active)
        xs, ys, ident = a.x[slots], a.y[slots], a.id[slots].astype(np.int64)
    return Agents(np.column_stack([xs, ys]), np.asarray(a.radius, dtype=np.float64)[slots],
                  np.full(slots.size, PERSON_HEIGHT_M), ident)


def visual_layers(model, state, t: float) -> SceneLayers:
    density = None
    if state is not None and "crowd_density" in state:
        density = np.asarray(state["crowd_density"], dtype=np.float64)
    elevation = None
    sx, sy = model.params.slope
    if (sx, sy) != (0.0, 0.0):
        X, Y = np.meshgrid(model.grid.x, model.grid.y)
        elevation = sx * X + sy * Y
    return SceneLayers(elevation_m=elevation, agents=_people(model, state), crowd_density_per_m2=density)
