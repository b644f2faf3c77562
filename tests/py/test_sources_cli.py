"""`attrib sources`: import a team's own list, list, explain a touch, exclude payment hosts."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import psycopg
from click.testing import CliRunner

from attrib.cli import main

# referer-parser's layout ({medium: {Source: {domains: [...]}}}), written for this test:
# one new search engine, one name attrib knows the same way, one conflict
# (youtube.com is social there, video here), a path and a medium that is no class.
REFERER_PARSER_YAML = """\
search:
  FindIt:
    parameters: [q]
    domains:
      - findit.example
      - www.google.com
      - google.com/products
social:
  YouTube:
    domains: [youtube.com]
email:
  Example ISP Mail:
    domains: [post.example-isp.net]
unknown:
  Outbrain:
    domains: [outbrain.com]
"""

# Matomo's SearchEngines.yml and Socials.yml layouts, written for this test.
MATOMO_SEARCH = """\
FindIt:
  -
    urls:
      - findit.{}
      - "{}.findit2.example"
    params: [q]
    backlink: 'search?q={k}'
Odd:
  -
    urls: ["a.{}.b"]
"""
MATOMO_SOCIAL = """\
Fediverse Example:
  - fedi.example-instance.org
Facebook:
  - facebook.com
  - m.facebook.com
