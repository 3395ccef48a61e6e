"""Which bands training reads and how a scene's bands are matched to a model's.

Expected values are worked out by hand in each test: which bands are left out, which
scene band each model band takes, the interpolation weights.
"""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import synthetic_spectra
from osgeo import gdal
from scenes import read_band, square_wkb, write_raster

from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.network.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.rasters.band_matching import match_bands
from hyperspectral_crnn.models.rasters.bands import BandInfo
from hyperspectral_crnn.models.training.band_choice import (
    choose_training_bands,
    parse_wavelength_ranges,
    training_bands,
)
from hyperspectral_crnn.models.training.samples import bands_without_data, read_training_pixels
from hyperspectral_crnn.models.training.train import (
    ModelBands,
    TrainingData,
    TrainingSetup,
    train_model,
)


def bands(wavelengths, bad=(), fwhm=None):
    return [BandInfo(i + 1, w, fwhm, bad=(i + 1) in bad) for i, w in enumerate(wavelengths)]


def test_wavelength_ranges():
    assert parse_wavelength_ranges("1340-1460, 1790-1960") == [(1340, 1460), (1790, 1960)]
    assert parse_wavelength_ranges(" 400.5 - 410 nm;900 to 950 ") == [(400.5, 410), (900, 950)]
    assert parse_wavelength_ranges("") == [] and parse_wavelength_ranges(None) == []
    with pytest.raises(CrnnError, match="runs backwards"):
        parse_wavelength_ranges("1460-1340")
    with pytest.raises(CrnnError, match="Cannot read the wavelength range 'water'"):
        parse_wavelength_ranges("1340-1460, water")


def test_training_bands_leave_out_flagged_and_excluded_bands():
    scene = bands([400, 500, 600, 700, 1400, 1450, 2000], bad=(2,))
    choice = choose_training_bands(scene, None, [(1340, 1460)])
    assert choice.used == [1, 3, 4, 7]
    assert choice.flagged_bad == [2] and choice.excluded == [5, 6]
    notes = choice.notes()
    assert notes[0] == ("1 band(s) flagged bad in the file's metadata (bbl) are left out: "
                        "band 2 (500 nm).")
    assert notes[1].startswith("2 band(s) in the excluded wavelength ranges are left out: "
                               "band 5 (1400 nm), band 6 (1450 nm)")
    # bands asked for by number are the user's choice, flagged or not; ranges still apply
    assert choose_training_bands(scene, [6, 2, 1, 2], [(1340, 1460)]).used == [1, 2]
    assert choose_training_bands(scene, None, [], honour_bad_bands=False).used == list(
        range(1, 8))
    with pytest.raises(CrnnError, match=r"Bands \[9\] do not exist"):
        choose_training_bands(scene, [1, 9])
    with pytest.raises(CrnnError, match="have no wavelengths"):
        choose_training_bands(bands([None, None]), None, [(1, 2)])
    with pytest.raises(CrnnError, match="Every band is left out"):
        choose_training_bands(scene, [5, 6], [(1000, 1500)])


def test_scene_bands_found_by_wavelength_in_any_order():
    model_wl, model_bands = [500.0, 600.0, 700.0], [2, 3, 4]
    scene = bands([700.4, 650.0, 499.8, 800.0, 600.0, 400.0])
    match = match_bands(scene, model_bands, model_wl, [10.0] * 3, 6)
    assert match.read == [3, 5, 1] and match.mixing is None
    assert match.message == "3 of 6 bands matched by wavelength, largest offset 0.4 nm."
    # half the FWHM is the tolerance: 4 nm off matches with a FWHM of 10, not of 6
    off = bands([504.0, 600.0, 700.0])
    assert match_bands(off, model_bands, model_wl, [10.0] * 3, 3).read == [1, 2, 3]
    with pytest.raises(CrnnError, match=r"lacks 1 of the model's 3 wavelengths \(nm\): 500\."):
        match_bands(off, model_bands, model_wl, [6.0] * 3, 3)
    # without a FWHM the tolerance is 2 nm
    assert match_bands(bands([501.5, 600, 700]), model_bands, model_wl, [], 3).read == [1, 2, 3]
    with pytest.raises(CrnnError, match="lacks 1"):
        match_bands(bands([502.5, 600, 700]), model_bands, model_wl, [], 3)


def test_resampling_weights_by_hand():
    scene = bands([400, 450, 500, 600, 650], bad=(3,))  # 500 nm flagged: not a source
    match = match_bands(scene, [1, 2, 3], [425.0, 450.0, 560.0], [], 5, resample=True)
    # 425: halfway 400-450; 450: on a centre, that band alone; 560: 450-600 (500 flagged),
    # (560 - 450) / 150 = 11/15 of the way
    assert match.read == [1, 2, 4]
    np.testing.assert_allclose(match.mixing, [[0.5, 0, 0], [0.5, 1, 4 / 15], [0, 0, 11 / 15]])
    with pytest.raises(CrnnError, match=r"outside .*range \(400-650 nm\): 700\. Spectra are "
                                        "not extrapolated"):
        match_bands(scene, [1], [700.0], [], 5, resample=True)


