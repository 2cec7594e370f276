"""The sensor renderer end to end: faults where the log says, labels kept apart, reproducible.

Small plume runs of a chlorine leak (a few seconds each) with sensors sampled every 2 s.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import netCDF4
import numpy as np
import pytest
from pydantic import TypeAdapter

from sim.cli import main
from sim.render.faults import FAULT_BITS, FaultRecord, apply_faults, flags_from_log
from sim.scenario.schema import Scenario

SCENARIO = """
[scenario]
name = "sensor_test"
seed = 11

[grid]
shape = [40, 60]
spacing_m = 20.0

[time]
stop_s = 600.0
dt_max_s = 10.0

[[models]]
kind = "gas_dispersion"
[models.params]
gas = "chlorine"
mode = "plume"
release = { kind = "continuous", rate_kg_s = 0.02, x_m = 100.0, y_m = 400.0, height_m = 1.0 }
wind = { speed_m_s = 3.0, direction_deg = 270.0 }
stability_class = "D"

[[events]]
at_s = 150.0
set = { "models.0.params.wind.direction_deg" = 275.0 }

[[outputs]]
fields = ["gas_mole_fraction"]
every_s = 100.0

[[sensors]]
kind = "electrochemical"
name = "cl2"
gas = "chlorine"
positions_m = [[300.0, 400.0], [500.0, 410.0], [700.0, 400.0], [900.0, 420.0]]
every_s = 2.0

[[sensors]]
kind = "electrochemical"
name = "so2"
gas = "sulfur_dioxide"
position_m = [500.0, 400.0]
every_s = 5.0
"""

FAULTS = """
[[faults]]
sensor = "cl2_0"
kind = "stuck"
start_s = 100.0
end_s = 300.0

[[faults]]
sensor = "cl2_0"
kind = "spike"
times_s = [50.0, 301.0]
amplitude = 9.0

[[faults]]
sensor = 1
kind = "drift"
start_s = 100.0
rate_per_s = 0.01

[[faults]]
sensor = "cl2_1"
kind = "noise_burst"
start_s = 400.0
end_s = 450.0
std = 2.0

[[faults]]
sensor = "cl2_2"
kind = "dropout"
mode = "bursty"
p_enter_burst = 0.05
p_leave_burst = 0.3

[[faults]]
sensor = "cl2_3"
kind = "clock_skew"
skew = 1e-3
offset_s = 2.0
jitter_s = 0.1

[[faults]]
sensor = "cl2_3"
kind = "slow_response"
start_s = 200.0
tau_factor = 3.0

