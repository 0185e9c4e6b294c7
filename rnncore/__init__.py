"""rnncore: the one tested implementation behind the RNN course.

numpy cells and layers with hand-written backpropagation through time (``rnncore.nn.rnn``,
``rnncore.nn.lstm``, ``rnncore.nn.gru``, ``rnncore.nn.layers``), their bridge to PyTorch
(``rnncore.from_torch``), and the torch models, data and training loop of the application chapters.

Submodules are imported on first use, so ``import rnncore`` stays fast and does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from rnncore.utils import set_seed, set_threads

__version__ = "0.1.0"

# public name -> submodule that defines it; resolved lazily by __getattr__
_LAZY = {
    "Recurrent": "rnncore.nn.recurrent",
    "from_torch": "rnncore.interop",
    "to_torch": "rnncore.interop",
    "show_quiz": "rnncore.study.quiz",
    "CharModel": "rnncore.nn.charmodel",
    "CharVocab": "rnncore.data.vocab",
    "load_shakespeare": "rnncore.data.text",
    "linear_recurrence": "rnncore.nn.linear_recurrence",
    "linear_recurrence_backward": "rnncore.nn.linear_recurrence",
    "ctc_loss": "rnncore.nn.ctc",
    "best_path_decode": "rnncore.nn.ctc_decode",
    "prefix_beam_search": "rnncore.nn.ctc_decode",
}

__all__ = ["set_seed", "set_threads", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rnncore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
