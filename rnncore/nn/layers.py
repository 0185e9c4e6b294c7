"""The non-recurrent pieces of a sequence model, as forward/backward pairs with caches.

An embedding turns token ids into vectors, a per-step affine map turns hidden states into logits,
softmax cross-entropy and mean squared error turn outputs into a loss, and inverted dropout
regularises. Every ``*_forward`` returns ``(out, cache)``; every ``*_backward`` takes the upstream
gradient and that cache. The losses return ``(loss, d_input)`` directly.

Layouts follow PyTorch so weights can be copied across: an embedding table is ``(V, E)`` like
``torch.nn.Embedding.weight``, an affine weight is ``(V, H)`` (out, in) like ``torch.nn.Linear``.

Sources: softmax cross-entropy and its gradient ``softmax(z) - onehot(y)`` as in Bridle (1990),
"Probabilistic interpretation of feedforward classification network outputs"; dropout from
Srivastava et al. (2014), JMLR 15, in its "inverted" form: survivors are scaled by 1 / (1 - p) at
training time, which is equivalent to the paper's test-time scaling of the weights by the retention
probability and makes evaluation the identity. Padding masks give the mean over real positions
only, which is what ``torch.nn.functional.cross_entropy(..., ignore_index=...)`` computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn.functional import log_softmax
from rnncore.utils import check_array, check_ids, check_shape

__all__ = [
    "affine_backward",
    "affine_forward",
    "dropout_backward",
    "dropout_forward",
    "embedding_backward",
    "embedding_forward",
    "mse_loss",
    "softmax_cross_entropy",
]

Cache = dict[str, Any]


def _check_mask(mask: object, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``mask`` as a boolean (T, B) array; accepts booleans or 0/1 numbers."""
    m = np.asarray(mask)
    if m.dtype.kind not in "biuf":
        raise TypeError(f"mask must be boolean or 0/1 numbers, got dtype {m.dtype}")
    check_shape(m, "mask", shape, "(T, B)")
    if m.dtype.kind != "b":
        if not np.all((m == 0) | (m == 1)):
            raise ValueError("mask must hold only 0/1 (or True/False) values, got other values")
        m = m.astype(bool)
    if not m.any():
        raise ValueError("mask must keep at least one position, got an all-False mask")
    return m


def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


def embedding_forward(ids: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, Cache]:
    """Look up one row of the table per token: out[t, b] = weight[ids[t, b]].

    ids: (T, B) integer token ids in [0, V); weight: (V, E). Returns out: (T, B, E).
    Float ids are refused (a float id is almost always a bug upstream), as are ids out of range.
    """
    weight = check_array(weight, "weight", ndim=2)
    ids_arr = check_ids(ids, "ids", weight.shape[0], ndim=2, letters="(T, B)")
    return weight[ids_arr], {"ids": ids_arr, "shape": weight.shape, "dtype": weight.dtype}


def embedding_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    """Gradient of the table: each row sums the upstream gradients of the tokens that used it.

    dout: (T, B, E). Returns dweight: (V, E). Repeated ids accumulate (``np.add.at``).
    """
    ids = cache["ids"]
    dout = check_array(dout, "dout")
    check_shape(dout, "dout", (*ids.shape, cache["shape"][1]), "(T, B, E)")
    dweight = np.zeros(cache["shape"], dtype=cache["dtype"])
    np.add.at(dweight, ids, dout)
    return dweight


def affine_forward(
    h: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
) -> tuple[np.ndarray, Cache]:
    """Apply the same affine map at every step: out[t] = h[t] @ weight.T + bias.

    h: (T, B, H); weight: (V, H) as ``torch.nn.Linear.weight``; bias: (V,) or None.
    Returns out: (T, B, V).
    """
    h = check_array(h, "h", ndim=3)
    weight = check_array(weight, "weight", ndim=2)
    check_shape(weight, "weight", (None, h.shape[2]), "(V, H)")
    out = h @ weight.T
    if bias is not None:
        bias = check_array(bias, "bias")
        check_shape(bias, "bias", (weight.shape[0],), "(V,)")
        out = out + bias
    return out, {"h": h, "weight": weight, "has_bias": bias is not None}


