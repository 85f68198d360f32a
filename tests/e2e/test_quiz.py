"""A class game in three real Chromium sessions: a teacher on a laptop, a student on a phone, one on a laptop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fmnist.config import CLASS_NAMES
from fmnist.quiz import games
from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
LIVE_MS = 30_000  # a waiting page looks at the game every 3 s; a busy 2-core machine may take a while longer


def join(open_app, code: str, nickname: str, **options):
    page = open_app(f"/quiz?game={code}", **options)
    expect(page.get_by_role("textbox", name="Join code")).to_have_value(code)
    page.get_by_role("textbox", name="Nickname").fill(nickname)
    rerun(page, page.get_by_role("button", name="Join").click)
    expect(page.get_by_text(f"Game {code} · playing as {nickname}")).to_be_visible()
    assert "player=" in page.url
    return page


def play_round(page, label: str) -> None:
    """Answer all 10 images with `label`, looking at the truth and the model's answer after each."""
    for place in range(1, 11):
        expect(page.get_by_text(f"Image {place} of 10", exact=True)).to_be_visible(timeout=LIVE_MS)
        if place == 1:  # every choice on the first screen, phone included, and nothing off to the side
            last = page.get_by_role("button", name=CLASS_NAMES[-1], exact=True).bounding_box()
            assert last["y"] + last["height"] <= page.viewport_size["height"], last
            assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
        rerun(page, page.get_by_role("button", name=label, exact=True).click)
        expect(page.get_by_text(re.compile(r"^It is a "))).to_be_visible()
        next_button = page.get_by_role("button", name="See the score" if place == 10 else "Next image")
        rerun(page, next_button.click)
    expect(page.get_by_text(re.compile(r"^You: \d+ of 10\. The model: \d+ of 10\.$"))).to_be_visible()


def test_a_teacher_and_two_students_play_a_game_to_the_leaderboard(open_app):
    teacher = open_app("/quiz?model=mlp")
    rerun(teacher, teacher.get_by_text("Class game", exact=True).click)
    rerun(teacher, teacher.get_by_role("button", name="Start a game").click)
    code = re.search(r"game=([A-Z0-9]+)", teacher.url).group(1)
    assert len(code) == games.CODE_LENGTH
    qr = teacher.locator(f'img[alt^="QR code to join game {code}: "]')
    expect(qr).to_be_visible()
    assert re.fullmatch(f"QR code to join game {code}: http://127.0.0.1:\\d+/quiz\\?game={code}", qr.get_attribute("alt"))

    ana = join(open_app, code, "Ana <b>", **PHONE)
    ben = join(open_app, code, "Ben")
    board = teacher.locator(".st-key-quiz-leaderboard")
    expect(board.get_by_text("Ana <b>", exact=False)).to_be_visible(timeout=LIVE_MS)  # the live board, as typed
    expect(board.get_by_text("Ben", exact=False)).to_be_visible(timeout=LIVE_MS)
    assert_accessible(teacher)  # the join code, its QR code and the board (a question is audited with the page itself)

    rerun(teacher, teacher.get_by_role("button", name="Start").click)
    play_round(ana, "Bag")  # the waiting students' pages notice the start by themselves
    play_round(ben, "Shirt")
    expect(board.get_by_text(re.compile(r"right of 10$"))).to_have_count(2, timeout=LIVE_MS)

    rerun(teacher, teacher.get_by_role("button", name="End the game").click)
    expect(teacher.get_by_text("The class against the model")).to_be_visible()
    expect(teacher.get_by_text("The model, on the same images")).to_be_visible()
    expect(teacher.get_by_text(re.compile(r"^The class took "))).not_to_have_count(0)
    final = teacher.locator(".st-key-quiz-leaderboard")
    expect(final.get_by_text(re.compile(r"^[12]\. (Ana <b>|Ben)$"))).to_have_count(2)
    for student in (ana, ben):  # each student's page shows the class's results by itself
        expect(student.get_by_text("The class against the model")).to_be_visible(timeout=LIVE_MS)
    for page in (teacher, ana, ben):
        assert exception_boxes(page) == 0
    assert_accessible(teacher)
    assert_accessible(ana)  # the results on a phone


def assert_accessible(page) -> None:
    """No critical or serious axe-core finding, as tests/e2e/test_a11y.py asks of every page (which sees only
    the Quiz page's first view: a game's views need a game)."""
    from axe_playwright_python.sync_playwright import Axe

    blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("critical", "serious")]
    assert not blocking, [f"{v['id']}: {v['nodes'][0]['target']} — {v['help']}" for v in blocking]
