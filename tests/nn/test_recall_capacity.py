"""The associative-memory measurement: a d_k x V state recalls perfectly while n << d_k and fails
at a rate set by d_k; a cache recalls every pair."""

from __future__ import annotations

import pytest

from rnncore.nn.recall_capacity import recall_accuracy, state_numbers


def test_state_recall_falls_with_pairs_at_a_rate_set_by_its_size() -> None:
    for d in (8, 32):
        accs = [recall_accuracy("state", n, d, seed=0) for n in (d // 4, d, 4 * d)]
        assert accs[0] > 0.95 and accs[0] >= accs[1] > accs[2]
    # the same ratio n / d gives about the same accuracy
    assert (
        abs(recall_accuracy("state", 32, 8, seed=1) - recall_accuracy("state", 128, 32, seed=1))
        < 0.1
    )


def test_cache_recalls_everything() -> None:
    assert recall_accuracy("cache", 128, 8, seed=0) == 1.0


def test_state_numbers_and_bad_input() -> None:
    assert state_numbers("state", 1000, 16, 16) == 256
    assert state_numbers("cache", 10, 16, 16) == 320
    with pytest.raises(ValueError, match="kind must be one of"):
        recall_accuracy("lstm", 4, 8)
    with pytest.raises(ValueError, match="n_pairs must be a positive int"):
        recall_accuracy("state", 0, 8)
