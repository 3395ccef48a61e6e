"""The import core: .mat / .npy / .npz / GDAL rasters to GeoTIFF, labels and polygons."""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.io
from osgeo import gdal, ogr

from hyperspectral_crnn.models.common.callbacks import Hooks
from hyperspectral_crnn.models.common.errors import CancelledError, CrnnError
from hyperspectral_crnn.models.importing.arrays import HDF5_SIGNATURE, read_array
from hyperspectral_crnn.models.importing.axes import orient_cube
from hyperspectral_crnn.models.importing.importcube import (
    LabelOutputs,
    Placement,
    ReadOptions,
    import_cube,
)

# Every core GDAL call behaves the same with GDAL exceptions off (QGIS 3.22) and on
# (QGIS 3.40+): each test runs in both (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")


def _read(path: str) -> np.ndarray:
    dataset = gdal.Open(path)  # keep the dataset alive while reading
    return dataset.ReadAsArray()


def _cube(rows=23, cols=17, bands=6, dtype=np.uint16, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 4000, (rows, cols, bands)).astype(dtype)


def _truth(rows=23, cols=17) -> np.ndarray:
    truth = np.zeros((rows, cols), np.uint8)
    truth[2:10, 1:8] = 1
    truth[12:20, 3:15] = 2
    truth[0:4, 10:16] = 3
    truth[5, 12] = 3  # an isolated pixel: its own polygon
    return truth


def test_mat_cube_round_trips_with_placement(tmp_path):
    cube = _cube()
    source = str(tmp_path / "scene.mat")
    scipy.io.savemat(source, {"small": np.ones((3, 3, 3)), "scene": cube,
                              "gt": _truth()})
    out = str(tmp_path / "out" / "scene.tif")
    messages = []
    result = import_cube(source, out, Placement(pixel_size=2.5, origin_x=100, origin_y=900,
                                                crs_wkt="EPSG:32632"),
                         hooks=Hooks(log=messages.append))
    assert result.cube_variable == "scene" and result.shape == (23, 17, 6)
    dataset = gdal.Open(out)
    assert dataset.GetGeoTransform() == (100.0, 2.5, 0.0, 900.0, 0.0, -2.5)
    assert dataset.GetSpatialRef().GetAuthorityCode(None) == "32632"
    assert dataset.GetRasterBand(1).DataType == gdal.GDT_UInt16
    assert dataset.GetRasterBand(6).GetDescription() == "Band 6"
    structure = dataset.GetMetadata("IMAGE_STRUCTURE")
    assert structure["COMPRESSION"] == "DEFLATE"
    assert dataset.GetRasterBand(1).GetBlockSize() == [64, 64]
    np.testing.assert_array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)
    assert any("(rows, columns, bands)" in m for m in messages)
    assert os.listdir(tmp_path / "out") == ["scene.tif"]  # nothing temporary left


@pytest.mark.parametrize("dtype, gdal_type", [(np.float32, gdal.GDT_Float32),
                                              (np.int16, gdal.GDT_Int16),
                                              (np.uint8, gdal.GDT_Byte),
                                              (np.int64, gdal.GDT_Int16)])
def test_npy_keeps_integers_integer(tmp_path, dtype, gdal_type):
    cube = _cube(dtype=np.int64)  # 0..3999, then shifted or wrapped into the dtype's range
    if dtype in (np.int16, np.int64):
        cube = cube - 100
    elif dtype == np.uint8:
        cube = cube % 256  # numpy 2 refuses `% 256` on a uint8 array (256 does not fit)
    cube = cube.astype(dtype)
    source = str(tmp_path / "cube.npy")
    np.save(source, np.asfortranarray(cube))
    out = str(tmp_path / "cube.tif")
    import_cube(source, out, Placement())
    dataset = gdal.Open(out)
    assert dataset.GetRasterBand(1).DataType == gdal_type
    np.testing.assert_array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)


def test_bands_first_is_detected_and_said():
    messages = []
    cube = np.zeros((5, 30, 40))
    assert orient_cube(cube, messages.append).shape == (30, 40, 5)
    assert "(bands, rows, columns)" in messages[0]
    # equal first two axes (Indian Pines: 145 x 145 x 200) stays (rows, cols, bands)
    assert orient_cube(np.zeros((145, 145, 200)), messages.append).shape == (145, 145, 200)


def test_v73_files_are_refused_with_the_way_out(tmp_path):
    path = str(tmp_path / "v73.mat")
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan 1 2024 HDF5 schema"
    with open(path, "wb") as stream:
        stream.write(header.ljust(128, b" ") + b"\0" * 384 + HDF5_SIGNATURE + b"\0" * 64)
    with pytest.raises(CrnnError, match=r"MATLAB v7\.3 \(HDF5\) files are not supported: "
                                        r"re-save with save\(\.\.\., '-v7'\) or export to "
                                        r"\.npy"):
        read_array(path)
    # the signature right after a 128-byte header is caught too
    with open(path, "wb") as stream:
        stream.write(b" " * 128 + HDF5_SIGNATURE + b"\0" * 64)
    with pytest.raises(CrnnError, match="v7.3"):
        read_array(path)


def test_missing_variable_lists_the_variables(tmp_path):
    path = str(tmp_path / "pavia.mat")
    scipy.io.savemat(path, {"paviaU": np.zeros((4, 5, 6), np.uint16),
                            "paviaU_gt": np.zeros((4, 5), np.uint8)})
    with pytest.raises(CrnnError, match=r"'pavia' is not in.*paviaU \(4 x 5 x 6 uint16\).*"
                                        r"paviaU_gt \(4 x 5 uint8\)"):
        read_array(path, "pavia")
    flat = str(tmp_path / "flat.mat")
    scipy.io.savemat(flat, {"image": np.zeros((4, 5))})
    with pytest.raises(CrnnError, match=r"no 3-D array.*image \(4 x 5 double\)"):
        read_array(flat)


