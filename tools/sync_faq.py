"""Rewrite the FAQ chapter's question cells from rnncore/study/faq.yaml.

The chapter (chapters/14_interview_faq.ipynb) shows each category of questions as one Markdown cell,
so that every question is a real heading (listed in the page's table of contents, anchored as
``faq-<id>``). Those cells are exactly ``rnncore.study.faq.render_category``'s output, which
tests/study/test_faq.py checks; after editing the YAML, run

    .venv/bin/python tools/sync_faq.py

to rewrite them (each is found by its first line, ``(faq-cat-<category>)=``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rnncore.study.faq import load_faq, render_category

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "14_interview_faq.ipynb"


def main() -> int:
    faq = load_faq()
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    found = set()
    for cell in nb["cells"]:
        first = "".join(cell["source"]).split("\n", 1)[0]
        for category, _ in faq.categories:
            if cell["cell_type"] == "markdown" and first == f"(faq-cat-{category})=":
                text = render_category(category, faq)
                cell["source"] = text.splitlines(keepends=True)
                found.add(category)
    missing = [c for c, _ in faq.categories if c not in found]
    if missing:
        print(f"no cell starts with (faq-cat-<category>)= for {missing}", file=sys.stderr)
        return 1
    CHAPTER.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"rewrote {len(found)} category cells of {CHAPTER.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
