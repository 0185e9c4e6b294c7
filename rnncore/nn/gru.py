"""The GRU cell in numpy: step forward/backward pairs and sequence functions.

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

``gru_forward_steps``/``gru_backward_steps`` loop over the step functions and are the ones to
read; ``gru_forward``/``gru_backward`` (in :mod:`rnncore.nn._fast_gru`) compute the same numbers
(tested equal) and are the ones to run. Both forward caches expose the per-step activations
"r", "z", "n", "hn" and "h", each (T, B, H), for gate heatmaps.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn._bptt import backward_steps
from rnncore.nn._fast_gru import gru_backward, gru_forward
from rnncore.nn.functional import dsigmoid_from_output, dtanh_from_output, sigmoid
from rnncore.nn.validate import (
    check_grad,
    check_sequence,
    check_state,
    check_step_input,
    check_weights,
)

__all__ = [
    "gru_backward",
    "gru_backward_steps",
    "gru_forward",
    "gru_forward_steps",
    "gru_step_backward",
    "gru_step_forward",
    "step_cache",
]

Cache = dict[str, Any]
ACTIVATIONS = ("r", "z", "n", "hn")


def gru_step_forward(
    x: np.ndarray,
    h_prev: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, Cache]:
    """Take the input at t and the hidden state at t-1 and return the hidden state at t.

    Parameters
    ----------
    x : (B, D) input at this step.
    h_prev : (B, H) hidden state from the previous step.
    weight_ih : (3H, D) input weights of the gates stacked in the order r, z, n.
    weight_hh : (3H, H) recurrent weights, same order.
    bias_ih, bias_hh : (3H,) biases, or both ``None`` for no bias.

    Returns
    -------
    h_next : (B, H) hidden state at this step.
    cache : dict for :func:`gru_step_backward` with keys "x" (B, D), "h_prev", "r", "z", "n",
        "hn" (each (B, H)), "weight_ih", "weight_hh", "has_bias".
    """
    weight_ih, weight_hh, bias_ih, bias_hh = check_weights(
        weight_ih, weight_hh, bias_ih, bias_hh, 3
    )
    H, D = weight_hh.shape[1], weight_ih.shape[1]
    x = check_step_input(x, D)
    h_prev = check_state(h_prev, "h_prev", x.shape[0], H)
    a_x = x @ weight_ih.T
    a_h = h_prev @ weight_hh.T
    if bias_ih is not None:
        a_x = a_x + bias_ih
        a_h = a_h + bias_hh
    # the reset gate decides how much of the old state the candidate may look at
    r = sigmoid(a_x[:, :H] + a_h[:, :H])
    # the update gate decides how much of the old state is kept unchanged
    z = sigmoid(a_x[:, H : 2 * H] + a_h[:, H : 2 * H])
    # the old state's proposal for the candidate, before the reset gate scales it
    hn = a_h[:, 2 * H :]
    # the candidate is new content built from the input and the reset-filtered old state
    n = np.tanh(a_x[:, 2 * H :] + r * hn)
    # the new state blends old state and candidate, weighted by the update gate
    h_next = (1.0 - z) * n + z * h_prev
    cache = {"x": x, "h_prev": h_prev, "r": r, "z": z, "n": n, "hn": hn}
    cache.update(weight_ih=weight_ih, weight_hh=weight_hh, has_bias=bias_ih is not None)
    return h_next, cache


def gru_step_backward(dh_next: np.ndarray, cache: Cache) -> dict[str, np.ndarray | None]:
    """Backpropagate the gradient on h_next through one step.

    Parameters
    ----------
    dh_next : (B, H) gradient of the loss with respect to h_next (all of it).
    cache : from :func:`gru_step_forward`.

    Returns
    -------
    dict with "x" (B, D), "h_prev" (B, H), "weight_ih" (3H, D), "weight_hh" (3H, H),
    "bias_ih" and "bias_hh" (3H,) (``None`` when the cell has no bias).
    """
    r, z, n, hn, h_prev = (cache[k] for k in ("r", "z", "n", "hn", "h_prev"))
    dh_next = check_grad(dh_next, "dh_next", r.shape, "(B, H)", r.dtype)
    # h' = (1 - z) * n + z * h_prev
    dn = dh_next * (1.0 - z)
    dz = dh_next * (h_prev - n)
    # n = tanh(a_n), a_n = x W_in^T + b_in + r * hn; derivatives from the cached outputs
    da_n = dn * dtanh_from_output(n)
    da_r = da_n * hn * dsigmoid_from_output(r)
    da_z = dz * dsigmoid_from_output(z)
    # the input side sees da_n directly; the recurrent side sees it through the reset gate
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)
    da_h = np.concatenate([da_r, da_z, da_n * r], axis=1)
    has_bias = cache["has_bias"]
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
    cache : dict with "x" (T, B, D), "h0" (B, H), and "h", "r", "z", "n", "hn", each
        (T, B, H), plus the weights and biases; :func:`step_cache` slices it.
    """
    weight_ih, weight_hh, bias_ih, bias_hh = check_weights(
        weight_ih, weight_hh, bias_ih, bias_hh, 3
    )
    x = check_sequence(x, weight_ih.shape[1])
    h_prev = check_state(h0, "h0", x.shape[1], weight_hh.shape[1], x.dtype)
    cache = {"x": x, "h0": h_prev, "weight_ih": weight_ih, "weight_hh": weight_hh}
    cache.update(bias_ih=bias_ih, bias_hh=bias_hh)
    hs, steps = [], []
    for t in range(x.shape[0]):
        h_prev, step = gru_step_forward(x[t], h_prev, weight_ih, weight_hh, bias_ih, bias_hh)
        hs.append(h_prev)
        steps.append(step)
    for key in ACTIVATIONS:
        cache[key] = np.stack([s[key] for s in steps])
    cache["h"] = np.stack(hs)
    return cache["h"], cache


def step_cache(cache: Cache, t: int) -> Cache:
    """The step cache of time step t, sliced out of a sequence cache (either path's)."""
    step = {k: cache[k][t] for k in ACTIVATIONS}
    step.update(
        x=cache["x"][t],
        h_prev=cache["h0"] if t == 0 else cache["h"][t - 1],
        weight_ih=cache["weight_ih"],
        weight_hh=cache["weight_hh"],
        has_bias=cache["bias_ih"] is not None,
    )
    return step


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
    return backward_steps(gru_step_backward, step_cache, dh, cache, dh_n, truncate, truncate_offset)
