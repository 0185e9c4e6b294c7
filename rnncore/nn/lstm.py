"""The LSTM cell in numpy: the step forward/backward pair and the loop through time.

    i = sigma(x W_ii^T + b_ii + h W_hi^T + b_hi)      input gate
    f = sigma(x W_if^T + b_if + h W_hf^T + b_hf)      forget gate
    g = tanh (x W_ig^T + b_ig + h W_hg^T + b_hg)      candidate
    o = sigma(x W_io^T + b_io + h W_ho^T + b_ho)      output gate
    c' = f * c + i * g,    h' = o * tanh(c')

Sources: S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural Computation 9(8),
1997 (the cell and its gated memory); F. A. Gers, J. Schmidhuber and F. Cummins, "Learning to
forget: continual prediction with LSTM", Neural Computation 12(10), 2000 (the forget gate); the
equations, gate order (i, f, g, o stacked in one matrix) and names of ``torch.nn.LSTM`` (PyTorch
documentation), which these functions reproduce exactly. The layout of forward/backward pairs
with a cache follows Stanford CS231n's ``rnn_layers.py``.

``lstm_forward_steps``/``lstm_backward_steps`` call the step functions once per time step and are
the ones to read; ``lstm_forward``/``lstm_backward`` (in :mod:`rnncore.nn._fast_lstm`) compute
the same numbers (tested equal) and are the ones to run. Both forward caches expose the per-step
arrays of :data:`rnncore.nn.cells.LSTM` ``.cache_arrays`` ("h", "c", "tanh_c", "i", "f", "g",
"o"), each (T, B, H), for gate heatmaps. Arguments are checked once on entry and promoted to one
dtype (:mod:`rnncore.nn.validate`); the loops call the step functions with ``check=False``.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn import validate
from rnncore.nn._fast_lstm import lstm_backward, lstm_forward
from rnncore.nn.cells import LSTM
from rnncore.nn.functional import (
    detached_before,
    dsigmoid_from_output,
    dtanh_from_output,
    sigmoid,
)

__all__ = [
    "lstm_backward",
    "lstm_backward_steps",
    "lstm_forward",
    "lstm_forward_steps",
    "lstm_step_backward",
    "lstm_step_forward",
]

Cache = dict[str, Any]
PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def lstm_step_forward(
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
    *,
    check: bool = True,
) -> tuple[np.ndarray, np.ndarray, Cache]:
    """Take the input at t and the state (h, c) at t-1 and return the state at t.

    Parameters
    ----------
    x : (B, D) input at this step.
    h_prev, c_prev : (B, H) hidden and cell state from the previous step.
    weight_ih : (4H, D) input weights of the gates stacked in the order i, f, g, o.
    weight_hh : (4H, H) recurrent weights, same order.
    bias_ih, bias_hh : (4H,) biases, or both ``None`` for no bias.
    check : check the arguments and promote them to one dtype (``False`` inside the loop).

    Returns
    -------
    h_next, c_next : (B, H) hidden and cell state at this step.
    cache : dict for :func:`lstm_step_backward`: "x" (B, D), "h_prev", "c_prev", the gates "i",
        "f", "g", "o", "c" (c_next), "tanh_c" and "h" (h_next), each (B, H), and the weights.
    """
    if check:
        x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh = validate.step_args(
            LSTM, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh
        )
    # the four gates' pre-activations in one product, stacked in torch's order i, f, g, o
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
    cache.update(c=c_next, tanh_c=tanh_c, h=h_next, weight_ih=weight_ih, weight_hh=weight_hh)
    cache.update(bias_ih=bias_ih, bias_hh=bias_hh)
    return h_next, c_next, cache


def lstm_step_backward(
    dh_next: np.ndarray | None, dc_next: np.ndarray | None, cache: Cache, *, check: bool = True
) -> dict[str, np.ndarray | None]:
    """Backpropagate the gradients on (h_next, c_next) through one step.

    Parameters
    ----------
    dh_next : (B, H) gradient of the loss with respect to h_next (``None`` for zero).
    dc_next : (B, H) gradient with respect to c_next arriving from the next step (``None``).
    cache : from :func:`lstm_step_forward`.
    check : check the gradients against the cache (``False`` inside :func:`lstm_backward_steps`).

    Returns
    -------
    dict with "x" (B, D), "h_prev" (B, H), "c_prev" (B, H), "weight_ih" (4H, D),
    "weight_hh" (4H, H), "bias_ih" and "bias_hh" (4H,) (``None`` when the cell has no bias).
    """
    if check:
        dh_next, dc_next = validate.step_grads(LSTM, cache, dh_next, dc_next)
    i, f, g, o, tanh_c = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    # h = o * tanh(c): the cell gets gradient through h (tanh' = 1 - tanh^2) and from step t+1
    dc = dc_next + dh_next * o * dtanh_from_output(tanh_c)
    # c = f * c_prev + i * g and h = o * tanh(c): each factor gets the gradient times its partner
    di, df, dg, do = dc * g, dc * cache["c_prev"], dc * i, dh_next * tanh_c
    # back through each gate's activation, from its cached output: sigma' = s (1 - s)
    # for the input, forget and output gates, tanh' = 1 - g^2 for the candidate
    da_i = di * dsigmoid_from_output(i)
    da_f = df * dsigmoid_from_output(f)
    da_g = dg * dtanh_from_output(g)
    da_o = do * dsigmoid_from_output(o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
    db = None if cache["bias_ih"] is None else da.sum(axis=0)
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
    cache : dict with "x" (T, B, D), "h0", "c0" (B, H), the weights and biases, and "h", "c",
        "tanh_c", "i", "f", "g", "o", each (T, B, H) (the same keys as :func:`lstm_forward`'s).
    """
    x, h0, c0, *weights = validate.sequence_args(
        LSTM, x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh
    )
    h, c, steps = h0, c0, []
    for t in range(x.shape[0]):
        # the same weights at every step; (h, c) carries what the sequence said so far
        h, c, step = lstm_step_forward(x[t], h, c, *weights, check=False)
        steps.append(step)
    cache = {"x": x, "h0": h0, "c0": c0, **dict(zip(PARAMS, weights, strict=True))}
    cache.update({k: np.stack([s[k] for s in steps]) for k in LSTM.cache_arrays})
    return cache["h"], cache["c"], cache


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
    dh, dh_next, dc_next, truncate = validate.sequence_grads(
        LSTM, cache, dh, dh_n, dc_n, truncate=truncate, offset=truncate_offset
    )
    x, h, c = cache["x"], cache["h"], cache["c"]
    shared = {k: cache[k] for k in PARAMS}
    # every step uses the same weights, so their gradients add up: one running sum each
    sums = {k: None if w is None else np.zeros_like(w) for k, w in shared.items()}
    dx = np.empty_like(x)
    for t in reversed(range(len(x))):
        # step t's cache, read back out of the sequence cache (either path's)
        step = {k: cache[k][t] for k in ("x", *LSTM.cache_arrays)}
        step.update(h_prev=cache["h0"] if t == 0 else h[t - 1], **shared)
        step["c_prev"] = cache["c0"] if t == 0 else c[t - 1]
        # h[t] feeds this step's loss (dh[t]) and step t+1 (dh_next); c[t] only step t+1
        g = lstm_step_backward(dh[t] + dh_next, dc_next, step, check=False)
        dx[t] = g["x"]
        for k, total in sums.items():
            if total is not None:
                total += g[k]
        dh_next, dc_next = g["h_prev"], g["c_prev"]
        if detached_before(t, truncate, truncate_offset):
            # truncated BPTT: the chunk's first state (h and c) is a constant
            dh_next, dc_next = np.zeros_like(dh_next), np.zeros_like(dc_next)
    return {"x": dx, "h0": dh_next, "c0": dc_next, **sums}
