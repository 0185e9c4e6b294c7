"""Trainable linear time-invariant recurrences in torch: a diagonal SSM (S4D) and the LRU.

Torch twins of :mod:`rnncore.nn.ssm` and :mod:`rnncore.nn.lru` (tested equal in float64). Both
map a sequence x (T, B, D) to y (T, B, D) through a complex diagonal state whose decays do not
depend on the input, so the same layer can run as a convolution (S4D: ``mode="conv"``, an FFT of
the kernel, how S4 trains) or as a recurrence (``mode="scan"``, how it generates, and how S5 and
the LRU train).

Sources
-------
- Gu, Gupta, Goel & Re (2022), NeurIPS (S4D): A = -exp(A_re_log) + i A_im, log Delta trained,
  ZOH discretisation, the kernel K_j = Re(sum_n C_n Abar_n^j Bbar_n).
- Orvieto et al. (2023), ICML (LRU): lambda = exp(-exp(nu_log) + i exp(theta_log)),
  gamma = exp(gamma_log) initialised to sqrt(1 - |lambda|^2), ring initialisation.

Shapes: T time steps, B batch, D channels (features), N state units.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from rnncore.models.scan import linear_recurrence_torch
from rnncore.nn.lru import lru_init
from rnncore.nn.ssm import s4d_init
from rnncore.utils import check_positive_int

__all__ = ["LRU", "DiagonalSSM", "check_sequence", "draw_seed"]


def check_sequence(x: object, D: int, name: str = "x") -> torch.Tensor:
    """Return ``x`` if it is a floating-point tensor of shape (T, B, D) with T > 0, else raise."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        what = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise TypeError(f"{name} must be a floating-point torch tensor, got {what}")
    if x.ndim != 3 or x.shape[-1] != D:
        raise ValueError(f"{name} must have shape (T, B, D) with D={D}, got {tuple(x.shape)}")
    if x.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one time step, got T=0")
    return x


def draw_seed(seed: int | None) -> int:
    """A seed for the numpy initialisers: drawn from torch's generator when None (set_seed)."""
    return int(torch.randint(0, 2**31 - 1, ()).item()) if seed is None else int(seed)


def _complex_param(z: np.ndarray) -> nn.Parameter:
    return nn.Parameter(torch.view_as_real(torch.from_numpy(np.ascontiguousarray(z))).float())


