from __future__ import annotations

import nbformat
import pytest
import torch

from rnncore.training.loop import train
from rnncore.training.progress import Progress

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
    assert text.startswith("nb: 100%") and "300/300" in text
