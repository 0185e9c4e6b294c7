"""The timed drills' checkers (attention, sampling, beam search, truncated BPTT): their references
agree with independent implementations, correct solutions written differently pass, and broken
ones fail with a message naming the mistake (or, beyond the catalogue, still fail)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch import nn

from rnncore.data.text import streams
from rnncore.models.attention import AdditiveScore
from rnncore.models.charlm import sampling_probs
from rnncore.study.exercises import attention as att
from rnncore.study.exercises import (
    check_additive_attention,
    check_beam_search,
    check_dot_attention,
    check_tbptt,
    check_top_k_top_p,
)
from rnncore.study.exercises.beam import TableLM, beam_variant
from rnncore.study.exercises.sampling import sampling_cases, sampling_variant


# ---------------------------------------------------------------- the references are right
def test_dot_reference_equals_torch_scaled_dot_product_attention() -> None:
    for case in att._dot_cases():
        context, weights = att.dot_variant(case)
        q = torch.from_numpy(case["query"])[:, None, :]  # (B, 1, H)
        k = torch.from_numpy(case["keys"]).permute(1, 0, 2)  # (B, T, H)
        mask = None if case["mask"] is None else torch.from_numpy(case["mask"].T)[:, None, :]
        out = nn.functional.scaled_dot_product_attention(q, k, k, attn_mask=mask)
        np.testing.assert_allclose(context, out[:, 0].numpy(), atol=1e-12)
        np.testing.assert_allclose(weights.sum(axis=0), 1.0)
        if case["mask"] is not None:
            assert np.all(weights[~case["mask"]] == 0.0)


def test_additive_reference_equals_rnncore_additive_score() -> None:
    for case in att._additive_cases():
        A, Hd = case["W_q"].shape
        He = case["W_k"].shape[1]
        score = AdditiveScore(Hd, He, A).double()
        with torch.no_grad():
            score.query.weight.copy_(torch.from_numpy(case["W_q"]))
            score.key.weight.copy_(torch.from_numpy(case["W_k"]))
            score.key.bias.zero_()
            score.score.weight.copy_(torch.from_numpy(case["v"])[None])
            keys = torch.from_numpy(case["keys"])
            e = score(torch.from_numpy(case["query"]), score.keys(keys))  # (T, B)
        weights = torch.softmax(e, dim=0).numpy()
        context, want = att.additive_variant(case)
        np.testing.assert_allclose(want, weights, atol=1e-12)
        np.testing.assert_allclose(context, np.einsum("tb,tbh->bh", weights, case["keys"]))


def test_sampling_reference_equals_charlm_sampling_probs() -> None:
    for _, logits, options in sampling_cases():
        want = sampling_probs(
            torch.from_numpy(logits),
            options.get("temperature", 1.0),
            options.get("k"),
            options.get("p"),
        ).numpy()
        np.testing.assert_allclose(sampling_variant(logits, **options), want, atol=1e-12)


def _exhaustive(lm: TableLM, max_len: int, alpha: float) -> list[int]:
    """The best finished sequence by log p / len**alpha, over every sequence up to max_len."""
    best, best_score = None, -np.inf
    for n in range(1, max_len + 1):
        for body in itertools.product(range(1, lm.V), repeat=n - 1):
            for tokens in ((*body, 0), (*body, 1)) if n == max_len else ((*body, 0),):
                logp = sum(lm(tokens[:i])[t] for i, t in enumerate(tokens))
                if logp / n**alpha > best_score:
                    best, best_score = list(tokens), logp / n**alpha
    return best


@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.0])
def test_beam_reference_with_a_huge_beam_is_exhaustive_search(alpha: float) -> None:
    lm = TableLM(3, seed=4, eos_bias=0.3)
    tokens, _ = beam_variant(lm, beam_width=10_000, max_len=5, alpha=alpha)
    # every open hypothesis at max_len ends in a non-eos token; 0 and 1 stand for "any"
    exhaustive = _exhaustive(lm, 5, alpha)
    if exhaustive[-1] != 0:  # the best is unfinished: compare with all its endings
        assert tokens[:-1] == exhaustive[:-1] and tokens[-1] != 0
    else:
        assert tokens == exhaustive


def test_beam_hand_example() -> None:
    """A table small enough to follow by hand: greedy takes "a" (0.5), the beam finds "b b"."""
    lm = TableLM(
        3,
        table={
            (): {0: 0.1, 1: 0.5, 2: 0.4},
            (1,): {0: 0.4, 1: 0.3},
            (2,): {2: 0.9},
            (2, 2): {0: 1},
        },
    )
    assert beam_variant(lm, 1, 4)[0][:1] == [1]  # greedy starts with the likelier token
    tokens, score = beam_variant(lm, 2, 4)
    assert tokens == [2, 2, 0] and np.isclose(score, np.log(0.4 * 0.9 * 1.0))


# ---------------------------------------------------------------- correct solutions pass
def dot_good(query, keys, mask=None):
    scores = (keys * query).sum(-1) / np.sqrt(query.shape[1])
    if mask is not None:
        scores = np.where(mask, scores, -1e300)
    w = np.exp(scores - scores.max(axis=0))
    w /= w.sum(axis=0)
    return (w[..., None] * keys).sum(axis=0), w


def dot_torch(query, keys, mask=None):
    q, k = torch.from_numpy(query), torch.from_numpy(keys)
    e = torch.einsum("tbh,bh->tb", k, q) / q.shape[1] ** 0.5
    if mask is not None:
        e = e.masked_fill(~torch.from_numpy(mask), float("-inf"))
    w = e.softmax(0)
    return torch.einsum("tb,tbh->bh", w, k).numpy(), w.numpy()


def additive_good(query, keys, W_q, W_k, v):
    e = np.tanh(query @ W_q.T + keys @ W_k.T) @ v
    w = np.exp(e - e.max(axis=0))
    w = w / w.sum(axis=0)
    return np.einsum("tb,tbh->bh", w, keys), w


def additive_loop(query, keys, W_q, W_k, v):
    T, B, _ = keys.shape
    e = np.empty((T, B))
    for t in range(T):
        for b in range(B):
            e[t, b] = v @ np.tanh(W_q @ query[b] + W_k @ keys[t, b])
    w = np.exp(e) / np.exp(e).sum(axis=0)
    return np.stack([w[:, b] @ keys[:, b] for b in range(B)]), w


def sampling_good(logits, k=None, p=None, temperature=1.0):
    z = logits / temperature
    if k is not None and k < len(z):
        z = np.where(z >= np.sort(z)[-k], z, -np.inf)
    probs = np.exp(z - z.max())
    probs /= probs.sum()
    if p is not None and p < 1:
        ranked = np.sort(probs)[::-1]
        last = ranked[np.searchsorted(np.cumsum(ranked), p)]
        probs = np.where(probs >= last, probs, 0.0)
        probs /= probs.sum()
    return probs


def sampling_torch(logits, k=None, p=None, temperature=1.0):
    return sampling_probs(torch.from_numpy(logits), temperature, k, p).numpy()


def beam_good(next_logprobs, beam_width, max_len, alpha=0.0, eos=0):
    beams, done = [((), 0.0)], []
    for _ in range(max_len):
        cands = [
            ((*toks, v), s + lp) for toks, s in beams for v, lp in enumerate(next_logprobs(toks))
        ]
        cands = sorted(cands, key=lambda c: c[1], reverse=True)[: beam_width - len(done)]
        beams = [c for c in cands if c[0][-1] != eos]
        done += [c for c in cands if c[0][-1] == eos]
        if not beams:
            break
    best = max(done + beams, key=lambda c: c[1] / len(c[0]) ** alpha)
    return list(best[0]), best[1] / len(best[0]) ** alpha


def beam_compete(next_logprobs, beam_width, max_len, alpha=0.0, eos=0):
    """Chapter 10's bookkeeping: a finished hypothesis keeps its slot and competes, unchanged,
    with the open ones' extensions; stop when every slot holds a finished one."""
    beam = [((), 0.0, False)]  # (tokens, summed log p, finished)
    for _ in range(max_len):
        pool = [c for c in beam if c[2]] + [
            ((*toks, v), s + lp, v == eos)
            for toks, s, done in beam
            if not done
            for v, lp in enumerate(next_logprobs(toks))
        ]
        beam = sorted(pool, key=lambda c: c[1], reverse=True)[:beam_width]
        if all(c[2] for c in beam):
            break
    best = max(beam, key=lambda c: c[1] / len(c[0]) ** alpha)
    return list(best[0]), best[1] / len(best[0]) ** alpha


