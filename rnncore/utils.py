"""Shared plumbing: seeding, thread control and argument validation.

Every chapter starts with :func:`set_seed`, and every public function checks its inputs with the
``check_*`` helpers below so that a wrong shape, dtype or value fails with a message that names the
argument, what was expected and what was received.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence

import numpy as np

__all__ = [
    "check_array",
    "check_finite",
    "check_ids",
    "check_positive_int",
    "check_shape",
    "set_seed",
    "set_threads",
]


def set_seed(seed: int) -> np.random.Generator:
    """Seed Python's ``random``, numpy's global generator and torch (if installed) in one call.

    Returns a fresh ``numpy.random.Generator`` seeded with the same value, for code that prefers an
    explicit generator over the global state.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 (seeding the legacy global state is the point)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:  # the numpy core works without torch
        pass
    else:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)


def set_threads(n: int = 1) -> None:
    """Fix torch's intra-op thread count (the course uses 1 everywhere).

    Why on purpose: on a 2-core machine where another process keeps one core busy, torch's OpenMP
    workers spin-wait for the busy core and a small training step was measured 40x slower with 2
    threads than with 1. Small recurrent models gain little from a second thread anyway.
    """
    check_positive_int(n, "n")
    import torch

    torch.set_num_threads(n)


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def check_array(
    value: object,
    name: str,
    ndim: int | None = None,
    dtype: np.dtype | type | None = None,
    finite: bool = True,
) -> np.ndarray:
    """Convert ``value`` to a floating-point ndarray and validate it.

    Integer, boolean, complex and object inputs are refused (``TypeError``): silently casting token
    ids or masks to floats hides bugs. ``dtype``, when given, is the float dtype to cast to.
    """
    arr = np.asarray(value)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point array, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if finite:
        check_finite(arr, name)
    return arr


def check_ids(
    ids: object,
    name: str,
    vocab_size: int | None = None,
    ndim: int | None = None,
    letters: str = "",
    nonempty: bool = False,
) -> np.ndarray:
    """Return token ids as an int64 ndarray after checking dtype, dimensions and range.

    ``ids`` may be a list, an ndarray or a torch tensor (read on the CPU; the tensor itself is not
    changed). Float ids are refused (``TypeError``): a float id is almost always a bug upstream.
    ``ndim`` (with ``letters`` naming the axes, e.g. ``"(T, B)"``) fixes the number of dimensions,
    ``nonempty`` refuses a zero-length axis, and ``vocab_size`` V refuses ids outside ``[0, V)``.
    """
    arr = np.asarray(ids.detach().cpu().numpy() if hasattr(ids, "detach") else ids)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array of token ids, got dtype {arr.dtype}")
    if (ndim is not None and arr.ndim != ndim) or (nonempty and 0 in arr.shape):
        want = letters or "(" + ", ".join(["?"] * (arr.ndim if ndim is None else ndim)) + ")"
        kind = "non-empty shape" if nonempty else "shape"
        raise ValueError(f"{name} must have {kind} {want}, got {arr.shape}")
    if vocab_size is not None and arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        bad = arr[(arr < 0) | (arr >= vocab_size)]
        raise ValueError(
            f"{name} must lie in [0, {vocab_size - 1}] (V={vocab_size}), got {int(bad[0])}"
        )
    return arr.astype(np.int64, copy=False)


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` if ``arr`` holds NaN or infinity."""
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, got {bad} NaN/inf value(s)")


def check_shape(
    arr: np.ndarray, name: str, expected: Sequence[int | None], letters: str = ""
) -> None:
    """Check ``arr.shape`` against ``expected`` (``None`` matches any size).

    ``letters`` names the axes for the message, e.g. ``"(T, B, D)"``.
    """
    ok = len(arr.shape) == len(expected) and all(
        e is None or e == s for e, s in zip(expected, arr.shape, strict=False)
    )
    if not ok:
        want = "(" + ", ".join("?" if e is None else str(e) for e in expected) + ")"
        label = f"{letters} = " if letters else ""
        raise ValueError(f"{name} must have shape {label}{want}, got {tuple(arr.shape)}")
