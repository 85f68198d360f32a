"""Interactive Altair charts for the Model page (matplotlib figures live in fmnist.plots)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from fmnist.config import CLASS_NAMES


def confusion_matrix(matrix: np.ndarray) -> alt.Chart:
    """A clickable heatmap: each cell is (true, predicted) with its count."""
    rows = [
        {"true": CLASS_NAMES[t], "predicted": CLASS_NAMES[p], "count": int(matrix[t, p])}
        for t in range(len(CLASS_NAMES))
        for p in range(len(CLASS_NAMES))
    ]
    frame = pd.DataFrame(rows)
    cell = alt.selection_point(name="cell", fields=["true", "predicted"])
    order = list(CLASS_NAMES)
    base = alt.Chart(frame).encode(
        x=alt.X("predicted:N", sort=order, title="predicted class"),
        y=alt.Y("true:N", sort=order, title="true class"),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues", type="symlog"), legend=None),
        tooltip=["true", "predicted", "count"],
    ).add_params(cell)
    text = base.mark_text(fontSize=12).encode(
        text="count:Q",
        color=alt.condition(alt.datum.count > matrix.max() / 2, alt.value("white"), alt.value("black")),
    )
    return (heat + text).properties(height=460)


def per_class_accuracy(accuracies: dict[str, dict[str, float]]) -> alt.Chart:
    """Grouped horizontal bars: one bar per model for each class."""
    frame = pd.DataFrame(
        [{"class": name, "model": model, "accuracy": value} for model, per_class in accuracies.items() for name, value in per_class.items()]
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("class:N", sort=list(CLASS_NAMES), title=None),
            yOffset="model:N",
            x=alt.X("accuracy:Q", scale=alt.Scale(domain=[0.5, 1.0], clamp=True), title="accuracy"),
            color=alt.Color("model:N", legend=alt.Legend(orient="bottom")),
            tooltip=["model", "class", alt.Tooltip("accuracy:Q", format=".1%")],
        )
        .properties(height=420)
    )
