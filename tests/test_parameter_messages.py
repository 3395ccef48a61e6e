"""Issue 26, checks that came too late or messages that misled, found through qgis_process:

- a fraction for a whole-number parameter was rounded (LOP_SIZE=1.5 said "got 2");
- bands written as qgis_process users write them (BANDS=1,2,3) read as band 0;
- a field the layer lacks passed the checks (CLASS_NAME_FIELD was then ignored), an
  empty one got QGIS's bare "Incorrect parameter value";
- a choice given by the number ``qgis_process help`` lists it under was refused;
- a run killed by SIGTERM left its staging folder for ever (see also
  tests/test_bad_process.py);
- an .npz of Python objects, or whose header claims 93 GiB, ended in a numpy traceback.

Real QGIS (``processing.run`` and ``checkParameterValues``), real files, real torch; the
qgis_process cases at the end run the real ``qgis_process`` (about 5 s each).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsApplication, QgsProcessingContext
from test_bad_inputs import SMALL
from test_bad_process import env, expect_failure, model, qgis_process  # noqa: F401

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.importing.arrays import read_array
from hyperspectral_crnn.models.importing.importcube import Placement, import_cube
from hyperspectral_crnn.models.network.modelfile import load_model
from hyperspectral_crnn.models.rasters.files import (
    STAGE_PREFIX,
    STALE_UNNAMED_STAGE_SECONDS,
    StagedFile,
    stage_prefix,
)

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see test_bad_inputs.py


def check(algorithm_id: str, parameters: dict):
    """(ok, message) of the algorithm's own check, as qgis_process and processing.run
    call it before running."""
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    return algorithm.checkParameterValues(parameters, QgsProcessingContext())


@pytest.fixture()
def train(fields, tmp_path) -> dict:
    return {"INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
            "OUTPUT_MODEL": str(tmp_path / "m.crnn"), **SMALL}


@pytest.fixture()
def classify(fields, tmp_path) -> dict:
    """classify's parameters; MODEL is any file here, the checks do not read it."""
    model_file = tmp_path / "any.crnn"
    model_file.write_bytes(b"")
    return {"INPUT": fields["raster"], "MODEL": str(model_file),
            "OUTPUT": str(tmp_path / "classes.tif")}


# --- whole numbers ---------------------------------------------------------------------


def test_a_fraction_for_a_whole_number_is_refused_not_rounded(provider, classify, train):
    # processing.run passes a float, qgis_process the text as typed
    for value in (1.5, "1.5"):
        assert check("crnn:classify", {**classify, "LOP_SIZE": value}) == (
            False, "LOP_SIZE (LOP window (odd, pixels)) must be a whole number, got 1.5.")
    assert check("crnn:train", {**train, "EPOCHS": "2.5"}) == (
        False, "EPOCHS (Epochs) must be a whole number, got 2.5.")
    assert check("crnn:classify", {**classify, "LOP_ITERATIONS": "two"}) == (
        False, "LOP_ITERATIONS (LOP iterations) must be a number, got 'two'.")
    assert check("crnn:classify", {**classify, "LOP_SIZE": "5.0"}) == (True, "")


# --- choices by number -----------------------------------------------------------------


def test_a_choice_given_by_its_number_is_that_option(provider, fields, tmp_path):
    import processing

    from hyperspectral_crnn.algorithms import parameters as specs

    model_path = str(tmp_path / "m.crnn")
    processing.run("crnn:train", {"INPUT": fields["raster"], "TRAINING": fields["polygons"],
                                  "CLASS_FIELD": "crop", "OUTPUT_MODEL": model_path,
                                  **SMALL, "DEVICE": 1})  # cpu, by number

    def fused(name: str, weights, **extra) -> np.ndarray:
        path = str(tmp_path / f"p_{name}.tif")
        processing.run("crnn:classify", {
            "INPUT": fields["raster"], "MODEL": model_path, "LOP_WEIGHTS": weights,
            "OUTPUT": str(tmp_path / f"c_{name}.tif"), "OUTPUT_PROBABILITIES": path,
            **extra})
        return gdal.Open(path).ReadAsArray()

    gaussian = fused("named", "gaussian", DEVICE="cpu", PRECISION="float32")
    assert np.array_equal(fused("number", 1, DEVICE=1, PRECISION=0), gaussian)
    assert np.array_equal(fused("digit", "1", DEVICE="1", PRECISION="0"), gaussian)
    assert not np.array_equal(fused("uniform", "uniform"), gaussian)  # not the default
    algorithm = QgsApplication.processingRegistry().createAlgorithmById("crnn:classify")
    run = specs.read_run(algorithm, specs.LOP, {"LOP_WEIGHTS": "2"}, QgsProcessingContext())
    assert run[specs.LOP_WEIGHTS_SPEC] == "edge"


