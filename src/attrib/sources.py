"""The source list (attrib.source_classes): the shipped data file, imports, referral exclusions.

The shipped list is migrations/data/source_classes.csv: `name,class` per
line, sorted byte-wise, one line per name (definitions §5 classes). Users add their
own with `attrib sources import`, from the formats teams already maintain:
Snowplow's referer-parser (YAML or JSON, `{medium: {Source: {domains:
[...]}}}`), Matomo's SearchEngines.yml / Socials.yml and Google's GA4
source categories (CSV, `source,source_category`).

Such a file is anyone's: it is read with a size limit, YAML without aliases
(a few hundred bytes of nested aliases expand to billions of entries), and
a name that is a public suffix (com, co.uk, blogspot.com: every site under
it would match) is refused; see refusal().
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import psycopg
from psycopg import sql

from . import public_suffix, safe_text
from .errors import AttribError
from .paths import project_root

CLASSES = ("search", "social", "video", "shopping", "email", "ai")
FORMATS = ("referer-parser", "matomo", "csv", "ga4")
# The largest list file read: referer-parser's referers.yml and Matomo's
# SearchEngines.yml are about 100 KB; a file forty times that is no list.
MAX_FILE_BYTES = 4 * 1024 * 1024
# A host name: dot-separated labels of lower-case ASCII letters, digits, '-' and '_'.
HOST = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")
# A name of the list: a host name, or a source name GA4 uses that is none
# (`google shopping`, `google+`): labels may also hold '+' and single inner
# spaces. Definitions §5 matches labels, so `google shopping` is one label and
# matches the source `google shopping`, never `google` or `shopping`.
NAME = re.compile(r"^[a-z0-9_+-]+( [a-z0-9_+-]+)*(\.[a-z0-9_+-]+( [a-z0-9_+-]+)*)*$")
# referer-parser's media that are definitions §5 classes; its others (unknown, paid,
# internal) say nothing about a class and are ignored.
REFERER_PARSER_MEDIA = {"search": "search", "social": "social", "email": "email",
                        "video": "video", "shopping": "shopping", "ai": "ai"}
# Google's source categories (the file linked from GA4's help on the default
# channel group): `source,source category` with SOURCE_CATEGORY_* values.
GA4_CATEGORIES = {"SOURCE_CATEGORY_SEARCH": "search", "SOURCE_CATEGORY_SOCIAL": "social",
                  "SOURCE_CATEGORY_VIDEO": "video", "SOURCE_CATEGORY_SHOPPING": "shopping"}
PRESETS = {
    # Payment and sign-in providers that send a user back to the site
    # (GA4's "unwanted referrals"): PayPal, Stripe Checkout, Klarna, Adyen,
    # Sign in with Apple, Google sign-in, Auth0 and Okta tenants.
    "payments": ("paypal.com", "checkout.stripe.com", "klarna.com", "adyen.com", "appleid.apple.com",
                 "accounts.google.com", "auth0.com", "okta.com"),
}


def shipped_path() -> Path:
    return project_root() / "migrations" / "data" / "source_classes.csv"


def read_csv(text: str) -> list[tuple[str, str]]:
    """(name, class) of a `name,class` file; blank lines, `#` comments and a `name,class` header skipped."""
    rows = []
    for record in csv.reader(io.StringIO(text)):
        if not record or not record[0].strip() or record[0].lstrip().startswith("#"):
            continue
        if [v.strip() for v in record] == ["name", "class"]:
            continue
        rows.append((record[0].strip(), record[1].strip() if len(record) > 1 else ""))
    return rows


def shipped() -> list[tuple[str, str]]:
    return read_csv(shipped_path().read_text())


def shipped_upsert_sql() -> str:
    """One INSERT ... ON CONFLICT that loads the shipped list: missing names added, shipped names get its class."""
    values = sql.SQL(",\n  ").join(
        sql.SQL("({}, {})").format(sql.Literal(name), sql.Literal(cls)) for name, cls in shipped())
    return sql.SQL(
        "INSERT INTO attrib.source_classes AS c (name, class) VALUES\n  {}\n"
        "ON CONFLICT (name) DO UPDATE SET class = EXCLUDED.class WHERE c.class <> EXCLUDED.class;\n"
    ).format(values).as_string(None)


# -- reading a user's list ------------------------------------------------------


@dataclass
class Parsed:
    entries: dict[str, str] = field(default_factory=dict)   # name -> class, first listing wins
    ignored: Counter = field(default_factory=Counter)       # reason -> how many entries
    refused: dict[str, str] = field(default_factory=dict)   # name -> why (a public suffix)


def normalize(raw: str) -> tuple[str | None, str | None]:
    """A listed domain as a name of attrib.source_classes, or (None, why it cannot be one).

    Matching is by whole labels, so Matomo's wildcard labels (`google.{}`,
    `{}.search.yahoo.com`) at either end are dropped; a leading `www.` is
    dropped as host() drops it from every referrer. A path cannot be
    matched (attrib reads hosts), nor can a wildcard in the middle.
    """
    value = str(raw).strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    if "/" in value.rstrip("/"):
        return None, "has a path (attrib matches hosts only)"
    value = value.rstrip("/").rstrip(".")
    labels = value.split(".")
    wild = [("{}" in label or "*" in label) for label in labels]
    while labels and wild[0]:
        labels, wild = labels[1:], wild[1:]
    while labels and wild[-1]:
        labels, wild = labels[:-1], wild[:-1]
    if any(wild):
        return None, "has a wildcard inside"
    if labels and labels[0] == "www" and len(labels) > 1:
        labels = labels[1:]
    name = ".".join(labels)
    if not NAME.match(name):
        return None, "is not a host or source name"
    return name, None


def read_file(path: Path) -> str:
    """The text of a list file, refused when larger than MAX_FILE_BYTES or not UTF-8."""
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise AttribError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: not a list of sources\n"
                          "HINT: split it, or check that it is the file you meant.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AttribError(f"{path} is not UTF-8 text (byte {exc.start})\n"
                          "HINT: save it as UTF-8.") from None


def _yaml_error(exc: Exception) -> str:
    """A YAML error in one line: where, and what."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    what = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc).splitlines()[0]
    return f"{where}{what}"


