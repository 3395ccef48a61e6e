"""models/network/config.py against independent references: the weight count and the sequence
length against the torch network itself (models/network.Crnn), every bound and every
refusal at its edge by hand, the documented defaults, and the dictionaries. Fast enough to
run once per mutant (``make mutation``'s config target)."""

from __future__ import annotations

import dataclasses

import pytest

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.network import config
from hyperspectral_crnn.models.network.config import (
    NetworkConfig,
    TrainingConfig,
    check_input_window,
)

NETWORKS = [
    NetworkConfig(),
    NetworkConfig(conv_channels=(4,), kernel_sizes=(5,), pool_sizes=(1,), first_stride=1,
                  rnn_type="lstm", rnn_hidden=3, rnn_layers=1),
    NetworkConfig(conv_channels=(2, 3), kernel_sizes=(4, 2), pool_sizes=(3, 2),
                  first_stride=3, batch_norm=True, rnn_type="rnn", rnn_hidden=5,
                  rnn_layers=3, readout="mean"),
    NetworkConfig(conv_channels=(6, 2, 3), kernel_sizes=(1, 6, 3), pool_sizes=(2, 1, 4),
                  first_stride=2, rnn_type="gru", rnn_hidden=2, rnn_layers=2),
]


def test_sequence_length_of_the_default_by_hand():
    """The default's docstring: 200 bands become a sequence of 12."""
    assert NetworkConfig().sequence_length(200) == 12
    # 15 bands: (15 + 6 - 7) // 2 + 1 = 8, pooled 4; 4, pooled 2; 2, pooled 1
    assert NetworkConfig().sequence_length(15) == 1
    # 14 bands: 7, pooled 3; 3, pooled 1; 1, pooled 0
    assert NetworkConfig().sequence_length(14) == 0


def test_too_few_bands_refused_with_the_shrink_factor():
    NetworkConfig().check_bands(15)
    with pytest.raises(CrnnError, match="14 bands are too few.*by 16x"):
        NetworkConfig().check_bands(14)
    odd = NetworkConfig(conv_channels=(2, 2), kernel_sizes=(3, 3), pool_sizes=(3, 5),
                        first_stride=2)
    with pytest.raises(CrnnError, match="by 30x"):
        odd.check_bands(20)


def test_defaults_as_documented():
    network = NetworkConfig()
    assert (network.conv_channels, network.kernel_sizes, network.pool_sizes) == (
        (32, 64, 64), (7, 3, 3), (2, 2, 2))
    assert (network.first_stride, network.batch_norm, network.rnn_type, network.rnn_hidden,
            network.rnn_layers, network.readout, network.dropout, network.input_window,
            network.unit_length) == (2, False, "gru", 64, 2, "last", 0.0, 1, True)
    training = TrainingConfig()
    assert dataclasses.astuple(training) == (80, 64, 5e-3, 1e-4, 0, 0.0, 0.2, 0.995, 0.5, 0,
                                             "auto", 0)
    assert config.VALIDATION_FRACTION == 0.15
    assert (config.MAX_CONV_BLOCKS, config.MAX_CHANNELS, config.MAX_SPECTRAL_STEP,
            config.MAX_RNN_HIDDEN, config.MAX_RNN_LAYERS, config.MAX_INPUT_WINDOW,
            config.MAX_PARAMETERS) == (32, 4096, 4096, 8192, 32, 15, 250_000_000)
    network.validate()
    training.validate()


def test_fields_are_normalised():
    network = NetworkConfig(conv_channels=[4.0, 5], kernel_sizes=[3, 3], pool_sizes=[1, 2],
                            input_window=3.0, unit_length=0)
    assert network.conv_channels == (4, 5) and isinstance(network.conv_channels, tuple)
    assert network.kernel_sizes == (3, 3) and network.pool_sizes == (1, 2)
    assert network.input_window == 3 and type(network.input_window) is int
    assert network.unit_length is False


@pytest.mark.parametrize("window", [1, 3, 5, 15])
def test_odd_windows_pass(window):
    check_input_window(window)


@pytest.mark.parametrize("window", [0, -1, 2, 4, -3])
def test_even_or_non_positive_windows_refused(window):
    with pytest.raises(CrnnError, match=f"odd number of pixels.*got {window}"):
        check_input_window(window)


def good(**changes) -> NetworkConfig:
    return dataclasses.replace(NetworkConfig(conv_channels=(4,), kernel_sizes=(3,),
                                             pool_sizes=(2,), rnn_hidden=4, rnn_layers=1),
                               **changes)


@pytest.mark.parametrize("changes", [
    dict(first_stride=1), dict(rnn_hidden=1), dict(rnn_layers=1), dict(dropout=0.0),
    dict(dropout=0.999), dict(conv_channels=(1,), kernel_sizes=(1,), pool_sizes=(1,)),
    dict(rnn_type="lstm"), dict(rnn_type="rnn"), dict(readout="mean"), dict(batch_norm=True),
    dict(input_window=15), dict(first_stride=4096), dict(rnn_hidden=8192),
    dict(rnn_layers=32), dict(conv_channels=(4096,)), dict(kernel_sizes=(4096,)),
    dict(pool_sizes=(4096,)), dict(conv_channels=(1,) * 32, kernel_sizes=(1,) * 32,
                                   pool_sizes=(1,) * 32),
])
def test_settings_at_their_bounds_pass(changes):
    good(**changes).validate()


