"""references.bib parses, holds each key once, and covers every citation of the book."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pybtex.database

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "references.bib"


def test_the_bibliography_parses_with_unique_keys() -> None:
    text = BIB.read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M)
    twice = [k for k, n in collections.Counter(keys).items() if n > 1]
    assert not twice, f"keys defined more than once: {twice}"
    entries = pybtex.database.parse_file(BIB).entries
    assert sorted(entries) == sorted(keys)
    for key, entry in entries.items():
        assert entry.fields.get("title"), f"{key} has no title"
        assert entry.fields.get("year"), f"{key} has no year"


def _book_text() -> str:
    parts = [p.read_text(encoding="utf-8") for p in ROOT.glob("*.md")]
    parts += [p.read_text(encoding="utf-8") for p in (ROOT / "chapters").glob("*.md")]
    for path in (ROOT / "chapters").glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        parts += ["".join(c["source"]) for c in cells]
    for path in (ROOT / "rnncore").rglob("*.yaml"):
        # YAML comments explain the syntax with a placeholder key; they are not citations
        text = path.read_text(encoding="utf-8")
        parts.append("\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#")))
    return "\n".join(parts)


def test_every_citation_of_the_book_is_in_the_bibliography() -> None:
    keys = set(pybtex.database.parse_file(BIB).entries)
    cited = set()
    for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", _book_text()):
        cited |= {k.strip() for k in group.split(",")}
    assert cited, "no citation found: the pattern is out of date"
    assert not cited - keys, f"cited but not in references.bib: {sorted(cited - keys)}"
