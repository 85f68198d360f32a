"""`python -m fmnist` through a real subprocess: exit codes, JSON shape, clear errors, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from fmnist.config import CLASS_NAMES, DEFAULT_MODEL, PROJECT_ROOT
from fmnist.models import load_model, model_for, model_path


def fmnist_cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fmnist", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **env} if env else None)


@pytest.fixture(scope="module")
def pngs(tmp_path_factory, test_split):
    """The first 200 test images as PNG files, with their labels."""
    folder = tmp_path_factory.mktemp("pngs")
    images, labels = test_split
    paths = []
    for i in range(200):
        path = folder / f"test{i:02d}.png"
        Image.fromarray(images[i]).save(path)
        paths.append(str(path))
    return paths, labels[:200]


def test_predict_json_agrees_with_labels(pngs, classifiers, test_split):
    paths, labels = pngs
    result = fmnist_cli("predict", "--json", *paths)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["path"] for r in rows] == paths
    for row in rows:
        assert set(row) == {"path", "label", "index", "probabilities"}
        assert len(row["probabilities"]) == 10 and abs(sum(row["probabilities"]) - 1) < 1e-4
        assert row["label"] == CLASS_NAMES[row["index"]] and row["index"] == int(np.argmax(row["probabilities"]))
    # PNG is lossless and dataset-form images pass through unchanged: the same answers as in-process,
    # from the model the Photo page asks for an image file (with the CNN picked, the photo model).
    in_process = classifiers[model_for(DEFAULT_MODEL, "photo")].predict(test_split[0][:200]).argmax(1)
    assert [row["index"] for row in rows] == in_process.tolist()
    assert np.mean(in_process == labels) >= 0.9


def test_unreadable_file_among_good_ones(pngs, tmp_path):
    paths, _ = pngs
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    missing = tmp_path / "missing.jpg"
    result = fmnist_cli("predict", "--json", "--model", "mlp", paths[0], str(bad), str(missing), paths[1])
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert [set(r) for r in rows] == [{"path", "label", "index", "probabilities"}, {"path", "error"}, {"path", "error"}, {"path", "label", "index", "probabilities"}]
    assert "not an image" in rows[1]["error"] and "cannot be opened" in rows[2]["error"]
    assert "Traceback" not in result.stderr


def test_predict_text_output_shows_top_k(pngs):
    paths, _ = pngs
    result = fmnist_cli("predict", "--model", "mlp", "--top", "2", paths[0])
    assert result.returncode == 0
    assert result.stdout.count("%") == 2 and "Ankle boot" in result.stdout


@pytest.mark.parametrize("args", [["predict"], ["nonsense"], ["predict", "--top", "x", "a.png"], ["train", "--model", "rnn"]])
def test_usage_errors_exit_2(args):
    result = fmnist_cli(*args)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_missing_model_is_one_clear_line(pngs, tmp_path):
    paths, _ = pngs
    result = fmnist_cli("predict", "--model", str(tmp_path / "nowhere.keras"), paths[0])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error: Model file" in result.stderr and "does not exist" in result.stderr


def test_evaluate_json():
    result = fmnist_cli("evaluate", "--model", "mlp", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["count"] == 10000 and 0.87 <= report["accuracy"] <= 0.9
    assert len(report["confusion_matrix"]) == 10 and sum(map(sum, report["confusion_matrix"])) == 10000


def test_evaluate_photos_reports_each_kind():
    result = fmnist_cli("evaluate", "--photos", "--model", "mlp", "--count", "50", "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert set(row) == {"model", "clean", "photo", "drawing", "photo_over_clean"} and row["photo"] > 0.5


def test_explain_writes_a_heatmap(pngs, tmp_path):
    paths, _ = pngs
    out = tmp_path / "heat.png"
    result = fmnist_cli("explain", paths[0], "--model", "mlp", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (224, 224)


def test_twin_writes_the_missing_litert_twin(tmp_path):
    for suffix in (".keras", ".json"):
        shutil.copy(model_path("mlp").with_suffix(suffix), tmp_path / f"mlp{suffix}")
    result = fmnist_cli("twin", "--model", str(tmp_path / "mlp.keras"))
    assert result.returncode == 0, result.stderr
    assert "Wrote" in result.stdout and (tmp_path / "mlp.tflite").is_file()
    assert type(load_model(tmp_path / "mlp.keras").engine).__name__ == "LiteRTEngine"


def test_train_rejects_zero_epochs(tmp_path):
    result = fmnist_cli("train", "--model", "mlp", "--epochs", "0", "--out", str(tmp_path))
    assert result.returncode == 1 and "at least 1" in result.stderr


def test_data_says_where(train_split):
    result = fmnist_cli("data")
    assert result.returncode == 0
    assert "train:" in result.stdout and "test:" in result.stdout
