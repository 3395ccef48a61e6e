"""Issue 7: every kind of wrong input ends in a QgsProcessingException that says what is
wrong and how to fix it, with no traceback and no output file left behind.

Everything runs through ``processing.run`` on real files (real QGIS, GDAL and torch);
tests/test_bad_process.py runs a sample of the same cases through ``qgis_process``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import struct
import subprocess
import time

import numpy as np
import pytest
import scenes
from osgeo import gdal, ogr, osr
from qgis.core import QgsProcessingException, QgsProcessingFeedback
from recording import Recorder
from scenes import FAST_PARAMETERS, ORIGIN, PIXEL, read_band

from hyperspectral_crnn.models.network.modelfile import MAGIC, load_model
from hyperspectral_crnn.models.rasters.files import STAGE_PREFIX

# On a machine shared with other jobs, OpenMP threads that spin while waiting make each
# tiny torch step 20x slower; waiting passively costs nothing here. Read when torch loads
# (none of the imports above loads it).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# A tiny network and a short training: every test here trains in about a second.
SMALL = {**FAST_PARAMETERS, "EPOCHS": 8, "BATCH_SIZE": 64}
OUTPUT_SUFFIXES = (".tif", ".tiff", ".crnn", ".part", ".aux.xml", ".qml", ".html")


@pytest.fixture(scope="module")
def model_path(provider, fields, tmp_path_factory):
    import processing

    path = str(tmp_path_factory.mktemp("model") / "fields.crnn")
    processing.run("crnn:train", {"INPUT": fields["raster"], "TRAINING": fields["polygons"],
                                  "CLASS_FIELD": "crop", "OUTPUT_MODEL": path, **SMALL})
    return path


@pytest.fixture()
def out(tmp_path):
    """An empty output folder; tests assert that it stays empty after a failure."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def leftovers(folder) -> list[str]:
    """Output-like files (also hidden temporaries) in ``folder``."""
    return sorted(name for name in os.listdir(folder)
                  if name.endswith(OUTPUT_SUFFIXES) or name.startswith(STAGE_PREFIX))


def fails(algorithm: str, parameters: dict, *patterns: str, feedback=None) -> str:
    """Run and expect a QgsProcessingException whose message contains every pattern."""
    import processing

    with pytest.raises(QgsProcessingException) as info:
        processing.run(algorithm, parameters, feedback=feedback)
    message = str(info.value)
    for pattern in patterns:
        assert pattern.lower() in message.lower(), message
    assert "Traceback" not in message
    return message


def classify(fields, model, out, **extra) -> dict:
    """crnn:classify parameters writing into folder ``out`` (or the OUTPUT in ``extra``)."""
    output = str(out / "classes.tif") if out is not None else None
    return {"INPUT": fields["raster"], "MODEL": model, "OUTPUT": output, "DEVICE": "cpu",
            **extra}


def train(raster, polygons, out, field="crop", **extra) -> dict:
    """crnn:train parameters writing into folder ``out`` (or the OUTPUT_MODEL in ``extra``)."""
    output = str(out / "model.crnn") if out is not None else None
    return {"INPUT": raster, "TRAINING": polygons, "CLASS_FIELD": field,
            "OUTPUT_MODEL": output, **SMALL, **extra}


# ---------------------------------------------------------------------------------------
# Rasters and polygons written for the tests


def write_raster(path, cube, gdal_type=gdal.GDT_Float32, crs=True, nodata=None,
                 origin=ORIGIN, tiled=True):
    return scenes.write_raster(
        path, cube, gdal_type, ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"] if tiled else (),
        (origin[0], PIXEL, 0.0, origin[1], 0.0, -PIXEL), 32616 if crs else None, nodata)


def read_cube(path) -> np.ndarray:
    return gdal.Open(path).ReadAsArray().astype(np.float64)


def square(row, col, size=4.0):
    x0, y0 = ORIGIN[0] + col * PIXEL, ORIGIN[1] - row * PIXEL
    x1, y1 = x0 + size * PIXEL, y0 - size * PIXEL
    return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def write_vector(path, features, geometry_type=ogr.wkbPolygon, epsg=32616, text=True):
    """features: (wkt, class) pairs; the class field 'crop' is text or integer."""
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("training", srs, geometry_type)
    layer.CreateField(ogr.FieldDefn("crop", ogr.OFTString if text else ogr.OFTInteger))
    for wkt, value in features:
        feature = ogr.Feature(layer.GetLayerDefn())
        if wkt:
            feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        if value is not None:
            feature.SetField("crop", value)
        layer.CreateFeature(feature)
    source = None
    return str(path)


