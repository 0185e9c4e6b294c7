"""The backward-pass graders: correct solutions pass however they are written, every known
mistake is named, and wrong solutions outside the catalogue fail with a message that says where
the error is (never the name of a mistake the reader did not make)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pytest
import torch

from rnncore.nn.gradcheck import numerical_gradient
from rnncore.study.exercises import _variants as fwd
from rnncore.study.exercises import (
    check_gru_step_backward,
    check_lstm_step_backward,
    check_rnn_backward,
)
from rnncore.study.exercises._variants_backward import (
    gru_backward_variant,
    lstm_backward_variant,
    rnn_bptt_variant,
)
from rnncore.study.exercises.bptt import RNN_BACKWARD_MISTAKES, make_sequence_case
from rnncore.study.exercises.cells import make_case
from rnncore.study.exercises.gated_backward import GRU_BACKWARD_MISTAKES, LSTM_BACKWARD_MISTAKES

CHECKERS = {
    "rnn": (check_rnn_backward, rnn_bptt_variant, RNN_BACKWARD_MISTAKES),
    "lstm": (check_lstm_step_backward, lstm_backward_variant, LSTM_BACKWARD_MISTAKES),
    "gru": (check_gru_step_backward, gru_backward_variant, GRU_BACKWARD_MISTAKES),
}
ADVICE = {cell: [advice for advice, _ in entries] for cell, (_, _, entries) in CHECKERS.items()}


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _torch_cell(cls: type, *weights: np.ndarray) -> torch.nn.Module:
    """A float64 torch cell holding weight_ih, weight_hh, bias_ih and bias_hh."""
    cell = cls(weights[0].shape[1], weights[1].shape[1], dtype=torch.float64)
    with torch.no_grad():
        for name, value in zip(
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh"), weights, strict=True
        ):
            getattr(cell, name).copy_(_t(value))
    return cell


def _grads_of(cell: torch.nn.Module, **inputs: torch.Tensor) -> dict[str, np.ndarray]:
    """The gradients of the inputs and of the cell's four parameters, as numpy arrays."""
    out = {k: v.grad for k, v in inputs.items()}
    out |= {k: getattr(cell, k).grad for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    return {k: v.numpy() for k, v in out.items()}


# ------------------------------------------------- correct solutions, written in other ways
def bptt_autograd(dh_all, x, h0, h_all, weight_ih, weight_hh):
    """Autograd on a torch re-run of the forward; the one bias it needs is read off h_all[0]."""
    b = (np.arctanh(h_all[0]) - x[0] @ weight_ih.T - h0 @ weight_hh.T).mean(axis=0)
    leaves = {k: _t(v, True) for k, v in dict(x=x, h0=h0, w_ih=weight_ih, w_hh=weight_hh).items()}
    bias = _t(b, True)
    h, states = leaves["h0"], []
    for t in range(len(x)):
        h = torch.tanh(leaves["x"][t] @ leaves["w_ih"].T + h @ leaves["w_hh"].T + bias)
        states.append(h)
    (torch.stack(states) * _t(dh_all)).sum().backward()
    g = {k: v.grad.numpy() for k, v in leaves.items()}
    db = bias.grad.numpy()
    return dict(
        x=g["x"], h0=g["h0"], weight_ih=g["w_ih"], weight_hh=g["w_hh"], bias_ih=db, bias_hh=db
    )


def bptt_vectorised(dh_all, x, h0, h_all, weight_ih, weight_hh):
    """The loop only carries the gradient; every sum over time and batch is one tensordot."""
    da = np.zeros_like(h_all)
    carried = np.zeros_like(h0)
    for t in range(len(x) - 1, -1, -1):
        da[t] = (dh_all[t] + carried) * (1 - np.tanh(np.arctanh(h_all[t])) ** 2)
        carried = np.einsum("bh,hk->bk", da[t], weight_hh)
    prev = np.concatenate([h0[None], h_all[:-1]])
    return {
        "x": np.tensordot(da, weight_ih, axes=(2, 0)),
        "h0": carried,
        "weight_ih": np.tensordot(da, x, axes=([0, 1], [0, 1])),
        "weight_hh": np.tensordot(da, prev, axes=([0, 1], [0, 1])),
        "bias_ih": da.sum(axis=(0, 1)),
        "bias_hh": da.reshape(-1, da.shape[-1]).sum(axis=0),
    }


def lstm_autograd(dh_next, dc_next, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    cell = _torch_cell(torch.nn.LSTMCell, weight_ih, weight_hh, bias_ih, bias_hh)
    xs, hs, cs = _t(x, True), _t(h_prev, True), _t(c_prev, True)
    h, c = cell(xs, (hs, cs))
    ((h * _t(dh_next)).sum() + (c * _t(dc_next)).sum()).backward()
    return _grads_of(cell, x=xs, h_prev=hs, c_prev=cs)


def lstm_by_slices(dh_next, dc_next, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """Index slices, the exp-form sigmoid, per-gate weight gradients stacked at the end."""
    H = h_prev.shape[1]
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
    a = x @ weight_ih.T + h_prev @ weight_hh.T + (bias_ih + bias_hh)
    i, f = sig(a[:, :H]), sig(a[:, H : 2 * H])
    g, o = np.tanh(a[:, 2 * H : 3 * H]), sig(a[:, 3 * H :])
    c = f * c_prev + i * g
    dc = dc_next + dh_next * o * (1 - np.tanh(c) ** 2)
    parts = [dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2)]
    parts.append(dh_next * np.tanh(c) * o * (1 - o))
    return {
        "x": sum(p @ weight_ih[k * H : (k + 1) * H] for k, p in enumerate(parts)),
        "h_prev": sum(p @ weight_hh[k * H : (k + 1) * H] for k, p in enumerate(parts)),
        "c_prev": f * dc,
        "weight_ih": np.vstack([p.T @ x for p in parts]),
        "weight_hh": np.vstack([p.T @ h_prev for p in parts]),
        "bias_ih": np.concatenate([p.sum(0) for p in parts]),
        "bias_hh": np.hstack([np.einsum("bh->h", p) for p in parts]),
    }


def gru_autograd(dh_next, x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    cell = _torch_cell(torch.nn.GRUCell, weight_ih, weight_hh, bias_ih, bias_hh)
    xs, hs = _t(x, True), _t(h_prev, True)
    (cell(xs, hs) * _t(dh_next)).sum().backward()
    return _grads_of(cell, x=xs, h_prev=hs)


def gru_by_gates(dh_next, x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """One (H, D) and one (H, H) matrix per gate, the blend written as n + z * (h - n)."""
    W = dict(zip("rzn", np.split(weight_ih, 3), strict=True))
    U = dict(zip("rzn", np.split(weight_hh, 3), strict=True))
    b = dict(zip("rzn", np.split(bias_ih, 3), strict=True))
    c = dict(zip("rzn", np.split(bias_hh, 3), strict=True))
    sig = lambda a: np.exp(-np.logaddexp(0.0, -a))  # noqa: E731
    r = sig(x @ W["r"].T + b["r"] + h_prev @ U["r"].T + c["r"])
    z = sig(x @ W["z"].T + b["z"] + h_prev @ U["z"].T + c["z"])
    q = h_prev @ U["n"].T + c["n"]
    n = np.tanh(x @ W["n"].T + b["n"] + r * q)
    da_n = dh_next * (1 - z) * (1 - n * n)
    da_z = dh_next * (h_prev - n) * z * (1 - z)
    da_r = da_n * q * r * (1 - r)
    rec = {"r": da_r, "z": da_z, "n": da_n * r}
    inp = {"r": da_r, "z": da_z, "n": da_n}
    return {
        "x": sum(inp[k] @ W[k] for k in "rzn"),
        "h_prev": dh_next * z + sum(rec[k] @ U[k] for k in "rzn"),
        "weight_ih": np.concatenate([inp[k].T @ x for k in "rzn"]),
        "weight_hh": np.concatenate([rec[k].T @ h_prev for k in "rzn"]),
        "bias_ih": np.concatenate([inp[k].sum(0) for k in "rzn"]),
        "bias_hh": np.concatenate([rec[k].sum(0) for k in "rzn"]),
    }


@pytest.mark.parametrize(
    ("checker", "solution"),
    [
        (check_rnn_backward, rnn_bptt_variant),
        (check_rnn_backward, bptt_autograd),
        (check_rnn_backward, bptt_vectorised),
        (check_lstm_step_backward, lstm_backward_variant),
        (check_lstm_step_backward, lstm_autograd),
        (check_lstm_step_backward, lstm_by_slices),
        (check_gru_step_backward, gru_backward_variant),
        (check_gru_step_backward, gru_autograd),
        (check_gru_step_backward, gru_by_gates),
    ],
)
def test_correct_solutions_pass_however_written(checker: Callable, solution: Callable, capsys):
    result = checker(solution)
    assert result.passed, result.message
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("cell", list(CHECKERS))
def test_stub_reports_not_attempted(cell: str, capsys) -> None:
    def stub(*args):
        raise NotImplementedError

    result = CHECKERS[cell][0](stub)
    assert not result.passed and not result.attempted
    assert "not attempted yet" in result.message and "…" in capsys.readouterr().out


# ------------------------------------------------- every known mistake is named, and only it
CATALOGUE = [
    pytest.param(cell, advice, kw, id=f"{cell}-{'-'.join(f'{k}={v}' for k, v in kw.items())}")
    for cell, (_, _, entries) in CHECKERS.items()
    for advice, kw in entries
]


@pytest.mark.parametrize(("cell", "advice", "options"), CATALOGUE)
def test_each_known_mistake_is_named(cell: str, advice: str, options: dict) -> None:
    checker, variant, _ = CHECKERS[cell]
    result = checker(partial(variant, **options), verbose=False)
    assert not result.passed and result.attempted
    assert advice in result.message, result.message
    assert sum(a in result.message for a in ADVICE[cell]) == 1


def test_variants_differ_on_the_checkers_problems() -> None:
    """No two entries of a catalogue compute the same gradients (each name is reachable)."""
    case = make_sequence_case(4, 3, 4, 5, seed=200)
    args = [case[k] for k in ("dh_all", "x", "h0", "h_all", "weight_ih", "weight_hh")]
    outs = [rnn_bptt_variant(*args, **kw) for _, kw in RNN_BACKWARD_MISTAKES]
    flat = [np.concatenate([v.ravel() for v in o.values()]) for o in outs]
    for i in range(len(flat)):
        for j in range(i):
            assert not np.allclose(flat[i], flat[j]), (i, j)


# ------------------------------------------------- the variants are the gradients they claim
def _numeric(loss: Callable[[], float], arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: numerical_gradient(loss, v) for k, v in arrays.items()}


@pytest.mark.parametrize(
    ("forward_options", "backward_options"),
    [
        ({"order": "ifog"}, {"order": "ifog"}),
        ({"order": "fgio"}, {"order": "fgio"}),
    ],
)
def test_lstm_order_variant_is_the_gradient_of_the_misordered_cell(
    forward_options: dict, backward_options: dict
) -> None:
    case = make_case(4, 2, 3, 3, seed=5)
    case["dc_next"] = np.random.default_rng(6).standard_normal((2, 3))

    def loss() -> float:
        h, c = fwd.lstm_variant(case, **forward_options)
        return float((h * case["dh_next"]).sum() + (c * case["dc_next"]).sum())

    keys = ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
    got = lstm_backward_variant(
        case["dh_next"], case["dc_next"], *(case[k] for k in keys), **backward_options
    )
    for k, v in _numeric(loss, {k: case[k] for k in keys}).items():
        np.testing.assert_allclose(got[k], v, rtol=1e-6, atol=1e-8, err_msg=k)


@pytest.mark.parametrize(
    "options", [{}, {"reset": "before"}, {"z_keeps_old": False}, {"order": "znr"}]
)
def test_gru_variants_are_the_gradients_of_their_cells(options: dict) -> None:
    case = make_case(3, 2, 3, 3, seed=7)

    def loss() -> float:
        return float((fwd.gru_variant(case, **options) * case["dh_next"]).sum())

    keys = ("x", "h_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
    got = gru_backward_variant(case["dh_next"], *(case[k] for k in keys), **options)
    for k, v in _numeric(loss, {k: case[k] for k in keys}).items():
        np.testing.assert_allclose(got[k], v, rtol=1e-6, atol=1e-8, err_msg=k)


# ------------------------------------------------- wrong solutions beyond the catalogue
def _edit(variant: Callable, change: Callable[[dict], None]) -> Callable:
    """A reader's solution: the right gradients, then one edit that no catalogue entry makes."""

    def solution(*args):
        grads = variant(*args)
        change(grads)
        return grads

    return solution


def _scale(key: str, factor: float, rows: slice = slice(None)) -> Callable[[dict], None]:
    def change(grads: dict) -> None:
        grads[key] = grads[key].copy()
        grads[key][rows] *= factor

    return change


def bptt_double_slope(dh_all, x, h0, h_all, weight_ih, weight_hh):
    """tanh's derivative applied twice to what is carried back: wrong only before the last step."""
    grads = rnn_bptt_variant(dh_all, x, h0, h_all, weight_ih, weight_hh)
    da, carried = np.zeros_like(h_all), np.zeros_like(h0)
    for t in reversed(range(len(x))):
        da[t] = (dh_all[t] + carried) * (1 - h_all[t] ** 2)
        carried = (da[t] * (1 - h_all[t] ** 2)) @ weight_hh
    grads["x"] = da @ weight_ih
    return grads


BEYOND = [
    # (cell, wrong solution, words the message must contain)
    ("rnn", bptt_double_slope, "dx is right for t > "),
    ("rnn", _edit(rnn_bptt_variant, _scale("x", 1.5, slice(-1, None))), "Already dx[3] is wrong"),
    ("rnn", _edit(rnn_bptt_variant, _scale("h0", -1.0)), "Every other gradient is right"),
    ("rnn", _edit(rnn_bptt_variant, _scale("weight_hh", 1.01)), "the sums over time are wrong"),
    (
        "lstm",
        _edit(lstm_backward_variant, _scale("weight_ih", 2.0, slice(5, 10))),
        "only the blocks of the forget gate f (rows 5:10) are wrong",
    ),
    (
        "lstm",
        _edit(lstm_backward_variant, _scale("weight_hh", 0.5, slice(15, 20))),
        "the output gate o (rows 15:20)",
    ),
    ("lstm", _edit(lstm_backward_variant, _scale("c_prev", 0.9)), "Every gate's gradient is right"),
    (
        "gru",
        _edit(gru_backward_variant, _scale("weight_ih", 1.1, slice(5, 10))),
        "the update gate z (rows 5:10)",
    ),
    ("gru", _edit(gru_backward_variant, _scale("h_prev", 1.2)), "and the direct path dh_next * z"),
    ("gru", _edit(gru_backward_variant, _scale("x", -1.0)), "how dx and dh_prev are formed"),
]


@pytest.mark.parametrize(("cell", "wrong", "words"), BEYOND)
def test_wrong_solutions_beyond_the_catalogue_fail_and_are_located(
    cell: str, wrong: Callable, words: str
) -> None:
    result = CHECKERS[cell][0](wrong, verbose=False)
    assert not result.passed and result.attempted
    assert words in result.message, result.message
    assert not any(a in result.message for a in ADVICE[cell]), result.message


def test_two_mistakes_at_once_fail_without_naming_either() -> None:
    both = partial(rnn_bptt_variant, carry="none", batch_mean=True)
    result = check_rnn_backward(both, verbose=False)
    assert not result.passed and not any(a in result.message for a in ADVICE["rnn"])
    assert "wrong" in result.message


# ------------------------------------------------- shapes, types, keys
SHAPE_CASES = [
    (check_rnn_backward, rnn_bptt_variant, "weight_ih", lambda g: g.T, "it is transposed"),
    (check_rnn_backward, rnn_bptt_variant, "bias_ih", lambda g: np.ones((4, 5)), "sum da"),
    (check_lstm_step_backward, lstm_backward_variant, "weight_ih", lambda g: g.T, "transposed"),
    (
        check_lstm_step_backward,
        lstm_backward_variant,
        "bias_hh",
        lambda g: np.ones((3, 20)),
        "(4H,)",
    ),
    (check_gru_step_backward, gru_backward_variant, "x", lambda g: g[:, :-1], "expected (B, D)"),
    (check_gru_step_backward, gru_backward_variant, "h_prev", lambda g: g * np.nan, "NaN"),
    (check_gru_step_backward, gru_backward_variant, "bias_ih", lambda g: g.tolist(), "numpy array"),
]


@pytest.mark.parametrize(("checker", "variant", "key", "change", "words"), SHAPE_CASES)
def test_bad_shapes_and_types_are_named(checker, variant, key, change, words) -> None:
    def solution(*args):
        grads = variant(*args)
        grads[key] = change(grads[key])
        return grads

    result = checker(solution, verbose=False)
    assert not result.passed and words in result.message, result.message


def test_missing_keys_and_wrong_return_types_are_named() -> None:
    drop = lambda *a: {k: v for k, v in rnn_bptt_variant(*a).items() if k != "h0"}  # noqa: E731
    assert "lacks the keys ['h0']" in check_rnn_backward(drop, verbose=False).message
    tup = lambda *a: tuple(gru_backward_variant(*a).values())  # noqa: E731
    assert "return a dict" in check_gru_step_backward(tup, verbose=False).message
    boom = lambda *a: 1 / 0  # noqa: E731
    message = check_lstm_step_backward(boom, verbose=False).message
    assert "ZeroDivisionError" in message and "recompute the forward" in message


def test_the_reader_cannot_change_the_checkers_arrays() -> None:
    def vandal(dh_all, x, h0, h_all, weight_ih, weight_hh):
        grads = rnn_bptt_variant(dh_all, x, h0, h_all, weight_ih, weight_hh)
        for a in (dh_all, x, h0, h_all, weight_ih, weight_hh):
            a[...] = 0.0
        return grads

    assert check_rnn_backward(vandal, verbose=False).passed
