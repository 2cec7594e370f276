"""Reading georeferenced rasters (DEMs, land cover, fuel maps) onto the scenario's grid.

Three formats, chosen by the file name:

- NetCDF (``.nc``, ``.nc4``, ``.cdf``): any 2-D variable with 1-D x/y coordinates;
- GeoTIFF (``.tif``, ``.tiff``), read with tifffile: the first band, placed by its
  ``ModelTiepoint`` and ``ModelPixelScale`` tags (north-up rasters, the form LANDFIRE,
  USGS 3DEP and most DEM portals deliver), NODATA from ``GDAL_NODATA``;
- ESRI ASCII grids (anything else, also gzipped, e.g. LISFLOOD-FP's ``.dem.raw.gz``).

Values come back as float64 with NODATA as NaN, rows ordered by increasing y (the grid's
convention: row 0 is the southern one), with the x and y of the cell centres. The raster's
coordinates must be in the scenario grid's frame (the same projected CRS, in metres);
``resample`` then puts the values on the grid's cell centres: bilinearly for continuous
quantities (elevation), by the nearest cell for categories (fuel model codes).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from sim.grid import RasterGrid


def read_esri_ascii(path: Path) -> tuple[np.ndarray, float, float, float]:
    """(z[j, i] with j = 0 the southern row, x_ll, y_ll, cellsize); NODATA becomes NaN."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt") as fh:
        text = fh.read()
    header: dict[str, float] = {}
    lines = text.split("\n")
    k = 0
    while k < len(lines) and lines[k].strip() and lines[k].strip()[0].isalpha():
        key, *rest = lines[k].split()
        header[key.lower()] = float(rest[0])
        k += 1
    data = np.array("\n".join(lines[k:]).split(), dtype=np.float64)
    try:
        ncols, nrows, size = int(header["ncols"]), int(header["nrows"]), header["cellsize"]
    except KeyError as exc:
        raise ValueError(f"{path}: ESRI ASCII header lacks {exc}") from None
    if data.size != nrows * ncols:
        raise ValueError(f"{path}: expected {nrows} x {ncols} values, found {data.size}")
    data = data.reshape(nrows, ncols)
    x_ll = header.get("xllcorner", header.get("xllcenter", 0.0) - size / 2)
    y_ll = header.get("yllcorner", header.get("yllcenter", 0.0) - size / 2)
    nodata = header.get("nodata_value")
    if nodata is not None:
        data[data == nodata] = np.nan
    return data[::-1].copy(), x_ll, y_ll, size


def read_geotiff(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z[j, i], x centres, y centres) of a north-up GeoTIFF's first band, y increasing."""
    import logging

    import tifffile

    # tifffile logs (does not raise) when GDAL_NODATA does not fit the band's dtype (LANDFIRE's
    # int16 rasters say 32767 and -9999); the tag is read from the raw page below instead.
    logging.getLogger("tifffile").setLevel(logging.ERROR)
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        tags = dict(page.geotiff_tags or {})
        # Some writers (FlamMap) give the placement tags without a GeoKey directory.
        for raw, name in (("ModelPixelScaleTag", "ModelPixelScale"), ("ModelTiepointTag", "ModelTiepoint")):
            if name not in tags and raw in page.tags:
                tags[name] = list(page.tags[raw].value)
        z = np.asarray(page.asarray(), dtype=np.float64)
        nodata_tag = page.tags.get("GDAL_NODATA")
        nodata = nodata_tag.value if nodata_tag is not None else None
    if z.ndim == 3:
        z = z[..., 0] if z.shape[-1] < z.shape[0] else z[0]
    scale, tie = tags.get("ModelPixelScale"), tags.get("ModelTiepoint")
    if scale is None or tie is None:
        raise ValueError(f"{path}: GeoTIFF without ModelPixelScale/ModelTiepoint tags (not georeferenced)")
    if "ModelTransformation" in tags:
        raise ValueError(f"{path}: rotated GeoTIFF (ModelTransformation) is not supported; expected north-up")
    sx, sy = float(scale[0]), float(scale[1])
    i0, j0, x_tie, y_tie = float(tie[0]), float(tie[1]), float(tie[3]), float(tie[4])
    if str(tags.get("GTRasterTypeGeoKey", "")).endswith("Point") or tags.get("GTRasterTypeGeoKey") == 2:
        # PixelIsPoint: the tie point is the centre of the pixel, not its corner.
        x_tie, y_tie = x_tie - sx / 2, y_tie + sy / 2
    if nodata is not None:
        try:
            z[z == float(str(nodata).strip().strip("\x00"))] = np.nan
        except ValueError:
            pass
    ny, nx = z.shape
    x = x_tie + (np.arange(nx) + 0.5 - i0) * sx
    y = y_tie - (np.arange(ny) + 0.5 - j0) * sy
    return z[::-1].copy(), x, y[::-1].copy()


