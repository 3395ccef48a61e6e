"""Issue 26: training and assessment inputs that gave a wrong answer with exit 0, or a
traceback: each now gives the right answer or a message that says what to do.

Through ``processing.run`` on real files (real QGIS, GDAL and torch), with the core
checked directly where the numbers matter; tests/test_bad_process.py runs a sample
through ``qgis_process``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import QgsVectorLayer
from recording import Recorder
from scenes import FIELD_CLASSES, ORIGIN, PIXEL, read_band, square_wkb
from test_bad_inputs import classify, fails, field_features, train, write_raster, write_vector

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.network.modelfile import load_model
from hyperspectral_crnn.models.rasters.raster import SpectralRaster
from hyperspectral_crnn.models.reports.assessment_rasters import check_same_grid
from hyperspectral_crnn.models.training.samples import read_training_pixels

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see test_bad_inputs.py


@pytest.fixture()
def out(tmp_path):
    """An empty output folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def write_numeric_vector(path, features, epsg=32616) -> str:
    """features: (wkt, class) pairs; the class field 'crop' is a double."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("training", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("crop", ogr.OFTReal))
    for wkt, value in features:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        feature.SetField("crop", value)
        layer.CreateFeature(feature)
    source = None
    return str(path)


def pixel_wkt(row0, col0, row1, col1) -> str:
    """The rectangle of pixels row0..row1-1, col0..col1-1 of the scenes' grid."""
    x0, x1 = ORIGIN[0] + col0 * PIXEL, ORIGIN[0] + col1 * PIXEL
    y0, y1 = ORIGIN[1] - row0 * PIXEL, ORIGIN[1] - row1 * PIXEL
    return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def cube_of(fields) -> np.ndarray:
    return gdal.Open(fields["raster"]).ReadAsArray().astype(np.float32)


# ---------------------------------------------------------------------------------------
# 1. Seeds beyond a 32-bit int became 0


@pytest.mark.parametrize("seed", [2**31, 2**32])
def test_seed_beyond_int32_is_refused_with_its_range(provider, fields, out, seed):
    fails("crnn:train", train(fields["raster"], fields["polygons"], out, SEED=seed),
          "SEED", "between 0 and 2147483647", f"got {seed}")
    assert os.listdir(out) == []


def test_largest_seed_trains(provider, fields, out):
    import processing

    processing.run("crnn:train", train(fields["raster"], fields["polygons"], out,
                                       SEED=2**31 - 1))
    assert load_model(str(out / "model.crnn")).n_classes == 3


# ---------------------------------------------------------------------------------------
# 2. Fractional class values were truncated and merged


def test_fractional_class_values_are_refused(provider, fields, tmp_path, out):
    codes = {"Maize": 1.0, "Soy": 1.5, "Woods": 1.7}
    polygons = write_numeric_vector(tmp_path / "real.gpkg", [
        (wkt, codes[crop]) for wkt, crop in field_features(fields)])
    fails("crnn:train", train(fields["raster"], polygons, out), "'crop'", "holds 1.5",
          "not a class id")
    assert os.listdir(out) == []


def test_whole_numbers_in_a_real_field_are_class_ids(provider, fields, tmp_path, out):
    import processing

    codes = {"Maize": 10.0, "Soy": 20.0, "Woods": 30.0}
    polygons = write_numeric_vector(tmp_path / "real.gpkg", [
        (wkt, codes[crop]) for wkt, crop in field_features(fields)])
    processing.run("crnn:train", train(fields["raster"], polygons, out))
    model = load_model(str(out / "model.crnn"))
    assert [c.value for c in model.classes] == [10, 20, 30]


# ---------------------------------------------------------------------------------------
# 3. Signed 8-bit rasters were read as 0..255


def write_signed_bytes(path, cube, nodata=None) -> str:
    """A GeoTIFF of signed bytes: GDT_Int8 where GDAL has it (3.7+), else a Byte file
    marked PIXELTYPE=SIGNEDBYTE (GDAL 3.6)."""
    kind = getattr(gdal, "GDT_Int8", None)
    options = ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"]
    if kind is None:
        kind, options = gdal.GDT_Byte, options + ["PIXELTYPE=SIGNEDBYTE"]
    bands, rows, cols = cube.shape
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands, kind,
                                                   options)
    dataset.SetGeoTransform((ORIGIN[0], PIXEL, 0.0, ORIGIN[1], 0.0, -PIXEL))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32616)
    dataset.SetProjection(srs.ExportToWkt())
    for b in range(bands):
        band = dataset.GetRasterBand(b + 1)
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteRaster(0, 0, cols, rows, cube[b].astype(np.int8).tobytes())
    dataset = None
    return str(path)


