"""Small real models and scenes for the core tests (trained with real torch, no mocks)."""

from __future__ import annotations

import numpy as np

from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.network.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.network.modelfile import CrnnModel
from hyperspectral_crnn.models.training.train import (
    ModelBands,
    TrainingData,
    TrainingHooks,
    TrainingSetup,
    train_model,
)

SMALL_NETWORK = NetworkConfig(conv_channels=(8,), kernel_sizes=(5,), pool_sizes=(4,),
                              rnn_hidden=16, rnn_layers=1, dropout=0.0)
COLOURS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3")


def synthetic_spectra(n_bands: int, n_classes: int = 3, per_class: int = 60, seed: int = 0):
    """Classes with distinct smooth spectral shapes plus noise, like land covers."""
    rng = np.random.default_rng(seed)
    bands = np.linspace(0, 1, n_bands)
    shapes = [1000 + 400 * np.sin((k + 1) * np.pi * bands + k) for k in range(n_classes)]
    spectra = np.concatenate(
        [shapes[k] + rng.normal(0, 60, (per_class, n_bands)) for k in range(n_classes)]
    )
    labels = np.repeat(np.arange(1, n_classes + 1), per_class)
    return spectra.astype(np.float32), labels


def small_model(n_bands: int = 40, n_classes: int = 3, epochs: int = 15, seed: int = 0,
                **kwargs) -> CrnnModel:
    spectra, labels = synthetic_spectra(n_bands, n_classes, seed=seed)
    classes = [ClassInfo(k, f"class {k}", COLOURS[(k - 1) % len(COLOURS)])
               for k in range(1, n_classes + 1)]
    return train_model(
        TrainingData(spectra, labels, classes,
                     ModelBands(list(range(1, n_bands + 1)),
                                [f"Band {b}" for b in range(1, n_bands + 1)])),
        TrainingSetup(network=kwargs.pop("network", SMALL_NETWORK),
                      training=kwargs.pop("training_config", TrainingConfig(
                          epochs=epochs, batch_size=32, seed=seed, device="cpu"))),
        TrainingHooks(**kwargs),
    )
