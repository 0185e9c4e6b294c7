"""Figures the chapters share. Each submodule draws one kind of figure and returns its Axes.

``unrolled`` (folded/unrolled graphs, input-output patterns), ``timeline`` (the history),
``gradients`` (gradient norms through time, loss curves, clipping), ``gates`` (LSTM and GRU
diagrams, gate heatmaps), ``forecast``, ``confusion``, ``attention``, ``scaling``, ``ctc``
(alignment lattices, posteriors), ``scan`` (the rounds of a parallel scan), ``eigenvalues`` (a
recurrence's eigenvalues), ``wiring`` (stacked and bidirectional layers, with the indices of
``h_n``) and ``encoder_decoder`` (the encoder-decoder with attention).

The palette is Okabe & Ito's eight colours, distinguishable under the common forms of colour
blindness; :func:`use_book_style` makes it matplotlib's default cycle.
"""

from __future__ import annotations

OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

__all__ = ["OKABE_ITO", "use_book_style"]


def use_book_style() -> None:
    """Set matplotlib defaults for the book: colour-blind-safe cycle, page-width figures, grids."""
    import matplotlib as mpl
    from matplotlib import cycler

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
            "figure.figsize": (7.0, 3.5),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": "medium",
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
        }
    )
