"""Inside the network: the numbers come from the served models, the pictures show them, the page renders them."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fmnist import imaging, inside, plots
from fmnist.config import CLASS_NAMES
from fmnist.engines import agreement, agrees, twin_path
from fmnist.models import model_path
from fmnist.ui import widgets
from tests.test_app import TIMEOUT, page_test, png_of, run_page
from tests.test_drawings import T_SHIRT, outline_canvas
from tests.test_models import run_in_fresh_python


@pytest.fixture(scope="module")
def networks():
    return {name: inside.Network(twin_path(model_path(name))) for name in ("mlp", "cnn", "cnn_real")}


# --- the classic MLP in NumPy -------------------------------------------------------------------------


def test_numpy_forward_pass_is_the_served_mlp(networks, classifiers, test_split):
    images, _ = test_split
    hidden, probabilities = inside.mlp_forward(networks["mlp"].dense, images)
    assert agrees(*agreement(probabilities, classifiers["mlp"].predict(images)))  # |Δ| ≤ 1e-4, same class for all 10,000
    assert np.abs(hidden - classifiers["mlp"].features(images)).max() < 1e-4
    assert hidden.shape == (10_000, 128) and (hidden >= 0).all()


def test_each_unit_picture_holds_the_weight_of_each_pixel(networks):
    """One lit pixel at (row, column) makes each hidden unit fire relu(bias + its picture at (row, column))."""
    mlp = networks["mlp"]
    pictures = inside.unit_pictures(mlp.dense[0])
    assert pictures.shape == (128, 28, 28)
    for row, column in [(0, 0), (7, 19), (20, 3), (27, 27)]:
        image = np.zeros((28, 28), np.uint8)
        image[row, column] = 255
        expected = np.maximum(mlp.dense[0].bias + pictures[:, row, column], 0)
        np.testing.assert_allclose(mlp.look(image).features, expected, atol=1e-5)


def test_the_unit_grid_shows_every_unit_in_order(networks):
    hidden = networks["mlp"].dense[0]
    grid = np.asarray(inside.unit_grid(hidden, columns=16, scale=2))
    assert grid.shape == (8 * 57 - 1, 16 * 57 - 1, 3)  # 8 rows of 16 pictures of 56 px, 1 px apart
    colours = inside.weight_colours(inside.unit_pictures(hidden))
    for unit in (0, 37, 127):
        y, x = (unit // 16) * 57, (unit % 16) * 57
        np.testing.assert_array_equal(grid[y : y + 56 : 2, x : x + 56 : 2], colours[unit])
    assert "128 hidden units" in inside.describe_unit_grid(hidden)


def test_top_images_really_excite_their_unit_most(networks, classifiers, test_split):
    images, labels = test_split
    top = inside.top_images(inside.many_features(networks["mlp"], classifiers["mlp"], images))  # as the page finds them
    hidden = classifiers["mlp"].features(images)  # the served model's hidden activations
    assert top.shape == (128, inside.TOP_IMAGES)
    for unit in range(128):
        chosen = hidden[top[unit], unit]
        assert (np.diff(chosen) <= 1e-4).all()  # strongest first
        assert chosen.min() >= np.delete(hidden[:, unit], top[unit]).max() - 1e-4  # no other image excites it more
    busiest = int(hidden.max(0).argmax())
    assert describe_counts(inside.describe_top_images(top[busiest], labels, f"unit {busiest}")) == inside.TOP_IMAGES


def describe_counts(sentence: str) -> int:
    """The number of images a describe_top_images sentence counts, class by class."""
    return sum(int(part.split()[0]) for part in sentence.split(": ", 1)[1].rstrip(".").split(", "))


# --- the CNN's feature maps -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cnn", "cnn_real"])
def test_cnn_feature_maps_have_each_blocks_shape(networks, classifiers, test_split, name):
    network = networks[name]
    images, _ = test_split
    seen = network.look(images[0])
    assert {block: [conv.shape for conv in convs] for block, convs in network.blocks().items()} == {
        1: [(28, 28, 32)],
        2: [(14, 14, 64), (14, 14, 64)],
        3: [(7, 7, 128), (7, 7, 128)],
    }  # models.build_cnn: one conv at 28×28, two at 14×14, two at 7×7
    assert [m.shape for m in seen.maps] == [conv.shape for conv in network.convs]
    assert all((m >= 0).all() and m.max() > 0 for m in seen.maps)  # after ReLU, and alive
    # The same run's features and probabilities are the served model's.
    np.testing.assert_allclose(seen.features, classifiers[name].features(images[0])[0], atol=1e-4)
    np.testing.assert_allclose(seen.probabilities, classifiers[name].predict(images[0])[0], atol=1e-4)


def test_feature_maps_are_maps_of_the_image(networks, test_split):
    """A shifted item shifts the first block's maps with it; a black image gives flat maps."""
    cnn = networks["cnn"]
    image = test_split[0][0]
    shifted = np.zeros_like(image)
    shifted[:, 3:] = image[:, :-3]
    original, moved = cnn.look(image).maps[0], cnn.look(shifted).maps[0]
    np.testing.assert_allclose(moved[:, 4:-1], original[:, 1:-4], atol=1e-5)
    assert np.abs(moved - original).max() > 1
    blank = cnn.look(np.zeros((28, 28), np.uint8)).maps[0]
    assert np.ptp(blank, axis=(0, 1)).max() < 1e-6


