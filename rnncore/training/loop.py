"""One training loop for every torch model of the course: language model, forecaster, seq2seq, ...

The loop is the textbook one (forward, loss, backward, clip the gradient norm, step, schedule,
record), written so that it reads as such; the engineering a real run needs sits in small helpers
it calls by name:

- a fixed, seeded **step budget**, so a chapter's numbers repeat; a wall-clock cap (``max_seconds``)
  is only a safety net;
- **gradient clipping** by global norm (Pascanu, Mikolov & Bengio, 2013, "On the difficulty of
  training recurrent neural networks", Algorithm 1), with the pre-clip norm recorded;
- any torch **learning-rate scheduler**, stepped once per step
  (:func:`~rnncore.training.schedules.warmup_cosine`, after Loshchilov & Hutter, 2017, is one);
- **evaluation and early stopping** on a validation function (Prechelt, 1998, "Early stopping - but
  when?"), optionally restoring the best weights (:mod:`rnncore.training.early_stopping`);
- **checkpoints written atomically** (:mod:`rnncore.training.checkpoint`: a temporary file in the
  same directory, then ``os.replace``, so a crash never leaves a half-written file) holding model,
  optimizer, scheduler, step, history, early-stopping state and the Python/numpy/torch random
  states: a resumed run repeats an uninterrupted one exactly;
- a **progress bar that ends as one line** (:mod:`rnncore.training.progress`): in a terminal a
  tqdm bar; in a Jupyter kernel one text output updated in place (an executed notebook stores one
  line and needs no widget JavaScript); elsewhere (pipes, CI logs) one summary line at the end.

After each step the loop evaluates (every ``eval_every`` steps, after the last step, and after the
step that crosses ``max_seconds``), then updates the progress line, then writes the checkpoint
(every ``checkpoint_every`` steps and whenever the run ends), so a checkpoint always holds the
evaluation of its own step.

Thread policy: the loop never changes torch's thread count. The chapters call
``rnncore.set_threads(1)`` and the command line defaults to one thread, because small recurrent
models gain little from a second thread and lose badly when another process holds the other core.

Batches come from ``batches``, best a function of the step index (``batches(i) -> batch``): then a
resumed run sees the same batches without replaying anything. An iterable also works; on resume its
first items are skipped (:mod:`rnncore.training.batches`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rnncore.training.batches import batch_source
from rnncore.training.checkpoint import Checkpointer, load_checkpoint, save_checkpoint
from rnncore.training.early_stopping import EarlyStopping, evaluate
from rnncore.training.progress import Progress
from rnncore.training.schedules import warmup_cosine
from rnncore.utils import check_positive_int

__all__ = [
    "TrainResult",
    "clip_grad_norm",
    "load_checkpoint",
    "save_checkpoint",
    "train",
    "warmup_cosine",
]

# the note the progress line ends with, by the reason the loop stopped
_NOTES = {"early_stopping": "stopped early", "max_seconds": "time cap"}


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    steps : int
        Optimizer steps taken in total (including steps done before a resume).
    history : dict[str, list]
        Per training step: ``"step"`` (1-based), ``"loss"``, ``"grad_norm"`` (before clipping)
        and ``"lr"`` (the rate the step used).
        Per evaluation: ``"eval_step"`` and ``"eval_loss"``.
    best_eval : float or None
        The lowest value ``eval_fn`` returned (None without ``eval_fn``).
    best_step : int or None
        The step at which it was reached.
    stopped : str
        Why the loop ended: ``"steps"`` (budget used), ``"early_stopping"`` or ``"max_seconds"``.
    seconds, cpu_seconds : float
        Wall-clock and process CPU time of this call (not of steps before a resume).
    """

    steps: int
    history: dict[str, list] = field(default_factory=dict)
    best_eval: float | None = None
    best_step: int | None = None
    stopped: str = "steps"
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def final_loss(self) -> float:
        """The training loss of the last step."""
        return self.history["loss"][-1]


