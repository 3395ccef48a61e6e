"""Semi-supervised training (SEMI_SUPERVISED): pseudo-labels from the raster's unlabelled
pixels, pooled by the LOP; what the model file and the report say; determinism, cancel,
progress; the key on crnn:train and crnn:trainclassify, and one qgis_process run.

Real torch, real GeoTIFFs (tests/scenes.py's field scene), real QGIS for the algorithms.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from osgeo import ogr
from scenes import FAST_PARAMETERS, write_field_scene
from test_bad_process import QGIS_PROCESS, qgis_process
from test_bad_process import env as env  # noqa: F401 (the fixture, used by name)

from hyperspectral_crnn.models.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.errors import CancelledError
from hyperspectral_crnn.models.modelfile import ClassInfo, load_model, save_model
from hyperspectral_crnn.models.raster import SpectralRaster
from hyperspectral_crnn.models.report import render_training_report
from hyperspectral_crnn.models.samples import read_training_pixels
from hyperspectral_crnn.models.semi_supervised import (
    SemiSupervisedConfig,
    pseudo_label_windows,
    pseudo_labels,
    train_semi_supervised,
)
from hyperspectral_crnn.models.training import train_model

NETWORK = NetworkConfig(conv_channels=(8,), kernel_sizes=(5,), pool_sizes=(4,), rnn_hidden=16,
                        rnn_layers=1, first_stride=1)
TRAINING = TrainingConfig(epochs=10, batch_size=32, seed=4, device="cpu", threads=1)
CLASSES = [ClassInfo(10, "wheat", "#e41a1c"), ClassInfo(20, "barley", "#377eb8"),
           ClassInfo(30, "woods", "#4daf4a")]


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """The field scene (48 x 60 pixels, 3 classes) and its training pixels."""
    scene = write_field_scene(str(tmp_path_factory.mktemp("semi")), bands=40)
    source = ogr.Open(scene["polygons"])
    polygons = [(f.GetGeometryRef().ExportToWkb(), f.GetField("code") // 10 - 1)
                for f in source.GetLayer()]
    source = None
    pixels = read_training_pixels(scene["raster"], list(range(1, 41)), polygons)
    return {**scene, "pixels": pixels}


def train(field, semi=None, **kwargs):
    pixels = field["pixels"]
    return train_semi_supervised(
        field["raster"], pixels.spectra, [CLASSES[i].value for i in pixels.labels],
        (pixels.rows, pixels.cols), CLASSES, band_indices=list(range(1, 41)),
        band_names=[f"Band {b}" for b in range(1, 41)], network=NETWORK,
        training_config=kwargs.pop("training_config", TRAINING),
        semi=semi or SemiSupervisedConfig(per_class=150), **kwargs)


def test_windows_are_the_whole_raster_or_random_tiles_within_the_budget():
    assert pseudo_label_windows(60, 48, 4096, 32, seed=0) == [(0, 0, 60, 48)]
    tiles = pseudo_label_windows(1000, 700, 20000, 32, seed=1)
    assert sum(w * h for _, _, w, h in tiles) <= 20000
    assert len(tiles) == 19  # 1024-pixel tiles: 19 fit
    assert tiles == sorted(tiles, key=lambda t: (t[1], t[0]))  # reading order
    assert len(set(tiles)) == len(tiles)
    assert all(x % 32 == 0 and y % 32 == 0 and x + w <= 1000 and y + h <= 700
               for x, y, w, h in tiles)
    assert tiles == pseudo_label_windows(1000, 700, 20000, 32, seed=1)
    assert tiles != pseudo_label_windows(1000, 700, 20000, 32, seed=2)


def test_pseudo_labels_are_unlabelled_confident_pixels_of_the_pooled_map(field):
    pixels = field["pixels"]
    labels = np.array([CLASSES[i].value for i in pixels.labels])
    model = train_model(pixels.spectra, labels, CLASSES, list(range(1, 41)),
                        [f"Band {b}" for b in range(1, 41)], NETWORK, TRAINING)
    semi = SemiSupervisedConfig(per_class=50, threshold=0.6)
    found = pseudo_labels(field["raster"], model, (pixels.rows, pixels.cols),
                          (pixels.rows, pixels.cols, labels), semi, seed=0, threads=1)
    truth = field["truth"]
    assert found.pixels_read == truth.size - labels.size  # every unlabelled pixel
    labelled = set(zip(pixels.rows.tolist(), pixels.cols.tolist()))
    assert not labelled & set(zip(found.rows.tolist(), found.cols.tolist()))
    assert 0 < found.values.size <= 150
    assert np.bincount(found.values // 10 - 1, minlength=3).max() <= 50
    # the pseudo-labels are right, and so is the pooled class of the labelled pixels
    assert np.mean(CLASSES[0].value * truth[found.rows, found.cols] == found.values) > 0.95
    assert found.validation_pixels == labels.size
    assert found.validation_agree / found.validation_pixels > 0.9
    # their spectra are the raster's, as the reader gives them (physical values)
    values, _ = SpectralRaster(field["raster"], list(range(1, 41))).read(0, 0, 60, 48,
                                                                         np.float64)
    np.testing.assert_array_equal(found.spectra,
                                  values[found.rows, found.cols].astype(np.float32))


def test_semi_supervised_model_records_its_unlabelled_pixels(field, tmp_path):
    records = []
    model = train(field, on_epoch=records.append)
    info = model.provenance["semi_supervised"]
    (round_info,) = info["rounds"]
    labelled = field["pixels"].labels.size
    assert info["unlabelled_pixels"] == field["truth"].size - labelled
    counts = round_info["pseudo_label_counts"]
    assert set(counts) == {"wheat", "barley", "woods"}
    assert sum(counts.values()) == round_info["pseudo_labels"] > 0
    assert round_info["validation_pixels"] > 0
    assert round_info["validation_agreement"] > 0.9
    # progress: the fraction of the whole run, rising to 1 over both stages
    progress = [r["progress"] for r in records]
    assert progress == sorted(progress) and progress[-1] == 1.0 and progress[0] > 0
    assert {r["round"] for r in records} == {0, 1}
    # the model file keeps it; a file without it (supervised) still loads
    path = str(tmp_path / "semi.crnn")
    save_model(model, path)
    assert load_model(path).provenance["semi_supervised"] == info
    html = render_training_report(model, field["pixels"].spectra,
                                  np.array([CLASSES[i].value for i in field["pixels"].labels]))
    assert "Unlabelled pixels (semi-supervised)" in html
    assert f"{info['unlabelled_pixels']:,} unlabelled pixels classified" in html
    assert f"<td>{counts['woods']:,}</td>" in html


def test_semi_supervised_training_is_deterministic_for_a_seed(field):
    tiles = SemiSupervisedConfig(pixel_budget=1024, tile=16, per_class=60)  # random tiles
    first, second = train(field, tiles), train(field, tiles)
    assert first.provenance["semi_supervised"]["rounds"] == \
        second.provenance["semi_supervised"]["rounds"]
    assert first.provenance["semi_supervised"]["unlabelled_pixels"] <= 1024
    for name, weights in first.weights.items():
        np.testing.assert_array_equal(weights, second.weights[name])


def test_semi_supervised_training_can_be_cancelled(field):
    """Cancelled once the supervised model is trained: while the unlabelled pixels are
    read or in the second training, it stops with no model."""
    records = []

    def cancelled():
        return any(r["round"] == 0 and r["epoch"] == TRAINING.epochs for r in records)

    with pytest.raises(CancelledError):
        train(field, on_epoch=records.append, is_cancelled=cancelled)
    assert not any(r["round"] == 1 for r in records)


needs_qgis_process = pytest.mark.skipif(not os.path.exists(QGIS_PROCESS),
                                        reason=f"{QGIS_PROCESS} is not installed")


def test_the_key_is_declared_on_both_training_algorithms(provider):
    """qgis_process ignores unknown keys: the key the run below passes must exist."""
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    for algorithm in ("crnn:train", "crnn:trainclassify"):
        definition = registry.algorithmById(algorithm).parameterDefinition("SEMI_SUPERVISED")
        assert definition is not None, algorithm
        assert definition.defaultValue() is False


@needs_qgis_process
def test_qgis_process_trains_semi_supervised(env, field, tmp_path):
    model_path, report = str(tmp_path / "semi.crnn"), str(tmp_path / "report.html")
    code, output, _ = qgis_process(env, "crnn:train", {
        "INPUT": field["raster"], "TRAINING": field["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": model_path, "OUTPUT_REPORT": report, "SEMI_SUPERVISED": "true",
        **{**FAST_PARAMETERS, "EPOCHS": 10, "SEED": 2}})
    assert code == 0 and "Traceback" not in output, output
    assert "Round 1: " in output and "pseudo-labels trained on" in output
    info = load_model(model_path).provenance["semi_supervised"]
    assert info["unlabelled_pixels"] > 2000 and info["rounds"][0]["pseudo_labels"] > 0
    with open(report, encoding="utf-8") as stream:
        assert "Unlabelled pixels (semi-supervised)" in stream.read()
