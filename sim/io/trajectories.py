"""Agent trajectories: a CF trajectory file and the plain text PedPy reads.

An agent model (a crowd) declares fields at ``"agent"``: one entry per agent slot, NaN in
``agent_x`` while a slot holds nobody. The persons are told apart by ``agent_id``; slots
are reused, persons are not. ``[[outputs]] kind = "trajectories"`` writes, on its schedule:

- ``trajectories.nc``: CF-1.10 discrete sampling geometry, ``featureType = "trajectory"``,
  as an **indexed ragged array** (CF 1.10, section H.4.4): one observation per person present
  at an output time, ``trajectory_index`` naming its trajectory, so the file grows by
  appending (both dimensions unlimited) and never needs the crowd's final size. Variables:
  ``trajectory_id`` (the person, ``cf_role = trajectory_id``), ``time``, ``x``, ``y`` and
  every other agent field listed in the output, per observation.
- ``trajectories.txt``: the same positions as ``id frame x y z`` rows (metres, z = 0), the
  header ``# framerate: F`` (frames per second, 1 / every_s) and ``# id frame x/m y/m z/m``:
  the text form of the Jülich trajectory archive that PedPy's ``load_trajectory`` reads.

Both are written under temporary names and renamed when closed; an interrupted run closes them
too, so they hold every complete output time.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np

import sim
from sim.fields import FieldView
from sim.io.rundir import temporary_path

REQUIRED = ("agent_id", "agent_x", "agent_y")


class TrajectoryWriter:
    """Writes the agents present at each time of ``schedule`` to ``path`` (and its text twin)."""

    def __init__(self, path: Path, fields: list[str], schedule, *, every_s: float | None, start_datetime: str,
                 global_attrs: dict[str, Any]) -> None:
        self.path = Path(path)
        self.text_path = self.path.with_suffix(".txt")
        self.fields = [name for name in fields if name not in REQUIRED]
        self.schedule = schedule
        self.every_s = every_s
        self.start_datetime = start_datetime
        self.global_attrs = global_attrs
        self.n_written = 0
        self._ds: netCDF4.Dataset | None = None
        self._text = None
        self._trajectory: dict[int, int] = {}  # person id -> trajectory index
        self._n_obs = 0

    def open(self, view: FieldView) -> None:
        ds = netCDF4.Dataset(temporary_path(self.path), "w", format="NETCDF4")
        self._ds = ds
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        ds.setncatts({"Conventions": "CF-1.10", "featureType": "trajectory", "source": f"hazsim {sim.__version__}",
                      "history": f"{now} created by hazsim {sim.__version__}",
                      **{k: v for k, v in self.global_attrs.items() if v is not None}})
        ds.createDimension("trajectory", None)
        ds.createDimension("obs", None)
        ident = ds.createVariable("trajectory_id", "i8", ("trajectory",))
        ident.setncatts({"cf_role": "trajectory_id", "long_name": "person id"})
        index = ds.createVariable("trajectory_index", "i4", ("obs",))
        index.setncatts({"long_name": "which trajectory this observation belongs to",
                         "instance_dimension": "trajectory"})
        time = ds.createVariable("time", "f8", ("obs",))
        time.setncatts({"standard_name": "time", "long_name": "time", "axis": "T", "calendar": "standard",
                        "units": f"seconds since {self.start_datetime.replace('T', ' ')}"})
        for axis, name in (("x", "agent_x"), ("y", "agent_y")):
            var = ds.createVariable(axis, "f8", ("obs",))
            var.setncatts({"standard_name": f"projection_{axis}_coordinate", "units": "m", "axis": axis.upper(),
                           "long_name": view.spec(name).doc})
        for name in self.fields:
            spec = view.spec(name)
            var = ds.createVariable(name, "f8", ("obs",))
            var.setncatts({**spec.cf_attrs(), "coordinates": "time x y"})
        ds.sync()
        self._text = open(temporary_path(self.text_path), "w", encoding="utf-8")
        if self.every_s:
            self._text.write(f"# framerate: {1.0 / self.every_s:.6g}\n")
        self._text.write("# id frame x/m y/m z/m\n")

    def write(self, view: FieldView, t: float, peaks=None) -> None:
        x, y = np.asarray(view["agent_x"]), np.asarray(view["agent_y"])
        present = np.isfinite(x) & np.isfinite(y)
        ids = np.asarray(view["agent_id"])[present].astype(np.int64)
        order = np.argsort(ids, kind="stable")  # rows by person, whatever slot they occupy
        ids = ids[order]
        ds = self._ds
        new = [int(i) for i in ids if int(i) not in self._trajectory]
        for person in new:
            k = len(self._trajectory)
            self._trajectory[person] = k
            ds["trajectory_id"][k] = person
        n, k0 = ids.size, self._n_obs
        if n:
            obs = slice(k0, k0 + n)
            ds["trajectory_index"][obs] = np.array([self._trajectory[int(i)] for i in ids], dtype=np.int32)
            ds["x"][obs] = x[present][order]
            ds["y"][obs] = y[present][order]
            for name in self.fields:
                ds[name][obs] = np.asarray(view[name])[present][order]
            ds["time"][obs] = np.full(n, t)
            frame = self.n_written
            self._text.writelines(f"{int(i)} {frame} {xv:.4f} {yv:.4f} 0.0000\n"
                                  for i, xv, yv in zip(ids, x[present][order], y[present][order]))
        self._n_obs += n
        ds.sync()
        self._text.flush()
        self.n_written += 1

    def close(self) -> Path:
        if self._ds is not None:
            self._ds.close()
            self._ds = None
            os.replace(temporary_path(self.path), self.path)
        if self._text is not None:
            self._text.close()
            self._text = None
            os.replace(temporary_path(self.text_path), self.text_path)
        return self.path

    @property
    def files(self) -> list[Path]:
        return [self.path, self.text_path]
