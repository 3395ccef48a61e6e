"""crnn:importcube through processing.run: small arrays and the tensorly Indian Pines files."""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.io
from osgeo import gdal, ogr
from qgis.core import QgsProcessingException

from hyperspectral_crnn.algorithms.importcube import ImportCubeAlgorithm
from hyperspectral_crnn.demo.indian_pines import CLASS_NAMES


def _run(params: dict) -> dict:
    import processing

    return processing.run(ImportCubeAlgorithm().create(), params)


def _tensorly_file(name: str) -> str:
    tensorly = pytest.importorskip("tensorly")
    path = os.path.join(os.path.dirname(tensorly.__file__), "datasets", "data", name)
    if not os.path.isfile(path):
        pytest.skip(f"{name} is not in this tensorly")
    return path


def test_metadata():
    algorithm = ImportCubeAlgorithm()
    assert algorithm.name() == "importcube"
    assert algorithm.requires_torch is False
    assert algorithm.group() == "Data" and algorithm.groupId() == "data"
    algorithm.initAlgorithm()
    for key in ("INPUT", "VARIABLE", "AXIS_ORDER", "GROUND_TRUTH", "GROUND_TRUTH_VARIABLE", "CRS",
                "PIXEL_SIZE", "ORIGIN_X", "ORIGIN_Y", "CLASS_NAMES", "OUTPUT",
                "OUTPUT_LABELS", "OUTPUT_POLYGONS"):
        assert algorithm.parameterDefinition(key).help(), key


def test_indian_pines_from_tensorly(qgis_processing, tmp_path):
    cube_path = _tensorly_file("Indian_pines_corrected.npy")
    gt_path = _tensorly_file("Indian_pines_gt.npy")
    result = _run({
        "INPUT": cube_path, "GROUND_TRUTH": gt_path, "CRS": "EPSG:32616",
        "PIXEL_SIZE": 20, "ORIGIN_X": 500000, "ORIGIN_Y": 4480000,
        "CLASS_NAMES": ",".join(CLASS_NAMES),
        "OUTPUT": str(tmp_path / "ip.tif"), "OUTPUT_LABELS": str(tmp_path / "ip_gt.tif"),
        "OUTPUT_POLYGONS": str(tmp_path / "ip_gt.gpkg"),
    })
    cube, gt = np.load(cube_path), np.load(gt_path)
    dataset = gdal.Open(result["OUTPUT"])
    assert (dataset.RasterYSize, dataset.RasterXSize, dataset.RasterCount) == (145, 145, 200)
    assert dataset.GetGeoTransform() == (500000.0, 20.0, 0.0, 4480000.0, 0.0, -20.0)
    assert dataset.GetSpatialRef().GetAuthorityCode(None) == "32616"
    assert dataset.GetRasterBand(1).DataType == gdal.GDT_UInt16
    np.testing.assert_array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)

    labels = gdal.Open(result["OUTPUT_LABELS"])
    np.testing.assert_array_equal(labels.ReadAsArray(), gt)
    band = labels.GetRasterBand(1)
    band.GetDescription()  # GDAL 3.6 loads the .aux.xml (category names) lazily
    assert band.GetCategoryNames()[1:] == list(CLASS_NAMES)

    source = ogr.Open(result["OUTPUT_POLYGONS"])
    layer = source.GetLayer(0)
    area, names = {}, {}
    for feature in layer:
        value = feature.GetField("class_id")
        area[value] = area.get(value, 0) + feature.GetGeometryRef().GetArea()
        names[value] = feature.GetField("class")
    assert sorted(area) == list(range(1, 17))
    assert names == {k: CLASS_NAMES[k - 1] for k in range(1, 17)}
    for value in range(1, 17):
        assert area[value] == pytest.approx(int((gt == value).sum()) * 400.0)


def test_mat_with_variables(qgis_processing, tmp_path):
    rng = np.random.default_rng(0)
    cube = rng.random((12, 9, 5)).astype(np.float32)
    truth = np.zeros((12, 9), np.uint8)
    truth[3:6, 2:7] = 2
    source = str(tmp_path / "scene.mat")
    scipy.io.savemat(source, {"scene": cube, "scene_gt": truth, "other": np.ones((2, 2, 2))})
    result = _run({"INPUT": source, "VARIABLE": "scene", "GROUND_TRUTH": source,
                   "GROUND_TRUTH_VARIABLE": "scene_gt", "OUTPUT": str(tmp_path / "scene.tif"),
                   "OUTPUT_POLYGONS": str(tmp_path / "scene.gpkg")})
    dataset = gdal.Open(result["OUTPUT"])
    assert dataset.GetRasterBand(1).DataType == gdal.GDT_Float32
    np.testing.assert_array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)
    assert result["OUTPUT_LABELS"] is None
    source_polygons = ogr.Open(result["OUTPUT_POLYGONS"])
    layer = source_polygons.GetLayer(0)
    assert layer.GetFeatureCount() == 1
    feature = layer.GetNextFeature()
    assert feature.GetField("class") == "Class 2" and feature.GetField("class_id") == 2
    assert feature.GetGeometryRef().GetArea() == pytest.approx(15.0)

    with pytest.raises(QgsProcessingException, match=r"'cube' is not in.*scene_gt"):
        _run({"INPUT": source, "VARIABLE": "cube", "OUTPUT": str(tmp_path / "bad.tif")})
    assert not os.path.exists(tmp_path / "bad.tif")


