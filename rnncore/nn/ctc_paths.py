"""Paths, labellings and the collapse rule of connectionist temporal classification.

Graves, Fernández, Gomez & Schmidhuber (2006), "Connectionist temporal classification: labelling
unsegmented sequence data with recurrent neural networks", ICML. A *path* is one class
per frame, blank included; the collapse rule B maps it to a *labelling* by merging runs of equal
classes and then deleting blanks. The recursions of :mod:`rnncore.nn.ctc` run over the extended
label sequence l' = (blank, l_1, blank, ..., l_U, blank), whose states s = 0..2U a path visits in
order. This module holds the combinatorics: B itself, l', which blanks may be skipped, the
shortest input that can carry a labelling, and (for checking on tiny cases) every path that
collapses to a labelling, found by brute force.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

__all__ = ["alignments", "collapse", "extend_with_blanks", "min_input_length", "skip_allowed"]


def collapse(path: Sequence[int], blank: int = 0) -> list[int]:
    """The collapse rule B of Graves et al. (2006): merge repeated classes, then drop blanks.

    ``collapse([1, 1, 0, 1, 2, 2], blank=0) == [1, 1, 2]``: the blank between the two 1s keeps
    them apart, while the run ``2, 2`` is one label.
    """
    out: list[int] = []
    previous = None
    for k in path:
        k = int(k)
        if k != previous and k != blank:
            out.append(k)
        previous = k
    return out


def extend_with_blanks(target: Sequence[int], blank: int = 0) -> np.ndarray:
    """The extended sequence l' = (blank, l_1, blank, ..., l_U, blank), of length 2U + 1."""
    ext = np.full(2 * len(target) + 1, blank, dtype=np.int64)
    ext[1::2] = np.asarray(target, dtype=np.int64)
    return ext


def min_input_length(target: Sequence[int]) -> int:
    """The fewest frames that can emit ``target``: U labels plus one blank between each repeat."""
    target = list(target)
    repeats = sum(a == b for a, b in itertools.pairwise(target))
    return len(target) + repeats


def alignments(target: Sequence[int], T: int, num_classes: int, blank: int = 0) -> Iterator[tuple]:
    """Every frame-level path of length T over ``num_classes`` classes that collapses to
    ``target``, found by brute force over all C^T paths (for checking on tiny cases only)."""
    target = [int(k) for k in target]
    if num_classes**T > 5_000_000:
        raise ValueError(
            f"T and num_classes must keep C^T <= 5,000,000 paths, got {num_classes}^{T}"
        )
    for path in itertools.product(range(num_classes), repeat=T):
        if collapse(path, blank) == target:
            yield path


def skip_allowed(ext: np.ndarray, blank: int = 0) -> np.ndarray:
    """(..., S') bool: may a path jump from state s-2 straight to s? Only onto a label that
    differs from the label two states back: the blank between two equal labels cannot be skipped
    (Graves et al. 2006)."""
    allowed = np.zeros(ext.shape, dtype=bool)
    allowed[..., 2:] = (ext[..., 2:] != blank) & (ext[..., 2:] != ext[..., :-2])
    return allowed
