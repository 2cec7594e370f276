"""Image labels: semantic and instance masks (Cityscapes style) and COCO JSON with RLE masks.

The image views render, next to each picture, boolean layers of what is where (flood water,
flame, smoke, burn scar, people, gas plume, vapour cloud). This module turns them into the label formats
detectors and segmenters accept (renderers.md, section 2.3):

- :func:`semantic_mask`: one uint8 image of class ids from a class table (0 = background),
  written as a single-channel PNG (:func:`sim.render.images.encode.write_png`);
- :func:`instances`: the 8-connected components of one class's layer, as a uint16 image of
  instance ids (0 = none, 1..n) and the list of per-instance masks;
- :class:`CocoWriter`: COCO ``images`` / ``annotations`` / ``categories`` with the masks
  stored as compressed RLE (``pycocotools.mask.encode``), bbox and area computed by
  pycocotools from the same RLE, so the file passes ``COCO()`` / ``loadRes`` / ``COCOeval``.

pycocotools is imported when a mask is encoded, not when this module is imported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from sim.io.rundir import atomic_path

# Class table of the semantic masks: name -> id. 0 is background (no layer true); ids are
# stable across views so that one table serves every dataset of the project.
CLASS_TABLE: dict[str, int] = {
    "background": 0,
    "water": 1,
    "fire": 2,
    "smoke": 3,
    "burned": 4,
    "person": 5,
    "crowd": 6,
    "gas": 7,
    "vehicle": 8,
    "building": 9,
    "debris": 10,
    "aurora": 11,
    "vapour_cloud": 12,  # visible fog of condensed humidity in a cold gas cloud
}

EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


def class_table(names: Sequence[str]) -> dict[str, int]:
    """A class table with ``names`` numbered 1, 2, ... in order (0 = background).

    >>> class_table(["water", "smoke"])
    {'background': 0, 'water': 1, 'smoke': 2}
    """
    if len(set(names)) != len(names):
        raise ValueError(f"class names must be unique, got {list(names)}")
    if len(names) > 255:
        raise ValueError(f"{len(names)} classes do not fit a uint8 mask (at most 255 besides background)")
    return {"background": 0, **{name: k + 1 for k, name in enumerate(names)}}


def semantic_mask(layers: Mapping[str, np.ndarray], order: Sequence[str],
                  class_ids: Mapping[str, int] | None = None) -> np.ndarray:
    """A uint8 mask of class ids from boolean layers, later classes painted over earlier ones.

    ``layers`` maps a class name to a boolean (H, W) array; ``order`` lists the names to
    paint, back to front: a pixel gets the id of the last class in ``order`` whose layer is
    true there, and 0 (background) where none is. Put occluders last (e.g. smoke over fire
    over water). ``class_ids`` maps names to ids (default :data:`CLASS_TABLE`); every name in
    ``order`` must be in it, and its id in 1..255.

    >>> water = np.array([[1, 1, 0]], bool); smoke = np.array([[0, 1, 1]], bool)
    >>> semantic_mask({"water": water, "smoke": smoke}, ["water", "smoke"])
    array([[1, 3, 3]], dtype=uint8)
    """
    table = CLASS_TABLE if class_ids is None else class_ids
    if not order:
        raise ValueError("order lists no class to paint")
    shape = None
    for name in order:
        if name not in layers:
            raise KeyError(f"no layer {name!r}; layers are {sorted(layers)}")
        if name not in table:
            raise KeyError(f"class {name!r} is not in the class table {sorted(table)}")
        if not 1 <= int(table[name]) <= 255:
            raise ValueError(f"class {name!r} has id {table[name]}; ids of painted classes must be in 1..255")
        layer = np.asarray(layers[name])
        if layer.ndim != 2:
            raise ValueError(f"layer {name!r} has shape {layer.shape}; expected (H, W)")
        if shape is None:
            shape = layer.shape
        elif layer.shape != shape:
            raise ValueError(f"layer {name!r} has shape {layer.shape}, others {shape}")
    mask = np.zeros(shape, dtype=np.uint8)
    for name in order:
        mask[np.asarray(layers[name], dtype=bool)] = int(table[name])
    return mask


def instances(mask: np.ndarray, min_pixels: int = 1) -> tuple[np.ndarray, list[np.ndarray]]:
    """Instances of one class: the 8-connected components of ``mask`` of at least ``min_pixels``.

    Returns a uint16 (H, W) image of instance ids (0 = no instance, then 1..n numbered in
    raster order of each component's first pixel) and the list of the n boolean instance
    masks (the k-th has id k + 1). Components smaller than ``min_pixels`` are dropped (set to
    0 in the id image): speckle that no annotator would label.

    >>> ids, masks = instances(np.array([[1, 0, 0, 1], [0, 1, 0, 0]], bool))
    >>> ids
    array([[1, 0, 0, 2],
           [0, 1, 0, 0]], dtype=uint16)
    >>> [int(m.sum()) for m in masks]
    [2, 1]
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask has shape {mask.shape}; expected (H, W)")
    labels, n = ndimage.label(mask, structure=EIGHT_CONNECTED)
    counts = np.bincount(labels.ravel(), minlength=n + 1)
    keep = np.flatnonzero(counts[1:] >= max(int(min_pixels), 1)) + 1
    if keep.size > np.iinfo(np.uint16).max:
        raise ValueError(f"{keep.size} instances do not fit a uint16 id image")
    relabel = np.zeros(n + 1, dtype=np.uint16)
    relabel[keep] = np.arange(1, keep.size + 1, dtype=np.uint16)
    ids = relabel[labels]
    return ids, [ids == k for k in range(1, keep.size + 1)]


def encode_rle(mask: np.ndarray) -> dict[str, Any]:
    """COCO compressed RLE of a boolean (H, W) mask, ``counts`` as str (JSON-ready)."""
    from pycocotools import mask as mask_utils

    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"mask has shape {mask.shape}; expected (H, W)")
    rle = mask_utils.encode(np.asfortranarray(mask.astype(bool).astype(np.uint8)))
    return {"size": [int(s) for s in rle["size"]], "counts": rle["counts"].decode("ascii")}


