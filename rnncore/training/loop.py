"""One training loop for every torch model of the course: language model, forecaster, seq2seq, ...

The loop is the textbook one (forward, loss, backward, clip the gradient norm, step, schedule)
with the engineering a real run needs:

- a fixed, seeded **step budget**, so a chapter's numbers repeat; a wall-clock cap (``max_seconds``)
  is only a safety net;
- **gradient clipping** by global norm (Pascanu, Mikolov & Bengio, 2013, "On the difficulty of
  training recurrent neural networks", Algorithm 1), with the pre-clip norm recorded;
- any torch **learning-rate scheduler**, stepped once per step (:func:`warmup_cosine` is one);
- **early stopping** on a validation function (Prechelt, 1998, "Early stopping - but when?"),
  optionally restoring the best weights;
- **checkpoints written atomically** (a temporary file in the same directory, then ``os.replace``,
  so a crash never leaves a half-written file) holding model, optimizer, scheduler, step, history
  and the Python/numpy/torch random states: a resumed run repeats an uninterrupted one exactly;
- a **progress bar that ends as one line** (:mod:`rnncore.training.progress`): in a terminal a
  tqdm bar; in a Jupyter kernel one text output updated in place (an executed notebook stores one
  line and needs no widget JavaScript); elsewhere (pipes, CI logs) one summary line at the end.

Thread policy: the loop never changes torch's thread count. The chapters call
``rnncore.set_threads(1)`` and the command line defaults to one thread, because small recurrent
models gain little from a second thread and lose badly when another process holds the other core.

Batches come from ``batches``, best a function of the step index (``batches(i) -> batch``): then a
resumed run sees the same batches without replaying anything. An iterable also works; on resume its
first ``start_step`` items are skipped.
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rnncore.training.checkpoint import (
    CHECKPOINT_FORMAT,
    load_checkpoint,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from rnncore.training.progress import Progress
from rnncore.utils import check_positive_int

__all__ = ["TrainResult", "load_checkpoint", "save_checkpoint", "train", "warmup_cosine"]


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


def warmup_cosine(
    optimizer: torch.optim.Optimizer, steps: int, warmup: int = 0, final_ratio: float = 0.1
) -> torch.optim.lr_scheduler.LambdaLR:
    """Return a scheduler: linear warm-up for ``warmup`` steps, then cosine decay.

    The multiplier of the optimizer's learning rate is ``(i + 1) / warmup`` during warm-up and falls
    along half a cosine from 1 to ``final_ratio`` at step ``steps`` (Loshchilov & Hutter, 2017,
    SGDR, Eq. 5, without restarts). Step it once per training step, as :func:`train` does.
    """
    check_positive_int(steps, "steps")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or not 0 <= warmup < steps:
        raise ValueError(f"warmup must be an int in [0, steps={steps}), got {warmup!r}")
    if not 0.0 <= final_ratio <= 1.0:
        raise ValueError(f"final_ratio must be in [0, 1], got {final_ratio!r}")

    def factor(i: int) -> float:
        if i < warmup:
            return (i + 1) / warmup
        progress = min(1.0, (i - warmup) / max(1, steps - warmup))
        return final_ratio + (1.0 - final_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _batch_source(
    batches: Callable[[int], Any] | Iterable[Any], start: int
) -> Callable[[int], Any]:
    """Turn ``batches`` into a function of the 0-based step index, skipping ``start`` items."""
    if callable(batches) and not hasattr(batches, "__next__"):
        return batches
    if not isinstance(batches, Iterable):
        raise TypeError(
            "batches must be a function of the step index or an iterable, "
            f"got {type(batches).__name__}"
        )
    iterator = iter(batches)

    def skip_then_next(i: int) -> Any:
        try:
            return next(iterator)
        except StopIteration:
            raise ValueError(
                f"batches ran out at step {i + 1}; give more batches or fewer steps"
            ) from None

    for i in range(start):
        skip_then_next(i)
    return skip_then_next


def _evaluate(model: torch.nn.Module, eval_fn: Callable[[torch.nn.Module], float]) -> float:
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
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    if eval_every is not None:
        eval_every = check_positive_int(eval_every, "eval_every")
    if patience is not None:
        patience = check_positive_int(patience, "patience")
        if eval_fn is None:
            raise ValueError("patience needs eval_fn: early stopping watches the validation loss")
    if restore_best and eval_fn is None:
        raise ValueError("restore_best needs eval_fn: the best weights are judged on validation")
    if checkpoint_every is not None:
        checkpoint_every = check_positive_int(checkpoint_every, "checkpoint_every")
    elif eval_every is not None:
        checkpoint_every = eval_every
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint, the file to resume from")
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number or None, got {max_seconds!r}")

    history: dict[str, list] = {k: [] for k in ("step", "loss", "grad_norm", "lr")}
    history.update(eval_step=[], eval_loss=[])
    best_eval: float | None = None
    best_step: int | None = None
    best_state: dict[str, torch.Tensor] | None = None
    bad_evals = 0
    start = 0
    if resume and Path(checkpoint).is_file():
        state = load_checkpoint(checkpoint, model, optimizer, scheduler)
        start, history = int(state["step"]), state["history"]
        best_eval, best_step = state["best_eval"], state["best_step"]
        best_state, bad_evals = state["best_state"], int(state["bad_evals"])
        set_rng_state(state["rng"])
        if start > steps:
            raise ValueError(f"checkpoint is at step {start}, beyond steps={steps}")
    get_batch = _batch_source(batches, start)

    def write_checkpoint(step: int) -> None:
        save_checkpoint(
            checkpoint,
            {
                "format": CHECKPOINT_FORMAT,
                "step": step,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": None if scheduler is None else scheduler.state_dict(),
                "history": history,
                "best_eval": best_eval,
                "best_step": best_step,
                "best_state": best_state,
                "bad_evals": bad_evals,
                "rng": rng_state(),
                "extra": extra or {},
            },
        )

    t0, c0 = time.perf_counter(), time.process_time()
    bar = Progress(total=steps, initial=start, desc=desc, enabled=progress)
    stopped = "steps"
    step = start
    model.train()
    try:
        for step in range(start + 1, steps + 1):
            batch = get_batch(step - 1)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model, batch)
            if not isinstance(loss, torch.Tensor) or loss.ndim != 0:
                raise TypeError(f"loss_fn must return a scalar tensor, got {loss!r:.80}")
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"loss is {loss.item()} at step {step}; lower the learning rate"
                )
            loss.backward()
            params = [p for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
            max_norm = clip if clip is not None else float("inf")
            grad_norm = float(torch.nn.utils.clip_grad_norm_(params, max_norm))
            history["lr"].append(float(optimizer.param_groups[0]["lr"]))
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            history["step"].append(step)
            history["loss"].append(float(loss.item()))
            history["grad_norm"].append(grad_norm)
            info = {"loss": history["loss"][-1]}

            last = step == steps
            timed_out = max_seconds is not None and time.perf_counter() - t0 > max_seconds
            if eval_fn is not None and (
                last or timed_out or (eval_every and step % eval_every == 0)
            ):
                value = _evaluate(model, eval_fn)
                history["eval_step"].append(step)
                history["eval_loss"].append(value)
                if best_eval is None or value < best_eval:
                    best_eval, best_step, bad_evals = value, step, 0
                    if restore_best:
                        best_state = copy.deepcopy(model.state_dict())
                else:
                    bad_evals += 1
                if patience is not None and bad_evals >= patience:
                    stopped = "early_stopping"
            if eval_fn is not None and history["eval_loss"]:
                info["val"] = history["eval_loss"][-1]
            if timed_out and stopped == "steps":
                stopped = "max_seconds"
            bar.update(step, info)
            if checkpoint is not None and (
                last or stopped != "steps" or (checkpoint_every and step % checkpoint_every == 0)
            ):
                write_checkpoint(step)
            if stopped != "steps":
                break
    finally:
        note = {"early_stopping": "stopped early", "max_seconds": "time cap"}.get(stopped)
        bar.close(note)
    if restore_best and best_state is not None:
        model.load_state_dict(best_state)
    return TrainResult(
        steps=step,
        history=history,
        best_eval=best_eval,
        best_step=best_step,
        stopped=stopped,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
    )
