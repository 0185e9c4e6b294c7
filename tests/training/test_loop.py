from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import rnncore
from rnncore.training.checkpoint import Checkpointer
from rnncore.training.loop import clip_grad_norm, load_checkpoint, train, warmup_cosine

X = torch.linspace(-1, 1, 32, dtype=torch.float64).reshape(16, 2)
Y = X @ torch.tensor([1.5, -2.0], dtype=torch.float64)


def mse(model: torch.nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    x, y = batch
    return ((model(x).squeeze(-1) - y) ** 2).mean()


def linear(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Linear(2, 1).double()


def test_train_fits_a_linear_map_and_records_history() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    result = train(model, mse, lambda i: (X, Y), 200, opt, progress=False)
    assert result.steps == 200 and result.stopped == "steps"
    assert result.history["step"] == list(range(1, 201))
    assert len(result.history["loss"]) == len(result.history["grad_norm"]) == 200
    assert result.final_loss < 1e-6 < result.history["loss"][0]
    assert result.best_eval is None and result.history["eval_loss"] == []


def test_train_accepts_an_iterable_and_complains_when_it_runs_out() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    result = train(model, mse, [(X, Y)] * 5, 5, opt, progress=False)
    assert result.steps == 5
    with pytest.raises(ValueError, match="batches ran out at step 6"):
        train(model, mse, [(X, Y)] * 5, 6, opt, progress=False)


def test_clip_bounds_the_update_and_grad_norm_is_recorded_before_clipping() -> None:
    model = linear()
    before = torch.cat([p.detach().flatten() for p in model.parameters()])
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    result = train(model, mse, lambda i: (X, Y * 100), 1, opt, clip=0.1, progress=False)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert result.history["grad_norm"][0] > 10.0
    assert float(torch.linalg.norm(after - before)) == pytest.approx(0.1, rel=1e-6)


def test_warmup_cosine_schedule_shape() -> None:
    opt = torch.optim.SGD(linear().parameters(), lr=2.0)
    sched = warmup_cosine(opt, steps=10, warmup=2, final_ratio=0.1)
    lrs = []
    for _ in range(12):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[:3] == pytest.approx([1.0, 2.0, 2.0])
    assert all(a >= b for a, b in itertools.pairwise(lrs[2:]))
    assert lrs[10] == pytest.approx(0.2) and lrs[11] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="warmup"):
        warmup_cosine(opt, steps=10, warmup=10)


def test_early_stopping_stops_after_patience_and_restores_best() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # weights never change: eval fully scripted
    scripted = iter([3.0, 1.0, 2.0, 2.5, 0.5])
    seen = []

    def eval_fn(m: torch.nn.Module) -> float:
        assert not m.training and not torch.is_grad_enabled()
        seen.append(m.weight.detach().clone())
        return next(scripted)

    result = train(
        model, mse, lambda i: (X, Y), 100, opt, eval_fn=eval_fn, eval_every=10, patience=2,
        restore_best=True, progress=False,
    )  # fmt: skip
    assert result.stopped == "early_stopping" and result.steps == 40
    assert result.best_eval == 1.0 and result.best_step == 20
    assert result.history["eval_step"] == [10, 20, 30, 40]
    assert model.training


def test_restore_best_loads_the_best_weights() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    snapshots = {}
    values = iter([1.0, 0.5, 0.7, 0.9])

    def eval_fn(m: torch.nn.Module) -> float:
        value = next(values)
        snapshots[value] = m.weight.detach().clone()
        return value

    train(
        model, mse, lambda i: (X, Y), 40, opt, eval_fn=eval_fn, eval_every=10,
        restore_best=True, progress=False,
    )  # fmt: skip
    assert torch.equal(model.weight.detach(), snapshots[0.5])
    assert not torch.equal(snapshots[0.5], snapshots[0.9])


class Noisy(torch.nn.Module):
    """A small model whose training uses torch's RNG (dropout)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2, 8), torch.nn.Dropout(0.3), torch.nn.Linear(8, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _run(steps: int, path: Path, resume: bool, init_seed: int) -> tuple[Noisy, object]:
    torch.manual_seed(init_seed)
    model = Noisy().double()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = warmup_cosine(opt, steps=12, warmup=3)

    def batches(i: int) -> tuple[torch.Tensor, torch.Tensor]:
        # draws from numpy's and Python's global generators on purpose: resume must restore them
        idx = torch.from_numpy(np.random.permutation(16)[:8])  # noqa: NPY002
        return X[idx] + 0.01 * torch.randn(8, 2, dtype=torch.float64), Y[idx]

    result = train(
        model, mse, batches, steps, opt, clip=1.0, scheduler=sched,
        eval_fn=lambda m: float(mse(m, (X, Y))), eval_every=4, patience=50,
        checkpoint=path, resume=resume, extra={"note": "test"}, progress=False,
    )  # fmt: skip
    return model, result


def test_resume_from_checkpoint_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    rnncore.set_seed(7)
    full_model, full = _run(12, tmp_path / "full.pt", resume=False, init_seed=1)

    rnncore.set_seed(7)
    _run(8, tmp_path / "part.pt", resume=False, init_seed=1)  # "interrupted" after step 8
    rnncore.set_seed(999)  # a different process state: everything must come from the checkpoint
    resumed_model, resumed = _run(12, tmp_path / "part.pt", resume=True, init_seed=2)

    for (name, a), (_, b) in zip(
        full_model.state_dict().items(), resumed_model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name
    assert resumed.history == full.history
    assert (resumed.best_eval, resumed.best_step) == (full.best_eval, full.best_step)
    state = load_checkpoint(tmp_path / "part.pt")
    assert state["step"] == 12 and state["extra"] == {"note": "test"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.pt", "part.pt"]  # no temp files


def test_max_seconds_is_a_safety_net() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    result = train(model, mse, lambda i: (X, Y), 1000, opt, max_seconds=1e-9, progress=False)
    assert result.stopped == "max_seconds" and result.steps == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 0}, ValueError, "steps must be a positive int"),
        ({"clip": 0.0}, ValueError, "clip must be a positive number"),
        ({"patience": 3}, ValueError, "patience needs eval_fn"),
        ({"restore_best": True}, ValueError, "restore_best needs eval_fn"),
        ({"resume": True}, ValueError, "resume=True needs checkpoint"),
        ({"eval_every": -1}, ValueError, "eval_every must be a positive int"),
        ({"batches": 5}, TypeError, "batches must be a function"),
        ({"model": "net"}, TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_train_rejects_bad_arguments(kwargs: dict, error: type, match: str) -> None:
    model = linear()
    args = {"model": model, "loss_fn": mse, "batches": lambda i: (X, Y), "steps": 3}
    args["optimizer"] = torch.optim.SGD(model.parameters(), lr=0.1)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        train(**args, progress=False)


def test_train_refuses_nan_and_non_scalar_losses() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(FloatingPointError, match="at step 1"):
        train(model, lambda m, b: mse(m, b) * math.nan, lambda i: (X, Y), 3, opt, progress=False)
    with pytest.raises(TypeError, match="scalar tensor"):
        train(model, lambda m, b: m(b[0]), lambda i: (X, Y), 3, opt, progress=False)


def _saved_steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the step of every checkpoint train() writes, without changing what it writes."""
    steps: list[int] = []
    save = Checkpointer.save

    def recording_save(self: Checkpointer, step: int, *args: object) -> Path:
        steps.append(step)
        return save(self, step, *args)

    monkeypatch.setattr(Checkpointer, "save", recording_save)
    return steps


@pytest.mark.parametrize(
    ("kwargs", "saved"),
    [
        ({}, [10]),  # only at the end
        ({"eval_every": 4}, [4, 8, 10]),  # checkpoint_every defaults to eval_every
        ({"eval_every": 4, "checkpoint_every": 5}, [5, 10]),
        ({"checkpoint_every": 3, "max_seconds": 1e-9}, [1]),  # and whenever the run stops
    ],
)
def test_checkpoints_are_written_every_checkpoint_every_steps_and_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict, saved: list[int]
) -> None:
    steps = _saved_steps(monkeypatch)
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    eval_fn = (lambda m: float(mse(m, (X, Y)))) if "eval_every" in kwargs else None
    train(
        model, mse, lambda i: (X, Y), 10, opt, eval_fn=eval_fn, checkpoint=tmp_path / "c.pt",
        progress=False, **kwargs,
    )  # fmt: skip
    assert steps == saved


