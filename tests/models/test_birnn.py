"""RecurrentTagger: shapes, the losses and errors (the parameter count: tests/nn/test_cells.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.models.birnn import RecurrentTagger, predict, token_loss


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_tagger_shapes(mode: str, bidirectional: bool) -> None:
    x = torch.randint(0, 6, (3, 5))
    tag = RecurrentTagger(6, 4, 8, mode, num_layers=2, bidirectional=bidirectional)
    assert tag(x).shape == (3, 5, 4)
    cls = RecurrentTagger(6, 4, 8, mode, num_layers=2, bidirectional=bidirectional, readout="last")
    assert cls(x).shape == (3, 4)


def test_last_readout_uses_top_layer_h_n() -> None:
    torch.manual_seed(0)
    model = RecurrentTagger(6, 3, 8, "gru", num_layers=2, bidirectional=True, readout="last")
    x = torch.randint(0, 6, (4, 7))
    out, _ = model.rnn(model.embed(x))
    # forward direction after the last token, backward direction after the first token
    h = torch.cat([out[:, -1, :8], out[:, 0, 8:]], dim=-1)
    torch.testing.assert_close(model(x), model.head(h))


def test_causal_tagger_output_ignores_the_future() -> None:
    model = RecurrentTagger(6, 3, 8, "lstm", num_layers=2)
    x = torch.randint(0, 6, (2, 9))
    y = x.clone()
    y[:, 5:] = (y[:, 5:] + 1) % 6  # change only the future of step 4
    torch.testing.assert_close(model(x)[:, :5], model(y)[:, :5])
    bi = RecurrentTagger(6, 3, 8, "lstm", bidirectional=True)
    assert not torch.allclose(bi(x)[:, :5], bi(y)[:, :5])


def test_seed_fixes_initialisation_without_touching_global_rng() -> None:
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = RecurrentTagger(5, 2, 4, seed=7)
    after = torch.rand(1)
    b = RecurrentTagger(5, 2, 4, seed=7)
    assert torch.equal(before, after)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_token_loss_and_predict() -> None:
    model = RecurrentTagger(5, 3, 4)
    x = np.random.default_rng(0).integers(0, 5, (2, 6))
    y = np.zeros((2, 6), dtype=np.int64)
    loss = token_loss(model, (x, y))
    assert loss.ndim == 0 and loss.item() > 0
    assert predict(model, x).shape == (2, 6)
    assert model.training  # predict restores the mode
    with pytest.raises(ValueError, match="y must have shape"):
        token_loss(model, (x, y[:, :3]))


def test_tagger_errors() -> None:
    with pytest.raises(ValueError, match="mode"):
        RecurrentTagger(5, 2, mode="tcn")
    with pytest.raises(ValueError, match="readout"):
        RecurrentTagger(5, 2, readout="mean")
    model = RecurrentTagger(5, 2, 4)
    with pytest.raises(ValueError, match="integer token ids"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"ids in \[0, 5\)"):
        model(torch.tensor([[0, 5]]))
