"""The app's frame: page config, navigation between the page functions, and the shared sidebar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from fmnist import glossary
from fmnist.data import DataError
from fmnist.models import ModelLoadError
from fmnist.ui import browse, draw, feature_map, inside, lesson, model_report, photo, quiz, share, state, train_live


ACCESSIBLE_CSS = Path(__file__).with_name("accessible.css")  # what the theme cannot set: code colours, focus rings, touch targets


def home() -> None:
    """The root URL opens Browse at /browse (query kept), so every page, Browse too, lives at its own path.

    Streamlit serves its default page only at "/", and /browse would answer "Page not found".
    """
    st.switch_page(st.Page(browse.page, url_path="browse"), query_params=st.query_params.to_dict())


def pages() -> list:
    """Fresh Page objects for every run: a Page records whether it ran, so sessions must not share one."""
    return [
        st.Page(home, title="Fashion-MNIST classroom", url_path="home", default=True, visibility="hidden"),
        st.Page(browse.page, title="Browse", icon=":material/grid_view:", url_path="browse"),
        st.Page(draw.page, title="Draw", icon=":material/draw:", url_path="draw"),
        st.Page(photo.page, title="Photo", icon=":material/photo_camera:", url_path="photo"),
        st.Page(model_report.page, title="Model", icon=":material/analytics:", url_path="model"),
        st.Page(feature_map.page, title="Feature map", icon=":material/scatter_plot:", url_path="map"),
        st.Page(train_live.page, title="Train", icon=":material/model_training:", url_path="train"),
        st.Page(inside.page, title="Inside", icon=":material/neurology:", url_path="inside"),
        st.Page(lesson.page, title="Lesson", icon=":material/school:", url_path="lesson"),
        st.Page(quiz.page, title="Quiz", icon=":material/quiz:", url_path="quiz"),
    ]


def main() -> None:
    st.set_page_config(
        page_title="Fashion-MNIST classroom", page_icon="👟", layout="wide",
        initial_sidebar_state="collapsed" if share.presenting() else "auto",  # a projector needs the width
    )
    st.html(ACCESSIBLE_CSS)
    navigation = st.navigation(pages())
    state.sidebar()
    with st.sidebar.expander("Glossary: the words this app uses", icon=":material/menu_book:"):
        st.markdown(glossary.as_markdown())
    try:
        navigation.run()
    except (ModelLoadError, DataError) as error:  # a missing or broken file: say how to fix it
        st.error(str(error), icon=":material/error:")
    share.sidebar()