[[faults]]
sensor = "so2_0"
kind = "saturation"
high = 0.5
start_s = 300.0
"""


def run(tmp_path: Path, text: str, name: str = "run", *extra: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / name
    assert main(["run", str(path), "-o", str(out), "--quiet", *extra]) == 0
    return out


def read_nc(path: Path) -> dict[str, np.ndarray]:
    with netCDF4.Dataset(path) as ds:
        ds.set_auto_mask(False)
        return {name: np.array(var[...]) for name, var in ds.variables.items()}


def read_log(path: Path) -> list[FaultRecord]:
    with open(path, newline="") as fh:
        return [FaultRecord(r["sensor_id"], r["fault_type"], float(r["start_s"]), float(r["end_s"]),
                            json.loads(r["parameters"])) for r in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sensors")
    return {"clean": run(tmp, SCENARIO, "clean"), "faulty": run(tmp, SCENARIO + FAULTS, "faulty"),
            "again": run(tmp, SCENARIO + FAULTS, "again"),
            "other_seed": run(tmp, SCENARIO + FAULTS, "other_seed", "--seed", "12")}


def test_each_fault_appears_exactly_where_the_log_says(runs):
    nc = read_nc(runs["faulty"] / "sensors.nc")
    log = read_log(runs["faulty"] / "sensor_faults.csv")
    ids = [str(s) for s in nc["sensor_id"]]
    t = nc["time"]
    expected = flags_from_log(log, t, ids) * nc["sampled"]
    np.testing.assert_array_equal(nc["fault_type"], expected)
    np.testing.assert_array_equal(nc["fault_flag"], (expected > 0).astype(np.int8))
    kinds = {r.fault_type for r in log}
    assert kinds == {"stuck", "spike", "drift", "noise_burst", "dropout", "clock_skew", "slow_response",
                     "saturation"}
    spikes = sorted(r.start_s for r in log if r.fault_type == "spike")
    assert spikes == [50.0, 302.0]  # the first sample at or after each requested time


def test_values_change_only_where_a_fault_acts(runs):
    clean, faulty = read_nc(runs["clean"] / "sensors.nc"), read_nc(runs["faulty"] / "sensors.nc")
    # Truth and hazard labels never see a fault.
    np.testing.assert_array_equal(clean["true_value"], faulty["true_value"])
    np.testing.assert_array_equal(clean["hazard_level"], faulty["hazard_level"])
    flags = faulty["fault_type"]
    changed = ~np.isclose(clean["measured_value"], faulty["measured_value"], equal_nan=True, rtol=0, atol=0)
    assert (changed <= (flags > 0)).all(), "a reading changed where no fault acts"
    # Faults that move values do move them.
    for kind in ("stuck", "spike", "drift", "noise_burst"):
        acted = (flags & FAULT_BITS[kind]) > 0
        assert changed[acted].mean() > 0.5, kind
    # Reported times differ only under the clock fault.
    skewed = (flags & FAULT_BITS["clock_skew"]) > 0
    moved = (faulty["reported_time"] != faulty["time"][:, None]) & (faulty["sampled"] == 1)
    np.testing.assert_array_equal(moved, skewed)


def test_no_nan_except_dropouts(runs):
    nc = read_nc(runs["faulty"] / "sensors.nc")
    sampled = nc["sampled"] == 1
    dropped = (nc["fault_type"] & FAULT_BITS["dropout"]) > 0
    nan = np.isnan(nc["measured_value"])
    np.testing.assert_array_equal(nan & sampled, dropped)
    assert dropped.any() and np.isfinite(nc["true_value"][sampled]).all()
    assert (nc["alarm_state"][dropped] == -1).all() and (nc["alarm_state"][sampled & ~dropped] >= 0).all()
    # The SO2 cell samples every 5 s, the chlorine cells every 2 s, on one time axis.
    assert sampled[:, :4].sum(axis=0).tolist() == [301] * 4 and sampled[:, 4].sum() == 121


def test_same_seed_same_readings_other_seed_other_noise(runs):
    a, b = read_nc(runs["faulty"] / "sensors.nc"), read_nc(runs["again"] / "sensors.nc")
    for name in ("true_value", "measured_value", "reported_time", "fault_type", "alarm_state", "hazard_level"):
        assert a[name].tobytes() == b[name].tobytes(), name
    assert (runs["faulty"] / "sensor_faults.csv").read_bytes() == (runs["again"] / "sensor_faults.csv").read_bytes()
    c = read_nc(runs["other_seed"] / "sensors.nc")
    np.testing.assert_array_equal(a["true_value"], c["true_value"])
    assert not np.array_equal(a["measured_value"], c["measured_value"], equal_nan=True)


def test_csv_holds_the_readings_of_the_netcdf(runs):
    nc = read_nc(runs["faulty"] / "sensors.nc")
    with open(runs["faulty"] / "sensors.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == int(nc["sampled"].sum())
    ids = [str(s) for s in nc["sensor_id"]]
    index = {float(t): k for k, t in enumerate(nc["time"])}
    for row in rows[::37]:
        k, j = index[float(row["time_s"])], ids.index(row["sensor_id"])
        measured = nc["measured_value"][k, j]
        assert (row["measured_value"] == "" and np.isnan(measured)) or float(row["measured_value"]) == measured
        assert float(row["true_value"]) == nc["true_value"][k, j]
        assert int(row["fault_flag"]) == nc["fault_flag"][k, j] and int(row["alarm_state"]) == nc["alarm_state"][k, j]


def test_true_value_is_the_field_at_the_sensor(runs):
    """The sensors' truth at an output time equals the field interpolated there."""
    nc = read_nc(runs["clean"] / "sensors.nc")
    fields = read_nc(runs["clean"] / "fields.nc")
    k_field = int(np.flatnonzero(fields["time"] == 300.0)[0])
    k_sensor = int(np.flatnonzero(nc["time"] == 300.0)[0])
    x, y = fields["x"], fields["y"]
    field = fields["gas_mole_fraction"][k_field]
    for j in range(4):
        i = np.searchsorted(x, nc["x"][j]) - 1
        r = np.searchsorted(y, nc["y"][j]) - 1
        a = (nc["x"][j] - x[i]) / (x[i + 1] - x[i])
        b = (nc["y"][j] - y[r]) / (y[r + 1] - y[r])
        expected = ((1 - a) * (1 - b) * field[r, i] + a * (1 - b) * field[r, i + 1]
                    + (1 - a) * b * field[r + 1, i] + a * b * field[r + 1, i + 1])
        assert nc["true_value"][k_sensor, j] == pytest.approx(expected, rel=1e-12)
    assert nc["true_value"][k_sensor, :3].min() > 0.1  # near the plume axis: ppm of chlorine
    levels = nc["hazard_level"][k_sensor, :3]
    assert levels[0] == 2 and (levels >= 0).all()  # 3 ppm at 200 m: above AEGL-2 (2.0 ppm, 60 min)
    # The SO2 cell in a chlorine plume: no SO2 there, and chlorine pushes its reading to zero.
    assert (nc["true_value"][:, 4][nc["sampled"][:, 4] == 1] == 0).all()


