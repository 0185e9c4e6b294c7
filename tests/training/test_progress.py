from __future__ import annotations

import nbformat
import pytest
import torch

from rnncore.training.loop import train
from rnncore.training.progress import WIDTH, Progress, fit_line

X = torch.linspace(-1, 1, 32, dtype=torch.float64).reshape(16, 2)
Y = X @ torch.tensor([1.5, -2.0], dtype=torch.float64)


def mse(model: torch.nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    x, y = batch
    return ((model(x).squeeze(-1) - y) ** 2).mean()


def linear() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Linear(2, 1).double()


def test_summary_mode_line_and_note(capsys: pytest.CaptureFixture) -> None:
    bar = Progress(10, desc="x", mode="summary")
    bar.update(4, {"loss": 1.23456})
    text = bar.close("stopped early")
    assert capsys.readouterr().err == text + "\n"
    assert (
        text.startswith("x:  40%")
        and "4/10" in text
        and "loss=1.235" in text
        and "stopped early" in text
    )
    assert bar.close() == text and capsys.readouterr().err == ""  # closing twice writes once


def test_progress_outside_a_terminal_prints_one_summary_line(capsys: pytest.CaptureFixture) -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train(model, mse, lambda i: (X, Y), 25, opt, desc="fit")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\r" not in err
    assert err.startswith("fit: 100%") and "25/25" in err and "loss=" in err


def test_progress_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode must be"):
        Progress(10, mode="widget")


def test_progress_in_an_executed_notebook_is_stored_as_one_line() -> None:
    nbclient = pytest.importorskip("nbclient")
    code = (
        "import torch\nfrom rnncore.training.loop import train\n"
        "m = torch.nn.Linear(2, 1)\nopt = torch.optim.SGD(m.parameters(), lr=0.01)\n"
        "x = torch.ones(4, 2)\n"
        "r = train(m, lambda m, b: m(b).pow(2).mean(), lambda i: x, 300, opt, desc='nb')"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert len(outputs) == 1, outputs
    text = outputs[0]["data"]["text/plain"]
    assert outputs[0]["output_type"] == "display_data"
    assert "\n" not in text and "\r" not in text
    assert text.startswith("nb: 100%") and "300/300" in text and len(text) <= WIDTH


INFOS = [
    {},
    {"loss": 1.23456},
    {"loss": 1.23456, "val": 12.3456},
    {"loss": 0.000123456, "val": 1234.5678, "note": "stopped early"},
    {"loss": 1.5, "note": "time cap"},
]


@pytest.mark.parametrize("info", INFOS)
@pytest.mark.parametrize("desc", ["", "nb", "charlm-gru", "recursive forecaster"])
def test_progress_lines_fit_the_page_and_keep_count_and_losses(info: dict, desc: str) -> None:
    for total in (1, 10, 3_000, 20_000):
        for n in (0, total // 3, total):
            for elapsed in (0.0, 0.4, 75.0, 3599.0):
                line = fit_line(n, total, elapsed, desc=desc, info=info)
                assert len(line) <= WIDTH, line
                assert line.startswith(f"{desc}: " if desc else "")
                assert f" {n}/{total}" in line and "…" not in line, line
                for key, value in info.items():
                    shown = value if key == "note" else f"{key}={value:.4g}"
                    assert shown in line, line


def test_a_short_line_keeps_the_full_tqdm_layout() -> None:
    line = fit_line(4, 10, 2.0, desc="x", info={"loss": 1.25})
    assert line == "x:  40%|####      | 4/10 [00:02<00:03,  2.00step/s, loss=1.25]"


def test_a_long_line_leaves_out_the_time_left_the_rate_the_bar_in_turn() -> None:
    info = {"loss": 1.23456, "val": 1.6123}
    lines = [fit_line(3000, 3000, 754.0, "d" * k, info) for k in (1, 5, 10, 25, 30, 35, 40)]
    assert [len(line) for line in lines[:4]] == [WIDTH] * 4  # the bar takes what is left
    assert lines[0].endswith(
        "|##########| 3000/3000 [12:34<00:00,  3.98step/s, loss=1.235, val=1.612]"
    )
    assert lines[1].endswith("|######| 3000/3000 [12:34<00:00,  3.98step/s, loss=1.235, val=1.612]")
    assert lines[2].endswith("|#######| 3000/3000 [12:34,  3.98step/s, loss=1.235, val=1.612]")
    assert lines[3].endswith("|#####| 3000/3000 [12:34, loss=1.235, val=1.612]")
    assert lines[4].endswith(": 100% 3000/3000 [12:34, loss=1.235, val=1.612]")
    assert lines[5].endswith("d: 3000/3000 [12:34, loss=1.235, val=1.612]")
    assert lines[6].endswith("d: 3000/3000, loss=1.235, val=1.612")


def test_only_a_label_too_long_for_any_layout_is_cut() -> None:
    line = fit_line(1, 2, 1.0, desc="d" * 100)
    assert len(line) == WIDTH and line.endswith("…")


def test_the_closing_line_fits_and_names_the_note() -> None:
    bar = Progress(3000, desc="charlm-gru", mode="off")
    bar.update(2200, {"loss": 1.52345, "val": 1.6123})
    text = bar.close("stopped early")
    assert len(text) <= WIDTH and text.endswith(", stopped early]") and "2200/3000" in text
