"""Rothermel surface fire: behave reference cases, fuel table, physics properties, kernel vs twin."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np
import pytest

from models.wildfire import rothermel as rk
from models.wildfire.fuels import (
    FT_M,
    NON_BURNABLE_NUMBERS,
    STANDARD_FUEL_MODELS,
    FuelModel,
    fuel_table,
)
from models.wildfire.rothermel_reference import surface_fire

MPH_M_S = 0.44704  # exact: 88 ft/min
FT_MIN_M_S = FT_M / 60.0
RTOL_BEHAVE = 1e-4


def _data_dir() -> Path | None:
    root = os.environ.get("HAZSIM_DATA_DIR")
    return Path(root) / "wildfire" if root else None


def _read_csv(name: str) -> dict[str, np.ndarray]:
    directory = _data_dir()
    if directory is None:
        pytest.skip("HAZSIM_DATA_DIR is not set: behave reference data unavailable")
    path = directory / name
    if not path.exists():
        pytest.skip(f"reference file {path} not found")
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        try:
            columns[key] = np.array([float(v) for v in values])
        except ValueError:
            columns[key] = np.array(values)
    return columns


@pytest.fixture(scope="module")
def behave_cases() -> dict[str, np.ndarray]:
    return _read_csv("reference/behave_surface_reference.csv")


@pytest.fixture(scope="module")
def table():
    return fuel_table()


def _relative_error(mine, reference, floor=1e-12):
    mine = np.asarray(mine, dtype=float)
    reference = np.asarray(reference, dtype=float)
    error = np.abs(mine - reference) / np.maximum(np.abs(reference), floor)
    error[(reference == 0.0) & (np.abs(mine) < 1e-12)] = 0.0
    return error


def _rounding_allowance(reference):
    """behave's CSV has 6 decimals; half a unit in the last place, relative."""
    return 0.5e-6 / np.maximum(np.abs(reference), 1e-12)


# output (SI from our code) -> (behave US column, factor SI -> US)
_US_COLUMNS = {
    "ros_head_m_s": ("ros_head_ft_min", 1.0 / FT_MIN_M_S),
    "ros_backing_m_s": ("ros_backing_ft_min", 1.0 / FT_MIN_M_S),
    "ros_flanking_m_s": ("ros_flanking_ft_min", 1.0 / FT_MIN_M_S),
    "fireline_intensity_kw_m": ("fireline_intensity_btu_ft_s", 1.0 / rk.KW_M_PER_BTU_FT_S),
    "flame_length_m": ("flame_length_ft", 1.0 / FT_M),
    "reaction_intensity_kw_m2": ("reaction_intensity_btu_ft2_min", 1.0 / rk.KW_M2_PER_BTU_FT2_MIN),
    "heat_per_unit_area_kj_m2": ("heat_per_unit_area_btu_ft2", 1.0 / rk.KJ_M2_PER_BTU_FT2),
    "residence_time_s": ("residence_time_min", 1.0 / 60.0),
    "length_to_breadth": ("length_to_width", 1.0),
}


def _check_against_behave(outputs: dict[str, np.ndarray], cases: dict[str, np.ndarray]) -> dict[str, float]:
    worst = {}
    for name, (column, factor) in _US_COLUMNS.items():
        reference = cases[column]
        error = _relative_error(outputs[name] * factor, reference)
        excess = error - _rounding_allowance(reference)
        assert np.all(excess <= RTOL_BEHAVE), (
            f"{name}: max relative error {error.max():.2e} at case {int(np.argmax(excess))} "
            f"({cases['code'][int(np.argmax(excess))]})")
        worst[name] = float(error.max())
    return worst


def _case_inputs(cases):
    pct = {k: cases[f"{k}_pct"] / 100.0 for k in ("m1h", "m10h", "m100h", "mherb", "mwoody")}
    return pct, cases["midflame_wind_mph"] * MPH_M_S, cases["slope_pct"] / 100.0


# ---------------------------------------------------------------------------------------------
# behave reference (needs $HAZSIM_DATA_DIR)


