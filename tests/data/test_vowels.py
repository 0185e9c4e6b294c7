"""Tests for rnncore.data.vowels: the shipped Japanese Vowels files, splits, scaling, pooling."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.data.vowels import (
    N_CLASSES,
    N_FEATURES,
    fit_frame_scaler,
    load_japanese_vowels,
    parse_ts,
    pooled_features,
    stratified_split,
)


def test_load_matches_the_published_description() -> None:
    seqs, labels = load_japanese_vowels("train")
    assert len(seqs) == 270 and labels.shape == (270,)
    assert np.bincount(labels).tolist() == [30] * N_CLASSES
    test_seqs, test_labels = load_japanese_vowels("test")
    assert len(test_seqs) == 370
    # UCI: "speakers 1 to 9 have the corresponding number of blocks: 31 35 88 44 29 24 40 50 29"
    assert np.bincount(test_labels).tolist() == [31, 35, 88, 44, 29, 24, 40, 50, 29]
    lengths = [s.shape[0] for s in seqs + test_seqs]
    assert min(lengths) == 7 and max(lengths) == 29
    assert all(s.shape[1] == N_FEATURES and s.dtype == np.float64 for s in seqs)
    assert seqs[0][0, 0] == pytest.approx(1.860936)


def test_load_rejects_unknown_split() -> None:
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'val'"):
        load_japanese_vowels("val")


def test_parse_ts_small_file_and_errors() -> None:
    text = "#c\n@problemName x\n@data\n1,2,3:4,5,6:2\n7:8:1\n"
    seqs, labels = parse_ts(text)
    np.testing.assert_array_equal(seqs[0], [[1, 4], [2, 5], [3, 6]])
    assert labels.tolist() == [2, 1]
    with pytest.raises(ValueError, match="no '@data' line"):
        parse_ts("1,2:3")
    with pytest.raises(ValueError, match="line 2: the 2 series differ in length"):
        parse_ts("@data\n1,2:3:1\n")
    with pytest.raises(ValueError, match="no data lines"):
        parse_ts("@data\n\n")


def test_stratified_split_is_disjoint_balanced_and_seeded() -> None:
    labels = np.repeat(np.arange(3), 5)
    keep, held = stratified_split(labels, 2, seed=1)
    assert np.intersect1d(keep, held).size == 0
    assert np.union1d(keep, held).tolist() == list(range(15))
    assert np.bincount(labels[held]).tolist() == [2, 2, 2]
    np.testing.assert_array_equal(held, stratified_split(labels, 2, seed=1)[1])
    with pytest.raises(ValueError, match="class 0 has 5 examples, need more than n_per_class=5"):
        stratified_split(labels, 5)
    with pytest.raises(TypeError, match="labels must be a 1-d integer array"):
        stratified_split(labels.astype(float), 1)


def test_fit_frame_scaler_and_pooled_features() -> None:
    seqs = [np.array([[0.0, 1.0], [2.0, 1.0]]), np.array([[4.0, 4.0]])]
    mean, std = fit_frame_scaler(seqs)
    np.testing.assert_allclose(mean, [2.0, 2.0])
    np.testing.assert_allclose(std, [np.sqrt(8 / 3), np.sqrt(2.0)])
    feats = pooled_features(seqs)
    np.testing.assert_allclose(feats, [[1.0, 1.0, 1.0, 0.0], [4.0, 4.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="feature\\(s\\) \\[1\\] are constant"):
        fit_frame_scaler([np.array([[0.0, 1.0], [2.0, 1.0]])])
    with pytest.raises(ValueError, match="non-empty list"):
        pooled_features([])
    with pytest.raises(ValueError, match="seqs\\[1\\] must have shape \\(T_b, D\\)"):
        pooled_features([np.zeros((2, 2)), np.zeros((2, 3))])


def test_pooled_features_ignore_frame_order() -> None:
    rng = np.random.default_rng(0)
    s = rng.normal(size=(9, 4))
    np.testing.assert_allclose(pooled_features([s]), pooled_features([s[::-1]]))
