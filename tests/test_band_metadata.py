"""Band metadata (models/rasters/bands.py) on small files laid out as the products'
specifications say.

The documents followed, named again in each test:

- ENVI header: "ENVI Header Files" (NV5 Geospatial / L3Harris ENVI documentation): the
  fields ``wavelength``, ``wavelength units`` (Micrometers, um, Nanometers, nm, ...,
  Wavenumber, Angstroms, GHz, MHz, Index, Unknown), ``fwhm`` (in the wavelength's units),
  ``bbl`` (0 bad, 1 good), ``reflectance scale factor`` (the value that, divided into the
  data, scales it to 0-1 reflectance), ``data gain values`` / ``data offset values``,
  ``data ignore value``, ``band names``; "ENVI Image Files" for the BSQ, BIL and BIP
  layouts of the raw binary file (byte order 0 = little endian).
- GDAL's ENVI driver (frmts/raw/envidataset.cpp, gcore ENVI header code): band items
  ``wavelength`` / ``wavelength_units``, descriptions "name (value units)", the IMAGERY
  items ``CENTRAL_WAVELENGTH_UM`` / ``FWHM_UM`` (GDAL 3.10+), ``good_band``.
- EnMAP-Box (enmapboxprocessing/rasterwriter.py): band items ``wavelength``,
  ``wavelength_units``, ``fwhm``, ``bbl`` in the default domain, GDAL scale and offset.
- EnMAP L2A: ``<name>-SPECTRAL_IMAGE.TIF`` beside ``<name>-METADATA.XML`` whose root
  ``level_X`` holds ``specific/bandCharacterisation/bandID number=".."`` with
  ``wavelengthCenterOfBand``, ``FWHMOfBand``, ``GainOfBand``, ``OffsetOfBand`` (as DLR's
  products are read by EnMAP-Box's importenmapl2aalgorithm.py and written by EnPT).
- DESIS L2A: ``<name>-SPECTRAL_IMAGE.TIF`` with an ENVI-style ``-SPECTRAL_IMAGE.hdr``
  holding wavelength, fwhm and data gain / offset values (EnMAP-Box's
  importdesisl2aalgorithm.py).

Every expected value below is worked out by hand from the numbers written.
"""

from __future__ import annotations

import numpy as np
import pytest
from osgeo import gdal

from hyperspectral_crnn.models.rasters import bands as bandmeta
from hyperspectral_crnn.models.rasters.bands import (
    BandInfo,
    envi_list,
    fwhm_to_nanometres,
    read_band_info,
    read_enmap_bands,
    to_nanometres,
    wavelength_from_description,
    write_band_metadata,
)
from hyperspectral_crnn.models.rasters.raster import SpectralRaster

gdal.UseExceptions()

ROWS, COLS, BANDS = 2, 3, 3
# cube[b, r, c] = 100 * (b + 1) + 10 * r + c: each value names its band, row and column
CUBE = np.array([[[100 * (b + 1) + 10 * r + c for c in range(COLS)] for r in range(ROWS)]
                 for b in range(BANDS)], dtype=np.int16)


def _write_envi(folder, name, header_fields, interleave="bsq", cube=CUBE, data_type=2):
    """A raw binary file + .hdr as the ENVI documentation lays them out."""
    bands, rows, cols = cube.shape
    if interleave == "bsq":  # band, line, sample
        raw = cube
    elif interleave == "bil":  # line, band, sample
        raw = cube.transpose(1, 0, 2)
    else:  # bip: line, sample, band
        raw = cube.transpose(1, 2, 0)
    dtype = {2: "<i2", 4: "<f4", 12: "<u2"}[data_type]
    path = folder / f"{name}.{interleave}"
    np.ascontiguousarray(raw).astype(dtype).tofile(path)
    lines = ["ENVI", f"samples = {cols}", f"lines = {rows}", f"bands = {bands}",
             "header offset = 0", "file type = ENVI Standard", f"data type = {data_type}",
             f"interleave = {interleave}", "byte order = 0", *header_fields]
    (folder / f"{name}.hdr").write_text("\n".join(lines) + "\n")
    return str(path)


def _info(path):
    dataset = gdal.Open(path)
    try:
        return read_band_info(dataset, path)
    finally:
        dataset = None


def _write_tiff(path, cube=CUBE, data_type=gdal.GDT_Int16):
    bands, rows, cols = cube.shape
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands, data_type)
    for b in range(bands):
        dataset.GetRasterBand(b + 1).WriteArray(cube[b])
    return dataset


