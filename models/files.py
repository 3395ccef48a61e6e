"""Reading rasters and writing files safely: the small pieces every core module shares."""

from __future__ import annotations

import os
import tempfile
from typing import Callable, Optional, Sequence

import numpy as np
from osgeo import gdal

from .errors import CrnnError


def write_atomically(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(temporary)`` on a hidden file beside ``path``, then move it into place.

    A failure or a cancel leaves neither ``path`` nor the temporary file behind.
    """
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".part", dir=folder)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def open_raster(path: str) -> gdal.Dataset:
    """Open a raster read-only, or raise a ``CrnnError`` that names the file."""
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY) if path else None
    except RuntimeError:  # GDAL exceptions switched on by someone else
        dataset = None
    if dataset is None and not os.path.exists(str(path)):
        raise CrnnError(f"The raster '{path}' does not exist. Check the path.")
    if dataset is None:
        raise CrnnError(
            f"Cannot open the raster '{path}': {gdal.GetLastErrorMsg() or 'not a raster'}. "
            "Choose a raster file GDAL can read."
        )
    return dataset


def check_band_indices(dataset: gdal.Dataset, band_indices: Sequence[int], path: str) -> None:
    """Every band index (1-based) must exist in the raster."""
    bad = [b for b in band_indices if not 1 <= b <= dataset.RasterCount]
    if bad:
        raise CrnnError(
            f"The raster '{path}' has {dataset.RasterCount} band(s), but band(s) {bad} are "
            "requested. Choose bands that exist, or the raster the model was trained on."
        )


def band_nodata(dataset: gdal.Dataset, band_indices: Sequence[int]) -> list:
    return [dataset.GetRasterBand(b).GetNoDataValue() for b in band_indices]


def valid_pixels(spectra: np.ndarray, nodata: Sequence[Optional[float]]) -> np.ndarray:
    """(pixels, bands) -> True where every band is finite and not its band's nodata."""
    valid = np.isfinite(spectra).all(axis=1)
    for band, value in enumerate(nodata):
        if value is not None and np.isfinite(value):
            valid &= spectra[:, band] != spectra.dtype.type(value)
    return valid
