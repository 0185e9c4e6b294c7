from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import rnncore
from rnncore.nn.functional import log_softmax, sigmoid, softmax
from rnncore.nn.gradcheck import numerical_gradient, relative_error
from rnncore.utils import check_array, check_ids, check_shape


def test_set_seed_makes_python_numpy_and_torch_repeat() -> None:
    draws = []
    for _ in range(2):
        rnncore.set_seed(123)
        draws.append((random.random(), np.random.rand(), float(torch.rand(1))))  # noqa: NPY002
    assert draws[0] == draws[1]


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_set_seed_rejects_bad_seed(bad: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        rnncore.set_seed(bad)  # type: ignore[arg-type]


def test_set_threads_sets_torch_threads() -> None:
    before = torch.get_num_threads()
    try:
        rnncore.set_threads(1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ValueError, match="n must be a positive int"):
        rnncore.set_threads(0)


def test_sigmoid_is_stable_and_exact() -> None:
    a = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(a)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    mid = np.linspace(-20, 20, 101)
    np.testing.assert_allclose(sigmoid(mid), 1 / (1 + np.exp(-mid)), rtol=1e-14, atol=1e-16)


def test_softmax_is_stable() -> None:
    z = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(z)
        lp = log_softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(lp), p, atol=1e-15)
    np.testing.assert_allclose(p[1], torch.softmax(torch.tensor(z[1]), 0).numpy(), rtol=1e-14)


def test_numerical_gradient_of_a_known_function() -> None:
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    grad = numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    assert relative_error(grad, np.cos(x) * x + np.sin(x)) < 1e-9
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, x.astype(np.float32))


def test_relative_error_is_scale_free_and_checks_shapes() -> None:
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(1e6 * a, 1e6 * (a + np.array([0.0, 1e-8]))) == pytest.approx(5e-9)
    with pytest.raises(ValueError, match="same shape"):
        relative_error(a, np.ones(3))


def test_check_array_refuses_ints_nan_and_wrong_ndim() -> None:
    with pytest.raises(TypeError, match="x must be a floating-point array, got dtype int64"):
        check_array(np.arange(3), "x")
    with pytest.raises(ValueError, match="x must be finite"):
        check_array(np.array([1.0, np.nan]), "x")
    with pytest.raises(ValueError, match=r"x must have 3 dimensions, got shape \(2,\)"):
        check_array(np.ones(2), "x", ndim=3)
    with pytest.raises(
        ValueError, match=r"h0 must have shape \(L, B, H\) = \(1, \?, 4\), got \(1, 2, 5\)"
    ):
        check_shape(np.ones((1, 2, 5)), "h0", (1, None, 4), "(L, B, H)")


def test_check_ids_returns_int64_and_names_dtype_shape_and_range() -> None:
    ids = check_ids(torch.tensor([[0, 4]], dtype=torch.int32), "src", 5, ndim=2, letters="(S, B)")
    assert ids.dtype == np.int64 and ids.tolist() == [[0, 4]]
    assert check_ids([3, 1], "ids").tolist() == [3, 1]
    with pytest.raises(
        TypeError, match="ids must be an integer array of token ids, got dtype float"
    ):
        check_ids(np.zeros(3), "ids")
    with pytest.raises(ValueError, match=r"x must have shape \(T, B\), got \(4,\)"):
        check_ids(np.arange(4), "x", ndim=2, letters="(T, B)")
    with pytest.raises(ValueError, match=r"x must have shape \(\?, \?\), got \(4,\)"):
        check_ids(np.arange(4), "x", ndim=2)
    with pytest.raises(ValueError, match=r"src must have non-empty shape \(S, B\), got \(0, 2\)"):
        check_ids(np.zeros((0, 2), int), "src", ndim=2, letters="(S, B)", nonempty=True)
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 2\] \(V=3\), got -1"):
        check_ids([0, -1, 7], "targets", 3)
    assert check_ids(np.zeros((0, 2), int), "ids", 3, ndim=2).shape == (0, 2)  # empty is fine


def test_lazy_exports_resolve_and_import_of_rnncore_stays_light() -> None:
    import subprocess
    import sys

    for name in rnncore.__all__:
        assert getattr(rnncore, name) is not None
    probe = "import sys, rnncore; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "import rnncore must not import torch"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = rnncore.nope  # type: ignore[attr-defined]
