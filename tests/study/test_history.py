"""The timeline data: every citation key is in references.bib, every year follows the dating rule
(first public appearance: the year of the event's key entry, no related version older), years are
sorted, fields valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnncore.study import history

BIB = Path(__file__).resolve().parents[2] / "references.bib"


# ---- readers of references.bib: test-side only (the installed package never reads the repository)


def bib_keys(path: str | Path) -> set[str]:
    """Return every entry key defined in the BibTeX file at ``path`` (``@type{key,``)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing .bib file, got {str(path)!r}")
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.MULTILINE))


def missing_keys(path: str | Path) -> list[str]:
    """Return the timeline's citation keys (``key`` and ``related``) absent from ``path``."""
    defined = bib_keys(path)
    wanted = [k for e in history.EVENTS for k in (e.key, *e.related)]
    return [k for k in wanted if k not in defined]


def bib_years(path: str | Path) -> dict[str, int]:
    """Return ``{key: year}`` for every entry of the BibTeX file at ``path`` that has a year."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing .bib file, got {str(path)!r}")
    text = path.read_text(encoding="utf-8")
    years = {}
    for m in re.finditer(
        r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,(.*?)^\s*\}", text, re.MULTILINE | re.DOTALL
    ):
        year = re.search(r"^\s*year\s*=\s*[{\"]?(\d{4})", m.group(2), flags=re.MULTILINE)
        if year:
            years[m.group(1)] = int(year.group(1))
    return years


def misdated(path: str | Path) -> list[str]:
    """Events that break the dating rule against the BibTeX file at ``path``, one line each.

    An event breaks it when its year differs from the year of its ``key`` entry, or when one of its
    ``related`` versions is older than the event (then that version appeared first).
    """
    years = bib_years(path)
    problems = []
    for e in history.EVENTS:
        if years.get(e.key) != e.year:
            problems.append(f"{e.label}: year {e.year}, but {e.key} has {years.get(e.key)}")
        for k in e.related:
            if k in years and years[k] < e.year:
                problems.append(f"{e.label}: related {k} ({years[k]}) is older than {e.year}")
    return problems


def test_every_key_is_in_references_bib() -> None:
    assert missing_keys(BIB) == []


def test_years_follow_the_dating_rule() -> None:
    # each event's year is the year of its key's entry, and no later version is older
    assert misdated(BIB) == []
    years = bib_years(BIB)
    for e in history.EVENTS:
        versions = [years[k] for k in (e.key, *e.related)]
        assert e.year == min(versions), e


def test_key_year_matches_the_bib_year() -> None:
    years = bib_years(BIB)
    for e in history.EVENTS:
        for k in (e.key, *e.related):
            assert history.key_year(k) == years[k], k
    with pytest.raises(ValueError, match="key"):
        history.key_year("Hochreiter1997")
    with pytest.raises(TypeError, match="key"):
        history.key_year(1997)  # type: ignore[arg-type]


def test_the_rule_is_stated() -> None:
    assert "first public appearance" in " ".join((history.__doc__ or "").split())


def test_years_are_sorted() -> None:
    years = [e.year for e in history.EVENTS]
    assert years == sorted(years)


def test_keys_are_unique_and_follow_the_naming_rule() -> None:
    keys = [e.key for e in history.EVENTS]
    assert len(keys) == len(set(keys))
    for e in history.EVENTS:
        # firstauthorYEARfirstword: the year in the key is the year of the cited publication
        assert str(e.year) in e.key, e
        assert e.key == e.key.lower(), e


def test_categories_are_known_and_fields_filled() -> None:
    for e in history.EVENTS:
        assert e.category in history.CATEGORIES
        assert e.label and e.authors and e.venue and e.note
        assert 1940 < e.year < 2030


@pytest.mark.parametrize(
    ("label", "year", "key"),
    [
        ("Reverse-mode differentiation", 1970, "linnainmaa1970representation"),
        ("Learning pattern sequences", 1972, "amari1972learning"),
        ("Persistent states", 1974, "little1974existence"),
        ("Backpropagation for model fitting", 1974, "werbos1974beyond"),
        ("Hopfield network", 1982, "hopfield1982neural"),
        ("Jordan network", 1986, "jordan1986serial"),
        ("Dynamic error propagation", 1987, "robinson1987utility"),
        ("Elman network", 1988, "elman1988finding"),
        ("BPTT", 1988, "werbos1988generalization"),
        ("RTRL", 1989, "williams1989learning"),
        ("Vanishing gradients", 1991, "hochreiter1991untersuchungen"),
        ("LSTM", 1995, "hochreiter1995long"),
        ("Bidirectional RNN", 1997, "schuster1997bidirectional"),
        ("Forget gate", 1999, "gers1999learning"),
        ("Recurrent continuous translation", 2013, "kalchbrenner2013recurrent"),
        ("Additive attention", 2014, "bahdanau2014neural"),
        ("Transformer", 2017, "vaswani2017attention"),
        ("S4", 2021, "gu2021efficiently"),
    ],
)
def test_known_dates(label: str, year: int, key: str) -> None:
    e = history.find(label)
    assert (e.year, e.key) == (year, key)


@pytest.mark.parametrize(
    ("label", "later"),
    [
        ("Elman network", "elman1990finding"),
        ("LSTM", "hochreiter1997long"),
        ("Forget gate", "gers2000learning"),
        ("Reverse-mode differentiation", "linnainmaa1976taylor"),
    ],
)
def test_later_versions_are_related(label: str, later: str) -> None:
    e = history.find(label)
    assert later in e.related
    assert bib_years(BIB)[later] > e.year


def test_events_filters_by_category() -> None:
    revival = history.events("revival")
    assert {e.label for e in revival} >= {"Mamba", "RWKV", "xLSTM"}
    assert all(e.category == "revival" for e in revival)
    assert len(history.events()) == len(history.EVENTS)


def test_table_rows() -> None:
    rows = history.table()
    assert len(rows) == len(history.EVENTS)
    assert set(rows[0]) == {"year", "event", "authors", "venue", "key"}


def test_bib_keys_reads_entries(tmp_path: Path) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@article{a2000b,\n title={t}}\n  @inproceedings{ c2001d ,\n}\n", encoding="utf-8"
    )
    assert bib_keys(bib) == {"a2000b", "c2001d"}
    assert missing_keys(bib)  # the real keys are absent here


def test_misdated_finds_a_wrong_year_and_an_older_version(tmp_path: Path) -> None:
    bib = tmp_path / "x.bib"
    text = BIB.read_text(encoding="utf-8")
    # the LSTM report moved to 1996, the journal paper kept: the event's year no longer matches
    bib.write_text(
        text.replace("number      = {FKI-207-95},\n  month       = aug,\n  year        = {1995}",
                     "number      = {FKI-207-95},\n  month       = aug,\n  year        = {1996}"),
        encoding="utf-8",
    )  # fmt: skip
    assert any(p.startswith("LSTM:") for p in misdated(bib))
    # the Elman journal paper dated before the report: the related version is older
    old, new = "{179--211},\n  year    = {1990}", "{179--211},\n  year    = {1987}"
    bib.write_text(text.replace(old, new), encoding="utf-8")
    assert any("elman1990finding" in p for p in misdated(bib))


def test_errors_name_the_argument(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="category"):
        history.events("poetry")
    with pytest.raises(ValueError, match="label"):
        history.find("no such event")
    with pytest.raises(TypeError, match="label"):
        history.find(1997)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="path"):
        bib_keys(tmp_path / "missing.bib")
    with pytest.raises(ValueError, match="path"):
        bib_years(tmp_path / "missing.bib")


def test_entries_of_history_yaml_are_validated() -> None:
    good = {"year": 1997, "label": "x", "authors": "a", "key": "a1997x", "venue": "v",
            "category": "architecture", "note": "n"}  # fmt: skip
    assert history._event(0, good).related == ()
    with pytest.raises(ValueError, match=r"events\[3\].*missing \['note'\]"):
        history._event(3, {k: v for k, v in good.items() if k != "note"})
    with pytest.raises(ValueError, match="unknown"):
        history._event(0, {**good, "colour": "red"})
    with pytest.raises(ValueError, match="category"):
        history._event(0, {**good, "category": "poetry"})
    with pytest.raises(ValueError, match="mapping"):
        history._event(0, ["not", "a", "mapping"])
