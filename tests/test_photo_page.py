"""The Photo page and the shared answer through AppTest: what a class reads after giving the model a picture."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from fmnist import glossary
from fmnist.config import CLASS_NAMES
from fmnist.ui import feature_map
from tests.test_app import page_test, png_of


def raw_png(image: np.ndarray) -> bytes:
    """A 28×28 test image as it is: the pipeline passes it to the model unchanged."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content", [b"", b"just some text", png_of(np.zeros((28, 28), np.uint8))[:60]], ids=["empty", "text", "truncated"]
)
def test_upload_errors_speak_of_the_users_file_not_the_library(content):
    at = page_test("photo")
    at.file_uploader(key="upload").set_value(("bad.png", content, "image/png")).run()
    message = at.error[0].value
    assert message.startswith("Your file") and "Pillow" not in message and "bytes" not in message  # no library internals


def test_examples_hide_their_class_until_tried():
    at = page_test("photo", model="mlp")
    at.segmented_control(key="source").set_value("example").run()
    shown = " ".join(c for image in at.image for c in image.captions) + " ".join(m.value for m in at.markdown)
    assert at.image and not any(name in shown for name in CLASS_NAMES)  # nothing gives the answer away
    at.button(key="example-1").click().run()  # the trousers
    heading = next(m.value for m in at.markdown if m.value.startswith("## "))
    assert heading.endswith("(Trouser)]")  # the answer names the real class, right or wrong


def test_unsure_answer_says_so_in_words_with_the_top_3(test_split, classifiers):
    images, _ = test_split
    probabilities = classifiers["mlp"].predict(images[:500])
    unsure = int(np.flatnonzero(probabilities.max(1) < 0.5)[0])
    top3 = [CLASS_NAMES[i] for i in np.argsort(probabilities[unsure])[::-1][:3]]
    at = page_test("photo", model="mlp")
    at.file_uploader(key="upload").set_value(("unsure.png", raw_png(images[unsure]), "image/png")).run()
    assert not at.exception
    warning = at.warning[0].value
    assert "not sure" in warning and all(name in warning for name in top3)
    assert any("only choose among these 10 classes" in c.value for c in at.caption)


def test_sure_answer_has_no_warning(test_split):
    at = page_test("photo", model="mlp")
    at.file_uploader(key="upload").set_value(("boot.png", raw_png(test_split[0][0]), "image/png")).run()
    assert not at.warning


def test_heatmap_has_a_text_alternative(test_split):
    at = page_test("photo", model="mlp")
    at.file_uploader(key="upload").set_value(("boot.png", raw_png(test_split[0][0]), "image/png")).run()
    alts = [img.alt for image in at.image for img in image.proto.imgs if img.alt.startswith("Heatmap")]
    assert len(alts) == 1 and "The model looked" in alts[0]


def test_feature_map_region_summary_in_words():
    assert feature_map.region_summary(np.array([], int)).startswith("**No images in this region.**")
    assert feature_map.region_summary(np.array([1, 1, 9])) == "**3 images in the region**: 2 Trouser, 1 Ankle boot"
    coords = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    assert feature_map.in_region(coords, {"x": [1.5, 0.5], "y": [0.5, 2.5]}).tolist() == [1]


def test_glossary_explains_every_word_the_brief_names():
    words = ["epoch", "learning rate", "hidden units", "parameters", "overfitting"]
    words += ["occlusion", "gradient", "principal axis", "variance"]
    assert set(words) <= set(glossary.TERMS)
    assert all(f"**{word.capitalize()}**" in glossary.as_markdown() for word in words)


def test_glossary_is_in_the_sidebar_on_every_page():
    from tests.test_app import app_test

    at = app_test(model="mlp")
    assert not at.exception
    glossary_box = next(e for e in at.sidebar.expander if e.label.startswith("Glossary"))
    assert "**Overfitting**" in glossary_box.markdown[0].value


def test_feature_map_text_grows_with_presenter_mode():
    """Vega-Lite sizes its text in pixels: presenter mode passes its larger size, and the legend fits fewer columns."""
    for font_px, column_px in ((14, 85), (19, 115)):
        spec = feature_map.chart(font_px).to_dict()
        legend = spec["encoding"]["color"]["legend"]
        assert legend["labelFontSize"] == legend["titleFontSize"] == spec["encoding"]["x"]["axis"]["titleFontSize"] == font_px
        assert f"width / {column_px}" in legend["columns"]["expr"]
