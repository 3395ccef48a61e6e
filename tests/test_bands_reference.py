"""Which bands are read, and which pixels count as data: checked by hand.

A model whose bands sit anywhere in a larger raster classifies exactly as the same
bands written alone, in order; band numbers outside the raster, or a model inconsistent
with its own bands, are refused with a message; nodata compares exactly at the raster's
own precision (a Float64 or Int32 value one step from the nodata value is data).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from core_helpers import small_model, synthetic_spectra
from osgeo import gdal
from scenes import read_band, write_raster

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.engine.inference import classify_raster
from hyperspectral_crnn.models.engine.lop import LopSettings
from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
from hyperspectral_crnn.models.rasters.files import check_band_indices
from hyperspectral_crnn.models.rasters.raster import SpectralRaster, valid_mask

pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")



def classify(path, model, *outputs):
    """No LOP, one torch thread; ``outputs``: the class raster, then the probabilities."""
    request = ClassificationRequest(OutputPaths(*outputs), LopSettings(1), threads=1)
    return classify_raster(path, model, request)


N = 12
ORDER = [17, 3, 9, 1, 20, 5, 11, 14, 2, 8, 19, 6]  # the model's bands in a 20-band raster


@pytest.fixture(scope="module")
def model():
    return small_model(n_bands=N, epochs=2)


def test_valid_pixels_by_hand():
    spectra = np.array([[0.0, 1.0], [-2.0, 1.0], [3.0, 7.0], [np.nan, 1.0], [1.0, np.inf],
                        [-np.inf, 1.0], [5.0, -7.0]])
    np.testing.assert_array_equal(valid_mask(spectra, [0.0, 7.0]),
                                  [False, True, False, False, False, False, True])
    # no nodata (None) or a NaN nodata: only non-finite values are missing
    np.testing.assert_array_equal(valid_mask(spectra, [None, np.nan]),
                                  [True, True, True, False, False, False, True])
    single = np.array([[np.float32(0.1)], [0.2]], np.float32)  # compared at float32
    np.testing.assert_array_equal(valid_mask(single, [0.1]), [False, True])


def test_band_numbers_and_their_nodata():
    dataset = gdal.GetDriverByName("MEM").Create("", 4, 3, 3, gdal.GDT_Float32)
    dataset.GetRasterBand(2).SetNoDataValue(-1.0)
    dataset.GetRasterBand(3).SetNoDataValue(5.0)
    raster = SpectralRaster("x.tif", [3, 1, 2], dataset=dataset)
    assert [band.nodata for band in raster.bands] == [5.0, None, -1.0]
    check_band_indices(dataset, [1, 3, 2], "x.tif")
    for bands, bad in (([0], "0"), ([1, 4], "4"), ([-1, 2], "-1"), ([5, 3, 0], "5, 0")):
        with pytest.raises(CrnnError, match=rf"has 3 band\(s\), but band\(s\) \[{bad}\]"):
            check_band_indices(dataset, bands, "x.tif")


def cubes():
    spectra, _ = synthetic_spectra(N, 3, per_class=40)  # 120 pixels of 12 bands
    cube = spectra.T.reshape(N, 10, 12)
    big = np.random.default_rng(0).normal(1000, 100, (20, 10, 12)).astype(np.float32)
    for k, band in enumerate(ORDER):
        big[band - 1] = cube[k]
    return cube, big


def test_the_model_reads_its_bands_wherever_they_sit(model, tmp_path):
    cube, big = cubes()
    alone = write_raster(tmp_path / "alone.tif", cube)
    inside = write_raster(tmp_path / "inside.tif", big)
    classify(alone, model, str(tmp_path / "a.tif"), str(tmp_path / "pa.tif"))
    moved = dataclasses.replace(model, band_indices=list(ORDER))
    classify(inside, moved, str(tmp_path / "b.tif"), str(tmp_path / "pb.tif"))
    np.testing.assert_array_equal(read_band(str(tmp_path / "a.tif")),
                                  read_band(str(tmp_path / "b.tif")))
    for k in range(1, 4):
        np.testing.assert_array_equal(read_band(str(tmp_path / "pa.tif"), k),
                                      read_band(str(tmp_path / "pb.tif"), k))


@pytest.mark.parametrize("bands, message", [
    ([0] + ORDER[1:], "band 0; bands are numbered from 1"),
    ([-2] + ORDER[1:], "band -2; bands are numbered from 1"),
    (ORDER[:-1] + [21], r"reads band 21, but the raster 'inside.tif' has only 20 band\(s\)"),
    ([], "lists no bands"),
    (ORDER[:-1], "11 bands but a standardisation for 12"),
    (ORDER + [4], "13 bands but a standardisation for 12"),
])
def test_bands_the_raster_or_the_model_cannot_give_are_refused(model, tmp_path, bands,
                                                                message):
    _, big = cubes()
    inside = write_raster(tmp_path / "inside.tif", big)
    with pytest.raises(CrnnError, match=message):
        classify(inside, dataclasses.replace(model, band_indices=bands),
                 str(tmp_path / "out.tif"))
    assert not (tmp_path / "out.tif").exists()


@pytest.mark.parametrize("gdal_type, nodata, near", [
    (gdal.GDT_Float64, 1000.1, float(np.nextafter(1000.1, 2000.0))),
    (gdal.GDT_Int32, 16777217, 16777216),  # float32 cannot tell these two apart
])
def test_nodata_compares_at_the_rasters_precision(model, tmp_path, gdal_type, nodata, near):
    cube, _ = cubes()
    cube = cube.astype(np.float64)
    cube[0, 2, 3] = nodata  # missing
    cube[0, 4, 5] = near  # data, one step away
    path = write_raster(tmp_path / "precise.tif", cube, gdal_type=gdal_type, nodata=nodata)
    summary = classify(path, model, str(tmp_path / "out.tif"))
    assert summary.nodata_pixels == 1 and summary.valid_pixels == 119
    classes = read_band(str(tmp_path / "out.tif"))
    assert classes[2, 3] not in (1, 2, 3) and classes[4, 5] in (1, 2, 3)


def test_read_block_shapes_and_a_read_error_naming_the_rows(tmp_path):
    import os

    from hyperspectral_crnn.models.rasters.files import read_block

    data = np.arange(2 * 64 * 64, dtype=np.float32).reshape(2, 64, 64)
    path = write_raster(tmp_path / "cube.tif", data, options=["TILED=YES", "BLOCKXSIZE=16",
                                                               "BLOCKYSIZE=16"])
    dataset = gdal.Open(path)
    np.testing.assert_array_equal(read_block(dataset, 1, 2, 4, 3, [2]), data[1:, 2:5, 1:5])
    pixel = "".join(["pi", "xel"])  # a mode built at run time, as read from elsewhere
    np.testing.assert_array_equal(read_block(dataset, 1, 2, 4, 3, [2], None, pixel),
                                  data[1:, 2:5, 1:5].transpose(1, 2, 0))
    band = "".join(["ba", "nd"])
    assert read_block(dataset, 1, 2, 4, 3, [1], None, band).shape == (1, 3, 4)
    np.testing.assert_array_equal(read_block(dataset, 0, 0, 3, 2, [2, 1]),
                                  data[::-1, :2, :3])
    dataset = None
    size = os.path.getsize(path)
    with open(path, "r+b") as stream:
        stream.truncate(size // 2)
    dataset = gdal.Open(path)
    with pytest.raises(CrnnError, match=r"Cannot read rows 40-47 of '.*cube\.tif': ") as error:
        read_block(dataset, 0, 40, 64, 8, [1, 2])
    assert "read error" not in str(error.value)  # GDAL's own message is passed on
    # the exception's traceback holds the dataset (through read_block's frame) in a cycle
    # with this frame: break it, so the dataset is not closed after GDAL shut down at exit
    del error
    dataset = None


def test_bands_between_the_first_and_last_of_the_raster(model, tmp_path):
    """Neither band 1 nor the last band among the model's: 2..13 of 14, and bands up to
    301 of a 301-band raster (numbers past Python's small-integer cache)."""
    cube, _ = cubes()
    alone = write_raster(tmp_path / "alone.tif", cube)
    classify(alone, model, str(tmp_path / "a.tif"))
    for total, bands in ((14, list(range(2, 14))), (301, list(range(290, 302)))):
        wide = np.zeros((total, 10, 12), np.float32)
        wide[np.array(bands) - 1] = cube
        path = write_raster(tmp_path / f"wide{total}.tif", wide)
        classify(path, dataclasses.replace(model, band_indices=bands),
                 str(tmp_path / f"b{total}.tif"))
        np.testing.assert_array_equal(read_band(str(tmp_path / "a.tif")),
                                      read_band(str(tmp_path / f"b{total}.tif")))
