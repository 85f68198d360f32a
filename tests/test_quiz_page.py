"""The Quiz page through AppTest: a round alone, and a class game with a teacher and students (real models, real SQLite)."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fmnist.config import CLASS_NAMES
from fmnist.quiz import db, games
from fmnist.ui import quiz
from tests.test_app import TIMEOUT, page_test, run_page


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    """Each test on a fresh SQLite file; the page's engine is a per-process cache, so it is cleared around it."""
    monkeypatch.setenv(db.DB_URL_ENV, f"sqlite:///{tmp_path / 'quiz.db'}")
    quiz.quiz_store.clear()
    yield
    quiz.quiz_store.clear()


def check(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_a_round_alone_scores_you_against_the_model():
    at = check(page_test("quiz", model="mlp"))
    play = at.session_state[quiz.SOLO]
    assert len(play.round) == 10
    for place in range(10):
        choices = [b for b in at.button if b.key and b.key.startswith("quiz.solo-choice-")]
        assert [b.label for b in choices] == list(CLASS_NAMES)
        truth = play.round.truths[place]
        choice = truth if place < 7 else (truth + 1) % 10  # 7 right, 3 wrong
        check(at.button(key=f"quiz.solo-choice-{choice}").click().run())
        markdown = [m.value for m in at.markdown]
        assert f"It is a **{CLASS_NAMES[truth]}**." in markdown
        assert any(m.startswith("You: :green[✓" if place < 7 else "You: :red[✗") for m in markdown)
        assert any(m.startswith("The model: :") for m in markdown)
        check(at.button(key="quiz.solo-next").click().run())
    assert at.subheader[0].value == f"You: 7 of 10. The model: {play.round.model_score()} of 10."


def test_the_models_hardest_are_the_images_it_is_least_sure_of(test_split):
    at = check(page_test("quiz", model="mlp"))
    at.segmented_control(key="quiz.difficulty").set_value("hardest").run()
    check(at.button(key="quiz.new-round").click().run())
    play = at.session_state[quiz.SOLO]
    probabilities = quiz.state.shipped_test_probabilities("mlp")
    least_sure = set(np.argsort(probabilities.max(axis=1))[: games.HARDEST_POOL].tolist())
    assert set(play.round.images) <= least_sure


def join(code: str, nickname: str) -> AppTest:
    at = check(page_test("quiz", model="mlp", game=code))
    assert at.text_input[0].value == code  # the join link fills in the code
    at.text_input[1].input(nickname)
    return check(button(at, "Join").click().run())


def new_game() -> tuple[AppTest, str]:
    teacher = check(page_test("quiz", model="mlp"))
    teacher.segmented_control(key=quiz.MODE).set_value("class").run()
    check(button(teacher, "Start a game").click().run())
    return teacher, teacher.query_params["game"]


def test_a_class_game_from_join_code_to_the_end(test_split):
    teacher, code = new_game()
    assert len(code) == games.CODE_LENGTH and set(code) <= set(games.CODE_ALPHABET)
    assert f"Join code\n# {code}" in [m.value for m in teacher.markdown]
    assert "player" not in teacher.query_params  # the teacher's key stays in the session

    ana = join(code, "<b>Ana</b> **x**")
    token = ana.query_params["player"]
    assert f"Game {code} · playing as <b>Ana</b> **x**" in texts(ana)  # plain text, never Markdown or HTML
    assert not any("Ana" in m.value for m in ana.markdown)
    assert "Waiting for your teacher" in ana.info[0].value
    assert "<b>Ana</b> **x**" in texts(ana)  # on the board, as typed: only who joined, no rank, no "0 right of 0"
    check(teacher.run())
    assert "<b>Ana</b> **x**" in texts(teacher) and not [t for t in texts(teacher) if " — " in t]
    assert not [c for c in teacher.caption if c.value.startswith("The model:")]  # it would tell how hard the images are

    duplicate = join(code, " <B>ana</b> **X** ")
    assert duplicate.error[0].value == "Someone in this game already has that nickname: choose another."
    assert "player" not in duplicate.query_params

    stranger = check(page_test("quiz", model="mlp", game=code))  # the join link without a player: a join form, no controls
    assert not [b for b in stranger.button if b.key in ("quiz.start", "quiz.end", "quiz.reset")]

    check(teacher.button(key="quiz.start").click().run())
    assert teacher.button(key="quiz.end")
    check(ana.run())
    round_ = quiz.quiz_store().game(code).round
    for place in range(4):
        check(ana.button(key=f"quiz.game-choice-{round_.truths[place]}").click().run())
        check(ana.button(key="quiz.game-next").click().run())

    quiz.quiz_store.clear()  # a restarted server: a new engine on the same database
    again = check(page_test("quiz", model="mlp", game=code, player=token))  # a reload: a new session, the same place
    assert "**Image 5 of 10**" in [m.value for m in again.markdown]
    for place in range(4, 10):  # wrong, and never the same wrong answer for the same class: a round may repeat a class
        check(again.button(key=f"quiz.game-choice-{(round_.truths[place] + place - 3) % 10}").click().run())
        check(again.button(key="quiz.game-next").click().run())
    assert again.subheader[0].value == f"You: 4 of 10. The model: {round_.model_score()} of 10."

    check(teacher.run())
    assert "1. <b>Ana</b> **x** — 4/10" in texts(teacher)
    assert not [c for c in teacher.caption if c.value.startswith("The model:")]  # not before the end either
    check(teacher.button(key="quiz.end").click().run())
    assert [m.label for m in teacher.metric][:2] == ["The class", "The model, on the same images"]
    assert teacher.metric[0].value == "40%"
    assert f"The model: {round_.model_score()} right of 10." in [c.value for c in teacher.caption]
    assert f"- {quiz.report.NO_CONFUSIONS}" in [m.value for m in teacher.markdown]  # 6 mistakes, each once

    check(again.run())
    assert again.metric[0].value == "40%"  # the student sees the class's results too
    late = join(code, "Late")
    assert late.error[0].value == "This game has ended: ask your teacher for a new code."


def test_a_wrong_code_is_one_sentence():
    at = check(page_test("quiz", model="mlp", game="ZZZZZZ"))
    assert at.error[0].value.startswith("There is no game with this code")
    at = check(page_test("quiz", model="mlp"))
    at.segmented_control(key=quiz.MODE).set_value("class").run()
    at.text_input[0].input("nope")
    at.text_input[1].input("Ana")
    check(button(at, "Join").click().run())
    assert at.error[0].value.startswith("There is no game with this code")


def test_a_reset_sends_everyone_back_to_the_first_image_and_a_click_after_the_end_says_so(test_split):
    teacher, code = new_game()
    ana = join(code, "Ana")
    check(teacher.button(key="quiz.start").click().run())
    check(ana.run())
    for _ in range(2):
        check(ana.button(key="quiz.game-choice-0").click().run())
        check(ana.button(key="quiz.game-next").click().run())
    assert "**Image 3 of 10**" in [m.value for m in ana.markdown]

    check(teacher.button(key="quiz.reset").click().run())
    assert teacher.button(key="quiz.start")  # back in the lobby
    check(ana.button(key="quiz.game-choice-0").click().run())  # a click on the page she still sees
    assert ana.error[0].value == "The game is not running: wait for your teacher."
    assert "Waiting for your teacher" in ana.info[0].value
    check(teacher.button(key="quiz.start").click().run())
    check(ana.run())
    assert "**Image 1 of 10**" in [m.value for m in ana.markdown]

    check(teacher.button(key="quiz.end").click().run())
    check(ana.button(key="quiz.game-choice-0").click().run())
    assert ana.error[0].value == "The game has ended."
    assert ana.subheader[0].value == "The class against the model"
    assert teacher.subheader[0].value == "The class against the model"
    assert "No one answered in this game." in [m.value for m in teacher.markdown]


def test_a_database_that_cannot_be_opened_is_one_sentence(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(db.DB_URL_ENV, f"sqlite:///{tmp_path / 'file' / 'quiz.db'}")  # a folder that cannot exist
    quiz.quiz_store.clear()
    at = check(page_test("quiz", model="mlp"))
    at.segmented_control(key=quiz.MODE).set_value("class").run()
    check(button(at, "Start a game").click().run())
    assert at.error[0].value.startswith("The quiz's database (sqlite:///")
    assert at.error[0].value.endswith(f"Set {db.DB_URL_ENV} to a database this server can write to.")
    at = check(page_test("quiz", model="mlp", game="ABCDEF"))
    assert "cannot be opened" in at.error[0].value


def test_the_teachers_private_link_gives_the_controls_back_and_leaves_the_address():
    teacher, code = new_game()
    token = teacher.session_state[quiz.HOSTING][code]
    reloaded = check(page_test("quiz", model="mlp", game=code, host=token))  # a new session, as after a reload
    assert reloaded.button(key="quiz.start")
    assert "host" not in reloaded.query_params  # out of the address bar, so Share cannot pass it on
    check(reloaded.button(key="quiz.start").click().run())
    assert reloaded.button(key="quiz.end")
    guess = check(page_test("quiz", model="mlp", game=code, host=token[:-1] + ("y" if token.endswith("x") else "x")))
    assert not [b for b in guess.button if b.key in ("quiz.start", "quiz.end", "quiz.reset")]
    assert [t.label for t in guess.text_input] == ["Join code", "Nickname"]


def in_a_browser(**query) -> AppTest:
    """The Quiz page as a browser at an address opens it: st.context.url is set, so the QR code and links are drawn."""
    at = AppTest.from_function(run_page, args=("quiz",), default_timeout=TIMEOUT)
    at.context["url"] = "http://127.0.0.1:8501/quiz"
    for key, value in query.items():
        at.query_params[key] = value
    return check(at.run())


def shown(at: AppTest) -> str:
    """Everything a projector would show as text (not the cookie script, which is no element on the screen)."""
    return "\n".join(e.value for kind in (at.markdown, at.caption, at.code, at.text, at.info) for e in kind)


def test_the_teacher_keeps_the_controls_through_a_reload_and_the_token_stays_off_the_projector():
    teacher = in_a_browser(model="mlp")
    teacher.segmented_control(key=quiz.MODE).set_value("class").run()
    check(button(teacher, "Start a game").click().run())
    code = teacher.query_params["game"]
    token = teacher.session_state[quiz.HOSTING][code]
    assert token not in str(dict(teacher.query_params))
    assert teacher.info[0].value.startswith("This browser keeps your Start, End and Reset buttons, even after a reload.")
    assert [e.label for e in teacher.expander] == ["Your teacher's link (keep it private)"]  # folded, with a copy button
    assert teacher.code[0].value == f"http://127.0.0.1:8501/quiz?game={code}&host={token}"
    cookie = f"fmnist-quiz-host-{code}={token}; max-age=86400; path=/; SameSite=Strict"
    assert [h.value for h in teacher.html if "document.cookie" in h.value] == [f"<script>document.cookie = \"{cookie}\";</script>"]
    check(teacher.button(key="quiz.start").click().run())
    assert not teacher.info  # the note shows once

    projector = in_a_browser(model="mlp", game=code, host=token, present="1")  # the private link, on a projector
    assert projector.button(key="quiz.end")
    assert not projector.expander and token not in shown(projector)
    assert "host" not in projector.query_params

    students_link = in_a_browser(model="mlp", game=code)  # what a reload without the cookie (or a student) opens
    assert not [b for b in students_link.button if b.key in ("quiz.start", "quiz.end", "quiz.reset")]
    assert not [h for h in students_link.html if "document.cookie" in h.value]
    assert token not in shown(students_link)
