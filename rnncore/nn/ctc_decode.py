"""Decoding a CTC network's outputs into label sequences: best path and prefix beam search.

For the most probable labelling, argmax_l p(l | x) with p(l | x) a sum over alignments, no
efficient exact algorithm is known. Two approximations are standard:

- **Best-path (greedy) decoding** (Graves et al. 2006): take the most likely
  class at every frame and collapse. It finds the most probable *path*, which need not collapse to
  the most probable *labelling*: many moderately likely paths can outweigh one likely path.
- **Prefix beam search** (a beam version of the prefix search decoding of Graves et al. 2006, in
  the form of Hannun, Maas, Jurafsky & Ng 2014, "First-pass large vocabulary continuous speech
  recognition using bi-directional recurrent DNNs", arXiv:1408.2873, without a language model):
  keep the ``beam_width`` most probable label *prefixes*; for each, track the probability of all
  paths so far that collapse to it and end in a blank (``p_b``) or in its last label (``p_nb``),
  so that paths merging into the same prefix are summed, not competing. With a beam wide enough to
  keep every prefix the search is exact.

Shapes: T frames, B sequences, C classes (blank included). Scores are log-probabilities, (T, B, C)
or (T, C) for one sequence.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from rnncore.nn.ctc_paths import collapse
from rnncore.utils import check_array, check_positive_int

__all__ = ["best_path_decode", "prefix_beam_search", "prefix_beam_search_batch"]


_NEG_INF = float("-inf")


def _logaddexp(a: float, b: float) -> float:
    """log(exp a + exp b) for two Python floats, exact at -inf."""
    if a < b:
        a, b = b, a
    if b == _NEG_INF:
        return a
    return a + math.log1p(math.exp(b - a))


def _lengths(input_lengths: object, T: int, B: int) -> np.ndarray:
    if input_lengths is None:
        return np.full(B, T, dtype=np.int64)
    lengths = np.asarray(input_lengths)
    if lengths.dtype.kind not in "iu":
        raise TypeError(f"input_lengths must hold integers, got dtype {lengths.dtype}")
    if lengths.shape != (B,):
        raise ValueError(f"input_lengths must have shape (B,) = ({B},), got {lengths.shape}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > T):
        raise ValueError(f"input_lengths must lie in [0, T={T}], got {lengths.tolist()}")
    return lengths.astype(np.int64)


def _check_blank(blank: object, C: int) -> int:
    if isinstance(blank, bool) or not isinstance(blank, (int, np.integer)) or not 0 <= blank < C:
        raise ValueError(f"blank must be an int in [0, C={C}), got {blank!r}")
    return int(blank)


def best_path_decode(
    scores: np.ndarray, input_lengths: object = None, blank: int = 0
) -> list[list[int]]:
    """Greedy decoding: argmax class per frame, then the collapse rule, for each sequence.

    ``scores`` (T, B, C) may be logits, probabilities or log-probabilities: the argmax is the same.
    Frames at t >= ``input_lengths[b]`` are ignored.
    """
    s = check_array(scores, "scores", ndim=3)
    T, B, C = s.shape
    blank = _check_blank(blank, C)
    lengths = _lengths(input_lengths, T, B)
    best = s.argmax(axis=2)
    return [collapse(best[: lengths[b], b], blank) for b in range(B)]


def prefix_beam_search(
    log_probs: np.ndarray, beam_width: int = 8, blank: int = 0, min_prob: float = 0.0
) -> list[tuple[tuple[int, ...], float]]:
    """Prefix beam search over one sequence's log-probabilities ``(T, C)``.

    Returns the surviving prefixes as ``(labels, log p)`` pairs, most probable first, where
    ``log p`` sums the probability of every path (among those the beam kept) that collapses to
    the prefix. With ``beam_width`` at least the number of distinct prefixes, and ``min_prob``
    0, it is exact. ``min_prob`` > 0 skips, at each frame, the labels less likely than it (a
    common speed-up: after training most frames have one or two plausible classes).
    """
    lp = check_array(log_probs, "log_probs", ndim=2).astype(np.float64)
    beam_width = check_positive_int(beam_width, "beam_width")
    C = lp.shape[1]
    blank = _check_blank(blank, C)
    if not 0.0 <= min_prob < 1.0:
        raise ValueError(f"min_prob must be in [0, 1), got {min_prob!r}")
    floor = math.log(min_prob) if min_prob > 0 else _NEG_INF
    rows = lp.tolist()  # python floats: scalar arithmetic on them is much faster than numpy's
    # prefix -> [log p of paths ending in blank, log p of paths ending in the prefix's last label]
    beams: dict[tuple[int, ...], list[float]] = {(): [0.0, _NEG_INF]}
    scored = beams  # every prefix scored at the previous frame, pruned or not
    for row in rows:
        labels = [k for k in range(C) if k != blank and row[k] >= floor]
        nxt: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [_NEG_INF, _NEG_INF])
        for prefix, (p_b, p_nb) in beams.items():
            total = _logaddexp(p_b, p_nb)
            # a blank keeps the prefix and ends it in a blank
            entry = nxt[prefix]
            entry[0] = _logaddexp(entry[0], total + row[blank])
            last = prefix[-1] if prefix else None
            for k in labels:
                grown_prefix = (*prefix, k)
                grown = nxt[grown_prefix]
                if k == last:
                    # the same label again without a blank in between merges into it ...
                    entry[1] = _logaddexp(entry[1], p_nb + row[k])
                    # ... while after a blank it starts a new copy of the label
                    grown[1] = _logaddexp(grown[1], p_b + row[k])
                else:
                    grown[1] = _logaddexp(grown[1], total + row[k])
                if grown_prefix not in beams and grown_prefix in scored:
                    # the longer prefix was pruned at t-1: keep its own paths going, as
                    # Hannun et al. (2014) do, instead of forgetting them
                    g_b, g_nb = scored[grown_prefix]
                    grown[0] = _logaddexp(grown[0], _logaddexp(g_b, g_nb) + row[blank])
                    grown[1] = _logaddexp(grown[1], g_nb + row[k])
        # a prefix no path can reach (e.g. "11" after two frames) is dropped
        scored = {p: v for p, v in nxt.items() if _logaddexp(*v) > _NEG_INF}
        ranked = sorted(scored.items(), key=lambda item: -_logaddexp(*item[1]))
        beams = dict(ranked[:beam_width])
    result = [(prefix, _logaddexp(*v)) for prefix, v in beams.items()]
    return sorted(result, key=lambda item: -item[1])


def prefix_beam_search_batch(
    log_probs: np.ndarray,
    beam_width: int = 8,
    input_lengths: object = None,
    blank: int = 0,
    min_prob: float = 0.0,
) -> list[list[int]]:
    """The best prefix of :func:`prefix_beam_search` for each sequence of ``log_probs (T, B, C)``,
    reading only the first ``input_lengths[b]`` frames of sequence b."""
    lp = check_array(log_probs, "log_probs", ndim=3)
    T, B, _ = lp.shape
    lengths = _lengths(input_lengths, T, B)
    return [
        list(prefix_beam_search(lp[: lengths[b], b], beam_width, blank, min_prob)[0][0])
        for b in range(B)
    ]
