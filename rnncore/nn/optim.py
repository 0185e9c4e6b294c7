"""Optimisers that update a dict of numpy parameters in place from a dict of gradients.

- :class:`SGD`: p <- p - lr * g.
- :class:`Momentum`: heavy-ball momentum (Polyak 1964, "Some methods of speeding up the convergence
  of iteration methods"), written as PyTorch writes it: v <- mu * v + g, p <- p - lr * v. With a
  constant learning rate this is the same trajectory as Polyak's v <- mu * v - lr * g, p <- p + v
  (the velocities differ by the factor -lr).
- :class:`Adam`: Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
  Algorithm 1, with the bias-corrected moments m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t).
- :func:`clip_grad_norm`: rescale all gradients together when their global L2 norm exceeds a
  threshold (Pascanu, Mikolov & Bengio 2013, "On the difficulty of training recurrent neural
  networks", Algorithm 1), with torch.nn.utils.clip_grad_norm_'s 1e-6 guard in the denominator.

The parameter dict is usually a model's ``.params`` (e.g. :class:`rnncore.nn.recurrent.Recurrent`);
the gradient dict must hold the same keys and shapes (extra keys, such as "input", are ignored).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["SGD", "Adam", "Momentum", "clip_grad_norm"]

Arrays = Mapping[str, np.ndarray]


def _check_lr(lr: float) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive float, got {lr!r}")
    return float(lr)


def _check_unit(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a float in [0, 1), got {value!r}")
    return float(value)


class _Optimizer:
    """Holds the parameters and checks each gradient dict against them."""

    def __init__(self, params: dict[str, np.ndarray], lr: float) -> None:
        if not isinstance(params, dict) or not params:
            raise TypeError(f"params must be a non-empty dict of numpy arrays, got {params!r:.60}")
        for name, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                got = p.dtype if isinstance(p, np.ndarray) else type(p).__name__
                raise TypeError(f"params[{name!r}] must be a float numpy array, got {got}")
        self.params = params
        self.lr = _check_lr(lr)
        self.t = 0  # number of steps taken

    def _grads(self, grads: Arrays) -> Arrays:
        for name, p in self.params.items():
            if name not in grads or grads[name] is None:
                raise KeyError(f"grads has no gradient for parameter {name!r}")
            g = grads[name]
            if np.shape(g) != p.shape:
                raise ValueError(f"grads[{name!r}] must have shape {p.shape}, got {np.shape(g)}")
            if not np.all(np.isfinite(g)):
                raise ValueError(f"grads[{name!r}] must be finite, got NaN/inf values")
        return grads

    def step(self, grads: Arrays) -> None:
        """Update every parameter in place from ``grads`` (same keys and shapes)."""
        grads = self._grads(grads)
        self.t += 1
        for name, p in self.params.items():
            self._update(name, p, np.asarray(grads[name], dtype=p.dtype))

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(_Optimizer):
    """Plain gradient descent: p <- p - lr * g."""

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        p -= self.lr * g


class Momentum(_Optimizer):
    """Heavy-ball momentum in PyTorch's form: v <- mu * v + g, p <- p - lr * v (v starts at g)."""

    def __init__(self, params: dict[str, np.ndarray], lr: float, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        self.momentum = _check_unit(momentum, "momentum")
        self.velocity: dict[str, np.ndarray] = {}

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        v = self.velocity.get(name)
        if v is None:  # torch starts the buffer at the first gradient, not at zero
            v = self.velocity[name] = g.copy()
        else:
            v *= self.momentum
            v += g
        p -= self.lr * v


class Adam(_Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1) with bias-corrected first and second moments."""

    def __init__(
        self,
        params: dict[str, np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _check_unit(betas[0], "betas[0]")
        self.beta2 = _check_unit(betas[1], "betas[1]")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
            raise ValueError(f"eps must be a positive float, got {eps!r}")
        self.eps = float(eps)
        self.m = {k: np.zeros_like(p) for k, p in params.items()}  # first moment: mean of g
        self.v = {k: np.zeros_like(p) for k, p in params.items()}  # second moment: mean of g^2

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        m, v = self.m[name], self.v[name]
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        m_hat = m / (1.0 - self.beta1**self.t)  # undo the bias towards the zero start
        v_hat = v / (1.0 - self.beta2**self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale all gradients in place so their global L2 norm is at most ``max_norm``.

    grads: dict of arrays (None values are skipped). The norm is taken over every entry of every
    array together, as ``torch.nn.utils.clip_grad_norm_`` does; when it exceeds ``max_norm`` every
    array is multiplied by max_norm / (norm + 1e-6). Returns the total norm *before* clipping.
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float)) or not max_norm > 0:
        raise ValueError(f"max_norm must be a positive float, got {max_norm!r}")
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of numpy arrays, got {type(grads).__name__}")
    arrays = [g for g in grads.values() if g is not None]
    for name, g in grads.items():
        if g is not None and (not isinstance(g, np.ndarray) or g.dtype.kind != "f"):
            got = g.dtype if isinstance(g, np.ndarray) else type(g).__name__
            raise TypeError(f"grads[{name!r}] must be a float numpy array, got {got}")
    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in arrays)))
    if not np.isfinite(total):
        raise ValueError("grads must be finite, got a NaN/inf gradient norm")
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in arrays:
            g *= coef
    return total
