"""Image labels, encoders and domain randomisation: COCO round trips, masks, files, nuisances."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from sim.render.images.annotations import (CLASS_TABLE, CocoWriter, class_table, decode_rle, instances,
                                           semantic_mask)
from sim.render.images.encode import (VideoWriter, read_float_png16, read_png, read_video, write_float_png16,
                                      write_png)
from sim.render.images.randomize import (RandomizationConfig, RandomizationSetting, apply, blur, daylight, exposure,
                                         haze, jpeg, sensor_noise)

# pycocotools' decode passes copy=False to numpy 2 (its own code, harmless)
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

H, W = 48, 64


def disk(cy, cx, r, shape=(H, W)):
    y, x = np.mgrid[:shape[0], :shape[1]]
    return (y - cy) ** 2 + (x - cx) ** 2 <= r ** 2


def box(y0, y1, x0, x1, shape=(H, W)):
    m = np.zeros(shape, bool)
    m[y0:y1, x0:x1] = True
    return m


def psnr(a, b):
    return 10 * np.log10(1.0 / np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2))


# --- masks -------------------------------------------------------------------------------
def test_semantic_mask_is_the_thresholded_layers_painted_in_order():
    rng = np.random.default_rng(0)
    order = ["water", "fire", "smoke"]
    layers = {name: rng.random((H, W)) < 0.4 for name in order}
    mask = semantic_mask(layers, order)
    assert mask.dtype == np.uint8 and mask.shape == (H, W)
    for k, name in enumerate(order):
        later = np.zeros((H, W), bool)
        for other in order[k + 1:]:
            later |= layers[other]
        np.testing.assert_array_equal(mask == CLASS_TABLE[name], layers[name] & ~later)
    none = ~(layers["water"] | layers["fire"] | layers["smoke"])
    np.testing.assert_array_equal(mask == 0, none)


def test_semantic_mask_with_own_table_and_errors():
    a, b = box(0, 10, 0, 10), box(5, 20, 5, 20)
    table = class_table(["a", "b"])
    mask = semantic_mask({"a": a, "b": b}, ["b", "a"], table)  # a painted over b
    assert mask[7, 7] == table["a"] and mask[15, 15] == table["b"] and mask[30, 30] == 0
    with pytest.raises(KeyError):
        semantic_mask({"a": a}, ["a"])  # "a" is not in the default table
    with pytest.raises(ValueError):
        semantic_mask({"water": a, "fire": np.zeros((3, 3), bool)}, ["water", "fire"])


def test_instances_count_separated_blobs_and_drop_small_ones():
    blobs = [disk(10, 10, 5), disk(30, 40, 6), box(2, 6, 50, 60), box(40, 42, 2, 4)]  # last: 4 px
    mask = np.any(blobs, axis=0)
    ids, masks = instances(mask, min_pixels=1)
    assert ids.dtype == np.uint16 and ids.max() == len(blobs) == len(masks)
    ids, masks = instances(mask, min_pixels=5)
    assert len(masks) == 3 and ids.max() == 3
    assert not ids[40:42, 2:4].any()
    assert sorted(int(m.sum()) for m in masks) == sorted(int(b.sum()) for b in blobs[:3])
    for k, m in enumerate(masks, start=1):
        np.testing.assert_array_equal(ids == k, m)


def test_instances_are_eight_connected():
    diagonal = np.eye(6, dtype=bool)  # touching only at corners: one instance
    _, masks = instances(diagonal)
    assert len(masks) == 1


# --- COCO --------------------------------------------------------------------------------
def coco_fixture(tmp_path):
    """Two images: people (instances), fire (instances), a crowd region."""
    writer = CocoWriter()
    writer.add_category(5, "person", "human")
    writer.add_category(2, "fire")
    writer.add_category(6, "crowd", "human", crowd=True)
    cam = {"K": np.array([[500.0, 0, 32], [0, 500.0, 24], [0, 0, 1]]), "gsd_m": np.float64(0.05)}
    inputs = {}
    i1 = writer.add_image("rgb/000001.png", W, H, time_s=0.0, camera=cam)
    i2 = writer.add_image("rgb/000002.png", W, H, time_s=30.0, camera=cam)
    people = disk(10, 10, 4) | disk(12, 30, 3) | box(35, 45, 50, 58)
    inputs[i1] = [(5, m) for m in instances(people)[1]]
    inputs[i1] += [(2, disk(35, 20, 8))]
    inputs[i2] = [(2, box(0, 20, 0, 25)), (2, disk(30, 45, 7)), (5, box(40, 47, 5, 9))]
    for image_id, anns in inputs.items():
        for cid, m in anns:
            assert writer.add_annotation(image_id, cid, m) is not None
    assert writer.add_annotation(i2, 6, box(20, 30, 20, 40)) is not None  # region: iscrowd 1
    assert writer.add_annotation(i2, 5, np.zeros((H, W), bool)) is None  # empty: skipped
    path = writer.write(tmp_path / "annotations.json")
    return path, writer, inputs


def load_coco(path):
    from pycocotools.coco import COCO

    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def test_coco_file_loads_and_masks_areas_boxes_are_exact(tmp_path):
    from pycocotools import mask as mask_utils

    path, writer, inputs = coco_fixture(tmp_path)
    assert not list(tmp_path.glob("*.part"))
    raw = json.loads(path.read_text())
    assert set(raw) >= {"images", "annotations", "categories"}
    assert raw["images"][0]["time_s"] == 0.0 and raw["images"][0]["camera"]["K"][0][0] == 500.0
    coco = load_coco(path)
    assert sorted(coco.getCatIds()) == [2, 5, 6]
    assert coco.loadCats(6)[0]["supercategory"] == "human"
    for image_id, anns in inputs.items():
        got = coco.loadAnns(coco.getAnnIds(imgIds=image_id, iscrowd=False))
        assert len(got) == len(anns)
        for ann, (cid, m) in zip(got, anns):
            assert ann["category_id"] == cid and ann["iscrowd"] == 0
            assert isinstance(ann["segmentation"]["counts"], str)
            np.testing.assert_array_equal(decode_rle(ann["segmentation"]), m)
            np.testing.assert_array_equal(coco.annToMask(ann).astype(bool), m)
            assert ann["area"] == m.sum()
            ys, xs = np.nonzero(m)
            assert ann["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
            rle = dict(ann["segmentation"], counts=ann["segmentation"]["counts"].encode())
            assert ann["bbox"] == mask_utils.toBbox(rle).tolist()
    crowd = coco.loadAnns(coco.getAnnIds(catIds=[6]))
    assert len(crowd) == 1 and crowd[0]["iscrowd"] == 1


@pytest.mark.parametrize("iou_type", ["segm", "bbox"])
def test_ground_truth_evaluated_as_detections_gives_ap_one(tmp_path, iou_type):
    from pycocotools.cocoeval import COCOeval

    path, _, _ = coco_fixture(tmp_path)
    gt = load_coco(path)
    key = "segmentation" if iou_type == "segm" else "bbox"
    dets = [{"image_id": a["image_id"], "category_id": a["category_id"], key: a[key], "score": 1.0}
            for a in gt.dataset["annotations"] if not a["iscrowd"]]
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(dets)
        ev = COCOeval(gt, dt, iou_type)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)  # AP @ IoU 0.50:0.95
    assert ev.stats[1] == pytest.approx(1.0)  # AP @ IoU 0.50
    assert ev.stats[8] == pytest.approx(1.0)  # AR, 100 detections


def test_add_instances_and_checks(tmp_path):
    writer = CocoWriter()
    writer.add_categories(class_table(["person", "crowd"]), crowd=["crowd"])
    image = writer.add_image("a.png", W, H)
    two = disk(10, 10, 4) | disk(30, 40, 4)
    assert len(writer.add_instances(image, 1, two)) == 2
    assert len(writer.add_instances(image, 2, two)) == 1  # a region: one annotation
    with pytest.raises(ValueError):
        writer.add_annotation(image, 1, np.ones((H + 1, W), bool))
    with pytest.raises(KeyError):
        writer.add_annotation(image, 9, two)


# --- PNG ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, shape", [(np.uint8, (H, W, 3)), (np.uint8, (H, W)), (np.uint16, (H, W)),
                                          (np.uint8, (H, W, 4))])
def test_png_round_trip_is_exact(tmp_path, dtype, shape):
    rng = np.random.default_rng(3)
    image = rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True, dtype=dtype)
    path = write_png(tmp_path / "x.png", image)
    back = read_png(path)
    assert back.dtype == dtype and back.shape == shape
    np.testing.assert_array_equal(back, image)
    import imageio.v3 as iio

    np.testing.assert_array_equal(iio.imread(path), image)
    assert not list(tmp_path.glob("*.part"))


def test_png_rejects_unsupported_arrays(tmp_path):
    with pytest.raises(ValueError):
        write_png(tmp_path / "x.png", np.zeros((4, 4), np.float32))
    assert not list(tmp_path.iterdir())


def test_float_png16_quantisation_and_scale_in_text_chunks(tmp_path):
    rng = np.random.default_rng(4)
    depth = rng.uniform(0.0, 250.0, (H, W))
    depth[0, :5] = np.inf  # sky
    depth[1, 0] = np.nan
    depth[2, 0] = 400.0  # beyond vmax: clipped
    path = write_float_png16(tmp_path / "depth.png", depth, 0.0, 300.0, units="m", name="distance")
    values, text = read_float_png16(path)
    assert text["hazsim:units"] == "m" and float(text["hazsim:vmax"]) == 300.0
    scale = 300.0 / 65534
    finite = np.isfinite(depth) & (depth <= 300.0)
    assert np.max(np.abs(values[finite] - depth[finite])) <= scale / 2 + 1e-12
    assert np.isnan(values[0, :5]).all() and np.isnan(values[1, 0]) and values[2, 0] == pytest.approx(300.0)
    codes = read_png(path)
    assert codes.dtype == np.uint16 and codes[0, 0] == 65535


# --- video -------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(H, W), (H - 1, W - 3)])
def test_mp4_has_the_frames_and_size(tmp_path, shape):
    import imageio.v2 as iio2

    h, w = shape
    y, x = np.mgrid[:h, :w]
    frames = [np.stack([(x * 4 + 10 * k) % 256, y * 5 % 256, np.full_like(x, 128)], -1).astype(np.uint8)
              for k in range(12)]
    path = tmp_path / "rgb.mp4"
    with VideoWriter(path, fps=10) as video:
        for k, f in enumerate(frames):
            video.append(f, time_s=30.0 * k)
    assert video.times_s[-1] == 330.0 and not list(tmp_path.glob("*.part"))
    even = (w + w % 2, h + h % 2)
    reader = iio2.get_reader(path, format="FFMPEG")
    try:
        assert reader.count_frames() == 12
        assert tuple(reader.get_meta_data()["size"]) == even
        assert reader.get_meta_data()["codec"] == "h264"
        first = reader.get_data(0)
    finally:
        reader.close()
    assert first.shape == (even[1], even[0], 3)
    assert np.mean(np.abs(first[:h, :w].astype(float) - frames[0])) < 6.0  # lossy but faithful


def test_lossless_ffv1_is_bit_exact(tmp_path):
    rng = np.random.default_rng(5)
    rgb = [rng.integers(0, 256, (H - 1, W - 1, 3), dtype=np.uint8) for _ in range(4)]
    gray16 = [rng.integers(0, 65536, (H, W), dtype=np.uint16) for _ in range(4)]
    with VideoWriter(tmp_path / "rgb.mkv", fps=5, codec="ffv1") as video:
        for f in rgb:
            video.append(f)
    with VideoWriter(tmp_path / "depth.mkv", fps=5, codec="ffv1") as video:
        for f in gray16:
            video.append(f)
    np.testing.assert_array_equal(read_video(tmp_path / "rgb.mkv"), np.stack(rgb))
    np.testing.assert_array_equal(read_video(tmp_path / "depth.mkv", "gray16le"), np.stack(gray16))


def test_video_errors_leave_no_file(tmp_path):
    path = tmp_path / "x.mp4"
    with pytest.raises(ValueError):
        with VideoWriter(path, fps=10) as video:
            video.append(np.zeros((16, 16, 3), np.uint8))
            video.append(np.zeros((16, 18, 3), np.uint8))  # size changes
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError):
        VideoWriter(path, fps=10).append(np.zeros((16, 16), np.uint16))  # 16 bit needs ffv1


# --- randomisation ---------------------------------------------------------------------------
def smooth_image():
    y, x = np.mgrid[:H, :W] / np.array([H, W])[:, None, None]
    return np.stack([0.2 + 0.6 * x, 0.3 + 0.4 * y, 0.5 + 0.3 * np.sin(3 * x) * np.cos(2 * y)], -1)


def test_exposure_plus_one_ev_doubles_before_clipping():
    img = smooth_image()
    out = exposure(img, 1.0)
    below = img < 0.5
    np.testing.assert_allclose(out[below], 2 * img[below], rtol=1e-15)
    assert np.all(out[~below] == 1.0)
    np.testing.assert_allclose(exposure(img, -1.0), img / 2, rtol=1e-15)


def test_jpeg_quality():
    img = smooth_image()
    high, low = jpeg(img, 95), jpeg(img, 10)
    assert psnr(img, high) > 35.0
    assert psnr(img, low) < psnr(img, high) - 3.0


def test_haze_identity_and_airlight_limit():
    img = smooth_image()
    depth = np.full((H, W), 500.0)
    depth[:5] = np.inf
    np.testing.assert_array_equal(haze(img, depth, 0.0, 0.9), img)
    far = haze(img, depth, 1.0, np.array([0.8, 0.85, 0.9]))
    np.testing.assert_allclose(far, np.broadcast_to([0.8, 0.85, 0.9], img.shape), atol=1e-12)
    mid = haze(img, depth, 1 / 500.0, 0.9)[10:]
    np.testing.assert_allclose(mid, img[10:] * np.exp(-1) + 0.9 * (1 - np.exp(-1)))
    assert np.all(haze(img, depth, 1e-3, 0.9)[:5] == 0.9)  # the sky is airlight


def test_blur_and_noise_statistics():
    img = smooth_image()
    np.testing.assert_array_equal(blur(img, 0.0), img)
    impulse = np.zeros((31, 31, 3))
    impulse[15, 15] = 1.0
    b = blur(impulse, 2.0)[..., 0]
    assert b.sum() == pytest.approx(1.0) and np.sum(b * (np.arange(31) - 15) ** 2) == pytest.approx(4.0, rel=1e-3)
    flat = np.full((200, 200, 3), 0.25)
    noisy = sensor_noise(flat, 4000.0, 10.0, np.random.default_rng(6))
    assert noisy.mean() == pytest.approx(0.25, abs=1e-3)
    assert noisy.var() == pytest.approx(0.25 / 4000 + (10 / 4000) ** 2, rel=0.03)


def test_daylight_and_night_is_dark_and_noisy():
    zenith, _ = daylight(90.0)
    sunset, colour_low = daylight(3.0)
    night, _ = daylight(-20.0)
    assert 90e3 < zenith < 130e3 and night < 0.01 < sunset < zenith
    _, colour_ref = daylight(45.0)
    np.testing.assert_allclose(colour_ref, 1.0)
    assert colour_low[0] > colour_low[2]  # low sun: warm light
    img = np.full((64, 64, 3), 0.4)
    day = RandomizationSetting(solar_elevation_deg=45.0, full_well_e=8000.0, read_noise_e=4.0)
    dusk = day.model_copy(update={"solar_elevation_deg": -10.0, "artificial_lux": 5.0})
    a, b = apply(img, None, day, np.random.default_rng(1)), apply(img, None, dusk, np.random.default_rng(1))
    assert a.mean() == pytest.approx(0.4, rel=0.02)
    assert b.mean() < 0.5 * a.mean()
    assert b[..., 1].std() / b[..., 1].mean() > 3 * a[..., 1].std() / a[..., 1].mean()


def test_same_seed_same_output_and_config_validation():
    cfg = RandomizationConfig()
    img, depth = smooth_image(), np.full((H, W), 800.0)

    def run(seed):
        rng = np.random.default_rng(seed)
        setting = cfg.sample(rng)
        return setting, apply(img, depth, setting, rng)

    (s1, o1), (s2, o2), (s3, o3) = run(11), run(11), run(12)
    assert s1 == s2 and s1 != s3
    np.testing.assert_array_equal(o1, o2)
    assert not np.array_equal(o1, o3)
    assert o1.dtype == np.float32 and o1.shape == img.shape and 0.0 <= o1.min() and o1.max() <= 1.0
    assert RandomizationSetting.model_validate_json(s1.model_dump_json()) == s1
    np.testing.assert_array_equal(img, smooth_image())  # input untouched
    with pytest.raises(ValueError):
        RandomizationConfig(exposure_ev=(1.0, -1.0))
    with pytest.raises(ValueError):
        RandomizationConfig(fog=(0.0, 1.0))
    off = RandomizationConfig(exposure_ev=None, full_well_e=None, blur_sigma_px=None, jpeg_quality=None,
                              visibility_m=None, solar_elevation_deg=None)
    np.testing.assert_allclose(apply(img, None, off.sample(np.random.default_rng(0)), np.random.default_rng(0)),
                               img, atol=1e-6)


def test_srgb_encoding_round_trip_without_nuisance():
    img = smooth_image()
    setting = RandomizationSetting()
    np.testing.assert_allclose(apply(img, None, setting, np.random.default_rng(0), encoding="srgb"), img,
                               atol=1e-6)
