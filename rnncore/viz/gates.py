"""Gates made visible: LSTM and GRU cell diagrams and heatmaps of gate activations over a sequence.

The diagrams follow PyTorch's equations, which rnncore.nn.lstm and rnncore.nn.gru implement: for
``torch.nn.LSTM`` (gate order i, f, g, o) ``c_t = f * c_{t-1} + i * g`` and ``h_t = o * tanh(c_t)``
(Hochreiter & Schmidhuber 1997, with the forget gate of Gers, Schmidhuber & Cummins 2000); for
``torch.nn.GRU`` (gate order r, z, n) ``n_t = tanh(W_in x + b_in + r * (W_hn h_{t-1} + b_hn))`` and
``h_t = (1 - z) * n + z * h_{t-1}`` (Cho et al. 2014, with the reset gate after the product).
The heatmaps read the per-step activations that :func:`rnncore.nn.lstm.lstm_forward_steps` (or the
GRU twin) keeps in its cache, keys ``"i"``, ``"f"``, ``"g"``, ``"o"``, ``"c"`` (LSTM) or ``"r"``,
``"z"``, ``"n"`` (GRU).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from rnncore.nn.cells import CELLS
from rnncore.viz import OKABE_ITO

__all__ = ["draw_gru_cell", "draw_lstm_cell", "gates_from_cache", "plot_gate_heatmaps"]

_SIGMOID_GATES = {
    gate
    for cell in CELLS.values()
    for gate, activation in zip(cell.gates, cell.activations, strict=True)
    if activation == "sigmoid"
}
_NAMES = {
    "i": "input gate i",
    "f": "forget gate f",
    "g": "candidate g",
    "o": "output gate o",
    "c": "cell state c",
    "h": "hidden state h",
    "r": "reset gate r",
    "z": "update gate z",
    "n": "candidate n",
}


def gates_from_cache(
    cache: Mapping[str, np.ndarray],
    b: int = 0,
    keys: Sequence[str] = ("i", "f", "o", "c"),
    units: Sequence[int] | None = None,
) -> dict[str, np.ndarray]:
    """Pick sequence ``b`` of each ``keys`` entry of a sequence forward cache: ``{key: (T, H)}``,
    or ``{key: (T, len(units))}`` with only the hidden ``units`` listed, in that order."""
    out = {}
    for key in keys:
        if key not in cache:
            raise KeyError(f"cache has no key {key!r}; it holds {sorted(cache)}")
        arr = np.asarray(cache[key])
        if arr.ndim != 3:
            raise ValueError(f"cache[{key!r}] must have shape (T, B, H), got {arr.shape}")
        if not 0 <= b < arr.shape[1]:
            raise ValueError(f"b must be in [0, B={arr.shape[1]}), got {b}")
        picked = arr[:, b, :]
        if units is not None:
            bad = [u for u in units if not 0 <= u < picked.shape[1]]
            if bad or not len(units):
                raise ValueError(
                    f"units must be a non-empty list of indices in [0, H={picked.shape[1]}), "
                    f"got {list(units)}"
                )
            picked = picked[:, list(units)]
        out[key] = picked
    return out


def plot_gate_heatmaps(
    gates: Mapping[str, np.ndarray],
    markers: Sequence[int] = (),
    fig: Figure | None = None,
    title: str = "Gate activations over one sequence",
    unit_labels: Sequence[int] | None = None,
) -> Figure:
    """One heatmap per gate: hidden units down, time steps across; dashed lines at ``markers``.

    Parameters
    ----------
    gates : mapping name -> (T, H) activations (names as in the cache: "i", "f", "o", "c", ...).
        Sigmoid gates use a 0..1 sequential colour scale; others a symmetric diverging one.
    markers : time steps to highlight (e.g. the two marked positions of the adding problem),
        drawn as triangles above each panel so that they hide no column of the heatmap.
    unit_labels : the label of each row (e.g. the unit numbers picked by ``gates_from_cache``).
    """
    if not gates:
        raise ValueError("gates must be a non-empty mapping name -> (T, H) array")
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in gates.items()}
    for k, v in arrays.items():
        if v.ndim != 2:
            raise ValueError(f"gates[{k!r}] must have shape (T, H), got {v.shape}")
    if fig is None:
        fig = plt.figure(figsize=(7, 1.6 * len(arrays) + 0.6))
    axes = fig.subplots(len(arrays), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (key, act) in zip(axes, arrays.items(), strict=True):
        if key in _SIGMOID_GATES:
            kw = {"cmap": "viridis", "vmin": 0.0, "vmax": 1.0}
        else:
            lim = max(float(np.max(np.abs(act))), 1e-12)
            kw = {"cmap": "RdBu_r", "vmin": -lim, "vmax": lim}
        im = ax.imshow(act.T, aspect="auto", interpolation="nearest", **kw)
        if len(markers):
            ax.plot(
                markers,
                [-0.5] * len(markers),
                ls="none",
                marker="v",
                ms=7,
                color=OKABE_ITO[1],
                clip_on=False,
                zorder=5,
            )
        if unit_labels is not None:
            ax.set_yticks(range(len(unit_labels)), [str(u) for u in unit_labels])
        ax.set_ylabel(f"{_NAMES.get(key, key)}\nunit", fontsize="small")
        ax.grid(False)
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.04)
    axes[-1].set_xlabel("time step t" + ("  (triangles: marked inputs)" if len(markers) else ""))
    axes[0].set_title(title, pad=10 if len(markers) else 6)
    return fig


def _box(ax: Axes, x: float, y: float, text: str, colour: str, w: float = 0.9) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - 0.3),
            w,
            0.6,
            boxstyle="round,pad=0.05",
            fc=colour,
            ec="black",
            lw=1,
            alpha=0.9,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=10, color="white", weight="bold")


def _op(ax: Axes, x: float, y: float, text: str) -> None:
    ax.add_patch(Circle((x, y), 0.25, fc="white", ec="black", lw=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4)


def _arrow(ax: Axes, xy0: tuple, xy1: tuple, colour: str = "black", lw: float = 1.3) -> None:
    ax.add_patch(
        FancyArrowPatch(
            xy0,
            xy1,
            arrowstyle="-|>",
            mutation_scale=11,
            color=colour,
            lw=lw,
            shrinkA=0,
            shrinkB=0,
            zorder=2,
        )
    )


def _frame(
    ax: Axes, state: str, times_x: float, plus_x: float, bottom_end: float
) -> tuple[float, float, float]:
    """The frame both diagrams share: the state line on top (``state`` at t-1 and t) with its
    product and sum nodes, and the input line [h_{t-1}, x_t] at the bottom; returns the heights
    (top, gate_y, bottom)."""
    top, gate_y, bottom = 5.0, 2.2, 0.6
    for start, end in (
        (0.2, times_x - 0.25),
        (times_x + 0.25, plus_x - 0.25),
        (plus_x + 0.25, 9.8),
    ):
        _arrow(ax, (start, top), (end, top), OKABE_ITO[0], 3)
    ax.text(0.2, top + 0.3, f"${state}_{{t-1}}$", fontsize=12)
    ax.text(9.3, top + 0.3, f"${state}_t$", fontsize=12)
    _op(ax, times_x, top, "×")
    _op(ax, plus_x, top, "+")
    ax.plot([0.2, bottom_end], [bottom, bottom], color="black", lw=1.3)
    ax.text(0.2, bottom - 0.45, r"$[h_{t-1},\ x_t]$", fontsize=12)
    return top, gate_y, bottom


def draw_lstm_cell(ax: Axes | None = None) -> Axes:
    """Draw one LSTM step: the cell-state highway on top, the four gates below, PyTorch's order.

    The thick top line is the additive path ``c_{t-1} -> (x f) -> (+ i g) -> c_t``: the only
    operations on it are an elementwise product with the forget gate and a sum.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    verm, green, purple = OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[3]
    # the cell-state highway; the concatenated input [h_{t-1}, x_t] feeds every gate
    top, gate_y, bottom = _frame(ax, "c", times_x=3.0, plus_x=5.5, bottom_end=7.5)
    gates = [
        (2.0, "σ", "f", verm),
        (3.8, "σ", "i", green),
        (5.5, "tanh", "g", purple),
        (7.5, "σ", "o", OKABE_ITO[4]),
    ]
    for x, fn, name, colour in gates:
        _arrow(ax, (x, bottom), (x, gate_y - 0.35))
        _box(ax, x, gate_y, fn, colour)
        ax.text(x - 0.6, gate_y + 0.45, f"${name}_t$", fontsize=11)
    _arrow(ax, (2.0, gate_y + 0.3), (2.9, top - 0.25))  # f scales the old cell
    _op(ax, 4.6, 3.6, "×")  # i * g
    _arrow(ax, (3.8, gate_y + 0.3), (4.45, 3.4))
    _arrow(ax, (5.5, gate_y + 0.3), (4.78, 3.4))
    _arrow(ax, (4.75, 3.8), (5.38, top - 0.25))
    # output: h_t = o * tanh(c_t)
    _box(ax, 8.6, 4.0, "tanh", purple, w=0.8)
    _arrow(ax, (8.6, top), (8.6, 4.32))
    _op(ax, 8.6, 2.9, "×")
    _arrow(ax, (8.6, 3.68), (8.6, 3.17))
    _arrow(ax, (7.5, gate_y + 0.3), (8.38, 2.78))
    _arrow(ax, (8.6, 2.63), (8.6, bottom + 0.2))
    _arrow(ax, (8.6, bottom + 0.2), (9.8, bottom + 0.2))
    ax.text(9.3, bottom + 0.45, r"$h_t$", fontsize=12)
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.2, 5.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(
        r"One LSTM step: $c_t = f_t \odot c_{t-1} + i_t \odot g_t$,"
        r"  $h_t = o_t \odot \tanh(c_t)$"
    )
    return ax


