"""The fast GRU sequence path: the same numbers as gru_forward_steps/gru_backward_steps.

As in :mod:`rnncore.nn._fast_lstm`: only the recurrent product h_{t-1} W_hh^T stays inside the time
loop, the input projection of all steps is one GEMM before it, the weight gradients are GEMMs
after it, buffers are preallocated, and the sigmoid gates use sigma(a) = (1 + tanh(a / 2)) / 2
with their weight rows pre-scaled by 1/2 (exact). The input-side biases and the r, z parts of
the recurrent bias are folded into the input projection; b_hn stays inside the reset product.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn import validate
from rnncore.nn.cells import GRU
from rnncore.nn.functional import detached_before

__all__ = ["gru_backward", "gru_forward"]

Cache = dict[str, Any]


def gru_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, Cache]:
    """Run the GRU over a whole sequence (fast path of :func:`rnncore.nn.gru.gru_forward_steps`).

    Parameters
    ----------
    x : (T, B, D) inputs.
    h0 : (B, H) initial hidden state, or ``None`` for zeros.
    weight_ih : (3H, D), weight_hh : (3H, H), bias_ih, bias_hh : (3H,) or both ``None``; gate
        order r, z, n as in torch.

    Returns
    -------
    h : (T, B, H) hidden states.
    cache : the same keys as gru_forward_steps' cache ("x", "h0", "h", "r", "z", "n", "hn",
        weights and biases); "r", "z", "n" are views into one buffer.
    """
    x, h0, *weights = validate.sequence_args(GRU, x, h0, weight_ih, weight_hh, bias_ih, bias_hh)
    return _gru_forward(x, h0, *weights)


def _gru_forward(x, h0, w_ih, w_hh, b_ih, b_hh) -> tuple[np.ndarray, Cache]:
    """:func:`gru_forward` on checked arguments of one dtype: x (T, B, D), h0 (B, H), weights."""
    T, B, D = x.shape
    H = w_hh.shape[1]
    scale = np.r_[np.full(2 * H, 0.5), np.ones(H)].astype(x.dtype)
    w_hh_kT = np.ascontiguousarray((w_hh * scale[:, None]).T)  # (H, 3H)
    # all T input projections in one GEMM; r and z rows pre-scaled by 1/2
    act = np.matmul(x.reshape(T * B, D), (w_ih * scale[:, None]).T).reshape(T, B, 3 * H)
    b_hn = None
    if b_ih is not None:
        act += b_ih * scale
        act[:, :, : 2 * H] += b_hh[: 2 * H] * 0.5
        b_hn = b_hh[2 * H :]
    h = np.empty((T, B, H), dtype=x.dtype)
    hn = np.empty_like(h)
    rec = np.empty((B, 3 * H), dtype=x.dtype)
    tmp = np.empty((B, H), dtype=x.dtype)
    h_prev = h0
    for t in range(T):
        a = act[t]
        np.matmul(h_prev, w_hh_kT, out=rec)
        rz = a[:, : 2 * H]
        rz += rec[:, : 2 * H]
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5  # r and z: sigmoid = (1 + tanh(a/2)) / 2
        r, z, n = a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
        if b_hn is None:
            hn[t] = rec[:, 2 * H :]
        else:
            np.add(rec[:, 2 * H :], b_hn, out=hn[t])
        np.multiply(r, hn[t], out=tmp)
        n += tmp
        np.tanh(n, out=n)
        # h = n + z * (h_prev - n)
        np.subtract(h_prev, n, out=tmp)
        tmp *= z
        np.add(n, tmp, out=h[t])
        h_prev = h[t]
    cache = {"x": x, "h0": h0, "h": h, "hn": hn}
    cache.update(weight_ih=w_ih, weight_hh=w_hh, bias_ih=b_ih, bias_hh=b_hh)
    cache.update(r=act[:, :, :H], z=act[:, :, H : 2 * H], n=act[:, :, 2 * H :])
    return h, cache


def gru_backward(
    dh: np.ndarray | None,
    cache: Cache,
    dh_n: np.ndarray | None = None,
    truncate: int | None = None,
    *,
    truncate_offset: int = 0,
) -> dict[str, np.ndarray | None]:
    """Backpropagate through time (fast path of :func:`rnncore.nn.gru.gru_backward_steps`).

    Takes and returns exactly what :func:`rnncore.nn.gru.gru_backward_steps` does: dh (T, B, H) or
    ``None``, a cache from either forward path, dh_n (B, H) or ``None``, truncate ``None`` or k;
    returns "x" (T, B, D), "h0" (B, H), "weight_ih" (3H, D), "weight_hh" (3H, H), "bias_ih" and
    "bias_hh" (3H,) or ``None``.
    """
    dh, dh_n, truncate = validate.sequence_grads(
        GRU, cache, dh, dh_n, truncate=truncate, offset=truncate_offset
    )
    return _gru_backward(dh, cache, dh_n, truncate, truncate_offset)


def _gru_backward(dh, cache: Cache, dh_n, truncate: int | None, offset: int) -> dict:
    """:func:`gru_backward` on checked gradients, dh (T, B, H) and dh_n (B, H) or ``None``."""
    x, h = cache["x"], cache["h"]
    r, z, n, hn = (cache[k] for k in ("r", "z", "n", "hn"))
    T, B, D = x.shape
    H = h.shape[2]
    dt = h.dtype
    w_hh = cache["weight_hh"]
    # recurrent-side pre-activation gradients [da_r, da_z, da_n * r], and da_n for the input side
    da_h_all = np.empty((T, B, 3 * H), dtype=dt)
    da_n_all = np.empty((T, B, H), dtype=dt)
    dh_rec = np.zeros((B, H), dtype=dt) if dh_n is None else dh_n.copy()
    dh_t = np.empty((B, H), dtype=dt)
    tmp = np.empty((B, H), dtype=dt)
    for t in reversed(range(T)):
        h_prev = cache["h0"] if t == 0 else h[t - 1]
        if dh is None:
            dh_t[...] = dh_rec
        else:
            np.add(dh[t], dh_rec, out=dh_t)
        da = da_h_all[t]
        da_r, da_z, da_hn = da[:, :H], da[:, H : 2 * H], da[:, 2 * H :]
        da_n = da_n_all[t]
        # da_n = dh * (1 - z) * (1 - n^2)
        np.multiply(n[t], n[t], out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        np.subtract(1.0, z[t], out=da_n)
        da_n *= tmp
        da_n *= dh_t
        # da_z = dh * (h_prev - n) * z (1 - z)
        np.subtract(1.0, z[t], out=tmp)
        tmp *= z[t]
        np.subtract(h_prev, n[t], out=da_z)
        da_z *= tmp
        da_z *= dh_t
        # da_r = da_n * hn * r (1 - r)
        np.subtract(1.0, r[t], out=tmp)
        tmp *= r[t]
        tmp *= hn[t]
        np.multiply(da_n, tmp, out=da_r)
        # the recurrent product sees da_n through the reset gate
        np.multiply(da_n, r[t], out=da_hn)
        # dh_prev = dh * z + da_h W_hh
        np.matmul(da, w_hh, out=dh_rec)
        np.multiply(dh_t, z[t], out=tmp)
        dh_rec += tmp
        if detached_before(t, truncate, offset):
            dh_rec.fill(0.0)
    da_h = da_h_all.reshape(T * B, 3 * H)
    da_n = da_n_all.reshape(T * B, H)
    x2 = x.reshape(T * B, D)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]]).reshape(T * B, H)
    w_ih = cache["weight_ih"]
    has_bias = cache["bias_ih"] is not None
    d_w_ih = np.empty_like(w_ih)
    np.matmul(da_h[:, : 2 * H].T, x2, out=d_w_ih[: 2 * H])
    np.matmul(da_n.T, x2, out=d_w_ih[2 * H :])
    dx = np.matmul(da_h[:, : 2 * H], w_ih[: 2 * H])
    dx += np.matmul(da_n, w_ih[2 * H :])
    db_hh = da_h.sum(axis=0) if has_bias else None
    return {
        "x": dx.reshape(T, B, D),
        "h0": dh_rec,
        "weight_ih": d_w_ih,
        "weight_hh": np.matmul(da_h.T, h_prev),
        "bias_ih": np.r_[db_hh[: 2 * H], da_n.sum(axis=0)] if has_bias else None,
        "bias_hh": db_hh,
    }
