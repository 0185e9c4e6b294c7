"""rnncore.data.split: consecutive blocks by fractions or by counts."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnncore.data.split import split_by_position


def test_fractions_cut_consecutive_complete_pieces() -> None:
    data = np.arange(1000)
    train, tune, val = split_by_position(data, [0.8, 0.1, 0.1])
    assert (len(train), len(tune), len(val)) == (800, 100, 100)
    assert np.array_equal(np.concatenate([train, tune, val]), data)
    assert train.max() < tune.min() and tune.max() < val.min()  # no leakage backwards
    assert split_by_position("abcdefghij", [0.7, 0.3]) == ["abcdefg", "hij"]


def test_counts_cut_the_given_lengths_as_views() -> None:
    x = np.arange(10.0)
    tr, va, te = split_by_position(x, [5, 2, 3])
    assert (tr.size, va.size, te.size) == (5, 2, 3)
    np.testing.assert_array_equal(np.concatenate([tr, va, te]), x)
    assert np.shares_memory(te, x)
    rows = split_by_position(np.zeros((6, 2)), [np.int64(4), 2])  # first axis, numpy ints
    assert [r.shape for r in rows] == [(4, 2), (2, 2)]


@pytest.mark.parametrize(
    ("sizes", "match"),
    [
        ([1.0], "at least two positive numbers, got [1.0]"),
        ([1.2, -0.2], "at least two positive numbers"),
        ([5, 0, 5], "at least two positive numbers"),
        ([0.5, 0.6], "sum to 1 when they are fractions"),
        ([5, 2, 2], "sum to len(data)=10 when they are counts, got [5, 2, 2]"),
        ([8, 0.2], "sum to 1 when they are fractions"),
        ([0.999, 0.001], "data of length 10 is too short for sizes [0.999, 0.001]"),
    ],
)
def test_errors_name_the_sizes(sizes, match) -> None:
    with pytest.raises(ValueError, match=re.escape(match)):
        split_by_position(np.arange(10), sizes)
