"""Training smoke tests on small slices of the real train split: the recipe learns, and saves a card."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from fmnist import training
from fmnist.models import load_model


def test_mlp_loss_goes_down(train_split, test_split):
    (x, y), (xt, yt) = train_split, test_split
    epochs_seen = []
    recipe = replace(training.RECIPES["mlp"], epochs=3)
    result = training.train(recipe, (x[:3000], y[:3000]), (xt[:1000], yt[:1000]), on_epoch=lambda e, logs: epochs_seen.append(e))
    losses = result.history["loss"]
    assert epochs_seen == [1, 2, 3]
    assert losses[-1] < losses[0] * 0.8
    assert result.history["val_accuracy"][-1] > 0.7


def test_cnn_recipe_runs_with_augmentation_and_saves(train_split, test_split, tmp_path):
    (x, y), (xt, yt) = train_split, test_split
    fractions = []
    recipe = replace(training.RECIPES["cnn"], epochs=2, width=8)
    result = training.train(recipe, (x[:1024], y[:1024]), (xt[:500], yt[:500]), on_batch=fractions.append)
    assert len(result.history["loss"]) == 2 and result.history["loss"][1] < result.history["loss"][0]
    assert fractions[-1] == 1.0 and np.all(np.diff(fractions) > 0)
    path, card = training.save(result, (xt[:500], yt[:500]), tmp_path)
    assert path.name == "cnn.keras" and card["epochs"] == 2 and len(card["history"]["test_loss"]) == 2
    assert card["litert"]["file"] == "cnn.tflite" and card["litert"]["max_abs_difference"] < 1e-4
    reloaded = load_model(path)
    assert type(reloaded.engine).__name__ == "LiteRTEngine"  # the twin is fresh, so it serves
    np.testing.assert_allclose(reloaded.predict(xt[:20]), result.classifier.predict(xt[:20]), atol=1e-5)


def test_augmenter_keeps_shape_and_range():
    images = np.random.default_rng(0).random((16, 28, 28)).astype(np.float32)
    out = training.make_augmenter(3)(images).numpy()
    assert out.shape == images.shape and out.min() >= 0 and out.max() <= 1
    assert not np.allclose(out, images)
