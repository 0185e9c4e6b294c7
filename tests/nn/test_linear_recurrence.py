"""The linear recurrence: scan equals loop, the backward pass equals finite differences and
torch autograd on the loop, the torch twin equals the numpy one, and bad input fails naming the
argument."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnncore
from rnncore.models.scan import linear_recurrence_torch
from rnncore.nn.gradcheck import numerical_gradient, relative_error
from rnncore.nn.linear_recurrence import (
    combine,
    linear_recurrence,
    linear_recurrence_backward,
    scan_rounds,
)


def _loop(a, b, h0=None):
    h = np.zeros(a.shape[1:], dtype=np.result_type(a, b)) if h0 is None else h0
    out = []
    for t in range(len(a)):
        h = a[t] * h + b[t]
        out.append(h)
    return np.stack(out)


def _coefficients(T, B=3, H=4, complex_=False, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (T, B, H))
    if complex_:
        a = a * np.exp(1j * rng.uniform(0, 2 * np.pi, (T, B, H)))
    return a, rng.standard_normal((T, B, H)), rng.standard_normal((B, H))


def test_exported_from_the_top_level() -> None:
    assert rnncore.linear_recurrence is linear_recurrence
    assert rnncore.linear_recurrence_backward is linear_recurrence_backward


@pytest.mark.parametrize("T", [1, 2, 3, 7, 64, 1000])
@pytest.mark.parametrize("complex_", [False, True])
def test_scan_equals_loop(T: int, complex_: bool) -> None:
    a, b, h0 = _coefficients(T, complex_=complex_)
    reference = _loop(a, b, h0)
    for method in ("sequential", "parallel"):
        h = linear_recurrence(a, b, h0, method=method)
        assert h.shape == a.shape
        assert np.abs(h - reference).max() <= 1e-12 * max(1.0, np.abs(reference).max())


def test_zero_initial_state_is_the_default_and_inputs_are_not_modified() -> None:
    a, b, _ = _coefficients(9)
    a0, b0 = a.copy(), b.copy()
    assert np.array_equal(linear_recurrence(a, b), linear_recurrence(a, b, np.zeros((3, 4))))
    assert np.array_equal(a, a0) and np.array_equal(b, b0)


def test_float32_stays_float32_and_agrees() -> None:
    a, b, h0 = (x.astype(np.float32) for x in _coefficients(100))
    h = linear_recurrence(a, b, h0)
    assert h.dtype == np.float32
    assert np.abs(h - _loop(a.astype(float), b.astype(float), h0.astype(float))).max() < 1e-4


def test_combine_is_associative_and_not_commutative() -> None:
    rng = np.random.default_rng(1)
    p, q, r = ((rng.standard_normal(5), rng.standard_normal(5)) for _ in range(3))
    left, right = combine(combine(p, q), r), combine(p, combine(q, r))
    assert all(np.allclose(x, y) for x, y in zip(left, right, strict=True))
    assert not np.allclose(combine(p, q)[1], combine(q, p)[1])


def test_scan_rounds_are_ceil_log2() -> None:
    for T in (1, 2, 3, 8, 9, 1000, 16384):
        assert len(scan_rounds(T)) == int(np.ceil(np.log2(T)))
    assert scan_rounds(9) == [1, 2, 4, 8]
    with pytest.raises(ValueError, match="T must be a positive int"):
        scan_rounds(0)


def test_backward_matches_finite_differences() -> None:
    a, b, h0 = _coefficients(6, B=2, H=3, seed=3)
    dh = np.random.default_rng(4).standard_normal(a.shape)
    h = linear_recurrence(a, b, h0)
    da, db, dh0 = linear_recurrence_backward(dh, a, h, h0)
    for arr, grad in ((a, da), (b, db), (h0, dh0)):
        numeric = numerical_gradient(lambda: float(np.sum(dh * linear_recurrence(a, b, h0))), arr)
        assert relative_error(grad, numeric) < 1e-7


def test_backward_matches_torch_autograd_on_the_loop() -> None:
    a, b, h0 = _coefficients(40, seed=5)
    dh = np.random.default_rng(6).standard_normal(a.shape)
    ta, tb, th0 = (torch.tensor(x, requires_grad=True) for x in (a, b, h0))
    h, out = th0, []
    for t in range(len(a)):
        h = ta[t] * h + tb[t]
        out.append(h)
    (torch.stack(out) * torch.from_numpy(dh)).sum().backward()
    da, db, dh0 = linear_recurrence_backward(dh, a, linear_recurrence(a, b, h0), h0)
    for mine, theirs in ((da, ta), (db, tb), (dh0, th0)):
        assert np.abs(mine - theirs.grad.numpy()).max() < 1e-12


def test_backward_without_h0_gives_the_gradient_of_a_zero_state() -> None:
    a, b, _ = _coefficients(5, seed=7)
    dh = np.ones_like(a)
    da, db, dh0 = linear_recurrence_backward(dh, a, linear_recurrence(a, b))
    assert np.all(da[0] == 0) and dh0.shape == (3, 4)
    assert db[-1] == pytest.approx(dh[-1])


@pytest.mark.parametrize("method", ["sequential", "parallel"])
@pytest.mark.parametrize("complex_", [False, True])
def test_torch_twin_equals_numpy_forward_and_gradients(method: str, complex_: bool) -> None:
    a, b, h0 = _coefficients(33, complex_=complex_, seed=8)
    ta, tb, th0 = (torch.tensor(x, requires_grad=True) for x in (a, b, h0))
    h = linear_recurrence_torch(ta, tb, th0, method)
    assert np.abs(h.detach().numpy() - linear_recurrence(a, b, h0)).max() < 1e-12
    if complex_:
        return
    dh = np.random.default_rng(9).standard_normal(a.shape)
    (h * torch.from_numpy(dh)).sum().backward()
    grads = linear_recurrence_backward(dh, a, linear_recurrence(a, b, h0), h0)
    for mine, t in zip(grads, (ta, tb, th0), strict=True):
        assert np.abs(mine - t.grad.numpy()).max() < 1e-12


def test_torch_twin_complex_gradients_match_autograd_on_the_loop() -> None:
    a, b, h0 = _coefficients(20, complex_=True, seed=10)
    w = torch.from_numpy(np.random.default_rng(11).standard_normal(a.shape))
    grads = []
    for use_scan in (True, False):
        ta, tb, th0 = (torch.tensor(x, requires_grad=True) for x in (a, b, h0))
        if use_scan:
            h = linear_recurrence_torch(ta, tb, th0)
        else:
            s, out = th0, []
            for t in range(len(a)):
                s = ta[t] * s + tb[t]
                out.append(s)
            h = torch.stack(out)
        ((h.real * w).sum() + (h.abs() ** 2).sum()).backward()
        grads.append([t.grad for t in (ta, tb, th0)])
    for mine, theirs in zip(*grads, strict=True):
        assert (mine - theirs).abs().max() < 1e-12


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"a": np.ones((0, 2, 3)), "b": np.ones((0, 2, 3))}, ValueError, "T=0"),
        ({"a": np.ones((4, 3)), "b": np.ones((4, 3))}, ValueError, "a must have 3 dimensions"),
        ({"a": np.ones((4, 2, 3)), "b": np.ones((4, 2, 2))}, ValueError, "b must have shape"),
        ({"a": np.ones((4, 2, 3), dtype=int), "b": np.ones((4, 2, 3))}, TypeError, "a must be"),
        ({"a": np.ones((4, 2, 3)), "b": np.ones((4, 2, 3), dtype=bool)}, TypeError, "b must be"),
        (
            {"a": np.full((4, 2, 3), np.nan), "b": np.ones((4, 2, 3))},
            ValueError,
            "a must be finite",
        ),
        (
            {"a": np.ones((4, 2, 3)), "b": np.full((4, 2, 3), np.inf)},
            ValueError,
            "b must be finite",
        ),
        (
            {"a": np.ones((4, 2, 3)), "b": np.ones((4, 2, 3)), "h0": np.ones((2, 4))},
            ValueError,
            "h0 must have shape",
        ),
        (
            {"a": np.ones((4, 2, 3)), "b": np.ones((4, 2, 3)), "method": "fft"},
            ValueError,
            "method must be one of",
        ),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        linear_recurrence(**kwargs)


def test_backward_refuses_complex_and_mismatched_shapes() -> None:
    a = np.ones((3, 1, 2))
    with pytest.raises(TypeError, match="dh must be a real"):
        linear_recurrence_backward(a.astype(complex), a, a)
    with pytest.raises(ValueError, match="h must have shape"):
        linear_recurrence_backward(a, a, np.ones((3, 1, 3)))


def test_torch_twin_bad_input() -> None:
    a = torch.ones(3, 2, 4)
    with pytest.raises(ValueError, match="b must have the shape"):
        linear_recurrence_torch(a, torch.ones(3, 2, 5))
    with pytest.raises(TypeError, match="a must be a floating-point"):
        linear_recurrence_torch(a.long(), a)
    with pytest.raises(ValueError, match="T=0"):
        linear_recurrence_torch(torch.ones(0, 2, 4), torch.ones(0, 2, 4))
    with pytest.raises(ValueError, match="method must be one of"):
        linear_recurrence_torch(a, a, method="magic")
    with pytest.raises(ValueError, match="h0 must have shape"):
        linear_recurrence_torch(a, a, torch.ones(2, 3))
