"""What microphones hear of a crowd: voices, screams and footsteps (models.crowd.sources)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from models.crowd import sources
from models.crowd.model import Crowd, CrowdParams
from sim.fields import FieldSet
from sim.grid import RasterGrid
from sim.render.sound.bands import BAND_CENTRES_HZ, N_BANDS, W_REF, a_weighting_db, db_sum


def watts(levels_db) -> np.ndarray:
    return 10.0 ** (np.asarray(levels_db) / 10.0) * W_REF


def fake(x, y, speed=0.0, compression=0.0, density=0.5, shape=(20, 20), spacing=1.0, slope=(0.0, 0.0)):
    """A model and state with the crowd's fields: persons at (x, y), a uniform density."""
    grid = RasterGrid(shape=shape, spacing_m=(spacing, spacing))
    model = SimpleNamespace(grid=grid, params=SimpleNamespace(slope=slope, injury_threshold_n_m=1600.0))
    x = np.asarray(x, dtype=float)
    n = x.size
    full = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
    state = {"agent_x": np.append(x, np.nan), "agent_y": np.append(full(y), np.nan),  # one empty slot
             "agent_speed": np.append(full(speed), np.nan), "agent_compression": np.append(full(compression), np.nan),
             "crowd_density": np.broadcast_to(np.asarray(density, dtype=float), shape).copy()}
    return model, state


def by_label(found):
    return {s.label: s for s in found}


def test_speech_levels_follow_ansi_s3_5_and_match_iso_9921_vocal_efforts():
    a = a_weighting_db(BAND_CENTRES_HZ)
    unweighted = [float(db_sum(sources.speech_band_levels_1m(e))) for e in sources.EFFORTS]
    weighted = [float(db_sum(sources.speech_band_levels_1m(e) + a)) for e in sources.EFFORTS]
    # ANSI S3.5-1997 overall levels of the standard speech spectra: 62.35, 68.34, 74.85, 82.30 dB.
    assert unweighted == pytest.approx([62.35, 68.34, 74.85, 82.30], abs=0.1)
    # ISO 9921: 60, 66, 72 dB(A) at 1 m for normal, raised, loud (6 dB steps); the ANSI shout is louder than 78.
    assert weighted[:3] == pytest.approx([60.0, 66.0, 72.0], abs=2.0)
    assert 78.0 < weighted[3] < 83.0
    # Spectrum level + 10 log10(band width): the 1 kHz band of normal speech.
    k = int(np.argmin(abs(BAND_CENTRES_HZ - 1000.0)))
    assert sources.speech_band_levels_1m("normal")[k] == pytest.approx(25.01 + 10 * math.log10(0.2305 * 1000.0), abs=0.01)
    # Sound power is L_p(1 m) + 11 dB per band; nothing outside 160 Hz - 8 kHz.
    w = sources.talker_band_power_w("normal")
    assert 10 * np.log10(w.sum() / W_REF) == pytest.approx(unweighted[0] + 11.0, abs=1e-9)
    assert np.all(w[(BAND_CENTRES_HZ < 150) | (BAND_CENTRES_HZ > 8500)] == 0)


def test_n_talkers_radiate_n_times_one_talker_and_the_spectra_sum_to_the_band_levels():
    rng = np.random.default_rng(1)
    n = 37
    model, state = fake(rng.uniform(1, 19, n), rng.uniform(1, 19, n), density=0.5)
    voices = by_label(sources.acoustic_sources(model, state, 0.0))["crowd_voices"]
    assert voices.positions_m.shape == (n, 3)
    assert np.allclose(voices.positions_m[:, 2], sources.MOUTH_HEIGHT_M)
    one = sources.TALKING_SHARE[0] * sources.talker_band_power_w("normal")
    assert np.allclose(watts(voices.power_db), one[None, :], rtol=1e-12)
    assert voices.total_power_db == pytest.approx(10 * math.log10(n * one.sum() / W_REF), abs=1e-9)
    # Band by band, the crowd's spectrum is n times the talker's.
    assert np.allclose(watts(voices.power_db).sum(axis=0), n * one, rtol=1e-12)


