"""The encoder-decoder with attention, drawn: annotations, the bridge to s_0, one attention step.

The model of :class:`rnncore.models.seq2seq.Seq2Seq`: a bidirectional encoder turns source
symbols x_j into annotations h_j = [forward; backward] (Bahdanau, Cho & Bengio, 2015, Sec. 3.2),
the decoder starts from s_0 = tanh(W_s [forward h_S; backward h_1]) (the bridge of ``Seq2Seq``),
and at every step t the previous state s_{t-1} queries the annotations: weights alpha_tj, context
c_t = sum_j alpha_tj h_j, which enters the decoder step with the previous output y_{t-1}.
Without attention the context is the same summary at every step (Cho et al., 2014).

Colours as in :mod:`rnncore.viz.unrolled`: inputs blue, encoder states green, decoder states
purple, outputs vermillion; the context is orange.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch

from rnncore.utils import check_positive_int
from rnncore.viz.unrolled import COLOURS, SIZE, _arrow, _node

__all__ = ["draw_encoder_decoder"]

GAP = 1.3
CONTEXT = "#E69F00"


def _weighted(ax: Axes, start: tuple, end: tuple, weight: float) -> None:
    """An attention edge whose width and opacity grow with its weight."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=10,
            color=CONTEXT,
            alpha=0.35 + 0.65 * weight,
            linewidth=0.6 + 4.0 * weight,
            connectionstyle="arc3,rad=0.0",
            gid="attention",
        )
    )


def draw_encoder_decoder(
    S: int = 4,
    T: int = 3,
    step: int = 2,
    alpha: Sequence[float] | None = None,
    attention: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw a source of S symbols, its annotations, and a decoder of T steps; with ``attention``
    the context c_step of one decoder step (weights ``alpha``, S values summing to 1, drawn as
    edge widths), else the fixed summary fed to every step. Returns the Axes."""
    S, T = check_positive_int(S, "S"), check_positive_int(T, "T")
    step = check_positive_int(step, "step")
    if step > T:
        raise ValueError(f"step must be in [1, T={T}], got {step}")
    w = np.full(S, 1.0 / S) if alpha is None else np.asarray(alpha, dtype=float)
    if w.shape != (S,) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"alpha must hold S={S} non-negative weights summing to 1, got {w}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.9))
    enc_x = [j * GAP for j in range(1, S + 1)]
    dec_x0 = (S + 1.6) * GAP
    dec_x = [dec_x0 + t * GAP for t in range(T + 1)]  # s_0 ... s_T
    for j, x in enumerate(enc_x, start=1):
        _node(ax, x, 0, rf"$x_{j}$", COLOURS["x"])
        _node(ax, x, 1.4, rf"$h_{j}$", COLOURS["h"])
        _arrow(ax, (x, SIZE), (x, 1.4 - SIZE))
        if j < S:  # both directions run along the source
            ax.annotate(
                "",
                (x + GAP - SIZE, 1.4),
                (x + SIZE, 1.4),
                arrowprops={"arrowstyle": "<|-|>", "color": COLOURS["edge"], "lw": 1.1},
            )
    _node(ax, dec_x[0], 1.4, r"$s_0$", COLOURS["d"])
    _arrow(ax, (enc_x[-1] + SIZE, 1.4), (dec_x[0] - SIZE, 1.4))
    ax.text(
        (enc_x[-1] + dec_x[0]) / 2,
        1.75,
        "bridge",
        ha="center",
        fontsize=8,
        color="#333333",
    )
    for t in range(1, T + 1):
        x = dec_x[t]
        prev = r"\langle sos\rangle" if t == 1 else f"y_{t - 1}"
        _node(ax, x, 0, rf"${prev}$", COLOURS["x"])
        _node(ax, x, 1.4, rf"$s_{t}$", COLOURS["d"])
        _node(ax, x, 2.8, rf"$y_{t}$", COLOURS["y"])
        _arrow(ax, (x, SIZE), (x, 1.4 - SIZE))
        _arrow(ax, (x, 1.4 + SIZE), (x, 2.8 - SIZE))
        _arrow(ax, (dec_x[t - 1] + SIZE, 1.4), (x - SIZE, 1.4))
    cx, cy = dec_x[0], 4.0  # the context sits above s_0, where no output is drawn
    target = dec_x[step]
    if attention:
        _node(ax, cx, cy, rf"$c_{step}$", CONTEXT)
        for x, weight in zip(enc_x, w, strict=True):
            _weighted(ax, (x, 1.4 + SIZE), (cx, cy - SIZE), float(weight / w.max()))
        ax.text(
            (enc_x[0] + enc_x[-1]) / 2,
            3.1,
            rf"weights $\alpha_{{{step}j}}$",
            ha="center",
            fontsize=9,
            color=CONTEXT,
        )
        query = _arrow(ax, (dec_x[step - 1] - 0.1, 1.4 + SIZE), (cx + SIZE, cy - 0.2))
        query.set_linestyle("--")
        ax.text(cx + 0.2, 2.9, rf"query $s_{step - 1}$", fontsize=8, color="#333333", ha="right")
        _arrow(ax, (cx + SIZE, cy + 0.05), (target - 0.1, 1.4 + SIZE), connection="arc3,rad=-0.35")
        title = f"Encoder-decoder with attention: decoder step {step} reads every annotation"
    else:
        _node(ax, cx, cy, r"$c$", CONTEXT)
        _arrow(ax, (enc_x[-1], 1.4 + SIZE), (cx - SIZE, cy - 0.15))
        for t in range(1, T + 1):
            _arrow(ax, (cx + SIZE, cy), (dec_x[t] - SIZE, 1.4 + 0.15), connection="arc3,rad=-0.1")
        title = "Encoder-decoder without attention: one summary c for every step"
    ax.text((enc_x[0] + enc_x[-1]) / 2, -0.85, "encoder (source)", ha="center", fontsize=9)
    ax.text((dec_x[1] + dec_x[-1]) / 2, -0.85, "decoder (target)", ha="center", fontsize=9)
    ax.set_xlim(enc_x[0] - 1.3, dec_x[-1] + 0.7)
    ax.set_ylim(-1.15, cy + 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    return ax
