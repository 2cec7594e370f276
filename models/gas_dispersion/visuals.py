"""What a camera sees of the gas: its vertical column.

A camera looking down through the cloud integrates the gas along its line of sight; for the
Gaussian puffs and plume that is their vertical column (:meth:`GasDispersion.column_density`,
kg m-2, exact integrals of the same Gaussians whose value at receptor height is
``gas_concentration``), expressed as the path-integrated mole fraction optical gas imaging
works in:

    CL = column / rho_g * 1e6          (ppm m),   rho_g = M p / (R T)

with rho_g the density of the pure gas at the ambient temperature and pressure (the same
conversion as ``gas_mole_fraction``). The Gaussian model carries no thermodynamics of the
cloud: a cold, condensing (visible) cloud of flashing ammonia or LPG is not modelled here
(issue 3's dense-gas source terms will bring it), so the gas is invisible in visible light.
"""

from __future__ import annotations

from sim.render.images.layers import SceneLayers


def visual_layers(model, state, t: float) -> SceneLayers:
    """The gas column; and, for the models that have them, the ground and the buildings the gas flows
    round (``ground_elevation_m`` and ``building_height_m`` on the grid)."""
    column_kg_m2 = model.column_density(t)
    layers = SceneLayers(gas_column_ppm_m={model.gas.name: column_kg_m2 * model._ppm_per_kg_m3()})
    ground = getattr(model, "ground_elevation_m", None)
    buildings = getattr(model, "building_height_m", None)
    if ground is not None:
        layers.elevation_m = ground + (buildings if buildings is not None else 0.0)
    if buildings is not None and buildings.any():
        layers.building_mask = buildings > 0.0
    return layers
