"""Quiz: beat the model. Alone, a round of 10 test images; together, a class game with a join code and a live leaderboard.

A class game lives in the database (`fmnist.quiz`): the page keeps only who this browser is. A student's
place is in the URL (`?game=CODE&player=TOKEN`), so a reload or a restarted server finds them where they were;
the teacher's key to start, end or reset the game (the creator token) is never in a URL a Share button, the
QR code or a projected address bar could pass on: it stays in this session and in a cookie of this browser for
the game's day (so the teacher's reload of `?game=CODE` finds the controls again), and a private teacher's link,
for another computer, is taken out of the address bar as soon as it is opened. Nicknames are only ever shown
with `st.text`: plain text, never Markdown or HTML.
"""

from __future__ import annotations

import json
import math
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from fmnist import metrics, plots
from fmnist.config import CLASS_NAMES, DEFAULT_MODEL, MODEL_NAMES
from fmnist.quiz import db, games, report
from fmnist.quiz.games import ENDED, LOBBY, RUNNING, QuizError, Round
from fmnist.ui import share, state, widgets

GAME, PLAYER = "game", "player"  # the URL keys of a class game
HOST = "host"  # the teacher's private link carries the creator token once; it is taken out of the URL at once
MODE = "quiz.mode"
SOLO = "quiz.solo"  # this session's round alone (a Play)
DIFFICULTY = "quiz.difficulty"  # which images a round alone draws: games.DIFFICULTIES
HOSTING = "quiz.hosting"  # {join code: creator token} of the games this session started
CREATED = "quiz.created"  # the join code of the game this session has just created: its teacher's note shows once
HOST_COOKIE = "fmnist-quiz-host-"  # + join code: this browser's creator token, for a reload of ?game=CODE
ERROR = "quiz.error"  # a sentence from the last click, shown once
REFRESH_S = 3  # how often the leaderboard and a waiting student look at the game
IMAGE_SCALE, IMAGE_PX = 6, 168  # the 28×28 image with visible pixels; small enough for the buttons to fit a phone's screen
BUTTON_PX = 112  # three buttons a row, on a phone (358 px inside its margins) as beside the image on a laptop
CHOICES_GAP_PX = 8  # Streamlit's "xsmall" gap, 0.5rem
BOARD_ROWS, BOARD_COLUMNS = 10, 3  # 30 players: 3 columns of 10 lines, one projector screen (more: longer columns)
STATE_WORDS = {LOBBY: "Waiting for players to join", RUNNING: "Playing", ENDED: "Game over"}


@st.cache_resource(show_spinner=False)
def quiz_store() -> games.Quiz:
    """One engine per process on `FMNIST_DB_URL` (default: SQLite in data/), migrated on first use."""
    return games.Quiz(db.open_engine())


@st.cache_resource(show_spinner=False)
def model_confusion(model: str) -> np.ndarray:
    """The shipped model's confusion matrix on the whole test split, for the end-of-game sentences."""
    return metrics.confusion_matrix(state.test_split()[1], state.shipped_test_probabilities(model).argmax(axis=1))


def page() -> None:
    st.title("Beat the model")
    if st.query_params.get(GAME):
        with database_errors():
            class_game(st.query_params[GAME])
        return
    st.caption(
        "A test image at a time: which of the 10 classes is it? Then see the truth and the model's answer. "
        f"People score about {report.HUMAN_ACCURACY:.1%} on these images, the {state.model_title(state.current_model())} "
        f"{state.model_card()['test_accuracy']:.1%}."
    )
    mode = st.segmented_control("Play", ["alone", "class"], default="alone", required=True, key=MODE,
                                format_func={"alone": "Alone", "class": "Class game"}.get)
    if mode == "alone":
        alone()
    else:
        with database_errors():
            join_form()
            start_form()


@contextmanager
def database_errors():
    """A database that cannot be opened (e.g. a read-only folder) is one sentence, not a traceback."""
    try:
        yield
    except db.DatabaseUnavailable as error:
        st.error(str(error), icon=":material/database:")


# --- one image at a time, alone or in a game ----------------------------------------------------------


