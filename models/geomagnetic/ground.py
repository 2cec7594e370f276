"""The ring current's ground disturbance at listed stations and on a (latitude, longitude) grid.

A station at geographic latitude phi and longitude lambda has the magnetic latitude of the
IGRF centred dipole (Alken et al. 2021, degree-1 Gauss coefficients, the driver's epoch):

    sin(lambda_m) = r . D,    r = (cos phi cos lambda, cos phi sin lambda, sin phi)

with D the unit vector towards the north geomagnetic pole. The symmetric ring current's
disturbance of the north component there is the relation that defines Dst (Sugiura 1964):

    dX = Dst cos(lambda_m)

and what it induces follows the 1-D plane-wave method (:mod:`models.geomagnetic.geoelectric`),
E_y = -Z B_x / mu0; the problem being linear, a station's E_y is cos(lambda_m) times that of
Dst itself over the station's earth profile. The relation holds at low and middle magnetic
latitudes, where the ring current dominates the disturbance; above 60 degrees the auroral
electrojets do, which are not modelled: such stations are refused and such grid cells are NaN.

Products (written at the end of a run, CF-1.10): ``geomagnetic_stations.nc`` (timeSeries,
time x station), ``gic_substations.nc`` (timeSeries, time x substation: the earth GIC of each
substation of the power network) and ``geomagnetic_ground_grid.nc`` (time x latitude x
longitude).

========== ========================================== ============
symbol     meaning                                    unit
========== ========================================== ============
phi        geographic latitude                        degree_north
lambda     geographic longitude                       degree_east
lambda_m   magnetic (centred-dipole) latitude         degree
D          unit vector to the north geomagnetic pole  1
dX         north-component disturbance on the ground  nT
E_y        eastward geoelectric field                 V km-1
========== ========================================== ============
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

import sim
from models.geomagnetic.solar_wind import dipole_axis_geographic
from sim.io.rundir import atomic_path

MAX_MAGNETIC_LATITUDE_DEG = 60.0


def magnetic_latitude_deg(latitude_deg, longitude_deg, time) -> np.ndarray:
    """Centred-dipole magnetic latitude (degrees) of geographic points at ``time``."""
    phi = np.radians(np.asarray(latitude_deg, dtype=float))
    lam = np.radians(np.asarray(longitude_deg, dtype=float))
    axis = dipole_axis_geographic(np.datetime64(time, "s"))
    dot = np.cos(phi) * np.cos(lam) * axis[0] + np.cos(phi) * np.sin(lam) * axis[1] + np.sin(phi) * axis[2]
    return np.degrees(np.arcsin(np.clip(dot, -1.0, 1.0)))


def _global_attrs(attrs: dict[str, Any], title: str) -> dict[str, Any]:
    return {"Conventions": "CF-1.10", "title": title, "source": f"hazsim {sim.__version__}",
            **{k: v for k, v in attrs.items() if v is not None and k not in ("title", "Conventions")}}


def _write(dataset: xr.Dataset, path: Path) -> Path:
    encoding = {name: {"zlib": True, "complevel": 4} for name in dataset.data_vars}
    encoding["time"] = {"units": "seconds since 1970-01-01 00:00:00", "calendar": "standard", "dtype": "float64",
                        "_FillValue": None}
    for name in ("latitude", "longitude"):  # coordinate variables carry no fill value (CF 5)
        if name in dataset.coords:
            encoding[name] = {"_FillValue": None}
    with atomic_path(path) as tmp:
        dataset.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
    return path


def write_stations(path: Path, time: np.ndarray, names: list[str], latitude: np.ndarray, longitude: np.ndarray,
                   magnetic_latitude: np.ndarray, field_north: np.ndarray, rate: np.ndarray, e_east: np.ndarray,
                   attrs: dict[str, Any]) -> Path:
    """CF timeSeries (time, station) of dX, dX/dt and E_y at each station."""
    dims = ("time", "station")
    ds = xr.Dataset(
        {
            "geomagnetic_field_north": (dims, field_north, {
                "long_name": "ring-current (Dst) share of the ground disturbance of the north component",
                "units": "nT", "coordinates": "latitude longitude"}),
            "geomagnetic_field_north_rate": (dims, rate, {"long_name": "rate of change of that disturbance",
                                                          "units": "nT s-1"}),
            "geoelectric_field_east": (dims, e_east, {
                "long_name": "eastward geoelectric field induced over the station's 1-D earth", "units": "V km-1"}),
            "magnetic_latitude": ("station", magnetic_latitude, {"long_name": "centred-dipole magnetic latitude",
                                                                 "units": "degree"}),
        },
        coords={"time": ("time", time, {"standard_name": "time", "axis": "T"}),
                "station_name": ("station", np.array(names, dtype=object), {"cf_role": "timeseries_id",
                                                                           "long_name": "station"}),
                "latitude": ("station", latitude, {"standard_name": "latitude", "units": "degree_north"}),
                "longitude": ("station", longitude, {"standard_name": "longitude", "units": "degree_east"})},
        attrs={**_global_attrs(attrs, "geomagnetic stations"), "featureType": "timeSeries"},
    )
    return _write(ds, path)


def write_substations(path: Path, time: np.ndarray, gic: np.ndarray, attrs: dict[str, Any]) -> Path:
    """CF timeSeries (time, substation) of each substation's earth GIC."""
    names = [f"substation {k + 1}" for k in range(gic.shape[1])]
    ds = xr.Dataset(
        {"geomagnetically_induced_current": (("time", "substation"), gic, {
            "long_name": "earth GIC of the substation (positive into the earth)", "units": "A"})},
        coords={"time": ("time", time, {"standard_name": "time", "axis": "T"}),
                "substation_name": ("substation", np.array(names, dtype=object),
                                    {"cf_role": "timeseries_id", "long_name": "substation"})},
        attrs={**_global_attrs(attrs, "geomagnetically induced currents, Horton et al. (2012) test network"),
               "featureType": "timeSeries"},
    )
    return _write(ds, path)


