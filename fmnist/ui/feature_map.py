"""Map: every test image placed by what the model "sees" in it; drag a rectangle to look inside."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from fmnist import features, plots
from fmnist.config import CLASS_NAMES
from fmnist.ui import state

SHOWN = 36


def compute_map(name: str) -> tuple[np.ndarray, np.ndarray]:
    """PCA coordinates of the test images for a model, and the variance each axis explains."""
    return features.pca_2d(state.classifier(name).features(state.test_split()[0]))


shipped_map = st.cache_data(show_spinner="Placing the 10,000 test images on the map…", max_entries=32)(compute_map)


def feature_map(name: str) -> tuple[np.ndarray, np.ndarray]:
    return shipped_map(state.model_key(name))  # a trained model's map is cached under its id, shared by its sessions


def chart(frame: pd.DataFrame) -> alt.Chart:
    region = alt.selection_interval(name="region")
    return (
        alt.Chart(frame)
        .mark_circle(size=12, opacity=0.6)
        .encode(
            x=alt.X("x:Q", title="first principal axis", axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("y:Q", title="second principal axis", axis=alt.Axis(labels=False, ticks=False)),
            color=alt.Color("class:N", sort=list(CLASS_NAMES), scale=alt.Scale(scheme="tableau10"), legend=alt.Legend(orient="right")),
            tooltip=["index", "class", "predicted"],
        )
        .add_params(region)
        .properties(height=560)
    )


def page() -> None:
    name = state.current_model()
    st.title("Feature map")
    st.caption(
        "Each dot is a test image, placed by the model's last hidden layer (projected to 2-D with PCA). "
        "Close dots look alike to the model. Drag a rectangle to see the images inside."
    )
    images, labels = state.test_split()
    probabilities = state.test_probabilities(name)
    coords, explained = feature_map(name)
    frame = pd.DataFrame(
        {
            "x": coords[:, 0],
            "y": coords[:, 1],
            "class": [CLASS_NAMES[i] for i in labels],
            "predicted": [CLASS_NAMES[i] for i in probabilities.argmax(1)],
            "index": np.arange(len(labels)),
        }
    )
    event = st.altair_chart(chart(frame), on_select="rerun", key="map", width="stretch")
    st.caption(f"The two axes explain {explained[0]:.0%} and {explained[1]:.0%} of the variance of the features.")
    region = (event.selection.get("region") if event else None) or {}
    if "x" not in region or "y" not in region:
        return
    (x0, x1), (y0, y1) = sorted(region["x"]), sorted(region["y"])
    inside = np.flatnonzero((coords[:, 0] >= x0) & (coords[:, 0] <= x1) & (coords[:, 1] >= y0) & (coords[:, 1] <= y1))
    counts = pd.Series([CLASS_NAMES[i] for i in labels[inside]]).value_counts()
    st.markdown(f"**{len(inside):,} images in the region**: " + ", ".join(f"{n} {c}" for c, n in counts.items()))
    if len(inside):
        palette = state.palette()
        tiles = [plots.tile_picture(images[i], probabilities[i], int(labels[i]), palette, scale=3) for i in inside[:SHOWN]]
        st.image(plots.montage(tiles, columns=12), caption=f"The first {len(tiles)} of them, with the model's probabilities", width="stretch")