def test_apply_faults_directly_covers_every_kind():
    t = np.arange(0.0, 100.0)
    values = np.linspace(0.0, 10.0, 100)[:, None].repeat(2, axis=1)
    kinds = [
        (0, {"kind": "bias", "offset": 1.0, "start_s": 10, "end_s": 20}),
        (0, {"kind": "gain", "factor": 2.0, "start_s": 15, "end_s": 25}),
        (0, {"kind": "quantisation", "step": 0.5, "start_s": 30, "end_s": 40}),
        (1, {"kind": "saturation", "low": 2.0, "high": 3.0, "start_s": 0, "end_s": 50}),
        (0, {"kind": "dropout", "mode": "random", "probability": 0.2, "start_s": 60}),
        (1, {"kind": "poisoning", "sensitivity_loss": 0.5, "start_s": 70}),
    ]
    adapter = TypeAdapter(Scenario.model_fields["faults"].annotation.__args__[0])
    faults = [(j, adapter.validate_python({"sensor": j, **spec})) for j, spec in kinds]
    y, reported, flags, log = apply_faults(faults, t, values, ["a", "b"], 99.0, np.random.default_rng(0))
    np.testing.assert_array_equal(flags, flags_from_log(log, t, ["a", "b"]))
    assert y[12, 0] == values[12, 0] + 1.0  # bias alone
    assert y[22, 0] == 2.0 * values[22, 0]  # gain alone (bias ended at 20)
    assert y[17, 0] == 2.0 * (values[17, 0] + 1.0)  # both, in the order declared
    assert (y[:51, 1] >= 2.0).all() and (y[:51, 1] <= 3.0).all()
    np.testing.assert_allclose(y[30:41, 0] / 0.5, np.round(y[30:41, 0] / 0.5))
    assert np.isnan(y[60:, 0]).any() and not np.isnan(y[:60]).any() and not np.isnan(y[:, 1]).any()
    assert flags[80, 1] == FAULT_BITS["poisoning"]  # logged here, applied inside the instrument
    assert (reported == t[:, None]).all()


def test_bundled_propane_detectors_mixed_units_cf_and_a_hard_negative(tmp_path):
    from compliance_checker.runner import CheckSuite, ComplianceChecker

    from sim.paths import bundled_scenarios

    out = tmp_path / "propane"
    assert main(["run", str(bundled_scenarios()["propane_cloud_night"]), "-o", str(out), "--quiet",
                 "--set", "grid.shape=[150, 150]", "--set", "grid.spacing_m=8.0"]) == 0
    CheckSuite().load_all_available_checkers()
    report = tmp_path / "cf.json"
    passed, _ = ComplianceChecker.run_checker(str(out / "sensors.nc"), ["cf:1.10"], verbose=0, criteria="lenient",
                                              output_filename=str(report), output_format="json")
    results = json.loads(report.read_text())["cf:1.10"]
    errors = [m for group in results["high_priorities"] for m in group["msgs"]]
    assert passed and not errors, errors

    nc = read_nc(out / "sensors.nc")
    ids = [str(s) for s in nc["sensor_id"]]
    assert [str(u) for u in nc["measured_units"]] == ["percent"] * 4 + ["1"]
    mos = ids.index("mos_0")
    # The methane MOS sensor alarms in the propane cloud while no methane is there.
    assert nc["alarm_state"][:, mos].max() >= 1 and nc["hazard_level"][:, mos].max() == 0
    # The poisoned pellistor (60 % sensitivity lost) reads well below the NDIR head beside it,
    # though both see the same cloud.
    cat, ndir = ids.index("cat_1"), ids.index("ndir_0")
    assert nc["hazard_level"][:, cat].max() >= 1
    assert np.nanmax(nc["measured_value"][:, cat]) < 0.5 * np.nanmax(nc["measured_value"][:, ndir])
