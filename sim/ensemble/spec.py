"""The ensemble file: a base scenario, distributions for its keys, strata, splits.

```toml
[ensemble]
name = "chlorine_leaks"
base = "chlorine_tank_leak"         # a bundled scenario, or a path relative to this file
members = 1000
seed = 7
sampling = "latin_hypercube"        # monte_carlo | latin_hypercube | sobol

[parameters]                        # any key of the scenario, dotted as in --set
"models.0.params.release.rate_kg_s" = { distribution = "lognormal", median = 2.0, sigma = 0.6 }
"models.0.params.wind.speed_m_s" = { distribution = "uniform", low = 1.0, high = 8.0 }
"models.0.params.stability_class" = { distribution = "choice", values = ["C", "D", "E"] }

[[strata]]                          # a rare case with a set share of the members
name = "extreme_wind"
weight = 0.1
parameters = { "models.0.params.wind.speed_m_s" = { distribution = "uniform", low = 15.0, high = 25.0 } }
set = { "models.0.params.stability_class" = "D" }
[[strata.append.faults]]            # entries added to the scenario's arrays (faults, events)
sensor = "cl2_0"
kind = "stuck"
start_s = 300.0

[splits]
train = 0.8
validation = 0.1
test = 0.1
out_of_distribution = { key = "models.0.params.wind.speed_m_s", low = 7.0, high = 8.0 }
```

Members not drawn into a stratum are the ``nominal`` stratum (share 1 - sum of weights).
A stratum samples its own ``parameters`` in place of the base ones of the same key and adds
any new ones; ``set`` fixes keys; ``append`` adds array entries. Everything is checked when
the file loads: one line naming the file, key and what was expected.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.scenario.load import ScenarioError, describe_validation_error, read_toml

SAMPLING = ("monte_carlo", "latin_hypercube", "sobol")
NOMINAL = "nominal"
SPLITS = ("train", "validation", "test")
OOD_SPLIT = "test_ood"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _finite(value: float, name: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


class Uniform(_Strict):
    """Uniform on [low, high)."""

    distribution: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        _finite(self.low, "low"), _finite(self.high, "high")
        if not self.high > self.low:
            raise ValueError(f"expected high > low, got low {self.low} and high {self.high}")
        return self


class Normal(_Strict):
    """Normal(mean, std), truncated to [low, high] when given."""

    distribution: Literal["normal"]
    mean: float
    std: float = Field(gt=0)
    low: float = -math.inf
    high: float = math.inf

    @model_validator(mode="after")
    def _order(self):
        _finite(self.mean, "mean"), _finite(self.std, "std")
        if not self.high > self.low:
            raise ValueError(f"expected high > low, got low {self.low} and high {self.high}")
        return self


class LogNormal(_Strict):
    """ln X ~ Normal(ln median, sigma), truncated to [low, high] when given."""

    distribution: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)
    low: float = Field(0.0, ge=0)
    high: float = math.inf

    @model_validator(mode="after")
    def _order(self):
        _finite(self.median, "median"), _finite(self.sigma, "sigma")
        if not self.high > self.low:
            raise ValueError(f"expected high > low, got low {self.low} and high {self.high}")
        return self


class Choice(_Strict):
    """One of ``values``, with probabilities proportional to ``weights`` (equal when omitted)."""

    distribution: Literal["choice"]
    values: list[Any] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"expected {len(self.values)} weights (one per value), got {len(self.weights)}")
            if any(not (w >= 0 and math.isfinite(w)) for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError(f"expected finite weights >= 0 with a positive sum, got {self.weights}")
        return self


class Discrete(_Strict):
    """An integer from low to high inclusive in steps of ``step``, each equally likely."""

    distribution: Literal["discrete"]
    low: int
    high: int
    step: int = Field(1, gt=0)

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError(f"expected high >= low, got low {self.low} and high {self.high}")
        return self


Distribution = Annotated[Union[Uniform, Normal, LogNormal, Choice, Discrete], Field(discriminator="distribution")]


def _check_keys(keys) -> None:
    for key in keys:
        parts = key.split(".")
        if not all(parts):
            raise ValueError(f"{key!r} is not a dotted scenario key such as models.0.params.wind.speed_m_s")
        if parts[0] == "scenario" and parts[-1] == "seed":
            raise ValueError("scenario.seed is set per member from the ensemble seed; expected another key")


class Stratum(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    weight: float = Field(gt=0, le=1)
    description: str = ""
    parameters: dict[str, Distribution] = Field(default_factory=dict)
    set: dict[str, Any] = Field(default_factory=dict)
    append: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    @field_validator("parameters", "set", "append")
    @classmethod
    def _keys(cls, value):
        _check_keys(value)
        return value


class OutOfDistribution(_Strict):
    """Members whose ``key`` lies in [low, high] (numbers) or in ``values`` are held out as ``test_ood``."""

    key: str
    low: float = -math.inf
    high: float = math.inf
    values: list[Any] | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.values is None and not (math.isfinite(self.low) or math.isfinite(self.high)):
            raise ValueError("expected low, high or values to say which members are out of distribution")
        if self.values is None and not self.high >= self.low:
            raise ValueError(f"expected high >= low, got low {self.low} and high {self.high}")
        return self


class Splits(_Strict):
    train: float = Field(0.8, ge=0, le=1)
    validation: float = Field(0.1, ge=0, le=1)
    test: float = Field(0.1, ge=0, le=1)
    out_of_distribution: OutOfDistribution | None = None

    @model_validator(mode="after")
    def _sum(self):
        if abs(self.train + self.validation + self.test - 1.0) > 1e-9:
            raise ValueError(f"expected train + validation + test = 1, got "
                             f"{self.train + self.validation + self.test:g}")
        return self


class EnsembleMeta(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    description: str = ""
    base: str
    members: int = Field(gt=0, le=10_000_000)
    seed: int = Field(ge=0)
    sampling: Literal["monte_carlo", "latin_hypercube", "sobol"] = "latin_hypercube"
    license: str = Field("CC-BY-4.0", description="licence stated in the dataset description")


class EnsembleSpec(_Strict):
    ensemble: EnsembleMeta
    parameters: dict[str, Distribution] = Field(default_factory=dict)
    set: dict[str, Any] = Field(default_factory=dict)
    strata: list[Stratum] = Field(default_factory=list)
    splits: Splits = Splits()

    @field_validator("parameters", "set")
    @classmethod
    def _keys(cls, value):
        _check_keys(value)
        return value

    @model_validator(mode="after")
    def _strata(self):
        names = [s.name for s in self.strata]
        if NOMINAL in names or len(set(names)) != len(names):
            raise ValueError(f"strata names must be unique and not {NOMINAL!r}, got {names}")
        total = sum(s.weight for s in self.strata)
        if total > 1.0 + 1e-9:
            raise ValueError(f"strata weights add up to {total:g}; expected at most 1")
        ood = self.splits.out_of_distribution
        if ood is not None:
            keys = set(self.parameters) | {k for s in self.strata for k in s.parameters}
            if ood.key not in keys:
                raise ValueError(f"splits.out_of_distribution.key {ood.key!r} is not a sampled parameter; "
                                 f"expected one of: {', '.join(sorted(keys)) or '(none)'}")
        return self


def load_ensemble(path: str | Path) -> tuple[EnsembleSpec, Path]:
    """Read and validate an ensemble file; returns the spec and the base scenario's path."""
    from sim.paths import resolve_scenario

    path = Path(path)
    raw = read_toml(path)
    try:
        spec = EnsembleSpec.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(f"{path}: {describe_validation_error(err, raw)}") from None
    relative = path.parent / spec.ensemble.base
    base = relative if relative.is_file() else resolve_scenario(spec.ensemble.base)
    if not base.is_file():
        raise ScenarioError(f"{path}: ensemble.base: {spec.ensemble.base!r} is neither a file (relative to "
                            f"{path.parent}) nor a bundled scenario; expected one of them")
    return spec, base
