"""Eigenvalues of a diagonal linear recurrence in the complex plane, with the unit circle.

Each eigenvalue lambda is one mode h <- lambda h: its modulus |lambda| is how much of the mode
survives a step (memory of about 1 / (1 - |lambda|) steps), its angle how fast it rotates. A
stable recurrence keeps every lambda inside the circle (Orvieto et al., 2023, ICML, Sec. 3).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from rnncore.viz import OKABE_ITO

__all__ = ["plot_eigenvalues"]

_MARKERS = ("o", "x", "s", "^")


def plot_eigenvalues(
    eigenvalues: Mapping[str, np.ndarray], title: str, ax: Axes | None = None
) -> Axes:
    """Scatter each named set of complex eigenvalues (1-D arrays) over the unit circle."""
    if not isinstance(eigenvalues, Mapping) or not 1 <= len(eigenvalues) <= len(_MARKERS):
        raise ValueError(
            f"eigenvalues must map 1 to {len(_MARKERS)} labels to arrays, got {eigenvalues!r:.60}"
        )
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.6))
    angle = np.linspace(0, 2 * np.pi, 400)
    ax.plot(np.cos(angle), np.sin(angle), color="0.6", lw=1, label="|λ| = 1")
    for (label, values), colour, marker in zip(
        eigenvalues.items(), OKABE_ITO, _MARKERS, strict=False
    ):
        z = np.asarray(values)
        if z.ndim != 1 or z.size == 0 or not np.all(np.isfinite(z)):
            raise ValueError(f"eigenvalues[{label!r}] must be a finite non-empty 1-D array")
        ax.scatter(z.real, z.imag, s=18, color=colour, marker=marker, label=label)
    ax.set_aspect("equal")
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(-1.15, 1.15)
    ax.set_xlabel("Re λ")
    ax.set_ylabel("Im λ")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
    return ax
