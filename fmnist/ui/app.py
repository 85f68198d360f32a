"""The app's frame: page config, navigation between the page functions, and the shared sidebar."""

from __future__ import annotations

import streamlit as st

from fmnist.data import DataError
from fmnist.models import ModelLoadError
from fmnist.ui import browse, draw, feature_map, model_report, photo, state, train_live


def pages() -> list:
    """Fresh Page objects for every run: a Page records whether it ran, so sessions must not share one."""
    return [
        st.Page(browse.page, title="Browse", icon=":material/grid_view:", url_path="browse", default=True),
        st.Page(draw.page, title="Draw", icon=":material/draw:", url_path="draw"),
        st.Page(photo.page, title="Photo", icon=":material/photo_camera:", url_path="photo"),
        st.Page(model_report.page, title="Model", icon=":material/analytics:", url_path="model"),
        st.Page(feature_map.page, title="Feature map", icon=":material/scatter_plot:", url_path="map"),
        st.Page(train_live.page, title="Train", icon=":material/model_training:", url_path="train"),
    ]


def main() -> None:
    st.set_page_config(page_title="Fashion-MNIST classroom", page_icon="👟", layout="wide")
    navigation = st.navigation(pages())
    state.sidebar()
    try:
        navigation.run()
    except (ModelLoadError, DataError) as error:  # a missing or broken file: say how to fix it
        st.error(str(error), icon=":material/error:")
