"""The classic Fashion-MNIST walkthrough as eight steps: their Keras code, and the numbers each step shows.

The app's Lesson page (`fmnist.ui.lesson`) and the downloadable notebook (`fmnist.notebook`) both take
their code from `STEPS`, so what a class reads on the screen is what the notebook runs. Every number is
computed here from the real data and a real model file, never typed in: the layer table is read from the
`.keras` file itself (its config and its weights' shapes), so the server needs no TensorFlow.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from string import Template

import numpy as np

from fmnist import plots
from fmnist.config import CLASS_NAMES, NUM_CLASSES

EPOCHS = 10  # the classic recipe's epochs: what the shipped MLP was trained for
FIRST_IMAGES = 25  # step 1's grid of training images
GRID_ROWS, GRID_COLS = 5, 3  # step 7's grid, as in the classic notebook
ONE_IMAGE = 1  # step 8's test image, as in the classic notebook


@dataclass(frozen=True)
class Step:
    title: str
    idea: str  # the one idea of the step, in a sentence (Markdown)
    cells: tuple[str, ...]  # its Keras code, one string per notebook cell; $epochs and $image are filled in


STEPS: tuple[Step, ...] = (
    Step(
        "The data",
        "Fashion-MNIST: small grey pictures of clothes, each with a label from 0 to 9 that names its class.",
        (
            "(train_images, train_labels), (test_images, test_labels) = load_data()\n"
            "class_names = ['T-shirt/top', 'Trouser', 'Pullover',\n"
            "               'Dress', 'Coat', 'Sandal', 'Shirt',\n"
            "               'Sneaker', 'Bag', 'Ankle boot']\n"
            "print(train_images.shape, test_images.shape)",
            "plt.figure()\n"
            "plt.imshow(train_images[0])\n"
            "plt.colorbar()\n"
            "plt.grid(False)\n"
            "plt.show()",
            "plt.figure(figsize=(10, 10))\n"
            "for i in range(25):\n"
            "    plt.subplot(5, 5, i + 1)\n"
            "    plt.xticks([])\n"
            "    plt.yticks([])\n"
            "    plt.grid(False)\n"
            "    plt.imshow(train_images[i], cmap=plt.cm.binary)\n"
            "    plt.xlabel(class_names[train_labels[i]])\n"
            "plt.show()",
        ),
    ),
    Step(
        "Preprocessing",
        "Divide every pixel by 255, so the model gets numbers from 0 to 1 instead of 0 to 255.",
        (
            "train_images = train_images / 255.0\n"
            "test_images = test_images / 255.0\n"
            "\n"
            "plt.figure()\n"
            "plt.imshow(train_images[0])\n"
            "plt.colorbar()\n"
            "plt.grid(False)\n"
            "plt.show()",
        ),
    ),
    Step(
        "The model",
        "Three layers: Flatten lays the 28×28 pixels out in one row, Dense(128) learns patterns, Dense(10) gives "
        "one probability per class.",
        (
            "model = keras.Sequential([\n"
            "    keras.Input(shape=(28, 28)),\n"
            "    keras.layers.Flatten(),\n"
            "    keras.layers.Dense(128, activation='relu'),\n"
            "    keras.layers.Dense(10, activation='softmax'),\n"
            "])\n"
            "model.summary()",
        ),
    ),
    Step(
        "Compile",
        "Before training, say how to measure a mistake (the loss), how to correct it (the optimizer) and what to "
        "report (the metric).",
        (
            "model.compile(optimizer='adam',\n"
            "              loss='sparse_categorical_crossentropy',\n"
            "              metrics=['accuracy'])",
        ),
    ),
    Step(
        "Fit",
        "Training: the model sees every training image once per epoch, and corrects its weights a little after each "
        "small batch of them.",
        (
            "history = model.fit(train_images, train_labels, epochs=$epochs,\n"
            "                    validation_data=(test_images, test_labels))",
        ),
    ),
    Step(
        "Evaluate",
        "How good is it on images it has never seen? Compare its accuracy on the training images and on the test images.",
        (
            "train_loss, train_acc = model.evaluate(train_images, train_labels, verbose=2)\n"
            "test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)\n"
            "print('Train accuracy:', train_acc, ' Test accuracy:', test_acc)",
        ),
    ),
    Step(
        "Predict",
        "For each test image the model gives 10 numbers, one per class; the largest is its answer.",
        (
            "predictions = model.predict(test_images)\n"
            "predictions[0]",
            "np.argmax(predictions[0]), class_names[np.argmax(predictions[0])], test_labels[0]",
            "def plot_image(i, predictions_array, true_label, img):\n"
            "    true_label, img = true_label[i], img[i]\n"
            "    plt.grid(False)\n"
            "    plt.xticks([])\n"
            "    plt.yticks([])\n"
            "    plt.imshow(img, cmap=plt.cm.binary)\n"
            "    predicted_label = np.argmax(predictions_array)\n"
            "    color = 'green' if predicted_label == true_label else 'red'\n"
            "    plt.xlabel(f'{class_names[predicted_label]} {100 * np.max(predictions_array):2.0f}% '\n"
            "               f'({class_names[true_label]})', color=color)\n"
            "\n"
            "def plot_value_array(i, predictions_array, true_label):\n"
            "    true_label = true_label[i]\n"
            "    plt.grid(False)\n"
            "    plt.xticks(range(10))\n"
            "    plt.yticks([])\n"
            "    bars = plt.bar(range(10), predictions_array, color='#777777')\n"
            "    plt.ylim([0, 1])\n"
            "    bars[np.argmax(predictions_array)].set_color('red')\n"
            "    bars[true_label].set_color('blue')\n"
            "\n"
            "num_rows, num_cols = 5, 3\n"
            "plt.figure(figsize=(2 * 2 * num_cols, 2 * num_rows))\n"
            "for i in range(num_rows * num_cols):\n"
            "    plt.subplot(num_rows, 2 * num_cols, 2 * i + 1)\n"
            "    plot_image(i, predictions[i], test_labels, test_images)\n"
            "    plt.subplot(num_rows, 2 * num_cols, 2 * i + 2)\n"
            "    plot_value_array(i, predictions[i], test_labels)\n"
            "plt.tight_layout()\n"
            "plt.show()",
        ),
    ),
    Step(
        "One image",
        "The model always works on a batch of images: to ask about one image, make it a batch of one.",
        (
            "img = test_images[$image]\n"
            "print(img.shape)\n"
            "img = np.expand_dims(img, 0)  # a batch of one image\n"
            "print(img.shape)",
            "predictions_single = model.predict(img)\n"
            "plot_value_array($image, predictions_single[0], test_labels)\n"
            "_ = plt.xticks(range(10), class_names, rotation=45)\n"
            "plt.show()\n"
            "np.argmax(predictions_single[0])",
        ),
    ),
)
STEP_COUNT = len(STEPS)

COMPILE_TERMS = (
    ("Loss", "sparse categorical cross-entropy",
     "how wrong one answer is: −log of the probability the model gave the true class, so 0 when it is sure and "
     "right, large when it is sure and wrong."),
    ("Optimizer", "Adam",
     "how to correct the weights: after each batch it nudges every weight in the direction that lowers the loss."),
    ("Metric", "accuracy",
     "what we report to people: the share of images whose largest probability is the true class."),
)


def cells(step: int, epochs: int = EPOCHS, image: int = ONE_IMAGE) -> tuple[str, ...]:
    """The code of step `step` (1-based) with its parameters filled in."""
    return tuple(Template(cell).substitute(epochs=epochs, image=image) for cell in STEPS[step - 1].cells)


def parse_step(raw: object) -> int:
    """A step number from the URL: 1 to STEP_COUNT, anything else (missing, text, out of range) is step 1."""
    try:
        step = int(str(raw))
    except ValueError:
        return 1
    return step if 1 <= step <= STEP_COUNT else 1


# --- step 1 and 2: the data and its scale -----------------------------------------------------------


def shapes_line(train_images: np.ndarray | None, test_images: np.ndarray) -> str:
    """What step 1's print() prints."""
    train = str(train_images.shape) if train_images is not None else "(train split missing)"
    return f"{train} {test_images.shape}"