def field_features(fields) -> list:
    """The scene's training polygons as (wkt, crop) pairs."""
    source = ogr.Open(fields["polygons"])
    layer = source.GetLayer(0)
    return [(f.GetGeometryRef().ExportToWkt(), f.GetField("crop")) for f in layer]


# ---------------------------------------------------------------------------------------
# Model files


def rewrite_header(content: bytes, change) -> bytes:
    """A valid model file whose JSON header was changed by ``change`` (checksum redone)."""
    (length,) = struct.unpack_from("<Q", content, len(MAGIC))
    start = len(MAGIC) + 8
    header = json.loads(content[start:start + length])
    change(header)
    new = json.dumps(header).encode()
    body = MAGIC + struct.pack("<Q", len(new)) + new + content[start + length:-32]
    return body + hashlib.sha256(body).digest()


class Payload:
    """Unpickling this creates a file: the plugin must never unpickle a model file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def bad_model(kind: str, model_path: str, folder) -> tuple[str, str]:
    """(path, the marker file a payload would create)."""
    content = open(model_path, "rb").read()
    marker = str(folder / "payload_ran")
    path = folder / "bad.crnn"
    if kind == "text":
        path.write_text("weights: 0.1 0.2 0.3\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        path.write_bytes(content[: len(content) // 2])
    elif kind == "newer":
        path.write_bytes(rewrite_header(content, lambda h: h.update(format_version=2)))
    elif kind == "other-tool":
        with open(path, "wb") as stream:  # numpy's .npz of the weights, say
            np.savez(stream, weights=np.zeros(3))
    elif kind == "geotiff":
        write_raster(path, np.zeros((1, 4, 4), np.float32))
    elif kind == "pickle":
        path.write_bytes(pickle.dumps({"weights": Payload(marker)}))
    elif kind == "torch":
        import torch

        torch.save({"state_dict": Payload(marker)}, str(path))
    elif kind == "magic-pickle":  # our magic, then a pickle: still never unpickled
        path.write_bytes(MAGIC + pickle.dumps(Payload(marker)))
    assert not os.path.exists(marker)
    return str(path), marker


@pytest.mark.parametrize("kind, patterns", [
    ("text", ["not a Hyperspectral CRNN model", "Train CRNN"]),
    ("empty", ["is empty", "Train CRNN"]),
    ("truncated", ["truncated", "Copy it again"]),
    ("newer", ["newer than this plugin", "Update the Hyperspectral CRNN plugin"]),
    ("other-tool", ["written by another tool"]),
    ("geotiff", ["not a Hyperspectral CRNN model"]),
    ("pickle", ["not a Hyperspectral CRNN model"]),
    ("torch", ["not a Hyperspectral CRNN model"]),
    ("magic-pickle", ["truncated"]),
])
def test_bad_model_files_are_refused(provider, fields, model_path, tmp_path, out, kind,
                                     patterns):
    path, marker = bad_model(kind, model_path, tmp_path)
    message = fails("crnn:classify", classify(fields, path, out), *patterns)
    assert "bad.crnn" in message  # names the file
    assert not os.path.exists(marker), "a pickle payload ran"
    assert leftovers(out) == []


def test_missing_model_file(provider, fields, tmp_path, out):
    fails("crnn:classify", classify(fields, str(tmp_path / "nowhere.crnn"), out),
          "nowhere.crnn")
    assert leftovers(out) == []


# ---------------------------------------------------------------------------------------
# Model and raster disagree


def test_raster_with_fewer_bands_than_the_model(provider, fields, model_path, tmp_path, out):
    raster = write_raster(tmp_path / "20bands.tif", read_cube(fields["raster"])[:20])
    fails("crnn:classify", classify(fields, model_path, out, INPUT=raster),
          "band 40", "20 band", "20bands.tif", "same bands")
    assert leftovers(out) == []


def test_raster_with_more_bands_is_refused_without_wavelengths(provider, fields, model_path,
                                                               tmp_path, out):
    """Issue 18: without wavelengths, extra bands cannot be told apart from the model's, so
    a raster of another band count is refused (it used to be read by band number)."""
    cube = read_cube(fields["raster"])
    raster = write_raster(tmp_path / "50bands.tif", np.concatenate([cube, cube[:10]]))
    fails("crnn:classify", classify(fields, model_path, out, INPUT=raster), "50 bands",
          "trained on a raster of 40 bands", "no wavelengths")
    assert leftovers(out) == []


@pytest.mark.parametrize("bands", [[41], [0], [3, 99]])
def test_band_selection_out_of_range(provider, fields, out, bands):
    fails("crnn:train", train(fields["raster"], fields["polygons"], out, BANDS=bands),
          "do not exist", "40 bands")
    assert leftovers(out) == []


def test_model_trained_on_band_subset_needs_those_bands(provider, fields, tmp_path, out):
    import processing

    model = str(tmp_path / "subset.crnn")
    processing.run("crnn:train", train(fields["raster"], fields["polygons"], out,
                                       BANDS=list(range(25, 41)), OUTPUT_MODEL=model))
    assert load_model(model).band_indices == list(range(25, 41))
    raster = write_raster(tmp_path / "30bands.tif", read_cube(fields["raster"])[:30])
    fails("crnn:classify", classify(fields, model, out, INPUT=raster), "band 40", "30 band")
    assert leftovers(out) == []


# ---------------------------------------------------------------------------------------
# Rasters


def test_missing_raster(provider, fields, model_path, tmp_path, out):
    missing = str(tmp_path / "gone.tif")
    fails("crnn:classify", classify(fields, model_path, out, INPUT=missing), "INPUT")
    fails("crnn:train", train(missing, fields["polygons"], out), "INPUT")
    assert leftovers(out) == []


def test_not_a_raster(provider, fields, model_path, tmp_path, out):
    text = tmp_path / "notes.tif"
    text.write_text("not an image")
    fails("crnn:classify", classify(fields, model_path, out, INPUT=str(text)), "INPUT")
    assert leftovers(out) == []


def test_one_band_raster(provider, fields, model_path, tmp_path, out):
    raster = write_raster(tmp_path / "one.tif", read_cube(fields["raster"])[:1])
    fails("crnn:train", train(raster, fields["polygons"], out), "1 band", "more bands")
    fails("crnn:classify", classify(fields, model_path, out, INPUT=raster), "band 40",
          "only 1 band")
    assert leftovers(out) == []


def test_all_nodata_raster(provider, fields, model_path, tmp_path, out):
    import processing

    cube = np.full((40, 48, 60), -9999, np.float32)
    raster = write_raster(tmp_path / "empty.tif", cube, nodata=-9999)
    fails("crnn:train", train(raster, fields["polygons"], out), "nodata")
    assert leftovers(out) == []
    feedback = Recorder()
    processing.run("crnn:classify", classify(fields, model_path, out, INPUT=raster),
                   feedback=feedback)
    dataset = gdal.Open(str(out / "classes.tif"))
    band = dataset.GetRasterBand(1)
    assert (band.ReadAsArray() == band.GetNoDataValue()).all()
    assert any("nodata" in w for w in feedback.warnings), feedback.warnings


def test_nan_and_inf_pixels_are_nodata(provider, fields, model_path, tmp_path, out):
    import processing

    cube = read_cube(fields["raster"]).astype(np.float32)
    cube[5, 10:20, :] = np.nan
    cube[7, 30:33, 5:50] = np.inf
    cube[:, 40, 40] = -np.inf
    raster = write_raster(tmp_path / "nan.tif", cube)
    feedback = Recorder()
    processing.run("crnn:train", train(raster, fields["polygons"], out), feedback=feedback)
    assert any("nodata" in w for w in feedback.warnings), feedback.warnings
    assert np.isfinite(load_model(str(out / "model.crnn")).mean).all()
    processing.run("crnn:classify", classify(fields, model_path, out, INPUT=raster))
    dataset = gdal.Open(str(out / "classes.tif"))
    classes = dataset.GetRasterBand(1).ReadAsArray()
    bad = ~np.isfinite(cube).all(axis=0)
    assert (classes[bad] == dataset.GetRasterBand(1).GetNoDataValue()).all()
    assert np.mean(classes[~bad] == fields["truth"][~bad]) > 0.9


TYPES = {
    "Byte": (gdal.GDT_Byte, lambda c: np.clip(c / 16, 0, 255)),
    "Int16": (gdal.GDT_Int16, lambda c: c - 3000),
    "UInt16": (gdal.GDT_UInt16, lambda c: c * 10),
    "Int32": (gdal.GDT_Int32, lambda c: c * 1000 - 2.0e9),
    "UInt32": (gdal.GDT_UInt32, lambda c: c * 1000 + 2.2e9),  # above the Int32 range
    "Float32": (gdal.GDT_Float32, lambda c: c / 10000),
    "Float64": (gdal.GDT_Float64, lambda c: c / 10000),
}


@pytest.mark.parametrize("name", list(TYPES))
def test_every_band_type_trains_and_classifies(provider, fields, tmp_path, out, name):
    import processing

    gdal_type, scale = TYPES[name]
    raster = write_raster(tmp_path / f"{name}.tif", scale(read_cube(fields["raster"])),
                          gdal_type)
    assert gdal.Open(raster).GetRasterBand(1).DataType == gdal_type
    processing.run("crnn:trainclassify", train(raster, fields["polygons"], out,
                                               OUTPUT=str(out / "classes.tif")))
    assert np.mean(read_band(str(out / "classes.tif")) == fields["truth"]) > 0.9
    processing.run("crnn:classify", classify(fields, str(out / "model.crnn"), out,
                                             INPUT=raster, OUTPUT=str(out / "again.tif")))
    np.testing.assert_array_equal(read_band(str(out / "again.tif")),
                                  read_band(str(out / "classes.tif")))


def test_raster_without_crs_and_polygons_with_one(provider, fields, tmp_path, out):
    import processing

    raster = write_raster(tmp_path / "nocrs.tif", read_cube(fields["raster"]), crs=False)
    feedback = Recorder()
    processing.run("crnn:trainclassify", train(raster, fields["polygons"], out,
                                               OUTPUT=str(out / "classes.tif")),
                   feedback=feedback)
    assert any("no CRS" in w for w in feedback.warnings), feedback.warnings
    assert np.mean(read_band(str(out / "classes.tif")) == fields["truth"]) > 0.9


def test_raster_and_polygons_without_crs(provider, fields, tmp_path, out):
    import processing

    raster = write_raster(tmp_path / "nocrs.tif", read_cube(fields["raster"]), crs=False)
    polygons = write_vector(tmp_path / "nocrs.gpkg", field_features(fields), epsg=None)
    processing.run("crnn:trainclassify", train(raster, polygons, out,
                                               OUTPUT=str(out / "classes.tif")))
    assert np.mean(read_band(str(out / "classes.tif")) == fields["truth"]) > 0.9


# ---------------------------------------------------------------------------------------
# Polygons


def test_polygons_that_miss_the_raster(provider, fields, tmp_path, out):
    far = [(square(1000 + i, 1000), c) for i, (_, c) in enumerate(field_features(fields))]
    polygons = write_vector(tmp_path / "far.gpkg", far)
    fails("crnn:train", train(fields["raster"], polygons, out), "overlaps the raster", "CRS")
    assert leftovers(out) == []


def test_polygons_in_another_crs_work(provider, fields, tmp_path, out):
    import processing

    mercator = str(tmp_path / "mercator.gpkg")
    gdal.VectorTranslate(mercator, fields["polygons"], dstSRS="EPSG:3857")
    processing.run("crnn:train", train(fields["raster"], mercator, out))
    samples = load_model(str(out / "model.crnn")).provenance["samples"]
    assert sum(s["training"] + s["validation"] for s in samples.values()) == 12 * 16


def test_empty_training_layer(provider, fields, tmp_path, out):
    polygons = write_vector(tmp_path / "empty.gpkg", [])
    fails("crnn:train", train(fields["raster"], polygons, out), "no polygon", "crop")
    assert leftovers(out) == []


def test_missing_class_field(provider, fields, out):
    fails("crnn:train", train(fields["raster"], fields["polygons"], out, field="cropp"),
          "CLASS_FIELD")
    assert leftovers(out) == []


def test_null_and_empty_classes_are_skipped_with_a_warning(provider, fields, tmp_path, out):
    import processing

    features = field_features(fields) + [(square(20, 20), None), (square(25, 25), ""),
                                         (square(30, 35), "   ")]
    polygons = write_vector(tmp_path / "nulls.gpkg", features)
    feedback = Recorder()
    processing.run("crnn:train", train(fields["raster"], polygons, out), feedback=feedback)
    assert any("3 polygon(s) without a class" in w for w in feedback.warnings), \
        feedback.warnings
    assert [c.name for c in load_model(str(out / "model.crnn")).classes] == [
        "Maize", "Soy", "Woods"]


def test_one_class_only(provider, fields, tmp_path, out):
    polygons = write_vector(tmp_path / "one.gpkg",
                            [(w, c) for w, c in field_features(fields) if c == "Soy"])
    fails("crnn:train", train(fields["raster"], polygons, out), "at least two classes")
    assert leftovers(out) == []


def test_class_without_pixels_is_dropped_with_a_warning(provider, fields, tmp_path, out):
    import processing

    # a sliver between pixel centres: no pixel centre lies inside it
    sliver = (square(10.1, 50.1, size=0.3), "Sliver")
    polygons = write_vector(tmp_path / "sliver.gpkg", field_features(fields) + [sliver])
    feedback = Recorder()
    processing.run("crnn:train", train(fields["raster"], polygons, out), feedback=feedback)
    assert any("Sliver" in w and "dropped" in w for w in feedback.warnings), \
        feedback.warnings
    assert [c.name for c in load_model(str(out / "model.crnn")).classes] == [
        "Maize", "Soy", "Woods"]


def test_fewer_than_two_classes_left_after_rasterising(provider, fields, tmp_path, out):
    features = [(w, c) for w, c in field_features(fields) if c == "Soy"]
    features.append((square(10.1, 50.1, size=0.3), "Sliver"))
    polygons = write_vector(tmp_path / "sliver.gpkg", features)
    fails("crnn:train", train(fields["raster"], polygons, out), "at least two classes",
          "found 1")
    assert leftovers(out) == []


def test_multipart_and_self_intersecting_polygons(provider, fields, tmp_path, out):
    import processing

    def ring(wkt):
        return wkt[len("POLYGON"):]

    multi = "MULTIPOLYGON(" + ",".join(ring(square(r, c)) for r, c in
                                       [(2, 2), (30, 2), (40, 10)]) + ")"
    x0, y0 = ORIGIN[0] + 22 * PIXEL, ORIGIN[1] - 2 * PIXEL
    x1, y1 = x0 + 8 * PIXEL, y0 - 8 * PIXEL
    bowtie = f"POLYGON(({x0} {y0}, {x1} {y1}, {x1} {y0}, {x0} {y1}, {x0} {y0}))"
    assert not ogr.CreateGeometryFromWkt(bowtie).IsValid()
    woods = [(w, c) for w, c in field_features(fields) if c == "Woods"]
    polygons = write_vector(tmp_path / "odd.gpkg", [(multi, "Maize"), (bowtie, "Soy")] + woods,
                            geometry_type=ogr.wkbMultiPolygon)
    processing.run("crnn:train", train(fields["raster"], polygons, out))
    samples = load_model(str(out / "model.crnn")).provenance["samples"]
    counts = {k: v["training"] + v["validation"] for k, v in samples.items()}
    assert counts["Maize"] == 3 * 16
    assert counts["Soy"] > 16  # both lobes of the bow-tie


@pytest.mark.parametrize("kind", ["points", "lines"])
def test_points_or_lines_instead_of_polygons(provider, fields, tmp_path, out, kind):
    features = []
    for r, c, crop in [(4, 4, "Maize"), (4, 25, "Soy"), (4, 45, "Woods")]:
        x, y = ORIGIN[0] + c * PIXEL, ORIGIN[1] - r * PIXEL
        wkt = f"POINT({x} {y})" if kind == "points" else f"LINESTRING({x} {y}, {x + 60} {y})"
        features.append((wkt, crop))
    layer = write_vector(tmp_path / f"{kind}.gpkg", features,
                         ogr.wkbPoint if kind == "points" else ogr.wkbLineString)
    fails("crnn:train", train(fields["raster"], layer, out), "TRAINING", "polygon")
    assert leftovers(out) == []


# ---------------------------------------------------------------------------------------
# Parameters


@pytest.mark.parametrize("size", [0, -1, -3, 2])
def test_bad_lop_size(provider, fields, model_path, out, size):
    fails("crnn:classify", classify(fields, model_path, out, LOP_SIZE=size), "LOP_SIZE",
          "odd")
    assert leftovers(out) == []


def test_zero_epochs(provider, fields, out):
    fails("crnn:train", train(fields["raster"], fields["polygons"], out, EPOCHS=0), "EPOCHS")
    assert leftovers(out) == []


def test_validation_fraction_keeps_training_pixels_in_every_class(provider, fields, tmp_path,
                                                                  out):
    import processing

    # Soy has a single polygon: the polygon split cannot hold any of it out
    features = [(w, c) for w, c in field_features(fields) if c != "Soy"]
    features.append((square(2, 22), "Soy"))
    polygons = write_vector(tmp_path / "lonely.gpkg", features)
    for split in ("polygon", "pixel"):
        processing.run("crnn:train", train(fields["raster"], polygons, out,
                                           VALIDATION_FRACTION=0.9, SPLIT=split))
        samples = load_model(str(out / "model.crnn")).provenance["samples"]
        assert all(s["training"] >= 1 for s in samples.values()), samples
    fails("crnn:train", train(fields["raster"], polygons, out, VALIDATION_FRACTION=0.95),
          "VALIDATION_FRACTION")


def test_cuda_without_a_gpu(provider, fields, model_path, out):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    fails("crnn:classify", classify(fields, model_path, out, DEVICE="cuda"),
          "no CUDA GPU", "cpu")
    fails("crnn:train", train(fields["raster"], fields["polygons"], out, DEVICE="cuda"),
          "no CUDA GPU", "cpu")
    assert leftovers(out) == []


# ---------------------------------------------------------------------------------------
# Outputs


def test_output_folder_that_does_not_exist(provider, fields, model_path, tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    fails("crnn:classify", classify(fields, model_path, missing),
          str(missing), "does not exist")
    fails("crnn:train", train(fields["raster"], fields["polygons"], missing),
          str(missing), "does not exist")
    assert not os.path.exists(tmp_path / "no")


def test_output_where_a_file_is_not_a_folder(provider, fields, model_path, tmp_path, out):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    fails("crnn:classify", classify(fields, model_path, blocker), str(blocker))
    fails("crnn:train", train(fields["raster"], fields["polygons"], blocker), str(blocker))
    assert blocker.read_text() == "a file, not a folder"


def test_output_into_an_unwritable_folder(provider, fields, model_path):
    # root ignores permission bits, but nobody can create files in /proc
    fails("crnn:classify", classify(fields, model_path, None, OUTPUT="/proc/crnn_classes.tif"),
          "/proc/crnn_classes.tif")
    fails("crnn:train", train(fields["raster"], fields["polygons"], None,
                              OUTPUT_MODEL="/proc/crnn_model.crnn"), "/proc/crnn_model.crnn")
    assert not os.path.exists("/proc/crnn_classes.tif")


def test_output_equal_to_the_input(provider, fields, model_path, tmp_path):
    raster = tmp_path / "input.tif"
    shutil.copy(fields["raster"], raster)
    before = raster.read_bytes()
    fails("crnn:classify", classify(fields, model_path, None, INPUT=str(raster),
                                    OUTPUT=str(raster)), "would overwrite the input INPUT")
    fails("crnn:train", train(str(raster), fields["polygons"], None,
                              OUTPUT_MODEL=str(raster)), "OUTPUT_MODEL", "input")
    fails("crnn:classify", classify(fields, model_path, None, OUTPUT=model_path),
          "model file")
    assert raster.read_bytes() == before
    load_model(model_path)  # intact


@pytest.fixture()
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs (root can mount one); skipped where mounting is not allowed."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def fill(folder, leave: int) -> None:
    """Fill the file system of ``folder`` until about ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free
    with open(folder / "filler.bin", "wb") as stream:
        stream.write(b"\xff" * max(0, free - leave))


