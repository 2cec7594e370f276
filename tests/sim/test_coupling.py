"""Models are ordered by declared fields; cycles, double writers and missing inputs are refused."""

import pytest

from sim.coupling import CouplingError, order_models
from sim.fields import FieldSpec


def model(name, reads=(), writes=()):
    class M:
        pass

    m = M()
    m.name = name
    m.fields = tuple(FieldSpec(f, at="cell", units="1", intent="in", doc=f) for f in reads) + tuple(
        FieldSpec(f, at="cell", units="1", intent="out", doc=f) for f in writes
    )
    return m


def test_producer_runs_before_consumer_whatever_the_scenario_order():
    a = model("consumer", reads=["depth"], writes=["speed"])
    b = model("producer", writes=["depth"])
    c = model("last", reads=["speed"])
    assert [m.name for m in order_models([c, a, b])] == ["producer", "consumer", "last"]


def test_independent_models_keep_scenario_order():
    a, b = model("a", writes=["x"]), model("b", writes=["y"])
    assert [m.name for m in order_models([b, a])] == ["b", "a"]


def test_cycle_is_refused():
    a = model("a", reads=["y"], writes=["x"])
    b = model("b", reads=["x"], writes=["y"])
    with pytest.raises(CouplingError, match="cycle"):
        order_models([a, b])


def test_double_writer_is_refused():
    with pytest.raises(CouplingError, match="written by two models"):
        order_models([model("a", writes=["x"]), model("b", writes=["x"])])


def test_missing_input_is_refused_unless_provided():
    a = model("a", reads=["terrain"])
    with pytest.raises(CouplingError, match="no model writes"):
        order_models([a])
    assert order_models([a], provided={"terrain"}) == [a]
