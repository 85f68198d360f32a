"""Train a model from its recipe, with progress callbacks, and write it with its model card.

Recipes name every hyper-parameter once. Training is three steps a lesson can show one by one:
`build` the architecture, `compile` it with an optimiser and a loss, `fit` it to the data; `train`
does all three in a seeded process (the CLI, the app's training worker). The CNN trains with
augmentation that covers what the photo pipeline leaves behind: small shifts and scale changes,
flips, slight blur, lower contrast and random erasing.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageEnhance

from fmnist import metrics
from fmnist.models import ARCHITECTURES, Classifier, load_keras_model, model_path, save_with_twin


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a trained model; equal recipes give the same model (the app shares them)."""

    architecture: str
    epochs: int
    batch_size: int
    learning_rate: float
    augment: bool
    hidden_units: int = 128  # mlp only
    width: int = 32  # cnn only: filters of the first conv, doubled per block
    seed: int = 42
    train_images: int | None = None  # the first N images of the train split; None: all 60,000
    name: str | None = None  # the file name in assets/ when not the architecture's (e.g. cnn_real)
    start_from: str | None = None  # a shipped model to fine-tune instead of fresh weights
    real_inputs: int = 0  # this many train images (of all 60,000) are added again, drawn by hand in each style
    tuning_photos: int = 0  # this many variants of each photo of the shared photos' tuning half are added


RECIPES = {
    # The classic walkthrough, unchanged: Adam at Keras' default rate, 10 epochs, no augmentation.
    "mlp": Recipe(architecture="mlp", epochs=10, batch_size=32, learning_rate=1e-3, augment=False),
    "cnn": Recipe(architecture="cnn", epochs=50, batch_size=128, learning_rate=2e-3, augment=True),
    # The CNN fine-tuned for what a class draws: 30,000 train images drawn by hand in each style, and
    # 10,000 kept as they are so it still reads the dataset's own images.
    "cnn_real": Recipe(
        architecture="cnn", epochs=3, batch_size=128, learning_rate=5e-4, augment=True,
        name="cnn_real", start_from="cnn", train_images=10000, real_inputs=30000,
    ),
    # The classic MLP fine-tuned the same way, so a class comparing the two models on its own drawings
    # compares like with like: all 60,000 train images drawn in each style, and 10,000 kept clean.
    "mlp_real": Recipe(
        architecture="mlp", epochs=5, batch_size=32, learning_rate=1e-3, augment=False,
        name="mlp_real", start_from="mlp", train_images=10000, real_inputs=60000,
    ),
    # The CNN fine-tuned for phone photos, on the tuning half of ../shared/photos (65 real photos, each
    # taken again 40 ways), never on its held-out half, which alone measures it.
    "cnn_photo": Recipe(
        architecture="cnn", epochs=2, batch_size=128, learning_rate=3e-4, augment=True,
        name="cnn_photo", start_from="cnn", train_images=20000, tuning_photos=40,
    ),
}
PHOTO_REPEATS = 8  # each photo variant is seen this often an epoch, so 65 photos weigh against 20,000 images

# Augmentation for the CNN: strong enough to cover what the photo pipeline leaves (a little shift and
# scale, softness, low contrast, occlusion), mild enough to keep clean accuracy high.
SHIFT = 0.06  # fraction of the image, each way
ZOOM = 0.08
BLUR_P = 0.1
CONTRAST_P, CONTRAST_RANGE = 0.2, (0.6, 1.0)
ERASE_P, ERASE_AREA = 0.3, (0.02, 0.16)

EpochCallback = Callable[[int, dict], None]  # (epoch number from 1, logs with loss/accuracy/val_*)
BatchCallback = Callable[[float], None]  # fraction of all training done, 0..1


# --- augmentation ----------------------------------------------------------------------------------


def make_augmenter(seed: int):
    """A batch function images (B, 28, 28) float [0, 1] → augmented images of the same shape."""
    import tensorflow as tf
    from keras import layers

    shift = layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", interpolation="nearest", seed=seed)
    zoom = layers.RandomZoom((-ZOOM, ZOOM), fill_mode="constant", seed=seed + 1)
    rng = tf.random.Generator.from_seed(seed + 2)
    blur_kernel = tf.constant(np.outer([1, 2, 1], [1, 2, 1]) / 16.0, tf.float32)[:, :, None, None]
    rows = tf.range(28, dtype=tf.float32)[None, :, None]
    cols = tf.range(28, dtype=tf.float32)[None, None, :]

    def per_image(shape_size, low, high):
        return rng.uniform([shape_size], low, high)

    def augment(images):
        n = tf.shape(images)[0]
        flip = per_image(n, 0, 1) < 0.5
        images = tf.where(flip[:, None, None], tf.reverse(images, axis=[2]), images)
        x = images[..., None]
        x = zoom(shift(x, training=True), training=True)
        blurred = tf.nn.conv2d(x, blur_kernel, strides=1, padding="SAME")
        x = tf.where((per_image(n, 0, 1) < BLUR_P)[:, None, None, None], blurred, x)
        images = x[..., 0]
        contrast = tf.where(per_image(n, 0, 1) < CONTRAST_P, per_image(n, *CONTRAST_RANGE), 1.0)
        images = images * contrast[:, None, None]
        # Random erasing: one rectangle, filled with noise.
        area = per_image(n, *ERASE_AREA) * 784
        aspect = tf.exp(per_image(n, np.log(0.3), np.log(3.3)))
        h = tf.minimum(tf.sqrt(area * aspect), 27.0)
        w = tf.minimum(tf.sqrt(area / aspect), 27.0)
        top = per_image(n, 0, 1) * (28 - h)
        left = per_image(n, 0, 1) * (28 - w)
        inside = (
            (rows >= top[:, None, None])
            & (rows < (top + h)[:, None, None])
            & (cols >= left[:, None, None])
            & (cols < (left + w)[:, None, None])
        )
        erase = inside & (per_image(n, 0, 1) < ERASE_P)[:, None, None]
        images = tf.where(erase, rng.uniform(tf.shape(images), 0, 1), images)
        return tf.clip_by_value(images, 0.0, 1.0)

    return augment


