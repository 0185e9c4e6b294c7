from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

from rnncore.training.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state


def test_rng_state_round_trip_through_a_checkpoint(tmp_path: Path) -> None:
    import random

    random.seed(1)
    np.random.seed(2)  # noqa: NPY002
    torch.manual_seed(3)
    save_checkpoint(tmp_path / "rng.pt", {"rng": rng_state()})
    draws = (random.random(), np.random.rand(), float(torch.rand(1)))  # noqa: NPY002
    state = torch.load(tmp_path / "rng.pt", weights_only=True)
    set_rng_state(state["rng"])
    assert (random.random(), np.random.rand(), float(torch.rand(1))) == draws  # noqa: NPY002


def test_save_checkpoint_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "ck.pt"
    save_checkpoint(path, {"a": torch.ones(2)})
    old = path.read_bytes()
    with pytest.raises(Exception):  # noqa: B017 - torch.save's error type for a lambda varies
        save_checkpoint(path, {"a": lambda: None})
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["ck.pt"]


def test_load_checkpoint_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_text("not a checkpoint")
    with pytest.raises(ValueError, match="not a course checkpoint: it is not a file written by"):
        load_checkpoint(tmp_path / "junk.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(ValueError, match="not a course checkpoint: the file is empty"):
        load_checkpoint(tmp_path / "empty.pt")
    torch.save({"ratio": Fraction(1, 3)}, tmp_path / "pickled.pt")
    with pytest.raises(ValueError, match=r"pickled Python object \(fractions\.Fraction\)") as info:
        load_checkpoint(tmp_path / "pickled.pt")
    assert "weights_only" not in str(info.value) and info.value.__cause__ is None
    save_checkpoint(tmp_path / "other.pt", {"weights": torch.ones(1)})
    with pytest.raises(ValueError, match=r"not written by rnncore\.train"):
        load_checkpoint(tmp_path / "other.pt")


def test_checkpointer_saves_and_resumes_a_run(tmp_path: Path) -> None:
    from rnncore.training.checkpoint import Checkpointer
    from rnncore.training.early_stopping import EarlyStopping

    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    stopper = EarlyStopping(patience=4)
    stopper.update(0.5, 3, model)
    history = {"step": [1, 2, 3], "loss": [3.0, 2.0, 1.0]}
    saver = Checkpointer(tmp_path / "run.pt", model, opt, extra={"vocab": "abc"})
    saver.save(3, history, stopper)
    draw = float(torch.rand(1))

    torch.manual_seed(1)
    other, other_stopper = torch.nn.Linear(2, 1), EarlyStopping(patience=4)
    other_opt = torch.optim.Adam(other.parameters(), lr=0.1)
    step, got = Checkpointer(tmp_path / "run.pt", other, other_opt).resume(other_stopper, steps=3)
    assert (step, got) == (3, history)
    assert torch.equal(other.weight, model.weight)
    assert other_opt.state_dict()["state"][0]["step"] == 1  # Adam's moments came back too
    assert other_stopper.state_dict() == stopper.state_dict()
    assert float(torch.rand(1)) == draw  # and the random states
    assert load_checkpoint(tmp_path / "run.pt")["extra"] == {"vocab": "abc"}
    with pytest.raises(ValueError, match="checkpoint is at step 3, beyond steps=2"):
        Checkpointer(tmp_path / "run.pt", other, other_opt).resume(other_stopper, steps=2)
