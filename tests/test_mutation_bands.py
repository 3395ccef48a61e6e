"""models/rasters/bands.py against references written out here from the specifications,
not from the module (``make mutation``'s bands target):

- SI: a table of the length units an ENVI header may name (ENVI Header Files:
  Micrometers, um, Nanometers, nm, Millimeters, mm, Centimeters, cm, Meters, m,
  Angstroms; their common spellings) and their factor to nanometres; wavenumbers in
  cm^-1: nm = 1e7 / value; a band of centre c and width f in cm^-1 spans
  1e7 / (c + f/2) .. 1e7 / (c - f/2) nm, i.e. a width of 1e7 * f / (c^2 - f^2 / 4) nm.
- The module's stated guess for values without units: under 100 micrometres, else
  nanometres (for a FWHM the band's centre decides; with no centre a FWHM under 1 is
  taken as micrometres).
- ENVI Header Files: the first line is ``ENVI``; ``name = value`` fields, ``{a, b}``
  lists that may span lines, ``;`` comment lines; ``bbl`` 0 bad, 1 good; ``reflectance
  scale factor`` divided into the data; one list item per band.
- EnMAP L2A METADATA.XML (``specific/bandCharacterisation/bandID number=..`` with
  ``wavelengthCenterOfBand``, ``FWHMOfBand``, ``GainOfBand``, ``OffsetOfBand``).
- GDAL: band scale and offset, the ``IMAGERY`` domain in micrometres.

Small files are built in tmp_path with GDAL or as plain text; nothing is mocked.

Survivors left untested as equivalent (original -> mutant: reason):
- ``if reflectance_scale and reflectance_scale != 1.0`` -> ``... != 0.0``: the ``and``
  already excludes 0, and the one value the mutant adds (1.0) divides by 1, which
  changes no float.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from osgeo import gdal

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.rasters import bands as bandmeta
from hyperspectral_crnn.models.rasters.bands import (
    BandInfo,
    envi_list,
    fwhm_to_nanometres,
    read_band_info,
    read_enmap_bands,
    read_envi_header,
    to_nanometres,
    write_band_metadata,
)

gdal.UseExceptions()

# --- references -------------------------------------------------------------------------

# SI: 1 nm = 1e-9 m; 1 um = 1e-6 m; 1 mm = 1e-3 m; 1 cm = 1e-2 m; 1 angstrom = 1e-10 m.
NM_PER = {"nm": 1.0, "um": 1e3, "mm": 1e6, "cm": 1e7, "m": 1e9, "angstrom": 0.1}
SPELLINGS = {
    "nm": ["nm", "nanometer", "nanometers", "nanometre", "nanometres"],
    "um": ["um", "micrometer", "micrometers", "micrometre", "micrometres", "micron",
           "microns", "\u00b5m", "\u03bcm", "mum"],  # micro sign, Greek mu, "mu" + m
    "mm": ["mm", "millimeter", "millimeters", "millimetre", "millimetres"],
    "cm": ["cm", "centimeter", "centimeters", "centimetre", "centimetres"],
    "m": ["m", "meter", "meters", "metre", "metres"],
    "angstrom": ["angstrom", "angstroms"],
}
REFERENCE_FACTORS = {name: NM_PER[unit] for unit, names in SPELLINGS.items()
                     for name in names}
WAVENUMBER_SPELLINGS = {"wavenumber", "wavenumbers", "cm-1", "cm^-1", "1/cm", "cm**-1"}
NOT_LENGTHS = ["Index", "GHz", "MHz", "parsecs", "nmm", "micro", "kg"]


def plain_wavenumber_width(fwhm, centre):
    """The band [c - f/2, c + f/2] cm^-1 as nanometres: 1e7 / (c - f/2) - 1e7 / (c + f/2),
    written over one denominator."""
    return 1e7 * fwhm / (centre * centre - fwhm * fwhm / 4)


def envi_key(name):
    """GDAL's ENVI domain: field names lower case, spaces as underscores."""
    return name.strip().lower().replace(" ", "_")


def _tiff(path, bands=3, rows=1, cols=1):
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands, gdal.GDT_Int16)
    for b in range(1, bands + 1):
        dataset.GetRasterBand(b).WriteArray(np.full((rows, cols), b, np.int16))
    return dataset


def _envi(folder, name, bands, fields):
    """A 1x1 BSQ Int16 image + .hdr (ENVI Header Files / ENVI Image Files)."""
    path = folder / f"{name}.bsq"
    np.arange(bands, dtype="<i2").tofile(path)
    lines = ["ENVI", "samples = 1", "lines = 1", f"bands = {bands}", "header offset = 0",
             "file type = ENVI Standard", "data type = 2", "interleave = bsq",
             "byte order = 0", *fields]
    (folder / f"{name}.hdr").write_text("\n".join(lines) + "\n")
    return str(path)


