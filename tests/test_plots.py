"""Figures are closed after rendering; tiles and charts follow the palette's right/wrong colours."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from fmnist import plots


def probabilities_for(predicted: int) -> np.ndarray:
    p = np.full(10, 0.02, np.float32)
    p[predicted] = 0.82
    return p


def bar_pixels(picture: Image.Image, colour: str) -> int:
    rgb = np.asarray(picture)[picture.size[0] :]  # the bar strip under the square image
    return int((rgb == plots._hex_rgb(colour)).all(axis=-1).sum())


@pytest.mark.parametrize("palette", [plots.CLASSIC, plots.COLOR_BLIND_SAFE])
def test_tile_bars_follow_the_classic_walkthrough(palette):
    image = np.zeros((28, 28), np.uint8)
    right = plots.tile_picture(image, probabilities_for(3), 3, palette)
    wrong = plots.tile_picture(image, probabilities_for(3), 5, palette)
    assert bar_pixels(right, palette.true) > 0 and bar_pixels(right, palette.predicted) == 0
    assert bar_pixels(wrong, palette.true) > 0 and bar_pixels(wrong, palette.predicted) > bar_pixels(wrong, palette.true)


def test_tile_bars_stay_clear_of_the_rounded_corners():
    """The first and last classes' bars (T-shirt/top, Ankle boot) lost their outer edges to the image's rounded corners."""
    for label in (0, 9):
        picture = np.asarray(plots.tile_picture(np.zeros((28, 28), np.uint8), probabilities_for(label), label, plots.CLASSIC))
        strip = picture[picture.shape[1] :]  # under the square image
        inked = np.flatnonzero((strip != 255).any(axis=-1).any(axis=0))
        assert inked.min() >= picture.shape[1] // 16 and inked.max() < picture.shape[1] - picture.shape[1] // 16


def chart_rows(png: bytes, colour: str) -> set[int]:
    """The classes (rows, top to bottom) whose bar in the detail chart has this colour."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    ys, _ = np.nonzero((rgb == plots._hex_rgb(colour)).all(axis=-1))
    return {int((y - 6) // plots._ROW) for y in ys}


@pytest.mark.parametrize("palette", [plots.CLASSIC, plots.COLOR_BLIND_SAFE])
def test_detail_chart_shows_true_and_predicted_colours_and_class_names(palette):
    assert chart_rows(plots.probability_chart(probabilities_for(3), 3, palette), palette.true) == {3}
    assert chart_rows(plots.probability_chart(probabilities_for(3), 3, palette), palette.predicted) == set()
    wrong = plots.probability_chart(probabilities_for(3), 5, palette)
    assert chart_rows(wrong, palette.true) == {5} and chart_rows(wrong, palette.predicted) == {3}
    assert chart_rows(plots.probability_chart(probabilities_for(3), None, palette), palette.true) == {3}
    # Each row has a name left of the bars: dark text, and no two rows alike.
    frame, left, _ = plots._chart_frame()
    gray = np.asarray(Image.open(io.BytesIO(wrong)).convert("L"))[:, : left - 2]
    labels = [gray[6 + i * plots._ROW : 6 + (i + 1) * plots._ROW] for i in range(10)]
    assert all((label < 100).sum() > 30 for label in labels)
    assert len({label.tobytes() for label in labels}) == 10
    assert "Dress 82%" in plots.describe_chart(probabilities_for(3), 5) and "Sandal" in plots.describe_chart(probabilities_for(3), 5)


def test_palettes_differ_for_colour_blind_users():
    assert plots.COLOR_BLIND_SAFE.wrong_md == "orange" and plots.COLOR_BLIND_SAFE.right_md == "blue"
    assert plots.CLASSIC.right_md == "green" and plots.CLASSIC.wrong_md == "red"


def test_figures_are_closed_after_rendering():
    plt.close("all")
    history = {"train_loss": [1.0, 0.5], "test_loss": [1.1, 0.7], "train_accuracy": [0.6, 0.8], "test_accuracy": [0.55, 0.75]}
    outputs = [
        plots.probability_chart(probabilities_for(2), 2, plots.CLASSIC),
        plots.confusion_matrix_chart(np.eye(10, dtype=int) * 90 + 1),
        plots.training_curves(history),
    ]
    assert plt.get_fignums() == []
    for png in outputs:
        assert Image.open(io.BytesIO(png)).format == "PNG"