def test_disk_full_while_classifying(provider, fields, model_path, tiny_disk, tmp_path):
    cube = np.repeat(np.repeat(read_cube(fields["raster"]), 4, axis=1), 4, axis=2)
    raster = write_raster(tmp_path / "big.tif", cube.astype(np.int16), gdal.GDT_Int16)
    fill(tiny_disk, 64 * 1024)
    fails("crnn:classify", classify(fields, model_path, tiny_disk, INPUT=raster,
                                    OUTPUT_PROBABILITIES=str(tiny_disk / "p.tif")),
          str(tiny_disk), "disk space")
    assert sorted(os.listdir(tiny_disk)) == ["filler.bin"]


def test_disk_full_while_saving_the_model(provider, fields, tiny_disk):
    fill(tiny_disk, 4 * 1024)
    fails("crnn:train", train(fields["raster"], fields["polygons"], tiny_disk),
          "model.crnn", "space")
    assert sorted(os.listdir(tiny_disk)) == ["filler.bin"]


# ---------------------------------------------------------------------------------------
# Cancelling


class CancelOnProgress(QgsProcessingFeedback):
    """Cancels at the first progress report and remembers when."""

    def __init__(self):
        super().__init__()
        self.cancelled_at = None
        self.progressChanged.connect(self._cancel)

    def _cancel(self, _progress):
        if self.cancelled_at is None:
            self.cancelled_at = time.perf_counter()
            self.cancel()


