"""A 2-D map of what the model has learned: its penultimate-layer features (`Classifier.features`),
projected with PCA.

Items the model finds alike land close together, so the confusable tops (T-shirt, shirt, pullover,
coat) form overlapping clouds while trousers and bags stand apart. NumPy's SVD is all PCA needs.
"""

from __future__ import annotations

import numpy as np


def pca_2d(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 2) coordinates on the two main axes, and the share of variance each axis explains."""
    centred = features - features.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    return centred @ components[:2].T, variance[:2] / variance.sum()
