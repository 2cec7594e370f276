"""What a camera sees of a geomagnetic storm: the aurora (:mod:`models.geomagnetic.aurora`).

At scenario time t (UTC = the driver's start + t) the oval's activity level follows the
model's Kp of that 3-hour interval and its brightness the hemispheric power of the hourly
driver; without Kp or the IMF By the power needs (an OMNI hourly CSV driver), there is no
aurora to show.
"""

from __future__ import annotations

import math

import numpy as np

from models.geomagnetic.aurora import AuroraSky, activity_q, hemispheric_power_gw, oval_area_m2
from sim.render.images.layers import SceneLayers


def visual_layers(model, state, t: float) -> SceneLayers:
    k = min(int(t // model.wind.cadence_s), len(model.wind) - 1)
    kp = float(model.kp[k])
    drive = model.drive
    power = float(hemispheric_power_gw(drive["speed"][k], drive["by_gsm"][k], drive["bz_gsm"][k],
                                       drive["density"][k]))
    if not (math.isfinite(kp) and math.isfinite(power)):
        return SceneLayers()
    q = float(activity_q(kp))
    flux = power * 1e9 / oval_area_m2(q) * 1e3  # W m-2 -> mW m-2
    time = model.wind.time[0] + np.timedelta64(int(round(t * 1000)), "ms")
    return SceneLayers(aurora=AuroraSky(time, q, flux))
