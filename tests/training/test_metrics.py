from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnncore.training.metrics import (
    accuracy,
    bits_to_nats,
    bootstrap_interval,
    character_error_rate,
    cross_entropy,
    edit_distance,
    exact_match,
    mae,
    nats_to_bits,
    perplexity,
    rmse,
    sequence_accuracy,
)


def test_cross_entropy_matches_torch_for_numpy_and_torch_inputs() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 3, 7)) * 3
    targets = rng.integers(0, 7, size=(5, 3))
    expected = float(
        torch.nn.functional.cross_entropy(
            torch.from_numpy(logits).reshape(-1, 7), torch.from_numpy(targets).reshape(-1)
        )
    )
    assert cross_entropy(logits, targets) == pytest.approx(expected, rel=1e-12)
    t_logits = torch.from_numpy(logits).float().requires_grad_()
    assert cross_entropy(t_logits, torch.from_numpy(targets)) == pytest.approx(expected, rel=1e-6)


def test_cross_entropy_is_stable_for_huge_logits() -> None:
    logits = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    assert cross_entropy(logits, np.array([0, 0])) == pytest.approx(500.0)


def test_cross_entropy_from_probabilities_and_mask() -> None:
    probs = np.array([[0.5, 0.5], [0.9, 0.1], [0.25, 0.75]])
    targets = np.array([0, 1, 1])
    want = -(math.log(0.5) + math.log(0.1) + math.log(0.75)) / 3
    assert cross_entropy(probs, targets, from_logits=False) == pytest.approx(want)
    mask = np.array([True, False, True])
    want_masked = -(math.log(0.5) + math.log(0.75)) / 2
    assert cross_entropy(probs, targets, mask=mask, from_logits=False) == pytest.approx(want_masked)
    assert cross_entropy(np.array([[1.0, 0.0]]), np.array([1]), from_logits=False) == math.inf


def test_uniform_model_has_log_v_nats_and_perplexity_v() -> None:
    nats = cross_entropy(np.zeros((4, 26)), np.arange(4))
    assert nats == pytest.approx(math.log(26))
    assert perplexity(nats) == pytest.approx(26)
    assert nats_to_bits(nats) == pytest.approx(math.log2(26))
    assert bits_to_nats(nats_to_bits(1.234)) == pytest.approx(1.234)


