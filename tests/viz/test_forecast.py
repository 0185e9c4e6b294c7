"""Tests for rnncore.viz.forecast: the figures draw what they are given, and refuse bad shapes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.viz.forecast import plot_forecasts, plot_rmse_by_horizon


def test_plot_forecasts_lines_labels_and_errors() -> None:
    t = np.arange(2000, 2005)
    ax = plot_forecasts(t, np.ones(5), {"AR": np.zeros(5), "GRU": np.full(5, 2.0)})
    assert [line.get_label() for line in ax.get_lines()] == ["observed", "AR", "GRU"]
    np.testing.assert_array_equal(ax.get_lines()[2].get_ydata(), np.full(5, 2.0))
    assert ax.get_xlabel() == "year" and ax.get_ylabel() == "sunspot number" and ax.get_title()
    with pytest.raises(ValueError, match="forecasts\\['AR'\\] must have shape \\(5,\\)"):
        plot_forecasts(t, np.ones(5), {"AR": np.zeros(4)})
    with pytest.raises(ValueError, match="at least one forecast"):
        plot_forecasts(t, np.ones(5), {})
    plt.close("all")


def test_plot_rmse_by_horizon() -> None:
    _, ax = plt.subplots()
    out = plot_rmse_by_horizon([1, 2, 3], {"a": [1, 2, 3], "b": [2, 2, 2]}, {"a": [0.1] * 3}, ax=ax)
    assert out is ax and len(ax.get_lines()) == 2 and len(ax.collections) == 1
    assert "horizon" in ax.get_xlabel() and "RMSE" in ax.get_ylabel()
    with pytest.raises(ValueError, match="rmse\\['a'\\] must have shape \\(3,\\)"):
        plot_rmse_by_horizon([1, 2, 3], {"a": [1, 2]})
    with pytest.raises(ValueError, match="horizons must be a non-empty"):
        plot_rmse_by_horizon([], {"a": []})
    plt.close("all")
