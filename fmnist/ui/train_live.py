"""Train: fit the classic MLP (or a small CNN) live, watching train and test curves part as it overfits."""

from __future__ import annotations

import streamlit as st

from fmnist import data, plots, training
from fmnist.ui import state

TRAINING_SIZES = (1_000, 5_000, 10_000, 30_000, 60_000)
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)


@st.cache_data(show_spinner="Reading the train split…", max_entries=1)
def train_split():
    return data.load_split("train", download=False)


def _use_session_model() -> None:
    st.session_state.model = state.SESSION_MODEL


def recipe_controls() -> tuple[training.Recipe, int]:
    a, b, c = st.columns(3)
    architecture = a.radio(
        "Model", ["mlp", "cnn"], format_func={"mlp": "Classic MLP", "cnn": "Small CNN (slower)"}.get, horizontal=True, key="train-arch"
    )
    epochs = a.slider("Epochs", 1, 30, 10, key="train-epochs")
    if architecture == "mlp":
        size = b.select_slider("Hidden units", [16, 32, 64, 128, 256, 512], value=128, key="train-units")
    else:
        size = b.select_slider("Filters in the first layer", [4, 8, 16, 32], value=8, key="train-width")
    rate = b.select_slider("Learning rate", LEARNING_RATES, value=1e-3, key="train-rate", format_func=lambda r: f"{r:g}")
    count = c.select_slider("Training images", TRAINING_SIZES, value=60_000, key="train-count", format_func=lambda n: f"{n:,}")
    st.caption("Tip for a class: few training images and many epochs make overfitting easy to see.")
    recipe = training.Recipe(
        architecture=architecture,
        epochs=epochs,
        batch_size=32 if architecture == "mlp" else 128,
        learning_rate=rate,
        augment=False,
        hidden_units=size if architecture == "mlp" else 128,
        width=size if architecture == "cnn" else 32,
    )
    return recipe, count


def run(recipe: training.Recipe, count: int) -> None:
    (x_train, y_train), test = train_split(), state.test_split()
    state.load_tensorflow()
    progress = st.progress(0.0, text="Starting…")
    curves = st.empty()
    history: dict[str, list[float]] = {key: [] for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy")}

    def on_epoch(epoch: int, logs: dict) -> None:
        for key, log_key in (("train_loss", "loss"), ("train_accuracy", "accuracy"), ("test_loss", "val_loss"), ("test_accuracy", "val_accuracy")):
            history[key].append(logs[log_key])
        progress.progress(epoch / recipe.epochs, text=f"Epoch {epoch}/{recipe.epochs}: test accuracy {logs['val_accuracy']:.2%}")
        curves.image(plots.training_curves(history), width="stretch")

    result = training.train(recipe, (x_train[:count], y_train[:count]), test, on_epoch=on_epoch)
    state.remember_session_model(result.classifier, training.model_card(result, test))
    progress.progress(1.0, text=f"Done in {result.seconds:.0f} s.")
    curves.empty()  # the final curves are drawn below, with the result


def page() -> None:
    st.title("Train a model live")
    if data.find_split("train") is None:
        st.warning(
            "The train split (60,000 images) is not on this machine, so live training is off. "
            + data.not_found_message("train"),
            icon=":material/database:",
        )
        return
    recipe, count = recipe_controls()
    if st.button("Train", type="primary", icon=":material/play_arrow:"):
        run(recipe, count)
    if state.SESSION_MODEL in st.session_state:
        card = st.session_state[state.SESSION_MODEL]["card"]
        st.success(f"Your model reached {card['test_accuracy']:.2%} test accuracy. It is now in the model picker on every page.")
        st.image(plots.training_curves(card["history"]), width="stretch")
        st.button("Use it now", on_click=_use_session_model)