@pytest.mark.parametrize(
    ("scores", "targets", "kwargs", "error", "match"),
    [
        (np.zeros((3, 4)), np.zeros(2, dtype=int), {}, ValueError, r"targets must have the shape"),
        (np.zeros((3, 4)), np.array([0, 1, 4]), {}, ValueError, r"class ids in \[0, 4\).*got 4"),
        (np.zeros((3, 4)), np.zeros(3), {}, TypeError, "targets must hold integer"),
        (np.full((1, 2), np.nan), np.zeros(1, dtype=int), {}, ValueError, "scores must be finite"),
        (np.zeros((0, 4)), np.zeros(0, dtype=int), {}, ValueError, "scores must not be empty"),
        (
            np.full((1, 2), 0.7),
            np.zeros(1, dtype=int),
            {"from_logits": False},
            ValueError,
            "sum to 1",
        ),
        (
            np.array([[2.0, -1.0]]),
            np.zeros(1, dtype=int),
            {"from_logits": False},
            ValueError,
            r"\[0, 1\]",
        ),
        (
            np.zeros((2, 3)),
            np.zeros(2, dtype=int),
            {"mask": [False, False]},
            ValueError,
            "selects no",
        ),
        (
            np.zeros((2, 3)),
            np.zeros(2, dtype=int),
            {"mask": [True]},
            ValueError,
            "mask must have shape",
        ),
        (
            np.zeros((2, 3)),
            np.zeros(2, dtype=int),
            {"mask": [0.5, 1.0]},
            TypeError,
            "mask must be boolean",
        ),
    ],
)
def test_cross_entropy_errors(scores, targets, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        cross_entropy(scores, targets, **kwargs)


def test_perplexity_rejects_negative_or_nan() -> None:
    for bad in (-0.1, math.nan):
        with pytest.raises(ValueError, match="nats must be a non-negative"):
            perplexity(bad)


def test_rmse_and_mae() -> None:
    pred = np.array([1.0, 2.0, 3.0, 4.0])
    target = np.array([1.0, 0.0, 3.0, 5.0])
    assert rmse(pred, target) == pytest.approx(math.sqrt((4 + 1) / 4))
    assert mae(pred, target) == pytest.approx(3 / 4)
    assert mae(torch.tensor(pred), torch.tensor(target), mask=[True, True, False, False]) == 1.0
    assert rmse(pred.astype(np.float32), target) == pytest.approx(math.sqrt(5 / 4))


def test_regression_errors() -> None:
    with pytest.raises(ValueError, match="same shape"):
        rmse(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="pred must be finite"):
        mae(np.array([np.inf]), np.zeros(1))
    with pytest.raises(TypeError, match="target must hold real numbers"):
        rmse(np.zeros(2), np.array(["a", "b"]))
    with pytest.raises(ValueError, match="pred must not be empty"):
        rmse(np.zeros(0), np.zeros(0))


def test_accuracy_and_exact_match() -> None:
    pred = np.array([[1, 2, 3], [1, 2, 0], [4, 4, 4]])
    target = np.array([[1, 2, 3], [1, 2, 9], [4, 0, 4]])
    assert accuracy(pred, target) == pytest.approx(7 / 9)
    assert exact_match(pred, target) == pytest.approx(1 / 3)
    mask = np.array([[1, 1, 1], [1, 1, 0], [1, 1, 1]], dtype=bool)  # row 2's last token is padding
    assert exact_match(pred, target, mask=mask) == pytest.approx(2 / 3)
    assert accuracy(torch.tensor(pred), torch.tensor(target), mask=torch.tensor(mask)) == 7 / 8
    assert exact_match(np.array([1, 2]), np.array([1, 3])) == 0.5


def test_label_metric_errors() -> None:
    with pytest.raises(TypeError, match="pred must hold integer class ids"):
        accuracy(np.array([0.9, 0.1]), np.array([1, 0]))
    with pytest.raises(ValueError, match="same shape"):
        exact_match(np.zeros((2, 3), dtype=int), np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match=r"shape \(B, T\) or \(B,\)"):
        exact_match(np.zeros((2, 2, 2), dtype=int), np.zeros((2, 2, 2), dtype=int))
    with pytest.raises(ValueError, match="every row"):
        exact_match(np.zeros((2, 2), dtype=int), np.zeros((2, 2), dtype=int), mask=[[1, 1], [0, 0]])


@pytest.mark.parametrize(
    ("pred", "target", "distance"),
    [
        ("kitten", "sitting", 3),  # two substitutions and an insertion
        ("", "abc", 3),
        ("abc", "", 3),
        ("flaw", "lawn", 2),
        ([1, 2, 3], [1, 2, 3], 0),
        (np.array([1, 2, 2, 3]), [1, 2, 3], 1),
        (torch.tensor([4, 5]), [5, 4], 2),
    ],
)
def test_edit_distance(pred, target, distance) -> None:
    assert edit_distance(pred, target) == distance
    assert edit_distance(target, pred) == distance  # symmetric


def test_edit_distance_matches_brute_force_on_short_sequences() -> None:
    """The distance is the shortest edit script: check against breadth-first search."""
    rng = np.random.default_rng(0)
    for _ in range(30):
        a = tuple(rng.integers(0, 3, size=rng.integers(0, 4)).tolist())
        b = tuple(rng.integers(0, 3, size=rng.integers(0, 4)).tolist())
        frontier, seen, steps = {a}, {a}, 0
        while b not in frontier:
            nxt = set()
            for s in frontier:
                for i in range(len(s) + 1):
                    for k in range(3):
                        nxt.add((*s[:i], k, *s[i:]))  # insert
                        if i < len(s):
                            nxt.add((*s[:i], k, *s[i + 1 :]))  # substitute
                    if i < len(s):
                        nxt.add(s[:i] + s[i + 1 :])  # delete
            frontier, steps = nxt - seen, steps + 1
            seen |= nxt
        assert edit_distance(a, b) == steps


def test_character_error_rate_and_sequence_accuracy() -> None:
    preds = [[1, 2, 3], [4, 4], [], [7]]
    targets = [[1, 2, 3], [4], [5, 6], [8]]
    # errors 0 + 1 (insertion) + 2 (deletions) + 1 (substitution) over 3 + 1 + 2 + 1 labels
    assert character_error_rate(preds, targets) == pytest.approx(4 / 7)
    assert sequence_accuracy(preds, targets) == 0.25
    assert character_error_rate(["ab", "c"], ["ab", "c"]) == 0.0
    assert character_error_rate([[1, 1, 1, 1]], [[1]]) == 3.0  # insertions can exceed 100 %


@pytest.mark.parametrize(
    ("preds", "targets", "error", "match"),
    [
        ([[1]], [[1], [2]], ValueError, "same number of sequences"),
        ([], [], ValueError, "at least one sequence"),
        ([[]], [[]], ValueError, "at least one label"),
        ("ab", "ab", TypeError, "lists of sequences"),
        ([[0.5]], [[1]], TypeError, "preds must be a string or a 1-D sequence of integer ids"),
        ([[1]], [[[1]]], TypeError, "targets must be a string or a 1-D sequence"),
    ],
)
def test_sequence_metric_errors(preds, targets, error, match) -> None:
    with pytest.raises(error, match=match):
        character_error_rate(preds, targets)


def test_bootstrap_interval_covers_the_estimate_and_shrinks_with_data() -> None:
    rng = np.random.default_rng(0)
    hits = (rng.random(400) < 0.8).astype(float)
    low, high = bootstrap_interval(hits)
    assert low < hits.mean() < high
    # the normal approximation's half-width, 1.96 sqrt(p(1-p)/n), is about 0.039 here
    assert 0.06 < high - low < 0.10
    big_low, big_high = bootstrap_interval(np.tile(hits, 16))
    assert big_high - big_low < (high - low) / 3
    assert bootstrap_interval(hits) == (low, high)  # seeded: reproducible
    errors, lengths = np.array([0, 1, 0, 2]), np.array([3, 5, 4, 8])
    low, high = bootstrap_interval(errors, lengths, n_resamples=500)
    assert low <= 3 / 20 <= high


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"numerators": np.zeros(3), "denominators": np.ones(4)}, "equal length"),
        ({"numerators": np.zeros(3), "level": 1.5}, "level must be in"),
        ({"numerators": np.zeros(3), "denominators": np.zeros(3)}, "positive"),
        ({"numerators": np.array([np.nan])}, "numerators must be finite"),
    ],
)
def test_bootstrap_interval_errors(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        bootstrap_interval(**kwargs)
