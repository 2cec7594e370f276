"""Domain randomisation of rendered RGB images: light, weather, camera and compression.

Randomising nuisance factors that a renderer gets "too clean" (exposure, sensor noise,
focus, compression, haze, daylight) is what makes synthetic images transfer to real
cameras (the randomisation hooks of Omniverse Replicator, BlenderProc and Kubric;
renderers.md goal I3). :class:`RandomizationConfig` holds a range per factor;
:meth:`RandomizationConfig.sample` draws one :class:`RandomizationSetting` per frame (store
it with the frame's metadata: it is the label of the nuisance), and :func:`apply` applies it.
Everything is deterministic given the ``numpy.random.Generator``.

The image is linear RGB in [0, 1] (proportional to scene radiance; 1 = sensor saturation at
the reference daylight and 0 EV). ``apply(..., encoding="srgb")`` accepts and returns sRGB
(IEC 61966-2-1) values instead. The steps, in the order light meets them:

1. **Haze** (Koschmieder 1924): ``I = J t + A (1 - t)``, ``t = exp(-beta d)`` with d the
   per-pixel distance (m; inf or NaN for the sky: t = 0) and A the airlight. The config
   draws the meteorological visibility V and uses ``beta = 3.912 / V`` (the 2 % contrast
   threshold, WMO). beta = 0 leaves the image unchanged.
2. **Time of day** (:func:`daylight`): the image is scaled by the illuminance at the
   sampled solar elevation relative to the reference elevation, plus artificial light, and
   tinted by the light's colour.
3. **Exposure**: the camera's automatic exposure compensates the darkness by up to
   ``max_auto_exposure_ev`` (longer exposure, wider aperture: more photons), then the
   sampled exposure error ``exposure_ev`` multiplies by ``2**ev`` (:func:`exposure`).
4. **Optics blur**: Gaussian, ``sigma`` px (:func:`blur`; defocus and lens MTF).
5. **Sensor noise** (:func:`sensor_noise`): Poisson-Gaussian, shot noise on the photo-electrons
   with the full well as the conversion (1.0 = ``full_well_e`` electrons) plus Gaussian read
   noise (Foi et al. 2008, IEEE TIP 17:1737); saturation at the full well.
6. **Gain**: analog gain recovers the rest of the darkness up to ``max_gain_db``; it
   amplifies signal and noise alike. So night is dark and relatively noisy: few electrons
   (shot-noise SNR = sqrt(N)), read noise comparable to the signal, and the gain amplifying both.
7. **JPEG** (:func:`jpeg`): the sRGB-encoded 8-bit image compressed and decoded in memory
   (Pillow through imageio) at the sampled quality.
"""

from __future__ import annotations

import io
import math
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat, model_validator
from scipy import ndimage

KOSCHMIEDER = 3.912  # -ln(0.02): visibility V = 3.912 / beta at the 2 % contrast threshold
LUMA = np.array([0.2126, 0.7152, 0.0722])  # Rec. 709 / sRGB luminance weights of linear RGB

# --- daylight -----------------------------------------------------------------------------
SOLAR_CONSTANT_W_M2 = 1353.0  # as in Meinel & Meinel's formula
SUN_EFFICACY_LM_W = 105.0  # luminous efficacy of direct sunlight at the ground, ~ 95-115 lm/W
DIFFUSE_SHARE = 0.2  # horizontal diffuse sky illuminance / direct normal illuminance
CHANNEL_WAVELENGTH_UM = np.array([0.61, 0.55, 0.465])  # representative wavelengths of R, G, B
ANGSTROM_BETA, ANGSTROM_ALPHA = 0.1, 1.3  # aerosol optical depth tau_a = beta lambda^-alpha (lambda in um)
# Clear-sky horizontal illuminance (lux) with the sun below the horizon, no moon: AMS Glossary
# of Meteorology ("civil twilight", "nautical twilight": ~3.5-2 lux at -6 deg, ~0.008 lux at
# -12 deg); ~0.001 lux (starlight and airglow, order of magnitude) from -18 deg down.
TWILIGHT_DEG = np.array([-18.0, -12.0, -6.0])
TWILIGHT_LUX = np.array([1e-3, 8e-3, 2.7])


