from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.nn.charmodel import CharModel
from rnncore.nn.gradcheck import numerical_gradient, relative_error
from rnncore.nn.optim import Adam

T, B, V, E, H = 5, 3, 6, 4, 7
TORCH_CELLS = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size=(T, B))
    targets = rng.integers(0, V, size=(T, B))
    mask = np.ones((T, B), bool)
    mask[3:, 1] = False  # sequence 1 is padded after three steps
    return ids, targets, mask


class TorchTwin(torch.nn.Module):
    """The same model in torch, with the parameter names CharModel uses."""

    def __init__(self, mode: str, embedding: bool, layers: int) -> None:
        super().__init__()
        self.embedding = torch.nn.Embedding(V, E, dtype=torch.float64) if embedding else None
        self.rnn = TORCH_CELLS[mode](E if embedding else V, H, layers, dtype=torch.float64)
        self.head = torch.nn.Linear(H, V, dtype=torch.float64)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if self.embedding is None:
            x = torch.nn.functional.one_hot(ids, V).double()
        else:
            x = self.embedding(ids)
        return self.head(self.rnn(x)[0])


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("embedding", [True, False])
def test_loss_and_gradients_match_torch(mode: str, embedding: bool) -> None:
    model = CharModel(V, H, E if embedding else None, mode=mode, num_layers=2, seed=1)
    twin = TorchTwin(mode, embedding, 2)
    state = twin.state_dict()
    assert set(state) == set(model.params)  # the same names, so weights copy across
    twin.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.params.items()})
    ids, targets, mask = batch()
    loss = model.forward(ids, targets, mask)
    grads = model.backward()
    logits = twin(torch.from_numpy(ids))
    ignored = torch.from_numpy(np.where(mask, targets, -100))
    ref = torch.nn.functional.cross_entropy(logits.reshape(-1, V), ignored.reshape(-1))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    assert set(grads) == set(model.params)
    for name, p in twin.named_parameters():
        assert relative_error(grads[name], p.grad.numpy()) < 1e-10, name


def test_gradcheck_every_parameter() -> None:
    model = CharModel(V, 3, 2, mode="gru", seed=2)
    ids, targets, mask = batch(1)
    model.forward(ids, targets, mask)
    grads = model.backward()
    for name, p in model.params.items():
        num = numerical_gradient(lambda: model.forward(ids, targets, mask), p)
        assert relative_error(grads[name], num) < 1e-7, name


def test_overfits_a_small_batch() -> None:
    text = ["hello world", "recurrent!!"]
    vocab = sorted(set("".join(text)))
    codes = np.array([[vocab.index(c) for c in s] for s in text]).T  # (T, B) = (11, 2)
    ids, targets = codes[:-1], codes[1:]
    model = CharModel(len(vocab), 32, 8, seed=0)
    opt = Adam(model.params, lr=0.02)
    losses = [model.step(ids, targets, opt, max_norm=5.0) for _ in range(150)]
    assert losses[0] > 2.0  # about log V = log 15 = 2.7 at the start
    assert losses[-1] < 0.05  # memorised
    logits, _ = model.logits(ids)
    assert np.array_equal(logits.argmax(axis=-1), targets)


def test_truncate_reaches_the_recurrent_layer() -> None:
    model = CharModel(V, H, E, seed=3)
    ids, targets, mask = batch()
    model.forward(ids, targets, mask)
    full = model.backward()
    model.forward(ids, targets, mask)
    cut = model.backward(truncate=1)
    assert relative_error(full["head.weight"], cut["head.weight"]) == 0.0  # not recurrent
    assert relative_error(full["rnn.weight_hh_l0"], cut["rnn.weight_hh_l0"]) > 1e-3
    model.forward(ids, targets, mask)
    assert (
        relative_error(model.backward(truncate=T)["rnn.weight_hh_l0"], full["rnn.weight_hh_l0"])
        < 1e-14
    )


def test_logits_last_state_and_carry() -> None:
    model = CharModel(V, H, None, mode="lstm", seed=4)
    ids, targets, _ = batch()
    logits, (h_n, _) = model.logits(ids)
    assert logits.shape == (T, B, V) and h_n.shape == (1, B, H)
    model.forward(ids, targets)
    assert np.array_equal(model.last_state[0], h_n)
    # running the two halves with the state carried equals running the whole
    first, state = model.logits(ids[:2])
    second, _ = model.logits(ids[2:], state)
    assert np.allclose(np.concatenate([first, second]), logits, atol=1e-14)


def test_optimiser_updates_the_recurrent_layer_in_place() -> None:
    model = CharModel(V, H, E, seed=5)
    assert model.params["rnn.weight_hh_l0"] is model.rnn.params["weight_hh_l0"]
    before = model.rnn.params["weight_hh_l0"].copy()
    ids, targets, _ = batch()
    model.step(ids, targets, Adam(model.params, lr=0.1))
    assert not np.allclose(model.rnn.params["weight_hh_l0"], before)


def test_errors() -> None:
    model = CharModel(V, H, E, seed=0)
    with pytest.raises(RuntimeError, match=r"backward\(\) needs a forward\(\) first"):
        model.backward()
    ids, targets, _ = batch()
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 5\] \(V=6\), got 6"):
        model.forward(ids + 1, targets)
    with pytest.raises(TypeError, match="ids must be an integer array"):
        model.forward(ids.astype(float), targets)
    with pytest.raises(ValueError, match=r"targets must have shape \(T, B\)"):
        model.forward(ids, targets[:2])
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        CharModel(0, H)
    with pytest.raises(ValueError, match="embedding_size must be a positive int"):
        CharModel(V, H, 0)
    with pytest.raises(ValueError, match="mode must be one of"):
        CharModel(V, H, mode="transformer")
    with pytest.raises(ValueError, match="truncate must be None or a positive int"):
        model.forward(ids, targets)
        model.backward(truncate=0)
