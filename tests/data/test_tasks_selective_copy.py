"""Selective copying: the targets are the data tokens in order, at the GO positions only."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.data.tasks.selective_copy import SelectiveCopying, selective_copying


def test_targets_are_the_data_tokens_in_order() -> None:
    task = SelectiveCopying(n_tokens=4, length=20, vocab_size=6)
    ids, targets, mask = task.batch(50, seed=0)
    assert ids.shape == targets.shape == mask.shape == (24, 50) and ids.dtype == np.int64
    assert task.total_vocab == 8 and task.chance() == pytest.approx(1 / 6)
    for b in range(50):
        prefix = ids[:20, b]
        data = prefix[prefix != task.NOISE]
        assert len(data) == 4 and np.all(data < 6)
        assert np.all(ids[20:, b] == task.GO)
        assert np.array_equal(targets[20:, b], data)
    assert mask[20:].all() and not mask[:20].any()


def test_positions_vary_and_seeds_repeat() -> None:
    a = selective_copying(64, seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, selective_copying(64, seed=1), strict=True))
    positions = {tuple(np.flatnonzero(a[0][:32, b] < 8)) for b in range(64)}
    assert len(positions) > 50


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_tokens": 0}, "n_tokens must be a positive int"),
        ({"length": 3, "n_tokens": 4}, "length must be at least"),
        ({"vocab_size": 1}, "vocab_size must be at least 2"),
    ],
)
def test_bad_configuration(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SelectiveCopying(**kwargs)
    with pytest.raises(ValueError, match="batch_size"):
        SelectiveCopying().batch(0)
