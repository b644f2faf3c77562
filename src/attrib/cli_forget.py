"""`attrib forget USER_ID`: an erasure request (attrib.forget), from the command line."""

from __future__ import annotations

import click
import psycopg

from . import db
from .cli_common import CONTEXT, dsn_option, err
from .errors import EXIT_USAGE, AttribError, describe_db_error


@click.command("forget", context_settings=CONTEXT)
@dsn_option
@click.argument("user_id")
@click.option("--dry-run", is_flag=True, help="Report what would be removed; change nothing.")
def forget_cmd(dsn: str | None, user_id: str, dry_run: bool) -> None:
    """Erase a user: their events, pairs and outputs go, and their rows are rejected from now on.

    Records USER_ID (as a user id) and every anonymous id it owns (its
    devices: it identified on them first) in attrib.forgotten and removes, in one transaction, their events (each stays counted as a
    `forgotten` reject without its values), pairs, device owners, published
    outputs and the values in their earlier rejects. Aliases that shared a
    device with them are recomputed by the next run. Their source rows, read
    again by a later run or by `attrib run --full`, become `forgotten`
    rejects. The Segment tables are not touched: delete the user there too
    (Segment's delete-and-suppress), or the rows stay in your warehouse.
    """
    with db.connection(db.resolve_dsn(dsn)) as conn:
        try:
            row = conn.execute("SELECT * FROM attrib.forget(%s, %s)", (user_id, dry_run)).fetchone()
        except psycopg.errors.InvalidParameterValue as exc:  # 22023: not a user id attrib could hold
            raise AttribError(describe_db_error(exc), EXIT_USAGE) from None
    ids, events, scrubbed, pairs, removed, recompute = row
    verb = "would forget" if dry_run else "forgot"
    click.echo(f"{verb} {ids} ids (the user and the devices it owns): {events} events, {pairs} pairs, "
               f"{removed} aliases' outputs, {scrubbed} reject images; {recompute} aliases to recompute")
    if not dry_run and recompute:
        err("the next `attrib run` recomputes the aliases that shared a device with this user")
    err("the Segment tables still hold this user's rows: delete them there too (Segment's delete-and-suppress)")
