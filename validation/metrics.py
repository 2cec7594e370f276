"""Model-evaluation statistics of paired observed (C_o) and predicted (C_p) values.

Chang & Hanna (2004), *Meteorol. Atmos. Phys.* 87, 167-196, eqs. 1-6; FB > 0 means the
model under-predicts:

    FB   = 2 (mean C_o - mean C_p) / (mean C_o + mean C_p)
    NMSE = mean (C_o - C_p)^2 / (mean C_o  mean C_p)
    MG   = exp(mean ln C_o - mean ln C_p)
    VG   = exp(mean (ln C_o - ln C_p)^2)
    FAC2 = fraction of pairs with 0.5 <= C_p / C_o <= 2
"""

from __future__ import annotations

import numpy as np

# Chang & Hanna (2004) "acceptable performance" for research-grade rural field data.
ACCEPTANCE = {"FB": 0.3, "NMSE": 1.5, "FAC2": 0.5}


def scores(observed, predicted) -> dict[str, float]:
    """FB, NMSE, MG, VG, FAC2 and the count N; MG and VG use the positive pairs only.

    >>> s = scores([1.0, 2.0, 4.0], [1.0, 2.0, 4.0])
    >>> s["FB"], s["NMSE"], s["MG"], s["VG"], s["FAC2"]
    (0.0, 0.0, 1.0, 1.0, 1.0)
    >>> round(scores([1.0], [0.5])["FB"], 4), scores([1.0], [0.4])["FAC2"]
    (0.6667, 0.0)
    """
    co = np.asarray(observed, dtype=float)
    cp = np.asarray(predicted, dtype=float)
    if co.shape != cp.shape or co.size == 0:
        raise ValueError("observed and predicted must be non-empty and of the same shape")
    mo, mp = co.mean(), cp.mean()
    positive = (co > 0) & (cp > 0)
    log_ratio = np.log(co[positive]) - np.log(cp[positive])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = cp / co
    return {
        "N": float(co.size),
        "FB": float(2.0 * (mo - mp) / (mo + mp)),
        "NMSE": float(np.mean((co - cp) ** 2) / (mo * mp)),
        "MG": float(np.exp(log_ratio.mean())) if log_ratio.size else float("nan"),
        "VG": float(np.exp(np.mean(log_ratio**2))) if log_ratio.size else float("nan"),
        "FAC2": float(np.mean((ratio >= 0.5) & (ratio <= 2.0))),
    }


def acceptable(s: dict[str, float], acceptance: dict[str, float] = ACCEPTANCE) -> bool:
    """|FB| <= FB, NMSE <= NMSE, FAC2 >= FAC2 of the acceptance."""
    return (abs(s["FB"]) <= acceptance["FB"] and s["NMSE"] <= acceptance["NMSE"]
            and s["FAC2"] >= acceptance["FAC2"])
