"""Issue 26: no output lands on an input or on another output, whatever its spelling, and
an output that cannot be written is refused before any work.

The core rule (models/rasters/paths.py) is tested on real files; every algorithm is then run
through ``processing.run`` with colliding paths, and the inputs are compared byte for
byte (with their side-cars) before and after. tests/test_bad_process.py runs a sample
through ``qgis_process``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException
from recording import Recorder
from test_bad_inputs import SMALL, write_raster

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.rasters.paths import (
    RunFile,
    check_outputs,
    check_writable,
    dataset_files,
    file_of_source,
    written_beside,
)

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def snapshot(*folders) -> dict:
    """Every file under ``folders`` (side-cars included) with its SHA-256.

    QGIS itself, when it loads a raster as a layer (as Processing does with every raster
    parameter, and its own algorithms alike), stores the histogram and statistics it
    computes in the raster's .aux.xml (qgis_process on 3.22, processing.run on 3.40): a
    side-car is compared without those cached figures, every other byte counts.
    """
    files = {}
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as stream:
                    content = stream.read()
                if name.endswith(".aux.xml"):
                    content = _without_cached_statistics(content)
                files[path] = hashlib.sha256(content).hexdigest()
    return files


def _without_cached_statistics(content: bytes) -> bytes:
    """A GDAL side-car without the histograms and STATISTICS_* items GDAL caches, and
    without the layout (indentation) GDAL gives it when it writes it back."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(content)
    for parent in root.iter():
        for child in list(parent):
            if child.tag == "Histograms" or (
                    child.tag == "MDI" and child.get("key", "").startswith("STATISTICS_")):
                parent.remove(child)
    emptied = True
    while emptied:  # band and metadata elements left empty, from the inside out
        emptied = False
        for parent in root.iter():
            for child in list(parent):
                if child.tag in ("Metadata", "PAMRasterBand") and not len(child) and \
                        not (child.text or "").strip():
                    parent.remove(child)
                    emptied = True
    for element in root.iter():  # GDAL may write the same side-car back indented
        element.text = (element.text or "").strip() or None
        element.tail = None
    return ET.tostring(root)


# --- the core rule ---------------------------------------------------------------------

def test_the_same_file_under_other_spellings_collides(tmp_path, monkeypatch):
    raster = tmp_path / "data" / "scene.tif"
    raster.parent.mkdir()
    raster.write_bytes(b"cube")
    (tmp_path / "link").symlink_to(tmp_path / "data")
    os.link(raster, tmp_path / "data" / "hard.tif")
    monkeypatch.chdir(tmp_path / "data")
    inputs = [RunFile("INPUT", str(raster))]
    for spelling in ["scene.tif", "../data/./scene.tif", str(tmp_path / "link" / "scene.tif"),
                     str(tmp_path / "data" / "hard.tif")]:
        with pytest.raises(CrnnError, match="OUTPUT_REPORT .* would overwrite the input INPUT"):
            check_outputs(inputs, [RunFile("OUTPUT_REPORT", spelling)])
    check_outputs(inputs, [RunFile("OUTPUT_REPORT", "scene.html")])  # a new file is fine


def test_files_written_beside_an_output_count(tmp_path):
    raster = tmp_path / "scene.tif"
    write_raster(raster, np.zeros((2, 3, 3), np.float32))
    (tmp_path / "scene.tif.aux.xml").write_text("<PAMDataset/>\n")  # the user's metadata
    reference = tmp_path / "reference.json"
    reference.write_text("{}")
    inputs = [RunFile("INPUT", str(raster), dataset_files(str(raster))),
              RunFile("REFERENCE", str(reference))]
    # the report's JSON beside it would replace the reference layer
    report = RunFile("OUTPUT_REPORT", str(tmp_path / "reference.html"),
                     written_beside(str(tmp_path / "reference.html"), "file", ["{stem}.json"]))
    with pytest.raises(CrnnError, match="reference.json.. would overwrite the input REFERENCE"):
        check_outputs(inputs, [report])
    # an output on the raster's GDAL side-car would change how the raster reads
    with pytest.raises(CrnnError, match="a file of the input"):
        check_outputs(inputs, [RunFile("OUTPUT_REPORT", str(raster) + ".aux.xml")])


