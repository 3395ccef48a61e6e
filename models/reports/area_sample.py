"""The reference sample and the map's areas read from rasters (QGIS-free), for the
estimates of :mod:`.area_estimates`.

- ``map_pixel_area``: one pixel's area in hectares, from the map's grid and CRS units; a
  map in degrees is refused (its pixels differ in area with latitude).
- ``count_classes``: the pixels of each class (or stratum) of a raster, read in strips
  (memory follows the width, not the size).
- ``sample_at_points``: the map's class (and stratum) under each reference point.
- ``sample_of_pixels``: a reference raster's or burnt polygons' pixels as counted
  (group, map class, reference class) units: a stratum, a polygon (``clusters``) or one
  group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from osgeo import gdal, ogr, osr

from ..common.callbacks import CancelCheck
from ..common.errors import CancelledError, CrnnError
from ..rasters.files import open_raster, read_block
from .area_estimates import ReferenceSample
from .assessment_rasters import (
    ROWS_PER_READ,
    ReferenceWindow,
    as_classes,
    check_same_grid,
    missing_mask,
)

SQUARE_METRES_PER_HECTARE = 10_000.0


def map_pixel_area(dataset: gdal.Dataset) -> Tuple[float, List[str]]:
    """One pixel's area in hectares, and notes on how it was found."""
    x0, dx, rx, y0, ry, dy = dataset.GetGeoTransform()
    if rx or ry:
        raise CrnnError("Rotated rasters are not supported: warp the classification to a "
                        "north-up grid.")
    wkt = dataset.GetProjection()
    notes: List[str] = []
    metres = 1.0
    if not wkt:
        notes.append("The classification has no CRS: its grid units are taken to be "
                     "metres.")
    else:
        srs = osr.SpatialReference(wkt=wkt)
        if srs.IsGeographic():
            raise CrnnError(
                "The classification is in geographic coordinates (degrees), where pixels "
                "differ in area with latitude: warp it to a projected CRS in metres (e.g. "
                "its UTM zone, 'Warp (reproject)' with nearest neighbour) to estimate "
                "areas.")
        metres = srs.GetLinearUnits() or 1.0
    return abs(dx * dy) * metres ** 2 / SQUARE_METRES_PER_HECTARE, notes


def map_unit(dataset: gdal.Dataset) -> Tuple[str, float]:
    """The map's linear unit (its CRS's name for it; metres without a CRS) and how many
    of its square units make a hectare."""
    wkt = dataset.GetProjection()
    if not wkt:
        return "metre", SQUARE_METRES_PER_HECTARE
    srs = osr.SpatialReference(wkt=wkt)
    metres = srs.GetLinearUnits() or 1.0
    return (srs.GetLinearUnitsName() or "metre"), SQUARE_METRES_PER_HECTARE / metres ** 2


def count_classes(dataset: gdal.Dataset, rows_per_read: int = ROWS_PER_READ,
                  is_cancelled: Optional[CancelCheck] = None,
                  within: Optional[gdal.Dataset] = None) -> Dict[int, int]:
    """Pixels of each class value of band 1 (nodata, 0 and NaN left out), in strips;
    with ``within`` (a class raster on the same grid) only where it has a class: a
    stratum's pixels are those the map classifies, as its sample units are."""
    counts: Dict[int, int] = {}
    for start in range(0, dataset.RasterYSize, rows_per_read):
        if is_cancelled is not None and is_cancelled():
            raise CancelledError("The assessment was cancelled; no report was written.")
        rows = min(rows_per_read, dataset.RasterYSize - start)
        values = strip_classes(dataset, start, rows)
        if within is not None:
            values[strip_classes(within, start, rows) == 0] = 0
        found, n = np.unique(values[values != 0], return_counts=True)
        for value, count in zip(found.tolist(), n.tolist()):
            counts[value] = counts.get(value, 0) + count
    return counts


def strip_classes(dataset: gdal.Dataset, start: int, rows: int) -> np.ndarray:
    """Band 1's class values (0: none) in ``rows`` rows from ``start``."""
    raw = read_block(dataset, 0, start, dataset.RasterXSize, rows, [1])[0]
    nodata = dataset.GetRasterBand(1).GetNoDataValue()
    return as_classes(raw, missing_mask(raw, nodata), dataset.GetDescription())


@dataclass
class PointSample:
    """Reference points on the map: the reference class, the map's class (0 where it
    has none) and the stratum of each point inside the map."""

    reference: np.ndarray
    predicted: np.ndarray
    strata: np.ndarray
    notes: List[str] = field(default_factory=list)


def _value_at(dataset: gdal.Dataset, cols: np.ndarray, rows: np.ndarray,
              what: str) -> np.ndarray:
    """Band 1's class value (0 = none) at each pixel."""
    band = dataset.GetRasterBand(1)
    nodata = band.GetNoDataValue()
    values = np.zeros(len(cols), np.int64)
    for i, (col, row) in enumerate(zip(cols.tolist(), rows.tolist())):
        raw = read_block(dataset, col, row, 1, 1, [1])[0]
        values[i] = as_classes(raw, missing_mask(raw, nodata), what)[0, 0]
    return values


