from __future__ import annotations

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
    with pytest.raises(ValueError, match="not a readable torch checkpoint"):
        load_checkpoint(tmp_path / "junk.pt")
    save_checkpoint(tmp_path / "other.pt", {"weights": torch.ones(1)})
    with pytest.raises(ValueError, match=r"not written by rnncore\.train"):
        load_checkpoint(tmp_path / "other.pt")
