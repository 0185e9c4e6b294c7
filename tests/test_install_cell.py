"""A chapter's first cell installs the course into a Python that already has torch, as on Colab.

Run by `make test-python PY=3.13` (Colab's default Python), in an environment set up as Colab's is
before the cell runs: torch installed, rnncore not. The cell is the one every chapter carries
(tools/chapter_template.py), pointed at this checkout through ``git+file://`` instead of the
repository URL, so pip clones, builds and installs the package exactly as on Colab.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from chapter_template import install_cell_source  # noqa: E402

PROBE = """
import importlib.metadata as md, importlib.util as u, json
found = {m: u.find_spec(m) is not None for m in ("rnncore", "torch")}
print(json.dumps({"found": found, "torch": md.version("torch") if found["torch"] else None}))
"""

# what a chapter needs after the cell: the engine, the torch side and every extra of rnncore[book]
USE = """
import matplotlib, yaml, genanki, babel, statsmodels, pandas, scipy, tqdm
import numpy as np
import rnncore
from rnncore.models.charlm import CharLM
from rnncore.study.faq import load_faq

layer = rnncore.Recurrent("lstm", 3, 4, seed=0)
out, _ = layer.forward(np.zeros((5, 2, 3)))
assert out.shape == (5, 2, 4)
assert len(load_faq().questions) > 50
print(rnncore.__file__)
"""


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    # run from an empty directory, so this checkout is not on sys.path
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.mark.install_cell
def test_the_install_cell_adds_the_course_and_keeps_torch(tmp_path: Path) -> None:
    before = json.loads(_python(PROBE, tmp_path).stdout)
    assert before["found"]["torch"], "the environment must hold torch (as Colab's does)"
    assert not before["found"]["rnncore"], (
        "rnncore is already installed here; run this test through `make test-python`"
    )
    cell = _python(install_cell_source(f"file://{ROOT}"), tmp_path)
    assert cell.returncode == 0, cell.stdout + cell.stderr
    after = json.loads(_python(PROBE, tmp_path).stdout)
    assert after["found"]["rnncore"]
    assert after["torch"] == before["torch"], "the cell must keep the torch already installed"
    used = _python(USE, tmp_path)
    assert used.returncode == 0, used.stderr
    installed = Path(used.stdout.strip().splitlines()[-1])
    assert Path(sys.prefix) in installed.parents, f"rnncore imported from {installed}"
