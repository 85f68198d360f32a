"""Browse: the test split as a grid of predictions, filtered and paged, with a detail dialog; all in the URL.

The view (filters, page, open image) is one `selection.View` kept in the session under `browse.view`, not in
widget state: Streamlit forgets a widget's state after a run that did not draw it, so filters kept there
were lost on a visit to another page. Widgets are keyed `browse.*` and copy the view each run.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from fmnist import plots, selection
from fmnist.config import CLASS_NAMES
from fmnist.ui import inside, share, state, widgets

VIEW = "browse.view"
TILE_WIDTH = 112  # px, the tile picture's own size: three fit the 358 px a 390 px phone leaves for content
PRESENTER_TILE_WIDTH = 224
PRESENTER_TILES_PER_PAGE = 12


# --- the view: one object, in the session and in the URL ------------------------------------------


def view() -> selection.View:
    """This session's Browse view: read from the URL the first time, then kept across pages."""
    if VIEW not in st.session_state:
        st.session_state[VIEW] = selection.View.from_query(st.query_params)
    return st.session_state[VIEW]


def update_view(**changes) -> selection.View:
    st.session_state[VIEW] = dataclasses.replace(view(), **changes)
    return st.session_state[VIEW]


def write_view_to_url() -> None:
    query = view().to_query()
    for key in selection.URL_KEYS:
        if key in query:
            st.query_params[key] = query[key]
        else:
            st.query_params.pop(key, None)


def open_view(new_view: selection.View) -> None:
    """Switch to Browse showing `new_view` (e.g. a confusion-matrix cell from the Model page)."""
    st.session_state[VIEW] = new_view
    settings = {key: st.query_params[key] for key in ("model", "palette", share.PRESENT) if key in st.query_params}
    st.switch_page(st.Page(page, url_path="browse"), query_params={**settings, **new_view.to_query()})


def tiles_per_page() -> int:
    per_page = view().per_page
    return min(per_page, PRESENTER_TILES_PER_PAGE) if share.presenting() else per_page


# --- controls bound to the view ----------------------------------------------------------------------


def _changed(key: str, field: str) -> None:
    """A control changed: copy it into the view; a new filter starts again at page 1."""
    changes = {field: st.session_state[key]}
    if field != "page":
        changes["page"] = 1
    update_view(**changes)


def _bound(field: str, suffix: str = "") -> dict:
    """Keyword arguments that make a widget show and edit one field of the view."""
    key = f"browse.{field}{suffix}"
    st.session_state[key] = getattr(view(), field)
    return {"key": key, "on_change": _changed, "args": (key, field)}


def _class_name(index: int | None) -> str:
    return "All classes" if index is None else CLASS_NAMES[index]


def filters() -> None:
    """The filters, folded into a popover so a phone's first screen shows images, not controls."""
    current = view()
    active = sum([current.true is not None, current.predicted is not None, current.only_mistakes, current.least_sure_first])
    classes = [None, *range(len(CLASS_NAMES))]
    with st.popover(f"Filters ({active})" if active else "Filters", icon=":material/filter_list:"):
        # None is "All classes", but Streamlit shows its placeholder for a None value: so say it there too.
        st.selectbox("True class", classes, format_func=_class_name, placeholder=_class_name(None), **_bound("true"))
        st.selectbox("Predicted class", classes, format_func=_class_name, placeholder=_class_name(None), **_bound("predicted"))
        st.toggle("Only mistakes", **_bound("only_mistakes"))
        st.toggle("Least sure first", **_bound("least_sure_first"))
        st.selectbox("Tiles per page", selection.TILES_PER_PAGE, **_bound("per_page"))


def page_control(pages: int, suffix: str = "") -> None:
    st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, width=150, **_bound("page", suffix))


