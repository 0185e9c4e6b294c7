"""A feedforward classifier that sees only a fixed window of the last k tokens.

The classic way to feed a sequence to a feedforward network is a fixed window of recent inputs
(as in the time-delay networks that Elman 1990, Cognitive Science 14(2), contrasts with recurrence):
one-hot encode the last ``k`` tokens, concatenate them and apply an MLP. Whatever happened more than
``k`` steps ago is invisible to it, and its input layer grows linearly with ``k``.
Token ids are batch-first, ``x: (B, T)`` with ``T >= k``; V vocabulary, C classes.
"""

from __future__ import annotations

import torch
from torch import nn

from rnncore.utils import check_positive_int

__all__ = ["WindowMLP"]


class WindowMLP(nn.Module):
    """One-hot window of the last ``k`` tokens -> hidden layer (tanh) -> ``C`` logits.

    Parameters
    ----------
    vocab_size, num_classes : V and C.
    window : k, the number of most recent tokens the model sees.
    hidden_size : width of the hidden layer.
    seed : seeds torch's initialisation.
    """

    def __init__(
        self, vocab_size: int, num_classes: int, window: int, hidden_size: int = 64, seed: int = 0
    ) -> None:
        super().__init__()
        self.vocab_size = check_positive_int(vocab_size, "vocab_size")
        self.window = check_positive_int(window, "window")
        C = check_positive_int(num_classes, "num_classes")
        H = check_positive_int(hidden_size, "hidden_size")
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.net = nn.Sequential(
                nn.Linear(self.window * self.vocab_size, H), nn.Tanh(), nn.Linear(H, C)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, C)`` from the last ``k`` tokens of ``x: (B, T)``."""
        x = torch.as_tensor(x)
        if x.dtype not in (torch.int64, torch.int32) or x.ndim != 2:
            raise ValueError(f"x must be (B, T) integer token ids, got {x.dtype} {tuple(x.shape)}")
        if x.shape[1] < self.window:
            raise ValueError(f"x must have T >= window={self.window}, got T={x.shape[1]}")
        if x.numel() and (int(x.min()) < 0 or int(x.max()) >= self.vocab_size):
            raise ValueError(
                f"x must hold ids in [0, {self.vocab_size}), got [{int(x.min())}, {int(x.max())}]"
            )
        window = x[:, -self.window :].long()
        onehot = nn.functional.one_hot(window, self.vocab_size).float()
        return self.net(onehot.flatten(1))