def test_fuel_table_equals_behave_csv(table):
    data = _read_csv("fuel_models_anderson13_scottburgan40.csv")
    numbers = data["fuel_model_number"].astype(int)
    assert set(numbers) == set(STANDARD_FUEL_MODELS), "model numbers differ from the CSV"
    rows = table.index_of(numbers)
    assert list(np.array(table.code)[rows]) == list(data["code"])
    np.testing.assert_array_equal(table.is_dynamic[rows], data["is_dynamic"].astype(bool))
    np.testing.assert_allclose(table.depth_ft[rows], data["depth_ft"], rtol=1e-12)
    np.testing.assert_allclose(table.mx_dead[rows], data["mx_dead_pct"] / 100.0, rtol=1e-12)
    np.testing.assert_allclose(table.h_dead[rows], data["h_dead_btu_lb"], rtol=1e-12)
    np.testing.assert_allclose(table.h_live[rows], data["h_live_btu_lb"], rtol=1e-12)
    for k, cls in enumerate(("1h", "10h", "100h", "herb", "woody")):
        # the CSV prints lb/ft2 with 6 significant digits
        np.testing.assert_allclose(table.load[rows, k], data[f"load_{cls}_lb_ft2"], rtol=5e-6, atol=0, err_msg=cls)
        np.testing.assert_allclose(table.savr[rows, k], data[f"savr_{cls}_ft"], rtol=1e-12, err_msg=cls)
    burnable = data["fuel_set"] != "NonBurnable"
    np.testing.assert_array_equal(table.burnable[rows], burnable)


def test_numba_grid_matches_behave_1696_cases(behave_cases, table):
    cases = behave_cases
    moisture, wind, slope = _case_inputs(cases)
    rows = table.index_of(cases["fuel_model_number"].astype(int))[None, :]
    out = rk.surface_fire_fields(table, rows, moisture["m1h"][None], moisture["m10h"][None],
                                 moisture["m100h"][None], moisture["mherb"][None], moisture["mwoody"][None],
                                 wind[None], 0.3, slope[None], 0.3)  # wind blows upslope
    outputs = {name: values[0] for name, values in out.items()}
    _check_against_behave(outputs, cases)
    np.testing.assert_allclose(outputs["spread_direction_rad"], 0.3, atol=1e-12)
    # behave's SI columns use a 'mean' Btu (1055.87 J); ours the International Table Btu
    ratio = outputs["fireline_intensity_kw_m"][cases["fireline_intensity_kw_m"] > 1] / \
        cases["fireline_intensity_kw_m"][cases["fireline_intensity_kw_m"] > 1]
    assert np.all(np.abs(ratio - 1.0) < 1e-3)


def test_numpy_twin_matches_behave_1696_cases(behave_cases):
    cases = behave_cases
    moisture, wind, slope = _case_inputs(cases)
    results = [
        surface_fire(STANDARD_FUEL_MODELS[int(n)], moisture["m1h"][k], moisture["m10h"][k], moisture["m100h"][k],
                     moisture["mherb"][k], moisture["mwoody"][k], wind[k], slope[k], 0.0)
        for k, n in enumerate(cases["fuel_model_number"])
    ]
    outputs = {name: np.array([getattr(r, name) for r in results]) for name in _US_COLUMNS}
    _check_against_behave(outputs, cases)
    diagnostics = {
        "char_savr_per_ft": ("char_savr_ft", 1.0),
        "packing_ratio": ("packing_ratio", 1.0),
        "relative_packing_ratio": ("relative_packing_ratio", 1.0),
        "live_mx": ("live_mx_pct", 100.0),
    }
    for name, (column, factor) in diagnostics.items():
        mine = np.array([getattr(r, name) for r in results]) * factor
        reference = cases[column]
        allowance = 0.5e-8 / np.maximum(np.abs(reference), 1e-12) if column == "packing_ratio" \
            else 0.5e-4 / np.maximum(np.abs(reference), 1e-12)
        assert np.all(_relative_error(mine, reference) - allowance <= RTOL_BEHAVE), name


# ---------------------------------------------------------------------------------------------
# behave's own test-suite anchors and properties (no data needed)


