"""Issue 7 through ``scripts/qgis_process``: a sample of wrong inputs fails with a non-zero
exit, the plugin's message and no traceback; a full disk (a file-size limit) leaves no
file; a raster larger than the memory the process may use classifies block by block.

Each run is a real ``qgis_process`` in a subprocess (about 4 s each).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr
from scenes import read_band
from test_bad_inputs import SMALL, Payload, write_raster, write_vector

REPO = Path(__file__).resolve().parent.parent
WRAPPER = REPO / "scripts" / "qgis_process"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"
MIB = 1024 * 1024

pytestmark = pytest.mark.skipif(not os.path.exists(QGIS_PROCESS),
                                reason=f"{QGIS_PROCESS} is not installed")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The wrapper's environment with a fresh profile (the plugin enabled on first use)."""
    variables = {key: value for key, value in os.environ.items()
                 if key not in ("PYTHONPATH", "VIRTUAL_ENV", "QGIS_PLUGINPATH")}
    variables["CRNN_QGIS_CONFIG"] = str(tmp_path_factory.mktemp("qgis_profile"))
    variables["OMP_WAIT_POLICY"] = "PASSIVE"  # see test_bad_inputs.py
    variables["MALLOC_ARENA_MAX"] = "2"  # a steady address space for the memory limit
    done = subprocess.run([str(WRAPPER), "plugins"], env=variables, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return variables


def qgis_process(env, algorithm: str, parameters: dict, preexec_fn=None, watch=False):
    """Run ``algorithm``; returns (exit code, stdout + stderr, VmPeak in bytes or None)."""
    command = [str(WRAPPER), "run", algorithm, "--json", "--"]
    for key, value in parameters.items():
        for item in value if isinstance(value, list) else [value]:
            command.append(f"{key}={item}")
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, preexec_fn=preexec_fn)
    peak = None
    if watch:  # the wrapper execs qgis_process.bin: same pid
        started = time.monotonic()
        while process.poll() is None and time.monotonic() - started < 300:
            try:
                with open(f"/proc/{process.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmPeak:"):
                            peak = max(peak or 0, int(line.split()[1]) * 1024)
            except OSError:
                pass
            time.sleep(0.01)
    output, _ = process.communicate(timeout=300)
    return process.returncode, output, peak


@pytest.fixture(scope="module")
def model(env, fields, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("model") / "fields.crnn")
    code, output, _ = qgis_process(env, "crnn:train", {
        "INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": path, **SMALL})
    assert code == 0, output
    return path


def expect_failure(env, algorithm, parameters, *patterns, preexec_fn=None) -> str:
    code, output, _ = qgis_process(env, algorithm, parameters, preexec_fn=preexec_fn)
    assert code != 0, output
    for pattern in patterns:
        assert pattern in output, output
    assert "Traceback" not in output and "Exception ignored" not in output, output
    return output


