"""``hazsim bench images``: seconds per 512 x 512 frame of each view, on one thread.

The scene is a 500 x 500 grid at 2 m: a hill with a flooded valley and a Gaussian gas cloud,
laid out as a model's scene layers. Timed, the best of a few frames after one that compiles:
one orthographic frame per view (sampling the layers at every pixel, the view, the masks and
their instances, the PNG, the ground-truth record and the COCO annotations), and a pinhole
frame of the OGI view (its ray cast is cached while the terrain is unchanged). The issue's
target is at most 0.2 s per view.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from sim.grid import RasterGrid
from sim.render.images.config import CameraConfig, ImagesConfig
from sim.render.images.layers import SceneLayers


class _Scene:
    """A model stand-in that shows a flooded valley and a gas cloud."""

    def __init__(self, grid: RasterGrid) -> None:
        X, Y = np.meshgrid(grid.x, grid.y)
        self.elevation = 20.0 * np.exp(-((X - 700) ** 2 + (Y - 600) ** 2) / (2 * 200.0**2)) + 0.002 * X
        self.depth = np.clip(1.5 - 0.02 * np.abs(Y - 300.0), 0.0, None) * (X < 600)
        self.column = 5000.0 * np.exp(-((X - 400) ** 2) / (2 * 80.0**2) - (Y - 500) ** 2 / (2 * 40.0**2))

    def visual_layers(self, state, t):
        return SceneLayers(elevation_m=self.elevation, water_depth_m=self.depth,
                           gas_column_ppm_m={"methane": self.column})


def run_bench(quick: bool = False) -> dict[str, tuple[float, str]]:
    from sim.render.images.renderer import ImageRenderer

    grid = RasterGrid(shape=(500, 500), spacing_m=(2.0, 2.0))
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    repeats = 3 if quick else 6
    figures = {}
    try:
        cases = [(view, CameraConfig(name=f"ortho_{view}", views=[view], width_px=512, height_px=512))
                 for view in ("rgb", "thermal", "ogi")]
        cases.append(("ogi_pinhole", CameraConfig(name="pinhole", kind="pinhole", views=["ogi"], width_px=512,
                                                  height_px=512, position_m=(100.0, 100.0, 60.0), yaw_deg=45.0,
                                                  pitch_deg=-25.0)))
        for label, camera in cases:
            with tempfile.TemporaryDirectory() as tmp:
                renderer = ImageRenderer(Path(tmp), [_Scene(grid)], grid, ImagesConfig(), [camera], 1, 1e9,
                                         "2026-01-01T12:00:00")
                scene = renderer.scene(None, 0.0)
                best = np.inf
                for k in range(repeats + 1):
                    start = time.perf_counter()
                    renderer._frame(renderer.cameras[0], scene, float(k))
                    if k:  # the first frame compiles and fills the caches
                        best = min(best, time.perf_counter() - start)
                renderer.close()
            figures[f"{label}_s_per_frame"] = (best, "s per 512 x 512 frame, one thread (target <= 0.2)")
    finally:
        numba.set_num_threads(threads)
    return figures
