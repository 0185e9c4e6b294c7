"""Every third-party import is declared: numpy for the engine, an extra for everything else.

The numpy engine (``rnncore.nn``) declares numpy as its only dependency; the torch models, data
sets, figures and study material each sit behind an extra, and the ``book`` extra (what a chapter's
install cell asks for) covers every import a chapter makes. The import scan reads the source, so
it also catches an import inside a function.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
META = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DIST_OF = packages_distributions()  # import name -> distribution names


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!\[;~]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _extra(name: str) -> set[str]:
    """The distributions an extra installs, following ``rnncore[...]`` self-references."""
    out: set[str] = set()
    for req in META["optional-dependencies"][name]:
        if req.startswith("rnncore["):
            for inner in req[len("rnncore[") : req.index("]")].split(","):
                out |= _extra(inner.strip())
        else:
            out.add(_name(req))
    return out


def _third_party(source: str) -> set[str]:
    """Top-level names of the non-stdlib, non-rnncore modules a piece of source imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "rnncore"}


def _distributions(modules: set[str]) -> set[str]:
    dists = set()
    for m in modules:
        assert m in DIST_OF, f"no installed distribution provides the module {m!r}"
        dists |= {_name(d) for d in DIST_OF[m]}
    return dists


def _chapter_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    # drop IPython magics and shell escapes, which are not Python
    return "\n".join(
        ln for ln in "\n".join(code).splitlines() if not ln.lstrip().startswith(("%", "!"))
    )


def test_the_engine_needs_numpy_only() -> None:
    assert [_name(d) for d in META["dependencies"]] == ["numpy"]
    for path in sorted((ROOT / "rnncore" / "nn").glob("*.py")):
        extra = _third_party(path.read_text(encoding="utf-8")) - {"numpy"}
        assert not extra, f"{path.name} imports {sorted(extra)}: the engine imports numpy only"


SUBPACKAGES = sorted(p.name for p in (ROOT / "rnncore").iterdir() if (p / "__init__.py").is_file())


@pytest.mark.parametrize("sub", ["(top level)", *SUBPACKAGES])
def test_every_package_import_is_declared(sub: str) -> None:
    declared = {_name(d) for d in META["dependencies"]} | _extra("book")
    if sub == "(top level)":
        paths = sorted((ROOT / "rnncore").glob("*.py"))
    else:
        paths = sorted((ROOT / "rnncore" / sub).rglob("*.py"))
    for path in paths:
        missing = _distributions(_third_party(path.read_text(encoding="utf-8"))) - declared
        rel = path.relative_to(ROOT)
        assert not missing, f"{rel} imports {sorted(missing)}, declared nowhere in pyproject.toml"


def test_the_book_extra_covers_every_chapter_import() -> None:
    book = {_name(d) for d in META["dependencies"]} | _extra("book")
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        missing = _distributions(_third_party(_chapter_code(path))) - book
        assert not missing, f"{path.name} imports {sorted(missing)}, not in rnncore[book]"


def test_every_extra_is_pinned_in_requirements() -> None:
    locked = {
        _name(line)
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    for extra in META["optional-dependencies"]:
        assert _extra(extra) <= locked, f"extra {extra!r} has packages requirements.txt lacks"
