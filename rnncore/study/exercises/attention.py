"""Checkers for the reader's attention step: scaled dot-product and additive (Bahdanau) scores.

The reader implements, in numpy,

- ``dot_attention(query, keys, mask=None) -> (context, weights)``: query (B, H), keys (T, B, H)
  used as both keys and values, mask (T, B) bool (True where a position may be attended) or None;
  scores ``e_tb = keys[t, b] . query[b] / sqrt(H)`` (Vaswani et al., 2017, Eq. 1), masked
  positions excluded, a softmax over T; context (B, H), weights (T, B).
- ``additive_attention(query, keys, W_q, W_k, v) -> (context, weights)``: query (B, Hd), keys
  (T, B, He), W_q (A, Hd), W_k (A, He), v (A,); scores ``e_tb = v . tanh(W_q q_b + W_k k_tb)``
  (Bahdanau, Cho & Bengio, 2015, Appendix A.1.2), a softmax over T; context (B, He), weights
  (T, B).

The references below are the catalogue's variants with no mistake switched on; the tests check
them against ``torch.nn.functional.scaled_dot_product_attention`` and against
:class:`rnncore.models.attention.AdditiveScore`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnncore.nn.functional import softmax
from rnncore.study.exercises._common import (
    CheckResult,
    Mistake,
    _Stop,
    as_array,
    call,
    compare,
    diagnose,
    finish,
    mismatch,
    rand,
)

__all__ = ["additive_variant", "check_additive_attention", "check_dot_attention", "dot_variant"]

Case = dict[str, Any]


def _softmax_over(e: np.ndarray, axis: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # a wrong axis can meet a column of -inf: NaN, no match
        return softmax(e, axis=axis)


def _finish_attention(
    e: np.ndarray, keys: np.ndarray, mask: np.ndarray | None, masking: str, axis: int
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (T, B) to (context (B, C), weights (T, B)) with the chosen masking."""
    if mask is not None and masking == "-inf":
        e = np.where(mask, e, -np.inf)
    elif mask is not None and masking == "inverted":
        e = np.where(mask, -np.inf, e)
    elif mask is not None and masking == "zero-score":
        e = e * mask
    if mask is not None and masking == "multiply-exp":  # the max includes masked scores
        with np.errstate(invalid="ignore"):  # their exps can all underflow: 0 / 0
            z = np.exp(e - e.max(axis=axis, keepdims=True)) * mask
            w = z / z.sum(axis=axis, keepdims=True)
        return np.einsum("tb,tbc->bc", w, keys), w
    w = _softmax_over(e, axis)
    if mask is not None and masking == "after-softmax":
        w = w * mask  # zeroed but not renormalised
    return np.einsum("tb,tbc->bc", w, keys), w


