"""``hazsim bench geomagnetic``: a year of 1-minute solar wind through every index model.

The driver is synthetic (a quiet wind with Kolmogorov turbulence and a CME every 10 days, so
the models see storms as well as quiet time): 525,600 samples. Timed, each the best of a few
runs after one that compiles: the Burton and O'Brien-McPherron ring currents, Kp (Newell et
al. 2008) with its 3-hour means, and the Newell coupling function; then all of them together.
The issue's target is one year in under 1 s for every model together.
"""

from __future__ import annotations

import numpy as np

from models.geomagnetic import ring_current, synthetic
from models.geomagnetic.kp import kp_from_solar_wind, three_hour_means
from sim.bench import best_seconds

MINUTE_S = 60.0


def year_of_wind(days: int):
    rng = np.random.default_rng(2024)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    wind = synthetic.quiet_wind(start, days * 86400.0, MINUTE_S, rng)
    for day in range(5, days - 2, 10):
        wind = synthetic.cme(wind, start + np.timedelta64(day * 86400, "s"), rng, cme_speed_km_s=900.0,
                             cloud_b0_nT=30.0, axis_lat_deg=-80.0)
    return wind


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    days = 30 if quick else 365
    wind = year_of_wind(days)
    n = len(wind)

    def burton():
        ring_current.dst_response(ring_current.BURTON, MINUTE_S, wind.speed, wind.bz_gsm, wind.pressure, 0.0)

    def obrien_mcpherron():
        ring_current.dst_response(ring_current.OBRIEN_MCPHERRON, MINUTE_S, wind.speed, wind.bz_gsm, wind.pressure,
                                  0.0)

    def kp():
        three_hour_means(wind.time, kp_from_solar_wind(wind.speed, wind.by_gsm, wind.bz_gsm, wind.density))

    def newell():
        ring_current.newell_coupling(wind.speed, wind.by_gsm, wind.bz_gsm)

    def every_model():
        burton()
        obrien_mcpherron()
        kp()
        newell()

    figures = {}
    for name, fn in (("burton", burton), ("obrien_mcpherron", obrien_mcpherron), ("kp", kp), ("newell", newell),
                     ("every_model", every_model)):
        seconds = best_seconds(fn, repeats=3 if quick else 5)
        figures[f"{name}_samples_per_s"] = (n / seconds, f"solar-wind samples/s ({n} one-minute samples)")
        if name == "every_model":
            figures["every_model_seconds_per_year"] = (seconds * 525600 / n, "s for a year of 1-min wind")
    return figures
