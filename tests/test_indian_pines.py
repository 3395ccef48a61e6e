"""The Indian Pines scene: data, protocol split and the GIS files written from them."""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from hyperspectral_crnn.demo.indian_pines import (
    CLASS_NAMES,
    SYNTHETIC_GEOTRANSFORM,
    load_indian_pines,
    protocol_split,
    write_scene,
)

# The demo scene is written the same with GDAL exceptions off and on (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")

# Labelled pixels per class value 1..16 in the standard ground truth.
CLASS_COUNTS = (46, 1428, 830, 237, 483, 730, 28, 478, 20, 972, 2455, 593, 205, 1265,
                386, 93)


@pytest.fixture(scope="module")
def data():
    return load_indian_pines()


def _read(path: str) -> np.ndarray:
    dataset = gdal.Open(path)
    return dataset.ReadAsArray()


def _training_mask(n_per_class: int = 200, seed: int = 0) -> np.ndarray:
    _, gt = load_indian_pines()
    return protocol_split(gt, n_per_class, seed)


def test_class_names():
    assert len(CLASS_NAMES) == 16
    assert CLASS_NAMES[0] == "Alfalfa" and CLASS_NAMES[-1] == "Stone-Steel-Towers"
    assert CLASS_NAMES[14] == "Buildings-Grass-Trees-Drives"


def test_load(data):
    cube, gt = data
    assert cube.shape == (145, 145, 200) and cube.dtype == np.uint16
    assert cube.flags["C_CONTIGUOUS"]
    assert gt.shape == (145, 145) and gt.dtype == np.uint8
    assert int((gt > 0).sum()) == 10249
    assert tuple(np.bincount(gt.ravel(), minlength=17)[1:]) == CLASS_COUNTS


@pytest.mark.parametrize("n_per_class", [100, 200, 300])
def test_protocol_split_counts(data, n_per_class):
    _, gt = data
    train = protocol_split(gt, n_per_class, seed=3)
    assert train.shape == gt.shape and train.dtype == bool
    assert not (train & (gt == 0)).any()
    for value, count in enumerate(CLASS_COUNTS, start=1):
        expected = n_per_class if count >= 2 * n_per_class else count // 2
        assert int((train & (gt == value)).sum()) == expected, CLASS_NAMES[value - 1]


def test_protocol_split_is_seeded(data):
    _, gt = data
    assert np.array_equal(protocol_split(gt, 200, 1), protocol_split(gt, 200, 1))
    assert not np.array_equal(protocol_split(gt, 200, 1), protocol_split(gt, 200, 2))
    with pytest.raises(ValueError):
        protocol_split(gt, 0, 1)


def test_cube_file(scene, data):
    cube, _ = data
    dataset = gdal.Open(scene["cube"])
    assert (dataset.RasterYSize, dataset.RasterXSize, dataset.RasterCount) == (145, 145, 200)
    band = dataset.GetRasterBand(1)
    assert band.DataType == gdal.GDT_UInt16
    assert band.GetBlockSize() == [64, 64]
    assert band.GetDescription() == "Band 1"
    assert dataset.GetRasterBand(200).GetDescription() == "Band 200"
    assert dataset.GetMetadata("IMAGE_STRUCTURE")["COMPRESSION"] == "DEFLATE"
    assert np.array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)


def test_georeferencing(scene):
    for key in ("cube", "ground_truth", "test"):
        dataset = gdal.Open(scene[key])
        srs = dataset.GetSpatialRef()
        srs.AutoIdentifyEPSG()
        assert srs.GetAuthorityCode(None) == "32616"
        transform = dataset.GetGeoTransform()
        assert transform == SYNTHETIC_GEOTRANSFORM
        assert transform[1] == 20.0 and transform[5] == -20.0
        assert dataset.GetMetadataItem("GEOREFERENCING").startswith("synthetic")
    # The made-up placement is near West Lafayette, Indiana (40.43 N, 86.91 W).
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(32616)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lon, lat, _ = osr.CoordinateTransformation(utm, wgs84).TransformPoint(
        SYNTHETIC_GEOTRANSFORM[0], SYNTHETIC_GEOTRANSFORM[3])
    assert abs(lat - 40.43) < 0.2 and abs(lon + 86.91) < 0.2


def test_label_raster(scene, data):
    _, gt = data
    dataset = gdal.Open(scene["ground_truth"])
    band = dataset.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Byte
    assert band.GetNoDataValue() == 0
    assert band.GetCategoryNames() == ["Unlabelled", *CLASS_NAMES]
    table = band.GetRasterColorTable()
    assert table is not None and table.GetCount() >= 17
    assert np.array_equal(band.ReadAsArray(), gt)


def test_training_polygons(scene):
    source = ogr.Open(scene["training"])
    layer = source.GetLayerByName("training")
    assert layer is not None
    srs = layer.GetSpatialRef()
    srs.AutoIdentifyEPSG()
    assert srs.GetAuthorityCode(None) == "32616"
    definition = layer.GetLayerDefn()
    assert definition.GetFieldDefn(definition.GetFieldIndex("class")).GetType() == \
        ogr.OFTString
    assert definition.GetFieldDefn(definition.GetFieldIndex("class_id")).GetType() == \
        ogr.OFTInteger
    counts = np.zeros(17, dtype=int)
    for feature in layer:
        value = feature.GetField("class_id")
        assert feature.GetField("class") == CLASS_NAMES[value - 1]
        assert feature.GetGeometryRef().GetArea() == pytest.approx(400.0)
        counts[value] += 1
    expected = [200 if count >= 400 else count // 2 for count in CLASS_COUNTS]
    assert counts[1:].tolist() == expected
    assert layer.GetFeatureCount() == sum(expected) == 2306


def test_rasterised_polygons_give_back_the_training_mask(scene, data):
    _, gt = data
    rasterised = gdal.Rasterize(
        "/vsimem/training.tif", scene["training"], format="GTiff",
        outputBounds=[500000.0, 4480000.0 - 145 * 20.0, 500000.0 + 145 * 20.0, 4480000.0],
        xRes=20.0, yRes=20.0, attribute="class_id", outputType=gdal.GDT_Byte,
        initValues=0, allTouched=False,
    )
    burnt = rasterised.ReadAsArray()
    rasterised = None
    gdal.Unlink("/vsimem/training.tif")
    train = _training_mask(200, 0)
    assert np.array_equal(burnt > 0, train)
    assert np.array_equal(burnt[train], gt[train])


def test_test_raster(scene, data):
    _, gt = data
    test = _read(scene["test"])
    train = _training_mask(200, 0)
    assert not (test[train] > 0).any()
    assert np.array_equal(test > 0, (gt > 0) & ~train)
    assert np.array_equal(test[test > 0], gt[test > 0])
    assert int((test > 0).sum()) == 10249 - 2306


def test_write_scene_overwrites(tmp_path):
    first = write_scene(tmp_path, n_per_class=5, seed=1)
    second = write_scene(tmp_path, n_per_class=5, seed=1)
    assert first == second
    assert ogr.Open(second["training"]).GetLayer(0).GetFeatureCount() == 16 * 5
