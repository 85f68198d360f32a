"""The quiz's tables, as SQLAlchemy 2 models. The migrations in migrations/versions/ create them; keep both in step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Game(Base):
    """A class game: its join code, who may run it, and the round every player gets, in order."""

    __tablename__ = "games"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    creator_token: Mapped[str] = mapped_column(String(64))
    difficulty: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(40))
    seed: Mapped[int] = mapped_column(Integer)
    # The round, fixed at creation so a restart or a change of model cannot change it: test-split indices,
    # their true classes and the model's answers, comma-separated in the same order.
    images: Mapped[str] = mapped_column(Text)
    truths: Mapped[str] = mapped_column(Text)
    model_answers: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # "lobby", "running", "ended"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Player(Base):
    __tablename__ = "players"
    __table_args__ = (UniqueConstraint("game_id", "nickname_key", name="uq_players_game_nickname"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    nickname: Mapped[str] = mapped_column(String(20))
    nickname_key: Mapped[str] = mapped_column(String(40))  # casefolded: "Ana" and "ana" are one nickname
    token: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Answer(Base):
    """One player's answer to one image of the round: stored once, whatever the clicks and retries."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("game_id", "player_id", "position", name="uq_answers_game_player_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the image's place in the round, 0-based
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