def test_map_grid_and_words(networks, test_split):
    cnn = networks["cnn"]
    seen = cnn.look(test_split[0][0])
    assert inside.map_grid(seen.maps[0]).size == (8 * 58 - 2, 4 * 58 - 2)  # 32 maps, 8 a row, 2× with 2 px gaps
    assert inside.map_grid(seen.maps[4]).size == (16 * 44 - 2, 8 * 44 - 2)  # 128 maps of 7×7 at 6×
    words = inside.describe_maps(cnn.convs[1], seen.maps[1])
    assert words.startswith("Block 2, convolution 2: its 64 feature maps of 14×14")


def test_contributions_add_up_to_the_logits(networks, test_split):
    """Feature × weight, summed with the bias, is the logit the softmax gets: the bars' colours are honest."""
    for name in ("mlp", "cnn"):
        network = networks[name]
        seen = network.look(test_split[0][3])
        output = network.output_layer
        logits = np.array([inside.contributions(seen.features, output, c).sum() + output.bias[c] for c in range(10)])
        np.testing.assert_allclose(inside.softmax(logits), seen.probabilities, atol=1e-4)


# --- the page ---------------------------------------------------------------------------------------


def alt_texts(at) -> list[str]:
    return [img.alt or img.caption for image in at.image for img in image.proto.imgs]


def test_page_for_a_test_image_from_the_url(test_split, classifiers):
    images, labels = test_split
    at = page_test("inside", model="mlp", idx="42")
    assert not at.exception
    assert at.number_input(key="inside.idx").value == 42
    heading = next(m.value for m in at.markdown if m.value.startswith("## "))
    assert heading.endswith(f"({CLASS_NAMES[labels[42]]})]")  # the answer for test image 42, with its true class
    assert [s.value for s in at.subheader] == ["The 128 hidden units"]
    assert all(alt_texts(at)) and len(at.image) >= 2 + 1 + 1 + 12 + 1  # answer, bars, unit, top 12, grid
    strongest = int(classifiers["mlp"].features(images[42])[0].argmax())
    assert at.selectbox(key="inside.unit-128").value == strongest  # the unit firing most is picked first
    at.selectbox(key="inside.unit-128").set_value(7).run()
    assert any(text.startswith("Unit 7's 784 incoming weights") for text in alt_texts(at))
    at.button(key="inside.top-0").click().run()  # look inside the image that excites unit 7 most
    top = inside.top_images(classifiers["mlp"].features(images))[7, 0]
    assert at.number_input(key="inside.idx").value == top and at.query_params["idx"] == str(top)


