"""Create a new chapter notebook with the course's fixed opening and closing cells.

    .venv/bin/python tools/chapter_template.py chapters/05_lstm_gru.ipynb "LSTM and GRU" \
        sec:lstm-gru

The first code cell is the guarded install for Colab/Binder; tests/test_chapters.py checks that
every chapter carries it verbatim (with the repository URL from _config.yml).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]


def repository_url() -> str:
    """The repository URL set in _config.yml: the one setting every link derives from."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return str(config["repository"]["url"]).rstrip("/")


def torch_pin() -> str:
    """The exact torch requirement of requirements.txt (``torch==X.Y.Z``)."""
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("torch=="):
            return line.split()[0]
    raise ValueError("requirements.txt pins no torch version (no line starting 'torch==')")


def install_cell_source(url: str | None = None) -> str:
    """The guarded first cell: installs the course only where it is missing (Colab, Binder).

    Where torch is missing too it is installed first from PyTorch's CPU wheel index, so a
    machine without a GPU never downloads the CUDA build; where torch is present (Colab) it is
    kept. ``url`` is what pip reads after ``git+`` (default: the repository URL of _config.yml).
    """
    url = repository_url() if url is None else url
    return (
        "# Colab/Binder only: install the course when it is missing. torch is kept\n"
        "# where present (Colab); elsewhere the CPU build comes from PyTorch's index.\n"
        "import importlib.util\n"
        "\n"
        'if importlib.util.find_spec("rnncore") is None:\n'
        "    import subprocess\n"
        "    import sys\n"
        "\n"
        '    pip = [sys.executable, "-m", "pip", "install", "-q"]\n'
        '    if importlib.util.find_spec("torch") is None:\n'
        '        cpu = "https://download.pytorch.org/whl/cpu"\n'
        f'        subprocess.check_call([*pip, "{torch_pin()}", "--index-url", cpu])\n'
        f'    url = "{url}"\n'
        '    subprocess.check_call([*pip, f"rnncore[book] @ git+{url}"])'
    )


def new_chapter(path: Path, title: str, label: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    install = nbformat.v4.new_code_cell(install_cell_source())
    install.metadata["tags"] = ["remove-cell"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            f"({label})=\n# {title}\n\n"
            "```{admonition} What you will learn\n:class: tip\n\n- ...\n```\n\n"
            "*Runs in about a minute on 2 CPU cores.*"
        ),
        install,
        nbformat.v4.new_code_cell(
            "import numpy as np\n\nimport rnncore\n\n"
            "rng = rnncore.set_seed(0)\nrnncore.set_threads(1)"
        ),
        nbformat.v4.new_markdown_cell("## Summary\n\n- ..."),
        nbformat.v4.new_markdown_cell("## Exercises"),
    ]
    nbformat.write(nb, path)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    new_chapter(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