def test_an_envi_header_is_part_of_its_cube(tmp_path):
    cube = tmp_path / "cube.img"
    gdal.GetDriverByName("ENVI").Create(str(cube), 3, 3, 2, gdal.GDT_Float32).FlushCache()
    files = dataset_files(str(cube))
    assert str(tmp_path / "cube.hdr") in files
    with pytest.raises(CrnnError, match="cube.hdr"):
        check_outputs([RunFile("INPUT", str(cube), files)],
                      [RunFile("OUTPUT_REPORT", str(tmp_path / "cube.hdr"))])


def test_two_outputs_on_one_file_collide(tmp_path):
    one = RunFile("OUTPUT_MODEL", str(tmp_path / "result"))
    other = RunFile("OUTPUT_REPORT", str(tmp_path / "sub" / ".." / "result"))
    with pytest.raises(CrnnError, match="OUTPUT_REPORT .* and OUTPUT_MODEL .* same file"):
        check_outputs([], [one, other])
    # a raster's .aux.xml on another output
    classes = RunFile("OUTPUT", str(tmp_path / "c.tif"),
                      written_beside(str(tmp_path / "c.tif"), "raster"))
    with pytest.raises(CrnnError, match="same file"):
        check_outputs([], [classes, RunFile("OUTPUT_REPORT", str(tmp_path / "c.tif.aux.xml"))])
    check_outputs([], [classes, RunFile("OUTPUT_REPORT", str(tmp_path / "c.html"))])


def test_shapefile_and_geopackage_parts_are_outputs_too(tmp_path):
    shapefile = written_beside(str(tmp_path / "p.shp"), "vector")
    assert {str(tmp_path / f"p{ext}") for ext in (".shx", ".dbf", ".prj")} <= set(shapefile)
    assert str(tmp_path / "p.gpkg-wal") in written_beside(str(tmp_path / "p.gpkg"), "vector")


def test_sources_name_their_files(tmp_path):
    archive = tmp_path / "scene.zip"
    archive.write_bytes(b"PK")
    assert file_of_source(f"/vsizip/{archive}/inner/cube.tif") == str(archive)
    assert file_of_source('NETCDF:"/data/emit.nc":reflectance') == "/data/emit.nc"
    assert file_of_source("/data/t.gpkg|layername=training") == "/data/t.gpkg"
    assert file_of_source("dbname='gis' host=db table=\"t\"") == ""
    assert file_of_source("/vsicurl/https://example.org/c.tif") == ""


@pytest.mark.parametrize("case", ["missing folder", "below a file", "a folder", "too long"])
def test_unwritable_outputs_are_refused_up_front(tmp_path, case):
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "folder").mkdir()
    path, pattern = {
        "missing folder": (tmp_path / "nowhere" / "m.crnn", "does not exist"),
        "below a file": (tmp_path / "file.txt" / "m.crnn", "which is a file, not a folder"),
        "a folder": (tmp_path / "folder", "is a folder"),
        "too long": (tmp_path / ("m" * 250 + ".tif"), "too long"),
    }[case]
    raster = written_beside(str(path), "raster")
    with pytest.raises(CrnnError, match=pattern):
        check_writable(RunFile("OUTPUT", str(path), raster))


