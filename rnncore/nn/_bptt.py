"""The backward-through-time loop shared by the cells whose only state is h (RNN and GRU).

It walks the steps last to first, adds the gradient arriving from later steps to each step's own
``dh[t]``, hands the sum to the cell's step backward, and sums the weight gradients over time:
the tied copies of each weight in the unrolled graph add up their gradients. With ``truncate=k``
the gradient carried into the previous step is cut at chunk boundaries (truncated BPTT; Williams
and Peng, Neural Computation 2(4), 1990). The LSTM has its own loop because it also carries dc.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnncore.nn.validate import check_grad, check_truncate, detached_before

__all__ = ["backward_steps"]

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def backward_steps(
    step_backward: Callable[[np.ndarray, dict[str, Any]], dict[str, Any]],
    step_cache: Callable[[dict[str, Any], int], dict[str, Any]],
    dh: np.ndarray | None,
    cache: dict[str, Any],
    dh_n: np.ndarray | None,
    truncate: int | None,
    truncate_offset: int,
) -> dict[str, np.ndarray | None]:
    """Run ``step_backward`` over every step of a sequence cache, last step first.

    dh : (T, B, H) or ``None``; dh_n : (B, H) or ``None``; returns "x" (T, B, D), "h0" (B, H) and
    the four parameter gradients (``None`` for absent biases).
    """
    x, h = cache["x"], cache["h"]
    T = x.shape[0]
    dh = check_grad(dh, "dh", h.shape, "(T, B, H)", h.dtype)
    truncate = check_truncate(truncate)
    # the gradient arriving at the current state from later steps (and from dh_n at the end)
    dh_rec = check_grad(dh_n, "dh_n", h.shape[1:], "(B, H)", h.dtype)
    dh_rec = np.zeros_like(h[0]) if dh_rec is None else dh_rec
    dx = np.empty_like(x)
    grads: dict[str, Any] = {}
    for t in reversed(range(T)):
        dh_t = dh_rec if dh is None else dh[t] + dh_rec
        step = step_backward(dh_t, step_cache(cache, t))
        dx[t] = step["x"]
        for name in PARAMS:
            if t == T - 1 or grads[name] is None:
                grads[name] = step[name]
            else:
                grads[name] = grads[name] + step[name]
        dh_rec = step["h_prev"]
        if detached_before(t, truncate, truncate_offset):
            dh_rec = np.zeros_like(dh_rec)
    return {"x": dx, "h0": dh_rec, **grads}
