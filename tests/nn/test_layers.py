from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnncore.nn.gradcheck import numerical_gradient, relative_error
from rnncore.nn.layers import (
    affine_backward,
    affine_forward,
    dropout_backward,
    dropout_forward,
    embedding_backward,
    embedding_forward,
    mse_loss,
    softmax_cross_entropy,
)

T, B, E, H, V, D = 4, 3, 5, 6, 7, 2
TOL = 1e-7


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def t64(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


# ---------------------------------------------------------------- embedding


def test_embedding_matches_torch_forward_and_backward(rng: np.random.Generator) -> None:
    ids = rng.integers(0, V, size=(T, B))
    ids[0, 0] = ids[1, 2]  # a repeated id must accumulate its gradients
    weight = rng.standard_normal((V, E))
    dout = rng.standard_normal((T, B, E))
    out, cache = embedding_forward(ids, weight)
    dweight = embedding_backward(dout, cache)

    emb = torch.nn.Embedding(V, E, dtype=torch.float64)
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(weight))
    ref = emb(torch.from_numpy(ids))
    ref.backward(torch.from_numpy(dout))
    assert out.shape == (T, B, E)
    assert relative_error(out, ref.detach().numpy()) == 0.0
    assert relative_error(dweight, emb.weight.grad.numpy()) < 1e-14


def test_embedding_gradcheck(rng: np.random.Generator) -> None:
    ids = rng.integers(0, V, size=(T, B))
    weight = rng.standard_normal((V, E))
    dout = rng.standard_normal((T, B, E))
    _, cache = embedding_forward(ids, weight)
    num = numerical_gradient(lambda: np.sum(embedding_forward(ids, weight)[0] * dout), weight)
    assert relative_error(embedding_backward(dout, cache), num) < TOL


def test_embedding_refuses_float_ids() -> None:
    with pytest.raises(
        TypeError, match="ids must be an integer array of token ids, got dtype float64"
    ):
        embedding_forward(np.zeros((T, B)), np.zeros((V, E)))


@pytest.mark.parametrize("bad", [-1, V])
def test_embedding_refuses_out_of_range_ids(bad: int) -> None:
    ids = np.zeros((T, B), dtype=int)
    ids[2, 1] = bad
    with pytest.raises(ValueError, match=rf"ids must lie in \[0, {V - 1}\] \(V={V}\), got {bad}"):
        embedding_forward(ids, np.zeros((V, E)))


def test_embedding_refuses_wrong_ids_shape_and_backward_shape() -> None:
    with pytest.raises(ValueError, match=r"ids must have shape \(T, B\), got \(4,\)"):
        embedding_forward(np.zeros(4, dtype=int), np.zeros((V, E)))
    with pytest.raises(ValueError, match="weight must have 2 dimensions"):
        embedding_forward(np.zeros((T, B), dtype=int), np.zeros(V))
    _, cache = embedding_forward(np.zeros((T, B), dtype=int), np.zeros((V, E)))
    with pytest.raises(ValueError, match=r"dout must have shape \(T, B, E\) = \(4, 3, 5\)"):
        embedding_backward(np.zeros((T, B, E + 1)), cache)


# ---------------------------------------------------------------- affine


@pytest.mark.parametrize("bias", [True, False])
def test_affine_matches_torch_linear(rng: np.random.Generator, bias: bool) -> None:
    h = rng.standard_normal((T, B, H))
    weight = rng.standard_normal((V, H))
    b = rng.standard_normal(V) if bias else None
    dout = rng.standard_normal((T, B, V))
    out, cache = affine_forward(h, weight, b)
    grads = affine_backward(dout, cache)

    lin = torch.nn.Linear(H, V, bias=bias, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(weight))
        if bias:
            lin.bias.copy_(torch.from_numpy(b))
    th = t64(h, grad=True)
    ref = lin(th)
    ref.backward(torch.from_numpy(dout))
    assert relative_error(out, ref.detach().numpy()) < 1e-14
    assert relative_error(grads["h"], th.grad.numpy()) < 1e-14
    assert relative_error(grads["weight"], lin.weight.grad.numpy()) < 1e-14
    if bias:
        assert relative_error(grads["bias"], lin.bias.grad.numpy()) < 1e-14
    else:
        assert grads["bias"] is None


def test_affine_gradcheck(rng: np.random.Generator) -> None:
    h = rng.standard_normal((T, B, H))
    weight = rng.standard_normal((V, H))
    b = rng.standard_normal(V)
    dout = rng.standard_normal((T, B, V))
    grads = affine_backward(dout, affine_forward(h, weight, b)[1])

    def f() -> float:
        return float(np.sum(affine_forward(h, weight, b)[0] * dout))

    for name, arr in (("h", h), ("weight", weight), ("bias", b)):
        assert relative_error(grads[name], numerical_gradient(f, arr)) < TOL, name


