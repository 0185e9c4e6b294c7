"""The numpy engine stands alone: using it imports numpy and nothing heavier."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "torch",
    "matplotlib",
    "yaml",
    "genanki",
    "babel",
    "statsmodels",
    "tqdm",
    "pandas",
    "scipy",
)

PROBE = """
import json, sys
import numpy as np
import rnncore, rnncore.nn
from rnncore.nn import gru, lstm, rnn
from rnncore.nn.cells import CELLS
from rnncore.nn.recurrent import Recurrent

rng = np.random.default_rng(0)
for mode in CELLS:
    layer = Recurrent(mode, 3, 4, num_layers=2, bidirectional=True, seed=0)
    out, _ = layer.forward(rng.normal(size=(5, 2, 3)))
    layer.backward(np.ones_like(out), truncate=2)
    layer.activations()
x, h = rng.normal(size=(2, 3)), np.zeros((2, 4))
w = lambda G: (rng.normal(size=(G * 4, 3)), rng.normal(size=(G * 4, 4)))
h1, cache = rnn.rnn_step_forward(x, h, *w(1))
rnn.rnn_step_backward(h1, cache)
h1, c1, cache = lstm.lstm_step_forward(x, h, h, *w(4))
lstm.lstm_step_backward(h1, c1, cache)
h1, cache = gru.gru_step_forward(x, h, *w(3))
gru.gru_step_backward(h1, cache)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_engine_imports_no_heavy_package() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "numpy" in loaded and "rnncore" in loaded  # the probe ran what it should
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
