"""Display pieces several pages share: the right/wrong caption and the prediction panel."""

from __future__ import annotations

import numpy as np
import streamlit as st

from fmnist import explain, plots
from fmnist.config import CLASS_NAMES
from fmnist.ui import state


def caption(probabilities: np.ndarray, true_label: int | None, palette: plots.Palette) -> str:
    """Markdown "✓ Predicted NN% (True)" in the 'right' colour, or "✗ …" in the 'wrong' colour."""
    predicted = int(probabilities.argmax())
    text = f"{CLASS_NAMES[predicted]} {probabilities[predicted]:.0%}"
    if true_label is None:
        return f"**{text}**"
    right = predicted == int(true_label)
    mark, colour = ("✓", palette.right_md) if right else ("✗", palette.wrong_md)
    return f":{colour}[{mark} {text} ({CLASS_NAMES[int(true_label)]})]"


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_explanation(model_name: str, image_bytes: bytes, target: int, method: str) -> np.ndarray:
    image = np.frombuffer(image_bytes, np.uint8).reshape(28, 28)
    return explain.explain(state.classifier(model_name), image, target, method)


def explanation(image: np.ndarray, probabilities: np.ndarray, key: str) -> None:
    """A heatmap of what drove the prediction, with a one-line guide to reading it."""
    with st.container(border=True):
        st.markdown("**Why?**")
        method = st.segmented_control(
            "Method", explain.METHODS, default="occlusion", required=True, key=f"{key}-method",
            format_func=str.capitalize, label_visibility="collapsed",
        )
        target = st.selectbox(
            "Explain the class", range(len(CLASS_NAMES)), index=int(probabilities.argmax()), key=f"{key}-target",
            format_func=lambda i: f"{CLASS_NAMES[i]} ({probabilities[i]:.0%})",
        )
        model = state.current_model()
        if method == "gradient":  # gradients need the Keras model, and so TensorFlow
            state.load_tensorflow()
        if model == state.SESSION_MODEL:  # not cacheable across sessions
            heatmap = explain.explain(state.classifier(), image, target, method)
        else:
            heatmap = _cached_explanation(model, image.tobytes(), target, method)
        st.image(plots.heatmap_overlay(image, heatmap), width="stretch")
        st.caption(explain.GUIDE[method])


def prediction_panel(image: np.ndarray, probabilities: np.ndarray, true_label: int | None = None, key: str = "panel") -> None:
    """The model input, the prediction with its confidence, the bar chart, top-3 and the explanation."""
    palette = state.palette()
    predicted = int(probabilities.argmax())
    left, middle, right = st.columns([1, 2, 1.2])
    with left:
        st.image(plots.enlarge(image), caption="What the model sees (28×28)", width="stretch")
    with middle:
        st.markdown(f"### {caption(probabilities, true_label, palette)}")
        st.image(plots.probability_chart(probabilities, true_label, palette), width="stretch")
        top3 = np.argsort(probabilities)[::-1][:3]
        st.markdown("Top 3: " + " · ".join(f"{CLASS_NAMES[i]} **{probabilities[i]:.1%}**" for i in top3))
        if true_label is None:
            st.caption(f"Confidence {probabilities[predicted]:.1%}.")
    with right:
        explanation(image, probabilities, key)
