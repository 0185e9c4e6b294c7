"""Checkers for the reader's LSTM and GRU step backward passes (chapter sec:lstm-gru).

The reader's function gets the step's inputs, not a cache, so it recomputes the forward step
first (the gates are needed for the derivatives) and then backpropagates:

- ``lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih,
  bias_hh) -> dict`` with keys "x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih",
  "bias_hh";
- ``gru_step_backward(dh_next, x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> dict`` with
  keys "x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh".

x: (B, D), h_prev, c_prev, dh_next, dc_next: (B, H), weight_ih: (G*H, D), weight_hh: (G*H, H),
biases: (G*H,), with G = 4 blocks in the order i, f, g, o (LSTM) and 3 in the order r, z, n (GRU),
PyTorch's equations and layout. The references are :func:`rnncore.nn.lstm.lstm_step_backward`
(S. Hochreiter and J. Schmidhuber, Neural Computation 9(8), 1997, with the forget gate of Gers,
Schmidhuber and Cummins 2000) and :func:`rnncore.nn.gru.gru_step_backward` (K. Cho et al., EMNLP
2014, with torch.nn.GRU's placement of the reset gate).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import permutations
from typing import Any

import numpy as np

from rnncore.nn.cells import GRU, LSTM
from rnncore.nn.gru import gru_step_backward, gru_step_forward
from rnncore.nn.lstm import lstm_step_backward, lstm_step_forward
from rnncore.study.exercises._common import CheckResult, _Stop, call, compare, finish, rand
from rnncore.study.exercises._grads import (
    catalogue,
    gate_rows_report,
    read_grads,
    shape_letters,
    value_message,
)
from rnncore.study.exercises._variants_backward import gru_backward_variant, lstm_backward_variant
from rnncore.study.exercises.cells import SIZES, make_case

__all__ = [
    "GRU_BACKWARD_MISTAKES",
    "LSTM_BACKWARD_MISTAKES",
    "check_gru_step_backward",
    "check_lstm_step_backward",
]

LSTM_NAMES = {
    "i": "the input gate i",
    "f": "the forget gate f",
    "g": "the candidate g",
    "o": "the output gate o",
}
GRU_NAMES = {"r": "the reset gate r", "z": "the update gate z", "n": "the candidate n"}
_PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _order_mistakes(cell_gates: tuple[str, ...], rows: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"You read and wrote the gate blocks in the order {', '.join(p)}; PyTorch stacks "
            f"them {', '.join(cell_gates)} ({rows}).",
            {"order": "".join(p)},
        )
        for p in permutations(cell_gates)
        if p != cell_gates
    ]


def _slope_mistakes(names: dict[str, str], tanh: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"{names[tanh].capitalize()} is a tanh: its derivative is 1 - {tanh}**2, not "
            f"{tanh} * (1 - {tanh}).",
            {"gate_slope": {tanh: "sigmoid"}},
        ),
        *(
            (
                f"{names[g].capitalize()} is a sigmoid: its derivative is {g} * (1 - {g}), not "
                f"1 - {g}**2.",
                {"gate_slope": {g: "tanh"}},
            )
            for g in names
            if g != tanh
        ),
    ]


_BATCH_MEAN = ("Sum the bias gradients over the batch, do not average them.", {"batch_mean": True})

#: (advice, options of :func:`lstm_backward_variant`) for each known mistake, tried in this order
LSTM_BACKWARD_MISTAKES: tuple[tuple[str, dict[str, Any]], ...] = (
    *_order_mistakes(LSTM.gates, "rows 0:H i, H:2H f, 2H:3H g, 3H:4H o"),
    (
        "The cell's gradient has two sources, dc = dc_next + dh_next * o * (1 - tanh(c)**2); "
        "you left out dc_next, what arrives along the cell from the next step.",
        {"cell_from_next": False},
    ),
    (
        "The cell's gradient has two sources, dc = dc_next + dh_next * o * (1 - tanh(c)**2); "
        "you left out the part through h_next = o * tanh(c_next).",
        {"cell_from_h": False},
    ),
    (
        "Through h_next = o * tanh(c_next) the cell needs tanh's derivative: the part of dc "
        "from h is dh_next * o * (1 - tanh(c_next)**2).",
        {"cell_slope": "none"},
    ),
    (
        "tanh's derivative at c_next is 1 - tanh(c_next)**2, not 1 - c_next**2.",
        {"cell_slope": "1-c^2"},
    ),
    (
        "The output gate multiplies tanh(c_next), so its gradient is dh_next * tanh(c_next), "
        "not dh_next * c_next.",
        {"output_gate_uses": "c"},
    ),
    (
        "dc_prev = dc * f with dc the whole cell gradient (dc_next plus the part through h), "
        "not dc_next * f.",
        {"dc_prev": "dc_next * f"},
    ),
    (
        "dc_prev = dc * f: the forget gate scales what flows back along the cell.",
        {"dc_prev": "dc"},
    ),
    (
        "Each factor of a product gets the gradient times the other factor: di = dc * g and "
        "df = dc * c_prev (you swapped the partners).",
        {"swap_partners": True},
    ),
    *_slope_mistakes(LSTM_NAMES, "g"),
    _BATCH_MEAN,
)

#: (advice, options of :func:`gru_backward_variant`) for each known mistake, tried in this order
GRU_BACKWARD_MISTAKES: tuple[tuple[str, dict[str, Any]], ...] = (
    *_order_mistakes(GRU.gates, "rows 0:H r, H:2H z, 2H:3H n"),
    (
        "z and 1 - z are swapped: in PyTorch the update gate keeps the old state, "
        "h_next = (1 - z) * n + z * h_prev.",
        {"z_keeps_old": False},
    ),
    (
        "dh_prev misses the direct path dh_next * z: h_prev enters h_next directly, weighted "
        "by the update gate, besides the three recurrent products.",
        {"direct_path": False},
    ),
    (
        "dz = dh_next * (h_prev - n), since h_next = n + z * (h_prev - n); yours has the "
        "opposite sign.",
        {"dz_sign": -1},
    ),
    (
        "On the recurrent side the candidate's gradient passes through the reset gate: the n "
        "block of the recurrent gradients (dweight_hh, dbias_hh, dh_prev) uses r * da_n.",
        {"reset_on_recurrent_side": False},
    ),
    (
        "The reset gate multiplies h_prev @ W_hn.T + b_hn, so its gradient uses that whole "
        "block, b_hn included.",
        {"reset_grad_bias": False},
    ),
    (
        "You applied the reset gate before the recurrent product, (r * h_prev) @ W_hn.T, as "
        "Cho et al. (2014) do; PyTorch applies it after: r * (h_prev @ W_hn.T + b_hn).",
        {"reset": "before"},
    ),
    (
        "dbias_hh differs from dbias_ih in the candidate block: b_hn sits inside the reset "
        "product, so its gradient is r * da_n summed over the batch.",
        {"same_bias_grads": True},
    ),
    *_slope_mistakes(GRU_NAMES, "n"),
    _BATCH_MEAN,
)


def _locate(got, want, wrong: list[str], names: dict[str, str]) -> str:
    """Which gate's rows are wrong, or which path, when no known mistake matches."""
    for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        if key in wrong:
            report = gate_rows_report(got[key], want[key], key, names)
            if report:
                return report
    if "c_prev" in wrong and not set(wrong) & set(_PARAMS):
        return "Every gate's gradient is right; dc_prev = dc * f with dc the whole cell gradient."
    if not set(wrong) & set(_PARAMS):
        direct = " and the direct path dh_next * z" if "z" in names else ""
        return (
            "The weight gradients are right, so every pre-activation gradient da is right; "
            f"look at how dx and dh_prev are formed from da{direct}."
        )
    return ""


