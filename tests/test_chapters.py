"""The book's structure: every chapter is stripped, listed in _toc.yml, and opens and closes as the
house style requires; every _toc.yml entry exists."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from chapter_template import install_cell_source  # noqa: E402

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def toc_files() -> list[str]:
    """Every `file:` entry of _toc.yml (root included), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", toc.get("chapters", [])))
    return found


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_chapters() -> None:
    assert NOTEBOOKS, "chapters/ holds no notebook"


def test_every_toc_entry_exists() -> None:
    for entry in toc_files():
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb", "")]
        assert any(c.is_file() for c in candidates), (
            f"_toc.yml lists {entry!r}, which does not exist"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_is_listed_in_toc(path: Path) -> None:
    rel = path.relative_to(ROOT).with_suffix("").as_posix()
    assert rel in toc_files(), f"{rel} is not listed in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_name_is_numbered(path: Path) -> None:
    number, _, slug = path.stem.partition("_")
    assert len(number) == 2 and number.isdigit() and slug, f"{path.name} is not NN_slug.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_is_stripped(path: Path) -> None:
    nb = load(path)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {i} is committed with outputs"
        assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_opens_with_guarded_install_then_seed(path: Path) -> None:
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cell"
    first = "".join(code[0]["source"])
    assert first == install_cell_source(), (
        f"{path.name}: the first code cell must be the guarded install from "
        "tools/chapter_template.py (its repository URL comes from _config.yml)"
    )
    second = "".join(code[1]["source"])
    assert "import rnncore" in second and "set_seed(" in second, (
        f"{path.name}: the second code cell must import rnncore and call set_seed"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_objectives_summary_and_exercises(path: Path) -> None:
    text = "\n".join("".join(c["source"]) for c in load(path)["cells"])
    assert "What you will learn" in text, f"{path.name} does not open with learning objectives"
    assert "## Summary" in text, f"{path.name} has no summary section"
    assert "## Exercises" in text, f"{path.name} has no exercises section"
    assert text.count("{exercise}") >= 3, f"{path.name} has fewer than three exercises"
    solutions = text.count("{solution}") + text.count("{solution-start}")
    assert solutions >= text.count("{exercise}"), f"{path.name} lacks solutions"


def test_install_cell_never_reinstalls_torch() -> None:
    src = install_cell_source()
    assert 'find_spec("rnncore") is None' in src
    assert 'find_spec("torch") is None' in src
    assert "torch==2.13.0" in src


def test_every_chapter_with_a_quiz_shows_it() -> None:
    from rnncore.study.quiz import CHAPTERS

    for slug in CHAPTERS:
        path = ROOT / "chapters" / f"{slug}.ipynb"
        assert path.is_file(), f"quizzes.yaml has a quiz for {slug}, which has no notebook"
        code = "\n".join(
            "".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "code"
        )
        assert f'show_quiz("{slug}")' in code, f"{path.name} does not show its quiz"
