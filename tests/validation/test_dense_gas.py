"""Dense-gas validation (Desert Tortoise 4), quick grid: runs, scores, and a sound source term."""

import numpy as np
import pytest

from validation.dense_gas import compare
from validation.dense_gas.data import ARC_MAXIMA_KG_M3, DT4


def test_equivalent_source_carries_the_discharge_cold_and_dense():
    src = compare.equivalent_source(DT4)
    assert src.temperature_k < 239.8 < DT4.air_temperature_k and src.reduced_gravity_m_s2 > 1.0
    assert src.volume_rate_m3_s * src.ammonia_kg_m3 == pytest.approx(DT4.release_rate_kg_s, rel=1e-12)


def test_quick_case_scores(tmp_path):
    result = compare.run(tmp_path, quick=True)
    f = result.figures
    assert f["N"] == len(ARC_MAXIMA_KG_M3) == 3
    for tag in ("BM", "SL", "DG"):
        assert all(np.isfinite(f[f"{k}_{tag}"]) for k in ("FB", "NMSE", "MG", "VG", "FAC2"))
    # ratios predicted / observed: the shallow layer and the dense_gas model (layer, then particles) stay
    # within a factor of 2 on every arc; the latter hands some of the gas to its particles
    assert all(0.5 <= f[f"ratio_{tag}_{x:g}m"] <= 2.0 for x, _ in ARC_MAXIMA_KG_M3 for tag in ("SL", "DG"))
    assert 0.0 < f["DG_handed_over_share"] < 1.0
    assert isinstance(result.passed, bool) and "Britter-McQuaid" in result.table
    assert all(p.exists() and p.stat().st_size > 5_000 for p in result.artifacts)
