"""The LSTM cell in numpy: step forward/backward pairs and sequence functions.

    i = sigma(x W_ii^T + b_ii + h W_hi^T + b_hi)      input gate
    f = sigma(x W_if^T + b_if + h W_hf^T + b_hf)      forget gate
    g = tanh (x W_ig^T + b_ig + h W_hg^T + b_hg)      candidate
    o = sigma(x W_io^T + b_io + h W_ho^T + b_ho)      output gate
    c' = f * c + i * g,    h' = o * tanh(c')

Sources: S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural Computation 9(8),
1997 (the cell and its gated memory); F. A. Gers, J. Schmidhuber and F. Cummins, "Learning to
forget: continual prediction with LSTM", Neural Computation 12(10), 2000 (the forget gate); the
equations, gate order (i, f, g, o stacked in one matrix) and names of ``torch.nn.LSTM`` (PyTorch
documentation), which these functions reproduce exactly.

``lstm_forward_steps``/``lstm_backward_steps`` loop over the step functions and are the ones to
read; ``lstm_forward``/``lstm_backward`` (in :mod:`rnncore.nn._fast_lstm`) compute the same numbers
(tested equal) and are the ones to run. Both forward caches expose the per-step activations
"i", "f", "g", "o", "c", "tanh_c" and "h", each (T, B, H), for gate heatmaps.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn._fast_lstm import lstm_backward, lstm_forward
from rnncore.nn.functional import dsigmoid_from_output, dtanh_from_output, sigmoid
from rnncore.nn.validate import (
    check_grad,
    check_sequence,
    check_state,
    check_step_input,
    check_truncate,
    check_weights,
    detached_before,
)

__all__ = [
    "lstm_backward",
    "lstm_backward_steps",
    "lstm_forward",
    "lstm_forward_steps",
    "lstm_step_backward",
    "lstm_step_forward",
    "step_cache",
]

Cache = dict[str, Any]
GATES = ("i", "f", "g", "o")


def lstm_step_forward(
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, Cache]:
    """Take the input at t and the state (h, c) at t-1 and return the state at t.

    Parameters
    ----------
    x : (B, D) input at this step.
    h_prev, c_prev : (B, H) hidden and cell state from the previous step.
    weight_ih : (4H, D) input weights of the gates stacked in the order i, f, g, o.
    weight_hh : (4H, H) recurrent weights, same order.
    bias_ih, bias_hh : (4H,) biases, or both ``None`` for no bias.

    Returns
    -------
    h_next, c_next : (B, H) hidden and cell state at this step.
    cache : dict for :func:`lstm_step_backward` with keys "x" (B, D), "h_prev", "c_prev", "i",
        "f", "g", "o", "c_next", "tanh_c" (each (B, H)), "weight_ih", "weight_hh", "has_bias".
    """
    weight_ih, weight_hh, bias_ih, bias_hh = check_weights(
        weight_ih, weight_hh, bias_ih, bias_hh, 4
    )
    H, D = weight_hh.shape[1], weight_ih.shape[1]
    x = check_step_input(x, D)
    h_prev = check_state(h_prev, "h_prev", x.shape[0], H)
    c_prev = check_state(c_prev, "c_prev", x.shape[0], H)
    a = x @ weight_ih.T + h_prev @ weight_hh.T
    if bias_ih is not None:
        a = a + bias_ih + bias_hh
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    # the input gate decides how much of the new candidate is written into the cell
    i = sigmoid(a_i)
    # the forget gate decides how much of the old cell state survives
    f = sigmoid(a_f)
    # the candidate is the new content proposed for the cell, between -1 and 1
    g = np.tanh(a_g)
    # the output gate decides how much of the cell is shown to the outside as h
    o = sigmoid(a_o)
    # the new cell keeps what the forget gate lets through and adds what the input gate admits
    c_next = f * c_prev + i * g
    # the hidden state is the squashed cell, filtered by the output gate
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f, "g": g, "o": o}
    cache.update(c_next=c_next, tanh_c=tanh_c, weight_ih=weight_ih, weight_hh=weight_hh)
    cache["has_bias"] = bias_ih is not None
    return h_next, c_next, cache


def lstm_step_backward(
    dh_next: np.ndarray | None, dc_next: np.ndarray | None, cache: Cache
) -> dict[str, np.ndarray | None]:
    """Backpropagate the gradients on (h_next, c_next) through one step.

    Parameters
    ----------
    dh_next : (B, H) gradient of the loss with respect to h_next (``None`` for zero).
    dc_next : (B, H) gradient with respect to c_next arriving from the next step (``None``).
    cache : from :func:`lstm_step_forward`.

    Returns
    -------
    dict with "x" (B, D), "h_prev" (B, H), "c_prev" (B, H), "weight_ih" (4H, D),
    "weight_hh" (4H, H), "bias_ih" and "bias_hh" (4H,) (``None`` when the cell has no bias).
    """
    i, f, g, o, tanh_c = (cache[k] for k in ("i", "f", "g", "o", "tanh_c"))
    dh_next = check_grad(dh_next, "dh_next", i.shape, "(B, H)", i.dtype)
    dc_next = check_grad(dc_next, "dc_next", i.shape, "(B, H)", i.dtype)
    dh_next = np.zeros_like(i) if dh_next is None else dh_next
    dc_next = np.zeros_like(i) if dc_next is None else dc_next
    # h = o * tanh(c): the cell receives gradient from h (through tanh) and from the next step
    dc = dc_next + dh_next * o * dtanh_from_output(tanh_c)
    do = dh_next * tanh_c
    # c = f * c_prev + i * g
    di, df, dg = dc * g, dc * cache["c_prev"], dc * i
    # gate derivatives from the cached gate values: sigma' = s (1 - s), tanh' = 1 - t^2
    da = np.concatenate(
        [
            di * dsigmoid_from_output(i),
            df * dsigmoid_from_output(f),
            dg * dtanh_from_output(g),
            do * dsigmoid_from_output(o),
        ],
        axis=1,
    )
    db = da.sum(axis=0) if cache["has_bias"] else None
    return {
        "x": da @ cache["weight_ih"],
        "h_prev": da @ cache["weight_hh"],
        "c_prev": dc * f,
        "weight_ih": da.T @ cache["x"],
        "weight_hh": da.T @ cache["h_prev"],
        "bias_ih": db,
        "bias_hh": None if db is None else db.copy(),
    }


def lstm_forward_steps(
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, Cache]:
    """Run the LSTM over a whole sequence, one :func:`lstm_step_forward` per time step.

    Parameters
    ----------
    x : (T, B, D) inputs.
    h0, c0 : (B, H) initial hidden and cell state, or ``None`` for zeros.
    weight_ih, weight_hh, bias_ih, bias_hh : as in :func:`lstm_step_forward`.

    Returns
    -------
    h : (T, B, H) hidden state at every step (``h[-1]`` is the final one).
    c : (T, B, H) cell state at every step.
    cache : dict with "x" (T, B, D), "h0", "c0" (B, H), and "h", "c", "i", "f", "g", "o",
        "tanh_c", each (T, B, H), plus the weights and biases; :func:`step_cache` slices it.
    """
    weight_ih, weight_hh, bias_ih, bias_hh = check_weights(
        weight_ih, weight_hh, bias_ih, bias_hh, 4
    )
    x = check_sequence(x, weight_ih.shape[1])
    B, H = x.shape[1], weight_hh.shape[1]
    h_prev = check_state(h0, "h0", B, H, x.dtype)
    c_prev = check_state(c0, "c0", B, H, x.dtype)
    cache = {"x": x, "h0": h_prev, "c0": c_prev, "weight_ih": weight_ih, "weight_hh": weight_hh}
    cache.update(bias_ih=bias_ih, bias_hh=bias_hh)
    steps = []
    for t in range(x.shape[0]):
        h_prev, c_prev, step = lstm_step_forward(
            x[t], h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh
        )
        steps.append(step)
    for key in (*GATES, "tanh_c"):
        cache[key] = np.stack([s[key] for s in steps])
    cache["c"] = np.stack([s["c_next"] for s in steps])
    cache["h"] = cache["o"] * cache["tanh_c"]
    return cache["h"], cache["c"], cache


def step_cache(cache: Cache, t: int) -> Cache:
    """The step cache of time step t, sliced out of a sequence cache (either path's)."""
    step = {k: cache[k][t] for k in (*GATES, "tanh_c")}
    step.update(
        x=cache["x"][t],
        h_prev=cache["h0"] if t == 0 else cache["h"][t - 1],
        c_prev=cache["c0"] if t == 0 else cache["c"][t - 1],
        c_next=cache["c"][t],
        weight_ih=cache["weight_ih"],
        weight_hh=cache["weight_hh"],
        has_bias=cache["bias_ih"] is not None,
    )
    return step


def lstm_backward_steps(
    dh: np.ndarray | None,
    cache: Cache,
    dh_n: np.ndarray | None = None,
    dc_n: np.ndarray | None = None,
    truncate: int | None = None,
    *,
    truncate_offset: int = 0,
) -> dict[str, np.ndarray | None]:
    """Backpropagate through time, one :func:`lstm_step_backward` per step, last step first.

    Parameters
    ----------
    dh : (T, B, H) gradient of the loss with respect to each step's output h[t] (the direct
        part only), or ``None`` for zeros.
    cache : from :func:`lstm_forward_steps` or :func:`lstm_forward`.
    dh_n, dc_n : (B, H) extra gradients on the final hidden and cell state, or ``None``.
    truncate : ``None`` for full BPTT, or k: the gradient flowing through the recurrent state
        (h and c) is cut at the chunk boundaries t = k, 2k, ..., as torch does when the state is
        detached every k steps.
    truncate_offset : shifts the boundaries to steps t with (t + offset) % k == 0.

    Returns
    -------
    dict with "x" (T, B, D), "h0" (B, H), "c0" (B, H), "weight_ih" (4H, D), "weight_hh" (4H, H),
    "bias_ih" and "bias_hh" (4H,) or ``None``.
    """
    x, h = cache["x"], cache["h"]
    T = x.shape[0]
    dh = check_grad(dh, "dh", h.shape, "(T, B, H)", h.dtype)
    truncate = check_truncate(truncate)
    dh_rec = check_grad(dh_n, "dh_n", h.shape[1:], "(B, H)", h.dtype)
    dc_rec = check_grad(dc_n, "dc_n", h.shape[1:], "(B, H)", h.dtype)
    dh_rec = np.zeros_like(h[0]) if dh_rec is None else dh_rec
    dc_rec = np.zeros_like(h[0]) if dc_rec is None else dc_rec
    dx = np.empty_like(x)
    grads: dict[str, Any] = {}
    for t in reversed(range(T)):
        dh_t = dh_rec if dh is None else dh[t] + dh_rec
        step = lstm_step_backward(dh_t, dc_rec, step_cache(cache, t))
        dx[t] = step["x"]
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            grads[name] = step[name] if t == T - 1 else _add(grads[name], step[name])
        dh_rec, dc_rec = step["h_prev"], step["c_prev"]
        if detached_before(t, truncate, truncate_offset):
            dh_rec, dc_rec = np.zeros_like(dh_rec), np.zeros_like(dc_rec)
    return {"x": dx, "h0": dh_rec, "c0": dc_rec, **grads}


def _add(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else a + b
