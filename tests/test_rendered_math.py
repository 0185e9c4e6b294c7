"""No page of the built site shows raw TeX: every TeX command and every `$...$` sits inside math
that MathJax typesets.

MyST turns `$...$` and `$$...$$` into elements of class "math", and MathJax typesets only those.
When the parser misses a formula (a line inside inline math that starts with "+" or "-" becomes a
list item, a stray blank line splits a display), its TeX lands in the page as plain text, which a
reader sees as `\\mathbf h_t` or `$W^\\top$`. These tests read the built HTML (`make book` first),
drop the typeset math, code, scripts and styles, and search the visible text for TeX; without a
built page they fail, so the site check carries the `site` marker, which the default run leaves
out; `make book` runs it right after its build. The checker itself
is tested on small pages, so it cannot pass vacuously.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))
from test_chapters import toc_files  # noqa: E402
from test_pdf import RAW_TEX  # noqa: E402

SITE = ROOT / "_build" / "html"
#: elements whose text is not prose: typeset math, code listings and cell sources, scripts
NOT_PROSE = "script, style, pre, code, .math, .highlight, mjx-container, math"


def raw_tex(html: str) -> list[str]:
    """The snippets of visible prose in ``html`` that contain TeX, each with some context."""
    soup = BeautifulSoup(html, "html.parser")
    body = soup.find("main") or soup.body or soup
    for element in body.select(NOT_PROSE):
        element.decompose()
    found = []
    for line in body.get_text("\n").splitlines():
        for match in RAW_TEX.finditer(line):
            start = max(0, match.start() - 40)
            found.append(line[start : match.end() + 40].strip())
    return found


@pytest.mark.parametrize(
    "html",
    [
        "<main><p>The state <span class='math notranslate'>\\(\\mathbf h_t\\)</span>.</p></main>",
        "<main><div class='math'>\\[\\frac{\\partial L}{\\partial h}\\]</div></main>",
        "<main><pre>print(r'$\\log V$')</pre><code>x @ W.T</code></main>",
        "<main><p>A run costs $5 of compute.</p></main>",
    ],
)
def test_typeset_math_and_code_are_not_raw_tex(html: str) -> None:
    assert raw_tex(html) == []


@pytest.mark.parametrize(
    ("html", "seen"),
    [
        ("<main><li>+ W_{hh}^\\top\\big[(1 - \\mathbf h_{t+1})\\big]$</li></main>", "\\mathbf"),
        ("<main><p>the gradient $\\bar{\\mathbf a}_t$ flows</p></main>", "$\\bar"),
        ("<main><p>a display left as text: $$</p></main>", "$$"),
        ("<main><p>see \\(x_t\\) here</p></main>", "\\("),
    ],
)
def test_tex_outside_math_is_found(html: str, seen: str) -> None:
    found = raw_tex(html)
    assert found and seen in found[0]


def _built_pages() -> list[Path]:
    assert any(SITE.glob("**/*.html")), f"{SITE} holds no page: build the book first (`make book`)"
    pages = [SITE / f"{page}.html" for page in toc_files()]
    missing = [p.name for p in pages if not p.is_file()]
    assert not missing, f"the built site lacks the pages {missing}"
    return pages


@pytest.mark.site
def test_no_page_of_the_built_site_shows_raw_tex() -> None:
    problems = {
        page.relative_to(SITE).as_posix(): snippets
        for page in _built_pages()
        if (snippets := raw_tex(page.read_text(encoding="utf-8")))
    }
    assert not problems, "raw TeX outside typeset math:\n" + "\n".join(
        f"{name}: {snippet}" for name, snippets in problems.items() for snippet in snippets
    )