def air_mass(elevation_deg: float) -> float:
    """Relative optical air mass, Kasten & Young (1989), Appl. Opt. 28:4735; valid down to 0 deg."""
    h = max(float(elevation_deg), 0.0)
    return 1.0 / (math.sin(math.radians(h)) + 0.50572 * (h + 6.07995) ** -1.6364)


def _direct_colour(am: float) -> np.ndarray:
    """Spectral transmittance of the direct beam at the channel wavelengths: Rayleigh optical
    depth of Bird & Riordan (1986, J. Clim. Appl. Meteor. 25:87) plus Angstrom aerosol."""
    lam = CHANNEL_WAVELENGTH_UM
    tau = 1.0 / (lam ** 4 * (115.6406 - 1.335 / lam ** 2)) + ANGSTROM_BETA * lam ** -ANGSTROM_ALPHA
    return np.exp(-tau * am)


def daylight(elevation_deg: float, reference_elevation_deg: float = 45.0,
             twilight_rgb: tuple[float, float, float] = (0.8, 0.95, 1.3)) -> tuple[float, np.ndarray]:
    """Clear-sky horizontal illuminance (lux) and the light's colour at a solar elevation.

    Sun above the horizon: direct normal irradiance from Meinel & Meinel (1976, *Applied
    Solar Energy*), ``I = 1353 W/m2 * 0.7 ** (AM ** 0.678)`` with the Kasten-Young air mass,
    times a luminous efficacy of 105 lm/W; horizontal illuminance ``E = K I (sin h + 0.2)``,
    0.2 the diffuse sky share (the image views' modelling choice). This gives ~420 lux with
    the sun on the horizon (AMS Glossary: 410-585 lux at sunset) and ~119 klux at the zenith.
    Below the horizon: log-linear interpolation through the clear-sky twilight illuminances
    (:data:`TWILIGHT_LUX`), constant below -18 deg.

    Colour (linear RGB, luminance 1): the direct beam reddened by Rayleigh and aerosol
    extinction along the air mass (low sun: warm), mixed with the diffuse share, relative
    to the light at ``reference_elevation_deg`` (the camera's fixed white balance, so the
    reference daylight is (1, 1, 1)). Below the horizon the colour goes over to
    ``twilight_rgb`` by -6 deg: the blue hour, skylight made blue by Rayleigh scattering and
    ozone Chappuis absorption (Hulburt 1953, J. Opt. Soc. Am. 43:113); the default tint is
    a modelling choice.
    """
    h = float(elevation_deg)
    ref = _direct_colour(air_mass(reference_elevation_deg))
    s_ref = math.sin(math.radians(reference_elevation_deg))
    white_ref = s_ref * ref + DIFFUSE_SHARE * ref.mean()

    def above(hh: float) -> tuple[float, np.ndarray]:
        am = air_mass(hh)
        dni = SOLAR_CONSTANT_W_M2 * 0.7 ** (am ** 0.678)
        s = math.sin(math.radians(hh))
        lux = SUN_EFFICACY_LM_W * dni * (s + DIFFUSE_SHARE)
        direct = _direct_colour(am)
        colour = (s * direct + DIFFUSE_SHARE * direct.mean()) / white_ref
        return lux, colour / float(LUMA @ colour)

    if h >= 0.0:
        return above(h)
    lux0, colour0 = above(0.0)
    deg = np.concatenate([TWILIGHT_DEG, [0.0]])
    log_lux = np.log(np.concatenate([TWILIGHT_LUX, [lux0]]))
    lux = float(np.exp(np.interp(h, deg, log_lux)))
    tint = np.asarray(twilight_rgb, dtype=float)
    tint = tint / float(LUMA @ tint)
    w = min(-h / 6.0, 1.0)
    colour = (1.0 - w) * colour0 + w * tint
    return lux, colour / float(LUMA @ colour)