def test_affine_errors() -> None:
    with pytest.raises(
        ValueError, match=r"weight must have shape \(V, H\) = \(\?, 6\), got \(7, 5\)"
    ):
        affine_forward(np.zeros((T, B, H)), np.zeros((V, 5)))
    with pytest.raises(ValueError, match=r"bias must have shape \(V,\) = \(7\), got \(6,\)"):
        affine_forward(np.zeros((T, B, H)), np.zeros((V, H)), np.zeros(6))
    with pytest.raises(ValueError, match="h must have 3 dimensions, got shape"):
        affine_forward(np.zeros((B, H)), np.zeros((V, H)))
    with pytest.raises(TypeError, match="h must be a floating-point array, got dtype int"):
        affine_forward(np.zeros((T, B, H), dtype=int), np.zeros((V, H)))
    _, cache = affine_forward(np.zeros((T, B, H)), np.zeros((V, H)))
    with pytest.raises(ValueError, match=r"dout must have shape \(T, B, V\) = \(4, 3, 7\)"):
        affine_backward(np.zeros((T, B, H)), cache)


# ---------------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_matches_torch_with_ignore_mask(
    rng: np.random.Generator, reduction: str
) -> None:
    logits = rng.standard_normal((T, B, V)) * 3
    targets = rng.integers(0, V, size=(T, B))
    mask = np.ones((T, B), bool)
    mask[2:, 0] = False  # sequence 0 is padded after two steps
    mask[3, 2] = False
    padded = np.where(mask, targets, -100)  # torch's ignore_index; rnncore ignores masked targets
    loss, dlogits = softmax_cross_entropy(logits, padded, mask, reduction=reduction)

    tl = t64(logits, grad=True)
    ref = F.cross_entropy(
        tl.reshape(-1, V),
        torch.from_numpy(padded).reshape(-1),
        ignore_index=-100,
        reduction=reduction,
    )
    ref.backward()
    assert abs(loss - ref.item()) < 1e-13
    assert relative_error(dlogits, tl.grad.numpy()) < 1e-13


def test_cross_entropy_without_mask_and_with_01_mask(rng: np.random.Generator) -> None:
    logits = rng.standard_normal((T, B, V))
    targets = rng.integers(0, V, size=(T, B))
    ref = F.cross_entropy(t64(logits).reshape(-1, V), torch.from_numpy(targets).reshape(-1))
    assert abs(softmax_cross_entropy(logits, targets)[0] - ref.item()) < 1e-13
    ones = np.ones((T, B), dtype=int)
    assert (
        softmax_cross_entropy(logits, targets, ones)[0] == softmax_cross_entropy(logits, targets)[0]
    )


def test_cross_entropy_gradcheck_and_stability(rng: np.random.Generator) -> None:
    logits = rng.standard_normal((T, B, V))
    targets = rng.integers(0, V, size=(T, B))
    mask = rng.random((T, B)) > 0.3
    _, dlogits = softmax_cross_entropy(logits, targets, mask)
    num = numerical_gradient(lambda: softmax_cross_entropy(logits, targets, mask)[0], logits)
    assert relative_error(dlogits, num) < TOL
    big = np.zeros((1, 1, 3))
    big[0, 0] = [1000.0, 0.0, -1000.0]  # naive exp overflows here
    loss, d = softmax_cross_entropy(big, np.array([[1]]))
    assert loss == pytest.approx(1000.0) and np.all(np.isfinite(d))


def test_cross_entropy_errors() -> None:
    logits = np.zeros((T, B, V))
    good = np.zeros((T, B), dtype=int)
    with pytest.raises(
        TypeError, match="targets must be an integer array of class ids, got dtype float64"
    ):
        softmax_cross_entropy(logits, np.zeros((T, B)))
    with pytest.raises(
        ValueError, match=r"targets must have shape \(T, B\) = \(4, 3\), got \(3, 4\)"
    ):
        softmax_cross_entropy(logits, np.zeros((B, T), dtype=int))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 6\] \(V=7\), got 7"):
        softmax_cross_entropy(logits, good + 7)
    with pytest.raises(ValueError, match=r"mask must have shape \(T, B\) = \(4, 3\), got \(4,\)"):
        softmax_cross_entropy(logits, good, np.ones(T, bool))
    with pytest.raises(ValueError, match="mask must hold only 0/1"):
        softmax_cross_entropy(logits, good, np.full((T, B), 2))
    with pytest.raises(TypeError, match="mask must be boolean or 0/1 numbers, got dtype <U1"):
        softmax_cross_entropy(logits, good, np.full((T, B), "a"))
    with pytest.raises(ValueError, match="mask must keep at least one position"):
        softmax_cross_entropy(logits, good, np.zeros((T, B), bool))
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum', got 'max'"):
        softmax_cross_entropy(logits, good, reduction="max")
    with pytest.raises(ValueError, match="logits must be finite, got 1 NaN/inf"):
        bad = logits.copy()
        bad[0, 0, 0] = np.nan
        softmax_cross_entropy(bad, good)


