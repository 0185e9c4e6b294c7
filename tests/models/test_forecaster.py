"""Tests for rnncore.models.forecaster: shapes, errors, a sine, seeding and the step wrapper."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnncore
from rnncore.data.timeseries import (
    Scaler,
    make_windows,
    persistence_forecast,
    recursive_forecast,
)
from rnncore.models.forecaster import (
    Forecaster,
    fit_blocks,
    fit_forecaster,
    make_step,
    predict_next,
)
from rnncore.training.metrics import rmse


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    rnncore.set_threads(1)


@pytest.mark.parametrize("mode", ["gru", "lstm", "rnn"])
def test_forward_shape(mode: str) -> None:
    model = Forecaster(mode, hidden_size=4, num_layers=2, seed=0)
    assert model(torch.zeros(5, 7)).shape == (5,)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        Forecaster("transformer")
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        Forecaster(hidden_size=0)
    model = Forecaster(hidden_size=4, seed=0)
    with pytest.raises(ValueError, match="x must have shape \\(B, W\\)"):
        model(torch.zeros(2, 3, 1))
    with pytest.raises(ValueError, match="y_train must have shape \\(N,\\) = \\(3,\\)"):
        fit_forecaster(model, np.zeros((3, 4)), np.zeros(2), steps=1)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        fit_forecaster(model, np.zeros((3, 4)), np.zeros(3), np.zeros((1, 4)), steps=1)
    with pytest.raises(ValueError, match="X_pred must be finite"):
        predict_next(model, np.array([[np.nan, 1.0]]))
    with pytest.raises(TypeError, match="scaler must be a fitted rnncore Scaler, got tuple"):
        make_step(model, (0.0, 1.0))
    with pytest.raises(RuntimeError, match="Scaler is not fitted"):
        make_step(model, Scaler())


def test_same_seed_same_model_and_fit() -> None:
    x = np.sin(np.arange(80) * 0.5)
    X, Y = make_windows(x, 6)
    results = []
    for _ in range(2):
        model = Forecaster("gru", hidden_size=8, seed=3)
        fit_forecaster(model, X, Y[:, 0], steps=20, seed=1)
        results.append(predict_next(model, X[:5]))
    np.testing.assert_array_equal(results[0], results[1])


def test_learns_a_sine_better_than_persistence() -> None:
    x = np.sin(np.arange(300) * 2 * np.pi / 11)
    X, Y = make_windows(x, 12)
    Xtr, Ytr, Xva, Yva = X[:200], Y[:200, 0], X[200:], Y[200:, 0]
    model = Forecaster("gru", hidden_size=16, seed=0)
    result = fit_forecaster(model, Xtr, Ytr, Xva, Yva, steps=300, eval_every=50, seed=0)
    err = rmse(predict_next(model, Xva), Yva)
    base = rmse(persistence_forecast(Xva)[:, 0], Yva)
    assert err < 0.2 * base, (err, base)
    assert result.best_eval is not None and result.best_eval == min(result.history["eval_loss"])


def test_make_step_undoes_the_scaling_and_plugs_into_recursive_forecast() -> None:
    model = Forecaster("gru", hidden_size=4, seed=0)
    X = np.random.default_rng(0).normal(size=(3, 5))
    scaler = Scaler().fit(np.array([8.0, 12.0]))  # mean 10, standard deviation 2
    step = make_step(model, scaler)
    np.testing.assert_allclose(step(X * 2 + 10), predict_next(model, X) * 2 + 10, rtol=1e-6)
    out = recursive_forecast(step, X * 2 + 10, horizon=3)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out[:, 0], step(X * 2 + 10))


def test_fit_blocks_scores_the_right_blocks() -> None:
    t = np.arange(200)
    x = 50 + 40 * np.sin(2 * np.pi * t / 11)
    run = fit_blocks(x, 140, 170, window=12, hidden_size=8, steps=100, eval_every=20, seed=0)
    Xt, Yt = make_windows(x, 12, start=170)
    assert run.test_rmse == pytest.approx(rmse(run.step(Xt), Yt[:, 0]))
    Xv, Yv = make_windows(x, 12, start=140, stop=170)
    assert run.val_rmse == pytest.approx(rmse(run.step(Xv), Yv[:, 0]))
    assert run.test_rmse < 0.5 * rmse(persistence_forecast(Xt)[:, 0], Yt[:, 0])
    assert 1 <= run.steps <= 100
    with pytest.raises(ValueError, match="need window < val_start < test_start"):
        fit_blocks(x, 170, 140)
