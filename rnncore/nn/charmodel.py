"""A small character-level language model in numpy, trained by hand-written backpropagation.

    e_t = E[c_t]  (or one-hot(c_t))  ->  h_t = Recurrent(e_1..e_t)  ->  z_t = W h_t + b
    loss = mean over counted steps of -log softmax(z_t)[c_{t+1}]

The embedding, affine head and loss come from :mod:`rnncore.nn.layers`, the recurrent layer from
:class:`rnncore.nn.recurrent.Recurrent` (RNN, LSTM or GRU). Parameter names are those of the torch
twin ``embedding = nn.Embedding(V, E)``, ``rnn = nn.RNN(E, H)``, ``head = nn.Linear(H, V)``, so a
state dict copies across name for name. With ``embedding_size=None`` the input is one-hot (the
recurrent weights then act directly on one-hot vectors, as in Elman 1990's letter experiments and
Karpathy's min-char-rnn); otherwise a learned embedding of size E feeds the recurrence.

Shapes: T time steps, B batch, V vocabulary, E embedding size, H hidden units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn.layers import (
    affine_backward,
    affine_forward,
    embedding_backward,
    embedding_forward,
    softmax_cross_entropy,
)
from rnncore.nn.optim import clip_grad_norm
from rnncore.nn.recurrent import Recurrent
from rnncore.utils import check_positive_int

__all__ = ["CharModel"]


class CharModel:
    """Embedding (or one-hot) -> recurrent layer -> per-step affine -> softmax cross-entropy.

    Parameters
    ----------
    vocab_size : V, the number of distinct characters.
    hidden_size : H.
    embedding_size : E, or ``None`` for one-hot inputs (then the recurrence sees D = V).
    mode : ``"rnn"``, ``"lstm"`` or ``"gru"``.
    num_layers : stacked recurrent layers.
    seed : seeds every initial weight (same seed, same model).
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        embedding_size: int | None = None,
        mode: str = "rnn",
        num_layers: int = 1,
        seed: int = 0,
    ) -> None:
        V = self.vocab_size = check_positive_int(vocab_size, "vocab_size")
        H = check_positive_int(hidden_size, "hidden_size")
        E = None if embedding_size is None else check_positive_int(embedding_size, "embedding_size")
        self.embedding_size = E
        rng = np.random.default_rng(seed)
        self.rnn = Recurrent(mode, E or V, H, num_layers=num_layers, seed=seed)
        self.params: dict[str, np.ndarray] = {}
        if E is not None:  # as nn.Embedding: N(0, 1)
            self.params["embedding.weight"] = rng.standard_normal((V, E))
        # the same arrays as self.rnn.params, so an in-place optimiser step updates the layer
        self.params.update({f"rnn.{k}": v for k, v in self.rnn.params.items()})
        bound = 1.0 / np.sqrt(H)  # as nn.Linear: U(-1/sqrt(H), 1/sqrt(H))
        self.params["head.weight"] = rng.uniform(-bound, bound, (V, H))
        self.params["head.bias"] = rng.uniform(-bound, bound, V)
        self._cache: dict[str, Any] | None = None

    def _inputs(self, ids: np.ndarray) -> tuple[np.ndarray, Any]:
        """Token ids (T, B) -> recurrent inputs (T, B, E or V), and the embedding cache."""
        if self.embedding_size is not None:
            return embedding_forward(ids, self.params["embedding.weight"])
        # a one-hot vector is an embedding lookup in the identity matrix
        return embedding_forward(ids, np.eye(self.vocab_size))

    def logits(self, ids: np.ndarray, h0: Any = None) -> tuple[np.ndarray, Any]:
        """Scores for the next character at every step, without keeping caches for backward.

        ids: (T, B) int. Returns (logits (T, B, V), h_n as returned by the recurrent layer), so
        generation can continue from h_n.
        """
        x, _ = self._inputs(ids)
        out, h_n = self.rnn.forward(x, h0)
        z, _ = affine_forward(out, self.params["head.weight"], self.params["head.bias"])
        return z, h_n

    def forward(
        self,
        ids: np.ndarray,
        targets: np.ndarray,
        mask: np.ndarray | None = None,
        h0: Any = None,
        reduction: str = "mean",
    ) -> float:
        """Loss in nats of predicting ``targets`` from ``ids``; keeps the caches for backward.

        ids, targets: (T, B) int (targets are usually ids shifted by one step); mask: (T, B)
        boolean, False at padding. Returns the mean (or summed) cross-entropy.
        """
        x, emb_cache = self._inputs(ids)
        out, h_n = self.rnn.forward(x, h0)
        z, head_cache = affine_forward(out, self.params["head.weight"], self.params["head.bias"])
        loss, dz = softmax_cross_entropy(z, targets, mask, reduction=reduction)
        self._cache = {"emb": emb_cache, "head": head_cache, "dz": dz, "h_n": h_n}
        return loss

    def backward(self, truncate: int | None = None) -> dict[str, np.ndarray]:
        """Gradients of the last :meth:`forward`'s loss, keyed as :attr:`params`.

        ``truncate=k`` runs truncated BPTT: the recurrent gradient is cut every k steps.
        """
        if self._cache is None:
            raise RuntimeError("backward() needs a forward() first (its caches are used once)")
        cache, self._cache = self._cache, None
        head = affine_backward(cache["dz"], cache["head"])
        rec = self.rnn.backward(head["h"], truncate=truncate)
        grads = {f"rnn.{k}": rec[k] for k in self.rnn.params}
        grads["head.weight"], grads["head.bias"] = head["weight"], head["bias"]
        if self.embedding_size is not None:
            grads["embedding.weight"] = embedding_backward(rec["input"], cache["emb"])
        return grads

    @property
    def last_state(self) -> Any:
        """h_n of the last :meth:`forward` (before its backward), to carry across batches."""
        return None if self._cache is None else self._cache["h_n"]

    def step(
        self,
        ids: np.ndarray,
        targets: np.ndarray,
        optimizer: Any,
        mask: np.ndarray | None = None,
        max_norm: float | None = None,
        truncate: int | None = None,
    ) -> float:
        """One training step: forward, backward, optional clipping, optimiser update.

        ``optimizer`` is an :mod:`rnncore.nn.optim` optimiser built on :attr:`params`. Returns the
        loss before the update.
        """
        loss = self.forward(ids, targets, mask)
        grads = self.backward(truncate=truncate)
        if max_norm is not None:
            clip_grad_norm(grads, max_norm)
        optimizer.step(grads)
        return loss
