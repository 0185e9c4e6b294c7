"""The auto-graders pass correct solutions and reject broken ones with a message naming the bug."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from rnncore.nn.functional import sigmoid
from rnncore.nn.gru import gru_step_forward
from rnncore.nn.lstm import lstm_step_forward
from rnncore.nn.optim import clip_grad_norm
from rnncore.nn.rnn import rnn_step_forward
from rnncore.study.exercises import _variants as var
from rnncore.study.exercises import (
    check_additive_attention,
    check_beam_search,
    check_clip_grad_norm,
    check_dot_attention,
    check_gru_step_forward,
    check_lstm_step_forward,
    check_rnn_step_backward,
    check_rnn_step_forward,
    check_tbptt,
    check_top_k_top_p,
)
from rnncore.study.exercises._common import WIDTH
from rnncore.study.exercises.cells import make_case


def _case(**arrays: np.ndarray) -> dict[str, np.ndarray]:
    return dict(arrays)


# ---------------------------------------------------------------- reader-style solutions
def rnn_fwd(x, h, w_ih, w_hh, b_ih, b_hh, act=np.tanh, t_hh=False, bias=True):
    a = x @ w_ih.T + h @ (w_hh if t_hh else w_hh.T)
    return act(a + (b_ih + b_hh if bias else 0.0))


def rnn_bwd(
    dh, x, h_prev, h_next, w_ih, w_hh, slope="1-h^2", mean_bias=False, t_dw=False, h_for_hh=False
):
    case = _case(x=x, h_prev=h_prev, h_next=h_next, weight_ih=w_ih, weight_hh=w_hh, dh_next=dh)
    grads = var.rnn_backward_variant(case, slope)
    da = dh * (1 - h_next**2)
    if h_for_hh:  # h_t used where h_{t-1} belongs
        grads["weight_hh"] = da.T @ h_next
    if mean_bias:
        grads["bias_ih"] = grads["bias_hh"] = da.mean(axis=0)
    if t_dw:
        grads["weight_ih"] = x.T @ da
    return grads


def lstm_fwd(x, h, c, w_ih, w_hh, b_ih, b_hh, **kw):
    case = _case(
        x=x, h_prev=h, c_prev=c, weight_ih=w_ih, weight_hh=w_hh, bias_ih=b_ih, bias_hh=b_hh
    )
    return var.lstm_variant(case, **kw)


def gru_fwd(x, h, w_ih, w_hh, b_ih, b_hh, **kw):
    case = _case(x=x, h_prev=h, weight_ih=w_ih, weight_hh=w_hh, bias_ih=b_ih, bias_hh=b_hh)
    return var.gru_variant(case, **kw)


def clip_ok(grads, max_norm):
    total = float(np.sqrt(sum((g**2).sum() for g in grads.values())))
    if total > max_norm:
        for g in grads.values():
            g *= max_norm / total
    return total


def clip_per_tensor(grads, max_norm):
    for g in grads.values():
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / n
    return float(np.sqrt(sum((g**2).sum() for g in grads.values())))


def clip_always(grads, max_norm):
    total = float(np.sqrt(sum((g**2).sum() for g in grads.values())))
    for g in grads.values():
        g *= max_norm / total
    return total


def clip_value(grads, max_norm):
    for g in grads.values():
        np.clip(g, -max_norm, max_norm, out=g)
    return 0.0


def clip_rebind(grads, max_norm):
    total = float(np.sqrt(sum((g**2).sum() for g in grads.values())))
    for g in grads.values():
        g = g * min(1.0, max_norm / total)  # the bug under test: rebinds, no in-place change
    return total


def clip_post_norm(grads, max_norm):
    return min(clip_ok(grads, max_norm), max_norm)


def clip_l1(grads, max_norm):
    total = sum(float(np.abs(g).sum()) for g in grads.values())
    for g in grads.values():
        g *= min(1.0, max_norm / total)
    return total


def stub(*args, **kwargs):
    raise NotImplementedError


# ---------------------------------------------------------------- correct solutions pass
@pytest.mark.parametrize(
    ("checker", "solution"),
    [
        (check_rnn_step_forward, rnn_fwd),
        (check_rnn_step_forward, lambda *a: rnn_step_forward(*a)),
        (check_rnn_step_backward, rnn_bwd),
        (check_lstm_step_forward, lstm_fwd),
        (check_lstm_step_forward, lambda *a: lstm_step_forward(*a)),
        (check_gru_step_forward, gru_fwd),
        (check_gru_step_forward, lambda *a: gru_step_forward(*a)),
        (check_clip_grad_norm, clip_ok),
        (check_clip_grad_norm, clip_grad_norm),
    ],
)
def test_reference_solutions_pass(checker: Callable, solution: Callable, capsys) -> None:
    result = checker(solution)
    assert result.passed, result.message
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    "checker",
    [
        check_rnn_step_forward,
        check_rnn_step_backward,
        check_lstm_step_forward,
        check_gru_step_forward,
        check_clip_grad_norm,
        check_dot_attention,
        check_additive_attention,
        check_top_k_top_p,
        check_beam_search,
        check_tbptt,
    ],
)
def test_stub_reports_not_attempted(checker: Callable) -> None:
    result = checker(stub, verbose=False)
    assert not result.passed and not result.attempted
    assert "not attempted yet" in result.message


# ---------------------------------------------------------------- broken solutions fail, named
BROKEN = [
    # (checker, broken function, words the message must contain)
    (check_rnn_step_forward, lambda *a: rnn_fwd(*a, act=sigmoid), "sigmoid"),
    (check_rnn_step_forward, lambda *a: rnn_fwd(*a, bias=False), "biases"),
    (check_rnn_step_forward, lambda *a: rnn_fwd(*a, t_hh=True), "weight_hh.T"),
    (check_rnn_step_forward, lambda x, h, w, u, b, c: np.tanh(x @ w + h @ u.T + b + c), "raised"),
    (check_rnn_step_forward, lambda *a: rnn_fwd(*a)[:, :-1], "shape"),
    (check_rnn_step_backward, lambda *a: rnn_bwd(*a, slope="none"), "derivative"),
    (check_rnn_step_backward, lambda *a: rnn_bwd(*a, slope="h(1-h)"), "sigmoid's derivative"),
    (check_rnn_step_backward, lambda *a: rnn_bwd(*a, mean_bias=True), "do not average"),
    (check_rnn_step_backward, lambda *a: rnn_bwd(*a, t_dw=True), "transposed"),
    (check_rnn_step_backward, lambda *a: rnn_bwd(*a, h_for_hh=True), "not with h_next"),
    (
        check_rnn_step_backward,
        lambda *a: {k: v for k, v in rnn_bwd(*a).items() if k != "bias_hh"},
        "lacks the keys ['bias_hh']",
    ),
    (check_lstm_step_forward, lambda *a: lstm_fwd(*a, order="ifog"), "i, f, o, g"),
    (check_lstm_step_forward, lambda *a: lstm_fwd(*a, order="figo"), "order f, i, g, o"),
    (check_lstm_step_forward, lambda *a: lstm_fwd(*a, gate_act={"g": sigmoid}), "candidate g"),
    (check_lstm_step_forward, lambda *a: lstm_fwd(*a, gate_act={"f": np.tanh}), "f gate"),
    (check_lstm_step_forward, lambda *a: lstm_fwd(*a, squash_cell=False), "left out the tanh"),
    (check_lstm_step_forward, lambda *a: lstm_fwd(*a, bias="ih"), "bias_hh"),
    (check_lstm_step_forward, lambda *a: lstm_fwd(*a)[0], "tuple (h_next, c_next)"),
    (
        check_lstm_step_forward,
        lambda *a: (lstm_fwd(*a)[0] * 1.01, lstm_fwd(*a)[1]),
        "output gate o",
    ),
    (check_gru_step_forward, lambda *a: gru_fwd(*a, order="zrn"), "r, z, n"),
    (check_gru_step_forward, lambda *a: gru_fwd(*a, z_keeps_old=False), "swapped"),
    (check_gru_step_forward, lambda *a: gru_fwd(*a, reset="before"), "Cho et al."),
    (check_gru_step_forward, lambda *a: gru_fwd(*a, reset="bias-outside"), "b_hn belongs inside"),
    (check_gru_step_forward, lambda *a: gru_fwd(*a, bias="none"), "biases"),
    (check_clip_grad_norm, clip_per_tensor, "global norm"),
    (check_clip_grad_norm, clip_always, "already below max_norm"),
    (check_clip_grad_norm, clip_value, "value clipping"),
    (check_clip_grad_norm, clip_rebind, "in place"),
    (check_clip_grad_norm, clip_post_norm, "after clipping"),
    (check_clip_grad_norm, clip_l1, "L2 norm"),
]


@pytest.mark.parametrize(("checker", "broken", "words"), BROKEN)
def test_broken_solutions_fail_with_a_useful_message(
    checker: Callable, broken: Callable, words: str, named_failure
) -> None:
    named_failure(checker, broken, words)


CHECKERS = [
    check_rnn_step_forward,
    check_rnn_step_backward,
    check_lstm_step_forward,
    check_gru_step_forward,
    check_clip_grad_norm,
]


@pytest.mark.parametrize(
    ("checker", "attempt"),
    [(b[0], b[1]) for b in BROKEN] + [(checker, stub) for checker in CHECKERS],
)
def test_printed_feedback_fits_the_page(checker: Callable, attempt: Callable, capsys) -> None:
    result = checker(attempt)
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= WIDTH, lines
    assert all(line.startswith("  ") for line in lines[1:]), lines  # continuation lines indent
    mark = "…" if not result.attempted else "✗"
    printed = " ".join(" ".join(lines).split())
    assert printed == " ".join(f"{mark} {result.name}: {result.message}".split())


def test_variants_default_to_the_reference() -> None:
    for gates, ref in ((1, None), (4, lstm_step_forward), (3, gru_step_forward)):
        case = make_case(gates, 3, 4, 5, seed=1)
        args = [case[k] for k in ("x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        if gates == 1:
            np.testing.assert_allclose(var.rnn_variant(case), rnn_step_forward(*args)[0])
        elif gates == 4:
            h, c, _ = ref(case["x"], case["h_prev"], case["c_prev"], *args[2:])
            np.testing.assert_allclose(var.lstm_variant(case)[0], h)
            np.testing.assert_allclose(var.lstm_variant(case)[1], c)
        else:
            np.testing.assert_allclose(var.gru_variant(case), ref(*args)[0])


def test_check_result_is_truthy_only_when_passed() -> None:
    ok = check_rnn_step_forward(rnn_fwd, verbose=False)
    bad = check_rnn_step_forward(lambda *a: rnn_fwd(*a, act=sigmoid), verbose=False)
    assert bool(ok) and not bool(bad)
    assert repr(ok) == "<check rnn_step_forward: passed>"
    assert repr(bad) == "<check rnn_step_forward: FAILED>"
