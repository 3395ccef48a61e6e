"""Semi-supervised training (SEMI_SUPERVISED): labels grown into alike neighbours (the
default) and the ablation's self-training on LOP-pooled pseudo-labels; what the model
file and the report say; determinism, cancel, progress; the key on crnn:train and
crnn:trainclassify, and one qgis_process run.

Real torch, real GeoTIFFs (tests/scenes.py's field scene), real QGIS for the algorithms.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from osgeo import ogr
from scenes import FAST_PARAMETERS, write_field_scene
from test_bad_process import QGIS_PROCESS, qgis_process
from test_bad_process import env as env  # noqa: F401 (the fixture, used by name)

from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.common.errors import CancelledError
from hyperspectral_crnn.models.network.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.network.modelfile import load_model, save_model
from hyperspectral_crnn.models.rasters.raster import SpectralRaster
from hyperspectral_crnn.models.reports.training_report import render_training_report
from hyperspectral_crnn.models.training.samples import read_training_pixels
from hyperspectral_crnn.models.training.semi_supervised import (
    LabelledPlaces,
    SemiSupervisedConfig,
    pseudo_label_windows,
    pseudo_labels,
    train_semi_supervised,
)
from hyperspectral_crnn.models.training.train import (
    ModelBands,
    TrainingData,
    TrainingHooks,
    TrainingSetup,
    train_model,
)

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
        TrainingData(pixels.spectra, [CLASSES[i].value for i in pixels.labels], CLASSES,
                     ModelBands(list(range(1, 41)), [f"Band {b}" for b in range(1, 41)])),
        field["raster"], (pixels.rows, pixels.cols),
        TrainingSetup(NETWORK, kwargs.pop("training_config", TRAINING)),
        semi=semi or SemiSupervisedConfig(), hooks=TrainingHooks(**kwargs))


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
    model = train_model(TrainingData(pixels.spectra, labels, CLASSES,
                                     ModelBands(list(range(1, 41)),
                                                [f"Band {b}" for b in range(1, 41)])),
                        TrainingSetup(NETWORK, TRAINING))
    semi = SemiSupervisedConfig(per_class=50, threshold=0.6)
    # every labelled pixel held out for validation: none trains, every one scores
    nothing = (np.empty(0, np.int64),) * 3
    found = pseudo_labels(field["raster"], model,
                          LabelledPlaces(nothing, (pixels.rows, pixels.cols, labels)), semi,
                          seed=0, threads=1)
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


def test_semi_supervised_model_records_its_grown_labels(field, tmp_path):
    records = []
    model = train(field, on_epoch=records.append)  # the default: growing only
    info = model.provenance["semi_supervised"]
    assert info["method"] == "labels grown into spectrally alike neighbours"
    (grown,) = info["rounds"]
    assert grown["source"] == "grown"
    counts = grown["pseudo_label_counts"]
    assert set(counts) == {"wheat", "barley", "woods"}
    assert sum(counts.values()) == grown["pseudo_labels"] > 0
    assert 0 < info["unlabelled_pixels"] == grown["unlabelled_pixels"]
    # the growth is scored on the validation pixels it reaches, and is right there
    assert grown["validation_pixels"] > 0 and grown["validation_agreement"] > 0.95
    # this scene's pixels differ by about 0.18 rad from their neighbours (noise): the
    # bound follows, twice that, above the 0.08 floor, up to the 0.25 rad cap
    assert 0.15 < grown["adjacent_angle"] < 0.22
    assert grown["angle"] == grown["angle_cap"] == 0.25 and grown["angle_capped"]
    assert not grown["too_noisy"]
    # its epochs: the steps of a supervised run on 3x the training pixels
    training = sum(c["training"] for c in model.provenance["samples"].values())
    assert grown["epochs"] == min(TRAINING.epochs, math.ceil(
        TRAINING.epochs * 3 * training / (training + grown["pseudo_labels"])))
    progress = [r["progress"] for r in records]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert {r["round"] for r in records} == {0} and len(records) == grown["epochs"]
    # the model file keeps it
    path = str(tmp_path / "semi.crnn")
    save_model(model, path)
    assert load_model(path).provenance["semi_supervised"] == info
    html = render_training_report(model, field["pixels"].spectra,
                                  np.array([CLASSES[i].value for i in field["pixels"].labels]))
    assert "Unlabelled pixels (semi-supervised)" in html
    assert f"{grown['unlabelled_pixels']:,} unlabelled pixels looked at" in html
    assert "<th>Grown</th>" in html and f"<td>{counts['woods']:,}</td>" in html


SELF_TRAINING = SemiSupervisedConfig(grow_radius=0, rounds=1, per_class=150)


def test_self_training_round_records_its_pseudo_labels(field, tmp_path):
    """The ablation's self-training (docs/ablation.md): the supervised model, then a
    round on LOP-pooled pseudo-labels of the whole raster."""
    records = []
    model = train(field, SELF_TRAINING, on_epoch=records.append)
    info = model.provenance["semi_supervised"]
    assert info["method"] == "self-training on LOP-pooled pseudo-labels"
    (round_info,) = info["rounds"]
    assert round_info["source"] == "pooled"
    labelled = field["pixels"].labels.size
    assert info["unlabelled_pixels"] == field["truth"].size - labelled
    counts = round_info["pseudo_label_counts"]
    assert sum(counts.values()) == round_info["pseudo_labels"] > 0
    assert round_info["validation_agreement"] > 0.9
    # progress: the fraction of the whole run, rising to 1 over both stages
    progress = [r["progress"] for r in records]
    assert progress == sorted(progress) and progress[-1] == 1.0 and progress[0] > 0
    assert {r["round"] for r in records} == {0, 1}
    html = render_training_report(model, field["pixels"].spectra,
                                  np.array([CLASSES[i].value for i in field["pixels"].labels]))
    assert f"{info['unlabelled_pixels']:,} unlabelled pixels looked at" in html
    assert "<th>Round 1</th>" in html


def test_semi_supervised_training_is_deterministic_for_a_seed(field):
    # growing from 21 training pixels (1024 // 48), then a round on random tiles
    tiles = SemiSupervisedConfig(pixel_budget=1024, tile=16, per_class=60, rounds=1)
    first, second = train(field, tiles), train(field, tiles)
    assert first.provenance["semi_supervised"]["rounds"] == \
        second.provenance["semi_supervised"]["rounds"]
    assert [r["source"] for r in first.provenance["semi_supervised"]["rounds"]] == \
        ["grown", "pooled"]
    assert first.provenance["semi_supervised"]["rounds"][1]["unlabelled_pixels"] <= 1024
    for name, weights in first.weights.items():
        np.testing.assert_array_equal(weights, second.weights[name])


def test_semi_supervised_training_can_be_cancelled(field):
    """Cancelled while the labels grow: no training starts. Cancelled once the
    supervised model of the self-training is trained: no second training."""
    records = []
    with pytest.raises(CancelledError):
        train(field, on_epoch=records.append, is_cancelled=lambda: True)
    assert records == []

    def cancelled():
        return any(r["round"] == 0 and r["epoch"] == TRAINING.epochs for r in records)

    with pytest.raises(CancelledError):
        train(field, SELF_TRAINING, on_epoch=records.append, is_cancelled=cancelled)
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
    assert "Grown labels: " in output and "alike ones trained on" in output
    info = load_model(model_path).provenance["semi_supervised"]
    assert info["unlabelled_pixels"] > 0 and info["rounds"][0]["pseudo_labels"] > 0
    with open(report, encoding="utf-8") as stream:
        assert "Unlabelled pixels (semi-supervised)" in stream.read()


def write_two_fields(path, seed=0):
    """A 9 x 9 x 6 GeoTIFF: columns 0-3 one field (spectrum A), 4-8 another (B), A and B
    0.3 radians apart, each pixel with 1 % noise; nodata -1 at (8, 8)."""
    from osgeo import gdal

    rng = np.random.default_rng(seed)
    a = np.array([1, 2, 3, 4, 5, 6], float)
    b = np.array([6, 5, 4, 3, 2, 1], float) * 0.5 + a * 0.5
    cube = np.where((np.arange(9) < 4)[None, :, None], a, b) * 100
    cube = cube * (1 + 0.01 * rng.standard_normal((9, 9, 6)))
    cube[8, 8] = -1
    dataset = gdal.GetDriverByName("GTiff").Create(path, 9, 9, 6, gdal.GDT_Float32)
    for band in range(6):
        dataset.GetRasterBand(band + 1).WriteArray(cube[:, :, band])
        dataset.GetRasterBand(band + 1).SetNoDataValue(-1)
    dataset = None
    return cube


def test_grown_labels_reach_alike_neighbours_only(tmp_path):
    from hyperspectral_crnn.models.training.semi_supervised import grown_labels

    path = str(tmp_path / "fields.tif")
    cube = write_two_fields(path)
    # training pixels: class 10 at (4, 2) in field A, class 20 at (4, 6) in field B;
    # a validation pixel of class 10 at (3, 3), one of class 20 at (8, 7)
    rows, cols, values = np.array([4, 4]), np.array([2, 6]), np.array([10, 20])
    known = (rows, cols, values, cube[rows, cols])
    validation = (np.array([3, 8]), np.array([3, 7]), np.array([10, 20]))
    semi = SemiSupervisedConfig(grow_radius=2, grow_angle=0.1)
    found = grown_labels(path, list(range(1, 7)), 1, known, validation, semi, seed=0)
    grown = dict(zip(zip(found.rows.tolist(), found.cols.tolist()), found.values.tolist()))
    # within 2 pixels of (4, 2) and in field A (cols 0-3): 5 x 4 less the training pixel
    # and the validation pixel; of (4, 6) in field B (cols 4-8): 5 x 5 less itself
    expected = {(r, c): 10 for r in range(2, 7) for c in range(0, 4)}
    expected.update({(r, c): 20 for r in range(2, 7) for c in range(4, 9)})
    for pixel in [(4, 2), (4, 6), (3, 3)]:
        del expected[pixel]
    assert grown == expected
    np.testing.assert_allclose(found.spectra, cube[found.rows, found.cols], rtol=1e-6)
    # the validation pixel reached is scored, the other is out of reach
    assert (found.validation_pixels, found.validation_agree) == (1, 1)
    assert found.angle == 0.1  # 1 % noise: twice the adjacent angle is under the floor
    assert found.pixels_read == 25 + 25 - 5 - 2  # distinct neighbours looked at


def test_grown_labels_drop_pixels_two_classes_reach(tmp_path):
    from hyperspectral_crnn.models.training.semi_supervised import grown_labels

    path = str(tmp_path / "fields.tif")
    cube = write_two_fields(path)
    # two classes on field B, 2 columns apart: their shared neighbours take neither
    rows, cols, values = np.array([4, 4]), np.array([5, 7]), np.array([20, 30])
    empty = (np.empty(0, np.int64),) * 2 + (np.empty(0, np.int64),)
    found = grown_labels(path, list(range(1, 7)), 1, (rows, cols, values, cube[rows, cols]),
                         empty, SemiSupervisedConfig(grow_radius=1, grow_angle=0.1), seed=0)
    grown = dict(zip(zip(found.rows.tolist(), found.cols.tolist()), found.values.tolist()))
    expected = {**{(r, c): 20 for r in (3, 4, 5) for c in (4, 5)},
                **{(r, c): 30 for r in (3, 4, 5) for c in (7, 8)}}
    del expected[4, 5], expected[4, 7]  # the training pixels; column 6 is shared
    assert grown == expected
    # the window mean of the input window, as the network reads it
    windowed = grown_labels(path, list(range(1, 7)), 3, (rows, cols, values, cube[rows, cols]),
                            empty, SemiSupervisedConfig(grow_radius=1, grow_angle=0.1), seed=0)
    (index,) = np.flatnonzero((windowed.rows == 3) & (windowed.cols == 8))
    np.testing.assert_allclose(windowed.spectra[index],
                               cube[2:5, 7:9].reshape(-1, 6).mean(0), rtol=1e-5)
    # the budget bounds the training pixels that seed the growth: 8 neighbours, 1 seed
    one = grown_labels(path, list(range(1, 7)), 1, (rows, cols, values, cube[rows, cols]),
                       empty, SemiSupervisedConfig(grow_radius=1, pixel_budget=8), seed=0)
    assert one.pixels_read == 8 and set(one.values.tolist()) in ({20}, {30})
