"""Tests for rnncore.viz.gradients: labelled log-scale figures, divergence markers, bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.viz.gradients import plot_clipped_norms, plot_gradient_norms, plot_loss_curves


def test_gradient_norms_plot_is_labelled_and_log_scaled() -> None:
    k = np.arange(20)
    ax = plot_gradient_norms({"rho=0.9": 0.9**k, "rho=1.1": 1.1**k}, reference={"rho=0.9": 0.9})
    assert ax.get_yscale() == "log"
    assert ax.get_title() and "steps" in ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["rho=0.9", "rho=1.1"]
    assert len(ax.get_lines()) == 3  # two curves and one dashed reference
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), 0.9**k)
    plt.close("all")


def test_loss_curves_mark_divergence_and_baseline() -> None:
    diverged = np.array([1.0, 2.0, 50.0, np.nan, np.nan])
    fine = np.linspace(1.0, 0.1, 5)
    _, ax = plt.subplots()
    out = plot_loss_curves({"no clip": diverged, "clip": fine}, ax=ax, baseline=1 / 6)
    assert out is ax and ax.get_yscale() == "log"
    lines = ax.get_lines()
    # the diverged run is drawn up to its last finite value, then an x at the NaN step
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    assert lines[1].get_marker() == "x" and list(lines[1].get_xdata()) == [4]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["no clip", "clip", "predict the mean"]
    assert any("NaN" in t.get_text() for t in ax.texts)
    plt.close("all")


def test_loss_curves_smoothing_shortens_by_window() -> None:
    ax = plot_loss_curves({"run": np.arange(1.0, 11.0)}, smooth=4, logy=False)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(
        line.get_ydata(), np.convolve(np.arange(1.0, 11.0), np.ones(4) / 4, "valid")
    )
    assert line.get_xdata()[0] == 4
    plt.close("all")


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="norms must be a non-empty mapping"):
        plot_gradient_norms({})
    with pytest.raises(ValueError, match=r"norms\['a'\] must be a non-empty 1-D array"):
        plot_gradient_norms({"a": np.ones((2, 2))})
    with pytest.raises(ValueError, match="smooth must be a positive int"):
        plot_loss_curves({"a": np.ones(3)}, smooth=0)


def test_clipped_norms_show_before_after_and_threshold() -> None:
    norms = np.array([300.0, 0.5, 12.0, 1.0, 0.2])
    ax = plot_clipped_norms(norms, 1.0)
    before, after, threshold = ax.get_lines()
    np.testing.assert_array_equal(before.get_ydata(), norms)
    np.testing.assert_array_equal(after.get_ydata(), [1.0, 0.5, 1.0, 1.0, 0.2])
    assert list(threshold.get_ydata()) == [1.0, 1.0]
    assert ax.get_yscale() == "log" and "step" in ax.get_xlabel() and ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["before clipping", "after clipping", "threshold τ = 1"]
    plt.close("all")


def test_clipped_norms_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="finite and non-negative"):
        plot_clipped_norms(np.array([1.0, np.nan]), 1.0)
    with pytest.raises(ValueError, match="max_norm must be a positive number, got 0"):
        plot_clipped_norms(np.ones(3), 0)
    plt.close("all")
