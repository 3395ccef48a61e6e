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
- an EnMAP L2A ``METADATA.XML`` beside the image (``bandCharacterisation``).

QGIS-free; GDAL only.
"""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Sequence, Tuple

from osgeo import gdal

from .errors import CrnnError


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
    "millimeters": 1e6, "millimeter": 1e6, "mm": 1e6,
    "meters": 1e9, "meter": 1e9, "metres": 1e9, "m": 1e9,
}
_WAVENUMBER_UNITS = {"wavenumber", "wavenumbers", "cm-1", "cm^-1", "1/cm", "cm**-1"}


def to_nanometres(value: float, units: Optional[str]) -> Optional[float]:
    """A wavelength in the given units as nanometres (None where it is not one).

    Without units a value under 100 is taken as micrometres (no imaging spectrometer
    has bands below 100 nm; its micrometre values are all below 100), else nanometres.
    Wavenumbers (cm-1) are converted: nm = 1e7 / value.
    """
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    unit = (units or "").strip().lower()
    if unit in _WAVENUMBER_UNITS:
        return 1e7 / value
    if unit in _UNIT_FACTORS:
        return value * _UNIT_FACTORS[unit]
    if unit in ("", "unknown", "index", "none"):
        return value * 1000.0 if value < 100 else value
    return None  # units that are not a length (e.g. GHz, "Index")


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


def _dataset_item(dataset: gdal.Dataset, key: str) -> Optional[str]:
    for domain in ("ENVI", ""):
        metadata = dataset.GetMetadata(domain) or {}
        for name, value in metadata.items():
            if name.lower().replace(" ", "_") == key:
                return value
    return None


def _list_item(items: List[str], index: int) -> Optional[str]:
    return items[index] if index < len(items) else None


def read_band_info(dataset: gdal.Dataset, path: str = "") -> List[BandInfo]:
    """One ``BandInfo`` per band of ``dataset``, from every place the file keeps it."""
    count = dataset.RasterCount
    units = _dataset_item(dataset, "wavelength_units")
    header = {key: envi_list(_dataset_item(dataset, key)) for key in (
        "wavelength", "fwhm", "bbl", "data_gain_values", "data_offset_values")}
    for key, items in header.items():
        if items and len(items) != count:
            header[key] = []  # a list of another length is not about these bands
    reflectance_scale = _number(_dataset_item(dataset, "reflectance_scale_factor"))
    bands = []
    for position in range(count):
        band = dataset.GetRasterBand(position + 1)
        description = band.GetDescription() or ""
        band_units = _item(band, "wavelength_units") or units
        wavelength = to_nanometres(_number(_item(band, "wavelength")), band_units)
        fwhm = _number(_item(band, "fwhm"))
        if wavelength is None and header["wavelength"]:
            wavelength = to_nanometres(_number(header["wavelength"][position]), units)
        if fwhm is None and header["fwhm"]:
            fwhm = _number(header["fwhm"][position])
        if fwhm is not None:
            fwhm = _fwhm_to_nanometres(fwhm, band_units)
        imagery = band.GetMetadata("IMAGERY") or {}
        if wavelength is None:
            wavelength = to_nanometres(_number(imagery.get("CENTRAL_WAVELENGTH_UM")), "um")
        if fwhm is None:
            fwhm = to_nanometres(_number(imagery.get("FWHM_UM")), "um")
        if wavelength is None:
            wavelength = wavelength_from_description(description)
        bbl = _item(band, "bbl")
        if bbl is None:
            bbl = _list_item(header["bbl"], position)
        bad = _number(bbl) == 0.0 if bbl is not None else False
        scale, offset = band.GetScale(), band.GetOffset()
        scale = 1.0 if scale in (None, 0.0) else float(scale)
        offset = 0.0 if offset is None else float(offset)
        if header["data_gain_values"] and scale == 1.0 and offset == 0.0:
            scale = _number(header["data_gain_values"][position]) or 1.0
            offset = _number(_list_item(header["data_offset_values"], position)) or 0.0
        if reflectance_scale and reflectance_scale != 1.0:
            scale, offset = scale / reflectance_scale, offset / reflectance_scale
        bands.append(BandInfo(
            index=position + 1, wavelength=wavelength, fwhm=fwhm, bad=bad, scale=scale,
            offset=offset, nodata=band.GetNoDataValue(), description=description))
    return _with_enmap_metadata(bands, path)


def _fwhm_to_nanometres(fwhm: float, units: Optional[str]) -> Optional[float]:
    """A FWHM in the wavelengths' units as nanometres (None for wavenumbers: a width
    there depends on the centre, and no sensor file found writes one)."""
    unit = (units or "").strip().lower()
    if unit in _UNIT_FACTORS:
        return fwhm * _UNIT_FACTORS[unit]
    if unit in ("", "unknown"):
        return fwhm * 1000.0 if fwhm < 1 else fwhm
    return None


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
    match = re.match(r"(?P<prefix>.+?)-SPECTRAL_IMAGE(?:_VNIR|_SWIR)?$", stem, re.IGNORECASE)
    if match is None:
        return None
    for candidate in (match.group("prefix") + "-METADATA.XML",
                      match.group("prefix") + "-METADATA.xml"):
        full = os.path.join(folder, candidate)
        if os.path.isfile(full):
            return full
    return None


def read_enmap_bands(xml_path: str) -> Dict[int, Tuple[float, float, float, float]]:
    """Band number -> (centre wavelength nm, FWHM nm, gain, offset) from an EnMAP
    METADATA.XML (``specific/bandCharacterisation/bandID``)."""
    try:
        root = ElementTree.parse(xml_path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise CrnnError(f"Cannot read the EnMAP metadata '{xml_path}': {error}.") from None
    bands = {}
    for element in root.iter("bandID"):
        number = _number(element.get("number"))
        centre = _number(element.findtext("wavelengthCenterOfGravity"))
        if number is None or centre is None:
            continue
        bands[int(number)] = (
            centre,
            _number(element.findtext("FWHM")),
            _number(element.findtext("GainOfBand")) or 1.0,
            _number(element.findtext("OffsetOfBand")) or 0.0,
        )
    return bands


def _with_enmap_metadata(bands: List[BandInfo], path: str) -> List[BandInfo]:
    xml_path = enmap_metadata_path(path)
    if xml_path is None:
        return bands
    enmap = read_enmap_bands(xml_path)
    if len(enmap) != len(bands):
        return bands
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
        if info.wavelength is not None:
            band.SetMetadataItem("wavelength", f"{info.wavelength:g}")
            band.SetMetadataItem("wavelength_units", "Nanometers")
            band.SetMetadataItem("CENTRAL_WAVELENGTH_UM", f"{info.wavelength / 1000:g}",
                                 "IMAGERY")
        if info.fwhm is not None:
            band.SetMetadataItem("fwhm", f"{info.fwhm:g}")
            band.SetMetadataItem("FWHM_UM", f"{info.fwhm / 1000:g}", "IMAGERY")
        band.SetMetadataItem("bbl", "0" if info.bad else "1")
        if info.scaled:
            band.SetScale(info.scale)
            band.SetOffset(info.offset)
        if info.description:
            band.SetDescription(info.description)
        elif info.wavelength is not None:
            band.SetDescription(f"{info.wavelength:g} nm")