def test_bad_inputs_are_explained(qgis_processing, tmp_path):
    with pytest.raises(QgsProcessingException, match="does not exist"):
        _run({"INPUT": str(tmp_path / "missing.mat"), "OUTPUT": str(tmp_path / "x.tif")})
    np.save(str(tmp_path / "cube.npy"), np.zeros((4, 5, 6), np.uint8))
    with pytest.raises(QgsProcessingException, match="GeoTIFF"):
        _run({"INPUT": str(tmp_path / "cube.npy"), "OUTPUT": str(tmp_path / "x.img")})
    v73 = str(tmp_path / "v73.mat")
    with open(v73, "wb") as stream:
        stream.write(b" " * 128 + b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(QgsProcessingException, match=r"save\(\.\.\., '-v7'\)"):
        _run({"INPUT": v73, "OUTPUT": str(tmp_path / "x.tif")})


# --- containers, axis order, band metadata and true colour (issue 18) -------------------


def _netcdf_with_two_cubes(path: str, cube: np.ndarray) -> None:
    """A netCDF-4 file (GDAL's netCDF driver) with the cube stored (y, band, x) as
    'reflectance' and (y, x, band) as 'radiance', and unnamed dimensions for neither."""
    from hyperspectral_crnn.models.rasters.files import gdal_exceptions

    rows, cols, bands = cube.shape
    with gdal_exceptions():
        dataset = gdal.GetDriverByName("netCDF").CreateMultiDimensional(path)
        root = dataset.GetRootGroup()
        y = root.CreateDimension("dim_a", None, None, rows)
        x = root.CreateDimension("dim_c", None, None, cols)
        b = root.CreateDimension("dim_b", None, None, bands)
        float32 = gdal.ExtendedDataType.Create(gdal.GDT_Float32)
        root.CreateMDArray("reflectance", [y, b, x], float32).Write(
            np.ascontiguousarray(cube.transpose(0, 2, 1)))
        root.CreateMDArray("radiance", [y, x, b], float32).Write(
            np.ascontiguousarray(cube * 10))
        del root, dataset


def test_container_variable_and_axis_order(qgis_processing, tmp_path):
    cube = np.random.default_rng(1).random((12, 9, 4)).astype(np.float32)
    source = str(tmp_path / "scene.nc")
    _netcdf_with_two_cubes(source, cube)
    out = str(tmp_path / "cube.tif")
    with pytest.raises(QgsProcessingException, match=r"holds 2 3-D arrays: /reflectance "
                                                     r"\(12 x 4 x 9 Float32\), /radiance"):
        _run({"INPUT": source, "OUTPUT": out})
    with pytest.raises(QgsProcessingException, match="Set AXIS_ORDER"):
        _run({"INPUT": source, "VARIABLE": "reflectance", "OUTPUT": out})
    assert not os.path.exists(out)
    result = _run({"INPUT": source, "VARIABLE": "reflectance",
                   "AXIS_ORDER": "rows_bands_cols", "OUTPUT": out})
    np.testing.assert_array_equal(gdal.Open(result["OUTPUT"]).ReadAsArray().transpose(1, 2, 0),
                                  cube)
    assert not os.path.exists(tmp_path / "cube.qml")  # no wavelengths: QGIS's default look
    out2 = str(tmp_path / "radiance.tif")
    _run({"INPUT": f'NETCDF:"{source}":radiance', "OUTPUT": out2})
    np.testing.assert_allclose(gdal.Open(out2).ReadAsArray().transpose(1, 2, 0), cube * 10)


def test_envi_cube_gets_band_metadata_and_true_colour(qgis_processing, tmp_path):
    from test_importcube_envi import WAVELENGTHS_UM, _cube, write_envi

    data = write_envi(tmp_path, "bil", _cube(), "reflectance scale factor = 10000\n")
    result = _run({"INPUT": data, "OUTPUT": str(tmp_path / "scene.tif")})
    dataset = gdal.Open(result["OUTPUT"])
    assert dataset.GetRasterBand(3).GetMetadataItem("wavelength") == \
        f"{WAVELENGTHS_UM[2] * 1000:g}"
    qml = tmp_path / "scene.qml"
    assert qml.is_file()
    text = qml.read_text()
    assert 'type="multibandcolor"' in text
    assert 'redBand="3"' in text and 'greenBand="2"' in text and 'blueBand="1"' in text
