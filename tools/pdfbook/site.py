"""The book as the PDF sees it: the pages of _toc.yml in reading order, read from the built site.

A `Doc` is one printed document: a page of the site (a chapter, the introduction, the
bibliography) or a page the PDF adds (cover, contents). Pages are served over HTTP on localhost:
MathJax's fonts do not load from file:// URLs.
"""

from __future__ import annotations

import functools
import html
import http.server
import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import yaml


@dataclass
class Doc:
    """One printed document and where it lands in the assembled PDF."""

    name: str  # the site's docname ("chapters/03_bptt"), or "cover" / "contents"
    title: str = ""
    part: str | None = None  # the _toc.yml caption it belongs to
    pdf: Any = None  # its pypdf.PdfReader once printed
    first: int = 0  # index of its first page in the assembled PDF
    anchors: set[str] = field(default_factory=set)  # its ids that other pages link to

    @property
    def pages(self) -> int:
        return len(self.pdf.pages) if self.pdf is not None else 0


def read_toc(toc_path: Path) -> list[Doc]:
    """The pages of _toc.yml in reading order: the root, then every file, sections included."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    docs = [Doc(toc["root"])]

    def walk(entries: list | None, part: str | None) -> None:
        for entry in entries or []:
            if "file" in entry:
                docs.append(Doc(str(Path(entry["file"]).with_suffix("")), part=part))
            walk(entry.get("sections"), part)

    for part in toc.get("parts", []):
        walk(part.get("chapters"), part.get("caption"))
    walk(toc.get("chapters"), None)
    return docs


def page_title(page: Path) -> str:
    """The page's first heading as a reader sees it (markup and the pilcrow link dropped)."""
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
    if not found:
        raise SystemExit(f"{page} has no <h1> heading")
    heading = re.sub(r'<a class="headerlink".*?</a>', "", found.group(1), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", heading)).split())


def linked_anchors(site: Path, docs: list[Doc]) -> None:
    """Record in each Doc the ids of its page that links on other pages point to."""
    by_name = {doc.name: doc for doc in docs}
    for doc in docs:
        base = f"http://site/{doc.name}.html"
        text = (site / f"{doc.name}.html").read_text(encoding="utf-8")
        for href in re.findall(r'<a [^>]*href="([^"#][^"]*#[^"]+)"', text):
            target, fragment = urldefrag(urljoin(base, html.unescape(href)))
            name = urlparse(target).path.lstrip("/").removesuffix(".html")
            if name in by_name and name != doc.name:
                by_name[name].anchors.add(unquote(fragment))


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve the site on a free localhost port; yields its base URL (ending in '/')."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