def test_without_wavelengths_the_band_count_must_match():
    no_wl = bands([None] * 5)
    assert match_bands(no_wl, [2, 4], [500.0, 700.0], [], 5).read == [2, 4]
    assert match_bands(bands([400, 500]), [1, 2], [], [], 2).read == [1, 2]
    with pytest.raises(CrnnError, match="has 6 bands, but the model was trained on a raster "
                                        "of 5 bands, and the model has no wavelengths"):
        match_bands(bands([None] * 6), [2, 4], [None, None], [], 5)
    with pytest.raises(CrnnError, match="has only 4 band"):
        match_bands(bands([None] * 4), [2, 4], [None, None], [], 5)
    # files written before the training raster's band count was kept: by number
    assert match_bands(bands([None] * 9), [2, 4], [], [], None).read == [2, 4]


def _scene(tmp_path, cube, name, gdal_type=gdal.GDT_Float32, scale=None):
    path = write_raster(str(tmp_path / name), cube, gdal_type)
    if scale is not None:
        dataset = gdal.Open(path, gdal.GA_Update)
        for b in range(dataset.RasterCount):
            dataset.GetRasterBand(b + 1).SetScale(scale)
        dataset = None
    return path


def test_bands_without_data_under_the_polygons(tmp_path):
    cube = np.ones((4, 10, 10), np.float32)
    cube[1] = np.nan
    cube[3, :5] = np.nan  # no data in the polygon's rows only
    path = _scene(tmp_path, cube, "nan.tif")
    polygon = [(square_wkb(*corners(0, 0, 4, 4)), 0)]
    assert bands_without_data(path, [1, 2, 3, 4], polygon) == [2, 4]
    choice = training_bands(path, None, "", polygon)
    assert choice.used == [1, 3] and choice.without_data == [2, 4]
    # no band with data at all: the bands stay, and reading the pixels says what is wrong
    cube[:] = np.nan
    assert training_bands(_scene(tmp_path, cube, "empty.tif"), None, "", polygon).used == [
        1, 2, 3, 4]


def corners(row, col, rows, cols):
    """Map corners of a pixel window on scenes.write_raster's grid."""
    from scenes import ORIGIN, PIXEL

    return (ORIGIN[0] + col * PIXEL, ORIGIN[1] - (row + rows) * PIXEL,
            ORIGIN[0] + (col + cols) * PIXEL, ORIGIN[1] - row * PIXEL)


@pytest.mark.parametrize("unit_length", [True, False])
def test_reflectance_floats_classify_like_their_scaled_integer_twin(tmp_path, unit_length):
    spectra, labels = synthetic_spectra(16, 2, per_class=50, seed=4)
    counts = np.round(spectra * 5).astype(np.int16)  # reflectance x 10000
    cube = counts.T.reshape(16, 10, 10)
    twin_int = _scene(tmp_path, cube, "int.tif", gdal.GDT_Int16, scale=1e-4)
    reflectance = (cube.astype(np.float32) * np.float32(1e-4))
    twin_float = _scene(tmp_path, reflectance, "float.tif")
    truth = labels.reshape(10, 10)
    polygons = [(square_wkb(*corners(r, c, 1, 1)), int(truth[r, c]) - 1)
                for r in range(0, 10, 2) for c in range(0, 10, 3)]
    pixels = read_training_pixels(twin_int, list(range(1, 17)), polygons)
    assert pixels.spectra.max() < 1.0  # physical values: the scale was applied
    classes = [ClassInfo(1, "a", "#ff0000"), ClassInfo(2, "b", "#0000ff")]
    model = train_model(
        TrainingData(pixels.spectra, pixels.labels + 1, classes,
                     ModelBands(list(range(1, 17)), [str(b) for b in range(16)],
                                raster_band_count=16)),
        TrainingSetup(NetworkConfig(conv_channels=(8,), kernel_sizes=(3,), pool_sizes=(2,),
                                    rnn_hidden=8, rnn_layers=1, unit_length=unit_length),
                      TrainingConfig(epochs=30, seed=1, learning_rate=0.01, mixup=0.0),
                      validation_fraction=0.2))
    maps = []
    for path in (twin_int, twin_float):
        out = str(tmp_path / f"map_{unit_length}_{len(maps)}.tif")
        classify_raster(path, model,
                        ClassificationRequest(OutputPaths(out), LopSettings(1), threads=1))
        maps.append(read_band(out))
    assert set(np.unique(maps[0])) == {1, 2}  # a real map, not an empty one
    np.testing.assert_array_equal(maps[0], maps[1])
