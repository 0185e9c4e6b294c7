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
the events are sorted by year. Each entry was checked against the publication itself (title page,
journal record, proceedings or the authors' announcement), not against a blog post.

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
    "bib_years",
    "events",
    "find",
    "key_year",
    "misdated",
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


EVENTS: tuple[Event, ...] = (
    Event(1970, "Reverse-mode differentiation", "Linnainmaa", "linnainmaa1970representation",
          "Master's thesis, University of Helsinki (in Finnish); BIT 16, 1976",
          "learning",
          "Computes the derivatives of a program's output with respect to all its inputs in one "
          "backward sweep: the general algorithm that backpropagation is a case of.",
          related=("linnainmaa1976taylor",)),
    Event(1972, "Learning pattern sequences", "Amari", "amari1972learning",
          "IEEE Trans. Computers C-21(11)", "architecture",
          "A recurrent net of threshold elements that learns to store patterns and to recall "
          "sequences of patterns, one state transition per step."),
    Event(1974, "Persistent states", "Little", "little1974existence",
          "Mathematical Biosciences 19", "architecture",
          "A synchronously updated recurrent network whose persistent states model short-term "
          "memory, studied with the tools of statistical physics."),
    Event(1974, "Backpropagation for networks", "Werbos", "werbos1974beyond",
          "PhD thesis, Harvard University", "learning",
          "Proposes computing the gradients of a layered model by propagating derivatives "
          "backwards, applied to statistical and neural-network models."),
    Event(1982, "Hopfield network", "Hopfield", "hopfield1982neural",
          "PNAS 79(8)", "architecture",
          "A symmetric recurrent network whose dynamics settle into stored memories "
          "(content-addressable memory); it is not trained on sequences."),
    Event(1986, "Backpropagation", "Rumelhart, Hinton & Williams", "rumelhart1986learning",
          "Nature 323", "learning",
          "Error backpropagation for multilayer networks, the paper that made it widely used; "
          "notes that a recurrent net run for T steps equals a T-layer feedforward net with "
          "shared weights."),
    Event(1986, "Jordan network", "Jordan", "jordan1986serial",
          "ICS Report 8604, UC San Diego", "architecture",
          "Serial order with recurrent connections from the output units back into state units."),
    Event(1987, "Dynamic error propagation", "Robinson & Fallside", "robinson1987utility",
          "Tech. Report CUED/F-INFENG/TR.1, Cambridge", "learning",
          "Trains a recurrent network by propagating errors through its state over time."),
    Event(1988, "Elman network", "Elman", "elman1988finding",
          "CRL Technical Report 8801, UC San Diego; Cognitive Science 14(2), 1990",
          "architecture",
          "The simple recurrent network: hidden state copied to context units and fed back.",
          related=("elman1990finding",)),
    Event(1988, "BPTT", "Werbos", "werbos1988generalization",
          "Neural Networks 1(4)", "learning",
          "Backpropagation through time for recurrent (time-lagged) models: unroll the "
          "recurrence and backpropagate through the unrolled graph; Werbos's 1990 review in the "
          "Proceedings of the IEEE gave the method its standard account."),
    Event(1989, "RTRL", "Williams & Zipser", "williams1989learning",
          "Neural Computation 1(2)", "learning",
          "Real-time recurrent learning: forward-mode, online gradients for fully recurrent "
          "networks (not BPTT)."),
    Event(1991, "Vanishing gradients", "Hochreiter", "hochreiter1991untersuchungen",
          "Diploma thesis, TU München", "analysis",
          "Shows that backpropagated errors in recurrent nets shrink or blow up exponentially "
          "with the time lag."),
    Event(1994, "Long-term dependencies", "Bengio, Simard & Frasconi", "bengio1994learning",
          "IEEE Trans. Neural Networks 5(2)", "analysis",
          "Proves a trade-off between storing information robustly and learning it by gradient "
          "descent."),
    Event(1995, "LSTM", "Hochreiter & Schmidhuber", "hochreiter1995long",
          "Tech. Report FKI-207-95, TU München; Neural Computation 9(8), 1997", "architecture",
          "Long short-term memory: a gated cell with a constant error carousel (no forget gate "
          "yet).",
          related=("hochreiter1997long",)),
    Event(1997, "Bidirectional RNN", "Schuster & Paliwal", "schuster1997bidirectional",
          "IEEE Trans. Signal Processing 45(11)", "architecture",
          "Two recurrences, one forward and one backward in time, read by the same output."),
    Event(1999, "Forget gate", "Gers, Schmidhuber & Cummins", "gers1999learning",
          "ICANN 99; Neural Computation 12(10), 2000", "architecture",
          "Adds the forget gate that lets an LSTM cell reset its own state.",
          related=("gers2000learning",)),
    Event(2006, "CTC", "Graves, Fernández, Gomez & Schmidhuber", "graves2006connectionist",
          "ICML 2006", "sequence-to-sequence",
          "Connectionist temporal classification: train an RNN on unsegmented label sequences."),
    Event(2013, "Recurrent continuous translation", "Kalchbrenner & Blunsom",
          "kalchbrenner2013recurrent", "EMNLP 2013", "sequence-to-sequence",
          "A recurrent decoder conditioned on a continuous representation of the whole source "
          "sentence, built by a convolutional encoder: neural translation models begin here."),
    Event(2014, "GRU, encoder-decoder", "Cho et al.", "cho2014learning",
          "arXiv:1406.1078; EMNLP 2014", "sequence-to-sequence",
          "The gated recurrent unit, and an RNN encoder-decoder used to score phrase pairs "
          "inside a phrase-based translation system."),
    Event(2014, "Sequence to sequence", "Sutskever, Vinyals & Le", "sutskever2014sequence",
          "arXiv:1409.3215; NIPS 2014", "sequence-to-sequence",
          "Deep LSTM encoder and decoder trained end to end for translation."),
    Event(2014, "Additive attention", "Bahdanau, Cho & Bengio", "bahdanau2014neural",
          "arXiv:1409.0473; ICLR 2015", "sequence-to-sequence",
          "The decoder attends to all encoder states instead of one fixed-size vector."),
    Event(2015, "Multiplicative attention", "Luong, Pham & Manning", "luong2015effective",
          "arXiv:1508.04025; EMNLP 2015", "sequence-to-sequence",
          "Compares attention scores (dot, general, concat) and global with local attention."),
    Event(2017, "Transformer", "Vaswani et al.", "vaswani2017attention",
          "arXiv:1706.03762; NIPS 2017", "sequence-to-sequence",
          "Self-attention without recurrence; trains in parallel over time steps."),
    Event(2021, "S4", "Gu, Goel & Ré", "gu2021efficiently",
          "arXiv:2111.00396; ICLR 2022", "revival",
          "Structured state-space layers: a linear recurrence that trains as a convolution "
          "(computed with FFTs) and runs as a recurrence.",
          related=("gu2022efficiently",)),
    Event(2023, "RWKV", "Peng et al.", "peng2023rwkv",
          "arXiv:2305.13048; Findings of EMNLP 2023", "revival",
          "RWKV-4: a linear-attention model with a trained, input-independent decay per channel; "
          "it trains like a Transformer and runs as an RNN."),
    Event(2023, "Mamba", "Gu & Dao", "gu2023mamba",
          "arXiv:2312.00752", "revival",
          "Selective state spaces: input-dependent linear recurrence with a parallel scan."),
    Event(2024, "xLSTM", "Beck et al.", "beck2024xlstm",
          "arXiv:2405.04517; NeurIPS 2024", "revival",
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


def bib_years(path: str | Path) -> dict[str, int]:
    """Return ``{key: year}`` for every entry of the BibTeX file at ``path`` that has a year."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing .bib file, got {str(path)!r}")
    text = path.read_text(encoding="utf-8")
    years = {}
    for m in re.finditer(
        r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,(.*?)^\s*\}", text, re.MULTILINE | re.DOTALL
    ):
        year = re.search(r"^\s*year\s*=\s*[{\"]?(\d{4})", m.group(2), flags=re.MULTILINE)
        if year:
            years[m.group(1)] = int(year.group(1))
    return years


def misdated(path: str | Path) -> list[str]:
    """Events that break the dating rule against the BibTeX file at ``path``, one line each.

    An event breaks it when its year differs from the year of its ``key`` entry, or when one of its
    ``related`` versions is older than the event (then that version appeared first).
    """
    years = bib_years(path)
    problems = []
    for e in EVENTS:
        if years.get(e.key) != e.year:
            problems.append(f"{e.label}: year {e.year}, but {e.key} has {years.get(e.key)}")
        for k in e.related:
            if k in years and years[k] < e.year:
                problems.append(f"{e.label}: related {k} ({years[k]}) is older than {e.year}")
    return problems
