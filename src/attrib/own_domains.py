"""After a run: are most of its Referral sessions visits from the site's own subdomains?

With own_domains empty (the default, definitions §5), a visit from www.example.com to
app.example.com is a Referral. The attribute stage counts the Referral
sessions it publishes per (landing host, referrer host) in
attrib.run_referrals; here each pair is judged by the Public Suffix List
(public_suffix.registrable_domain: the same list the importers use), and
one warning says how to fix it when most are the site's own.
"""

from __future__ import annotations

import json
from collections import Counter

import psycopg

from . import public_suffix, safe_text
from .sources import HOST


def own_pairs(pairs: list[tuple[str, str, int]]) -> tuple[int, int, Counter]:
    """(own sessions, all sessions, own registrable domain -> sessions) of (landing, referrer, sessions) pairs."""
    total, own, domains = 0, 0, Counter()
    for landing, referrer, sessions in pairs:
        total += sessions
        domain = public_suffix.registrable_domain(landing)
        if domain is not None and domain == public_suffix.registrable_domain(referrer):
            own += sessions
            domains[domain] += sessions
    return own, total, domains


def warning(pairs: list[tuple[str, str, int]]) -> str | None:
    """The warning when more than half of the Referral sessions are the landing domain's own, else None."""
    own, total, domains = own_pairs(pairs)
    if not total or own * 2 <= total:
        return None
    # the fix names only what can be a host name: a landing host is anyone's data
    names = [d for d, _n in sorted(domains.items(), key=lambda kv: (-kv[1], kv[0])) if HOST.match(d)][:5]
    shown = ", ".join(safe_text.text(d) for d in names) or "-"
    text = (f"warning: {own:,} of the {total:,} Referral sessions this run published came from the landing "
            f"host's own domain ({shown}): a visit from www.example.com to app.example.com is a Referral "
            "unless the setting own_domains lists example.com.")
    if names:
        text += ("\nHINT: count them as internal (the next run recomputes every alias):\n"
                 f"  UPDATE attrib.settings SET value = value || '{json.dumps(names)}'::jsonb "
                 "WHERE name = 'own_domains';")
    return text


def check(conn: psycopg.Connection, run_id: int) -> str | None:
    """The warning for run `run_id`, from attrib.run_referrals (already aggregated in the database)."""
    pairs = conn.execute("SELECT landing_host, referrer_host, sessions FROM attrib.run_referrals "
                         "WHERE run_id = %s", (run_id,)).fetchall()
    return warning(pairs)
