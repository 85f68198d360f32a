"""A 2-D map of what the model has learned: its penultimate-layer features, projected with PCA.

Items the model finds alike land close together, so the confusable tops (T-shirt, shirt, pullover,
coat) form overlapping clouds while trousers and bags stand apart. NumPy's SVD is all PCA needs.
"""

from __future__ import annotations

import numpy as np

from fmnist.models import Classifier


def penultimate_features(classifier: Classifier, images: np.ndarray, batch_size: int = 2000) -> np.ndarray:
    """float32 (N, D): the input to the final softmax layer, for uint8 images (N, 28, 28)."""
    import keras

    model = classifier.model
    extractor = keras.Model(model.inputs, model.layers[-2].output)
    scaled = images.astype(np.float32) / 255.0
    return np.concatenate([np.asarray(extractor(scaled[i : i + batch_size], training=False)) for i in range(0, len(images), batch_size)])


def pca_2d(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 2) coordinates on the two main axes, and the share of variance each axis explains."""
    centred = features - features.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    return centred @ components[:2].T, variance[:2] / variance.sum()
