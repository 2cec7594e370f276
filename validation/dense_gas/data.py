"""Desert Tortoise trial 4 (Frenchman Flat, Nevada, 1983): pressurised liquid ammonia release.

Every number below with its provenance. The primary source is the LLNL data report:

    Goldwire, H.C., Rodean, H.C., Cederwall, R.T., Kansa, E.J., Koopman, R.P., McClure, J.W.,
    McRae, T.G., Morris, L.K., Kamppinen, L., Kiefer, R.D., Urtiew, P.A. & Lind, C.D. (1985),
    *Desert Tortoise series data report - 1983 pressurized ammonia spills*, Lawrence Livermore
    National Laboratory, UCID-20562.

We could not read that report here. The values are taken from a secondary transcription: the
public benchmark file ``benchmarks/desert-tortoise-04.dsbench`` of the DisperSim3D repository
(DanWBR/DisperSim3D, commit 51b8c955...), which cites them as "EPA (1999) Technical Background
Document for Offsite Consequence Analysis for Anhydrous Ammonia, Chlorine and Sulfur Dioxide
(Kaiser, Price & Urdaneta, SAIC, April 1999), Table 2-1 (primary tabulation of Goldwire 1985
data)". Unlike that repository's Thorney Island and Kit Fox files (whose values are marked as
estimated from typical values), these are cited as transcribed from a table. They were not
checked against the primary table by us: treat the comparison as provisional until they are.

Arc-maximum concentrations are at 1 m above ground on the centreline arcs; the 1400 m and
5500 m arcs were not deployed in trial 4 (same source).
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "DisperSim3D benchmarks/desert-tortoise-04.dsbench, citing EPA (1999) Table 2-1 / Goldwire et al. (1985)"


@dataclass(frozen=True)
class Trial:
    name: str
    release_rate_kg_s: float        # average liquid ammonia discharge: 40 820 kg over ~360 s
    duration_s: float
    wind_speed_m_s: float           # at wind_height_m
    wind_height_m: float
    stability_class: str
    roughness_length_m: float
    air_temperature_k: float
    air_pressure_pa: float
    storage_temperature_k: float    # liquid in the tank before release
    receptor_height_m: float


DT4 = Trial(name="Desert Tortoise 4", release_rate_kg_s=113.4, duration_s=360.0, wind_speed_m_s=4.51,
            wind_height_m=2.0, stability_class="E", roughness_length_m=0.003, air_temperature_k=305.0,
            air_pressure_pa=91_500.0, storage_temperature_k=290.0, receptor_height_m=1.0)

# (downwind distance m, arc-maximum ammonia concentration kg m-3) at 1 m height
ARC_MAXIMA_KG_M3 = ((100.0, 0.0494), (800.0, 0.0133), (2800.0, 0.0038))
