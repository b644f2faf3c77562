"""Connections: which database to talk to, and how, without leaking passwords.

Precedence: --dsn, then ATTRIB_DSN, then the libpq environment (PGHOST,
PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ...), exactly as psql would.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import unquote

import psycopg
import sqlalchemy
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .errors import AttribError

CONNECT_TIMEOUT_SECONDS = 10


DSN_SOURCE = "the DSN given with --dsn/ATTRIB_DSN"

# Where a password starts in a DSN libpq may not be able to parse: a
# `password=` key (key=value form or a URL's query string, any case), or
# the `user:` of a URL's userinfo (`scheme://user:password@host`).
_PASSWORD_MARKER = re.compile(r"password\s*=|://[^/?#@\s]*:(?=.*@)", re.IGNORECASE | re.DOTALL)

# Every password this process was given (DSNs it resolved, PGPASSWORD): a
# message or output that echoes one is scrubbed before it is shown.
_SECRETS: set[str] = set()


def resolve_dsn(dsn: str | None) -> str:
    """The DSN to use; empty means "let libpq read its environment".

    A DSN libpq cannot parse stops here, before anything could echo it, with
    an error that shows it with its password masked.
    """
    value = dsn or os.environ.get("ATTRIB_DSN", "")
    remember_secrets(value)
    check_dsn(value)
    return value


def remember_secrets(dsn: str) -> None:
    """Note the DSN's password (every form of it) so that scrub removes it from any later message."""
    _SECRETS.update(_secrets_in(dsn))


def check_dsn(dsn: str) -> None:
    """Raise an AttribError (password masked) when libpq cannot parse the DSN."""
    if not dsn:
        return
    try:
        conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        # libpq's reason may quote a piece of the value it choked on: show it
        # only when the DSN holds no password at all.
        reason = "" if _PASSWORD_MARKER.search(dsn) else f" ({scrub(str(exc).strip(), dsn)})"
        raise AttribError(
            f"cannot parse {DSN_SOURCE}: {mask_dsn(dsn)}{reason}\n"
            "HINT: use a URL (postgresql://user:password@host:5432/db, with %, @, :, / in the password "
            "written %25, %40, %3A, %2F) or key=value pairs (host=h dbname=db user=u password='a b', "
            "quoting a value that holds spaces or quotes); or leave the password out and use ~/.pgpass "
            "or PGPASSWORD.") from None


def mask_dsn(dsn: str) -> str:
    """The DSN as it may be shown: any password replaced by ***.

    A DSN libpq cannot parse is shown up to its first password marker
    (`password=`, a URL's `user:`), then `***`: whatever follows is hidden.
    """
    if not dsn:
        return "(libpq environment)"
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        marker = _PASSWORD_MARKER.search(dsn)
        return dsn[:marker.end()] + "***" if marker else dsn
    if "password" in params:
        params["password"] = "***"
    return make_conninfo(**params)


def _secrets_in(dsn: str) -> set[str]:
    """Every form in which the DSN's password could be echoed: parsed, raw, percent-decoded, pieces."""
    found: set[str] = set()
    if not dsn:
        return found
    try:
        password = conninfo_to_dict(dsn).get("password")
        if password:
            found.add(str(password))
    except psycopg.ProgrammingError:
        pass
    for marker in _PASSWORD_MARKER.finditer(dsn):
        rest = dsn[marker.end():]
        if marker.group(0).startswith("://"):
            raw = rest[:rest.rfind("@")]  # up to the last @: a password may hold an unencoded @
        else:
            raw = rest.lstrip()
            if raw.startswith("'"):
                end = re.search(r"(?<!\\)'", raw[1:])
                raw = raw[1:end.start() + 1] if end else raw[1:]
                found.add(raw.replace("\\'", "'").replace("\\\\", "\\"))
            else:
                raw = re.split(r"[\s&#]", raw, maxsplit=1)[0]
        found.add(raw)
        found.add(unquote(raw))
        found.update(piece for piece in re.split(r"[\s%'\"]+", raw))
    return {item for item in found if len(item) >= 3}


def scrub(text: str, dsn: str = "") -> str:
    """Remove the DSN's password from a message, wherever a driver echoed it.

    Also removes every password this process resolved before and PGPASSWORD,
    longest first, in each form it could take (raw, percent-decoded).
    """
    secrets = _secrets_in(dsn) | _SECRETS
    env_password = os.environ.get("PGPASSWORD")
    if env_password:
        secrets.add(env_password)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
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
    remember_secrets(dsn)
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
