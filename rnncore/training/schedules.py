"""Learning-rate schedules for the training loop, stepped once per optimizer step.

:func:`warmup_cosine` raises the rate linearly for a few steps, as the "gradual warmup" of Goyal et
al. (2017, "Accurate, large minibatch SGD: training ImageNet in 1 hour") does, then lowers it along
half a cosine (Loshchilov & Hutter, 2017, "SGDR: stochastic gradient descent with warm restarts",
Eq. 5, without restarts). It returns a plain ``torch.optim.lr_scheduler.LambdaLR``, so it saves and
resumes with the optimizer like any torch scheduler.
"""

from __future__ import annotations

import math

import torch

from rnncore.utils import check_positive_int

__all__ = ["warmup_cosine"]


def warmup_cosine(
    optimizer: torch.optim.Optimizer, steps: int, warmup: int = 0, final_ratio: float = 0.1
) -> torch.optim.lr_scheduler.LambdaLR:
    """Return a scheduler: linear warm-up for ``warmup`` steps, then cosine decay.

    The multiplier of the optimizer's learning rate is ``(i + 1) / warmup`` during warm-up and falls
    along half a cosine from 1 to ``final_ratio`` at step ``steps`` (Loshchilov & Hutter, 2017,
    SGDR, Eq. 5, without restarts). Step it once per training step, as
    :func:`~rnncore.training.loop.train` does.
    """
    check_positive_int(steps, "steps")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or not 0 <= warmup < steps:
        raise ValueError(f"warmup must be an int in [0, steps={steps}), got {warmup!r}")
    if not 0.0 <= final_ratio <= 1.0:
        raise ValueError(f"final_ratio must be in [0, 1], got {final_ratio!r}")

    def factor(i: int) -> float:
        if i < warmup:
            return (i + 1) / warmup
        progress = min(1.0, (i - warmup) / max(1, steps - warmup))
        return final_ratio + (1.0 - final_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
