"""A trainable selective SSM (Mamba's S6) in torch: Delta, B and C computed from the input.

The torch twin of :mod:`rnncore.nn.selective` (tested equal in float64). With D channels and N
state units per channel, A = -exp(A_log) (D, N) and, at every step,

    Delta_t = softplus(W_delta x_t + b_delta),  B_t = W_B x_t,  C_t = W_C x_t,
    h_t = exp(Delta_t A) * h_{t-1} + Delta_t B_t x_t,   y_t = C_t . h_t + D * x_t.

The decay changes with t, so there is no convolution kernel: the layer trains through the scan
of :func:`rnncore.models.scan.linear_recurrence_torch` over all D N state numbers at once.

Source: Gu & Dao (2023), "Mamba: linear-time sequence modeling with selective state spaces",
arXiv:2312.00752, Algorithm 2; the S4D-Real initialisation A[d, n] = -(n + 1).

Shapes: T time steps, B batch, D channels, N state units.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnncore.models.scan import linear_recurrence_torch
from rnncore.models.ssm import check_sequence, draw_seed
from rnncore.nn.selective import s6_init
from rnncore.utils import check_positive_int

__all__ = ["SelectiveSSM"]


class SelectiveSSM(nn.Module):
    """S6: a diagonal SSM whose step Delta, input map B and read-out C depend on x_t.

    ``forward(x, method="parallel")``: x (T, B, D) -> y (T, B, D). ``selection(x)`` returns
    the (Delta, B, C) the layer would use, for inspection.
    """

    def __init__(
        self,
        d_model: int,
        d_state: int,
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.d_state = check_positive_int(d_state, "d_state")
        p = s6_init(d_model, d_state, dt_min, dt_max, seed=draw_seed(seed))
        self.delta_proj = nn.Linear(d_model, d_model)  # Delta_t: skip (small) or write (large)
        self.B_proj = nn.Linear(d_model, d_state, bias=False)  # B_t: where in the state to write
        self.C_proj = nn.Linear(d_model, d_state, bias=False)  # C_t: what to read out of it
        with torch.no_grad():
            self.delta_proj.weight.copy_(torch.from_numpy(p["W_delta"]))
            self.delta_proj.bias.copy_(torch.from_numpy(p["b_delta"]))
            self.B_proj.weight.copy_(torch.from_numpy(p["W_B"]))
            self.C_proj.weight.copy_(torch.from_numpy(p["W_C"]))
        self.A_log = nn.Parameter(torch.from_numpy(p["A_log"]).float())
        self.D = nn.Parameter(torch.from_numpy(p["D"]).float())

    def selection(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Delta (T, B, D) > 0, B (T, B, N), C (T, B, N): the input-dependent coefficients."""
        x = check_sequence(x, self.d_model)
        return F.softplus(self.delta_proj(x)), self.B_proj(x), self.C_proj(x)

    def forward(self, x: torch.Tensor, method: str = "parallel") -> torch.Tensor:
        delta, B, C = self.selection(x)
        T, Bsz, D = x.shape
        N = self.d_state
        decay = torch.exp(delta[..., None] * -torch.exp(self.A_log))  # (T, B, D, N)
        write = (delta * x)[..., None] * B[:, :, None, :]
        h = linear_recurrence_torch(
            decay.reshape(T, Bsz, D * N), write.reshape(T, Bsz, D * N), method=method
        ).reshape(T, Bsz, D, N)
        return torch.einsum("tbdn,tbn->tbd", h, C) + self.D * x

    def numpy_params(self) -> dict[str, np.ndarray]:
        """The parameters as :func:`rnncore.nn.selective.selective_ssm` takes them."""

        def arr(t: torch.Tensor) -> np.ndarray:
            return t.detach().cpu().numpy()

        return {
            "W_delta": arr(self.delta_proj.weight),
            "b_delta": arr(self.delta_proj.bias),
            "W_B": arr(self.B_proj.weight),
            "W_C": arr(self.C_proj.weight),
            "A_log": arr(self.A_log),
            "D": arr(self.D),
        }
