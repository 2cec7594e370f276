"""Schedules: when a writer, renderer or event acts.

A schedule answers two questions about a clock: is it due now (``due``), and when is it
next due (``next_time``). The Simulation shortens time steps so that every ``next_time``
is landed on exactly, so outputs never need interpolation in time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.clock import Clock

# Relative tolerance for "is this the scheduled time": times are landed on exactly, but
# user-supplied times like 0.1 * k are not exact binary fractions.
_TIME_TOL = 1e-9


def same_time(a: float, b: float) -> bool:
    """True when two times are equal up to rounding of user-given decimals."""
    return abs(a - b) <= _TIME_TOL * max(1.0, abs(a), abs(b))


@dataclass
class At:
    """A clock stand-in: asks a schedule whether it is due at ``time`` (renderers that keep
    several schedules ask for each)."""

    time: float
    iteration: int = 0


@dataclass
class EverySeconds:
    """Due at ``start_s + k * every_s`` for k = 0, 1, 2, ..."""

    every_s: float
    start_s: float = 0.0

    def __post_init__(self) -> None:
        if not self.every_s > 0:
            raise ValueError(f"every_s must be positive, got {self.every_s}")

    def _k(self, t: float) -> float:
        return (t - self.start_s) / self.every_s

    def due(self, clock: Clock) -> bool:
        k = round(self._k(clock.time))
        return k >= 0 and same_time(self.start_s + k * self.every_s, clock.time)

    def next_time(self, after: float) -> float:
        """The first scheduled time strictly after ``after``."""
        if after < self.start_s and not same_time(after, self.start_s):
            return self.start_s
        k = math.floor(self._k(after)) + 1
        t = self.start_s + k * self.every_s
        if same_time(t, after):  # ``after`` sat a hair below a scheduled time
            t = self.start_s + (k + 1) * self.every_s
        return t


@dataclass
class EverySecondsUntil(EverySeconds):
    """:class:`EverySeconds` from ``start_s`` to ``end_s`` (inclusive), then never again.

    >>> s = EverySecondsUntil(0.5, start_s=10.0, end_s=11.0)
    >>> s.next_time(0.0), s.next_time(10.7), s.next_time(11.0)
    (10.0, 11.0, inf)
    """

    end_s: float = math.inf

    def due(self, clock: Clock) -> bool:
        return (clock.time <= self.end_s or same_time(clock.time, self.end_s)) and super().due(clock)

    def next_time(self, after: float) -> float:
        t = super().next_time(after)
        return t if t <= self.end_s or same_time(t, self.end_s) else math.inf


@dataclass
class AtTimes:
    """Due at each of a sorted list of times."""

    times_s: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.times_s = sorted(float(t) for t in self.times_s)

    def due(self, clock: Clock) -> bool:
        return any(same_time(t, clock.time) for t in self.times_s)

    def next_time(self, after: float) -> float:
        for t in self.times_s:
            if t > after and not same_time(t, after):
                return t
        return math.inf


@dataclass
class EveryIterations:
    """Due every ``n`` iterations; it never shortens a time step."""

    n: int

    def due(self, clock: Clock) -> bool:
        return clock.iteration % self.n == 0

    def next_time(self, after: float) -> float:
        return math.inf


@dataclass
class AnyOf:
    """Due whenever any of its schedules is (the union of several sampling rates)."""

    schedules: list

    def due(self, clock: Clock) -> bool:
        return any(s.due(clock) for s in self.schedules)

    def next_time(self, after: float) -> float:
        return min((s.next_time(after) for s in self.schedules), default=math.inf)


Schedule = EverySeconds | EverySecondsUntil | AtTimes | EveryIterations | AnyOf
