"""rnncore.nn.ctc_paths: the collapse rule, the extended labels, the skip rule, the shortest
input, and the brute-force enumeration of alignments."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnncore.nn.ctc_paths import (
    alignments,
    collapse,
    extend_with_blanks,
    min_input_length,
    skip_allowed,
)


@pytest.mark.parametrize(
    ("path", "labels"),
    [
        ([1, 1, 0, 1, 2, 2], [1, 1, 2]),  # a blank separates two equal labels
        ([1, 1, 1, 2, 2], [1, 2]),  # runs merge
        ([0, 0, 0], []),
        ([], []),
        ([3, 0, 0, 3, 0, 3], [3, 3, 3]),
        (np.array([2, 2, 0, 1]), [2, 1]),
    ],
)
def test_collapse(path, labels) -> None:
    assert collapse(path) == labels


def test_collapse_with_another_blank() -> None:
    assert collapse([2, 2, 0, 0, 2], blank=2) == [0]


def test_extend_and_skip() -> None:
    ext = extend_with_blanks([4, 4, 2])
    assert ext.tolist() == [0, 4, 0, 4, 0, 2, 0]
    # a path may jump over a blank onto a label that differs from the one before the blank
    assert skip_allowed(ext).tolist() == [False, False, False, False, False, True, False]
    assert skip_allowed(extend_with_blanks([])).tolist() == [False]


@pytest.mark.parametrize(
    ("target", "shortest"), [([], 0), ([1], 1), ([1, 2, 3], 3), ([1, 1], 3), ([2, 2, 2, 1], 6)]
)
def test_min_input_length_is_the_shortest_path(target, shortest) -> None:
    assert min_input_length(target) == shortest
    # brute force: no shorter path collapses to the target, and one of that length does
    for T in range(shortest + 1):
        found = any(collapse(p) == target for p in itertools.product(range(4), repeat=T))
        assert found == (T == shortest)


def test_alignments_are_exactly_the_paths_that_collapse() -> None:
    paths = list(alignments([1, 2], T=3, num_classes=3))
    assert (1, 2, 0) in paths and (1, 1, 2) in paths and (0, 1, 2) in paths
    assert all(collapse(p) == [1, 2] for p in paths)
    assert len(paths) == 5 and len(set(paths)) == 5


def test_alignments_refuses_huge_enumerations() -> None:
    with pytest.raises(ValueError, match="C\\^T"):
        next(alignments([1], T=30, num_classes=5))