def image_with_colour_bar(image: np.ndarray) -> bytes:
    """The notebook's `plt.imshow(image); plt.colorbar()`: one image, large, with the scale of its pixel values."""
    import matplotlib.pyplot as plt

    # 150 dpi and 11 pt: >= 14 px on screen even where a 1280x720 column shrinks the picture to two thirds
    fig, ax = plt.subplots(figsize=(3.7, 3.0), dpi=150)
    shown = ax.imshow(image)
    ax.tick_params(labelsize=11)
    fig.colorbar(shown, ax=ax).ax.tick_params(labelsize=11)
    ax.grid(False)
    return plots.figure_png(fig)


def describe_colour_bar(image: np.ndarray) -> str:
    """`image_with_colour_bar` in words (its alt text)."""
    return f"The image as a heat map, with a colour bar from {float(image.min()):g} (dark) to {float(image.max()):g} (bright)."


def a(name: str) -> str:
    """A class name with its article: "an Ankle boot", "a Shirt"."""
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"


# --- step 3: the model's layers, read from its file --------------------------------------------------


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str  # the Keras class, e.g. "Dense"
    detail: str  # e.g. "128 units, relu"
    output_shape: tuple
    parameters: int


def _snake(name: str) -> str:
    """Keras' own snake case, which names each layer's weights in the file (e.g. ReLU → re_lu)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


_SAME_SHAPE = {
    "Activation", "BatchNormalization", "Dropout", "ReLU", "LeakyReLU", "Softmax", "LayerNormalization", "GaussianNoise",
}


def _infer_shape(kind: str, config: dict, shape: tuple | None) -> tuple | None:
    """The output shape of a layer from its input shape, for the layers the file does not record it for."""
    if shape is None:
        return None
    if kind in _SAME_SHAPE:
        return shape
    if kind == "Dense":
        return (*shape[:-1], config["units"])
    if kind == "Flatten":
        return (None, int(np.prod(shape[1:])))
    if kind == "Reshape":
        return (None, *config["target_shape"])
    if kind in ("MaxPooling2D", "AveragePooling2D") and len(shape) == 4:
        pool = config.get("pool_size") or (2, 2)
        strides = config.get("strides") or pool
        if config.get("padding") == "same":
            return (None, *(math.ceil(s / t) for s, t in zip(shape[1:3], strides)), shape[3])
        return (None, *((s - p) // t + 1 for s, p, t in zip(shape[1:3], pool, strides)), shape[3])
    if kind == "Conv2D" and len(shape) == 4 and tuple(config.get("strides", (1, 1))) == (1, 1):
        if config.get("padding") == "same":
            return (None, *shape[1:3], config["filters"])
        return (None, *(s - k + 1 for s, k in zip(shape[1:3], config["kernel_size"])), config["filters"])
    return None


def _detail(kind: str, config: dict) -> str:
    if kind == "Dense":
        return f"{config['units']} units, {config.get('activation', 'linear')}"
    if kind == "Conv2D":
        return f"{config['filters']} filters {'×'.join(map(str, config['kernel_size']))}"
    if kind == "Flatten":
        return "all values in one row"
    if kind == "Dropout":
        return f"drops {config.get('rate', 0):.0%} while training"
    return ""


def layers(model_file: str | Path) -> list[Layer]:
    """Each layer of a saved Keras Sequential model with its output shape and parameter count.

    Read from the `.keras` zip itself: `config.json` for the layers, the weights file for the shapes of
    their weights (no weight is read, and no TensorFlow is needed). Parameters count every weight, as
    Keras' `count_params` does.
    """
    import h5py

    with zipfile.ZipFile(model_file) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    shapes: dict[str, int] = {}
    with h5py.File(io.BytesIO(weights), "r") as h5:
        group = h5.get("layers", {})
        for key in group:
            sizes = []
            group[key].visititems(lambda _, item: sizes.append(item.size) if isinstance(item, h5py.Dataset) else None)
            shapes[key] = int(sum(sizes))
    specs = [spec for spec in config["config"]["layers"] if spec["class_name"] != "InputLayer"]
    first = config["config"]["layers"][0]
    shape = tuple(first["config"]["batch_shape"]) if first["class_name"] == "InputLayer" else None
    seen: dict[str, int] = {}
    result = []
    for i, spec in enumerate(specs):
        kind, layer_config = spec["class_name"], spec["config"]
        key = _snake(kind)
        seen[key] = seen.get(key, -1) + 1
        key = key if seen[key] == 0 else f"{key}_{seen[key]}"
        if spec.get("build_config"):
            shape = tuple(spec["build_config"]["input_shape"])
        following = specs[i + 1].get("build_config") if i + 1 < len(specs) else None
        shape = tuple(following["input_shape"]) if following else _infer_shape(kind, layer_config, shape)
        result.append(Layer(layer_config["name"], kind, _detail(kind, layer_config), shape, shapes.get(key, 0)))
    return result


def format_shape(shape: tuple | None) -> str:
    return "?" if shape is None else "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def total_parameters(model_layers: list[Layer]) -> int:
    return sum(layer.parameters for layer in model_layers)


def dense_sum(model_layers: list[Layer]) -> str | None:
    """How the first Dense layer's parameter count comes about, e.g. "784 × 128 + 128 = 100,480"; None without one."""
    for before, layer in zip([None, *model_layers], model_layers):
        if layer.kind == "Dense" and before is not None and before.output_shape and layer.output_shape:
            inputs, units = before.output_shape[-1], layer.output_shape[-1]
            if inputs * units + units == layer.parameters:
                return f"{inputs:,} × {units:,} + {units:,} = {layer.parameters:,}"
    return None


