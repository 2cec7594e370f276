"""Run folders and atomic files: everything is written under a temporary name, then renamed."""

from __future__ import annotations

import contextlib
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

PART = ".part"


class OutputDirError(OSError):
    """The output folder cannot be created or written."""


def temporary_path(path: Path) -> Path:
    """Where ``path`` is written before it is complete."""
    return path.with_name(path.name + PART)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success rename it to ``path``, on failure remove it."""
    tmp = temporary_path(path)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_run_dir(scenario_name: str, root: Path = Path("runs")) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return root / f"{scenario_name}_{stamp}"


def prepare_run_dir(path: Path) -> Path:
    """Create the run folder (or reuse an empty one) and check that it can be written."""
    try:
        if path.exists() and not path.is_dir():
            raise OutputDirError(f"{path}: output folder is a file; expected a folder")
        if path.is_dir() and any(path.iterdir()):
            raise OutputDirError(f"{path}: output folder is not empty; expected a new or empty folder")
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write_test"
        probe.write_bytes(b"")
        probe.unlink()
    except OutputDirError:
        raise
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputDirError(f"{path}: output folder cannot be written ({reason})") from None
    return path
