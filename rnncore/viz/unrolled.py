"""Diagrams of a recurrent network: the folded and unrolled graph, and the input/output patterns.

The unrolled graph draws Elman's (1990) simple recurrent network as a feed-forward network with
one layer per time step and the same three weight matrices at every step; that picture is what
backpropagation through time (Werbos 1990) differentiates. The patterns (many-to-one,
one-to-many, aligned many-to-many, encoder-decoder) follow the usual taxonomy; the encoder-decoder
is Cho et al. (2014) / Sutskever et al. (2014).

Every function draws with matplotlib alone, takes an optional ``ax`` (or ``axes``) and returns
what it drew on. Colours are Okabe & Ito's: inputs blue, hidden states green, outputs vermillion.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from rnncore.utils import check_positive_int

__all__ = ["PATTERNS", "draw_folded_and_unrolled", "draw_pattern", "draw_patterns"]

COLOURS = {"x": "#0072B2", "h": "#009E73", "y": "#D55E00", "d": "#CC79A7", "edge": "#000000"}
SIZE = 0.34  # half the side of a node, in data units

# name -> (has_input, has_output, is_decoder) for each column, left to right
PATTERNS: dict[str, tuple[tuple[bool, ...], tuple[bool, ...], tuple[bool, ...]]] = {
    "many-to-one": ((1, 1, 1), (0, 0, 1), (0, 0, 0)),
    "one-to-many": ((1, 0, 0), (1, 1, 1), (0, 0, 0)),
    "many-to-many (aligned)": ((1, 1, 1), (1, 1, 1), (0, 0, 0)),
    "encoder-decoder": ((1, 1, 1, 0, 0, 0), (0, 0, 0, 1, 1, 1), (0, 0, 0, 1, 1, 1)),
}


# panel titles: the pattern and a typical task
EXAMPLES = {
    "many-to-one": "many-to-one\n(classify a sequence)",
    "one-to-many": "one-to-many\n(generate from one input)",
    "many-to-many (aligned)": "many-to-many, aligned\n(tag every step)",
    "encoder-decoder": "many-to-many, encoder-decoder\n(translate)",
}


def _node(ax: Axes, x: float, y: float, label: str, colour: str) -> FancyBboxPatch:
    """A rounded square centred at (x, y): tinted fill, solid edge, TeX label."""
    box = FancyBboxPatch(
        (x - SIZE, y - SIZE),
        2 * SIZE,
        2 * SIZE,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=to_rgba(colour, 0.25),
        edgecolor=colour,
        linewidth=1.5,
        gid="node",
    )
    ax.add_patch(box)
    if label:
        ax.text(x, y, label, ha="center", va="center", fontsize=11)
    return box


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    label: str = "",
    connection: str = "arc3,rad=0",
    label_offset: tuple[float, float] = (0.0, 0.0),
) -> FancyArrowPatch:
    """An arrow between two points, with an optional label at its midpoint (plus an offset)."""
    arrow = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=12,
        color=COLOURS["edge"],
        linewidth=1.1,
        connectionstyle=connection,
        gid="edge",
    )
    ax.add_patch(arrow)
    if label:
        mx = (start[0] + end[0]) / 2 + label_offset[0]
        my = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=9, color="#333333")
    return arrow


def _finish(ax: Axes, title: str) -> None:
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)


def draw_folded_and_unrolled(T: int = 3, ax: Axes | None = None) -> Axes:
    """Draw the folded graph (one cell with a self-loop) next to its unrolling over T steps.

    Rows from bottom to top: inputs x_t, hidden states h_t, predictions y-hat_t (y_t is the target);
    the same W_xh, W_hh, W_hy label every step of the unrolled graph, which is parameter sharing
    made visible.
    Returns the Axes.
    """
    T = check_positive_int(T, "T")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    # the folded graph: one cell whose output feeds back into itself
    _node(ax, 0, 0, r"$x_t$", COLOURS["x"])
    _node(ax, 0, 1.5, r"$h_t$", COLOURS["h"])
    _node(ax, 0, 3, r"$\hat{y}_t$", COLOURS["y"])
    _arrow(ax, (0, SIZE), (0, 1.5 - SIZE), r"$W_{xh}$", label_offset=(-0.45, 0))
    _arrow(ax, (0, 1.5 + SIZE), (0, 3 - SIZE), r"$W_{hy}$", label_offset=(-0.45, 0))
    _arrow(
        ax,
        (SIZE, 1.5 + 0.15),
        (SIZE, 1.5 - 0.15),
        connection="arc,angleA=0,angleB=0,armA=28,armB=28,rad=8",
    )
    ax.text(SIZE + 0.55, 1.5, r"$W_{hh}$", ha="left", va="center", fontsize=9, color="#333333")
    ax.text(1.75, 1.5, "unroll\n" + r"$\Longrightarrow$", ha="center", va="center", fontsize=11)
    # the unrolled graph: h_0 then one column per time step
    x0, gap = 3.0, 1.6
    _node(ax, x0, 1.5, r"$h_0$", COLOURS["h"])
    for t in range(1, T + 1):
        cx = x0 + t * gap
        _node(ax, cx, 0, rf"$x_{t}$", COLOURS["x"])
        _node(ax, cx, 1.5, rf"$h_{t}$", COLOURS["h"])
        _node(ax, cx, 3, rf"$\hat{{y}}_{t}$", COLOURS["y"])
        _arrow(ax, (cx, SIZE), (cx, 1.5 - SIZE), r"$W_{xh}$", label_offset=(-0.4, 0))
        _arrow(ax, (cx, 1.5 + SIZE), (cx, 3 - SIZE), r"$W_{hy}$", label_offset=(-0.4, 0))
        _arrow(ax, (cx - gap + SIZE, 1.5), (cx - SIZE, 1.5), r"$W_{hh}$", label_offset=(0, 0.28))
    ax.text(x0 + (T + 1) * gap / 2, -0.85, r"time step $t$ $\longrightarrow$", ha="center")
    ax.set_xlim(-0.8, x0 + T * gap + 0.6)
    ax.set_ylim(-1.1, 3.5)
    _finish(ax, f"One recurrent cell, folded (left) and unrolled over T = {T} steps (right)")
    return ax


def draw_pattern(
    has_input: Sequence[bool],
    has_output: Sequence[bool],
    is_decoder: Sequence[bool] | None = None,
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Draw one input/output pattern: a chain of hidden states, with inputs and outputs where given.

    has_input, has_output: one flag per time step (column); is_decoder: colours the hidden states
    of a second network (the decoder of an encoder-decoder) in purple. Returns the Axes.
    """
    n = len(has_input)
    if n == 0 or len(has_output) != n:
        raise ValueError(
            f"has_input and has_output must be non-empty and of equal length, "
            f"got {len(has_input)} and {len(has_output)}"
        )
    is_decoder = [False] * n if is_decoder is None else list(is_decoder)
    if len(is_decoder) != n:
        raise ValueError(f"is_decoder must have length {n}, got {len(is_decoder)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.9 * n + 0.6, 3.5))
    gap = 1.1
    for t in range(n):
        cx = t * gap
        _node(ax, cx, 1.2, "", COLOURS["d"] if is_decoder[t] else COLOURS["h"])
        if t > 0:
            _arrow(ax, (cx - gap + SIZE, 1.2), (cx - SIZE, 1.2))
        if has_input[t]:
            _node(ax, cx, 0, "", COLOURS["x"])
            _arrow(ax, (cx, SIZE), (cx, 1.2 - SIZE))
        if has_output[t]:
            _node(ax, cx, 2.4, "", COLOURS["y"])
            _arrow(ax, (cx, 1.2 + SIZE), (cx, 2.4 - SIZE))
    ax.set_xlim(-0.6, (n - 1) * gap + 0.6)
    ax.set_ylim(-0.6, 3.0)
    _finish(ax, title)
    return ax


def draw_patterns(axes: Sequence[Axes] | None = None) -> Figure:
    """Draw the four patterns of :data:`PATTERNS` on a 2 x 2 grid, with a shared colour legend.

    Inputs are blue (bottom), hidden states green (middle; purple for a decoder), outputs
    vermillion (top); time runs left to right. All panels share one scale. Returns the Figure.
    """
    if axes is None:
        _, grid = plt.subplots(2, 2, figsize=(7, 4.4))
        axes = list(grid.ravel())
    if len(axes) != len(PATTERNS):
        raise ValueError(f"axes must hold {len(PATTERNS)} Axes, got {len(axes)}")
    widest = max(len(spec[0]) for spec in PATTERNS.values())
    for ax, (name, (inp, out, dec)) in zip(axes, PATTERNS.items(), strict=True):
        draw_pattern(inp, out, dec, title=EXAMPLES.get(name, name), ax=ax)
        centre = (len(inp) - 1) * 1.1 / 2  # same scale everywhere: widen narrow panels
        ax.set_xlim(centre - (widest - 1) * 1.1 / 2 - 0.6, centre + (widest - 1) * 1.1 / 2 + 0.6)
    fig = axes[0].figure
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor=to_rgba(COLOURS[k], 0.25), edgecolor=COLOURS[k])
        for k in ("x", "h", "d", "y")
    ]
    labels = ["input $x_t$", "hidden state $h_t$", "decoder state", "output $\\hat{y}_t$"]
    fig.legend(handles, labels, loc="lower center", ncol=4, frameon=False, fontsize=9)
    fig.suptitle("Input/output patterns of a recurrent network (time runs left to right)")
    fig.subplots_adjust(bottom=0.08, top=0.84, wspace=0.1, hspace=0.45)
    return fig
