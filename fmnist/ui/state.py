"""What every page shares: cached loaders, the chosen model, the palette, and URL-backed settings.

One model object per process (`st.cache_resource`) serves every session; test-set predictions are
computed once per model and shared read-only (`st.cache_resource`). A model trained on the Train page is trained by the shared
trainer (`fmnist.trainer`) and lives as long as a session holds it; `trained_model` alone answers
"the shipped model or the one trained in this session?".
"""

from __future__ import annotations

import gc

import numpy as np
import streamlit as st

from fmnist import data, plots, trainer
from fmnist.config import DEFAULT_MODEL, MODEL_NAMES, MODEL_TITLES, SHIPPED_MODELS
from fmnist.models import Classifier, load_model, model_for, occlusions_of_test_split, probabilities_for_test_split

SESSION_MODEL = "session"  # the model picker's value for the model trained on the Train page in this session
TRAINING = "train.ticket"  # this session's claim on the shared trainer: its latest training and its model
MISSING_SESSION_MODEL = "model.session-missing"  # a link asked for a trained model this session does not have


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

    A full collection holds the GIL while it walks every object: ~50 ms here, ~200 ms once TensorFlow is
    imported. Streamlit ran one after every script run (`runner.postScriptGC`, now off in config.toml).
    Frozen objects are skipped; garbage made later is still collected.
    """
    gc.collect()
    gc.freeze()


def _read_only(*arrays: np.ndarray):
    for array in arrays:
        array.setflags(write=False)
    return arrays if len(arrays) > 1 else arrays[0]


# Shared, read-only arrays (`st.cache_resource`), not `st.cache_data`: that unpickled a fresh 7.8 MB copy of
# the test images for every view, ~7% of a Browse view's server time.
@st.cache_resource(show_spinner=False)
def test_split() -> tuple[np.ndarray, np.ndarray]:
    return _read_only(*data.load_test_split())


@st.cache_resource(show_spinner="Classifying the 10,000 test images…")
def shipped_test_probabilities(name: str) -> np.ndarray:
    return _read_only(probabilities_for_test_split(shipped_classifier(name), test_split()[0]))


@st.cache_resource(show_spinner=False)
def saved_occlusions(name: str):
    """A shipped model's occlusion heatmaps of the test split, saved beside it (None for any other model)."""
    if name not in SHIPPED_MODELS:
        return None
    return occlusions_of_test_split(shipped_classifier(name), test_split()[0])


def training() -> trainer.Ticket | None:
    """This session's latest training: queued, running or finished (with the model trained before it)."""
    return st.session_state.get(TRAINING)


def start_training(recipe) -> None:
    """Ask the shared trainer for this recipe; raises trainer.TrainingError (one sentence) when it cannot."""
    st.session_state[TRAINING] = trainer.shared().submit(recipe, previous=training())


def trained_model(name: str | None = None) -> trainer.TrainedModel | None:
    """Shipped model or the one trained in this session? Asked here only.

    The model trained in this session when `name` (default: the picked model) names it, by the picker's
    value or by its id (`model_key`); None for a shipped model.
    """
    ticket = training()
    model = ticket.model if ticket is not None else None
    if model is not None and (name or current_model()) in (SESSION_MODEL, model.id):
        return model
    return None


def model_key(name: str | None = None, serves: str | None = None) -> str:
    """A name to cache results of a model under, across sessions: a shipped model's name, or the trained
    model's id (sessions that trained the same recipe share it); `classifier` etc. accept it.
    `serves` ("drawing", "photo"): the model that answers for that input (`models.model_for`)."""
    trained = trained_model(name)
    return trained.id if trained is not None else model_for(name or current_model(), serves)


def available_models() -> list[str]:
    ticket = training()
    return [*MODEL_NAMES, SESSION_MODEL] if ticket is not None and ticket.model is not None else list(MODEL_NAMES)


def model_title(name: str) -> str:
    return MODEL_TITLES.get(name, "Trained in this session")


def current_model() -> str:
    return st.session_state.get("model", DEFAULT_MODEL)


def classifier(name: str | None = None, serves: str | None = None) -> Classifier:
    trained = trained_model(name)
    return trained.classifier if trained is not None else shipped_classifier(model_for(name or current_model(), serves))


def test_probabilities(name: str | None = None) -> np.ndarray:
    trained = trained_model(name)
    return trained.probabilities if trained is not None else shipped_test_probabilities(name or current_model())


def model_card(name: str | None = None) -> dict:
    trained = trained_model(name)
    return trained.card if trained is not None else shipped_classifier(name or current_model()).card


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
    if "model" not in st.session_state and st.query_params.get("model") == SESSION_MODEL and SESSION_MODEL not in models:
        st.session_state[MISSING_SESSION_MODEL] = True  # after F5 or from a shared link: say so, do not switch silently
    restore_from_url("model", lambda raw: raw if raw in models else DEFAULT_MODEL, DEFAULT_MODEL)
    if st.session_state.model not in models:
        st.session_state.model = DEFAULT_MODEL
    st.sidebar.selectbox("Model", models, key="model", format_func=model_title)
    st.query_params["model"] = st.session_state.model
    if st.session_state.get(MISSING_SESSION_MODEL) and st.session_state.model == DEFAULT_MODEL:
        st.warning(
            f"The model trained in this session is gone (a reload or a shared link starts a new session), so the pages "
            f"show the {model_title(DEFAULT_MODEL)}: train one on the Train page to use your own.",
            icon=":material/model_training:",
        )
    else:
        st.session_state.pop(MISSING_SESSION_MODEL, None)
    restore_from_url("palette", lambda raw: raw if raw in plots.PALETTES else "classic", "classic")
    st.sidebar.radio("Right / wrong colours", list(plots.PALETTES), key="palette", format_func=lambda k: plots.PALETTES[k].name)
    write_to_url({"palette": st.session_state.palette}, {"palette": "classic"})
