"""ENVI cubes (BSQ, BIL, BIP) into GeoTIFF with their band metadata carried.

The files are raw binary with a text header written here as the ENVI header format
(NV5 Geospatial, "ENVI Header Files" documentation) lays it out: ``samples`` / ``lines``
/ ``bands``, ``data type`` (2 = 16-bit signed integer, 4 = 32-bit float), ``interleave``
(bsq: band after band; bil: each line holds every band's row; bip: each pixel holds its
spectrum), ``byte order`` (0 = little endian), ``header offset``; the spectral lists
``wavelength`` with ``wavelength units``, ``fwhm``, ``bbl`` (1 = good band, 0 = bad);
``reflectance scale factor`` (the value that divides stored numbers into reflectance)
and ``data gain values`` / ``data offset values`` (physical = gain * stored + offset).
"""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal

from hyperspectral_crnn.models.common.callbacks import Hooks
from hyperspectral_crnn.models.importing.importcube import Placement, ReadOptions, import_cube
from hyperspectral_crnn.models.rasters.bands import read_band_info

pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")

ROWS, COLS, BANDS = 6, 8, 5
WAVELENGTHS_UM = [0.4612, 0.5523, 0.6405, 0.8601, 1.3802]
FWHM_UM = [0.0101, 0.0102, 0.0103, 0.0104, 0.0151]
BBL = [1, 1, 1, 1, 0]
AXES = {"bsq": (2, 0, 1), "bil": (0, 2, 1), "bip": (0, 1, 2)}  # from (rows, cols, bands)


def _cube() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 10000, (ROWS, COLS, BANDS)).astype("<i2")


def write_envi(folder, interleave: str, cube: np.ndarray, extra: str = "",
               data_type: int = 2, suffix: str = ".img") -> str:
    """Raw ``<name>.img`` in the given interleave and its ``<name>.hdr``."""
    data = str(folder / f"scene_{interleave}{suffix}")
    np.ascontiguousarray(cube.transpose(AXES[interleave])).tofile(data)
    header = "\n".join([
        "ENVI",
        "description = {test scene}",
        f"samples = {COLS}", f"lines = {ROWS}", f"bands = {BANDS}",
        "header offset = 0", "file type = ENVI Standard", f"data type = {data_type}",
        f"interleave = {interleave}", "byte order = 0",
        "map info = {UTM, 1.000, 1.000, 440000.000, 4460000.000, 20.0, 20.0, 16, North, WGS-84}",
        "wavelength units = Micrometers",
        "wavelength = {" + ", ".join(str(w) for w in WAVELENGTHS_UM) + "}",
        "fwhm = {" + ", ".join(str(w) for w in FWHM_UM) + "}",
        "bbl = {" + ", ".join(str(b) for b in BBL) + "}",
    ]) + "\n" + extra
    with open(data[: -len(suffix)] + ".hdr" if suffix else data + ".hdr", "w") as stream:
        stream.write(header)
    return data


@pytest.mark.parametrize("interleave", ["bsq", "bil", "bip"])
def test_interleaves_with_wavelength_fwhm_bbl_and_scale(tmp_path, interleave):
    cube = _cube()
    data = write_envi(tmp_path, interleave, cube, "reflectance scale factor = 10000\n")
    out = str(tmp_path / f"{interleave}.tif")
    messages = []
    result = import_cube(data[:-4] + ".hdr", out, Placement(), hooks=Hooks(log=messages.append))
    assert result.shape == (ROWS, COLS, BANDS)
    dataset = gdal.Open(out)
    assert dataset.GetRasterBand(1).DataType == gdal.GDT_Int16
    np.testing.assert_array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)
    assert dataset.GetGeoTransform() == (440000.0, 20.0, 0.0, 4460000.0, 0.0, -20.0)
    bands = read_band_info(dataset, out)
    assert [b.wavelength for b in bands] == pytest.approx([w * 1000 for w in WAVELENGTHS_UM])
    assert [b.fwhm for b in bands] == pytest.approx([w * 1000 for w in FWHM_UM])
    assert [b.bad for b in bands] == [False, False, False, False, True]
    assert [b.scale for b in bands] == pytest.approx([1e-4] * BANDS)
    assert [b.offset for b in bands] == [0.0] * BANDS
    # as other tools read them: the EnMAP-Box / GDAL names in the default domain and
    # GDAL 3.10's IMAGERY domain, GDAL's own scale
    band = dataset.GetRasterBand(2)
    assert band.GetMetadataItem("wavelength") == "552.3"
    assert band.GetMetadataItem("wavelength_units") == "Nanometers"
    assert band.GetMetadataItem("fwhm") == "10.2"
    assert band.GetMetadataItem("CENTRAL_WAVELENGTH_UM", "IMAGERY") == "0.5523"
    assert dataset.GetRasterBand(5).GetMetadataItem("bbl") == "0"
    assert band.GetScale() == pytest.approx(1e-4)
    assert any("5 of 5 bands with wavelengths" in m and "1 flagged bad" in m
               for m in messages)
    assert [b.wavelength for b in result.bands] == pytest.approx(
        [b.wavelength for b in bands])


def test_gain_and_offset_values_and_float_data(tmp_path):
    cube = _cube().astype("<f4") / 3.0
    gains = "data gain values = {" + ", ".join(["0.5"] * BANDS) + "}\n"
    offsets = "data offset values = {" + ", ".join(["2"] * BANDS) + "}\n"
    data = write_envi(tmp_path, "bil", cube, gains + offsets, data_type=4, suffix="")
    out = str(tmp_path / "gains.tif")
    import_cube(data, out, Placement())
    dataset = gdal.Open(out)
    assert dataset.GetRasterBand(1).DataType == gdal.GDT_Float32
    np.testing.assert_array_equal(dataset.ReadAsArray().transpose(1, 2, 0), cube)
    bands = read_band_info(dataset, out)
    assert [(b.scale, b.offset) for b in bands] == [(0.5, 2.0)] * BANDS
    # the physical value the classifier reads: gain * stored + offset
    values = dataset.GetRasterBand(1).ReadAsArray()
    np.testing.assert_allclose(values * bands[0].scale + bands[0].offset,
                               cube[:, :, 0] * 0.5 + 2.0, rtol=1e-6)


def test_a_raster_without_wavelengths_says_so(tmp_path):
    cube = _cube()
    path = str(tmp_path / "plain.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(path, COLS, ROWS, BANDS, gdal.GDT_Int16)
    dataset.WriteArray(cube.transpose(2, 0, 1))
    dataset = None
    messages = []
    result = import_cube(path, str(tmp_path / "out.tif"), Placement(),
                         ReadOptions(axis_order="bands,rows,cols"),
                         hooks=Hooks(log=messages.append))
    assert all(b.wavelength is None for b in result.bands)
    assert any("no wavelengths" in m for m in messages)
    assert any("AXIS_ORDER is ignored for a raster file" in m for m in messages)
