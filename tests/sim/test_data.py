"""Measured data sets resolve from HAZSIM_DATA_DIR, then the user cache; failures are one-line DataUnavailable."""

from __future__ import annotations

import hashlib

import pytest

from sim.io import data
from sim.io.data import DataSet, DataUnavailable, dataset_dir, dataset_file

NAME = "test/tiny"
CONTENT = {"a.txt": b"alpha\r\n", "b.txt": b"beta\n"}


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A test-only data set, no network, an empty cache under tmp_path and no shared folder."""
    ds = DataSet(name=NAME, files={f: hashlib.sha256(b).hexdigest() for f, b in CONTENT.items()},
                 base_url="https://example.invalid/", citation="test")
    monkeypatch.setitem(data.DATASETS, NAME, ds)
    monkeypatch.setenv("HAZSIM_OFFLINE", "1")
    monkeypatch.delenv("HAZSIM_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "cache_dir", lambda: tmp_path / "cache")
    return ds


def _write(folder, content=CONTENT):
    folder.mkdir(parents=True, exist_ok=True)
    for fname, blob in content.items():
        (folder / fname).write_bytes(blob)
    return folder


def test_resolves_from_hazsim_data_dir(tiny, monkeypatch, tmp_path):
    folder = _write(tmp_path / "shared" / NAME)
    monkeypatch.setenv("HAZSIM_DATA_DIR", str(tmp_path / "shared"))
    assert dataset_dir(NAME) == folder
    assert dataset_file(NAME, "b.txt").read_bytes() == b"beta\n"


def test_corrupted_file_names_the_file(tiny, monkeypatch, tmp_path):
    _write(tmp_path / "shared" / NAME, {**CONTENT, "b.txt": b"BETA\n"})
    monkeypatch.setenv("HAZSIM_DATA_DIR", str(tmp_path / "shared"))
    with pytest.raises(DataUnavailable, match=r"b\.txt.*sha256") as info:
        dataset_dir(NAME)
    assert "\n" not in str(info.value)


def test_a_gzip_copy_is_checked_against_the_files_own_sha256(tiny, monkeypatch, tmp_path):
    import gzip

    from sim.io.data import open_text

    folder = _write(tmp_path / "shared" / NAME, {"a.txt": CONTENT["a.txt"], "b.txt.gz": gzip.compress(b"beta\n")})
    monkeypatch.setenv("HAZSIM_DATA_DIR", str(tmp_path / "shared"))
    assert dataset_dir(NAME) == folder
    path = dataset_file(NAME, "b.txt")
    assert path.name == "b.txt.gz"
    with open_text(path) as fh:
        assert fh.read() == "beta\n"
    (folder / "b.txt.gz").write_bytes(gzip.compress(b"BETA\n"))
    with pytest.raises(DataUnavailable, match=r"b\.txt\.gz.*sha256"):
        dataset_dir(NAME)


def test_cache_used_when_shared_folder_absent(tiny, tmp_path):
    folder = _write(tmp_path / "cache" / NAME)
    assert dataset_dir(NAME) == folder


def test_incomplete_shared_folder_falls_back_to_cache(tiny, monkeypatch, tmp_path):
    _write(tmp_path / "shared" / NAME, {"a.txt": CONTENT["a.txt"]})
    monkeypatch.setenv("HAZSIM_DATA_DIR", str(tmp_path / "shared"))
    cached = _write(tmp_path / "cache" / NAME)
    assert dataset_dir(NAME) == cached


def test_corrupted_cache_is_not_used(tiny, tmp_path):
    _write(tmp_path / "cache" / NAME, {**CONTENT, "a.txt": b"changed"})
    with pytest.raises(DataUnavailable):
        dataset_dir(NAME)


@pytest.mark.parametrize("download", [True, False])
def test_missing_offline_is_one_line_with_advice(tiny, download):
    with pytest.raises(DataUnavailable) as info:
        dataset_dir(NAME, download=download)
    msg = str(info.value)
    assert "\n" not in msg
    assert NAME in msg and "HAZSIM_DATA_DIR" in msg and "network" in msg


def test_download_failure_is_one_line(tiny, monkeypatch):
    monkeypatch.delenv("HAZSIM_OFFLINE")

    def refuse(url, **kwargs):
        raise OSError("no route to host\nwhile fetching")

    monkeypatch.setattr(data.pooch, "retrieve", refuse)
    with pytest.raises(DataUnavailable, match=r"a\.txt.*no route to host while fetching") as info:
        dataset_dir(NAME)
    assert "\n" not in str(info.value)


def test_download_uses_sha256_and_the_cache(tiny, monkeypatch, tmp_path):
    monkeypatch.delenv("HAZSIM_OFFLINE")
    calls = []

    def fake_retrieve(url, known_hash, fname, path):
        calls.append((url, known_hash, fname))
        _write(path, {fname: CONTENT[fname]})
        return str(path / fname)

    monkeypatch.setattr(data.pooch, "retrieve", fake_retrieve)
    assert dataset_dir(NAME) == tmp_path / "cache" / NAME
    assert [c[2] for c in calls] == list(CONTENT)
    assert all(h == "sha256:" + tiny.files[f] for _, h, f in calls)


def test_unknown_name_lists_known_sets(tiny):
    with pytest.raises(DataUnavailable, match=r"unknown data set 'nope'.*gas/prairie_grass"):
        dataset_dir("nope")
    with pytest.raises(DataUnavailable, match="no file"):
        dataset_file(NAME, "c.txt")


def test_prairie_grass_registration():
    ds = data.DATASETS["gas/prairie_grass"]
    assert set(ds.files) == {"PGARCS.txt", "PGrassEvapLossTABLE_5_4.txt", "PG_meteo_modelParamList.txt"}
    assert ds.url("PG_meteo_modelParamList.txt").endswith("/Data/inputFiles/modelParamList.txt")
    assert all(len(sha) == 64 for sha in ds.files.values())
    assert "Barad" in ds.citation and "AFCRC-TR-58-235" in ds.citation
