"""Inside: what the picked model computes for one image, a test image, a drawing or a photo.

The classic MLP shows its hidden units: how strongly each fires for this image, what each looks for (its
784 incoming weights as a 28×28 picture) and the test images that excite one unit most. The CNN shows
the feature maps of each convolution block, then the features feeding its softmax. Everything comes from
the model's LiteRT twin (`fmnist.inside`), cached per model and image; no TensorFlow.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from fmnist import imaging, inside, plots
from fmnist.config import CLASS_NAMES
from fmnist.engines import fresh_twin
from fmnist.ui import draw, photo, state, widgets

SOURCES = {"test": "Test image", "draw": "Draw", "photo": "Photo"}
SOURCE = "inside.source"
IDX = "inside.idx"  # the test image shown, `?idx=N` in the URL
TEST_IMAGES = 10_000


# --- cached computations: per model (its cache key, see state.model_key) and per image ----------------


@st.cache_resource(show_spinner=False, max_entries=8)
def network(key: str) -> inside.Network | None:
    """The model's LiteRT twin opened to look inside, or None when the model is served without a twin."""
    classifier = state.classifier(key)
    twin = fresh_twin(classifier.model_file, classifier.card) if classifier.model_file else None
    return inside.Network(twin) if twin is not None else None


@st.cache_data(show_spinner=False, max_entries=64)  # a CNN's look holds ~250 KB of maps
def look(key: str, image_bytes: bytes) -> inside.Look:
    return network(key).look(np.frombuffer(image_bytes, np.uint8))


@st.cache_data(show_spinner=False, max_entries=64)
def map_pictures(key: str, image_bytes: bytes) -> list[tuple[str, str]]:
    """Each convolution's feature maps as a picture (`plots.data_uri`), with its description."""
    convs, maps = network(key).convs, look(key, image_bytes).maps
    return [(plots.data_uri(inside.map_grid(m)), inside.describe_maps(conv, m)) for conv, m in zip(convs, maps)]


@st.cache_data(show_spinner=False, max_entries=256)
def features_chart(key: str, image_bytes: bytes, selected: int) -> str:
    seen = look(key, image_bytes)
    toward = inside.contributions(seen.features, network(key).output_layer, int(seen.probabilities.argmax()))
    return plots.data_uri(inside.features_chart(seen.features, toward, selected))


@st.cache_data(show_spinner=False, max_entries=16)
def unit_grid(key: str) -> str:
    return plots.data_uri(inside.unit_grid(network(key).dense[0]))


@st.cache_data(show_spinner=False, max_entries=256)
def unit_picture(key: str, unit: int) -> str:
    return plots.data_uri(inside.unit_picture(network(key).dense[0], unit))


@st.cache_data(show_spinner="Running the 10,000 test images through the model (once)…", max_entries=16)
def strongest_images(key: str) -> np.ndarray:
    """For each unit, the 12 test images that excite it most."""
    return inside.top_images(inside.many_features(network(key), state.classifier(key), state.test_split()[0]))


# --- the image --------------------------------------------------------------------------------------


def _show_test_image(index: int) -> None:
    st.session_state[IDX] = index
    st.session_state[SOURCE] = "test"


def _ask(flag: str) -> None:
    st.session_state[flag] = True


def test_image() -> tuple[np.ndarray, int]:
    """A test image picked by its number, kept in the URL (`?idx=N`) so a link opens it."""
    if IDX not in st.session_state:
        try:
            st.session_state[IDX] = min(max(int(st.query_params.get("idx", 0)), 0), TEST_IMAGES - 1)
        except ValueError:
            st.session_state[IDX] = 0
    index = st.number_input("Test image number (0–9,999)", min_value=0, max_value=TEST_IMAGES - 1, step=1, key=IDX)
    state.write_to_url({"idx": index}, {"idx": 0})
    images, labels = state.test_split()
    return images[index], int(labels[index])


def chosen_image() -> tuple[np.ndarray | None, int | None, str | None]:
    """The image to look inside, its true class when known, and what kind of input it is (for
    `state.model_key(serves=…)`): a drawing is answered by the model the Draw page uses."""
    st.session_state.setdefault(SOURCE, "test")  # a seeded state, not default=: a top image's button sets it too
    source = st.segmented_control("Image", list(SOURCES), format_func=SOURCES.get, required=True, key=SOURCE)
    if source != "test":
        st.query_params.pop("idx", None)
    if source == "test":
        image, label = test_image()
        return image, label, None
    if source == "draw":
        conversion = imaging.drawing_to_input(draw.canvas())
        if conversion is None:
            st.info("Draw something on the black square to look inside the model.")
            return None, None, None
        if conversion.mirrored:
            st.caption(f":material/flip: The model sees your drawing {draw.MIRRORED}.")
        return conversion.image, None, "drawing"
    picture, _ = photo.picture_source("upload")
    if picture is None:
        st.info("Upload a photo of a piece of clothing, a shoe or a bag.")
        return None, None, None
    try:
        conversion = imaging.convert(picture)
    except imaging.ImageError as error:
        st.error(str(error), icon=":material/block:")
        return None, None, None
    return conversion.image, None, "photo"


# --- the views ----------------------------------------------------------------------------------------


def pick_unit(seen: inside.Look, name: str) -> int:
    """A unit to look at closely: at first the one firing most for this image."""
    values = seen.features
    return st.selectbox(
        f"{name} to look at", range(len(values)), index=int(values.argmax()), key=f"inside.unit-{len(values)}", width=360,
        format_func=lambda unit: f"{name} {unit}: {values[unit]:.2f} for this image",
    )


