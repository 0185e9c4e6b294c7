"""Wiring diagrams of stacked and bidirectional recurrent layers, with the indices of ``h_n``.

PyTorch's ``nn.RNN/LSTM/GRU`` with ``num_layers=L`` and ``bidirectional=True`` feeds layer l + 1
the concatenation [forward; backward] of layer l's states at every step (Schuster & Paliwal,
1997, for the bidirectional layer; Graves, Mohamed & Hinton, 2013, for the deep bidirectional
stack), returns the top layer's states as ``output`` (T, B, 2H) and every layer's final states
as ``h_n`` (L * 2, B, H), at index ``layer * num_directions + direction``. A direction's final
state is where it *ends*: the forward one after step T, the backward one after step 1.
:func:`final_states` says which node each ``h_n`` row is (tested against torch), and
:func:`draw_stacked` draws it.

Time runs left to right; inputs (blue) at the bottom, the forward states (green) and backward
states (purple) of each layer above, ``output`` (vermillion) at the top.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyBboxPatch

from rnncore.utils import check_positive_int
from rnncore.viz.unrolled import COLOURS, SIZE, _arrow, _node

__all__ = ["draw_stacked", "final_states"]

GAP_T, GAP_ROW, GAP_LAYER = 1.5, 0.95, 2.2  # horizontal step, direction rows, layers


def final_states(num_layers: int, bidirectional: bool, T: int) -> dict[int, tuple[int, int, int]]:
    """``{k: (layer, direction, t)}``: row k of ``h_n`` is the state of ``direction`` (0 forward,
    1 backward) of ``layer`` after time step t (1-based): t = T forward, t = 1 backward."""
    L = check_positive_int(num_layers, "num_layers")
    T = check_positive_int(T, "T")
    dirs = 2 if bidirectional else 1
    return {l * dirs + d: (l, d, T if d == 0 else 1) for l in range(L) for d in range(dirs)}


def _y(layer: int, direction: int) -> float:
    return 1.4 + layer * GAP_LAYER + direction * GAP_ROW


def draw_stacked(
    num_layers: int = 2, bidirectional: bool = True, T: int = 3, ax: Axes | None = None
) -> Axes:
    """Draw an L-layer (bidirectional) recurrent stack unrolled over T steps, labelled with the
    ``h_n`` index of every final state and the ``output`` it produces. Returns the Axes."""
    L = check_positive_int(num_layers, "num_layers")
    T = check_positive_int(T, "T")
    dirs = 2 if bidirectional else 1
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1.6 + 1.45 * L * dirs))
    top = _y(L - 1, dirs - 1) + 1.5
    for t in range(1, T + 1):
        cx = t * GAP_T
        _node(ax, cx, 0, rf"$x_{t}$", COLOURS["x"])
        _node(ax, cx, top, "", COLOURS["y"])
        ax.text(cx, top, f"output\n[{t - 1}]", ha="center", va="center", fontsize=7)
        below = (cx, SIZE)
        for layer in range(L):
            for d in range(dirs):
                arrow = r"\rightarrow" if d == 0 else r"\leftarrow"
                label = rf"$\overset{{{arrow}}}{{h}}{{}}^{{({layer})}}_{t}$"
                _node(ax, cx, _y(layer, d), label, COLOURS["h"] if d == 0 else COLOURS["d"])
            # the layer reads what is below at the same step: x_t, or [fwd; bwd] of the layer below
            _group(ax, cx, layer, dirs)
            _arrow(ax, below, (cx, _y(layer, 0) - SIZE - 0.08))
            below = (cx, _y(layer, dirs - 1) + SIZE + 0.08)
            for d in range(dirs):
                y, step = _y(layer, d), (1 if d == 0 else -1)
                if 1 <= t + step <= T:  # forward: t -> t+1; backward: t -> t-1
                    _arrow(ax, (cx + step * SIZE, y), (cx + step * (GAP_T - SIZE), y))
        _arrow(ax, below, (cx, top - SIZE))
    for k, (layer, d, t) in final_states(L, bidirectional, T).items():
        side = 1 if d == 0 else -1
        x, y = t * GAP_T + side * (SIZE + 0.08), _y(layer, d)
        ax.annotate(
            f"h_n[{k}]",
            (x, y),
            (x + side * 0.55, y),
            ha="left" if side > 0 else "right",
            va="center",
            fontsize=9,
            color=COLOURS["h"] if d == 0 else COLOURS["d"],
            arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.8},
            gid="h_n",
        )
    ax.text(GAP_T * (T + 1) / 2, -0.8, r"time step $t$ $\longrightarrow$", ha="center")
    ax.set_xlim(GAP_T - 1.5, T * GAP_T + 1.5)
    ax.set_ylim(-1.1, top + 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    kind = "bidirectional " if bidirectional else ""
    ax.set_title(
        f"A {L}-layer {kind}RNN over T = {T} steps:\nwhere output and h_n come from",
        fontsize=10,
    )
    return ax


def _group(ax: Axes, cx: float, layer: int, dirs: int) -> None:
    """A light box around a layer's states at one step: what the layer above reads."""
    if dirs == 1:
        return
    low, high = _y(layer, 0) - SIZE - 0.08, _y(layer, dirs - 1) + SIZE + 0.08
    ax.add_patch(
        FancyBboxPatch(
            (cx - SIZE - 0.08, low),
            2 * SIZE + 0.16,
            high - low,
            boxstyle="round,pad=0.0,rounding_size=0.1",
            facecolor="none",
            edgecolor=to_rgba("#000000", 0.35),
            linestyle="--",
            linewidth=0.8,
            gid="concat",
        )
    )
