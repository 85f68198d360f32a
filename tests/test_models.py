"""The shipped models: prediction contract, accuracy on the real test split, thread safety, bad files."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fmnist
from fmnist.models import ModelLoadError, card_path, load_model, model_path

MIN_ACCURACY = {"mlp": 0.87, "cnn": 0.945}


def test_class_names():
    assert fmnist.CLASS_NAMES[0] == "T-shirt/top" and fmnist.CLASS_NAMES[9] == "Ankle boot"
    assert len(fmnist.CLASS_NAMES) == 10


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_predict_contract(classifiers, test_split, name):
    images, _ = test_split
    clf = classifiers[name]
    one = clf.predict(images[0])
    many = clf.predict(images[:7])
    assert one.shape == (1, 10) and many.shape == (7, 10)
    assert one.dtype == np.float32
    np.testing.assert_allclose(many.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(one[0], many[0], atol=1e-5)
    with pytest.raises(ValueError, match="shape"):
        clf.predict(np.zeros((3, 32, 32), np.uint8))


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_shipped_model_accuracy(classifiers, test_split, name):
    images, labels = test_split
    accuracy = (classifiers[name].predict(images).argmax(1) == labels).mean()
    assert accuracy >= MIN_ACCURACY[name]


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_model_card_matches_model(classifiers, test_split, name):
    card = json.loads(card_path(model_path(name)).read_text())
    for key in ("architecture", "parameters", "epochs", "seed", "training_seconds", "history", "test_accuracy",
                "per_class_accuracy", "confusion_matrix", "versions"):
        assert key in card, key
    assert card["parameters"] == classifiers[name].num_params
    assert len(card["history"]["test_accuracy"]) == card["epochs"]
    images, labels = test_split
    measured = (classifiers[name].predict(images).argmax(1) == labels).mean()
    assert abs(card["test_accuracy"] - measured) < 1e-3


def test_cnn_recipe_limits(classifiers):
    assert classifiers["cnn"].num_params <= 1_000_000


def test_predict_is_thread_safe(test_split):
    clf = load_model("cnn")  # fresh, so the first calls race on tracing too
    images, _ = test_split
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: clf.predict(images[i]), range(64)))
    expected = clf.predict(images[:64])
    np.testing.assert_allclose(np.concatenate(results), expected, atol=1e-5)


def test_missing_model_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelLoadError, match="python -m fmnist train --model cnn"):
        load_model(tmp_path / "cnn.keras")


def test_corrupt_model_file_says_how_to_rebuild(tmp_path):
    path = tmp_path / "mlp.keras"
    path.write_bytes(b"not a zip archive")
    with pytest.raises(ModelLoadError, match="could not be loaded.*train --model mlp"):
        load_model(path)
