"""Accuracy assessment of a class raster against reference labels (QGIS-free).

The confusion matrix has one row per reference class and one column per predicted
class (rows = reference, columns = predicted), plus a last column "Unclassified" for
reference pixels where the classification has no class (nodata, 0, NaN). Those pixels
count as errors: a map that leaves a labelled pixel unclassified did not get it right,
so leaving them out would flatter the overall accuracy. Their number is reported.

Metrics (Congalton and Green, *Assessing the Accuracy of Remotely Sensed Data*):

- overall accuracy (OA): correct / all reference pixels, with a 95 % Wilson score
  interval (better than the normal approximation near 0 and 1);
- producer's accuracy of a class: correct / reference pixels of the class (recall);
- user's accuracy: correct / pixels classified as the class (precision);
- F1: harmonic mean of producer's and user's accuracy;
- average accuracy (AA): mean producer's accuracy over the reference classes present;
- Cohen's kappa: (OA - p_e) / (1 - p_e), p_e = sum over classes of row share x column
  share (the Unclassified column has no matching row, so it only lowers OA).

The classification is read a strip of rows at a time, so memory follows the raster's
width, not its size. This module uses numpy and GDAL/OGR only, never QGIS.
"""

from __future__ import annotations

import html
import json
import math
import os
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from ..common.callbacks import CancelCheck, ProgressCallback
from ..common.errors import CancelledError, CrnnError
from ..rasters.files import StagedFile, open_raster, read_block
from ..training.samples import burn_polygons
from .html_kit import (
    bar_figure,
    confusion_figure,
    decimals,
    figure_html,
    missing_figures_note,
    page,
    percent,
    swatch,
)

UNCLASSIFIED = "Unclassified"
Z_95 = 1.959963984540054
"""Two-sided 95 % quantile of the standard normal distribution."""

ROWS_PER_READ = 256
"""Rows of the classification read at once (bounded memory; any value gives the same
numbers)."""


