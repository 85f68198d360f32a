"""Model: how good the chosen model is, where it errs, how it trained, and MLP vs CNN side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from fmnist import describe, metrics, plots, selection
from fmnist.config import CLASS_NAMES
from fmnist.ui import browse, charts, state

# A model's curves do not change between views; matplotlib draws them in ~0.2 s of server time.
_training_curves = st.cache_data(plots.training_curves, show_spinner=False, max_entries=16)


@st.cache_data(show_spinner=False, max_entries=64)
def _spec(chart: str, data) -> dict:
    """The Vega-Lite spec of `charts.<chart>(data)`: Altair builds and validates a chart in ~50-100 ms of
    server time (most of this page's), and the same data always gives the same spec."""
    spec = getattr(charts, chart)(data).to_dict()
    spec.get("config", {}).pop("view", None)  # Altair's default 300 px view: Streamlit sizes the chart
    return spec


def open_in_browse(true: int, predicted: int) -> None:
    """Show the images of one confusion-matrix cell on the Browse page."""
    browse.open_view(selection.View(true=true, predicted=predicted))


def _cell_clicked() -> None:
    """Remember a clicked cell; the page opens it (switching pages is not allowed inside a callback)."""
    points = st.session_state.matrix.selection.get("cell") or []
    if points:
        st.session_state.open_cell = (CLASS_NAMES.index(points[0]["true"]), CLASS_NAMES.index(points[0]["predicted"]))


def confusion_section(summary: dict) -> None:
    st.header("Confusion matrix")
    st.caption("Rows are the true class, columns the model's answer. Click a cell to see those images.")
    if "open_cell" in st.session_state:
        open_in_browse(*st.session_state.pop("open_cell"))
    matrix = np.array(summary["confusion_matrix"])
    st.vega_lite_chart(_spec("confusion_matrix", matrix), on_select=_cell_clicked, selection_mode="cell", key="matrix", width="stretch")
    st.caption(describe.confusions(matrix))
    with st.expander("The confusion matrix as a table"):
        st.table(describe.confusion_table(matrix))  # a plain HTML table: read cell by cell, with its headers
    a, b, c = st.columns([2, 2, 1.4], vertical_alignment="bottom")
    true = a.selectbox("True class", range(10), format_func=CLASS_NAMES.__getitem__, key="cell-true", index=6)
    predicted = b.selectbox("Predicted class", range(10), format_func=CLASS_NAMES.__getitem__, key="cell-pred", index=0)
    count = summary["confusion_matrix"][true][predicted]
    if c.button(f"Show {count:,} images", key="cell-open", width="stretch"):
        open_in_browse(true, predicted)


def comparison_section() -> None:
    """The shipped models side by side, and the model trained in this session when there is one."""
    names = state.available_models()
    st.header("Classic MLP vs CNN" + (" vs yours" if len(names) > 2 else ""))
    images, labels = state.test_split()
    summaries = {state.model_title(name): metrics.summarize(labels, state.test_probabilities(name)) for name in names}
    cards = {state.model_title(name): state.model_card(name) for name in names}
    table = pd.DataFrame(
        {
            title: {
                "parameters": f"{cards[title].get('parameters', 0):,}",
                "test accuracy": f"{summaries[title]['accuracy']:.2%}",
                "epochs": str(cards[title].get("epochs", "?")),
                "training time": f"{cards[title].get('training_seconds', 0) / 60:.1f} min",
            }
            for title in summaries
        }
    ).rename_axis("measure")  # a named header cell: an empty one says nothing to a screen reader
    left, right = st.columns([1, 1.6])
    left.dataframe(table, width="stretch")
    mlp, cnn = (summaries[state.model_title(n)]["per_class_accuracy"] for n in ("mlp", "cnn"))
    deltas = pd.DataFrame({"class": list(CLASS_NAMES), "CNN − MLP (points)": [100 * (cnn[c] - mlp[c]) for c in CLASS_NAMES]})
    left.dataframe(deltas.round(1), hide_index=True, width="stretch")
    accuracies = {t: s["per_class_accuracy"] for t, s in summaries.items()}
    right.vega_lite_chart(_spec("per_class_accuracy", accuracies), width="stretch")
    right.caption(describe.per_class_comparison(accuracies))


def page() -> None:
    name = state.current_model()
    st.title(f"Model: {state.model_title(name)}")
    images, labels = state.test_split()
    summary = metrics.summarize(labels, state.test_probabilities(name))
    card = state.model_card(name)

    a, b, c, d = st.columns(4)
    a.metric("Test accuracy", f"{summary['accuracy']:.2%}")
    b.metric("Parameters", f"{card.get('parameters', state.classifier(name).num_params):,}")
    c.metric("Epochs", card.get("epochs", "?"))
    d.metric("Training time", f"{card.get('training_seconds', 0) / 60:.1f} min")

    left, right = st.columns([1, 1.3])
    with left:
        st.header("Accuracy per class")
        st.vega_lite_chart(_spec("per_class_accuracy", {state.model_title(name): summary["per_class_accuracy"]}), width="stretch")
        st.caption(describe.per_class_accuracy(summary["per_class_accuracy"]))
    with right:
        confusion_section(summary)

    history = card.get("history")
    if history and history.get("train_loss"):
        st.header("Training curves")
        st.caption("Train vs test after every epoch: where the test curve stops following the train curve, the model starts to overfit.")
        st.image(_training_curves(history), width="stretch", alt=describe.training_curves(history))
    comparison_section()
