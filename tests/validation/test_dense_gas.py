"""Dense-gas validation (Desert Tortoise 4), quick grid: runs, scores, and a sound source term."""

import math

import numpy as np
import pytest

from validation.dense_gas import compare
from validation.dense_gas.data import ARC_MAXIMA_KG_M3, DT4


def test_equivalent_source_is_saturated_and_energy_balanced():
    src = compare.equivalent_source(DT4)
    n_air = src.air_per_ammonia * compare.M_NH3 / compare.M_AIR        # mol air per mol NH3
    # the last drop evaporates where the ammonia partial pressure meets saturation
    y = 1.0 / (1.0 + n_air)
    assert y * DT4.air_pressure_pa == pytest.approx(float(compare.saturation_pressure(src.temperature_k)), rel=1e-6)
    # adiabatic: heat given by the air = latent heat of the unflashed liquid + vapour warming
    t_b = 1.0 / (1.0 / compare.T_BOIL - compare.R_GAS / compare.H_VAP * math.log(DT4.air_pressure_pa / 101325.0))
    lhs = n_air * compare.CP_AIR * (DT4.air_temperature_k - src.temperature_k)
    rhs = (1.0 - src.flash_fraction) * compare.H_VAP + compare.CP_VAP * (src.temperature_k - t_b)
    assert lhs == pytest.approx(rhs, rel=1e-9)
    # a cold, dense mixture, carrying the whole discharge
    assert src.temperature_k < t_b < DT4.air_temperature_k and src.reduced_gravity_m_s2 > 1.0
    assert src.volume_rate_m3_s * src.ammonia_kg_m3 == pytest.approx(DT4.release_rate_kg_s, rel=1e-12)


def test_quick_case_scores(tmp_path):
    result = compare.run(tmp_path, quick=True)
    f = result.figures
    assert f["N"] == len(ARC_MAXIMA_KG_M3) == 3
    for tag in ("BM", "SL"):
        assert all(np.isfinite(f[f"{k}_{tag}"]) for k in ("FB", "NMSE", "MG", "VG", "FAC2"))
    # ratios predicted / observed: the shallow layer stays within a factor of 2 on every arc
    assert all(0.5 <= f[f"ratio_SL_{x:g}m"] <= 2.0 for x, _ in ARC_MAXIMA_KG_M3)
    assert isinstance(result.passed, bool) and "Britter-McQuaid" in result.table
    assert all(p.exists() and p.stat().st_size > 5_000 for p in result.artifacts)
