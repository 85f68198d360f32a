"""Inside a model: what it computes for one image, read from its LiteRT twin, without TensorFlow.

The classic MLP is two weight matrices, so its hidden activations are plain NumPy on weights read from
the twin's constant tensors; each hidden unit's 784 incoming weights, laid out as 28×28, show what it
looks for. For the CNN the twin is opened a second time with every intermediate tensor kept
(`experimental_preserve_all_tensors`), and the outputs of its CONV_2D operations are its feature maps
(batch norm and ReLU are folded into each convolution, so these are the activations after ReLU).
Both kinds end in the "features", the input of the last dense layer, which the softmax turns into the
10 probabilities.

Pictures are NumPy/PIL (a few ms each), never matplotlib figures; each has a `describe_…` beside it
for its alt text. `python -m fmnist.inside` prints how long each view takes.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from fmnist.config import CLASS_NAMES, IMAGE_SIZE

TOP_IMAGES = 12  # the test images shown for one unit
WEIGHT_COLOURS = "PuOr_r"  # diverging, colour-blind safe: orange where ink excites a unit, purple where it inhibits
TOWARD, AGAINST, SELECTED = (224, 123, 0), (140, 150, 160), (31, 95, 191)  # bar colours of the features chart
_INK = (49, 51, 63)  # Streamlit's text colour


class InsideError(Exception):
    """A model whose insides this module cannot read (no LiteRT twin, or layers it does not know)."""


@dataclass(frozen=True)
class Dense:
    """One dense layer: weights (inputs, units) and bias (units,), as Keras holds them."""

    weights: np.ndarray
    bias: np.ndarray


@dataclass(frozen=True)
class Conv:
    """One convolution's output: its tensor in the interpreter, its block (blocks end at a pooling)."""

    tensor: int
    block: int
    number: int  # 1, 2, … through the whole network
    shape: tuple[int, int, int]  # height, width, maps


@dataclass(frozen=True)
class Look:
    """What a model computes for one image: the feature maps of each convolution (none for an MLP),
    the features feeding the softmax (an MLP's hidden activations), and the probabilities."""

    maps: list[np.ndarray]  # one (height, width, maps) array per Conv
    features: np.ndarray  # (D,)
    probabilities: np.ndarray  # (10,)


# --- the classic MLP in NumPy ---------------------------------------------------------------------


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def mlp_forward(layers: list[Dense], images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (28, 28) or (N, 28, 28) → hidden activations (N, units) and probabilities (N, 10).

    The classic recipe by hand: pixels / 255, flatten, relu(x·W₁ + b₁), softmax(h·W₂ + b₂).
    """
    hidden_layer, output_layer = layers
    x = np.asarray(images, np.float32).reshape(-1, IMAGE_SIZE * IMAGE_SIZE) / 255.0
    hidden = np.maximum(x @ hidden_layer.weights + hidden_layer.bias, 0.0)
    return hidden, softmax(hidden @ output_layer.weights + output_layer.bias)


def unit_pictures(hidden_layer: Dense) -> np.ndarray:
    """Each hidden unit's 784 incoming weights as a 28×28 picture: (units, 28, 28)."""
    return hidden_layer.weights.T.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)


def top_images(features: np.ndarray, count: int = TOP_IMAGES) -> np.ndarray:
    """For each unit (column of `features`, (N, units)), the indices of the `count` rows that excite it
    most, strongest first: (units, count)."""
    best = np.argpartition(-features, count - 1, axis=0)[:count].T  # unordered top `count` per unit
    order = np.argsort(-np.take_along_axis(features.T, best, axis=1), axis=1, kind="stable")
    return np.take_along_axis(best, order, axis=1)


def many_features(network: Network, classifier, images: np.ndarray) -> np.ndarray:
    """The features of many images (N, D): NumPy on the weights for the MLP (~20 ms for the 10,000 test
    images), the served model (`classifier`, a `models.Classifier`) for a CNN (~1 s on 2 cores)."""
    return mlp_forward(network.dense, images)[0] if network.kind == "mlp" else classifier.features(images)


