"""Why the model decided: heatmaps over the 28×28 input for one class.

- Occlusion sensitivity (any model): cover a small patch with background and measure how much the
  class probability drops; pixels whose covering hurts most drove the decision.
- Gradients: gradient × input (the pixels whose brightness pushes the class up; plain gradients also
  light up the empty background), and for the CNN weighted by Grad-CAM on the last convolution;
  smoothed with a small Gaussian, since single-pixel specks are unreadable on a projector.

Every heatmap is float32 (28, 28), non-negative, normalised to a maximum of 1 (all zero when nothing
matters). `describe_heatmap` says in words where a heatmap lies (the alt text of the picture), and
`confidence_note` says how sure a prediction is, for inputs whose true class nobody knows.
"""

from __future__ import annotations

import hashlib

import numpy as np
from scipy import ndimage

from fmnist.config import CLASS_NAMES, IMAGE_SIZE
from fmnist.models import Classifier

METHODS = ("occlusion", "gradient")
GUIDE = {
    "occlusion": "Bright areas are where covering the picture lowers the model's confidence most: they drove its answer.",
    "gradient": "Bright areas are where small changes to the picture move the model's answer most.",
}
GRADIENT_SMOOTHING = 1.0  # Gaussian sigma in input pixels: specks become readable areas
UNSURE_BELOW = 0.5  # a top answer under this probability is "not sure"
UNFAMILIAR_BELOW = 0.35  # under this, or with a nearly flat distribution, the input may be nothing the model knows
UNFAMILIAR_ENTROPY = 0.7  # entropy as a share of the most possible (log 10)


def _normalise(heatmap: np.ndarray) -> np.ndarray:
    heatmap = np.maximum(heatmap, 0).astype(np.float32)
    top = heatmap.max()
    return heatmap / top if top > 0 else heatmap


OCCLUSION_PATCH, OCCLUSION_STRIDE = 6, 2
_STARTS = range(0, IMAGE_SIZE - OCCLUSION_PATCH + 1, OCCLUSION_STRIDE)
_BOXES = [(y, x) for y in _STARTS for x in _STARTS]  # 144 patches


def occlusion(classifier: Classifier, image: np.ndarray, target: int) -> np.ndarray:
    """Drop in the target's probability when each patch is set to black, averaged per pixel."""
    return occlusion_heatmap(occlusion_drops(classifier, image[None], np.array([target]))[0])


def occlusion_drops(classifier: Classifier, images: np.ndarray, targets: np.ndarray, chunk: int = 64) -> np.ndarray:
    """(n, 144): how much each patch, blacked out, lowers each image's target probability. Kept apart from
    the heatmap so the drops of a whole test split can be saved with the model (`models.save_test_predictions`)."""
    drops = np.empty((len(images), len(_BOXES)), np.float32)
    for start in range(0, len(images), chunk):
        part = np.asarray(images[start : start + chunk])
        batch = np.repeat(part[:, None], len(_BOXES), axis=1)  # (n, boxes, 28, 28)
        for k, (y, x) in enumerate(_BOXES):
            batch[:, k, y : y + OCCLUSION_PATCH, x : x + OCCLUSION_PATCH] = 0
        rows = np.arange(len(part))
        target = np.asarray(targets[start : start + chunk])
        base = classifier.predict(part)[rows, target]
        covered = classifier.predict(batch.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)).reshape(len(part), len(_BOXES), -1)
        drops[start : start + len(part)] = base[:, None] - covered[rows, :, target]
    return drops


def occlusion_heatmap(drops: np.ndarray) -> np.ndarray:
    """The heatmap (28, 28) from one image's 144 drops: each pixel averages the drops of the patches over it."""
    total = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32)
    counts = np.zeros_like(total)
    for drop, (y, x) in zip(np.asarray(drops, np.float32), _BOXES):
        total[y : y + OCCLUSION_PATCH, x : x + OCCLUSION_PATCH] += drop
        counts[y : y + OCCLUSION_PATCH, x : x + OCCLUSION_PATCH] += 1
    return _normalise(total / np.maximum(counts, 1))


