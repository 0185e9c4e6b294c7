"""Cost curves: how FLOPs, bytes or seconds grow with sequence length, one line per model.

Used by the chapter on RNNs today to put a recurrent network's constant per-token cost beside
attention's linearly growing one (Vaswani et al., 2017, Table 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

__all__ = ["OKABE_ITO", "plot_scaling"]

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def plot_scaling(
    x: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    xlabel: str,
    ylabel: str,
    title: str,
    ax: Axes | None = None,
    logx: bool = True,
    logy: bool = True,
) -> Axes:
    """Plot one line per entry of ``curves`` against ``x`` and return the Axes.

    Parameters
    ----------
    x : sequence of N positive numbers
        The lengths (or sizes) measured, e.g. context lengths t.
    curves : mapping label -> sequence of N numbers
        One series per model, e.g. ``{"GRU": ..., "attention": ...}``; at most 8.
    xlabel, ylabel, title : str
        Axis labels (with units) and title; all required, so no figure leaves them out.
    logx, logy : bool
        Logarithmic axes (the default: costs span orders of magnitude); they need positive values.
    """
    xs = np.asarray(x, dtype=float)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"x must be a non-empty 1-d sequence, got shape {xs.shape}")
    if not curves:
        raise ValueError("curves must hold at least one series, got none")
    if len(curves) > len(OKABE_ITO):
        raise ValueError(f"curves must hold at most {len(OKABE_ITO)} series, got {len(curves)}")
    for name, text in (("xlabel", xlabel), ("ylabel", ylabel), ("title", title)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a non-empty string, got {text!r}")
    if logx and np.any(xs <= 0):
        raise ValueError("x must be positive on a logarithmic axis (logx=True)")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for (label, values), colour, marker in zip(curves.items(), OKABE_ITO, _MARKERS, strict=False):
        ys = np.asarray(values, dtype=float)
        if ys.shape != xs.shape:
            raise ValueError(f"curves[{label!r}] must have {xs.size} values like x, got {ys.shape}")
        if not np.all(np.isfinite(ys)):
            raise ValueError(f"curves[{label!r}] must be finite")
        if logy and np.any(ys <= 0):
            raise ValueError(
                f"curves[{label!r}] must be positive on a logarithmic axis (logy=True)"
            )
        ax.plot(xs, ys, marker=marker, color=colour, label=label)
    if logx:
        ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return ax
