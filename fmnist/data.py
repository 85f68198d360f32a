"""Find, read and (as a last resort) download the Fashion-MNIST IDX files.

The IDX reader is ours (NumPy only) so that the app and the tests need no network and no Keras
download; Keras' downloader is used only when no local copy exists anywhere.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from fmnist.config import ASSETS_DIR, DEBIAN_DATA_DIR, IDX_FILES, IMAGE_SIZE

# IDX type codes we accept; Fashion-MNIST only uses unsigned bytes.
_IDX_UBYTE = 0x08


class DataError(Exception):
    """Base class for dataset problems a user can fix."""


class DataNotFoundError(DataError):
    """No copy of the requested split anywhere we look, and no download possible."""


class CorruptDataError(DataError):
    """An IDX file exists but is truncated, not gzip, or has the wrong header."""


def read_idx(path: str | os.PathLike, expected_ndim: int | None = None) -> np.ndarray:
    """Read one (optionally gzipped) IDX file into a uint8 array, validating its header."""
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise CorruptDataError(f"{path} is not a readable IDX file ({exc}).") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise CorruptDataError(f"{path} has no IDX magic number; it is not an IDX file.")
    if raw[2] != _IDX_UBYTE:
        raise CorruptDataError(f"{path} holds IDX type 0x{raw[2]:02x}; only unsigned bytes (0x08) are supported.")
    ndim = raw[3]
    if expected_ndim is not None and ndim != expected_ndim:
        raise CorruptDataError(f"{path} has {ndim} dimensions; expected {expected_ndim}.")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise CorruptDataError(f"{path} is truncated inside its header.")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64))
    actual = len(raw) - header_len
    if actual != expected:
        raise CorruptDataError(
            f"{path} should hold {expected:,} bytes of data for shape {shape} but holds {actual:,}; "
            "the file is truncated or corrupt."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)


def read_split_dir(directory: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read images and labels of one split from a directory holding the original files."""
    image_file, label_file = IDX_FILES[split]
    images = read_idx(directory / image_file, expected_ndim=3)
    labels = read_idx(directory / label_file, expected_ndim=1)
    if images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise CorruptDataError(f"{directory / image_file} holds {images.shape[1:]} images; expected 28×28.")
    if len(images) != len(labels):
        raise CorruptDataError(f"{directory} has {len(images)} images but {len(labels)} labels for the {split} split.")
    if labels.size and labels.max() > 9:
        raise CorruptDataError(f"{directory / label_file} has labels above 9.")
    return images, labels


def keras_cache_dir() -> Path:
    """Where keras.datasets.fashion_mnist keeps its download."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "datasets" / "fashion-mnist"


def candidate_dirs(split: str) -> list[tuple[str, Path]]:
    """The places searched for a split, in order, each with a short description."""
    places = []
    if os.environ.get("FMNIST_DATA_DIR"):
        places.append(("$FMNIST_DATA_DIR", Path(os.environ["FMNIST_DATA_DIR"])))
    places.append(("Debian package dataset-fashion-mnist", DEBIAN_DATA_DIR))
    places.append(("Keras cache", keras_cache_dir()))
    if split == "test":
        places.append(("bundled test split", ASSETS_DIR))
    return places


def find_split(split: str) -> tuple[str, Path] | None:
    """The first place that has both files of a split, or None."""
    for description, directory in candidate_dirs(split):
        if all((directory / name).is_file() for name in IDX_FILES[split]):
            return description, directory
    return None


def not_found_message(split: str) -> str:
    return (
        f"The Fashion-MNIST {split} split was not found and could not be downloaded. Provide it in one of three ways: "
        "set FMNIST_DATA_DIR to a folder holding the four *-idx?-ubyte.gz files; "
        "or install the Debian package (sudo apt-get install dataset-fashion-mnist); "
        "or connect to the internet once so Keras can download it into ~/.keras/datasets/fashion-mnist."
    )


def download_with_keras() -> Path:
    """Download the dataset with Keras (shows its own progress bar) and return the cache folder."""
    try:
        from keras.datasets import fashion_mnist

        fashion_mnist.load_data()
    except Exception as exc:  # any network or HTTP failure: say what to do instead
        raise DataNotFoundError(not_found_message("train") + f" (Download failed: {exc})") from exc
    return keras_cache_dir()


def load_split(split: str, download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 and labels (N,) uint8 of 'train' or 'test', from the first place that has them."""
    if split not in IDX_FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    found = find_split(split)
    if found is None:
        if not download:
            raise DataNotFoundError(not_found_message(split))
        return read_split_dir(download_with_keras(), split)
    return read_split_dir(found[1], split)


def load_data(download: bool = True) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Both splits, shaped like keras.datasets.fashion_mnist.load_data()."""
    return load_split("train", download), load_split("test", download)


def load_test_split() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 test images: always available, since assets/ ships them."""
    return load_split("test", download=True)
