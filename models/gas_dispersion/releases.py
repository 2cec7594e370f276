"""Source terms: how much gas leaves the source between two times.

A release is stated either as rates (``continuous``, ``table``, ``instantaneous``) or as the
physical situation (``tank``: tank, substance, hole; discharge, flashing and pool evaporation in
:mod:`models.gas_dispersion.source_terms`).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from models.gas_dispersion.source_terms import TankRelease
from sim.model import ModelParams


class _Source(ModelParams):
    x_m: float
    y_m: float
    height_m: float = Field(0.0, ge=0)
    source_sigma_m: float = Field(0.0, ge=0, description="initial spread of the cloud, added in quadrature")


class _Leak(_Source):
    """A release through a hole: what its jet noise needs (models.gas_dispersion.sources)."""

    hole_diameter_m: float | None = Field(
        None, gt=0, description="diameter of the leak hole; None: no acoustic emission (the rate alone does not fix "
                                "the jet)")
    storage_temperature_K: float = Field(288.15, gt=0, description="temperature of the stored gas upstream of the "
                                                                    "hole (the jet's stagnation temperature)")

    def gas_jet_rate_at(self, t: float) -> float:
        """Mass rate (kg/s) of the gas jet issuing from the hole at time t: all of the release."""
        return self.rate_at(t)


class ContinuousRelease(_Leak):
    """Constant rate from ``start_s`` for ``duration_s`` (or to the end of the run)."""

    kind: Literal["continuous"]
    rate_kg_s: float = Field(gt=0)
    start_s: float = Field(0.0, ge=0)
    duration_s: float | None = Field(None, gt=0)

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s if self.duration_s is not None else np.inf

    def mass_between(self, t0: float, t1: float) -> float:
        return self.rate_kg_s * max(0.0, min(t1, self.end_s) - max(t0, self.start_s))

    def rate_at(self, t: float) -> float:
        return self.rate_kg_s if self.start_s <= t < self.end_s else 0.0


class TableRelease(_Leak):
    """Rate varying linearly between tabulated times; zero outside the table."""

    kind: Literal["table"]
    times_s: list[Annotated[float, Field(ge=0)]] = Field(min_length=2)
    rates_kg_s: list[Annotated[float, Field(ge=0)]] = Field(min_length=2)

    @model_validator(mode="after")
    def _table(self) -> "TableRelease":
        if len(self.times_s) != len(self.rates_kg_s):
            raise ValueError("times_s and rates_kg_s must have the same length")
        if any(b <= a for a, b in zip(self.times_s, self.times_s[1:])):
            raise ValueError("times_s must increase strictly")
        return self

    def mass_between(self, t0: float, t1: float) -> float:
        """Exact integral of the piecewise-linear rate over [t0, t1]."""
        times = np.asarray(self.times_s)
        rates = np.asarray(self.rates_kg_s)
        a, b = max(t0, times[0]), min(t1, times[-1])
        if b <= a:
            return 0.0
        inner = times[(times > a) & (times < b)]
        knots = np.concatenate(([a], inner, [b]))
        return float(np.trapezoid(np.interp(knots, times, rates), knots))

    def rate_at(self, t: float) -> float:
        if not self.times_s[0] <= t <= self.times_s[-1]:
            return 0.0
        return float(np.interp(t, self.times_s, self.rates_kg_s))


class InstantaneousRelease(_Source):
    """All of ``mass_kg`` at once at ``at_s`` (a burst), as one puff of initial size ``source_sigma_m``."""

    kind: Literal["instantaneous"]
    mass_kg: float = Field(gt=0)
    at_s: float = Field(0.0, ge=0)
    source_sigma_m: float = Field(1.0, gt=0, description="initial spread of the cloud")

    def mass_between(self, t0: float, t1: float) -> float:
        return self.mass_kg if t0 <= self.at_s < t1 else 0.0

    def rate_at(self, t: float) -> float:
        return 0.0


Release = Annotated[ContinuousRelease | TableRelease | InstantaneousRelease | TankRelease, Field(discriminator="kind")]
