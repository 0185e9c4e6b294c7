"""Character-level text data: the Shakespeare corpus, a character vocabulary, splits and batches.

A character language model reads a text as a sequence of integer ids, one per character, and learns
to predict each id from the ones before it (Graves, 2013, "Generating sequences with recurrent
neural networks", Section 3; Karpathy, Johnson & Fei-Fei, 2015, "Visualizing and understanding
recurrent networks", Section 4.1). This module turns text into those ids and back, splits the ids by
position (the validation text comes after the training text, so no validation character is ever
trained on), and cuts training batches of contiguous character windows.

Shapes use T (window length, time steps), B (batch size), N (characters in a text).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from importlib import resources

import numpy as np

from rnncore.utils import check_positive_int

__all__ = [
    "CharVocab",
    "char_lm_batches",
    "load_shakespeare",
    "split_by_position",
    "streams",
]


def load_shakespeare() -> str:
    """Return the offline Shakespeare corpus: eight plays, 1,036,335 ASCII characters.

    The plays, in order: Hamlet, Macbeth, King Lear, Othello, Romeo and Juliet, Julius Caesar, A
    Midsummer Night's Dream, The Tempest (last, so a tail split validates on one unseen play).
    Source, cleaning and licence (the texts of Open Shakespeare, CC-BY 2.5, Open Knowledge
    Foundation) are in ``rnncore/data/shakespeare/PROVENANCE.txt``.
    """
    path = resources.files("rnncore.data") / "shakespeare" / "shakespeare.txt"
    return path.read_text(encoding="ascii")


class CharVocab:
    """A bijection between the characters of a text and the ids ``0 .. V-1`` (sorted by code point).

    ``CharVocab.from_text(text)`` builds it; ``encode`` maps a string to ids and names the first
    character it does not know (and its position); ``decode`` maps ids back to a string.
    """

    def __init__(self, chars: Sequence[str] | str) -> None:
        chars = list(chars)
        if not chars:
            raise ValueError("chars must not be empty: a vocabulary needs at least one character")
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise TypeError(f"chars must be single characters, got {c!r}")
        if len(set(chars)) != len(chars):
            dup = next(c for c in chars if chars.count(c) > 1)
            raise ValueError(f"chars must be distinct, got {dup!r} twice")
        self.chars: list[str] = chars
        self.index: dict[str, int] = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """Build the vocabulary of every distinct character in ``text``, sorted."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text must not be empty")
        return cls(sorted(set(text)))

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"CharVocab(V={len(self)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharVocab) and self.chars == other.chars

    __hash__ = None  # mutable-looking container: equality by content, no hashing

    def encode(self, text: str) -> np.ndarray:
        """Map ``text`` (length N) to an int64 array of ids, shape (N,).

        Raises ``ValueError`` naming the first unknown character, its code point and its position.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        try:
            return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            pos = next(i for i, c in enumerate(text) if c not in self.index)
            c = text[pos]
            raise ValueError(
                f"text has character {c!r} (U+{ord(c):04X}) at position {pos}, which is not in "
                f"the vocabulary of {len(self)} characters"
            ) from None

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """Map ids, shape (N,), back to a string; ids outside ``[0, V)`` raise ``ValueError``."""
        arr = np.asarray(ids)
        if hasattr(ids, "detach"):  # torch tensor
            arr = ids.detach().cpu().numpy()
        if arr.size and arr.dtype.kind not in "iu":
            raise TypeError(f"ids must be integers, got dtype {arr.dtype}")
        arr = arr.reshape(-1)
        bad = (arr < 0) | (arr >= len(self))
        if bad.any():
            pos = int(np.argmax(bad))
            raise ValueError(
                f"ids must be in [0, {len(self)}), got {int(arr[pos])} at position {pos}"
            )
        return "".join(self.chars[i] for i in arr.tolist())


def split_by_position(data: Sequence | np.ndarray, fractions: Sequence[float]) -> list:
    """Cut ``data`` into consecutive pieces whose lengths are the given fractions of its length.

    ``train, val = split_by_position(ids, [0.9, 0.1])`` keeps the first 90% for training and the
    last 10% for validation: every validation position comes after every training position, so
    nothing leaks from one into the other (a random split of overlapping windows would). Fractions
    must be positive and sum to 1; the last piece takes the rounding remainder; no piece may be
    empty.
    """
    fractions = [float(f) for f in fractions]
    if len(fractions) < 2 or any(not f > 0 for f in fractions):
        raise ValueError(f"fractions must be at least two positive numbers, got {fractions}")
    if abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1, got {fractions} (sum {sum(fractions):.6g})")
    n = len(data)
    cuts = [0] + [round(n * s) for s in np.cumsum(fractions[:-1])] + [n]
    pieces = [data[a:b] for a, b in itertools.pairwise(cuts)]
    if any(len(p) == 0 for p in pieces):
        raise ValueError(
            f"data of length {n} is too short for fractions {fractions}: a piece is empty"
        )
    return pieces


def _check_ids(ids: object, name: str = "ids") -> np.ndarray:
    arr = np.asarray(ids.detach().cpu().numpy() if hasattr(ids, "detach") else ids)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be a 1-D integer array of shape (N,), got {arr.dtype} {arr.shape}"
        )
    return arr.astype(np.int64, copy=False)


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

    arr = _check_ids(ids)
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
    arr = _check_ids(ids)
    B = check_positive_int(batch_size, "batch_size")
    L = len(arr) // B
    if L < 2:
        raise ValueError(
            f"ids must hold at least 2 * batch_size={2 * B} characters, got {len(arr)}"
        )
    return arr[: L * B].reshape(B, L).T.copy()
