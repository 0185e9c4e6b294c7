"""Tests for rnncore.viz.scan and rnncore.viz.eigenvalues."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.viz.eigenvalues import plot_eigenvalues
from rnncore.viz.scan import plot_scan_rounds


@pytest.mark.parametrize(("T", "rounds"), [(2, 1), (8, 3), (9, 4), (16, 4)])
def test_scan_figure_has_one_row_per_round_and_one_arrow_per_combine(T: int, rounds: int) -> None:
    ax = plot_scan_rounds(T)
    assert len(ax.get_yticks()) == rounds + 1
    arrows = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]
    assert len(arrows) == sum(T - 2**r for r in range(rounds))
    assert "every position holds h_t" in ax.get_title() and ax.get_xlabel()
    plt.close(ax.figure)


def test_scan_figure_rejects_bad_T() -> None:
    for T in (1, 33, 4.0, True):
        with pytest.raises(ValueError, match="T must be an int"):
            plot_scan_rounds(T)


def test_eigenvalue_figure_draws_circle_and_sets() -> None:
    z = np.exp(1j * np.linspace(0, 3, 5)) * 0.9
    ax = plot_eigenvalues({"before": z, "after": z * 0.5}, "LRU eigenvalues")
    assert ax.get_title() == "LRU eigenvalues" and ax.get_xlabel() == "Re λ"
    assert len(ax.collections) == 2 and ax.get_legend() is not None
    np.testing.assert_allclose(ax.collections[1].get_offsets()[:, 0], (z * 0.5).real)
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("arg", "title", "match"),
    [
        ({}, "t", "eigenvalues must map"),
        ({"a": np.array([np.nan])}, "t", "finite"),
        ({"a": np.ones(2)}, " ", "title must be"),
    ],
)
def test_eigenvalue_figure_rejects_bad_input(arg, title, match) -> None:
    with pytest.raises(ValueError, match=match):
        plot_eigenvalues(arg, title)
