"""The Train page through AppTest, with the real shared trainer: state kept across pages and runs."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.test_app import TIMEOUT, page_test


def run_train_page_in_navigation() -> None:
    """The Train page and a light page beside it, with sidebar buttons to switch between them."""
    import streamlit as st

    from fmnist.ui import state, train_live

    def elsewhere_page() -> None:
        st.title("Elsewhere")

    train = st.Page(train_live.page, url_path="train", default=True)
    elsewhere = st.Page(elsewhere_page, url_path="elsewhere")
    navigation = st.navigation([train, elsewhere])
    state.sidebar()
    if st.sidebar.button("Elsewhere", key="go-elsewhere"):
        st.switch_page(elsewhere)
    if st.sidebar.button("Train", key="go-train"):
        st.switch_page(train)
    navigation.run()


def navigation_test() -> AppTest:
    at = AppTest.from_function(run_train_page_in_navigation, default_timeout=TIMEOUT)
    at.query_params["model"] = "mlp"
    return at.run()


def go(at: AppTest, where: str) -> AppTest:
    at.sidebar.button(key=f"go-{where}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_recipe_controls_keep_their_values_after_another_page(train_split):
    at = navigation_test()
    at.slider(key="train-epochs").set_value(3)
    at.select_slider(key="train-count").set_value(5_000)
    at.select_slider(key="train-rate").set_value(3e-3)
    at.select_slider(key="train-units").set_value(64).run()
    go(at, "elsewhere")
    assert at.title[0].value == "Elsewhere" and "train-epochs" not in at.session_state  # Streamlit dropped the widgets
    go(at, "train")
    assert at.title[0].value == "Train a model live"
    assert at.slider(key="train-epochs").value == 3
    assert at.select_slider(key="train-count").value == 5_000
    assert at.select_slider(key="train-rate").value == 3e-3
    assert at.select_slider(key="train-units").value == 64


def test_train_button_is_disabled_during_a_run_which_goes_on_while_away(train_split):
    at = navigation_test()
    at.slider(key="train-epochs").set_value(2)
    at.select_slider(key="train-count").set_value(1_000)
    # A recipe no other test trains: identical recipes are shared per process, and a finished one
    # would come back at once, with no run to see.
    at.select_slider(key="train-units").set_value(32)
    at.button(key="train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="train").disabled
    ticket = at.session_state["train.ticket"]
    assert ticket.job.active and ticket.job.recipe.train_images == 1_000
    go(at, "elsewhere")  # leave mid-run: the training goes on in the worker
    assert ticket.job.wait(180) and ticket.job.state == "done", ticket.job.error
    go(at, "train")
    assert not at.button(key="train").disabled
    assert any("test accuracy" in s.value for s in at.success)
    assert "Trained in this session" in at.sidebar.selectbox(key="model").options
    card = ticket.model.card
    assert len(card["history"]["test_accuracy"]) == 2 and card["test_accuracy"] > 0.5


def test_a_link_to_a_trained_model_this_session_lacks_says_so():
    at = page_test("draw", model="session")
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key="model").value == "cnn"
    warnings = [w.value for w in at.warning if "trained in this session is gone" in w.value]
    assert len(warnings) == 1 and "show the CNN" in warnings[0]
    at.sidebar.selectbox(key="model").set_value("mlp").run()
    assert not any("trained in this session is gone" in w.value for w in at.warning)
