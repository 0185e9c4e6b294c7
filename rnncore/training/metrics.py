"""Evaluation metrics shared by the application chapters, for numpy arrays and torch tensors.

Language models are scored by the average negative log-likelihood of the next symbol, the
cross-entropy. In nats (natural log) it is what ``torch.nn.functional.cross_entropy`` returns;
divided by ln 2 it is in bits per character, the unit Shannon used for the entropy of printed
English (Shannon, 1951, "Prediction and entropy of printed English"); its exponential is the
perplexity, the size of a uniform choice that would be equally surprising (Jelinek et al., 1977).
Forecasters are scored by RMSE and MAE, classifiers and sequence-to-sequence models by (exact-match)
accuracy.

Every function accepts numpy arrays or torch tensors (detached and copied to the CPU), returns a
Python ``float``, and refuses wrong shapes, dtypes, empty input and NaN with a message that names
the argument. Where a ``mask`` is accepted it marks with True (or 1) the positions that count, so
padding can be left out.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "accuracy",
    "bits_to_nats",
    "bootstrap_interval",
    "character_error_rate",
    "cross_entropy",
    "edit_distance",
    "exact_match",
    "mae",
    "nats_to_bits",
    "perplexity",
    "rmse",
    "sequence_accuracy",
]


def _to_numpy(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a numpy array; torch tensors are detached and moved to the CPU."""
    if hasattr(value, "detach") and hasattr(
        value, "cpu"
    ):  # a torch.Tensor, without importing torch
        value = value.detach().cpu().numpy()
    arr = np.asarray(value)
    if arr.dtype == object:
        raise TypeError(f"{name} must be a numeric array or tensor, got {type(value).__name__}")
    return arr


def _floats(value: Any, name: str) -> np.ndarray:
    arr = _to_numpy(value, name)
    if arr.dtype.kind not in "fiu" or arr.dtype == bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, got {bad} NaN/inf value(s)")
    return arr


def _labels(value: Any, name: str) -> np.ndarray:
    arr = _to_numpy(value, name)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class ids, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _mask(mask: Any, shape: tuple[int, ...], name: str = "mask") -> np.ndarray:
    """Validate a mask of the given shape and return it as bool; at least one entry must be set."""
    arr = _to_numpy(mask, name)
    if arr.dtype != bool:
        if arr.dtype.kind not in "iu" or not np.all((arr == 0) | (arr == 1)):
            raise TypeError(f"{name} must be boolean (or 0/1 integers), got dtype {arr.dtype}")
        arr = arr.astype(bool)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not arr.any():
        raise ValueError(f"{name} selects no position: every entry is False")
    return arr


def _same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}"
        )


def cross_entropy(scores: Any, targets: Any, mask: Any = None, from_logits: bool = True) -> float:
    """Return the mean negative log-likelihood of ``targets`` in nats.

    Parameters
    ----------
    scores : (..., V) array or tensor
        Unnormalised logits (``from_logits=True``, the default) or probabilities that sum to 1 over
        the last axis (``from_logits=False``), e.g. (T, B, V) or (N, V).
    targets : (...) integer array or tensor
        The observed class ids in ``[0, V)``, the shape of ``scores`` without its last axis.
    mask : (...) bool array, optional
        True where a position counts (for padded batches); by default every position counts.
    from_logits : bool
        Whether ``scores`` are logits (a stable log-softmax is applied) or probabilities.

    Returns
    -------
    float
        ``-mean(log p(target))`` in nats; divide by ln 2 (:func:`nats_to_bits`) for bits.
        A zero probability on an observed target gives ``inf``, the honest answer.
    """
    s = _floats(scores, "scores")
    y = _labels(targets, "targets")
    if s.ndim < 1 or y.shape != s.shape[:-1]:
        raise ValueError(
            f"targets must have the shape of scores without its last (V) axis, {s.shape[:-1]}, "
            f"got {y.shape}"
        )
    V = s.shape[-1]
    if y.size and (y.min() < 0 or y.max() >= V):
        bad = int(y[(y < 0) | (y >= V)].flat[0])
        raise ValueError(f"targets must be class ids in [0, {V}) for V={V}, got {bad}")
    if from_logits:
        shifted = s - s.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    else:
        if s.min() < 0 or s.max() > 1:
            raise ValueError(
                f"scores must be probabilities in [0, 1] when from_logits=False, "
                f"got values in [{s.min():.3g}, {s.max():.3g}]"
            )
        sums = s.sum(axis=-1)
        if not np.allclose(sums, 1.0, atol=1e-6):
            worst = float(sums.flat[np.argmax(np.abs(sums - 1.0))])
            raise ValueError(
                f"scores must sum to 1 over the last axis, got a row summing to {worst}"
            )
        with np.errstate(divide="ignore"):
            log_p = np.log(s)
    picked = np.take_along_axis(log_p, y[..., None], axis=-1)[..., 0]
    if mask is not None:
        picked = picked[_mask(mask, y.shape)]
    if picked.size == 0:
        raise ValueError("targets must not be empty, got shape " + str(y.shape))
    return float(-picked.mean())