def question(round_: Round, place: int, choice: int | None, probabilities: np.ndarray, on_choice, on_next, key: str) -> None:
    """Image `place` of the round beside the 10 class buttons, or (once answered) beside the truth, the player's
    and the model's answers. Side by side where there is room; on a phone the buttons come under the image."""
    image = state.test_split()[0][round_.images[place]]
    truth = round_.truths[place]
    title = f"Image {place + 1} of {len(round_)}"
    st.markdown(f"**{title}**")
    # Widths are in pixels, text in rem: presenter mode's larger type needs wider buttons, or "T-shirt/top" is cut.
    rem = share.scale()
    button_px, image_px = round(BUTTON_PX * rem), round(IMAGE_PX * rem)
    choices_px = 3 * button_px + round(2 * CHOICES_GAP_PX * rem)
    picture = plots.data_uri(plots.enlarge(image, scale=IMAGE_SCALE))
    with st.container(horizontal=True, wrap=True, gap="medium"):
        if choice is None:
            st.image(picture, width=image_px, alt=f"{title}: which class is it?")
            with st.container(horizontal=True, wrap=True, gap="xsmall", width=choices_px, key=f"{key}-choices"):
                for label, name in enumerate(CLASS_NAMES):
                    st.button(name, key=f"{key}-choice-{label}", on_click=on_choice, args=(place, label), width=button_px)
            return
        st.image(picture, width=image_px, alt=f"{title}: a {CLASS_NAMES[truth]}.")
        with st.container(width=choices_px):
            palette = state.palette()
            mark, colour = ("✓", palette.right_md) if choice == truth else ("✗", palette.wrong_md)
            st.markdown(f"It is a **{CLASS_NAMES[truth]}**.")
            st.markdown(f"You: :{colour}[{mark} {CLASS_NAMES[choice]}]")
            st.markdown(f"The model: {widgets.caption(probabilities, truth, palette)}")
            last = place + 1 == len(round_)
            st.button("See the score" if last else "Next image", key=f"{key}-next", type="primary", on_click=on_next,
                      icon=":material/arrow_forward:")


def shown_error() -> None:
    if ERROR in st.session_state:
        st.error(st.session_state.pop(ERROR), icon=":material/error:")


# --- alone --------------------------------------------------------------------------------------------


@dataclass
class Play:
    """One person's round in this session: the round, the model's probabilities for its images, the answers."""

    round: Round
    probabilities: np.ndarray
    choices: dict[int, int] = field(default_factory=dict)
    place: int = 0


def new_play(difficulty: str) -> None:
    probabilities = state.test_probabilities()
    round_ = games.new_round(probabilities, state.test_split()[1], difficulty, seed=secrets.randbelow(2**31))
    st.session_state[SOLO] = Play(round_, probabilities[list(round_.images)])


def alone() -> None:
    """The image and its answers first, the round's settings under them: on a phone all 10 answers then fit
    the first screen with the image (with the settings above, only 4 did)."""
    if SOLO not in st.session_state:
        new_play(st.session_state.get(DIFFICULTY, "random"))
    play: Play = st.session_state[SOLO]

    def choose(place: int, label: int) -> None:
        play.choices.setdefault(place, label)

    def next_image() -> None:
        play.place += 1

    if play.place < len(play.round):
        place = play.place
        question(play.round, place, play.choices.get(place), play.probabilities[place], choose, next_image, "quiz.solo")
    else:
        yours = sum(play.choices[i] == play.round.truths[i] for i in range(len(play.round)))
        st.subheader(f"You: {yours} of {len(play.round)}. The model: {play.round.model_score()} of {len(play.round)}.")
        st.caption(f"People score about {report.HUMAN_ACCURACY:.1%} on Fashion-MNIST. Press New round to play again.")
    with st.container(horizontal=True, wrap=True, vertical_alignment="bottom"):
        difficulty = st.segmented_control("Images", list(games.DIFFICULTIES), default="random", required=True,
                                          key=DIFFICULTY, format_func=games.DIFFICULTIES.get)
        st.button("New round", key="quiz.new-round", icon=":material/refresh:", on_click=new_play, args=(difficulty,))


# --- a class game ---------------------------------------------------------------------------------------


def join_form(code: str = "") -> None:
    st.subheader("Join a class game")
    with st.form("quiz.join", border=True):
        code = st.text_input("Join code", value=code, max_chars=12, placeholder="e.g. K7MPQ2")
        nickname = st.text_input("Nickname", max_chars=games.NICKNAME_MAX, help="1 to 20 letters; everyone in the game sees it.")
        joined = st.form_submit_button("Join", type="primary", icon=":material/login:")
    if joined:
        try:
            token = quiz_store().join(code, nickname)
        except QuizError as error:
            st.error(str(error), icon=":material/error:")
            return
        st.query_params[GAME] = games.normalise_code(code)
        st.query_params[PLAYER] = token
        st.rerun()