def contributions(features: np.ndarray, output_layer: Dense, target: int) -> np.ndarray:
    """How much each feature pushes the softmax toward class `target`: feature × its weight to that class."""
    return features * output_layer.weights[:, target]


# --- the model's LiteRT twin, opened to look inside -------------------------------------------------


class Network:
    """A model's LiteRT twin with every intermediate tensor kept: its dense layers' weights, its
    convolutions, and `look` for one image. One interpreter behind a lock serves every thread."""

    def __init__(self, path: Path):
        from ai_edge_litert.interpreter import Interpreter

        with warnings.catch_warnings():  # "for debugging only": here keeping the tensors is the point
            warnings.simplefilter("ignore", UserWarning)
            try:
                self._interpreter = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True, num_threads=1)
                self._interpreter.allocate_tensors()
            except (ValueError, RuntimeError) as exc:
                raise InsideError(f"LiteRT cannot read {path}: {exc}") from exc
        self._lock = threading.Lock()
        self._input = self._interpreter.get_input_details()[0]["index"]
        # The graph in order; `_get_ops_details` is the interpreter's only listing of its operations.
        ops = self._interpreter._get_ops_details()
        dense_ops = [op for op in ops if op["op_name"] == "FULLY_CONNECTED"]
        self.dense = [self._dense(op) for op in dense_ops]
        self.convs = list(self._convs(ops))
        softmax_ops = [op for op in ops if op["op_name"] == "SOFTMAX"]
        if not dense_ops or not softmax_ops:
            raise InsideError(f"{path} does not end in a dense layer and a softmax.")
        self._features, self._probabilities = dense_ops[-1]["inputs"][0], softmax_ops[-1]["outputs"][0]
        self.kind = "cnn" if self.convs else "mlp"
        if self.kind == "mlp" and (len(self.dense) != 2 or self.dense[0].weights.shape[0] != IMAGE_SIZE * IMAGE_SIZE):
            raise InsideError(f"{path} is neither the classic MLP (Flatten → Dense → Dense) nor a CNN.")

    def _dense(self, op: dict) -> Dense:
        """LiteRT keeps a dense layer's weights as (units, inputs); Keras as (inputs, units)."""
        _, weights, bias = op["inputs"][:3]
        weights = self._interpreter.get_tensor(weights).T.copy()
        return Dense(weights, self._interpreter.get_tensor(bias).copy() if bias >= 0 else np.zeros(weights.shape[1], np.float32))

    def _convs(self, ops: list[dict]):
        block, number = 1, 0
        shapes = {detail["index"]: detail["shape"] for detail in self._interpreter.get_tensor_details()}
        for op in ops:
            if op["op_name"] == "CONV_2D":
                number += 1
                tensor = op["outputs"][0]
                _, height, width, maps = shapes[tensor]
                yield Conv(int(tensor), block, number, (int(height), int(width), int(maps)))
            elif op["op_name"] in ("MAX_POOL_2D", "AVERAGE_POOL_2D") and number:
                block += 1

    @property
    def output_layer(self) -> Dense:
        return self.dense[-1]

    def look(self, image: np.ndarray) -> Look:
        """One uint8 (28, 28) image through the network, keeping what each layer made of it."""
        image = np.asarray(image, np.uint8).reshape(1, IMAGE_SIZE, IMAGE_SIZE)
        if self.kind == "mlp":
            hidden, probabilities = mlp_forward(self.dense, image)
            return Look([], hidden[0], probabilities[0])
        with self._lock:
            self._interpreter.set_tensor(self._input, image)
            self._interpreter.invoke()
            get = self._interpreter.get_tensor
            maps = [get(conv.tensor)[0].copy() for conv in self.convs]
            return Look(maps, get(self._features)[0].copy(), get(self._probabilities)[0].copy())

    def blocks(self) -> dict[int, list[Conv]]:
        """The convolutions by block: {1: [conv 1], 2: [conv 2, conv 3], …}."""
        grouped: dict[int, list[Conv]] = {}
        for conv in self.convs:
            grouped.setdefault(conv.block, []).append(conv)
        return grouped


