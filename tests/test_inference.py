"""Streaming classification: real GeoTIFFs, real torch, a small real model, no mocks.

The streamed result must equal the whole-image result computed directly with
``predict_proba`` + ``lop_fuse``, whatever the file's block layout and the LOP.
The rasters are taller than one output tile row (256), so the rolling buffer, the halo
rows between tile rows and several read strips are all exercised.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest
import scenes
from core_helpers import SMALL_NETWORK, small_model, synthetic_spectra
from osgeo import gdal

from hyperspectral_crnn.models.common.callbacks import NO_HOOKS, Hooks
from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.common.errors import CancelledError, CrnnError
from hyperspectral_crnn.models.engine import tiles
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings, lop_fuse
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.engine.smoothing import BandClasses, smooth_probabilities
from hyperspectral_crnn.models.engine.tiles import PROBABILITY_NODATA
from hyperspectral_crnn.models.network.window import window_mean
from hyperspectral_crnn.models.rasters import files
from hyperspectral_crnn.models.rasters.files import read_layout

# Every core GDAL call behaves the same with GDAL exceptions off (QGIS 3.22) and on
# (QGIS 3.40+): each test runs in both (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")


def classify(path, model, outputs, lop=None, hooks=NO_HOOKS):
    """One torch thread: on a shared machine, competing threads make the timings erratic."""
    request = ClassificationRequest(outputs, lop or LopSettings(), threads=1)
    return classify_raster(path, model, request, hooks)


BANDS = 40
HEIGHT, WIDTH = 300, 48  # > one 256-row output tile row; two tile columns
TRANSFORM = (500000.0, 30.0, 0.0, 4200000.0, 0.0, -30.0)
LAYOUTS = {
    "tiled": ["TILED=YES", "BLOCKXSIZE=32", "BLOCKYSIZE=32", "INTERLEAVE=BAND"],
    "striped-band": ["INTERLEAVE=BAND", "BLOCKYSIZE=7"],
    "pixel": ["INTERLEAVE=PIXEL", "BLOCKYSIZE=5"],
}


@pytest.fixture(scope="module")
def model():
    return small_model(n_bands=BANDS)


def scene(height: int, width: int, seed: int = 0) -> np.ndarray:
    """(bands, rows, cols): class regions (so the LOP has edges) plus noisy pixels."""
    rng = np.random.default_rng(seed)
    spectra, labels = synthetic_spectra(BANDS, 3, per_class=height * width, seed=seed)
    rows, cols = np.mgrid[0:height, 0:width]
    region = ((rows // 23 + cols // 17) % 3) + 1
    noisy = rng.random((height, width)) < 0.15
    region[noisy] = rng.integers(1, 4, noisy.sum())
    out = np.empty((height * width, BANDS), np.float32)
    for k in (1, 2, 3):
        where = np.flatnonzero(region.ravel() == k)
        pool = spectra[labels == k]
        out[where] = pool[rng.integers(0, pool.shape[0], where.size)]
    return out.T.reshape(BANDS, height, width).copy()


def write_raster(path, array, options=(), gdal_type=gdal.GDT_Float32, nodata=None) -> str:
    return scenes.write_raster(path, array, gdal_type, options, TRANSFORM, 32633, nodata)


def read(path) -> np.ndarray:
    dataset = gdal.Open(str(path))
    array = dataset.ReadAsArray()
    return array if array.ndim == 3 else array[None]


def reference(model, array, valid, size=1, weights="uniform", iterations=1):
    """Whole-image result: predict_proba on every valid pixel, then one lop_fuse.

    A model with an input window reads the whole image's window means; the guide of the
    edge LOP still comes from each pixel's own spectrum.
    """
    bands, height, width = array.shape
    spectra = array.reshape(bands, -1).T
    network_input = window_mean(array.transpose(1, 2, 0), valid,
                                model.network.input_window).reshape(-1, bands)
    flat = valid.ravel()
    probs = np.zeros((spectra.shape[0], model.n_classes), np.float32)
    probs[flat] = model.classifier(threads=1).predict_proba(network_input[flat])
    guide = np.zeros((spectra.shape[0], model.guide_components.shape[0]), np.float32)
    guide[flat] = model.guide(spectra[flat])
    fused = lop_fuse(
        probs.T.reshape(-1, height, width), valid, size, weights, iterations,
        guide=guide.T.reshape(-1, height, width), edge_scale=model.edge_scale,
    )
    return fused


def labels_of(model, fused, valid, nodata=0):
    values = np.array([c.value for c in model.classes])
    out = values[fused.argmax(axis=0)]
    out[~valid] = nodata
    return out


def assert_matches(model, folder, fused, valid):
    np.testing.assert_array_equal(read(folder / "class.tif")[0], labels_of(model, fused, valid))
    probs = read(folder / "probs.tif")
    expected = np.where(valid, fused, PROBABILITY_NODATA)
    np.testing.assert_allclose(probs, expected, rtol=0, atol=1e-6)
    confidence = read(folder / "conf.tif")[0]
    np.testing.assert_allclose(
        confidence, np.where(valid, fused.max(axis=0), PROBABILITY_NODATA), rtol=0, atol=1e-6
    )


def outputs(folder):
    return OutputPaths(str(folder / "class.tif"), str(folder / "probs.tif"),
                       str(folder / "conf.tif"))


@pytest.fixture(scope="module")
def tall(model, tmp_path_factory):
    """The same scene in three block layouts, plus its whole-image probabilities."""
    folder = tmp_path_factory.mktemp("tall")
    array = scene(HEIGHT, WIDTH)
    paths = {name: write_raster(folder / f"{name}.tif", array, options)
             for name, options in LAYOUTS.items()}
    valid = np.ones((HEIGHT, WIDTH), bool)
    return {"array": array, "paths": paths, "valid": valid,
            "raw": reference(model, array, valid)}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_probabilities_without_lop_equal_whole_image(model, tall, tmp_path, layout):
    summary = classify(tall["paths"][layout], model, outputs(tmp_path), LopSettings(1))
    assert_matches(model, tmp_path, tall["raw"], tall["valid"])
    assert summary.valid_pixels == HEIGHT * WIDTH and summary.nodata_pixels == 0
    assert sum(summary.class_counts.values()) == HEIGHT * WIDTH


@pytest.mark.parametrize("layout, size, weights, iterations", [
    ("tiled", 3, "edge", 1), ("tiled", 5, "edge", 3), ("tiled", 3, "uniform", 3),
    ("striped-band", 5, "gaussian", 1), ("striped-band", 3, "edge", 3),
    ("pixel", 5, "uniform", 3), ("pixel", 5, "edge", 1),
])
def test_streamed_lop_equals_whole_image(model, tall, tmp_path, layout, size, weights,
                                         iterations):
    classify(tall["paths"][layout], model, outputs(tmp_path),
             LopSettings(size, weights, iterations))
    fused = reference(model, tall["array"], tall["valid"], size, weights, iterations)
    assert_matches(model, tmp_path, fused, tall["valid"])


def test_column_chunks_within_a_tile_row(model, tall, tmp_path, monkeypatch):
    """A read budget of one tile splits each tile row into column chunks, and 20-column
    LOP pieces split the fusion: still exact."""
    monkeypatch.setattr(files, "READ_BUDGET_BYTES", 32 * 32 * BANDS * 4)
    monkeypatch.setattr(tiles, "LOP_COLUMNS", 20)
    dataset = gdal.Open(tall["paths"]["tiled"])
    assert read_layout(dataset, [1], BANDS * 4) == (32, 32)
    classify(tall["paths"]["tiled"], model, outputs(tmp_path), LopSettings(5, "edge", 1))
    fused = reference(model, tall["array"], tall["valid"], 5, "edge", 1)
    assert_matches(model, tmp_path, fused, tall["valid"])


@pytest.fixture(scope="module")
def windowed_model():
    return small_model(n_bands=BANDS, network=dataclasses.replace(SMALL_NETWORK,
                                                                  input_window=5))


@pytest.mark.parametrize("layout, size, weights", [("tiled", 3, "edge"), ("pixel", 5, "uniform")])
def test_input_window_streamed_equals_whole_image(windowed_model, tall, tmp_path, monkeypatch,
                                                  layout, size, weights):
    """The window's halo is read around every strip and column chunk: exact."""
    monkeypatch.setattr(files, "READ_BUDGET_BYTES", 32 * 32 * BANDS * 4)
    classify(tall["paths"][layout], windowed_model, outputs(tmp_path),
             LopSettings(size, weights, 2))
    fused = reference(windowed_model, tall["array"], tall["valid"], size, weights, 2)
    assert_matches(windowed_model, tmp_path, fused, tall["valid"])
    windowless = dataclasses.replace(windowed_model, network=dataclasses.replace(
        windowed_model.network, input_window=1))
    assert not np.array_equal(fused, reference(windowless, tall["array"], tall["valid"],
                                               size, weights, 2))


