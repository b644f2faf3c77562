"""Connections: which database to talk to, and how, without leaking passwords.

Precedence: --dsn, then ATTRIB_DSN, then the libpq environment (PGHOST,
PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ...), exactly as psql would.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from typing import Iterator

import psycopg
import sqlalchemy
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .errors import AttribError

CONNECT_TIMEOUT_SECONDS = 10


def resolve_dsn(dsn: str | None) -> str:
    """The DSN to use; empty means "let libpq read its environment"."""
    if dsn:
        return dsn
    return os.environ.get("ATTRIB_DSN", "")


def mask_dsn(dsn: str) -> str:
    """The DSN as it may be shown: any password replaced by ***."""
    if not dsn:
        return "(libpq environment)"
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", dsn)
    if "password" in params:
        params["password"] = "***"
    return make_conninfo(**params)


def scrub(text: str, dsn: str) -> str:
    """Remove the DSN's password from a message, wherever a driver echoed it."""
    try:
        password = conninfo_to_dict(dsn).get("password") if dsn else None
    except psycopg.ProgrammingError:
        password = None
    password = password or os.environ.get("PGPASSWORD")
    if password:
        text = text.replace(str(password), "***")
    return text


def connect(dsn: str, *, autocommit: bool = True) -> psycopg.Connection:
    """A psycopg connection, or an AttribError that says how to fix the DSN."""
    kwargs: dict[str, object] = {"autocommit": autocommit}
    if "connect_timeout" not in dsn:
        kwargs["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        return psycopg.connect(dsn, **kwargs)  # type: ignore[arg-type]
    except (psycopg.OperationalError, psycopg.ProgrammingError) as exc:
        message = scrub(str(exc).strip(), dsn)
        raise AttribError(
            f"cannot connect to {mask_dsn(dsn)}: {message}\n"
            "HINT: pass --dsn or set ATTRIB_DSN (e.g. postgresql://user@host:5432/db); "
            "`attrib db up` starts a local cluster and prints its DSN."
        ) from None


def engine(dsn: str) -> sqlalchemy.Engine:
    """A SQLAlchemy engine over psycopg 3 that accepts any libpq DSN form."""
    return sqlalchemy.create_engine(
        "postgresql+psycopg://",
        creator=lambda: connect(dsn, autocommit=False),
        poolclass=sqlalchemy.pool.NullPool,
    )


@contextmanager
def connection(dsn: str, *, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    conn = connect(dsn, autocommit=autocommit)
    try:
        yield conn
    finally:
        conn.close()
