"""Accuracy and area estimated from a probability sample of reference units (QGIS-free).

A map's pixel counts are biased by its errors; good practice estimates each class's area
and the map's accuracy from a sample of reference units, with 95 % intervals:

- ``stratified``: stratified random sampling with the map's classes as strata (Olofsson
  et al. 2014, Remote Sens. Environ. 148:42-57, eqs. 1-11);
- ``strata``: stratified random sampling with strata that are not the map's classes
  (Stehman 2014, Int. J. Remote Sens. 35:4923-4939, eqs. 2-4 and 24-28);
- ``simple``: simple random (or systematic) sampling, one stratum of the whole map;
- ``clusters``: each reference polygon is a cluster of pixels (one-stage cluster sampling
  of unequal clusters): every figure is a ratio of cluster totals, and its interval uses
  the variance between clusters, not between pixels, which would be far too narrow.

Every figure is one estimator: a ratio R = Y / X of two estimated totals, with Stehman's
(2014, eq. 28) variance ``V(R) = 1 / X^2 * sum_h N_h^2 (s2_yh + R^2 s2_xh - 2 R s_xyh) /
n_h``. With x = 1 for every unit it is the stratified estimator of a proportion (OA, a
class's share of the area, a cell of the area-proportion matrix); with x = "mapped as k"
it is k's user's accuracy, with x = "k in the reference" its producer's accuracy. The
finite population correction (1 - n_h / N_h) is left out, as in Olofsson et al. (2014):
a stratum's sample is a negligible share of its pixels, and the published examples are
printed without it. Intervals are the estimate +- 1.96 standard errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np

from ..common.errors import CrnnError

DESIGNS = ("simple", "stratified", "strata", "clusters")
Z_95 = 1.96
"""The 95 % interval's multiplier as the good-practice papers print it (Olofsson et al.
2013, 2014; Stehman 2014): their worked examples' last digits depend on it."""


@dataclass(frozen=True)
class Estimate:
    """An estimate and the half-width of its 95 % interval (None: not estimable)."""

    estimate: Optional[float]
    ci95: Optional[float]


@dataclass(frozen=True)
class ClassEstimate:
    """One class: its mapped and estimated area (hectares) and its accuracies."""

    value: int
    map_area: float
    area: Estimate
    users_accuracy: Estimate
    producers_accuracy: Estimate


@dataclass
class AreaEstimates:
    """The estimates of one reference sample under one design."""

    design: str
    overall_accuracy: Estimate
    classes: List[ClassEstimate]
    area_matrix: np.ndarray  # (k, k): rows map classes, columns reference classes, shares
    samples_per_stratum: Dict[int, int]
    notes: List[str] = field(default_factory=list)
    # the map's linear unit and its square units per hectare (areas in the map's units)
    map_unit: str = "metre"
    units_per_hectare: float = 10_000.0

    def in_map_units(self, hectares: Optional[float]) -> Optional[float]:
        return None if hectares is None else hectares * self.units_per_hectare

    def as_json(self, names: Mapping[int, str]) -> dict:
        """The ``stratified`` block of the assessment's JSON (../shared/interface.md),
        areas in hectares and, in the ``*_map_units`` keys, in the map's square units."""
        return {"design": self.design, "area_unit": "ha",
                "map_area_unit": f"square {self.map_unit}",
                "overall_accuracy": _pair(self.overall_accuracy),
                "classes": [{
                    "value": c.value, "name": names.get(c.value, str(c.value)),
                    "map_area": c.map_area, "area": c.area.estimate,
                    "area_ci95": c.area.ci95,
                    "users_accuracy": c.users_accuracy.estimate,
                    "users_ci95": c.users_accuracy.ci95,
                    "producers_accuracy": c.producers_accuracy.estimate,
                    "producers_ci95": c.producers_accuracy.ci95,
                    "map_area_map_units": self.in_map_units(c.map_area),
                    "area_map_units": self.in_map_units(c.area.estimate),
                    "area_ci95_map_units": self.in_map_units(c.area.ci95),
                } for c in self.classes],
                "notes": list(self.notes)}


def _pair(estimate: Estimate) -> dict:
    return {"estimate": estimate.estimate, "ci95": estimate.ci95}