def test_input_window_leaves_nodata_out_of_the_mean(windowed_model, tmp_path):
    array = np.round(scene(40, 30, seed=2)).astype(np.int16)
    valid = np.ones((40, 30), bool)
    array[:, 10:13, 5:9] = -9999
    array[3, 20, 20] = -9999
    valid[10:13, 5:9] = valid[20, 20] = False
    path = write_raster(tmp_path / "int16.tif", array, LAYOUTS["tiled"], gdal.GDT_Int16,
                        nodata=-9999)
    summary = classify(path, windowed_model, outputs(tmp_path), LopSettings(3))
    fused = reference(windowed_model, array.astype(np.float32), valid, 3)
    assert_matches(windowed_model, tmp_path, fused, valid)
    assert summary.nodata_pixels == int((~valid).sum())


@pytest.mark.parametrize("weights", ["uniform", "gaussian"])
@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("iterations", [1, 3])
def test_smoothing_equals_whole_image(tall, tmp_path, weights, size, iterations):
    """Every spatial LOP through the same streaming engine, on the tiled layout."""
    raw = tall["raw"]
    source = write_raster(tmp_path / "raw.tif", raw, LAYOUTS["tiled"])
    smooth_probabilities(source, ClassificationRequest(
        OutputPaths(str(tmp_path / "class.tif"), str(tmp_path / "probs.tif"),
                    str(tmp_path / "conf.tif")), LopSettings(size, weights, iterations)))
    fused = lop_fuse(raw, tall["valid"], size, weights, iterations)
    np.testing.assert_array_equal(read(tmp_path / "class.tif")[0], fused.argmax(axis=0) + 1)
    np.testing.assert_allclose(read(tmp_path / "probs.tif"), fused, rtol=0, atol=1e-6)


