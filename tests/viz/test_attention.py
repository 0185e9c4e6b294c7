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


def test_heatmap_labels_and_data():
    w = weights()
    ax = attention_heatmap(w, list("a bc"), ["1", "2", "<eos>"], title="demo")
    assert ax.get_title() == "demo"
    assert "source" in ax.get_xlabel() and "output" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "␣", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "<eos>"]
    np.testing.assert_allclose(ax.images[0].get_array(), w)
    assert len(ax.figure.axes) == 2  # the colour bar
    plt.close(ax.figure)


def test_heatmap_on_given_axes_without_colorbar():
    fig, ax = plt.subplots()
    assert attention_heatmap(weights(), list("abcd"), list("xyz"), ax=ax, colorbar=False) is ax
    assert len(fig.axes) == 1
    plt.close(fig)


def test_heatmap_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    ax = attention_heatmap(torch.tensor(weights()), list("abcd"), list("xyz"))
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