# --- ENVI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("interleave", ["bsq", "bil", "bip"])
def test_envi_interleaves_are_read_as_the_same_cube(tmp_path, interleave):
    """ENVI Image Files: BSQ is band/line/sample, BIL line/band/sample, BIP
    line/sample/band; all three must give back the cube written."""
    path = _write_envi(tmp_path, "cube", ["wavelength units = Nanometers",
                                          "wavelength = {450, 550, 650}"], interleave)
    raster = SpectralRaster(path)
    values, valid = raster.read(0, 0, COLS, ROWS)
    assert values.shape == (ROWS, COLS, BANDS) and valid.all()
    assert values[1, 2].tolist() == [112, 212, 312]  # row 1, column 2 of bands 1..3
    assert values[0, 0].tolist() == [100, 200, 300]
    assert [b.wavelength for b in raster.all_bands] == [450.0, 550.0, 650.0]


@pytest.mark.parametrize("interleave", ["bsq", "bil", "bip"])
def test_envi_header_in_micrometres_with_fwhm_bbl_and_reflectance_scale(tmp_path, interleave):
    """ENVI Header Files: wavelength and fwhm in Micrometers (fwhm in the wavelength's
    units), bbl 0 = bad, reflectance scale factor divides the data, data ignore value."""
    path = _write_envi(tmp_path, "refl", [
        "wavelength units = Micrometers",
        "wavelength = { 0.4835, 0.5512,",  # a list over two lines, as ENVI writes them
        "  1.3805}",
        "fwhm = {0.0101, 0.0102, 0.0115}",
        "bbl = {1, 1, 0}",
        "reflectance scale factor = 10000",
        "data ignore value = -9999",
        "band names = {blue, green, water}",
    ], interleave)
    info = _info(path)
    assert [b.wavelength for b in info] == pytest.approx([483.5, 551.2, 1380.5])
    assert [b.fwhm for b in info] == pytest.approx([10.1, 10.2, 11.5])
    assert [b.bad for b in info] == [False, False, True]
    assert [b.scale for b in info] == pytest.approx([1e-4] * 3)
    assert [b.offset for b in info] == [0.0] * 3
    assert [b.nodata for b in info] == [-9999.0] * 3
    assert info[0].label() == "band 1 (483.5 nm)"


def test_envi_header_in_nanometres_with_gains_and_offsets(tmp_path):
    """ENVI Header Files: data gain values and data offset values, one per band
    (physical = raw * gain + offset); wavelength units nm."""
    path = _write_envi(tmp_path, "rad", [
        "wavelength units = nm",
        "wavelength = {400.5, 500.25, 2400}",
        "fwhm = {5, 6, 7.5}",
        "data gain values = {0.01, 0.02, 0.5}",
        "data offset values = {1, -2, 0.25}",
    ])
    info = _info(path)
    assert [b.wavelength for b in info] == [400.5, 500.25, 2400.0]
    assert [b.fwhm for b in info] == [5.0, 6.0, 7.5]
    assert [b.scale for b in info] == pytest.approx([0.01, 0.02, 0.5])
    assert [b.offset for b in info] == pytest.approx([1.0, -2.0, 0.25])
    assert not any(b.bad for b in info)
    # band 3, row 1, column 0: raw 310 -> 310 * 0.5 + 0.25 = 155.25
    values, valid = SpectralRaster(path).read(0, 1, 1, 1)
    assert values[0, 0].tolist() == pytest.approx([110 * 0.01 + 1, 210 * 0.02 - 2, 155.25])


def test_envi_gains_and_reflectance_scale_together(tmp_path):
    """ENVI Header Files: gains make radiance-like values, the reflectance scale factor
    is then divided into them: (raw * gain + offset) / factor."""
    path = _write_envi(tmp_path, "both", [
        "data gain values = {2, 2, 2}", "data offset values = {100, 100, 100}",
        "reflectance scale factor = 1000"])
    info = _info(path)
    assert [b.scale for b in info] == pytest.approx([0.002] * 3)
    assert [b.offset for b in info] == pytest.approx([0.1] * 3)
    assert all(b.wavelength is None for b in info)