def points_from_wkb(records: Sequence[Tuple[bytes, int]]) -> List[Tuple[float, float, int]]:
    """(x, y, class) of each point of (WKB point or multipoint, class) records."""
    points = []
    for wkb, value in records:
        geometry = ogr.CreateGeometryFromWkb(bytes(wkb))
        parts = ([geometry.GetGeometryRef(i) for i in range(geometry.GetGeometryCount())]
                 if geometry.GetGeometryCount() else [geometry])
        points += [(part.GetX(), part.GetY(), int(value)) for part in parts]
    return points


def sample_at_points(classification_path: str, points: Sequence[Tuple[float, float, int]],
                     strata_path: Optional[str] = None) -> PointSample:
    """The map's class under each point (x, y in the map's CRS, reference class).

    A point outside the map is left out and counted in a note; the map's class 0 means
    the map has none there (unclassified, an error in the confusion matrix).
    """
    classification = open_raster(classification_path)
    x0, dx, _, y0, _, dy = classification.GetGeoTransform()
    xy = np.array([(x, y) for x, y, _ in points], np.float64).reshape(-1, 2)
    reference = np.array([int(value) for _, _, value in points], np.int64)
    cols = np.floor((xy[:, 0] - x0) / dx).astype(np.int64)
    rows = np.floor((xy[:, 1] - y0) / dy).astype(np.int64)
    inside = ((cols >= 0) & (cols < classification.RasterXSize)
              & (rows >= 0) & (rows < classification.RasterYSize))
    notes = []
    if not inside.all():
        notes.append(f"{int((~inside).sum())} reference point(s) lie outside the "
                     "classification and were left out.")
    cols, rows, reference = cols[inside], rows[inside], reference[inside]
    predicted = _value_at(classification, cols, rows, "classification")
    strata = predicted
    if strata_path:
        dataset = open_raster(strata_path)
        check_same_grid(classification, dataset, strata_path)
        strata = _value_at(dataset, cols, rows, "strata raster")
    return PointSample(reference, predicted, strata, notes)


def sample_of_pixels(classification_path: str, reference: Union[str, ReferenceWindow],
                     design: str, strata_path: Optional[str] = None,
                     rows_per_read: int = ROWS_PER_READ,
                     is_cancelled: Optional[CancelCheck] = None
                     ) -> Tuple[ReferenceSample, int]:
    """Every reference pixel on a classified pixel as counted (group, map, reference)
    units, and the number of reference pixels the map leaves unclassified (outside every
    stratum). The group is the stratum (``strata``), the polygon (``clusters``), else 0.
    """
    if design == "clusters" and not (isinstance(reference, ReferenceWindow)
                                     and reference.ids is not None):
        raise CrnnError("The 'clusters' design takes each reference polygon as a cluster: "
                        "give reference polygons, or choose another design.")
    classification = open_raster(classification_path)
    nodata = classification.GetRasterBand(1).GetNoDataValue()
    strata_set = open_raster(strata_path) if design == "strata" and strata_path else None
    if strata_set is not None:
        check_same_grid(classification, strata_set, strata_path)
    if isinstance(reference, ReferenceWindow):
        window, reference_set = reference, None
        height, width = window.values.shape
    else:
        reference_set = open_raster(reference)
        check_same_grid(classification, reference_set, reference)
        window = ReferenceWindow(0, 0, None)
        height, width = classification.RasterYSize, classification.RasterXSize
    counter: Dict[Tuple[int, int, int], int] = {}
    unclassified = 0
    for start in range(0, height, rows_per_read):
        if is_cancelled is not None and is_cancelled():
            raise CancelledError("The assessment was cancelled; no report was written.")
        rows = min(rows_per_read, height - start)
        if reference_set is None:
            truth = window.values[start:start + rows]
        else:
            raw = read_block(reference_set, 0, start, width, rows, [1])[0]
            truth = as_classes(raw, missing_mask(raw, reference_set.GetRasterBand(1)
                                                 .GetNoDataValue()), "reference raster")
        if not truth.any():
            continue
        row, col = window.row0 + start, window.col0
        raw = read_block(classification, col, row, width, rows, [1])[0]
        mapped = as_classes(raw, missing_mask(raw, nodata), "classification")
        if design == "clusters":
            group = window.ids[start:start + rows]
        elif strata_set is not None:
            raw = read_block(strata_set, col, row, width, rows, [1])[0]
            group = as_classes(raw, missing_mask(raw, strata_set.GetRasterBand(1)
                                                 .GetNoDataValue()), "strata raster")
        else:
            group = np.zeros_like(mapped)
        labelled = truth != 0
        unclassified += int(np.sum(labelled & ((mapped == 0) | (group == 0) & (
            design == "strata"))))
        keep = labelled & (mapped != 0) & ((group != 0) | (design != "strata"))
        keys, n = np.unique(np.stack([group[keep], mapped[keep], truth[keep]]), axis=1,
                            return_counts=True)
        for key, count in zip(map(tuple, keys.T.tolist()), n.tolist()):
            counter[key] = counter.get(key, 0) + count
    if not counter:
        return ReferenceSample(*(np.zeros(0, np.int64) for _ in range(3))), unclassified
    keys = np.array(list(counter), np.int64)
    return ReferenceSample(keys[:, 1], keys[:, 2], keys[:, 0],
                           np.array(list(counter.values()), np.float64)), unclassified


__all__ = ["map_pixel_area", "map_unit", "count_classes", "strip_classes", "PointSample",
           "points_from_wkb", "sample_at_points", "sample_of_pixels",
           "SQUARE_METRES_PER_HECTARE"]