class DiagonalSSM(nn.Module):
    """S4D: D independent single-input single-output SSMs with a complex diagonal A of size N.

    ``forward(x, mode="conv")`` computes y (T, B, D) as a causal convolution with the kernel
    (FFT); ``mode="scan"`` runs the discretised recurrence. They agree to rounding.
    """

    def __init__(
        self,
        d_model: int,
        d_state: int,
        init: str = "lin",
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.d_state = check_positive_int(d_state, "d_state")
        p = s4d_init(d_model, d_state, init, dt_min, dt_max, seed=draw_seed(seed))
        self.log_dt = nn.Parameter(torch.from_numpy(np.log(p["dt"])).float())
        self.A_re_log = nn.Parameter(torch.from_numpy(np.log(-p["A"].real)).float())
        self.A_im = nn.Parameter(torch.from_numpy(p["A"].imag.copy()).float())
        self.B = _complex_param(p["B"])
        self.C = _complex_param(p["C"])
        self.D = nn.Parameter(torch.from_numpy(p["D"]).float())

    def continuous(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """A, B (D, N) complex and Delta (D,): the continuous model's parameters."""
        A = torch.complex(-torch.exp(self.A_re_log), self.A_im)
        return A, torch.view_as_complex(self.B), torch.exp(self.log_dt)

    def discrete(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Zero-order hold: Abar = exp(Delta A), Bbar = (Abar - 1) / A * B, both (D, N)."""
        A, B, dt = self.continuous()
        dtA = dt[:, None] * A
        return torch.exp(dtA), torch.expm1(dtA) / A * B

    def kernel(self, T: int) -> torch.Tensor:
        """K_j = Re(sum_n C_n Abar_n^j Bbar_n), j < T: (T, D) real."""
        A, _, dt = self.continuous()
        _, B_bar = self.discrete()
        j = torch.arange(T, dtype=self.A_re_log.dtype, device=A.device)
        powers = torch.exp(j[:, None, None] * (dt[:, None] * A)[None])  # Abar^j, (T, D, N)
        return torch.einsum("tdn,dn->td", powers, torch.view_as_complex(self.C) * B_bar).real

    def forward(self, x: torch.Tensor, mode: str = "conv") -> torch.Tensor:
        x = check_sequence(x, self.d_model)
        T, Bsz, D = x.shape
        if mode == "conv":
            n = 2 * T  # zero-padding: linear, not circular, convolution
            K = self.kernel(T)
            spec = torch.fft.rfft(x, n=n, dim=0) * torch.fft.rfft(K, n=n, dim=0)[:, None]
            y = torch.fft.irfft(spec, n=n, dim=0)[:T]
        elif mode == "scan":
            A_bar, B_bar = self.discrete()
            N = self.d_state
            a = A_bar.reshape(1, 1, D * N).expand(T, Bsz, D * N)
            b = (x[..., None] * B_bar).reshape(T, Bsz, D * N)
            h = linear_recurrence_torch(a, b).reshape(T, Bsz, D, N)
            y = torch.einsum("tbdn,dn->tbd", h, torch.view_as_complex(self.C)).real
        else:
            raise ValueError(f"mode must be 'conv' or 'scan', got {mode!r}")
        return y + self.D * x

    def numpy_params(self) -> dict[str, np.ndarray]:
        """The parameters as :func:`rnncore.nn.ssm.discretize_zoh` and friends take them."""
        A, B, dt = (t.detach().cpu().numpy() for t in self.continuous())
        C = torch.view_as_complex(self.C).detach().cpu().numpy()
        return {"A": A, "B": B, "C": C, "dt": dt, "D": self.D.detach().cpu().numpy()}


class LRU(nn.Module):
    """The Linear Recurrent Unit: h_t = lambda h_{t-1} + gamma (B x_t), y_t = Re(C h_t) + D x_t.

    ``forward(x, method="parallel")``: x (T, B, D) -> y (T, B, D); ``eigenvalues()`` returns the
    N complex lambda, inside the unit disc by construction.
    """

    def __init__(
        self,
        d_model: int,
        d_state: int,
        r_min: float = 0.0,
        r_max: float = 1.0,
        max_phase: float = 2 * math.pi,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.d_state = check_positive_int(d_state, "d_state")
        p = lru_init(d_model, d_state, r_min, r_max, max_phase, seed=draw_seed(seed))
        for name in ("nu_log", "theta_log", "gamma_log", "D"):
            setattr(self, name, nn.Parameter(torch.from_numpy(p[name]).float()))
        self.B = _complex_param(p["B"])
        self.C = _complex_param(p["C"])

    def eigenvalues(self) -> torch.Tensor:
        """lambda = exp(-exp(nu_log) + i exp(theta_log)): (N,) complex."""
        return torch.exp(torch.complex(-torch.exp(self.nu_log), torch.exp(self.theta_log)))

    def forward(self, x: torch.Tensor, method: str = "parallel") -> torch.Tensor:
        x = check_sequence(x, self.d_model)
        T, Bsz, _ = x.shape
        lam = self.eigenvalues()
        B = torch.view_as_complex(self.B)
        bu = torch.exp(self.gamma_log) * torch.einsum("tbd,nd->tbn", x.to(B.dtype), B)
        h = linear_recurrence_torch(lam.expand(T, Bsz, -1), bu, method=method)
        y = torch.einsum("tbn,dn->tbd", h, torch.view_as_complex(self.C)).real
        return y + self.D * x

    def numpy_params(self) -> dict[str, np.ndarray]:
        """The parameters as :func:`rnncore.nn.lru.lru_forward` takes them."""
        out = {
            n: getattr(self, n).detach().cpu().numpy()
            for n in ("nu_log", "theta_log", "gamma_log", "D")
        }
        out["B"] = torch.view_as_complex(self.B).detach().cpu().numpy()
        out["C"] = torch.view_as_complex(self.C).detach().cpu().numpy()
        return out
