"""The FAQ file validates, every evidence and teaching pointer resolves in the book, the chapter
shows the rendering (a heading per question, folded answers), the parameter-count formula matches
torch, and the mock-interview script says what torch says."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import torch
import yaml

from rnncore.study.faq import (
    load_faq,
    param_count,
    render_category,
    render_markdown,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
FAQ_NOTEBOOK = ROOT / "chapters" / "14_interview_faq.ipynb"
MOCK_SHEET = ROOT / "chapters" / "16_mock_interview.md"
RAW = yaml.safe_load((ROOT / "rnncore" / "study" / "faq.yaml").read_text(encoding="utf-8"))
FAQ = load_faq()
LABEL = re.compile(r"^\(([A-Za-z0-9:_-]+)\)=\s*$", re.M)


def notebook_labels(path: Path) -> set[str]:
    """The MyST target labels ``(label)=`` in a notebook's markdown cells."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {
        label
        for cell in cells
        if cell["cell_type"] == "markdown"
        for label in LABEL.findall("".join(cell["source"]))
    }


def book_labels() -> set[str]:
    """Every MyST target label in the book: chapter notebooks and Markdown files, and intro.md."""
    pages = [*sorted((ROOT / "chapters").glob("*.md")), *sorted(ROOT.glob("*.md"))]
    labels = {label for page in pages for label in LABEL.findall(page.read_text(encoding="utf-8"))}
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        labels |= notebook_labels(notebook)
    return labels


