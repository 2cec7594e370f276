"""Bad input: one line on stderr naming file and key, exit status 2, no traceback, nothing left behind.

Most cases call :func:`sim.cli.main` in-process (fast); one test runs the real process.
A hypothesis test mutates the bundled scenario and checks that ``hazsim check`` never
lets an exception escape.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.paths import bundled_scenarios

BUNDLED = bundled_scenarios()["chlorine_tank_leak"]
# The bundled scenario on a small, coarse grid of the same extent, so that every check is fast.
BASE = (BUNDLED.read_text(encoding="utf-8").replace("shape = [400, 400]", "shape = [20, 20]")
        .replace("spacing_m = 5.0", "spacing_m = 100.0"))
assert "shape = [20, 20]" in BASE and "spacing_m = 100.0" in BASE


def write(tmp_path: Path, text: str = BASE, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def replace(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def call(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run main(argv) in-process; any exception other than SystemExit fails the test."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse errors
        code = exc.code
    except BaseException as exc:  # noqa: BLE001 -- the point of the test
        pytest.fail(f"exception escaped main({argv}): {exc!r}")
    out, err = capsys.readouterr()
    return code, out, err


def assert_bad(code: int, err: str, *needles: str) -> str:
    assert code == 2, f"exit status {code}, stderr: {err!r}"
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one non-empty stderr line, got {err!r}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


def assert_no_run_dir(run_dir: Path) -> None:
    if run_dir.exists():
        leftovers = list(run_dir.rglob("*"))
        assert not leftovers, f"run folder left with {leftovers}"
    assert not list(run_dir.parent.rglob("*.part"))


def check_and_run(tmp_path: Path, capsys, scenario: Path | str, extra: list[str], *needles: str) -> None:
    """Both `check` and `run` must refuse the input with one line naming each needle."""
    code, _, err = call(["check", scenario, *extra], capsys)
    assert_bad(code, err, *needles)
    run_dir = tmp_path / "run"
    code, _, err = call(["run", scenario, "-o", run_dir, "--quiet", *extra], capsys)
    assert_bad(code, err, *needles)
    assert_no_run_dir(run_dir)


# -- the base is good ---------------------------------------------------------------------

def test_small_base_scenario_checks_ok(tmp_path, capsys):
    path = write(tmp_path, name="good.toml")
    code, out, err = call(["check", path], capsys)
    assert code == 0, err
    assert "ok" in out and err == ""


# -- 1. missing file ----------------------------------------------------------------------

def test_missing_file(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    check_and_run(tmp_path, capsys, missing, [], str(missing), "not found")


# -- 2. TOML syntax error -----------------------------------------------------------------

@pytest.mark.parametrize("old, new", [
    ("seed = 42", "seed = = 42"),
    ("[time]", "[time"),
    ('gas = "chlorine"', 'gas = "chlorine'),
])
def test_toml_syntax_error(tmp_path, capsys, old, new):
    path = write(tmp_path, replace(old, new))
    check_and_run(tmp_path, capsys, path, [], str(path), "TOML")


# -- 3. unknown key -----------------------------------------------------------------------

@pytest.mark.parametrize("old, new, key", [
    ("[time]", "[timing]\nx = 1\n[time]", "timing"),
    ("seed = 42", "seed = 42\nseeed = 1", "scenario.seeed"),
    ("dt_max_s = 5.0", "dt_max_s = 5.0\nstep_s = 1.0", "time.step_s"),
    ("wind = { speed_m_s", "wind = { speedd_m_s", "models.0.params.wind.speedd_m_s"),
    ('dispersion = "rural"', 'dispersion = "rural"\ndispersal = "rural"', "models.0.params.dispersal"),
])
def test_unknown_key(tmp_path, capsys, old, new, key):
    path = write(tmp_path, replace(old, new))
    line = assert_bad(*call(["check", path], capsys)[::2], str(path), key)
    check_and_run(tmp_path, capsys, path, [], str(path), key)
    assert "unknown key" in line or "required" in line


# -- 4. wrong type ------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, key", [
    ("spacing_m = 100.0", 'spacing_m = "five"', "grid.spacing_m"),
    ("shape = [20, 20]", 'shape = "20x20"', "grid.shape"),
    ("shape = [20, 20]", "shape = [20.5, 20]", "grid.shape"),
    ("stop_s = 1800.0", "stop_s = [1800.0]", "time.stop_s"),
    ("seed = 42", 'seed = "42x"', "scenario.seed"),
    ("rate_kg_s = 2.0", 'rate_kg_s = "two"', "models.0.params.release.rate_kg_s"),
    ('gas = "chlorine"', "gas = 7", "models.0.params.gas"),
])
def test_wrong_type(tmp_path, capsys, old, new, key):
    path = write(tmp_path, replace(old, new))
    check_and_run(tmp_path, capsys, path, [], str(path), key)


def test_models_not_a_list(tmp_path, capsys):
    path = write(tmp_path, BASE.split("[[models]]")[0] + "models = 3\n")
    check_and_run(tmp_path, capsys, path, [], str(path), "models")


# -- 5. negative values -------------------------------------------------------------------

@pytest.mark.parametrize("setting, key", [
    ("models.0.params.release.rate_kg_s=-2", "models.0.params.release.rate_kg_s"),
    ("time.stop_s=-1", "time.stop_s"),
    ("time.dt_max_s=-5", "time.dt_max_s"),
    ("grid.spacing_m=-5", "grid.spacing_m"),
    ("grid.shape=[-20, 20]", "grid.shape"),
    ("scenario.seed=-1", "scenario.seed"),
    ("models.0.params.wind.speed_m_s=-3", "models.0.params.wind.speed_m_s"),
])
def test_negative_value_via_set(tmp_path, capsys, setting, key):
    path = write(tmp_path)
    check_and_run(tmp_path, capsys, path, ["--set", setting], str(path), key)


@pytest.mark.parametrize("old, new, key", [
    ("rate_kg_s = 2.0", "rate_kg_s = -2", "models.0.params.release.rate_kg_s"),
    ("stop_s = 1800.0", "stop_s = -1", "time.stop_s"),
    ("at_s = 600.0", "at_s = -600.0", "events.0.at_s"),
    ("every_s = 30.0", "every_s = -30.0", "outputs.0.every_s"),
])
def test_negative_value_in_file(tmp_path, capsys, old, new, key):
    path = write(tmp_path, replace(old, new))
    check_and_run(tmp_path, capsys, path, [], str(path), key)


# -- 6. NaN and inf -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
@pytest.mark.parametrize("old, new, key", [
    ("speed_m_s = 3.0", "speed_m_s = {v}", "models.0.params.wind.speed_m_s"),
    ("direction_deg = 270.0", "direction_deg = {v}", "models.0.params.wind.direction_deg"),
    ("stop_s = 1800.0", "stop_s = {v}", "time.stop_s"),
    ("spacing_m = 100.0", "spacing_m = {v}", "grid.spacing_m"),
    ("x_m = 200.0", "x_m = {v}", "models.0.params.release.x_m"),
    ('"models.0.params.wind.direction_deg" = 300.0', '"models.0.params.wind.direction_deg" = {v}',
     "models.0.params.wind.direction_deg"),
])
def test_nan_and_inf(tmp_path, capsys, value, old, new, key):
    path = write(tmp_path, replace(old, new.format(v=value)))
    code, _, err = call(["check", path], capsys)
    assert_bad(code, err, str(path), key)
    run_dir = tmp_path / "run"
    code, _, err = call(["run", path, "-o", run_dir, "--quiet"], capsys)
    assert_bad(code, err, str(path), key)
    assert_no_run_dir(run_dir)


@pytest.mark.parametrize("setting, key", [
    ("models.0.params.wind.speed_m_s=nan", "models.0.params.wind.speed_m_s"),
    ("time.stop_s=inf", "time.stop_s"),
    ("grid.origin_m=[nan, 0]", "grid.origin_m"),
])
def test_nan_and_inf_via_set(tmp_path, capsys, setting, key):
    path = write(tmp_path)
    check_and_run(tmp_path, capsys, path, ["--set", setting], str(path), key)


# -- 7. grid too large for memory ---------------------------------------------------------

@pytest.mark.parametrize("shape", ["[2000000, 2000000]", "[100000000, 100000000]"])
def test_grid_too_large_fails_fast(tmp_path, capsys, shape):
    import time

    path = write(tmp_path)
    started = time.perf_counter()
    check_and_run(tmp_path, capsys, path, ["--set", f"grid.shape={shape}"], str(path), "grid.shape", "GiB")
    assert time.perf_counter() - started < 10, "refusing a huge grid must not allocate it first"


def test_grid_too_large_in_file(tmp_path, capsys):
    path = write(tmp_path, replace("shape = [20, 20]", "shape = [2000000, 2000000]"))
    check_and_run(tmp_path, capsys, path, [], str(path), "grid.shape", "GiB")


# -- 8. unknown gas -----------------------------------------------------------------------

def test_unknown_gas_lists_known_gases(tmp_path, capsys):
    from models.gas_dispersion.gases import GASES

    path = write(tmp_path, replace('gas = "chlorine"', 'gas = "kryptonite"'))
    check_and_run(tmp_path, capsys, path, [], str(path), "models.0.params.gas", "kryptonite",
                  *sorted(GASES))


def test_unknown_model_kind(tmp_path, capsys):
    path = write(tmp_path, replace('kind = "gas_dispersion"', 'kind = "gas_dispersal"'))
    check_and_run(tmp_path, capsys, path, [], str(path), "models.0.kind", "gas_dispersal")


# -- 9. output folder that cannot be written ----------------------------------------------

def test_output_under_a_regular_file(tmp_path, capsys):
    path = write(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("keep me", encoding="utf-8")
    out = blocker / "run"
    code, _, err = call(["run", path, "-o", out, "--quiet"], capsys)
    assert_bad(code, err, str(out), "output folder")
    assert blocker.is_file() and blocker.read_text(encoding="utf-8") == "keep me"
    assert not list(tmp_path.rglob("*.part"))


def test_output_is_a_regular_file(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "run"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = call(["run", path, "-o", out, "--quiet"], capsys)
    assert_bad(code, err, str(out), "output folder")
    assert out.read_text(encoding="utf-8") == "keep me"


def test_output_folder_not_empty(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "run"
    out.mkdir()
    (out / "precious.txt").write_text("keep me", encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = {p.relative_to(out): (p.read_bytes() if p.is_file() else None) for p in out.rglob("*")}
    code, _, err = call(["run", path, "-o", out, "--quiet"], capsys)
    assert_bad(code, err, str(out), "not empty")
    after = {p.relative_to(out): (p.read_bytes() if p.is_file() else None) for p in out.rglob("*")}
    assert after == before


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores permissions")
def test_output_folder_read_only(tmp_path, capsys):
    path = write(tmp_path)
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        code, _, err = call(["run", path, "-o", parent / "run", "--quiet"], capsys)
        assert_bad(code, err, str(parent / "run"), "cannot be written")
        assert list(parent.iterdir()) == []
    finally:
        parent.chmod(0o755)


# -- 10. bad --set syntax -----------------------------------------------------------------

@pytest.mark.parametrize("setting, needle", [
    ("time.stop_s", "time.stop_s"),
    ("=600", "=600"),
    ("time..stop_s=600", "time..stop_s"),
    ("models.5.params.gas=chlorine", "models.5"),
    ("models.x.kind=gas_dispersion", "models.x"),
    ("scenario.seed.x=1", "scenario.seed"),
])
def test_bad_set_syntax(tmp_path, capsys, setting, needle):
    path = write(tmp_path)
    check_and_run(tmp_path, capsys, path, ["--set", setting], "--set", needle)


def test_set_unknown_key(tmp_path, capsys):
    path = write(tmp_path)
    check_and_run(tmp_path, capsys, path, ["--set", "time.stopp_s=600"], str(path), "time.stopp_s", "unknown key")


@pytest.mark.parametrize("argv, needle", [
    (["--seed", "abc"], "--seed"),
    (["--threads", "0"], "--threads"),
    (["--threads", "x"], "--threads"),
])
def test_bad_run_options(tmp_path, capsys, argv, needle):
    path = write(tmp_path)
    run_dir = tmp_path / "run"
    code, _, err = call(["run", path, "-o", run_dir, "--quiet", *argv], capsys)
    assert_bad(code, err, needle)
    assert_no_run_dir(run_dir)


# -- 11. events ---------------------------------------------------------------------------

EVENT = '"models.0.params.wind.direction_deg" = 300.0'


@pytest.mark.parametrize("new, needles", [
    ('"models.0.params.wind.speedd_m_s" = 3.0', ("events.0", "models.0.params.wind.speedd_m_s", "unknown key")),
    ('"models.0.params.gass" = "ammonia"', ("events.0", "models.0.params.gass", "unknown key")),
    ('"models.0.params.gas" = "ammonia"', ("events.0", "models.0.params.gas", "fixed")),
    ('"models.0.params.mode" = "plume"', ("events.0", "models.0.params.mode", "fixed")),
    ('"models.0.params.gas" = "kryptonite"', ("events.0", "models.0.params.gas", "kryptonite")),
    ('"models.0.params.wind.speed_m_s" = 0.1', ("events.0", "models.0.params.wind.speed_m_s")),
    ('"models.1.params.gas" = "ammonia"', ("events.0", "models.1")),
    ('"grid.shape" = [10, 10]', ("events.0", "grid.shape")),
    ('"models.0.params.wind.direction_deg.x" = 1', ("events.0", "models.0.params.wind.direction_deg")),
])
def test_bad_event(tmp_path, capsys, new, needles):
    path = write(tmp_path, replace(EVENT, new))
    check_and_run(tmp_path, capsys, path, [], str(path), *needles)


def test_event_after_stop(tmp_path, capsys):
    path = write(tmp_path, replace("at_s = 600.0", "at_s = 6000.0"))
    check_and_run(tmp_path, capsys, path, [], str(path), "events.0.at_s")


# -- 12. outputs ---------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, needles", [
    ('"gas_hazard_level"]', '"gas_hazard_level", "smoke_density"]', ("outputs.0.fields", "smoke_density")),
    ('fields = ["gas_concentration", "gas_mole_fraction", "gas_dose", "gas_hazard_level"]',
     'fields = ["gas_lel_fraction"]', ("outputs.0.fields", "gas_lel_fraction")),  # chlorine is not flammable
    ("fields = [", "fields = [] #", ("outputs.0.fields",)),
    ("every_s = 30.0", "every_s = 30.0\ntimes_s = [60.0]", ("outputs.0", "every_s")),
    ("every_s = 30.0", "times_s = [60.0, 9000.0]", ("outputs.0.times_s",)),
    ("every_s = 30.0", 'every_s = 30.0\npath = "../x.nc"', ("outputs.0.path",)),
])
def test_bad_output(tmp_path, capsys, old, new, needles):
    path = write(tmp_path, replace(old, new))
    check_and_run(tmp_path, capsys, path, [], str(path), *needles)


# -- other parameter checks ----------------------------------------------------------------

@pytest.mark.parametrize("old, new, needle", [
    ('stability_class = "D"', 'stability_class = "D"\ninsolation = "strong"', "stability_class"),
    ('stability_class = "D"', "", "stability_class"),
    ('stability_class = "D"', 'stability_class = "Q"', "models.0.params.stability_class"),
    ("speed_m_s = 3.0", "speed_m_s = 0.2", "models.0.params.wind.speed_m_s"),
    ('mode = "puff"', 'mode = "cloud"', "models.0.params.mode"),
    ('name = "chlorine_tank_leak"', 'name = "bad name/with slash"', "scenario.name"),
    ('crs = "local"', 'crs = "WGS84"', "grid.crs"),
    ('dtype = "float64"', 'dtype = "int8"', "grid.dtype"),
])
def test_bad_model_or_grid_value(tmp_path, capsys, old, new, needle):
    path = write(tmp_path, replace(old, new))
    check_and_run(tmp_path, capsys, path, [], str(path), needle)


@pytest.mark.parametrize("settings", [["grid.spacing_m=1e308"], ["grid.spacing_m=[5.0, 1e307]"],
                                      ["grid.origin_m=[1.7e308, 0]", "grid.spacing_m=1e307"],
                                      ["grid.origin_m=[1e308, 1e308]"], ["grid.origin_m=[0, -1e20]"]])
def test_grid_extent_not_finite_or_unresolvable(tmp_path, capsys, settings):
    """Cell coordinates that overflow to inf, or that coincide in floating point, once
    crashed the quicklook with a traceback after a half-written run."""
    path = write(tmp_path)
    extra = [arg for setting in settings for arg in ("--set", setting)]
    check_and_run(tmp_path, capsys, path, extra, str(path), "grid", "spacing_m", "finite")


def test_output_field_listed_twice(tmp_path, capsys):
    """Once a NetCDF 'name in use' RuntimeError with a traceback, after a half-written run."""
    path = write(tmp_path, replace('"gas_dose", "gas_hazard_level"]', '"gas_dose", "gas_dose"]'))
    check_and_run(tmp_path, capsys, path, [], str(path), "outputs.0.fields", "gas_dose", "more than once")


def test_missing_section(tmp_path, capsys):
    text = re.sub(r"\[time\]\nstop_s = 1800.0\ndt_max_s = 5.0\n", "", BASE)
    assert "[time]" not in text
    path = write(tmp_path, text)
    check_and_run(tmp_path, capsys, path, [], str(path), "time", "required")


def test_not_utf8_and_directory(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASE.replace("class D", "class D \xe9").encode("latin-1"))
    check_and_run(tmp_path, capsys, path, [], str(path), "UTF-8")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    check_and_run(tmp_path, capsys, folder, [], str(folder), "not a file")


# -- the real process ----------------------------------------------------------------------

def test_real_process_exits_2_with_one_line(tmp_path):
    path = write(tmp_path, replace('gas = "chlorine"', 'gas = "kryptonite"'))
    run_dir = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(path), "-o", str(run_dir), "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and "models.0.params.gas" in lines[0] and "chlorine" in lines[0]
    assert proc.stdout == ""
    assert_no_run_dir(run_dir)


# -- hypothesis: mutated scenarios ---------------------------------------------------------

VALUE_TOKEN = re.compile(r'"[^"\n]*"|\b(?:true|false)\b|[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')
POOL = ["-1", "nan", '"x"', "[]", "1e308", "0", "true", "{}", "-1e308", "inf", "[1, 2]", '""', "1.5",
        '{ a = 1 }', "[nan, 0]", "2000000000"]
JUNK = st.text(alphabet=st.sampled_from(list("=[]{}\"'#.,\n \t-+0123456789abcxyz_\\\x00é")), min_size=1,
               max_size=8)


@st.composite
def mutated_scenario(draw) -> str:
    text = BASE
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "duplicate", "replace", "replace", "replace", "truncate", "junk"]))
        lines = text.split("\n")
        if op == "delete" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif op == "duplicate" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == "replace":
            tokens = list(VALUE_TOKEN.finditer(text))
            if tokens:
                m = tokens[draw(st.integers(0, len(tokens) - 1))]
                text = text[: m.start()] + draw(st.sampled_from(POOL)) + text[m.end():]
        elif op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif op == "junk":
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(JUNK) + text[i:]
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated_scenario())
def test_mutated_scenario_never_crashes_check(tmp_path, capsys, text):
    path = tmp_path / "mutated.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = call(["check", path], capsys)
    assert code in (0, 2), f"exit status {code} for:\n{text}\nstderr: {err!r}"
    if code == 0:
        assert err == "", f"accepted, but with warnings {err!r} for:\n{text}"
    if code == 2:
        assert "Traceback" not in err
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].strip(), f"expected one stderr line, got {err!r} for:\n{text}"
        assert str(path) in lines[0], lines[0]


@pytest.mark.parametrize("override,key", [("outputs.0.every_s=1e-300", "outputs.0.every_s"),
                                          ("time.dt_max_s=1e-300", "time.dt_max_s")])
def test_a_run_that_could_never_finish_is_refused(override, key, capsys):
    code = main(["check", str(BUNDLED), "--set", override])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and key in err[0] and "expected at least" in err[0]


# -- sensors and faults ----------------------------------------------------------------------

@pytest.mark.parametrize("old, new, needles", [
    ('kind = "electrochemical"', 'kind = "nose"', ("sensors.0.kind", "nose", "electrochemical")),
    ('gas = "chlorine"\npositions_m', 'gas = "chlorine"\nt90 = 30\npositions_m', ("sensors.0.t90", "unknown key")),
    ('gas = "chlorine"\npositions_m', 'gas = "xenon"\npositions_m', ("sensors.0.gas",)),
    ('gas = "chlorine"\npositions_m', 'gas = "chlorine"\nt90_s = -3\npositions_m', ("sensors.0.t90_s",)),
    ("[1500.0, 1300.0]]", "[1500.0, 9300.0]]", ("sensors.0", "(1500, 9300)", "outside the grid")),
    ("every_s = 5.0", "every_s = 0.0", ("sensors.0.every_s",)),
    ("every_s = 5.0", "every_s = 5.0\nheight_m = 3.0", ("sensors.0.height_m", "1.5")),
    ('gas = "chlorine"\npositions_m', 'gas = "chlorine"\nfield = "gas_dose"\npositions_m',
     ("sensors.0.field", "units")),
    ('gas = "chlorine"\npositions_m', 'gas = "chlorine"\nfield = "smoke"\npositions_m',
     ("sensors.0.field", "'smoke'", "no model")),
    ("positions_m = [[400.0, 1000.0],", "areas_m = [[0, 0, 10, 10]]\npositions_m = [[400.0, 1000.0],",
     ("sensors.0", "exactly one of")),
    ('sensor = "cl2_1"', 'sensor = "cl2_9"', ("faults.0.sensor", "cl2_9", "cl2_0")),
    ('sensor = "cl2_1"', "sensor = 17", ("faults.0.sensor", "17")),
    ('kind = "stuck"', 'kind = "melted"', ("faults.0",)),
    ('kind = "stuck"', 'kind = "poisoning"\nsensitivity_loss = 1.5', ("faults.0.sensitivity_loss",)),
    ("end_s = 900.0", "end_s = 100.0", ("faults.0", "before start_s")),
    ("end_s = 900.0", "end_s = 9000.0", ("faults.0.end_s", "after time.stop_s")),
    ("rate_per_hour = 20.0", "rate_per_hour = 20.0\ntimes_s = [60.0]", ("faults.3", "exactly one of")),
])
def test_bad_sensor_or_fault(tmp_path, capsys, old, new, needles):
    path = write(tmp_path, replace(old, new))
    check_and_run(tmp_path, capsys, path, [], str(path), *needles)


def test_poisoning_an_ndir_head_is_refused(tmp_path, capsys):
    text = BASE + '\n[[sensors]]\nkind = "ndir_lel"\nposition_m = [800.0, 1000.0]\n' \
                  '\n[[faults]]\nsensor = "ndir_lel_0"\nkind = "poisoning"\nsensitivity_loss = 0.5\n'
    path = write(tmp_path, text)
    check_and_run(tmp_path, capsys, path, [], str(path), "faults.5.kind", "cannot be poisoned")


# -- flood scenarios -------------------------------------------------------------------------

FLOOD = bundled_scenarios()["dam_breach_valley"].read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, needles", [
    ('terrain = { kind = "valley"', 'terrain = { kind = "file", path = "no/such/dem.asc" } #',
     ("models.0.params.terrain.path", "not found")),
    ('terrain = { kind = "valley"', 'terrain = { kind = "mountain"', ("models.0.params.terrain",)),
    ('solver = "finite_volume"', 'solver = "magic"', ("models.0.params.solver",)),
    ("manning_n = 0.04", "manning_n = -0.04", ("models.0.params.manning_n",)),
    ('boundaries = { east = "free" }', 'boundaries = { east = "open" }', ("models.0.params.boundaries.east",)),
    ('"models.0.params.crests.breach.elevation_m" = 103.0', '"models.0.params.crests.breach.elevation_m" = "low"',
     ("events.0.set", "elevation_m")),
    ('"models.0.params.crests.breach.elevation_m" = 103.0', '"models.0.params.solver" = "local_inertial"',
     ("events.0.set", "solver", "fixed")),
    ("positions_m = [[2000.0, 800.0], [4000.0, 800.0]]", "positions_m = [[2000.0, 800.0], [9000.0, 800.0]]",
     ("sensors.0", "outside the grid")),
])
def test_bad_flood_input(tmp_path, capsys, old, new, needles):
    path = write(tmp_path, replace(old, new, FLOOD))
    check_and_run(tmp_path, capsys, path, [], str(path), *needles)


def test_inflow_outside_the_grid_is_refused(tmp_path, capsys):
    text = bundled_scenarios()["river_overtopping"].read_text(encoding="utf-8")
    path = write(tmp_path, replace("line_m = [[5.0, 487.0], [5.0, 513.0]]", "x_m = 5.0, y_m = 5000.0", text))
    check_and_run(tmp_path, capsys, path, [], str(path), "models.0.params", "outside the grid")


def test_measured_data_that_cannot_be_found(tmp_path, capsys, monkeypatch):
    # A scenario driven by a registered data set, on a machine without it and offline.
    monkeypatch.delenv("HAZSIM_DATA_DIR", raising=False)
    monkeypatch.setenv("HAZSIM_OFFLINE", "1")
    monkeypatch.setattr("sim.io.data.cache_dir", lambda: tmp_path / "empty_cache")
    path = bundled_scenarios()["bastille_day_2000"]
    check_and_run(tmp_path, capsys, path, [], str(path), "models.0.params",
                  "geomag/omni_hourly_1998_2002", "HAZSIM_DATA_DIR")


# -- geomagnetic scenarios -------------------------------------------------------------------

CIR = bundled_scenarios()["cir_storm"].read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, needles", [
    ('dst_model = "burton"', 'dst_model = "temerin_li"', ("models.0.params.dst_model",)),
    ("fast_speed_km_s = 750.0", "fast_speed_km_s = -750.0", ("fast_speed_km_s",)),
    ("[[faults]]", '[[events]]\nat_s = 3600.0\nset = { "models.0.params.dst_model" = "obrien_mcpherron" }\n\n[[faults]]',
     ("events.0.set", "dst_model", "fixed")),
    ("[[faults]]", '[[events]]\nat_s = 3600.0\nset = { "models.0.params.ground_magnetic_latitude_deg" = 50.0 }\n\n'
     "[[faults]]", ("events.0.set", "ground_magnetic_latitude_deg", "fixed")),
    ("stop_s = 345600.0", "stop_s = 400000.0", ("time.stop_s", "models.0 (geomagnetic)", "345600")),
])
def test_bad_geomagnetic_input(tmp_path, capsys, old, new, needles):
    path = write(tmp_path, replace(old, new, CIR))
    check_and_run(tmp_path, capsys, path, [], str(path), *needles)