# --- single operations ------------------------------------------------------------------
def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """Linear [0, 1] to sRGB-encoded [0, 1] (IEC 61966-2-1)."""
    x = np.clip(linear, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


_SRGB_LUT_SIZE = 4096


def srgb_to_uint8(linear: np.ndarray) -> np.ndarray:
    """8-bit sRGB of linear values in [0, 1], through a 4096-entry table of :func:`srgb_encode`
    (the table is finer than 8-bit output needs: adjacent entries differ by under one code
    except in the darkest 0.3 %, where the exact curve is used)."""
    table = _srgb_table()
    x = np.clip(np.asarray(linear, dtype=np.float32), 0.0, 1.0)
    out = table[(x * (_SRGB_LUT_SIZE - 1) + 0.5).astype(np.int32)]
    dark = x < 0.003
    if dark.any():
        out[dark] = np.round(srgb_encode(x[dark]) * 255.0).astype(np.uint8)
    return out


def _srgb_table() -> np.ndarray:
    global _SRGB_TABLE
    if _SRGB_TABLE is None:
        _SRGB_TABLE = np.round(srgb_encode(np.linspace(0.0, 1.0, _SRGB_LUT_SIZE)) * 255.0).astype(np.uint8)
    return _SRGB_TABLE


_SRGB_TABLE = None


def srgb_decode(encoded: np.ndarray) -> np.ndarray:
    """sRGB-encoded [0, 1] to linear [0, 1] (IEC 61966-2-1)."""
    x = np.clip(encoded, 0.0, 1.0)
    return np.where(x <= 0.04045, x / 12.92, np.power((x + 0.055) / 1.055, 2.4))


def haze(image: np.ndarray, distance_m: np.ndarray | None, beta_per_m: float,
         airlight: float | np.ndarray) -> np.ndarray:
    """Koschmieder haze: ``J t + A (1 - t)``, ``t = exp(-beta d)``; beta = 0 returns a copy.

    ``distance_m`` (H, W): distance from the camera to the surface seen (m); inf or NaN
    (sky) means t = 0. ``airlight``: a scalar or per-channel A.
    """
    image = np.asarray(image, dtype=np.float64)
    if beta_per_m == 0.0:
        return image.copy()
    if beta_per_m < 0:
        raise ValueError(f"beta = {beta_per_m} must be >= 0")
    if distance_m is None:
        raise ValueError("haze with beta > 0 needs the per-pixel distance")
    d = np.asarray(distance_m, dtype=np.float64)
    if d.shape != image.shape[:2]:
        raise ValueError(f"distance has shape {d.shape}; the image is {image.shape[:2]}")
    t = np.exp(-beta_per_m * np.where(np.isnan(d), np.inf, d))[..., None]
    return image * t + np.asarray(airlight, dtype=np.float64) * (1.0 - t)


def exposure(image: np.ndarray, ev: float, clip: bool = True) -> np.ndarray:
    """Scale linear intensity by ``2**ev`` (+1 EV doubles), then clip to [0, 1] unless ``clip=False``."""
    out = np.asarray(image, dtype=np.float64) * 2.0 ** float(ev)
    return np.clip(out, 0.0, 1.0) if clip else out


def blur(image: np.ndarray, sigma_px: float) -> np.ndarray:
    """Gaussian blur of each channel, ``sigma_px`` pixels (0: a copy); edges replicated."""
    image = np.asarray(image, dtype=np.float64)
    if sigma_px <= 0.0:
        return image.copy()
    sigma = (sigma_px, sigma_px) + (0.0,) * (image.ndim - 2)
    return ndimage.gaussian_filter(image, sigma=sigma, mode="nearest", truncate=4.0)


def sensor_noise(image: np.ndarray, full_well_e: float, read_noise_e: float,
                 rng: np.random.Generator) -> np.ndarray:
    """Poisson-Gaussian sensor noise on a linear image (1.0 = full well), saturating at 1.

    Photo-electrons ``n ~ Poisson(x * full_well_e)``, clipped at the full well, plus read
    noise ``N(0, read_noise_e)`` electrons; back to ``(n + r) / full_well_e`` clipped to
    [0, 1]. The variance, ``x / FW + (sigma_r / FW)**2``, is the Poissonian-Gaussian model of
    raw sensor data (Foi et al. 2008): the conversion gain 1 / FW (full scale per electron)
    sets the shot noise, sigma_r the floor.
    """
    x = np.clip(np.asarray(image, dtype=np.float64), 0.0, None)
    electrons = np.minimum(rng.poisson(x * full_well_e).astype(np.float64), full_well_e)
    if read_noise_e > 0:
        electrons += rng.normal(0.0, read_noise_e, size=x.shape)
    return np.clip(electrons / full_well_e, 0.0, 1.0)


def jpeg(image: np.ndarray, quality: int, encoding: Literal["linear", "srgb"] = "linear") -> np.ndarray:
    """JPEG round trip in memory at ``quality`` (1-100, Pillow's scale, 4:2:0 chroma).

    A linear image is sRGB-encoded to 8 bits before compression (as a camera does) and
    decoded back to linear; an ``encoding="srgb"`` image is quantised as it is.
    """
    import imageio.v3 as iio

    image = np.asarray(image, dtype=np.float64)
    encoded = srgb_encode(image) if encoding == "linear" else np.clip(image, 0.0, 1.0)
    data = iio.imwrite("<bytes>", np.rint(encoded * 255.0).astype(np.uint8), extension=".jpeg",
                       quality=int(quality))
    decoded = iio.imread(io.BytesIO(data), extension=".jpeg").astype(np.float64) / 255.0
    return srgb_decode(decoded) if encoding == "linear" else decoded


# --- configuration and per-frame settings ----------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class RandomizationSetting(_Strict):
    """One frame's draw: the values :func:`apply` uses (and the frame's nuisance labels)."""

    exposure_ev: float = 0.0
    full_well_e: PositiveFloat | None = None  # None: no sensor noise
    read_noise_e: NonNegativeFloat = 0.0
    blur_sigma_px: NonNegativeFloat = 0.0
    jpeg_quality: int | None = Field(None, ge=1, le=100)  # None: no compression
    haze_beta_per_m: NonNegativeFloat = 0.0
    airlight: NonNegativeFloat = 0.85
    solar_elevation_deg: float | None = Field(None, ge=-90.0, le=90.0)  # None: reference light
    artificial_lux: NonNegativeFloat = 0.0
    reference_elevation_deg: float = Field(45.0, gt=0.0, le=90.0)
    twilight_rgb: tuple[PositiveFloat, PositiveFloat, PositiveFloat] = (0.8, 0.95, 1.3)
    artificial_rgb: tuple[PositiveFloat, PositiveFloat, PositiveFloat] = (1.0, 0.85, 0.6)
    max_auto_exposure_ev: NonNegativeFloat = 6.0
    max_gain_db: NonNegativeFloat = 24.0


Range = tuple[float, float]


class RandomizationConfig(_Strict):
    """Ranges of the per-frame draws; ``None`` turns a factor off.

    Scale-like factors (full well, visibility) are drawn log-uniformly, the others uniformly;
    a range (a, a) fixes the value. Defaults are moderate: a daytime-to-night, clear-to-hazy,
    decent-to-cheap camera.
    """

    exposure_ev: Range | None = (-1.0, 1.0)
    full_well_e: Range | None = Field((2000.0, 20000.0), description="electrons at full scale (log-uniform)")
    read_noise_e: Range = Field((1.5, 8.0), description="read noise, electrons rms")
    blur_sigma_px: Range | None = (0.0, 1.2)
    jpeg_quality: tuple[int, int] | None = (40, 95)
    visibility_m: Range | None = Field((500.0, 50000.0), description="meteorological visibility (log-uniform); "
                                       "beta = 3.912 / V")
    airlight: Range = Field((0.7, 1.0), description="airlight A, linear, grey, at the reference daylight")
    solar_elevation_deg: Range | None = (-15.0, 70.0)
    artificial_lux: Range = Field((0.0, 30.0), description="street lighting added to the daylight, lux")
    reference_elevation_deg: float = Field(45.0, gt=0.0, le=90.0,
                                           description="solar elevation the unrandomised image is lit at")
    twilight_rgb: tuple[PositiveFloat, PositiveFloat, PositiveFloat] = (0.8, 0.95, 1.3)
    artificial_rgb: tuple[PositiveFloat, PositiveFloat, PositiveFloat] = Field(
        (1.0, 0.85, 0.6), description="colour of the artificial light (warm-white LED)")
    max_auto_exposure_ev: NonNegativeFloat = 6.0
    max_gain_db: NonNegativeFloat = 24.0

    @model_validator(mode="after")
    def _ranges(self):
        bounds = {"full_well_e": (1.0, 1e7), "read_noise_e": (0.0, 1e3), "blur_sigma_px": (0.0, 50.0),
                  "jpeg_quality": (1, 100), "visibility_m": (1.0, 1e7), "airlight": (0.0, 1.0),
                  "solar_elevation_deg": (-90.0, 90.0), "artificial_lux": (0.0, 1e5), "exposure_ev": (-20.0, 20.0)}
        for name, (lo_ok, hi_ok) in bounds.items():
            value = getattr(self, name)
            if value is None:
                continue
            lo, hi = value
            if not lo <= hi:
                raise ValueError(f"{name} = {list(value)}: expected [low, high] with low <= high")
            if lo < lo_ok or hi > hi_ok:
                raise ValueError(f"{name} = {list(value)} outside [{lo_ok}, {hi_ok}]")
        return self

    def sample(self, rng: np.random.Generator) -> RandomizationSetting:
        """One frame's setting; the draws are always made in the same order (reproducible)."""

        def uniform(r: Range) -> float:
            return float(rng.uniform(r[0], r[1]))

        def log_uniform(r: Range) -> float:
            return float(math.exp(rng.uniform(math.log(r[0]), math.log(r[1]))))

        return RandomizationSetting(
            exposure_ev=uniform(self.exposure_ev) if self.exposure_ev else 0.0,
            full_well_e=log_uniform(self.full_well_e) if self.full_well_e else None,
            read_noise_e=uniform(self.read_noise_e) if self.full_well_e else 0.0,
            blur_sigma_px=uniform(self.blur_sigma_px) if self.blur_sigma_px else 0.0,
            jpeg_quality=int(rng.integers(self.jpeg_quality[0], self.jpeg_quality[1] + 1))
            if self.jpeg_quality else None,
            haze_beta_per_m=KOSCHMIEDER / log_uniform(self.visibility_m) if self.visibility_m else 0.0,
            airlight=uniform(self.airlight),
            solar_elevation_deg=uniform(self.solar_elevation_deg) if self.solar_elevation_deg else None,
            artificial_lux=uniform(self.artificial_lux) if self.solar_elevation_deg else 0.0,
            reference_elevation_deg=self.reference_elevation_deg,
            twilight_rgb=self.twilight_rgb,
            artificial_rgb=self.artificial_rgb,
            max_auto_exposure_ev=self.max_auto_exposure_ev,
            max_gain_db=self.max_gain_db,
        )


def illumination(setting: RandomizationSetting) -> np.ndarray:
    """Per-channel factor of the scene light relative to the reference daylight (step 2)."""
    if setting.solar_elevation_deg is None:
        return np.ones(3)
    ref_lux, _ = daylight(setting.reference_elevation_deg, setting.reference_elevation_deg)
    lux, colour = daylight(setting.solar_elevation_deg, setting.reference_elevation_deg, setting.twilight_rgb)
    art = np.asarray(setting.artificial_rgb, dtype=float)
    art = art / float(LUMA @ art)
    return (lux * colour + setting.artificial_lux * art) / ref_lux


def apply(image: np.ndarray, depth: np.ndarray | None, setting: RandomizationSetting,
          rng: np.random.Generator, encoding: Literal["linear", "srgb"] = "linear") -> np.ndarray:
    """The randomised image (float32, (H, W, 3), [0, 1]) of ``image`` under ``setting``.

    ``depth`` (H, W): distance to the camera in m for the haze (inf/NaN = sky); may be None
    when the setting has no haze. ``rng`` draws the sensor noise only. ``encoding``: whether
    ``image`` (and the result) is linear or sRGB-encoded. The input is not modified.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image has shape {image.shape}; expected (H, W, 3)")
    x = srgb_decode(image) if encoding == "srgb" else np.clip(image, 0.0, 1.0)
    x = haze(x, depth, setting.haze_beta_per_m, setting.airlight)
    light = illumination(setting)
    x = x * light
    deficit_ev = max(-math.log2(max(float(LUMA @ light), 1e-12)), 0.0)
    auto_ev = min(deficit_ev, setting.max_auto_exposure_ev)
    x = exposure(x, auto_ev + setting.exposure_ev, clip=False)
    x = blur(x, setting.blur_sigma_px)
    if setting.full_well_e is not None:
        x = sensor_noise(x, setting.full_well_e, setting.read_noise_e, rng)
    else:
        x = np.clip(x, 0.0, 1.0)
    gain = min(2.0 ** (deficit_ev - auto_ev), 10.0 ** (setting.max_gain_db / 20.0))
    x = np.clip(x * gain, 0.0, 1.0)
    if setting.jpeg_quality is not None:
        x = jpeg(x, setting.jpeg_quality)
    out = srgb_encode(x) if encoding == "srgb" else x
    return out.astype(np.float32)