def test_wrong_files_fail_cleanly_under_qgis_process(env, fields, model, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    marker = tmp_path / "payload_ran"
    payload = tmp_path / "checkpoint.crnn"
    import torch

    torch.save({"state_dict": Payload(str(marker))}, str(payload))
    text = tmp_path / "notes.crnn"
    text.write_text("not a model")
    few_bands = write_raster(tmp_path / "10bands.tif",
                             gdal.Open(fields["raster"]).ReadAsArray()[:10].astype(np.float32))
    points = write_vector(tmp_path / "points.gpkg",
                          [("POINT(500100 4479900)", "a"), ("POINT(500500 4479900)", "b")],
                          geometry_type=ogr.wkbPoint)
    classify = {"INPUT": fields["raster"], "MODEL": model, "OUTPUT": str(out / "c.tif")}
    train = {"INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
             "OUTPUT_MODEL": str(out / "m.crnn"), **SMALL}
    for algorithm, parameters, patterns in [
        ("crnn:classify", {**classify, "MODEL": str(text)},
         ["notes.crnn", "not a Hyperspectral CRNN model"]),
        ("crnn:classify", {**classify, "MODEL": str(payload)},
         ["checkpoint.crnn", "not a Hyperspectral CRNN model"]),
        ("crnn:classify", {**classify, "INPUT": few_bands}, ["10bands.tif", "only 10 band"]),
        ("crnn:classify", {**classify, "LOP_SIZE": 4}, ["LOP_SIZE must be odd"]),
        ("crnn:classify", {**classify, "OUTPUT": str(tmp_path / "nowhere" / "c.tif")},
         ["does not exist"]),
        ("crnn:train", {**train, "TRAINING": points}, ["TRAINING must be a polygon layer"]),
        ("crnn:train", {**train, "EPOCHS": 0}, ["EPOCHS", "at least 1"]),
    ]:
        expect_failure(env, algorithm, parameters, *patterns)
    assert not marker.exists(), "a pickle payload ran"
    assert os.listdir(out) == []


def test_file_size_limit_leaves_no_file(env, fields, model, tmp_path):
    cube = gdal.Open(fields["raster"]).ReadAsArray()
    big = write_raster(tmp_path / "big.tif", np.tile(cube, (1, 4, 4)), gdal.GDT_Int16)
    out = tmp_path / "out"
    out.mkdir()

    def limit_file_size():  # a disk that fills up after 32 KiB
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    expect_failure(env, "crnn:classify", {
        "INPUT": big, "MODEL": model, "OUTPUT": str(out / "c.tif"),
        "OUTPUT_PROBABILITIES": str(out / "p.tif")}, "Cannot write", "disk space",
        preexec_fn=limit_file_size)
    assert os.listdir(out) == []


def test_wrong_answers_of_issue_26_are_refused_under_qgis_process(env, fields, tmp_path):
    """Issue 26: a seed beyond 32 bits, polygons in metres tagged EPSG:4326 and
    fractional class values are refused with the plugin's message (they gave a model of
    seed 0, an OverflowError and merged classes); the inputs stay byte for byte the same.
    tests/test_training_inputs.py has these cases and more through processing.run."""
    import hashlib
    import shutil

    from osgeo import osr
    from test_bad_inputs import field_features

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    raster = shutil.copy(fields["raster"], inputs / "fields.tif")
    features = field_features(fields)
    degrees = write_vector(inputs / "degrees.gpkg", features, epsg=4326)
    codes = {"Maize": 1.0, "Soy": 1.5, "Woods": 1.7}
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32616)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(inputs / "real.gpkg"))
    layer = source.CreateLayer("training", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTReal))
    for wkt, crop in features:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        feature.SetField("code", codes[crop])
        layer.CreateFeature(feature)
    source = layer = None
    real = str(inputs / "real.gpkg")

    def digests():
        return {path: hashlib.sha256(open(path, "rb").read()).hexdigest()
                for path in (raster, degrees, real)}

    before = digests()
    out = tmp_path / "out"
    out.mkdir()
    train = {"INPUT": raster, "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
             "OUTPUT_MODEL": str(out / "m.crnn"), **SMALL}
    for algorithm, parameters, patterns in [
        ("crnn:train", {**train, "SEED": 2**31},
         ["SEED", "between 0 and 2147483647", "got 2147483648"]),
        ("crnn:train", {**train, "SEED": 2**32},
         ["SEED", "between 0 and 2147483647", "got 4294967296"]),
        ("crnn:train", {**train, "TRAINING": degrees},
         ["cannot be reprojected", "EPSG:4326", "Check the layer's CRS"]),
        ("crnn:assess", {"CLASSIFICATION": raster, "REFERENCE": degrees,
                         "REFERENCE_FIELD": "crop"},
         ["cannot be reprojected", "EPSG:4326", "Check the layer's CRS"]),
        ("crnn:train", {**train, "TRAINING": real, "CLASS_FIELD": "code"},
         ["'code' holds 1.5", "not a class id"]),
    ]:
        expect_failure(env, algorithm, parameters, *patterns)
    assert digests() == before
    assert os.listdir(out) == []


