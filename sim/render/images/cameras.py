"""Cameras: which point of the scene each pixel sees, for renderers that sample 2-D fields.

An image renderer draws fields that live on a :class:`~sim.grid.RasterGrid` (terrain
elevation, water depth, gas column density...). A camera turns pixels into ground points,
where those fields are sampled with :func:`sample_bilinear`:

- :class:`OrthographicCamera`: a top-down (drone mapping, satellite) view, north up; each
  pixel sees the ground point straight below its centre;
- :class:`PinholeCamera`: a perspective camera anywhere in the scene; each pixel is a ray,
  and :func:`cast_heightfield` finds where the ray first meets the terrain.

**World frame.** Right-handed, metres: x east, y north, z up, the grid's frame
(:mod:`sim.grid`: cell ``(j, i)`` centred at ``x0 + (i + 1/2) dx``, ``y0 + (j + 1/2) dy``,
arrays indexed ``[row = y, col = x]`` with y growing with the row index, so row 0 of a field is
its *southern* edge).

**Pixel coordinates.** ``(u, v) = (col, row)``, continuous, origin at the top-left corner of
the image: pixel ``[row j, col i]`` covers ``i <= u < i + 1``, ``j <= v < j + 1`` and has its
centre at ``(i + 1/2, j + 1/2)``; the image spans ``0 <= u <= W``, ``0 <= v <= H``. ``project``
returns these continuous coordinates: ``floor`` gives the pixel index. Image arrays are
``[row, col]`` with row 0 at the top, so an image is north up where a field is south up:
a top-down image of a field covering the same extent is ``field[::-1]``.

**Orthographic camera** over ``extent_m = (xmin, xmax, ymin, ymax)``::

    g_x = (xmax - xmin) / W,  g_y = (ymax - ymin) / H
    x = xmin + u g_x,  y = ymax - v g_y                 (pixel centre: u = i + 1/2, v = j + 1/2)

**Pinhole camera** at C, optical axis at compass azimuth psi (yaw, clockwise from north) and
elevation theta (pitch, negative looking down), turned by phi (roll) about the optical axis;
camera frame as in OpenCV: X_c right, Y_c down, Z_c forward (the optical axis)::

    f   = ( sin psi cos theta,  cos psi cos theta,  sin theta)      forward
    r_0 = ( cos psi,           -sin psi,            0        )      right, before roll
    q_0 = (-sin psi sin theta, -cos psi sin theta,  cos theta)      up, before roll
    r   = cos phi r_0 - sin phi q_0,   q = sin phi r_0 + cos phi q_0
    R   = [r; -q; f]        (rows: world-to-camera rotation, det R = +1)
    X_c = R (X - C)                                                 extrinsics [R | -R C]
    u   = f_x X_c / Z_c + c_x,  v = f_y Y_c / Z_c + c_y                intrinsics K
    f_x = f_y = (W / 2) / tan(hfov / 2),  c_x = W / 2,  c_y = H / 2
    d   = R^T ((u - c_x) / f_x, (v - c_y) / f_y, 1) / |...|         ray of pixel (u, v)

A positive roll lowers the right side of the camera (an aircraft's right wing down), so the
scene turns counter-clockwise in the image. Yaw keeps its meaning at pitch -90: looking
straight down, the top of the image points to azimuth psi (yaw 0: north up, east right, the
orthographic view). Depth is Z_c, the distance along the optical axis; points with
Z_c <= 0 are behind the camera and project to NaN.

**Height field ray casting** (:func:`cast_heightfield`). The terrain is the bilinear surface
z = h(x, y) through the cell-centre elevations (constant in the outer half cell, as
:func:`~sim.kernels.interpolation.bilinear_points`), a solid block over the grid's extent.
Along a ray X(t) = O + t d (|d| = 1, t in metres)::

    g(t) = O_z + t d_z - h(O_x + t d_x, O_y + t d_y)       > 0 above the ground

The ray is clipped to the grid's extent, to max_distance and to min h - tol <= z <= max h
(nothing above the highest cell can be hit, and below the lowest the ray is underground);
g is sampled at steps of half a cell along x or y, ``dt = min(dx / (2 |d_x|), dy / (2 |d_y|))``;
the first step with g <= 0 brackets the hit, which bisection narrows to
``tol = 1e-4 min(dx, dy)`` in t, and a last secant step places it at the zero of the chord
(exact where the surface is planar along the ray). A ray that starts below the surface (or
enters the block through its side below the edge elevation) hits where it starts (enters).
A ray that leaves the extent, or travels max_distance, without reaching the ground misses:
NaN point and distance. A ridge thinner than half a cell that the ray only grazes between
two steps can be missed.

Symbols:

========== ============================================================ =====
symbol     meaning                                                      unit
========== ============================================================ =====
W, H       image width and height                                       px
u, v       pixel coordinates (col, row), pixel centres at i + 1/2       px
g_x, g_y   ground size of an orthographic pixel along x and y           m
C          camera position (x east, y north, z up)                      m
psi        yaw: compass azimuth of the optical axis, clockwise from +y  deg
theta      pitch: elevation of the optical axis, negative looking down  deg
phi        roll about the optical axis, positive right side down        deg
hfov       horizontal field of view                                     deg
f_x, f_y   focal length                                                 px
c_x, c_y   principal point (image centre)                               px
X_c..Z_c   camera-frame coordinates (right, down, forward); Z_c = depth m
O, d       ray origin and unit direction                                m, 1
t          distance along the ray                                       m
h(x, y)    bilinear terrain elevation                                   m
========== ============================================================ =====
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from sim.kernels.interpolation import bilinear_points, bilinear_value

STEP_CELLS = 0.5  # march step, in cells along x or y
TOLERANCE_CELLS = 1e-4  # bisection stops when the bracket is this many cells long (in t)
MAX_BISECTIONS = 64  # guard against a tolerance below the float spacing of t
INTERLEAVE_LANES = 1024  # rays are shared among threads round-robin over this many lanes


# --------------------------------------------------------------------------- sampling


def sample_bilinear(field, x0, y0, dx, dy, xs, ys, fill_value=np.nan) -> np.ndarray:
    """``field`` (ny, nx) sampled at the points (xs, ys) (any broadcastable shapes), float64.

    A thin wrapper of :func:`~sim.kernels.interpolation.bilinear_points` (cell-centred
    bilinear, constant in the outer half cell) that takes image-shaped coordinates and gives
    ``fill_value`` to points outside the grid's extent or not finite (missed rays).

    >>> f = np.array([[0.0, 1.0], [2.0, 3.0]])  # rows along y
    >>> sample_bilinear(f, 0.0, 0.0, 1.0, 1.0, [[1.0, 0.5], [9.0, 1.5]], [[1.0, 1.5], [0.0, 0.5]]).tolist()
    [[1.5, 2.0], [nan, 1.0]]
    """
    xs, ys = np.broadcast_arrays(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    field = np.asarray(field)
    if field.ndim != 2:
        raise ValueError(f"field must be 2-d (ny, nx), got shape {field.shape}")
    ny, nx = field.shape
    x, y = xs.ravel(), ys.ravel()
    with np.errstate(invalid="ignore"):
        inside = (x >= x0) & (x <= x0 + nx * dx) & (y >= y0) & (y <= y0 + ny * dy)
    out = np.full(x.size, fill_value, dtype=float)
    values = np.empty(int(inside.sum()))
    if values.size:
        if not np.issubdtype(field.dtype, np.floating):
            field = field.astype(float)
        bilinear_points(np.ascontiguousarray(field), float(x0), float(y0), float(dx), float(dy),
                        np.ascontiguousarray(x[inside]), np.ascontiguousarray(y[inside]), values)
    out[inside] = values
    return out.reshape(xs.shape)


# --------------------------------------------------------------------------- orthographic


@dataclass(frozen=True)
class OrthographicCamera:
    """A top-down view of ``extent_m = (xmin, xmax, ymin, ymax)``, north up, W x H pixels.

    >>> cam = OrthographicCamera((0.0, 40.0, 0.0, 20.0), width_px=4, height_px=2)
    >>> cam.gsd_m
    10.0
    >>> cam.ground_points()[0].tolist()  # row 0: the northern half
    [[5.0, 15.0], [15.0, 15.0], [25.0, 15.0], [35.0, 15.0]]
    >>> cam.project([[35.0, 5.0, 0.0]]).tolist()
    [[3.5, 1.5]]
    """

    extent_m: tuple[float, float, float, float]
    width_px: int
    height_px: int

    def __post_init__(self) -> None:
        extent = tuple(float(e) for e in self.extent_m)
        if len(extent) != 4 or not all(math.isfinite(e) for e in extent):
            raise ValueError(f"extent_m must be 4 finite numbers (xmin, xmax, ymin, ymax), got {self.extent_m}")
        if not (extent[1] > extent[0] and extent[3] > extent[2]):
            raise ValueError(f"extent_m must have xmax > xmin and ymax > ymin, got {self.extent_m}")
        _check_size(self.width_px, self.height_px)
        object.__setattr__(self, "extent_m", extent)

    @classmethod
    def from_grid(cls, grid, gsd_m: float | None = None) -> "OrthographicCamera":
        """The whole extent of ``grid``, one pixel per cell, or pixels of about ``gsd_m`` metres."""
        xmin, xmax, ymin, ymax = grid.extent_m
        if gsd_m is None:
            return cls(grid.extent_m, grid.nx, grid.ny)
        if not gsd_m > 0:
            raise ValueError(f"gsd_m must be positive, got {gsd_m}")
        return cls(grid.extent_m, max(1, round((xmax - xmin) / gsd_m)), max(1, round((ymax - ymin) / gsd_m)))

    @property
    def pixel_size_m(self) -> tuple[float, float]:
        """(g_x, g_y): ground size of a pixel along x and y, m."""
        xmin, xmax, ymin, ymax = self.extent_m
        return (xmax - xmin) / self.width_px, (ymax - ymin) / self.height_px

    @property
    def gsd_m(self) -> float:
        """Ground sample distance, m: the pixel size (the larger side if pixels are not square)."""
        return max(self.pixel_size_m)

    def ground_points(self) -> np.ndarray:
        """(H, W, 2) world (x, y) of every pixel centre; row 0 is the northern edge."""
        xmin, _, _, ymax = self.extent_m
        gx, gy = self.pixel_size_m
        x = xmin + (np.arange(self.width_px) + 0.5) * gx
        y = ymax - (np.arange(self.height_px) + 0.5) * gy
        out = np.empty((self.height_px, self.width_px, 2))
        out[..., 0] = x[None, :]
        out[..., 1] = y[:, None]
        return out

    def project(self, points) -> np.ndarray:
        """(n, 2) pixel coordinates (u, v) = (col, row) of world points (n, 3) (or (n, 2); z unused).

        Continuous coordinates, pixel centres at ``i + 1/2``; points outside the extent land
        outside ``[0, W] x [0, H]``.
        """
        p = np.atleast_2d(np.asarray(points, dtype=float))
        xmin, _, _, ymax = self.extent_m
        gx, gy = self.pixel_size_m
        return np.column_stack([(p[:, 0] - xmin) / gx, (ymax - p[:, 1]) / gy])

    def metadata(self) -> dict:
        """Plain-Python description for a dataset record."""
        return {"model": "orthographic", "extent_m": list(self.extent_m), "width_px": self.width_px,
                "height_px": self.height_px, "pixel_size_m": list(self.pixel_size_m)}


# --------------------------------------------------------------------------- pinhole


@dataclass(frozen=True)
class PinholeCamera:
    """A perspective camera at ``position_m`` (x east, y north, z up; m).

    ``yaw_deg``: compass azimuth of the optical axis, clockwise from north (+y); ``pitch_deg``:
    its elevation, negative looking down (-90 straight down); ``roll_deg``: about the optical
    axis, positive lowers the right side. See the module docstring for the equations.

    >>> cam = PinholeCamera((0.0, 0.0, 100.0), 0.0, -90.0, 0.0, 90.0, 4, 2)
    >>> cam.intrinsics.round(9).tolist()
    [[2.0, 0.0, 2.0], [0.0, 2.0, 1.0], [0.0, 0.0, 1.0]]
    >>> uv, depth = cam.project([[50.0, 0.0, 0.0], [0.0, 0.0, 200.0]])
    >>> uv.round(9).tolist(), depth.tolist()  # 50 m east, 100 m below: the right edge
    ([[3.0, 1.0], [nan, nan]], [100.0, nan])
    """

    position_m: tuple[float, float, float]
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    horizontal_fov_deg: float
    width_px: int
    height_px: int

    def __post_init__(self) -> None:
        position = tuple(float(p) for p in np.asarray(self.position_m, dtype=float).ravel())
        if len(position) != 3 or not all(math.isfinite(p) for p in position):
            raise ValueError(f"position_m must be 3 finite numbers (x, y, z), got {self.position_m}")
        for name in ("yaw_deg", "pitch_deg", "roll_deg", "horizontal_fov_deg"):
            value = float(getattr(self, name))
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value}")
            object.__setattr__(self, name, value)
        if not -90.0 <= self.pitch_deg <= 90.0:
            raise ValueError(f"pitch_deg must be within [-90, 90], got {self.pitch_deg}")
        if not 0.0 < self.horizontal_fov_deg < 180.0:
            raise ValueError(f"horizontal_fov_deg must be in (0, 180), got {self.horizontal_fov_deg}")
        _check_size(self.width_px, self.height_px)
        object.__setattr__(self, "position_m", position)

    # ---- intrinsics
    @property
    def focal_px(self) -> float:
        """f_x = f_y = (W / 2) / tan(hfov / 2), px."""
        return 0.5 * self.width_px / math.tan(math.radians(self.horizontal_fov_deg) / 2.0)

    @property
    def principal_point_px(self) -> tuple[float, float]:
        """(c_x, c_y) = (W / 2, H / 2), px: the image centre."""
        return 0.5 * self.width_px, 0.5 * self.height_px

    @property
    def vertical_fov_deg(self) -> float:
        return math.degrees(2.0 * math.atan(0.5 * self.height_px / self.focal_px))

    @property
    def intrinsics(self) -> np.ndarray:
        """K (3, 3): [[f_x, 0, c_x], [0, f_y, c_y], [0, 0, 1]], px."""
        f = self.focal_px
        cx, cy = self.principal_point_px
        return np.array([[f, 0.0, cx], [0.0, f, cy], [0.0, 0.0, 1.0]])

    # ---- extrinsics
    @property
    def rotation(self) -> np.ndarray:
        """R (3, 3), world to camera: rows are the camera's right, down and forward axes in world."""
        psi, theta, phi = (math.radians(a) for a in (self.yaw_deg, self.pitch_deg, self.roll_deg))
        sp, cp, st, ct = math.sin(psi), math.cos(psi), math.sin(theta), math.cos(theta)
        forward = np.array([sp * ct, cp * ct, st])
        right0 = np.array([cp, -sp, 0.0])
        up0 = np.array([-sp * st, -cp * st, ct])
        right = math.cos(phi) * right0 - math.sin(phi) * up0
        up = math.sin(phi) * right0 + math.cos(phi) * up0
        return np.vstack([right, -up, forward])

    @property
    def forward(self) -> np.ndarray:
        """Unit vector of the optical axis in world coordinates."""
        return self.rotation[2].copy()

    @property
    def extrinsics(self) -> np.ndarray:
        """(4, 4) world-to-camera transform [[R, -R C], [0, 0, 0, 1]] (camera frame: right, down, forward)."""
        R = self.rotation
        out = np.eye(4)
        out[:3, :3] = R
        out[:3, 3] = -R @ np.asarray(self.position_m)
        return out

    # ---- rays and projection
    def pixel_rays(self, u, v) -> np.ndarray:
        """Unit world directions (..., 3) of the rays through continuous pixel coordinates (u, v)."""
        u, v = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(v, dtype=float))
        f = self.focal_px
        cx, cy = self.principal_point_px
        cam = np.stack([(u - cx) / f, (v - cy) / f, np.ones_like(u)], axis=-1)
        cam /= np.linalg.norm(cam, axis=-1, keepdims=True)
        return cam @ self.rotation  # (R^T d_c)^T = d_c^T R

    def rays(self) -> np.ndarray:
        """(H, W, 3) unit world directions of the rays through every pixel centre."""
        v, u = np.meshgrid(np.arange(self.height_px) + 0.5, np.arange(self.width_px) + 0.5, indexing="ij")
        return self.pixel_rays(u, v)

    def project(self, points) -> tuple[np.ndarray, np.ndarray]:
        """((n, 2) pixel coordinates (u, v) = (col, row), (n,) depth Z_c in m) of world points (n, 3).

        Continuous coordinates (pixel centres at ``i + 1/2``), not clipped to the image; points
        behind the camera (Z_c <= 0) give NaN coordinates and depth.
        """
        p = np.atleast_2d(np.asarray(points, dtype=float))
        cam = (p - np.asarray(self.position_m)) @ self.rotation.T
        depth = cam[:, 2].copy()
        depth[~(depth > 0.0)] = np.nan
        f = self.focal_px
        cx, cy = self.principal_point_px
        uv = np.column_stack([f * cam[:, 0] / depth + cx, f * cam[:, 1] / depth + cy])
        return uv, depth

    def cast(self, elevation, grid, max_distance: float = np.inf):
        """Where every pixel's ray meets the terrain ``elevation`` (ny, nx) on ``grid``.

        Returns (points (H, W, 3) m, distance (H, W) m, hit (H, W) bool); NaN where missed.
        """
        directions = np.ascontiguousarray(self.rays().reshape(-1, 3))
        origins = np.ascontiguousarray(np.broadcast_to(np.asarray(self.position_m), directions.shape))
        points, distance, hit = cast_heightfield(origins, directions, _as_float_array(elevation), float(grid.x0),
                                                 float(grid.y0), float(grid.dx), float(grid.dy), float(max_distance))
        shape = (self.height_px, self.width_px)
        return points.reshape(shape + (3,)), distance.reshape(shape), hit.reshape(shape)

    def metadata(self) -> dict:
        """Plain-Python description for a dataset record (K and the 4 x 4 extrinsics as nested lists)."""
        return {"model": "pinhole", "position_m": list(self.position_m), "yaw_deg": self.yaw_deg,
                "pitch_deg": self.pitch_deg, "roll_deg": self.roll_deg,
                "horizontal_fov_deg": self.horizontal_fov_deg, "width_px": self.width_px,
                "height_px": self.height_px, "intrinsics": self.intrinsics.tolist(),
                "extrinsics": self.extrinsics.tolist(),
                "conventions": "world x east, y north, z up; camera x right, y down, z forward; "
                               "pixel (u, v) = (col, row), centres at i + 1/2"}