def test_ground_truth_labels_and_polygons(tmp_path):
    cube, truth = _cube(), _truth()
    scipy.io.savemat(str(tmp_path / "scene.mat"), {"scene": cube})
    np.save(str(tmp_path / "gt.npy"), truth.astype(np.float64))  # MATLAB-style doubles
    labels = str(tmp_path / "labels.tif")
    polygons = str(tmp_path / "regions.gpkg")
    messages = []
    result = import_cube(str(tmp_path / "scene.mat"), str(tmp_path / "scene.tif"),
                         Placement(pixel_size=10, origin_x=1000, origin_y=5000,
                                   crs_wkt="EPSG:32616"),
                         ReadOptions(ground_truth_path=str(tmp_path / "gt.npy")),
                         LabelOutputs(class_names=["Asphalt", "Meadows"], labels_path=labels,
                                      polygons_path=polygons), Hooks(log=messages.append))
    assert result.classes == [1, 2, 3]
    assert result.class_names == ["Asphalt", "Meadows", "Class 3"]
    assert any("2 class names for 3 classes" in m for m in messages)

    dataset = gdal.Open(labels)
    band = dataset.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Byte and band.GetNoDataValue() == 0
    band.GetDescription()  # GDAL 3.6 loads the .aux.xml (category names) lazily
    assert band.GetCategoryNames() == ["Unlabelled", "Asphalt", "Meadows", "Class 3"]
    assert band.GetRasterColorTable().GetColorEntry(0)[3] == 0
    assert dataset.GetGeoTransform() == (1000.0, 10.0, 0.0, 5000.0, 0.0, -10.0)
    np.testing.assert_array_equal(band.ReadAsArray(), truth)

    source = ogr.Open(polygons)
    layer = source.GetLayer(0)
    assert layer.GetName() == "ground_truth"
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "32616"
    area, names, count = {}, {}, 0
    for feature in layer:
        value = feature.GetField("class_id")
        area[value] = area.get(value, 0) + feature.GetGeometryRef().GetArea()
        names[value] = feature.GetField("class")
        count += 1
    assert count == result.polygons == 4
    assert names == {1: "Asphalt", 2: "Meadows", 3: "Class 3"}
    for value in (1, 2, 3):  # polygon area = labelled pixels x pixel area
        assert area[value] == pytest.approx(int((truth == value).sum()) * 100.0)


def test_ground_truth_of_another_size_is_refused(tmp_path):
    np.save(str(tmp_path / "cube.npy"), _cube())
    np.save(str(tmp_path / "gt.npy"), _truth().T)
    with pytest.raises(CrnnError, match="17 x 23 but the cube is 23 x 17.*transposed"):
        import_cube(str(tmp_path / "cube.npy"), str(tmp_path / "cube.tif"), Placement(),
                    ReadOptions(ground_truth_path=str(tmp_path / "gt.npy")),
                    LabelOutputs(labels_path=str(tmp_path / "labels.tif")))
    assert not os.path.exists(tmp_path / "labels.tif")


def test_gdal_raster_copies_through_and_keeps_georeferencing(tmp_path):
    cube = _cube(dtype=np.int16)
    envi = str(tmp_path / "scene.img")
    dataset = gdal.GetDriverByName("ENVI").Create(envi, 17, 23, 6, gdal.GDT_Int16)
    dataset.SetGeoTransform((300.0, 30.0, 0.0, 600.0, 0.0, -30.0))
    dataset.WriteArray(cube.transpose(2, 0, 1))
    dataset = None
    out = str(tmp_path / "scene.tif")
    result = import_cube(str(tmp_path / "scene.hdr"), out, Placement(pixel_size=1),
                         ReadOptions(ground_truth_path=_write_npy(tmp_path, _truth())),
                         LabelOutputs(labels_path=str(tmp_path / "labels.tif")))
    assert result.shape == (23, 17, 6)
    copied = gdal.Open(out)
    assert copied.GetGeoTransform() == (300.0, 30.0, 0.0, 600.0, 0.0, -30.0)
    assert copied.GetRasterBand(1).DataType == gdal.GDT_Int16
    np.testing.assert_array_equal(copied.ReadAsArray(), cube.transpose(2, 0, 1))
    labels = gdal.Open(str(tmp_path / "labels.tif"))
    assert labels.GetGeoTransform() == copied.GetGeoTransform()


def _write_npy(tmp_path, array) -> str:
    path = str(tmp_path / "truth.npy")
    np.save(path, array)
    return path


def test_cancel_leaves_no_file(tmp_path):
    np.save(str(tmp_path / "cube.npy"), _cube(rows=200))
    out = str(tmp_path / "out")
    os.makedirs(out)
    with pytest.raises(CancelledError):
        import_cube(str(tmp_path / "cube.npy"), os.path.join(out, "cube.tif"), Placement(),
                    hooks=Hooks(is_cancelled=lambda: True))
    assert os.listdir(out) == []


def test_npz_and_pickles(tmp_path):
    cube = _cube()
    np.savez(str(tmp_path / "scene.npz"), cube=cube, gt=_truth())
    assert read_array(str(tmp_path / "scene.npz")).name == "cube"
    assert read_array(str(tmp_path / "scene.npz"), None, 2, "ground truth").name == "gt"
    np.save(str(tmp_path / "objects.npy"), np.array([{"a": 1}], dtype=object))
    with pytest.raises(CrnnError, match="no pickled objects"):
        read_array(str(tmp_path / "objects.npy"))
