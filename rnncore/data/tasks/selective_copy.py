"""Selective copying: remember the few data tokens scattered among noise, then replay them in order.

    position:  1 ........................ L | L+1 ... L+n
    input:     . . 3 . . . 5 . . 1 . . . . . | GO  ...  GO        ("." is the noise token)
    target:    (masked)                      | 3    5    1

``n`` data tokens from {0, ..., V-1} sit at random positions of the first L steps, in order; the
last n steps are GO markers, and at the i-th marker the target is the i-th data token. Because
the gaps are random, no fixed filter of the inputs lines the data tokens up: a model whose state
update ignores the content (a linear time-invariant recurrence, a convolution) cannot tell which
steps to keep. A selective model can: skip the noise (decay 1, write nothing) and write the data.

Source: Gu & Dao (2023), "Mamba: linear-time sequence modeling with selective state spaces",
arXiv:2312.00752, Sec. 3.1 and Fig. 2: selective copying as the task that motivates selection.

Shapes: T = L + n time steps, B sequences (time-major); vocabulary V + 2 (data, NOISE, GO).
"""

from __future__ import annotations

import numpy as np

from rnncore.utils import check_positive_int

__all__ = ["SelectiveCopying", "selective_copying"]


class SelectiveCopying:
    """Token ids of one task configuration: data tokens 0..V-1, then NOISE = V and GO = V + 1."""

    def __init__(self, n_tokens: int = 4, length: int = 32, vocab_size: int = 8) -> None:
        self.n_tokens = check_positive_int(n_tokens, "n_tokens")
        self.length = check_positive_int(length, "length")
        self.vocab_size = check_positive_int(vocab_size, "vocab_size")
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2, got {vocab_size}")
        if length < n_tokens:
            raise ValueError(f"length must be at least n_tokens={n_tokens}, got {length}")
        self.NOISE, self.GO = vocab_size, vocab_size + 1

    @property
    def total_vocab(self) -> int:
        """V + 2 ids in all: the model's vocabulary size."""
        return self.vocab_size + 2

    @property
    def T(self) -> int:
        return self.length + self.n_tokens

    def chance(self) -> float:
        """Accuracy of guessing a data token uniformly: 1 / V."""
        return 1.0 / self.vocab_size

    def batch(
        self, batch_size: int, seed: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw B sequences: ids (T, B) int64, targets (T, B) int64 (0 where masked), mask (T, B).

        The same seed gives the same batch.
        """
        B = check_positive_int(batch_size, "batch_size")
        rng = np.random.default_rng(seed)
        L, n = self.length, self.n_tokens
        ids = np.full((self.T, B), self.NOISE, dtype=np.int64)
        ids[L:] = self.GO
        # n distinct positions per sequence, sorted, by ranking random keys
        positions = np.sort(np.argsort(rng.random((L, B)), axis=0)[:n], axis=0)
        data = rng.integers(0, self.vocab_size, size=(n, B))
        ids[positions, np.arange(B)] = data
        targets = np.zeros_like(ids)
        targets[L:] = data
        mask = np.zeros(ids.shape, dtype=bool)
        mask[L:] = True
        return ids, targets, mask


def selective_copying(
    batch_size: int,
    n_tokens: int = 4,
    length: int = 32,
    vocab_size: int = 8,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One batch of :class:`SelectiveCopying`: (ids, targets, mask), each (T, B)."""
    return SelectiveCopying(n_tokens, length, vocab_size).batch(batch_size, seed)
