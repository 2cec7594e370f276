"""Registry of physical models: scenario ``kind`` -> model class, imported on demand."""

from __future__ import annotations

from sim.lazy import load

# kind -> "module:Class". Imported lazily so `hazsim list` and `hazsim check` stay quick.
MODELS: dict[str, str] = {
    "crowd": "models.crowd.model:Crowd",
    "dense_gas": "models.gas_dispersion.dense_layer:DenseGas",
    "gas_dispersion": "models.gas_dispersion.model:GasDispersion",
    "gas_particles": "models.gas_dispersion.lagrangian:GasParticles",
    "flood": "models.flood.model:Flood",
    "geomagnetic": "models.geomagnetic.model:Geomagnetic",
    "smoke": "models.gas_dispersion.smoke:Smoke",
    "wildfire": "models.wildfire.model:Wildfire",
}


def model_class(kind: str) -> type:
    """The model class registered as ``kind``; KeyError when unknown."""
    return load(MODELS[kind])


def model_kinds() -> list[str]:
    return sorted(MODELS)
