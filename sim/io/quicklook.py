"""Quick-look PNG of a field: a map a person can check at a glance."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.fields import FieldSpec
from sim.grid import RasterGrid
from sim.io.rundir import atomic_path

# Colour range of a logarithmic map, in decades below the maximum.
LOG_DECADES = 4


def save_quicklook(path: Path, grid: RasterGrid, values: np.ndarray, spec: FieldSpec, title: str) -> Path:
    """Save ``values`` on ``grid`` as a PNG map, log-scaled when the values span decades."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    data = np.asarray(values, dtype=float)
    positive = data[data > 0]
    fig, ax = plt.subplots(figsize=(7.0, 6.0), dpi=110)
    xmin, xmax, ymin, ymax = grid.extent_m
    kwargs = dict(origin="lower", extent=(xmin, xmax, ymin, ymax), interpolation="nearest")
    if spec.kind == "float" and positive.size and positive.max() / max(positive.min(), 1e-300) > 100:
        vmax = float(positive.max())
        masked = np.ma.masked_less_equal(data, vmax * 10.0**-LOG_DECADES)
        image = ax.imshow(masked, norm=LogNorm(vmin=vmax * 10.0**-LOG_DECADES, vmax=vmax), cmap="inferno", **kwargs)
    else:
        image = ax.imshow(data, cmap="inferno", **kwargs)
    label = spec.doc if not spec.units else f"{spec.doc} [{spec.units}]"
    fig.colorbar(image, ax=ax, label=label, shrink=0.85)
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m]")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path
