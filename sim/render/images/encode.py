"""Image and video files: PNG (8/16 bit), quantised float ground truth, H.264 and lossless video.

Every file is written under a temporary name (``<name>.part``) and renamed when complete
(:func:`sim.io.rundir.atomic_path`): a crash leaves no half-written image or video behind a
final name.

- :func:`write_png`: RGB/RGBA uint8, gray uint8 or gray uint16, bit-exact.
- :func:`write_float_png16` / :func:`read_float_png16`: a float field (depth, water depth,
  temperature, optical depth) quantised linearly onto 16 bits between ``vmin`` and ``vmax``;
  the scale is stored in the PNG's own tEXt chunks, so the file decodes alone.
- :class:`VideoWriter`: frames piped to ffmpeg (imageio-ffmpeg's binary). H.264 in MP4,
  yuv420p, for "CCTV realism"; or FFV1 in Matroska, lossless (8-bit RGB or gray, 16-bit
  gray), for ground truth.

Pillow and imageio-ffmpeg are imported when a file is written, not with this module.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from sim.io.rundir import atomic_path, temporary_path

PNG16_MAX_CODE = 65534  # codes 0..65534 carry values; 65535 is "no data"
PNG16_NODATA = 65535
_TEXT_PREFIX = "hazsim:"


def write_png(path: Path | str, image: np.ndarray, text: Mapping[str, Any] | None = None,
              compress_level: int = 6) -> Path:
    """Write ``image`` as a PNG, atomically; returns the path.

    ``image``: (H, W, 3) or (H, W, 4) uint8 (RGB, RGBA), (H, W) uint8 (8-bit gray) or
    (H, W) uint16 (16-bit gray: instance ids, quantised ground truth). PNG is lossless: the
    file reads back to the same array. ``text`` adds tEXt chunks (key -> str(value)).
    """
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    path = Path(path)
    image = np.ascontiguousarray(image)
    if image.dtype == np.uint8 and (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        pil = Image.fromarray(image)
    elif image.dtype == np.uint16 and image.ndim == 2:
        pil = Image.fromarray(image)  # mode I;16: 16-bit grayscale PNG
    else:
        raise ValueError(f"PNG of shape {image.shape} and dtype {image.dtype}: expected (H, W, 3|4) uint8, "
                         "(H, W) uint8 or (H, W) uint16")
    info = None
    if text:
        info = PngInfo()
        for key, value in text.items():
            info.add_text(str(key), str(value))
    with atomic_path(path) as tmp:
        pil.save(tmp, format="PNG", pnginfo=info, compress_level=compress_level)
    return path


def read_png(path: Path | str) -> np.ndarray:
    """The array of a PNG written by :func:`write_png` (same shape and dtype)."""
    from PIL import Image

    with Image.open(path) as im:
        return np.array(im)


def write_float_png16(path: Path | str, values: np.ndarray, vmin: float, vmax: float,
                      units: str = "", name: str = "") -> Path:
    """Write a float (H, W) field as a 16-bit gray PNG with its scale in tEXt chunks.

    Encoding: ``code = round((v - vmin) / scale)`` with ``scale = (vmax - vmin) / 65534``,
    clipped to 0..65534; non-finite values (NaN, the sky's infinite depth) get the code
    65535 ("no data"). Decoding (:func:`read_float_png16`): ``v = vmin + code * scale``,
    NaN for 65535. The round trip error is at most ``scale / 2`` inside [vmin, vmax]; values
    outside are clipped to the range. The chunks ``hazsim:vmin``, ``hazsim:vmax``,
    ``hazsim:scale``, ``hazsim:nodata``, ``hazsim:units`` and ``hazsim:name`` hold the scale
    (``repr`` of the floats: exact) so the file is self-describing; any PNG reader still
    sees an ordinary 16-bit image.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values have shape {values.shape}; expected (H, W)")
    vmin, vmax = float(vmin), float(vmax)
    if not (math.isfinite(vmin) and math.isfinite(vmax) and vmax > vmin):
        raise ValueError(f"need finite vmin < vmax, got {vmin}, {vmax}")
    scale = (vmax - vmin) / PNG16_MAX_CODE
    finite = np.isfinite(values)
    codes = np.full(values.shape, PNG16_NODATA, dtype=np.uint16)
    codes[finite] = np.clip(np.rint((values[finite] - vmin) / scale), 0, PNG16_MAX_CODE).astype(np.uint16)
    text = {f"{_TEXT_PREFIX}vmin": repr(vmin), f"{_TEXT_PREFIX}vmax": repr(vmax),
            f"{_TEXT_PREFIX}scale": repr(scale), f"{_TEXT_PREFIX}nodata": str(PNG16_NODATA),
            f"{_TEXT_PREFIX}units": units, f"{_TEXT_PREFIX}name": name}
    return write_png(path, codes, text=text)


def read_float_png16(path: Path | str) -> tuple[np.ndarray, dict[str, str]]:
    """Decode a :func:`write_float_png16` file: (float64 (H, W) values, its text chunks)."""
    from PIL import Image

    with Image.open(path) as im:
        codes = np.array(im)
        text = dict(getattr(im, "text", {}))
    try:
        vmin = float(text[f"{_TEXT_PREFIX}vmin"])
        scale = float(text[f"{_TEXT_PREFIX}scale"])
        nodata = int(text.get(f"{_TEXT_PREFIX}nodata", PNG16_NODATA))
    except KeyError as exc:
        raise ValueError(f"{path}: no {exc.args[0]} text chunk; not written by write_float_png16") from None
    values = vmin + codes.astype(np.float64) * scale
    values[codes == nodata] = np.nan
    return values, text


_FORMATS = {"h264": ("libx264", "mp4"), "ffv1": ("ffv1", "matroska")}


class VideoWriter:
    """Frames to a video file through ffmpeg; written to ``<path>.part``, renamed at :meth:`close`.

    ``codec="h264"`` (default): libx264 in MP4, ``yuv420p`` (the pixel format every player
    decodes), constant quality ``crf`` (x264's scale: 0 lossless-ish luma, 23 default, 51
    worst) or a target ``bitrate`` such as ``"2M"`` for CCTV-like streams. Chroma 4:2:0 needs
    even dimensions: an odd width or height is padded by one column or row, a copy of the last
    one, at the right or bottom, so pixel (x, y) of a frame stays pixel (x, y) of the video
    and the labels stay valid; :attr:`size` is the stored (width, height).

    ``codec="ffv1"``: FFV1 (lossless, intra-only) in Matroska (``.mkv``), for ground truth:
    uint8 RGB is stored as planar GBR, uint8 gray as gray, uint16 gray as 16-bit gray
    (``gray16le``); no padding. Decoded frames equal the input bit for bit.

    Frames are (H, W, 3) uint8 RGB, (H, W) uint8 gray, or (H, W) uint16 gray (ffv1 only);
    every frame must have the shape and dtype of the first. Use as a context manager: on an
    exception the partial file is removed. :attr:`times_s` keeps the simulation time given
    with each frame (the frame index to time mapping).
    """

    def __init__(self, path: Path | str, fps: float, codec: str = "h264", crf: int = 23,
                 preset: str = "medium", bitrate: str | None = None) -> None:
        if codec not in _FORMATS:
            raise ValueError(f"codec {codec!r}: expected one of {sorted(_FORMATS)}")
        if not fps > 0:
            raise ValueError(f"fps = {fps} must be > 0")
        if not 0 <= int(crf) <= 51:
            raise ValueError(f"crf = {crf} must be in 0..51")
        self.path = Path(path)
        self.tmp = temporary_path(self.path)
        self.fps = float(fps)
        self.codec = codec
        self.crf = int(crf)
        self.preset = preset
        self.bitrate = bitrate
        self.frames_written = 0
        self.times_s: list[float | None] = []
        self.size: tuple[int, int] | None = None  # stored (width, height)
        self._shape: tuple[int, ...] | None = None
        self._dtype = None
        self._gen = None
        self._closed = False

    def _open(self, frame: np.ndarray) -> None:
        import imageio_ffmpeg

        h, w = frame.shape[:2]
        if frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3:
            pix_in = "rgb24"
        elif frame.dtype == np.uint8 and frame.ndim == 2:
            pix_in = "gray"
        elif frame.dtype == np.uint16 and frame.ndim == 2:
            if self.codec != "ffv1":
                raise ValueError("16-bit frames need the lossless codec='ffv1'")
            pix_in = "gray16le"
        else:
            raise ValueError(f"frame of shape {frame.shape} and dtype {frame.dtype}: expected (H, W, 3) uint8, "
                             "(H, W) uint8 or (H, W) uint16")
        encoder, container = _FORMATS[self.codec]
        if self.codec == "h264":
            w, h = w + w % 2, h + h % 2
            pix_out = "yuv420p"
            params = ["-preset", self.preset, "-movflags", "+faststart"]
            if self.bitrate is None:
                params = ["-crf", str(self.crf)] + params
        else:
            pix_out = {"rgb24": "gbrp", "gray": "gray", "gray16le": "gray16le"}[pix_in]
            params = ["-level", "3", "-g", "1", "-slicecrc", "1"]
        self._shape, self._dtype, self.size = frame.shape, frame.dtype, (w, h)
        self.tmp.unlink(missing_ok=True)
        self._gen = imageio_ffmpeg.write_frames(
            str(self.tmp), (w, h), pix_fmt_in=pix_in, pix_fmt_out=pix_out, fps=self.fps, quality=None,
            bitrate=self.bitrate if self.codec == "h264" else None, codec=encoder, macro_block_size=1,
            ffmpeg_log_level="error", output_params=params + ["-f", container])
        self._gen.send(None)

    def append(self, frame: np.ndarray, time_s: float | None = None) -> None:
        """Add one frame (and the simulation time it shows)."""
        if self._closed:
            raise ValueError(f"{self.path}: video already closed")
        frame = np.asarray(frame)
        if self._gen is None:
            self._open(frame)
        elif frame.shape != self._shape or frame.dtype != self._dtype:
            raise ValueError(f"frame {self.frames_written} has shape {frame.shape} {frame.dtype}; "
                             f"the video's frames are {self._shape} {self._dtype}")
        w, h = self.size
        if frame.shape[0] != h or frame.shape[1] != w:
            pad = [(0, h - frame.shape[0]), (0, w - frame.shape[1])] + [(0, 0)] * (frame.ndim - 2)
            frame = np.pad(frame, pad, mode="edge")
        if frame.dtype == np.uint16:
            frame = frame.astype("<u2", copy=False)
        self._gen.send(np.ascontiguousarray(frame))
        self.frames_written += 1
        self.times_s.append(None if time_s is None else float(time_s))

    def close(self) -> Path:
        """Finish the file and rename it to its final name; returns the path."""
        if self._closed:
            return self.path
        self._closed = True
        if self._gen is None:
            raise ValueError(f"{self.path}: no frame was written")
        self._gen.close()
        self.tmp.replace(self.path)
        return self.path

    def abort(self) -> None:
        """Stop ffmpeg and remove the partial file."""
        self._closed = True
        if self._gen is not None:
            try:
                self._gen.close()
            except Exception:  # noqa: BLE001 - the file is discarded anyway
                pass
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def read_video(path: Path | str, pix_fmt: str = "rgb24") -> np.ndarray:
    """All frames of a video decoded by ffmpeg: (n, H, W, 3) uint8 for ``rgb24``,
    (n, H, W) uint8 for ``gray``, (n, H, W) uint16 for ``gray16le``."""
    import imageio_ffmpeg

    channels, dtype = {"rgb24": (3, np.uint8), "gray": (1, np.uint8), "gray16le": (1, np.dtype("<u2"))}[pix_fmt]
    bits = 8 * channels * np.dtype(dtype).itemsize
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt=pix_fmt, bits_per_pixel=bits)
    meta = next(reader)
    w, h = meta["size"]
    frames = [np.frombuffer(buf, dtype=dtype).reshape((h, w, channels) if channels > 1 else (h, w)) for buf in reader]
    return np.stack(frames) if frames else np.zeros((0, h, w) + ((channels,) if channels > 1 else ()), dtype)
