"""What a raster says about its bands: wavelength, FWHM, bad-band flag, scale and offset.

Hyperspectral files carry band metadata in several places; this module reads them all
into one ``BandInfo`` per band, wavelengths in nanometres (docs/sensors.md lists the
products and where each keeps what):

- GDAL band metadata ``wavelength`` / ``wavelength_units`` / ``fwhm`` / ``bbl`` in the
  default or ``ENVI`` domain (GDAL's ENVI driver, EnMAP-Box, this plugin's GeoTIFFs);
- the ``IMAGERY`` domain's ``CENTRAL_WAVELENGTH_UM`` / ``FWHM_UM`` (GDAL 3.10+);
- an ENVI header's lists (``wavelength``, ``fwhm``, ``bbl``, ``reflectance scale
  factor``, ``data gain values``, ``data offset values``), from GDAL's ``ENVI`` domain;
- band descriptions such as "Band 12 (483.5 Nanometers)" or "483.5 nm";
- an ENVI header beside an image GDAL reads with another driver (DESIS L2A: a GeoTIFF
  with its ``.hdr``);
- an EnMAP L2A ``METADATA.XML`` beside the image (``bandCharacterisation``);
- GDAL's ``good_band`` band item (newer ENVI drivers) where no ``bbl`` is given.

QGIS-free; GDAL only.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple
from xml.parsers.expat import ExpatError, ParserCreate

from osgeo import gdal

from ..common.errors import CrnnError


@dataclass(frozen=True)
class BandInfo:
    """One band of a raster as the plugin reads it (``index`` is 1-based)."""

    index: int
    wavelength: Optional[float] = None  # nm, band centre
    fwhm: Optional[float] = None  # nm
    bad: bool = False  # flagged bad in the file's metadata (ENVI bbl = 0)
    scale: float = 1.0  # physical value = raw * scale + offset
    offset: float = 0.0
    nodata: Optional[float] = None  # raw value meaning "no data"
    description: str = ""

    @property
    def scaled(self) -> bool:
        return self.scale != 1.0 or self.offset != 0.0

    def label(self) -> str:
        """How the band is named to a user: "band 12 (483.5 nm)"."""
        if self.wavelength is None:
            return f"band {self.index}"
        return f"band {self.index} ({self.wavelength:g} nm)"


# ---------------------------------------------------------------------------------------
# Units

_UNIT_FACTORS = {  # to nanometres
    "nanometers": 1.0, "nanometer": 1.0, "nanometres": 1.0, "nanometre": 1.0, "nm": 1.0,
    "micrometers": 1000.0, "micrometer": 1000.0, "micrometres": 1000.0,
    "micrometre": 1000.0, "microns": 1000.0, "micron": 1000.0, "um": 1000.0,
    "\u00b5m": 1000.0, "\u03bcm": 1000.0, "mum": 1000.0,
    "millimeters": 1e6, "millimeter": 1e6, "millimetres": 1e6, "millimetre": 1e6, "mm": 1e6,
    "centimeters": 1e7, "centimeter": 1e7, "centimetres": 1e7, "centimetre": 1e7, "cm": 1e7,
    "meters": 1e9, "meter": 1e9, "metres": 1e9, "metre": 1e9, "m": 1e9,
    "angstroms": 0.1, "angstrom": 0.1,
}
_WAVENUMBER_UNITS = {"wavenumber", "wavenumbers", "cm-1", "cm^-1", "1/cm", "cm**-1"}
# ENVI's "Unknown" (and no units at all): the value decides. ENVI's "Index" (band numbers),
# "GHz" and "MHz" are no wavelengths: every unit not listed here or above gives None.
_NO_UNITS = {"", "unknown", "none"}


def _normalise_unit(units: Optional[str]) -> str:
    return (units or "").strip().lower()


def to_nanometres(value: Optional[float], units: Optional[str]) -> Optional[float]:
    """A wavelength in the given units as nanometres (None where it is not one).

    Units are those of the ENVI header's ``wavelength units`` (Micrometers, um,
    Nanometers, nm, Millimeters, mm, Centimeters, cm, Meters, m, Wavenumber, Angstroms,
    GHz, MHz, Index, Unknown) and their common spellings. Without units (or "Unknown") a
    value under 100 is taken as micrometres (no imaging spectrometer has bands below
    100 nm; its micrometre values are all below 100), else nanometres. Wavenumbers (cm-1)
    are converted: nm = 1e7 / value. "Index", GHz and MHz are not wavelengths: None.
    """
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    unit = _normalise_unit(units)
    if unit in _WAVENUMBER_UNITS:
        return 1e7 / value
    if unit in _UNIT_FACTORS:
        return value * _UNIT_FACTORS[unit]
    if unit in _NO_UNITS:
        return value * 1000.0 if value < 100 else value
    return None  # units that are not a length (Index, GHz, MHz, ...)


def fwhm_to_nanometres(fwhm: Optional[float], centre: Optional[float],
                       units: Optional[str]) -> Optional[float]:
    """A band's FWHM as nanometres; ``fwhm`` and ``centre`` (the band's centre, None if
    unknown) are in the wavelengths' ``units`` (the ENVI header says the FWHM uses the
    units of the wavelengths).

    Without units the centre decides as in :func:`to_nanometres` (a centre under 100 means
    micrometres); with no centre either, a FWHM under 1 is taken as micrometres. In
    wavenumbers the width is that of the band's wavelength interval:
    1e7 / (centre - fwhm / 2) - 1e7 / (centre + fwhm / 2).
    """
    if fwhm is None or not math.isfinite(fwhm) or fwhm <= 0:
        return None
    unit = _normalise_unit(units)
    if unit in _WAVENUMBER_UNITS:
        if centre is None or not math.isfinite(centre) or centre <= fwhm / 2:
            return None
        return 1e7 / (centre - fwhm / 2) - 1e7 / (centre + fwhm / 2)
    if unit in _UNIT_FACTORS:
        return fwhm * _UNIT_FACTORS[unit]
    if unit in _NO_UNITS:
        micrometres = centre < 100 if centre is not None else fwhm < 1
        return fwhm * 1000.0 if micrometres else fwhm
    return None


def _number(text: Optional[str]) -> Optional[float]:
    if text is None:
        return None
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def envi_list(text: Optional[str]) -> List[str]:
    """The items of an ENVI header list ``{ a, b, c }`` (also without braces)."""
    if not text:
        return []
    inner = str(text).strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1]
    return [item.strip() for item in inner.split(",") if item.strip()]


_DESCRIPTION = re.compile(
    r"(?P<value>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>nanometers?|nanometres?|nm|micrometers?|"
    r"micrometres?|microns?|um|\u00b5m|\u03bcm)\b",
    re.IGNORECASE,
)


def wavelength_from_description(description: str) -> Optional[float]:
    """ "Band 12 (483.5 Nanometers)", "483.5 nm", "b12 0.4835 um" -> nanometres."""
    match = _DESCRIPTION.search(description or "")
    if match is None:
        return None
    return to_nanometres(float(match.group("value")), match.group("unit"))


# ---------------------------------------------------------------------------------------
# Reading


def _item(band: gdal.Band, key: str, domains: Sequence[str] = ("", "ENVI")) -> Optional[str]:
    """A band metadata item, any case, from the first domain that has it."""
    for domain in domains:
        metadata = band.GetMetadata(domain) or {}
        for name, value in metadata.items():
            if name.lower() == key:
                return value
    return None


def _dataset_items(dataset: gdal.Dataset, path: str) -> Dict[str, str]:
    """The dataset's items, keys lower case with "_" for spaces (as GDAL's ENVI domain
    has them): the ENVI domain first, then the default domain, then an ENVI header beside
    an image GDAL opened with another driver (a DESIS L2A ``-SPECTRAL_IMAGE.TIF`` comes
    with its ``-SPECTRAL_IMAGE.hdr``, which the GeoTIFF driver does not read)."""
    items: Dict[str, str] = {}
    envi = dataset.GetMetadata("ENVI") or {}
    for metadata in (envi, dataset.GetMetadata("") or {}):
        for name, value in metadata.items():
            items.setdefault(_key(name), value)
    if not envi:
        for name, value in read_envi_header(_sidecar_header(path)).items():
            items.setdefault(name, value)
    return items


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def _sidecar_header(path: str) -> Optional[str]:
    """``<image>.hdr`` or ``<stem>.hdr`` beside ``path``, where there is one."""
    if not path or not os.path.isfile(path):
        return None
    stem = os.path.splitext(path)[0]
    for candidate in (stem + ".hdr", stem + ".HDR", path + ".hdr"):
        if os.path.isfile(candidate):
            return candidate
    return None


def read_envi_header(hdr_path: Optional[str]) -> Dict[str, str]:
    """The fields of an ENVI header file as GDAL's ENVI domain has them (keys lower case,
    "_" for spaces; lists as "{a, b}"); empty where ``hdr_path`` is None, unreadable or not
    an ENVI header (its first line must begin with "ENVI")."""
    if not hdr_path:
        return {}
    try:
        with open(hdr_path, encoding="utf-8", errors="replace") as stream:
            lines = stream.read().splitlines()
    except OSError:
        return {}
    if not lines or not lines[0].strip().startswith("ENVI"):
        return {}
    fields: Dict[str, str] = {}
    pending: Optional[Tuple[str, str]] = None
    for line in lines[1:]:
        if pending is not None:  # a {list} spanning lines
            key, value = pending[0], pending[1] + " " + line.strip()
            pending = None if "}" in line else (key, value)
            if pending is None:
                fields[key] = value
            continue
        if "=" not in line or line.lstrip().startswith(";"):
            continue
        name, value = line.split("=", 1)
        value = value.strip()
        if value.startswith("{") and "}" not in value:
            pending = (_key(name), value)
        else:
            fields[_key(name)] = value
    return fields


def _list_item(items: List[str], index: int) -> Optional[str]:
    return items[index] if index < len(items) else None


def read_band_info(dataset: gdal.Dataset, path: str = "") -> List[BandInfo]:
    """One ``BandInfo`` per band of ``dataset``, from every place the file keeps it."""
    count = dataset.RasterCount
    fields = _dataset_items(dataset, path)
    units = fields.get("wavelength_units")
    header = {key: envi_list(fields.get(key)) for key in (
        "wavelength", "fwhm", "bbl", "data_gain_values", "data_offset_values")}
    broken = {key for key, items in header.items() if items and len(items) != count}
    for key in broken:
        header[key] = []  # a list of another length is not about these bands
    # GDAL's ENVI driver copies the header's wavelength and FWHM lists onto the bands (band
    # items, IMAGERY, descriptions) as far as they go, whatever their length: not trusted
    envi = {_key(name) for name in dataset.GetMetadata("ENVI") or {}}
    derived = {key for key in ("wavelength", "fwhm") if key in broken and key in envi}
    reflectance_scale = _number(fields.get("reflectance_scale_factor"))
    bands = []
    for position in range(count):
        band = dataset.GetRasterBand(position + 1)
        description = band.GetDescription() or ""
        band_units = _item(band, "wavelength_units") or units
        centre = _number(_item(band, "wavelength"))  # in band_units, as the FWHM
        if centre is None:
            centre = _number(_list_item(header["wavelength"], position))
        wavelength = to_nanometres(centre, band_units)
        fwhm = _number(_item(band, "fwhm"))
        if fwhm is None:
            fwhm = _number(_list_item(header["fwhm"], position))
        fwhm = fwhm_to_nanometres(fwhm, centre, band_units)
        imagery = band.GetMetadata("IMAGERY") or {}
        if wavelength is None:
            wavelength = to_nanometres(_number(imagery.get("CENTRAL_WAVELENGTH_UM")), "um")
        if fwhm is None:
            fwhm = to_nanometres(_number(imagery.get("FWHM_UM")), "um")
        if wavelength is None:
            wavelength = wavelength_from_description(description)
        if "wavelength" in derived:
            wavelength = None
        if "fwhm" in derived:
            fwhm = None
        scale, offset = band.GetScale(), band.GetOffset()
        scale = 1.0 if scale in (None, 0.0) else float(scale)
        offset = 0.0 if offset is None else float(offset)
        if scale == 1.0 and offset == 0.0:  # a GDAL that did not apply the header's gains
            scale = _number(_list_item(header["data_gain_values"], position)) or 1.0
            offset = _number(_list_item(header["data_offset_values"], position)) or 0.0
        if reflectance_scale and reflectance_scale != 1.0:
            # ENVI: the value that, divided into the data, scales it to 0-1 reflectance
            scale, offset = scale / reflectance_scale, offset / reflectance_scale
        bands.append(BandInfo(
            index=position + 1, wavelength=wavelength, fwhm=fwhm,
            bad=_is_bad(band, _list_item(header["bbl"], position)), scale=scale,
            offset=offset, nodata=band.GetNoDataValue(), description=description))
    return _with_enmap_metadata(bands, path)


def _is_bad(band: gdal.Band, header_bbl: Optional[str]) -> bool:
    """ENVI's bad-band multiplier (0 bad, 1 good) on the band (EnMAP-Box) or in the
    header's ``bbl`` list, else GDAL's ``good_band`` item ("true"/"false", set by newer
    ENVI drivers and carried by gdal_translate)."""
    bbl = _item(band, "bbl")
    if bbl is None:
        bbl = header_bbl
    if bbl is not None:
        return _number(bbl) == 0.0
    good = _item(band, "good_band")
    return good is not None and good.strip().lower() == "false"


# ---------------------------------------------------------------------------------------
# EnMAP L2A: METADATA.XML beside the image

ENMAP_IMAGE_SUFFIX = "-SPECTRAL_IMAGE"


def enmap_metadata_path(path: str) -> Optional[str]:
    """The METADATA.XML of an EnMAP L1B/L1C/L2A product image, where there is one.

    The product's files share a prefix: ``<prefix>-SPECTRAL_IMAGE.TIF`` (or ``_VNIR``,
    ``_SWIR``) beside ``<prefix>-METADATA.XML`` (EnMAP Level 1/2 product specification).
    """
    if not path:
        return None
    folder, name = os.path.split(path)
    stem = os.path.splitext(name)[0]
    match = re.match(r"(?P<prefix>.+?)-SPECTRAL_IMAGE(?:_VNIR|_SWIR)?(?:_COG)?$", stem,
                     re.IGNORECASE)  # _COG: the names of the STAC catalogue's copies
    if match is None:
        return None
    for candidate in (match.group("prefix") + "-METADATA.XML",
                      match.group("prefix") + "-METADATA.xml"):
        full = os.path.join(folder, candidate)
        if _is_file(full):
            return full
    return None


def _is_file(path: str) -> bool:
    """A file on disk, or in one of GDAL's virtual file systems (``/vsizip/``: a
    product read inside its ZIP)."""
    if path.startswith("/vsi"):
        return gdal.VSIStatL(path) is not None
    return os.path.isfile(path)


def _read_bytes(path: str) -> bytes:
    """A file's bytes, on disk or in GDAL's virtual file systems."""
    if not path.startswith("/vsi"):
        return Path(path).read_bytes()
    handle = gdal.VSIFOpenL(path, "rb")
    if handle is None:
        raise OSError(f"cannot open {path}")
    try:
        chunks = []
        while True:
            chunk = gdal.VSIFReadL(1, 1 << 20, handle)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        gdal.VSIFCloseL(handle)


#: Where an EnMAP METADATA.XML keeps each band (the root is ``level_X``; no namespace), and
#: the items of a ``bandID``: as DLR's products, EnPT and EnMAP-Box's importers have them.
ENMAP_BAND_PATH = "specific/bandCharacterisation/bandID"
ENMAP_BAND_ITEMS = ("wavelengthCenterOfBand", "FWHMOfBand", "GainOfBand", "OffsetOfBand")


def read_enmap_bands(xml_path: str) -> Dict[int, Tuple[float, Optional[float], float, float]]:
    """Band number -> (centre wavelength nm, FWHM nm, gain, offset) from an EnMAP
    METADATA.XML: ``specific/bandCharacterisation/bandID number=".."`` with
    ``wavelengthCenterOfBand``, ``FWHMOfBand``, ``GainOfBand`` and ``OffsetOfBand``
    (physical value = DN * gain + offset; L2A reflectance gains are 1e-4). Other
    ``bandID`` elements of the file (``product/bandStatistics``) are not read."""
    try:
        elements = _band_elements(_read_bytes(xml_path))
    except (OSError, ExpatError, CrnnError) as error:
        raise CrnnError(f"Cannot read the EnMAP metadata '{xml_path}': {error}.") from None
    centre_tag, fwhm_tag, gain_tag, offset_tag = ENMAP_BAND_ITEMS
    bands = {}
    for number_text, items in elements:
        number = _number(number_text)
        centre = _number(items.get(centre_tag))
        if number is None or centre is None:
            continue
        gain = _number(items.get(gain_tag))
        bands[int(number)] = (
            centre,
            _number(items.get(fwhm_tag)),
            1.0 if gain in (None, 0.0) else gain,
            _number(items.get(offset_tag)) or 0.0,
        )
    return bands


def _band_elements(data: bytes) -> List[Tuple[Optional[str], Dict[str, str]]]:
    """(number attribute, {item: text}) of each ``bandID`` at ENMAP_BAND_PATH under the
    root, read with expat. A document type or entity declaration is refused: METADATA.XML
    has none, and entities are how an XML file makes a parser expand without bound."""
    path = ENMAP_BAND_PATH.split("/")
    stack: List[str] = []
    found: List[Tuple[Optional[str], Dict[str, str]]] = []
    text: List[str] = []

    def refuse(*_args) -> None:
        raise CrnnError("it declares a document type or entities, which METADATA.XML has not")

    def start(name: str, attributes: Dict[str, str]) -> None:
        stack.append(name)
        if stack[1:] == path:
            found.append((attributes.get("number"), {}))
        text.clear()

    def end(name: str) -> None:
        if stack[1:-1] == path and name in ENMAP_BAND_ITEMS:
            found[-1][1][name] = "".join(text).strip()
        stack.pop()
        text.clear()

    parser = ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parser.Parse(data, True)
    return found


def _with_enmap_metadata(bands: List[BandInfo], path: str) -> List[BandInfo]:
    xml_path = enmap_metadata_path(path)
    if xml_path is None:
        return bands
    enmap = read_enmap_bands(xml_path)
    if sorted(enmap) != [band.index for band in bands]:
        return bands  # not one entry per band of this image (an L1B VNIR or SWIR half)
    merged = []
    for band in bands:
        centre, fwhm, gain, offset = enmap[band.index]
        if band.scaled:  # the image's own scale wins over the XML's
            gain, offset = band.scale, band.offset
        merged.append(replace(band, wavelength=band.wavelength or centre,
                              fwhm=band.fwhm or fwhm, scale=gain, offset=offset))
    return merged


# ---------------------------------------------------------------------------------------
# Writing


def write_band_metadata(dataset: gdal.Dataset, bands: Sequence[BandInfo]) -> None:
    """Wavelength, FWHM and bad-band flag on each band where known, as other tools read
    them: ``wavelength`` / ``wavelength_units`` / ``fwhm`` / ``bbl`` in the default domain
    (the ENVI and EnMAP-Box convention) and ``CENTRAL_WAVELENGTH_UM`` / ``FWHM_UM`` in the
    ``IMAGERY`` domain (GDAL 3.10+); scale and offset as GDAL's own."""
    for target, info in zip(range(1, dataset.RasterCount + 1), bands):
        band = dataset.GetRasterBand(target)
        if info.wavelength is not None or info.fwhm is not None:
            # EnMAP-Box writes the units with either: a FWHM is in the wavelengths' units
            band.SetMetadataItem("wavelength_units", "Nanometers")
        if info.wavelength is not None:
            band.SetMetadataItem("wavelength", _text(info.wavelength))
            band.SetMetadataItem("CENTRAL_WAVELENGTH_UM", _text(info.wavelength / 1000),
                                 "IMAGERY")
        if info.fwhm is not None:
            band.SetMetadataItem("fwhm", _text(info.fwhm))
            band.SetMetadataItem("FWHM_UM", _text(info.fwhm / 1000), "IMAGERY")
        band.SetMetadataItem("bbl", "0" if info.bad else "1")
        if info.scaled:
            band.SetScale(info.scale)
            band.SetOffset(info.offset)
        if info.description:
            band.SetDescription(info.description)
        elif info.wavelength is not None:
            band.SetDescription(f"{_text(info.wavelength)} nm")


def _text(value: float) -> str:
    """A number as metadata text: ten significant digits, no trailing zeros."""
    return f"{value:.10g}"
