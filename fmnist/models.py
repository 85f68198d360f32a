"""The two architectures, loading/saving them, and a fast thread-safe predictor.

Models take float32 images (N, 28, 28) in [0, 1] — the classic "pixels / 255" — and output softmax
probabilities. `Classifier` wraps a model for callers that hold uint8 images; `load_model` serves a
file by its LiteRT twin when it has one, so an app that only predicts never imports TensorFlow.
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from pathlib import Path

import numpy as np

from fmnist.config import ASSETS_DIR, IMAGE_SIZE, NUM_CLASSES, SERVES, SERVING_MODELS, SHIPPED_MODELS
from fmnist.engines import EngineError, KerasEngine, LiteRTEngine, file_sha256, fresh_twin, write_twin


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
    """A shipped model's name ('mlp', 'cnn', 'cnn_real', …) → its file in assets/; anything else is a path."""
    if str(name_or_path) in SHIPPED_MODELS:
        return model_path(str(name_or_path))
    return Path(name_or_path)


def rebuild_hint(path: Path) -> str:
    if path.stem in SHIPPED_MODELS:
        return f"Rebuild it with: python -m fmnist train --model {path.stem} --out {path.parent}"
    return "Give mlp, cnn, or the path of a .keras file written by python -m fmnist train."


def model_for(name: str, serves: str | None = None) -> str:
    """The shipped model that answers for `name` on an input of kind `serves` ("drawing", "photo").

    The shipped models learned from product photos; for what a class brings (config.SERVES) the same
    model fine-tuned on such inputs answers instead, when it is installed. Any other model (a path,
    one trained in the session) answers for itself.
    """
    special = SERVES.get(serves, {}).get(name)
    if special and model_path(special).is_file():
        return special
    return name


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


