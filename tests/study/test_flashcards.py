"""The flashcard exporter writes an Anki deck and a CSV that read back to the FAQ."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from rnncore.study.faq import load_faq
from rnncore.study.flashcards import (
    APKG_NAME,
    CSV_COLUMNS,
    CSV_NAME,
    DECK_ID,
    MODEL_ID,
    export,
    main,
    to_anki_html,
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return export(tmp_path_factory.mktemp("cards"))


def _notes(apkg: Path, tmp: Path) -> tuple[list[tuple], dict, dict]:
    with zipfile.ZipFile(apkg) as zf:
        assert "collection.anki2" in zf.namelist()
        zf.extract("collection.anki2", tmp)
    con = sqlite3.connect(tmp / "collection.anki2")
    try:
        notes = con.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
        decks, models = con.execute("SELECT decks, models FROM col").fetchone()
    finally:
        con.close()
    return notes, json.loads(decks), json.loads(models)


def test_deck_reads_back(exported: tuple[Path, Path], tmp_path: Path) -> None:
    apkg, _ = exported
    assert apkg.name == APKG_NAME
    faq = load_faq()
    notes, decks, models = _notes(apkg, tmp_path)
    assert len(notes) == len(faq.questions)
    assert str(DECK_ID) in decks and str(MODEL_ID) in models
    by_id = {flds.split("\x1f")[5]: (guid, mid, flds.split("\x1f")) for guid, mid, flds, _ in notes}
    for q in faq.questions:
        _guid, mid, fields = by_id[q.id]
        assert mid == MODEL_ID
        assert fields[0] == to_anki_html(q.question)
        assert "{cite}" not in fields[2] and "{ref}" not in fields[2]


def test_guids_are_stable_across_exports(exported: tuple[Path, Path], tmp_path: Path) -> None:
    again, _ = export(tmp_path / "again")
    first = {n[0] for n in _notes(exported[0], tmp_path / "a")[0]}
    second = {n[0] for n in _notes(again, tmp_path / "b")[0]}
    assert first == second and len(first) == len(load_faq().questions)


def test_csv_reads_back(exported: tuple[Path, Path]) -> None:
    _, path = exported
    assert path.name == CSV_NAME
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    faq = load_faq()
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [r["id"] for r in rows] == [q.id for q in faq.questions]
    assert rows[0]["question"] == faq.questions[0].question
    assert all(r["short_answer"] and r["long_answer"] for r in rows)


def test_anki_html_converts_math_roles_and_escapes() -> None:
    text = "If $a<b$ see {ref}`the chapter <sec:bptt>` {cite}`x2020y` and `nn.LSTM`."
    out = to_anki_html(text)
    assert out == "If \\(a&lt;b\\) see the chapter and <code>nn.LSTM</code>."


def test_main_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path / "dl")]) == 0
    assert (tmp_path / "dl" / APKG_NAME).is_file() and (tmp_path / "dl" / CSV_NAME).is_file()
    assert APKG_NAME in capsys.readouterr().out


def test_main_requires_out() -> None:
    with pytest.raises(SystemExit):
        main([])


def test_cli_subcommand_exports(tmp_path: Path) -> None:
    from rnncore.__main__ import main as cli

    assert cli(["flashcards", "--out", str(tmp_path)]) == 0
    assert (tmp_path / APKG_NAME).is_file() and (tmp_path / CSV_NAME).is_file()
