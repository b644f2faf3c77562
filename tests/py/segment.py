"""Test helpers: small Segment source tables, and running the pipeline on them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterable

import psycopg
from psycopg import sql

TIMESTAMP_COLUMNS = {"timestamp", "received_at", "uuid_ts", "sent_at"}
# The tests' one copy of the stage order; test_the_tests_stage_list_is_the_databases checks it.
STAGES = ("ingest", "alias", "sessionize", "signup", "attribute", "maintain")

# The columns definitions §1 reads, as Segment's warehouse sync creates them.
BASE_COLUMNS = ["id", "anonymous_id", "user_id", "timestamp", "received_at"]
TABLE_COLUMNS = {
    "pages": BASE_COLUMNS + ["url", "referrer", "context_page_url", "context_page_referrer",
                             "context_campaign_source", "context_campaign_medium", "context_campaign_name",
                             "context_campaign_term", "context_campaign_content", "context_user_agent"],
    "tracks": BASE_COLUMNS + ["event", "context_page_url", "context_page_referrer", "context_campaign_source",
                              "context_campaign_medium", "context_campaign_name", "context_campaign_term",
                              "context_campaign_content", "context_user_agent"],
    "identifies": BASE_COLUMNS[:],
}


def create_table(conn: psycopg.Connection, table: str, columns: Iterable[str], schema: str = "segment") -> None:
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    defs = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL("timestamptz" if c in TIMESTAMP_COLUMNS else "text"))
        for c in columns)
    conn.execute(sql.SQL("CREATE TABLE {}.{} ({})").format(sql.Identifier(schema), sql.Identifier(table), defs))
    grant_to_attrib(conn, table, schema)


def grant_to_attrib(conn: psycopg.Connection, table: str, schema: str = "segment") -> None:
    """What a DBA grants (or `attrib deploy --grant-source` does): attrib's owner role may read the table."""
    deployed, readable = conn.execute(
        "SELECT to_regnamespace('attrib') IS NOT NULL, "
        "       to_regnamespace('attrib') IS NOT NULL AND has_schema_privilege('attrib', 'USAGE')").fetchone()
    if not deployed:
        return
    owner = "attrib_owner"  # a source owner without rights in attrib grants to the default name
    if readable:
        owner = conn.execute("SELECT role_name FROM attrib.roles WHERE kind = 'owner'").fetchone()[0]
    if owner:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), sql.Identifier(owner)))
        conn.execute(sql.SQL("GRANT SELECT ON {}.{} TO {}").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(owner)))


def create_source(conn: psycopg.Connection, schema: str = "segment", with_uuid_ts: bool = False) -> None:
    """Empty pages, tracks and identifies with every column definitions §1 reads."""
    for table, columns in TABLE_COLUMNS.items():
        create_table(conn, table, columns + (["uuid_ts"] if with_uuid_ts else []), schema)


def insert(conn: psycopg.Connection, table: str, rows: list[dict[str, Any]], schema: str = "segment") -> None:
    for row in rows:
        conn.execute(
            sql.SQL("INSERT INTO {}.{} ({}) VALUES ({})").format(
                sql.Identifier(schema), sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, row)),
                sql.SQL(", ").join(sql.Placeholder() * len(row))),
            list(row.values()))


def load_csv_dir(conn: psycopg.Connection, directory: Path, schema: str = "segment") -> None:
    """pages.csv, tracks.csv, identifies.csv into tables with the CSV's columns (empty = NULL)."""
    for table in ("pages", "tracks", "identifies"):
        path = directory / f"{table}.csv"
        with path.open() as f:
            header = next(csv.reader(f))
        create_table(conn, table, header, schema)
        with conn.cursor() as cur, path.open("rb") as f:
            with cur.copy(sql.SQL("COPY {}.{} FROM STDIN WITH (FORMAT csv, HEADER true)").format(
                    sql.Identifier(schema), sql.Identifier(table))) as copy:
                copy.write(f.read())


def run_stages(conn: psycopg.Connection, stages: Iterable[str] = STAGES) -> dict[str, tuple]:
    """Each stage in its own transaction, as a run does; returns each stage's counts."""
    counts = {}
    for stage in stages:
        counts[stage] = conn.execute(
            sql.SQL("SELECT * FROM attrib.{}()").format(sql.Identifier(stage))).fetchone()
    return counts
