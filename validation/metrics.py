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


def series_scores(observed, predicted) -> dict[str, float]:
    """Scores of a predicted time series (an index) against the observed one, over the pairs
    where both are finite: N, RMSE, bias (mean of predicted - observed), Pearson r and the
    prediction efficiency PE = 1 - sum (o - p)^2 / sum (o - mean o)^2 (1 is perfect, 0 is no
    better than the observed mean; Temerin & Li 2006 score Dst with it).

    >>> s = series_scores([1.0, 2.0, 3.0, np.nan], [1.0, 2.0, 3.0, 5.0])
    >>> s["N"], s["RMSE"], s["PE"], s["r"]
    (3.0, 0.0, 1.0, 1.0)
    >>> round(series_scores([0.0, 2.0], [1.0, 1.0])["PE"], 6)
    0.0
    """
    o = np.asarray(observed, dtype=float)
    p = np.asarray(predicted, dtype=float)
    if o.shape != p.shape:
        raise ValueError("observed and predicted must have the same shape")
    both = np.isfinite(o) & np.isfinite(p)
    o, p = o[both], p[both]
    if o.size < 2:
        raise ValueError("fewer than two finite pairs")
    error = p - o
    spread = np.sum((o - o.mean()) ** 2)
    return {
        "N": float(o.size),
        "RMSE": float(np.sqrt(np.mean(error**2))),
        "bias": float(error.mean()),
        "r": float(np.corrcoef(o, p)[0, 1]) if o.std() > 0 and p.std() > 0 else float("nan"),
        "PE": float(1.0 - np.sum(error**2) / spread) if spread > 0 else float("nan"),
    }
