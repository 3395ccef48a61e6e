"""Real sensor scenes through ``qgis_process``: wavelengths, bad bands, scale factors.

The scene is the field scene of tests/scenes.py given 40 bands from 400 to 2350 nm,
written as a user gets it from an airborne campaign: an ENVI cube (raw float32 BSQ and a
``.hdr``, laid out as the ENVI header format describes it: NV5 Geospatial, "ENVI Header
Files") whose water-absorption bands (1350-1450 and 1800-1950 nm) hold NaN and are
flagged 0 in ``bbl``, with ``wavelength``, ``fwhm``, ``reflectance scale factor`` and a
``map info`` / ``coordinate system string`` for its grid. Its twin is a GeoTIFF with the
bands in reverse order and the EnMAP-Box band metadata (``wavelength``,
``wavelength_units``, ``fwhm``), holding the physical values (raw / scale factor).

What the issue asks: the ENVI cube trains with default band parameters; the reversed
GeoTIFF gives the same map; a raster missing some wavelengths is refused cleanly unless
RESAMPLE_SPECTRA is set; a model of a raster without wavelengths is refused on a raster
of another band count; a 0..1 float scene classifies like its 0..10000 integer twin.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from osgeo import gdal, osr
from scenes import FAST_PARAMETERS, ORIGIN, PIXEL, read_band, write_field_scene, write_raster
from test_bad_process import QGIS_PROCESS, qgis_process
from test_bad_process import env as env  # noqa: F401 (the fixture, used by name)

from hyperspectral_crnn.models.rasters.bands import BandInfo, write_band_metadata

pytestmark = pytest.mark.skipif(not os.path.exists(QGIS_PROCESS),
                                reason=f"{QGIS_PROCESS} is not installed")

BANDS = 40
WAVELENGTHS = 400.0 + 50.0 * np.arange(BANDS)  # 400 .. 2350 nm
FWHM = 12.0
BAD = (((WAVELENGTHS >= 1350) & (WAVELENGTHS <= 1450))
       | ((WAVELENGTHS >= 1800) & (WAVELENGTHS <= 1950)))
SCALE_FACTOR = 10000.0
FAST = {**FAST_PARAMETERS, "EPOCHS": 12, "SEED": 3}


def envi_list(values) -> str:
    return "{" + ", ".join(f"{v:g}" for v in values) + "}"


def write_envi(path: str, cube: np.ndarray) -> str:
    """A BSQ ENVI cube: raw little-endian float32 and its text header."""
    bands, rows, cols = cube.shape
    cube.astype("<f4").tofile(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32616)
    header = "\n".join([
        "ENVI",
        "description = {field scene, test}",
        f"samples = {cols}", f"lines = {rows}", f"bands = {bands}",
        "header offset = 0", "file type = ENVI Standard",
        "data type = 4", "interleave = bsq", "byte order = 0",
        f"map info = {{UTM, 1, 1, {ORIGIN[0]:.1f}, {ORIGIN[1]:.1f}, {PIXEL:g}, {PIXEL:g}, "
        "16, North, WGS-84, units=Meters}",
        f"coordinate system string = {{{srs.ExportToWkt()}}}",
        "wavelength units = Nanometers",
        f"wavelength = {envi_list(WAVELENGTHS)}",
        f"fwhm = {envi_list([FWHM] * bands)}",
        f"bbl = {envi_list(np.where(BAD, 0, 1))}",
        f"reflectance scale factor = {SCALE_FACTOR:g}",
    ])
    with open(os.path.splitext(path)[0] + ".hdr", "w") as stream:
        stream.write(header + "\n")
    return path


def write_with_wavelengths(path: str, cube: np.ndarray, wavelengths) -> str:
    """A GeoTIFF on the scene's grid with EnMAP-Box style band metadata."""
    write_raster(path, cube.astype(np.float32), gdal.GDT_Float32)
    dataset = gdal.Open(path, gdal.GA_Update)
    write_band_metadata(dataset, [BandInfo(i + 1, float(w), FWHM)
                                  for i, w in enumerate(wavelengths)])
    dataset = None
    return path


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sensor")
    fields = write_field_scene(str(folder / "fields"), bands=BANDS)
    raw = gdal.Open(fields["raster"]).ReadAsArray().astype(np.float32)  # 0..~3000 counts
    raw[BAD] = np.nan
    physical = raw * np.float32(1 / SCALE_FACTOR)  # what the reader makes of the ENVI cube
    order = np.arange(BANDS)[::-1]
    missing = np.setdiff1d(np.arange(BANDS), [5, 6, 12])  # 650, 700 and 1000 nm gone
    return {
        "polygons": fields["polygons"],
        "fields": fields["raster"],
        "envi": write_envi(str(folder / "scene.bsq"), raw),
        "reversed": write_with_wavelengths(str(folder / "reversed.tif"), physical[order],
                                           WAVELENGTHS[order]),
        "missing": write_with_wavelengths(str(folder / "missing.tif"), physical[missing],
                                          WAVELENGTHS[missing]),
        "folder": folder,
    }


def run_ok(env, algorithm, parameters) -> str:
    code, output, _ = qgis_process(env, algorithm, parameters)
    assert code == 0, output
    assert "Traceback" not in output, output
    return output


