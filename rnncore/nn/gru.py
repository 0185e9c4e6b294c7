"""The GRU cell in numpy: the step forward/backward pair and the loop through time.

    r  = sigma(x W_ir^T + b_ir + h W_hr^T + b_hr)            reset gate
    z  = sigma(x W_iz^T + b_iz + h W_hz^T + b_hz)            update gate
    hn = h W_hn^T + b_hn                                     recurrent part of the candidate
    n  = tanh (x W_in^T + b_in + r * hn)                     candidate
    h' = (1 - z) * n + z * h

Sources: K. Cho et al., "Learning phrase representations using RNN encoder-decoder for
statistical machine translation", EMNLP 2014, Section 2.3 (the gated recurrent unit); the
equations, gate order (r, z, n) and names of ``torch.nn.GRU`` (PyTorch documentation), which
these functions reproduce exactly. Note one difference from the paper: torch (like cuDNN)
applies the reset gate *after* the recurrent product, r * (h W_hn^T + b_hn), where Cho et al.
multiply first, (r * h) W_hn^T. The two are different functions with the same parameter count.
The layout of forward/backward pairs with a cache follows Stanford CS231n's ``rnn_layers.py``.

``gru_forward_steps``/``gru_backward_steps`` call the step functions once per time step and are
the ones to read; ``gru_forward``/``gru_backward`` (in :mod:`rnncore.nn._fast_gru`) compute the
same numbers (tested equal) and are the ones to run. Both forward caches expose the per-step
arrays of :data:`rnncore.nn.cells.GRU` ``.cache_arrays`` ("h", "r", "z", "n", "hn"), each
(T, B, H), for gate heatmaps. Arguments are checked once on entry and promoted to one dtype
(:mod:`rnncore.nn.validate`); the loops call the step functions with ``check=False``.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn import validate
from rnncore.nn._fast_gru import gru_backward, gru_forward
from rnncore.nn.cells import GRU
from rnncore.nn.functional import (
    detached_before,
    dsigmoid_from_output,
    dtanh_from_output,
    sigmoid,
)

__all__ = [
    "gru_backward",
    "gru_backward_steps",
    "gru_forward",
    "gru_forward_steps",
    "gru_step_backward",
    "gru_step_forward",
]

Cache = dict[str, Any]
PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def gru_step_forward(
    x: np.ndarray,
    h_prev: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
    *,
    check: bool = True,
) -> tuple[np.ndarray, Cache]:
    """Take the input at t and the hidden state at t-1 and return the hidden state at t.

    Parameters
    ----------
    x : (B, D) input at this step.
    h_prev : (B, H) hidden state from the previous step.
    weight_ih : (3H, D) input weights of the gates stacked in the order r, z, n.
    weight_hh : (3H, H) recurrent weights, same order.
    bias_ih, bias_hh : (3H,) biases, or both ``None`` for no bias.
    check : check the arguments and promote them to one dtype (``False`` inside the loop).

    Returns
    -------
    h_next : (B, H) hidden state at this step.
    cache : dict for :func:`gru_step_backward`: "x" (B, D), "h_prev", "r", "z", "n", "hn" and
        "h" (h_next), each (B, H), and the weights and biases.
    """
    if check:
        x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh = validate.step_args(
            GRU, x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh
        )
    # what the input and what the old state contribute to the blocks r, z, n (torch's order)
    a_x = x @ weight_ih.T
    a_h = h_prev @ weight_hh.T
    if bias_ih is not None:
        a_x = a_x + bias_ih
        a_h = a_h + bias_hh
    ax_r, ax_z, ax_n = np.split(a_x, 3, axis=1)
    ah_r, ah_z, hn = np.split(a_h, 3, axis=1)
    # the reset gate decides how much of the old state the candidate may look at
    r = sigmoid(ax_r + ah_r)
    # the update gate decides how much of the old state is kept unchanged
    z = sigmoid(ax_z + ah_z)
    # the candidate is new content built from the input and the reset-filtered old state hn
    n = np.tanh(ax_n + r * hn)
    # the new state blends old state and candidate, weighted by the update gate
    h_next = (1.0 - z) * n + z * h_prev
    cache = {"x": x, "h_prev": h_prev, "r": r, "z": z, "n": n, "hn": hn, "h": h_next}
    cache.update(weight_ih=weight_ih, weight_hh=weight_hh, bias_ih=bias_ih, bias_hh=bias_hh)
    return h_next, cache


def gru_step_backward(
    dh_next: np.ndarray, cache: Cache, *, check: bool = True
) -> dict[str, np.ndarray | None]:
    """Backpropagate the gradient on h_next through one step.

    Parameters
    ----------
    dh_next : (B, H) gradient of the loss with respect to h_next (all of it).
    cache : from :func:`gru_step_forward`.
    check : check dh_next against the cache (``False`` inside :func:`gru_backward_steps`).

    Returns
    -------
    dict with "x" (B, D), "h_prev" (B, H), "weight_ih" (3H, D), "weight_hh" (3H, H),
    "bias_ih" and "bias_hh" (3H,) (``None`` when the cell has no bias).
    """
    if check:
        (dh_next,) = validate.step_grads(GRU, cache, dh_next)
    r, z, n, hn, h_prev = cache["r"], cache["z"], cache["n"], cache["hn"], cache["h_prev"]
    # h' = (1 - z) * n + z * h_prev: the candidate and the update gate get their shares
    dn = dh_next * (1.0 - z)
    dz = dh_next * (h_prev - n)
    # back through the activations, from their cached outputs: tanh' = 1 - n^2 for the
    # candidate, sigma' = s (1 - s) for the gates; the reset gate is reached through r * hn
    da_n = dn * dtanh_from_output(n)
    da_r = da_n * hn * dsigmoid_from_output(r)
    da_z = dz * dsigmoid_from_output(z)
    # the input side sees da_n directly; the recurrent side sees it through the reset gate
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)
    da_h = np.concatenate([da_r, da_z, da_n * r], axis=1)
    has_bias = cache["bias_ih"] is not None
    return {
        "x": da_x @ cache["weight_ih"],
        "h_prev": dh_next * z + da_h @ cache["weight_hh"],
        "weight_ih": da_x.T @ cache["x"],
        "weight_hh": da_h.T @ h_prev,
        "bias_ih": da_x.sum(axis=0) if has_bias else None,
        "bias_hh": da_h.sum(axis=0) if has_bias else None,
    }


def gru_forward_steps(
    x: np.ndarray,
    h0: np.ndarray | None,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, Cache]:
    """Run the GRU over a whole sequence, one :func:`gru_step_forward` per time step.

    Parameters
    ----------
    x : (T, B, D) inputs.
    h0 : (B, H) initial hidden state, or ``None`` for zeros.
    weight_ih, weight_hh, bias_ih, bias_hh : as in :func:`gru_step_forward`.

    Returns
    -------
    h : (T, B, H) hidden state at every step (``h[-1]`` is the final one).
    cache : dict with "x" (T, B, D), "h0" (B, H), the weights and biases, and "h", "r", "z",
        "n", "hn", each (T, B, H) (the same keys as :func:`gru_forward`'s cache).
    """
    x, h0, *weights = validate.sequence_args(GRU, x, h0, weight_ih, weight_hh, bias_ih, bias_hh)
    h, steps = h0, []
    for t in range(x.shape[0]):
        # the same weights at every step; the state carries what the sequence said so far
        h, step = gru_step_forward(x[t], h, *weights, check=False)
        steps.append(step)
    cache = {"x": x, "h0": h0, **dict(zip(PARAMS, weights, strict=True))}
    cache.update({k: np.stack([s[k] for s in steps]) for k in GRU.cache_arrays})
    return cache["h"], cache


def gru_backward_steps(
    dh: np.ndarray | None,
    cache: Cache,
    dh_n: np.ndarray | None = None,
    truncate: int | None = None,
    *,
    truncate_offset: int = 0,
) -> dict[str, np.ndarray | None]:
    """Backpropagate through time, one :func:`gru_step_backward` per step, last step first.

    Parameters
    ----------
    dh : (T, B, H) gradient of the loss with respect to each step's output h[t] (the direct
        part only), or ``None`` for zeros.
    cache : from :func:`gru_forward_steps` or :func:`gru_forward`.
    dh_n : (B, H) extra gradient on the final state h[-1], or ``None``.
    truncate : ``None`` for full BPTT, or k: the gradient flowing through the recurrent state
        is cut at the chunk boundaries t = k, 2k, ..., as torch does when the state is detached
        every k steps.
    truncate_offset : shifts the boundaries to steps t with (t + offset) % k == 0.

    Returns
    -------
    dict with "x" (T, B, D), "h0" (B, H), "weight_ih" (3H, D), "weight_hh" (3H, H),
    "bias_ih" and "bias_hh" (3H,) or ``None``.
    """
    dh, dh_next, truncate = validate.sequence_grads(
        GRU, cache, dh, dh_n, truncate=truncate, offset=truncate_offset
    )
    x, h = cache["x"], cache["h"]
    shared = {k: cache[k] for k in PARAMS}
    # every step uses the same weights, so their gradients add up: one running sum each
    sums = {k: None if w is None else np.zeros_like(w) for k, w in shared.items()}
    dx = np.empty_like(x)
    for t in reversed(range(len(x))):
        # step t's cache, read back out of the sequence cache (either path's)
        step = {k: cache[k][t] for k in ("x", *GRU.cache_arrays)}
        step.update(h_prev=cache["h0"] if t == 0 else h[t - 1], **shared)
        # h[t] feeds this step's loss (dh[t]) and step t+1 (dh_next, from the previous iteration)
        g = gru_step_backward(dh[t] + dh_next, step, check=False)
        dx[t] = g["x"]
        for k, total in sums.items():
            if total is not None:  # None: the cell has no bias
                total += g[k]
        dh_next = g["h_prev"]
        if detached_before(t, truncate, truncate_offset):
            dh_next = np.zeros_like(dh_next)  # truncated BPTT: the chunk's first state is fixed
    return {"x": dx, "h0": dh_next, **sums}