"""

# Google's source-category file (GA4's default channel group), in its layout,
# written for this test: a source that is no host, a new host, a known name,
# a conflict (youtube.com is social there, video here), a category attrib
# has no class for and a public suffix.
GA4_SOURCES = """\
source,source_category
Example Shopping,SOURCE_CATEGORY_SHOPPING
findit.example,SOURCE_CATEGORY_SEARCH
google,SOURCE_CATEGORY_SEARCH
youtube.com,SOURCE_CATEGORY_SOCIAL
radio.example,SOURCE_CATEGORY_AUDIO
co.uk,SOURCE_CATEGORY_SEARCH
"""


def invoke(dsn: str, *args: str):
    return CliRunner().invoke(main, ["sources", *args, "--dsn", dsn])


def source_class(dsn: str, value: str) -> str | None:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT attrib.source_class(%s)", (value,)).fetchone()[0]


def test_import_referer_parser_adds_missing_names_and_keeps_conflicts(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "referers.yml"
    path.write_text(REFERER_PARSER_YAML)
    result = invoke(dsn, "import", str(path), "--format", "referer-parser")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.splitlines()[-1] == \
        "added 2, conflicting 1 (kept; --replace to take the file's class), already known 1, ignored 2"
    assert source_class(dsn, "www.findit.example") == "search"
    assert source_class(dsn, "post.example-isp.net") == "email"
    assert source_class(dsn, "youtube.com") == "video"


def test_import_reports_each_conflict_and_replace_applies_it(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "referers.yml"
    path.write_text(REFERER_PARSER_YAML)
    kept = invoke(dsn, "import", str(path))
    assert "conflict: youtube.com is social in the file, video in attrib (by youtube)" in kept.stdout
    replaced = invoke(dsn, "import", str(path), "--replace")
    assert "conflict: youtube.com is social in the file, video in attrib (by youtube): replaced" in replaced.stdout
    assert source_class(dsn, "youtube.com") == "social"
    assert source_class(dsn, "m.youtube.com") == "social"
    assert source_class(dsn, "youtu.be") == "video", "a conflict replaces only the name the file gives"


def test_import_referer_parser_json(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "referers.json"
    path.write_text(json.dumps({"search": {"FindIt": {"domains": ["findit.example"]}}}))
    result = invoke(dsn, "import", str(path), "--format", "referer-parser")
    assert result.stdout.splitlines()[-1].startswith("added 1, conflicting 0")
    assert source_class(dsn, "findit.example") == "search"


def test_import_matomo_search_engines(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "SearchEngines.yml"
    path.write_text(MATOMO_SEARCH)
    result = invoke(dsn, "import", str(path), "--format", "matomo")
    assert result.exit_code == 0, result.output + result.stderr
    assert "ignored: 1 entry: has a wildcard inside" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("added 2, conflicting 0")
    assert source_class(dsn, "findit.co.uk") == "search", "findit.{} is findit in any TLD"
    assert source_class(dsn, "www.findit2.example") == "search"


def test_import_matomo_socials(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "Socials.yml"
    path.write_text(MATOMO_SOCIAL)
    result = invoke(dsn, "import", str(path), "--format", "matomo")
    assert result.stdout.splitlines()[-1] == \
        "added 1, conflicting 0 (kept; --replace to take the file's class), already known 2, ignored 0"
    assert source_class(dsn, "fedi.example-instance.org") == "social"


def test_import_csv_ignores_an_unknown_class(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("name,class\nnewsletter-hub.example,email\nradio.example,audio\n")
    result = invoke(dsn, "import", str(path), "--format", "csv")
    assert result.stdout.splitlines()[-1].endswith("already known 0, ignored 1")
    assert "ignored: 1 entry: class 'audio' is not one of search, social, video, shopping, email, ai" in result.stdout


def test_import_ga4_source_categories(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "ga4_source_categories.csv"
    path.write_text(GA4_SOURCES)
    result = invoke(dsn, "import", str(path), "--format", "ga4")
    assert result.exit_code == 0, result.output + result.stderr
    lines = result.stdout.splitlines()
    assert "conflict: youtube.com is social in the file, video in attrib (by youtube)" in lines
    assert "ignored: 1 entry: category 'SOURCE_CATEGORY_AUDIO' is not a GA4 source category" in lines
    assert "refused: co.uk is a public suffix: every site registered under it would match" in lines
    assert lines[-1] == ("added 2, conflicting 1 (kept; --replace to take the file's class), "
                         "already known 1, ignored 1, refused 1")
    assert source_class(dsn, "Example Shopping") == "shopping"
    assert source_class(dsn, "www.findit.example") == "search"
    assert source_class(dsn, "youtube.com") == "video"


def test_import_ga4_replace_takes_googles_category(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "ga4_source_categories.csv"
    path.write_text(GA4_SOURCES)
    result = invoke(dsn, "import", str(path), "--format", "ga4", "--replace")
    assert "conflict: youtube.com is social in the file, video in attrib (by youtube): replaced" in result.stdout
    assert source_class(dsn, "youtube.com") == "social"


def test_import_ga4_refuses_a_file_without_googles_header(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("name,class\nfindit.example,search\n")
    result = invoke(dsn, "import", str(path), "--format", "ga4")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the file is not in the ga4 format: expected a CSV whose header is "
                                    "source,source_category")
    assert source_class(dsn, "findit.example") is None


def test_import_takes_a_source_name_that_is_no_host(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("name,class\nPartner Newsletter,email\nfriends+family,social\n")
    result = invoke(dsn, "import", str(path), "--format", "csv")
    assert result.stdout.splitlines()[-1].startswith("added 2, conflicting 0"), result.stdout
    assert source_class(dsn, "partner newsletter") == "email"
    assert source_class(dsn, "partner") is None, "a name with a space is one label"


def test_exclude_refuses_a_source_name_that_is_no_host(dsn: str) -> None:
    result = invoke(dsn, "exclude", "google shopping")
    assert result.exit_code == 1
    assert "'google shopping' is not a bare host name" in result.stderr


def test_list_by_class(dsn: str) -> None:
    result = invoke(dsn, "list", "--class", "video")
    rows = result.stdout.splitlines()
    assert "youtube,video" in rows and "twitch,video" in rows
    assert all(row.endswith(",video") for row in rows)
    assert rows == sorted(rows, key=str.encode)


def explain(dsn: str, url: str, referrer: str | None = None) -> dict[str, str]:
    result = invoke(dsn, "explain", url, *(["--referrer", referrer] if referrer else []))
    assert result.exit_code == 0, result.output + result.stderr
    return {line[:15].rstrip(": "): line[15:] for line in result.stdout.splitlines()}


def test_explain_a_youtube_referral(dsn: str) -> None:
    out = explain(dsn, "https://shop.example.com/pricing", "https://m.youtube.com/watch?v=x")
    assert out["referrer host"] == "m.youtube.com (not internal)"
    assert out["class"] == "video (name 'youtube' matches the referrer m.youtube.com)"
    assert out["rule"] == "11. Organic Video"


def test_explain_a_click_id(dsn: str) -> None:
    out = explain(dsn, "https://shop.example.com/?gclid=Cj0KCQ", "https://www.google.com/")
    assert out["click id"] == "gclid -> google"
    assert out["source"] == "google" and out["medium"] == "cpc"
    assert out["paid signal"] == "yes (click id, medium cpc matches paid_medium_pattern)"
    assert out["rule"] == "4. Paid Search"


def test_explain_utm_values_of_the_url(dsn: str) -> None:
    out = explain(dsn, "https://shop.example.com/?utm_source=Newsletter&utm_medium=email&utm_campaign=e-shop%20week")
    assert out["utm"] == "source newsletter, medium email, campaign e-shop week"
    assert out["shop campaign"] == "yes"
    assert out["rule"] == "9. Organic Shopping"


def test_explain_an_internal_referrer(dsn: str) -> None:
    out = explain(dsn, "https://shop.example.com/cart", "https://shop.example.com/pricing")
    assert out["referrer host"] == "shop.example.com (internal: landing host; counts as no referrer)"
    assert out["rule"] == "1. Direct"


def test_explain_an_unknown_referrer(dsn: str) -> None:
    out = explain(dsn, "https://shop.example.com/", "https://blog.somewhere.example/post")
    assert out["class"].startswith("none")
    assert out["channel"] == "Referral (not paid)"


def test_exclude_payments_preset_is_idempotent(dsn: str) -> None:
    first = invoke(dsn, "exclude", "--preset", "payments")
    assert first.stdout.splitlines()[0].startswith("added 8: paypal.com, checkout.stripe.com")
    again = invoke(dsn, "exclude", "--preset", "payments")
    assert again.stdout.splitlines()[0] == "added 0: -"
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT internal FROM attrib.explain_touch('https://shop.example.com/', "
                            "'https://www.paypal.com/checkoutnow')").fetchone()[0] == "referral_exclusions"


def test_exclude_refuses_a_url(dsn: str) -> None:
    result = invoke(dsn, "exclude", "https://pay.example.com/return")
    assert result.exit_code == 1
    assert "HINT:" in result.stderr


# -- hostile files (issue 22, item 4) ----------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    """A referer-parser list whose aliases of aliases stand for 9**levels domains (521 bytes at 9)."""
    doc = "search:\n  A: {domains: &a [" + ",".join(["l.example"] * 9) + "]}\n"
    for previous, anchor in zip("abcdefghij", "bcdefghijk"[: levels - 1]):
        doc += f"  {anchor.upper()}: {{domains: &{anchor} [" + ",".join([f"*{previous}"] * 9) + "]}\n"
    return doc


def attrib_limited(*args: str, memory: int = 1 << 30) -> subprocess.CompletedProcess:
    """The CLI in a child process that may use at most `memory` bytes: a file that expands cannot
    take the machine's memory, it fails in the child."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-c", "from attrib.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120, preexec_fn=limit)


