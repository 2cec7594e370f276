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

A model that knows its cloud's fog (the dense layer: ``fog_layers(state)``, the condensed humidity
of a cold cloud, :func:`models.gas_dispersion.thermo.fog_mixing`) passes it on: the droplets'
visible extinction over the layer's depth, their liquid water path and the cloud's temperature.
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
    fog_layers = getattr(model, "fog_layers", None)
    if fog_layers is not None:
        fog = fog_layers(state)
        layers.fog_extinction_per_m = fog["extinction_per_m"]
        layers.fog_depth_m = fog["depth_m"]
        layers.fog_liquid_water_path_kg_m2 = fog["liquid_water_path_kg_m2"]
        layers.fog_temperature_K = fog["temperature_K"]
    return layers