def test_the_two_beam_bookkeepings_differ_on_a_graded_case() -> None:
    """Otherwise accepting both would test nothing: on some case a finished hypothesis is pushed
    out of chapter 10's beam by later extensions, or survives there when the shrinking beam
    would not have made room for it."""
    from rnncore.study.exercises.beam import beam_cases

    outcomes = [
        (beam_variant(lm, **o), beam_variant(lm, **o, finished_compete=True))
        for _, lm, o in beam_cases()
    ]
    assert any(leave[0] != compete[0] for leave, compete in outcomes)
    for _, lm, o in beam_cases():
        assert (
            beam_compete(lm, o["beam_width"], o["max_len"], o.get("alpha", 0.0))[0]
            == (beam_variant(lm, **o, finished_compete=True)[0])
        )


def beam_heap(next_logprobs, beam_width, max_len, alpha=0.0, eos=0):
    import heapq

    beams, done = [(0.0, [])], []
    for _ in range(max_len):
        room = beam_width - len(done)
        cands = heapq.nlargest(
            room,
            ((s + lp, [*toks, v]) for s, toks in beams for v, lp in enumerate(next_logprobs(toks))),
            key=lambda c: c[0],
        )
        done += [c for c in cands if c[1][-1] == eos]
        beams = [c for c in cands if c[1][-1] != eos]
        if not beams:
            break
    score, tokens = max(done + beams, key=lambda c: c[0] / len(c[1]) ** alpha)
    return np.array(tokens), np.float64(score / len(tokens) ** alpha)


