"""Figures for connectionist temporal classification: the alignment lattice, per-frame posteriors,
and images of digit strings with their columns, labels and decodings.

The lattice of the forward-backward recursions (Graves et al. 2006) is drawn with frames t across,
the states s of the extended label sequence l' = (blank, l_1, blank, ..., l_U, blank) down, and a
shade per cell; cells no valid path can reach are left white.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from rnncore.viz import OKABE_ITO

__all__ = ["digit_string_image", "frame_posteriors", "lattice_heatmap"]


def _finite_2d(values: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    if np.isnan(arr).any() or np.isposinf(arr).any():
        raise ValueError(f"{name} must not hold NaN or +inf (-inf marks unreachable cells)")
    return arr


def lattice_heatmap(
    values: np.ndarray,
    state_labels: Sequence[str],
    ax: Axes | None = None,
    title: str = "CTC lattice",
    colorbar_label: str = "log10 α",
    colorbar: bool = True,
) -> Axes:
    """Draw a lattice ``values (T, S')`` (frames by states) as a heatmap, states downwards.

    ``-inf`` cells (unreachable) stay white. ``state_labels`` names the S' states, e.g.
    ``["-", "3", "-", "3", "-"]`` for the target "33" with "-" the blank.
    """
    arr = _finite_2d(values, "values")
    T, S2 = arr.shape
    if len(state_labels) != S2:
        raise ValueError(
            f"state_labels must have S'={S2} entries (values is (T, S')), got {len(state_labels)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.35 * T + 1.5), max(2.5, 0.35 * S2 + 1.0)))
    masked = np.ma.masked_invalid(np.where(np.isfinite(arr), arr, np.nan)).T
    image = ax.imshow(masked, cmap="viridis", aspect="auto", interpolation="nearest")
    ax.set_facecolor("white")
    ax.grid(False)
    ax.set_yticks(range(S2), [f"{s}: {lab}" for s, lab in enumerate(state_labels)])
    ax.set_xticks(range(T), [str(t + 1) for t in range(T)])
    ax.set_xlabel("frame t")
    ax.set_ylabel("state s of l'")
    ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=colorbar_label)
    return ax


def frame_posteriors(
    probs: np.ndarray,
    classes: Sequence[int],
    names: Sequence[str],
    *,
    title: str = "Per-frame probabilities",
    ax: Axes | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
    blank: int = 0,
    xlabel: str = "frame t",
    legend: bool = True,
) -> Axes:
    """Plot, for each class id in ``classes``, its probability at every frame of ``probs (T, C)``.

    The blank is drawn dashed in black, the others in the Okabe-Ito colours; the legend sits to
    the right of the axes (``legend=False`` leaves it to the caller, e.g. one ``fig.legend`` for
    a stack of panels). ``spans`` (optional) shades the true frames [start, end) of each label.
    """
    p = _finite_2d(probs, "probs")
    T, C = p.shape
    if len(classes) != len(names):
        raise ValueError(f"names must match classes, got {len(names)} names for {len(classes)}")
    if any(not 0 <= k < C for k in classes):
        raise ValueError(f"classes must be ids in [0, C={C}), got {list(classes)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.0))
    for start, end in spans or []:
        ax.axvspan(start - 0.5, end - 0.5, color="#999999", alpha=0.2, lw=0)
    colours = iter(OKABE_ITO)
    for k, name in zip(classes, names, strict=True):
        if k == blank:
            ax.plot(range(T), p[:, k], "--", color="#000000", lw=1.2, label=name)
        else:
            ax.plot(range(T), p[:, k], color=next(colours), lw=1.5, label=name)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("probability")
    ax.set_title(title)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return ax


def digit_string_image(
    image: np.ndarray,
    ax: Axes | None = None,
    title: str = "",
    spans: Sequence[tuple[int, int]] | None = None,
    span_labels: Sequence[str] | None = None,
    stride: int = 1,
) -> Axes:
    """Show one digit-string canvas ``image (D, W)`` (ink dark on white).

    With ``spans`` (in columns), outline each digit's columns [start, end) and write
    ``span_labels`` above them. With ``stride`` > 1 the x axis counts frames of ``stride``
    columns, to line up with per-frame plots.
    """
    img = _finite_2d(image, "image")
    D, W = img.shape
    if span_labels is not None and (spans is None or len(span_labels) != len(spans)):
        raise ValueError("span_labels needs spans of the same length")
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.09 * W), 1.4))
    extent = (-0.5 / stride, (W - 0.5) / stride, D - 0.5, -0.5)
    ax.imshow(
        img,
        cmap="gray_r",
        vmin=0.0,
        vmax=1.0,
        aspect=1 / stride,
        extent=extent,
        interpolation="nearest",
    )
    ax.grid(False)
    for i, (start, end) in enumerate(spans or []):
        ax.add_patch(
            plt.Rectangle(
                ((start - 0.5) / stride, -0.5),
                (end - start) / stride,
                D,
                fill=False,
                ec=OKABE_ITO[0],
                lw=1.0,
            )
        )
        if span_labels is not None:
            ax.text(
                (start + end - 1) / 2 / stride,
                -1.0,
                span_labels[i],
                ha="center",
                va="bottom",
                color=OKABE_ITO[0],
                fontsize="small",
            )
    ax.set_yticks([])
    ax.set_xlabel("column" if stride == 1 else f"frame ({stride} columns)")
    ax.set_title(title, fontsize="small", pad=14 if span_labels is not None else 6)
    return ax
