"""Bad arguments to the cell functions of every cell: each error names the argument, what was
expected and what came (rnncore.nn.validate), on the step functions and on both sequence paths."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.nn import gru, lstm, rnn
from rnncore.nn.cells import CELLS

MODULES = {"rnn": rnn, "lstm": lstm, "gru": gru}
PATHS = {"steps": ("forward_steps", "backward_steps"), "fast": ("forward", "backward")}
D, H = 3, 4


def fn(name: str, suffix: str):
    return getattr(MODULES[name], f"{name}_{suffix}")


def weights(name: str) -> dict:
    rng = np.random.default_rng(0)
    G = CELLS[name].blocks
    w = {"weight_ih": rng.normal(size=(G * H, D)), "weight_hh": rng.normal(size=(G * H, H))}
    return {**w, "bias_ih": rng.normal(size=G * H), "bias_hh": rng.normal(size=G * H)}


def weight_cases(name: str) -> list:
    G = CELLS[name].blocks
    shape = rf"must have shape \({G}\*H"
    cases = [
        ({"weight_hh": np.zeros((G * H, 5))}, ValueError, rf"weight_hh {shape}, H\)"),
        ({"weight_hh": np.zeros((G * H - 1, H))}, ValueError, rf"= \({G * H}, {H}\), got"),
        ({"weight_hh": np.zeros(G * H)}, ValueError, "weight_hh must have 2 dimensions"),
        ({"weight_ih": np.zeros((G * H + 1, D))}, ValueError, rf"weight_ih {shape}, D\)"),
        ({"weight_ih": np.zeros((G * H, D), dtype=int)}, TypeError, "weight_ih must be a floa"),
        ({"weight_hh": np.full((G * H, H), np.inf)}, ValueError, "weight_hh must be finite"),
        ({"bias_ih": None}, ValueError, "bias_ih and bias_hh must both be arrays or both be"),
        ({"bias_hh": np.zeros(3)}, ValueError, rf"bias_hh {shape},\) = \({G * H},\)"),
        ({"bias_ih": np.zeros((G, H))}, ValueError, rf"bias_ih {shape},\) = \({G * H},\)"),
    ]
    if name == "rnn":
        cases.append(({"nonlinearity": "sigmoid"}, ValueError, "nonlinearity must be 'tanh' or"))
    return cases


def state_cases(names: list[str], B: int = 2) -> list:
    cases = []
    for s in names:
        shape = rf"{s} must have shape \(B, H\) = \({B}, 4\)"
        cases += [
            ({s: np.zeros((B, 5))}, ValueError, shape),
            ({s: np.zeros((B + 1, 4))}, ValueError, shape),
            ({s: np.zeros(4)}, ValueError, shape + r", got \(4,\)"),
            ({s: np.full((B, 4), np.nan)}, ValueError, f"{s} must be finite"),
            ({s: np.full((B, 4), np.inf)}, ValueError, f"{s} must be finite"),
            ({s: np.zeros((B, 4), dtype=int)}, TypeError, f"{s} must be a floating-point array"),
        ]
    return cases


def step_cases(name: str) -> list:
    states = [s + "_prev" for s in CELLS[name].states]
    shape = r"x must have shape \(B, D\) with B>0 and D=3, got"
    return [
        ({"x": np.zeros((2, 5))}, ValueError, shape + r" \(2, 5\)"),
        ({"x": np.zeros(3)}, ValueError, shape + r" \(3,\)"),
        ({"x": np.zeros((0, 3))}, ValueError, shape + r" \(0, 3\)"),
        *(
            ({"x": np.zeros((2, 3), dtype=t)}, TypeError, "x must be a floating-point array")
            for t in (int, bool, object)
        ),
        ({"x": np.full((2, 3), np.nan)}, ValueError, "x must be finite, got 6 NaN/inf"),
        *state_cases(states),
        *weight_cases(name),
    ]


def sequence_cases(name: str) -> list:
    states = [s + "0" for s in CELLS[name].states]
    shape = r"x must have shape \(T, B, D\) with D=3, got"
    empty = r"x must have T>0 time steps and B>0 sequences, got"
    return [
        ({"x": np.zeros((2, 3))}, ValueError, shape + r" \(2, 3\)"),
        ({"x": np.zeros((2, 2, 2))}, ValueError, shape + r" \(2, 2, 2\)"),
        ({"x": np.zeros((0, 2, 3))}, ValueError, empty + r" \(0, 2, 3\)"),
        ({"x": np.zeros((2, 0, 3))}, ValueError, empty + r" \(2, 0, 3\)"),
        ({"x": np.zeros((2, 2, 3), dtype=int)}, TypeError, "x must be a floating-point array"),
        ({"x": np.full((2, 2, 3), np.inf)}, ValueError, "x must be finite"),
        *state_cases(states),
        *weight_cases(name),
    ]


def ids(cases: list) -> list[str]:
    return [f"{name}-{next(iter(over))}-{k}" for k, (name, over, *_) in enumerate(cases)]


STEP = [(name, *case) for name in CELLS for case in step_cases(name)]
SEQUENCE = [(name, *case) for name in CELLS for case in sequence_cases(name)]


@pytest.mark.parametrize("name,over,err,match", STEP, ids=ids(STEP))
def test_step_forward_errors(name: str, over: dict, err: type, match: str) -> None:
    args = {"x": np.zeros((2, 3)), **{s + "_prev": np.zeros((2, 4)) for s in CELLS[name].states}}
    args.update(weights(name))
    with pytest.raises(err, match=match):
        fn(name, "step_forward")(**{**args, **over})


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("name,over,err,match", SEQUENCE, ids=ids(SEQUENCE))
def test_sequence_forward_errors(path: str, name: str, over: dict, err: type, match: str):
    args = {"x": np.zeros((2, 2, 3)), **{s + "0": None for s in CELLS[name].states}}
    args.update(weights(name))
    with pytest.raises(err, match=match):
        fn(name, PATHS[path][0])(**{**args, **over})


def _forward(name: str, path: str) -> dict:
    out = fn(name, PATHS[path][0])(
        np.zeros((2, 2, 3)), *[None] * len(CELLS[name].states), **weights(name)
    )
    return out[-1]  # fmt: skip


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("name", list(CELLS))
def test_backward_errors(path: str, name: str) -> None:
    cache, backward = _forward(name, path), fn(name, PATHS[path][1])
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(2, 2, 4\), got"):
        backward(np.zeros((2, 2, 5)), cache)
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(2, 2, 4\)"):
        backward(np.zeros((1, 2, 4)), cache)
    with pytest.raises(TypeError, match="dh must be a floating-point array, got dtype int64"):
        backward(np.zeros((2, 2, 4), dtype=np.int64), cache)
    with pytest.raises(ValueError, match="dh must be finite"):
        backward(np.full((2, 2, 4), np.nan), cache)
    for s in CELLS[name].states:
        with pytest.raises(ValueError, match=rf"d{s}_n must have shape \(B, H\) = \(2, 4\)"):
            backward(None, cache, **{f"d{s}_n": np.zeros(4)})
        with pytest.raises(ValueError, match=rf"d{s}_n must have shape \(B, H\) = \(2, 4\)"):
            backward(None, cache, **{f"d{s}_n": np.zeros((2, 2, 4))})
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="truncate must be None or a positive int"):
            backward(None, cache, truncate=bad)
    with pytest.raises(TypeError, match=r"truncate_offset must be an int, got 0\.5"):
        backward(None, cache, truncate=2, truncate_offset=0.5)


@pytest.mark.parametrize("name", list(CELLS))
def test_step_backward_errors(name: str) -> None:
    states = [np.zeros((2, 4)) for _ in CELLS[name].states]
    *_, cache = fn(name, "step_forward")(np.zeros((2, 3)), *states, **weights(name))
    backward = fn(name, "step_backward")
    nones = {f"d{s}_next": None for s in CELLS[name].states}
    for s in CELLS[name].states:
        with pytest.raises(ValueError, match=rf"d{s}_next must have shape \(B, H\) = \(2, 4\)"):
            backward(**{**nones, f"d{s}_next": np.zeros((3, 4))}, cache=cache)
        with pytest.raises(ValueError, match=rf"d{s}_next must have shape \(B, H\) = \(2, 4\)"):
            backward(**{**nones, f"d{s}_next": np.zeros((2, 3))}, cache=cache)
        with pytest.raises(ValueError, match=f"d{s}_next must be finite"):
            backward(**{**nones, f"d{s}_next": np.full((2, 4), np.nan)}, cache=cache)
