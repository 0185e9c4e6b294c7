"""Checkers for the reader's RNN, LSTM and GRU steps (chapter sec:coding-exercises).

Each ``check_*`` runs the reader's function on seeded random problems in float64 and compares it
with rnncore's reference (:mod:`rnncore.nn.rnn`, :mod:`rnncore.nn.lstm`, :mod:`rnncore.nn.gru`). One
problem has D != H (a forgotten transpose then fails loudly) and one has D == H (a forgotten
transpose then gives wrong numbers, which the catalogue of mistakes recognises).

Signatures the reader implements (weights in PyTorch's layout, G = 1, 4, 3):

- ``rnn_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> h_next``
- ``rnn_step_backward(dh_next, x, h_prev, h_next, weight_ih, weight_hh) -> dict`` with keys
  "x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh"
- ``lstm_step_forward(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)``
  ``-> (h_next, c_next)``
- ``gru_step_forward(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> h_next``

x: (B, D), h_prev and c_prev: (B, H), weight_ih: (G*H, D), weight_hh: (G*H, H), biases: (G*H,).
Returning extra values (e.g. a cache) as further tuple elements is fine.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import permutations
from typing import Any

import numpy as np

from rnncore.nn.cells import GRU, LSTM, RNN
from rnncore.nn.functional import sigmoid
from rnncore.nn.gru import gru_step_forward
from rnncore.nn.lstm import lstm_step_forward
from rnncore.nn.rnn import rnn_step_backward, rnn_step_forward
from rnncore.study.exercises import _variants as var
from rnncore.study.exercises._common import (
    CheckResult,
    Mistake,
    _Stop,
    as_array,
    call,
    compare,
    diagnose,
    finish,
    mismatch,
    rand,
)

__all__ = [
    "check_gru_step_forward",
    "check_lstm_step_forward",
    "check_rnn_step_backward",
    "check_rnn_step_forward",
    "make_case",
]

SIZES = ((3, 4, 5), (2, 5, 5))  # (B, D, H): one rectangular, one square problem
_TRANSPOSE = (
    "weights are stored as (out, in): multiply x (B, D) by weight_ih.T and h_prev by weight_hh.T."
)


def make_case(gates: int, B: int, D: int, H: int, seed: int) -> dict[str, np.ndarray]:
    """A random step problem: x (B, D), h_prev/c_prev/dh_next (B, H), weights, biases."""
    rng = np.random.default_rng(seed)
    return {
        "x": rand(rng, B, D),
        "h_prev": np.tanh(rand(rng, B, H)),
        "c_prev": rand(rng, B, H),
        "weight_ih": rand(rng, gates * H, D, scale=0.6),
        "weight_hh": rand(rng, gates * H, H, scale=0.6),
        "bias_ih": rand(rng, gates * H, scale=0.5),
        "bias_hh": rand(rng, gates * H, scale=0.5),
        "dh_next": rand(rng, B, H),
    }


def _first(out: Any) -> Any:
    return out[0] if isinstance(out, tuple) else out


def _cases(gates: int) -> list[dict[str, np.ndarray]]:
    return [make_case(gates, *size, seed=100 + k) for k, size in enumerate(SIZES)]


def _bias_mistakes(compute: Callable[..., Any]) -> list[Mistake]:
    return [
        Mistake("You left out the biases: add bias_ih and bias_hh.", lambda: compute(bias="none")),
        Mistake(
            "You added bias_ih but not bias_hh (PyTorch has both).", lambda: compute(bias="ih")
        ),
        Mistake(
            "You added bias_hh but not bias_ih (PyTorch has both).", lambda: compute(bias="hh")
        ),
    ]


def _rnn_forward_mistakes(case: dict[str, np.ndarray]) -> list[Mistake]:
    """The known wrong versions of an RNN step on this problem."""
    v = lambda **kw: var.rnn_variant(case, **kw)  # noqa: E731
    return [
        Mistake(
            "You used the sigmoid; the vanilla RNN squashes with tanh.",
            lambda: v(act=sigmoid),
        ),
        Mistake("You used ReLU; this cell uses tanh.", lambda: v(act=lambda a: np.maximum(a, 0))),
        Mistake(
            "You forgot the nonlinearity: h_next = tanh(pre-activation).",
            lambda: v(act=lambda a: a),
        ),
        *_bias_mistakes(v),
        Mistake(
            "h_prev @ weight_hh is transposed: use h_prev @ weight_hh.T.",
            lambda: v(transpose_hh=True),
        ),
        Mistake(
            "x @ weight_ih is transposed: use x @ weight_ih.T.",
            lambda: v(transpose_ih=True),
        ),
        Mistake("The recurrent term h_prev @ weight_hh.T is missing.", lambda: v(use_h=False)),
        Mistake("The input term x @ weight_ih.T is missing.", lambda: v(use_x=False)),
    ]


def check_rnn_step_forward(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> h_next`` (B, H)."""

    def body() -> str:
        for case in _cases(RNN.blocks):
            args = [
                case[k] for k in ("x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            ]
            want, _ = rnn_step_forward(*args)
            got = as_array(
                _first(call(fn, *args, what="h_next", hint=_TRANSPOSE)),
                "h_next",
                want.shape,
                "(B, H)",
            )
            if compare(got, want):
                continue
            mistakes = _rnn_forward_mistakes(case)
            raise _Stop(mismatch("h_next", got, want, diagnose(got, mistakes, compare)))
        return f"matches rnncore.nn.rnn.rnn_step_forward on {len(SIZES)} random problems."

    return finish("rnn_step_forward", body, verbose)


_BACKWARD_KEYS = ("x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
_BACKWARD_SHAPES = {
    "x": "(B, D)",
    "h_prev": "(B, H)",
    "weight_ih": "(H, D)",
    "weight_hh": "(H, H)",
    "bias_ih": "(H,)",
    "bias_hh": "(H,)",
}
_SLOPE_MISTAKES = (
    ("none", "You forgot tanh's derivative: multiply dh_next by (1 - h_next**2) first."),
    ("1-h", "tanh's derivative is 1 - h_next**2, not 1 - h_next."),
    ("h(1-h)", "h_next * (1 - h_next) is the sigmoid's derivative; tanh's is 1 - h_next**2."),
    ("1-h_prev^2", "Use h_next (this step's tanh output) in the derivative, not h_prev."),
)


def _rnn_backward_mistakes(case: dict[str, np.ndarray], key: str) -> list[Mistake]:
    """The known wrong versions of one gradient of an RNN step."""
    mistakes = [
        Mistake(msg, lambda d=d: var.rnn_backward_variant(case, d)[key])
        for d, msg in _SLOPE_MISTAKES
    ]
    da = case["dh_next"] * (1.0 - case["h_next"] ** 2)
    x, h, w_ih, w_hh = case["x"], case["h_prev"], case["weight_ih"], case["weight_hh"]
    per_key = {
        "x": ("dx must use weight_ih: dx = da @ weight_ih.", lambda: da @ w_hh),
        "h_prev": ("dh_prev must use weight_hh: dh_prev = da @ weight_hh.", lambda: da @ w_ih),
        "weight_ih": ("dweight_ih is transposed: use da.T @ x.", lambda: x.T @ da),
        "weight_hh": ("dweight_hh is transposed: use da.T @ h_prev.", lambda: h.T @ da),
        "bias_ih": ("Sum da over the batch, do not average it.", lambda: da.mean(axis=0)),
        "bias_hh": ("Sum da over the batch, do not average it.", lambda: da.mean(axis=0)),
    }
    extra = []
    if key == "weight_hh":  # the off-by-one of BPTT: this step's output for the state it read
        extra.append(
            Mistake(
                "dweight_hh pairs da with the state that entered the step, h_prev, not with "
                "h_next: use da.T @ h_prev.",
                lambda: da.T @ case["h_next"],
            )
        )
    return [*mistakes, Mistake(*per_key[key]), *extra]


def _check_gradient_shapes(got: dict, want: dict, h_shape: tuple[int, ...]) -> None:
    """Stop with a pointed message for a transposed weight gradient or an unsummed bias."""
    for key in _BACKWARD_KEYS:
        g, w = got[key], want[key]
        if not isinstance(g, np.ndarray):
            continue
        if g.ndim == 2 and g.shape != w.shape and g.shape == w.shape[::-1]:
            raise _Stop(
                f"d{key} has shape {g.shape}, expected {_BACKWARD_SHAPES[key]} = {w.shape}: it is "
                "transposed (weight gradients are da.T @ input)."
            )
        if key.startswith("bias") and g.shape == h_shape:
            raise _Stop(
                f"d{key} has shape {g.shape}, expected (H,) = {w.shape}: sum da over the batch "
                "axis (axis=0)."
            )
        as_array(g, f"d{key}", w.shape, _BACKWARD_SHAPES[key])


def check_rnn_step_backward(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(dh_next, x, h_prev, h_next, weight_ih, weight_hh) -> dict`` of gradients."""

    def body() -> str:
        for case in _cases(RNN.blocks):
            args = [
                case[k] for k in ("x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            ]
            h_next, cache = rnn_step_forward(*args)
            case["h_next"] = h_next
            want = rnn_step_backward(case["dh_next"], cache)
            got = call(
                fn,
                *(case["dh_next"], case["x"], case["h_prev"], h_next),
                *(case["weight_ih"], case["weight_hh"]),
                what="gradients",
                hint="da = dh_next * (1 - h_next**2); dx = da @ weight_ih; dweight_ih = da.T @ x.",
            )
            if not isinstance(got, dict):
                raise _Stop(
                    f"return a dict of gradients with keys {list(_BACKWARD_KEYS)}, "
                    f"got {type(got).__name__}."
                )
            missing = [k for k in _BACKWARD_KEYS if k not in got]
            if missing:
                raise _Stop(f"the gradient dict lacks the keys {missing}.")
            _check_gradient_shapes(got, want, h_next.shape)
            wrong = [k for k in _BACKWARD_KEYS if not compare(got[k], want[k])]
            if not wrong:
                continue
            key = wrong[0]
            advice = diagnose(got[key], _rnn_backward_mistakes(case, key), compare)
            others = f" Also wrong: {', '.join('d' + k for k in wrong[1:])}." if wrong[1:] else ""
            raise _Stop(mismatch(f"d{key}", got[key], want[key], advice) + others)
        return f"all six gradients match rnncore.nn.rnn.rnn_step_backward on {len(SIZES)} problems."

    return finish("rnn_step_backward", body, verbose)


def _pair(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> bool:
    return compare(got[0], want[0]) and compare(got[1], want[1])


def _lstm_mistakes(case: dict[str, np.ndarray]) -> list[Mistake]:
    """The known wrong versions of an LSTM step on this problem."""
    v = lambda **kw: var.lstm_variant(case, **kw)  # noqa: E731
    mistakes = [
        Mistake(
            f"You read the gate blocks in the order {', '.join(p)}; PyTorch stacks them i, f, g, o "
            "(rows 0:H input gate, H:2H forget gate, 2H:3H candidate, 3H:4H output gate).",
            lambda p=p: v(order="".join(p)),
        )
        for p in permutations(LSTM.gates)
        if p != LSTM.gates
    ]
    mistakes += [
        Mistake(
            f"The {name} gate needs the sigmoid (a fraction in (0, 1)), not tanh.",
            lambda name=name: v(gate_act={name: np.tanh}),
        )
        for name, act in zip(LSTM.gates, LSTM.activations, strict=True)
        if act == "sigmoid"
    ]
    return [
        *mistakes,
        Mistake(
            "The candidate g needs tanh, not the sigmoid (it must be able to lower the cell).",
            lambda: v(gate_act={"g": sigmoid}),
        ),
        Mistake("h_next = o * tanh(c_next): you left out the tanh.", lambda: v(squash_cell=False)),
        Mistake(
            "h_next must use the new cell state c_next, not c_prev.",
            lambda: v(h_from_prev_cell=True),
        ),
        *_bias_mistakes(v),
    ]


def check_lstm_step_forward(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)`` returns
    ``(h_next, c_next)``, each (B, H)."""

    def body() -> str:
        for case in _cases(LSTM.blocks):
            keys = ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            args = [case[k] for k in keys]
            h_want, c_want, _ = lstm_step_forward(*args)
            out = call(fn, *args, what="(h_next, c_next)", hint=_TRANSPOSE)
            if not isinstance(out, tuple) or len(out) < 2:
                raise _Stop(f"return the tuple (h_next, c_next), got {type(out).__name__}.")
            h = as_array(out[0], "h_next", h_want.shape, "(B, H)")
            c = as_array(out[1], "c_next", c_want.shape, "(B, H)")
            if compare(h, h_want) and compare(c, c_want):
                continue
            advice = diagnose((h, c), _lstm_mistakes(case), _pair)
            if not compare(c, c_want):
                advice = advice or (
                    "c_next is wrong: check the input gate i, the forget gate f and the "
                    "candidate g in c_next = f * c_prev + i * g."
                )
                raise _Stop(mismatch("c_next", c, c_want, advice))
            advice = advice or (
                "c_next is right, so the input gate i, forget gate f and candidate g are right; "
                "look at the output gate o and at h_next = o * tanh(c_next)."
            )
            raise _Stop(mismatch("h_next", h, h_want, advice))
        return (
            f"h_next and c_next match rnncore.nn.lstm.lstm_step_forward on {len(SIZES)} problems."
        )

    return finish("lstm_step_forward", body, verbose)


def _gru_mistakes(case: dict[str, np.ndarray]) -> list[Mistake]:
    """The known wrong versions of a GRU step on this problem."""
    v = lambda **kw: var.gru_variant(case, **kw)  # noqa: E731
    mistakes = [
        Mistake(
            f"You read the gate blocks in the order {', '.join(p)}; PyTorch stacks them r, z, n "
            "(rows 0:H reset gate, H:2H update gate, 2H:3H candidate).",
            lambda p=p: v(order="".join(p)),
        )
        for p in permutations(GRU.gates)
        if p != GRU.gates
    ]
    return [
        *mistakes,
        Mistake(
            "z and 1 - z are swapped: in PyTorch the update gate keeps the old state, "
            "h_next = (1 - z) * n + z * h_prev (some papers use the opposite convention).",
            lambda: v(z_keeps_old=False),
        ),
        Mistake(
            "You applied the reset gate before the recurrent product, (r * h_prev) @ W_hn.T, "
            "as Cho et al. (2014) do; PyTorch applies it after: r * (h_prev @ W_hn.T + b_hn).",
            lambda: v(reset="before"),
        ),
        Mistake(
            "b_hn belongs inside the reset product: r * (h_prev @ W_hn.T + b_hn).",
            lambda: v(reset="bias-outside"),
        ),
        Mistake("The candidate n needs tanh, not the sigmoid.", lambda: v(gate_act={"n": sigmoid})),
        Mistake(
            "The reset gate r needs the sigmoid, not tanh.", lambda: v(gate_act={"r": np.tanh})
        ),
        Mistake(
            "The update gate z needs the sigmoid, not tanh.", lambda: v(gate_act={"z": np.tanh})
        ),
        *_bias_mistakes(v),
    ]


def check_gru_step_forward(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> h_next`` (B, H)."""

    def body() -> str:
        for case in _cases(GRU.blocks):
            args = [
                case[k] for k in ("x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            ]
            want, _ = gru_step_forward(*args)
            out = call(fn, *args, what="h_next", hint=_TRANSPOSE)
            got = as_array(_first(out), "h_next", want.shape, "(B, H)")
            if compare(got, want):
                continue
            advice = diagnose(got, _gru_mistakes(case), compare)
            raise _Stop(mismatch("h_next", got, want, advice))
        return f"matches rnncore.nn.gru.gru_step_forward on {len(SIZES)} random problems."

    return finish("gru_step_forward", body, verbose)
