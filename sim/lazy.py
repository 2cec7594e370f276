"""Registries name their entries ``"module:attribute"`` and import them on first use,
so `hazsim list` and `hazsim check` stay quick."""

from __future__ import annotations

import importlib
from typing import Any


def load(target: str) -> Any:
    """The object ``attribute`` of ``module`` for ``target = "module:attribute"``."""
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)
