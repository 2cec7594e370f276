"""Order models by their declared fields; refuse cycles, double writers and missing inputs.

A model that writes a field (intent ``out`` or ``inout``) runs before every model that
only reads it (intent ``in``). The order is otherwise the scenario's order, so it is
stable and predictable. All checks happen once, when the scenario loads.
"""

from __future__ import annotations

from sim.model import PhysicalModel


class CouplingError(ValueError):
    """Models whose declared fields cannot be put in a valid order."""


def order_models(models: list[PhysicalModel], provided: set[str] = frozenset()) -> list[PhysicalModel]:
    """Return ``models`` in an order where every field is written before it is read.

    ``provided`` names fields filled before step 0 by something other than a model
    (initial-condition files), which therefore need no producer.
    """
    writer: dict[str, int] = {}
    for k, model in enumerate(models):
        for spec in model.fields:
            if spec.intent in ("out", "inout"):
                if spec.name in writer:
                    other = models[writer[spec.name]].name
                    raise CouplingError(
                        f"field {spec.name!r} is written by two models ({other!r} and {model.name!r})"
                    )
                writer[spec.name] = k

    needs: dict[int, set[int]] = {k: set() for k in range(len(models))}
    for k, model in enumerate(models):
        for spec in model.fields:
            if spec.intent != "in":
                continue
            if spec.name in writer:
                needs[k].add(writer[spec.name])
            elif spec.name not in provided:
                raise CouplingError(
                    f"model {model.name!r} reads field {spec.name!r}, which no model writes "
                    "and no initial condition provides"
                )

    ordered: list[int] = []
    placed: set[int] = set()
    while len(ordered) < len(models):
        ready = [k for k in range(len(models)) if k not in placed and needs[k] <= placed]
        if not ready:
            stuck = ", ".join(models[k].name for k in range(len(models)) if k not in placed)
            raise CouplingError(f"models read each other's outputs in a cycle: {stuck}")
        ordered.append(ready[0])
        placed.add(ready[0])
    return [models[k] for k in ordered]
