"""The one way the core reads a raster's values: ``SpectralRaster``.

It opens the file, knows its bands (``models/rasters/bands.py``: wavelength, FWHM, bad-band flag,
scale and offset), walks it in strips aligned with its blocks (``files.BlockStrips``), and
reads chosen bands in a window as physical values (raw * scale + offset) with a mask of
the valid pixels: a pixel is invalid where any chosen band holds its nodata value, NaN or
+-Inf, or where every chosen band (two or more) reads exactly 0, the fill of many
products outside the swath, which no measured spectrum is. Signed 8-bit bands read as
signed (-128..127) on every GDAL: before 3.7 GDAL has no signed byte type and reads such
a band (a Byte band marked PIXELTYPE=SIGNEDBYTE) as 0..255. Training, classification,
smoothing and the window mean all read through it.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from .bands import BandInfo, read_band_info
from .files import BlockStrips, check_band_indices, open_raster, read_block

# GDAL types whose every value float32 holds exactly (others are read as float64)
_FLOAT32_EXACT = {gdal.GDT_Byte, gdal.GDT_UInt16, gdal.GDT_Int16, gdal.GDT_Float32,
                  getattr(gdal, "GDT_Int8", gdal.GDT_Byte)}  # GDT_Int8: GDAL 3.7+


def is_signed_byte(band: gdal.Band) -> bool:
    """A signed 8-bit band that GDAL reads as unsigned: before GDAL 3.7 a Byte band with
    PIXELTYPE=SIGNEDBYTE (GDAL 3.7+ gives such a band the type GDT_Int8, read right)."""
    return (band.DataType == gdal.GDT_Byte
            and band.GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE") == "SIGNEDBYTE")


class SpectralRaster:
    """A raster opened for reading spectra of chosen bands (1-based ``band_indices``;
    default all). ``physical=False`` reads raw values (models trained before scale and
    offset were applied)."""

    def __init__(self, path: str, band_indices: Optional[Sequence[int]] = None,
                 dataset: Optional[gdal.Dataset] = None, physical: bool = True) -> None:
        self.path = str(path)
        self.physical = physical
        self.dataset = dataset if dataset is not None else open_raster(self.path)
        self.width = self.dataset.RasterXSize
        self.height = self.dataset.RasterYSize
        self.all_bands: List[BandInfo] = read_band_info(self.dataset, self.path)
        self.band_indices: List[int] = []
        self.bands: List[BandInfo] = []
        self.select(band_indices if band_indices is not None
                    else range(1, self.dataset.RasterCount + 1))

    def select(self, band_indices: Sequence[int], mixing: Optional[np.ndarray] = None) -> None:
        """Read these bands (1-based, in this order) from now on; with ``mixing`` (a
        (bands, outputs) matrix, ``band_matching.match_bands``) each spectrum read is
        mapped through it, e.g. interpolated onto other wavelengths."""
        band_indices = [int(b) for b in band_indices]
        self.mixing = None if mixing is None else np.asarray(mixing, np.float64)
        check_band_indices(self.dataset, band_indices, self.path)
        self.band_indices = band_indices
        self.bands = [self.all_bands[b - 1] for b in band_indices]
        types = {self.dataset.GetRasterBand(b).DataType for b in band_indices}
        self._read_type, self._type_size = (
            (gdal.GDT_Float32, 4) if types <= _FLOAT32_EXACT else (gdal.GDT_Float64, 8))
        # positions of signed bytes read as 0..255; their nodata as signed values too
        self._signed = [i for i, b in enumerate(band_indices)
                        if is_signed_byte(self.dataset.GetRasterBand(b))]
        self._nodata = [band.nodata for band in self.bands]
        for i in self._signed:
            if self._nodata[i] is not None and self._nodata[i] > 127:
                self._nodata[i] -= 256
        self._scaled = self.physical and any(band.scaled for band in self.bands)

    @property
    def n_bands(self) -> int:
        """Values per spectrum read (the mixing's outputs where there is one)."""
        return len(self.band_indices) if self.mixing is None else self.mixing.shape[1]

    @property
    def zero_reads_as(self) -> np.ndarray:
        """(bands,) what a raw 0 reads as in each chosen band (its offset, where physical
        values are read): a spectrum of these is the zero fill ``valid_mask`` leaves out."""
        if not self._scaled:
            return np.zeros(len(self.bands))
        return np.array([band.offset for band in self.bands], np.float64)

    @property
    def bytes_per_pixel(self) -> int:
        """Bytes a pixel of the chosen bands takes in a read buffer."""
        return self._type_size * max(1, len(self.band_indices))

    def strips(self) -> BlockStrips:
        """The raster's rows in strips aligned with its blocks, read in budgeted chunks."""
        return BlockStrips(self.dataset, self.band_indices or [1], self.bytes_per_pixel)

    def read(self, col: int, row: int, width: int, height: int,
             dtype: type = np.float32) -> Tuple[np.ndarray, np.ndarray]:
        """(values (rows, cols, bands) as ``dtype``, valid (rows, cols)) of a window.

        Values are physical (each band's scale and offset applied); the mask is taken on
        the raw values, so a nodata value compares exactly.
        """
        raw = self._read_raw(col, row, width, height)
        valid = valid_mask(raw, self._nodata)
        if self._scaled:
            scale = np.array([band.scale for band in self.bands], raw.dtype)
            offset = np.array([band.offset for band in self.bands], raw.dtype)
            raw = raw * scale + offset
        if self.mixing is not None:
            raw = np.where(valid[..., None], raw, 0) @ self.mixing
        return raw.astype(dtype, copy=False), valid

    def band_validity(self, col: int, row: int, width: int, height: int) -> np.ndarray:
        """(rows, cols, bands): True where a band's raw value is finite and not its nodata."""
        return band_valid(self._read_raw(col, row, width, height), self._nodata)

    def _read_raw(self, col: int, row: int, width: int, height: int) -> np.ndarray:
        raw = read_block(self.dataset, col, row, width, height, self.band_indices,
                         self._read_type, interleave="pixel")
        for i in self._signed:  # 128..255 are -128..-1
            raw[..., i] = np.where(raw[..., i] > 127, raw[..., i] - 256, raw[..., i])
        return raw

    def flush_cache(self) -> None:
        """Drop the blocks read so far from GDAL's cache."""
        self.dataset.FlushCache()


def valid_mask(values: np.ndarray, nodata: Sequence[Optional[float]]) -> np.ndarray:
    """(..., bands) -> (...) True where every band is finite and not its band's nodata,
    and, with two or more bands, not every band is exactly 0: a spectrum of zeros is the
    fill of a product without a nodata value (outside the swath), not a measurement. One
    band alone may well read 0."""
    valid = band_valid(values, nodata).all(axis=-1)
    if values.shape[-1] >= 2:
        valid &= (values != 0).any(axis=-1)
    return valid


def band_valid(values: np.ndarray, nodata: Sequence[Optional[float]]) -> np.ndarray:
    """(..., bands) -> (..., bands) True where a value is finite and not its band's nodata."""
    valid = np.isfinite(values)
    for band, value in enumerate(nodata):
        if value is not None and np.isfinite(value):
            valid[..., band] &= values[..., band] != values.dtype.type(value)
    return valid