def test_a_choice_that_is_no_option_lists_the_options(provider, classify):
    for value, shown in (("foo", "foo"), (3, "3"), ("", "")):
        assert check("crnn:classify", {**classify, "LOP_WEIGHTS": value}) == (
            False, "LOP_WEIGHTS (LOP weights) must be one of uniform, gaussian, edge (or its "
                   f"number, 0 to 2), got '{shown}'.")
    # crnn:smooth's own rule reads the number too
    ok, message = check("crnn:smooth", {"PROBABILITIES": classify["INPUT"],
                                        "OUTPUT": classify["OUTPUT"], "LOP_WEIGHTS": 2})
    assert not ok and "'edge' LOP needs the spectra" in message


# --- bands -----------------------------------------------------------------------------


def test_bands_written_with_commas_are_those_bands(provider, train):
    import processing

    processing.run("crnn:train", {**train, "BANDS": "1,2,3,4, 5,6 7;8", "EPOCHS": 1})
    assert load_model(train["OUTPUT_MODEL"]).band_indices == [1, 2, 3, 4, 5, 6, 7, 8]


def test_bands_the_raster_lacks_are_refused_before_training(provider, train):
    assert check("crnn:train", {**train, "BANDS": "5,41,0"}) == (
        False, "BANDS (Bands (none selected = all)): bands 41, 0 do not exist: the raster "
               "INPUT has 40 bands, numbered 1 to 40.")
    assert check("crnn:train", {**train, "BANDS": "1-5"}) == (
        False, "BANDS must be band numbers such as '1,2,3' (with qgis_process also BANDS=1 "
               "BANDS=2 ...), got '1-5'.")
    assert check("crnn:train", {**train, "BANDS": ["1", "2"]}) == (True, "")


# --- fields ----------------------------------------------------------------------------


def test_a_field_the_layer_lacks_lists_its_fields(provider, train):
    assert check("crnn:train", {**train, "CLASS_FIELD": "nosuchfield"}) == (
        False, "The layer TRAINING has no field 'nosuchfield' (CLASS_FIELD). Choose one of "
               "its fields: fid, crop, code.")
    # the optional name field was silently ignored
    assert check("crnn:train", {**train, "CLASS_NAME_FIELD": "nope"}) == (
        False, "The layer TRAINING has no field 'nope' (CLASS_NAME_FIELD). Choose one of its "
               "fields: fid, crop, code.")
    assert check("crnn:train", {**train, "CLASS_FIELD": ""}) == (
        False, "CLASS_FIELD (Class field) is empty: choose one of the fields of TRAINING: "
               "fid, crop, code.")
    assert check("crnn:train", {**train, "CLASS_FIELD": "CROP", "CLASS_NAME_FIELD": ""}) == (
        True, "")  # QGIS matches a field's name in any case


# --- staging folders that a killed run left --------------------------------------------