def test_signed_bytes_are_read_as_signed(tmp_path):
    row = np.array([-128, -100, -1, 0, 1, 100, 127], np.int8)
    cube = np.stack([np.tile(row, (2, 1)), np.tile(np.roll(row, 1), (2, 1))])
    path = write_signed_bytes(tmp_path / "int8.tif", cube, nodata=-1)
    values, valid = SpectralRaster(path).read(0, 0, 7, 2)
    np.testing.assert_array_equal(values[0, :, 0], row)
    np.testing.assert_array_equal(values[0, :, 1], np.roll(row, 1))
    # -1 is nodata in band 1 (column 2) and band 2 (column 3)
    np.testing.assert_array_equal(valid[0], [True, True, False, False, True, True, True])


def sign_scene(fields, tmp_path):
    """The field scene's classes told apart by the sign of their values only: Maize
    about -60 in every band, Soy +60, Woods -60 and +60 in turn; as signed bytes and as
    16-bit integers (its twin, which every GDAL reads right)."""
    truth = fields["truth"]
    bands = 8
    rng = np.random.default_rng(0)
    means = {1: np.full(bands, -60.0), 2: np.full(bands, 60.0),
             3: np.where(np.arange(bands) % 2, 60.0, -60.0)}
    cube = np.empty((bands, *truth.shape))
    for k, mean in means.items():
        mask = truth == k
        cube[:, mask] = mean[:, None] + rng.normal(0, 8, (bands, mask.sum()))
    cube = np.clip(np.round(cube), -127, 127)
    return (write_signed_bytes(tmp_path / "int8.tif", cube),
            write_raster(tmp_path / "int16.tif", cube.astype(np.int16), gdal.GDT_Int16))


def test_signed_byte_raster_trains_and_classifies_by_its_signed_values(
        provider, fields, tmp_path, out):
    import processing

    signed, twin = sign_scene(fields, tmp_path)
    small = {"CONV_CHANNELS": "8", "KERNEL_SIZES": "3", "POOL_SIZES": "2", "EPOCHS": 20}
    truth = fields["truth"]
    for trained_on, classified in ((signed, twin), (twin, signed)):
        model = str(out / "model.crnn")
        processing.run("crnn:train", train(trained_on, fields["polygons"], None,
                                           OUTPUT_MODEL=model, **small))
        output = str(out / "classes.tif")
        processing.run("crnn:classify", classify(fields, model, None, INPUT=classified,
                                                 OUTPUT=output))
        classes = load_model(model).classes  # the text classes take 1..3 in sorted order
        assert [(c.value, c.name) for c in classes] == list(enumerate(FIELD_CLASSES, 1))
        assert np.mean(read_band(output) == truth) > 0.95, (trained_on, classified)


# ---------------------------------------------------------------------------------------
# 4. Overlapping polygons of different classes: the later one won silently


def test_pixels_under_two_classes_are_left_out_and_counted(tmp_path):
    cube = np.stack([np.arange(100, dtype=np.float32).reshape(10, 10) + 1] * 2)
    path = write_raster(tmp_path / "ramp.tif", cube)
    wkb = {name: ogr.CreateGeometryFromWkt(pixel_wkt(*box)).ExportToWkb() for name, box in {
        "a": (0, 0, 4, 4), "b": (2, 2, 6, 6),  # overlap: rows 2-3, cols 2-3 (4 pixels)
        "a again": (3, 0, 5, 2),  # overlaps 'a' (class 0 too) on row 3, cols 0-1
        "c": (7, 7, 9, 9), "c in a": (1, 1, 2, 2)}.items()}  # class 2 inside 'a': 1 pixel
    polygons = [(wkb["a"], 0), (wkb["b"], 1), (wkb["a again"], 0), (wkb["c"], 2),
                (wkb["c in a"], 2)]
    pixels = read_training_pixels(path, [1, 2], polygons)
    assert pixels.contested == 5
    taken = set(zip(pixels.rows.tolist(), pixels.cols.tolist()))
    contested = {(2, 2), (2, 3), (3, 2), (3, 3), (1, 1)}
    assert not taken & contested
    assert len(taken) == len(pixels.rows)  # a pixel of two same-class polygons once
    expected = {(r, c) for r in range(5) for c in range(4)} | {(r, c) for r in range(2, 6)
                                                               for c in range(2, 6)}
    expected |= {(r, c) for r in range(7, 9) for c in range(7, 9)}
    assert taken == expected - contested
    labels = dict(zip(zip(pixels.rows.tolist(), pixels.cols.tolist()), pixels.labels))
    assert labels[(4, 1)] == 0 and labels[(5, 5)] == 1 and labels[(8, 8)] == 2
    # the polygons' order does not matter
    again = read_training_pixels(path, [1, 2], polygons[::-1])
    assert again.contested == 5 and len(again.labels) == len(pixels.labels)