def test_behave_testsuite_anchor_gs4_sheltered_wind():
    """testBehave: GS4, 6/7/8/60/90 %, 20-ft wind 5 mi/h, CC 50 %, CH 30 ft, CR 0.5, slope 30 %."""
    waf = rk.wind_adjustment_factor(STANDARD_FUEL_MODELS[124].depth_ft, 0.5, 30.0, 0.5)
    wind = 5.0 * MPH_M_S * waf
    chains_per_hour = 3600.0 / (66.0 * FT_M)
    upslope = surface_fire(STANDARD_FUEL_MODELS[124], 0.06, 0.07, 0.08, 0.60, 0.90, wind, 0.30, 0.0)
    assert upslope.ros_head_m_s * chains_per_hour == pytest.approx(8.876216, rel=1e-6)
    assert upslope.ros_backing_m_s * chains_per_hour == pytest.approx(2.91614659, rel=1e-6)
    assert upslope.ros_flanking_m_s * chains_per_hour == pytest.approx(5.08766627, rel=1e-6)
    across = surface_fire(STANDARD_FUEL_MODELS[124], 0.06, 0.07, 0.08, 0.60, 0.90, wind, 0.30, math.pi / 2)
    assert across.ros_head_m_s * chains_per_hour == pytest.approx(7.091665, rel=1e-6)


def test_wind_adjustment_factor():
    # unsheltered FM1 (1 ft): 1.83 / ln(20.36 / 0.13) = 0.362 (Andrews 2012, Table 5: 0.36)
    assert rk.wind_adjustment_factor(1.0, 0.0, 0.0, 0.0) == pytest.approx(1.83 / math.log(20.36 / 0.13))
    # crown fill below 5 %: unsheltered even under a canopy
    assert rk.wind_adjustment_factor(1.0, 0.1, 60.0, 0.5) == rk.wind_adjustment_factor(1.0, 0.0, 0.0, 0.0)
    f, h = 0.6 * 0.5 / 3.0, 60.0
    expected = 0.555 / (math.sqrt(f * h) * math.log((20.0 + 0.36 * h) / (0.13 * h)))
    assert rk.wind_adjustment_factor(1.0, 0.6, h, 0.5) == pytest.approx(expected)
    assert rk.wind_20ft_from_10m(11.5) == pytest.approx(10.0)


def test_no_wind_no_slope_is_isotropic():
    for number in (1, 4, 102, 124, 165, 188):
        fire = surface_fire(STANDARD_FUEL_MODELS[number], 0.06, 0.07, 0.08, 0.6, 0.9, 0.0, 0.0, 1.0)
        assert fire.eccentricity == 0.0
        assert fire.length_to_breadth == 1.0
        assert fire.ros_head_m_s > 0.0
        assert fire.ros_backing_m_s == fire.ros_head_m_s
        assert fire.ros_flanking_m_s == fire.ros_head_m_s
        assert fire.ros_head_m_s == fire.ros_no_wind_slope_m_s
        assert fire.effective_wind_m_s == 0.0


def test_ros_decreases_with_dead_moisture_and_vanishes_at_extinction():
    for number in (1, 2, 8, 101, 102, 161, 183):
        model = STANDARD_FUEL_MODELS[number]
        moistures = np.linspace(0.02, model.mx_dead, 40)
        ros = np.array([surface_fire(model, m, m + 0.01, m + 0.02, 0.6, 0.9, 2.0, 0.2).ros_head_m_s
                        for m in moistures])
        assert np.all(np.diff(ros[:-1]) < 0.0), model.code
        # at M = M_x the surface-area mean of equal moistures can fall one ulp short of M_x
        at = surface_fire(model, model.mx_dead, model.mx_dead, model.mx_dead, 3.0, 3.0, 2.0, 0.2)
        assert at.ros_head_m_s < 1e-12 * ros[0]
        for m in (model.mx_dead * (1 + 1e-9), model.mx_dead + 0.05, 0.8):
            extinct = surface_fire(model, m, m, m, 3.0, 3.0, 2.0, 0.2)
            assert extinct.ros_head_m_s == 0.0 and extinct.fireline_intensity_kw_m == 0.0
            assert extinct.length_to_breadth == 1.0 and extinct.effective_wind_m_s == 0.0


