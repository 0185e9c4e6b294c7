"""The vanilla (Elman) recurrent cell in numpy: the step forward/backward pair and the loop in time.

    h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),    act = tanh or relu

Sources: J. L. Elman, "Finding structure in time", Cognitive Science 14(2), 1990 (the simple
recurrent network); the equation, weight layout and names of ``torch.nn.RNN`` (PyTorch
documentation), which these functions reproduce exactly. Backpropagation through time (BPTT):
P. J. Werbos, "Backpropagation through time: what it does and how to do it", Proc. IEEE 78(10),
1990; truncated BPTT: R. J. Williams and J. Peng, Neural Computation 2(4), 1990. The layout of
forward/backward pairs with a cache follows Stanford CS231n's ``rnn_layers.py``.

Two sequence paths compute the same numbers (tested equal): ``rnn_forward_steps`` and
``rnn_backward_steps`` call the step functions once per time step and are the ones to read;
``rnn_forward``/``rnn_backward`` (in :mod:`rnncore.nn._fast_rnn`) keep only the recurrent
product inside the time loop and are the ones to run. Arguments are checked once on entry
(:mod:`rnncore.nn.validate`) and promoted to one dtype, numpy's result type of x, the state and
the weights; the loops then call the step functions with ``check=False``.

Shapes: T time steps, B batch, D input features, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn import validate
from rnncore.nn._fast_rnn import rnn_backward, rnn_forward
from rnncore.nn.cells import RNN
from rnncore.nn.functional import detached_before, dtanh_from_output

__all__ = [
    "rnn_backward",
    "rnn_backward_steps",
    "rnn_forward",
    "rnn_forward_steps",
    "rnn_step_backward",
    "rnn_step_forward",
]

Cache = dict[str, Any]
PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def rnn_step_forward(
    x: np.ndarray,
    h_prev: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
    nonlinearity: str = "tanh",
    *,
    check: bool = True,
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
    check : check the arguments and promote them to one dtype; the sequence functions, which
        have checked the whole sequence already, pass ``False``.

    Returns
    -------
    h_next : (B, H) hidden state at this step.
    cache : dict for :func:`rnn_step_backward`: "x" (B, D), "h_prev" (B, H), "h" (B, H) (that
        is h_next), the weights and biases, and "nonlinearity".
    """
    if check:
        x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh = validate.step_args(
            RNN, x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity=nonlinearity
        )
    # the pre-activation mixes what arrives now (x) with what the network remembers (h_prev)
    a = x @ weight_ih.T + h_prev @ weight_hh.T
    if bias_ih is not None:
        a = a + bias_ih + bias_hh
    # the nonlinearity squashes (tanh) or rectifies (relu) it into the new memory
    h_next = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0.0)
    cache = {"x": x, "h_prev": h_prev, "h": h_next, "weight_ih": weight_ih, "weight_hh": weight_hh}
    cache.update(bias_ih=bias_ih, bias_hh=bias_hh, nonlinearity=nonlinearity)
    return h_next, cache


def rnn_step_backward(
    dh_next: np.ndarray, cache: Cache, *, check: bool = True
) -> dict[str, np.ndarray | None]:
    """Backpropagate the gradient on h_next through one step.

    Parameters
    ----------
    dh_next : (B, H) gradient of the loss with respect to h_next (all of it: from this step's
        output and from later steps).
    cache : from :func:`rnn_step_forward`.
    check : check dh_next against the cache (``False`` inside :func:`rnn_backward_steps`).

    Returns
    -------
    dict with "x" (B, D), "h_prev" (B, H), "weight_ih" (H, D), "weight_hh" (H, H),
    "bias_ih" (H,) and "bias_hh" (H,) (``None`` when the cell has no bias).
    """
    if check:
        (dh_next,) = validate.step_grads(RNN, cache, dh_next)
    # back through the nonlinearity, from its cached output: tanh' = 1 - h^2, relu' = [h > 0]
    if cache["nonlinearity"] == "tanh":
        da = dh_next * dtanh_from_output(cache["h"])
    else:
        da = dh_next * (cache["h"] > 0)
    # a = x W_ih^T + h_prev W_hh^T + b: each factor of a product gets da times the other
    db = None if cache["bias_ih"] is None else da.sum(axis=0)
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
        "nonlinearity" (the same keys as :func:`rnn_forward`'s cache).
    """
    x, h0, *weights = validate.sequence_args(
        RNN, x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity=nonlinearity
    )
    h, steps = h0, []
    for t in range(x.shape[0]):
        # the same weights at every step; the state carries what the sequence said so far
        h, step = rnn_step_forward(x[t], h, *weights, nonlinearity, check=False)
        steps.append(step)
    cache = {"x": x, "h0": h0, **dict(zip(PARAMS, weights, strict=True))}
    cache["nonlinearity"] = nonlinearity
    cache.update({k: np.stack([s[k] for s in steps]) for k in RNN.cache_arrays})
    return cache["h"], cache


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
    dh, dh_next, truncate = validate.sequence_grads(
        RNN, cache, dh, dh_n, truncate=truncate, offset=truncate_offset
    )
    x, h = cache["x"], cache["h"]
    shared = {k: cache[k] for k in (*PARAMS, "nonlinearity")}
    # every step uses the same weights, so their gradients add up over time
    dw_ih, dw_hh = np.zeros_like(cache["weight_ih"]), np.zeros_like(cache["weight_hh"])
    db = None if cache["bias_ih"] is None else np.zeros_like(cache["bias_ih"])
    dx = np.empty_like(x)
    for t in reversed(range(len(x))):
        # step t's cache, read back out of the sequence cache (either path's)
        step = {k: cache[k][t] for k in ("x", *RNN.cache_arrays)}
        step.update(h_prev=cache["h0"] if t == 0 else h[t - 1], **shared)
        # h[t] feeds this step's loss (dh[t]) and step t+1 (dh_next, from the previous iteration)
        g = rnn_step_backward(dh[t] + dh_next, step, check=False)
        dx[t] = g["x"]
        dw_ih += g["weight_ih"]
        dw_hh += g["weight_hh"]
        if db is not None:
            db += g["bias_ih"]
        dh_next = g["h_prev"]
        if detached_before(t, truncate, truncate_offset):
            dh_next = np.zeros_like(dh_next)  # truncated BPTT: the chunk's first state is fixed
    db_hh = None if db is None else db.copy()  # b_ih and b_hh enter the same sum: same gradient
    return dict(x=dx, h0=dh_next, weight_ih=dw_ih, weight_hh=dw_hh, bias_ih=db, bias_hh=db_hh)
