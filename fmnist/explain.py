"""Why the model decided: heatmaps over the 28×28 input for one class.

- Occlusion sensitivity (any model): cover a small patch with background and measure how much the
  class probability drops; pixels whose covering hurts most drove the decision.
- Gradients: gradient × input (the pixels whose brightness pushes the class up; plain gradients also
  light up the empty background), and for the CNN weighted by Grad-CAM on the last convolution.

Every heatmap is float32 (28, 28), non-negative, normalised to a maximum of 1 (all zero when nothing
matters).
"""

from __future__ import annotations

import numpy as np

from fmnist.config import IMAGE_SIZE
from fmnist.models import Classifier

METHODS = ("occlusion", "gradient")
GUIDE = {
    "occlusion": "Bright areas are where covering the picture lowers the model's confidence most: they drove its answer.",
    "gradient": "Bright areas are where small changes to the picture move the model's answer most.",
}


def _normalise(heatmap: np.ndarray) -> np.ndarray:
    heatmap = np.maximum(heatmap, 0).astype(np.float32)
    top = heatmap.max()
    return heatmap / top if top > 0 else heatmap


def occlusion(classifier: Classifier, image: np.ndarray, target: int, patch: int = 6, stride: int = 2) -> np.ndarray:
    """Drop in the target's probability when each patch is set to black, averaged per pixel."""
    starts = range(0, IMAGE_SIZE - patch + 1, stride)
    boxes = [(y, x) for y in starts for x in starts]
    batch = np.repeat(image[None], len(boxes), axis=0)
    for k, (y, x) in enumerate(boxes):
        batch[k, y : y + patch, x : x + patch] = 0
    base = classifier.predict(image)[0, target]
    drops = base - classifier.predict(batch)[:, target]
    total = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32)
    counts = np.zeros_like(total)
    for drop, (y, x) in zip(drops, boxes):
        total[y : y + patch, x : x + patch] += drop
        counts[y : y + patch, x : x + patch] += 1
    return _normalise(total / np.maximum(counts, 1))


def _last_conv_index(model) -> int | None:
    import keras

    convs = [i for i, layer in enumerate(model.layers) if isinstance(layer, keras.layers.Conv2D)]
    return convs[-1] if convs else None


def _gradient_fn(classifier: Classifier):
    """Build (once per classifier) a traced function image, target → heatmap at 28×28."""
    cached = getattr(classifier, "_explain_gradient", None)
    if cached is not None:
        return cached
    import tensorflow as tf

    model = classifier.model
    conv = _last_conv_index(model)
    if conv is None:  # MLP: gradient × input, positive part

        @tf.function(input_signature=[tf.TensorSpec([IMAGE_SIZE, IMAGE_SIZE], tf.float32), tf.TensorSpec([], tf.int32)], autograph=False)
        def saliency(image, target):
            x = image[None] / 255.0
            with tf.GradientTape() as tape:
                tape.watch(x)
                p = model(x, training=False)[0, target]
            return tf.nn.relu(tape.gradient(p, x) * x)[0]

        fn = saliency
    else:  # CNN: Grad-CAM on the activations after the last conv block (conv → BN → ReLU)
        activation_end = conv + 3
        head, tail = model.layers[:activation_end], model.layers[activation_end:]

        @tf.function(input_signature=[tf.TensorSpec([IMAGE_SIZE, IMAGE_SIZE], tf.float32), tf.TensorSpec([], tf.int32)], autograph=False)
        def grad_cam(image, target):
            pixels = image[None] / 255.0
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(pixels)
                x = pixels
                for layer in head:
                    x = layer(x, training=False)
                y = x
                for layer in tail:
                    y = layer(y, training=False)
                p = y[0, target]
            activation_grads, pixel_grads = tape.gradient(p, [x, pixels])
            del tape
            weights = tf.reduce_mean(activation_grads, axis=(1, 2), keepdims=True)
            cam = tf.nn.relu(tf.reduce_sum(weights * x, axis=-1))[..., None]
            cam = tf.image.resize(cam, (IMAGE_SIZE, IMAGE_SIZE), method="bilinear")[0, ..., 0]
            # Grad-CAM's 7×7 map is coarse; weighting it by gradient × input (as Guided Grad-CAM does
            # with guided back-propagation) keeps the class-specific regions at pixel sharpness.
            return cam * tf.nn.relu(pixel_grads * pixels)[0]

        fn = grad_cam
    classifier._explain_gradient = fn
    return fn


def gradient(classifier: Classifier, image: np.ndarray, target: int) -> np.ndarray:
    fn = _gradient_fn(classifier)
    return _normalise(fn(image.astype(np.float32), np.int32(target)).numpy())


def explain(classifier: Classifier, image: np.ndarray, target: int | None = None, method: str = "occlusion") -> np.ndarray:
    """Heatmap (28, 28) for `target` (default: the predicted class) by 'occlusion' or 'gradient'."""
    image = np.asarray(image, dtype=np.uint8)
    if target is None:
        target = int(classifier.predict(image)[0].argmax())
    if method == "occlusion":
        return occlusion(classifier, image, target)
    if method == "gradient":
        return gradient(classifier, image, target)
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")