def test_cancel_training(provider, fields, out):
    feedback = CancelOnProgress()
    fails("crnn:train", train(fields["raster"], fields["polygons"], out, EPOCHS=200,
                              BATCH_SIZE=8), "cancel", feedback=feedback)
    assert feedback.cancelled_at is not None
    assert time.perf_counter() - feedback.cancelled_at < 1.0
    assert leftovers(out) == []


def test_cancel_classification(provider, fields, model_path, tmp_path, out):
    cube = np.repeat(read_cube(fields["raster"]), 8, axis=1)  # 384 rows: several strips
    raster = write_raster(tmp_path / "tall.tif", cube.astype(np.int16), gdal.GDT_Int16)
    feedback = CancelOnProgress()
    fails("crnn:classify", classify(fields, model_path, out, INPUT=raster,
                                    OUTPUT_PROBABILITIES=str(out / "p.tif"),
                                    OUTPUT_CONFIDENCE=str(out / "c.tif")),
          "cancel", feedback=feedback)
    assert feedback.cancelled_at is not None
    assert time.perf_counter() - feedback.cancelled_at < 1.0
    assert os.listdir(out) == []


def test_cancel_train_and_classify(provider, fields, out):
    feedback = CancelOnProgress()
    fails("crnn:trainclassify", train(fields["raster"], fields["polygons"], out,
                                      OUTPUT=str(out / "classes.tif")),
          "cancel", feedback=feedback)
    assert os.listdir(out) == []


