"""Validation during training: evaluate without gradients, keep the best, stop when it stalls.

Early stopping (Prechelt, 1998, "Early stopping - but when?"): evaluate the validation loss every
few steps, remember the lowest value, the step that reached it and (optionally) the weights of that
step, and stop after ``patience`` evaluations in a row that bring no new best. Training past that
point mostly fits the training set's noise; the restored best weights are the model to keep.

:func:`~rnncore.training.loop.train` calls :func:`evaluate` and then :meth:`EarlyStopping.update`
with the value; a checkpoint carries the bookkeeping through ``state_dict`` and
``load_state_dict``, named as torch names them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import torch

from rnncore.utils import check_positive_int

__all__ = ["EarlyStopping", "evaluate"]


def evaluate(model: torch.nn.Module, eval_fn: Callable[[torch.nn.Module], float]) -> float:
    """Return ``eval_fn(model)`` as a float, computed in eval mode and without gradients.

    The model's train/eval mode is restored afterwards, even if ``eval_fn`` raises; a NaN result
    raises ``FloatingPointError`` (a NaN would never count as a new best and would stop training
    silently).
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            value = float(eval_fn(model))
    finally:
        model.train(was_training)
    if math.isnan(value):
        raise FloatingPointError("eval_fn returned NaN")
    return value


class EarlyStopping:
    """Keep the best validation loss and say when ``patience`` evaluations have not improved it.

    ``patience=None`` never stops (the best value and step are still kept); ``restore_best=True``
    also copies the weights of each new best, for :meth:`restore` to load at the end.
    """

    def __init__(self, patience: int | None = None, restore_best: bool = False) -> None:
        self.patience = None if patience is None else check_positive_int(patience, "patience")
        self.restore_best = restore_best
        self.best_eval: float | None = None
        self.best_step: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.bad_evals = 0  # evaluations in a row without a new best

    def update(self, value: float, step: int, model: torch.nn.Module) -> bool:
        """Record the validation loss ``value`` of ``model`` after ``step``; True means stop."""
        if self.best_eval is None or value < self.best_eval:
            self.best_eval, self.best_step, self.bad_evals = value, step, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.bad_evals += 1
        return self.patience is not None and self.bad_evals >= self.patience

    def restore(self, model: torch.nn.Module) -> None:
        """Load the best weights into ``model`` (if ``restore_best`` and an evaluation ran)."""
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)

    def state_dict(self) -> dict[str, Any]:
        """The bookkeeping a resumed run needs, as plain data for a checkpoint."""
        return {
            "best_eval": self.best_eval,
            "best_step": self.best_step,
            "best_state": self.best_state,
            "bad_evals": self.bad_evals,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned; other keys (a checkpoint's) are ignored."""
        self.best_eval, self.best_step = state["best_eval"], state["best_step"]
        self.best_state, self.bad_evals = state["best_state"], int(state["bad_evals"])
