"""Accuracy, per-class accuracy and the confusion matrix, from labels and predictions (NumPy only)."""

from __future__ import annotations

import numpy as np

from fmnist.config import CLASS_NAMES, NUM_CLASSES


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """(10, 10) int counts; row = true class, column = predicted class."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    return np.bincount(y_true * NUM_CLASSES + y_pred, minlength=NUM_CLASSES**2).reshape(NUM_CLASSES, NUM_CLASSES)


def per_class_accuracy(matrix: np.ndarray) -> np.ndarray:
    """Recall of each class: the diagonal over the row sums (NaN for an empty row)."""
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def summarize(y_true: np.ndarray, probabilities: np.ndarray) -> dict:
    """Everything the CLI, the model card and the Model page report, as JSON-ready values."""
    y_pred = probabilities.argmax(axis=1)
    matrix = confusion_matrix(y_true, y_pred)
    return {
        "accuracy": float(np.trace(matrix) / max(matrix.sum(), 1)),
        "per_class_accuracy": {name: float(acc) for name, acc in zip(CLASS_NAMES, per_class_accuracy(matrix))},
        "confusion_matrix": matrix.tolist(),
        "count": int(matrix.sum()),
    }
