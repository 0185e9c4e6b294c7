"""The Japanese Vowels speaker-recognition data and what a sequence classifier needs around it.

Data: Kudo, Toyama & Shimbo (1999), "Multidimensional curve classification using passing-through
regions", Pattern Recognition Letters 20(11-13), 1103-1111; UCI Machine Learning Repository, CC BY
4.0. Nine speakers say /ae/; each utterance is T_b = 7...29 frames of D = 12 LPC cepstrum
coefficients. The files ship in ``rnncore/data/japanese_vowels/`` (see the README there for
provenance and hashes), so nothing is downloaded.

Also here: a stratified train/validation split (validation is cut from the training utterances, the
test set is never used for choices), feature scaling fitted on training frames only, and the
order-blind summary features (per-coefficient mean and standard deviation over time) that the
non-sequential baseline uses.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from rnncore.utils import check_array, check_positive_int

__all__ = [
    "N_CLASSES",
    "N_FEATURES",
    "fit_frame_scaler",
    "load_japanese_vowels",
    "parse_ts",
    "pooled_features",
    "stratified_split",
]

DATA_DIR = Path(__file__).resolve().parent / "japanese_vowels"
N_CLASSES = 9
N_FEATURES = 12
_SHA256 = {
    "train": "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd",
    "test": "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462",
}


def parse_ts(text: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Parse a multivariate ``.ts`` file (UEA/UCR archive format) into sequences and labels.

    Returns a list of (T_b, D) float64 arrays and the (N,) int64 array of the raw integer labels.
    Lines before ``@data`` are header; each data line holds D ``:``-separated series of
    ``,``-separated values, then the label.
    """
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip().lower() == "@data") + 1
    except StopIteration:
        raise ValueError("text is not a .ts file: no '@data' line found") from None
    seqs, labels = [], []
    for lineno, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        *dims, label = line.strip().split(":")
        if not dims:
            raise ValueError(f"line {lineno}: expected 'series:...:label', got {line[:40]!r}")
        series = [np.array(d.split(","), dtype=np.float64) for d in dims]
        if len({s.size for s in series}) != 1:
            sizes = [s.size for s in series]
            raise ValueError(f"line {lineno}: the {len(dims)} series differ in length: {sizes}")
        seqs.append(np.stack(series, axis=1))
        labels.append(int(label))
    if not seqs:
        raise ValueError("text holds no data lines after '@data'")
    return seqs, np.array(labels, dtype=np.int64)


def load_japanese_vowels(split: str = "train") -> tuple[list[np.ndarray], np.ndarray]:
    """Load one official split of Japanese Vowels from the files shipped with rnncore.

    Parameters
    ----------
    split : ``"train"`` (270 utterances) or ``"test"`` (370 utterances).

    Returns
    -------
    seqs : list of N float64 arrays, each (T_b, 12), 7 <= T_b <= 29.
    labels : (N,) int64 speaker ids 0...8 (the files' 1...9 minus one).
    """
    if split not in _SHA256:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = DATA_DIR / f"JapaneseVowels_{split.upper()}.ts.gz"
    raw = gzip.decompress(path.read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    if digest != _SHA256[split]:
        raise ValueError(f"{path.name} is corrupted: sha256 {digest} != {_SHA256[split]}")
    seqs, labels = parse_ts(raw.decode("utf-8"))
    return seqs, labels - 1


def stratified_split(labels: Any, n_per_class: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hold out ``n_per_class`` random examples of every class; return (keep, held_out) indices.

    labels : (N,) int class ids. Both index arrays are sorted. Every class needs more than
    ``n_per_class`` examples, so some of each class stay in the kept part.
    """
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(
            f"labels must be a 1-d integer array, got dtype {arr.dtype}, shape {arr.shape}"
        )
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    rng = np.random.default_rng(seed)
    held = []
    for c in np.unique(arr):
        idx = np.flatnonzero(arr == c)
        if idx.size <= n_per_class:
            raise ValueError(
                f"class {c} has {idx.size} examples, need more than n_per_class={n_per_class}"
            )
        held.append(rng.choice(idx, size=n_per_class, replace=False))
    held_out = np.sort(np.concatenate(held))
    keep = np.setdiff1d(np.arange(arr.size), held_out)
    return keep, held_out


def _check_seqs(seqs: Any) -> list[np.ndarray]:
    if isinstance(seqs, np.ndarray) or not isinstance(seqs, (list, tuple)) or len(seqs) == 0:
        raise ValueError("seqs must be a non-empty list of (T_b, D) arrays")
    out = [check_array(s, f"seqs[{b}]", ndim=2) for b, s in enumerate(seqs)]
    D = out[0].shape[1]
    for b, s in enumerate(out):
        if s.shape[0] == 0 or s.shape[1] != D:
            raise ValueError(
                f"seqs[{b}] must have shape (T_b, D) with T_b >= 1, D={D}, got {s.shape}"
            )
    return out


def fit_frame_scaler(seqs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return per-feature (mean, std), each (D,), over all frames of the training sequences.

    Apply as ``(s - mean) / std`` to every sequence, train, validation and test alike.
    """
    frames = np.concatenate(_check_seqs(seqs), axis=0)
    std = frames.std(axis=0)
    if np.any(std == 0):
        raise ValueError(f"feature(s) {np.flatnonzero(std == 0).tolist()} are constant in seqs")
    return frames.mean(axis=0), std


def pooled_features(seqs: Any) -> np.ndarray:
    """Summarise each (T_b, D) sequence by its per-feature mean and std over time: (N, 2D).

    These features forget the order of the frames entirely, which is what makes a classifier on
    them the non-sequential baseline.
    """
    return np.stack([np.concatenate([s.mean(axis=0), s.std(axis=0)]) for s in _check_seqs(seqs)])
