"""Interactive Altair charts for the Model page (matplotlib figures live in fmnist.plots)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from fmnist.config import CLASS_NAMES

# Class names must be readable from the back of a classroom (>= 14 px at 1280x720) and dark, not light grey.
LABELS = {"labelFontSize": 15, "titleFontSize": 15, "labelColor": "#262730", "titleColor": "#262730", "labelLimit": 200}


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
        # Column names at a slant, not on end: they stay readable and fit ten columns.
        x=alt.X("predicted:N", sort=order, title="predicted class", axis=alt.Axis(labelAngle=-40, **LABELS)),
        y=alt.Y("true:N", sort=order, title="true class", axis=alt.Axis(**LABELS)),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues", type="symlog"), legend=None),
        tooltip=["true", "predicted", "count"],
    ).add_params(cell)
    text = base.mark_text(fontSize=14).encode(
        text="count:Q",
        color=alt.condition(alt.datum.count > matrix.max() / 2, alt.value("white"), alt.value("black")),
    )
    return (heat + text).properties(height=520)


def per_class_accuracy(accuracies: dict[str, dict[str, float]]) -> alt.Chart:
    """Grouped horizontal bars: one bar per model for each class."""
    frame = pd.DataFrame(
        [{"class": name, "model": model, "accuracy": value} for model, per_class in accuracies.items() for name, value in per_class.items()]
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("class:N", sort=list(CLASS_NAMES), title=None, axis=alt.Axis(**LABELS)),
            yOffset="model:N",
            # From 0: a class the model gets mostly wrong must still show a (short) bar.
            x=alt.X("accuracy:Q", scale=alt.Scale(domain=[0.0, 1.0]), title="accuracy", axis=alt.Axis(format="%", **LABELS)),
            color=alt.Color("model:N", legend=alt.Legend(orient="bottom", labelFontSize=15, labelLimit=300, title=None)),
            tooltip=["model", "class", alt.Tooltip("accuracy:Q", format=".1%")],
        )
        .properties(height=420)
    )
