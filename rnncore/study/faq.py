"""The interview FAQ: load, validate and render the one question file, rnncore/study/faq.yaml.

The FAQ chapter (chapters/14_interview_faq.ipynb), the flashcard exporter
(:mod:`rnncore.study.flashcards`) and the mock-interview sheet all read the same YAML, so the
answers a reader sees in the book, in Anki and in the CSV never drift apart.

Every question carries a ``teach`` pointer, the label ``sec:...`` of the section that teaches it,
and an ``evidence`` pointer: an evidence id ``ev-...`` that the FAQ notebook computes and asserts
under a MyST label of that name, or a section label ``sec:...`` whose cells compute and assert the
claim. :func:`validate` checks the file's structure and, given the book's labels, that every
pointer resolves (the tests collect the labels from the chapters).

:func:`render_category` writes one category as the FAQ chapter shows it: a heading per question
(so the sidebar lists it and ``faq-<id>`` anchors it), the 30-second and the deeper answer folded
in ``<details class="faq-answer">`` blocks (answer aloud first, then open), and the two links. The
chapter's category cells are this rendering, checked by the tests and rewritten by
``tools/sync_faq.py``.

Also here: :func:`param_count`, the closed-form parameter count of PyTorch's recurrent layers that
the FAQ, the quizzes and the mock-interview sheet quote (tested against ``torch.nn``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rnncore.nn.cells import param_count

__all__ = [
    "FAQ",
    "Question",
    "load_faq",
    "param_count",
    "render_category",
    "render_markdown",
    "show",
    "validate",
]

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_EVIDENCE = re.compile(r"^(ev-[a-z0-9-]+|sec:[a-z0-9-]+)$")
_SECTION = re.compile(r"^sec:[a-z0-9-]+$")
_FIELDS = ("id", "category", "question", "short", "long", "evidence", "teach")


@dataclass(frozen=True)
class Question:
    """One FAQ entry: the question, the 30-second answer, the deeper answer, the evidence and the
    section that teaches it."""

    id: str
    category: str
    question: str
    short: str
    long: str
    evidence: str
    teach: str
    number: int


@dataclass(frozen=True)
class FAQ:
    """All questions in file order, and the categories as (id, title) pairs in display order."""

    categories: tuple[tuple[str, str], ...]
    questions: tuple[Question, ...]

    def in_category(self, category: str) -> list[Question]:
        """The questions of one category, in file order."""
        known = [c for c, _ in self.categories]
        if category not in known:
            raise ValueError(f"category must be one of {known}, got {category!r}")
        return [q for q in self.questions if q.category == category]

    def evidence_ids(self) -> set[str]:
        """Every ``ev-...`` pointer used by some question (the notebook must compute each)."""
        return {q.evidence for q in self.questions if q.evidence.startswith("ev-")}

    def title(self, category: str) -> str:
        """The display title of a category id."""
        return dict(self.categories)[category]


def _read_default() -> str:
    return resources.files("rnncore.study").joinpath("faq.yaml").read_text(encoding="utf-8")


def load_faq(path: str | Path | None = None) -> FAQ:
    """Read and validate the FAQ (the package's faq.yaml unless ``path`` is given)."""
    text = _read_default() if path is None else Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    validate(data)
    categories = tuple((c["id"], c["title"]) for c in data["categories"])
    questions = tuple(
        Question(**{k: str(q[k]).strip() for k in _FIELDS}, number=i + 1)
        for i, q in enumerate(data["questions"])
    )
    return FAQ(categories, questions)


def validate(data: Any, labels: set[str] | None = None, min_questions: int = 1) -> None:
    """Check the FAQ structure; raise ``ValueError`` listing every problem found.

    data: the parsed YAML (a dict with "categories" and "questions"). labels: when given, every
    ``sec:`` and ``ev-`` evidence pointer and every ``teach`` label must be in it.
    """
    if not isinstance(data, dict) or not {"categories", "questions"} <= set(data):
        raise ValueError("faq data must be a dict with keys 'categories' and 'questions'")
    problems: list[str] = []
    cats = [c.get("id") for c in data["categories"] if isinstance(c, dict)]
    if len(cats) != len(data["categories"]) or any(
        not isinstance(c, dict) or not c.get("title") for c in data["categories"]
    ):
        problems.append("every category needs an 'id' and a 'title'")
    questions = data["questions"]
    if not isinstance(questions, list) or len(questions) < min_questions:
        raise ValueError(f"faq must hold at least {min_questions} questions")
    seen: set[str] = set()
    for i, q in enumerate(questions):
        where = f"question {i + 1} ({q.get('id', '?') if isinstance(q, dict) else '?'})"
        if not isinstance(q, dict):
            problems.append(f"{where}: must be a mapping, got {type(q).__name__}")
            continue
        missing = [k for k in _FIELDS if not str(q.get(k) or "").strip()]
        if missing:
            problems.append(f"{where}: missing or empty {missing}")
            continue
        extra = set(q) - set(_FIELDS)
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
        if not _ID.match(q["id"]):
            problems.append(f"{where}: id must be lower-case words joined by '-'")
        if q["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(q["id"])
        if q["category"] not in cats:
            problems.append(f"{where}: category must be one of {cats}, got {q['category']!r}")
        if not str(q["question"]).rstrip().endswith(("?", ".")):
            problems.append(f"{where}: the question must end with '?' or '.'")
        if len(str(q["short"])) > 500:
            problems.append(f"{where}: the short answer must fit in 30 seconds (<= 500 characters)")
        if len(str(q["long"])) <= len(str(q["short"])) // 2:
            problems.append(f"{where}: the long answer must go deeper than the short one")
        ev = str(q["evidence"])
        if not _EVIDENCE.match(ev):
            problems.append(f"{where}: evidence must be 'ev-...' or 'sec:...', got {ev!r}")
        elif labels is not None and ev not in labels:
            problems.append(f"{where}: evidence {ev!r} does not resolve to a label in the book")
        teach = str(q["teach"])
        if not _SECTION.match(teach):
            problems.append(f"{where}: teach must be a section label 'sec:...', got {teach!r}")
        elif labels is not None and teach not in labels:
            problems.append(f"{where}: teach {teach!r} does not resolve to a label in the book")
    empty = [c for c in cats if not any(q.get("category") == c for q in questions)]
    if empty:
        problems.append(f"categories without questions: {empty}")
    if problems:
        raise ValueError("invalid FAQ:\n- " + "\n- ".join(problems))


def _ref(label: str) -> str:
    return f"{{ref}}`{label}`"


def render_markdown(category: str, faq: FAQ | None = None) -> str:
    """The MyST Markdown of one category's questions: for each, a labelled heading ``Qn.``, the
    30-second and the deeper answer each folded in a ``<details class="faq-answer">`` block, then
    a link to the section that teaches it and one to the evidence."""
    faq = load_faq() if faq is None else faq
    parts = []
    for q in faq.in_category(category):
        parts.append(
            f"(faq-{q.id})=\n### Q{q.number}. {q.question}\n\n"
            f'<details class="faq-answer">\n<summary>30-second answer</summary>\n\n{q.short}\n\n'
            "</details>\n\n"
            f'<details class="faq-answer">\n<summary>Deeper answer</summary>\n\n{q.long}\n\n'
            "</details>\n\n"
            f"*Learn it in* {_ref(q.teach)}. *Evidence:* {_ref(q.evidence)}.\n"
        )
    return "\n".join(parts)


def render_category(category: str, faq: FAQ | None = None) -> str:
    """One category as a chapter cell: its labelled ``##`` heading, then :func:`render_markdown`."""
    faq = load_faq() if faq is None else faq
    body = render_markdown(category, faq)
    return f"(faq-cat-{category})=\n## {faq.title(category)}\n\n{body}"


def show(category: str, faq: FAQ | None = None) -> Any:
    """Return an ``IPython.display.Markdown`` of :func:`render_markdown` for a notebook cell."""
    from IPython.display import Markdown

    return Markdown(render_markdown(category, faq))