@dataclass
class Assessment:
    """A confusion matrix and the accuracy figures derived from it.

    ``matrix[i, j]`` counts reference pixels of class ``class_values[i]`` classified as
    ``class_values[j]``; the last column counts those left unclassified.
    """

    class_values: List[int]
    class_names: List[str]
    matrix: np.ndarray  # (k, k + 1) int64: rows = reference, columns = predicted + unclassified
    class_colours: Dict[int, str] = field(default_factory=dict)  # value -> "#rrggbb"
    sources: Dict[str, str] = field(default_factory=dict)  # what was compared, for the report
    notes: List[str] = field(default_factory=list)

    # --- counts -------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Reference pixels assessed (classified or not)."""
        return int(self.matrix.sum())

    @property
    def correct(self) -> int:
        k = len(self.class_values)
        return int(np.trace(self.matrix[:, :k]))

    @property
    def unclassified(self) -> int:
        """Reference pixels where the classification has no class (counted as errors)."""
        return int(self.matrix[:, -1].sum())

    @property
    def reference_totals(self) -> np.ndarray:
        return self.matrix.sum(axis=1)

    @property
    def predicted_totals(self) -> np.ndarray:
        return self.matrix[:, : len(self.class_values)].sum(axis=0)

    # --- metrics ------------------------------------------------------------------
    @property
    def overall_accuracy(self) -> float:
        return self.correct / self.total if self.total else float("nan")

    @property
    def producers_accuracy(self) -> np.ndarray:
        """Per class: correct / reference pixels of the class (NaN if none)."""
        return _ratio(np.diag(self.matrix[:, : len(self.class_values)]), self.reference_totals)

    @property
    def users_accuracy(self) -> np.ndarray:
        """Per class: correct / pixels classified as the class (NaN if none)."""
        return _ratio(np.diag(self.matrix[:, : len(self.class_values)]), self.predicted_totals)

    @property
    def f1(self) -> np.ndarray:
        producers, users = self.producers_accuracy, self.users_accuracy
        with np.errstate(invalid="ignore", divide="ignore"):
            score = 2 * producers * users / (producers + users)
        # both defined and both zero: F1 is 0, not NaN
        score[(producers == 0) & (users == 0)] = 0.0
        return score

    @property
    def average_accuracy(self) -> float:
        """Mean producer's accuracy over the reference classes present."""
        present = self.reference_totals > 0
        return float(self.producers_accuracy[present].mean()) if present.any() else float("nan")

    @property
    def kappa(self) -> float:
        """Cohen's kappa of the whole table (unclassified pixels included as errors)."""
        n = self.total
        if n == 0:
            return float("nan")
        chance = float((self.reference_totals * self.predicted_totals).sum()) / (n * n)
        if chance == 1.0:
            return 1.0 if self.overall_accuracy == 1.0 else 0.0
        return (self.overall_accuracy - chance) / (1.0 - chance)

    @property
    def overall_accuracy_interval(self) -> Tuple[float, float]:
        """95 % Wilson score interval of the overall accuracy."""
        return wilson_interval(self.correct, self.total)

    def to_dict(self) -> dict:
        """Everything as plain JSON-ready values (NaN becomes None)."""
        low, high = self.overall_accuracy_interval
        return {
            "matrix_layout": "rows = reference classes, columns = predicted classes, "
                             "last column = reference pixels left unclassified",
            "class_values": [int(v) for v in self.class_values],
            "class_names": list(self.class_names),
            "matrix": self.matrix.astype(int).tolist(),
            "total": self.total,
            "correct": self.correct,
            "unclassified": self.unclassified,
            "unclassified_policy": "counted as errors",
            "overall_accuracy": _json_number(self.overall_accuracy),
            "overall_accuracy_ci95": [_json_number(low), _json_number(high)],
            "overall_accuracy_ci_method": "Wilson score interval, 95 %",
            "average_accuracy": _json_number(self.average_accuracy),
            "kappa": _json_number(self.kappa),
            "per_class": [
                {
                    "value": int(value),
                    "name": name,
                    "reference_pixels": int(ref),
                    "predicted_pixels": int(pred),
                    "producers_accuracy": _json_number(pa),
                    "users_accuracy": _json_number(ua),
                    "f1": _json_number(f1),
                }
                for value, name, ref, pred, pa, ua, f1 in zip(
                    self.class_values, self.class_names, self.reference_totals,
                    self.predicted_totals, self.producers_accuracy, self.users_accuracy,
                    self.f1)
            ],
            "sources": dict(self.sources),
            "notes": list(self.notes),
        }


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator = numerator.astype(float)
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _json_number(value: float) -> Optional[float]:
    return None if value is None or not math.isfinite(value) else float(value)


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927); (nan, nan) for no trials."""
    if trials <= 0:
        return float("nan"), float("nan")
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


# --- counting -------------------------------------------------------------------------


class ConfusionCounter:
    """Accumulates (reference, predicted) pairs block by block.

    Reference 0 means unlabelled (skipped); predicted ``None`` entries (given as the
    ``unclassified`` mask) are counted in the Unclassified column.
    """

    def __init__(self) -> None:
        self._pairs: Dict[Tuple[int, int], int] = {}
        self._unclassified: Dict[int, int] = {}

    def add(self, reference: np.ndarray, predicted: np.ndarray,
            unclassified: Optional[np.ndarray] = None) -> None:
        reference = np.asarray(reference).ravel()
        predicted = np.asarray(predicted).ravel()
        missing = (np.zeros(reference.shape, bool) if unclassified is None
                   else np.asarray(unclassified).ravel())
        labelled = reference != 0
        hit = labelled & ~missing
        if hit.any():
            pairs = np.stack([reference[hit].astype(np.int64), predicted[hit].astype(np.int64)])
            unique, counts = np.unique(pairs, axis=1, return_counts=True)
            for (ref, pred), count in zip(unique.T, counts):
                key = (int(ref), int(pred))
                self._pairs[key] = self._pairs.get(key, 0) + int(count)
        lost = labelled & missing
        if lost.any():
            values, counts = np.unique(reference[lost].astype(np.int64), return_counts=True)
            for value, count in zip(values, counts):
                self._unclassified[int(value)] = self._unclassified.get(int(value), 0) + int(count)

    def result(self, class_names: Optional[Dict[int, str]] = None,
               class_colours: Optional[Dict[int, str]] = None) -> Assessment:
        """The matrix over every class seen in the reference or the classification."""
        values = sorted({v for pair in self._pairs for v in pair} | set(self._unclassified))
        if not values:
            raise CrnnError(
                "The reference has no labelled pixel on the classification's grid: check "
                "that the reference overlaps the classification and that its classes are "
                "not 0 or nodata."
            )
        index = {value: i for i, value in enumerate(values)}
        matrix = np.zeros((len(values), len(values) + 1), np.int64)
        for (ref, pred), count in self._pairs.items():
            matrix[index[ref], index[pred]] += count
        for ref, count in self._unclassified.items():
            matrix[index[ref], -1] += count
        names = class_names or {}
        colours = class_colours or {}
        return Assessment(
            class_values=values,
            class_names=[names.get(v) or f"Class {v}" for v in values],
            matrix=matrix,
            class_colours={v: colours[v] for v in values if v in colours},
        )


def assess_arrays(reference: np.ndarray, predicted: np.ndarray,
                  unclassified: Optional[np.ndarray] = None,
                  class_names: Optional[Dict[int, str]] = None) -> Assessment:
    """Assess in-memory label arrays (reference 0 = unlabelled)."""
    reference, predicted = np.asarray(reference), np.asarray(predicted)
    if reference.shape != predicted.shape:
        raise CrnnError(f"Reference shape {reference.shape} differs from the "
                        f"classification shape {predicted.shape}.")
    counter = ConfusionCounter()
    counter.add(reference, predicted, unclassified)
    return counter.result(class_names)


# --- rasters --------------------------------------------------------------------------


@dataclass
class ReferenceWindow:
    """Reference class values burnt on a window of the classification grid (0 = none)."""

    row0: int
    col0: int
    values: np.ndarray
    contested: int = 0  # pixels that polygons of different classes claim (left out)


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
    return ReferenceWindow(grid.row0, grid.col0, lookup[grid.classes], grid.contested)


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


def _missing_mask(block: np.ndarray, nodata: Optional[float]) -> np.ndarray:
    """Pixels without a class: nodata, 0, NaN or Inf."""
    missing = block == 0
    if block.dtype.kind == "f":
        missing |= ~np.isfinite(block)
    if nodata is not None and not math.isnan(nodata):
        missing |= block == nodata
    return missing


def _as_classes(block: np.ndarray, missing: np.ndarray, what: str) -> np.ndarray:
    """Class values as int64, 0 where ``missing``: an integer raster's nodata (255 in a
    Byte reference) is no class, as a float raster's is not."""
    if block.dtype.kind == "f":
        valid = block[~missing]
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


