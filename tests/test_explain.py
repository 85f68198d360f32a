"""Explanations: the heatmap sits on the item, and depends on the class explained."""

from __future__ import annotations

import numpy as np
import pytest

from fmnist import explain


def item_box_share(image: np.ndarray, heatmap: np.ndarray) -> tuple[float, float]:
    """(share of the heatmap's mass inside the item's bounding box, share of the image the box covers)."""
    rows, cols = np.nonzero(image > 20)
    box = np.zeros(image.shape, bool)
    box[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] = True
    return float(heatmap[box].sum() / max(heatmap.sum(), 1e-9)), float(box.mean())


@pytest.mark.parametrize("name", ["mlp", "cnn"])
@pytest.mark.parametrize("method", explain.METHODS)
def test_heatmap_lies_on_the_item(classifiers, test_split, name, method):
    images, _ = test_split
    mass, area = [], []
    for image in images[:40]:
        heatmap = explain.explain(classifiers[name], image, method=method)
        assert heatmap.shape == (28, 28) and heatmap.dtype == np.float32
        assert heatmap.min() >= 0 and heatmap.max() <= 1
        inside, box = item_box_share(image, heatmap)
        mass.append(inside)
        area.append(box)
    # Most of the mass on the item, and more than a map spread evenly over the image would put there.
    assert np.median(mass) > 0.75
    assert np.mean(np.array(mass) > np.array(area)) >= 0.8


@pytest.mark.parametrize("name", ["mlp", "cnn"])
@pytest.mark.parametrize("method", explain.METHODS)
def test_other_class_gives_other_map(classifiers, test_split, name, method):
    images, _ = test_split
    clf = classifiers[name]
    differences = []
    for image in images[:10]:
        probs = clf.predict(image)[0]
        top, runner_up = np.argsort(probs)[::-1][:2]
        a = explain.explain(clf, image, int(top), method)
        b = explain.explain(clf, image, int(runner_up), method)
        differences.append(np.abs(a - b).mean())
    assert np.median(differences) > 0.02


def test_unknown_method(classifiers, test_split):
    with pytest.raises(ValueError, match="method"):
        explain.explain(classifiers["mlp"], test_split[0][0], method="magic")


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_gradient_heatmap_is_readable_areas_not_specks(classifiers, test_split, name):
    """A class at the projector must see areas: a fair share of the item's pixels carry heat.

    Before smoothing: 7% of them for the CNN, 17% for the MLP."""
    images, _ = test_split
    covered = [(explain.explain(classifiers[name], image, method="gradient")[image > 20] > 0.2).mean() for image in images[:20]]
    assert np.median(covered) > 0.2


def blob(row: slice, column: slice) -> np.ndarray:
    heatmap = np.zeros((28, 28), np.float32)
    heatmap[row, column] = 1
    return heatmap


@pytest.mark.parametrize(
    "heatmap, words",
    [
        (blob(slice(0, 8), slice(0, 8)), "mostly at the top-left"),
        (blob(slice(22, 28), slice(10, 18)), "mostly at the bottom of"),
        (blob(slice(11, 17), slice(11, 17)), "mostly at the centre"),
        (blob(slice(10, 18), slice(20, 28)), "mostly at the right side"),
        (np.ones((28, 28), np.float32), "all over the picture"),
        (np.zeros((28, 28), np.float32), "empty"),
    ],
)
def test_describe_heatmap_names_where_the_heat_is(heatmap, words):
    assert words in explain.describe_heatmap(heatmap)


def test_describe_heatmap_says_whether_the_heat_is_on_the_item(test_split, classifiers):
    image = test_split[0][1]
    on_item = explain.explain(classifiers["mlp"], image)
    assert "on the item itself" in explain.describe_heatmap(on_item, image)
    assert "empty background" in explain.describe_heatmap((image < 20).astype(np.float32), image)


def test_confidence_note_is_quiet_when_sure_and_honest_when_not():
    sure = np.array([0.9] + [0.1 / 9] * 9)
    unsure = np.array([0.45, 0.35, 0.1] + [0.1 / 7] * 7)
    flat = np.full(10, 0.1)
    assert explain.confidence_note(sure) is None
    level, sentence = explain.confidence_note(unsure)
    assert level == "unsure" and "not sure" in sentence and "T-shirt/top 45%, Trouser 35%, Pullover 10%" in sentence
    level, sentence = explain.confidence_note(flat)
    assert level == "unfamiliar" and "may not be" in sentence


def test_heatmap_picture_has_a_colour_key(test_split, classifiers):
    from io import BytesIO

    from PIL import Image

    from fmnist import plots

    image = test_split[0][0]
    picture = Image.open(BytesIO(plots.heatmap_with_key(image, explain.explain(classifiers["mlp"], image)))).convert("RGB")
    pixels = np.asarray(picture).astype(int)
    lower = pixels[int(0.7 * len(pixels)) :]  # under the heatmap: a row that ramps from dark to bright is the key
    brightness = lower.sum(axis=2)
    coloured = [row[row < 740] for row in brightness]  # the white margin left out
    ramps = [
        row for row in coloured
        if len(row) > 100 and row.min() < 150 and row.max() > 600 and np.corrcoef(row, np.arange(len(row)))[0, 1] > 0.9
    ]
    assert ramps
