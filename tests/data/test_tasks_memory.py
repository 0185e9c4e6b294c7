from __future__ import annotations

import numpy as np
import pytest

from rnncore.data.tasks.memory import chance_loss, delayed_recall


@pytest.mark.parametrize("delay", [1, 3, 7])
def test_targets_are_inputs_delay_steps_earlier(delay: int) -> None:
    ids, targets, mask = delayed_recall(5, 12, delay, vocab_size=3, seed=0)
    assert ids.shape == targets.shape == mask.shape == (12, 5)
    assert ids.dtype == targets.dtype == np.int64 and mask.dtype == bool
    for t in range(12):
        if t < delay:
            assert not mask[t].any()
        else:
            assert mask[t].all()
            assert np.array_equal(targets[t], ids[t - delay])
    assert set(np.unique(ids)) <= {0, 1, 2}


def test_seeded_and_balanced() -> None:
    a = delayed_recall(200, 50, 4, seed=1)
    b = delayed_recall(200, 50, 4, seed=1)
    c = delayed_recall(200, 50, 4, seed=2)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    assert abs(a[0].mean() - 0.5) < 0.02  # 10,000 fair bits: sd 0.005


def test_chance_loss() -> None:
    assert chance_loss(2) == pytest.approx(np.log(2))
    assert chance_loss(10) == pytest.approx(2.302585093)


def test_errors() -> None:
    with pytest.raises(ValueError, match="T must exceed delay=5 so some step has a target"):
        delayed_recall(2, 5, 5)
    with pytest.raises(ValueError, match="vocab_size must be at least 2, got 1"):
        delayed_recall(2, 5, 1, vocab_size=1)
    with pytest.raises(ValueError, match="delay must be a positive int, got 0"):
        delayed_recall(2, 5, 0)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        delayed_recall(0, 5, 1)
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        chance_loss(0)
