"""The history-of-RNNs timeline figure: one row per event, placed at its true year.

A horizontal time axis with labels beside each point crowds badly (three events in 2014, five in
2021-2024), so each event gets its own row: the x position is the year, the label sits beside the
point and names the authors and the year of the work's first public appearance (the dating
rule of :mod:`rnncore.study.history`). The data come from :mod:`rnncore.study.history`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from rnncore.study.history import CATEGORIES, EVENTS, Event

__all__ = ["CATEGORY_COLOURS", "plot_timeline"]

# Okabe-Ito colours, one per category of rnncore.study.history.CATEGORIES
CATEGORY_COLOURS: dict[str, str] = {
    "architecture": "#0072B2",
    "learning": "#D55E00",
    "analysis": "#CC79A7",
    "sequence-to-sequence": "#009E73",
    "revival": "#E69F00",
}
_MARKERS = {
    "architecture": "o",
    "learning": "s",
    "analysis": "D",
    "sequence-to-sequence": "^",
    "revival": "P",
}


def plot_timeline(
    events: Sequence[Event] = EVENTS,
    ax: Axes | None = None,
    fontsize: float = 8.0,
    flip_after: int = 2005,
) -> Axes:
    """Draw ``events`` as a dot timeline, one row each, colour- and marker-coded by category.

    Parameters
    ----------
    events : the events to draw (default: the whole :data:`rnncore.study.history.EVENTS`), in
        any order; rows follow the order given.
    ax : Axes to draw on; a new (7, 0.28 * len(events) + 1) figure when None.
    fontsize : label font size in points.
    flip_after : labels of events after this year go to the left of their point so they stay
        inside the axes.

    Returns
    -------
    The Axes, titled, with the year axis labelled and a legend of categories.
    """
    events = list(events)
    if not events:
        raise ValueError("events must hold at least one Event, got an empty sequence")
    for i, e in enumerate(events):
        if not isinstance(e, Event):
            raise TypeError(
                f"events[{i}] must be an rnncore.study.history.Event, got {type(e).__name__}"
            )
        if e.category not in CATEGORY_COLOURS:
            raise ValueError(
                f"events[{i}].category must be one of {sorted(CATEGORY_COLOURS)}, "
                f"got {e.category!r}"
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.28 * len(events) + 1.0), layout="constrained")

    years = [e.year for e in events]
    lo, hi = min(years), max(years)
    rows = range(len(events))
    for row, e in zip(rows, events, strict=True):
        colour = CATEGORY_COLOURS[e.category]
        ax.plot([lo - 2, e.year], [row, row], color="0.88", lw=0.8, zorder=1)
        ax.scatter(e.year, row, s=34, color=colour, marker=_MARKERS[e.category], zorder=3)
        text = f"{e.label} ({e.authors}, {e.year})"
        left = e.year > flip_after
        ax.annotate(
            text,
            (e.year, row),
            xytext=(-7 if left else 7, 0),
            textcoords="offset points",
            ha="right" if left else "left",
            va="center",
            fontsize=fontsize,
        )
    ax.set_ylim(len(events) - 0.4, -0.6)  # first event on top
    ax.set_yticks([])
    ax.set_xlim(lo - 2, hi + 2)
    ax.set_xlabel("year of first public appearance")
    ax.set_title("Recurrent neural networks: a timeline of primary sources")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="0.92", lw=0.6)
    present = [c for c in CATEGORIES if any(e.category == c for e in events)]
    handles = [
        Line2D([], [], ls="", marker=_MARKERS[c], color=CATEGORY_COLOURS[c], label=c)
        for c in present
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=fontsize, frameon=False, title="category")
    return ax