def test_a_read_only_folder_is_refused_for_an_unprivileged_user(tmp_path):
    """Root may write anywhere, so as root the check runs as 'nobody' in a child."""
    if os.geteuid() != 0:  # an unprivileged run: check this user directly
        folder = tmp_path / "read_only"
        folder.mkdir(mode=0o555)
        with pytest.raises(CrnnError, match="no permission to write there"):
            check_writable(RunFile("OUTPUT_REPORT", str(folder / "r.html")))
        return
    import tempfile

    base = tempfile.mkdtemp(prefix="crnn-read-only-", dir="/tmp")  # nobody may enter /tmp
    os.chmod(base, 0o755)
    folder = os.path.join(base, "read_only")
    os.mkdir(folder, 0o555)
    locked = os.path.join(base, "locked")  # root's alone
    os.mkdir(locked, 0o700)
    code = (
        "import os, sys\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "from hyperspectral_crnn.models.rasters.paths import RunFile, check_writable\n"
        "from hyperspectral_crnn.models.common.errors import CrnnError\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        check_writable(RunFile('OUTPUT_REPORT', path))\n"
        "    except CrnnError as error:\n"
        "        print(error)\n")
    plugins = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           ".build", "plugins")
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, os.path.join(folder, "r.html"),
             os.path.join(locked, "sub", "r.html")],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": plugins},
            timeout=60)
    finally:
        shutil.rmtree(base)
    if "Permission denied" in done.stderr and "import" in done.stderr.lower():
        pytest.skip("the checkout is not readable by 'nobody'")
    assert done.returncode == 0, done.stdout + done.stderr
    read_only, unreachable = done.stdout.splitlines()
    assert "no permission to write there" in read_only
    assert f"no permission to enter '{locked}'" in unreachable


# --- every algorithm -------------------------------------------------------------------