def read_raster(path: Path, variable: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z[j, i], x centres, y centres), y increasing; NODATA as NaN."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith((".nc", ".nc4", ".cdf")):
        import xarray as xr

        with xr.open_dataset(path) as ds:
            var = variable or next(v for v in ds.data_vars if ds[v].ndim == 2)
            da = ds[var]
            ydim, xdim = da.dims
            da = da.sortby(ydim)
            return np.asarray(da.values, float), np.asarray(da[xdim].values, float), np.asarray(da[ydim].values, float)
    if name.endswith((".tif", ".tiff")):
        return read_geotiff(path)
    z, x_ll, y_ll, size = read_esri_ascii(path)
    x = x_ll + (np.arange(z.shape[1]) + 0.5) * size
    y = y_ll + (np.arange(z.shape[0]) + 0.5) * size
    return z, x, y


def _check_covers(xs: np.ndarray, ys: np.ndarray, grid: RasterGrid, what: str) -> None:
    x, y = grid.x, grid.y
    half_x = 0.5 * abs(xs[1] - xs[0]) if xs.size > 1 else 0.5 * grid.dx
    half_y = 0.5 * abs(ys[1] - ys[0]) if ys.size > 1 else 0.5 * grid.dy
    if (x[0] < xs[0] - half_x or x[-1] > xs[-1] + half_x or y[0] < ys[0] - half_y or y[-1] > ys[-1] + half_y):
        raise ValueError(f"the grid ({x[0]:g}..{x[-1]:g}, {y[0]:g}..{y[-1]:g} m) reaches beyond the {what} "
                         f"({xs[0]:g}..{xs[-1]:g}, {ys[0]:g}..{ys[-1]:g} m)")


def resample(z: np.ndarray, xs: np.ndarray, ys: np.ndarray, grid: RasterGrid, method: str = "bilinear",
             what: str = "raster") -> np.ndarray:
    """Values of a raster at the grid's cell centres: ``bilinear`` (edges held constant) or
    ``nearest`` (the raster cell that contains the centre; for categories)."""
    _check_covers(xs, ys, grid, what)
    if method == "nearest":
        i = np.clip(np.searchsorted(xs, grid.x - 0.5 * (xs[1] - xs[0]) if xs.size > 1 else grid.x), 0, xs.size - 1)
        j = np.clip(np.searchsorted(ys, grid.y - 0.5 * (ys[1] - ys[0]) if ys.size > 1 else grid.y), 0, ys.size - 1)
        return z[np.ix_(j, i)]
    from scipy.interpolate import RegularGridInterpolator

    interp = RegularGridInterpolator((ys, xs), z, bounds_error=False, fill_value=None)
    X, Y = np.meshgrid(np.clip(grid.x, xs[0], xs[-1]), np.clip(grid.y, ys[0], ys[-1]))
    return interp(np.column_stack([Y.ravel(), X.ravel()])).reshape(grid.shape)
