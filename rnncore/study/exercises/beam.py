"""Checker for the reader's beam search with length normalisation, on small table models.

The reader implements ``beam_search(next_logprobs, beam_width, max_len, alpha=0.0, eos=0)
-> (tokens, score)``:

- ``next_logprobs(prefix) -> (V,)`` gives log p(next token | prefix) for a tuple of token ids (the
  empty tuple at the start; there is no start symbol);
- every step extends each open hypothesis by every token and keeps the ``beam_width`` best by
  summed log-probability; a hypothesis that ends with ``eos`` is finished. Two bookkeepings are
  accepted: a finished hypothesis leaves the beam and takes its slot with it, so the next step
  keeps ``beam_width`` minus the number finished so far (the beam shrinks), or it keeps its slot
  and competes, unchanged, with the extensions of the open ones, the search stopping once all
  ``beam_width`` are finished
  (``rnncore.models.seq2seq_decode.beam_search``); after ``max_len`` steps the open hypotheses
  count as finished too;
- the answer is the finished hypothesis with the best length-normalised score
  ``log p / len ** alpha``, ``len`` counting its tokens (``eos`` included) (the normalisation Wu
  et al., 2016, Sec. 7, use with a constant 5 added to the length; alpha = 0 is no normalisation);
- ``tokens`` ends with ``eos`` when the hypothesis finished; ``score`` is its normalised score.

:class:`TableLM` is the small model: a seeded table of next-token distributions, or one given
explicitly so that a search can be followed by hand. :func:`beam_variant` is the reference (no
mistake switched on; tested against exhaustive search) and the catalogue of mistakes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnncore.study.exercises._common import CheckResult, _Stop, call, finish

__all__ = ["TableLM", "beam_cases", "beam_variant", "check_beam_search"]

Hyp = tuple[tuple[int, ...], float]


class TableLM:
    """``next_logprobs(prefix) -> (V,)`` log-probabilities from a table.

    ``TableLM(V, seed=...)`` draws the distribution after each prefix from a generator seeded
    with ``(seed, *prefix)``; ``eos_bias`` per token already generated raises the chance to stop.
    ``TableLM(table={(): {...}, (1,): {...}})`` uses explicit probabilities (token id -> p,
    the rest of V shared equally). ``calls`` counts the queries.
    """

    def __init__(
        self,
        V: int = 4,
        seed: int = 0,
        eos: int = 0,
        eos_bias: float = 0.8,
        table: dict[tuple[int, ...], dict[int, float]] | None = None,
    ) -> None:
        self.V, self.seed, self.eos, self.eos_bias, self.table = V, seed, eos, eos_bias, table
        self.calls = 0

    def __call__(self, prefix: Sequence[int]) -> np.ndarray:
        self.calls += 1
        prefix = tuple(int(t) for t in prefix)
        if self.table is not None:
            given = self.table.get(prefix, {})
            rest = (1.0 - sum(given.values())) / max(self.V - len(given), 1)
            p = np.array([given.get(v, rest) for v in range(self.V)])
            return np.log(np.clip(p, 1e-300, None))
        z = np.random.default_rng([self.seed, *prefix]).standard_normal(self.V) * 1.5
        z[self.eos] += self.eos_bias * len(prefix) - 1.0
        return z - np.log(np.exp(z - z.max()).sum()) - z.max()


def beam_variant(
    lm: Callable[[tuple[int, ...]], np.ndarray],
    beam_width: int,
    max_len: int,
    alpha: float = 0.0,
    eos: int = 0,
    normalise: str = "with-eos",
    shrink: bool = True,
    keep_unfinished: bool = True,
    finished_compete: bool = False,
) -> tuple[list[int], float]:
    """The reference beam search, with optional mistakes: ``normalise`` "with-eos" | "without-eos"
    | "none"; ``shrink=False`` keeps beam_width open hypotheses after some finish;
    ``keep_unfinished=False`` drops the open hypotheses at max_len. ``finished_compete=True`` is
    the other accepted bookkeeping: finished hypotheses keep their slots and compete with the
    open ones' extensions, so a later, better extension can push one out."""
    open_: list[Hyp] = [((), 0.0)]
    finished: list[Hyp] = []
    for _ in range(max_len):
        candidates = [
            ((*tokens, v), score + float(lp))
            for tokens, score in open_
            for v, lp in enumerate(lm(tokens))
        ]
        if finished_compete:  # the finished stay in the pool, unchanged
            candidates, finished = candidates + finished, []
        candidates.sort(key=lambda c: -c[1])
        room = beam_width - len(finished) if shrink else beam_width
        open_ = []
        for cand in candidates[:room]:
            (finished if cand[0][-1] == eos else open_).append(cand)
        if not open_:
            break
    if keep_unfinished or not finished:
        finished += open_

    def normalised(hyp: Hyp) -> float:
        tokens, score = hyp
        length = len(tokens) - (normalise == "without-eos" and tokens[-1] == eos)
        return score if normalise == "none" else score / max(length, 1) ** alpha

    best = max(finished, key=normalised)
    return list(best[0]), normalised(best) if normalise == "with-eos" else best[1]


