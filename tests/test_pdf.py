"""The PDF edition (`make pdf`, tools/build_pdf.py), read back with poppler and pypdf.

The checks of the PDF are marked `pdf`: `pytest -m pdf tests/test_pdf.py` after `make pdf`.
Outside CI they skip when the PDF or poppler (Debian's `poppler-utils`) is missing; in CI
(`CI=true`) a missing piece fails. Chapter titles are read from the sources (each page's first
`# ` heading), not from the site. The unmarked tests check the tool's pure parts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))
from pdfbook.pages import CONTENTS_SCHEME, contents_html  # noqa: E402
from pdfbook.site import Doc, read_toc  # noqa: E402
from test_chapters import toc_files  # noqa: E402

PDF = ROOT / "_build" / "html" / "rnn-course.pdf"
PAGES = toc_files()  # the root page, the chapters and the bibliography, in reading order
# TeX that MathJax would have typeset: a command, or an inline formula left between dollars
RAW_TEX = re.compile(
    r"\\(?:frac|mathbf|mathrm|mathcal|boldsymbol|operatorname|text|left|right|begin|end|sum"
    r"|prod|partial|odot|cdot|sigma|tanh|alpha|beta|gamma|delta|epsilon|eta|theta|lambda"
    r"|nabla|sqrt|hat|tilde|top|quad|ldots|dots|le|ge|approx|times|in|log|exp)\b"
    r"|\$[^\s$][^$]{0,200}?[^\s$]\$|\$\$|\\\(|\\\["
)


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"PDF checks cannot run in CI: {reason}")
    pytest.skip(reason)


def source_title(page: str) -> str:
    """The first `# ` heading of a notebook or Markdown page, without inline markup."""
    path = ROOT / f"{page}.ipynb"
    if path.is_file():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    heading = re.search(r"^# (.+)$", text, re.M)
    assert heading, f"{page} has no title heading"
    return " ".join(re.sub(r"[`*]", "", heading.group(1)).split())


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not PDF.is_file():
        _missing(f"{PDF} does not exist: build it with `make pdf` (after `make book`)")
    for tool in ("pdfinfo", "pdftotext", "pdfimages"):
        if not shutil.which(tool):
            _missing(f"{tool} not found: apt-get install poppler-utils")
    return PDF


@pytest.fixture(scope="module")
def reader(pdf: Path) -> object:
    from pypdf import PdfReader

    return PdfReader(pdf)


@pytest.fixture(scope="module")
def texts(pdf: Path) -> list[str]:
    """The text of each page, whitespace collapsed."""
    pages = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1]
    return [" ".join(page.split()) for page in pages]


@pytest.fixture(scope="module")
def front(reader: object) -> int:
    """How many front-matter pages (cover, contents) come before page 1."""
    return reader.page_labels.index("1")


@pytest.mark.pdf
def test_page_count_is_sane(pdf: Path, texts: list[str]) -> None:
    info = dict(
        line.split(":", 1) for line in _run("pdfinfo", str(pdf)).splitlines() if ":" in line
    )
    pages = int(info["Pages"])
    assert pages == len(texts)
    # a chapter prints to a few pages at least and to a few dozen at most
    assert 3 * len(PAGES) <= pages <= 60 * len(PAGES), f"{pages} pages for {len(PAGES)} pages"
    assert info["Title"].strip(), "the PDF has no title in its metadata"


@pytest.mark.pdf
def test_every_title_in_reading_order(texts: list[str], front: int) -> None:
    contents = " ".join(texts[:front])
    body = " ".join(texts[front:])
    for where, text in (("contents", contents), ("body", body)):
        position = 0
        for page in PAGES:
            found = text.find(source_title(page), position)
            assert found >= 0, f"{where}: '{source_title(page)}' ({page}) missing or out of order"
            position = found + 1


def _code() -> str:
    """Every code cell of the chapters and every rnncore source, whitespace removed.

    TeX in code (a matplotlib label such as `r"$\\log V$"`, a docstring shown with
    `literalinclude`) is printed as written, and rightly so.
    """
    sources = [path.read_text(encoding="utf-8") for path in (ROOT / "rnncore").rglob("*.py")]
    for notebook in (ROOT / "chapters").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        sources += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return re.sub(r"\s", "", "\n".join(sources))


@pytest.mark.pdf
def test_math_is_typeset_not_raw_tex(texts: list[str]) -> None:
    code = _code()
    raw = [
        (number + 1, match.group(0))
        for number, text in enumerate(texts)
        for match in RAW_TEX.finditer(text)
        if re.sub(r"\s", "", match.group(0)) not in code
    ]
    assert raw == [], f"raw TeX outside code in the PDF text (page, match): {raw[:10]}"


@pytest.mark.pdf
def test_every_figure_is_printed(pdf: Path) -> None:
    """More pictures than chapters, and at least as many as the site's raster figures."""
    rows = [row.split() for row in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    # page num type width height ...: pictures, not masks or hairline decorations
    pictures = [row for row in rows if row[2] == "image" and min(int(row[3]), int(row[4])) >= 100]
    assert len(pictures) > len(PAGES), f"{len(pictures)} pictures for {len(PAGES)} pages"
    figures = sum(
        len(re.findall(r'<img [^>]*src="[^"]*\.(?:png|jpe?g|gif)"', _article(page)))
        for page in PAGES
    )
    assert len(pictures) >= figures, f"the site shows {figures} figures, the PDF {len(pictures)}"


def _article(page: str) -> str:
    """The article of a built page (its figures; not the logo in the navigation)."""
    text = (PDF.parent / f"{page}.html").read_text(encoding="utf-8")
    start = text.find("<article")
    return text[start : text.find("</article>", start)]


@pytest.mark.pdf
def test_outline_lists_every_page_in_order(reader: object) -> None:
    titles: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(" ".join(str(item.title).split()))

    walk(reader.outline)
    position = 0
    for page in PAGES:
        title = source_title(page)
        assert title in titles[position:], f"the outline lacks '{title}' or has it out of order"
        position = titles.index(title, position) + 1


def _link_targets(reader: object, page: object) -> list[int]:
    """The page index each internal link of a page points to, in order."""
    targets = []
    for annotation in page.get("/Annots", []):
        link = annotation.get_object()
        if link.get("/Subtype") == "/Link" and "/Dest" in link:
            targets.append(reader.get_page_number(link["/Dest"][0].get_object()))
    return targets


@pytest.mark.pdf
def test_contents_links_open_each_page(reader: object, texts: list[str], front: int) -> None:
    targets = [t for page in reader.pages[:front] for t in _link_targets(reader, page)]
    assert len(targets) == len(PAGES), f"{len(targets)} contents links for {len(PAGES)} pages"
    assert targets == sorted(targets), "contents links are out of reading order"
    for page, target in zip(PAGES, targets, strict=True):
        assert source_title(page) in texts[target][:400], (
            f"the contents link for {page} opens page {target + 1}, not the page titled "
            f"'{source_title(page)}'"
        )


@pytest.mark.pdf
def test_links_stay_in_the_book(reader: object) -> None:
    """No link points at the local server or files the PDF was printed from."""
    leaked = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            uri = str(annotation.get_object().get("/A", {}).get("/URI", ""))
            if re.match(r"(file:|https?://(127\.0\.0\.1|localhost)|rnn-course-pdf:)", uri):
                leaked.append((number + 1, uri))
    assert leaked == [], f"links to the build machine (page, uri): {leaked[:10]}"


@pytest.mark.pdf
def test_text_stays_within_the_page(pdf: Path) -> None:
    """Every word lies inside the page's margins: no code line or output is cut off."""
    xhtml = _run("pdftotext", "-bbox", str(pdf), "-")
    outside = []
    for number, (width, body) in enumerate(
        re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', xhtml, re.S)
    ):
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)" yMax="[\d.-]+">([^<]*)</word>',
            body,
        ):
            left, right, page_width = float(x_min), float(x_max), float(width)
            if right - left > page_width:
                continue  # a MathJax stretchy piece (brace, arrow): one glyph scaled, then clipped
            # 0.6 in margins (43.2 pt): allow a few points of glyph overhang
            if left < 36 or right > page_width - 36:
                outside.append((number + 1, word))
    assert outside == [], f"words outside the margins (page, word): {outside[:10]}"