def test_rotating_wind_and_slope_together_rotates_spread(table):
    rng = np.random.default_rng(7)
    rows = table.index_of(np.array([[2, 102, 124, 145, 165]]))
    n = rows.shape[1]
    base = {"m1h": 0.05, "m10h": 0.06, "m100h": 0.08, "mherb": 0.7, "mwoody": 1.0, "wind_m_s": 3.0, "slope_tan": 0.35}
    wind0, up0 = rng.uniform(-np.pi, np.pi, n), rng.uniform(-np.pi, np.pi, n)
    outputs = []
    for turn in (0.0, 1.1, -2.5, 3.0):
        out = rk.surface_fire_fields(table, rows, base["m1h"], base["m10h"], base["m100h"], base["mherb"],
                                     base["mwoody"], base["wind_m_s"], (wind0 + turn)[None], base["slope_tan"],
                                     (up0 + turn)[None])
        outputs.append((turn, out))
    _, first = outputs[0]
    for turn, out in outputs[1:]:
        np.testing.assert_allclose(out["ros_head_m_s"], first["ros_head_m_s"], rtol=1e-12)
        np.testing.assert_allclose(out["eccentricity"], first["eccentricity"], rtol=1e-12, atol=1e-15)
        difference = np.angle(np.exp(1j * (out["spread_direction_rad"] - first["spread_direction_rad"] - turn)))
        np.testing.assert_allclose(difference, 0.0, atol=1e-12)


def test_spread_direction_lies_between_wind_and_upslope():
    model = STANDARD_FUEL_MODELS[102]
    fire = surface_fire(model, 0.06, 0.07, 0.08, 0.6, 0.9, 2.0, 0.4, math.pi / 2)
    assert 0.0 < fire.spread_direction_rad < math.pi / 2
    wind_only = surface_fire(model, 0.06, 0.07, 0.08, 0.6, 0.9, 2.0, 0.0, -1.0)
    assert wind_only.spread_direction_rad == pytest.approx(-1.0)


def test_non_burnable_gives_zeros(table):
    for number in NON_BURNABLE_NUMBERS:
        fire = surface_fire(STANDARD_FUEL_MODELS[number], 0.03, 0.04, 0.05, 0.3, 0.6, 5.0, 0.5, 0.0)
        assert fire.ros_head_m_s == 0.0 and fire.fireline_intensity_kw_m == 0.0
        assert fire.flame_length_m == 0.0 and fire.reaction_intensity_kw_m2 == 0.0
    rows = table.index_of(np.array([list(NON_BURNABLE_NUMBERS)]))
    rows = np.concatenate([rows, [[-1]]], axis=1)
    out = rk.surface_fire_fields(table, rows, 0.03, 0.04, 0.05, 0.3, 0.6, 5.0, 0.0, 0.5, 0.0)
    for name in rk.OUTPUTS:
        expected = 1.0 if name == "length_to_breadth" else 0.0
        np.testing.assert_array_equal(out[name], expected, err_msg=name)


def test_index_of_unknown_numbers_raises(table):
    np.testing.assert_array_equal(table.number[table.index_of(np.array([[1, 102], [99, 204]]))],
                                  [[1, 102], [99, 204]])
    with pytest.raises(ValueError, match=r"unknown fuel model numbers.*\[0, 14, 150\]"):
        table.index_of(np.array([1, 14, 0, 150, 14]))