@pytest.mark.parametrize("units, values, expected", [
    ("Unknown", "0.45, 0.55, 0.65", [450.0, 550.0, 650.0]),  # under 100: micrometres
    ("Unknown", "450, 550, 650", [450.0, 550.0, 650.0]),
    (None, "0.45, 0.55, 0.65", [450.0, 550.0, 650.0]),
    ("Index", "1, 2, 3", [None, None, None]),  # band numbers, no wavelengths
    ("GHz", "1, 2, 3", [None, None, None]),
    ("Wavenumber", "20000, 10000, 5000", [500.0, 1000.0, 2000.0]),
    ("Millimeters", "0.0005, 0.001, 0.002", [500.0, 1000.0, 2000.0]),
])
def test_envi_wavelength_units(tmp_path, units, values, expected):
    """ENVI Header Files: the wavelength units ENVI knows; Index means band numbers."""
    fields = [f"wavelength = {{{values}}}"]
    if units:
        fields.insert(0, f"wavelength units = {units}")
    info = _info(_write_envi(tmp_path, "units", fields))
    got = [b.wavelength for b in info]
    assert [g is None for g in got] == [e is None for e in expected]
    assert [g for g in got if g is not None] == pytest.approx([e for e in expected if e])


def test_envi_lists_of_the_wrong_length_are_ignored(tmp_path):
    """ENVI Header Files: each list has one value per band. GDAL still copies a short
    wavelength list onto the first bands (items and descriptions); none of it is used."""
    path = _write_envi(tmp_path, "short", [
        "wavelength units = Nanometers",
        "wavelength = {450, 550}",
        "fwhm = {10, 10, 10, 10}",
        "bbl = {0, 0}",
        "data gain values = {2, 2}",
    ])
    dataset = gdal.Open(path)
    assert dataset.GetRasterBand(1).GetMetadataItem("wavelength") == "450"  # GDAL's copy
    info = read_band_info(dataset, path)
    dataset = None
    assert [b.wavelength for b in info] == [None, None, None]
    assert [b.fwhm for b in info] == [None, None, None]
    assert [b.bad for b in info] == [False, False, False]
    assert [b.scale for b in info] == [1.0, 1.0, 1.0]


# --- GeoTIFFs -----------------------------------------------------------------------------


def test_geotiff_with_enmap_box_band_metadata(tmp_path):
    """EnMAP-Box RasterWriter: band items wavelength, wavelength_units, fwhm, bbl in the
    default domain; GDAL scale and offset; the band name "band N (W Nanometers)"."""
    path = tmp_path / "enmapbox.tif"
    dataset = _write_tiff(path)
    written = [(483.5, 10.1, 1), (551.2, 10.2, 1), (1.3805, 0.0115, 0)]
    for b, (wavelength, fwhm, bbl) in enumerate(written, start=1):
        band = dataset.GetRasterBand(b)
        units = "Micrometers" if b == 3 else "Nanometers"  # units are per band
        band.SetMetadataItem("wavelength", str(wavelength))
        band.SetMetadataItem("wavelength_units", units)
        band.SetMetadataItem("fwhm", str(fwhm))
        band.SetMetadataItem("bbl", str(bbl))
        band.SetDescription(f"band {b} ({wavelength} {units})")
        band.SetScale(0.0001)
        band.SetOffset(0.5)
    dataset = None
    info = _info(str(path))
    assert [b.wavelength for b in info] == pytest.approx([483.5, 551.2, 1380.5])
    assert [b.fwhm for b in info] == pytest.approx([10.1, 10.2, 11.5])
    assert [b.bad for b in info] == [False, False, True]
    assert [(b.scale, b.offset) for b in info] == [(0.0001, 0.5)] * 3


def test_geotiff_with_imagery_domain_only(tmp_path):
    """GDAL 3.10+ IMAGERY domain: CENTRAL_WAVELENGTH_UM and FWHM_UM in micrometres."""
    path = tmp_path / "imagery.tif"
    dataset = _write_tiff(path)
    for b, (centre, fwhm) in enumerate([("0.4835", "0.0101"), ("0.5512", "0.0102"),
                                        ("2.2", "0.012")], start=1):
        dataset.GetRasterBand(b).SetMetadataItem("CENTRAL_WAVELENGTH_UM", centre, "IMAGERY")
        dataset.GetRasterBand(b).SetMetadataItem("FWHM_UM", fwhm, "IMAGERY")
    dataset = None
    info = _info(str(path))
    assert [b.wavelength for b in info] == pytest.approx([483.5, 551.2, 2200.0])
    assert [b.fwhm for b in info] == pytest.approx([10.1, 10.2, 12.0])


