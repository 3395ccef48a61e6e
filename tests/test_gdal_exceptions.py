"""A full disk with GDAL exceptions off and on: a clear error, no file, no stray traceback.

QGIS 3.40 and newer switch GDAL exceptions on for the whole process when Processing
loads. A dataset whose last write fails then raises inside its destructor, and Python
prints "Exception ignored ... Traceback" (seen on 3.44). Each case runs the core in a
fresh Python whose file-size limit makes the disk "full" after 32 KiB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from core_helpers import small_model

from hyperspectral_crnn.models.network.modelfile import save_model

PLUGINS = Path(__file__).resolve().parent.parent / ".build" / "plugins"

PRELUDE = """
import resource, signal, sys
sys.path.insert(0, {plugins!r})
from osgeo import gdal, ogr, osr
if {exceptions!r}:
    for module in (gdal, ogr, osr):
        module.UseExceptions()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not a kill
resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))
from hyperspectral_crnn.models.common.errors import CrnnError
try:
{body}
except CrnnError as error:
    print("CrnnError:", error)
    sys.exit(3)
print("no error")
"""


def run_full_disk(body: str, exceptions: bool) -> subprocess.CompletedProcess:
    script = PRELUDE.format(plugins=str(PLUGINS), exceptions=exceptions,
                            body=textwrap.indent(textwrap.dedent(body), "    "))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)


def assert_clean_failure(done: subprocess.CompletedProcess, folder: Path) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "Cannot write" in output, output
    assert "Traceback" not in output and "Exception ignored" not in output, output
    assert os.listdir(folder) == [], "a half-written file was left behind"


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("model") / "small.crnn")
    save_model(small_model(n_bands=40, epochs=3), path)
    return path


@pytest.mark.parametrize("exceptions", [False, True], ids=["exceptions-off", "exceptions-on"])
def test_classification_on_a_full_disk(model_file, tmp_path, exceptions):
    from osgeo import gdal

    rng = np.random.default_rng(0)
    raster = str(tmp_path / "scene.tif")
    cube = rng.normal(1000, 200, (40, 160, 160)).astype(np.float32)
    dataset = gdal.GetDriverByName("GTiff").Create(raster, 160, 160, 40, gdal.GDT_Float32)
    dataset.WriteArray(cube)
    dataset = None
    out = tmp_path / "out"
    out.mkdir()
    done = run_full_disk(f"""
        from hyperspectral_crnn.models.engine.inference import classify_raster
        from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
        from hyperspectral_crnn.models.network.modelfile import load_model
        classify_raster({raster!r}, load_model({model_file!r}), ClassificationRequest(
            OutputPaths({str(out / "c.tif")!r}, {str(out / "p.tif")!r})))
        """, exceptions)
    assert_clean_failure(done, out)


@pytest.mark.parametrize("exceptions", [False, True], ids=["exceptions-off", "exceptions-on"])
def test_import_on_a_full_disk(tmp_path, exceptions):
    source = str(tmp_path / "cube.npy")
    np.save(source, np.random.default_rng(0).normal(0, 1, (120, 120, 30)).astype(np.float32))
    out = tmp_path / "out"
    out.mkdir()
    done = run_full_disk(f"""
        from hyperspectral_crnn.models.importing.importcube import Placement, import_cube
        import_cube({source!r}, {str(out / "cube.tif")!r}, Placement())
        """, exceptions)
    assert_clean_failure(done, out)


# --- a file that breaks off half way: every reader says so, in both modes --------------


def _truncated(path, bands: int, gdal_type, values) -> str:
    """A tiled GeoTIFF cut to half its size: it opens, and reading its lower half fails."""
    from osgeo import gdal

    dataset = gdal.GetDriverByName("GTiff").Create(
        str(path), 64, 64, bands, gdal_type, ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
    dataset.SetGeoTransform((0.0, 1.0, 0.0, 64.0, 0.0, -1.0))
    dataset.WriteArray(values)
    dataset = None
    size = os.path.getsize(path)
    with open(path, "r+b") as stream:
        stream.truncate(size // 2)
    return str(path)


def test_a_truncated_raster_is_named_by_every_reader(gdal_exceptions_mode, model_file,
                                                     tmp_path):
    from osgeo import gdal
    from scenes import square_wkb

    from hyperspectral_crnn.models.common.errors import CrnnError
    from hyperspectral_crnn.models.engine.inference import classify_raster
    from hyperspectral_crnn.models.engine.request import ClassificationRequest, OutputPaths
    from hyperspectral_crnn.models.network.modelfile import load_model
    from hyperspectral_crnn.models.reports.assessment_rasters import assess_raster
    from hyperspectral_crnn.models.training.samples import read_training_pixels

    rng = np.random.default_rng(0)
    cube = _truncated(tmp_path / "cube.tif", 40, gdal.GDT_Float32,
                      rng.normal(1000, 100, (40, 64, 64)).astype(np.float32))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CrnnError, match=r"Cannot read rows .*cube\.tif.*intact"):
        classify_raster(cube, load_model(model_file),
                        ClassificationRequest(OutputPaths(str(out / "c.tif"))))
    assert os.listdir(out) == []
    with pytest.raises(CrnnError, match=r"Cannot read rows .*cube\.tif"):
        read_training_pixels(cube, list(range(1, 41)), [(square_wkb(2, 2, 60, 10), 0)])

    classes = _truncated(tmp_path / "classes.tif", 1, gdal.GDT_Byte,
                         rng.integers(1, 4, (64, 64)).astype(np.uint8))
    reference = tmp_path / "reference.tif"
    dataset = gdal.GetDriverByName("GTiff").Create(str(reference), 64, 64, 1, gdal.GDT_Byte)
    dataset.SetGeoTransform((0.0, 1.0, 0.0, 64.0, 0.0, -1.0))
    dataset.WriteArray(np.ones((64, 64), np.uint8))
    dataset = None
    with pytest.raises(CrnnError, match=r"Cannot read rows .*classes\.tif"):
        assess_raster(classes, str(reference), rows_per_read=16)
