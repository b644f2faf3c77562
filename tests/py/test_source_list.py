"""The shipped source list (migrations/data/source_classes.csv): one reviewable file whose every line counts.

Redundancy is judged by SPEC 5's matching rule, written out here on its own
as the oracle: a name is redundant when the list without it still gives it
its own class (a shorter name of that class decides it, e.g.
news.google.com when google is search), so it adds nothing.
"""

from __future__ import annotations

import psycopg

from attrib import sources

CLASS_ORDER = {c: i for i, c in enumerate(sources.CLASSES)}


def lines() -> list[str]:
    return sources.shipped_path().read_text().splitlines()


def shipped() -> dict[str, str]:
    return dict(sources.shipped())


def spec_class(value: str, names: dict[str, str]) -> str | None:
    """SPEC 5: of the names whose labels stand contiguously in value's, most labels win, then class order."""
    labels = value.split(".")
    runs = {".".join(labels[i:j]) for i in range(len(labels)) for j in range(i + 1, len(labels) + 1)}
    found = [(-name.count("."), CLASS_ORDER[names[name]], names[name]) for name in runs if name in names]
    return min(found)[2] if found else None


def test_the_file_is_name_class_lines_under_a_header() -> None:
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
