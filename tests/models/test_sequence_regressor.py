"""Tests for rnncore.models.sequence_regressor: shapes, init options, fit and divergence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnncore
from rnncore.data.tasks.adding import adding_batches, adding_problem
from rnncore.models.sequence_regressor import SequenceRegressor, evaluate_mse, fit
from rnncore.nn import diagnostics as d


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> None:
    rnncore.set_threads(1)  # the course's thread policy; two threads crawl on a busy machine


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_forward_shape_and_seeded(mode: str) -> None:
    x, _ = adding_problem(5, 8, seed=0)
    a = SequenceRegressor(mode, 2, 6, seed=1)
    b = SequenceRegressor(mode, 2, 6, seed=1)
    out = a(torch.from_numpy(x))
    assert out.shape == (5,)
    torch.testing.assert_close(out, b(torch.from_numpy(x)))


def test_init_options_set_the_documented_values() -> None:
    H = 8
    m = SequenceRegressor("rnn", 2, H, nonlinearity="relu", init="identity")
    torch.testing.assert_close(m.rnn.weight_hh_l0, torch.eye(H))
    assert float((m.rnn.bias_ih_l0.abs().sum() + m.rnn.bias_hh_l0.abs().sum()).detach()) == 0.0
    g = SequenceRegressor("gru", 2, H, init="orthogonal").rnn.weight_hh_l0.detach().numpy()
    for k in range(3):
        block = g[k * H : (k + 1) * H]
        np.testing.assert_allclose(block @ block.T, np.eye(H), atol=1e-6)
    f = SequenceRegressor("lstm", 2, H, init="forget_bias", forget_bias=1.0).rnn
    total = (f.bias_ih_l0 + f.bias_hh_l0).detach().numpy()
    np.testing.assert_allclose(total, d.forget_gate_bias(H, 1.0))
    c = SequenceRegressor("lstm", 2, H, init="chrono", t_max=50, seed=3).rnn
    total = (c.bias_ih_l0 + c.bias_hh_l0).detach().numpy()
    np.testing.assert_allclose(total, d.chrono_bias(H, 50, rng=np.random.default_rng(3)), rtol=1e-6)


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        SequenceRegressor("tcn", 2, 4)
    with pytest.raises(ValueError, match="init must be one of"):
        SequenceRegressor("rnn", 2, 4, init="xavier")
    with pytest.raises(ValueError, match="needs mode='lstm'"):
        SequenceRegressor("gru", 2, 4, init="chrono", t_max=10)
    with pytest.raises(ValueError, match="needs t_max"):
        SequenceRegressor("lstm", 2, 4, init="chrono")
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        SequenceRegressor("rnn", 2, 0)
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, D\) with D=2"):
        SequenceRegressor("rnn", 2, 4)(torch.zeros(3, 2, 5))


def test_fit_lowers_the_loss_on_a_short_adding_problem() -> None:
    torch.manual_seed(0)
    m = SequenceRegressor("gru", 2, 16, seed=0)
    x, y = adding_problem(500, 4, seed=9)
    before = evaluate_mse(m, x, y)
    hist = fit(m, adding_batches(32, 4, seed=1), steps=150, lr=1e-2)
    assert hist["diverged_at"] == 0
    assert hist["loss"].shape == (150,) and np.all(np.isfinite(hist["grad_norm"]))
    assert evaluate_mse(m, x, y) < 0.5 * min(before, 1 / 6)


def test_fit_reports_divergence_and_clipping_bounds_the_step() -> None:
    # a huge SGD step on a ReLU RNN with identity recurrence overflows within a few steps
    def run(clip: float | None) -> dict:
        m = SequenceRegressor("rnn", 2, 16, nonlinearity="relu", init="identity", seed=0)
        return fit(m, adding_batches(16, 30, seed=2), steps=30, lr=1.0, optimizer="sgd", clip=clip)

    wild = run(None)
    assert wild["diverged_at"] > 0 and np.isnan(wild["loss"][-1])
    tame = run(0.1)
    assert tame["diverged_at"] == 0 and np.all(np.isfinite(tame["loss"]))


def test_fit_errors() -> None:
    m = SequenceRegressor("rnn", 2, 4)
    with pytest.raises(ValueError, match="clip must be a positive number"):
        fit(m, adding_batches(4, 5), steps=1, clip=0.0)
    with pytest.raises(ValueError, match="optimizer must be 'adam' or 'sgd'"):
        fit(m, adding_batches(4, 5), steps=1, optimizer="lbfgs")
    with pytest.raises(ValueError, match="steps must be a positive int"):
        fit(m, adding_batches(4, 5), steps=0)
