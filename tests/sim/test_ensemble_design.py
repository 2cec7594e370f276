"""Ensemble plans: strata shares, space-filling designs, distributions, seeds, splits, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from sim.ensemble.design import inverse_cdf, largest_remainder, member_seed, plan_members, unit_design
from sim.ensemble.execute import load
from sim.ensemble.spec import EnsembleSpec, Choice, Discrete, LogNormal, Normal
from sim.paths import bundled_ensembles, bundled_scenarios
from sim.scenario.load import ScenarioError

BASE = {"ensemble": {"name": "t", "base": "chlorine_tank_leak", "members": 1000, "seed": 3}}


def spec(**sections) -> EnsembleSpec:
    return EnsembleSpec.model_validate({**BASE, **sections})


def test_strata_get_exactly_their_share():
    s = spec(parameters={"models.0.params.wind.speed_m_s": {"distribution": "uniform", "low": 1, "high": 8}},
             strata=[{"name": "gale", "weight": 0.05}, {"name": "night", "weight": 0.15}])
    members = plan_members(s)
    counts = {name: sum(m.stratum == name for m in members) for name in ("nominal", "gale", "night")}
    assert counts == {"nominal": 800, "gale": 50, "night": 150}
    assert [m.index for m in members] == list(range(1000))
    assert len({m.id for m in members}) == 1000


def test_largest_remainder_adds_up():
    for total in range(0, 50):
        assert sum(largest_remainder([0.33, 0.33, 0.34], total)) == total


def test_latin_hypercube_puts_one_point_in_every_equal_probability_bin():
    # The defining property of a Latin hypercube (McKay et al. 1979), here through the
    # inverse CDF of a normal: each of the n bins of probability 1/n holds exactly one member.
    n = 64
    s = spec(ensemble={**BASE["ensemble"], "members": n, "sampling": "latin_hypercube"},
             parameters={"a": {"distribution": "normal", "mean": 10.0, "std": 2.0},
                         "b": {"distribution": "uniform", "low": 0.0, "high": 1.0}})
    members = plan_members(s)
    for key, cdf in (("a", stats.norm(10.0, 2.0).cdf), ("b", stats.uniform(0, 1).cdf)):
        bins = np.floor(cdf(np.array([m.values[key] for m in members])) * n).astype(int)
        assert sorted(bins) == list(range(n))


def test_sobol_is_more_uniform_than_monte_carlo():
    rng = np.random.default_rng(0)
    sobol = qmc.discrepancy(unit_design("sobol", 256, 3, rng))
    monte_carlo = qmc.discrepancy(unit_design("monte_carlo", 256, 3, rng))
    assert sobol < 0.2 * monte_carlo


@pytest.mark.parametrize("dist, reference", [
    (Normal(distribution="normal", mean=5.0, std=2.0), stats.norm(5.0, 2.0)),
    (LogNormal(distribution="lognormal", median=3.0, sigma=0.5), stats.lognorm(0.5, scale=3.0)),
    (Normal(distribution="normal", mean=0.0, std=1.0, low=-1.0, high=2.0), stats.truncnorm(-1.0, 2.0)),
])
def test_inverse_cdf_reproduces_the_distribution(dist, reference):
    u = np.random.default_rng(1).random(4000)
    values = np.array(inverse_cdf(dist, u))
    assert stats.kstest(values, reference.cdf).pvalue > 0.01
    assert values.min() >= reference.support()[0] and values.max() <= reference.support()[1]


def test_choice_frequencies_follow_weights_and_discrete_covers_its_range():
    u = (np.arange(10000) + 0.5) / 10000
    picks = inverse_cdf(Choice(distribution="choice", values=["B", "D", "F"], weights=[1, 2, 1]), u)
    assert [picks.count(v) for v in "BDF"] == [2500, 5000, 2500]
    ints = inverse_cdf(Discrete(distribution="discrete", low=2, high=10, step=2), u)
    assert sorted(set(ints)) == [2, 4, 6, 8, 10] and all(type(v) is int for v in ints)
    assert [ints.count(v) for v in (2, 4, 6, 8, 10)] == [2000] * 5


def test_plan_is_a_pure_function_of_the_file_and_seeds_do_not_depend_on_size():
    s = spec(parameters={"x": {"distribution": "uniform", "low": 0, "high": 1}})
    assert plan_members(s) == plan_members(s)
    small = plan_members(spec(ensemble={**BASE["ensemble"], "members": 10},
                              parameters={"x": {"distribution": "uniform", "low": 0, "high": 1}}))
    assert [m.seed for m in small] == [member_seed(3, i) for i in range(10)]
    assert [m.seed for m in small] == [m.seed for m in plan_members(s)[:10]]
    other_seed = plan_members(spec(ensemble={**BASE["ensemble"], "seed": 4},
                                   parameters={"x": {"distribution": "uniform", "low": 0, "high": 1}}))
    assert [m.values["x"] for m in other_seed] != [m.values["x"] for m in plan_members(s)]


def test_strata_override_distributions_fix_keys_and_append_entries():
    s = spec(parameters={"w": {"distribution": "uniform", "low": 1, "high": 8},
                         "c": {"distribution": "choice", "values": ["C", "D"]}},
             strata=[{"name": "gale", "weight": 0.5,
                      "parameters": {"w": {"distribution": "uniform", "low": 12, "high": 20}},
                      "set": {"c": "D"}, "append": {"faults": [{"sensor": "s_0", "kind": "stuck", "start_s": 1.0}]}}])
    members = plan_members(s)
    gale = [m for m in members if m.stratum == "gale"]
    nominal = [m for m in members if m.stratum == "nominal"]
    assert all(12 <= m.values["w"] < 20 and m.values["c"] == "D" and len(m.append["faults"]) == 1 for m in gale)
    assert all(1 <= m.values["w"] < 8 and not m.append for m in nominal)
    assert {m.values["c"] for m in nominal} == {"C", "D"}


def test_splits_are_by_member_with_the_out_of_distribution_range_held_out():
    s = spec(parameters={"w": {"distribution": "uniform", "low": 0, "high": 10}},
             splits={"train": 0.7, "validation": 0.15, "test": 0.15,
                     "out_of_distribution": {"key": "w", "low": 8.0}})
    members = plan_members(s)
    ood = [m for m in members if m.split == "test_ood"]
    assert ood and all(m.values["w"] >= 8.0 for m in ood)
    assert all(m.values["w"] < 8.0 for m in members if m.split != "test_ood")
    rest = len(members) - len(ood)
    counts = {k: sum(m.split == k for m in members) for k in ("train", "validation", "test")}
    assert counts == dict(zip(("train", "validation", "test"), largest_remainder([0.7, 0.15, 0.15], rest)))


def test_bundled_ensembles_load_and_every_member_validates():
    chlorine = load(bundled_ensembles()["chlorine_leaks"])
    assert len(chlorine.members) == 200
    strata = {m.stratum for m in chlorine.members}
    assert strata == {"nominal", "extreme_wind", "calm_night", "sensor_fault_in_cloud"}
    assert sum(m.stratum == "calm_night" for m in chlorine.members) == 20
    dams = load(bundled_ensembles()["dam_breaches"])
    breach = [m for m in dams.members if m.stratum == "breach"]
    assert len(breach) == 20 and all(60.0 <= m.values["events.0.at_s"] < 1200.0 for m in breach)
    held = [m for m in dams.members if m.stratum == "nominal"]
    assert all(m.values["events.0.set"] == {"models.0.params.crests.breach.elevation_m": 120.0} for m in held)


def test_appended_entries_can_be_addressed_by_sampled_keys():
    s = spec(ensemble={**BASE["ensemble"], "members": 4},
             strata=[{"name": "late_shift", "weight": 1.0,
                      "append": {"events": [{"at_s": 100.0, "set": {"models.0.params.wind.direction_deg": 200.0}}]},
                      "parameters": {"events.1.at_s": {"distribution": "uniform", "low": 700.0, "high": 900.0}}}])
    from sim.ensemble.execute import member_scenario

    for member in plan_members(s):
        loaded = member_scenario(Path("e.toml"), bundled_scenarios()["chlorine_tank_leak"], member)
        assert len(loaded.config.events) == 2
        assert 700.0 <= loaded.config.events[1].at_s < 900.0


BAD = [
    ('[parameters]\n"x" = { distribution = "gamma", low = 1 }\n', "parameters.x"),
    ('[parameters]\n"x" = { distribution = "uniform", low = 3.0, high = 1.0 }\n', "expected high > low"),
    ('[parameters]\n"x" = { distribution = "choice", values = [1, 2], weights = [1] }\n', "expected 2 weights"),
    ('[[strata]]\nname = "a"\nweight = 0.7\n[[strata]]\nname = "b"\nweight = 0.6\n', "expected at most 1"),
    ('[parameters]\n"models.0.params.wind.speeed_m_s" = { distribution = "uniform", low = 1.0, high = 2.0 }\n',
     "speeed_m_s: unknown key"),
    ('[parameters]\n"models.0.params.wind.speed_m_s" = { distribution = "uniform", low = -2.0, high = 2.0 }\n',
     "wind.speed_m_s"),
    ('[splits]\nout_of_distribution = { key = "nope", low = 1.0 }\n', "is not a sampled parameter"),
    ('[set]\n"scenario.seed" = 3\n', "scenario.seed is set per member"),
]


@pytest.mark.parametrize("extra, expected", BAD)
def test_bad_ensemble_files_fail_with_one_line_and_status_2(tmp_path: Path, extra: str, expected: str):
    path = tmp_path / "e.toml"
    path.write_text('[ensemble]\nname = "e"\nbase = "chlorine_tank_leak"\nmembers = 4\nseed = 1\n' + extra)
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "ensemble", str(path), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert str(path) in lines[0] and expected in lines[0]


def test_missing_base_and_missing_file_are_bad_input(tmp_path: Path):
    path = tmp_path / "e.toml"
    path.write_text('[ensemble]\nname = "e"\nbase = "no_such_scenario"\nmembers = 4\nseed = 1\n')
    with pytest.raises(ScenarioError, match="ensemble.base: 'no_such_scenario' is neither a file"):
        load(path)
    with pytest.raises(ScenarioError, match="file not found"):
        load(tmp_path / "absent.toml")
