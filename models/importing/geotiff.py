"""Writing a cube as a GeoTIFF: where an array without map coordinates is put
(:class:`Placement`), the GeoTIFF data type of its values, and the tiled, compressed file
itself with its band metadata, written a strip of tile rows at a time.

Every file is written under a temporary name beside its destination and moved into place
only when complete (models/rasters/files.py), so a failure or a cancel never leaves a
partial file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, osr

from ..common.callbacks import NO_HOOKS, Hooks, LogCallback
from ..common.errors import CrnnError
from ..rasters.bands import BandInfo, write_band_metadata
from ..rasters.files import gdal_exceptions, staged, writing

CUBE_OPTIONS = ["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=64", "COMPRESS=DEFLATE",
                "INTERLEAVE=PIXEL", "BIGTIFF=IF_SAFER"]
"""64 x 64 pixel-interleaved tiles: the classifier reads whole spectra of small windows
(same layout as the Indian Pines demo cube)."""
STRIP_ROWS = 64
"""Rows written at once: one row of tiles, so every tile is written exactly once."""
IMPORT_CANCELLED = "The import was cancelled; no file was written."


@dataclass
class Placement:
    """Where an array without map coordinates is put.

    The top-left corner of the top-left pixel is at (``origin_x``, ``origin_y``);
    columns go east and rows go south by ``pixel_size`` (a north-up grid).
    ``crs_wkt`` empty means no CRS.
    """

    pixel_size: float = 1.0
    origin_x: float = 0.0
    origin_y: float = 0.0
    crs_wkt: str = ""

    def geotransform(self) -> Tuple[float, ...]:
        return (self.origin_x, self.pixel_size, 0.0, self.origin_y, 0.0, -self.pixel_size)

    def spatial_reference(self) -> Optional[osr.SpatialReference]:
        if not self.crs_wkt:
            return None
        srs = osr.SpatialReference()
        if srs.SetFromUserInput(self.crs_wkt) != 0:
            raise CrnnError(f"Cannot understand the CRS '{self.crs_wkt[:80]}'.")
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return srs


GDAL_TYPES = {
    np.dtype(np.uint8): gdal.GDT_Byte,
    np.dtype(np.uint16): gdal.GDT_UInt16,
    np.dtype(np.int16): gdal.GDT_Int16,
    np.dtype(np.uint32): gdal.GDT_UInt32,
    np.dtype(np.int32): gdal.GDT_Int32,
    np.dtype(np.float32): gdal.GDT_Float32,
    np.dtype(np.float64): gdal.GDT_Float64,
}


def _smallest_integer_type(low: int, high: int) -> Optional[np.dtype]:
    for dtype in (np.uint8, np.int16, np.uint16, np.int32, np.uint32):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return np.dtype(dtype)
    return None


def _direct_type(dtype: np.dtype) -> Optional[np.dtype]:
    """The GeoTIFF data type of ``dtype`` where its values need no look (None: they do)."""
    dtype = np.dtype(dtype)
    if dtype in GDAL_TYPES:
        return dtype
    return {np.dtype(np.bool_): np.dtype(np.uint8), np.dtype(np.int8): np.dtype(np.int16),
            np.dtype(np.float16): np.dtype(np.float32)}.get(dtype)


def storage_type(array: np.ndarray, log: LogCallback = NO_HOOKS.say) -> np.dtype:
    """The GeoTIFF data type for an array: its own where GDAL has it, integers kept
    integer (int8 -> Int16; 64-bit integers -> the smallest 32-bit type holding them)."""
    dtype = array.dtype
    direct = _direct_type(dtype)
    if direct is not None:
        return direct
    if dtype.kind in "iu":
        low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
        chosen = _smallest_integer_type(low, high)
        if chosen is None:
            log(f"Values {low}..{high} do not fit a 32-bit integer: written as Float64.")
            return np.dtype(np.float64)
        log(f"{dtype} array stored as {chosen} (values {low}..{high}).")
        return chosen
    raise CrnnError(f"Arrays of type {dtype} cannot be written to a GeoTIFF: convert the "
                    "cube to an integer or float type.")


@dataclass
class CubeToWrite:
    """What is written: the cube (an array or a lazy reader), its bands, and its grid
    where the file has its own."""

    data: object  # np.ndarray (rows, cols, bands), LazyCube or StackedCube
    name: str
    bands: List[BandInfo] = field(default_factory=list)
    geotransform: Optional[Tuple[float, ...]] = None
    crs: str = ""


def _lazy_storage_type(dtype: np.dtype, log: LogCallback) -> np.dtype:
    """The GeoTIFF type of a container array read in strips (no pass over its values)."""
    direct = _direct_type(dtype)
    if direct is not None:
        return direct
    if np.dtype(dtype).kind in "iuf":
        log(f"{dtype} values are written as Float64.")
        return np.dtype(np.float64)
    raise CrnnError(f"Arrays of type {dtype} cannot be written to a GeoTIFF.")


def write_cube(path: str, cube: CubeToWrite, placement: Placement,
               hooks: Hooks = NO_HOOKS) -> None:
    """Write a (rows, cols, bands) cube as a tiled, compressed GeoTIFF, a strip of tile
    rows at a time, bands described "Band N".

    ``cube.data`` is an array or a :class:`LazyCube` / :class:`StackedCube` (read a strip
    at a time). ``cube.bands``: their wavelength, FWHM, bad-band flag, scale, offset and
    nodata, written as band metadata (models/rasters/bands.py). ``cube.geotransform``: the
    file's own grid, instead of the placement's.
    """
    data, bands, geotransform = cube.data, cube.bands, cube.geotransform
    rows, cols, count = data.shape
    lazy = hasattr(data, "rows")
    dtype = (_lazy_storage_type(data.dtype, hooks.say) if lazy
             else storage_type(data, hooks.say))
    predictor = "3" if dtype.kind == "f" else "2"
    with gdal_exceptions(), staged(path) as temporary, writing(gdal.GetDriverByName(
            "GTiff").Create(temporary, cols, rows, count, GDAL_TYPES[dtype],
                            options=CUBE_OPTIONS + [f"PREDICTOR={predictor}"]), path) as dataset:
        dataset.SetGeoTransform(tuple(geotransform) if geotransform is not None
                                else placement.geotransform())
        srs = placement.spatial_reference()
        if srs is not None:
            dataset.SetSpatialRef(srs)
        for index in range(count):
            dataset.GetRasterBand(index + 1).SetDescription(f"Band {index + 1}")
        if bands:
            write_band_metadata(dataset, bands)
            nodata = {band.nodata for band in bands if band.nodata is not None}
            if len(nodata) == 1:  # GeoTIFF keeps one nodata value for all bands
                value = nodata.pop()
                for index in range(count):
                    dataset.GetRasterBand(index + 1).SetNoDataValue(value)
        for start in range(0, rows, STRIP_ROWS):
            hooks.check(IMPORT_CANCELLED)
            strip = (data.rows(start, start + STRIP_ROWS) if lazy
                     else np.asarray(data[start : start + STRIP_ROWS]))
            dataset.WriteArray(np.ascontiguousarray(strip.transpose(2, 0, 1), dtype=dtype),
                               0, start)
            hooks.advance(min(1.0, (start + STRIP_ROWS) / rows))


def log_band_metadata(bands: Sequence[BandInfo], log: LogCallback) -> None:
    """Say what the written bands carry: wavelengths (and their range), FWHM, bad-band
    flags, scale factors."""
    known = [band for band in bands if band.wavelength is not None]
    if not known:
        log("The bands have no wavelengths: written by number only.")
        return
    parts = [f"{len(known)} of {len(bands)} bands with wavelengths "
             f"({min(b.wavelength for b in known):g}-{max(b.wavelength for b in known):g} nm)"]
    with_fwhm = sum(band.fwhm is not None for band in bands)
    if with_fwhm:
        parts.append(f"{with_fwhm} with FWHM")
    bad = sum(band.bad for band in bands)
    if bad:
        parts.append(f"{bad} flagged bad")
    scaled = sum(band.scaled for band in bands)
    if scaled:
        parts.append(f"{scaled} with a scale factor or offset")
    log("Band metadata written: " + ", ".join(parts) + ".")