class Classifier:
    """A model behind a fast, thread-safe predict for uint8 images; one instance serves every session.

    The engine does the work (see `fmnist.engines`). The Keras model itself, needed only for
    gradients, export and saving, is loaded from `model_file` on first use when not given.
    """

    def __init__(self, engine, name: str = "model", card: dict | None = None, model_file: Path | None = None, keras_model=None):
        self.engine = engine
        self.name = name
        self.card = card or {}
        self.model_file = model_file
        self._keras_model = keras_model
        self._load_lock = threading.Lock()

    @classmethod
    def from_keras(cls, model, name: str = "model", card: dict | None = None, model_file: Path | None = None) -> Classifier:
        return cls(KerasEngine(model), name, card, model_file, keras_model=model)

    @property
    def model(self):
        """The Keras model (loading it imports TensorFlow: ~500 MB, a few seconds)."""
        with self._load_lock:
            if self._keras_model is None:
                self._keras_model = load_keras_model(self.model_file)
        return self._keras_model

    @property
    def num_params(self) -> int:
        return int(self.card.get("parameters") or self.model.count_params())

    def predict(self, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
        """uint8 (28, 28) or (N, 28, 28) → float32 (N, 10) probabilities; rows sum to 1."""
        return self._outputs(images, batch_size, 0)

    def features(self, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
        """uint8 (28, 28) or (N, 28, 28) → float32 (N, D): what the last layer sees."""
        return self._outputs(images, batch_size, 1)

    def _outputs(self, images: np.ndarray, batch_size: int, which: int) -> np.ndarray:
        """Run the engine in batches: 500 CNN activations take ~50 MB, kept for the process's life."""
        images = np.asarray(images)
        if images.ndim == 2:
            images = images[None]
        if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise ValueError(f"expected images of shape (28, 28) or (N, 28, 28), got {images.shape}")
        if images.dtype != np.uint8:
            images = np.clip(images, 0, 255).astype(np.uint8)
        if len(images) == 0:  # an empty answer of the right width
            return self.engine(np.zeros((1, IMAGE_SIZE, IMAGE_SIZE), np.uint8))[which][:0]
        images = np.ascontiguousarray(images)
        return np.concatenate([self.engine(images[i : i + batch_size])[which] for i in range(0, len(images), batch_size)])


def load_model(name_or_path: str | Path = "cnn") -> Classifier:
    """`fmnist.load_model("cnn")`: a Classifier for a shipped model name or a .keras path.

    Served by the file's LiteRT twin when it is fresh (no TensorFlow needed), else by TensorFlow.
    """
    path = resolve_model_file(name_or_path)
    card = load_card(path)
    twin = fresh_twin(path, card)
    if twin is not None:
        try:
            return Classifier(LiteRTEngine(twin), path.stem, card, path)
        except EngineError as exc:
            warnings.warn(f"{exc}; serving {path} with TensorFlow instead.", stacklevel=2)
    return Classifier.from_keras(load_keras_model(path), path.stem, card, path)


def save_with_twin(model, path: Path, card: dict, check_images: np.ndarray) -> dict:
    """Write <name>.keras, its LiteRT twin <name>.tflite and its <name>.json card; return the card."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return add_twin(model, path, card, check_images)


def add_twin(model, path: Path, card: dict, check_images: np.ndarray) -> dict:
    """Convert the model saved at `path` to its LiteRT twin and record it in the card beside it;
    save the twin's predictions for the test split beside them (`probabilities_for_test_split`), unless
    it serves drawings or photos only (config.SERVES), never the test split (minutes of CPU for nothing)."""
    card = {**card, "litert": write_twin(model, path, check_images)}
    card_path(path).write_text(json.dumps(card, indent=1))
    if path.stem not in SERVING_MODELS:
        from fmnist.data import load_test_split

        save_test_predictions(load_model(path), load_test_split()[0])
    return card


def predictions_path(model_file: Path) -> Path:
    return Path(model_file).with_suffix(".test.npz")


def _predictions_key(classifier: Classifier, images: np.ndarray) -> str:
    """What the saved predictions were made from: this model file and exactly these images."""
    return f"{file_sha256(classifier.model_file)}:{hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()}"


def save_test_predictions(classifier: Classifier, images: np.ndarray) -> Path:
    """Write what the classifier computes on `images` (the test split) beside its model file: its
    probabilities, its feature map (`features.pca_2d`) and the occlusion drops of each image's predicted
    class (`explain.occlusion_drops`: ~8 min of CPU for the CNN, once, instead of ~80 ms in every detail view)."""
    from fmnist.explain import occlusion_drops
    from fmnist.features import pca_2d

    path = predictions_path(classifier.model_file)
    probabilities = classifier.predict(images)
    predicted = probabilities.argmax(1)
    coordinates, explained = pca_2d(classifier.features(images))
    np.savez_compressed(path, probabilities=probabilities, map=coordinates, explained=explained,
                        occlusion=occlusion_drops(classifier, images, predicted).astype(np.float16),
                        occlusion_targets=predicted.astype(np.uint8), key=_predictions_key(classifier, images))
    return path


def _saved_for_test_split(classifier: Classifier, images: np.ndarray, *names: str) -> list[np.ndarray] | None:
    """Arrays from the file saved with the model, while it was made from this very model file and these
    images; None when there is none (a fresh server's first views would otherwise wait ~3 s for each)."""
    path = predictions_path(classifier.model_file) if classifier.model_file else None
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path) as saved:
            if str(saved["key"]) != _predictions_key(classifier, images) or not set(names) <= set(saved.files):
                return None  # made from another model or images, or before these arrays were saved
            return [saved[name] for name in names]
    except (OSError, ValueError, KeyError) as exc:
        warnings.warn(f"{path} is unreadable ({exc}); computing on the test split instead.", stacklevel=2)
        return None


def probabilities_for_test_split(classifier: Classifier, images: np.ndarray) -> np.ndarray:
    """The classifier's probabilities for the test split, saved or computed (10,000 predictions)."""
    saved = _saved_for_test_split(classifier, images, "probabilities")
    return saved[0] if saved else classifier.predict(images)


def map_of_test_split(classifier: Classifier, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The test split's feature map (2-D coordinates, variance per axis), saved or computed."""
    from fmnist.features import pca_2d

    saved = _saved_for_test_split(classifier, images, "map", "explained")
    return tuple(saved) if saved else pca_2d(classifier.features(images))


def occlusions_of_test_split(classifier: Classifier, images: np.ndarray):
    """The saved occlusion drops of the test split (`explain.SavedOcclusions`), or None: never computed
    here, which takes minutes (`save_test_predictions` does it once)."""
    from fmnist.explain import SavedOcclusions

    saved = _saved_for_test_split(classifier, images, "occlusion", "occlusion_targets")
    return SavedOcclusions(images, *saved) if saved else None