def _check(
    name: str,
    fn: Callable[..., Any],
    reference: Callable[[dict[str, np.ndarray]], tuple[list, dict]],
    variant: Callable[..., dict],
    entries: tuple,
    names: dict[str, str],
    states: tuple[str, ...],
    verbose: bool,
) -> CheckResult:
    """Run a step-backward checker: reference(case) gives (reader's args, wanted gradients)."""
    G = len(names)
    keys = ("x", *states, *_PARAMS)

    def body() -> str:
        for k, size in enumerate(SIZES):
            case = make_case(G, *size, seed=300 + k)
            case["dc_next"] = rand(np.random.default_rng(400 + k), size[0], size[2])
            args, want = reference(case)
            out = call(
                fn,
                *args,
                what="gradients",
                hint="recompute the forward step first; the derivatives need the gates.",
            )
            letters = shape_letters(G, {"x": "(B, D)", **{s: "(B, H)" for s in states}})
            got = read_grads(out, {key: want[key] for key in keys}, letters)
            if all(compare(got[key], want[key]) for key in keys):
                continue
            mistakes = catalogue(entries, variant, args)
            raise _Stop(value_message(got, want, keys, mistakes, partial(_locate, names=names)))
        return (
            f"all {len(keys)} gradients match rnncore.nn.{name[:3]}.{name} on "
            f"{len(SIZES)} random problems."
        )

    return finish(name, body, verbose)


def _lstm_reference(case: dict[str, np.ndarray]) -> tuple[list, dict]:
    forward = [case[k] for k in ("x", "h_prev", "c_prev", *_PARAMS)]
    *_, cache = lstm_step_forward(*forward)
    want = lstm_step_backward(case["dh_next"], case["dc_next"], cache)
    return [case["dh_next"], case["dc_next"], *forward], want


def _gru_reference(case: dict[str, np.ndarray]) -> tuple[list, dict]:
    forward = [case[k] for k in ("x", "h_prev", *_PARAMS)]
    _, cache = gru_step_forward(*forward)
    return [case["dh_next"], *forward], gru_step_backward(case["dh_next"], cache)


def check_lstm_step_backward(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(dh_next, dc_next, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)
    -> dict`` of gradients against :func:`rnncore.nn.lstm.lstm_step_backward`."""
    return _check(
        "lstm_step_backward",
        fn,
        _lstm_reference,
        lstm_backward_variant,
        LSTM_BACKWARD_MISTAKES,
        LSTM_NAMES,
        ("h_prev", "c_prev"),
        verbose,
    )


def check_gru_step_backward(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(dh_next, x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> dict`` of
    gradients against :func:`rnncore.nn.gru.gru_step_backward`."""
    return _check(
        "gru_step_backward",
        fn,
        _gru_reference,
        gru_backward_variant,
        GRU_BACKWARD_MISTAKES,
        GRU_NAMES,
        ("h_prev",),
        verbose,
    )
