"""WindowMLP sees exactly the last k tokens."""

from __future__ import annotations

import pytest
import torch

from rnncore.models.window_mlp import WindowMLP


def test_output_depends_only_on_the_window() -> None:
    model = WindowMLP(4, 3, window=3, hidden_size=8)
    x = torch.randint(0, 4, (5, 9))
    y = x.clone()
    y[:, :6] = (y[:, :6] + 1) % 4  # change everything before the window
    assert model(x).shape == (5, 3)
    torch.testing.assert_close(model(x), model(y))
    z = x.clone()
    z[:, -1] = (z[:, -1] + 1) % 4
    assert not torch.allclose(model(x), model(z))


def test_parameter_count_grows_with_the_window() -> None:
    def count(k: int) -> int:
        return sum(p.numel() for p in WindowMLP(4, 3, window=k, hidden_size=8).parameters())

    assert count(5) - count(4) == 4 * 8  # one more one-hot block of V inputs into H units


def test_errors() -> None:
    model = WindowMLP(4, 3, window=3)
    with pytest.raises(ValueError, match="T >= window=3"):
        model(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="integer token ids"):
        model(torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"ids in \[0, 4\)"):
        model(torch.full((1, 3), 4))
    with pytest.raises(ValueError, match="window"):
        WindowMLP(4, 3, window=0)
