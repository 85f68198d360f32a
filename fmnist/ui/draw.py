"""Draw: sketch an item with a bright brush on black, as the dataset looks, and watch the prediction."""

from __future__ import annotations

import streamlit as st

from fmnist import imaging
from fmnist.ui import state, widgets

CANVAS_SIZE = 280


def _clear() -> None:
    st.session_state.canvas_version = st.session_state.get("canvas_version", 0) + 1


def page() -> None:
    # The component registers itself on import, which needs a running Streamlit; so import here.
    from streamlit_drawable_canvas import st_canvas

    st.title("Draw an item")
    st.caption("Draw a piece of clothing, a shoe or a bag. Bright on black, like the dataset; the model updates as you draw.")
    canvas_column, result_column = st.columns([1, 2.4])
    with canvas_column:
        brush = st.slider("Brush size", 4, 40, 18)
        drawing = st_canvas(
            stroke_width=brush,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=CANVAS_SIZE,
            width=CANVAS_SIZE,
            drawing_mode="freedraw",
            return_image_data=True,
            key=f"canvas-{st.session_state.get('canvas_version', 0)}",
        )
        st.button("Clear", on_click=_clear, icon=":material/ink_eraser:")
    with result_column:
        conversion = imaging.drawing_to_input(drawing.image_data if drawing is not None else None)
        if conversion is None:
            st.info("Draw something on the black square to see what the model thinks it is.")
            return
        probabilities = state.classifier().predict(conversion.image)[0]
        widgets.prediction_panel(conversion.image, probabilities, key="draw")
