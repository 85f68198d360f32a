"""The shipped models: prediction contract, accuracy on the real test split, thread safety, bad files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import fmnist
from fmnist.config import SHIPPED_MODELS
from fmnist.engines import KerasEngine, LiteRTEngine, fresh_twin
from fmnist.models import Classifier, ModelLoadError, card_path, load_model, model_path, map_of_test_split, occlusions_of_test_split, predictions_path, probabilities_for_test_split

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


@pytest.mark.parametrize("name", SHIPPED_MODELS)  # the drawing and photo models too
def test_model_card_matches_model(classifiers, test_split, name):
    card = json.loads(card_path(model_path(name)).read_text())
    for key in ("architecture", "parameters", "epochs", "seed", "training_seconds", "history", "test_accuracy",
                "per_class_accuracy", "confusion_matrix", "versions"):
        assert key in card, key
    assert card["parameters"] == classifiers[name].model.count_params()
    assert len(card["history"]["test_accuracy"]) == card["epochs"]
    images, labels = test_split
    measured = (classifiers[name].predict(images).argmax(1) == labels).mean()
    assert abs(card["test_accuracy"] - measured) < 1e-3


def test_cnn_recipe_limits(classifiers):
    assert classifiers["cnn"].model.count_params() <= 1_000_000


@pytest.mark.parametrize("engine", ["litert", "tf.function"])
def test_predict_is_thread_safe(test_split, engine):
    clf = load_model("cnn")  # fresh, so the first calls race on tracing and allocation too
    if engine == "tf.function":
        clf = Classifier.from_keras(clf.model)
    images, _ = test_split
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: clf.predict(images[i]), range(64)))
    expected = clf.predict(images[:64])
    np.testing.assert_allclose(np.concatenate(results), expected, atol=1e-5)


@pytest.mark.parametrize("name", SHIPPED_MODELS)  # the drawing and photo models too
def test_shipped_models_are_served_by_their_fresh_litert_twin(classifiers, name):
    card = json.loads(card_path(model_path(name)).read_text())
    assert fresh_twin(model_path(name), card) is not None, f"run: python -m fmnist twin --model {name}"
    assert isinstance(classifiers[name].engine, LiteRTEngine)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_litert_twin_predicts_like_the_keras_model(classifiers, test_split, name):
    images = test_split[0][:1000]
    twin = classifiers[name]
    keras = Classifier.from_keras(twin.model)
    np.testing.assert_allclose(twin.predict(images), keras.predict(images), atol=1e-4)
    np.testing.assert_allclose(twin.features(images), keras.features(images), atol=1e-3, rtol=1e-4)
    assert (twin.predict(images).argmax(1) == keras.predict(images).argmax(1)).all()


def run_in_fresh_python(code: str) -> str:
    """Run `code` in a new interpreter (nothing imported yet) and return its stdout; it must succeed."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_predicting_does_not_import_tensorflow():
    """The app's memory budget rests on this: both models predict and explain by occlusion without TF."""
    code = (
        "import sys, fmnist; from fmnist import data, explain; x, _ = data.load_test_split()\n"
        "for name in ('cnn', 'mlp'):\n"
        "    clf = fmnist.load_model(name); clf.predict(x[:600]); clf.features(x[:10]); explain.explain(clf, x[0])\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    assert run_in_fresh_python(code).strip() == "[]"


def _copy_of_mlp(tmp_path: Path) -> Path:
    for suffix in (".keras", ".json", ".tflite", ".test.npz"):
        shutil.copy(model_path("mlp").with_suffix(suffix), tmp_path / f"mlp{suffix}")
    return tmp_path / "mlp.keras"


def test_a_replaced_model_file_is_not_served_by_its_stale_twin(tmp_path, test_split):
    path = _copy_of_mlp(tmp_path)
    shutil.copy(model_path("cnn"), path)  # a different model under the same name
    clf = load_model(path)
    assert isinstance(clf.engine, KerasEngine)
    assert clf.model.count_params() == load_model("cnn").model.count_params()


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_shipped_test_predictions_are_read_not_computed(test_split, name, monkeypatch):
    clf = load_model(name)
    expected = clf.predict(test_split[0])
    monkeypatch.setattr(clf, "predict", lambda *a, **k: pytest.fail("classified the test split again"))
    np.testing.assert_array_equal(probabilities_for_test_split(clf, test_split[0]), expected)


def test_shipped_feature_maps_are_read_not_computed(test_split, monkeypatch):
    from fmnist.features import pca_2d

    clf = load_model("mlp")
    expected_map, expected_explained = pca_2d(clf.features(test_split[0]))
    monkeypatch.setattr(clf, "features", lambda *a, **k: pytest.fail("computed the features again"))
    coordinates, explained = map_of_test_split(clf, test_split[0])
    np.testing.assert_allclose(np.abs(coordinates), np.abs(expected_map), atol=1e-3)  # an axis' sign is arbitrary
    np.testing.assert_allclose(explained, expected_explained, atol=1e-6)


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_shipped_occlusion_heatmaps_equal_the_live_ones(test_split, name):
    """A test image's saved heatmap for its predicted class is the one the model computes; any other
    class, or a picture that is no test image, is left to the live computation."""
    from fmnist import explain

    clf = load_model(name)
    saved = occlusions_of_test_split(clf, test_split[0])
    assert saved is not None
    for index in (0, 17, 4242, 9999):
        image = test_split[0][index]
        predicted = int(clf.predict(image)[0].argmax())
        np.testing.assert_allclose(saved.heatmap(image, predicted), explain.occlusion(clf, image, predicted), atol=2e-3)
        assert saved.heatmap(image, (predicted + 1) % 10) is None
    assert saved.heatmap(255 - test_split[0][0], 0) is None


def test_saved_predictions_of_a_replaced_model_or_other_images_are_not_used(tmp_path, test_split):
    path = _copy_of_mlp(tmp_path)
    images = test_split[0]
    np.testing.assert_array_equal(probabilities_for_test_split(load_model(path), images[:100]), load_model(path).predict(images[:100]))
    shutil.copy(model_path("cnn"), path)  # a different model under the same name
    clf = load_model(path)
    np.testing.assert_allclose(probabilities_for_test_split(clf, images), load_model("cnn").predict(images), atol=1e-4)


def test_corrupt_saved_predictions_are_recomputed_with_a_warning(tmp_path, test_split):
    path = _copy_of_mlp(tmp_path)
    predictions_path(path).write_bytes(b"not a zip")
    clf = load_model(path)
    with pytest.warns(UserWarning, match="unreadable"):
        probabilities = probabilities_for_test_split(clf, test_split[0])
    np.testing.assert_array_equal(probabilities, clf.predict(test_split[0]))


def test_a_corrupt_twin_falls_back_to_tensorflow_with_a_warning(tmp_path, test_split):
    path = _copy_of_mlp(tmp_path)
    path.with_suffix(".tflite").write_bytes(b"not a flatbuffer")
    with pytest.warns(UserWarning, match="LiteRT cannot read"):
        clf = load_model(path)
    assert isinstance(clf.engine, KerasEngine)
    images, labels = test_split
    assert (clf.predict(images[:500]).argmax(1) == labels[:500]).mean() > 0.85


def test_missing_model_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelLoadError, match="python -m fmnist train --model cnn"):
        load_model(tmp_path / "cnn.keras")


def test_corrupt_model_file_says_how_to_rebuild(tmp_path):
    path = tmp_path / "mlp.keras"
    path.write_bytes(b"not a zip archive")
    with pytest.raises(ModelLoadError, match="could not be loaded.*train --model mlp"):
        load_model(path)


def test_without_litert_installed_tensorflow_serves_with_a_warning():
    code = (
        "import sys, warnings; sys.modules['ai_edge_litert'] = None\n"  # makes the import fail
        "import fmnist\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always'); clf = fmnist.load_model('mlp')\n"
        "print(type(clf.engine).__name__, clf.predict(fmnist.data.load_test_split()[0][:1]).shape, str(caught[0].message))"
    )
    assert run_in_fresh_python(code).startswith("KerasEngine (1, 10) LiteRT is not installed")
