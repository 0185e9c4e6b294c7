"""tools/set_repository_url.py points a copy of the book at a fork; config and cells agree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FORK = "https://github.com/someone-else/rnn-course-fork"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The files the tool reads and writes, copied (the real checkout is never touched)."""
    for name in ("_config.yml", "requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    return tmp_path


def _run(copy: Path, url: str) -> subprocess.CompletedProcess:
    tool = copy / "tools" / "set_repository_url.py"
    return subprocess.run(
        [sys.executable, str(tool), url], capture_output=True, text=True, check=False
    )


def _first_code_cell(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


def test_the_tool_rewrites_the_setting_and_every_install_cell(copy: Path) -> None:
    done = _run(copy, FORK + "/")
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load((copy / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"]["url"] == FORK
    chapters = sorted((copy / "chapters").glob("*.ipynb"))
    assert chapters
    for path in chapters:
        cell = _first_code_cell(path)
        assert f'url = "{FORK}"' in cell, path.name
        assert "rnn-course/rnn-course" not in cell, path.name
    # the rest of the configuration is untouched (comments included)
    before = (ROOT / "_config.yml").read_text(encoding="utf-8").splitlines()
    after = (copy / "_config.yml").read_text(encoding="utf-8").splitlines()
    assert [a for a, b in zip(before, after, strict=True) if a != b] == [
        line for line in before if line.strip().startswith("url:")
    ]
    # the regenerated cells still fit the page (the chapters' 79-column lint passes)
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "chapters"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    # running it again changes nothing but the setting it rewrites
    assert _run(copy, FORK).stdout.strip() == "updated _config.yml"


@pytest.mark.parametrize("bad", ["github.com/a/b", "https://github.com/only-owner", "ftp://x/a/b"])
def test_the_tool_refuses_what_is_not_a_repository_url(copy: Path, bad: str) -> None:
    done = _run(copy, bad)
    assert done.returncode != 0
    assert "url must look like https://github.com/OWNER/REPO" in done.stderr
    assert (copy / "_config.yml").read_bytes() == (ROOT / "_config.yml").read_bytes()
