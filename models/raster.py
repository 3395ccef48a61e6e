"""The one way the core reads a raster's values: ``SpectralRaster``.

It opens the file, knows its bands (``models/bands.py``: wavelength, FWHM, bad-band flag,
scale and offset), walks it in strips aligned with its blocks (``files.BlockStrips``), and
reads chosen bands in a window as physical values (raw * scale + offset) with a mask of
the valid pixels: a pixel is invalid where any chosen band holds its nodata value, NaN or
+-Inf. Training, classification, smoothing and the window mean all read through it.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from .bands import BandInfo, read_band_info
from .files import BlockStrips, check_band_indices, open_raster, read_block
from .window import window_mean

# GDAL types whose every value float32 holds exactly (others are read as float64)
_FLOAT32_EXACT = {gdal.GDT_Byte, gdal.GDT_UInt16, gdal.GDT_Int16, gdal.GDT_Float32}


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
        (bands, outputs) matrix, ``band_selection.match_bands``) each spectrum read is
        mapped through it, e.g. interpolated onto other wavelengths."""
        band_indices = [int(b) for b in band_indices]
        self.mixing = None if mixing is None else np.asarray(mixing, np.float64)
        check_band_indices(self.dataset, band_indices, self.path)
        self.band_indices = band_indices
        self.bands = [self.all_bands[b - 1] for b in band_indices]
        types = {self.dataset.GetRasterBand(b).DataType for b in band_indices}
        self._read_type, self._type_size = (
            (gdal.GDT_Float32, 4) if types <= _FLOAT32_EXACT else (gdal.GDT_Float64, 8))
        self._nodata = [band.nodata for band in self.bands]
        self._scaled = self.physical and any(band.scaled for band in self.bands)

    @property
    def n_bands(self) -> int:
        """Values per spectrum read (the mixing's outputs where there is one)."""
        return len(self.band_indices) if self.mixing is None else self.mixing.shape[1]

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

    def read_network_input(self, col: int, row: int, width: int, height: int,
                           input_window: int, dtype: type = np.float32
                           ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A window's pixels as the network reads them: (their own spectra
        (height x width, bands) as ``dtype``, the network's input (the same, float32; with
        ``input_window`` > 1 the window means, read with their halo, models/window.py),
        valid (height x width,))."""
        radius = input_window // 2
        x0, y0 = max(0, col - radius), max(0, row - radius)
        x1, y1 = min(self.width, col + width + radius), min(self.height, row + height + radius)
        region, region_valid = self.read(x0, y0, x1 - x0, y1 - y0, dtype)
        inner = (slice(row - y0, row - y0 + height), slice(col - x0, col - x0 + width))
        own = region[inner].reshape(height * width, self.n_bands)
        valid = region_valid[inner].reshape(height * width)
        if not radius:
            return own, own.astype(np.float32, copy=False), valid
        network_input = window_mean(region, region_valid, input_window)[inner]
        return own, network_input.reshape(height * width, self.n_bands), valid

    def band_validity(self, col: int, row: int, width: int, height: int) -> np.ndarray:
        """(rows, cols, bands): True where a band's raw value is finite and not its nodata."""
        return band_valid(self._read_raw(col, row, width, height), self._nodata)

    def _read_raw(self, col: int, row: int, width: int, height: int) -> np.ndarray:
        return read_block(self.dataset, self.path, col, row, width, height, self.band_indices,
                          self._read_type, interleave="pixel")

    def flush_cache(self) -> None:
        """Drop the blocks read so far from GDAL's cache."""
        self.dataset.FlushCache()


def valid_mask(values: np.ndarray, nodata: Sequence[Optional[float]]) -> np.ndarray:
    """(..., bands) -> (...) True where every band is finite and not its band's nodata."""
    return band_valid(values, nodata).all(axis=-1)


def band_valid(values: np.ndarray, nodata: Sequence[Optional[float]]) -> np.ndarray:
    """(..., bands) -> (..., bands) True where a value is finite and not its band's nodata."""
    valid = np.isfinite(values)
    for band, value in enumerate(nodata):
        if value is not None and np.isfinite(value):
            valid[..., band] &= values[..., band] != values.dtype.type(value)
    return valid
