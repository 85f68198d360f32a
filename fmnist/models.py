"""The two architectures, loading/saving them, and a fast thread-safe predictor.

Models take float32 images (N, 28, 28) in [0, 1] — the classic "pixels / 255" — and output softmax
probabilities. `Classifier` wraps a model for callers that hold uint8 images.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fmnist.config import ASSETS_DIR, IMAGE_SIZE, MODEL_NAMES, NUM_CLASSES


class ModelLoadError(Exception):
    """A model file is missing or unreadable; the message says how to rebuild it."""


# --- architectures ---------------------------------------------------------------------------------


def build_mlp(hidden_units: int = 128):
    """The classic recipe: Flatten(28×28) → Dense(128, relu) → Dense(10, softmax)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE)),
            layers.Flatten(),
            layers.Dense(hidden_units, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="mlp",
    )


def build_cnn(width: int = 32):
    """A lean VGG-style CNN: one cheap conv at 28×28, two at 14×14, two at 7×7, batch norm and dropout.

    The single first-block conv keeps training affordable on two CPU cores; most capacity sits at the
    cheap 7×7 resolution.
    """
    import keras
    from keras import layers

    def conv_bn(filters):
        return [
            layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
        ]

    return keras.Sequential(
        [
            keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE)),
            layers.Reshape((IMAGE_SIZE, IMAGE_SIZE, 1)),
            *conv_bn(width),
            layers.MaxPooling2D(),  # 14×14
            *conv_bn(2 * width),
            *conv_bn(2 * width),
            layers.MaxPooling2D(),  # 7×7
            layers.Dropout(0.1),
            *conv_bn(4 * width),
            *conv_bn(4 * width),
            layers.MaxPooling2D(),  # 3×3
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(256, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(name="features"),
            layers.Dropout(0.3),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="cnn",
    )


ARCHITECTURES = {"mlp": build_mlp, "cnn": build_cnn}


# --- files -----------------------------------------------------------------------------------------


def model_path(name: str, directory: Path = ASSETS_DIR) -> Path:
    return Path(directory) / f"{name}.keras"


def card_path(model_file: Path) -> Path:
    """The JSON model card that sits beside a .keras file."""
    return Path(model_file).with_suffix(".json")


def resolve_model_file(name_or_path: str | Path) -> Path:
    """'mlp'/'cnn' → the shipped file in assets/; anything else is taken as a path."""
    if str(name_or_path) in MODEL_NAMES:
        return model_path(str(name_or_path))
    return Path(name_or_path)


def rebuild_hint(path: Path) -> str:
    if path.stem in MODEL_NAMES:
        return f"Rebuild it with: python -m fmnist train --model {path.stem} --out {path.parent}"
    return "Give mlp, cnn, or the path of a .keras file written by python -m fmnist train."


def load_keras_model(name_or_path: str | Path):
    """Load a .keras file with Keras' safe mode, turning any failure into a ModelLoadError."""
    path = resolve_model_file(name_or_path)
    if not path.is_file():
        raise ModelLoadError(f"Model file {path} does not exist. {rebuild_hint(path)}")
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # zip, h5 or deserialisation errors all mean the same to a user
        raise ModelLoadError(f"Model file {path} could not be loaded ({type(exc).__name__}: {exc}). {rebuild_hint(path)}") from exc


def load_card(model_file: Path) -> dict:
    """The model card beside a .keras file, or {} when there is none or it is unreadable."""
    try:
        return json.loads(card_path(model_file).read_text())
    except (OSError, ValueError):
        return {}


# --- prediction ------------------------------------------------------------------------------------


@dataclass
class Classifier:
    """A loaded model with a fast predict for uint8 images.

    Keras' `model.predict` builds a dataset and a loop per call (~90 ms); a traced `tf.function`
    with a fixed signature costs about a millisecond and may be called from many threads at once.
    """

    model: object
    name: str = "model"
    card: dict = field(default_factory=dict)

    def __post_init__(self):
        import tensorflow as tf

        model = self.model

        @tf.function(
            input_signature=[tf.TensorSpec([None, IMAGE_SIZE, IMAGE_SIZE], tf.uint8)],
            reduce_retracing=True,
            autograph=False,  # no Python control flow to convert
        )
        def _forward(images):
            return model(tf.cast(images, tf.float32) / 255.0, training=False)

        self._forward = _forward
        self._trace_lock = threading.Lock()
        self._traced = False

    @property
    def num_params(self) -> int:
        return int(self.model.count_params())

    def predict(self, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
        """uint8 (28, 28) or (N, 28, 28) → float32 (N, 10) probabilities; rows sum to 1.

        Large inputs go through in batches: the CNN's activations for 500 images take ~50 MB, and
        the allocator keeps the peak for the life of the process.
        """
        images = np.asarray(images)
        if images.ndim == 2:
            images = images[None]
        if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise ValueError(f"expected images of shape (28, 28) or (N, 28, 28), got {images.shape}")
        if images.dtype != np.uint8:
            images = np.clip(images, 0, 255).astype(np.uint8)
        if not self._traced:
            with self._trace_lock:  # trace once, even when the first calls arrive together
                self._forward(images[:1])
                self._traced = True
        if len(images) <= batch_size:
            return self._forward(images).numpy()
        return np.concatenate([self._forward(images[i : i + batch_size]).numpy() for i in range(0, len(images), batch_size)])


def load_model(name_or_path: str | Path = "cnn") -> Classifier:
    """`fmnist.load_model("cnn")`: a Classifier for a shipped model name or a .keras path."""
    path = resolve_model_file(name_or_path)
    model = load_keras_model(path)
    return Classifier(model=model, name=path.stem, card=load_card(path))
