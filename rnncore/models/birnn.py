"""A token tagger/classifier on a stacked, optionally bidirectional torch recurrent layer.

The model is an embedding, ``torch.nn.RNN``/``LSTM``/``GRU`` (``num_layers``, ``bidirectional``,
``dropout`` passed straight through) and a linear head, read either at every position (tagging,
language modelling) or once per sequence (classification). It exists to compare wirings on the
same task: causal vs bidirectional (Schuster & Paliwal 1997, IEEE Trans. Signal Processing 45(11)),
shallow vs stacked, with or without dropout between layers (Zaremba, Sutskever & Vinyals 2014,
arXiv:1409.2329, Section 3: dropout on the non-recurrent connections only, which is what torch's
``dropout`` argument does).

The closed-form parameter count of ``torch.nn.RNN/LSTM/GRU`` is
:func:`rnncore.nn.cells.param_count`.
Token ids are batch-first, ``x: (B, T)``; B sequences, T steps, V vocabulary, H hidden units,
C classes.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnncore.interop import torch_layer
from rnncore.nn.cells import CELLS
from rnncore.nn.validate import check_mode
from rnncore.utils import check_positive_int

__all__ = ["RecurrentTagger", "predict", "token_loss"]


class RecurrentTagger(nn.Module):
    """Embedding -> recurrent layer(s) -> linear head; logits per position or per sequence.

    Parameters
    ----------
    vocab_size, num_classes : V and C.
    hidden_size : H, per direction.
    mode : "rnn", "lstm" or "gru".
    num_layers, bidirectional, dropout : passed to the torch layer unchanged.
    embed_size : embedding width (default H).
    readout : "all" gives logits ``(B, T, C)``; "last" gives ``(B, C)`` from the final state
        (forward direction after the last token, and for a bidirectional layer the backward
        direction after the first token, concatenated: ``h_n`` of the top layer).
    seed : seeds torch's initialisation.
    """

    def __init__(
        self,
        vocab_size: int,
        num_classes: int,
        hidden_size: int = 32,
        mode: str = "gru",
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        embed_size: int | None = None,
        readout: str = "all",
        seed: int = 0,
    ) -> None:
        super().__init__()
        check_mode(mode, CELLS)
        if readout not in ("all", "last"):
            raise ValueError(f"readout must be 'all' or 'last', got {readout!r}")
        V = check_positive_int(vocab_size, "vocab_size")
        C = check_positive_int(num_classes, "num_classes")
        H = check_positive_int(hidden_size, "hidden_size")
        E = H if embed_size is None else check_positive_int(embed_size, "embed_size")
        self.vocab_size, self.readout, self.bidirectional = V, readout, bool(bidirectional)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.embed = nn.Embedding(V, E)
            self.rnn = torch_layer(
                mode,
                E,
                H,
                num_layers=num_layers,
                batch_first=True,
                bidirectional=bidirectional,
                dropout=dropout,
            )
            self.head = nn.Linear(H * (2 if bidirectional else 1), C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for token ids ``x: (B, T)``: ``(B, T, C)`` (readout "all") or ``(B, C)``."""
        x = torch.as_tensor(x)
        if x.dtype not in (torch.int64, torch.int32) or x.ndim != 2:
            raise ValueError(f"x must be (B, T) integer token ids, got {x.dtype} {tuple(x.shape)}")
        if x.numel() and (int(x.min()) < 0 or int(x.max()) >= self.vocab_size):
            raise ValueError(
                f"x must hold ids in [0, {self.vocab_size}), got [{int(x.min())}, {int(x.max())}]"
            )
        out, h_n = self.rnn(self.embed(x.long()))
        if self.readout == "all":
            return self.head(out)
        h = h_n[0] if isinstance(h_n, tuple) else h_n  # LSTM returns (h_n, c_n)
        top = h[-2:] if self.bidirectional else h[-1:]  # (dirs, B, H), layer-major layout
        return self.head(torch.cat(list(top), dim=-1))


def token_loss(model: nn.Module, batch: tuple[np.ndarray, np.ndarray]) -> torch.Tensor:
    """Mean cross-entropy of ``model`` on ``batch = (x, y)``; y is ``(B, T)`` or ``(B,)`` class ids.

    Labels equal to -100 are ignored (torch's convention). Fits ``rnncore.training.loop.train``'s
    ``loss_fn(model, batch)``.
    """
    x, y = batch
    logits = model(torch.as_tensor(x))
    y = torch.as_tensor(y).long()
    if logits.shape[:-1] != y.shape:
        raise ValueError(f"y must have shape {tuple(logits.shape[:-1])}, got {tuple(y.shape)}")
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Arg-max class ids of ``model`` on ``x`` in eval mode, as a numpy array (no gradients)."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(torch.as_tensor(x)).argmax(-1).numpy()
    finally:
        model.train(was_training)
