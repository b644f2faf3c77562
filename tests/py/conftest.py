"""Fixtures: a real PostgreSQL 15 (the local cluster `make test` starts).

Each test that needs a database gets a fresh one cloned from a template
that was deployed once per session, so tests never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from attrib import deploy

SERVER = os.environ.get("ATTRIB_TEST_SERVER", "postgresql://postgres@127.0.0.1:55432")
TEMPLATE = os.environ.get("ATTRIB_TEST_TEMPLATE", "attrib_test_template")
# Test databases sort text by ICU's English rules, not byte order, so any
# ordering that forgets COLLATE "C" (definitions: byte order) shows up as a failure.
NON_C_LOCALE = "LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8' TEMPLATE template0"
# The test cluster asks attrib's runner and every reader login for a scram
# password over TCP (attrib.cluster.HBA); the tests give their logins this one.
LOGIN_PASSWORD = "attrib-test-login"


def server_dsn(database: str) -> str:
    return f"{SERVER}/{database}"


def login_dsn(dsn: str, role: str, password: str = LOGIN_PASSWORD) -> str:
    """`dsn` logged in as `role` with its password: how the runner and a BI tool connect."""
    return make_conninfo(dsn, user=role, password=password)


def create_login(dsn: str, name: str, *, member_of: str | None = None) -> str:
    """A LOGIN role with the tests' scram password (and membership in `member_of`); its DSN."""
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name),
                                                                     sql.Literal(LOGIN_PASSWORD)))
        if member_of:
            c.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member_of), sql.Identifier(name)))
    return login_dsn(dsn, name)


def _admin() -> psycopg.Connection:
    return psycopg.connect(server_dsn("postgres"), autocommit=True)


@pytest.fixture(scope="session")
def template_db() -> str:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{TEMPLATE}" {NON_C_LOCALE}')
    deploy.upgrade(server_dsn(TEMPLATE))
    with _admin() as conn:  # as README, Security: the runner logs in with a password
        conn.execute(sql.SQL("ALTER ROLE attrib_runner PASSWORD {}").format(sql.Literal(LOGIN_PASSWORD)))
    return TEMPLATE


def create_database(template: str | None = None) -> str:
    name = f"attrib_t_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        clause = f' TEMPLATE "{template}"' if template else f" {NON_C_LOCALE}"
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
    return name


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_dsn() -> Iterator[str]:
    """A new, empty database (nothing deployed)."""
    name = create_database()
    yield server_dsn(name)
    drop_database(name)


@pytest.fixture
def dsn(template_db: str) -> Iterator[str]:
    """A new database with attrib deployed."""
    name = create_database(template_db)
    yield server_dsn(name)
    drop_database(name)


@pytest.fixture
def conn(dsn: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        yield connection