class SavedOcclusions:
    """Occlusion drops saved with a model for the test split (`models.occlusions_of_test_split`), found by the
    image's bytes: a test image's heatmap for its predicted class without 145 runs of the model (~80 ms of a
    CNN detail view's server time)."""

    def __init__(self, images: np.ndarray, drops: np.ndarray, targets: np.ndarray):
        self._rows = {self._digest(image): row for row, image in enumerate(images)}
        self._drops, self._targets = drops, targets

    @staticmethod
    def _digest(image: np.ndarray) -> bytes:
        return hashlib.blake2b(np.ascontiguousarray(image, np.uint8).tobytes(), digest_size=16).digest()

    def heatmap(self, image: np.ndarray, target: int) -> np.ndarray | None:
        """The saved heatmap, or None when this is no test image or another class is asked about."""
        row = self._rows.get(self._digest(image))
        if row is None or int(self._targets[row]) != target:
            return None
        return occlusion_heatmap(self._drops[row])


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
    raw = _normalise(fn(image.astype(np.float32), np.int32(target)).numpy())
    return _normalise(ndimage.gaussian_filter(raw, GRADIENT_SMOOTHING, mode="constant"))


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


# --- in words ----------------------------------------------------------------------------------------

_ROWS = ("top", "middle", "bottom")
_COLUMNS = ("left", "centre", "right")


def _region_name(row: int, column: int) -> str:
    if (row, column) == (1, 1):
        return "the centre"
    if row == 1:
        return f"the {_COLUMNS[column]} side"
    if column == 1:
        return f"the {_ROWS[row]}"
    return f"the {_ROWS[row]}-{_COLUMNS[column]}"


def describe_heatmap(heatmap: np.ndarray, image: np.ndarray | None = None) -> str:
    """Where a heatmap's weight lies, in words: a text alternative for the picture.

    The picture is cut in a 3×3 grid (top/middle/bottom × left/centre/right); the sentence names the
    part holding most of the weight, a second part when it holds nearly as much, and, given the image,
    whether the weight is on the item or on the empty background.
    """
    heat = np.asarray(heatmap, dtype=np.float64)
    total = heat.sum()
    if total <= 0:
        return "The heatmap is empty: no part of the picture changed the model's answer."
    thirds = np.array_split(np.arange(heat.shape[0]), 3), np.array_split(np.arange(heat.shape[1]), 3)
    mass = np.array([[heat[np.ix_(r, c)].sum() for c in thirds[1]] for r in thirds[0]]) / total
    order = np.argsort(mass, axis=None)[::-1]
    first, second = (np.unravel_index(k, mass.shape) for k in order[:2])
    if mass[first] < 0.25:
        sentence = "The model looked all over the picture, at no part in particular"
    else:
        sentence = f"The model looked mostly at {_region_name(*first)} of the picture ({mass[first]:.0%} of the heat)"
        if mass[second] >= 0.6 * mass[first]:
            sentence += f", and at {_region_name(*second)} ({mass[second]:.0%})"
    if image is not None:
        on_item = float(heat[np.asarray(image) > 20].sum() / total)
        sentence += "; mostly on the item itself" if on_item >= 0.5 else "; mostly on the empty background around the item"
    return sentence + "."


def confidence_note(probabilities: np.ndarray) -> tuple[str, str] | None:
    """How sure the model is, for an input of unknown class: None when sure, else (level, sentence).

    Level "unsure": the top answer is under UNSURE_BELOW. Level "unfamiliar": the top answer is very
    low or the distribution nearly flat, a sign the input may be none of the 10 classes. Softmax
    probabilities are a rough signal only: a picture of something else can still get a confident answer.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    top3 = np.argsort(p)[::-1][:3]
    best = float(p[top3[0]])
    entropy = float(-(p * np.log(np.clip(p, 1e-12, 1))).sum() / np.log(len(p)))
    guesses = ", ".join(f"{CLASS_NAMES[i]} {p[i]:.0%}" for i in top3)
    if best < UNFAMILIAR_BELOW or entropy > UNFAMILIAR_ENTROPY:
        return "unfamiliar", (
            f"The model is not sure at all (its top 3: {guesses}). This may not be a piece of clothing, a shoe or "
            "a bag like those it learned, or it looks very different from them."
        )
    if best < UNSURE_BELOW:
        return "unsure", f"The model is not sure: its best guess has only {best:.0%}. Its top 3: {guesses}."
    return None