def draw_gru_cell(ax: Axes | None = None) -> Axes:
    """Draw one GRU step in PyTorch's form: the state line on top, the gates z, n, r below.

    The top line is the additive path ``h_{t-1} -> (x z) -> (+ (1 - z) n) -> h_t``; the reset gate
    scales only the recurrent part of the candidate, ``r * (W_hn h_{t-1} + b_hn)``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    verm, green, purple = OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[3]
    # the state line: keep z of the old state, add (1 - z) of the candidate
    top, gate_y, bottom = _frame(ax, "h", times_x=1.2, plus_x=5.3, bottom_end=6.3)
    for x, fn, name, colour in [
        (2.0, "σ", "z", verm),
        (4.2, "tanh", "n", purple),
        (6.3, "σ", "r", green),
    ]:
        _box(ax, x, gate_y, fn, colour)
        ax.text(x + 0.5, gate_y + 0.4, f"${name}_t$", fontsize=11)
    _arrow(ax, (2.0, bottom), (2.0, gate_y - 0.35))
    _arrow(ax, (6.3, bottom), (6.3, gate_y - 0.35))
    _arrow(ax, (1.8, gate_y + 0.3), (1.27, top - 0.25))  # z keeps the old state
    # 1 - z writes the candidate
    _op(ax, 2.7, 3.6, "1−")
    _arrow(ax, (2.2, gate_y + 0.3), (2.58, 3.36))
    _op(ax, 4.2, 3.6, "×")
    _arrow(ax, (2.95, 3.6), (3.95, 3.6))
    _arrow(ax, (4.2, gate_y + 0.3), (4.2, 3.35))
    _arrow(ax, (4.38, 3.78), (5.12, top - 0.2))
    # the candidate: the input part enters directly, the recurrent part through the reset gate
    _arrow(ax, (4.2, bottom), (4.2, gate_y - 0.35))
    _op(ax, 5.25, 1.3, "×")
    _arrow(ax, (5.25, bottom), (5.25, 1.05))
    _arrow(ax, (5.08, 1.48), (4.55, gate_y - 0.32))
    _arrow(ax, (6.0, gate_y - 0.15), (5.47, 1.42))
    ax.text(6.9, 1.15, r"$\times$: $r_t \odot (W_{hn} h_{t-1} + b_{hn})$", fontsize=9)
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.2, 5.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(r"One GRU step: $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$")
    return ax
