from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rnncore.__main__ import SUBCOMMANDS, build_parser, main
from rnncore.training.loop import load_checkpoint

TINY = (
    "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n" * 20
)
SMALL = ["--steps", "4", "--seq-len", "16", "--batch-size", "4", "--hidden", "16", "--embed", "8"]


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_train_then_sample(tmp_path: Path, text_file: Path, capsys: pytest.CaptureFixture) -> None:
    ck = tmp_path / "lm.pt"
    assert main(["train-charlm", "--text", str(text_file), "--checkpoint", str(ck), *SMALL]) == 0
    out, err = capsys.readouterr()
    assert "nats/char" in out and "bits/char" in out and "after 4 steps" in out
    assert err.count("\n") == 1 and err.startswith("train-charlm: 100%")  # one progress line
    state = load_checkpoint(ck)
    assert state["step"] == 4 and state["extra"]["vocab"] == "".join(sorted(set(TINY)))
    assert main(["sample", "--checkpoint", str(ck), "--length", "25", "--prompt", "To"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("To") and len(text) == 2 + 25 + 1
    assert main(["sample", "--checkpoint", str(ck), "--length", "25", "--prompt", "To"]) == 0
    assert capsys.readouterr().out == text  # seeded


def test_resume_continues_to_the_new_step_count(tmp_path: Path, text_file: Path) -> None:
    ck = tmp_path / "lm.pt"
    args = ["train-charlm", "--text", str(text_file), "--checkpoint", str(ck), "--quiet", *SMALL]
    assert main(args) == 0
    assert main([*args, "--resume", "--steps", "6"]) == 0
    assert load_checkpoint(ck)["step"] == 6


def test_python_dash_m_runs(tmp_path: Path, text_file: Path) -> None:
    ck = tmp_path / "lm.pt"
    cmd = [sys.executable, "-m", "rnncore", "train-charlm", "--text", str(text_file)]
    done = subprocess.run([*cmd, "--checkpoint", str(ck), *SMALL], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert ck.is_file()


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["train-charlm", "--text", "missing.txt"], "--text missing.txt: no such file"),
        (["sample", "--checkpoint", "missing.pt"], "--checkpoint missing.pt: no such file"),
    ],
)
def test_missing_files_give_one_line_errors(argv, match, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnncore: error: ") and match in err and err.count("\n") == 1


def test_bad_text_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    short = tmp_path / "short.txt"
    short.write_text("abc", encoding="utf-8")
    assert main(["train-charlm", "--text", str(short)]) == 2
    assert "too short" in capsys.readouterr().err
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9".encode("latin-1") * 100)
    assert main(["train-charlm", "--text", str(latin)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_bad_prompt_names_the_character(tmp_path: Path, text_file: Path, capsys) -> None:
    ck = tmp_path / "lm.pt"
    main(["train-charlm", "--text", str(text_file), "--checkpoint", str(ck), "--quiet", *SMALL])
    capsys.readouterr()
    assert main(["sample", "--checkpoint", str(ck), "--prompt", "Zed"]) == 2
    assert "character 'Z' (U+005A) at position 0" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["fly"],
        ["train-charlm"],
        ["train-charlm", "--text", "x", "--steps", "0"],
        ["train-charlm", "--text", "x", "--lr", "-1"],
        ["train-charlm", "--text", "x", "--val-fraction", "1.5"],
        ["sample", "--checkpoint", "x", "--temperature", "0"],
    ],
)
def test_bad_arguments_exit_with_usage(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage: rnncore" in capsys.readouterr().err


def test_subcommands_register_through_one_function_each() -> None:
    names = set(build_parser()._subparsers._group_actions[0].choices)
    assert {"train-charlm", "sample"} <= names and len(SUBCOMMANDS) == len(names)
