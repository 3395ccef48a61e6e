"""The benchmark's CRNN runs the plugin's own training and classification, on its split."""

from __future__ import annotations

import numpy as np
import pytest

from hyperspectral_crnn.demo.indian_pines import load_indian_pines
from hyperspectral_crnn.models.network.config import (
    VALIDATION_FRACTION,
    NetworkConfig,
    TrainingConfig,
)


@pytest.fixture(scope="module")
def scene():
    return load_indian_pines()


def test_split_pairs_training_pixels_with_right_and_lower_neighbours(benchmark, scene):
    cube, gt = scene
    split = benchmark.Split(cube, gt, 100, seed=3)
    rows, cols = np.unravel_index(split.train_index, gt.shape)
    right, lower = cols + 1 < gt.shape[1], rows + 1 < gt.shape[0]
    first = np.concatenate([cube[rows[right], cols[right]], cube[rows[lower], cols[lower]]])
    second = np.concatenate([cube[rows[right], cols[right] + 1],
                             cube[rows[lower] + 1, cols[lower]]])
    np.testing.assert_array_equal(split.neighbours[0], first)
    np.testing.assert_array_equal(split.neighbours[1], second)
    pixels = split.training_pixels()
    spectra = cube.reshape(-1, cube.shape[2])[split.train_index]
    np.testing.assert_array_equal(pixels.spectra, spectra)
    assert [split.classes[i].value for i in pixels.labels] == list(gt.ravel()[split.train_index])


def test_crnn_trains_with_train_model_and_classifies_with_classify_raster(
        benchmark, scene, monkeypatch):
    cube, gt = scene
    split = benchmark.Split(cube, gt, 100, seed=3, unit_length=True)
    trained, classified = [], []
    real_train, real_classify = benchmark.train_model, benchmark.classify_raster

    def spy_train(*args, **kwargs):
        model = real_train(*args, **kwargs)
        trained.extend([(args, kwargs), model])
        return model

    def spy_classify(raster, model, request, *hooks):
        lop = request.lop
        classified.append((raster, model, {"lop_size": lop.size, "lop_weights": lop.weights,
                                           "lop_iterations": lop.iterations}))
        return real_classify(raster, model, request, *hooks)

    monkeypatch.setattr(benchmark, "train_model", spy_train)
    monkeypatch.setattr(benchmark, "classify_raster", spy_classify)
    training_config = TrainingConfig(device="cpu", threads=1, epochs=1)
    predict = benchmark.crnn(NetworkConfig(), training_config, 1)(split)
    ((data, setup), _), model = trained
    np.testing.assert_array_equal(data.spectra, cube.reshape(-1, cube.shape[2])[split.train_index])
    assert list(data.labels) == list(gt.ravel()[split.train_index])
    assert data.groups is None and setup.validation_fraction == VALIDATION_FRACTION
    assert setup.training.seed == 3
    np.testing.assert_array_equal(data.neighbours[0], split.neighbours[0])
    # the baselines' LOP is guided and scaled as the plugin's model is
    assert model.edge_scale == pytest.approx(split.edge_scale, rel=1e-6)
    np.testing.assert_allclose(
        np.abs(model.guide(cube.reshape(-1, cube.shape[2])).T.reshape(split.guide.shape)),
        np.abs(split.guide), atol=1e-4)
    best = predict(benchmark.BEST_LOP)
    raster, used, settings = classified[-1]
    assert raster == split.raster and used is model
    assert (settings["lop_size"], settings["lop_weights"], settings["lop_iterations"]) == (
        3, "edge", 15)
    assert best.shape == gt.shape and set(np.unique(best)) <= set(range(1, 17))
    assert 0 <= split.scores(best)["OA"] <= 100