def match_class_names(labels: Sequence[str], class_names: Dict[int, str]) -> List[int]:
    """Class values of text labels: a classification class name (case and surrounding
    blanks ignored) or an integer written as text."""
    by_name = {name.strip().casefold(): value for value, name in class_names.items()}
    values, unknown = [], set()
    for label in labels:
        text = str(label).strip()
        if text.casefold() in by_name:
            values.append(by_name[text.casefold()])
            continue
        try:
            values.append(int(text))
        except ValueError:
            unknown.add(text)
    if unknown:
        known = ", ".join(f"{v} {n}" for v, n in sorted(class_names.items())) or "none"
        raise CrnnError(
            f"Reference class names not found among the classification's classes: "
            f"{', '.join(sorted(unknown))}. The classification's classes are: {known}. "
            "Use a field of integer class ids, or names that match these."
        )
    return values


def assess_raster(
    classification_path: str,
    reference: str | ReferenceWindow,
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
            raw = read_block(ref_dataset, reference, 0, start, width, rows, [1])[0]
            ref_block = _as_classes(raw, _missing_mask(raw, ref_nodata), "reference raster")
        raw = read_block(classification, classification_path, window.col0,
                         window.row0 + start, width, rows, [1])[0]
        missing = _missing_mask(raw, nodata)
        counter.add(ref_block, _as_classes(raw, missing, "classification"), missing)
        if progress is not None:
            progress((start + rows) / height)
    result = counter.result(names, colours)
    result.sources = sources
    result.notes = notes
    return result


# --- output ---------------------------------------------------------------------------


def json_path_for(report_path: str) -> str:
    """The JSON written beside an HTML report: same base name, ``.json``."""
    return os.path.splitext(report_path)[0] + ".json"


def write_json(assessment: Assessment, path: str) -> None:
    """Write the machine-readable result (matrix, classes, metrics) to ``path``."""
    _write_text(path, json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False) + "\n")


