"""What every page shares: cached loaders, the chosen model, the palette, and URL-backed settings.

One model object per process (`st.cache_resource`) serves every session; test-set predictions are
computed once per model (`st.cache_data`). A model trained on the Train page lives in that session only.
"""

from __future__ import annotations

import gc

import numpy as np
import streamlit as st

from fmnist import data, plots
from fmnist.config import DEFAULT_MODEL, MODEL_NAMES, MODEL_TITLES
from fmnist.models import Classifier, load_model

SESSION_MODEL = "session"  # the model trained on the Train page, in this browser session


@st.cache_resource(show_spinner="Loading the model…")
def shipped_classifier(name: str) -> Classifier:
    classifier = load_model(name)
    freeze_long_lived_objects()
    return classifier


@st.cache_resource(show_spinner="Loading TensorFlow (once)…")
def load_tensorflow() -> None:
    """Import TensorFlow, which only training and gradients need, once per process; freeze it too."""
    import tensorflow  # noqa: F401

    freeze_long_lived_objects()


def freeze_long_lived_objects() -> None:
    """Hide what lives as long as the process (modules, models) from the garbage collector.

    Streamlit runs a full collection after every script run (`runner.postScriptGC`), holding the GIL
    while it walks every object: ~50 ms here, ~200 ms once TensorFlow is imported, on every click.
    Frozen objects are skipped; garbage made later is still collected.
    """
    gc.collect()
    gc.freeze()


@st.cache_data(show_spinner=False)
def test_split() -> tuple[np.ndarray, np.ndarray]:
    return data.load_test_split()


@st.cache_data(show_spinner="Classifying the 10,000 test images…")
def shipped_test_probabilities(name: str) -> np.ndarray:
    return shipped_classifier(name).predict(test_split()[0])


def available_models() -> list[str]:
    return [*MODEL_NAMES, SESSION_MODEL] if SESSION_MODEL in st.session_state else list(MODEL_NAMES)


def model_title(name: str) -> str:
    return MODEL_TITLES.get(name, "Trained in this session")


def current_model() -> str:
    return st.session_state.get("model", DEFAULT_MODEL)


def classifier(name: str | None = None) -> Classifier:
    name = name or current_model()
    if name == SESSION_MODEL:
        return st.session_state[SESSION_MODEL]["classifier"]
    return shipped_classifier(name)


def test_probabilities(name: str | None = None) -> np.ndarray:
    name = name or current_model()
    if name == SESSION_MODEL:
        return st.session_state[SESSION_MODEL]["probabilities"]
    return shipped_test_probabilities(name)


def model_card(name: str | None = None) -> dict:
    name = name or current_model()
    if name == SESSION_MODEL:
        return st.session_state[SESSION_MODEL]["card"]
    return shipped_classifier(name).card


def remember_session_model(trained: Classifier, card: dict) -> None:
    """Keep a model trained on the Train page so every page of this session can use it."""
    st.session_state[SESSION_MODEL] = {
        "classifier": trained,
        "probabilities": trained.predict(test_split()[0]),
        "card": card,
    }


def palette() -> plots.Palette:
    return plots.PALETTES[st.session_state.get("palette", "classic")]


# --- URL-backed widgets ----------------------------------------------------------------------------


def restore_from_url(key: str, parse, default):
    """Seed a widget's state from the URL the first time this session sees it; bad values fall back."""
    if key not in st.session_state:
        raw = st.query_params.get(key)
        try:
            value = parse(raw) if raw is not None else default
        except (ValueError, KeyError, TypeError):
            value = default
        st.session_state[key] = value


def write_to_url(values: dict[str, object], defaults: dict[str, object]) -> None:
    """Put non-default values in the URL (and drop defaults), so a shared link restores the view."""
    for key, value in values.items():
        if value is None or value == defaults.get(key):
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = str(int(value) if isinstance(value, bool) else value)


def sidebar() -> None:
    """The model picker and palette setting, on every page; the model is kept in the URL."""
    models = available_models()
    restore_from_url("model", lambda raw: raw if raw in models else DEFAULT_MODEL, DEFAULT_MODEL)
    if st.session_state.model not in models:
        st.session_state.model = DEFAULT_MODEL
    st.sidebar.selectbox("Model", models, key="model", format_func=model_title)
    st.query_params["model"] = st.session_state.model
    restore_from_url("palette", lambda raw: raw if raw in plots.PALETTES else "classic", "classic")
    st.sidebar.radio("Right / wrong colours", list(plots.PALETTES), key="palette", format_func=lambda k: plots.PALETTES[k].name)
    write_to_url({"palette": st.session_state.palette}, {"palette": "classic"})
