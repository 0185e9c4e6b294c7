"""Parametrised numpy cells that reproduce the reference and the classic mistakes.

With default arguments each function equals rnncore's reference step (tested); every argument
switches one known mistake on (a wrong gate order, a missing bias, the sigmoid where tanh belongs,
...). The checkers compare a reader's output with these variants to name the mistake.

Shapes: B batch, D input features, H hidden units; weights in PyTorch's layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn.cells import GRU, LSTM, Cell
from rnncore.nn.functional import sigmoid

__all__ = ["gru_variant", "lstm_variant", "rnn_backward_variant", "rnn_variant"]

Case = dict[str, Any]
_FUNCTIONS = {"sigmoid": sigmoid, "tanh": np.tanh}


def _activations(cell: Cell, gate_act: dict[str, Any] | None) -> dict[str, Any]:
    """Each gate's activation function as the cell description gives it, then the overrides."""
    acts = {g: _FUNCTIONS[a] for g, a in zip(cell.gates, cell.activations, strict=True)}
    return {**acts, **(gate_act or {})}


def _pre(case: Case, bias: str, transpose_ih: bool = False, transpose_hh: bool = False) -> tuple:
    """Input and recurrent pre-activations, with the chosen biases (both/none/ih/hh)."""
    w_ih = case["weight_ih"] if not transpose_ih else case["weight_ih"].T
    w_hh = case["weight_hh"] if not transpose_hh else case["weight_hh"].T
    a_x = case["x"] @ w_ih.T
    a_h = case["h_prev"] @ w_hh.T
    if bias in ("both", "ih"):
        a_x = a_x + case["bias_ih"]
    if bias in ("both", "hh"):
        a_h = a_h + case["bias_hh"]
    return a_x, a_h


def rnn_variant(
    case: Case,
    act: Any = np.tanh,
    bias: str = "both",
    transpose_ih: bool = False,
    transpose_hh: bool = False,
    use_x: bool = True,
    use_h: bool = True,
) -> np.ndarray:
    """h_next of a vanilla RNN step, (B, H), with optional mistakes."""
    a_x, a_h = _pre(case, bias, transpose_ih, transpose_hh)
    if not use_x:
        a_x = a_x - case["x"] @ case["weight_ih"].T
    if not use_h:
        a_h = a_h - case["h_prev"] @ case["weight_hh"].T
    return act(a_x + a_h)


def rnn_backward_variant(case: Case, dact: str = "1-h^2") -> dict[str, np.ndarray]:
    """Gradients of one RNN step given dh_next, with a chosen (possibly wrong) tanh derivative."""
    h, dh = case["h_next"], case["dh_next"]
    slope = {
        "1-h^2": 1.0 - h * h,
        "none": np.ones_like(h),
        "1-h": 1.0 - h,
        "h(1-h)": h * (1.0 - h),
        "1-h_prev^2": 1.0 - case["h_prev"] ** 2,
    }[dact]
    da = dh * slope
    db = da.sum(axis=0)
    return {
        "x": da @ case["weight_ih"],
        "h_prev": da @ case["weight_hh"],
        "weight_ih": da.T @ case["x"],
        "weight_hh": da.T @ case["h_prev"],
        "bias_ih": db,
        "bias_hh": db.copy(),
    }


def lstm_variant(
    case: Case,
    order: str = "".join(LSTM.gates),
    gate_act: dict[str, Any] | None = None,
    squash_cell: bool = True,
    h_from_prev_cell: bool = False,
    bias: str = "both",
) -> tuple[np.ndarray, np.ndarray]:
    """(h_next, c_next) of an LSTM step, each (B, H); ``order`` is how the blocks are read."""
    a_x, a_h = _pre(case, bias)
    blocks = np.split(a_x + a_h, 4, axis=1)
    acts = _activations(LSTM, gate_act)
    gate = {name: acts[name](blocks[order.index(name)]) for name in LSTM.gates}
    c_next = gate["f"] * case["c_prev"] + gate["i"] * gate["g"]
    cell = case["c_prev"] if h_from_prev_cell else c_next
    h_next = gate["o"] * (np.tanh(cell) if squash_cell else cell)
    return h_next, c_next


def gru_variant(
    case: Case,
    order: str = "".join(GRU.gates),
    z_keeps_old: bool = True,
    reset: str = "after",
    gate_act: dict[str, Any] | None = None,
    bias: str = "both",
) -> np.ndarray:
    """h_next of a GRU step, (B, H). reset: "after" (PyTorch), "before" (Cho et al. 2014),
    or "bias-outside" (b_hn added outside the reset product)."""
    H = case["h_prev"].shape[1]
    w_ih, w_hh = case["weight_ih"], case["weight_hh"]
    b_ih = case["bias_ih"] if bias in ("both", "ih") else np.zeros(3 * H)
    b_hh = case["bias_hh"] if bias in ("both", "hh") else np.zeros(3 * H)

    def block(arr: np.ndarray, name: str) -> np.ndarray:
        k = order.index(name)
        return arr[k * H : (k + 1) * H]

    x, h = case["x"], case["h_prev"]
    acts = _activations(GRU, gate_act)

    def pre(name: str) -> np.ndarray:
        return x @ block(w_ih, name).T + block(b_ih, name) + h @ block(w_hh, name).T

    r = acts["r"](pre("r") + block(b_hh, "r"))
    z = acts["z"](pre("z") + block(b_hh, "z"))
    x_n = x @ block(w_ih, "n").T + block(b_ih, "n")
    if reset == "after":
        h_n = r * (h @ block(w_hh, "n").T + block(b_hh, "n"))
    elif reset == "before":
        h_n = (r * h) @ block(w_hh, "n").T + block(b_hh, "n")
    else:
        h_n = r * (h @ block(w_hh, "n").T) + block(b_hh, "n")
    n = acts["n"](x_n + h_n)
    return (1.0 - z) * n + z * h if z_keeps_old else z * n + (1.0 - z) * h