def _read(path, with_path=True):
    dataset = gdal.Open(str(path))
    try:
        return read_band_info(dataset, str(path) if with_path else "")
    finally:
        dataset = None


def _beside(folder, name, header_lines, bands=3, prepare=None):
    """A GeoTIFF with a hand-written ENVI header beside it (the DESIS L2A layout), which
    only this module reads (GDAL's GeoTIFF driver does not)."""
    image = folder / f"{name}.tif"
    dataset = _tiff(image, bands)
    if prepare is not None:
        prepare(dataset)
    dataset = None
    (folder / f"{name}.hdr").write_text("\n".join(["ENVI", *header_lines]) + "\n")
    return _read(image)


# --- BandInfo ---------------------------------------------------------------------------


def test_band_info_is_frozen():
    info = BandInfo(1, wavelength=500.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.wavelength = 600.0


def test_band_info_defaults():
    info = BandInfo(7)
    assert (info.index, info.wavelength, info.fwhm, info.bad, info.scale, info.offset,
            info.nodata, info.description) == (7, None, None, False, 1.0, 0.0, None, "")
    assert info.bad is False and not info.scaled
    assert info.label() == "band 7"


@pytest.mark.parametrize("scale, offset, scaled", [
    (1.0, 0.0, False), (2.0, 0.0, True), (0.5, 0.0, True), (-1.0, 0.0, True),
    (1.0, 0.25, True), (1.0, -0.25, True), (2.0, 0.25, True), (0.5, -0.25, True),
])
def test_scaled_is_true_exactly_when_scale_or_offset_is_not_the_identity(scale, offset,
                                                                        scaled):
    assert BandInfo(1, scale=scale, offset=offset).scaled is scaled


# --- units ------------------------------------------------------------------------------


def test_the_modules_unit_spellings_are_all_in_the_reference():
    assert set(bandmeta._UNIT_FACTORS) <= set(REFERENCE_FACTORS)
    assert set(bandmeta._WAVENUMBER_UNITS) <= WAVENUMBER_SPELLINGS


@pytest.mark.parametrize("name", sorted(set(bandmeta._UNIT_FACTORS) | set(REFERENCE_FACTORS)))
def test_every_length_unit_spelling_converts_by_its_si_factor(name):
    assert name in REFERENCE_FACTORS, f"{name!r} is not in the SI reference table"
    factor = REFERENCE_FACTORS[name]
    for value in (1.0, 0.5, 250.0):
        assert to_nanometres(value, name) == pytest.approx(value * factor, rel=1e-12)
        # a FWHM in the wavelengths' units, whatever the centre
        assert fwhm_to_nanometres(value, 3.0, name) == pytest.approx(value * factor, rel=1e-12)
        assert fwhm_to_nanometres(value, None, name) == pytest.approx(value * factor,
                                                                      rel=1e-12)
    if name.isascii():  # ENVI writes "Micrometers", others "UM": any case, any padding
        for spelling in (name.upper(), name.title(), f"  {name} "):
            assert to_nanometres(2.0, spelling) == pytest.approx(2.0 * factor, rel=1e-12)


@pytest.mark.parametrize("name", sorted(WAVENUMBER_SPELLINGS | set(bandmeta._WAVENUMBER_UNITS)))
def test_every_wavenumber_spelling_converts_as_1e7_over_the_value(name):
    assert name in WAVENUMBER_SPELLINGS
    for value in (20000.0, 3000.0, 7.0):  # 1e7 / 3000 is not a whole number
        assert to_nanometres(value, name) == pytest.approx(1e7 / value, rel=1e-12)
    assert to_nanometres(4000.0, name.upper()) == pytest.approx(2500.0, rel=1e-12)


@pytest.mark.parametrize("units", NOT_LENGTHS)
def test_units_that_are_not_lengths_give_nothing(units):
    assert to_nanometres(3.0, units) is None
    assert fwhm_to_nanometres(0.5, 3.0, units) is None


@pytest.mark.parametrize("value, nm", [
    (0.4, 400.0), (99.0, 99000.0), (99.5, 99500.0), (99.9, 99900.0),  # micrometres
    (100.0, 100.0), (100.1, 100.1), (100.5, 100.5), (101.0, 101.0), (450.0, 450.0),
])
@pytest.mark.parametrize("units", [None, "", "Unknown", " NONE "])
def test_values_without_units_under_100_are_micrometres(value, nm, units):
    assert to_nanometres(value, units) == pytest.approx(nm, rel=1e-12)


@pytest.mark.parametrize("value", [0.0, -0.0, -1.0, -500.0, math.nan, math.inf, -math.inf,
                                   None])
@pytest.mark.parametrize("units", ["nm", "um", "Wavenumber", None])
def test_no_wavelength_from_values_that_are_not_positive_and_finite(value, units):
    assert to_nanometres(value, units) is None


_LENGTH_UNIT = st.sampled_from(sorted(REFERENCE_FACTORS))
_POSITIVE = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(value=_POSITIVE, unit=_LENGTH_UNIT)
def test_length_units_are_linear_and_round_trip(value, unit):
    nm = to_nanometres(value, unit)
    assert nm == pytest.approx(value * REFERENCE_FACTORS[unit], rel=1e-12)
    # back to the unit and into nanometres again: the same value
    assert to_nanometres(nm / REFERENCE_FACTORS[unit], unit) == pytest.approx(nm, rel=1e-12)
    assert to_nanometres(nm, "nm") == nm


@settings(max_examples=150, deadline=None)
@given(value=_POSITIVE, unit=st.sampled_from(sorted(WAVENUMBER_SPELLINGS)))
def test_wavenumbers_round_trip(value, unit):
    nm = to_nanometres(value, unit)
    assert nm == pytest.approx(1e7 / value, rel=1e-12)
    assert to_nanometres(nm, unit) == pytest.approx(value, rel=1e-12)  # 1e7 / (1e7 / v)


@settings(max_examples=150, deadline=None)
@given(value=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False))
def test_unitless_values_follow_the_100_rule(value):
    expected = value * 1000.0 if value < 100 else value
    assert to_nanometres(value, None) == pytest.approx(expected, rel=1e-12)
    assert to_nanometres(value, "Unknown") == pytest.approx(expected, rel=1e-12)


