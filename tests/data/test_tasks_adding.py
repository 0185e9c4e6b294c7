"""rnncore.data.tasks.adding: shapes, marker layout, targets, seeding, the 1/6 baseline."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.data.tasks.adding import (
    BASELINE_MSE,
    adding_batches,
    adding_problem,
    mean_predictor_mse,
    plateau_exit_step,
)


def test_shapes_and_dtype() -> None:
    x, y = adding_problem(5, 12, seed=0)
    assert x.shape == (12, 5, 2) and y.shape == (5,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    x64, y64 = adding_problem(3, 4, seed=0, dtype=np.float64)
    assert x64.dtype == np.float64 and y64.dtype == np.float64


def test_markers_one_per_half_and_target_is_marked_sum() -> None:
    T = 11
    x, y = adding_problem(200, T, seed=1, dtype=np.float64)
    markers = x[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers.sum(axis=0) == 2)
    assert np.all(markers[: T // 2].sum(axis=0) == 1)
    assert np.all(markers[T // 2 :].sum(axis=0) == 1)
    np.testing.assert_allclose(y, (x[:, :, 0] * markers).sum(axis=0))
    assert np.all((x[:, :, 0] >= 0) & (x[:, :, 0] < 1))


def test_seeded_reproducible_and_rng_advances() -> None:
    a = adding_problem(4, 6, seed=7)
    b = adding_problem(4, 6, seed=7)
    c = adding_problem(4, 6, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    rng = np.random.default_rng(0)
    first = adding_problem(4, 6, rng=rng)
    second = adding_problem(4, 6, rng=rng)
    assert not np.array_equal(first[0], second[0])


def test_batches_are_fresh_and_seeded() -> None:
    g1, g2 = adding_batches(3, 5, seed=2), adding_batches(3, 5, seed=2)
    x1, _ = next(g1)
    x2, _ = next(g1)
    x1b, _ = next(g2)
    np.testing.assert_array_equal(x1, x1b)
    assert not np.array_equal(x1, x2)


def test_baseline_is_one_sixth() -> None:
    assert BASELINE_MSE == pytest.approx(1 / 6)
    _, y = adding_problem(200_000, 4, seed=0, dtype=np.float64)
    assert mean_predictor_mse(y) == pytest.approx(1 / 6, abs=3e-3)
    assert float(np.mean(y)) == pytest.approx(1.0, abs=5e-3)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n": 0, "T": 5}, ValueError, "n must be a positive int"),
        ({"n": 2, "T": 1}, ValueError, "T must be at least 2"),
        ({"n": 2, "T": 2.5}, ValueError, "T must be a positive int"),
        ({"n": 2, "T": 4, "dtype": np.int64}, TypeError, "dtype must be a floating-point"),
        ({"n": 2, "T": 4, "rng": 3}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_arguments(kwargs: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        adding_problem(**kwargs)


def test_bad_batch_size_and_targets() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        next(adding_batches(0, 5))
    with pytest.raises(ValueError, match="y must be a non-empty 1-D"):
        mean_predictor_mse(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="y must be a floating-point"):
        mean_predictor_mse(np.ones(3, dtype=int))


def test_plateau_exit_step() -> None:
    losses = np.r_[np.full(100, 1 / 6), np.full(100, 0.01)]
    # the 10-step mean first drops below 0.1 once 5 low losses are in the window: step 105
    assert plateau_exit_step(losses, window=10) == 105
    assert plateau_exit_step(np.full(80, 1 / 6), window=10) is None
    assert plateau_exit_step(np.r_[np.full(20, np.nan), np.full(20, 0.0)], window=10) == 30
    with pytest.raises(ValueError, match="at least window=50"):
        plateau_exit_step(np.ones(10))
    with pytest.raises(ValueError, match="losses must be a 1-D array"):
        plateau_exit_step(np.ones((60, 2)))
