"""The geomagnetic model in the engine: its fields follow the ring-current kernel whatever
the engine's time step, dX is Dst cos(magnetic latitude), and bad drivers are refused."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from models.geomagnetic import ring_current
from models.geomagnetic.model import Geomagnetic, GeomagneticParams, hourly_mean
from models.geomagnetic.solar_wind import read_swmf
from sim.grid import RasterGrid
from sim.simulation import Simulation

GRID = RasterGrid(shape=(1, 1), spacing_m=(1.0, 1.0))
# Ten minutes of quiet wind, then a southward IMF at 600 km/s: a storm builds.
ROWS = [(m, 0.0, 2.0, -400.0, 5.0) for m in range(10)] + [(m, 0.0, -20.0, -600.0, 15.0) for m in range(10, 180)]
SWMF = "Synthetic storm\n#COORDINATES\nGSM\n\n#START\n" + "".join(
    f"2015 03 17 {3 + m // 60:02d} {m % 60:02d} 00 000 1.0 {by} {bz} {vx} 0.0 0.0 {n} 1.0e5\n"
    for m, by, bz, vx, n in ROWS)


def model_for(tmp_path, **params):
    path = tmp_path / "IMF.dat"
    path.write_text(SWMF)
    p = GeomagneticParams.model_validate({"solar_wind": {"format": "swmf", "path": str(path)}, **params})
    return Geomagnetic(GRID, p, np.random.default_rng(0)), path


@pytest.mark.parametrize("dt_max", [60.0, 17.0])
def test_dst_follows_the_kernel_at_the_driver_times_whatever_the_engine_step(tmp_path, dt_max):
    model, path = model_for(tmp_path, initial_dst_nT=-5.0, ground_magnetic_latitude_deg=40.0)
    sim = Simulation(GRID, [model], stop_s=7200.0, dt_max_s=dt_max)
    sim.run()
    wind = read_swmf(path)
    # The hourly-fitted relations see the trailing one-hour means of a one-minute driver.
    speed, by, bz, density, pressure = (hourly_mean(getattr(wind, name), 60.0)
                                        for name in ("speed", "by_gsm", "bz_gsm", "density", "pressure"))
    code = ring_current.OBRIEN_MCPHERRON
    star0 = float(ring_current.pressure_corrected(code, np.array([-5.0]), pressure[:1])[0])
    dst, _ = ring_current.dst_response(code, 60.0, speed, bz, pressure, star0)
    # 7200 s (05:00) is the end of the 120th minute: kernel element 119.
    assert float(sim.state["dst_index"]) == pytest.approx(dst[119], rel=1e-12)
    assert float(sim.state["geomagnetic_field_north"]) == pytest.approx(dst[119] * math.cos(math.radians(40.0)))
    assert float(sim.state["dst_index"]) < -50  # two hours of -20 nT Bz at 600 km/s: a storm
    assert float(sim.state["dawn_dusk_electric_field"]) == pytest.approx(600.0 * 20.0 * 1e-3)
    # Kp of the 03-06 UT interval, which the driver covers whole (03:00-05:59): southward driving.
    from models.geomagnetic.kp import kp_from_solar_wind

    expected = kp_from_solar_wind(speed, by, bz, density).mean()
    assert float(sim.state["kp_index"]) == pytest.approx(expected, rel=1e-12)
    assert float(sim.state["kp_index"]) > 4


def test_driver_start_must_be_a_sample_and_the_run_must_stay_inside_the_driver(tmp_path):
    with pytest.raises(ValueError, match="not a sample time"):
        model_for(tmp_path, driver_start="2015-03-17T04:00:30")
    model, _ = model_for(tmp_path, driver_start="2015-03-17T04:00:00")
    assert model.max_time_s == pytest.approx(120 * 60.0)  # 120 one-minute samples from 04:00, each a step
    assert np.isnan(model.kp).all()  # 03-06 and 06-09 UT are both covered in part only
    sim = Simulation(GRID, [model], stop_s=3 * 3600.0, dt_max_s=60.0)
    with pytest.raises(ValueError, match="beyond the solar wind"):
        sim.run()


def test_synthetic_cme_makes_a_storm_and_the_ground_responds(tmp_path):
    p = GeomagneticParams.model_validate({
        "solar_wind": {"kind": "synthetic", "start": "2030-09-01T00:00:00", "duration_s": 86400.0,
                       "cadence_s": 300.0, "cmes": [{"arrival_s": 21600.0, "cme_speed_km_s": 1200.0,
                                                     "cloud_b0_nT": 40.0, "axis_lat_deg": -80.0}]},
        "ground_magnetic_latitude_deg": 0.0, "earth_profile": "half_space_1000_ohm_m"})
    model = Geomagnetic(GRID, p, np.random.default_rng(3))
    again = Geomagnetic(GRID, p, np.random.default_rng(3))
    np.testing.assert_array_equal(model.dst, again.dst)  # same seed, same storm
    before = model.dst[model.sample_s <= 21600.0]
    assert before.min() > -40 and model.dst.min() < -150  # quiet, then an intense storm
    # At the equator dX is Dst; its rate is the first difference; E follows the 1-D earth.
    np.testing.assert_allclose(model.dx, model.dst)
    np.testing.assert_allclose(model.dx_rate[1:], np.diff(model.dst) / 300.0)
    from models.geomagnetic.geoelectric import PROFILES, geoelectric_field

    earth = PROFILES["half_space_1000_ohm_m"]
    pad = 43200 // 300  # half a day of end values on each side (see the model)
    padded = np.concatenate([np.full(pad, model.dx[0]), model.dx, np.full(pad, model.dx[-1])])
    _, e_east = geoelectric_field(padded, np.zeros_like(padded), 300.0, earth.conductivity_S_m,
                                  earth.thickness_m)
    np.testing.assert_allclose(model.e_east, e_east[pad:-pad])
    # During the main phase dX falls fast, and E_y = -Z B_x / mu0 (Z with a 45-degree phase lead)
    # is eastward; before the shock only the quiet wind's small Dst wander induces anything.
    main_phase = np.argmin(model.dx_rate)
    assert model.e_east[main_phase] > 2 * np.abs(model.e_east[model.sample_s < 18000.0]).max()
    assert not model.gic_largest.any()  # no network given
    assert not model.gap_filled.any()  # a synthetic wind has no gaps


def test_gic_of_the_horton_network_scales_with_the_eastward_field(tmp_path):
    from models.geomagnetic.gic import HORTON_2012_GIC_A

    model, _ = model_for(tmp_path, gic_network="horton_2012")
    # Linear network: the largest substation GIC is |E_east| times that of 1 V/km eastward.
    per_volt = np.abs(np.asarray(HORTON_2012_GIC_A["east"])).max()
    np.testing.assert_allclose(model.gic_largest, np.abs(model.e_east) * per_volt, rtol=1e-3, atol=1e-9)


def test_the_benchmark_runs_its_year_of_wind_through_every_model():
    from models.geomagnetic.bench import run_bench, year_of_wind

    wind = year_of_wind(30)
    assert len(wind) == 30 * 1440 and wind.bz_gsm.min() < -20  # minute samples, with storms
    figures = run_bench(quick=True)
    assert all(np.isfinite(v) and v > 0 for v, _ in figures.values())


def test_bundled_cir_storm_writes_cf_compliant_series_and_sensor_files(tmp_path):
    import json

    import xarray as xr
    from compliance_checker.runner import CheckSuite, ComplianceChecker

    from sim.cli import main
    from sim.paths import bundled_scenarios

    out = tmp_path / "cir"
    assert main(["run", str(bundled_scenarios()["cir_storm"]), "-o", str(out), "--quiet"]) == 0
    CheckSuite().load_all_available_checkers()
    for name in ("fields.nc", "sensors.nc"):
        report = tmp_path / f"{name}.json"
        passed, _ = ComplianceChecker.run_checker(str(out / name), ["cf:1.10"], verbose=0, criteria="lenient",
                                                  output_filename=str(report), output_format="json")
        results = json.loads(report.read_text())["cf:1.10"]
        errors = [m for group in results["high_priorities"] for m in group["msgs"]]
        assert passed and not errors, (name, errors)
    with xr.open_dataset(out / "fields.nc") as ds:
        assert -100 < float(ds.dst_index.min()) < -50  # a moderate storm
        assert ds.dst_index.attrs["units"] == "nT"


def test_gap_filled_hours_of_the_measured_driver_are_flagged():
    from sim.io.data import DataUnavailable, dataset_dir

    try:
        dataset_dir("geomag/omni_hourly_1998_2002", download=False)
    except DataUnavailable as exc:
        pytest.skip(str(exc))
    p = GeomagneticParams.model_validate({"solar_wind": {
        "format": "omni_hourly_csv", "path": "data:geomag/omni_hourly_1998_2002/omni_1998_2002_hourly.csv"}})
    model = Geomagnetic(GRID, p, np.random.default_rng(0))
    # The file's empty cells: density 469 h, speed 84 h, Bz 26 h (they overlap in part).
    assert 469 <= model.gap_filled.sum() <= 469 + 84 + 26
    assert set(np.unique(model.gap_filled)) == {0.0, 1.0}


# OMNI HRO 1-min records (SPDF hroformat.txt) of the same storm as ROWS: word 14 |B|, 15 Bx,
# 18 By GSM, 19 Bz GSM, 22 V, 26 n, 27 T, 28 P (nT, km/s, cm-3, K, nPa); one Bz fill at 03:40.
HRO_FORMAT = "2I4,4I3,3I4,2I7,F6.2,I7,8F8.2,4F8.1,F7.2,F9.0,F6.2,2F7.2,F6.1,6F8.2,7I6,F7.2,F5.1"


def hro_line(words: dict[int, float]) -> str:
    """An HRO line in SPDF's fixed-width layout; words not given are 0."""
    fields = []
    for count, kind, width, decimals in re.findall(r"(\d*)([IF])(\d+)(?:\.(\d+))?", HRO_FORMAT):
        fields += [(int(width), kind, int(decimals or 0))] * int(count or 1)
    values = [words.get(number, 0) for number in range(1, len(fields) + 1)]
    text = "".join(f"{int(v):{w}d}" if kind == "I" else (f"{v:.0f}." if d == 0 else f"{v:.{d}f}").rjust(w)
                   for v, (w, kind, d) in zip(values, fields))
    assert len(text) == sum(w for w, _, _ in fields)  # every value fits its field
    return text + "\n"