def test_vocal_effort_and_talking_share_rise_with_density():
    assert list(sources.effort_index([0.0, 0.99, 1.0, 2.9, 3.0, 4.9, 5.0, 9.0, np.nan])) == [0, 0, 1, 1, 2, 2, 3, 3, 0]
    per_person = []
    for rho in (0.5, 2.0, 4.0, 6.0):
        model, state = fake([5.0, 6.0], [5.0, 5.0], density=rho)
        voices = by_label(sources.acoustic_sources(model, state, 0.0))["crowd_voices"]
        per_person.append(voices.total_power_db - 10 * math.log10(2))
    assert np.all(np.diff(per_person) > 5.0)  # about 6 dB per effort step, plus the share
    # The density is read at each person's own cell.
    model, state = fake([2.5, 15.5], [2.5, 2.5], density=0.5)
    state["crowd_density"][:, 10:] = 6.0
    p = watts(by_label(sources.acoustic_sources(model, state, 0.0))["crowd_voices"].power_db).sum(axis=1)
    assert p[1] / p[0] == pytest.approx(sources.TALKING_SHARE[3] * sources.talker_band_power_w("shout").sum()
                                        / (sources.TALKING_SHARE[0] * sources.talker_band_power_w("normal").sum()))


def test_screams_only_where_compression_exceeds_the_injury_threshold():
    model, state = fake([3.0, 4.0, 5.0, 6.0], [5.0, 5.0, 5.0, 5.0], compression=[0.0, 1500.0, 1700.0, 3000.0], density=6.0)
    found = by_label(sources.acoustic_sources(model, state, 0.0))
    screams = found["crowd_screams"]
    assert sorted(screams.positions_m[:, 0]) == [5.0, 6.0]
    assert sorted(found["crowd_voices"].positions_m[:, 0]) == [3.0, 4.0]  # screamers do not also talk
    shout = sources.talker_band_power_w("shout")
    scream = watts(screams.power_db[0])
    assert scream.sum() == pytest.approx(sources.SCREAM_SHARE * shout.sum(), rel=1e-12)
    centroid = lambda w: np.sum(w * np.log10(BAND_CENTRES_HZ)) / w.sum()
    assert centroid(scream) - centroid(shout) == pytest.approx(0.3, abs=0.05)  # one octave higher
    model, state = fake([3.0, 4.0], [5.0, 5.0], compression=[0.0, 1599.0], density=6.0)
    assert "crowd_screams" not in by_label(sources.acoustic_sources(model, state, 0.0))


def test_footsteps_scale_with_speed_squared_are_broadband_and_silent_when_standing():
    model, state = fake([3.0, 4.0, 5.0, 6.0], [5.0] * 4, speed=[0.0, 0.05, 0.67, 1.34])
    steps = by_label(sources.acoustic_sources(model, state, 0.0))["footsteps"]
    assert sorted(steps.positions_m[:, 0]) == [5.0, 6.0]
    assert np.allclose(steps.positions_m[:, 2], sources.FEET_HEIGHT_M)
    levels = {x: db_sum(l) for x, l in zip(steps.positions_m[:, 0], steps.power_db)}
    assert levels[6.0] == pytest.approx(sources.FOOTSTEP_LEVEL_DB, abs=1e-9)
    assert levels[6.0] - levels[5.0] == pytest.approx(20 * math.log10(2.0), abs=1e-9)
    on = np.isfinite(steps.power_db[0])
    assert BAND_CENTRES_HZ[on].min() == pytest.approx(100.0) and BAND_CENTRES_HZ[on].max() == pytest.approx(7943, rel=1e-3)
    model, state = fake([3.0, 4.0], [5.0, 5.0], speed=0.0)
    assert "footsteps" not in by_label(sources.acoustic_sources(model, state, 0.0))


