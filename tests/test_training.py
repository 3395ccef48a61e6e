"""Network shapes, sampling, validation split, training: determinism, callbacks, cancel."""

import numpy as np
import pytest
from core_helpers import SMALL_NETWORK, small_model, synthetic_spectra

from hyperspectral_crnn.models.common.errors import CancelledError, CrnnError
from hyperspectral_crnn.models.network.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.training.train import (
    cap_per_class,
    class_weights,
    train_network,
    validation_split,
)


@pytest.mark.parametrize("n_bands", [144, 200, 37])
@pytest.mark.parametrize("rnn_type", ["gru", "lstm", "rnn"])
@pytest.mark.parametrize("readout", ["last", "mean"])
def test_one_architecture_fits_any_band_count(n_bands, rnn_type, readout):
    import torch

    from hyperspectral_crnn.models.network.crnn import Crnn

    config = NetworkConfig(rnn_type=rnn_type, readout=readout)
    network = Crnn(config, n_bands, 16).eval()
    with torch.inference_mode():
        logits = network(torch.randn(5, n_bands))
    assert logits.shape == (5, 16)


def test_too_few_bands_for_the_pooling_is_explained():
    from hyperspectral_crnn.models.network.crnn import Crnn

    with pytest.raises(CrnnError, match="too few"):
        Crnn(NetworkConfig(pool_sizes=(4, 4), conv_channels=(4, 4), kernel_sizes=(3, 3)), 10, 3)


def test_cap_per_class_caps_and_keeps_small_classes():
    labels = np.repeat([1, 2, 3], [500, 30, 5])
    chosen = cap_per_class(labels, 100, seed=3)
    assert np.bincount(labels[chosen]).tolist() == [0, 100, 30, 5]
    assert np.array_equal(chosen, cap_per_class(labels, 100, seed=3))
    assert cap_per_class(labels, 0, seed=3).size == labels.size


def test_polygon_split_holds_out_whole_polygons_and_keeps_one_per_class():
    labels = np.repeat([0, 0, 0, 1, 1], 20)
    groups = np.repeat(np.arange(5), 20)
    train, val = validation_split(labels, 0.3, seed=0, groups=groups)
    # class 0 (18 of 60 asked): one whole polygon of 20, apart from the training polygons
    assert not set(groups[train][labels[train] == 0]) & set(groups[val][labels[val] == 0])
    assert np.sum(labels[val] == 0) == 20
    assert set(labels[train]) == {0, 1}
    # class 1 (12 of 40 asked, at most 24): one whole polygon of 20 goes, never both
    assert np.sum(labels[val] == 1) == 20
    assert not set(groups[train][labels[train] == 1]) & set(groups[val][labels[val] == 1])
    assert len(set(groups[train][labels[train] == 1])) == 1


def test_pixel_split_keeps_a_training_pixel_of_each_class():
    labels = np.array([0] * 50 + [1])
    train, val = validation_split(labels, 0.5, seed=0)
    assert 1 in labels[train]
    assert abs(np.sum(labels[val] == 0) - 25) <= 1


@pytest.mark.parametrize("fraction", [1.0, -0.1])
def test_validation_fraction_out_of_range_is_refused(fraction):
    with pytest.raises(CrnnError, match="validation fraction"):
        validation_split(np.zeros(10, int), fraction, seed=0)


def test_training_learns_reports_epochs_and_keeps_history():
    records = []
    model = small_model(n_bands=144, epochs=20, on_epoch=records.append)
    assert [r["epoch"] for r in records] == list(range(1, len(records) + 1))
    assert {"train_loss", "train_accuracy", "val_loss", "val_accuracy"} <= set(records[0])
    assert model.history == records
    assert model.provenance["validation_accuracy"] >= 0.9
    spectra, labels = synthetic_spectra(144, seed=7)
    predicted = model.classifier().predict_proba(spectra).argmax(1) + 1
    assert np.mean(predicted == labels) >= 0.9


def test_same_seed_gives_identical_weights():
    first, second = small_model(epochs=4, seed=11), small_model(epochs=4, seed=11)
    for name in first.weights:
        np.testing.assert_array_equal(first.weights[name], second.weights[name])


def test_cancel_stops_within_a_batch():
    calls = []

    def cancel_after_three():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(CancelledError):
        small_model(epochs=50, is_cancelled=cancel_after_three)
    assert len(calls) == 4


def test_class_weights_follow_the_counts():
    labels = np.repeat([0, 1, 3], [100, 25, 4])
    np.testing.assert_allclose(class_weights(labels, 4, 0.5), [1.0, 2.0, 1.0, 5.0])
    np.testing.assert_allclose(class_weights(labels, 4, 1.0), [1.0, 4.0, 1.0, 25.0])
    np.testing.assert_array_equal(class_weights(labels, 4, 0.0), np.ones(4))


def _trained_weights(labels: np.ndarray, class_weighting: float):
    spectra, _ = synthetic_spectra(32, n_classes=3, per_class=40, seed=3)
    training_config = TrainingConfig(epochs=2, batch_size=16, device="cpu", threads=1,
                            class_weighting=class_weighting)
    x = (spectra - spectra.mean(0)) / spectra.std(0)
    return train_network((x, labels), None, 3, SMALL_NETWORK, training_config).weights


def test_class_weighting_changes_training_only_where_classes_are_unequal():
    balanced = np.repeat([0, 1, 2], 40)
    off, on = _trained_weights(balanced, 0.0), _trained_weights(balanced, 1.0)
    for name in off:
        np.testing.assert_array_equal(off[name], on[name])
    unequal = np.repeat([0, 1, 2], [100, 15, 5])  # same pixels, a rare class
    off, on = _trained_weights(unequal, 0.0), _trained_weights(unequal, 1.0)
    assert any(not np.array_equal(off[name], on[name]) for name in off)


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_class_weighting_out_of_range_is_refused(value):
    with pytest.raises(CrnnError, match="Class weighting"):
        small_model(training_config=TrainingConfig(class_weighting=value))


def test_use_all_cores_holds_openblas_to_one_thread():
    """numpy's OpenBLAS workers spin beside torch's threads unless held to one."""
    from threadpoolctl import threadpool_info

    from hyperspectral_crnn.models.network.crnn import use_all_cores

    np.linalg.svd(np.ones((64, 64)))  # numpy's BLAS is loaded and its threads started
    use_all_cores(0)
    openblas = [pool for pool in threadpool_info() if pool["internal_api"] == "openblas"]
    assert openblas, "Debian's numpy links OpenBLAS"
    assert all(pool["num_threads"] == 1 for pool in openblas)


def test_zero_epochs_is_refused():
    with pytest.raises(CrnnError, match="Epochs"):
        small_model(training_config=TrainingConfig(epochs=0))


def test_cuda_without_a_gpu_says_so():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(CrnnError, match="no CUDA GPU"):
        small_model(training_config=TrainingConfig(epochs=1, device="cuda"), network=SMALL_NETWORK)
