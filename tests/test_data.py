"""The IDX reader on files the tests write, and where the loader looks for the dataset."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from fmnist import data
from fmnist.config import IDX_FILES


def write_idx(path, array: np.ndarray, type_code: int = 0x08, compress: bool = True):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    if compress:
        with gzip.open(path, "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)
    return path


def write_split(directory, split: str, n: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    directory.mkdir(parents=True, exist_ok=True)
    write_idx(directory / IDX_FILES[split][0], images)
    write_idx(directory / IDX_FILES[split][1], labels)
    return images, labels


def test_reads_what_was_written(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint32).reshape(2, 28, 28) % 256
    got = data.read_idx(write_idx(tmp_path / "x.gz", images))
    assert got.dtype == np.uint8 and got.shape == (2, 28, 28)
    assert np.array_equal(got, images)


def test_reads_uncompressed(tmp_path):
    labels = np.array([3, 1, 4], dtype=np.uint8)
    assert np.array_equal(data.read_idx(write_idx(tmp_path / "labels", labels, compress=False)), labels)


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda raw: raw[:-100], "truncated"),
        (lambda raw: raw[:10], "truncated"),
        (lambda raw: b"\x01\x02" + raw[2:], "magic"),
        (lambda raw: raw[:2] + b"\x0d" + raw[3:], "type"),
        (lambda raw: raw + b"extra", "should hold"),
    ],
)
def test_corrupt_files_raise_clear_errors(tmp_path, corrupt, message):
    good = write_idx(tmp_path / "good", np.zeros((3, 28, 28), np.uint8), compress=False)
    bad = tmp_path / "bad.gz"
    with gzip.open(bad, "wb") as f:
        f.write(corrupt(good.read_bytes()))
    with pytest.raises(data.CorruptDataError, match=message):
        data.read_idx(bad)


def test_not_gzip_is_corrupt(tmp_path):
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(b"this is not gzip at all")
    with pytest.raises(data.CorruptDataError, match="not a readable IDX"):
        data.read_idx(path)


def test_label_count_must_match(tmp_path):
    write_idx(tmp_path / IDX_FILES["test"][0], np.zeros((4, 28, 28), np.uint8))
    write_idx(tmp_path / IDX_FILES["test"][1], np.zeros(3, np.uint8))
    with pytest.raises(data.CorruptDataError, match="4 images but 3 labels"):
        data.read_split_dir(tmp_path, "test")


@pytest.fixture
def isolated_places(tmp_path, monkeypatch):
    """Point every place the loader searches at empty temporary folders."""
    places = {name: tmp_path / name for name in ("env", "debian", "keras_home", "assets")}
    monkeypatch.setenv("FMNIST_DATA_DIR", str(places["env"]))
    monkeypatch.setenv("KERAS_HOME", str(places["keras_home"]))
    monkeypatch.setattr(data, "DEBIAN_DATA_DIR", places["debian"])
    monkeypatch.setattr(data, "ASSETS_DIR", places["assets"])
    return places


def test_search_order(isolated_places):
    keras_dir = isolated_places["keras_home"] / "datasets" / "fashion-mnist"
    for seed, directory in enumerate([isolated_places["assets"], keras_dir, isolated_places["debian"], isolated_places["env"]]):
        images, _ = write_split(directory, "test", seed=seed)
        # Each newly written place has higher priority than all before it.
        assert np.array_equal(data.load_split("test", download=False)[0], images)
    assert data.find_split("test")[0] == "$FMNIST_DATA_DIR"


def test_train_split_is_not_taken_from_assets(isolated_places):
    write_split(isolated_places["assets"], "train")
    assert data.find_split("train") is None


def test_missing_data_names_all_three_ways(isolated_places):
    with pytest.raises(data.DataNotFoundError) as info:
        data.load_split("train", download=False)
    text = str(info.value)
    assert "FMNIST_DATA_DIR" in text and "dataset-fashion-mnist" in text and ".keras" in text


def test_bundled_test_split_is_the_real_one(test_split):
    images, labels = test_split
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert np.bincount(labels).tolist() == [1000] * 10


def test_full_dataset_shapes(train_split):
    images, labels = train_split
    assert images.shape == (60000, 28, 28) and np.bincount(labels).tolist() == [6000] * 10