@dataclass(frozen=True)
class ReferenceSample:
    """The sample units: each unit's map class, reference class and stratum. With the
    ``clusters`` design a unit is a cluster's pixel and ``stratum`` its cluster.
    ``counts`` (optional) makes each entry that many alike units: a reference raster's
    millions of pixels are a few thousand (stratum, map, reference) counts."""

    map_classes: np.ndarray
    reference: np.ndarray
    strata: np.ndarray
    counts: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        arrays = (self.map_classes, self.reference, self.strata, self.weights)
        sizes = {np.asarray(a).shape for a in arrays}
        if len(sizes) != 1 or len(next(iter(sizes))) != 1:
            raise CrnnError("Give one map class, reference class, stratum and count per "
                            "sample unit.")

    @property
    def weights(self) -> np.ndarray:
        """How many units each entry stands for (1 each without ``counts``)."""
        if self.counts is None:
            return np.ones(np.asarray(self.map_classes).shape)
        return np.asarray(self.counts, np.float64)


def estimate_area_and_accuracy(
    sample: ReferenceSample,
    design: str,
    map_pixels: Mapping[int, int],
    stratum_pixels: Optional[Mapping[int, int]] = None,
    pixel_area: float = 1.0,
) -> AreaEstimates:
    """Estimate OA, each class's user's and producer's accuracy and area (hectares, with
    ``pixel_area`` in hectares), and the area-proportion matrix.

    ``map_pixels``: the map's pixels of each class (the map area, and the strata of the
    ``stratified`` design); ``stratum_pixels``: the pixels of each stratum for ``strata``
    (for ``simple`` and ``clusters`` the whole map is one population).
    """
    if design not in DESIGNS:
        raise CrnnError(f"Unknown sampling design '{design}': choose one of "
                        f"{', '.join(DESIGNS)}.")
    if not sample.weights.sum():
        raise CrnnError("The reference sample is empty: no reference unit lies on a "
                        "classified pixel.")
    notes: List[str] = []
    mapped = np.asarray(sample.map_classes).astype(np.int64)
    truth = np.asarray(sample.reference).astype(np.int64)
    ratio, counts = _estimator(sample, design, map_pixels, stratum_pixels, notes)
    classes = sorted({int(v) for v in map_pixels} | {int(v) for v in truth})
    map_total = float(sum(map_pixels.values())) * pixel_area
    total_area = map_total
    if design in ("stratified", "strata"):  # unsampled strata are left out
        total_area = float(sum(size for h, size in _sizes(design, map_pixels, stratum_pixels)
                               .items() if counts.get(h))) * pixel_area
        if total_area < map_total:
            notes.append(f"The estimates cover the sampled strata: {total_area:,.1f} of "
                         f"{map_total:,.1f} ha.")
    one = np.ones(len(mapped))
    overall = ratio((mapped == truth).astype(float), one)
    matrix = np.array([[ratio(((mapped == i) & (truth == j)).astype(float), one).estimate
                        for j in classes] for i in classes])
    unsampled = {k for k in classes if design == "stratified" and map_pixels.get(k, 0) > 0
                 and not counts.get(k)}
    rows = [_class_estimate(k, mapped, truth, ratio, total_area,
                            float(map_pixels.get(k, 0)) * pixel_area, k in unsampled, notes)
            for k in classes]
    return AreaEstimates(design, overall, rows, matrix, counts, notes)


def _class_estimate(k: int, mapped: np.ndarray, truth: np.ndarray, ratio: Ratio,
                    total_area: float, map_area: float, unsampled: bool,
                    notes: List[str]) -> ClassEstimate:
    """Class ``k``'s area and accuracies; a class whose own stratum has no unit has no
    area or producer's accuracy estimate (its pixels of other classes are unknown)."""
    hit = ((mapped == k) & (truth == k)).astype(float)
    one = np.ones(len(mapped))
    share = ratio((truth == k).astype(float), one)
    area = Estimate(share.estimate * total_area,
                    None if share.ci95 is None else share.ci95 * total_area)
    users = ratio(hit, (mapped == k).astype(float))
    producers = ratio(hit, (truth == k).astype(float))
    if unsampled:
        area = producers = Estimate(None, None)
        notes.append(f"Class {k}: its stratum has no sample unit, so its area and "
                     "producer's accuracy cannot be estimated.")
    if users.estimate is None and not unsampled:
        notes.append(f"Class {k}: no sample unit is mapped as it, so its user's "
                     "accuracy cannot be estimated.")
    if producers.estimate is None and not unsampled:
        notes.append(f"Class {k}: no sample unit has it as reference, so its "
                     "producer's accuracy cannot be estimated.")
    return ClassEstimate(k, map_area, area, users, producers)


Ratio = Callable[[np.ndarray, np.ndarray], Estimate]


