"""Training pixels from polygons: rasterise them on the raster's grid, read the spectra.

QGIS-free (GDAL/OGR): the Processing layer hands over the polygons as WKB already in
the raster's CRS, so this works the same from QGIS, a script or a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from ..common.classes import ClassInfo
from ..common.errors import CrnnError
from ..common.palette import class_colour
from ..network.config import check_input_window
from ..network.window import network_input
from ..rasters.files import memory_vector_driver
from ..rasters.raster import SpectralRaster


@dataclass
class TrainingPixels:
    """Spectra of the pixels under the polygons, with their class and polygon."""

    spectra: np.ndarray  # (pixels, bands) float32 raw values (window means: see input_window)
    labels: np.ndarray  # (pixels,) index into the caller's polygon classes
    groups: np.ndarray  # (pixels,) id of the polygon each pixel came from
    rows: np.ndarray
    cols: np.ndarray
    dropped_nodata: int  # pixels under polygons skipped because of nodata/NaN/Inf/all 0
    # raw spectra of (training pixel, its right or lower neighbour) pairs, for the edge LOP
    neighbours: Tuple[np.ndarray, np.ndarray] = (np.empty((0, 0)), np.empty((0, 0)))
    # pixels that polygons of different classes claim: ambiguous, left out of training
    contested: int = 0


MAX_NEIGHBOUR_PAIRS = 20000


@dataclass
class PolygonGrid:
    """Polygons burnt on a window of the raster's grid (``burn_polygons``)."""

    row0: int  # the window's place in the raster
    col0: int
    classes: np.ndarray  # class index + 1; 0: no polygon (or a contested pixel, left out)
    ids: np.ndarray  # polygon position + 1 (the later polygon's where they overlap)
    contested: int  # pixels claimed by polygons of different classes


def burn_polygons(dataset: gdal.Dataset, polygons: Sequence[Tuple[bytes, int]],
                  all_touched: bool = False, leave_out_contested: bool = True) -> PolygonGrid:
    """Burn polygons (WKB in the raster's CRS, class index >= 0) onto the raster's grid.

    Only the window around the polygons is rasterised, so memory follows the polygons,
    not the raster. A pixel is taken when its centre lies inside a polygon, or when the
    polygon touches it with ``all_touched``. A pixel that polygons of different classes
    claim is ambiguous: it is counted and, with ``leave_out_contested``, left out (else
    the later polygon wins). Overlapping polygons of one class are fine.
    """
    transform = dataset.GetGeoTransform()
    if transform[2] != 0 or transform[4] != 0:
        raise CrnnError("Rotated rasters are not supported: warp the raster to a north-up grid.")
    source = memory_vector_driver().CreateDataSource("polygons")
    layer, envelope = _polygon_layer(source, dataset.GetProjection(), polygons)
    col0, col1, row0, row1 = _polygon_window(envelope, transform, dataset.RasterXSize,
                                             dataset.RasterYSize)
    origin = (transform[0] + col0 * transform[1], transform[3] + row0 * transform[5])
    options = ["ALL_TOUCHED=TRUE"] if all_touched else []
    classes, ids, claims = _burn(layer, origin, transform, col1 - col0, row1 - row0,
                                 [(options + ["ATTRIBUTE=class"], None),
                                  (options + ["ATTRIBUTE=polygon"], None),
                                  (options + ["MERGE_ALG=ADD"], 1)])
    contested = _contested(layer, origin, transform, options, claims)
    if leave_out_contested:
        classes[contested] = 0
    return PolygonGrid(row0, col0, classes, ids, int(contested.sum()))


def _polygon_layer(source: ogr.DataSource, projection: str,
                   polygons: Sequence[Tuple[bytes, int]]) -> Tuple[ogr.Layer, Tuple[float, ...]]:
    """The polygons as a layer of ``source`` (fields: class + 1, polygon position + 1 and
    (class + 1) ** 2) and their envelope (min x, max x, min y, max y)."""
    srs = None
    if projection:
        srs = osr.SpatialReference(wkt=projection)
    layer = source.CreateLayer("polygons", srs=srs, geom_type=ogr.wkbUnknown)
    layer.CreateField(ogr.FieldDefn("class", ogr.OFTInteger))
    layer.CreateField(ogr.FieldDefn("polygon", ogr.OFTInteger))
    layer.CreateField(ogr.FieldDefn("square", ogr.OFTInteger64))  # (class + 1) ** 2
    envelope = None
    for position, (wkb, class_index) in enumerate(polygons):
        geometry = ogr.CreateGeometryFromWkb(bytes(wkb))
        if geometry is None or geometry.IsEmpty():
            continue
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(geometry)
        feature.SetField("class", int(class_index) + 1)
        feature.SetField("polygon", position + 1)
        feature.SetField("square", (int(class_index) + 1) ** 2)
        layer.CreateFeature(feature)
        minx, maxx, miny, maxy = geometry.GetEnvelope()
        envelope = (minx, maxx, miny, maxy) if envelope is None else (
            min(envelope[0], minx), max(envelope[1], maxx),
            min(envelope[2], miny), max(envelope[3], maxy))
    if envelope is None:
        raise CrnnError("The training layer has no polygons with a geometry.")
    return layer, envelope