def test_the_step_that_crosses_max_seconds_is_evaluated_and_checkpointed(tmp_path: Path) -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    result = train(
        model, mse, lambda i: (X, Y), 10, opt, eval_fn=lambda m: float(mse(m, (X, Y))),
        eval_every=5, checkpoint=tmp_path / "c.pt", max_seconds=1e-9, progress=False,
    )  # fmt: skip
    assert result.stopped == "max_seconds" and result.history["eval_step"] == [1]
    state = load_checkpoint(tmp_path / "c.pt")
    assert state["step"] == 1 and state["best_step"] == 1 and state["history"] == result.history


def test_history_has_one_entry_per_step_and_per_evaluation() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    result = train(
        model, mse, lambda i: (X, Y), 3, opt, scheduler=sched,
        eval_fn=lambda m: float(mse(m, (X, Y))), eval_every=2, progress=False,
    )  # fmt: skip
    assert list(result.history) == ["step", "loss", "grad_norm", "lr", "eval_step", "eval_loss"]
    assert result.history["lr"] == pytest.approx([0.1, 0.05, 0.025])  # the rate each step used
    assert result.history["eval_step"] == [2, 3]
    assert result.best_eval == min(result.history["eval_loss"])


def test_clip_grad_norm_returns_the_norm_before_clipping() -> None:
    model = linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    mse(model, (X, Y * 100)).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    norm = float(torch.linalg.norm(torch.cat([g.flatten() for g in grads])))
    assert clip_grad_norm(opt, None) == pytest.approx(norm)  # None measures only
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads, strict=True))
    assert clip_grad_norm(opt, 1.0) == pytest.approx(norm)
    assert clip_grad_norm(opt, None) == pytest.approx(1.0, rel=1e-5)


def test_the_package_exports_the_loop_lazily() -> None:
    import subprocess
    import sys

    import rnncore.training as training
    from rnncore.training import loop, schedules

    assert training.train is loop.train and training.TrainResult is loop.TrainResult
    assert training.warmup_cosine is schedules.warmup_cosine is loop.warmup_cosine
    with pytest.raises(AttributeError, match="no attribute 'fit'"):
        training.fit  # noqa: B018
    code = "import sys, rnncore.training.metrics; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