def features(key: str, seen: inside.Look, image_bytes: bytes, unit: int, what: str) -> None:
    """The bars of the features feeding the softmax, the picked unit in blue."""
    predicted = int(seen.probabilities.argmax())
    toward = inside.contributions(seen.features, network(key).output_layer, predicted)
    st.image(features_chart(key, image_bytes, unit), alt=inside.describe_features(seen.features, toward, predicted, what))
    st.caption(
        f"One bar per {what[:-1]}, its height how strongly it fires for this image. **Orange**: it pushes the answer "
        f"toward {CLASS_NAMES[predicted]} (its value times its weight to that class is positive); **gray**: it does not; "
        f"**blue**: the one picked above."
    )


def strongest_test_images(key: str, unit: int, name: str, on_request: bool = False) -> None:
    """The test images that excite the unit most; a click looks inside one of them.

    `on_request`: only once asked in this session, as finding them costs a CNN ~1 s (its features of all
    10,000 test images, once per model and process), over a view's 300 ms budget; the MLP's take ~20 ms.
    """
    asked = f"inside.find-{key}"
    if on_request and not st.session_state.get(asked):
        st.button(f"Find the test images that excite each {name.lower()} most", key="inside.find", icon=":material/search:",
                  on_click=_ask, args=(asked,),
                  help="Runs the 10,000 test images through the model once (about a second).")
        return
    indices = strongest_images(key)[unit]
    images, labels = state.test_split()
    st.markdown(f"**{inside.describe_top_images(indices, labels, f'{name.lower()} {unit}')}**")
    with st.container(horizontal=True, wrap=True, gap="small"):
        for rank, index in enumerate(indices):
            with st.container(width=84, gap="xxsmall"):
                label = CLASS_NAMES[int(labels[index])]
                st.image(plots.data_uri(plots.enlarge(images[index], 3)), width="stretch", alt=f"Test image {index}: {label}")
                st.button(f"#{index}", key=f"inside.top-{rank}", on_click=_show_test_image, args=(int(index),), type="tertiary",
                          help=f"Look inside test image {index}")


def hidden_units(key: str, net: inside.Network, seen: inside.Look, image_bytes: bytes) -> None:
    """The MLP: its hidden units for this image, one unit closely, and what every unit looks for."""
    hidden = net.dense[0]
    units = hidden.weights.shape[1]
    st.subheader(f"The {units} hidden units")
    st.caption(
        "Each hidden unit multiplies the 784 pixels by its own 784 weights, adds them up with its bias, and passes the sum "
        "on if it is positive (ReLU). The 10 output units do the same with these values; the softmax makes them probabilities."
    )
    unit = pick_unit(seen, "Unit")
    features(key, seen, image_bytes, unit, "hidden units")
    with st.container(horizontal=True, wrap=True, gap="large"):
        with st.container(width=200):
            st.image(unit_picture(key, unit), width=168, alt=inside.describe_unit(hidden, unit))
            st.caption(f"What unit {unit} looks for: its weights. Orange: ink there excites it; purple: ink there holds it back.")
        with st.container(width="stretch"):
            strongest_test_images(key, unit, "Unit")
    st.markdown(f"**What each of the {units} hidden units looks for**")
    st.image(unit_grid(key), alt=inside.describe_unit_grid(hidden))
    st.caption(
        "Units read left to right, 16 a row (unit 0 top left). A picture of pure noise is a unit that fires for none of the "
        "10,000 test images: training never changed its weights."
    )


def convolution_blocks(key: str, net: inside.Network, seen: inside.Look, image_bytes: bytes) -> None:
    """The CNN: every convolution's feature maps, block by block, then its features feeding the softmax."""
    st.subheader("Feature maps, block by block")
    st.caption(
        "Each convolution slides small 3×3 filters over its input; each filter makes one feature map, bright where it "
        "finds its pattern. A block ends with max pooling, which halves the size: early maps show edges, later ones parts."
    )
    pictures = map_pictures(key, image_bytes)
    for block, convs in net.blocks().items():
        height, width, _ = convs[0].shape
        st.markdown(f"**Block {block}** ({height}×{width})")
        with st.container(horizontal=True, wrap=True, gap="medium"):
            for conv in convs:
                picture, description = pictures[conv.number - 1]
                st.image(picture, caption=f"Convolution {conv.number}: {conv.shape[2]} feature maps", alt=description)
    st.subheader(f"The {len(seen.features)} features feeding the softmax")
    st.caption(
        "The last block's maps, flattened, go through a dense layer: these values. "
        "The softmax weighs them into the 10 probabilities."
    )
    unit = pick_unit(seen, "Feature")
    features(key, seen, image_bytes, unit, "features")
    strongest_test_images(key, unit, "Feature", on_request=True)


def page() -> None:
    st.title("Inside the network")
    st.caption("What the model computes between the 784 pixels and its answer, for one image.")
    with st.container(horizontal=True, wrap=True, gap="large"):
        with st.container(width=draw.CANVAS_SIZE, key="inside-image"):
            image, true_label, serves = chosen_image()
        if image is None:
            return
        key = state.model_key(serves=serves)
        try:
            net = network(key)
        except inside.InsideError as error:
            st.info(str(error), icon=":material/info:")
            return
        if net is None:
            st.info(f"This model has no LiteRT twin to look inside; write it with: python -m fmnist twin --model {key}")
            return
        image_bytes = image.tobytes()
        seen = look(key, image_bytes)
        with st.container(width="stretch", key="inside-answer"):
            widgets.answer(image, seen.probabilities, true_label)
    if net.kind == "mlp":
        hidden_units(key, net, seen, image_bytes)
    else:
        convolution_blocks(key, net, seen, image_bytes)