def _polygon_window(envelope: Tuple[float, ...], transform: Sequence[float], width: int,
                    height: int) -> Tuple[int, int, int, int]:
    """The pixel window (col0, col1, row0, row1) of the polygons' envelope, clipped to the
    raster, with a one pixel margin for all_touched."""
    if not all(np.isfinite(envelope)):
        raise CrnnError(
            "The training polygons' coordinates cannot be placed on the raster (they are "
            "infinite after reprojection to the raster's CRS). Check the polygon layer's "
            "CRS: coordinates in metres tagged as degrees (EPSG:4326) are a common mistake."
        )
    col_a = (envelope[0] - transform[0]) / transform[1]
    col_b = (envelope[1] - transform[0]) / transform[1]
    row_a = (envelope[3] - transform[3]) / transform[5]
    row_b = (envelope[2] - transform[3]) / transform[5]
    # clipped before int(): coordinates far off the raster make huge (or inf) pixel numbers
    col0 = int(np.clip(np.floor(min(col_a, col_b)) - 1, 0, width))
    col1 = int(np.clip(np.ceil(max(col_a, col_b)) + 1, 0, width))
    row0 = int(np.clip(np.floor(min(row_a, row_b)) - 1, 0, height))
    row1 = int(np.clip(np.ceil(max(row_a, row_b)) + 1, 0, height))
    if col1 <= col0 or row1 <= row0:
        raise CrnnError(
            "No training polygon overlaps the raster. Check that the polygons cover the "
            "image (and their layer's CRS is set correctly)."
        )
    return col0, col1, row0, row1


def _contested(layer: ogr.Layer, origin: Tuple[float, float], transform: Sequence[float],
               options: List[str], claims: np.ndarray) -> np.ndarray:
    """Where polygons of different classes claim a pixel (``claims``: how many polygons
    claim each pixel of the window at ``origin``)."""
    contested = np.zeros(claims.shape, bool)
    if claims.max(initial=0) > 1:  # some overlap: do the claims agree on the class?
        r, c = np.nonzero(claims > 1)
        top, left, bottom, right = r.min(), c.min(), r.max() + 1, c.max() + 1
        inner = (slice(top, bottom), slice(left, right))
        total, squares = _burn(
            layer, (origin[0] + left * transform[1], origin[1] + top * transform[5]),
            transform, right - left, bottom - top,
            [(options + ["MERGE_ALG=ADD", "ATTRIBUTE=class"], None),
             (options + ["MERGE_ALG=ADD", "ATTRIBUTE=square"], None)])
        # n claims of classes c_i agree iff their variance is 0: n * sum(c^2) == sum(c)^2
        count = claims[inner].astype(np.int64)
        total = total.astype(np.int64)
        contested[inner] = count * squares.astype(np.int64) != total * total
    return contested


def _burn(layer: ogr.Layer, origin: Tuple[float, float], transform: Sequence[float],
          width: int, height: int, burns: Sequence[Tuple[List[str], Optional[int]]]
          ) -> List[np.ndarray]:
    """Rasterise ``layer`` once per (options, burn value or None for the options'
    ATTRIBUTE) on a window of the grid at ``origin``: one Int32 grid each."""
    window = gdal.GetDriverByName("MEM").Create("", int(width), int(height), len(burns),
                                                gdal.GDT_Int32)
    window.SetGeoTransform((origin[0], transform[1], 0.0, origin[1], 0.0, transform[5]))
    for band, (options, value) in enumerate(burns, 1):
        if value is None:
            gdal.RasterizeLayer(window, [band], layer, options=options)
        else:
            gdal.RasterizeLayer(window, [band], layer, burn_values=[value], options=options)
    return [window.GetRasterBand(band).ReadAsArray() for band in range(1, len(burns) + 1)]


