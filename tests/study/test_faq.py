"""The FAQ file validates, every evidence pointer resolves in the book, the parameter-count
formula matches torch, and the rendering and the mock-interview sheet say what torch says."""

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
    """Each category appears in the FAQ chapter, and the book parses the Markdown it displays
    as MyST: under myst-nb's default (CommonMark) its math, {cite} and {ref} print raw."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"].get("nb_render_markdown_format") == "myst"
    cells = json.loads(FAQ_NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    shown = {
        match
        for cell in cells
        if cell["cell_type"] == "code"
        for match in re.findall(r"faq\.show\(\"([a-z]+)\"", "".join(cell["source"]))
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


def test_render_markdown_groups_and_folds() -> None:
    text = render_markdown("gates", FAQ)
    gates = FAQ.in_category("gates")
    assert text.count("<details>") == len(gates) == text.count("*Evidence:*")
    assert f"**Q{gates[0].number}. {gates[0].question}**" in text
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
