"""The fast vanilla-RNN sequence path: the same numbers as rnn_forward_steps/rnn_backward_steps.

Only the recurrent product h_{t-1} W_hh^T stays inside the time loop; the input projection of all
steps is one GEMM before it and the weight gradients are GEMMs after it (see
:mod:`rnncore.nn._fast_lstm`).

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn import validate
from rnncore.nn.cells import RNN
from rnncore.nn.functional import detached_before

__all__ = ["rnn_backward", "rnn_forward"]

Cache = dict[str, Any]


def rnn_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
    nonlinearity: str = "tanh",
) -> tuple[np.ndarray, Cache]:
    """Run the cell over a whole sequence (fast path of :func:`rnncore.nn.rnn.rnn_forward_steps`).

    Parameters
    ----------
    x : (T, B, D) inputs.
    h0 : (B, H) initial hidden state, or ``None`` for zeros.
    weight_ih : (H, D), weight_hh : (H, H), bias_ih, bias_hh : (H,) or both ``None``.
    nonlinearity : ``"tanh"`` or ``"relu"``.

    Returns
    -------
    h : (T, B, H) hidden states.
    cache : the same keys as rnn_forward_steps' cache.
    """
    x, h0, *weights = validate.sequence_args(
        RNN, x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity=nonlinearity
    )
    return _rnn_forward(x, h0, *weights, nonlinearity)


def _rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity: str) -> tuple[np.ndarray, Cache]:
    """:func:`rnn_forward` on checked arguments of one dtype: x (T, B, D), h0 (B, H), weights."""
    T, B, D = x.shape
    H = w_hh.shape[1]
    w_hh_T = np.ascontiguousarray(w_hh.T)
    # all T input projections in one GEMM; the loop adds the recurrent part in place
    h = np.matmul(x.reshape(T * B, D), w_ih.T).reshape(T, B, H)
    if b_ih is not None:
        h += b_ih + b_hh
    rec = np.empty((B, H), dtype=x.dtype)
    h_prev = h0
    for t in range(T):
        np.matmul(h_prev, w_hh_T, out=rec)
        h[t] += rec
        if nonlinearity == "tanh":
            np.tanh(h[t], out=h[t])
        else:
            np.maximum(h[t], 0.0, out=h[t])
        h_prev = h[t]
    cache = {"x": x, "h0": h0, "h": h, "weight_ih": w_ih, "weight_hh": w_hh}
    cache.update(bias_ih=b_ih, bias_hh=b_hh, nonlinearity=nonlinearity)
    return h, cache


def rnn_backward(
    dh: np.ndarray | None,
    cache: Cache,
    dh_n: np.ndarray | None = None,
    truncate: int | None = None,
    *,
    truncate_offset: int = 0,
) -> dict[str, np.ndarray | None]:
    """Backpropagate through time (fast path of :func:`rnncore.nn.rnn.rnn_backward_steps`).

    Takes and returns exactly what :func:`rnncore.nn.rnn.rnn_backward_steps` does: dh (T, B, H) or
    ``None``, a cache from either forward path, dh_n (B, H) or ``None``, truncate ``None`` or k;
    returns "x" (T, B, D), "h0" (B, H), "weight_ih" (H, D), "weight_hh" (H, H), "bias_ih" and
    "bias_hh" (H,) or ``None``.
    """
    dh, dh_n, truncate = validate.sequence_grads(
        RNN, cache, dh, dh_n, truncate=truncate, offset=truncate_offset
    )
    return _rnn_backward(dh, cache, dh_n, truncate, truncate_offset)


def _rnn_backward(dh, cache: Cache, dh_n, truncate: int | None, offset: int) -> dict:
    """:func:`rnn_backward` on checked gradients, dh (T, B, H) and dh_n (B, H) or ``None``."""
    x, h = cache["x"], cache["h"]
    T, B, D = x.shape
    H = h.shape[2]
    dt = h.dtype
    w_hh = cache["weight_hh"]
    # the derivative of the nonlinearity from its cached output, for all steps at once
    if cache["nonlinearity"] == "tanh":
        deriv = np.multiply(h, h)
        np.subtract(1.0, deriv, out=deriv)
    else:
        deriv = (h > 0).astype(dt)
    da_all = np.empty((T, B, H), dtype=dt)
    dh_rec = np.zeros((B, H), dtype=dt) if dh_n is None else dh_n.copy()
    for t in reversed(range(T)):
        da = da_all[t]
        if dh is None:
            np.multiply(dh_rec, deriv[t], out=da)
        else:
            np.add(dh[t], dh_rec, out=da)
            da *= deriv[t]
        np.matmul(da, w_hh, out=dh_rec)
        if detached_before(t, truncate, offset):
            dh_rec.fill(0.0)
    da2 = da_all.reshape(T * B, H)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]]).reshape(T * B, H)
    db = da2.sum(axis=0) if cache["bias_ih"] is not None else None
    return {
        "x": np.matmul(da2, cache["weight_ih"]).reshape(T, B, D),
        "h0": dh_rec,
        "weight_ih": np.matmul(da2.T, x.reshape(T * B, D)),
        "weight_hh": np.matmul(da2.T, h_prev),
        "bias_ih": db,
        "bias_hh": None if db is None else db.copy(),
    }