def _polygon_strips(raster: SpectralRaster, classes: np.ndarray, row0: int, col0: int,
                    rows_per_read: int, before: int, after: int):
    """Strips of the polygon grid that hold pixels: (strip start, strip, rows, columns of
    its pixels, the raster window around them (x0, y0, x1, y1) with ``before`` pixels
    above and left and ``after`` below and right, clipped to the raster)."""
    for start in range(0, classes.shape[0], rows_per_read):
        strip = classes[start : start + rows_per_read]
        if not strip.any():
            continue
        r, c = np.nonzero(strip)
        top, left = row0 + start, col0 + int(c.min())
        window = (max(0, left - before), max(0, top - before),
                  min(raster.width, col0 + int(c.max()) + 1 + after),
                  min(raster.height, top + strip.shape[0] + after))
        yield start, strip, r, c, window


def bands_without_data(raster_path: str, band_indices: Sequence[int],
                       polygons: Sequence[Tuple[bytes, int]], all_touched: bool = False,
                       rows_per_read: int = 256) -> List[int]:
    """The bands (1-based) that hold nodata, NaN or Inf at every pixel under the polygons
    (e.g. water-absorption bands stored as NaN): training leaves them out instead of
    finding every pixel nodata."""
    raster = SpectralRaster(raster_path, band_indices)
    grid = burn_polygons(raster.dataset, polygons, all_touched)
    row0, col0, classes = grid.row0, grid.col0, grid.classes
    seen = np.zeros(len(raster.band_indices), bool)
    for start, _, r, c, (x0, y0, x1, y1) in _polygon_strips(
            raster, classes, row0, col0, rows_per_read, 0, 0):
        validity = raster.band_validity(x0, y0, x1 - x0, y1 - y0)
        seen |= validity[r + row0 + start - y0, c + col0 - x0].any(axis=0)
    return [band for band, has_data in zip(raster.band_indices, seen) if not has_data]


def read_training_pixels(
    raster_path: str,
    band_indices: Sequence[int],
    polygons: Sequence[Tuple[bytes, int]],
    all_touched: bool = False,
    rows_per_read: int = 256,
    input_window: int = 1,
) -> TrainingPixels:
    """Spectra of every valid pixel under the polygons, read a strip at a time.

    With ``input_window`` > 1 the spectra are the window means the network reads
    (models/network/window.py), taken over the image around the polygons; the neighbour pairs
    stay single pixels, as the edge LOP compares them.
    """
    raster = SpectralRaster(raster_path, band_indices)
    check_input_window(input_window)
    grid = burn_polygons(raster.dataset, polygons, all_touched)
    radius = input_window // 2
    found = _PixelsRead(raster, grid, input_window, rows_per_read)
    # the window's halo around the pixels, and at least one more row and column for
    # their right and lower neighbours
    for strip in _polygon_strips(raster, grid.classes, grid.row0, grid.col0, rows_per_read,
                                 radius, max(radius, 1)):
        found.read(*strip)
    return found.pixels()


