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


def _foreign_files(folder: Path) -> dict[str, Path]:
    """Files that are not course checkpoints, as a reader might pass them to ``sample``."""
    import fractions

    import torch

    files = {name: folder / name for name in ("dict.pt", "pickle.pt", "text.txt", "empty.pt")}
    torch.save({"weights": torch.ones(3)}, files["dict.pt"])  # torch's, but no course format
    # weights_only=True refuses this one; torch's own message advises weights_only=False
    torch.save({"ratio": fractions.Fraction(1, 3)}, files["pickle.pt"])
    files["text.txt"].write_text("just some text\n", encoding="utf-8")
    files["empty.pt"].write_bytes(b"")
    files["missing.pt"] = folder / "missing.pt"
    return files


REASONS = {
    "dict.pt": "not written by rnncore.training.loop",
    "pickle.pt": "pickled Python object (fractions.Fraction)",
    "text.txt": "not a file written by torch.save",
    "empty.pt": "the file is empty",
    "missing.pt": "no such file",
}


@pytest.mark.parametrize("name", sorted(REASONS))
def test_sample_refuses_a_file_that_is_not_a_checkpoint_in_one_line(
    tmp_path: Path, name: str
) -> None:
    path = _foreign_files(tmp_path)[name]
    cmd = [sys.executable, "-m", "rnncore", "sample", "--checkpoint", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("rnncore: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert str(path) in done.stderr and REASONS[name] in done.stderr
    if name != "missing.pt":
        assert "not a course checkpoint" in done.stderr
    assert "weights_only" not in done.stderr  # never the advice to run the file's code


def test_sample_refuses_weights_that_do_not_fit_their_settings(
    tmp_path: Path, text_file: Path, capsys: pytest.CaptureFixture
) -> None:
    import torch

    ck = tmp_path / "lm.pt"
    main(["train-charlm", "--text", str(text_file), "--checkpoint", str(ck), "--quiet", *SMALL])
    state = torch.load(ck, weights_only=True)
    state["extra"]["config"]["hidden_size"] = 17  # the weights are for 16
    torch.save(state, ck)
    capsys.readouterr()
    assert main(["sample", "--checkpoint", str(ck)]) == 2
    err = capsys.readouterr().err
    assert "do not make a character model" in err and err.count("\n") == 1


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
