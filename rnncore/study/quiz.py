"""End-of-chapter self-check quizzes: load, validate and render rnncore/study/quizzes.yaml.

``show_quiz("05_lstm_gru")`` returns a self-contained HTML quiz (inline CSS and a few lines of
inline JavaScript, no external script, stylesheet or font) that works in Jupyter and in the built
book, offline. Each question also has a ``<details>`` answer, so the quiz degrades to a readable
question-and-answer list where scripts do not run.

Every question names the section that teaches it (``section``, a label such as ``sec:bptt``); the
tests check that the section comes no later than the quiz's chapter. Numeric answers are computed
facts: every numeric question names the computation its answer comes
from (``fact``), :func:`compute_fact` recomputes it on load, and the tests recompute it once more
with torch. jupyterquiz was considered, but its script can inject MathJax from a CDN.
"""

from __future__ import annotations

import html
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rnncore.nn.cells import param_count

__all__ = [
    "CHAPTERS",
    "SECTION_LABEL",
    "compute_fact",
    "load_quizzes",
    "quiz_html",
    "show_quiz",
    "validate_quizzes",
]

#: the slugs of the chapters that end with a quiz, in reading order
CHAPTERS = (
    "01_sequences_history",
    "02_rnn_architecture",
    "03_bptt",
    "04_vanishing_exploding",
    "05_lstm_gru",
    "06_deep_bidirectional",
    "07_language_modelling",
    "08_time_series",
    "09_sequence_classification",
    "10_seq2seq_attention",
    "11_ctc",
    "12_rnns_today",
    "13_linear_recurrences",
)


def compute_fact(fact: dict[str, Any]) -> float:
    """The number a numeric quiz answer must equal, computed from its ``fact`` specification."""
    kind = fact.get("kind")
    f = {k: v for k, v in fact.items() if k != "kind"}
    if kind == "param_count":
        return float(param_count(**f))
    if kind == "h_n_rows":
        return float(f["num_layers"] * (2 if f.get("bidirectional") else 1))
    if kind == "output_features":
        return float(f["hidden_size"] * (2 if f.get("bidirectional") else 1))
    if kind == "uniform_cross_entropy":
        return math.log(f["num_classes"])
    if kind == "uniform_perplexity":
        return float(f["vocab_size"])
    if kind == "perplexity":
        return math.exp(f["loss_nats"])
    if kind == "bits":
        return f["nats"] / math.log(2.0)
    if kind == "sigmoid_grad_max":
        return 0.25
    if kind == "power":
        return float(f["base"]) ** int(f["exponent"])
    if kind == "compounding":
        return (f["model_coef"] / f["true_coef"]) ** int(f["horizon"])
    if kind == "clip_coef":
        return min(1.0, f["max_norm"] / f["norm"])
    if kind == "padding_fraction":
        lengths = f["lengths"]
        return 1.0 - sum(lengths) / (len(lengths) * max(lengths))
    if kind == "uniform_attention":
        return 1.0 / f["length"]
    if kind == "dot_score_std":  # q.k of d independent unit-variance components
        return math.sqrt(f["key_size"])
    if kind == "attention_crossover":
        return float(f["hidden_size"])
    raise ValueError(f"fact kind must be a known computation, got {kind!r}")


#: the form of a section label: ``(sec:bptt)=`` in a chapter is ``section: sec:bptt`` in a quiz
SECTION_LABEL = re.compile(r"sec:[a-z0-9]+(?:-[a-z0-9]+)*")


def validate_quizzes(data: Any, chapters: tuple[str, ...] = CHAPTERS) -> None:
    """Check every quiz; raise ``ValueError`` listing every problem (wrong answers included)."""
    if not isinstance(data, dict):
        raise ValueError(f"quizzes must be a mapping of chapter slug to questions, got {data!r}")
    problems = [f"no quiz for chapter {c!r}" for c in chapters if c not in data]
    problems += [f"unknown chapter slug {c!r}" for c in data if c not in chapters]
    for slug, questions in data.items():
        if not isinstance(questions, list) or len(questions) < 3:
            problems.append(f"{slug}: needs a list of at least 3 questions")
            continue
        for i, q in enumerate(questions):
            where = f"{slug} question {i + 1}"
            if not isinstance(q, dict) or not str(q.get("question", "")).strip():
                problems.append(f"{where}: needs a 'question' text")
                continue
            section = q.get("section")
            if not isinstance(section, str) or not SECTION_LABEL.fullmatch(section):
                problems.append(
                    f"{where}: needs section: the label of the section that teaches it "
                    f"(like sec:bptt), got {section!r}"
                )
            if q.get("type") == "choice":
                options = q.get("options") or []
                if len(options) < 2:
                    problems.append(f"{where}: a choice question needs at least 2 options")
                elif not any(o.get("correct") is True for o in options):
                    problems.append(f"{where}: no option is marked correct: true")
                for o in options:
                    if not str(o.get("text", "")).strip() or not str(o.get("why", "")).strip():
                        problems.append(f"{where}: every option needs 'text' and 'why'")
                    if not isinstance(o.get("correct"), bool):
                        problems.append(f"{where}: every option needs correct: true/false")
            elif q.get("type") == "numeric":
                answer, tol = q.get("answer"), q.get("tolerance", 0)
                if not isinstance(answer, (int, float)) or not isinstance(tol, (int, float)):
                    problems.append(f"{where}: answer and tolerance must be numbers")
                    continue
                if not str(q.get("why", "")).strip():
                    problems.append(f"{where}: needs a 'why' explanation")
                try:
                    truth = compute_fact(q.get("fact") or {})
                except (KeyError, TypeError, ValueError) as err:
                    problems.append(f"{where}: fact cannot be computed ({err})")
                    continue
                if abs(truth - answer) > max(tol, 1e-12 * abs(truth)):
                    problems.append(f"{where}: answer {answer} != computed fact {truth:.6g}")
            else:
                problems.append(
                    f"{where}: type must be 'choice' or 'numeric', got {q.get('type')!r}"
                )
    if problems:
        raise ValueError("invalid quizzes:\n- " + "\n- ".join(problems))


