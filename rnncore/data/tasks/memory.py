"""Delayed recall: a token task whose target at step t is the input token k steps earlier.

    x_t ~ Uniform{0, ..., V-1} i.i.d.,    y_t = x_{t-k}  for t >= k  (positions t < k are masked)

The dependency has length exactly k, which makes the task a clean probe of how far back a training
method lets gradients reach. Under truncated backpropagation through time with window w <= k (the
state is carried forward but the gradient is cut every w steps, Williams & Peng 1990, Neural
Computation 2(4), 490-501), x_{t-k} and y_t never fall in the same window, so no gradient ever
links the target to the input it depends on and a model stays at chance, log V nats per step.
With w > k the links inside each window are seen and the task is learnable.

Shapes: T time steps, B sequences (time-major, as the numpy core), V symbols, k the delay.
"""

from __future__ import annotations

import numpy as np

from rnncore.utils import check_positive_int

__all__ = ["chance_loss", "delayed_recall"]


def delayed_recall(
    batch_size: int, T: int, delay: int, vocab_size: int = 2, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw a batch of delayed-recall sequences.

    Parameters
    ----------
    batch_size : B, the number of sequences.
    T : sequence length; must exceed ``delay`` so at least one step has a target.
    delay : k >= 1, how many steps back the target looks.
    vocab_size : V >= 2 symbols.
    seed : seed of a fresh ``numpy.random.Generator`` (same seed, same batch).

    Returns
    -------
    ids : (T, B) int64 input tokens.
    targets : (T, B) int64, ``targets[t] = ids[t - delay]`` for t >= delay, 0 before (masked).
    mask : (T, B) bool, False for the first ``delay`` steps, which have nothing to recall.
    """
    B = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(T, "T")
    k = check_positive_int(delay, "delay")
    V = check_positive_int(vocab_size, "vocab_size")
    if V < 2:
        raise ValueError(f"vocab_size must be at least 2, got {V}")
    if T <= k:
        raise ValueError(f"T must exceed delay={k} so some step has a target, got T={T}")
    ids = np.random.default_rng(seed).integers(0, V, size=(T, B), dtype=np.int64)
    targets = np.zeros_like(ids)
    targets[k:] = ids[:-k]
    mask = np.zeros((T, B), dtype=bool)
    mask[k:] = True
    return ids, targets, mask


def chance_loss(vocab_size: int) -> float:
    """Cross-entropy in nats of the best prediction that ignores the inputs: log V."""
    V = check_positive_int(vocab_size, "vocab_size")
    return float(np.log(V))