# --- pictures --------------------------------------------------------------------------------------


def tile(tiles: np.ndarray, columns: int, scale: int, gap: int = 1, background: int = 255) -> np.ndarray:
    """Small pictures (N, h, w) or (N, h, w, 3) uint8 as one grid picture, each enlarged `scale` times."""
    if tiles.ndim == 3:
        tiles = np.repeat(tiles[..., None], 3, axis=3)
    count, height, width, _ = tiles.shape
    tiles = tiles.repeat(scale, axis=1).repeat(scale, axis=2)
    rows = -(-count // columns)
    step_y, step_x = height * scale + gap, width * scale + gap
    grid = np.full((rows * step_y - gap, columns * step_x - gap, 3), background, np.uint8)
    for i, picture in enumerate(tiles):
        y, x = (i // columns) * step_y, (i % columns) * step_x
        grid[y : y + height * scale, x : x + width * scale] = picture
    return grid


def weight_colours(pictures: np.ndarray) -> np.ndarray:
    """Weights (N, h, w) → RGB (N, h, w, 3): each picture on its own symmetric scale, zero in the middle
    colour, orange for positive weights (ink there excites the unit), purple for negative.

    The scale ends at the 99th percentile of |weight|, not the largest, so a few extreme pixels do not
    wash the rest out to white."""
    limit = np.percentile(np.abs(pictures), 99, axis=(1, 2), keepdims=True)
    scaled = np.clip(0.5 + 0.5 * pictures / np.where(limit > 0, limit, 1.0), 0, 1)
    return (matplotlib.colormaps[WEIGHT_COLOURS](scaled)[..., :3] * 255).astype(np.uint8)


def unit_grid(hidden_layer: Dense, columns: int = 16, scale: int = 2) -> Image.Image:
    """All hidden units' incoming weights as one picture: 8 rows of 16 for the classic 128."""
    return Image.fromarray(tile(weight_colours(unit_pictures(hidden_layer)), columns, scale, background=160))


def unit_picture(hidden_layer: Dense, unit: int, scale: int = 6) -> Image.Image:
    """One unit's incoming weights, large."""
    return Image.fromarray(tile(weight_colours(unit_pictures(hidden_layer)[unit : unit + 1]), 1, scale))


def map_grid(maps: np.ndarray, columns: int | None = None, scale: int | None = None) -> Image.Image:
    """One convolution's feature maps (h, w, maps) as a grid of gray pictures, bright where the map fires.

    All maps share the layer's scale, so a weak map looks weak; white is the layer's 99.5th percentile, not
    its single strongest pixel, which would leave every other map near black.
    """
    height, _, count = maps.shape
    columns = columns or (8 if count <= 32 else 16)
    scale = scale or max(2, 42 // height)  # 28×28 at 2×, 14×14 at 3×, 7×7 at 6×: 16 small maps fit a row
    peak = float(np.percentile(maps, 99.5)) or float(maps.max()) or 1.0
    gray = (np.clip(maps / peak, 0, 1) * 255).astype(np.uint8).transpose(2, 0, 1)
    return Image.fromarray(tile(gray, columns, scale, gap=2))


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def features_chart(features: np.ndarray, toward: np.ndarray, selected: int | None = None, height: int = 120) -> Image.Image:
    """The features feeding the softmax as bars, one per unit: orange where the feature pushes toward the
    predicted class (`toward` > 0), gray where it does not; the selected unit in blue. Unit numbers below."""
    count = len(features)
    bar = max(2, min(6, 768 // count))
    left, bottom = 4, height
    picture = Image.new("RGB", (left + count * bar + 4, height + 26), "white")
    draw = ImageDraw.Draw(picture)
    peak = float(features.max()) or 1.0
    for i, value in enumerate(features):
        top = bottom - max(1, int(round(float(value) / peak * (height - 6)))) if value > 0 else bottom - 1
        colour = SELECTED if i == selected else TOWARD if toward[i] > 0 else AGAINST
        draw.rectangle((left + i * bar, top, left + (i + 1) * bar - 2, bottom), fill=colour)
    draw.line((left, bottom + 1, left + count * bar, bottom + 1), fill=_INK)
    step = 16 if count <= 128 else 32
    for unit in range(0, count, step):
        x = left + unit * bar + bar // 2
        draw.line((x, bottom + 1, x, bottom + 5), fill=_INK)
        draw.text((x, bottom + 7), str(unit), fill=_INK, font=_font(13), anchor="mt")
    return picture


# --- the same in words (alt text) ------------------------------------------------------------------


def _strongest(values: np.ndarray, count: int = 3) -> str:
    order = np.argsort(-values, kind="stable")[:count]
    return ", ".join(f"{int(i)} ({values[i]:.2f})" for i in order)


def describe_features(features: np.ndarray, toward: np.ndarray, target: int, what: str = "features") -> str:
    silent = int((features <= 0).sum())
    return (
        f"Bar chart of the {len(features)} {what} for this image: {silent} are zero; the strongest are "
        f"{_strongest(features)}; the ones pushing most toward {CLASS_NAMES[target]} are {_strongest(toward)}."
    )


def describe_unit_grid(hidden_layer: Dense) -> str:
    units = hidden_layer.weights.shape[1]
    return (
        f"The incoming weights of all {units} hidden units, each as a 28×28 picture, {min(units, 16)} a row: orange "
        "where ink excites the unit, purple where ink holds it back, white where the pixel does not matter."
    )


def describe_unit(hidden_layer: Dense, unit: int) -> str:
    """Where a unit's weights are most positive and most negative, in words."""
    picture = unit_pictures(hidden_layer)[unit]

    def where(mask: np.ndarray) -> str:
        ys, xs = np.nonzero(mask)
        if len(ys) == 0:
            return "nowhere"
        vertical = ("top", "middle", "bottom")[min(2, int(ys.mean() * 3 // IMAGE_SIZE))]
        horizontal = ("left", "centre", "right")[min(2, int(xs.mean() * 3 // IMAGE_SIZE))]
        return "the centre" if (vertical, horizontal) == ("middle", "centre") else f"the {vertical} {horizontal}"

    limit = np.abs(picture).max() or 1.0
    return (
        f"Unit {unit}'s 784 incoming weights as a 28×28 picture: ink excites it most around {where(picture > 0.5 * limit)} "
        f"and holds it back most around {where(picture < -0.5 * limit)}."
    )


def describe_maps(conv: Conv, maps: np.ndarray) -> str:
    height, width, count = conv.shape
    peaks = maps.max(axis=(0, 1))
    silent = int((peaks <= 0).sum())
    return (
        f"Block {conv.block}, convolution {conv.number}: its {count} feature maps of {height}×{width} for this image, "
        f"bright where a map fires; {silent} of them are dark everywhere, the strongest are maps {_strongest(peaks)}."
    )


def describe_top_images(indices: np.ndarray, labels: np.ndarray, unit: str) -> str:
    """E.g. "The 12 test images that excite unit 38 most: 11 Trouser, 1 Dress." (`unit` names the unit)."""
    names = [CLASS_NAMES[int(labels[i])] for i in indices]
    counts = {name: names.count(name) for name in dict.fromkeys(names)}
    return f"The {len(indices)} test images that excite {unit} most: " + ", ".join(f"{n} {c}" for c, n in counts.items()) + "."


if __name__ == "__main__":  # python -m fmnist.inside: how long each view of the Inside page takes
    from fmnist import bench, data

    print(bench.format_inside_table(bench.bench_inside(data.load_test_split()[0])))