def colour_key() -> None:
    """Say once what the tiles' colours mean (a 15-year-old should not have to guess)."""
    palette = state.palette()
    st.markdown(
        f"Under each image, the model's 10 answers as bars: :blue[**blue**] is the true class, "
        f":{palette.wrong_md}[**{'orange' if palette.wrong_md == 'orange' else 'red'}**] a wrong guess. "
        f"A ✗ caption names the true class in brackets: :{palette.wrong_md}[✗ T-shirt/top 60% (Shirt)] is a Shirt "
        "the model took for a T-shirt/top."
    )


# --- the grid and the detail dialog ------------------------------------------------------------------


def _open(index: int | None) -> None:
    update_view(idx=index)


def _step(index: int, indices) -> None:
    """Next / Previous in the dialog; the grid behind follows to the page holding the image."""
    update_view(idx=index, page=selection.page_containing(indices, index, tiles_per_page(), view().page))


@st.dialog("Detail view", width="large", on_dismiss=lambda: _open(None))
def detail(indices, images, labels, probabilities) -> None:
    """The open image, where the user is looking; Esc, the ✕ or a click outside closes it."""
    write_view_to_url()  # Next and Previous rerun only this dialog: the URL (and the Share QR) follows here
    index = view().idx
    previous, following, position = selection.neighbours(indices, index)
    with st.container(horizontal=True, wrap=True, vertical_alignment="center", gap="small"):
        st.subheader(f"Test image #{index}", width="content")
        st.caption(f"{position:,} of {len(indices):,} in this selection" if position else "Not in this selection")
    with st.container(horizontal=True, wrap=True, vertical_alignment="center", gap="small"):
        st.button("Previous", icon=":material/chevron_left:", key="browse.previous", disabled=previous is None,
                  on_click=_step, args=(previous, indices))
        st.button("Next", icon=":material/chevron_right:", key="browse.next", disabled=following is None,
                  on_click=_step, args=(following, indices))
        share.control(key="browse.detail-share")
        st.page_link(st.Page(inside.page, url_path="inside"), label="Inside the network", icon=":material/neurology:",
                     query_params={"idx": str(index)})
    widgets.prediction_panel(images[index], probabilities[index], int(labels[index]), key="detail")


def grid(indices, images, labels, probabilities) -> None:
    """Fixed-width tiles that wrap: six or seven a row on a laptop, three on a phone (st.columns stacks)."""
    palette = state.palette()
    presenting = share.presenting()
    width, scale = (PRESENTER_TILE_WIDTH, 8) if presenting else (TILE_WIDTH, 4)
    with st.container(horizontal=True, wrap=True, gap=None, key="browse-grid"):
        for index in indices:
            with st.container(width=width, gap="xxsmall"):
                truth = int(labels[index])
                st.image(
                    widgets.tile_source(images[index], probabilities[index], truth, palette, scale),
                    width="stretch", alt=plots.describe_tile(probabilities[index], truth),
                )
                # The caption is the button: clicking it opens the detail view (two elements a tile, not three).
                st.button(
                    widgets.caption(probabilities[index], truth, palette),
                    key=f"tile-{index}", on_click=_open, args=(int(index),), type="tertiary", wrap=True,
                )


def page() -> None:
    st.title("Browse the test set")
    images, labels = state.test_split()
    probabilities = state.test_probabilities()
    current = view()
    indices = selection.select(labels, probabilities, current.filters)
    per_page = tiles_per_page()
    pages = selection.page_count(len(indices), per_page)
    current = update_view(page=selection.clamp_page(current.page, len(indices), per_page))
    write_view_to_url()

    with st.container(horizontal=True, wrap=True, vertical_alignment="bottom"):
        filters()
        page_control(pages)
    st.markdown(selection.summary(labels, probabilities, current.filters, len(indices)))
    colour_key()
    if current.idx is not None:
        detail(indices, images, labels, probabilities)
    if len(indices) == 0:
        st.info("No test image matches these filters.")
        return
    grid(selection.page_of(indices, current.page, per_page), images, labels, probabilities)
    with st.container(horizontal=True, wrap=True, vertical_alignment="bottom"):
        page_control(pages, "-bottom")
        st.caption(f"Showing {min(per_page, len(indices)):,} of {len(indices):,} matching images per page.")
