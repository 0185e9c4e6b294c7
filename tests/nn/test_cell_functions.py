"""rnncore.nn.rnn, lstm and gru, one suite for every cell (fixtures ``api`` and ``cell_api``).

Gradient checks of every backward against centred differences, truncated BPTT, the caches, the
fast path against the readable one (values and dtypes), and the torch twin in float64.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from rnncore.nn.gradcheck import check_gradient, relative_error

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
PATHS = ("steps", "fast")
SIGMOID_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


# ---- gradients against centred differences -------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_step_backward_matches_numerical_gradient(api, bias: bool) -> None:
    x, states, p, R = api.step_problem(0, bias)

    def loss() -> float:
        nxt, _ = api.step_forward(x, states, p)
        return float(sum(np.sum(s * r) for s, r in zip(nxt, R, strict=True)))

    _, cache = api.step_forward(x, states, p)
    grads = api.step_backward(R, cache)
    for name, arr in [("x", x), *zip(api.state_keys("_prev"), states, strict=True)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name
    for name in PARAMS:
        if p[name] is None:
            assert grads[name] is None
        else:
            assert grads[name].shape == p[name].shape
            assert check_gradient(loss, p[name], grads[name]) < 1e-7, name


@pytest.mark.parametrize("path", PATHS)
def test_sequence_backward_matches_numerical_gradient(api, path: str) -> None:
    x, states, p, R, Rn = api.sequence_problem(1, T=4, B=2, D=3, H=4)

    def loss() -> float:
        h, finals, _ = api.forward(path, x, states, p)
        return float(np.sum(h * R) + sum(np.sum(f * r) for f, r in zip(finals, Rn, strict=True)))

    _, _, cache = api.forward(path, x, states, p)
    grads = api.backward(path, R, cache, Rn)
    for name, arr in [("x", x), *zip(api.state_keys("0"), states, strict=True)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name
    for name in PARAMS:
        assert check_gradient(loss, p[name], grads[name]) < 1e-7, name


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_backward_treats_state_at_boundaries_as_constant(api, k: int) -> None:
    """The truncated gradient is the gradient of a loss whose chunks start from frozen states."""
    T = 5
    x, states, p, R, Rn = api.sequence_problem(2, T, B=2, D=3, H=4)
    _, _, cache = api.forward("steps", x, states, p)
    frozen = {s: [cache[n][s - 1].copy() for n in api.cell.states] for s in range(k, T, k)}

    def loss() -> float:
        total = 0.0
        for s in range(0, T, k):
            h, finals, _ = api.forward("steps", x[s : s + k], states if s == 0 else frozen[s], p)
            total += float(np.sum(h * R[s : s + k]))
        return total + float(sum(np.sum(f * r) for f, r in zip(finals, Rn, strict=True)))

    grads = api.backward("steps", R, cache, Rn, truncate=k)
    for name, arr in [("x", x), *zip(api.state_keys("0"), states, strict=True)]:
        assert check_gradient(loss, arr, grads[name]) < 1e-7, name
    for name in PARAMS:
        assert check_gradient(loss, p[name], grads[name]) < 1e-7, name


@pytest.mark.parametrize("path", PATHS)
def test_truncate_at_least_T_is_full_bptt(api, path: str) -> None:
    rng = np.random.default_rng(3)
    x, p = rng.normal(size=(4, 2, 3)), api.params(rng, 3, 4)
    _, _, cache = api.forward(path, x, [None] * len(api.cell.states), p)
    R = rng.normal(size=(4, 2, 4))
    full = api.backward(path, R, cache, [None] * len(api.cell.states))
    cut = api.backward(path, R, cache, [None] * len(api.cell.states), truncate=4)
    assert full.keys() == cut.keys()
    for name in full:
        np.testing.assert_array_equal(full[name], cut[name])


# ---- the caches ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_the_sequence_cache_holds_every_step_cache(cell_api, path: str) -> None:
    rng = np.random.default_rng(4)
    x, states, p = (
        rng.normal(size=(3, 2, 3)),
        cell_api.states(rng, 2, 4),
        cell_api.params(rng, 3, 4),
    )
    _, _, cache = cell_api.forward(path, x, states, p)
    expected = {"x", *cell_api.state_keys("0"), *PARAMS, *cell_api.cell.cache_arrays}
    assert set(cache) - {"nonlinearity"} == expected
    for t in range(3):
        states, step = cell_api.step_forward(x[t], states, p)
        for key in cell_api.cell.cache_arrays:
            assert cache[key].shape == (3, 2, 4), key
            np.testing.assert_allclose(cache[key][t], step[key], rtol=0, atol=1e-13)


def test_cached_activations_follow_the_cell_equations(cell_api) -> None:
    rng = np.random.default_rng(5)
    x, p = rng.normal(size=(6, 2, 3)), cell_api.params(rng, 3, 4)
    h, _, c = cell_api.forward("steps", x, [None] * len(cell_api.cell.states), p)
    for gate, act in zip(cell_api.cell.gates, cell_api.cell.activations, strict=True):
        low, high = SIGMOID_RANGE[act]
        assert np.all((c[gate] > low) & (c[gate] < high)), gate
    if cell_api.name == "lstm":
        np.testing.assert_allclose(c["c"][1], c["f"][1] * c["c"][0] + c["i"][1] * c["g"][1])
        np.testing.assert_allclose(h, c["o"] * np.tanh(c["c"]))
    elif cell_api.name == "gru":
        z, n = c["z"], c["n"]
        np.testing.assert_allclose(h[1:], (1 - z[1:]) * n[1:] + z[1:] * h[:-1])
    else:
        a = x[1] @ p["weight_ih"].T + h[0] @ p["weight_hh"].T + p["bias_ih"] + p["bias_hh"]
        np.testing.assert_allclose(h[1], np.tanh(a))


def test_large_inputs_give_no_overflow_warning(api) -> None:
    rng = np.random.default_rng(5)
    p = api.params(rng, 3, 4)
    x = np.array([[1000.0, -1000.0, 1000.0]])
    zeros = [np.zeros((1, 4)) for _ in api.cell.states]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nxt, cache = api.step_forward(x, zeros, p)
        grads = api.step_backward([np.ones((1, 4))] * len(zeros), cache)
        for path in PATHS:
            h, _, seq = api.forward(path, np.stack([x, -x]), zeros, p)
            seq_grads = api.backward(path, np.ones_like(h), seq, [None] * len(zeros))
    assert np.all(np.isfinite(nxt[0])) and np.all(np.isfinite(grads["weight_ih"]))
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(seq_grads["weight_hh"]))


# ---- the fast path computes what the readable path computes ---------------------------------


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_fast_path_equals_steps_path(api, dtype, tol: float, bias: bool, truncate) -> None:
    rng = np.random.default_rng(7)
    T, B, D, H = 7, 3, 4, 5
    p = api.params(rng, D, H, bias, dtype)
    x, states = rng.normal(size=(T, B, D)).astype(dtype), api.states(rng, B, H, dtype)
    R = rng.normal(size=(T, B, H)).astype(dtype)
    Rn = [s[::-1].copy() for s in states]
    h_s, fin_s, cache_s = api.forward("steps", x, states, p)
    h_f, fin_f, cache_f = api.forward("fast", x, states, p)
    assert h_f.dtype == h_s.dtype == dtype
    for a, b in zip(fin_f, fin_s, strict=True):
        assert np.max(np.abs(a - b)) < tol
    assert cache_f.keys() == cache_s.keys()
    for key in api.cell.cache_arrays:
        assert np.max(np.abs(cache_f[key] - cache_s[key])) < tol, key
    g_s = api.backward("steps", R, cache_s, Rn, truncate)
    # either backward accepts either forward's cache
    for path, cache in itertools.product(PATHS, (cache_f, cache_s)):
        g = api.backward(path, R, cache, Rn, truncate)
        assert g.keys() == g_s.keys()
        for name, want in g_s.items():
            if want is None:
                assert g[name] is None
            else:
                assert g[name].dtype == dtype, name
                np.testing.assert_allclose(g[name], want, rtol=0, atol=tol * np.abs(want).max())


def test_backward_with_only_final_state_gradients(api) -> None:
    rng = np.random.default_rng(8)
    x, p = rng.normal(size=(4, 2, 3)), api.params(rng, 3, 4)
    _, _, cache = api.forward("fast", x, [None] * len(api.cell.states), p)
    Rn = [rng.normal(size=(2, 4)) for _ in api.cell.states]
    a = api.backward("fast", None, cache, Rn)
    b = api.backward("steps", None, cache, Rn)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-14)


DTYPES = ("float32", "float64")


@pytest.mark.parametrize(
    "x_dt,state_dt,w_dt", list(itertools.product(DTYPES, (*DTYPES, None), DTYPES))
)
def test_both_paths_promote_to_one_dtype(cell_api, x_dt, state_dt, w_dt) -> None:
    """x, the states (None: zeros) and the weights in float32 or float64: numpy's result type
    of what was passed, on both paths, for outputs, caches and every gradient."""
    rng = np.random.default_rng(9)
    T, B, D, H = 5, 2, 3, 4
    x = rng.normal(size=(T, B, D)).astype(x_dt)
    states = cell_api.states(rng, B, H, state_dt or np.float64)
    states = [None] * len(states) if state_dt is None else states
    p = cell_api.params(rng, D, H, dtype=w_dt)
    want = np.result_type(x_dt, w_dt, *([state_dt] if state_dt else []))
    R = rng.normal(size=(T, B, H)).astype(np.float32)  # upstream gradients follow the forward
    nxt, step = cell_api.step_forward(x[0], states, p)
    step_grads = cell_api.step_backward([np.ones((B, H), np.float32)] * len(nxt), step)
    assert all(a.dtype == want for a in (*nxt, *step_grads.values()))
    results = {}
    for path in PATHS:
        h, finals, cache = cell_api.forward(path, x, states, p)
        grads = cell_api.backward(path, R, cache, [None] * len(finals), truncate=2)
        arrays = [h, *finals, *(cache[k] for k in cell_api.cell.cache_arrays), *grads.values()]
        assert all(a.dtype == want for a in arrays), path
        results[path] = (h, grads)
    tol = 1e-12 if want == np.float64 else 1e-5
    (h_s, g_s), (h_f, g_f) = results["steps"], results["fast"]
    np.testing.assert_allclose(h_f, h_s, rtol=0, atol=tol)
    for name in g_s:
        np.testing.assert_allclose(g_f[name], g_s[name], rtol=0, atol=tol * np.abs(g_s[name]).max())


# ---- the torch twin, float64 -----------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_step_functions_match_torch(api, bias: bool) -> None:
    x, states, p, R = api.step_problem(10, bias)
    nxt, cache = api.step_forward(x, states, p)
    grads = api.step_backward(R, cache)
    _, finals_t, grads_t = api.twin(x[None], states, p, None, R)
    for ours, theirs in zip(nxt, finals_t, strict=True):
        assert relative_error(ours, theirs) < 1e-9
    ours = {"x": grads["x"][None], **{k + "0": grads[k + "_prev"] for k in api.cell.states}}
    ours.update((k, grads[k]) for k in PARAMS)
    for name, g in grads_t.items():
        assert (ours[name] is None) == (g is None), name
        assert g is None or relative_error(ours[name], g) < 1e-9, name


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("truncate", [None, 1, 2, 3])
def test_sequence_functions_match_torch(api, path: str, bias: bool, truncate) -> None:
    """Forward and gradients in float64 to 1e-9; with truncate=k torch detaches every k steps."""
    x, states, p, R, Rn = api.sequence_problem(11, T=7, B=2, D=3, H=4, bias=bias)
    h, finals, cache = api.forward(path, x, states, p)
    grads = api.backward(path, R, cache, Rn, truncate)
    h_t, finals_t, grads_t = api.twin(x, states, p, R, Rn, truncate)
    assert relative_error(h, h_t) < 1e-9
    for ours, theirs in zip(finals, finals_t, strict=True):
        assert relative_error(ours, theirs) < 1e-9
    assert grads.keys() == grads_t.keys()
    for name, g in grads_t.items():
        assert (grads[name] is None) == (g is None), name
        assert g is None or relative_error(grads[name], g) < 1e-9, name
