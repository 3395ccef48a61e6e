"""Rasters GDAL reads (ENVI, GeoTIFF, EnMAP L2A, ...): opened as files, subdataset strings
or ENVI headers, and copied to the import's GeoTIFF layout with their own georeferencing
and their wavelength / FWHM / bad-band / scale metadata (models/rasters/bands.py).
"""

from __future__ import annotations

import os
import re
from typing import List, Optional, Tuple

from osgeo import gdal

from ..common.callbacks import NO_HOOKS, Hooks
from ..common.errors import CrnnError
from ..rasters.bands import BandInfo, read_band_info, write_band_metadata
from ..rasters.files import gdal_exceptions, staged, writing
from .geotiff import CUBE_OPTIONS, IMPORT_CANCELLED, Placement, log_band_metadata


def product_image(path: str) -> Optional[str]:
    """The spectral image of a product ZIP as delivered, read inside it: EnMAP's
    ``<prefix>-SPECTRAL_IMAGE.TIF`` (or the STAC catalogue's ``..._COG.TIF``), also in the
    ZIP the archive's ZIP holds; a ``/vsizip/`` path GDAL opens, with the product's
    METADATA.XML beside it. None for a file that is no ZIP or holds no such image."""
    if not path.lower().endswith(".zip") or not os.path.isfile(path):
        return None
    return _image_in_zip(f"/vsizip/{path}", 0)


def _image_in_zip(root: str, depth: int) -> Optional[str]:
    names = sorted(gdal.ReadDirRecursive(root) or [])
    images = [n for n in names if re.search(r"-SPECTRAL_IMAGE(_COG)?\.TIF+$", n, re.I)]
    if images:
        return f"{root}/{images[0]}"
    for name in names if depth < 2 else []:  # the archive's ZIP in a ZIP
        if name.lower().endswith(".zip"):
            found = _image_in_zip(f"/vsizip/{{{root}/{name}}}", depth + 1)
            if found:
                return found
    return None


def open_source_raster(path: str) -> gdal.Dataset:
    """Open a raster GDAL can read: a file, a GDAL subdataset string (``HDF4_SDS:...``),
    a product ZIP's spectral image (:func:`product_image`), or for an ENVI header (.hdr)
    its data file."""
    inside = product_image(path)
    if inside is not None:
        path = inside
    if path.lower().endswith(".hdr"):
        stem = path[:-4]
        candidates = [c for c in [stem] + [stem + ext for ext in (
            ".img", ".dat", ".raw", ".bsq", ".bil", ".bip")] if os.path.isfile(c)]
    elif os.path.isfile(path) or ":" in path or path.startswith("/vsi"):
        candidates = [path]
    else:
        candidates = []
    for candidate in candidates:
        with gdal_exceptions():
            try:
                dataset = gdal.OpenEx(candidate, gdal.OF_RASTER | gdal.OF_READONLY)
            except RuntimeError:
                continue
        if dataset is not None:
            return dataset
    raise CrnnError(f"Cannot open '{path}' as a raster: use a .mat, .npy or .npz array, an "
                    "HDF5 / netCDF file, or a file GDAL reads (ENVI: the data file or its "
                    ".hdr).")


def copy_raster(source_path: str, path: str, placement: Optional[Placement],
                hooks: Hooks = NO_HOOKS, source: Optional[gdal.Dataset] = None,
                ) -> Tuple[Tuple[int, int, int], List[BandInfo]]:
    """Copy any GDAL raster (ENVI, GeoTIFF, ...) to the same compressed GeoTIFF layout.

    Its own georeferencing is kept; ``placement`` is used where it has none, and its
    CRS (when set) is assigned in any case (no reprojection). Each band's wavelength,
    FWHM, bad-band flag, scale and offset, wherever the source keeps them
    (:func:`read_band_info`: ENVI header, GDAL metadata, EnMAP METADATA.XML, ...), are
    written as band metadata in the EnMAP-Box convention. Returns ((rows, cols, bands),
    the bands as written).
    """
    log = hooks.say
    if source is None:
        source = open_source_raster(source_path)
    rows, cols, count = source.RasterYSize, source.RasterXSize, source.RasterCount
    has_geotransform = source.GetGeoTransform(can_return_null=True) is not None
    kind = source.GetRasterBand(1).DataType
    predictor = "3" if kind in (gdal.GDT_Float32, gdal.GDT_Float64) else "2"
    with gdal_exceptions():
        bands = read_band_info(source, product_image(source_path) or source_path)

    def callback(fraction, message, data):
        hooks.advance(fraction)
        return 0 if hooks.cancelled() else 1

    with gdal_exceptions(), staged(path) as temporary:
        try:
            copied = gdal.Translate(temporary, source, format="GTiff",
                                    creationOptions=CUBE_OPTIONS + [f"PREDICTOR={predictor}"],
                                    callback=callback)
        except RuntimeError as error:
            hooks.check(IMPORT_CANCELLED)
            raise CrnnError(f"Cannot copy '{source_path}' to GeoTIFF: {error}") from None
        with writing(copied, path):
            hooks.check(IMPORT_CANCELLED)
            if not has_geotransform and placement is not None:
                copied.SetGeoTransform(placement.geotransform())
                log("The raster has no georeferencing: placed with the given origin and pixel "
                    "size.")
            if placement is not None and placement.crs_wkt:
                copied.SetSpatialRef(placement.spatial_reference())
                if source.GetSpatialRef() is not None:
                    log("The given CRS replaces the raster's own (assigned, not reprojected).")
            write_band_metadata(copied, bands)
            if any(band.wavelength is not None for band in bands):
                # the ENVI driver's dataset-wide units (micrometres, ...) no longer apply
                copied.SetMetadataItem("wavelength_units", "Nanometers")
            for index in range(count):
                band = copied.GetRasterBand(index + 1)
                if not band.GetDescription():
                    band.SetDescription(f"Band {index + 1}")
    log_band_metadata(bands, log)
    return (rows, cols, count), bands

