"""Backward passes written the way a reader might write them, with the classic mistakes as options.

Each function takes exactly the arguments of the reader's function in the matching exercise, so a
checker can run it beside the reader's code and a test can hand it to the checker as a reader
would. With default options each equals rnncore's reference (tested against
:func:`rnncore.nn.rnn.rnn_backward_steps`, :func:`rnncore.nn.lstm.lstm_step_backward` and
:func:`rnncore.nn.gru.gru_step_backward`); every option switches one known mistake on. The
checkers compare a reader's gradients with these variants to name the mistake.

Shapes: T time steps, B batch, D input features, H hidden units; weights in PyTorch's layout,
gate blocks stacked in the order i, f, g, o (LSTM) and r, z, n (GRU).
"""

from __future__ import annotations

import numpy as np

from rnncore.nn.cells import GRU, LSTM
from rnncore.nn.functional import sigmoid

__all__ = ["gru_backward_variant", "lstm_backward_variant", "rnn_bptt_variant"]

Grads = dict[str, np.ndarray]

# the derivative of each activation from its output: the right ones and the classic swaps
_SLOPE = {
    "tanh": lambda y: 1.0 - y * y,
    "sigmoid": lambda y: y * (1.0 - y),
    "none": np.ones_like,
}


def _stack(blocks: dict[str, np.ndarray], order: str) -> np.ndarray:
    """Concatenate per-gate (B, H) arrays along axis 1 in the given gate order."""
    return np.concatenate([blocks[name] for name in order], axis=1)


def _split(a: np.ndarray, order: str) -> dict[str, np.ndarray]:
    """Read the column blocks of a (B, G*H) array as the gates named by ``order``."""
    return dict(zip(order, np.split(a, len(order), axis=1), strict=True))


def _both_biases(grads: Grads, bias: np.ndarray) -> Grads:
    """The vanilla and LSTM cells add b_ih and b_hh into one sum: both get the same gradient."""
    return {**grads, "bias_ih": bias, "bias_hh": bias.copy()}


def rnn_bptt_variant(
    *arrays: np.ndarray,
    carry: str = "before-slope",
    slope: str = "1-h^2",
    state_for_weight_hh: str = "h_prev",
    loop: str = "backward",
    accumulate: bool = True,
    first_state: str = "h0",
    dh0: str = "da @ weight_hh",
    upstream: str = "every step",
    time_mean: bool = False,
    batch_mean: bool = False,
) -> Grads:
    """Backpropagation through a whole tanh-RNN sequence, with optional mistakes.

    ``arrays`` are the reader's arguments: dh_all (T, B, H), the gradient arriving directly at
    every hidden state, x (T, B, D), h0 (B, H), h_all (T, B, H), weight_ih (H, D) and weight_hh
    (H, H). Returns the gradients for x, h0, the weights and the two (identical) biases (H,).

    Options: ``carry`` where the gradient from step t+1 enters ("before-slope", right;
    "after-slope", "none", "without-weight", "transposed-weight"); ``slope`` tanh's derivative
    ("1-h^2", right; "none", "1-h", "h(1-h)", "1-h_prev^2"); ``state_for_weight_hh`` ("h_prev",
    right; "h"); ``loop`` ("backward", right; "forward"); ``accumulate`` (False keeps only the
    last step the loop visits); ``first_state`` (the state before step 0: "h0", right; "zeros");
    ``dh0`` ("da @ weight_hh", right; "da", "delta", "zeros"); ``upstream`` ("every step", right;
    "last step");
    ``time_mean`` and ``batch_mean`` (average instead of sum).
    """
    dh_all, x, h0, h_all, weight_ih, weight_hh = arrays
    T = len(x)
    h_start = h0 if first_state == "h0" else np.zeros_like(h0)
    h_prev = np.concatenate([h_start[None], h_all[:-1]])  # h_{t-1} for every t
    derivative = {
        "1-h^2": 1.0 - h_all**2,
        "none": np.ones_like(h_all),
        "1-h": 1.0 - h_all,
        "h(1-h)": h_all * (1.0 - h_all),
        "1-h_prev^2": 1.0 - h_prev**2,
    }[slope]
    direct = dh_all.copy()
    if upstream == "last step":
        direct[:-1] = 0.0
    w_carry = {
        "without-weight": np.eye(weight_hh.shape[0]),
        "transposed-weight": weight_hh.T,
    }.get(carry, weight_hh)
    da, delta = np.zeros_like(h_all), np.zeros_like(h_all)
    carried = np.zeros_like(h0)
    visited = list(reversed(range(T)) if loop == "backward" else range(T))
    for t in visited:
        from_later = 0.0 if carry == "none" else carried
        if carry == "after-slope":
            da[t] = direct[t] * derivative[t] + from_later
        else:
            delta[t] = direct[t] + from_later
            da[t] = delta[t] * derivative[t]
        carried = da[t] @ w_carry
    used = slice(None) if accumulate else slice(visited[-1], visited[-1] + 1)
    state = h_prev if state_for_weight_hh == "h_prev" else h_all
    scale = 1.0 / T if time_mean else 1.0
    reduce = np.mean if batch_mean else np.sum
    bias = scale * reduce(da[used], axis=1).sum(axis=0)
    grads = {
        "x": da @ weight_ih,
        "h0": {
            "da @ weight_hh": carried,
            "da": da[0],
            "delta": delta[0],
            "zeros": np.zeros_like(h0),
        }[dh0],
        "weight_ih": scale * np.einsum("tbh,tbd->hd", da[used], x[used]),
        "weight_hh": scale * np.einsum("tbh,tbk->hk", da[used], state[used]),
    }
    return _both_biases(grads, bias)


