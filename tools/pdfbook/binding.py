"""One PDF from the printed parts (pypdf): pages in order, footers, links, outline, labels.

Chromium prints each page of the site on its own, so links between pages come out as URLs of
the local server the pages were printed from. `relink` turns each into a link inside the PDF:
to the exact place of the anchor when the target page has a named destination for it
(chromium.py makes sure it has), else to the target page's top. Links to other files of the
site (the notebook archive, flashcards) become relative to the PDF's place in the site.
"""

from __future__ import annotations

from urllib.parse import unquote, urldefrag

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, Fit, NameObject, NullObject, NumberObject, TextStringObject

from .pages import CONTENTS_SCHEME
from .site import Doc


def bind(
    front: list[Doc], docs: list[Doc], footers: PdfReader, site_url: str, prefix: str
) -> PdfWriter:
    """The book: `front` (cover, contents) in roman numbers, then `docs` from page 1.

    `footers` holds one footer page per page of `docs`; `prefix` leads from the PDF's folder
    to the site's root ("" when the PDF lies there).
    """
    writer = PdfWriter()
    for doc in (*front, *docs):
        doc.first = len(writer.pages)
        for page in doc.pdf.pages:
            writer.add_page(page)
    body = docs[0].first
    for number, footer in enumerate(footers.pages):
        writer.pages[body + number].merge_page(footer)
        writer.pages[body + number].compress_content_streams()  # merging left them plain
    relink(writer, [*front, *docs], site_url, prefix, root=docs[0])
    outline(writer, front[-1], docs)
    writer.set_page_label(0, body - 1, style="/r")
    writer.set_page_label(body, len(writer.pages) - 1, style="/D")
    writer.page_mode = "/UseOutlines"
    writer.compress_identical_objects()
    return writer


def _destination(writer: PdfWriter, page: int, top: float | None) -> ArrayObject:
    """An explicit destination: the page, scrolled to `top` (points from its foot) if known."""
    height = NumberObject(round(top)) if top is not None else NullObject()
    reference = writer.pages[page].indirect_reference
    return ArrayObject([reference, NameObject("/XYZ"), NullObject(), height, NullObject()])


def relink(writer: PdfWriter, docs: list[Doc], site_url: str, prefix: str, root: Doc) -> None:
    """Point every link to a page of the book at its place in the PDF (see the module's doc)."""
    by_name = {doc.name: doc for doc in docs} | {"index": root}  # index.html opens the root
    anchors = {
        doc.name: {
            str(name).lstrip("/"): (doc.first + doc.pdf.get_destination_page_number(dest), dest.top)
            for name, dest in doc.pdf.named_destinations.items()
        }
        for doc in docs
    }

    def target(doc: Doc, fragment: str) -> ArrayObject:
        page, top = anchors[doc.name].get(fragment, (doc.first, None))
        return _destination(writer, page, top)

    for doc in docs:
        for index in range(doc.first, doc.first + doc.pages):
            for annotation in writer.pages[index].get("/Annots", []):
                link = annotation.get_object()
                if link.get("/Subtype") != "/Link":
                    continue
                if "/Dest" in link:  # a link within the page, to a named destination
                    link[NameObject("/Dest")] = target(doc, str(link["/Dest"]).lstrip("/"))
                    continue
                uri = str(link.get("/A", {}).get("/URI", ""))
                found = None
                if uri.startswith(CONTENTS_SCHEME):
                    found = (by_name[uri.removeprefix(CONTENTS_SCHEME)], "")
                elif uri.startswith(site_url):
                    path, fragment = urldefrag(uri.removeprefix(site_url))
                    name = unquote(path).removesuffix(".html")
                    if name in by_name:
                        found = (by_name[name], unquote(fragment))
                    else:
                        link["/A"][NameObject("/URI")] = TextStringObject(
                            prefix + uri.removeprefix(site_url)
                        )
                if found:
                    del link["/A"]
                    link[NameObject("/Dest")] = target(*found)


def outline(writer: PdfWriter, contents: Doc, docs: list[Doc], depth: int = 2) -> None:
    """Bookmarks: the contents, then each part with its pages and their sections."""
    writer.add_outline_item(title="Contents", page_number=contents.first)
    parts: dict[str, object] = {}

    def add(doc: Doc, items: list, parent: object, level: int) -> None:
        # pypdf gives an outline as a list of items, each item's children in a list after it
        for position, item in enumerate(items):
            if isinstance(item, list):
                continue
            made = writer.add_outline_item(
                title=" ".join(str(item.title).split()),
                page_number=doc.first + doc.pdf.get_destination_page_number(item),
                parent=parent,
                fit=Fit.xyz(top=item.top),
                is_open=False,
            )
            children = items[position + 1] if position + 1 < len(items) else None
            if isinstance(children, list) and level < depth:
                add(doc, children, made, level + 1)

    for doc in docs:
        parent = None
        if doc.part:
            if doc.part not in parts:
                parts[doc.part] = writer.add_outline_item(title=doc.part, page_number=doc.first)
            parent = parts[doc.part]
        # Chromium's outline of a page is its title (with the heading's lines joined without a
        # space, so the item is remade from doc.title) and the sections under it
        items = list(doc.pdf.outline)
        if items and not isinstance(items[0], list):
            under = items[1] if len(items) > 1 and isinstance(items[1], list) else []
            items = [*under, *items[2:]]
        made = writer.add_outline_item(
            title=doc.title, page_number=doc.first, parent=parent, is_open=False
        )
        add(doc, items, made, 2)