# --- FWHM -------------------------------------------------------------------------------


@pytest.mark.parametrize("fwhm", [0.0, -0.0, -0.5, -1.0, -2.0, math.nan, math.inf, -math.inf,
                                  None])
@pytest.mark.parametrize("units", ["nm", "um", "Wavenumber", None, "Unknown"])
def test_fwhm_refused_where_not_positive_and_finite(fwhm, units):
    assert fwhm_to_nanometres(fwhm, 10000.0, units) is None
    assert fwhm_to_nanometres(fwhm, None, units) is None


@pytest.mark.parametrize("fwhm, centre", [
    (100.0, 10000.0), (101.0, 10000.0), (100.5, 10000.0), (3.0, 10.0), (7.0, 5000.0),
    (100.0, 51.0), (100.0, 60.0), (100.0, 99.0), (100.0, 200.0), (2.0, 1.5), (3.0, 1.6),
])
def test_fwhm_in_wavenumbers_is_the_width_of_the_wavelength_interval(fwhm, centre):
    assert centre > fwhm / 2
    expected = plain_wavenumber_width(fwhm, centre)
    assert fwhm_to_nanometres(fwhm, centre, "Wavenumber") == pytest.approx(expected, rel=1e-9)
    assert fwhm_to_nanometres(fwhm, centre, "cm-1") == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("fwhm, centre", [
    (100.0, 50.0), (100.0, 49.0), (100.0, 40.0), (100.0, 30.0), (100.0, 1.0), (3.0, 1.5),
    (3.0, 1.25), (2.0, 1.0), (2.0, 0.5), (5.0, 2.5), (100.0, 0.0), (100.0, -5.0),
    (100.0, None), (100.0, math.nan), (100.0, math.inf), (100.0, -math.inf),
])
def test_fwhm_in_wavenumbers_refused_where_the_centre_is_not_above_half_the_width(fwhm,
                                                                                 centre):
    """Centre <= f/2: the interval reaches 0 cm^-1 or below, no wavelength width."""
    assert fwhm_to_nanometres(fwhm, centre, "Wavenumber") is None


@settings(max_examples=200, deadline=None)
@given(centre=st.floats(min_value=1.0, max_value=1e5),
       ratio=st.floats(min_value=1e-4, max_value=1.99))
def test_fwhm_in_wavenumbers_for_any_band(centre, ratio):
    fwhm = centre * ratio  # centre > fwhm / 2
    got = fwhm_to_nanometres(fwhm, centre, "wavenumbers")
    assert got == pytest.approx(plain_wavenumber_width(fwhm, centre), rel=1e-6)
    assert got > 0
    # the same band wider than twice its centre reaches 0 cm^-1
    assert fwhm_to_nanometres(2 * centre, centre, "wavenumbers") is None
    assert fwhm_to_nanometres(2 * centre + 1, centre, "wavenumbers") is None