def _load_yaml(text: str):
    """The YAML document, with a safe loader, refused when it has an alias.

    An alias (`*name`) repeats a node without copying it, so a few hundred
    bytes of aliases of aliases stand for billions of entries ("billion
    laughs"); the lists attrib reads have none. The events are read first
    (no node is built, nothing expands), then the document; libyaml's
    loader when PyYAML has it (4 MiB in about 4 s, the pure one about 13 s).
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                anchor = safe_text.text(event.anchor)[:40]
                raise AttribError(f"the file uses a YAML alias (*{anchor}, line {mark.line + 1}): "
                                  "attrib reads lists without aliases\n"
                                  "HINT: write each entry out in full, as referer-parser's and Matomo's lists do.")
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, and no alias left to expand
    except yaml.YAMLError as exc:
        raise AttribError(f"cannot read the file as YAML or JSON: {_yaml_error(exc)}\n"
                          "HINT: --format csv reads `name,class` lines.") from None


def _load(text: str):
    try:
        try:
            return json.loads(text)
        except ValueError:
            pass
        return _load_yaml(text)
    except RecursionError:
        raise AttribError("the file nests too deeply to be a list of sources\n"
                          "HINT: pick the format with --format referer-parser|matomo|csv|ga4.") from None


@cache
def _shipped_names() -> frozenset[str]:
    return frozenset(name for name, _cls in shipped())


def refusal(name: str) -> str | None:
    """Why `name` may not enter the list, or None.

    A name matches every host that has its labels (definitions §5), so `com` or
    `co.uk` as email would make every otherwise unknown .com or .co.uk
    referrer Email. Refused: a public suffix by the Public Suffix List, of
    two labels or more (co.uk, blogspot.com, github.io) or one, a top-level
    domain (com, org, uk, io, shop), unless attrib ships the name
    (migrations/data/source_classes.csv): definitions §5's brand names that are
    also brand TLDs (google, youtube, amazon, bing, yahoo) stay, as do the
    shipped platforms whose every site is one kind (myshopify.com). Any
    other brand TLD is listed by its domain (nike.com, not nike).
    """
    if not public_suffix.is_public_suffix(name) or name in _shipped_names():
        return None
    if "." in name:
        return "is a public suffix: every site registered under it would match"
    return "is a top-level domain: every site under it would match (list a site's domain instead)"


def _add(parsed: Parsed, raw: object, cls: str) -> None:
    if not isinstance(raw, (str, int, float)):  # a list or a mapping where a host belongs
        parsed.ignored["is not a host name"] += 1
        return
    name, why = normalize(str(raw))
    if name is None:
        parsed.ignored[f"{why}"] += 1
    elif (refused := refusal(name)) is not None:
        parsed.refused.setdefault(name, refused)
    elif name in parsed.entries and parsed.entries[name] != cls:
        parsed.ignored["listed again with another class (the first listing counts)"] += 1
    elif name in parsed.entries:
        parsed.ignored["listed again"] += 1
    else:
        parsed.entries[name] = cls


def _bad_shape(fmt: str, expected: str) -> AttribError:
    return AttribError(f"the file is not in the {fmt} format: expected {expected}\n"
                       "HINT: pick the format with --format referer-parser|matomo|csv|ga4.")


def _parse_ga4(text: str, parsed: Parsed, default_class: str | None) -> None:
    """Google's source-category file: a header naming `source` and its category column, then one source a row.

    Google's sources are names as GA4 sees them, some of them no host
    (`Google Shopping`, `IGShopping`): lower-cased like every name. A
    category attrib has no class for is ignored and counted.
    """
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if r and any(v.strip() for v in r)]
    except csv.Error as exc:
        raise AttribError(f"cannot read the file as CSV: {exc}\n"
                          "HINT: Google's file is `source,source_category` lines.") from None
    header = [v.strip().lower().replace(" ", "_") for v in rows[0]] if rows else []
    if len(header) < 2 or header[0] != "source" or header[1] not in ("source_category", "category"):
        raise _bad_shape("ga4", "a CSV whose header is source,source_category (Google's source categories)")
    for record in rows[1:]:
        category = record[1].strip().upper() if len(record) > 1 else ""
        cls = default_class or GA4_CATEGORIES.get(category)
        if cls is None:
            parsed.ignored[f"category {category or '(none)'!r} is not a GA4 source category"] += 1
        else:
            _add(parsed, record[0], cls)


def parse(text: str, fmt: str, default_class: str | None = None) -> Parsed:
    """The names and classes a list holds, in the given format, and what was ignored and why."""
    parsed = Parsed()
    if fmt == "csv":
        try:
            rows = read_csv(text)
        except csv.Error as exc:
            raise AttribError(f"cannot read the file as CSV: {exc}\n"
                              "HINT: `name,class` lines, e.g. newsletter.example,email.") from None
        for name, cls in rows:
            cls = cls.lower() or (default_class or "")
            if cls not in CLASSES:
                parsed.ignored[f"class {cls or '(none)'!r} is not one of {', '.join(CLASSES)}"] += 1
            else:
                _add(parsed, name, cls)
        return parsed
    if fmt == "ga4":
        _parse_ga4(text, parsed, default_class)
        return parsed
    data = _load(text)
    if fmt == "referer-parser":
        if not isinstance(data, dict):
            raise _bad_shape(fmt, "{medium: {source name: {domains: [...]}}}")
        for medium, sources in data.items():
            if not isinstance(sources, dict):
                raise _bad_shape(fmt, "{medium: {source name: {domains: [...]}}}")
            cls = default_class or REFERER_PARSER_MEDIA.get(str(medium).lower())
            for source in sources.values():
                domains = (source or {}).get("domains", []) if isinstance(source, dict) else []
                for domain in domains:
                    if cls is None:
                        parsed.ignored[f"medium {medium!r} is not a class"] += 1
                    else:
                        _add(parsed, domain, cls)
        return parsed
    # Matomo: SearchEngines.yml maps a name to [{urls: [...], params: ...}, ...];
    # Socials.yml (and the other lists of hosts) map a name to [host, ...].
    if not isinstance(data, dict):
        raise _bad_shape(fmt, "{name: [host, ...]} (Socials.yml) or {name: [{urls: [...]}]} (SearchEngines.yml)")
    for items in data.values():
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict):
                for url in item.get("urls") or []:
                    _add(parsed, url, default_class or "search")
            elif isinstance(item, str):
                _add(parsed, item, default_class or "social")
            else:
                parsed.ignored["is not a host name"] += 1
    return parsed


# -- writing it -----------------------------------------------------------------


@dataclass
class Conflict:
    name: str
    file_class: str
    current_name: str
    current_class: str


@dataclass
class ImportResult:
    added: list[tuple[str, str]]
    known: int
    conflicts: list[Conflict]
    ignored: Counter
    replaced: bool


def import_entries(conn: psycopg.Connection, parsed: Parsed, *, replace: bool) -> ImportResult:
    """Add the names the list lacks; report (and with replace, apply) those it classifies otherwise.

    A name is compared with what attrib decides for it today
    (attrib.source_match): no match, added; the same class, already known
    (nothing to add); another class, a conflict. With replace a conflict
    takes the file's class: the name's row is updated, or, where a shorter
    name decided, the name is added and wins from then on.
    """
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE _attrib_import (name text PRIMARY KEY, class text NOT NULL) ON COMMIT DROP")
        with conn.cursor() as cur:
            with cur.copy("COPY _attrib_import (name, class) FROM STDIN") as copy:
                for name, cls in parsed.entries.items():
                    copy.write_row((name, cls))
        rows = conn.execute("""
            SELECT i.name, i.class, m.name, m.class
              FROM _attrib_import i
              LEFT JOIN LATERAL attrib.source_match(i.name) m ON true
             ORDER BY i.name COLLATE "C" """).fetchall()
        added = [(n, c) for n, c, _mn, mc in rows if mc is None]
        known = sum(1 for _n, c, _mn, mc in rows if mc == c)
        conflicts = [Conflict(n, c, mn, mc) for n, c, mn, mc in rows if mc is not None and mc != c]
        write = added + ([(x.name, x.file_class) for x in conflicts] if replace else [])
        if write:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO attrib.source_classes AS c (name, class) VALUES (%s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET class = EXCLUDED.class", write)
    return ImportResult(added, known, conflicts, parsed.ignored, replace)


def exclude(conn: psycopg.Connection, hosts: list[str]) -> tuple[list[str], list[str]]:
    """Add hosts to the setting referral_exclusions; return (the ones new to it, the whole list)."""
    names = []
    for host in hosts:
        name, why = normalize(host)
        if name is None or not HOST.match(name) or name != host.strip().lower().removeprefix("www."):
            raise AttribError(f"{host!r} {why or 'is not a bare host name'}\n"
                              "HINT: give host names such as checkout.example.com (no scheme, path or port).")
        names.append(name)
    with conn.transaction():
        row = conn.execute("SELECT value FROM attrib.settings WHERE name = 'referral_exclusions' FOR UPDATE").fetchone()
        if row is None:
            raise AttribError("setting referral_exclusions is missing from attrib.settings\n"
                              "HINT: deploy again (attrib deploy) to add it.")
        current = [str(v) for v in row[0]]
        new = [n for n in dict.fromkeys(names) if n not in current]
        merged = sorted(set(current) | set(new))
        conn.execute("UPDATE attrib.settings SET value = %s::jsonb WHERE name = 'referral_exclusions'",
                     (json.dumps(merged),))
    return new, merged
