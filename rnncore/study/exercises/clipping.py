"""Checker for the reader's gradient-norm clipping (chapter sec:coding-exercises).

The reader implements ``clip_grad_norm(grads, max_norm) -> total_norm``: grads is a dict of numpy
arrays, modified in place so that their global L2 norm is at most max_norm, and the return value
is the norm *before* clipping, as in ``torch.nn.utils.clip_grad_norm_`` (Pascanu, Mikolov and
Bengio 2013, Algorithm 1). The reference is :func:`rnncore.nn.optim.clip_grad_norm`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnncore.nn.optim import clip_grad_norm
from rnncore.study.exercises._common import CheckResult, Mistake, _Stop, call, diagnose, finish

__all__ = ["check_clip_grad_norm", "clip_cases"]

Grads = dict[str, np.ndarray]


def clip_cases() -> list[tuple[str, Grads, float]]:
    """(description, grads, max_norm): far above, below, and 'each array small, total large'."""
    rng = np.random.default_rng(7)
    big = {"weight_ih": rng.standard_normal((4, 3)) * 5, "weight_hh": rng.standard_normal((4, 4))}
    small = {"weight_ih": rng.standard_normal((4, 3)) * 0.05, "bias": rng.standard_normal(4) * 0.05}
    spread = {f"p{k}": np.full(3, 0.5) for k in range(6)}  # each norm 0.87, global norm 2.12
    return [
        ("a gradient far above the threshold", big, 1.0),
        ("a gradient below the threshold", small, 1.0),
        ("six arrays each below the threshold whose global norm exceeds it", spread, 1.5),
    ]


def _copy(grads: Grads) -> Grads:
    return {k: v.copy() for k, v in grads.items()}


def _scaled(grads: Grads, coef: float) -> Grads:
    return {k: v * coef for k, v in grads.items()}


def _same(a: Grads, b: Grads) -> bool:
    return a.keys() == b.keys() and all(np.allclose(a[k], b[k], rtol=1e-6, atol=1e-12) for k in a)


def _mistakes(grads: Grads, max_norm: float, total: float) -> list[Mistake]:
    """The known wrong ways to clip these gradients."""
    norms = {k: float(np.linalg.norm(v)) for k, v in grads.items()}
    l1 = sum(float(np.abs(v).sum()) for v in grads.values())
    return [
        Mistake(
            "You clipped each array by its own norm; clip by the global norm of all arrays "
            "together, so that the direction of the whole update is kept.",
            lambda: {k: v * min(1.0, max_norm / max(norms[k], 1e-12)) for k, v in grads.items()},
        ),
        Mistake(
            "Clipping must not touch gradients whose norm is already below max_norm "
            "(you scaled them up to max_norm).",
            lambda: _scaled(grads, max_norm / total),
        ),
        Mistake(
            "That is value clipping (np.clip of each entry), which changes the direction; "
            "norm clipping rescales every array by max_norm / total_norm.",
            lambda: {k: np.clip(v, -max_norm, max_norm) for k, v in grads.items()},
        ),
        Mistake(
            "The factor is inverted: multiply by max_norm / total_norm.",
            lambda: _scaled(grads, total / max_norm),
        ),
        Mistake(
            "Use the L2 norm (square root of the sum of squares), not the sum of |values|.",
            lambda: _scaled(grads, min(1.0, max_norm / l1)),
        ),
    ]


def _check_return(returned: Any, total: float, max_norm: float, what: str) -> None:
    """The return value must be the global norm before clipping."""
    if not isinstance(returned, (int, float, np.floating)) or isinstance(returned, bool):
        raise _Stop(
            "the clipping is right, but return the total norm before clipping (a float), "
            f"got {type(returned).__name__}."
        )
    if np.isclose(float(returned), total, rtol=1e-6):
        return
    if np.isclose(float(returned), min(total, max_norm), rtol=1e-5):
        hint = "that is the norm after clipping; return it before, as clip_grad_norm_ does."
    else:
        hint = "it should be the global L2 norm over all arrays together."
    raise _Stop(f"on {what} you returned {float(returned):.6g}, expected {total:.6g}: {hint}")


def check_clip_grad_norm(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(grads, max_norm) -> total_norm`` against rnncore.nn.optim.clip_grad_norm."""

    def body() -> str:
        for what, grads, max_norm in clip_cases():
            want = _copy(grads)
            total = clip_grad_norm(want, max_norm)
            got = _copy(grads)
            returned = call(fn, got, max_norm, what=f"clip_grad_norm on {what}")
            if _same(got, want):
                _check_return(returned, total, max_norm, what)
                continue
            if _same(got, grads):
                advice = (
                    "Your function left the caller's arrays unchanged; rescale them in place "
                    "(g *= coef for each array; g = g * coef only rebinds a local name)."
                )
            else:
                advice = diagnose(got, _mistakes(grads, max_norm, total), _same)
                advice = advice or "Compare your factor with max_norm / total_norm."
            raise _Stop(
                f"on {what} (max_norm={max_norm}, global norm {total:.4g}) the clipped "
                f"gradients are wrong. {advice}"
            )
        return "matches rnncore.nn.optim.clip_grad_norm (above, below, global versus per array)."

    return finish("clip_grad_norm", body, verbose)
