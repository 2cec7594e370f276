"""Field metadata (FieldSpec) and the shared set of named arrays (FieldSet).

Every array a model reads or writes is declared once as a :class:`FieldSpec`: its name,
where it lives on the grid, its units, its intent and its documentation. The engine
allocates fields from these declarations, writes CF attributes from them, checks
couplings against them, and the contract test holds every model to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Literal

import numpy as np

from sim.grid import RasterGrid

Location = Literal["cell", "face_x", "face_y", "agent", "global"]
Intent = Literal["in", "out", "inout"]
FieldKind = Literal["float", "level", "bool"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FieldSpec:
    """Declaration of one field.

    Parameters
    ----------
    name : snake_case physical name without units (``gas_concentration``).
    at : where the field lives: ``cell``, ``face_x``, ``face_y``, ``agent`` or ``global``.
    units : UDUNITS string (``kg m-3``, ``1``); empty for flag (categorical) fields.
    intent : ``in`` (read only), ``out`` (written) or ``inout``.
    doc : one-line description, used as the CF ``long_name``.
    standard_name : CF standard name, when one exists.
    kind : ``float`` (grid dtype), ``level`` (small integer category, int8) or ``bool``.
    flag_values, flag_meanings : for ``level`` fields, the CF flag attributes.
    allow_nan : NaN is a legitimate value meaning "not yet" (a first-arrival time before
        the water arrives); such a field is exempt from the non-finite guard.
    diagnostic : derived from the model's own state by its ``diagnose(state, t)`` hook and
        brought up to date only when something reads it (a writer that is due, a model that
        takes it as input), not after every step. It is guarded whenever it is diagnosed.
    running_max : whether the maximum over every step means something for this field (a
        water depth) and is kept and written as ``<name>_max``; not for a signed velocity
        component or a first-arrival time.
    """

    name: str
    at: Location
    units: str
    intent: Intent
    doc: str
    standard_name: str | None = None
    kind: FieldKind = "float"
    flag_values: tuple[int, ...] = ()
    flag_meanings: tuple[str, ...] = ()
    allow_nan: bool = False
    diagnostic: bool = False
    running_max: bool = True

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"field name {self.name!r} must be snake_case ASCII")
        if self.kind == "level" and len(self.flag_values) != len(self.flag_meanings):
            raise ValueError(f"field {self.name!r}: flag_values and flag_meanings differ in length")

    def dtype(self, grid: RasterGrid) -> np.dtype:
        if self.kind == "level":
            return np.dtype(np.int8)
        if self.kind == "bool":
            return np.dtype(np.bool_)
        return grid.float_dtype

    def cf_attrs(self) -> dict[str, object]:
        """CF-1.10 attributes for this field."""
        attrs: dict[str, object] = {"long_name": self.doc}
        if self.standard_name:
            attrs["standard_name"] = self.standard_name
        if self.kind == "level":
            attrs["flag_values"] = np.array(self.flag_values, dtype=np.int8)
            attrs["flag_meanings"] = " ".join(self.flag_meanings)
        elif self.units:
            attrs["units"] = self.units
        return attrs


@dataclass
class FieldSet:
    """Named arrays on one grid, allocated from FieldSpecs.

    Fields at cells and faces are 2-D arrays of the grid's shape at that location; ``global``
    fields are 0-d arrays (so models update them in place like any other field).
    """

    grid: RasterGrid
    specs: dict[str, FieldSpec] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def for_models(cls, grid: RasterGrid, models) -> "FieldSet":
        """Every field the models declare, allocated once (shared fields once). Agent fields
        have one entry per agent slot of their model (``model.agent_capacity``)."""
        fields = cls(grid)
        for model in models:
            for spec in model.fields:
                fields.add(spec, getattr(model, "agent_capacity", None) if spec.at == "agent" else None)
        return fields

    def add(self, spec: FieldSpec, agents: int | None = None) -> np.ndarray:
        """Allocate a field, or return it if an identical spec exists: zero-filled, except float
        agent fields, NaN-filled (a slot holds nobody until its model spawns someone there).
        ``agents`` is the number of agent slots, required for an agent field."""
        existing = self.specs.get(spec.name)
        if existing is not None:
            if spec.at == "agent":
                raise ValueError(f"agent field {spec.name!r} declared by two models; each crowd needs its own names")
            if (existing.at, existing.units, existing.kind) != (spec.at, spec.units, spec.kind):
                raise ValueError(
                    f"field {spec.name!r} declared twice with different location, units or kind: "
                    f"({existing.at}, {existing.units!r}, {existing.kind}) vs "
                    f"({spec.at}, {spec.units!r}, {spec.kind})"
                )
            return self.arrays[spec.name]
        if spec.at == "global":
            shape: tuple[int, ...] = ()
        elif spec.at == "agent":
            if agents is None or agents < 0:
                raise ValueError(f"agent field {spec.name!r} needs the number of agent slots (agent_capacity)")
            shape = (int(agents),)
        else:
            shape = self.grid.shape_at(spec.at)
        array = np.zeros(shape, dtype=spec.dtype(self.grid))
        if spec.at == "agent" and spec.kind == "float":
            array[...] = np.nan
        self.specs[spec.name] = spec
        self.arrays[spec.name] = array
        return array

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def __contains__(self, name: str) -> bool:
        return name in self.arrays

    def __iter__(self) -> Iterator[str]:
        return iter(self.arrays)

    def names(self) -> list[str]:
        return list(self.arrays)

    def view(self) -> "FieldView":
        return FieldView(self)

    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays.values())


class FieldView:
    """Read-only access to a FieldSet, handed to writers and renderers."""

    def __init__(self, fields: FieldSet) -> None:
        self._fields = fields
        self.grid = fields.grid

    def __getitem__(self, name: str) -> np.ndarray:
        view = self._fields.arrays[name].view()
        view.flags.writeable = False
        return view

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    def spec(self, name: str) -> FieldSpec:
        return self._fields.specs[name]


def estimate_field_bytes(grid: RasterGrid, specs: list[FieldSpec]) -> int:
    """Bytes needed to hold ``specs`` on ``grid``, computed before anything is allocated."""
    total = 0
    for spec in specs:
        if spec.at in ("cell", "face_x", "face_y"):
            n = int(np.prod(grid.shape_at(spec.at)))
            total += n * spec.dtype(grid).itemsize
    return total
