"""The LRU, the selective scan and linear attention in numpy: each against a plain loop written
here, their invariants (stability, normalisation, selectivity, causality), and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.nn.linear_attention import (
    decay_mask,
    elu_feature,
    linear_attention_parallel,
    linear_attention_recurrent,
    linear_attention_state_numbers,
)
from rnncore.nn.lru import lru_eigenvalues, lru_forward, lru_init
from rnncore.nn.selective import s6_init, selective_scan, selective_ssm, softplus

RNG = np.random.default_rng(0)


def test_lru_equals_its_loop() -> None:
    p = lru_init(5, 7, r_min=0.4, r_max=0.95, seed=1)
    x = RNG.standard_normal((30, 2, 5))
    lam, gamma = lru_eigenvalues(p["nu_log"], p["theta_log"]), np.exp(p["gamma_log"])
    h, ys = np.zeros((2, 7), complex), []
    for t in range(30):
        h = lam * h + gamma * (x[t] @ p["B"].T)
        ys.append((h @ p["C"].T).real + p["D"] * x[t])
    for method in ("parallel", "sequential"):
        assert np.abs(lru_forward(x, p, method=method) - np.stack(ys)).max() < 1e-12


def test_lru_eigenvalues_lie_on_the_ring_and_normalisation_holds() -> None:
    p = lru_init(4, 500, r_min=0.5, r_max=0.9, max_phase=np.pi, seed=2)
    lam = lru_eigenvalues(p["nu_log"], p["theta_log"])
    assert np.all((np.abs(lam) >= 0.5 - 1e-12) & (np.abs(lam) <= 0.9 + 1e-12))
    assert np.all((np.angle(lam) >= 0) & (np.angle(lam) <= np.pi + 1e-12))
    assert np.allclose(np.exp(p["gamma_log"]) ** 2, 1 - np.abs(lam) ** 2)
    # whatever nu_log, |lambda| < 1
    assert np.all(np.abs(lru_eigenvalues(np.full(3, -30.0), np.zeros(3))) < 1)


def test_lru_normalisation_keeps_state_variance_near_the_inputs() -> None:
    p = lru_init(1, 4, r_min=0.99, r_max=0.999, seed=3)
    p["B"] = np.ones((4, 1), complex)
    x = np.random.default_rng(4).standard_normal((20000, 1, 1))
    _, h = lru_forward(x, p, return_state=True)
    assert np.allclose(np.mean(np.abs(h[5000:]) ** 2, axis=(0, 1)), 1.0, atol=0.25)


def test_selective_scan_equals_its_loop() -> None:
    T, B, D, N = 12, 2, 3, 4
    x = RNG.standard_normal((T, B, D))
    delta = softplus(RNG.standard_normal((T, B, D)))
    A = -np.exp(RNG.standard_normal((D, N)))
    Bt, Ct = RNG.standard_normal((T, B, N)), RNG.standard_normal((T, B, N))
    h, ys = np.zeros((B, D, N)), []
    for t in range(T):
        h = np.exp(delta[t][..., None] * A) * h + (delta[t] * x[t])[..., None] * Bt[t][:, None]
        ys.append(np.einsum("bdn,bn->bd", h, Ct[t]) + x[t])
    for method in ("parallel", "sequential"):
        y = selective_scan(x, delta, A, Bt, Ct, np.ones(D), method=method)
        assert np.abs(y - np.stack(ys)).max() < 1e-12


def test_a_tiny_delta_skips_the_token() -> None:
    """Delta -> 0: decay -> 1 and nothing written, so the state ignores that step."""
    T, D, N = 6, 2, 3
    x = RNG.standard_normal((T, 1, D))
    delta = np.full((T, 1, D), 0.5)
    A = -np.ones((D, N))
    Bt, Ct = np.ones((T, 1, N)), np.ones((T, 1, N))
    skip = delta.copy()
    skip[3] = 1e-12
    x_changed = x.copy()
    x_changed[3] = 100.0
    _, h_skip = selective_scan(x_changed, skip, A, Bt, Ct, return_state=True)
    assert np.allclose(h_skip[3], h_skip[2], atol=1e-9)


def test_selective_ssm_runs_with_its_initialisation() -> None:
    p = s6_init(4, 3, seed=5)
    assert np.allclose(softplus(p["b_delta"]).min() >= 1e-3, True)
    y = selective_ssm(RNG.standard_normal((9, 2, 4)), p)
    assert y.shape == (9, 2, 4) and np.all(np.isfinite(y))
    with pytest.raises(ValueError, match="params\\['W_B'\\] must have shape"):
        selective_ssm(RNG.standard_normal((9, 2, 4)), {**p, "W_B": np.ones((2, 4))})


@pytest.mark.parametrize("decay", [False, True])
@pytest.mark.parametrize("normalize", [True, False])
def test_linear_attention_parallel_equals_recurrent(decay: bool, normalize: bool) -> None:
    q, k, v = RNG.standard_normal((3, 25, 2, 6))
    a = RNG.uniform(0.3, 1.0, (25, 2)) if decay else None
    par = linear_attention_parallel(q, k, v, a, normalize=normalize)
    rec, (S, z) = linear_attention_recurrent(q, k, v, a, normalize=normalize, return_state=True)
    assert np.abs(par - rec).max() < 1e-12 * max(1.0, np.abs(par).max())
    assert S.shape == (2, 6, 6) and z.shape == (2, 6)


def test_linear_attention_without_decay_is_a_sum_of_outer_products() -> None:
    q, k, v = RNG.standard_normal((3, 10, 1, 4))
    _, (S, _) = linear_attention_recurrent(q, k, v, return_state=True)
    assert np.allclose(S[0], elu_feature(k[:, 0]).T @ v[:, 0])


def test_decay_mask_and_causality() -> None:
    a = np.array([[0.5], [0.5], [0.5]])
    L = decay_mask(a, 3, 1)[0]
    assert np.allclose(L, [[1, 0, 0], [0.5, 1, 0], [0.25, 0.5, 1]])
    q, k, v = RNG.standard_normal((3, 8, 1, 3))
    v2 = v.copy()
    v2[5:] += 1.0
    assert np.allclose(
        linear_attention_parallel(q, k, v)[:5], linear_attention_parallel(q, k, v2)[:5]
    )


def test_state_numbers_and_bad_input() -> None:
    assert linear_attention_state_numbers(64, 64) == 64 * 64 + 64
    assert linear_attention_state_numbers(8, 4, normalize=False) == 32
    q = np.ones((4, 1, 3))
    with pytest.raises(ValueError, match="k must have shape"):
        linear_attention_parallel(q, np.ones((4, 1, 2)), q)
    with pytest.raises(ValueError, match="decay must lie in"):
        linear_attention_recurrent(q, q, q, np.full((4, 1), 1.5))
    with pytest.raises(ValueError, match="feature must be one of"):
        linear_attention_parallel(q, q, q, feature="relu")
    with pytest.raises(ValueError, match="d_k must be a positive int"):
        linear_attention_state_numbers(0, 3)
    with pytest.raises(ValueError, match="r_min and r_max"):
        lru_init(2, 3, r_min=0.9, r_max=0.5)
    with pytest.raises(ValueError, match="delta must be positive"):
        selective_scan(q, -q, -np.ones((3, 2)), np.ones((4, 1, 2)), np.ones((4, 1, 2)))
