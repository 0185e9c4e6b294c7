"""Context tasks: shapes, labels defined as documented, determinism, the causal ceiling, errors."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.data.tasks import context as tc


def test_first_symbol_task_labels_the_first_token() -> None:
    x, y = tc.first_symbol_task(50, 7, 5, seed=3, index=2)
    assert x.shape == (50, 7) and y.shape == (50,)
    assert x.dtype == np.int64 and x.min() >= 0 and x.max() < 5
    np.testing.assert_array_equal(y, x[:, 0])


def test_batches_depend_only_on_seed_and_index() -> None:
    a = tc.first_symbol_task(8, 6, 4, seed=1, index=5)
    b = tc.first_symbol_task(8, 6, 4, seed=1, index=5)
    c = tc.first_symbol_task(8, 6, 4, seed=1, index=6)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_last_window() -> None:
    x = np.arange(12).reshape(2, 6)
    np.testing.assert_array_equal(tc.last_window(x, 2), [[4, 5], [10, 11]])


def test_lookahead_tags_by_hand() -> None:
    # V=6, two ambiguous ids (4, 5); plain ids 0..3 tagged by parity
    x = np.array([[0, 4, 1, 5, 2, 4]])
    #       0->0, 4 then 1 (odd)->3, 1->1, 5 then 2 (even)->2, 2->0, 4 at the end->2
    np.testing.assert_array_equal(tc.lookahead_tags(x, 6, 2), [[0, 3, 1, 2, 0, 2]])


def test_lookahead_task_matches_tags_and_ceiling_is_reached_by_oracle() -> None:
    T, V, n_amb = 20, 8, 4
    x, y = tc.lookahead_tagging_task(4000, T, V, n_amb, seed=0)
    np.testing.assert_array_equal(y, tc.lookahead_tags(x, V, n_amb))
    # the best causal rule: tag plain tokens exactly, guess 2 on ambiguous ones (right at the end)
    guess = np.where(x >= V - n_amb, 2, x % 2)
    acc = float((guess == y).mean())
    ceiling = tc.causal_ceiling(T, V, n_amb)
    assert ceiling == pytest.approx(1 - 0.5 * 0.5 * 19 / 20)
    assert acc == pytest.approx(ceiling, abs=0.01)


def test_causal_ceiling_without_ambiguity_is_one() -> None:
    assert tc.causal_ceiling(10, 8, 0) == 1.0


def test_next_token_task_shifts_by_one() -> None:
    x, y = tc.next_token_task(3, 9, 7, seed=4)
    assert x.shape == y.shape == (3, 9)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: tc.first_symbol_task(0, 5, 4), "batch_size"),
        (lambda: tc.first_symbol_task(2, 5, 1), "V must be at least 2"),
        (lambda: tc.first_symbol_task(2, 5, 4, seed=-1), "seed"),
        (lambda: tc.first_symbol_task(2, 5, 4, index=-3), "index"),
        (lambda: tc.last_window(np.zeros((2, 3), dtype=int), 4), "k must be at most T=3"),
        (lambda: tc.last_window(np.zeros(3, dtype=int), 1), r"shape \(B, T\)"),
        (lambda: tc.lookahead_tagging_task(2, 5, V=8, n_ambiguous=7), "n_ambiguous"),
        (lambda: tc.lookahead_tags(np.array([[0, 9]]), 8, 2), "token ids in"),
        (lambda: tc.lookahead_tags(np.zeros((2, 3)), 8, 2), "integer token ids"),
        (lambda: tc.causal_ceiling(0), "T"),
        (lambda: tc.next_token_task(2, 0, 4), "T"),
    ],
)
def test_bad_arguments_raise_naming_them(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
