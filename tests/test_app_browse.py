"""Browse, the Model page's links into it, sharing and presenter mode, through AppTest (real models)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from fmnist.config import CLASS_NAMES
from fmnist.models import load_model
from tests.test_app import TIMEOUT, app_test, page_test, tile_captions

SHIRT = CLASS_NAMES.index("Shirt")


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_a_tile_opens_a_dialog_that_steps_through_the_selection():
    """Issue 15 bug 3: the detail opened at the top of the page, far above the tile; now it is a dialog."""
    at = page_test("browse", model="mlp", true="Shirt", wrong="1")
    first, second = [b.key for b in at.button if b.key and b.key.startswith("tile-")][:2]
    at.button(key=first).click().run()
    assert subheaders(at) == [f"Test image #{first[5:]}"]
    assert at.query_params["idx"] == first[5:]
    assert at.button(key="browse.previous").disabled  # the first of the selection
    assert any(c.value.startswith("1 of ") for c in at.caption)
    at.button(key="browse.next").click().run()
    assert subheaders(at) == [f"Test image #{second[5:]}"]
    assert at.query_params["idx"] == second[5:]
    assert at.query_params["true"] == "Shirt"  # the filters stay
    at.button(key="browse.previous").click().run()
    assert subheaders(at) == [f"Test image #{first[5:]}"]


def test_after_next_the_why_box_explains_the_new_image_s_own_answer(test_split):
    """Walkthrough: after Next, "Explain the class" kept the class picked for the image before."""
    at = page_test("browse", model="mlp", idx="0")
    explained = lambda: next(s for s in at.selectbox if s.label == "Explain the class")  # noqa: E731
    explained().set_value(CLASS_NAMES.index("Trouser")).run()
    at.button(key="browse.next").click().run()
    assert subheaders(at) == ["Test image #1"]
    assert explained().value == int(load_model("mlp").predict(test_split[0][1]).argmax())
    assert any(i.alt.startswith(f"Heatmap for {CLASS_NAMES[explained().value]}") for image in at.image for i in image.proto.imgs)


def test_next_follows_the_grid_to_the_next_page():
    at = page_test("browse", model="mlp", per="12")
    last = [b.key for b in at.button if b.key and b.key.startswith("tile-")][-1]
    at.button(key=last).click().run()
    at.button(key="browse.next").click().run()
    assert at.query_params["page"] == "2"  # closing the dialog shows the grid around the image


def test_the_colour_key_is_said_once():
    at = page_test("browse", model="mlp")
    keys = [m.value for m in at.markdown if "true class" in m.value and "wrong guess" in m.value]
    assert len(keys) == 1 and "(Shirt)" in keys[0]


def run_pages() -> None:
    """Browse, Model and Train in one navigation; `go` in the session switches pages as the sidebar's links do."""
    import streamlit as st

    from fmnist.ui import browse, model_report, state, train_live

    pages = {
        "browse": st.Page(browse.page, url_path="browse", default=True),
        "model": st.Page(model_report.page, url_path="model"),
        "train": st.Page(train_live.page, url_path="train"),
    }
    navigation = st.navigation(list(pages.values()))
    state.sidebar()
    if "go" in st.session_state:
        st.switch_page(pages[st.session_state.pop("go")])  # a page switch clears the URL's query, as a click does
    navigation.run()


def navigation_test() -> AppTest:
    at = AppTest.from_function(run_pages, default_timeout=TIMEOUT)
    at.query_params["model"] = "mlp"
    return at.run()


def go(at: AppTest, where: str) -> AppTest:
    at.session_state["go"] = where
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_filters_survive_a_visit_to_another_page():
    """Issue 15 bug 5: Streamlit forgot the filter widgets' state while Model was shown; `idx` stayed."""
    at = navigation_test()
    at.selectbox(key="browse.true").set_value(SHIRT).run()
    at.toggle(key="browse.only_mistakes").set_value(True).run()
    go(at, "model")
    assert at.title[0].value.startswith("Model")
    go(at, "browse")
    assert at.title[0].value == "Browse the test set"
    assert at.selectbox(key="browse.true").value == SHIRT
    assert at.toggle(key="browse.only_mistakes").value is True
    assert at.query_params["true"] == "Shirt" and at.query_params["wrong"] == "1"
    captions = tile_captions(at)
    assert captions and all(c.startswith(":red[✗") and c.endswith("(Shirt)]") for c in captions)


def test_the_root_url_opens_browse_at_its_own_path_with_the_query():
    at = app_test(model="mlp", true="Shirt")
    assert not at.exception
    assert at.title[0].value == "Browse the test set"
    assert all(c.endswith("(Shirt)]") for c in tile_captions(at))


def test_presenter_mode_shows_fewer_bigger_tiles():
    at = page_test("browse", model="mlp", present="1")
    assert len(tile_captions(at)) == 12
    assert at.query_params["present"] == "1"


def test_share_without_a_browser_address_says_so():
    at = app_test(model="mlp")
    assert any("once the page is open in a browser" in m.value for m in at.sidebar.markdown)


def test_the_comparison_includes_the_model_trained_in_this_session(train_split):
    at = go(navigation_test(), "train")
    at.slider(key="train-epochs").set_value(2)
    at.select_slider(key="train-count").set_value(1_000)
    at.button(key="train").click().run()
    ticket = at.session_state["train.ticket"]
    assert ticket.job.wait(300) and ticket.job.state == "done", ticket.job.error
    go(at, "model")
    assert "Classic MLP vs CNN vs yours" in [h.value for h in at.header]
    table = at.dataframe[0].value
    assert set(table.columns) == {"Classic MLP", "CNN", "Trained in this session"}
    assert table.loc["test accuracy", "Trained in this session"].endswith("%")
