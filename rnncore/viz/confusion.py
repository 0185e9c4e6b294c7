"""The confusion matrix of a classifier: counting it, and drawing it as an annotated heat map.

Self-contained (colour map and text colours set here); the plot takes an optional ``ax`` and
returns it. Rows are the true classes, columns the predicted ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnncore.utils import check_positive_int

__all__ = ["confusion_matrix", "plot_confusion"]


def confusion_matrix(pred: Any, target: Any, n_classes: int) -> np.ndarray:
    """Count (true class, predicted class) pairs: pred, target (N,) ints in [0, C) -> (C, C) ints.

    Entry ``[i, j]`` is the number of examples of class ``i`` predicted as ``j``; the diagonal holds
    the correct predictions, so ``trace / N`` is the accuracy.
    """
    C = check_positive_int(n_classes, "n_classes")
    p, t = np.asarray(pred), np.asarray(target)
    for name, arr in (("pred", p), ("target", t)):
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise TypeError(f"{name} must be a 1-d integer array, got {arr.dtype} {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() >= C):
            raise ValueError(
                f"{name} must hold class ids in [0, {C}), got {arr.min()}..{arr.max()}"
            )
    if p.shape != t.shape or p.size == 0:
        raise ValueError(
            f"pred and target must be non-empty and equal in shape, got {p.shape}, {t.shape}"
        )
    cm = np.zeros((C, C), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def plot_confusion(
    cm: Any,
    class_names: Sequence[str] | None = None,
    ax=None,
    title: str = "Confusion matrix",
    normalize: bool = True,
):
    """Draw a (C, C) confusion matrix; with ``normalize`` a row shows shares of its true class.

    Cells carry the raw counts as text, so small classes stay readable. Returns the Axes.
    """
    m = np.asarray(cm)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.dtype.kind not in "iu":
        raise ValueError(f"cm must be a square (C, C) integer array, got {m.dtype} {m.shape}")
    C = m.shape[0]
    names = [str(i) for i in range(C)] if class_names is None else list(class_names)
    if len(names) != C:
        raise ValueError(f"class_names must have C={C} entries, got {len(names)}")
    rows = m.sum(axis=1, keepdims=True)
    shown = m / np.maximum(rows, 1) if normalize else m
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.5, 4.5))
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    ax.figure.colorbar(image, ax=ax, label="share of true class" if normalize else "count")
    for i in range(C):
        for j in range(C):
            if m[i, j]:
                dark = shown[i, j] > 0.6 * (1 if normalize else shown.max())
                colour = "white" if dark else "black"
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(C), names)
    ax.set_yticks(range(C), names)
    ax.set(title=title, xlabel="predicted class", ylabel="true class")
    ax.grid(False)
    return ax
