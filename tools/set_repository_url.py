"""Point the book at another repository (a fork) in one step.

    .venv/bin/python tools/set_repository_url.py https://github.com/OWNER/REPO

The repository URL lives in one setting, ``repository.url`` in _config.yml: the repository and
issue buttons and the Colab/Binder launch buttons derive from it when the book is built. The one
copy outside _config.yml is the guarded install cell at the top of every chapter (a notebook on
Colab must know where to install the course from), so this command rewrites that setting and
regenerates every chapter's install cell from tools/chapter_template.py. tests/test_chapters.py
checks that the two agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chapter_template import install_cell_source

URL = re.compile(r"^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+){2}$")
SETTING = re.compile(r"^(?P<indent>\s+)url:\s*\S+\s*$", re.M)


def set_repository_url(root: Path, url: str) -> list[Path]:
    """Write ``url`` into root/_config.yml and every chapter's install cell; return the files."""
    url = url.rstrip("/").removesuffix(".git")
    if not URL.match(url):
        raise ValueError(f"url must look like https://github.com/OWNER/REPO, got {url!r}")
    config = root / "_config.yml"
    text = config.read_text(encoding="utf-8")
    block = text.index("\nrepository:")
    match = SETTING.search(text, block)
    if match is None:
        raise ValueError(f"{config} has no 'url:' line under 'repository:'")
    text = text[: match.start()] + f"{match['indent']}url: {url}" + text[match.end() :]
    config.write_text(text, encoding="utf-8")
    changed = [config]
    source = install_cell_source(url)
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        if first.source != source:
            first.source = source
            nbformat.write(nb, path)
            changed.append(path)
    return changed


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = Path(__file__).resolve().parents[1]
    for path in set_repository_url(root, sys.argv[1]):
        print(f"updated {path.relative_to(root)}")
