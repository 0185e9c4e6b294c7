"""Sphinx fixes for the rendered book (a local extension, loaded from _config.yml).

- sphinx-thebe, as Jupyter Book 1.0.4 wires it, registers its inline configuration script twice,
  and the second copy raises ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``
  in every page's console. This extension drops exact duplicate scripts from each page's context.
- Code a chapter includes from the package (``literalinclude`` of a file under ``rnncore/``) gets
  the ``package-code`` class whether or not the chapter names it, so its 100-column lines are
  styled to fit the page (``_ext/static/package_map.css``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "rnncore"


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


def _mark_package_code(app: Any, doctree: nodes.document) -> None:
    for block in doctree.findall(nodes.literal_block):
        source = block.get("source")
        if source and PACKAGE_DIR in Path(source).resolve().parents:
            if "package-code" not in block["classes"]:
                block["classes"].append("package-code")


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("doctree-read", _mark_package_code)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