@pytest.mark.parametrize("fwhm, centre, nm", [
    (0.01, 0.5, 10.0), (0.01, 99.0, 10.0), (0.01, 99.5, 10.0), (0.01, 99.9, 10.0),
    (0.01, 100.0, 0.01), (0.01, 100.5, 0.01), (0.01, 101.0, 0.01), (5.0, 500.0, 5.0),
    # no centre: a FWHM under 1 is micrometres
    (0.5, None, 500.0), (0.999, None, 999.0), (1.0, None, 1.0), (1.5, None, 1.5),
    (2.0, None, 2.0), (10.0, None, 10.0),
])
@pytest.mark.parametrize("units", [None, "Unknown"])
def test_fwhm_without_units_follows_the_centre_or_else_its_own_size(fwhm, centre, nm, units):
    assert fwhm_to_nanometres(fwhm, centre, units) == pytest.approx(nm, rel=1e-12)


# --- ENVI headers -----------------------------------------------------------------------


@pytest.mark.parametrize("text, items", [
    ("{1, 2, 3}", ["1", "2", "3"]),
    ("{ 1 ,2 }", ["1", "2"]),
    ("1, 2", ["1", "2"]),
    ("{1, 2", ["{1", "2"]),  # a brace on one side only is not a list's: nothing cut off
    ("1, 2}", ["1", "2}"]),
    ("{}", []),
    ("", []),
    (None, []),
])
def test_envi_list(text, items):
    assert envi_list(text) == items


def test_envi_header_fields_comments_and_odd_lines(tmp_path):
    path = tmp_path / "odd.hdr"
    path.write_text("\n".join([
        "ENVI",
        "description = {first field}",
        "",
        "; a comment = not a field",
        "   ; an indented comment = neither",
        "a line without an equals sign",
        "samples = 3",
        "band names = {a=b, c = d}",  # '=' inside a value
        "map info = {UTM, 1, 1, x=2}",
        "wavelength = {450,",
        "  550,",
        "  650}",
        "Wavelength Units = Nanometers",
        "fwhm = 1, 2, 3}",  # a closing brace alone: the value as written
        "bbl = {1, 0, 1}",
    ]) + "\n")
    assert read_envi_header(str(path)) == {
        "description": "{first field}",
        "samples": "3",
        "band_names": "{a=b, c = d}",
        "map_info": "{UTM, 1, 1, x=2}",
        "wavelength": "{450, 550, 650}",
        "wavelength_units": "Nanometers",
        "fwhm": "1, 2, 3}",
        "bbl": "{1, 0, 1}",
    }


def test_envi_header_first_line_is_the_magic_not_a_field(tmp_path):
    path = tmp_path / "magic.hdr"
    path.write_text("ENVI samples = 9\nlines = 2\n")
    assert read_envi_header(str(path)) == {"lines": "2"}


@pytest.mark.parametrize("text", [
    "", "\n", "samples = 3\nwavelength = {1, 2, 3}\n", "; ENVI\nsamples = 3\n",
    "NOT ENVI\nsamples = 3\n", "\nENVI\nsamples = 3\n",
])
def test_envi_header_without_the_envi_first_line_is_empty(tmp_path, text):
    path = tmp_path / "no.hdr"
    path.write_text(text)
    assert read_envi_header(str(path)) == {}


def test_envi_header_that_cannot_be_read_is_empty(tmp_path):
    assert read_envi_header(str(tmp_path / "missing.hdr")) == {}
    assert read_envi_header(str(tmp_path)) == {}  # a folder
    assert read_envi_header(None) == {}
    assert read_envi_header("") == {}


_KEY = st.from_regex(r"[a-z][a-z ]{0,8}[a-z]", fullmatch=True)
_TEXT = st.text(alphabet="abcXYZ019.-_ =+:/", max_size=12)
_ITEM = st.from_regex(r"[0-9a-z.]{1,5}", fullmatch=True)
_LINE = st.one_of(
    st.tuples(st.just("field"), _KEY, _TEXT),
    st.tuples(st.just("list"), _KEY, st.lists(_ITEM, min_size=1, max_size=6),
              st.integers(min_value=0, max_value=6)),
    st.tuples(st.just("comment"), _TEXT),
    st.tuples(st.just("other"), st.text(alphabet="abc ;{}.,", max_size=10)),
)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(_LINE, max_size=12))
def test_random_envi_headers(tmp_path, entries):
    lines, expected = ["ENVI"], {}
    for entry in entries:
        if entry[0] == "field":
            _, key, value = entry
            if value.strip().startswith("{"):
                continue
            lines.append(f"{key} = {value}")
            expected[envi_key(key)] = value.strip()
        elif entry[0] == "list":  # over several lines when split inside the list
            _, key, items, split = entry
            first, rest = items[:split], items[split:]
            if rest and first:
                lines += [f"{key} = {{{', '.join(first)},", f"  {', '.join(rest)}}}"]
                expected[envi_key(key)] = "{" + ", ".join(first) + ", " + ", ".join(rest) + "}"
            else:
                lines.append(f"{key} = {{{', '.join(items)}}}")
                expected[envi_key(key)] = "{" + ", ".join(items) + "}"
        elif entry[0] == "comment":
            lines.append(f"; {entry[1]}")
        else:
            lines.append(entry[1])  # no '=': not a field
    path = tmp_path / "random.hdr"
    path.write_text("\n".join(lines) + "\n")
    assert read_envi_header(str(path)) == expected