@pytest.mark.parametrize("changes,message", [
    (dict(first_stride=1.5), "first_stride must be a whole number"),
    (dict(first_stride=True), "first_stride must be a whole number"),
    (dict(rnn_hidden="4"), "rnn_hidden must be a whole number"),
    (dict(rnn_layers=2.0), "rnn_layers must be a whole number"),
    (dict(dropout="0"), "dropout must be a number"),
    (dict(dropout=False), "dropout must be a number"),
    (dict(batch_norm=2), "batch_norm must be true or false"),
    (dict(conv_channels=(), kernel_sizes=(), pool_sizes=()), "at least one convolution"),
    (dict(kernel_sizes=(3, 3)), "1 blocks, 2 kernel sizes, 1 pool sizes"),
    (dict(pool_sizes=(2, 2)), "1 blocks, 1 kernel sizes, 2 pool sizes"),
    (dict(conv_channels=(4, 4), kernel_sizes=(3, 3)), "2 blocks, 2 kernel sizes, 1 pool"),
    (dict(conv_channels=(4, 4), pool_sizes=(2, 2)), "2 blocks, 1 kernel sizes, 2 pool"),
    (dict(conv_channels=(1,) * 300, kernel_sizes=(1,) * 300, pool_sizes=(1,) * 300),
     r"convolution blocks \(CONV_CHANNELS\) is 300"),  # lengths past CPython's small ints
    (dict(dropout=1.5), r"Dropout must be in \[0, 1\)"),
    (dict(conv_channels=(0,)), "must be positive"),
    (dict(kernel_sizes=(0,)), "must be positive"),
    (dict(pool_sizes=(0,)), "must be positive"),
    (dict(first_stride=0), "first stride must be >= 1, got 0"),
    (dict(rnn_type="GRU"), "Unknown recurrent layer 'GRU'"),
    (dict(readout="first"), "Unknown readout 'first'"),
    (dict(rnn_hidden=0), "hidden size and a layer count >= 1"),
    (dict(rnn_layers=0), "hidden size and a layer count >= 1"),
    (dict(dropout=1.0), r"Dropout must be in \[0, 1\), got 1.0"),
    (dict(dropout=-0.01), r"Dropout must be in \[0, 1\)"),
    (dict(input_window=2), "odd number"),
    (dict(conv_channels=(1,) * 33, kernel_sizes=(1,) * 33, pool_sizes=(1,) * 33),
     r"convolution blocks \(CONV_CHANNELS\) is 33, more than the 32"),
    (dict(conv_channels=(4097,)), r"convolution channels \(CONV_CHANNELS\) is 4097"),
    (dict(kernel_sizes=(4097,)), r"kernel size \(KERNEL_SIZES\) is 4097, more than the 4096"),
    (dict(pool_sizes=(4097,)), r"pool size \(POOL_SIZES\) is 4097"),
    (dict(first_stride=4097), r"first stride \(FIRST_STRIDE\) is 4097"),
    (dict(rnn_hidden=8193), r"recurrent hidden size \(RNN_HIDDEN\) is 8193, more than the 8192"),
    (dict(rnn_layers=33), r"recurrent layer count \(RNN_LAYERS\) is 33"),
    (dict(input_window=17), r"input window \(INPUT_WINDOW\) is 17, more than the 15"),
])
def test_each_bad_setting_refused_by_name(changes, message):
    with pytest.raises(CrnnError, match=message):
        good(**changes).validate()


def test_the_weight_bound_counts_the_whole_network():
    """Just above and below 250 million weights, counted by hand: a GRU layer holds
    3 x hidden x (inputs + hidden + 2) weights."""
    hidden = 4096
    one_layer = 3 * hidden * (4 + hidden + 2)  # 50 405 376
    conv = 1 * 4 * 3 + 4
    layers = (250_000_000 - conv - one_layer) // (3 * hidden * (2 * hidden + 2)) + 1
    under = good(rnn_hidden=hidden, rnn_layers=layers)
    assert under.parameter_count() == conv + one_layer + (layers - 1) * 3 * hidden * (
        2 * hidden + 2)
    assert under.parameter_count() <= 250_000_000
    under.validate()
    over = good(rnn_hidden=hidden, rnn_layers=layers + 1)
    with pytest.raises(CrnnError, match=r"([\d,]+) weights, more than the 250,000,000"):
        over.validate()


