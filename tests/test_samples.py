"""Training pixels from polygons: exact pixel-centre rasterising, nodata, windows."""

import numpy as np
import pytest
from osgeo import gdal, ogr
from scenes import square_wkb

from hyperspectral_crnn.demo.indian_pines import load_indian_pines, protocol_split
from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.training.samples import read_training_pixels

# Every core GDAL call behaves the same with GDAL exceptions off (QGIS 3.22) and on
# (QGIS 3.40+): each test runs in both (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")


def polygons_of(path, field="class_id"):
    source = ogr.Open(path)  # keep the data source alive while its layer is read
    return [(f.GetGeometryRef().ExportToWkb(), f.GetField(field) - 1)
            for f in source.GetLayer()]


def test_scene_polygons_give_exactly_the_protocol_pixels(scene):
    polygons = polygons_of(scene["training"])
    pixels = read_training_pixels(scene["cube"], list(range(1, 201)), polygons)
    cube, gt = load_indian_pines()
    expected = protocol_split(gt, 200, 0)
    assert np.array_equal(np.sort(pixels.rows * 145 + pixels.cols), np.flatnonzero(expected))
    np.testing.assert_array_equal(pixels.spectra, cube[pixels.rows, pixels.cols])
    np.testing.assert_array_equal(pixels.labels + 1, gt[pixels.rows, pixels.cols])
    assert pixels.dropped_nodata == 0
    assert len(np.unique(pixels.groups)) == expected.sum()  # one square polygon per pixel


@pytest.fixture()
def small_raster(tmp_path):
    path = str(tmp_path / "small.tif")
    data = np.arange(3 * 10 * 12, dtype=np.float32).reshape(3, 10, 12)
    data[1, 2, 3] = np.nan
    data[0, 4, 4] = -9999
    ds = gdal.GetDriverByName("GTiff").Create(path, 12, 10, 3, gdal.GDT_Float32)
    ds.SetGeoTransform((1000.0, 10.0, 0.0, 2000.0, 0.0, -10.0))
    for b in range(3):
        ds.GetRasterBand(b + 1).WriteArray(data[b])
        ds.GetRasterBand(b + 1).SetNoDataValue(-9999)
    ds = None
    return path, data


def test_centres_all_touched_and_nodata(small_raster):
    path, data = small_raster
    # covers the centres of rows 1-4, columns 2-5 (x 1020..1060, y 1990..1950)
    polygon = square_wkb(1020.0, 1950.0, 1060.0, 1990.0)
    pixels = read_training_pixels(path, [1, 2, 3], [(polygon, 0)])
    assert pixels.dropped_nodata == 2  # the NaN and the nodata pixel
    assert len(pixels.labels) == 16 - 2
    assert set(zip(pixels.rows, pixels.cols)) == {
        (r, c) for r in range(1, 5) for c in range(2, 6)} - {(2, 3), (4, 4)}
    np.testing.assert_array_equal(pixels.spectra, data[:, pixels.rows, pixels.cols].T)
    assert set(pixels.labels) == {0} and set(pixels.groups) == {0}
    # right and lower neighbours of the valid pixels, both valid, for the edge LOP's scale
    assert len(pixels.neighbours[0]) == len(pixels.neighbours[1]) > 0
    sliver = square_wkb(1021.0, 1951.0, 1024.0, 1954.0)  # inside one pixel, no centre
    with pytest.raises(CrnnError, match="all touched"):
        read_training_pixels(path, [1], [(sliver, 0)])
    assert len(read_training_pixels(path, [1], [(sliver, 0)], all_touched=True).labels) == 1


def test_polygons_outside_the_raster_are_explained(small_raster):
    path, _ = small_raster
    with pytest.raises(CrnnError, match="No training polygon overlaps the raster"):
        read_training_pixels(path, [1], [(square_wkb(0.0, 0.0, 10.0, 10.0), 0)])


def test_band_beyond_the_raster_is_explained(small_raster):
    path, _ = small_raster
    with pytest.raises(CrnnError, match="has 3 band"):
        read_training_pixels(path, [4], [(square_wkb(1020.0, 1950.0, 1060.0, 1990.0), 0)])


def test_class_list_from_polygon_values():
    from hyperspectral_crnn.models.common.palette import class_colour
    from hyperspectral_crnn.models.training.samples import classes_from_keys

    text = classes_from_keys(["Wheat", "Barley"], False, {"Wheat": "#123456"}, {})
    assert [(c.value, c.name, c.color) for c in text] == [
        (1, "Barley", class_colour(0)), (2, "Wheat", "#123456")]
    numeric = classes_from_keys([30, 10], True, {}, {10: "Maize"})
    assert [(c.value, c.name) for c in numeric] == [(10, "Maize"), (30, "Class 30")]


def test_classes_without_pixels_are_found():
    from hyperspectral_crnn.models.training.samples import classes_with_pixels

    assert classes_with_pixels(np.array([0, 2, 2, 0]), 4) == ([0, 2], [1, 3])
