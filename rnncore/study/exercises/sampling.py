"""Checker for the reader's sampling distribution: temperature, top-k, then nucleus (top-p).

The reader implements ``sampling_probs(logits, k=None, p=None, temperature=1.0) -> probs``:
logits (V,) -> probabilities (V,). In order: divide the logits by the temperature; keep the k
largest (every token tied with the k-th is kept; k >= V keeps all) (Fan, Lewis & Dauphin, 2018);
of the tokens left, keep the nucleus, the smallest set of most likely tokens whose probability
reaches p (every token tied with the last one needed is kept; p = 1 keeps all) (Holtzman et al.,
2020, Sec. 3.1); renormalise. The reference is :func:`rnncore.models.charlm.sampling_probs`;
:func:`sampling_variant` reproduces it (tested) and the classic mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnncore.models.charlm import sampling_probs
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
)

__all__ = ["check_top_k_top_p", "sampling_cases", "sampling_variant"]


def sampling_variant(
    logits: np.ndarray,
    k: int | None = None,
    p: float | None = None,
    temperature: float = 1.0,
    temp: str = "divide",
    k_offset: int = 0,
    ties: str = "keep",
    nucleus: str = "include",
    p_on: str = "after-k",
) -> np.ndarray:
    """The sampling distribution, with optional mistakes: ``temp`` "divide" | "multiply" |
    "ignore"; top-k keeping ``k + k_offset``; ``ties`` "keep" | "break" (exactly k or exactly the
    needed count); ``nucleus`` "include" | "exclude" (the token that crosses p); ``p_on``
    "after-k" | "before-k" | "raw" (the nucleus measured on which distribution)."""
    raw = np.asarray(logits, dtype=float)
    z = {"divide": raw / temperature, "multiply": raw * temperature, "ignore": raw}[temp]
    V = z.shape[0]
    keep = np.ones(V, dtype=bool)
    if k is not None and k + k_offset < V:
        order = np.argsort(-z, kind="stable")
        kk = k + k_offset
        if kk < 1:
            raise ValueError("this variant keeps no token")
        keep = z >= z[order[kk - 1]] if ties == "keep" else np.isin(np.arange(V), order[:kk])
    if p is not None and p < 1.0:
        base = {"after-k": np.where(keep, z, -np.inf), "before-k": z, "raw": raw}[p_on]
        probs = softmax(base)
        order = np.argsort(-probs, kind="stable")
        cum = np.cumsum(probs[order])
        m = int(np.sum(cum < p)) + (1 if nucleus == "include" else 0)
        m = min(max(m, 1), V)
        if ties == "keep":
            nucleus_set = probs >= probs[order[m - 1]]
        else:
            nucleus_set = np.isin(np.arange(V), order[:m])
        keep = keep & nucleus_set
    probs = np.where(keep, np.exp(z - z[keep].max()), 0.0)
    return probs / probs.sum()


def sampling_cases() -> list[tuple[str, np.ndarray, dict[str, Any]]]:
    """(description, logits, options): each filter alone, together, ties and the edge cases."""
    rng = np.random.default_rng(21)
    z = rng.standard_normal(12) * 2.0
    return [
        ("no filter", z, {}),
        ("temperature 0.5, k=4", z, {"k": 4, "temperature": 0.5}),
        ("p=0.8", z, {"p": 0.8}),
        ("temperature 1.5, p=0.9", z, {"p": 0.9, "temperature": 1.5}),
        ("k=3, then p=0.7", np.log([0.3, 0.18, 0.12, 0.1, 0.1, 0.1, 0.1]), {"k": 3, "p": 0.7}),
        ("temperature 0.8, k=6, p=0.7", z, {"k": 6, "p": 0.7, "temperature": 0.8}),
        ("ties at the k-th logit", np.array([3.0, 1, 1, 1, 0, -2]), {"k": 2}),
        ("ties at the edge of the nucleus", np.array([1.0, 0, 0, 0]), {"p": 0.5}),
        ("k >= V and p = 1", z, {"k": 15, "p": 1.0}),
        ("k=1", z, {"k": 1, "temperature": 2.0}),
        ("a tiny p", z, {"p": 0.01}),
    ]


def _reference(logits: np.ndarray, options: dict[str, Any]) -> np.ndarray:
    probs = sampling_probs(
        torch.from_numpy(logits),
        options.get("temperature", 1.0),
        options.get("k"),
        options.get("p"),
    )
    return probs.numpy()


def _mistakes(logits: np.ndarray, options: dict[str, Any]) -> list[Mistake]:
    v = lambda **kw: sampling_variant(logits, **options, **kw)  # noqa: E731
    return [
        Mistake(
            "Divide the logits by the temperature; you multiplied.", lambda: v(temp="multiply")
        ),
        Mistake("You ignored the temperature.", lambda: v(temp="ignore")),
        Mistake("You kept k + 1 tokens; keep the k largest.", lambda: v(k_offset=1)),
        Mistake("You kept k - 1 tokens; keep the k largest.", lambda: v(k_offset=-1)),
        Mistake(
            "Measure the nucleus on the distribution left after top-k (renormalised), "
            "not on the full one.",
            lambda: v(p_on="before-k"),
        ),
        Mistake(
            "Apply the temperature before measuring the nucleus.",
            lambda: v(p_on="raw"),
        ),
        Mistake(
            "The nucleus must include the token whose cumulative probability crosses p "
            "(the smallest set whose mass reaches p).",
            lambda: v(nucleus="exclude"),
        ),
        Mistake(
            "Ties: keep every token whose logit equals the k-th largest (or whose probability "
            "equals that of the last token of the nucleus), not an arbitrary subset.",
            lambda: v(ties="break"),
        ),
    ]


def check_top_k_top_p(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(logits, k=None, p=None, temperature=1.0) -> probs`` on 11 problems."""

    def body() -> str:
        for what, logits, options in sampling_cases():
            want = _reference(logits, options)
            got = call(
                fn,
                logits,
                *(options.get("k"), options.get("p"), options.get("temperature", 1.0)),
                what=f"sampling_probs with {what}",
                hint="k or p may be None (no filter), and k may exceed V.",
            )
            got = as_array(got, "probs", want.shape, "(V,)")
            if np.any(got < 0):
                raise _Stop(f"{what}: return probabilities (non-negative), not logits.")
            if not np.isclose(got.sum(), 1.0):
                raise _Stop(
                    f"{what}: your probabilities sum to {got.sum():.4f}; renormalise the "
                    "surviving tokens so they sum to 1."
                )
            if compare(got, want):
                continue
            advice = diagnose(got, _mistakes(logits, options), compare)
            if not advice and options.get("p") == 1.0:
                advice = "With k >= V and p = 1 nothing may be removed."
            raise _Stop(f"{what}: " + mismatch("probs", got, want, advice))
        return "matches charlm.sampling_probs on 11 problems."

    return finish("top_k_top_p", body, verbose)
