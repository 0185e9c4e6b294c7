"""Numerically stable activations, their derivatives from cached outputs, and the BPTT cut rule.

The derivatives take the *activation's output*, as the backward passes have it in their caches:
``tanh'(a) = 1 - tanh(a)^2`` and ``sigmoid'(a) = s (1 - s)`` with ``s = sigmoid(a)``.
:func:`detached_before` says where truncated backpropagation through time cuts the gradient
(R. J. Williams and J. Peng, Neural Computation 2(4), 1990), for every cell and both paths.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "detached_before",
    "dsigmoid_from_output",
    "dtanh_from_output",
    "log_softmax",
    "relu",
    "sigmoid",
    "softmax",
]


def sigmoid(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function 1 / (1 + e^-a) without overflow for any finite ``a``.

    Uses ``sigmoid(a) = 0.5 * (1 + tanh(a / 2))``, which is exact and never exponentiates a large
    number (no overflow warning at +-1000). ``out`` may alias ``a`` for an in-place update.
    """
    out = np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def dsigmoid_from_output(s: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid given its output ``s``: s (1 - s)."""
    return s * (1.0 - s)


def dtanh_from_output(t: np.ndarray) -> np.ndarray:
    """Derivative of tanh given its output ``t``: 1 - t^2."""
    return 1.0 - t * t


def relu(a: np.ndarray) -> np.ndarray:
    """max(a, 0) elementwise."""
    return np.maximum(a, 0.0)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax along ``axis``, shifted by the max so that no exponent overflows."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax along ``axis``; stable for logits of any finite size."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def detached_before(t: int, truncate: int | None, offset: int = 0) -> bool:
    """True if truncated BPTT cuts the gradient flowing through the state from step t into t-1.

    The state entering a chunk is treated as a constant (as torch does after ``h = h.detach()``):
    chunks start at the steps t > 0 with (t + offset) % truncate == 0, so with offset 0 they are
    [0, k), [k, 2k), ... ``truncate=None`` is full BPTT: never cut.
    """
    return truncate is not None and t > 0 and (t + offset) % truncate == 0