def test_the_model_runs_from_an_omni_hro_file(tmp_path):
    from models.geomagnetic.solar_wind import PROTON_RAM_PRESSURE_NPA, read_omni_hro

    path = tmp_path / "omni_min201503.asc"
    path.write_text("".join(hro_line({
        1: 2015, 2: 76, 3: 3 + m // 60, 4: m % 60, 14: np.hypot(by, bz), 15: 1.0, 18: by,
        19: 9999.99 if m == 40 else bz, 22: -vx, 26: n, 27: 1.0e5,
        28: round(PROTON_RAM_PRESSURE_NPA * n * vx**2, 2)}) for m, by, bz, vx, n in ROWS))
    p = GeomagneticParams.model_validate({"solar_wind": {"format": "omni_hro", "path": str(path)},
                                          "initial_dst_nT": -5.0, "ground_magnetic_latitude_deg": 40.0})
    model = Geomagnetic(GRID, p, np.random.default_rng(0))
    sim = Simulation(GRID, [model], stop_s=7200.0, dt_max_s=60.0)
    sim.run()
    wind = read_omni_hro(path)
    assert wind.cadence_s == 60.0 and len(wind) == 180 and model.wind.time[0] == np.datetime64("2015-03-17T03:00")
    speed, bz, pressure = (hourly_mean(getattr(wind, name), 60.0) for name in ("speed", "bz_gsm", "pressure"))
    code = ring_current.OBRIEN_MCPHERRON
    star0 = float(ring_current.pressure_corrected(code, np.array([-5.0]), pressure[:1])[0])
    dst, _ = ring_current.dst_response(code, 60.0, speed, bz, pressure, star0)
    assert float(sim.state["dst_index"]) == pytest.approx(dst[119], rel=1e-12)
    assert float(sim.state["dst_index"]) < -50  # the same storm as the SWMF driver
    assert float(sim.state["imf_bz_gsm"]) == -20.0 and float(sim.state["solar_wind_speed"]) == 600.0
    # The Bz fill at 03:40 is interpolated and flagged, and only there.
    np.testing.assert_array_equal(np.flatnonzero(model.gap_filled), [40])
    assert model.wind.bz_gsm[40] == -20.0


