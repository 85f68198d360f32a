"""Every page through Streamlit's AppTest: the real script, the real models, no browser."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from fmnist.config import CLASS_NAMES, MODEL_TITLES, PHOTO_MODEL, PROJECT_ROOT

APP = str(PROJECT_ROOT / "streamlit_app.py")
TIMEOUT = 120


def run_page(module: str) -> None:
    """A one-page script: the shared sidebar, then the page function (as app.main does)."""
    import importlib

    from fmnist.ui import state

    state.sidebar()
    importlib.import_module(f"fmnist.ui.{module}").page()


def page_test(module: str, **query) -> AppTest:
    at = AppTest.from_function(run_page, args=(module,), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def app_test(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def tile_captions(at: AppTest) -> list[str]:
    """The grid's captions (each tile's caption is the button that opens its detail view)."""
    return [b.label for b in at.button if b.key and b.key.startswith("tile-")]


def detail_caption(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("## "))


@pytest.mark.parametrize("module", ["browse", "draw", "photo", "model_report", "feature_map", "train_live", "inside", "lesson", "quiz"])
def test_every_page_renders(module):
    at = page_test(module, model="mlp")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value


def test_app_opens_on_browse_with_cnn_by_default():
    at = app_test()
    assert not at.exception
    assert at.title[0].value == "Browse the test set"
    assert at.sidebar.selectbox(key="model").value == "cnn"
    assert len(tile_captions(at)) == 24


def test_filter_by_true_class_shows_only_that_class():
    at = page_test("browse", model="mlp")
    at.selectbox(key="browse.true").set_value(CLASS_NAMES.index("Shirt")).run()
    captions = tile_captions(at)
    assert captions and all(c.endswith("(Shirt)]") for c in captions)
    assert at.query_params["true"] == "Shirt"
    assert "1,000 Shirts" in at.markdown[0].value


def test_only_mistakes_shows_only_red_captions():
    at = page_test("browse", model="mlp")
    at.toggle(key="browse.only_mistakes").set_value(True).run()
    captions = tile_captions(at)
    assert len(captions) == 24 and all(c.startswith(":red[✗") for c in captions)
    assert "misclassified" in at.markdown[0].value


def test_url_restores_the_view():
    at = page_test("browse", model="mlp", true="Shirt", wrong="1", page="2", idx="123")
    assert at.selectbox(key="browse.true").value == CLASS_NAMES.index("Shirt")
    assert at.toggle(key="browse.only_mistakes").value is True
    assert at.number_input(key="browse.page").value == 2
    assert any(s.value == "Test image #123" for s in at.subheader)
    assert detail_caption(at).endswith("(Ankle boot)]")  # test image 123 is an ankle boot
    captions = tile_captions(at)
    assert len(captions) == 24 and all(c.startswith(":red[✗") and c.endswith("(Shirt)]") for c in captions)


def test_bad_url_values_fall_back_to_defaults():
    at = page_test("browse", model="nonsense", true="Spaceship", page="-4", idx="99999")
    assert not at.exception
    assert at.sidebar.selectbox(key="model").value == "cnn"
    assert at.selectbox(key="browse.true").value is None  # all classes
    assert at.number_input(key="browse.page").value == 1


def test_palette_setting_changes_caption_colours():
    at = page_test("browse", model="mlp", palette="safe")
    at.toggle(key="browse.only_mistakes").set_value(True).run()
    assert all(c.startswith(":orange[✗") for c in tile_captions(at))


def png_of(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).resize((112, 112), Image.NEAREST).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_png_is_predicted_as_its_label(test_split):
    images, labels = test_split
    at = page_test("photo")
    at.file_uploader(key="upload").set_value(("boot.png", png_of(images[0]), "image/png")).run()
    assert not at.exception and not at.error
    assert any(CLASS_NAMES[labels[0]] in m.value and m.value.startswith("## ") for m in at.markdown)


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty"), (b"just some text", "not an image"), (png_of(np.zeros((28, 28), np.uint8))[:60], "damaged")],
)
def test_bad_upload_shows_one_clear_sentence(content, message):
    at = page_test("photo")
    at.file_uploader(key="upload").set_value(("bad.png", content, "image/png")).run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value


def test_example_photo_is_classified():
    at = page_test("photo", model="mlp")
    at.segmented_control(key="source").set_value("example").run()
    at.button(key="example-1").click().run()  # the trousers
    assert not at.exception
    assert any(m.value.startswith("## :green[✓ Trouser") for m in at.markdown)  # right, and the true class named
    captions = [c for image in at.image for c in image.captions]
    assert "28×28 model input" in captions  # the conversion steps are shown …
    assert "The item found (the rest dimmed)" in captions  # … with the segmentation, so a wrong crop is visible
    assert "Answered by: Classic MLP" in [c.value for c in at.caption]  # no MLP is fine-tuned for photos: the MLP answers itself


def test_photo_names_the_model_that_answered_it():
    at = page_test("photo")  # the CNN picked: photos go to the CNN fine-tuned on real photos
    at.segmented_control(key="source").set_value("example").run()
    at.button(key="example-1").click().run()
    assert not at.exception
    assert f"Answered by: {MODEL_TITLES[PHOTO_MODEL]}" in [c.value for c in at.caption]
    assert any(m.value.startswith("## :green[✓ Trouser") for m in at.markdown)


def test_train_page_trains_and_offers_the_model(train_split):
    at = page_test("train_live", model="mlp")
    at.select_slider(key="train-count").set_value(1_000)
    at.slider(key="train-epochs").set_value(2)
    at.button(key="train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ticket = at.session_state["train.ticket"]  # trained by the shared trainer's worker process
    assert ticket.job.wait(180) and ticket.job.state == "done", ticket.job.error
    at.run()
    card = ticket.model.card
    assert len(card["history"]["test_accuracy"]) == 2 and card["test_accuracy"] > 0.5
    assert any("test accuracy" in s.value for s in at.success)
    assert "Trained in this session" in at.sidebar.selectbox(key="model").options
    at.button(key="use-trained").click().run()
    assert at.sidebar.selectbox(key="model").value == "session" and at.query_params["model"] == "session"


def run_model_page_in_navigation() -> None:
    """The Model page first, with Browse beside it, so switching pages can be followed."""
    import streamlit as st

    from fmnist.ui import browse, model_report, state

    navigation = st.navigation([st.Page(model_report.page, url_path="model", default=True), st.Page(browse.page, url_path="browse")])
    state.sidebar()
    navigation.run()


def test_model_page_cell_opens_browse_filtered():
    at = AppTest.from_function(run_model_page_in_navigation, default_timeout=TIMEOUT)
    at.query_params["model"] = "mlp"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.label == "Test accuracy" for m in at.metric)
    at.selectbox(key="cell-true").set_value(6)
    at.selectbox(key="cell-pred").set_value(0).run()
    at.button(key="cell-open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Browse the test set"
    captions = tile_captions(at)
    assert captions and all(c.startswith(":red[✗ T-shirt/top") and c.endswith("(Shirt)]") for c in captions)


def test_detail_view_switches_to_a_gradient_heatmap():
    from fmnist import explain

    at = page_test("browse", model="cnn", idx="5")
    assert any(c.value == explain.GUIDE["occlusion"] for c in at.caption)
    at.segmented_control[0].set_value("gradient").run()  # loads TensorFlow for the Keras model
    assert not at.exception
    assert any(c.value == explain.GUIDE["gradient"] for c in at.caption)
