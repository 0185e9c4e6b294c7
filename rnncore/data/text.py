"""Character-level text data: the Shakespeare corpus and batches of character windows.

A character language model reads a text as a sequence of integer ids, one per character, and learns
to predict each id from the ones before it (Graves, 2013, "Generating sequences with recurrent
neural networks", Section 3; Karpathy, Johnson & Fei-Fei, 2015, "Visualizing and understanding
recurrent networks", Section 4.1). The ids come from :class:`rnncore.data.vocab.CharVocab`, the
split from :func:`rnncore.data.split.split_by_position` (the validation text comes after the
training text, so no validation character is ever trained on); this module loads the text and cuts
training batches of contiguous character windows.

Shapes use T (window length, time steps), B (batch size), N (characters in a text).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import numpy as np

from rnncore.utils import check_ids, check_positive_int

__all__ = ["char_lm_batches", "load_shakespeare", "streams"]


def load_shakespeare() -> str:
    """Return the offline Shakespeare corpus: eight plays, 1,036,335 ASCII characters.

    The plays, in order: Hamlet, Macbeth, King Lear, Othello, Romeo and Juliet, Julius Caesar, A
    Midsummer Night's Dream, The Tempest (last, so a tail split validates on one unseen play).
    Source, cleaning and licence (the texts of Open Shakespeare, CC-BY 2.5, Open Knowledge
    Foundation) are in ``rnncore/data/shakespeare/PROVENANCE.txt``.
    """
    path = resources.files("rnncore.data") / "shakespeare" / "shakespeare.txt"
    return path.read_text(encoding="ascii")


def char_lm_batches(
    ids: np.ndarray, batch_size: int, seq_len: int, seed: int = 0
) -> Callable[[int], tuple]:
    """Return ``batch(i) -> (x, y)``: B random windows of T+1 contiguous characters for step ``i``.

    ``x`` is (T, B) and ``y`` (T, B) is ``x`` shifted by one character (the next character to
    predict), both int64 torch tensors. Window starts are drawn uniformly by a generator seeded with
    ``(seed, i)``, so the batch of a step depends on nothing else: runs repeat and a resumed run
    sees the same batches. ``ids``: (N,) with N > T.
    """
    import torch

    arr = check_ids(ids, "ids", ndim=1, letters="(N,)")
    B = check_positive_int(batch_size, "batch_size")
    T = check_positive_int(seq_len, "seq_len")
    if len(arr) <= T:
        raise ValueError(f"ids must hold more than seq_len={T} characters, got {len(arr)}")
    data = torch.from_numpy(arr.copy())
    offsets = torch.arange(T + 1)

    def batch(i: int) -> tuple:
        rng = np.random.default_rng([seed, i])
        starts = torch.from_numpy(rng.integers(0, len(arr) - T, size=B))
        windows = data[starts[None, :] + offsets[:, None]]  # (T+1, B)
        return windows[:-1], windows[1:]

    return batch


def streams(ids: np.ndarray, batch_size: int) -> np.ndarray:
    """Lay ``ids`` (N,) out as B parallel streams: shape (N // B, B), each column contiguous.

    Evaluation reads the columns left to right in windows and carries the hidden state from window
    to window, so every character after a stream's first is predicted with all of its stream's past.
    The last ``N % B`` characters are dropped.
    """
    arr = check_ids(ids, "ids", ndim=1, letters="(N,)")
    B = check_positive_int(batch_size, "batch_size")
    L = len(arr) // B
    if L < 2:
        raise ValueError(
            f"ids must hold at least 2 * batch_size={2 * B} characters, got {len(arr)}"
        )
    return arr[: L * B].reshape(B, L).T.copy()
