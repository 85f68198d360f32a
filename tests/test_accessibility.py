"""Accessibility that needs no browser (issue #11): the contrast of every colour the app writes text in,
and the words that stand in for its pictures (a heatmap's: tests/test_explain.py). axe-core in Chromium checks the pages (tests/e2e/test_a11y.py)."""

from __future__ import annotations

import json
import re
import tomllib

import numpy as np
import pytest

from fmnist import describe, plots
from fmnist.config import ASSETS_DIR, CLASS_NAMES, PROJECT_ROOT
from fmnist.ui import charts

THEME = tomllib.loads((PROJECT_ROOT / ".streamlit/config.toml").read_text())["theme"]
# Streamlit's light backgrounds: the page, the sidebar, and widgets (the theme leaves them at their defaults).
BACKGROUNDS = ["#ffffff", "#f8f8f7", "#f1f0ee"]
CAPTION_OPACITY = 0.6  # Streamlit draws st.caption, image captions and help text in the text colour at 60%
AA = 4.5  # WCAG 2.1 AA, text under 18 pt (24 px)


def luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(foreground: str, background: str, opacity: float) -> str:
    """`foreground` at `opacity` on `background`, as the browser composes it."""
    mix = [round(opacity * int(foreground[i : i + 2], 16) + (1 - opacity) * int(background[i : i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def test_contrast_formula_matches_wcag_and_axe():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#828180", "#ffffff") == pytest.approx(3.88, abs=0.01)  # axe's figure for the old captions
    assert over("#2f2d2b", "#ffffff", CAPTION_OPACITY) == "#828180"  # how the old captions got there


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_text_and_captions_reach_aa_on_every_background(background):
    assert contrast(THEME["textColor"], background) >= AA
    assert contrast(over(THEME["textColor"], background, CAPTION_OPACITY), background) >= AA


@pytest.mark.parametrize("palette", plots.PALETTES.values(), ids=plots.PALETTES.keys())
def test_right_and_wrong_captions_reach_aa_on_white(palette):
    for colour in (palette.right_md, palette.wrong_md, "blue"):  # "blue": the colour key's true class
        assert contrast(THEME[f"{colour}TextColor"], "#ffffff") >= AA, colour


def test_primary_buttons_and_chart_labels_reach_aa():
    assert contrast("#ffffff", THEME["primaryColor"]) >= AA  # a primary button's label
    assert contrast(charts.LABELS["labelColor"], "#ffffff") >= AA
    assert contrast("#{:02x}{:02x}{:02x}".format(*plots._INK), "#ffffff") >= AA  # the PIL charts' class names


def test_tile_says_truth_prediction_probability_and_verdict():
    probabilities = np.full(10, 0.01 / 9)
    probabilities[9] = 0.99
    assert plots.describe_tile(probabilities, 9) == "Ankle boot, predicted Ankle boot 99%, right"
    assert plots.describe_tile(probabilities, 7) == "Sneaker, predicted Ankle boot 99%, wrong"


@pytest.fixture(scope="module")
def card():
    return json.loads((ASSETS_DIR / "mlp.json").read_text())


def test_per_class_accuracy_sentence_names_every_class_best_first(card):
    sentence = describe.per_class_accuracy(card["per_class_accuracy"])
    ranked = sorted(card["per_class_accuracy"], key=card["per_class_accuracy"].get, reverse=True)
    positions = [sentence.index(f"{name} ") for name in ranked]
    assert positions == sorted(positions) and len(positions) == 10
    assert f"{card['per_class_accuracy']['Shirt']:.1%}" in sentence


def test_comparison_names_the_widest_gap():
    mlp = {name: 0.9 for name in CLASS_NAMES}
    cnn = {**mlp, "Shirt": 0.8, "Coat": 0.95}
    sentence = describe.per_class_comparison({"Classic MLP": mlp, "CNN": cnn})
    assert "ahead on 1 of 10 classes" in sentence and "widest gap is Shirt, 90.0% for the Classic MLP and 80.0% for the CNN" in sentence


def test_confusion_matrix_reads_as_a_table_and_a_sentence(card):
    matrix = np.array(card["confusion_matrix"])
    table = describe.confusion_table(matrix)
    assert list(table.index) == list(CLASS_NAMES) == list(table.columns) and table.index.name
    assert table.loc["Shirt", "T-shirt/top"] == matrix[6, 0]
    sentence = describe.confusions(matrix)
    assert sentence.startswith(f"{np.trace(matrix):,} of 10,000 test images")
    worst = np.unravel_index(np.argmax(matrix - np.diag(np.diag(matrix))), matrix.shape)
    assert f"{CLASS_NAMES[worst[0]]} taken for {CLASS_NAMES[worst[1]]} {matrix[worst]:,} times" in sentence
    assert describe.confusions(np.eye(10, dtype=int) * 5).endswith("no mistakes.")


def test_training_curves_sentence_gives_start_end_and_gap(card):
    history = card["history"]
    sentence = describe.training_curves(history)
    assert f"over {len(history['train_accuracy'])} epochs" in sentence
    assert f"test accuracy {history['test_accuracy'][0]:.1%} to {history['test_accuracy'][-1]:.1%}" in sentence
    gap = 100 * (history["train_accuracy"][-1] - history["test_accuracy"][-1])
    assert f"{abs(gap):.1f} points better on the train split" in sentence
    assert describe.training_curves({}) == "Training curves: no epoch has finished yet."



def test_code_colours_reach_aa_on_the_code_background():
    """fmnist/ui/accessible.css darkens st.code's syntax colours, which no theme option sets."""
    from fmnist.ui.app import ACCESSIBLE_CSS

    colours = re.findall(r"color: (#[0-9a-f]{6})", ACCESSIBLE_CSS.read_text())
    assert len(colours) >= 8
    for background in ("#fcfcfb", "#f1f0ee"):  # a code block, and one inside a grey container
        assert all(contrast(colour, background) >= AA for colour in colours), background
