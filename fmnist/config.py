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
# Shipped models fine-tuned for what a class brings: each answers for the model picked, on its kind of
# input (see fmnist.models.model_for), and never for the test split.
REAL_INPUT_MODEL = "cnn_real"  # the CNN, for hand drawings
MLP_REAL_INPUT_MODEL = "mlp_real"  # the classic MLP, for hand drawings
PHOTO_MODEL = "cnn_photo"  # the CNN, for phone photos
SERVES = {
    "drawing": {DEFAULT_MODEL: REAL_INPUT_MODEL, "mlp": MLP_REAL_INPUT_MODEL},
    "photo": {DEFAULT_MODEL: PHOTO_MODEL},
}
SERVING_MODELS: tuple[str, ...] = tuple(dict.fromkeys(name for kind in SERVES.values() for name in kind.values()))
SHIPPED_MODELS: tuple[str, ...] = (*MODEL_NAMES, *SERVING_MODELS)
MODEL_TITLES = {
    "cnn": "CNN", "mlp": "Classic MLP",
    REAL_INPUT_MODEL: "CNN for drawings (fine-tuned on hand drawings)",
    MLP_REAL_INPUT_MODEL: "Classic MLP for drawings (fine-tuned on hand drawings)",
    PHOTO_MODEL: "CNN for photos (fine-tuned on 65 real photos)",
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = Path(os.environ.get("FMNIST_ASSETS_DIR", PROJECT_ROOT / "assets"))

# The four files of the original distribution, by split.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
DEBIAN_DATA_DIR = Path("/usr/share/datasets/fashion-mnist")