def nats_to_bits(nats: float) -> float:
    """Convert a cross-entropy from nats to bits: divide by ln 2."""
    return float(nats) / math.log(2.0)


def bits_to_nats(bits: float) -> float:
    """Convert a cross-entropy from bits to nats: multiply by ln 2."""
    return float(bits) * math.log(2.0)


def perplexity(nats: float) -> float:
    """Return ``exp(nats)``: the number of equally likely choices as surprising as the model.

    ``nats`` is a mean cross-entropy in nats (use :func:`bits_to_nats` first for bits).
    """
    value = float(nats)
    if math.isnan(value) or value < 0:
        raise ValueError(f"nats must be a non-negative cross-entropy, got {nats!r}")
    return math.exp(value)


def _regression(pred: Any, target: Any, mask: Any) -> np.ndarray:
    p = _floats(pred, "pred")
    t = _floats(target, "target")
    _same_shape(p, t, "pred", "target")
    err = p - t
    if mask is not None:
        err = err[_mask(mask, err.shape)]
    return err


def rmse(pred: Any, target: Any, mask: Any = None) -> float:
    """Return the root-mean-square error between ``pred`` and ``target`` (any equal shapes).

    ``mask``, of the same shape, selects the positions that count.
    """
    err = _regression(pred, target, mask)
    return float(np.sqrt(np.mean(err**2)))


def mae(pred: Any, target: Any, mask: Any = None) -> float:
    """Return the mean absolute error between ``pred`` and ``target`` (any equal shapes).

    ``mask``, of the same shape, selects the positions that count.
    """
    err = _regression(pred, target, mask)
    return float(np.mean(np.abs(err)))


def _label_pair(pred: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    p = _labels(pred, "pred")
    t = _labels(target, "target")
    _same_shape(p, t, "pred", "target")
    if p.size == 0:
        raise ValueError(f"pred must not be empty, got shape {p.shape}")
    return p, t


def accuracy(pred: Any, target: Any, mask: Any = None) -> float:
    """Return the fraction of positions where the predicted class id equals the target.

    ``pred`` and ``target`` are integer ids of the same shape, e.g. (B,) or (B, T); take the argmax
    of logits first. ``mask`` (same shape) selects the positions that count.
    """
    p, t = _label_pair(pred, target)
    hit = p == t
    if mask is not None:
        hit = hit[_mask(mask, hit.shape)]
    return float(hit.mean())


def exact_match(pred: Any, target: Any, mask: Any = None) -> float:
    """Return the fraction of sequences predicted entirely right.

    Parameters
    ----------
    pred, target : (B, T) integer arrays or tensors
        Predicted and reference token ids; row ``b`` counts as right only if every position that
        ``mask`` keeps agrees. A (B,) input is plain accuracy.
    mask : (B, T) bool, optional
        True on the real tokens, False on padding (padding never makes a row wrong).
    """
    p, t = _label_pair(pred, target)
    if p.ndim == 1:
        return accuracy(p, t, mask)
    if p.ndim != 2:
        raise ValueError(f"pred must have shape (B, T) or (B,), got {p.shape}")
    wrong = p != t
    if mask is not None:
        m = _mask(mask, p.shape)
        if not m.any(axis=1).all():
            raise ValueError("mask must keep at least one position in every row")
        wrong &= m
    return float((~wrong.any(axis=1)).mean())


# --- sequences of different lengths: edit distance, character error rate, exact accuracy ---------
# Recognisers (CTC, speech, handwriting) output label sequences whose length need not match the
# reference's, so position-by-position accuracy does not apply. The character error rate is the
# Levenshtein distance (Levenshtein, 1966, "Binary codes capable of correcting deletions,
# insertions and reversals", Soviet Physics Doklady, the English translation of his 1965 paper;
# computed by the dynamic programme of Wagner & Fischer, 1974, "The string-to-string correction
# problem", Journal of the ACM 21(1), 168-173) summed over a corpus
# and divided by the total reference length: (substitutions + deletions + insertions) / N.


def _sequence(value: Any, name: str) -> list:
    """One label sequence as a list: a string, or a 1-D sequence of integer ids."""
    if isinstance(value, str):
        return list(value)
    arr = _to_numpy(value, name)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(
            f"{name} must be a string or a 1-D sequence of integer ids, "
            f"got dtype {arr.dtype} and shape {arr.shape}"
        )
    return arr.astype(np.int64).tolist()


def edit_distance(pred: Any, target: Any) -> int:
    """The Levenshtein distance: the fewest substitutions, deletions and insertions that turn
    ``pred`` into ``target`` (strings or 1-D integer sequences). O(len(pred) * len(target))."""
    return _levenshtein(_sequence(pred, "pred"), _sequence(target, "target"))


def _levenshtein(a: list, b: list) -> int:
    previous = list(range(len(b) + 1))  # distances from the empty prefix of a
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,  # delete x
                    current[j - 1] + 1,  # insert y
                    previous[j - 1] + (x != y),  # substitute (free if equal)
                )
            )
        previous = current
    return previous[-1]


