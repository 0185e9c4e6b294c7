"""The package map (_ext/package_map.py) covers the package: every module that declares
``__all__``, every name in it, and a source page for each module that shows its code.

The map is built here by Sphinx itself, in a minimal project that holds only the directive, so
the test sees the generated page as the book does, without executing the chapters.
"""

from __future__ import annotations

import ast
import html
import importlib
import io
import re
import sys
from pathlib import Path

import pytest
from docutils.nodes import make_id

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import package_map  # noqa: E402


def modules_with_all() -> dict[str, list[str]]:
    """Every module file under rnncore/ that has ``__all__`` -> its names, found independently
    of the extension: by the file tree, then importing the module."""
    found = {}
    for path in sorted((ROOT / "rnncore").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        module = importlib.import_module(".".join(parts))
        if hasattr(module, "__all__"):
            found[module.__name__] = list(module.__all__)
    return found


EXPECTED = modules_with_all()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page Sphinx project with the package map, built to HTML with warnings as errors."""
    from sphinx.application import Sphinx

    src = tmp_path_factory.mktemp("src")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['package_map']\nnitpicky = True\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text("Package map\n===========\n\n.. package-map::\n")
    out = tmp_path_factory.mktemp("html")
    warnings = io.StringIO()
    app = Sphinx(
        str(src), str(src), str(out), str(out / ".doctrees"), "html",
        status=None, warning=warnings, freshenv=True,
    )  # fmt: skip
    app.build()
    assert warnings.getvalue() == "", warnings.getvalue()
    return out


def test_the_package_has_modules_with_all() -> None:
    assert "rnncore.nn.rnn" in EXPECTED and "rnn_step_forward" in EXPECTED["rnncore.nn.rnn"]


def test_the_walk_finds_every_module_with_all_and_its_names() -> None:
    walked = {m.name: list(m.public) for m in package_map.walk() if m.public is not None}
    assert walked == EXPECTED


def test_every_module_with_all_is_in_exactly_one_group() -> None:
    rows = [m.name for g in package_map.groups(package_map.walk()) for m in g.modules]
    assert sorted(rows) == sorted(EXPECTED)


# what Sphinx's smart quotes make of ASCII punctuation, undone
SMART = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."})


def plain(markup: str) -> str:
    """Text of an HTML fragment with smart punctuation undone and whitespace collapsed."""
    return " ".join(html.unescape(markup).translate(SMART).split())


def _rows(page: str) -> dict[str, tuple[str, list[str]]]:
    """The map's rows by module: the id of the section the row sits in, and its cells' HTML."""
    rows = {}
    for match in re.finditer(
        r'<tr class="package-map-module[^"]*" id="([^"]+)">(.*?)</tr>', page, re.S
    ):
        section = re.findall(r'<section id="([^"]+)">', page[: match.start()])[-1]
        rows[match.group(1)] = (section, re.findall(r"<td[^>]*>(.*?)</td>", match.group(2), re.S))
    return rows


def _code(cell: str) -> list[str]:
    """The texts of the cell's code elements."""
    return [
        plain(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<code[^>]*>(.*?)</code>", cell, re.S)
    ]


def _without_markup(summary: str) -> str:
    """A docstring summary as the page shows it: ``literals`` and :role:`targets` as plain text."""
    return plain(re.sub(r"(?::[\w:]+:)?`{1,2}(.+?)`{1,2}", r"\1", summary))


def test_the_generated_map_lists_every_module_with_its_job_and_names(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    rows = _rows(page)
    ids = {make_id(f"map-{name}"): name for name in EXPECTED}
    assert sorted(ids.get(row_id, row_id) for row_id in rows) == sorted(EXPECTED)
    walked = {m.name: m for m in package_map.walk()}
    for row_id, (section, (module_cell, names_cell)) in rows.items():
        module = walked[ids[row_id]]
        # in the section of its own subpackage, which opens with the subpackage's summary
        assert section == make_id(f"map-{module.package}"), (module.name, section)
        heading = page[page.index(f'<section id="{section}">') :]
        assert _without_markup(walked[module.package].summary) in plain(
            re.sub(r"<[^>]+>", "", heading.split("</p>", 1)[0])
        ), module.package
        # the first cell: the module's name (its only code element unless its job has some)
        assert _code(module_cell)[0] == module.name
        job = f"import {module.name}" if module.is_package else module.summary
        assert _without_markup(job) in plain(re.sub(r"<[^>]+>", "", module_cell)), module.name
        assert _code(names_cell) == EXPECTED[module.name], module.name


def test_every_source_link_reaches_the_code_it_names(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="[^"]*package-map-source[^"]*" href="([^"]+)"', page)
    assert len(links) >= sum(len(names) + 1 for names in EXPECTED.values())
    for href in set(links):
        target, _, anchor = html.unescape(href).partition("#")
        source = site / target
        assert source.is_file(), href
        text = source.read_text(encoding="utf-8")
        if anchor:
            assert f'id="{anchor}"' in text, href


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_each_source_page_shows_the_whole_module(site: Path, module: str) -> None:
    path = site / (package_map.source_page(module) + ".html")
    text = path.read_text(encoding="utf-8")
    code = re.search(r"<pre>(.*?)</pre>", text, re.S).group(1)
    shown = html.unescape(re.sub(r"<[^>]+>", "", code))
    source = importlib.import_module(module).__file__
    expected = Path(source).read_text(encoding="utf-8")
    assert shown.strip() == expected.strip()
    # each public name the module itself defines has an anchor at its definition
    tree = ast.parse(expected)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    for name in set(EXPECTED[module]) & defined:
        assert f'<div class="viewcode-block" id="{name}">' in text, (module, name)
