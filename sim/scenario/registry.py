"""Registry of physical models: scenario ``kind`` -> model class, imported on demand."""

from __future__ import annotations

import importlib

# kind -> "module:Class". Imported lazily so `hazsim list` and `hazsim check` stay quick.
MODELS: dict[str, str] = {
    "gas_dispersion": "models.gas_dispersion.model:GasDispersion",
    "flood": "models.flood.model:Flood",
}


def model_class(kind: str) -> type:
    """The model class registered as ``kind``; KeyError when unknown."""
    module_name, _, class_name = MODELS[kind].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def model_kinds() -> list[str]:
    return sorted(MODELS)
