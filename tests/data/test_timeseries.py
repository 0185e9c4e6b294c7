"""Tests for rnncore.data.timeseries: splits, scaling, windows and the forecasting baselines."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.data.timeseries import (
    ARModel,
    Scaler,
    fit_ar,
    load_sunspots,
    make_windows,
    persistence_forecast,
    recursive_forecast,
    seasonal_naive_forecast,
)


def test_load_sunspots_is_the_yearly_series() -> None:
    years, values = load_sunspots()
    assert years.shape == values.shape == (309,)
    assert years[0] == 1700 and years[-1] == 2008
    assert np.all(np.diff(years) == 1)
    assert values.dtype == np.float64 and np.all(values >= 0)
    assert values[0] == 5.0 and values[-1] == 2.9


def test_scaler_uses_train_statistics_only() -> None:
    train, test = np.array([1.0, 2.0, 3.0]), np.array([100.0])
    s = Scaler().fit(train)
    assert s.mean_ == 2.0 and s.std_ == pytest.approx(np.sqrt(2 / 3))
    z = s.transform(test)
    assert z[0] == pytest.approx((100 - 2) / np.sqrt(2 / 3))
    np.testing.assert_allclose(s.inverse_transform(s.transform(test)), test)
    np.testing.assert_allclose(s.transform(train).mean(), 0.0, atol=1e-12)


def test_scaler_errors() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        Scaler().transform(np.ones(3))
    with pytest.raises(ValueError, match="constant"):
        Scaler().fit(np.ones(4))
    with pytest.raises(ValueError, match="at least 2 values"):
        Scaler().fit(np.ones(1))
    with pytest.raises(ValueError, match="train must be finite"):
        Scaler().fit(np.array([1.0, np.inf]))


def test_make_windows_values_and_targets() -> None:
    x = np.arange(10.0)
    X, Y = make_windows(x, window=3)
    assert X.shape == (7, 3) and Y.shape == (7, 1)
    np.testing.assert_array_equal(X[0], [0, 1, 2])
    np.testing.assert_array_equal(Y[:, 0], np.arange(3, 10))
    X2, Y2 = make_windows(x, window=3, horizon=2, start=8)
    np.testing.assert_array_equal(X2, [[4, 5, 6], [5, 6, 7]])
    np.testing.assert_array_equal(Y2, [[7, 8], [8, 9]])


def test_make_windows_never_looks_past_the_origin() -> None:
    # every input lies strictly before every target it is paired with
    x = np.arange(50.0)
    for h in (1, 4):
        X, Y = make_windows(x, window=5, horizon=h, start=30, stop=50)
        assert np.all(X.max(axis=1) < Y.min(axis=1))
        assert Y[0, -1] == 30 and Y[-1, -1] == 49


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window": 0}, "window must be a positive int"),
        ({"window": 3, "horizon": 0}, "horizon must be a positive int"),
        ({"window": 3, "start": 2}, "start must be >= window"),
        ({"window": 3, "start": 5, "stop": 5}, "start < stop"),
        ({"window": 3, "stop": 11}, "start < stop"),
    ],
)
def test_make_windows_rejects_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_windows(np.arange(10.0), **kwargs)


def test_persistence_and_seasonal_naive() -> None:
    X = np.arange(24.0).reshape(2, 12)
    np.testing.assert_array_equal(persistence_forecast(X, 3), [[11, 11, 11], [23, 23, 23]])
    # season 4: step h copies the value k*4 steps before its own time
    sn = seasonal_naive_forecast(X, season=4, horizon=6)
    np.testing.assert_array_equal(sn[0], [8, 9, 10, 11, 8, 9])
    with pytest.raises(ValueError, match="at least season=13"):
        seasonal_naive_forecast(X, season=13)
    with pytest.raises(ValueError, match="X must have 2 dimensions"):
        persistence_forecast(np.ones(3))


def test_seasonal_naive_matches_the_series_on_a_periodic_signal() -> None:
    t = np.arange(60)
    x = np.sin(2 * np.pi * t / 11)
    X, Y = make_windows(x, window=11, horizon=15, start=40)
    np.testing.assert_allclose(seasonal_naive_forecast(X, 11, 15), Y, atol=1e-12)


def test_fit_ar_recovers_a_known_process() -> None:
    rng = np.random.default_rng(0)
    n, phi = 4000, np.array([0.6, -0.3])
    y = np.zeros(n)
    for t in range(2, n):
        y[t] = 1.0 + phi[0] * y[t - 1] + phi[1] * y[t - 2] + rng.normal()
    model = fit_ar(y, order=2)
    np.testing.assert_allclose(model.coef, phi, atol=0.05)
    assert model.intercept == pytest.approx(1.0, abs=0.1)
    assert model.order == 2


def test_ar_predict_next_matches_statsmodels_in_sample() -> None:
    from statsmodels.tsa.ar_model import AutoReg

    _, y = load_sunspots()
    model = fit_ar(y[:200], order=9)
    res = AutoReg(y[:200], lags=9, trend="c").fit()
    X, _ = make_windows(y[:200], window=9)
    np.testing.assert_allclose(model.predict_next(X), res.fittedvalues, rtol=1e-10)
    with pytest.raises(ValueError, match="at least p=9"):
        model.predict_next(X[:, :5])


def test_fit_ar_errors() -> None:
    with pytest.raises(ValueError, match="longer than 2 \\* order"):
        fit_ar(np.arange(10.0), order=5)
    with pytest.raises(ValueError, match="order must be a positive int"):
        fit_ar(np.arange(10.0), order=0)


def test_recursive_forecast_of_ar_matches_closed_form() -> None:
    model = ARModel(intercept=0.0, coef=np.array([0.5]))
    out = recursive_forecast(model.predict_next, np.array([[8.0], [2.0]]), horizon=3)
    np.testing.assert_allclose(out, [[4, 2, 1], [1, 0.5, 0.25]])
    with pytest.raises(ValueError, match="step must return shape"):
        recursive_forecast(lambda a: a, np.ones((2, 3)), horizon=1)
