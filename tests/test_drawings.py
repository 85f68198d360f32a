"""Drawings as people draw them: outlines touching the edge, hand-drawn renderings, the drawing model."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from fmnist import imaging, models, renderings
from fmnist.config import DEFAULT_MODEL, MLP_REAL_INPUT_MODEL, PROJECT_ROOT, REAL_INPUT_MODEL

T_SHIRT = [(0, 40), (80, 10), (200, 10), (279, 40), (279, 110), (225, 110), (225, 270), (55, 270), (55, 110), (0, 110)]
DRESS = [(110, 0), (170, 0), (175, 80), (230, 279), (50, 279), (105, 80)]


def outline_canvas(points: list[tuple[int, int]], brush: int = 14) -> np.ndarray:
    """An RGBA canvas as the Draw page returns it: a white outline on opaque black."""
    canvas = Image.new("L", (280, 280), 0)
    ImageDraw.Draw(canvas).line([*points, points[0]], fill=255, width=brush, joint="curve")
    return np.asarray(canvas.convert("RGBA"))


@pytest.mark.parametrize(
    "points, brush", [(T_SHIRT, 14), (DRESS, 24)], ids=["t-shirt touching left and right", "dress touching top and bottom"]
)
def test_outline_touching_the_edge_stays_bright_on_black(points, brush):
    # The black canvas is the background, whatever touches its border (issue 15, bug 1): the border
    # guess made the T-shirt an inverted filled shape and the dress a grey gradient box.
    conversion = imaging.drawing_to_input(outline_canvas(points, brush))
    image = conversion.image.astype(int)
    assert not conversion.inverted
    corners = [image[0, 0], image[0, -1], image[-1, 0], image[-1, -1]]
    assert max(corners) < 30  # black around the item, not an inverted grey box
    assert image[10:18, 12:16].mean() > 100  # the middle of the item is filled in, not a hole


def test_filling_outlines_keeps_the_strokes_brighter():
    ink = np.zeros((100, 100), np.float32)
    ink[20:80, 20:26] = ink[20:80, 74:80] = ink[20:26, 20:80] = ink[74:80, 20:80] = 255  # a square outline
    filled = imaging.fill_outlines(ink, 0.6)
    assert filled[50, 50] == pytest.approx(153) and filled[50, 22] == 255 and filled[5, 5] == 0


def test_a_small_gap_in_an_outline_is_closed_before_filling():
    ink = np.zeros((280, 280), np.float32)
    ink[40:240, 40:52] = ink[40:240, 228:240] = ink[40:52, 40:240] = ink[228:240, 40:240] = 255
    ink[40:52, 120:135] = 0  # the pen was lifted for 15 px
    assert imaging.fill_outlines(ink, 0.6)[140, 140] > 100


def test_the_gaps_between_scribbled_strokes_are_filled():
    # A scribbled-in shape is a striped shape: the dark gaps between the strokes are enclosed by them
    # and were left black (bridged by the gap closing, so not counted as enclosed); the dataset's items are solid.
    ink = np.zeros((280, 280), np.float32)
    ink[40:240, 40:52] = ink[40:240, 228:240] = ink[40:52, 40:240] = ink[228:240, 40:240] = 255
    for top in range(64, 228, 24):
        ink[top : top + 12, 40:240] = 255  # back-and-forth strokes 12 px apart
    filled = imaging.fill_outlines(ink, 0.6)
    gaps = ink[52:228, 52:228] == 0
    assert np.allclose(filled[52:228, 52:228][gaps], 153)
    assert filled[5, 5] == 0


def test_hand_drawings_are_reproducible_and_touch_the_edges_sometimes(test_split):
    images, _ = test_split
    first = renderings.make_hand_drawings(images, "outline", 30, seed=3)
    again = renderings.make_hand_drawings(images, "outline", 30, seed=3)
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(first, again))
    touching = sum(np.asarray(d)[[0, -1]].any() or np.asarray(d)[:, [0, -1]].any() for d in first)
    assert 3 <= touching < 30
    widths = {np.asarray(d).shape for d in first}
    assert widths == {(280, 280, 3)}


def test_outlines_are_mostly_strokes_and_scribbles_cover_more(test_split):
    images, _ = test_split
    outline = np.asarray(renderings.render_hand_drawing(images[1], np.random.default_rng(0), "outline"))[..., 0] > 0
    scribble = np.asarray(renderings.render_hand_drawing(images[1], np.random.default_rng(0), "scribble"))[..., 0] > 0
    assert scribble.sum() > 1.5 * outline.sum()


def test_a_shoe_drawn_pointing_right_reaches_the_model_pointing_left_as_the_datasets(test_split):
    images, labels = test_split
    kept_as_drawn = mirrored_back = 0
    for i in np.flatnonzero(labels == 7)[:20]:  # sneakers, drawn as the dataset shows them: pointing left
        drawing = renderings.render_hand_drawing(images[i], np.random.default_rng(int(i)), "outline")
        pointing_left = imaging.drawing_to_input(renderings.as_canvas(drawing))
        pointing_right = imaging.drawing_to_input(renderings.as_canvas(ImageOps.mirror(drawing)))
        if pointing_right.mirrored and not pointing_left.mirrored:
            np.testing.assert_array_equal(pointing_right.image, pointing_left.image)  # one input, whichever way it was drawn
        assert pointing_right.steps[-2][0].startswith("Mirrored") == pointing_right.mirrored
        kept_as_drawn += not pointing_left.mirrored
        mirrored_back += pointing_right.mirrored
    assert kept_as_drawn == 20  # heel on the right, as the dataset's: left as it is
    assert mirrored_back >= 16  # a sneaker about as heavy at both ends stays as drawn (DRAWING_MIRROR_MARGIN)


def test_a_lopsided_t_shirt_is_not_mirrored():
    # One sleeve drawn 14 px shorter than the other, as a hand does: clothes are not turned, only shoes.
    lopsided = [(x if x < 270 else 265, y) for x, y in T_SHIRT]
    for canvas in (outline_canvas(lopsided), outline_canvas(lopsided)[:, ::-1]):
        assert not imaging.drawing_to_input(canvas).mirrored


def test_evaluate_drawings_reports_both_styles_per_class():
    result = subprocess.run(
        [sys.executable, "-m", "fmnist", "evaluate", "--drawings", "--model", "mlp", "--count", "40", "--seed", "1", "--json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"mlp"} and set(report["mlp"]) == set(renderings.HAND_STYLES)
    for style in renderings.HAND_STYLES:
        assert 0.0 < report["mlp"][style]["accuracy"] <= 1.0 and len(report["mlp"][style]["per_class"]) == 10


# --- the model that serves drawings --------------------------------------------------------------------


def test_drawings_are_served_by_the_picked_model_fine_tuned_on_drawings():
    assert models.model_for(DEFAULT_MODEL, "drawing") == REAL_INPUT_MODEL
    assert models.model_for("mlp", "drawing") == MLP_REAL_INPUT_MODEL
    assert models.model_for(DEFAULT_MODEL) == DEFAULT_MODEL and models.model_for("mlp") == "mlp"  # the test split
    assert models.model_for("mlp", "photo") == "mlp"  # no MLP is fine-tuned on photos


def test_drawing_model_reads_drawings_and_keeps_the_test_split(classifiers, test_split):
    images, labels = test_split
    model = classifiers[REAL_INPUT_MODEL]
    assert model.num_params <= 1_000_000
    assert (model.predict(images).argmax(1) == labels).mean() >= 0.90  # 0.9150 measured: it serves drawings only
    result = renderings.hand_drawing_accuracy({"real": model}, images[-400:], labels[-400:], 400, seed=7)["real"]
    # 0.843 and 0.812 here; 0.849 and 0.811 on the first 1,000 (`evaluate --drawings --count 1000`)
    assert result["outline"]["accuracy"] >= 0.81 and result["scribble"]["accuracy"] >= 0.78


def test_mlp_drawing_model_is_the_classic_mlp_and_reads_drawings(classifiers, test_split):
    images, labels = test_split
    model = classifiers[MLP_REAL_INPUT_MODEL]
    assert model.num_params == classifiers["mlp"].num_params  # the classic architecture, fine-tuned
    assert (model.predict(images).argmax(1) == labels).mean() >= 0.82  # 0.8399 measured: it serves drawings only
    result = renderings.hand_drawing_accuracy({"real": model}, images[-400:], labels[-400:], 400, seed=7)["real"]
    # 0.828 and 0.807 here; 0.812 and 0.791 on the first 1,000; the classic MLP itself 0.547 and 0.604 there
    assert result["outline"]["accuracy"] >= 0.80 and result["scribble"]["accuracy"] >= 0.76


def test_the_mlp_reads_shoes_drawn_pointing_right(classifiers, test_split):
    images, labels = test_split
    shoes = np.flatnonzero(np.isin(labels, [5, 7, 9]))[-100:]  # sandals, sneakers, ankle boots
    rng = np.random.default_rng(7)
    inputs = np.stack([renderings.hand_drawn_input(images[i], rng, "outline", mirrored=True) for i in shoes])
    accuracy = (classifiers[MLP_REAL_INPUT_MODEL].predict(inputs).argmax(1) == labels[shoes]).mean()
    assert accuracy >= 0.8  # 0.90 measured; 0.15 before drawings were mirrored (an MLP never saw a shoe pointing right)
