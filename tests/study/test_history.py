"""The timeline data: every citation key is in references.bib, years are sorted, fields valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnncore.study import history

BIB = Path(__file__).resolve().parents[2] / "references.bib"


def test_every_key_is_in_references_bib() -> None:
    assert history.missing_keys(BIB) == []


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
        ("Hopfield network", 1982, "hopfield1982neural"),
        ("Jordan network", 1986, "jordan1986serial"),
        ("RTRL", 1989, "williams1989learning"),
        ("Elman network", 1990, "elman1990finding"),
        ("BPTT", 1990, "werbos1990backpropagation"),
        ("Vanishing gradients", 1991, "hochreiter1991untersuchungen"),
        ("LSTM", 1997, "hochreiter1997long"),
        ("Bidirectional RNN", 1997, "schuster1997bidirectional"),
        ("Forget gate", 2000, "gers2000learning"),
        ("Transformer", 2017, "vaswani2017attention"),
    ],
)
def test_known_dates(label: str, year: int, key: str) -> None:
    e = history.find(label)
    assert (e.year, e.key) == (year, key)


def test_elman_report_is_related_to_the_journal_paper() -> None:
    assert "elman1988finding" in history.find("elman network").related


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
    assert history.bib_keys(bib) == {"a2000b", "c2001d"}
    assert history.missing_keys(bib)  # the real keys are absent here


def test_errors_name_the_argument(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="category"):
        history.events("poetry")
    with pytest.raises(ValueError, match="label"):
        history.find("no such event")
    with pytest.raises(TypeError, match="label"):
        history.find(1997)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="path"):
        history.bib_keys(tmp_path / "missing.bib")
