"""Split a sequence by position: training first, then validation, then test, never shuffled.

A random split of overlapping windows leaks: a validation window shares most of its values with
training windows next to it. Cutting the sequence into consecutive blocks keeps every validation
and test position after every training position, the split forecasters are evaluated with, since a
forecast may use the past but not the future (Hyndman & Athanasopoulos, 2021, "Forecasting:
principles and practice", 3rd ed., on training and test sets).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

__all__ = ["split_by_position"]


def split_by_position(data: Sequence | np.ndarray, sizes: Sequence[float] | Sequence[int]) -> list:
    """Cut ``data`` (N, ...) along its first axis into consecutive pieces, one per ``sizes`` entry.

    ``sizes`` are either all fractions of N (floats summing to 1; each cut is rounded to the nearest
    position, so the last piece takes the remainder) or all counts (ints summing to N):
    ``train, val = split_by_position(ids, [0.9, 0.1])`` keeps the first 90% for training;
    ``train, val, test = split_by_position(y, [229, 40, 40])`` ends with 40 values for each of
    validation and test. No piece may be empty. Returns the pieces as slices of ``data``
    (views of an array, substrings of a string).
    """
    n = len(data)
    sizes = list(sizes)
    counts = all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes)
    if len(sizes) < 2 or not all(isinstance(s, (int, float, np.number)) and s > 0 for s in sizes):
        raise ValueError(f"sizes must be at least two positive numbers, got {sizes}")
    if counts and sum(sizes) != n:
        raise ValueError(f"sizes must sum to len(data)={n} when they are counts, got {sizes}")
    if not counts and abs(sum(sizes) - 1.0) > 1e-9:
        raise ValueError(
            f"sizes must sum to 1 when they are fractions, got {sizes} (sum {sum(sizes):.6g})"
        )
    ends = np.cumsum(sizes[:-1])
    cuts = [0, *(int(e) if counts else round(n * e) for e in ends), n]
    pieces = [data[a:b] for a, b in itertools.pairwise(cuts)]
    if any(len(p) == 0 for p in pieces):
        raise ValueError(f"data of length {n} is too short for sizes {sizes}: a piece is empty")
    return pieces