def decode_rle(rle: Mapping[str, Any]) -> np.ndarray:
    """The boolean (H, W) mask of a COCO RLE (``counts`` as str or bytes)."""
    from pycocotools import mask as mask_utils

    counts = rle["counts"]
    if isinstance(counts, list):  # uncompressed RLE
        compressed = mask_utils.frPyObjects(dict(rle), *rle["size"])
    else:
        compressed = {"size": list(rle["size"]),
                      "counts": counts.encode("ascii") if isinstance(counts, str) else counts}
    return mask_utils.decode(compressed).astype(bool)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class CocoWriter:
    """Collects images, annotations and categories; writes one COCO JSON file.

    Ids of images and annotations start at 1 (COCOeval reads id 0 as "unmatched"). Each
    annotation's ``segmentation`` is compressed RLE with ``counts`` as a str, ``area`` the
    pixel count and ``bbox`` ``[x, y, w, h]`` (pycocotools ``area`` / ``toBbox`` of the RLE).

    ``iscrowd``: 0 for an object instance. 1 for a *region* category (``crowd=True`` in
    :meth:`add_category`), whose one mask covers many objects that are not separated, such
    as a dense crowd of people or a spread of debris: COCOeval ignores such ground truth
    (detections inside it are neither true nor false positives), the COCO convention for
    groups that cannot be split into instances. An annotation may override its category's
    default.

    Extra keys of an image (``time_s``, ``camera`` with intrinsics and extrinsics, GSD, ...)
    are stored as given; numpy arrays become lists.
    """

    def __init__(self, description: str = "hazsim synthetic images", info: Mapping[str, Any] | None = None) -> None:
        self.info: dict[str, Any] = {"description": description, "version": "1.0",
                                     "date_created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                     **(info or {})}
        self.images: list[dict[str, Any]] = []
        self.annotations: list[dict[str, Any]] = []
        self.categories: list[dict[str, Any]] = []
        self._crowd: dict[int, bool] = {}
        self._sizes: dict[int, tuple[int, int]] = {}

    def add_category(self, category_id: int, name: str, supercategory: str = "hazard", *,
                     crowd: bool = False) -> None:
        """A category; ``crowd=True`` marks a region category whose annotations are ``iscrowd`` 1."""
        category_id = int(category_id)
        if category_id < 1:
            raise ValueError(f"category id {category_id} must be >= 1 (0 is background)")
        if category_id in self._crowd:
            raise ValueError(f"category id {category_id} added twice")
        self.categories.append({"id": category_id, "name": str(name), "supercategory": str(supercategory)})
        self._crowd[category_id] = bool(crowd)

    def add_categories(self, table: Mapping[str, int], supercategory: str = "hazard",
                       crowd: Sequence[str] = ()) -> None:
        """Every class of a class table except background (names in ``crowd`` are region categories)."""
        for name, cid in table.items():
            if cid != 0:
                self.add_category(cid, name, supercategory, crowd=name in crowd)

    def add_image(self, file_name: str, width: int, height: int, image_id: int | None = None,
                  **extra: Any) -> int:
        """An image record; returns its id (the next free one unless given)."""
        image_id = len(self.images) + 1 if image_id is None else int(image_id)
        if image_id < 1 or image_id in self._sizes:
            raise ValueError(f"image id {image_id} must be >= 1 and unused")
        self.images.append({"id": image_id, "file_name": str(file_name), "width": int(width),
                            "height": int(height), **extra})
        self._sizes[image_id] = (int(height), int(width))
        return image_id

    def add_annotation(self, image_id: int, category_id: int, mask: np.ndarray, iscrowd: int | None = None,
                       **extra: Any) -> int | None:
        """One object (or region) of ``category_id`` on ``image_id``, from its boolean mask.

        Returns the annotation id, or None (and adds nothing) for an empty mask: COCO has no
        use for zero-area objects.
        """
        if image_id not in self._sizes:
            raise KeyError(f"no image {image_id}; add it first")
        if category_id not in self._crowd:
            raise KeyError(f"no category {category_id}; add it first")
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != self._sizes[image_id]:
            raise ValueError(f"mask has shape {mask.shape}; image {image_id} is {self._sizes[image_id]} (H, W)")
        if not mask.any():
            return None
        from pycocotools import mask as mask_utils

        rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
        crowd = self._crowd[category_id] if iscrowd is None else bool(iscrowd)
        ann_id = len(self.annotations) + 1
        self.annotations.append({
            "id": ann_id, "image_id": int(image_id), "category_id": int(category_id),
            "segmentation": {"size": [int(s) for s in rle["size"]], "counts": rle["counts"].decode("ascii")},
            "area": float(mask_utils.area(rle)),
            "bbox": [float(v) for v in mask_utils.toBbox(rle)],
            "iscrowd": int(crowd), **extra})
        return ann_id

    def add_encoded(self, image_id: int, category_id: int, encoded: dict[str, Any]) -> int:
        """An annotation whose RLE ``segmentation``, ``area`` and ``bbox`` were computed by the
        caller (many instances of one frame encoded at once), as :meth:`add_annotation` writes it."""
        if image_id not in self._sizes:
            raise KeyError(f"no image {image_id}; add it first")
        if category_id not in self._crowd:
            raise KeyError(f"no category {category_id}; add it first")
        ann_id = len(self.annotations) + 1
        self.annotations.append({"id": ann_id, "image_id": int(image_id), "category_id": int(category_id),
                                 **encoded, "iscrowd": int(self._crowd[category_id])})
        return ann_id

    def add_instances(self, image_id: int, category_id: int, mask: np.ndarray, min_pixels: int = 1,
                      **extra: Any) -> list[int]:
        """One annotation per 8-connected component of ``mask`` (see :func:`instances`);
        a region category gets one annotation for the whole mask instead."""
        if self._crowd.get(category_id):
            ann = self.add_annotation(image_id, category_id, mask, **extra)
            return [] if ann is None else [ann]
        _, masks = instances(mask, min_pixels)
        return [self.add_annotation(image_id, category_id, m, **extra) for m in masks]

    def to_dict(self) -> dict[str, Any]:
        return {"info": self.info, "licenses": [], "images": self.images, "annotations": self.annotations,
                "categories": sorted(self.categories, key=lambda c: c["id"])}

    def write(self, path: Path | str) -> Path:
        """Write the COCO JSON atomically (temporary name, then rename); returns the path."""
        path = Path(path)
        with atomic_path(path) as tmp:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(self.to_dict(), fh, default=_jsonable, separators=(",", ":"))
                fh.flush()
                os.fsync(fh.fileno())
        return path
