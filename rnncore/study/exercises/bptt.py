"""Checker for the reader's backpropagation through time over a whole sequence (chapter sec:bptt).

The reader implements, for the tanh RNN ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``,

    rnn_backward(dh_all, x, h0, h_all, weight_ih, weight_hh) -> dict

given the gradient arriving directly at every hidden state, dh_all (T, B, H) (from the outputs),
the inputs x (T, B, D), the initial state h0 (B, H) and the forward's states h_all (T, B, H)
(h_all[t] is the state after step t). It returns the gradients with keys "x" (T, B, D), "h0"
(B, H), "weight_ih" (H, D), "weight_hh" (H, H), "bias_ih" and "bias_hh" (H,). The reference is
:func:`rnncore.nn.rnn.rnn_backward_steps` (P. J. Werbos, "Backpropagation through time: what it
does and how to do it", Proc. IEEE 78(10), 1990). Two problems: one with D != H (a transposed
weight fails loudly), one with D == H (it gives wrong numbers, which the catalogue recognises).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnncore.nn.rnn import rnn_backward_steps, rnn_forward_steps
from rnncore.study.exercises._common import CheckResult, _Stop, call, compare, finish, rand
from rnncore.study.exercises._grads import catalogue, read_grads, shape_letters, value_message
from rnncore.study.exercises._variants_backward import rnn_bptt_variant

__all__ = ["RNN_BACKWARD_MISTAKES", "check_rnn_backward", "make_sequence_case"]

SIZES = ((4, 3, 4, 5), (5, 2, 5, 5))  # (T, B, D, H): one rectangular, one square problem
KEYS = ("x", "h0", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
LETTERS = shape_letters(1, {"x": "(T, B, D)", "h0": "(B, H)"})

#: (advice, options of :func:`rnn_bptt_variant`) for each known mistake, tried in this order
RNN_BACKWARD_MISTAKES: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "You dropped the gradient that comes back from later steps: the gradient on h_t is "
        "dh_all[t] plus what step t+1 sends back (da_{t+1} @ weight_hh). Without it you "
        "computed truncated BPTT with a window of one step.",
        {"carry": "none"},
    ),
    (
        "You added the gradient from step t+1 after tanh's derivative; add it to dh_all[t] "
        "first: da_t = (dh_all[t] + carried) * (1 - h_t**2).",
        {"carry": "after-slope"},
    ),
    (
        "What step t sends back to step t-1 is da_t @ weight_hh; you passed da_t on without "
        "the recurrent weight.",
        {"carry": "without-weight"},
    ),
    (
        "What step t sends back to step t-1 is da_t @ weight_hh (rows times W_hh, the code "
        "form of W_hh^T da_t); you used weight_hh.T.",
        {"carry": "transposed-weight"},
    ),
    (
        "You forgot tanh's derivative: da_t = (gradient on h_t) * (1 - h_t**2).",
        {"slope": "none"},
    ),
    ("tanh's derivative is 1 - h_t**2, not 1 - h_t.", {"slope": "1-h"}),
    (
        "h_t * (1 - h_t) is the sigmoid's derivative; tanh's is 1 - h_t**2.",
        {"slope": "h(1-h)"},
    ),
    (
        "tanh's derivative at step t comes from that step's own output h_t = h_all[t], not from "
        "the state before it.",
        {"slope": "1-h_prev^2"},
    ),
    (
        "dweight_hh pairs da_t with the state that entered step t, h_{t-1} (h0 at t = 0), not "
        "with h_t: the classic off-by-one of BPTT.",
        {"state_for_weight_hh": "h"},
    ),
    (
        "The loop must run from the last step to the first: step t needs what step t+1 sends "
        "back, so the gradient flows backwards in time.",
        {"loop": "forward"},
    ),
    (
        "The weight and bias gradients must add up over all time steps (+=): every step uses "
        "the same weights. Yours hold one step's contribution only.",
        {"accumulate": False},
    ),
    (
        "Before step 0 the state is h0, not zeros: dweight_hh misses the term da_0.T @ h0.",
        {"first_state": "zeros"},
    ),
    (
        "dh0 is what the first step sends back, da_0 @ weight_hh; you returned da_0, the "
        "gradient at the first pre-activation.",
        {"dh0": "da"},
    ),
    (
        "dh0 is what the first step sends back, da_0 @ weight_hh; you returned the gradient "
        "on h_all[0], the first step's output.",
        {"dh0": "delta"},
    ),
    (
        "dh0 is not zero: the first step sends da_0 @ weight_hh back to the initial state.",
        {"dh0": "zeros"},
    ),
    (
        "Every hidden state receives its own upstream gradient dh_all[t]; you used only the "
        "last one (that is a loss on the final state alone).",
        {"upstream": "last step"},
    ),
    (
        "Sum the weight and bias gradients over the time steps, do not average them.",
        {"time_mean": True},
    ),
    (
        "Sum the bias gradients over the batch, do not average them.",
        {"batch_mean": True},
    ),
)


def make_sequence_case(T: int, B: int, D: int, H: int, seed: int) -> dict[str, np.ndarray]:
    """A random problem: x (T, B, D), h0 (B, H), weights and biases, the forward's states
    h_all (T, B, H) and an upstream gradient dh_all (T, B, H)."""
    rng = np.random.default_rng(seed)
    case = {
        "x": rand(rng, T, B, D),
        "h0": np.tanh(rand(rng, B, H)),
        "weight_ih": rand(rng, H, D, scale=0.6),
        "weight_hh": rand(rng, H, H, scale=0.6),
        "bias_ih": rand(rng, H, scale=0.5),
        "bias_hh": rand(rng, H, scale=0.5),
        "dh_all": rand(rng, T, B, H),
    }
    case["h_all"], case["cache"] = rnn_forward_steps(
        *(case[k] for k in ("x", "h0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    )
    return case


def _locate(got: dict[str, np.ndarray], want: dict[str, np.ndarray], wrong: list[str]) -> str:
    """Where the error is, read from which gradients and which time steps are wrong."""
    if "x" in wrong:
        steps = [t for t in range(len(want["x"])) if not compare(got["x"][t], want["x"][t])]
        last = len(want["x"]) - 1
        if last in steps:
            return (
                f"Already dx[{last}] is wrong, at the last step, where nothing comes back from "
                "later steps: check one step first (da = dh_all[t] * (1 - h_t**2), "
                "dx_t = da @ weight_ih)."
            )
        return (
            f"dx is right for t > {steps[-1]} and wrong at t = {steps[-1]}: one step is right, "
            "so look at what step t+1 sends back to step t and how it joins dh_all[t]."
        )
    if wrong == ["h0"]:
        return "Every other gradient is right; dh0 is what step 0 sends back, da_0 @ weight_hh."
    if "h0" not in wrong:
        return (
            "dx and dh0 are right, so every da_t is right; the sums over time are wrong: "
            "dweight_ih = sum_t da_t.T @ x_t, dweight_hh = sum_t da_t.T @ h_{t-1}, and the "
            "bias gradients sum da_t over the batch and time."
        )
    return ""


def check_rnn_backward(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(dh_all, x, h0, h_all, weight_ih, weight_hh) -> dict`` of gradients against
    :func:`rnncore.nn.rnn.rnn_backward_steps`."""

    def body() -> str:
        for k, size in enumerate(SIZES):
            case = make_sequence_case(*size, seed=200 + k)
            want = rnn_backward_steps(case["dh_all"], case["cache"])
            args = [case[key] for key in ("dh_all", "x", "h0", "h_all", "weight_ih", "weight_hh")]
            out = call(
                fn,
                *args,
                what="gradients",
                hint="loop t from T-1 down to 0: da = (dh_all[t] + carried) * (1 - h_all[t]**2).",
            )
            got = read_grads(out, {key: want[key] for key in KEYS}, LETTERS)
            if all(compare(got[key], want[key]) for key in KEYS):
                continue
            mistakes = catalogue(RNN_BACKWARD_MISTAKES, rnn_bptt_variant, args)
            raise _Stop(value_message(got, want, KEYS, mistakes, _locate))
        return (
            "all six gradients match rnncore.nn.rnn.rnn_backward_steps on "
            f"{len(SIZES)} random sequences."
        )

    return finish("rnn_backward", body, verbose)