def test_magnetic_latitude_is_the_angle_to_the_dipole_equator():
    from models.geomagnetic.ground import magnetic_latitude_deg
    from models.geomagnetic.solar_wind import dipole_axis_geographic

    epoch = np.datetime64("2020-01-01")
    axis = dipole_axis_geographic(epoch)
    pole_lat, pole_lon = np.degrees(np.arcsin(axis[2])), np.degrees(np.arctan2(axis[1], axis[0]))
    # The 2020 geomagnetic north pole is near 80.6 N, 72.7 W (IGRF-13).
    assert pole_lat == pytest.approx(80.6, abs=0.1) and pole_lon == pytest.approx(-72.7, abs=0.1)
    assert magnetic_latitude_deg(pole_lat, pole_lon, epoch) == pytest.approx(90.0, abs=1e-6)
    assert magnetic_latitude_deg(-pole_lat, pole_lon + 180.0, epoch) == pytest.approx(-90.0, abs=1e-6)
    # Every point of the great circle 90 degrees from the pole is on the magnetic equator.
    assert magnetic_latitude_deg(pole_lat - 90.0, pole_lon, epoch) == pytest.approx(0.0, abs=1e-9)


def test_stations_grid_and_substations_get_the_ring_current_relation(tmp_path):
    import xarray as xr

    stations = [{"name": "HON", "latitude_deg": 21.32, "longitude_deg": -158.0},
                {"name": "NGK", "latitude_deg": 52.07, "longitude_deg": 12.68, "earth_profile": "quebec"}]
    model, _ = model_for(tmp_path, stations=stations, gic_network="horton_2012", earth_profile="half_space_1000_ohm_m",
                         ground_grid={"latitude_deg": [-80.0, 80.0], "spacing_deg": 20.0, "every_s": 600.0})
    files = model.write_products(tmp_path, model.max_time_s, {"title": "test"})
    assert {p.name for p in files} == {"geomagnetic_stations.nc", "gic_substations.nc", "geomagnetic_ground_grid.nc"}
    with xr.open_dataset(tmp_path / "geomagnetic_stations.nc") as ds:
        cos = np.cos(np.radians(ds.magnetic_latitude.values))
        np.testing.assert_allclose(ds.geomagnetic_field_north.values, model.dst[:, None] * cos[None, :])
        # Linear in Dst: each station's E is cos(lambda_m) times Dst's own over that station's earth.
        other = Geomagnetic(GRID, model.params.model_copy(update={"ground_magnetic_latitude_deg": 0.0,
                                                                  "earth_profile": "quebec"}),
                            np.random.default_rng(0))
        np.testing.assert_allclose(ds.geoelectric_field_east.values[:, 1], other.e_east * cos[1], atol=1e-12)
        assert ds.attrs["featureType"] == "timeSeries" and ds.station_name.attrs["cf_role"] == "timeseries_id"
    with xr.open_dataset(tmp_path / "gic_substations.nc") as ds:
        np.testing.assert_allclose(np.abs(ds.geomagnetically_induced_current.values).max(axis=1), model.gic_largest)
    with xr.open_dataset(tmp_path / "geomagnetic_ground_grid.nc") as ds:
        high = np.abs(ds.magnetic_latitude.values) > 60.0
        assert high.any() and np.isnan(ds.geomagnetic_field_north.values[:, high]).all()
        assert np.isfinite(ds.geomagnetic_field_north.values[:, ~high]).all()
        assert ds.sizes["time"] == len(model.sample_s[::10])  # every 600 s of a 60 s driver


