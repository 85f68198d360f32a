"""Constants shared by the package, the CLI and the app: one place for each."""

from __future__ import annotations

import os
from pathlib import Path

CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
NUM_CLASSES = len(CLASS_NAMES)
IMAGE_SIZE = 28

MODEL_NAMES: tuple[str, ...] = ("cnn", "mlp")
DEFAULT_MODEL = "cnn"
# Shipped models fine-tuned for what a class brings: each serves its kind of input when the default
# model is picked (see fmnist.models.model_for), and never the test split.
REAL_INPUT_MODEL = "cnn_real"  # hand drawings
PHOTO_MODEL = "cnn_photo"  # phone photos
SERVES = {"drawing": REAL_INPUT_MODEL, "photo": PHOTO_MODEL}
SHIPPED_MODELS: tuple[str, ...] = (*MODEL_NAMES, *SERVES.values())
MODEL_TITLES = {
    "cnn": "CNN", "mlp": "Classic MLP",
    REAL_INPUT_MODEL: "CNN for drawings (fine-tuned on hand drawings)", PHOTO_MODEL: "CNN for photos (fine-tuned on 65 real photos)",
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = Path(os.environ.get("FMNIST_ASSETS_DIR", PROJECT_ROOT / "assets"))

# The four files of the original distribution, by split.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
DEBIAN_DATA_DIR = Path("/usr/share/datasets/fashion-mnist")
