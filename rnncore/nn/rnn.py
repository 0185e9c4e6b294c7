"""The vanilla (Elman) recurrent cell in numpy: step forward/backward pairs and sequence functions.

    h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),    act = tanh or relu

Sources: J. L. Elman, "Finding structure in time", Cognitive Science 14(2), 1990 (the simple
recurrent network); the equation, weight layout and names of ``torch.nn.RNN`` (PyTorch
documentation), which these functions reproduce exactly. Backpropagation through time (BPTT):
P. J. Werbos, "Backpropagation through time: what it does and how to do it", Proc. IEEE 78(10),
1990; truncated BPTT: R. J. Williams and J. Peng, Neural Computation 2(4), 1990.

Two sequence paths compute the same numbers (tested equal):
``rnn_forward_steps``/``rnn_backward_steps`` loop over the step functions and are the ones to
read; ``rnn_forward``/``rnn_backward`` (in :mod:`rnncore.nn._fast_rnn`) keep only the recurrent
product inside the time loop and are the ones to run.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn._bptt import backward_steps
from rnncore.nn._fast_rnn import rnn_backward, rnn_forward
from rnncore.nn.functional import dtanh_from_output
from rnncore.nn.validate import (
    check_grad,
    check_nonlinearity,
    check_sequence,
    check_state,
    check_step_input,
    check_weights,
)

__all__ = [
    "rnn_backward",
    "rnn_backward_steps",
    "rnn_forward",
    "rnn_forward_steps",
    "rnn_step_backward",
    "rnn_step_forward",
    "step_cache",
]

Cache = dict[str, Any]


def rnn_step_forward(
    x: np.ndarray,
    h_prev: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
    nonlinearity: str = "tanh",
) -> tuple[np.ndarray, Cache]:
    """Take the input at t and the hidden state at t-1 and return the hidden state at t.

    Parameters
    ----------
    x : (B, D) input at this step.
    h_prev : (B, H) hidden state from the previous step.
    weight_ih : (H, D) input-to-hidden weights.
    weight_hh : (H, H) hidden-to-hidden (recurrent) weights.
    bias_ih, bias_hh : (H,) biases, or both ``None`` for no bias.
    nonlinearity : ``"tanh"`` or ``"relu"``.

    Returns
    -------
    h_next : (B, H) hidden state at this step.
    cache : dict for :func:`rnn_step_backward` with keys "x" (B, D), "h_prev" (B, H),
        "h_next" (B, H), "weight_ih", "weight_hh", "has_bias", "nonlinearity".
    """
    weight_ih, weight_hh, bias_ih, bias_hh = check_weights(
        weight_ih, weight_hh, bias_ih, bias_hh, 1
    )
    H, D = weight_hh.shape[1], weight_ih.shape[1]
    x = check_step_input(x, D)
    h_prev = check_state(h_prev, "h_prev", x.shape[0], H)
    nonlinearity = check_nonlinearity(nonlinearity)
    # the pre-activation mixes what arrives now (x) with what the network remembers (h_prev)
    a = x @ weight_ih.T + h_prev @ weight_hh.T
    if bias_ih is not None:
        a = a + bias_ih + bias_hh
    # the nonlinearity squashes (tanh) or rectifies (relu) it into the new memory
    h_next = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0.0)
    cache = {
        "x": x,
        "h_prev": h_prev,
        "h_next": h_next,
        "weight_ih": weight_ih,
        "weight_hh": weight_hh,
        "has_bias": bias_ih is not None,
        "nonlinearity": nonlinearity,
    }
    return h_next, cache


def rnn_step_backward(dh_next: np.ndarray, cache: Cache) -> dict[str, np.ndarray | None]:
    """Backpropagate the gradient on h_next through one step.

    Parameters
    ----------
    dh_next : (B, H) gradient of the loss with respect to h_next (all of it: from this step's
        output and from later steps).
    cache : from :func:`rnn_step_forward`.

    Returns
    -------
    dict with "x" (B, D), "h_prev" (B, H), "weight_ih" (H, D), "weight_hh" (H, H),
    "bias_ih" (H,) and "bias_hh" (H,) (``None`` when the cell has no bias).
    """
    h_next = cache["h_next"]
    dh_next = check_grad(dh_next, "dh_next", h_next.shape, "(B, H)", h_next.dtype)
    # derivative of the nonlinearity from its cached output: 1 - h^2 for tanh, [h > 0] for relu
    if cache["nonlinearity"] == "tanh":
        da = dh_next * dtanh_from_output(h_next)
    else:
        da = dh_next * (h_next > 0)
    db = da.sum(axis=0) if cache["has_bias"] else None
    return {
        "x": da @ cache["weight_ih"],
        "h_prev": da @ cache["weight_hh"],
        "weight_ih": da.T @ cache["x"],
        "weight_hh": da.T @ cache["h_prev"],
        "bias_ih": db,
        "bias_hh": None if db is None else db.copy(),
    }


def rnn_forward_steps(
    x: np.ndarray,
    h0: np.ndarray | None,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
    nonlinearity: str = "tanh",
) -> tuple[np.ndarray, Cache]:
    """Run the cell over a whole sequence, one :func:`rnn_step_forward` per time step.

    Parameters
    ----------
    x : (T, B, D) inputs.
    h0 : (B, H) initial hidden state, or ``None`` for zeros.
    weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity : as in :func:`rnn_step_forward`.

    Returns
    -------
    h : (T, B, H) hidden state at every step (``h[-1]`` is the final state).
    cache : dict with "x" (T, B, D), "h0" (B, H), "h" (T, B, H), the weights and biases, and
        "nonlinearity"; :func:`step_cache` slices it into the step caches.
    """
    weight_ih, weight_hh, bias_ih, bias_hh = check_weights(
        weight_ih, weight_hh, bias_ih, bias_hh, 1
    )
    x = check_sequence(x, weight_ih.shape[1])
    h_prev = check_state(h0, "h0", x.shape[1], weight_hh.shape[1], x.dtype)
    cache = {"x": x, "h0": h_prev, "weight_ih": weight_ih, "weight_hh": weight_hh}
    cache.update(bias_ih=bias_ih, bias_hh=bias_hh, nonlinearity=nonlinearity)
    hs = []
    for t in range(x.shape[0]):
        h_prev, _ = rnn_step_forward(
            x[t], h_prev, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity
        )
        hs.append(h_prev)
    cache["h"] = np.stack(hs)
    return cache["h"], cache


def step_cache(cache: Cache, t: int) -> Cache:
    """The step cache of time step t, sliced out of a sequence cache (either path's)."""
    return {
        "x": cache["x"][t],
        "h_prev": cache["h0"] if t == 0 else cache["h"][t - 1],
        "h_next": cache["h"][t],
        "weight_ih": cache["weight_ih"],
        "weight_hh": cache["weight_hh"],
        "has_bias": cache["bias_ih"] is not None,
        "nonlinearity": cache["nonlinearity"],
    }


def rnn_backward_steps(
    dh: np.ndarray | None,
    cache: Cache,
    dh_n: np.ndarray | None = None,
    truncate: int | None = None,
    *,
    truncate_offset: int = 0,
) -> dict[str, np.ndarray | None]:
    """Backpropagate through time, one :func:`rnn_step_backward` per step, last step first.

    Parameters
    ----------
    dh : (T, B, H) gradient of the loss with respect to each step's output h[t] (only the direct
        part, as from a loss on the outputs), or ``None`` for zeros.
    cache : from :func:`rnn_forward_steps` or :func:`rnn_forward`.
    dh_n : (B, H) extra gradient on the final state h[-1], or ``None``.
    truncate : ``None`` for full BPTT, or k for truncated BPTT: the gradient flowing through the
        recurrent state is cut at the chunk boundaries t = k, 2k, ... (the state entering step t
        is treated as a constant, as torch does after ``h = h.detach()`` every k steps).
    truncate_offset : shifts the boundaries to steps t with (t + offset) % k == 0.

    Returns
    -------
    dict with "x" (T, B, D), "h0" (B, H), "weight_ih" (H, D), "weight_hh" (H, H),
    "bias_ih" and "bias_hh" (H,) or ``None``.
    """
    return backward_steps(rnn_step_backward, step_cache, dh, cache, dh_n, truncate, truncate_offset)
