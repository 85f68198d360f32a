"""Map: every test image placed by what the model "sees" in it; drag a rectangle to look inside."""

from __future__ import annotations

import functools

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from fmnist import glossary
from fmnist.config import CLASS_NAMES
from fmnist.models import map_of_test_split
from fmnist.ui import share, state, widgets

SHOWN = 24
FONT_PX = 14  # the chart's axis titles and legend


def compute_map(name: str) -> tuple[np.ndarray, np.ndarray]:
    """PCA coordinates of the test images for a model, and the variance each axis explains."""
    return map_of_test_split(state.classifier(name), state.test_split()[0])


cached_map = st.cache_data(show_spinner="Placing the 10,000 test images on the map…", max_entries=32)(compute_map)


def feature_map(name: str) -> tuple[np.ndarray, np.ndarray]:
    return cached_map(state.model_key(name))  # a trained model's map is cached under its id, shared by its sessions


@st.cache_resource(show_spinner=False, max_entries=32)
def _dots(key: str) -> pd.DataFrame:
    """The chart's 10,000 rows for a model (`model_key`), built once and shared read-only: built on every view
    they cost ~8 ms, and as strings and float64 they sent 530 KB of Arrow a view (now 120 KB)."""
    coords, _ = cached_map(key)
    labels = state.test_split()[1]
    classes = pd.CategoricalDtype(CLASS_NAMES)
    return pd.DataFrame(
        {
            "x": coords[:, 0].astype(np.float32),
            "y": coords[:, 1].astype(np.float32),
            "class": pd.Categorical.from_codes(labels, dtype=classes),
            "predicted": pd.Categorical.from_codes(state.test_probabilities(key).argmax(1), dtype=classes),
            "index": np.arange(len(labels), dtype=np.int32),
        }
    )


@functools.cache
def _spec(font_px: int) -> dict:
    """The chart's Vega-Lite spec, without its data: Altair builds and validates it in ~35 ms, the same every view."""
    spec = chart(font_px).to_dict()
    spec.get("config", {}).pop("view", None)  # Altair's default 300 px view: Streamlit sizes the chart
    for placeholder in ("data", "datasets"):  # Altair's stand-in for a chart without data: the dots come apart
        spec.pop(placeholder)
    return spec


def chart(font_px: int = FONT_PX) -> alt.Chart:
    """The dots, coloured by true class: drag to select a region, click to pick one dot. Vega-Lite sizes its text in
    pixels, so presenter mode's larger type (rem) passes its own `font_px`."""
    region = alt.selection_interval(name="region")
    dot = alt.selection_point(name="dot", fields=["index"], on="click", nearest=True, clear="dblclick")
    return (
        alt.Chart()
        .mark_circle(size=14, opacity=0.6)
        .encode(
            x=alt.X("x:Q", title="first principal axis", axis=alt.Axis(labels=False, ticks=False, titleFontSize=font_px)),
            y=alt.Y("y:Q", title="second principal axis", axis=alt.Axis(labels=False, ticks=False, titleFontSize=font_px)),
            color=alt.Color(
                "class:N", sort=list(CLASS_NAMES), scale=alt.Scale(scheme="tableau10"),
                # As many columns as the chart's width holds (~85 px each at 14 px), at most 5 (one row of 5 at 1280):
                # a fixed 5 cut "Coat" and "Ankle boot" off on a phone. labelLimit 0: names are never clipped.
                legend=alt.Legend(
                    orient="bottom", columns=alt.ExprRef(f"clamp(floor(width / {round(font_px * 85 / 14)}), 1, 5)"),
                    labelLimit=0, labelFontSize=font_px, titleFontSize=font_px,
                ),
            ),
            tooltip=["index:Q", "class:N", "predicted:N"],
        )
        .add_params(region, dot)
        .properties(height=480)
    )


def in_region(coords: np.ndarray, region: dict) -> np.ndarray:
    """Indices of the points inside a chart's interval selection ({"x": [a, b], "y": [c, d]})."""
    (x0, x1), (y0, y1) = sorted(region["x"]), sorted(region["y"])
    return np.flatnonzero((coords[:, 0] >= x0) & (coords[:, 0] <= x1) & (coords[:, 1] >= y0) & (coords[:, 1] <= y1))


def region_summary(labels: np.ndarray) -> str:
    """How many images a region holds and of which classes, in words; an empty region says so."""
    if len(labels) == 0:
        return "**No images in this region.** Drag a rectangle over some dots."
    counts = pd.Series([CLASS_NAMES[i] for i in labels]).value_counts()
    return f"**{len(labels):,} images in the region**: " + ", ".join(f"{n} {c}" for c, n in counts.items())


def browse_link(index: int) -> str:
    """The Browse page with this test image's detail open, for the current model."""
    return f"/?model={state.current_model()}&idx={int(index)}"


def thumbnails(indices: np.ndarray, images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray, width: int = 72) -> None:
    """Each image with its class name; a click opens it in Browse."""
    palette = state.palette()
    with st.container(horizontal=True, wrap=True, gap="small"):
        for i in indices:
            name = CLASS_NAMES[int(labels[i])]
            st.image(
                widgets.tile_source(images[i], probabilities[i], int(labels[i]), palette, scale=3), caption=name, width=width,
                link=browse_link(i), alt=f"Test image {i}: {name}, predicted {CLASS_NAMES[int(probabilities[i].argmax())]}",
            )


def page() -> None:
    name = state.current_model()
    st.title("Feature map")
    st.caption(
        "Each dot is a test image, placed by the model's last hidden layer (projected to 2-D with PCA). "
        "Close dots look alike to the model. Drag a rectangle to see the images inside, or click a dot."
    )
    images, labels = state.test_split()
    probabilities = state.test_probabilities(name)
    coords, explained = feature_map(name)
    map_column, result_column = st.columns([3, 2], gap="medium")
    with map_column:
        event = st.vega_lite_chart(_dots(state.model_key(name)), _spec(round(FONT_PX * share.scale())), on_select="rerun", key="map", width="stretch")
        st.caption(
            f"The two axes explain {explained[0]:.0%} and {explained[1]:.0%} of the variance of the features.",
            help=f"{glossary.tip('principal axis')}\n\n{glossary.tip('variance')}",
        )
    selection = event.selection if event else {}
    region = selection.get("region") or {}
    dots = selection.get("dot") or []
    with result_column:
        # A drag also ends in a click, which picks a dot: the region wins.
        if "x" in region and "y" in region:
            inside = in_region(coords, region)
            st.markdown(region_summary(labels[inside]))
            if len(inside):
                st.caption(f"The first {min(len(inside), SHOWN)} of them, with the model's probabilities; click one to open it.")
                thumbnails(inside[:SHOWN], images, labels, probabilities)
        elif dots and "index" in dots[0]:
            index = int(dots[0]["index"])
            predicted = CLASS_NAMES[int(probabilities[index].argmax())]
            st.markdown(f"**Test image #{index}**: {CLASS_NAMES[int(labels[index])]}, predicted {predicted}")
            thumbnails(np.array([index]), images, labels, probabilities, width=140)
            st.markdown(f"[:material/open_in_new: Open test image #{index} in Browse]({browse_link(index)})")
        else:
            st.info("Drag a rectangle over the dots to see the images inside, or click a dot to see its image.")
