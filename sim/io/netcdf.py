"""Streaming CF-1.10 NetCDF writer: one output time appended at a time.

The file is written as ``<name>.part`` and renamed when closed, after the run completes
or is interrupted. After every record the file is synced, so the records written so far
form a valid file whatever happens next. Beside each field ``f`` the writer keeps
``f_max``, the maximum over every simulation step so far (``cell_methods: time: maximum``),
where a maximum means something (``FieldSpec.running_max``).
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
from sim.grid import RasterGrid
from sim.io.rundir import temporary_path
from sim.schedules import Schedule


class PeakTracker:
    """Running maximum over every step of some cell fields (not only at output times).

    NaN (a field's "not yet", see ``FieldSpec.allow_nan``) never replaces a number. Maxima a
    model keeps itself (``owned``, from its ``running_peaks`` hook) are used as they are.
    """

    def __init__(self, view: FieldView, names: list[str], owned: dict[str, np.ndarray] | None = None) -> None:
        owned = owned or {}
        self.peaks: dict[str, np.ndarray] = {}
        self._observed: list[str] = []
        for name in names:
            if name in owned:
                self.peaks[name] = owned[name]
            else:
                self.peaks[name] = np.array(view[name], copy=True)
                self._observed.append(name)

    def observe(self, view: FieldView) -> None:
        for name in self._observed:
            np.fmax(self.peaks[name], view[name], out=self.peaks[name])


def crs_attributes(grid: RasterGrid) -> dict[str, Any] | None:
    """CF grid-mapping attributes for an EPSG grid (via pyproj), None for a local frame."""
    if grid.epsg is None:
        return None
    from pyproj import CRS

    return CRS.from_epsg(grid.epsg).to_cf()


class NetCDFWriter:
    """Writes ``fields`` on ``schedule`` to ``path``, with CF metadata from each FieldSpec."""

    def __init__(
        self,
        path: Path,
        fields: list[str],
        schedule: Schedule,
        *,
        start_datetime: str,
        global_attrs: dict[str, Any],
        field_attrs: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.path = Path(path)
        self.fields = list(fields)
        self.schedule = schedule
        self.start_datetime = start_datetime
        self.global_attrs = global_attrs
        self.field_attrs = field_attrs or {}
        self._ds: netCDF4.Dataset | None = None
        self.n_written = 0

    @property
    def part_path(self) -> Path:
        return temporary_path(self.path)

    def open(self, view: FieldView) -> None:
        grid = view.grid
        ds = netCDF4.Dataset(self.part_path, "w", format="NETCDF4")
        self._ds = ds
        ds.setncatts(self._global_attributes())
        ds.createDimension("time", None)
        ds.createDimension("y", grid.ny)
        ds.createDimension("x", grid.nx)

        time = ds.createVariable("time", "f8", ("time",))
        time.setncatts({
            "standard_name": "time",
            "long_name": "time",
            "units": f"seconds since {self.start_datetime.replace('T', ' ')}",
            "calendar": "standard",
            "axis": "T",
        })
        # The running maxima span [0, t]: a scalar time coordinate with bounds says so.
        ds.createDimension("nv", 2)
        span = ds.createVariable("time_span", "f8", ())
        span.setncatts({**time.__dict__, "long_name": "time span of the running maxima", "bounds": "time_span_bounds"})
        del span.axis
        ds.createVariable("time_span_bounds", "f8", ("nv",))
        cf_crs = crs_attributes(grid)
        for axis, values in (("x", grid.x), ("y", grid.y)):
            var = ds.createVariable(axis, "f8", (axis,))
            # A local frame is a plane projection too; only its grid mapping is unknown.
            attrs = {"units": "m", "axis": axis.upper(), "long_name": f"{axis} coordinate of cell centre",
                     "standard_name": f"projection_{axis}_coordinate"}
            var.setncatts(attrs)
            var[:] = values
        if cf_crs is not None:
            crs = ds.createVariable("crs", "i4")
            crs.setncatts(cf_crs)

        float_type = "f4" if grid.dtype == "float32" else "f8"
        for name in self.fields:
            spec = view.spec(name)
            nc_type = "i1" if spec.kind == "level" else float_type
            if spec.at == "global":  # a scalar series: one value per output time
                var = ds.createVariable(name, "f8", ("time",))
                var.setncatts({**spec.cf_attrs(), **self.field_attrs.get(name, {})})
                continue
            variables = [(name, ("time", "y", "x"), (1, grid.ny, grid.nx))]
            if spec.running_max:
                variables.append((f"{name}_max", ("y", "x"), (grid.ny, grid.nx)))
            for var_name, dims, chunks in variables:
                var = ds.createVariable(var_name, nc_type, dims, zlib=True, complevel=1, shuffle=True, chunksizes=chunks)
                attrs = dict(spec.cf_attrs())
                attrs.update(self.field_attrs.get(name, {}))
                if var_name.endswith("_max"):
                    attrs["long_name"] = f"maximum over time of {spec.doc}"
                    attrs["cell_methods"] = "time_span: maximum"
                    attrs["coordinates"] = "time_span"
                if cf_crs is not None:
                    attrs["grid_mapping"] = "crs"
                var.setncatts(attrs)
        ds.sync()

    def _global_attributes(self) -> dict[str, Any]:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        attrs = {
            "Conventions": "CF-1.10",
            "source": f"hazsim {sim.__version__}",
            "history": f"{now} created by hazsim {sim.__version__}",
        }
        attrs.update({k: v for k, v in self.global_attrs.items() if v is not None})
        return attrs

    def write(self, view: FieldView, t: float, peaks: PeakTracker) -> None:
        """Append the fields at time ``t`` and refresh the running maxima; then sync."""
        ds = self._ds
        k = self.n_written
        for name in self.fields:
            if view.spec(name).at == "global":
                ds[name][k] = float(view[name])
                continue
            ds[name][k, :, :] = view[name]
            if name in peaks.peaks:
                ds[f"{name}_max"][:, :] = peaks.peaks[name]
        ds["time_span"][...] = t
        ds["time_span_bounds"][:] = [0.0, t]
        # The time value goes last: a reader never sees a time without its fields.
        ds["time"][k] = t
        ds.sync()
        self.n_written += 1

    def close(self) -> Path:
        """Close the file and give it its final name."""
        if self._ds is not None:
            self._ds.close()
            self._ds = None
            os.replace(self.part_path, self.path)
        return self.path
