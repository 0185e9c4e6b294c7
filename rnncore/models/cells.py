"""An LSTM written out gate by gate in torch, for teaching, equal to ``torch.nn.LSTM``.

The equations are those of Hochreiter & Schmidhuber (1997) with the forget gate of Gers, Schmidhuber
& Cummins (2000), in the form and gate order (i, f, g, o) that ``torch.nn.LSTM`` documents:

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      input gate
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)      forget gate
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)         candidate cell values
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)      output gate
    c' = f * c + i * g,    h' = o * tanh(c')

The parameters have torch's names and layout (``weight_ih`` (4H, D), ``weight_hh`` (4H, H),
``bias_ih`` and ``bias_hh`` (4H,)), so a trained ``torch.nn.LSTM`` loads with
:meth:`ScratchLSTM.from_torch` and autograd gives the same gradients (tests/test_models_cells.py
checks both in float64). Shapes: x (T, B, D), h and c (B, H).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from rnncore.utils import check_positive_int

__all__ = ["LSTMCellScratch", "ScratchLSTM"]


class LSTMCellScratch(nn.Module):
    """One LSTM step: take the input at t and the state (h, c) at t-1, return the state at t."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        D = check_positive_int(input_size, "input_size")
        H = check_positive_int(hidden_size, "hidden_size")
        self.input_size, self.hidden_size = D, H
        self.weight_ih = nn.Parameter(torch.empty(4 * H, D))
        self.weight_hh = nn.Parameter(torch.empty(4 * H, H))
        self.bias_ih = nn.Parameter(torch.empty(4 * H)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(4 * H)) if bias else None
        bound = 1.0 / math.sqrt(H)  # torch's initialisation: U(-1/sqrt(H), 1/sqrt(H))
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (B, D); state: (h, c), each (B, H). Returns (h_next, c_next), each (B, H)."""
        h, c = state
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(
                f"x must have shape (B, D) with D={self.input_size}, got {tuple(x.shape)}"
            )
        H = self.hidden_size
        if h.shape != (x.shape[0], H) or c.shape != (x.shape[0], H):
            raise ValueError(
                f"h and c must have shape (B, H) = ({x.shape[0]}, {H}), "
                f"got {tuple(h.shape)} and {tuple(c.shape)}"
            )
        a = x @ self.weight_ih.T + h @ self.weight_hh.T  # all four pre-activations, (B, 4H)
        if self.bias_ih is not None:
            a = a + self.bias_ih + self.bias_hh
        i = torch.sigmoid(
            a[:, 0 * H : 1 * H]
        )  # the input gate decides how much new content is written
        f = torch.sigmoid(
            a[:, 1 * H : 2 * H]
        )  # the forget gate decides how much old cell state survives
        g = torch.tanh(a[:, 2 * H : 3 * H])  # the candidate is the new content, in (-1, 1)
        o = torch.sigmoid(
            a[:, 3 * H : 4 * H]
        )  # the output gate decides how much of the cell is shown
        c_next = f * c + i * g  # the cell state: an additive path through time
        h_next = o * torch.tanh(c_next)  # the hidden state: a gated, squashed view of the cell
        return h_next, c_next


class ScratchLSTM(nn.Module):
    """A one-layer LSTM over a sequence: :class:`LSTMCellScratch` in a Python loop over time.

    ``forward(x, state)`` has the signature and return values of a one-layer, time-major
    ``torch.nn.LSTM``: x (T, B, D), state ``(h0, c0)`` each (1, B, H) or None for zeros; returns
    ``(output (T, B, H), (h_n, c_n))`` with h_n and c_n (1, B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        self.cell = LSTMCellScratch(input_size, hidden_size, bias)

    @classmethod
    def from_torch(cls, lstm: nn.LSTM) -> ScratchLSTM:
        """Copy the weights of a one-layer, unidirectional, time-major ``torch.nn.LSTM``."""
        if not isinstance(lstm, nn.LSTM):
            raise TypeError(f"lstm must be a torch.nn.LSTM, got {type(lstm).__name__}")
        if lstm.num_layers != 1 or lstm.bidirectional or lstm.batch_first or lstm.proj_size:
            raise ValueError(
                "lstm must have num_layers=1, bidirectional=False, batch_first=False, "
                f"proj_size=0, got {lstm.num_layers}, {lstm.bidirectional}, {lstm.batch_first}, "
                f"{lstm.proj_size}"
            )
        new = cls(lstm.input_size, lstm.hidden_size, lstm.bias)
        new = new.to(dtype=lstm.weight_ih_l0.dtype)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if lstm.bias else ()):
                getattr(new.cell, name).copy_(getattr(lstm, f"{name}_l0"))
        return new

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Run the cell over x (T, B, D); see the class docstring for the shapes."""
        if x.ndim != 3 or x.shape[0] == 0:
            raise ValueError(f"x must have shape (T, B, D) with T > 0, got {tuple(x.shape)}")
        B, H = x.shape[1], self.cell.hidden_size
        if state is None:
            h = c = x.new_zeros(B, H)
        else:
            h, c = state[0].reshape(B, H), state[1].reshape(B, H)
        outputs = []
        for t in range(x.shape[0]):
            h, c = self.cell(x[t], (h, c))
            outputs.append(h)
        return torch.stack(outputs), (h[None], c[None])