def train(
    model: torch.nn.Module,
    loss_fn: Callable[[torch.nn.Module, Any], torch.Tensor],
    batches: Callable[[int], Any] | Iterable[Any],
    steps: int,
    optimizer: torch.optim.Optimizer,
    *,
    clip: float | None = None,
    scheduler: Any = None,
    eval_fn: Callable[[torch.nn.Module], float] | None = None,
    eval_every: int | None = None,
    patience: int | None = None,
    restore_best: bool = False,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    resume: bool = False,
    extra: dict[str, Any] | None = None,
    max_seconds: float | None = None,
    progress: bool = True,
    desc: str = "train",
) -> TrainResult:
    """Train ``model`` for ``steps`` optimizer steps and return the history.

    Parameters
    ----------
    model : torch.nn.Module
        Put in train mode for the steps and in eval mode (under ``torch.no_grad``) for ``eval_fn``.
    loss_fn : callable ``(model, batch) -> loss``
        Returns the scalar loss tensor to minimise for one batch.
    batches : callable ``(i) -> batch`` or iterable
        The batch for 0-based step ``i``. A function of ``i`` makes resuming exact by construction.
    steps : int
        The total step budget (a resumed run continues up to this number).
    optimizer : torch.optim.Optimizer
    clip : float, optional
        Clip the global gradient norm to this value (``torch.nn.utils.clip_grad_norm_``).
    scheduler : optional
        A torch learning-rate scheduler, stepped after every optimizer step.
    eval_fn : callable ``(model) -> float``, optional
        Validation loss (lower is better), run every ``eval_every`` steps and after the last step.
    eval_every : int, optional
        Steps between evaluations (default: only after the last step).
    patience : int, optional
        Stop after this many evaluations in a row without a new best (needs ``eval_fn``).
    restore_best : bool
        Load the weights of the best evaluation into ``model`` at the end.
    checkpoint : path, optional
        File to write (atomically) every ``checkpoint_every`` steps and at the end.
    checkpoint_every : int, optional
        Steps between checkpoints (default: ``eval_every``, else only at the end).
    resume : bool
        If ``checkpoint`` exists, restore model, optimizer, scheduler, history, early-stopping state
        and random states from it and continue from its step.
    extra : dict, optional
        Plain data (strings, numbers, lists, dicts, tensors) stored in the checkpoint under
        ``"extra"``, e.g. a vocabulary and the model's constructor arguments.
    max_seconds : float, optional
        Wall-clock safety net: stop after the step that crosses it.
    progress : bool
        Show a progress bar that ends as one line (see the module docstring).
    desc : str
        The progress bar's label.
    """
    steps = check_positive_int(steps, "steps")
    _check_arguments(
        model, clip, eval_fn, eval_every, patience, restore_best,
        checkpoint, checkpoint_every, resume, max_seconds,
    )  # fmt: skip
    checkpoint_every = eval_every if checkpoint_every is None else checkpoint_every
    early_stopping = EarlyStopping(patience, restore_best)
    saver = None
    if checkpoint is not None:
        saver = Checkpointer(checkpoint, model, optimizer, scheduler, extra)
    start, history = 0, {key: [] for key in _HISTORY_KEYS}
    if resume and Path(checkpoint).is_file():
        start, history = saver.resume(early_stopping, steps)
    get_batch = batch_source(batches, start)

    t0, c0 = time.perf_counter(), time.process_time()
    bar = Progress(total=steps, initial=start, desc=desc, enabled=progress)
    stopped, step = "steps", start
    model.train()
    try:
        for step in range(start + 1, steps + 1):
            batch = get_batch(step - 1)
            optimizer.zero_grad(set_to_none=True)
            loss = _scalar_loss(loss_fn(model, batch), step)  # forward and loss
            loss.backward()  # backward: gradients of the loss in every parameter's .grad
            grad_norm = clip_grad_norm(optimizer, clip)  # the global norm before clipping
            lr = float(optimizer.param_groups[0]["lr"])  # the rate this step uses
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            _record(history, step=step, loss=float(loss.item()), grad_norm=grad_norm, lr=lr)

            last = step == steps
            timed_out = max_seconds is not None and time.perf_counter() - t0 > max_seconds
            stopped = "max_seconds" if timed_out else "steps"
            if eval_fn is not None and (last or timed_out or _every(step, eval_every)):
                value = evaluate(model, eval_fn)
                _record(history, eval_step=step, eval_loss=value)
                if early_stopping.update(value, step, model):
                    stopped = "early_stopping"
            bar.update(step, _latest(history, eval_fn is not None))
            if saver is not None and (last or stopped != "steps" or _every(step, checkpoint_every)):
                saver.save(step, history, early_stopping)
            if stopped != "steps":
                break
    finally:
        bar.close(_NOTES.get(stopped))
    early_stopping.restore(model)
    return TrainResult(
        steps=step,
        history=history,
        best_eval=early_stopping.best_eval,
        best_step=early_stopping.best_step,
        stopped=stopped,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
    )