@pytest.fixture()
def scene(fields, tmp_path):
    """A private copy of the field scene (it may not change; the tests check it)."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    raster = shutil.copy(fields["raster"], folder / "fields.tif")
    polygons = shutil.copy(fields["polygons"], folder / "fields.gpkg")
    (folder / "fields.tif.aux.xml").write_text(
        "<PAMDataset><Metadata><MDI key=\"NOTE\">kept</MDI></Metadata></PAMDataset>\n")
    reference = folder / "reference.json"  # a GeoJSON layer, as many are named
    gdal.VectorTranslate(str(reference), str(polygons), format="GeoJSON")
    return {"folder": folder, "raster": str(raster), "polygons": str(polygons),
            "reference": str(reference)}


@pytest.fixture(scope="module")
def trained(provider, fields, tmp_path_factory):
    """A model and its classification of the field scene."""
    import processing

    folder = tmp_path_factory.mktemp("trained")
    processing.run("crnn:train", {
        "INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": str(folder / "m.crnn"), **SMALL})
    processing.run("crnn:classify", {"INPUT": fields["raster"], "MODEL": str(folder / "m.crnn"),
                                     "OUTPUT": str(folder / "c.tif")})
    return {"model": str(folder / "m.crnn"), "classes": str(folder / "c.tif")}


def refused(algorithm: str, parameters: dict, *patterns: str, unchanged=()) -> str:
    """Run, expect a refusal naming ``patterns``, and no file under ``unchanged`` touched."""
    import processing

    before = snapshot(*unchanged)
    with pytest.raises(QgsProcessingException) as info:
        processing.run(algorithm, parameters)
    message = str(info.value)
    for pattern in patterns:
        assert pattern in message, message
    assert snapshot(*unchanged) == before
    return message


def train_parameters(scene, **outputs) -> dict:
    return {"INPUT": scene["raster"], "TRAINING": scene["polygons"], "CLASS_FIELD": "crop",
            "OUTPUT_MODEL": str(scene["folder"].parent / "m.crnn"), **SMALL, **outputs}


def test_train_never_writes_onto_its_inputs(provider, scene):
    folder = scene["folder"]
    for outputs, names in [
        ({"OUTPUT_REPORT": scene["raster"]}, ["OUTPUT_REPORT", "INPUT"]),
        ({"OUTPUT_REPORT": scene["polygons"]}, ["OUTPUT_REPORT", "TRAINING"]),
        ({"OUTPUT_REPORT": str(folder / ".." / "inputs" / "fields.tif.aux.xml")},
         ["OUTPUT_REPORT", "fields.tif.aux.xml"]),
        ({"OUTPUT_MODEL": scene["polygons"]}, ["OUTPUT_MODEL", "TRAINING"]),
    ]:
        refused("crnn:train", train_parameters(scene, **outputs), *names, unchanged=[folder])


def test_two_outputs_of_one_run_may_not_share_a_file(provider, scene, trained, tmp_path):
    same = str(tmp_path / "result.out")
    refused("crnn:train", train_parameters(scene, OUTPUT_MODEL=same, OUTPUT_REPORT=same),
            "OUTPUT_REPORT", "OUTPUT_MODEL", "same file")
    assert not os.path.exists(same)
    tif = str(tmp_path / "both.tif")
    refused("crnn:trainclassify", {**train_parameters(scene), "OUTPUT_MODEL": tif,
                                   "OUTPUT": tif}, "OUTPUT_MODEL", "same file")
    refused("crnn:classify", {"INPUT": scene["raster"], "MODEL": trained["model"],
                              "OUTPUT": tif, "OUTPUT_CONFIDENCE": tif}, "same file")
    assert not os.path.exists(tif)


def test_classify_and_smooth_never_write_onto_their_inputs(provider, scene, trained, tmp_path):
    folder = scene["folder"]
    model = shutil.copy(trained["model"], folder / "m.crnn")
    refused("crnn:classify", {"INPUT": scene["raster"], "MODEL": str(model),
                              "OUTPUT": scene["raster"]}, "OUTPUT", "INPUT", unchanged=[folder])
    refused("crnn:classify", {"INPUT": scene["raster"], "MODEL": str(model),
                              "OUTPUT": str(tmp_path / "c.tif"),
                              "OUTPUT_PROBABILITIES": str(model)}, "OUTPUT_PROBABILITIES",
            "MODEL", unchanged=[folder])
    probabilities = shutil.copy(scene["raster"], folder / "p.tif")
    refused("crnn:smooth", {"PROBABILITIES": str(probabilities), "OUTPUT": str(probabilities)},
            "OUTPUT", "PROBABILITIES", unchanged=[folder])


def test_assess_never_writes_onto_its_inputs(provider, scene, trained, tmp_path):
    folder = scene["folder"]
    classes = shutil.copy(trained["classes"], folder / "c.tif")
    assess = {"CLASSIFICATION": str(classes), "REFERENCE": scene["reference"],
              "REFERENCE_FIELD": "crop"}
    refused("crnn:assess", {**assess, "OUTPUT_REPORT": str(classes)},
            "OUTPUT_REPORT", "CLASSIFICATION", unchanged=[folder])
    # the JSON written beside 'reference.html' would be the GeoJSON reference layer
    refused("crnn:assess", {**assess, "OUTPUT_REPORT": str(folder / "reference.html")},
            "reference.json", "REFERENCE", unchanged=[folder])


def test_importcube_never_rewrites_its_input(provider, scene):
    folder = scene["folder"]
    refused("crnn:importcube", {"INPUT": scene["raster"], "OUTPUT": scene["raster"]},
            "OUTPUT", "INPUT", unchanged=[folder])


def test_a_bad_output_folder_is_found_before_training(provider, scene, tmp_path):
    import processing

    (tmp_path / "file.txt").write_text("x")
    for outputs, pattern in [
        ({"OUTPUT_MODEL": str(tmp_path / "file.txt" / "m.crnn")}, "is a file, not a folder"),
        ({"OUTPUT_REPORT": str(tmp_path)}, "is a folder"),
        ({"OUTPUT_REPORT": str(tmp_path / ("r" * 260 + ".html"))}, "too long"),
    ]:
        log = Recorder()
        with pytest.raises(QgsProcessingException, match=pattern):
            processing.run("crnn:train", train_parameters(scene, **outputs), feedback=log)
        assert not any("Epoch" in line for line in log.infos), "it trained first"


# --- paths the first version missed (found by an independent review) ---------------------

def test_a_model_step_is_checked_too(provider, scene, trained):
    """A graphical model runs its steps without their checkParameterValues: the check
    runs again when the step is prepared, so the step fails instead of writing."""
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
    )

    folder = scene["folder"]
    classes = shutil.copy(trained["classes"], folder / "c.tif")
    before = snapshot(folder)
    model = QgsProcessingModelAlgorithm("collision", "tests")
    step = QgsProcessingModelChildAlgorithm("crnn:assess")
    step.generateChildId(model)
    for key, value in {"CLASSIFICATION": str(classes), "REFERENCE": scene["reference"],
                       "REFERENCE_FIELD": "crop", "OUTPUT_REPORT": str(classes)}.items():
        step.addParameterSources(key, [QgsProcessingModelChildParameterSource.fromStaticValue(
            value)])
    model.addChildAlgorithm(step)
    log = Recorder()
    try:
        _, ok = model.run({}, QgsProcessingContext(), log)
    except QgsProcessingException as error:  # how QGIS reports a failed step varies
        ok, message = False, str(error)
    else:
        message = " ".join(log.infos + log.warnings) + log.textLog()
    assert not ok
    assert "would overwrite the input CLASSIFICATION" in message, message
    assert snapshot(folder) == before


def test_selected_features_only_is_the_same_layer(provider, scene):
    """'Selected features only' hands a feature source definition, not a path."""
    from qgis.core import QgsProcessingFeatureSourceDefinition

    source = QgsProcessingFeatureSourceDefinition(scene["polygons"], True)
    refused("crnn:train", train_parameters(scene, TRAINING=source,
                                           OUTPUT_REPORT=scene["polygons"]),
            "OUTPUT_REPORT", "the input TRAINING", unchanged=[scene["folder"]])


def test_names_with_equals_signs_are_files(provider, scene, trained, monkeypatch):
    folder = scene["folder"]
    (folder / "lr=0.01").mkdir()
    classes = shutil.copy(trained["classes"], folder / "lr=0.01" / "c.tif")
    monkeypatch.chdir(folder)
    refused("crnn:assess", {"CLASSIFICATION": "lr=0.01/c.tif", "REFERENCE": scene["reference"],
                            "REFERENCE_FIELD": "crop", "OUTPUT_REPORT": "lr=0.01/c.tif"},
            "would overwrite the input CLASSIFICATION", unchanged=[folder])
    assert os.path.exists(classes)


def test_a_report_named_like_its_own_json_is_refused(tmp_path):
    report = str(tmp_path / "r.json")
    with pytest.raises(CrnnError, match="also the name of the file written beside it"):
        check_outputs([], [RunFile("OUTPUT_REPORT", report,
                                   written_beside(report, "file", ["{stem}.json"]))])


def test_a_folder_where_a_side_car_goes_is_refused_up_front(tmp_path):
    (tmp_path / "r.json").mkdir()
    report = str(tmp_path / "r.html")
    with pytest.raises(CrnnError, match="r.json' beside it, but that is a folder"):
        check_outputs([], [RunFile("OUTPUT_REPORT", report,
                                   written_beside(report, "file", ["{stem}.json"]))])


def test_no_style_file_restyles_an_input_of_the_same_name(provider, tmp_path):
    """importcube scene.bsq -> scene.tif: a scene.qml would restyle the ENVI input too
    (QGIS applies <name>.qml to any file of that name), so none is written and the log
    says why; the input's files stay as they were."""
    import processing

    cube = tmp_path / "scene.bsq"
    dataset = gdal.GetDriverByName("ENVI").Create(str(cube), 4, 4, 3, gdal.GDT_Float32)
    for band, value in enumerate((0.1, 0.2, 0.3), 1):
        dataset.GetRasterBand(band).Fill(value)
    dataset.SetMetadata({"wavelength": "{460, 550, 640}", "wavelength_units": "Nanometers"},
                        "ENVI")
    dataset = None
    before = snapshot(tmp_path)
    log = Recorder()
    processing.run("crnn:importcube", {"INPUT": str(cube), "OUTPUT": str(tmp_path / "scene.tif")},
                   feedback=log)
    assert not os.path.exists(tmp_path / "scene.qml")
    assert any("No style file 'scene.qml' was written" in line and "scene.bsq" in line
               for line in log.infos), log.infos
    after = snapshot(tmp_path)
    assert {path: after[path] for path in before} == before


def test_database_and_memory_sources_name_no_file():
    for source in ("memory:", "ogr:dbname='x' table=\"t\"", "service=gis", "postgres://db"):
        assert file_of_source(source) == "", source
    assert file_of_source("C:/data/scene.tif") == "C:/data/scene.tif"
