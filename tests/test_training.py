"""Training smoke tests on small slices of the real train split: the recipe learns, and saves a card."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

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


def test_build_compile_fit_are_the_recipe_step_by_step(train_split, test_split):
    (x, y), (xt, yt) = train_split, test_split
    recipe = replace(training.RECIPES["mlp"], epochs=1)
    model = training.build(recipe)
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten", "Dense", "Dense"]
    assert model.count_params() == 101_770 and not model.compiled  # built, not compiled
    training.compile_model(model, recipe, training.steps(recipe, 2000))
    assert type(model.optimizer).__name__ == "Adam"
    assert float(model.optimizer.learning_rate) == pytest.approx(recipe.learning_rate)
    result = training.fit(model, recipe, (x[:2000], y[:2000]), (xt[:1000], yt[:1000]))
    assert len(result.history["loss"]) == 1 and result.history["val_accuracy"][0] > 0.6


def test_train_uses_the_recipes_number_of_training_images(train_split, test_split):
    fractions = []
    recipe = replace(training.RECIPES["mlp"], epochs=1, train_images=500)
    training.train(recipe, train_split, (test_split[0][:200], test_split[1][:200]), on_batch=fractions.append)
    assert len(fractions) == 16 and fractions[-1] == 1.0  # ceil(500 / 32) batches, not 60,000 images' worth


def test_hand_drawn_inputs_are_converted_drawings_of_train_images_from_the_whole_split(train_split):
    from fmnist.imaging import drawing_to_input
    from fmnist.renderings import as_canvas, render_hand_drawing

    x, y = train_split
    drawn_x, drawn_y = training.hand_drawn_inputs(x, y, 40, seed=5)
    assert drawn_x.shape == (80, 28, 28) and drawn_x.dtype == np.uint8  # 40 images, drawn in each of the two styles
    rng = np.random.default_rng(5)
    picks = rng.choice(len(x), size=40, replace=False)
    assert picks.max() >= 10_000  # drawn from all 60,000, not only the clean images the recipe keeps
    np.testing.assert_array_equal(drawn_y, np.concatenate([y[picks], y[picks]]))
    first = drawing_to_input(as_canvas(render_hand_drawing(x[picks[0]], rng, "outline", size=112)))
    np.testing.assert_array_equal(drawn_x[0], first.image)  # the first pick's outline, through the Draw page's conversion


def test_train_adds_the_hand_drawings_to_the_recipes_clean_images(train_split, test_split):
    fractions = []
    recipe = replace(training.RECIPES["mlp"], epochs=1, train_images=200, real_inputs=100)
    training.train(recipe, train_split, (test_split[0][:200], test_split[1][:200]), on_batch=fractions.append)
    assert len(fractions) == 13  # ceil((200 + 2 × 100) / 32) batches


def test_save_has_no_default_folder():
    import inspect

    assert inspect.signature(training.save).parameters["out_dir"].default is inspect.Parameter.empty


def test_cli_train_writes_the_model_its_twin_and_card_where_asked(train_split, test_split, tmp_path):
    from tests.test_cli import fmnist_cli

    result = fmnist_cli("train", "--model", "mlp", "--epochs", "1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlp.json", "mlp.keras", "mlp.test.npz", "mlp.tflite"]
    with np.load(tmp_path / "mlp.test.npz") as saved:  # what the app reads instead of classifying the test split
        assert saved["probabilities"].shape == (len(test_split[0]), 10) and saved["map"].shape == (len(test_split[0]), 2)
        assert saved["occlusion"].shape == (len(test_split[0]), 144)  # the detail view's heatmaps
        np.testing.assert_array_equal(saved["occlusion_targets"], saved["probabilities"].argmax(1))
    card = json.loads((tmp_path / "mlp.json").read_text())
    assert card["epochs"] == 1 and card["recipe"]["train_images"] is None and card["test_accuracy"] > 0.8