def test_terrain_slope_lifts_mouths_and_feet():
    model, state = fake([10.0], [4.0], speed=1.0, slope=(0.1, 0.05))
    found = by_label(sources.acoustic_sources(model, state, 0.0))
    assert found["crowd_voices"].positions_m[0, 2] == pytest.approx(1.2 + 1.6)
    assert found["footsteps"].positions_m[0, 2] == pytest.approx(1.2)


def test_aggregation_caps_the_point_count_and_conserves_power():
    rng = np.random.default_rng(2)
    n, cap, shape = 5000, 400, (40, 40)
    x, y = rng.uniform(0, 40, n), rng.uniform(0, 40, n)
    density = rng.uniform(0, 7, shape)
    speed = rng.uniform(0, 1.5, n)
    model, state = fake(x, y, speed=speed, density=density, shape=shape)
    merged = by_label(sources.acoustic_sources(model, state, 0.0, max_points=cap))
    single = by_label(sources.acoustic_sources(model, state, 0.0, max_points=10 * n))
    for label in ("crowd_voices", "footsteps"):
        b = math.ceil(math.sqrt(shape[0] * shape[1] / cap))
        assert merged[label].positions_m.shape[0] <= math.ceil(shape[0] / b) * math.ceil(shape[1] / b) < 1.3 * cap
        assert single[label].positions_m.shape[0] > cap
        assert np.allclose(watts(merged[label].power_db).sum(axis=0), watts(single[label].power_db).sum(axis=0),
                           rtol=1e-9)
        # The power-weighted centroid of everyone is kept.
        wm, ws = watts(merged[label].power_db).sum(axis=1), watts(single[label].power_db).sum(axis=1)
        assert np.allclose(wm @ merged[label].positions_m / wm.sum(), ws @ single[label].positions_m / ws.sum())
    # The default cap is the renderer's 4096: 4000 persons stay points, 5000 are merged.
    assert len(sources.acoustic_sources(*fake(x[:4000], y[:4000], shape=shape), 0.0)[0].positions_m) == 4000
    model, state = fake(rng.uniform(0, 200, 20000), rng.uniform(0, 200, 20000), shape=(200, 200))
    voices = sources.acoustic_sources(model, state, 0.0)[0]
    assert voices.positions_m.shape[0] <= 4096
    assert voices.total_power_db == pytest.approx(
        10 * math.log10(20000 * sources.TALKING_SHARE[0] * sources.talker_band_power_w("normal").sum() / W_REF))


def test_nobody_present_gives_no_source():
    model, state = fake([], [])
    assert sources.acoustic_sources(model, state, 0.0) == []


def test_a_real_crowd_model_after_evacuation_and_while_walking():
    params = {"geometry": {"walkable_m": [[(0, 0), (10, 0), (10, 4), (0, 4)]]},
              "exits": [{"name": "end", "line_m": [(10, 0), (10, 4)]}],
              "sources": [{"box_m": (0.5, 0.5, 3.0, 3.5), "count": 12}]}
    grid = RasterGrid(shape=(16, 40), spacing_m=(0.25, 0.25))
    model = Crowd(grid, CrowdParams.model_validate(params), np.random.default_rng(0))
    state = FieldSet.for_models(grid, [model])
    model.initialize(state)
    t, dt = 0.0, model.params.dt_s
    for _ in range(200):
        model.step(state, t, dt)
        t += dt
    model.diagnose(state, t)
    found = by_label(sources.acoustic_sources(model, state, t))
    assert found["crowd_voices"].positions_m.shape == (12, 3)
    assert "footsteps" in found and "crowd_screams" not in found
    assert found["crowd_voices"].power_db.shape == (12, N_BANDS)
    for _ in range(3000):
        model.step(state, t, dt)
        t += dt
        if model.agents.count == 0:
            break
    model.diagnose(state, t)
    assert model.agents.count == 0 and sources.acoustic_sources(model, state, t) == []
