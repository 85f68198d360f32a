"""Train: fit the classic MLP (or a small CNN) and watch the train and test curves part as it overfits.

The training runs in the shared trainer's worker process (`fmnist.trainer`), not in this page: leaving
the page does not stop it, coming back shows it, and classmates asking for the same recipe share it.
"""

from __future__ import annotations

import time

import streamlit as st

from fmnist import data, describe, plots, trainer, training
from fmnist.ui import state

TRAINING_SIZES = (1_000, 5_000, 10_000, 30_000, 60_000)
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
POLL_SECONDS = 1.0

# The recipe's controls by widget key, with their first values. Streamlit drops a widget's value when a
# run does not draw it (another page); the page keeps its own copy under KEPT and seeds the widgets from it.
CONTROLS = {
    "train-arch": "mlp", "train-epochs": 10, "train-units": 128, "train-width": 8, "train-rate": 1e-3, "train-count": 60_000,
}
KEPT = "train.controls"


def remembered(key: str) -> str:
    """The widget key, its value seeded from the page's copy when Streamlit has dropped it."""
    kept = st.session_state.setdefault(KEPT, dict(CONTROLS))
    if key not in st.session_state:
        st.session_state[key] = kept[key]
    return key


def keep(values: dict) -> None:
    st.session_state[KEPT].update(values)


def recipe_controls() -> training.Recipe:
    a, b, c = st.columns(3)
    architecture = a.radio(
        "Model", ["mlp", "cnn"], format_func={"mlp": "Classic MLP", "cnn": "Small CNN (slower)"}.get, horizontal=True,
        key=remembered("train-arch"),
    )
    epochs = a.slider("Epochs", 1, 30, key=remembered("train-epochs"))
    if architecture == "mlp":
        size = b.select_slider("Hidden units", [16, 32, 64, 128, 256, 512], key=remembered("train-units"))
    else:
        size = b.select_slider("Filters in the first layer", [4, 8, 16, 32], key=remembered("train-width"))
    rate = b.select_slider("Learning rate", LEARNING_RATES, key=remembered("train-rate"), format_func=lambda r: f"{r:g}")
    count = c.select_slider("Training images", TRAINING_SIZES, key=remembered("train-count"), format_func=lambda n: f"{n:,}")
    keep({key: st.session_state[key] for key in CONTROLS if key in st.session_state})
    st.caption("Tip for a class: few training images and many epochs make overfitting easy to see.")
    return training.Recipe(
        architecture=architecture,
        epochs=epochs,
        batch_size=32 if architecture == "mlp" else 128,
        learning_rate=rate,
        augment=False,
        hidden_units=size if architecture == "mlp" else 128,
        width=size if architecture == "cnn" else 32,
        train_images=count,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def curves(key: str, epochs: int, _history: dict) -> bytes:
    """The curves of a training (`key`) after so many epochs, drawn once for every session watching it."""
    return plots.training_curves(_history)


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


@st.fragment(run_every=POLL_SECONDS)
def live() -> None:
    """This session's training as it goes: its place in line, then the curves after each epoch."""
    ticket = state.training()
    job = ticket.job
    if not job.active:
        st.rerun()  # the whole page: the result below, and the new model in the sidebar's picker
    if job.state == trainer.Job.QUEUED:
        st.info(
            f"Your training is {ordinal(ticket.place)} in line: it starts when the trainings before it have finished.",
            icon=":material/hourglass_top:",
        )
        return
    done, total = job.epochs_done, job.recipe.epochs
    history = job.history()
    if done:
        text = f"Epoch {done}/{total}: test accuracy {history['test_accuracy'][-1]:.2%}"
    else:  # the worker's first training loads TensorFlow and the data: tens of seconds with nothing to show
        waited = time.monotonic() - (job.started_at or time.monotonic())
        text = f"Starting: loading TensorFlow and the 60,000 training images (up to a minute the first time)… {waited:.0f} s"
    st.progress(done / total, text=text)
    if done:
        st.image(curves(f"job-{job.number}", done, history), width="stretch", alt=describe.training_curves(history))


def use_trained_model() -> None:
    st.session_state.model = state.SESSION_MODEL


def page() -> None:
    st.title("Train a model live")
    if data.find_split("train") is None:
        st.warning(
            "The train split (60,000 images) is not on this machine, so live training is off. "
            + data.not_found_message("train"),
            icon=":material/database:",
        )
        return
    recipe = recipe_controls()
    ticket = state.training()
    busy = ticket is not None and ticket.job.active
    if st.button("Train", type="primary", icon=":material/play_arrow:", key="train", disabled=busy,
                 help="Your training is queued or running; its curves are below." if busy else None):
        try:
            state.start_training(recipe)
        except trainer.TrainingError as error:
            st.error(str(error), icon=":material/hourglass_disabled:")
        else:
            st.rerun()  # draw the button disabled at once
    if busy:
        live()
    elif ticket is not None and ticket.job.state == trainer.Job.FAILED:
        st.error(ticket.job.error, icon=":material/error:")
    trained = state.trained_model(state.SESSION_MODEL)
    if trained is not None:
        card = trained.card
        st.success(
            f"Your model reached {card['test_accuracy']:.2%} test accuracy in {card['training_seconds']:.0f} s of training. "
            "It is now in the model picker on every page."
        )
        st.image(curves(trained.id, card["epochs"], card["history"]), width="stretch", alt=describe.training_curves(card["history"]))
        st.button("Use it now", on_click=use_trained_model, key="use-trained")
