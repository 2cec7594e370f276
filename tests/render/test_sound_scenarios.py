"""Sound through whole runs: the bundled acoustic leak, reproducibility, bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from sim.paths import bundled_scenarios
from sim.render.sound.bands import BAND_CENTRES_HZ, BAND_LOWER_HZ, BAND_UPPER_HZ
from sim.run import run_scenario
from sim.scenario.load import load_scenario

# The bundled leak, shortened: the leak starts at 60 s; both microphones record 50-100 s.
SHORT = ["time.stop_s=100.0", "microphones.0.start_s=50.0", "microphones.0.end_s=100.0",
         "microphones.1.start_s=50.0", "microphones.1.end_s=100.0", "distractors.0.start_s=70.0",
         "distractors.0.end_s=80.0", "distractors.1.start_s=50.0", "distractors.1.end_s=100.0"]


def labels(run: Path) -> list[tuple[str, float, float, str]]:
    with open(run / "audio" / "labels.tsv", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    return [(r[0], float(r[1]), float(r[2]), r[3]) for r in rows]


@pytest.fixture(scope="module")
def leak_run(tmp_path_factory):
    loaded = load_scenario(bundled_scenarios()["methane_leak_acoustic"], SHORT)
    run = tmp_path_factory.mktemp("leak") / "run"
    assert run_scenario(loaded, out_dir=run, progress=False).status == "complete"
    return loaded, run


def test_the_leak_is_heard_from_its_start_and_the_ultrasonic_channel_carries_it(leak_run):
    _, run = leak_run
    ugld, fs_u = soundfile.read(run / "audio" / "ugld.wav")
    road, fs_r = soundfile.read(run / "audio" / "road.wav")
    assert (fs_u, fs_r) == (192000, 48000) and ugld.size == 50 * 192000 and road.size == 50 * 48000
    events = labels(run)
    leak = [e for e in events if e[3] == "gas_leak_jet"]
    assert {e[0] for e in leak} == {"ugld.wav", "road.wav"}
    for _, onset, offset, _ in leak:  # 60 s is 10 s into the recordings; 8 m and 32 m take 0.1 s
        assert 9.4 <= onset <= 10.6 and offset == pytest.approx(50.0, abs=0.15)
    assert ("road.wav", 20.0, 30.0, "siren") in [(f, round(a, 1), round(b, 1), e) for f, a, b, e in events]
    # A 3 mm sonic methane jet peaks near St = 0.2: f = 0.2 U / D, about 27 kHz, above hearing;
    # 8 m of air absorbs some 6 dB there, so the loudest one-third octave at the detector is
    # 20 kHz or above.
    spectrum = np.abs(np.fft.rfft(ugld[-192000 * 10:])) ** 2
    f = np.fft.rfftfreq(192000 * 10, 1 / 192000)
    bands = [spectrum[(f >= lo) & (f < hi)].sum() for lo, hi in zip(BAND_LOWER_HZ, BAND_UPPER_HZ)]
    assert BAND_CENTRES_HZ[int(np.argmax(bands))] >= 19000
    before = ugld[: 192000 * 9]  # before the leak: only self-noise and wind noise
    after = ugld[-192000 * 30:]
    assert 10 * np.log10(np.mean(after ** 2) / np.mean(before ** 2)) > 20
    manifest = json.loads((run / "manifest.json").read_text())
    files = {e["path"] for e in manifest["files"]}
    assert {"audio/ugld.wav", "audio/road.wav", "audio/labels.tsv", "audio/durations.tsv"} <= files
    heard = manifest["key_outputs"]["microphones"]["ugld"]["audible_s"]
    assert heard["gas_leak_jet"] == pytest.approx(40.0, abs=1.0)


def test_same_scenario_and_seed_give_the_same_audio(leak_run, tmp_path):
    loaded, run = leak_run
    again = tmp_path / "again"
    assert run_scenario(load_scenario(loaded.path, SHORT), out_dir=again, progress=False).status == "complete"
    for name in ("ugld.wav", "road.wav", "labels.tsv", "durations.tsv"):
        assert (again / "audio" / name).read_bytes() == (run / "audio" / name).read_bytes(), name


@pytest.mark.parametrize("override, expected", [
    ("microphones.0.position_m=[500.0, 50.0]", "microphones.0.position_m: location (500, 50) m is outside the grid"),
    ("microphones.0.sample_rate_hz=8000", "microphones.0.sample_rate_hz"),
    ("distractors.0.microphones=[\"nowhere\"]", "distractors.0.microphones: no microphone 'nowhere'"),
    ("distractors.0.kind=\"thunder\"", "distractors.0.kind"),
    ("microphones.1.name=\"ugld\"", "microphones: names must be unique"),
])
def test_bad_sound_input_is_one_line_and_status_2(override, expected):
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "check", "methane_leak_acoustic", "--set", override],
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert expected in proc.stderr


def test_the_leak_scenario_cameras_see_the_gas_once_it_leaks(leak_run):
    from sim.render.images.encode import read_video

    _, run = leak_run
    coco = json.loads((run / "images" / "coco.json").read_text())
    gas = next(c["id"] for c in coco["categories"] if c["name"] == "gas")
    frames_with_gas = {coco["images"][a["image_id"] - 1]["time_s"] for a in coco["annotations"]
                       if a["category_id"] == gas}
    assert frames_with_gas and min(frames_with_gas) >= 60.0  # the leak starts at 60 s
    video = read_video(run / "images" / "cctv" / "ogi.mp4")
    assert video.shape[0] == 7 and video.shape[1:3] == (240, 320)  # every 10 s from 40 to 100 s
