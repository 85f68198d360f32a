"""The rules of the quiz: a round of images, class games with join codes, players, answers, standings.

Everything a game is lives in the database (`Quiz` is stateless over an engine), so any app process, a
restarted one included, carries on a game where it was, and a player who reloads keeps their place: their
place is the number of answers stored. Every answer is stored exactly once: a unique key on game, player and
the image's place in the round, and a second insert of the same key is ignored (on any database).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import Engine, Integer, cast, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from fmnist.config import NUM_CLASSES
from fmnist.quiz.db import sessions
from fmnist.quiz.schema import Answer, Game, Player

ROUND_LENGTH = 10
DIFFICULTIES = {"random": "Random images", "hardest": "The model's hardest"}
HARDEST_POOL = 200  # "the model's hardest": a round drawn from the 200 test images it is least sure of
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, none to mistake for another (no O/0, I/1)
CODE_LENGTH = 6  # 32**6 ≈ 1.07 billion codes, drawn at random: not guessable by counting
GAME_LIFETIME = timedelta(days=1)
NICKNAME_MAX = 20
LOBBY, RUNNING, ENDED = "lobby", "running", "ended"


class QuizError(Exception):
    """Something a player or teacher can cause; the message is one sentence to show them."""


class GameNotFound(QuizError):
    pass


class NotAllowed(QuizError):
    pass


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# --- a round: the same images, in the same order, for everyone in a game ---------------------------


@dataclass(frozen=True)
class Round:
    """Test-split indices, their true classes and the model's answers, in the order they are shown."""

    images: tuple[int, ...]
    truths: tuple[int, ...]
    model_answers: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.images)

    def model_score(self, positions=None) -> int:
        """How many of the round's images (or of `positions`) the model got right."""
        positions = range(len(self)) if positions is None else positions
        return sum(self.model_answers[i] == self.truths[i] for i in positions)


def new_round(probabilities: np.ndarray, labels: np.ndarray, difficulty: str, seed: int, length: int = ROUND_LENGTH) -> Round:
    """A round of `length` distinct test images: any, or among those the model is least sure of."""
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}, not {difficulty!r}")
    if difficulty == "hardest":
        pool = np.argsort(probabilities.max(axis=1), kind="stable")[:HARDEST_POOL]
    else:
        pool = np.arange(len(labels))
    images = np.random.default_rng(seed).choice(pool, size=length, replace=False)
    return Round(
        images=tuple(int(i) for i in images),
        truths=tuple(int(labels[i]) for i in images),
        model_answers=tuple(int(probabilities[i].argmax()) for i in images),
    )


def _join(numbers) -> str:
    return ",".join(str(int(n)) for n in numbers)


def _split(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split(",")) if text else ()


# --- what the store hands out: plain snapshots, no live database objects ------------------------------


@dataclass(frozen=True)
class GameInfo:
    code: str
    state: str
    difficulty: str
    model: str
    round: Round
    expires_at: datetime


@dataclass(frozen=True)
class PlayerInfo:
    nickname: str
    token: str
    choices: dict[int, int]  # the image's place in the round -> the class chosen

    @property
    def place(self) -> int:
        """The first image not answered yet (the round's length when done)."""
        place = 0
        while place in self.choices:
            place += 1
        return place


@dataclass(frozen=True)
class Standing:
    nickname: str
    correct: int
    answered: int


