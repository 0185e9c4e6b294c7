"""rnncore.data.digit_strings: scikit-learn's digits, disjoint pools, strings whose frame labels,
spans and targets agree with what was pasted, framing at a stride, reproducible batches."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.data.digit_strings import (
    BLANK,
    NUM_CLASSES,
    DigitStringBatches,
    load_digit_images,
    make_digit_strings,
    split_digit_images,
    to_frames,
    to_text,
)
from rnncore.nn.ctc_paths import collapse, min_input_length


def test_images_are_the_bundled_uci_test_set() -> None:
    images, labels = load_digit_images()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0.0 and images.max() == 1.0  # ink counts 0..16, scaled
    assert np.bincount(labels).min() >= 174  # about 180 of each digit


def test_pools_are_disjoint_and_stratified() -> None:
    pools = split_digit_images(test_fraction=0.3, seed=0)
    assert len(pools.train_labels) + len(pools.test_labels) == 1797
    train = {img.tobytes() for img in pools.train_images}
    test = {img.tobytes() for img in pools.test_images}
    # no image is in both pools (the 1797 images are pairwise different, so comparing pixels
    # is the same as comparing identities)
    assert len(train) + len(test) == 1797 and not train & test
    every = np.r_[pools.train_labels, pools.test_labels]
    share = np.bincount(pools.test_labels) / np.bincount(every)
    assert np.all(np.abs(share - 0.3) < 0.01)
    with pytest.raises(ValueError, match="test_fraction"):
        split_digit_images(test_fraction=1.0)


@pytest.fixture(scope="module")
def strings():
    pools = split_digit_images(seed=0)
    rng = np.random.default_rng(0)
    return pools, make_digit_strings(pools.train_images, pools.train_labels, 50, rng, jitter=2)


def test_strings_are_what_was_pasted(strings) -> None:
    pools, s = strings
    assert s.images.shape[0] == 50 and s.images.shape[1] == 10
    assert all(3 <= len(d) <= 8 for d in s.digits)
    for b in range(50):
        w = s.widths[b]
        assert np.all(s.images[b, :, w:] == 0) and np.all(s.frame_labels[b, w:] == -100)
        # the frame labels collapse to the digits (gaps keep equal neighbours apart)
        assert [k - 1 for k in collapse(s.frame_labels[b, :w], BLANK)] == s.digits[b]
        for (start, end), d in zip(s.spans[b], s.digits[b], strict=True):
            assert end - start == 8 and np.all(s.frame_labels[b, start:end] == d + 1)
            crop = s.images[b, :, start:end]
            # the crop holds one pool image of that digit, shifted down by 0..2 rows
            assert any(
                np.array_equal(crop[dy : dy + 8], img)
                for img in pools.train_images[pools.train_labels == d]
                for dy in range(3)
            )


def test_targets_crops_and_frames(strings) -> None:
    _, s = strings
    targets, lengths = s.targets()
    assert lengths.tolist() == [len(d) for d in s.digits]
    assert targets[0, : lengths[0]].tolist() == [d + 1 for d in s.digits[0]]
    crops, digits = s.crops()
    assert crops.shape == (int(lengths.sum()), 10, 8) and digits.tolist() == [
        d for row in s.digits for d in row
    ]
    frames = s.frames()
    assert frames.shape == (s.images.shape[2], 50, 10)
    np.testing.assert_array_equal(frames[:, 3], s.images[3].T)
    # stride 2: two columns side by side per frame, the first column's class
    f2 = s.frames(2)
    assert f2.shape[2] == 20 and f2.shape[0] == -(-s.images.shape[2] // 2)
    np.testing.assert_array_equal(f2[4, 1], np.r_[s.images[1, :, 8], s.images[1, :, 9]])
    assert s.frame_lengths(2).tolist() == (-(-s.widths // 2)).tolist()
    t2 = s.frame_targets(2)
    for b in range(50):
        row = t2[: s.frame_lengths(2)[b], b]
        assert [k - 1 for k in collapse(row)] == s.digits[b]  # gaps >= 2 survive the stride
        assert s.frame_lengths(2)[b] >= min_input_length(s.targets()[0][b, : lengths[b]])


def test_gaps_jitter_and_margins_are_honoured() -> None:
    images, labels = np.ones((1, 8, 8), np.float32), np.array([7])
    s = make_digit_strings(images, labels, 20, np.random.default_rng(1), gap=(3, 3), margin=1)
    assert all(d == [7] * len(d) for d in s.digits)
    for b in range(20):
        starts = [a for a, _ in s.spans[b]]
        assert starts[0] == 1 and np.all(np.diff(starts) == 11)
        assert s.widths[b] == 2 + 8 * len(starts) + 3 * (len(starts) - 1)


def test_batches_depend_only_on_seed_and_step() -> None:
    pools = split_digit_images(seed=0)
    batches = DigitStringBatches(pools.train_images, pools.train_labels, 4, seed=3, jitter=1)
    a, b = batches(7), batches(7)
    assert a.digits == b.digits and np.array_equal(a.images, b.images)
    assert batches(8).digits != a.digits and a.images.shape[1] == 9


def test_to_text_and_frames_errors() -> None:
    assert to_text([1, 10, 2]) == "091"
    with pytest.raises(ValueError, match="digit class ids"):
        to_text([0])
    assert NUM_CLASSES == 11
    with pytest.raises(ValueError, match=r"images must have shape \(B, D, W\)"):
        to_frames(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="stride must be a positive int"):
        to_frames(np.zeros((1, 3, 4)), 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"images": np.zeros((2, 8, 7))}, r"images must have shape \(N, 8, 8\)"),
        ({"labels": np.zeros(3, int)}, r"labels must have shape \(N,\)"),
        ({"min_digits": 0}, "min_digits and max_digits"),
        ({"min_digits": 5, "max_digits": 4}, "min_digits and max_digits"),
        ({"gap": (0, 2)}, "gap must be"),
        ({"jitter": -1}, "non-negative"),
        ({"n": 0}, "n must be a positive int"),
    ],
)
def test_bad_arguments(kwargs, match) -> None:
    args = {"images": np.zeros((2, 8, 8)), "labels": np.zeros(2, int), "n": 1}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        make_digit_strings(rng=np.random.default_rng(0), **args)