def _check_size(width_px, height_px) -> None:
    for name, n in (("width_px", width_px), ("height_px", height_px)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")


def _as_float_array(a) -> np.ndarray:
    a = np.asarray(a)
    return np.ascontiguousarray(a if np.issubdtype(a.dtype, np.floating) else a.astype(float))


# --------------------------------------------------------------------------- ray casting


@njit(cache=True, error_model="numpy")
def _height(elevation, x0, y0, dx, dy, x, y):
    """h(x, y): the bilinear elevation at one point (the renderers' one interpolation kernel)."""
    return bilinear_value(elevation, x0, y0, dx, dy, x, y)


@njit(cache=True, error_model="numpy")
def _clip_ray(ox, oy, oz, ux, uy, uz, xmin, xmax, ymin, ymax, zmin, zmax, max_distance):
    """(t0, t1): the part of the ray inside the extent, below max h and within max_distance.

    A descending ray is cut just below min h (zmin here is min h less a margin), where it is
    certainly under the ground whatever the rounding of O_z + t d_z.
    """
    t0 = 0.0
    t1 = max_distance
    if ux != 0.0:
        ta = (xmin - ox) / ux
        tb = (xmax - ox) / ux
        t0 = max(t0, min(ta, tb))
        t1 = min(t1, max(ta, tb))
    elif ox < xmin or ox > xmax:
        return 1.0, 0.0
    if uy != 0.0:
        ta = (ymin - oy) / uy
        tb = (ymax - oy) / uy
        t0 = max(t0, min(ta, tb))
        t1 = min(t1, max(ta, tb))
    elif oy < ymin or oy > ymax:
        return 1.0, 0.0
    if uz > 0.0:  # climbing: nothing to hit once above the highest cell
        t1 = min(t1, (zmax - oz) / uz)
    elif uz < 0.0:  # descending: nothing before max h, certainly below ground at min h
        t0 = max(t0, (zmax - oz) / uz)
        t1 = min(t1, max(t0, (zmin - oz) / uz))
    elif oz > zmax:
        return 1.0, 0.0
    return t0, t1


@njit(cache=True, error_model="numpy")
def _cast_one(ox, oy, oz, ux, uy, uz, elevation, x0, y0, dx, dy, zmin, zmax, max_distance):
    """Distance t (m) along the ray to its first crossing of the surface; NaN if it misses."""
    if not (math.isfinite(ox) and math.isfinite(oy) and math.isfinite(oz) and max_distance >= 0.0):
        return math.nan
    norm = math.sqrt(ux * ux + uy * uy + uz * uz)
    if not (norm > 0.0 and norm < math.inf):
        return math.nan
    ux /= norm
    uy /= norm
    uz /= norm
    ny, nx = elevation.shape
    tol = TOLERANCE_CELLS * min(dx, dy)
    t0, t1 = _clip_ray(ox, oy, oz, ux, uy, uz, x0, x0 + nx * dx, y0, y0 + ny * dy, zmin - tol, zmax, max_distance)
    if not t0 <= t1:
        return math.nan
    ga = oz + t0 * uz - _height(elevation, x0, y0, dx, dy, ox + t0 * ux, oy + t0 * uy)
    if ga <= 0.0:  # starts below the surface, or enters the block through its side
        return t0
    step = math.inf
    if ux != 0.0:
        step = STEP_CELLS * dx / abs(ux)
    if uy != 0.0:
        step = min(step, STEP_CELLS * dy / abs(uy))
    ta = t0
    k = 1
    while True:
        tb = min(t0 + k * step, t1)
        gb = oz + tb * uz - _height(elevation, x0, y0, dx, dy, ox + tb * ux, oy + tb * uy)
        if gb <= 0.0:
            break
        if tb >= t1:
            return math.nan
        ta = tb
        ga = gb
        k += 1
    n = 0
    while tb - ta > tol and n < MAX_BISECTIONS:
        tm = 0.5 * (ta + tb)
        gm = oz + tm * uz - _height(elevation, x0, y0, dx, dy, ox + tm * ux, oy + tm * uy)
        if gm <= 0.0:
            tb = tm
            gb = gm
        else:
            ta = tm
            ga = gm
        n += 1
    return ta + (tb - ta) * ga / (ga - gb)  # ga > 0 >= gb: the chord's zero, inside [ta, tb]


@njit(cache=True, error_model="numpy")
def _cast_into(origins, directions, elevation, x0, y0, dx, dy, zmin, zmax, max_distance, k, points, distance, hit):
    """Ray k of :func:`cast_heightfield`, written into its outputs."""
    ox, oy, oz = origins[k, 0], origins[k, 1], origins[k, 2]
    ux, uy, uz = directions[k, 0], directions[k, 1], directions[k, 2]
    t = _cast_one(ox, oy, oz, ux, uy, uz, elevation, x0, y0, dx, dy, zmin, zmax, max_distance)
    hit[k] = t == t
    distance[k] = t
    if hit[k]:
        norm = math.sqrt(ux * ux + uy * uy + uz * uz)
        points[k, 0] = ox + t * (ux / norm)
        points[k, 1] = oy + t * (uy / norm)
        points[k, 2] = oz + t * (uz / norm)
    else:
        points[k, 0] = points[k, 1] = points[k, 2] = math.nan


@njit(cache=True, parallel=True, error_model="numpy")
def cast_heightfield(origins, directions, elevation, x0, y0, dx, dy, max_distance):
    """First hits of rays on the bilinear height field ``elevation`` (ny, nx), rays in parallel.

    origins, directions : float[n, 3] (m; directions need not be unit); x0, y0 : lower-left
    corner of the grid, dx, dy : cell spacing (m); max_distance : longest ray (m, may be inf).
    Returns (points float[n, 3] m, distance float[n] m along the ray, hit bool[n]); points and
    distance are NaN for rays that miss. Elevation must be finite. See the module docstring.
    """
    n = origins.shape[0]
    points = np.empty((n, 3))
    distance = np.empty(n)
    hit = np.empty(n, dtype=np.bool_)
    zmin = elevation.min()
    zmax = elevation.max()
    # Rays are dealt out round-robin: neighbouring pixels cost alike (sky, far or near
    # ground), and contiguous shares of an image would leave some threads the costly rows.
    lanes = min(n, INTERLEAVE_LANES)
    for lane in prange(lanes):
        for k in range(lane, n, lanes):
            _cast_into(origins, directions, elevation, x0, y0, dx, dy, zmin, zmax, max_distance, k, points,
                       distance, hit)
    return points, distance, hit


# --------------------------------------------------------------------------- NumPy twin


def cast_heightfield_reference(origins, directions, elevation, x0, y0, dx, dy, max_distance):
    """NumPy twin of :func:`cast_heightfield` (tests only): every ray marched at once.

    The same clipping, steps, bisection and secant, vectorised over the rays, with the
    terrain sampled by :func:`~sim.kernels.interpolation.bilinear_points_reference` (scipy).
    """
    from sim.kernels.interpolation import bilinear_points_reference

    o = np.asarray(origins, dtype=float).reshape(-1, 3)
    d = np.asarray(directions, dtype=float).reshape(-1, 3)
    elevation = np.asarray(elevation, dtype=float)
    ny, nx = elevation.shape
    n = o.shape[0]
    zmin, zmax = elevation.min(), elevation.max()
    norm = np.linalg.norm(d, axis=1)
    ok = np.isfinite(o).all(axis=1) & (norm > 0.0) & np.isfinite(norm) & (max_distance >= 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = d / norm[:, None]
        t0 = np.zeros(n)
        t1 = np.full(n, float(max_distance))
        for axis, lo, hi in ((0, x0, x0 + nx * dx), (1, y0, y0 + ny * dy)):
            moving = u[:, axis] != 0.0
            ta, tb = (lo - o[:, axis]) / u[:, axis], (hi - o[:, axis]) / u[:, axis]
            t0 = np.where(moving, np.maximum(t0, np.minimum(ta, tb)), t0)
            t1 = np.where(moving, np.minimum(t1, np.maximum(ta, tb)), t1)
            ok &= moving | ((o[:, axis] >= lo) & (o[:, axis] <= hi))
        climbing, descending = u[:, 2] > 0.0, u[:, 2] < 0.0
        tol = TOLERANCE_CELLS * min(dx, dy)
        to_top, to_bottom = (zmax - o[:, 2]) / u[:, 2], (zmin - tol - o[:, 2]) / u[:, 2]
        t1 = np.where(climbing, np.minimum(t1, to_top), t1)
        t0 = np.where(descending, np.maximum(t0, to_top), t0)
        t1 = np.where(descending, np.minimum(t1, np.maximum(t0, to_bottom)), t1)
        ok &= ~((u[:, 2] == 0.0) & (o[:, 2] > zmax))
        ok &= t0 <= t1
        step = np.minimum(np.where(u[:, 0] != 0.0, STEP_CELLS * dx / np.abs(u[:, 0]), np.inf),
                          np.where(u[:, 1] != 0.0, STEP_CELLS * dy / np.abs(u[:, 1]), np.inf))

    def g(idx, t):  # height of the ray above the ground, rays idx at distances t
        p = o[idx] + t[:, None] * u[idx]
        return p[:, 2] - bilinear_points_reference(elevation, x0, y0, dx, dy, p[:, 0], p[:, 1])

    t = np.full(n, np.nan)
    idx = np.flatnonzero(ok)
    ga = g(idx, t0[idx])
    inside = ga <= 0.0
    t[idx[inside]] = t0[idx[inside]]
    idx, ta, ga = idx[~inside], t0[idx[~inside]], ga[~inside]
    brackets = []  # (rays, ta, ga, tb, gb) of rays that crossed the surface
    k = 1
    while idx.size:
        tb = np.minimum(t0[idx] + k * step[idx], t1[idx])
        gb = g(idx, tb)
        crossed = gb <= 0.0
        brackets.append((idx[crossed], ta[crossed], ga[crossed], tb[crossed], gb[crossed]))
        going = ~crossed & (tb < t1[idx])
        idx, ta, ga = idx[going], tb[going], gb[going]
        k += 1
    if brackets:
        idx, ta, ga, tb, gb = (np.concatenate(parts) for parts in zip(*brackets))
        for _ in range(MAX_BISECTIONS):
            wide = np.flatnonzero(tb - ta > tol)
            if not wide.size:
                break
            tm = 0.5 * (ta[wide] + tb[wide])
            gm = g(idx[wide], tm)
            below = gm <= 0.0
            tb[wide[below]], gb[wide[below]] = tm[below], gm[below]
            ta[wide[~below]], ga[wide[~below]] = tm[~below], gm[~below]
        t[idx] = ta + (tb - ta) * ga / (ga - gb)
    hit = np.isfinite(t)
    points = np.full((n, 3), np.nan)
    points[hit] = o[hit] + t[hit, None] * u[hit]
    return points, t, hit
