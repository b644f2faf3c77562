"""The shipped source list (migrations/data/source_classes.csv): one reviewable file whose every line counts.

Redundancy is judged by definitions §5's matching rule, written out here on its own
as the oracle: a name is redundant when the list without it still gives it
its own class (a shorter name of that class decides it, e.g.
news.google.com when google is search), so it adds nothing.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import psycopg

from attrib import sources

CLASS_ORDER = {c: i for i, c in enumerate(sources.CLASSES)}
# Google's source categories, as linked from GA4's help on the default
# channel group (a public copy: Velir/dbt-ga4, seeds/ga4_source_categories.csv).
GA4_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ga4_source_categories.csv"
DIFFERS = "# differs from GA4: "


def all_lines() -> list[str]:
    return sources.shipped_path().read_text().splitlines()


def lines() -> list[str]:
    """The header and the name,class lines, after the comment lines that open the file."""
    return [line for line in all_lines() if not line.startswith("#")]


def ga4_pairs() -> list[tuple[str, str]]:
    """(source, class) of Google's list: SOURCE_CATEGORY_SEARCH is search, and so on."""
    with GA4_FIXTURE.open(newline="") as f:
        return [(row["source"], sources.GA4_CATEGORIES[row["source_category"]]) for row in csv.DictReader(f)]


def listed_differences() -> dict[str, tuple[str, str]]:
    """source -> (GA4's class, attrib's class), as the data file's header lists them."""
    out = {}
    for line in all_lines():
        if line.startswith(DIFFERS):
            name, ga4, ours = line.removeprefix(DIFFERS).split(":")[0].split(",")
            out[name] = (ga4, ours)
    return out


def shipped() -> dict[str, str]:
    return dict(sources.shipped())


def spec_class(value: str, names: dict[str, str]) -> str | None:
    """Definitions §5: of the names whose labels stand contiguously in value's, most labels win, then class order."""
    labels = value.split(".")
    runs = {".".join(labels[i:j]) for i in range(len(labels)) for j in range(i + 1, len(labels) + 1)}
    found = [(-name.count("."), CLASS_ORDER[names[name]], names[name]) for name in runs if name in names]
    return min(found)[2] if found else None


def test_the_file_is_name_class_lines_under_a_header() -> None:
    comments = all_lines()[:all_lines().index("name,class")]
    assert all(line.startswith("# ") for line in comments)
    assert lines()[0] == "name,class"
    assert all(line.count(",") == 1 for line in lines()[1:])


def test_names_are_sorted_byte_wise() -> None:
    names = [line.split(",")[0] for line in lines()[1:]]
    assert names == sorted(names, key=str.encode)


def test_no_name_appears_twice() -> None:
    names = [name for name, _ in sources.shipped()]
    assert len(names) == len(set(names))


def test_every_class_is_one_of_the_six() -> None:
    assert {cls for _, cls in sources.shipped()} == set(sources.CLASSES)


def test_every_name_is_lower_case_labels() -> None:
    assert [name for name in shipped() if not sources.NAME.match(name)] == []


def test_no_name_is_redundant() -> None:
    names = shipped()
    redundant = [name for name, cls in names.items()
                 if spec_class(name, {n: c for n, c in names.items() if n != name}) == cls]
    assert redundant == []


def test_at_least_1500_names() -> None:
    assert len(shipped()) >= 1500


def test_the_redundancy_oracle_follows_spec_5() -> None:
    names = {"google": "search", "mail.google.com": "email", "t.co": "social", "tiea": "ai", "tieb": "email"}
    assert spec_class("news.google.com", names) == "search"
    assert spec_class("mail.google.com", names) == "email"
    assert spec_class("t.com", names) is None
    assert spec_class("tiea.tieb.com", names) == "email"


def test_a_deployed_database_classifies_every_shipped_name_as_the_file(conn: psycopg.Connection) -> None:
    # names of earlier revisions' lists that the file dropped as redundant must not change any class
    wrong = conn.execute("""
        SELECT f.name, f.class, attrib.source_class(f.name)
          FROM unnest(%s::text[], %s::text[]) AS f(name, class)
         WHERE attrib.source_class(f.name) IS DISTINCT FROM f.class""",
                         (list(shipped()), list(shipped().values()))).fetchall()
    assert wrong == []


def test_names_ga4_uses_that_are_no_host_are_names() -> None:
    assert all(sources.NAME.match(n) for n in ("google shopping", "google+", "igshopping", "ig", "news.google.com"))
    assert not any(sources.NAME.match(n) for n in ("google  shopping", " google", "google shopping ", "a..b", "x/y"))


def test_the_header_lists_exactly_where_the_list_differs_from_ga4(conn: psycopg.Connection) -> None:
    rows = conn.execute("""
        SELECT g.source, g.class, attrib.source_class(g.source)
          FROM unnest(%s::text[], %s::text[]) AS g(source, class)
         WHERE attrib.source_class(g.source) IS DISTINCT FROM g.class""",
                        [list(x) for x in zip(*ga4_pairs())]).fetchall()
    assert {s.lower(): (ga4, ours) for s, ga4, ours in rows} == listed_differences()


def test_every_listed_difference_is_one_spec_5_decides() -> None:
    # definitions §5: webmail hosts are email, AI assistants are ai; GA4 has neither category
    assert listed_differences() and all(ours in ("email", "ai") for _ga4, ours in listed_differences().values())


def test_agreement_with_googles_source_categories_is_at_least_98_percent(conn: psycopg.Connection) -> None:
    pairs = ga4_pairs()
    agree = conn.execute("""
        SELECT g.class, count(*) FILTER (WHERE attrib.source_class(g.source) = g.class), count(*)
          FROM unnest(%s::text[], %s::text[]) AS g(source, class) GROUP BY 1""",
                         [list(x) for x in zip(*pairs)]).fetchall()
    assert Counter(cls for _s, cls in pairs) == {"search": 129, "social": 592, "shopping": 52, "video": 46}
    assert sum(a for _c, a, _n in agree) / len(pairs) >= 0.98, agree
