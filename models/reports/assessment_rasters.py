"""The accuracy assessment's rasters (QGIS-free): reference polygons burnt on the
classification's grid, a reference raster checked against that grid, class names and
colours read from a band, and the classification compared strip by strip
(:func:`assess_raster`).

The classification is read a strip of rows at a time, so memory follows the raster's
width, not its size. The counting and the figures are :mod:`.assessment`'s. This module
uses numpy and GDAL/OGR only, never QGIS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
from osgeo import gdal, ogr, osr

from ..common.callbacks import CancelCheck, ProgressCallback
from ..common.errors import CancelledError, CrnnError
from ..rasters.files import open_raster, read_block
from ..training.samples import burn_polygons
from .assessment import Assessment, ConfusionCounter

ROWS_PER_READ = 256
"""Rows of the classification read at once (bounded memory; any value gives the same
numbers)."""


@dataclass
class ReferenceWindow:
    """Reference class values burnt on a window of the classification grid (0 = none)."""

    row0: int
    col0: int
    values: np.ndarray
    contested: int = 0  # pixels that polygons of different classes claim (left out)
    ids: Optional[np.ndarray] = None  # polygon position + 1 (0: none), for clusters


def rasterise_reference(dataset: gdal.Dataset,
                        polygons: Sequence[Tuple[bytes, int]]) -> ReferenceWindow:
    """Burn reference polygons (WKB in the raster's CRS, class value) by pixel centres.

    Class values must be non-zero integers; 0 would mean "unlabelled". A pixel that
    polygons of different classes claim has no single reference class: it is left out
    and counted (``contested``); overlaps of one class are fine.
    """
    polygons = [(wkb, int(value)) for wkb, value in polygons]
    if not polygons:
        raise CrnnError("The reference layer has no polygon with a class value.")
    if any(value == 0 for _, value in polygons):
        raise CrnnError("A reference polygon has class value 0, which means 'unlabelled': "
                        "use class values from 1 (the classification's class ids).")
    _check_overlap(dataset, [wkb for wkb, _ in polygons])
    values = sorted({value for _, value in polygons})
    position = {value: i for i, value in enumerate(values)}
    grid = burn_polygons(dataset, [(wkb, position[value]) for wkb, value in polygons])
    lookup = np.array([0, *values], dtype=np.int64)
    # the polygon ids are read only where a pixel has a reference class
    return ReferenceWindow(grid.row0, grid.col0, lookup[grid.classes], grid.contested,
                           grid.ids)


def _check_overlap(dataset: gdal.Dataset, wkbs: Sequence[bytes]) -> None:
    """Say clearly when no reference polygon touches the classification's extent."""
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    x1, y1 = x0 + dx * dataset.RasterXSize, y0 + dy * dataset.RasterYSize
    left, right, bottom, top = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    for wkb in wkbs:
        geometry = ogr.CreateGeometryFromWkb(bytes(wkb))
        if geometry is None or geometry.IsEmpty():
            continue
        minx, maxx, miny, maxy = geometry.GetEnvelope()
        if minx < right and maxx > left and miny < top and maxy > bottom:
            return
    raise CrnnError(
        "No reference polygon overlaps the classification raster. Check that the "
        "polygons cover the classified area and that their layer's CRS is set correctly."
    )


def check_same_grid(classification: gdal.Dataset, reference: gdal.Dataset,
                    reference_path: str) -> None:
    """A reference raster must be on the classification's grid (size and geotransform)
    and in its CRS where both have one: the same numbers in another CRS are another
    place."""
    size_a = (classification.RasterXSize, classification.RasterYSize)
    size_b = (reference.RasterXSize, reference.RasterYSize)
    gt_a, gt_b = classification.GetGeoTransform(), reference.GetGeoTransform()
    tolerance = 1e-6 * max(abs(gt_a[1]), abs(gt_a[5]), 1e-12)
    same = size_a == size_b and all(abs(a - b) <= tolerance for a, b in zip(gt_a, gt_b))
    if not same:
        raise CrnnError(
            f"The reference raster '{reference_path}' is not on the classification's grid "
            f"({size_b[0]} x {size_b[1]} pixels, geotransform {tuple(gt_b)}; the "
            f"classification has {size_a[0]} x {size_a[1]} pixels, geotransform "
            f"{tuple(gt_a)}). Align it first, e.g. with 'Align rasters' or 'Warp "
            "(reproject)' using the classification as the target grid and nearest "
            "neighbour resampling, or use reference polygons instead."
        )
    crs_a, crs_b = _crs(classification), _crs(reference)
    # a raster without a CRS is taken to share the other's (as reference polygons are)
    if crs_a is not None and crs_b is not None and not crs_a.IsSame(
            crs_b, ["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                    "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS"]):
        raise CrnnError(
            f"The reference raster '{reference_path}' has the classification's grid "
            f"numbers but another CRS ({_crs_name(crs_b)}; the classification is in "
            f"{_crs_name(crs_a)}), so its pixels lie elsewhere. Warp it to the "
            "classification's CRS and grid ('Warp (reproject)' with nearest neighbour "
            "resampling), or assign it the right CRS if its CRS is wrong."
        )


def _crs(dataset: gdal.Dataset) -> Optional[osr.SpatialReference]:
    """A raster's CRS, None where it has none."""
    wkt = dataset.GetProjection()
    if not wkt:
        return None
    srs = osr.SpatialReference()
    try:  # GDAL exceptions on or off
        return srs if srs.ImportFromWkt(wkt) == 0 else None
    except RuntimeError:
        return None


def _crs_name(srs: osr.SpatialReference) -> str:
    """"EPSG:32616 (WGS 84 / UTM zone 16N)", or the name alone without an authority."""
    try:  # a CRS without an EPSG code is named as it is
        srs.AutoIdentifyEPSG()
    except RuntimeError:
        pass
    authority, code = srs.GetAuthorityName(None), srs.GetAuthorityCode(None)
    name = srs.GetName() or "unnamed CRS"
    return f"{authority}:{code} ({name})" if authority and code else name


def missing_mask(block: np.ndarray, nodata: Optional[float]) -> np.ndarray:
    """Pixels without a class: nodata, 0, NaN or Inf."""
    missing = (block == 0) | ~np.isfinite(block)  # integers are all finite
    if nodata is not None and not math.isnan(nodata):
        missing |= block == nodata
    return missing


def as_classes(block: np.ndarray, missing: np.ndarray, what: str) -> np.ndarray:
    """Class values as int64, 0 where ``missing``: an integer raster's nodata (255 in a
    Byte reference) is no class, as a float raster's is not."""
    valid = block[~missing]  # integers always equal their rounding
    if valid.size and not np.all(valid == np.round(valid)):
        raise CrnnError(
            f"The {what} holds non-integer values, so it is not a class raster. Use "
            "a raster of class ids (e.g. the output of 'Classify')."
        )
    return np.where(missing, 0, block).astype(np.int64)


def band_classes(band: gdal.Band) -> Tuple[Dict[int, str], Dict[int, str]]:
    """Category names and colour-table colours of a band, by class value."""
    # GDAL 3.6's GeoTIFF driver reads the .aux.xml (where category names live) lazily,
    # and GetCategoryNames() does not trigger it: GetDescription() does.
    band.GetDescription()
    names = {}
    for value, name in enumerate(band.GetCategoryNames() or []):
        if name and value > 0:
            names[value] = name
    colours = {}
    table = band.GetRasterColorTable()
    if table is not None:
        for value in range(1, table.GetCount()):
            r, g, b, a = table.GetColorEntry(value)
            if a > 0:
                colours[value] = f"#{r:02x}{g:02x}{b:02x}"
    return names, colours


def assess_raster(
    classification_path: str,
    reference: Union[str, ReferenceWindow],
    class_names: Optional[Dict[int, str]] = None,
    rows_per_read: int = ROWS_PER_READ,
    progress: Optional[ProgressCallback] = None,
    is_cancelled: Optional[CancelCheck] = None,
) -> Assessment:
    """Compare band 1 of a class raster with a reference raster or burnt polygons.

    Args:
        classification_path: the class raster; nodata, 0 and NaN mean "unclassified".
        reference: path of a reference raster on the same grid (nodata and 0 mean
            "unlabelled"), or a :class:`ReferenceWindow` from :func:`rasterise_reference`.
        class_names: names by class value, overriding the rasters' category names.
        rows_per_read: rows read per strip.
        progress: called with the fraction done (0-1).
        is_cancelled: polled between strips; raises ``CancelledError`` when true.

    Returns:
        The :class:`Assessment`; names come from ``class_names``, else the
        classification's category names, else the reference raster's, else "Class N".
    """
    classification = open_raster(classification_path)
    band = classification.GetRasterBand(1)
    nodata = band.GetNoDataValue()
    names, colours = band_classes(band)
    sources = {"classification": classification_path}
    notes = []
    if classification.RasterCount > 1:
        notes.append(f"The classification has {classification.RasterCount} bands; band 1 "
                     "was assessed.")
    if isinstance(reference, ReferenceWindow):
        window = reference
        if window.contested:
            notes.append(f"{window.contested} pixel(s) lie under reference polygons of "
                         "different classes; they have no single reference class and were "
                         "left out.")
        ref_band = None
        ref_nodata = None
        sources["reference"] = "polygons (rasterised by pixel centres)"
    else:
        ref_dataset = open_raster(reference)
        check_same_grid(classification, ref_dataset, reference)
        ref_band = ref_dataset.GetRasterBand(1)
        ref_nodata = ref_band.GetNoDataValue()
        ref_names, ref_colours = band_classes(ref_band)
        names = {**ref_names, **names}
        colours = {**ref_colours, **colours}
        window = ReferenceWindow(0, 0, None)  # the whole grid, read strip by strip
        sources["reference"] = reference
    names.update(class_names or {})

    if window.values is not None:
        height, width = window.values.shape
    else:
        height, width = classification.RasterYSize, classification.RasterXSize
    counter = ConfusionCounter()
    for start in range(0, height, rows_per_read):
        if is_cancelled is not None and is_cancelled():
            raise CancelledError("The assessment was cancelled; no report was written.")
        rows = min(rows_per_read, height - start)
        if window.values is not None:
            ref_block = window.values[start : start + rows]
            if not ref_block.any():
                continue
        else:
            raw = read_block(ref_dataset, 0, start, width, rows, [1])[0]
            ref_block = as_classes(raw, missing_mask(raw, ref_nodata), "reference raster")
        raw = read_block(classification, window.col0,
                         window.row0 + start, width, rows, [1])[0]
        missing = missing_mask(raw, nodata)
        counter.add(ref_block, as_classes(raw, missing, "classification"), missing)
        if progress is not None:
            progress((start + rows) / height)
    result = counter.result(names, colours)
    result.sources = sources
    result.notes = notes
    return result