def test_only_contested_pixels_is_explained(tmp_path):
    cube = np.stack([np.arange(100, dtype=np.float32).reshape(10, 10) + 1] * 2)
    path = write_raster(tmp_path / "ramp.tif", cube)
    same = ogr.CreateGeometryFromWkt(pixel_wkt(1, 1, 3, 3)).ExportToWkb()
    with pytest.raises(CrnnError, match="overlap"):
        read_training_pixels(path, [1, 2], [(same, 0), (same, 1)])


def test_overlapping_classes_are_warned_about(provider, fields, tmp_path, out):
    import processing

    features = field_features(fields)
    # a Soy polygon over half of the Maize square at rows 2-5, cols 2-5 (8 pixels)
    polygons = write_vector(tmp_path / "overlap.gpkg",
                            features + [(pixel_wkt(2, 4, 6, 8), "Soy")])
    feedback = Recorder()
    processing.run("crnn:train", train(fields["raster"], polygons, out), feedback=feedback)
    assert any("8 pixel(s) lie under polygons of different classes" in w
               for w in feedback.warnings), feedback.warnings


# ---------------------------------------------------------------------------------------
# 5. and 6. Constant and all-zero rasters; zero spectra are not measurements


def test_constant_raster_is_refused(provider, fields, tmp_path, out):
    constant = write_raster(tmp_path / "constant.tif", np.full(cube_of(fields).shape, 7.0,
                                                                np.float32))
    fails("crnn:train", train(constant, fields["polygons"], out),
          "same value in every band", "7 in all 40 bands", "right raster")
    assert os.listdir(out) == []


def test_all_zero_raster_is_refused(provider, fields, tmp_path, out):
    zeros = write_raster(tmp_path / "zeros.tif", np.zeros(cube_of(fields).shape, np.float32))
    fails("crnn:train", train(zeros, fields["polygons"], out, OUTPUT_REPORT=str(
        out / "report.html")), "0 in every band", "right raster")
    assert os.listdir(out) == []


def test_zero_spectra_are_no_data(provider, fields, model_path, tmp_path, out):
    import processing

    cube = cube_of(fields)
    cube[:, 2:4, 2:6] = 0  # 8 pixels under a Maize square: a fill without nodata value
    cube[:, 20, 20] = 0
    cube[3, 30, 30] = 0  # one band 0 is a value
    raster = write_raster(tmp_path / "fill.tif", cube)
    values, valid = SpectralRaster(raster).read(0, 0, 60, 48)
    assert not valid[2:4, 2:6].any() and not valid[20, 20] and valid[30, 30]
    assert valid.sum() == 48 * 60 - 9
    feedback = Recorder()
    processing.run("crnn:train", train(raster, fields["polygons"], out), feedback=feedback)
    assert any("8 pixel(s) under the polygons have nodata" in w for w in feedback.warnings)
    processing.run("crnn:classify", classify(fields, model_path, out, INPUT=raster))
    dataset = gdal.Open(str(out / "classes.tif"))
    classes = dataset.GetRasterBand(1).ReadAsArray()
    nodata = dataset.GetRasterBand(1).GetNoDataValue()
    assert (classes[2:4, 2:6] == nodata).all() and classes[20, 20] == nodata
    assert (classes != nodata).sum() == 48 * 60 - 9