class _PixelsRead:
    """The training pixels read so far, strip by strip, and what was dropped."""

    def __init__(self, raster: SpectralRaster, grid: PolygonGrid, input_window: int,
                 rows_per_read: int):
        self.raster, self.grid = raster, grid
        self.input_window, self.rows_per_read = input_window, rows_per_read
        self.spectra: List[np.ndarray] = []
        self.labels: List[np.ndarray] = []
        self.groups: List[np.ndarray] = []
        self.rows: List[np.ndarray] = []
        self.cols: List[np.ndarray] = []
        self.pairs: Tuple[List[np.ndarray], List[np.ndarray]] = ([], [])
        self.dropped = self.zeros = self.pair_count = 0

    def read(self, start: int, strip: np.ndarray, r: np.ndarray, c: np.ndarray,
             window: Tuple[int, int, int, int]) -> None:
        """The valid pixels of a strip of the polygon grid (``_polygon_strips``)."""
        x0, y0, x1, y1 = window
        top, col0 = self.grid.row0 + start, self.grid.col0
        pixels, valid = self.raster.read(x0, y0, x1 - x0, y1 - y0, np.float64)
        rr, cc = r + top - y0, c + col0 - x0  # the pixels' places in the block
        self._pairs(pixels, valid, rr, cc)
        values = pixels[rr, cc]
        keep = valid[rr, cc]
        self.dropped += int((~keep).sum())
        blank = np.isclose(values, self.raster.zero_reads_as, rtol=1e-6, atol=0).all(axis=-1)
        self.zeros += int((blank & ~keep).sum())
        values = network_input(pixels, valid, self.input_window)[rr, cc]
        self.spectra.append(values[keep].astype(np.float32))
        self.labels.append(strip[r, c][keep] - 1)
        self.groups.append(self.grid.ids[start : start + self.rows_per_read][r, c][keep] - 1)
        self.rows.append(top + r[keep])
        self.cols.append(col0 + c[keep])

    def _pairs(self, pixels: np.ndarray, valid: np.ndarray, rr: np.ndarray,
               cc: np.ndarray) -> None:
        """The pixels and their right and lower neighbours, both valid, as pairs (up to
        ``MAX_NEIGHBOUR_PAIRS`` in all)."""
        height, width = valid.shape
        pair_count = self.pair_count
        for dr, dc in ((0, 1), (1, 0)):
            inside = (rr + dr < height) & (cc + dc < width)
            ra, ca = rr[inside], cc[inside]
            both = valid[ra, ca] & valid[ra + dr, ca + dc]
            take = max(0, min(int(both.sum()), MAX_NEIGHBOUR_PAIRS - pair_count))
            self.pairs[0].append(pixels[ra, ca][both][:take].astype(np.float32))
            self.pairs[1].append(pixels[ra + dr, ca + dc][both][:take].astype(np.float32))
            pair_count += take
        self.pair_count = pair_count

    def pixels(self) -> TrainingPixels:
        """What was read, or the error that says why no pixel can train."""
        contested = self.grid.contested
        if not self.spectra:
            if contested:
                raise CrnnError(
                    f"Every pixel under the training polygons ({contested}) lies where "
                    "polygons of different classes overlap, so its class is ambiguous. "
                    "Remove the overlaps (e.g. with 'Difference'), or give the polygons one "
                    "class."
                )
            raise CrnnError(
                "The training polygons cover no pixel centre of the raster. Draw larger "
                "polygons, or enable 'all touched pixels'."
            )
        kept = sum(len(block) for block in self.spectra)
        if not kept and self.zeros:
            raise CrnnError(
                f"The pixels under the training polygons have no data: {self.zeros} of the "
                f"{self.dropped} read 0 in every band (the fill of an image without a "
                "nodata value, not a measurement), the others nodata, NaN or Inf. Check "
                "that INPUT is the right raster and BANDS the right bands, and that the "
                "polygons lie on the image's data."
            )
        pixels = np.concatenate(self.spectra)
        class_labels = np.concatenate(self.labels).astype(np.int64)
        if len(np.unique(class_labels)) > 1 and (pixels == pixels[0]).all():
            raise CrnnError(
                f"The {kept} training pixels have the same value in every band (every "
                f"spectrum reads {_spectrum_text(pixels[0])}), so no class can be told "
                "from another. Check that INPUT is the right raster and BANDS the right "
                "bands."
            )
        return TrainingPixels(
            spectra=pixels,
            labels=class_labels,
            groups=np.concatenate(self.groups).astype(np.int64),
            rows=np.concatenate(self.rows),
            cols=np.concatenate(self.cols),
            dropped_nodata=self.dropped,
            neighbours=(np.concatenate(self.pairs[0]), np.concatenate(self.pairs[1])),
            contested=contested,
        )


def _spectrum_text(spectrum: np.ndarray) -> str:
    """A spectrum for a message: its value where all bands agree, else its first values."""
    if (spectrum == spectrum[0]).all():
        return f"{spectrum[0]:g} in all {len(spectrum)} bands"
    shown = ", ".join(f"{value:g}" for value in spectrum[:5])
    return f"{shown}{', ...' if len(spectrum) > 5 else ''}"


def classes_from_keys(keys: Sequence, numeric: bool, colours: Dict[str, str],
                      names: Dict[int, str]) -> List[ClassInfo]:
    """The class list of the training polygons' class values, in sorted order.

    Integer values stay the class raster's pixel values, named from ``names`` (else
    "Class N"); text values get the values 1..K in sorted order and keep their text as
    name. Each class takes its colour from ``colours`` (keyed by the value as text, e.g. a
    categorized style's), else the plugin's palette.
    """
    classes = []
    for position, key in enumerate(sorted(keys)):
        value = int(key) if numeric else position + 1
        name = (names.get(value) or f"Class {key}") if numeric else str(key)
        classes.append(ClassInfo(value, name, colours.get(str(key), class_colour(position))))
    return classes


def classes_with_pixels(labels: np.ndarray, n_classes: int) -> Tuple[List[int], List[int]]:
    """(positions of classes with training pixels, positions of those without): a class
    whose polygons cover no pixel centre (or only nodata) is dropped from training."""
    counts = np.bincount(np.asarray(labels, np.int64), minlength=n_classes)[:n_classes]
    return ([i for i in range(n_classes) if counts[i] > 0],
            [i for i in range(n_classes) if counts[i] == 0])
