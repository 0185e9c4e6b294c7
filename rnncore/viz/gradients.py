"""Figures for gradient flow through time and for the training runs it decides.

``plot_gradient_norms`` draws ``||dL/dh_{T-d}||`` against the distance d on a log axis, where a
straight line of slope ``log(rho)`` is geometric decay or growth (Bengio, Simard & Frasconi 1994;
Pascanu, Mikolov & Bengio 2013). ``plot_loss_curves`` draws training losses, marks a run whose loss
turned NaN/inf, and can draw the predict-the-mean baseline. ``plot_clipped_norms`` draws a run's
gradient norm at every step before and after clipping by norm (Pascanu et al. 2013, Algorithm 1).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from rnncore.viz import OKABE_ITO

__all__ = ["plot_clipped_norms", "plot_gradient_norms", "plot_loss_curves"]


def _check_curves(curves: Mapping[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(
            f"{name} must be a non-empty mapping label -> 1-D array, got {curves!r:.60}"
        )
    out = {}
    for label, values in curves.items():
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(
                f"{name}[{label!r}] must be a non-empty 1-D array, got shape {arr.shape}"
            )
        out[str(label)] = arr
    return out


def plot_gradient_norms(
    norms: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    title: str = "Gradient reaching earlier hidden states",
    reference: Mapping[str, float] | None = None,
) -> Axes:
    """Plot gradient norms against distance in time, one line per label, on a log y axis.

    Parameters
    ----------
    norms : mapping label -> (T,) array, entry d the norm at distance d (as returned by
        :func:`rnncore.nn.diagnostics.hidden_gradient_norms`).
    ax : Axes to draw on (a new (7, 3.5) figure if None).
    title : the Axes title.
    reference : optional mapping label -> rho; draws the line ``rho^d`` dashed in the same colour.
    """
    curves = _check_curves(norms, "norms")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for n, (label, values) in enumerate(curves.items()):
        colour = OKABE_ITO[n % len(OKABE_ITO)]
        d = np.arange(values.size)
        ax.semilogy(d, values, color=colour, label=label, lw=1.8)
        if reference is not None and label in reference:
            ax.semilogy(
                d, values[0] * reference[label] ** d, color=colour, ls="--", lw=1, alpha=0.8
            )
    ax.set_xlabel("distance in time d = T - t (steps)")
    ax.set_ylabel(r"$\|\partial L/\partial h_t\|$ (log scale)")
    ax.set_title(title)
    ax.legend(fontsize="small", ncol=2 if len(curves) > 4 else 1)
    return ax


def plot_loss_curves(
    losses: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    title: str = "Training loss",
    baseline: float | None = None,
    baseline_label: str = "predict the mean",
    smooth: int = 1,
    ylabel: str = "MSE (squared target units)",
    logy: bool = True,
) -> Axes:
    """Plot per-step training losses, one line per run; a cross marks where a loss went NaN/inf.

    Parameters
    ----------
    losses : mapping label -> (S,) per-step losses (NaN after a divergence, as from
        :func:`rnncore.models.sequence_regressor.fit`).
    baseline : draw this loss as a dotted black horizontal line, labelled ``baseline_label``.
    smooth : moving-average window in steps (1 = raw).
    """
    curves = _check_curves(losses, "losses")
    if not isinstance(smooth, int) or smooth < 1:
        raise ValueError(f"smooth must be a positive int, got {smooth!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for n, (label, values) in enumerate(curves.items()):
        colour = OKABE_ITO[n % len(OKABE_ITO)]
        finite = np.isfinite(values)
        last = int(np.argmin(finite)) if not finite.all() else values.size
        shown = values[:last]
        if smooth > 1 and shown.size >= smooth:
            shown = np.convolve(shown, np.ones(smooth) / smooth, mode="valid")
            steps = np.arange(smooth, last + 1)
        else:
            steps = np.arange(1, shown.size + 1)
        ax.plot(steps, shown, color=colour, label=label, lw=1.5)
        if last < values.size:
            y = shown[-1] if shown.size else 1.0
            ax.plot([last + 1], [y], marker="x", ms=10, mew=2.5, color=colour, ls="none")
            ax.annotate(
                "NaN/inf",
                (last + 1, y),
                textcoords="offset points",
                xytext=(6, 4),
                color=colour,
                fontsize="small",
            )
    if baseline is not None:
        ax.axhline(baseline, color="#000000", ls=":", lw=1.2, label=baseline_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def plot_clipped_norms(
    norms: np.ndarray,
    max_norm: float,
    ax: Axes | None = None,
    title: str = "Gradient norm at every step, before and after clipping",
) -> Axes:
    """Plot a run's global gradient norm per step before clipping and the norm of the step taken.

    Parameters
    ----------
    norms : (S,) global gradient norms before clipping, one per training step (as ``grad_norm``
        of :func:`rnncore.models.sequence_regressor.fit`); must be finite.
    max_norm : the clipping threshold tau; after clipping the norm is min(norm, tau).
    """
    (before,) = _check_curves({"norms": norms}, "norms").values()
    if not np.all(np.isfinite(before)) or np.any(before < 0):
        raise ValueError("norms must be finite and non-negative (a run that did not diverge)")
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float)) or not max_norm > 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    steps = np.arange(1, before.size + 1)
    ax.semilogy(steps, before, color=OKABE_ITO[1], lw=1, label="before clipping")
    ax.semilogy(
        steps, np.minimum(before, max_norm), color=OKABE_ITO[0], lw=2, label="after clipping"
    )
    ax.axhline(max_norm, color="#000000", ls=":", lw=1.2, label=f"threshold τ = {max_norm:g}")
    ax.set_xlabel("training step")
    ax.set_ylabel("global gradient norm (log scale)")
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
