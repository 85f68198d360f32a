"""The feature map and the deployment exports, on the real models."""

from __future__ import annotations

import numpy as np
import pytest

from fmnist import engines, export, features
from fmnist.config import CLASS_NAMES


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_feature_map_separates_distinct_classes(classifiers, test_split, name):
    images, labels = test_split
    coords, explained = features.pca_2d(classifiers[name].features(images[:3000]))
    labels = labels[:3000]
    assert coords.shape == (3000, 2) and explained.sum() <= 1
    centre = {c: coords[labels == c].mean(axis=0) for c in range(10)}
    spread = np.mean([coords[labels == c].std(axis=0).mean() for c in range(10)])
    trouser, bag = CLASS_NAMES.index("Trouser"), CLASS_NAMES.index("Bag")
    shirt, tshirt = CLASS_NAMES.index("Shirt"), CLASS_NAMES.index("T-shirt/top")
    # Trousers and bags are far apart; the confusable shirts and T-shirts sit much closer.
    assert np.linalg.norm(centre[trouser] - centre[bag]) > spread
    assert np.linalg.norm(centre[shirt] - centre[tshirt]) < np.linalg.norm(centre[trouser] - centre[bag])


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_export_round_trip(classifiers, test_split, tmp_path, fmt):
    images, _ = test_split
    path = tmp_path / ("cnn_saved_model" if fmt == "saved_model" else "cnn.tflite")
    report = export.export(classifiers["cnn"], fmt, path, images[:100])
    assert path.exists()
    assert report.max_abs_difference <= engines.TOLERANCE and report.same_argmax and report.images == 100
