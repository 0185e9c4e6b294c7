"""Forecasting figures: forecasts against the observed series, and error against horizon.

Self-contained (Okabe & Ito colours set here); each function takes an optional ``ax`` and returns
it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["plot_forecasts", "plot_rmse_by_horizon"]

_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
_STYLES = ("-", "--", "-.", ":")


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 3.5))
    return ax


def plot_forecasts(
    time: object,
    observed: object,
    forecasts: Mapping[str, object],
    ax=None,
    title: str = "One-step-ahead forecasts on the test years",
    xlabel: str = "year",
    ylabel: str = "sunspot number",
):
    """Draw the observed series (black) and each named forecast over the same time axis.

    time, observed : (N,) arrays; forecasts : name -> (N,) array. Returns the Axes.
    """
    t = np.asarray(time)
    obs = np.asarray(observed, dtype=float)
    if t.ndim != 1 or obs.shape != t.shape:
        raise ValueError(
            f"time and observed must be (N,) of equal length, got {t.shape}, {obs.shape}"
        )
    if not forecasts:
        raise ValueError("forecasts must name at least one forecast")
    ax = _axes(ax)
    ax.plot(t, obs, color="#000000", lw=2, marker="o", ms=3, label="observed")
    for i, (name, values) in enumerate(forecasts.items()):
        v = np.asarray(values, dtype=float)
        if v.shape != t.shape:
            raise ValueError(f"forecasts[{name!r}] must have shape {t.shape}, got {v.shape}")
        ax.plot(t, v, color=_COLOURS[i % len(_COLOURS)], ls=_STYLES[i % len(_STYLES)], label=name)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize="small", ncol=2)
    return ax


def plot_rmse_by_horizon(
    horizons: object,
    rmse: Mapping[str, object],
    spread: Mapping[str, object] | None = None,
    ax=None,
    title: str = "Forecast error grows with the horizon",
    ylabel: str = "RMSE (sunspot number)",
):
    """Draw RMSE against forecast horizon, one marked line per model.

    horizons : (K,) ints; rmse : name -> (K,) RMSE values; spread : optional name -> (K,) half-width
    (e.g. the standard deviation over seeds) drawn as a band. Returns the Axes.
    """
    h = np.asarray(horizons)
    if h.ndim != 1 or h.size == 0:
        raise ValueError(f"horizons must be a non-empty (K,) array, got shape {h.shape}")
    if not rmse:
        raise ValueError("rmse must name at least one model")
    ax = _axes(ax)
    for i, (name, values) in enumerate(rmse.items()):
        v = np.asarray(values, dtype=float)
        if v.shape != h.shape:
            raise ValueError(f"rmse[{name!r}] must have shape {h.shape}, got {v.shape}")
        colour = _COLOURS[i % len(_COLOURS)]
        ax.plot(h, v, color=colour, ls=_STYLES[i % len(_STYLES)], marker="o", ms=4, label=name)
        if spread is not None and name in spread:
            s = np.asarray(spread[name], dtype=float)
            ax.fill_between(h, v - s, v + s, color=colour, alpha=0.2, lw=0)
    ax.set(title=title, xlabel="forecast horizon (years ahead)", ylabel=ylabel)
    ax.set_xticks(h)
    ax.legend(fontsize="small")
    return ax
