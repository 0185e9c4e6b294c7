"""rnncore.data.dates: rendering, the split by date, vocabularies and per-field accuracy."""

from __future__ import annotations

import datetime as dt

import pytest

from rnncore.data.dates import (
    field_accuracy,
    make_date_dataset,
    render_date,
    split_dates,
)


@pytest.fixture(scope="module")
def small():
    return make_date_dataset(n_train=2000, n_heldout=200, seed=3)


def test_render_date_known_strings():
    d = dt.date(2023, 3, 5)
    assert render_date(d, "en", "long") == "March 5, 2023"
    assert render_date(d, "de", "long") == "5. März 2023"
    assert render_date(d, "es", "long") == "5 de marzo de 2023"
    assert render_date(d, "fr", "full") == "dimanche 5 mars 2023"


def test_render_date_bad_inputs():
    with pytest.raises(ValueError, match="locale"):
        render_date(dt.date(2020, 1, 1), "xx_nowhere", "long")
    with pytest.raises(ValueError, match="fmt"):
        render_date(dt.date(2020, 1, 1), "en", "fancy")
    with pytest.raises(TypeError, match="date"):
        render_date("2020-01-01", "en", "long")


def test_split_dates_disjoint_and_complete():
    start, end = dt.date(2000, 1, 1), dt.date(2000, 12, 31)
    train, held = split_dates(start, end, 30, seed=1)
    assert len(held) == 30 and len(train) + len(held) == 366
    assert not set(train) & set(held)
    assert split_dates(start, end, 30, seed=1)[1] == held  # seeded
    assert split_dates(start, end, 30, seed=2)[1] != held
    with pytest.raises(ValueError, match="n_heldout"):
        split_dates(start, end, 366)
    with pytest.raises(ValueError, match="n_heldout"):
        split_dates(start, end, 0)


def test_dataset_no_heldout_date_in_training(small):
    held = set(small.heldout_dates)
    train_targets = set(small.train_tgt)
    assert not held & set(small.train_dates)
    assert not {d.isoformat() for d in held} & train_targets
    assert len(small.train_src) == 2000 and len(small.heldout_src) == 200
    # targets are the ISO forms of the dates and every held-out source encodes
    assert small.heldout_tgt == [d.isoformat() for d in small.heldout_dates]
    small.src_vocab.encode_batch(small.heldout_src)
    small.tgt_vocab.encode_batch(small.heldout_tgt)
    assert small.tgt_vocab.tokens == ["<pad>", "<sos>", "<eos>", *"-0123456789"]
    assert small.src_vocab.specials == small.tgt_vocab.specials
    assert set(small.heldout_locale) == {"en", "fr", "de", "es"}


def test_dataset_is_seeded():
    a = make_date_dataset(n_train=50, n_heldout=10, seed=0)
    b = make_date_dataset(n_train=50, n_heldout=10, seed=0)
    c = make_date_dataset(n_train=50, n_heldout=10, seed=1)
    assert a.train_src == b.train_src and a.heldout_src == b.heldout_src
    assert a.train_src != c.train_src


def test_dataset_bad_arguments():
    with pytest.raises(ValueError, match="n_train"):
        make_date_dataset(n_train=0)
    with pytest.raises(ValueError, match="locales"):
        make_date_dataset(n_train=10, n_heldout=5, locales=())
    with pytest.raises(ValueError, match="formats"):
        make_date_dataset(n_train=10, n_heldout=5, formats=("weird",))


def test_field_accuracy():
    targets = ["2020-01-02", "1999-12-31"]
    acc = field_accuracy(["2020-01-03", "1999-12-31"], targets)
    assert acc == {"year": 1.0, "month": 1.0, "day": 0.5, "exact": 0.5}
    assert field_accuracy(["2020", ""], targets) == {
        "year": 0.5,
        "month": 0.0,
        "day": 0.0,
        "exact": 0.0,
    }
    with pytest.raises(ValueError, match="equal lengths"):
        field_accuracy(["2020-01-02"], targets)
    with pytest.raises(ValueError, match="ISO"):
        field_accuracy(["x"], ["2020/01/02"])
    with pytest.raises(ValueError, match="empty"):
        field_accuracy([], [])
