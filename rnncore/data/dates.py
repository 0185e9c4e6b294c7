"""Date-format translation: a small, offline sequence-to-sequence task.

The source is a calendar date written the way people write it, rendered by Babel's CLDR data in
several locales and formats ("Sunday, March 5, 2023", "5. März 2023", "5 de marzo de 2023"); the
target is the same date in ISO 8601 ("2023-03-05"). The task is the toy problem used to teach
attention: the output is short and fully determined by the input, yet the input's word order, length
and vocabulary vary with the locale, and every output character must be copied or translated from a
specific place in the input.

The train/held-out split is *by date*: no held-out calendar date appears in training in any locale
or format, so held-out accuracy measures generalisation to unseen dates, not recall of strings.

Both vocabularies are :class:`rnncore.data.vocab.CharVocab` with the encoder-decoder's specials
``<pad>``, ``<sos>``, ``<eos>`` at ids 0, 1, 2, then the characters; an unknown character raises a
``ValueError`` that names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from babel import Locale
from babel.dates import format_date

from rnncore.data.vocab import SEQ2SEQ, CharVocab
from rnncore.utils import check_positive_int

__all__ = [
    "FORMATS",
    "LOCALES",
    "DateDataset",
    "field_accuracy",
    "make_date_dataset",
    "render_date",
    "split_dates",
]

LOCALES: tuple[str, ...] = ("en", "fr", "de", "es")
FORMATS: tuple[str, ...] = ("full", "long", "medium")
ISO_FIELDS: dict[str, slice] = {"year": slice(0, 4), "month": slice(5, 7), "day": slice(8, 10)}
_LOCALE_CACHE: dict[str, Locale] = {}


def _locale(name: str) -> Locale:
    if name not in _LOCALE_CACHE:
        try:
            _LOCALE_CACHE[name] = Locale.parse(name)
        except Exception as exc:  # babel raises UnknownLocaleError or ValueError
            raise ValueError(f"locale must be a locale Babel knows, got {name!r}") from exc
    return _LOCALE_CACHE[name]


def render_date(date: dt.date, locale: str = "en", fmt: str = "long") -> str:
    """Write ``date`` as a person would in ``locale``, using CLDR's ``fmt`` pattern.

    ``fmt`` is one of Babel's named formats "full", "long", "medium" or "short".
    """
    if not isinstance(date, dt.date):
        raise TypeError(f"date must be a datetime.date, got {type(date).__name__}")
    if fmt not in ("full", "long", "medium", "short"):
        raise ValueError(f"fmt must be one of 'full', 'long', 'medium', 'short', got {fmt!r}")
    return format_date(date, format=fmt, locale=_locale(locale))


def split_dates(
    start: dt.date, end: dt.date, n_heldout: int, seed: int = 0
) -> tuple[list[dt.date], list[dt.date]]:
    """Split every calendar day in ``[start, end]`` into training and held-out dates.

    Returns ``(train_dates, heldout_dates)``: disjoint, together all days of the range, the
    held-out ones ``n_heldout`` days drawn uniformly without replacement with ``seed``.
    """
    check_positive_int(n_heldout, "n_heldout")
    if not (isinstance(start, dt.date) and isinstance(end, dt.date)):
        raise TypeError("start and end must be datetime.date objects")
    n_days = (end - start).days + 1
    if n_days <= n_heldout:
        raise ValueError(
            f"n_heldout must be smaller than the {n_days} days from {start} to {end}, "
            f"got {n_heldout}"
        )
    rng = np.random.default_rng(seed)
    held = np.zeros(n_days, dtype=bool)
    held[rng.choice(n_days, size=n_heldout, replace=False)] = True
    days = [start + dt.timedelta(days=int(i)) for i in range(n_days)]
    return [d for d, h in zip(days, held, strict=True) if not h], [
        d for d, h in zip(days, held, strict=True) if h
    ]


@dataclass
class DateDataset:
    """Source/target strings with their dates, locales and formats, plus both vocabularies."""

    train_src: list[str]
    train_tgt: list[str]
    heldout_src: list[str]
    heldout_tgt: list[str]
    heldout_locale: list[str]
    heldout_format: list[str]
    train_dates: list[dt.date]
    heldout_dates: list[dt.date]
    src_vocab: CharVocab
    tgt_vocab: CharVocab


def _render_many(
    dates: Sequence[dt.date],
    rng: np.random.Generator,
    locales: Sequence[str],
    formats: Sequence[str],
) -> tuple[list[str], list[str], list[str], list[str]]:
    loc_idx = rng.integers(len(locales), size=len(dates))
    fmt_idx = rng.integers(len(formats), size=len(dates))
    locs = [locales[i] for i in loc_idx]
    fmts = [formats[i] for i in fmt_idx]
    src = [render_date(d, loc, f) for d, loc, f in zip(dates, locs, fmts, strict=True)]
    tgt = [d.isoformat() for d in dates]
    return src, tgt, locs, fmts


def make_date_dataset(
    n_train: int = 60_000,
    n_heldout: int = 1000,
    locales: Sequence[str] = LOCALES,
    formats: Sequence[str] = FORMATS,
    start: dt.date = dt.date(1950, 1, 1),
    end: dt.date = dt.date(2049, 12, 31),
    seed: int = 0,
) -> DateDataset:
    """Build the date-translation data set, split by date.

    ``n_heldout`` dates are set aside (each rendered once, in a random locale and format); the
    ``n_train`` training strings render dates drawn with replacement from the remaining days, each
    in a random locale and format. The source vocabulary covers every character any of the
    ``locales`` × ``formats`` can produce for dates in the range (month and weekday names included),
    so a held-out string never fails to encode.
    """
    check_positive_int(n_train, "n_train")
    for name, values in (("locales", locales), ("formats", formats)):
        if len(values) == 0:
            raise ValueError(f"{name} must name at least one entry, got {values!r}")
    for f in formats:
        if f not in ("full", "long", "medium", "short"):
            raise ValueError(f"formats must hold 'full', 'long', 'medium' or 'short', got {f!r}")
    for loc in locales:
        _locale(loc)
    train_dates, heldout_dates = split_dates(start, end, n_heldout, seed)
    rng = np.random.default_rng([seed, 1])
    picked = [train_dates[i] for i in rng.integers(len(train_dates), size=n_train)]
    train_src, train_tgt, _, _ = _render_many(picked, rng, locales, formats)
    held_src, held_tgt, held_loc, held_fmt = _render_many(heldout_dates, rng, locales, formats)
    # every month and weekday name in every locale and format, so the vocabulary is complete
    probe = [dt.date(2001, m, d) for m in range(1, 13) for d in (1, 10, 20, 28)]
    probe += [start, end]
    chars = {c for loc in locales for f in formats for d in probe for c in render_date(d, loc, f)}
    chars |= set("0123456789")
    return DateDataset(
        train_src=train_src,
        train_tgt=train_tgt,
        heldout_src=held_src,
        heldout_tgt=held_tgt,
        heldout_locale=held_loc,
        heldout_format=held_fmt,
        train_dates=train_dates,
        heldout_dates=heldout_dates,
        src_vocab=CharVocab.from_text(chars, SEQ2SEQ),
        tgt_vocab=CharVocab.from_text("0123456789-", SEQ2SEQ),
    )


def field_accuracy(predictions: Sequence[str], targets: Sequence[str]) -> dict[str, float]:
    """Fraction of predictions whose year, month and day fields match the ISO ``targets``.

    Returns ``{"year": ..., "month": ..., "day": ..., "exact": ...}``; a prediction too short to
    hold a field counts as wrong on that field.
    """
    if len(predictions) != len(targets):
        raise ValueError(
            f"predictions and targets must have equal lengths, got {len(predictions)} and "
            f"{len(targets)}"
        )
    if len(targets) == 0:
        raise ValueError("targets must hold at least one string, got an empty sequence")
    for t in targets:
        if len(t) != 10 or t[4] != "-" or t[7] != "-":
            raise ValueError(f"targets must be ISO dates YYYY-MM-DD, got {t!r}")
    out = {
        name: float(np.mean([p[s] == t[s] for p, t in zip(predictions, targets, strict=True)]))
        for name, s in ISO_FIELDS.items()
    }
    out["exact"] = float(np.mean([p == t for p, t in zip(predictions, targets, strict=True)]))
    return out