# --- read_band_info ---------------------------------------------------------------------


def test_non_numeric_band_items_fall_back_to_the_next_source(tmp_path):
    path = tmp_path / "text.tif"
    dataset = _tiff(path, 2)
    dataset.GetRasterBand(1).SetMetadataItem("wavelength", "n/a")
    dataset.GetRasterBand(1).SetDescription("483.5 nm")
    dataset.GetRasterBand(2).SetMetadataItem("wavelength", "about 500")
    dataset.GetRasterBand(2).SetMetadataItem("CENTRAL_WAVELENGTH_UM", "0.5512", "IMAGERY")
    dataset.GetRasterBand(2).SetMetadataItem("fwhm", "wide")
    dataset = None
    info = _read(path)
    assert [b.wavelength for b in info] == pytest.approx([483.5, 551.2])
    assert [b.fwhm for b in info] == [None, None]


def test_envi_domain_is_read_without_a_path(tmp_path):
    """GDAL's ENVI domain holds the header's fields: they count without the file's path
    (no sidecar to look for)."""
    path = _envi(tmp_path, "refl", 2, ["wavelength units = Micrometers",
                                        "wavelength = {0.5, 0.6}", "fwhm = {0.01, 0.02}",
                                        "bbl = {1, 0}", "reflectance scale factor = 10000"])
    for info in (_read(path, with_path=False), _read(path)):
        assert [b.wavelength for b in info] == pytest.approx([500.0, 600.0])
        assert [b.fwhm for b in info] == pytest.approx([10.0, 20.0])
        assert [b.bad for b in info] == [False, True]
        assert [b.scale for b in info] == pytest.approx([1e-4, 1e-4])


def test_dataset_items_of_the_default_domain(tmp_path):
    """A GeoTIFF whose dataset (not band) items name the units and the reflectance scale."""
    path = tmp_path / "dataset_items.tif"
    dataset = _tiff(path, 2)
    dataset.SetMetadataItem("wavelength_units", "Wavenumber")
    dataset.SetMetadataItem("reflectance scale factor", "2")
    for b, wavenumber in ((1, "20000"), (2, "4000")):
        dataset.GetRasterBand(b).SetMetadataItem("wavelength", wavenumber)
    dataset = None
    info = _read(path)
    assert [b.wavelength for b in info] == pytest.approx([500.0, 2500.0])
    assert [b.scale for b in info] == [0.5, 0.5]


def test_no_header_is_looked_for_beside_a_path_that_is_not_a_file(tmp_path):
    (tmp_path / "ghost.hdr").write_text("ENVI\nwavelength = {450, 550}\n")
    dataset = gdal.GetDriverByName("MEM").Create("", 1, 1, 2, gdal.GDT_Int16)
    info = read_band_info(dataset, str(tmp_path / "ghost.tif"))  # no such file
    assert [b.wavelength for b in info] == [None, None]
    info = read_band_info(dataset, str(tmp_path))  # a folder
    assert [b.wavelength for b in info] == [None, None]
    # the same header beside an image that exists is read
    image = tmp_path / "ghost.tif"
    _tiff(image, 2)
    assert [b.wavelength for b in _read(image)] == [450.0, 550.0]


def test_more_than_256_bands(tmp_path):
    """AVIRIS-NG has 425 bands: lists of 425 items are one per band."""
    count = 425
    wavelengths = [377.0 + 5.0 * i for i in range(count)]
    bbl = [0 if 195 <= i < 210 else 1 for i in range(count)]
    path = _envi(tmp_path, "avng", count, [
        "wavelength units = Nanometers",
        "wavelength = {" + ", ".join(f"{w:g}" for w in wavelengths) + "}",
        "fwhm = {" + ", ".join(["5.5"] * count) + "}",
        "bbl = {" + ", ".join(map(str, bbl)) + "}",
    ])
    info = _read(path)
    assert len(info) == count
    assert [b.wavelength for b in info] == wavelengths
    assert [b.fwhm for b in info] == [5.5] * count
    assert [b.bad for b in info] == [v == 0 for v in bbl]