def start_form() -> None:
    st.subheader("Start a game for your class")
    with st.container(horizontal=True, wrap=True, vertical_alignment="bottom"):
        difficulty = st.segmented_control("Images", list(games.DIFFICULTIES), default="random", required=True,
                                          key="quiz.game-difficulty", format_func=games.DIFFICULTIES.get)
        start = st.button("Start a game", key="quiz.create", icon=":material/groups:")
    if start:
        # A game's model is a shipped one: a game outlives the session that trained a model.
        model = state.current_model() if state.current_model() in MODEL_NAMES else DEFAULT_MODEL
        seed = secrets.randbelow(2**31)
        round_ = games.new_round(state.shipped_test_probabilities(model), state.test_split()[1], difficulty, seed)
        game, token = quiz_store().create_game(round_, difficulty, model, seed)
        st.session_state.setdefault(HOSTING, {})[game.code] = token
        st.session_state[CREATED] = game.code
        st.query_params[GAME] = game.code
        st.rerun()


def leave() -> None:
    st.query_params.pop(GAME, None)
    st.query_params.pop(PLAYER, None)


def class_game(code: str) -> None:
    try:
        game = quiz_store().game(code)
    except QuizError as error:
        st.error(str(error), icon=":material/error:")
        st.button("Back to the quiz", key="quiz.leave", on_click=leave)
        return
    hosting = st.session_state.setdefault(HOSTING, {})
    for host in (st.query_params.pop(HOST, None), st.context.cookies.get(HOST_COOKIE + game.code)):
        # (isinstance: AppTest's pretend browser answers a cookie with a mock)
        if game.code not in hosting and isinstance(host, str) and quiz_store().is_creator(game.code, host):
            hosting[game.code] = host
    host_token = hosting.get(game.code)
    if host_token is not None:
        teacher(game, host_token)
    elif st.query_params.get(PLAYER):
        student(game, st.query_params[PLAYER])
    else:
        join_form(game.code)


def teacher(game: games.GameInfo, token: str) -> None:
    remember_host(game, token)
    shown_error()
    with st.container(horizontal=True, wrap=True, gap="large"):
        with st.container(width=300):
            st.markdown(f"Join code\n# {game.code}")
            if not st.context.url:  # as under AppTest: no browser has said the address yet
                st.caption("The QR code appears once the page is open in a browser.")
            else:
                join_url = f"{st.context.url}?{GAME}={game.code}"
                st.image(share.qr_image(join_url), width=260, alt=f"QR code to join game {game.code}: {join_url}")
                st.caption(f"Scan it, or open the Quiz page and type the code. {games.DIFFICULTIES[game.difficulty]}.")
            teachers_link(game, token)
        with st.container(width="stretch"):
            st.markdown(f"**{STATE_WORDS[game.state]}**")
            with st.container(horizontal=True, wrap=True):
                if game.state == LOBBY:
                    st.button("Start", key="quiz.start", type="primary", icon=":material/play_arrow:",
                              on_click=_host, args=("start", game.code, token))
                if game.state == RUNNING:
                    st.button("End the game", key="quiz.end", type="primary", icon=":material/stop:",
                              on_click=_host, args=("end", game.code, token))
                st.button("Reset", key="quiz.reset", icon=":material/restart_alt:",
                          on_click=_host, args=("reset", game.code, token),
                          help="Back to waiting for players, every answer cleared.")
                st.button("Leave", key="quiz.leave", icon=":material/logout:", on_click=leave)
            live(game.code, game.state)
    if game.state == ENDED:
        final_report(game)


def remember_host(game: games.GameInfo, token: str) -> None:
    """A cookie of this browser, for the game's day, that gives the controls back when the teacher reloads the
    plain `?game=CODE` address: nothing on the screen, in the address bar or in a shared link shows it."""
    seconds = int(games.GAME_LIFETIME.total_seconds())  # at most a day too long: an expired game's cookie opens nothing
    cookie = f"{HOST_COOKIE}{game.code}={token}; max-age={seconds}; path=/; SameSite=Strict"
    st.html(f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True)


def teachers_link(game: games.GameInfo, token: str) -> None:
    """The creator token as a link, for the controls on another computer or in a browser without cookies; never
    on a projector (presenter mode), folded elsewhere, and announced once, just after the game is created."""
    if share.presenting() or not st.context.url:
        return
    if st.session_state.get(CREATED) == game.code:
        st.info("This browser keeps your Start, End and Reset buttons, even after a reload. For them on another "
                "computer, keep your teacher's link below — and don't show it on the projector.", icon=":material/key:")
        del st.session_state[CREATED]
    with st.expander("Your teacher's link (keep it private)", icon=":material/key:"):
        st.caption("It gives back the Start, End and Reset buttons on another computer or browser. Copy it with the "
                   "button at its right.")
        st.code(f"{st.context.url}?{GAME}={game.code}&{HOST}={token}", language=None, wrap_lines=True)


