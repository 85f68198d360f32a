"""Draw: sketch an item with a bright brush on black, as the dataset looks, and watch the prediction."""

from __future__ import annotations

import streamlit as st

from fmnist import imaging
from fmnist.ui import state, widgets

CANVAS_SIZE = 280
TIP = (
    ":material/lightbulb: What works best: one item, in the middle, as big as the square. "
    "Outlines and filled-in shapes both work."
)
# Said where the flipped picture is: a drawing clearly heavier on its left (a shoe pointing right) is mirrored.
MIRRORED = "mirrored: every shoe in the dataset points left"


def _clear() -> None:
    st.session_state.canvas_version = st.session_state.get("canvas_version", 0) + 1


def canvas():
    """The black canvas with its brush size and Clear button: the RGBA pixels drawn so far, or None.

    The Draw and Inside pages both draw with it (on different pages, so their keys never meet).
    """
    # The component registers itself on import, which needs a running Streamlit; so import here.
    from streamlit_drawable_canvas import st_canvas

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
    return drawing.image_data if drawing is not None else None


def page() -> None:
    st.title("Draw an item")
    st.caption("Draw a piece of clothing, a shoe or a bag. Bright on black, like the dataset; the model updates as you draw.")
    # The canvas has a fixed size: it gets a box of exactly that width, and the answer takes the rest of
    # the row, or moves under the canvas when the row is too narrow. A column could be narrower than the
    # canvas and hide part of it (ink the model sees but the student does not).
    with st.container(horizontal=True, wrap=True, gap="large"):
        with st.container(width=CANVAS_SIZE, key="draw-canvas"):
            pixels = canvas()
            st.caption(TIP)
        with st.container(width="stretch", key="draw-answer"):
            conversion = imaging.drawing_to_input(pixels)
            if conversion is None:
                st.info("Draw something on the black square to see what the model thinks it is.")
                return
            probabilities = state.classifier(serves="drawing").predict(conversion.image)[0]
            widgets.answer(conversion.image, probabilities, serves="drawing", seen_note=MIRRORED if conversion.mirrored else None)
    widgets.explanation(conversion.image, probabilities, key="draw", serves="drawing")
