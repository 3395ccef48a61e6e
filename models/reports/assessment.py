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

The rasters are read in :mod:`.assessment_rasters`, the report written by
:mod:`.assessment_report`. This module uses numpy only, never QGIS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..common.errors import CrnnError
from .area_estimates import AreaEstimates

UNCLASSIFIED = "Unclassified"
Z_95 = 1.959963984540054
"""Two-sided 95 % quantile of the standard normal distribution."""


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
    # accuracy and area estimated under the sample's design (None: not asked for)
    estimates: Optional[AreaEstimates] = None

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
        if chance == 1.0:  # one class in the reference and the map alike: all agree
            return 1.0
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
            **({"stratified": self.estimates.as_json(self.names_by_value)}
               if self.estimates is not None else {}),
        }

    @property
    def names_by_value(self) -> Dict[int, str]:
        """Each class's name by its value (the estimates' classes are values)."""
        return {int(v): n for v, n in zip(self.class_values, self.class_names)}


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


# --- class names ---------------------------------------------------------------------


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
