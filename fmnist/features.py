"""A 2-D map of what the model has learned: its penultimate-layer features, projected with PCA.

Items the model finds alike land close together, so the confusable tops (T-shirt, shirt, pullover,
coat) form overlapping clouds while trousers and bags stand apart. NumPy's SVD is all PCA needs.
"""

from __future__ import annotations

import numpy as np

from fmnist.models import Classifier


def penultimate_features(classifier: Classifier, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """float32 (N, D): the input to the final softmax layer, for uint8 images (N, 28, 28).

    A traced function over the model's layers but the last: eager calls or a second Keras model
    would cost hundreds of MB of allocator memory that a server never gives back.
    """
    import tensorflow as tf

    hidden_layers = classifier.model.layers[:-1]

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28], tf.uint8)], autograph=False)
    def features(batch):
        x = tf.cast(batch, tf.float32) / 255.0
        for layer in hidden_layers:
            x = layer(x, training=False)
        return x

    return np.concatenate([features(images[i : i + batch_size]).numpy() for i in range(0, len(images), batch_size)])


def pca_2d(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 2) coordinates on the two main axes, and the share of variance each axis explains."""
    centred = features - features.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    return centred @ components[:2].T, variance[:2] / variance.sum()
