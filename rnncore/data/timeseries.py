"""Time series plumbing for forecasting: the sunspot data, scaling, windows and baselines.

Everything here serves one rule: nothing from the future may reach a model. Splits are contiguous
blocks in time (train, then validation, then test: :func:`rnncore.data.split.split_by_position`),
the scaler is fitted on the fitting block only, and :func:`make_windows` selects windows by the
position of their *target*, so a test window may look back into earlier years (those values are
known when the forecast is made) but never forward.

Baselines, each the honest bar a neural forecaster has to clear:

- persistence, :math:`\\hat y_{t+h} = y_t` (the random-walk forecast);
- seasonal naive, :math:`\\hat y_{t+h} = y_{t+h-kS}` with the smallest :math:`k` such that
  :math:`kS \\ge h`, for a cycle of length :math:`S` (11 years for sunspots);
- an autoregressive model :math:`y_t = c + \\sum_{i=1}^p \\phi_i y_{t-i} + \\varepsilon_t`,
  fitted by conditional least squares with ``statsmodels`` (Yule 1927 introduced it on sunspot
  numbers; Box & Jenkins 1970 is the standard reference).

Shapes use N for the number of windows and W for the window length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnncore.utils import check_array, check_positive_int

__all__ = [
    "ARModel",
    "Scaler",
    "fit_ar",
    "load_sunspots",
    "make_windows",
    "persistence_forecast",
    "recursive_forecast",
    "seasonal_naive_forecast",
]


def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Return the yearly sunspot numbers 1700-2008 bundled with ``statsmodels`` (public domain).

    Returns
    -------
    years : (309,) int array, 1700 ... 2008.
    values : (309,) float64 array, the yearly mean sunspot number (the pre-2015 version 1 series).
    """
    try:
        from statsmodels.datasets import sunspots
    except ImportError as err:  # pragma: no cover - statsmodels is in requirements.txt
        raise ImportError("load_sunspots needs statsmodels: pip install statsmodels") from err
    frame = sunspots.load_pandas().data
    years = frame["YEAR"].to_numpy().astype(np.int64)
    values = frame["SUNACTIVITY"].to_numpy().astype(np.float64)
    return years, values


def _check_series(series: object, name: str = "series") -> np.ndarray:
    arr = check_array(series, name, ndim=1, dtype=np.float64)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


class Scaler:
    """Standardise with a mean and standard deviation fitted on training values only.

    ``fit`` on the fitting block, then ``transform`` any block with those statistics; the forecast
    is mapped back to sunspot numbers with ``inverse_transform``.
    """

    def __init__(self) -> None:
        self.mean_: float | None = None
        self.std_: float | None = None

    def fit(self, train: object) -> Scaler:
        """Store the mean and (population) standard deviation of ``train``: (n,) or any shape."""
        arr = check_array(train, "train", dtype=np.float64)
        if arr.size < 2:
            raise ValueError(f"train must hold at least 2 values to fit a scale, got {arr.size}")
        std = float(arr.std())
        if std == 0.0:
            raise ValueError("train is constant (standard deviation 0), cannot scale it")
        self.mean_, self.std_ = float(arr.mean()), std
        return self

    def _fitted(self) -> tuple[float, float]:
        if self.mean_ is None or self.std_ is None:
            raise RuntimeError("Scaler is not fitted: call fit(train) first")
        return self.mean_, self.std_

    def transform(self, x: object) -> np.ndarray:
        """Return ``(x - mean) / std`` with the fitted statistics; any shape."""
        mean, std = self._fitted()
        return (check_array(x, "x", dtype=np.float64) - mean) / std

    def inverse_transform(self, z: object) -> np.ndarray:
        """Return ``z * std + mean``, the inverse of :meth:`transform`; any shape."""
        mean, std = self._fitted()
        return check_array(z, "z", dtype=np.float64) * std + mean


