"""The quiz's storage and rules on real databases: SQLite (a file, as the app uses it) and PostgreSQL.

PostgreSQL runs when FMNIST_TEST_PG_URL names one (`.ci/run` starts Debian's); without it these tests
skip locally and fail in CI, so CI cannot pass without PostgreSQL.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import create_engine, inspect, text

from fmnist.config import CLASS_NAMES
from fmnist.quiz import db, games, report
from fmnist.quiz.games import CODE_ALPHABET, ENDED, LOBBY, RUNNING, GameNotFound, NotAllowed, Quiz, QuizError, Round

PG_URL_ENV = "FMNIST_TEST_PG_URL"
ROUND = Round(images=tuple(range(100, 110)), truths=(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), model_answers=(0, 1, 2, 3, 4, 5, 0, 7, 8, 9))


def _require_postgresql() -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        message = f"{PG_URL_ENV} is not set: start PostgreSQL (apt-get install postgresql) and point it at a database"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def postgresql_engine():
    """One engine for the session, on a database emptied first so the migrations run from nothing
    (so FMNIST_TEST_PG_URL must name a throwaway database, as `.ci/run`'s is)."""
    engine = create_engine(_require_postgresql())
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS answers, players, games, alembic_version"))
    engine.dispose()
    engine = db.open_engine(_require_postgresql())
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = db.open_engine(f"sqlite:///{tmp_path / 'quiz.db'}")
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgresql_engine")
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE answers, players, games RESTART IDENTITY"))
        yield engine


@pytest.fixture
def quiz(engine):
    return Quiz(engine)


def new_game(quiz: Quiz, **kwargs):
    return quiz.create_game(ROUND, "random", "cnn", seed=1, **kwargs)


def test_the_migrations_create_the_tables_and_a_second_start_changes_nothing(engine):
    assert db.revision(engine) == "0001"
    tables = set(inspect(engine).get_table_names())
    assert {"games", "players", "answers", "alembic_version"} <= tables
    uniques = {u["name"]: u["column_names"] for u in inspect(engine).get_unique_constraints("answers")}
    assert uniques["uq_answers_game_player_position"] == ["game_id", "player_id", "position"]
    db.migrate(engine)  # as on every app start
    assert db.revision(engine) == "0001"


def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = db.open_engine(f"sqlite:///{tmp_path / 'nested' / 'quiz.db'}")  # the folder is made
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_a_game_from_join_to_standings(quiz):
    game, creator = new_game(quiz)
    assert game.state == LOBBY and game.round == ROUND
    ana = quiz.join(game.code, "Ana")
    ben = quiz.join(game.code.lower(), "  Ben ")  # as typed on a phone
    quiz.start(game.code, creator)
    assert quiz.game(game.code).state == RUNNING
    for place in range(10):
        assert quiz.answer(game.code, ana, place, ROUND.truths[place])
    for place in range(4):
        quiz.answer(game.code, ben, place, 6)  # Shirt every time: right once (place 6 is not among them)
    assert quiz.player(game.code, ben).place == 4
    assert quiz.player(game.code, ben).nickname == "Ben"
    assert [(s.nickname, s.correct, s.answered) for s in quiz.standings(game.code)] == [("Ana", 10, 10), ("Ben", 0, 4)]
    quiz.end(game.code, creator)
    assert quiz.game(game.code).state == ENDED
    with pytest.raises(QuizError, match="ended"):
        quiz.answer(game.code, ben, 4, 4)


def test_an_answer_is_stored_once_and_the_first_choice_stays(quiz):
    game, creator = new_game(quiz)
    player = quiz.join(game.code, "Ana")
    quiz.start(game.code, creator)
    assert quiz.answer(game.code, player, 0, 3) is True
    assert quiz.answer(game.code, player, 0, 0) is False  # a double click or a retry
    assert quiz.player(game.code, player).choices == {0: 3}
    assert len(quiz.answers(game.code)) == 1


def test_fifty_players_answering_at_the_same_moment_are_counted_exactly(quiz):
    """50 threads, one per player, released together; each sends its 10 answers and every one of them twice."""
    game, creator = new_game(quiz)
    players = [quiz.join(game.code, f"Player {i}") for i in range(50)]
    quiz.start(game.code, creator)
    start = threading.Barrier(len(players))
    stored = [0] * len(players)
    errors = []

    def play(i: int) -> None:
        try:
            start.wait()
            for place in range(10):
                choice = ROUND.truths[place] if place < i % 11 else (ROUND.truths[place] + 1) % 10  # i % 11 right
                stored[i] += quiz.answer(game.code, players[i], place, choice)
                stored[i] += quiz.answer(game.code, players[i], place, choice)
        except Exception as error:  # noqa: BLE001 — reported below with the player
            errors.append((i, error))

    threads = [threading.Thread(target=play, args=(i,)) for i in range(len(players))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored == [10] * 50  # each answer stored by exactly one of its two sends
    assert len(quiz.answers(game.code)) == 500
    by_name = {s.nickname: s for s in quiz.standings(game.code)}
    assert all(by_name[f"Player {i}"].correct == min(i % 11, 10) and by_name[f"Player {i}"].answered == 10 for i in range(50))


def test_join_codes_are_random_from_32_symbols():
    assert len(CODE_ALPHABET) == len(set(CODE_ALPHABET)) == 32
    codes = [games.new_code() for _ in range(2000)]
    assert all(len(code) >= 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(set(codes)) == len(codes)  # 2,000 draws from ~10^9 codes: a repeat would mean counting, not chance
    assert len({code[0] for code in codes}) == 32


def test_a_game_expires_after_a_day_and_is_purged(quiz):
    old, _ = new_game(quiz, now=games.now_utc() - timedelta(hours=25))
    fresh, _ = new_game(quiz)
    with pytest.raises(GameNotFound, match="no game with this code"):
        quiz.game(old.code)
    with pytest.raises(GameNotFound):
        quiz.join(old.code, "Ana")
    assert quiz.game(fresh.code).state == LOBBY
    assert quiz.purge_expired(now=games.now_utc() + timedelta(hours=23)) == 0  # the fresh one still has an hour
    assert quiz.purge_expired(now=games.now_utc() + timedelta(hours=25)) == 1


def test_only_the_creator_starts_ends_or_resets(quiz):
    game, creator = new_game(quiz)
    other, other_creator = new_game(quiz)
    player = quiz.join(game.code, "Ana")
    for action in (quiz.start, quiz.end, quiz.reset):
        for token in (None, "", player, other_creator):
            with pytest.raises(NotAllowed, match="Only the teacher"):
                action(game.code, token)
    assert quiz.game(game.code).state == LOBBY
    assert quiz.is_creator(game.code, creator) and not quiz.is_creator(game.code, other_creator)
    with pytest.raises(QuizError, match="not running"):
        quiz.answer(game.code, player, 0, 0)  # before the start
    with pytest.raises(NotAllowed):
        quiz.player(other.code, player)  # a player of one game is nobody in another
    quiz.start(game.code, creator)
    quiz.answer(game.code, player, 0, 0)
    quiz.reset(game.code, creator)
    assert quiz.game(game.code).state == LOBBY and quiz.answers(game.code) == []
    assert quiz.player(game.code, player).place == 0  # the player stays, back at the first image


@pytest.mark.parametrize("nickname", ["", "   ", "x" * 21, "bell\x07", "zero\u200bwidth"])
def test_nicknames_outside_the_rules_are_refused_with_a_sentence(quiz, nickname):
    game, _ = new_game(quiz)
    with pytest.raises(QuizError, match=r"^Choose a nickname of 1 to 20 .*\.$"):
        quiz.join(game.code, nickname)


def test_duplicate_nicknames_are_refused_and_markup_is_kept_as_typed(quiz):
    game, _ = new_game(quiz)
    other, _ = new_game(quiz)
    quiz.join(game.code, "Ana")
    with pytest.raises(QuizError, match="^Someone in this game already has that nickname: choose another.$"):
        quiz.join(game.code, " ana ")
    quiz.join(other.code, "Ana")  # another game, another class
    quiz.join(game.code, "x" * 20)
    quiz.join(game.code, "<b>**Bo**</b>")
    quiz.join(game.code, "two\n lines")  # spaces and line breaks become one space
    assert {s.nickname for s in quiz.standings(game.code)} == {"Ana", "x" * 20, "<b>**Bo**</b>", "two lines"}


def test_a_restart_mid_game_goes_on_where_it_was(tmp_path):
    """A new engine on the same file is a restarted server: the game, its players and their places are there."""
    url = f"sqlite:///{tmp_path / 'quiz.db'}"
    engine = db.open_engine(url)
    before = Quiz(engine)
    game, creator = new_game(before)
    player = before.join(game.code, "Ana")
    before.start(game.code, creator)
    for place in range(3):
        before.answer(game.code, player, place, ROUND.truths[place])
    engine.dispose()

    after = Quiz(db.open_engine(url))
    assert after.game(game.code).state == RUNNING
    assert after.player(game.code, player).place == 3
    assert after.answer(game.code, player, 3, 0) is True
    assert after.answer(game.code, player, 2, 0) is False
    assert after.is_creator(game.code, creator)
    assert after.standings(game.code)[0].correct == 3
    after.engine.dispose()


def test_the_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(db.DB_URL_ENV, raising=False)
    assert db.database_url() == f"sqlite:///{db.DEFAULT_DB_FILE}"
    monkeypatch.setenv(db.DB_URL_ENV, f"sqlite:///{tmp_path / 'other.db'}")
    engine = db.open_engine()
    assert (tmp_path / "other.db").exists()
    engine.dispose()


def test_a_round_is_repeatable_and_hardest_means_least_sure():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), size=1000).astype(np.float32)
    labels = rng.integers(0, 10, size=1000)
    first = games.new_round(probabilities, labels, "hardest", seed=7)
    assert first == games.new_round(probabilities, labels, "hardest", seed=7)
    assert len(set(first.images)) == 10
    least_sure = set(np.argsort(probabilities.max(axis=1))[: games.HARDEST_POOL].tolist())
    assert set(first.images) <= least_sure
    assert first.truths == tuple(int(labels[i]) for i in first.images)
    assert first.model_answers == tuple(int(probabilities[i].argmax()) for i in first.images)
    assert games.new_round(probabilities, labels, "random", seed=8) != games.new_round(probabilities, labels, "random", seed=9)


def test_the_summary_says_where_the_class_and_the_model_went_wrong():
    confusion = np.zeros((10, 10), int)
    confusion[6, 6], confusion[6, 0], confusion[6, 2] = 929, 70, 1  # the model says T-shirt/top for 7 Shirts in 100
    answers = [(6, 0)] * 3 + [(6, 2)] * 2 + [(6, 6)] * 5 + [(0, 0)] * 10  # place 6 is a Shirt, which the model gets wrong here
    summary = report.summarize(ROUND, answers, confusion)
    assert summary.answers == 20
    assert summary.class_accuracy == pytest.approx(15 / 20)
    assert summary.model_accuracy == pytest.approx(10 / 20)
    assert summary.confusions == [  # Pullover twice: chance, not a pattern
        f"When the picture was a Shirt, the class said {CLASS_NAMES[0]} 3 times out of 10 "
        "(the model: 7 times in 100 on all Shirt test images)."
    ]
    assert report.summarize(ROUND, [], confusion).class_accuracy is None
    assert report.summarize(ROUND, [(6, 0)] * 2 + [(6, 2)] * 2, confusion).confusions == []  # the page says NO_CONFUSIONS


def test_a_confusion_in_words_a_teenager_reads_at_once():
    row = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    row[9], row[5], row[7] = 996, 3, 1  # the model on the 1,000 Ankle boots: Sandal 3 times, Sneaker once
    assert report.confusion_sentence(9, 7, 1, 2, row) == (
        "When the picture was an Ankle boot, the class said Sneaker 1 time out of 2 "
        "(the model: fewer than 1 time in 100 on all Ankle boot test images)."
    )
    row[5] = 10
    assert report.confusion_sentence(9, 5, 4, 9, row).endswith("said Sandal 4 times out of 9 (the model: 1 time in 100 on all Ankle boot test images).")
    row[5] = 0
    assert "(the model: never on all Ankle boot test images)" in report.confusion_sentence(9, 5, 3, 3, row)


def test_equal_scores_share_a_place():
    from fmnist.quiz.games import Standing, ranks

    board = [Standing("Ana", 9, 10), Standing("Ben", 7, 10), Standing("Cy", 7, 10), Standing("Di", 7, 10), Standing("Ed", 7, 12), Standing("Flo", 0, 0)]
    assert ranks(board) == [1, 2, 2, 2, 5, 6]
    assert ranks([]) == []