# ---------------------------------------------------------------- MSE


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_matches_torch_with_mask(rng: np.random.Generator, reduction: str) -> None:
    pred = rng.standard_normal((T, B, D))
    target = rng.standard_normal((T, B, D))
    mask = np.ones((T, B), bool)
    mask[1:, 1] = False
    loss, dpred = mse_loss(pred, target, mask, reduction=reduction)
    tp = t64(pred, grad=True)
    keep = torch.from_numpy(mask)
    ref = F.mse_loss(tp[keep], t64(target)[keep], reduction=reduction)
    ref.backward()
    assert abs(loss - ref.item()) < 1e-13
    assert relative_error(dpred, tp.grad.numpy()) < 1e-13
    unmasked = F.mse_loss(t64(pred), t64(target)).item()
    assert abs(mse_loss(pred, target)[0] - unmasked) < 1e-13


def test_mse_gradcheck_and_errors(rng: np.random.Generator) -> None:
    pred = rng.standard_normal((T, B, D))
    target = rng.standard_normal((T, B, D))
    mask = rng.random((T, B)) > 0.3
    num = numerical_gradient(lambda: mse_loss(pred, target, mask)[0], pred)
    assert relative_error(mse_loss(pred, target, mask)[1], num) < TOL
    with pytest.raises(ValueError, match=r"target must have shape \(T, B, D\) = \(4, 3, 2\)"):
        mse_loss(pred, target[:, :, :1])
    with pytest.raises(ValueError, match="pred must have 3 dimensions"):
        mse_loss(pred[0], target[0])
    with pytest.raises(ValueError, match=r"mask must have shape \(T, B\)"):
        mse_loss(pred, target, np.ones((B, T), bool))


# ---------------------------------------------------------------- dropout


def test_dropout_statistics_and_gradient(rng: np.random.Generator) -> None:
    x = np.ones((200, 50, 10))
    p = 0.3
    out, cache = dropout_forward(x, p, train=True, rng=rng)
    kept = out != 0
    assert abs(kept.mean() - (1 - p)) < 0.01  # 100k Bernoulli draws: sd ~ 0.0015
    assert np.allclose(out[kept], 1 / (1 - p))  # survivors are scaled up ...
    assert abs(out.mean() - 1.0) < 0.02  # ... so the mean is preserved
    dout = rng.standard_normal(x.shape)
    dx = dropout_backward(dout, cache)
    assert np.array_equal(dx, dout * out)  # x = 1, so out is exactly the scale


def test_dropout_gradcheck_and_seeding() -> None:
    x = np.random.default_rng(1).standard_normal((T, B, H))
    dout = np.random.default_rng(2).standard_normal((T, B, H))
    _, cache = dropout_forward(x, 0.5, rng=np.random.default_rng(3))

    def f() -> float:
        return float(np.sum(dropout_forward(x, 0.5, rng=np.random.default_rng(3))[0] * dout))

    assert relative_error(dropout_backward(dout, cache), numerical_gradient(f, x)) < TOL
    a = dropout_forward(x, 0.5, rng=np.random.default_rng(3))[0]
    b = dropout_forward(x, 0.5, rng=np.random.default_rng(4))[0]
    assert np.array_equal(a, dropout_forward(x, 0.5, rng=np.random.default_rng(3))[0])
    assert not np.array_equal(a, b)


def test_dropout_eval_and_p0_are_identity() -> None:
    x = np.random.default_rng(0).standard_normal((T, B, H))
    for out, cache in (dropout_forward(x, 0.5, train=False), dropout_forward(x, 0.0)):
        assert np.array_equal(out, x)
        assert np.array_equal(dropout_backward(x, cache), x)


def test_dropout_errors() -> None:
    x = np.zeros((T, B, H))
    for bad in (1.0, -0.1, True, "0.5"):
        with pytest.raises(ValueError, match=r"p must be a float in \[0, 1\), got"):
            dropout_forward(x, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator .* got NoneType"):
        dropout_forward(x, 0.5)
    with pytest.raises(TypeError, match="x must be a floating-point array"):
        dropout_forward(np.zeros(3, dtype=int), 0.5, rng=np.random.default_rng(0))
    _, cache = dropout_forward(x, 0.5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"dout must have shape x.shape = \(4, 3, 6\)"):
        dropout_backward(np.zeros((T, B)), cache)
