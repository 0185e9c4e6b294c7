"""Build the book's PDF edition from the built site (`make pdf`); no notebook is executed.

Every page that _toc.yml lists is read from the built site (_build/html), and headless Chromium
prints it once MathJax has typeset it, with _static/print.css applied and every collapsed
solution opened. A cover, the contents and the running footers are printed the same way. pypdf
binds it all into one file: pages in reading order, page numbers, links between pages of the
book turned into links inside the PDF (the contents' included), an outline (part, chapter,
section) and page labels (roman for the cover and contents, arabic from the first page on).
The parts are in tools/pdfbook/.

    .venv/bin/python tools/build_pdf.py [--site _build/html] [--out SITE/rnn-course.pdf]
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path

import yaml
from pdfbook.binding import bind
from pdfbook.chromium import MARGINS, PAPERS, Printer
from pdfbook.pages import contents_html, cover_html, footers_html
from pdfbook.site import Doc, linked_anchors, page_title, read_toc, serve
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "rnn-course.pdf"  # intro.md links it


def build(site: Path, out: Path, paper: str, chromium: str, chromedriver: str) -> int:
    """Print every page of the site, bind the PDF at `out` and return its page count."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} holds no built book: run `make book` first")
    docs = read_toc(ROOT / "_toc.yml")
    missing = [doc.name for doc in docs if not (site / f"{doc.name}.html").is_file()]
    if missing:
        raise SystemExit(f"pages of _toc.yml missing from {site}: {missing}; rebuild the book")
    for doc in docs:
        doc.title = page_title(site / f"{doc.name}.html")
    linked_anchors(site, docs)
    css = (ROOT / "_static" / "print.css").read_text(encoding="utf-8")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    logo = (ROOT / "_static" / "logo.svg").read_text(encoding="utf-8")
    cover, contents = Doc("cover", "Cover"), Doc("contents", "Contents")

    def read(data: bytes) -> PdfReader:
        return PdfReader(io.BytesIO(data))

    printer = Printer(chromium, chromedriver, PAPERS[paper])
    try:
        with serve(site) as url:
            for doc in docs:
                doc.pdf = read(printer.print(f"{url}{doc.name}.html", css, doc.anchors))
            cover.pdf = read(printer.print_html(cover_html(config, logo)))
            contents.pdf = read(printer.print_html(contents_html(docs)))
            bare = dict.fromkeys(MARGINS, 0) | {"printBackground": False}
            footers = read(printer.print_html(footers_html(docs, PAPERS[paper][1]), **bare))
    finally:
        printer.close()
    if len(footers.pages) != sum(doc.pages for doc in docs):
        raise SystemExit("the footers do not match the pages one to one")

    prefix = Path(os.path.relpath(site.resolve(), out.resolve().parent)).as_posix()
    writer = bind([cover, contents], docs, footers, url, "" if prefix == "." else f"{prefix}/")
    writer.add_metadata(
        {"/Title": config["title"], "/Author": config["author"], "/Creator": "tools/build_pdf.py"}
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, help=f"the PDF (default: SITE/{PDF_NAME})")
    parser.add_argument("--paper", choices=sorted(PAPERS), default="a4")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "chromedriver"))
    args = parser.parse_args(argv)
    out = args.out or args.site / PDF_NAME
    start = time.monotonic()
    pages = build(args.site, out, args.paper, args.chromium, args.chromedriver)
    size = out.stat().st_size / 2**20
    print(f"{out}: {pages} pages, {size:.1f} MiB, in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
