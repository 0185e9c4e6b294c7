"""Checkpoints for the training loop: what a run saves, atomic writes, safe loads, random states.

A checkpoint is a dict saved with ``torch.save``. It is written to a temporary file in the target's
directory, flushed and fsynced, then moved over the target with ``os.replace``, which POSIX and
Windows both perform atomically: a reader sees the old file or the new one, never half of one. It is
read back with ``torch.load(weights_only=True)``, so only tensors and plain data are accepted and no
pickled code runs; numpy's generator state is therefore stored as a tensor.

:class:`Checkpointer` decides what a training run's checkpoint holds: model, optimizer, scheduler,
step, history, the early-stopping bookkeeping, the Python/numpy/torch random states and the
caller's ``extra`` data. That is everything the next step depends on, so a run resumed from it
repeats the uninterrupted run exactly.
"""

from __future__ import annotations

import os
import random
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpointer",
    "load_checkpoint",
    "rng_state",
    "save_checkpoint",
    "set_rng_state",
]

CHECKPOINT_FORMAT = "rnncore.training.loop/1"


def rng_state() -> dict[str, Any]:
    """Return the states of Python's, numpy's and torch's global generators, as checkpoint data."""
    name, keys, pos, has_gauss, cached = np.random.get_state()  # noqa: NPY002
    return {
        "python": random.getstate(),
        "numpy": (name, torch.from_numpy(np.array(keys, dtype=np.int64)), pos, has_gauss, cached),
        "torch": torch.get_rng_state(),
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the generator states saved by :func:`rng_state`."""
    random.setstate(state["python"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    numpy_state = (name, keys.numpy().astype(np.uint32), pos, has_gauss, cached)
    np.random.set_state(numpy_state)  # noqa: NPY002 - restored on purpose
    torch.set_rng_state(state["torch"])


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> Path:
    """Write ``state`` with ``torch.save`` atomically: to a temporary file, then ``os.replace``.

    A reader never sees a half-written checkpoint; an interrupted write leaves the old file intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def _unreadable(path: Path, err: Exception) -> str:
    """Why ``torch.load(weights_only=True)`` refused ``path``, in a few words on one line.

    Torch's own message for a refused pickle advises loading again with ``weights_only=False``,
    which runs whatever code the file holds: this says what the file is instead.
    """
    if path.stat().st_size == 0:
        return "the file is empty"
    refused = re.search(r"Unsupported global: GLOBAL ([\w.]+)", str(err))
    if refused:
        return (
            f"it holds a pickled Python object ({refused.group(1)}), and loading that could run "
            "code from the file, so it is not loaded"
        )
    return "it is not a file written by torch.save"


def load_checkpoint(
    path: str | os.PathLike,
    model: torch.nn.Module | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Any = None,
) -> dict[str, Any]:
    """Read a checkpoint written by :func:`~rnncore.training.loop.train` into the objects given.

    Returns the whole checkpoint dict (keys ``"model"``, ``"optimizer"``, ``"scheduler"``,
    ``"step"``, ``"history"``, ``"extra"``, ...). Loading uses ``weights_only=True``, so no pickled
    code is run. A missing file raises FileNotFoundError; any other file that is not such a
    checkpoint (empty, not from ``torch.save``, holding pickled objects, another program's dict)
    raises ValueError with a one-line reason.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {str(path)!r} does not exist")
    try:
        with warnings.catch_warnings():  # a foreign pickle's protocol: the error below says more
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several types for a corrupt or foreign file
        raise ValueError(
            f"{str(path)!r} is not a course checkpoint: {_unreadable(path, err)}"
        ) from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"{str(path)!r} is not a course checkpoint: torch can read it, but it was not "
            f"written by rnncore.training.loop (no format {CHECKPOINT_FORMAT!r})"
        )
    if model is not None:
        model.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state.get("scheduler") is not None:
        scheduler.load_state_dict(state["scheduler"])
    return state


class Checkpointer:
    """Save a training run to ``path`` and resume it from there.

    Bound to the objects being trained (``scheduler`` may be None). ``extra`` is plain data
    (strings, numbers, lists, dicts, tensors) stored under ``"extra"``, e.g. a vocabulary and the
    model's constructor arguments. The early-stopping object passed to :meth:`save` and
    :meth:`resume` is anything with ``state_dict`` and ``load_state_dict`` over the keys
    ``best_eval``, ``best_step``, ``best_state`` and ``bad_evals``
    (:class:`~rnncore.training.early_stopping.EarlyStopping`).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        scheduler: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.path, self.extra = Path(path), extra
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler

    def save(self, step: int, history: dict[str, list], early_stopping: Any) -> Path:
        """Write the state after ``step`` (1-based) atomically; return the path."""
        return save_checkpoint(
            self.path,
            {
                "format": CHECKPOINT_FORMAT,
                "step": step,
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
                "history": history,
                **early_stopping.state_dict(),
                "rng": rng_state(),
                "extra": self.extra or {},
            },
        )

    def resume(self, early_stopping: Any, steps: int) -> tuple[int, dict[str, list]]:
        """Load the checkpoint into the bound objects, ``early_stopping`` and the random states.

        Returns ``(step, history)``: the steps already done and their history. A checkpoint beyond
        the step budget ``steps`` is an error (after loading, so the objects show what it held).
        """
        state = load_checkpoint(self.path, self.model, self.optimizer, self.scheduler)
        early_stopping.load_state_dict(state)
        set_rng_state(state["rng"])
        step = int(state["step"])
        if step > steps:
            raise ValueError(f"checkpoint is at step {step}, beyond steps={steps}")
        return step, state["history"]
