"""The Lesson page through AppTest, its numbers against the real models, and its notebook executed."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from fmnist import lesson, notebook
from fmnist.config import CLASS_NAMES
from tests.conftest import require_train_split
from tests.test_app import TIMEOUT
from tests.test_models import run_in_fresh_python


def run_lesson(model: str) -> None:
    """The shared sidebar, then the Lesson page with the given model (as app.main does with the MLP)."""
    from fmnist.ui import lesson as lesson_page
    from fmnist.ui import state

    state.sidebar()
    lesson_page.page(model)


def lesson_test(model: str = "mlp", **query) -> AppTest:
    at = AppTest.from_function(run_lesson, args=(model,), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_step(at: AppTest) -> int:
    return int(at.title[0].value.split(".")[0])


def codes(at: AppTest) -> list[str]:
    return [c.value for c in at.code]


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("raw, step", [
    (None, 1), ("1", 1), ("5", 5), ("8", 8), ("0", 1), ("9", 1), ("-2", 1), ("three", 1), ("2.5", 1), ("", 1),
])
def test_a_step_from_the_url_falls_back_to_step_1(raw, step):
    assert lesson.parse_step(raw) == step


@pytest.mark.parametrize("step", range(1, lesson.STEP_COUNT + 1))
def test_every_step_renders_with_its_code(step):
    at = lesson_test(step=str(step))
    assert shown_step(at) == step
    assert at.title[0].value == f"{step}. {lesson.STEPS[step - 1].title}"
    assert lesson.cells(step)[0] in codes(at)  # the code the notebook runs, shown as it is
    assert not [c.value for c in at.code if c.proto.wrap_lines]  # a wrapped line breaks the indentation a class copies
    assert not at.error
    for image in at.image:  # every picture is described for a screen reader
        assert all(img.alt for img in image.proto.imgs)


def test_next_and_back_walk_the_steps_and_keep_the_url():
    at = lesson_test()
    assert at.button(key="lesson.back").disabled
    for step in range(2, lesson.STEP_COUNT + 1):
        at.button(key="lesson.next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert shown_step(at) == step and at.query_params["step"] == str(step)
    assert at.button(key="lesson.next").disabled
    at.button(key="lesson.back").click().run()
    assert shown_step(at) == lesson.STEP_COUNT - 1 and at.query_params["step"] == str(lesson.STEP_COUNT - 1)


@pytest.mark.parametrize("raw", ["0", "99", "-1", "abc", "3; drop"])
def test_a_bad_step_in_the_url_shows_step_1_without_a_traceback(raw):
    at = lesson_test(step=raw)
    assert shown_step(at) == 1 and at.query_params["step"] == "1"


def table_column(at: AppTest, column: str) -> list[str]:
    return list(at.dataframe[0].value[column])


def test_step_3_reads_the_layers_from_the_model():
    at = lesson_test(step="3")
    assert table_column(at, "Param #") == ["0", "100,480", "1,290"]
    assert table_column(at, "Output shape") == ["(None, 784)", "(None, 128)", "(None, 10)"]
    assert "### Total parameters: 101,770" in markdown(at)
    assert any("784 × 128 + 128 = 100,480" in c.value for c in at.caption)

    cnn = lesson_test("cnn", step="3")  # another model: another table and total
    assert "### Total parameters: 576,938" in markdown(cnn)
    assert sum(int(p.replace(",", "")) for p in table_column(cnn, "Param #")) == 576_938
    assert any("Conv2D" in name for name in table_column(cnn, "Layer (type)"))
    assert any("256 × 10 + 10 = 2,570" in c.value for c in cnn.caption)  # its first Dense has no bias


def test_step_3_draws_the_diagram_across_for_a_wide_screen_and_down_for_a_phone():
    at = lesson_test(step="3")
    across, down = (chart.proto.spec for chart in at.get("graphviz_chart"))
    assert "rankdir=LR;" in across and "rankdir=TB;" in down
    assert all("100,480 parameters" in spec for spec in (across, down))
    # The browser scales the graph to the page's width: short label lines keep its text >= 14 px at 1280x720.
    lines = [line for label in re.findall(r'label="([^"]*)"', across) for line in label.split("\\n")]
    assert max(map(len, lines)) <= 22, lines


def test_the_subtitle_says_the_lesson_always_uses_the_mlp():
    from fmnist.ui.lesson import PICKER_NOTE

    at = lesson_test()  # the sidebar picks the CNN, as it does by default
    assert at.sidebar.selectbox(key="model").value == "cnn"
    assert "always uses the walkthrough's classic MLP" in at.caption[0].value and PICKER_NOTE in at.caption[0].value
    at.sidebar.selectbox(key="model").set_value("mlp").run()
    assert "always uses the walkthrough's classic MLP" in at.caption[0].value and PICKER_NOTE not in at.caption[0].value


def test_the_last_step_points_to_the_quiz_and_the_train_page():
    assert not lesson_test(step="7").get("page_link")
    at = lesson_test(step=str(lesson.STEP_COUNT))
    assert "Next: beat the model in the Quiz, or train your own on the Train page" in markdown(at)
    assert [link.proto.page for link in at.get("page_link")] == ["quiz", "train"]


def test_the_layer_table_matches_keras_for_a_model_built_here(tmp_path):
    """Output shapes and parameter counts read from the file agree with Keras' own, for layers the MLP lacks."""
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        layers.Reshape((28, 28, 1)),
        layers.Conv2D(6, 5),  # valid padding: 24×24
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.MaxPooling2D(3),  # 8×8
        layers.Dropout(0.2),
        layers.Flatten(),
        layers.Dense(17, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    path = tmp_path / "tiny.keras"
    model.save(path)
    read = lesson.layers(path)
    assert [layer.kind for layer in read] == [type(layer).__name__ for layer in model.layers]
    assert [layer.output_shape for layer in read] == [tuple(layer.output.shape) for layer in model.layers]
    assert [layer.parameters for layer in read] == [layer.count_params() for layer in model.layers]
    assert lesson.total_parameters(read) == model.count_params()


def test_step_7_shows_the_models_own_predictions(classifiers, test_split):
    images, labels = test_split
    for name in ("mlp", "cnn"):
        probabilities = classifiers[name].predict(images[:15])
        at = lesson_test(name, step="7")
        assert lesson.array_repr(probabilities[0]) in codes(at)  # predictions[0], its 10 numbers
        answer = int(probabilities[0].argmax())
        assert f"({answer}, '{CLASS_NAMES[answer]}', {labels[0]})" in codes(at)
        captions = [m.value for m in at.markdown if m.value.startswith((":green[", ":red["))]
        assert len(captions) == 15
        for caption, p, label in zip(captions, probabilities, labels):  # green when right, red when wrong
            right = p.argmax() == label
            assert caption.startswith(":green[✓" if right else ":red[✗") and f"{p.max():.0%}" in caption
    mlp, cnn = (classifiers[n].predict(images[:1])[0] for n in ("mlp", "cnn"))
    assert lesson.array_repr(mlp) != lesson.array_repr(cnn)  # the step changed with the model


def test_step_8_predicts_a_batch_of_one_and_follows_the_chosen_image(classifiers, test_split):
    images, labels = test_split
    at = lesson_test(step="8")
    assert "(28, 28)\n(1, 28, 28)" in codes(at)
    answer = int(classifiers["mlp"].predict(images[1:2])[0].argmax())
    assert f"`np.argmax` → **{answer}**: **{CLASS_NAMES[answer]}**" in markdown(at)
    at.number_input(key="lesson.image").set_value(0).run()
    assert "img = test_images[0]" in codes(at)[0]
    assert any(CLASS_NAMES[labels[0]] in img.alt for image in at.image for img in image.proto.imgs)


def test_step_5_replays_the_recorded_history(classifiers):
    history = classifiers["mlp"].card["history"]
    at = lesson_test(step="5")
    assert at.slider(key="lesson.epoch").max == len(history["train_loss"]) == lesson.EPOCHS
    assert at.metric[0].value == f"{history['train_loss'][0]:.3f}"
    at.slider(key="lesson.epoch").set_value(6).run()
    at.button(key="lesson.next-epoch").click().run()  # one click on, as a teacher replays it
    assert at.slider(key="lesson.epoch").value == 7
    assert [m.label for m in at.metric] == ["Train loss", "Test loss", "Train accuracy", "Test accuracy"]
    keys = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
    assert [m.value for m in at.metric] == [f"{history[key][6]:.3f}" for key in keys]
    at.slider(key="lesson.epoch").set_value(lesson.EPOCHS).run()
    assert at.button(key="lesson.next-epoch").disabled


def test_step_6_compares_train_and_test_accuracy(classifiers, test_split):
    train_images, train_labels = require_train_split()
    images, labels = test_split
    train = lesson.accuracy(classifiers["mlp"].predict(train_images), train_labels)
    test = lesson.accuracy(classifiers["mlp"].predict(images), labels)
    at = lesson_test(step="6")
    assert [m.value for m in at.metric] == [f"{train:.1%}", f"{test:.1%}"]
    assert "overfitting" in markdown(at) and f"{100 * (train - test):.1f} points" in markdown(at)


@pytest.fixture
def no_train_split(monkeypatch, tmp_path):
    """This server without the train split: no Debian package, no Keras cache, no $FMNIST_DATA_DIR."""
    from fmnist import data
    from fmnist.ui import lesson as lesson_page

    monkeypatch.setattr(data, "DEBIAN_DATA_DIR", tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("FMNIST_DATA_DIR", raising=False)
    lesson_page.train_split.clear()
    yield
    lesson_page.train_split.clear()


@pytest.mark.parametrize("step", [1, 2, 6])
def test_without_the_train_split_a_step_says_so_in_one_sentence(no_train_split, step):
    from fmnist.ui import lesson as lesson_page

    at = lesson_test(step=str(step))
    assert [i.value for i in at.info] == [lesson_page.NO_TRAIN_SPLIT]
    assert not at.error


def test_without_the_train_split_the_other_steps_still_work(no_train_split):
    at = lesson_test(step="3")
    assert "### Total parameters: 101,770" in markdown(at)
    at.button(key="lesson.next").click().run()
    assert not at.exception and shown_step(at) == 4 and not at.info


def test_the_downloaded_notebook_holds_the_pages_code():
    import nbformat

    from fmnist.ui import lesson as lesson_page

    book = nbformat.reads(lesson_page.notebook_file().decode(), as_version=4)
    nbformat.validate(book)
    code = [cell.source for cell in book.cells if cell.cell_type == "code"]
    assert all(cell in code for step in range(1, lesson.STEP_COUNT + 1) for cell in lesson.cells(step))
    assert "epochs=10," in "\n".join(code)


def test_the_notebook_runs_top_to_bottom_on_the_local_data(monkeypatch):
    """Executed in a real Jupyter kernel: 1 epoch on 2,000 training images, so it takes ~1 min, not ~4."""
    import nbclient

    require_train_split()
    monkeypatch.delenv("MPLBACKEND", raising=False)  # importing Streamlit set it to Agg; Jupyter draws inline
    book = notebook.build(epochs=1, train_count=2_000)
    nbclient.NotebookClient(book, timeout=600, kernel_name="python3").execute()
    outputs = {}
    for cell in book.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
            outputs[cell.source] = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert "(60000, 28, 28) (10000, 28, 28)" in outputs[lesson.cells(1)[0]]
    assert "101,770" in outputs[lesson.cells(3)[0]]  # model.summary()
    assert "(28, 28)\n(1, 28, 28)" in outputs[lesson.cells(8)[0]]
    figures = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(figures) == 5  # step 1's two, step 2's, step 7's grid, step 8's bars


def test_the_lesson_never_imports_tensorflow():
    """The server's memory budget: every step, the layer table included, is drawn without TensorFlow."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "from tests.test_lesson import run_lesson\n"
        "at = AppTest.from_function(run_lesson, args=('mlp',), default_timeout=120).run()\n"
        "for _ in range(7):\n"
        "    at.button(key='lesson.next').click().run()\n"
        "assert not at.exception and at.title[0].value.startswith('8.'), at.exception\n"
        "print(json.dumps(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules)))"
    )
    assert json.loads(run_in_fresh_python("import json\n" + code).strip().splitlines()[-1]) == []


def test_a_model_whose_card_recorded_no_history_says_so(tmp_path):
    from fmnist.models import card_path, model_path

    for suffix in (".keras", ".tflite"):
        shutil.copy(model_path("mlp").with_suffix(suffix), tmp_path / f"mine{suffix}")
    card = json.loads(card_path(model_path("mlp")).read_text())
    del card["history"]
    (tmp_path / "mine.json").write_text(json.dumps(card))
    at = lesson_test(str(tmp_path / "mine.keras"), step="5")
    assert [i.value for i in at.info] == ["This model's card recorded no training history."]
    assert not at.metric


def test_step_5_counts_the_weight_corrections_per_epoch(classifiers):
    train_images, _ = require_train_split()
    batch = classifiers["mlp"].card["recipe"]["batch_size"]
    at = lesson_test(step="5")
    assert f"batches of {batch}: **{-(-len(train_images) // batch):,}** corrections" in markdown(at)  # 1,875