def test_read_toc_keeps_reading_order(tmp_path: Path) -> None:
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: intro\nparts:\n"
        "  - caption: One\n    chapters:\n      - file: a.ipynb\n"
        "        sections:\n          - file: a/b\n      - file: c\n"
        "  - caption: Two\n    chapters:\n      - file: d\n",
        encoding="utf-8",
    )
    docs = read_toc(toc)
    assert [(d.name, d.part) for d in docs] == [
        ("intro", None),
        ("a", "One"),
        ("a/b", "One"),
        ("c", "One"),
        ("d", "Two"),
    ]
    assert [d.name for d in read_toc(ROOT / "_toc.yml")] == PAGES


def test_contents_number_and_link_every_page() -> None:
    class Printed:
        def __init__(self, pages: int) -> None:
            self.pages = [None] * pages

    docs = [Doc("intro", "Intro", pdf=Printed(2)), Doc("ch/x", "X & Y", "Part", Printed(5))]
    page = contents_html(docs)
    rows = re.findall(
        r'<a class="entry" href="([^"]+)"><span>(.*?)</span>.*?<span>(\d+)</span>', page
    )
    assert rows == [
        (f"{CONTENTS_SCHEME}intro", "Intro", "1"),
        (f"{CONTENTS_SCHEME}ch/x", "X &amp; Y", "3"),
    ]
    assert "<h2>Part</h2>" in page
