"""Running a model on uint8 images, fast: LiteRT for shipped model files, a traced tf.function otherwise.

Both engines map uint8 images (N, 28, 28) to (probabilities (N, 10), features (N, D)), the features
being the input of the last layer (the feature map shows them). LiteRT needs no TensorFlow in the
process: importing TensorFlow alone costs ~500 MB of resident memory, more than everything else a
web server holds, just to run two small models.

A model file `cnn.keras` gets a LiteRT twin `cnn.tflite` beside it. Its model card records the
SHA-256 of the `.keras` file the twin was converted from, so a retrained or replaced model is never
served by a stale twin.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from fmnist.config import IMAGE_SIZE

TOLERANCE = 1e-4  # largest |Δ| of a probability allowed between a converted model and its Keras model


class EngineError(Exception):
    """A LiteRT twin cannot be read or written, or does not predict like its Keras model."""


def agreement(candidate: np.ndarray, reference: np.ndarray) -> tuple[float, bool]:
    """How closely converted probabilities follow the reference: largest |Δ|, and same class for all."""
    return float(np.abs(candidate - reference).max()), bool((candidate.argmax(1) == reference.argmax(1)).all())


def agrees(difference: float, same_class: bool) -> bool:
    return difference <= TOLERANCE and same_class


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def twin_path(model_file: Path) -> Path:
    return Path(model_file).with_suffix(".tflite")


def fresh_twin(model_file: Path, card: dict) -> Path | None:
    """The LiteRT twin of `model_file`, if both exist and the twin was converted from exactly this file."""
    path = twin_path(model_file)
    recorded = (card.get("litert") or {}).get("keras_sha256")
    if recorded and path.is_file() and Path(model_file).is_file() and recorded == file_sha256(model_file):
        return path
    return None


class LiteRTEngine:
    """A LiteRT interpreter behind a lock: one interpreter serves every thread, ~0.2 ms per image."""

    def __init__(self, path: Path):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise EngineError(f"LiteRT is not installed ({exc}); pip install ai-edge-litert") from exc
        try:
            self._interpreter = Interpreter(model_path=str(path), num_threads=min(4, os.cpu_count() or 1))
            self._run = self._interpreter.get_signature_runner()
        except (ValueError, RuntimeError) as exc:
            raise EngineError(f"LiteRT cannot read {path}: {exc}") from exc
        self._lock = threading.Lock()

    def __call__(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:  # an interpreter is not thread-safe; it resizes itself to each batch
            outputs = self._run(images=images)
        return outputs["probabilities"], outputs["features"]


class KerasEngine:
    """A traced tf.function over a Keras model in memory, e.g. one just trained on the Train page.

    Keras' `model.predict` builds a dataset and a loop per call (~40 ms); this costs ~1 ms per image
    and may be called from many threads at once.
    """

    def __init__(self, model):
        import tensorflow as tf

        hidden, last = model.layers[:-1], model.layers[-1]

        @tf.function(
            input_signature=[tf.TensorSpec([None, IMAGE_SIZE, IMAGE_SIZE], tf.uint8, name="images")],
            reduce_retracing=True,
            autograph=False,  # no Python control flow to convert
        )
        def serve(images):
            x = tf.cast(images, tf.float32) / 255.0
            for layer in hidden:
                x = layer(x, training=False)
            return {"probabilities": last(x, training=False), "features": x}

        self.serve = serve
        self._trace_lock = threading.Lock()
        self._traced = False

    def __call__(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not self._traced:
            with self._trace_lock:  # trace once, even when the first calls arrive together
                self.serve(images[:1])
                self._traced = True
        outputs = self.serve(images)
        return outputs["probabilities"].numpy(), outputs["features"].numpy()


def write_twin(model, model_file: Path, check_images: np.ndarray) -> dict:
    """Convert `model` (saved as `model_file`) to its LiteRT twin and prove it predicts the same.

    Returns the record for the model card: twin file name, SHA-256 of `model_file`, largest |Δ|.
    """
    import keras
    import tensorflow as tf

    keras_engine = KerasEngine(model)
    path = twin_path(model_file)
    try:
        with tempfile.TemporaryDirectory() as saved_model:
            archive = keras.export.ExportArchive()
            archive.track(model)
            archive.add_endpoint("serve", keras_engine.serve)
            archive.write_out(saved_model, verbose=False)
            converter = tf.lite.TFLiteConverter.from_saved_model(saved_model)
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]  # pip LiteRT has no TF ops
            path.write_bytes(converter.convert())
    except Exception as exc:  # converter and file errors alike: the twin is not usable
        raise EngineError(f"Writing {path} failed: {exc}") from exc
    twin_probabilities, _ = LiteRTEngine(path)(check_images)
    keras_probabilities, _ = keras_engine(check_images)
    difference, same_class = agreement(twin_probabilities, keras_probabilities)
    if not agrees(difference, same_class):
        path.unlink()
        raise EngineError(f"{path} disagrees with {model_file}: max |Δ| = {difference:.1e}, same class for all: {same_class}.")
    return {"file": path.name, "keras_sha256": file_sha256(model_file), "max_abs_difference": difference}
