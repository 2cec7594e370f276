"""The members of an ensemble: strata allocation, parameter sampling, seeds, splits.

Everything here is a pure function of the ensemble file, so a re-run computes the same plan
and can tell which members it already has.

Allocation: stratum s gets round(w_s N) members by the largest-remainder method (the
``nominal`` stratum has the share left over), so the rare cases get exactly their share.

Sampling: in each stratum the d sampled keys form a d-dimensional design of n_s points in
the unit cube (Monte Carlo; Latin hypercube, McKay, Beckman & Conover 1979; scrambled Sobol',
Owen 1998, through ``scipy.stats.qmc``), mapped to each key's distribution by its inverse
CDF, so a space-filling design stays space-filling in every margin. A truncated normal maps
u to Phi^-1(Phi(a) + u (Phi(b) - Phi(a))), a log-normal does the same on ln x.

Seeds: member i runs with scenario seed SeedSequence([seed, i]): independent streams, and a
member's seed does not depend on how many members there are.

Splits: by member, never by frame (every output of a run belongs to one split). Members whose
out-of-distribution key lies in the held-out range form ``test_ood``; the others are shuffled
with the ensemble seed and cut by the train / validation / test shares.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import qmc

from sim.ensemble.spec import NOMINAL, OOD_SPLIT, SPLITS, Choice, Discrete, EnsembleSpec, LogNormal, Normal, Uniform

# Keep u strictly inside (0, 1): Phi^-1(0) is -inf.
_U_EPS = 1e-12


@dataclass(frozen=True)
class Member:
    index: int
    id: str
    stratum: str
    seed: int
    values: dict[str, Any]
    append: dict[str, list] = field(default_factory=dict)
    split: str = ""


def largest_remainder(weights: list[float], total: int) -> list[int]:
    """Integer counts proportional to ``weights`` that add up to ``total``.

    >>> largest_remainder([0.8, 0.1, 0.1], 25)
    [20, 3, 2]
    """
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * total
    counts = np.floor(exact).astype(int)
    order = sorted(range(len(w)), key=lambda k: (-(exact[k] - counts[k]), k))
    for k in order[: total - counts.sum()]:
        counts[k] += 1
    return counts.tolist()


def unit_design(method: str, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """n points in [0, 1)^d."""
    if d == 0 or n == 0:
        return np.zeros((n, d))
    if method == "monte_carlo":
        return rng.random((n, d))
    if method == "latin_hypercube":
        return qmc.LatinHypercube(d, seed=rng).random(n)
    with warnings.catch_warnings():  # n need not be a power of 2: the design is still low-discrepancy
        warnings.simplefilter("ignore", UserWarning)
        return qmc.Sobol(d, scramble=True, seed=rng).random(n)


def _truncated(u: np.ndarray, mean: float, std: float, low: float, high: float) -> np.ndarray:
    a, b = ndtr((low - mean) / std), ndtr((high - mean) / std)
    return mean + std * ndtri(np.clip(a + u * (b - a), _U_EPS, 1 - _U_EPS))


def inverse_cdf(dist, u: np.ndarray) -> list:
    """Values of ``dist`` at probabilities ``u`` (JSON-ready Python scalars)."""
    u = np.clip(u, 0.0, 1.0 - _U_EPS)
    if isinstance(dist, Uniform):
        return [float(x) for x in dist.low + u * (dist.high - dist.low)]
    if isinstance(dist, Normal):
        return [float(x) for x in np.clip(_truncated(u, dist.mean, dist.std, dist.low, dist.high), dist.low, dist.high)]
    if isinstance(dist, LogNormal):
        log_low = math.log(dist.low) if dist.low > 0 else -math.inf
        log_high = math.log(dist.high) if math.isfinite(dist.high) else math.inf
        x = np.exp(_truncated(u, math.log(dist.median), dist.sigma, log_low, log_high))
        return [float(v) for v in np.clip(x, dist.low, dist.high)]
    if isinstance(dist, Discrete):
        count = (dist.high - dist.low) // dist.step + 1
        k = np.minimum((u * count).astype(int), count - 1)
        return [int(dist.low + dist.step * j) for j in k]
    if isinstance(dist, Choice):
        w = np.ones(len(dist.values)) if dist.weights is None else np.asarray(dist.weights, float)
        edges = np.cumsum(w) / w.sum()
        k = np.minimum(np.searchsorted(edges, u, side="right"), len(dist.values) - 1)
        return [dist.values[j] for j in k]
    raise TypeError(f"unknown distribution {dist!r}")


def member_seed(ensemble_seed: int, index: int) -> int:
    return int(np.random.SeedSequence([ensemble_seed, index]).generate_state(1, np.uint32)[0])


def member_id(index: int, total: int) -> str:
    return f"m{index:0{max(6, len(str(total - 1)))}d}"


def plan_members(spec: EnsembleSpec) -> list[Member]:
    """Every member of the ensemble, in index order (nominal first, then each stratum)."""
    meta = spec.ensemble
    strata = [(NOMINAL, max(0.0, 1.0 - sum(s.weight for s in spec.strata)), None)] + \
        [(s.name, s.weight, s) for s in spec.strata]
    counts = largest_remainder([w for _, w, _ in strata], meta.members) if any(w > 0 for _, w, _ in strata) \
        else [meta.members]
    streams = np.random.SeedSequence(meta.seed).spawn(len(strata) + 1)
    members: list[Member] = []
    for (name, _, stratum), count, stream in zip(strata, counts, streams):
        distributions = dict(spec.parameters)
        fixed = dict(spec.set)
        append: dict[str, list] = {}
        if stratum is not None:
            distributions.update(stratum.parameters)
            for key in stratum.parameters:
                fixed.pop(key, None)
            fixed.update(stratum.set)
            for key in stratum.set:
                distributions.pop(key, None)
            append = {k: [dict(item) for item in items] for k, items in stratum.append.items()}
        keys = list(distributions)
        design = unit_design(meta.sampling, count, len(keys), np.random.default_rng(stream))
        columns = {key: inverse_cdf(distributions[key], design[:, j]) for j, key in enumerate(keys)}
        for row in range(count):
            index = len(members)
            values = {**fixed, **{key: columns[key][row] for key in keys}}
            members.append(Member(index, member_id(index, meta.members), name,
                                  member_seed(meta.seed, index), values, append))
    return assign_splits(spec, members, np.random.default_rng(streams[-1]))


def _held_out(spec: EnsembleSpec, member: Member) -> bool:
    ood = spec.splits.out_of_distribution
    if ood is None or ood.key not in member.values:
        return False
    value = member.values[ood.key]
    if ood.values is not None:
        return value in ood.values
    return isinstance(value, int | float) and ood.low <= value <= ood.high


def assign_splits(spec: EnsembleSpec, members: list[Member], rng: np.random.Generator) -> list[Member]:
    held = [m.index for m in members if _held_out(spec, m)]
    rest = np.array([m.index for m in members if m.index not in set(held)], dtype=int)
    rng.shuffle(rest)
    shares = [getattr(spec.splits, name) for name in SPLITS]
    counts = largest_remainder(shares, len(rest)) if len(rest) else [0, 0, 0]
    split_of = {i: OOD_SPLIT for i in held}
    start = 0
    for name, count in zip(SPLITS, counts):
        for i in rest[start:start + count]:
            split_of[int(i)] = name
        start += count
    return [Member(**{**asdict(m), "split": split_of[m.index]}) for m in members]


def plan_sha256(spec: EnsembleSpec, base_text: str, members: list[Member]) -> str:
    """Fingerprint of what the ensemble will produce: the file, the base scenario and the plan."""
    body = json.dumps({"spec": spec.model_dump(mode="json"), "base": base_text,
                       "members": [asdict(m) for m in members]}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()