@pytest.fixture(scope="module")
def envi_model(env, scene):
    path = str(scene["folder"] / "envi.crnn")
    output = run_ok(env, "crnn:train", {
        "INPUT": scene["envi"], "TRAINING": scene["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": path, **FAST})
    return path, output


def test_envi_cube_with_nan_bad_bands_trains_with_default_bands(envi_model):
    _, output = envi_model
    bad = int(BAD.sum())
    assert f"{bad} band(s) flagged bad in the file's metadata (bbl) are left out" in output
    assert "band 20 (1350 nm)" in output
    assert "Kept the weights of epoch" in output


def test_reversed_geotiff_with_wavelengths_gives_the_same_map(env, scene, envi_model):
    model, _ = envi_model
    maps = {}
    for name in ("envi", "reversed"):
        out = str(scene["folder"] / f"map_{name}.tif")
        output = run_ok(env, "crnn:classify", {"INPUT": scene[name], "MODEL": model,
                                               "OUTPUT": out, "DEVICE": "cpu"})
        assert re.search(rf"{BANDS - BAD.sum()} of {BANDS} bands matched by wavelength, "
                         r"largest offset 0 nm", output), output
        maps[name] = read_band(out)
    np.testing.assert_array_equal(maps["envi"], maps["reversed"])
    assert (maps["envi"] > 0).mean() > 0.99  # NaN bands left out: the scene is classified


def test_missing_wavelengths_refused_cleanly_or_resampled(env, scene, envi_model):
    model, _ = envi_model
    out = str(scene["folder"] / "map_missing.tif")
    code, output, _ = qgis_process(env, "crnn:classify", {
        "INPUT": scene["missing"], "MODEL": model, "OUTPUT": out, "DEVICE": "cpu"})
    assert code != 0
    assert "lacks 3 of the model's 33 wavelengths (nm): 650, 700, 1000" in output, output
    assert "RESAMPLE_SPECTRA" in output and "Traceback" not in output
    assert not any(name.startswith("map_missing") for name in os.listdir(scene["folder"]))
    output = run_ok(env, "crnn:classify", {
        "INPUT": scene["missing"], "MODEL": model, "OUTPUT": out, "DEVICE": "cpu",
        "RESAMPLE_SPECTRA": "true"})
    assert "Spectra resampled onto the model's 33 wavelengths" in output
    assert (read_band(out) > 0).mean() > 0.99


def test_model_without_wavelengths_refuses_a_raster_of_another_band_count(env, scene):
    model = str(scene["folder"] / "fields.crnn")
    run_ok(env, "crnn:train", {"INPUT": scene["fields"], "TRAINING": scene["polygons"],
                               "CLASS_FIELD": "crop", "OUTPUT_MODEL": model,
                               **FAST, "EPOCHS": 2})
    cube = gdal.Open(scene["fields"]).ReadAsArray()
    wider = write_raster(str(scene["folder"] / "wider.tif"),
                         np.concatenate([cube, cube[:4]]), gdal.GDT_Int16)
    out = str(scene["folder"] / "map_wider.tif")
    code, output, _ = qgis_process(env, "crnn:classify", {
        "INPUT": wider, "MODEL": model, "OUTPUT": out, "DEVICE": "cpu"})
    assert code != 0
    assert (f"has {BANDS + 4} bands, but the model was trained on a raster of {BANDS} "
            "bands") in output, output
    assert "Traceback" not in output and not os.path.exists(out)


def test_excluded_ranges_and_bands_without_data_are_left_out(env, scene):
    """The 37-band GeoTIFF (650, 700 and 1000 nm gone, so 1050 nm is band 11) flags no
    band bad, but 7 of its bands are NaN everywhere."""
    output = run_ok(env, "crnn:train", {
        "INPUT": scene["missing"], "TRAINING": scene["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": str(scene["folder"] / "excluded.crnn"),
        "EXCLUDE_WAVELENGTHS": "1040-1110, 2300-2400", **FAST, "EPOCHS": 2})
    assert ("4 band(s) in the excluded wavelength ranges are left out: band 11 (1050 nm), "
            "band 12 (1100 nm), band 36 (2300 nm), band 37 (2350 nm).") in output, output
    assert "7 band(s) hold no data (nodata or NaN) under the training polygons" in output
    code, output, _ = qgis_process(env, "crnn:train", {
        "INPUT": scene["missing"], "TRAINING": scene["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": str(scene["folder"] / "never.crnn"),
        "EXCLUDE_WAVELENGTHS": "1100-1000", **FAST})
    assert code != 0 and "runs backwards" in output and "Traceback" not in output
    assert not os.path.exists(scene["folder"] / "never.crnn")


def test_the_new_keys_are_declared(provider):
    """qgis_process ignores unknown keys, so the keys the runs above pass must exist."""
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    for algorithm, key in (("crnn:classify", "RESAMPLE_SPECTRA"),
                           ("crnn:trainclassify", "RESAMPLE_SPECTRA"),
                           ("crnn:train", "EXCLUDE_WAVELENGTHS"),
                           ("crnn:trainclassify", "EXCLUDE_WAVELENGTHS"),
                           ("crnn:classify", "PRECISION"),
                           ("crnn:trainclassify", "PRECISION")):
        assert registry.algorithmById(algorithm).parameterDefinition(key) is not None, (
            algorithm, key)
