"""The fast LSTM sequence path: the same numbers as lstm_forward_steps/lstm_backward_steps.

Only the recurrent product h_{t-1} W_hh^T stays inside the time loop. The input projection of all
T steps is one (T*B, D) x (D, 4H) GEMM before the loop, and the weight gradients are one GEMM
each after it (dW = sum_t da_t^T x_t is a single product over the stacked steps). Buffers are
preallocated and updated in place, and two exact tricks save passes over memory:

* the gate rows are stored in the order i, f, o, g, so the three sigmoid gates are one
  contiguous block, and
* sigma(a) = (1 + tanh(a / 2)) / 2 with the sigmoid rows of the weights pre-scaled by 1/2 (a
  power of two, so the scaling is exact): one tanh over all four gates, then one multiply-add.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn import validate
from rnncore.nn.cells import LSTM
from rnncore.nn.functional import detached_before

__all__ = ["lstm_backward", "lstm_forward"]

Cache = dict[str, Any]


def _internal_order(H: int) -> tuple[np.ndarray, np.ndarray]:
    """Row permutation torch (i, f, g, o) -> internal (i, f, o, g), and the per-row scale."""
    perm = np.r_[0 : 2 * H, 3 * H : 4 * H, 2 * H : 3 * H]
    scale = np.r_[np.full(3 * H, 0.5), np.ones(H)]
    return perm, scale


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, Cache]:
    """Run the LSTM over a whole sequence (fast path of :func:`rnncore.nn.lstm.lstm_forward_steps`).

    Parameters
    ----------
    x : (T, B, D) inputs.
    h0, c0 : (B, H) initial hidden and cell state, or ``None`` for zeros.
    weight_ih : (4H, D), weight_hh : (4H, H), bias_ih, bias_hh : (4H,) or both ``None``; gate
        order i, f, g, o as in torch.

    Returns
    -------
    h : (T, B, H) hidden states; c : (T, B, H) cell states.
    cache : the same keys as lstm_forward_steps' cache ("x", "h0", "c0", "h", "c", "i", "f",
        "g", "o", "tanh_c", weights and biases); the gate arrays are views into one buffer.
    """
    x, h0, c0, *weights = validate.sequence_args(
        LSTM, x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh
    )
    return _lstm_forward(x, h0, c0, *weights)


def _lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh) -> tuple[np.ndarray, np.ndarray, Cache]:
    """:func:`lstm_forward` on checked arguments of one dtype: x (T, B, D), h0, c0 (B, H)."""
    T, B, D = x.shape
    H = w_hh.shape[1]
    perm, scale = _internal_order(H)
    scale = scale.astype(x.dtype)
    w_ih_k = w_ih[perm] * scale[:, None]
    w_hh_kT = np.ascontiguousarray((w_hh[perm] * scale[:, None]).T)  # (H, 4H)
    # all T input projections in one GEMM; the loop adds the recurrent part
    gates = np.matmul(x.reshape(T * B, D), w_ih_k.T).reshape(T, B, 4 * H)
    if b_ih is not None:
        gates += (b_ih + b_hh)[perm] * scale
    h = np.empty((T, B, H), dtype=x.dtype)
    c = np.empty_like(h)
    tanh_c = np.empty_like(h)
    rec = np.empty((B, 4 * H), dtype=x.dtype)
    ig = np.empty((B, H), dtype=x.dtype)
    h_prev, c_prev = h0, c0
    for t in range(T):
        a = gates[t]
        np.matmul(h_prev, w_hh_kT, out=rec)
        a += rec
        np.tanh(a, out=a)  # tanh(a/2) on the i, f, o rows (pre-scaled), tanh(a) on g
        s = a[:, : 3 * H]
        s *= 0.5
        s += 0.5  # sigmoid = (1 + tanh(a/2)) / 2
        i, f, o, g = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        np.multiply(f, c_prev, out=c[t])
        np.multiply(i, g, out=ig)
        c[t] += ig
        np.tanh(c[t], out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h[t])
        h_prev, c_prev = h[t], c[t]
    cache = {"x": x, "h0": h0, "c0": c0, "h": h, "c": c, "tanh_c": tanh_c}
    cache.update(weight_ih=w_ih, weight_hh=w_hh, bias_ih=b_ih, bias_hh=b_hh)
    for k, name in enumerate(("i", "f", "o", "g")):
        cache[name] = gates[:, :, k * H : (k + 1) * H]
    return h, c, cache


def lstm_backward(
    dh: np.ndarray | None,
    cache: Cache,
    dh_n: np.ndarray | None = None,
    dc_n: np.ndarray | None = None,
    truncate: int | None = None,
    *,
    truncate_offset: int = 0,
) -> dict[str, np.ndarray | None]:
    """Backpropagate through time (fast path of :func:`rnncore.nn.lstm.lstm_backward_steps`).

    Takes and returns exactly what :func:`rnncore.nn.lstm.lstm_backward_steps` does: dh (T, B, H)
    or ``None``, a cache from either forward path, dh_n and dc_n (B, H) or ``None``, truncate
    ``None`` or k; returns "x" (T, B, D), "h0", "c0" (B, H), "weight_ih" (4H, D), "weight_hh"
    (4H, H), "bias_ih" and "bias_hh" (4H,) or ``None``.
    """
    dh, dh_n, dc_n, truncate = validate.sequence_grads(
        LSTM, cache, dh, dh_n, dc_n, truncate=truncate, offset=truncate_offset
    )
    return _lstm_backward(dh, cache, dh_n, dc_n, truncate, truncate_offset)


def _lstm_backward(dh, cache: Cache, dh_n, dc_n, truncate: int | None, offset: int) -> dict:
    """:func:`lstm_backward` on checked gradients: dh (T, B, H), dh_n, dc_n (B, H) or None."""
    h, c = cache["h"], cache["c"]
    i, f, g, o, tanh_c = (cache[k] for k in ("i", "f", "g", "o", "tanh_c"))
    T, B, H = h.shape
    dt = h.dtype
    w_hh = cache["weight_hh"]
    da_all = np.empty((T, B, 4 * H), dtype=dt)  # gate pre-activation gradients, torch order
    dh_rec = np.zeros((B, H), dtype=dt) if dh_n is None else dh_n.copy()
    dc_rec = np.zeros((B, H), dtype=dt) if dc_n is None else dc_n.copy()
    dh_t = np.empty((B, H), dtype=dt)
    dc = np.empty((B, H), dtype=dt)
    tmp = np.empty((B, H), dtype=dt)
    for t in reversed(range(T)):
        c_prev = cache["c0"] if t == 0 else c[t - 1]
        if dh is None:
            dh_t[...] = dh_rec
        else:
            np.add(dh[t], dh_rec, out=dh_t)
        da = da_all[t]
        da_i, da_f, da_g, da_o = (da[:, k * H : (k + 1) * H] for k in range(4))
        # dc = dc_rec + dh * o * (1 - tanh(c)^2)
        np.multiply(tanh_c[t], tanh_c[t], out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= o[t]
        tmp *= dh_t
        np.add(dc_rec, tmp, out=dc)
        # da_o = dh * tanh(c) * o (1 - o)
        np.subtract(1.0, o[t], out=tmp)
        tmp *= o[t]
        tmp *= tanh_c[t]
        np.multiply(dh_t, tmp, out=da_o)
        # da_i = dc * g * i (1 - i)
        np.subtract(1.0, i[t], out=tmp)
        tmp *= i[t]
        tmp *= g[t]
        np.multiply(dc, tmp, out=da_i)
        # da_f = dc * c_prev * f (1 - f)
        np.subtract(1.0, f[t], out=tmp)
        tmp *= f[t]
        tmp *= c_prev
        np.multiply(dc, tmp, out=da_f)
        # da_g = dc * i * (1 - g^2)
        np.multiply(g[t], g[t], out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= i[t]
        np.multiply(dc, tmp, out=da_g)
        # the state gradients handed to step t-1
        np.multiply(dc, f[t], out=dc_rec)
        np.matmul(da, w_hh, out=dh_rec)
        if detached_before(t, truncate, offset):
            dh_rec.fill(0.0)
            dc_rec.fill(0.0)
    return _weight_grads(da_all, cache, {"h0": dh_rec, "c0": dc_rec})


def _weight_grads(da_all: np.ndarray, cache: Cache, state_grads: dict) -> dict:
    """The GEMMs after the loop: dx, dW_ih, dW_hh and the biases from the stacked da (T, B, G*H)."""
    x, h = cache["x"], cache["h"]
    T, B, D = x.shape
    da2 = da_all.reshape(T * B, -1)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]]).reshape(T * B, -1)
    db = da2.sum(axis=0) if cache["bias_ih"] is not None else None
    return {
        "x": np.matmul(da2, cache["weight_ih"]).reshape(T, B, D),
        **state_grads,
        "weight_ih": np.matmul(da2.T, x.reshape(T * B, D)),
        "weight_hh": np.matmul(da2.T, h_prev),
        "bias_ih": db,
        "bias_hh": None if db is None else db.copy(),
    }
