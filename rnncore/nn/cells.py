"""One description per cell type: the facts about RNN, LSTM and GRU that the rest of rnncore reads.

PyTorch keeps the weights of a cell's G gate blocks stacked along the first axis: ``weight_ih`` is
(G*H, D) and ``weight_hh`` (G*H, H), block k in rows k*H to (k+1)*H, in a fixed order: one block
for the vanilla RNN, i, f, g, o for the LSTM and r, z, n for the GRU. The weight layouts, the
parameter count, the gate slices and the arrays a forward cache exposes all follow from the
descriptions below; no other module keeps its own copy.

Sources: the ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` documentation (equations,
gate order, parameter names and shapes); J. L. Elman, Cognitive Science 14(2), 1990 (the simple
recurrent network); S. Hochreiter and J. Schmidhuber, Neural Computation 9(8), 1997, with the
forget gate of F. A. Gers, J. Schmidhuber and F. Cummins, Neural Computation 12(10), 2000 (LSTM);
K. Cho et al., EMNLP 2014, Section 2.3 (GRU).

Shapes: D input features, H hidden units, G gate blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnncore.nn.validate import check_gate, check_mode
from rnncore.utils import check_positive_int

__all__ = ["CELLS", "GRU", "LSTM", "RNN", "Cell", "param_count"]


@dataclass(frozen=True)
class Cell:
    """What sets one recurrent cell type apart: its gate blocks, states and cached arrays.

    Attributes
    ----------
    name : the ``mode`` string of :class:`rnncore.nn.recurrent.Recurrent`: "rnn", "lstm", "gru".
    gates : the names of the weight blocks in PyTorch's stacking order.
    activations : each block's activation, "sigmoid" or "tanh" (the vanilla RNN's single block
        uses tanh, or relu with ``nonlinearity="relu"``).
    states : the recurrent state carried from step to step: ("h",) or ("h", "c").
    cache_arrays : the per-step (T, B, H) arrays a sequence forward's cache holds and
        :meth:`Recurrent.activations` returns, each also a key of the step forward's cache.
    torch_class : the name of the ``torch.nn`` module that computes the same function.
    """

    name: str
    gates: tuple[str, ...]
    activations: tuple[str, ...]
    states: tuple[str, ...]
    cache_arrays: tuple[str, ...]
    torch_class: str

    def __post_init__(self) -> None:
        if len(self.activations) != len(self.gates):
            raise ValueError(f"{self.name}: one activation per gate, got {self.activations}")

    @property
    def blocks(self) -> int:
        """G, the number of gate blocks stacked in each weight matrix and bias."""
        return len(self.gates)

    def gate_slice(self, gate: str, hidden_size: int) -> slice:
        """The rows of a (G*H, ...) weight or (G*H,) bias that hold ``gate``."""
        k = self.gates.index(check_gate(gate, self.gates, self.name))
        H = check_positive_int(hidden_size, "hidden_size")
        return slice(k * H, (k + 1) * H)


RNN = Cell(
    name="rnn",
    gates=("h",),
    activations=("tanh",),
    states=("h",),
    cache_arrays=("h",),
    torch_class="RNN",
)
LSTM = Cell(
    name="lstm",
    gates=("i", "f", "g", "o"),
    activations=("sigmoid", "sigmoid", "tanh", "sigmoid"),
    states=("h", "c"),
    cache_arrays=("h", "c", "tanh_c", "i", "f", "g", "o"),
    torch_class="LSTM",
)
GRU = Cell(
    name="gru",
    gates=("r", "z", "n"),
    activations=("sigmoid", "sigmoid", "tanh"),
    states=("h",),
    # "hn" = h W_hn^T + b_hn, the recurrent part of the candidate before the reset gate scales it
    cache_arrays=("h", "r", "z", "n", "hn"),
    torch_class="GRU",
)
CELLS: dict[str, Cell] = {cell.name: cell for cell in (RNN, LSTM, GRU)}


def param_count(
    mode: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    bias: bool = True,
) -> int:
    """Number of parameters of ``torch.nn.RNN/LSTM/GRU`` (or a :class:`Recurrent`) with these sizes.

    Each layer and direction has ``weight_ih (G H, D_l)``, ``weight_hh (G H, H)`` and, with
    ``bias``, two ``(G H,)`` biases, where G is 1, 3 or 4 (RNN, GRU, LSTM), ``D_0 = input_size``
    and ``D_l = H * num_directions`` above the first layer (it reads both directions' outputs):
    ``G (H D_l + H^2 + 2H)`` per layer and direction.
    """
    G = check_mode(mode, CELLS).blocks
    D = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    L = check_positive_int(num_layers, "num_layers")
    dirs = 2 if bidirectional else 1
    total = 0
    for layer in range(L):
        d_in = D if layer == 0 else H * dirs
        total += dirs * (G * H * (d_in + H) + (2 * G * H if bias else 0))
    return total
