"""The torch side's training machinery.

- ``loop``: ``train``, the one training loop every torch model of the course uses, and its
  ``TrainResult``; it reads as the textbook loop and calls the modules below by name.
- ``batches``: where the loop's batches come from (a function of the step index or an iterable).
- ``early_stopping``: evaluation without gradients, the best result, when to stop.
- ``checkpoint``: what a run saves, atomic checkpoint writes, safe loads, the global random states.
- ``schedules``: learning-rate schedules (``warmup_cosine``).
- ``progress``: a progress bar that always ends as exactly one line of output.
- ``sequences``: variable-length batches (padding, masks, packing, pooling).
- ``metrics``: nats, bits, perplexity, RMSE, accuracy and exact match.

``from rnncore.training import train, TrainResult, warmup_cosine`` works too; those names are
imported on first use, so importing ``rnncore.training.metrics`` alone does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule that defines it; resolved lazily by __getattr__
_LAZY = {
    "train": "rnncore.training.loop",
    "TrainResult": "rnncore.training.loop",
    "warmup_cosine": "rnncore.training.schedules",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'rnncore.training' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
