"""A class game in three real Chromium sessions: a teacher on a laptop, a student on a phone, one on a laptop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fmnist.config import CLASS_NAMES
from fmnist.quiz import db, games, report
from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
PROJECTOR = {"width": 1920, "height": 1080}
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
            if page.viewport_size["width"] <= 640:  # a finger's 44 px (fmnist/ui/accessible.css); the quiz sets only widths
                heights = [page.get_by_role("button", name=name, exact=True).bounding_box()["height"] for name in CLASS_NAMES]
                assert min(heights) >= 44, heights
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
    expect(teacher.get_by_text("This browser keeps your Start, End and Reset buttons")).to_be_visible()
    teacher.reload()  # F5 at the projector: the address is the students' one, the controls come back (a cookie)
    expect(teacher.get_by_role("button", name="Start")).to_be_visible(timeout=LIVE_MS)
    assert re.search(f"[?&]game={code}$", teacher.url) and "host" not in teacher.url

    ana = join(open_app, code, "Ana <b>", **PHONE)
    ben = join(open_app, code, "Ben")
    board = teacher.locator(".st-key-quiz-leaderboard")
    expect(board.get_by_text("Ana <b>", exact=True)).to_be_visible(timeout=LIVE_MS)  # the live board, as typed
    expect(board.get_by_text("Ben", exact=True)).to_be_visible(timeout=LIVE_MS)
    expect(board.get_by_text(re.compile(r"^The model: "))).to_have_count(0)  # it would give the images' difficulty away
    assert_accessible(teacher)  # the join code, its QR code and the board (a question is audited with the page itself)

    rerun(teacher, teacher.get_by_role("button", name="Start").click)
    play_round(ana, "Bag")  # the waiting students' pages notice the start by themselves
    play_round(ben, "Shirt")
    expect(board.get_by_text(re.compile(r" — \d+/10$"))).to_have_count(2, timeout=LIVE_MS)

    rerun(teacher, teacher.get_by_role("button", name="End the game").click)
    expect(teacher.get_by_text("The class against the model")).to_be_visible()
    expect(teacher.get_by_text("The model, on the same images")).to_be_visible()
    sentences = re.compile(f"^(When the picture was an? .+, the class said .+ out of \\d+ |{report.NO_CONFUSIONS}$)")
    expect(teacher.get_by_text(sentences)).not_to_have_count(0)
    final = teacher.locator(".st-key-quiz-leaderboard")
    expect(final.get_by_text(re.compile(r"^[12]\. (Ana <b>|Ben) — \d+/10$"))).to_have_count(2)
    expect(final.get_by_text(re.compile(r"^The model: \d+ right of 10\.$"))).to_be_visible()
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


def test_a_class_of_30_fits_the_projector(open_app):
    """Presenter mode at 1920×1080: every one of 30 players on the board, one line each, no scrolling."""
    teacher = open_app("/quiz?model=mlp&present=1", **PROJECTOR)
    rerun(teacher, teacher.get_by_text("Class game", exact=True).click)
    rerun(teacher, teacher.get_by_role("button", name="Start a game").click)
    code = re.search(r"game=([A-Z0-9]+)", teacher.url).group(1)
    expect(teacher.get_by_text("Your teacher's link (keep it private)")).to_have_count(0)  # no token on a projector
    store = games.Quiz(db.open_engine())  # the server's database (the same FMNIST_DB_URL, or data/quiz.db)
    players = [store.join(code, f"Player number {n:02d}xy") for n in range(1, 31)]  # 20 letters: the longest
    board = teacher.locator(".st-key-quiz-leaderboard")
    expect(board.get_by_text(re.compile(r"^Player number \d\dxy$"))).to_have_count(30, timeout=LIVE_MS)
    fits_one_screen(teacher, board.get_by_text(re.compile(r"^Player number \d\dxy$")))

    rerun(teacher, teacher.get_by_role("button", name="Start").click)
    for token in players:
        for place in range(games.ROUND_LENGTH):
            store.answer(code, token, place, place % 10)
    lines = board.get_by_text(re.compile(r"^\d+\. Player number \d\dxy — \d+/10$"))
    expect(lines).to_have_count(30, timeout=LIVE_MS)
    fits_one_screen(teacher, lines)
    assert exception_boxes(teacher) == 0


def fits_one_screen(page, lines) -> None:
    """30 lines, each one line high, in three columns, all on the screen."""
    boxes = [lines.nth(i).bounding_box() for i in range(lines.count())]
    assert max(b["y"] + b["height"] for b in boxes) <= PROJECTOR["height"], max(b["y"] + b["height"] for b in boxes)
    assert max(b["height"] for b in boxes) < 2 * min(b["height"] for b in boxes)  # no line wraps
    assert len({round(b["x"]) for b in boxes}) == 3  # three columns of ten
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("path, viewport", [("/quiz?model=mlp&present=1", PROJECTOR), ("/quiz?model=mlp", PHONE)])
def test_no_answer_is_cut_short(open_app, path, viewport):
    """Buttons are sized in pixels and their text in rem: presenter mode's larger type once cut "T-shirt/top"."""
    page = open_app(path, **viewport)
    labels = page.locator('[class*="st-key-quiz-solo-choices"] button [data-testid="stMarkdownContainer"]')  # it clips with "…"
    expect(labels).to_have_count(10)
    cut = labels.evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
    assert not cut, f"cut short: {cut}"
