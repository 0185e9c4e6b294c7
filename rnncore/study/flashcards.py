"""Export the interview FAQ as an Anki deck (.apkg) and a CSV: ``python -m rnncore flashcards``.

Both files come from rnncore/study/faq.yaml (see :mod:`rnncore.study.faq`). The deck and note-type
ids are fixed numbers and each note's GUID derives from the question's stable id, so re-importing a
newer deck into Anki updates the cards in place instead of duplicating them.

MyST markup is converted for Anki: $...$ becomes Anki's MathJax \\(...\\), {ref}`sec:x` and
{cite}`key` roles are dropped or reduced to plain text, and the evidence pointer is kept as text.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
from pathlib import Path

from rnncore.study.faq import FAQ, load_faq

__all__ = [
    "APKG_NAME",
    "CSV_NAME",
    "DECK_ID",
    "MODEL_ID",
    "add_subcommand",
    "export",
    "main",
    "to_anki_html",
]

APKG_NAME = "rnn-interview-flashcards.apkg"
CSV_NAME = "rnn-interview-flashcards.csv"
DECK_ID = 1_735_412_901  # fixed forever: Anki matches decks by id
MODEL_ID = 1_735_412_902
CSV_COLUMNS = ("id", "number", "category", "question", "short_answer", "long_answer", "evidence")

_CITE = re.compile(r"\s*\{cite\}`[^`]*`")
_REF = re.compile(r"\{ref\}`(?:([^`<]*?)\s*<)?([^`>]+)>?`")
_MATH = re.compile(r"\$([^$]+)\$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _plain(text: str) -> str:
    """MyST roles reduced to plain text (citations dropped: the prose names the authors)."""
    text = _CITE.sub("", text)
    return _REF.sub(lambda m: m.group(1) or m.group(2), text)


def to_anki_html(text: str) -> str:
    """MyST Markdown of one answer as the small HTML subset Anki displays, math for MathJax."""
    text = html.escape(_plain(text), quote=False)
    text = _MATH.sub(lambda m: "\\(" + m.group(1) + "\\)", text)
    text = _CODE.sub(r"<code>\1</code>", text)
    return _BOLD.sub(r"<b>\1</b>", text)


def _model():
    import genanki

    return genanki.Model(
        MODEL_ID,
        "rnn-course interview card",
        fields=[{"name": n} for n in ("Question", "Short", "Long", "Category", "Evidence", "Id")],
        templates=[
            {
                "name": "Question to answer",
                "qfmt": '<div class="cat">{{Category}}</div><div class="q">{{Question}}</div>',
                "afmt": (
                    "{{FrontSide}}<hr id=answer><div class=short>{{Short}}</div>"
                    "<details><summary>Deeper answer</summary>{{Long}}</details>"
                    "<div class=ev>Evidence in the course: {{Evidence}}</div>"
                ),
            }
        ],
        css=(
            ".card {font-family: sans-serif; font-size: 18px; text-align: left;}"
            ".cat {color: #0072B2; font-size: 14px;} .q {font-weight: bold;}"
            ".ev {color: #555; font-size: 14px; margin-top: 1em;}"
        ),
    )


def export(out_dir: str | Path, faq: FAQ | None = None) -> tuple[Path, Path]:
    """Write the deck and the CSV into ``out_dir`` (created if needed); return both paths."""
    import genanki

    faq = load_faq() if faq is None else faq
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = _model()
    deck = genanki.Deck(DECK_ID, "RNN interview questions (rnn-course)")
    for q in faq.questions:
        fields = [
            to_anki_html(q.question),
            to_anki_html(q.short),
            to_anki_html(q.long),
            html.escape(faq.title(q.category)),
            html.escape(q.evidence),
            q.id,
        ]
        guid = genanki.guid_for("rnn-course-faq", q.id)
        tags = ["rnn-course", q.category]
        deck.add_note(genanki.Note(model=model, fields=fields, guid=guid, tags=tags))
    apkg = out / APKG_NAME
    # a fixed timestamp keeps the note and card ids the same from one export to the next
    genanki.Package(deck).write_to_file(str(apkg), timestamp=1_735_412_900.0)
    path_csv = out / CSV_NAME
    with path_csv.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for q in faq.questions:
            row = [q.id, q.number, faq.title(q.category), q.question, q.short, q.long, q.evidence]
            writer.writerow([_plain(str(v)) if isinstance(v, str) else v for v in row])
    return apkg, path_csv


def add_subcommand(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``flashcards --out DIR`` on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "flashcards", help="export the interview FAQ as an Anki deck (.apkg) and a CSV"
    )
    parser.add_argument("--out", required=True, help="output directory (created if missing)")
    parser.set_defaults(func=lambda args: _run(args.out))
    return parser


def _run(out: str) -> int:
    apkg, path_csv = export(out)
    print(f"wrote {apkg} and {path_csv}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m rnncore.study.flashcards --out DIR``."""
    parser = argparse.ArgumentParser(prog="rnncore flashcards", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="output directory (created if missing)")
    args = parser.parse_args(argv)
    return _run(args.out)


if __name__ == "__main__":
    raise SystemExit(main())
