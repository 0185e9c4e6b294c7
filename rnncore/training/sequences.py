"""Variable-length batches: padding, masks, packing and pooling that ignore the padding.

A batch of sequences of different lengths is stored as one padded array ``(B, T, D)`` plus the
true lengths ``(B,)``. Every computation downstream must then ignore the padded steps, in one of two
ways:

- **packing** (``torch.nn.utils.rnn.pack_padded_sequence``): the recurrent layer never sees the
  padding, and its final state ``h_n`` is the state after each sequence's own last step;
- **masking**: run over the padding, then select or average only the real steps with a boolean
  mask ``(B, T)``.

Both give the same numbers for a causal (one-direction) RNN read at the last real step; the tests
check it. Shapes: B sequences, T_b the length of sequence b, T = max_b T_b, D features, H hidden
units.
Batches here are batch-first, like the ``DataLoader`` that builds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from rnncore.utils import check_array, check_positive_int

__all__ = [
    "collate_padded",
    "gather_last",
    "lengths_to_mask",
    "masked_mean",
    "pack",
    "pad_sequences",
]


def pad_sequences(
    seqs: Sequence[Any], padding_value: float = 0.0, max_len: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Stack sequences of shape (T_b, D) into one zero-padded array, after each sequence's end.

    Parameters
    ----------
    seqs : list of B float arrays, each (T_b, D) with T_b >= 1 and one D for all.
    padding_value : the value written after each sequence's end.
    max_len : pad to this length T (default: the longest sequence), at least the longest.

    Returns
    -------
    padded : (B, T, D) float array. lengths : (B,) int64 array of T_b.
    """
    if isinstance(seqs, np.ndarray) or not isinstance(seqs, Sequence):
        raise TypeError(f"seqs must be a list of (T_b, D) arrays, got {type(seqs).__name__}")
    if len(seqs) == 0:
        raise ValueError("seqs must hold at least one sequence, got an empty list")
    arrays = [check_array(s, f"seqs[{b}]", ndim=2) for b, s in enumerate(seqs)]
    D = arrays[0].shape[1]
    for b, a in enumerate(arrays):
        if a.shape[0] == 0:
            raise ValueError(
                f"seqs[{b}] is empty: every sequence needs T_b >= 1, got shape {a.shape}"
            )
        if a.shape[1] != D:
            raise ValueError(f"seqs[{b}] must have shape (T_b, D) with D={D}, got {a.shape}")
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.int64)
    T = int(lengths.max()) if max_len is None else check_positive_int(max_len, "max_len")
    if lengths.max() > T:
        raise ValueError(f"max_len={T} is shorter than the longest sequence ({lengths.max()})")
    dtype = np.result_type(*arrays)
    padded = np.full((len(arrays), T, D), padding_value, dtype=dtype)
    for b, a in enumerate(arrays):
        padded[b, : a.shape[0]] = a
    return padded, lengths


def _check_lengths(lengths: Any, name: str = "lengths") -> np.ndarray:
    arr = (
        lengths.detach().cpu().numpy() if isinstance(lengths, torch.Tensor) else np.asarray(lengths)
    )
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must have shape (B,) with B >= 1, got {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.min() < 1:
        raise ValueError(f"{name} must all be >= 1 (no empty sequences), got min {arr.min()}")
    return arr.astype(np.int64)


def lengths_to_mask(lengths: Any, max_len: int | None = None) -> torch.Tensor:
    """Return the boolean mask (B, T) that is True on each sequence's real steps.

    lengths : (B,) ints >= 1. max_len : T (default ``max(lengths)``), at least ``max(lengths)``.
    """
    arr = _check_lengths(lengths)
    T = int(arr.max()) if max_len is None else check_positive_int(max_len, "max_len")
    if arr.max() > T:
        raise ValueError(f"max_len={T} is shorter than the longest sequence ({arr.max()})")
    return torch.arange(T)[None, :] < torch.as_tensor(arr)[:, None]


def _check_batch(x: Any, lengths: Any) -> tuple[torch.Tensor, np.ndarray]:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (B, T, D), got {type(x).__name__}")
    if x.ndim != 3:
        raise ValueError(f"x must have shape (B, T, D), got {tuple(x.shape)}")
    arr = _check_lengths(lengths)
    if arr.size != x.shape[0] or arr.max() > x.shape[1]:
        raise ValueError(
            f"lengths must have shape (B,) = ({x.shape[0]},) with values <= T={x.shape[1]}, "
            f"got shape {arr.shape} and max {arr.max()}"
        )
    return x, arr


def pack(x: torch.Tensor, lengths: Any) -> torch.nn.utils.rnn.PackedSequence:
    """Pack a padded batch x: (B, T, D) with lengths (B,) for a batch-first torch RNN.

    Sequences need not be sorted (``enforce_sorted=False``: torch sorts, and restores the order in
    ``h_n``). Unpack the per-step outputs with ``torch.nn.utils.rnn.pad_packed_sequence``.
    """
    x, arr = _check_batch(x, lengths)
    return torch.nn.utils.rnn.pack_padded_sequence(
        x, torch.as_tensor(arr), batch_first=True, enforce_sorted=False
    )


def masked_mean(x: torch.Tensor, lengths: Any) -> torch.Tensor:
    """Average x: (B, T, D) over each sequence's real steps only. Returns (B, D)."""
    x, arr = _check_batch(x, lengths)
    mask = lengths_to_mask(arr, x.shape[1]).to(x.dtype)[:, :, None]
    return (x * mask).sum(dim=1) / torch.as_tensor(arr, dtype=x.dtype)[:, None]


def gather_last(x: torch.Tensor, lengths: Any) -> torch.Tensor:
    """Pick each sequence's output at its own last real step: x (B, T, H) -> (B, H)."""
    x, arr = _check_batch(x, lengths)
    index = torch.as_tensor(arr - 1, device=x.device)
    return x[torch.arange(x.shape[0], device=x.device), index]


def collate_padded(
    batch: Sequence[tuple[Any, int]],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Turn a list of ``(sequence (T_b, D), label)`` pairs into padded tensors for a DataLoader.

    Returns
    -------
    x : (B, T, D) float32 tensor, zero-padded. lengths : (B,) int64. labels : (B,) int64.
    """
    if isinstance(batch, np.ndarray) or not isinstance(batch, Sequence) or len(batch) == 0:
        raise ValueError("batch must be a non-empty list of (sequence, label) pairs")
    for b, item in enumerate(batch):
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ValueError(
                f"batch[{b}] must be a (sequence, label) pair, got {type(item).__name__}"
            )
    seqs = [np.asarray(s) for s, _ in batch]
    labels = [lab for _, lab in batch]
    for b, lab in enumerate(labels):
        if isinstance(lab, bool) or not isinstance(lab, (int, np.integer)):
            raise TypeError(f"batch[{b}] label must be an int class id, got {lab!r}")
    padded, lengths = pad_sequences(seqs)
    return (
        torch.as_tensor(padded, dtype=torch.float32),
        torch.as_tensor(lengths),
        torch.as_tensor(np.asarray(labels, dtype=np.int64)),
    )
