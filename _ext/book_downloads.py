"""Write the book's download files before Sphinx reads any page (a local extension).

- ``_static/downloads/rnn-course-notebooks.zip``: every chapter notebook, as committed (no outputs),
  so a reader can take the whole course offline in one file.
- the interview flashcards (Anki ``.apkg`` and CSV), exported by ``python -m rnncore flashcards``
  from the FAQ's single source of truth, when that exporter is installed.

Running inside the build means ``jupyter-book build .`` alone produces them; pages link them with
the ``{download}`` role, which fails the ``-W`` build if a file is missing.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ARCHIVE = "rnn-course-notebooks.zip"
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # constant timestamps: the same notebooks give the same bytes


def write_notebook_archive(root: Path, out: Path) -> Path:
    """Zip chapters/*.ipynb into ``out / ARCHIVE`` deterministically and return its path."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / ARCHIVE
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for notebook in sorted((root / "chapters").glob("*.ipynb")):
            info = zipfile.ZipInfo(f"rnn-course/{notebook.name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, notebook.read_bytes())
    tmp.replace(target)
    return target


def export_flashcards(out: Path) -> None:
    """Run the FAQ exporter (``python -m rnncore flashcards``) when rnncore provides it."""
    try:
        import rnncore.study.flashcards  # noqa: F401
    except ImportError:
        return
    subprocess.run([sys.executable, "-m", "rnncore", "flashcards", "--out", str(out)], check=True)


def _on_builder_inited(app: Any) -> None:
    root = Path(app.srcdir)
    out = root / "_static" / "downloads"
    write_notebook_archive(root, out)
    export_flashcards(out)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
