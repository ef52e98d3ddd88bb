"""The database handle, the model base class, the column types every area uses (UTC
datetimes, portable enums) and SQLite settings for concurrent writers."""

import contextvars
import enum
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, Enum, MetaData, event
from sqlalchemy.engine import Result
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
log = logging.getLogger(__name__)


class UTCDateTime(TypeDecorator):
    """An aware datetime, stored as UTC on every database and returned aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        value = value.astimezone(UTC)
        # SQLite has no time zone type; keep the stored text uniform.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR with a CHECK constraint, storing the values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


# SQLite: how the next transaction on this thread begins. Requests that only read use
# DEFERRED so they never queue behind writers; everything else takes the write lock at once.
sqlite_begin_mode: contextvars.ContextVar[str] = contextvars.ContextVar(
    "sqlite_begin_mode", default="IMMEDIATE"
)


def _is_sqlite_connection(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """WAL for concurrent readers, a busy timeout for queued writers, enforced foreign keys."""
    if not _is_sqlite_connection(dbapi_connection):
        return
    # Let SQLAlchemy's begin event (below) emit BEGIN instead of the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() knows only ASCII; searches for "Østfold" need Unicode case folding.
    dbapi_connection.create_function(
        "lower",
        1,
        lambda value: value.lower() if isinstance(value, str) else value,
        deterministic=True,
    )


@contextmanager
def immediate_transactions() -> Iterator[None]:
    """Outside a request (the worker): begin each transaction with SQLite's write lock."""
    token = sqlite_begin_mode.set("IMMEDIATE")
    try:
        yield
    finally:
        sqlite_begin_mode.reset(token)


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    """Take SQLite's write lock at the start of a write transaction (BEGIN IMMEDIATE).

    A deferred transaction that reads, then writes, can fail with SQLITE_BUSY when another
    writer got in between; taking the lock first makes writers queue instead.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"BEGIN {sqlite_begin_mode.get()}")


# A connection back in the pool for less than this is handed out without a ping: it worked
# a moment ago, and on a busy server a ping per request is one more round trip on every
# sign-up (HikariCP's aliveBypassWindow does the same). A connection idle for longer is
# pinged first, so a database restart during a quiet spell costs no request an error. A
# connection that died inside the window fails its first statement instead, and that
# statement is run again on a new connection (_retry_first_statement_after_disconnect).
PING_AFTER_IDLE_SECONDS = 1.0


def ping_connections_after_idle(engine: Engine) -> None:
    """Check that a pooled connection still answers before use, if it sat idle a while."""
    if engine.dialect.name == "sqlite":
        return  # a file, not a server: there is no connection to lose

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _note_last_use(dbapi_connection, connection_record) -> None:
        connection_record.info["last_used"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
        last_used = connection_record.info.get("last_used", 0.0)
        if time.monotonic() - last_used < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool replaces this connection, and every other one pooled before now: one
            # dead connection means a restart or failover, which took the others too.
            raise InvalidatePoolError("the pooled connection no longer answers") from error


@event.listens_for(db.session, "do_orm_execute")
def _retry_first_statement_after_disconnect(state: ORMExecuteState) -> Result | None:
    """Run a transaction's first statement once more if its pooled connection was dead.

    Nothing of the transaction can have been written then (its first statement failed, and
    the server rolls back what a lost connection had not committed), so running it again on
    a new connection is the same as having had a live one. SQLAlchemy has already
    invalidated the pool, so the retry connects afresh. Later statements are never retried:
    what came before them in the transaction is lost with the connection.
    """
    session = state.session
    # Pending changes would be flushed first, as part of this statement, and the rollback
    # below would drop them: only a session with nothing to write is retried.
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        return None
    try:
        return state.invoke_statement()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("lost a pooled connection (%s); running the statement again", error.orig)
    session.rollback()
    return state.invoke_statement()


def render_migration_item(type_, obj, autogen_context):
    """Alembic hook: write our UTCDateTime as a plain timezone-aware DateTime in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
