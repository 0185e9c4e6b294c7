"""Strings of real handwritten digits, assembled from scikit-learn's bundled digit images.

The images are scikit-learn's ``load_digits``: 1,797 handwritten digits of 8 x 8 pixels with
values 0..16, a copy of the test part of the UCI "Optical Recognition of Handwritten Digits" data
(Alpaydin & Kaynak, 1998; each pixel counts the ink in a 4 x 4 block of a 32 x 32 bitmap). The
test part was written by 13 people (the whole set, 5,620 digits, by 43). The images ship inside
scikit-learn, so nothing is downloaded. The data carry no writer ids.

A *digit string* is 3 to 8 digit images pasted left to right on a canvas of height 8 + ``jitter``,
each at a random height (vertical jitter), neighbours separated by a random gap of blank columns,
plus a margin at both ends. Read column by column it is a sequence of T frames of D = 8 + ``jitter``
pixels whose label is the digit string: a sequence-labelling task with T much larger than the
number of labels and no alignment given, which is what connectionist temporal classification
learns from. Because we build the strings, we also know what a real data set would not tell us:
which columns belong to which digit (``frame_labels``, ``spans``). The CTC chapter uses them for
two reference models that are given the alignment.

Class ids: 0 is the CTC blank (and the label of gap columns); digit d is class d + 1 (``C = 11``).
Shapes: B strings, T columns (frames), D = canvas height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnncore.utils import check_positive_int

__all__ = [
    "BLANK",
    "NUM_CLASSES",
    "DigitPools",
    "DigitStringBatches",
    "DigitStrings",
    "load_digit_images",
    "make_digit_strings",
    "split_digit_images",
    "to_frames",
    "to_text",
]

BLANK = 0
NUM_CLASSES = 11  # the blank and the ten digits
_SIZE = 8  # the images are 8 x 8


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled handwritten digits: images (1797, 8, 8) in [0, 1], labels (1797,)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype(np.float32), digits.target.astype(np.int64)


@dataclass(frozen=True)
class DigitPools:
    """Disjoint sets of digit images for building training and test strings."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def split_digit_images(test_fraction: float = 0.3, seed: int = 0) -> DigitPools:
    """Split the images, per digit class, into a training pool and a test pool (no image in both).

    Test strings built from the test pool therefore contain only images never seen in training
    (possibly by the same writers: the data carry no writer ids).
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    images, labels = load_digit_images()
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), dtype=bool)
    for d in range(10):
        members = rng.permutation(np.flatnonzero(labels == d))
        test[members[: round(test_fraction * len(members))]] = True
    return DigitPools(images[~test], labels[~test], images[test], labels[test])


@dataclass(frozen=True)
class DigitStrings:
    """A batch of digit strings and everything the generator knows about them.

    Attributes
    ----------
    images : (B, D, T) float32
        The canvases, zero-padded on the right to the widest; ink in [0, 1].
    widths : (B,) int64
        The real width (number of frames) of each string.
    digits : list of B lists of ints
        The digits 0..9 of each string (the labels a recogniser must output).
    frame_labels : (B, T) int64
        The class of every column: digit d + 1 inside a digit's 8 columns, ``BLANK`` in gaps and
        margins, -100 beyond the string's width (ignored by ``torch.nn.functional.cross_entropy``).
    spans : list of B lists of (start, end) pairs
        The columns [start, end) of each digit.
    """

    images: np.ndarray
    widths: np.ndarray
    digits: list[list[int]]
    frame_labels: np.ndarray
    spans: list[list[tuple[int, int]]]

    def frames(self, stride: int = 1) -> np.ndarray:
        """The network input, time-major: (T', B, stride * D) float32 (see :func:`to_frames`)."""
        return to_frames(self.images, stride)

    def frame_lengths(self, stride: int = 1) -> np.ndarray:
        """(B,) frames per string at ``stride``: ceil(width / stride)."""
        stride = check_positive_int(stride, "stride")
        return -(-self.widths // stride)

    def frame_targets(self, stride: int = 1) -> np.ndarray:
        """(T', B) the class of every frame: the class of its first column (-100 on padding).

        With gaps of at least ``stride`` columns, every gap keeps a blank frame, so two equal
        neighbouring digits stay apart after the collapse rule.
        """
        stride = check_positive_int(stride, "stride")
        return np.ascontiguousarray(self.frame_labels[:, ::stride].T)

    def targets(self) -> tuple[np.ndarray, np.ndarray]:
        """CTC targets: class ids (B, S) padded with ``BLANK`` and the lengths (B,)."""
        lengths = np.array([len(d) for d in self.digits], dtype=np.int64)
        out = np.full((len(self.digits), int(lengths.max())), BLANK, dtype=np.int64)
        for b, d in enumerate(self.digits):
            out[b, : len(d)] = np.asarray(d) + 1
        return out, lengths

    def crops(self) -> tuple[np.ndarray, np.ndarray]:
        """Every digit cut out along its true span: images (N, D, 8) and digits (N,)."""
        pieces = [
            self.images[b, :, start:end]
            for b, spans in enumerate(self.spans)
            for start, end in spans
        ]
        labels = [d for digits in self.digits for d in digits]
        return np.stack(pieces), np.asarray(labels, dtype=np.int64)


def to_frames(images: np.ndarray, stride: int = 1) -> np.ndarray:
    """Images (B, D, W) as time-major frames (T', B, stride * D) float32, T' = ceil(W / stride).

    Frame j holds columns j * stride .. j * stride + stride - 1 side by side (the last frame
    zero-padded), so stride 1 is one column per frame and stride 2 halves the sequence length.
    """
    stride = check_positive_int(stride, "stride")
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (B, D, W), got {images.shape}")
    n, d, w = images.shape
    pad = -w % stride
    img = np.pad(images, ((0, 0), (0, 0), (0, pad)))
    cols = img.transpose(2, 0, 1).reshape((w + pad) // stride, stride, n, d)
    return np.ascontiguousarray(cols.transpose(0, 2, 1, 3).reshape(-1, n, stride * d))


def make_digit_strings(
    images: np.ndarray,
    labels: np.ndarray,
    n: int,
    rng: np.random.Generator,
    min_digits: int = 3,
    max_digits: int = 8,
    gap: tuple[int, int] = (2, 4),
    margin: int = 2,
    jitter: int = 2,
) -> DigitStrings:
    """Build ``n`` digit strings from ``images (N, 8, 8)`` with digit ``labels (N,)``.

    Each string has a uniform number of digits in [``min_digits``, ``max_digits``], each digit a
    uniform random image of the pool placed ``randint(0, jitter)`` rows down, after a gap of
    ``gap[0]``..``gap[1]`` blank columns (at least 1, so two equal digits are never fused; at
    least ``stride`` for :meth:`DigitStrings.frame_targets` at that stride).
    """
    n = check_positive_int(n, "n")
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (_SIZE, _SIZE):
        raise ValueError(f"images must have shape (N, 8, 8), got {images.shape}")
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have shape (N,) = ({len(images)},), got {labels.shape}")
    if not 1 <= min_digits <= max_digits:
        raise ValueError(
            "min_digits and max_digits must satisfy 1 <= min_digits <= max_digits, "
            f"got {min_digits} and {max_digits}"
        )
    if not 1 <= gap[0] <= gap[1]:
        raise ValueError(f"gap must be (low, high) with 1 <= low <= high, got {gap!r}")
    if margin < 0 or jitter < 0:
        raise ValueError(f"margin and jitter must be non-negative, got {margin}, {jitter}")
    height = _SIZE + jitter
    counts = rng.integers(min_digits, max_digits + 1, size=n)
    picks = [rng.integers(0, len(images), size=c) for c in counts]
    gaps = [rng.integers(gap[0], gap[1] + 1, size=c) for c in counts]
    shifts = [rng.integers(0, jitter + 1, size=c) for c in counts]
    widths = np.array(
        [2 * margin + c * _SIZE + g.sum() - g[0] for c, g in zip(counts, gaps, strict=True)]
    )
    canvas = np.zeros((n, height, int(widths.max())), dtype=np.float32)
    frame_labels = np.full((n, int(widths.max())), -100, dtype=np.int64)
    digits, spans = [], []
    for b in range(n):
        frame_labels[b, : widths[b]] = BLANK
        x, row_digits, row_spans = margin, [], []
        for j, (pick, g, dy) in enumerate(zip(picks[b], gaps[b], shifts[b], strict=True)):
            x += 0 if j == 0 else int(g)  # the first digit follows the margin only
            canvas[b, dy : dy + _SIZE, x : x + _SIZE] = images[pick]
            frame_labels[b, x : x + _SIZE] = labels[pick] + 1
            row_digits.append(int(labels[pick]))
            row_spans.append((x, x + _SIZE))
            x += _SIZE
        digits.append(row_digits)
        spans.append(row_spans)
    return DigitStrings(canvas, widths.astype(np.int64), digits, frame_labels, spans)


class DigitStringBatches:
    """``batches(i)``: a fresh batch of digit strings for training step ``i``, the same every time.

    Batch i is built from ``numpy.random.default_rng([seed, i])``, so it depends only on the seed
    and the step, and a resumed run sees the same batches (``rnncore.training.loop.train``).
    """

    def __init__(
        self, images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int = 0, **options
    ) -> None:
        self.images, self.labels = images, labels
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.seed, self.options = int(seed), options

    def __call__(self, i: int) -> DigitStrings:
        rng = np.random.default_rng([self.seed, int(i)])
        return make_digit_strings(self.images, self.labels, self.batch_size, rng, **self.options)


def to_text(classes: list[int]) -> str:
    """Class ids (blank excluded) as the digit string they spell: ``[2, 10] -> "19"``."""
    if any(k < 1 or k >= NUM_CLASSES for k in classes):
        raise ValueError(f"classes must be digit class ids in [1, {NUM_CLASSES}), got {classes}")
    return "".join(str(k - 1) for k in classes)