@pytest.fixture(scope="module")
def model_path(provider, fields, tmp_path_factory):
    import processing

    path = str(tmp_path_factory.mktemp("model") / "fields.crnn")
    processing.run("crnn:train", train(fields["raster"], fields["polygons"], None,
                                       OUTPUT_MODEL=path))
    return path


# ---------------------------------------------------------------------------------------
# 7. A reference raster on the same grid numbers in another CRS


def class_raster(path, truth, epsg) -> str:
    """A class raster of ``truth`` on the scenes' grid in EPSG:``epsg`` (None: no CRS)."""
    path = write_raster(path, truth[None].astype(np.uint8), gdal.GDT_Byte,
                        crs=epsg is not None)
    if epsg is not None:
        dataset = gdal.Open(path, gdal.GA_Update)
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        dataset.SetProjection(srs.ExportToWkt())
        dataset = None
    return path


def test_reference_raster_in_another_crs_is_refused(provider, fields, tmp_path):
    import processing

    classification = class_raster(tmp_path / "classes.tif", fields["truth"], 32616)
    other = class_raster(tmp_path / "reference_17n.tif", fields["truth"], 32617)
    message = fails("crnn:assess", {"CLASSIFICATION": classification, "REFERENCE": other},
                    "another CRS", "EPSG:32617", "EPSG:32616", "reference_17n.tif")
    assert "Traceback" not in message
    with pytest.raises(CrnnError, match="another CRS"):
        check_same_grid(gdal.Open(classification), gdal.Open(other), other)
    # the same CRS, and a reference without a CRS, are taken
    for reference in (class_raster(tmp_path / "same.tif", fields["truth"], 32616),
                      class_raster(tmp_path / "nocrs.tif", fields["truth"], None)):
        result = processing.run("crnn:assess", {"CLASSIFICATION": classification,
                                                "REFERENCE": reference})
        assert result["OVERALL_ACCURACY"] == 1.0


# ---------------------------------------------------------------------------------------
# 8. Polygons whose coordinates the CRS cannot hold: a traceback (OverflowError)


def test_metres_tagged_as_degrees_are_explained(provider, fields, tmp_path, out):
    features = field_features(fields)
    for epsg, crs in ((4326, "EPSG:4326"), (None, "Undefined geographic SRS")):
        polygons = write_vector(tmp_path / f"{epsg}.gpkg", features, epsg=epsg)
        if epsg is None and not QgsVectorLayer(polygons, "t", "ogr").crs().isValid():
            # GDAL 3.10+ (QGIS 3.40+) reads a GeoPackage written without a CRS as having
            # none, not as 'Undefined geographic SRS': the polygons are then taken in the
            # raster's coordinates, where they lie
            continue
        fails("crnn:train", train(fields["raster"], polygons, out),
              "cannot be reprojected", crs, "Check the layer's CRS")
        classification = class_raster(tmp_path / "classes.tif", fields["truth"], 32616)
        fails("crnn:assess", {"CLASSIFICATION": classification, "REFERENCE": polygons,
                              "REFERENCE_FIELD": "crop"},
              "cannot be reprojected", crs, "Check the layer's CRS")
    assert os.listdir(out) == []


def test_polygons_without_crs_far_off_the_raster(provider, fields, tmp_path, out):
    folder = tmp_path / "noprj"
    source = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(folder))
    layer = source.CreateLayer("training", None, ogr.wkbPolygon)  # no .prj: no CRS
    layer.CreateField(ogr.FieldDefn("crop", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTInteger))
    for code, (col, crop) in enumerate(((2, "Maize"), (22, "Soy"), (44, "Woods")), 1):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkb(square_wkb(
            1e6 + col * PIXEL, 1e6, 1e6 + (col + 4) * PIXEL, 1e6 + 4 * PIXEL)))
        feature.SetField("crop", crop)
        feature.SetField("code", code)
        layer.CreateFeature(feature)
    source = None
    polygons = str(folder / "training.shp")
    fails("crnn:train", train(fields["raster"], polygons, out), "overlaps the raster", "CRS")
    classification = class_raster(tmp_path / "classes.tif", fields["truth"], 32616)
    fails("crnn:assess", {"CLASSIFICATION": classification, "REFERENCE": polygons,
                          "REFERENCE_FIELD": "code"}, "overlaps", "CRS")
    assert os.listdir(out) == []
