"""rnncore.nn.ctc_decode: best path and prefix beam search, on hand-made cases where they
differ, and against exhaustive search over labellings."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnncore.nn.ctc import ctc_loss
from rnncore.nn.ctc_decode import best_path_decode, prefix_beam_search, prefix_beam_search_batch
from rnncore.nn.ctc_paths import collapse


def log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def labelling_probabilities(lp: np.ndarray, blank: int = 0) -> dict[tuple[int, ...], float]:
    """p(l | x) for every labelling, by summing over all C^T paths."""
    T, C = lp.shape
    probs: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(C), repeat=T):
        key = tuple(collapse(path, blank))
        probs[key] = probs.get(key, 0.0) + float(np.exp(lp[np.arange(T), path].sum()))
    return probs


def test_greedy_and_beam_differ_on_the_textbook_case() -> None:
    """Two frames, blank 0.6 and "a" 0.4 each: the best path is blank-blank (0.36, the empty
    labelling) but "a" collects three paths: 0.16 + 0.24 + 0.24 = 0.64."""
    lp = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))
    assert best_path_decode(lp[:, None]) == [[]]
    beams = prefix_beam_search(lp, beam_width=2)
    assert beams[0][0] == (1,) and np.isclose(np.exp(beams[0][1]), 0.64)
    assert beams[1][0] == () and np.isclose(np.exp(beams[1][1]), 0.36)


def test_a_blank_between_equal_labels_is_needed_and_counted() -> None:
    """Three frames favouring "1 - 1": greedy reads "11"; prefix search weighs "1" (paths that
    merge the 1s or blank elsewhere) against "11" (only 1-blank-1) and here prefers "1"."""
    lp = np.log(np.array([[0.1, 0.9], [0.55, 0.45], [0.1, 0.9]]))
    assert best_path_decode(lp[:, None]) == [[1, 1]]
    probs = labelling_probabilities(lp)
    assert probs[(1,)] > probs[(1, 1)]
    assert prefix_beam_search(lp, beam_width=4)[0][0] == (1,)


def test_wide_beam_is_exact_and_scores_are_ctc_probabilities() -> None:
    rng = np.random.default_rng(0)
    disagreements = 0
    for _ in range(25):
        lp = log_softmax(2.0 * rng.standard_normal((5, 3)))
        probs = labelling_probabilities(lp)
        beams = prefix_beam_search(lp, beam_width=1000)
        assert len(beams) == len(probs)  # every reachable labelling, nothing else
        assert beams[0][0] == max(probs, key=probs.get)
        for labels, log_p in beams:
            assert np.isclose(np.exp(log_p), probs[labels], rtol=1e-12)
            loss, _ = ctc_loss(lp[:, None], np.array([list(labels) or [1]]), [5], [len(labels)])
            assert np.isclose(-loss[0], log_p, rtol=1e-10)
        greedy = tuple(best_path_decode(lp[:, None])[0])
        disagreements += greedy != beams[0][0]
        assert probs[greedy] <= probs[beams[0][0]]
    assert disagreements >= 3  # greedy really is suboptimal on random outputs


def test_narrow_beam_is_an_approximation_that_never_beats_exact() -> None:
    rng = np.random.default_rng(1)
    for _ in range(10):
        lp = log_softmax(rng.standard_normal((6, 3)))
        probs = labelling_probabilities(lp)
        labels, log_p = prefix_beam_search(lp, beam_width=2)[0]
        assert np.exp(log_p) <= probs[labels] + 1e-12  # pruned paths are missing, never extra
        assert probs[labels] <= max(probs.values()) + 1e-12


def test_min_prob_prunes_unlikely_labels() -> None:
    lp = np.log(np.array([[0.5, 0.4999, 0.0001], [0.5, 0.4999, 0.0001]]))
    assert all(2 not in labels for labels, _ in prefix_beam_search(lp, 10, min_prob=1e-3))
    assert any(2 in labels for labels, _ in prefix_beam_search(lp, 10, min_prob=0.0))


def test_batch_versions_respect_lengths_and_blank() -> None:
    rng = np.random.default_rng(2)
    lp = log_softmax(rng.standard_normal((7, 3, 4)))
    lengths = np.array([7, 3, 5])
    greedy = best_path_decode(lp, lengths, blank=2)
    for b in range(3):
        assert greedy[b] == collapse(lp[: lengths[b], b].argmax(-1), blank=2)
    beams = prefix_beam_search_batch(lp, 4, lengths, blank=2)
    assert beams[1] == list(prefix_beam_search(lp[:3, 1], 4, blank=2)[0][0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: best_path_decode(np.zeros((3, 4))), ValueError, "scores must have 3 dim"),
        (lambda: best_path_decode(np.zeros((3, 1, 4)), blank=4), ValueError, "blank must be"),
        (lambda: best_path_decode(np.zeros((3, 2, 4)), [3]), ValueError, r"shape \(B,\) = \(2,\)"),
        (lambda: best_path_decode(np.zeros((3, 1, 4)), [4]), ValueError, r"\[0, T=3\]"),
        (lambda: best_path_decode(np.zeros((3, 1, 4)), [2.0]), TypeError, "must hold integers"),
        (lambda: prefix_beam_search(np.zeros((3, 4)), 0), ValueError, "beam_width must be"),
        (lambda: prefix_beam_search(np.zeros((3, 1, 4))), ValueError, "log_probs must have 2"),
        (lambda: prefix_beam_search(np.zeros((3, 4)), min_prob=1.0), ValueError, "min_prob"),
        (lambda: prefix_beam_search(np.full((3, 4), np.nan)), ValueError, "must be finite"),
    ],
)
def test_bad_input(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
