"""rnncore.training.early_stopping: evaluation without gradients, the best result, patience."""

from __future__ import annotations

import pytest
import torch

from rnncore.training.early_stopping import EarlyStopping, evaluate


def linear() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Linear(2, 1).double()


def test_evaluate_runs_in_eval_mode_without_gradients_and_restores_the_mode() -> None:
    model = linear()

    def eval_fn(m: torch.nn.Module) -> torch.Tensor:
        assert not m.training and not torch.is_grad_enabled()
        return m(torch.ones(3, 2, dtype=torch.float64)).sum()

    assert isinstance(evaluate(model, eval_fn), float) and model.training
    model.eval()
    evaluate(model, eval_fn)
    assert not model.training  # the mode found is the mode left


def test_evaluate_restores_the_mode_when_eval_fn_raises_and_refuses_nan() -> None:
    model = linear()

    def broken(m: torch.nn.Module) -> float:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        evaluate(model, broken)
    assert model.training
    with pytest.raises(FloatingPointError, match="eval_fn returned NaN"):
        evaluate(model, lambda m: float("nan"))


def test_early_stopping_counts_evaluations_without_a_new_best() -> None:
    model = linear()
    stopper = EarlyStopping(patience=2)
    decisions = [stopper.update(v, step, model) for step, v in enumerate([3.0, 1.0, 2.0, 1.0], 1)]
    assert decisions == [False, False, False, True]  # an equal value is not a new best
    assert (stopper.best_eval, stopper.best_step, stopper.bad_evals) == (1.0, 2, 2)
    assert stopper.best_state is None  # weights are copied only with restore_best
    assert not any(EarlyStopping().update(v, 1, model) for v in [1.0, 2.0, 3.0, 4.0])


def test_restore_loads_a_copy_of_the_best_weights() -> None:
    model = linear()
    stopper = EarlyStopping(restore_best=True)
    stopper.update(1.0, 1, model)
    best = model.weight.detach().clone()
    with torch.no_grad():
        model.weight.add_(1.0)  # later training moves the weights; the copy must not follow
    stopper.update(2.0, 2, model)
    stopper.restore(model)
    assert torch.equal(model.weight.detach(), best)
    EarlyStopping().restore(model)  # nothing kept, nothing loaded


def test_state_dict_round_trip_continues_the_count() -> None:
    model = linear()
    first = EarlyStopping(patience=3, restore_best=True)
    for step, value in enumerate([2.0, 1.0, 1.5], 1):
        first.update(value, step, model)
    second = EarlyStopping(patience=3, restore_best=True)
    second.load_state_dict({**first.state_dict(), "step": 3})  # other checkpoint keys are ignored
    assert second.state_dict().keys() == {"best_eval", "best_step", "best_state", "bad_evals"}
    assert (second.best_eval, second.best_step, second.bad_evals) == (1.0, 2, 1)
    assert [second.update(9.0, s, model) for s in (4, 5)] == [False, True]


def test_patience_must_be_a_positive_int() -> None:
    with pytest.raises(ValueError, match="patience must be a positive int"):
        EarlyStopping(patience=0)
