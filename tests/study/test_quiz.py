"""The quizzes validate, their numeric answers are true (recomputed with torch), every question is
taught no later than its quiz (its section label lives in the same or an earlier chapter, in
_toc.yml order), and the HTML is self-contained (no external script, stylesheet or font)."""

from __future__ import annotations

import copy
import json
import math
import re
import sys
from pathlib import Path

import pytest
import torch

from rnncore.study.quiz import CHAPTERS, compute_fact, load_quizzes, quiz_html, validate_quizzes

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from test_chapters import toc_files  # noqa: E402

QUIZZES = load_quizzes()


def torch_fact(fact: dict) -> float:
    """The facts of rnncore.study.quiz.compute_fact, measured on torch instead of by formula."""
    kind = fact["kind"]
    torch.manual_seed(0)
    if kind in ("param_count", "h_n_rows", "output_features"):
        mode = fact.get("mode", "rnn")
        cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[mode]
        module = cls(
            fact.get("input_size", 3),
            fact.get("hidden_size", 4),
            num_layers=fact.get("num_layers", 1),
            bidirectional=fact.get("bidirectional", False),
        )
        if kind == "param_count":
            return float(sum(p.numel() for p in module.parameters()))
        out, h_n = module(torch.zeros(2, 1, fact.get("input_size", 3)))
        return float(h_n.shape[0] if kind == "h_n_rows" else out.shape[-1])
    if kind == "uniform_cross_entropy":
        v = fact["num_classes"]
        return float(
            torch.nn.functional.cross_entropy(
                torch.zeros(1, v, dtype=torch.float64), torch.tensor([v - 1])
            )
        )
    if kind == "uniform_perplexity":
        v = fact["vocab_size"]
        loss = torch.nn.functional.cross_entropy(
            torch.zeros(1, v, dtype=torch.float64), torch.tensor([0])
        )
        return float(torch.exp(loss))
    if kind == "perplexity":
        return float(torch.exp(torch.tensor(fact["loss_nats"], dtype=torch.float64)))
    if kind == "bits":
        return fact["nats"] / math.log(2)
    if kind == "sigmoid_grad_max":
        a = torch.linspace(-5, 5, 10001, dtype=torch.float64, requires_grad=True)
        torch.sigmoid(a).sum().backward()
        return float(a.grad.max())
    if kind == "power":
        h0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        h = h0
        for _ in range(fact["exponent"]):
            h = fact["base"] * h
        h.backward()
        return float(h0.grad)
    if kind == "compounding":
        model = true = torch.tensor(1.0, dtype=torch.float64)
        for _ in range(fact["horizon"]):
            model, true = fact["model_coef"] * model, fact["true_coef"] * true
        return float(model / true)
    if kind == "clip_coef":
        p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
        p.grad = torch.tensor([fact["norm"]], dtype=torch.float64)
        torch.nn.utils.clip_grad_norm_([p], fact["max_norm"])
        return float(p.grad / fact["norm"])
    if kind == "padding_fraction":
        lengths = torch.tensor(fact["lengths"])
        mask = torch.arange(int(lengths.max()))[None, :] < lengths[:, None]
        return float(1 - mask.double().mean())
    if kind == "uniform_attention":
        return float(torch.softmax(torch.zeros(fact["length"], dtype=torch.float64), 0)[0])
    if kind == "dot_score_std":
        # components of +-1 have mean 0 and variance 1; q_i k_i is +-1 too, so q.k = 2j - d
        # with j ~ Binomial(d, 1/2): its exact distribution, then its standard deviation
        d = fact["key_size"]
        p = torch.ones(1, dtype=torch.float64)
        for _ in range(d):  # one more fair +-1 term: p(j) = (p(j) + p(j - 1)) / 2
            p = (torch.cat([p, p.new_zeros(1)]) + torch.cat([p.new_zeros(1), p])) / 2
        j = torch.arange(d + 1, dtype=torch.float64)
        return float((p * (2 * j - d) ** 2).sum().sqrt())
    if kind == "attention_crossover":
        h = fact["hidden_size"]
        return float(next(t for t in range(1, 10 * h) if t * t * h > t * h * h) - 1)
    raise AssertionError(f"no torch recomputation for {kind}")


NUMERIC = [
    (slug, i, q) for slug, qs in QUIZZES.items() for i, q in enumerate(qs) if q["type"] == "numeric"
]


def test_every_planned_chapter_has_a_quiz() -> None:
    assert set(QUIZZES) == set(CHAPTERS)
    assert all(len(qs) >= 3 for qs in QUIZZES.values())
    assert all(any(q["type"] == "numeric" for q in qs) for qs in QUIZZES.values())