def test_smoothing_refuses_edge_and_mismatched_classes(tall, tmp_path):
    source = write_raster(tmp_path / "raw.tif", tall["raw"][:, :40, :40])
    with pytest.raises(CrnnError, match="spectra"):
        smooth_probabilities(source, ClassificationRequest(
            OutputPaths(str(tmp_path / "class.tif")), LopSettings(weights="edge")))
    with pytest.raises(CrnnError, match="3 bands but 2 class values"):
        smooth_probabilities(source, ClassificationRequest(
            OutputPaths(str(tmp_path / "class.tif"))), BandClasses(values=[1, 2]))


def test_nodata_nan_and_inf_are_not_classified(model, tmp_path):
    array = scene(60, 50, seed=1)
    valid = np.ones((60, 50), bool)
    integer = np.round(array).astype(np.int16)
    integer[7, 3:9, 10] = -9999  # nodata in some bands only
    integer[:, 20:23, 30:34] = -9999
    valid[3:9, 10] = False
    valid[20:23, 30:34] = False
    path = write_raster(tmp_path / "int16.tif", integer, LAYOUTS["tiled"], gdal.GDT_Int16,
                        nodata=-9999)
    summary = classify(path, model, outputs(tmp_path), LopSettings(3, "edge"))
    fused = reference(model, integer.astype(np.float32), valid, 3, "edge", 1)
    assert_matches(model, tmp_path, fused, valid)
    assert summary.nodata_pixels == int((~valid).sum())
    assert summary.valid_pixels == int(valid.sum())

    floating = array.copy()
    floating[5, 0, :] = np.nan
    floating[39, 59, 49] = np.inf
    floating[0, 30, 30] = -np.inf
    valid = np.ones((60, 50), bool)
    valid[0, :] = valid[59, 49] = valid[30, 30] = False
    path = write_raster(tmp_path / "float.tif", floating, LAYOUTS["pixel"])
    classify(path, model, outputs(tmp_path), LopSettings(5, iterations=2))
    fused = reference(model, np.where(np.isfinite(floating), floating, 0), valid, 5,
                      "uniform", 2)
    assert_matches(model, tmp_path, fused, valid)


def test_output_metadata(model, tmp_path):
    path = write_raster(tmp_path / "in.tif", scene(40, 30, seed=2), LAYOUTS["striped-band"])
    classify(path, model, outputs(tmp_path))
    source = gdal.Open(path)
    classes = gdal.Open(str(tmp_path / "class.tif"))
    band = classes.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Byte
    assert band.GetNoDataValue() == 0
    assert band.GetBlockSize() == [256, 256]
    assert classes.GetMetadata("IMAGE_STRUCTURE").get("COMPRESSION") == "DEFLATE"
    names = band.GetCategoryNames()
    table = band.GetRasterColorTable()
    for info in model.classes:
        assert names[info.value] == info.name
        rgb = tuple(int(info.color[i:i + 2], 16) for i in (1, 3, 5))
        assert table.GetColorEntry(info.value) == (*rgb, 255)
    assert table.GetColorEntry(0)[3] == 0  # nodata is transparent
    probs = gdal.Open(str(tmp_path / "probs.tif"))
    assert probs.RasterCount == model.n_classes
    for index, info in enumerate(model.classes, start=1):
        assert probs.GetRasterBand(index).GetDescription() == info.name
        assert probs.GetRasterBand(index).DataType == gdal.GDT_Float32
        assert probs.GetRasterBand(index).GetNoDataValue() == PROBABILITY_NODATA
    confidence = gdal.Open(str(tmp_path / "conf.tif"))
    assert confidence.GetRasterBand(1).GetNoDataValue() == PROBABILITY_NODATA
    for output in (classes, probs, confidence):
        assert (output.RasterXSize, output.RasterYSize) == (30, 40)
        assert output.GetGeoTransform() == source.GetGeoTransform()
        assert output.GetSpatialRef().IsSame(source.GetSpatialRef())
    classes = probs = confidence = None
    assert sorted(os.listdir(tmp_path)) == [
        "class.tif", "class.tif.aux.xml", "conf.tif", "in.tif", "probs.tif"
    ]


