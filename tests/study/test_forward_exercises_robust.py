"""The forward-step and clipping graders in both directions beyond their catalogues: correct
solutions written in other ways pass (torch's cells, another sigmoid, np.split or index slices,
PyTorch's clipping epsilon), and wrong solutions that no catalogue entry describes fail."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from rnncore.study.exercises import (
    check_clip_grad_norm,
    check_gru_step_forward,
    check_lstm_step_forward,
    check_rnn_step_backward,
    check_rnn_step_forward,
)


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _torch_cell(kind: str, weight_ih, weight_hh, bias_ih, bias_hh) -> torch.nn.Module:
    cls = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[kind]
    cell = cls(weight_ih.shape[1], weight_hh.shape[1], dtype=torch.float64)
    with torch.no_grad():
        for name, value in zip(
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
            (weight_ih, weight_hh, bias_ih, bias_hh),
            strict=True,
        ):
            getattr(cell, name).copy_(_t(value))
    return cell


def rnn_merged(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """One product of [x, h_prev] with [W_ih, W_hh], as many papers write the step."""
    xh = np.concatenate([x, h_prev], axis=1)
    return np.tanh(xh @ np.concatenate([weight_ih, weight_hh], axis=1).T + bias_ih + bias_hh)


def rnn_torch(x, h_prev, *weights):
    return _torch_cell("rnn", *weights)(_t(x), _t(h_prev)).detach().numpy()


def rnn_backward_torch(dh_next, x, h_prev, h_next, weight_ih, weight_hh):
    """Autograd through tanh(a), with a = atanh(h_next) rebuilt from the cached output."""
    leaves = [_t(a, True) for a in (x, h_prev, weight_ih, weight_hh)]
    bias = _t(np.arctanh(h_next) - x @ weight_ih.T - h_prev @ weight_hh.T, True)
    xs, hs, w, u = leaves
    (torch.tanh(xs @ w.T + hs @ u.T + bias) * _t(dh_next)).sum().backward()
    db = bias.grad.numpy().sum(axis=0)
    keys = ("x", "h_prev", "weight_ih", "weight_hh")
    grads = {k: v.grad.numpy() for k, v in zip(keys, leaves, strict=True)}
    return grads | {"bias_ih": db, "bias_hh": db}


def lstm_other_sigmoid(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """np.split, and the sigmoid written as 1 / (1 + exp(-a))."""
    a = x @ weight_ih.T + h_prev @ weight_hh.T + bias_ih + bias_hh
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c = sig(a_f) * c_prev + sig(a_i) * np.tanh(a_g)
    return sig(a_o) * np.tanh(c), c


def lstm_torch(x, h_prev, c_prev, *weights):
    h, c = _torch_cell("lstm", *weights)(_t(x), (_t(h_prev), _t(c_prev)))
    return h.detach().numpy(), c.detach().numpy()


def gru_slices(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """Index slices per gate and the blend written as n + z * (h_prev - n)."""
    H = h_prev.shape[1]
    gx = x @ weight_ih.T + bias_ih
    gh = h_prev @ weight_hh.T + bias_hh
    r = 0.5 * (1 + np.tanh(0.5 * (gx[:, :H] + gh[:, :H])))
    z = 0.5 * (1 + np.tanh(0.5 * (gx[:, H : 2 * H] + gh[:, H : 2 * H])))
    n = np.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])
    return n + z * (h_prev - n)


def gru_torch(x, h_prev, *weights):
    return _torch_cell("gru", *weights)(_t(x), _t(h_prev)).detach().numpy()


def clip_torch_epsilon(grads, max_norm):
    """PyTorch's rule: coefficient max_norm / (norm + 1e-6), clamped at 1."""
    total = float(np.sqrt(sum(float((g**2).sum()) for g in grads.values())))
    coef = min(1.0, max_norm / (total + 1e-6))
    for g in grads.values():
        g *= coef
    return total


def clip_with_torch(grads, max_norm):
    """torch.nn.utils.clip_grad_norm_ on tensors that share memory with the numpy arrays."""
    params = []
    for g in grads.values():
        p = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
        p.grad = torch.from_numpy(g)
        params.append(p)
    return float(torch.nn.utils.clip_grad_norm_(params, max_norm))


RIGHT = [
    # (checker, a correct solution written differently, None: it must pass)
    (check_rnn_step_forward, rnn_merged, None),
    (check_rnn_step_forward, rnn_torch, None),
    (check_rnn_step_backward, rnn_backward_torch, None),
    (check_lstm_step_forward, lstm_other_sigmoid, None),
    (check_lstm_step_forward, lstm_torch, None),
    (check_gru_step_forward, gru_slices, None),
    (check_gru_step_forward, gru_torch, None),
    (check_clip_grad_norm, clip_torch_epsilon, None),
    (check_clip_grad_norm, clip_with_torch, None),
]


def gru_without_reset(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """The reset gate computed but never used: n = tanh(x W_in^T + b_in + h W_hn^T + b_hn)."""
    H = h_prev.shape[1]
    gx = x @ weight_ih.T + bias_ih
    gh = h_prev @ weight_hh.T + bias_hh
    z = 1 / (1 + np.exp(-(gx[:, H : 2 * H] + gh[:, H : 2 * H])))
    n = np.tanh(gx[:, 2 * H :] + gh[:, 2 * H :])
    return (1 - z) * n + z * h_prev


def _clip_only_far_above(grads, max_norm):
    total = float(np.sqrt(sum(float((g**2).sum()) for g in grads.values())))
    if total > 2 * max_norm:  # the bug: a second threshold
        for g in grads.values():
            g *= max_norm / total
    return total


def _clip_to_half(grads, max_norm):
    total = clip_torch_epsilon(grads, max_norm)
    if total > max_norm:
        for g in grads.values():
            g *= 0.5
    return total


WRONG = [
    # (checker, wrong solution outside the catalogue, words the message must contain)
    (check_rnn_step_forward, lambda *a: 0.999 * rnn_merged(*a), "wrong values"),
    (check_rnn_step_forward, lambda x, h, *w: rnn_merged(x, 0 * h + 0.1, *w), "wrong values"),
    (
        check_rnn_step_backward,
        lambda *a: {
            **rnn_backward_torch(*a),
            "weight_hh": 1.1 * rnn_backward_torch(*a)["weight_hh"],
        },
        "dweight_hh",
    ),
    (
        check_lstm_step_forward,
        lambda *a: (lstm_other_sigmoid(*a)[0], lstm_other_sigmoid(*a)[1] + 1e-3),
        "c_next is wrong",
    ),
    (check_gru_step_forward, gru_without_reset, "wrong values"),
    (check_clip_grad_norm, _clip_only_far_above, "clipped gradients are wrong"),
    (check_clip_grad_norm, _clip_to_half, "Compare your factor"),
]


@pytest.mark.parametrize(("checker", "solution", "words"), RIGHT + WRONG)
def test_checkers_beyond_their_catalogues(
    checker: Callable, solution: Callable, words: str | None
) -> None:
    """A correct solution written differently passes (words None); a wrong one fails, named."""
    result = checker(solution, verbose=False)
    if words is None:
        assert result.passed, result.message
    else:
        assert not result.passed and result.attempted and words in result.message, result.message
