from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from rnncore.models.ngram import NGramLM, tune_discount


def brute_force(
    text: np.ndarray, V: int, n: int, D: float, history: list[int], w: int, kn: bool
) -> float:
    """Interpolated absolute discounting / Kneser-Ney written out with Counters, for small texts."""

    def grams(k: int) -> Counter:
        return Counter(tuple(text[i : i + k]) for i in range(len(text) - k + 1))

    p = 1.0 / V
    for k in range(1, n + 1):
        if k - 1 > len(history):
            break
        h = tuple(history[len(history) - (k - 1) :]) if k > 1 else ()
        if kn and k < n:  # continuation counts: distinct left neighbours
            counts = Counter(g[1:] for g in grams(k + 1))
        else:
            counts = grams(k)
        total = sum(c for g, c in counts.items() if g[:-1] == h)
        if total == 0:
            continue
        types = sum(1 for g in counts if g[:-1] == h)
        p = max(counts.get((*h, w), 0) - D, 0) / total + D * types / total * p
    return p


@pytest.mark.parametrize("method", ["kneser-ney", "absolute"])
def test_probabilities_match_a_brute_force_count(method: str) -> None:
    rng = np.random.default_rng(1)
    text = rng.integers(0, 4, 300)
    model = NGramLM(3, 0.6, method).fit(text, 5)
    for history, w in [([1, 2], 3), ([0], 1), ([], 2), ([4, 4], 1), ([2, 2], 4), ([3, 0], 0)]:
        h = np.full(2, -1)
        h[2 - len(history) :] = history
        got = model.prob(h[None], np.array([w]))[0]
        want = brute_force(text, 5, 3, 0.6, history, w, kn=method == "kneser-ney")
        assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("method", ["kneser-ney", "absolute"])
@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_next_distribution_sums_to_one(method: str, order: int) -> None:
    text = np.random.default_rng(0).integers(0, 6, 400)
    model = NGramLM(order, 0.8, method).fit(text, 7)  # id 6 never occurs: still gets mass
    for context in ([], [1], [2, 3, 1, 0], [6, 6, 6, 6]):
        p = model.next_distribution(context)
        assert p.shape == (7,) and p.sum() == pytest.approx(1.0, abs=1e-12) and p.min() > 0


def test_cross_entropy_is_mean_negative_log_prob_and_higher_order_fits_structure() -> None:
    text = np.tile(np.array([0, 1, 2, 3, 2, 1]), 200)  # periodic: a 3-gram determines the next id
    orders = {n: NGramLM(n, 0.5).fit(text, 4).cross_entropy(text) for n in (1, 2, 3)}
    assert orders[3] < orders[2] < orders[1]
    model = NGramLM(2, 0.5).fit(text, 4)
    manual = -np.mean([math.log(model.next_distribution(text[:t])[text[t]]) for t in range(1, 50)])
    assert model.cross_entropy(text[:50]) == pytest.approx(manual)


def test_tune_discount_picks_the_grid_minimum() -> None:
    rng = np.random.default_rng(2)
    text = rng.integers(0, 5, 2000)
    best, scores = tune_discount(text[:1500], text[1500:], 5, 3, grid=(0.3, 0.6, 0.9))
    assert set(scores) == {0.3, 0.6, 0.9} and scores[best] == min(scores.values())


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: NGramLM(0), ValueError, "order must be a positive int"),
        (lambda: NGramLM(3, discount=1.0), ValueError, r"discount must be in \(0, 1\)"),
        (lambda: NGramLM(3, method="witten-bell"), ValueError, "method must be one of"),
        (lambda: NGramLM(3).fit(np.array([0, 1]), 2), ValueError, "at least order=3"),
        (lambda: NGramLM(3).fit(np.array([0, 1, 5]), 3), ValueError, r"ids in \[0, 3\)"),
        (lambda: NGramLM(3).fit(np.zeros(5), 3), TypeError, "1-D integer array"),
        (lambda: NGramLM(3).cross_entropy(np.arange(3)), RuntimeError, "not fitted"),
        (lambda: NGramLM(12).fit(np.arange(20), 100), ValueError, "overflows"),
    ],
)
def test_errors(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
