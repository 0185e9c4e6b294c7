"""rnncore.nn.ctc: the CTC loss and gradient equal torch's (float64, logits), the lattices obey
their identities, brute force agrees, long inputs do not underflow, and bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.nn.ctc import (
    ctc_alignment_posterior,
    ctc_alpha_step,
    ctc_backward_lattice,
    ctc_beta_step,
    ctc_forward_lattice,
    ctc_loss,
)
from rnncore.nn.ctc_paths import alignments, extend_with_blanks, min_input_length, skip_allowed
from rnncore.nn.gradcheck import numerical_gradient, relative_error


def torch_ctc(logits, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    """torch's losses (B,) and the autograd gradient of their sum with respect to the logits."""
    x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    losses = torch.nn.functional.ctc_loss(
        x.log_softmax(-1),
        torch.as_tensor(targets),
        torch.as_tensor(input_lengths),
        torch.as_tensor(target_lengths),
        blank=blank,
        reduction="none",
        zero_infinity=zero_infinity,
    )
    losses.sum().backward()
    return losses.detach().numpy(), x.grad.numpy()


def log_softmax(x: np.ndarray) -> np.ndarray:
    return torch.tensor(x).log_softmax(-1).numpy()


CASES = {
    # name: (T, C, targets, input_lengths, target_lengths)
    "distinct labels": (10, 5, [[1, 2, 3]], [10], [3]),
    "repeated labels": (12, 4, [[2, 2, 2, 1]], [12], [4]),
    "empty target": (6, 3, [[1]], [6], [0]),
    "shortest feasible input": (6, 4, [[1, 1, 2, 2]], [6], [4]),
    "unequal lengths in one batch": (
        15,
        6,
        [[1, 2, 2, 3, 4], [5, 5, 0, 0, 0], [3, 1, 4, 1, 5], [2, 0, 0, 0, 0]],
        [15, 9, 11, 4],
        [5, 2, 5, 1],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_loss_and_gradient_equal_torch_in_float64(case: str) -> None:
    T, C, targets, input_lengths, target_lengths = CASES[case]
    if case == "shortest feasible input":  # "1 1 2 2" needs 4 labels + 2 separating blanks
        assert T == min_input_length(targets[0]) == 6
    rng = np.random.default_rng(0)
    logits = 2.0 * rng.standard_normal((T, len(targets), C))
    losses, grad = ctc_loss(logits, np.array(targets), np.array(input_lengths), target_lengths)
    want, want_grad = torch_ctc(logits, targets, input_lengths, target_lengths)
    assert np.all(np.isfinite(losses))
    np.testing.assert_allclose(losses, want, rtol=1e-9, atol=0)
    assert relative_error(grad, want_grad) < 1e-9
    # gradient is zero on frames past each input's end
    for b, n in enumerate(input_lengths):
        assert np.all(grad[n:, b] == 0)


def test_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((7, 2, 4))
    targets, il, tl = np.array([[1, 1, 3], [2, 3, 0]]), np.array([7, 5]), np.array([3, 2])
    _, grad = ctc_loss(logits, targets, il, tl)
    numeric = numerical_gradient(lambda: float(ctc_loss(logits, targets, il, tl)[0].sum()), logits)
    assert relative_error(grad, numeric) < 1e-7


def test_gradient_is_softmax_minus_alignment_posterior() -> None:
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((9, 1, 5))
    target = [4, 2, 2]
    _, grad = ctc_loss(logits, np.array([target]), np.array([9]), np.array([3]))
    lp = log_softmax(logits[:, 0])
    gamma = ctc_alignment_posterior(lp, target)
    np.testing.assert_allclose(grad[:, 0], np.exp(lp) - gamma, atol=1e-12)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0)  # each frame's posterior is a distribution
    np.testing.assert_allclose(grad.sum(axis=2), 0.0, atol=1e-12)  # so the gradient sums to zero
    assert np.all(gamma[:, [1, 3]] == 0)  # classes not in the target have no posterior


def test_torch_gradient_on_log_probs_already_includes_the_softmax() -> None:
    """torch returns exp(log_probs) - posterior for log_probs, not the partial derivative
    -posterior; both give the same gradient on the logits, which is what we compare."""
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((6, 1, 4))
    lp = torch.tensor(log_softmax(logits), requires_grad=True)
    torch.nn.functional.ctc_loss(
        lp, torch.tensor([[1, 2]]), torch.tensor([6]), torch.tensor([2]), reduction="sum"
    ).backward()
    gamma = ctc_alignment_posterior(lp.detach().numpy()[:, 0], [1, 2])
    np.testing.assert_allclose(lp.grad.numpy()[:, 0], np.exp(lp.detach().numpy()[:, 0]) - gamma)


def test_forward_recursion_equals_brute_force_sum_over_alignments() -> None:
    rng = np.random.default_rng(4)
    for target in ([1, 2], [2, 2], [1, 2, 1], []):
        T, C = 6, 3
        lp = log_softmax(rng.standard_normal((T, C)))
        paths = list(alignments(target, T, C))
        brute = sum(np.exp(lp[np.arange(T), list(p)].sum()) for p in paths)
        log_alpha, log_p = ctc_forward_lattice(lp, target)
        assert np.isclose(np.exp(log_p), brute, rtol=1e-12)
        # with every probability 1 the recursion counts the paths
        _, log_count = ctc_forward_lattice(np.zeros((T, C)), target)
        assert round(np.exp(log_count)) == len(paths)
        assert log_alpha.shape == (T, 2 * len(target) + 1)


def test_alpha_times_beta_sums_to_p_at_every_frame() -> None:
    rng = np.random.default_rng(5)
    lp = log_softmax(rng.standard_normal((11, 5)))
    target = [3, 3, 1, 4]
    log_alpha, log_p = ctc_forward_lattice(lp, target)
    log_beta = ctc_backward_lattice(lp, target)
    np.testing.assert_allclose(np.logaddexp.reduce(log_alpha + log_beta, axis=1), log_p)


def test_step_functions_are_the_recursions() -> None:
    rng = np.random.default_rng(6)
    lp = log_softmax(rng.standard_normal((8, 4)))
    target = [1, 2, 2]
    ext = extend_with_blanks(target)
    skip = skip_allowed(ext)
    assert skip.tolist() == [False, False, False, True, False, False, False]
    log_alpha, _ = ctc_forward_lattice(lp, target)
    log_beta = ctc_backward_lattice(lp, target)
    for t in range(1, 8):
        np.testing.assert_allclose(ctc_alpha_step(log_alpha[t - 1], lp[t, ext], skip), log_alpha[t])
        np.testing.assert_allclose(ctc_beta_step(log_beta[t], lp[t, ext], skip), log_beta[t - 1])


def test_thousand_frames_do_not_underflow() -> None:
    rng = np.random.default_rng(7)
    T, C, S = 1000, 20, 150
    logits = 3.0 * rng.standard_normal((T, 2, C))
    targets = rng.integers(1, C, size=(2, S))
    il, tl = np.array([1000, 700]), np.array([150, 90])
    losses, grad = ctc_loss(logits, targets, il, tl)
    want, want_grad = torch_ctc(logits, targets, il, tl)
    assert np.all(losses > 700)  # p far below the smallest float64, exp(-745)
    np.testing.assert_allclose(losses, want, rtol=1e-9)
    assert relative_error(grad, want_grad) < 1e-9


def test_float32_in_float32_out() -> None:
    rng = np.random.default_rng(8)
    logits = rng.standard_normal((8, 2, 4)).astype(np.float32)
    losses, grad = ctc_loss(logits, np.array([[1, 2], [3, 3]]), np.array([8, 8]), np.array([2, 2]))
    assert losses.dtype == grad.dtype == np.float32
    want, _ = torch_ctc(logits.astype(np.float64), [[1, 2], [3, 3]], [8, 8], [2, 2])
    np.testing.assert_allclose(losses, want, rtol=1e-6)


def test_infeasible_pair_is_infinite_or_zeroed_as_in_torch() -> None:
    rng = np.random.default_rng(9)
    logits = rng.standard_normal((3, 2, 4))
    targets, il, tl = np.array([[1, 1, 1], [1, 2, 3]]), np.array([3, 3]), np.array([3, 3])
    assert min_input_length([1, 1, 1]) == 5 > 3
    # one frame short of the shortest feasible input is already impossible
    short = ctc_loss(np.zeros((5, 1, 3)), np.array([[1, 1, 2, 2]]), np.array([5]), np.array([4]))
    assert short[0][0] == np.inf
    losses, grad = ctc_loss(logits, targets, il, tl)
    want, want_grad = torch_ctc(logits, targets, il, tl)
    assert losses[0] == np.inf == want[0] and np.isfinite(losses[1])
    assert np.isnan(grad[:, 0]).all() and np.isnan(want_grad[:, 0]).all()
    losses, grad = ctc_loss(logits, targets, il, tl, zero_infinity=True)
    want, want_grad = torch_ctc(logits, targets, il, tl, zero_infinity=True)
    assert losses[0] == 0 and np.all(grad[:, 0] == 0)
    np.testing.assert_allclose(losses, want)
    np.testing.assert_allclose(grad, want_grad, atol=1e-12)


def test_zero_length_input() -> None:
    logits = np.zeros((3, 2, 4))
    losses, grad = ctc_loss(logits, np.array([[1], [1]]), np.array([0, 0]), np.array([0, 1]))
    want, _ = torch_ctc(logits, [[1], [1]], [0, 0], [0, 1])
    assert losses[0] == 0 and losses[1] == np.inf
    np.testing.assert_allclose(losses, want)
    assert np.all(grad == 0)


def test_other_blank_index() -> None:
    rng = np.random.default_rng(10)
    logits = rng.standard_normal((7, 1, 4))
    losses, grad = ctc_loss(logits, np.array([[0, 1, 1]]), np.array([7]), np.array([3]), blank=3)
    want, want_grad = torch_ctc(logits, [[0, 1, 1]], [7], [3], blank=3)
    np.testing.assert_allclose(losses, want, rtol=1e-9)
    assert relative_error(grad, want_grad) < 1e-9


def test_alignment_posterior_refuses_infeasible_target() -> None:
    with pytest.raises(ValueError, match="at least 3 frames"):
        ctc_alignment_posterior(log_softmax(np.zeros((2, 3))), [1, 1])


GOOD = {
    "logits": np.zeros((5, 2, 4)),
    "targets": np.array([[1, 2], [3, 0]]),
    "input_lengths": np.array([5, 4]),
    "target_lengths": np.array([2, 1]),
}


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"logits": np.zeros((5, 4))}, ValueError, "logits must have 3 dimensions"),
        ({"logits": np.zeros((5, 2, 4), dtype=int)}, TypeError, "logits must be a floating"),
        ({"logits": np.full((5, 2, 4), np.nan)}, ValueError, "logits must be finite"),
        ({"targets": np.array([[1, 2]])}, ValueError, "targets must have batch size B=2"),
        ({"targets": np.array([1, 2])}, ValueError, r"targets must have shape \(B, S\)"),
        ({"targets": np.array([[1.0, 2.0], [3.0, 0.0]])}, TypeError, "targets must hold integers"),
        ({"targets": np.array([[1, 4], [3, 0]])}, ValueError, r"class ids in \[0, C=4\), got 4"),
        ({"targets": np.array([[1, -1], [3, 0]])}, ValueError, r"class ids in \[0, C=4\), got -1"),
        ({"targets": np.array([[1, 0], [3, 0]])}, ValueError, "never equal blank=0"),
        ({"input_lengths": np.array([5])}, ValueError, "input_lengths must have batch size"),
        ({"input_lengths": np.array([6, 4])}, ValueError, "input_lengths must be at most T=5"),
        ({"input_lengths": np.array([-1, 4])}, ValueError, "input_lengths must be non-negative"),
        ({"target_lengths": np.array([3, 1])}, ValueError, "target_lengths must be at most S=2"),
        ({"target_lengths": np.array([2, -1])}, ValueError, "target_lengths must be non-negative"),
        ({"target_lengths": np.array([2.0, 1.0])}, TypeError, "target_lengths must hold integers"),
    ],
)
def test_bad_input_names_the_argument(change, error, match) -> None:
    with pytest.raises(error, match=match):
        ctc_loss(**{**GOOD, **change})


@pytest.mark.parametrize("blank", [-1, 4, 1.0, True])
def test_bad_blank(blank) -> None:
    with pytest.raises(ValueError, match=r"blank must be an int in \[0, C=4\)"):
        ctc_loss(**GOOD, blank=blank)