def load_quizzes(path: str | Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Read and validate all quizzes (the package's quizzes.yaml unless ``path`` is given)."""
    if path is None:
        text = resources.files("rnncore.study").joinpath("quizzes.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    validate_quizzes(data)
    return data


_CSS = """
#{id} {{font-size: 0.95em; border: 1px solid #0072B2; border-radius: 8px; padding: 0.6em 1em;}}
#{id} .rq-q {{margin: 0.8em 0;}}
#{id} .rq-q > p {{margin: 0.2em 0; font-weight: 600;}}
#{id} button {{display: block; margin: 0.25em 0; padding: 0.3em 0.7em; text-align: left;
  border: 1px solid #888; border-radius: 5px; background: transparent; color: inherit;
  cursor: pointer; font: inherit;}}
#{id} button.rq-right {{border: 2px solid #009E73;}}
#{id} button.rq-wrong {{border: 2px solid #D55E00;}}
#{id} .rq-feedback {{margin: 0.3em 0; font-style: italic;}}
#{id} input {{font: inherit; padding: 0.2em; width: 10em;}}
#{id} .rq-num {{display: flex; gap: 0.5em; align-items: center;}}
#{id} .rq-num button {{display: inline-block; margin: 0;}}
"""

# one delegated click handler per quiz; the data attributes carry the answers
_JS = """
(function () {{
  var root = document.getElementById("{id}");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  root.addEventListener("click", function (ev) {{
    var b = ev.target.closest("button");
    if (!b) return;
    var q = b.closest(".rq-q"), fb = q.querySelector(".rq-feedback");
    if (b.dataset.correct !== undefined) {{
      var ok = b.dataset.correct === "1";
      b.classList.add(ok ? "rq-right" : "rq-wrong");
      fb.textContent = (ok ? "Correct. " : "Not quite. ") + b.dataset.why;
    }} else {{
      var raw = q.querySelector("input").value.replace(/[,_\\s]/g, "");
      var x = parseFloat(raw), a = parseFloat(q.dataset.answer), t = parseFloat(q.dataset.tol);
      if (isNaN(x)) {{ fb.textContent = "Type a number first."; return; }}
      var ok2 = Math.abs(x - a) <= Math.max(t, 1e-9 * Math.abs(a));
      fb.textContent = (ok2 ? "Correct. " : "Not quite, try again. ") + (ok2 ? q.dataset.why : "");
    }}
  }});
}})();
"""


def _esc(text: Any) -> str:
    return html.escape(str(text).strip(), quote=True)


def quiz_html(slug: str) -> str:
    """The self-contained HTML of one chapter's quiz (deterministic: ids derive from ``slug``)."""
    quizzes = load_quizzes()
    if slug not in quizzes:
        raise ValueError(f"slug must be one of {sorted(quizzes)}, got {slug!r}")
    qid = "rnnquiz-" + slug.replace("_", "-")
    parts = [f'<div class="rnn-quiz" id="{qid}">', f"<style>{_CSS.format(id=qid)}</style>"]
    parts.append("<p><strong>Self-check quiz.</strong> Click an answer or type a number.</p>")
    for i, q in enumerate(quizzes[slug], start=1):
        if q["type"] == "choice":
            parts.append(f'<div class="rq-q"><p>{i}. {_esc(q["question"])}</p>')
            for o in q["options"]:
                parts.append(
                    f'<button type="button" data-correct="{int(o["correct"])}" '
                    f'data-why="{_esc(o["why"])}">{_esc(o["text"])}</button>'
                )
            right = "; ".join(_esc(o["text"]) for o in q["options"] if o["correct"])
        else:
            parts.append(
                f'<div class="rq-q" data-answer="{q["answer"]!r}" '
                f'data-tol="{q.get("tolerance", 0)!r}" data-why="{_esc(q["why"])}">'
                f"<p>{i}. {_esc(q['question'])}</p>"
                '<div class="rq-num"><input type="text" inputmode="decimal" '
                f'aria-label="answer to question {i}"><button type="button">Check</button></div>'
            )
            right = f"{q['answer']:g} ({_esc(q['why'])})"
        parts.append('<p class="rq-feedback" aria-live="polite"></p>')
        parts.append(f"<details><summary>Show answer</summary>{right}</details></div>")
    parts.append(f"<script>{_JS.format(id=qid)}</script></div>")
    return "\n".join(parts)


def show_quiz(slug: str) -> Any:
    """Display-ready quiz for a notebook cell: ``show_quiz("05_lstm_gru")``."""
    from IPython.display import HTML

    return HTML(quiz_html(slug))