def test_geotiff_with_gdal_good_band_items(tmp_path):
    """GDAL's ENVI driver (newer versions) writes good_band=true/false per band, which
    gdal_translate carries into a GeoTIFF; a band-level bbl would win over it."""
    path = tmp_path / "goodband.tif"
    dataset = _write_tiff(path)
    dataset.GetRasterBand(1).SetMetadataItem("good_band", "true")
    dataset.GetRasterBand(2).SetMetadataItem("good_band", "false")
    dataset.GetRasterBand(3).SetMetadataItem("good_band", "false")
    dataset.GetRasterBand(3).SetMetadataItem("bbl", "1")
    dataset = None
    assert [b.bad for b in _info(str(path))] == [False, True, False]


def test_descriptions_only(tmp_path):
    """GDAL's ENVI driver names a band "name (value units)"; EnMAP-Box "band N (W
    Nanometers)"; other tools "483.5 nm". A description without units says nothing."""
    path = tmp_path / "described.tif"
    cube = np.zeros((4, 1, 1), np.int16)
    dataset = _write_tiff(path, cube)
    for b, text in enumerate(["Band 12 (483.5 Nanometers)", "551.2 nm", "b3 (1.3805 Micrometers)",
                              "Band 4"], start=1):
        dataset.GetRasterBand(b).SetDescription(text)
    dataset = None
    info = _info(str(path))
    assert [b.wavelength for b in info[:3]] == pytest.approx([483.5, 551.2, 1380.5])
    assert info[3].wavelength is None


# --- EnMAP L2A and DESIS L2A --------------------------------------------------------------

ENMAP_NAME = "ENMAP01-____L2A-DT0000001867_20220724T104526Z_008_V010302_20230628T165614Z"


def _enmap_xml(bands):
    """METADATA.XML as the EnMAP L2A product has it: root level_X, band characterisation
    under specific/, and band statistics (also bandID elements) under product/."""
    characterisation = "".join(
        f'<bandID number="{n}"><wavelengthCenterOfBand>{w}</wavelengthCenterOfBand>'
        f"<FWHMOfBand>{f}</FWHMOfBand><GainOfBand>{g}</GainOfBand>"
        f"<OffsetOfBand>{o}</OffsetOfBand></bandID>" for n, w, f, g, o in bands)
    statistics = "".join(f'<bandID number="{n}"><mean>0.1</mean><stdDeviation>0.01'
                         "</stdDeviation></bandID>" for n, *_ in bands)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<level_X><specific><code>L2A</code>'
            f"<bandCharacterisation>{characterisation}</bandCharacterisation></specific>"
            f"<product><bandStatistics>{statistics}</bandStatistics></product></level_X>")


ENMAP_BANDS = [(1, 418.416, 6.99561, 0.0001, 0.0), (2, 423.875, 7.0, 0.0001, 0.0),
               (3, 2445.53, 7.5, 0.0002, 0.01)]


def _write_enmap(folder, bands=ENMAP_BANDS):
    image = folder / f"{ENMAP_NAME}-SPECTRAL_IMAGE.TIF"
    cube = CUBE.copy()
    cube[:, 0, 0] = -32768  # the L2A no-data value in every band
    dataset = _write_tiff(image, cube)
    for b in range(1, BANDS + 1):
        dataset.GetRasterBand(b).SetNoDataValue(-32768)
    dataset = None
    (folder / f"{ENMAP_NAME}-METADATA.XML").write_text(_enmap_xml(bands))
    return str(image)


def test_enmap_l2a_metadata_xml(tmp_path):
    """EnMAP L2A: SPECTRAL_IMAGE GeoTIFF (Int16, nodata -32768) + METADATA.XML with
    wavelengthCenterOfBand, FWHMOfBand, GainOfBand, OffsetOfBand per bandID."""
    image = _write_enmap(tmp_path)
    assert bandmeta.enmap_metadata_path(image) == str(
        tmp_path / f"{ENMAP_NAME}-METADATA.XML")
    info = _info(image)
    assert [b.wavelength for b in info] == [418.416, 423.875, 2445.53]
    assert [b.fwhm for b in info] == [6.99561, 7.0, 7.5]
    assert [(b.scale, b.offset) for b in info] == [(0.0001, 0.0), (0.0001, 0.0), (0.0002, 0.01)]
    # the bandStatistics bandIDs are not taken for bands
    assert sorted(read_enmap_bands(str(tmp_path / f"{ENMAP_NAME}-METADATA.XML"))) == [1, 2, 3]
    values, valid = SpectralRaster(image).read(0, 0, COLS, ROWS)
    assert valid.tolist() == [[False, True, True], [True, True, True]]
    # row 1, column 2: DN 112, 212, 312 -> 0.0112, 0.0212, 312 * 0.0002 + 0.01 = 0.0724
    assert values[1, 2].tolist() == pytest.approx([0.0112, 0.0212, 0.0724], abs=1e-7)