def beam_cases() -> list[tuple[str, TableLM, dict[str, Any]]]:
    """(description, model, options): seeded tables where greedy, plain and normalised beam
    search disagree, and where finished hypotheses must leave the beam. Without normalisation
    the first case's best answer is the empty sentence, ``[eos]``."""
    return [
        ("V=4, beam 3, alpha 0", TableLM(4, seed=2), {"beam_width": 3, "max_len": 6}),
        ("V=4, beam 3, alpha 1", TableLM(4, seed=2), _options(3, 6, 1.0)),
        ("V=4, beam 4, alpha 1", TableLM(4, seed=7, eos_bias=0.2), _options(4, 6, 1.0)),
        ("V=5, beam 3, alpha 0.7", TableLM(5, seed=4, eos_bias=0.2), _options(3, 6, 0.7)),
    ]


def _options(beam_width: int, max_len: int, alpha: float) -> dict[str, Any]:
    return {"beam_width": beam_width, "max_len": max_len, "alpha": alpha}


def _catalogue(lm: TableLM, options: dict[str, Any]) -> list[tuple[str, tuple]]:
    v = lambda **kw: beam_variant(lm, **{**options, **kw})  # noqa: E731
    return [
        ("You ignored alpha: rank finished hypotheses by log p / len**alpha.", v(normalise="none")),
        ("Count eos in the length: len includes the eos token.", v(normalise="without-eos")),
        ("That is greedy decoding: keep the beam_width best extensions.", v(beam_width=1)),
        (
            "A finished hypothesis still holds its beam slot: set it aside and keep beam_width "
            "minus the number finished, or let it compete with the open ones for the slots.",
            v(shrink=False),
        ),
        ("At max_len the open hypotheses count as finished too.", v(keep_unfinished=False)),
    ]


def _as_tokens(out: Any) -> tuple[list[int], float]:
    if not isinstance(out, tuple) or len(out) != 2:
        raise _Stop(f"return the pair (tokens, score), got {type(out).__name__}.")
    tokens, score = out
    try:
        return [int(t) for t in tokens], float(score)
    except (TypeError, ValueError):
        raise _Stop("tokens must be a sequence of ints and score a float.") from None


def check_beam_search(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(next_logprobs, beam_width, max_len, alpha=0.0, eos=0) -> (tokens, score)``."""

    def body() -> str:
        for what, lm, options in beam_cases():
            args = (options["beam_width"], options["max_len"], options.get("alpha", 0.0))
            accepted = [beam_variant(lm, **options, finished_compete=c) for c in (False, True)]
            out = call(
                fn,
                lm,
                *args,
                what=f"beam_search ({what})",
                hint="next_logprobs takes a tuple of ids and returns log-probabilities (V,).",
            )
            tokens, score = _as_tokens(out)
            want_tokens, want_score = next(
                (want for want in accepted if want[0] == tokens), accepted[0]
            )
            if tokens == want_tokens:
                if math.isclose(score, want_score, rel_tol=1e-9, abs_tol=1e-12):
                    continue
                raw = sum(lm(tuple(want_tokens[:i]))[t] for i, t in enumerate(want_tokens))
                hint = (
                    "that is the unnormalised log p; return log p / len**alpha."
                    if math.isclose(score, raw, rel_tol=1e-9)
                    else "the score is log p / len**alpha, with log p a sum of log-probabilities."
                )
                raise _Stop(f"{what}: right tokens, score {score:.6g} != {want_score:.6g}: {hint}")
            advice = next((msg for msg, (t, _) in _catalogue(lm, options) if t == tokens), "")
            raise _Stop(f"{what}: you returned {tokens}, expected {want_tokens}. {advice}".strip())
        return f"matches the reference on {len(beam_cases())} table models."

    return finish("beam_search", body, verbose)