def _stage_of_a_killed_process(folder: Path) -> str:
    """The stage of a real process that starts writing into ``folder`` and is killed."""
    code = (
        "import os, signal, sys\n"
        "from hyperspectral_crnn.models.rasters.files import StagedFile\n"
        f"stage = StagedFile({str(folder / 'killed.tif')!r})\n"
        "open(stage.temporary, 'wb').write(b'half a file')\n"
        "print(os.path.dirname(stage.temporary), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / ".build" / "plugins")},
                          timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    return done.stdout.strip()


def test_a_later_stage_removes_the_stages_of_ended_processes_only(tmp_path):
    killed = _stage_of_a_killed_process(tmp_path)
    assert os.path.isdir(killed) and os.path.basename(killed).startswith(STAGE_PREFIX)
    other_host = tmp_path / f"{STAGE_PREFIX}elsewhere-1-abcd1234"  # a shared folder's
    other_host.mkdir()
    old_unnamed, new_unnamed = tmp_path / f"{STAGE_PREFIX}old_1234", tmp_path / \
        f"{STAGE_PREFIX}new_1234"  # the names stages had before they said their process
    for stage in (old_unnamed, new_unnamed):
        stage.mkdir()
        (stage / "x.tif").write_bytes(b"x")
    long_ago = time.time() - STALE_UNNAMED_STAGE_SECONDS - 3600
    for path in (old_unnamed / "x.tif", old_unnamed):
        os.utime(path, (long_ago, long_ago))

    running = StagedFile(str(tmp_path / "a.tif"))  # this process: alive
    try:
        assert os.path.basename(os.path.dirname(running.temporary)).startswith(
            stage_prefix())
        assert not os.path.exists(killed)
        assert not old_unnamed.exists()
        assert other_host.is_dir() and new_unnamed.is_dir()
        second = StagedFile(str(tmp_path / "b.tif"))
        assert os.path.isdir(os.path.dirname(running.temporary))  # a live stage stays
        second.discard()
    finally:
        running.discard()


def test_a_locked_stage_of_a_process_this_host_cannot_see_stays(tmp_path):
    """A container sharing the host name but not the process ids: its stage names a
    process id that has ended here, but its run holds the stage's lock, so it stays;
    once the lock is free (that run was killed) the stage goes."""
    import fcntl

    from hyperspectral_crnn.models.rasters.files import STAGE_LOCK

    stage = tmp_path / f"{stage_prefix().rsplit('-', 2)[0]}-999999999-abcd1234"
    stage.mkdir()
    (stage / "x.tif").write_bytes(b"half")
    lock = os.open(stage / STAGE_LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        StagedFile(str(tmp_path / "a.tif")).discard()
        assert stage.is_dir(), "a stage whose lock is held was removed"
    finally:
        os.close(lock)
    StagedFile(str(tmp_path / "a.tif")).discard()
    assert not stage.exists()


# --- .npz and .npy arrays that numpy would not read sanely -----------------------------


def _npy_bytes(shape, body: bytes, descr: str = "<f4") -> bytes:
    """An .npy file as np.save writes it, but whose header may claim any shape."""
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        stream, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    return stream.getvalue() + body


CUBE = np.arange(6 * 5 * 4, dtype=np.float32).reshape(6, 5, 4)
CLAIMED = (100000, 1000, 250)  # float32: 93.1 GiB


def test_npz_of_python_objects_is_refused(tmp_path):
    path = str(tmp_path / "objects.npz")
    objects = np.empty((6, 5, 4), dtype=object)
    objects[:] = 1.0
    np.savez(path, cube=objects, gt=np.zeros((6, 5), np.uint8))
    for variable in (None, "cube"):
        with pytest.raises(CrnnError, match=r"The array 'cube' in 'objects.npz' holds Python "
                                            r"objects \(object\), which are never read"):
            read_array(path, variable)
    # an archive with objects beside the cube: the cube still imports (the listing reads
    # headers, not values)
    mixed = str(tmp_path / "mixed.npz")
    np.savez(mixed, cube=CUBE, notes=np.array([{"a": 1}], dtype=object))
    assert np.array_equal(read_array(mixed).array, CUBE)


def test_npz_and_npy_whose_header_claims_more_than_they_hold(tmp_path):
    archive = str(tmp_path / "huge.npz")
    with zipfile.ZipFile(archive, "w") as stream:
        stream.writestr("cube.npy", _npy_bytes(CLAIMED, CUBE.tobytes()))
    with pytest.raises(CrnnError, match=r"The array 'cube' in 'huge.npz' is damaged: its "
                                        r"header says 100000 x 1000 x 250 float32 \(93.1 GiB\), "
                                        r"but the file holds 480 bytes of values"):
        read_array(archive)
    single = tmp_path / "huge.npy"
    single.write_bytes(_npy_bytes(CLAIMED, CUBE.tobytes()))
    with pytest.raises(CrnnError, match=r"The array 'huge.npy' is damaged: its header says "
                                        r"100000 x 1000 x 250 float32 \(93.1 GiB\)"):
        read_array(str(single))


def test_npz_array_larger_than_the_memory_is_refused(tmp_path):
    """An archive whose directory and header agree on 4 PiB (np.savez_compressed of
    zeros would hold such a claim in little space): an .npz member is read whole."""
    path = str(tmp_path / "vast.npz")
    claimed = (2 ** 20, 2 ** 20, 2 ** 10)  # float32: 4 PiB
    with zipfile.ZipFile(path, "w") as stream:
        stream.writestr("cube.npy", _npy_bytes(claimed, CUBE.tobytes()))
        stream.getinfo("cube.npy").file_size = 2 ** 53  # the directory, written on close
    with pytest.raises(CrnnError, match=r"The array 'cube' in 'vast.npz' is 1048576 x "
                                        r"1048576 x 1024 float32 \(4194304.0 GiB\), more than "
                                        r"the .* of memory available: an .npz array is read "
                                        r"whole. Save it as .npy"):
        import_cube(path, str(tmp_path / "cube.tif"), Placement())
    assert not os.path.exists(tmp_path / "cube.tif")


# --- through qgis_process --------------------------------------------------------------


def test_the_cases_through_qgis_process(env, fields, model, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    classify = {"INPUT": fields["raster"], "MODEL": model, "OUTPUT": str(out / "c.tif")}
    expect_failure(env, "crnn:classify", {**classify, "LOP_SIZE": "1.5"},
                   "LOP_SIZE (LOP window (odd, pixels)) must be a whole number, got 1.5.")
    objects = np.empty((6, 5, 4), dtype=object)
    np.savez(str(tmp_path / "objects.npz"), cube=objects)
    expect_failure(env, "crnn:importcube", {"INPUT": str(tmp_path / "objects.npz"),
                                            "OUTPUT": str(out / "cube.tif")},
                   "The array 'cube' in 'objects.npz' holds Python objects")
    assert os.listdir(out) == []
    # the help lists the options by number: 1 is gaussian, and DEVICE 1 the CPU
    code, output, _ = qgis_process(env, "crnn:classify", {
        **classify, "LOP_WEIGHTS": 1, "DEVICE": 1})
    assert code == 0, output
    assert "on cpu" in output and "LOP 3x3 gaussian" in output, output
    # several bands as a qgis_process user writes them
    code, output, _ = qgis_process(env, "crnn:train", {
        "INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": str(out / "m.crnn"), **SMALL, "EPOCHS": 1,
        "BANDS": "1,2,3,4,5,6,7,8"})
    assert code == 0, output
    assert load_model(str(out / "m.crnn")).band_indices == list(range(1, 9))