def test_lists_of_another_length_are_ignored_beside_a_geotiff(tmp_path):
    info = _beside(tmp_path, "short", ["wavelength = {450, 550}", "fwhm = {5, 5, 5, 5}",
                                       "bbl = {0, 0}", "data gain values = {2, 2}",
                                       "data offset values = {1, 1, 1, 1}"])
    assert [(b.wavelength, b.fwhm, b.bad, b.scale, b.offset) for b in info] == [
        (None, None, False, 1.0, 0.0)] * 3


@pytest.mark.parametrize("scale, offset, expected", [
    (0.0, 0.0, (1.0, 0.0)),  # scale 0 means "not set"
    (-1.0, 0.0, (-1.0, 0.0)),
    (0.5, 0.0, (0.5, 0.0)), (2.0, 0.0, (2.0, 0.0)),
    (1.0, -5.0, (1.0, -5.0)), (1.0, 5.0, (1.0, 5.0)), (0.5, -5.0, (0.5, -5.0)),
])
def test_gdal_scale_and_offset(tmp_path, scale, offset, expected):
    path = tmp_path / "scaled.tif"
    dataset = _tiff(path, 1)
    dataset.GetRasterBand(1).SetScale(scale)
    dataset.GetRasterBand(1).SetOffset(offset)
    dataset = None
    info = _read(path)[0]
    assert (info.scale, info.offset) == expected


def test_header_gains_apply_only_where_gdal_has_no_scale(tmp_path):
    def prepare(dataset):
        for b, (scale, offset) in enumerate([(1.0, 0.0), (0.5, 0.0), (1.0, -3.0)], start=1):
            dataset.GetRasterBand(b).SetScale(scale)
            dataset.GetRasterBand(b).SetOffset(offset)

    info = _beside(tmp_path, "gains", ["data gain values = {0.01, 0.02, 0.03}",
                                       "data offset values = {1, 2, 3}"], prepare=prepare)
    assert [(b.scale, b.offset) for b in info] == [(0.01, 1.0), (0.5, 0.0), (1.0, -3.0)]


@pytest.mark.parametrize("factor, expected", [
    ("10000", (1e-4, 0.5 / 10000)), ("2", (0.5, 0.25)), ("0.5", (2.0, 1.0)),
    ("1", (1.0, 0.5)), ("0", (1.0, 0.5)), ("none", (1.0, 0.5)), ("-2", (-0.5, -0.25)),
])
def test_reflectance_scale_factor_divides_scale_and_offset(tmp_path, factor, expected):
    info = _beside(tmp_path, "refl", [f"reflectance scale factor = {factor}",
                                      "data offset values = {0.5, 0.5, 0.5}"])
    assert [(b.scale, b.offset) for b in info] == [pytest.approx(expected, rel=1e-12)] * 3


@pytest.mark.parametrize("bbl, bad", [
    ("0", True), ("0.0", True), ("-0", True), ("1", False), ("1.0", False), ("2", False),
    ("-1", False), ("0.5", False), ("-0.5", False), ("bad", False),
])
def test_only_a_bbl_of_zero_is_bad(tmp_path, bbl, bad):
    path = tmp_path / "bbl.tif"
    dataset = _tiff(path, 1)
    dataset.GetRasterBand(1).SetMetadataItem("bbl", bbl)
    dataset = None
    assert _read(path)[0].bad is bad
    # the same in a header's list beside the image
    info = _beside(tmp_path, "list", [f"bbl = {{1, {bbl}, 1}}"])
    assert [b.bad for b in info] == [False, bad, False]


@pytest.mark.parametrize("good, bad", [
    ("false", True), ("FALSE", True), (" False ", True), ("true", False), ("1", False),
    ("0", False), ("f", False), ("abc", False), ("fals", False), ("yes", False),
])
def test_only_good_band_false_is_bad(tmp_path, good, bad):
    path = tmp_path / "good.tif"
    dataset = _tiff(path, 1)
    dataset.GetRasterBand(1).SetMetadataItem("good_band", good)
    dataset = None
    assert _read(path)[0].bad is bad


# --- EnMAP METADATA.XML -----------------------------------------------------------------

ENMAP_NAME = "ENMAP01-____L2A-DT0000001867_20220724T104526Z_008_V010302_20230628T165614Z"


def _band_xml(number=None, centre=None, fwhm=None, gain=None, offset=None):
    attribute = "" if number is None else f' number="{number}"'
    parts = [(tag, value) for tag, value in zip(bandmeta.ENMAP_BAND_ITEMS,
                                                (centre, fwhm, gain, offset))
             if value is not None]
    return f"<bandID{attribute}>" + "".join(f"<{t}>{v}</{t}>" for t, v in parts) + "</bandID>"


