"""Browse: the test split as a grid of predictions, filtered and paged, with a detail view; all in the URL."""

from __future__ import annotations

import streamlit as st

from fmnist import plots, selection
from fmnist.config import CLASS_NAMES
from fmnist.ui import state, widgets

ALL = "All classes"
TILES_PER_PAGE = (12, 24, 48)
DEFAULTS = {"true": ALL, "pred": ALL, "wrong": False, "sort": False, "per": 24, "page": 1, "idx": None}
COLUMNS = 6


def _class_or_all(raw: str) -> str:
    if raw not in CLASS_NAMES:
        raise ValueError(raw)
    return raw


def _restore_view() -> None:
    state.restore_from_url("true", _class_or_all, ALL)
    state.restore_from_url("pred", _class_or_all, ALL)
    state.restore_from_url("wrong", lambda raw: raw == "1", False)
    state.restore_from_url("sort", lambda raw: raw == "confidence", False)
    state.restore_from_url("per", lambda raw: int(raw) if int(raw) in TILES_PER_PAGE else 24, 24)
    state.restore_from_url("page", lambda raw: max(1, int(raw)), 1)
    state.restore_from_url("idx", lambda raw: int(raw) if 0 <= int(raw) < 10_000 else None, None)


def _filters() -> selection.Filters:
    return selection.Filters(
        true=None if st.session_state.true == ALL else CLASS_NAMES.index(st.session_state.true),
        predicted=None if st.session_state.pred == ALL else CLASS_NAMES.index(st.session_state.pred),
        only_mistakes=st.session_state.wrong,
        least_sure_first=st.session_state.sort,
    )


def _first_page() -> None:
    st.session_state.page = 1


def _open(index: int | None) -> None:
    st.session_state.idx = index


def controls() -> None:
    options = [ALL, *CLASS_NAMES]
    a, b, c, d, e = st.columns([2, 2, 1.2, 1.6, 1.2], vertical_alignment="bottom")
    a.selectbox("True class", options, key="true", on_change=_first_page)
    b.selectbox("Predicted class", options, key="pred", on_change=_first_page)
    c.toggle("Only mistakes", key="wrong", on_change=_first_page)
    d.toggle("Least sure first", key="sort", on_change=_first_page)
    e.selectbox("Tiles per page", TILES_PER_PAGE, key="per", on_change=_first_page)


def detail(index: int, images, labels, probabilities) -> None:
    with st.container(border=True):
        title, close = st.columns([6, 1])
        title.subheader(f"Test image #{index}")
        close.button("Close ✕", key="close-detail", on_click=_open, args=(None,))
        widgets.prediction_panel(images[index], probabilities[index], int(labels[index]), key="detail")


def grid(indices, images, labels, probabilities) -> None:
    palette = state.palette()
    for start in range(0, len(indices), COLUMNS):
        for column, index in zip(st.columns(COLUMNS), indices[start : start + COLUMNS]):
            with column:
                st.image(plots.tile_picture(images[index], probabilities[index], int(labels[index]), palette), width="stretch")
                # The caption is the button: clicking it opens the detail view (two elements a tile, not three).
                st.button(
                    widgets.caption(probabilities[index], int(labels[index]), palette),
                    key=f"tile-{index}", on_click=_open, args=(int(index),), type="tertiary", wrap=True,
                )


def page() -> None:
    st.title("Browse the test set")
    _restore_view()
    images, labels = state.test_split()
    probabilities = state.test_probabilities()

    controls()
    filters = _filters()
    indices = selection.select(labels, probabilities, filters)
    st.markdown(selection.summary(labels, probabilities, filters, len(indices)))

    per_page = st.session_state.per
    pages = selection.page_count(len(indices), per_page)
    st.session_state.page = selection.clamp_page(st.session_state.page, len(indices), per_page)
    state.write_to_url(
        {
            "true": st.session_state.true,
            "pred": st.session_state.pred,
            "wrong": st.session_state.wrong,
            "sort": "confidence" if st.session_state.sort else False,
            "per": per_page,
            "page": st.session_state.page,
            "idx": st.session_state.idx,
        },
        DEFAULTS,
    )

    if st.session_state.idx is not None:
        detail(st.session_state.idx, images, labels, probabilities)
    if len(indices) == 0:
        st.info("No test image matches these filters.")
        return
    grid(selection.page_of(indices, st.session_state.page, per_page), images, labels, probabilities)
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, key="page")
    right.caption(f"Showing {min(per_page, len(indices)):,} of {len(indices):,} matching images per page.")