def tbptt_good(model, ids, batch_size, window, optimizer, detach_after=False):
    cols = torch.from_numpy(streams(ids, batch_size))
    state, losses = None, []
    for s in range(0, cols.shape[0] - 1, window):
        y = cols[s + 1 : s + window + 1]
        x = cols[s : s + len(y)]
        if state is not None and not detach_after:
            state = tuple(h.detach() for h in state) if isinstance(state, tuple) else state.detach()
        logits, state = model(x, state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if detach_after:
            state = tuple(h.detach() for h in state) if isinstance(state, tuple) else state.detach()
        losses.append(loss.item())
    return losses


def tbptt_manual_layout(model, ids, batch_size, window, optimizer):
    L = len(ids) // batch_size
    rows = np.stack([ids[b * L : (b + 1) * L] for b in range(batch_size)])  # (B, L)
    state, out = None, []
    start = 0
    while start < L - 1:
        stop = min(start + window, L - 1)
        x = torch.as_tensor(rows[:, start:stop].T)
        y = torch.as_tensor(rows[:, start + 1 : stop + 1].T)
        if state is not None:
            state = [h.detach() for h in state] if isinstance(state, tuple) else state.detach()
            state = tuple(state) if isinstance(state, list) else state
        optimizer.zero_grad()
        logits, state = model(x, state)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss.backward()
        optimizer.step()
        out.append(float(loss.detach()))
        start = stop
    return out


@pytest.mark.parametrize(
    ("checker", "solution"),
    [
        (check_dot_attention, dot_good),
        (check_dot_attention, dot_torch),
        (check_additive_attention, additive_good),
        (check_additive_attention, additive_loop),
        (check_top_k_top_p, sampling_good),
        (check_top_k_top_p, sampling_torch),
        (check_beam_search, beam_good),
        (check_beam_search, beam_heap),
        (check_beam_search, beam_compete),
        (check_tbptt, tbptt_good),
        (check_tbptt, lambda *a: tbptt_good(*a, detach_after=True)),
        (check_tbptt, tbptt_manual_layout),
    ],
)
def test_correct_solutions_pass(checker: Callable, solution: Callable, capsys) -> None:
    result = checker(solution)
    assert result.passed, result.message
    assert "✓" in capsys.readouterr().out


# ---------------------------------------------------------------- broken solutions fail, named
def _dot(scale=None, masking="-inf", axis=0, stable=True):
    def fn(query, keys, mask=None):
        case = {"query": query, "keys": keys, "mask": mask}
        if not stable:
            e = np.einsum("tbh,bh->tb", keys, query) / np.sqrt(query.shape[1])
            e = e if mask is None else np.where(mask, e, -np.inf)
            with np.errstate(over="ignore", invalid="ignore"):
                w = np.exp(e) / np.exp(e).sum(axis=0)
            return np.einsum("tb,tbh->bh", w, keys), w
        return att.dot_variant(case, scale or "sqrt", masking, axis)

    return fn


def _additive(**kw):
    return lambda q, k, a, b, v: att.additive_variant(
        {"query": q, "keys": k, "W_q": a, "W_k": b, "v": v}, **kw
    )


def _sampling(**kw):
    return lambda z, k=None, p=None, temperature=1.0: sampling_variant(z, k, p, temperature, **kw)


def _beam(**kw):
    return lambda lm, K, max_len, alpha=0.0, eos=0: beam_variant(lm, K, max_len, alpha, **kw)


def _tbptt(**kw):
    from rnncore.study.exercises.tbptt import tbptt_variant

    return lambda m, ids, B, w, opt: tbptt_variant(m, ids, B, w, opt, **kw)


def tbptt_detaching(detach):
    """The loop written out, wrong only in how it cuts the carried state: ``detach(state)``, or
    never when ``detach`` is None."""

    def fn(model, ids, batch_size, window, optimizer):
        cols = torch.from_numpy(streams(ids, batch_size))
        state, losses = None, []
        for s in range(0, cols.shape[0] - 1, window):
            y = cols[s + 1 : s + window + 1]
            if state is not None and detach is not None:
                state = detach(state)
            logits, state = model(cols[s : s + len(y)], state)
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return fn


def tbptt_no_step(model, ids, batch_size, window, optimizer):
    class Frozen:
        def zero_grad(self):
            optimizer.zero_grad()

        def step(self):
            pass

    return tbptt_good(model, ids, batch_size, window, Frozen())


BROKEN = [
    (check_dot_attention, _dot(scale="none"), "did not scale"),
    (check_dot_attention, _dot(scale="H"), "not 1/H"),
    (check_dot_attention, _dot(axis=1), "axis 0 (time)"),
    (check_dot_attention, _dot(masking="ignored"), "ignored the mask"),
    (check_dot_attention, _dot(masking="inverted"), "inverted"),
    (check_dot_attention, _dot(masking="zero-score"), "-inf"),
    (check_dot_attention, _dot(masking="after-softmax"), "renormalising"),
    (check_dot_attention, _dot(stable=False), "subtract the largest score"),
    (check_dot_attention, _dot(masking="multiply-exp"), "multiplying exp(scores) by the mask"),
    (check_dot_attention, lambda q, k, m=None: dot_good(q, k, m)[::-1], "in that order"),
    (
        check_dot_attention,
        lambda q, k, m=None: (dot_good(q, k, m)[0], dot_good(q, k, m)[1].T),
        "(T, B)",
    ),
    (check_dot_attention, lambda q, k: dot_good(q, k), "raised TypeError"),
    (check_additive_attention, _additive(act=lambda a: a), "left out the tanh"),
    (check_additive_attention, _additive(act=lambda a: 1 / (1 + np.exp(-a))), "sigmoid"),
    (check_additive_attention, _additive(v_inside=True), "after the tanh"),
    (check_additive_attention, _additive(use_query=False), "query term"),
    (check_additive_attention, _additive(use_keys=False), "key term"),
    (check_additive_attention, _additive(axis=1), "axis 0 (time)"),
    (check_additive_attention, _additive(values="projected"), "projections"),
    (check_additive_attention, lambda q, k, a, b, v: additive_good(q, k, b, a, v), "raised"),
    (check_top_k_top_p, _sampling(temp="multiply"), "you multiplied"),
    (check_top_k_top_p, _sampling(temp="ignore"), "ignored the temperature"),
    (check_top_k_top_p, _sampling(k_offset=1), "k + 1"),
    (check_top_k_top_p, _sampling(k_offset=-1), "k - 1"),
    (check_top_k_top_p, _sampling(ties="break"), "Ties"),
    (check_top_k_top_p, _sampling(nucleus="exclude"), "crosses p"),
    (check_top_k_top_p, _sampling(p_on="before-k"), "after top-k"),
    (check_top_k_top_p, _sampling(p_on="raw"), "temperature before"),
    (check_top_k_top_p, lambda z, k=None, p=None, t=1.0: z / t, "not logits"),
    (check_top_k_top_p, lambda z, k=None, p=None, t=1.0: sampling_good(z, k, p, t) * 2, "sum to"),
    (check_top_k_top_p, lambda z, k=None, p=None, t=1.0: sampling_good(z, k, p, t)[:-1], "shape"),
    (check_beam_search, _beam(normalise="none"), "ignored alpha"),
    (check_beam_search, _beam(normalise="without-eos"), "Count eos"),
    (check_beam_search, lambda lm, K, n, a=0.0, e=0: beam_variant(lm, 1, n, a), "greedy"),
    (check_beam_search, _beam(shrink=False), "slot"),
    (check_beam_search, _beam(keep_unfinished=False), "open hypotheses count"),
    (check_beam_search, lambda *a: (beam_good(*a)[0], beam_good(*a)[1] * 2), "score"),
    (check_beam_search, lambda *a: beam_good(*a)[0], "pair (tokens, score)"),
    (check_tbptt, _tbptt(state_policy="reset"), "zero state"),
    (check_tbptt, _tbptt(layout="interleaved"), "continue each other"),
    (check_tbptt, _tbptt(shift=False), "shifted by one"),
    (check_tbptt, _tbptt(zero_grad=False), "zero_grad"),
    (check_tbptt, _tbptt(reduction="sum"), "mean cross-entropy"),
    (check_tbptt, tbptt_detaching(None), "detach it"),
    # an LSTM's state is the tuple (h, c), which has no .detach()
    (check_tbptt, tbptt_detaching(lambda state: state.detach()), "detach both"),
    (check_tbptt, tbptt_no_step, "optimizer.step()"),
    (check_tbptt, lambda *a: tbptt_good(*a)[:-1], "expected 5 windows"),
]


@pytest.mark.parametrize(("checker", "broken", "words"), BROKEN)
def test_broken_solutions_fail_with_a_useful_message(
    checker: Callable, broken: Callable, words: str, named_failure
) -> None:
    named_failure(checker, broken, words)


UNCATALOGUED = [
    (check_dot_attention, lambda q, k, m=None: (dot_good(q, k, m)[0] * 1.01, dot_good(q, k, m)[1])),
    (check_additive_attention, lambda *a: (additive_good(*a)[0], additive_good(*a)[1] ** 1.1)),
    (check_top_k_top_p, lambda z, k=None, p=None, t=1.0: sampling_good(np.round(z, 1), k, p, t)),
    (check_beam_search, lambda lm, K, n, a=0.0, e=0: beam_good(lm, K + 1, n, a)),
    (check_tbptt, lambda m, ids, B, w, opt: tbptt_good(m, ids[::-1].copy(), B, w, opt)),
]


@pytest.mark.parametrize(("checker", "broken"), UNCATALOGUED)
def test_mistakes_beyond_the_catalogue_still_fail(checker: Callable, broken: Callable) -> None:
    result = checker(broken, verbose=False)
    assert not result.passed and result.attempted and result.message
