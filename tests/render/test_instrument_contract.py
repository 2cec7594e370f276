"""Every registered sensor kind resolves to an instrument that states its physics and sources."""

from __future__ import annotations

import sys

import pytest

from sim.render.instruments import instrument_class, instrument_kinds
from sim.render.instruments.base import Instrument, InstrumentParams


@pytest.mark.parametrize("kind", instrument_kinds())
def test_instrument_contract(kind):
    cls = instrument_class(kind)
    assert issubclass(cls, Instrument) and cls.kind == kind
    assert issubclass(cls.Params, InstrumentParams)
    assert cls.geometry in ("point", "area", "line")
    assert cls.references.strip(), f"{kind}: no references"
    module_doc = sys.modules[cls.__module__].__doc__ or ""
    assert "symbol" in module_doc.lower() or "|" in module_doc, f"{kind}: no symbol table in the module docstring"
    for name in cls.Params.model_fields:
        assert name == name.lower(), name
