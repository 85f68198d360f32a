"""Display pieces several pages share: the right/wrong caption and the prediction panel."""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import streamlit as st

from fmnist import explain, glossary, plots
from fmnist.config import CLASS_NAMES, IMAGE_SIZE
from fmnist.ui import priority, share, state


def caption(probabilities: np.ndarray, true_label: int | None, palette: plots.Palette) -> str:
    """Markdown "✓ Predicted NN% (True)" in the 'right' colour, or "✗ …" in the 'wrong' colour."""
    predicted = int(probabilities.argmax())
    text = f"{CLASS_NAMES[predicted]} {probabilities[predicted]:.0%}"
    if true_label is None:
        return f"**{text}**"
    right = predicted == int(true_label)
    mark, colour = ("✓", palette.right_md) if right else ("✗", palette.wrong_md)
    return f":{colour}[{mark} {text} ({CLASS_NAMES[int(true_label)]})]"


def tile_source(image: np.ndarray, probabilities: np.ndarray, true_label: int, palette: plots.Palette, scale: int = 4) -> str:
    """A grid tile as a `data:` URI (~2 KB of PNG), drawn once for every session that shows it.

    Inside the page's own message a tile needs no HTTP request of its own: a page of 24 tiles as media
    files cost the server more in serving the 24 requests than in running the script.
    """
    return _tile_source(image.tobytes(), probabilities.astype(np.float32).tobytes(), int(true_label), palette, scale)


# Not st.cache_data: its hasher took ~0.6 ms a tile (most of it for the palette), 15 ms of a 24-tile page;
# a tuple of bytes hashes in microseconds. One cache per process, shared by every session, like st.cache_resource.
@functools.lru_cache(maxsize=4096)
def _tile_source(image: bytes, probabilities: bytes, true_label: int, palette: plots.Palette, scale: int) -> str:
    picture = plots.tile_picture(
        np.frombuffer(image, np.uint8).reshape(IMAGE_SIZE, IMAGE_SIZE), np.frombuffer(probabilities, np.float32),
        true_label, palette, scale=scale,
    )
    return plots.data_uri(picture)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_explanation(model_name: str, image_bytes: bytes, target: int, method: str) -> np.ndarray:
    image = np.frombuffer(image_bytes, np.uint8).reshape(28, 28)
    saved = state.saved_occlusions(model_name) if method == "occlusion" else None
    heatmap = saved.heatmap(image, target) if saved is not None else None
    if heatmap is not None:
        return heatmap
    priority.after_answers()  # a class uploading at once sees its answers first
    return explain.explain(state.classifier(model_name), image, target, method)


def explanation(image: np.ndarray, probabilities: np.ndarray, key: str, serves: str | None = None) -> None:
    """A heatmap of what drove the prediction, with a colour key, a guide to reading it and where it lies in words.

    `serves` ("drawing", "photo") explains with the model that answered for that input (see `state.classifier`).

    The controls and the picture sit side by side where the box is wide and stack where it is narrow,
    so no label is ever cut.
    """
    with st.container(border=True):
        st.markdown("**Why?**")
        with st.container(horizontal=True, wrap=True, gap="medium"):
            with st.container(width=240):
                method = st.segmented_control(
                    "Method", explain.METHODS, default="occlusion", required=True, key=f"{key}-method",
                    format_func=str.capitalize, help=f"{glossary.tip('occlusion')}\n\n{glossary.tip('gradient')}",
                )
                # Keyed by the image too: a new image (Next, a stroke) explains its own answer, not the class picked before.
                target = st.selectbox(
                    "Explain the class", range(len(CLASS_NAMES)), index=int(probabilities.argmax()),
                    key=f"{key}-target-{hashlib.blake2b(image.tobytes(), digest_size=8).hexdigest()}",
                    format_func=lambda i: f"{CLASS_NAMES[i]} ({probabilities[i]:.0%})",
                )
                if method == "gradient":  # gradients need the Keras model, and so TensorFlow
                    state.load_tensorflow()
                heatmap = _cached_explanation(state.model_key(serves=serves), image.tobytes(), target, method)
                where = explain.describe_heatmap(heatmap, image)
                st.caption(explain.GUIDE[method])
                st.caption(where)
            st.image(plots.data_uri(plots.heatmap_with_key(image, heatmap)), width=252, alt=f"Heatmap for {CLASS_NAMES[target]}: {where}")


def answer(
    image: np.ndarray, probabilities: np.ndarray, true_label: int | None = None, serves: str | None = None, seen_note: str | None = None
) -> None:
    """The prediction in words with how sure the model is, what the model sees and the 10 bars.

    For a drawing or a photo (no known label) it also says, honestly, when the model is not sure and
    that it can only pick one of its 10 classes, whatever the picture shows. With `serves` ("drawing",
    "photo") it names the model that answered: the picked model fine-tuned for that input, where one is shipped.
    `seen_note` says, under the model's picture, how it differs from what was given (a mirrored drawing).
    """
    palette = state.palette()
    st.markdown(f"## {caption(probabilities, true_label, palette)}")
    if true_label is None:
        note = explain.confidence_note(probabilities)
        if note is not None:
            level, sentence = note
            st.warning(sentence, icon=":material/help:" if level == "unsure" else ":material/report:")
    top3 = np.argsort(probabilities)[::-1][:3]
    st.markdown("Top 3: " + " · ".join(f"{CLASS_NAMES[i]} **{probabilities[i]:.1%}**" for i in top3))
    # The chart keeps its own width beside the picture, or wraps under it where the column is narrower:
    # shrunk into a third of a column, its class names would fall under 14 px at 1280x720.
    with st.container(horizontal=True, wrap=True, vertical_alignment="center"):
        note = "" if seen_note is None else f", {seen_note}"
        seen = "The 28×28 picture the model sees" + ("" if true_label is None else f": a {CLASS_NAMES[int(true_label)]}") + note
        width = round(160 * share.scale())  # on a projector, not the smallest thing in the dialog
        st.image(plots.data_uri(plots.enlarge(image)), caption=f"What the model sees (28×28){note}", width=width, alt=seen)
        st.image(
            plots.data_uri(plots.probability_chart(probabilities, true_label, palette)), width=plots.CHART_WIDTH,
            alt=plots.describe_chart(probabilities, true_label),
        )
    if true_label is None:
        st.caption(
            "The model can only choose among these 10 classes: anything else (a cup, a face) still gets one of "
            "their names, sometimes with high confidence."
        )
    if serves is not None:
        st.caption(f"Answered by: {state.model_title(state.model_key(serves=serves))}")


def prediction_panel(image: np.ndarray, probabilities: np.ndarray, true_label: int | None = None, key: str = "panel") -> None:
    """The answer beside the explanation of why (wide enough for the heatmap beside its controls)."""
    left, right = st.columns(2)
    with left:
        answer(image, probabilities, true_label)
    with right:
        explanation(image, probabilities, key)
