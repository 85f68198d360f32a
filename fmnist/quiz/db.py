"""Where the quiz keeps its games: SQLite in the project's data folder by default, any database by URL.

`FMNIST_DB_URL` (a SQLAlchemy URL, e.g. `postgresql+psycopg://user:pass@host/db`) picks another database,
for several app replicas sharing one. The schema is brought up to date by the Alembic migrations shipped
in `migrations/` every time an engine is opened, so a new release migrates the database on start.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from fmnist.config import PROJECT_ROOT

DB_URL_ENV = "FMNIST_DB_URL"
DEFAULT_DB_FILE = PROJECT_ROOT / "data" / "quiz.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 30  # SQLite: how long a writer waits for another's lock before giving up
_MIGRATION_LOCK = 0x464D4E49  # PostgreSQL advisory lock: two replicas starting at once migrate one after the other


class DatabaseUnavailable(Exception):
    """The database cannot be opened or migrated; the message says which and how to fix it."""


def database_url() -> str:
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{DEFAULT_DB_FILE}"


def open_engine(url: str | None = None) -> Engine:
    """An engine on `url` (default: `database_url()`), its schema migrated to the latest revision."""
    url = make_url(url or database_url())
    try:
        if url.get_backend_name() == "sqlite":
            engine = _sqlite_engine(url)
        else:
            engine = create_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True)
        migrate(engine)
    except (OSError, SQLAlchemyError) as error:
        raise DatabaseUnavailable(
            f"The quiz's database ({url.render_as_string(hide_password=True)}) cannot be opened: "
            f"{str(error).splitlines()[0]}. Set {DB_URL_ENV} to a database this server can write to."
        ) from error
    return engine


def _sqlite_engine(url) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, pool_size=10, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        """WAL: readers (the leaderboard) never wait for a writer, and a commit is one append."""
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def migrate(engine: Engine) -> None:
    """Run the shipped Alembic migrations up to "head" (no alembic.ini: the Config is built here)."""
    from alembic import command  # imported when a database is opened: ~0.5 s the app's start need not pay
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None before any migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
