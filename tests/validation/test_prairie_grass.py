"""Prairie Grass in the test suite: the quick subset and the whole case, against acceptance."""

import json

import pytest

from sim.cli import main
from sim.io.data import DataUnavailable
from validation import CASES
from validation.metrics import ACCEPTANCE


def _run(tmp_path, quick):
    try:
        return CASES["prairie_grass"](out_dir=tmp_path, quick=quick)
    except DataUnavailable as exc:
        pytest.skip(str(exc))


def test_whole_case_meets_chang_and_hanna_acceptance(tmp_path):
    result = _run(tmp_path, quick=False)
    f = result.figures
    assert f["N"] == 265  # 53 runs with meteorology x 5 arcs, none excluded
    assert abs(f["FB"]) <= ACCEPTANCE["FB"] and f["NMSE"] <= ACCEPTANCE["NMSE"] and f["FAC2"] >= ACCEPTANCE["FAC2"]
    assert result.passed
    # Near the source a Gaussian plume with measured stability is close to the data.
    assert f["FAC2_50m"] >= 0.85 and abs(f["FB_50m"]) <= 0.1
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.artifacts)


def test_cli_quick_json(tmp_path, capsys):
    try:
        from validation.prairie_grass.data import read_arcs

        read_arcs()
    except DataUnavailable as exc:
        pytest.skip(str(exc))
    code = main(["validate", "prairie_grass", "--quick", "--json", "-o", str(tmp_path)])
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "prairie_grass" and out["figures"]["N"] == 40  # 8 runs x 5 arcs
    assert code == (0 if out["passed"] else 1)
    assert {"FB", "NMSE", "MG", "VG", "FAC2"} <= set(out["figures"])
