"""rnncore.nn.gru: gradient checks of every backward, truncation, fast == steps, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnncore.nn import gru
from rnncore.nn.gradcheck import check_gradient

WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def make_params(rng: np.random.Generator, D: int, H: int, bias: bool = True) -> dict:
    p = {"weight_ih": rng.normal(0, 0.5, (3 * H, D)), "weight_hh": rng.normal(0, 0.5, (3 * H, H))}
    p["bias_ih"] = rng.normal(0, 0.5, 3 * H) if bias else None
    p["bias_hh"] = rng.normal(0, 0.5, 3 * H) if bias else None
    return p


@pytest.mark.parametrize("bias", [True, False])
def test_step_backward_matches_numerical_gradient(bias: bool) -> None:
    rng = np.random.default_rng(0)
    B, D, H = 3, 4, 5
    x, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    p = make_params(rng, D, H, bias)
    R = rng.normal(size=(B, H))

    def loss() -> float:
        return float(np.sum(gru.gru_step_forward(x, h_prev, **p)[0] * R))

    _, cache = gru.gru_step_forward(x, h_prev, **p)
    grads = gru.gru_step_backward(R, cache)
    for name, arr in [("x", x), ("h_prev", h_prev)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name
    for name in WEIGHTS:
        if p[name] is None:
            assert grads[name] is None
        else:
            assert grads[name].shape == p[name].shape
            assert check_gradient(loss, p[name], grads[name]) < 1e-7, name


@pytest.mark.parametrize(
    "forward,backward",
    [("gru_forward_steps", "gru_backward_steps"), ("gru_forward", "gru_backward")],
)
def test_sequence_backward_matches_numerical_gradient(forward: str, backward: str) -> None:
    rng = np.random.default_rng(1)
    T, B, D, H = 4, 2, 3, 4
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
    p = make_params(rng, D, H)
    R, Rn = rng.normal(size=(T, B, H)), rng.normal(size=(B, H))
    fwd, bwd = getattr(gru, forward), getattr(gru, backward)

    def loss() -> float:
        h, _ = fwd(x, h0, **p)
        return float(np.sum(h * R) + np.sum(h[-1] * Rn))

    _, cache = fwd(x, h0, **p)
    grads = bwd(R, cache, dh_n=Rn)
    for name, arr in [("x", x), ("h0", h0), *((n, p[n]) for n in WEIGHTS)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_backward_treats_state_at_boundaries_as_constant(k: int) -> None:
    """The truncated gradient is the gradient of a loss whose chunks start from frozen states."""
    rng = np.random.default_rng(2)
    T, B, D, H = 5, 2, 3, 4
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
    p = make_params(rng, D, H)
    R = rng.normal(size=(T, B, H))
    h_ref, cache = gru.gru_forward_steps(x, h0, **p)
    frozen = {s: h_ref[s - 1].copy() for s in range(k, T, k)}

    def loss() -> float:
        total = 0.0
        for s in range(0, T, k):
            h, _ = gru.gru_forward_steps(x[s : s + k], h0 if s == 0 else frozen[s], **p)
            total += float(np.sum(h * R[s : s + k]))
        return total

    grads = gru.gru_backward_steps(R, cache, truncate=k)
    for name, arr in [("x", x), ("h0", h0), *((n, p[n]) for n in WEIGHTS)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name


def test_step_cache_slices_equal_the_step_functions_caches() -> None:
    rng = np.random.default_rng(4)
    x, h0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4))
    p = make_params(rng, 3, 4)
    _, cache = gru.gru_forward_steps(x, h0, **p)
    h_prev = h0
    for t in range(3):
        h_prev, step = gru.gru_step_forward(x[t], h_prev, **p)
        sliced = gru.step_cache(cache, t)
        assert sliced.keys() == step.keys()
        for key, value in step.items():
            np.testing.assert_array_equal(sliced[key], value)


def test_cache_exposes_gates() -> None:
    rng = np.random.default_rng(5)
    p = make_params(rng, 3, 4)
    h, cache = gru.gru_forward_steps(rng.normal(size=(6, 2, 3)), None, **p)
    for key in ("r", "z", "n", "hn", "h"):
        assert cache[key].shape == (6, 2, 4), key
    for key in ("r", "z"):
        assert np.all((cache[key] > 0) & (cache[key] < 1)), key
    z, n = cache["z"], cache["n"]
    np.testing.assert_allclose(h[1:], (1 - z[1:]) * n[1:] + z[1:] * h[:-1])


def test_large_inputs_give_no_overflow_warning() -> None:
    rng = np.random.default_rng(5)
    p = make_params(rng, 3, 4)
    x = np.array([[1000.0, -1000.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h, cache = gru.gru_step_forward(x, np.zeros((1, 4)), **p)
        grads = gru.gru_step_backward(np.ones((1, 4)), cache)
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(grads["weight_ih"]))


# ---- errors ---------------------------------------------------------------------------------


def _step_args(**over: object) -> dict:
    rng = np.random.default_rng(0)
    args = {"x": rng.normal(size=(2, 3)), "h_prev": np.zeros((2, 4)), **make_params(rng, 3, 4)}
    args.update(over)
    return args


@pytest.mark.parametrize(
    "over,err,match",
    [
        ({"x": np.zeros((2, 5))}, ValueError, r"x must have shape \(B, D\) .*D=3, got \(2, 5\)"),
        ({"x": np.zeros((2, 3), dtype=bool)}, TypeError, "x must be a floating-point array"),
        ({"x": np.zeros((0, 3))}, ValueError, r"x must have shape \(B, D\) with B>0"),
        ({"h_prev": np.zeros((3, 4))}, ValueError, r"h_prev must have shape \(B, H\) = \(2, 4\)"),
        ({"weight_hh": np.zeros((16, 4))}, ValueError, r"weight_hh must have shape \(3\*H, H\)"),
        ({"bias_ih": np.zeros((3, 4))}, ValueError, r"bias_ih must have shape \(3\*H,\) = \(12,\)"),
    ],
)
def test_step_forward_errors(over: dict, err: type, match: str) -> None:
    with pytest.raises(err, match=match):
        gru.gru_step_forward(**_step_args(**over))


def test_sequence_errors() -> None:
    rng = np.random.default_rng(0)
    p = make_params(rng, 3, 4)
    with pytest.raises(
        ValueError, match=r"x must have shape \(T, B, D\) with D=3, got \(2, 2, 2\)"
    ):
        gru.gru_forward_steps(np.zeros((2, 2, 2)), None, **p)
    with pytest.raises(ValueError, match="h0 must be finite"):
        gru.gru_forward_steps(np.zeros((2, 2, 3)), np.full((2, 4), np.nan), **p)
    _, cache = gru.gru_forward_steps(np.zeros((2, 2, 3)), None, **p)
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(2, 2, 4\)"):
        gru.gru_backward_steps(np.zeros((1, 2, 4)), cache)


# ---- the fast path computes what the steps path computes ------------------------------------


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_fast_path_equals_steps_path(dtype: type, tol: float, bias: bool, truncate: int | None):
    rng = np.random.default_rng(7)
    T, B, D, H = 7, 3, 4, 5
    p = {k: None if v is None else v.astype(dtype) for k, v in make_params(rng, D, H, bias).items()}
    x, h0 = rng.normal(size=(T, B, D)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    R, Rn = rng.normal(size=(T, B, H)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    h_s, cache_s = gru.gru_forward_steps(x, h0, **p)
    h_f, cache_f = gru.gru_forward(x, h0, **p)
    assert h_f.dtype == dtype and np.max(np.abs(h_s - h_f)) < tol
    assert cache_f.keys() == cache_s.keys()
    for key in ("r", "z", "n", "hn", "h"):
        assert np.max(np.abs(cache_f[key] - cache_s[key])) < tol, key
    g_s = gru.gru_backward_steps(R, cache_s, dh_n=Rn, truncate=truncate)
    for cache in (cache_f, cache_s):
        g_f = gru.gru_backward(R, cache, dh_n=Rn, truncate=truncate)
        assert g_f.keys() == g_s.keys()
        for name, g in g_s.items():
            if g is None:
                assert g_f[name] is None
            else:
                assert g_f[name].dtype == dtype
                np.testing.assert_allclose(g_f[name], g, rtol=0, atol=tol * np.abs(g).max())