def make_windows(
    series: object,
    window: int,
    horizon: int = 1,
    start: int | None = None,
    stop: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut input windows and the values that follow them, selected by the position of the target.

    Window ``i`` ends at the forecast origin ``o = t - horizon`` and its targets are the next
    ``horizon`` values, the last at index ``t``, for every ``t`` in ``[start, stop)``. Choosing
    ``t`` inside the test block gives exactly the test forecasts, with inputs from the past only.

    Parameters
    ----------
    series : (n,) float array.
    window : W, the number of past values the model sees.
    horizon : how many steps ahead the last target lies.
    start, stop : target positions; default ``start = W + horizon - 1`` (the first possible),
        ``stop = n``.

    Returns
    -------
    X : (N, W) inputs ``series[o - W + 1 : o + 1]``.
    Y : (N, horizon) targets ``series[o + 1 : t + 1]``.
    """
    arr = _check_series(series)
    window = check_positive_int(window, "window")
    horizon = check_positive_int(horizon, "horizon")
    first = window + horizon - 1
    start = first if start is None else int(start)
    stop = arr.size if stop is None else int(stop)
    if start < first:
        raise ValueError(
            f"start must be >= window + horizon - 1 = {first} so every window has W={window} "
            f"past values, got {start}"
        )
    if not start < stop <= arr.size:
        raise ValueError(
            f"need start < stop <= len(series)={arr.size}, got start={start}, stop={stop}"
        )
    targets = np.arange(start, stop)
    origins = targets - horizon
    X = arr[origins[:, None] + np.arange(-window + 1, 1)[None, :]]
    Y = arr[origins[:, None] + np.arange(1, horizon + 1)[None, :]]
    return X, Y


def persistence_forecast(X: object, horizon: int = 1) -> np.ndarray:
    """Forecast the last observed value for every step ahead. X: (N, W) -> (N, horizon)."""
    arr = check_array(X, "X", ndim=2, dtype=np.float64)
    horizon = check_positive_int(horizon, "horizon")
    return np.repeat(arr[:, -1:], horizon, axis=1)


def seasonal_naive_forecast(X: object, season: int, horizon: int = 1) -> np.ndarray:
    """Forecast each step with the value whole seasons earlier. X: (N, W) -> (N, horizon).

    Step ``h`` (1-based) copies ``X[:, W - k*season + h - 1]`` with ``k = ceil(h / season)``, so
    the copied value is always observed; W must therefore be at least ``season``.
    """
    arr = check_array(X, "X", ndim=2, dtype=np.float64)
    season = check_positive_int(season, "season")
    horizon = check_positive_int(horizon, "horizon")
    W = arr.shape[1]
    if W < season:
        raise ValueError(f"X must hold at least season={season} past values per row, got W={W}")
    steps = np.arange(1, horizon + 1)
    k = -(-steps // season)  # ceil division
    return arr[:, W - k * season + steps - 1]


@dataclass(frozen=True)
class ARModel:
    """A fitted AR(p): ``y_t = intercept + sum_i coef[i-1] * y_{t-i}``."""

    intercept: float
    coef: np.ndarray  # (p,), coef[0] multiplies the most recent value

    @property
    def order(self) -> int:
        return int(self.coef.size)

    def predict_next(self, X: object) -> np.ndarray:
        """One-step forecast from the last ``p`` values of each row. X: (N, W), W >= p -> (N,)."""
        arr = check_array(X, "X", ndim=2, dtype=np.float64)
        p = self.order
        if arr.shape[1] < p:
            raise ValueError(
                f"X must hold at least p={p} past values per row, got W={arr.shape[1]}"
            )
        recent_first = arr[:, ::-1][:, :p]
        return self.intercept + recent_first @ self.coef


def fit_ar(train: object, order: int) -> ARModel:
    """Fit an AR(``order``) with a constant to ``train`` by conditional least squares (statsmodels).

    train: (n,) with n > 2 * order. Returns an :class:`ARModel` whose ``predict_next`` applies the
    fitted coefficients to any window, so forecasts on later years use only past observations.
    """
    from statsmodels.tsa.ar_model import AutoReg

    arr = _check_series(train, "train")
    order = check_positive_int(order, "order")
    if arr.size <= 2 * order:
        raise ValueError(f"train must be longer than 2 * order = {2 * order}, got {arr.size}")
    params = AutoReg(arr, lags=order, trend="c").fit().params
    return ARModel(intercept=float(params[0]), coef=np.asarray(params[1:], dtype=np.float64))


def recursive_forecast(
    step: Callable[[np.ndarray], np.ndarray], X: object, horizon: int
) -> np.ndarray:
    """Forecast ``horizon`` steps by feeding each one-step forecast back as the newest input.

    step : maps windows (N, W) to one-step forecasts (N,), e.g. ``ARModel.predict_next``.
    X : (N, W) windows. Returns (N, horizon); column ``h-1`` is the ``h``-step-ahead forecast.
    """
    arr = check_array(X, "X", ndim=2, dtype=np.float64).copy()
    horizon = check_positive_int(horizon, "horizon")
    out = np.empty((arr.shape[0], horizon))
    for h in range(horizon):
        nxt = np.asarray(step(arr), dtype=np.float64).reshape(-1)
        if nxt.shape != (arr.shape[0],):
            raise ValueError(f"step must return shape (N,) = ({arr.shape[0]},), got {nxt.shape}")
        out[:, h] = nxt
        arr = np.concatenate([arr[:, 1:], nxt[:, None]], axis=1)
    return out