def write_html(assessment: Assessment, path: str, title: str = "Accuracy assessment") -> None:
    """Write the self-contained HTML report (inline CSS, no network) to ``path``."""
    _write_text(path, render_html(assessment, title))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def write_report(assessment: Assessment, html_path: str) -> str:
    """Write the HTML report and the JSON beside it; return the JSON path.

    Both are written, or neither: a report that cannot be written (a read-only folder,
    a folder or a file in the way) leaves no JSON behind and raises ``CrnnError``.
    """
    json_path = json_path_for(html_path)
    stage = None
    try:
        stage = StagedFile(html_path)  # both in one stage, moved into place together
        write_html(assessment, stage.temporary)
        write_json(assessment, stage.beside(json_path))
        stage.commit()
    except OSError as error:
        raise CrnnError(f"Cannot write the accuracy report '{html_path}' or its JSON "
                        f"'{json_path}': {error.strerror or error}. Choose a folder you "
                        "can write to and a file name that is not a folder.") from None
    finally:
        if stage is not None:
            stage.discard()
    return json_path


def _class_label(assessment: Assessment, i: int) -> str:
    value = assessment.class_values[i]
    colour = assessment.class_colours.get(value)
    return f"{swatch(colour) if colour else ''}{value} {html.escape(assessment.class_names[i])}"


def html_summary(assessment: Assessment) -> str:
    """Section: what was compared and the overall figures."""
    low, high = assessment.overall_accuracy_interval
    rows = [
        ("Overall accuracy (OA)", percent(assessment.overall_accuracy)),
        ("95 % confidence interval of OA (Wilson score)",
         f"{percent(low)} &ndash; {percent(high)}"),
        ("Average accuracy (AA, mean producer's accuracy)",
         percent(assessment.average_accuracy)),
        ("Cohen's kappa", decimals(assessment.kappa, 4)),
        ("Reference pixels assessed", f"{assessment.total:,}"),
        ("Correctly classified", f"{assessment.correct:,}"),
        ("Left unclassified (counted as errors)", f"{assessment.unclassified:,}"),
    ]
    body = "".join(f'<tr><th class="name">{label}</th><td class="value">{value}</td></tr>'
                   for label, value in rows)
    sources = "".join(f"<li>{html.escape(key)}: {html.escape(value)}</li>"
                      for key, value in assessment.sources.items())
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in assessment.notes)
    return (
        "<h2>Summary</h2>"
        + (f"<ul>{sources}</ul>" if sources else "")
        + f'<table class="metrics">{body}</table>'
        + (f'<ul class="note">{notes}</ul>' if notes else "")
    )


def html_confusion_matrix(assessment: Assessment) -> str:
    """Section: the confusion matrix as a heat map (shade = share of the row)."""
    k = len(assessment.class_values)
    totals = assessment.reference_totals
    header = "".join(f'<th title="{html.escape(name)}">{value}</th>'
                     for value, name in zip(assessment.class_values, assessment.class_names))
    header += f"<th>{UNCLASSIFIED}</th><th>Total</th>"
    lines = []
    for i in range(k):
        cells = []
        for j in range(k + 1):
            count = int(assessment.matrix[i, j])
            share = count / totals[i] if totals[i] else 0.0
            # diagonal in blue (right), off-diagonal in red (errors)
            hue = "33, 102, 172" if j == i else "203, 24, 29"
            colour = "#fff" if share > 0.6 else "#222"
            cells.append(
                f'<td style="background: rgba({hue}, {share:.3f}); color: {colour}" '
                f'title="{100 * share:.1f} % of the row">{count:,}</td>'
            )
        lines.append(f'<tr><th class="name">{_class_label(assessment, i)}</th>'
                     f'{"".join(cells)}<td>{int(totals[i]):,}</td></tr>')
    column_totals = "".join(f"<td>{int(t):,}</td>" for t in assessment.predicted_totals)
    lines.append(f'<tr><th class="name">Total</th>{column_totals}'
                 f"<td>{assessment.unclassified:,}</td><td>{assessment.total:,}</td></tr>")
    return (
        "<h2>Confusion matrix</h2>"
        '<p class="note">Rows are reference classes, columns are predicted classes (by '
        "class value). Counts are pixels; the shade of a cell is its share of the row "
        "(blue: correct, red: errors). The column Unclassified counts reference pixels "
        "where the classification has no class; they count as errors.</p>"
        f'<table class="matrix"><tr><th class="name">Reference \\ Predicted</th>{header}'
        f'</tr>{"".join(lines)}</table>'
    )


