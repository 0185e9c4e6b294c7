"""What the backward checkers share: reading the reader's dict of gradients and saying where it
is wrong when no known mistake matches.

A gradient dict must hold every expected key, each a finite numpy array of the expected shape; a
transposed weight gradient or an unsummed bias gets its own message. When values are wrong, the
checkers localise the error: which gate's rows of a stacked weight gradient (rows k*H to (k+1)*H
belong to gate k, in PyTorch's order), or which time steps of a sequence gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from rnncore.study.exercises._common import Mistake, _Stop, as_array, compare, diagnose, mismatch

__all__ = [
    "catalogue",
    "gate_rows_report",
    "read_grads",
    "same_grads",
    "shape_letters",
    "value_message",
]

Grads = dict[str, np.ndarray]


def shape_letters(blocks: int, inputs: Mapping[str, str]) -> dict[str, str]:
    """The shapes named in letters for the messages: the given inputs', then the weights' and
    biases' with G = ``blocks`` gate blocks stacked, e.g. {"weight_ih": "(4H, D)", ...}."""
    g = "H" if blocks == 1 else f"{blocks}H"
    stacked = {"weight_ih": f"({g}, D)", "weight_hh": f"({g}, H)"}
    return {**inputs, **stacked, "bias_ih": f"({g},)", "bias_hh": f"({g},)"}


def read_grads(got: Any, want: Mapping[str, np.ndarray], letters: Mapping[str, str]) -> Grads:
    """The reader's gradients, checked: a dict with every key of ``want``, shapes as ``want``'s.

    ``letters`` names each shape in letters for the messages, e.g. {"weight_ih": "(4H, D)"}.
    """
    if not isinstance(got, dict):
        raise _Stop(f"return a dict of gradients with keys {list(want)}, got {type(got).__name__}.")
    missing = [k for k in want if k not in got]
    if missing:
        raise _Stop(f"the gradient dict lacks the keys {missing}.")
    for key, w in want.items():
        g = got[key]
        shape = getattr(g, "shape", None)
        if isinstance(g, np.ndarray) and shape != w.shape:
            if g.ndim == w.ndim == 2 and shape == w.shape[::-1]:
                raise _Stop(
                    f"d{key} has shape {shape}, expected {letters[key]} = {w.shape}: it is "
                    "transposed (a weight gradient is da.T @ the input of the product)."
                )
            if key.startswith("bias") and g.ndim > w.ndim and shape[-1] == w.shape[-1]:
                raise _Stop(
                    f"d{key} has shape {shape}, expected {letters[key]} = {w.shape}: sum da "
                    "over every axis but the last (the batch, and time for a sequence)."
                )
        as_array(g, f"d{key}", w.shape, letters[key])
    return {k: got[k] for k in want}


def same_grads(got: Mapping[str, np.ndarray], other: Mapping[str, np.ndarray]) -> bool:
    """True if every gradient of ``got`` equals the one in ``other`` to float64 round-off."""
    return all(compare(got[k], other[k]) for k in got)


def catalogue(
    entries: Sequence[tuple[str, dict[str, Any]]],
    variant: Callable[..., Grads],
    args: Sequence[Any],
) -> list[Mistake]:
    """The known mistakes on one problem: (advice, options) runs ``variant(*args, **options)``."""
    return [Mistake(advice, lambda kw=kw: variant(*args, **kw)) for advice, kw in entries]


def gate_rows_report(got: np.ndarray, want: np.ndarray, key: str, gates: Mapping[str, str]) -> str:
    """Which gates' blocks of rows of a stacked (G*H, ...) gradient are wrong, in words, or ""."""
    names = list(gates)
    H = want.shape[0] // len(names)
    wrong = [
        k
        for k, (a, b) in enumerate(
            zip(np.split(got, len(names)), np.split(want, len(names)), strict=True)
        )
        if not compare(a, b)
    ]
    if not wrong or len(wrong) == len(names):
        return ""
    where = ", ".join(f"{gates[names[k]]} (rows {k * H}:{(k + 1) * H})" for k in wrong)
    return f"In d{key} only the blocks of {where} are wrong; the other gates' blocks are right."


def value_message(
    got: Grads,
    want: Grads,
    order: Sequence[str],
    mistakes: Sequence[Mistake],
    locate: Callable[[Grads, Grads, list[str]], str],
) -> str:
    """The message for right shapes but wrong values: the first wrong gradient and its largest
    error, then the matching known mistake or, failing that, ``locate(got, want, wrong keys)``; the
    other wrong gradients are listed."""
    wrong = [k for k in order if not compare(got[k], want[k])]
    key = wrong[0]
    advice = diagnose(got, mistakes, same_grads) or locate(got, want, wrong)
    others = f" Also wrong: {', '.join('d' + k for k in wrong[1:])}." if wrong[1:] else ""
    return mismatch(f"d{key}", got[key], want[key], advice) + others
