"""rnncore.nn.lstm: gradient checks of every backward, truncation, fast == steps, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnncore.nn import lstm
from rnncore.nn.gradcheck import check_gradient

WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def make_params(rng: np.random.Generator, D: int, H: int, bias: bool = True) -> dict:
    p = {"weight_ih": rng.normal(0, 0.5, (4 * H, D)), "weight_hh": rng.normal(0, 0.5, (4 * H, H))}
    p["bias_ih"] = rng.normal(0, 0.5, 4 * H) if bias else None
    p["bias_hh"] = rng.normal(0, 0.5, 4 * H) if bias else None
    return p


@pytest.mark.parametrize("bias", [True, False])
def test_step_backward_matches_numerical_gradient(bias: bool) -> None:
    rng = np.random.default_rng(0)
    B, D, H = 3, 4, 5
    x, h_prev, c_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    p = make_params(rng, D, H, bias)
    Rh, Rc = rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def loss() -> float:
        h, c, _ = lstm.lstm_step_forward(x, h_prev, c_prev, **p)
        return float(np.sum(h * Rh) + np.sum(c * Rc))

    _, _, cache = lstm.lstm_step_forward(x, h_prev, c_prev, **p)
    grads = lstm.lstm_step_backward(Rh, Rc, cache)
    for name, arr in [("x", x), ("h_prev", h_prev), ("c_prev", c_prev)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name
    for name in WEIGHTS:
        if p[name] is None:
            assert grads[name] is None
        else:
            assert grads[name].shape == p[name].shape
            assert check_gradient(loss, p[name], grads[name]) < 1e-7, name


@pytest.mark.parametrize(
    "forward,backward",
    [("lstm_forward_steps", "lstm_backward_steps"), ("lstm_forward", "lstm_backward")],
)
def test_sequence_backward_matches_numerical_gradient(forward: str, backward: str) -> None:
    rng = np.random.default_rng(1)
    T, B, D, H = 4, 2, 3, 3
    x, h0, c0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    p = make_params(rng, D, H)
    R, Rh, Rc = rng.normal(size=(T, B, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    fwd, bwd = getattr(lstm, forward), getattr(lstm, backward)

    def loss() -> float:
        h, c, _ = fwd(x, h0, c0, **p)
        return float(np.sum(h * R) + np.sum(h[-1] * Rh) + np.sum(c[-1] * Rc))

    _, _, cache = fwd(x, h0, c0, **p)
    grads = bwd(R, cache, dh_n=Rh, dc_n=Rc)
    for name, arr in [("x", x), ("h0", h0), ("c0", c0), *((n, p[n]) for n in WEIGHTS)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_backward_treats_state_at_boundaries_as_constant(k: int) -> None:
    """The truncated gradient is the gradient of a loss whose chunks start from frozen states."""
    rng = np.random.default_rng(2)
    T, B, D, H = 5, 2, 3, 3
    x, h0, c0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    p = make_params(rng, D, H)
    R, Rc = rng.normal(size=(T, B, H)), rng.normal(size=(B, H))
    h_ref, c_ref, cache = lstm.lstm_forward_steps(x, h0, c0, **p)
    frozen = {s: (h_ref[s - 1].copy(), c_ref[s - 1].copy()) for s in range(k, T, k)}

    def loss() -> float:
        total = 0.0
        for s in range(0, T, k):
            h_start, c_start = (h0, c0) if s == 0 else frozen[s]
            h, c, _ = lstm.lstm_forward_steps(x[s : s + k], h_start, c_start, **p)
            total += float(np.sum(h * R[s : s + k]))
        return total + float(np.sum(c[-1] * Rc))

    grads = lstm.lstm_backward_steps(R, cache, dc_n=Rc, truncate=k)
    for name, arr in [("x", x), ("h0", h0), ("c0", c0), *((n, p[n]) for n in WEIGHTS)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name


def test_step_cache_slices_equal_the_step_functions_caches() -> None:
    rng = np.random.default_rng(4)
    x, h0, c0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    p = make_params(rng, 3, 4)
    _, _, cache = lstm.lstm_forward_steps(x, h0, c0, **p)
    h_prev, c_prev = h0, c0
    for t in range(3):
        h_prev, c_prev, step = lstm.lstm_step_forward(x[t], h_prev, c_prev, **p)
        sliced = lstm.step_cache(cache, t)
        assert sliced.keys() == step.keys()
        for key, value in step.items():
            np.testing.assert_array_equal(sliced[key], value)


def test_cache_exposes_gates_and_cell_states() -> None:
    rng = np.random.default_rng(5)
    p = make_params(rng, 3, 4)
    h, c, cache = lstm.lstm_forward_steps(rng.normal(size=(6, 2, 3)), None, None, **p)
    for key in ("i", "f", "g", "o", "c", "tanh_c", "h"):
        assert cache[key].shape == (6, 2, 4), key
    for key in ("i", "f", "o"):
        assert np.all((cache[key] > 0) & (cache[key] < 1)), key
    np.testing.assert_allclose(c[1], cache["f"][1] * c[0] + cache["i"][1] * cache["g"][1])
    np.testing.assert_allclose(h, cache["o"] * np.tanh(c))


def test_large_inputs_give_no_overflow_warning() -> None:
    rng = np.random.default_rng(5)
    p = make_params(rng, 3, 4)
    x = np.array([[1000.0, -1000.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h, _c, cache = lstm.lstm_step_forward(x, np.zeros((1, 4)), np.zeros((1, 4)), **p)
        grads = lstm.lstm_step_backward(np.ones((1, 4)), None, cache)
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(grads["weight_ih"]))


# ---- errors ---------------------------------------------------------------------------------


def _step_args(**over: object) -> dict:
    rng = np.random.default_rng(0)
    args = {"x": rng.normal(size=(2, 3)), "h_prev": np.zeros((2, 4)), "c_prev": np.zeros((2, 4))}
    args.update(make_params(rng, 3, 4))
    args.update(over)
    return args


@pytest.mark.parametrize(
    "over,err,match",
    [
        ({"x": np.zeros((2, 5))}, ValueError, r"x must have shape \(B, D\) .*D=3, got \(2, 5\)"),
        ({"x": np.zeros((2, 3), dtype=object)}, TypeError, "x must be a floating-point array"),
        ({"c_prev": np.zeros((2, 5))}, ValueError, r"c_prev must have shape \(B, H\) = \(2, 4\)"),
        ({"c_prev": np.full((2, 4), np.nan)}, ValueError, "c_prev must be finite"),
        ({"weight_hh": np.zeros((12, 4))}, ValueError, r"weight_hh must have shape \(4\*H, H\)"),
        ({"weight_ih": np.zeros((12, 3))}, ValueError, r"weight_ih must have shape \(4\*H, D\)"),
        ({"bias_hh": np.zeros(4)}, ValueError, r"bias_hh must have shape \(4\*H,\) = \(16,\)"),
    ],
)
def test_step_forward_errors(over: dict, err: type, match: str) -> None:
    with pytest.raises(err, match=match):
        lstm.lstm_step_forward(**_step_args(**over))


def test_sequence_errors() -> None:
    rng = np.random.default_rng(0)
    p = make_params(rng, 3, 4)
    x = np.zeros((2, 2, 3))
    with pytest.raises(ValueError, match=r"c0 must have shape \(B, H\) = \(2, 4\), got \(4,\)"):
        lstm.lstm_forward_steps(x, None, np.zeros(4), **p)
    _, _, cache = lstm.lstm_forward_steps(x, None, None, **p)
    with pytest.raises(ValueError, match=r"dc_n must have shape \(B, H\) = \(2, 4\)"):
        lstm.lstm_backward_steps(None, cache, dc_n=np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match=r"dc_next must have shape \(B, H\) = \(2, 4\)"):
        lstm.lstm_step_backward(None, np.zeros((2, 3)), lstm.step_cache(cache, 0))


# ---- the fast path computes what the steps path computes ------------------------------------


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_fast_path_equals_steps_path(dtype: type, tol: float, bias: bool, truncate: int | None):
    rng = np.random.default_rng(7)
    T, B, D, H = 7, 3, 4, 5
    p = {k: None if v is None else v.astype(dtype) for k, v in make_params(rng, D, H, bias).items()}
    x = rng.normal(size=(T, B, D)).astype(dtype)
    h0, c0 = (rng.normal(size=(B, H)).astype(dtype) for _ in range(2))
    R, Rh, Rc = rng.normal(size=(T, B, H)).astype(dtype), h0[::-1].copy(), c0[::-1].copy()
    h_s, c_s, cache_s = lstm.lstm_forward_steps(x, h0, c0, **p)
    h_f, c_f, cache_f = lstm.lstm_forward(x, h0, c0, **p)
    assert h_f.dtype == dtype and np.max(np.abs(h_s - h_f)) < tol
    assert np.max(np.abs(c_s - c_f)) < tol
    assert cache_f.keys() == cache_s.keys()
    for key in ("i", "f", "g", "o", "c", "tanh_c", "h"):
        assert np.max(np.abs(cache_f[key] - cache_s[key])) < tol, key
    g_s = lstm.lstm_backward_steps(R, cache_s, dh_n=Rh, dc_n=Rc, truncate=truncate)
    for cache in (cache_f, cache_s):
        g_f = lstm.lstm_backward(R, cache, dh_n=Rh, dc_n=Rc, truncate=truncate)
        assert g_f.keys() == g_s.keys()
        for name, g in g_s.items():
            if g is None:
                assert g_f[name] is None
            else:
                assert g_f[name].dtype == dtype
                np.testing.assert_allclose(g_f[name], g, rtol=0, atol=tol * np.abs(g).max())
    # and the steps backward accepts the fast path's cache
    g_x = lstm.lstm_backward_steps(R, cache_f, dh_n=Rh, dc_n=Rc, truncate=truncate)
    np.testing.assert_allclose(g_x["weight_hh"], g_s["weight_hh"], rtol=0, atol=tol)
