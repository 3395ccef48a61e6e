"""PRISMA L2D (HDF5) through the import core: VNIR + SWIR by wavelength, scale, grid.

The test file is laid out as the PRISMA Products Specification Document (ASI, issue 2.3,
12/03/2020, "PRISMA Products Specification Document") describes the L2D product. The
document itself is behind ASI's registration; its public table of contents was found,
and the layout below was confirmed against readers written from it and from real
products: prismaread (IREA-CNR, R, ``pr_create_vnir.R``), the EnMAP-Box PRISMA
importer's documentation, and several Python L2D readers (h5py) found with the
``search`` tool. What they agree on, and what this file follows:

- the cubes are ``HDFEOS/SWATHS/PRS_L2D_HCO/Data Fields/VNIR_Cube`` and ``SWIR_Cube``,
  stored (rows, bands, columns) ("BIL", e.g. 1210 x 66 x 1219 and 1210 x 173 x 1219),
  16-bit unsigned DN; beside them ``VNIR_PIXEL_L2_ERR_MATRIX`` / ``SWIR_PIXEL_L2_ERR_MATRIX``
  of the same shape, and ``Geolocation Fields/Latitude`` / ``Longitude``;
- the root attributes ``List_Cw_Vnir`` / ``List_Cw_Swir`` (band centre wavelengths, nm),
  ``List_Fwhm_Vnir`` / ``List_Fwhm_Swir`` (nm) and ``List_Cw_Vnir_Flags`` /
  ``List_Cw_Swir_Flags`` (1 = band usable), one entry per stored band, wavelengths in
  decreasing order, unused slots with centre 0;
- reflectance = ``L2ScaleVnirMin`` + DN * (``L2ScaleVnirMax`` - ``L2ScaleVnirMin``) / 65535
  (the same with ``L2ScaleSwir*``);
- the L2D grid: ``Epsg_Code`` and ``Product_ULcorner_easting`` / ``_northing``,
  ``Product_LRcorner_easting`` / ``_northing``.

Not confirmed from the specification itself (taken from the readers, and said so in the
code): whether the corner coordinates are pixel centres (as one reader states; taken so
here) or outer corners; that DN 0 in L2 means no data (failed retrieval or L2D padding,
as one reader states; written as nodata here); the position of the unused slots in the
wavelength lists (the readers drop the first three VNIR and the last SWIR slots). PRISMA
L1 scaling (``ScaleFactor_Vnir`` / ``Offset_Vnir``) is not applied: L1 cubes are written
as stored.
"""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
from osgeo import gdal

from hyperspectral_crnn.models.common.callbacks import Hooks
from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.importing.importcube import Placement, ReadOptions, import_cube
from hyperspectral_crnn.models.rasters.bands import read_band_info

pytestmark = pytest.mark.usefixtures("gdal_exceptions_mode")

ROWS, COLS = 70, 9  # more rows than one strip of tiles (64): the strips join
# stored order, decreasing wavelength; slot 0 of VNIR and the last of SWIR are unused
VNIR_CW = np.array([0.0, 980.0, 760.0, 640.0, 550.0, 460.0, 405.0], np.float32)
VNIR_FLAGS = np.array([0, 1, 1, 1, 1, 1, 1], np.int8)
VNIR_FWHM = np.array([0.0, 12.0, 10.0, 9.5, 9.0, 8.5, 8.0], np.float32)
SWIR_CW = np.array([2200.0, 1650.0, 1400.0, 1100.0, 950.0, 0.0], np.float32)
SWIR_FLAGS = np.array([1, 1, 0, 1, 1, 0], np.int8)  # 1400 nm: flagged unusable
SWIR_FWHM = np.array([11.0, 11.0, 12.0, 12.5, 13.0, 0.0], np.float32)
SCALES = {"Vnir": (0.0, 0.8), "Swir": (0.01, 0.6)}
UL = (500015.0, 4999985.0)  # centre of the top-left pixel, 30 m pixels
EPSG = 32633


