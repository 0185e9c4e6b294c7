"""Numerical gradients by centred differences, and the relative error used to compare them.

The course checks every hand-written backward pass against these (float64, relative error
< 1e-7). Centred differences have truncation error O(eps^2), one order better than forward
differences, which is what makes such a tight tolerance reachable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["check_gradient", "numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Gradient of the scalar ``f()`` with respect to the array ``x``, by centred differences.

    ``f`` takes no argument and reads ``x``, which is perturbed in place one entry at a time and
    restored afterwards. ``x`` must be a float64 array (float32 is too coarse for this).
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"x must be a float64 numpy array, got {got}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        f_plus = float(f())
        x[i] = old - eps
        f_minus = float(f())
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """max |a - b| / max(max |a|, max |b|, floor): the per-tensor relative error.

    Scale-free: 1e-7 or below means the largest discrepancy is seven orders of magnitude below the
    largest entry. It is measured per tensor rather than per entry, because an entry that is zero
    up to rounding makes any elementwise ratio meaningless.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), floor)
    return float(np.max(np.abs(a - b))) / scale


def check_gradient(
    f: Callable[[], float], x: np.ndarray, analytic: np.ndarray, eps: float = 1e-6
) -> float:
    """Relative error between ``analytic`` and the centred-difference gradient of ``f`` at ``x``."""
    return relative_error(analytic, numerical_gradient(f, x, eps))
