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