# --- inputs as a class brings them ----------------------------------------------------------------


def hand_drawn_inputs(x: np.ndarray, y: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` of these images, each drawn by hand as an outline and as a scribbled-in shape (at 112
    pixels, cheaper than the canvas's 280 and the same once converted), every second one facing the
    other way, through the Draw page's own conversion, with their labels."""
    from fmnist.renderings import HAND_STYLES, faces_the_other_way, hand_drawn_input

    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x), size=min(count, len(x)), replace=False)
    drawn_x, drawn_y = [], []
    for style in HAND_STYLES:
        for position, i in enumerate(picks):
            image = hand_drawn_input(x[i], rng, style, size=112, mirrored=faces_the_other_way(position))
            if image is not None:
                drawn_x.append(image)
                drawn_y.append(y[i])
    return np.stack(drawn_x), np.array(drawn_y, y.dtype)


def photo_variant(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The same clothes photographed again: framed a little tighter, turned, maybe mirrored, under
    other light and with other colours."""
    width, height = photo.size
    keep = rng.uniform(0.85, 1.0)
    crop_w, crop_h = int(width * keep), int(height * keep)
    left, top = int(rng.integers(0, width - crop_w + 1)), int(rng.integers(0, height - crop_h + 1))
    corner = photo.getpixel((0, 0))  # what the turned photo's corners are filled with: its background
    photo = photo.crop((left, top, left + crop_w, top + crop_h)).rotate(rng.uniform(-12, 12), Image.BICUBIC, fillcolor=corner)
    if rng.uniform() < 0.5:
        photo = photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast):
        photo = enhance(photo).enhance(rng.uniform(0.7, 1.3))
    return ImageEnhance.Color(photo).enhance(rng.uniform(0.5, 1.5))


def tuning_photo_inputs(variants: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`variants` of each photo in the tuning half of the shared photos, through the photo pipeline,
    with their labels; raises photoset.PhotoSetError when the folder is not there."""
    from fmnist.imaging import ImageError, open_image, to_model_input
    from fmnist.photoset import read_labels, shared_photos_dir, split

    rng = np.random.default_rng(seed)
    inputs, labels = [], []
    for path, label in split(read_labels(shared_photos_dir()))["tuning"]:
        photo = open_image(path).convert("RGB")
        for _ in range(variants):
            try:
                inputs.append(to_model_input(photo_variant(photo, rng)))
            except ImageError:  # a variant whose item cannot be found teaches nothing
                continue
            labels.append(label)
    return np.stack(inputs), np.array(labels, np.uint8)


# --- training --------------------------------------------------------------------------------------


class _Progress:
    """Adapts Keras callbacks to two plain functions, so the CLI and the app need no Keras types."""

    @staticmethod
    def make(total_epochs: int, steps_per_epoch: int, on_epoch: EpochCallback | None, on_batch: BatchCallback | None):
        import keras

        class Progress(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch

            def on_train_batch_end(self, batch, logs=None):
                if on_batch:
                    on_batch(min(1.0, (self.epoch * steps_per_epoch + batch + 1) / (total_epochs * steps_per_epoch)))

            def on_epoch_end(self, epoch, logs=None):
                if on_epoch:
                    on_epoch(epoch + 1, {k: float(v) for k, v in (logs or {}).items()})

        return Progress()


@dataclass
class TrainResult:
    classifier: Classifier
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    recipe: Recipe | None = None


def build(recipe: Recipe):
    """Step 1: the architecture the recipe names, with fresh random weights."""
    if recipe.architecture == "mlp":
        return ARCHITECTURES["mlp"](hidden_units=recipe.hidden_units)
    return ARCHITECTURES["cnn"](width=recipe.width)


def compile_model(model, recipe: Recipe, steps_per_epoch: int):
    """Step 2: Adam on sparse categorical cross-entropy, reporting accuracy; long recipes decay the rate."""
    import keras

    learning_rate = recipe.learning_rate
    if recipe.augment:  # long recipes decay to zero along a cosine
        learning_rate = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, recipe.epochs * steps_per_epoch)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def batches(recipe: Recipe, x_train: np.ndarray, y_train: np.ndarray):
    """The training images as shuffled batches of pixels / 255, augmented when the recipe says so."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(len(x_train), seed=recipe.seed)
    dataset = dataset.batch(recipe.batch_size).map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y))
    if recipe.augment:
        augment = make_augmenter(recipe.seed)
        dataset = dataset.map(lambda x, y: (augment(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def fit(
    model,
    recipe: Recipe,
    train_split: tuple[np.ndarray, np.ndarray],
    test_split: tuple[np.ndarray, np.ndarray],
    on_epoch: EpochCallback | None = None,
    on_batch: BatchCallback | None = None,
    verbose: int = 0,
) -> TrainResult:
    """Step 3: fit a compiled model; the test split is evaluated after every epoch for the curves."""
    (x_train, y_train), (x_test, y_test) = train_split, test_split
    steps_per_epoch = steps(recipe, len(x_train))
    progress = _Progress.make(recipe.epochs, steps_per_epoch, on_epoch, on_batch)
    start = time.perf_counter()
    history = model.fit(
        batches(recipe, x_train, y_train),
        epochs=recipe.epochs,
        validation_data=(x_test.astype(np.float32) / 255.0, y_test),
        validation_batch_size=1000,
        callbacks=[progress],
        shuffle=False,  # the dataset shuffles itself, every epoch
        verbose=verbose,
    )
    seconds = time.perf_counter() - start
    history = {key: [float(v) for v in values] for key, values in history.history.items()}
    return TrainResult(Classifier.from_keras(model, name=recipe.architecture), history, seconds, recipe)


def steps(recipe: Recipe, count: int) -> int:
    """Batches per epoch."""
    return int(np.ceil(count / recipe.batch_size))


def train(
    recipe: Recipe,
    train_split: tuple[np.ndarray, np.ndarray],
    test_split: tuple[np.ndarray, np.ndarray],
    on_epoch: EpochCallback | None = None,
    on_batch: BatchCallback | None = None,
    verbose: int = 0,
) -> TrainResult:
    """Build, compile and fit a fresh model from a recipe, on its first `train_images` images.

    Seeds this whole process (Python, NumPy and TensorFlow) for a repeatable run, so call it in a
    process of its own: the CLI, or the app's training worker (`fmnist.trainer`), never a web server.
    """
    import keras

    keras.utils.set_random_seed(recipe.seed)
    x_train, y_train = (split[: recipe.train_images] for split in train_split)
    if recipe.real_inputs:  # drawn from the whole split, however few images are kept clean
        drawn_x, drawn_y = hand_drawn_inputs(*train_split, recipe.real_inputs, recipe.seed)
        x_train, y_train = np.concatenate([x_train, drawn_x]), np.concatenate([y_train, drawn_y])
    if recipe.tuning_photos:
        photos_x, photos_y = tuning_photo_inputs(recipe.tuning_photos, recipe.seed)
        x_train = np.concatenate([x_train, *[photos_x] * PHOTO_REPEATS])
        y_train = np.concatenate([y_train, *[photos_y.astype(y_train.dtype)] * PHOTO_REPEATS])
    model = load_keras_model(recipe.start_from) if recipe.start_from else build(recipe)
    model = compile_model(model, recipe, steps(recipe, len(x_train)))
    return fit(model, recipe, (x_train, y_train), test_split, on_epoch, on_batch, verbose)


def library_versions() -> dict[str, str]:
    import keras
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__}


def model_card(result: TrainResult, test_split: tuple[np.ndarray, np.ndarray]) -> dict:
    """The JSON card shipped beside a model: recipe, history, test metrics and versions."""
    x_test, y_test = test_split
    summary = metrics.summarize(y_test, result.classifier.predict(x_test))
    return {
        "architecture": result.recipe.architecture,
        "parameters": result.classifier.num_params,
        "epochs": result.recipe.epochs,
        "seed": result.recipe.seed,
        "recipe": asdict(result.recipe),
        "training_seconds": round(result.seconds, 1),
        "trained_on": platform.machine(),
        "history": {
            "train_loss": result.history.get("loss", []),
            "train_accuracy": result.history.get("accuracy", []),
            "test_loss": result.history.get("val_loss", []),
            "test_accuracy": result.history.get("val_accuracy", []),
        },
        "test_accuracy": summary["accuracy"],
        "per_class_accuracy": summary["per_class_accuracy"],
        "confusion_matrix": summary["confusion_matrix"],
        "versions": library_versions(),
    }


def save(result: TrainResult, test_split, out_dir: Path) -> tuple[Path, dict]:
    """Write <name>.keras, its LiteRT twin and its <name>.json card into `out_dir`; return the model path and the card.

    No default folder: the shipped models in assets/ are replaced only when a caller (the CLI) says so.
    """
    path = model_path(result.recipe.name or result.recipe.architecture, out_dir)
    card = save_with_twin(result.classifier.model, path, model_card(result, test_split), test_split[0][:200])
    return path, card
