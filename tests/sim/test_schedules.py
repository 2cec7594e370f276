"""Schedules land on exact times, including decimal intervals that are not binary fractions."""

import math

import pytest

from sim.clock import Clock
from sim.schedules import AtTimes, EveryIterations, EverySeconds


def test_every_seconds_sequence_from_zero():
    s = EverySeconds(30.0)
    times = [0.0]
    for _ in range(5):
        times.append(s.next_time(times[-1]))
    assert times == [0.0, 30.0, 60.0, 90.0, 120.0, 150.0]


@pytest.mark.parametrize("every", [0.1, 0.3, 1.7, 2.5e-3])
def test_every_seconds_decimal_intervals_do_not_drift(every):
    s = EverySeconds(every)
    t = 0.0
    for k in range(1, 2001):
        t = s.next_time(t)
        assert t == pytest.approx(k * every, rel=1e-12)
        assert s.due(Clock(time=t))


def test_every_seconds_between_and_before_start():
    s = EverySeconds(10.0, start_s=5.0)
    assert s.next_time(0.0) == 5.0
    assert s.next_time(5.0) == 15.0
    assert s.next_time(7.3) == 15.0
    assert not s.due(Clock(time=10.0))
    assert s.due(Clock(time=25.0))


def test_every_seconds_rejects_nonpositive():
    with pytest.raises(ValueError):
        EverySeconds(0.0)


def test_at_times():
    s = AtTimes([60.0, 10.0, 30.0])
    assert s.next_time(0.0) == 10.0
    assert s.next_time(10.0) == 30.0
    assert s.next_time(60.0) == math.inf
    assert s.due(Clock(time=30.0)) and not s.due(Clock(time=31.0))


def test_every_iterations_never_shortens_steps():
    s = EveryIterations(3)
    assert s.next_time(12.0) == math.inf
    assert s.due(Clock(iteration=6)) and not s.due(Clock(iteration=7))