def _sizes(design: str, map_pixels: Mapping[int, int],
           stratum_pixels: Optional[Mapping[int, int]]) -> Dict[int, float]:
    """The pixels of each stratum: the map's classes, the strata raster's values, or one
    stratum of the whole map."""
    if design == "stratified":
        return {int(k): float(v) for k, v in map_pixels.items()}
    if design == "strata":
        if not stratum_pixels:
            raise CrnnError("The 'strata' design needs a strata raster: give STRATA.")
        return {int(k): float(v) for k, v in stratum_pixels.items()}
    return {0: float(sum(map_pixels.values()))}


def _estimator(sample: ReferenceSample, design: str, map_pixels: Mapping[int, int],
               stratum_pixels: Optional[Mapping[int, int]], notes: List[str]
               ) -> Tuple[Ratio, Dict[int, int]]:
    """The design's ratio estimator of per-unit values y and x, and the sample units per
    stratum (per cluster for ``clusters``); notes on strata it cannot estimate."""
    if design == "clusters":
        # one-stage cluster sampling: a cluster's y and x are its pixels' sums; the
        # clusters are a simple random sample of the map's clusters
        clusters, index = np.unique(np.asarray(sample.strata).astype(np.int64),
                                    return_inverse=True)
        if len(clusters) < 2:
            notes.append("One reference cluster: the variance between clusters cannot be "
                         "estimated, so no interval is given.")
        single = np.zeros(len(clusters), np.int64)

        weights = sample.weights
        ones = np.ones(len(clusters))

        def by_cluster(y: np.ndarray, x: np.ndarray) -> Estimate:
            estimate = _ratio(np.bincount(index, y * weights, len(clusters)),
                              np.bincount(index, x * weights, len(clusters)), ones,
                              single, {0: 1.0})
            return estimate if len(clusters) > 1 else Estimate(estimate.estimate, None)

        counts = {int(c): int(n) for c, n in zip(clusters, np.bincount(index, weights))}
        return by_cluster, counts
    mapped = np.asarray(sample.map_classes).astype(np.int64)
    strata = mapped if design == "stratified" else (
        np.asarray(sample.strata).astype(np.int64) if design == "strata"
        else np.zeros(len(mapped), np.int64))
    sizes = _sizes(design, map_pixels, stratum_pixels)
    unknown = sorted(set(np.unique(strata).tolist()) - set(sizes))
    if unknown:
        raise CrnnError("Sample units lie in strata of which the map has no pixels: "
                        f"{', '.join(map(str, unknown))}.")
    weights = sample.weights
    counts = {h: int(weights[strata == h].sum()) for h in sorted(sizes)}
    for h, n in counts.items():
        if n == 0 and sizes[h] > 0:
            notes.append(f"Stratum {h} ({sizes[h]:.0f} pixels) has no sample unit: the "
                         "estimates cover the other strata only.")
        elif n == 1:
            notes.append(f"Stratum {h} has one sample unit: its variance cannot be "
                         "estimated, so the intervals leave it out (too narrow).")
    sampled = {h: size for h, size in sizes.items() if counts[h]}

    def stratified(y: np.ndarray, x: np.ndarray) -> Estimate:
        return _ratio(y, x, weights, strata, sampled)

    return stratified, counts


def _ratio(y: np.ndarray, x: np.ndarray, weights: np.ndarray, stratum: np.ndarray,
           sizes: Mapping[int, float]) -> Estimate:
    """R = sum_h N_h mean(y_h) / sum_h N_h mean(x_h) and 1.96 times its standard error
    (Stehman 2014, eq. 28, without the finite population correction); each unit counts
    ``weights`` times."""
    totals_y = totals_x = 0.0
    parts = []
    for h, size in sizes.items():
        inside = stratum == h
        w = weights[inside]
        n = float(w.sum())
        if n == 0:
            continue
        yh, xh = y[inside], x[inside]
        totals_y += size * float(w @ yh) / n
        totals_x += size * float(w @ xh) / n
        parts.append((size, n, w, yh, xh))
    if totals_x <= 0:
        return Estimate(None, None)
    r = totals_y / totals_x
    variance = 0.0
    for size, n, w, yh, xh in parts:
        if n > 1:
            d = yh - r * xh  # s2_y + R^2 s2_x - 2 R s_xy is the variance of y - R x
            spread = float(w @ (d - float(w @ d) / n) ** 2) / (n - 1)
            variance += size ** 2 * spread / n
    return Estimate(float(r), float(Z_95 * np.sqrt(variance) / totals_x))


__all__ = ["DESIGNS", "Estimate", "ClassEstimate", "AreaEstimates", "ReferenceSample",
           "estimate_area_and_accuracy"]
