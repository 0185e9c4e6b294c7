"""The interview FAQ: load, validate and render the one question file, rnncore/study/faq.yaml.

The FAQ chapter (chapters/14_interview_faq.ipynb), the flashcard exporter
(:mod:`rnncore.study.flashcards`) and the mock-interview sheet all read the same YAML, so the
answers a reader sees in the book, in Anki and in the CSV never drift apart.

Every question carries an ``evidence`` pointer: an evidence id ``ev-...`` that the FAQ notebook
computes and asserts under a MyST label of that name, or a chapter label ``sec:...``.
:func:`validate` checks the file's structure and, given the book's labels, that every pointer
resolves (the tests collect the labels from the chapters).

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
    "render_markdown",
    "show",
    "validate",
]

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_EVIDENCE = re.compile(r"^(ev-[a-z0-9-]+|sec:[a-z0-9-]+)$")
_FIELDS = ("id", "category", "question", "short", "long", "evidence")


@dataclass(frozen=True)
class Question:
    """One FAQ entry: the question, the 30-second answer, the deeper answer, the evidence."""

    id: str
    category: str
    question: str
    short: str
    long: str
    evidence: str
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
    ``sec:`` and ``ev-`` evidence pointer must be in it.
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
    empty = [c for c in cats if not any(q.get("category") == c for q in questions)]
    if empty:
        problems.append(f"categories without questions: {empty}")
    if problems:
        raise ValueError("invalid FAQ:\n- " + "\n- ".join(problems))


def _evidence_link(evidence: str) -> str:
    return f"{{ref}}`{evidence}`"


def render_markdown(category: str, faq: FAQ | None = None) -> str:
    """The MyST Markdown of one category: numbered questions, the short answer in the open,
    the deeper answer folded in a ``<details>`` block, and a link to the evidence."""
    faq = load_faq() if faq is None else faq
    parts = []
    for q in faq.in_category(category):
        parts.append(
            f"**Q{q.number}. {q.question}**\n\n"
            f"*In 30 seconds:* {q.short}\n\n"
            f"<details>\n<summary>Deeper answer</summary>\n\n{q.long}\n\n</details>\n\n"
            f"*Evidence:* {_evidence_link(q.evidence)}\n"
        )
    return "\n---\n\n".join(parts)


def show(category: str, faq: FAQ | None = None) -> Any:
    """Return an ``IPython.display.Markdown`` of :func:`render_markdown` for a notebook cell."""
    from IPython.display import Markdown

    return Markdown(render_markdown(category, faq))