def lstm_backward_variant(
    *arrays: np.ndarray,
    order: str = "".join(LSTM.gates),
    cell_from_next: bool = True,
    cell_from_h: bool = True,
    cell_slope: str = "1-tanh(c)^2",
    output_gate_uses: str = "tanh(c)",
    dc_prev: str = "dc * f",
    swap_partners: bool = False,
    gate_slope: dict[str, str] | None = None,
    batch_mean: bool = False,
) -> Grads:
    """One LSTM step backward, recomputing the forward from its inputs, with optional mistakes.

    ``arrays`` are the reader's arguments: dh_next and dc_next (B, H), the gradients on h_next and
    c_next, x (B, D), h_prev and c_prev (B, H), weight_ih (4H, D), weight_hh (4H, H) and the
    biases (4H,). Returns the gradients for x, h_prev, c_prev, the weights and the biases.

    Options: ``order`` the gate order used to read and write the stacked blocks ("ifgo", right);
    ``cell_from_next`` and ``cell_from_h`` the two sources of the cell gradient; ``cell_slope``
    the derivative through h = o tanh(c) ("1-tanh(c)^2", right; "none", "1-c^2");
    ``output_gate_uses`` ("tanh(c)", right; "c"); ``dc_prev`` ("dc * f", right; "dc_next * f",
    "dc"); ``swap_partners`` (di = dc c_prev and df = dc g); ``gate_slope`` a gate's derivative by
    name, e.g. {"g": "sigmoid"}; ``batch_mean`` (average the bias gradients over the batch).
    """
    dh_next, dc_next, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh = arrays
    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
    pre = _split(a, order)
    act = {name: (np.tanh if name == "g" else sigmoid)(pre[name]) for name in LSTM.gates}
    i, f, g, o = (act[name] for name in LSTM.gates)
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    through_h = {
        "1-tanh(c)^2": 1.0 - tanh_c**2,
        "none": np.ones_like(c),
        "1-c^2": 1.0 - c**2,
    }[cell_slope]
    dc = (dc_next if cell_from_next else 0.0) + (dh_next * o * through_h if cell_from_h else 0.0)
    gate_grads = {
        "i": dc * (c_prev if swap_partners else g),
        "f": dc * (g if swap_partners else c_prev),
        "g": dc * i,
        "o": dh_next * (tanh_c if output_gate_uses == "tanh(c)" else c),
    }
    slopes = {"i": "sigmoid", "f": "sigmoid", "g": "tanh", "o": "sigmoid", **(gate_slope or {})}
    da = _stack({k: gate_grads[k] * _SLOPE[slopes[k]](act[k]) for k in LSTM.gates}, order)
    bias = (np.mean if batch_mean else np.sum)(da, axis=0)
    grads = {
        "x": da @ weight_ih,
        "h_prev": da @ weight_hh,
        "c_prev": {"dc * f": dc * f, "dc_next * f": dc_next * f, "dc": dc}[dc_prev],
        "weight_ih": da.T @ x,
        "weight_hh": da.T @ h_prev,
    }
    return _both_biases(grads, bias)


