"""Per-pixel ground truth of a camera: one CF NetCDF file, a record per frame.

Variables are (time, row, column) in the camera's pixel grid (row 0 at the top of the
image); the file is written under a temporary name and renamed when the run ends.

A variable is created when a frame first carries it, not only from the first frame: a
camera's first frame may lack some (a crowd that starts empty has no ``person_id`` until
people arrive). The records before its creation, and those of any later frame without it,
hold its empty value: the ``_FillValue`` (NaN, or -1 for ``person_id``) where it has one,
otherwise 0 (background / no instance) written explicitly.
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np

import sim
from sim.io.rundir import temporary_path
from sim.render.images.layers import LAND_COVER_CLASSES

# name -> (units, long name, netCDF type, fill)
VARIABLES = {
    "water_depth": ("m", "depth of surface water at the pixel's ground point", "f4", np.nan),
    "surface_temperature": ("K", "temperature of the surface seen by the pixel", "f4", np.nan),
    "gas_column": ("1e-6 m", "gas column along the pixel's line of sight (ppm m)", "f4", np.nan),
    "distance": ("m", "distance from the camera to the pixel's ground point (inf: sky)", "f4", np.nan),
    "smoke_optical_depth": ("1", "smoke optical depth along the pixel's line of sight", "f4", np.nan),
    "fog_optical_depth": ("1", "visible optical depth of fog (condensed water) along the pixel's line of sight",
                          "f4", np.nan),
    "thermal_brightness_temperature": ("K", "LWIR (8-14 um) brightness temperature", "f4", np.nan),
    "ogi_brightness_temperature": ("K", "optical gas imaging (3.2-3.4 um) brightness temperature", "f4", np.nan),
    "flame_share": ("1", "share of the ground cell in flame (fire models)", "f4", np.nan),
    "aurora_brightness": ("kR", "green-line (557.7 nm) brightness along the pixel's line of sight", "f4", np.nan),
    "crowd_density": ("m-2", "local crowd density at the pixel's ground point (persons per square metre)", "f4",
                      np.nan),
    "person_id": ("1", "id of the person (agent) the pixel sees (-1 none)", "i4", -1),
    "land_cover": ("", "land-cover class of the pixel's ground point", "i1", -1),
    "semantic_class": ("1", "semantic class id (see images/coco.json categories; 0 background)", "u1", None),
    "instance_id": ("1", "instance id within the frame (0 none)", "u2", None),
}
# Categorical variables: their CF flag meanings, value k meaning the k-th name.
FLAG_MEANINGS = {"land_cover": LAND_COVER_CLASSES}


class TruthWriter:
    def __init__(self, path: Path, start_datetime: str) -> None:
        self.path = Path(path)
        self.tmp = temporary_path(self.path)
        self.start_datetime = start_datetime
        self.ds: netCDF4.Dataset | None = None
        self.shape: tuple[int, int] | None = None
        self.n = 0

    def _open(self, shape: tuple[int, int]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ds = netCDF4.Dataset(self.tmp, "w", format="NETCDF4")
        ds.Conventions = "CF-1.10"
        ds.title = "per-pixel ground truth"
        ds.source = f"hazsim {sim.__version__}"
        ds.createDimension("time", None)
        ds.createDimension("row", shape[0])
        ds.createDimension("column", shape[1])
        time = ds.createVariable("time", "f8", ("time",))
        time.standard_name = "time"
        time.units = f"seconds since {self.start_datetime.replace('T', ' ')}"
        time.calendar = "standard"
        time.axis = "T"
        for coord in ("row", "column"):
            v = ds.createVariable(coord, "i4", (coord,))
            v.long_name = f"pixel {coord} (row 0 at the top of the image)"
            v.units = "1"
            v[:] = np.arange(shape[0] if coord == "row" else shape[1])
        self.ds, self.shape = ds, shape

    def _create(self, name: str) -> None:
        """Declare ``name`` (its earlier records, if any, hold its empty value)."""
        if name not in VARIABLES:
            raise KeyError(f"unknown ground-truth variable {name!r}; known: {', '.join(VARIABLES)}")
        units, long_name, kind, fill = VARIABLES[name]
        rows, columns = self.shape
        v = self.ds.createVariable(name, kind, ("time", "row", "column"), zlib=True, complevel=4,
                                   chunksizes=(1, rows, columns), fill_value=fill if fill is not None else False)
        if units:
            v.units = units
        v.long_name = long_name
        if name in FLAG_MEANINGS:
            v.flag_values = np.arange(len(FLAG_MEANINGS[name]), dtype=kind)
            v.flag_meanings = " ".join(FLAG_MEANINGS[name])
        if fill is None:  # no _FillValue to stand for the records written before: write them empty
            for k in range(self.n):
                v[k] = np.zeros(self.shape, dtype=kind)

    def append(self, t: float, truth: dict[str, np.ndarray]) -> None:
        if not truth:
            raise ValueError("a ground-truth frame needs at least one variable")
        shapes = {name: np.shape(values) for name, values in truth.items()}
        if self.ds is None:
            first = next(iter(shapes.values()))
            if len(first) != 2:
                raise ValueError(f"ground truth is (row, column) per frame, got shape {first}")
            self._open(first)
        wrong = {name: shape for name, shape in shapes.items() if shape != self.shape}
        if wrong:
            raise ValueError(f"ground-truth frame {self.n}: shapes {wrong} differ from the camera's {self.shape}")
        for name in truth:
            if name not in self.ds.variables:
                self._create(name)
        self.ds["time"][self.n] = t
        for name, values in truth.items():
            self.ds[name][self.n] = values
        for name in self.ds.variables:  # variables this frame lacks: empty (no-fill ones explicitly)
            if name in VARIABLES and name not in truth and VARIABLES[name][3] is None:
                self.ds[name][self.n] = np.zeros(self.shape, dtype=VARIABLES[name][2])
        self.n += 1

    def close(self) -> Path:
        if self.ds is not None:
            self.ds.close()
            self.ds = None
            self.tmp.replace(self.path)
        return self.path
