"""``hazsim bench sensors``: throughput of the sensor renderer's three stages.

1. sampling: the shared bilinear kernel reading 1000 sensors from a 1000 x 1000 field;
2. processing: 1000 electrochemical cells x 3600 samples (1 h at 1 Hz) through the
   instrument (lag, cross-sensitivity, noise, range, resolution), five faults and the labels;
3. writing: the same readings to sensors.nc, sensors.csv and the fault log.

Figures are readings per second of wall time (the best of a few repeats).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from pydantic import TypeAdapter

from sim.fields import FieldSpec
from sim.bench import best_seconds
from sim.grid import RasterGrid
from sim.kernels.interpolation import bilinear_points
from sim.render.faults import FaultConfig
from sim.render.instruments.base import FieldInfo
from sim.render.instruments.gas import Electrochemical
from sim.render.sensors import SensorGroup, SensorRenderer
from sim.schedules import EverySeconds


def _group(n_sensors: int, n_samples: int) -> SensorGroup:
    grid = RasterGrid(shape=(100, 100), spacing_m=(10.0, 10.0))
    spec = FieldSpec("gas_mole_fraction", at="cell", units="1e-6", intent="out", doc="chlorine")
    instrument = Electrochemical(Electrochemical.Params(gas="chlorine"), n_sensors, grid,
                                 {"gas_mole_fraction": FieldInfo(spec, {"gas": "chlorine"})})
    rng = np.random.default_rng(0)
    locations = rng.uniform(0.0, 1000.0, (n_sensors, 2))
    group = SensorGroup(0, instrument, [f"cl2_{j}" for j in range(n_sensors)], locations, 1.5, EverySeconds(1.0))
    t = np.arange(n_samples, dtype=float)
    # A passing cloud: a Gaussian pulse in time whose size varies from sensor to sensor.
    truth = 5.0 * rng.random(n_sensors) * np.exp(-0.5 * ((t[:, None] - 1800.0) / 300.0) ** 2)
    group.times = list(t)
    group.samples = [{"gas_mole_fraction": row} for row in truth]
    adapter = TypeAdapter(FaultConfig)
    for spec_ in ({"kind": "stuck", "sensor": 1, "start_s": 600.0, "end_s": 1200.0},
                  {"kind": "drift", "sensor": 2, "start_s": 100.0, "rate_per_s": 1e-3},
                  {"kind": "spike", "sensor": 3, "rate_per_hour": 30.0, "amplitude": 4.0},
                  {"kind": "dropout", "sensor": 4, "mode": "bursty", "p_enter_burst": 0.01, "p_leave_burst": 0.2},
                  {"kind": "slow_response", "sensor": 5, "tau_factor": 3.0}):
        group.faults.append((spec_["sensor"], adapter.validate_python(spec_)))
    return group


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    repeats = 2 if quick else 5
    n_sensors, n_samples = (200, 900) if quick else (1000, 3600)

    field = np.random.default_rng(1).random((1000, 1000))
    xs, ys = np.random.default_rng(2).uniform(0.0, 1000.0, (2, 1000))
    out = np.empty(1000)
    t_sample = best_seconds(lambda: bilinear_points(field, 0.0, 0.0, 1.0, 1.0, xs, ys, out), repeats * 20)

    stop = float(n_samples - 1)
    with tempfile.TemporaryDirectory() as tmp:
        renderer = SensorRenderer(Path(tmp), [_group(n_sensors, n_samples)], seed=0, stop_s=stop,
                                  start_datetime="2000-01-01T00:00:00", global_attrs={})
        t_process = best_seconds(lambda: renderer.process(stop), repeats)
        # Writing is measured on a tenth of the sensors: the CSV is the slow part.
        n_write = n_sensors // 10
        writer = SensorRenderer(Path(tmp), [_group(n_write, n_samples)], seed=0, stop_s=stop,
                                start_datetime="2000-01-01T00:00:00", global_attrs={})
        t_write_process = best_seconds(lambda: writer.process(stop), 1)
        t_close = best_seconds(writer.close, 1)
    readings = n_sensors * n_samples
    written = n_write * n_samples
    return {
        "sampling_points_per_s": (xs.size / t_sample, "sensor readings/s (bilinear, 1000x1000 field)"),
        "processing_readings_per_s": (readings / t_process, f"readings/s ({n_sensors} cells x {n_samples} samples)"),
        "writing_readings_per_s": (written / max(t_close - t_write_process, 1e-9),
                                   f"readings/s (sensors.nc + .csv, {written:.3g} readings)"),
    }