def _enmap(folder, band_elements, bands=3):
    """EnMAP L2A: ``<name>-SPECTRAL_IMAGE.TIF`` beside ``<name>-METADATA.XML`` (root
    level_X, specific/bandCharacterisation/bandID)."""
    image = folder / f"{ENMAP_NAME}-SPECTRAL_IMAGE.TIF"
    _tiff(image, bands)
    xml = folder / f"{ENMAP_NAME}-METADATA.XML"
    xml.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<level_X><specific>'
                   f"<bandCharacterisation>{''.join(band_elements)}</bandCharacterisation>"
                   "</specific></level_X>")
    return str(image), str(xml)


def test_enmap_bands_in_another_order(tmp_path):
    image, xml = _enmap(tmp_path, [_band_xml(3, 2445.5, 7.5, 0.0002, 0.01),
                                   _band_xml(1, 418.4, 7.0, 0.0001, 0),
                                   _band_xml(2, 423.9, 6.5, 0.0001, 0)])
    assert read_enmap_bands(xml) == {1: (418.4, 7.0, 0.0001, 0.0), 2: (423.9, 6.5, 0.0001, 0.0),
                                     3: (2445.5, 7.5, 0.0002, 0.01)}
    info = _read(image)
    assert [(b.wavelength, b.fwhm, b.scale, b.offset) for b in info] == [
        (418.4, 7.0, 0.0001, 0.0), (423.9, 6.5, 0.0001, 0.0), (2445.5, 7.5, 0.0002, 0.01)]


def test_enmap_gain_zero_or_missing_is_one_and_offset_missing_is_zero(tmp_path):
    _, xml = _enmap(tmp_path, [_band_xml(1, 418.4, 7.0, 0, 0.5), _band_xml(2, 423.9, 7.0),
                               _band_xml(3, 430.0, None, "n/a", None),
                               _band_xml(4, 440.0, 7.0, -1, 0), _band_xml(5, 450.0, 7.0, 2.5)])
    assert read_enmap_bands(xml) == {1: (418.4, 7.0, 1.0, 0.5), 2: (423.9, 7.0, 1.0, 0.0),
                                     3: (430.0, None, 1.0, 0.0), 4: (440.0, 7.0, -1.0, 0.0),
                                     5: (450.0, 7.0, 2.5, 0.0)}


def test_enmap_bands_without_number_or_centre_are_skipped(tmp_path):
    _, xml = _enmap(tmp_path, [_band_xml(None, 400.0, 7.0, 1, 0),
                               _band_xml(9, None, 7.0, 1, 0),
                               _band_xml(None, None, 7.0),
                               _band_xml("x", 410.0),
                               _band_xml(1, 418.4, 7.0, 0.0001, 0),
                               _band_xml(2, 423.9, 7.0, 0.0001, 0)])
    assert read_enmap_bands(xml) == {1: (418.4, 7.0, 0.0001, 0.0), 2: (423.9, 7.0, 0.0001, 0.0)}


def test_enmap_metadata_that_cannot_be_read(tmp_path):
    with pytest.raises(CrnnError, match="EnMAP metadata"):
        read_enmap_bands(str(tmp_path / "missing-METADATA.XML"))
    broken = tmp_path / "broken-METADATA.XML"
    broken.write_text("<level_X><specific>")
    with pytest.raises(CrnnError, match="EnMAP metadata"):
        read_enmap_bands(str(broken))


@pytest.mark.parametrize("numbers", [[1, 2], [1, 2, 3, 4], [2, 3, 4], [0, 1, 2], [1, 2, 4]])
def test_enmap_xml_not_one_entry_per_band_is_not_used(tmp_path, numbers):
    image, _ = _enmap(tmp_path, [_band_xml(n, 400.0 + n, 7.0, 0.0001, 0) for n in numbers])
    info = _read(image)
    assert [(b.wavelength, b.scale) for b in info] == [(None, 1.0)] * 3


def test_enmap_image_scale_wins_and_image_wavelengths_win(tmp_path):
    image, _ = _enmap(tmp_path, [_band_xml(n, 400.0 + n, 7.0, 0.0001, 0.5) for n in (1, 2, 3)])
    dataset = gdal.Open(image, gdal.GA_Update)
    dataset.GetRasterBand(2).SetScale(0.25)
    dataset.GetRasterBand(3).SetMetadataItem("wavelength", "999")
    dataset.GetRasterBand(3).SetMetadataItem("wavelength_units", "nm")
    dataset = None
    info = _read(image)
    assert [(b.wavelength, b.scale, b.offset) for b in info] == [
        (401.0, 0.0001, 0.5), (402.0, 0.25, 0.0), (999.0, 0.0001, 0.5)]


