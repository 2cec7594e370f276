"""Sound of a wildfire: the roar of its flames and the crackle of its fuel.

Both sources sit on the flaming cells (``fire_state`` = flaming) at half their flame length
and scale with the cell's heat release rate q (kW m-2, ``heat_release_rate``), the
quantity that sets the turbulent combustion that makes the noise.

Roar (``wildfire_roar``). Turbulent flames radiate a small fraction of their heat release as
combustion noise: thermoacoustic efficiencies of open turbulent flames measured in the
laboratory lie between 1e-8 and 1e-5 (Strahle 1978, Prog. Energy Combust. Sci. 4:157;
Rajaram & Lieuwen 2009, J. Fluid Mech. 637:357). Here

    W_roar = eta_r q A,     eta_r = 1e-7     (modelling choice within that range)

so a grass-fire head 300 m wide releasing 50 kW m-2 over a 10 m deep flaming zone (150 MW)
radiates 15 W, 132 dB re 1 pW, about 80 dB at 100 m: the "freight train" of a running fire.
Spectrum, after the field recordings of Khamukhin & Bertoldo (2016, "Spectral analysis of
forest fire noise for early detection using wireless sensor networks", Int. Siberian Conf.
on Control and Communications): the noise of surface fires is red (power per one-third
octave band falling as 1/f from 25 Hz), that of crown fires concentrated between 250 and
450 Hz (a log-normal band centred at 335 Hz with a standard deviation of 0.1 decade here).

Crackle (``wildfire_crackle``). Burning vegetation pops as steam and pyrolysis gases burst
out of fuel particles; laboratory burns found these impulses' spectra to differ with species
and water stress at 6-15 kHz ("Vegetation effects on impulsive events in the acoustic
signature of fires", J. Acoust. Soc. Am. 141:557, 2017). Modelling choice: a tenth of the
roar's power, spread evenly over the one-third octaves from 5 to 16 kHz.
"""

from __future__ import annotations

import numpy as np

from models.wildfire.effects import FLAMING
from sim.render.sound.bands import BAND_CENTRES_HZ, AcousticSource, aggregate, block_size, power_db

ROAR_LABEL = "wildfire_roar"
CRACKLE_LABEL = "wildfire_crackle"
ROAR_EFFICIENCY = 1e-7
CRACKLE_SHARE = 0.1
CROWN_PEAK_HZ = 335.0
CROWN_WIDTH_DECADES = 0.1
CRACKLE_BAND_HZ = (5000.0, 16000.0)


def surface_band_fractions() -> np.ndarray:
    """Red noise: band power proportional to 1 / f_m (sums to 1)."""
    weights = 1.0 / BAND_CENTRES_HZ
    return weights / weights.sum()


def crown_band_fractions() -> np.ndarray:
    """Power concentrated around 335 Hz (log-normal in frequency; sums to 1)."""
    x = np.log10(BAND_CENTRES_HZ / CROWN_PEAK_HZ) / CROWN_WIDTH_DECADES
    weights = np.exp(-0.5 * x * x)
    return weights / weights.sum()


def crackle_band_fractions() -> np.ndarray:
    inside = (BAND_CENTRES_HZ >= CRACKLE_BAND_HZ[0]) & (BAND_CENTRES_HZ <= CRACKLE_BAND_HZ[1])
    return inside / inside.sum()


def acoustic_sources(model, state, t: float) -> list[AcousticSource]:
    """Roar and crackle of the flaming cells at t (nothing when nothing flames)."""
    grid = model.grid
    flaming = np.asarray(state["fire_state"]) == FLAMING
    if not flaming.any():
        return []
    release_w_m2 = np.where(flaming, np.asarray(state["heat_release_rate"], dtype=float) * 1e3, 0.0)
    power = ROAR_EFFICIENCY * release_w_m2 * grid.cell_area_m2
    crown = np.where(flaming & (np.asarray(state["fire_type"]) >= 2), 1.0, 0.0)
    height = model.landscape.elevation_m + 0.5 * np.asarray(state["flame_length"], dtype=float)
    b = block_size(grid.shape)
    positions, block_power, (crown_share,) = aggregate(power, grid.x, grid.y, height, b, crown)
    if block_power.size == 0:
        return []
    spectrum = (1.0 - crown_share)[:, None] * surface_band_fractions() + crown_share[:, None] * crown_band_fractions()
    roar = AcousticSource(ROAR_LABEL, positions, power_db(block_power[:, None] * spectrum))
    crackle = AcousticSource(CRACKLE_LABEL, positions,
                             power_db(CRACKLE_SHARE * block_power[:, None] * crackle_band_fractions()))
    return [roar, crackle]