def diagram(model_layers: list[Layer], input_shape: tuple = (28, 28), across: bool = True) -> str:
    """The layers as a Graphviz DOT graph, input to output, each box with its output shape and parameters.

    `across` draws a short model left to right, for a wide screen; otherwise top to bottom, for a phone. Each
    label line is short (the kind, its detail, the shape, the parameters on lines of their own): the graph's
    width sets how far the browser shrinks its text to fit the page.
    """
    nodes = [f'  input [label="Input\\n{"×".join(map(str, input_shape))} pixels", shape=box, style="rounded"];']
    edges, previous = [], "input"
    for i, layer in enumerate(model_layers):
        label = "\\n".join([layer.kind, *([layer.detail] if layer.detail else []),
                            f"output {format_shape(layer.output_shape)}", f"{layer.parameters:,} parameters"])
        nodes.append(f'  l{i} [label="{label}", shape=box, style="rounded,filled", fillcolor="#e8f0fb"];')
        edges.append(f"  {previous} -> l{i};")
        previous = f"l{i}"
    direction = "LR" if across and len(model_layers) <= 4 else "TB"
    header = f'  rankdir={direction};\n  nodesep=0.2;\n  ranksep=0.3;\n  node [fontname="sans-serif", fontsize=16, margin="0.1,0.05"];\n'
    return "digraph model {\n" + header + "\n".join(nodes + edges) + "\n}"