def test_class_value_types(model, tmp_path):
    path = write_raster(tmp_path / "in.tif", scene(20, 20, seed=3))
    cases = [([-5, 0, 300], gdal.GDT_Int16, 32767), ([0, 1, 255], gdal.GDT_Byte, 254),
             ([0, 1, 300], gdal.GDT_UInt16, 65535),
             ([0, 7, 9], gdal.GDT_Byte, 255), ([2, 70000, 5], gdal.GDT_Int32, 0)]
    for values, gdal_type, nodata in cases:
        classes = [ClassInfo(v, c.name, c.color) for v, c in zip(values, model.classes)]
        relabelled = dataclasses.replace(model, classes=classes)
        output = str(tmp_path / f"class_{gdal_type}.tif")
        summary = classify(path, relabelled, OutputPaths(output))
        dataset = gdal.Open(output)
        band = dataset.GetRasterBand(1)
        assert (band.DataType, band.GetNoDataValue()) == (gdal_type, nodata)
        assert set(np.unique(band.ReadAsArray())) <= set(values)
        assert set(summary.class_counts) == set(values)


def test_band_check_before_any_work(model, tmp_path):
    path = write_raster(tmp_path / "short.tif", scene(10, 10)[:30])
    calls = []
    with pytest.raises(CrnnError, match=r"band 40.*only 30 band"):
        classify(path, model, OutputPaths(str(tmp_path / "class.tif")),
                 hooks=Hooks(progress=calls.append))
    assert calls == [] and os.listdir(tmp_path) == ["short.tif"]


def test_cancel_leaves_no_file(model, tmp_path):
    path = write_raster(tmp_path / "in.tif", scene(HEIGHT, 40, seed=4), LAYOUTS["tiled"])
    calls = []
    with pytest.raises(CancelledError):
        classify(path, model, outputs(tmp_path),
                 hooks=Hooks(progress=calls.append, is_cancelled=lambda: bool(calls)))
    assert len(calls) == 1 and calls[0] < 1
    assert os.listdir(tmp_path) == ["in.tif"]


def test_refused_paths(model, tmp_path):
    path = write_raster(tmp_path / "in.tif", scene(10, 10))
    with pytest.raises(CrnnError, match="input raster itself"):
        classify(path, model, OutputPaths(path))
    with pytest.raises(CrnnError, match="does not exist. Create the folder"):
        classify(path, model, OutputPaths(str(tmp_path / "missing" / "class.tif")))
    with pytest.raises(CrnnError, match="same file"):
        classify(path, model, OutputPaths(str(tmp_path / "a.tif"), str(tmp_path / "a.tif")))
    with pytest.raises(CrnnError, match=r"\.tif extension"):
        classify(path, model, OutputPaths(str(tmp_path / "class.img")))
    with pytest.raises(CrnnError, match="does not exist"):
        classify(str(tmp_path / "nothing.tif"), model, OutputPaths(str(tmp_path / "class.tif")))
    with pytest.raises(CrnnError, match="odd"):
        classify(path, model, OutputPaths(str(tmp_path / "class.tif")), LopSettings(4))
    assert os.listdir(tmp_path) == ["in.tif"]


def test_rerun_replaces_outputs_and_leaves_no_temporary_file(model, tmp_path):
    path = write_raster(tmp_path / "in.tif", scene(30, 30, seed=5))
    messages, progress = [], []
    for _ in range(2):
        classify_raster(path, model, ClassificationRequest(outputs(tmp_path)),
                        Hooks(log=messages.append, progress=progress.append))
    assert progress[-1] == pytest.approx(1.0)  # the fraction done (models/common/callbacks.py)
    assert all(0 < p <= 1 for p in progress)
    assert any("pixels/s" in m for m in messages)
    assert sorted(os.listdir(tmp_path)) == [
        "class.tif", "class.tif.aux.xml", "conf.tif", "in.tif", "probs.tif"
    ]
