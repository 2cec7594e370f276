"""Sensor data files: CF timeSeries NetCDF, a long-format CSV and the fault log.

Each file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

import sim
from sim.io.rundir import atomic_path
from sim.render.faults import FAULT_BITS, flag_names

FAULT_MEANINGS = " ".join(FAULT_BITS)
FAULT_MASKS = np.array(list(FAULT_BITS.values()), dtype=np.int32)


def write_sensor_netcdf(path: Path, results, start_datetime: str, attrs: dict[str, Any]) -> Path:
    """(time, sensor) arrays on the union of all sample times; unsampled entries are NaN / -1."""
    t = np.unique(np.concatenate([r.t for r in results])) if results else np.empty(0)
    n = len(t)
    ids = [i for r in results for i in r.group.ids]
    m = len(ids)

    def blank(dtype, fill):
        return np.full((n, m), fill, dtype=dtype)

    true_value, measured, reported = blank(float, np.nan), blank(float, np.nan), blank(float, np.nan)
    fault_type = blank(np.int32, 0)
    hazard, alarm, sampled = blank(np.int8, -1), blank(np.int8, -1), blank(np.int8, 0)
    meta: dict[str, list] = {k: [] for k in ("kind", "x", "y", "height", "geometry", "true_name", "true_units",
                                             "measured_name", "measured_units", "hazard_meanings",
                                             "alarm_meanings", "hazard_thresholds", "alarm_thresholds")}
    col = 0
    for r in results:
        g = r.group
        width = len(g.ids)
        rows = np.searchsorted(t, r.t)
        cols = slice(col, col + width)
        true_value[rows, cols] = r.truth
        measured[rows, cols] = r.measured
        reported[rows, cols] = r.reported
        fault_type[rows, cols] = r.flags
        hazard[rows, cols] = r.hazard
        alarm[rows, cols] = r.alarm
        sampled[rows, cols] = 1
        inst = g.instrument
        hz, al = inst.hazard_levels(), inst.alarm_levels()
        centres = g.centres()
        for j in range(width):
            meta["kind"].append(g.kind)
            meta["x"].append(centres[j, 0])
            meta["y"].append(centres[j, 1])
            meta["height"].append(g.height_m)
            meta["geometry"].append(f"{inst.geometry} {' '.join(f'{v:g}' for v in g.locations[j])}")
            meta["true_name"].append(inst.true_name)
            meta["true_units"].append(inst.true_units)
            meta["measured_name"].append(inst.measured_name)
            meta["measured_units"].append(inst.measured_units)
            meta["hazard_meanings"].append(" ".join(hz.meanings))
            meta["alarm_meanings"].append(" ".join(al.meanings))
            meta["hazard_thresholds"].append(" ".join(f"{v:g}" for v in hz.thresholds))
            meta["alarm_thresholds"].append(" ".join(f"{v:g}" for v in al.thresholds))
        col += width

    dims = ("time", "sensor")
    units_time = f"seconds since {start_datetime.replace('T', ' ')}"
    all_units = set(meta["measured_units"])
    ds = xr.Dataset(
        {
            "true_value": (dims, true_value, {
                "long_name": "true value of the measurand at the sensor (hazard ground truth)",
                "comment": "quantity and units per sensor: true_name, true_units"}),
            "measured_value": (dims, measured, {
                "long_name": "reading reported by the instrument, faults included",
                "comment": "quantity and units per sensor: measured_name, measured_units; NaN: no reading"}),
            "reported_time": (dims, reported, {
                "long_name": "time stamp the sensor reported (differs from time under a clock fault)",
                "units": units_time, "calendar": "standard"}),
            "fault_flag": (dims, (fault_type > 0).astype(np.int8), {
                "long_name": "sensor fault label: 1 while any fault acts", "flag_values": np.array([0, 1], np.int8),
                "flag_meanings": "no_fault fault"}),
            "fault_type": (dims, fault_type, {
                "long_name": "sensor fault label: which faults act", "flag_masks": FAULT_MASKS,
                "flag_meanings": FAULT_MEANINGS}),
            "hazard_level": (dims, hazard, {
                "long_name": "hazard label: level of the true value (meanings per sensor: hazard_meanings)",
                "comment": "-1 where the sensor took no sample"}),
            "alarm_state": (dims, alarm, {
                "long_name": "alarm label: set point level of the measured value (meanings per sensor: "
                             "alarm_meanings)", "comment": "-1 where there is no reading (not sampled or dropped out)"}),
            "sampled": (dims, sampled, {
                "long_name": "1 where the sensor took a reading at this time", "flag_values": np.array([0, 1], np.int8),
                "flag_meanings": "not_sampled sampled"}),
        },
        coords={
            "time": ("time", t, {"standard_name": "time", "long_name": "time", "units": units_time,
                                 "calendar": "standard", "axis": "T"}),
            "sensor_id": ("sensor", np.array(ids, dtype=object), {"cf_role": "timeseries_id",
                                                                 "long_name": "sensor id"}),
            "x": ("sensor", np.array(meta["x"], float), {"units": "m", "standard_name": "projection_x_coordinate",
                                                         "long_name": "x of the sensor (centre of its area or line)"}),
            "y": ("sensor", np.array(meta["y"], float), {"units": "m", "standard_name": "projection_y_coordinate",
                                                         "long_name": "y of the sensor (centre of its area or line)"}),
            "height": ("sensor", np.array(meta["height"], float), {
                "units": "m", "standard_name": "height", "positive": "up",
                "long_name": "height above ground of the sampled field (NaN: not defined)"}),
        },
        attrs={
            "Conventions": "CF-1.10",
            "featureType": "timeSeries",
            "history": f"{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')} created by hazsim "
                       f"{sim.__version__}",
            **attrs,
        },
    )
    for name in ("kind", "geometry", "true_name", "true_units", "measured_name", "measured_units",
                 "hazard_meanings", "alarm_meanings", "hazard_thresholds", "alarm_thresholds"):
        ds[f"sensor_{name}" if name in ("kind", "geometry") else name] = ("sensor", np.array(meta[name], dtype=object))
    if len(all_units) == 1:
        units = all_units.pop()
        ds["measured_value"].attrs["units"] = units
    if len(set(meta["true_units"])) == 1:
        ds["true_value"].attrs["units"] = meta["true_units"][0]
    encoding = {"time": {"dtype": "f8", "_FillValue": None}, "reported_time": {"dtype": "f8"},
                "x": {"_FillValue": None}, "y": {"_FillValue": None}}
    for name in ("true_value", "measured_value"):
        encoding[name] = {"zlib": True, "complevel": 1}
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)
    return path


CSV_COLUMNS = ("time_s", "reported_time_s", "sensor_id", "kind", "true_value", "true_units", "measured_value",
               "measured_units", "fault_flag", "fault_type", "hazard_level", "hazard_label", "alarm_state",
               "alarm_label")


def write_sensor_csv(path: Path, results) -> Path:
    """One row per reading taken, by time then sensor (in declaration order); an empty
    measured_value is a reading lost to a dropout. Built column-wise with pandas (an xarray
    dependency), which writes floats in their shortest round-trip form."""
    import pandas as pd

    columns: dict[str, list[np.ndarray]] = {name: [] for name in CSV_COLUMNS}
    order: list[np.ndarray] = []
    first_column = 0
    for r in results:
        g = r.group
        n, m = r.truth.shape
        hz = np.array(g.instrument.hazard_levels().meanings, dtype=object)
        al = np.array(("no_reading",) + tuple(g.instrument.alarm_levels().meanings), dtype=object)
        flags = r.flags.ravel()
        names = {int(v): flag_names(int(v)) for v in np.unique(flags)}
        columns["time_s"].append(np.repeat(r.t, m))
        columns["reported_time_s"].append(r.reported.ravel())
        columns["sensor_id"].append(np.tile(np.array(g.ids, dtype=object), n))
        columns["kind"].append(np.full(n * m, g.kind, dtype=object))
        columns["true_value"].append(r.truth.ravel())
        columns["true_units"].append(np.full(n * m, g.instrument.true_units, dtype=object))
        columns["measured_value"].append(r.measured.ravel())
        columns["measured_units"].append(np.full(n * m, g.instrument.measured_units, dtype=object))
        columns["fault_flag"].append((flags > 0).astype(np.int8))
        columns["fault_type"].append(np.array([names[int(v)] for v in flags], dtype=object))
        columns["hazard_level"].append(r.hazard.ravel())
        columns["hazard_label"].append(hz[np.maximum(r.hazard.ravel(), 0)])
        columns["alarm_state"].append(r.alarm.ravel())
        columns["alarm_label"].append(al[r.alarm.ravel().astype(int) + 1])
        order.append(np.tile(np.arange(first_column, first_column + m), n))
        first_column += m
    if order:
        data = {name: np.concatenate(parts) for name, parts in columns.items()}
        rank = np.lexsort((np.concatenate(order), data["time_s"]))
        frame = pd.DataFrame({name: values[rank] for name, values in data.items()}, columns=list(CSV_COLUMNS))
    else:
        frame = pd.DataFrame(columns=list(CSV_COLUMNS))
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, na_rep="", lineterminator="\n")
    return path


def write_sensor_faults(path: Path, results) -> Path:
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(("sensor_id", "fault_type", "start_s", "end_s", "parameters"))
            for r in results:
                for record in r.log:
                    writer.writerow(record.row())
    return path
