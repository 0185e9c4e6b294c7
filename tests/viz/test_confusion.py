"""Tests for rnncore.viz.confusion: counting the matrix by hand, and drawing it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.viz.confusion import confusion_matrix, plot_confusion


def test_confusion_matrix_counts() -> None:
    target = np.array([0, 0, 1, 2, 2, 2])
    pred = np.array([0, 1, 1, 2, 0, 2])
    cm = confusion_matrix(pred, target, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert cm.sum() == 6 and np.trace(cm) / 6 == np.mean(pred == target)


@pytest.mark.parametrize(
    ("pred", "target", "exc", "match"),
    [
        (np.array([0, 3]), np.array([0, 1]), ValueError, "pred must hold class ids in \\[0, 3\\)"),
        (np.array([0.0, 1.0]), np.array([0, 1]), TypeError, "pred must be a 1-d integer array"),
        (np.array([0, 1]), np.array([0]), ValueError, "equal in shape"),
        (np.array([], dtype=int), np.array([], dtype=int), ValueError, "non-empty"),
    ],
)
def test_confusion_matrix_errors(pred: object, target: object, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        confusion_matrix(pred, target, 3)


def test_plot_confusion_shows_counts_and_shares() -> None:
    cm = np.array([[3, 1], [0, 4]])
    ax = plot_confusion(cm, ["a", "b"])
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.75, 0.25], [0.0, 1.0]])
    assert sorted(t.get_text() for t in ax.texts) == ["1", "3", "4"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    with pytest.raises(ValueError, match="class_names must have C=2 entries"):
        plot_confusion(cm, ["a"])
    with pytest.raises(ValueError, match="square \\(C, C\\) integer array"):
        plot_confusion(np.ones((2, 3), dtype=int))
    plt.close("all")
