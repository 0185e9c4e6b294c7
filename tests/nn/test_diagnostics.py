"""rnncore.nn.diagnostics: initialisers, Jacobian products, gradient norms through time."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.nn import diagnostics as d
from rnncore.nn import rnn


def test_gate_slice_follows_torch_order() -> None:
    assert d.gate_slice("lstm", "f", 5) == slice(5, 10)
    assert d.gate_slice("gru", "n", 3) == slice(6, 9)
    with pytest.raises(ValueError, match="gate must be one of"):
        d.gate_slice("gru", "f", 3)
    with pytest.raises(ValueError, match="mode must be one of"):
        d.gate_slice("elman", "h", 3)


def test_orthogonal_identity_gaussian_and_rescaling() -> None:
    Q = d.orthogonal(6, gain=0.5, rng=0)
    np.testing.assert_allclose(Q.T @ Q, 0.25 * np.eye(6), atol=1e-12)
    np.testing.assert_array_equal(d.orthogonal(6, rng=3), d.orthogonal(6, rng=3))
    assert d.spectral_radius(d.identity(4, 0.7)) == pytest.approx(0.7)
    W = d.scale_to_spectral_radius(d.gaussian(20, rng=1), 1.3)
    assert d.spectral_radius(W) == pytest.approx(1.3, rel=1e-10)
    # a rotation by 90 degrees has norm 1 but complex eigenvalues +-i: radius is |i| = 1
    assert d.spectral_radius(np.array([[0.0, -2.0], [2.0, 0.0]])) == pytest.approx(2.0)


def test_initialiser_errors() -> None:
    with pytest.raises(ValueError, match="rho must be a positive finite number"):
        d.scale_to_spectral_radius(np.eye(3), -1.0)
    with pytest.raises(ValueError, match="spectral radius 0"):
        d.scale_to_spectral_radius(np.triu(np.ones((3, 3)), 1), 1.0)
    with pytest.raises(ValueError, match="W must be square"):
        d.spectral_radius(np.ones((2, 3)))
    with pytest.raises(TypeError, match="rng must be"):
        d.orthogonal(3, rng="seed")
    with pytest.raises(ValueError, match="H must be a positive int"):
        d.identity(0)
    with pytest.raises(ValueError, match="t_max must be a finite number > 2"):
        d.chrono_bias(4, 2)


def test_forget_and_chrono_biases() -> None:
    b = d.forget_gate_bias(3, 1.0)
    np.testing.assert_array_equal(b, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    c = d.chrono_bias(200, t_max=50, rng=0)
    bf, bi = c[200:400], c[:200]
    np.testing.assert_array_equal(bi, -bf)
    assert np.all(c[400:] == 0)
    assert bf.min() >= 0.0 and bf.max() <= np.log(49)
    # the forget gate's characteristic memory 1/(1 - sigma(b_f)) = 1 + e^{b_f} spans [2, t_max]
    memory = 1.0 + np.exp(bf)
    assert memory.min() >= 2.0 and memory.max() <= 50.0 and memory.max() > 40.0


def _rnn_weights(H: int, D: int, rho: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    w_hh = d.scale_to_spectral_radius(d.gaussian(H, rng=rng), rho)
    return rng.standard_normal((H, D)) * 0.5, w_hh


def test_jacobian_product_equals_backward() -> None:
    rng = np.random.default_rng(0)
    T, B, D, H = 7, 3, 2, 5
    x = rng.standard_normal((T, B, D))
    w_ih, w_hh = _rnn_weights(H, D, 1.1, 1)
    h, _ = rnn.rnn_forward_steps(x, None, w_ih, w_hh)
    J = d.rnn_jacobians(h, w_hh)
    P = d.jacobian_product(J, T, 2)  # dh_T / dh_2
    np.testing.assert_array_equal(d.jacobian_product(J, 4, 4)[0], np.eye(H))
    # backward from dh_T down to h_2 by the step functions: dh_2 = P^T dh_T
    dh = rng.standard_normal((B, H))
    g = dh
    hs = [np.zeros((B, H)), *h]
    for t in range(T, 2, -1):
        _, cache = rnn.rnn_step_forward(x[t - 1], hs[t - 1], w_ih, w_hh)
        g = rnn.rnn_step_backward(g, cache)["h_prev"]
    np.testing.assert_allclose(g, np.einsum("bij,bi->bj", P, dh), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="need 0 <= k <= t"):
        d.jacobian_product(J, 2, 3)
    with pytest.raises(ValueError, match="nonlinearity must be"):
        d.rnn_jacobians(h, w_hh, "sigmoid")
    with pytest.raises(ValueError, match="weight_hh must have shape"):
        d.rnn_jacobians(h, np.eye(4))


@pytest.mark.parametrize("rho", [0.8, 0.95, 1.1])
def test_linear_regime_slope_is_log_rho(rho: float) -> None:
    # tiny inputs keep tanh near 0, where tanh' = 1: the product is W_hh^k
    rng = np.random.default_rng(2)
    x = rng.standard_normal((60, 8, 3)) * 1e-7
    w_ih, w_hh = _rnn_weights(64, 3, rho, 3)
    norms = d.hidden_gradient_norms("rnn", x, w_ih, w_hh)
    assert norms[0] == pytest.approx(1.0)
    assert d.fit_log_slope(norms, start=10) == pytest.approx(np.log(rho), abs=0.03)


def test_gradient_norms_match_torch_autograd() -> None:
    rng = np.random.default_rng(4)
    T, B, D, H = 12, 2, 3, 4
    x = rng.standard_normal((T, B, D))
    for mode, cls in (("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
        torch.manual_seed(0)
        layer = cls(D, H).double()
        p = {k: v.detach().numpy().copy() for k, v in layer.named_parameters()}
        norms = d.hidden_gradient_norms(
            mode, x, p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"], seed=5
        )
        # torch twin: run cell by cell, keep every h_t, and backprop the same projection of h_T
        cell = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[mode]
        c = cell(D, H).double()
        c.load_state_dict({k[:-3]: torch.from_numpy(v) for k, v in p.items()})
        h = torch.zeros(B, H, dtype=torch.float64)
        state = (h, torch.zeros_like(h)) if mode == "lstm" else h
        hs = []
        for t in range(T):
            state = c(torch.from_numpy(x[t]), state)
            h = state[0] if mode == "lstm" else state
            h.retain_grad()
            hs.append(h)
        u = np.random.default_rng(5).standard_normal((B, H))
        u = torch.from_numpy(u / np.linalg.norm(u, axis=1, keepdims=True))
        (hs[-1] * u).sum().backward()
        want = [float(hs[T - 1 - k].grad.norm(dim=1).mean()) for k in range(T)]
        np.testing.assert_allclose(norms, want, rtol=1e-10, err_msg=mode)


def test_layer_gradient_norms_reads_a_recurrent_layer() -> None:
    from rnncore.nn.recurrent import Recurrent

    layer = Recurrent("lstm", 3, 5, seed=0)
    x = np.random.default_rng(1).standard_normal((9, 2, 3))
    p = layer.params
    want = d.hidden_gradient_norms(
        "lstm", x, p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"], seed=2
    )
    np.testing.assert_array_equal(d.layer_gradient_norms(layer, x, seed=2), want)
    relu = Recurrent("rnn", 3, 5, nonlinearity="relu", bias=False, seed=0)
    assert d.layer_gradient_norms(relu, x).shape == (9,)
    with pytest.raises(TypeError, match=r"layer must be a rnncore\.nn\.recurrent\.Recurrent"):
        d.layer_gradient_norms(torch.nn.RNN(3, 5), x)


def test_gradient_norm_errors() -> None:
    w_ih, w_hh = _rnn_weights(4, 2, 1.0, 0)
    x = np.zeros((3, 1, 2))
    with pytest.raises(ValueError, match="mode must be one of"):
        d.hidden_gradient_norms("transformer", x, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"weight_hh must have shape \(4\*H, H\)"):
        d.hidden_gradient_norms("lstm", x, w_ih, w_hh)
    with pytest.raises(ValueError, match="x must have 3 dimensions"):
        d.hidden_gradient_norms("rnn", np.zeros((3, 2)), w_ih, w_hh)
    with pytest.raises(ValueError, match="at least one step"):
        d.hidden_gradient_norms("rnn", np.zeros((0, 1, 2)), w_ih, w_hh)
    with pytest.raises(ValueError, match="norms must be positive"):
        d.fit_log_slope(np.array([1.0, 0.0, 2.0]))
    with pytest.raises(ValueError, match="need at least 2 points"):
        d.fit_log_slope(np.array([1.0, 0.5]), start=1)