def describe_layers(model_layers: list[Layer]) -> str:
    """The diagram in words (its caption)."""
    parts = [f"{layer.kind} → {format_shape(layer.output_shape)}, {layer.parameters:,} parameters" for layer in model_layers]
    return f"Input 28×28, then {'; '.join(parts)}: {total_parameters(model_layers):,} parameters in all."


# --- step 4 to 6: loss, the training history, train vs test -----------------------------------------


def cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each image's loss: −log of the probability given to its true class (what the model minimises)."""
    picked = probabilities[np.arange(len(labels)), labels.astype(int)]
    return -np.log(np.clip(picked, 1e-7, 1.0))


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float((probabilities.argmax(1) == labels).mean())


def history_rows(card: dict) -> list[dict]:
    """The model card's recorded training, one row per epoch (empty when the card recorded none)."""
    history = card.get("history") or {}
    epochs = len(history.get("train_loss", []))
    rows = []
    for i in range(epochs):
        row = {"epoch": i + 1}
        for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
            values = history.get(key, [])
            row[key.replace("_", " ")] = float(values[i]) if i < len(values) else None
        rows.append(row)
    return rows


def history_chart(rows: list[dict], epoch: int, metric: str) -> dict:
    """A Vega-Lite line chart of train and test `metric` ("loss", "accuracy") for epochs 1..`epoch`,
    both axes always spanning every recorded epoch's values, so the lines grow as the replay goes on."""
    values = [
        {"epoch": row["epoch"], "split": split, metric: row[f"{split} {metric}"]}
        for row in rows[:epoch] for split in ("train", "test") if row[f"{split} {metric}"] is not None
    ]
    every = [row[f"{split} {metric}"] for row in rows for split in ("train", "test") if row[f"{split} {metric}"] is not None]
    margin = 0.05 * (max(every) - min(every) or 1)
    axis = {"labelFontSize": 14, "titleFontSize": 14}
    return {
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "epoch", "type": "quantitative", "scale": {"domain": [1, max(len(rows), 2)]},
                  "axis": {**axis, "tickMinStep": 1, "format": "d"}},
            "y": {"field": metric, "type": "quantitative", "scale": {"domain": [min(every) - margin, max(every) + margin]},
                  "axis": axis},
            "color": {"field": "split", "type": "nominal", "sort": ["train", "test"], "title": None,
                      "legend": {"orient": "bottom", "labelFontSize": 14}},
        },
        "height": 240,
    }


