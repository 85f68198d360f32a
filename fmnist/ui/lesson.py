"""Lesson: the classic Keras walkthrough, one step a screen: its code beside what that code gives.

Every output is computed from the real data and the shipped classic MLP (`fmnist.lesson` does the
sums); the step lives in the URL (`?step=3`), so a teacher can link one. The page takes the model as an
argument, so a test can give it another and see the numbers change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from fmnist import data, glossary, lesson, notebook, plots
from fmnist.config import CLASS_NAMES
from fmnist.ui import quiz, share, state, train_live, widgets

MODEL = "mlp"  # the lesson is the classic recipe: the sidebar's model picker does not change it
PICKER_NOTE = "The sidebar's model picker does not change this lesson."
STEP = "lesson.step"  # this page's state, apart from other pages'
NO_TRAIN_SPLIT = (
    "The Fashion-MNIST train split is not installed on this server (apt-get install dataset-fashion-mnist), "
    "so this part cannot be shown."
)


# --- cached data and pictures ----------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the 60,000 training images…")
def train_split() -> tuple[np.ndarray, np.ndarray] | None:
    """The train split, shared read-only; None when it is not installed (never downloaded by the server)."""
    try:
        images, labels = data.load_split("train", download=False)
    except data.DataError:
        return None
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


@st.cache_data(show_spinner=False, max_entries=4)
def colour_bar_picture(scaled: bool) -> str:
    image = train_split()[0][0]
    return plots.data_uri(lesson.image_with_colour_bar(image / 255.0 if scaled else image))


@st.cache_data(show_spinner=False, max_entries=8)
def model_layers(model: str) -> list[lesson.Layer]:
    return lesson.layers(state.shipped_classifier(model).model_file)


@st.cache_data(show_spinner="Classifying the 60,000 training images…", max_entries=8)
def train_accuracy(model: str) -> float:
    images, labels = train_split()
    return lesson.accuracy(state.shipped_classifier(model).predict(images), labels)


@st.cache_data(show_spinner=False, max_entries=64)
def value_array_picture(model: str, index: int, palette: str) -> str:
    images, labels = state.test_split()
    probabilities = state.shipped_classifier(model).predict(np.expand_dims(images[index], 0))[0]
    return plots.data_uri(lesson.value_array_chart(probabilities, int(labels[index]), plots.PALETTES[palette]))


@st.cache_data(show_spinner="Writing the notebook…", max_entries=1)
def notebook_file() -> bytes:
    return notebook.as_bytes()


# --- the frame: which step, Back / Next ------------------------------------------------------------


def current_step() -> int:
    """The step shown, from the URL the first time this session opens the lesson (bad values: step 1)."""
    if STEP not in st.session_state:
        st.session_state[STEP] = lesson.parse_step(st.query_params.get("step"))
    return st.session_state[STEP]


def _go(step: int) -> None:
    st.session_state[STEP] = step


def step_bar(step: int) -> None:
    with st.container(horizontal=True, wrap=True, vertical_alignment="center"):
        st.button("Back", icon=":material/arrow_back:", key="lesson.back", disabled=step == 1, on_click=_go, args=(step - 1,))
        st.button("Next", icon=":material/arrow_forward:", key="lesson.next", type="primary",
                  disabled=step == lesson.STEP_COUNT, on_click=_go, args=(step + 1,))
        st.markdown(f"**Step {step} of {lesson.STEP_COUNT}**")
        st.download_button(
            "Download as notebook", notebook_file, file_name=notebook.FILE_NAME, mime="application/x-ipynb+json",
            icon=":material/download:", on_click="ignore", key="lesson.notebook",
            help="The same eight steps as a Jupyter notebook that runs from top to bottom.",
        )


# A line of code too long for its block scrolls sideways, and a keyboard must reach it to scroll it
# (axe: scrollable-region-focusable): Streamlit's st.code gives its <pre> no tabindex, so this does, for each
# block as it appears. Installed once per browser tab.
CODE_TAKES_FOCUS = """<script>
if (!window.lessonCodeTakesFocus) {
  window.lessonCodeTakesFocus = true;
  const mark = () => document.querySelectorAll('[data-testid="stCode"] pre:not([tabindex])').forEach(pre => { pre.tabIndex = 0; });
  new MutationObserver(mark).observe(document.body, {childList: true, subtree: true});
  mark();
}
</script>"""


def beside(code: str):
    """The code on the left and, on the right, what it gives (stacked on a phone).

    Code never wraps: a wrapped line breaks the indentation a class copies, so a line too long for its
    column scrolls sideways. The code column is wide enough for step 3's model at 1280×720. In presenter
    mode the code is full width and what it gives under it: the large type leaves a column too narrow."""
    if share.presenting():
        st.code(code, language="python")
        return st.container()
    left, right = st.columns([5, 3], gap="small")
    left.code(code, language="python")
    return right


# --- the eight steps -------------------------------------------------------------------------------


def the_data(model: str) -> None:
    code = lesson.cells(1)
    test_images, _ = state.test_split()
    train = train_split()
    with beside(code[0]):
        st.code(lesson.shapes_line(train[0] if train else None, test_images), language=None)
        count = f"**{len(train[0]):,}** training images and " if train else ""
        st.markdown(f"{count}**{len(test_images):,}** test images, each {test_images.shape[1]}×{test_images.shape[2]} pixels.")
        st.markdown("The label is a number; `class_names[label]` is its name:  \n"
                    + " · ".join(f"{i} {name}" for i, name in enumerate(CLASS_NAMES)))
    if train is None:
        st.info(NO_TRAIN_SPLIT, icon=":material/info:")
        return
    image, label = train[0][0], int(train[1][0])
    with beside(code[1]):
        st.image(colour_bar_picture(False), alt=lesson.describe_colour_bar(image))
        st.markdown(f"`train_images[0]`: {lesson.a(CLASS_NAMES[label])} (label {label}); each pixel is a whole number from "
                    f"**{image.min()}** (black) to **{image.max()}** (white).")
    with beside(code[2]):
        st.markdown(f"The first {lesson.FIRST_IMAGES} training images, each with the name of its label:")
    first_images(*train)


def first_images(images, labels) -> None:
    """Step 1's grid: each training image large, its class name under it in the page's own (large) type."""
    scale = 5 if share.presenting() else 3
    with st.container(horizontal=True, wrap=True, gap="small", key="lesson-first"):
        for image, label in zip(images[: lesson.FIRST_IMAGES], labels):
            name = CLASS_NAMES[int(label)]
            with st.container(width=28 * scale + 24, gap="xxsmall"):
                st.image(plots.data_uri(plots.enlarge(image, scale)), alt=f"Training image: {lesson.a(name)}")
                st.markdown(name)


def preprocessing(model: str) -> None:
    code = lesson.cells(2)
    train = train_split()
    if train is None:
        st.code(code[0], language="python")
        st.info(NO_TRAIN_SPLIT, icon=":material/info:")
    else:
        image = train[0][0]
        with beside(code[0]):
            st.image(colour_bar_picture(True), alt=lesson.describe_colour_bar(image / 255.0))
            st.markdown(f"The same image: pixels from **{image.min()}**–**{image.max()}** now run from "
                        f"**{image.min() / 255:g}**–**{image.max() / 255:g}**. The picture looks the same; only the scale "
                        "changed.")
    st.markdown(
        "#### Train and test must be scaled the same way\n"
        "The model learns its weights for pixels between 0 and 1. A test image left at 0–255 would look 255 times "
        "brighter to it than anything it learned from, and its answers would be nonsense."
    )


def the_model(model: str) -> None:
    layers = model_layers(model)
    with beside(lesson.cells(3)[0]):
        st.dataframe(
            pd.DataFrame({
                "Layer (type)": [f"{layer.name} ({layer.kind})" for layer in layers],
                "Output shape": [lesson.format_shape(layer.output_shape) for layer in layers],
                "Param #": [f"{layer.parameters:,}" for layer in layers],
            }),
            hide_index=True, width="stretch",
        )
        st.markdown(f"### Total parameters: {lesson.total_parameters(layers):,}")
        if (worked := lesson.dense_sum(layers)) is not None:
            st.caption(f"A Dense layer has one weight for each input × unit, plus one bias per unit: {worked}.")
    diagram(layers)


# Two drawings of one diagram, the page's CSS showing one: across the page on a wide screen (scaled to its
# width), top to bottom at its own size on a phone, where across would shrink its text to ~5 px.
DIAGRAM_CSS = (
    "<style>@media (max-width: 640px) { .st-key-lesson-diagram-across { display: none; } }"
    " @media (min-width: 641px) { .st-key-lesson-diagram-down { display: none; } }</style>"
)


def diagram(layers: list[lesson.Layer]) -> None:
    st.html(DIAGRAM_CSS)
    description = lesson.describe_layers(layers)
    with st.container(key="lesson-diagram-across"):
        st.graphviz_chart(lesson.diagram(layers), alt=description, width="stretch")
    with st.container(key="lesson-diagram-down"):
        st.graphviz_chart(lesson.diagram(layers, across=False), alt=description, width="content")


def compile_step(model: str) -> None:
    _, labels = state.test_split()
    probabilities = state.shipped_test_probabilities(model)
    losses = lesson.cross_entropy(probabilities, labels)
    first = int(labels[0])
    with beside(lesson.cells(4)[0]):
        for term, name, sentence in lesson.COMPILE_TERMS:
            st.markdown(f"**{term}** (`{name}`): {sentence}")
    st.markdown(
        f"#### The loss, with real numbers\nFor test image 0 ({lesson.a(CLASS_NAMES[first])}) the trained model gives "
        f"the true class "
        f"**{probabilities[0, first]:.3f}**: its loss is −log {probabilities[0, first]:.3f} = **{losses[0]:.3f}**. "
        f"Averaged over the {len(labels):,} test images the loss is **{losses.mean():.3f}** and the accuracy "
        f"**{lesson.accuracy(probabilities, labels):.1%}**."
    )


EPOCH = "lesson.epoch"


def _next_epoch() -> None:
    st.session_state[EPOCH] += 1


def fit(model: str) -> None:
    card = state.shipped_classifier(model).card
    rows = lesson.history_rows(card)
    with beside(lesson.cells(5)[0]):
        batch, train = (card.get("recipe") or {}).get("batch_size"), train_split()
        if batch and train is not None:
            st.markdown(f"{len(train[0]):,} images in batches of {batch}: **{-(-len(train[0]) // batch):,}** corrections "
                        "of the weights per epoch.")
        if not rows:
            st.info("This model's card recorded no training history.", icon=":material/info:")
        else:
            st.markdown("The shipped model's training, replayed epoch by epoch:")
            with st.container(horizontal=True, vertical_alignment="bottom"):
                epoch = st.slider("Epoch", 1, len(rows), 1, key=EPOCH, help=glossary.tip("epoch"))
                st.button("Next epoch", icon=":material/play_arrow:", key="lesson.next-epoch", on_click=_next_epoch,
                          disabled=epoch == len(rows))
            now = rows[epoch - 1]
            before = rows[epoch - 2] if epoch > 1 else None
            with st.container(horizontal=True, wrap=True):
                for key in ("train loss", "test loss", "train accuracy", "test accuracy"):
                    delta = None if before is None or now[key] is None else f"{now[key] - before[key]:+.3f}"
                    st.metric(key.capitalize(), "–" if now[key] is None else f"{now[key]:.3f}", delta,
                              delta_color="inverse" if "loss" in key else "normal", border=True, width=170)
        st.page_link(st.Page(train_live.page, url_path="train"), label="Train one live on the Train page",
                     icon=":material/model_training:")
    if rows:
        for column, metric in zip(st.columns(2), ("accuracy", "loss")):
            column.markdown(f"**{metric.capitalize()} per epoch**, up to epoch {epoch}")
            column.vega_lite_chart(lesson.history_chart(rows, epoch, metric), width="stretch")


def evaluate(model: str) -> None:
    _, labels = state.test_split()
    test = lesson.accuracy(state.shipped_test_probabilities(model), labels)
    with beside(lesson.cells(6)[0]):
        if train_split() is None:
            st.metric("Test accuracy", f"{test:.1%}", border=True)
            st.info(NO_TRAIN_SPLIT, icon=":material/info:")
            return
        train = train_accuracy(model)
        with st.container(horizontal=True, wrap=True):
            st.metric("Train accuracy", f"{train:.1%}", border=True)
            st.metric("Test accuracy", f"{test:.1%}", f"{100 * (test - train):+.1f} points", border=True)
    st.markdown(f"#### {lesson.overfitting_sentence(train, test)}")


def predict(model: str) -> None:
    code = lesson.cells(7)
    images, labels = state.test_split()
    probabilities = state.shipped_test_probabilities(model)
    answer = int(probabilities[0].argmax())
    with beside(code[0]):
        st.code(lesson.array_repr(probabilities[0]), language=None)
        st.markdown("Ten numbers, one per class, that add up to 1: how sure the model is of each class.")
    with beside(code[1]):
        st.code(f"({answer}, '{CLASS_NAMES[answer]}', {int(labels[0])})", language=None)
        verdict = "right" if answer == int(labels[0]) else "wrong"
        st.markdown(f"The largest is number **{answer}**: **{CLASS_NAMES[answer]}**. The true label is "
                    f"**{int(labels[0])}**: the model is {verdict}.")
    with st.expander("The code that draws the grid"):
        st.code(code[2], language="python")
    grid(images, labels, probabilities)


def grid(images, labels, probabilities) -> None:
    """The notebook's first 15 test images, each with its value-array bars and a green (right) or red (wrong) caption."""
    palette = state.palette()
    scale = 6 if share.presenting() else 4
    st.caption("Under each image its 10 bars: blue the true class, red a wrong answer.")
    with st.container(horizontal=True, wrap=True, gap="medium", key="lesson-grid"):
        for i in range(lesson.GRID_ROWS * lesson.GRID_COLS):
            with st.container(width=28 * scale + 16, gap="xxsmall"):
                st.image(widgets.tile_source(images[i], probabilities[i], int(labels[i]), palette, scale=scale),
                         alt=plots.describe_tile(probabilities[i], int(labels[i])))
                st.markdown(widgets.caption(probabilities[i], int(labels[i]), palette))


