"""The diagonal SSM: zero-order hold is exact, the recurrent and convolution views agree, the
FFT convolution is causal, and bad input fails naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.nn.ssm import (
    causal_conv_fft,
    discretize_zoh,
    s4d_init,
    ssm_convolutional,
    ssm_kernel,
    ssm_recurrent,
)


@pytest.mark.parametrize("kind", ["lin", "real"])
def test_recurrent_and_convolutional_views_agree(kind: str) -> None:
    p = s4d_init(4, 8, kind, seed=0)
    A_bar, B_bar = discretize_zoh(p["A"], p["B"], p["dt"])
    u = np.random.default_rng(1).standard_normal((300, 2, 4))
    y_rec = ssm_recurrent(u, A_bar, B_bar, p["C"], p["D"])
    y_seq = ssm_recurrent(u, A_bar, B_bar, p["C"], p["D"], method="sequential")
    y_conv = ssm_convolutional(u, A_bar, B_bar, p["C"], p["D"])
    scale = np.abs(y_rec).max()
    assert np.abs(y_rec - y_seq).max() < 1e-12 * scale
    assert np.abs(y_rec - y_conv).max() < 1e-12 * scale


def test_zoh_is_exact_for_a_held_input() -> None:
    # one real mode x' = l x + b u, u = 1 held, x(0) = 0: x(t) = b (e^{lt} - 1) / l
    A, B, dt = np.array([[-0.7 + 0j]]), np.array([[2.0 + 0j]]), np.array([0.3])
    A_bar, B_bar = discretize_zoh(A, B, dt)
    _, x = ssm_recurrent(np.ones((5, 1, 1)), A_bar, B_bar, np.ones((1, 1)), return_state=True)
    t = 0.3 * np.arange(1, 6)
    exact = 2.0 * (np.exp(-0.7 * t) - 1) / -0.7
    assert np.allclose(x[:, 0, 0, 0].real, exact, atol=1e-14)


def test_kernel_is_the_impulse_response() -> None:
    p = s4d_init(3, 5, seed=2)
    A_bar, B_bar = discretize_zoh(p["A"], p["B"], p["dt"])
    impulse = np.zeros((20, 1, 3))
    impulse[0] = 1.0
    y = ssm_recurrent(impulse, A_bar, B_bar, p["C"])
    assert np.allclose(y[:, 0], ssm_kernel(A_bar, B_bar, p["C"], 20), atol=1e-13)


def test_fft_convolution_is_causal_and_exact() -> None:
    rng = np.random.default_rng(3)
    u, K = rng.standard_normal((16, 2, 3)), rng.standard_normal((16, 3))
    direct = np.stack([sum(K[j] * u[k - j] for j in range(k + 1)) for k in range(16)])
    assert np.allclose(causal_conv_fft(u, K), direct, atol=1e-12)
    later = u.copy()
    later[10:] += 5.0
    assert np.allclose(causal_conv_fft(u, K)[:10], causal_conv_fft(later, K)[:10])


def test_discretised_model_is_stable() -> None:
    p = s4d_init(6, 16, seed=4)
    A_bar, _ = discretize_zoh(p["A"], p["B"], p["dt"])
    assert np.all(np.abs(A_bar) < 1)


def test_bad_input_names_the_argument() -> None:
    p = s4d_init(2, 3, seed=0)
    with pytest.raises(ValueError, match="dt must be positive"):
        discretize_zoh(p["A"], p["B"], -p["dt"])
    with pytest.raises(ValueError, match="negative real part"):
        discretize_zoh(-p["A"], p["B"], p["dt"])
    with pytest.raises(ValueError, match="B must have shape"):
        discretize_zoh(p["A"], p["B"][:, :2], p["dt"])
    with pytest.raises(ValueError, match="K must have shape"):
        causal_conv_fft(np.ones((4, 1, 2)), np.ones((5, 2)))
    with pytest.raises(TypeError, match="u must be a floating-point"):
        ssm_convolutional(
            np.ones((4, 1, 2), dtype=int), *discretize_zoh(p["A"], p["B"], p["dt"]), p["C"]
        )
    with pytest.raises(ValueError, match="A_bar must have shape"):
        ssm_recurrent(np.ones((4, 1, 3)), *discretize_zoh(p["A"], p["B"], p["dt"]), p["C"])
    with pytest.raises(ValueError, match="kind must be"):
        s4d_init(2, 3, kind="hippo")
