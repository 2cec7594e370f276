"""From scene layers to the three views: visible colour, thermal infrared, optical gas imaging.

Each pixel of a camera sees one ground point (x, y) (:mod:`sim.render.images.cameras`); the
scene layers are sampled there bilinearly (the renderers' one interpolation kernel), masks
by nearest cell.

**Visible (rgb).** Reflected sunlight, linear in radiance, then sRGB-encoded:

    I = rho (E_sun max(0, cos i) + E_sky)

with rho the surface reflectance per channel, i the local solar incidence angle on the
terrain (Horn 1981 slope and aspect from the elevation's gradient; cos i = cos Z cos s +
sin Z sin s cos(A - a), Z the solar zenith, A its azimuth, s the slope, a the aspect) and
E_sky = 0.2 E_sun a diffuse sky share (modelling choice). Over water of depth d the
reflectance blends the bottom and the water column by two-way Beer-Lambert attenuation
(the shallow-water reflectance model of Lyzenga 1978, Appl. Opt. 17:379):

    rho = rho_bottom exp(-2 K d) + rho_deep (1 - exp(-2 K d))

with K the diffuse attenuation coefficient per channel. Floodwater is turbid: K of order
1-10 m-1 from suspended sediment (Kirk 2011, Light and Photosynthesis in Aquatic
Ecosystems, ch. 6); K = (1.5, 2.0, 3.0) m-1 for (R, G, B) and the brownish rho_deep are
modelling choices, as are the ground and roof reflectances (of the order of the USGS
spectral library's grass, soil and concrete in the visible). Gas is invisible in visible
light (the Gaussian model has no condensing cloud; see ``models/gas_dispersion/visuals.py``).
Smoke (a 3-D extinction field kappa, where a model gives one) is crossed by each pixel's ray
from the camera to what it sees; exact voxel traversal gives tau = integral kappa dl and the
image is T L + (1 - T) L_smoke, T = exp(-tau), with L_smoke the light on the terrain times
a grey smoke albedo (no in-scattering: a modelling choice for soot, which absorbs far more
than it scatters). Soot is nearly transparent to LWIR and MWIR, so the infrared views ignore it.

**Fog.** A cold gas cloud's condensed humidity (``fog_*`` layers: droplets of extinction beta
filling a ground-hugging layer of depth h, :func:`models.gas_dispersion.thermo.fog_mixing`) is
crossed by the pixel's ray near its ground point: the vertical optical depth beta h is sampled
there and, like the OGI gas column, the slant path is 1 / cos(theta_v) times it (thin layer).
Water droplets scatter visible light and hardly absorb it (single-scattering albedo above 0.9999:
the imaginary index of water is of order 1e-9 at 400-700 nm, Hale & Querry 1973, Appl. Opt.
12:555), so the fog is white: T L + (1 - T) L_fog, T = exp(-tau), with L_fog the radiance of a
white Lambertian plane under the light falling on a horizontal fog top (sun and sky), the limit a
thick non-absorbing layer reaches (its reflectance tends to 1). Forward-scattered light of the
ground, which still reaches the camera blurred, is counted as fog light: thin fog is somewhat
too white (a modelling choice; no blur, every pixel stands alone). In the LWIR the droplets
absorb and emit (:func:`sim.render.images.radiometry.fog_emissivity`): the fog shows at the
cloud's (cold) temperature. The OGI view (3.2-3.4 um) does not render fog: no sourced droplet
absorption in that filter is held here.

**Fire.** A burned surface is char and ash: its reflectance is blended toward CHAR_RGB by the
burned fraction (modelling choice: black char of a few per cent reflectance; white ash,
brighter, is not distinguished). Flames are self-luminous: a pixel whose ground cell has a
share f of its area in flame of emissivity eps_f at temperature T_f adds the flame's
radiance, eps_f B_lambda(T_f) at the channel's wavelength (Planck's law), in the image's
units, where a white Lambertian plane under the sun reads ``exposure`` (its radiance is
E_sun,lambda / pi):

    I_flame = exposure f eps_f pi B_lambda(T_f) / E_sun,lambda

with E_sun,lambda the clear-sky solar spectral irradiance at the ground at the channel's
wavelength (R 610, G 550, B 465 nm; ASTM G173 global tilted spectrum, about 1.5 W m-2 nm-1
in each). Flames at 1100 K in daylight are therefore dim and red (the 610 nm radiance of a
blackbody at 1100 K is a thousandth of sunlit white paper), bright at night, as they are. In
the infrared views the flame share adds eps_f L_band(T_f) in place of the ground it hides.

**People.** A model's agents (:class:`~sim.render.images.layers.Agents`) are seen by their
top-down footprint: a pixel whose ground point lies within an agent's radius of its centre
is that person (where footprints overlap, the agent whose centre is nearest relative to its
radius). A pinhole camera uses the same ground footprint test at its ray's ground hit (people
are not drawn as upright bodies: a modelling simplification, exact for a nadir view). The
search is a bucket grid of agents (cells no smaller than the largest radius, 3 x 3 cells per
pixel) in one compiled loop. In visible light a person has a clothing reflectance picked
from PERSON_PALETTE_RGB by a hash of the agent id (deterministic; the palette, of the order
of dyed textiles' visible reflectances, is a modelling choice), lit like the ground. In the
infrared views a person is a clothed human surface at PERSON_TEMPERATURE_K = 306 K with
emissivity PERSON_EMISSIVITY = 0.98: 306 K (33 C) is the mean skin temperature of a person in
thermal comfort (Fanger 1970, Thermal Comfort; ISO 9886:2004 gives 33-34 C); clothing
surfaces are somewhat cooler, so 306 K is a modelling choice at the warm end; the emissivity
is that of human skin (Steketee 1973, Phys. Med. Biol. 18:686, 0.98 over 3-14 um), textiles
being 0.95-0.98.

**Thermal (LWIR 8-14 um).** The surface at temperature T_s with emissivity eps, reflecting
the sky, seen through the air (:mod:`sim.render.images.radiometry`); the image is the
brightness temperature. Dry ground and roofs are at the ground temperature (the air
temperature unless given: sunlit ground is warmer), water at the water temperature: a flood
shows as a colder or warmer sheet.

**Optical gas imaging (3.2-3.4 um, cooled MWIR).** The thermal background in the OGI band
seen through the gas column CL at the air temperature: L = tau_g L_bg + (1 - tau_g) B(T_g),
tau_g = exp(-sigma CL). The gas shows only where the background differs in temperature from
it (the thermal contrast OGI relies on). An oblique pinhole ray crosses a near-ground layer
over a length 1 / cos(theta_v) times its depth (theta_v the view zenith angle): the slant
column is the vertical one over cos(theta_v) (thin-layer approximation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numba import njit

from sim.grid import RasterGrid
from sim.kernels.interpolation import bilinear_points
from sim.render.images.layers import Agents, SceneLayers

# Reflectances (linear, R, G, B): modelling choices of the order of the USGS library's.
# Per land-cover class (layers.LAND_COVER_CLASSES), linear R, G, B at 610, 550, 465 nm: broadband
# visible reflectances of the order of the USGS spectral library's (Kokaly et al. 2017, USGS Data
# Series 1035) and of Landsat surface-reflectance composites: green grass with its chlorophyll
# green peak, darker shrub and darker still closed conifer/broadleaf canopy (shadowed crowns),
# brighter cropland and dry soil, grey concrete and asphalt, dark clear water, fresh snow ~0.8-0.9.
LAND_COVER_RGB = np.array([
    [0.10, 0.14, 0.07],  # grass
    [0.09, 0.10, 0.06],  # shrub
    [0.04, 0.06, 0.03],  # forest
    [0.16, 0.17, 0.10],  # agriculture
    [0.22, 0.21, 0.20],  # urban
    [0.03, 0.04, 0.05],  # water
    [0.85, 0.87, 0.90],  # snow
    [0.26, 0.21, 0.16],  # bare
])
GROUND_RGB = LAND_COVER_RGB[0]  # ground of unknown cover: grass and soil
ROOF_RGB = np.array([0.30, 0.28, 0.27])  # concrete and tiles
WATER_DEEP_RGB = np.array([0.09, 0.07, 0.04])  # turbid floodwater, brownish
WATER_K_PER_M = np.array([1.5, 2.0, 3.0])  # diffuse attenuation of turbid water, R G B
SKY_SHARE = 0.2
C_TO_K = 273.15
CHAR_RGB = np.array([0.04, 0.04, 0.04])  # charred vegetation and soil
CHANNEL_WAVELENGTH_M = np.array([610e-9, 550e-9, 465e-9])
SOLAR_IRRADIANCE_W_M2_NM = np.array([1.45, 1.50, 1.50])  # ASTM G173 global tilt near each wavelength
PLANCK_C1 = 1.191042972e-16  # 2 h c^2, W m2 sr-1
PLANCK_C2 = 1.438776877e-2  # h c / k, m K
# People (module docstring): clothing reflectances (linear R, G, B), skin and clothing in the LWIR.
PERSON_PALETTE_RGB = np.array([
    [0.05, 0.05, 0.06],  # black
    [0.35, 0.35, 0.36],  # grey
    [0.06, 0.09, 0.25],  # navy / denim
    [0.45, 0.08, 0.07],  # red
    [0.55, 0.50, 0.42],  # beige
    [0.10, 0.25, 0.10],  # green
    [0.60, 0.45, 0.06],  # yellow / ochre
    [0.70, 0.70, 0.70],  # white
])
PERSON_TEMPERATURE_K = 306.0
PERSON_EMISSIVITY = 0.98
_MAX_BUCKETS_PER_AGENT = 4


@dataclass
class PixelScene:
    """The scene at the ground point of every pixel of a frame (each (H, W))."""

    elevation_m: np.ndarray
    slope_rad: np.ndarray
    aspect_rad: np.ndarray
    water_depth_m: np.ndarray
    building: np.ndarray
    surface_temperature_K: tuple[np.ndarray, np.ndarray] | None  # (weighted sum, weight) of the given cells
    gas_column_ppm_m: dict[str, np.ndarray]
    valid: np.ndarray  # the pixel sees the scene (a pinhole ray that missed does not)
    flame_share: np.ndarray | None = None
    flame_emissivity: np.ndarray | None = None
    burned_fraction: np.ndarray | None = None
    person: np.ndarray | None = None  # index of the agent the pixel sees (-1 none)
    person_id: np.ndarray | None = None  # its id (-1 none)
    crowd_density_per_m2: np.ndarray | None = None
    fog_optical_depth: np.ndarray | None = None  # vertical visible optical depth beta h of the fog
    fog_liquid_water_path_kg_m2: np.ndarray | None = None
    fog_temperature_K: np.ndarray | None = None
    land_cover: np.ndarray | None = None  # LAND_COVER_CLASSES index of the ground (-1 unknown)


@njit(cache=True)
def _footprint_kernel(ax, ay, ar, start, members, bx0, by0, h, nbx, nby, xs, ys, valid, out):
    for p in range(xs.size):
        out[p] = -1
        if not valid[p]:
            continue
        x, y = xs[p], ys[p]
        fi = math.floor((x - bx0) / h)
        fj = math.floor((y - by0) / h)
        if fi < -1 or fj < -1 or fi > nbx or fj > nby:
            continue
        best = -1
        best_q = 1.0
        for j in range(max(fj - 1, 0), min(fj + 2, nby)):
            for i in range(max(fi - 1, 0), min(fi + 2, nbx)):
                c = j * nbx + i
                for k in range(start[c], start[c + 1]):
                    a = members[k]
                    dx = x - ax[a]
                    dy = y - ay[a]
                    q = (dx * dx + dy * dy) / (ar[a] * ar[a])
                    if q <= best_q:
                        if q < best_q or best < 0 or a < best:
                            best = a
                            best_q = q
        out[p] = best


def agent_footprint(agents: Agents, xs: np.ndarray, ys: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """(H, W) index of the agent whose footprint holds each pixel's ground point (-1: none).

    A bucket grid over the agents' bounding box, cells at least the largest radius (so the 3 x 3
    cells around a point hold every agent within reach), coarsened to at most
    ``_MAX_BUCKETS_PER_AGENT`` cells per agent.
    """
    n = len(agents)
    shape = np.shape(xs)
    if n == 0:
        return np.full(shape, -1, dtype=np.int64)
    ax = np.ascontiguousarray(agents.positions_m[:, 0])
    ay = np.ascontiguousarray(agents.positions_m[:, 1])
    ar = np.ascontiguousarray(agents.radii_m)
    r_max = float(ar.max())
    bx0, by0 = float(ax.min()) - r_max, float(ay.min()) - r_max
    wx, wy = float(ax.max()) + r_max - bx0, float(ay.max()) + r_max - by0
    h = max(r_max, 1e-9)
    cells = _MAX_BUCKETS_PER_AGENT * n + 16
    if (wx / h + 1) * (wy / h + 1) > cells:
        h = max(h, math.sqrt(wx * wy / cells), wx / cells, wy / cells)
    nbx, nby = int(wx // h) + 1, int(wy // h) + 1
    bucket = (np.minimum(((ay - by0) // h).astype(np.int64), nby - 1) * nbx
              + np.minimum(((ax - bx0) // h).astype(np.int64), nbx - 1))
    members = np.argsort(bucket, kind="stable").astype(np.int64)
    start = np.zeros(nbx * nby + 1, dtype=np.int64)
    np.cumsum(np.bincount(bucket, minlength=nbx * nby), out=start[1:])
    ok = np.ones(shape, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    out = np.empty(int(np.prod(shape)), dtype=np.int64)
    _footprint_kernel(ax, ay, ar, start, members, bx0, by0, h, nbx, nby,
                      np.ascontiguousarray(xs, dtype=np.float64).ravel(),
                      np.ascontiguousarray(ys, dtype=np.float64).ravel(), ok.ravel(), out)
    return out.reshape(shape)


def person_palette_index(ids: np.ndarray) -> np.ndarray:
    """Palette row of each agent id: a fixed integer hash (Knuth's multiplicative), deterministic."""
    h = (np.asarray(ids, dtype=np.int64).astype(np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
    return ((h >> np.uint64(16)) % np.uint64(len(PERSON_PALETTE_RGB))).astype(np.int64)


def _sample(field: np.ndarray, grid: RasterGrid, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    out = np.empty(xs.size)
    bilinear_points(np.ascontiguousarray(field, dtype=np.float64), grid.x0, grid.y0, grid.dx, grid.dy,
                    xs.ravel(), ys.ravel(), out)
    return out.reshape(xs.shape)


def _sample_where_given(field: np.ndarray, grid: RasterGrid, xs: np.ndarray, ys: np.ndarray):
    """Bilinear interpolation of a field given only on some cells (NaN elsewhere), split in two:
    (the given cells' weighted sum, the weight they hold). The caller completes it with its own
    value v on the other cells, sum + (1 - weight) v: the bilinear value of the filled field."""
    given = np.isfinite(field)
    if given.all():
        return _sample(field, grid, xs, ys), np.ones(xs.shape)
    weight = _sample(given.astype(np.float64), grid, xs, ys)
    return _sample(np.where(given, field, 0.0), grid, xs, ys), weight


def _nearest(mask: np.ndarray, grid: RasterGrid, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    i = np.clip(np.floor((xs - grid.x0) / grid.dx).astype(np.int64), 0, grid.nx - 1)
    j = np.clip(np.floor((ys - grid.y0) / grid.dy).astype(np.int64), 0, grid.ny - 1)
    return mask[j, i]


def slope_aspect(elevation: np.ndarray, grid: RasterGrid) -> tuple[np.ndarray, np.ndarray]:
    """Slope and aspect (radians; aspect the compass azimuth of the downhill direction)."""
    dz_dy, dz_dx = np.gradient(elevation, grid.dy, grid.dx) if min(elevation.shape) > 1 else (
        np.zeros_like(elevation), np.zeros_like(elevation))
    slope = np.arctan(np.hypot(dz_dx, dz_dy))
    aspect = np.arctan2(-dz_dx, -dz_dy) % (2 * np.pi)  # downhill: east component -dz/dx, north -dz/dy
    return slope, aspect


def sample_scene(scene: SceneLayers, grid: RasterGrid, xs: np.ndarray, ys: np.ndarray,
                 valid: np.ndarray | None = None, terrain_cache: dict | None = None) -> PixelScene:
    """The layers at the ground points (xs, ys) of a frame's pixels.

    ``terrain_cache`` (a dict kept by the caller per camera) keeps the sampled terrain,
    slope and aspect while the elevation and the ground points are the same as last time.
    """
    elevation = scene.elevation_m if scene.elevation_m is not None else np.zeros(grid.shape)
    cache = terrain_cache if terrain_cache is not None else {}
    if not (cache and np.array_equal(cache["elevation"], elevation) and np.array_equal(cache["xs"], xs)
            and np.array_equal(cache["ys"], ys)):
        slope, aspect = slope_aspect(elevation, grid)
        # Aspect is an angle: sample its sine and cosine, not the angle itself.
        sin_a, cos_a = _sample(np.sin(aspect), grid, xs, ys), _sample(np.cos(aspect), grid, xs, ys)
        cache.update(elevation=np.array(elevation, copy=True), xs=np.array(xs, copy=True), ys=np.array(ys, copy=True),
                     sampled=(_sample(elevation, grid, xs, ys), _sample(slope, grid, xs, ys),
                              np.arctan2(sin_a, cos_a) % (2 * np.pi)))
    elevation_px, slope_px, aspect_px = cache["sampled"]
    depth = scene.water_depth_m
    building = scene.building_mask if scene.building_mask is not None else np.zeros(grid.shape, dtype=bool)
    px = PixelScene(
        elevation_m=elevation_px,
        slope_rad=slope_px,
        aspect_rad=aspect_px,
        water_depth_m=np.maximum(_sample(depth, grid, xs, ys), 0.0) if depth is not None else np.zeros(xs.shape),
        building=_nearest(building, grid, xs, ys),
        surface_temperature_K=(_sample_where_given(scene.surface_temperature_K, grid, xs, ys)
                               if scene.surface_temperature_K is not None else None),  # (sum, weight)
        gas_column_ppm_m={gas: np.maximum(_sample(c, grid, xs, ys), 0.0) for gas, c in scene.gas_column_ppm_m.items()},
        valid=np.ones(xs.shape, dtype=bool) if valid is None else valid,
        # Flames by the nearest cell: a flaming cell's pixels all see its (cell-averaged) flame.
        flame_share=_nearest(scene.flame_share, grid, xs, ys) if scene.flame_share is not None else None,
        flame_emissivity=(_nearest(scene.flame_emissivity, grid, xs, ys)
                          if scene.flame_emissivity is not None else None),
        burned_fraction=(np.clip(_sample(scene.burned_fraction, grid, xs, ys), 0.0, 1.0)
                         if scene.burned_fraction is not None else None),
        crowd_density_per_m2=(np.maximum(_sample(scene.crowd_density_per_m2, grid, xs, ys), 0.0)
                              if scene.crowd_density_per_m2 is not None else None),
    )
    if scene.fog_extinction_per_m is not None:
        depth = scene.fog_depth_m if scene.fog_depth_m is not None else np.zeros(grid.shape)
        px.fog_optical_depth = np.maximum(_sample(scene.fog_extinction_per_m * depth, grid, xs, ys), 0.0)
        if scene.fog_liquid_water_path_kg_m2 is not None:
            px.fog_liquid_water_path_kg_m2 = np.maximum(_sample(scene.fog_liquid_water_path_kg_m2, grid, xs, ys), 0.0)
        if scene.fog_temperature_K is not None:
            px.fog_temperature_K = _sample(scene.fog_temperature_K, grid, xs, ys)
    if scene.land_cover is not None:  # classes by the nearest cell: a class is not averaged
        px.land_cover = _nearest(np.asarray(scene.land_cover, dtype=np.int8), grid, xs, ys)
    if scene.agents is not None and len(scene.agents):
        person = agent_footprint(scene.agents, xs, ys, px.valid)
        px.person = person
        px.person_id = np.where(person >= 0, scene.agents.ids[np.maximum(person, 0)], -1)
    return px


def solar_incidence_cos(px: PixelScene, sun_azimuth_deg: float, sun_elevation_deg: float) -> np.ndarray:
    """cos i of the sunlight on the local terrain (Horn 1981), 0 where in self-shadow."""
    zenith = math.radians(90.0 - sun_elevation_deg)
    azimuth = math.radians(sun_azimuth_deg)
    cos_i = math.cos(zenith) * np.cos(px.slope_rad) + math.sin(zenith) * np.sin(px.slope_rad) * np.cos(
        azimuth - px.aspect_rad)
    return np.maximum(cos_i, 0.0)


def reflectance_rgb(px: PixelScene) -> np.ndarray:
    """(H, W, 3) linear reflectance: the ground's land cover (or grass and soil) or roofs, under water
    blended by depth."""
    ground = GROUND_RGB
    if px.land_cover is not None:
        ground = np.where(px.land_cover[..., None] >= 0, LAND_COVER_RGB[np.maximum(px.land_cover, 0)], GROUND_RGB)
    rho = np.where(px.building[..., None], ROOF_RGB, ground).astype(np.float32)
    if px.burned_fraction is not None:
        burned = px.burned_fraction[..., None]
        rho = (rho * (1.0 - burned) + CHAR_RGB * burned).astype(np.float32)
    wet = px.water_depth_m > 0
    if wet.any():  # only wet pixels pay for the attenuation
        attenuation = np.exp(-2.0 * WATER_K_PER_M * px.water_depth_m[wet][:, None])
        rho[wet] = rho[wet] * attenuation + WATER_DEEP_RGB * (1.0 - attenuation)
    if px.person is not None:
        seen = px.person >= 0
        if seen.any():
            rho[seen] = PERSON_PALETTE_RGB[person_palette_index(px.person_id[seen])]
    return rho


def illumination(px: PixelScene, sun_azimuth_deg: float, sun_elevation_deg: float, exposure: float = 2.5) -> np.ndarray:
    """(H, W) light falling on the local terrain, E_sun cos i + E_sky, in units of the image: a
    white Lambertian plane facing a zenith sun reads ``exposure``."""
    sun = 1.0 if sun_elevation_deg > 0 else 0.0
    light = sun * solar_incidence_cos(px, sun_azimuth_deg, sun_elevation_deg) + SKY_SHARE * max(
        math.sin(math.radians(sun_elevation_deg)), 0.02)
    return exposure * light


def horizontal_illumination(sun_elevation_deg: float, exposure: float = 2.5) -> float:
    """Light on a horizontal plane (the top of a fog layer), in the units of :func:`illumination`."""
    sine = math.sin(math.radians(sun_elevation_deg))
    return exposure * ((1.0 if sun_elevation_deg > 0 else 0.0) * max(sine, 0.0) + SKY_SHARE * max(sine, 0.02))


def rgb_view(px: PixelScene, sun_azimuth_deg: float, sun_elevation_deg: float, exposure: float = 2.5) -> np.ndarray:
    """Linear radiance image (H, W, 3): reflectance times :func:`illumination`; 0 where the
    pixel sees nothing."""
    image = reflectance_rgb(px) * illumination(px, sun_azimuth_deg, sun_elevation_deg, exposure)[..., None]
    return np.where(px.valid[..., None], image, 0.0)


def planck_spectral_radiance(wavelength_m, temperature_K):
    """B_lambda(T) in W m-2 sr-1 nm-1.

    >>> round(float(planck_spectral_radiance(550e-9, 5772.0)) / 1e4, 2)  # the sun's surface
    2.57
    """
    lam = np.asarray(wavelength_m, dtype=float)
    return PLANCK_C1 / lam**5 / np.expm1(PLANCK_C2 / (lam * temperature_K)) * 1e-9


def flame_view_share(px: PixelScene) -> np.ndarray | None:
    """f eps_f per pixel: the share of the pixel's radiance that is flame (None: no fire)."""
    if px.flame_share is None:
        return None
    emissivity = px.flame_emissivity if px.flame_emissivity is not None else 1.0
    return np.where(px.valid, px.flame_share * emissivity, 0.0)


def flame_rgb(px: PixelScene, flame_temperature_K: float, exposure: float = 2.5) -> np.ndarray | None:
    """(H, W, 3) linear radiance the flames add, in the units of :func:`rgb_view`."""
    share = flame_view_share(px)
    if share is None or not share.any():
        return None
    relative = np.pi * planck_spectral_radiance(CHANNEL_WAVELENGTH_M, flame_temperature_K) / SOLAR_IRRADIANCE_W_M2_NM
    return exposure * share[..., None] * relative


def surface_temperature_K(px: PixelScene, ground_temperature_c: float, water_temperature_c: float,
                          water_threshold_m: float) -> np.ndarray:
    """The layer's temperature where a model gives one (not NaN); else water at the water temperature
    (deeper than the threshold) and dry ground and roofs at the ground temperature; people at
    PERSON_TEMPERATURE_K over all of it."""
    default = np.where(px.water_depth_m > water_threshold_m, water_temperature_c + C_TO_K, ground_temperature_c + C_TO_K)
    if px.surface_temperature_K is not None:  # NaN cells of the layer take the defaults
        given_sum, weight = px.surface_temperature_K
        surface = given_sum + (1.0 - weight) * default
    else:
        surface = default
    if px.person is not None:
        surface = np.where(px.person >= 0, PERSON_TEMPERATURE_K, surface)
    return surface


def person_emissivity(px: PixelScene, emissivity: np.ndarray) -> np.ndarray:
    """The surface emissivity with PERSON_EMISSIVITY where a pixel sees a person."""
    if px.person is None:
        return emissivity
    return np.where(px.person >= 0, PERSON_EMISSIVITY, emissivity)