def affine_backward(dout: np.ndarray, cache: Cache) -> dict[str, np.ndarray | None]:
    """Gradients of the per-step affine map, summed over time and batch for the parameters.

    dout: (T, B, V). Returns {"h": (T, B, H), "weight": (V, H), "bias": (V,) or None}.
    """
    h, weight = cache["h"], cache["weight"]
    dout = check_array(dout, "dout")
    check_shape(dout, "dout", (h.shape[0], h.shape[1], weight.shape[0]), "(T, B, V)")
    flat = dout.reshape(-1, dout.shape[-1])
    return {
        "h": dout @ weight,
        "weight": flat.T @ h.reshape(-1, h.shape[-1]),
        "bias": flat.sum(axis=0) if cache["has_bias"] else None,
    }


def softmax_cross_entropy(
    logits: np.ndarray,
    targets: np.ndarray,
    mask: np.ndarray | None = None,
    reduction: str = "mean",
) -> tuple[float, np.ndarray]:
    """Negative log-likelihood of the targets under softmax(logits), and its gradient.

    logits: (T, B, V); targets: (T, B) integer ids in [0, V); mask: (T, B) boolean or 0/1, True
    where the position counts (padding is False; its target is ignored and may be any integer).
    ``reduction="mean"`` averages over the counted positions (torch's ``ignore_index`` semantics),
    ``"sum"`` adds them. Returns (loss in nats, dlogits: (T, B, V)); dlogits = (softmax - onehot)
    times the mask, divided by the count for the mean.
    """
    _check_reduction(reduction)
    logits = check_array(logits, "logits", ndim=3)
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must be an integer array of class ids, got dtype {targets.dtype}")
    check_shape(targets, "targets", logits.shape[:2], "(T, B)")
    keep = np.ones(targets.shape, bool) if mask is None else _check_mask(mask, targets.shape)
    check_ids(targets[keep], "targets", logits.shape[2])
    safe = np.where(keep, targets, 0)
    logp = log_softmax(logits, axis=-1)
    picked = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    scale = 1.0 / np.count_nonzero(keep) if reduction == "mean" else 1.0
    loss = -float(np.sum(picked[keep])) * scale
    dlogits = np.exp(logp)
    np.put_along_axis(
        dlogits, safe[..., None], np.take_along_axis(dlogits, safe[..., None], -1) - 1, -1
    )
    dlogits *= keep[..., None] * scale
    return loss, dlogits


def mse_loss(
    pred: np.ndarray,
    target: np.ndarray,
    mask: np.ndarray | None = None,
    reduction: str = "mean",
) -> tuple[float, np.ndarray]:
    """Mean squared error between predictions and targets, and its gradient.

    pred, target: (T, B, D); mask: (T, B) boolean or 0/1, True where the step counts. The mean is
    over all counted elements (counted steps times D), as ``torch.nn.MSELoss`` does without a mask.
    Returns (loss, dpred: (T, B, D)).
    """
    _check_reduction(reduction)
    pred = check_array(pred, "pred", ndim=3)
    target = check_array(target, "target")
    check_shape(target, "target", pred.shape, "(T, B, D)")
    keep = np.ones(pred.shape[:2], bool) if mask is None else _check_mask(mask, pred.shape[:2])
    diff = (pred - target) * keep[..., None]
    scale = 1.0 / (np.count_nonzero(keep) * pred.shape[2]) if reduction == "mean" else 1.0
    return float(np.sum(diff * diff)) * scale, 2.0 * scale * diff


def dropout_forward(
    x: np.ndarray, p: float, train: bool = True, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, Cache]:
    """Inverted dropout: zero each entry with probability p and scale survivors by 1 / (1 - p).

    x: any shape, e.g. (T, B, H). In training the expected output equals x, so evaluation
    (``train=False``) is the identity. ``rng`` (a seeded ``numpy.random.Generator``) is required
    when training with p > 0, so every run is reproducible. Returns (out, cache), out shaped as x.
    """
    x = check_array(x, "x")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p < 1.0:
        raise ValueError(f"p must be a float in [0, 1), got {p!r}")
    if not train or p == 0.0:
        return x, {"scale": None}
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator when training with p > 0, "
            f"got {type(rng).__name__}"
        )
    scale = (rng.random(x.shape) >= p) / (1.0 - p)
    scale = scale.astype(x.dtype, copy=False)
    return x * scale, {"scale": scale}


def dropout_backward(dout: np.ndarray, cache: Cache) -> np.ndarray:
    """Route the gradient through the kept entries, with the same 1 / (1 - p) scale.

    dout: shaped as the forward's x. Returns dx, same shape.
    """
    dout = check_array(dout, "dout")
    scale = cache["scale"]
    if scale is None:
        return dout
    check_shape(dout, "dout", scale.shape, "x.shape")
    return dout * scale
