"""models/network/crnn.py by hand: the layers each setting builds, the shapes a forward pass
gives, the forward pass against torch's functional operations on the same weights, the
classifier's standardisation and batching against a plain computation, the FLOP count by
hand (``make mutation``'s network target; untrained networks, no training)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.network.config import NetworkConfig
from hyperspectral_crnn.models.network.crnn import (
    Compute,
    Crnn,
    PixelClassifier,
    count_flops,
    load_state,
    resolve_device,
    state_to_numpy,
)

TINY = NetworkConfig(conv_channels=(3, 4), kernel_sizes=(5, 3), pool_sizes=(2, 1),
                     first_stride=2, rnn_hidden=6, rnn_layers=2, dropout=0.0)


def test_default_layer_shapes_by_hand():
    """200 bands: stride 2 -> 100, pool -> 50; 50 -> 25; 25 -> 12 (the training report's
    table)."""
    torch.manual_seed(0)
    shapes = Crnn(NetworkConfig(), 200, 9).layer_shapes(200)
    assert shapes.bands == 200
    assert shapes.blocks == ((32, 50), (64, 25), (64, 12))
    assert (shapes.rnn_steps, shapes.rnn_features, shapes.rnn_hidden, shapes.classes) == (
        12, 64, 64, 9)


def test_layer_shapes_keep_the_mode_and_work_with_batch_norm():
    network = Crnn(NetworkConfig(conv_channels=(2,), kernel_sizes=(4,), pool_sizes=(3,),
                                 first_stride=1, batch_norm=True, rnn_hidden=5,
                                 rnn_layers=1), 20, 3)
    network.train()
    shapes = network.layer_shapes(20)
    # kernel 4, padding 2: 20 + 4 - 4 + 1 = 21 -> pooled 7
    assert shapes.blocks == ((2, 7),) and shapes.rnn_steps == 7 and shapes.classes == 3
    assert network.training
    assert not network._forward_hooks and not network.head._forward_hooks


@pytest.mark.parametrize("config,layers", [
    (TINY, [[nn.Conv1d, nn.ReLU, nn.MaxPool1d], [nn.Conv1d, nn.ReLU]]),
    (NetworkConfig(conv_channels=(2,), kernel_sizes=(3,), pool_sizes=(2,), batch_norm=True,
                   rnn_hidden=3, rnn_layers=1), [[nn.Conv1d, nn.BatchNorm1d, nn.ReLU,
                                                  nn.MaxPool1d]]),
])
def test_blocks_hold_the_layers_asked_for(config, layers):
    network = Crnn(config, 40, 2)
    assert [[type(m) for m in block] for block in network.conv] == layers
    first = network.conv[0][0]
    assert first.stride == (config.first_stride,) and first.in_channels == 1
    assert first.padding == (config.kernel_sizes[0] // 2,)
    assert (first.bias is None) == config.batch_norm
    if len(network.conv) > 1:
        second = network.conv[1][0]
        assert second.stride == (1,) and second.in_channels == config.conv_channels[0]
    assert network.rnn.input_size == config.conv_channels[-1]


@pytest.mark.parametrize("rnn_type,cls", [("gru", nn.GRU), ("lstm", nn.LSTM), ("rnn", nn.RNN)])
@pytest.mark.parametrize("layers,dropout", [(1, 0.3), (2, 0.3)])
def test_recurrent_layers(rnn_type, cls, layers, dropout):
    config = NetworkConfig(conv_channels=(2,), kernel_sizes=(3,), pool_sizes=(1,),
                           rnn_type=rnn_type, rnn_hidden=4, rnn_layers=layers,
                           dropout=dropout)
    network = Crnn(config, 10, 3)
    assert type(network.rnn) is cls and network.rnn.batch_first
    assert (network.rnn.hidden_size, network.rnn.num_layers) == (4, layers)
    assert network.rnn.dropout == (dropout if layers > 1 else 0.0)
    assert network.dropout.p == dropout
    assert (network.head.in_features, network.head.out_features) == (4, 3)


@pytest.mark.parametrize("readout", ["last", "mean"])
def test_forward_is_the_functional_computation(readout):
    torch.manual_seed(1)
    config = NetworkConfig(conv_channels=(3, 4), kernel_sizes=(5, 3), pool_sizes=(2, 1),
                           first_stride=2, rnn_hidden=6, rnn_layers=2, readout=readout)
    network = Crnn(config, 30, 5).eval()
    x = torch.randn(7, 30)
    f = torch.nn.functional
    with torch.inference_mode():
        conv1, conv2 = network.conv[0][0], network.conv[1][0]
        h = f.max_pool1d(f.relu(f.conv1d(x[:, None], conv1.weight, conv1.bias, stride=2,
                                         padding=2)), 2)
        h = f.relu(f.conv1d(h, conv2.weight, conv2.bias, padding=1))
        states, _ = network.rnn(h.transpose(1, 2))
        summary = states.mean(dim=1) if readout == "mean" else states[:, -1]
        expected = summary @ network.head.weight.T + network.head.bias
        np.testing.assert_allclose(network(x).numpy(), expected.numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_classifier_is_standardised_softmax_in_batches():
    torch.manual_seed(2)
    network = Crnn(TINY, 12, 3)
    state = state_to_numpy(network)
    rng = np.random.default_rng(0)
    mean, std = rng.normal(0, 0.1, 12), rng.uniform(0.5, 2.0, 12)
    spectra = rng.uniform(0, 3000, (9, 12))
    spectra[4] = 0.0
    for unit in (True, False):
        config = NetworkConfig(**{**TINY.to_dict(), "unit_length": unit})
        plain = Crnn(config, 12, 3).eval()
        plain.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
        norms = np.linalg.norm(spectra, axis=1, keepdims=True)
        scaled = np.divide(spectra, np.where(norms == 0, 1, norms)) if unit else spectra
        with torch.inference_mode():
            logits = plain(torch.as_tensor((scaled - mean) / std, dtype=torch.float32))
            expected = torch.softmax(logits, 1).numpy()
        for batch in (1, 4, 9, 100):
            classifier = PixelClassifier(config, state, mean, std, 3,
                                         Compute(batch_size=batch, threads=1))
            got = classifier.predict_proba(spectra)
            assert got.dtype == np.float32 and got.shape == (9, 3)
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert classifier.n_bands == 12 and classifier.n_classes == 3
    assert not classifier.network.training
    with pytest.raises(CrnnError, match=r"Expected spectra of 12 bands, got an array of "
                                        r"shape \(9, 11\)"):
        classifier.predict_proba(spectra[:, :11])
    with pytest.raises(CrnnError, match="12 bands"):
        classifier.predict_proba(spectra[0])
    assert classifier.predict_proba(np.empty((0, 12))).shape == (0, 3)


def test_weights_that_do_not_fit_are_refused():
    network = Crnn(TINY, 12, 3)
    state = state_to_numpy(network)
    assert all(isinstance(v, np.ndarray) for v in state.values())
    state["head.weight"][:] = 7.0  # a copy: the network keeps its own
    assert not torch.all(network.head.weight == 7.0)
    load_state(network, state)
    assert torch.all(network.head.weight == 7.0)
    wrong = dict(state, **{"head.weight": np.zeros((4, 6), np.float32)})
    with pytest.raises(CrnnError, match="The weights do not fit the model's network"):
        load_state(network, wrong)


def test_devices():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == torch.device(expected)
    with pytest.raises(CrnnError, match="Unknown device 'tpu'"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(CrnnError, match="torch sees no CUDA GPU"):
            resolve_device("cuda")


@pytest.mark.parametrize("rnn_type,gates", [("gru", 3), ("lstm", 4), ("rnn", 1)])
def test_flops_by_hand(rnn_type, gates):
    """40 bands, conv 3 (k5, s2) -> 20 steps, pooled 10; conv 4 (k3) -> 10 steps; two
    recurrent layers of 6 over 10 steps; a head of 5 classes."""
    config = NetworkConfig(**{**TINY.to_dict(), "rnn_type": rnn_type})
    conv = 2 * 20 * 1 * 3 * 5 + 2 * 10 * 3 * 4 * 3
    rnn = 2 * 10 * gates * 6 * (4 + 6) + 2 * 10 * gates * 6 * (6 + 6)
    assert count_flops(config, 40, 5) == conv + rnn + 2 * 6 * 5