def dot_variant(
    case: Case, scale: str = "sqrt", masking: str = "-inf", axis: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled dot-product attention with optional mistakes: scale "sqrt" | "none" | "H",
    masking "-inf" | "inverted" | "zero-score" | "after-softmax" | "multiply-exp" | "ignored",
    softmax ``axis``."""
    q, k = case["query"], case["keys"]
    H = q.shape[1]
    e = np.einsum("tbh,bh->tb", k, q) / {"sqrt": np.sqrt(H), "none": 1.0, "H": H}[scale]
    return _finish_attention(e, k, case["mask"], masking, axis)


def additive_variant(
    case: Case,
    act: Callable[[np.ndarray], np.ndarray] = np.tanh,
    use_query: bool = True,
    use_keys: bool = True,
    v_inside: bool = False,
    values: str = "keys",
    axis: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Additive attention with optional mistakes; ``values="projected"`` averages W_k k instead
    of the keys, ``v_inside`` applies v before the nonlinearity."""
    q, k, W_q, W_k, v = (case[n] for n in ("query", "keys", "W_q", "W_k", "v"))
    pre = np.zeros((*k.shape[:2], v.shape[0]))
    if use_query:
        pre = pre + (q @ W_q.T)[None]
    projected = k @ W_k.T  # (T, B, A)
    if use_keys:
        pre = pre + projected
    e = act(pre @ v) if v_inside else act(pre) @ v
    return _finish_attention(e, projected if values == "projected" else k, None, "-inf", axis)


def _dot_cases() -> list[Case]:
    """No mask; a mask with short rows; large scores (a softmax without the max overflows)."""
    rng = np.random.default_rng(11)
    T, B, H = 6, 3, 4
    lengths = np.array([5, 2, 4])
    mask = np.arange(T)[:, None] < lengths[None, :]
    return [
        {"query": rand(rng, 2, 5), "keys": rand(rng, 4, 2, 5), "mask": None},
        {"query": rand(rng, B, H), "keys": rand(rng, T, B, H), "mask": mask},
        {"query": rand(rng, B, 9, scale=40), "keys": rand(rng, T, B, 9, scale=40), "mask": mask},
    ]


def _pair_ok(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> bool:
    return compare(got[0], want[0]) and compare(got[1], want[1])


def _dot_mistakes(case: Case) -> list[Mistake]:
    v = lambda **kw: dot_variant(case, **kw)  # noqa: E731
    mistakes = [
        Mistake("Scale the scores by 1/sqrt(H); you did not scale.", lambda: v(scale="none")),
        Mistake("Scale by 1/sqrt(H), not 1/H.", lambda: v(scale="H")),
    ]
    if case["mask"] is not None:
        mistakes += [
            Mistake("You ignored the mask.", lambda: v(masking="ignored")),
            Mistake(
                "The mask is inverted: True marks a position that MAY be attended.",
                lambda: v(masking="inverted"),
            ),
            Mistake(
                "Multiplying the scores by the mask gives masked positions a score of 0, "
                "not zero weight: set them to -inf before the softmax.",
                lambda: v(masking="zero-score"),
            ),
            Mistake(
                "You masked by multiplying exp(scores) by the mask, so the largest score you "
                "subtracted can be a masked one and every unmasked exp underflows to 0 (0/0 = "
                "NaN): mask with -inf before the softmax, then subtract the max.",
                lambda: v(masking="multiply-exp"),
            ),
            Mistake(
                "You zeroed masked weights after the softmax without renormalising; "
                "mask the scores (-inf) before it.",
                lambda: v(masking="after-softmax"),
            ),
        ]
    return mistakes


def _same_with_nan(got: tuple, want: tuple) -> bool:
    return all(
        np.shape(g) == w.shape and bool(np.allclose(g, w, equal_nan=True))
        for g, w in zip(got[:2], want, strict=True)
    )


def _check_pair(
    out: Any, want: tuple[np.ndarray, np.ndarray], letters: str, mistakes: Sequence[Mistake] = ()
) -> tuple:
    """The reader's (context, weights), checked for type, order, shapes and finite values
    (a non-finite output that a known mistake also gives is diagnosed as that mistake)."""
    if not isinstance(out, tuple) or len(out) < 2:
        raise _Stop(f"return the tuple (context, weights), got {type(out).__name__}.")
    shapes = tuple(getattr(o, "shape", None) for o in out[:2])
    if shapes == (want[1].shape, want[0].shape):
        raise _Stop("return (context, weights) in that order; you returned (weights, context).")
    if isinstance(out[1], np.ndarray) and out[1].shape == want[1].shape[::-1] != want[1].shape:
        raise _Stop(f"weights have shape {out[1].shape}: return them as (T, B) = {want[1].shape}.")
    for value in out[:2]:
        if isinstance(value, np.ndarray) and value.size and not np.all(np.isfinite(value)):
            advice = diagnose(out, mistakes, _same_with_nan)
            raise _Stop(advice or "NaN or inf in your output: subtract the largest score first.")
    context = as_array(out[0], "context", want[0].shape, letters)
    return context, as_array(out[1], "weights", want[1].shape, "(T, B)")


def _verdict(got: tuple, want: tuple, mistakes: list[Mistake]) -> None:
    """Return if the reader's pair is right; else stop naming the mistake."""
    if _pair_ok(got, want):
        return
    advice = diagnose(got, mistakes, _pair_ok)
    sums = got[1].sum(axis=0)
    if not advice and not np.allclose(sums, 1.0):
        raise _Stop(
            f"the weights of each batch row must sum to 1 over T; yours sum to "
            f"{np.round(sums, 4)}. Normalise over axis 0 (time)."
        )
    raise _Stop(_report(got, want, advice))


def _report(got: tuple, want: tuple, advice: str) -> str:
    if not compare(got[1], want[1]):
        return mismatch("weights", got[1], want[1], advice)
    return mismatch("context", got[0], want[0], advice or "weights right: context = sum_t w * k.")


def check_dot_attention(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(query, keys, mask=None) -> (context (B, H), weights (T, B))``."""

    def body() -> str:
        for case in _dot_cases():
            want = dot_variant(case)
            hint = "the scores are np.einsum('tbh,bh->tb', keys, query) / np.sqrt(H)."
            if case["mask"] is None:
                out = call(fn, case["query"], case["keys"], what="dot_attention", hint=hint)
            else:
                args = (case["query"], case["keys"], case["mask"])
                out = call(fn, *args, what="dot_attention with a mask", hint=hint)
            mistakes = _dot_mistakes(case)
            _verdict(_check_pair(out, want, "(B, H)", mistakes), want, mistakes)
        return "matches the reference on 3 problems (mask, large scores)."

    return finish("dot_attention", body, verbose)


def _additive_cases() -> list[Case]:
    """(B, Hd, He, A): all sizes different (a transpose fails loudly), then all equal."""
    rng = np.random.default_rng(12)
    cases = []
    for T, B, Hd, He, A in ((5, 2, 3, 4, 6), (4, 3, 5, 5, 5)):
        cases.append(
            {
                "query": rand(rng, B, Hd),
                "keys": rand(rng, T, B, He),
                "W_q": rand(rng, A, Hd, scale=0.7),
                "W_k": rand(rng, A, He, scale=0.7),
                "v": rand(rng, A),
            }
        )
    return cases


def _additive_mistakes(case: Case) -> list[Mistake]:
    v = lambda **kw: additive_variant(case, **kw)  # noqa: E731
    return [
        Mistake("You left out the tanh: e = v . tanh(W_q q + W_k k).", lambda: v(act=lambda a: a)),
        Mistake(
            "Use tanh, not the sigmoid, inside the score.",
            lambda: v(act=lambda a: 1 / (1 + np.exp(-a))),
        ),
        Mistake(
            "Apply v after the tanh: v . tanh(...), not tanh(v . ...).", lambda: v(v_inside=True)
        ),
        Mistake("The query term W_q q is missing from the score.", lambda: v(use_query=False)),
        Mistake("The key term W_k k is missing from the score.", lambda: v(use_keys=False)),
        Mistake(
            "The context averages the keys themselves, not their projections W_k k.",
            lambda: v(values="projected"),
        ),
    ]


def check_additive_attention(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(query, keys, W_q, W_k, v) -> (context (B, He), weights (T, B))``."""

    def body() -> str:
        for case in _additive_cases():
            want = additive_variant(case)
            args = [case[n] for n in ("query", "keys", "W_q", "W_k", "v")]
            hint = "W_q is (A, Hd): the query term is query @ W_q.T, (B, A)."
            out = call(fn, *args, what="additive_attention", hint=hint)
            A = case["v"].shape[0]
            first = out[0] if isinstance(out, tuple) and out else None
            if getattr(first, "shape", None) == (want[0].shape[0], A) != want[0].shape:
                raise _Stop(
                    f"context has shape (B, A) = {out[0].shape}: average the keys themselves "
                    "(B, He), not their projections W_k k."
                )
            _verdict(_check_pair(out, want, "(B, He)"), want, _additive_mistakes(case))
        return "matches the reference on 2 problems."

    return finish("additive_attention", body, verbose)