def gru_backward_variant(
    *arrays: np.ndarray,
    order: str = "".join(GRU.gates),
    z_keeps_old: bool = True,
    direct_path: bool = True,
    dz_sign: int = 1,
    reset_on_recurrent_side: bool = True,
    reset_grad_bias: bool = True,
    reset: str = "after",
    same_bias_grads: bool = False,
    gate_slope: dict[str, str] | None = None,
    batch_mean: bool = False,
) -> Grads:
    """One GRU step backward (PyTorch's convention), recomputing the forward, with mistakes.

    ``arrays`` are the reader's arguments: dh_next (B, H), the gradient on h_next, x (B, D),
    h_prev (B, H), weight_ih (3H, D), weight_hh (3H, H) and the biases (3H,). Returns the
    gradients for x, h_prev, the weights and the biases.

    Options: ``order`` the gate order used for the stacked blocks ("rzn", right); ``z_keeps_old``
    (False: h' = z n + (1 - z) h, the other convention, used consistently); ``direct_path`` the
    term dh_next * z of dh_prev; ``dz_sign`` (-1: dz = dh (n - h_prev)); ``reset_on_recurrent_side``
    (False: the recurrent candidate block gets da_n instead of r * da_n); ``reset_grad_bias``
    (False: the reset gate's gradient uses h_prev W_hn^T without b_hn); ``reset`` ("after", right;
    "before": Cho et al.'s (r * h_prev) W_hn^T, used consistently); ``same_bias_grads`` (bias_hh
    given bias_ih's gradient); ``gate_slope`` a gate's derivative by name; ``batch_mean``.
    """
    dh_next, x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh = arrays
    w_ih, w_hh = _split(weight_ih.T, order), _split(weight_hh.T, order)  # blocks, transposed
    b_ih, b_hh = _split(bias_ih[None], order), _split(bias_hh[None], order)
    pre = {k: x @ w_ih[k] + b_ih[k][0] + h_prev @ w_hh[k] + b_hh[k][0] for k in ("r", "z")}
    r, z = sigmoid(pre["r"]), sigmoid(pre["z"])
    x_n = x @ w_ih["n"] + b_ih["n"][0]
    if reset == "after":
        q = h_prev @ w_hh["n"] + b_hh["n"][0]  # the recurrent part that the reset gate scales
        n = np.tanh(x_n + r * q)
    else:  # Cho et al.: reset the state first, then multiply
        n = np.tanh(x_n + (r * h_prev) @ w_hh["n"] + b_hh["n"][0])
    keep, write = (z, 1.0 - z) if z_keeps_old else (1.0 - z, z)
    dn = dh_next * write
    dz = dz_sign * dh_next * (h_prev - n) * (1.0 if z_keeps_old else -1.0)
    slopes = {"r": "sigmoid", "z": "sigmoid", "n": "tanh", **(gate_slope or {})}
    da_n = dn * _SLOPE[slopes["n"]](n)
    da_z = dz * _SLOPE[slopes["z"]](z)
    if reset == "after":
        seen_by_r = q if reset_grad_bias else h_prev @ w_hh["n"]
        da_r = da_n * seen_by_r * _SLOPE[slopes["r"]](r)
        da_hn = da_n * r if reset_on_recurrent_side else da_n  # gradient on h_prev W_hn^T + b_hn
        dh_from_n = da_hn @ w_hh["n"].T
        dw_hn = da_hn.T @ h_prev
    else:
        d_reset_state = da_n @ w_hh["n"].T  # gradient on r * h_prev
        da_r = d_reset_state * h_prev * _SLOPE[slopes["r"]](r)
        da_hn = da_n
        dh_from_n = d_reset_state * r
        dw_hn = da_n.T @ (r * h_prev)
    reduce = np.mean if batch_mean else np.sum
    da_x = _stack({"r": da_r, "z": da_z, "n": da_n}, order)
    grads = {
        "x": da_x @ weight_ih,
        "h_prev": (dh_next * keep if direct_path else 0.0)
        + da_r @ w_hh["r"].T
        + da_z @ w_hh["z"].T
        + dh_from_n,
        "weight_ih": da_x.T @ x,
        "weight_hh": np.concatenate(
            [{"r": da_r.T @ h_prev, "z": da_z.T @ h_prev, "n": dw_hn}[k] for k in order]
        ),
        "bias_ih": reduce(da_x, axis=0),
        "bias_hh": reduce(_stack({"r": da_r, "z": da_z, "n": da_hn}, order), axis=0),
    }
    if same_bias_grads:
        grads["bias_hh"] = grads["bias_ih"].copy()
    return grads