def test_raster_larger_than_the_memory_limit_classifies_block_by_block(env, tmp_path):
    from core_helpers import SMALL_NETWORK

    from hyperspectral_crnn.models.common.classes import ClassInfo
    from hyperspectral_crnn.models.network.config import TrainingConfig
    from hyperspectral_crnn.models.network.modelfile import save_model
    from hyperspectral_crnn.models.training.train import (
        ModelBands,
        TrainingData,
        TrainingSetup,
        train_model,
    )

    bands = 200
    rng = np.random.default_rng(0)
    spectra = np.concatenate([rng.normal(0, 1, (100, bands)), rng.normal(5, 1, (100, bands))])
    model = train_model(
        TrainingData(spectra, np.repeat([1, 2], 100),
                     [ClassInfo(1, "dark", "#000000"), ClassInfo(2, "bright", "#ffffff")],
                     ModelBands(list(range(1, bands + 1)),
                                [f"b{b}" for b in range(1, bands + 1)])),
        TrainingSetup(SMALL_NETWORK, TrainingConfig(epochs=3, batch_size=32, device="cpu",
                                                    mixup=0.0, ema_decay=0.0)))
    model_path = str(tmp_path / "model.crnn")
    save_model(model, model_path)

    def sparse_raster(path, size):
        """Float64, 200 bands, all 0 (sparse: costs no disk) but band 1 (0.1: a spectrum
        of zeros is no data) and a bright 64 x 64 patch."""
        dataset = gdal.GetDriverByName("GTiff").Create(
            str(path), size, size, bands, gdal.GDT_Float64,
            ["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=64", "SPARSE_OK=TRUE",
             "INTERLEAVE=BAND", "BIGTIFF=YES"])
        dataset.SetGeoTransform((0, 1, 0, 0, 0, -1))
        dataset.GetRasterBand(1).Fill(0.1)
        for b in range(1, bands + 1):
            dataset.GetRasterBand(b).WriteArray(np.full((64, 64), 5.0), 64, 64)
        dataset = None
        return str(path)

    # What qgis_process with torch and the model needs on a small raster...
    small = sparse_raster(tmp_path / "small.tif", 192)
    code, output, idle = qgis_process(env, "crnn:classify", {
        "INPUT": small, "MODEL": model_path, "OUTPUT": str(tmp_path / "small_classes.tif"),
        "DEVICE": "cpu"}, watch=True)
    assert code == 0, output
    assert idle is not None
    # ... plus 512 MiB; the large raster (768 MiB of pixels) exceeds that headroom.
    headroom = 512 * MIB
    limit = idle + headroom
    size = 710
    large = sparse_raster(tmp_path / "large.tif", size)
    pixels_bytes = size * size * bands * 8
    assert pixels_bytes > headroom + 256 * MIB

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    output_path = tmp_path / "large_classes.tif"
    code, output, _ = qgis_process(env, "crnn:classify", {
        "INPUT": large, "MODEL": model_path, "OUTPUT": str(output_path), "DEVICE": "cpu"},
        preexec_fn=limit_memory)
    assert code == 0, f"limit {limit / MIB:.0f} MiB (idle {idle / MIB:.0f} MiB)\n{output}"
    classes = read_band(str(output_path))
    assert classes.shape == (size, size)
    # the patch's own corners may go to the background under the 3x3 LOP: check inside
    assert (classes[65:127, 65:127] == 2).all()
    assert (classes[200:, 200:] == 1).all()


def test_outputs_never_overwrite_inputs_under_qgis_process(env, fields, model, tmp_path):
    """Issue 26: colliding outputs are refused before any work, inputs stay byte for byte
    the same (tests/test_run_files.py has every algorithm through processing.run)."""
    import shutil

    from test_run_files import _without_cached_statistics, snapshot

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    raster = shutil.copy(fields["raster"], inputs / "fields.tif")
    polygons = shutil.copy(fields["polygons"], inputs / "fields.gpkg")
    reference = inputs / "reference.json"
    gdal.VectorTranslate(str(reference), str(polygons), format="GeoJSON")
    before = snapshot(inputs)
    train = {"INPUT": raster, "TRAINING": polygons, "CLASS_FIELD": "crop",
             "OUTPUT_MODEL": str(tmp_path / "m.crnn"), **SMALL}
    for algorithm, parameters, patterns in [
        ("crnn:train", {**train, "OUTPUT_REPORT": raster}, ["OUTPUT_REPORT", "the input INPUT"]),
        ("crnn:train", {**train, "OUTPUT_REPORT": str(tmp_path / "m.crnn")},
         ["OUTPUT_REPORT", "OUTPUT_MODEL", "same file"]),
        ("crnn:importcube", {"INPUT": raster, "OUTPUT": f"{inputs}/../inputs/fields.tif"},
         ["OUTPUT", "the input INPUT"]),
        ("crnn:assess", {"CLASSIFICATION": raster, "REFERENCE": str(reference),
                         "REFERENCE_FIELD": "crop",
                         "OUTPUT_REPORT": str(inputs / "reference.html")},
         ["reference.json", "REFERENCE"]),
    ]:
        expect_failure(env, algorithm, parameters, *patterns)
    after = snapshot(inputs)
    assert {path: after[path] for path in before} == before
    # QGIS itself (not the plugin) stores the histogram it computes when it loads a raster
    # as a layer in a new .aux.xml, as its own algorithms do (native:rasterlayerstatistics)
    assert set(after) - set(before) <= {f"{raster}.aux.xml"}
    if f"{raster}.aux.xml" in after:  # and nothing but cached statistics
        left = _without_cached_statistics(open(f"{raster}.aux.xml", "rb").read())
        assert left == b"<PAMDataset />", left
    assert not os.path.exists(tmp_path / "m.crnn")