def html_per_class(assessment: Assessment) -> str:
    """Section: producer's and user's accuracy and F1 per class."""
    lines = []
    for i in range(len(assessment.class_values)):
        lines.append(
            f'<tr><td class="name">{_class_label(assessment, i)}</td>'
            f"<td>{int(assessment.reference_totals[i]):,}</td>"
            f"<td>{int(assessment.predicted_totals[i]):,}</td>"
            f"<td>{percent(assessment.producers_accuracy[i])}</td>"
            f"<td>{percent(assessment.users_accuracy[i])}</td>"
            f"<td>{percent(assessment.f1[i])}</td></tr>"
        )
    return (
        "<h2>Per class</h2>"
        '<table><tr><th class="name">Class</th><th>Reference pixels</th>'
        "<th>Predicted pixels</th><th>Producer's accuracy</th><th>User's accuracy</th>"
        f'<th>F1</th></tr>{"".join(lines)}</table>'
        '<p class="note">Producer\'s accuracy: correct / reference pixels of the class '
        "(recall). User's accuracy: correct / pixels classified as the class "
        "(precision). F1: their harmonic mean.</p>"
    )


def _class_colour_list(assessment: Assessment) -> List[str]:
    return [assessment.class_colours.get(v, "#ffffff") for v in assessment.class_values]


def html_confusion_heatmap(assessment: Assessment) -> str:
    """Section: the confusion matrix as a heat map image with the counts in its cells."""
    labels = [f"{v} {n}" for v, n in zip(assessment.class_values, assessment.class_names)]
    figure = confusion_figure(assessment.matrix, labels,
                              [str(v) for v in assessment.class_values] + [UNCLASSIFIED])
    if figure is None:
        return "<h2>Confusion matrix (heat map)</h2>" + missing_figures_note()
    return "<h2>Confusion matrix (heat map)</h2>" + figure_html(
        figure, "Rows: reference classes; columns: predicted classes and the reference "
        "pixels left unclassified. Each cell holds its pixel count; its shade is the share "
        "of the row, so a dark diagonal is a good map.", salt="assessment-confusion")


def html_per_class_chart(assessment: Assessment) -> str:
    """Section: producer's and user's accuracy per class as bars, OA and its 95 % CI."""
    names = [f"{v} {n}" for v, n in zip(assessment.class_values, assessment.class_names)]
    figure = bar_figure(names, {"Producer's accuracy": assessment.producers_accuracy,
                                "User's accuracy": assessment.users_accuracy},
                        _class_colour_list(assessment))
    if figure is None:
        return "<h2>Accuracy per class (chart)</h2>" + missing_figures_note()
    overall = assessment.overall_accuracy
    low, high = assessment.overall_accuracy_interval
    if math.isfinite(overall):
        axes = figure.axes[0]
        axes.axvspan(100 * low, 100 * high, color="#444", alpha=0.12, linewidth=0,
                     label="95 % CI of OA")
        axes.axvline(100 * overall, color="#222", linestyle="--", linewidth=1,
                     label=f"OA {100 * overall:.1f} %")
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, fontsize=8,
                    frameon=False)
    return "<h2>Accuracy per class (chart)</h2>" + figure_html(
        figure, f"Producer's accuracy (recall) and user's accuracy (precision) of each class. "
        f"Dashed line: overall accuracy {percent(overall)}, grey band: its 95 % Wilson "
        f"interval {percent(low)} &ndash; {percent(high)}; average accuracy "
        f"{percent(assessment.average_accuracy)}, kappa {decimals(assessment.kappa, 3)}.",
        salt="assessment-per-class")


HTML_SECTIONS: Tuple[Callable[[Assessment], str], ...] = (
    html_summary,
    html_confusion_heatmap,
    html_confusion_matrix,
    html_per_class_chart,
    html_per_class,
)
"""The report's sections in order; each turns an Assessment into an HTML fragment.
Figures are inline SVG (matplotlib, see :mod:`.html_kit`); without matplotlib their
sections say so and the tables carry the numbers. Add a function here to extend the
report."""


def render_html(assessment: Assessment, title: str = "Accuracy assessment",
                sections: Sequence[Callable[[Assessment], str]] = HTML_SECTIONS) -> str:
    """The whole report as one self-contained HTML page."""
    return page(title, "\n".join(section(assessment) for section in sections))
