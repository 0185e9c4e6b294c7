"""A timeline of recurrent neural networks: one source of truth for dates, authors and citations.

**Dating rule.** Every event is dated by the *first public appearance* of the work that we could
check against the document itself or its archival record: a technical report, thesis, preprint or
conference paper when one came first, otherwise the journal article. ``key`` cites that first
version and ``year`` is its year; later versions of the same work (the journal article after a
report, the conference paper after a preprint) are listed in ``related`` and named in ``venue``.
Where a preprint and the archival version appeared in the same year, ``key`` may cite the archival
version: the year is the same. An event marks a step that the cited publication took, not
necessarily an invention from nothing: the notes say when a step had precursors (backpropagation
through time, for example, was described by several groups between 1986 and 1990).

The tests check that every key (and every related key) exists in ``references.bib``, that each
event's year equals the year of its ``key`` entry there, that no related version is older, and that
the events are sorted by year. Each entry was checked against the publication itself or its record
(title page, journal record, proceedings or the authors' announcement), not against a blog post;
where the first version could not be seen (Linnainmaa's 1970 thesis, in Finnish), its year and
content follow a named scholarly history, and the event's note says which.

The events themselves live in ``rnncore/study/history.yaml``, one entry per event; this module
validates them on import.

Sources: the entries of ``references.bib`` named by each event's ``key`` (and ``related`` keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import yaml

__all__ = [
    "CATEGORIES",
    "EVENTS",
    "Event",
    "events",
    "find",
    "key_year",
    "table",
]

# category -> one-line description, in the order the figure's legend lists them
CATEGORIES: dict[str, str] = {
    "architecture": "a recurrent architecture or cell",
    "learning": "a way to train recurrent networks",
    "analysis": "an analysis of why training is hard",
    "sequence-to-sequence": "sequence-to-sequence mapping: alignment, encoder-decoder, attention",
    "revival": "parallel-trainable recurrences after the Transformer",
}


@dataclass(frozen=True)
class Event:
    """One dated step in the history of recurrent networks.

    Attributes
    ----------
    year : the year of the work's first public appearance (the ``key`` entry), not of a later
        journal or conference version (see the dating rule in the module docstring).
    label : a short name for the figure, e.g. ``"LSTM"``.
    authors : the authors as cited, e.g. ``"Hochreiter & Schmidhuber"``.
    key : the BibTeX key, in ``references.bib``, of the first public version.
    venue : where it appeared first, with volume/issue or report number, then any later version.
    category : one of :data:`CATEGORIES`.
    note : one sentence on what the publication contributed.
    related : keys of later versions of the same work (e.g. the journal article after a report).
    """

    year: int
    label: str
    authors: str
    key: str
    venue: str
    category: str
    note: str
    related: tuple[str, ...] = ()


_FIELDS = ("year", "label", "authors", "key", "venue", "category", "note")


def _event(i: int, raw: object) -> Event:
    """Build one :class:`Event` from entry ``i`` of history.yaml, naming what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError(f"history.yaml events[{i}] must be a mapping, got {type(raw).__name__}")
    missing = [f for f in _FIELDS if raw.get(f) in (None, "")]
    extra = set(raw) - {*_FIELDS, "related"}
    if missing or extra:
        raise ValueError(
            f"history.yaml events[{i}] must have exactly the fields {[*_FIELDS, 'related']} "
            f"(related optional), missing {missing}, unknown {sorted(extra)}"
        )
    if not isinstance(raw["year"], int) or raw["category"] not in CATEGORIES:
        raise ValueError(
            f"history.yaml events[{i}] needs an int year and a category in "
            f"{sorted(CATEGORIES)}, got {raw['year']!r} and {raw['category']!r}"
        )
    fields = {f: raw[f] if f == "year" else str(raw[f]) for f in _FIELDS}
    return Event(**fields, related=tuple(raw.get("related") or ()))


def _load_events() -> tuple[Event, ...]:
    text = resources.files("rnncore.study").joinpath("history.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("events"), list):
        raise ValueError("history.yaml must hold a list under the key 'events'")
    return tuple(_event(i, e) for i, e in enumerate(raw["events"]))


# the timeline, in year order, from rnncore/study/history.yaml (the one place the events live)
EVENTS: tuple[Event, ...] = _load_events()


def events(category: str | None = None) -> list[Event]:
    """Return the timeline's events in year order, optionally only those of one ``category``."""
    if category is None:
        return list(EVENTS)
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {sorted(CATEGORIES)}, got {category!r}")
    return [e for e in EVENTS if e.category == category]


def find(label: str) -> Event:
    """Return the event whose ``label`` matches (case-insensitive), e.g. ``find("lstm")``."""
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    for e in EVENTS:
        if e.label.lower() == label.lower():
            return e
    raise ValueError(f"label must be one of {[e.label for e in EVENTS]}, got {label!r}")


def key_year(key: str) -> int:
    """The year written in a citation key of the form ``firstauthorYEARfirstword``.

    The tests check that it equals the ``year`` field of every timeline entry in
    ``references.bib``, so a notebook can read a version's year without the .bib file.
    """
    if not isinstance(key, str):
        raise TypeError(f"key must be a str, got {type(key).__name__}")
    m = re.fullmatch(r"[a-z]+(\d{4})[a-z]+", key)
    if m is None:
        raise ValueError(f"key must look like firstauthorYEARfirstword, got {key!r}")
    return int(m.group(1))


def table(category: str | None = None) -> list[dict[str, object]]:
    """The events as rows (year, label, authors, venue, key) for a pandas DataFrame or Markdown."""
    return [
        {"year": e.year, "event": e.label, "authors": e.authors, "venue": e.venue, "key": e.key}
        for e in events(category)
    ]