def test_enmap_xml_of_other_bands_is_not_used(tmp_path):
    """An XML that does not list exactly this image's bands (an L1B half, a subset) is
    left alone rather than misapplied."""
    image = _write_enmap(tmp_path, ENMAP_BANDS[:2])
    info = _info(image)
    assert [b.wavelength for b in info] == [None, None, None]
    assert [b.scale for b in info] == [1.0, 1.0, 1.0]


def test_desis_l2a_header_beside_the_geotiff(tmp_path):
    """DESIS L2A: the GeoTIFF's wavelengths, fwhm and gains are in an ENVI-style
    -SPECTRAL_IMAGE.hdr beside it, which GDAL's GeoTIFF driver does not read."""
    name = "DESIS-HSI-L2A-DT1203190212_025-20191203T021128-V0210-SPECTRAL_IMAGE"
    _write_tiff(tmp_path / f"{name}.TIF")  # closed as soon as it is dropped
    (tmp_path / f"{name}.hdr").write_text(
        "ENVI\nbands = 3\nwavelength = {\n 401.9, 404.45,\n 998.1}\n"
        "fwhm = {3.5, 3.5, 3.6}\ndata gain values = {1e-4, 1e-4, 1e-4}\n"
        "data offset values = {0, 0, 0.5}\n")
    info = _info(str(tmp_path / f"{name}.TIF"))
    assert [b.wavelength for b in info] == [401.9, 404.45, 998.1]  # over 100: nanometres
    assert [b.fwhm for b in info] == [3.5, 3.5, 3.6]
    assert [(b.scale, b.offset) for b in info] == [(1e-4, 0.0), (1e-4, 0.0), (1e-4, 0.5)]


# --- writing, units, the reader ----------------------------------------------------------


def test_write_band_metadata_round_trip(tmp_path):
    """What the plugin writes is read back the same, by this module and as EnMAP-Box
    (band items in nm) and GDAL 3.10 (IMAGERY, micrometres) read it."""
    path = tmp_path / "written.tif"
    written = [BandInfo(1, wavelength=483.5, fwhm=10.1, scale=0.0001, offset=0.5),
               BandInfo(2, wavelength=1380.5, fwhm=11.5, bad=True, description="water"),
               BandInfo(3)]
    dataset = _write_tiff(path)
    write_band_metadata(dataset, written)
    dataset = None
    dataset = gdal.Open(str(path))
    band = dataset.GetRasterBand(1)
    assert band.GetMetadataItem("wavelength") == "483.5"
    assert band.GetMetadataItem("wavelength_units") == "Nanometers"
    assert band.GetMetadataItem("CENTRAL_WAVELENGTH_UM", "IMAGERY") == "0.4835"
    assert band.GetMetadataItem("FWHM_UM", "IMAGERY") == "0.0101"
    assert band.GetDescription() == "483.5 nm"
    assert dataset.GetRasterBand(2).GetMetadataItem("bbl") == "0"
    info = read_band_info(dataset, str(path))
    dataset = None
    for got, want in zip(info, written):
        assert (got.wavelength, got.fwhm, got.bad, got.scale, got.offset) == (
            want.wavelength, want.fwhm, want.bad, want.scale, want.offset)
    assert info[1].description == "water"


