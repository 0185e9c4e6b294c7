"""Sphinx fixes for the rendered book (a local extension, loaded from _config.yml).

- sphinx-thebe, as Jupyter Book 1.0.4 wires it, registers its inline configuration script twice,
  and the second copy raises ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``
  in every page's console. This extension drops exact duplicate scripts from each page's context.
- Code a chapter includes from the package (``literalinclude`` of a file under ``rnncore/``) gets
  the ``package-code`` class whether or not the chapter names it, so its 100-column lines are
  styled to fit the page (``_ext/static/package_map.css``).
- docutils marks each bibliography entry ``role="doc-biblioentry"`` inside a ``role="list"``; that
  DPUB role is deprecated and axe-core counts the entries as missing list items (two critical
  violations on the bibliography page). The entries become plain ``role="listitem"``.
- The theme leaves the primary sidebar's logo and search button outside any landmark (axe-core's
  ``region`` rule). ``_ext/templates`` wraps them in a ``nav`` and a ``search`` landmark; this
  extension puts that folder first on the template path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "rnncore"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _add_templates(app: Any, config: Any) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(TEMPLATES))


def _drop_duplicate_scripts(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        # an inline script has filename None or "" depending on how it was registered
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    context["script_files"] = unique


def _plain_bibliography_roles(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _mark_package_code(app: Any, doctree: nodes.document) -> None:
    for block in doctree.findall(nodes.literal_block):
        source = block.get("source")
        if source and PACKAGE_DIR in Path(source).resolve().parents:
            if "package-code" not in block["classes"]:
                block["classes"].append("package-code")


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _add_templates)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _plain_bibliography_roles)
    app.connect("doctree-read", _mark_package_code)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
