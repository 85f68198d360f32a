"""Export a model for deployment and prove the artifact predicts what the Keras model predicts.

- `saved_model`: a TensorFlow SavedModel with a `serving_default` signature, for TensorFlow Serving.
- `litert`: a `.tflite` flatbuffer for phones and edge devices (LiteRT, formerly TensorFlow Lite).

Both take float32 images (N, 28, 28) scaled to [0, 1] and return the 10 probabilities.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist.engines import agreement, agrees
from fmnist.models import Classifier

FORMATS = ("saved_model", "litert")


class ExportError(Exception):
    """The artifact could not be written, or does not predict like the Keras model."""


@dataclass
class ExportReport:
    path: Path
    max_abs_difference: float
    same_argmax: bool
    images: int


def default_path(name: str, fmt: str) -> Path:
    return Path("exports") / (f"{name}_saved_model" if fmt == "saved_model" else f"{name}.tflite")


def _saved_model_predict(path: Path, images: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    outputs = serve(tf.constant(images))
    return next(iter(outputs.values())).numpy()


def _litert_predict(path: Path, images: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    input_detail = interpreter.get_input_details()[0]
    output_detail = interpreter.get_output_details()[0]
    interpreter.resize_tensor_input(input_detail["index"], images.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(input_detail["index"], images)
    interpreter.invoke()
    return interpreter.get_tensor(output_detail["index"])


def export(classifier: Classifier, fmt: str, path: Path, check_images: np.ndarray) -> ExportReport:
    """Write the artifact, load it back, and compare its predictions on `check_images` (uint8)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    keras_format = "tf_saved_model" if fmt == "saved_model" else "litert"
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Keras prints a signature summary
            classifier.model.export(str(path), format=keras_format, verbose=False)
    except Exception as exc:
        raise ExportError(f"Writing {path} failed: {exc}") from exc
    scaled = check_images.astype(np.float32) / 255.0
    exported = (_saved_model_predict if fmt == "saved_model" else _litert_predict)(path, scaled)
    reference = Classifier.from_keras(classifier.model).predict(check_images)
    difference, same_argmax = agreement(exported, reference)
    report = ExportReport(path, difference, same_argmax, len(check_images))
    if not agrees(difference, same_argmax):
        raise ExportError(f"{path} disagrees with the Keras model: max |Δ| = {difference:.2e}, same argmax: {report.same_argmax}.")
    return report
