from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.nn.optim import SGD, Adam, Momentum, clip_grad_norm

SHAPES = {"weight": (4, 3), "bias": (4,)}


def make(seed: int = 0) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """Parameters and a sequence of five gradient dicts (random, so every step differs)."""
    rng = np.random.default_rng(seed)
    params = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    grads = [{k: rng.standard_normal(s) for k, s in SHAPES.items()} for _ in range(5)]
    return params, grads


def run_torch(
    params: dict[str, np.ndarray], grads: list[dict[str, np.ndarray]], make_opt
) -> list[dict[str, np.ndarray]]:
    """The same updates with a torch optimiser, returning the parameters after every step."""
    tparams = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()
    }
    opt = make_opt(list(tparams.values()))
    history = []
    for g in grads:
        for k, p in tparams.items():
            p.grad = torch.from_numpy(g[k].copy())
        opt.step()
        history.append({k: p.detach().numpy().copy() for k, p in tparams.items()})
    return history


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda p: SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (
            lambda p: Momentum(p, lr=0.1, momentum=0.9),
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        ),
        (
            lambda p: Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6),
            lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6),
        ),
        (lambda p: Adam(p), lambda p: torch.optim.Adam(p)),
    ],
    ids=["sgd", "momentum", "adam", "adam-defaults"],
)
def test_step_by_step_equal_to_torch(ours, theirs) -> None:
    params, grads = make()
    expected = run_torch(params, grads, theirs)
    opt = ours(params)
    for step, g in enumerate(grads):
        opt.step(g)
        for k in params:
            np.testing.assert_allclose(params[k], expected[step][k], rtol=1e-13, atol=1e-15)
    assert opt.t == len(grads)


def test_updates_are_in_place_and_ignore_extra_keys() -> None:
    params, grads = make()
    weight = params["weight"]
    before = weight.copy()
    SGD(params, lr=0.5).step({**grads[0], "input": np.zeros(7)})
    assert params["weight"] is weight
    np.testing.assert_allclose(weight, before - 0.5 * grads[0]["weight"])


def test_momentum_equals_polyak_heavy_ball_form() -> None:
    params, grads = make()
    polyak = {k: v.copy() for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    opt = Momentum(params, lr=0.05, momentum=0.7)
    for g in grads:
        opt.step(g)
        for k in polyak:  # v <- mu v - lr g; p <- p + v
            velocity[k] = 0.7 * velocity[k] - 0.05 * g[k]
            polyak[k] += velocity[k]
    for k in params:
        np.testing.assert_allclose(params[k], polyak[k], rtol=1e-12)


def test_adam_first_step_moves_each_entry_by_about_lr() -> None:
    # bias correction makes the first step lr * g / (|g| + eps), i.e. lr in size for each entry
    params, grads = make()
    before = {k: v.copy() for k, v in params.items()}
    Adam(params, lr=0.01).step(grads[0])
    for k in params:
        np.testing.assert_allclose(np.abs(params[k] - before[k]), 0.01, rtol=1e-6)


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
def test_clip_grad_norm_matches_torch(max_norm: float) -> None:
    _, grads = make()
    g = grads[0]
    tparams = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in SHAPES.values()]
    for p, k in zip(tparams, SHAPES, strict=True):
        p.grad = torch.from_numpy(g[k].copy())
    ref = torch.nn.utils.clip_grad_norm_(tparams, max_norm)
    total = clip_grad_norm(g, max_norm)
    assert abs(total - ref.item()) < 1e-13
    for p, k in zip(tparams, SHAPES, strict=True):
        np.testing.assert_allclose(g[k], p.grad.numpy(), rtol=1e-14)
    norm_after = np.sqrt(sum(np.sum(v * v) for v in g.values()))
    assert norm_after <= max_norm + 1e-9
    if total <= max_norm:
        assert norm_after == pytest.approx(total)


def test_clip_grad_norm_skips_none() -> None:
    g = {"a": np.array([3.0, 4.0]), "b": None}
    assert clip_grad_norm(g, 1.0) == 5.0
    np.testing.assert_allclose(g["a"], [0.6, 0.8], rtol=1e-6)


def test_errors() -> None:
    params, grads = make()
    with pytest.raises(ValueError, match=r"lr must be a positive float, got -0\.1"):
        SGD(params, lr=-0.1)
    with pytest.raises(ValueError, match=r"momentum must be a float in \[0, 1\), got 1.0"):
        Momentum(params, lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match=r"betas\[1\] must be a float in \[0, 1\), got 1.5"):
        Adam(params, betas=(0.9, 1.5))
    with pytest.raises(ValueError, match=r"betas must be a pair \(beta1, beta2\), got 0.9"):
        Adam(params, betas=0.9)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="eps must be a positive float, got 0"):
        Adam(params, eps=0)
    with pytest.raises(TypeError, match="params must be a non-empty dict of numpy arrays"):
        SGD({}, lr=0.1)
    with pytest.raises(TypeError, match=r"params\['w'\] must be a float numpy array, got int64"):
        SGD({"w": np.zeros(3, dtype=np.int64)}, lr=0.1)
    opt = SGD(params, lr=0.1)
    with pytest.raises(KeyError, match="grads has no gradient for parameter 'bias'"):
        opt.step({"weight": grads[0]["weight"]})
    with pytest.raises(ValueError, match=r"grads\['bias'\] must have shape \(4,\), got \(3,\)"):
        opt.step({"weight": grads[0]["weight"], "bias": np.zeros(3)})
    with pytest.raises(ValueError, match=r"grads\['bias'\] must be finite"):
        opt.step({"weight": grads[0]["weight"], "bias": np.full(4, np.nan)})
    with pytest.raises(ValueError, match="max_norm must be a positive float, got 0"):
        clip_grad_norm(grads[0], 0)
    with pytest.raises(TypeError, match="grads must be a dict of numpy arrays, got list"):
        clip_grad_norm([np.zeros(3)], 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"grads\['a'\] must be a float numpy array, got list"):
        clip_grad_norm({"a": [1.0]}, 1.0)  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="grads must be finite"):
        clip_grad_norm({"a": np.array([np.inf])}, 1.0)