def ranks(standings: list[Standing]) -> list[int]:
    """Each player's place, shared by equal scores (same right, same answered): 1, 2, 2, 4."""
    places: list[int] = []
    for i, standing in enumerate(standings):
        tied = i > 0 and (standing.correct, standing.answered) == (standings[i - 1].correct, standings[i - 1].answered)
        places.append(places[-1] if tied else i + 1)
    return places


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a student typed, as stored: capitals, no spaces or dashes."""
    return "".join(code.split()).replace("-", "").upper()


def check_nickname(nickname: str) -> str:
    """The nickname as kept (outer spaces dropped), or QuizError with the rule."""
    nickname = " ".join(nickname.split())
    if not 1 <= len(nickname) <= NICKNAME_MAX or not nickname.isprintable():
        raise QuizError(f"Choose a nickname of 1 to {NICKNAME_MAX} letters, digits or signs.")
    return nickname


class Quiz:
    """Class games over a database engine (see fmnist.quiz.db.open_engine); safe to share between threads."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessions(engine)

    # --- the teacher ---

    def create_game(
        self, round_: Round, difficulty: str, model: str, seed: int, now: datetime | None = None
    ) -> tuple[GameInfo, str]:
        """A new game in the lobby; returns it and the creator's token, the only key to start, end or reset it."""
        now = now or now_utc()
        self.purge_expired(now)
        token = secrets.token_urlsafe(24)
        for _ in range(5):  # a clash of random codes is one in a billion; retry anyway
            game = Game(
                code=new_code(), creator_token=token, difficulty=difficulty, model=model, seed=seed,
                images=_join(round_.images), truths=_join(round_.truths), model_answers=_join(round_.model_answers),
                state=LOBBY, created_at=now, expires_at=now + GAME_LIFETIME,
            )
            try:
                with self._sessions.begin() as session:
                    session.add(game)
                return _info(game), token
            except IntegrityError:
                continue
        raise QuizError("Could not find a free join code: try again.")

    def start(self, code: str, creator_token: str) -> None:
        self._set_state(code, creator_token, RUNNING)

    def end(self, code: str, creator_token: str) -> None:
        self._set_state(code, creator_token, ENDED)

    def reset(self, code: str, creator_token: str) -> None:
        """Back to the lobby with every answer cleared; the players stay."""
        with self._sessions.begin() as session:
            game = self._game(session, code)
            self._check_creator(game, creator_token)
            session.execute(delete(Answer).where(Answer.game_id == game.id))
            game.state = LOBBY

    def _set_state(self, code: str, creator_token: str, state: str) -> None:
        with self._sessions.begin() as session:
            game = self._game(session, code)
            self._check_creator(game, creator_token)
            game.state = state

    @staticmethod
    def _check_creator(game: Game, creator_token: str | None) -> None:
        if not _same_token(game.creator_token, creator_token):
            raise NotAllowed("Only the teacher who started this game can start, end or reset it.")

    def is_creator(self, code: str, creator_token: str | None) -> bool:
        with self._sessions() as session:
            return _same_token(self._game(session, code).creator_token, creator_token)

    # --- everyone ---

    def game(self, code: str, now: datetime | None = None) -> GameInfo:
        with self._sessions() as session:
            return _info(self._game(session, code, now))

    def _game(self, session, code: str, now: datetime | None = None) -> Game:
        game = session.scalars(
            select(Game).where(Game.code == normalise_code(code), Game.expires_at > (now or now_utc()))
        ).one_or_none()
        if game is None:
            raise GameNotFound("There is no game with this code (games last a day): check the code with your teacher.")
        return game

    def join(self, code: str, nickname: str, now: datetime | None = None) -> str:
        """Add a player; returns their token, which keeps their place in the game (e.g. in the URL)."""
        nickname = check_nickname(nickname)
        now = now or now_utc()
        token = secrets.token_urlsafe(24)
        try:
            with self._sessions.begin() as session:
                game = self._game(session, code, now)
                if game.state == ENDED:
                    raise QuizError("This game has ended: ask your teacher for a new code.")
                session.add(Player(game_id=game.id, nickname=nickname, nickname_key=nickname.casefold(), token=token,
                                   joined_at=now))
        except IntegrityError:
            raise QuizError("Someone in this game already has that nickname: choose another.") from None
        return token

    def player(self, code: str, token: str) -> PlayerInfo:
        with self._sessions() as session:
            game = self._game(session, code)
            player = self._player(session, game, token)
            choices = dict(session.execute(select(Answer.position, Answer.choice).where(Answer.player_id == player.id)).all())
            return PlayerInfo(nickname=player.nickname, token=player.token, choices=choices)

    @staticmethod
    def _player(session, game: Game, token: str) -> Player:
        player = session.scalars(select(Player).where(Player.game_id == game.id, Player.token == token)).one_or_none()
        if player is None:
            raise NotAllowed("This link is not a player of this game: join with the code and a nickname.")
        return player

    def answer(self, code: str, token: str, position: int, choice: int, now: datetime | None = None) -> bool:
        """Store a player's answer to the image at `position`; False when that answer was already stored.

        The hot path of a class game: one query for the game and the player together, one insert, in SQL
        without the ORM (50 players answering at once are 50 of these at once).
        """
        now = now or now_utc()
        with self.engine.connect() as connection:
            row = connection.execute(
                select(Game.id, Game.state, Game.truths, Player.id)
                .join(Player, Player.game_id == Game.id)
                .where(Game.code == normalise_code(code), Game.expires_at > now, Player.token == token)
            ).one_or_none()
            if row is None:
                self.game(code, now)  # GameNotFound when the game is the reason
                raise NotAllowed("This link is not a player of this game: join with the code and a nickname.")
            game_id, state, truths, player_id = row
            if state != RUNNING:
                raise QuizError("The game is not running: wait for your teacher." if state == LOBBY else "The game has ended.")
            truths = _split(truths)
            if not 0 <= position < len(truths) or not 0 <= choice < NUM_CLASSES:
                raise QuizError("There is no such image in this round.")
            try:
                connection.execute(insert(Answer).values(
                    game_id=game_id, player_id=player_id, position=position, choice=choice,
                    correct=choice == truths[position], answered_at=now,
                ))
                connection.commit()
            except IntegrityError:  # the same answer again (a double click, a retry): it is stored already
                connection.rollback()
                return False
        return True

    def standings(self, code: str) -> list[Standing]:
        """Every player, best first (then the fewest answers, then by name)."""
        with self._sessions() as session:
            game = self._game(session, code)
            correct = func.coalesce(func.sum(cast(Answer.correct, Integer)), 0)
            rows = session.execute(
                select(Player.nickname, correct, func.count(Answer.id))
                .outerjoin(Answer, Answer.player_id == Player.id)
                .where(Player.game_id == game.id)
                .group_by(Player.id, Player.nickname)
            ).all()
        standings = [Standing(nickname, int(right), int(answered)) for nickname, right, answered in rows]
        return sorted(standings, key=lambda s: (-s.correct, s.answered, s.nickname.casefold()))

    def answers(self, code: str) -> list[tuple[int, int]]:
        """Every answer of the game as (place in the round, class chosen)."""
        with self._sessions() as session:
            game = self._game(session, code)
            rows = session.execute(select(Answer.position, Answer.choice).where(Answer.game_id == game.id))
            return [tuple(row) for row in rows]

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete games past their day, with their players and answers; returns how many."""
        with self._sessions.begin() as session:
            expired = select(Game.id).where(Game.expires_at <= (now or now_utc()))
            session.execute(delete(Answer).where(Answer.game_id.in_(expired)))
            session.execute(delete(Player).where(Player.game_id.in_(expired)))
            return session.execute(delete(Game).where(Game.id.in_(expired))).rowcount


def _same_token(expected: str, given: str | None) -> bool:
    """In constant time, so the answer's timing does not spell the token out."""
    return bool(given) and secrets.compare_digest(expected.encode(), given.encode())


def _info(game: Game) -> GameInfo:
    return GameInfo(
        code=game.code, state=game.state, difficulty=game.difficulty, model=game.model,
        round=Round(_split(game.images), _split(game.truths), _split(game.model_answers)), expires_at=game.expires_at,
    )