@pytest.mark.parametrize(("slug", "i", "q"), NUMERIC, ids=[f"{s}-{i + 1}" for s, i, _ in NUMERIC])
def test_numeric_answers_are_true_in_torch(slug: str, i: int, q: dict) -> None:
    truth = torch_fact(q["fact"])
    assert abs(truth - q["answer"]) <= max(q.get("tolerance", 0), 1e-9 * abs(truth)), (
        f"{slug} question {i + 1}: answer {q['answer']}, torch says {truth}"
    )
    assert math.isclose(compute_fact(q["fact"]), truth, rel_tol=1e-6, abs_tol=1e-12)


def test_wrong_numeric_answer_is_rejected() -> None:
    data = copy.deepcopy(QUIZZES)
    q = next(q for q in data["05_lstm_gru"] if q["type"] == "numeric")
    q["answer"] += 1
    with pytest.raises(ValueError, match="computed fact"):
        validate_quizzes(data)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("03_bptt"), "no quiz for chapter '03_bptt'"),
        (lambda d: d.update(extra=d["03_bptt"]), "unknown chapter slug 'extra'"),
        (lambda d: d["03_bptt"][0]["options"][1].update(correct=False), "no option is marked"),
        (lambda d: d["03_bptt"][0].update(type="essay"), "type must be"),
        (lambda d: d["02_rnn_architecture"][1]["fact"].update(kind="magic"), "fact cannot"),
        (lambda d: d["03_bptt"][0]["options"][0].pop("why"), "'text' and 'why'"),
        (lambda d: d["03_bptt"][1].pop("section"), "needs section: the label"),
        (lambda d: d["05_lstm_gru"][2].update(section="Section 5.2"), "got 'Section 5.2'"),
        (lambda d: d["01_sequences_history"][0].update(section="sec:"), "got 'sec:'"),
    ],
)
def test_invalid_quizzes_are_rejected(mutate, message: str) -> None:
    data = copy.deepcopy(QUIZZES)
    mutate(data)
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_quizzes(data)


def section_labels() -> dict[str, int]:
    """Every `(sec:...)=` label of the book and the position of its page in _toc.yml."""
    found: dict[str, int] = {}
    for position, page in enumerate(toc_files()):
        notebook, markdown = ROOT / f"{page}.ipynb", ROOT / f"{page}.md"
        if notebook.is_file():
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        else:
            text = markdown.read_text(encoding="utf-8")
        for label in re.findall(r"^\((sec:[a-z0-9-]+)\)=\s*$", text, re.M):
            assert label not in found, f"label {label} is defined twice"
            found[label] = position
    return found


def misplaced(quizzes: dict) -> list[str]:
    """The questions whose section is unknown or lives in a later page than their quiz."""
    labels, pages = section_labels(), toc_files()
    problems = []
    for slug, questions in quizzes.items():
        quiz_at = pages.index(f"chapters/{slug}")
        for i, q in enumerate(questions, start=1):
            where = f"{slug} question {i} ({q['section']})"
            if q["section"] not in labels:
                problems.append(f"{where}: no such label in the book")
            elif labels[q["section"]] > quiz_at:
                problems.append(f"{where}: taught later, in {pages[labels[q['section']]]}")
    return problems


def test_every_question_is_taught_no_later_than_its_quiz() -> None:
    assert not misplaced(QUIZZES)


@pytest.mark.parametrize(
    ("slug", "section", "words"),
    [
        ("02_rnn_architecture", "sec:lstm-gru", "taught later, in chapters/05_lstm_gru"),
        ("01_sequences_history", "sec:bptt", "taught later, in chapters/03_bptt"),
        ("03_bptt", "sec:no-such-section", "no such label"),
    ],
)
def test_a_question_from_a_later_chapter_is_caught(slug: str, section: str, words: str) -> None:
    data = copy.deepcopy(QUIZZES)
    data[slug][0]["section"] = section
    assert any(words in p for p in misplaced(data))
    data[slug][0]["section"] = "sec:history"  # the first chapter is never too late
    assert not any(p.startswith(f"{slug} question 1 ") for p in misplaced(data))


@pytest.mark.parametrize("slug", CHAPTERS)
def test_quiz_html_is_self_contained(slug: str) -> None:
    page = quiz_html(slug)
    assert not re.search(r"(?:src|href)\s*=|https?:|//cdn|@import|url\(", page), slug
    assert page.count('class="rq-q"') == len(QUIZZES[slug])
    assert page == quiz_html(slug), "the HTML must be deterministic"


def test_quiz_html_escapes_and_rejects_unknown_slug() -> None:
    assert "<script>" in quiz_html("01_sequences_history")
    with pytest.raises(ValueError, match="slug must be one of"):
        quiz_html("99_nope")


def test_show_quiz_returns_html_display() -> None:
    from IPython.display import HTML

    from rnncore.study.quiz import show_quiz

    assert isinstance(show_quiz("05_lstm_gru"), HTML)
