"""What the models emit as sound: leak jet noise, flowing water and rain, the storm sonification."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from models.flood import sources as flood_sources
from models.flood.model import Flood, FloodParams
from models.gas_dispersion import sources as gas_sources
from models.gas_dispersion.gases import GASES, R_GAS
from models.gas_dispersion.model import GasDispersion, GasDispersionParams
from models.geomagnetic import sources as geo_sources
from models.geomagnetic.model import GeomagneticParams
from sim.fields import FieldSet
from sim.grid import RasterGrid
from sim.render.sound import bands
from sim.render.sound.bands import BAND_CENTRES_HZ, BAND_LOWER_HZ, BAND_UPPER_HZ, N_BANDS, W_REF


def watts(levels_db) -> np.ndarray:
    return 10.0 ** (np.asarray(levels_db) / 10.0) * W_REF


# -- gas leak jet -------------------------------------------------------------------------------

def gas_model(gas="methane", **release):
    release = {"kind": "continuous", "rate_kg_s": 1e-3, "x_m": 50.0, "y_m": 40.0, "height_m": 1.5, **release}
    params = GasDispersionParams.model_validate({
        "gas": gas, "release": release, "wind": {"speed_m_s": 3.0, "direction_deg": 270.0}, "stability_class": "D"})
    return GasDispersion(RasterGrid(shape=(10, 10), spacing_m=(10.0, 10.0)), params, np.random.default_rng(0))


def test_jet_power_follows_the_eighth_power_of_speed_and_the_square_of_diameter():
    rho_0, c_0 = gas_sources.air_properties(293.15, 101325.0)
    w = gas_sources.jet_sound_power_w
    # Subsonic (M = 0.15 and 0.29): Lighthill's law, far below the efficiency cap.
    assert 10 * math.log10(w(0.01, 100.0, 0.01, rho_0, c_0) / w(0.01, 50.0, 0.01, rho_0, c_0)) == pytest.approx(
        80 * math.log10(2), abs=1e-9)  # +24.08 dB
    assert 80 * math.log10(2) == pytest.approx(24.08, abs=0.005)
    assert w(0.02, 100.0, 0.01, rho_0, c_0) / w(0.01, 100.0, 0.01, rho_0, c_0) == pytest.approx(4.0, rel=1e-12)
    # Far above sonic speed the efficiency saturates at the cap, a fixed share of the jet power.
    assert w(0.01, 2000.0, 0.01, rho_0, c_0) == pytest.approx(gas_sources.ETA_MAX * 0.5 * 0.01 * 2000.0**2)


def test_air_at_20_c_has_its_textbook_density_and_sound_speed():
    rho_0, c_0 = gas_sources.air_properties(293.15, 101325.0)
    assert rho_0 == pytest.approx(1.204, abs=0.001) and c_0 == pytest.approx(343.2, abs=0.2)


@pytest.mark.parametrize("gas", sorted(GASES))
def test_choked_exit_is_sonic_above_ambient_pressure_and_conserves_mass(gas):
    g = GASES[gas]
    t0, rate, d = 288.15, 0.05, 0.005
    u, rho_e, p_e, p_0, choked = gas_sources.exit_state(g, rate, d, t0, 101325.0)
    assert choked and p_e >= 101325.0
    t_star = 2 * t0 / (g.gamma + 1)
    assert u == pytest.approx(math.sqrt(g.gamma * R_GAS / g.molar_mass_kg_mol * t_star))  # Mach 1 at the exit
    assert rate == pytest.approx(rho_e * u * math.pi * d**2 / 4)
    assert p_0 / p_e == pytest.approx(((g.gamma + 1) / 2) ** (g.gamma / (g.gamma - 1)))  # ~1.8-1.9


def test_a_hole_too_large_to_choke_gives_a_subsonic_jet_at_ambient_pressure_continuous_at_choking():
    g = GASES["methane"]
    u, rho_e, p_e, p_0, choked = gas_sources.exit_state(g, 0.005, 0.01, 288.15, 101325.0)
    assert not choked and p_e == 101325.0 and u < 0.5 * math.sqrt(g.gamma * R_GAS / g.molar_mass_kg_mol * 288.15)
    assert 0.005 == pytest.approx(rho_e * u * math.pi * 0.01**2 / 4)
    c_p = g.gamma / (g.gamma - 1) * R_GAS / g.molar_mass_kg_mol  # energy: T_e = T_0 - U^2 / 2 c_p
    assert 101325.0 / (rho_e * R_GAS / g.molar_mass_kg_mol) == pytest.approx(288.15 - u * u / (2 * c_p))
    # The rate at which the exit just chokes: both branches give the same speed.
    u_star = math.sqrt(g.gamma * R_GAS / g.molar_mass_kg_mol * 288.15 * 2 / (g.gamma + 1))
    t_star = 2 * 288.15 / (g.gamma + 1)
    rate_choke = 101325.0 / (R_GAS / g.molar_mass_kg_mol * t_star) * u_star * math.pi * 0.01**2 / 4
    below = gas_sources.exit_state(g, rate_choke * (1 - 1e-9), 0.01, 288.15, 101325.0)
    above = gas_sources.exit_state(g, rate_choke * (1 + 1e-9), 0.01, 288.15, 101325.0)
    assert not below[4] and above[4] and below[0] == pytest.approx(above[0], rel=1e-6)


@pytest.mark.parametrize(("gas", "rate", "diameter"), [("methane", 0.1, 0.005), ("methane", 0.5, 0.02),
                                                       ("propane", 1.0, 0.05), ("ammonia", 0.2, 0.01),
                                                       ("chlorine", 2.0, 0.04)])
def test_band_powers_sum_to_the_jet_power_and_peak_in_the_band_of_strouhal_0_2(gas, rate, diameter):
    model = gas_model(gas, rate_kg_s=rate, hole_diameter_m=diameter)
    (source,) = model.acoustic_sources({}, 10.0)
    assert source.label == "gas_leak_jet" and source.positions_m.tolist() == [[50.0, 40.0, 1.5]]
    p = model.params
    jet = gas_sources.leak_jet(GASES[gas], rate, diameter, 288.15, p.air_temperature_k, p.air_pressure_pa)
    bands = watts(source.power_db[0])
    assert bands.sum() == pytest.approx(jet.sound_power_w, rel=1e-9)
    f_02 = 0.2 * jet.exit_velocity_m_s / diameter
    k = int(np.argmax(bands))
    assert BAND_LOWER_HZ[k] <= f_02 < BAND_UPPER_HZ[k], (f_02, BAND_CENTRES_HZ[k])
    # A broadband hump: power falls off on both sides of the peak band.
    assert bands[k - 3] < bands[k - 1] < bands[k] and bands[k + 3] < bands[k + 1] < bands[k]


def test_a_one_millimetre_sonic_methane_leak_is_ultrasonic():
    model = gas_model("methane", rate_kg_s=1e-3, hole_diameter_m=1e-3)
    (source,) = model.acoustic_sources({}, 0.0)
    jet = gas_sources.leak_jet(GASES["methane"], 1e-3, 1e-3, 288.15, 293.15, 101325.0)
    assert jet.choked and 400 < jet.exit_velocity_m_s < 460 and jet.peak_frequency_hz > 75e3
    assert BAND_CENTRES_HZ[np.argmax(source.power_db[0])] > 40e3
    bands = watts(source.power_db[0])
    assert bands[BAND_CENTRES_HZ > 20e3].sum() > 0.5 * bands.sum()  # most of the power is ultrasonic


def test_a_larger_hole_at_the_same_pressure_is_louder_and_lower():
    # Same sonic speed; D doubled (rate x4 at the same storage pressure): +6 dB, an octave lower.
    small = gas_sources.leak_jet(GASES["methane"], 0.01, 0.005, 288.15, 293.15, 101325.0)
    large = gas_sources.leak_jet(GASES["methane"], 0.04, 0.010, 288.15, 293.15, 101325.0)
    assert large.storage_pressure_pa == pytest.approx(small.storage_pressure_pa)
    assert 10 * math.log10(large.sound_power_w / small.sound_power_w) == pytest.approx(6.02, abs=0.01)
    assert large.peak_frequency_hz == pytest.approx(small.peak_frequency_hz / 2)


def test_the_leak_is_silent_without_a_hole_or_outside_its_release():
    assert gas_model("methane").acoustic_sources({}, 10.0) == []  # no hole_diameter_m
    timed = gas_model("methane", hole_diameter_m=0.005, start_s=60.0, duration_s=120.0)
    assert timed.acoustic_sources({}, 30.0) == []  # not started
    assert len(timed.acoustic_sources({}, 100.0)) == 1
    assert timed.acoustic_sources({}, 180.0) == [] and timed.acoustic_sources({}, 500.0) == []  # ended
    burst = gas_model("methane")
    burst.params = burst.params.model_copy(update={"release": GasDispersionParams.model_validate({
        "gas": "methane", "release": {"kind": "instantaneous", "mass_kg": 5.0, "x_m": 0.0, "y_m": 0.0},
        "mode": "puff", "wind": {"speed_m_s": 3.0, "direction_deg": 270.0}, "stability_class": "D"}).release})
    assert burst.acoustic_sources({}, 0.0) == []


def test_hotter_storage_makes_a_faster_louder_jet():
    cold = gas_sources.leak_jet(GASES["methane"], 0.1, 0.005, 250.0, 293.15, 101325.0)
    hot = gas_sources.leak_jet(GASES["methane"], 0.1, 0.005, 400.0, 293.15, 101325.0)
    assert hot.exit_velocity_m_s / cold.exit_velocity_m_s == pytest.approx(math.sqrt(400 / 250))
    assert hot.sound_power_w > cold.sound_power_w


# -- flood: flowing water and rain ------------------------------------------------------------

def flood(shape=(20, 30), spacing=10.0, rain=None):
    params = {"terrain": {"kind": "plane"}, "manning_n": 0.03}
    if rain is not None:
        params["rainfall"] = {"kind": "uniform", "rate_mm_h": rain}
    grid = RasterGrid(shape=shape, spacing_m=(spacing, spacing))
    model = Flood(grid, FloodParams.model_validate(params), np.random.default_rng(0))
    state = FieldSet(grid)
    for spec in model.fields:
        state.add(spec)
    model.initialize(state)
    return model, state


def by_label(sources) -> dict:
    return {s.label: s for s in sources}


def test_still_water_is_silent_and_flowing_water_grows_as_the_cube_of_speed():
    model, state = flood()
    state["water_depth"][...] = 0.5
    state["flow_speed"][...] = 0.0
    assert model.acoustic_sources(state, 0.0) == []
    totals = []
    for speed in (0.5, 1.0, 2.0):
        state["flow_speed"][...] = speed
        (source,) = model.acoustic_sources(state, 0.0)
        assert source.label == "flowing_water"
        totals.append(watts(source.power_db).sum())
    assert totals[0] < totals[1] < totals[2]
    assert 10 * math.log10(totals[2] / totals[1]) == pytest.approx(30 * math.log10(2), abs=1e-9)  # u^3
    # The friction power per unit area: rho g n^2 u^3 / h^(1/3), times the efficiency, times the area.
    expected = 1000.0 * 9.80665 * 0.03**2 * 2.0**3 / 0.5 ** (1 / 3) * flood_sources.FLOW_EFFICIENCY * 100.0 * 600
    assert totals[2] == pytest.approx(expected, rel=1e-9)


def test_flowing_water_is_broadband_from_bubbles_between_0_3_and_10_khz():
    fractions = flood_sources.flow_band_fractions()
    assert fractions.sum() == pytest.approx(1.0, rel=1e-12)
    band = (BAND_CENTRES_HZ > 280) & (BAND_CENTRES_HZ < 11000)
    assert fractions[band].sum() > 0.8
    assert BAND_CENTRES_HZ[np.argmax(fractions)] == pytest.approx(3162, rel=0.01)  # Minnaert at a = 1 mm
    assert flood_sources.minnaert_frequency_hz(1e-3) == pytest.approx(3.26e3, rel=0.01)  # 3.26 / a


def test_faster_shallower_flow_sounds_higher_hinze_1955():
    # More dissipation per unit mass makes smaller bubbles (a_H ~ epsilon^-2/5) and a higher peak.
    model, state = flood()
    peaks = []
    for depth, speed in ((1.0, 0.5), (0.3, 2.0), (0.1, 4.0)):
        state["water_depth"][...] = depth
        state["flow_speed"][...] = speed
        (source,) = model.acoustic_sources(state, 0.0)
        peaks.append(BAND_CENTRES_HZ[np.argmax(watts(source.power_db).sum(axis=0))])
    assert peaks[0] < peaks[1] < peaks[2]
    a = flood_sources.hinze_radius_m(np.array([1.0, 32.0]))
    assert a[0] / a[1] == pytest.approx(32.0 ** 0.4, rel=1e-12)


def test_block_aggregation_conserves_power_exactly_and_keeps_a_few_thousand_points():
    rng = np.random.default_rng(1)
    model, state = flood(shape=(150, 170), spacing=5.0)  # 25500 cells -> blocks of 3 x 3
    depth = rng.uniform(0.0, 2.0, state["water_depth"].shape)
    depth[depth < 0.3] = 0.0
    speed = np.where(depth > 0, rng.uniform(0.0, 3.0, depth.shape), 0.0)
    state["water_depth"][...] = depth
    state["flow_speed"][...] = speed
    state["water_surface_elevation"][...] = depth
    (source,) = model.acoustic_sources(state, 0.0)
    assert bands.block_size(depth.shape) == 3 and len(source.positions_m) <= bands.MAX_POINTS
    fast = (speed > flood_sources.FLOW_MIN_SPEED_M_S) & (depth > 0)
    per_cell = np.where(fast, 1000.0 * 9.80665 * 0.03**2 * speed**3 / np.cbrt(np.where(depth > 0, depth, 1.0)), 0.0)
    expected = per_cell.sum() * flood_sources.FLOW_EFFICIENCY * 25.0
    assert watts(source.power_db).sum() == pytest.approx(expected, rel=1e-12)
    # The spectrum of a block is that of its cells' power-weighted mean ln a_H: close to the
    # sum of the cells' own spectra, not equal (the total is exact).
    single = flood_sources.flowing_water_source(model, state, b=1)
    assert len(single.positions_m) == fast.sum()
    assert watts(single.power_db).sum() == pytest.approx(expected, rel=1e-12)
    by_band_blocks, by_band_cells = watts(source.power_db).sum(axis=0), watts(single.power_db).sum(axis=0)
    main = by_band_cells > 0.01 * by_band_cells.max()
    np.testing.assert_allclose(by_band_blocks[main], by_band_cells[main], rtol=0.1)
    # Points lie inside the grid, at the water surface.
    xmin, xmax, ymin, ymax = model.grid.extent_m
    x, y, z = source.positions_m.T
    assert (x > xmin).all() and (x < xmax).all() and (y > ymin).all() and (y < ymax).all()
    assert (z > 0.3 - 1e-9).all() and (z <= 2.0).all()


def test_a_power_weighted_block_is_heard_like_its_cells_far_away():
    # Two cells of one block with unequal power: at 10 block sizes the block's point source
    # gives the same received power (sum P_i / r_i^2) to within 1.5 (L/r)^2.
    grid = RasterGrid(shape=(2, 2), spacing_m=(10.0, 10.0))
    power = np.array([[3.0, 0.0], [0.0, 1.0]])
    positions, total, _ = bands.aggregate(power, grid.x, grid.y, np.zeros((2, 2)), 2)
    mic = positions[0] + np.array([200.0, 50.0, 0.0])
    cells = np.array([[5.0, 5.0, 0.0], [15.0, 15.0, 0.0]])
    exact = (np.array([3.0, 1.0]) / ((cells - mic) ** 2).sum(axis=1)).sum()
    merged = total[0] / ((positions[0] - mic) ** 2).sum()
    assert merged == pytest.approx(exact, rel=1.5 * (20.0 / np.linalg.norm(mic - positions[0])) ** 2)


def test_a_million_cell_flood_is_reduced_to_a_few_thousand_points():
    grid = RasterGrid(shape=(1000, 1000), spacing_m=(2.0, 2.0))
    model = SimpleNamespace(grid=grid, params=SimpleNamespace(manning_n=0.03))
    rng = np.random.default_rng(2)
    state = {"water_depth": rng.uniform(0.0, 1.0, grid.shape), "flow_speed": rng.uniform(0.0, 2.0, grid.shape),
             "rainfall_rate": np.full(grid.shape, 20.0 / 3.6e6)}
    sources = by_label(flood_sources.acoustic_sources(model, state, 0.0))
    assert set(sources) == {"flowing_water", "rain"}
    assert all(len(s.positions_m) <= bands.MAX_POINTS for s in sources.values())


def test_rain_is_silent_without_rain_and_grows_with_intensity():
    model, state = flood()
    assert model.acoustic_sources(state, 0.0) == []  # dry, no rain
    totals = []
    for rate in (1.0, 10.0, 100.0):
        state["rainfall_rate"][...] = rate / 3.6e6
        (source,) = model.acoustic_sources(state, 0.0)
        assert source.label == "rain"
        totals.append(watts(source.power_db).sum())
    assert totals[0] < totals[1] < totals[2]
    # Kinetic-energy flux 10.3 I^(11/9) J m-2 h-1 (Shin et al. 2016): 10x the rate is +12.2 dB.
    assert 10 * math.log10(totals[2] / totals[1]) == pytest.approx(110 / 9, abs=1e-9)
    assert totals[1] == pytest.approx(10.3 * 10 ** (11 / 9) / 3600 * flood_sources.RAIN_EFFICIENCY * 600 * 100)


def test_rain_is_heard_at_a_few_khz_and_heavier_rain_is_lower():
    light, heavy = flood_sources.rain_band_fractions(2.0), flood_sources.rain_band_fractions(100.0)
    for fractions in (light, heavy):
        assert fractions.sum() == pytest.approx(1.0, rel=1e-12)
        assert 1000 < BAND_CENTRES_HZ[np.argmax(fractions)] < 10000
    # Heavier rain has larger drops (Marshall-Palmer), whose slower impacts sound lower.
    centroid = [np.exp((f * np.log(BAND_CENTRES_HZ)).sum()) for f in (light, heavy)]
    assert centroid[1] < centroid[0]


def test_the_model_emits_its_rain_and_flow_together_from_its_own_run():
    model, state = flood(rain=36.0)
    t = 0.0
    while t < 300.0:
        dt = min(model.stable_dt(state), 5.0)
        model.step(state, t, dt)
        t += dt
    model.diagnose(state, t)
    labels = {s.label for s in model.acoustic_sources(state, t)}
    assert "rain" in labels  # a flat closed basin fills evenly: still water, so no flowing_water
    assert "flowing_water" not in labels


# -- geomagnetic sonification -----------------------------------------------------------------

def storm(position=(10.0, 20.0, 2.0)):
    return SimpleNamespace(params=SimpleNamespace(sonification_position_m=position))


def storm_state(rate, dst):
    return {"geomagnetic_field_north_rate": np.array(rate), "dst_index": np.array(dst)}


def test_the_sonification_pitch_rises_with_the_disturbance_rate_within_200_to_2000_hz():
    rates = np.logspace(-6, 3, 200)
    pitch = np.array([geo_sources.sonification_pitch_hz(r) for r in rates])
    assert (np.diff(pitch) >= 0).all() and pitch[0] == 200.0 and pitch[-1] == pytest.approx(2000.0)
    inside = (rates > 1e-3) & (rates < 1.0)
    assert (np.diff(pitch[inside]) > 0).all()
    assert geo_sources.sonification_pitch_hz(-0.03) == geo_sources.sonification_pitch_hz(0.03)  # |dX/dt|
    # Logarithmic: each decade of rate is the same musical interval.
    ratios = [geo_sources.sonification_pitch_hz(10 * r) / geo_sources.sonification_pitch_hz(r) for r in (1e-3, 1e-2)]
    assert ratios[0] == pytest.approx(ratios[1]) == pytest.approx(10 ** (1 / 3))


def test_the_tone_is_in_the_band_of_its_pitch_and_louder_in_a_stronger_storm():
    quiet = geo_sources.acoustic_sources(storm(), storm_state(0.01, 0.0), 0.0)[0]
    great = geo_sources.acoustic_sources(storm(), storm_state(0.01, -500.0), 0.0)[0]
    assert quiet.label == "geomagnetic_storm_sonification" and quiet.positions_m.tolist() == [[10.0, 20.0, 2.0]]
    pitch = geo_sources.sonification_pitch_hz(0.01)
    k = int(np.flatnonzero(np.isfinite(quiet.power_db[0]))[0])
    assert np.isfinite(quiet.power_db[0]).sum() == 1 and BAND_LOWER_HZ[k] <= pitch < BAND_UPPER_HZ[k]
    assert quiet.total_power_db < geo_sources.acoustic_sources(storm(), storm_state(0.01, -250.0), 0.0)[0].total_power_db
    assert great.total_power_db - quiet.total_power_db == pytest.approx(60.0)
    assert geo_sources.sonification_level_db(-900.0) == geo_sources.sonification_level_db(-500.0)


def test_the_sonification_is_silent_without_a_position_and_is_a_model_parameter(tmp_path):
    assert geo_sources.acoustic_sources(storm(None), storm_state(0.5, -300.0), 0.0) == []
    solar_wind = {"format": "swmf", "path": str(tmp_path / "IMF.dat")}
    assert GeomagneticParams.model_validate({"solar_wind": solar_wind}).sonification_position_m is None
    params = GeomagneticParams.model_validate({"solar_wind": solar_wind, "sonification_position_m": [1, 2, 3]})
    assert params.sonification_position_m == (1.0, 2.0, 3.0)
    assert len(geo_sources.tone_band_levels(1e6, 50.0)) == N_BANDS  # out-of-range pitch stays in the last band