def test_a_station_in_the_auroral_zone_is_refused(tmp_path):
    with pytest.raises(ValueError, match="TRO lies at 6[0-9].[0-9] degrees magnetic latitude"):
        model_for(tmp_path, stations=[{"name": "TRO", "latitude_deg": 69.66, "longitude_deg": 18.94}])


def test_bundled_carrington_products_pass_the_cf_checker(tmp_path):
    import json

    from compliance_checker.runner import CheckSuite, ComplianceChecker

    from sim.cli import main
    from sim.paths import bundled_scenarios

    out = tmp_path / "run"
    assert main(["run", str(bundled_scenarios()["carrington_cme"]), "-o", str(out), "--quiet",
                 "--set", "time.stop_s=43200.0"]) == 0
    CheckSuite().load_all_available_checkers()
    for name in ("geomagnetic_stations.nc", "gic_substations.nc", "geomagnetic_ground_grid.nc"):
        report = tmp_path / f"{name}.json"
        passed, _ = ComplianceChecker.run_checker(str(out / name), ["cf:1.10"], verbose=0, criteria="lenient",
                                                  output_filename=str(report), output_format="json")
        results = json.loads(report.read_text())["cf:1.10"]
        errors = [m for group in results["high_priorities"] for m in group["msgs"]]
        assert passed and not errors, (name, errors)
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"geomagnetic_stations.nc", "gic_substations.nc"} <= {f["path"] for f in manifest["files"]}
