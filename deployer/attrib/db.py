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


# Every statement attrib sends resolves names through trusted schemas only:
# with the caller's search_path, a function another role planted in public
# (say public.nextval(text), which beats pg_catalog.nextval(regclass) for a
# quoted literal) would run with the caller's rights.
TRUSTED_SEARCH_PATH = "-c search_path=pg_catalog,pg_temp"


def _options(dsn: str) -> str:
    """The DSN's libpq options with the trusted search_path appended (it wins over an earlier one)."""
    try:
        given = conninfo_to_dict(dsn).get("options") if dsn else None
    except psycopg.ProgrammingError:
        given = None
    given = given or os.environ.get("PGOPTIONS")
    return f"{given} {TRUSTED_SEARCH_PATH}" if given else TRUSTED_SEARCH_PATH


def connect(dsn: str, *, autocommit: bool = True) -> psycopg.Connection:
    """A psycopg connection, or an AttribError that says how to fix the DSN."""
    kwargs: dict[str, object] = {"autocommit": autocommit, "options": _options(dsn)}
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