def test_page_for_a_drawing_uses_the_draw_pages_model(monkeypatch, classifiers):
    from fmnist.ui import draw

    canvas = outline_canvas(T_SHIRT)
    monkeypatch.setattr(draw, "canvas", lambda: canvas)  # the seam: a browser component AppTest cannot draw on
    at = AppTest.from_function(run_page, args=("inside",), default_timeout=TIMEOUT)
    at.query_params.update(model="cnn", idx="9")
    at.session_state["inside.source"] = "draw"
    at.run()
    assert not at.exception and "idx" not in at.query_params
    image = imaging.drawing_to_input(canvas).image
    expected = classifiers["cnn_real"].predict(image)[0]  # with the CNN picked, drawings go to cnn_real, as on Draw
    heading = next(m.value for m in at.markdown if m.value.startswith("## "))
    assert heading == f"## {widgets.caption(expected, None, plots.CLASSIC)}"
    assert [s.value for s in at.subheader] == ["Feature maps, block by block", "The 256 features feeding the softmax"]


def test_page_for_a_photo_and_a_bad_upload(test_split):
    at = page_test("inside", model="mlp")
    at.segmented_control(key="inside.source").set_value("photo").run()
    at.file_uploader(key="upload").set_value(("bad.png", b"just some text", "image/png")).run()
    assert at.error and at.error[0].value.startswith("Your file")  # the Photo page's sentence, no traceback
    assert not at.exception and not at.subheader
    at.file_uploader(key="upload").set_value(("bag.png", png_of(test_split[0][30]), "image/png")).run()
    assert not at.exception and not at.error and [s.value for s in at.subheader] == ["The 128 hidden units"]


def test_a_changed_model_changes_the_page():
    at = page_test("inside", model="cnn", idx="3")
    captions = [c for image in at.image for c in image.captions if c.startswith("Convolution")]
    assert captions == [f"Convolution {n}: {c} feature maps" for n, c in enumerate((32, 64, 64, 128, 128), 1)]
    assert at.selectbox(key="inside.unit-256").label == "Feature to look at"
    at.sidebar.selectbox(key="model").set_value("mlp").run()
    assert [s.value for s in at.subheader] == ["The 128 hidden units"]
    assert not [c for image in at.image for c in image.captions if c.startswith("Convolution")]
    assert at.number_input(key="inside.idx").value == 3  # the same image, now inside the other model


def test_cnn_top_images_come_when_asked(test_split, classifiers):
    images, _ = test_split
    at = page_test("inside", model="cnn", idx="11")
    assert not [b for b in at.button if b.key and b.key.startswith("inside.top-")]  # not yet: ~1 s for a CNN
    at.button(key="inside.find").click().run()
    feature = at.selectbox(key="inside.unit-256").value
    shown = [int(b.label[1:]) for b in at.button if b.key and b.key.startswith("inside.top-")]
    assert len(shown) == inside.TOP_IMAGES and not at.exception
    values = classifiers["cnn"].features(images[shown])[:, feature]
    assert (np.diff(values) <= 1e-4).all() and values.min() >= classifiers["cnn"].features(images[11])[0, feature] - 1e-4
    at.selectbox(key="inside.unit-256").set_value(5).run()  # asked once: every feature shows its images
    assert len([b for b in at.button if b.key and b.key.startswith("inside.top-")]) == inside.TOP_IMAGES


def test_the_page_never_imports_tensorflow():
    code = (
        "import sys\n"
        "from tests.test_app import page_test\n"
        "for model in ('mlp', 'cnn'):\n"
        "    at = page_test('inside', model=model, idx='1')\n"
        "    assert not at.exception, at.exception\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    assert run_in_fresh_python(code).strip().splitlines()[-1] == "[]"