def one_image(model: str) -> None:
    images, labels = state.test_split()
    index = st.number_input("Test image", 0, len(images) - 1, lesson.ONE_IMAGE, key="lesson.image", width=220)
    code = lesson.cells(8, image=index)
    image, label = images[index], int(labels[index])
    batch = np.expand_dims(image, 0)
    with beside(code[0]):
        st.code(f"{image.shape}\n{batch.shape}", language=None)
        st.markdown(f"`np.expand_dims` adds one axis in front: a batch holding **{len(batch)}** image.")
    probabilities = state.shipped_classifier(model).predict(batch)[0]
    answer = int(probabilities.argmax())
    with beside(code[1]):
        st.image(value_array_picture(model, index, st.session_state.get("palette", "classic")),
                 alt=plots.describe_chart(probabilities, label))
        st.markdown(f"`np.argmax` → **{answer}**: **{CLASS_NAMES[answer]}** ({probabilities[answer]:.0%}); "
                    f"the true class is {CLASS_NAMES[label]}.")
    what_next()


def what_next() -> None:
    """The last step's way on: the lesson ends, the class goes on to play against the model or train one."""
    st.markdown("#### Next: beat the model in the Quiz, or train your own on the Train page")
    with st.container(horizontal=True, wrap=True):
        st.page_link(st.Page(quiz.page, url_path="quiz"), label="Beat the model in the Quiz", icon=":material/quiz:")
        st.page_link(st.Page(train_live.page, url_path="train"), label="Train your own on the Train page",
                     icon=":material/model_training:")


VIEWS = (the_data, preprocessing, the_model, compile_step, fit, evaluate, predict, one_image)


def page(model: str = MODEL) -> None:
    """The step is the page's title, so a projector shows the step and its idea without scrolling."""
    picker = f" {PICKER_NOTE}" if state.current_model() != model else ""
    st.caption("**Lesson: classify clothes with Keras.** This lesson always uses the walkthrough's classic MLP "
               "(Flatten → Dense(128) → Dense(10)): every number is computed from the real data and the trained MLP "
               f"shipped with this app.{picker}")
    st.html(CODE_TAKES_FOCUS, unsafe_allow_javascript=True)
    step = current_step()
    st.query_params["step"] = str(step)
    step_bar(step)
    current = lesson.STEPS[step - 1]
    st.title(f"{step}. {current.title}")
    st.markdown(f"## {current.idea}")
    VIEWS[step - 1](model)