def test_unit_conversions():
    """ENVI wavelength units to nanometres; wavenumbers nm = 1e7 / cm-1."""
    assert to_nanometres(0.4835, "Micrometers") == pytest.approx(483.5)
    assert to_nanometres(0.4835, "um") == pytest.approx(483.5)
    assert to_nanometres(0.4835, "\u00b5m") == pytest.approx(483.5)
    assert to_nanometres(483.5, "Nanometers") == 483.5
    assert to_nanometres(5e-5, "Centimeters") == pytest.approx(500.0)
    assert to_nanometres(5000, "Angstroms") == pytest.approx(500.0)
    assert to_nanometres(4e-7, "m") == pytest.approx(400.0)
    assert to_nanometres(20000, "Wavenumber") == pytest.approx(500.0)
    assert to_nanometres(4000, "cm-1") == pytest.approx(2500.0)
    assert to_nanometres(0.45, None) == pytest.approx(450.0)  # under 100: micrometres
    assert to_nanometres(99.0, "Unknown") == pytest.approx(99000.0)
    assert to_nanometres(450.0, "") == 450.0
    for units in ("Index", "GHz", "MHz", "parsecs"):
        assert to_nanometres(3.0, units) is None
    for value in (0.0, -1.0, float("nan"), float("inf"), None):
        assert to_nanometres(value, "nm") is None


def test_fwhm_conversions():
    """The FWHM is in the wavelength's units (ENVI Header Files); in wavenumbers a band
    of centre 10000 cm-1 and width 100 cm-1 spans 1e7/10050 .. 1e7/9950 nm."""
    assert fwhm_to_nanometres(0.0101, 0.4835, "Micrometers") == pytest.approx(10.1)
    assert fwhm_to_nanometres(10.1, 483.5, "nm") == pytest.approx(10.1)
    # 1e7 / 9950 - 1e7 / 10050 = 1e7 * 100 / (9950 * 10050) = 1e9 / 99997500
    assert fwhm_to_nanometres(100, 10000, "Wavenumber") == pytest.approx(1e9 / 99997500)
    assert fwhm_to_nanometres(100, None, "Wavenumber") is None
    # no units: the centre decides, so a 0.8 nm band at 500 nm stays 0.8 nm
    assert fwhm_to_nanometres(0.8, 500.0, None) == pytest.approx(0.8)
    assert fwhm_to_nanometres(0.01, 0.5, None) == pytest.approx(10.0)
    assert fwhm_to_nanometres(0.01, None, "Unknown") == pytest.approx(10.0)
    assert fwhm_to_nanometres(5, 3, "Index") is None


def test_descriptions_and_lists():
    assert wavelength_from_description("Band 12 (483.5 Nanometers)") == 483.5
    assert wavelength_from_description("blue (0.4835 Micrometers)") == pytest.approx(483.5)
    assert wavelength_from_description("483.5nm") == 483.5
    assert wavelength_from_description("Band 12") is None
    assert wavelength_from_description("") is None
    assert envi_list("{ 0.4835, 0.5 ,1.4}") == ["0.4835", "0.5", "1.4"]
    assert envi_list("1, 2") == ["1", "2"]
    assert envi_list(None) == []


def test_spectral_raster_reads_physical_values_with_nodata_on_raw_values(tmp_path):
    """SpectralRaster.read: raw * scale + offset per band; a pixel is invalid where a
    band holds its nodata value as stored (raw), not where the scaled value equals it."""
    path = tmp_path / "scaled.tif"
    cube = np.array([[[0, 20], [40, 60]], [[10, 0], [30, 50]]], np.int16)  # 2 bands, 2x2
    dataset = _write_tiff(path, cube)
    for b, (scale, offset) in enumerate([(0.5, 10.0), (2.0, -5.0)], start=1):
        band = dataset.GetRasterBand(b)
        band.SetScale(scale)
        band.SetOffset(offset)
        band.SetNoDataValue(0)
    dataset = None
    values, valid = SpectralRaster(str(path)).read(0, 0, 2, 2)
    # band 1 raw 0 (nodata) at (0, 0), band 2 raw 0 (nodata) at (0, 1)
    assert valid.tolist() == [[False, False], [True, True]]
    # (1, 0): 40 * 0.5 + 10 = 30, 30 * 2 - 5 = 55; (1, 1): 60 * 0.5 + 10 = 40, 50 * 2 - 5 = 95
    assert values[1].tolist() == [[30.0, 55.0], [40.0, 95.0]]
    # band 1 at (0, 1): 20 * 0.5 + 10 = 20 (the pixel is invalid because of band 2 only)
    assert values[0, 1, 0] == 20.0
    raw, _ = SpectralRaster(str(path), physical=False).read(0, 0, 2, 2)
    assert raw[1].tolist() == [[40.0, 30.0], [60.0, 50.0]]
