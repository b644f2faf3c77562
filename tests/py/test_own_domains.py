"""`attrib run` warns when most Referral sessions it published are visits from the site's own domain."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from attrib import own_domains
from run_helpers import T0, attrib
from segment import create_source, insert

OWN_SUBDOMAIN_HINT = "UPDATE attrib.settings SET value = value || '[\"example.com\"]'::jsonb WHERE name = 'own_domains';"


def visit(conn: psycopg.Connection, n: int, url: str, referrer: str | None) -> None:
    at = T0 + timedelta(days=n)
    insert(conn, "pages", [{"id": f"p{n}", "anonymous_id": f"anon-{n}", "timestamp": at, "received_at": at,
                            "url": url, "referrer": referrer}])


def app_visits_from_the_marketing_site(conn: psycopg.Connection) -> None:
    """Three visits to app.example.com from www.example.com, one from a partner: three of four are own."""
    create_source(conn)
    for n in range(3):
        visit(conn, n, "https://app.example.com/signup", "https://www.example.com/pricing")
    visit(conn, 3, "https://app.example.com/signup", "https://partner.org/post")


def test_own_subdomain_referrals_are_one_registrable_domain() -> None:
    assert own_domains.own_pairs([("app.example.com", "example.com", 3), ("app.example.com", "partner.org", 1),
                                  ("shop.example.co.uk", "blog.example.co.uk", 2),
                                  ("a.github.io", "b.github.io", 5)]) == \
        (5, 11, {"example.com": 3, "example.co.uk": 2})


def test_no_warning_when_half_or_fewer_are_own() -> None:
    assert own_domains.warning([("app.example.com", "example.com", 1), ("app.example.com", "partner.org", 1)]) is None
    assert own_domains.warning([]) is None


def test_the_hint_names_only_host_names() -> None:
    text = own_domains.warning([("x'y.example.com", "x'y.example.com.evil", 0),
                                ("app.ex'ample.com", "www.ex'ample.com", 3)])
    assert text is not None and "UPDATE" not in text


def test_run_warns_once_with_the_sql_that_fixes_it(conn: psycopg.Connection, dsn: str) -> None:
    app_visits_from_the_marketing_site(conn)
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("warning: 3 of the 4 Referral sessions this run published") == 1
    assert OWN_SUBDOMAIN_HINT in result.stderr
    assert conn.execute("SELECT count(*) FROM sessions.all_sessions WHERE channel = 'Referral'").fetchone() == (4,)


def test_after_the_fix_the_run_does_not_warn(conn: psycopg.Connection, dsn: str) -> None:
    app_visits_from_the_marketing_site(conn)
    attrib("run", "--dsn", dsn)
    conn.execute(OWN_SUBDOMAIN_HINT)
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 0, result.stderr
    assert "own_domains" not in result.stderr
    assert conn.execute("SELECT count(*) FROM sessions.all_sessions WHERE channel = 'Referral'").fetchone() == (1,)


def test_a_run_that_publishes_nothing_new_does_not_warn_again(conn: psycopg.Connection, dsn: str) -> None:
    app_visits_from_the_marketing_site(conn)
    attrib("run", "--dsn", dsn)
    assert "own_domains" not in attrib("run", "--dsn", dsn).stderr
