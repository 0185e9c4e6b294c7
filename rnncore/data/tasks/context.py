"""Synthetic token tasks whose answer depends on context outside the current position.

Three generators, each a seeded function of a batch index, returning batch-first integer token ids
``x: (B, T)`` and integer labels:

- :func:`first_symbol_task`: the label of a sequence is its *first* token. A model that sees only a
  fixed window of the last ``k < T`` tokens is at chance (1/V); a recurrent model can carry the
  first token in its state (the motivation for recurrence, chapter "Sequence data").
- :func:`lookahead_tagging_task`: tag every token; some tokens are *ambiguous* and their tag is
  decided by the token that follows, the way "can" in English is a verb or a noun depending on the
  next word. A causal model must guess on those positions; a bidirectional one can read the next
  token. :func:`causal_ceiling` gives the best accuracy any causal model can reach.
- :func:`next_token_task`: language-modelling targets ``y_t = x_{t+1}`` over i.i.d. uniform tokens,
  so no causal model can beat ``log V`` nats, while a bidirectional model "sees the answer".

Bidirectional RNNs: Schuster & Paliwal (1997), IEEE Trans. Signal Processing 45(11), Section II.
Shapes: B sequences, T time steps, V vocabulary size.
"""

from __future__ import annotations

import numpy as np

from rnncore.utils import check_positive_int

__all__ = [
    "causal_ceiling",
    "first_symbol_task",
    "last_window",
    "lookahead_tagging_task",
    "lookahead_tags",
    "next_token_task",
]


def _rng(seed: int, index: int) -> np.random.Generator:
    """A generator that depends only on (seed, index): batch i is the same in every run."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
        raise ValueError(f"index must be a non-negative int, got {index!r}")
    return np.random.default_rng([int(seed), int(index)])


def first_symbol_task(
    batch_size: int, T: int, V: int, seed: int = 0, index: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of uniform random tokens labelled by their first token.

    Returns
    -------
    x : (B, T) int64 token ids in [0, V).
    y : (B,) int64, ``y = x[:, 0]``.
    """
    B = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(T, "T")
    V = check_positive_int(V, "V")
    if V < 2:
        raise ValueError(f"V must be at least 2 so that the label is uncertain, got {V}")
    x = _rng(seed, index).integers(0, V, size=(B, T), dtype=np.int64)
    return x, x[:, 0].copy()


def last_window(x: np.ndarray, k: int) -> np.ndarray:
    """Return the last ``k`` tokens of every sequence: ``x: (B, T)`` -> ``(B, k)``.

    This is all a fixed-window model sees at the end of a sequence.
    """
    k = check_positive_int(k, "k")
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (B, T), got {x.shape}")
    if k > x.shape[1]:
        raise ValueError(f"k must be at most T={x.shape[1]}, got {k}")
    return x[:, -k:]


def _check_tagging(V: int, n_ambiguous: int) -> tuple[int, int]:
    V = check_positive_int(V, "V")
    if isinstance(n_ambiguous, bool) or not isinstance(n_ambiguous, (int, np.integer)):
        raise ValueError(f"n_ambiguous must be an int, got {n_ambiguous!r}")
    if not 0 <= n_ambiguous <= V - 2:
        raise ValueError(f"n_ambiguous must be in [0, V - 2] = [0, {V - 2}], got {n_ambiguous}")
    return V, int(n_ambiguous)


def lookahead_tags(x: np.ndarray, V: int, n_ambiguous: int) -> np.ndarray:
    """Tag every token of ``x: (B, T)``; ambiguous tokens take their tag from the next token.

    Tokens ``0 .. V - n_ambiguous - 1`` are *plain*: tag = token parity (0 or 1). The last
    ``n_ambiguous`` token ids are *ambiguous*: tag 2 if the next token is even, 3 if it is odd; at
    the last position there is no next token and the tag is 2. Returns (B, T) int64 tags in [0, 4).
    """
    V, n_amb = _check_tagging(V, n_ambiguous)
    x = np.asarray(x)
    if x.ndim != 2 or x.dtype.kind not in "iu":
        raise ValueError(f"x must be (B, T) integer token ids, got shape {x.shape} dtype {x.dtype}")
    if x.size and (x.min() < 0 or x.max() >= V):
        raise ValueError(f"x must hold token ids in [0, {V}), got range [{x.min()}, {x.max()}]")
    tags = (x % 2).astype(np.int64)
    nxt = np.concatenate([x[:, 1:], np.zeros_like(x[:, :1])], axis=1)  # "even" after the end
    ambiguous = x >= V - n_amb
    tags[ambiguous] = 2 + (nxt[ambiguous] % 2)
    return tags


def lookahead_tagging_task(
    batch_size: int, T: int, V: int = 8, n_ambiguous: int = 4, seed: int = 0, index: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random tokens with the tags of :func:`lookahead_tags`.

    Returns
    -------
    x : (B, T) int64 token ids in [0, V).
    y : (B, T) int64 tags in [0, 4).
    """
    B = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(T, "T")
    V, n_amb = _check_tagging(V, n_ambiguous)
    x = _rng(seed, index).integers(0, V, size=(B, T), dtype=np.int64)
    return x, lookahead_tags(x, V, n_amb)


def causal_ceiling(T: int, V: int = 8, n_ambiguous: int = 4) -> float:
    """The best expected accuracy of any causal tagger on :func:`lookahead_tagging_task`.

    At an ambiguous position other than the last, the tag depends on the parity of a future
    uniform token, independent of everything seen so far, so a causal model is right half of the
    time at best (for even V); everywhere else it can be right always. With ``p = n_ambiguous / V``
    and ``q`` the larger of P(next token odd) and P(even): ``1 - p (1 - q) (T - 1) / T``.
    """
    T = check_positive_int(T, "T")
    V, n_amb = _check_tagging(V, n_ambiguous)
    p_odd = (V // 2) / V  # share of odd ids in [0, V): 1/2 for even V, the next token's parity
    coin = max(p_odd, 1 - p_odd)
    p = n_amb / V
    return 1.0 - p * (1.0 - coin) * (T - 1) / T


def next_token_task(
    batch_size: int, T: int, V: int, seed: int = 0, index: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Language-modelling pairs over i.i.d. uniform tokens: ``y[:, t] = x[:, t + 1]``.

    A sequence of T + 1 tokens is drawn; ``x`` is its first T, ``y`` its last T. The cross-entropy
    of any model that reads only ``x[:, :t+1]`` to predict ``y[:, t]`` is at least ``log V`` nats.

    Returns
    -------
    x, y : (B, T) int64 token ids in [0, V).
    """
    B = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(T, "T")
    V = check_positive_int(V, "V")
    s = _rng(seed, index).integers(0, V, size=(B, T + 1), dtype=np.int64)
    return s[:, :-1].copy(), s[:, 1:].copy()