def test_every_category_is_shown_and_parsed_as_myst() -> None:
    """Each category appears in the FAQ chapter as one of its own Markdown cells (parsed as MyST
    like every chapter cell), and the book parses the Markdown that code displays (``faq.show``)
    as MyST too: under myst-nb's default (CommonMark) its math, {cite} and {ref} print raw."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"].get("nb_render_markdown_format") == "myst"
    cells = json.loads(FAQ_NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    shown = {
        match
        for cell in cells
        if cell["cell_type"] == "markdown"
        for match in re.findall(r"^\(faq-cat-([a-z]+)\)=$", "".join(cell["source"]), re.M)
    }
    assert shown == {q.category for q in FAQ.questions}


def test_faq_has_enough_questions_in_every_category() -> None:
    assert len(FAQ.questions) >= 50
    for category, _ in FAQ.categories:
        assert len(FAQ.in_category(category)) >= 5, category


def test_every_question_has_short_long_category_and_evidence() -> None:
    for q in FAQ.questions:
        assert q.short and q.long and q.evidence and q.category in dict(FAQ.categories)
        assert len(q.long) > len(q.short) // 2


def test_every_evidence_pointer_resolves() -> None:
    evidence = {label for label in notebook_labels(FAQ_NOTEBOOK) if label.startswith("ev-")}
    labels = book_labels()
    validate(RAW, labels=labels)  # raises naming the question whose pointer dangles
    for q in FAQ.questions:
        if q.evidence.startswith("ev-"):
            assert q.evidence in evidence, f"{q.id}: {q.evidence} is not computed in the notebook"


def test_every_question_links_the_section_that_teaches_it() -> None:
    labels = book_labels()
    for q in FAQ.questions:
        assert q.teach.startswith("sec:"), f"{q.id}: teach must be a section label"
        assert q.teach in labels, f"{q.id}: {q.teach} is not a label in the book"
        assert q.teach != "sec:faq", f"{q.id}: the FAQ cannot be its own teacher"


def test_named_evidence_shows_the_claim() -> None:
    """The pointers a learner found misleading now lead to what they claim."""
    by_id = {q.id: q for q in FAQ.questions}
    assert by_id["turing-complete"].evidence != "ev-weight-sharing"
    assert by_id["peepholes"].evidence == "ev-lstm-torch"
    assert by_id["forecasting"].evidence == "sec:ts-horizon"


def test_chapter_shows_every_category_as_rendered() -> None:
    """Each category is one Markdown cell equal to render_category (tools/sync_faq.py rewrites)."""
    cells = json.loads(FAQ_NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    texts = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    for category, _ in FAQ.categories:
        shown = [t for t in texts if t.startswith(f"(faq-cat-{category})=")]
        assert shown == [render_category(category, FAQ)], (
            f"{category}: run `python tools/sync_faq.py` after editing faq.yaml"
        )
    assert "faq-unfold" in texts[0] and "details.faq-answer" in texts[0]


def test_every_evidence_label_is_followed_by_an_asserting_code_cell() -> None:
    cells = json.loads(FAQ_NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        text = "".join(cell["source"])
        found = re.search(r"^\((ev-[a-z0-9-]+)\)=", text, re.M)
        if cell["cell_type"] == "markdown" and found:
            nxt = cells[i + 1]
            assert nxt["cell_type"] == "code", found.group(1)
            source = "".join(nxt["source"])
            assert "assert" in source and f'DONE.add("{found.group(1)}")' in source


def test_every_citation_key_is_in_the_bibliography() -> None:
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    for q in FAQ.questions:
        for key in re.findall(r"\{cite\}`([^`]+)`", q.short + q.long):
            assert key in keys, f"{q.id}: unknown citation key {key}"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["questions"][0].pop("short"), "missing or empty ['short']"),
        (lambda d: d["questions"][1].update(category="poetry"), "category must be one of"),
        (lambda d: d["questions"][2].update(evidence="see chapter 4"), "evidence must be"),
        (lambda d: d["questions"][3].update(id=d["questions"][0]["id"]), "duplicate id"),
        (lambda d: d["questions"][4].update(long="x"), "must go deeper"),
        (lambda d: d["questions"][5].update(extra=1), "unknown keys"),
        (lambda d: d["questions"][6].pop("teach"), "missing or empty ['teach']"),
        (lambda d: d["questions"][7].update(teach="ev-shapes"), "teach must be a section label"),
    ],
)
def test_invalid_entries_are_rejected(mutate, message: str) -> None:
    data = copy.deepcopy(RAW)
    mutate(data)
    with pytest.raises(ValueError, match=re.escape(message)):
        validate(data)


def test_dangling_label_is_rejected() -> None:
    data = copy.deepcopy(RAW)
    data["questions"][0]["evidence"] = "sec:no-such-chapter"
    with pytest.raises(ValueError, match="does not resolve"):
        validate(data, labels={"sec:faq"})


def test_dangling_teaching_link_is_rejected() -> None:
    data = copy.deepcopy(RAW)
    labels = {q["evidence"] for q in data["questions"]} | {q["teach"] for q in data["questions"]}
    data["questions"][0]["teach"] = "sec:no-such-section"
    with pytest.raises(ValueError, match="teach 'sec:no-such-section' does not resolve"):
        validate(data, labels=labels)


def test_render_markdown_makes_headings_and_folds_both_answers() -> None:
    text = render_markdown("gates", FAQ)
    gates = FAQ.in_category("gates")
    assert text.count('<details class="faq-answer">') == 2 * len(gates)
    assert text.count("*Evidence:*") == text.count("*Learn it in*") == len(gates)
    first = gates[0]
    assert f"(faq-{first.id})=\n### Q{first.number}. {first.question}\n" in text
    assert f"{{ref}}`{first.teach}`" in text and f"{{ref}}`{first.evidence}`" in text
    # nothing of an answer is shown before its fold
    assert text.index(first.short) > text.index("<summary>30-second answer</summary>")
    category = render_category("gates", FAQ)
    assert category.startswith("(faq-cat-gates)=\n## LSTM and GRU\n") and text in category
    with pytest.raises(ValueError, match="category must be one of"):
        render_markdown("nope", FAQ)


TORCH = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(
    ("D", "H", "layers", "bidirectional", "bias"),
    [
        (1, 1, 1, False, True),
        (10, 20, 1, False, True),
        (7, 5, 3, True, True),
        (4, 9, 2, False, False),
    ],
)
def test_param_count_matches_torch(mode, D, H, layers, bidirectional, bias) -> None:
    module = TORCH[mode](D, H, num_layers=layers, bidirectional=bidirectional, bias=bias)
    expected = sum(p.numel() for p in module.parameters())
    assert param_count(mode, D, H, layers, bidirectional, bias) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cnn", 3, 4), "mode must be one of"),
        (("lstm", 0, 4), "input_size must be a positive int"),
        (("lstm", 3, 2.5), "hidden_size must be a positive int"),
        (("gru", 3, 4, 0), "num_layers must be a positive int"),
    ],
)
def test_param_count_rejects_bad_arguments(args, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        param_count(*args)


def test_mock_sheet_numbers_match_torch() -> None:
    """Every line `nn.X(D, H[, num_layers=L][, bidirectional=True]) ... N parameters` is true."""
    text = MOCK_SHEET.read_text(encoding="utf-8")
    pattern = re.compile(
        r"`nn\.(RNN|LSTM|GRU)\((\d+), (\d+)(?:, num_layers=(\d+))?(, bidirectional=True)?\)`"
        r"[^|\n]*\|\s*([\d,]+)"
    )
    found = pattern.findall(text)
    assert len(found) >= 6, "the sheet's parameter table was not found"
    for cls, D, H, layers, bi, number in found:
        module = getattr(torch.nn, cls)(
            int(D), int(H), num_layers=int(layers or 1), bidirectional=bool(bi)
        )
        assert int(number.replace(",", "")) == sum(p.numel() for p in module.parameters()), cls


def test_mock_design_numbers_are_computed() -> None:
    """Every row `call(...)` | number of the design table is what rnncore computes."""
    import ast

    from rnncore.models import scaling

    functions = {
        "param_count": param_count,
        "kv_cache_bytes": scaling.kv_cache_bytes,
        "recurrent_state_bytes": scaling.recurrent_state_bytes,
        "rnn_step_flops": scaling.rnn_step_flops,
        "attention_step_flops": scaling.attention_step_flops,
        "transformer_layer_params": scaling.transformer_layer_params,
    }
    text = MOCK_SHEET.read_text(encoding="utf-8")
    rows = re.findall(r"\| `(\w+)\(([^`]*)\)` \| ([\d,]+) \|", text)
    assert len(rows) >= 10, "the design table was not found"
    for name, args, number in rows:
        call = ast.parse(f"f({args})", mode="eval").body
        values = [ast.literal_eval(a) for a in call.args]
        assert int(number.replace(",", "")) == functions[name](*values), f"{name}({args})"


def test_mock_design_budgets_are_computed() -> None:
    """The design answer's weight and compute budgets are what rnncore computes."""
    from rnncore.models import scaling

    text = MOCK_SHEET.read_text(encoding="utf-8")
    transformer_weights = 4 * scaling.transformer_layer_params(128, 512)
    gru_per_second = 100 * (
        scaling.rnn_step_flops("gru", 40, 128) + scaling.rnn_step_flops("gru", 128, 128)
    )
    attention_per_second = 100 * 4 * scaling.attention_step_flops(128, 1000)
    budget_flops, budget_weights = 100e6, 256 * 2**10
    for number in (transformer_weights, budget_weights, gru_per_second, attention_per_second):
        assert f"{number:,}" in text, number
    assert abs(transformer_weights / budget_weights - 3) < 0.05  # "three times"
    assert 0.3 < gru_per_second / budget_flops < 0.34  # "a third of the processor"
    assert 2.5 < attention_per_second / budget_flops < 2.6  # "two and a half times"
    assert "100 million FLOPs per second" in text


def test_mock_interview_has_its_four_parts_and_a_rubric_for_every_question() -> None:
    text = MOCK_SHEET.read_text(encoding="utf-8")
    parts = re.findall(r"^## (Warm-up|Concepts|Coding|System design) \((\d+) minutes\)", text, re.M)
    assert [int(m) for _, m in parts] == [5, 15, 20, 5]
    questions = re.findall(r"^\*\*([WCKD]\d)[. ]", text, re.M)
    assert questions == ["W1", "W2", "C1", "C2", "C3", "C4", "K1", "K2", "D1"]
    for block in re.split(r"^\*\*[WCKD]\d", text, flags=re.M)[1:]:
        block = re.split(r"^## ", block, flags=re.M)[0]
        for part in ("*Must mention:*", "*Follow-ups:*", "*Common wrong answers:*"):
            assert part in block
    assert "## Self-scoring sheet" in text and r"$\gamma$" in text