# the history's lists, in the order a step and an evaluation fill them
_HISTORY_KEYS = ("step", "loss", "grad_norm", "lr", "eval_step", "eval_loss")


def clip_grad_norm(optimizer: torch.optim.Optimizer, clip: float | None) -> float:
    """Scale the gradients so their global norm is at most ``clip``; return the norm before.

    The global norm is taken over every parameter the optimizer updates that has a gradient, as
    one vector (Pascanu, Mikolov & Bengio, 2013, Algorithm 1). ``clip=None`` only measures it.
    """
    params = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
    max_norm = clip if clip is not None else float("inf")
    return float(torch.nn.utils.clip_grad_norm_(params, max_norm))


def _scalar_loss(loss: Any, step: int) -> torch.Tensor:
    """Return ``loss`` if it is a finite scalar tensor, else raise saying what went wrong."""
    if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
        raise TypeError(f"loss_fn must return a scalar tensor, got {loss!r:.80}")
    if not torch.isfinite(loss):
        raise FloatingPointError(f"loss is {loss.item()} at step {step}; lower the learning rate")
    return loss


def _record(history: dict[str, list], **values: Any) -> None:
    """Append each value to the history list of its name."""
    for key, value in values.items():
        history[key].append(value)


def _every(step: int, interval: int | None) -> bool:
    """True when ``step`` is a multiple of ``interval`` (never when ``interval`` is None)."""
    return interval is not None and step % interval == 0


def _latest(history: dict[str, list], validating: bool) -> dict[str, float]:
    """What the progress line shows after the bar: the last loss and the last validation loss."""
    info = {"loss": history["loss"][-1]}
    if validating and history["eval_loss"]:
        info["val"] = history["eval_loss"][-1]
    return info


def _check_arguments(
    model: Any,
    clip: float | None,
    eval_fn: Any,
    eval_every: int | None,
    patience: int | None,
    restore_best: bool,
    checkpoint: Any,
    checkpoint_every: int | None,
    resume: bool,
    max_seconds: float | None,
) -> None:
    """Raise, naming the argument, if :func:`train`'s arguments are wrong or do not fit together."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    if eval_every is not None:
        check_positive_int(eval_every, "eval_every")
    if patience is not None:
        check_positive_int(patience, "patience")
        if eval_fn is None:
            raise ValueError("patience needs eval_fn: early stopping watches the validation loss")
    if restore_best and eval_fn is None:
        raise ValueError("restore_best needs eval_fn: the best weights are judged on validation")
    if checkpoint_every is not None:
        check_positive_int(checkpoint_every, "checkpoint_every")
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint, the file to resume from")
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number or None, got {max_seconds!r}")