# ---------------------------------------------------------------------------------------
# Determinism


def test_same_inputs_and_seed_give_identical_results(provider, fields, tmp_path):
    import processing

    runs = []
    for run in range(2):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        processing.run("crnn:trainclassify", train(
            fields["raster"], fields["polygons"], folder, SEED=7,
            OUTPUT=str(folder / "classes.tif"),
            OUTPUT_PROBABILITIES=str(folder / "p.tif")))
        runs.append(folder)
    first, second = (load_model(str(f / "model.crnn")) for f in runs)
    assert sorted(first.weights) == sorted(second.weights)
    for name in first.weights:
        np.testing.assert_array_equal(first.weights[name], second.weights[name])
    np.testing.assert_array_equal(first.mean, second.mean)
    np.testing.assert_array_equal(first.std, second.std)
    np.testing.assert_array_equal(first.guide_components, second.guide_components)
    assert first.history == [
        {**h, "seconds": first.history[i]["seconds"]} for i, h in enumerate(second.history)]
    # The model files differ only in the training date and durations of the provenance.
    for a, b in ((first.provenance, second.provenance),):
        assert {k: v for k, v in a.items() if k not in ("date", "training_seconds")} == \
            {k: v for k, v in b.items() if k not in ("date", "training_seconds")}
    # GeoTIFFs hold no timestamp: the class and probability rasters are byte-identical.
    for name in ("classes.tif", "p.tif"):
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes(), name