def test_custom_model_from_si_round_trips():
    gr2 = STANDARD_FUEL_MODELS[102]
    lb = 0.45359237 / FT_M**2
    custom = FuelModel.from_si(
        900, "PLOT", "measured grass plot", depth_m=gr2.depth_ft * FT_M, mx_dead=gr2.mx_dead,
        load_1h_kg_m2=gr2.load_1h * lb, load_herb_kg_m2=gr2.load_herb * lb, savr_1h_per_m=gr2.savr_1h / FT_M,
        savr_herb_per_m=gr2.savr_herb / FT_M, is_dynamic=True)
    for field in ("depth_ft", "h_dead", "h_live", "load_1h", "load_herb", "savr_1h", "savr_10h", "savr_herb"):
        assert getattr(custom, field) == pytest.approx(getattr(gr2, field), rel=1e-12), field
    a = surface_fire(custom, 0.05, 0.06, 0.07, 0.5, 0.9, 2.0)
    b = surface_fire(gr2, 0.05, 0.06, 0.07, 0.5, 0.9, 2.0)
    assert a.ros_head_m_s == pytest.approx(b.ros_head_m_s, rel=1e-12)
    table = fuel_table([gr2, custom, 1])
    np.testing.assert_array_equal(table.index_of(np.array([900, 1])), [1, 2])
    with pytest.raises(ValueError, match="duplicate"):
        fuel_table([gr2, 102])


def test_wind_limit_caps_effective_wind():
    model = STANDARD_FUEL_MODELS[101]  # GR1: small reaction intensity, limit binds early
    free = surface_fire(model, 0.06, 0.07, 0.08, 0.6, 0.9, 10.0)
    capped = surface_fire(model, 0.06, 0.07, 0.08, 0.6, 0.9, 10.0, wind_limit=True)
    limit_m_s = 0.9 * capped.reaction_intensity_kw_m2 / rk.KW_M2_PER_BTU_FT2_MIN * FT_MIN_M_S
    assert free.effective_wind_m_s > limit_m_s
    assert capped.effective_wind_m_s == pytest.approx(limit_m_s, rel=1e-12)
    assert capped.ros_head_m_s < free.ros_head_m_s
    calm = surface_fire(model, 0.06, 0.07, 0.08, 0.6, 0.9, 0.2, wind_limit=True)
    assert calm.ros_head_m_s == surface_fire(model, 0.06, 0.07, 0.08, 0.6, 0.9, 0.2).ros_head_m_s


@pytest.mark.parametrize("wind_limit", [False, True])
def test_numba_grid_equals_numpy_twin_on_random_inputs(table, wind_limit):
    rng = np.random.default_rng(2024)
    shape = (12, 25)
    burnable_rows = np.flatnonzero(table.burnable)
    rows = rng.choice(np.concatenate([burnable_rows, [0, -1]]), size=shape).astype(np.int32)
    rows[rows == 0] = np.flatnonzero(~table.burnable)[0]
    m1h = rng.uniform(0.02, 0.35, shape)
    m10h = m1h + rng.uniform(0.0, 0.03, shape)
    m100h = m10h + rng.uniform(0.0, 0.03, shape)
    mherb = rng.uniform(0.25, 1.6, shape)
    mwoody = rng.uniform(0.5, 2.0, shape)
    wind = rng.uniform(0.0, 8.0, shape)
    wind[0, :5] = 0.0
    wind_dir = rng.uniform(-np.pi, np.pi, shape)
    slope = rng.uniform(0.0, 1.0, shape)
    slope[1, :5] = 0.0
    upslope = rng.uniform(-np.pi, np.pi, shape)
    out = rk.surface_fire_fields(table, rows, m1h, m10h, m100h, mherb, mwoody, wind, wind_dir, slope, upslope,
                                 wind_limit=wind_limit)
    burning = 0
    for j in range(shape[0]):
        for i in range(shape[1]):
            model = table.models[rows[j, i]] if rows[j, i] >= 0 else STANDARD_FUEL_MODELS[91]
            twin = surface_fire(model, m1h[j, i], m10h[j, i], m100h[j, i], mherb[j, i], mwoody[j, i],
                                wind[j, i], slope[j, i], wind_dir[j, i] - upslope[j, i], wind_limit=wind_limit)
            burning += twin.ros_head_m_s > 0.0
            for name in rk.OUTPUTS:
                grid_value = out[name][j, i]
                if name == "spread_direction_rad":
                    if twin.ros_head_m_s == 0.0:
                        continue
                    turn = grid_value - (upslope[j, i] + twin.spread_direction_rad)
                    assert abs(math.remainder(turn, 2 * math.pi)) < 1e-12
                    continue
                assert grid_value == pytest.approx(getattr(twin, name), rel=1e-12, abs=1e-300), (name, j, i)
    assert burning > 100