def _host(action: str, code: str, token: str) -> None:
    try:
        getattr(quiz_store(), action)(code, token)
    except QuizError as error:
        st.session_state[ERROR] = str(error)


def student(game: games.GameInfo, token: str) -> None:
    try:
        player = quiz_store().player(game.code, token)
    except QuizError as error:
        st.error(str(error), icon=":material/error:")
        join_form(game.code)
        return
    shown_error()
    st.text(f"Game {game.code} · playing as {player.nickname}")
    if game.state == LOBBY:
        st.info("Waiting for your teacher to start the game…", icon=":material/hourglass_top:")
        live(game.code, game.state)
        return
    if game.state == ENDED:
        final_report(game)
        live(game.code, game.state)  # the board, and a reset by the teacher
        return
    place_key = f"quiz.place.{token}"
    # A reload (a new session) starts at the first image not answered; a reset by the teacher, at the first image.
    place = min(st.session_state.setdefault(place_key, player.place), player.place)

    def choose(place: int, label: int) -> None:
        try:
            quiz_store().answer(game.code, token, place, label)
        except QuizError as error:
            st.session_state[ERROR] = str(error)

    def next_image() -> None:
        st.session_state[place_key] = place + 1

    round_ = game.round
    if place < len(round_):
        probabilities = state.shipped_test_probabilities(game.model)[round_.images[place]]
        question(round_, place, player.choices.get(place), probabilities, choose, next_image, "quiz.game")
        return  # no polling while answering: a click after the end says so, and the next run shows the results
    yours = sum(player.choices.get(i) == round_.truths[i] for i in range(len(round_)))
    st.subheader(f"You: {yours} of {len(round_)}. The model: {round_.model_score()} of {len(round_)}.")
    st.caption("Wait for your teacher to end the game for the class's results.")
    live(game.code, game.state)


@st.fragment(run_every=REFRESH_S)
def live(code: str, drawn_state: str) -> None:
    """Looks at the game every few seconds: the leaderboard, and the whole page again when the game starts or ends."""
    try:
        game = quiz_store().game(code)
    except QuizError:
        return
    if game.state != drawn_state:
        st.rerun(scope="app")
    leaderboard(quiz_store().standings(code), game)


def leaderboard(standings: list[games.Standing], game: games.GameInfo) -> None:
    """One line a player, in up to 3 columns, so a class of 30 fits a projector's screen (a phone stacks them).
    Before the start only who has joined; the model's score once the game is over (it would say how hard the
    images are)."""
    with st.container(border=True, key="quiz-leaderboard"):
        st.markdown(f"**Joined: {len(standings)}**" if game.state == LOBBY else "**Leaderboard** (right / answered)")
        if not standings:
            st.caption("No one has joined yet.")
        lines = [board_line(rank, standing, game.state) for rank, standing in zip(games.ranks(standings), standings)]
        columns = min(BOARD_COLUMNS, math.ceil(len(lines) / BOARD_ROWS))
        if columns:
            rows = math.ceil(len(lines) / columns)
            for column, first in zip(st.columns(columns, gap="medium"), range(0, len(lines), rows)):
                with column.container(gap=None):
                    for line in lines[first:first + rows]:
                        st.text(line)  # plain text, never Markdown or HTML
        if game.state == ENDED:
            st.caption(f"The model: {game.round.model_score()} right of {len(game.round)}.")


def board_line(rank: int, standing: games.Standing, state: str) -> str:
    if state == LOBBY:
        return standing.nickname  # no rank and no "0/0" before anyone could answer
    return f"{rank}. {standing.nickname} — {standing.correct}/{standing.answered}"


def final_report(game: games.GameInfo) -> None:
    summary = report.summarize(game.round, quiz_store().answers(game.code), model_confusion(game.model))
    st.subheader("The class against the model")
    if summary.class_accuracy is None:
        st.write("No one answered in this game.")
    else:
        with st.container(horizontal=True, wrap=True):
            st.metric("The class", f"{summary.class_accuracy:.0%}", border=True)
            st.metric("The model, on the same images", f"{summary.model_accuracy:.0%}", border=True)
            st.metric("People (Zalando's study)", f"{report.HUMAN_ACCURACY:.1%}", border=True)
        st.caption(f"{summary.answers} answers.")
        for sentence in summary.confusions or [report.NO_CONFUSIONS]:
            st.markdown(f"- {sentence}")
