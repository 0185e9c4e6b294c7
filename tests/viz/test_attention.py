"""Tests for rnncore.viz.attention."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.viz.attention import attention_heatmap


def weights(T=3, S=4, seed=0):
    w = np.random.default_rng(seed).random((T, S))
    return w / w.sum(1, keepdims=True)


def test_heatmap_draws_the_weights_rows_as_outputs_with_labels_and_fixed_range():
    w = weights()  # (T=3, S=4): not square, so a transposed image cannot pass
    ax = attention_heatmap(w, list("a bc"), ["1", "2", "<eos>"], title="demo")
    image = ax.images[0]
    # the image is the weight matrix itself: row t is output step t, column j source position j
    np.testing.assert_array_equal(image.get_array(), w)
    assert image.origin == "upper"  # row 0, the first output, at the top
    left, right, bottom, top = image.get_extent()
    assert (left, right, bottom, top) == (-0.5, 3.5, 2.5, -0.5)
    # each tick label sits on its row or column, source along x and outputs along y
    assert list(ax.get_xticks()) == [0, 1, 2, 3] and list(ax.get_yticks()) == [0, 1, 2]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "␣", "b", "c"]  # blank visible
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "<eos>"]
    assert ax.get_title() == "demo"
    assert ax.get_xlabel() == "source character (position j)"
    assert ax.get_ylabel() == "output character (step t)"
    # the colours mean probabilities: the full range [0, 1] whatever the weights, viridis
    assert image.get_clim() == (0.0, 1.0) and image.get_cmap().name == "viridis"
    colorbar = ax.figure.axes[1]
    assert len(ax.figure.axes) == 2 and colorbar.get_ylabel() == "attention weight α (probability)"
    assert colorbar.get_ylim() == (0.0, 1.0)
    plt.close(ax.figure)


def test_heatmap_on_given_axes_without_colorbar():
    fig, ax = plt.subplots()
    assert attention_heatmap(weights(), list("abcd"), list("xyz"), ax=ax, colorbar=False) is ax
    assert len(fig.axes) == 1
    plt.close(fig)


def test_heatmap_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    ax = attention_heatmap(torch.tensor(weights()), list("abcd"), list("xyz"))
    np.testing.assert_array_equal(ax.images[0].get_array(), weights())
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("w", "src", "tgt", "match"),
    [
        (np.ones(3), "abc", "x", r"shape \(T, S\)"),
        (weights(), "abc", "xyz", "src_tokens must have S=4"),
        (weights(), "abcd", "xy", "tgt_tokens must have T=3"),
        (weights() * 3, "abcd", "xyz", r"\[0, 1\]"),
        (np.full((3, 4), np.nan), "abcd", "xyz", "finite"),
    ],
)
def test_heatmap_bad_inputs(w, src, tgt, match):
    with pytest.raises(ValueError, match=match):
        attention_heatmap(w, list(src), list(tgt))