def _dn(rows, bands, cols, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(1, 65535, (rows, bands, cols)).astype(np.uint16)


def write_prisma_l2d(path, rows=ROWS, cols=COLS) -> dict:
    """A small PRISMA L2D .he5 as the product specification lays it out."""
    vnir = _dn(rows, VNIR_CW.size, cols, 1)
    swir = _dn(rows, SWIR_CW.size, cols, 2)
    vnir[0, :, 0] = 0  # an L2D padding pixel
    swir[0, :, 0] = 0
    with h5py.File(path, "w") as f:
        swath = f.create_group("HDFEOS/SWATHS/PRS_L2D_HCO")
        fields = swath.create_group("Data Fields")
        fields.create_dataset("VNIR_Cube", data=vnir)
        fields.create_dataset("SWIR_Cube", data=swir)
        fields.create_dataset("VNIR_PIXEL_L2_ERR_MATRIX", data=np.zeros(vnir.shape, np.uint8))
        fields.create_dataset("SWIR_PIXEL_L2_ERR_MATRIX", data=np.zeros(swir.shape, np.uint8))
        geolocation = swath.create_group("Geolocation Fields")
        geolocation.create_dataset("Latitude", data=np.full((rows, cols), 45.0, np.float32))
        geolocation.create_dataset("Longitude", data=np.full((rows, cols), 15.0, np.float32))
        pan = f.create_group("HDFEOS/SWATHS/PRS_L2D_PCO/Data Fields")
        pan.create_dataset("Cube", data=np.zeros((rows * 6, cols * 6), np.uint16))
        f.create_group("HDFEOS INFORMATION").create_dataset(
            "StructMetadata.0", data=np.bytes_("GROUP=SwathStructure\nEND_GROUP"))
        attrs = f.attrs
        attrs["Product_ID"] = np.bytes_("PRS_L2D_STD")
        attrs["Processing_Level"] = np.bytes_("2D")
        attrs["List_Cw_Vnir"], attrs["List_Cw_Vnir_Flags"] = VNIR_CW, VNIR_FLAGS
        attrs["List_Fwhm_Vnir"] = VNIR_FWHM
        attrs["List_Cw_Swir"], attrs["List_Cw_Swir_Flags"] = SWIR_CW, SWIR_FLAGS
        attrs["List_Fwhm_Swir"] = SWIR_FWHM
        for tag, (low, high) in SCALES.items():
            attrs[f"L2Scale{tag}Min"] = np.float32(low)
            attrs[f"L2Scale{tag}Max"] = np.float32(high)
        attrs["Epsg_Code"] = np.int32(EPSG)
        attrs["Product_ULcorner_easting"], attrs["Product_ULcorner_northing"] = UL
        attrs["Product_LRcorner_easting"] = UL[0] + (cols - 1) * 30.0
        attrs["Product_LRcorner_northing"] = UL[1] - (rows - 1) * 30.0
    return {"VNIR": vnir, "SWIR": swir}


def _expected(cubes, detectors=("VNIR", "SWIR")):
    """(wavelength, fwhm, bad, scale, offset, (rows, cols) DN) of each usable band by
    wavelength (VNIR first where the two overlap)."""
    lists = {"VNIR": (VNIR_CW, VNIR_FWHM, VNIR_FLAGS, SCALES["Vnir"]),
             "SWIR": (SWIR_CW, SWIR_FWHM, SWIR_FLAGS, SCALES["Swir"])}
    bands = []
    for detector in detectors:
        centres, widths, flags, (low, high) = lists[detector]
        for k, centre in enumerate(centres):
            if centre > 0:
                bands.append((float(centre), float(widths[k]), flags[k] == 0,
                              float(np.float32(high) - np.float32(low)) / 65535.0,
                              float(np.float32(low)), cubes[detector][:, k, :]))
    return sorted(bands, key=lambda band: band[0])


def test_vnir_and_swir_by_wavelength_with_scale_and_grid(tmp_path):
    path = str(tmp_path / "PRS_L2D_STD_20240601101010_20240601101014_0001.he5")
    cubes = write_prisma_l2d(path)
    out = str(tmp_path / "prisma.tif")
    messages = []
    result = import_cube(path, out, Placement(), hooks=Hooks(log=messages.append))
    expected = _expected(cubes)
    assert result.shape == (ROWS, COLS, len(expected)) == (ROWS, COLS, 11)
    text = "\n".join(messages)
    assert "as PRISMA stores its cubes" in text and "1 band slots without a wavelength" in text
    assert "VNIR_PIXEL_L2_ERR_MATRIX" in text  # the container's 3-D arrays were listed

    dataset = gdal.Open(out)
    assert dataset.RasterCount == 11
    assert dataset.GetRasterBand(1).DataType == gdal.GDT_UInt16  # DN kept, scale per band
    bands = read_band_info(dataset, out)
    assert [b.wavelength for b in bands] == [e[0] for e in expected]
    assert [b.wavelength for b in bands] == sorted(b.wavelength for b in bands)
    assert [b.fwhm for b in bands] == pytest.approx([e[1] for e in expected])
    assert [b.bad for b in bands] == [e[2] for e in expected]
    assert [b.wavelength for b in bands if b.bad] == [1400.0]
    for band, (_, _, _, scale, offset, dn) in zip(bands, expected):
        assert band.scale == pytest.approx(scale, rel=1e-6)
        assert band.offset == pytest.approx(offset, abs=1e-7)
        assert band.nodata == 0.0
        np.testing.assert_array_equal(dataset.GetRasterBand(band.index).ReadAsArray(), dn)
    # reflectance as the specification defines it, through GDAL's scale and offset
    band = dataset.GetRasterBand(3)  # 550 nm
    reflectance = band.ReadAsArray() * band.GetScale() + band.GetOffset()
    dn = cubes["VNIR"][:, 4, :].astype(np.float64)
    np.testing.assert_allclose(reflectance, 0.0 + dn * (0.8 - 0.0) / 65535, rtol=1e-6)
    # the overlap keeps both detectors' bands: 950 (SWIR) and 980 (VNIR)
    assert [b.description for b in bands if 900 < b.wavelength < 1000] == [
        "PRISMA SWIR 5", "PRISMA VNIR 2"]
    # L2D grid from the corner attributes (pixel centres), EPSG from Epsg_Code
    assert dataset.GetGeoTransform() == pytest.approx(
        (500000.0, 30.0, 0.0, 5000000.0, 0.0, -30.0))
    assert dataset.GetSpatialRef().GetAuthorityCode(None) == str(EPSG)
    assert [b.wavelength for b in result.bands] == [b.wavelength for b in bands]


def test_one_detector_by_name_or_subdataset(tmp_path):
    path = str(tmp_path / "PRS_L2D_STD_x.he5")
    cubes = write_prisma_l2d(path)
    out = str(tmp_path / "vnir.tif")
    import_cube(path, out, Placement(), ReadOptions(variable="VNIR_Cube"))
    dataset = gdal.Open(out)
    assert [b.wavelength for b in read_band_info(dataset)] == [
        e[0] for e in _expected(cubes, ("VNIR",))]
    # GDAL's subdataset string (spaces written as underscores) as the input
    subdataset = f'HDF5:"{path}"://HDFEOS/SWATHS/PRS_L2D_HCO/Data_Fields/SWIR_Cube'
    out = str(tmp_path / "swir.tif")
    result = import_cube(subdataset, out, Placement())
    assert result.shape == (ROWS, COLS, 5)
    dataset = gdal.Open(out)
    expected = _expected(cubes, ("SWIR",))
    for band, (*_, dn) in zip(read_band_info(dataset), expected):
        np.testing.assert_array_equal(dataset.GetRasterBand(band.index).ReadAsArray(), dn)


def test_other_arrays_need_their_axis_order(tmp_path):
    """The error matrix has PRISMA's layout but no wavelength list: its middle axis is the
    smallest, which auto does not guess."""
    path = str(tmp_path / "PRS_L2D_STD_x.he5")
    write_prisma_l2d(path)
    out = str(tmp_path / "err.tif")
    with pytest.raises(CrnnError, match="Set AXIS_ORDER.*rows_bands_cols"):
        import_cube(path, out, Placement(), ReadOptions(variable="VNIR_PIXEL_L2_ERR_MATRIX"))
    assert not os.path.exists(out)
    result = import_cube(path, out, Placement(),
                         ReadOptions(variable="VNIR_PIXEL_L2_ERR_MATRIX",
                                     axis_order="rows,bands,cols"))
    assert result.shape == (ROWS, COLS, VNIR_CW.size)
    assert result.bands == []


def test_band_count_that_disagrees_with_the_wavelength_list_is_refused(tmp_path):
    path = str(tmp_path / "PRS_L2D_STD_bad.he5")
    write_prisma_l2d(path)
    with h5py.File(path, "a") as f:
        f.attrs["List_Cw_Vnir"] = np.array([700.0, 600.0, 500.0], np.float32)
    out = str(tmp_path / "bad.tif")
    with pytest.raises(CrnnError, match="List_Cw_Vnir lists 3 wavelengths|Set AXIS_ORDER"):
        import_cube(path, out, Placement())
    assert not os.path.exists(out)
