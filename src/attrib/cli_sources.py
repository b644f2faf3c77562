"""`attrib sources`: the source list (definitions §5 classes) and how a touch is classified."""

from __future__ import annotations

from pathlib import Path

import click

from . import db, safe_text, sources
from .cli_common import CONTEXT, dsn_option, echo, err
from .errors import AttribError


@click.group("sources", context_settings=CONTEXT)
def sources_group() -> None:
    """The source list (attrib.source_classes) and referral exclusions; explain a touch.

    \b
    A change of the list or of referral_exclusions takes effect at the next
    run, which recomputes every alias's touches from the stored events.
    """


@sources_group.command("import", context_settings=CONTEXT)
@dsn_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sources.FORMATS), default="referer-parser", show_default=True,
              help="referer-parser: YAML/JSON {medium: {Source: {domains: [...]}}}; matomo: SearchEngines.yml "
                   "(search) or Socials.yml (social); csv: name,class lines; ga4: Google's source categories "
                   "(source,source_category CSV).")
@click.option("--class", "default_class", type=click.Choice(sources.CLASSES),
              help="Class of every name of the file (e.g. a Matomo list of hosts that are not social).")
@click.option("--replace", is_flag=True, help="Give conflicting names the file's class (default: report them).")
def import_cmd(dsn: str | None, file: Path, fmt: str, default_class: str | None, replace: bool) -> None:
    """Add the names FILE lists and attrib.source_classes lacks; report conflicts.

    A name attrib already classifies the same way is left alone; one it
    classifies otherwise (by the same name or a shorter one: youtube.com
    social against youtube video) is a conflict, listed and left unchanged
    unless --replace. Entries that cannot be a name (a path, a wildcard
    inside, a medium that is no class) are ignored and counted. A public
    suffix (com, uk, co.uk, blogspot.com: every site under it would match)
    is refused and named. Files over 4 MiB, and YAML with aliases, are refused.
    """
    parsed = sources.parse(sources.read_file(file), fmt, default_class)
    with db.connection(db.resolve_dsn(dsn)) as conn:
        result = sources.import_entries(conn, parsed, replace=replace)
    shown = safe_text.text
    for c in result.conflicts:
        via = "" if c.current_name == c.name else f" (by {shown(c.current_name)})"
        echo(f"conflict: {shown(c.name)} is {c.file_class} in the file, {shown(c.current_class)} in attrib{via}"
             f"{': replaced' if replace else ''}")
    for reason, n in sorted(result.ignored.items()):
        echo(f"ignored: {n} {'entry' if n == 1 else 'entries'}: {shown(reason)}")
    for name, why in parsed.refused.items():
        echo(f"refused: {shown(name)} {why}")
    verdict = "replaced" if replace else "kept; --replace to take the file's class"
    echo(f"added {len(result.added)}, conflicting {len(result.conflicts)} ({verdict}), "
         f"already known {result.known}, ignored {sum(result.ignored.values())}"
         + (f", refused {len(parsed.refused)}" if parsed.refused else ""))
    if result.added or (replace and result.conflicts):
        err("the next run recomputes every alias's touches with the new list")


@sources_group.command("list", context_settings=CONTEXT)
@dsn_option
@click.option("--class", "cls", type=click.Choice(sources.CLASSES), help="Only names of this class.")
def list_cmd(dsn: str | None, cls: str | None) -> None:
    """Print the list as `name,class` lines, sorted byte-wise (re-importable with --format csv)."""
    with db.connection(db.resolve_dsn(dsn)) as conn:
        rows = conn.execute(
            "SELECT name, class FROM attrib.source_classes WHERE %(cls)s::text IS NULL OR class = %(cls)s "
            "ORDER BY name COLLATE \"C\"", {"cls": cls}).fetchall()
    for name, c in rows:
        echo(f"{safe_text.text(name)},{safe_text.text(c)}")


def _yes_no(value: bool | None) -> str:
    return "yes" if value else "no"


@sources_group.command("explain", context_settings=CONTEXT)
@dsn_option
@click.argument("url")
@click.option("--referrer", "-r", help="The landing event's referrer.")
def explain_cmd(dsn: str | None, url: str, referrer: str | None) -> None:
    """Show how attrib computes the touch of landing URL: host, internal, click id, class, the rule that fired.

    UTM values are read from URL's query (utm_source, utm_medium, utm_campaign),
    as for a page event without context_campaign_* columns.
    """
    with db.connection(db.resolve_dsn(dsn)) as conn:
        cur = conn.execute("SELECT * FROM attrib.explain_touch(%s, %s)", (url, referrer))
        row = dict(zip([d.name for d in cur.description], cur.fetchone()))
    # every text comes from the URL or the referrer, whatever someone pasted: one line each, escaped
    row = {k: safe_text.text(v) if isinstance(v, str) else v for k, v in row.items()}
    dash = "-"
    if row["referrer_host"] is None:
        ref = "none" if not referrer else "none (no scheme://host)"
    elif row["internal"]:
        ref = f"{row['referrer_host']} (internal: {row['internal']}; counts as no referrer)"
    else:
        ref = f"{row['referrer_host']} (not internal)"
    if row["class"] is None:
        cls = "none (no name of attrib.source_classes matches the source or the referrer host)"
    else:
        on = row["source"] if row["class_of"] == "source" else row["referrer_host"]
        cls = f"{row['class']} (name '{row['class_name']}' matches the {row['class_of']} {on})"
    paid = (["click id"] if row["click_id"] else []) + \
        ([f"medium {row['medium']} matches paid_medium_pattern"] if row["paid_medium"] else [])
    lines = [
        ("landing host", row["landing_host"] or "none"),
        ("referrer host", ref),
        ("click id", f"{row['click_id']} -> {row['click_network']}" if row["click_id"] else "none"),
        ("utm", f"source {row['utm_source'] or dash}, medium {row['utm_medium'] or dash}, "
                f"campaign {row['utm_campaign'] or dash}"),
        ("source", row["source"]),
        ("medium", row["medium"]),
        ("campaign", row["campaign"] or dash),
        ("class", cls),
        ("paid signal", f"yes ({', '.join(paid)})" if row["paid_signal"] else "no"),
        ("shop campaign", _yes_no(row["shop_campaign"])),
        ("rule", f"{row['rule']}. {row['channel']}"),
        ("channel", f"{row['channel']} ({'paid' if row['is_paid'] else 'not paid'})"),
    ]
    for key, value in lines:
        echo(f"{key + ':':<15}{value}")


@sources_group.command("exclude", context_settings=CONTEXT)
@dsn_option
@click.argument("hosts", nargs=-1)
@click.option("--preset", type=click.Choice(sorted(sources.PRESETS)),
              help="payments: " + ", ".join(sources.PRESETS["payments"]) + ".")
def exclude_cmd(dsn: str | None, hosts: tuple[str, ...], preset: str | None) -> None:
    """Add HOSTS (or a preset) to referral_exclusions: referrers there, or on a subdomain, are internal.

    A user who comes back from a payment or sign-in page keeps the source of
    the visit that sent them there (GA4's "unwanted referrals").
    """
    names = list(hosts) + list(sources.PRESETS.get(preset or "", ()))
    if not names:
        raise AttribError("nothing to exclude\nHINT: give host names or --preset payments.")
    with db.connection(db.resolve_dsn(dsn)) as conn:
        new, merged = sources.exclude(conn, names)
    echo(f"added {len(new)}: {', '.join(map(safe_text.text, new)) or '-'}")
    echo(f"referral_exclusions: {', '.join(map(safe_text.text, merged))}")
    if new:
        err("the next run recomputes every alias's touches")
