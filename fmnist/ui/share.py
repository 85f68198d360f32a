"""Joining and presenting: a QR code of the current view for a class's phones, and a presenter mode.

Presenter mode (`?present=1`, kept in the URL like every other setting) makes the text larger and
Browse's tiles fewer and bigger, for the back row of a classroom.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

import streamlit as st

from fmnist import plots

PRESENT = "present"  # the URL key
_STATE = "share.present"  # the setting itself, outside widget state so it survives every page
PRESENTER_FONT_PX = 22  # the root font size; Streamlit sizes text in rem, so everything grows with it


def presenting() -> bool:
    if _STATE not in st.session_state:
        st.session_state[_STATE] = st.query_params.get(PRESENT) == "1"
    return st.session_state[_STATE]


def scale() -> float:
    """How much larger presenter mode makes the type: for what is sized in pixels (charts, buttons)."""
    return PRESENTER_FONT_PX / 16 if presenting() else 1.0


def current_url() -> str | None:
    """The full address of what this browser shows now (page and query), less presenter mode (the class's
    phones are no projector); None before a browser has told the server its address (as under AppTest)."""
    base = st.context.url
    if not base:
        return None
    query = urlencode({key: value for key, value in st.query_params.to_dict().items() if key != PRESENT})
    return f"{base}?{query}" if query else base


def _only_this_computer(url: str) -> bool:
    return urlparse(url).hostname in ("localhost", "127.0.0.1", "::1")


@st.cache_data(show_spinner=False, max_entries=512)
def qr_image(url: str) -> str:
    """A QR code of `url` (a `data:` URI), drawn once per address for every session (a class shares a few)."""
    return plots.data_uri(plots.qr_code(url))


def control(key: str = "share") -> None:
    """A Share button: a QR code and the link of the current view, so phones open the same thing."""
    with st.popover("Share", icon=":material/qr_code_2:", key=key):
        url = current_url()
        if url is None:
            st.write("The link appears once the page is open in a browser.")
            return
        st.image(qr_image(url), width=260, alt=f"QR code of {url}")
        st.caption("Scan it to open this same view on a phone, or copy the link:")
        st.code(url, language=None, wrap_lines=True)
        if _only_this_computer(url):
            st.warning("Phones cannot open this computer's own address: open the app at its network address "
                       "(as shown by `streamlit run`) before sharing.", icon=":material/wifi_off:")


def _toggled() -> None:
    st.session_state[_STATE] = st.session_state["share.present-toggle"]


def sidebar() -> None:
    """Share and the presenter switch, drawn after the page so the QR code holds the page's own URL."""
    st.session_state["share.present-toggle"] = presenting()
    with st.sidebar:
        control()
        st.toggle("Presenter mode", key="share.present-toggle", on_change=_toggled,
                  help="Larger text and fewer, bigger images, for a projector.")
    if presenting():
        st.query_params[PRESENT] = "1"
        # Larger type, and less of Streamlit's 6rem top padding so that at 1280x720 the content starts above the
        # fold; but not under the header (3.75rem tall), which hid the Lesson's first lines at 2.5rem.
        st.html(f"<style>html {{ font-size: {PRESENTER_FONT_PX}px; }} "
                '[data-testid="stMainBlockContainer"] { padding-top: 4.25rem; }</style>')
    else:
        st.query_params.pop(PRESENT, None)