def _sequence_pairs(preds: Any, targets: Any) -> tuple[list[list], list[list]]:
    if isinstance(preds, str) or isinstance(targets, str):
        raise TypeError("preds and targets must be lists of sequences, got a single string")
    preds = [_sequence(p, "preds") for p in preds]
    targets = [_sequence(t, "targets") for t in targets]
    if len(preds) != len(targets):
        raise ValueError(
            f"preds and targets must hold the same number of sequences, "
            f"got {len(preds)} and {len(targets)}"
        )
    if not targets:
        raise ValueError("targets must hold at least one sequence, got none")
    return preds, targets


def character_error_rate(preds: Any, targets: Any) -> float:
    """Corpus character error rate: summed edit distances over summed reference lengths.

    ``preds`` and ``targets`` are equally long lists of sequences (strings or integer ids). Can
    exceed 1 when the predictions insert many labels. Sequences are compared as a whole, so long
    references weigh more than short ones, as in speech-recognition scoring.
    """
    preds, targets = _sequence_pairs(preds, targets)
    total = sum(len(t) for t in targets)
    if total == 0:
        raise ValueError("targets must contain at least one label in total, got only empty ones")
    return sum(_levenshtein(p, t) for p, t in zip(preds, targets, strict=True)) / total


def sequence_accuracy(preds: Any, targets: Any) -> float:
    """The fraction of sequences predicted exactly (same labels, same length)."""
    preds, targets = _sequence_pairs(preds, targets)
    return float(np.mean([p == t for p, t in zip(preds, targets, strict=True)]))


def bootstrap_interval(
    numerators: Any,
    denominators: Any = None,
    level: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval (Efron & Tibshirani, 1993, "An Introduction to the
    Bootstrap", Chapman & Hall) of ``sum(numerators) / sum(denominators)`` over independent items.

    For a character error rate pass each test string's edit distance and reference length; for
    an accuracy pass 0/1 hits and no denominators. Items are resampled with replacement
    ``n_resamples`` times with a seeded generator, so the interval is reproducible.
    """
    num = _floats(numerators, "numerators")
    den = np.ones_like(num) if denominators is None else _floats(denominators, "denominators")
    if num.ndim != 1 or den.shape != num.shape:
        raise ValueError(
            f"numerators and denominators must be 1-D of equal length, got {num.shape} and "
            f"{den.shape}"
        )
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(num), size=(n_resamples, len(num)))
    totals = den[picks].sum(axis=1)
    if np.any(totals <= 0):
        raise ValueError("denominators must make every resampled total positive")
    ratios = num[picks].sum(axis=1) / totals
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ratios, [tail, 1.0 - tail])
    return float(low), float(high)
