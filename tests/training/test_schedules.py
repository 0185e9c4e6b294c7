"""rnncore.training.schedules: warm-up and cosine decay (its shape is tested in test_loop.py)."""

from __future__ import annotations

import math

import pytest
import torch

from rnncore.training.schedules import warmup_cosine


def rates(warmup: int, final_ratio: float, n: int) -> list[float]:
    opt = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    sched = warmup_cosine(opt, steps=8, warmup=warmup, final_ratio=final_ratio)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def test_without_warmup_the_rate_is_half_a_cosine_from_1_to_final_ratio() -> None:
    expected = [0.5 + 0.5 * (0.5 * (1 + math.cos(math.pi * i / 8))) for i in range(9)]
    assert rates(0, 0.5, 9) == pytest.approx(expected)


def test_the_scheduler_state_resumes_the_schedule() -> None:
    opt = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    sched = warmup_cosine(opt, steps=8, warmup=2)
    for _ in range(5):
        opt.step()
        sched.step()
    again = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    resumed = warmup_cosine(again, steps=8, warmup=2)
    resumed.load_state_dict(sched.state_dict())  # the position in the schedule, not the rate
    again.step()
    resumed.step()
    assert again.param_groups[0]["lr"] == pytest.approx(rates(2, 0.1, 7)[6])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": 0}, "steps must be a positive int"),
        ({"warmup": -1}, "warmup must be an int in"),
        ({"warmup": 1.5}, "warmup must be an int in"),
        ({"final_ratio": 1.5}, "final_ratio must be in"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, match: str) -> None:
    opt = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    with pytest.raises(ValueError, match=match):
        warmup_cosine(opt, **{"steps": 8, **kwargs})