# --- writing ----------------------------------------------------------------------------


def _written(tmp_path, infos, bands=None, name="written.tif"):
    path = tmp_path / name
    dataset = _tiff(path, len(infos) if bands is None else bands)
    write_band_metadata(dataset, infos)
    dataset = None
    return path


def test_every_band_is_written(tmp_path):
    infos = [BandInfo(b, wavelength=400.0 + 10 * b, fwhm=5.0 + b, bad=b == 3)
             for b in range(1, 5)]
    path = _written(tmp_path, infos)
    dataset = gdal.Open(str(path))
    for b in range(1, 5):
        band = dataset.GetRasterBand(b)
        assert band.GetMetadataItem("wavelength") == f"{400 + 10 * b}"
        assert band.GetMetadataItem("fwhm") == f"{5 + b}"
        assert band.GetMetadataItem("bbl") == ("0" if b == 3 else "1")
        assert band.GetDescription() == f"{400 + 10 * b} nm"
    dataset = None
    info = _read(path)
    assert [(b.wavelength, b.fwhm, b.bad) for b in info] == [
        (i.wavelength, i.fwhm, i.bad) for i in infos]


def test_writing_more_infos_than_bands_writes_the_bands_there_are(tmp_path):
    infos = [BandInfo(b, wavelength=400.0 + b) for b in range(1, 4)]
    path = _written(tmp_path, infos, bands=2)
    assert [b.wavelength for b in _read(path)] == [401.0, 402.0]


def test_writing_fewer_infos_than_bands_leaves_the_others(tmp_path):
    path = _written(tmp_path, [BandInfo(1, wavelength=450.0)], bands=2)
    dataset = gdal.Open(str(path))
    assert dataset.GetRasterBand(2).GetMetadata() == {}
    dataset = None


def test_wavelength_alone_fwhm_alone_and_neither(tmp_path):
    infos = [BandInfo(1, wavelength=50.0), BandInfo(2, fwhm=0.5), BandInfo(3),
             BandInfo(4, wavelength=0.5, fwhm=0.25, scale=2.0, offset=-1.0)]
    path = _written(tmp_path, infos)
    dataset = gdal.Open(str(path))
    items = [dataset.GetRasterBand(b).GetMetadata() for b in range(1, 5)]
    imagery = [dataset.GetRasterBand(b).GetMetadata("IMAGERY") for b in range(1, 5)]
    descriptions = [dataset.GetRasterBand(b).GetDescription() for b in range(1, 5)]
    scales = [(dataset.GetRasterBand(b).GetScale(), dataset.GetRasterBand(b).GetOffset())
              for b in range(1, 5)]
    dataset = None
    assert items == [
        {"wavelength": "50", "wavelength_units": "Nanometers", "bbl": "1"},
        {"fwhm": "0.5", "wavelength_units": "Nanometers", "bbl": "1"},
        {"bbl": "1"},
        {"wavelength": "0.5", "fwhm": "0.25", "wavelength_units": "Nanometers", "bbl": "1"},
    ]
    assert imagery == [{"CENTRAL_WAVELENGTH_UM": "0.05"}, {"FWHM_UM": "0.0005"}, {},
                       {"CENTRAL_WAVELENGTH_UM": "0.0005", "FWHM_UM": "0.00025"}]
    assert descriptions == ["50 nm", "", "", "0.5 nm"]
    assert scales[3] == (2.0, -1.0) and scales[2][0] in (None, 1.0)
    # read again: the nanometres written, not values guessed to be micrometres
    info = _read(path)
    assert [(b.wavelength, b.fwhm) for b in info] == [(50.0, None), (None, 0.5), (None, None),
                                                      (0.5, 0.25)]
    assert (info[3].scale, info[3].offset) == (2.0, -1.0)


_NM = st.floats(min_value=0.01, max_value=1e5, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bands=st.lists(st.tuples(st.none() | _NM, st.none() | _NM, st.booleans()),
                      min_size=1, max_size=4))
def test_write_then_read_round_trip(tmp_path, bands):
    infos = [BandInfo(i, wavelength=w, fwhm=f, bad=bad)
             for i, (w, f, bad) in enumerate(bands, start=1)]
    path = _written(tmp_path, infos, name="round.tif")
    info = _read(path)
    for got, want in zip(info, infos):
        assert got.bad is want.bad
        for value, expected in ((got.wavelength, want.wavelength), (got.fwhm, want.fwhm)):
            if expected is None:
                assert value is None
            else:
                assert value == pytest.approx(expected, rel=1e-9)
