"""rnncore.nn.rnn: gradient checks of every backward, truncation, fast == steps, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnncore.nn import rnn
from rnncore.nn.gradcheck import check_gradient

WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def make_params(rng: np.random.Generator, D: int, H: int, bias: bool = True) -> dict:
    p = {"weight_ih": rng.normal(0, 0.5, (H, D)), "weight_hh": rng.normal(0, 0.5, (H, H))}
    p["bias_ih"] = rng.normal(0, 0.5, H) if bias else None
    p["bias_hh"] = rng.normal(0, 0.5, H) if bias else None
    return p


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_step_backward_matches_numerical_gradient(nonlinearity: str, bias: bool) -> None:
    rng = np.random.default_rng(0)
    B, D, H = 3, 4, 5
    x, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    p = make_params(rng, D, H, bias)
    R = rng.normal(size=(B, H))

    def loss() -> float:
        return float(np.sum(rnn.rnn_step_forward(x, h_prev, **p, nonlinearity=nonlinearity)[0] * R))

    _, cache = rnn.rnn_step_forward(x, h_prev, **p, nonlinearity=nonlinearity)
    grads = rnn.rnn_step_backward(R, cache)
    assert check_gradient(loss, x, grads["x"]) < 1e-7
    assert check_gradient(loss, h_prev, grads["h_prev"]) < 1e-7
    for name in WEIGHTS:
        if p[name] is None:
            assert grads[name] is None
        else:
            assert grads[name].shape == p[name].shape
            assert check_gradient(loss, p[name], grads[name]) < 1e-7


@pytest.mark.parametrize(
    "forward,backward",
    [("rnn_forward_steps", "rnn_backward_steps"), ("rnn_forward", "rnn_backward")],
)
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_sequence_backward_matches_numerical_gradient(
    forward: str, backward: str, nonlinearity: str
) -> None:
    rng = np.random.default_rng(1)
    T, B, D, H = 4, 2, 3, 4
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
    p = make_params(rng, D, H)
    R, Rn = rng.normal(size=(T, B, H)), rng.normal(size=(B, H))
    fwd, bwd = getattr(rnn, forward), getattr(rnn, backward)

    def loss() -> float:
        h, _ = fwd(x, h0, **p, nonlinearity=nonlinearity)
        return float(np.sum(h * R) + np.sum(h[-1] * Rn))

    _, cache = fwd(x, h0, **p, nonlinearity=nonlinearity)
    grads = bwd(R, cache, dh_n=Rn)
    assert check_gradient(loss, x, grads["x"]) < 1e-7
    assert check_gradient(loss, h0, grads["h0"]) < 1e-7
    for name in WEIGHTS:
        assert check_gradient(loss, p[name], grads[name]) < 1e-7


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_backward_treats_state_at_boundaries_as_constant(k: int) -> None:
    """The truncated gradient is the gradient of a loss whose chunks start from frozen states."""
    rng = np.random.default_rng(2)
    T, B, D, H = 5, 2, 3, 4
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
    p = make_params(rng, D, H)
    R = rng.normal(size=(T, B, H))
    h_ref, cache = rnn.rnn_forward_steps(x, h0, **p)
    starts = {s: (h0 if s == 0 else h_ref[s - 1].copy()) for s in range(0, T, k)}

    def loss() -> float:
        total = 0.0
        for s, h_start in starts.items():
            start = h0 if s == 0 else h_start  # chunk 0 starts from the (perturbable) h0
            h, _ = rnn.rnn_forward_steps(x[s : s + k], start, **p)
            total += float(np.sum(h * R[s : s + k]))
        return total

    grads = rnn.rnn_backward_steps(R, cache, truncate=k)
    for name, arr in [("x", x), ("h0", h0), *((n, p[n]) for n in WEIGHTS)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name


def test_truncate_at_least_T_is_full_bptt() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 2, 3))
    p = make_params(rng, 3, 4)
    _, cache = rnn.rnn_forward_steps(x, None, **p)
    R = rng.normal(size=(4, 2, 4))
    full = rnn.rnn_backward_steps(R, cache)
    cut = rnn.rnn_backward_steps(R, cache, truncate=4)
    for name in full:
        np.testing.assert_array_equal(full[name], cut[name])


def test_step_cache_slices_equal_the_step_functions_caches() -> None:
    rng = np.random.default_rng(4)
    x, h0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4))
    p = make_params(rng, 3, 4)
    _h, cache = rnn.rnn_forward_steps(x, h0, **p)
    h_prev = h0
    for t in range(3):
        h_prev, step = rnn.rnn_step_forward(x[t], h_prev, **p)
        sliced = rnn.step_cache(cache, t)
        assert sliced.keys() == step.keys()
        for key, value in step.items():
            np.testing.assert_array_equal(sliced[key], value)


def test_large_inputs_give_no_overflow_warning() -> None:
    rng = np.random.default_rng(5)
    p = make_params(rng, 3, 4)
    x = np.array([[1000.0, -1000.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h, cache = rnn.rnn_step_forward(x, np.zeros((1, 4)), **p)
        rnn.rnn_step_backward(np.ones((1, 4)), cache)
    assert np.all(np.isfinite(h))


def test_dtype_is_preserved_in_float32() -> None:
    rng = np.random.default_rng(6)
    p = {k: v.astype(np.float32) for k, v in make_params(rng, 3, 4).items()}
    x = rng.normal(size=(2, 1, 3)).astype(np.float32)
    h, cache = rnn.rnn_forward_steps(x, None, **p)
    grads = rnn.rnn_backward_steps(np.ones_like(h), cache)
    assert h.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


# ---- errors: each names the argument, what was expected and what came ----------------------


def _step_args(**over: object) -> dict:
    rng = np.random.default_rng(0)
    args = {"x": rng.normal(size=(2, 3)), "h_prev": np.zeros((2, 4)), **make_params(rng, 3, 4)}
    args.update(over)
    return args


@pytest.mark.parametrize(
    "over,err,match",
    [
        ({"x": np.zeros((2, 5))}, ValueError, r"x must have shape \(B, D\) .*D=3, got \(2, 5\)"),
        ({"x": np.zeros(3)}, ValueError, r"x must have shape \(B, D\)"),
        ({"x": np.zeros((2, 3), dtype=int)}, TypeError, "x must be a floating-point array"),
        ({"x": np.full((2, 3), np.nan)}, ValueError, "x must be finite"),
        ({"h_prev": np.zeros((2, 5))}, ValueError, r"h_prev must have shape \(B, H\) = \(2, 4\)"),
        ({"h_prev": np.full((2, 4), np.inf)}, ValueError, "h_prev must be finite"),
        ({"weight_hh": np.zeros((4, 5))}, ValueError, r"weight_hh must have shape"),
        ({"weight_ih": np.zeros((5, 3))}, ValueError, r"weight_ih must have shape"),
        ({"bias_ih": None}, ValueError, "bias_ih and bias_hh must both be"),
        ({"bias_hh": np.zeros(3)}, ValueError, r"bias_hh must have shape \(1\*H,\) = \(4,\)"),
        ({"nonlinearity": "sigmoid"}, ValueError, "nonlinearity must be 'tanh' or 'relu'"),
    ],
)
def test_step_forward_errors(over: dict, err: type, match: str) -> None:
    with pytest.raises(err, match=match):
        rnn.rnn_step_forward(**_step_args(**over))


def test_sequence_errors() -> None:
    rng = np.random.default_rng(0)
    p = make_params(rng, 3, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, D\) with D=3, got \(2, 3\)"):
        rnn.rnn_forward_steps(np.zeros((2, 3)), None, **p)
    with pytest.raises(ValueError, match=r"x must have T>0 .*got \(0, 2, 3\)"):
        rnn.rnn_forward_steps(np.zeros((0, 2, 3)), None, **p)
    with pytest.raises(ValueError, match=r"x must have T>0 .*got \(2, 0, 3\)"):
        rnn.rnn_forward_steps(np.zeros((2, 0, 3)), None, **p)
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\) = \(2, 4\), got \(1, 4\)"):
        rnn.rnn_forward_steps(np.zeros((2, 2, 3)), np.zeros((1, 4)), **p)
    _h, cache = rnn.rnn_forward_steps(np.zeros((2, 2, 3)), None, **p)
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(2, 2, 4\)"):
        rnn.rnn_backward_steps(np.zeros((2, 2, 5)), cache)
    with pytest.raises(ValueError, match=r"dh_n must have shape \(B, H\) = \(2, 4\)"):
        rnn.rnn_backward_steps(None, cache, dh_n=np.zeros(4))
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="truncate must be None or a positive int"):
            rnn.rnn_backward_steps(None, cache, truncate=bad)
    with pytest.raises(ValueError, match=r"dh_next must have shape \(B, H\) = \(2, 4\)"):
        rnn.rnn_step_backward(np.zeros((3, 4)), rnn.step_cache(cache, 0))


# ---- the fast path computes what the steps path computes ------------------------------------


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_fast_path_equals_steps_path(
    dtype: type, tol: float, nonlinearity: str, bias: bool, truncate: int | None
) -> None:
    rng = np.random.default_rng(7)
    T, B, D, H = 7, 3, 4, 5
    p = {k: None if v is None else v.astype(dtype) for k, v in make_params(rng, D, H, bias).items()}
    x, h0 = rng.normal(size=(T, B, D)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    R, Rn = rng.normal(size=(T, B, H)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    h_s, cache_s = rnn.rnn_forward_steps(x, h0, **p, nonlinearity=nonlinearity)
    h_f, cache_f = rnn.rnn_forward(x, h0, **p, nonlinearity=nonlinearity)
    assert h_f.dtype == dtype and np.max(np.abs(h_s - h_f)) < tol
    assert cache_f.keys() == cache_s.keys()
    g_s = rnn.rnn_backward_steps(R, cache_s, dh_n=Rn, truncate=truncate)
    for cache in (cache_f, cache_s):  # the fast backward accepts either path's cache
        g_f = rnn.rnn_backward(R, cache, dh_n=Rn, truncate=truncate)
        assert g_f.keys() == g_s.keys()
        for name, g in g_s.items():
            if g is None:
                assert g_f[name] is None
            else:
                assert g_f[name].dtype == dtype
                np.testing.assert_allclose(g_f[name], g, rtol=0, atol=tol * np.abs(g).max())


def test_fast_backward_with_only_a_final_state_gradient() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=(4, 2, 3))
    p = make_params(rng, 3, 4)
    _, cache = rnn.rnn_forward(x, None, **p)
    Rn = rng.normal(size=(2, 4))
    a = rnn.rnn_backward(None, cache, dh_n=Rn)
    b = rnn.rnn_backward_steps(None, cache, dh_n=Rn)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-14)
