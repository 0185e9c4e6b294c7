"""Tests for rnncore.viz.scaling."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.viz.scaling import OKABE_ITO, plot_scaling


def test_plot_scaling_lines_labels_and_scales():
    x = [16, 32, 64]
    ax = plot_scaling(
        x, {"GRU": [5, 5, 5], "attention": [1, 2, 4]}, "context length t", "bytes", "Memory"
    )
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["GRU", "attention"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [1, 2, 4])
    assert lines[0].get_color() == OKABE_ITO[0] and lines[1].get_color() == OKABE_ITO[1]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title() == "Memory" and ax.get_xlabel() == "context length t"
    assert ax.get_legend() is not None
    plt.close(ax.figure)


def test_plot_scaling_linear_axes_on_given_axes():
    fig, ax = plt.subplots()
    out = plot_scaling([0, 1], {"a": [-1, 1]}, "x", "y", "t", ax=ax, logx=False, logy=False)
    assert out is ax and ax.get_yscale() == "linear"
    plt.close(fig)


@pytest.mark.parametrize(
    ("x", "curves", "labels", "match"),
    [
        ([], {"a": []}, ("x", "y", "t"), "non-empty 1-d"),
        ([1, 2], {}, ("x", "y", "t"), "at least one series"),
        ([1, 2], {"a": [1, 2, 3]}, ("x", "y", "t"), r"curves\['a'\] must have 2 values"),
        ([1, 2], {"a": [1, 0]}, ("x", "y", "t"), "positive on a logarithmic axis"),
        ([0, 2], {"a": [1, 1]}, ("x", "y", "t"), "x must be positive"),
        ([1, 2], {"a": [1, np.nan]}, ("x", "y", "t"), "finite"),
        ([1, 2], {"a": [1, 2]}, ("x", "", "t"), "ylabel must be a non-empty string"),
        ([1, 2], {str(i): [1, 2] for i in range(9)}, ("x", "y", "t"), "at most 8"),
    ],
)
def test_plot_scaling_bad_inputs(x, curves, labels, match):
    with pytest.raises(ValueError, match=match):
        plot_scaling(x, curves, *labels)
    plt.close("all")