def overfitting_sentence(train_accuracy: float, test_accuracy: float) -> str:
    """What the gap between train and test accuracy means, with its size."""
    gap = 100 * (train_accuracy - test_accuracy)
    if gap >= 1:
        return (
            f"The model is right on {train_accuracy:.1%} of the images it learned from but on {test_accuracy:.1%} of "
            f"new ones: {gap:.1f} points less. That gap is **overfitting**: it has partly memorised its training "
            "images instead of learning only what they have in common."
        )
    return (
        f"Train {train_accuracy:.1%}, test {test_accuracy:.1%}: almost no gap, so this model shows little "
        "**overfitting** (it does about as well on new images as on the ones it learned from)."
    )


# --- step 7 and 8: predictions ----------------------------------------------------------------------


def array_repr(values: np.ndarray) -> str:
    """How the notebook prints a row of predictions: NumPy's own repr."""
    with np.printoptions(precision=3, suppress=False, linewidth=32):
        return repr(np.asarray(values, dtype=np.float32))


def value_array_chart(probabilities: np.ndarray, true_label: int, palette: plots.Palette) -> bytes:
    """The notebook's `plot_value_array` with the class names rotated 45°: grey bars, red the answer, blue the truth."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.7, 3.2), dpi=150)  # as image_with_colour_bar: class names >= 14 px
    ax.bar(range(NUM_CLASSES), probabilities, color=plots.bar_colours(probabilities, true_label, palette))
    ax.set_ylim(0, 1)
    ax.set_xticks(range(NUM_CLASSES), CLASS_NAMES, rotation=45, ha="right", rotation_mode="anchor", fontsize=11)
    ax.tick_params(axis="y", labelsize=11)
    ax.set_ylabel("probability", fontsize=11)
    ax.grid(False)
    fig.tight_layout()
    return plots.figure_png(fig)
