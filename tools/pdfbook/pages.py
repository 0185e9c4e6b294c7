"""The pages the PDF adds to the site's: the cover, the contents and the running footers.

Each is an HTML document that chromium.py prints. The contents link to the pages with
placeholder URLs (CONTENTS_SCHEME + docname) that binding.py turns into links inside the PDF.
"""

from __future__ import annotations

import html

from .chromium import MARGINS
from .site import Doc

CONTENTS_SCHEME = "rnn-course-pdf:"
STYLE = """
body { font-family: -apple-system, 'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif;
       color: #222; margin: 0; }
.cover { height: 9.5in; display: flex; flex-direction: column; justify-content: center;
         text-align: center; }
.cover svg { width: 1.6in; height: 1.6in; margin: 0 auto 0.4in; }
.cover h1 { font-size: 30pt; margin: 0 0 0.15in; }
.cover .subtitle { font-size: 18pt; color: #444; margin: 0 0 0.6in; }
.cover p { font-size: 11pt; margin: 0.05in 0; }
.cover .small { font-size: 9pt; color: #555; margin-top: 0.5in; line-height: 1.5; }
h1.contents { font-size: 22pt; margin: 0 0 0.3in; }
h2 { font-size: 11pt; margin: 0.25in 0 0.08in; color: #555; text-transform: uppercase;
     letter-spacing: 0.04em; }
a.entry { display: flex; align-items: baseline; color: #222; text-decoration: none;
          font-size: 12pt; margin: 0.07in 0 0.07in 0.2in; }
a.entry .dots { flex: 1; border-bottom: 1pt dotted #999; margin: 0 0.08in; }
"""


def _document(style: str, body: str) -> str:
    return f"<!doctype html><html><head><style>{style}</style></head><body>{body}</body></html>"


def cover_html(config: dict, logo_svg: str) -> str:
    """Title (split at its colon into title and subtitle), author, source and licence."""
    title, _, subtitle = (html.escape(part.strip()) for part in config["title"].partition(":"))
    author = html.escape(config["author"])
    return _document(
        STYLE,
        f'<div class="cover">{logo_svg}<h1>{title}</h1><p class="subtitle">{subtitle}</p>'
        f'<p>{author}</p><p class="small">The PDF edition of the online book, printed from its'
        f" executed notebooks.<br>Source, notebooks and issues:"
        f" {html.escape(config['repository']['url'])}<br>&copy; {config['copyright']} {author}."
        " Code: MIT licence. Prose and figures: CC BY 4.0.</p></div>",
    )


def contents_html(docs: list[Doc]) -> str:
    """Parts and page titles with their page numbers (the first page of docs is page 1)."""
    rows, part, number = ['<h1 class="contents">Contents</h1>'], None, 1
    for doc in docs:
        if doc.part and doc.part != part:
            rows.append(f"<h2>{html.escape(doc.part)}</h2>")
        part = doc.part
        rows.append(
            f'<a class="entry" href="{CONTENTS_SCHEME}{doc.name}"><span>{html.escape(doc.title)}'
            f'</span><span class="dots"></span><span>{number}</span></a>'
        )
        number += doc.pages
    return _document(STYLE, "".join(rows))


def footers_html(docs: list[Doc], paper_height: float) -> str:
    """One page per printed page of docs, blank but for its footer: title and page number."""
    style = (
        f"html, body {{ margin: 0; }} .page {{ height: {paper_height}in; position: relative;"
        " break-after: page; overflow: hidden; }"
        f" .foot {{ position: absolute; left: {MARGINS['marginLeft']}in;"
        f" right: {MARGINS['marginRight']}in; bottom: 0.3in; display: flex;"
        " justify-content: space-between; font: 8pt sans-serif; color: #666;"
        " border-top: 0.5pt solid #ccc; padding-top: 3pt; }"
    )
    pages, number = [], 1
    for doc in docs:
        for _ in range(doc.pages):
            pages.append(
                f'<div class="page"><div class="foot"><span>{html.escape(doc.title)}</span>'
                f"<span>{number}</span></div></div>"
            )
            number += 1
    return _document(style, "".join(pages))
