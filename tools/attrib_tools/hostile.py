"""Hostile source rows for `attrib bench`: the referrers and `utm_source` values that cost most to classify.

Segment's write key is public, so anyone can send a page whose referrer or
`utm_source` is as long as Segment accepts (32 KB a message). Definitions §5 gives
such values no host past 253 characters (or a label past 63) and no class
past 253 characters; up to there a value of 127 one-letter labels has the
most runs of labels to try as names. These rows carry both extremes, each
in the three places a touch reads them from: the referrer, the
`context_campaign_source` column and the landing url's `utm_source`
parameter. Each row is its own visitor and session.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

URL = "https://bench.example/hostile"


def _labels(count: int) -> str:
    """`count` one-letter labels, a.b.c...: the most labels a value of 2 * count - 1 characters can have."""
    return ".".join(string.ascii_lowercase[i % 26] for i in range(count))


def _names(size: int) -> str:
    """`size` characters of real names one after the other (news.google.co.uk.news...), so runs of them match."""
    unit = "news.google.co.uk."
    return (unit * (size // len(unit) + 1))[:size].strip(".")


# (what it is, the value): the longest value definitions §5 still matches, and a 32 KB one
VALUES: tuple[tuple[str, str], ...] = (
    ("127 labels, 253 characters", _labels(127)),
    ("32 KB of names", _names(32 * 1024)),
)
# where a touch reads the value from: a column of pages and how the value goes in
FIELDS: tuple[str, ...] = ("referrer", "context_campaign_source", "url utm_source")


@dataclass(frozen=True)
class Row:
    """One hostile page row: which value, in which field."""

    value_name: str
    field: str
    characters: int             # of the value itself
    labels: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value_name, "field": self.field, "characters": self.characters,
                "labels": self.labels}


def rows() -> list[Row]:
    return [Row(name, field, len(value), value.count(".") + 1) for name, value in VALUES for field in FIELDS]


def _columns(field: str, value: str) -> dict[str, str]:
    if field == "referrer":
        referrer = f"https://{value}/"
        return {"url": URL, "referrer": referrer, "context_page_url": URL, "context_page_referrer": referrer}
    if field == "context_campaign_source":
        return {"url": URL, "context_page_url": URL, "context_campaign_source": value}
    url = f"{URL}?utm_source={value}"
    return {"url": url, "context_page_url": url}


def insert(conn: psycopg.Connection, schema: str, after: datetime) -> list[Row]:
    """Add the hostile rows to `schema`.pages, one minute apart from `after` on (timestamp and load time)."""
    written = []
    by_name = dict(VALUES)
    for n, row in enumerate(rows(), start=1):
        at = after + timedelta(minutes=n)
        columns = {"id": f"attrib-bench-hostile-{n}", "anonymous_id": f"attrib-bench-hostile-{n}",
                   "timestamp": at, "received_at": at, "sent_at": at, "uuid_ts": at,
                   **_columns(row.field, by_name[row.value_name])}
        conn.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            sql.Identifier(schema, "pages"), sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join([sql.Placeholder()] * len(columns))), list(columns.values()))
        written.append(row)
    return written


def newest(conn: psycopg.Connection, schema: str) -> datetime:
    """The latest timestamp or load time of the source, which the hostile rows come after."""
    parts = [sql.SQL('SELECT max(greatest("timestamp", uuid_ts)) AS newest FROM {}').format(
        sql.Identifier(schema, table)) for table in ("pages", "tracks", "identifies")]
    value = conn.execute(sql.SQL("SELECT max(newest) FROM ({}) t").format(
        sql.SQL(" UNION ALL ").join(parts))).fetchone()[0]  # type: ignore[index]
    if value is None:
        raise ValueError(f"{schema}.pages, tracks and identifies are empty: nothing to add hostile rows after")
    return value
