"""Attention heatmaps: which source position each output step read from.

The picture of Bahdanau, Cho & Bengio (2015), Fig. 3: rows are output steps t, columns source
positions j, and the shade is the alignment weight alpha_tj (each row sums to 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

__all__ = ["attention_heatmap"]


def _labels(tokens: Sequence[str]) -> list[str]:
    """Make blanks visible: a space would be an empty tick label."""
    return ["␣" if t == " " else t for t in tokens]


def attention_heatmap(
    weights: np.ndarray,
    src_tokens: Sequence[str],
    tgt_tokens: Sequence[str],
    ax: Axes | None = None,
    title: str = "Attention weights",
    colorbar: bool = True,
) -> Axes:
    """Draw the alignment weights of one example as a heatmap and return the Axes.

    Parameters
    ----------
    weights : (T, S) array
        alpha_tj for output step t and source position j, each row a distribution.
    src_tokens : sequence of S str
        The source characters (x axis).
    tgt_tokens : sequence of T str
        The emitted characters (y axis), e.g. the decoded output followed by "<eos>".
    """
    w = np.asarray(getattr(weights, "detach", lambda: weights)())
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(f"weights must have non-empty shape (T, S), got {w.shape}")
    if w.dtype.kind != "f" or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite floating-point numbers")
    if w.min() < 0 or w.max() > 1 + 1e-6:
        raise ValueError(f"weights must lie in [0, 1], got [{w.min():.3g}, {w.max():.3g}]")
    if len(src_tokens) != w.shape[1]:
        raise ValueError(
            f"src_tokens must have S={w.shape[1]} entries (weights is (T, S)), "
            f"got {len(src_tokens)}"
        )
    if len(tgt_tokens) != w.shape[0]:
        raise ValueError(
            f"tgt_tokens must have T={w.shape[0]} entries (weights is (T, S)), "
            f"got {len(tgt_tokens)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.28 * w.shape[1] + 1.5), 3.5))
    image = ax.imshow(w, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(w.shape[1]), _labels(src_tokens))
    ax.set_yticks(range(w.shape[0]), _labels(tgt_tokens))
    ax.set_xlabel("source character (position j)")
    ax.set_ylabel("output character (step t)")
    ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="attention weight α (probability)")
    return ax