def test_exactly_the_weight_bound_passes():
    """conv 4 x 1199 + 4 = 4 800; a plain RNN of 7 070: 7 070 x (4 + 7 070 + 2) =
    50 027 320, then two layers of 7 070 x (2 x 7 070 + 2) = 99 983 940 each: 250 000 000."""
    network = NetworkConfig(conv_channels=(4,), kernel_sizes=(1199,), pool_sizes=(1,),
                            first_stride=1, rnn_type="rnn", rnn_hidden=7070, rnn_layers=3)
    assert network.parameter_count() == 4800 + 50_027_320 + 2 * 99_983_940 == 250_000_000
    network.validate()


def test_training_settings_are_frozen_and_hashable():
    training = TrainingConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        training.epochs = 3
    assert hash(training) == hash(TrainingConfig())
    with pytest.raises(dataclasses.FrozenInstanceError):
        NetworkConfig().rnn_hidden = 3


def test_weights_message_gives_the_gigabytes():
    network = good(rnn_hidden=8192, rnn_layers=2)
    weights = network.parameter_count()
    with pytest.raises(CrnnError, match=f"{weights:,} weights.*about "
                                        f"{4 * weights / 1e9:.1f} GB"):
        network.validate()


@pytest.mark.parametrize("changes", [
    dict(epochs=1), dict(batch_size=1), dict(learning_rate=1e-9), dict(patience=0),
    dict(mixup=0.0), dict(ema_decay=0.0), dict(ema_decay=0.999), dict(class_weighting=0.0),
    dict(class_weighting=1.0), dict(device="cpu"), dict(device="cuda"), dict(patience=5),
])
def test_training_settings_at_their_bounds_pass(changes):
    dataclasses.replace(TrainingConfig(), **changes).validate()


@pytest.mark.parametrize("changes,message", [
    (dict(epochs=0), r"Epochs must be at least 1 \(got 0\)"),
    (dict(batch_size=0), r"Batch size must be at least 1 \(got 0\)"),
    (dict(learning_rate=0.0), "learning rate must be positive"),
    (dict(learning_rate=float("nan")), "learning rate must be positive"),
    (dict(patience=-1), "Patience and mixup"),
    (dict(mixup=-0.1), "Patience and mixup"),
    (dict(ema_decay=1.0), "EMA decay"),
    (dict(ema_decay=-0.1), "EMA decay"),
    (dict(ema_decay=1.5), "EMA decay"),
    (dict(class_weighting=1.01), "Class weighting must be between 0"),
    (dict(class_weighting=-0.01), "Class weighting must be between 0"),
    (dict(device="gpu"), "Unknown device 'gpu'"),
])
def test_each_bad_training_setting_refused(changes, message):
    with pytest.raises(CrnnError, match=message):
        dataclasses.replace(TrainingConfig(), **changes).validate()


def test_dictionaries_round_trip_and_refuse_newer_settings():
    network = NETWORKS[2]
    data = network.to_dict()
    assert data["conv_channels"] == [2, 3] and isinstance(data["kernel_sizes"], list)
    assert data["rnn_type"] == "rnn" and data["batch_norm"] is True
    assert NetworkConfig.from_dict(data) == network
    training = TrainingConfig(epochs=3, seed=9)
    assert training.to_dict()["epochs"] == 3
    assert TrainingConfig.from_dict(training.to_dict()) == training
    with pytest.raises(CrnnError, match=r"Unknown TrainingConfig settings \['a', 'z'\]"):
        TrainingConfig.from_dict({"z": 1, "a": 2, "epochs": 3})
    with pytest.raises(CrnnError, match="Unknown NetworkConfig settings"):
        NetworkConfig.from_dict({"wide": True})


def test_files_before_unit_length_read_their_spectra_unscaled():
    old = {k: v for k, v in NetworkConfig().to_dict().items() if k != "unit_length"}
    assert NetworkConfig.from_dict(old).unit_length is False
    assert NetworkConfig.from_dict({**old, "unit_length": True}).unit_length is True


# torch last: the checks by hand above run first and fast (make mutation runs with -x)
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("classes", [0, 1, 7])
def test_parameter_count_is_the_torch_networks(network, classes):
    from hyperspectral_crnn.models.network.crnn import Crnn

    built = Crnn(network, 200, max(classes, 1))
    count = sum(p.numel() for name, p in built.named_parameters()
                if classes or not name.startswith("head."))
    count += sum(b.numel() for name, b in built.named_buffers()
                 if "running" in name)  # batch norm's running mean and variance
    assert network.parameter_count(classes) == count


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("bands", [1, 2, 5, 7, 12, 13, 40, 97, 200])
def test_sequence_length_is_the_torch_networks(network, bands):
    """What the torch layers give on a forward pass (a network built for 200 bands reads
    any length); too short a spectrum leaves nothing, or torch refuses it."""
    import torch

    from hyperspectral_crnn.models.network.crnn import Crnn

    conv = Crnn(network, 200, 2).conv.eval()
    try:
        with torch.inference_mode():
            steps = conv(torch.zeros(1, 1, bands)).shape[-1]
    except RuntimeError:
        steps = 0
    assert max(network.sequence_length(bands), 0) == steps
