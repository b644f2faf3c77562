"""Definitions §8: every sum behind a credit adds its terms in session order 1..k.

A float sum's last bit depends on the order of its terms, and the order a
plan hands rows to an aggregate differs between an incremental run and a
full one. Summed in session order, the same sessions give the same bits
whatever the plan: the incremental-equals-full property test compares
credits as float8 text for that reason.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg

from run_helpers import T0
from segment import create_source, insert

SESSIONS = 40


def many_sessions(conn: psycopg.Connection) -> None:
    """u1: 40 paid sessions an hour and some odd minutes apart, then a signup in the last one."""
    create_source(conn)
    rows, t = [], T0
    for n in range(SESSIONS):
        t += timedelta(hours=1, minutes=(n * 37) % 53, seconds=(n * 13) % 59)
        rows.append({"id": f"p{n}", "anonymous_id": "a1", "timestamp": t, "received_at": t,
                     "url": "https://example.com/?utm_source=google&utm_medium=cpc"})
    insert(conn, "pages", rows)
    t += timedelta(minutes=5)
    insert(conn, "tracks", [{"id": "t1", "anonymous_id": "a1", "user_id": "u1", "event": "signed_up",
                             "timestamp": t, "received_at": t}])


def test_time_decay_normalizes_by_a_sum_in_session_order(conn: psycopg.Connection) -> None:
    many_sessions(conn)
    conn.execute("CALL attrib.run_attribution()")
    # the weights as definitions §8 gives them (relative to session k, as attribute computes them), summed 1..k
    differing = conn.execute("""
        WITH w AS (SELECT s.session_number AS n,
                          power(2::double precision, greatest(-1000::double precision,
                                -extract(epoch FROM (max(s.session_start) OVER () - s.session_start))
                                / extract(epoch FROM interval '7 days'))) AS weight
                     FROM sessions.all_sessions s WHERE s.alias_id = 'u1'),
             total AS (SELECT sum(w.weight ORDER BY w.n) AS total FROM w)
        SELECT w.n, c.credit::text, (w.weight / total.total)::text
          FROM w CROSS JOIN total
          JOIN sessions.attribution_credit c ON c.alias_id = 'u1' AND c.model = 'time_decay' AND c.session_number = w.n
         WHERE c.credit::text <> (w.weight / total.total)::text""").fetchall()
    assert differing == []
    assert conn.execute("SELECT count(*) FROM sessions.attribution_credit "
                        "WHERE model = 'time_decay'").fetchone() == (SESSIONS,)