def test_a_fifo_as_model_ends_with_a_message(env, fields, tmp_path):
    """Issue 26: MODEL = a named pipe is refused at once (the loader used to block on it
    forever); a hang is killed after 60 s and fails the test."""
    out = tmp_path / "out"
    out.mkdir()
    fifo = tmp_path / "pipe.crnn"
    os.mkfifo(fifo)
    command = [str(WRAPPER), "run", "crnn:classify", "--json", "--", f"INPUT={fields['raster']}",
               f"MODEL={fifo}", f"OUTPUT={out / 'c.tif'}"]
    try:
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("crnn:classify with a FIFO as MODEL did not end within 60 s")
    assert done.returncode != 0, done.stdout
    assert "pipe.crnn" in done.stdout and "named pipe" in done.stdout, done.stdout
    assert "Traceback" not in done.stdout, done.stdout
    assert os.listdir(out) == []


def test_a_huge_rnn_hidden_ends_with_the_bounds_message(env, fields, tmp_path):
    """Issue 26: RNN_HIDDEN=1000000 is refused by its bound before training (it used to
    end in torch's allocator error)."""
    out = tmp_path / "out"
    out.mkdir()
    output = expect_failure(env, "crnn:train", {
        "INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": str(out / "m.crnn"), **SMALL, "RNN_HIDDEN": 1_000_000},
        "RNN_HIDDEN", "1000000", "8192")
    assert "Epoch" not in output, output
    assert os.listdir(out) == []


def test_a_stage_that_sigterm_left_is_removed_by_the_next_run(env, fields, model, tmp_path):
    """Issue 26: QGIS does not catch SIGTERM, so a classification killed while it writes
    leaves its hidden staging folder; the next run that writes in that folder removes it
    (its process has ended)."""
    from hyperspectral_crnn.models.rasters.files import STAGE_PREFIX

    cube = gdal.Open(fields["raster"]).ReadAsArray()
    big = write_raster(tmp_path / "big.tif", np.tile(cube, (1, 4, 4)), gdal.GDT_Int16)
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [str(WRAPPER), "run", "crnn:classify", "--", f"INPUT={big}", f"MODEL={model}",
         f"OUTPUT={out / 'big.tif'}", "DEVICE=cpu"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started, stages = time.monotonic(), []
    while process.poll() is None and not stages and time.monotonic() - started < 240:
        stages = [name for name in os.listdir(out) if name.startswith(STAGE_PREFIX)]
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)  # the wrapper execs qgis_process.bin: same pid
    output, _ = process.communicate(timeout=120)
    assert stages, output
    assert process.returncode == -signal.SIGTERM, output
    assert os.listdir(out) == stages  # left behind: no Python code ran after the signal
    assert f"-{process.pid}-" in stages[0]

    code, output, _ = qgis_process(env, "crnn:classify", {
        "INPUT": fields["raster"], "MODEL": model, "OUTPUT": str(out / "small.tif")})
    assert code == 0, output
    assert not [name for name in os.listdir(out) if name.startswith(STAGE_PREFIX)]
    assert "small.tif" in os.listdir(out)


def test_right_answers_on_the_default_paths_of_issue_27_under_qgis_process(env, fields,
                                                                           tmp_path):
    """Issue 27 through qgis_process (tests/test_default_paths.py has each case): the
    polygon split holds out about the share asked and the log says it and the kept epoch;
    a Byte reference's nodata 255 is no class; crnn:smooth refuses a reflectance cube."""
    import json

    code, output, _ = qgis_process(env, "crnn:train", {
        "INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": str(tmp_path / "m.crnn"), **SMALL})
    assert code == 0, output
    # four 16-pixel squares a class, 0.15 asked (10 pixels): one whole square, within
    # twice the share, keeps validation pixels apart from training pixels
    assert ("Pixels held out for validation (0.15 asked, polygon split): Maize 25.0 % "
            "(16 of 64, 1 whole polygon(s))") in output, output
    assert "chosen by the lowest validation loss" in output, output
    classes = write_raster(tmp_path / "classes.tif", np.array([[[1, 2], [1, 2]]]),
                           gdal.GDT_Byte, tiled=False)
    reference = write_raster(tmp_path / "reference.tif", np.array([[[1, 255], [255, 2]]]),
                             gdal.GDT_Byte, nodata=255, tiled=False)
    report = tmp_path / "report.html"
    code, output, _ = qgis_process(env, "crnn:assess", {
        "CLASSIFICATION": classes, "REFERENCE": reference, "OUTPUT_REPORT": str(report)})
    assert code == 0, output
    data = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["class_values"] == [1, 2] and data["correct"] == data["total"] == 2
    cube = write_raster(tmp_path / "cube.tif", np.random.default_rng(0).uniform(
        500, 4000, (50, 30, 20)).astype(np.int16), gdal.GDT_Int16)
    (tmp_path / "out").mkdir()
    expect_failure(env, "crnn:smooth", {"PROBABILITIES": cube,
                                        "OUTPUT": str(tmp_path / "out" / "classes.tif")},
                   "does not look like class probabilities", "reflectance")
    assert os.listdir(tmp_path / "out") == []