def write_grid(path: Path, time: np.ndarray, latitude: np.ndarray, longitude: np.ndarray,
               magnetic_latitude: np.ndarray, field_north: np.ndarray, rate: np.ndarray, e_east: np.ndarray,
               attrs: dict[str, Any]) -> Path:
    """(time, latitude, longitude) fields of dX, dX/dt and E_y; NaN beyond 60 degrees magnetic latitude."""
    dims = ("time", "latitude", "longitude")
    comment = ("ring-current share only; NaN above 60 degrees magnetic latitude, where the auroral electrojets, "
               "not modelled, dominate")
    ds = xr.Dataset(
        {
            "geomagnetic_field_north": (dims, field_north, {"long_name": "ring-current (Dst) share of the ground "
                                                                         "disturbance of the north component",
                                                            "units": "nT", "comment": comment}),
            "geomagnetic_field_north_rate": (dims, rate, {"long_name": "rate of change of that disturbance",
                                                          "units": "nT s-1", "comment": comment}),
            "geoelectric_field_east": (dims, e_east, {"long_name": "eastward geoelectric field over the 1-D earth",
                                                      "units": "V km-1", "comment": comment}),
            "magnetic_latitude": (("latitude", "longitude"), magnetic_latitude,
                                  {"long_name": "centred-dipole magnetic latitude", "units": "degree"}),
        },
        coords={"time": ("time", time, {"standard_name": "time", "axis": "T"}),
                "latitude": ("latitude", latitude, {"standard_name": "latitude", "units": "degree_north",
                                                    "axis": "Y"}),
                "longitude": ("longitude", longitude, {"standard_name": "longitude", "units": "degree_east",
                                                       "axis": "X"})},
        attrs=_global_attrs(attrs, "geomagnetic ground disturbance on a latitude-longitude grid"),
    )
    return _write(ds, path)
