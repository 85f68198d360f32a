"""Photo: upload or take a picture of a real item, see each conversion step, then the prediction."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

from fmnist import imaging, renderings
from fmnist.config import CLASS_NAMES
from fmnist.ui import priority, state, widgets

IMAGE_TYPES = ["png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff"]
SOURCES = {"upload": ":material/upload: Upload a photo", "camera": ":material/photo_camera: Take a photo", "example": ":material/science: Try an example"}
EXAMPLE_CLASSES = (0, 1, 3, 5, 7, 8, 9)  # a T-shirt, trousers, a dress, a sandal, a sneaker, a bag, a boot


@st.cache_data(show_spinner=False)
def example_photos() -> list[tuple[str, bytes]]:
    """A few test items rendered as phone photos (dark on light paper, off-centre, JPEG), made once."""
    images, labels = state.test_split()
    rng = np.random.default_rng(7)
    examples = []
    for label in EXAMPLE_CLASSES:
        item = images[int(np.flatnonzero(labels == label)[3])]
        buffer = io.BytesIO()
        renderings.render_photo(item, rng, size=320).save(buffer, format="JPEG", quality=90)
        examples.append((CLASS_NAMES[label], buffer.getvalue()))
    return examples


def _choose_example(index: int) -> None:
    st.session_state.example = index


def picture_source(source: str) -> tuple[object | None, int | None]:
    """The picture the user gave (an uploaded file, a camera shot or an example's bytes) and its class if
    known (an example's), or (None, None).

    Examples do not show their class: the class guesses first, and the answer then names the true class.
    """
    if source == "upload":
        return st.file_uploader("Photo of a piece of clothing, a shoe or a bag", type=IMAGE_TYPES, key="upload"), None
    if source == "camera":
        return st.camera_input("Hold the item in front of a plain background", key="camera"), None
    examples = example_photos()
    st.caption("Guess what each example shows, then press **Try**: the answer names the real class.")
    with st.container(horizontal=True, wrap=True, gap="small"):
        for index, (_, picture) in enumerate(examples):
            with st.container(width=74, gap="small"):  # four a row on a 390 px phone (1 rem gaps)
                st.image(picture, width="stretch", alt=f"Example photo {index + 1}: guess what it shows")
                st.button(f"Try {index + 1}", key=f"example-{index}", on_click=_choose_example, args=(index,), width="stretch")
    chosen = st.session_state.get("example")
    return (None, None) if chosen is None else (examples[chosen][1], EXAMPLE_CLASSES[chosen])


def steps(conversion: imaging.Conversion) -> None:
    """The pipeline's pictures, under the answer (on a phone the answer comes first), open but foldable."""
    with st.expander("How your photo became the model's 28×28 input", expanded=True, icon=":material/route:"):
        with st.container(horizontal=True, wrap=True):
            for number, (title, picture) in enumerate(conversion.steps, 1):
                with st.container(width=130):
                    alt = f"Step {number} of {len(conversion.steps)}: {title}"
                    st.image(picture, caption=title, width="stretch", clamp=True, alt=alt)


def page() -> None:
    st.title("Classify a photo")
    st.caption("Best results: one item (one shoe, seen from the side), flat or hanging, on a plain background that contrasts with it.")
    # The answer sits beside the picture, so it is on screen without scrolling; the steps that made the
    # model's input come under both, so where the columns stack (a phone) the answer still comes first.
    source = st.segmented_control("Source", list(SOURCES), format_func=SOURCES.get, default="upload", required=True, key="source")
    given, result = st.columns(2, gap="large")
    with given:
        picture, true_label = picture_source(source)
    if picture is None:
        result.info("Upload a photo, take one, or try an example.")
        return
    with priority.answering():
        try:
            conversion = imaging.convert(picture)
        except imaging.ImageError as error:
            result.error(str(error), icon=":material/block:")
            return
        probabilities = state.classifier(serves="photo").predict(conversion.image)[0]
        with result:
            widgets.answer(conversion.image, probabilities, true_label, serves="photo")
    steps(conversion)
    widgets.explanation(conversion.image, probabilities, key="photo", serves="photo")
