"""A stratified random reference sample of a class map (QGIS-free): how many points,
how they are shared among the map's classes, and where they fall.

- ``sample_size``: Olofsson et al. (2014), eq. 13 (Cochran 1977): the points that give
  overall accuracy a target standard error, from each class's share of the map and its
  expected user's accuracy;
- ``allocate``: proportional to the classes' shares, equal, or the paper's compromise
  (rare classes get at least ``min_per_class`` points, the rest proportional), so that
  rare classes' user's accuracies are estimated from enough points;
- ``draw_points``: that many pixels of each class drawn at random (seeded), optionally at
  least ``min_distance`` pixels apart, read in strips (memory follows the points, not the
  map). Each point is a pixel centre; ``crnn:assess`` with the ``stratified`` design turns
  their reference classes into area and accuracy estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr

from ..common.errors import CrnnError
from ..rasters.files import gdal_exceptions, staged, vector_output, writing
from ..training.samples import burn_polygons
from .area_sample import count_classes, strip_classes
from .assessment_rasters import ROWS_PER_READ

ALLOCATIONS = ("compromise", "proportional", "equal")


def sample_size(weights: Sequence[float], users_accuracy: Sequence[float],
                target_se: float) -> int:
    """Olofsson et al. (2014), eq. 13: n = (sum_i W_i S_i / S(O))^2 with S_i =
    sqrt(U_i (1 - U_i)), rounded up."""
    if not 0 < target_se < 1:
        raise CrnnError(f"The target standard error of overall accuracy must lie between "
                        f"0 and 1 (got {target_se:g}), e.g. 0.01.")
    if any(not 0 < u < 1 for u in users_accuracy):
        raise CrnnError("Expected user's accuracies must lie between 0 and 1 (exclusive), "
                        "e.g. 0.8.")
    spread = sum(w * math.sqrt(u * (1 - u)) for w, u in zip(weights, users_accuracy))
    return int(math.ceil(round((spread / target_se) ** 2, 9)))


def users_accuracies(text: str, classes: Sequence[int], default: float = 0.8) -> List[float]:
    """Expected user's accuracy of each class from text: one value for every class
    ('0.8'), and/or class:value pairs ('0.85, 3:0.6, 7:0.7'); a class not named takes
    the single value, else ``default``."""
    overall, per_class = default, {}
    for item in (part.strip() for part in text.replace(";", ",").split(",")):
        if not item:
            continue
        try:
            if ":" in item:
                value, accuracy = item.split(":", 1)
                per_class[int(value)] = float(accuracy)
            else:
                overall = float(item)
        except ValueError:
            raise CrnnError(f"Cannot read the expected user's accuracies '{text}': give one "
                            "value such as 0.8, or class:value pairs such as '1:0.7, "
                            "2:0.9'.") from None
    unknown = sorted(set(per_class) - set(classes))
    if unknown:
        raise CrnnError(f"Expected user's accuracies name class(es) the map does not have: "
                        f"{', '.join(map(str, unknown))}.")
    return [per_class.get(int(value), overall) for value in classes]


def allocate(total: int, weights: Sequence[float], allocation: str,
             min_per_class: int = 50) -> List[int]:
    """Points per class: ``proportional`` (round(n W_i), summing to n), ``equal`` (n / k
    each) or ``compromise``: each class at least ``min_per_class`` (at most its share of
    n, where n is too small for that), the rest proportional to the weights."""
    k = len(weights)
    if allocation not in ALLOCATIONS:
        raise CrnnError(f"Unknown allocation '{allocation}': choose one of "
                        f"{', '.join(ALLOCATIONS)}.")
    if total < k:
        raise CrnnError(f"{total} points cannot sample {k} classes: give at least one "
                        "point per class.")
    if allocation == "equal":
        return _largest_remainder([total / k] * k, total)
    shares = np.asarray(weights, np.float64) / float(np.sum(weights))
    if allocation == "proportional":
        return _largest_remainder(list(shares * total), total)
    floor = min(min_per_class, total // k)
    fixed = np.zeros(k, bool)
    while True:  # classes whose proportional share is under the floor get the floor
        rest = total - floor * int(fixed.sum())
        wanted = np.where(fixed, floor, shares * rest / max(shares[~fixed].sum(), 1e-300))
        under = ~fixed & (wanted < floor)
        if not under.any():
            break
        fixed |= under
    if fixed.all():  # too few points for the floor in every class: equal shares
        return _largest_remainder([total / k] * k, total)
    counts = _largest_remainder(list(np.where(fixed, 0.0, wanted)), rest)
    return [floor if f else c for f, c in zip(fixed, counts)]


def _largest_remainder(quotas: Sequence[float], total: int) -> List[int]:
    """Whole numbers summing to ``total``, each its quota rounded down and the rest given
    to the largest remainders (Hamilton's method)."""
    base = [int(math.floor(q + 1e-9)) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: base[i] - quotas[i])
    for i in order[:total - sum(base)]:
        base[i] += 1
    return base


@dataclass(frozen=True)
class DrawArea:
    """Where points may fall: the map pixels whose centres lie in the given polygons (a
    window of the map's grid from ``row0``, ``col0``)."""

    row0: int
    col0: int
    inside: np.ndarray  # bool (rows, cols) of the window

    def mask(self, values: np.ndarray, start: int) -> np.ndarray:
        """``values`` (a strip of the map from row ``start``) with 0 outside the area."""
        inside = np.zeros(values.shape, bool)
        top, bottom = max(start, self.row0), min(start + values.shape[0],
                                                 self.row0 + self.inside.shape[0])
        if bottom > top:
            inside[top - start:bottom - start, self.col0:self.col0 + self.inside.shape[1]] = (
                self.inside[top - self.row0:bottom - self.row0])
        return np.where(inside, values, 0)


def draw_area(dataset: gdal.Dataset, polygons: Sequence[bytes]) -> DrawArea:
    """The area of polygons (WKB in the map's CRS) on the map's grid, by pixel centres."""
    if not polygons:
        raise CrnnError("The area to draw in has no polygon.")
    try:
        grid = burn_polygons(dataset, [(wkb, 0) for wkb in polygons])
    except CrnnError as error:  # its words are the training polygons'
        if "overlaps" not in str(error):
            raise
        grid = None
    if grid is None or not grid.classes.any():
        raise CrnnError("The area to draw in covers no pixel centre of the classification: "
                        "check that its polygons lie on the map and that its layer's CRS is "
                        "set correctly.")
    return DrawArea(grid.row0, grid.col0, grid.classes > 0)


def count_in_area(dataset: gdal.Dataset, area: DrawArea,
                  rows_per_read: int = ROWS_PER_READ) -> Dict[int, int]:
    """Pixels of each class of band 1 inside the area (the strata of a sample drawn
    there)."""
    counts: Dict[int, int] = {}
    for _, values in _strips(dataset, rows_per_read, area):
        found, n = np.unique(values[values != 0], return_counts=True)
        for value, count in zip(found.tolist(), n.tolist()):
            counts[value] = counts.get(value, 0) + count
    return counts


def _strips(dataset: gdal.Dataset, rows_per_read: int, area: Optional[DrawArea]):
    """(first row, class values with 0 for none and outside the area) strip by strip."""
    for start in range(0, dataset.RasterYSize, rows_per_read):
        values = strip_classes(dataset, start, min(rows_per_read, dataset.RasterYSize - start))
        yield start, (values if area is None else area.mask(values, start))


@dataclass
class DrawnSample:
    """The points drawn: (row, column, class value) each, and what could not be met."""

    cells: List[Tuple[int, int, int]]
    class_pixels: Dict[int, int]
    notes: List[str] = field(default_factory=list)


def draw_points(dataset: gdal.Dataset, allocation: Mapping[int, int], seed: int = 0,
                min_distance: float = 0.0, rows_per_read: int = ROWS_PER_READ,
                class_pixels: Optional[Mapping[int, int]] = None,
                area: Optional[DrawArea] = None) -> DrawnSample:
    """``allocation[value]`` pixels of each class drawn at random without replacement
    (inside ``area`` where given), at least ``min_distance`` pixels apart (centre to
    centre) where it is above 0: the candidates come in a random order, each taken
    unless one taken lies too close, and more are drawn while a class is short and has
    pixels left. ``class_pixels``: the counts where the caller has them (in the area)."""
    if class_pixels is not None:
        counts = dict(class_pixels)
    else:
        counts = (count_in_area(dataset, area, rows_per_read) if area is not None
                  else count_classes(dataset, rows_per_read))
    missing = sorted(set(allocation) - set(counts))
    if missing:
        raise CrnnError(f"The map has no pixel of class(es) {', '.join(map(str, missing))}.")
    rng = np.random.default_rng(seed)
    cells: List[Tuple[int, int, int]] = []
    taken = {v: 0 for v in allocation}
    used = {v: np.zeros(0, np.int64) for v in allocation}
    spacing = _Spacing(min_distance)
    batch = {v: n if min_distance <= 0 else 4 * n + 20 for v, n in allocation.items()}
    while True:
        short = {v: min(batch[v], counts[v] - len(used[v])) for v, n in allocation.items()
                 if taken[v] < n and len(used[v]) < counts[v]}
        if not short:
            break
        ranks = {v: _distinct(rng, counts[v], k, used[v]) for v, k in short.items()}
        for v, new in ranks.items():
            used[v] = np.concatenate([used[v], new])
            batch[v] *= 2
        candidates = _locate(dataset, ranks, rows_per_read, area)
        for i in rng.permutation(len(candidates)).tolist():
            row, col, value = candidates[i]
            if taken[value] < allocation[value] and spacing.free(row, col):
                spacing.add(row, col)
                cells.append((row, col, value))
                taken[value] += 1
    notes = [f"Class {v}: {taken[v]} of {n} points could be placed "
             f"{'at the minimum distance' if min_distance > 0 else '(it has too few pixels)'}."
             for v, n in allocation.items() if taken[v] < n]
    cells.sort(key=lambda cell: (cell[2], cell[0], cell[1]))
    return DrawnSample(cells, counts, notes)


SAMPLE_LAYER = "reference_sample"


def write_sample(path: str, dataset: gdal.Dataset, drawn: DrawnSample,
                 names: Mapping[int, str], reference_field: str = "reference") -> int:
    """The points as a vector file in the map's CRS (written whole or not at all): fields
    ``id``, ``map_class``, ``map_name``, ``stratum_wt`` (the class's share of the map's
    pixels) and an empty integer ``reference_field`` for the user to fill (names of at
    most 10 characters: a shapefile keeps no more).
    Returns the number of points."""
    if reference_field in ("id", "map_class", "map_name", "stratum_wt", ""):
        raise CrnnError(f"The reference field needs a name of its own, not "
                        f"'{reference_field}'.")
    if len(reference_field) > 10 or not reference_field.isidentifier():
        raise CrnnError(f"The reference field's name '{reference_field}' must be a word of "
                        "at most 10 letters, digits or '_' (a shapefile keeps no more).")
    driver, name = vector_output(path, SAMPLE_LAYER, "points")
    x0, dx, _, y0, _, dy = dataset.GetGeoTransform()
    total = float(sum(drawn.class_pixels.values()))
    with gdal_exceptions(), staged(path) as temporary:
        with writing(driver.CreateDataSource(temporary), path) as source:
            layer = source.CreateLayer(name, srs=dataset.GetSpatialRef(),
                                       geom_type=ogr.wkbPoint)
            for field_name, kind in (("id", ogr.OFTInteger), ("map_class", ogr.OFTInteger),
                                     ("map_name", ogr.OFTString),
                                     ("stratum_wt", ogr.OFTReal),
                                     (reference_field, ogr.OFTInteger)):
                layer.CreateField(ogr.FieldDefn(field_name, kind))
            definition = layer.GetLayerDefn()
            layer.StartTransaction()
            for number, (row, col, value) in enumerate(drawn.cells, start=1):
                feature = ogr.Feature(definition)
                point = ogr.Geometry(ogr.wkbPoint)
                point.AddPoint_2D(x0 + (col + 0.5) * dx, y0 + (row + 0.5) * dy)
                feature.SetGeometry(point)
                feature.SetField("id", number)
                feature.SetField("map_class", int(value))
                feature.SetField("map_name", names.get(int(value), f"Class {value}"))
                feature.SetField("stratum_wt", drawn.class_pixels[value] / total)
                feature.SetFieldNull(reference_field)
                layer.CreateFeature(feature)
            layer.CommitTransaction()
    return len(drawn.cells)


def _distinct(rng: np.random.Generator, population: int, k: int,
              exclude: np.ndarray) -> np.ndarray:
    """``k`` distinct ranks in ``range(population)``, none in ``exclude``, in random
    order, without an array of the population's size unless few ranks are left."""
    left = population - len(exclude)
    if k >= left:
        return rng.permutation(np.setdiff1d(np.arange(population), exclude))
    chosen = np.zeros(0, np.int64)
    while len(chosen) < k:
        fresh = rng.integers(0, population, 2 * (k - len(chosen)) + 8)
        fresh = fresh[~np.isin(fresh, exclude)]
        merged = np.concatenate([chosen, fresh])
        _, first = np.unique(merged, return_index=True)
        chosen = merged[np.sort(first)]
    return chosen[:k]


def _locate(dataset: gdal.Dataset, ranks: Mapping[int, np.ndarray], rows_per_read: int,
            area: Optional[DrawArea]) -> List[Tuple[int, int, int]]:
    """(row, col, value) of each class's pixels of the given ranks (row-major order among
    the class's pixels in the area), found strip by strip."""
    seen = {v: 0 for v in ranks}
    sorted_ranks = {v: np.sort(r) for v, r in ranks.items()}
    found: List[Tuple[int, int, int]] = []
    width = dataset.RasterXSize
    for start, values in _strips(dataset, rows_per_read, area):
        for value, wanted in sorted_ranks.items():
            where = np.flatnonzero(values == value)
            low, high = np.searchsorted(wanted, [seen[value], seen[value] + len(where)])
            for index in where[wanted[low:high] - seen[value]].tolist():
                found.append((start + index // width, index % width, value))
            seen[value] += len(where)
    return found


class _Spacing:
    """Accepted points on a grid of cells ``distance`` wide: a candidate is checked
    against the points of its own and the eight neighbouring cells only."""

    def __init__(self, distance: float) -> None:
        self.distance = float(distance)
        self.cells: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}

    def _cell(self, row: int, col: int) -> Tuple[int, int]:
        return int(row // self.distance), int(col // self.distance)

    def free(self, row: int, col: int) -> bool:
        if self.distance <= 0:
            return True
        r, c = self._cell(row, col)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for other in self.cells.get((r + dr, c + dc), ()):
                    if (other[0] - row) ** 2 + (other[1] - col) ** 2 < self.distance ** 2:
                        return False
        return True

    def add(self, row: int, col: int) -> None:
        if self.distance > 0:
            self.cells.setdefault(self._cell(row, col), []).append((row, col))


__all__ = ["ALLOCATIONS", "sample_size", "users_accuracies", "allocate", "DrawArea",
           "draw_area", "count_in_area", "DrawnSample", "draw_points", "write_sample",
           "SAMPLE_LAYER"]
