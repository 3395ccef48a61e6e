"""A model reads exactly its bands, and its seed decides its weights.

A model trained on some bands of a raster, applied to the raster cut to those bands (its
band numbers renumbered 1..n), must give the same map and probabilities; reading bands
1..n of the full raster, or the bands in another order, gives another map. The same seed
gives the same weights, another seed other weights (an ignored seed would pass the
first check alone).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scenes
from core_helpers import synthetic_spectra
from osgeo import gdal

from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.network.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.training.train import (
    ModelBands,
    TrainingData,
    TrainingSetup,
    train_model,
)

# Every core GDAL call behaves the same with GDAL exceptions off and on (conftest.py).
pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")

BANDS = 48
USED = [5, 6, 7, 11, 12, 20, 21, 22, 23, 30, 31, 32, 33, 40, 41, 44, 45, 46, 47, 48]


def _scene(seed: int = 0) -> np.ndarray:
    """(bands, rows, cols): three classes in blocks, each band with its own signal."""
    spectra, labels = synthetic_spectra(BANDS, 3, per_class=400, seed=seed)
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:30, 0:40]
    region = ((rows // 10 + cols // 8) % 3) + 1
    out = np.empty((30 * 40, BANDS), np.float32)
    for k in (1, 2, 3):
        where = np.flatnonzero(region.ravel() == k)
        pool = spectra[labels == k]
        out[where] = pool[rng.integers(0, pool.shape[0], where.size)]
    return out.T.reshape(BANDS, 30, 40).copy()


def _model(cube: np.ndarray):
    spectra = cube.reshape(BANDS, -1).T
    labels = ((np.mgrid[0:30, 0:40][0] // 10 + np.mgrid[0:30, 0:40][1] // 8) % 3 + 1).ravel()
    chosen = np.random.default_rng(1).choice(spectra.shape[0], 300, replace=False)
    used = np.array(USED) - 1
    return train_model(
        TrainingData(spectra[chosen][:, used], labels[chosen],
                     [ClassInfo(k, f"class {k}", "#000000") for k in (1, 2, 3)],
                     ModelBands(USED, [f"Band {b}" for b in USED])),
        TrainingSetup(NetworkConfig(conv_channels=(8,), kernel_sizes=(5,), pool_sizes=(2,),
                                    rnn_hidden=16, rnn_layers=1, dropout=0.0),
                      TrainingConfig(epochs=6, batch_size=32, seed=0, device="cpu")))


def _classify(path, model, folder):
    folder.mkdir()
    classify_raster(str(path), model, ClassificationRequest(
        OutputPaths(str(folder / "c.tif"), str(folder / "p.tif")), LopSettings(3, "edge", 2),
        threads=1))
    return (gdal.Open(str(folder / "c.tif")).ReadAsArray(),
            gdal.Open(str(folder / "p.tif")).ReadAsArray())


def test_band_subset_model_equals_the_model_on_the_cut_raster(tmp_path):
    cube = _scene()
    full = scenes.write_raster(tmp_path / "full.tif", cube)
    cut = scenes.write_raster(tmp_path / "cut.tif", cube[np.array(USED) - 1])
    model = _model(cube)
    renumbered = dataclasses.replace(model, band_indices=list(range(1, len(USED) + 1)))

    classes, probabilities = _classify(full, model, tmp_path / "on_full")
    cut_classes, cut_probabilities = _classify(cut, renumbered, tmp_path / "on_cut")
    np.testing.assert_array_equal(classes, cut_classes)
    np.testing.assert_array_equal(probabilities, cut_probabilities)

    # the wrong bands (the first n of the full raster) give another map
    wrong_classes, wrong_probabilities = _classify(full, renumbered, tmp_path / "wrong")
    assert not np.allclose(wrong_probabilities, probabilities, atol=1e-3)
    # and the bands in another order too
    shuffled = dataclasses.replace(model, band_indices=list(reversed(USED)))
    _, shuffled_probabilities = _classify(full, shuffled, tmp_path / "shuffled")
    assert not np.allclose(shuffled_probabilities, probabilities, atol=1e-3)


def test_different_seeds_give_different_weights():
    cube = _scene()
    spectra = cube.reshape(BANDS, -1).T[:300, : len(USED)]
    labels = np.repeat([1, 2, 3], 100)
    classes = [ClassInfo(k, f"class {k}", "#000000") for k in (1, 2, 3)]
    network = NetworkConfig(conv_channels=(8,), kernel_sizes=(5,), pool_sizes=(2,),
                            rnn_hidden=16, rnn_layers=1, dropout=0.0)

    def weights(seed):
        model = train_model(
            TrainingData(spectra, labels, classes,
                         ModelBands(list(range(1, len(USED) + 1)), [f"b{b}" for b in USED])),
            TrainingSetup(network, TrainingConfig(epochs=2, batch_size=32, seed=seed,
                                                  device="cpu", mixup=0.0),
                          # no split, no mixup: the seed acts on torch's draws only
                          validation_fraction=0.0))
        return model.weights

    first, again, other = weights(0), weights(0), weights(1)
    assert first.keys() == other.keys()
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    # a seed that was ignored would make these equal
    assert any(not np.array_equal(first[name], other[name]) for name in first)
    assert all(not np.allclose(first[name], other[name]) for name in first
               if first[name].size > 8)
