"""A timeline of recurrent neural networks: one source of truth for dates, authors and citations.

Every event names the publication that introduced it by its key in ``references.bib``; the tests
check that each key exists there and that the events are sorted by year. Each entry was checked
against the publication itself (title page, journal record or proceedings), not against a blog post.

Sources: the entries of ``references.bib`` named by each event's ``key`` (and ``related`` keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CATEGORIES",
    "EVENTS",
    "Event",
    "bib_keys",
    "events",
    "find",
    "missing_keys",
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
    year : the year of the cited publication (``venue``), not of a later journal version.
    label : a short name for the figure, e.g. ``"LSTM"``.
    authors : the authors as cited, e.g. ``"Hochreiter & Schmidhuber"``.
    key : the BibTeX key of the publication in ``references.bib``.
    venue : where it appeared, with volume/issue or report number.
    category : one of :data:`CATEGORIES`.
    note : one sentence on what the publication contributed.
    related : keys of earlier or later versions of the same work (e.g. a technical report).
    """

    year: int
    label: str
    authors: str
    key: str
    venue: str
    category: str
    note: str
    related: tuple[str, ...] = ()


EVENTS: tuple[Event, ...] = (
    Event(1982, "Hopfield network", "Hopfield", "hopfield1982neural",
          "PNAS 79(8)", "architecture",
          "A symmetric recurrent network whose dynamics settle into stored memories "
          "(content-addressable memory); it is not trained on sequences."),
    Event(1986, "Backpropagation", "Rumelhart, Hinton & Williams", "rumelhart1986learning",
          "Nature 323", "learning",
          "Error backpropagation for multilayer networks; notes that a recurrent net run for T "
          "steps equals a T-layer feedforward net with shared weights."),
    Event(1986, "Jordan network", "Jordan", "jordan1986serial",
          "ICS Report 8604, UC San Diego", "architecture",
          "Serial order with recurrent connections from the output units back into state units."),
    Event(1989, "RTRL", "Williams & Zipser", "williams1989learning",
          "Neural Computation 1(2)", "learning",
          "Real-time recurrent learning: forward-mode, online gradients for fully recurrent "
          "networks (not BPTT)."),
    Event(1990, "Elman network", "Elman", "elman1990finding",
          "Cognitive Science 14(2)", "architecture",
          "The simple recurrent network: hidden state copied to context units and fed back; "
          "first circulated as CRL Technical Report 8801 (1988).",
          related=("elman1988finding",)),
    Event(1990, "BPTT", "Werbos", "werbos1990backpropagation",
          "Proceedings of the IEEE 78(10)", "learning",
          "Backpropagation through time: unroll the recurrence and backpropagate through the "
          "unrolled graph."),
    Event(1991, "Vanishing gradients", "Hochreiter", "hochreiter1991untersuchungen",
          "Diploma thesis, TU München", "analysis",
          "Shows that backpropagated errors in recurrent nets shrink or blow up exponentially "
          "with the time lag."),
    Event(1994, "Long-term dependencies", "Bengio, Simard & Frasconi", "bengio1994learning",
          "IEEE Trans. Neural Networks 5(2)", "analysis",
          "Proves a trade-off between storing information robustly and learning it by gradient "
          "descent."),
    Event(1997, "LSTM", "Hochreiter & Schmidhuber", "hochreiter1997long",
          "Neural Computation 9(8)", "architecture",
          "Long short-term memory: a gated cell with a constant error carousel (no forget gate "
          "yet)."),
    Event(1997, "Bidirectional RNN", "Schuster & Paliwal", "schuster1997bidirectional",
          "IEEE Trans. Signal Processing 45(11)", "architecture",
          "Two recurrences, one forward and one backward in time, read by the same output."),
    Event(2000, "Forget gate", "Gers, Schmidhuber & Cummins", "gers2000learning",
          "Neural Computation 12(10)", "architecture",
          "Adds the forget gate that lets an LSTM cell reset its own state."),
    Event(2006, "CTC", "Graves, Fernández, Gomez & Schmidhuber", "graves2006connectionist",
          "ICML 2006", "sequence-to-sequence",
          "Connectionist temporal classification: train an RNN on unsegmented label sequences."),
    Event(2014, "GRU, encoder-decoder", "Cho et al.", "cho2014learning",
          "EMNLP 2014", "sequence-to-sequence",
          "An RNN encoder-decoder for translation, with the gated recurrent unit."),
    Event(2014, "Sequence to sequence", "Sutskever, Vinyals & Le", "sutskever2014sequence",
          "NIPS 2014", "sequence-to-sequence",
          "Deep LSTM encoder and decoder trained end to end for translation."),
    Event(2014, "Additive attention", "Bahdanau, Cho & Bengio", "bahdanau2014neural",
          "arXiv:1409.0473 (ICLR 2015)", "sequence-to-sequence",
          "The decoder attends to all encoder states instead of one fixed-size vector."),
    Event(2017, "Transformer", "Vaswani et al.", "vaswani2017attention",
          "NIPS 2017", "sequence-to-sequence",
          "Self-attention without recurrence; trains in parallel over time steps."),
    Event(2022, "S4", "Gu, Goel & Ré", "gu2022efficiently",
          "ICLR 2022 (arXiv 2021)", "revival",
          "Structured state-space layers: a linear recurrence that also runs as a convolution."),
    Event(2023, "RWKV", "Peng et al.", "peng2023rwkv",
          "Findings of EMNLP 2023", "revival",
          "A linear-attention model that trains like a Transformer and runs as an RNN."),
    Event(2023, "Mamba", "Gu & Dao", "gu2023mamba",
          "arXiv:2312.00752", "revival",
          "Selective state spaces: input-dependent linear recurrence with a parallel scan."),
    Event(2024, "xLSTM", "Beck et al.", "beck2024xlstm",
          "NeurIPS 2024 (arXiv 2024)", "revival",
          "Exponential gating and matrix memory scale the LSTM to billions of parameters."),
    Event(2024, "minGRU / minLSTM", "Feng et al.", "feng2024were",
          "arXiv:2410.01201", "revival",
          "Gates that do not depend on the previous state, so training is a parallel scan."),
)  # fmt: skip


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


def table(category: str | None = None) -> list[dict[str, object]]:
    """The events as rows (year, label, authors, venue, key) for a pandas DataFrame or Markdown."""
    return [
        {"year": e.year, "event": e.label, "authors": e.authors, "venue": e.venue, "key": e.key}
        for e in events(category)
    ]


def bib_keys(path: str | Path) -> set[str]:
    """Return every entry key defined in the BibTeX file at ``path`` (``@type{key,``)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing .bib file, got {str(path)!r}")
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.MULTILINE))


def missing_keys(path: str | Path) -> list[str]:
    """Return the timeline's citation keys (``key`` and ``related``) absent from ``path``."""
    defined = bib_keys(path)
    wanted = [k for e in EVENTS for k in (e.key, *e.related)]
    return [k for k in wanted if k not in defined]