def test_import_refuses_yaml_aliases_in_one_line(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "laughs.yml"
    path.write_text(billion_laughs())
    assert path.stat().st_size < 600
    result = attrib_limited("sources", "import", str(path), "--dsn", dsn)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == \
        "Error: the file uses a YAML alias (*a, line 3): attrib reads lists without aliases"
    assert source_class(dsn, "l.example") is None


def test_import_refuses_a_file_over_the_size_limit(dsn: str, tmp_path: Path) -> None:
    from attrib.sources import MAX_FILE_BYTES

    path = tmp_path / "big.csv"
    row = b"newsletter.example,email\n"
    path.write_bytes(row * (MAX_FILE_BYTES // len(row) + 1))
    result = invoke(dsn, "import", str(path), "--format", "csv")
    assert result.exit_code == 1
    assert "is larger than 4 MiB" in result.stderr
    assert source_class(dsn, "newsletter.example") is None


def test_import_refuses_a_file_that_is_not_utf8(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("caf\xe9.example,email\n".encode("latin-1"))
    result = invoke(dsn, "import", str(path), "--format", "csv")
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.stderr and "Traceback" not in result.output


def test_import_refuses_a_csv_the_csv_reader_refuses(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "huge-field.csv"
    path.write_text("name,class\n\"" + "x" * 200_000 + "\",email\n")
    result = invoke(dsn, "import", str(path), "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot read the file as CSV: field larger than field limit")


def test_import_refuses_public_suffixes_and_names_them(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("name,class\ncom,email\nco.uk,email\nuk,email\nblogspot.com,social\nherokuapp.com,ai\n"
                    "newsletter-hub.example,email\n")
    result = invoke(dsn, "import", str(path), "--format", "csv")
    assert result.exit_code == 0, result.output + result.stderr
    lines = result.stdout.splitlines()
    assert "refused: com is a top-level domain: every site under it would match " \
           "(list a site's domain instead)" in lines
    assert "refused: uk is a top-level domain: every site under it would match " \
           "(list a site's domain instead)" in lines
    assert "refused: co.uk is a public suffix: every site registered under it would match" in lines
    assert "refused: blogspot.com is a public suffix: every site registered under it would match" in lines
    assert lines[-1].startswith("added 1, ") and lines[-1].endswith(", refused 5")
    assert source_class(dsn, "news.example.com") is None
    assert source_class(dsn, "shop.example.co.uk") is None
    assert source_class(dsn, "someone.herokuapp.com") is None
    assert source_class(dsn, "newsletter-hub.example") == "email"


def test_import_refuses_a_matomo_wildcard_that_leaves_a_public_suffix(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "Socials.yml"
    path.write_text("Anything UK:\n  - \"{}.co.uk\"\n")
    result = invoke(dsn, "import", str(path), "--format", "matomo")
    assert "refused: co.uk is a public suffix: every site registered under it would match" in result.stdout


def test_import_keeps_brand_tlds_and_platforms_that_attrib_ships(dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "brands.csv"
    path.write_text("google,search\nyoutube,video\namazon,shopping\nwebmail,email\nmyshopify.com,shopping\n")
    result = invoke(dsn, "import", str(path), "--format", "csv")
    assert result.stdout.splitlines()[-1] == \
        "added 0, conflicting 0 (kept; --replace to take the file's class), already known 5, ignored 0"


def test_the_public_suffix_list_is_read_without_the_network(monkeypatch) -> None:
    import socket

    from attrib import public_suffix

    def no_network(*args, **kwargs):
        raise AssertionError("the Public Suffix List went to the network")

    for name in ("getaddrinfo", "create_connection"):
        monkeypatch.setattr(socket, name, no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    public_suffix._list.cache_clear()
    assert public_suffix.is_public_suffix("co.uk") and public_suffix.is_public_suffix("blogspot.com")
    assert not public_suffix.is_public_suffix("webmail"), "an unknown one-label name is no suffix"


def test_registrable_domain_is_the_public_suffix_and_one_label() -> None:
    from attrib import public_suffix

    assert public_suffix.registrable_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert public_suffix.registrable_domain("someone.blogspot.com") == "someone.blogspot.com"
    assert public_suffix.registrable_domain("co.uk") is None
